//! Whether an imported answer is one the library already gives: agreement, or a conflict and how it differs.
//!
//! In: a library [`Entry`] that asks the same question, and the [`RowAnswer`] read from the questionnaire. Out:
//! `Ok` when the entry gives that answer (however spelled, wrapped or reworded), or `Err` with how they differ,
//! in words, for the conflict the import reports. Re-importing is idempotent in meaning because of this: only a
//! different short answer, different figures, or a text that says something else is a conflict (see #17).

use std::collections::{BTreeSet, HashSet};

use super::answer::RowAnswer;
use crate::library::Entry;
use crate::short_answer::{ShortAnswer, adds_nothing, split_leading};
use crate::text::plain_text;

/// Whether an entry gives `answer`: `Ok` when it does (however spelled, wrapped or reworded), `Err` with how
/// they differ when they really do: a different short answer, different figures, or (for answers without a short
/// answer) a text that says something else.
pub(super) fn agreement(entry: &Entry, answer: &RowAnswer) -> Result<(), String> {
    let entry_body = plain_text(&entry.body);
    let entry_short = entry
        .short_answer
        .as_deref()
        .and_then(ShortAnswer::parse_in_yes_no_column)
        .or_else(|| split_leading(&entry_body).map(|(s, _)| s));
    let short = answer
        .short
        .or_else(|| split_leading(&answer.body).map(|(s, _)| s));
    // Short answers that are not Yes/No/N/A ("Partial") must be the same text.
    if let (Some(a), Some(b)) = (entry.short_answer.as_deref(), answer.short)
        && !crate::short_answer::same_short_answer(a, b.as_str())
    {
        return Err(format!("{} here, {a} in the library", b.as_str()));
    }
    if let (Some(a), Some(b)) = (entry_short, short)
        && a != b
    {
        return Err(format!(
            "{} here, {} in the library",
            b.as_str(),
            a.as_str()
        ));
    }
    let said = |s: Option<ShortAnswer>| s.map(ShortAnswer::as_str);
    if adds_nothing(said(entry_short), &entry_body) || adds_nothing(said(short), &answer.body) {
        // One side only states the short answer, which the other agrees with.
        return Ok(());
    }
    let (a, b) = (
        words(without_short(&entry_body)),
        words(without_short(&answer.body)),
    );
    if a == b {
        return Ok(());
    }
    let (figures_a, figures_b) = (figures(&a), figures(&b));
    if !figures_a.is_subset(&figures_b) && !figures_b.is_subset(&figures_a) {
        let only: Vec<&str> = figures_b
            .difference(&figures_a)
            .map(String::as_str)
            .collect();
        return Err(format!("other figures here: {}", only.join(", ")));
    }
    if entry_short.is_some() && short.is_some() {
        // The same Yes/No with an explanation in other words: the library's vetted text stands.
        return Ok(());
    }
    // Without a short answer the text is the answer: a rewording shares most of its content words.
    let (content_a, content_b) = (content_words(&a), content_words(&b));
    let shared = content_a.intersection(&content_b).count();
    let smaller = content_a.len().min(content_b.len()).max(1);
    if shared * 2 >= smaller {
        Ok(())
    } else {
        Err("the text here says something else".to_string())
    }
}

/// The body after a leading short answer ("Yes. We do." → "We do.").
fn without_short(body: &str) -> &str {
    split_leading(body).map_or(body, |(_, rest)| rest)
}

/// Lowercase words and numbers, punctuation and wrapping aside.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The figures an answer states ("12", "256", "2"): two answers with different figures say different things.
fn figures(words: &[String]) -> BTreeSet<String> {
    words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .cloned()
        .collect()
}

fn content_words(words: &[String]) -> HashSet<&str> {
    const FUNCTION: &[&str] = &[
        "and", "are", "the", "for", "with", "our", "all", "any", "has", "have", "was", "were",
        "not", "but", "from", "that", "this", "its", "into", "also", "can", "will", "use", "per",
    ];
    words
        .iter()
        .map(String::as_str)
        .filter(|w| w.chars().count() >= 3 && !FUNCTION.contains(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Status;
    use crate::library::new_entry::new_entry;

    fn entry(short: Option<&str>, body: &str) -> Entry {
        let mut entry = new_entry(
            "e",
            "",
            "Q?",
            short.map(str::to_string),
            body,
            Vec::new(),
            None,
            Status::Approved,
            String::new(),
            None,
        );
        entry.body = body.to_string();
        entry
    }

    #[test]
    fn the_same_answer_in_other_spellings_and_words_agrees() {
        let yes = |body: &str| RowAnswer {
            short: Some(ShortAnswer::Yes),
            body: body.to_string(),
        };
        let library = entry(
            Some("Yes"),
            "Yes. Our SOC 2 Type II report covers **12 months** and is issued every year.",
        );
        assert!(agreement(&library, &yes("Yes.")).is_ok());
        assert!(
            agreement(
                &library,
                &yes("Our SOC 2 Type II report covers 12\nmonths; issued yearly")
            )
            .is_ok()
        );
        assert!(agreement(&entry(Some("Yes"), "Yes"), &yes("Yes, see the report.")).is_ok());
        assert!(
            agreement(
                &entry(Some("N/A"), "N/A."),
                &RowAnswer {
                    short: Some(ShortAnswer::NotApplicable),
                    body: "NA".into()
                }
            )
            .is_ok()
        );
        let no = RowAnswer {
            short: Some(ShortAnswer::No),
            body: "No.".into(),
        };
        assert_eq!(
            agreement(&library, &no),
            Err("No here, Yes in the library".to_string())
        );
        assert!(
            agreement(&library, &yes("Yes, covering 6 months."))
                .unwrap_err()
                .contains("other figures here: 6")
        );
        let text = |body: &str| RowAnswer {
            short: None,
            body: body.to_string(),
        };
        let rto = entry(None, "RTO 8 hours and RPO 1 hour, tested twice a year.");
        assert!(agreement(&rto, &text("RTO 8 hours, RPO 1 hour; tested twice a year")).is_ok());
        assert!(agreement(&rto, &text("RTO 4 hours and RPO 1 hour.")).is_err());
        assert!(agreement(&rto, &text("Backups are copied to another region.")).is_err());
    }
}
