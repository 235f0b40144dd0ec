//! `answerbank import` (#6, #17): past questionnaires in, entries a team can live with out: short answers in every
//! spelling, dates that mean something, readable ids, re-imports that change nothing, only answers imported, and
//! the path from proposed to approved.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::util::{Output, Sandbox, read_values, shared, snapshot};

/// A year, month and day.
type Ymd = (u16, u8, u8);

/// Writes a one-sheet questionnaire: `title` rows first (label, value), then the header and the rows.
fn questionnaire(
    path: &Path,
    modified: Ymd,
    title: &[(&str, Option<Ymd>)],
    header: &[&str],
    rows: &[&[&str]],
) {
    let mut workbook = Workbook::new();
    let (y, m, d) = modified;
    workbook.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d).unwrap()),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("Security").unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (r, (label, date)) in title.iter().enumerate() {
        sheet.write_string(r as u32, 0, *label).unwrap();
        if let Some((y, m, d)) = date {
            sheet
                .write_datetime_with_format(
                    r as u32,
                    1,
                    ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                    &date_format,
                )
                .unwrap();
        }
    }
    let top = title.len() as u32 + 1;
    for (c, text) in header.iter().enumerate() {
        sheet.write_string(top, c as u16, *text).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(top + 1 + r as u32, c as u16, *text)
                    .unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

/// The entry files of a library folder, as text, by path.
fn entries(dir: &Path) -> Vec<(String, String)> {
    snapshot(dir)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "md"))
        .map(|(p, b)| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                String::from_utf8(b).unwrap(),
            )
        })
        .collect()
}

/// One field of each finding of one kind that `check` reports on `lib` (which has findings: exit 1).
fn check_findings(sandbox: &Sandbox, kind: &str, key: &str) -> Vec<String> {
    let out = sandbox.run(&["check", "--library", "lib", "--json"]);
    out.expect_code(1);
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f[key].as_str().unwrap().to_string())
        .collect()
}

/// The entry whose `source` names this question ID.
fn entry_for<'a>(entries: &'a [(String, String)], question_id: &str) -> &'a (String, String) {
    let needle = format!("(question {question_id})");
    entries
        .iter()
        .find(|(_, text)| text.contains(&needle))
        .unwrap_or_else(|| panic!("no entry imported from {question_id}"))
}

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

#[test]
fn import_a_past_questionnaire_twice() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("lib")).unwrap();
    sandbox.fixture("answered.xlsx");
    let out = sandbox.run(&[
        "import",
        "answered.xlsx",
        "--library",
        "lib",
        "--dry-run",
        "--json",
    ]);
    out.expect_code(0);
    assert_eq!(out.json()["entries_added"], 12);
    assert!(
        snapshot(&sandbox.path("lib")).is_empty(),
        "a dry run writes nothing"
    );

    let out = sandbox.run(&["import", "answered.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["entries_added"], 12);
    assert_eq!(report["skipped"], 1, "the unanswered row");
    let files = snapshot(&sandbox.path("lib"));
    assert_eq!(files.len(), 12);
    for text in files.values() {
        let text = String::from_utf8(text.clone()).unwrap();
        assert!(
            text.contains("status = \"proposed\"")
                && text.contains("source = \"imported from answered.xlsx, sheet 'Answers', cell"),
            "{text}"
        );
    }
    let out = sandbox.run(&["import", "answered.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["entries_added"], 0);
    assert_eq!(
        snapshot(&sandbox.path("lib")),
        files,
        "importing again changes nothing"
    );

    // The imported library answers the questionnaire it came from.
    sandbox.run(&["check", "--library", "lib"]).expect_code(1);
    let out = sandbox.run(&[
        "draft",
        "answered.xlsx",
        "--library",
        "lib",
        "--json",
        "--overwrite",
    ]);
    out.expect_code(0);
    let bands = &out.json()["bands"];
    assert_eq!(
        bands["high"], 0,
        "proposed entries are capped at medium: {}",
        out.stdout
    );
    assert!(bands["medium"].as_u64().unwrap() >= 12, "{}", out.stdout);
}

#[test]
fn import_reports_conflicts_and_keeps_new_wordings_as_alternates() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("lib")).unwrap();
    // A past questionnaire in our own words, then a second one that answers one question differently, asks
    // another in slightly different words with the same answer, and spells a third answer differently.
    let write = |name: &str, rows: &[(&str, &str, &str)]| {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, h) in ["Question", "Answer", "Comments"].iter().enumerate() {
            sheet.write_string(0, col as u16, *h).unwrap();
        }
        for (i, (q, a, c)) in rows.iter().enumerate() {
            sheet.write_string(i as u32 + 1, 0, *q).unwrap();
            sheet.write_string(i as u32 + 1, 1, *a).unwrap();
            sheet.write_string(i as u32 + 1, 2, *c).unwrap();
        }
        workbook.save(sandbox.path(name)).unwrap();
    };
    write(
        "first.xlsx",
        &[
            (
                "Do you encrypt customer data at rest?",
                "Yes",
                "AES-256 everywhere.",
            ),
            (
                "Do you run annual penetration tests?",
                "Yes",
                "By an outside firm.",
            ),
            ("Is there a bug bounty programme?", "No", "Not yet."),
        ],
    );
    write(
        "second.xlsx",
        &[
            (
                "Is customer data encrypted at rest?",
                "Yes",
                "AES-256 everywhere.",
            ),
            (
                "Do you run annual penetration tests?",
                "No",
                "We stopped in 2025.",
            ),
            // The same answer in another spelling is no conflict.
            ("Is there a bug bounty programme?", "N", "Not yet."),
        ],
    );
    // The same whether the first import was approved or is still proposed: a proposed entry is the same question
    // when the match would be high once approved.
    sandbox
        .run(&["import", "first.xlsx", "--library", "proposed"])
        .expect_code(0);
    let out = sandbox.run(&["import", "second.xlsx", "--library", "proposed", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(
        (
            &report["conflicts"],
            &report["entries_added"],
            &report["alternates_added"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{report}"
    );
    sandbox
        .run(&["import", "first.xlsx", "--library", "lib", "--approve"])
        .expect_code(0);
    let out = sandbox.run(&["import", "second.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["conflicts"], 1, "{report}");
    assert_eq!(
        report["entries_added"], 1,
        "the conflict, as a proposed entry: {report}"
    );
    assert_eq!(report["alternates_added"], 1, "{report}");
    let files = snapshot(&sandbox.path("lib"));
    let conflict = files
        .values()
        .map(|b| String::from_utf8(b.clone()).unwrap())
        .find(|t| t.contains("We stopped"))
        .unwrap();
    assert!(
        conflict.contains("status = \"proposed\"") && conflict.contains("derived_from = "),
        "{conflict}"
    );
    // `check` lists it for a person.
    assert_eq!(
        check_findings(&sandbox, "conflict", "message"),
        [
            "answers the question of `run-annual-penetration-tests` differently: keep the right answer and retire \
          the other (or reword the question if they ask different things)"
        ]
    );
}

#[test]
fn import_starts_a_library_and_keeps_clear_of_files_that_do_not_parse() {
    let first_entry = |out: &Output| {
        out.json()["entries"][0]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let sandbox = Sandbox::new();
    sandbox.write(
        "past.csv",
        "ID,Question,Answer\nSEC-09,Do you scan containers for vulnerabilities?,Yes\n",
    );
    // A dry run writes nothing, so it does not make the library either; it says what an import into an empty
    // library would add.
    let out = sandbox.run(&[
        "import",
        "past.csv",
        "--library",
        "new",
        "--dry-run",
        "--json",
    ]);
    out.expect_code(0);
    // Ids are made from the question's words (#17); the question ID stays in `source`.
    assert_eq!(first_entry(&out), "scan-containers-vulnerabilities");
    assert!(!sandbox.path("new").exists());
    let out = sandbox.run(&["import", "past.csv", "--library", "new", "--json"]);
    out.expect_code(0);
    assert_eq!(first_entry(&out), "scan-containers-vulnerabilities");
    assert!(
        std::fs::read_to_string(
            sandbox.path("new/imported/past/scan-containers-vulnerabilities.md")
        )
        .unwrap()
        .contains("source = \"imported from past.csv, sheet 'past', cell C2 (question SEC-09)\"")
    );

    // A hand-written file with that id that does not parse keeps its id.
    sandbox.write(
        "lib/scan-containers-vulnerabilities.md",
        "+++\nquestion = \"unterminated\n+++\nBody.\n",
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(first_entry(&out), "scan-containers-vulnerabilities-2");
}

#[test]
fn short_answers_in_every_spelling_readable_ids_and_the_date_the_file_gives() {
    let sandbox = Sandbox::new();
    let rows: &[&[&str]] = &[
        &[
            "SSO-1",
            "Does your solution support single sign-on (SSO) for all users?",
            "2) No",
            "",
        ],
        &[
            "MFA-1",
            "Do you enforce multi-factor authentication for administrators?",
            "1) Yes",
            "Hardware keys for every admin.",
        ],
        &["ENC-1", "Is customer data encrypted at rest?", "Y", ""],
        &[
            "PCI-1",
            "Do you store card numbers?",
            "Not Applicable",
            "None",
        ],
        &[
            "LOG-1",
            "How long do you keep audit logs?",
            "",
            "Two years, in a separate account.",
        ],
        &[
            "BCK-1",
            "Are backups restored in a test every quarter?",
            "Yes - into staging",
            "",
        ],
    ];
    questionnaire(
        &sandbox.path("past.xlsx"),
        (2025, 1, 2),
        &[
            ("Vendor security questionnaire", None),
            ("Date", Some((2023, 5, 17))),
        ],
        &["ID", "Question", "Answer", "Comments"],
        rows,
    );
    let out = sandbox.run(&["import", "past.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["entries_added"], 6, "{report}");
    assert_eq!(
        report["reviewed"], "2023-05-17",
        "the Date field, not the file's"
    );
    assert_eq!(report["reviewed_from"], "sheet 'Security', cell B2");
    assert!(
        out.stderr.contains("6 entries are proposed")
            && out
                .stderr
                .contains("answerbank approve --library lib --source past.xlsx"),
        "{}",
        out.stderr
    );
    let files = entries(&sandbox.path("lib"));
    let expect = |question_id: &str, path: &str, short: Option<&str>, body: &str| {
        let (file, text) = entry_for(&files, question_id);
        assert_eq!(file, &format!("imported/past/{path}.md"), "{text}");
        let entry = answerbank::library::entry::parse_entry("x", "x.md", text).unwrap();
        assert_eq!(entry.short_answer.as_deref(), short, "{text}");
        assert_eq!(entry.body, body, "{text}");
        assert_eq!(entry.reviewed.unwrap().to_string(), "2023-05-17");
    };
    expect("SSO-1", "support-sso-users", Some("No"), "No.");
    expect(
        "MFA-1",
        "enforce-multi-factor-authentication",
        Some("Yes"),
        "Hardware keys for every admin.",
    );
    expect(
        "ENC-1",
        "customer-data-encrypted-at-rest",
        Some("Yes"),
        "Yes.",
    );
    expect("PCI-1", "store-card-numbers", Some("N/A"), "None");
    expect(
        "LOG-1",
        "long-keep-audit-logs",
        None,
        "Two years, in a separate account.",
    );
    expect(
        "BCK-1",
        "backups-restored-test-every-quarter",
        Some("Yes"),
        "Yes - into staging",
    );

    // Drafted into a blank copy whose Answer dropdown numbers its options: the dropdown's spelling in C, and
    // nothing in Comments where the answer says no more than its Yes/No.
    sandbox
        .run(&["approve", "--library", "lib", "--all"])
        .expect_code(0);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Security").unwrap();
    for (c, text) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write_string(0, c as u16, *text).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 0, cells[0]).unwrap();
        sheet.write_string(r as u32 + 1, 1, cells[1]).unwrap();
    }
    let list = rust_xlsxwriter::DataValidation::new()
        .allow_list_strings(&["1) Yes", "2) No", "3) Not Applicable"])
        .unwrap();
    sheet.add_data_validation(1, 2, 6, 2, &list).unwrap();
    workbook.save(sandbox.path("blank.xlsx")).unwrap();
    sandbox
        .run(&["draft", "blank.xlsx", "--library", "lib"])
        .expect_code(0);
    let values = read_values(&sandbox.path("blank.drafted.xlsx"), "Security");
    let cell = |at: &str| values.get(at).map(String::as_str);
    assert_eq!(cell("C2"), Some("2) No"));
    assert_eq!(cell("D2"), None, "no bare No in Comments");
    assert_eq!(cell("C3"), Some("1) Yes"));
    assert_eq!(cell("D3"), Some("Hardware keys for every admin."));
    assert_eq!(cell("C4"), Some("1) Yes"));
    assert_eq!(cell("D4"), None);
    assert_eq!(cell("C5"), Some("3) Not Applicable"));
    assert_eq!(cell("D5"), None, "no bare None in Comments");
    assert_eq!(cell("C6"), None);
    assert_eq!(cell("D6"), Some("Two years, in a separate account."));
    assert_eq!(cell("C7"), Some("1) Yes"));
    assert_eq!(cell("D7"), Some("Yes - into staging"));
}

#[test]
fn without_a_date_field_the_workbook_or_file_date_is_used_and_old_answers_are_stale() {
    let sandbox = Sandbox::new();
    questionnaire(
        &sandbox.path("undated.xlsx"),
        (2021, 3, 4),
        &[("Vendor security questionnaire", None)],
        &["Question", "Answer"],
        &[&["Do you run annual penetration tests?", "Yes"]],
    );
    let csv = sandbox.write(
        "past.csv",
        "Question,Answer\nDo you keep an asset inventory?,Yes\n",
    );
    // 2020-02-03 12:00 UTC.
    std::fs::File::options()
        .write(true)
        .open(&csv)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_580_731_200))
        .unwrap();
    let out = sandbox.run(&["import", "undated.xlsx", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["reviewed"], "2021-03-04");
    assert_eq!(
        out.json()["reviewed_from"],
        "the workbook's document properties (last modified)"
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["reviewed"], "2020-02-03");
    assert_eq!(out.json()["reviewed_from"], "the file's modification time");

    // Answers given years ago are stale.
    assert_eq!(
        check_findings(&sandbox, "stale", "file"),
        [
            "imported/past/keep-asset-inventory.md",
            "imported/undated/run-annual-penetration-tests.md"
        ]
    );
}

#[test]
fn importing_rewordings_of_the_librarys_own_answers_adds_no_conflict() {
    // fixtures/answered.xlsx answers as the example library does, in shorter words and other spellings.
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture("answered.xlsx");
    let library_before = snapshot(&sandbox.path("answer_library"));
    let out = sandbox.run(&["import", "answered.xlsx", "--dry-run"]);
    out.expect_code(0);
    // A dry run shows what it read.
    assert!(
        out.stdout.contains("sheet 'Answers':")
            && out.stdout.contains(
                "Do you have a SOC 2 Type II report? → Yes: Our SOC 2 Type II report covers"
            ),
        "{}",
        out.stdout
    );
    assert_eq!(snapshot(&sandbox.path("answer_library")), library_before);
    let out = sandbox.run(&["import", "answered.xlsx", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["conflicts"], 0, "{report}");
    assert_eq!(report["already_known"], 10, "{report}");
    // "What are your RTO and RPO?" is not the library's yes/no DR question: a new entry, not a conflict. "Is
    // there human oversight of decisions made by your AI features?" says "features" where the library's wording
    // does not: close, but not the same question by #14's rule, so it is a new proposed entry for a person to
    // merge, never an alternate made high on its own.
    assert_eq!(
        report["entries"],
        serde_json::json!(["rto-rpo", "human-oversight-decisions-made-ai"]),
        "{report}"
    );
}

/// Spellings a comments cell must never hold alone (written by hand for this test).
const BARE: &[&str] = &[
    "yes",
    "yes.",
    "no",
    "no.",
    "none",
    "n/a",
    "na",
    "n/a.",
    "not applicable",
    "1) yes",
    "2) no",
];

/// The cells `draft` wrote outside column `short_column`, each with its text.
fn written_outside(
    blank: &Path,
    drafted: &Path,
    short_column: &str,
) -> Vec<(String, String, String)> {
    use calamine::Reader;
    let mut out = Vec::new();
    let sheets = calamine::open_workbook_auto(drafted).unwrap().sheet_names();
    for sheet in sheets {
        let before = read_values(blank, &sheet);
        for (cell, text) in read_values(drafted, &sheet) {
            let column: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
            if before.get(&cell) != Some(&text) && column != short_column {
                out.push((sheet.clone(), cell, text));
            }
        }
    }
    out
}

#[test]
fn the_real_completed_questionnaires_become_a_library_that_drafts_the_new_versions() {
    let (Some(hecvat3), Some(caiq), Some(hecvat4_blank), Some(caiq_blank)) = (
        shared("questionnaires/HECVAT3_OpenDSA_completed_2022-08-30.xlsx"),
        shared("questionnaires/CAIQv4.0.3_WhitePact_completed.xlsx"),
        shared("questionnaires/EDUCAUSE_HECVAT_4.1.4_blank.xlsx"),
        shared("questionnaires/CSA_CAIQv4.0.3_STAR-Security-Questionnaire_2024-06-03.xlsx"),
    ) else {
        return;
    };
    let sandbox = Sandbox::new();
    let import = |file: &Path| {
        let out = sandbox.run(&[
            "import",
            file.to_str().unwrap(),
            "--library",
            "lib",
            "--json",
        ]);
        out.expect_code(0);
        out.json()
    };

    // HECVAT 3: every answered row of 'HECVAT - Full' (180), dated by its DATE-01 cell.
    let report = import(&hecvat3);
    assert_eq!(report["entries_added"], 180, "{report}");
    assert_eq!(report["conflicts"], 0, "{report}");
    assert_eq!(report["reviewed"], "2022-08-30");
    let files = entries(&sandbox.path("lib"));
    let entry = |question_id: &str| {
        let (_, text) = entry_for(&files, question_id);
        answerbank::library::entry::parse_entry("x", "x.md", text).unwrap()
    };
    // "2) No" and "1) Yes" are short answers; a bare Yes/No is a short answer with that answer as its body.
    let sso = entry("AAAI-01");
    assert_eq!(
        (sso.short_answer.as_deref(), sso.body.as_str()),
        (Some("No"), "No.")
    );
    let local = entry("AAAI-02");
    assert_eq!(local.short_answer.as_deref(), Some("Yes"));
    assert_eq!(entry("APPL-01").short_answer.as_deref(), Some("Yes"));
    assert_eq!(
        entry("APPL-04").short_answer.as_deref(),
        Some("No"),
        "spelled 'no'"
    );
    let (sso_file, _) = entry_for(&files, "AAAI-01");
    assert_eq!(
        sso_file,
        "imported/hecvat3-opendsa-completed-2022-08-30/support-sso-protocols-user-administrator.md"
    );
    // No entry is named after a question ID.
    assert!(
        files.iter().all(|(path, _)| !path.contains("/aaai-")
            && !path.contains("/gnrl-")
            && !path.contains("/a-a-")),
        "ids come from the questions' words"
    );

    // CAIQ v4.0.3 answered by WhitePact: every row, short answer and explanation as in the sheet.
    let report = import(&caiq);
    assert_eq!(report["entries_added"], 261, "{report}");
    assert_eq!(report["conflicts"], 0, "{report}");
    let values = read_values(&caiq, "CAIQv4.0.3");
    let files = entries(&sandbox.path("lib"));
    for r in 3..=263 {
        let question_id = &values[&format!("A{r}")];
        let (_, text) = entry_for(&files, question_id);
        let entry = answerbank::library::entry::parse_entry("x", "x.md", text).unwrap();
        let expected = values[&format!("C{r}")].replace("NA", "N/A");
        assert_eq!(
            entry.short_answer.as_deref(),
            Some(expected.as_str()),
            "{question_id}"
        );
        assert_eq!(
            entry.body.split_whitespace().collect::<Vec<_>>(),
            values[&format!("E{r}")]
                .split_whitespace()
                .collect::<Vec<_>>(),
            "{question_id}"
        );
    }

    // One command approves it all.
    let out = sandbox.run(&["approve", "--library", "lib", "--all", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["approved"].as_array().unwrap().len(), 441);

    // The new versions, drafted.
    let draft = |blank: &Path, name: &str| {
        std::fs::copy(blank, sandbox.path(name)).unwrap();
        let out = sandbox.run(&["draft", name, "--library", "lib", "--json"]);
        out.expect_code(0);
        out.json()
    };
    let report = draft(&caiq_blank, "caiq.xlsx");
    assert_eq!(
        report["bands"]["high"], 261,
        "the CAIQ draft is all high: {report}"
    );
    let report = draft(&hecvat4_blank, "hecvat4.xlsx");
    assert!(report["drafted"].as_u64().unwrap() >= 100, "{report}");
    for (blank, drafted) in [
        ("caiq.xlsx", "caiq.drafted.xlsx"),
        ("hecvat4.xlsx", "hecvat4.drafted.xlsx"),
    ] {
        let comments = written_outside(&sandbox.path(blank), &sandbox.path(drafted), "C");
        assert!(!comments.is_empty());
        let bare: Vec<_> = comments
            .iter()
            .filter(|(_, _, text)| BARE.contains(&text.trim().to_lowercase().as_str()))
            .collect();
        assert!(bare.is_empty(), "bare Yes/No in comments cells: {bare:?}");
    }
    // HECVAT 4.1.4 asks the SSO question (AAAI-01) on its Product sheet, row 20: HECVAT 3's "2) No" lands in
    // the Yes/No cell.
    let product = read_values(&sandbox.path("hecvat4.drafted.xlsx"), "Product");
    assert_eq!(product.get("C20").map(String::as_str), Some("No"));
    assert_eq!(product.get("D20"), None);

    // Importing them again, and the answered files answerbank made from the drafts, adds nothing.
    let library_before = snapshot(&sandbox.path("lib"));
    for file in [&hecvat3, &caiq] {
        let report = import(file);
        assert_eq!(report["entries_added"], 0, "{report}");
        assert_eq!(report["alternates_added"], 0, "{report}");
        assert_eq!(report["conflicts"], 0, "{report}");
    }
    assert_eq!(snapshot(&sandbox.path("lib")), library_before);
    for review in ["caiq.review.xlsx", "hecvat4.review.xlsx"] {
        sandbox
            .run(&["finish", review, "--no-learn"])
            .expect_code(0);
    }
    let report = import(&sandbox.path("caiq.answered.xlsx"));
    assert_eq!(report["entries_added"], 0, "{report}");
    assert_eq!(report["conflicts"], 0, "{report}");
    assert_eq!(report["already_known"], 261, "{report}");
    let report = import(&sandbox.path("hecvat4.answered.xlsx"));
    assert_eq!(report["entries_added"], 0, "{report}");
    assert_eq!(report["conflicts"], 0, "{report}");
    // What draft wrote at high from a close wording comes back as that wording, an alternate of its entry.
    assert_eq!(
        report["alternates_added"].as_u64().unwrap() + report["already_known"].as_u64().unwrap(),
        field_count(&sandbox, "hecvat4.review.xlsx"),
        "{report}"
    );
}

/// Questions `draft` wrote into the customer's file, as its review workbook says.
fn field_count(sandbox: &Sandbox, review: &str) -> u64 {
    let (_, rows) = answerbank::workbook::review::read_review(&sandbox.path(review)).unwrap();
    rows.iter().filter(|r| r.written).count() as u64
}

#[test]
fn an_unfilled_template_is_filled_by_the_answer_it_asks_for() {
    // See #19: the imported answer fills the template in place instead of duplicating its question.
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/starter/audit-log-retention.md",
        "+++\nquestion = \"How long do you keep audit logs?\"\nstatus = \"proposed\"\nguidance = \"Say how long.\"\n+++\nWe keep audit logs for {{number}} days.\n",
    );
    sandbox.write(
        "past.csv",
        "Question,Answer\nHow long do you keep audit logs?,Two years.\n",
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["conflicts"], 0, "{report}");
    assert_eq!(report["entries_added"], 0, "{report}");
    assert_eq!(
        report["templates_filled"],
        serde_json::json!(["starter/audit-log-retention.md"]),
        "{report}"
    );
    let text = std::fs::read_to_string(sandbox.path("lib/starter/audit-log-retention.md")).unwrap();
    assert_eq!(
        text,
        "+++\nquestion = \"How long do you keep audit logs?\"\nstatus = \"proposed\"\nguidance = \"Say how long.\"\n\
         reviewed = 2026-11-27\nsource = \"imported from past.csv, sheet 'past', cell B2\"\n+++\nTwo years.\n"
    );
}

/// A questionnaire that asks every domain the same way (CAIQ: "Are <domain> policies and procedures established,
/// documented, approved, communicated, applied, evaluated, and maintained?", "... reviewed and updated at least
/// annually?"), as CSV rows, with the encryption questions first.
fn boilerplate_questionnaire(encryption: &[&str]) -> String {
    let mut csv = String::from("Question,Answer\n");
    for question in encryption {
        csv.push_str(&format!(
            "\"{question}\",Yes. Our encryption policy sets AES-256 at rest and TLS 1.2 or higher in transit.\n"
        ));
    }
    for domain in [
        "logging and monitoring",
        "change control",
        "human resources",
        "asset management",
        "physical security",
    ] {
        csv.push_str(&format!(
            "\"Are {domain} policies and procedures established, documented, approved, communicated, applied, \
             evaluated, and maintained?\",Yes. See our {domain} policy.\n\
             Are {domain} policies and procedures reviewed and updated at least annually?,Yes. Every July.\n"
        ));
    }
    csv.push_str(
        "Is business continuity and operational resilience documentation reviewed periodically?,Yes. Every year.\n",
    );
    csv
}

const ENCRYPTION_ESTABLISHED: &str = "Are cryptography, encryption, and key management policies and procedures \
                                      established, documented, approved, communicated, applied, evaluated, and \
                                      maintained?";
const ENCRYPTION_REVIEWED: &str = "Are cryptography, encryption, and key management policies and procedures reviewed and updated at least annually?";

fn write_template(sandbox: &Sandbox, name: &str, question: &str) {
    sandbox.write(
        &format!("lib/starter/{name}.md"),
        &format!(
            "+++\nquestion = \"{question}\"\nstatus = \"proposed\"\nguidance = \"Say what it covers.\"\n+++\nIt covers {{{{ scope }}}}.\n"
        ),
    );
}

#[test]
fn a_template_asked_in_the_questionnaires_own_boilerplate_is_filled() {
    // See #25: the question adds seven notions to the template's, all of them words this questionnaire asks in
    // every domain; without them it is the template's question.
    let sandbox = Sandbox::new();
    write_template(
        &sandbox,
        "encryption-policy",
        "Do you have a documented encryption and key management policy?",
    );
    write_template(
        &sandbox,
        "business-continuity-plan",
        "Do you have a business continuity plan?",
    );
    sandbox.write(
        "past.csv",
        &boilerplate_questionnaire(&[ENCRYPTION_ESTABLISHED]),
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    // The continuity question adds 'resilience' and 'periodically' of its own, and asks about a review: a near
    // miss, not filled.
    assert_eq!(
        report["templates_filled"],
        serde_json::json!(["starter/encryption-policy.md"]),
        "{report}"
    );
    let text = std::fs::read_to_string(sandbox.path("lib/starter/encryption-policy.md")).unwrap();
    assert!(text.contains("AES-256"), "{text}");
    assert!(!text.contains("{{"), "{text}");
}

#[test]
fn questions_told_apart_by_their_boilerplate_fill_no_template() {
    // See #25: "established, documented, ..." and "reviewed and updated at least annually" both come down to "Do
    // you have an encryption and key management policy?" once the questionnaire's boilerplate is left out. The
    // boilerplate is what tells them apart, so neither is that question: a wrongly filled template is worse than
    // an empty one.
    let sandbox = Sandbox::new();
    write_template(
        &sandbox,
        "encryption-policy",
        "Do you have an encryption and key management policy?",
    );
    write_template(
        &sandbox,
        "business-continuity-plan",
        "Do you have a business continuity plan?",
    );
    sandbox.write(
        "past.csv",
        &boilerplate_questionnaire(&[ENCRYPTION_ESTABLISHED, ENCRYPTION_REVIEWED]),
    );
    let out = sandbox.run(&["import", "past.csv", "--library", "lib", "--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(
        report["templates_filled"],
        serde_json::json!([]),
        "{report}"
    );
    assert_eq!(report["entries_added"], 13, "{report}");
    let text = std::fs::read_to_string(sandbox.path("lib/starter/encryption-policy.md")).unwrap();
    assert!(text.contains("{{ scope }}"), "{text}");
}
