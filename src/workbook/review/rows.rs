//! The review's records: one [`ReviewRow`] per drafted question (what `draft` showed and recorded, and what the
//! reviewer decided once read back), the run's [`ReviewMeta`], and the [`State`] each question ends in after
//! `finish`. Written by `write`, filled by `read`, acted on by `learning`.
//!
//! A row is trusted only as far as it agrees with the library: [`ReviewRow::disagreement`] tells a decision on
//! the entry the reviewer saw from one whose entry changed since, or whose record was edited (see #29).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::drafted::CANDIDATES_KEPT;
use crate::library::Entry;
use crate::matching::Confidence;
use crate::matching::passages::SUGGESTIONS as DOC_SUGGESTIONS;
use crate::ooxml::Limits;
use crate::questionnaire::{AnswerCell, Overrides, ReadOptions};
use crate::short_answer::{ShortAnswer, same_optional_short_answer, same_short_answer};
use crate::text::{one_line, plain_text};
use crate::workbook::patch::fit_to_cell;

/// A reviewer's decision on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    Accept,
    /// Use candidate #n (2 or 3) instead of the drafted one.
    Use(usize),
    Edit,
    Reject,
    NeedsSme,
    /// Use document suggestion #n (1 to 3), as the Doc #n cell holds it (see #24).
    Doc(usize),
}

impl Decision {
    /// The values of the Decision dropdown.
    pub const CHOICES: [&'static str; 9] = [
        "Accept",
        "Use #2",
        "Use #3",
        "Use doc #1",
        "Use doc #2",
        "Use doc #3",
        "Edit",
        "Reject",
        "Needs SME",
    ];

    /// Reads a decision as a person may type it: any case, "Use #2", "use 2" or "#2"; "Use #1" is Accept.
    pub fn parse(text: &str) -> Option<Decision> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "accept" | "accepted" => return Some(Decision::Accept),
            "edit" | "edited" => return Some(Decision::Edit),
            "reject" | "rejected" => return Some(Decision::Reject),
            "needs sme" | "sme" | "needs_sme" | "needs-sme" => return Some(Decision::NeedsSme),
            _ => {}
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(rest) = compact
            .strip_prefix("usedoc")
            .or_else(|| compact.strip_prefix("doc"))
        {
            return match rest
                .strip_prefix('#')
                .unwrap_or(rest)
                .parse::<usize>()
                .ok()?
            {
                n @ 1..=DOC_SUGGESTIONS => Some(Decision::Doc(n)),
                _ => None,
            };
        }
        let number = compact
            .strip_prefix("use")
            .map(|rest| rest.strip_prefix('#').unwrap_or(rest))
            .or_else(|| compact.strip_prefix('#'))?;
        match number.parse::<usize>().ok()? {
            1 => Some(Decision::Accept),
            n @ 2..=CANDIDATES_KEPT => Some(Decision::Use(n)),
            _ => None,
        }
    }
}

/// How `draft` read the questionnaire (`--sheet`, `--include-hidden`, the header and column options), recorded so
/// that `finish` reads it again the same way and writes only into answer cells the reader finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reading {
    pub sheets: Vec<String>,
    pub include_hidden: bool,
    #[serde(flatten)]
    pub overrides: Overrides,
}

impl Reading {
    pub fn of(options: &ReadOptions) -> Reading {
        Reading {
            sheets: options.sheets.clone(),
            include_hidden: options.include_hidden,
            overrides: options.overrides.clone(),
        }
    }

    /// The reader options to read the questionnaire again (with the default limits, as `draft` uses).
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            sheets: self.sheets.clone(),
            include_hidden: self.include_hidden,
            overrides: self.overrides.clone(),
            limits: Limits::default(),
        }
    }
}

/// What the run was, recorded for `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewMeta {
    /// The customer's original file (absolute path when written).
    pub source: PathBuf,
    pub source_sha256: String,
    pub library: PathBuf,
    pub drafted_file: PathBuf,
    pub created: Date,
    pub min_confidence: Confidence,
    pub overwrite: bool,
    pub semantic: bool,
    pub reading: Reading,
}

/// A runner-up the reviewer can pick with "Use #n".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// 2 or 3: its place among the candidates, as the Decision names it.
    pub number: usize,
    pub id: String,
    pub question: String,
    pub short: Option<String>,
    /// Its answer as a cell shows it; kept in a column of its own in the data sheet.
    #[serde(skip)]
    pub body: String,
}

/// An excerpt of the company's documents offered for a question (see #24), as recorded for `finish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSuggestion {
    /// 1 to 3: its place, as "Use doc #n" names it.
    pub number: usize,
    /// The excerpt as shown (one to three sentences of the document).
    pub excerpt: String,
    /// Where it comes from: file, heading path, page.
    pub citation: String,
    /// Whether it probably answers the question, or is a lead.
    pub likely: bool,
    /// It holds an unfilled `{{...}}` placeholder: shown, never written as it is.
    pub placeholder: bool,
}

impl DocSuggestion {
    /// The Doc #n cell: the excerpt, then a blank line and its source. A reviewer may edit the excerpt in place.
    pub fn cell_text(&self) -> String {
        format!("{}\n\n{SOURCE_PREFIX}{}", self.excerpt, self.citation)
    }

    /// The answer a Doc #n cell holds as the reviewer left it: its text without the source line `draft` added
    /// (kept if the reviewer changed it, since then it is theirs).
    pub fn answer_in(&self, cell: &str) -> String {
        let source = format!("{SOURCE_PREFIX}{}", self.citation);
        let text = cell.trim_end();
        let text = text
            .strip_suffix(source.as_str())
            .or_else(|| text.strip_suffix(one_line(&source).as_str()))
            .unwrap_or(text);
        text.trim().to_string()
    }
}

/// How a Doc #n cell introduces the excerpt's source.
const SOURCE_PREFIX: &str = "Source: ";

/// What the Review sheet's drafted short-answer and answer cells hold when read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub short: String,
    pub body: String,
    /// The Doc #1 to #3 cells (empty where there is none).
    pub docs: Vec<String>,
}

/// One question as recorded in the data sheet, with the reviewer's decision once read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub number: usize,
    pub sheet: String,
    /// 0-based row in the customer's sheet.
    pub row: u32,
    pub question_id: Option<String>,
    pub question: String,
    pub section: Option<String>,
    pub cells: Vec<AnswerCell>,
    /// The sheet's only answer column takes the short answer and the body together.
    pub single_answer_column: bool,
    pub matched_id: Option<String>,
    pub confidence: Confidence,
    /// The drafted answer (the best entry's short answer and body), even when it was not written. These are also
    /// exactly what the Review sheet's "Short answer" and "Drafted answer" cells showed, so a change made there
    /// is seen on reading back.
    pub short: Option<String>,
    /// Kept in a column of its own in the data sheet (it can be as long as a cell allows).
    #[serde(skip)]
    pub body: Option<String>,
    /// Whether `draft` wrote it into the customer's file.
    pub written: bool,
    /// Candidates #2 and #3 (only for a matched question).
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// Excerpts of the company's documents offered for the question (see #24).
    #[serde(default)]
    pub documents: Vec<DocSuggestion>,
    #[serde(skip)]
    pub decision: Option<Decision>,
    #[serde(skip)]
    pub final_answer: Option<String>,
    /// The drafted cells as the reviewer left them (`None` when the row is not in the Review sheet any more).
    #[serde(skip)]
    pub shown: Option<Shown>,
}

impl ReviewRow {
    /// Candidate #n's id, short answer and body: #1 is the drafted answer.
    pub fn candidate(&self, n: usize) -> Option<(&str, Option<&str>, &str)> {
        if n == 1 {
            return self.matched_id.as_deref().map(|id| {
                (
                    id,
                    self.short.as_deref(),
                    self.body.as_deref().unwrap_or(""),
                )
            });
        }
        self.alternatives
            .iter()
            .find(|a| a.number == n)
            .map(|a| (a.id.as_str(), a.short.as_deref(), a.body.as_str()))
    }

    /// Why the library's `entry` is not the candidate of that id this row showed the reviewer, or `None` when it
    /// is: the row's record of the candidate (its answer; for #2 and #3 also its question and short answer) must be
    /// what the entry holds now. A decision is recorded on an entry only then (see #29: an edited `matched_id` in the
    /// hidden sheet moved a reviewer's Reject onto an entry they never saw; an entry edited since `draft` is not the
    /// answer they judged either). The drafted short answer is not compared strictly: for a question that asks the
    /// opposite, `draft` showed the entry's Yes/No turned around, or none.
    pub fn disagreement(&self, entry: &Entry) -> Option<String> {
        let same_text = |a: &str, b: &str| one_line(a) == one_line(b);
        let changed = |what: &str| {
            Some(format!(
                "the review shows `{}` with {what} that the library's entry does not have now (it was changed since \
                 draft, or the review's hidden sheet was edited)",
                entry.id
            ))
        };
        let answer = shown_answer(entry);
        if self.matched_id.as_deref() == Some(entry.id.as_str()) {
            if !same_text(self.body.as_deref().unwrap_or(""), &answer) {
                return changed("an answer");
            }
            let yes_no = |s: &str| {
                matches!(
                    ShortAnswer::parse(s),
                    Some(ShortAnswer::Yes | ShortAnswer::No)
                )
            };
            let short_agrees = match (self.short.as_deref(), entry.short_answer.as_deref()) {
                (None, _) => true,
                (Some(shown), Some(held)) => {
                    same_short_answer(shown, held) || (yes_no(shown) && yes_no(held))
                }
                (Some(_), None) => false,
            };
            return if short_agrees {
                None
            } else {
                changed("a short answer")
            };
        }
        let Some(alternative) = self.alternatives.iter().find(|a| a.id == entry.id) else {
            return Some(format!(
                "the review shows no candidate `{}` for this question",
                entry.id
            ));
        };
        if !same_text(&alternative.body, &answer) {
            changed("an answer")
        } else if !same_text(&alternative.question, &entry.question) {
            changed("a question")
        } else if !same_optional_short_answer(
            alternative.short.as_deref(),
            entry.short_answer.as_deref(),
        ) {
            changed("a short answer")
        } else {
            None
        }
    }

    /// Where the question is, for messages: "#3 (NW-1.3, sheet 'Vendor Questionnaire', cell C8)".
    pub fn place(&self) -> String {
        let cell = self.cells.first().map_or_else(
            || format!("row {}", self.row + 1),
            |c| format!("cell {}", c.cell),
        );
        match &self.question_id {
            Some(id) => format!("#{} ({id}, sheet '{}', {cell})", self.number, self.sheet),
            None => format!("#{} (sheet '{}', {cell})", self.number, self.sheet),
        }
    }
}

/// An entry's answer as the review shows it and records it: plain text, cut to a cell's limit.
pub fn shown_answer(entry: &Entry) -> String {
    fit_to_cell(&plain_text(&entry.body)).0
}

/// Where a question stands once the review is applied. Every question is in exactly one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Accept: the drafted answer.
    Accepted,
    /// The reviewer's own answer (Edit, a Final answer, or the draft corrected in place).
    Edited,
    /// Use #N: another candidate's answer.
    Picked,
    /// Use doc #N: an excerpt of the company's documents, as the reviewer left it.
    FromDocument,
    /// No decision; `draft` wrote it into the file, and it stays.
    Drafted,
    /// No decision; the customer's file already answers it.
    AlreadyAnswered,
    Rejected,
    NeedsSme,
    /// No decision and no answer.
    Unanswered,
    /// The reviewer decided, but what they asked for could not be written (see the reason).
    NotWritten,
}

impl State {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Rejected | State::NeedsSme | State::Unanswered | State::NotWritten
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Accepted => "accepted",
            State::Edited => "edited",
            State::Picked => "picked",
            State::FromDocument => "from a document",
            State::Drafted => "drafted",
            State::AlreadyAnswered => "already answered",
            State::Rejected => "rejected",
            State::NeedsSme => "needs SME",
            State::Unanswered => "no decision, no answer",
            State::NotWritten => "not written",
        }
    }
}

/// One question after the review.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionState {
    /// The `#` of the review row.
    pub number: usize,
    pub sheet: String,
    /// Its answer cells in the customer's file.
    pub cells: Vec<String>,
    pub question_id: Option<String>,
    pub question: String,
    pub state: State,
    /// For an open question, why it is open and what to do.
    pub reason: Option<String>,
    /// The entry `draft` drafted from, if any.
    pub entry: Option<String>,
    /// Its answer, for whoever answers an open question (not in `--json`).
    #[serde(skip)]
    pub drafted: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// See #29: a decision lands on an entry only while it holds what the review showed of it.
    #[test]
    fn a_row_agrees_only_with_the_entries_it_showed() {
        let entry = |id: &str, question: &str, short: &str, body: &str| {
            crate::library::entry::parse_entry(
                id,
                &format!("{id}.md"),
                &format!("+++\nquestion = {question:?}\nshort_answer = {short:?}\n+++\n{body}\n"),
            )
            .unwrap()
        };
        let soc2 = entry(
            "soc-2",
            "Do you have SOC 2?",
            "Yes",
            "Yes. **Type II**, yearly.",
        );
        let iso = entry(
            "iso",
            "Are you ISO 27001 certified?",
            "Yes",
            "Yes, since 2024.",
        );
        let row = ReviewRow {
            number: 1,
            sheet: "S".into(),
            row: 3,
            question_id: None,
            question: "Do you hold a SOC 2 report?".into(),
            section: None,
            cells: Vec::new(),
            single_answer_column: false,
            matched_id: Some("soc-2".into()),
            confidence: Confidence::Medium,
            // As draft shows it: plain text (rewrapped by a spreadsheet, which is no change).
            short: Some("Yes".into()),
            body: Some("Yes. Type II,\n yearly.".into()),
            written: false,
            alternatives: vec![Alternative {
                number: 2,
                id: "iso".into(),
                question: "Are you ISO 27001 certified?".into(),
                short: Some("Yes".into()),
                body: "Yes, since 2024.".into(),
            }],
            documents: Vec::new(),
            decision: None,
            final_answer: None,
            shown: None,
        };
        assert_eq!(row.disagreement(&soc2), None);
        assert_eq!(row.disagreement(&iso), None);
        // The drafted entry's id swapped for another's: that entry's answer is not what the row showed.
        let mut swapped = row.clone();
        swapped.matched_id = Some("iso".into());
        assert!(
            swapped
                .disagreement(&iso)
                .is_some_and(|why| why.contains("with an answer")),
            "{:?}",
            swapped.disagreement(&iso)
        );
        // Edited since draft.
        let edited = entry("soc-2", "Do you have SOC 2?", "Yes", "Yes. Type I only.");
        assert!(row.disagreement(&edited).is_some());
        let flipped = entry(
            "iso",
            "Are you ISO 27001 certified?",
            "No",
            "Yes, since 2024.",
        );
        assert!(row.disagreement(&flipped).is_some());
        let reworded = entry(
            "iso",
            "Are you ISO 9001 certified?",
            "Yes",
            "Yes, since 2024.",
        );
        assert!(row.disagreement(&reworded).is_some());
        // Never shown at all.
        let other = entry("pci", "Are you PCI compliant?", "No", "No.");
        assert!(row.disagreement(&other).is_some());
    }

    #[test]
    fn decisions_read_as_people_type_them() {
        assert_eq!(Decision::parse(" accept "), Some(Decision::Accept));
        assert_eq!(Decision::parse("Use #2"), Some(Decision::Use(2)));
        assert_eq!(Decision::parse("use 3"), Some(Decision::Use(3)));
        assert_eq!(Decision::parse("#2"), Some(Decision::Use(2)));
        assert_eq!(Decision::parse("Use #1"), Some(Decision::Accept));
        assert_eq!(Decision::parse("needs sme"), Some(Decision::NeedsSme));
        assert_eq!(
            Decision::parse("Use #4"),
            None,
            "only three candidates are shown"
        );
        assert_eq!(Decision::parse("Use doc #2"), Some(Decision::Doc(2)));
        assert_eq!(Decision::parse("use doc 1"), Some(Decision::Doc(1)));
        assert_eq!(Decision::parse("doc #3"), Some(Decision::Doc(3)));
        assert_eq!(Decision::parse("Use doc #4"), None);
        assert_eq!(Decision::parse("Use"), None);
        assert_eq!(Decision::parse("user"), None);
        assert_eq!(Decision::parse("Maybe"), None);
        for choice in Decision::CHOICES {
            assert!(Decision::parse(choice).is_some(), "{choice}");
        }
    }

    #[test]
    fn reading_options_round_trip() {
        let reading = Reading {
            sheets: vec!["Security".into()],
            include_hidden: true,
            overrides: Overrides {
                header_row: Some(3),
                question_col: Some(1),
                id_col: None,
                answer_col: Some(2),
                comment_col: Some(4),
            },
        };
        assert_eq!(Reading::of(&reading.options()), reading);
        let json = serde_json::to_string(&reading).unwrap();
        assert_eq!(
            json,
            r#"{"sheets":["Security"],"include_hidden":true,"header_row":3,"question_col":1,"id_col":null,"answer_col":2,"comment_col":4}"#
        );
        assert_eq!(serde_json::from_str::<Reading>(&json).unwrap(), reading);
        assert_eq!(
            serde_json::from_str::<Reading>("{}").unwrap(),
            Reading::default()
        );
    }
}
