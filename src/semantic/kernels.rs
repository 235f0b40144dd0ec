//! Fused element-wise steps of the forward pass (`super::bert`), as candle custom operations on the CPU.
//!
//! In: a matrix product's output (and a bias or an attention mask); out: a new tensor of the same shape. Each
//! replaces several whole-tensor passes of candle (an add, a copy, a scale) with one, and computes `exp` with a
//! polynomial the compiler turns into vector instructions, where candle and our GELU called the C library's
//! scalar `expf` per element (#27: the GELU, the softmax and their `expf` were a tenth of an embedding's time).
//!
//! The decision that isn't obvious: the arithmetic is that of the operations replaced, in the same order (the
//! bias added to the product, then the GELU; the scores scaled, the mask added, then the softmax), so only
//! `exp` differs, by float rounding (within 2 units in the last place, against glibc's correctly rounded
//! one). The vector code is chosen at run time (AVX2 where the CPU has it), and the plain code is the same
//! Rust, so every CPU computes the same values.

use candle_core::{CpuStorage, InplaceOp1, InplaceOp2, Layout};
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
    fn bias_gelu_rows(values: &mut [f32], bias: &[f32]) {
        for row in values.chunks_exact_mut(bias.len()) {
            for (x, &b) in row.iter_mut().zip(bias) {
                *x = gelu(*x + b);
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
    storage: &'a mut CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a mut [f32]> {
    let CpuStorage::F32(values) = storage else {
        candle_core::bail!("{op}: expected f32 values");
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op}: expected a contiguous tensor");
    };
    Ok(&mut values[start..end])
}

/// `gelu(x + bias)` over rows of `bias.len()` values, in place: the intermediate layer's bias and activation in
/// one pass over its output, the largest tensor of a layer.
pub struct BiasGelu {
    pub bias: Vec<f32>,
}

impl InplaceOp1 for BiasGelu {
    fn name(&self) -> &'static str {
        "bias-gelu"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let width = self.bias.len();
        if width == 0 || layout.dims().last() != Some(&width) {
            candle_core::bail!("bias-gelu: rows of {width} values expected");
        }
        let values = contiguous_f32(storage, layout, self.name())?;
        let rows_per_task = (CHUNK / width).max(1);
        values
            .par_chunks_mut(rows_per_task * width)
            .for_each(|rows| bias_gelu_rows(rows, &self.bias));
        Ok(())
    }
}

/// `softmax(scores · scale + mask)` over the last dimension, in place: attention weights from raw scores in one
/// pass. `scores` is (batch, heads, queries, keys); `mask` is (batch, 1, 1, keys), the same for every head and
/// query, or (batch, heads, queries, keys) (MPNet's, with its relative-position bias).
pub struct ScaledMaskedSoftmax {
    pub scale: f32,
}

impl InplaceOp2 for ScaledMaskedSoftmax {
    fn name(&self) -> &'static str {
        "scaled-masked-softmax"
    }

    fn cpu_fwd(
        &self,
        scores: &mut CpuStorage,
        scores_layout: &Layout,
        mask: &CpuStorage,
        mask_layout: &Layout,
    ) -> candle_core::Result<()> {
        let (batch, heads, queries, keys) = scores_layout.shape().dims4()?;
        let CpuStorage::F32(mask) = mask else {
            candle_core::bail!("scaled-masked-softmax: expected an f32 mask");
        };
        let Some((start, end)) = mask_layout.contiguous_offsets() else {
            candle_core::bail!("scaled-masked-softmax: expected a contiguous mask");
        };
        let mask = &mask[start..end];
        let scores = contiguous_f32(scores, scores_layout, self.name())?;
        // Rows of scores that share one row of the mask.
        let rows_per_mask_row = if mask.len() == batch * keys {
            heads * queries
        } else if mask.len() == scores.len() {
            1
        } else {
            candle_core::bail!("scaled-masked-softmax: the mask's shape does not fit the scores'");
        };
        if keys == 0 {
            return Ok(());
        }
        let rows_per_task = (CHUNK / keys).max(1);
        scores
            .par_chunks_mut(rows_per_task * keys)
            .enumerate()
            .for_each(|(task, rows)| {
                for (i, row) in rows.chunks_exact_mut(keys).enumerate() {
                    let mask_row = (task * rows_per_task + i) / rows_per_mask_row;
                    let mask = &mask[mask_row * keys..(mask_row + 1) * keys];
                    scaled_masked_softmax_row(row, mask, self.scale);
                }
            });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn fused_operations_match_candles_own() {
        use candle_core::{Device, Tensor};
        let device = Device::Cpu;
        let values: Vec<f32> = (0..2 * 3 * 5 * 5)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let scores = Tensor::from_vec(values.clone(), (2, 3, 5, 5), &device).unwrap();
        // The second text's last two keys are padding.
        let mask: Vec<f32> = [0.0; 5]
            .into_iter()
            .chain([0.0, 0.0, 0.0, f32::MIN, f32::MIN])
            .collect();
        let mask = Tensor::from_vec(mask, (2, 1, 1, 5), &device).unwrap();
        let scale = 1.0 / 32f64.sqrt();
        let expected = candle_nn::ops::softmax_last_dim(
            &(&scores * scale).unwrap().broadcast_add(&mask).unwrap(),
        )
        .unwrap();
        let fused = scores.copy().unwrap();
        fused
            .inplace_op2(
                &mask,
                &ScaledMaskedSoftmax {
                    scale: scale as f32,
                },
            )
            .unwrap();
        let difference = (fused.clone() - expected)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(difference < 1e-6, "{difference}");
        let fused = fused.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        // Padding gets exactly nothing, in every head and row of the second text.
        for row in fused.chunks(5).skip(15) {
            assert_eq!(&row[3..], &[0.0, 0.0]);
        }

        let xs = Tensor::from_vec(values, (30, 5), &device).unwrap();
        let bias = vec![0.5f32, -1.0, 0.0, 2.0, -3.0];
        let fused = xs.copy().unwrap();
        fused.inplace_op1(&BiasGelu { bias: bias.clone() }).unwrap();
        let fused = fused.to_vec2::<f32>().unwrap();
        for (row, fused) in xs.to_vec2::<f32>().unwrap().iter().zip(&fused) {
            for ((&x, &b), &got) in row.iter().zip(&bias).zip(fused) {
                // GELU as `bert::gelu` computed it before #27, with glibc's `expf`.
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
