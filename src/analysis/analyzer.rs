//! Text analysis: the one function that turns a question (or an entry's wording, tags, body) into terms.
//!
//! In: any Unicode text a customer or library editor wrote. Out: [`Analyzed`] terms, used for the Tantivy index,
//! for the queries against it, for re-ranking and for the exact-reuse key, so all of them agree by construction.
//!
//! Steps: split on anything that is not a letter or digit, lowercase, fold accents → stem (Snowball English) →
//! mark synonym phrases (matched on stems, so "encrypting data at rest" meets "encryption at rest") → drop
//! questionnaire boilerplate ("please describe", "your organization") and stop words → emit terms. A synonym
//! occurrence keeps its own words and adds a *concept* term (`~mfa`) shared by every member of its group, so
//! synonyms find and rank each other. The exact-reuse key is made of the stems alone, never the concepts: it
//! keeps meaning (case, punctuation, inflection and stop words may differ; concepts, numbers and negations may
//! not), so "Do you support 2FA?" is not the *same wording* as "Do you support MFA?", only a close one (see #14).
//! Customer text is never query syntax: `AND`, `-`, quotes or colons are just characters here.

use std::cell::RefCell;
use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer, TokenStream,
};

/// Bump when analysis changes: the index cache is rebuilt when this differs from the one it was built with.
pub const ANALYZER_VERSION: u32 = 4;

/// Words longer than this are not words (hashes, base64, URLs glued together).
const MAX_TOKEN_BYTES: usize = 40;

/// Words whose stems a thread keeps (see [`Analyzer::stem`]): a library's vocabulary is a few tens of thousands
/// of words, so this holds all of it for a few MB a thread; past it the cache starts again.
const MAX_CACHED_STEMS: usize = 100_000;

/// Prefix of concept terms; never produced from text, because the tokenizer splits on it.
pub const CONCEPT_PREFIX: char = '~';

/// Function words, and the words every questionnaire question is made of. Negations ("not", "no", "never",
/// "without") are kept on purpose: "Do you NOT store passwords" must not look like "Do you store passwords".
/// So is every number ("7 days" is not "30 days"), and so are the qualifiers of time and extent that change what
/// is asked: "before"/"after", "until", "above"/"under"/"over", "only" (see #14).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "e",
    "each",
    "eg",
    "etc",
    "for",
    "from",
    "further",
    "g",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "ie",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "my",
    "of",
    "off",
    "on",
    "once",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "own",
    "per",
    "please",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    // questionnaire verbs of asking: they say how to answer, not what about
    "describe",
    "describing",
    "explain",
    "provide",
    "indicate",
    "specify",
    "outline",
    "detail",
    "confirm",
];

/// Stop words that still change what is asked, so they stay in the exact-reuse key: "When will you be ISO 42001
/// certified?" is not "Are you ISO 42001 certified?", though both search for the same entries.
const KEY_WORDS: &[&str] = &[
    "when", "how", "what", "why", "which", "who", "where", "whether", "will", "would",
];

/// Multi-word boilerplate that carries no meaning in a question. Matched on lowercase words before stop-word
/// removal, so single words inside them ("evidence", "organization") stay meaningful elsewhere.
const STOP_PHRASES: &[&str] = &[
    "your organization",
    "your organisation",
    "your company",
    "your firm",
    "the organization",
    "the organisation",
    "the company",
    "the vendor",
    "the vendor s",
    "provide evidence of",
    "provide evidence that",
    "provide details",
    "provide a copy of",
    "please list",
    "if so",
    "if yes",
    "if not",
    "if applicable",
    "if no",
    "in place",
    "at a minimum",
    "for example",
    "such as",
    "e g",
    "i e",
];

/// Words that turn a statement into its opposite. Counted, not removed: a question whose count differs in parity
/// from a wording's asks the opposite ("Have you operated without disruptions?" against "Have you had a
/// disruption?"), so its Yes/No cannot be carried over (see #14).
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "none", "nor", "neither", "cannot", "nobody", "nothing",
];

/// Is this (lowercase) word a negation?
pub fn is_negation(word: &str) -> bool {
    NEGATIONS.contains(&word)
}

/// The first halves of English negative contractions, which the tokenizer splits at the apostrophe ("don't" →
/// "don", "t").
const CONTRACTED: &[&str] = &[
    "don", "doesn", "didn", "isn", "aren", "wasn", "weren", "hasn", "haven", "hadn", "can",
    "couldn", "won", "wouldn", "shouldn", "mustn", "needn",
];

/// What ends a clause, for [`Analyzer::count_negations`].
const CLAUSE_MARKS: &[u8] = b",;:?!.()";

/// The result of analyzing one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analyzed {
    /// Stemmed content terms in order, each synonym occurrence followed by its concept term.
    pub terms: Vec<String>,
    /// Terms for the exact-reuse key: the stems of every content word (a synonym phrase keeps its own words, not
    /// its concept) and the question words that change what is asked.
    pub key_terms: Vec<String>,
    /// Each notion once: stemmed words, with a synonym phrase replaced by its concept term. What re-ranking
    /// compares, so a synonym pair counts as one shared notion, not three.
    pub notions: Vec<String>,
    /// What each notion was in the text, for explanations ("question says 'prevention'"): the word, or the
    /// phrase of a synonym concept, lowercase.
    pub notion_words: Vec<String>,
    /// How many negations the text holds (see [`NEGATIONS`]).
    pub negations: usize,
}

impl Analyzed {
    /// The normalized form of a wording: equal keys mean "asked in the same words" (see #4: exact re-use).
    pub fn key(&self) -> String {
        self.key_terms.join(" ")
    }
}

/// A compiled analyzer for one library (its synonym groups and stop phrases).
#[derive(Clone)]
pub struct Analyzer {
    base: TextAnalyzer,
    stemmer: frostem::Stemmer,
    stop_words: FxHashSet<&'static str>,
    /// Stop phrases as word sequences, longest first.
    stop_phrases: Vec<Vec<String>>,
    /// The positions in `stop_phrases` of the phrases that start with each word, in order: a word is compared
    /// only with the phrases it can start, not with every phrase in turn (#27).
    stop_phrase_starts: FxHashMap<String, Vec<usize>>,
    /// Synonym phrases as stem sequences, indexed by first stem; each with its concept term.
    synonyms: FxHashMap<String, Vec<(Vec<String>, usize)>>,
    concepts: Vec<String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("concepts", &self.concepts.len())
            .finish()
    }
}

impl Analyzer {
    /// Builds an analyzer from synonym groups and extra stop phrases (both from `library.toml`, merged with the
    /// built-in defaults by the caller).
    pub fn new(synonym_groups: &[Vec<String>], extra_stop_phrases: &[String]) -> Analyzer {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        let mut analyzer = Analyzer {
            base,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            stop_words: STOP_WORDS.iter().copied().collect(),
            stop_phrases: Vec::new(),
            stop_phrase_starts: FxHashMap::default(),
            synonyms: FxHashMap::default(),
            concepts: Vec::new(),
        };
        let mut stop_phrases: Vec<Vec<String>> = STOP_PHRASES
            .iter()
            .map(|p| p.to_string())
            .chain(extra_stop_phrases.iter().cloned())
            .map(|p| analyzer.words(&p))
            .filter(|w| !w.is_empty())
            .collect();
        stop_phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        stop_phrases.dedup();
        for (n, phrase) in stop_phrases.iter().enumerate() {
            analyzer
                .stop_phrase_starts
                .entry(phrase[0].clone())
                .or_default()
                .push(n);
        }
        analyzer.stop_phrases = stop_phrases;

        for group in merge_groups(synonym_groups, &analyzer) {
            let concept_index = analyzer.concepts.len();
            let name: String = analyzer.words(&group[0]).join("_");
            analyzer.concepts.push(format!("{CONCEPT_PREFIX}{name}"));
            for phrase in &group {
                let stems: Vec<String> = analyzer
                    .words(phrase)
                    .iter()
                    .map(|w| analyzer.stem(w))
                    .collect();
                if stems.is_empty() {
                    continue;
                }
                analyzer
                    .synonyms
                    .entry(stems[0].clone())
                    .or_default()
                    .push((stems, concept_index));
            }
        }
        for phrases in analyzer.synonyms.values_mut() {
            phrases.sort_by_key(|(stems, _)| std::cmp::Reverse(stems.len()));
        }
        analyzer
    }

    /// Lowercased, accent-folded words of `text`, nothing removed.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.words_and_clauses(text).0
    }

    /// [`Analyzer::words`], and which clause of `text` each word is in (see [`Analyzer::count_negations`]): the
    /// number of clause marks before it. Every clause mark splits words, so the words of each clause are exactly
    /// the words of the whole text that lie in it, and the text is tokenized once.
    fn words_and_clauses(&self, text: &str) -> (Vec<String>, Vec<usize>) {
        let mut base = self.base.clone();
        let mut stream = base.token_stream(text);
        let (mut words, mut clauses) = (Vec::new(), Vec::new());
        let (mut clause, mut scanned) = (0, 0);
        while stream.advance() {
            let token = stream.token();
            // Clause marks are ASCII, and no byte of a multi-byte character is.
            clause += text.as_bytes()[scanned..token.offset_from]
                .iter()
                .filter(|b| CLAUSE_MARKS.contains(b))
                .count();
            scanned = token.offset_from;
            if token.text.len() <= MAX_TOKEN_BYTES {
                words.push(token.text.clone());
                clauses.push(clause);
            }
        }
        (words, clauses)
    }

    /// Every word of `text`, stemmed, nothing removed and no synonyms: the plain view a second BM25 ranks on
    /// (see `matching`: answerbank's own analysis drops boilerplate and adds concepts; this one keeps what the
    /// text says, and the two disagree usefully).
    pub fn plain_stems(&self, text: &str) -> Vec<String> {
        self.words(text).iter().map(|w| self.stem(w)).collect()
    }

    /// The Snowball English stem of `word`. A library says the same words over and over, and stemming was a fifth
    /// of reading and analyzing it (#27), so each thread keeps the stems it made. Every analyzer uses the same
    /// stemmer (English), so the stems of one are the stems of all.
    fn stem(&self, word: &str) -> String {
        thread_local! {
            static STEMS: RefCell<FxHashMap<String, String>> = RefCell::new(FxHashMap::default());
        }
        STEMS.with_borrow_mut(|stems| {
            if let Some(stem) = stems.get(word) {
                return stem.clone();
            }
            let stem = self.stemmer.stem(word).into_owned();
            if stems.len() >= MAX_CACHED_STEMS {
                stems.clear();
            }
            stems.insert(word.to_string(), stem.clone());
            stem
        })
    }

    /// The concept of a one-word synonym phrase, if `stem` is one.
    fn single_word_concept(&self, stem: &str) -> Option<usize> {
        self.synonyms
            .get(stem)?
            .iter()
            .find(|(phrase, _)| phrase.len() == 1)
            .map(|(_, concept)| *concept)
    }

    fn is_stop_word(&self, word: &str) -> bool {
        // Single letters are initials or list markers, never a topic; every number stays ("7 days", "27001").
        (word.chars().count() < 2 && !word.chars().all(|c| c.is_ascii_digit()))
            || self.stop_words.contains(word)
    }

    /// Negations that bear on what is asked: those in a conditional clause ("If you are not certified, can you
    /// self-attest?") set a condition, they do not turn the question around, so clauses opening with "if",
    /// "unless", "when", "where" or "whether" are left out. `clauses` says which clause each word is in (see
    /// [`Analyzer::words_and_clauses`]).
    fn count_negations(words: &[String], clauses: &[usize]) -> usize {
        const CONDITIONS: &[&str] = &["if", "unless", "when", "whenever", "where", "whether"];
        let mut rest = words;
        let mut count = 0;
        for clause in clauses.chunk_by(|a, b| a == b) {
            let (words, after) = rest.split_at(clause.len());
            rest = after;
            if !CONDITIONS.contains(&words[0].as_str()) {
                count += (0..words.len())
                    .filter(|&i| {
                        NEGATIONS.contains(&words[i].as_str())
                            || (words[i] == "t"
                                && i > 0
                                && CONTRACTED.contains(&words[i - 1].as_str()))
                    })
                    .count();
            }
        }
        count
    }

    /// Analyzes one text. See the module docs for the steps.
    pub fn analyze(&self, text: &str) -> Analyzed {
        self.analyze_with_plain_stems(text).0
    }

    /// [`Analyzer::analyze`] and [`Analyzer::plain_stems`] of one text, tokenized and stemmed once (indexing
    /// needs both of every wording and body; see #18).
    pub fn analyze_with_plain_stems(&self, text: &str) -> (Analyzed, Vec<String>) {
        let (words, clauses) = self.words_and_clauses(text);
        let stems: Vec<String> = words.iter().map(|w| self.stem(w)).collect();
        let n = words.len();

        // Boilerplate first: "the vendor" in "Does the vendor encrypt..." is the company being asked, not a
        // vendor-management topic, so it must not reach the synonym groups.
        let mut boilerplate = vec![false; n];
        let mut i = 0;
        while i < n {
            let phrase = self.stop_phrase_starts.get(&words[i]).and_then(|starts| {
                starts
                    .iter()
                    .map(|&p| &self.stop_phrases[p])
                    .find(|phrase| {
                        i + phrase.len() <= n && words[i..i + phrase.len()] == phrase[..]
                    })
            });
            match phrase {
                Some(phrase) => {
                    boilerplate[i..i + phrase.len()]
                        .iter_mut()
                        .for_each(|b| *b = true);
                    i += phrase.len();
                }
                None => i += 1,
            }
        }

        // Synonym phrases, longest first; they may contain stop words ("encryption at rest").
        let mut concept_at: Vec<Option<(usize, usize)>> = vec![None; n];
        let mut i = 0;
        while i < n {
            let found = self.synonyms.get(&stems[i]).and_then(|phrases| {
                phrases.iter().find(|(phrase, _)| {
                    i + phrase.len() <= n
                        && stems[i..i + phrase.len()] == phrase[..]
                        && !boilerplate[i..i + phrase.len()].iter().any(|&b| b)
                })
            });
            match found {
                Some((phrase, concept)) => {
                    concept_at[i] = Some((*concept, phrase.len()));
                    i += phrase.len();
                }
                None => i += 1,
            }
        }

        let mut analyzed = Analyzed {
            negations: Self::count_negations(&words, &clauses),
            ..Analyzed::default()
        };
        let mut i = 0;
        while i < n {
            if let Some((concept, len)) = concept_at[i] {
                for j in i..i + len {
                    if !self.is_stop_word(&words[j]) {
                        analyzed.terms.push(stems[j].clone());
                        analyzed.key_terms.push(stems[j].clone());
                        // A word of a phrase keeps its own concept too: "encrypted at rest" is also about
                        // "encryption".
                        if len > 1
                            && let Some(word_concept) = self.single_word_concept(&stems[j])
                            && word_concept != concept
                        {
                            analyzed.terms.push(self.concepts[word_concept].clone());
                        }
                    }
                }
                analyzed.terms.push(self.concepts[concept].clone());
                analyzed.notions.push(self.concepts[concept].clone());
                analyzed.notion_words.push(words[i..i + len].join(" "));
                i += len;
                continue;
            }
            if !boilerplate[i] && !self.is_stop_word(&words[i]) {
                analyzed.terms.push(stems[i].clone());
                analyzed.key_terms.push(stems[i].clone());
                analyzed.notions.push(stems[i].clone());
                analyzed.notion_words.push(words[i].clone());
            } else if KEY_WORDS.contains(&words[i].as_str()) {
                analyzed.key_terms.push(words[i].clone());
            }
            i += 1;
        }
        (analyzed, stems)
    }
}

/// Merges groups that share a phrase (after analysis), so a library group `["2fa", "two step verification"]`
/// joins the built-in MFA group instead of competing with it.
fn merge_groups(groups: &[Vec<String>], analyzer: &Analyzer) -> Vec<Vec<String>> {
    let mut merged: Vec<Vec<String>> = Vec::new();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for group in groups {
        let keys: Vec<String> = group
            .iter()
            .map(|p| analyzer.words(p).join(" "))
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let target = keys.iter().find_map(|k| owner.get(k).copied());
        let index = match target {
            Some(index) => index,
            None => {
                merged.push(Vec::new());
                merged.len() - 1
            }
        };
        for (phrase, key) in group.iter().zip(&keys) {
            if owner.insert(key.clone(), index).is_none() {
                merged[index].push(phrase.clone());
            }
        }
    }
    merged.retain(|g| !g.is_empty());
    merged
}

/// Is this a yes/no question ("Do you...", "Is there...", "Can we...")? Such questions prefer entries that carry a
/// short answer.
pub fn is_yes_no_question(text: &str) -> bool {
    const OPENERS: &[&str] = &[
        "do", "does", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could",
        "will", "would", "shall", "should", "may", "must",
    ];
    let first = text
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    OPENERS.iter().any(|o| first.eq_ignore_ascii_case(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        let groups = vec![
            vec![
                "mfa".to_string(),
                "2fa".to_string(),
                "multi-factor authentication".to_string(),
                "two-factor authentication".to_string(),
            ],
            vec![
                "encryption at rest".to_string(),
                "data at rest encryption".to_string(),
            ],
        ];
        Analyzer::new(&groups, &[])
    }

    #[test]
    fn stems_and_drops_boilerplate() {
        let a = analyzer();
        let analyzed =
            a.analyze("Please describe how your organization encrypts backups, if applicable.");
        assert_eq!(analyzed.terms, vec!["encrypt", "backup"]);
    }

    #[test]
    fn synonyms_share_a_concept_and_a_key() {
        let a = analyzer();
        let two = a.analyze("Do you support 2FA?");
        let multi = a.analyze("Do you support multi-factor authentication?");
        assert!(two.terms.contains(&"~mfa".to_string()));
        assert!(multi.terms.contains(&"~mfa".to_string()));
        assert!(
            multi.terms.contains(&"authent".to_string()),
            "phrase words are kept: {:?}",
            multi.terms
        );
        // Synonyms share a notion (they rank alike) but never a key: exact re-use is the same words (#14).
        assert_eq!(two.notions, multi.notions);
        assert_ne!(two.key(), multi.key());
        // Stems let a phrase match other word forms.
        assert!(
            a.analyze("Is all data encrypted at rest?")
                .terms
                .contains(&"~encryption_at_rest".to_string())
        );
    }

    #[test]
    fn negation_is_kept_and_syntax_is_text() {
        let a = analyzer();
        assert_eq!(
            a.analyze("Do you NOT store passwords").terms,
            vec!["not", "store", "password"]
        );
        for hostile in [
            "\"unclosed",
            "a:b (c AND -d)",
            "10:30 https://x.y/z?q=1",
            "🙂🙂",
            "",
            "+++",
            "\u{0}\u{1f}",
        ] {
            let _ = a.analyze(hostile);
        }
        assert!(
            a.analyze("title:foo AND bar")
                .terms
                .contains(&"titl".to_string())
        );
    }

    /// Negations counted from the words of the whole text, grouped by clause, are the negations of each clause's
    /// own words (how they were first counted: each clause tokenized on its own).
    #[test]
    fn negations_by_clause_match_each_clause_tokenized_alone() {
        let a = analyzer();
        let counted_alone = |text: &str| -> usize {
            text.split([',', ';', ':', '?', '!', '.', '(', ')'])
                .map(|clause| a.words(clause))
                .filter(|words| {
                    words.first().is_none_or(|w| {
                        !["if", "unless", "when", "whenever", "where", "whether"]
                            .contains(&w.as_str())
                    })
                })
                .map(|words| {
                    (0..words.len())
                        .filter(|&i| {
                            NEGATIONS.contains(&words[i].as_str())
                                || (words[i] == "t"
                                    && i > 0
                                    && CONTRACTED.contains(&words[i - 1].as_str()))
                        })
                        .count()
                })
                .sum()
        };
        for text in [
            "",
            "No.",
            "not",
            "If not, why not?",
            "If you are not certified, can you self-attest?",
            "We don't, and we never will (not ever): no.",
            "don, t; isn.t (won't)",
            "Ça ne marche pas, non! Élan: not café.",
            "when not;whenever no,where none.whether nor?unless never!if nothing",
            ",,,;;;...not",
            "no 🙂 not, 🙂 never. Ünicode nöt",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa not, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa no",
            "Have you operated without disruptions? No. There weren't any (none).",
        ] {
            let (words, clauses) = a.words_and_clauses(text);
            assert_eq!(
                Analyzer::count_negations(&words, &clauses),
                counted_alone(text),
                "{text:?}"
            );
            assert_eq!(a.analyze(text).negations, counted_alone(text), "{text:?}");
        }
    }

    #[test]
    fn question_words_stay_in_the_key() {
        let a = analyzer();
        let when = a.analyze("When will you be ISO 42001 certified?");
        let are = a.analyze("Are you ISO 42001 certified?");
        assert_eq!(when.terms, are.terms);
        assert_ne!(when.key(), are.key());
        assert_eq!(
            are.key(),
            a.analyze("Is your organization ISO 42001 certified?").key()
        );
    }

    #[test]
    fn groups_sharing_a_phrase_merge() {
        let groups = vec![
            vec!["mfa".to_string(), "2fa".to_string()],
            vec!["2FA".to_string(), "two step verification".to_string()],
        ];
        let a = Analyzer::new(&groups, &[]);
        assert_eq!(
            a.analyze("two step verification").notions,
            a.analyze("MFA").notions
        );
    }

    #[test]
    fn numbers_and_negations_keep_their_meaning() {
        let a = analyzer();
        let seven = a.analyze("Are critical patches applied within 7 days?");
        let thirty = a.analyze("Are critical patches applied within 30 days?");
        assert!(
            seven.notions.contains(&"7".to_string()),
            "{:?}",
            seven.notions
        );
        assert_ne!(seven.key(), thirty.key());
        assert_eq!(a.analyze("Do you store passwords?").negations, 0);
        assert_eq!(a.analyze("Do you NOT store passwords?").negations, 1);
        assert_eq!(a.analyze("We don't store passwords").negations, 1);
        assert_eq!(
            a.analyze("Can updates be completed without institutional involvement?")
                .negations,
            1
        );
        // A condition is not the question: "If you are not certified, can you self-attest?" asks a positive.
        assert_eq!(
            a.analyze("If you are not certified, can you self-attest?")
                .negations,
            0
        );
        // "can" alone is not a negation; "can't" is.
        assert_eq!(a.analyze("Can you export data?").negations, 0);
        assert_eq!(a.analyze("Can't you export data?").negations, 1);
        let multi = a.analyze("Do you require multi-factor authentication?");
        assert_eq!(
            multi.notion_words,
            vec!["require", "multi factor authentication"]
        );
    }

    #[test]
    fn yes_no_questions() {
        assert!(is_yes_no_question("Do you encrypt data?"));
        assert!(is_yes_no_question("  Is there an incident response plan?"));
        assert!(!is_yes_no_question("Describe your backup process."));
        assert!(!is_yes_no_question("Documentation of the process"));
    }
}
