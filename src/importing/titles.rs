//! The guard against importing what is not an answer.
//!
//! In: the answered rows of one sheet, each question with its [`RowAnswer`]. Out: why the sheet holds no answers,
//! in words for the import report, or nothing when it does. Only answers become answers: a sheet whose "answers"
//! look like titles (short, Title Case, no verb, the same value on several rows) is not imported without `force`.

use std::collections::HashMap;

use super::answer::RowAnswer;
use crate::analysis::ids::looks_like_question_id;
use crate::text::one_line;

/// Words that show an answer is a sentence, not a title.
const SENTENCE_WORDS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "we",
    "our", "us", "not", "no", "yes", "will", "can", "cannot", "may", "must", "should", "it",
    "they", "there", "this",
];

/// Why a sheet holds no answers although a column beside its questions is filled, if it does (see #17, #26): a
/// control matrix, catalogue or crosswalk. Decided by what the columns hold, never by sheet names:
/// - most "answers" are names, not answers: no Yes/No, one to ten words in Title Case, no verb, no full stop
///   ("Audit and Assurance Policy and Procedures", once per control or repeated over its questions), or ids
///   ("A&A-01");
/// - or most "questions" are control text, not questions: statements that neither ask ("?") nor request
///   ("Describe...") ("Establish, document and maintain audit policies...").
pub(super) fn not_answers<'a>(
    rows: impl Iterator<Item = (&'a str, &'a RowAnswer)>,
) -> Option<String> {
    let rows: Vec<(&str, &RowAnswer)> = rows.collect();
    if rows.len() < 3 {
        return None;
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, answer) in &rows {
        *counts.entry(one_line(&answer.body)).or_default() += 1;
    }
    let is_name = |answer: &RowAnswer| {
        let text = one_line(&answer.body);
        let words: Vec<&str> = text.split_whitespace().collect();
        if answer.short.is_some() || words.is_empty() {
            return false;
        }
        if words.len() == 1 && looks_like_question_id(words[0]) {
            return true;
        }
        (1..=10).contains(&words.len())
            && !text.ends_with(['.', '!', '?'])
            && !words
                .iter()
                .any(|w| SENTENCE_WORDS.contains(&w.to_lowercase().as_str()))
            && words
                .iter()
                .filter(|w| w.chars().count() >= 4)
                .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
            // One capitalised word ("SaaS", "Okta") is as likely an answer as a title; two or more, or one that
            // repeats over several questions, is a heading.
            && (words.len() >= 2 || counts[&text] >= 2)
    };
    let names: Vec<&str> = rows
        .iter()
        .filter(|(_, a)| is_name(a))
        .map(|(_, a)| a.body.as_str())
        .collect();
    // Three in five: a sheet of real short answers ("Tier I", "AWS and GCP") has sentences and Yes/No among them.
    if names.len() * 5 >= rows.len() * 3 {
        let example = one_line(names[0]);
        let repeats = counts[&example];
        let repeated = if repeats >= 2 {
            format!(" on {repeats} rows")
        } else {
            String::new()
        };
        return Some(format!(
            "its answers look like titles or ids, not answers: {} of {} are short names without a verb (\"{example}\"{repeated})",
            names.len(),
            rows.len(),
        ));
    }
    let statements = rows
        .iter()
        .filter(|(q, _)| !crate::questionnaire::layout::is_question_like(q))
        .count();
    if statements * 5 >= rows.len() * 4 {
        let example = rows
            .iter()
            .map(|(q, _)| *q)
            .find(|q| !crate::questionnaire::layout::is_question_like(q))
            .map(|q| crate::text::snippet(q, 60))
            .unwrap_or_default();
        return Some(format!(
            "its questions are statements, not questions (control text, as in a control matrix): {statements} of {} \
             neither ask nor request anything (\"{example}\")",
            rows.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::short_answer::ShortAnswer;

    #[test]
    fn control_matrices_are_not_answers() {
        let rows = |pairs: &[(&str, Option<ShortAnswer>, &str)]| -> Vec<(String, RowAnswer)> {
            pairs
                .iter()
                .map(|(q, short, a)| {
                    (
                        q.to_string(),
                        RowAnswer {
                            short: *short,
                            body: a.to_string(),
                        },
                    )
                })
                .collect()
        };
        let check =
            |rows: &[(String, RowAnswer)]| not_answers(rows.iter().map(|(q, a)| (q.as_str(), a)));
        // Titles repeated over each control's questions, and titles once per control.
        let repeated = rows(&[
            (
                "Are audit policies established?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are audit policies reviewed?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are assessments performed?",
                None,
                "Independent Assessments",
            ),
            (
                "Are risk plans used?",
                None,
                "Risk Based Planning Assessment",
            ),
            (
                "Are risk plans reviewed?",
                None,
                "Risk Based Planning Assessment",
            ),
        ]);
        let why = check(&repeated).unwrap();
        assert!(why.contains("5 of 5") && why.contains("on 2 rows"), "{why}");
        let once = rows(&[
            (
                "Are audit policies established?",
                None,
                "Audit and Assurance Policy and Procedures",
            ),
            (
                "Are assessments performed?",
                None,
                "Independent Assessments",
            ),
            (
                "Are risk plans used?",
                None,
                "Risk Based Planning Assessment",
            ),
            (
                "Is there an SDLC?",
                None,
                "Secure Application Design and Development",
            ),
        ]);
        assert!(check(&once).unwrap().contains("4 of 4"));
        let ids = rows(&[
            ("Are audit policies established?", None, "A&A-01"),
            ("Are assessments performed?", None, "A&A-02"),
            ("Are risk plans used?", None, "A&A-03"),
        ]);
        assert!(check(&ids).is_some());
        // Control text in the question column, whatever the other column holds.
        let specifications = rows(&[
            (
                "Establish, document and maintain audit policies and procedures.",
                None,
                "Policy reviewed yearly by the board",
            ),
            (
                "Conduct independent assessments at least annually.",
                None,
                "done by an external firm every year",
            ),
            (
                "Define and implement a process for application design.",
                None,
                "a documented SDLC in our wiki",
            ),
        ]);
        assert!(check(&specifications).unwrap().contains("statements"));
        // Real answers: Yes/No, sentences, or short texts among them.
        let real = rows(&[
            (
                "Is data managed centrally?",
                Some(ShortAnswer::Yes),
                "Managed at institution level",
            ),
            (
                "Is it managed by you?",
                Some(ShortAnswer::Yes),
                "Managed at institution level",
            ),
            ("What kind of service is it?", None, "SaaS"),
            (
                "How long do you keep logs?",
                None,
                "We keep logs for a year.",
            ),
            ("Which support tier is included?", None, "Tier I"),
        ]);
        assert_eq!(check(&real), None);
        let names = rows(&[
            ("Which cloud provider hosts the service?", None, "AWS"),
            ("Which identity provider do you use?", None, "Okta"),
            (
                "Which region is the data stored in?",
                None,
                "eu-west-1 (Ireland)",
            ),
        ]);
        assert_eq!(check(&names), None);
    }
}
