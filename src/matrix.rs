//! The sparse matrix: compressed sparse rows, u32 column indices, f32 (or f64) values.
//! This is the only module that knows the representation; its file formats are in
//! [`crate::io::mtx`] and [`crate::io::npz`].

use crate::error::{Error, Result};

/// The room [`Value::format_into`] needs: ryu's longest form, e.g. `-2.2250738585072014e-308`.
pub const VALUE_LEN: usize = 24;

/// `v` in ryu's shortest form at the start of `out`; `raw` is ryu's in-place writer for its type.
fn shortest_into<F: ryu::Float>(
    v: F,
    finite: bool,
    raw: unsafe fn(F, *mut u8) -> usize,
    out: &mut [u8; VALUE_LEN],
) -> usize {
    if finite {
        // SAFETY: ryu writes at most 24 bytes for a finite f64 (16 for an f32) and `out` holds
        // VALUE_LEN = 24. `ryu::Buffer::format` calls the same writer for finite values, so
        // the text is the same; written in place, it costs no copy.
        unsafe { raw(v, out.as_mut_ptr()) }
    } else {
        let mut buffer = ryu::Buffer::new();
        let text = buffer.format(v).as_bytes();
        out[..text.len()].copy_from_slice(text);
        text.len()
    }
}

/// A stored value type: `f32` (default) or `f64`.
pub trait Value: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// Converts from the f64 the weights are computed in.
    fn from_f64(v: f64) -> Self;
    /// Widens to f64.
    fn to_f64(self) -> f64;
    /// Writes the shortest decimal form that reads back to the same value at the start of
    /// `out` and returns its length.
    fn format_into(self, out: &mut [u8; VALUE_LEN]) -> usize;
    /// Appends the shortest decimal form that reads back to the same value.
    fn write_to(self, buf: &mut Vec<u8>) {
        let mut out = [0; VALUE_LEN];
        let len = self.format_into(&mut out);
        buf.extend_from_slice(&out[..len]);
    }
    /// NumPy dtype, e.g. `<f4`.
    const NPY_DESCR: &'static str;
    /// The longest text [`Value::format_into`] writes.
    const MAX_LEN: usize;
    /// Appends the little-endian bytes.
    fn write_le(self, buf: &mut Vec<u8>);
}

impl Value for f32 {
    const NPY_DESCR: &'static str = "<f4";
    const MAX_LEN: usize = 16;
    fn write_le(self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.to_le_bytes());
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn format_into(self, out: &mut [u8; VALUE_LEN]) -> usize {
        shortest_into(self, self.is_finite(), ryu::raw::format32, out)
    }
}

impl Value for f64 {
    const NPY_DESCR: &'static str = "<f8";
    const MAX_LEN: usize = VALUE_LEN;
    fn write_le(self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.to_le_bytes());
    }
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn format_into(self, out: &mut [u8; VALUE_LEN]) -> usize {
        shortest_into(self, self.is_finite(), ryu::raw::format64, out)
    }
}

/// A CSR matrix. Within a row, column indices are strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix<V: Value = f32> {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<V>,
}

impl<V: Value> CsrMatrix<V> {
    /// Builds a matrix from rows of (column, value), each sorted by column.
    ///
    /// Panics if a row is unsorted or a column is out of range: rows come from our own code.
    pub fn from_rows(n_cols: usize, rows: &[Vec<(u32, V)>]) -> Self {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut m = CsrMatrix {
            n_cols,
            indptr: Vec::with_capacity(rows.len() + 1),
            indices: Vec::with_capacity(nnz),
            data: Vec::with_capacity(nnz),
        };
        m.indptr.push(0);
        for row in rows {
            m.push_row(row.iter().copied());
        }
        m
    }

    /// An empty matrix with `n_cols` columns, to be filled with [`CsrMatrix::push_row`].
    pub fn new(n_cols: usize) -> Self {
        CsrMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Appends a row of (column, value) sorted by column.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = (u32, V)>) {
        let start = self.indices.len();
        for (col, value) in row {
            assert!((col as usize) < self.n_cols, "column {col} out of range");
            if let Some(&last) = self.indices.last()
                && self.indices.len() > start
            {
                assert!(last < col, "row columns must be strictly increasing");
            }
            self.indices.push(col);
            self.data.push(value);
        }
        self.indptr.push(self.indices.len());
    }

    /// Checks raw parts (from outside) and builds a matrix, or says what is wrong.
    ///
    /// # Errors
    ///
    /// [`Error::Param`] (`matrix`) if `indptr` does not start at 0, end at the number of
    /// `indices` and never decrease, `indices` and `data` differ in length, or a row's columns
    /// are unsorted, repeated or not below `n_cols`.
    pub fn try_new(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<V>,
    ) -> Result<Self> {
        let bad = |reason: String| Error::param("matrix", "CSR parts", reason);
        if indptr.first() != Some(&0)
            || indptr.last() != Some(&indices.len())
            || indices.len() != data.len()
        {
            return Err(bad(
                "indptr must start at 0 and end at nnz; indices and data must have equal length"
                    .into(),
            ));
        }
        for (r, w) in indptr.windows(2).enumerate() {
            if w[0] > w[1] {
                return Err(bad(format!("indptr decreases at row {r}")));
            }
            // The last entry is nnz, but one between may pass it: the slice needs both ends.
            if w[1] > indices.len() {
                return Err(bad(format!("indptr passes nnz at row {r}")));
            }
            let row = &indices[w[0]..w[1]];
            if row.windows(2).any(|p| p[0] >= p[1]) || row.iter().any(|&c| c as usize >= n_cols) {
                return Err(bad(format!(
                    "row {r}: columns unsorted, repeated or out of range"
                )));
            }
        }
        Ok(CsrMatrix {
            n_cols,
            indptr,
            indices,
            data,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Rows without a stored value.
    pub fn empty_rows(&self) -> usize {
        self.indptr.windows(2).filter(|w| w[0] == w[1]).count()
    }

    /// Row `i` as (columns, values).
    pub fn row(&self, i: usize) -> (&[u32], &[V]) {
        let (s, e) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[s..e], &self.data[s..e])
    }

    /// Row pointers, column indices and values.
    pub fn parts(&self) -> (&[usize], &[u32], &[V]) {
        (&self.indptr, &self.indices, &self.data)
    }

    /// Takes the matrix apart without copying: row pointers, column indices and values (for
    /// handing the arrays to another owner, such as numpy in the Python package).
    pub fn into_parts(self) -> (Vec<usize>, Vec<u32>, Vec<V>) {
        (self.indptr, self.indices, self.data)
    }

    /// A new matrix of the given rows, in the given order (a row may repeat).
    pub fn select_rows(&self, rows: impl IntoIterator<Item = usize>) -> CsrMatrix<V> {
        let mut out = CsrMatrix::new(self.n_cols);
        for r in rows {
            let (cols, vals) = self.row(r);
            out.push_row(cols.iter().copied().zip(vals.iter().copied()));
        }
        out
    }

    /// Appends another matrix's rows (same column count).
    pub fn append(&mut self, other: &CsrMatrix<V>) {
        assert_eq!(self.n_cols, other.n_cols, "column counts differ");
        let offset = self.indices.len();
        self.indices.extend_from_slice(&other.indices);
        self.data.extend_from_slice(&other.data);
        self.indptr
            .extend(other.indptr[1..].iter().map(|p| p + offset));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_ryu_writes_them() {
        let f32s = [
            0.0,
            -0.0,
            1.0,
            0.1,
            1e-7,
            3.4028235e38,
            -f32::MIN_POSITIVE,
            1e-45,
        ];
        let f32s = f32s
            .into_iter()
            .chain([f32::NAN, f32::INFINITY, f32::NEG_INFINITY]);
        f32s.for_each(written_as_ryu);
        let f64s = [
            0.0,
            0.1,
            -2.2250738585072014e-308,
            -1.7976931348623157e308,
            5e-324,
        ];
        f64s.into_iter()
            .chain([f64::NAN, f64::NEG_INFINITY])
            .for_each(written_as_ryu);
        // A sweep: every 9,973rd f32 bit pattern (both signs, every exponent) and 100,000
        // pseudo-random f64s, positive exponents included, written as ryu writes them.
        (0..u32::MAX)
            .step_by(9_973)
            .map(f32::from_bits)
            .for_each(written_as_ryu);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            written_as_ryu(f64::from_bits(x));
        }
    }

    /// Checks that `format_into` writes `v` as `ryu::Buffer::format` does.
    fn written_as_ryu<V: Value + ryu::Float + std::fmt::LowerExp>(v: V) {
        let mut out = [0u8; VALUE_LEN];
        let len = v.format_into(&mut out);
        assert_eq!(
            &out[..len],
            ryu::Buffer::new().format(v).as_bytes(),
            "{v:e}"
        );
    }

    #[test]
    fn build_and_read_rows() {
        let m = CsrMatrix::<f32>::from_rows(3, &[vec![(0, 1.0), (2, 0.5)], vec![], vec![(1, 2.0)]]);
        assert_eq!((m.n_rows(), m.n_cols(), m.nnz()), (3, 3, 3));
        assert_eq!(m.row(1), (&[][..], &[][..]));
        assert_eq!(m.row(2), (&[1u32][..], &[2.0f32][..]));
        let mut out = Vec::new();
        m.write_matrix_market(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("3 3 3\n1 1 1.0\n1 3 0.5\n3 2 2.0\n"),
            "{text}"
        );
    }

    #[test]
    #[should_panic(expected = "strictly increasing")]
    fn unsorted_row_is_a_bug() {
        CsrMatrix::<f32>::from_rows(3, &[vec![(2, 1.0), (0, 1.0)]]);
    }

    #[test]
    fn try_new_rejects_bad_parts() {
        assert!(CsrMatrix::<f64>::try_new(2, vec![0, 2], vec![1, 0], vec![1.0, 1.0]).is_err());
        assert!(CsrMatrix::<f64>::try_new(2, vec![0, 1], vec![5], vec![1.0]).is_err());
        assert!(CsrMatrix::<f64>::try_new(2, vec![0, 1], vec![1], vec![1.0]).is_ok());
        // Ends right, passes nnz in between: an error, not a slice out of range.
        let over = CsrMatrix::<f64>::try_new(2, vec![0, 5, 2], vec![0, 1], vec![1.0, 1.0]);
        assert!(over.is_err());
    }

    #[test]
    fn append_rows() {
        let mut a = CsrMatrix::<f32>::from_rows(2, &[vec![(0, 1.0)]]);
        a.append(&CsrMatrix::from_rows(2, &[vec![(1, 2.0)]]));
        assert_eq!(a.row(1), (&[1u32][..], &[2.0f32][..]));
    }
}
