//! The floors of `docs/architecture.md` hold: no module of `src/` uses a module on its own floor or above it.
//!
//! Reads the floor list from the document (so the two cannot drift apart) and every `crate::<module>` path in
//! `src/` (`use` lines and paths written inline alike), and names each import that breaks the rule. Every
//! top-level module must be on a floor, so a new one is placed deliberately.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The floor of each module, from the "- floor N: `a`, `b`" lines of docs/architecture.md.
fn floors() -> BTreeMap<String, u32> {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    let mut floors = BTreeMap::new();
    for line in doc.lines() {
        let Some(rest) = line.strip_prefix("- floor ") else {
            continue;
        };
        let (number, modules) = rest.split_once(':').expect("- floor N: `module`, ...");
        let floor: u32 = number.trim().parse().expect("a floor number");
        for module in modules.split(',') {
            let module = module.trim().trim_matches('`');
            assert!(
                floors.insert(module.to_string(), floor).is_none(),
                "{module} is on two floors"
            );
        }
    }
    assert!(!floors.is_empty(), "docs/architecture.md lists no floors");
    floors
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The module names a file's text reaches through `crate::` paths.
fn crate_paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

#[test]
fn no_module_uses_one_on_its_floor_or_above() {
    let floors = floors();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&floor) = floors.get(&module) else {
            broken.push(format!(
                "src/{} belongs to `{module}`, which docs/architecture.md puts on no floor",
                relative.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for used in crate_paths(&text) {
            if used == module {
                continue;
            }
            match floors.get(&used) {
                Some(&other) if other < floor => {}
                Some(&other) => broken.push(format!(
                    "src/{} (`{module}`, floor {floor}) uses `{used}` (floor {other})",
                    relative.display()
                )),
                None => broken.push(format!(
                    "src/{} uses `{used}`, which docs/architecture.md puts on no floor",
                    relative.display()
                )),
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn paths_are_read_as_modules() {
    assert_eq!(
        crate_paths(
            "use crate::text::one_line;\nlet x = crate::cell::CellRef::new(0, 0); answerbank::x; my_crate::y"
        ),
        ["text", "cell"]
    );
}
