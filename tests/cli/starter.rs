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
        rows.values()
            .any(|v| v == "no answer: a template covers it"),
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

/// Real answers in CAIQ's shape (approved, with question IDs in their source), for drafting with and without the
/// starter kit beside them.
const REAL: &[(&str, &str, &str, &str)] = &[
    (
        "iam-mfa",
        "Is multi-factor authentication enforced for all remote and privileged access?",
        "Yes",
        "Yes. MFA with hardware keys is enforced for every administrator and remote login.",
    ),
    (
        "cek-rest",
        "Is customer data encrypted at rest using industry-standard algorithms?",
        "Yes",
        "Yes. AES-256 on databases, volumes and backups.",
    ),
    (
        "log-retention",
        "Are audit logs retained for at least one year?",
        "Yes",
        "Yes. Audit logs are kept for 13 months.",
    ),
    (
        "bcr-test",
        "Are the business continuity plans tested at least annually?",
        "Yes",
        "Yes. We run a failover exercise every spring.",
    ),
    (
        "hrs-training",
        "Do all employees complete security awareness training every year?",
        "Yes",
        "Yes. Annual training, tracked in our HR system.",
    ),
    (
        "tvm-pentest",
        "Are penetration tests performed by an independent third party at least annually?",
        "Yes",
        "Yes. An external firm tests the product every year.",
    ),
];

/// The library of `REAL` in `dir` (approved, as an import and approve leave them).
fn real_entries(sandbox: &Sandbox, dir: &str) {
    for (id, question, short, body) in REAL {
        sandbox.write(
            &format!("{dir}/imported/{id}.md"),
            &format!(
                "+++\nquestion = {question:?}\nshort_answer = \"{short}\"\nstatus = \"approved\"\nreviewed = 2026-01-05\n+++\n{body}\n"
            ),
        );
    }
}

/// Adding the starter kit changes no real draft, nor its band (#25): each question gets the same real entry,
/// band, score and cells with the 200 templates beside the real answers as without them; only questions no real
/// answer matches are offered a template, in the review's notes, and nothing of it reaches the customer's file.
#[test]
fn the_starter_kit_changes_no_real_draft() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    real_entries(&sandbox, "lib");
    real_entries(&sandbox, "plain");
    sandbox.write(
        "q.csv",
        "ID,Question,Answer,Comments\n\
         Q1,Do you enforce multi-factor authentication for remote access?,,\n\
         Q2,Is data at rest encrypted?,,\n\
         Q3,How long are audit logs retained?,,\n\
         Q4,Do you test your business continuity plan every year?,,\n\
         Q5,Do employees receive security awareness training?,,\n\
         Q6,Do you have penetration tests done by a third party?,,\n\
         Q7,Do you support single sign-on (SSO) with SAML or OIDC?,,\n\
         Q8,What is the name of the product or service being assessed?,,\n\
         Q9,Do you have a documented incident response plan?,,\n\
         Q10,Is encryption in transit enforced with TLS 1.2 or higher?,,\n",
    );
    let mut reports = Vec::new();
    for library in ["lib", "plain"] {
        let out = sandbox.run(&[
            "draft",
            "q.csv",
            "--library",
            library,
            "--min-confidence",
            "low",
            "--out-dir",
            &format!("out-{library}"),
            "--json",
        ]);
        out.expect_code(0);
        reports.push(out.json());
    }
    let (kit, plain) = (&reports[0], &reports[1]);
    assert_eq!(kit["bands"], plain["bands"], "{kit}\n{plain}");
    assert_eq!(kit["written"], plain["written"], "{kit}\n{plain}");
    assert!(plain["written"].as_u64().unwrap() > 0, "{plain}");
    let offered = kit["skipped"]["template"].as_u64().unwrap();
    assert!(
        offered > 0,
        "SSO and the product name have templates only: {kit}"
    );
    assert_eq!(
        offered,
        plain["skipped"]["no_match"].as_u64().unwrap(),
        "{kit}\n{plain}"
    );
    assert_eq!(
        read_values(&sandbox.path("out-lib/q.csv.drafted.xlsx"), "q"),
        read_values(&sandbox.path("out-plain/q.csv.drafted.xlsx"), "q"),
        "the same cells written"
    );
    // The review: every column the same but the status and the notes of the questions offered a template.
    let kit_rows = read_values(&sandbox.path("out-lib/q.csv.review.xlsx"), "Review");
    let plain_rows = read_values(&sandbox.path("out-plain/q.csv.review.xlsx"), "Review");
    let header: std::collections::BTreeMap<String, String> = kit_rows
        .iter()
        .filter(|(cell, _)| cell.ends_with('1') && cell.len() == 2)
        .map(|(cell, name)| (cell[..1].to_string(), name.clone()))
        .collect();
    let mut differing = 0;
    for (cell, value) in &kit_rows {
        let column = &header[&cell[..1]];
        if plain_rows.get(cell) != Some(value) {
            assert!(
                column == "Status" || column == "Notes",
                "{cell} ({column}): {value:?} / {:?}",
                plain_rows.get(cell)
            );
            differing += 1;
        }
        if column == "Notes" && value.contains("A template covers this") {
            assert!(value.contains("Guidance: "), "{value}");
        }
    }
    assert_eq!(differing as u64, 2 * offered, "{kit_rows:?}");
    let values = read_values(&sandbox.path("out-lib/q.csv.drafted.xlsx"), "q");
    assert!(values.values().all(|v| !v.contains("{{")), "{values:?}");
}

/// An imported question in other words fills the template that asks the same question, and only that one: a
/// near miss leaves its template empty (#25; pairs from the CAIQ v4.0.3 import).
#[test]
fn an_import_fills_a_template_asked_in_other_words_but_not_a_near_miss() {
    let sandbox = Sandbox::new();
    starter(&sandbox);
    sandbox.write(
        "past.csv",
        "Question,Answer,Comments\n\
         Is data classified according to type and sensitivity levels?,Yes,Public / Internal / Confidential / Restricted.\n\
         Is business continuity and operational resilience documentation reviewed periodically?,Yes,Every year.\n\
         Are cryptography and key management roles and responsibilities defined and implemented?,Yes,The CTO owns them.\n",
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(
        report["templates_filled"],
        serde_json::json!(["privacy/data-classification.md"]),
        "{report}"
    );
    assert_eq!(report["entries_added"], 2, "{report}");
    // The near misses are left for a person: the bulk review offers each beside the template it may fill.
    assert_eq!(report["templates_offered"], 2, "{report}");
    assert!(
        report["review_command"]
            .as_str()
            .is_some_and(|c| c.ends_with("--source past.csv --review past-review.xlsx")),
        "{report}"
    );
    assert!(
        out.stderr.contains("filled 1 starter templates"),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(sandbox.path("lib/privacy/data-classification.md")).unwrap();
    assert!(
        text.contains("guidance = \"\"\""),
        "the guidance stays: {text}"
    );
    assert!(
        text.contains("Is data classified according to type and sensitivity levels?"),
        "the imported wording is an alternate: {text}"
    );
    assert!(
        text.ends_with("+++\nPublic / Internal / Confidential / Restricted.\n"),
        "{text}"
    );
    for rel in [
        "lib/continuity/business-continuity-plan.md",
        "lib/encryption/encryption-policy.md",
    ] {
        let text = std::fs::read_to_string(sandbox.path(rel)).unwrap();
        assert!(
            text.contains("{{"),
            "a near miss leaves {rel} empty: {text}"
        );
    }
}
