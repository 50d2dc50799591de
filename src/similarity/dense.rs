//! Dense score matrices for small corpora, as an `ndarray`, written as CSV (here) or NumPy
//! `.npy` ([`crate::io::npz::write_npy`]).
//! Nothing else in parallax builds an n × n matrix.

use std::io::Write;

use ndarray::Array2;

use super::topk::{Score, all_scores};
use crate::error::{Error, Result};
use crate::matrix::{CsrMatrix, Value};

/// The largest number of rows (or columns) a dense score matrix may have: 20,000 × 20,000 `f32`
/// is 1.6 GB already.
pub const MAX_DENSE: usize = 20_000;

/// Every query row's score against every reference row (`reference = None`: the rows against
/// themselves, the diagonal holding each row's score with itself). Refuses more than
/// [`MAX_DENSE`] rows or columns.
///
/// # Errors
///
/// [`Error::Param`] for more than [`MAX_DENSE`] rows or columns, queries and reference with
/// different numbers of columns, or a value that is not finite.
pub fn dense_scores<V: Value>(
    queries: &CsrMatrix<V>,
    reference: Option<&CsrMatrix<V>>,
    score: Score,
) -> Result<Array2<f32>> {
    let n_ref = reference.unwrap_or(queries).n_rows();
    for (what, n) in [("queries", queries.n_rows()), ("reference", n_ref)] {
        if n > MAX_DENSE {
            return Err(Error::param(
                "matrix",
                format!("{n} {what}"),
                format!(
                    "a dense matrix is for small corpora (at most {MAX_DENSE} documents a side; this one would \
                     take {:.1} GB); use the top-k neighbours instead",
                    queries.n_rows() as f64 * n_ref as f64 * 4.0 / 1e9
                ),
            ));
        }
    }
    let mut out = Array2::<f32>::zeros((queries.n_rows(), n_ref));
    let cells = out.as_slice_mut().expect("a new array is contiguous");
    all_scores(queries, reference, score, cells)?;
    Ok(out)
}

/// Writes a matrix as CSV: one row a line, values comma-separated, no header (`numpy.loadtxt(f,
/// delimiter=",")` reads it back). Values are the shortest decimals that read back exactly.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_csv(m: &Array2<f32>, out: &mut impl Write) -> std::io::Result<()> {
    let mut buf = ryu::Buffer::new();
    let mut line = Vec::new();
    for row in m.rows() {
        line.clear();
        for (j, &v) in row.iter().enumerate() {
            if j > 0 {
                line.push(b',');
            }
            line.extend_from_slice(if v == 0.0 {
                b"0"
            } else {
                buf.format(v).as_bytes()
            });
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> CsrMatrix<f32> {
        CsrMatrix::from_rows(
            3,
            &[
                vec![(0, 1.0)],
                vec![(0, 1.0), (1, 1.0)],
                vec![],
                vec![(2, 3.0)],
            ],
        )
    }

    #[test]
    fn dense_cosine_with_diagonal() {
        let m = dense_scores(&example(), None, Score::Cosine).unwrap();
        assert_eq!(m.dim(), (4, 4));
        assert_eq!(m[[0, 0]], 1.0);
        assert!((m[[0, 1]] - 0.70710677).abs() < 1e-6 && m[[0, 1]] == m[[1, 0]]);
        assert_eq!(m.row(2).sum(), 0.0); // empty document: zeros, not NaN
        assert!(m.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn csv_is_plain_numbers() {
        let m = Array2::from_shape_vec((2, 2), vec![1.0f32, 0.0, 0.25, 1e-9]).unwrap();
        let mut out = Vec::new();
        write_csv(&m, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "1.0,0\n0.25,1e-9\n");
    }

    #[test]
    fn refuses_large_matrices() {
        let big = CsrMatrix::<f32>::from_rows(1, &vec![vec![]; MAX_DENSE + 1]);
        let err = dense_scores(&big, None, Score::Cosine).unwrap_err();
        assert!(err.to_string().contains("small corpora"), "{err}");
    }
}
