//! `answerbank check` (#2): every kind of finding, with file and line, and the exit codes.

use crate::util::{Sandbox, entry};

/// A small library with one of each problem.
fn problem_library(sandbox: &Sandbox) {
    let ok = "short_answer = \"Yes\"\ntags = [\"backup\"]\nreviewed = 2026-10-01\n";
    sandbox.write(
        "lib/good.md",
        &entry("Do you back up customer data daily?", ok, "Yes. Nightly."),
    );
    sandbox.write(
        "lib/typo.md",
        "+++\nquestion = \"Do you encrypt laptops?\"\nshort_anwser = \"Yes\"\n+++\nYes.\n",
    );
    sandbox.write(
        "lib/syntax.md",
        "+++\nquestion = \"Do you log access?\"\ntags = [\"a\",\n+++\nYes.\n",
    );
    sandbox.write(
        "lib/no-question.md",
        "+++\nowner = \"Security team\"\n+++\nYes.\n",
    );
    sandbox.write(
        "lib/empty-body.md",
        "+++\nquestion = \"Do you scan for viruses?\"\n+++\n\n",
    );
    sandbox.write(
        "lib/Bad_Name.md",
        &entry("Do you have a bad name?", "", "No."),
    );
    sandbox.write(
        "lib/topic/good.md",
        &entry("Is this a duplicate id?", "", "Yes."),
    );
    sandbox.write(
        "lib/stale.md",
        &entry(
            "Do you train staff on phishing?",
            "tags = [\"training\"]\nreviewed = 2024-01-15\n",
            "Yes.",
        ),
    );
    sandbox.write(
        "lib/proposed.md",
        &entry(
            "Do you run a bug bounty?",
            "tags = [\"bounty\"]\nstatus = \"proposed\"\n",
            "No.",
        ),
    );
    sandbox.write(
        "lib/near-dup.md",
        &entry(
            "Is customer data backed up daily?",
            "tags = [\"backup\"]\n",
            "Yes.",
        ),
    );
    sandbox.write(
        "lib/orphan.md",
        &entry(
            "Do you rotate keys yearly?",
            "tags = [\"keys\"]\nderived_from = \"no-such-entry\"\n",
            "Yes.",
        ),
    );
    sandbox.write(
        "lib/library.toml",
        "review_every_days = 365\nsynonymz = []\n",
    );
}

#[test]
fn check_reports_every_kind_of_finding_with_file_and_line() {
    let sandbox = Sandbox::new();
    problem_library(&sandbox);
    let out = sandbox.run(&["check", "--library", "lib", "--json"]);
    out.expect_code(1);
    let findings = out.json();
    let found: Vec<(String, String, Option<u64>)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64(),
            )
        })
        .collect();
    let expect = |kind: &str, file: &str, line: Option<u64>| {
        assert!(
            found.contains(&(kind.to_string(), file.to_string(), line)),
            "missing {kind} {file} {line:?} in {found:#?}"
        );
    };
    expect("unknown-key", "typo.md", Some(3));
    expect("parse", "syntax.md", Some(3));
    expect("missing-field", "no-question.md", Some(2));
    expect("missing-field", "empty-body.md", Some(4));
    expect("bad-id", "Bad_Name.md", None);
    expect("duplicate-id", "topic/good.md", None);
    expect("stale", "stale.md", Some(4));
    expect("proposed", "proposed.md", Some(4));
    expect("near-duplicate", "near-dup.md", None);
    expect("broken-reference", "orphan.md", Some(4));
    expect("settings", "library.toml", Some(2));
    assert_eq!(found.len(), 11, "no other findings: {found:#?}");
    let typo = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "typo.md")
        .unwrap();
    assert!(
        typo["message"].as_str().unwrap().contains("short_anwser"),
        "the unknown key is named"
    );

    // The plain output has one line per finding, `file:line: kind: message`.
    let out = sandbox.run(&["check", "--library", "lib"]);
    out.expect_code(1);
    assert!(
        out.stdout
            .contains("typo.md:3: unknown-key: unknown key `short_anwser`"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().count(), 11);
}

#[test]
fn check_is_clean_on_the_example_library() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let out = sandbox.run(&["check"]);
    out.expect_code(0);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("no problems"), "{}", out.stderr);
}

#[test]
fn check_is_clean_on_the_caiq_bench_library() {
    let sandbox = Sandbox::new();
    if sandbox.shared_copy("bench/caiq/library", "caiq").is_none() {
        return;
    }
    sandbox.run(&["check", "--library", "caiq"]).expect_code(0);
}

#[test]
fn check_cannot_run_on_a_missing_library() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["check", "--library", "nowhere"])
        .expect_clean_error("nowhere");
}

#[test]
fn an_empty_library_is_a_finding() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("empty")).unwrap();
    let out = sandbox.run(&["check", "--library", "empty", "--json"]);
    out.expect_code(1);
    assert_eq!(out.json()[0]["kind"], "empty");
}
