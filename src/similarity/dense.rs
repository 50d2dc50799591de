//! Dense score matrices for small corpora, as an `ndarray`, written as CSV or NumPy `.npy`.
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

/// Writes a matrix in NumPy's `.npy` format (version 1.0, little-endian `f4`, C order), which
/// `numpy.load` reads.
pub fn write_npy(m: &Array2<f32>, out: &mut impl Write) -> std::io::Result<()> {
    let (r, c) = m.dim();
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({r}, {c}), }}");
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64,
    // ending in a newline.
    let total = (10 + header.len() + 1).div_ceil(64) * 64;
    while 10 + header.len() + 1 < total {
        header.push(' ');
    }
    header.push('\n');
    out.write_all(b"\x93NUMPY\x01\x00")?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    let mut bytes = Vec::with_capacity(c * 4);
    for row in m.rows() {
        bytes.clear();
        for &v in row {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        out.write_all(&bytes)?;
    }
    Ok(())
}

/// Reads a 2-D `.npy` array of little-endian `f4` or `f8` (C or Fortran order) as `f64`.
pub fn read_npy(bytes: &[u8]) -> std::result::Result<Array2<f64>, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (no \\x93NUMPY magic)".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated or unreadable .npy header")?;
    let field = |name: &str| -> std::result::Result<&str, String> {
        let at = header
            .find(&format!("'{name}'"))
            .ok_or(format!("no '{name}' in the .npy header"))?;
        Ok(header[at + name.len() + 2..]
            .trim_start()
            .trim_start_matches(':')
            .trim_start())
    };
    let descr = field("descr")?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        return Err(format!(
            "unsupported dtype {}; expected '<f4' or '<f8'",
            descr.split(',').next().unwrap_or("")
        ));
    };
    let fortran = field("fortran_order")?.starts_with("True");
    let shape = field("shape")?;
    let shape = &shape[1..shape.find(')').ok_or("bad shape in the .npy header")?];
    let dims: Vec<usize> = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad shape `{shape}`")))
        .collect::<std::result::Result<_, _>>()?;
    let [r, c] = dims[..] else {
        return Err(format!("expected a 2-D array, found shape ({shape})"));
    };
    let data = &bytes[start + header_len..];
    if data.len() != r * c * width {
        return Err(format!(
            "expected {} bytes of data for shape ({r}, {c}), found {}",
            r * c * width,
            data.len()
        ));
    }
    let values: Vec<f64> = data
        .chunks_exact(width)
        .map(|b| match width {
            4 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            _ => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        })
        .collect();
    let m = if fortran {
        Array2::from_shape_vec((c, r), values)
            .map(|m| m.reversed_axes().as_standard_layout().into_owned())
    } else {
        Array2::from_shape_vec((r, c), values)
    };
    m.map_err(|e| e.to_string())
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
    fn npy_round_trip_and_alignment() {
        let m = dense_scores(&example(), None, Score::Jaccard).unwrap();
        let mut bytes = Vec::new();
        write_npy(&m, &mut bytes).unwrap();
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        assert_eq!(bytes.len(), 10 + header_len + 16 * 4);
        let back = read_npy(&bytes).unwrap();
        assert_eq!(back, m.mapv(|v| v as f64));
        assert!(read_npy(b"nope").is_err());
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
