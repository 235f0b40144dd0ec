//! Writing library files: new entries, and new alternates on existing entries.
//!
//! In: what was learned (by `finish`) or imported. Out: files written atomically (temp file, fsync, rename),
//! so a crash never leaves half an entry. New entries are written with a fixed key order; an existing entry is
//! edited in place with `toml_edit` (its comments, key order and body untouched), so `git diff` shows exactly
//! the one line that was learned. A file that does not parse is never rewritten.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::entry::Learned;
use super::entry::{Split, key_line, split_front_matter};
use super::{Entry, Status};
use crate::date::Date;
use crate::fsutil::{Existing, write_bytes_atomic};

/// A TOML basic string, escaped.
fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_string()
}

fn toml_array(items: &[String], multiline: bool) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    if multiline {
        let lines: Vec<String> = items
            .iter()
            .map(|s| format!("  {},", toml_string(s)))
            .collect();
        format!("[\n{}\n]", lines.join("\n"))
    } else {
        format!(
            "[{}]",
            items
                .iter()
                .map(|s| toml_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The text of a new entry file, keys in the documented order.
pub fn entry_text(entry: &Entry) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("question = {}\n", toml_string(&entry.question)));
    if !entry.alternates.is_empty() {
        out.push_str(&format!(
            "alternates = {}\n",
            toml_array(&entry.alternates, true)
        ));
    }
    if let Some(short) = &entry.short_answer {
        out.push_str(&format!("short_answer = {}\n", toml_string(short)));
    }
    if !entry.tags.is_empty() {
        out.push_str(&format!("tags = {}\n", toml_array(&entry.tags, false)));
    }
    if let Some(owner) = &entry.owner {
        out.push_str(&format!("owner = {}\n", toml_string(owner)));
    }
    if let Some(reviewed) = entry.reviewed {
        out.push_str(&format!("reviewed = {reviewed}\n"));
    }
    if let Some(days) = entry.review_every_days {
        out.push_str(&format!("review_every_days = {days}\n"));
    }
    out.push_str(&format!(
        "status = {}\n",
        toml_string(entry.status.as_str())
    ));
    if let Some(source) = &entry.source {
        out.push_str(&format!("source = {}\n", toml_string(source)));
    }
    if let Some(parent) = &entry.derived_from {
        out.push_str(&format!("derived_from = {}\n", toml_string(parent)));
    }
    if let Some(guidance) = &entry.guidance {
        out.push_str(&format!("guidance = {}\n", toml_string(guidance)));
    }
    if !entry.learned.is_empty() {
        let records: Vec<String> = entry
            .learned
            .iter()
            .map(|l| format!("  {},", learned_value(l)))
            .collect();
        out.push_str(&format!("learned = [\n{}\n]\n", records.join("\n")));
    }
    out.push_str("+++\n");
    out.push_str(entry.body.trim());
    out.push('\n');
    out
}

/// Writes a new entry file at `<root>/<entry.path>`; never replaces an existing file.
pub fn write_new_entry(root: &Path, entry: &Entry) -> Result<PathBuf> {
    let path = root.join(&entry.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the library folder {}", parent.display()))?;
        // A folder of the library that is a symbolic link out of it (see #29) is not written through.
        let real = parent
            .canonicalize()
            .with_context(|| format!("opening the library folder {}", parent.display()))?;
        let real_root = root
            .canonicalize()
            .with_context(|| format!("opening the library folder {}", root.display()))?;
        if !real.starts_with(&real_root) {
            bail!(
                "{} leads out of the library folder (to {}); new entries are written only inside the library: \
                 replace the link with a folder",
                parent.display(),
                real.display()
            );
        }
    }
    write_bytes_atomic(&path, Existing::Refuse, entry_text(entry).as_bytes())
        .with_context(|| format!("writing the new library entry {}", path.display()))?;
    Ok(path)
}

/// Adds one alternate wording to an existing entry file, keeping everything else as it is.
pub fn add_alternate(root: &Path, rel: &str, alternate: &str) -> Result<()> {
    append_to_list(root, rel, "alternates", one_line_value(alternate))
}

/// Records what a review taught about an existing entry (see [`Learned`]), keeping everything else as it is.
pub fn add_learned(root: &Path, rel: &str, learned: &Learned) -> Result<()> {
    append_to_list(root, rel, "learned", learned_value(learned))
}

/// One `learned` record as an inline table, keys in a fixed order.
fn learned_value(learned: &Learned) -> toml_edit::Value {
    let mut table = toml_edit::InlineTable::new();
    table.insert("wording", learned.wording.as_str().into());
    table.insert("decision", learned.decision.as_str().into());
    if let Some(date) = learned.date {
        let date: toml_edit::Datetime = date
            .to_string()
            .parse()
            .expect("a Date prints as a TOML date");
        table.insert("date", date.into());
    }
    if let Some(source) = &learned.source {
        table.insert("source", source.as_str().into());
    }
    table.fmt();
    toml_edit::Value::InlineTable(table)
}

/// Appends `value` to the list `key` of an existing entry file, one item per line, creating the list after
/// `question` (or at the end of the front matter) when there is none. Comments, key order and the body stay as
/// they are, so `git diff` shows the one line that was added; the result must still parse before it replaces the
/// file, and a file that does not parse is never rewritten.
fn append_to_list(root: &Path, rel: &str, key: &str, value: toml_edit::Value) -> Result<()> {
    let path = root.join(rel);
    let text = read_text(&path)?;
    let updated = with_list_item(&path, &text, key, value)?;
    replace_checked(root, rel, &updated, &format!("adding to `{key}` of"))
}

/// The text of an existing entry file, read as `library::read_entry` reads it: a regular file of at most
/// `MAX_ENTRY_BYTES` (see #29).
fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::fsutil::read_regular(path, super::MAX_ENTRY_BYTES)
        .with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not valid UTF-8 text", path.display()))
}

/// Approves an entry in place (see `library::approve`): `status = "approved"`, `reviewed` = `today`, and each of
/// `alternates` appended to its alternates, in one atomic write. Everything else in the file stays as it is, so
/// `git diff` shows only those lines.
pub fn approve_entry(root: &Path, rel: &str, today: Date, alternates: &[String]) -> Result<()> {
    let path = root.join(rel);
    let text = read_text(&path)?;
    let (mut doc, split) = front_matter_doc(&path, &text)?;
    let date: toml_edit::Datetime = today
        .to_string()
        .parse()
        .expect("a Date prints as a TOML date");
    set_value(&mut doc, "status", Status::Approved.as_str().into());
    set_value(&mut doc, "reviewed", date.into());
    let mut updated = with_front_matter(&text, &split, &doc.to_string());
    for alternate in alternates {
        updated = with_list_item(&path, &updated, "alternates", one_line_value(alternate))?;
    }
    replace_checked(root, rel, &updated, "approving")
}

/// Writes a reviewer's own answer into an entry and approves it, in one atomic write (see #25: a bulk review's
/// edited cells): `short_answer` set (or removed when `short` is `None`), the body replaced, `status =
/// "approved"`, `reviewed` = `today`, each of `alternates` appended. The question, tags, source and any comment
/// stay as they are.
pub fn edit_entry(
    root: &Path,
    rel: &str,
    short: Option<&str>,
    body: &str,
    today: Date,
    alternates: &[String],
) -> Result<()> {
    let path = root.join(rel);
    let text = read_text(&path)?;
    let (mut doc, split) = front_matter_doc(&path, &text)?;
    match short {
        Some(short) => set_value(&mut doc, "short_answer", one_line_value(short)),
        None => {
            doc.remove("short_answer");
        }
    }
    let date: toml_edit::Datetime = today
        .to_string()
        .parse()
        .expect("a Date prints as a TOML date");
    set_value(&mut doc, "status", Status::Approved.as_str().into());
    set_value(&mut doc, "reviewed", date.into());
    let front = with_front_matter(&text, &split, &doc.to_string());
    let split = split_front_matter(&front)
        .map_err(|e| anyhow::anyhow!("{} line {}: {}", path.display(), e.line, e.message))?;
    let mut updated = front[..split.body_offset].to_string();
    updated.push_str(body.trim());
    updated.push('\n');
    for alternate in alternates {
        updated = with_list_item(&path, &updated, "alternates", one_line_value(alternate))?;
    }
    replace_checked(root, rel, &updated, "editing")
}

/// Retires an entry in place (see #25: Reject in a bulk review): `status = "retired"`, nothing else changed, so
/// the file stays as a record and `git diff` shows one line.
pub fn retire_entry(root: &Path, rel: &str) -> Result<()> {
    let path = root.join(rel);
    let text = read_text(&path)?;
    let (mut doc, split) = front_matter_doc(&path, &text)?;
    set_value(&mut doc, "status", Status::Retired.as_str().into());
    let updated = with_front_matter(&text, &split, &doc.to_string());
    replace_checked(root, rel, &updated, "retiring")
}

/// What an imported answer puts into a starter template it answers (see #19: filled, not duplicated).
pub struct TemplateFill<'a> {
    pub short_answer: Option<&'a str>,
    pub body: &'a str,
    pub status: Status,
    pub reviewed: Date,
    pub source: &'a str,
    /// The customer's wording, when it is not one of the template's already.
    pub alternate: Option<&'a str>,
}

/// Fills an unfilled template in place with an answer: its short answer, body, status, review date and source
/// set, the customer's wording added as an alternate; its question, alternates, tags and guidance (and any
/// comment) stay, so the entry keeps what the starter kit knew about the question.
pub fn fill_template(root: &Path, rel: &str, fill: &TemplateFill<'_>) -> Result<()> {
    let path = root.join(rel);
    let text = read_text(&path)?;
    let (mut doc, split) = front_matter_doc(&path, &text)?;
    if let Some(short) = fill.short_answer {
        set_value(&mut doc, "short_answer", short.into());
    }
    let date: toml_edit::Datetime = fill
        .reviewed
        .to_string()
        .parse()
        .expect("a Date prints as a TOML date");
    set_value(&mut doc, "reviewed", date.into());
    set_value(&mut doc, "status", fill.status.as_str().into());
    set_value(&mut doc, "source", one_line_value(fill.source));
    let front = with_front_matter(&text, &split, &doc.to_string());
    let split = split_front_matter(&front)
        .map_err(|e| anyhow::anyhow!("{} line {}: {}", path.display(), e.line, e.message))?;
    let mut updated = front[..split.body_offset].to_string();
    updated.push_str(fill.body.trim());
    updated.push('\n');
    if let Some(alternate) = fill.alternate {
        updated = with_list_item(&path, &updated, "alternates", one_line_value(alternate))?;
    }
    replace_checked(root, rel, &updated, "filling the template")
}

fn one_line_value(text: &str) -> toml_edit::Value {
    toml_edit::Value::from(crate::text::one_line(text).as_str())
}

/// Sets `key` to `value`, keeping the spacing and comment around an existing value; a new key goes at the end.
fn set_value(doc: &mut toml_edit::DocumentMut, key: &str, value: toml_edit::Value) {
    match doc.get_mut(key).and_then(toml_edit::Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = value;
            *old.decor_mut() = decor;
        }
        None => {
            doc.insert(key, toml_edit::Item::Value(value));
        }
    }
}

/// The front matter of an entry file as a `toml_edit` document, with where it sits in the file.
fn front_matter_doc<'a>(path: &Path, text: &'a str) -> Result<(toml_edit::DocumentMut, Split<'a>)> {
    let split = split_front_matter(text).map_err(|e| {
        anyhow::anyhow!(
            "{} line {}: {}; it was left as it is",
            path.display(),
            e.line,
            e.message
        )
    })?;
    let doc = split
        .front_matter
        .parse()
        .map_err(|e: toml_edit::TomlError| {
            anyhow::anyhow!(
                "{} does not parse ({}); it was left as it is",
                path.display(),
                e.message()
            )
        })?;
    Ok((doc, split))
}

/// The file text with its front matter replaced by `front`.
fn with_front_matter(text: &str, split: &Split<'_>, front: &str) -> String {
    let mut updated = String::with_capacity(text.len() + 256);
    updated.push_str(&text[..split.front_matter_offset]);
    updated.push_str(front);
    if !updated.ends_with('\n') {
        updated.push('\n');
    }
    updated.push_str(&text[split.front_matter_offset + split.front_matter.len()..]);
    updated
}

/// The file text with `value` appended to the list `key` (see [`append_to_list`]).
fn with_list_item(path: &Path, text: &str, key: &str, value: toml_edit::Value) -> Result<String> {
    let (mut doc, split) = front_matter_doc(path, text)?;
    let new_front = match doc.get_mut(key) {
        Some(item) => {
            let Some(array) = item.as_array_mut() else {
                bail!(
                    "{}: `{key}` is not a list; it was left as it is",
                    path.display()
                );
            };
            let multiline = array.iter().any(|v| {
                v.decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .is_some_and(|p| p.contains('\n'))
            });
            let mut value = value;
            if multiline {
                value.decor_mut().set_prefix("\n  ");
                value.decor_mut().set_suffix("");
                array.push_formatted(value);
                array.set_trailing_comma(true);
                array.set_trailing("\n");
            } else {
                array.push(value);
            }
            doc.to_string()
        }
        None => {
            // A new key goes right after `question` when that is one line, else at the end.
            let line = format!("{key} = [\n  {},\n]\n", value.to_string().trim());
            match key_line(text, &split, "question") {
                Some(question_line) if single_line_value(text, question_line) => {
                    let index = question_line - split.front_matter_line;
                    let mut out = String::new();
                    for (i, l) in split.front_matter.split_inclusive('\n').enumerate() {
                        out.push_str(l);
                        if i == index {
                            if !l.ends_with('\n') {
                                out.push('\n');
                            }
                            out.push_str(&line);
                        }
                    }
                    out
                }
                _ => {
                    let mut out = split.front_matter.to_string();
                    if !out.ends_with('\n') && !out.is_empty() {
                        out.push('\n');
                    }
                    out.push_str(&line);
                    out
                }
            }
        }
    };
    Ok(with_front_matter(text, &split, &new_front))
}

/// Replaces an entry file with `updated` once it still parses (`doing` says what in the error otherwise).
fn replace_checked(root: &Path, rel: &str, updated: &str, doing: &str) -> Result<()> {
    let path = root.join(rel);
    super::entry::parse_entry("check", rel, updated).map_err(|e| {
        anyhow::anyhow!(
            "{doing} {} would break it ({e}); it was left as it is",
            path.display()
        )
    })?;
    write_bytes_atomic(&path, Existing::Replace, updated.as_bytes())
        .with_context(|| format!("updating the library entry {}", path.display()))
}

fn single_line_value(text: &str, line: usize) -> bool {
    text.lines()
        .nth(line - 1)
        .is_some_and(|l| toml::from_str::<toml::Table>(l).is_ok())
}

/// Words that say how a question is asked, not what about: left out of ids.
const ID_SKIP: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "any",
    "are",
    "as",
    "be",
    "been",
    "by",
    "can",
    "could",
    "currently",
    "describe",
    "detail",
    "did",
    "do",
    "does",
    "e",
    "eg",
    "explain",
    "for",
    "from",
    "g",
    "has",
    "have",
    "how",
    "i",
    "ie",
    "if",
    "in",
    "indicate",
    "into",
    "is",
    "it",
    "its",
    "list",
    "may",
    "must",
    "of",
    "on",
    "or",
    "organisation",
    "organization",
    "our",
    "please",
    "provide",
    "reference",
    "shall",
    "should",
    "so",
    "solution",
    "specify",
    "such",
    "that",
    "the",
    "their",
    "there",
    "these",
    "this",
    "those",
    "to",
    "us",
    "use",
    "used",
    "using",
    "utilize",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
];
/// A question of at most this many words and no question mark is a field label ("Solution Provider Name").
const LABEL_WORDS: usize = 6;
/// Words that start a question or a request, never a field label.
const ASKING: &[&str] = &[
    "are", "can", "describe", "detail", "do", "does", "explain", "has", "have", "how", "indicate",
    "is", "list", "please", "provide", "specify", "what", "when", "where", "which", "who", "why",
    "will",
];
/// The words left out of a field label's id.
const LABEL_SKIP: &[&str] = &["a", "an", "and", "for", "in", "of", "on", "or", "the", "to"];

/// At most this many words, and this many characters, make an id.
const ID_WORDS: usize = 5;
const ID_CHARS: usize = 48;

/// A readable id made from a question's words (see #17): what it is about, not how it is asked. "Does your
/// solution support single sign-on (SSO) protocols for user and administrator authentication?" →
/// `support-sso-protocols-user-administrator`: an acronym in parentheses stands for the words it abbreviates, and
/// words such as "do", "your", "please describe" are left out. The customer's own question ID stays in the entry's
/// `source`; ids made from it (`gnrl-01`) said nothing and collided across questionnaires.
pub fn id_for(question: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for token in question.split_whitespace() {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        let is_acronym = token.starts_with('(')
            && (2..=8).contains(&bare.len())
            && bare
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && bare.chars().next().is_some_and(|c| c.is_ascii_uppercase());
        if is_acronym {
            // "single sign-on (SSO)": drop the words whose initials spell the acronym.
            let letters: Vec<char> = bare.to_lowercase().chars().collect();
            if words.len() >= letters.len()
                && words[words.len() - letters.len()..]
                    .iter()
                    .zip(&letters)
                    .all(|(w, l)| w.starts_with(*l))
            {
                words.truncate(words.len() - letters.len());
            }
            words.push(bare.to_lowercase());
            continue;
        }
        words.extend(
            token
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase),
        );
    }
    // A field label ("Solution Provider Name", see #26) says what it is about in every word: only its small words
    // are left out, or "solution" would go and leave `provider-name`, or `name` alone.
    let asks = words.first().is_some_and(|w| ASKING.contains(&w.as_str()));
    let is_label = !question.contains('?') && !asks && words.len() <= LABEL_WORDS;
    let skipped = |word: &str| {
        if is_label {
            LABEL_SKIP.contains(&word)
        } else {
            ID_SKIP.contains(&word)
        }
    };
    let mut id = String::new();
    for word in words
        .iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty() && !skipped(w))
        .take(ID_WORDS)
    {
        if !id.is_empty() && id.len() + 1 + word.len() > ID_CHARS {
            break;
        }
        if !id.is_empty() {
            id.push('-');
        }
        id.push_str(&word);
    }
    let id: String = id.chars().take(ID_CHARS).collect();
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "entry".to_string()
    } else {
        id.to_string()
    }
}

/// `base`, or `base-2`, `base-3`... whichever is not taken; the result is added to `taken`.
pub fn unique_id(base: &str, taken: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// A new entry with today's review date.
#[allow(clippy::too_many_arguments)]
pub fn new_entry(
    id: &str,
    folder: &str,
    question: &str,
    short_answer: Option<String>,
    body: &str,
    tags: Vec<String>,
    owner: Option<String>,
    status: Status,
    source: String,
    derived_from: Option<String>,
) -> Entry {
    Entry {
        id: id.to_string(),
        path: if folder.is_empty() {
            format!("{id}.md")
        } else {
            format!("{folder}/{id}.md")
        },
        // A question is one line in the library, however the sheet wrapped it.
        question: crate::text::one_line(question),
        alternates: Vec::new(),
        short_answer,
        tags,
        owner,
        reviewed: Some(Date::today()),
        review_every_days: None,
        status,
        source: Some(source),
        derived_from,
        guidance: None,
        learned: Vec::new(),
        body: body.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::entry::parse_entry;

    #[test]
    fn new_entries_round_trip() {
        let entry = new_entry(
            "backup-tests",
            "learned",
            "Do you test \"restores\"?",
            Some("Yes".into()),
            "Yes.\nQuarterly, with a \\ backslash.",
            vec!["backup".into()],
            Some("Security team".into()),
            Status::Proposed,
            "learned from q.xlsx, sheet 'S', cell C4".into(),
            Some("backups".into()),
        );
        let text = entry_text(&entry);
        let back = parse_entry("backup-tests", "learned/backup-tests.md", &text).unwrap();
        assert_eq!(back.question, entry.question);
        assert_eq!(back.body, entry.body);
        assert_eq!(back.status, Status::Proposed);
        assert_eq!(back.derived_from.as_deref(), Some("backups"));
    }

    #[test]
    fn alternates_are_added_with_a_one_line_diff() {
        let dir = tempfile::tempdir().unwrap();
        let original = "+++\n# kept comment\nquestion = \"Do you back up?\"\nalternates = [\n  \"Are backups taken?\",\n]\ntags = [\"backup\"]\n+++\nYes.\n\nBody kept *exactly*.\n";
        std::fs::write(dir.path().join("b.md"), original).unwrap();
        add_alternate(dir.path(), "b.md", "Is data backed up daily?").unwrap();
        let updated = std::fs::read_to_string(dir.path().join("b.md")).unwrap();
        let expected = original.replace(
            "  \"Are backups taken?\",\n",
            "  \"Are backups taken?\",\n  \"Is data backed up daily?\",\n",
        );
        assert_eq!(updated, expected);

        let original = "+++\nquestion = \"Do you back up?\"\nowner = \"me\"\n+++\nYes.\n";
        std::fs::write(dir.path().join("c.md"), original).unwrap();
        add_alternate(dir.path(), "c.md", "Backups?").unwrap();
        let updated = std::fs::read_to_string(dir.path().join("c.md")).unwrap();
        assert_eq!(
            updated,
            "+++\nquestion = \"Do you back up?\"\nalternates = [\n  \"Backups?\",\n]\nowner = \"me\"\n+++\nYes.\n"
        );
    }

    #[test]
    fn learned_records_are_added_one_line_each() {
        use crate::library::entry::Verdict;
        let dir = tempfile::tempdir().unwrap();
        let original = "+++\nquestion = \"Do you sign our DPA?\"\nowner = \"Legal\"\n+++\nYes.\n";
        std::fs::write(dir.path().join("dpa.md"), original).unwrap();
        let record = |wording: &str, decision| Learned {
            wording: wording.to_string(),
            decision,
            date: Date::new(2026, 12, 3),
            source: Some("q.xlsx, sheet 'Legal', cell C4".to_string()),
        };
        add_learned(
            dir.path(),
            "dpa.md",
            &record("Will you sign our own DPA?", Verdict::Rejected),
        )
        .unwrap();
        add_learned(
            dir.path(),
            "dpa.md",
            &record("Is a DPA available?", Verdict::Accepted),
        )
        .unwrap();
        let updated = std::fs::read_to_string(dir.path().join("dpa.md")).unwrap();
        assert_eq!(
            updated,
            "+++\nquestion = \"Do you sign our DPA?\"\nlearned = [\n  { wording = \"Will you sign our own DPA?\", decision = \"rejected\", date = 2026-12-03, source = \"q.xlsx, sheet 'Legal', cell C4\" },\n  { wording = \"Is a DPA available?\", decision = \"accepted\", date = 2026-12-03, source = \"q.xlsx, sheet 'Legal', cell C4\" },\n]\nowner = \"Legal\"\n+++\nYes.\n"
        );
        let entry = crate::library::entry::parse_entry("dpa", "dpa.md", &updated).unwrap();
        assert_eq!(entry.learned.len(), 2);
        // A new entry writes the same records, and reads back the same.
        let text = entry_text(&entry);
        let back = crate::library::entry::parse_entry("dpa", "dpa.md", &text).unwrap();
        assert_eq!(back.learned, entry.learned);
    }

    #[test]
    fn approving_changes_only_status_reviewed_and_alternates() {
        let dir = tempfile::tempdir().unwrap();
        let original = "+++\nquestion = \"Do you sign our DPA?\"\nalternates = [\n  \"Is a DPA available?\",\n]\nreviewed = 2022-08-30  # when it was answered\nstatus = \"proposed\"\nlearned = [\n  { wording = \"Can we use your DPA?\", decision = \"accepted\" },\n]\n+++\nYes.\n";
        std::fs::write(dir.path().join("dpa.md"), original).unwrap();
        approve_entry(
            dir.path(),
            "dpa.md",
            Date::new(2026, 11, 27).unwrap(),
            &["Can we use your DPA?".to_string()],
        )
        .unwrap();
        let updated = std::fs::read_to_string(dir.path().join("dpa.md")).unwrap();
        assert_eq!(
            updated,
            "+++\nquestion = \"Do you sign our DPA?\"\nalternates = [\n  \"Is a DPA available?\",\n  \"Can we use your DPA?\",\n]\nreviewed = 2026-11-27  # when it was answered\nstatus = \"approved\"\nlearned = [\n  { wording = \"Can we use your DPA?\", decision = \"accepted\" },\n]\n+++\nYes.\n"
        );
        // Keys that were missing are added at the end of the front matter.
        std::fs::write(
            dir.path().join("b.md"),
            "+++\nquestion = \"Q?\"\nstatus = \"proposed\"\n+++\nA.\n",
        )
        .unwrap();
        approve_entry(dir.path(), "b.md", Date::new(2026, 11, 27).unwrap(), &[]).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.md")).unwrap(),
            "+++\nquestion = \"Q?\"\nstatus = \"approved\"\nreviewed = 2026-11-27\n+++\nA.\n"
        );
    }

    #[test]
    fn a_broken_file_is_never_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let broken = "+++\nquestion = \"unclosed\n+++\nYes.\n";
        std::fs::write(dir.path().join("b.md"), broken).unwrap();
        assert!(add_alternate(dir.path(), "b.md", "x").is_err());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("b.md")).unwrap(),
            broken
        );
    }

    #[test]
    fn ids() {
        assert_eq!(
            id_for("Do you encrypt customer data at rest with AES-256 keys?"),
            "encrypt-customer-data-at-rest"
        );
        assert_eq!(
            id_for(
                "Does your solution support single sign-on (SSO) protocols for user and administrator \
                 authentication?"
            ),
            "support-sso-protocols-user-administrator"
        );
        assert_eq!(
            id_for("Have you implemented an Intrusion Detection System (network-based)?"),
            "implemented-intrusion-detection-system-network"
        );
        assert_eq!(
            id_for("Do you use a web application firewall (WAF)?"),
            "waf"
        );
        // An acronym whose letters are not the words before it is kept beside them.
        assert_eq!(
            id_for("Do you log events to a security platform (SIEM)?"),
            "log-events-security-platform-siem"
        );
        assert_eq!(id_for("Please describe ... ?"), "entry");
        // Field labels keep their words (see #26).
        assert_eq!(id_for("Solution Provider Name"), "solution-provider-name");
        assert_eq!(id_for("Solution Name"), "solution-name");
        assert_eq!(
            id_for("Country of Company Headquarters"),
            "country-company-headquarters"
        );
        assert_eq!(
            id_for("Describe your incident response process."),
            "incident-response-process"
        );
        assert!(id_for(&"Encryption ".repeat(40)).len() <= ID_CHARS);
        let mut taken = HashSet::from(["a".to_string()]);
        assert_eq!(unique_id("a", &mut taken), "a-2");
        assert_eq!(unique_id("a", &mut taken), "a-3");
    }
}
