//! Retrieval: the entries BM25 ranks first for a question, the candidates that re-ranking then looks at closely.
//!
//! In: a question's terms and the fields to look in, each with its boost. Out: the `k` entries with the highest
//! BM25 sums and their scores, best first; on a tie the earlier document first, as Tantivy's `TopDocs` orders them.
//!
//! The scores are Tantivy's own: each field and term's weight is Tantivy's `Bm25Weight` from the searcher's
//! statistics, boosted as a `BoostQuery` boosts it, and each document's share comes from its term frequency and
//! field norm in the index. What differs from a Tantivy query is how they are added up. A query looks every term up
//! in every segment, builds a scorer per term and field and runs block-max WAND across up to forty of them, for
//! every question; the profile of #18 put that at half of all matching time, and WAND prunes little when many
//! questions share common words. Here each field and term's postings are read once per matcher into a list of
//! (document, score), kept for the next question that uses the term, and a question adds up its lists in a
//! per-thread array with one slot per document, then picks its best `k` among the documents it touched.
//!
//! A term in half the documents or more ("the", "data" in bodies of real length) is kept as one share per
//! document instead, and a question whose lists hold more shares than a quarter of the documents adds them up in
//! a plain array of sums: a whole list is then one vector addition rather than thousands of scattered ones (#27:
//! adding lists was two thirds of a draft of 10,000 questions against 100,000 entries with real-length bodies).
//! Each document's shares are added in the same order either way, so the sums, and the ranking, are the same to the
//! last bit. A list below half the documents keeps each document with the place of its share among the list's few
//! distinct shares, in 4 bytes instead of 8 (see [`Packed`]): adding lists up reads them all, from memory once they
//! outgrow the cache.

use std::cell::RefCell;
use std::sync::{Arc, PoisonError, RwLock};

use anyhow::{Context, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::postings::Postings;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

/// One document's share of a term's BM25 score: the document's number across segments, and its score.
type Impact = (u32, f32);

/// A field and term's shares, and the largest of them.
struct ScoreList {
    shares: Shares,
    max: f32,
    /// How many documents have the term.
    len: usize,
}

enum Shares {
    /// The documents that have the term, by document number, packed (see [`Packed`]).
    Packed(Packed),
    /// The documents that have the term, by document number, with their shares: for a list whose shares or
    /// document numbers do not fit [`Packed`].
    Sparse(Box<[Impact]>),
    /// One share per document, 0 where the term is absent (a BM25 share is never 0 where it is present): for a
    /// term in at least [`DENSE_SHARE`] of the documents, as small as the pairs and added as one vector.
    Dense(Box<[f32]>),
}

/// A list's documents and shares in half the memory of (document, share) pairs. A term's share in a document
/// depends only on the term's frequency there and the length of the field, so a list holds few distinct shares
/// (in the benchmark's 100,000 entries, a few dozen at most): each document is kept with the place of its share
/// among them, in one `u32`, the document's number above [`PLACE_BITS`] bits of place. Adding up a question's
/// lists reads every share of every list, from memory once the lists outgrow the cache: half the bytes made that
/// a quarter faster (#27).
struct Packed {
    entries: Box<[u32]>,
    /// The distinct shares, in the order the documents first have them.
    values: Box<[f32]>,
}

/// Bits of a [`Packed`] entry that hold the place of its share.
const PLACE_BITS: u32 = 8;

impl Packed {
    /// The pairs packed, or `None` when a list has more distinct shares than [`PLACE_BITS`] can number, or a
    /// document number too large for the bits left.
    fn of(impacts: &[Impact]) -> Option<Packed> {
        let mut places: FxHashMap<u32, u32> = FxHashMap::default();
        let mut values = Vec::new();
        let mut entries = Vec::with_capacity(impacts.len());
        for &(doc, score) in impacts {
            let place = *places.entry(score.to_bits()).or_insert_with(|| {
                values.push(score);
                values.len() as u32 - 1
            });
            if place >> PLACE_BITS != 0 || doc >> (32 - PLACE_BITS) != 0 {
                return None;
            }
            entries.push(doc << PLACE_BITS | place);
        }
        Some(Packed {
            entries: entries.into(),
            values: values.into(),
        })
    }

    /// Each document and its share, by document number.
    #[inline]
    fn iter(&self) -> impl Iterator<Item = Impact> + '_ {
        self.entries
            .iter()
            .map(|&entry| (entry >> PLACE_BITS, self.share(entry)))
    }

    #[inline]
    fn share(&self, entry: u32) -> f32 {
        self.values[(entry & ((1 << PLACE_BITS) - 1)) as usize]
    }
}

/// A list holding at least this part of the documents is kept [`Shares::Dense`]: at half, one share per document
/// takes no more memory than (document, share) pairs.
const DENSE_SHARE: usize = 2;

/// A question whose lists to add hold more shares than this part of the documents adds them up in a plain array of
/// sums (see the module docs); fewer, and it touches few enough documents for the per-document slots to pay.
const DENSE_SUMS: usize = 4;

impl ScoreList {
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The document's share, 0 when the term is not in it.
    fn get(&self, doc: u32, documents: usize) -> f32 {
        match &self.shares {
            Shares::Dense(shares) => shares.get(doc as usize).copied().unwrap_or(0.0),
            Shares::Sparse(impacts) => {
                Self::find(impacts, |&(d, _)| d, doc, documents).map_or(0.0, |&(_, score)| score)
            }
            Shares::Packed(packed) => Self::find(
                &packed.entries,
                |&entry| entry >> PLACE_BITS,
                doc,
                documents,
            )
            .map_or(0.0, |&entry| packed.share(entry)),
        }
    }

    /// The lists looked up are long ones of common words, spread over the documents, so the search starts where
    /// the document would sit if they were spread evenly and widens from there: a few steps in memory nearby,
    /// where a binary search would jump across the list.
    fn find<T>(items: &[T], doc_of: impl Fn(&T) -> u32, doc: u32, documents: usize) -> Option<&T> {
        let last = doc_of(items.last()?);
        if doc > last {
            return None;
        }
        let guess = (doc as usize * items.len() / documents.max(1)).min(items.len() - 1);
        // Widen a window around the guess until it holds the document's place, then search inside it.
        let (mut from, mut to) = (guess, guess + 1);
        let mut step = 1;
        while from > 0 && doc_of(&items[from]) > doc {
            from = from.saturating_sub(step);
            step *= 2;
        }
        step = 1;
        while to < items.len() && doc_of(&items[to - 1]) < doc {
            to = (to + step).min(items.len());
            step *= 2;
        }
        items[from..to]
            .binary_search_by_key(&doc, doc_of)
            .ok()
            .map(|i| &items[from + i])
    }
}

/// Lists whose largest shares add up to less than this part of the largest list's are "small": looked up only where
/// they can change the result (see `Retriever::top`).
const SMALL_LISTS: f32 = 0.1;

/// The lists already read for one field, by term.
struct FieldLists {
    field: Field,
    boost: f32,
    lists: RwLock<FxHashMap<String, Arc<ScoreList>>>,
}

/// BM25 top-`k` over a fixed set of fields. Cheap to create; lists are read as questions need them.
pub struct Retriever {
    searcher: Searcher,
    /// The documents of the part of the library these fields hold (see `library::index::Part`), deleted ones not
    /// yet merged away included as Tantivy counts them: BM25's document count, so the other part's documents
    /// weigh nothing (#25).
    part_documents: u64,
    fields: Vec<FieldLists>,
    /// The first document number of each segment; a document's number is its segment's base plus its id.
    bases: Vec<u32>,
    documents: usize,
    /// Whether small lists may be left to lookups (see [`SMALL_LISTS`]); off in a test, to compare with adding
    /// everything.
    prune: bool,
    /// Each document's tie break (see [`BestK`]), shared by the retrievers of a matcher.
    ties: Arc<[u64]>,
}

/// The searcher's statistics with the document count of one part of the library: the fields of one part hold no
/// token of the other's documents, so their term frequencies and token totals are already that part's alone.
struct PartStatistics<'a> {
    searcher: &'a Searcher,
    documents: u64,
}

impl Bm25StatisticsProvider for PartStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.documents)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::doc_freq(self.searcher, term)
    }
}

/// Per-thread scratch space: one slot per document, holding a score that is valid where the slot's stamp is the
/// current question's, and the documents the current question touched.
#[derive(Default)]
struct Scratch {
    slots: Vec<Slot>,
    stamp: u32,
    touched: Vec<u32>,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    stamp: u32,
    score: f32,
}

impl Sums for Scratch {
    #[cfg(test)]
    const DENSE: bool = false;

    /// Ready for a new question over `documents` documents: no slot is current.
    fn start(&mut self, documents: usize) {
        if self.slots.len() < documents {
            self.slots.resize(documents, Slot::default());
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Wrapped around: no slot may look current.
            self.slots.fill(Slot::default());
            self.stamp = 1;
        }
        self.touched.clear();
    }

    /// Adds a list's shares to its documents' sums.
    fn add(&mut self, list: &ScoreList) {
        match &list.shares {
            Shares::Packed(packed) => {
                for (doc, score) in packed.iter() {
                    self.add_one(doc, score);
                }
            }
            Shares::Sparse(impacts) => {
                for &(doc, score) in impacts.iter() {
                    self.add_one(doc, score);
                }
            }
            Shares::Dense(shares) => {
                for (doc, &score) in shares.iter().enumerate() {
                    if score != 0.0 {
                        self.add_one(doc as u32, score);
                    }
                }
            }
        }
    }

    /// Each touched document's sum so far.
    fn sums(&self) -> impl Iterator<Item = (f32, u32)> + '_ {
        self.touched
            .iter()
            .map(|&doc| (self.slots[doc as usize].score, doc))
    }
}

impl Scratch {
    #[inline]
    fn add_one(&mut self, doc: u32, score: f32) {
        let slot = &mut self.slots[doc as usize];
        if slot.stamp == self.stamp {
            slot.score += score;
        } else {
            *slot = Slot {
                stamp: self.stamp,
                score,
            };
            self.touched.push(doc);
        }
    }
}

/// Where a question's sums are added up: per-document slots with the documents touched ([`Scratch`]), or a plain
/// array ([`DenseSums`]).
trait Sums {
    /// Whether this is [`DenseSums`] (for the tests).
    #[cfg(test)]
    const DENSE: bool;
    /// Ready for a new question over `documents` documents.
    fn start(&mut self, documents: usize);
    /// Adds a list's shares to its documents' sums.
    fn add(&mut self, list: &ScoreList);
    /// Each document's sum so far, where a list holds it.
    fn sums(&self) -> impl Iterator<Item = (f32, u32)> + '_;

    /// The `k` best sums so far, best first; `ties` breaks ties (see [`BestK`]).
    fn best(&self, k: usize, ties: &[u64]) -> Vec<(f32, u32)> {
        best_k(self.sums(), k, ties)
    }

    /// The sums so far that `keep` keeps, where a list holds the document.
    fn at_least(&self, keep: impl Fn(f32) -> bool + Copy) -> impl Iterator<Item = (f32, u32)> {
        self.sums().filter(move |&(sum, _)| keep(sum))
    }
}

/// Per-thread sums for a question with many shares to add: one per document, 0 for a document no list holds.
#[derive(Default)]
struct DenseSums(Vec<f32>);

impl Sums for DenseSums {
    #[cfg(test)]
    const DENSE: bool = true;

    fn start(&mut self, documents: usize) {
        self.0.clear();
        self.0.resize(documents, 0.0);
    }

    /// In the same order per document as [`Scratch`]'s `add`.
    fn add(&mut self, list: &ScoreList) {
        match &list.shares {
            Shares::Packed(packed) => {
                for (doc, score) in packed.iter() {
                    self.0[doc as usize] += score;
                }
            }
            Shares::Sparse(impacts) => {
                for &(doc, score) in impacts.iter() {
                    self.0[doc as usize] += score;
                }
            }
            // x + 0 is x: the documents without the term keep their sums exactly.
            Shares::Dense(shares) => {
                for (sum, &score) in self.0.iter_mut().zip(shares.iter()) {
                    *sum += score;
                }
            }
        }
    }

    fn sums(&self) -> impl Iterator<Item = (f32, u32)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|&(_, &sum)| sum != 0.0)
            .map(|(doc, &sum)| (sum, doc as u32))
    }
    /// A block of sums none of which reaches the best's weakest is passed over in one vector comparison: most of
    /// 100,000 are (#27).
    ///
    /// The blocks' largest sums are found first: `k` blocks hold at least `k` sums as large as the `k`-th largest of
    /// those, so no sum below it is among the best, and the blocks below it are passed over from the start rather
    /// than once the best so far have risen (#27: offering the first blocks' sums was most of picking the best).
    fn best(&self, k: usize, ties: &[u64]) -> Vec<(f32, u32)> {
        // Sums are never negative, and non-negative floats order as their bits do: the largest of a block is found
        // as integers, a whole block in one vector operation (`f32::max` is a float comparison per sum).
        let top_of =
            |sums: &[f32]| f32::from_bits(sums.iter().fold(0, |top, &sum| top.max(sum.to_bits())));
        let mut blocks = self.0.chunks_exact(BLOCK);
        let mut tops: Vec<f32> = blocks
            .by_ref()
            .map(|sums| top_of(<&[f32; BLOCK]>::try_from(sums).unwrap_or(&[0.0; BLOCK])))
            .collect();
        if !blocks.remainder().is_empty() {
            tops.push(top_of(blocks.remainder()));
        }
        let mut least = f32::NEG_INFINITY;
        if k > 0 && tops.len() >= k {
            let mut order = tops.clone();
            let (_, kth, _) = order.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            least = *kth;
        }
        let mut best = BestK::new(k, ties);
        for ((block, sums), &top) in self.0.chunks(BLOCK).enumerate().zip(&tops) {
            if top < least.max(best.floor) {
                continue;
            }
            for (i, &sum) in sums.iter().enumerate() {
                if sum != 0.0 && sum >= least {
                    best.offer(sum, (block * BLOCK + i) as u32);
                }
            }
        }
        best.into_sorted()
    }

    /// As [`DenseSums::best`] passes over blocks: after the first lists of a question, most of 100,000 sums are
    /// too far behind to matter (#27: going through them one by one was a sixth of a draft's time).
    fn at_least(&self, keep: impl Fn(f32) -> bool + Copy) -> impl Iterator<Item = (f32, u32)> {
        self.0
            .chunks(BLOCK)
            .enumerate()
            .filter(move |(_, sums)| sums.iter().fold(false, |any, &sum| any | keep(sum)))
            .flat_map(move |(block, sums)| {
                sums.iter()
                    .enumerate()
                    .filter(move |&(_, &sum)| sum != 0.0 && keep(sum))
                    .map(move |(i, &sum)| (sum, (block * BLOCK + i) as u32))
            })
    }
}

/// Sums [`DenseSums`] looks at together, to pass over those that cannot matter in one vector comparison.
const BLOCK: usize = 16;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
    static DENSE: RefCell<DenseSums> = RefCell::default();
}

/// Orders by "better": a higher score, then the lower tie break, then the earlier document.
#[derive(PartialEq)]
struct Ranked {
    score: f32,
    tie: u64,
    doc: u32,
}

impl Eq for Ranked {}

impl Ord for Ranked {
    // The heap's greatest is the weakest: the lower score, then the higher tie break.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.tie.cmp(&other.tie))
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The `k` best of the `(score, document)` offered: higher score, then the lower tie break (the document's
/// [`tie_break`](crate::library::index::tie_break), the same however the index was built), then the lower document
/// number. A bounded heap whose weakest member is at the top; the order documents are offered in does not change
/// the result.
struct BestK<'t> {
    heap: std::collections::BinaryHeap<Ranked>,
    k: usize,
    /// The weakest score of a full heap: most documents are below it, and one comparison turns them away (a tie
    /// still goes to the heap, where the tie break decides).
    floor: f32,
    /// Each document's tie break, by document number.
    ties: &'t [u64],
}

impl<'t> BestK<'t> {
    fn new(k: usize, ties: &'t [u64]) -> BestK<'t> {
        BestK {
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
            k,
            floor: f32::NEG_INFINITY,
            ties,
        }
    }

    #[inline]
    fn offer(&mut self, score: f32, doc: u32) {
        if score < self.floor {
            return;
        }
        let ranked = Ranked {
            score,
            tie: self.ties.get(doc as usize).copied().unwrap_or(u64::MAX),
            doc,
        };
        if self.heap.len() < self.k {
            self.heap.push(ranked);
        } else if let Some(mut weakest) = self.heap.peek_mut()
            && ranked < *weakest
        {
            *weakest = ranked;
        } else {
            return;
        }
        if self.heap.len() == self.k {
            self.floor = self
                .heap
                .peek()
                .map_or(f32::NEG_INFINITY, |weakest| weakest.score);
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<(f32, u32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|ranked| (ranked.score, ranked.doc))
            .collect()
    }
}

/// The `k` best of `(score, document)`, best first (see [`BestK`]).
fn best_k(found: impl Iterator<Item = (f32, u32)>, k: usize, ties: &[u64]) -> Vec<(f32, u32)> {
    let mut best = BestK::new(k, ties);
    for (score, doc) in found {
        best.offer(score, doc);
    }
    best.into_sorted()
}

impl Retriever {
    /// A retriever over `fields`, each `(field, boost)`, which only the `part_documents` live documents of one
    /// part of the library fill; `ties` are the documents' tie breaks (`LibraryIndex::tie_breaks`).
    pub fn new(
        searcher: &Searcher,
        fields: &[(Field, f32)],
        part_documents: u64,
        ties: Arc<[u64]>,
    ) -> Retriever {
        let mut bases = Vec::with_capacity(searcher.segment_readers().len());
        let mut documents = 0u32;
        for segment in searcher.segment_readers() {
            bases.push(documents);
            documents = documents.saturating_add(segment.max_doc());
        }
        Retriever {
            searcher: searcher.clone(),
            part_documents,
            fields: fields
                .iter()
                .map(|&(field, boost)| FieldLists {
                    field,
                    boost,
                    lists: RwLock::default(),
                })
                .collect(),
            bases,
            documents: documents as usize,
            prune: true,
            ties,
        }
    }

    /// The `k` best documents for `terms` (repeats count once), best first, with their BM25 sums over the fields.
    ///
    /// Lists are added largest share first. Very common words (in the benchmark's 100,000 entries, a word of every
    /// body) have long lists of tiny shares: when the lists left add up to at most `rest` per document and the
    /// `k`-th best sum so far is above `rest`, only documents already within `rest` of it can still make the top
    /// `k`, so the rest is looked up for those alone, and added onto their sums in the same order. The result is the
    /// same as adding everything, to the last bit of every sum.
    pub fn top(&self, terms: &[String], k: usize) -> Result<Vec<(f32, DocAddress)>> {
        let mut seen = FxHashSet::default();
        let mut lists = Vec::new();
        for term in terms.iter().filter(|t| seen.insert(t.as_str())) {
            for field in &self.fields {
                let list = self.list(field, term)?;
                if !list.is_empty() {
                    lists.push(list);
                }
            }
        }
        if k == 0 || lists.is_empty() {
            return Ok(Vec::new());
        }
        lists.sort_by(|a, b| b.max.total_cmp(&a.max));
        // The first of the small lists, and the most they can add to a document.
        let mut small = lists.len();
        let mut rest = 0.0f32;
        while self.prune && small > 0 && rest + lists[small - 1].max < SMALL_LISTS * lists[0].max {
            small -= 1;
            rest += lists[small].max;
        }
        // Shares the first pass adds: past a quarter of the documents, a plain array of sums is cheaper.
        let adding: usize = lists[..small].iter().map(|l| l.len).sum();
        let dense = adding * DENSE_SUMS > self.documents;
        #[cfg(test)]
        tests::WAYS.with(|ways| {
            let (sparse, dense_ways) = ways.get();
            ways.set((
                sparse + usize::from(!dense),
                dense_ways + usize::from(dense),
            ));
        });
        let best = if dense {
            DENSE.with(|sums| self.add_up(&mut *sums.borrow_mut(), &lists, small, rest, k))
        } else {
            SCRATCH.with(|sums| self.add_up(&mut *sums.borrow_mut(), &lists, small, rest, k))
        };
        Ok(best
            .into_iter()
            .map(|(score, doc)| (score, self.address(doc)))
            .collect())
    }

    /// Adds up `lists` (largest share first) into `sums` and picks the best `k`: the first `small` lists for every
    /// document, the rest (adding at most `rest` to a sum) for those that can still make the top `k` (see [`top`]).
    ///
    /// [`top`]: Retriever::top
    fn add_up<S: Sums>(
        &self,
        sums: &mut S,
        lists: &[Arc<ScoreList>],
        small: usize,
        rest: f32,
        k: usize,
    ) -> Vec<(f32, u32)> {
        sums.start(self.documents);
        for list in &lists[..small] {
            sums.add(list);
        }
        if small < lists.len() {
            let leading = sums.best(k, &self.ties);
            // A margin for float rounding: `rest` is a sum of rounded maxima, compared with rounded sums.
            let kth = leading
                .last()
                .map_or(f32::NEG_INFINITY, |&(score, _)| score);
            let margin = 1e-5 * kth.abs();
            if leading.len() == k && rest + margin < kth - margin {
                let contenders = sums
                    .at_least(move |score| score + rest + margin >= kth - margin)
                    .map(|(score, doc)| {
                        // In order, onto the sum so far: the sum adding everything would make, to the bit.
                        let sum = lists[small..]
                            .iter()
                            .fold(score, |sum, l| sum + l.get(doc, self.documents));
                        (sum, doc)
                    });
                #[cfg(test)]
                tests::PRUNED[usize::from(S::DENSE)]
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return best_k(contenders, k, &self.ties);
            }
            for list in &lists[small..] {
                sums.add(list);
            }
        }
        sums.best(k, &self.ties)
    }

    /// Each document's tie break, as given to [`Retriever::new`].
    pub fn ties(&self) -> Arc<[u64]> {
        self.ties.clone()
    }

    /// The lists read so far, taken out of the retriever (to be freed elsewhere; see `Matcher`'s `Drop`).
    pub fn take_lists(&mut self) -> Box<dyn Send> {
        let lists: Vec<_> = self
            .fields
            .iter_mut()
            .map(|field| {
                std::mem::take(
                    field
                        .lists
                        .get_mut()
                        .unwrap_or_else(PoisonError::into_inner),
                )
            })
            .collect();
        Box::new(lists)
    }

    /// The document's address in the index from its number across segments.
    fn address(&self, doc: u32) -> DocAddress {
        let segment = self.bases.partition_point(|&base| base <= doc) - 1;
        DocAddress::new(segment as u32, doc - self.bases[segment])
    }

    /// The term's list in the field: read from the index the first time a question needs it.
    fn list(&self, field: &FieldLists, term: &str) -> Result<Arc<ScoreList>> {
        // A thread that panicked holding the lock cannot have left a list half-made (lists go in whole), so a
        // poisoned lock is used as it is.
        if let Some(list) = field
            .lists
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(term)
        {
            return Ok(list.clone());
        }
        // Two threads may read the same list at once; both get the same values, and the first one is kept.
        let list = self.read_list(field, term)?;
        let mut lists = field.lists.write().unwrap_or_else(PoisonError::into_inner);
        Ok(lists.entry(term.to_string()).or_insert(list).clone())
    }

    fn read_list(&self, field: &FieldLists, text: &str) -> Result<Arc<ScoreList>> {
        let term = Term::from_field_text(field.field, text);
        let statistics = PartStatistics {
            searcher: &self.searcher,
            documents: self.part_documents,
        };
        let weight = Bm25Weight::for_terms(&statistics, std::slice::from_ref(&term))
            .context("reading term statistics from the library index")?
            .boost_by(field.boost);
        let mut list = Vec::new();
        for (segment, base) in self.searcher.segment_readers().iter().zip(&self.bases) {
            let postings = segment
                .inverted_index(field.field)
                .and_then(|inverted| {
                    Ok(inverted.read_postings(&term, IndexRecordOption::WithFreqs)?)
                })
                .context("reading postings from the library index")?;
            let Some(mut postings) = postings else {
                continue;
            };
            let norms = segment
                .get_fieldnorms_reader(field.field)
                .context("reading field norms from the library index")?;
            let alive = segment.alive_bitset();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    let score = weight.score(norms.fieldnorm_id(doc), postings.term_freq());
                    list.push((base + doc, score));
                }
                doc = postings.advance();
            }
        }
        Ok(Arc::new(ScoreList::of(list, self.documents)))
    }
}

impl ScoreList {
    /// The list of a term's shares, `(document, share)` by document number, over `documents` documents: dense
    /// when the term is in at least [`DENSE_SHARE`] of them, else packed where it can be.
    fn of(impacts: Vec<Impact>, documents: usize) -> ScoreList {
        let max = impacts.iter().map(|&(_, score)| score).fold(0.0, f32::max);
        let len = impacts.len();
        let shares = if len * DENSE_SHARE >= documents && len > 0 {
            let mut shares = vec![0.0f32; documents];
            for (doc, score) in impacts {
                shares[doc as usize] = score;
            }
            Shares::Dense(shares.into())
        } else if let Some(packed) = Packed::of(&impacts) {
            Shares::Packed(packed)
        } else {
            Shares::Sparse(impacts.into())
        };
        ScoreList { shares, max, len }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::index::LibraryIndex;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};

    /// How many times `top` left the small lists to a lookup, adding up in per-document slots and in a plain array
    /// (the test checks that its libraries exercise both).
    pub static PRUNED: [std::sync::atomic::AtomicUsize; 2] =
        [const { std::sync::atomic::AtomicUsize::new(0) }; 2];
    thread_local! {
        /// How many times `top` added up in per-document slots and in a plain array, on this thread (the test checks
        /// that its queries take both ways).
        pub static WAYS: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
    }

    fn write(dir: &std::path::Path, id: &str, question: &str, body: &str) {
        let text = format!("+++\nquestion = {question:?}\ntags = [\"security\"]\n+++\n{body}\n");
        std::fs::write(dir.join(format!("{id}.md")), text).unwrap();
    }

    /// A list is packed when its shares are few, kept as pairs when they are too many to number or a document's
    /// number too large, and dense past half the documents; each way, every document gets the same share and the
    /// same sums, in per-document slots and in a plain array.
    #[test]
    fn lists_keep_their_shares_however_they_are_kept() {
        let documents = 5000;
        let every_other: Vec<u32> = (0..2000).map(|d| d * 2).collect();
        let cases: Vec<(&str, Vec<Impact>)> = vec![
            (
                "packed",
                every_other
                    .iter()
                    .map(|&d| (d, 1.5 + (d % 7) as f32))
                    .collect(),
            ),
            (
                "packed",
                every_other
                    .iter()
                    .map(|&d| (d, 0.25 + (d / 2 % 256) as f32))
                    .collect(),
            ),
            (
                "pairs",
                every_other
                    .iter()
                    .map(|&d| (d, 0.25 + (d / 2 % 257) as f32))
                    .collect(),
            ),
            ("pairs", vec![(3, 1.0), (1 << 24, 2.0)]),
            (
                "dense",
                (0..2500).map(|d| (d * 2, 0.5 + (d % 300) as f32)).collect(),
            ),
        ];
        for (way, impacts) in cases {
            let list = ScoreList::of(impacts.clone(), (1 << 24) + 1);
            let list = if way == "dense" {
                ScoreList::of(impacts.clone(), documents)
            } else {
                list
            };
            let kept = match list.shares {
                Shares::Packed(_) => "packed",
                Shares::Sparse(_) => "pairs",
                Shares::Dense(_) => "dense",
            };
            assert_eq!(kept, way, "{impacts:.3?}");
            assert_eq!(list.len, impacts.len());
            assert_eq!(
                list.max,
                impacts.iter().map(|&(_, s)| s).fold(0.0, f32::max)
            );
            let documents = (impacts.last().unwrap().0 as usize + 1).max(documents);
            for &(doc, share) in &impacts {
                assert_eq!(list.get(doc, documents), share, "{way}: doc {doc}");
                assert_eq!(list.get(doc + 1, documents), 0.0, "{way}: doc {}", doc + 1);
            }
            if documents > 100_000 {
                continue;
            }
            let base = ScoreList::of(vec![(1, 0.125), (2, 0.5)], documents);
            let (mut slots, mut dense) = (Scratch::default(), DenseSums::default());
            slots.start(documents);
            dense.start(documents);
            slots.add(&base);
            slots.add(&list);
            dense.add(&base);
            dense.add(&list);
            let mut expected: Vec<(f32, u32)> = impacts.iter().map(|&(d, s)| (s, d)).collect();
            for (doc, share) in [(1, 0.125f32), (2, 0.5)] {
                match expected.iter_mut().find(|(_, d)| *d == doc) {
                    Some((sum, _)) => *sum += share,
                    None => expected.push((share, doc)),
                }
            }
            expected.sort_by_key(|&(_, d)| d);
            let mut from_slots: Vec<(f32, u32)> = slots.sums().collect();
            from_slots.sort_by_key(|&(_, d)| d);
            let from_dense: Vec<(f32, u32)> = dense.sums().collect();
            assert_eq!(from_slots, expected, "{way}: slots");
            assert_eq!(from_dense, expected, "{way}: plain array");
        }
    }

    /// The widening search finds what a binary search finds, however unevenly the list is spread.
    #[test]
    fn a_share_is_found_wherever_it_sits() {
        let lists: Vec<Vec<u32>> = vec![
            vec![],
            vec![7],
            (0..1000).collect(),
            (0..1000)
                .map(|d| d * d % 4001)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect(),
            (0..50).chain(3900..4000).collect(),
        ];
        for docs in lists {
            let list = ScoreList {
                shares: Shares::Sparse(docs.iter().map(|&d| (d, d as f32 + 0.5)).collect()),
                max: 0.0,
                len: docs.len(),
            };
            let mut shares = vec![0.0f32; 4010];
            for &d in &docs {
                shares[d as usize] = d as f32 + 0.5;
            }
            let dense = ScoreList {
                shares: Shares::Dense(shares.into()),
                max: 0.0,
                len: docs.len(),
            };
            for documents in [1, 1000, 4001, 100_000] {
                for doc in 0..4010 {
                    let expected = if docs.binary_search(&doc).is_ok() {
                        doc as f32 + 0.5
                    } else {
                        0.0
                    };
                    assert_eq!(
                        list.get(doc, documents),
                        expected,
                        "doc {doc} of {documents}"
                    );
                    assert_eq!(dense.get(doc, documents), expected, "dense: doc {doc}");
                }
            }
        }
    }

    /// Entries with the same score are picked in the same order however the index was built: an entry written
    /// again becomes a new document at the end of the index, and the pick stays the same.
    #[test]
    fn ties_do_not_depend_on_how_the_index_was_built() {
        let dir = tempfile::tempdir().unwrap();
        let question = "Do you encrypt backups?";
        for i in 0..12 {
            write(dir.path(), &format!("same-{i:02}"), question, "Yes.");
        }
        let picked = || -> Vec<String> {
            let index = LibraryIndex::open(dir.path()).unwrap();
            let searcher = index.searcher();
            let documents = searcher
                .segment_readers()
                .iter()
                .map(|s| u64::from(s.max_doc()))
                .sum();
            let ties: Arc<[u64]> = index.tie_breaks(&searcher).unwrap().into();
            let wording = index.fields().answers.wording;
            let retriever = Retriever::new(&searcher, &[(wording, 1.0)], documents, ties);
            let terms = index.analyzer().analyze(question).terms;
            let top = retriever.top(&terms, 4).unwrap();
            assert!(top.windows(2).all(|p| p[0].0 == p[1].0), "{top:?}");
            top.into_iter()
                .map(|(_, address)| index.stored(&searcher, address).unwrap().entry.id)
                .collect()
        };
        let first = picked();
        // Half of them written again, with another body (the wordings, and so the scores, are the same): they
        // become new documents, after the others.
        for i in 0..6 {
            write(
                dir.path(),
                &format!("same-{i:02}"),
                question,
                "Yes, always.",
            );
        }
        assert_eq!(picked(), first);
        let mut by_tie = first.clone();
        by_tie.sort_by_key(|id| crate::library::index::tie_break(id));
        assert_eq!(by_tie, first, "ties go to the lower tie break");
    }

    fn addresses(top: &[(f32, DocAddress)]) -> Vec<DocAddress> {
        top.iter().map(|&(_, address)| address).collect()
    }

    /// The same scores, position by position (to float rounding), and the same documents, except in how Tantivy
    /// orders documents whose sums differ only in the last bit (it adds terms in an order that varies by
    /// document): within a run of equal scores our order is by tie break, and a run cut off at `k` may hold other
    /// documents of that score.
    fn assert_same_ranking(
        ours: &[(f32, DocAddress)],
        theirs: &[(f32, DocAddress)],
        k: usize,
        tie: impl Fn(DocAddress) -> u64,
        what: &str,
    ) {
        let near = |a: f32, b: f32| (a - b).abs() <= 1e-5 * b.abs().max(1.0);
        assert_eq!(ours.len(), theirs.len(), "{what}");
        for (&(s1, _), &(s2, _)) in ours.iter().zip(theirs) {
            assert!(near(s1, s2), "{what}: {s1} / {s2}\n{ours:?}\n{theirs:?}");
        }
        let mut start = 0;
        while start < ours.len() {
            let end = (start..ours.len())
                .find(|&i| !near(ours[i].0, ours[start].0))
                .unwrap_or(ours.len());
            for pair in ours[start..end].windows(2) {
                let ((s1, a1), (s2, a2)) = (pair[0], pair[1]);
                assert!(
                    s1 > s2 || (s1 == s2 && tie(a1) <= tie(a2)),
                    "{what}: ties in tie-break order"
                );
            }
            let mut a = addresses(&ours[start..end]);
            let cut = end == ours.len() && ours.len() == k;
            if !cut {
                let mut b = addresses(&theirs[start..end]);
                a.sort();
                b.sort();
                assert_eq!(a, b, "{what}: positions {start}..{end}");
            }
            start = end;
        }
    }

    /// What `Retriever::top` replaced: a flat OR of boosted term queries, top `k` by Tantivy's `TopDocs`.
    fn tantivy_top(
        searcher: &Searcher,
        fields: &[(Field, f32)],
        terms: &[&str],
        k: usize,
    ) -> Vec<(f32, DocAddress)> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .flat_map(|t| {
                fields.iter().map(move |&(field, boost)| {
                    let query = TermQuery::new(
                        Term::from_field_text(field, t),
                        IndexRecordOption::WithFreqs,
                    );
                    let query: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), boost));
                    (Occur::Should, query)
                })
            })
            .collect();
        searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(k).order_by_score(),
            )
            .unwrap()
    }

    /// The same documents in the same order with the same scores (to float rounding) as Tantivy's own query, over
    /// several segments, after an edit and a removal left deleted documents behind, with ties and repeated terms.
    #[test]
    fn the_top_documents_are_tantivys() {
        let dir = tempfile::tempdir().unwrap();
        let topics = [
            "encryption",
            "backups",
            "access reviews",
            "logging",
            "vendors",
        ];
        for n in 0..300 {
            let topic = topics[n % topics.len()];
            write(
                dir.path(),
                &format!("e{n}"),
                &format!("Do you review {topic} for system {}?", n % 7),
                &format!(
                    "Yes. We review {topic} every quarter; owner team {}.",
                    n % 3
                ),
            );
        }
        drop(LibraryIndex::open(dir.path()).unwrap());
        write(
            dir.path(),
            "e3",
            "Do you encrypt backups at rest?",
            "Yes, AES-256.",
        );
        std::fs::remove_file(dir.path().join("e8.md")).unwrap();
        write(
            dir.path(),
            "new",
            "Are encryption keys rotated?",
            "Yes, yearly.",
        );
        let index = LibraryIndex::open(dir.path()).unwrap();
        let searcher = index.searcher();
        assert!(searcher.segment_readers().len() >= 2);
        assert!(searcher.segment_readers().iter().any(|s| s.has_deletes()));
        let f = index.fields().answers;
        let field_sets = [
            vec![(f.wording, 3.0), (f.tags, 1.5), (f.body, 2.0)],
            vec![(f.plain, 1.0)],
        ];
        let documents: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .sum();
        let queries: [&[&str]; 8] = [
            &["review", "encrypt", "system", "3"],
            &["backup", "backup", "rest"],
            &["secur"],
            &["absent", "nothing"],
            &["quarter", "owner", "team", "1", "log", "vendor"],
            &["do", "you", "review", "for", "system", "key"],
            &[
                "yes", "we", "review", "everi", "quarter", "encrypt", "rotat",
            ],
            &["review", "secur", "team", "6"],
        ];
        for fields in &field_sets {
            let ties: Arc<[u64]> = index.tie_breaks(&searcher).unwrap().into();
            let retriever = Retriever::new(&searcher, fields, documents, ties.clone());
            let mut full = Retriever::new(&searcher, fields, documents, ties.clone());
            full.prune = false;
            for terms in queries {
                for k in [1, 5, 50] {
                    let owned: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
                    let ours = retriever.top(&owned, k).unwrap();
                    // Leaving small lists to a lookup changes nothing, not even a sum's last bit.
                    let everything = full.top(&owned, k).unwrap();
                    assert_eq!(ours, everything, "{terms:?} k={k}");
                    let mut distinct = terms.to_vec();
                    distinct.dedup();
                    let theirs = tantivy_top(&searcher, fields, &distinct, k);
                    let tie = |a: DocAddress| {
                        let base: u32 = searcher.segment_readers()[..a.segment_ord as usize]
                            .iter()
                            .map(|s| s.max_doc())
                            .sum();
                        ties[(base + a.doc_id) as usize]
                    };
                    assert_same_ranking(&ours, &theirs, k, tie, &format!("{terms:?} k={k}"));
                }
            }
        }
        let pruned = PRUNED
            .each_ref()
            .map(|p| p.load(std::sync::atomic::Ordering::Relaxed));
        assert!(
            pruned[0] > 0 && pruned[1] > 0,
            "pruned both ways: {pruned:?}"
        );
        let (sparse, dense) = WAYS.with(std::cell::Cell::get);
        assert!(
            sparse > 0 && dense > 0,
            "both ways of adding up: {sparse} / {dense}"
        );
        assert!(
            dense > 0 && dense < 2 * 2 * 8 * 3,
            "both ways of adding up: {dense}"
        );
    }
}
