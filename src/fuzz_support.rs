//! What the fuzz targets of untrusted files do with one input: the reader target (`fuzz/fuzz_targets/reader.rs`,
//! [`read_untrusted`]), shared with the test that replays the inputs kept in `tests/fuzz_regressions/`
//! (`reader-*`), so that the two never drift apart; and the documents target (`fuzz/fuzz_targets/documents.rs`,
//! [`read_untrusted_document`]).
//!
//! Workbooks, in: the fuzzer's bytes: the first picks the format (its low bits), whether hidden sheets are read
//! (its top bit) and, for `.xlsx`, whether the rest is the file or the XML of its parts (bit 0x40); the rest is the
//! file.
//! The file goes through every reader of untrusted workbooks: the questionnaire reader, and for `.xlsx` the
//! package checks on their own and the review reader of `finish` (#29). Each may refuse; a broken promise (an
//! empty question, or one longer than a cell) panics, as the fuzzer needs.
//!
//! A mutated zip rarely gets past its checksums, so with bit 0x40 the rest is the XML of the parts the readers
//! parse, split at NUL bytes (a "Review" sheet, a hidden "answerbank" sheet, the shared strings), and a valid
//! package is made around them: the mutations reach the XML.
//!
//! Documents: the first byte picks the format (Markdown, plain text, HTML, Word `.docx`, PDF), the rest is the
//! file, parsed as [`crate::documents`] parses one document's bytes, in this process. The command-line tool parses
//! HTML, `.docx` and PDF in a child process (`documents::isolated`), so what this target finds in their parsers is
//! contained there; the crafted PDFs of `tests/fuzz_regressions/documents-*` abort or hang here, and are replayed
//! through the child process by the CLI tests instead.

use std::path::Path;

use crate::cell::MAX_CELL_CHARS;
use crate::ooxml::Limits;
use crate::ooxml::package::Package;
use crate::questionnaire::{Format, ReadOptions, read_questionnaire_bytes};
use crate::workbook::review::read_review_bytes;

/// Reads one fuzz input with every reader of untrusted workbooks.
pub fn read_untrusted(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = match selector % 5 {
        0 => "fuzz.xlsx",
        1 => "fuzz.csv",
        2 => "fuzz.ods",
        3 => "fuzz.xls",
        _ => "fuzz.xlsb",
    };
    let options = ReadOptions {
        include_hidden: selector & 0x80 != 0,
        ..ReadOptions::default()
    };
    let Some(format) = Format::from_path(Path::new(name)) else {
        return;
    };
    let package;
    let bytes = if format == Format::Xlsx && selector & 0x40 != 0 {
        package = package_of_parts(bytes);
        package.as_slice()
    } else {
        bytes
    };
    if let Ok(questionnaire) =
        read_questionnaire_bytes(Path::new(name), format, bytes.to_vec(), &options)
    {
        for row in questionnaire.questions() {
            assert!(!row.question.is_empty());
            assert!(row.question.encode_utf16().count() <= MAX_CELL_CHARS);
        }
    }
    if format == Format::Xlsx {
        let _ = Package::open(bytes.to_vec(), Limits::default());
        let _ = read_review_bytes(Path::new("fuzz.review.xlsx"), bytes.to_vec());
    }
}

/// Reads one fuzz input as a company document: the first byte picks the format (its value modulo 5: Markdown, plain
/// text, HTML, `.docx`, PDF), the rest is the file; for `.docx` with bit 0x40 of that byte, the rest is the XML of
/// its document and styles parts ([`word_package_of_parts`]), so that mutations get past the zip's checksums. It is parsed as [`crate::documents::read`] parses a document's
/// bytes, under the default [`Limits`](crate::documents::Limits), on a thread of its own with the default stack (2 MiB
/// unless `RUST_MIN_STACK` says otherwise), as rayon's pool threads have when they read a folder of documents: a deep
/// recursion must not pass here on the fuzzer's main thread, whose stack is larger.
///
/// A document may be refused for any reason, a parser's caught panic included; what escapes `catch_unwind` (a
/// panic elsewhere, a stack overflow), a hang or an unbounded allocation is for the fuzzer to find. A document read
/// keeps the promises of the passages: no empty text, cited under its own name, a page only in a PDF, and no more
/// text than the limit.
pub fn read_untrusted_document(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = match selector % 5 {
        0 => "fuzz.md",
        1 => "fuzz.txt",
        2 => "fuzz.html",
        3 => "fuzz.docx",
        _ => "fuzz.pdf",
    };
    let package;
    let bytes = if name == "fuzz.docx" && selector & 0x40 != 0 {
        package = word_package_of_parts(bytes);
        package.as_slice()
    } else {
        bytes
    };
    let limits = crate::documents::Limits::default();
    let result = std::thread::scope(|scope| {
        scope
            .spawn(|| crate::documents::parse_named(name, bytes, &limits))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let Some(Ok(passages)) = result else {
        return;
    };
    for passage in &passages {
        assert!(!passage.text.is_empty());
        assert_eq!(passage.file, name);
        assert_eq!(passage.page.is_some(), name.ends_with(".pdf"));
    }
    assert!(passages.iter().map(|p| p.text.len()).sum::<usize>() <= limits.max_text_bytes);
}

/// A workbook package around the XML of its parts, given split at NUL bytes: the sheet "Review", the hidden sheet
/// "answerbank", the shared strings (each empty when not given).
pub fn package_of_parts(data: &[u8]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PACKAGE_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut given = data.splitn(3, |&b| b == 0);
    let mut next = || given.next().unwrap_or_default().to_vec();
    let (review, hidden, strings) = (next(), next(), next());
    let parts: [(&str, Vec<u8>); 6] = [
        (
            "_rels/.rels",
            format!(
                r#"<Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            )
            .into_bytes(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Review" sheetId="1" r:id="rId1"/><sheet name="answerbank" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>"#
            )
            .into_bytes(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#
            )
            .into_bytes(),
        ),
        ("xl/worksheets/sheet1.xml", review),
        ("xl/worksheets/sheet2.xml", hidden),
        ("xl/sharedStrings.xml", strings),
    ];
    stored_zip(
        parts
            .into_iter()
            .filter(|(name, content)| !(content.is_empty() && *name == "xl/sharedStrings.xml")),
    )
}

/// A Word package around the XML of its parts, given split at a NUL byte: `word/document.xml`, then
/// `word/styles.xml` (left out when not given).
pub fn word_package_of_parts(data: &[u8]) -> Vec<u8> {
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PACKAGE_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let mut given = data.splitn(2, |&b| b == 0);
    let document = given.next().unwrap_or_default().to_vec();
    let styles = given.next().unwrap_or_default().to_vec();
    let rels = format!(
        r#"<Relationships xmlns="{PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>"#
    );
    stored_zip(
        [
            ("_rels/.rels", rels.into_bytes()),
            ("word/document.xml", document),
            ("word/styles.xml", styles),
        ]
        .into_iter()
        .filter(|(name, content)| !(content.is_empty() && *name == "word/styles.xml")),
    )
}

/// A zip of `parts`, stored (not compressed), made in memory.
fn stored_zip<'a>(parts: impl IntoIterator<Item = (&'a str, Vec<u8>)>) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in parts {
        zip.start_file(name, stored).expect("a new zip entry");
        zip.write_all(&content).expect("writing into memory");
    }
    zip.finish()
        .expect("finishing a zip in memory")
        .into_inner()
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_parts_make_a_document_the_reader_opens() {
        let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        let document = format!(
            r#"<w:document xmlns:w="{w}"><w:body><w:p><w:pPr><w:pStyle w:val="Policy"/></w:pPr><w:r><w:t>Backups</w:t></w:r></w:p><w:p><w:r><w:t>Backups are encrypted.</w:t></w:r></w:p></w:body></w:document>"#
        );
        let styles = format!(
            r#"<w:styles xmlns:w="{w}"><w:style w:type="paragraph" w:styleId="Policy"><w:name w:val="heading 1"/></w:style></w:styles>"#
        );
        let data = [document.as_bytes(), b"\0", styles.as_bytes()].concat();
        let bytes = super::word_package_of_parts(&data);
        let passages = crate::documents::parse_named(
            "fuzz.docx",
            &bytes,
            &crate::documents::Limits::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(passages.len(), 1);
        assert_eq!(passages[0].text, "Backups are encrypted.");
        assert_eq!(passages[0].headings, ["Backups"]);
    }

    #[test]
    fn parts_make_a_package_the_readers_open() {
        let sheet = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Answer</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Do you encrypt data at rest?</t></is></c></row></sheetData></worksheet>"#;
        let strings = br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Question</t></si></sst>"#;
        let data = [&sheet[..], b"\0", b"\0", strings].concat();
        let bytes = super::package_of_parts(&data);
        let questionnaire = crate::questionnaire::read_questionnaire_bytes(
            std::path::Path::new("q.xlsx"),
            crate::questionnaire::Format::Xlsx,
            bytes,
            &crate::questionnaire::ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(questionnaire.questions().count(), 1);
        assert_eq!(questionnaire.sheets[0].name, "Review");
    }

    #[test]
    fn fuzz_regressions_stay_fixed() {
        // Inputs the reader fuzzer found or that were crafted against the readers (tests/fuzz_regressions/reader-*),
        // replayed as the fuzz target runs them: each must be refused or read, in bounded time, without a panic.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz_regressions");
        let mut replayed = 0;
        for item in std::fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("reader-") {
                continue;
            }
            let started = std::time::Instant::now();
            super::read_untrusted(&std::fs::read(&path).unwrap());
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{name} took {:?}",
                started.elapsed()
            );
            replayed += 1;
        }
        assert!(replayed > 0, "no reader-* inputs in {dir}");
    }
}
