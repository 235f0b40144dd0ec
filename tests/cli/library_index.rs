//! The index cache (#2, #7): always in sync with the files, rebuilt when damaged, never a manual step.

use crate::util::{Sandbox, entry, field};

fn ids(sandbox: &Sandbox, query: &str) -> Vec<String> {
    let out = sandbox.run(&["search", "--library", "lib", "--json", query]);
    out.expect_code(0);
    field(&out.json(), "id")
}

#[test]
fn edits_show_up_in_search_without_any_index_step() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/pets.md",
        &entry("Do you have a dog?", "", "Yes, a beagle."),
    );
    sandbox.write(
        "lib/plants.md",
        &entry("Do you water the plants?", "", "Weekly."),
    );
    assert_eq!(ids(&sandbox, "dog")[0], "pets");
    assert!(
        sandbox.path("lib/.answerbank/index").is_dir(),
        "the cache lives in a dot-folder of the library"
    );

    // Edit: the new wording is found, the old one is gone.
    sandbox.write(
        "lib/pets.md",
        &entry("Do you have a parrot?", "", "Yes, a macaw."),
    );
    assert_eq!(ids(&sandbox, "parrot")[0], "pets");
    assert!(ids(&sandbox, "dog").is_empty());

    // Add, in a sub-folder, and remove.
    sandbox.write("lib/topic/cats.md", &entry("Do you have a cat?", "", "No."));
    assert_eq!(ids(&sandbox, "cat")[0], "cats");
    std::fs::remove_file(sandbox.path("lib/plants.md")).unwrap();
    assert!(ids(&sandbox, "plants water").is_empty());

    // Retiring an entry takes it out of matching.
    sandbox.write(
        "lib/topic/cats.md",
        &entry("Do you have a cat?", "status = \"retired\"\n", "No."),
    );
    assert!(ids(&sandbox, "cat").is_empty());
}

#[test]
fn synonyms_in_library_toml_apply_as_soon_as_it_changes() {
    let sandbox = Sandbox::new();
    sandbox.write("lib/pets.md", &entry("Do you have a dog?", "", "Yes."));
    assert!(ids(&sandbox, "hound").is_empty());
    sandbox.write("lib/library.toml", "synonyms = [[\"dog\", \"hound\"]]\n");
    assert_eq!(ids(&sandbox, "hound"), vec!["pets"]);
}

#[test]
fn a_damaged_cache_is_rebuilt_from_the_files() {
    let sandbox = Sandbox::new();
    sandbox.write("lib/pets.md", &entry("Do you have a dog?", "", "Yes."));
    assert_eq!(ids(&sandbox, "dog"), vec!["pets"]);
    // Garbage in every file of the index, and a truncated manifest.
    for item in std::fs::read_dir(sandbox.path("lib/.answerbank/index")).unwrap() {
        let path = item.unwrap().path();
        if path.is_file() {
            std::fs::write(&path, b"garbage").unwrap();
        }
    }
    assert_eq!(ids(&sandbox, "dog"), vec!["pets"]);
    std::fs::write(
        sandbox.path("lib/.answerbank/manifest.json"),
        b"{\"files\":",
    )
    .unwrap();
    assert_eq!(ids(&sandbox, "dog"), vec!["pets"]);
    // The whole cache gone.
    std::fs::remove_dir_all(sandbox.path("lib/.answerbank")).unwrap();
    assert_eq!(ids(&sandbox, "dog"), vec!["pets"]);
}

#[test]
fn a_library_whose_folder_cannot_be_written_is_cached_in_the_user_cache() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/mfa.md",
        &entry(
            "Do you enforce multi-factor authentication?",
            "short_answer = \"Yes\"\n",
            "Yes, for every employee account.",
        ),
    );
    // The library's own cache folder cannot be made (as in a read-only checkout: a test running as root could
    // still write a read-only folder, but not make a folder where a file is).
    sandbox.write("lib/.answerbank", "not a folder");
    let user_cache = sandbox.path("user-cache");
    let out = sandbox.run_with(
        &["search", "--library", "lib", "--json", "two-factor login"],
        &[("XDG_CACHE_HOME", user_cache.to_str().unwrap())],
    );
    out.expect_code(0);
    assert_eq!(out.json()[0]["id"], "mfa", "{}", out.stdout);
    let caches: Vec<_> = std::fs::read_dir(user_cache.join("answerbank/libraries"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        caches.len() == 1 && caches[0].starts_with("lib-"),
        "{caches:?}"
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.path("lib/.answerbank")).unwrap(),
        "not a folder"
    );
    // Drafting works from it too.
    sandbox.fixture("simple.csv");
    let out = sandbox.run_with(
        &["draft", "simple.csv", "--library", "lib", "--json"],
        &[("XDG_CACHE_HOME", user_cache.to_str().unwrap())],
    );
    out.expect_code(0);
    let drafted = out.json()["drafted_file"].as_str().unwrap().to_string();
    assert!(sandbox.path(&drafted).exists(), "{}", out.stdout);

    // Without any user cache folder, the error says what to do.
    let out = sandbox.run_with(
        &["search", "--library", "lib", "MFA"],
        &[("XDG_CACHE_HOME", ""), ("HOME", "")],
    );
    out.expect_clean_error("is the library folder writable?");
}

#[test]
fn of_two_files_with_one_id_only_the_first_is_matched_as_check_says() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "lib/a/backups.md",
        &entry(
            "Are backups encrypted?",
            "short_answer = \"Yes\"\n",
            "Yes, with AES-256.",
        ),
    );
    sandbox.write(
        "lib/b/backups.md",
        &entry(
            "Are backups encrypted and tested?",
            "short_answer = \"No\"\n",
            "No.",
        ),
    );
    let out = sandbox.run(&[
        "search",
        "--library",
        "lib",
        "--json",
        "encrypted backups tested",
    ]);
    out.expect_code(0);
    assert_eq!(
        field(&out.json(), "path"),
        ["a/backups.md"],
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("b/backups.md"), "{}", out.stderr);
    let out = sandbox.run(&["check", "--library", "lib"]);
    out.expect_code(1);
    assert!(out.stdout.contains("b/backups.md"), "{}", out.stdout);

    // A retired pair with one id shadows nothing that counts: the library still has its one usable entry.
    for folder in ["a", "b"] {
        sandbox.write(
            &format!("lib/{folder}/backups.md"),
            &entry("Are backups encrypted?", "status = \"retired\"\n", "Old."),
        );
    }
    sandbox.write(
        "lib/keys.md",
        &entry("Do you rotate encryption keys?", "", "Yearly."),
    );
    let out = sandbox.run(&["search", "--library", "lib", "--json", "rotate keys"]);
    out.expect_code(0);
    assert_eq!(out.json()[0]["id"], "keys", "{}", out.stdout);
}
