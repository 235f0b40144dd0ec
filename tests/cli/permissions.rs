//! Files keep their permissions (#16): outputs and new library entries get the mode the user's umask gives any new
//! file, not a temp file's owner-only 0600, and a file answerbank rewrites keeps its own mode, so colleagues on a
//! shared drive or repository can still read them.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use answerbank::matching::Confidence;

use crate::finish::decide;
use crate::util::Sandbox;
use crate::util::snapshot;

/// A file's mode, in octal as `ls -l` and `chmod` think of it.
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    format!("{mode:o}")
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The mode a new file gets under this process's umask (which answerbank inherits), as the standard library
/// creates one.
fn usual_mode(sandbox: &Sandbox) -> String {
    let reference = sandbox.write("reference.txt", "");
    let usual = mode(&reference);
    std::fs::remove_file(reference).unwrap();
    assert_ne!(
        usual, "600",
        "this test needs a umask that lets others read new files"
    );
    usual
}

/// The library file of the entry `id`.
fn entry_file(library: &Path, id: &str) -> PathBuf {
    snapshot(library)
        .into_keys()
        .find(|p| p.file_stem().unwrap() == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

#[test]
fn draft_and_finish_outputs_and_learned_entries() {
    let sandbox = Sandbox::new();
    let library = sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    let usual = usual_mode(&sandbox);

    sandbox.run(&["draft", "vendor.xlsx"]).expect_code(0);
    let drafted = sandbox.path("vendor.drafted.xlsx");
    let review = sandbox.path("vendor.review.xlsx");
    assert_eq!(mode(&drafted), usual);
    assert_eq!(mode(&review), usual);
    // Replaced with --force, a file keeps the mode someone gave it.
    set_mode(&drafted, 0o664);
    sandbox
        .run(&["draft", "vendor.xlsx", "--force"])
        .expect_code(0);
    assert_eq!(mode(&drafted), "664");
    assert_eq!(mode(&review), usual);

    // finish: an accepted medium draft is learned into its entry (rewritten in place), an edited one becomes a
    // new entry under learned/.
    let (_, rows) = answerbank::workbook::review::read_review(&review).unwrap();
    let medium: Vec<_> = rows
        .iter()
        .filter(|r| r.confidence == Confidence::Medium && !r.written)
        .collect();
    let (accepted, edited) = (medium[0], medium[1]);
    let accepted_file = entry_file(&library, accepted.matched_id.as_deref().unwrap());
    set_mode(&accepted_file, 0o664);
    let before = std::fs::read_to_string(&accepted_file).unwrap();
    decide(
        &review,
        &[
            (accepted.number, "Accept", ""),
            (edited.number, "Edit", "No. Not for this customer."),
        ],
    );
    let out = sandbox.run(&["finish", "vendor.review.xlsx", "--json"]);
    out.expect_code(0);
    assert_eq!(mode(&sandbox.path("vendor.answered.xlsx")), usual);
    assert_ne!(
        std::fs::read_to_string(&accepted_file).unwrap(),
        before,
        "the accepted entry was rewritten"
    );
    assert_eq!(mode(&accepted_file), "664");
    let new_entry = out.json()["entries"][0].as_str().unwrap().to_string();
    assert_eq!(
        mode(&library.join(format!("learned/{new_entry}.md"))),
        usual
    );
}

#[test]
fn imported_entries_and_entries_that_gain_an_alternate() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("lib")).unwrap();
    let usual = usual_mode(&sandbox);
    // Three answers; the second questionnaire asks the first in other words, with the same answer.
    let past = |name: &str, encryption: &str| {
        sandbox.write(
            name,
            &format!(
                "Question,Answer,Comments\n{encryption},Yes,AES-256 everywhere.\n\
                 Do you run annual penetration tests?,Yes,By an outside firm.\n\
                 Is there a bug bounty programme?,No,Not yet.\n"
            ),
        );
    };
    past("first.csv", "Do you encrypt customer data at rest?");
    past("second.csv", "Is customer data encrypted at rest?");
    sandbox
        .run(&["import", "first.csv", "--library", "lib", "--approve"])
        .expect_code(0);
    let files: Vec<PathBuf> = snapshot(&sandbox.path("lib")).into_keys().collect();
    assert_eq!(files.len(), 3, "{files:?}");
    for file in &files {
        assert_eq!(mode(file), usual, "{}", file.display());
    }
    let encryption = files
        .iter()
        .find(|f| std::fs::read_to_string(f).unwrap().contains("AES-256"))
        .unwrap();

    // The second wording of the same answer is added to the entry as an alternate: the file is rewritten.
    set_mode(encryption, 0o640);
    let before = std::fs::read_to_string(encryption).unwrap();
    let out = sandbox.run(&["import", "second.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["alternates_added"], 1, "{}", out.stdout);
    assert_ne!(std::fs::read_to_string(encryption).unwrap(), before);
    assert_eq!(mode(encryption), "640");
}
