//! `model install` against a hostile mirror (#29): a Hub the test serves on 127.0.0.1 (`test_hub.rs`) that names
//! paths as checksums and commits, sends without end, drips or says nothing, or redirects elsewhere. Each such
//! install stops with a clear error (exit 2, no panic) in bounded time, and nothing outside the cache folder
//! changes; the user's token goes to the endpoint only, and only when they set one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::test_hub::{Reply, TestHub};
use crate::tiny_model;
use crate::util::{Output, Sandbox, tree};

/// The longest an install may run here before the test fails (the old client hung on these servers).
const LIMIT: Duration = Duration::from_secs(20);

/// A sandbox holding a Hugging Face home (`hf-home`, whose `hub` is the cache folder) and the user's own files
/// beside it (`outside/victim.txt`, `outside/dir/modules.json`), which a hostile server aims at.
struct Mirror {
    sandbox: Sandbox,
}

impl Mirror {
    fn new() -> Mirror {
        let sandbox = Sandbox::new();
        std::fs::create_dir_all(sandbox.path("hf-home")).unwrap();
        sandbox.write("outside/victim.txt", "the user's own file\n");
        sandbox.write("outside/dir/modules.json", "the user's own modules.json\n");
        Mirror { sandbox }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.sandbox.path(rel)
    }

    fn cache(&self) -> PathBuf {
        self.path("hf-home/hub")
    }

    /// Runs `model install` against `hub` with `env` added, and checks that nothing outside the cache folder
    /// changed and no temp file was left in it; returns the output and how long it ran.
    fn install(&self, hub: &TestHub, env: &[(&str, &str)]) -> (Output, Duration) {
        let root = self.sandbox.root();
        let cache = self.cache();
        let home = self.path("hf-home");
        let mut all = vec![
            ("HF_ENDPOINT", hub.endpoint.as_str()),
            ("HF_HOME", home.to_str().unwrap()),
        ];
        all.extend_from_slice(env);
        let before = tree(root, Some(&cache));
        let started = Instant::now();
        let out = self
            .sandbox
            .run_with_within(&["model", "install"], &all, LIMIT);
        let elapsed = started.elapsed();
        let after = tree(root, Some(&cache));
        let changed: Vec<&Path> = before
            .keys()
            .chain(after.keys())
            .filter(|path| before.get(*path) != after.get(*path))
            .map(PathBuf::as_path)
            .collect();
        assert!(
            changed.is_empty(),
            "changed outside the cache folder: {changed:?}\nstderr:\n{}",
            out.stderr
        );
        if cache.exists() {
            let temps: Vec<PathBuf> = tree(&cache, None)
                .into_keys()
                .filter(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(".answerbank-tmp")
                })
                .collect();
            assert!(temps.is_empty(), "temp files left in the cache: {temps:?}");
        }
        (out, elapsed)
    }

    /// An install against a hub that answers `file` as `reply`, the tiny model's other files honestly: it must
    /// stop with a clear error naming the file and saying `why`, quickly.
    fn refused(&self, file: &str, reply: Reply, env: &[(&str, &str)], why: &str) -> Duration {
        let hub = TestHub::serve(
            tiny_model::files(),
            BTreeMap::from([(file.to_string(), reply)]),
        );
        let (out, elapsed) = self.install(&hub, env);
        out.expect_clean_error(why);
        assert!(
            out.stderr.contains(&format!("fetching {file} of")),
            "{}",
            out.stderr
        );
        elapsed
    }
}

/// The blob name hf-hub would have used: the git blob SHA-1 of the file.
fn git_sha1(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    answerbank::text::hex(&hasher.finalize())
}

#[test]
fn an_etag_that_is_an_absolute_path_is_refused_and_the_file_it_names_is_untouched() {
    let mirror = Mirror::new();
    let victim = mirror.path("outside/victim.txt");
    mirror.refused(
        "config.json",
        Reply::Header("ETag", format!("\"{}\"", victim.display())),
        &[],
        "is not a checksum",
    );
    assert_eq!(
        std::fs::read_to_string(victim).unwrap(),
        "the user's own file\n"
    );
}

#[test]
fn an_etag_that_climbs_out_of_the_cache_is_refused() {
    let mirror = Mirror::new();
    let sha1 = git_sha1(&tiny_model::files()["config.json"]);
    mirror.refused(
        "config.json",
        Reply::Header("ETag", format!("\"../../../../x/{sha1}\"")),
        &[],
        "is not a checksum",
    );
    assert!(!mirror.path("x").exists());
}

#[test]
fn a_commit_that_is_an_absolute_folder_is_refused_and_the_folder_is_untouched() {
    let mirror = Mirror::new();
    let dir = mirror.path("outside/dir");
    // On every file, modules.json first: the old client linked them into that folder, replacing its own.
    let hub = TestHub::serve_at(dir.to_str().unwrap(), tiny_model::files(), BTreeMap::new());
    let (out, _) = mirror.install(&hub, &[]);
    out.expect_clean_error("is not a commit");
    // Refused at the first file, before anything was written: not even the cache folder.
    assert!(!mirror.cache().exists());
    let status = mirror.sandbox.run_with(
        &["model", "status"],
        &[("HF_HOME", mirror.path("hf-home").to_str().unwrap())],
    );
    assert!(
        status.stdout.contains("not in the Hugging Face cache"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_commit_of_dot_dot_is_refused_without_a_panic() {
    let mirror = Mirror::new();
    mirror.refused(
        "config.json",
        Reply::Header("X-Repo-Commit", "..".into()),
        &[],
        "is not a commit",
    );
}

#[test]
fn a_file_sent_without_end_stops_at_its_limit() {
    let mirror = Mirror::new();
    let elapsed = mirror.refused(
        "config.json",
        Reply::Endless,
        &[],
        "config.json is larger than answerbank accepts for it (1 MB)",
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn a_server_that_drips_or_says_nothing_is_given_up_on_at_the_stall_limit() {
    let stall = [("ANSWERBANK_DOWNLOAD_STALL_SECS", "1")];
    let every = Duration::from_secs(2);
    for reply in [
        Reply::Drip {
            every,
            head_first: false,
        },
        Reply::Drip {
            every,
            head_first: true,
        },
        Reply::Silent,
    ] {
        let mirror = Mirror::new();
        let elapsed = mirror.refused("config.json", reply.clone(), &stall, "the install stopped");
        assert!(
            elapsed < Duration::from_secs(10),
            "{reply:?} took {elapsed:?}"
        );
    }
}

#[test]
fn the_token_goes_to_the_endpoint_and_never_after_a_redirect_to_another_host() {
    let mirror = Mirror::new();
    std::fs::write(mirror.path("hf-home/token"), "hf_secret\n").unwrap();
    // The weights are redirected, as the Hub does to its file storage: here another server (another port).
    let storage = TestHub::serve(tiny_model::files(), BTreeMap::new());
    let hub = TestHub::serve(
        tiny_model::files(),
        BTreeMap::from([(
            "model.safetensors".to_string(),
            Reply::Redirect(storage.endpoint.clone()),
        )]),
    );
    let (out, _) = mirror.install(&hub, &[]);
    out.expect_code(0);
    let sent = hub.authorizations();
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|a| a.as_deref() == Some("Bearer hf_secret")),
        "{sent:?}"
    );
    assert!(
        !storage.requests().is_empty(),
        "the redirect was not followed"
    );
    assert!(
        storage.authorizations().iter().all(Option::is_none),
        "the token reached another host: {:?}",
        storage.requests()
    );
}

#[test]
fn no_token_is_sent_unless_the_user_set_one_and_hf_token_is_one() {
    let mirror = Mirror::new();
    let hub = TestHub::serve(tiny_model::files(), BTreeMap::new());
    let (out, _) = mirror.install(&hub, &[]);
    out.expect_code(0);
    let sent = hub.authorizations();
    assert!(
        !sent.is_empty() && sent.iter().all(Option::is_none),
        "{sent:?}"
    );

    let hub = TestHub::serve(tiny_model::files(), BTreeMap::new());
    let (out, _) = mirror.install(&hub, &[("HF_TOKEN", "hf_from_env")]);
    out.expect_code(0);
    let sent = hub.authorizations();
    assert!(
        !sent.is_empty()
            && sent
                .iter()
                .all(|a| a.as_deref() == Some("Bearer hf_from_env")),
        "{sent:?}"
    );
}
