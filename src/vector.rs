//! Unit vectors: the dot product every similarity of the embedding model comes down to.
//!
//! In: two vectors of a sentence-embedding model (unit length, so their dot product is their cosine). Out: that
//! number. It sits under both the library's semantic search (`matching`) and the ranking of document passages,
//! which compare one question with tens of thousands of sentences, and it is compiled without the model too (the
//! passages' ranking knows no feature flags).
//!
//! The sum runs in eight lanes, then adds them: the compiler turns eight independent sums into vector
//! instructions, which a single running sum (each addition waiting on the last) forbids. The result differs from
//! a plain left-to-right sum only in the last bits of an `f32`.

/// Lanes of the sum (two 4-wide or one 8-wide vector register).
const LANES: usize = 8;

/// Cosine similarity of two unit vectors (their dot product). Vectors of different lengths are compared over
/// their common prefix rather than panicking.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0f32; LANES];
    let mut a_chunks = a.chunks_exact(LANES);
    let mut b_chunks = b.chunks_exact(LANES);
    for (x, y) in (&mut a_chunks).zip(&mut b_chunks) {
        for k in 0..LANES {
            lanes[k] += x[k] * y[k];
        }
    }
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_is_the_dot_product_of_unit_vectors() {
        let a = [0.6, 0.8];
        let b = [0.8, 0.6];
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-6);
        assert!((cosine(&a, &b) - 0.96).abs() < 1e-6);
        assert!((cosine(&a, &[-0.6, -0.8]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[], &[]), 0.0);
        assert!((cosine(&[1.0, 2.0, 3.0], &[1.0, 1.0]) - 3.0).abs() < 1e-6);
    }

    #[test]
    fn the_lanes_add_up_to_the_plain_sum() {
        // 384 dimensions (MiniLM), and lengths that leave a remainder.
        for n in [384usize, 385, 7, 9, 1000] {
            let a: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 90.0)
                .collect();
            let b: Vec<f32> = (0..n)
                .map(|i| ((i * 53 % 89) as f32 - 44.0) / 70.0)
                .collect();
            let plain: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(*x) * f64::from(*y))
                .sum();
            assert!(
                (f64::from(cosine(&a, &b)) - plain).abs() < 1e-3 * plain.abs().max(1.0),
                "{n}"
            );
        }
    }
}
