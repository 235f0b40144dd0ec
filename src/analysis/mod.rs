//! Text analysis, the floor under both the library index and matching: how any wording, tag or answer becomes
//! terms, which phrases are synonyms, and what a question ID looks like.
//!
//! In: text from library files and customer questionnaires. Out: [`Analyzed`] terms (for the Tantivy index, the
//! queries against it, re-ranking and the exact-reuse key, so they agree by construction), the synonym groups of
//! a library, and ID helpers. Nothing here reads files or knows about entries or workbooks: `library` and
//! `matching` both build on it, and it imports neither (see #15: the data flows one way).

mod analyzer;
pub mod ids;
pub mod synonyms;

pub use analyzer::{
    ANALYZER_VERSION, Analyzed, Analyzer, CONCEPT_PREFIX, is_negation, is_yes_no_question,
};
