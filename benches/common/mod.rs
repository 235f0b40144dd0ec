//! What the benches share: running a case in a child process of its own (so its peak memory is its own), that
//! process's peak memory, and finding the model directory.

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

/// Peak resident memory of this process in MB, from /proc (Linux; 0 elsewhere).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
