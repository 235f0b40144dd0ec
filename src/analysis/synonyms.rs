//! The synonym groups a library matches with: answerbank's built-in questionnaire vocabulary
//! (`default_synonyms.toml`) followed by the library's own groups from `library.toml`.
//!
//! In: whether the built-in groups are on, the library's groups and stop phrases (the library's settings supply
//! them: `library::Settings::analyzer`). Out: the [`Analyzer`] every index build and every query of that library
//! uses.

use serde::Deserialize;

use super::Analyzer;

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

/// The groups a library uses, built-in first (when `use_defaults`) so a library group that shares a phrase joins
/// it.
pub fn groups(use_defaults: bool, library_groups: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut groups = if use_defaults {
        default_groups()
    } else {
        Vec::new()
    };
    groups.extend(library_groups.iter().cloned());
    groups
}

/// The analyzer for a library's groups and stop phrases.
pub fn analyzer(
    use_defaults: bool,
    library_groups: &[Vec<String>],
    stop_phrases: &[String],
) -> Analyzer {
    Analyzer::new(&groups(use_defaults, library_groups), stop_phrases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_groups_parse_and_apply() {
        assert!(default_groups().len() > 40);
        let analyzer = analyzer(true, &[], &[]);
        assert_eq!(
            analyzer.analyze("Do you support 2FA?").notions,
            analyzer.analyze("Do you support MFA?").notions
        );
        assert_eq!(
            analyzer.analyze("Do you have a SOC2 report?").notions,
            analyzer.analyze("Do you have a SOC 2 report?").notions
        );
        // Related but different things are not one notion (see #14).
        for (a, b) in [
            ("SOC 2 Type I report", "SOC 2 Type II report"),
            ("intrusion detection", "intrusion prevention"),
            ("business continuity plan", "disaster recovery plan"),
            ("EDR on all endpoints", "antivirus on all endpoints"),
            ("privacy awareness training", "security awareness training"),
            ("SIEM", "log management"),
            ("RBAC", "least privilege"),
            ("SOC report", "SOC 2 report"),
            ("AI", "machine learning"),
            ("log", "audit log"),
        ] {
            assert_ne!(
                analyzer.analyze(a).notions,
                analyzer.analyze(b).notions,
                "{a} / {b}"
            );
        }
    }

    #[test]
    fn every_phrase_is_in_one_group_only() {
        // A phrase in two groups would silently merge them (see `merge_groups`), joining what the file keeps
        // apart.
        let analyzer = analyzer(false, &[], &[]);
        let mut seen = std::collections::HashMap::new();
        for (n, group) in default_groups().iter().enumerate() {
            for phrase in group {
                let key = analyzer.words(phrase).join(" ");
                if let Some(other) = seen.insert(key.clone(), n) {
                    assert_eq!(other, n, "`{phrase}` is in two groups");
                }
            }
        }
    }

    #[test]
    fn library_groups_add_to_or_replace_the_defaults() {
        let library = vec![vec!["lumen".to_string(), "the platform".to_string()]];
        let with_defaults = analyzer(true, &library, &[]);
        assert_eq!(
            with_defaults.analyze("lumen").notions,
            with_defaults.analyze("the platform").notions
        );
        assert_eq!(
            with_defaults.analyze("2fa").notions,
            with_defaults.analyze("mfa").notions
        );
        let analyzer = analyzer(false, &library, &[]);
        assert_ne!(
            analyzer.analyze("2fa").notions,
            analyzer.analyze("mfa").notions
        );
    }
}
