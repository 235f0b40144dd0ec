//! Hostile library folders (#29): a named pipe, a link out of the folder, a huge entry and a damaged index cache
//! each cost a warning (and a `check` finding), never a hang, a walk outside the library, gigabytes or a panic.
//! The files are made here, in the test.

use std::time::Duration;

use crate::util::{Sandbox, entry, field, mkfifo};

/// Long enough for any of these commands on a tiny library, short enough that a hang fails the test quickly.
const LIMIT: Duration = Duration::from_secs(30);

/// A library (`lib/`) of two entries and a questionnaire (`q.csv`) that asks both questions.
fn small_library() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/encryption.md",
        &entry(
            "Do you encrypt customer data at rest?",
            "short_answer = \"Yes\"\n",
            "Yes, with AES-256.",
        ),
    );
    sandbox.write(
        "lib/backups.md",
        &entry(
            "Do you back up customer data daily?",
            "short_answer = \"Yes\"\n",
            "Yes, every night.",
        ),
    );
    sandbox.write(
        "q.csv",
        "Question,Answer\nDo you encrypt customer data at rest?,\nDo you back up customer data daily?,\n",
    );
    sandbox
}

/// `draft q.csv --library lib --json` within the limit: its report.
fn draft(sandbox: &Sandbox) -> (serde_json::Value, String) {
    let out = sandbox.run_within(
        &["draft", "q.csv", "--library", "lib", "--json", "--force"],
        LIMIT,
    );
    out.expect_code(0);
    (out.json(), out.stderr)
}

#[test]
fn a_named_pipe_in_the_library_is_skipped_and_never_waited_on() {
    let sandbox = small_library();
    if !mkfifo(&sandbox.path("lib/pipe.md")) {
        return;
    }
    // Among the entries: skipped with a warning (a finding for check), the rest of the library works.
    let out = sandbox.run_within(&["check", "--library", "lib", "--json"], LIMIT);
    out.expect_code(1);
    assert_eq!(
        crate::util::fields(&out.json(), &["file", "kind"]),
        [["pipe.md", "unreadable"]],
        "{}",
        out.stdout
    );
    let out = sandbox.run_within(
        &["search", "--library", "lib", "--json", "encrypt at rest"],
        LIMIT,
    );
    out.expect_code(0);
    assert_eq!(field(&out.json(), "id")[0], "encryption");
    assert!(
        out.stderr
            .contains("skipped pipe.md: unreadable: not a regular file (a named pipe"),
        "{}",
        out.stderr
    );
    let (report, stderr) = draft(&sandbox);
    assert_eq!(report["written"], 2, "{report}");
    assert!(stderr.contains("skipped pipe.md"), "{stderr}");

    // As library.toml: a clear error for every command.
    std::fs::remove_file(sandbox.path("lib/pipe.md")).unwrap();
    assert!(mkfifo(&sandbox.path("lib/library.toml")));
    for args in [
        &["check", "--library", "lib"][..],
        &["search", "--library", "lib", "encrypt"],
        &["draft", "q.csv", "--library", "lib", "--force"],
    ] {
        sandbox
            .run_within(args, LIMIT)
            .expect_clean_error("library.toml: it is not a regular file (a named pipe");
    }
}

#[test]
fn links_out_of_the_library_are_not_followed() {
    let sandbox = small_library();
    // An entry outside the library, and links to it, to its folder and to `/`; a link back up inside the library
    // (a loop) and a link to an entry inside it.
    sandbox.write(
        "outside/secret.md",
        &entry("Do you keep a secret?", "", "The secret."),
    );
    let link = |target: &str, at: &str| {
        std::os::unix::fs::symlink(target, sandbox.path(at)).unwrap();
    };
    link("/", "lib/root");
    link("../outside", "lib/elsewhere");
    link("../outside/secret.md", "lib/secret.md");
    std::fs::create_dir(sandbox.path("lib/topic")).unwrap();
    link("..", "lib/topic/up");
    link("../backups.md", "lib/topic/backups-copy.md");

    let out = sandbox.run_within(&["check", "--library", "lib", "--json"], LIMIT);
    out.expect_code(1);
    let findings = crate::util::fields(&out.json(), &["file", "kind"]);
    for link in ["elsewhere", "root", "secret.md"] {
        assert!(
            findings.contains(&vec![link.to_string(), "link".to_string()]),
            "{link}: {findings:?}"
        );
    }
    // Nothing outside was read, and nothing under the loop: the one other finding is the in-library copy.
    assert_eq!(findings.len(), 4, "{}", out.stdout);
    assert!(
        !out.stdout.contains("/proc") && !out.stdout.contains("keep a secret"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("checked 3 entries"), "{}", out.stderr);

    let out = sandbox.run_within(
        &["search", "--library", "lib", "--json", "keep a secret"],
        LIMIT,
    );
    out.expect_code(0);
    assert!(
        !field(&out.json(), "id").contains(&"secret".to_string()),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains(
            "skipped root: link: a symbolic link to /, outside the library folder: not followed"
        ),
        "{}",
        out.stderr
    );
    let (report, _) = draft(&sandbox);
    assert_eq!(report["written"], 2, "{report}");
}

/// A folder of the library that is a link out of it is not written through: `finish` refuses to learn there.
#[test]
fn finish_writes_no_new_entry_through_a_link_out_of_the_library() {
    let sandbox = small_library();
    std::fs::create_dir(sandbox.path("outside")).unwrap();
    std::os::unix::fs::symlink("../outside", sandbox.path("lib/learned")).unwrap();
    draft(&sandbox);
    crate::finish::decide(
        &sandbox.path("q.csv.review.xlsx"),
        &[(1, "Edit", "No. Not yet.")],
    );
    let out = sandbox.run_within(&["finish", "q.csv.review.xlsx", "--library", "lib"], LIMIT);
    out.expect_clean_error("leads out of the library folder");
    assert_eq!(
        std::fs::read_dir(sandbox.path("outside")).unwrap().count(),
        0,
        "nothing is written outside the library"
    );
}

#[test]
fn an_answer_file_over_1_mb_is_skipped_and_the_rest_is_drafted() {
    let sandbox = small_library();
    let body = "We keep detailed records of every change. ".repeat(36_000);
    assert!(body.len() > 1_500_000);
    sandbox.write(
        "lib/huge.md",
        &entry("Do you keep change records?", "", &body),
    );
    let out = sandbox.run_within(&["check", "--library", "lib", "--json"], LIMIT);
    out.expect_code(1);
    let findings = out.json();
    assert_eq!(
        crate::util::fields(&findings, &["file", "kind"]),
        [["huge.md", "too-large"]],
        "{findings}"
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the file is larger than 1 MB"),
        "{findings}"
    );
    let (report, stderr) = draft(&sandbox);
    assert_eq!(report["written"], 2, "{report}");
    assert!(stderr.contains("skipped huge.md: too-large"), "{stderr}");
}

/// See #29: one flipped bit in a term dictionary made Tantivy panic (exit 101) on every later search, while
/// `check` saw no problem. Each of ten flips, at places a seed picks, is caught by the files' checksums: `check`
/// reports the cache, and the next search rebuilds it with a warning and finds what it should.
#[test]
fn a_damaged_index_cache_is_rebuilt_with_a_warning_and_check_reports_it() {
    let sandbox = small_library();
    let search = || {
        sandbox.run_within(
            &["search", "--library", "lib", "--json", "encrypt at rest"],
            LIMIT,
        )
    };
    search().expect_code(0);
    let index = sandbox.path("lib/.answerbank/index");
    let pristine: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let largest_term = pristine
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "term"))
        .max_by_key(|(_, b)| b.len())
        .expect("the index has a term dictionary")
        .clone();
    let mut seed: u64 = 29;
    for flip in 0..10 {
        for (path, bytes) in &pristine {
            std::fs::write(path, bytes).unwrap();
        }
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (path, mut bytes) = largest_term.clone();
        let at = (seed >> 33) as usize % bytes.len();
        bytes[at] ^= 1 << (seed >> 29 & 7);
        std::fs::write(&path, &bytes).unwrap();

        if flip == 0 {
            let out = sandbox.run_within(&["check", "--library", "lib", "--json"], LIMIT);
            out.expect_code(1);
            let findings = out.json();
            assert_eq!(
                crate::util::fields(&findings, &["file", "kind"]),
                [[".answerbank", "cache"]],
                "{findings}"
            );
            assert!(
                findings[0]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("the index cache is damaged ("),
                "{findings}"
            );
        }
        let out = search();
        assert!(
            !out.stderr.contains("panicked"),
            "flip {flip}: {}",
            out.stderr
        );
        out.expect_code(0);
        assert!(
            out.stderr.contains("was damaged") && out.stderr.contains("rebuilt it"),
            "flip {flip} (byte {at}): {}",
            out.stderr
        );
        assert_eq!(field(&out.json(), "id")[0], "encryption");
    }
    // Rebuilt, the cache is sound again: no warning, and check is content.
    let out = search();
    assert!(!out.stderr.contains("damaged"), "{}", out.stderr);
    sandbox
        .run_within(&["check", "--library", "lib"], LIMIT)
        .expect_code(0);
}
