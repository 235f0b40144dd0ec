//! answerbank: answer customer security and AI-governance questionnaires from a library of vetted answers.
//!
//! The data flow, one module per step:
//! [`analysis`] (terms, synonyms, ids) is the floor under both `library` and `matching`.
//! library files → [`library`] (entries, validation, the Tantivy cache) → [`matching`] (ranking, confidence);
//! questionnaire → `questionnaire` (question rows and answer cells) → `drafting` (matches become cell writes)
//! → `workbook` (answers written into the customer's own file, the review workbook) → `learning` (reviewed
//! answers grow the library); past answered questionnaires → `importing` (new entries) → `library::approve`
//! (a person's approval), or `approving` for many at once: a workbook of the proposed entries, decided and read back.
//! The company's own documents → [`documents`] (policies, pages, Word files and PDFs read into cited passages,
//! cached per document), a second source beside the library (see #24).

pub mod analysis;
pub mod approving;
pub mod cell;
pub mod date;
pub mod documents;
pub mod drafted;
pub mod drafting;
pub mod evaluation;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzz_support;
pub mod importing;
pub mod learning;
pub mod library;
pub mod matching;
pub mod ooxml;
pub mod questionnaire;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod short_answer;
pub mod text;
pub mod vector;
pub mod workbook;
