//! Bad documents: each must become a problem that names the file and the reason, without a panic, a hang or
//! losing the other documents of the run (see #24: damaged and truncated files, zip bombs, huge files, deep HTML,
//! named pipes, links out of the tree).

use std::io::Write;

use super::super::*;
use super::{docx, para, pdf, texts_of, write};

fn nested_divs(depth: usize) -> String {
    let mut html = String::from("<html><body>");
    html.push_str(&"<div>".repeat(depth));
    html.push_str("Deep text.");
    html.push_str(&"</div>".repeat(depth));
    html.push_str("<p>After.</p></body></html>");
    html
}

#[test]
fn deeply_nested_html_neither_overflows_the_stack_nor_hangs() {
    // Just under the limit, parsed on a small stack, as a worker thread might have: a recursive walk over
    // thousands of levels would overflow it.
    let html = nested_divs(super::html::MAX_DEPTH - 10);
    let passages = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            parse(
                Format::Html,
                html.as_bytes(),
                "deep.html",
                &Limits::default(),
            )
        })
        .unwrap()
        .join()
        .expect("no stack overflow")
        .unwrap();
    let texts: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["Deep text.", "After."]);
    // 100,000 levels: refused at once (html5ever would take about 30 s), and the document beside it is read.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deep.html", nested_divs(100_000).as_bytes());
    write(dir.path(), "good.html", b"<p>Good.</p>");
    let started = std::time::Instant::now();
    let docs = read(&[dir.path().to_path_buf()], None);
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(texts_of(&docs), ["Good."]);
    assert_eq!(docs.problems.len(), 1);
    assert!(
        docs.problems[0].reason.contains("nested more than"),
        "{:?}",
        docs.problems
    );
}

#[test]
fn bad_documents_are_problems_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("docs");
    write(&root, "good.md", b"# Good\n\nThe good document is read.");
    let good_docx = docx(&para(None, false, "Docx survives."), None);
    write(&root, "good.docx", &good_docx);
    write(&root, "truncated.docx", &good_docx[..good_docx.len() / 2]);
    write(
        &root,
        "garbage.pdf",
        b"this is not a PDF at all, just bytes with a .pdf name",
    );
    write(
        &root,
        "truncated.pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Ty",
    );
    write(&root, "image.png", b"\x89PNG not read");
    // A password-protected Word file: an OLE container, not a zip.
    write(
        &root,
        "locked.docx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 and more",
    );
    write(&root, ".hidden/secret.md", b"Hidden text.");
    // A zip bomb: one part that unpacks far beyond the limit.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..40 {
        zip.write_all(&zeros).unwrap();
    }
    write(&root, "bomb.docx", &zip.finish().unwrap().into_inner());
    // A huge file, sparse: its size alone makes it a problem, before anything is read.
    std::fs::File::create(root.join("huge.txt"))
        .unwrap()
        .set_len(600 * 1_000_000)
        .unwrap();
    #[cfg(unix)]
    {
        let fifo = root.join("pipe.md");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    }
    let limits = Limits {
        ooxml: crate::ooxml::Limits {
            max_part_bytes: 10 * 1_000_000,
            ..crate::ooxml::Limits::default()
        },
        ..Limits::default()
    };
    let started = std::time::Instant::now();
    let docs = read_with(std::slice::from_ref(&root), None, &limits);
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(
        texts_of(&docs),
        ["Docx survives.", "The good document is read."]
    );
    assert_eq!(docs.files, 2);
    let mut problems: Vec<String> = docs
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p.file.file_name().unwrap().to_string_lossy(),
                p.reason
            )
        })
        .collect();
    problems.sort();
    let expected = [
        "bomb.docx",
        "garbage.pdf",
        "huge.txt",
        "locked.docx",
        "pipe.md",
        "truncated.docx",
        "truncated.pdf",
    ];
    let expected: Vec<&str> = expected
        .into_iter()
        .filter(|n| cfg!(unix) || *n != "pipe.md")
        .collect();
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for (problem, name) in problems.iter().zip(expected) {
        assert!(problem.starts_with(name), "{problem}");
    }
    assert!(problems[0].contains("zip bomb"), "{}", problems[0]);
    assert!(problems[2].contains("larger than"), "{}", problems[2]);
    assert!(problems[3].contains("encrypted"), "{}", problems[3]);
    assert!(
        problems.iter().any(|p| p.contains("not a regular file")) || !cfg!(unix),
        "{problems:#?}"
    );
}

#[test]
fn a_file_named_directly_of_an_unknown_type_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = write(dir.path(), "answers.xlsx", b"PK");
    let missing = dir.path().join("missing.md");
    let docs = read(&[sheet, missing], None);
    assert_eq!(docs.problems.len(), 2, "{:?}", docs.problems);
    assert!(docs.problems[0].reason.contains("not one answerbank reads"));
}

#[test]
fn a_pdf_without_text_is_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "scan.pdf", &pdf(&[vec![]]));
    let docs = read(&[path], None);
    assert_eq!(docs.problems.len(), 1, "{:?}", docs.passages);
    assert!(
        docs.problems[0].reason.contains("scan"),
        "{}",
        docs.problems[0].reason
    );
}

#[test]
fn folders_cite_relative_paths_and_skip_links_out_of_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    write(&root, "policies/access.md", b"Access text.");
    let outside = write(dir.path(), "outside.md", b"Outside text.");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("link.md")).unwrap();
    let docs = read(&[root], None);
    assert_eq!(texts_of(&docs), ["Access text."]);
    assert_eq!(docs.passages[0].file, "policies/access.md");
    let _ = outside;
}
