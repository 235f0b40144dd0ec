//! The synonym groups a library matches with: answerbank's built-in questionnaire vocabulary
//! (`default_synonyms.toml`) followed by the library's own groups from `library.toml`.
//!
//! In: [`Settings`]. Out: the [`Analyzer`] every index build and every query of that library uses.

use serde::Deserialize;

use super::analyze::Analyzer;
use crate::library::Settings;

const DEFAULT_SYNONYMS: &str = include_str!("default_synonyms.toml");

#[derive(Deserialize)]
struct SynonymFile {
    synonyms: Vec<Vec<String>>,
}

/// The built-in groups.
pub fn default_groups() -> Vec<Vec<String>> {
    let file: SynonymFile =
        toml::from_str(DEFAULT_SYNONYMS).expect("default_synonyms.toml is valid (unit-tested)");
    file.synonyms
}

/// The groups a library uses, built-in first so a library group that shares a phrase joins it.
pub fn groups_for(settings: &Settings) -> Vec<Vec<String>> {
    let mut groups = if settings.default_synonyms {
        default_groups()
    } else {
        Vec::new()
    };
    groups.extend(settings.synonyms.iter().cloned());
    groups
}

/// The analyzer for a library.
pub fn analyzer_for(settings: &Settings) -> Analyzer {
    Analyzer::new(&groups_for(settings), &settings.stop_phrases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_groups_parse_and_apply() {
        assert!(default_groups().len() > 40);
        let analyzer = analyzer_for(&Settings::default());
        assert_eq!(
            analyzer.analyze("Do you support 2FA?").key(),
            analyzer.analyze("Do you support MFA?").key()
        );
        assert_eq!(
            analyzer.analyze("Do you have a SOC2 report?").key(),
            analyzer
                .analyze("Do you have a SOC 2 Type II report?")
                .key()
        );
    }

    #[test]
    fn library_groups_add_to_or_replace_the_defaults() {
        let mut settings = Settings {
            synonyms: vec![vec!["lumen".into(), "the platform".into()]],
            ..Settings::default()
        };
        let analyzer = analyzer_for(&settings);
        assert_eq!(
            analyzer.analyze("lumen").key(),
            analyzer.analyze("the platform").key()
        );
        assert_eq!(analyzer.analyze("2fa").key(), analyzer.analyze("mfa").key());
        settings.default_synonyms = false;
        let analyzer = analyzer_for(&settings);
        assert_ne!(analyzer.analyze("2fa").key(), analyzer.analyze("mfa").key());
    }
}
