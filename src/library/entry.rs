//! One vetted answer: the `<id>.md` file format (TOML front matter between `+++` lines, then the body).
//!
//! In: the text of one library file. Out: an [`Entry`], or a [`ParseError`] that carries the 1-based line of the
//! problem in the *file* (not in the front matter), so `check` can say `mfa.md line 4`.
//! Unknown front-matter keys are an error that names the key: a typo such as `short_anwser` must never silently
//! drop data (see #2).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// How an imported entry's `source` records that it answers an existing entry's question differently
/// ("...; answers differently from `sso`", with `derived_from = "sso"`): `check` lists such entries (see #17).
pub const CONFLICT_NOTE: &str = "answers differently from";

/// Lifecycle of an entry. Only `approved` entries can be drafted at high confidence; `retired` ones are kept in the
/// library for history but never matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Approved,
    Proposed,
    Retired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Proposed => "proposed",
            Status::Retired => "retired",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reviewer decided about this entry for one customer wording, written by `finish` into the entry file
/// (`learned = [{ wording = "...", decision = "rejected", date = 2026-12-03, source = "..." }]`) so a review
/// teaches visibly and `git diff` shows it (see #14: reviews teach safely).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learned {
    /// The customer's wording of the question, as the reviewer saw it.
    pub wording: String,
    pub decision: Verdict,
    /// When it was learned.
    #[serde(default)]
    pub date: Option<Date>,
    /// Where: questionnaire file, sheet and cell.
    #[serde(default)]
    pub source: Option<String>,
}

/// A reviewer's verdict on an entry for one wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The draft from this entry was accepted, but it was not a high-confidence match: the wording helps find
    /// this entry, and becomes an alternate (exact re-use, high) only once a person approves it.
    Accepted,
    /// The draft from this entry was rejected: this entry is never again the high or medium draft for this
    /// wording.
    Rejected,
    /// The reviewer sent the question to a subject-matter expert instead: treated like a rejection until a
    /// person decides.
    NeedsSme,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
            Verdict::NeedsSme => "needs-sme",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A vetted answer as the rest of the program sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// File stem, unique across the library.
    pub id: String,
    /// Path relative to the library root, with `/` separators.
    pub path: String,
    pub question: String,
    #[serde(default)]
    pub alternates: Vec<String>,
    #[serde(default)]
    pub short_answer: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub reviewed: Option<Date>,
    #[serde(default)]
    pub review_every_days: Option<u32>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub derived_from: Option<String>,
    /// Notes for whoever fills in or reviews this answer (what the customer is really asking, what evidence
    /// they expect). Shown to reviewers; never written into a customer's file.
    #[serde(default)]
    pub guidance: Option<String>,
    /// What reviews taught about this entry, oldest first.
    #[serde(default)]
    pub learned: Vec<Learned>,
    pub body: String,
}

impl Entry {
    /// Whether this entry gives the answer `short` + `body`: the same short answer (Yes/No/N-A spelled any way)
    /// and the same body, whitespace aside.
    pub fn gives_answer(&self, short: Option<&str>, body: &str) -> bool {
        crate::short_answer::same_optional_short_answer(self.short_answer.as_deref(), short)
            && crate::text::one_line(&self.body) == crate::text::one_line(body)
    }

    /// Every wording this entry answers: the question first, then the alternates.
    pub fn wordings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str()).chain(self.alternates.iter().map(String::as_str))
    }

    /// Every wording that should find this entry: [`Entry::wordings`], then the pending ones.
    pub fn search_wordings(&self) -> impl Iterator<Item = &str> {
        self.wordings().chain(self.pending_wordings())
    }

    /// Customer wordings accepted in a review but not yet confirmed by a person: they help find this entry, but
    /// are never exact re-use (high) until approved into `alternates`.
    pub fn pending_wordings(&self) -> impl Iterator<Item = &str> {
        self.learned
            .iter()
            .filter(|l| l.decision == Verdict::Accepted)
            .map(|l| l.wording.as_str())
            .filter(|w| !self.alternates.iter().any(|a| a == w) && *w != self.question)
    }

    /// Customer wordings for which a reviewer rejected this entry (or sent it to an expert).
    pub fn rejected_wordings(&self) -> impl Iterator<Item = &Learned> {
        self.learned
            .iter()
            .filter(|l| matches!(l.decision, Verdict::Rejected | Verdict::NeedsSme))
    }

    /// What was learned after the entry's last review (all of it when it was never reviewed): what `check`
    /// shows a person.
    pub fn learned_since_review(&self) -> impl Iterator<Item = &Learned> {
        self.learned
            .iter()
            .filter(|l| match (self.reviewed, l.date) {
                (Some(reviewed), Some(date)) => date > reviewed,
                _ => true,
            })
    }

    /// The questionnaire this entry was imported or learned from, as its `source` names it ("imported from
    /// q.xlsx, sheet ..." → `q.xlsx`): what `approve --source` selects by.
    pub fn source_file(&self) -> Option<&str> {
        let source = self.source.as_deref()?;
        let rest = source
            .strip_prefix("imported from ")
            .or_else(|| source.strip_prefix("learned from "))?;
        let name = rest.split(", sheet '").next()?.trim();
        (!name.is_empty()).then_some(name)
    }

    /// An unfilled template: its body still holds a `{{ ... }}` placeholder for the company's facts (see #19).
    /// Such an entry is never drafted into a customer's file, `check` lists it, and `approve` refuses it.
    pub fn is_unfilled_template(&self) -> bool {
        self.placeholder().is_some()
    }

    /// The first `{{ ... }}` placeholder of the body, braces included.
    pub fn placeholder(&self) -> Option<&str> {
        crate::text::placeholder(&self.body)
    }

    /// The date after which the entry is stale, given the library-wide default period.
    pub fn review_due(&self, default_days: u32) -> Option<Date> {
        let reviewed = self.reviewed?;
        Some(reviewed.add_days(i64::from(self.review_every_days.unwrap_or(default_days))))
    }

    /// True when the entry's review date has passed (an entry that was never reviewed is not called stale here;
    /// `check` reports it separately).
    pub fn is_stale(&self, default_days: u32, today: Date) -> bool {
        self.review_due(default_days).is_some_and(|due| due < today)
    }
}

/// The front matter exactly as written in the file. Kept separate from [`Entry`] so that the file format (and its
/// `deny_unknown_fields`) is defined in one place.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    question: String,
    #[serde(default)]
    alternates: Vec<String>,
    short_answer: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    owner: Option<String>,
    reviewed: Option<toml::value::Datetime>,
    review_every_days: Option<u32>,
    #[serde(default)]
    status: Status,
    source: Option<String>,
    derived_from: Option<String>,
    guidance: Option<String>,
    #[serde(default)]
    learned: Vec<LearnedFront>,
}

/// One `learned` record as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LearnedFront {
    wording: String,
    decision: Verdict,
    date: Option<toml::value::Datetime>,
    source: Option<String>,
}

/// Why a library file could not be read as an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line in the file.
    pub line: usize,
    pub message: String,
    /// What `check` reports it as (see #28: told by its kind, not by its wording).
    pub kind: ParseErrorKind,
}

/// The kinds of [`ParseError`] that `check` reports apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not an entry file's shape, or TOML that does not parse.
    #[default]
    Syntax,
    /// A front-matter key answerbank does not know (a typo such as `short_anwser`).
    UnknownKey,
    /// The question or the answer is missing or empty.
    MissingField,
}

impl ParseError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        ParseError::of_kind(ParseErrorKind::Syntax, line, message)
    }

    fn missing(line: usize, message: impl Into<String>) -> Self {
        ParseError::of_kind(ParseErrorKind::MissingField, line, message)
    }

    fn of_kind(kind: ParseErrorKind, line: usize, message: impl Into<String>) -> Self {
        ParseError {
            line,
            message: message.into(),
            kind,
        }
    }
}

/// The two halves of an entry file, with the positions later steps need.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The TOML text between the `+++` lines.
    pub front_matter: &'a str,
    /// Byte offset of `front_matter` in the file.
    pub front_matter_offset: usize,
    /// 1-based line of the first front-matter line.
    pub front_matter_line: usize,
    /// Everything after the closing `+++` line, untouched.
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Splits a file into front matter and body. The opening `+++` must be the first non-blank line.
pub fn split_front_matter(text: &str) -> Result<Split<'_>, ParseError> {
    let mut offset = 0;
    let mut line_no = 0;
    let mut open_line = None;
    for line in text.split_inclusive('\n') {
        line_no += 1;
        let trimmed = line.trim_start_matches('\u{feff}').trim();
        offset += line.len();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "+++" {
            open_line = Some(line_no);
            break;
        }
        return Err(ParseError::new(
            line_no,
            "the file must start with a `+++` line opening the TOML front matter",
        ));
    }
    let Some(open_line) = open_line else {
        return Err(ParseError::missing(
            1,
            "the file is empty: expected `+++` front matter and an answer",
        ));
    };
    let front_start = offset;
    for line in text[front_start..].split_inclusive('\n') {
        if line.trim() == "+++" {
            let body_offset = offset + line.len();
            return Ok(Split {
                front_matter: &text[front_start..offset],
                front_matter_offset: front_start,
                front_matter_line: open_line + 1,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(ParseError::new(
        open_line,
        "the front matter opened here is never closed by a `+++` line",
    ))
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parses one entry file. `id` and `path` come from where the file lives.
pub fn parse_entry(id: &str, path: &str, text: &str) -> Result<Entry, ParseError> {
    let split = split_front_matter(text)?;
    let front: FrontMatter = toml::from_str(split.front_matter).map_err(|err| {
        // toml reports spans inside the front matter; shift them to file lines.
        let line = err
            .span()
            .map(|span| line_of(text, split.front_matter_offset + span.start))
            .unwrap_or(split.front_matter_line);
        let (kind, message) = describe_toml_error(&err);
        ParseError::of_kind(kind, line, message)
    })?;
    let question = front.question.trim().to_string();
    if question.is_empty() {
        let line = key_line(text, &split, "question").unwrap_or(split.front_matter_line);
        return Err(ParseError::missing(line, "`question` is empty"));
    }
    let body = split.body.trim();
    if body.is_empty() {
        return Err(ParseError::missing(
            line_of(text, split.body_offset),
            "the answer body after the closing `+++` is empty",
        ));
    }
    let reviewed = match front.reviewed {
        None => None,
        Some(datetime) => Some(date_only(&datetime).ok_or_else(|| {
            ParseError::new(
                key_line(text, &split, "reviewed").unwrap_or(split.front_matter_line),
                format!("`reviewed` must be a plain date such as 2026-11-01, not `{datetime}`"),
            )
        })?),
    };
    let mut learned = Vec::with_capacity(front.learned.len());
    for record in front.learned {
        let date = match record.date {
            None => None,
            Some(datetime) => Some(date_only(&datetime).ok_or_else(|| {
                ParseError::new(
                    key_line(text, &split, "learned").unwrap_or(split.front_matter_line),
                    format!(
                        "a `learned` date must be a plain date such as 2026-11-01, not `{datetime}`"
                    ),
                )
            })?),
        };
        let wording = crate::text::one_line(&record.wording);
        if !wording.is_empty() {
            learned.push(Learned {
                wording,
                decision: record.decision,
                date,
                source: record.source,
            });
        }
    }
    let short_answer = front
        .short_answer
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Ok(Entry {
        id: id.to_string(),
        path: path.to_string(),
        question,
        alternates: front
            .alternates
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect(),
        short_answer,
        tags: front.tags,
        owner: front.owner,
        reviewed,
        review_every_days: front.review_every_days,
        status: front.status,
        source: front.source,
        derived_from: front.derived_from,
        guidance: front
            .guidance
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty()),
        learned,
        body: body.to_string(),
    })
}

/// Turns serde/toml wording into something a library editor understands.
fn describe_toml_error(err: &toml::de::Error) -> (ParseErrorKind, String) {
    let message = err.message().trim();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some(key) = rest.split('`').next()
    {
        return (
            ParseErrorKind::UnknownKey,
            format!(
                "unknown key `{key}` (allowed: question, alternates, short_answer, tags, owner, reviewed, \
                 review_every_days, status, source, derived_from, guidance, learned)"
            ),
        );
    }
    if message.starts_with("missing field `question`") {
        return (
            ParseErrorKind::MissingField,
            "missing required key `question`".to_string(),
        );
    }
    (ParseErrorKind::Syntax, message.to_string())
}

/// The 1-based file line where `key = ...` is written in the front matter, if it is.
pub fn key_line(text: &str, split: &Split<'_>, key: &str) -> Option<usize> {
    let mut offset = split.front_matter_offset;
    for line in split.front_matter.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(line_of(text, offset));
        }
        offset += line.len();
    }
    None
}

fn date_only(datetime: &toml::value::Datetime) -> Option<Date> {
    if datetime.time.is_some() || datetime.offset.is_some() {
        return None;
    }
    let date = datetime.date?;
    Date::new(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

/// Is `id` a valid entry id (lowercase letters, digits and `-`)?
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nquestion = \"Do you encrypt data at rest?\"\nalternates = [\"Is data encrypted at rest?\"]\nshort_answer = \"Yes\"\ntags = [\"encryption\"]\nowner = \"Security team\"\nreviewed = 2026-11-01\nstatus = \"approved\"\n+++\nYes. AES-256.\n";

    #[test]
    fn parses_a_complete_entry() {
        let entry = parse_entry("encryption-at-rest", "encryption-at-rest.md", GOOD).unwrap();
        assert_eq!(entry.question, "Do you encrypt data at rest?");
        assert_eq!(entry.alternates, vec!["Is data encrypted at rest?"]);
        assert_eq!(entry.short_answer.as_deref(), Some("Yes"));
        assert_eq!(entry.reviewed, Date::new(2026, 11, 1));
        assert_eq!(entry.status, Status::Approved);
        assert_eq!(entry.body, "Yes. AES-256.");
    }

    #[test]
    fn only_question_and_body_are_required() {
        let entry = parse_entry("x", "x.md", "+++\nquestion = \"Q?\"\n+++\nA.\n").unwrap();
        assert_eq!(entry.status, Status::Approved);
        assert!(
            entry.alternates.is_empty() && entry.short_answer.is_none() && entry.reviewed.is_none()
        );
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "+++\nquestion = \"Q?\"\nshort_anwser = \"Yes\"\n+++\nA.\n";
        let err = parse_entry("x", "x.md", text).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("unknown key `short_anwser`"), "{err}");
    }

    #[test]
    fn toml_syntax_error_points_at_the_file_line() {
        let text = "\n+++\nquestion = \"Q?\"\ntags = [\"a\",\n+++\nA.\n";
        let err = parse_entry("x", "x.md", text).unwrap_err();
        assert!(err.line >= 4, "{err}");
    }

    #[test]
    fn missing_question_empty_body_and_unclosed_front_matter() {
        let err = parse_entry("x", "x.md", "+++\nowner = \"me\"\n+++\nA.\n").unwrap_err();
        assert!(
            err.message.contains("missing required key `question`"),
            "{err}"
        );
        let err = parse_entry("x", "x.md", "+++\nquestion = \"Q?\"\n+++\n \n").unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("body"), "{err}");
        let err = parse_entry("x", "x.md", "+++\nquestion = \"Q?\"\nA.\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("never closed"), "{err}");
        let err = parse_entry("x", "x.md", "question = 1\n").unwrap_err();
        assert!(err.message.contains("must start with"), "{err}");
    }

    #[test]
    fn reviewed_must_be_a_date_and_status_must_be_known() {
        let err = parse_entry(
            "x",
            "x.md",
            "+++\nquestion = \"Q?\"\nreviewed = 2026-11-01T10:00:00Z\n+++\nA.\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        let err = parse_entry(
            "x",
            "x.md",
            "+++\nquestion = \"Q?\"\nstatus = \"draft\"\n+++\nA.\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 3, "{err}");
    }

    #[test]
    fn learned_records_and_guidance() {
        let text = "+++\nquestion = \"Do you sign our DPA?\"\nreviewed = 2026-06-01\nguidance = \"Ask legal first.\"\nlearned = [\n  { wording = \"Will you sign our own DPA?\", decision = \"rejected\", date = 2026-07-01, source = \"q.xlsx Legal!C4\" },\n  { wording = \"Can we use your DPA?\", decision = \"accepted\", date = 2026-05-01 },\n  { wording = \"Is our DPA ok?\", decision = \"needs-sme\" },\n]\n+++\nWe sign our own DPA.\n";
        let entry = parse_entry("dpa", "dpa.md", text).unwrap();
        assert_eq!(entry.guidance.as_deref(), Some("Ask legal first."));
        assert_eq!(entry.learned.len(), 3);
        assert_eq!(
            entry.pending_wordings().collect::<Vec<_>>(),
            vec!["Can we use your DPA?"]
        );
        assert_eq!(
            entry
                .rejected_wordings()
                .map(|l| l.wording.as_str())
                .collect::<Vec<_>>(),
            vec!["Will you sign our own DPA?", "Is our DPA ok?"]
        );
        // The accepted one (2026-05-01) predates the review of 2026-06-01; the undated one counts as new.
        assert_eq!(entry.learned_since_review().count(), 2);
        let err = parse_entry(
            "dpa",
            "dpa.md",
            "+++\nquestion = \"Q?\"\nlearned = [{ wording = \"x\", decision = \"maybe\" }]\n+++\nA.\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 3, "{err}");
    }

    #[test]
    fn sources_and_templates() {
        let text = "+++\nquestion = \"Q?\"\nsource = \"imported from past, 2022.xlsx, sheet 'S', cell C4\"\n+++\nWe keep logs for {{number}} days.\n";
        let entry = parse_entry("x", "x.md", text).unwrap();
        assert_eq!(entry.source_file(), Some("past, 2022.xlsx"));
        assert!(entry.is_unfilled_template());
        assert_eq!(entry.placeholder(), Some("{{number}}"));
        let entry = parse_entry(
            "x",
            "x.md",
            "+++\nquestion = \"Q?\"\nsource = \"written by us\"\n+++\nA {{ brace.\n",
        )
        .unwrap();
        assert_eq!(entry.source_file(), None);
        assert!(!entry.is_unfilled_template());
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("iso-42001-self-attest"));
        assert!(!is_valid_id("Iso"));
        assert!(!is_valid_id("a_b"));
        assert!(!is_valid_id(""));
    }
}
