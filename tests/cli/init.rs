//! `answerbank init` (#16): a new library that works at once, explains itself, keeps its cache out of git, and
//! never replaces a library that is there.

use std::process::Command;

use crate::util::snapshot;
use crate::util::{Sandbox, entry, field, not_run};

/// Whether git ignores `rel` in the sandbox (made a git repository), or `None` without git.
fn git_ignores(sandbox: &Sandbox, rel: &str) -> Option<bool> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(sandbox.root())
            .args(args)
            .output()
            .ok()
    };
    git(&["init", "-q"])?;
    let out = git(&["check-ignore", "-q", rel])?;
    Some(out.status.success())
}

#[test]
fn init_starts_a_library_that_works_and_explains_itself() {
    let sandbox = Sandbox::new();
    let out = sandbox.run(&["init"]);
    out.expect_code(0);
    assert!(
        out.stderr
            .contains("started the answer library answer_library"),
        "{}",
        out.stderr
    );
    let files: Vec<String> = snapshot(&sandbox.path("answer_library"))
        .into_keys()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["example-encryption-at-rest.md", "library.toml"]);
    assert_eq!(
        std::fs::read_to_string(sandbox.path("answer_library/.gitignore")).unwrap(),
        "# answerbank's index cache: rebuilt from the answer files whenever they change.\n.answerbank/\n"
    );
    let settings = std::fs::read_to_string(sandbox.path("answer_library/library.toml")).unwrap();
    for key in [
        "# review_every_days = 365",
        "# synonyms = [",
        "# default_synonyms = true",
        "# stop_phrases = [",
        "# [semantic]",
        "# model = ",
    ] {
        assert!(settings.contains(key), "{key} is not in:\n{settings}");
    }

    // The library is usable at once: check finds only the example waiting for a person, search finds it, and
    // it is never drafted at high confidence.
    let out = sandbox.run(&["check", "--json"]);
    out.expect_code(1);
    assert_eq!(field(&out.json(), "kind"), ["proposed"], "{}", out.stdout);
    let out = sandbox.run(&["search", "--json", "Do you encrypt customer data at rest?"]);
    out.expect_code(0);
    assert_eq!(out.json()[0]["id"], "example-encryption-at-rest");
    assert_ne!(out.json()[0]["confidence"], "high", "{}", out.stdout);

    // A second init changes nothing.
    let before = snapshot(&sandbox.path("answer_library"));
    let out = sandbox.run(&["init"]);
    out.expect_clean_error("answer_library is already an answer library");
    assert_eq!(snapshot(&sandbox.path("answer_library")), before);

    // A named folder, and a folder of answer files that has no library.toml.
    sandbox.run(&["init", "ours"]).expect_code(0);
    assert!(sandbox.path("ours/library.toml").exists());
    sandbox.write("theirs/mfa.md", &entry("Do you use MFA?", "", "Yes."));
    sandbox
        .run(&["init", "theirs"])
        .expect_clean_error("theirs already holds answer files (mfa.md)");
    assert!(!sandbox.path("theirs/library.toml").exists());
}

/// A library answerbank did not start gets its cache kept out of git too: the cache folder ignores itself.
#[test]
fn the_cache_folder_keeps_itself_out_of_git() {
    let sandbox = Sandbox::new();
    sandbox.write("lib/mfa.md", &entry("Do you use MFA?", "", "Yes."));
    sandbox
        .run(&["search", "--library", "lib", "MFA"])
        .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(sandbox.path("lib/.answerbank/.gitignore")).unwrap(),
        "# answerbank's cache, rebuilt from the library files: never committed.\n*\n"
    );
    match git_ignores(&sandbox, "lib/.answerbank/manifest.json") {
        Some(ignored) => {
            assert!(ignored, "git does not ignore the cache");
            assert_eq!(git_ignores(&sandbox, "lib/mfa.md"), Some(false));
        }
        None => not_run("git is not installed: git's reading of the cache's .gitignore"),
    }
}
