//! Crafted company documents: a PDF whose form draws itself (the stack overflows), whose page is its own parent (a
//! loop without end), whose stream is inflated twice to 4 GiB, and HTML whose thousands of unclosed formatting tags
//! html5ever rebuilds at every element. None of these unwinds, so a caught panic cannot save the run: HTML, `.docx`
//! and PDF are parsed in a child process (`answerbank::documents::isolated`). Each such document is skipped with its
//! reason, the other documents are read as if parsed in this process, and the command goes on. The PDFs are in
//! `tests/fuzz_regressions/documents-*` (made by hand against pdf-extract and lopdf); the rest is made here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use answerbank::documents::isolated::Isolation;
use answerbank::documents::{Limits, read_with};

use crate::util::{Sandbox, repo};

fn crafted(name: &str) -> Vec<u8> {
    std::fs::read(repo(&format!(
        "tests/fuzz_regressions/documents-{name}.pdf"
    )))
    .unwrap()
}

/// A one-page PDF whose page shows `text`.
fn pdf_saying(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> \
         /Contents 5 0 R >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// HTML of `tags` unclosed formatting elements closed by their block, then `blocks` blocks: html5ever reconstructs
/// every one of them in each block, which asked the fuzzer's process for gigabytes.
fn html_reconstructing(tags: usize, blocks: usize) -> Vec<u8> {
    let mut html = String::from("<html><body><div>");
    for i in 0..tags {
        html.push_str(&format!("<b id={i}>"));
    }
    html.push_str("</div>");
    for _ in 0..blocks {
        html.push_str("<div>x</div>");
    }
    html.into_bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// This test build's answerbank as the parser, with tight limits so the test is quick.
fn isolated(timeout: Duration, max_memory_bytes: u64) -> Limits {
    Limits {
        isolation: Some(Isolation {
            program: PathBuf::from(env!("CARGO_BIN_EXE_answerbank")),
            timeout,
            max_memory_bytes,
        }),
        ..Limits::default()
    }
}

/// The reason each skipped document was given, by file name.
fn reasons(read: &answerbank::documents::Documents) -> Vec<(String, String)> {
    let mut reasons: Vec<(String, String)> = read
        .problems
        .iter()
        .map(|p| {
            let name = p.file.file_name().unwrap().to_string_lossy().to_string();
            (name, p.reason.clone())
        })
        .collect();
    reasons.sort();
    reasons
}

#[test]
fn a_crafted_document_is_stopped_and_the_rest_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "soc2.pdf",
        &pdf_saying("Backups are encrypted with AES-256."),
    );
    write(
        dir.path(),
        "policy.md",
        b"# Access\n\nAccess is reviewed every quarter.\n",
    );
    write(dir.path(), "loop.pdf", &crafted("hang-page-its-own-parent"));
    write(
        dir.path(),
        "itself.pdf",
        &crafted("stack-overflow-form-draws-itself"),
    );
    write(
        dir.path(),
        "each-other.pdf",
        &crafted("stack-overflow-two-forms-draw-each-other"),
    );
    write(dir.path(), "inflated.pdf", &crafted("oom-flate-twice-4gib"));
    write(
        dir.path(),
        "formatting.html",
        &html_reconstructing(3_990, 11_000),
    );

    let limits = isolated(Duration::from_secs(3), 512 << 20);
    let started = std::time::Instant::now();
    let read = read_with(&[dir.path().to_path_buf()], None, &limits);
    // Two cores, one document each at a time: the loop's 3 s, and the rest far less.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );

    let crashed = "the parser failed on it (the file is probably damaged)";
    let too_long =
        "reading it took longer than 3 s, the limit for a document (the file is probably damaged)";
    let too_big = "reading it needed more than 512 MB of memory, the limit for a document (the file is probably \
                   damaged)";
    let reasons = reasons(&read);
    let names: Vec<&str> = reasons.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "each-other.pdf",
            "formatting.html",
            "inflated.pdf",
            "itself.pdf",
            "loop.pdf"
        ]
    );
    assert_eq!(reasons[0].1, crashed);
    assert_eq!(reasons[1].1, too_big);
    // Inflating into the limit fails an allocation that lopdf asked for with room to fail (std's `read_to_end`),
    // and then the page has no text; under a larger limit another one aborts the child.
    let no_text =
        "it has no text layer; is it a scan? (run it through OCR, or save the text as a document)";
    assert!(
        [no_text, too_big].contains(&reasons[2].1.as_str()),
        "{}",
        reasons[2].1
    );
    assert_eq!(reasons[3].1, crashed);
    assert_eq!(reasons[4].1, too_long);
    assert_eq!(read.files, 2);
    let texts: Vec<&str> = read.passages.iter().map(|p| p.text.as_str()).collect();
    assert!(
        texts.contains(&"Backups are encrypted with AES-256."),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Access is reviewed every quarter."),
        "{texts:?}"
    );
}

#[test]
fn documents_parsed_apart_are_what_this_process_would_read() {
    // The example library's documents: Markdown, text, `.docx` and HTML; and a PDF.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo("answer_library/documents")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    write(
        dir.path(),
        "soc2.pdf",
        &pdf_saying("Logs are kept for one year."),
    );
    let paths = [dir.path().to_path_buf()];
    let here = read_with(&paths, None, &Limits::default());
    let apart = read_with(&paths, None, &isolated(Duration::from_secs(30), 2 << 30));
    assert!(here.problems.is_empty() && apart.problems.is_empty());
    assert_eq!(here.files, 8);
    assert_eq!(apart.files, here.files);
    assert_eq!(apart.passages, here.passages);
}

#[test]
fn draft_skips_a_crafted_pdf_and_uses_the_other_documents() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    let docs = sandbox.path("answer_library/documents");
    write(
        &docs,
        "itself.pdf",
        &crafted("stack-overflow-form-draws-itself"),
    );
    let out = sandbox.run_within(
        &["draft", "vendor.xlsx", "--json"],
        Duration::from_secs(120),
    );
    out.expect_code(0);
    assert!(
        out.stderr
            .contains("itself.pdf skipped: the parser failed on it (the file is probably damaged)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["documents"]["files"], 7, "{}", out.stderr);
    assert!(out.json()["documents"]["skipped"] == 1, "{}", out.stdout);
}
