//! The test harness: a temp folder per test, the real binary run inside it, outputs read back.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The date tests run on, so review dates do not go stale as the calendar moves.
pub const TODAY: &str = "2026-11-27";

/// A file in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A file in the shared folder beside the repository (real questionnaires and the bench), when it is there.
/// These are third-party files that are never copied into the repository; tests that need them say so and
/// pass vacuously where they are absent, unless `ANSWERBANK_REQUIRE_SHARED=1` makes their absence a failure.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = repo("../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("ANSWERBANK_REQUIRE_SHARED").is_none(),
        "{} is required (ANSWERBANK_REQUIRE_SHARED is set) but missing",
        path.display()
    );
    eprintln!("skipping: {} is not here", path.display());
    None
}

pub struct Sandbox {
    dir: tempfile::TempDir,
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not JSON ({err}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, showing the output when it is not the expected one.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn expect_clean_error(&self, needle: &str) {
        self.expect_code(2);
        assert!(
            self.stderr.contains(needle),
            "stderr should mention {needle:?}:\n{}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        assert!(
            !self.stderr.contains("stack backtrace"),
            "backtrace:\n{}",
            self.stderr
        );
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Copies a folder from anywhere into the sandbox (cache folders left out).
    pub fn copy_dir(&self, from: &Path, rel: &str) -> PathBuf {
        let to = self.path(rel);
        copy_tree(from, &to);
        to
    }

    /// The shipped example library, copied to `answer_library/`.
    pub fn example_library(&self) -> PathBuf {
        self.copy_dir(&repo("answer_library"), "answer_library")
    }

    /// Runs `answerbank` in the sandbox.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_answerbank"));
        command
            .args(args)
            .current_dir(self.root())
            .env("ANSWERBANK_TODAY", TODAY)
            .env_remove("ANSWERBANK_LIBRARY")
            .env_remove("RUST_BACKTRACE");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("running answerbank");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let name = item.file_name();
        if name.to_string_lossy().starts_with(".answerbank") {
            continue;
        }
        let target = to.join(&name);
        if item.file_type().unwrap().is_dir() {
            copy_tree(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// An entry file's text.
pub fn entry(question: &str, extra: &str, body: &str) -> String {
    format!("+++\nquestion = {question:?}\n{extra}+++\n{body}\n")
}
