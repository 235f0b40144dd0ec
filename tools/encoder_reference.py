"""The encoder's reference speed: all-MiniLM-L6-v2 (any BERT sentence-transformers directory) in plain numpy.

The same pipeline as answerbank's encoder (src/semantic/encoder.rs): WordPiece ids from tokenizer.json, batches of
32 texts sorted by length and padded to their longest, six BERT layers with exact GELU, mean pooling over the real
tokens, L2 normalization. numpy's matrix products run on OpenBLAS with every core, so this is what a careful CPU
implementation costs here. It embeds the questions `cargo bench --bench scale -- --model DIR` wrote (the HECVAT
4.1.4's), best of three, and prints questions per second.

    pip install numpy tokenizers safetensors
    python3 tools/encoder_reference.py MODEL_DIR [target/bench-data/hecvat-questions.txt]
"""

import json
import math
import sys
import time

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

BATCH = 32


def _erf(x):
    # numpy has no erf; scipy's is not assumed. Abramowitz-Stegun 7.1.26 (error below 1.5e-7), vectorized.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def main():
    model_dir = sys.argv[1]
    questions_path = sys.argv[2] if len(sys.argv) > 2 else "target/bench-data/hecvat-questions.txt"
    config = json.load(open(f"{model_dir}/config.json"))
    weights = load_file(f"{model_dir}/model.safetensors")
    prefix = "bert." if any(k.startswith("bert.") for k in weights) else ""
    w = {k[len(prefix):] if k.startswith(prefix) else k: v.astype(np.float32) for k, v in weights.items()}
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tokenizer.enable_truncation(256)
    heads = config["num_attention_heads"]
    hidden = config["hidden_size"]
    head_size = hidden // heads
    eps = config.get("layer_norm_eps", 1e-12)
    texts = [line for line in open(questions_path).read().split("\n") if line]

    def embed_batch(ids, mask):
        b, n = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n][None] \
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :].astype(np.float32)
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            def dense(t, name):
                # One 2-D product over every token (a 3-D one is half as fast).
                out = t.reshape(-1, t.shape[-1]) @ w[p + name + ".weight"].T + w[p + name + ".bias"]
                return out.reshape(b, n, -1)
            def split(t):
                # Contiguous, or numpy's stacked matmul leaves BLAS for a slow loop.
                return np.ascontiguousarray(t.reshape(b, n, heads, head_size).transpose(0, 2, 1, 3))
            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / math.sqrt(head_size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, hidden)
            a = layer_norm(dense(context, "attention.output.dense") + x,
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
            inter = dense(a, "intermediate.dense")
            inter = 0.5 * inter * (1.0 + _erf(inter / math.sqrt(2.0)))
            x = layer_norm(dense(inter, "output.dense") + a,
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        summed = (x * mask[:, :, None]).sum(1)
        mean = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

    def embed(texts):
        encodings = tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = [None] * len(texts)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            for i, vector in zip(batch, embed_batch(ids, mask)):
                out[i] = vector
        return np.stack(out)

    embed(texts[:BATCH])
    best = min(_timed(embed, texts) for _ in range(3))
    print(f"numpy reference: {len(texts)} questions in {best:.2f} s, {len(texts) / best:.0f} questions/s (best of 3)")


def _timed(f, *args):
    started = time.perf_counter()
    f(*args)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
