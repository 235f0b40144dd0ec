//! A questionnaire's own vocabulary: words it uses, throughout, where the library says something else (#27: the
//! HECVAT 4 says "solution" where the HECVAT 3 said "product", and "solution provider" where it said "vendor").
//!
//! In: the questions of one questionnaire and how each differs from its best match (the first pass of
//! `Matcher::match_embedded`). Out: the [`Rename`]s the evidence supports, and each question as the library would
//! word it, which the matcher ranks again (a second pass), keeping the result only when it is high.
//!
//! One question that differs from its match by one word says nothing about that word: it may be exactly the
//! difference that matters (prevention/detection). A rename is learned only when the questionnaire applies it
//! consistently:
//! - **many questions**: at least [`MIN_SUPPORT`] questions, matched to as many different entries, differ from
//!   their best match by exactly this and nothing else (one or two words on each side, no number, no negation);
//! - **the questionnaire moved away from the library's word**: the questionnaire uses its word at least three
//!   times as often as the library's (a share of its questions), the library uses its own at least three times as
//!   often as the questionnaire's (a share of its wordings), and no question of the questionnaire holds both (one
//!   that asks about "intrusion detection and prevention" tells them apart). Two frameworks that both speak of
//!   detection and of prevention fail this, however often one's questions are matched to the other's;
//! - **one meaning**: a word renamed to two different things by comparable numbers of questions is not renamed.
//!
//! A rename never makes a question high by itself: the renamed question must then pass every test of the high band
//! (the same wording but for synonyms and spelling, with a margin over the runner-up).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::{Analyzer, is_negation};

use super::MatchResult;

/// Distinct questions (and distinct entries) that must differ from their matches by the same rename.
pub const MIN_SUPPORT: usize = 3;
/// How many times more often each side must use its own word than the other side's (see the module docs). On the
/// HECVAT 3 library and the HECVAT 4.1.4 (the upgrade bench) the two renames are 6 to 8 times apart, or absolute.
const SHIFT: f32 = 3.0;
/// Words on each side of a rename, at most.
const MAX_WORDS: usize = 2;

/// One word (or two) the questionnaire uses for what the library calls something else.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    /// The questionnaire's words and the library's, lowercase, as written.
    pub from: Vec<String>,
    pub to: Vec<String>,
    /// Stems of `from`, matched against a question's words.
    from_stems: Vec<String>,
    /// How many questions showed it.
    pub support: usize,
}

impl Rename {
    /// "'solution provider' read as 'vendor'".
    pub fn describe(&self) -> String {
        format!("'{}' read as '{}'", self.from.join(" "), self.to.join(" "))
    }
}

/// What a question and its best match differ by, when it could be a rename.
struct Observed {
    from: Vec<String>,
    to: Vec<String>,
    entry: String,
}

/// The renames the first pass supports. `library_share` is the share of the library's entries whose wordings hold
/// a phrase (given as stems).
pub fn learn(
    analyzer: &Analyzer,
    questions: &[&str],
    results: &[MatchResult],
    library_share: impl Fn(&[String]) -> f32,
) -> Vec<Rename> {
    let stems = |words: &[String]| -> Option<Vec<String>> {
        let stems = analyzer.plain_stems(&words.join(" "));
        (stems.len() == words.len()).then_some(stems)
    };
    // (from stems, to stems) -> the questions and entries that showed it.
    let mut observed: BTreeMap<(Vec<String>, Vec<String>), Vec<Observed>> = BTreeMap::new();
    for result in results {
        let (Some(comparison), Some(best)) = (&result.comparison, result.best()) else {
            continue;
        };
        let (from, to) = (&comparison.only_in_question, &comparison.only_in_wording);
        if comparison.opposite || !plausible(from) || !plausible(to) {
            continue;
        }
        let (Some(from_stems), Some(to_stems)) = (stems(from), stems(to)) else {
            continue;
        };
        observed
            .entry((from_stems, to_stems))
            .or_default()
            .push(Observed {
                from: from.clone(),
                to: to.clone(),
                entry: best.id().to_string(),
            });
    }
    // Most questionnaires show no difference often enough: then nothing more is read.
    observed.retain(|_, seen| seen.len() >= MIN_SUPPORT);
    if observed.is_empty() {
        return Vec::new();
    }
    let question_stems: Vec<Vec<String>> =
        questions.iter().map(|q| analyzer.plain_stems(q)).collect();
    let question_share = |phrase: &[String]| -> f32 {
        let holding = question_stems
            .iter()
            .filter(|stems| find(stems, phrase).is_some())
            .count();
        holding as f32 / questions.len().max(1) as f32
    };
    let mut supported: Vec<Rename> = observed
        .into_iter()
        .filter_map(|((from_stems, to_stems), seen)| {
            let questions = seen.len();
            let entries: BTreeSet<&str> = seen.iter().map(|o| o.entry.as_str()).collect();
            if questions < MIN_SUPPORT || entries.len() < MIN_SUPPORT {
                return None;
            }
            let together = question_stems.iter().any(|stems| {
                find(stems, &from_stems).is_some() && find(stems, &to_stems).is_some()
            });
            let moved_away = !together
                && question_share(&from_stems) >= SHIFT * question_share(&to_stems)
                && library_share(&to_stems) >= SHIFT * library_share(&from_stems);
            moved_away.then(|| Rename {
                from: most_common(seen.iter().map(|o| &o.from)),
                to: most_common(seen.iter().map(|o| &o.to)),
                from_stems,
                support: questions,
            })
        })
        .collect();
    // One meaning: a word renamed to two things keeps the rename only when it has at least twice the support.
    let all = supported.clone();
    supported.retain(|rename| {
        all.iter().all(|other| {
            other == rename
                || other.from_stems != rename.from_stems
                || rename.support >= 2 * other.support
        })
    });
    // Longer phrases first, so "solution provider" is read before "solution".
    supported.sort_by(|a, b| {
        b.from_stems
            .len()
            .cmp(&a.from_stems.len())
            .then(b.support.cmp(&a.support))
    });
    supported
}

/// The spelling most of the questions used ("solution" over "solutions"), the first of equals: what the review
/// shows.
fn most_common<'o>(spellings: impl Iterator<Item = &'o Vec<String>>) -> Vec<String> {
    let mut counts: Vec<(&Vec<String>, usize)> = Vec::new();
    for spelling in spellings {
        match counts.iter_mut().find(|(s, _)| *s == spelling) {
            Some((_, n)) => *n += 1,
            None => counts.push((spelling, 1)),
        }
    }
    // The first of the most counted: `max_by_key` would keep the last.
    let most = counts.iter().map(|&(_, n)| n).max().unwrap_or(0);
    counts
        .into_iter()
        .find(|&(_, n)| n == most)
        .map_or_else(Vec::new, |(s, _)| s.clone())
}

/// One or two plain words: no number (7 days is not 30 days), no negation, no synonym phrase.
fn plausible(words: &[String]) -> bool {
    (1..=MAX_WORDS).contains(&words.len())
        && words.iter().all(|w| {
            !w.contains(' ')
                && !is_negation(w)
                && w.chars().all(char::is_alphabetic)
                && w.chars().count() > 1
        })
}

/// Where `phrase` starts in `stems`, as consecutive stems.
fn find(stems: &[String], phrase: &[String]) -> Option<usize> {
    if phrase.is_empty() || stems.len() < phrase.len() {
        return None;
    }
    (0..=stems.len() - phrase.len()).find(|&i| stems[i..i + phrase.len()] == *phrase)
}

/// The question in the library's words, and which renames made it, when any applies.
pub fn reword<'r>(
    analyzer: &Analyzer,
    question: &str,
    renames: &'r [Rename],
) -> Option<(String, Vec<&'r Rename>)> {
    // The question's words with their place in the text; a run that is not one word to the analyzer is left alone.
    let mut words: Vec<(std::ops::Range<usize>, Option<String>)> = Vec::new();
    let mut start = None;
    for (i, c) in question.char_indices().chain([(question.len(), ' ')]) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let stems = analyzer.plain_stems(&question[s..i]);
                words.push((s..i, (stems.len() == 1).then(|| stems[0].clone())));
                start = None;
            }
            _ => {}
        }
    }
    let mut replaced: Vec<(std::ops::Range<usize>, &'r Rename)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let applied = renames.iter().find(|rename| {
            let n = rename.from_stems.len();
            i + n <= words.len()
                && (0..n).all(|k| words[i + k].1.as_deref() == Some(rename.from_stems[k].as_str()))
        });
        match applied {
            Some(rename) => {
                let n = rename.from_stems.len();
                replaced.push((words[i].0.start..words[i + n - 1].0.end, rename));
                i += n;
            }
            None => i += 1,
        }
    }
    if replaced.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(question.len());
    let mut at = 0;
    for (range, rename) in &replaced {
        text.push_str(&question[at..range.start]);
        text.push_str(&rename.to.join(" "));
        at = range.end;
    }
    text.push_str(&question[at..]);
    let mut used: Vec<&Rename> = Vec::new();
    for (_, rename) in replaced {
        if !used.contains(&rename) {
            used.push(rename);
        }
    }
    Some((text, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rename(from: &str, to: &str, analyzer: &Analyzer) -> Rename {
        let from: Vec<String> = from.split(' ').map(str::to_string).collect();
        Rename {
            from_stems: analyzer.plain_stems(&from.join(" ")),
            from,
            to: to.split(' ').map(str::to_string).collect(),
            support: 3,
        }
    }

    #[test]
    fn a_question_is_reworded_phrase_first_and_keeps_its_punctuation() {
        let analyzer = Analyzer::new(&[], &[]);
        let renames = vec![
            rename("solution provider", "vendor", &analyzer),
            rename("solution", "product", &analyzer),
        ];
        let (text, used) = reword(
            &analyzer,
            "Solution Provider Contact Email (for the solutions you sell)?",
            &renames,
        )
        .unwrap();
        assert_eq!(text, "vendor Contact Email (for the product you sell)?");
        assert_eq!(used.len(), 2);
        assert!(reword(&analyzer, "Do you encrypt data at rest?", &renames).is_none());
        assert_eq!(used[0].describe(), "'solution provider' read as 'vendor'");
    }

    #[test]
    fn the_review_shows_the_spelling_most_questions_used() {
        let spellings = [
            vec!["solutions".to_string()],
            vec!["solution".to_string()],
            vec!["solution".to_string()],
        ];
        assert_eq!(most_common(spellings.iter()), ["solution"]);
        assert_eq!(most_common(spellings[..2].iter()), ["solutions"]);
        assert!(most_common(std::iter::empty()).is_empty());
    }

    #[test]
    fn numbers_negations_and_long_differences_are_never_renames() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(plausible(&words(&["solution"])));
        assert!(plausible(&words(&["solution", "provider"])));
        assert!(!plausible(&words(&["30"])));
        assert!(!plausible(&words(&["not"])));
        assert!(!plausible(&words(&["a", "b", "c"])));
        assert!(!plausible(&words(&[])));
        assert!(!plausible(&words(&["intrusion prevention"])));
    }
}
