//! Small text helpers shared by every output: making untrusted text safe to print, and short snippets.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The first `{{ ... }}` placeholder of a text, braces included: the mark of a starter template not filled in,
/// which must never reach a customer's file (see #19).
pub fn placeholder(text: &str) -> Option<&str> {
    let start = text.find("{{")?;
    let end = text[start + 2..].find("}}")? + start + 4;
    Some(&text[start..end])
}

/// Text from a customer file or a library entry, made safe for a terminal: control characters other than line
/// breaks and tabs (escape sequences could recolour or rewrite the screen) become spaces.
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

/// `text` on one line: every run of whitespace (line breaks too) becomes one space, none at either end.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of `text` on one line, with `…` when cut.
pub fn snippet(text: &str, max: usize) -> String {
    // Only as much of the text is put on one line as the snippet can show (#27: the review shows the start of
    // thousands of answers); `printable` changes characters one for one, so it may come after the cut.
    let mut flat = String::with_capacity(text.len().min(4 * max + 8));
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > max {
            break;
        }
        if !flat.is_empty() {
            flat.push(' ');
            chars += 1;
        }
        flat.push_str(word);
        chars += word.chars().count();
    }
    let flat = printable(&flat).into_owned();
    if chars <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

static BOLD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\*\*([^*\n]+?)\*\*|__([^_\n]+?)__").expect("valid regex"));
static ITALIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s(])\*([^*\s][^*\n]*?)\*").expect("valid regex"));
static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").expect("valid regex"));
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]\n]+)\]\(([^)\s]+)\)").expect("valid regex"));
static HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^#{1,6}\s+").expect("valid regex"));

/// An answer body (plain text or light Markdown) as a spreadsheet cell should show it: emphasis and code marks
/// dropped, links as "text (address)", heading marks removed; lists and line breaks kept.
pub fn plain_text(markdown: &str) -> String {
    let text = BOLD.replace_all(markdown, "$1$2");
    let text = ITALIC.replace_all(&text, "$1$2");
    let text = CODE.replace_all(&text, "$1");
    let text = LINK.replace_all(&text, "$1 ($2)");
    HEADING.replace_all(&text, "").trim().to_string()
}

/// Lower-case hex of bytes (hash digests in file names, fingerprints and the review's record of its source).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn a_snippet_is_the_start_of_the_text_on_one_line() {
        // What `snippet` was before it stopped flattening at the cut.
        let whole = |text: &str, max: usize| {
            let flat = printable(&one_line(text)).into_owned();
            if flat.chars().count() <= max {
                return flat;
            }
            let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", cut.trim_end())
        };
        let texts = [
            "",
            "   ",
            "Yes",
            "Yes.\n  We   encrypt.",
            "one two three four five six",
            "a\u{1b}\u{1b}b  c\td\ne",
            "élan  vital \u{3000} 日本語のテキスト   long   words everywhere",
            "word ",
        ];
        for text in texts {
            for max in 0..40 {
                assert_eq!(snippet(text, max), whole(text, max), "{text:?} {max}");
            }
        }
    }

    #[test]
    fn markdown_becomes_plain_text() {
        assert_eq!(
            plain_text("**Govern:** a policy, *really* `v2`."),
            "Govern: a policy, really v2."
        );
        assert_eq!(
            plain_text("See [our page](https://x.example/p)."),
            "See our page (https://x.example/p)."
        );
        assert_eq!(
            plain_text("## Backups\n- daily\n- 2 * 3 = 6"),
            "Backups\n- daily\n- 2 * 3 = 6"
        );
        assert_eq!(plain_text("snake_case_name stays"), "snake_case_name stays");
    }
}
