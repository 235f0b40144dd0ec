//! `answerbank eval` (#4): the figures, the goal on the CAIQ bench, and exact re-use of CAIQ v4 wordings.

use crate::util::{Sandbox, entry, shared};

/// On the shipped library, "Are you certified to ISO/IEC 42001 (AI management system)?" goes to the entry that
/// answers No, not to the explanation of what ISO/IEC 42001 is, whose long body covers every word of the
/// question; without the preference for entries that answer yes or no, the explanation ranked first.
#[test]
fn a_yes_no_question_prefers_an_entry_that_answers_yes_or_no() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.write(
        "cases.csv",
        "question,expected\n\"Are you certified to ISO/IEC 42001 (AI management system)?\",iso-42001-certification\n",
    );
    let hit_at_1 = |extra: &[&str]| {
        sandbox.eval_json("answer_library", "cases.csv", extra)["hit_at_1"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(hit_at_1(&[]), 1.0);
    assert_eq!(
        hit_at_1(&["--weights", r#"{"lacks_short_answer": 0}"#]),
        0.0
    );
}

#[test]
fn eval_reports_every_figure() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/mfa.md",
        &entry("Do you support MFA?", "short_answer = \"Yes\"\n", "Yes."),
    );
    sandbox.write(
        "lib/backup.md",
        &entry("Are backups encrypted?", "short_answer = \"Yes\"\n", "Yes."),
    );
    sandbox.write(
        "cases.csv",
        "question,expected\n\"Do you support MFA?\",mfa\n\"Are your backups encrypted at rest?\",backup\n\
         \"Do you support 2FA for admins?\",mfa;backup\n\"Do you have a cafeteria?\",\n",
    );
    let out = sandbox.run(&["eval", "--library", "lib", "--cases", "cases.csv", "--json"]);
    out.expect_code(0);
    let report = out.json();
    for key in [
        "cases",
        "answerable",
        "hit_at_1",
        "hit_at_5",
        "mrr",
        "abstention",
        "bands",
        "high_coverage",
        "semantic",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["cases"], 4);
    assert_eq!(report["answerable"], 3);
    assert_eq!(report["hit_at_1"], 1.0);
    assert_eq!(
        report["bands"]["high"]["count"], 1,
        "only the exact wording is high: {report}"
    );
    assert_eq!(report["bands"]["high"]["precision"], 1.0);
    assert_eq!(
        report["abstention"], 1.0,
        "the cafeteria question is abstained on: {report}"
    );
    assert_eq!(report["semantic"], false);
    let total: u64 = ["high", "medium", "low", "none"]
        .iter()
        .map(|b| report["bands"][b]["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);

    let out = sandbox.run(&[
        "eval",
        "--library",
        "lib",
        "--cases",
        "cases.csv",
        "--show-misses",
        "3",
    ]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("Hit@1") && out.stdout.contains("worst misses"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_cases_file_without_the_columns_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.write("lib/a.md", &entry("Q?", "", "A."));
    sandbox.write("cases.csv", "text,answer\nx,y\n");
    sandbox
        .run(&["eval", "--library", "lib", "--cases", "cases.csv"])
        .expect_clean_error("no `question` column");
}

/// The goal of #4 on the CAIQ bench, kept as a regression test (the figures are in docs/matching.md): of the 120
/// answerable questions 40 first and 67 in the first five (Hit@1 0.333, Hit@5 0.558, MRR 0.408), 9 of the 10
/// others abstained on, and the one high match right. One case fewer fails.
#[test]
fn caiq_bench_reaches_the_goal() {
    let sandbox = Sandbox::new();
    let (Some(_), Some(cases)) = (
        sandbox.shared_copy("bench/caiq/library", "caiq"),
        shared("bench/caiq/dev.csv"),
    ) else {
        return;
    };
    let report = sandbox.eval_json("caiq", cases.to_str().unwrap(), &[]);
    assert_eq!(
        (report["cases"].as_u64(), report["answerable"].as_u64()),
        (Some(130), Some(120))
    );
    let of_answerable = |key: &str| (report[key].as_f64().unwrap() * 120.0).round() as u64;
    assert!(of_answerable("hit_at_1") >= 40, "{report}");
    assert!(of_answerable("hit_at_5") >= 67, "{report}");
    assert!(report["mrr"].as_f64().unwrap() >= 0.407, "{report}");
    assert!(report["abstention"].as_f64().unwrap() >= 0.9, "{report}");
    let high = &report["bands"]["high"];
    assert!(high["count"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(high["precision"], 1.0, "{report}");
}

/// Exact re-use: every CAIQ v4.0.3 question, read from the questionnaire itself, finds its own entry first
/// with high confidence (its question ID is the context that separates identical wordings).
#[test]
fn caiq_v4_questions_find_their_own_entries() {
    let sandbox = Sandbox::new();
    let (Some(_), Some(workbook)) = (
        sandbox.shared_copy("bench/caiq/library", "caiq"),
        shared("questionnaires/CSA_CAIQv4.0.3_STAR-Security-Questionnaire_2024-06-03.xlsx"),
    ) else {
        return;
    };
    // The questions as calamine reads the sheet (rows 3 to 263: ID in A, question in B), not as answerbank's
    // reader reports them.
    let values = crate::util::read_values(&workbook, "CAIQv4.0.3");
    let mut cases = csv::Writer::from_path(sandbox.path("cases.csv")).unwrap();
    cases.write_record(["question", "expected", "id"]).unwrap();
    for r in 3..=263 {
        let id = &values[&format!("A{r}")];
        let slug: String = id
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        cases
            .write_record([values[&format!("B{r}")].as_str(), &slug, id])
            .unwrap();
    }
    cases.flush().unwrap();
    let report = sandbox.eval_json("caiq", "cases.csv", &[]);
    assert_eq!(report["cases"], 261);
    let hits = (report["hit_at_1"].as_f64().unwrap() * 261.0).round();
    let high = (report["high_coverage"].as_f64().unwrap() * 261.0).round();
    assert!(hits == 261.0 && high == 261.0, "{report}");
}
