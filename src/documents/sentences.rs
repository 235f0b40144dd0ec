//! Sentence spans of a passage's text, for excerpts of one to three complete sentences (see #24). In: a passage
//! text (whitespace already collapsed). Out: byte ranges, trimmed, in order, covering every word.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or brackets after it) that is followed by a
//! space and then something that can begin a sentence (not a lower-case letter). A period does not end one after
//! `e.g.`, `i.e.`, a title (`Dr.`, `No.`), an initial (`J.`) or a list marker at the start (`a.`, `iv.`, `1.`);
//! `etc.`, `Inc.` and their like end one only when a capital follows. Text without a final stop (a list item) is
//! a sentence too.

use std::ops::Range;

/// Abbreviations after which a period never ends a sentence (compared lower-case, without the final period).
const NEVER_END: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "cf", "viz", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no",
    "nos", "fig", "figs", "approx", "ca", "sec", "art", "para", "ch", "vol", "p", "pp", "ref",
    "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "u.s", "u.k", "e.u", "a.m", "p.m",
];

/// Sentence spans of `text` as byte ranges.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = skip_space(text, 0);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        // Closing quotes and brackets belong to the sentence they end.
        let mut end = i + c.len_utf8();
        while let Some(&(j, next)) = chars.peek() {
            if matches!(
                next,
                '.' | '!' | '?' | '…' | '"' | '\'' | ')' | ']' | '”' | '’' | '»'
            ) {
                end = j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let after = &text[end..];
        let Some(next_char) = after.chars().next() else {
            continue;
        };
        if !next_char.is_whitespace() {
            continue; // "1.2", "example.com", "e.g.,"
        }
        let next_start = skip_space(text, end);
        let Some(following) = text[next_start..].chars().next() else {
            continue;
        };
        if following.is_lowercase() {
            continue;
        }
        if c == '.' && !period_ends(&text[start..i], following) {
            continue;
        }
        out.push(start..end);
        start = next_start;
    }
    let rest_end = text.trim_end().len();
    if start < rest_end {
        out.push(start..rest_end);
    }
    out
}

/// Whether a period after `before` (the sentence so far) ends it, given the character that follows the space.
fn period_ends(before: &str, following: char) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '“')
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return true;
    }
    let lower = word.to_lowercase();
    if NEVER_END.contains(&lower.as_str()) {
        return false;
    }
    // A list marker opening the sentence: "a. The purpose", "iv. Review", "1. Scope", "2.3. Terms".
    let is_first_word = before.trim_start().len() == word.len();
    if is_first_word
        && (word.chars().all(|c| c.is_ascii_digit() || c == '.')
            || (word.chars().count() <= 4 && is_roman(&lower))
            || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic)))
    {
        return false;
    }
    // An initial: "J. Smith" (one capital letter), or letters with periods inside ("U.S.A").
    if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return false;
    }
    if word.contains('.') && word.split('.').all(|p| p.chars().count() == 1) {
        return false;
    }
    // "etc.", "Inc." and their like end a sentence only before a capital (a digit or quote after them does not).
    if matches!(
        lower.as_str(),
        "etc" | "inc" | "ltd" | "corp" | "co" | "llc" | "al"
    ) {
        return following.is_uppercase();
    }
    true
}

fn is_roman(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

fn skip_space(text: &str, from: usize) -> usize {
    from + text[from..].len() - text[from..].trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn ordinary_sentences() {
        assert_eq!(
            split("Data is encrypted. Keys rotate yearly! Who holds them? The CISO."),
            [
                "Data is encrypted.",
                "Keys rotate yearly!",
                "Who holds them?",
                "The CISO."
            ]
        );
    }

    #[test]
    fn abbreviations_numbers_and_markers_do_not_end_sentences() {
        assert_eq!(
            split("Use strong factors, e.g. TOTP or keys, i.e. Not SMS. Version 1.2 applies."),
            [
                "Use strong factors, e.g. TOTP or keys, i.e. Not SMS.",
                "Version 1.2 applies."
            ]
        );
        assert_eq!(
            split("a. The purpose of this policy is set. It applies to all."),
            [
                "a. The purpose of this policy is set.",
                "It applies to all."
            ]
        );
        assert_eq!(
            split("iv. Review logs. 2. Then act."),
            ["iv. Review logs.", "2. Then act."]
        );
        assert_eq!(
            split("Contact Dr. Smith or J. Doe at Acme Inc. about it. Logs, etc. are kept."),
            [
                "Contact Dr. Smith or J. Doe at Acme Inc. about it.",
                "Logs, etc. are kept."
            ]
        );
        assert_eq!(
            split("We keep logs, backups, etc. The team reviews them."),
            ["We keep logs, backups, etc.", "The team reviews them."]
        );
        assert_eq!(
            split("See the U.S. Government rules."),
            ["See the U.S. Government rules."]
        );
    }

    #[test]
    fn quotes_lists_and_edges() {
        assert_eq!(
            split("He said “stop.” Then it stopped. (Really.) Yes"),
            ["He said “stop.”", "Then it stopped.", "(Really.)", "Yes"]
        );
        assert_eq!(
            split("Multi-factor authentication for all staff"),
            ["Multi-factor authentication for all staff"]
        );
        assert!(sentences("").is_empty());
        assert!(sentences("   ").is_empty());
        assert_eq!(split("Wait... what? Done."), ["Wait... what?", "Done."]);
        assert_eq!(
            split("Visit example.com. Now."),
            ["Visit example.com.", "Now."]
        );
    }

    #[test]
    fn spans_cover_every_word_on_char_boundaries() {
        let text = "Ünïcode…  Ça va. ¿Qué? 日本語。 Fin.";
        for range in sentences(text) {
            assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        }
    }
}
