//! Library validation: everything `answerbank check` reports, one [`Finding`] per problem with file and line.
//!
//! In: a loaded [`Library`] (its parse problems are findings already) and today's date. Out: findings sorted by
//! file. Near-duplicates are looked for only between entries that share a tag (or have none): the same wording
//! under different topics ("Are the policies reviewed annually?" in every CAIQ domain) is context-dependent, not a
//! duplicate; matching tells those apart by context (see #4).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::entry::{key_line, split_front_matter};
use super::{Entry, Library, Status, Verdict};
use crate::analysis::Analyzer;
use crate::date::Date;

/// Weighted term overlap at or above which two questions are reported as near-duplicates. Chosen on the example
/// and CAIQ libraries: reworded copies of one question score 0.8-1.0, distinct questions on one topic rarely
/// pass 0.7.
const NEAR_DUPLICATE: f64 = 0.8;
/// Terms in more than this share of entries are too common to find candidate pairs by (they are still weighed).
const COMMON_TERM_SHARE: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The file is not valid front matter + body.
    Parse,
    UnknownKey,
    MissingField,
    BadId,
    Unreadable,
    /// An answer file over `library::MAX_ENTRY_BYTES` (see #29): skipped.
    TooLarge,
    /// A symbolic link out of the library folder (see #29): not followed.
    Link,
    /// The index cache is damaged (see #29): `search` and `draft` rebuild it from the files.
    Cache,
    DuplicateId,
    /// `library.toml` does not parse.
    Settings,
    Stale,
    Proposed,
    /// A starter template whose `{{ ... }}` placeholders are not filled in (see #19): never drafted.
    Template,
    /// An alternate that asks the opposite of its entry's question (see #14).
    Contradiction,
    /// A short answer the answer's own opening disagrees with: `No` over "Not applicable -- ...", `Yes` over
    /// "No, we do not ..." (see #14, #25).
    ShortAnswer,
    NearDuplicate,
    /// `derived_from` names an entry that does not exist.
    BrokenReference,
    Empty,
    /// A review accepted the entry for a customer wording that a person has not yet approved into `alternates`
    /// (see #14: a medium or low draft accepted in review never becomes high on its own).
    PendingWording,
    /// A review rejected the entry for a wording since the entry was last reviewed.
    RejectedWording,
    /// A reviewer sent a question the entry was drafted for to a subject-matter expert since it was last reviewed.
    NeedsSme,
    /// An imported answer that contradicts the entry it derives from (its `source` says so, see #17).
    Conflict,
    /// A company document configured in `library.toml` that cannot be read (see #24): skipped.
    Document,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Parse => "parse",
            FindingKind::UnknownKey => "unknown-key",
            FindingKind::MissingField => "missing-field",
            FindingKind::BadId => "bad-id",
            FindingKind::Unreadable => "unreadable",
            FindingKind::TooLarge => "too-large",
            FindingKind::Link => "link",
            FindingKind::Cache => "cache",
            FindingKind::DuplicateId => "duplicate-id",
            FindingKind::Settings => "settings",
            FindingKind::Stale => "stale",
            FindingKind::Proposed => "proposed",
            FindingKind::Template => "template",
            FindingKind::Contradiction => "contradiction",
            FindingKind::ShortAnswer => "short-answer",
            FindingKind::NearDuplicate => "near-duplicate",
            FindingKind::BrokenReference => "broken-reference",
            FindingKind::Empty => "empty",
            FindingKind::PendingWording => "pending-wording",
            FindingKind::RejectedWording => "rejected-wording",
            FindingKind::NeedsSme => "needs-sme",
            FindingKind::Conflict => "conflict",
            FindingKind::Document => "document",
        }
    }
}

impl FindingKind {
    /// Every kind, in the order the summary lists them: what stops the library from loading first, then what a
    /// person must decide, then housekeeping.
    pub const ALL: [FindingKind; 23] = [
        FindingKind::Settings,
        FindingKind::Parse,
        FindingKind::UnknownKey,
        FindingKind::MissingField,
        FindingKind::BadId,
        FindingKind::Unreadable,
        FindingKind::TooLarge,
        FindingKind::Link,
        FindingKind::Cache,
        FindingKind::DuplicateId,
        FindingKind::BrokenReference,
        FindingKind::Empty,
        FindingKind::ShortAnswer,
        FindingKind::Contradiction,
        FindingKind::Conflict,
        FindingKind::NearDuplicate,
        FindingKind::Proposed,
        FindingKind::Template,
        FindingKind::PendingWording,
        FindingKind::RejectedWording,
        FindingKind::NeedsSme,
        FindingKind::Stale,
        FindingKind::Document,
    ];

    /// The kind whose [`FindingKind::as_str`] is `name` (what `check --kind` takes).
    pub fn from_name(name: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// `count` findings of this kind in words, for check's summary (see #25: "200 templates not filled in, 23
    /// short answers that disagree with their text").
    pub fn describe(self, count: usize) -> String {
        let (one, many) = match self {
            FindingKind::Parse => ("file that does not parse", "files that do not parse"),
            FindingKind::UnknownKey => ("unknown key", "unknown keys"),
            FindingKind::MissingField => ("missing field", "missing fields"),
            FindingKind::BadId => (
                "file name that is no valid id",
                "file names that are no valid ids",
            ),
            FindingKind::Unreadable => ("unreadable file", "unreadable files"),
            FindingKind::TooLarge => ("file too large to read", "files too large to read"),
            FindingKind::Link => ("link out of the library", "links out of the library"),
            FindingKind::Cache => ("damaged index cache", "damaged index caches"),
            FindingKind::DuplicateId => ("duplicate id", "duplicate ids"),
            FindingKind::Settings => ("problem in library.toml", "problems in library.toml"),
            FindingKind::Stale => ("entry due for review", "entries due for review"),
            FindingKind::Proposed => (
                "proposed entry waiting for approval",
                "proposed entries waiting for approval",
            ),
            FindingKind::Template => ("template not filled in", "templates not filled in"),
            FindingKind::Contradiction => (
                "alternate that asks the opposite of its question",
                "alternates that ask the opposite of their question",
            ),
            FindingKind::ShortAnswer => (
                "short answer that disagrees with its text",
                "short answers that disagree with their text",
            ),
            FindingKind::NearDuplicate => ("near-duplicate question", "near-duplicate questions"),
            FindingKind::BrokenReference => (
                "derived_from naming no entry",
                "derived_from keys naming no entry",
            ),
            FindingKind::Empty => ("empty library", "empty libraries"),
            FindingKind::PendingWording => (
                "accepted wording waiting for approval",
                "accepted wordings waiting for approval",
            ),
            FindingKind::RejectedWording => {
                ("wording a review rejected", "wordings a review rejected")
            }
            FindingKind::NeedsSme => (
                "question sent to a subject-matter expert",
                "questions sent to a subject-matter expert",
            ),
            FindingKind::Conflict => ("import conflict", "import conflicts"),
            FindingKind::Document => (
                "document that cannot be read",
                "documents that cannot be read",
            ),
        };
        format!("{count} {}", if count == 1 { one } else { many })
    }
}

/// How many findings of each kind, in [`FindingKind::ALL`]'s order; kinds with none are left out.
pub fn count_by_kind(findings: &[Finding]) -> Vec<(FindingKind, usize)> {
    FindingKind::ALL
        .into_iter()
        .map(|kind| (kind, findings.iter().filter(|f| f.kind == kind).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Path relative to the library root.
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    pub message: String,
}

impl Finding {
    pub fn new(
        kind: FindingKind,
        file: &str,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            kind,
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}:{}: {}: {}",
                self.file,
                line,
                self.kind.as_str(),
                self.message
            ),
            None => write!(f, "{}: {}: {}", self.file, self.kind.as_str(), self.message),
        }
    }
}

/// Checks a loaded library (its `problems` include a `library.toml` error, if it had one).
pub fn check_library(library: &Library, today: Date) -> Vec<Finding> {
    let mut findings = library.problems.clone();
    if library.entries.is_empty() && library.problems.is_empty() {
        findings.push(Finding::new(
            FindingKind::Empty,
            ".",
            None,
            "the library has no answer files (*.md); write some, or start from a past questionnaire with `answerbank import`",
        ));
    }
    let ids: HashSet<&str> = library.entries.iter().map(|e| e.id.as_str()).collect();
    let default_days = library.settings.review_every_days;
    let analyzer = library.settings.analyzer();
    for entry in &library.entries {
        let line_of_key = |key: &str| locate_key(&library.root, entry, key);
        if entry.status != Status::Retired && entry.is_stale(default_days, today) {
            let due = entry
                .review_due(default_days)
                .expect("stale entries have a due date");
            findings.push(Finding::new(
                FindingKind::Stale,
                &entry.path,
                line_of_key("reviewed"),
                format!(
                    "last reviewed {}, review was due {due}",
                    entry.reviewed.expect("stale entries were reviewed")
                ),
            ));
        }
        if let Some(mark) = entry.placeholder() {
            findings.push(Finding::new(
                FindingKind::Template,
                &entry.path,
                line_of_key("question"),
                format!(
                    "template not filled in ({mark}): replace every {{{{ ... }}}}, set short_answer, then \
                     `answerbank approve`; until then it is never drafted"
                ),
            ));
        } else if entry.status == Status::Proposed {
            findings.push(Finding::new(
                FindingKind::Proposed,
                &entry.path,
                line_of_key("status"),
                "proposed entry waiting for review: edit it if needed, then `answerbank approve` it",
            ));
        }
        findings.extend(learned_findings(entry, line_of_key("learned")));
        for (key, message) in contradictions(entry, &analyzer) {
            findings.push(Finding::new(
                FindingKind::Contradiction,
                &entry.path,
                line_of_key(key),
                message,
            ));
        }
        if let Some(message) = short_answer_disagreement(entry) {
            findings.push(Finding::new(
                FindingKind::ShortAnswer,
                &entry.path,
                line_of_key("short_answer"),
                message,
            ));
        }
        if let Some(parent) = &entry.derived_from
            && entry.status != Status::Retired
            && ids.contains(parent.as_str())
            && entry
                .source
                .as_deref()
                .is_some_and(|s| s.contains(super::entry::CONFLICT_NOTE))
        {
            findings.push(Finding::new(
                FindingKind::Conflict,
                &entry.path,
                line_of_key("source"),
                format!(
                    "answers the question of `{parent}` differently: keep the right answer and retire the other \
                     (or reword the question if they ask different things)"
                ),
            ));
        }
        if let Some(parent) = &entry.derived_from
            && !ids.contains(parent.as_str())
        {
            findings.push(Finding::new(
                FindingKind::BrokenReference,
                &entry.path,
                line_of_key("derived_from"),
                format!("derived_from names `{parent}`, which is not in the library"),
            ));
        }
    }
    findings.extend(near_duplicates(&library.entries, &analyzer));
    findings.sort_by(|a, b| (&a.file, a.line, a.kind).cmp(&(&b.file, b.line, b.kind)));
    findings
}

/// Where an entry contradicts itself, as (the key to point at, what is wrong): an alternate that is its question
/// with a negation added or removed ("Do you sign our DPA?" / "Do you not sign our DPA?", "... with MFA" /
/// "... without MFA") asks the opposite, so it cannot share the answer. Alternates that differ in more than
/// a negation are not judged here: "without" can be a qualifier as well as a negation.
fn contradictions(
    entry: &Entry,
    analyzer: &crate::analysis::Analyzer,
) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let question = analyzer.analyze(&entry.question);
    let notions = |a: &crate::analysis::Analyzed| -> HashSet<String> {
        a.notions
            .iter()
            .filter(|n| !crate::analysis::is_negation(n))
            .cloned()
            .collect()
    };
    for alternate in &entry.alternates {
        let alternate_analyzed = analyzer.analyze(alternate);
        if alternate_analyzed.negations % 2 != question.negations % 2
            && notions(&alternate_analyzed) == notions(&question)
        {
            found.push((
                "alternates",
                format!(
                    "the alternate \"{}\" asks the opposite of the question (a negation is its only \
                     difference), so the answer cannot be the same; remove it or give it an entry of its own",
                    crate::text::snippet(alternate, 100)
                ),
            ));
        }
    }
    found
}

/// Why an entry's short answer disagrees with its answer's opening, if it does: `Yes` over "No. We do not ...",
/// `No` over "Not applicable -- we hold no such data" (see #25: 23 entries of a CAIQ import said so), `N/A` over
/// "Yes, ...". Both are read by the project's one short-answer reader ([`split_answer`]); a body that adds nothing
/// to its short answer ("N/A" beside a Yes, read as "nothing to add", see [`adds_nothing`]) is no disagreement,
/// and neither is a sentence that merely starts with the word ("No production data is copied ..."): a bare Yes or
/// No counts only when punctuation or the end follows it.
///
/// [`split_answer`]: crate::short_answer::split_answer
/// [`adds_nothing`]: crate::short_answer::adds_nothing
fn short_answer_disagreement(entry: &Entry) -> Option<String> {
    use crate::short_answer::{ShortAnswer, adds_nothing, split_answer};
    let written = entry.short_answer.as_deref()?;
    let short = ShortAnswer::parse(written)?;
    let body = entry.body.trim();
    let (Some(leading), _) = split_answer(body) else {
        return None;
    };
    if leading == short || adds_nothing(Some(written), body) {
        return None;
    }
    if leading != ShortAnswer::NotApplicable {
        let word: String = body.chars().take_while(|c| c.is_alphabetic()).collect();
        let punctuated = body[word.len()..]
            .chars()
            .next()
            .is_none_or(|c| ".,;:!-\u{2013}\u{2014}".contains(c));
        if !punctuated {
            return None;
        }
    }
    Some(format!(
        "short_answer is {} but the answer says {}: \"{}\"; make them agree",
        short.as_str(),
        leading.as_str(),
        crate::text::snippet(body, 60)
    ))
}

/// What reviews taught about an entry since it was last reviewed (`Entry::learned_since_review`), as findings a
/// person should look at: wordings to approve, rejections to consider. Setting `reviewed` to a later date clears
/// them; an accepted wording already in `alternates` is approved and not listed.
fn learned_findings(entry: &Entry, line: Option<usize>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for learned in entry.learned_since_review() {
        let wording = crate::text::snippet(&learned.wording, 120);
        let when = learned.date.map_or(String::new(), |d| format!(" on {d}"));
        let from = learned
            .source
            .as_deref()
            .map_or(String::new(), |s| format!(" ({s})"));
        let (kind, message) = match learned.decision {
            Verdict::Accepted
                if entry.alternates.contains(&learned.wording)
                    || entry.question == learned.wording =>
            {
                continue;
            }
            Verdict::Accepted => (
                FindingKind::PendingWording,
                format!(
                    "a review{when} accepted this entry for \"{wording}\"{from}; if that asks the same question, \
                     add it to `alternates` (then it is exact re-use, drafted at high); until then it only helps \
                     find this entry"
                ),
            ),
            Verdict::Rejected => (
                FindingKind::RejectedWording,
                format!(
                    "a review{when} rejected this entry for \"{wording}\"{from}; it is no longer drafted at high \
                     or medium for that wording: check whether the answer needs work, then set `reviewed`"
                ),
            ),
            Verdict::NeedsSme => (
                FindingKind::NeedsSme,
                format!(
                    "a reviewer{when} sent \"{wording}\"{from} to a subject-matter expert instead of using this \
                     entry; it is treated as rejected for that wording until a person decides"
                ),
            ),
        };
        findings.push(Finding::new(kind, &entry.path, line, message));
    }
    findings
}

fn locate_key(root: &Path, entry: &Entry, key: &str) -> Option<usize> {
    let bytes =
        crate::fsutil::read_regular(&root.join(&entry.path), super::MAX_ENTRY_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let split = split_front_matter(&text).ok()?;
    key_line(&text, &split, key)
}

/// Pairs of entries (sharing a tag, or untagged) whose wordings are near-duplicates.
pub fn near_duplicates(entries: &[Entry], analyzer: &Analyzer) -> Vec<Finding> {
    let active: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.status != Status::Retired)
        .collect();
    let wordings: Vec<Vec<HashSet<String>>> = active
        .iter()
        .map(|e| {
            e.wordings()
                .map(|w| analyzer.analyze(w).key_terms.into_iter().collect())
                .collect()
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for terms in &wordings {
        let distinct: HashSet<&str> = terms.iter().flatten().map(String::as_str).collect();
        for term in distinct {
            *df.entry(term).or_default() += 1;
        }
    }
    let n = active.len() as f64;
    let idf = |term: &str| (1.0 + n / (1.0 + *df.get(term).unwrap_or(&0) as f64)).ln();
    let common = (n * COMMON_TERM_SHARE).max(20.0) as usize;
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, terms) in wordings.iter().enumerate() {
        let distinct: HashSet<&str> = terms.iter().flatten().map(String::as_str).collect();
        for term in distinct {
            if df[term] <= common {
                postings.entry(term).or_default().push(i);
            }
        }
    }
    let mut findings = Vec::new();
    for i in 0..active.len() {
        let mut candidates: HashSet<usize> = HashSet::new();
        for term in wordings[i].iter().flatten() {
            if let Some(list) = postings.get(term.as_str()) {
                candidates.extend(list.iter().copied().filter(|&j| j > i));
            }
        }
        let mut candidates: Vec<usize> = candidates.into_iter().collect();
        candidates.sort_unstable();
        for j in candidates {
            if !share_context(active[i], active[j]) {
                continue;
            }
            let best = wordings[i]
                .iter()
                .flat_map(|a| {
                    wordings[j]
                        .iter()
                        .map(move |b| weighted_jaccard(a, b, &idf))
                })
                .fold(0.0, f64::max);
            if best >= NEAR_DUPLICATE {
                findings.push(Finding::new(
                    FindingKind::NearDuplicate,
                    &active[j].path,
                    None,
                    format!(
                        "asks nearly the same question as {} (`{}`, similarity {best:.2}): merge them into one entry, \
                         or make the questions distinct",
                        active[i].path, active[i].id
                    ),
                ));
            }
        }
    }
    findings
}

fn share_context(a: &Entry, b: &Entry) -> bool {
    a.tags.is_empty() || b.tags.is_empty() || a.tags.iter().any(|t| b.tags.contains(t))
}

fn weighted_jaccard(a: &HashSet<String>, b: &HashSet<String>, idf: &impl Fn(&str) -> f64) -> f64 {
    let both: f64 = a.intersection(b).map(|t| idf(t)).sum();
    let either: f64 = a.union(b).map(|t| idf(t)).sum();
    if either == 0.0 { 0.0 } else { both / either }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::entry::parse_entry;

    #[test]
    fn an_entry_that_contradicts_itself_is_found() {
        // See #14: the example library's DPA entry had an alternate its body contradicts.
        let analyzer = crate::analysis::synonyms::analyzer(true, &[], &[]);
        let text = "+++\nquestion = \"Will you sign our data processing agreement?\"\nalternates = [\n\
                    \"Will you not sign our data processing agreement?\",\n\
                    \"Will you sign a data processing agreement without changes?\",\n\
                    \"Can we sign your DPA?\",\n]\nshort_answer = \"Yes\"\n+++\nNo. We sign our own DPA only.\n";
        let entry = parse_entry("dpa", "dpa.md", text).unwrap();
        let found = contradictions(&entry, &analyzer);
        let keys: Vec<&str> = found.iter().map(|(key, _)| *key).collect();
        // The negated twin; "without changes" is a qualifier, not the opposite question.
        assert_eq!(keys, ["alternates"], "{found:?}");
        assert!(found[0].1.contains("Will you not sign"), "{found:?}");
        // The short answer is a finding of its own kind (see #25).
        assert_eq!(
            short_answer_disagreement(&entry).as_deref(),
            Some(
                "short_answer is Yes but the answer says No: \"No. We sign our own DPA only.\"; make them agree"
            )
        );
        let clean = "+++\nquestion = \"Do you encrypt data?\"\nalternates = [\"Is data encrypted?\"]\n\
                     short_answer = \"Yes\"\n+++\nYes. AES-256.\n";
        assert!(contradictions(&parse_entry("e", "e.md", clean).unwrap(), &analyzer).is_empty());
    }

    #[test]
    fn a_short_answer_that_disagrees_with_its_text_is_found() {
        // See #25: a CAIQ import's `No` over "Not applicable -- ...", and the other ways round.
        let disagrees = |short: &str, body: &str| {
            let text =
                format!("+++\nquestion = \"Do you?\"\nshort_answer = \"{short}\"\n+++\n{body}\n");
            short_answer_disagreement(&parse_entry("e", "e.md", &text).unwrap())
        };
        let found = disagrees(
            "No",
            "Not applicable -- WhitePact operates no data centres.",
        )
        .unwrap();
        assert!(
            found.starts_with("short_answer is No but the answer says N/A: \"Not applicable --"),
            "{found}"
        );
        assert!(disagrees("Yes", "No, we do not keep logs.").is_some());
        assert!(disagrees("Yes", "N/A - we hold no cardholder data.").is_some());
        assert!(disagrees("N/A", "Yes. Weekly.").is_some());
        assert!(
            disagrees("no", "Yes").is_some(),
            "any spelling of the short answer"
        );
        for (short, body) in [
            ("No", "No. We do not."),
            ("N/A", "Not applicable: no such data."),
            ("n/a", "N/A"),
            // Nothing to add, not a different answer.
            ("Yes", "N/A"),
            ("No", "Not applicable."),
            // A sentence that starts with the word, not an answer that opens with one.
            ("Yes", "No production data is copied to test systems."),
            ("Yes", "Nobody shares accounts."),
            ("Yes", "We do, weekly."),
            ("Partial", "No, not yet."),
        ] {
            assert_eq!(disagrees(short, body), None, "{short} / {body}");
        }
    }

    #[test]
    fn every_kind_has_a_name_and_a_summary() {
        let names: HashSet<&str> = FindingKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), FindingKind::ALL.len());
        for kind in FindingKind::ALL {
            assert_eq!(FindingKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(
            FindingKind::Template.describe(200),
            "200 templates not filled in"
        );
        assert_eq!(
            FindingKind::ShortAnswer.describe(1),
            "1 short answer that disagrees with its text"
        );
    }

    #[test]
    fn what_reviews_taught_since_the_last_review_is_listed() {
        let text = "+++\nquestion = \"Do you encrypt data?\"\nalternates = [\"Is data encrypted?\"]\n\
                    reviewed = 2026-06-01\nlearned = [\n\
                    { wording = \"Is data encrypted?\", decision = \"accepted\", date = 2026-07-01 },\n\
                    { wording = \"Do you encrypt backups?\", decision = \"accepted\", date = 2026-07-02, source = \"q.xlsx, sheet 'S', cell C4\" },\n\
                    { wording = \"Do you encrypt laptops?\", decision = \"rejected\", date = 2026-07-03 },\n\
                    { wording = \"Do you encrypt email?\", decision = \"needs-sme\", date = 2026-07-04 },\n\
                    { wording = \"Do you encrypt logs?\", decision = \"rejected\", date = 2026-05-01 },\n\
                    ]\n+++\nYes.\n";
        let entry = parse_entry("enc", "enc.md", text).unwrap();
        let findings = learned_findings(&entry, Some(5));
        let kinds: Vec<FindingKind> = findings.iter().map(|f| f.kind).collect();
        // The approved wording (in alternates) and the rejection before the last review are not listed.
        assert_eq!(
            kinds,
            [
                FindingKind::PendingWording,
                FindingKind::RejectedWording,
                FindingKind::NeedsSme
            ]
        );
        assert!(
            findings[0].message.contains(
                "a review on 2026-07-02 accepted this entry for \"Do you encrypt backups?\" (q.xlsx, sheet 'S', cell C4)"
            ),
            "{}",
            findings[0].message
        );
        assert!(
            findings
                .iter()
                .all(|f| f.line == Some(5) && f.file == "enc.md")
        );
    }
}
