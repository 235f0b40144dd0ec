//! `answerbank draft` (#5): answers in the customer's own workbook, everything else unchanged, and the review
//! workbook.

use std::path::Path;

use serde_json::Value;

use crate::util::{
    Sandbox, assert_only_answer_cells_changed, entry, open_in_libreoffice, read_values, shared,
    soffice,
};

/// Question rows of a file, as `columns --json --rows` reports them.
fn rows(sandbox: &Sandbox, file: &str) -> Vec<Value> {
    let out = sandbox.run(&["columns", file, "--json", "--rows"]);
    out.expect_code(0);
    out.json()["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A library whose entries ask exactly the fixture's questions, with the given short answers and bodies.
fn library_for(sandbox: &Sandbox, rows: &[Value], answers: &[(&str, Option<&str>, &str)]) {
    for (id, short, body) in answers {
        let row = rows
            .iter()
            .find(|r| r["id"] == *id)
            .unwrap_or_else(|| panic!("no row {id}"));
        let extra = short
            .map(|s| format!("short_answer = {s:?}\n"))
            .unwrap_or_default();
        let file = id.to_lowercase().replace('.', "-");
        sandbox.write(
            &format!("lib/{file}.md"),
            &entry(row["question"].as_str().unwrap(), &extra, body),
        );
    }
}

/// Every answer cell the reader reports for a file, as (sheet, cell): the only cells a draft may change.
fn answer_cells_of(sandbox: &Sandbox, file: &Path) -> Vec<(String, String)> {
    rows(sandbox, file.to_str().unwrap())
        .iter()
        .flat_map(|r| {
            let sheet = r["sheet"].as_str().unwrap().to_string();
            r["answer_cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |c| (sheet.clone(), c["cell"].as_str().unwrap().to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn draft(sandbox: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["draft"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = sandbox.run(&all);
    out.expect_code(0);
    out.json()
}

#[test]
fn drafts_the_example_questionnaire_into_its_own_workbook() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let input = sandbox.fixture("example-questionnaire.xlsx");
    let before = std::fs::read(&input).unwrap();
    let report = draft(&sandbox, &["example-questionnaire.xlsx"]);
    assert_eq!(report["questions"], 42);
    let drafted = sandbox.path("example-questionnaire.drafted.xlsx");
    let review = sandbox.path("example-questionnaire.review.xlsx");
    assert!(
        report["drafted_file"]
            .as_str()
            .unwrap()
            .ends_with("example-questionnaire.drafted.xlsx"),
        "{report}"
    );
    assert!(drafted.exists() && review.exists());
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is never modified"
    );
    let bands = &report["bands"];
    let total: u64 = ["high", "medium", "low", "none"]
        .iter()
        .map(|b| bands[b].as_u64().unwrap())
        .sum();
    assert_eq!(total, 42);
    assert!(bands["high"].as_u64().unwrap() >= 4, "{report}");

    // Only answer cells of high drafts changed, and every change is one of them.
    let answer_cells = answer_cells_of(&sandbox, &input);
    let changed = assert_only_answer_cells_changed(&input, &drafted, &answer_cells);
    assert_eq!(changed.len() as u64, report["written"].as_u64().unwrap());
    assert!(
        changed
            .iter()
            .all(|(_, c)| c.starts_with('C') || c.starts_with('D')),
        "column E (reviewer notes) is never written"
    );

    // The drafted answers read back in calamine where they belong: C23 was answered by the customer already.
    let values = read_values(&drafted, "Vendor Questionnaire");
    let written: Vec<&String> = changed.iter().map(|(_, c)| c).collect();
    assert!(!written.contains(&&"C23".to_string()));
    for (_, cell) in &changed {
        let value = &values[cell];
        if cell.starts_with('C') {
            assert!(
                ["Yes", "No", "N/A"].contains(&value.as_str()),
                "{cell}: {value}"
            );
        } else {
            assert!(value.len() > 20 && !value.contains("**"), "{cell}: {value}");
        }
    }
}

#[test]
fn dropdown_values_are_spelled_as_the_list_spells_them() {
    let sandbox = Sandbox::new();
    sandbox.fixture("header-traps.xlsx");
    sandbox.fixture("formula-traps.xlsx");
    let header_rows = rows(&sandbox, "header-traps.xlsx");
    let formula_rows = rows(&sandbox, "formula-traps.xlsx");
    library_for(
        &sandbox,
        &header_rows,
        &[
            ("AM-01", Some("N/A"), "We have no such accounts."),
            ("AM-03", Some("Partially"), "Only for admins."),
            ("LG-01", Some("yes"), "Logs are kept for a year."),
        ],
    );
    library_for(
        &sandbox,
        &formula_rows,
        &[
            ("POL-01", Some("NA"), "Not relevant to us."),
            ("POL-04", Some("Yes"), "Reviewed yearly."),
        ],
    );
    let report = draft(&sandbox, &["header-traps.xlsx", "--library", "lib"]);
    assert_eq!(
        report["skipped"]["not_allowed"], 1,
        "\"Partially\" is not in Yes/No/Not Applicable: {report}"
    );
    let values = read_values(&sandbox.path("header-traps.drafted.xlsx"), "Security");
    let cell = |id: &str, col: &str| {
        let row = header_rows.iter().find(|r| r["id"] == id).unwrap()["row"]
            .as_u64()
            .unwrap();
        values
            .get(&format!("{col}{row}"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(cell("AM-01", "C"), "Not Applicable");
    assert_eq!(cell("AM-01", "D"), "We have no such accounts.");
    assert_eq!(cell("LG-01", "C"), "Yes");
    assert_eq!(
        cell("AM-03", "C"),
        "",
        "a value the list lacks is not written"
    );
    assert_eq!(cell("AM-03", "D"), "", "and the row goes to review whole");

    // The x14 list on another sheet (Yes, No, N/A) and a formula answer cell.
    draft(&sandbox, &["formula-traps.xlsx", "--library", "lib"]);
    let drafted = sandbox.path("formula-traps.drafted.xlsx");
    let values = read_values(&drafted, "Assessment");
    assert_eq!(values["C8"], "N/A");
    assert_eq!(
        values["C11"], "Yes",
        "the formula's cached value is untouched"
    );
    assert_eq!(values["D11"], "Reviewed yearly.");
    let allowed = vec![
        ("Assessment".to_string(), "C8".to_string()),
        ("Assessment".to_string(), "D8".to_string()),
        ("Assessment".to_string(), "D11".to_string()),
    ];
    assert_only_answer_cells_changed(&sandbox.path("formula-traps.xlsx"), &drafted, &allowed);
}

#[test]
fn mark_columns_and_the_single_answer_column() {
    let sandbox = Sandbox::new();
    sandbox.fixture("mark-columns.xlsx");
    sandbox.fixture("single-column.xlsx");
    let marks = rows(&sandbox, "mark-columns.xlsx");
    let single = rows(&sandbox, "single-column.xlsx");
    let unanswered: Vec<&Value> = marks
        .iter()
        .filter(|r| {
            r["answer_cells"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c.get("current").is_none())
        })
        .collect();
    let (first, second) = (
        unanswered[0]["id"].as_str().unwrap().to_string(),
        unanswered[1]["id"].as_str().unwrap().to_string(),
    );
    library_for(
        &sandbox,
        &marks,
        &[
            (&first, Some("No"), "Not yet; planned for next year."),
            (&second, Some("N/A"), "We do not do that."),
        ],
    );
    for (i, row) in single.iter().take(2).enumerate() {
        let short = if i == 0 {
            "short_answer = \"Yes\"\n"
        } else {
            ""
        };
        sandbox.write(
            &format!("lib/single-{i}.md"),
            &entry(
                row["question"].as_str().unwrap(),
                short,
                "We do, every quarter.",
            ),
        );
    }
    draft(&sandbox, &["mark-columns.xlsx", "--library", "lib"]);
    let values = read_values(&sandbox.path("mark-columns.drafted.xlsx"), "Checklist");
    let row_of = |id: &str| {
        marks.iter().find(|r| r["id"] == id).unwrap()["row"]
            .as_u64()
            .unwrap()
    };
    let (r1, r2) = (row_of(&first), row_of(&second));
    assert_eq!(
        values.get(&format!("D{r1}")).map(String::as_str),
        Some("x"),
        "No is marked"
    );
    assert!(!values.contains_key(&format!("C{r1}")) && !values.contains_key(&format!("E{r1}")));
    assert_eq!(
        values.get(&format!("F{r1}")).map(String::as_str),
        Some("Not yet; planned for next year.")
    );
    assert_eq!(
        values.get(&format!("E{r2}")).map(String::as_str),
        Some("x"),
        "N/A is marked"
    );

    draft(&sandbox, &["single-column.xlsx", "--library", "lib"]);
    let values = read_values(&sandbox.path("single-column.drafted.xlsx"), "Vendor form");
    let row0 = single[0]["row"].as_u64().unwrap();
    let row1 = single[1]["row"].as_u64().unwrap();
    assert_eq!(values[&format!("B{row0}")], "Yes. We do, every quarter.");
    assert_eq!(
        values[&format!("B{row1}")],
        "We do, every quarter.",
        "no short answer: the body alone"
    );
}

#[test]
fn overwrite_force_and_existing_outputs() {
    let sandbox = Sandbox::new();
    sandbox.fixture("header-traps.xlsx");
    let header_rows = rows(&sandbox, "header-traps.xlsx");
    // AM-02 is answered by the customer ("Yes" / "Reviewed quarterly."); the library says No.
    library_for(
        &sandbox,
        &header_rows,
        &[("AM-02", Some("No"), "Not reviewed.")],
    );
    let report = draft(&sandbox, &["header-traps.xlsx", "--library", "lib"]);
    assert_eq!(report["skipped"]["answered"], 1);
    assert_eq!(report["written"], 0);

    let out = sandbox.run(&["draft", "header-traps.xlsx", "--library", "lib"]);
    out.expect_clean_error("already exists (use --force");

    let report = draft(
        &sandbox,
        &[
            "header-traps.xlsx",
            "--library",
            "lib",
            "--force",
            "--overwrite",
        ],
    );
    assert_eq!(report["written"], 2);
    let row = header_rows.iter().find(|r| r["id"] == "AM-02").unwrap()["row"]
        .as_u64()
        .unwrap();
    let values = read_values(&sandbox.path("header-traps.drafted.xlsx"), "Security");
    assert_eq!(values[&format!("C{row}")], "No");
    assert_eq!(values[&format!("D{row}")], "Not reviewed.");

    // --out-dir.
    std::fs::create_dir(sandbox.path("out")).unwrap();
    draft(
        &sandbox,
        &["header-traps.xlsx", "--library", "lib", "--out-dir", "out"],
    );
    assert!(
        sandbox.path("out/header-traps.drafted.xlsx").exists()
            && sandbox.path("out/header-traps.review.xlsx").exists()
    );
    // An --out-dir that does not exist yet is created.
    draft(
        &sandbox,
        &[
            "header-traps.xlsx",
            "--library",
            "lib",
            "--out-dir",
            "new/sub",
        ],
    );
    assert!(sandbox.path("new/sub/header-traps.drafted.xlsx").exists());
    // A draft that fails leaves no folder behind; a file is no folder.
    sandbox
        .run(&[
            "draft",
            "nope.xlsx",
            "--library",
            "lib",
            "--out-dir",
            "never",
        ])
        .expect_clean_error("nope.xlsx");
    assert!(!sandbox.path("never").exists());
    sandbox
        .run(&[
            "draft",
            "header-traps.xlsx",
            "--library",
            "lib",
            "--out-dir",
            "header-traps.xlsx",
        ])
        .expect_clean_error("is not a folder");
}

#[test]
fn answer_text_never_becomes_a_formula_and_always_opens() {
    let sandbox = Sandbox::new();
    sandbox.fixture("single-column.xlsx");
    sandbox.fixture("header-traps.xlsx");
    let single = rows(&sandbox, "single-column.xlsx");
    let hostile = [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "bell \u{7} and null-ish \u{1} <tag> & \"quotes\" _x0041_",
    ];
    for (i, text) in hostile.iter().enumerate() {
        sandbox.write(
            &format!("lib/h{i}.md"),
            &entry(single[i]["question"].as_str().unwrap(), "", text),
        );
    }
    let long = "Very long answer. ".repeat(2_500);
    sandbox.write(
        "lib/long.md",
        &entry(single[5]["question"].as_str().unwrap(), "", &long),
    );
    let out = sandbox.run(&["draft", "single-column.xlsx", "--library", "lib"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("32,767"),
        "the cut is announced: {}",
        out.stderr
    );
    let drafted = sandbox.path("single-column.drafted.xlsx");
    let values = read_values(&drafted, "Vendor form");
    for (i, text) in hostile.iter().enumerate() {
        let row = single[i]["row"].as_u64().unwrap();
        assert_eq!(values[&format!("B{row}")], *text, "read back exactly");
    }
    let row = single[5]["row"].as_u64().unwrap();
    let cut = &values[&format!("B{row}")];
    assert_eq!(cut.encode_utf16().count(), 32_767);
    assert!(cut.ends_with("in the review workbook]"));
    let parts = crate::util::zip_parts(&drafted);
    let sheet = String::from_utf8(parts["xl/worksheets/sheet1.xml"].clone()).unwrap();
    assert!(!sheet.contains("<f>"), "no formula was written");
    if let Some(soffice) = soffice() {
        let csv = open_in_libreoffice(&soffice, &drafted).join("\n");
        assert!(
            csv.contains("=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")"),
            "shown as text by LibreOffice: {csv}"
        );
    }
}

#[test]
fn csv_input_gives_an_xlsx_copy() {
    let sandbox = Sandbox::new();
    sandbox.fixture("simple.csv");
    let simple = rows(&sandbox, "simple.csv");
    let target = simple
        .iter()
        .find(|r| {
            r["answer_cells"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c.get("current").is_none())
        })
        .unwrap();
    sandbox.write(
        "lib/a.md",
        &entry(
            target["question"].as_str().unwrap(),
            "short_answer = \"Yes\"\n",
            "Yes, daily.",
        ),
    );
    let out = sandbox.run(&["draft", "simple.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("cannot be edited in place"),
        "{}",
        out.stderr
    );
    let drafted = sandbox.path("simple.drafted.xlsx");
    let values = read_values(&drafted, "simple");
    let row = target["row"].as_u64().unwrap();
    assert_eq!(values[&format!("C{row}")], "Yes");
    assert_eq!(values[&format!("D{row}")], "Yes, daily.");
    assert_eq!(
        values["B1"], "Question",
        "the rest of the file is carried over"
    );
}

#[test]
fn the_review_workbook_lists_every_question() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture("example-questionnaire.xlsx");
    draft(&sandbox, &["example-questionnaire.xlsx"]);
    let review = sandbox.path("example-questionnaire.review.xlsx");
    let values = read_values(&review, "Review");
    // The reviewer's columns at the left, the rest to the right (see #16).
    let header: Vec<&str> = ('A'..='Q')
        .map(|c| values[&format!("{c}1")].as_str())
        .collect();
    assert_eq!(
        header,
        [
            "#",
            "Question",
            "Confidence",
            "Short answer",
            "Drafted answer",
            "Decision",
            "Final answer",
            "Status",
            "Score",
            "Sheet",
            "Cells",
            "Question ID",
            "Matched entry",
            "Matched question",
            "Candidate #2",
            "Candidate #3",
            "Notes"
        ]
    );
    assert_eq!(
        values
            .keys()
            .filter(|k| k.starts_with('A') && k != &"A1")
            .count(),
        42
    );
    let summary = read_values(&review, "Summary");
    assert!(
        summary
            .values()
            .any(|v| v.contains("example-questionnaire.xlsx"))
    );
    // The hidden sheet records the source for `finish`.
    let data = read_values(&review, "answerbank");
    assert_eq!(data["A1"], "answerbank review workbook");
    let parts = crate::util::zip_parts(&review);
    let workbook = String::from_utf8(parts["xl/workbook.xml"].clone()).unwrap();
    assert!(
        workbook.contains("name=\"answerbank\" sheetId=\"3\" state=\"hidden\""),
        "{workbook}"
    );
}

// ---- the real questionnaires (read in ../shared, never copied into the repository) ----

#[test]
fn caiq_v4_drafted_from_the_caiq_library() {
    let sandbox = Sandbox::new();
    let (Some(library), Some(source)) = (
        sandbox.shared_copy("bench/caiq/library", "caiq"),
        shared("questionnaires/CSA_CAIQv4.0.3_STAR-Security-Questionnaire_2024-06-03.xlsx"),
    ) else {
        return;
    };
    let report = draft(
        &sandbox,
        &[
            source.to_str().unwrap(),
            "--library",
            library.to_str().unwrap(),
            "--out-dir",
            ".",
        ],
    );
    assert!(report["bands"]["high"].as_u64().unwrap() >= 255, "{report}");
    let drafted =
        sandbox.path("CSA_CAIQv4.0.3_STAR-Security-Questionnaire_2024-06-03.drafted.xlsx");
    let allowed: Vec<(String, String)> = (3..=263)
        .flat_map(|r| ["C", "E"].map(|c| ("CAIQv4.0.3".to_string(), format!("{c}{r}"))))
        .collect();
    let changed = assert_only_answer_cells_changed(&source, &drafted, &allowed);
    assert!(changed.len() >= 500, "{}", changed.len());
    // Each drafted row holds its own entry's answer (the library's ids are the question IDs).
    let values = read_values(&drafted, "CAIQv4.0.3");
    let mut checked = 0;
    for r in 3..=263 {
        let id = values[&format!("A{r}")]
            .to_lowercase()
            .replace(['&', '.'], "-")
            .replace("--", "-");
        let text = std::fs::read_to_string(library.join(format!("{id}.md"))).unwrap();
        let short = text
            .lines()
            .find_map(|l| l.strip_prefix("short_answer = "))
            .map(|s| s.trim_matches('"').replace("N/A", "NA"));
        if let (Some(short), Some(value)) = (short, values.get(&format!("C{r}"))) {
            assert_eq!(value, &short, "row {r}");
            checked += 1;
        }
    }
    assert!(checked >= 255);
    // Dropdowns, merges and protection are outside <sheetData>, which the check above proved unchanged; and the
    // file opens in LibreOffice with the answers in place.
    let sheet =
        String::from_utf8(crate::util::zip_parts(&drafted)["xl/worksheets/sheet2.xml"].clone())
            .unwrap();
    assert!(
        sheet.contains("<dataValidation")
            && sheet.contains("<mergeCell ")
            && sheet.contains("<sheetProtection")
    );
    if let Some(soffice) = soffice() {
        let csv = open_in_libreoffice(&soffice, &drafted).join("\n");
        assert!(csv.contains("A&A-01.1"), "{}", &csv[..200.min(csv.len())]);
    }
}

#[test]
fn hecvat_4_keeps_its_x14_dropdowns() {
    let Some(source) = shared("questionnaires/EDUCAUSE_HECVAT_4.1.4_blank.xlsx") else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox.example_library();
    let report = draft(
        &sandbox,
        &[
            source.to_str().unwrap(),
            "--out-dir",
            ".",
            "--min-confidence",
            "medium",
        ],
    );
    assert!(report["written"].as_u64().unwrap() > 0, "{report}");
    let drafted = sandbox.path("EDUCAUSE_HECVAT_4.1.4_blank.drafted.xlsx");
    let allowed = answer_cells_of(&sandbox, &source);
    let changed = assert_only_answer_cells_changed(&source, &drafted, &allowed);
    assert_eq!(changed.len() as u64, report["written"].as_u64().unwrap());
    let parts = crate::util::zip_parts(&drafted);
    assert!(
        parts
            .values()
            .any(|p| String::from_utf8_lossy(p).contains("<x14:dataValidation"))
    );
    if let Some(soffice) = soffice() {
        open_in_libreoffice(&soffice, &drafted);
    }
}

#[test]
fn every_shared_questionnaire_drafts_and_opens() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    for name in [
        "CAIQv4.0.3_WhitePact_completed.xlsx",
        "HECVAT3_OpenDSA_completed_2022-08-30.xlsx",
    ] {
        let Some(source) = shared(&format!("questionnaires/{name}")) else {
            continue;
        };
        let report = draft(
            &sandbox,
            &[
                source.to_str().unwrap(),
                "--out-dir",
                ".",
                "--min-confidence",
                "low",
            ],
        );
        let stem = Path::new(name).file_stem().unwrap().to_str().unwrap();
        let drafted = sandbox.path(&format!("{stem}.drafted.xlsx"));
        let allowed = answer_cells_of(&sandbox, &source);
        let changed = assert_only_answer_cells_changed(&source, &drafted, &allowed);
        assert_eq!(
            changed.len() as u64,
            report["written"].as_u64().unwrap(),
            "{name}"
        );
        if let Some(soffice) = soffice() {
            open_in_libreoffice(&soffice, &drafted);
        }
    }
}

#[test]
fn rows_answered_already_are_counted_as_such_whatever_the_match() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "q.csv",
        "Question,Answer,Comments\n\
         Do you encrypt customer data at rest?,Yes,\n\
         Do you run annual penetration tests?,,\n",
    );
    // A loose match (below high) with the same short answer as the file.
    sandbox.write(
        "lib/encryption.md",
        &entry(
            "Is stored customer data encrypted?",
            "short_answer = \"Yes\"\n",
            "AES-256 for every database and backup.",
        ),
    );
    let out = sandbox.run(&["columns", "q.csv"]);
    out.expect_code(0);
    assert!(out.stderr.contains("1 already answered"), "{}", out.stderr);
    let report = draft(&sandbox, &["q.csv", "--library", "lib"]);
    // The match is loose (low, not high), and the penetration-test row has none.
    assert_eq!(
        report["bands"],
        serde_json::json!({"high": 0, "medium": 0, "low": 1, "none": 1}),
        "{report}"
    );
    assert_eq!(report["skipped"]["answered"], 1, "{report}");
    assert_eq!(report["skipped"]["below_threshold"], 0, "{report}");
}
