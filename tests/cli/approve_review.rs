//! `answerbank approve --review` / `--from-review` (#25): imported answers reviewed in bulk in a workbook, decided
//! by a program and in LibreOffice, read back into the library; and the reviews that are refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use answerbank::cell::CellRef;
use answerbank::workbook::patch::CellEdit;

use crate::review::{Change, patch_sheet, review_by_program, review_in_libreoffice};
use crate::util::{Sandbox, TODAY, read_values, snapshot, soffice};

const SOURCE: &str = "source = \"imported from past.xlsx, sheet 'Full', cell C9\"";

/// The library a team has after `import past.xlsx`: four proposed answers, one contradicting an approved entry,
/// one whose short answer disagrees with its text, an unfilled template, and an entry from elsewhere.
fn library(sandbox: &Sandbox) {
    let proposed = |question: &str, short: &str, extra: &str, body: &str| {
        format!(
            "+++\nquestion = \"{question}\"\nshort_answer = \"{short}\"\nreviewed = 2022-08-30\nstatus = \"proposed\"\n\
             {SOURCE}\n{extra}+++\n{body}\n"
        )
    };
    sandbox.write(
        "lib/imported/past/sso.md",
        &proposed(
            "Do you support single sign-on?",
            "Yes",
            "",
            "Yes, SAML 2.0 with Okta and Azure AD.",
        ),
    );
    sandbox.write(
        "lib/imported/past/pen-tests.md",
        &proposed(
            "Do you run penetration tests every year?",
            "Yes",
            "",
            "Yes, by an outside firm.",
        ),
    );
    sandbox.write(
        "lib/imported/past/backups.md",
        &proposed(
            "Are backups encrypted?",
            "Yes",
            "",
            "No. Backups are kept in **the same region**.",
        ),
    );
    sandbox.write(
        "lib/imported/past/mfa.md",
        "+++\nquestion = \"Do you enforce MFA for all staff?\"\nshort_answer = \"No\"\nreviewed = 2022-08-30\n\
         status = \"proposed\"\nsource = \"imported from past.xlsx, sheet 'Full', cell C12 (answers differently \
         from `mfa-staff`)\"\nderived_from = \"mfa-staff\"\n+++\nNo, only for administrators.\n",
    );
    sandbox.write(
        "lib/imported/past/log-retention.md",
        "+++\nquestion = \"How long do you keep audit logs?\"\nstatus = \"proposed\"\nsource = \"imported from past.xlsx, \
         sheet 'Full', cell C94\"\n+++\nWe keep audit logs for {{number}} days.\n",
    );
    sandbox.write(
        "lib/mfa-staff.md",
        "+++\nquestion = \"Is MFA required for every employee?\"\nshort_answer = \"Yes\"\nreviewed = 2026-06-01\n\
         status = \"approved\"\n+++\nYes. Every employee signs in with a hardware key.\n",
    );
    sandbox.write(
        "lib/learned/dpa.md",
        "+++\nquestion = \"Will you sign our DPA?\"\nshort_answer = \"Yes\"\nstatus = \"proposed\"\nsource = \"learned \
         from other.xlsx, sheet 'S', cell C4\"\n+++\nYes.\n",
    );
}

fn read(sandbox: &Sandbox, rel: &str) -> String {
    std::fs::read_to_string(sandbox.path(rel)).unwrap()
}

/// `approve --review` of past.xlsx's entries into past-review.xlsx.
fn write_review(sandbox: &Sandbox) -> crate::util::Output {
    sandbox.run(&[
        "approve",
        "--library",
        "lib",
        "--source",
        "past.xlsx",
        "--review",
        "past-review.xlsx",
    ])
}

/// `approve --from-review FILE` with `extra` options.
fn apply_review(sandbox: &Sandbox, review: &str, extra: &[&str]) -> crate::util::Output {
    let mut args = vec!["approve", "--library", "lib", "--from-review", review];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

/// The review of past.xlsx's entries: its path, and each entry file's `#`.
fn written_review(sandbox: &Sandbox) -> (PathBuf, BTreeMap<String, usize>) {
    let out = write_review(sandbox);
    out.expect_code(0);
    assert!(
        out.stderr.contains("wrote 4 proposed entries")
            && out.stderr.contains("1 unfilled templates left out")
            && out
                .stderr
                .contains("approve --from-review past-review.xlsx"),
        "{}",
        out.stderr
    );
    let review = sandbox.path("past-review.xlsx");
    (review.clone(), entry_numbers(&review))
}

/// Each entry file's `#` in a written review.
fn entry_numbers(review: &Path) -> BTreeMap<String, usize> {
    let values = read_values(review, "Review");
    let file_col = (0..20)
        .find(|&c| {
            values
                .get(&CellRef::new(0, c).to_string())
                .map(String::as_str)
                == Some("Entry file")
        })
        .expect("an Entry file column");
    let mut numbers = BTreeMap::new();
    for (cell, value) in &values {
        let at: CellRef = cell.parse().unwrap();
        if at.row > 0 && at.col == file_col {
            let number = values[&CellRef::new(at.row, 0).to_string()]
                .parse()
                .unwrap();
            numbers.insert(value.clone(), number);
        }
    }
    numbers
}

/// The Review sheet's cell under `header` on the row of `#` n.
fn shown(review: &Path, number: usize, header: &str) -> String {
    let values = read_values(review, "Review");
    let col = (0..20)
        .find(|&c| {
            values
                .get(&CellRef::new(0, c).to_string())
                .map(String::as_str)
                == Some(header)
        })
        .unwrap();
    let row = (1..100)
        .find(|&r| values.get(&CellRef::new(r, 0).to_string()) == Some(&number.to_string()))
        .unwrap();
    values
        .get(&CellRef::new(row, col).to_string())
        .cloned()
        .unwrap_or_default()
}

const NEW_SSO: &str = "Yes. SAML 2.0 and OIDC, with any identity provider.";

/// The decisions both the program and LibreOffice make: Approve, an answer typed over (no decision), Edit with a
/// new short answer and answer, Reject; pen-tests left undecided.
fn decisions(numbers: &BTreeMap<String, usize>) -> Vec<(usize, &'static str, &'static str)> {
    let n = |file: &str| numbers[&format!("imported/past/{file}.md")];
    vec![
        (n("mfa"), "Decision", "Reject"),
        (n("sso"), "Answer", NEW_SSO),
        (n("backups"), "Short answer", "No"),
        (n("backups"), "Decision", "Edit"),
    ]
}

/// The library after [`decisions`]: each file as expected.
fn assert_decided(sandbox: &Sandbox, before: &BTreeMap<String, String>) {
    let approved = |text: &str| {
        text.replace("reviewed = 2022-08-30", &format!("reviewed = {TODAY}"))
            .replace("status = \"proposed\"", "status = \"approved\"")
    };
    assert_eq!(
        read(sandbox, "lib/imported/past/sso.md"),
        approved(&before["sso"]).replace("Yes, SAML 2.0 with Okta and Azure AD.", NEW_SSO),
        "the answer typed into the cell is the entry's answer, and it is approved"
    );
    assert_eq!(
        read(sandbox, "lib/imported/past/backups.md"),
        approved(&before["backups"]).replace("short_answer = \"Yes\"", "short_answer = \"No\""),
        "a short answer corrected alone keeps the answer's Markdown"
    );
    assert_eq!(
        read(sandbox, "lib/imported/past/mfa.md"),
        before["mfa"].replace("status = \"proposed\"", "status = \"retired\""),
        "rejected: retired, nothing else changed"
    );
    assert_eq!(
        read(sandbox, "lib/imported/past/pen-tests.md"),
        before["pen-tests"]
    );
    assert_eq!(
        read(sandbox, "lib/imported/past/log-retention.md"),
        before["log-retention"]
    );
    assert_eq!(read(sandbox, "lib/learned/dpa.md"), before["dpa"]);
}

fn before(sandbox: &Sandbox) -> BTreeMap<String, String> {
    [
        ("sso", "lib/imported/past/sso.md"),
        ("backups", "lib/imported/past/backups.md"),
        ("mfa", "lib/imported/past/mfa.md"),
        ("pen-tests", "lib/imported/past/pen-tests.md"),
        ("log-retention", "lib/imported/past/log-retention.md"),
        ("dpa", "lib/learned/dpa.md"),
    ]
    .into_iter()
    .map(|(k, p)| (k.to_string(), read(sandbox, p)))
    .collect()
}

#[test]
fn a_bulk_review_round_trip_approves_edits_and_retires() {
    let sandbox = Sandbox::new();
    library(&sandbox);
    let before = before(&sandbox);
    let (review, numbers) = written_review(&sandbox);
    assert_eq!(
        numbers.keys().collect::<Vec<_>>(),
        [
            "imported/past/backups.md",
            "imported/past/mfa.md",
            "imported/past/pen-tests.md",
            "imported/past/sso.md"
        ],
        "the proposed entries of past.xlsx, without the unfilled template or another source's"
    );
    // What a reviewer needs is on the row: the answer, check's findings and the entry it contradicts.
    let backups = numbers["imported/past/backups.md"];
    assert_eq!(shown(&review, backups, "Short answer"), "Yes");
    assert_eq!(
        shown(&review, backups, "Answer"),
        "No. Backups are kept in the same region.",
        "the answer as plain text"
    );
    assert!(
        shown(&review, backups, "Check findings").contains("short-answer:"),
        "{}",
        shown(&review, backups, "Check findings")
    );
    let mfa = numbers["imported/past/mfa.md"];
    let conflicts = shown(&review, mfa, "Conflicts");
    assert!(
        conflicts.contains("answers differently from `mfa-staff`")
            && conflicts.contains("hardware key"),
        "{conflicts}"
    );
    assert!(shown(&review, mfa, "Check findings").contains("conflict:"));

    // Nothing decided yet: nothing changes.
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(0);
    assert!(
        out.stderr.contains("4 without a decision stay proposed"),
        "{}",
        out.stderr
    );
    assert_decided_nothing(&sandbox, &before);

    review_by_program(&review, &decisions(&numbers));
    // A dry run says what would happen and writes nothing.
    let out = sandbox.run(&[
        "approve",
        "--library",
        "lib",
        "past-review.xlsx",
        "--dry-run",
    ]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("would retire imported/past/mfa.md"),
        "{}",
        out.stdout
    );
    assert_decided_nothing(&sandbox, &before);

    let out = apply_review(&sandbox, "past-review.xlsx", &["--json"]);
    out.expect_code(0);
    let report = out.json();
    assert_eq!(report["undecided"], 1);
    let done: BTreeMap<String, String> = report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_string(),
                a["done"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        done,
        BTreeMap::from([
            ("imported/past/backups.md".to_string(), "edited".to_string()),
            ("imported/past/mfa.md".to_string(), "retired".to_string()),
            ("imported/past/sso.md".to_string(), "edited".to_string()),
        ])
    );
    assert!(
        out.stderr.contains(
            "0 approved, 2 edited and approved, 1 retired, 0 not applied; 1 without a decision"
        ),
        "{}",
        out.stderr
    );
    assert_decided(&sandbox, &before);

    // Applied twice: the decided entries are not proposed any more, so each is reported and left alone.
    let decided = snapshot(&sandbox.path("lib"));
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("not applied: imported/past/sso.md: it is approved now"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&sandbox.path("lib")), decided);

    // Approve on a fresh review of what is left.
    std::fs::remove_file(&review).unwrap();
    let out = write_review(&sandbox);
    out.expect_code(0);
    review_by_program(&review, &[(1, "Decision", "approve")]);
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("#1 approved imported/past/pen-tests.md"),
        "{}",
        out.stdout
    );
    assert!(read(&sandbox, "lib/imported/past/pen-tests.md").contains("status = \"approved\""));
    // An existing review is not replaced without --force, and with it the earlier one is kept.
    let out = sandbox.run(&[
        "approve",
        "--library",
        "lib",
        "--all",
        "--review",
        "past-review.xlsx",
    ]);
    out.expect_code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
}

fn assert_decided_nothing(sandbox: &Sandbox, before: &BTreeMap<String, String>) {
    for (name, rel) in [
        ("sso", "lib/imported/past/sso.md"),
        ("mfa", "lib/imported/past/mfa.md"),
    ] {
        assert_eq!(read(sandbox, rel), before[name]);
    }
}

#[test]
fn a_bulk_review_that_cannot_be_trusted_or_meant_is_refused_whole() {
    let sandbox = Sandbox::new();
    library(&sandbox);
    let (review, numbers) = written_review(&sandbox);
    let sso = numbers["imported/past/sso.md"];
    review_by_program(&review, &[(sso, "Decision", "Approve")]);
    let original = std::fs::read(&review).unwrap();
    let library_before = snapshot(&sandbox.path("lib"));
    let data = read_values(&review, "answerbank");
    let id_cell = data
        .iter()
        .find(|(_, v)| v.as_str() == "sso")
        .map(|(c, _)| c.parse::<CellRef>().unwrap())
        .unwrap();
    let refused = |tamper: &dyn Fn(&Path), expect: &str| {
        std::fs::write(&review, &original).unwrap();
        tamper(&review);
        let out = apply_review(&sandbox, "past-review.xlsx", &[]);
        out.expect_code(2);
        assert!(
            out.stderr.contains(expect),
            "wanted {expect:?} in:\n{}",
            out.stderr
        );
        assert_eq!(
            snapshot(&sandbox.path("lib")),
            library_before,
            "nothing written"
        );
    };
    let set_id = |id: &'static str| {
        move |review: &Path| {
            patch_sheet(
                review,
                "answerbank",
                vec![CellEdit {
                    cell: id_cell,
                    text: id.to_string(),
                }],
            )
        }
    };
    refused(
        &set_id("no-such-entry"),
        "names the entry `no-such-entry`, which the library",
    );
    refused(
        &set_id("mfa-staff"),
        "records `mfa-staff` as imported/past/sso.md",
    );
    refused(&set_id("../../etc"), "the answerbank sheet is damaged");
    refused(
        &|review: &Path| review_by_program(review, &[(sso, "Decision", "Maybe")]),
        "has the decision \"Maybe\"; use Approve, Edit, Reject",
    );
    refused(
        &|review: &Path| {
            review_by_program(
                review,
                &[(sso, "Decision", "Reject"), (sso, "Answer", "No.")],
            )
        },
        "says Reject, but its short answer or answer was changed",
    );
    refused(
        &|review: &Path| review_by_program(review, &[(sso, "Decision", "Edit")]),
        "says Edit, but its short answer and answer are as the review showed them",
    );
    refused(
        &|review: &Path| {
            // A decision on a row of its own, under a # no entry has.
            let cell = |col: u32, text: &str| CellEdit {
                cell: CellRef::new(10, col),
                text: text.to_string(),
            };
            patch_sheet(review, "Review", vec![cell(0, "99"), cell(4, "Approve")])
        },
        "is not one of the reviewed entries",
    );
    // The row's record of the answer edited in the hidden sheet (or the file changed since): that row only is
    // left alone, and said.
    std::fs::write(&review, &original).unwrap();
    let body_cell = CellRef::new(id_cell.row, id_cell.col + 3);
    patch_sheet(
        &review,
        "answerbank",
        vec![CellEdit {
            cell: body_cell,
            text: "No.".into(),
        }],
    );
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("no longer holds the short answer and answer the review showed"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(&sandbox.path("lib")), library_before);
    // A questionnaire review, or any other workbook, is not an entry review.
    sandbox.write("other.xlsx", "not a workbook");
    let out = apply_review(&sandbox, "other.xlsx", &[]);
    out.expect_code(2);
    assert!(out.stderr.contains("other.xlsx"), "{}", out.stderr);
}

/// See #25: a review saved by LibreOffice (edited there as a person would) reads the same.
#[test]
fn a_bulk_review_saved_by_libreoffice_is_applied() {
    let Some(soffice) = soffice() else {
        return;
    };
    let sandbox = Sandbox::new();
    library(&sandbox);
    let before = before(&sandbox);
    let (review, numbers) = written_review(&sandbox);
    let changes: Vec<Change> = decisions(&numbers);
    review_in_libreoffice(&soffice, &review, &changes, false);
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("edited and approved imported/past/sso.md"),
        "{}",
        out.stdout
    );
    assert_decided(&sandbox, &before);
}

/// A starter template: guidance for an answer the library does not have yet.
fn template(question: &str, alternate: &str, body: &str) -> String {
    format!(
        "+++\nquestion = \"{question}\"\nalternates = [\"{alternate}\"]\ntags = [\"starter\"]\nstatus = \"proposed\"\n\
         guidance = \"\"\"\nWhat they want to know: say how, not only whether.\n\"\"\"\n+++\n{body}\n"
    )
}

/// #25: an imported answer to a starter template's question in other words ("non-production" for "development and
/// testing") is not filled by `import` (no general rule should equate them), so the bulk review offers the template
/// beside the entry, and "Fill template" writes the answer into it: approved, its guidance kept, the entry's
/// question added as an alternate, the entry retired. A row offered nothing cannot fill one, and a template filled
/// since the review was written is left alone for that row.
#[test]
fn a_template_asked_in_other_words_is_offered_and_filled_from_the_review() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/secure-development/environment-separation.md",
        &template(
            "Is your production environment separated from development and testing?",
            "Are development, test and production environments kept apart?",
            "Yes. Production runs in {{a separate cloud account}}; developers have no standing access to it.",
        ),
    );
    sandbox.write(
        "lib/continuity/backups.md",
        &template(
            "Do you regularly back up customer data?",
            "How often are backups taken?",
            "Yes. Customer data is backed up {{how often}} and kept for {{how long}}.",
        ),
    );
    sandbox.write(
        "lib/access/sso-template.md",
        &template(
            "Do you support single sign-on for your customers?",
            "Which identity providers can we use?",
            "{{Yes/No}}. Customers can sign in with {{SAML 2.0 / OIDC}}.",
        ),
    );
    let proposed = |question: &str, body: &str| {
        format!(
            "+++\nquestion = \"{question}\"\nshort_answer = \"Yes\"\nreviewed = 2022-08-30\nstatus = \"proposed\"\n\
             {SOURCE}\n+++\n{body}\n"
        )
    };
    let environments = proposed(
        "Are production and non-production environments separated?",
        "Yes. Production has its own AWS account; staging and development run in others.",
    );
    sandbox.write("lib/imported/past/environments.md", &environments);
    sandbox.write(
        "lib/imported/past/cloud-backups.md",
        &proposed(
            "Is cloud data periodically backed up?",
            "Yes. Nightly snapshots, kept 35 days.",
        ),
    );
    sandbox.write(
        "lib/imported/past/pen-tests.md",
        &proposed(
            "Do you run penetration tests every year?",
            "Yes, by an outside firm.",
        ),
    );

    let out = write_review(&sandbox);
    out.expect_code(0);
    assert!(
        out.stderr.contains("2 rows offer a starter template"),
        "{}",
        out.stderr
    );
    let review = sandbox.path("past-review.xlsx");
    let numbers = entry_numbers(&review);
    let n = |file: &str| numbers[&format!("imported/past/{file}.md")];
    let offer = shown(&review, n("environments"), "Template it may fill");
    assert!(
        offer.starts_with(
            "secure-development/environment-separation.md asks: Is your production environment separated from \
             development and testing?"
        ),
        "{offer}"
    );
    assert!(
        shown(&review, n("cloud-backups"), "Template it may fill")
            .starts_with("continuity/backups.md asks:")
    );
    assert_eq!(
        shown(&review, n("pen-tests"), "Template it may fill"),
        "",
        "nothing asks it"
    );

    // Fill template where nothing was offered cannot have been meant: the whole review is refused.
    review_by_program(&review, &[(n("pen-tests"), "Decision", "Fill template")]);
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("says Fill template, but the review offered no template"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/environments.md"),
        environments
    );

    // A hidden sheet changed so that two rows fill one template is refused whole too.
    let tampered = sandbox.path("tampered.xlsx");
    std::fs::copy(&review, &tampered).unwrap();
    review_by_program(
        &tampered,
        &[
            (n("pen-tests"), "Decision", "Approve"),
            (n("environments"), "Decision", "Fill template"),
            (n("cloud-backups"), "Decision", "Fill template"),
        ],
    );
    let hidden_row = 3 + n("environments") as u32;
    patch_sheet(
        &tampered,
        "answerbank",
        vec![
            CellEdit {
                cell: CellRef::new(hidden_row, 5),
                text: "backups".into(),
            },
            CellEdit {
                cell: CellRef::new(hidden_row, 6),
                text: "continuity/backups.md".into(),
            },
        ],
    );
    let out = apply_review(&sandbox, "tampered.xlsx", &[]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("both fill the template `backups`, which takes one answer"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/environments.md"),
        environments
    );

    // A teammate fills the backups template by hand meanwhile.
    let by_hand = read(&sandbox, "lib/continuity/backups.md")
        .replace("{{how often}}", "every night")
        .replace("{{how long}}", "35 days");
    sandbox.write("lib/continuity/backups.md", &by_hand);
    // Decided in LibreOffice where it is installed (CI requires it), as a person would.
    let changes: Vec<Change> = vec![
        (n("pen-tests"), "Decision", "Approve"),
        (n("environments"), "Decision", "Fill template"),
        (n("cloud-backups"), "Decision", "fill template"),
    ];
    match soffice() {
        Some(soffice) => review_in_libreoffice(&soffice, &review, &changes, false),
        None => review_by_program(&review, &changes),
    }
    let out = apply_review(&sandbox, "past-review.xlsx", &[]);
    out.expect_code(1);
    assert!(
        out.stdout.contains(&format!(
            "#{} filled and approved secure-development/environment-separation.md with the answer of \
             imported/past/environments.md, now retired",
            n("environments")
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("continuity/backups.md was filled or retired since the review was written")
            && out.stderr.contains(
                "1 approved, 0 edited and approved, 0 retired, 1 templates filled, 1 not applied"
            ),
        "{}",
        out.stderr
    );
    let filled = read(&sandbox, "lib/secure-development/environment-separation.md");
    assert_eq!(
        filled,
        format!(
            "+++\nquestion = \"Is your production environment separated from development and testing?\"\nalternates = \
             [\"Are development, test and production environments kept apart?\", \"Are production and non-production \
             environments separated?\"]\ntags = [\"starter\"]\nstatus = \"approved\"\nguidance = \"\"\"\nWhat they want \
             to know: say how, not only whether.\n\"\"\"\nshort_answer = \"Yes\"\nreviewed = {TODAY}\nsource = \
             \"imported from past.xlsx, sheet 'Full', cell C9; filled from the entry `environments` in a review\"\n+++\n\
             Yes. Production has its own AWS account; staging and development run in others.\n"
        )
    );
    assert_eq!(
        read(&sandbox, "lib/imported/past/environments.md"),
        environments.replace("status = \"proposed\"", "status = \"retired\"")
    );
    assert_eq!(read(&sandbox, "lib/continuity/backups.md"), by_hand);
    assert!(read(&sandbox, "lib/imported/past/cloud-backups.md").contains("status = \"proposed\""));

    // The filled template now answers the customer's wording as any approved entry does.
    let out = sandbox.run(&[
        "search",
        "--library",
        "lib",
        "--json",
        "Are production and non-production environments separated?",
    ]);
    out.expect_code(0);
    let best = &out.json()[0];
    assert_eq!(
        (best["id"].as_str(), best["confidence"].as_str()),
        (Some("environment-separation"), Some("high")),
        "{}",
        out.stdout
    );
}
