//! Office Open XML, the parts calamine does not give: the checked package ([`package`]) and what a worksheet
//! says besides its values ([`sheet_xml`]: data-validation dropdowns in both the plain and the `x14` form, hidden
//! rows, merged cells, protection).
//!
//! The checked package is shared by the questionnaire reader (what a sheet expects) and the in-place writer
//! (where to write), so both see the same parts under the same limits.

pub mod package;
pub mod sheet_xml;

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart};

/// Explicit limits on what an untrusted workbook may make answerbank do. Documented in docs/limits.md.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Size of the input file.
    pub max_file_bytes: u64,
    /// Zip entries in a package.
    pub max_parts: usize,
    /// Unpacked size of any one part.
    pub max_part_bytes: u64,
    /// Unpacked size of all parts together.
    pub max_total_bytes: u64,
    /// Cells read from one workbook, all sheets together (non-empty ones, and formula cells even when empty).
    pub max_cells: usize,
    /// Entries in the shared-strings table.
    pub max_shared_strings: usize,
    /// Cells that calamine lays out when it opens an `.xls` or `.ods` file, which it reads whole into dense ranges:
    /// each sheet's last used row × last used column (repeated rows and cells included), all sheets together.
    pub max_dense_cells: u64,
    /// Text held by the cells of one workbook, each copy counted: one shared string shown by a million cells, or one
    /// cell repeated across a million, is small in the file but not in memory.
    pub max_text_bytes: u64,
    /// Questions read from one file, all sheets together.
    pub max_questions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 200 * 1_000_000,
            max_parts: 10_000,
            max_part_bytes: 128 * 1_000_000,
            max_total_bytes: 512 * 1_000_000,
            max_cells: 4_000_000,
            max_shared_strings: 2_000_000,
            // About 300 MB once laid out; real questionnaires (CAIQ, HECVAT) saved as .xls or .ods by LibreOffice
            // span at most about 53,000.
            max_dense_cells: 5_000_000,
            max_text_bytes: 256 * 1_000_000,
            // Five times the largest case of the speed benchmark (10,000 questions); the largest real
            // questionnaires hold a few thousand (#29).
            max_questions: 50_000,
        }
    }
}

impl Limits {
    /// Refuses an input file over `max_file_bytes`.
    pub(crate) fn check_file_size(&self, len: u64) -> anyhow::Result<()> {
        if len > self.max_file_bytes {
            anyhow::bail!(
                "it is larger than the {} MB limit",
                self.max_file_bytes / 1_000_000
            );
        }
        Ok(())
    }

    pub(crate) fn part_too_large(&self, part: &str) -> OoxmlError {
        OoxmlError::Limit(format!(
            "its part {part} unpacks to more than {} MB (a zip bomb?)",
            self.max_part_bytes / 1_000_000
        ))
    }

    pub(crate) fn too_many_cells(&self) -> OoxmlError {
        OoxmlError::Limit(format!("it holds more than {} cells", self.max_cells))
    }

    pub(crate) fn too_many_dense_cells(&self, cells: u64) -> OoxmlError {
        OoxmlError::Limit(format!(
            "its sheets span {cells} cells from A1 to their last used cells (the limit is {})",
            self.max_dense_cells
        ))
    }

    pub(crate) fn too_much_text(&self) -> OoxmlError {
        OoxmlError::Limit(format!(
            "its cells hold more than {} MB of text, each repeated or shared text counted where it shows",
            self.max_text_bytes / 1_000_000
        ))
    }
}

/// Why a package could not be used. Every variant reads as the end of "... is not usable: <this>".
#[derive(Debug, thiserror::Error)]
pub enum OoxmlError {
    #[error("it is not a valid zip package ({0})")]
    BadZip(String),
    #[error("it is encrypted (password-protected); save an unprotected copy and try again")]
    Encrypted,
    #[error("it has a zip entry with an unsafe name `{0}`")]
    UnsafeName(String),
    #[error("it has the zip entry `{0}` twice")]
    DuplicatePart(String),
    #[error("its part {0} has a DOCTYPE (entity declarations are refused)")]
    Doctype(String),
    #[error("it is too large: {0}")]
    Limit(String),
    #[error("it is not a spreadsheet: {0}")]
    NotAWorkbook(String),
    #[error("its part {0} is missing")]
    MissingPart(String),
    #[error("its part {part} is damaged: {message}")]
    Corrupt { part: String, message: String },
}

impl OoxmlError {
    pub(crate) fn xml(part: &str, err: impl std::fmt::Display) -> OoxmlError {
        OoxmlError::Corrupt {
            part: part.to_string(),
            message: format!("bad XML: {err}"),
        }
    }

    pub(crate) fn corrupt_part(part: &str, err: &std::io::Error) -> OoxmlError {
        OoxmlError::Corrupt {
            part: part.to_string(),
            message: err.to_string(),
        }
    }
}

/// The part of a qualified XML name after the prefix (`x:c` → `c`): real workbooks use prefixes.
pub fn local_name(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// An attribute's unescaped value, found by local name.
pub fn attr(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| local_name(a.key.as_ref()) == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(Cow::into_owned)
        })
}

/// The text of an entity or character reference (`&amp;` → `&`, `&#10;` → newline). Only XML's predefined
/// entities exist in OOXML; anything else is damage, never expanded.
pub fn resolve_entity(reference: &BytesRef<'_>, part: &str) -> Result<String, OoxmlError> {
    if let Some(c) = reference
        .resolve_char_ref()
        .map_err(|e| OoxmlError::xml(part, e))?
    {
        return Ok(c.to_string());
    }
    let name = reference.clone().into_inner();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| OoxmlError::xml(part, format!("unknown entity &{name};")))
}
