//! The excerpt a reviewer sees: from the best sentence, grown to its better-scoring neighbours in the same
//! section, up to [`MAX_EXCERPT_SENTENCES`] sentences and [`MAX_EXCERPT_CHARS`] characters, cut at a word.
//!
//! In: a sentence and every sentence's score (`scoring`). Out: the window of sentences shown and its text.

use std::ops::Range;

use super::scoring::Scored;
use super::{MAX_EXCERPT_CHARS, MAX_EXCERPT_SENTENCES, PassageIndex};

impl PassageIndex<'_> {
    /// The sentences shown around sentence `s`: it, then its better-scoring neighbour in its section, and so on,
    /// up to [`MAX_EXCERPT_SENTENCES`] sentences and [`MAX_EXCERPT_CHARS`] characters.
    pub(super) fn window(&self, s: usize, scores: &[Scored]) -> Range<usize> {
        let section = self.sections[self.sentences[s].section].clone();
        let chars = |a: usize, b: usize| self.excerpt_text(a..b + 1).chars().count();
        let (mut first, mut last) = (s, s);
        while last - first + 1 < MAX_EXCERPT_SENTENCES {
            let before = (first > section.start && chars(first - 1, last) <= MAX_EXCERPT_CHARS)
                .then(|| first - 1);
            let after = (last + 1 < section.end && chars(first, last + 1) <= MAX_EXCERPT_CHARS)
                .then_some(last + 1);
            match (before, after) {
                (Some(b), Some(a)) if scores[b].score > scores[a].score => first = b,
                (_, Some(a)) => last = a,
                (Some(b), None) => first = b,
                (None, None) => break,
            }
        }
        first..last + 1
    }

    /// The text of consecutive sentences of one section: as the passage has them within a passage, one line per
    /// passage across passages (a list's lead-in and its items).
    pub(super) fn excerpt_text(&self, window: Range<usize>) -> String {
        let mut out = String::new();
        let mut s = window.start;
        while s < window.end {
            let passage = self.sentences[s].passage;
            let mut last = s;
            while last + 1 < window.end && self.sentences[last + 1].passage == passage {
                last += 1;
            }
            let text = &self.passages[passage].text;
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(
                text[self.sentences[s].range.start..self.sentences[last].range.end].trim(),
            );
            s = last + 1;
        }
        out
    }

    pub(super) fn excerpt(&self, window: Range<usize>) -> String {
        cut(&self.excerpt_text(window), MAX_EXCERPT_CHARS)
    }
}

/// `text` cut to at most `max` characters at a word boundary, with "…" when cut (a single sentence longer than an
/// excerpt may be).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let head = head.rfind(char::is_whitespace).map_or(head, |i| &head[..i]);
    format!("{}…", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_sentence_is_cut_at_a_word() {
        let cut_text = cut(&"abc ".repeat(200), 20);
        assert!(cut_text.ends_with('…') && cut_text.chars().count() <= 21);
    }
}
