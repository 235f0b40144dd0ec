//! Finding the documents: the configured files and folders → the list of documents to read, each with the name it
//! is cited by. Iterative (no recursion), sorted (the same folder gives the same order), bounded by
//! [`Limits`](super::Limits). See the module header of `documents` for what is skipped and why.

use std::path::{Path, PathBuf};

use super::{Format, Limits, Problem, format_of};

/// A document to read.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub path: PathBuf,
    /// Relative to the folder it was found under, `/`-separated; a file given directly, its file name.
    pub cited: String,
    pub format: Format,
}

/// The configured paths that are folders (for pruning the cache of documents that are gone).
pub(crate) fn folders(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths.iter().filter(|p| p.is_dir()).cloned().collect()
}

pub(crate) fn find(paths: &[PathBuf], limits: &Limits, problems: &mut Vec<Problem>) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut entries = 0usize;
    let mut over = false;
    for root in paths {
        let metadata = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(err) => {
                problems.push(problem(root, format!("it cannot be read ({err})")));
                continue;
            }
        };
        if !metadata.is_dir() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            match format_of(root) {
                Some(format) if seen.insert(canonical(root)) => found.push(Found {
                    path: root.clone(),
                    cited: name,
                    format,
                }),
                Some(_) => {}
                None => problems.push(problem(
                    root,
                    "its type is not one answerbank reads (Markdown, text, HTML, .docx or PDF)"
                        .to_string(),
                )),
            }
            continue;
        }
        let root_canonical = canonical(root);
        // (folder, its path relative to the root, depth)
        let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.clone(), String::new(), 0)];
        while let Some((dir, relative, depth)) = stack.pop() {
            let mut children: Vec<std::fs::DirEntry> = match std::fs::read_dir(&dir) {
                Ok(list) => list.flatten().collect(),
                Err(err) => {
                    problems.push(problem(&dir, format!("the folder cannot be read ({err})")));
                    continue;
                }
            };
            children.sort_by_key(std::fs::DirEntry::file_name);
            let mut subfolders = Vec::new();
            for child in children {
                entries += 1;
                if entries > limits.max_entries || found.len() >= limits.max_files {
                    over = true;
                    break;
                }
                let name = child.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = child.path();
                let cited = if relative.is_empty() {
                    name.clone()
                } else {
                    format!("{relative}/{name}")
                };
                let Ok(kind) = child.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if depth + 1 > limits.max_depth {
                        problems.push(problem(
                            &path,
                            format!(
                                "the folder is more than {} levels deep; it was not read",
                                limits.max_depth
                            ),
                        ));
                    } else {
                        subfolders.push((path, cited, depth + 1));
                    }
                    continue;
                }
                let Some(format) = format_of(&path) else {
                    continue;
                };
                if kind.is_symlink() {
                    // A linked file is read only when it leads somewhere inside the same folder.
                    let target = canonical(&path);
                    if !target.starts_with(&root_canonical) || !target.is_file() {
                        continue;
                    }
                }
                if seen.insert(canonical(&path)) {
                    found.push(Found {
                        path,
                        cited,
                        format,
                    });
                }
            }
            if over {
                break;
            }
            // Reversed, so that the stack pops them in name order.
            stack.extend(subfolders.into_iter().rev());
        }
        if over {
            problems.push(problem(
                root,
                format!(
                    "it holds more than {} documents or {} entries; the rest were not read",
                    limits.max_files, limits.max_entries
                ),
            ));
            break;
        }
    }
    found
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn problem(path: &Path, reason: String) -> Problem {
    Problem {
        file: path.to_path_buf(),
        reason,
    }
}
