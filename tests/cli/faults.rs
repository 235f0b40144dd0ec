//! The library survives faults (#7): a kill in the middle of `import` never leaves a half-written entry, and
//! processes working on one library at once do not corrupt it.

use std::process::Stdio;
use std::time::Duration;

use crate::util::{Sandbox, field};

/// A past questionnaire with `n` answered questions, each distinct.
fn answered_questionnaire(sandbox: &Sandbox, name: &str, n: usize, salt: &str) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, h) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for i in 0..n {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, format!("{salt}-{i}")).unwrap();
        sheet
            .write_string(
                r,
                1,
                format!(
                    "Do you review control {salt} number {} every quarter?",
                    i + 100
                ),
            )
            .unwrap();
        sheet
            .write_string(r, 2, if i % 2 == 0 { "Yes" } else { "No" })
            .unwrap();
        sheet
            .write_string(
                r,
                3,
                format!("Control {salt} {i} is reviewed by the security team."),
            )
            .unwrap();
    }
    workbook.save(sandbox.path(name)).unwrap();
}

fn check_kinds(sandbox: &Sandbox) -> Vec<String> {
    let out = sandbox.run(&["check", "--library", "lib", "--json"]);
    assert!(out.code == 0 || out.code == 1, "{out:?}");
    field(&out.json(), "kind")
}

#[test]
fn a_killed_import_leaves_only_whole_entries() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("lib")).unwrap();
    answered_questionnaire(&sandbox, "past.xlsx", 1_500, "KILL");
    for delay_ms in [40, 90, 150, 230, 320, 450, 600] {
        let mut child = sandbox
            .command(&["import", "past.xlsx", "--library", "lib"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let kinds = check_kinds(&sandbox);
        assert!(
            kinds.iter().all(|k| k == "proposed" || k == "empty"),
            "after a kill at {delay_ms} ms: {kinds:?}"
        );
    }
    // A full run afterwards completes the import, with no duplicates of what the killed runs wrote.
    let out = sandbox.run(&["import", "past.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    let kinds = check_kinds(&sandbox);
    assert_eq!(
        kinds.iter().filter(|k| *k == "proposed").count(),
        1_500,
        "every entry once"
    );
    assert!(kinds.iter().all(|k| k == "proposed"), "{kinds:?}");
}

#[test]
fn processes_sharing_a_library_do_not_corrupt_it() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("lib")).unwrap();
    for i in 0..3 {
        answered_questionnaire(&sandbox, &format!("past{i}.xlsx"), 150, &format!("P{i}"));
    }
    let mut children = Vec::new();
    for i in 0..3 {
        for args in [
            vec!["import".to_string(), format!("past{i}.xlsx")],
            vec!["search".to_string(), "control reviewed".to_string()],
        ] {
            let mut command = sandbox.command(&[]);
            command
                .args(&args)
                .args(["--library", "lib"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            children.push((args.join(" "), command.spawn().unwrap()));
        }
    }
    for (what, child) in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A search may find the library empty before any import landed; nothing may fail otherwise.
        assert!(
            output.status.success()
                || (what.starts_with("search") && stderr.contains("no usable answer files")),
            "{what}: {stderr}"
        );
    }
    let kinds = check_kinds(&sandbox);
    assert_eq!(kinds.len(), 450, "{kinds:?}");
    assert!(kinds.iter().all(|k| k == "proposed"));
    let out = sandbox.run(&[
        "search",
        "--library",
        "lib",
        "--json",
        "Do you review control P2 number 217 every quarter?",
    ]);
    out.expect_code(0);
    // The entry imported from row P2-117, whose id is made from its question's words (#17).
    assert_eq!(out.json()[0]["id"], "review-control-p2-number-217");
}
