//! Small text helpers shared by every output: making untrusted text safe to print, and short snippets.

use std::borrow::Cow;

/// Text from a customer file or a library entry, made safe for a terminal: control characters (escape sequences
/// could recolour or rewrite the screen) become spaces.
pub fn printable(text: &str) -> Cow<'_, str> {
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() && c != '\n' && c != '\t' {
                        ' '
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// The first `max` characters of `text` on one line, with `…` when cut.
pub fn snippet(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = printable(&flat).into_owned();
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_and_control_characters() {
        assert_eq!(snippet("Yes.\n  We   encrypt.", 100), "Yes. We encrypt.");
        assert_eq!(snippet("abcdefghij", 5), "abcd…");
        assert_eq!(printable("a\u{1b}[31mb"), "a [31mb");
    }
}
