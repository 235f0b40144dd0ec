//! Starting a library (`answerbank init`): the files a new library begins with, before any answer of its own.
//!
//! In: a folder (missing or without a library in it) and the entries to start with. Out: `library.toml` with every
//! setting documented and commented out at its default, a `.gitignore` for the cache folder, the example entry
//! (every key, with comments) and any extra entries; the paths written, relative to the library.
//! Nothing of a user's is ever overwritten: a folder that already holds a library is refused whole, before
//! anything is written, and an existing `.gitignore` only gains the cache line it lacks.
//! The extra entries are for starter sets (issue #19: template entries embedded in the binary).

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::CACHE_DIR;
use super::entry::parse_entry;
use super::settings::SETTINGS_FILE;
use crate::fsutil::{Existing, write_bytes_atomic};

/// The `library.toml` of a new library: every setting explained, and commented out.
pub const SETTINGS_TEMPLATE: &str = include_str!("init/library.toml");

/// The example entry of a new library (its path in the library, and its text): every front-matter key, explained.
/// It is `proposed`, so it is never drafted into a customer's file before a person makes it theirs.
pub const EXAMPLE_ENTRY: (&str, &str) = (
    "example-encryption-at-rest.md",
    include_str!("init/example-entry.md"),
);

include!(concat!(env!("OUT_DIR"), "/starter.rs"));

/// The `.gitignore` line that keeps the cache folder out of version control.
const GITIGNORE_LINE: &str = ".answerbank/";

/// Starts a library in `dir` (made if missing): `library.toml`, `.gitignore`, then either the example entry or,
/// given a starter kit, its files instead (path in the library, text; each `.md` but a README must parse as an
/// entry). Returns the paths it wrote or changed, relative to `dir`. Refuses, writing nothing, a path that is not
/// a folder and a folder that already holds a `library.toml` or answer files.
pub fn init_library(dir: &Path, starter: &[(&str, &str)]) -> Result<Vec<String>> {
    let entries: Vec<(&str, &str)> = if starter.is_empty() {
        vec![EXAMPLE_ENTRY]
    } else {
        starter.to_vec()
    };
    for (rel, text) in entries.iter().filter(|(rel, _)| !is_readme(rel)) {
        let id = Path::new(rel)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        parse_entry(id, rel, text).map_err(|e| {
            anyhow::anyhow!("the starting entry {rel}, line {}: {}", e.line, e.message)
        })?;
    }
    refuse_an_existing_library(dir)?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the library folder {}", dir.display()))?;

    let mut written = Vec::new();
    write_bytes_atomic(
        &dir.join(SETTINGS_FILE),
        Existing::Refuse,
        SETTINGS_TEMPLATE.as_bytes(),
    )?;
    written.push(SETTINGS_FILE.to_string());
    if ignore_the_cache(dir)? {
        written.push(".gitignore".to_string());
    }
    for (rel, text) in entries {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        write_bytes_atomic(&path, Existing::Refuse, text.as_bytes())?;
        written.push(rel.to_string());
    }
    Ok(written)
}

/// A README beside the entries (the library scan skips them too).
fn is_readme(rel: &str) -> bool {
    Path::new(rel)
        .file_stem()
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
}

/// A folder that is a library already (it has `library.toml` or answer files) is not started again: its files are
/// someone's work. Anything else in the folder (a README, a `.git`) is fine.
fn refuse_an_existing_library(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err).with_context(|| format!("reading {}", dir.display())),
        Ok(meta) if !meta.is_dir() => bail!("{} exists and is not a folder", dir.display()),
        Ok(_) => {}
    }
    if dir.join(SETTINGS_FILE).exists() {
        bail!(
            "{} is already an answer library (it has a {SETTINGS_FILE}); nothing was written. Start a new one \
             in another folder: answerbank init NEW-FOLDER",
            dir.display()
        );
    }
    let answers = super::scan_files(dir)?;
    if let Some(first) = answers.first() {
        bail!(
            "{} already holds answer files ({}{}); nothing was written. Start a new library in another folder: \
             answerbank init NEW-FOLDER",
            dir.display(),
            first.rel,
            match answers.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            }
        );
    }
    Ok(())
}

/// Makes sure `<dir>/.gitignore` ignores the cache folder: written when missing, one line added to a `.gitignore`
/// that lacks it. Returns whether the file was written or changed.
fn ignore_the_cache(dir: &Path) -> Result<bool> {
    let path = dir.join(".gitignore");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let text = format!(
                "# answerbank's index cache: rebuilt from the answer files whenever they change.\n{GITIGNORE_LINE}\n"
            );
            write_bytes_atomic(&path, Existing::Refuse, text.as_bytes())?;
            return Ok(true);
        }
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let ignored = text
        .lines()
        .any(|line| line.trim().trim_start_matches('/').trim_end_matches('/') == CACHE_DIR);
    if ignored {
        return Ok(false);
    }
    let separator = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let updated = format!("{text}{separator}{GITIGNORE_LINE}\n");
    write_bytes_atomic(&path, Existing::Replace, updated.as_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_starter_kit_is_embedded_and_every_template_parses() {
        let entries: Vec<&(&str, &str)> =
            STARTER.iter().filter(|(rel, _)| !is_readme(rel)).collect();
        assert!(entries.len() >= 120, "{}", entries.len());
        assert!(STARTER.iter().any(|(rel, _)| *rel == "README.md"));
        for (rel, text) in entries {
            let id = Path::new(rel).file_stem().unwrap().to_str().unwrap();
            let entry = parse_entry(id, rel, text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            // Honest templates (see #19): proposed, no short answer, a placeholder in the body, guidance.
            assert_eq!(entry.status, crate::library::Status::Proposed, "{rel}");
            assert!(entry.short_answer.is_none(), "{rel}");
            assert!(entry.is_unfilled_template(), "{rel}");
            assert!(entry.guidance.is_some(), "{rel}");
        }
    }

    use super::*;
    use crate::library::settings::Settings;

    /// The template's settings are the defaults; uncommented, every setting is one answerbank knows.
    #[test]
    fn the_settings_template_documents_every_setting_at_its_default() {
        assert_eq!(
            Settings::parse(SETTINGS_TEMPLATE).unwrap(),
            Settings::default()
        );
        let uncommented: String = SETTINGS_TEMPLATE
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with(['[', ']', ' '])
                        || rest.split_once(" = ").is_some_and(|(key, _)| {
                            key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        }) =>
                {
                    rest
                }
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let settings =
            Settings::parse(&uncommented).unwrap_or_else(|e| panic!("{e:?}\n{uncommented}"));
        assert_eq!(settings.review_every_days, 365);
        assert_eq!(settings.synonyms.len(), 2);
        assert!(settings.default_synonyms);
        assert_eq!(settings.stop_phrases.len(), 2);
        assert_eq!(
            settings.semantic.unwrap().model,
            Path::new("models/all-MiniLM-L6-v2")
        );
    }

    /// The example entry parses, waits for a person, and shows every key (commented out where it has no value).
    #[test]
    fn the_example_entry_shows_every_key() {
        let (rel, text) = EXAMPLE_ENTRY;
        let entry = parse_entry("example-encryption-at-rest", rel, text).unwrap();
        assert_eq!(entry.status, crate::library::Status::Proposed);
        assert_eq!(entry.short_answer.as_deref(), Some("Yes"));
        assert_eq!(entry.alternates.len(), 2);
        assert!(entry.guidance.is_some() && entry.source.is_some() && entry.owner.is_some());
        for key in [
            "question",
            "alternates",
            "short_answer",
            "tags",
            "owner",
            "reviewed",
            "review_every_days",
            "status",
            "source",
            "derived_from",
            "guidance",
            "learned",
        ] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = "))),
                "{key} is not shown"
            );
        }
        // Uncommented, the commented-out keys parse too.
        let uncommented = text
            .replace("# reviewed = ", "reviewed = ")
            .replace("# review_every_days = ", "review_every_days = ")
            .replace("# derived_from = ", "derived_from = ")
            .replace("# learned = [", "learned = [")
            .replace("#   { wording", "  { wording")
            .replace("# ]", "]");
        let entry = parse_entry("example-encryption-at-rest", rel, &uncommented).unwrap();
        assert_eq!(entry.review_every_days, Some(180));
        assert_eq!(entry.learned.len(), 1);
        assert_eq!(
            entry.derived_from.as_deref(),
            Some("encryption-at-rest-2025")
        );
    }

    #[test]
    fn starts_a_library_and_never_overwrites_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("answers");
        let written = init_library(
            &root,
            &[(
                "starter/mfa.md",
                "+++\nquestion = \"Do you use MFA?\"\n+++\nYes.\n",
            )],
        )
        .unwrap();
        // A starter kit comes instead of the example entry.
        assert_eq!(written, ["library.toml", ".gitignore", "starter/mfa.md"]);
        assert_eq!(
            std::fs::read_to_string(root.join(".gitignore")).unwrap(),
            "# answerbank's index cache: rebuilt from the answer files whenever they change.\n.answerbank/\n"
        );
        let files: Vec<String> = crate::library::scan_files(&root)
            .unwrap()
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(files, ["starter/mfa.md"]);

        // Again: refused, nothing changed.
        std::fs::write(root.join("library.toml"), "review_every_days = 90\n").unwrap();
        let err = init_library(&root, &[]).unwrap_err().to_string();
        assert!(err.contains("already an answer library"), "{err}");
        assert_eq!(
            std::fs::read_to_string(root.join("library.toml")).unwrap(),
            "review_every_days = 90\n"
        );
        std::fs::remove_file(root.join("library.toml")).unwrap();
        let err = init_library(&root, &[]).unwrap_err().to_string();
        assert!(
            err.contains("already holds answer files (starter/mfa.md)"),
            "{err}"
        );
        let err = init_library(&root.join(".gitignore"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a folder"), "{err}");

        // A starting entry that does not parse is a mistake of the caller, caught before anything is written.
        let fresh = dir.path().join("fresh");
        let err = init_library(&fresh, &[("bad.md", "+++\nquestion = \n+++\nx\n")]).unwrap_err();
        assert!(err.to_string().contains("bad.md, line 2"), "{err}");
        assert!(!fresh.exists());
    }

    #[test]
    fn an_existing_gitignore_gains_the_cache_line_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target").unwrap();
        std::fs::write(dir.path().join("README.md"), "# Our answers\n").unwrap();
        init_library(dir.path(), &[]).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
            "target\n.answerbank/\n"
        );
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join(".gitignore"), "/.answerbank\n").unwrap();
        let written = init_library(other.path(), &[]).unwrap();
        assert!(!written.contains(&".gitignore".to_string()), "{written:?}");
        assert_eq!(
            std::fs::read_to_string(other.path().join(".gitignore")).unwrap(),
            "/.answerbank\n"
        );
    }
}
