//! A tiny sentence-transformers model the tests make themselves: a one-layer BERT of width 8 over a
//! 40-word WordPiece vocabulary, with deterministic pseudo-random weights. It embeds nothing well; it has every
//! file and tensor a real model has, so `model install` can fetch, check and load it on any machine, without
//! the reference model or a network.

use std::collections::BTreeMap;

const WIDTH: usize = 8;
const INTERMEDIATE: usize = 16;
const POSITIONS: usize = 64;
const WORDS: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "do", "you", "we", "our", "your", "data",
    "encrypt", "##ed", "##ion", "at", "rest", "in", "transit", "backup", "##s", "test", "access",
    "review", "mfa", "support", "policy", "security", "customer", "key", "annual", "##ly", "audit",
    "soc", "2", "iso", "?", ".", ",", "yes", "no",
];

/// The model's files, by their path in a Hub repository.
pub fn files() -> BTreeMap<String, Vec<u8>> {
    let json = |value: serde_json::Value| serde_json::to_vec_pretty(&value).unwrap();
    BTreeMap::from([
        ("config.json".to_string(), json(config())),
        ("tokenizer.json".to_string(), json(tokenizer())),
        ("model.safetensors".to_string(), safetensors(&tensors())),
        (
            "modules.json".to_string(),
            json(serde_json::json!([
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}
            ])),
        ),
        (
            "sentence_bert_config.json".to_string(),
            json(serde_json::json!({"max_seq_length": 32, "do_lower_case": false})),
        ),
        (
            "1_Pooling/config.json".to_string(),
            json(
                serde_json::json!({"word_embedding_dimension": WIDTH, "pooling_mode_mean_tokens": true}),
            ),
        ),
    ])
}

/// The width of the model's vectors.
pub const DIMENSION: usize = WIDTH;

fn config() -> serde_json::Value {
    serde_json::json!({
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": WORDS.len(),
        "hidden_size": WIDTH, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": INTERMEDIATE, "hidden_act": "gelu", "max_position_embeddings": POSITIONS,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "position_embedding_type": "absolute"
    })
}

/// A BERT WordPiece tokenizer in the `tokenizers` JSON format: lower-casing normalizer, BERT pre-tokenizer,
/// `[CLS] … [SEP]` around each text.
fn tokenizer() -> serde_json::Value {
    let vocab: serde_json::Map<String, serde_json::Value> = WORDS
        .iter()
        .enumerate()
        .map(|(id, word)| (word.to_string(), id.into()))
        .collect();
    let special = |id: usize| {
        serde_json::json!({"id": id, "content": WORDS[id], "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    serde_json::json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": (0..5).map(special).collect::<Vec<_>>(),
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
            }
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    })
}

/// Every tensor of the one-layer BERT, named as sentence-transformers exports them, with its shape and values:
/// the k-th value is `((k + 1) · 2654435761 + seed · 40503) mod 2³²` scaled to -0.5..0.5, `seed` being the
/// sum of the name's bytes modulo 97 (layer-norm weights are 1, so the model is well-conditioned).
fn tensors() -> Vec<(String, Vec<usize>, Vec<f32>)> {
    let mut shapes: Vec<(String, Vec<usize>)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            vec![WORDS.len(), WIDTH],
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            vec![POSITIONS, WIDTH],
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            vec![2, WIDTH],
        ),
        ("embeddings.LayerNorm.weight".into(), vec![WIDTH]),
        ("embeddings.LayerNorm.bias".into(), vec![WIDTH]),
    ];
    let layer = "encoder.layer.0.";
    for name in [
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
    ] {
        shapes.push((format!("{layer}{name}.weight"), vec![WIDTH, WIDTH]));
        shapes.push((format!("{layer}{name}.bias"), vec![WIDTH]));
    }
    for (name, shape) in [
        ("attention.output.LayerNorm.weight", vec![WIDTH]),
        ("attention.output.LayerNorm.bias", vec![WIDTH]),
        ("intermediate.dense.weight", vec![INTERMEDIATE, WIDTH]),
        ("intermediate.dense.bias", vec![INTERMEDIATE]),
        ("output.dense.weight", vec![WIDTH, INTERMEDIATE]),
        ("output.dense.bias", vec![WIDTH]),
        ("output.LayerNorm.weight", vec![WIDTH]),
        ("output.LayerNorm.bias", vec![WIDTH]),
    ] {
        shapes.push((format!("{layer}{name}"), shape));
    }
    shapes
        .into_iter()
        .map(|(name, shape)| {
            let count: usize = shape.iter().product();
            let values = if name.ends_with("LayerNorm.weight") {
                vec![1.0; count]
            } else {
                let seed = u64::from(name.bytes().map(u32::from).sum::<u32>() % 97);
                (0..count as u64)
                    .map(|k| {
                        let x = ((k + 1) * 2_654_435_761 + seed * 40_503) % (1 << 32);
                        (x as f64 / (1u64 << 32) as f64 - 0.5) as f32
                    })
                    .collect()
            };
            (name, shape, values)
        })
        .collect()
}

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the little-endian data.
fn safetensors(tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, shape, values) in tensors {
        let start = data.len();
        data.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [start, data.len()]}),
        );
    }
    let header = serde_json::to_vec(&header).unwrap();
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header);
    bytes.extend(data);
    bytes
}
