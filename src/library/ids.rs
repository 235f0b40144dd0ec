//! Ids for new entries: a readable id made from a question's words, and one not yet taken in the library.
//!
//! In: the question a new entry answers (from `finish` or `import`), and the ids the library already uses. Out:
//! the entry's id, which is also its file name (`<id>.md`), so it says what the entry is about in a few words.

use std::collections::HashSet;

/// Words that say how a question is asked, not what about: left out of ids.
const ID_SKIP: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "any",
    "are",
    "as",
    "be",
    "been",
    "by",
    "can",
    "could",
    "currently",
    "describe",
    "detail",
    "did",
    "do",
    "does",
    "e",
    "eg",
    "explain",
    "for",
    "from",
    "g",
    "has",
    "have",
    "how",
    "i",
    "ie",
    "if",
    "in",
    "indicate",
    "into",
    "is",
    "it",
    "its",
    "list",
    "may",
    "must",
    "of",
    "on",
    "or",
    "organisation",
    "organization",
    "our",
    "please",
    "provide",
    "reference",
    "shall",
    "should",
    "so",
    "solution",
    "specify",
    "such",
    "that",
    "the",
    "their",
    "there",
    "these",
    "this",
    "those",
    "to",
    "us",
    "use",
    "used",
    "using",
    "utilize",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
];
/// A question of at most this many words and no question mark is a field label ("Solution Provider Name").
const LABEL_WORDS: usize = 6;
/// Words that start a question or a request, never a field label.
const ASKING: &[&str] = &[
    "are", "can", "describe", "detail", "do", "does", "explain", "has", "have", "how", "indicate",
    "is", "list", "please", "provide", "specify", "what", "when", "where", "which", "who", "why",
    "will",
];
/// The words left out of a field label's id.
const LABEL_SKIP: &[&str] = &["a", "an", "and", "for", "in", "of", "on", "or", "the", "to"];

/// At most this many words, and this many characters, make an id.
const ID_WORDS: usize = 5;
const ID_CHARS: usize = 48;

/// A readable id made from a question's words (see #17): what it is about, not how it is asked. "Does your
/// solution support single sign-on (SSO) protocols for user and administrator authentication?" →
/// `support-sso-protocols-user-administrator`: an acronym in parentheses stands for the words it abbreviates, and
/// words such as "do", "your", "please describe" are left out. The customer's own question ID stays in the entry's
/// `source`; ids made from it (`gnrl-01`) said nothing and collided across questionnaires.
pub fn id_for(question: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for token in question.split_whitespace() {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        let is_acronym = token.starts_with('(')
            && (2..=8).contains(&bare.len())
            && bare
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && bare.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if is_acronym {
            // "single sign-on (SSO)": drop the words whose initials spell the acronym.
            let letters: Vec<char> = bare.to_lowercase().chars().collect();
            if words.len() >= letters.len()
                && words[words.len() - letters.len()..]
                    .iter()
                    .zip(&letters)
                    .all(|(w, l)| w.starts_with(*l))
            {
                words.truncate(words.len() - letters.len());
            }
            words.push(bare.to_lowercase());
            continue;
        }
        words.extend(
            token
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase),
        );
    }
    // A field label ("Solution Provider Name", see #26) says what it is about in every word: only its small words
    // are left out, or "solution" would go and leave `provider-name`, or `name` alone.
    let asks = words.first().is_some_and(|w| ASKING.contains(&w.as_str()));
    let is_label = !question.contains('?') && !asks && words.len() <= LABEL_WORDS;
    let skipped = |word: &str| {
        if is_label {
            LABEL_SKIP.contains(&word)
        } else {
            ID_SKIP.contains(&word)
        }
    };
    let mut id = String::new();
    for word in words
        .iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty() && !skipped(w))
        .take(ID_WORDS)
    {
        if !id.is_empty() && id.len() + 1 + word.len() > ID_CHARS {
            break;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(&word);
    }
    let id: String = id.chars().take(ID_CHARS).collect();
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "entry".to_string()
    } else {
        id.to_string()
    }
}

/// `base`, or `base-2`, `base-3`... whichever is not taken; the result is added to `taken`.
pub fn unique_id(base: &str, taken: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(
            id_for("Do you encrypt customer data at rest with AES-256 keys?"),
            "encrypt-customer-data-at-rest"
        );
        assert_eq!(
            id_for(
                "Does your solution support single sign-on (SSO) protocols for user and administrator \
                 authentication?"
            ),
            "support-sso-protocols-user-administrator"
        );
        assert_eq!(
            id_for("Have you implemented an Intrusion Detection System (network-based)?"),
            "implemented-intrusion-detection-system-network"
        );
        assert_eq!(
            id_for("Do you use a web application firewall (WAF)?"),
            "waf"
        );
        // An acronym whose letters are not the words before it is kept beside them.
        assert_eq!(
            id_for("Do you log events to a security platform (SIEM)?"),
            "log-events-security-platform-siem"
        );
        assert_eq!(id_for("Please describe ... ?"), "entry");
        // Field labels keep their words (see #26).
        assert_eq!(id_for("Solution Provider Name"), "solution-provider-name");
        assert_eq!(id_for("Solution Name"), "solution-name");
        assert_eq!(
            id_for("Country of Company Headquarters"),
            "country-company-headquarters"
        );
        assert_eq!(
            id_for("Describe your incident response process."),
            "incident-response-process"
        );
        assert!(id_for(&"Encryption ".repeat(40)).len() <= ID_CHARS);
        let mut taken = HashSet::from(["a".to_string()]);
        assert_eq!(unique_id("a", &mut taken), "a-2");
        assert_eq!(unique_id("a", &mut taken), "a-3");
    }
}
