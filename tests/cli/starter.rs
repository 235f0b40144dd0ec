//! The starter kit (#19): `init --starter`, templates that never reach a customer, filling them in, and imports
//! that fill them instead of duplicating them.

use crate::util::{Sandbox, read_values};

/// A customer questionnaire that asks two of the starter kit's questions word for word, and one it has no
/// template for.
fn questionnaire(sandbox: &Sandbox) {
    sandbox.write(
        "q.csv",
        "ID,Question,Answer,Comments\n\
         Q1,Do you support single sign-on (SSO) with SAML or OIDC?,,\n\
         Q2,Is customer data encrypted at rest?,,\n\
         Q3,Do you sponsor a company football team?,,\n",
    );
}

/// `answerbank init --starter lib`.
fn starter(sandbox: &Sandbox) {
    let out = sandbox.run(&["init", "--starter", "lib"]);
    out.expect_code(0);
    assert!(out.stderr.contains("200 templates"), "{}", out.stderr);
}

#[test]
fn a_starter_library_is_all_templates_and_check_says_so() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    let out = sandbox.run(&["check", "--library", "lib", "--json"]);
    out.expect_code(1);
    let findings = out.json();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 200);
    assert!(
        findings.iter().all(|f| f["kind"] == "template"),
        "{findings:?}"
    );
    assert!(sandbox.path("lib/README.md").exists());
}

#[test]
fn nothing_from_a_template_is_written_into_the_customers_file() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    questionnaire(&sandbox);
    // Even at the lowest band, a template is never drafted.
    let out = sandbox.run(&[
        "draft",
        "q.csv",
        "--library",
        "lib",
        "--min-confidence",
        "low",
        "--json",
    ]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["written"], 0, "{report}");
    // The football question meets a template too, at low: nothing answers it.
    assert_eq!(report["skipped"]["template"], 3, "{report}");
    assert_eq!(
        report["held_back"]["questions"], 0,
        "templates are not held back for approval: {report}"
    );
    let values = read_values(&sandbox.path("q.csv.drafted.xlsx"), "q");
    assert!(
        values.values().all(|v| !v.contains("{{")),
        "no placeholder in the drafted file: {values:?}"
    );
    for cell in ["C2", "D2", "C3", "D3"] {
        assert_eq!(
            values.get(cell).map(String::as_str).unwrap_or(""),
            "",
            "{cell}"
        );
    }
    // The review says why, and accepting a template's draft writes nothing either.
    let review = sandbox.path("q.csv.review.xlsx");
    let rows = read_values(&review, "Review");
    assert!(
        rows.values().any(|v| v == "template not filled in"),
        "{rows:?}"
    );
    crate::finish::decide(&review, &[(1, "Accept", ""), (2, "Accept", "")]);
    let out = sandbox.run(&["finish", "q.csv.review.xlsx", "--no-learn", "--json"]);
    out.expect_code(1);
    assert_eq!(out.json()["written"], 0, "{}", out.stdout);
    let values = read_values(&sandbox.path("q.csv.answered.xlsx"), "q");
    assert!(values.values().all(|v| !v.contains("{{")), "{values:?}");
}

#[test]
fn filled_in_and_approved_templates_draft_at_high() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    questionnaire(&sandbox);
    // Fill in two templates as a person would: a short answer, the body's facts, nothing left in braces.
    for (rel, short, body) in [
        (
            "lib/access/sso-support.md",
            "Yes",
            "Yes. We support SAML 2.0 and OpenID Connect single sign-on for users and administrators.",
        ),
        (
            "lib/encryption/encryption-at-rest.md",
            "Yes",
            "Yes. All customer data is encrypted at rest with AES-256.",
        ),
    ] {
        let text = std::fs::read_to_string(sandbox.path(rel)).unwrap();
        let (front, _) = text[3..].split_once("+++\n").unwrap();
        let filled = format!("+++{front}short_answer = \"{short}\"\n+++\n{body}\n");
        std::fs::write(sandbox.path(rel), filled).unwrap();
    }
    let out = sandbox.run(&[
        "approve",
        "--library",
        "lib",
        "lib/access/sso-support.md",
        "lib/encryption/encryption-at-rest.md",
    ]);
    out.expect_code(0);
    let out = sandbox.run(&["draft", "q.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["bands"]["high"], 2, "{report}");
    assert_eq!(report["drafted"], 2, "{report}");
    let values = read_values(&sandbox.path("q.csv.drafted.xlsx"), "q");
    assert_eq!(values["C2"], "Yes");
    assert_eq!(
        values["D2"],
        "Yes. We support SAML 2.0 and OpenID Connect single sign-on for users and administrators."
    );
    assert_eq!(values["C3"], "Yes");
    assert_eq!(
        values["D3"],
        "Yes. All customer data is encrypted at rest with AES-256."
    );
    assert_eq!(values.get("C4").map(String::as_str).unwrap_or(""), "");
}

#[test]
fn an_imported_answer_fills_the_template_it_answers() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    sandbox.write(
        "past.csv",
        "Question,Answer,Comments\n\
         Is customer data encrypted at rest?,Yes,AES-256 on every database and backup.\n",
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["entries_added"], 0, "{report}");
    assert_eq!(
        report["templates_filled"],
        serde_json::json!(["encryption/encryption-at-rest.md"]),
        "{report}"
    );
    let text =
        std::fs::read_to_string(sandbox.path("lib/encryption/encryption-at-rest.md")).unwrap();
    assert!(text.contains("short_answer = \"Yes\""), "{text}");
    assert!(
        text.contains("guidance = \"\"\""),
        "the guidance stays: {text}"
    );
    assert!(
        text.ends_with("+++\nAES-256 on every database and backup.\n"),
        "{text}"
    );
    assert!(!text[text.rfind("+++").unwrap()..].contains("{{"), "{text}");
    // Filled, it is an ordinary proposed entry: approve makes it a draft at high.
    let out = sandbox.run(&["approve", "--library", "lib", "--source", "past.csv"]);
    out.expect_code(0);
    sandbox.write(
        "q.csv",
        "Question,Answer,Comments\nIs customer data encrypted at rest?,,\n",
    );
    let out = sandbox.run(&["draft", "q.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["bands"]["high"], 1, "{}", out.stdout);
}
