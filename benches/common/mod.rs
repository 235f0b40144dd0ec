//! What the benches share: running a case in a child process of its own (so its peak memory is its own) and
//! finding the model directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs one case in a child process of its own and reads the JSON line it prints.
pub fn run_child(exe: &Path, args: &[&str]) -> BTreeMap<String, f64> {
    let output = Command::new(exe).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(String::from_utf8(output.stdout).unwrap().trim()).unwrap()
}

/// The model directory: `--model DIR`, else `ANSWERBANK_TEST_MODEL`.
pub fn model_arg(args: &[String]) -> Option<PathBuf> {
    args.iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("ANSWERBANK_TEST_MODEL").map(PathBuf::from))
}
