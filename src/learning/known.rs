//! The library as learning and importing look answers up in it: entries analyzed for their normalized wordings,
//! the ids in use, and the few edits both make (an alternate, a learned wording, a new entry). Also how an
//! entry's `source` records the question it came from.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;

use crate::analysis::Analyzer;
use crate::analysis::ids::slug;
use crate::library::index::IndexedEntry;
use crate::library::{self, Entry, Library, Status, Verdict, ids, write};
use crate::text::one_line;

/// The library as learning and importing need it: its entries analyzed (for their normalized wordings) and the
/// ids in use.
pub(crate) struct Known {
    analyzer: Analyzer,
    pub(crate) entries: Vec<IndexedEntry>,
    ids: HashSet<String>,
}

impl Known {
    pub(crate) fn new(library: &Library) -> Known {
        let analyzer = library.settings.analyzer();
        let entries: Vec<IndexedEntry> = library
            .entries
            .iter()
            .map(|e| IndexedEntry::new(e.clone(), &analyzer))
            .collect();
        // Files that do not parse keep their ids too: a new entry must not take one and shadow the file once it
        // is mended.
        let unparsed = library
            .problems
            .iter()
            .filter(|f| f.file.ends_with(".md"))
            .filter_map(|f| Path::new(&f.file).file_stem())
            .map(|stem| stem.to_string_lossy().into_owned());
        let ids = entries
            .iter()
            .map(|e| e.entry.id.clone())
            .chain(unparsed)
            .collect();
        Known {
            analyzer,
            entries,
            ids,
        }
    }

    pub(crate) fn key(&self, text: &str) -> String {
        self.analyzer.analyze(text).key()
    }

    pub(crate) fn find(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.entry.id == id)
    }

    /// Records `question` as a new alternate of entry `index` (and writes it to its file unless `dry_run`);
    /// returns the file's relative path.
    pub(crate) fn add_alternate(
        &mut self,
        root: &Path,
        index: usize,
        question: &str,
        dry_run: bool,
    ) -> Result<String> {
        let path = self.entries[index].entry.path.clone();
        if !dry_run {
            write::add_alternate(root, &path, &one_line(question))?;
        }
        let mut entry = self.entries[index].entry.clone();
        entry.alternates.push(question.to_string());
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
        Ok(path)
    }

    /// Whether entry `index` already records `verdict` for a wording with this normalized key.
    pub(super) fn has_learned(&self, index: usize, key: &str, verdict: Verdict) -> bool {
        self.entries[index]
            .entry
            .learned
            .iter()
            .any(|l| l.decision == verdict && self.key(&l.wording) == key)
    }

    /// Records what a review taught about entry `index` in its file; returns the file's relative path.
    pub(super) fn add_learned(
        &mut self,
        root: &Path,
        index: usize,
        learned: library::Learned,
    ) -> Result<String> {
        let path = self.entries[index].entry.path.clone();
        write::add_learned(root, &path, &learned)?;
        let mut entry = self.entries[index].entry.clone();
        entry.learned.push(learned);
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
        Ok(path)
    }

    /// A free id for a new entry, made from the question's words (see #17: readable ids). A question of one word
    /// ("Name", a field label) says too little alone: the words of its section or sheet come first (see #26).
    pub(crate) fn new_id(&mut self, question: &str, context: &str) -> String {
        let mut base = ids::id_for(question);
        if !base.contains('-') && !context.trim().is_empty() {
            base = ids::id_for(&format!("{context} {question}"));
        }
        ids::unique_id(&base, &mut self.ids)
    }

    /// Replaces entry `index` with what its file now says.
    pub(crate) fn replace(&mut self, index: usize, entry: Entry) {
        self.entries[index] = IndexedEntry::new(entry, &self.analyzer);
    }

    pub(crate) fn add(&mut self, entry: Entry) {
        self.ids.insert(entry.id.clone());
        self.entries.push(IndexedEntry::new(entry, &self.analyzer));
    }

    /// An entry (not retired) that already asks this question with this answer.
    pub(super) fn has_answer(&self, key: &str, short: Option<&str>, body: &str) -> bool {
        self.entries
            .iter()
            .filter(|e| e.entry.status != Status::Retired)
            .any(|e| e.wording_keys.iter().any(|k| k == key) && e.entry.gives_answer(short, body))
    }
}

/// How an entry's `source` records the question ID it was imported or learned from (read back by
/// [`source_question_id`]).
pub(crate) fn question_ref(question_id: Option<&str>) -> String {
    question_id.map_or(String::new(), |q| format!(" (question {q})"))
}

/// The question ID an entry was imported or learned from, as its `source` records it ("(question A&A-01.1)").
pub(crate) fn source_question_id(entry: &Entry) -> Option<String> {
    let source = entry.source.as_deref()?;
    let start = source.find("(question ")? + "(question ".len();
    let end = source[start..].find(')')? + start;
    Some(source[start..end].to_string())
}

pub(crate) fn tag_for(section: Option<&str>, sheet: &str) -> Vec<String> {
    let tag = slug(section.unwrap_or(sheet));
    if tag.is_empty() {
        Vec::new()
    } else {
        vec![
            tag.chars()
                .take(40)
                .collect::<String>()
                .trim_end_matches('-')
                .to_string(),
        ]
    }
}
