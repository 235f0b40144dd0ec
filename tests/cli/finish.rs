//! `answerbank finish` (#6): the whole loop, learning, idempotence, and the refusals. (`import` is tested in import.rs.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use answerbank::ooxml::package::Package;
use answerbank::workbook::patch::{CellEdit, patch_workbook};
use answerbank::workbook::review::{self, read_review};

use crate::util::{Sandbox, assert_only_answer_cells_changed, read_values, snapshot};

/// Sets Decision and Final answer on Review rows, by `#`, with the project's own writer.
pub(crate) fn decide(review: &Path, decisions: &[(usize, &str, &str)]) {
    let package = Package::open(std::fs::read(review).unwrap(), Default::default()).unwrap();
    let mut edits = Vec::new();
    for (number, decision, final_answer) in decisions {
        let row = *number as u32; // row 0 is the header; `#` n sits on sheet row n
        if !decision.is_empty() {
            edits.push(CellEdit {
                cell: answerbank::cell::CellRef::new(row, review::DECISION_COL.into()),
                text: decision.to_string(),
            });
        }
        if !final_answer.is_empty() {
            edits.push(CellEdit {
                cell: answerbank::cell::CellRef::new(row, review::FINAL_COL.into()),
                text: final_answer.to_string(),
            });
        }
    }
    let (bytes, _) =
        patch_workbook(&package, &BTreeMap::from([("Review".to_string(), edits)])).unwrap();
    std::fs::write(review, bytes).unwrap();
}

#[test]
fn the_whole_loop_draft_review_finish_learn_draft_again() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let input = sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    sandbox.run(&["draft", "vendor.xlsx"]).expect_code(0);
    let review = sandbox.path("vendor.review.xlsx");
    let (_, rows) = read_review(&review).unwrap();

    // Pick rows by what draft made of them.
    let medium: Vec<_> = rows
        .iter()
        .filter(|r| r.confidence == answerbank::matching::Confidence::Medium && !r.written)
        .collect();
    let high: Vec<_> = rows.iter().filter(|r| r.written).collect();
    let weak = rows
        .iter()
        .find(|r| r.confidence <= answerbank::matching::Confidence::Low)
        .unwrap();
    let (accepted, edited, rejected, sme) = (medium[0], medium[1], medium[2], medium[3]);
    let undecided_high = high[0];
    decide(
        &review,
        &[
            (accepted.number, "Accept", ""),
            (
                edited.number,
                "Edit",
                "No. We do this differently for Northwind (edited in review).",
            ),
            (rejected.number, "Reject", ""),
            (sme.number, "Needs SME", ""),
            (
                weak.number,
                "",
                "We answer this one by hand: not certified.",
            ),
        ],
    );
    let library_before = snapshot(&sandbox.path("answer_library"));

    // The library is the one draft would use here, as for every command, and it must be the one the review was
    // drafted with (see #29): ANSWERBANK_LIBRARY naming another folder stops finish before anything is written.
    sandbox
        .run_with(
            &["finish", "vendor.review.xlsx", "--json"],
            &[("ANSWERBANK_LIBRARY", "elsewhere")],
        )
        .expect_clean_error("but the library here is elsewhere (ANSWERBANK_LIBRARY)");
    assert!(!sandbox.path("elsewhere").exists());
    assert!(!sandbox.path("vendor.answered.xlsx").exists());
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    let report = out.json();
    // An accepted medium draft is a pending wording, not an alternate (see #14); the rejected and Needs SME drafts
    // are recorded on their entries.
    assert_eq!(report["alternates_added"], 0, "{report}");
    assert_eq!(report["entries_added"], 2, "{report}");
    let recorded = crate::util::fields(&report["learned"], &["number", "recorded"]);
    for (row, what) in [
        (accepted, "accepted"),
        (rejected, "rejected"),
        (sme, "needs-sme"),
        (edited, "new proposed entry"),
    ] {
        assert!(
            recorded.contains(&vec![row.number.to_string(), what.to_string()]),
            "#{} {what}: {report}",
            row.number
        );
    }
    assert_eq!(
        report["undecided"].as_u64().unwrap() as usize,
        rows.len() - 5,
        "{report}"
    );
    let answered = sandbox.path("vendor.answered.xlsx");
    assert!(
        report["answered_file"]
            .as_str()
            .unwrap()
            .ends_with("vendor.answered.xlsx"),
        "{report}"
    );

    // The answered workbook: exactly the expected cells.
    let cells_of = |row: &answerbank::workbook::review::ReviewRow| -> Vec<String> {
        row.cells.iter().map(|c| c.cell.to_string()).collect()
    };
    let values = read_values(&answered, "Vendor Questionnaire");
    let get = |cell: &str| values.get(cell).cloned().unwrap_or_default();
    let (short_a, long_a) = (&cells_of(accepted)[0], &cells_of(accepted)[1]);
    assert_eq!(get(short_a), accepted.short.clone().unwrap());
    assert!(get(long_a).len() > 20);
    let (short_e, long_e) = (&cells_of(edited)[0], &cells_of(edited)[1]);
    assert_eq!(get(short_e), "No");
    assert_eq!(
        get(long_e),
        "No. We do this differently for Northwind (edited in review)."
    );
    for row in [rejected, sme] {
        for cell in cells_of(row) {
            assert_eq!(get(&cell), "", "{cell} stays empty");
        }
    }
    assert_eq!(
        get(&cells_of(weak)[1]),
        "We answer this one by hand: not certified."
    );
    assert_eq!(
        get(&cells_of(undecided_high)[0]),
        undecided_high.short.clone().unwrap(),
        "undecided keeps the high draft"
    );
    let allowed: Vec<(String, String)> = rows
        .iter()
        .flat_map(|r| {
            cells_of(r)
                .into_iter()
                .map(|c| ("Vendor Questionnaire".to_string(), c))
        })
        .collect();
    assert_only_answer_cells_changed(&input, &answered, &allowed);

    // The library learned: a pending wording on the accepted entry, a rejection and a Needs SME on theirs, two
    // proposed entries.
    let library_after = snapshot(&sandbox.path("answer_library"));
    let changed: Vec<&PathBuf> = library_after
        .keys()
        .filter(|p| library_before.get(*p) != Some(&library_after[*p]))
        .collect();
    let entries_changed: std::collections::BTreeSet<&str> = [accepted, rejected, sme]
        .iter()
        .map(|r| r.matched_id.as_deref().unwrap())
        .collect();
    assert_eq!(changed.len(), entries_changed.len() + 2, "{changed:?}");
    let accepted_entry = library_after
        .iter()
        .find(|(p, _)| p.file_stem().unwrap() == accepted.matched_id.as_deref().unwrap())
        .unwrap();
    let text = String::from_utf8(accepted_entry.1.clone()).unwrap();
    assert!(
        text.contains(
            &accepted
                .question
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "{text}"
    );
    let before_text = String::from_utf8(library_before[accepted_entry.0].clone()).unwrap();
    assert_eq!(
        text.lines().count(),
        before_text.lines().count() + 3,
        "one learned record (and the list's two brackets):\n{text}"
    );
    assert!(text.contains("decision = \"accepted\", date = 2026-11-27, source = \"vendor.xlsx, sheet 'Vendor Questionnaire', cell"), "{text}");
    let new_entries: Vec<String> = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let edited_entry = String::from_utf8(
        std::fs::read(sandbox.path(&format!("answer_library/learned/{}.md", new_entries[0])))
            .unwrap(),
    )
    .unwrap();
    assert!(
        edited_entry.contains("status = \"proposed\""),
        "{edited_entry}"
    );
    assert!(
        edited_entry.contains(&format!(
            "derived_from = \"{}\"",
            edited.matched_id.as_deref().unwrap()
        )),
        "{edited_entry}"
    );
    assert!(
        edited_entry
            .contains("source = \"learned from vendor.xlsx, sheet 'Vendor Questionnaire', cell"),
        "{edited_entry}"
    );
    let check = sandbox.run(&["check", "--json"]);
    check.expect_code(1);
    let kinds = crate::util::field(&check.json(), "kind");
    let count = |kind: &str| kinds.iter().filter(|k| *k == kind).count();
    assert_eq!(count("proposed"), 2, "{kinds:?}");
    assert_eq!(count("pending-wording"), 1, "{kinds:?}");
    assert_eq!(count("rejected-wording"), 1, "{kinds:?}");
    assert_eq!(count("needs-sme"), 1, "{kinds:?}");

    // A different questionnaire asking the accepted question in the same words finds its entry, but not at high
    // confidence until a person approves the wording; the proposed (edited) entry is never drafted at high
    // confidence either.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Security").unwrap();
    for (col, h) in ["Question", "Answer", "Notes"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    sheet
        .write_string(1, 0, accepted.question.to_uppercase())
        .unwrap();
    sheet.write_string(2, 0, &edited.question).unwrap();
    let list = rust_xlsxwriter::DataValidation::new()
        .allow_list_strings(&["Yes", "No", "N/A"])
        .unwrap();
    sheet.add_data_validation(1, 1, 2, 1, &list).unwrap();
    workbook.save(sandbox.path("rephrased.xlsx")).unwrap();
    sandbox.run(&["draft", "rephrased.xlsx"]).expect_code(0);
    let (_, again) = read_review(&sandbox.path("rephrased.review.xlsx")).unwrap();
    assert_eq!(
        again[0].confidence,
        answerbank::matching::Confidence::Medium,
        "a pending wording is never high: {:?}",
        again[0]
    );
    assert_eq!(again[0].matched_id, accepted.matched_id);
    assert!(!again[0].written);
    assert_ne!(
        again[1].confidence,
        answerbank::matching::Confidence::High,
        "a proposed entry waits for review"
    );
    // Accepted again with --approve, the wording becomes an alternate: now it is drafted at high.
    decide(&sandbox.path("rephrased.review.xlsx"), &[(1, "Accept", "")]);
    let out = sandbox.run(&["finish", "rephrased.review.xlsx", "--approve", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["alternates_added"], 1, "{}", out.stdout);
    sandbox
        .run(&["draft", "rephrased.xlsx", "--force", "--discard-review"])
        .expect_code(0);
    let (_, approved) = read_review(&sandbox.path("rephrased.review.xlsx")).unwrap();
    assert_eq!(
        approved[0].confidence,
        answerbank::matching::Confidence::High
    );
    assert_eq!(approved[0].matched_id, accepted.matched_id);
    assert!(approved[0].written);

    // finish again changes nothing.
    let answered_before = std::fs::read(&answered).unwrap();
    let library_before = snapshot(&sandbox.path("answer_library"));
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json", "--force"]);
    out.expect_code(0);
    assert_eq!(out.json()["alternates_added"], 0);
    assert_eq!(out.json()["entries"].as_array().unwrap().len(), 0);
    assert_eq!(snapshot(&sandbox.path("answer_library")), library_before);
    assert_eq!(crate::util::zip_parts(&answered), {
        let path = sandbox.path("again.xlsx");
        std::fs::write(&path, answered_before).unwrap();
        crate::util::zip_parts(&path)
    });
}

#[test]
fn finish_refuses_what_it_cannot_trust() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    sandbox.run(&["draft", "vendor.xlsx"]).expect_code(0);

    // Not a review workbook.
    sandbox
        .run(&["finish", "vendor.xlsx"])
        .expect_clean_error("not a review workbook written by `answerbank draft`");
    sandbox.write("notes.txt", "hello");
    sandbox
        .run(&["finish", "notes.txt"])
        .expect_clean_error("notes.txt");

    // The source changed since draft.
    let original = std::fs::read(sandbox.path("vendor.xlsx")).unwrap();
    std::fs::write(
        sandbox.path("vendor.xlsx"),
        [original.as_slice(), b" "].concat(),
    )
    .unwrap();
    sandbox
        .run(&["finish", "vendor.review.xlsx"])
        .expect_clean_error("has changed since it was drafted");

    // The source moved: a clear message, and --source finds it.
    std::fs::remove_file(sandbox.path("vendor.xlsx")).unwrap();
    sandbox
        .run(&["finish", "vendor.review.xlsx"])
        .expect_clean_error("--source");
    std::fs::write(sandbox.path("moved.xlsx"), &original).unwrap();

    // A library that cannot be written: nothing at all is written.
    std::fs::remove_dir_all(sandbox.path("answer_library/.answerbank")).unwrap();
    std::fs::write(sandbox.path("answer_library/.answerbank"), "not a folder").unwrap();
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--source", "moved.xlsx"]);
    out.expect_clean_error("answer_library");
    assert!(
        !sandbox.path("vendor.answered.xlsx").exists(),
        "no partial writes"
    );
    std::fs::remove_file(sandbox.path("answer_library/.answerbank")).unwrap();

    // The library it was drafted with is gone: the message says how to go on.
    std::fs::rename(sandbox.path("answer_library"), sandbox.path("elsewhere")).unwrap();
    sandbox
        .run(&["finish", "vendor.review.xlsx", "--source", "moved.xlsx"])
        .expect_clean_error("--no-learn");
    std::fs::rename(sandbox.path("elsewhere"), sandbox.path("answer_library")).unwrap();

    let out = sandbox.run(&[
        "finish",
        "vendor.review.xlsx",
        "--source",
        "moved.xlsx",
        "--no-learn",
    ]);
    out.expect_code(0);
    assert!(sandbox.path("moved.answered.xlsx").exists());
}

/// Drafts `csv` (with `extra` options) against a library (`lib/`) of one entry: single sign-on, Yes.
pub(crate) fn draft_with_an_sso_entry(sandbox: &Sandbox, csv: &str, extra: &[&str]) {
    sandbox.write(
        "lib/sso.md",
        &crate::util::entry(
            "Do you support single sign-on?",
            "short_answer = \"Yes\"\n",
            "Yes, with SAML.",
        ),
    );
    let mut args = vec!["draft", csv, "--library", "lib"];
    args.extend_from_slice(extra);
    sandbox.run(&args).expect_code(0);
}

#[test]
fn finish_never_writes_next_to_a_different_answer_and_says_what_it_left_out() {
    let sandbox = Sandbox::new();
    // The customer answered the first question No; the library says Yes.
    sandbox.write(
        "q.csv",
        "Question,Answer,Comments\n\
         Do you support single sign-on?,No,\n\
         Do you run annual penetration tests?,,\n",
    );
    draft_with_an_sso_entry(&sandbox, "q.csv", &[]);
    decide(
        &sandbox.path("q.csv.review.xlsx"),
        &[(1, "Accept", ""), (2, "Edit", "")],
    );
    // Decided rows that cannot be written are listed, and the exit code says so.
    let out = sandbox.run(&["finish", "q.csv.review.xlsx", "--no-learn", "--json"]);
    out.expect_code(1);
    assert_eq!(out.json()["written"], 0, "{}", out.stdout);
    assert_eq!(
        crate::util::field(&out.json()["not_applied"], "reason"),
        [
            "not written: the file already answers it differently (draft with --overwrite to replace answers)",
            "not written: Edit without a Final answer"
        ]
    );
    assert!(
        out.stderr.contains("already answers it differently")
            && out.stderr.contains("Edit without a Final answer"),
        "{}",
        out.stderr
    );
    let values = read_values(&sandbox.path("q.csv.answered.xlsx"), "q");
    assert_eq!(values.get("B2").map(String::as_str), Some("No"));
    assert_eq!(values.get("C2"), None, "no Yes comment next to the No");
}

/// A CSV's one sheet is named after the file: finishing from a moved and renamed copy still writes the answers.
#[test]
fn finish_writes_into_a_renamed_csv() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "vendor.csv",
        "Question,Answer,Comments\nDo you support single sign-on?,,\n",
    );
    draft_with_an_sso_entry(&sandbox, "vendor.csv", &[]);
    decide(
        &sandbox.path("vendor.csv.review.xlsx"),
        &[(1, "Edit", "No. Never.")],
    );
    std::fs::create_dir(sandbox.path("moved")).unwrap();
    std::fs::rename(
        sandbox.path("vendor.csv"),
        sandbox.path("moved/renamed.csv"),
    )
    .unwrap();
    let out = sandbox.run(&[
        "finish",
        "vendor.csv.review.xlsx",
        "--source",
        "moved/renamed.csv",
        "--no-learn",
        "--json",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()["written"], 2, "{}", out.stdout);
    let values = read_values(&sandbox.path("renamed.csv.answered.xlsx"), "renamed");
    assert_eq!(values.get("B2").map(String::as_str), Some("No"));
}

#[test]
fn finish_counts_what_is_open_and_lists_it_in_the_workbook_not_on_screen() {
    // See #25: 300 open questions were 300 lines on stderr; now counts and the open-questions workbook, the full
    // list in --json; and the new entries come with the `approve` command that approves them.
    let sandbox = Sandbox::new();
    sandbox.write(
        "answer_library/backups.md",
        &crate::util::entry(
            "Do you back up customer data daily?",
            "short_answer = \"Yes\"\n",
            "Yes. Nightly, encrypted.",
        ),
    );
    let mut csv = String::from("ID,Question,Answer\n");
    let topics = [
        "a bug bounty",
        "a security champion",
        "a data museum",
        "an office garden",
        "a red team",
        "a chaos monkey",
        "a quantum roadmap",
        "a pager rota",
        "a coffee budget",
        "an internal wiki",
    ];
    for (i, topic) in topics.iter().cycle().take(40).enumerate() {
        csv.push_str(&format!("Q{i},Do you run {topic} programme number {i}?,\n"));
    }
    sandbox.write("q.csv", &csv);
    sandbox
        .run(&["draft", "q.csv", "--no-model"])
        .expect_code(0);
    let review = sandbox.path("q.csv.review.xlsx");
    decide(&review, &[(1, "Edit", "Yes. We run one, since 2025.")]);

    let out = sandbox.run(&["finish", "q.csv.review.xlsx"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains(
            "open 39 questions, listed with their reasons in → q.csv.open-questions.xlsx"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "  0 rejected, 0 Needs SME, 39 with no decision and no answer, 0 not written"
        ),
        "{}",
        out.stderr
    );
    // No question on screen, and a short summary whatever the number of open questions.
    for open in 1..40 {
        let question = format!("programme number {open}?");
        assert!(!out.stderr.contains(&question), "{}", out.stderr);
    }
    assert!(out.stderr.lines().count() < 12, "{}", out.stderr);
    // The workbook and --json have every one.
    let open = read_values(&sandbox.path("q.csv.open-questions.xlsx"), "Open questions");
    assert!(
        open.values()
            .filter(|v| v.contains("programme number"))
            .count()
            >= 39,
        "{open:?}"
    );
    // The edit became a proposed entry; the command printed approves it as printed.
    let approve_line = out
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("answerbank approve"))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    assert_eq!(
        approve_line.trim(),
        "answerbank approve --library answer_library --source q.csv"
    );
    assert!(!out.stderr.contains("set status"), "{}", out.stderr);
    let approved = sandbox.run(&[
        "approve",
        "--library",
        "answer_library",
        "--source",
        "q.csv",
    ]);
    approved.expect_code(0);
    assert_eq!(
        approved
            .stdout
            .lines()
            .filter(|l| l.starts_with("approved "))
            .count(),
        1,
        "{}",
        approved.stdout
    );

    let out = sandbox.run(&[
        "finish",
        "q.csv.review.xlsx",
        "--force",
        "--json",
        "--no-learn",
    ]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["open"]["total"], 39, "{report}");
    assert_eq!(
        report["open_questions"].as_array().unwrap().len(),
        39,
        "{report}"
    );
}
