//! Matrix Market (`.mtx`), the text format `scipy.io.mmread` reads: a header, then one
//! `row column value` line per stored entry, numbered from 1. Lines are formatted in parallel
//! blocks and written in order ([`super::ordered`]), so the bytes do not depend on the thread
//! count.

use std::io::Write;
use std::ops::Range;

use super::ordered::{row_blocks, write_in_order};
use crate::matrix::{CsrMatrix, VALUE_LEN, Value};

/// The Matrix Market header for a real coordinate matrix.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_matrix_market_header(
    out: &mut impl Write,
    rows: usize,
    cols: usize,
    nnz: usize,
) -> std::io::Result<()> {
    writeln!(out, "%%MatrixMarket matrix coordinate real general")?;
    writeln!(out, "% written by parallax {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "{rows} {cols} {nnz}")
}

impl<V: Value> CsrMatrix<V> {
    /// Writes Matrix Market `coordinate real general` (1-based), as `scipy.io.mmread` reads it.
    /// Rows are formatted in parallel blocks and written in order, so the bytes do not depend
    /// on the thread count.
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn write_matrix_market(&self, out: &mut (impl Write + Send)) -> std::io::Result<()> {
        write_matrix_market_header(out, self.n_rows(), self.n_cols(), self.nnz())?;
        self.write_matrix_market_entries(out, 0)
    }

    /// The Matrix Market lines of `rows` (row numbers offset by `first_row`, one-based), for
    /// writers that format blocks in parallel and write them in order.
    pub fn format_matrix_market_entries(&self, rows: Range<usize>, first_row: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        // Room for every line at its longest, and for the last line's working room: the buffer
        // is never grown and copied.
        let last_label = (first_row + rows.end) as u64;
        let longest = decimal_len(last_label) + decimal_len(self.n_cols() as u64) + V::MAX_LEN + 3;
        let indptr = self.parts().0;
        buf.reserve((indptr[rows.end] - indptr[rows.start]) * longest + LINE_ROOM);
        // Each line is written in place: LINE_ROOM bytes are added and cut back to the line.
        // The row's label (and its space) is copied in as one fixed-size block, so no line
        // costs a call to `memcpy`.
        let mut label = [0u8; LABEL_ROOM];
        for r in rows {
            let label_len = format_decimal((first_row + r + 1) as u64, &mut label) + 1;
            label[label_len - 1] = b' ';
            let (cols, vals) = self.row(r);
            for (&c, &v) in cols.iter().zip(vals) {
                let at = buf.len();
                buf.resize(at + LINE_ROOM, 0);
                let line = &mut buf[at..];
                line[..LABEL_ROOM].copy_from_slice(&label);
                let mut len = label_len;
                len += format_decimal(c as u64 + 1, &mut line[len..]);
                line[len] = b' ';
                len += 1;
                let value: &mut [u8; VALUE_LEN] =
                    (&mut line[len..len + VALUE_LEN]).try_into().unwrap();
                len += v.format_into(value);
                line[len] = b'\n';
                buf.truncate(at + len + 1);
            }
        }
        buf
    }

    /// Writes only the entries, numbering rows from `first_row` (0-based): for a matrix written
    /// in pieces, whose header ([`write_matrix_market_header`]) comes last.
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn write_matrix_market_entries(
        &self,
        out: &mut (impl Write + Send),
        first_row: usize,
    ) -> std::io::Result<()> {
        let blocks = row_blocks(self.n_rows(), FORMAT_BLOCK_ROWS);
        write_in_order(out, &blocks, |rows| {
            self.format_matrix_market_entries(rows, first_row)
        })
    }
}

/// Rows per block when a matrix's Matrix Market lines are formatted in parallel.
pub const FORMAT_BLOCK_ROWS: usize = 512;

/// Room for a row label (up to 20 digits) and its space.
const LABEL_ROOM: usize = 20 + 1;

/// Room for one Matrix Market line: two 20-digit numbers, a value and three separators.
const LINE_ROOM: usize = LABEL_ROOM + 20 + 1 + VALUE_LEN + 1;

/// Number of decimal digits of `n`.
fn decimal_len(n: u64) -> usize {
    (n.checked_ilog10().unwrap_or(0) + 1) as usize
}

/// Two-digit decimal strings "00" to "99", back to back.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal at the start of `out` and returns its length.
fn format_decimal(mut n: u64, out: &mut [u8]) -> usize {
    let len = decimal_len(n);
    let mut end = len;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        out[end..end + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        out[..2].copy_from_slice(&DIGIT_PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        out[0] = b'0' + n as u8;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_itoa_writes_them() {
        let mut out = [0u8; 20];
        for n in [
            0,
            7,
            9,
            10,
            99,
            100,
            101,
            12_345,
            999_999,
            1_000_000,
            u64::MAX,
        ] {
            let len = format_decimal(n, &mut out);
            assert_eq!(&out[..len], n.to_string().as_bytes());
        }
    }
}
