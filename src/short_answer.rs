//! Yes / No / N/A: the one place that knows how short answers are spelled.
//!
//! Questionnaires spell them many ways (`Y`, `TRUE`, `NA`, `N.A.`, `Not Applicable`, `Does not apply`), and
//! every step of the flow has to agree on what counts as the same answer: the reader (is a column or a dropdown
//! a yes/no one, which mark column means what), drafting (which dropdown value to write), confidence (do two
//! candidates say the same), and learning (is an imported answer already in the library). The library itself
//! stores the spellings [`ShortAnswer::as_str`] returns.

/// A short answer's meaning, whatever its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortAnswer {
    Yes,
    No,
    NotApplicable,
}

impl ShortAnswer {
    /// Reads any usual spelling, ignoring case, surrounding space and trailing punctuation; `None` for anything
    /// else (including `Partial` and prose).
    pub fn parse(text: &str) -> Option<ShortAnswer> {
        match normalize(text).as_str() {
            "yes" | "y" | "true" => Some(ShortAnswer::Yes),
            "no" | "n" | "false" => Some(ShortAnswer::No),
            "n/a" | "na" | "n a" | "n / a" | "not applicable" | "does not apply"
            | "not relevant" => Some(ShortAnswer::NotApplicable),
            _ => None,
        }
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

/// Whether two short answers mean the same: both Yes (or both No, or both N/A) however spelled; otherwise the
/// same text, ignoring case and spacing.
pub fn same_short_answer(a: &str, b: &str) -> bool {
    match (ShortAnswer::parse(a), ShortAnswer::parse(b)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for yes in ["Yes", " yes ", "Y", "TRUE", "Yes."] {
            assert_eq!(ShortAnswer::parse(yes), Some(ShortAnswer::Yes), "{yes}");
        }
        for no in ["No", "n", "False", "NO!"] {
            assert_eq!(ShortAnswer::parse(no), Some(ShortAnswer::No), "{no}");
        }
        for na in [
            "N/A",
            "NA",
            "n.a.",
            "N / A",
            "Not  Applicable",
            "Does not apply",
        ] {
            assert_eq!(
                ShortAnswer::parse(na),
                Some(ShortAnswer::NotApplicable),
                "{na}"
            );
        }
        for other in ["Partial", "", "Yes, weekly", "Nope"] {
            assert_eq!(ShortAnswer::parse(other), None, "{other}");
        }
        assert_eq!(ShortAnswer::NotApplicable.as_str(), "N/A");
    }

    #[test]
    fn sameness() {
        assert!(same_short_answer("Y", "Yes"));
        assert!(same_short_answer("Not applicable", "N/A"));
        assert!(!same_short_answer("Yes", "No"));
        assert!(same_short_answer("Partial", " partial "));
        assert!(!same_short_answer("Partial", "Yes"));
    }
}
