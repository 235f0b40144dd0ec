//! Output workbooks: answers written into the customer's own file ([`patch`], or a same-shaped `.xlsx` copy for
//! formats that cannot be edited in place, [`convert`]), and the review workbook ([`review`]).

pub mod convert;
pub mod patch;
pub mod review;

use std::collections::BTreeMap;

use anyhow::Result;

use crate::questionnaire::source::Workbook as Source;
use patch::{CellEdit, PatchReport};

/// The customer's workbook (opened with `questionnaire::open_bytes`) with the edits written in: patched in place
/// for `.xlsx`/`.xlsm` (the package checked when it was opened, not again), otherwise as a same-shaped `.xlsx`
/// copy (see [`convert`]).
pub fn write_answers(
    source: Source,
    edits: &BTreeMap<String, Vec<CellEdit>>,
) -> Result<(Vec<u8>, PatchReport)> {
    match source.package() {
        Some(package) => patch::patch_workbook(package, edits),
        None => convert::xlsx_copy(source, edits),
    }
}
