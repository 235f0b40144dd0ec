//! `answerbank approve` (#17): proposed entries approved in bulk after a look, in place, templates refused.

use crate::util::{Sandbox, TODAY, field};

const IMPORTED: &str = "+++\nquestion = \"Do you support single sign-on?\"\nshort_answer = \"No\"\ntags = [\"authentication\"]\nreviewed = 2022-08-30\nstatus = \"proposed\"\nsource = \"imported from past.xlsx, sheet 'Full', cell C93 (question AAAI-01)\"\n+++\nNo.\n";
const TEMPLATE: &str = "+++\nquestion = \"How long do you keep audit logs?\"\nstatus = \"proposed\"\nsource = \"imported from past.xlsx, sheet 'Full', cell C94\"\n+++\nWe keep audit logs for {{number}} days.\n";
const LEARNED: &str = "+++\nquestion = \"Do you encrypt data at rest?\"\nshort_answer = \"Yes\"\nreviewed = 2026-01-05\nlearned = [\n  { wording = \"Is stored data encrypted?\", decision = \"accepted\", date = 2026-10-01 },\n  { wording = \"Is data encrypted on disk?\", decision = \"rejected\", date = 2026-10-01 },\n]\n+++\nYes. AES-256.\n";
const OTHER: &str = "+++\nquestion = \"Do you run penetration tests every year?\"\nshort_answer = \"Yes\"\ntags = [\"testing\"]\nreviewed = 2025-03-01\nstatus = \"proposed\"\nsource = \"learned from other.xlsx, sheet 'S', cell C4\"\n+++\nYes, by an outside firm.\n";

fn library(sandbox: &Sandbox) {
    sandbox.write("lib/imported/past/sso.md", IMPORTED);
    sandbox.write("lib/imported/past/log-retention.md", TEMPLATE);
    sandbox.write("lib/encryption.md", LEARNED);
    sandbox.write("lib/learned/pen-tests.md", OTHER);
}

fn read(sandbox: &Sandbox, rel: &str) -> String {
    std::fs::read_to_string(sandbox.path(rel)).unwrap()
}

#[test]
fn approve_by_source_after_a_dry_run_changes_two_lines_and_refuses_templates() {
    let sandbox = Sandbox::new();
    library(&sandbox);
    let out = sandbox.run(&[
        "approve",
        "--library",
        "lib",
        "--source",
        "some/folder/past.xlsx",
        "--dry-run",
        "--json",
    ]);
    out.expect_code(1);
    let report = out.json();
    assert_eq!(field(&report["approved"], "path"), ["imported/past/sso.md"]);
    assert_eq!(
        field(&report["refused"], "path"),
        ["imported/past/log-retention.md"]
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/sso.md"),
        IMPORTED,
        "a dry run writes nothing"
    );

    let out = sandbox.run(&["approve", "--library", "lib", "--source", "past.xlsx"]);
    out.expect_code(1);
    assert!(
        out.stdout.contains("approved imported/past/sso.md"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("imported/past/log-retention.md")
            && out.stderr.contains("unfilled template")
            && out.stderr.contains("{{number}}"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/sso.md"),
        IMPORTED
            .replace("reviewed = 2022-08-30", &format!("reviewed = {TODAY}"))
            .replace("status = \"proposed\"", "status = \"approved\""),
        "status and reviewed change in place, nothing else"
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/log-retention.md"),
        TEMPLATE
    );
    assert_eq!(
        read(&sandbox, "lib/learned/pen-tests.md"),
        OTHER,
        "another source"
    );

    // Approved, it is drafted at high: its exact wording is found.
    let out = sandbox.run(&[
        "search",
        "--library",
        "lib",
        "--json",
        "Do you support single sign-on?",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()[0]["confidence"], "high", "{}", out.stdout);
}

#[test]
fn approve_promotes_accepted_wordings_and_takes_files_tags_or_everything() {
    let sandbox = Sandbox::new();
    library(&sandbox);
    let out = sandbox.run(&["approve", "--library", "lib", "lib/encryption.md", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(
        report["approved"][0]["alternates_added"],
        serde_json::json!(["Is stored data encrypted?"])
    );
    assert_eq!(
        read(&sandbox, "lib/encryption.md"),
        LEARNED
            .replace(
                "short_answer",
                "alternates = [\n  \"Is stored data encrypted?\",\n]\nshort_answer"
            )
            .replace("reviewed = 2026-01-05", &format!("reviewed = {TODAY}"))
            .replace("\n+++\nYes.", "\nstatus = \"approved\"\n+++\nYes."),
        "the accepted wording becomes an alternate; the rejected one does not"
    );
    // Now an exact wording: high.
    let out = sandbox.run(&[
        "search",
        "--library",
        "lib",
        "--json",
        "Is stored data encrypted?",
    ]);
    assert_eq!(out.json()[0]["confidence"], "high", "{}", out.stdout);

    let out = sandbox.run(&["approve", "--library", "lib", "--tag", "testing", "--json"]);
    out.expect_code(0);
    assert_eq!(
        field(&out.json()["approved"], "path"),
        ["learned/pen-tests.md"]
    );

    // A folder: what is in it.
    let out = sandbox.run(&["approve", "--library", "lib", "lib/imported", "--json"]);
    out.expect_code(1);
    let report = out.json();
    assert_eq!(field(&report["approved"], "path"), ["imported/past/sso.md"]);
    assert_eq!(report["refused"].as_array().unwrap().len(), 1);

    // Everything: only the template is left, and refused again.
    let out = sandbox.run(&["approve", "--library", "lib", "--all", "--json"]);
    out.expect_code(1);
    let report = out.json();
    assert!(report["approved"].as_array().unwrap().is_empty());
    assert_eq!(report["already_approved"], 3);
}

#[test]
fn approve_says_what_it_needs() {
    let sandbox = Sandbox::new();
    library(&sandbox);
    sandbox.write("elsewhere/x.md", IMPORTED);
    sandbox
        .run(&["approve", "--library", "lib"])
        .expect_clean_error("--source FILE, --tag TAG, or --all");
    sandbox
        .run(&["approve", "--library", "lib", "elsewhere/x.md"])
        .expect_clean_error("is not inside the library lib");
    sandbox
        .run(&["approve", "--library", "lib", "lib/nothing-here.md"])
        .expect_clean_error("does not exist");
    let out = sandbox.run(&["approve", "--library", "lib", "--source", "typo.xlsx"]);
    out.expect_clean_error("no entry was imported or learned from typo.xlsx");
    assert!(
        out.stderr.contains("other.xlsx, past.xlsx"),
        "{}",
        out.stderr
    );
    sandbox
        .run(&["approve", "--library", "missing", "--all"])
        .expect_clean_error("does not exist");
}
