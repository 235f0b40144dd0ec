//! Second-stage ranking: a finer similarity between the question and each candidate BM25 retrieved.
//!
//! In: the question's analyzed terms with their IDF weights, one candidate entry (pre-analyzed in the index),
//! its normalized BM25 score and the question's context. Out: [`Features`] and, through [`Weights`], one score.
//! BM25 rewards any shared term; a questionnaire answer must instead cover what the question asks *and* not be
//! about much else, so the main feature is an IDF-weighted overlap measured in both directions (F1 of the two
//! coverages) against each wording separately, with partial credit for spelling variants (character trigrams).
//! Shared word pairs pick the best of an entry's wordings when their overlap is close, and are a feature of
//! their own (weight 0 by default: it did not help on the benchmark).

use serde::Serialize;

use super::context::AnalyzedContext;
use crate::analysis::{Analyzed, CONCEPT_PREFIX, is_yes_no_question};
use crate::library::index::IndexedEntry;

/// Similarity of two words' character trigrams above which they count as spelling variants ("licence",
/// "license"; "organisation", "organization" after stemming).
const FUZZY_MIN: f32 = 0.6;

/// How much shared word pairs count when choosing an entry's best wording.
const BIGRAM_TIE_BREAK: f32 = 0.2;

/// A question's term with its hash and IDF weight.
struct Weighted {
    term: String,
    hash: u32,
    weight: f32,
    /// The term's trigrams (see [`trigram_list`]), made once for the question, not for each word of each candidate
    /// it is measured against (#27: 2% of a draft's instructions); empty for a term too short to have a variant.
    grams: Box<[[char; 3]]>,
}

impl Weighted {
    /// [`trigram_similarity`] of the term and `word`, with the term's trigrams made beforehand.
    fn similarity_to(&self, word: &str) -> f32 {
        if self.term.len() < 4 || word.len() < 4 {
            return 0.0;
        }
        if word.len() + 2 > ON_STACK {
            return dice(&self.grams, &trigram_list(word));
        }
        let mut grams = [[0 as char; 3]; ON_STACK];
        let n = fill_trigrams(word, &mut grams);
        dice(&self.grams, &grams[..n])
    }
}

/// The question side, computed once per question. Small lists, not hash sets: a question has a handful of terms,
/// and scanning them is faster than hashing every candidate's terms. Terms carry their hash, and so do the
/// entry's (in [`EntryTerms`]): two terms are compared as text only when their hashes agree (see #18).
pub struct QueryTerms {
    /// Distinct notions with their IDF, in first-seen order.
    weights: Vec<Weighted>,
    total: f32,
    /// Distinct index terms (words and concepts) with their IDF.
    term_weights: Vec<Weighted>,
    term_total: f32,
    /// Distinct pairs of notions next to each other, as positions in `weights`.
    bigrams: Vec<(usize, usize)>,
    yes_no: bool,
}

impl QueryTerms {
    pub fn new(analyzed: &Analyzed, idf: impl Fn(&str) -> f32, yes_no: bool) -> QueryTerms {
        let weighted = |terms: &[String]| -> Vec<Weighted> {
            let mut out: Vec<Weighted> = Vec::with_capacity(terms.len());
            for term in terms {
                if !out.iter().any(|w| w.term == *term) {
                    out.push(Weighted {
                        term: term.clone(),
                        hash: term_hash(term),
                        weight: idf(term),
                        grams: if term.len() < 4 {
                            Box::default()
                        } else {
                            trigram_list(term).into()
                        },
                    });
                }
            }
            out
        };
        let weights = weighted(&analyzed.notions);
        let total = weights.iter().map(|w| w.weight).sum();
        let term_weights = weighted(&analyzed.terms);
        let term_total = term_weights.iter().map(|w| w.weight).sum();
        let position = |notion: &String| {
            weights
                .iter()
                .position(|w| w.term == *notion)
                .expect("every notion is among the distinct notions")
        };
        let mut bigrams: Vec<(usize, usize)> = Vec::new();
        for pair in analyzed.notions.windows(2) {
            let pair = (position(&pair[0]), position(&pair[1]));
            if !bigrams.contains(&pair) {
                bigrams.push(pair);
            }
        }
        QueryTerms {
            weights,
            total,
            term_weights,
            term_total,
            bigrams,
            yes_no,
        }
    }
}

/// A term's hash, for comparing terms quickly (equal terms have equal hashes; equal hashes are checked as text).
fn term_hash(term: &str) -> u32 {
    use std::hash::BuildHasher;
    // The high half: FxHash mixes its high bits best.
    (rustc_hash::FxBuildHasher.hash_one(term) >> 32) as u32
}

/// The bit a term's hash sets in a list's [`Hashed::signature`].
fn signature_bit(hash: u32) -> u64 {
    1 << (hash & 63)
}

/// Terms with their hashes, in the same order, and the signature of those hashes: the bits they set
/// ([`signature_bit`]). A term whose bit is not set is not in the list, so most terms a question does not share
/// with a wording are told apart without reading the list (#27: the scans were 40% of `features`).
#[derive(Clone, Copy)]
struct Hashed<'a> {
    terms: &'a [String],
    hashes: &'a [u32],
    signature: u64,
}

impl Hashed<'_> {
    fn contains(&self, term: &Weighted) -> bool {
        self.may_contain(term)
            && self
                .hashes
                .iter()
                .zip(self.terms)
                .any(|(hash, t)| *hash == term.hash && *t == term.term)
    }

    /// False only when `term` is not in the list; true may still be wrong.
    fn may_contain(&self, term: &Weighted) -> bool {
        self.signature & signature_bit(term.hash) != 0
    }
}

/// What re-ranking needs of an entry that does not depend on the question, computed once per entry and matcher:
/// the IDF sums of its wordings (which the coverage of a wording by the question is measured against) and the
/// hashes of its terms. Kept compact (one allocation of 32-bit hashes): a matcher may hold one per entry of a
/// 100,000-entry library.
#[derive(Debug, Clone, Default)]
pub struct EntryTerms {
    /// Per wording, the IDF sum of its distinct notions, then per wording the IDF sum of its distinct index terms.
    totals: Box<[f32]>,
    /// The hash of every term, one list after the other: each wording's notions, each wording's index terms, the
    /// body's notions, the tags' notions.
    hashes: Box<[u32]>,
    /// Where each of those lists starts in `hashes`, and where the last ends.
    starts: Box<[u32]>,
    /// Each list's signature (see [`Hashed`]).
    signatures: Box<[u64]>,
    /// How many wordings have notions (`IndexedEntry::wording_notions`); as many have index terms.
    wordings: usize,
}

impl EntryTerms {
    pub fn of(entry: &IndexedEntry, idf: impl Fn(&str) -> f32) -> EntryTerms {
        let total = |terms: &[String]| -> f32 {
            terms
                .iter()
                .enumerate()
                .filter(|(i, t)| !terms[..*i].contains(t))
                .map(|(_, t)| idf(t))
                .sum()
        };
        // The same number of wordings on both sides, whatever the cache holds, so that positions agree.
        let wordings = entry.wording_notions.len();
        let empty = Vec::new();
        let terms = (0..wordings).map(|i| entry.wording_terms.get(i).unwrap_or(&empty));
        let lists: Vec<&Vec<String>> = entry
            .wording_notions
            .iter()
            .chain(terms)
            .chain([&entry.body_notions, &entry.tag_notions])
            .collect();
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut hashes = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
        let mut signatures = Vec::with_capacity(lists.len());
        for list in &lists {
            let start = hashes.len();
            starts.push(start as u32);
            hashes.extend(list.iter().map(|t| term_hash(t)));
            signatures.push(hashes[start..].iter().fold(0, |s, &h| s | signature_bit(h)));
        }
        starts.push(hashes.len() as u32);
        EntryTerms {
            totals: lists[..2 * wordings].iter().map(|w| total(w)).collect(),
            hashes: hashes.into(),
            starts: starts.into(),
            signatures: signatures.into(),
            wordings,
        }
    }

    /// List `n` (see `hashes`) with `terms`, its terms; no hashes when there is no such list.
    fn list<'a>(&'a self, n: usize, terms: &'a [String]) -> Hashed<'a> {
        match (self.starts.get(n), self.starts.get(n + 1)) {
            (Some(&from), Some(&to)) => Hashed {
                terms,
                hashes: &self.hashes[from as usize..to as usize],
                signature: self.signatures[n],
            },
            _ => Hashed {
                terms,
                hashes: &[],
                signature: 0,
            },
        }
    }

    fn notion_total(&self, wording: usize) -> f32 {
        self.totals.get(wording).copied().unwrap_or(0.0)
    }

    fn term_total(&self, wording: usize) -> f32 {
        self.totals
            .get(self.wordings + wording)
            .copied()
            .unwrap_or(0.0)
    }

    fn notions<'a>(&'a self, wording: usize, terms: &'a [String]) -> Hashed<'a> {
        self.list(wording, terms)
    }

    fn terms<'a>(&'a self, wording: usize, terms: &'a [String]) -> Hashed<'a> {
        self.list(self.wordings + wording, terms)
    }

    fn body<'a>(&'a self, terms: &'a [String]) -> Hashed<'a> {
        self.list(2 * self.wordings, terms)
    }

    fn tags<'a>(&'a self, terms: &'a [String]) -> Hashed<'a> {
        self.list(2 * self.wordings + 1, terms)
    }
}

/// Does this question want a Yes/No/N-A answer?
pub fn wants_short_answer(question: &str) -> bool {
    is_yes_no_question(question)
}

/// What the re-ranker measured for one candidate; shown by `eval --show-misses` to explain a ranking.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Features {
    /// A wording's normalized key equals the question's.
    pub exact: bool,
    /// Best wording: F1 of the IDF-weighted coverage of the question by the wording and of the wording by the
    /// question.
    pub wording: f32,
    /// Which wording scored best (0 = the question, 1.. = alternates, then wordings learned but not approved).
    pub best_wording: usize,
    /// The best wording was learned from a review and is not yet approved, so it cannot make the match high.
    pub pending_wording: bool,
    /// A reviewer rejected this entry for this very wording (see #14): never the high or medium draft again.
    pub rejected: bool,
    /// A reviewer accepted this entry for this very wording, not yet approved (a pending wording): medium.
    pub accepted_before: bool,
    /// Share of the question's (IDF-weighted) terms found in the best wording.
    pub question_coverage: f32,
    /// Share of the best wording's terms found in the question.
    pub wording_coverage: f32,
    /// Share of the question's word pairs found in the best wording.
    pub bigram: f32,
    /// Share of the question's terms found in the body.
    pub body: f32,
    /// Share of the question's terms found in the tags.
    pub tags: f32,
    /// BM25 relative to the best candidate's.
    pub retrieval: f32,
    /// 1 when a yes/no question meets an entry with a short answer.
    pub short_answer: f32,
    /// A yes/no question meets an entry with no short answer (an explanation, such as "What is ISO/IEC
    /// 42001?"), which cannot fill the question's Yes/No cell.
    pub lacks_short_answer: bool,
    /// How well the question's context (section, ID, neighbours) fits this entry, 0 to 1.
    pub context: f32,
    /// Share of the leading candidates' evidence that shares this entry's topic (tag), 0 to 1.
    pub consensus: f32,
    /// Cosine similarity of the question's embedding with the entry's question and answer embedded together
    /// (semantic matching on).
    pub semantic_entry: Option<f32>,
    /// Cosine similarity of the question's embedding with the entry's closest wording (semantic matching on).
    pub semantic_wording: Option<f32>,
    /// BM25 over every word of the entry, stemmed (see `Analyzer::plain_stems`); 0 when not retrieved.
    pub plain: f32,
    /// In how many of the rankings fused (see `fusion`) this entry is first.
    pub first_in: usize,
    /// Terms shared with the best wording, for explanations (filled for the candidates a match returns; see
    /// [`shared_terms`]).
    pub shared: Vec<String>,
    /// Whether the best wording won on its words rather than its notions (which `shared` lists).
    #[serde(skip)]
    pub won_by_words: bool,
}

/// Weights of the features in the final score, and the BM25 field boosts of retrieval.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub wording: f32,
    pub bigram: f32,
    pub body: f32,
    pub tags: f32,
    pub retrieval: f32,
    pub short_answer: f32,
    /// Share of the evidence taken off an entry with no short answer when the question wants one.
    pub lacks_short_answer: f32,
    pub context: f32,
    /// F-beta of the two coverages: above 1 favours covering the question over being covered by it.
    pub beta: f32,
    /// Weight of the topic consensus of the leading candidates (see `matching::measure_tag_consensus`).
    pub tag_consensus: f32,
    pub field_wording: f32,
    pub field_tags: f32,
    pub field_body: f32,
}

impl Default for Weights {
    /// Measured on the CAIQ bench (dev.csv; the table is in the closing note of #4): the re-ranked score with
    /// body coverage weighted like wording similarity and a topic consensus was best, and BM25's own score
    /// added nothing once re-ranking looked at the same evidence more closely; bigrams did not help there.
    /// Tags and the short-answer preference cannot be measured on that bench (its tags are domain codes, every
    /// entry has a short answer) and are kept small.
    fn default() -> Self {
        Weights {
            wording: 1.0,
            bigram: 0.0,
            body: 1.0,
            tags: 0.1,
            retrieval: 0.0,
            short_answer: 0.02,
            lacks_short_answer: 0.1,
            context: 0.1,
            beta: 1.0,
            tag_consensus: 0.3,
            field_wording: 3.0,
            field_tags: 1.5,
            field_body: 2.0,
        }
    }
}

/// Score of an exact re-use: above anything the weighted features can reach (they are normalized to at most
/// 1), so it always ranks first.
pub const EXACT_SCORE: f32 = 2.0;

impl Weights {
    /// The evidence-weighted sum before the topic consensus, used to find the consensus.
    pub fn base_score(&self, f: &Features) -> f32 {
        let wording = f_beta(f.question_coverage, f.wording_coverage, self.beta);
        self.wording * wording
            + self.bigram * f.bigram
            + self.body * f.body
            + self.tags * f.tags
            + self.retrieval * f.retrieval
            + self.short_answer * f.short_answer
    }

    /// The final score: 0 to 1 (plus a context bonus of at most `context`), or above [`EXACT_SCORE`] for an
    /// exact re-use. Normalized by the sum of the weights so that confidence thresholds do not depend on them.
    pub fn score(&self, f: &Features) -> f32 {
        let context = self.context * f.context;
        if f.exact {
            return EXACT_SCORE + context;
        }
        let total = self.wording
            + self.bigram
            + self.body
            + self.tags
            + self.retrieval
            + self.short_answer
            + self.tag_consensus;
        let mut evidence = self.base_score(f) + self.tag_consensus * f.consensus;
        if f.lacks_short_answer {
            evidence *= 1.0 - self.lacks_short_answer.clamp(0.0, 1.0);
        }
        (if total > 0.0 { evidence / total } else { 0.0 }) + context
    }
}

/// Measures one candidate.
pub fn features(
    query: &QueryTerms,
    key: &str,
    candidate: &IndexedEntry,
    prepared: &EntryTerms,
    retrieval: f32,
    context: &AnalyzedContext,
    idf: impl Fn(&str) -> f32,
) -> Features {
    let mut best = Features {
        retrieval,
        ..Features::default()
    };
    best.exact = !key.is_empty() && candidate.wording_keys.iter().any(|k| k == key);
    best.rejected = !key.is_empty() && candidate.rejected_keys.iter().any(|k| k == key);
    best.accepted_before = !key.is_empty() && candidate.pending_keys.iter().any(|k| k == key);
    let mut best_score = -1.0;
    // Whether the winning wording's words (not its notions) won.
    let mut won_by_words = false;
    for (index, wording) in candidate.wording_notions.iter().enumerate() {
        // Notions (a synonym phrase as one concept) suit synonyms; words suit a phrase found on one side only
        // ("encrypted at rest" against "encrypt customer data at rest"). The better of the two counts.
        let notion_total = prepared.notion_total(index);
        let wording = prepared.notions(index, wording);
        let by_notions = overlap(
            &query.weights,
            query.total,
            wording,
            notion_total,
            &idf,
            true,
        );
        let by_words = candidate.wording_terms.get(index).map(|terms| {
            let total = prepared.term_total(index);
            let terms = prepared.terms(index, terms);
            overlap(
                &query.term_weights,
                query.term_total,
                terms,
                total,
                &idf,
                false,
            )
        });
        let ((coverage_q, coverage_w), words_won) = match by_words {
            Some(words) if f1(words.0, words.1) > f1(by_notions.0, by_notions.1) => (words, true),
            _ => (by_notions, false),
        };
        let f1 = f1(coverage_q, coverage_w);
        let bigram = if query.bigrams.is_empty() {
            0.0
        } else {
            let found = query
                .bigrams
                .iter()
                .filter(|&&(a, b)| {
                    let (a, b) = (&query.weights[a], &query.weights[b]);
                    wording.may_contain(a)
                        && wording.may_contain(b)
                        && wording
                            .hashes
                            .windows(2)
                            .zip(wording.terms.windows(2))
                            .any(|(h, w)| {
                                h[0] == a.hash && h[1] == b.hash && w[0] == a.term && w[1] == b.term
                            })
                })
                .count();
            found as f32 / query.bigrams.len() as f32
        };
        let score = f1 + BIGRAM_TIE_BREAK * bigram;
        if score > best_score {
            best_score = score;
            best.wording = f1;
            best.best_wording = index;
            best.question_coverage = coverage_q;
            best.wording_coverage = coverage_w;
            best.bigram = bigram;
            won_by_words = words_won;
        }
    }
    best.pending_wording = best.best_wording >= candidate.wording_keys.len();
    best.won_by_words = won_by_words;
    best.body = coverage(query, prepared.body(&candidate.body_notions));
    best.tags = coverage(query, prepared.tags(&candidate.tag_notions));
    best.short_answer = if query.yes_no && candidate.entry.short_answer.is_some() {
        1.0
    } else {
        0.0
    };
    best.lacks_short_answer = query.yes_no && candidate.entry.short_answer.is_none();
    best.context = context.score(candidate);
    best
}

/// The question's terms that the candidate's best wording shares (words or notions, whichever won), sorted: for
/// explanations, so measured only for the candidates a match returns, not for every candidate re-ranked.
pub fn shared_terms(
    query: &QueryTerms,
    candidate: &IndexedEntry,
    features: &Features,
) -> Vec<String> {
    let index = features.best_wording;
    let (query_side, terms) = if features.won_by_words {
        (&query.term_weights, candidate.wording_terms.get(index))
    } else {
        (&query.weights, candidate.wording_notions.get(index))
    };
    let Some(terms) = terms else {
        return Vec::new();
    };
    let mut shared: Vec<String> = query_side
        .iter()
        .filter(|w| terms.contains(&w.term))
        .map(|w| w.term.clone())
        .collect();
    shared.sort();
    shared
}

/// Share of the question's (IDF-weighted) notions found among `terms`.
fn coverage(query: &QueryTerms, terms: Hashed) -> f32 {
    if query.total == 0.0 {
        return 0.0;
    }
    query
        .weights
        .iter()
        .filter(|w| terms.contains(w))
        .map(|w| w.weight)
        .sum::<f32>()
        / query.total
}

/// Two stems that are spellings of one word ("licenc", "licens"; "organis", "organiz").
pub fn is_spelling_variant(a: &str, b: &str) -> bool {
    could_be_variant(a, b) && trigram_similarity(a, b) >= FUZZY_MIN
}

/// Cheap pre-filter before trigrams: spelling variants start alike and are of similar length.
fn could_be_variant(a: &str, b: &str) -> bool {
    a.len().abs_diff(b.len()) <= 2 && a.as_bytes().first() == b.as_bytes().first()
}

fn f1(a: f32, b: f32) -> f32 {
    f_beta(a, b, 1.0)
}

/// F-beta of two coverages: the harmonic mean when `beta` is 1; above 1 it favours the first.
fn f_beta(a: f32, b: f32, beta: f32) -> f32 {
    let b2 = beta * beta;
    if a + b > 0.0 {
        (1.0 + b2) * a * b / (b2 * b + a)
    } else {
        0.0
    }
}

/// IDF-weighted overlap of the question's terms with one wording's (whose distinct terms' IDF sum to
/// `wording_total`): (share of the question covered, share of the wording covered). With `fuzzy`, a spelling
/// variant earns partial credit.
fn overlap(
    weights: &[Weighted],
    total: f32,
    wording: Hashed,
    wording_total: f32,
    idf: &impl Fn(&str) -> f32,
    fuzzy: bool,
) -> (f32, f32) {
    let mut shared_weight = 0.0;
    for query_term in weights {
        let (term, weight) = (&query_term.term, query_term.weight);
        if wording.contains(query_term) {
            shared_weight += weight;
        } else if fuzzy && !term.starts_with(CONCEPT_PREFIX) {
            let best_variant = wording
                .terms
                .iter()
                .filter(|w| !w.starts_with(CONCEPT_PREFIX) && could_be_variant(term, w))
                .map(|w| (query_term.similarity_to(w), w))
                .filter(|(s, _)| *s >= FUZZY_MIN)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((similarity, word)) = best_variant {
                shared_weight += similarity * weight.min(idf(word));
            }
        }
    }
    let coverage_q = if total > 0.0 {
        shared_weight / total
    } else {
        0.0
    };
    let coverage_w = if wording_total > 0.0 {
        (shared_weight / wording_total).min(1.0)
    } else {
        0.0
    };
    (coverage_q, coverage_w)
}

/// Dice similarity of the character trigrams of two words (with boundary markers): twice the number of distinct
/// trigrams they share over the sum of each word's distinct trigrams.
fn trigram_similarity(a: &str, b: &str) -> f32 {
    if a.len() < 4 || b.len() < 4 {
        return 0.0;
    }
    // Called for many candidate word pairs per question, so words of ordinary length are measured on the stack,
    // without allocating (see #18); sorted, deduplicated lists give the same sets as hashing would.
    if a.len() + 2 > ON_STACK || b.len() + 2 > ON_STACK {
        let (ga, gb) = (trigram_list(a), trigram_list(b));
        return dice(&ga, &gb);
    }
    let mut ga = [[0 as char; 3]; ON_STACK];
    let mut gb = [[0 as char; 3]; ON_STACK];
    let na = fill_trigrams(a, &mut ga);
    let nb = fill_trigrams(b, &mut gb);
    dice(&ga[..na], &gb[..nb])
}

/// Words up to this many bytes, less two, have their trigrams measured on the stack (see [`trigram_similarity`]).
const ON_STACK: usize = 48;

/// The word's trigrams (with `^` and `$` boundary markers), sorted and distinct.
fn trigram_list(word: &str) -> Vec<[char; 3]> {
    let mut grams = vec![[0 as char; 3]; word.chars().count() + 2];
    let n = fill_trigrams(word, &mut grams);
    grams.truncate(n);
    grams
}

/// Writes the word's distinct trigrams, sorted, into `out` (which has room for one per character plus two);
/// returns how many there are.
fn fill_trigrams(word: &str, out: &mut [[char; 3]]) -> usize {
    let mut n = 0;
    let mut window = ['\0'; 3];
    let marked = std::iter::once('^')
        .chain(word.chars())
        .chain(std::iter::once('$'));
    for (seen, c) in marked.enumerate() {
        window = [window[1], window[2], c];
        if seen >= 2 {
            out[n] = window;
            n += 1;
        }
    }
    let grams = &mut out[..n];
    grams.sort_unstable();
    let mut distinct = 0;
    for i in 0..n {
        if distinct == 0 || grams[i] != grams[distinct - 1] {
            grams[distinct] = grams[i];
            distinct += 1;
        }
    }
    distinct
}

/// Dice coefficient of two sorted, distinct lists.
fn dice(a: &[[char; 3]], b: &[[char; 3]]) -> f32 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f32 / (a.len() + b.len()) as f32
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_yes_no_question_prefers_entries_that_answer_yes_or_no() {
        let weights = Weights::default();
        let explains = Features {
            wording: 0.7,
            question_coverage: 0.7,
            wording_coverage: 0.7,
            body: 1.0,
            context: 0.5,
            ..Features::default()
        };
        let lacking = Features {
            lacks_short_answer: true,
            ..explains.clone()
        };
        // The evidence loses a tenth; the context bonus (0.1 × 0.5) is added after, untouched.
        let full = weights.score(&explains) - 0.05;
        assert!((weights.score(&lacking) - (0.9 * full + 0.05)).abs() < 1e-6);
    }

    /// A list's signature never turns away a term the list has, in any list of an entry (each wording's notions
    /// and words, the body, the tags), and the terms it has nowhere are not found.
    #[test]
    fn signatures_never_turn_away_a_term_a_list_has() {
        use crate::analysis::Analyzer;
        use crate::library::Status;
        use crate::library::index::IndexedEntry;
        use crate::library::new_entry::new_entry;

        // A body of 150 distinct words sets most of the 64 bits; the wordings set few.
        let body: Vec<String> = (0..150).map(|i| format!("word{i}")).collect();
        let mut entry = new_entry(
            "e",
            "",
            "Do you encrypt customer data at rest?",
            Some("Yes".to_string()),
            &body.join(" "),
            vec!["encryption".to_string(), "storage".to_string()],
            None,
            Status::Approved,
            String::new(),
            None,
        );
        entry.alternates = vec!["Is stored information protected by keys?".to_string()];
        let indexed = IndexedEntry::new(entry, &Analyzer::new(&[], &[]));
        let prepared = EntryTerms::of(&indexed, |_| 1.0);
        let weighted = |term: &str| Weighted {
            term: term.to_string(),
            hash: term_hash(term),
            weight: 1.0,
            grams: Box::new([]),
        };
        let mut lists = Vec::new();
        for (i, notions) in indexed.wording_notions.iter().enumerate() {
            lists.push(("notions", prepared.notions(i, notions)));
            lists.push(("words", prepared.terms(i, &indexed.wording_terms[i])));
        }
        lists.push(("body", prepared.body(&indexed.body_notions)));
        lists.push(("tags", prepared.tags(&indexed.tag_notions)));
        assert!(indexed.body_notions.len() > 100 && indexed.wording_notions.len() == 2);
        let absent: Vec<String> = (0..500).map(|i| format!("absent{i}")).collect();
        for (name, list) in lists {
            assert!(!list.terms.is_empty(), "{name}");
            for term in list.terms {
                assert!(list.contains(&weighted(term)), "{name}: {term}");
            }
            for term in &absent {
                assert!(!list.contains(&weighted(term)), "{name}: {term}");
            }
            // Some absent term is turned away by the signature alone.
            assert!(
                absent.iter().any(|t| !list.may_contain(&weighted(t))),
                "{name}"
            );
        }
    }

    #[test]
    fn trigram_similarity_finds_spelling_variants() {
        assert!(trigram_similarity("licenc", "licens") >= 0.5);
        assert!(trigram_similarity("organis", "organiz") >= 0.5);
        assert!(trigram_similarity("encrypt", "backup") < 0.2);
        assert_eq!(trigram_similarity("ab", "ab"), 0.0);
    }

    /// The allocation-free measure is the Dice coefficient of the two trigram sets, for short and long words,
    /// repeated trigrams and non-ASCII letters alike.
    #[test]
    fn trigram_similarity_is_the_dice_coefficient_of_the_trigram_sets() {
        let sets = |w: &str| -> HashSet<[char; 3]> {
            let chars: Vec<char> = std::iter::once('^')
                .chain(w.chars())
                .chain(std::iter::once('$'))
                .collect();
            chars.windows(3).map(|g| [g[0], g[1], g[2]]).collect()
        };
        let long = "pseudo".repeat(12);
        let longer = format!("{long}nym");
        let pairs = [
            ("licenc", "licens"),
            ("aaaaaa", "aaaab"),
            ("organis", "organiz"),
            ("über", "uber"),
            ("données", "donnée"),
            (long.as_str(), longer.as_str()),
            ("encrypt", long.as_str()),
        ];
        for (a, b) in pairs {
            let (ga, gb) = (sets(a), sets(b));
            let expected = 2.0 * ga.intersection(&gb).count() as f32 / (ga.len() + gb.len()) as f32;
            assert_eq!(trigram_similarity(a, b), expected, "{a} / {b}");
            let query = Weighted {
                term: a.to_string(),
                hash: term_hash(a),
                weight: 1.0,
                grams: trigram_list(a).into(),
            };
            assert_eq!(
                query.similarity_to(b),
                expected,
                "{a} / {b}, trigrams made once"
            );
        }
    }
}
