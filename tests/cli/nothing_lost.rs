//! #26: nothing a reviewer did is lost (a review in progress is never replaced, earlier outputs a person typed into
//! are kept), and no command panics on a closed pipe or a full disk.

use std::path::Path;
use std::process::Stdio;

use crate::finish::decide;
use crate::util::*;

fn decisions_in(review: &Path) -> usize {
    let (_, rows) = answerbank::workbook::review::read_review(review).unwrap();
    answerbank::learning::reviewed_rows(&rows)
}

#[test]
fn draft_force_never_replaces_a_review_in_progress() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    sandbox.run(&["draft", "q.xlsx"]).expect_code(0);
    let review = sandbox.path("q.review.xlsx");
    decide(
        &review,
        &[
            (1, "Accept", ""),
            (2, "", "We do, every quarter."),
            (3, "Reject", ""),
        ],
    );
    let worked = std::fs::read(&review).unwrap();
    assert_eq!(decisions_in(&review), 3);

    // Without --force: refused, and the message names the safe choices.
    let out = sandbox.run(&["draft", "q.xlsx"]);
    out.expect_clean_error("already exists; to go on with its review, run `answerbank finish");
    assert!(out.stderr.contains("--out-dir"), "{}", out.stderr);

    // --force, as the old message advised: refused too, and nothing changed.
    let out = sandbox.run(&["draft", "q.xlsx", "--force"]);
    out.expect_clean_error("is a review in progress: 3 of its rows");
    for choice in [
        "answerbank finish",
        "--out-dir",
        "--discard-review",
        "q.review.1.xlsx",
    ] {
        assert!(out.stderr.contains(choice), "{choice}: {}", out.stderr);
    }
    assert_eq!(std::fs::read(&review).unwrap(), worked);

    // Told explicitly: replaced, and the review in progress is kept beside it, byte for byte.
    let out = sandbox.run(&["draft", "q.xlsx", "--force", "--discard-review"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("kept the earlier") && out.stderr.contains("q.review.1.xlsx"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(sandbox.path("q.review.1.xlsx")).unwrap(),
        worked
    );
    assert_eq!(decisions_in(&review), 0);
    assert_eq!(decisions_in(&sandbox.path("q.review.1.xlsx")), 3);
}

#[test]
fn draft_force_replaces_untouched_outputs_and_keeps_a_drafted_file_someone_typed_into() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    sandbox.run(&["draft", "q.xlsx"]).expect_code(0);
    let before = sandbox.names();
    // Nothing touched: replaced without copies (the README's first command is run again and again).
    let out = sandbox.run(&["draft", "q.xlsx", "--force"]);
    out.expect_code(0);
    assert!(!out.stderr.contains("kept the earlier"), "{}", out.stderr);
    assert_eq!(sandbox.names(), before);

    // Someone typed an answer into the drafted workbook itself: it is kept.
    let drafted = sandbox.path("q.drafted.xlsx");
    let (sheet, cell) = first_empty_answer_cell(&sandbox.path("q.review.xlsx"));
    patch_cell(&drafted, &sheet, cell, "Typed by a person");
    let typed = std::fs::read(&drafted).unwrap();
    let out = sandbox.run(&["draft", "q.xlsx", "--force"]);
    out.expect_code(0);
    assert!(out.stderr.contains("q.drafted.1.xlsx"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(sandbox.path("q.drafted.1.xlsx")).unwrap(),
        typed
    );
    assert!(!sandbox.path("q.review.1.xlsx").exists());
}

#[test]
fn finish_force_keeps_an_open_questions_file_someone_typed_into() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    sandbox.run(&["draft", "q.xlsx"]).expect_code(0);
    let review = sandbox.path("q.review.xlsx");
    decide(&review, &[(4, "Reject", "")]);
    sandbox
        .run(&["finish", "q.review.xlsx", "--no-learn"])
        .expect_code(0);
    let before = sandbox.names();
    // The same review finished again: the same outputs, replaced without copies.
    let out = sandbox.run(&["finish", "q.review.xlsx", "--no-learn", "--force"]);
    out.expect_code(0);
    assert_eq!(sandbox.names(), before, "{}", out.stderr);

    let open = sandbox.path("q.open-questions.xlsx");
    patch_cell(
        &open,
        "Open questions",
        answerbank::cell::CellRef::new(1, 10),
        "asked Dana in security",
    );
    let typed = std::fs::read(&open).unwrap();
    let out = sandbox.run(&["finish", "q.review.xlsx", "--no-learn", "--force"]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("q.open-questions.1.xlsx"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(sandbox.path("q.open-questions.1.xlsx")).unwrap(),
        typed
    );
}

/// The sheet and cell of a question draft left unanswered.
fn first_empty_answer_cell(review: &Path) -> (String, answerbank::cell::CellRef) {
    let (_, rows) = answerbank::workbook::review::read_review(review).unwrap();
    let row = rows
        .iter()
        .find(|r| !r.written && r.cells.iter().all(|c| c.current.is_empty()))
        .expect("a question left open");
    (row.sheet.clone(), row.cells[0].cell)
}

/// One cell typed into a workbook, with the project's own writer (as a person saving it would leave it).
fn patch_cell(workbook: &Path, sheet: &str, cell: answerbank::cell::CellRef, text: &str) {
    let edit = answerbank::workbook::patch::CellEdit {
        cell,
        text: text.to_string(),
    };
    crate::review::patch_sheet(workbook, sheet, vec![edit]);
}

/// Runs a command with stdout and stderr on a pipe whose reader is already gone (`answerbank ... 2>&1 | head -0`).
fn run_into_closed_pipe(sandbox: &Sandbox, args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = sandbox
        .command(args)
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .status()
        .unwrap();
    status.code().unwrap_or(-1)
}

#[test]
fn no_command_panics_on_a_closed_pipe() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    sandbox.fixture("answered.xlsx");
    sandbox.run(&["draft", "q.xlsx"]).expect_code(0);
    decide(
        &sandbox.path("q.review.xlsx"),
        &[(4, "Reject", ""), (5, "Needs SME", "")],
    );
    let commands: &[&[&str]] = &[
        &["search", "encryption at rest"],
        &["search", "encryption at rest", "--json"],
        &["check"],
        &["check", "--json"],
        &["columns", "q.xlsx"],
        &["columns", "q.xlsx", "--json"],
        &["import", "answered.xlsx", "--dry-run"],
        &["approve", "--all", "--dry-run"],
        &["draft", "q.xlsx", "--out-dir", "piped", "--json"],
        &["finish", "q.review.xlsx", "--no-learn", "--force"],
        &["finish", "q.review.xlsx", "--no-learn", "--force", "--json"],
        &["model", "status", "--no-model"],
        &["init", "fresh"],
        &["search", "no such command"],
    ];
    for args in commands {
        // The exit code of the same command, run into a reader that keeps reading.
        let expected = sandbox.run(args).code;
        // Outputs it writes must be writable again.
        let _ = std::fs::remove_dir_all(sandbox.path("piped"));
        let _ = std::fs::remove_dir_all(sandbox.path("fresh"));
        let code = run_into_closed_pipe(&sandbox, args);
        assert_ne!(code, 101, "{args:?} panicked on a closed pipe");
        // A closed stdout ends a command early, as success (`rg ... | head`); a closed stderr changes nothing.
        assert!(
            code == expected || code == 0,
            "{args:?}: exit code {code} on a closed pipe, {expected} otherwise"
        );
        if args[0] == "draft" {
            // The work was still done: the draft's outputs are there.
            assert!(sandbox.path("piped/q.review.xlsx").exists());
        }
    }
}

#[test]
fn a_full_disk_is_a_clean_error_that_leaves_nothing_behind() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    // stdout on a full device.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    if let Ok(full) = full {
        let out = sandbox
            .command(&["search", "encryption at rest", "--json"])
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("No space left on device"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Outputs on a file system that fills up: a small tmpfs, where this machine lets the test mount one.
    let disk = sandbox.path("small-disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24k", "tmpfs"])
        .arg(&disk)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        not_run(
            "a_full_disk_is_a_clean_error_that_leaves_nothing_behind: cannot mount a tmpfs here (not root)",
        );
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&disk);
    let out = sandbox.run(&["draft", "q.xlsx", "--out-dir", "small-disk"]);
    out.expect_clean_error("No space left on device");
    let left: Vec<_> = std::fs::read_dir(&disk).unwrap().collect();
    assert!(left.is_empty(), "a failed draft leaves nothing: {left:?}");
}

/// Learning records what happened: an Accept that could not be written (a template never filled in) is not recorded
/// as accepted; entries learned from field labels get ids from all their words, without the `*` marker.
#[test]
fn learning_records_what_happened() {
    let sandbox = Sandbox::new();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Vendor").unwrap();
    for (col, text) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write(0, col as u16, *text).unwrap();
    }
    for (row, (id, question)) in [
        ("V-01", "Do you have a documented access review procedure?*"),
        ("V-02", "Solution Provider Name*"),
        ("V-03", "1.3 Do you keep audit logs for a year?"),
    ]
    .iter()
    .enumerate()
    {
        sheet.write(row as u32 + 1, 0, *id).unwrap();
        sheet.write(row as u32 + 1, 1, *question).unwrap();
    }
    workbook.save(sandbox.path("vendor.xlsx")).unwrap();
    sandbox.write("lib/library.toml", "review_every_days = 365\n");
    sandbox.write(
        "lib/access-review.md",
        &entry(
            "Do you have a documented access review procedure?",
            "short_answer = \"Yes\"\nstatus = \"proposed\"\n",
            "Yes. Our {{access review procedure}} is documented in {{where}}.",
        ),
    );
    sandbox
        .run(&["draft", "vendor.xlsx", "--library", "lib", "--no-model"])
        .expect_code(0);
    let review = sandbox.path("vendor.review.xlsx");
    let (_, rows) = answerbank::workbook::review::read_review(&review).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.question.as_str()).collect::<Vec<_>>(),
        [
            "Do you have a documented access review procedure?",
            "Solution Provider Name",
            "Do you keep audit logs for a year?"
        ],
        "markers and numbering are not part of a question"
    );
    // An unfilled template is never the drafted entry (#25): it is offered in the notes only.
    assert_eq!(rows[0].matched_id, None);
    let template_before = std::fs::read(sandbox.path("lib/access-review.md")).unwrap();
    decide(
        &review,
        &[(1, "Accept", ""), (2, "", "Acme Analytics Ltd.")],
    );
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--library", "lib", "--json"]);
    out.expect_code(1); // the Accept has nothing to accept: not applied, and finish says so
    let report = out.json();
    assert_eq!(
        std::fs::read(sandbox.path("lib/access-review.md")).unwrap(),
        template_before,
        "nothing is recorded on the template"
    );
    assert_eq!(
        report["entries"],
        serde_json::json!(["solution-provider-name"])
    );
    let learned =
        std::fs::read_to_string(sandbox.path("lib/learned/solution-provider-name.md")).unwrap();
    assert!(
        learned.contains("question = \"Solution Provider Name\"\n"),
        "{learned}"
    );
}
