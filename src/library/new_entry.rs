//! A new entry: the [`Entry`] built from what was learned or imported, and the text of its file.
//!
//! In: a question, its answer and where it came from (from `finish` or `import`, with an id from [`super::ids`]).
//! Out: an [`Entry`] with today's review date, and its file text, written with a fixed key order (the documented
//! one), for [`super::write`] to put on disk.

use super::entry::Learned;
use super::{Entry, Status};
use crate::date::Date;

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

/// One `learned` record as an inline table, keys in a fixed order.
pub(super) fn learned_value(learned: &Learned) -> toml_edit::Value {
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
}
