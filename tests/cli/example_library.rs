//! The tests' example library is the shipped one, whatever the user did with the README (#16): the README loop
//! (`draft fixtures/example-questionnaire.xlsx --force`, review, `finish`) teaches the working tree's
//! `answer_library/`, and the tests must still get the library as the repository has it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use answerbank::matching::Confidence;

use crate::finish::decide;
use crate::util::snapshot;
use crate::util::{ExampleLibrary, Output, Sandbox, copy_example_library, not_run, repo};

/// Every file of a folder by its path inside it, with its text.
fn files(dir: &Path) -> BTreeMap<PathBuf, String> {
    snapshot(dir)
        .into_iter()
        .map(|(path, bytes)| {
            (
                path.strip_prefix(dir).unwrap().to_path_buf(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect()
}

/// `git` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// `answerbank` run in `dir`, as a user runs the README's commands from the repository's root.
fn answerbank_in(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Output {
    let out = Output::of(
        sandbox
            .command(args)
            .current_dir(dir)
            .output()
            .expect("running answerbank"),
    );
    out.expect_code(0);
    out
}

#[test]
fn the_readme_loop_does_not_change_the_tests_example_library() {
    if Command::new("git").arg("--version").output().is_err() {
        not_run("git is not installed: the README loop on a git checkout was not tried");
        return;
    }
    let sandbox = Sandbox::new();
    // A checkout of our own: the example library and questionnaire, committed.
    let checkout = sandbox.path("checkout");
    std::fs::create_dir_all(checkout.join("fixtures")).unwrap();
    copy_example_library(&repo(""), &checkout.join("answer_library")).unwrap();
    std::fs::copy(
        repo("fixtures/example-questionnaire.xlsx"),
        checkout.join("fixtures/example-questionnaire.xlsx"),
    )
    .unwrap();
    git(&checkout, &["init", "-q"]);
    git(&checkout, &["add", "."]);
    git(&checkout, &["commit", "-q", "-m", "the shipped example"]);
    let shipped = files(&checkout.join("answer_library"));
    assert!(shipped.len() > 70, "{}", shipped.len());

    // The README loop: draft, a reviewer accepts one medium draft and edits another, finish teaches.
    answerbank_in(
        &sandbox,
        &checkout,
        &["draft", "fixtures/example-questionnaire.xlsx", "--force"],
    );
    let review = checkout.join("fixtures/example-questionnaire.review.xlsx");
    let (_, rows) = answerbank::workbook::review::read_review(&review).unwrap();
    let medium: Vec<_> = rows
        .iter()
        .filter(|r| r.confidence == Confidence::Medium && !r.written)
        .collect();
    decide(
        &review,
        &[
            (medium[0].number, "Accept", ""),
            (medium[1].number, "Edit", "No. We answer this differently."),
        ],
    );
    answerbank_in(
        &sandbox,
        &checkout,
        &["finish", "fixtures/example-questionnaire.review.xlsx"],
    );
    let taught = files(&checkout.join("answer_library"));
    assert_ne!(
        taught, shipped,
        "the loop taught the working tree's library"
    );
    assert!(
        taught.keys().any(|p| p.starts_with("learned")),
        "{:?}",
        taught.keys()
    );

    // The tests' copy is the shipped library, and says the working tree differs.
    let copy = sandbox.path("copy");
    assert_eq!(
        copy_example_library(&checkout, &copy),
        Ok(ExampleLibrary::Git { changed: true })
    );
    assert_eq!(files(&copy), shipped);

    // Outside git, a library answerbank has taught is refused loudly rather than used.
    std::fs::remove_dir_all(checkout.join(".git")).unwrap();
    let err = copy_example_library(&checkout, &sandbox.path("refused")).unwrap_err();
    assert!(
        err.contains("has been changed by answerbank") && err.contains("learned"),
        "{err}"
    );
    assert!(!sandbox.path("refused").exists());
    // ... and an untouched one is used as it is.
    std::fs::remove_dir_all(checkout.join("answer_library")).unwrap();
    std::fs::rename(&copy, checkout.join("answer_library")).unwrap();
    assert_eq!(
        copy_example_library(&checkout, &sandbox.path("plain")),
        Ok(ExampleLibrary::WorkingTree)
    );
    assert_eq!(files(&sandbox.path("plain")), shipped);
}
