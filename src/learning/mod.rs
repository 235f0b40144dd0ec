//! Closing the loop: reviewed answers go back into the customer's file and into the library.
//!
//! In: the rows of a review workbook with what the reviewer did (`finish`). Out: the cell writes for the answered
//! workbook with the state of every question (answered how, or still open and why, see #16), and library
//! changes. Every change is checked against what the library already holds, so running `finish` twice changes
//! nothing the second time.
//!
//! What a review teaches is safe and visible (see #14): the customer wording of an accepted **high** draft becomes
//! an alternate of its entry (exact re-use next time). An accepted medium or low draft, or a candidate picked with
//! "Use #N", is recorded on that entry as `learned = [{ decision = "accepted" }]`: a pending wording that helps
//! find the entry but never drafts it at high until a person approves it (`finish --approve` makes it an alternate
//! at once). Reject and Needs SME are recorded on the drafted entry, which then never drafts that wording at high
//! or medium again; so is the drafted entry the reviewer passed over for "Use #N", and a drafted entry whose
//! Yes/No an edit contradicted. An edited answer becomes a new entry, `proposed` and `derived_from` the drafted
//! one.
//!
//! Past questionnaires are imported by `importing`, which shares [`Known`].
//!
//! One job per file (see #28): `intent` reads what the reviewer asked for on each row, `plan` decides what
//! `finish` writes and the state of every question, `teach` records what the review taught in the library, and
//! `known` is the library as both this and `importing` look answers up in it.

mod intent;
mod known;
mod plan;
mod teach;
#[cfg(test)]
mod test_rows;

pub use intent::{reviewed_rows, split_final_answer};
pub(crate) use known::{Known, question_ref, source_question_id, tag_for};
pub use plan::{FinishPlan, NotApplied, plan_finish};
pub use teach::{Learned, Taught, learn_from_review};
