//! Semantic matching support: a local sentence-embedding encoder, run in-process on the CPU.
//!
//! Texts in, unit-length vectors out: [`Encoder::load`] reads a sentence-transformers model directory
//! (a BERT encoder such as all-MiniLM-L6-v2, or an MPNet one such as all-mpnet-base-v2: `config.json`,
//! `tokenizer.json`, `model.safetensors`),
//! [`Encoder::embed`] turns questions into vectors, and [`cosine`] compares two of them. Nothing is fetched
//! from the network: the model is a directory the user points at.
//!
//! The decision that isn't obvious: the pipeline reproduces sentence-transformers exactly (truncation at its
//! `max_seq_length`, attention-mask-weighted mean pooling, L2 normalization), not the settings that
//! `tokenizer.json` carries. For all-MiniLM-L6-v2 the tokenizer file says "truncate and pad to 128 tokens",
//! while sentence-transformers truncates at 256 and pads only to the longest text in a batch; following the
//! file would silently change the vectors of long answers.
//!
//! Compiled only with the `semantic` cargo feature (on by default).

mod bert;
#[cfg(feature = "download")]
pub mod download;
mod encoder;
pub mod installed;
mod kernels;

pub use encoder::Encoder;

/// Told, while texts are embedded, `(texts done, texts to embed)`: see [`Encoder::report_progress`].
pub type EmbedProgress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Turns off candle's own pool of threads for element-wise work, unless the user chose its size
/// (`CANDLE_NUM_THREADS`). Its workers spin while they wait for the next operation, and on 2 cores that cost more
/// than it saved: the HECVAT 4.1.4's 331 questions encoded in 1.25 s without it against 1.44 s with it (#18;
/// `cargo bench --bench scale -- --model DIR`), and 1.01 s once batches also ran side by side. Batches, matrix
/// products and the fused GELU and softmax (`kernels`) use every core through rayon instead.
///
/// # Safety
/// It sets an environment variable, so it must run before any other thread exists: first thing in `main`.
pub unsafe fn configure_threads() {
    if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
        // SAFETY: the caller guarantees no other thread is running (see above).
        unsafe { std::env::set_var("CANDLE_NUM_THREADS", "1") };
    }
}

/// Cosine similarity of two unit vectors: [`Encoder::embed`] normalizes, so it is their dot product.
pub use crate::vector::cosine;
