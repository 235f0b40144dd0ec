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
            "its answers look like titles, not answers: 8 of 8 are short, without a verb, and repeat on several \
             rows (\"Audit Policy and Procedures\" on 2 rows); not imported (use --force to import it anyway)"
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
