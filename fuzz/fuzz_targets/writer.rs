//! The in-place sheet writer on arbitrary sheet XML and edits. It may refuse; it must not panic, and what it
//! writes into well-formed XML stays well-formed.
#![no_main]

use answerbank::workbook::patch::fuzz_support::{edits_and_xml, well_formed};
use answerbank::workbook::patch::{PatchReport, patch_sheet_xml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the edits; the rest is the sheet XML.
    let Some((edits, xml)) = edits_and_xml(data) else { return };
    let mut report = PatchReport::default();
    if let Ok(out) = patch_sheet_xml(xml, &edits, "S", &mut report) {
        if well_formed(xml) && xml.windows(10).any(|w| w == b"<sheetData") {
            assert!(well_formed(&out), "the writer broke well-formed XML");
        }
    }
});
