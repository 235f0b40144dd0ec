//! The in-place sheet writer on arbitrary sheet XML and edits. It may refuse; it must not panic, and what it
//! writes into well-formed XML stays well-formed.
#![no_main]

use answerbank::cell::CellRef;
use answerbank::workbook::patch::{CellEdit, PatchReport, patch_sheet_xml};
use libfuzzer_sys::fuzz_target;

/// Well-formed as far as quick-xml checks: matching end tags, and attributes that parse.
fn well_formed(xml: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return true,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                if e.attributes().any(|a| a.is_err()) {
                    return false;
                }
            }
            Err(_) => return false,
            _ => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the edits; the rest is the sheet XML.
    if data.len() < 4 {
        return;
    }
    let count = (data[0] % 8) as usize;
    let text: String = String::from_utf8_lossy(&data[1..4]).into_owned();
    let xml = &data[4..];
    let mut edits: Vec<CellEdit> = (0..count)
        .map(|i| CellEdit { cell: CellRef::new((data[1] as u32 + i as u32 * 7) % 40, (data[2] as u32 + i as u32) % 6), text: format!("{text}{i}\u{1}_x0041_<&>") })
        .collect();
    edits.sort_by_key(|e| e.cell);
    edits.dedup_by_key(|e| e.cell);
    let mut report = PatchReport::default();
    if let Ok(out) = patch_sheet_xml(xml, &edits, "S", &mut report) {
        if well_formed(xml) && xml.windows(10).any(|w| w == b"<sheetData") {
            assert!(well_formed(&out), "the writer broke well-formed XML");
        }
    }
});
