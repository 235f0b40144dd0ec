//! The review step (#16, #14), played the way a reviewer works: decisions set and drafted cells corrected in
//! place (by the project's own writer, and in LibreOffice, with rows sorted and filtered), candidates picked, what
//! `finish` writes, what it reports as still open, what it teaches the library, and what it refuses from a review
//! that was tampered with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use answerbank::cell::CellRef;
use answerbank::matching::Confidence;
use answerbank::ooxml::package::Package;
use answerbank::workbook::patch::{CellEdit, patch_workbook};
use answerbank::workbook::review::read_review;

use crate::util::snapshot;
use crate::util::{
    Sandbox, assert_only_answer_cells_changed, field, fields, read_values, soffice, zip_parts,
};

const SHEET: &str = "Vendor Questionnaire";

/// One change a reviewer makes in the Review sheet: the question's `#`, the column's header, the new text.
pub(crate) type Change<'a> = (usize, &'a str, &'a str);

/// The sheet row (0-based) of each `#` and the column of each header in a review's Review sheet, as it is now
/// (rows may have been sorted).
fn review_layout(review: &Path) -> (BTreeMap<usize, u32>, BTreeMap<String, u32>) {
    let values = read_values(review, "Review");
    let mut rows = BTreeMap::new();
    let mut columns = BTreeMap::new();
    for (cell, value) in &values {
        let at: CellRef = cell.parse().unwrap();
        if at.row == 0 {
            columns.insert(value.clone(), at.col);
        } else if at.col == 0
            && let Ok(number) = value.parse::<usize>()
        {
            rows.insert(number, at.row);
        }
    }
    (rows, columns)
}

/// Makes `changes` in the Review sheet with the project's own in-place writer (a program other than LibreOffice,
/// as openpyxl or Excel would be), finding rows by `#` and columns by header.
pub(crate) fn review_by_program(review: &Path, changes: &[Change]) {
    let (rows, columns) = review_layout(review);
    let edits: Vec<CellEdit> = changes
        .iter()
        .map(|(number, header, text)| CellEdit {
            cell: CellRef::new(rows[number], columns[*header]),
            text: text.to_string(),
        })
        .collect();
    patch_sheet(review, "Review", edits);
}

pub(crate) fn patch_sheet(workbook: &Path, sheet: &str, edits: Vec<CellEdit>) {
    let package = Package::open(std::fs::read(workbook).unwrap(), Default::default()).unwrap();
    let (bytes, _) =
        patch_workbook(&package, &BTreeMap::from([(sheet.to_string(), edits)])).unwrap();
    std::fs::write(workbook, bytes).unwrap();
}

/// A Basic string literal.
fn basic(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Makes `changes` in the Review sheet in LibreOffice itself (a Basic macro, headless): finds rows by `#` and
/// columns by header as a person would, then, when `sort_and_filter`, sorts the rows by question (Z to A) and
/// filters them to the medium-confidence ones (hiding rows that carry decisions too), and saves the workbook as
/// LibreOffice writes an .xlsx.
pub(crate) fn review_in_libreoffice(
    soffice: &Path,
    review: &Path,
    changes: &[Change],
    sort_and_filter: bool,
) {
    let profile = tempfile::tempdir().unwrap();
    let profile_url = format!("file://{}", profile.path().display());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(soffice)
            .arg(format!("-env:UserInstallation={profile_url}"))
            .args(args)
            .output()
            .expect("running soffice");
        assert!(
            out.status.success(),
            "LibreOffice failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["--headless", "--terminate_after_init"]);
    let saved = review.with_extension("saved-by-libreoffice.xlsx");
    let mut code = String::from(
        "Function ColOf(sheet, header As String) As Long\n\
         Dim c As Long\n\
         For c = 0 To 60\n\
         If sheet.getCellByPosition(c, 0).getString() = header Then\n\
         ColOf = c\n\
         Exit Function\n\
         End If\n\
         Next c\n\
         ColOf = -1\n\
         End Function\n\
         Function RowOf(sheet, n As String) As Long\n\
         Dim r As Long\n\
         For r = 1 To 5000\n\
         If sheet.getCellByPosition(0, r).getString() = n Then\n\
         RowOf = r\n\
         Exit Function\n\
         End If\n\
         Next r\n\
         RowOf = -1\n\
         End Function\n\
         Sub Review\n\
         Dim args(0) As New com.sun.star.beans.PropertyValue\n\
         args(0).Name = \"Hidden\"\n\
         args(0).Value = True\n",
    );
    code.push_str(&format!(
        "doc = StarDesktop.loadComponentFromURL({}, \"_blank\", 0, args())\n\
         sheet = doc.Sheets.getByName(\"Review\")\n",
        basic(&format!("file://{}", review.display()))
    ));
    for (number, header, text) in changes {
        code.push_str(&format!(
            "sheet.getCellByPosition(ColOf(sheet, {}), RowOf(sheet, {})).setString({})\n",
            basic(header),
            basic(&number.to_string()),
            basic(text)
        ));
    }
    if sort_and_filter {
        code.push_str(
            "cursor = sheet.createCursor()\n\
             cursor.gotoEndOfUsedArea(False)\n\
             range = sheet.getCellRangeByPosition(0, 0, cursor.RangeAddress.EndColumn, cursor.RangeAddress.EndRow)\n\
             Dim fields(0) As New com.sun.star.table.TableSortField\n\
             fields(0).Field = ColOf(sheet, \"Question\")\n\
             fields(0).IsAscending = False\n\
             Dim sortBy(1) As New com.sun.star.beans.PropertyValue\n\
             sortBy(0).Name = \"SortFields\"\n\
             sortBy(0).Value = fields()\n\
             sortBy(1).Name = \"ContainsHeader\"\n\
             sortBy(1).Value = True\n\
             range.sort(sortBy())\n\
             filter = range.createFilterDescriptor(True)\n\
             Dim only(0) As New com.sun.star.sheet.TableFilterField\n\
             only(0).Field = ColOf(sheet, \"Confidence\")\n\
             only(0).Operator = com.sun.star.sheet.FilterOperator.EQUAL\n\
             only(0).IsNumeric = False\n\
             only(0).StringValue = \"medium\"\n\
             filter.setFilterFields(only())\n\
             filter.ContainsHeader = True\n\
             range.filter(filter)\n",
        );
    }
    code.push_str(&format!(
        "Dim save(0) As New com.sun.star.beans.PropertyValue\n\
         save(0).Name = \"FilterName\"\n\
         save(0).Value = \"Calc MS Excel 2007 XML\"\n\
         doc.storeToURL({}, save())\n\
         doc.close(True)\n\
         End Sub\n",
        basic(&format!("file://{}", saved.display()))
    ));
    let escaped = code
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let module = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE script:module PUBLIC \"-//OpenOffice.org//DTD OfficeDocument 1.0//EN\" \"module.dtd\">\n\
         <script:module xmlns:script=\"http://openoffice.org/2000/script\" script:name=\"Module1\" \
         script:language=\"StarBasic\">{escaped}</script:module>\n"
    );
    std::fs::write(
        profile.path().join("user/basic/Standard/Module1.xba"),
        module,
    )
    .unwrap();
    run(&["--headless", "macro:///Standard.Module1.Review"]);
    assert!(
        saved.exists(),
        "LibreOffice did not save {}",
        saved.display()
    );
    std::fs::rename(&saved, review).unwrap();
}

/// The example questionnaire drafted against a copy of the example library: the sandbox, and the review's path.
fn drafted_example() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    sandbox.run(&["draft", "vendor.xlsx"]).expect_code(0);
    let review = sandbox.path("vendor.review.xlsx");
    (sandbox, review)
}

/// The example's rows a reviewer works on below, as draft made them: checked first, so that a change in matching
/// shows up as such and not as a failure of the review step.
fn assert_example_drafts(review: &Path) {
    let (_, rows) = read_review(review).unwrap();
    let row = |n: usize| rows.iter().find(|r| r.number == n).unwrap();
    let drafted = |n: usize| (row(n).matched_id.clone().unwrap(), row(n).confidence);
    assert_eq!(drafted(1), ("soc-2-report".into(), Confidence::Medium));
    assert_eq!(
        drafted(7),
        ("iso-42001-certification".into(), Confidence::Low)
    );
    assert_eq!(
        drafted(21),
        ("business-continuity".into(), Confidence::Medium)
    );
    assert_eq!(row(21).candidate(2).unwrap().0, "disaster-recovery");
    assert_eq!(
        drafted(22),
        ("disaster-recovery".into(), Confidence::Medium)
    );
    // "Will you sign Northwind's DPA?": the entry offers our own DPA; medium, a wrong Yes a reviewer rejects.
    assert_eq!(
        drafted(30),
        ("data-processing-agreement".into(), Confidence::Medium)
    );
    // NW-7.3 and NW-7.4, worded as the library words them.
    assert_eq!(rows.iter().filter(|r| r.written).count(), 2);
}

const EDITED_RTO: &str =
    "Yes. Our targets are an RTO of 4 hours and an RPO of 15 minutes, tested every year.";
const DISASTER_RECOVERY: &str = "Yes. Our targets are a recovery time objective (RTO) of 8 hours and a recovery \
point objective (RPO) of 1 hour. The service runs across multiple availability zones in AWS us-east-1, so a single \
data-centre failure should cause little or no downtime; for the loss of a whole region, we rebuild the environment \
from our infrastructure code in us-west-2 using hourly encrypted database and document copies. EU customers' data \
runs in eu-central-1 (Frankfurt) and recovers to eu-west-1 (Ireland), so it stays in the EU. We run a full recovery \
test once a year, and the latest test met both targets; a summary of the results is available under NDA.";

/// What the reviewer of the example does: corrects the drafted answer of #22 in place and accepts it, picks
/// candidate #2 for #21, rejects the draft of #30 (a Yes to signing the customer's DPA), sends #7 to an expert, and
/// leaves #1 (and every other row) blank.
const EXAMPLE_REVIEW: [Change; 5] = [
    (22, "Drafted answer", EDITED_RTO),
    (22, "Decision", "Accept"),
    (21, "Decision", "Use #2"),
    (30, "Decision", "Reject"),
    (7, "Decision", "Needs SME"),
];

/// The two high-confidence drafts (rows 52 and 53) and the two reviewed rows (29 and 30): the only cells the
/// answered file changes.
fn example_answer_cells() -> BTreeSet<String> {
    [29, 30, 52, 53]
        .iter()
        .flat_map(|r| [format!("C{r}"), format!("D{r}")])
        .collect()
}

#[test]
fn a_reviewer_plays_the_example_questionnaire() {
    let (sandbox, review) = drafted_example();
    assert_example_drafts(&review);
    review_by_program(&review, &EXAMPLE_REVIEW);

    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    let report = out.json();

    // Exactly those answers: the edit, the picked candidate, the high drafts kept; nothing for the rejected,
    // the expert's and the blank rows.
    let answered = sandbox.path("vendor.answered.xlsx");
    let values = read_values(&answered, SHEET);
    let get = |cell: &str| values.get(cell).cloned().unwrap_or_default();
    assert_eq!((get("C30"), get("D30")), ("Yes".into(), EDITED_RTO.into()));
    assert_eq!(
        (get("C29"), get("D29")),
        ("Yes".into(), DISASTER_RECOVERY.into())
    );
    assert_eq!(get("C52"), "Yes");
    for empty in ["C6", "D6", "C7", "D7", "C12", "D12", "C39", "D39"] {
        assert_eq!(get(empty), "", "{empty}");
    }
    let allowed: Vec<(String, String)> = (6..=53)
        .flat_map(|r| ["C", "D"].map(|c| (SHEET.to_string(), format!("{c}{r}"))))
        .collect();
    let changed: BTreeSet<String> =
        assert_only_answer_cells_changed(&sandbox.path("vendor.xlsx"), &answered, &allowed)
            .into_iter()
            .map(|(_, cell)| cell)
            .collect();
    assert_eq!(changed, example_answer_cells());

    // The state of the questionnaire.
    assert_eq!(report["questions"], 42, "{report}");
    assert_eq!(
        report["answered"],
        serde_json::json!({"total": 5, "accepted": 0, "edited": 1, "picked": 1, "from_documents": 0, "drafted_undecided": 2,
            "already_answered": 1}),
        "{report}"
    );
    assert_eq!(
        report["open"],
        serde_json::json!({"total": 37, "rejected": 1, "needs_sme": 1, "unanswered": 35, "not_written": 0}),
        "{report}"
    );
    let open = report["open_questions"].as_array().unwrap();
    assert_eq!(open.len(), 37);
    let open_one = |n: u64| open.iter().find(|q| q["number"] == n).unwrap().clone();
    assert_eq!(
        open_one(1),
        serde_json::json!({"number": 1, "sheet": SHEET, "cells": ["C6", "D6"], "question_id": "NW-1.1",
            "question": "Do you have a current SOC 2 Type II report, and will you share it with Northwind under NDA?",
            "state": "unanswered", "reason": "no decision, and draft wrote nothing (medium confidence)",
            "entry": "soc-2-report"})
    );
    assert_eq!(open_one(30)["state"], "rejected");
    assert_eq!(open_one(30)["cells"], serde_json::json!(["C39", "D39"]));
    assert_eq!(open_one(7)["state"], "needs_sme");
    assert_eq!(
        open_one(7)["question"],
        "Are your products certified under FedRAMP High?"
    );
    assert!(
        open.iter()
            .all(|q| ![16, 21, 22, 41, 42].contains(&q["number"].as_u64().unwrap())),
        "answered rows are not open"
    );
    assert_eq!(report["not_applied"], serde_json::json!([]));
    assert!(
        out.stderr
            .contains("answered 5 of 42 questions → vendor.answered.xlsx (8 answer cells written)"),
        "{}",
        out.stderr
    );
    // What is open is counted on screen and listed in the open-questions workbook (see #25), not printed row by row.
    assert!(
        out.stderr.contains(
            "open 37 questions, listed with their reasons in → vendor.open-questions.xlsx"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("NW-1.7"), "{}", out.stderr);

    // The open questions, in a workbook of their own.
    let open_file = read_values(
        &sandbox.path("vendor.open-questions.xlsx"),
        "Open questions",
    );
    let numbers: BTreeSet<String> = open_file
        .iter()
        .filter(|(cell, _)| cell.starts_with('A') && *cell != "A1")
        .filter(|(_, value)| value.parse::<u32>().is_ok())
        .map(|(_, value)| value.clone())
        .collect();
    assert_eq!(numbers.len(), 37);
    assert!(numbers.contains("30") && numbers.contains("1") && !numbers.contains("21"));

    // What the library learned, row by row, in the report and in the files.
    assert_eq!(
        fields(&report["learned"], &["number", "entry", "recorded"]),
        [
            ["7", "iso-42001-certification", "needs-sme"],
            ["21", "disaster-recovery", "accepted"],
            ["21", "business-continuity", "rejected"],
            ["22", "rto-rpo-service", "new proposed entry"],
            ["30", "data-processing-agreement", "rejected"],
        ]
    );
    let library =
        |rel: &str| std::fs::read_to_string(sandbox.path("answer_library").join(rel)).unwrap();
    let record = |wording: &str, decision: &str, cell: &str| {
        format!(
            "learned = [\n  {{ wording = \"{wording}\", decision = \"{decision}\", date = 2026-11-27, source = \
             \"vendor.xlsx, sheet 'Vendor Questionnaire', cell {cell}\" }},\n]\n"
        )
    };
    let bcdr = "Do you maintain a business continuity and disaster recovery (BC/DR) plan that is tested at least annually?";
    assert!(
        library("security/disaster-recovery.md").contains(&record(bcdr, "accepted", "C29")),
        "{}",
        library("security/disaster-recovery.md")
    );
    assert!(library("security/business-continuity.md").contains(&record(bcdr, "rejected", "C29")));
    assert!(
        library("privacy/data-processing-agreement.md").contains(&record(
            "Will you sign Northwind's Data Processing Agreement (DPA)?",
            "rejected",
            "C39"
        )),
        "{}",
        library("privacy/data-processing-agreement.md")
    );
    assert!(
        library("ai-governance/iso-42001-certification.md").contains(&record(
            "Are your products certified under FedRAMP High?",
            "needs-sme",
            "C12"
        ))
    );
    let edited = library("learned/rto-rpo-service.md");
    for line in [
        "question = \"What are your recovery time objective (RTO) and recovery point objective (RPO) for the service?\"",
        "short_answer = \"Yes\"",
        "status = \"proposed\"",
        "derived_from = \"disaster-recovery\"",
        EDITED_RTO,
    ] {
        assert!(edited.contains(line), "{line}\n{edited}");
    }

    // check lists what was learned, for a person to look at.
    let check = sandbox.run(&["check", "--json"]);
    check.expect_code(1);
    let findings = fields(&check.json(), &["kind", "file"]);
    for (kind, file) in [
        ("pending-wording", "security/disaster-recovery.md"),
        ("rejected-wording", "security/business-continuity.md"),
        ("rejected-wording", "privacy/data-processing-agreement.md"),
        ("needs-sme", "ai-governance/iso-42001-certification.md"),
        ("proposed", "learned/rto-rpo-service.md"),
    ] {
        assert!(
            findings.contains(&vec![kind.to_string(), file.to_string()]),
            "{kind} {file}: {findings:?}"
        );
    }

    // finish of the same review again changes nothing.
    let library_before = snapshot(&sandbox.path("answer_library"));
    let answered_before = zip_parts(&answered);
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json", "--force"]);
    out.expect_code(0);
    assert_eq!(
        out.json()["learned"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    assert_eq!(snapshot(&sandbox.path("answer_library")), library_before);
    assert_eq!(zip_parts(&answered), answered_before);

    // Drafting the questionnaire again: the rejected entries are no longer the high or medium draft for their
    // questions, and the picked entry is found first, at medium (a pending wording is never high).
    sandbox
        .run(&["draft", "vendor.xlsx", "--force", "--discard-review"])
        .expect_code(0);
    let (_, again) = read_review(&review).unwrap();
    let row = |n: usize| again.iter().find(|r| r.number == n).unwrap();
    for (n, entry) in [
        (30, "data-processing-agreement"),
        (7, "iso-42001-certification"),
    ] {
        assert!(
            row(n).matched_id.as_deref() != Some(entry) || row(n).confidence <= Confidence::Low,
            "#{n}: {:?}",
            row(n)
        );
    }
    assert!(!row(30).written);
    assert_eq!(
        (row(21).matched_id.as_deref(), row(21).confidence),
        (Some("disaster-recovery"), Confidence::Medium)
    );
}

/// Every file of a library (cache left out), by path relative to it.
fn library_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(dir)
        .into_iter()
        .map(|(path, bytes)| (path.strip_prefix(dir).unwrap().to_path_buf(), bytes))
        .collect()
}

#[test]
fn a_review_saved_by_libreoffice_with_rows_sorted_and_filtered_reads_the_same() {
    let Some(soffice) = soffice() else {
        return;
    };
    // The example's review, plus an Accept on a high-confidence row the filter hides, a short answer typed in
    // place and a Final answer.
    let changes: Vec<Change> = EXAMPLE_REVIEW
        .iter()
        .copied()
        .chain([
            (42, "Decision", "Accept"),
            // A short answer typed in place beside a drafted answer that has none.
            (17, "Short answer", "Yes"),
            (
                10,
                "Final answer",
                "No. Production access needs a hardware key; corporate applications use SSO.",
            ),
        ])
        .collect();
    let mut results = Vec::new();
    for in_libreoffice in [false, true] {
        let (sandbox, review) = drafted_example();
        if in_libreoffice {
            review_in_libreoffice(&soffice, &review, &changes, true);
            // The rows really are sorted (#1 is no longer on row 2) and filtered (rows hidden).
            let (rows, _) = review_layout(&review);
            assert_ne!(rows[&1], 1);
            assert_eq!(rows.len(), 42);
            let sheet =
                String::from_utf8(zip_parts(&review)["xl/worksheets/sheet1.xml"].clone()).unwrap();
            assert!(sheet.contains("hidden=\"true\"") || sheet.contains("hidden=\"1\""));
        } else {
            review_by_program(&review, &changes);
        }
        let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
        out.expect_code(0);
        results.push((
            out.json(),
            read_values(&sandbox.path("vendor.answered.xlsx"), SHEET),
            library_files(&sandbox.path("answer_library")),
        ));
    }
    let report = &results[0].0;
    assert_eq!(report["answered"]["accepted"], 1, "{report}");
    assert_eq!(report["answered"]["edited"], 3, "{report}");
    assert_eq!(results[0].1.get("C24").map(String::as_str), Some("Yes"));
    assert_eq!(
        results[0].1.get("D16").map(String::as_str),
        Some("No. Production access needs a hardware key; corporate applications use SSO.")
    );
    assert!(
        report["learned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["number"] == 42
                && t["entry"] == "cyber-insurance"
                && t["recorded"] == "alternate"),
        "an accepted high draft teaches an alternate: {report}"
    );
    assert_eq!(results[0].0, results[1].0, "the same report");
    assert_eq!(results[0].1, results[1].1, "the same answers");
    assert_eq!(results[0].2, results[1].2, "the same library");
}

/// A library of four entries and a CSV asking their questions in their own words (all drafted at high), plus one
/// question nothing answers: drafted, with the review's path.
fn drafted_small() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    let entry = crate::util::entry;
    sandbox.write(
        "lib/sso.md",
        &entry(
            "Do you support single sign-on?",
            "short_answer = \"Yes\"\n",
            "Yes, with SAML.",
        ),
    );
    sandbox.write(
        "lib/encryption.md",
        &entry(
            "Is customer data encrypted at rest?",
            "short_answer = \"Yes\"\n",
            "Yes. AES-256 everywhere.",
        ),
    );
    sandbox.write(
        "lib/keys.md",
        &entry(
            "How do you manage encryption keys?",
            "",
            "In AWS KMS, rotated every year.",
        ),
    );
    sandbox.write(
        "lib/pentest.md",
        &entry(
            "Do you run annual penetration tests?",
            "short_answer = \"Yes\"\n",
            "Yes, by an outside firm.",
        ),
    );
    sandbox.write(
        "q.csv",
        "ID,Question,Answer,Comments\n\
         Q1,Do you support single sign-on?,,\n\
         Q2,Is customer data encrypted at rest?,,\n\
         Q3,How do you manage encryption keys?,,\n\
         Q4,Do you run annual penetration tests?,,\n\
         Q5,Is customer data encrypted at rest?,,\n\
         Q6,Do you sponsor a football team?,,\n\
         Q7,Do you support single sign-on?,,\n",
    );
    sandbox
        .run(&["draft", "q.csv", "--library", "lib"])
        .expect_code(0);
    let review = sandbox.path("q.csv.review.xlsx");
    let (_, rows) = read_review(&review).unwrap();
    let bands: Vec<Confidence> = rows.iter().map(|r| r.confidence).collect();
    assert_eq!(bands[..5], [Confidence::High; 5], "{rows:?}");
    assert_eq!(bands[5], Confidence::None);
    (sandbox, review)
}

#[test]
fn every_change_a_reviewer_makes_is_applied_or_reported() {
    let (sandbox, review) = drafted_small();
    review_by_program(
        &review,
        &[
            // The short answer flipped in place, the answer text left saying Yes: a contradiction, not written.
            (1, "Short answer", "No"),
            // The answer corrected in place, no decision: an edit.
            (2, "Drafted answer", "Yes. AES-256, with keys in AWS KMS."),
            // A short answer added in place to an answer that has none: written with it.
            (3, "Short answer", "yes"),
            // Reject, with a Final answer: the Final answer is reported, not written.
            (4, "Decision", "Reject"),
            (4, "Final answer", "No. We stopped in 2025."),
            // Accept with a Final answer: the Final answer is what the reviewer typed.
            (5, "Decision", "Accept"),
            (5, "Final answer", "No. Only backups are encrypted."),
            // Use #3 where the review shows no third candidate.
            (6, "Decision", "Use #3"),
            // A Final answer and a change in place: the Final answer is written, the change reported.
            (7, "Drafted answer", "Yes, with SAML and OIDC."),
            (7, "Final answer", "Yes. SAML 2.0 only."),
        ],
    );
    let out = sandbox.run(&["finish", "q.csv.review.xlsx", "--library", "lib", "--json"]);
    out.expect_code(1);
    let report = out.json();
    assert_eq!(
        field(&report["not_applied"], "reason"),
        [
            "not written: the short answer says \"No\" but the answer text begins \"Yes\": make them agree, or \
             write the whole answer in Final answer",
            "the decision is Reject, so the Final answer was not written (choose Edit to write it)",
            "not written: Use #3, but the review shows no candidate #3 for this question",
            "the drafted answer was also changed in place; the Final answer was written, not that change",
        ],
        "{report}"
    );
    assert_eq!(
        field(&report["not_applied"], "place")[0],
        "#1 (Q1, sheet 'q', cell C2)"
    );
    let values = read_values(&sandbox.path("q.csv.answered.xlsx"), "q");
    let get = |cell: &str| values.get(cell).cloned().unwrap_or_default();
    let answers: Vec<(String, String)> = (2..=8)
        .map(|r| (get(&format!("C{r}")), get(&format!("D{r}"))))
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        answers,
        [
            pair("", ""),
            pair("Yes", "Yes. AES-256, with keys in AWS KMS."),
            pair("Yes", "In AWS KMS, rotated every year."),
            pair("", ""),
            pair("No", "No. Only backups are encrypted."),
            pair("", ""),
            pair("Yes", "Yes. SAML 2.0 only."),
        ]
    );
    assert_eq!(
        report["answered"],
        serde_json::json!({"total": 4, "accepted": 0, "edited": 4, "picked": 0, "from_documents": 0, "drafted_undecided": 0,
            "already_answered": 0}),
        "{report}"
    );
    assert_eq!(
        report["open"],
        serde_json::json!({"total": 3, "rejected": 1, "needs_sme": 0, "unanswered": 0, "not_written": 2}),
        "{report}"
    );
    assert!(
        out.stderr
            .contains("answerbank: 4 of the reviewer's changes were not applied"),
        "{}",
        out.stderr
    );
    // The edit in place teaches like an Edit: a proposed entry derived from the drafted one.
    let learned =
        std::fs::read_to_string(sandbox.path("lib/learned/customer-data-encrypted-at-rest.md"))
            .unwrap();
    assert!(
        learned.contains("derived_from = \"encryption\"")
            && learned.contains("Yes. AES-256, with keys in AWS KMS."),
        "{learned}"
    );
}

#[test]
fn a_review_a_person_cannot_have_meant_is_refused() {
    let (sandbox, review) = drafted_small();
    let (rows, columns) = review_layout(&review);
    let refused = |edits: Vec<CellEdit>, needle: &str| {
        let copy = sandbox.path("copy.review.xlsx");
        std::fs::copy(&review, &copy).unwrap();
        patch_sheet(&copy, "Review", edits);
        sandbox
            .run(&["finish", "copy.review.xlsx", "--no-learn"])
            .expect_clean_error(needle);
        assert!(!sandbox.path("q.csv.answered.xlsx").exists());
    };
    let at = |row: u32, header: &str, text: &str| CellEdit {
        cell: CellRef::new(row, columns[header]),
        text: text.to_string(),
    };
    // A decision typed on a row that is no drafted question.
    refused(
        vec![at(20, "Decision", "Accept")],
        "row 21 of the Review sheet has a decision or Final answer, but its # (\"\") is not one of the drafted questions",
    );
    // A copy of row #1 that says something else.
    refused(
        vec![
            at(20, "#", "1"),
            at(20, "Decision", "Reject"),
            at(rows[&1], "Decision", "Accept"),
        ],
        "rows 2 and 21 of the Review sheet are both question #1 and say different things",
    );
    // A decision the dropdown does not offer.
    refused(
        vec![at(rows[&2], "Decision", "Maybe")],
        "has the decision \"Maybe\"; use Accept, Use #2, Use #3, Use doc #1, Use doc #2, Use doc #3, Edit, Reject, \
         Needs SME",
    );
    // A review of another format version.
    let copy = sandbox.path("copy.review.xlsx");
    std::fs::copy(&review, &copy).unwrap();
    patch_sheet(
        &copy,
        "answerbank",
        vec![CellEdit {
            cell: CellRef::new(0, 1),
            text: "2".into(),
        }],
    );
    sandbox
        .run(&["finish", "copy.review.xlsx", "--no-learn"])
        .expect_clean_error("(review format 2; this one reads format 4)");
}

/// The data sheet's JSON record of question #1 (B14), changed by `tamper`.
fn tamper_with_row_1(review: &Path, tamper: impl Fn(&str) -> String) {
    let data = read_values(review, "answerbank");
    let json = &data["B14"];
    assert!(json.starts_with("{\"number\":1,"), "{json}");
    patch_sheet(
        review,
        "answerbank",
        vec![CellEdit {
            cell: CellRef::new(13, 1),
            text: tamper(json),
        }],
    );
}

#[test]
fn a_tampered_review_is_refused() {
    let (sandbox, review) = drafted_example();
    review_by_program(&review, &[(1, "Decision", "Accept")]);
    let original = std::fs::read(&review).unwrap();
    let tampered = |tamper: &dyn Fn(&Path)| {
        std::fs::write(&review, &original).unwrap();
        tamper(&review);
    };

    // An answer cell outside the question's answer columns (E is the customer's Reviewer Notes column).
    tampered(&|review| tamper_with_row_1(review, |json| json.replace("\"D6\"", "\"E6\"")));
    sandbox
        .run(&["finish", "vendor.review.xlsx"])
        .expect_clean_error(
            "question #1 records cell E6 of sheet 'Vendor Questionnaire' as an answer cell, but in",
        );
    assert!(!sandbox.path("vendor.answered.xlsx").exists());
    // A question moved onto the title row.
    tampered(&|review| tamper_with_row_1(review, |json| json.replace("\"row\":5,", "\"row\":0,")));
    sandbox
        .run(&["finish", "vendor.review.xlsx"])
        .expect_clean_error("question #1 is recorded on sheet 'Vendor Questionnaire' row 1, where the reader finds no question");
    // Another sheet.
    tampered(&|review| {
        tamper_with_row_1(review, |json| {
            json.replace(
                "\"sheet\":\"Vendor Questionnaire\"",
                "\"sheet\":\"Instructions\"",
            )
        })
    });
    sandbox
        .run(&["finish", "vendor.review.xlsx"])
        .expect_clean_error("question #1 is recorded on sheet 'Instructions' row 6");
    assert!(!sandbox.path("vendor.answered.xlsx").exists());

    // Named with --library, the library is the user's choice, whatever the review records.
    tampered(&|review| {
        patch_sheet(
            review,
            "answerbank",
            vec![CellEdit {
                cell: CellRef::new(3, 1),
                text: "/nowhere/library".to_string(),
            }],
        )
    });
    let library_before = snapshot(&sandbox.path("answer_library"));
    let out = sandbox.run(&[
        "finish",
        "vendor.review.xlsx",
        "--library",
        "answer_library",
        "--json",
    ]);
    out.expect_code(0);
    assert_eq!(
        out.json()["learned"][0]["entry"],
        "soc-2-report",
        "{}",
        out.stdout
    );
    assert_ne!(snapshot(&sandbox.path("answer_library")), library_before);
}

/// See #29: the library a review records never chooses where `finish` learns (a review naming another answer
/// library made `finish` write into it), and a decision is recorded only on the entry the review showed (an
/// edited `matched_id` moved a Reject onto an entry the reviewer never saw).
#[test]
fn a_review_chooses_neither_the_library_nor_the_entry_a_decision_lands_on() {
    let (sandbox, review) = drafted_example();
    review_by_program(&review, &[(1, "Decision", "Reject")]);
    let original = std::fs::read(&review).unwrap();
    let other = sandbox.copy_dir(&sandbox.path("answer_library"), "other_library");
    let other_before = snapshot(&other);
    let library_before = snapshot(&sandbox.path("answer_library"));

    // The review names another answer library: refused, nothing written anywhere.
    patch_sheet(
        &review,
        "answerbank",
        vec![CellEdit {
            cell: CellRef::new(3, 1),
            text: other.display().to_string(),
        }],
    );
    assert_eq!(read_values(&review, "answerbank")["A4"], "library");
    let out = sandbox.run(&["finish", "vendor.review.xlsx"]);
    out.expect_clean_error(&format!(
        "was drafted with the library {}, but the library here is answer_library",
        other.display()
    ));
    assert!(out.stderr.contains("--library"), "{}", out.stderr);
    assert!(!sandbox.path("vendor.answered.xlsx").exists());
    assert_eq!(snapshot(&other), other_before);
    // ANSWERBANK_LIBRARY is the library here as it is for draft: naming the other one there is no way round.
    sandbox
        .run_with(
            &["finish", "vendor.review.xlsx"],
            &[("ANSWERBANK_LIBRARY", "answer_library")],
        )
        .expect_clean_error("was drafted with the library");
    assert_eq!(snapshot(&other), other_before);
    assert_eq!(snapshot(&sandbox.path("answer_library")), library_before);

    // The drafted entry swapped in the hidden record: the reviewer saw soc-2-report's answer, not iso-27001's.
    std::fs::write(&review, &original).unwrap();
    tamper_with_row_1(&review, |json| {
        json.replace(
            "\"matched_id\":\"soc-2-report\"",
            "\"matched_id\":\"iso-27001\"",
        )
    });
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    assert_eq!(
        out.json()["learned"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "row #1: nothing recorded on `iso-27001`: the review shows `iso-27001` with an answer"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&sandbox.path("answer_library")), library_before);

    // The entry's answer changed since draft: the Reject was about the old answer, and is not recorded.
    std::fs::write(&review, &original).unwrap();
    let entry = sandbox.path("answer_library/security/soc-2-report.md");
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(
        &entry,
        text.replace(
            "Yes. We have a SOC 2 Type II report",
            "Yes. We have a SOC 2 Type I report",
        ),
    )
    .unwrap();
    let changed = snapshot(&sandbox.path("answer_library"));
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--force", "--json"]);
    out.expect_code(0);
    assert_eq!(
        out.json()["learned"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("nothing recorded on `soc-2-report`"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&sandbox.path("answer_library")), changed);

    // Unchanged, the Reject is recorded on the entry the reviewer saw.
    std::fs::write(&entry, &text).unwrap();
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--force", "--json"]);
    out.expect_code(0);
    assert_eq!(
        crate::util::fields(&out.json()["learned"], &["entry", "recorded"]),
        [["soc-2-report", "rejected"]],
        "{}",
        out.stdout
    );
}

#[test]
fn a_review_with_no_decisions_gets_a_warning() {
    let (sandbox, _) = drafted_example();
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains(
            "has no decisions, no Final answers and no corrected drafts: only what draft wrote went into the \
             answered file"
        ),
        "{}",
        out.stderr
    );
    // What draft wrote (the high drafts) is answered; every other question is open, and says why.
    let report = out.json();
    assert_eq!(report["answered"]["drafted_undecided"], 2, "{report}");
    assert_eq!(report["open"]["unanswered"], 39, "{report}");
}

#[test]
fn a_macro_enabled_questionnaire_keeps_every_untouched_part_byte_for_byte() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let source = sandbox.fixture("macros.xlsm");
    sandbox.run(&["draft", "macros.xlsm"]).expect_code(0);
    let drafted = sandbox.path("macros.xlsm.drafted.xlsm");
    let allowed: Vec<(String, String)> = (2..=5)
        .flat_map(|r| ["C", "D"].map(|c| ("Supplier".to_string(), format!("{c}{r}"))))
        .collect();
    let cells = |changed: Vec<(String, String)>| -> Vec<String> {
        let mut cells: Vec<String> = changed.into_iter().map(|(_, c)| c).collect();
        cells.sort();
        cells
    };
    assert_eq!(
        cells(assert_only_answer_cells_changed(
            &source, &drafted, &allowed
        )),
        ["C2", "C3", "C4", "D2", "D3", "D4"]
    );
    let review = sandbox.path("macros.xlsm.review.xlsx");
    review_by_program(
        &review,
        &[
            (2, "Decision", "Reject"),
            (4, "Final answer", "No. We sponsor a local running club."),
        ],
    );
    sandbox
        .run(&["finish", "macros.xlsm.review.xlsx"])
        .expect_code(0);
    let answered = sandbox.path("macros.xlsm.answered.xlsm");
    assert_eq!(
        cells(assert_only_answer_cells_changed(
            &source, &answered, &allowed
        )),
        ["C2", "C4", "C5", "D2", "D4", "D5"]
    );
    let vba = &zip_parts(&source)["xl/vbaProject.bin"];
    assert_eq!(&zip_parts(&drafted)["xl/vbaProject.bin"], vba);
    assert_eq!(&zip_parts(&answered)["xl/vbaProject.bin"], vba);
    let values = read_values(&answered, "Supplier");
    assert_eq!(values["C5"], "No");
    assert_eq!(values["D5"], "No. We sponsor a local running club.");
}

/// The `learned` lines a library file holds.
fn learned_lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with("{ wording"))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn what_each_decision_teaches() {
    // An edit that flips the drafted Yes to No says the drafted entry is wrong for that wording; one that keeps
    // the Yes only rewords it. Both become proposed entries.
    let (sandbox, review) = drafted_small();
    review_by_program(
        &review,
        &[
            (4, "Final answer", "No. We stopped in 2025."),
            (
                2,
                "Final answer",
                "Yes. AES-256, and the keys never leave KMS.",
            ),
        ],
    );
    let out = sandbox.run(&["finish", "q.csv.review.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(
        fields(&out.json()["learned"], &["entry", "recorded"]),
        [
            ["customer-data-encrypted-at-rest", "new proposed entry"],
            ["pentest", "rejected"],
            ["run-annual-penetration-tests", "new proposed entry"],
        ]
    );
    assert_eq!(
        learned_lines(&sandbox.path("lib/pentest.md")),
        [
            "{ wording = \"Do you run annual penetration tests?\", decision = \"rejected\", date = 2026-11-27, \
          source = \"q.csv, sheet 'q', cell C5\" },"
        ]
    );
    assert!(learned_lines(&sandbox.path("lib/encryption.md")).is_empty());

    // With --approve, an accepted medium draft and a picked candidate become alternates at once; the entry
    // passed over for the candidate is still recorded as rejected.
    let (sandbox, review) = drafted_example();
    review_by_program(
        &review,
        &[(1, "Decision", "Accept"), (21, "Decision", "Use #2")],
    );
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--approve", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["alternates_added"], 2, "{}", out.stdout);
    let library = sandbox.path("answer_library");
    let text = |rel: &str| std::fs::read_to_string(library.join(rel)).unwrap();
    assert!(
        text("security/disaster-recovery.md").contains(
            "  \"Do you maintain a business continuity and disaster recovery (BC/DR) plan that is tested at least \
             annually?\",\n"
        ),
        "{}",
        text("security/disaster-recovery.md")
    );
    assert!(learned_lines(&library.join("security/disaster-recovery.md")).is_empty());
    assert_eq!(
        learned_lines(&library.join("security/business-continuity.md")).len(),
        1
    );
    // ... so the picked entry now drafts that question at high.
    sandbox
        .run(&["draft", "vendor.xlsx", "--force", "--discard-review"])
        .expect_code(0);
    let (_, again) = read_review(&review).unwrap();
    assert_eq!(
        (again[20].matched_id.as_deref(), again[20].confidence),
        (Some("disaster-recovery"), Confidence::High)
    );
}

/// The answer column draft was told to use (`--answer-col`) is the one finish writes: it reads the questionnaire
/// again with the options the review records, so the answer cells it finds are the ones draft used.
#[test]
fn finish_reads_the_questionnaire_as_draft_did() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "q.csv",
        "Question,Answer,Comments,Our answer\nDo you support single sign-on?,,,\n",
    );
    crate::finish::draft_with_an_sso_entry(&sandbox, "q.csv", &["--answer-col", "D"]);
    review_by_program(
        &sandbox.path("q.csv.review.xlsx"),
        &[(1, "Final answer", "No. Not yet.")],
    );
    sandbox
        .run(&["finish", "q.csv.review.xlsx", "--no-learn"])
        .expect_code(0);
    let values = read_values(&sandbox.path("q.csv.answered.xlsx"), "q");
    let row: Vec<Option<&str>> = ["B2", "C2", "D2"]
        .iter()
        .map(|c| values.get(*c).map(String::as_str))
        .collect();
    assert_eq!(row, [None, None, Some("No. Not yet.")]);
}
