//! The steps of a transformer layer (`super::bert`) as candle custom operations on the CPU, each fusing what
//! candle did in several whole-tensor passes (#27).
//!
//! `Dense` (and `DenseNorm`, with the residual and LayerNorm after it): hidden states in, the layer's output out,
//! the product written onto the bias. `Attention`: the fused query/key/value projection and the mask in, the
//! heads' outputs out, each (text, head) a task of its own with no copies. `Gelu`: the intermediate output,
//! in place. `exp` is a polynomial the compiler turns into vector instructions, where candle and our GELU
//! called the C library's scalar `expf` per element (the GELU, the softmax and their `expf` were a tenth of an
//! embedding's time).
//!
//! The decision that isn't obvious: the arithmetic is that of the operations replaced, in nearly the same order
//! (the bias and residual are now added before the product rather than after, sums of a row go in 8 lanes), so
//! vectors differ from candle's by float rounding only (at most 2.3e-7 on a 1,525-text library; `exp` is within
//! 2 units in the last place of glibc's). The vector code is chosen at run time (AVX2 where the CPU has it), and
//! the plain code is the same Rust with no fused multiply-add, so every CPU computes the same element-wise values.

use candle_core::{CpuStorage, CustomOp1, CustomOp2, InplaceOp1, Layout, Shape};
use rayon::prelude::*;

/// Elements per rayon task: large enough that splitting costs nothing next to the work.
const CHUNK: usize = 1 << 14;

/// `exp(x)` within 2 units in the last place (Cephes' `expf`: `x = n·ln 2 + r`, a degree-7 polynomial in `r`,
/// times `2ⁿ`), branch-free so that a loop over it vectorizes. Below -87.5, where `exp` leaves the normal
/// floats, it is 0 (glibc gives a denormal there, or 0): attention to padding stays exactly 0.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // Adding then subtracting 1.5·2²³ rounds to the nearest integer; the sum's low bits hold that integer.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    const LOWEST: f32 = -87.5;
    let clamped = x.clamp(LOWEST, 88.0);
    let rounded = clamped * LOG2_E + ROUND;
    let n = rounded - ROUND;
    let r = clamped - n * LN2_HIGH - n * LN2_LOW;
    let mut p = 1.987_569_2e-4;
    p = p * r + 1.398_2e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2ⁿ: the integer n (in the sum's low bits) plus the exponent bias, shifted into the exponent field.
    let scale = f32::from_bits(rounded.to_bits().wrapping_add(127) << 23);
    if x < LOWEST { 0.0 } else { y * scale }
}

/// The error function within 1.5e-7 (Abramowitz and Stegun 7.1.26): a polynomial and one `exp`, where candle's
/// `gelu_erf` called a scalar libm `erf` per element, a tenth of an encoder's time (#18); its error is far below
/// what f32 sums of 384 products keep.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152_1 + t * 1.061_405_4))));
    (1.0 - poly * exp(-a * a)).copysign(x)
}

/// BERT's exact GELU, `x/2 · (1 + erf(x/√2))`.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Defines `$name(args)`, which runs `$body` compiled for AVX2 where the CPU has it and as plain code elsewhere:
/// the same arithmetic either way (no fused multiply-add is allowed to form), only wider instructions.
macro_rules! with_avx2 {
    (fn $name:ident($($arg:ident: $type:ty),*) $body:block) => {
        fn $name($($arg: $type),*) {
            #[inline(always)]
            fn plain($($arg: $type),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $type),*) {
                    plain($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            plain($($arg),*)
        }
    };
}

with_avx2! {
    fn gelu_in_place(values: &mut [f32]) {
        for x in values {
            *x = gelu(*x);
        }
    }
}

with_avx2! {
    fn layer_norm_rows(values: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
        // As candle-nn's LayerNorm computes it (variance as the mean square minus the squared mean), the sums
        // in lanes.
        let width = gamma.len();
        for row in values.chunks_exact_mut(width) {
            let sum = lanes(row, 0.0, |a, b| a + b);
            let mut squares = [0f32; 8];
            let mut chunks = row.chunks_exact(8);
            for chunk in &mut chunks {
                for (lane, &x) in squares.iter_mut().zip(chunk) {
                    *lane += x * x;
                }
            }
            for (lane, &x) in squares.iter_mut().zip(chunks.remainder()) {
                *lane += x * x;
            }
            let sum2 = squares.into_iter().fold(0.0, |a, b| a + b);
            let mean = sum / width as f32;
            let var = sum2 / width as f32 - mean * mean;
            let inv_std = (var + eps).sqrt().recip();
            for ((x, &g), &b) in row.iter_mut().zip(gamma).zip(beta) {
                *x = (*x - mean) * inv_std * g + b;
            }
        }
    }
}

with_avx2! {
    fn scaled_masked_softmax_row(row: &mut [f32], mask: &[f32], scale: f32) {
        // As candle computed it: `affine(scale, 0)`, then the mask added.
        for (x, &m) in row.iter_mut().zip(mask) {
            *x = *x * scale + 0.0 + m;
        }
        let max = lanes(row, f32::NEG_INFINITY, f32::max);
        for x in row.iter_mut() {
            *x = exp(*x - max);
        }
        let sum = lanes(row, 0.0, |a, b| a + b);
        for x in row.iter_mut() {
            *x /= sum;
        }
    }
}

/// `values` folded with `f` in 8 interleaved lanes, then the lanes in order: a loop the compiler vectorizes,
/// where one running value makes every step wait for the one before.
#[inline(always)]
fn lanes(values: &[f32], start: f32, f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut lanes = [start; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = f(*lane, x);
        }
    }
    for (lane, &x) in lanes.iter_mut().zip(chunks.remainder()) {
        *lane = f(*lane, x);
    }
    lanes.into_iter().fold(start, f)
}

/// The f32 values of a contiguous tensor, or an error naming the operation.
fn contiguous_f32<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(values) = storage else {
        candle_core::bail!("{op}: expected f32 values");
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op}: expected a contiguous tensor");
    };
    Ok(&values[start..end])
}

/// BERT's GELU over every value of a tensor, in place: one pass over the intermediate layer's output, the largest
/// tensor of a layer (its bias was added by `Dense`, which wrote the product onto it).
pub struct Gelu;

impl InplaceOp1 for Gelu {
    fn name(&self) -> &'static str {
        "gelu"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("gelu: expected f32 values");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("gelu: expected a contiguous tensor");
        };
        values[start..end]
            .par_chunks_mut(CHUNK)
            .for_each(gelu_in_place);
        Ok(())
    }
}

/// Rows of a dense layer's output are computed as its bias (plus the residual, for `DenseNorm`) with the
/// product added on by gemm, where candle zeroed the output, wrote the product, then added each in a pass of
/// its own (#27). `weight` is (outputs, inputs), row-major, as in the model file.
pub struct Dense {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub inputs: usize,
}

impl Dense {
    /// Takes a candle linear layer's weight and bias (zeros when it has none).
    pub fn from_linear(linear: &candle_nn::Linear) -> candle_core::Result<Dense> {
        let (outputs, inputs) = linear.weight().dims2()?;
        Ok(Dense {
            weight: linear.weight().flatten_all()?.to_vec1::<f32>()?,
            bias: match linear.bias() {
                Some(bias) => bias.to_vec1::<f32>()?,
                None => vec![0.0; outputs],
            },
            inputs,
        })
    }

    fn outputs(&self) -> usize {
        self.bias.len()
    }

    /// `x` (rows of `inputs` values) with its rows and the output shape (the last dimension `outputs`).
    fn rows<'a>(
        &self,
        storage: &'a CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(&'a [f32], usize, Shape)> {
        let x = contiguous_f32(storage, layout, "dense")?;
        let mut dims = layout.dims().to_vec();
        match dims.last_mut() {
            Some(last) if *last == self.inputs => *last = self.outputs(),
            _ => candle_core::bail!("dense: rows of {} values expected", self.inputs),
        }
        Ok((x, x.len() / self.inputs.max(1), Shape::from(dims)))
    }

    /// `output += x · weightᵀ`, `x` being `rows` rows of `inputs` values and `output` rows of `outputs`.
    fn add_product(&self, x: &[f32], rows: usize, output: &mut [f32]) {
        let (inputs, outputs) = (self.inputs, self.outputs());
        assert!(x.len() == rows * inputs && output.len() == rows * outputs);
        assert_eq!(self.weight.len(), outputs * inputs);
        // As candle calls gemm: on every rayon thread when there are several.
        let threads = rayon::current_num_threads();
        let parallelism = if threads > 1 {
            gemm::Parallelism::Rayon(threads)
        } else {
            gemm::Parallelism::None
        };
        // SAFETY: the three buffers hold exactly the matrices described (asserted above): x is rows × inputs
        // (row stride inputs), weightᵀ is inputs × outputs read from the (outputs, inputs) weight (column stride
        // inputs), output is rows × outputs.
        unsafe {
            gemm::gemm(
                rows,
                outputs,
                inputs,
                output.as_mut_ptr(),
                1,
                outputs as isize,
                true,
                x.as_ptr(),
                1,
                inputs as isize,
                self.weight.as_ptr(),
                inputs as isize,
                1,
                1.0,
                1.0,
                false,
                false,
                false,
                parallelism,
            );
        }
    }
}

/// `x · weightᵀ + bias`.
impl CustomOp1 for Dense {
    fn name(&self) -> &'static str {
        "dense"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (x, rows, shape) = self.rows(storage, layout)?;
        let mut output = Vec::with_capacity(rows * self.outputs());
        for _ in 0..rows {
            output.extend_from_slice(&self.bias);
        }
        self.add_product(x, rows, &mut output);
        Ok((CpuStorage::F32(output), shape))
    }
}

/// `LayerNorm(x · weightᵀ + bias + residual)`: a dense layer, its residual connection and the LayerNorm after it,
/// as BERT ends its attention and its feed-forward block.
pub struct DenseNorm {
    pub dense: Dense,
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub eps: f32,
}

impl CustomOp2 for DenseNorm {
    fn name(&self) -> &'static str {
        "dense-norm"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
        residual: &CpuStorage,
        residual_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (x, rows, shape) = self.dense.rows(storage, layout)?;
        let residual = contiguous_f32(residual, residual_layout, self.name())?;
        let width = self.dense.outputs();
        if residual.len() != rows * width || self.gamma.len() != width || self.beta.len() != width {
            candle_core::bail!("dense-norm: the residual's or the norm's shape does not fit");
        }
        let mut output = Vec::with_capacity(rows * width);
        for row in residual.chunks_exact(width) {
            output.extend(row.iter().zip(&self.dense.bias).map(|(r, b)| r + b));
        }
        self.dense.add_product(x, rows, &mut output);
        let rows_per_task = (CHUNK / width).max(1);
        output
            .par_chunks_mut(rows_per_task * width)
            .for_each(|rows| layer_norm_rows(rows, &self.gamma, &self.beta, self.eps));
        Ok((CpuStorage::F32(output), shape))
    }
}

/// Multi-head scaled dot-product attention from the fused query/key/value projection: `qkv` is (batch, length,
/// 3 · hidden), each row its query, key and value side by side, each of them `heads` heads of `head_size`
/// values; `mask` is what is added to the scaled scores, (batch, 1, 1, length), the same for every head and
/// query, or (batch, heads, length, length) (MPNet's, with its relative-position bias). Returns the heads'
/// outputs side by side, (batch, length, hidden).
///
/// candle needed each of query, key and value copied into (batch, heads, length, head_size) order, the
/// weights' product copied back, and a product of (batch · heads) small matrices one after the other; here
/// every (text, head) pair is a task of its own on the cores, its two products (gemm, as candle calls it) read
/// the projection in place with its strides and write the output in place, and the softmax runs between them
/// on a buffer still in cache (#27).
pub struct Attention {
    pub heads: usize,
    pub head_size: usize,
    pub scale: f32,
}

/// The output buffer, written by many tasks at once, each to its own (text, head) columns.
#[derive(Clone, Copy)]
struct SharedOutput(*mut f32);
// SAFETY: the tasks write disjoint elements (see `Attention::cpu_fwd`) and the buffer outlives them.
unsafe impl Send for SharedOutput {}
unsafe impl Sync for SharedOutput {}

impl SharedOutput {
    /// The buffer's start (a method, so that closures capture the whole `Send` wrapper, not its pointer).
    fn start(self) -> *mut f32 {
        self.0
    }
}

impl CustomOp2 for Attention {
    fn name(&self) -> &'static str {
        "attention"
    }

    fn cpu_fwd(
        &self,
        qkv: &CpuStorage,
        qkv_layout: &Layout,
        mask: &CpuStorage,
        mask_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let qkv = contiguous_f32(qkv, qkv_layout, self.name())?;
        let mask = contiguous_f32(mask, mask_layout, self.name())?;
        let (batch, length, width) = qkv_layout.shape().dims3()?;
        let (heads, head_size) = (self.heads, self.head_size);
        let hidden = heads * head_size;
        if width != 3 * hidden {
            candle_core::bail!(
                "attention: rows of {} values expected, not {width}",
                3 * hidden
            );
        }
        // Whether each head and query has a row of the mask of its own (MPNet) or shares its text's.
        let per_head = if mask.len() == batch * length {
            false
        } else if mask.len() == batch * heads * length * length {
            true
        } else {
            candle_core::bail!("attention: the mask's shape does not fit the scores'");
        };
        let mut output = vec![0f32; batch * length * hidden];
        if output.is_empty() {
            return Ok((
                CpuStorage::F32(output),
                Shape::from((batch, length, hidden)),
            ));
        }
        let shared = SharedOutput(output.as_mut_ptr());
        (0..batch * heads).into_par_iter().for_each_init(
            || vec![0f32; length * length],
            |scores, task| {
                let (text, head) = (task / heads, task % heads);
                let rows = text * length * width;
                let query = qkv[rows + head * head_size..].as_ptr();
                let key = qkv[rows + hidden + head * head_size..].as_ptr();
                let value = qkv[rows + 2 * hidden + head * head_size..].as_ptr();
                let stride = width as isize;
                // SAFETY: every matrix lies inside its buffer: `length` rows `stride` apart of `head_size`
                // values from a query, key or value column (checked `width` above), `scores` is length²,
                // and the output block is `length` rows `hidden` apart of `head_size` values.
                unsafe {
                    // scores = query · keyᵀ: (length × head_size) by (head_size × length).
                    gemm::gemm(
                        length,
                        length,
                        head_size,
                        scores.as_mut_ptr(),
                        1,
                        length as isize,
                        false,
                        query,
                        1,
                        stride,
                        key,
                        stride,
                        1,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    );
                }
                for (query, row) in scores.chunks_exact_mut(length).enumerate() {
                    let mask_row = if per_head {
                        (task * length + query) * length
                    } else {
                        text * length
                    };
                    scaled_masked_softmax_row(row, &mask[mask_row..mask_row + length], self.scale);
                }
                // SAFETY: as above; the (text, head) block of the output is this task's alone: rows
                // text·length.. of it, columns head·head_size.. of each.
                unsafe {
                    let output = shared
                        .start()
                        .add(text * length * hidden + head * head_size);
                    // output block = weights · value: (length × length) by (length × head_size).
                    gemm::gemm(
                        length,
                        head_size,
                        length,
                        output,
                        1,
                        hidden as isize,
                        false,
                        scores.as_ptr(),
                        1,
                        length as isize,
                        value,
                        1,
                        stride,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    );
                }
            },
        );
        Ok((
            CpuStorage::F32(output),
            Shape::from((batch, length, hidden)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Tensor;

    #[test]
    fn exp_is_within_two_units_in_the_last_place() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let exact = f64::from(x).exp();
            let ulp = f64::from(f32::EPSILON) * exact;
            let got = f64::from(exp(x));
            assert!(
                (got - exact).abs() <= 2.0 * ulp,
                "exp({x}) = {got}, not {exact}"
            );
            x += 0.0137;
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-100.0), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(f32::MIN), 0.0);
    }

    #[test]
    fn erf_is_close_to_the_exact_function() {
        // Reference values of erf (to 9 places).
        for (x, expected) in [
            (0.0f64, 0.0f64),
            (0.1, 0.112_462_916),
            (0.5, 0.520_499_878),
            (1.0, 0.842_700_793),
            (2.0, 0.995_322_265),
            (-1.0, -0.842_700_793),
            (-3.0, -0.999_977_910),
            (12.0, 1.0),
        ] {
            let x = x as f32;
            assert!(
                (f64::from(erf(x)) - expected).abs() < 3e-7,
                "erf({x}) = {}",
                erf(x)
            );
        }
    }

    /// Attention as `bert.rs` computed it before #27: heads split by copies, candle's products and softmax.
    fn attention_by_candle(qkv: &Tensor, mask: &Tensor, heads: usize) -> Tensor {
        let (batch, length, width) = qkv.dims3().unwrap();
        let hidden = width / 3;
        let split = |part: usize| {
            qkv.narrow(2, part * hidden, hidden)
                .unwrap()
                .reshape((batch, length, heads, hidden / heads))
                .unwrap()
                .transpose(1, 2)
                .unwrap()
                .contiguous()
                .unwrap()
        };
        let (query, key, value) = (split(0), split(1), split(2));
        let scores = query.matmul(&key.t().unwrap()).unwrap();
        let scores = (scores / ((hidden / heads) as f64).sqrt()).unwrap();
        let weights =
            candle_nn::ops::softmax_last_dim(&scores.broadcast_add(mask).unwrap()).unwrap();
        weights
            .matmul(&value)
            .unwrap()
            .transpose(1, 2)
            .unwrap()
            .contiguous()
            .unwrap()
            .flatten_from(2)
            .unwrap()
    }

    fn largest_difference(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    #[test]
    fn fused_operations_match_candles_own() {
        use candle_core::Device;
        let device = Device::Cpu;
        let (batch, length, heads, head_size) = (2, 5, 2, 4);
        let values: Vec<f32> = (0..batch * length * 3 * heads * head_size)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
            .collect();
        let qkv = Tensor::from_vec(
            values.clone(),
            (batch, length, 3 * heads * head_size),
            &device,
        )
        .unwrap();
        let attention = Attention {
            heads,
            head_size,
            scale: (1.0 / (head_size as f64).sqrt()) as f32,
        };
        // The second text's last two tokens are padding.
        let mask: Vec<f32> = [0.0; 5]
            .into_iter()
            .chain([0.0, 0.0, 0.0, f32::MIN, f32::MIN])
            .collect();
        let mask = Tensor::from_vec(mask, (batch, 1, 1, length), &device).unwrap();
        let fused = qkv.apply_op2_no_bwd(&mask, &attention).unwrap();
        let expected = attention_by_candle(&qkv, &mask, heads);
        assert_eq!(fused.dims(), &[batch, length, heads * head_size]);
        let difference = largest_difference(&fused, &expected);
        assert!(difference < 1e-6, "{difference}");
        // The padding's keys and values play no part: changing them changes nothing for the real tokens.
        let mut changed = values.clone();
        for token in [3, 4] {
            let row = (length + token) * 3 * heads * head_size;
            for x in &mut changed[row + heads * head_size..row + 3 * heads * head_size] {
                *x += 3.0;
            }
        }
        let changed = Tensor::from_vec(changed, qkv.shape(), &device)
            .unwrap()
            .apply_op2_no_bwd(&mask, &attention)
            .unwrap();
        let real = |t: &Tensor| t.narrow(0, 1, 1).unwrap().narrow(1, 0, 3).unwrap();
        assert_eq!(largest_difference(&real(&changed), &real(&fused)), 0.0);
        // A mask per head and query (MPNet's relative-position bias added).
        let bias: Vec<f32> = (0..heads * length * length)
            .map(|i| (i % 7) as f32 / 3.0 - 1.0)
            .collect();
        let bias = Tensor::from_vec(bias, (1, heads, length, length), &device).unwrap();
        let mask = mask.broadcast_add(&bias).unwrap();
        let fused = qkv.apply_op2_no_bwd(&mask, &attention).unwrap();
        let difference = largest_difference(&fused, &attention_by_candle(&qkv, &mask, heads));
        assert!(difference < 1e-6, "{difference}");

        let xs = Tensor::from_vec(values, (48, 5), &device).unwrap();
        let bias = vec![0.5f32, -1.0, 0.0, 2.0, -3.0];
        // A dense layer of 5 inputs and outputs (weights 0.1, 0.2, ...), then the GELU, against candle's.
        let weight: Vec<f32> = (0..25).map(|i| (i as f32 - 12.0) / 10.0).collect();
        let linear = candle_nn::Linear::new(
            Tensor::from_vec(weight, (5, 5), &device).unwrap(),
            Some(Tensor::from_vec(bias.clone(), 5, &device).unwrap()),
        );
        let dense = Dense::from_linear(&linear).unwrap();
        let product = xs.apply_op1_no_bwd(&dense).unwrap();
        let expected = candle_nn::Module::forward(&linear, &xs).unwrap();
        assert!(largest_difference(&product, &expected) < 1e-5);
        // The norm after it, with the residual added, against candle-nn's LayerNorm.
        let norm = DenseNorm {
            dense,
            gamma: vec![1.0, 0.5, 2.0, 1.0, 1.5],
            beta: vec![0.0, 0.1, -0.1, 0.2, 0.0],
            eps: 1e-12,
        };
        let layer_norm = candle_nn::LayerNorm::new(
            Tensor::new(&[1.0f32, 0.5, 2.0, 1.0, 1.5], &device).unwrap(),
            Tensor::new(&[0.0f32, 0.1, -0.1, 0.2, 0.0], &device).unwrap(),
            1e-12,
        );
        let residual = (&xs * 0.5).unwrap();
        let normed = xs.apply_op2_no_bwd(&residual, &norm).unwrap();
        let expected =
            candle_nn::Module::forward(&layer_norm, &(expected + &residual).unwrap()).unwrap();
        assert!(largest_difference(&normed, &expected) < 1e-5);

        let fused = xs
            .broadcast_add(&Tensor::from_vec(bias.clone(), 5, &device).unwrap())
            .unwrap();
        fused.inplace_op1(&Gelu).unwrap();
        let fused = fused.to_vec2::<f32>().unwrap();
        for (row, fused) in xs.to_vec2::<f32>().unwrap().iter().zip(&fused) {
            for ((&x, &b), &got) in row.iter().zip(&bias).zip(fused) {
                // GELU as `bert.rs` computed it before #27, with glibc's `expf`.
                let x = x + b;
                let a = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
                let t = 1.0 / (1.0 + 0.327_591_1 * a);
                let poly = t
                    * (0.254_829_6
                        + t * (-0.284_496_74
                            + t * (1.421_413_8 + t * (-1.453_152_1 + t * 1.061_405_4))));
                let erf = (1.0 - poly * (-a * a).exp()).copysign(x);
                let before = 0.5 * x * (1.0 + erf);
                assert!(
                    (got - before).abs() <= 1e-6 * before.abs().max(1.0),
                    "gelu({x}) = {got}, was {before}"
                );
            }
        }
    }
}
