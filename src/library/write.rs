//! Writing library files: new entries, and new alternates on existing entries.
//!
//! In: what was learned (by `finish`) or imported, as a new [`Entry`] (see [`super::new_entry`]) or a change to an
//! existing file. Out: files written atomically (temp file, fsync, rename), so a crash never leaves half an entry.
//! An existing entry is edited in place with `toml_edit` (its comments, key order and body untouched), so
//! `git diff` shows exactly the one line that was learned. A file that does not parse is never rewritten.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::entry::Learned;
use super::entry::{Split, key_line, split_front_matter};
use super::new_entry::{entry_text, learned_value};
use super::{Entry, Status};
use crate::date::Date;
use crate::fsutil::{Existing, write_bytes_atomic};

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
    /// Wordings the template does not have yet (the customer's, the replaced entry's), added as alternates.
    pub alternates: &'a [&'a str],
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
    for alternate in fill.alternates {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
