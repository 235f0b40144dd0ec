//! Hostile and broken inputs (#7): each is refused with one clear message naming the file and exit 2, quickly,
//! and nothing is written. The files are made here, in the test.

use std::time::Duration;

pub(crate) use crate::util::zip_of;
use crate::util::{Sandbox, refused_by, repo};

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;

pub(crate) fn sheet(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

pub(crate) const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c><c r="B1" t="inlineStr"><is><t>Answer</t></is></c><c r="C1" t="inlineStr"><is><t>Comments</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Do you encrypt data at rest?</t></is></c></row>"#;

/// A minimal valid workbook with the given sheet XML, plus extra parts.
pub(crate) fn workbook(sheet_xml: &str, extra: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
    workbook_with_sheet_named("Q", sheet_xml, extra)
}

fn workbook_with_sheet_named(name: &str, sheet_xml: &str, extra: Vec<(&str, Vec<u8>)>) -> Vec<u8> {
    let workbook_xml = WORKBOOK.replace(r#"name="Q""#, &format!("name={name:?}"));
    let mut parts = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        ("xl/workbook.xml", workbook_xml.into_bytes()),
        (
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.as_bytes().to_vec(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes().to_vec()),
    ];
    parts.extend(extra);
    zip_of(&parts)
}

/// Runs `draft` on the file and checks the refusal: exit 2, the file named, no panic, nothing written, no hang.
pub(crate) fn refused(sandbox: &Sandbox, name: &str, bytes: &[u8], why: &str) {
    std::fs::write(sandbox.path(name), bytes).unwrap();
    refused_by(sandbox, &["draft", name], name, why);
}

pub(crate) fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox
}

/// Sheet XML with 300 MB of spaces before its end: it compresses to a few hundred kilobytes.
fn sheet_of_300_mb() -> Vec<u8> {
    let mut big = sheet(HEADER).into_bytes();
    let tail = big.split_off(big.len() - "</worksheet>".len());
    big.extend(std::iter::repeat_n(b' ', 300_000_000));
    big.extend(tail);
    big
}

#[test]
fn zip_bombs_and_oversized_packages() {
    let sandbox = sandbox();
    let bytes = zip_of(&[("xl/worksheets/sheet1.xml", sheet_of_300_mb())]);
    assert!(bytes.len() < 2_000_000);
    refused(&sandbox, "bomb.xlsx", &bytes, "zip bomb");

    // Twenty thousand entries.
    let many: Vec<(String, Vec<u8>)> = (0..20_000)
        .map(|i| (format!("x/{i}.xml"), b"<a/>".to_vec()))
        .collect();
    let parts: Vec<(&str, Vec<u8>)> = many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    refused(&sandbox, "many.xlsx", &zip_of(&parts), "zip entries");

    // A shared-strings table of three million entries.
    let mut strings = String::from(
        r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    );
    for _ in 0..3_000_000 {
        strings.push_str("<si><t>a</t></si>");
    }
    strings.push_str("</sst>");
    refused(
        &sandbox,
        "strings.xlsx",
        &workbook(
            &sheet(HEADER),
            vec![("xl/sharedStrings.xml", strings.into_bytes())],
        ),
        "shared-strings",
    );
}

/// `finish` reads a review workbook someone hands over: it gets the same checks as a customer's file, and the same
/// sparse reading.
#[test]
fn a_hostile_review_workbook_is_refused() {
    let sandbox = sandbox();
    let finish = |bytes: Vec<u8>| {
        std::fs::write(sandbox.path("vendor.review.xlsx"), bytes).unwrap();
        let out = sandbox.run_within(&["finish", "vendor.review.xlsx"], Duration::from_secs(30));
        out.expect_clean_error("vendor.review.xlsx");
        assert!(!sandbox.path("vendor.answered.xlsx").exists());
        out.stderr
    };
    let stderr = finish(workbook(
        &sheet(HEADER),
        vec![("xl/worksheets/sheet2.xml", sheet_of_300_mb())],
    ));
    assert!(stderr.contains("zip bomb"), "{stderr}");

    // Its data sheet with a cell at the last position Excel allows: a dense reader would allocate 17 billion
    // cells before finding it is not a review workbook.
    let far = sheet(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c></row>"#,
    );
    let bytes = workbook_with_sheet_named("answerbank", &far, vec![]);
    let stderr = finish(bytes);
    assert!(stderr.contains("not a review workbook"), "{stderr}");
}

#[test]
fn xml_attacks() {
    let sandbox = sandbox();
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"#;
    refused(
        &sandbox,
        "laughs.xlsx",
        &workbook(laughs, vec![]),
        "DOCTYPE",
    );
    let external = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"#;
    refused(
        &sandbox,
        "external.xlsx",
        &workbook(external, vec![]),
        "DOCTYPE",
    );

    // Deeply nested elements: read without recursion, no crash, no hang.
    let nested = format!("{}{}{}", "<x>".repeat(200_000), "", "</x>".repeat(200_000));
    std::fs::write(
        sandbox.path("nested.xlsx"),
        workbook(&sheet(&format!("{HEADER}{nested}")), vec![]),
    )
    .unwrap();
    // The elements the reader does not know are stepped over: the one question is read.
    let out = sandbox.run_within(
        &["columns", "nested.xlsx", "--json"],
        Duration::from_secs(20),
    );
    out.expect_code(0);
    assert_eq!(out.json()["sheets"][0]["questions"], 1, "{}", out.stdout);
}

#[test]
fn unsafe_zip_entries() {
    let sandbox = sandbox();
    let mut traversal = vec![("../../x.xml", b"<a/>".to_vec())];
    traversal.push(("xl/workbook.xml", WORKBOOK.as_bytes().to_vec()));
    refused(
        &sandbox,
        "traversal.xlsx",
        &zip_of(&traversal),
        "unsafe name",
    );

    // The same entry twice (written by hand: zip writers refuse to).
    let one = zip_of(&[("xl/worksheets/sheet1.xml", sheet(HEADER).into_bytes())]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(one.clone())).unwrap();
    let raw = archive.by_index_raw(0).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.raw_copy_file(raw).unwrap();
    let raw = archive.by_index_raw(0).unwrap();
    writer
        .raw_copy_file_rename(raw, "XL/worksheets/sheet1.xml")
        .unwrap();
    let duplicated = writer.finish().unwrap().into_inner();
    refused(&sandbox, "duplicate.xlsx", &duplicated, "twice");

    let good = std::fs::read(repo("fixtures/header-traps.xlsx")).unwrap();
    refused(
        &sandbox,
        "truncated.xlsx",
        &good[..good.len() * 2 / 3],
        "zip",
    );
    refused(
        &sandbox,
        "text.xlsx",
        b"ID,Question\n1,Do you?\n",
        "not a spreadsheet",
    );
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 504]);
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    refused(&sandbox, "encrypted.xlsx", &encrypted, "password-protected");
    refused(
        &sandbox,
        "binary.csv",
        b"PK\x03\x04\x00\x00garbage\x00\x01",
        "not a text file",
    );
}

#[test]
fn absurd_positions_are_cheap() {
    let sandbox = sandbox();
    // Cells at the first and the last position Excel allows: a dense reader would allocate 17 billion cells.
    let far = format!(
        r#"{HEADER}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c></row>"#
    );
    let xml = sheet(&far).replace(
        "<sheetData>",
        r#"<dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    std::fs::write(sandbox.path("far.xlsx"), workbook(&xml, vec![])).unwrap();
    let out = sandbox.run_within(&["columns", "far.xlsx", "--json"], Duration::from_secs(10));
    out.expect_code(0);
    assert_eq!(out.json()["sheets"][0]["questions"], 1);
    // A row number past Excel's limit is damage, reported cleanly.
    let beyond =
        sheet(r#"<row r="99999999"><c r="A99999999" t="inlineStr"><is><t>x</t></is></c></row>"#);
    std::fs::write(sandbox.path("beyond.xlsx"), workbook(&beyond, vec![])).unwrap();
    let out = sandbox.run(&["columns", "beyond.xlsx"]);
    assert!(out.code == 0 || out.code == 2);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn csv_in_other_encodings_is_read_as_written() {
    let sandbox = sandbox();
    let text = "Question,Answer,Comments\nDo you encrypt café data at rest?,,\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    for (name, bytes) in [
        ("utf16.csv", utf16),
        ("latin1.csv", latin1),
        ("bom.csv", bom),
    ] {
        std::fs::write(sandbox.path(name), bytes).unwrap();
        let out = sandbox.run(&["columns", name, "--json", "--rows"]);
        out.expect_code(0);
        assert_eq!(
            out.json()["sheets"][0]["rows"][0]["question"],
            "Do you encrypt café data at rest?",
            "{name}"
        );
        assert_eq!(
            out.json()["sheets"][0]["header_row"],
            1,
            "{name}: the BOM is not part of the header"
        );
    }
}

/// A dropdown of thousands of values (countries, say) on the answer column: not a choice of answers, so it is not
/// copied into every row or the review workbook, and the draft completes.
#[test]
fn a_dropdown_of_thousands_of_values_is_not_a_choice_of_answers() {
    let sandbox = sandbox();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Security").unwrap();
    for (col, h) in ["Question", "Answer", "Comments"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for row in 1..=300 {
        sheet
            .write_string(
                row,
                0,
                format!("Do you encrypt customer data at rest (system {row})?"),
            )
            .unwrap();
    }
    let lists = workbook.add_worksheet();
    lists.set_name("Lists").unwrap();
    for i in 0..6_000 {
        lists.write_string(i, 0, format!("Country {i}")).unwrap();
    }
    let list =
        rust_xlsxwriter::DataValidation::new().allow_list_formula("Lists!$A$1:$A$6000".into());
    workbook
        .worksheet_from_index(0)
        .unwrap()
        .add_data_validation(1, 1, 300, 1, &list)
        .unwrap();
    workbook.save(sandbox.path("countries.xlsx")).unwrap();
    let out = sandbox.run_within(
        &["draft", "countries.xlsx", "--json"],
        Duration::from_secs(60),
    );
    out.expect_code(0);
    assert_eq!(out.json()["questions"], 300, "{}", out.stdout);
    let (_, rows) =
        answerbank::workbook::review::read_review(&sandbox.path("countries.review.xlsx")).unwrap();
    assert!(
        rows.iter()
            .flat_map(|r| &r.cells)
            .all(|c| c.allowed.is_none()),
        "the list is not recorded as allowed answers"
    );
}

/// Twenty thousand copies of one merged area (a 3 KB file): Excel forbids overlaps, so one is kept.
#[test]
fn stacked_merged_areas_are_cheap() {
    let sandbox = sandbox();
    let merges = format!(
        r#"<mergeCells count="20000">{}</mergeCells></worksheet>"#,
        r#"<mergeCell ref="C1:C999"/>"#.repeat(20_000)
    );
    let xml = sheet(HEADER).replace("</worksheet>", &merges);
    std::fs::write(sandbox.path("merges.xlsx"), workbook(&xml, vec![])).unwrap();
    let out = sandbox.run_within(
        &["columns", "merges.xlsx", "--json"],
        Duration::from_secs(10),
    );
    out.expect_code(0);
    assert_eq!(out.json()["sheets"][0]["questions"], 1);
}
