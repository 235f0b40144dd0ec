//! Dumps what a library's index holds, independent of how it is split into segments: every stored document
//! (sorted by path), every field's term statistics (document frequency and total term frequency per term, summed
//! over segments), every field's token total, and every document's field norms. Two builds that print the same
//! are the same index for matching, however Tantivy's writer threads split the documents into segments (which
//! changes from one build to the next).
//!
//!     cargo run --release --example dump_index -- <library>/.answerbank/index > dump.txt
use std::collections::BTreeMap;

use tantivy::schema::{FieldType, IndexRecordOption, Value};
use tantivy::{DocSet, Index, TantivyDocument};

fn main() {
    let dir = std::env::args().nth(1).expect("index dir");
    let index = Index::open_in_dir(&dir).unwrap();
    let schema = index.schema();
    let reader = index.reader().unwrap();
    let searcher = reader.searcher();
    let path_field = schema.get_field("path").unwrap();
    let mut docs: BTreeMap<String, String> = BTreeMap::new();
    let mut norms: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut stats: BTreeMap<(String, Vec<u8>), (u64, u64)> = BTreeMap::new();
    let mut tokens: BTreeMap<String, u64> = BTreeMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let d: TantivyDocument = searcher
                .doc(tantivy::DocAddress::new(ord as u32, doc))
                .unwrap();
            let path = d
                .get_first(path_field)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            let mut parts = Vec::new();
            for (field, entry) in schema.fields() {
                for v in d.get_all(field) {
                    let s = match (v.as_str(), v.as_bytes()) {
                        (Some(s), _) => s.to_string(),
                        (_, Some(b)) => String::from_utf8_lossy(b).to_string(),
                        _ => "?".to_string(),
                    };
                    parts.push(format!("{}={}", entry.name(), s));
                }
            }
            let mut n = Vec::new();
            for (field, entry) in schema.fields() {
                if let FieldType::Str(_) = entry.field_type()
                    && entry.is_indexed()
                {
                    let r = segment.get_fieldnorms_reader(field).unwrap();
                    n.push(r.fieldnorm_id(doc));
                }
            }
            norms.insert(path.clone(), n);
            assert!(docs.insert(path, parts.join("\u{1}")).is_none());
        }
        for (field, entry) in schema.fields() {
            if !entry.is_indexed() {
                continue;
            }
            let inverted = segment.inverted_index(field).unwrap();
            *tokens.entry(entry.name().to_string()).or_default() += inverted.total_num_tokens();
            let mut stream = inverted.terms().stream().unwrap();
            while stream.advance() {
                let info = stream.value().clone();
                let key = (entry.name().to_string(), stream.key().to_vec());
                let mut postings = inverted
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                    .unwrap();
                let mut tf = 0u64;
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    tf += u64::from(tantivy::postings::Postings::term_freq(&postings));
                    doc = postings.advance();
                }
                let s = stats.entry(key).or_default();
                s.0 += u64::from(info.doc_freq);
                s.1 += tf;
            }
        }
    }
    println!(
        "docs {} segments {}",
        docs.len(),
        searcher.segment_readers().len()
    );
    for (field, n) in &tokens {
        println!("tokens {field} {n}");
    }
    for ((field, term), (df, tf)) in &stats {
        println!("term {field} {} {df} {tf}", String::from_utf8_lossy(term));
    }
    for (path, n) in &norms {
        println!("norms {path} {n:?}");
    }
    for (path, doc) in &docs {
        println!("doc {path} {doc}");
    }
}
