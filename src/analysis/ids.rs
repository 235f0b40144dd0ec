//! Question IDs and entry ids: recognising a questionnaire's own question ID (`A&A-01.2`, `GNRL-01`, `1.2.3`) and
//! turning one into an entry id or a comparable slug.
//!
//! Used by the questionnaire reader (is this column an ID column?), by the library (ids of new entries) and by
//! matching (does a row's question ID name an entry?), so the three agree on what an ID is.

/// `A&A-01.2` → `a-a-01-2`: how ids are derived from question IDs.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Lowercase letters and digits only: `A&A` → `aa`, `Audit & Assurance` → `auditassurance`.
pub fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The alphabetic prefix of a question ID, compacted: `A&A-01.2` → `aa`, `GNRL-01` → `gnrl`; none for `1.2.3`.
pub fn id_prefix(id: &str) -> Option<String> {
    let head: String = id.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let prefix = compact(&head);
    (!prefix.is_empty() && prefix.len() < id.len() && id.chars().any(|c| c.is_ascii_digit()))
        .then_some(prefix)
}

/// Letters or digits with separators, containing a digit and of a reasonable length: `A&A-01.2`, `GNRL-01`,
/// `1.2.3`, `Q12`.
pub fn looks_like_question_id(word: &str) -> bool {
    let word = word.trim_matches(|c: char| c == ',' || c == ';' || c == ':');
    (2..=24).contains(&word.len())
        && word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._&/".contains(c))
        && word
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_prefixes() {
        assert_eq!(slug("A&A-01.2"), "a-a-01-2");
        assert_eq!(id_prefix("A&A-01.2").as_deref(), Some("aa"));
        assert_eq!(id_prefix("GNRL-01").as_deref(), Some("gnrl"));
        assert_eq!(id_prefix("1.2.3"), None);
        assert!(looks_like_question_id("A&A-01.2"));
        assert!(looks_like_question_id("1.2.3"));
        assert!(!looks_like_question_id("Audit"));
    }
}
