//! A BERT or MPNet encoder's forward pass (embeddings, then N transformer layers), on candle-core and
//! candle-nn.
//!
//! Only what sentence embedding needs: no pooler, no task heads, no dropout (inference only), absolute
//! position embeddings, exact (erf) GELU. For BERT (all-MiniLM-L6-v2 and its kin) the operations are those
//! of Hugging Face's `BertModel`, in the same order as candle-transformers' port of it, except that the
//! intermediate bias with the GELU, and the attention scale and mask with the softmax, are each one pass of
//! `super::kernels` with a vectorized `exp` (#27: vectors moved by at most 1.6e-7 on a 1,525-text library);
//! owning these lines spares compiling candle-transformers' hundred-odd other models. MPNet
//! (all-mpnet-base-v2) is the same post-LayerNorm transformer with other weight names,
//! no segment embeddings, positions counted from 2, and a relative-position bias added to the attention
//! scores, as Hugging Face's `MPNetModel` computes them.

use anyhow::{Result, bail};
use candle_core::{DType, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, Module, VarBuilder};
use serde::Deserialize;

use super::kernels::{Attention, Dense, DenseNorm, Gelu};

/// The parts of a BERT or MPNet `config.json` that the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    /// BERT's segment embeddings; MPNet has none.
    #[serde(default)]
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub pad_token_id: Option<usize>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
    /// Rows of MPNet's relative-position bias table (32 in microsoft/mpnet-base).
    #[serde(default)]
    pub relative_attention_num_buckets: Option<usize>,
}

/// The two encoder families the forward pass implements. They share the layer structure (post-LayerNorm
/// transformer, exact GELU); they differ in weight names, segment embeddings and position handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// BERT (and MiniLM, which is a BERT): absolute positions from 0, segment embeddings.
    Bert,
    /// MPNet (all-mpnet-base-v2): absolute positions counted from the padding id + 1 as RoBERTa does, no
    /// segment embeddings, and a learned bias per relative-position bucket added to every layer's attention.
    MpNet,
}

impl Config {
    /// Refuses, in plain words, a configuration this forward pass would run wrongly rather than fail on.
    pub fn check(&self) -> Result<Family> {
        let family = match self.model_type.as_deref() {
            None | Some("bert") => Family::Bert,
            Some("mpnet") => Family::MpNet,
            Some(other) => bail!(
                "config.json says the model is of type \"{other}\"; only BERT and MPNet models are supported"
            ),
        };
        if family == Family::Bert && self.type_vocab_size == 0 {
            bail!("config.json: a BERT model needs type_vocab_size");
        }
        if family == Family::MpNet
            && self.relative_attention_num_buckets.unwrap_or(0) < RelativeBias::BUCKETS
        {
            bail!(
                "config.json: an MPNet model needs relative_attention_num_buckets of at least {}",
                RelativeBias::BUCKETS
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
        Ok(family)
    }

    /// How many tokens a text may have: the position table's rows from the first one a text uses.
    pub fn usable_positions(&self, family: Family) -> usize {
        self.max_position_embeddings
            .saturating_sub(first_position(family))
    }
}

/// The row of the position table that a text's first token takes: 0 for BERT; for MPNet the padding id + 1,
/// with the padding id fixed at 1 as Hugging Face's `MPNetEmbeddings` fixes it.
fn first_position(family: Family) -> usize {
    match family {
        Family::Bert => 0,
        Family::MpNet => 2,
    }
}

/// The encoder: the last hidden state is the output (no pooler).
pub struct BertModel {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    relative_bias: Option<RelativeBias>,
}

impl BertModel {
    /// Loads the weights under `vb` (already narrowed to any `bert.` prefix): `embeddings.*` and
    /// `encoder.layer.{i}.*` (plus `encoder.relative_attention_bias` for MPNet), with the shapes `config` gives.
    pub fn load(vb: VarBuilder, config: &Config, family: Family) -> candle_core::Result<BertModel> {
        let embeddings = Embeddings::load(vb.pp("embeddings"), config, family)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), config, family))
            .collect::<candle_core::Result<Vec<_>>>()?;
        let relative_bias = match family {
            Family::Bert => None,
            Family::MpNet => Some(RelativeBias::load(vb.pp("encoder"), config)?),
        };
        Ok(BertModel {
            embeddings,
            layers,
            relative_bias,
        })
    }

    /// `input_ids`, `token_type_ids` and `attention_mask` (1 = real token, 0 = padding) are u32 tensors of
    /// shape (batch, length), each text's tokens first and its padding after them; returns the last hidden
    /// state, (batch, length, hidden_size).
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
        let mut mask = (mask.ones_like()? - &mask)?
            .broadcast_mul(&Tensor::new(f32::MIN, mask.device())?)?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        if let Some(bias) = &self.relative_bias {
            // (1, heads, length, length), computed once and shared by every layer, as in MPNet.
            let (_, length) = input_ids.dims2()?;
            mask = mask.broadcast_add(&bias.forward(length, input_ids.device())?)?;
        }
        for layer in &self.layers {
            hidden = layer.forward(&hidden, &mask)?;
        }
        Ok(hidden)
    }
}

/// MPNet's attention bias: one learned value per head for each bucket of relative position (T5's bucketing:
/// exact for distances under 8, logarithmic up to 128 tokens, by direction).
struct RelativeBias {
    table: Embedding,
}

impl RelativeBias {
    /// Hugging Face's `MPNetEncoder` buckets into 32 whatever the table's size (`num_buckets=32`).
    const BUCKETS: usize = 32;
    const MAX_DISTANCE: f32 = 128.0;

    fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<RelativeBias> {
        // `Config::check` made sure it is there.
        let rows = config
            .relative_attention_num_buckets
            .unwrap_or(Self::BUCKETS);
        let table = candle_nn::embedding(
            rows,
            config.num_attention_heads,
            vb.pp("relative_attention_bias"),
        )?;
        Ok(RelativeBias { table })
    }

    /// The bucket of key position minus query position, as Hugging Face's `MPNetEncoder` computes it (in
    /// f32, truncated toward zero).
    fn bucket(relative: i64) -> u32 {
        let half = (Self::BUCKETS / 2) as i64;
        let exact = half / 2;
        let distance = -relative;
        let mut bucket = if distance < 0 { half } else { 0 };
        let distance = distance.abs();
        bucket += if distance < exact {
            distance
        } else {
            let far = (distance as f32 / exact as f32).ln()
                / (Self::MAX_DISTANCE / exact as f32).ln()
                * (half - exact) as f32;
            (exact + far as i64).min(half - 1)
        };
        bucket as u32
    }

    fn forward(&self, length: usize, device: &candle_core::Device) -> candle_core::Result<Tensor> {
        let buckets: Vec<u32> = (0..length as i64)
            .flat_map(|query| (0..length as i64).map(move |key| (query, key)))
            .map(|(query, key)| Self::bucket(key - query))
            .collect();
        let buckets = Tensor::from_vec(buckets, (length, length), device)?;
        // (length, length, heads) → (1, heads, length, length)
        self.table
            .forward(&buckets)?
            .permute((2, 0, 1))?
            .unsqueeze(0)?
            .contiguous()
    }
}

/// Word + token-type (BERT only) + position embeddings, then LayerNorm.
struct Embeddings {
    word: Embedding,
    position: Embedding,
    token_type: Option<Embedding>,
    /// See [`first_position`].
    first_position: usize,
    layer_norm: LayerNorm,
}

impl Embeddings {
    fn load(vb: VarBuilder, config: &Config, family: Family) -> candle_core::Result<Embeddings> {
        let hidden = config.hidden_size;
        let token_type = match family {
            Family::Bert => Some(candle_nn::embedding(
                config.type_vocab_size,
                hidden,
                vb.pp("token_type_embeddings"),
            )?),
            Family::MpNet => None,
        };
        Ok(Embeddings {
            word: candle_nn::embedding(config.vocab_size, hidden, vb.pp("word_embeddings"))?,
            position: candle_nn::embedding(
                config.max_position_embeddings,
                hidden,
                vb.pp("position_embeddings"),
            )?,
            token_type,
            first_position: first_position(family),
            layer_norm: candle_nn::layer_norm(hidden, config.layer_norm_eps, vb.pp("LayerNorm"))?,
        })
    }

    fn forward(&self, input_ids: &Tensor, token_type_ids: &Tensor) -> candle_core::Result<Tensor> {
        let (_, length) = input_ids.dims2()?;
        let positions = self.position.embeddings();
        let available = positions.dim(0)?.saturating_sub(self.first_position);
        if length > available {
            candle_core::bail!("{length} tokens exceed the model's {available} positions");
        }
        let mut embeddings = self.word.forward(input_ids)?;
        if let Some(token_type) = &self.token_type {
            embeddings = (embeddings + token_type.forward(token_type_ids)?)?;
        }
        // Consecutive rows of the table from the first position, for every text of the batch (padding, which
        // comes after a text's tokens, takes other rows than Hugging Face gives it; the mask hides it).
        let embeddings =
            embeddings.broadcast_add(&positions.narrow(0, self.first_position, length)?)?;
        self.layer_norm.forward(&embeddings)
    }
}

/// One transformer layer: self-attention, dense + residual + LayerNorm, GELU feed-forward, dense + residual
/// + LayerNorm. Its dense layers are `kernels::Dense` (#27): the product written onto the bias (and residual).
struct Layer {
    /// The query, key and value projections as one (their weights and biases stacked): one matrix product
    /// whose output `attention` reads in place (#27).
    qkv: Dense,
    attention: Attention,
    /// The attention's output projection, its residual and LayerNorm.
    attention_output: DenseNorm,
    intermediate: Dense,
    /// The feed-forward block's output projection, its residual and LayerNorm.
    output: DenseNorm,
}

impl Layer {
    fn load(vb: VarBuilder, config: &Config, family: Family) -> candle_core::Result<Layer> {
        let hidden = config.hidden_size;
        let attention = vb.pp("attention");
        let linear = |inputs, outputs, vb: VarBuilder| candle_nn::linear(inputs, outputs, vb);
        let dense_norm = |dense: Linear, vb: VarBuilder| -> candle_core::Result<DenseNorm> {
            let norm = candle_nn::layer_norm(hidden, config.layer_norm_eps, vb)?;
            Ok(DenseNorm {
                dense: Dense::from_linear(&dense)?,
                gamma: norm.weight().to_vec1::<f32>()?,
                beta: match norm.bias() {
                    Some(bias) => bias.to_vec1::<f32>()?,
                    None => vec![0.0; hidden],
                },
                eps: config.layer_norm_eps as f32,
            })
        };
        let [query, key, value, output, output_norm] = match family {
            Family::Bert => [
                "self.query",
                "self.key",
                "self.value",
                "output.dense",
                "output.LayerNorm",
            ],
            Family::MpNet => ["attn.q", "attn.k", "attn.v", "attn.o", "LayerNorm"],
        };
        let [query, key, value] =
            [query, key, value].map(|name| linear(hidden, hidden, attention.pp(name)));
        let (query, key, value) = (query?, key?, value?);
        let stack = |part: fn(&Linear) -> Option<&Tensor>| -> candle_core::Result<Option<Tensor>> {
            match (part(&query), part(&key), part(&value)) {
                (Some(q), Some(k), Some(v)) => Ok(Some(Tensor::cat(&[q, k, v], 0)?)),
                _ => Ok(None),
            }
        };
        let qkv_weight = stack(|linear| Some(linear.weight()))?.expect("three weights");
        let qkv = Dense::from_linear(&Linear::new(qkv_weight, stack(Linear::bias)?))?;
        let head_size = hidden / config.num_attention_heads;
        Ok(Layer {
            qkv,
            attention: Attention {
                heads: config.num_attention_heads,
                head_size,
                scale: (1.0 / (head_size as f64).sqrt()) as f32,
            },
            attention_output: dense_norm(
                linear(hidden, hidden, attention.pp(output))?,
                attention.pp(output_norm),
            )?,
            intermediate: Dense::from_linear(&linear(
                hidden,
                config.intermediate_size,
                vb.pp("intermediate.dense"),
            )?)?,
            output: dense_norm(
                linear(config.intermediate_size, hidden, vb.pp("output.dense"))?,
                vb.pp("output.LayerNorm"),
            )?,
        })
    }

    /// `hidden` is (batch, length, hidden_size); `mask` is what is added to the attention scores: (batch, 1, 1,
    /// length) for padding, or (batch, heads, length, length) with MPNet's relative-position bias.
    fn forward(&self, hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
        // Multi-head attention (`kernels::Attention`) on the fused query/key/value projection.
        let context = hidden
            .apply_op1_no_bwd(&self.qkv)?
            .apply_op2_no_bwd(mask, &self.attention)?;
        let attended = context.apply_op2_no_bwd(hidden, &self.attention_output)?;
        let intermediate = attended.apply_op1_no_bwd(&self.intermediate)?;
        intermediate.inplace_op1(&Gelu)?;
        intermediate.apply_op2_no_bwd(&attended, &self.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_position_buckets_are_those_of_hugging_face_mpnet() {
        // (key position - query position, bucket), from Hugging Face's `relative_position_bucket` formula
        // evaluated in numpy with f32 logarithms: exact below 8, logarithmic to 128, the sign in the upper half.
        let expected = [
            (0, 0),
            (1, 17),
            (-1, 1),
            (7, 23),
            (-7, 7),
            (8, 24),
            (-8, 8),
            (15, 25),
            (16, 26),
            (-16, 10),
            (31, 27),
            (32, 28),
            (63, 29),
            (64, 30),
            (-64, 14),
            (127, 31),
            (128, 31),
            (-128, 15),
            (500, 31),
            (-500, 15),
        ];
        for (relative, bucket) in expected {
            assert_eq!(
                RelativeBias::bucket(relative),
                bucket,
                "relative position {relative}"
            );
        }
    }

    /// A tiny MPNet (2 layers, 2 heads, width 8) with pseudo-random weights: the k-th value of a tensor is
    /// `((k + 1) · 2654435761 + seed · 40503) mod 2³²` scaled to -0.5..0.5 (times 4 for the relative-position
    /// bias, so that it matters), `seed` being the sum of the tensor name's bytes modulo 97.
    fn tiny_mpnet() -> BertModel {
        let config: Config = serde_json::from_str(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
                "intermediate_size": 16, "hidden_act": "gelu", "max_position_embeddings": 24,
                "layer_norm_eps": 1e-5, "model_type": "mpnet", "relative_attention_num_buckets": 32}"#,
        )
        .unwrap();
        let mut shapes: Vec<(String, Vec<usize>)> = vec![
            ("embeddings.word_embeddings.weight".into(), vec![10, 8]),
            ("embeddings.position_embeddings.weight".into(), vec![24, 8]),
            ("embeddings.LayerNorm.weight".into(), vec![8]),
            ("embeddings.LayerNorm.bias".into(), vec![8]),
            ("encoder.relative_attention_bias.weight".into(), vec![32, 2]),
        ];
        for layer in 0..2 {
            let p = format!("encoder.layer.{layer}.");
            for name in ["q", "k", "v", "o"] {
                shapes.push((format!("{p}attention.attn.{name}.weight"), vec![8, 8]));
                shapes.push((format!("{p}attention.attn.{name}.bias"), vec![8]));
            }
            for (name, shape) in [
                ("attention.LayerNorm.weight", vec![8]),
                ("attention.LayerNorm.bias", vec![8]),
                ("intermediate.dense.weight", vec![16, 8]),
                ("intermediate.dense.bias", vec![16]),
                ("output.dense.weight", vec![8, 16]),
                ("output.dense.bias", vec![8]),
                ("output.LayerNorm.weight", vec![8]),
                ("output.LayerNorm.bias", vec![8]),
            ] {
                shapes.push((format!("{p}{name}"), shape));
            }
        }
        let device = candle_core::Device::Cpu;
        let tensors = shapes
            .into_iter()
            .map(|(name, shape)| {
                let seed = u64::from(name.bytes().map(u32::from).sum::<u32>() % 97);
                let scale = if name.contains("relative") { 4.0 } else { 1.0 };
                let count: usize = shape.iter().product();
                let values: Vec<f32> = (0..count as u64)
                    .map(|k| {
                        let x = ((k + 1) * 2_654_435_761 + seed * 40_503) % (1 << 32);
                        (scale * (x as f64 / (1u64 << 32) as f64 - 0.5)) as f32
                    })
                    .collect();
                (name, Tensor::from_vec(values, shape, &device).unwrap())
            })
            .collect();
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let family = config.check().unwrap();
        BertModel::load(vb, &config, family).unwrap()
    }

    /// Hidden states of the tiny MPNet against a numpy transcription of Hugging Face's `MPNetModel` with the same
    /// weights, each text run alone: a batch of a 20-token text (distances up to 19 reach the logarithmic
    /// buckets) and a 13-token one padded to 20, whose real tokens must not see the padding.
    #[test]
    fn a_tiny_mpnet_matches_a_transcription_of_hugging_face_mpnet() {
        let model = tiny_mpnet();
        let long: [u32; 20] = [0, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 2];
        let short: [u32; 13] = [0, 9, 8, 7, 6, 5, 4, 3, 9, 8, 7, 6, 2];
        let device = candle_core::Device::Cpu;
        let mut ids = long.to_vec();
        ids.extend(short);
        ids.extend([1u32; 7]); // MPNet's padding id
        let mask: Vec<u32> = [1u32; 20]
            .into_iter()
            .chain([1; 13])
            .chain([0; 7])
            .collect();
        let ids = Tensor::from_vec(ids, (2, 20), &device).unwrap();
        let mask = Tensor::from_vec(mask, (2, 20), &device).unwrap();
        let hidden = model
            .forward(&ids, &ids.zeros_like().unwrap(), &mask)
            .unwrap()
            .to_vec3::<f32>()
            .unwrap();
        #[rustfmt::skip]
        let expected: [(usize, usize, [f32; 8]); 4] = [
            (0, 0, [0.22298, -0.11619, 0.76233, -0.00772, 0.22017, 0.14507, -0.08912, 1.13610]),
            (0, 19, [0.22488, -0.11912, 0.77692, -0.00726, 0.21105, 0.14665, -0.08115, 1.12018]),
            (1, 0, [0.22234, -0.11838, 0.76036, -0.00775, 0.22179, 0.14496, -0.08905, 1.13897]),
            (1, 12, [0.22691, -0.11455, 0.79208, -0.00722, 0.22129, 0.15197, -0.08525, 1.09124]),
        ];
        for (text, token, values) in expected {
            for (got, want) in hidden[text][token].iter().zip(values) {
                assert!(
                    (got - want).abs() < 2e-5,
                    "text {text}, token {token}: {:?}, expected {values:?}",
                    hidden[text][token]
                );
            }
        }
    }

    fn config(model_type: &str) -> Config {
        serde_json::from_str(&format!(
            r#"{{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                "intermediate_size": 16, "hidden_act": "gelu", "max_position_embeddings": 20,
                "layer_norm_eps": 1e-5, "model_type": "{model_type}", "relative_attention_num_buckets": 32}}"#
        ))
        .unwrap()
    }

    #[test]
    fn configurations_name_their_family_or_are_refused() {
        assert_eq!(config("mpnet").check().unwrap(), Family::MpNet);
        assert_eq!(config("mpnet").usable_positions(Family::MpNet), 18);
        // A BERT configuration without segment embeddings, and other architectures, are refused in words.
        let error = config("bert").check().unwrap_err().to_string();
        assert!(error.contains("type_vocab_size"), "{error}");
        let error = config("roberta").check().unwrap_err().to_string();
        assert!(
            error.contains("\"roberta\"") && error.contains("MPNet"),
            "{error}"
        );
        let mut few_buckets = config("mpnet");
        few_buckets.relative_attention_num_buckets = Some(16);
        let error = few_buckets.check().unwrap_err().to_string();
        assert!(error.contains("relative_attention_num_buckets"), "{error}");
    }
}
