//! Library-wide settings: `<library>/library.toml`.
//!
//! In: the file's text (it is optional; a library without it gets the defaults). Out: [`Settings`].
//! Synonym groups here change how every entry is analyzed, so the index cache is rebuilt whenever this file
//! changes (see `index/cache.rs`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use super::entry::line_of;
use crate::analysis::{Analyzer, synonyms};
use crate::fsutil::{ReadError, read_regular};

/// The file name of the settings inside a library folder.
pub const SETTINGS_FILE: &str = "library.toml";

/// Review period used when neither the entry nor `library.toml` says otherwise.
pub const DEFAULT_REVIEW_EVERY_DAYS: u32 = 365;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Days after `reviewed` at which an entry becomes stale.
    #[serde(default = "default_review_every_days")]
    pub review_every_days: u32,
    /// Groups of words or phrases that mean the same thing ("mfa", "2fa", "multi-factor authentication"), added
    /// to the built-in groups.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Whether the built-in synonym groups apply (`src/analysis/default_synonyms.toml`).
    #[serde(default = "default_true")]
    pub default_synonyms: bool,
    /// Extra phrases that carry no meaning in a question (added to the built-in questionnaire boilerplate).
    #[serde(default)]
    pub stop_phrases: Vec<String>,
    /// Optional sentence-embedding model (see #8).
    #[serde(default)]
    pub semantic: Option<SemanticSettings>,
    /// The company's own documents (policies, system descriptions, trust pages) that answer what the library
    /// cannot: read where they are, never copied in (see #24 and the `documents` module).
    #[serde(default)]
    pub documents: Option<DocumentsSettings>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsSettings {
    /// Files or folders, relative to the library folder or absolute.
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SemanticSettings {
    /// Model directory, relative to the library folder or absolute.
    pub model: PathBuf,
}

fn default_true() -> bool {
    true
}

fn default_review_every_days() -> u32 {
    DEFAULT_REVIEW_EVERY_DAYS
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review_every_days: DEFAULT_REVIEW_EVERY_DAYS,
            synonyms: Vec::new(),
            default_synonyms: true,
            stop_phrases: Vec::new(),
            semantic: None,
            documents: None,
        }
    }
}

impl Settings {
    /// The analyzer every index build and query of this library uses: the built-in synonym groups (unless turned
    /// off), then the library's own groups and stop phrases.
    pub fn analyzer(&self) -> Analyzer {
        synonyms::analyzer(self.default_synonyms, &self.synonyms, &self.stop_phrases)
    }

    /// The configured document paths, resolved against the library folder `root`.
    pub fn document_paths(&self, root: &Path) -> Vec<PathBuf> {
        self.documents
            .iter()
            .flat_map(|d| &d.paths)
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    root.join(p)
                }
            })
            .collect()
    }

    /// Parses the text of a `library.toml`; errors carry the line.
    pub fn parse(text: &str) -> Result<Settings, super::entry::ParseError> {
        toml::from_str(text).map_err(|err| super::entry::ParseError {
            line: err
                .span()
                .map(|span| line_of(text, span.start))
                .unwrap_or(1),
            message: err.message().trim().to_string(),
            kind: super::entry::ParseErrorKind::Syntax,
        })
    }

    /// Reads `<root>/library.toml`; a missing file gives the defaults and the empty string as its text.
    pub fn load(root: &Path) -> Result<(Settings, String)> {
        let path = root.join(SETTINGS_FILE);
        let Some(text) = read_text(root)? else {
            return Ok((Settings::default(), String::new()));
        };
        let settings = Settings::parse(&text).map_err(|err| {
            anyhow::anyhow!("{} line {}: {}", path.display(), err.line, err.message)
        })?;
        Ok((settings, text))
    }
}

/// The largest `library.toml` read: settings are a page of text, synonyms included.
const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// The text of `<root>/library.toml`, or `None` when there is none. Anything but a regular file of at most 1 MB is
/// an error naming it (see #29: a named pipe there kept every command waiting).
pub fn read_text(root: &Path) -> Result<Option<String>> {
    let path = root.join(SETTINGS_FILE);
    match read_regular(&path, MAX_SETTINGS_BYTES) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .with_context(|| format!("{} is not valid UTF-8 text", path.display())),
        Err(ReadError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unknown_keys() {
        let settings = Settings::parse("").unwrap();
        assert_eq!(settings, Settings::default());
        let settings =
            Settings::parse("review_every_days = 180\nsynonyms = [[\"mfa\", \"2fa\"]]\n").unwrap();
        assert_eq!(settings.review_every_days, 180);
        assert_eq!(
            settings.synonyms,
            vec![vec!["mfa".to_string(), "2fa".to_string()]]
        );
        let err = Settings::parse("review_every_days = 180\nsynonym = []\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("synonym"), "{}", err.message);
    }
}
