//! The questionnaire reader (#3): what `columns --json` reports for each fixture and real questionnaire, the
//! overrides, and clean refusals of files that are not usable.

use serde_json::Value;

use crate::util::{Sandbox, field, repo, shared};

/// One sheet in short: header row, question, ID and answer columns (column, kind, allowed values), questions,
/// answered, skipped reason.
#[derive(Debug, PartialEq)]
struct Sheet {
    name: String,
    header_row: Option<u64>,
    question: Option<String>,
    id: Option<String>,
    answers: Vec<(String, String, Option<Vec<String>>)>,
    questions: u64,
    answered: u64,
    skipped: Option<String>,
}

fn sheets(report: &Value) -> Vec<Sheet> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Sheet {
            name: text(&s["name"]).unwrap(),
            header_row: s["header_row"].as_u64(),
            question: text(&s["question_column"]),
            id: text(&s["id_column"]),
            answers: s["answer_columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let allowed = a["allowed_values"]
                        .as_array()
                        .map(|v| v.iter().map(|x| x.as_str().unwrap().to_string()).collect());
                    (
                        text(&a["column"]).unwrap(),
                        text(&a["kind"]).unwrap(),
                        allowed,
                    )
                })
                .collect(),
            questions: s["questions"].as_u64().unwrap(),
            answered: s["answered"].as_u64().unwrap(),
            skipped: text(&s["skipped_reason"]),
        })
        .collect()
}

fn columns(file: &std::path::Path, extra: &[&str]) -> Value {
    let sandbox = Sandbox::new();
    let mut args = vec!["columns", file.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = sandbox.run(&args);
    out.expect_code(0);
    out.json()
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo("fixtures").join(name)
}

fn values(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| s.to_string()).collect())
}

fn answer(
    col: &str,
    kind: &str,
    allowed: Option<Vec<String>>,
) -> (String, String, Option<Vec<String>>) {
    (col.to_string(), kind.to_string(), allowed)
}

fn layout(
    name: &str,
    header: u64,
    question: &str,
    id: Option<&str>,
    answers: Vec<(String, String, Option<Vec<String>>)>,
    questions: u64,
    answered: u64,
) -> Sheet {
    Sheet {
        name: name.to_string(),
        header_row: Some(header),
        question: Some(question.to_string()),
        id: id.map(str::to_string),
        answers,
        questions,
        answered,
        skipped: None,
    }
}

fn skipped(sheets: &[Sheet], name: &str) -> String {
    sheets
        .iter()
        .find(|s| s.name == name)
        .and_then(|s| s.skipped.clone())
        .unwrap_or_else(|| panic!("{name} not skipped"))
}

#[test]
fn example_questionnaire() {
    let report = columns(&fixture("example-questionnaire.xlsx"), &[]);
    let sheets = sheets(&report);
    assert!(skipped(&sheets, "Instructions").contains("no answer column"));
    let expected = layout(
        "Vendor Questionnaire",
        4,
        "B",
        Some("A"),
        vec![
            answer("C", "short", values(&["Yes", "No", "N/A"])),
            answer("D", "long", None),
        ],
        42,
        1,
    );
    assert_eq!(sheets[1], expected);
    assert_eq!(report["sheets"][1]["protected"], true);
}

#[test]
fn header_traps_two_row_header_sections_repeats_and_footers() {
    let report = columns(&fixture("header-traps.xlsx"), &["--rows"]);
    let sheets = sheets(&report);
    let expected = layout(
        "Security",
        4,
        "B",
        Some("A"),
        vec![
            answer("C", "short", values(&["Yes", "No", "Not Applicable"])),
            answer("D", "long", None),
        ],
        8,
        1,
    );
    assert_eq!(sheets, vec![expected]);
    assert_eq!(
        report["sheets"][0]["header_rows"],
        serde_json::json!([4, 5])
    );
    let rows = report["sheets"][0]["rows"].as_array().unwrap();
    let ids = field(&report["sheets"][0]["rows"], "id");
    assert_eq!(
        ids,
        [
            "AM-01", "AM-02", "AM-03", "AM-04", "LG-01", "LG-02", "LG-03", "LG-04"
        ]
    );
    assert_eq!(rows[0]["section"], "Access management");
    assert_eq!(rows[4]["section"], "Logging");
    assert_eq!(
        (rows[0]["row"].as_u64(), rows[4]["row"].as_u64()),
        (Some(7), Some(14))
    );
    assert_eq!(field(&rows[0]["answer_cells"], "cell"), ["C7", "D7"]);
}

#[test]
fn formula_traps_cached_questions_formula_answers_and_x14_lists() {
    let report = columns(&fixture("formula-traps.xlsx"), &["--rows"]);
    let sheets = sheets(&report);
    let expected = layout(
        "Assessment",
        3,
        "B",
        Some("A"),
        vec![
            answer("C", "short", values(&["Yes", "No", "N/A"])),
            answer("D", "long", None),
        ],
        6,
        0,
    );
    assert_eq!(sheets[0], expected);
    assert_eq!(
        report["sheets"][0]["formula_rows"], 3,
        "GEN-01..03 have only formula answer cells"
    );
    assert!(skipped(&sheets, "Questions").contains("hidden"));
    assert!(skipped(&sheets, "Lists").contains("hidden"));
    let rows = report["sheets"][0]["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .all(|r| r["question"].as_str().unwrap().len() > 10),
        "cached formula values are read"
    );
    let pol4 = rows.iter().find(|r| r["id"] == "POL-04").unwrap();
    let cells = field(&pol4["answer_cells"], "cell");
    assert_eq!(
        cells,
        ["D11"],
        "the formula cell C11 is never a place to write"
    );
}

#[test]
fn mark_columns_hidden_rows_and_hidden_sheets() {
    let report = columns(&fixture("mark-columns.xlsx"), &[]);
    let sheets = sheets(&report);
    let expected = layout(
        "Checklist",
        2,
        "B",
        Some("A"),
        vec![
            // The mark its answered rows use (`x` and `X` once each: `x`), which drafting writes (#17).
            answer("C", "mark-yes", Some(vec!["x".to_string()])),
            answer("D", "mark-no", Some(vec!["x".to_string()])),
            answer("E", "mark-na", Some(vec!["x".to_string()])),
            answer("F", "long", None),
        ],
        6,
        2,
    );
    assert_eq!(sheets[0], expected);
    assert!(skipped(&sheets, "Old version").contains("hidden"));
    assert!(skipped(&sheets, "Notes").contains("no answer column"));

    // Hidden rows and sheets come back on request.
    let report = columns(&fixture("mark-columns.xlsx"), &["--include-hidden"]);
    let sheets = self::sheets(&report);
    assert_eq!(sheets[0].questions, 8);
    assert_eq!(
        sheets
            .iter()
            .find(|s| s.name == "Old version")
            .unwrap()
            .questions,
        4
    );
}

#[test]
fn a_sheet_declaring_a_million_rows_reads_its_eighty() {
    let report = columns(&fixture("huge-dimension.xlsx"), &[]);
    let expected = layout(
        "Questions",
        1,
        "A",
        None,
        vec![
            answer("B", "short", values(&["Yes", "No"])),
            answer("C", "long", None),
        ],
        80,
        0,
    );
    assert_eq!(sheets(&report), vec![expected]);
}

#[test]
fn csv_and_single_answer_column() {
    let report = columns(&fixture("simple.csv"), &[]);
    assert_eq!(report["format"], "csv");
    let expected = layout(
        "simple",
        1,
        "B",
        Some("A"),
        vec![answer("C", "short", None), answer("D", "long", None)],
        10,
        1,
    );
    assert_eq!(sheets(&report), vec![expected]);

    let report = columns(&fixture("single-column.xlsx"), &[]);
    let expected = layout(
        "Vendor form",
        1,
        "A",
        None,
        vec![answer("B", "long", None)],
        8,
        0,
    );
    assert_eq!(sheets(&report), vec![expected]);

    let report = columns(&fixture("answered.xlsx"), &[]);
    let expected = layout(
        "Answers",
        1,
        "B",
        Some("A"),
        // No dropdown here: the column is short because its values are Yes/No/N/A.
        vec![answer("C", "short", None), answer("D", "long", None)],
        13,
        12,
    );
    assert_eq!(sheets(&report), vec![expected]);
}

#[test]
fn overrides_replace_detection() {
    let report = columns(
        &fixture("single-column.xlsx"),
        &[
            "--sheet",
            "Vendor form",
            "--header-row",
            "1",
            "--question-col",
            "A",
            "--answer-col",
            "B",
            "--comment-col",
            "C",
        ],
    );
    let sheet = &sheets(&report)[0];
    assert_eq!(
        sheet.answers,
        vec![answer("B", "short", None), answer("C", "long", None)]
    );
    assert_eq!(sheet.questions, 8);

    let sandbox = Sandbox::new();
    let file = fixture("single-column.xlsx");
    sandbox
        .run(&["columns", file.to_str().unwrap(), "--sheet", "Nope"])
        .expect_clean_error("no sheet named 'Nope'");
    let out = sandbox.run(&["columns", file.to_str().unwrap(), "--question-col", "1"]);
    out.expect_code(2);
    assert!(out.stderr.contains("not a column letter"), "{}", out.stderr);
}

#[test]
fn overrides_describe_one_sheet() {
    // Applied to every sheet, --answer-col would make "questions" of the instructions sheet and write into it.
    let sandbox = Sandbox::new();
    sandbox.fixture("example-questionnaire.xlsx");
    sandbox
        .run(&["columns", "example-questionnaire.xlsx", "--answer-col", "C"])
        .expect_clean_error("name the sheet they are for with --sheet");
    let report = columns(
        &fixture("example-questionnaire.xlsx"),
        &["--sheet", "Vendor Questionnaire", "--answer-col", "C"],
    );
    let sheet = &sheets(&report)[0];
    assert_eq!(
        sheet.answers,
        vec![answer("C", "short", values(&["Yes", "No", "N/A"]))],
        "only the column given, with its dropdown"
    );
    // One sheet (a CSV): nothing to name.
    columns(&fixture("simple.csv"), &["--answer-col", "C"]);
}

#[test]
fn the_input_is_never_modified() {
    let sandbox = Sandbox::new();
    let file = sandbox.fixture_as("example-questionnaire.xlsx", "copy.xlsx");
    let before = std::fs::read(&file).unwrap();
    sandbox
        .run(&["columns", "copy.xlsx", "--rows"])
        .expect_code(0);
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn unusable_files_get_one_clear_error_naming_the_file() {
    let sandbox = Sandbox::new();
    let good = std::fs::read(fixture("example-questionnaire.xlsx")).unwrap();
    sandbox.write("notes.xlsx", "this is not a spreadsheet\n");
    std::fs::write(sandbox.path("truncated.xlsx"), &good[..good.len() / 2]).unwrap();
    std::fs::write(sandbox.path("image.ods"), b"\x89PNG\r\n\x1a\n0000").unwrap();
    // An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 504]);
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    encrypted.extend(vec![0u8; 1024]);
    std::fs::write(sandbox.path("secret.xlsx"), &encrypted).unwrap();
    std::fs::write(sandbox.path("empty.xlsx"), b"").unwrap();
    sandbox.write("doc.txt.pdf", "%PDF-1.4");
    for (file, why) in [
        ("notes.xlsx", "not a spreadsheet"),
        ("truncated.xlsx", "zip"),
        ("image.ods", "not a spreadsheet"),
        ("secret.xlsx", "encrypted"),
        ("empty.xlsx", "empty"),
        ("doc.txt.pdf", "not a supported spreadsheet"),
        ("missing.xlsx", "cannot read"),
    ] {
        let out = sandbox.run(&["columns", file]);
        out.expect_clean_error(file);
        assert!(out.stderr.contains(why), "{file}: {}", out.stderr);
    }
}

// ---- the real questionnaires in ../shared (never copied into the repository) ----

#[test]
fn caiq_v4_blank_and_completed() {
    for (file, answered) in [
        (
            "questionnaires/CSA_CAIQv4.0.3_STAR-Security-Questionnaire_2024-06-03.xlsx",
            0,
        ),
        ("questionnaires/CAIQv4.0.3_WhitePact_completed.xlsx", 261),
    ] {
        let Some(path) = shared(file) else { continue };
        let report = columns(&path, &["--rows"]);
        let sheets = sheets(&report);
        assert!(
            sheets[0].skipped.is_some(),
            "Introduction gives no questions"
        );
        let expected = layout(
            "CAIQv4.0.3",
            2,
            "B",
            Some("A"),
            vec![
                answer("C", "short", values(&["Yes", "No", "NA"])),
                answer("E", "long", None),
            ],
            261,
            answered,
        );
        assert_eq!(sheets[1], expected, "{file}");
        let rows = report["sheets"][1]["rows"].as_array().unwrap();
        assert_eq!(
            rows.first().unwrap()["row"],
            3,
            "the title row gives no question"
        );
        assert_eq!(
            rows.last().unwrap()["row"],
            263,
            "the footer rows give none"
        );
    }
}

#[test]
fn hecvat_4_blank() {
    let Some(path) = shared("questionnaires/EDUCAUSE_HECVAT_4.1.4_blank.xlsx") else {
        return;
    };
    let report = columns(&path, &[]);
    let sheets = sheets(&report);
    let mut total = 0;
    for name in crate::util::HECVAT_4_PROVIDER_TABS {
        let sheet = sheets.iter().find(|s| s.name == name).unwrap();
        assert_eq!(sheet.question.as_deref(), Some("B"), "{name}");
        assert_eq!(
            sheet.answers[0],
            answer("C", "short", values(&["Yes", "No"])),
            "{name}"
        );
        total += sheet.questions;
    }
    assert_eq!(total, 331);
    for name in [
        "Institution Evaluation",
        "Privacy Analyst Evaluation",
        "Analyst Reference",
        "High-Risk Evaluation",
    ] {
        assert!(skipped(&sheets, name).contains("formula"), "{name}");
    }
    for name in ["Questions", "Auto Responses", "(backend scoring)"] {
        assert!(skipped(&sheets, name).contains("hidden"), "{name}");
    }
}

#[test]
fn hecvat_3_completed() {
    let Some(path) = shared("questionnaires/HECVAT3_OpenDSA_completed_2022-08-30.xlsx") else {
        return;
    };
    let report = columns(&path, &["--sheet", "HECVAT - Full"]);
    let sheet = &sheets(&report)[0];
    assert_eq!(
        (sheet.question.as_deref(), sheet.id.as_deref()),
        (Some("B"), Some("A"))
    );
    // 257 rows carry an ID; "DATE-01 | Date" is a field too short to be a question.
    assert_eq!(sheet.questions, 256);
    assert_eq!(sheet.answered, 180, "{sheet:?}");
}
