//! Semantic matching (#8): a model named in library.toml or given with --model, cached embeddings, and what the
//! summaries say.

use crate::util::Sandbox;

#[test]
fn without_a_model_matching_is_lexical_and_says_so() {
    let sandbox = Sandbox::new();
    sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    let out = sandbox.run(&["draft", "q.xlsx", "--json"]);
    out.expect_code(0);
    assert_eq!(out.json()["semantic"], false);
    assert!(
        out.stderr.contains("semantic matching: off"),
        "{}",
        out.stderr
    );
    // A model that is not there (or a build without semantic matching) is one clear error.
    let expected = if cfg!(feature = "semantic") {
        "no-such-model"
    } else {
        "without semantic matching"
    };
    sandbox
        .run(&["draft", "q.xlsx", "--model", "no-such-model", "--force"])
        .expect_clean_error(expected);
}

/// With the reference model (compiled with the `semantic` feature, the default).
#[cfg(feature = "semantic")]
mod with_model {
    use crate::util::{Sandbox, shared, test_model};

    #[test]
    fn a_model_in_library_toml_finds_paraphrases_and_caches_its_embeddings() {
        let Some(model) = test_model() else { return };
        let sandbox = Sandbox::new();
        let library = sandbox.example_library();
        let settings = std::fs::read_to_string(library.join("library.toml")).unwrap();
        std::fs::write(
            library.join("library.toml"),
            format!(
                "{settings}\n[semantic]\nmodel = {:?}\n",
                model.display().to_string()
            ),
        )
        .unwrap();
        sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");

        let out = sandbox.run(&["draft", "q.xlsx", "--json"]);
        out.expect_code(0);
        assert_eq!(out.json()["semantic"], true);
        assert!(
            out.stderr.contains("semantic matching: on"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("embedded"),
            "the first run embeds the library: {}",
            out.stderr
        );
        let caches: Vec<_> = std::fs::read_dir(library.join(".answerbank"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("embeddings-"))
            .collect();
        assert_eq!(caches.len(), 1);

        // The second run reads the cache; an edited entry is embedded again, alone.
        let out = sandbox.run(&["draft", "q.xlsx", "--json", "--force"]);
        out.expect_code(0);
        assert!(!out.stderr.contains("embedded"), "{}", out.stderr);
        let mfa = library.join("security/customer-mfa.md");
        let text = std::fs::read_to_string(&mfa).unwrap();
        std::fs::write(
            &mfa,
            text.replace(
                "Do you offer 2FA for user logins?",
                "Is two-step login available to our users?",
            ),
        )
        .unwrap();
        let out = sandbox.run(&[
            "search",
            "--json",
            "Is two-step login available to our users?",
        ]);
        out.expect_code(0);
        assert!(out.stderr.contains("embedded 1 wordings"), "{}", out.stderr);
        assert_eq!(out.json()[0]["id"], "customer-mfa");

        // A question that shares no words with its answer's wording.
        let out = sandbox.run(&[
            "search",
            "--json",
            "-n",
            "3",
            "Are new team members screened before they start?",
        ]);
        let results = out.json();
        let ids: Vec<&str> = results
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"background-checks"), "{ids:?}");
    }

    #[test]
    fn eval_with_the_reference_model_on_the_caiq_bench() {
        let (Some(model), Some(library), Some(cases)) = (
            test_model(),
            shared("bench/caiq/library"),
            shared("bench/caiq/dev.csv"),
        ) else {
            return;
        };
        let sandbox = Sandbox::new();
        sandbox.copy_dir(&library, "caiq");
        let out = sandbox.run(&[
            "eval",
            "--library",
            "caiq",
            "--cases",
            cases.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--json",
        ]);
        out.expect_code(0);
        let report = out.json();
        assert_eq!(report["semantic"], true);
        assert!(report["hit_at_1"].as_f64().unwrap() >= 0.33, "{report}");
        assert!(report["hit_at_5"].as_f64().unwrap() >= 0.55, "{report}");
        let high = &report["bands"]["high"];
        assert!(
            high["count"].as_u64().unwrap() == 0 || high["precision"].as_f64().unwrap() >= 0.95,
            "{report}"
        );
    }
}
