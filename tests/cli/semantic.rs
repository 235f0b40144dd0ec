//! Semantic matching (#8): a model named in library.toml or given with --model, cached embeddings, and what the
//! summaries say; the reference model found in the Hugging Face cache, `--no-model` and `model status` (#18).

use std::path::PathBuf;

use crate::util::{Output, Sandbox};

/// A sandbox with the example library (whose path is returned) and the example questionnaire as `q.xlsx`.
fn example_sandbox() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    let library = sandbox.example_library();
    sandbox.fixture_as("example-questionnaire.xlsx", "q.xlsx");
    (sandbox, library)
}

/// Asserts that a `draft --json` run succeeded with semantic matching `on` or off, in its report and its summary.
#[track_caller]
fn assert_semantic(out: &Output, on: bool) {
    out.expect_code(0);
    assert_eq!(out.json()["semantic"], on, "{}", out.stdout);
    let summary = if on {
        "semantic matching: on"
    } else {
        "semantic matching: off"
    };
    assert!(out.stderr.contains(summary), "{}", out.stderr);
}

#[test]
fn without_a_model_matching_is_lexical_and_says_so() {
    let (sandbox, _) = example_sandbox();
    assert_semantic(&sandbox.run(&["draft", "q.xlsx", "--json"]), false);
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

#[test]
fn model_status_says_matching_is_lexical_when_no_model_is_found() {
    let (sandbox, _) = example_sandbox();
    let out = sandbox.run(&["model", "status"]);
    out.expect_code(1);
    assert!(
        out.stdout.contains("semantic matching: off"),
        "{}",
        out.stdout
    );
    let json = sandbox.run(&["model", "status", "--json"]);
    assert_eq!(json.json()["semantic"], false, "{}", json.stdout);
    // --model and --no-model cannot go together.
    sandbox
        .run(&["draft", "q.xlsx", "--model", "x", "--no-model"])
        .expect_code(2);
}

/// With the reference model (compiled with the `semantic` feature, the default).
#[cfg(feature = "semantic")]
mod with_model {
    use super::{assert_semantic, example_sandbox};
    use crate::util::{Sandbox, field, test_model};

    /// Questions in words of our own (not the library's) whose right entry lexical matching of the example
    /// library does not rank first, and the reference model does. Measured (the first two results):
    /// - ai-opt-out: without a model ai-incident-response, ai-use-in-product; with it ai-opt-out,
    ///   ai-use-in-product.
    /// - ai-governance-accountability: without a model access-reviews, then the right entry; with it the right
    ///   entry, ai-policy.
    const PARAPHRASES: [(&str, &str); 2] = [
        (
            "Can we switch off the machine learning features?",
            "ai-opt-out",
        ),
        (
            "Is there someone accountable for AI?",
            "ai-governance-accountability",
        ),
    ];

    /// The ids `search` ranks for a question, best first.
    fn ranked(sandbox: &Sandbox, question: &str) -> Vec<String> {
        let out = sandbox.run(&["search", "--json", "-n", "3", question]);
        out.expect_code(0);
        field(&out.json(), "id")
    }

    #[test]
    fn a_model_in_library_toml_finds_paraphrases_and_caches_its_embeddings() {
        let Some(model) = test_model() else { return };
        let (sandbox, library) = example_sandbox();

        // Without the model, the paraphrases' entries are not first: the model has something to prove.
        for (question, id) in PARAPHRASES {
            let ids = ranked(&sandbox, question);
            assert_ne!(
                ids.first().map(String::as_str),
                Some(id),
                "{question}: {ids:?}"
            );
        }

        let settings = std::fs::read_to_string(library.join("library.toml")).unwrap();
        std::fs::write(
            library.join("library.toml"),
            format!(
                "{settings}\n[semantic]\nmodel = {:?}\n",
                model.display().to_string()
            ),
        )
        .unwrap();

        let out = sandbox.run(&["draft", "q.xlsx", "--json"]);
        assert_semantic(&out, true);
        assert!(
            out.stderr.contains("embedded"),
            "the first run embeds the library: {}",
            out.stderr
        );
        let first = out.json();
        // One cache for the library's wordings and answers, one for the sentences of its documents (#24), one for
        // the questions of the questionnaires drafted (#24, speed).
        let mut caches: Vec<String> = std::fs::read_dir(library.join(".answerbank"))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("embeddings-"))
            .collect();
        caches.sort();
        assert_eq!(caches.len(), 3, "{caches:?}");
        assert!(caches[1].starts_with("embeddings-documents-"), "{caches:?}");
        assert!(caches[2].starts_with("embeddings-questions-"), "{caches:?}");

        // The second run reads the caches, questions included, and drafts exactly what the first did.
        let out = sandbox.run(&["draft", "q.xlsx", "--json", "--force"]);
        assert_semantic(&out, true);
        assert!(!out.stderr.contains("embedded"), "{}", out.stderr);
        assert_eq!(out.json()["bands"], first["bands"]);
        assert_eq!(out.json()["documents"], first["documents"]);
        assert_eq!(out.json()["skipped"], first["skipped"]);
        // A damaged questions cache is only rebuilt.
        let questions = library.join(".answerbank").join(&caches[2]);
        std::fs::write(&questions, b"answerbank-embeddings-1\n\x80\x01").unwrap();
        let out = sandbox.run(&["draft", "q.xlsx", "--json", "--force"]);
        assert_eq!(out.json()["bands"], first["bands"]);
        assert!(std::fs::metadata(&questions).unwrap().len() > 1000);

        // With the model (named in library.toml), the paraphrases find their entries first.
        for (question, id) in PARAPHRASES {
            let ids = ranked(&sandbox, question);
            assert_eq!(
                ids.first().map(String::as_str),
                Some(id),
                "{question}: {ids:?}"
            );
        }

        // An edited entry is embedded again, alone.
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
    }

    /// With the reference model, on every dev file of #15, answerbank ranks at least as well as rank fusion of
    /// BM25 and the model (Hit@1, MRR) and the model alone (Hit@5), its bands mean what they say, and the macro
    /// Hit@1 reaches the goal of 0.45. Measured: macro Hit@1 0.498 (RRF 0.455, the model alone 0.360).
    #[test]
    fn the_reference_model_beats_its_peers_on_the_dev_suite() {
        let Some(model) = test_model() else { return };
        let sandbox = Sandbox::new();
        let Some(report) =
            crate::eval::suite_report(&sandbox, &["--model", model.to_str().unwrap()])
        else {
            return;
        };
        crate::eval::check_suite(&report, &["rrf"]);
        for file in report["files"].as_array().unwrap() {
            let Some(alone) = report["peers"]["model"]["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["file"] == file["file"])
            else {
                continue;
            };
            assert!(
                file["hit_at_5"].as_f64().unwrap() >= alone["hit_at_5"].as_f64().unwrap(),
                "{file} / {alone}"
            );
        }
        assert!(
            report["macro"]["hit_at_1"].as_f64().unwrap() >= 0.45,
            "{report}"
        );
    }

    /// A Hugging Face cache as `huggingface_hub` lays it out, holding the test model as the reference model
    /// (each file a symbolic link, as the cache links snapshots to its blobs). Returns the cache's HF_HOME.
    #[cfg(unix)]
    fn hugging_face_home(sandbox: &Sandbox, model: &std::path::Path) -> std::path::PathBuf {
        let home = sandbox.path("hf-home");
        let repo = home.join("hub/models--sentence-transformers--all-MiniLM-L6-v2");
        let snapshot = repo.join("snapshots/0123abcd");
        std::fs::create_dir_all(&snapshot).unwrap();
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs/main"), "0123abcd").unwrap();
        for entry in std::fs::read_dir(model).unwrap() {
            let entry = entry.unwrap();
            std::os::unix::fs::symlink(entry.path(), snapshot.join(entry.file_name())).unwrap();
        }
        home
    }

    #[cfg(unix)]
    #[test]
    fn the_reference_model_in_the_hugging_face_cache_is_used_without_configuration() {
        let Some(model) = test_model() else { return };
        let (sandbox, _) = example_sandbox();
        let home = hugging_face_home(&sandbox, &model);
        let env = [("HF_HOME", home.to_str().unwrap())];

        let status = sandbox.run_with(&["model", "status"], &env);
        status.expect_code(0);
        assert!(
            status
                .stdout
                .contains("the reference model found in the Hugging Face cache"),
            "{}",
            status.stdout
        );
        let json = sandbox
            .run_with(&["model", "status", "--json"], &env)
            .json();
        assert_eq!(json["source"], "hugging-face-cache");
        assert_eq!(json["dimension"], 384);

        assert_semantic(
            &sandbox.run_with(&["draft", "q.xlsx", "--json"], &env),
            true,
        );
        // --no-model turns it off, and status says so.
        assert_semantic(
            &sandbox.run_with(
                &["draft", "q.xlsx", "--json", "--force", "--no-model"],
                &env,
            ),
            false,
        );
        let off = sandbox.run_with(&["model", "status", "--no-model"], &env);
        off.expect_code(1);
        assert!(off.stdout.contains("off (--no-model)"), "{}", off.stdout);
        // A model named in library.toml comes first: a broken one is an error that names where it came from.
        let library = sandbox.path("answer_library");
        let settings = std::fs::read_to_string(library.join("library.toml")).unwrap();
        std::fs::write(
            library.join("library.toml"),
            format!("{settings}\n[semantic]\nmodel = \"missing-model\"\n"),
        )
        .unwrap();
        sandbox
            .run_with(&["draft", "q.xlsx", "--force"], &env)
            .expect_clean_error("library.toml");
    }
}

/// `answerbank model install` against a Hub the test serves on 127.0.0.1 (HF_ENDPOINT), with a model's
/// files: the same client code path as the real Hub, which these machines cannot reach. The model served is
/// the tiny one the tests make (`tiny_model.rs`), so these tests run everywhere.
#[cfg(all(feature = "download", unix))]
mod install {
    use std::collections::BTreeMap;
    use std::net::TcpListener;

    use super::example_sandbox;
    use crate::test_hub::{COMMIT, Reply, TestHub};
    use crate::tiny_model;

    #[test]
    fn install_fetches_checks_and_is_then_used_without_configuration() {
        let (sandbox, _) = example_sandbox();
        let hub = TestHub::serve(tiny_model::files(), BTreeMap::new());
        let endpoint = hub.endpoint;
        let home = sandbox.path("hf-home");
        let env = [
            ("HF_ENDPOINT", endpoint.as_str()),
            ("HF_HOME", home.to_str().unwrap()),
        ];

        let out = sandbox.run_with(&["model", "install", "--json"], &env);
        out.expect_code(0);
        let report = out.json();
        assert_eq!(report["dimension"], tiny_model::DIMENSION, "{}", out.stdout);
        assert_eq!(report["used_without_configuration"], true);
        assert!(
            report["dir"].as_str().unwrap().contains(COMMIT),
            "{}",
            out.stdout
        );

        let status = sandbox
            .run_with(&["model", "status", "--json"], &env)
            .json();
        assert_eq!(status["source"], "hugging-face-cache");
        let draft = sandbox.run_with(&["draft", "q.xlsx", "--json"], &env);
        draft.expect_code(0);
        assert_eq!(draft.json()["semantic"], true, "{}", draft.stderr);
    }

    #[test]
    fn a_damaged_download_is_refused_and_leaves_no_usable_model() {
        let (sandbox, _) = example_sandbox();
        let files = tiny_model::files();
        let mut damaged = files["model.safetensors"].clone();
        let middle = damaged.len() / 2;
        damaged[middle] ^= 0xff;
        let endpoint = TestHub::serve(
            files,
            BTreeMap::from([("model.safetensors".to_string(), Reply::Bytes(damaged))]),
        )
        .endpoint;
        let home = sandbox.path("hf-home");
        let env = [
            ("HF_ENDPOINT", endpoint.as_str()),
            ("HF_HOME", home.to_str().unwrap()),
        ];

        let out = sandbox.run_with(&["model", "install"], &env);
        out.expect_clean_error("damaged");
        assert!(out.stderr.contains("model.safetensors"), "{}", out.stderr);
        sandbox.run_with(&["model", "status"], &env).expect_code(1);
        let draft = sandbox.run_with(&["draft", "q.xlsx", "--json"], &env);
        assert_eq!(draft.json()["semantic"], false, "{}", draft.stderr);
    }

    #[test]
    fn an_unreachable_hub_is_a_clear_error() {
        let (sandbox, _) = example_sandbox();
        // A port nothing listens on: bound, then closed.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let home = sandbox.path("hf-home");
        let env = [
            ("HF_ENDPOINT", endpoint.as_str()),
            ("HF_HOME", home.to_str().unwrap()),
        ];
        let out = sandbox.run_with(&["model", "install"], &env);
        out.expect_clean_error("could not reach");
    }
}
