//! Counts, positions and sizes that a small file can declare (#29): a shared-strings table declaring 2^60 entries,
//! a row numbered four billion, a cell of a hundred megabytes, hundreds of thousands of questions. Each is refused
//! with one clear message naming the file, or read within its limits, in bounded time and, where memory is what
//! grew, under a memory limit the test sets. The files are made here, in the test.

use std::io::Write;
use std::time::Duration;

use crate::hostile::{HEADER, refused, sandbox, sheet, workbook, zip_of};
use crate::util::{Sandbox, zip_parts};

const DEADLINE: Duration = Duration::from_secs(30);

/// A shared-strings table whose `<sst>` declares `unique_count` entries and holds one.
fn shared_strings(unique_count: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="{unique_count}"><si><t>Question</t></si></sst>"#
    )
    .into_bytes()
}

/// The same package with its workbook moved from `xl/` into another folder, as the package's relationships allow.
fn moved_to(bytes: &[u8], folder: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut content).unwrap();
        let name = file
            .name()
            .unwrap()
            .replacen("xl/", &format!("{folder}/"), 1);
        if name == "_rels/.rels" {
            content = String::from_utf8(content)
                .unwrap()
                .replace("xl/workbook.xml", &format!("{folder}/workbook.xml"))
                .into_bytes();
        }
        parts.push((name, content));
    }
    let parts: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    zip_of(&parts)
}

#[test]
fn declared_shared_string_counts_are_checked_before_calamine_reserves_room() {
    let sandbox = sandbox();
    // 2^60 made calamine panic (capacity overflow), 4,294,967,295 abort on a 48 GB allocation, in every command
    // that reads a workbook.
    let cases = [
        ("huge.xlsx", "1152921504606846976"),
        ("large.xlsx", "4294967295"),
        (
            "padded.xlsx",
            "000000000000000000000000000000000004294967295",
        ),
    ];
    for (name, count) in cases {
        let bytes = workbook(
            &sheet(HEADER),
            vec![("xl/sharedStrings.xml", shared_strings(count))],
        );
        std::fs::write(sandbox.path(name), &bytes).unwrap();
        for command in [
            vec!["draft", name],
            vec!["columns", name],
            vec!["import", name, "--dry-run"],
        ] {
            let out = sandbox.run_within_memory(&command, 1_000, DEADLINE);
            out.expect_clean_error(name);
            assert!(
                out.stderr.contains("shared-strings table declares"),
                "{command:?}: {}",
                out.stderr
            );
        }
    }
    // calamine reads the table beside the workbook part, wherever the package puts it.
    let elsewhere = moved_to(
        &workbook(
            &sheet(HEADER),
            vec![(
                "xl/sharedStrings.xml",
                shared_strings("1152921504606846976"),
            )],
        ),
        "book",
    );
    refused(
        &sandbox,
        "elsewhere.xlsx",
        &elsewhere,
        "shared-strings table declares",
    );
    // A count within the limit is no reason to refuse.
    let modest = workbook(
        &sheet(HEADER),
        vec![("xl/sharedStrings.xml", shared_strings("1000"))],
    );
    std::fs::write(sandbox.path("modest.xlsx"), modest).unwrap();
    let out = sandbox.run_within(&["columns", "modest.xlsx", "--json"], DEADLINE);
    out.expect_code(0);
    assert_eq!(out.json()["sheets"][0]["questions"], 1);
}

#[test]
fn positions_past_the_last_cell_are_refused_as_soon_as_read() {
    let sandbox = sandbox();
    let question = |cell: &str| {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>Is this far away?</t></is></c>"#)
    };
    let cases = [
        (
            "row.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="4294967295">{}</row>"#,
                question("A4294967295")
            )),
            "row 4294967295 is past Excel's last row",
        ),
        (
            "row-after.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="1048576"><c r="A1048576"/></row><row>{}</row>"#,
                r#"<c t="inlineStr"><is><t>Is this far away?</t></is></c>"#
            )),
            "row 1048577 is past Excel's last row",
        ),
        (
            "cell-row.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="3">{}</row>"#,
                question("A1048577")
            )),
            "not a cell of a sheet",
        ),
        (
            "cell-column.xlsx",
            sheet(&format!(r#"{HEADER}<row r="3">{}</row>"#, question("XFE3"))),
            "not a cell of a sheet",
        ),
        (
            "cell-letters.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="3">{}</row>"#,
                question("ZZZZZZZZ3")
            )),
            "not a cell of a sheet",
        ),
        (
            "cells-without-r.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="3">{}<c t="inlineStr"><is><t>Is this far away?</t></is></c></row>"#,
                "<c/>".repeat(16_384)
            )),
            "past Excel's last column",
        ),
        (
            "row-name.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="three">{}</row>"#,
                question("A3")
            )),
            "not a row number",
        ),
        (
            "dimension.xlsx",
            sheet(HEADER).replace(
                "<sheetData>",
                r#"<dimension ref="A1:XFD99999999"/><sheetData>"#,
            ),
            "its dimension `A1:XFD99999999`",
        ),
        (
            "dimension-reversed.xlsx",
            sheet(HEADER).replace("<sheetData>", r#"<dimension ref="C9:A1"/><sheetData>"#),
            "its dimension `C9:A1`",
        ),
        (
            "shared-formula.xlsx",
            sheet(&format!(
                r#"{HEADER}<row r="5"><c r="B5"><f t="shared" ref="B5:ZZZZZZZZ5" si="0">A1</f><v>1</v></c></row>"#
            )),
            "its shared formula `B5:ZZZZZZZZ5`",
        ),
    ];
    for (name, xml, why) in cases {
        refused(&sandbox, name, &workbook(&xml, vec![]), why);
    }
    // The last cell Excel allows is still a cell.
    let last = sheet(&format!(
        r#"{HEADER}<row r="1048576">{}</row>"#,
        question("XFD1048576")
    ))
    .replace(
        "<sheetData>",
        r#"<dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    std::fs::write(sandbox.path("last.xlsx"), workbook(&last, vec![])).unwrap();
    let out = sandbox.run_within(&["columns", "last.xlsx", "--json"], DEADLINE);
    out.expect_code(0);
}

/// A review workbook drafted from the example questionnaire, its parts by name.
fn drafted_review(sandbox: &Sandbox) -> std::collections::BTreeMap<String, Vec<u8>> {
    sandbox.fixture_as("example-questionnaire.xlsx", "vendor.xlsx");
    sandbox
        .run_within(&["draft", "vendor.xlsx", "--no-model"], DEADLINE)
        .expect_code(0);
    zip_parts(&sandbox.path("vendor.review.xlsx"))
}

/// Writes the review back with `change` applied to its part `name`.
fn tamper(
    sandbox: &Sandbox,
    parts: &std::collections::BTreeMap<String, Vec<u8>>,
    name: &str,
    change: impl Fn(&str) -> String,
) {
    let parts: Vec<(&str, Vec<u8>)> = parts
        .iter()
        .map(|(part, bytes)| {
            let bytes = if part == name {
                change(std::str::from_utf8(bytes).unwrap()).into_bytes()
            } else {
                bytes.clone()
            };
            (part.as_str(), bytes)
        })
        .collect();
    std::fs::write(sandbox.path("vendor.review.xlsx"), zip_of(&parts)).unwrap();
}

#[test]
fn a_tampered_review_with_a_far_row_or_a_huge_count_is_refused_quickly() {
    let sandbox = sandbox();
    let parts = drafted_review(&sandbox);
    // The hidden answerbank sheet is the third; `finish` walked every row up to this one, for a minute or more.
    assert!(
        String::from_utf8_lossy(&parts["xl/workbook.xml"])
            .contains(r#"<sheet name="answerbank" sheetId="3""#)
    );
    tamper(&sandbox, &parts, "xl/worksheets/sheet3.xml", |xml| {
        xml.replace(
            "</sheetData>",
            r#"<row r="4294967295"><c r="B4294967295" t="inlineStr"><is><t>x</t></is></c></row></sheetData>"#,
        )
    });
    let before = sandbox.names();
    let out = sandbox.run_within(
        &["finish", "vendor.review.xlsx", "--no-learn"],
        Duration::from_secs(20),
    );
    out.expect_clean_error("vendor.review.xlsx");
    assert!(
        out.stderr
            .contains("row 4294967295 is past Excel's last row"),
        "{}",
        out.stderr
    );
    assert_eq!(sandbox.names(), before, "nothing may be written");

    tamper(&sandbox, &parts, "xl/sharedStrings.xml", |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}1152921504606846976{}", &xml[..start], &xml[end..])
    });
    let out = sandbox.run_within_memory(
        &["finish", "vendor.review.xlsx", "--no-learn"],
        1_000,
        DEADLINE,
    );
    out.expect_clean_error("vendor.review.xlsx");
    assert!(
        out.stderr.contains("shared-strings table declares"),
        "{}",
        out.stderr
    );
    assert_eq!(sandbox.names(), before, "nothing may be written");
}

/// The sheet of `hostile::HEADER` with more rows.
fn questionnaire(rows: &str) -> Vec<u8> {
    workbook(&sheet(&format!("{HEADER}{rows}")), vec![])
}

#[test]
fn a_cell_longer_than_excel_allows_is_cut_with_a_warning_and_the_rest_drafted() {
    let sandbox = sandbox();
    // A question of 40,000 characters beside an answer of 40,000: each made the whole draft fail ("too long to
    // record in the review workbook").
    let long_question = format!("Do you {} encrypt data at rest?", "really ".repeat(5_700));
    let long_answer = format!("Yes. {}", "We encrypt everything. ".repeat(1_800));
    let rows = format!(
        r#"<row r="3"><c r="A3" t="inlineStr"><is><t>{long_question}</t></is></c><c r="C3" t="inlineStr"><is><t>{long_answer}</t></is></c></row><row r="4"><c r="A4" t="inlineStr"><is><t>Do you enforce multi-factor authentication for administrators?</t></is></c></row>"#
    );
    std::fs::write(sandbox.path("long.xlsx"), questionnaire(&rows)).unwrap();
    let out = sandbox.run_within(&["draft", "long.xlsx", "--json"], DEADLINE);
    out.expect_code(0);
    assert_eq!(out.json()["questions"], 3, "{}", out.stdout);
    for cell in ["A3", "C3"] {
        assert!(
            out.stderr
                .contains(&format!("long.xlsx: sheet 'Q', cell {cell} holds")),
            "{cell}: {}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains("only its first 32767 were read"),
        "{}",
        out.stderr
    );
    // The review records the long row across cells, and `finish` reads it back.
    let out = sandbox.run_within(
        &["finish", "long.review.xlsx", "--no-learn", "--json"],
        DEADLINE,
    );
    out.expect_code(0);
    assert!(out.stderr.contains("cell A3 holds"), "{}", out.stderr);
}

#[test]
fn a_cell_of_a_hundred_megabytes_is_read_in_bounded_memory_and_time() {
    let sandbox = sandbox();
    // 115 MB of words in one cell of a 300 KB workbook: 74 s and 6.1 GB, then a failed draft.
    let words = "encrypt customer data at rest with keys rotated yearly ";
    let huge = format!(
        r#"<row r="3"><c r="A3" t="inlineStr"><is><t>Do you encrypt data at rest?</t></is></c></row><row r="6"><c r="A6" t="inlineStr"><is><t>Do you {}?</t></is></c></row>"#,
        words.repeat(115_000_000 / words.len())
    );
    let bytes = workbook(&sheet(&format!("{HEADER}{huge}")), vec![]);
    drop(huge);
    assert!(bytes.len() < 1_000_000, "{}", bytes.len());
    std::fs::write(sandbox.path("huge-cell.xlsx"), bytes).unwrap();
    let out = sandbox.run_within_memory(&["draft", "huge-cell.xlsx", "--json"], 1_500, DEADLINE);
    out.expect_code(0);
    assert_eq!(out.json()["questions"], 3, "{}", out.stdout);
    assert!(out.stderr.contains("cell A6 holds"), "{}", out.stderr);

    // A one-line CSV of 49 MB: 2.7 GB.
    let mut csv = std::fs::File::create(sandbox.path("line.csv")).unwrap();
    csv.write_all(b"Question,Answer\n\"Do you ").unwrap();
    let block = words.repeat(10_000);
    for _ in 0..(49_000_000 / block.len()) {
        csv.write_all(block.as_bytes()).unwrap();
    }
    csv.write_all(b"?\",\nDo you encrypt data at rest?,\n")
        .unwrap();
    drop(csv);
    let out = sandbox.run_within_memory(&["draft", "line.csv", "--json"], 1_500, DEADLINE);
    out.expect_code(0);
    assert_eq!(out.json()["questions"], 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("line.csv: sheet 'line', cell A2 holds"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_of_more_questions_than_the_limit_is_refused_early() {
    let sandbox = sandbox();
    // 300,000 questions in a 7 MB CSV: 34 s and 4.6 GB, drafting each.
    let mut csv = String::from("Question,Answer\n");
    for i in 0..300_000 {
        csv.push_str(&format!("Do you encrypt data {i}?,\n"));
    }
    let why = "more than 50000 questions";
    std::fs::write(sandbox.path("many.csv"), csv).unwrap();
    let out = sandbox.run_within_memory(&["draft", "many.csv"], 1_000, DEADLINE);
    out.expect_clean_error("many.csv");
    assert!(out.stderr.contains(why), "{}", out.stderr);

    // An .ods of 100,000 question rows (a 1 MB file; 6.9 GB for one whose content was 120 MB).
    let cell = |text: &str| {
        format!(
            r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
        )
    };
    let mut table = format!(
        r#"<table:table table:name="Q"><table:table-row>{}{}</table:table-row>"#,
        cell("Question"),
        cell("Answer")
    );
    for i in 0..100_000 {
        table.push_str(&format!(
            "<table:table-row>{}<table:table-cell/></table:table-row>",
            cell(&format!("Do you encrypt customer data at rest {i}?"))
        ));
    }
    table.push_str("</table:table>");
    let ods = crate::hostile_formats::ods(&table);
    std::fs::write(sandbox.path("many.ods"), ods).unwrap();
    let out = sandbox.run_within_memory(&["draft", "many.ods"], 1_000, DEADLINE);
    out.expect_clean_error("many.ods");
    assert!(out.stderr.contains(why), "{}", out.stderr);
}
