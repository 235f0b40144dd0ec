//! `draft` is honest about its input (#16): a file that is missing, no questionnaire, or a review workbook is
//! reported as such before any word about outputs; two inputs with one stem keep their outputs apart; an output
//! that cannot be written says which file and what to do.

use std::path::Path;

use crate::util::{Sandbox, not_run, read_values, refused_by};

/// `draft FILE` must fail with exit 2, naming the file and saying `why`, and write nothing at all.
#[track_caller]
fn refused(sandbox: &Sandbox, file: &str, why: &str) -> String {
    let out = refused_by(sandbox, &["draft", file, "--json"], file, why);
    assert!(!out.stderr.contains("already exists"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no JSON report: {}", out.stdout);
    out.stderr
}

#[test]
fn a_missing_or_unreadable_input_is_reported_before_old_outputs() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    // Outputs of earlier runs lie around: a typo'd name or a PDF must still be reported as what it is.
    for old in [
        "vendr.drafted.xlsx",
        "vendr.review.xlsx",
        "q.drafted.xlsx",
        "q.review.xlsx",
    ] {
        sandbox.write(old, "from an earlier run");
    }
    refused(&sandbox, "vendr.xlsx", "cannot read it");
    sandbox.write("q.pdf", "%PDF-1.7\n1 0 obj << >> endobj\n");
    refused(&sandbox, "q.pdf", "not a supported spreadsheet");
}

#[test]
fn a_file_without_questions_gives_each_sheets_reason() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.write("notes.txt", "Meeting notes\nCall the customer on Monday.\n");
    let stderr = refused(&sandbox, "notes.txt", "no questions found in notes.txt");
    assert!(
        stderr.contains("sheet 'notes': no answer column found")
            && stderr.contains("`answerbank columns notes.txt`"),
        "{stderr}"
    );
    // A PDF renamed .csv: its text part has no question column; its binary part is refused by the reader.
    sandbox.write(
        "renamed.csv",
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    );
    let stderr = refused(&sandbox, "renamed.csv", "no questions found in renamed.csv");
    assert!(stderr.contains("sheet 'renamed': no "), "{stderr}");
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 40 >>\nstream\n".to_vec();
    pdf.extend((0..=255u8).cycle().take(600));
    std::fs::write(sandbox.path("binary.csv"), &pdf).unwrap();
    refused(&sandbox, "binary.csv", "not a text file");

    // A workbook whose one sheet is instructions, and one whose table has no question-like text.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Instructions").unwrap();
    sheet
        .write_string(
            0,
            0,
            "Please fill in the attached form and return it by Friday.",
        )
        .unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Contacts").unwrap();
    for (col, header) in ["Name", "Email", "Phone"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "Ann").unwrap();
    workbook.save(sandbox.path("form.xlsx")).unwrap();
    let stderr = refused(&sandbox, "form.xlsx", "no questions found in form.xlsx");
    assert!(
        stderr.contains("sheet 'Instructions': ")
            && stderr.contains("sheet 'Contacts': no question column found"),
        "{stderr}"
    );
}

#[test]
fn a_review_workbook_points_to_finish_whatever_its_name() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    sandbox.run(&["draft", "vendor.xlsx"]).expect_code(0);
    std::fs::copy(
        sandbox.path("vendor.review.xlsx"),
        sandbox.path("from-bob.xlsx"),
    )
    .unwrap();
    for file in ["vendor.review.xlsx", "from-bob.xlsx"] {
        let stderr = refused(&sandbox, file, "is a review workbook");
        assert!(
            stderr.contains(&format!("answerbank finish {file}")),
            "{stderr}"
        );
    }
}

#[test]
fn inputs_with_one_stem_keep_their_outputs_apart() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    sandbox.write(
        "q.csv",
        "Question,Answer,Comments\nCan we self-attest to ISO/IEC 42001?,,\n",
    );
    sandbox.fixture_as("example-questionnaire.xlsx", "V.XLSX");
    for input in ["q.xlsx", "q.csv", "V.XLSX"] {
        sandbox.run(&["draft", input]).expect_code(0);
    }
    let outputs: Vec<String> = sandbox
        .names()
        .into_iter()
        .filter(|n| n.contains(".drafted.") || n.contains(".review."))
        .collect();
    assert_eq!(
        outputs,
        [
            "V.drafted.xlsx",
            "V.review.xlsx",
            "q.csv.drafted.xlsx",
            "q.csv.review.xlsx",
            "q.drafted.xlsx",
            "q.review.xlsx",
        ]
    );
    // Each review finishes into an answered file of its own.
    for review in ["q.review.xlsx", "q.csv.review.xlsx"] {
        sandbox
            .run(&["finish", review, "--no-learn"])
            .expect_code(0);
    }
    assert!(sandbox.path("q.answered.xlsx").exists());
    let csv = read_values(&sandbox.path("q.csv.answered.xlsx"), "q");
    assert_eq!(csv.get("B2").map(String::as_str), Some("Yes"), "{csv:?}");
}

#[cfg(unix)]
/// Makes `file` impossible to replace, as a file open in Excel on Windows or on a share is: a read-only folder
/// (for a user other than root, who may write anyway), else the immutable attribute (root, on file systems that
/// have it). `None` when neither works here. Undone by the guard.
fn lock(file: &Path) -> Option<Unlock> {
    use std::os::unix::fs::PermissionsExt;
    let dir = file.parent().unwrap().to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(dir.join("probe"), "x").is_err() {
        return Some(Unlock::Folder(dir));
    }
    std::fs::remove_file(dir.join("probe")).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(file)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    chattr("+i").then(|| Unlock::Immutable(file.to_path_buf()))
}

#[cfg(unix)]
enum Unlock {
    Folder(std::path::PathBuf),
    Immutable(std::path::PathBuf),
}

#[cfg(unix)]
impl Drop for Unlock {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        match self {
            Unlock::Folder(dir) => {
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
            }
            Unlock::Immutable(file) => {
                let _ = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(file)
                    .output();
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn an_output_that_cannot_be_replaced_says_which_and_what_to_do() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    std::fs::create_dir(sandbox.path("work")).unwrap();
    std::fs::copy(
        crate::util::repo("fixtures/example-questionnaire.xlsx"),
        sandbox.path("work/vendor.xlsx"),
    )
    .unwrap();
    sandbox.run(&["draft", "work/vendor.xlsx"]).expect_code(0);
    sandbox
        .run(&["finish", "work/vendor.review.xlsx", "--no-learn"])
        .expect_code(0);
    let Some(guard) = lock(&sandbox.path("work/vendor.drafted.xlsx")) else {
        not_run("neither a read-only folder nor chattr +i can make a file unwritable here");
        return;
    };
    let out = sandbox.run(&["draft", "work/vendor.xlsx", "--force"]);
    out.expect_clean_error("cannot write work/vendor.drafted.xlsx");
    assert!(
        out.stderr.contains("close it there") && out.stderr.contains("--out-dir DIR"),
        "{}",
        out.stderr
    );
    drop(guard);

    let Some(guard) = lock(&sandbox.path("work/vendor.answered.xlsx")) else {
        unreachable!("it worked for the drafted file");
    };
    let out = sandbox.run(&["finish", "work/vendor.review.xlsx", "--no-learn", "--force"]);
    out.expect_clean_error("cannot write work/vendor.answered.xlsx");
    assert!(out.stderr.contains("close it there"), "{}", out.stderr);
    drop(guard);
}
