//! Output workbooks: answers written into the customer's own file ([`patch`], or a same-shaped `.xlsx` copy for
//! formats that cannot be edited in place, [`convert`]), and the review workbook ([`review`]).

pub(crate) mod columns;
pub mod convert;
pub mod entry_review;
pub mod patch;
pub mod review;

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use crate::questionnaire::Format;
use crate::questionnaire::source::Workbook as Source;
use patch::{CellEdit, PatchReport};

/// The customer's workbook (opened with `questionnaire::open_bytes`) with the edits written in: patched in place
/// for `.xlsx`/`.xlsm` (the package checked when it was opened, not again), otherwise as a same-shaped `.xlsx`
/// copy (see [`convert`]). Edits are addressed by sheet name; a CSV's one sheet is named after the file, so
/// edits drafted from a CSV go to its sheet whatever the file is called now. An edit for a sheet the workbook
/// does not have is an error, never silently dropped.
pub fn write_answers(
    source: Source,
    edits: &BTreeMap<String, Vec<CellEdit>>,
) -> Result<(Vec<u8>, PatchReport)> {
    let renamed_csv;
    let edits = match source.sheets.as_slice() {
        [only] if source.format == Format::Csv => {
            renamed_csv = BTreeMap::from([(
                only.name.clone(),
                edits.values().flatten().cloned().collect(),
            )]);
            &renamed_csv
        }
        _ => edits,
    };
    if let Some(missing) = edits
        .keys()
        .find(|name| !source.sheets.iter().any(|s| &s.name == *name))
    {
        bail!("it has no sheet named '{missing}' to write answers into");
    }
    match source.package() {
        Some(package) => patch::patch_workbook(package, edits),
        None => convert::xlsx_copy(source, edits),
    }
}
