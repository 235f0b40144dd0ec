//! Output workbooks: answers written into the customer's own file ([`patch`], or a same-shaped `.xlsx` copy for
//! formats that cannot be edited in place, [`convert`]), and the review workbook ([`review`]).

pub mod convert;
pub mod patch;
pub mod review;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::ooxml::Limits;
use crate::ooxml::package::Package;
use crate::questionnaire::Format;
use crate::questionnaire::source::Workbook as Source;
use patch::{CellEdit, PatchReport};

/// The customer's workbook (`bytes`, read from `name`) with the edits written in: patched in place for
/// `.xlsx`/`.xlsm`, otherwise as a same-shaped `.xlsx` copy (see [`convert`]). Errors name the file.
pub fn write_answers(
    name: &Path,
    format: Format,
    bytes: Vec<u8>,
    edits: &BTreeMap<String, Vec<CellEdit>>,
    limits: &Limits,
) -> Result<(Vec<u8>, PatchReport)> {
    if format.is_ooxml() {
        let package = Package::open(bytes, limits.clone())
            .with_context(|| format!("{} is not usable", name.display()))?;
        patch::patch_workbook(&package, edits)
    } else {
        let source = Source::from_bytes(name, format, bytes, limits)
            .with_context(|| format!("{} is not usable", name.display()))?;
        convert::xlsx_copy(source, edits)
    }
}
