//! A BERT encoder's forward pass (embeddings, then N transformer layers), on candle-core and candle-nn.
//!
//! Only what sentence embedding needs: no pooler, no task heads, no dropout (inference only), absolute
//! position embeddings, exact (erf) GELU. The operations are those of Hugging Face's `BertModel`, in the
//! same order as candle-transformers' port of it, so the vectors are bit-for-bit the ones that crate gave;
//! owning these ~200 lines spares compiling candle-transformers' hundred-odd other models.

use anyhow::{Result, bail};
use candle_core::{D, DType, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, Module, VarBuilder};
use serde::Deserialize;

/// The parts of a BERT `config.json` that the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub pad_token_id: Option<usize>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
}

impl Config {
    /// Refuses, in plain words, a configuration this forward pass would run wrongly rather than fail on.
    pub fn check(&self) -> Result<()> {
        if let Some(model_type) = self.model_type.as_deref()
            && model_type != "bert"
        {
            bail!(
                "config.json says the model is of type \"{model_type}\"; only BERT models are supported"
            );
        }
        if self.hidden_act != "gelu" {
            bail!(
                "config.json says hidden_act is \"{}\"; only \"gelu\" (BERT's exact GELU) is supported",
                self.hidden_act
            );
        }
        if let Some(kind) = self.position_embedding_type.as_deref()
            && kind != "absolute"
        {
            bail!(
                "config.json says position_embedding_type is \"{kind}\"; only \"absolute\" is supported"
            );
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            bail!(
                "config.json: hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size,
                self.num_attention_heads
            );
        }
        Ok(())
    }
}

/// The encoder: the last hidden state is the output (no pooler).
pub struct BertModel {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl BertModel {
    /// Loads the weights under `vb` (already narrowed to any `bert.` prefix): `embeddings.*` and
    /// `encoder.layer.{i}.*`, with the shapes `config` gives.
    pub fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<BertModel> {
        let embeddings = Embeddings::load(vb.pp("embeddings"), config)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), config))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(BertModel { embeddings, layers })
    }

    /// `input_ids`, `token_type_ids` and `attention_mask` (1 = real token, 0 = padding) are u32 tensors of
    /// shape (batch, length); returns the last hidden state, (batch, length, hidden_size).
    pub fn forward(
        &self,
        input_ids: &Tensor,
        token_type_ids: &Tensor,
        attention_mask: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let mut hidden = self.embeddings.forward(input_ids, token_type_ids)?;
        // Padding gets the most negative f32 added to its attention scores (as Hugging Face does), so
        // softmax gives it a weight of exactly 0. Shape (batch, 1, 1, length): the same for every head
        // and every query position.
        let mask = attention_mask.to_dtype(DType::F32)?;
        let mask = (mask.ones_like()? - &mask)?
            .broadcast_mul(&Tensor::new(f32::MIN, mask.device())?)?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        for layer in &self.layers {
            hidden = layer.forward(&hidden, &mask)?;
        }
        Ok(hidden)
    }
}

/// Word + token-type + position embeddings, then LayerNorm.
struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    layer_norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Embeddings> {
        let hidden = config.hidden_size;
        Ok(Embeddings {
            word: candle_nn::embedding(config.vocab_size, hidden, vb.pp("word_embeddings"))?,
            position: candle_nn::embedding(
                config.max_position_embeddings,
                hidden,
                vb.pp("position_embeddings"),
            )?,
            token_type: candle_nn::embedding(
                config.type_vocab_size,
                hidden,
                vb.pp("token_type_embeddings"),
            )?,
            layer_norm: candle_nn::layer_norm(hidden, config.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, input_ids: &Tensor, token_type_ids: &Tensor) -> candle_core::Result<Tensor> {
        let (_, length) = input_ids.dims2()?;
        let positions = self.position.embeddings();
        if length > positions.dim(0)? {
            candle_core::bail!(
                "{length} tokens exceed the model's {} positions",
                positions.dim(0)?
            );
        }
        let words = self.word.forward(input_ids)?;
        let token_types = self.token_type.forward(token_type_ids)?;
        // Positions 0..length: the first rows of the table, for every text of the batch.
        let embeddings = (words + token_types)?.broadcast_add(&positions.narrow(0, 0, length)?)?;
        self.layer_norm.forward(&embeddings)
    }
}

/// One transformer layer: self-attention, dense + residual + LayerNorm, GELU feed-forward, dense + residual
/// + LayerNorm.
struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
    heads: usize,
    head_size: usize,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Layer> {
        let hidden = config.hidden_size;
        let attention = vb.pp("attention");
        let linear = |inputs, outputs, vb: VarBuilder| candle_nn::linear(inputs, outputs, vb);
        let norm = |vb: VarBuilder| candle_nn::layer_norm(hidden, config.layer_norm_eps, vb);
        Ok(Layer {
            query: linear(hidden, hidden, attention.pp("self.query"))?,
            key: linear(hidden, hidden, attention.pp("self.key"))?,
            value: linear(hidden, hidden, attention.pp("self.value"))?,
            attention_output: linear(hidden, hidden, attention.pp("output.dense"))?,
            attention_norm: norm(attention.pp("output.LayerNorm"))?,
            intermediate: linear(
                hidden,
                config.intermediate_size,
                vb.pp("intermediate.dense"),
            )?,
            output: linear(config.intermediate_size, hidden, vb.pp("output.dense"))?,
            output_norm: norm(vb.pp("output.LayerNorm"))?,
            heads: config.num_attention_heads,
            head_size: hidden / config.num_attention_heads,
        })
    }

    /// `hidden` is (batch, length, hidden_size); `mask` is the additive (batch, 1, 1, length) mask.
    ///
    /// The intermediate tensors live and die as in candle-transformers (split into these three functions,
    /// the projections kept until the end of `self_attention`). A tighter version that freed them sooner
    /// measured 5 to 10% slower on the `throughput` test, with 10 to 15% more page faults (probably the
    /// order of frees changing how much memory the allocator hands back to the kernel and faults in again).
    fn forward(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let attended = self.attention(hidden, mask)?;
        let intermediate = self.intermediate.forward(&attended)?.gelu_erf()?;
        let output = self.output.forward(&intermediate)?;
        self.output_norm.forward(&(output + &attended)?)
    }

    /// Self-attention, then dense + residual + LayerNorm.
    fn attention(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        let context = self.self_attention(hidden, mask)?;
        let output = self.attention_output.forward(&context)?;
        self.attention_norm.forward(&(output + hidden)?)
    }

    /// Multi-head scaled dot-product attention; returns the heads' outputs side by side,
    /// (batch, length, hidden_size).
    fn self_attention(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        // (batch, length, hidden) → (batch, heads, length, head_size)
        let split_heads = |xs: &Tensor| -> candle_core::Result<Tensor> {
            let (batch, length, _) = xs.dims3()?;
            xs.reshape((batch, length, self.heads, self.head_size))?
                .transpose(1, 2)?
                .contiguous()
        };
        let query = self.query.forward(hidden)?;
        let key = self.key.forward(hidden)?;
        let value = self.value.forward(hidden)?;
        let query = split_heads(&query)?;
        let key = split_heads(&key)?;
        let value = split_heads(&value)?;

        let scores = query.matmul(&key.t()?)?;
        let scores = (scores / (self.head_size as f64).sqrt())?;
        let scores = scores.broadcast_add(mask)?;
        let weights = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let context = weights.matmul(&value)?;
        let context = context.transpose(1, 2)?.contiguous()?;
        context.flatten_from(D::Minus2)
    }
}
