//! Only answers become answers (#17): the classic CAIQ v3 layout (three mark columns under a merged heading,
//! their labels rows further down), a control matrix with no answer column, and answers that look like titles.

use crate::util::{Sandbox, assert_only_answer_cells_changed, entry, field, read_values};

#[test]
fn the_classic_assessment_layout_is_read_right() {
    let sandbox = Sandbox::new();
    sandbox.fixture("classic-assessment-layout.xlsx");
    let out = sandbox.run(&[
        "columns",
        "classic-assessment-layout.xlsx",
        "--rows",
        "--json",
    ]);
    out.expect_code(0);
    let sheet = &out.json()["sheets"][0];
    assert_eq!(sheet["header_rows"], serde_json::json!([2, 3, 4]));
    assert_eq!(sheet["question_column"], "E");
    assert_eq!(sheet["id_column"], "C");
    assert_eq!(sheet["context_column"], "A");
    let columns = &sheet["answer_columns"];
    assert_eq!(field(columns, "column"), ["F", "G", "H", "I"]);
    assert_eq!(
        field(columns, "kind"),
        ["mark-yes", "mark-no", "mark-na", "long"]
    );
    // The sheet's own examples mark with an uppercase X.
    assert_eq!(columns[1]["allowed_values"], serde_json::json!(["X"]));
    assert_eq!(sheet["questions"], 8);
    assert_eq!(sheet["answered"], 2);
    let rows = &sheet["rows"];
    assert_eq!(
        field(rows, "id"),
        [
            "IAM-01.1", "IAM-01.2", "IAM-02.1", "IAM-02.2", "EKM-01.1", "EKM-01.2", "EKM-02.1",
            "EKM-02.2"
        ]
    );
    // The domain column is each question's context, not an answer.
    assert_eq!(rows[0]["section"], "Identity & Access Management");
    assert_eq!(rows[7]["section"], "Encryption & Key Management");
}

#[test]
fn the_classic_assessment_layout_gets_an_x_in_the_right_one_of_three_columns() {
    let sandbox = Sandbox::new();
    let original = sandbox.fixture("classic-assessment-layout.xlsx");
    sandbox.write(
        "lib/access-reviews.md",
        &entry(
            "Are user access rights reviewed at least every quarter?",
            "short_answer = \"Yes\"\n",
            "Yes.",
        ),
    );
    sandbox.write(
        "lib/shared-admins.md",
        &entry(
            "Do you allow shared administrator accounts?",
            "short_answer = \"No\"\n",
            "No. Every administrator has a named account.",
        ),
    );
    sandbox.write(
        "lib/byok.md",
        &entry(
            "Can customers supply and manage their own encryption keys?",
            "short_answer = \"No\"\n",
            "No. Keys are managed by us in a cloud key service.",
        ),
    );
    sandbox.write(
        "lib/hsm.md",
        &entry(
            "Do you support hardware security modules for key storage?",
            "short_answer = \"N/A\"\n",
            "Not applicable: we use a managed key service.",
        ),
    );
    let out = sandbox.run(&[
        "draft",
        "classic-assessment-layout.xlsx",
        "--library",
        "lib",
        "--json",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()["drafted"], 4, "{}", out.stdout);
    let drafted = sandbox.path("classic-assessment-layout.drafted.xlsx");
    let allowed: Vec<(String, String)> = ["F6", "G8", "I8", "G10", "I10", "H12", "I12"]
        .iter()
        .map(|c| ("Assessment".to_string(), c.to_string()))
        .collect();
    let changed = assert_only_answer_cells_changed(&original, &drafted, &allowed);
    assert_eq!(changed.len(), 7, "{changed:?}");
    let values = read_values(&drafted, "Assessment");
    let cell = |at: &str| values.get(at).map(String::as_str);
    assert_eq!(cell("F6"), Some("X"), "Yes");
    assert_eq!(cell("I6"), None, "an answer that is only Yes adds no note");
    assert_eq!(cell("G8"), Some("X"), "No");
    assert_eq!(cell("F8"), None);
    assert_eq!(
        cell("I8"),
        Some("No. Every administrator has a named account.")
    );
    assert_eq!(cell("G10"), Some("X"));
    assert_eq!(cell("H12"), Some("X"), "Not Applicable");
    assert_eq!(
        cell("I12"),
        Some("Not applicable: we use a managed key service.")
    );
}

#[test]
fn a_control_matrix_imports_nothing_and_says_why() {
    let sandbox = Sandbox::new();
    sandbox.fixture("control-matrix.xlsx");
    let out = sandbox.run(&["columns", "control-matrix.xlsx", "--json"]);
    out.expect_code(0);
    let why = out.json()["sheets"][0]["skipped_reason"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        why.contains("no answer column found")
            && why.contains(
                "its Control Domain, Control Title and Control Specification columns are context, not answers"
            ),
        "{why}"
    );
    let out = sandbox.run(&[
        "import",
        "control-matrix.xlsx",
        "--library",
        "lib",
        "--json",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()["entries_added"], 0, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("sheet 'Controls': nothing imported: no answer column found")
            && out.stderr.contains("context, not answers"),
        "{}",
        out.stderr
    );
    assert!(crate::util::snapshot(&sandbox.path("lib")).is_empty());
}

#[test]
fn answers_that_look_like_titles_are_not_imported_without_force() {
    // Told that the control title column holds the answers, import still refuses titles as answers.
    let sandbox = Sandbox::new();
    sandbox.fixture("control-matrix.xlsx");
    let args = [
        "import",
        "control-matrix.xlsx",
        "--library",
        "lib",
        "--sheet",
        "Controls",
        "--answer-col",
        "B",
        "--json",
    ];
    let out = sandbox.run(&args);
    out.expect_code(0);
    assert_eq!(out.json()["entries_added"], 0, "{}", out.stdout);
    assert!(
        out.stderr.contains(
            "its answers look like titles or ids, not answers: 8 of 8 are short names without a verb (\"Audit \
             Policy and Procedures\" on 2 rows); not imported (use --force to import it anyway)"
        ),
        "{}",
        out.stderr
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = sandbox.run(&forced);
    out.expect_code(0);
    assert_eq!(out.json()["entries_added"], 8, "{}", out.stdout);
}

/// A control catalogue shaped like CSA's CCM workbook (sheets CCM, Scope Applicability, CAIQ; our own controls and
/// wording): one title per control, control text instead of questions, ids. Nothing of it is an answer (#26), even
/// where a column is named as the answer column, or an "Answer" header stands over the titles.
#[test]
fn a_control_catalogue_is_not_imported_whatever_its_shape() {
    let sandbox = Sandbox::new();
    let controls = [
        (
            "Audit & Assurance",
            "Audit and Assurance Policy and Procedures",
            "AA-01",
            "Establish, document, approve and maintain audit and assurance policies. Review them at least annually.",
        ),
        (
            "Audit & Assurance",
            "Independent Assessments",
            "AA-02",
            "Conduct independent audit and assurance assessments according to relevant standards at least annually.",
        ),
        (
            "Audit & Assurance",
            "Risk Based Planning Assessment",
            "AA-03",
            "Perform independent audit and assurance assessments according to risk-based plans and policies.",
        ),
        (
            "Application Security",
            "Application Security Baseline Requirements",
            "AS-01",
            "Establish and maintain baseline requirements for securing different applications.",
        ),
        (
            "Application Security",
            "Application Security Metrics",
            "AS-02",
            "Define and implement technical and operational metrics in alignment with business objectives.",
        ),
        (
            "Business Continuity",
            "Business Continuity Planning",
            "BC-01",
            "Establish, document, approve, communicate and maintain a business continuity plan.",
        ),
    ];
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let ccm = workbook.add_worksheet().set_name("CCM").unwrap();
    for (col, text) in [
        "Control Domain",
        "Control Title",
        "Control ID",
        "Control Specification",
    ]
    .iter()
    .enumerate()
    {
        ccm.write(0, col as u16, *text).unwrap();
    }
    for (row, (domain, title, id, spec)) in controls.iter().enumerate() {
        for (col, text) in [domain, title, id, spec].iter().enumerate() {
            ccm.write(row as u32 + 1, col as u16, **text).unwrap();
        }
    }
    let scope = workbook
        .add_worksheet()
        .set_name("Scope Applicability")
        .unwrap();
    for (col, text) in ["Control ID", "Control Title", "Answer"].iter().enumerate() {
        scope.write(0, col as u16, *text).unwrap();
    }
    for (row, (_, title, id, spec)) in controls.iter().enumerate() {
        // Control text beside an "Answer" column that holds the control's title.
        scope.write(row as u32 + 1, 0, *spec).unwrap();
        scope.write(row as u32 + 1, 1, *id).unwrap();
        scope.write(row as u32 + 1, 2, *title).unwrap();
    }
    let caiq = workbook.add_worksheet().set_name("CAIQ").unwrap();
    for (col, text) in ["Question ID", "Question", "Answer", "Control Title"]
        .iter()
        .enumerate()
    {
        caiq.write(0, col as u16, *text).unwrap();
    }
    for (row, (_, title, id, _)) in controls.iter().enumerate() {
        caiq.write(row as u32 + 1, 0, format!("{id}.1")).unwrap();
        caiq.write(
            row as u32 + 1,
            1,
            format!("Are {} in place?", title.to_lowercase()),
        )
        .unwrap();
        // The answers were never filled in; the id of the control stands in the answer column.
        caiq.write(row as u32 + 1, 2, *id).unwrap();
        caiq.write(row as u32 + 1, 3, *title).unwrap();
    }
    workbook.save(sandbox.path("catalogue.xlsx")).unwrap();

    for extra in [
        &[][..],
        &["--sheet", "CCM", "--answer-col", "B"][..],
        &["--sheet", "CCM", "--question-col", "D", "--answer-col", "B"][..],
    ] {
        let mut args = vec![
            "import",
            "catalogue.xlsx",
            "--library",
            "lib",
            "--dry-run",
            "--json",
        ];
        args.extend_from_slice(extra);
        let out = sandbox.run(&args);
        assert!(out.code == 0 || out.code == 1, "{args:?}\n{}", out.stderr);
        let report = out.json();
        assert_eq!(
            report["entries_added"], 0,
            "{args:?}: {}\n{}",
            out.stdout, out.stderr
        );
    }
    // The answered questionnaires keep importing: see import.rs and the real workbooks in the closing note of #26.
}
