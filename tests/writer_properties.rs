//! Property tests of the in-place writer (#7): for any text written into any answer cell of a real workbook,
//! reading the output back gives exactly that text, and every other part of the package is unchanged.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use answerbank::cell::CellRef;
use answerbank::ooxml::package::Package;
use answerbank::workbook::patch::{CellEdit, patch_workbook};
use calamine::{Data, Reader};
use proptest::prelude::*;

fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            file.read_to_end(&mut out).unwrap();
            (file.name().unwrap().to_string(), out)
        })
        .collect()
}

fn base() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/header-traps.xlsx"
    ))
    .unwrap()
}

/// Text as a person might paste it: any characters, control characters and XML specials included.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>(),
            1 => prop::sample::select(vec!['<', '>', '&', '"', '\'', '=', '+', '-', '@', '_', '\n', '\r', '\t', '\u{1}', '\u{1f}', 'x']),
        ],
        1..120,
    )
    .prop_map(|chars| chars.into_iter().collect())
    .prop_filter("a cell with only whitespace reads back as empty", |s: &String| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn what_is_written_reads_back_and_nothing_else_changes(
        edits in prop::collection::btree_map((2u32..40, 2u32..6), text(), 1..8)
    ) {
        let original = base();
        let package = Package::open(original.clone(), Default::default()).unwrap();
        let edits: Vec<CellEdit> = edits.iter().map(|((r, c), t)| CellEdit { cell: CellRef::new(*r, *c), text: t.clone() }).collect();
        let (bytes, report) = patch_workbook(&package, &BTreeMap::from([("Security".to_string(), edits.clone())])).unwrap();
        prop_assert_eq!(report.written, edits.len());

        let before = parts(&original);
        let after = parts(&bytes);
        prop_assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
        for (name, content) in &before {
            if name != "xl/worksheets/sheet1.xml" {
                prop_assert!(content == &after[name], "{} changed", name);
            }
        }

        let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
        let range = workbook.worksheet_range("Security").unwrap();
        for edit in &edits {
            let value = range.get_value((edit.cell.row, edit.cell.col));
            prop_assert_eq!(value, Some(&Data::String(edit.text.clone())), "cell {}", edit.cell);
        }
    }
}
