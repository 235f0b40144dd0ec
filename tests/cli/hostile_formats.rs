//! Hostile `.xlsb`, `.xls` and `.ods` files (#7). calamine reads `.xls` and `.ods` whole into dense ranges when it
//! opens them, and its `.xlsb` ranges are dense too, so a few hundred bytes could ask for billions of cells. Each
//! file here is refused with one clear message naming it and exit 2, or read within the deadline; never aborted.
//! The files are made here, in the test: an `.xlsb` or `.ods` is a zip, an `.xls` a BIFF stream in a compound file.

use std::io::Write;
use std::time::Duration;

use answerbank::cell::CellRef;
use answerbank::ooxml::Limits;
use answerbank::questionnaire::source::{Format, Workbook};

use crate::util::{Sandbox, refused_by, repo, soffice, zip_of};

const DEADLINE: Duration = Duration::from_secs(30);

/// Runs `columns` on the file and checks the refusal: exit 2, the file named, no panic, no hang.
fn refused(sandbox: &Sandbox, name: &str, bytes: &[u8], why: &str) {
    std::fs::write(sandbox.path(name), bytes).unwrap();
    refused_by(sandbox, &["columns", name], name, why);
}

/// Runs `columns --json` on the file, which must be read; returns the questions found per sheet.
fn questions(sandbox: &Sandbox, name: &str, bytes: &[u8]) -> Vec<(String, u64)> {
    std::fs::write(sandbox.path(name), bytes).unwrap();
    let out = sandbox.run_within(&["columns", name, "--json"], DEADLINE);
    out.expect_code(0);
    out.json()["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["questions"].as_u64().unwrap(),
            )
        })
        .collect()
}

// ---- .xlsx under another name ----

#[test]
fn an_xlsx_named_xlsb_or_ods_is_refused_not_read_densely() {
    let sandbox = Sandbox::new();
    // The workbook of hostile.rs `absurd_positions_are_cheap`: calamine's dense reader asked for 550 GB for it.
    let workbook = r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let sheet = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c></row></sheetData></worksheet>"#;
    let bytes = zip_of(&[
        ("xl/workbook.xml", workbook.as_bytes().to_vec()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes().to_vec()),
    ]);
    for name in ["far.xlsb", "far.ods"] {
        refused(&sandbox, name, &bytes, "rename it to .xlsx");
    }
}

// ---- .xlsb ----

/// An XLSB record: its type and size as 7-bit varints, then its body.
fn xlsb_record(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut out = if kind < 0x80 {
        vec![kind as u8]
    } else {
        vec![(kind & 0x7F) as u8 | 0x80, (kind >> 7) as u8]
    };
    let mut size = body.len();
    loop {
        let byte = (size & 0x7F) as u8;
        size >>= 7;
        if size == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend(body);
    out
}

/// An XLWideString: a character count, then UTF-16.
fn wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// A row of an `.xlsb` sheet: text cells as (column, text), formula cells as (column, cached number).
struct XlsbRow<'a> {
    row: u32,
    texts: Vec<(u32, &'a str)>,
    formulas: Vec<(u32, f64)>,
}

fn xlsb_row(row: u32, texts: Vec<(u32, &str)>, formulas: Vec<(u32, f64)>) -> XlsbRow<'_> {
    XlsbRow {
        row,
        texts,
        formulas,
    }
}

/// An `.xlsb` with one sheet Q.
fn xlsb(rows: &[XlsbRow<'_>]) -> Vec<u8> {
    let mut bundle = [0u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    bundle.extend(wide("rId1"));
    bundle.extend(wide("Q"));
    let workbook = [
        xlsb_record(0x009C, &bundle), // BrtBundleSh
        xlsb_record(0x0090, &[]),     // BrtEndBundleShs
        xlsb_record(0x009D, &[0; 8]), // BrtCalcProp: what follows the names
    ]
    .concat();
    let mut sheet = xlsb_record(0x0081, &[]); // BrtBeginSheet
    sheet.extend(xlsb_record(0x0094, &[0; 16])); // BrtWsDim
    sheet.extend(xlsb_record(0x0091, &[])); // BrtBeginSheetData
    for XlsbRow {
        row,
        texts,
        formulas,
    } in rows
    {
        let mut header = row.to_le_bytes().to_vec();
        header.extend([0; 13]);
        sheet.extend(xlsb_record(0x0000, &header)); // BrtRowHdr
        for (col, text) in texts {
            let mut body = col.to_le_bytes().to_vec();
            body.extend([0; 4]);
            body.extend(wide(text));
            sheet.extend(xlsb_record(0x0006, &body)); // BrtCellSt
        }
        for (col, value) in formulas {
            let mut body = col.to_le_bytes().to_vec();
            body.extend([0; 4]);
            body.extend(value.to_le_bytes());
            body.extend([0; 2]);
            let rgce = [0x1E, 0x05, 0x00]; // ptgInt 5
            body.extend((rgce.len() as u32).to_le_bytes());
            body.extend(rgce);
            body.extend(0u32.to_le_bytes());
            sheet.extend(xlsb_record(0x0009, &body)); // BrtFmlaNum
        }
    }
    sheet.extend(xlsb_record(0x0092, &[])); // BrtEndSheetData
    let rels = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>".to_vec()),
        ("xl/workbook.bin", workbook),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.bin", sheet),
    ])
}

#[test]
fn xlsb_cells_are_read_sparsely_with_their_formulas() {
    let sandbox = Sandbox::new();
    // A cell at the last position Excel allows: calamine's dense range would be 17 billion cells.
    let bytes = xlsb(&[
        xlsb_row(0, vec![(0, "Question"), (1, "Answer")], vec![]),
        xlsb_row(1, vec![(0, "Do you encrypt data at rest?")], vec![(2, 5.0)]),
        xlsb_row(1_048_575, vec![(16_383, "far away")], vec![]),
    ]);
    assert_eq!(
        questions(&sandbox, "sparse.xlsb", &bytes),
        [("Q".to_string(), 1)]
    );

    let mut workbook = Workbook::from_bytes(
        std::path::Path::new("sparse.xlsb"),
        Format::Xlsb,
        bytes,
        &Limits::default(),
    )
    .unwrap();
    let grid = workbook.grid("Q").unwrap();
    let formula = grid.cell(CellRef::new(1, 2)).unwrap();
    assert!(formula.formula, "{formula:?}");
    assert_eq!(formula.text, "5");
    assert!(!grid.cell(CellRef::new(1, 0)).unwrap().formula);
    assert_eq!(grid.text(CellRef::new(1_048_575, 16_383)), "far away");
}

#[test]
fn xlsb_cells_count_against_the_limits_as_they_stream() {
    let texts: Vec<(u32, &str)> = (0..50).map(|col| (col, "x")).collect();
    let bytes = xlsb(&[xlsb_row(0, texts, vec![])]);
    let limits = Limits {
        max_cells: 10,
        ..Limits::default()
    };
    let mut workbook =
        Workbook::from_bytes(std::path::Path::new("q.xlsb"), Format::Xlsb, bytes, &limits).unwrap();
    let error = format!("{:#}", workbook.grid("Q").unwrap_err());
    assert!(error.contains("more than 10 cells"), "{error}");
}

// ---- .xls ----

fn biff_record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

/// A BOF record of a BIFF8 workbook globals (`dt` 5) or worksheet (`dt` 0x10) substream.
fn bof(dt: u16) -> Vec<u8> {
    let mut data = 0x0600u16.to_le_bytes().to_vec();
    data.extend(dt.to_le_bytes());
    data.extend([0; 12]);
    biff_record(0x0809, &data)
}

/// A cell record's data: row and column, then the rest.
fn cell(kind: u16, row: u16, col: u16, rest: &[u8]) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend(col.to_le_bytes());
    data.extend(rest);
    biff_record(kind, &data)
}

/// A LABELSST cell: the shared string `index`, format 0.
fn label(row: u16, col: u16, index: u32) -> Vec<u8> {
    cell(
        0x00FD,
        row,
        col,
        &[&[0, 0][..], &index.to_le_bytes()].concat(),
    )
}

/// A NUMBER cell, format 0.
fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    cell(
        0x0203,
        row,
        col,
        &[&[0, 0][..], &value.to_le_bytes()].concat(),
    )
}

/// A BIFF8 workbook stream: the globals (the shared strings, and sheet entries pointing at the sheets `entries`
/// gives by index), then each sheet's records between its BOF and EOF.
fn biff(strings: &[&str], sheets: &[Vec<u8>], entries: &[usize]) -> Vec<u8> {
    let mut sst = (strings.len() as u32).to_le_bytes().to_vec();
    sst.extend((strings.len() as u32).to_le_bytes());
    for s in strings {
        sst.extend((s.len() as u16).to_le_bytes());
        sst.push(0);
        sst.extend(s.as_bytes());
    }
    let sheet_entry = |start: u32, index: usize| {
        let mut data = start.to_le_bytes().to_vec();
        data.extend([0, 0, 1, 0, b'A' + index as u8]);
        biff_record(0x0085, &data)
    };
    let globals_len = bof(5).len()
        + entries.len() * sheet_entry(0, 0).len()
        + biff_record(0x00FC, &sst).len()
        + 4;
    let mut at = globals_len as u32;
    let starts: Vec<u32> = sheets
        .iter()
        .map(|records| {
            let start = at;
            at += (bof(0x10).len() + records.len() + 4) as u32;
            start
        })
        .collect();
    let mut out = bof(5);
    for (index, sheet) in entries.iter().enumerate() {
        out.extend(sheet_entry(starts[*sheet], index));
    }
    out.extend(biff_record(0x00FC, &sst));
    out.extend(biff_record(0x000A, &[]));
    for records in sheets {
        out.extend(bof(0x10));
        out.extend(records);
        out.extend(biff_record(0x000A, &[]));
    }
    out
}

/// An `.xls` file: the stream in an OLE compound file, as Excel writes it.
fn xls(stream: &[u8]) -> Vec<u8> {
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .unwrap();
    file.create_stream("Workbook")
        .unwrap()
        .write_all(stream)
        .unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

const STRINGS: [&str; 3] = ["Question", "Answer", "Do you encrypt data at rest?"];

fn questionnaire_cells() -> Vec<u8> {
    [label(0, 0, 0), label(0, 1, 1), label(1, 0, 2)].concat()
}

#[test]
fn xls_files_are_read_from_the_stream_that_was_measured() {
    let sandbox = Sandbox::new();
    let small = xls(&biff(&STRINGS, &[questionnaire_cells()], &[0]));
    assert_eq!(questions(&sandbox, "small.xls", &small), [("A".into(), 1)]);
    // A stream of 4,096 bytes or more lives outside the compound file's mini stream.
    let mut cells = questionnaire_cells();
    cells.extend((0..400).flat_map(|row| number(row + 5, 5, 1.0)));
    let large = xls(&biff(&STRINGS, &[cells], &[0]));
    assert_eq!(questions(&sandbox, "large.xls", &large), [("A".into(), 1)]);
}

#[test]
fn xls_sheets_spanning_too_many_cells_are_refused() {
    let sandbox = Sandbox::new();
    // A cell at row and column 65,536: calamine asked for 137 GB.
    let mut far = questionnaire_cells();
    far.extend(label(0xFFFF, 0xFFFF, 0));
    let bytes = xls(&biff(&STRINGS, &[far], &[0]));
    refused(&sandbox, "far.xls", &bytes, "cells from A1");

    // A DIMENSIONS record declaring four billion rows: calamine reserves room for them before any cell.
    let mut declared = [0u32.to_le_bytes(), u32::MAX.to_le_bytes()].concat();
    declared.extend([0, 0, 10, 0, 0, 0]);
    let mut records = biff_record(0x0200, &declared);
    records.extend(questionnaire_cells());
    let bytes = xls(&biff(&STRINGS, &[records], &[0]));
    refused(&sandbox, "declared.xls", &bytes, "cells from A1");

    // Sheets of a legitimate size add up: twenty sheets of a cell at row 65,536, column 20.
    let sheets: Vec<Vec<u8>> = (0..20)
        .map(|_| [questionnaire_cells(), label(0xFFFF, 20, 0)].concat())
        .collect();
    let entries: Vec<usize> = (0..sheets.len()).collect();
    let bytes = xls(&biff(&STRINGS, &sheets, &entries));
    refused(&sandbox, "many.xls", &bytes, "cells from A1");
}

#[test]
fn xls_shared_strings_repeated_in_many_cells_are_refused() {
    let sandbox = Sandbox::new();
    // One 60,000-character string shown by 5,000 cells: 70 KB of records, 300 MB once calamine copies it.
    let long = "x".repeat(60_000);
    let strings = [STRINGS[0], STRINGS[1], STRINGS[2], long.as_str()];
    let mut cells = questionnaire_cells();
    cells.extend((0..5_000).flat_map(|i| label(2 + i / 50, i % 50, 3)));
    let bytes = xls(&biff(&strings, &[cells], &[0]));
    refused(&sandbox, "repeated.xls", &bytes, "MB of text");
}

#[test]
fn xls_sheet_lists_that_point_astray_are_refused() {
    let sandbox = Sandbox::new();
    let sheet = questionnaire_cells();
    // calamine slices the stream at a sheet's offset (the first four bytes of the first sheet entry, after the
    // globals' BOF): past its end, it panicked.
    let mut stream = biff(&STRINGS, std::slice::from_ref(&sheet), &[0]);
    stream[24..28].copy_from_slice(&1_000_000u32.to_le_bytes());
    refused(&sandbox, "past.xls", &xls(&stream), "past the end");
    // One sheet listed three times would be read, and laid out, once per entry.
    let stream = biff(&STRINGS, &[sheet], &[0, 0, 0]);
    refused(&sandbox, "overlap.xls", &xls(&stream), "overlap");
}

// ---- .ods ----

/// An `.ods` whose spreadsheet body is `tables`.
pub(crate) fn ods(tables: &str) -> Vec<u8> {
    ods_of_content(&format!(
        "{ODS_START}{tables}</office:spreadsheet></office:body></office:document-content>"
    ))
}

const ODS_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#;

fn ods_of_content(content: &str) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        ("META-INF/manifest.xml", manifest.as_bytes().to_vec()),
        ("content.xml", content.as_bytes().to_vec()),
    ])
}

fn text_cell(text: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

/// Table Q: a header row and one question, then `more` (rows).
fn ods_questionnaire(more: &str) -> Vec<u8> {
    ods(&format!(
        r#"<table:table table:name="Q"><table:table-row>{}{}</table:table-row><table:table-row>{}</table:table-row>{more}</table:table>"#,
        text_cell("Question"),
        text_cell("Answer"),
        text_cell("Do you encrypt data at rest?")
    ))
}

#[test]
fn ods_styled_empty_cells_to_the_sheet_end_cost_nothing() {
    let sandbox = Sandbox::new();
    // How LibreOffice ends every sheet: styled empty cells repeated to the last column and row.
    let tail = r#"<table:table-row table:style-name="ro1" table:number-rows-repeated="1048574"><table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/></table:table-row>"#;
    assert_eq!(
        questions(&sandbox, "tail.ods", &ods_questionnaire(tail)),
        [("Q".into(), 1)]
    );
}

#[test]
fn ods_repeats_are_measured_before_calamine_expands_them() {
    let sandbox = Sandbox::new();
    // 867 bytes that took calamine 29 s and 6.2 GB: a number repeated 16,384 columns across 6,000 rows.
    let repeated = r#"<table:table-row table:number-rows-repeated="6000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
    refused(
        &sandbox,
        "repeated.ods",
        &ods_questionnaire(repeated),
        "cells from A1",
    );
    // Two billion spaces in one cell (`text:s`), and one long text repeated across a row.
    let spaces = format!(
        "<table:table-row>{}</table:table-row>",
        text_cell(r#"<text:s text:c="2000000000"/>"#)
    );
    refused(
        &sandbox,
        "spaces.ods",
        &ods_questionnaire(&spaces),
        "MB of text",
    );
    let copies = format!(
        r#"<table:table-row table:number-rows-repeated="50"><table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>{}</text:p></table:table-cell></table:table-row>"#,
        "y".repeat(100_000)
    );
    refused(
        &sandbox,
        "copies.ods",
        &ods_questionnaire(&copies),
        "MB of text",
    );
    // Rows repeated zero times still hold their cells for calamine.
    let zero = r#"<table:table-row table:number-rows-repeated="0"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#
        .repeat(2_000);
    refused(
        &sandbox,
        "zero.ods",
        &ods_questionnaire(&zero),
        "cells from A1",
    );
}

#[test]
fn ods_tables_calamine_cannot_read_safely_are_refused() {
    let sandbox = Sandbox::new();
    // calamine waited forever for the end of a table that never ends.
    let open = ods_of_content(&format!(
        r#"{ODS_START}<table:table table:name="Q"><table:table-row>{}</table:table-row>"#,
        text_cell("Question")
    ));
    refused(&sandbox, "open.ods", &open, "ends inside a table");
    // A table inside a cell, whose rows calamine could take for the sheet's.
    let nested = format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><table:table table:name="N"><table:table-row>{}</table:table-row></table:table></table:table-cell></table:table-row>"#,
        text_cell("x")
    );
    refused(
        &sandbox,
        "nested.ods",
        &ods_questionnaire(&nested),
        "table inside a cell",
    );
}

// ---- real files, converted by LibreOffice ----

/// The fixtures read the same as `.xls` and `.ods` (converted by LibreOffice) as they do as `.xlsx`.
#[test]
fn libreoffice_conversions_read_like_the_originals() {
    let Some(soffice) = soffice() else {
        return;
    };
    let sandbox = Sandbox::new();
    let names = [
        "example-questionnaire",
        "formula-traps",
        "header-traps",
        "huge-dimension",
    ];
    for name in names {
        sandbox.fixture(&format!("{name}.xlsx"));
    }
    let profile = tempfile::tempdir().unwrap();
    for format in ["xls", "ods"] {
        let status = std::process::Command::new(&soffice)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.path().display()
            ))
            .args(["--headless", "--convert-to", format, "--outdir"])
            .arg(sandbox.root())
            .args(names.map(|n| sandbox.path(&format!("{n}.xlsx"))))
            .output()
            .expect("running soffice");
        assert!(status.status.success(), "{status:?}");
    }
    for name in names {
        let original = std::fs::read(repo("fixtures").join(format!("{name}.xlsx"))).unwrap();
        let expected = questions(&sandbox, &format!("{name}.xlsx"), &original);
        for format in ["xls", "ods"] {
            let converted = format!("{name}.{format}");
            let bytes = std::fs::read(sandbox.path(&converted)).unwrap();
            assert_eq!(
                questions(&sandbox, &converted, &bytes),
                expected,
                "{converted}"
            );
        }
    }
}
