//! Answers from the company's own documents (#24), played as a user meets them: the example library's documents
//! offered as excerpts in the review, one used with "Use doc #1" after an edit in place and a Yes/No typed,
//! `finish` writing it into the customer's file and learning it as a proposed entry citing the document; `search
//! --docs`; `check` naming a document it cannot read; and a run that goes on past a bad document.

use crate::review::review_by_program;
use crate::util::{Sandbox, read_values};

const SHEET: &str = "Vendor Questionnaire";

/// The `#` of the first Review row whose question and Doc #1 both mention `word`, with that Doc #1 cell.
fn row_offering(values: &std::collections::HashMap<String, String>, word: &str) -> (usize, String) {
    let column = |header: &str| {
        values
            .iter()
            .find(|(cell, value)| cell.ends_with('1') && cell.len() == 2 && *value == header)
            .map(|(cell, _)| cell[..1].to_string())
            .unwrap_or_else(|| panic!("no {header} column"))
    };
    let (question, doc) = (column("Question"), column("Doc #1"));
    (2..200)
        .find_map(|r| {
            let asks = values.get(&format!("{question}{r}"))?.contains(word);
            let offered = values.get(&format!("{doc}{r}"))?;
            (asks && offered.contains(word))
                .then(|| (values[&format!("A{r}")].parse().unwrap(), offered.clone()))
        })
        .unwrap_or_else(|| panic!("no row asks about {word} and is offered it in Doc #1"))
}

#[test]
fn a_reviewer_uses_an_excerpt_of_the_companys_documents() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    let out = sandbox.run(&["draft", "vendor.xlsx", "--json"]);
    out.expect_code(0);
    // A first run reads every document: nothing came from a cache.
    assert!(
        out.stderr.contains("documents: read 7 of 7 files")
            && !out.stderr.contains("from the cache"),
        "{}",
        out.stderr
    );
    let summary = out.json();
    assert_eq!(summary["documents"]["files"], 7, "{summary}");
    assert!(
        summary["documents"]["questions_with_suggestions"]
            .as_u64()
            .unwrap()
            >= 3,
        "{summary}"
    );
    // Nothing from the documents is written by draft.
    let drafted = read_values(&sandbox.path("vendor.drafted.xlsx"), SHEET);
    assert!(
        !drafted
            .values()
            .any(|v| v.contains("HITRUST CSF certification")),
        "a document excerpt was written without a decision"
    );

    let review = sandbox.path("vendor.review.xlsx");
    let values = read_values(&review, "Review");
    let (number, doc) = row_offering(&values, "HITRUST");
    let (excerpt, source) = doc
        .split_once("\n\nSource: ")
        .expect("excerpt, then its source");
    assert!(source.starts_with("trust-center.html"), "{source}");
    // The reviewer shortens the excerpt in its cell (keeping the source line), and types the No.
    let edited = "We do not hold a HITRUST CSF certification, and none is planned.";
    assert!(excerpt.contains("HITRUST CSF certification"), "{excerpt}");
    let cell = format!("{edited}\n\nSource: {source}");
    review_by_program(
        &review,
        &[
            (number, "Decision", "Use doc #1"),
            (number, "Short answer", "no"),
            (number, "Doc #1", &cell),
        ],
    );
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["answered"]["from_documents"], 1, "{report}");

    let answered = read_values(&sandbox.path("vendor.answered.xlsx"), SHEET);
    let row = answered
        .iter()
        .find(|(cell, value)| cell.starts_with('B') && value.contains("HITRUST"))
        .map(|(cell, _)| cell[1..].to_string())
        .unwrap();
    assert_eq!(answered[&format!("C{row}")], "No");
    assert_eq!(answered[&format!("D{row}")], edited);

    // Learned as a proposed entry citing the document.
    let learned = report["learned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["document"].is_string())
        .unwrap_or_else(|| panic!("nothing learned from a document: {report}"));
    assert_eq!(learned["recorded"], "new proposed entry", "{learned}");
    assert!(
        learned["document"]
            .as_str()
            .unwrap()
            .starts_with("trust-center.html")
    );
    let id = learned["entry"].as_str().unwrap();
    let entry =
        std::fs::read_to_string(sandbox.path(&format!("answer_library/learned/{id}.md"))).unwrap();
    assert!(entry.contains("status = \"proposed\""), "{entry}");
    assert!(entry.contains("short_answer = \"No\""), "{entry}");
    assert!(
        entry.contains("source = \"from the document trust-center.html"),
        "{entry}"
    );
    assert!(entry.trim_end().ends_with(edited), "{entry}");
}

#[test]
fn search_and_check_know_the_documents() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let out = sandbox.run(&["search", "--docs", "--json", "Are you FedRAMP authorized?"]);
    out.expect_code(0);
    let found = out.json();
    let first = &found[0];
    assert!(
        first["excerpt"].as_str().unwrap().contains("FedRAMP"),
        "{found}"
    );
    assert!(
        first["citation"]
            .as_str()
            .unwrap()
            .starts_with("trust-center.html")
    );

    // A damaged Word file beside the good documents: named by check, and draft goes on without it.
    sandbox.write(
        "answer_library/documents/broken.docx",
        "PK\u{3}\u{4} not a zip",
    );
    let out = sandbox.run(&["check"]);
    assert!(
        out.stderr.contains("document that cannot be read"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("broken.docx"), "{}", out.stdout);
    assert!(
        out.stderr.contains("passages read from 7 documents"),
        "{}",
        out.stderr
    );
    sandbox.fixture("example-questionnaire.xlsx");
    let out = sandbox.run(&["draft", "example-questionnaire.xlsx", "--json"]);
    out.expect_code(0);
    assert!(out.stderr.contains("broken.docx"), "{}", out.stderr);
    assert_eq!(out.json()["documents"]["files"], 7);
    // --no-docs offers none.
    let out = sandbox.run(&[
        "draft",
        "example-questionnaire.xlsx",
        "--json",
        "--force",
        "--no-docs",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()["documents"]["questions_with_suggestions"], 0);
}
