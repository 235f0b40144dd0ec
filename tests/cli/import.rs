//! `answerbank import` (#6, #17): past questionnaires in, entries a team can live with out: short answers in every
//! spelling, dates that mean something, readable ids, re-imports that change nothing, only answers imported, and
//! the path from proposed to approved.

use crate::util::Sandbox;

#[test]
fn draft_says_which_matches_wait_for_approval_and_how_to_approve_them() {
    let sandbox = Sandbox::new();
    sandbox.fixture("answered.xlsx");
    sandbox
        .run(&["import", "answered.xlsx", "--library", "lib"])
        .expect_code(0);
    let draft = || {
        sandbox.run(&[
            "draft",
            "answered.xlsx",
            "--library",
            "lib",
            "--overwrite",
            "--force",
            "--json",
        ])
    };
    let out = draft();
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["bands"]["high"], 0, "{report}");
    assert_eq!(report["held_back"]["questions"], 12, "{report}");
    assert!(
        out.stderr.contains(
            "12 matches were held back at medium because their entries (12) are proposed"
        ) && out
            .stderr
            .contains("answerbank approve --library lib --source answered.xlsx"),
        "{}",
        out.stderr
    );
    // The command it gives does what it says.
    sandbox
        .run(&["approve", "--library", "lib", "--source", "answered.xlsx"])
        .expect_code(0);
    let out = draft();
    let report = out.json();
    assert_eq!(report["bands"]["high"], 12, "{report}");
    assert_eq!(report["held_back"]["questions"], 0, "{report}");
    assert!(!out.stderr.contains("held back"), "{}", out.stderr);
}
