//! The index's Tantivy schema: the fields every entry's document is written to and every query reads.
//!
//! In: nothing (the schema is fixed; [`SCHEMA_VERSION`] says which), or an opened index's schema. Out: the
//! [`Fields`], in two [`Part`]s (real answers and unfilled templates), built for a new index or looked up in an
//! existing one. Text fields are split on whitespace only: what goes in is already analyzed terms (see the index's
//! own header), so the index needs no tokenizer of its own.

use anyhow::{Context, Result};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::library::Entry;

/// Bump when the schema or what is stored changes.
pub(super) const SCHEMA_VERSION: u32 = 9;

/// The Tantivy fields. Text fields are indexed from analyzed terms joined by spaces.
///
/// Real answers and unfilled starter templates ([`Entry::is_unfilled_template`]) are indexed in fields of their
/// own ([`Part`]): a template's words never enter the statistics (document frequencies, average lengths) that
/// rank real answers, so adding or removing the starter kit leaves every real ranking exactly as it was (#25).
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub path: Field,
    pub id: Field,
    /// The fields of real answers.
    pub answers: PartFields,
    /// The fields of unfilled templates.
    pub templates: PartFields,
    /// Holds [`TEMPLATE_MARK`] for an unfilled template: counts the templates.
    pub template: Field,
    /// The [`IndexedEntry`] as JSON.
    pub data: Field,
    /// [`tie_break`] of the entry's id, a fast field: which of two entries with the same score comes first.
    pub tie_break: Field,
}

/// Where an entry goes among entries with the same score when candidates are picked: a fixed hash of its id (the
/// first 8 bytes of its SHA-256). A document's number would do, but it depends on how the index was built (its
/// writer threads take documents in any order, and an edited entry is written again at the end), so the same
/// library could draft a question differently after its cache was rebuilt.
pub fn tie_break(id: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// The text of [`Fields::template`] in a template's document.
pub const TEMPLATE_MARK: &str = "1";

/// Which entries a matcher ranks: real answers, or unfilled starter templates (see [`Fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Answers,
    Templates,
}

impl Part {
    pub fn of(entry: &Entry) -> Part {
        if entry.is_unfilled_template() {
            Part::Templates
        } else {
            Part::Answers
        }
    }
}

/// The searchable fields of one [`Part`].
#[derive(Debug, Clone, Copy)]
pub struct PartFields {
    /// The question and every alternate.
    pub wording: Field,
    pub tags: Field,
    pub body: Field,
    /// Every word of wordings and body, stemmed, nothing removed: the plain BM25 ranking.
    pub plain: Field,
    /// Exact-reuse keys, one per wording.
    pub key: Field,
}

impl Fields {
    pub fn part(&self, part: Part) -> PartFields {
        match part {
            Part::Answers => self.answers,
            Part::Templates => self.templates,
        }
    }
}

pub(super) fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let path = builder.add_text_field("path", STRING | STORED);
    let id = builder.add_text_field("id", STRING | STORED);
    let mut part = |prefix: &str| PartFields {
        wording: builder.add_text_field(&format!("{prefix}wording"), text.clone()),
        tags: builder.add_text_field(&format!("{prefix}tags"), text.clone()),
        body: builder.add_text_field(&format!("{prefix}body"), text.clone()),
        plain: builder.add_text_field(&format!("{prefix}plain"), text.clone()),
        key: builder.add_text_field(&format!("{prefix}key"), STRING),
    };
    let answers = part("");
    let templates = part("template_");
    let fields = Fields {
        path,
        id,
        answers,
        templates,
        template: builder.add_text_field("template", STRING),
        // JSON text, stored only: Tantivy reads a text value in one copy, and a bytes value one byte at a time
        // (#27: 2% of a draft).
        data: builder.add_text_field("data", STORED),
        tie_break: builder.add_u64_field("tie_break", FAST),
    };
    (builder.build(), fields)
}

pub(super) fn fields_of(schema: &Schema) -> Result<Fields> {
    let get = |name: &str| {
        schema
            .get_field(name)
            .with_context(|| format!("the index has no field `{name}`"))
    };
    let part = |prefix: &str| -> Result<PartFields> {
        Ok(PartFields {
            wording: get(&format!("{prefix}wording"))?,
            tags: get(&format!("{prefix}tags"))?,
            body: get(&format!("{prefix}body"))?,
            plain: get(&format!("{prefix}plain"))?,
            key: get(&format!("{prefix}key"))?,
        })
    };
    Ok(Fields {
        path: get("path")?,
        id: get("id")?,
        answers: part("")?,
        templates: part("template_")?,
        template: get("template")?,
        data: get("data")?,
        tie_break: get("tie_break")?,
    })
}
