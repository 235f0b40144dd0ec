//! Review rows for the tests of `intent` and `plan`: one drafted question as a reviewer left it.

use crate::matching::Confidence;
use crate::questionnaire::AnswerKind;
use crate::workbook::review::{Decision, ReviewRow};

/// A drafted row (C short with a Yes/No dropdown, D long), as the reviewer left it.
pub(super) fn row(
    number: usize,
    decision: Option<Decision>,
    shown_short: &str,
    shown_body: &str,
) -> ReviewRow {
    use crate::questionnaire::AnswerCell;
    let cell = |at: &str, kind| AnswerCell {
        cell: at.parse().unwrap(),
        kind,
        allowed: (kind == AnswerKind::Short).then(|| vec!["Yes".into(), "No".into()]),
        current: String::new(),
    };
    ReviewRow {
        number,
        sheet: "S".into(),
        row: 4,
        question_id: None,
        question: "Do you encrypt data at rest?".into(),
        section: None,
        cells: vec![cell("C5", AnswerKind::Short), cell("D5", AnswerKind::Long)],
        single_answer_column: false,
        matched_id: Some("encryption".into()),
        confidence: Confidence::Medium,
        short: Some("Yes".into()),
        body: Some("Yes. AES-256.".into()),
        written: false,
        alternatives: Vec::new(),
        documents: Vec::new(),
        decision,
        final_answer: None,
        shown: Some(crate::workbook::review::Shown {
            short: shown_short.into(),
            body: shown_body.into(),
            docs: Vec::new(),
        }),
    }
}
