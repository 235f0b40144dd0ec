//! The index cache (#2, #7): always in sync with the files, rebuilt when damaged, never a manual step.

use crate::util::{Sandbox, entry};

fn ids(sandbox: &Sandbox, query: &str) -> Vec<String> {
    let out = sandbox.run(&["search", "--library", "lib", "--json", query]);
    out.expect_code(0);
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
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
