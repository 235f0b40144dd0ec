//! `answerbank search` (#2, #4): ranking on the example library, JSON output, hostile text, errors.

use crate::util::{Sandbox, entry, field};

fn top_id(sandbox: &Sandbox, query: &str) -> String {
    let out = sandbox.run(&["search", "--json", query]);
    out.expect_code(0);
    field(&out.json(), "id")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no result for {query}"))
}

#[test]
fn the_example_library_answers_everyday_questions() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    for (query, id) in [
        ("Do you support 2FA?", "customer-mfa"),
        ("What's your relationship to SOC 2?", "soc-2-report"),
        (
            "can we self-attest to ISO 42001",
            "iso-42001-self-attestation",
        ),
        ("Is customer data encrypted at rest?", "encryption-at-rest"),
        (
            "Do you perform background checks on new hires?",
            "background-checks",
        ),
        (
            "How often do you run penetration tests?",
            "penetration-testing",
        ),
        (
            "Do you use our data to train your AI models?",
            "customer-data-ai-training",
        ),
        (
            "How do you align with the NIST AI RMF?",
            "nist-ai-rmf-alignment",
        ),
    ] {
        assert_eq!(top_id(&sandbox, query), id, "{query}");
    }
}

#[test]
fn json_results_carry_the_answer_and_its_confidence() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let out = sandbox.run(&[
        "search",
        "-n",
        "3",
        "--json",
        "Can we self-attest to ISO/IEC 42001?",
    ]);
    out.expect_code(0);
    let results = out.json();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    let first = &results[0];
    assert_eq!(first["id"], "iso-42001-self-attestation");
    assert_eq!(
        first["confidence"], "high",
        "exact re-use of the entry's question"
    );
    assert_eq!(first["short_answer"], "Yes");
    assert!(first["body"].as_str().unwrap().starts_with("Yes."));
    assert!(first["question"].is_string() && first["score"].is_number());
    assert!(
        results[1]["confidence"].is_null(),
        "only the best match has a band"
    );
}

#[test]
fn hostile_query_text_is_just_text() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    for query in [
        "\"unclosed quote",
        "title:foo AND (bar OR -baz)",
        "Do you NOT store passwords?",
        "10:30 https://example.com/a?b=c&d=e",
        "🙂🔐 Ω≈ç√ 加密",
        "+++",
        "*",
        "\\",
        "a",
        "((((((((((",
        "-",
        "NOT",
        "\u{1b}[31mred",
    ] {
        let out = sandbox.run(&["search", "--json", query]);
        out.expect_code(0);
        assert!(out.json().is_array(), "{query}");
    }
    // Syntax characters do not change what is found.
    assert_eq!(
        top_id(&sandbox, "Do you NOT store passwords?"),
        top_id(&sandbox, "Do you store passwords")
    );
    assert_eq!(
        top_id(&sandbox, "encryption: at-rest (AES)"),
        top_id(&sandbox, "encryption at rest AES")
    );
}

#[test]
fn library_errors_are_one_clear_message() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["search", "--library", "missing", "x"])
        .expect_clean_error("missing");
    std::fs::create_dir(sandbox.path("empty")).unwrap();
    sandbox
        .run(&["search", "--library", "empty", "x"])
        .expect_clean_error("no usable answer files");
    sandbox.write("bad/a.md", &entry("Q?", "", "A."));
    sandbox.write("bad/library.toml", "review_every_days = \"soon\"\n");
    let out = sandbox.run(&["search", "--library", "bad", "x"]);
    out.expect_clean_error("library.toml line 1");
    // ANSWERBANK_LIBRARY is used when --library is not given.
    sandbox.write("env-lib/a.md", &entry("Do you have a dog?", "", "Yes."));
    let out = sandbox.run_with(
        &["search", "--json", "dog"],
        &[("ANSWERBANK_LIBRARY", "env-lib")],
    );
    out.expect_code(0);
    assert_eq!(out.json()[0]["id"], "a");
}

#[test]
fn a_broken_file_is_skipped_with_a_warning() {
    let sandbox = Sandbox::new();
    sandbox.write("lib/good.md", &entry("Do you have a dog?", "", "Yes."));
    sandbox.write("lib/broken.md", "+++\nquestion = \n+++\nx\n");
    let out = sandbox.run(&["search", "--library", "lib", "--json", "dog"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("warning: skipped broken.md:2"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json()[0]["id"], "good");
}
