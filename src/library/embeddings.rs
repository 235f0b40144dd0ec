//! The embedding cache: sentence-embedding vectors of texts, kept in the library's cache folder
//! (`<library>/.answerbank/`, see `LibraryLock::acquire_cache`) as `embeddings-<name>.bin`, keyed by text, so
//! that only new or edited texts are embedded again.
//!
//! The file: the magic line `answerbank-embeddings-1\n`, the dimension as a little-endian `u32`, then per text (in
//! byte order) its length in bytes as a `u32`, its UTF-8 bytes and its `dimension` `f32`s, all little-endian. A
//! cache that is missing, damaged, too large, of another dimension or not a regular file reads as empty (or as its
//! records up to the damage) and is rebuilt: it is a cache, never the truth.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::fsutil::{Existing, write_bytes_atomic};

const CACHE_MAGIC: &[u8] = b"answerbank-embeddings-1\n";
/// The largest embedding cache read (a bigger one is rebuilt): 4 GB holds several million wordings.
const MAX_CACHE_BYTES: u64 = 4 << 30;

/// The vectors of one cache file, read once, added to, and saved with only the texts still in use.
#[derive(Debug)]
pub struct EmbeddingCache {
    path: PathBuf,
    dimension: usize,
    vectors: HashMap<String, Vec<f32>>,
    /// Whether a text was added since it was read.
    changed: bool,
}

impl EmbeddingCache {
    /// Reads `<dir>/embeddings-<name>.bin` (`name` names the model, and what the texts are when they are not the
    /// library's), keeping its vectors when they have `dimension` values.
    pub fn load(dir: &Path, name: &str, dimension: usize) -> EmbeddingCache {
        let path = dir.join(format!("embeddings-{name}.bin"));
        let vectors = read(&path, dimension);
        EmbeddingCache {
            path,
            dimension,
            vectors,
            changed: false,
        }
    }

    pub fn get(&self, text: &str) -> Option<&[f32]> {
        self.vectors.get(text).map(Vec::as_slice)
    }

    pub fn contains(&self, text: &str) -> bool {
        self.vectors.contains_key(text)
    }

    /// How many texts it holds.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The texts it holds, in no order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.vectors.keys().map(String::as_str)
    }

    pub fn insert(&mut self, text: String, vector: Vec<f32>) {
        self.vectors.insert(text, vector);
        self.changed = true;
    }

    /// Writes the cache with the `kept` texts only (those it holds), when a text was added or one it holds is no
    /// longer kept; otherwise the file stays as it is.
    pub fn save<'a>(&self, kept: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let kept: HashSet<&str> = kept.into_iter().filter(|t| self.contains(t)).collect();
        if !self.changed && kept.len() == self.vectors.len() {
            return Ok(());
        }
        write_bytes_atomic(&self.path, Existing::Replace, &self.bytes(&kept))
    }

    fn bytes(&self, kept: &HashSet<&str>) -> Vec<u8> {
        let mut out = CACHE_MAGIC.to_vec();
        out.extend_from_slice(&(self.dimension as u32).to_le_bytes());
        let mut texts: Vec<&str> = kept.iter().copied().collect();
        texts.sort();
        for text in texts {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
            for value in &self.vectors[text] {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out
    }
}

fn read(path: &Path, dimension: usize) -> HashMap<String, Vec<f32>> {
    let mut cache = HashMap::new();
    // Only a regular file is read, so a named pipe in the cache folder never keeps the run waiting (#29).
    let Ok(bytes) = crate::fsutil::read_regular(path, MAX_CACHE_BYTES) else {
        return cache;
    };
    let Some(mut rest) = bytes.strip_prefix(CACHE_MAGIC) else {
        return cache;
    };
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
        rest = tail;
        Some(head)
    };
    let read_u32 = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let Some(dim) = take(4).map(read_u32) else {
        return HashMap::new();
    };
    if dim != dimension {
        return cache;
    }
    // A damaged cache is just rebuilt: stop at the first record that does not fit.
    while let Some(len) = take(4).map(read_u32) {
        let Some(text) = take(len)
            .and_then(|t| std::str::from_utf8(t).ok())
            .map(str::to_string)
        else {
            break;
        };
        let Some(raw) = take(dimension * 4) else {
            break;
        };
        let vector = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        cache.insert(text, vector);
    }
    cache
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of a cache holding `a` and `bb` (texts in byte order), dimension 2, as version 1 wrote them.
    fn version_1_bytes() -> Vec<u8> {
        let mut bytes = b"answerbank-embeddings-1\n".to_vec();
        bytes.extend_from_slice(&2u32.to_le_bytes());
        for (text, vector) in [("a", [0.5f32, -1.0]), ("bb", [2.0, 0.25])] {
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
            for value in vector {
                bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
        bytes
    }

    #[test]
    fn reads_and_writes_the_version_1_format_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("embeddings-model.bin");
        std::fs::write(&path, version_1_bytes()).unwrap();
        let mut cache = EmbeddingCache::load(dir.path(), "model", 2);
        assert_eq!(cache.get("a"), Some(&[0.5f32, -1.0][..]));
        assert_eq!(cache.get("bb"), Some(&[2.0f32, 0.25][..]));
        // Nothing added, everything kept: the file is not written again.
        std::fs::write(&path, b"marker").unwrap();
        cache.save(["bb", "a"]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"marker");
        // A text added and one dropped: written with the kept texts only, in the same format.
        cache.insert("c".into(), vec![1.0, 1.0]);
        cache.save(["a", "bb", "bb"]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), version_1_bytes());
    }

    #[test]
    fn another_dimension_or_damage_reads_as_what_fits() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("embeddings-m.bin"), version_1_bytes()).unwrap();
        assert!(EmbeddingCache::load(dir.path(), "m", 3).get("a").is_none());
        let mut damaged = version_1_bytes();
        damaged.truncate(damaged.len() - 1);
        std::fs::write(dir.path().join("embeddings-m.bin"), damaged).unwrap();
        let cache = EmbeddingCache::load(dir.path(), "m", 2);
        assert!(cache.get("a").is_some() && cache.get("bb").is_none());
        assert!(
            EmbeddingCache::load(dir.path(), "absent", 2)
                .get("a")
                .is_none()
        );
    }
}
