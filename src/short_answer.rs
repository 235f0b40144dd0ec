//! Yes / No / N/A: the one place that knows how short answers are spelled.
//!
//! Questionnaires spell them many ways (`Y`, `NA`, `N.A.`, `Not Applicable`, `Does not apply`, numbered options
//! such as `1) Yes` and `2) No`, `Ja`/`Nein`, and `TRUE`/`FALSE` in a yes/no column), and an answer often starts
//! with one (`Yes - weekly`, `No, not yet.`). Every step of the flow has to agree on what counts as the same
//! answer: the reader (is a column or a dropdown a yes/no one, which mark column means what), drafting (which
//! dropdown value to write, and whether a body says more than its short answer), confidence (do two candidates
//! say the same), and learning and import (is an answer already in the library). The library itself stores the
//! spellings [`ShortAnswer::as_str`] returns (see #17).
//!
//! One decision that is not obvious: `True`/`False` mean Yes/No only where the column is a yes/no one
//! ([`ShortAnswer::parse_in_yes_no_column`]); in a comment or a reviewer's sentence they are words. `1`/`0` never
//! are: "0" answers "How many incidents?" as well as it answers a yes/no question.

/// A short answer's meaning, whatever its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShortAnswer {
    Yes,
    No,
    NotApplicable,
}

/// Yes in English and the common European languages (whole-cell spellings, after [`normalize`]).
const YES: &[&str] = &[
    "yes", "y", "ja", "j", "oui", "si", "sí", "sim", "tak", "kyllä", "ano", "igen",
];
const NO: &[&str] = &[
    "no", "n", "nein", "nee", "nej", "nei", "non", "não", "nao", "nie", "ei", "ne", "nem",
];
const NOT_APPLICABLE: &[&str] = &[
    "n/a",
    "na",
    "n a",
    "n / a",
    "not applicable",
    "does not apply",
    "not relevant",
    "nicht zutreffend",
    "entfällt",
    "sans objet",
    "non applicable",
    "non applicabile",
    "no aplica",
    "no aplicable",
    "não aplicável",
    "nao aplicavel",
    "niet van toepassing",
    "nvt",
    "n v t",
    "ej tillämpligt",
    "ikke relevant",
    "nie dotyczy",
];
/// Words that lead a longer answer ("Yes - weekly", "N/A, we hold no such data"). Single letters and the short
/// localized words are left out: "N we don't" or "Si" at the start of a sentence is no answer.
const LEADING: &[(&str, ShortAnswer)] = &[
    ("not applicable", ShortAnswer::NotApplicable),
    ("yes", ShortAnswer::Yes),
    ("no", ShortAnswer::No),
    ("n/a", ShortAnswer::NotApplicable),
    ("na", ShortAnswer::NotApplicable),
];
/// What a comment says when it has nothing to add: "None", "-", "N/A" next to a Yes/No.
const FILLERS: &[&str] = &[
    "",
    "-",
    "--",
    "–",
    "—",
    "none",
    "nil",
    "n/a",
    "na",
    "n a",
    "not applicable",
    "no comment",
    "no comments",
    "nothing to add",
];

/// The longest of `words`, in bytes (at least as many as its characters).
const fn longest(words: &[&str]) -> usize {
    let (mut i, mut most) = (0, 0);
    while i < words.len() {
        if words[i].len() > most {
            most = words[i].len();
        }
        i += 1;
    }
    most
}

/// The longest spelling of a whole-cell short answer.
const LONGEST_ANSWER: usize = {
    let (yes, no, na) = (longest(YES), longest(NO), longest(NOT_APPLICABLE));
    let most = if yes > no { yes } else { no };
    if na > most { na } else { most }
};

/// Whether `text` has more characters that [`normalize`] keeps than `longest`: then it cannot normalize to any
/// word of that length or less, since normalizing drops only spaces and `.`, `!`, `:`, and lower case never has
/// fewer characters. Whole answers are compared with these short lists for every answer drafted; most are
/// sentences, which this turns away without making them over (#27: 1.4% of a draft's instructions).
fn too_long(text: &str, longest: usize) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '!' | ':'))
        .nth(longest)
        .is_some()
}

impl ShortAnswer {
    /// Reads any usual spelling of a whole cell, ignoring case, surrounding space, trailing punctuation and an
    /// option number (`2) No`); `None` for anything else (including `Partial`, prose, and `True`/`False`,
    /// which count only in a yes/no column).
    pub fn parse(text: &str) -> Option<ShortAnswer> {
        let text = strip_option_number(text.trim());
        if too_long(text, LONGEST_ANSWER) {
            return None;
        }
        let text = normalize(text);
        let text = text.as_str();
        if YES.contains(&text) {
            Some(ShortAnswer::Yes)
        } else if NO.contains(&text) {
            Some(ShortAnswer::No)
        } else if NOT_APPLICABLE.contains(&text) {
            Some(ShortAnswer::NotApplicable)
        } else {
            None
        }
    }

    /// [`ShortAnswer::parse`] for a cell of a column known to take yes/no answers (a Yes/No dropdown or header):
    /// there `True`/`False` are answers too.
    pub fn parse_in_yes_no_column(text: &str) -> Option<ShortAnswer> {
        ShortAnswer::parse(text).or_else(|| {
            if too_long(text, longest(&["true", "false"])) {
                return None;
            }
            match normalize(text).as_str() {
                "true" => Some(ShortAnswer::Yes),
                "false" => Some(ShortAnswer::No),
                _ => None,
            }
        })
    }

    /// The library's spelling: `Yes`, `No`, `N/A`.
    pub fn as_str(self) -> &'static str {
        match self {
            ShortAnswer::Yes => "Yes",
            ShortAnswer::No => "No",
            ShortAnswer::NotApplicable => "N/A",
        }
    }
}

/// A text that starts with a short answer and goes on: `Yes - weekly` → (Yes, `weekly`), `2) No, not yet` →
/// (No, `not yet`), `N/A.` → (N/A, ``). `None` when the text does not start with one ("Nope", "Yesterday",
/// "N we don't").
pub fn split_leading(text: &str) -> Option<(ShortAnswer, &str)> {
    let trimmed = text.trim();
    let lower = trimmed.to_lowercase();
    // Option numbers are ASCII, so byte offsets agree between `trimmed` and `lower` up to there.
    let skipped = lower.len() - strip_option_number(&lower).len();
    let (rest_lower, rest) = (&lower[skipped..], &trimmed[skipped..]);
    LEADING.iter().find_map(|(word, answer)| {
        let after = rest_lower.strip_prefix(word)?;
        if after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '/')
        {
            return None;
        }
        // `to_lowercase` keeps these ASCII words' lengths, so the offset holds in the original text too.
        let tail = rest.get(word.len()..)?;
        Some((
            *answer,
            tail.trim_start_matches(|c: char| c.is_whitespace() || ".,;:-–—!)".contains(c))
                .trim_end(),
        ))
    })
}

/// Splits an answer into its short answer and its body: `No. We don't.` → (No, `No. We don't.`), `Yes` → (Yes,
/// ``), `Not applicable` or `Y` → (N/A or Yes, ``), `We do, weekly.` → (none, `We do, weekly.`). A body that
/// goes on after its short answer is kept whole, so it reads as the person wrote it. Short answers come back in
/// the library's spelling. Used for what a reviewer types (finish) and for the answers of past questionnaires
/// (import).
pub fn split_answer(text: &str) -> (Option<ShortAnswer>, String) {
    let text = text.trim();
    if let Some(short) = ShortAnswer::parse_in_yes_no_column(text) {
        return (Some(short), String::new());
    }
    match split_leading(text) {
        Some((short, "")) => (Some(short), String::new()),
        Some((short, _)) => (Some(short), text.to_string()),
        None => (None, text.to_string()),
    }
}

/// Whether a body says nothing beyond its short answer: it is empty, a filler ("None", "-", "N/A"), or the short
/// answer itself however spelled (`Yes`, `Yes.`, `2) No`), possibly followed by a filler. Such a body is never
/// written into a comments cell on its own (see #17: no bare Yes/No as a long answer).
pub fn adds_nothing(short: Option<&str>, body: &str) -> bool {
    let said = short.and_then(ShortAnswer::parse_in_yes_no_column);
    let is_filler = |text: &str| {
        !too_long(text, longest(FILLERS)) && FILLERS.contains(&normalize(text).as_str())
    };
    if is_filler(body) {
        return true;
    }
    let body_short = ShortAnswer::parse(body)
        .map(|s| (s, ""))
        .or_else(|| split_leading(body));
    match body_short {
        Some((answer, rest)) => said.is_none_or(|s| s == answer) && is_filler(rest),
        None => false,
    }
}

/// Whether two short answers mean the same: both Yes (or both No, or both N/A) however spelled; otherwise the
/// same text, ignoring case and spacing. The two are compared as values of one yes/no column, so `TRUE` is Yes.
pub fn same_short_answer(a: &str, b: &str) -> bool {
    match (
        ShortAnswer::parse_in_yes_no_column(a),
        ShortAnswer::parse_in_yes_no_column(b),
    ) {
        (Some(a), Some(b)) => a == b,
        (None, None) => normalize(a) == normalize(b),
        _ => false,
    }
}

/// [`same_short_answer`] for answers that may be missing: two missing ones agree, a missing one and a given one
/// do not.
pub fn same_optional_short_answer(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_short_answer(a, b),
        (a, b) => a == b,
    }
}

/// Lower case, inner space collapsed, `.`/`!`/`:` dropped (`N.A.` → `na`).
fn normalize(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '.' | '!' | ':'))
        .collect();
    crate::text::one_line(&lower)
}

/// `2) no` → `no`, `(1) yes` → `yes`, `3 - n/a` → `n/a`: the numbers of a dropdown's options. The text must go on
/// after the number, so `1` alone stays `1`.
fn strip_option_number(text: &str) -> &str {
    let rest = text.trim_start();
    let rest = rest.strip_prefix('(').unwrap_or(rest);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return text;
    }
    let after = &rest[digits..];
    let after_marker = after
        .strip_prefix(')')
        .or_else(|| after.strip_prefix('.'))
        .or_else(|| after.trim_start().strip_prefix('-'));
    match after_marker {
        Some(tail) if !tail.trim().is_empty() => tail.trim_start(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for yes in [
            "Yes", " yes ", "Y", "Yes.", "1) Yes", "(1) YES", "1. Yes", "Ja", "Oui", "Sí",
        ] {
            assert_eq!(ShortAnswer::parse(yes), Some(ShortAnswer::Yes), "{yes}");
        }
        for no in [
            "No", "n", "NO!", "2) No", "2 - No", "Nein", "Non", "Não", "nej",
        ] {
            assert_eq!(ShortAnswer::parse(no), Some(ShortAnswer::No), "{no}");
        }
        for na in [
            "N/A",
            "NA",
            "n.a.",
            "N / A",
            "Not  Applicable",
            "Does not apply",
            "4) N/A",
            "nicht zutreffend",
            "Sans objet",
            "n.v.t.",
        ] {
            assert_eq!(
                ShortAnswer::parse(na),
                Some(ShortAnswer::NotApplicable),
                "{na}"
            );
        }
        for other in [
            "Partial",
            "",
            "Yes, weekly",
            "Nope",
            "3) Both modes available",
            "1) Self owned and managed",
            "True",
            "False",
            "1",
            "12) ",
        ] {
            assert_eq!(ShortAnswer::parse(other), None, "{other}");
        }
        assert_eq!(ShortAnswer::NotApplicable.as_str(), "N/A");
    }

    #[test]
    fn true_and_false_count_only_in_a_yes_no_column() {
        assert_eq!(
            ShortAnswer::parse_in_yes_no_column("TRUE"),
            Some(ShortAnswer::Yes)
        );
        assert_eq!(
            ShortAnswer::parse_in_yes_no_column("false"),
            Some(ShortAnswer::No)
        );
        assert_eq!(
            ShortAnswer::parse_in_yes_no_column("2) No"),
            Some(ShortAnswer::No)
        );
        assert_eq!(ShortAnswer::parse("TRUE"), None);
        assert_eq!(
            ShortAnswer::parse_in_yes_no_column("0"),
            None,
            "a count, not a No"
        );
    }

    #[test]
    fn leading_short_answers() {
        assert_eq!(
            split_leading("Yes - weekly"),
            Some((ShortAnswer::Yes, "weekly"))
        );
        assert_eq!(
            split_leading("No, not yet."),
            Some((ShortAnswer::No, "not yet."))
        );
        assert_eq!(
            split_leading("2) No – see our policy"),
            Some((ShortAnswer::No, "see our policy"))
        );
        assert_eq!(
            split_leading("Not applicable: we hold no card data"),
            Some((ShortAnswer::NotApplicable, "we hold no card data"))
        );
        assert_eq!(
            split_leading("N/A."),
            Some((ShortAnswer::NotApplicable, ""))
        );
        for none in [
            "Nope, weekly.",
            "Yesterday we did",
            "N we don't",
            "Nachts",
            "Not yet",
        ] {
            assert_eq!(split_leading(none), None, "{none}");
        }
    }

    #[test]
    fn answers_split_into_short_and_body() {
        let split = |text: &str| {
            let (short, body) = split_answer(text);
            (short.map(ShortAnswer::as_str), body)
        };
        assert_eq!(split("No. We don't."), (Some("No"), "No. We don't.".into()));
        assert_eq!(split("yes"), (Some("Yes"), String::new()));
        assert_eq!(split("Yes."), (Some("Yes"), String::new()));
        assert_eq!(split("2) No"), (Some("No"), String::new()));
        assert_eq!(
            split("N/A - no such data"),
            (Some("N/A"), "N/A - no such data".into())
        );
        assert_eq!(split("Nope, weekly."), (None, "Nope, weekly.".into()));
        assert_eq!(split(" Not applicable "), (Some("N/A"), String::new()));
        assert_eq!(split("Y"), (Some("Yes"), String::new()));
        assert_eq!(split("N we don't"), (None, "N we don't".into()));
        assert_eq!(split("Yesterday we did"), (None, "Yesterday we did".into()));
        assert_eq!(
            split("3) Both modes available"),
            (None, "3) Both modes available".into())
        );
    }

    #[test]
    fn bodies_that_add_nothing() {
        for (short, body) in [
            (Some("Yes"), "Yes"),
            (Some("Yes"), "yes."),
            (Some("No"), "2) No"),
            (Some("No"), "None"),
            (Some("Yes"), "N/A"),
            (Some("No"), "No - none"),
            (Some("N/A"), "Not applicable."),
            (None, "-"),
            (None, "Yes"),
        ] {
            assert!(adds_nothing(short, body), "{short:?} {body:?}");
        }
        for (short, body) in [
            (Some("Yes"), "Yes. AES-256."),
            (Some("Yes"), "No"),
            (Some("No"), "Nobody does."),
            (None, "Quarterly"),
        ] {
            assert!(!adds_nothing(short, body), "{short:?} {body:?}");
        }
    }

    /// Texts at the edge of the longest spellings, padded with what normalizing drops, and numbered options read as
    /// they were before answers too long to be one were turned away early.
    #[test]
    fn long_texts_are_turned_away_only_when_they_cannot_be_short_answers() {
        let dots = ". . . ! : ".repeat(20);
        for (text, expected) in [
            ("12) Niet van toepassing", Some(ShortAnswer::NotApplicable)),
            (
                " (3) NIET VAN TOEPASSING.  ",
                Some(ShortAnswer::NotApplicable),
            ),
            (&format!("N/A {dots}"), Some(ShortAnswer::NotApplicable)),
            (&format!("{dots}Yes{dots}"), Some(ShortAnswer::Yes)),
            ("Niet van toepassingg", None),
            (
                "Yes, we encrypt all customer data at rest with AES-256.",
                None,
            ),
        ] {
            assert_eq!(ShortAnswer::parse(text), expected, "{text:?}");
            assert_eq!(
                ShortAnswer::parse_in_yes_no_column(text),
                expected,
                "{text:?}"
            );
        }
        assert_eq!(
            ShortAnswer::parse_in_yes_no_column(&format!("TRUE{dots}")),
            Some(ShortAnswer::Yes)
        );
        assert!(adds_nothing(
            Some("Yes"),
            &format!("Yes - Nothing to add{dots}")
        ));
        assert!(adds_nothing(Some("No"), &format!("no comments {dots}")));
        assert!(!adds_nothing(Some("No"), "no comments whatsoever"));
        assert!(too_long("abc", 2) && !too_long("a b.c!", 3) && !too_long("", 0));
    }

    #[test]
    fn sameness() {
        assert!(same_short_answer("Y", "Yes"));
        assert!(same_short_answer("Not applicable", "N/A"));
        assert!(same_short_answer("2) No", "No"));
        assert!(same_short_answer("TRUE", "Yes"));
        assert!(!same_short_answer("Yes", "No"));
        assert!(same_short_answer("Partial", " partial "));
        assert!(!same_short_answer("Partial", "Yes"));
    }
}
