//! The sparse matrix: compressed sparse rows, u32 column indices, f32 (or f64) values.
//! This is the only module that knows the representation.

use std::io::Write;
use std::ops::Range;

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

/// The Matrix Market header for a real coordinate matrix.
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

    /// Writes Matrix Market `coordinate real general` (1-based), as `scipy.io.mmread` reads it.
    /// Rows are formatted in parallel blocks and written in order, so the bytes do not depend
    /// on the thread count.
    pub fn write_matrix_market(&self, out: &mut (impl Write + Send)) -> std::io::Result<()> {
        write_matrix_market_header(out, self.n_rows(), self.n_cols, self.nnz())?;
        self.write_matrix_market_entries(out, 0)
    }

    /// The Matrix Market lines of `rows` (row numbers offset by `first_row`, one-based), for
    /// writers that format blocks in parallel and write them in order.
    pub fn format_matrix_market_entries(&self, rows: Range<usize>, first_row: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        // Room for every line at its longest, and for the last line's working room: the buffer
        // is never grown and copied.
        let last_label = (first_row + rows.end) as u64;
        let longest = decimal_len(last_label) + decimal_len(self.n_cols as u64) + V::MAX_LEN + 3;
        buf.reserve((self.indptr[rows.end] - self.indptr[rows.start]) * longest + LINE_ROOM);
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

/// `0..n` cut into ranges of `size` (the last may be shorter).
pub fn row_blocks(n: usize, size: usize) -> Vec<Range<usize>> {
    (0..n)
        .step_by(size.max(1))
        .map(|start| start..(start + size).min(n))
        .collect()
}

/// Writes the bytes `format` makes of each block, in block order. Every thread formats blocks
/// in turn, taking the next one as soon as it is done, while a thread of its own writes them
/// out in order: a direct write ([`crate::outfile`]) waits for the device, not for a core. A
/// block is begun only when it is at most a few blocks per thread ahead of the writer, so
/// memory holds only those, and the bytes do not depend on the thread count.
pub fn write_in_order<W: Write + Send + ?Sized>(
    out: &mut W,
    blocks: &[Range<usize>],
    format: impl Fn(Range<usize>) -> Vec<u8> + Sync,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};
    let threads = rayon::current_num_threads();
    let ahead = 2 * threads + 2;
    // Formatted blocks not yet written, by index; `written` counts those written, or is
    // `usize::MAX` once the writer stopped on an error; `panicked` is set if `format` panicked.
    struct Done {
        formatted: std::collections::BTreeMap<usize, Vec<u8>>,
        written: usize,
        panicked: bool,
    }
    let done = Mutex::new(Done {
        formatted: Default::default(),
        written: 0,
        panicked: false,
    });
    // Stops the writer if a formatter panics, instead of leaving it waiting for the block.
    struct PanicGuard<'a>(&'a Mutex<Done>, &'a Condvar);
    impl Drop for PanicGuard<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                if let Ok(mut state) = self.0.lock() {
                    state.panicked = true;
                }
                self.1.notify_all();
            }
        }
    }
    // Signalled when a block is formatted (the writer waits) and when one is written (the
    // formatters wait).
    let (formatted, written) = (Condvar::new(), Condvar::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| -> std::io::Result<()> {
            for i in 0..blocks.len() {
                let mut state = done.lock().unwrap();
                let bytes = loop {
                    match state.formatted.remove(&i) {
                        Some(bytes) => break bytes,
                        // The panic goes on from the formatters' scope. The formatters still
                        // waiting for room must be let go, or the scope never ends.
                        None if state.panicked => {
                            state.written = usize::MAX;
                            drop(state);
                            written.notify_all();
                            return Ok(());
                        }
                        None => state = formatted.wait(state).unwrap(),
                    }
                };
                drop(state);
                let result = out.write_all(&bytes);
                let mut state = done.lock().unwrap();
                state.written = if result.is_ok() { i + 1 } else { usize::MAX };
                drop(state);
                written.notify_all();
                result?;
            }
            Ok(())
        });
        rayon::scope(|pool| {
            for _ in 0..threads {
                pool.spawn(|_| {
                    let _guard = PanicGuard(&done, &formatted);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= blocks.len() {
                            return;
                        }
                        {
                            let mut state = done.lock().unwrap();
                            while state.written != usize::MAX && i >= state.written + ahead {
                                state = written.wait(state).unwrap();
                            }
                            if state.written == usize::MAX {
                                return; // the writer stopped on an error, which it returns
                            }
                        }
                        let bytes = format(blocks[i].clone());
                        done.lock().unwrap().formatted.insert(i, bytes);
                        formatted.notify_one();
                    }
                });
            }
        });
        writer.join().expect("the writing thread does not panic")
    })
}

/// The header of a `.npy` array (version 1.0, padded to 64 bytes); the little-endian data
/// follows it.
fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out
}

/// One `.npy` array held in memory: header and little-endian data.
fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut out = npy_header(descr, shape);
    out.extend_from_slice(data);
    out
}

/// Writes a zip entry's bytes to `W`.
type WriteBytes<'a, W> = Box<dyn FnOnce(&mut W) -> std::io::Result<()> + 'a>;

/// One file of a zip archive: its name, size and CRC-32, and what writes exactly its bytes.
struct ZipEntry<'a, W: ?Sized> {
    name: &'static str,
    size: u64,
    crc: u32,
    write: WriteBytes<'a, W>,
}

impl<'a, W: Write + ?Sized> ZipEntry<'a, W> {
    /// An entry whose bytes are in memory.
    fn held(name: &'static str, bytes: Vec<u8>) -> Self {
        let mut crc = flate2::Crc::new();
        crc.update(&bytes);
        ZipEntry {
            name,
            size: bytes.len() as u64,
            crc: crc.sum(),
            write: Box::new(move |w: &mut W| w.write_all(&bytes)),
        }
    }
}

/// Sizes and offsets from this value on are stored in zip64 fields (0xFFFFFFFF in the 32-bit
/// field marks them).
const ZIP64_FROM: u64 = 0xFFFF_FFFF;

/// The fields of a zip header from `version needed` to `extra length`.
fn zip_fields(version: u16, crc: u32, size: u32, name_len: usize, extra_len: usize) -> Vec<u8> {
    let mut fields = Vec::with_capacity(26);
    fields.extend_from_slice(&version.to_le_bytes()); // version needed
    fields.extend_from_slice(&0u16.to_le_bytes()); // flags
    fields.extend_from_slice(&0u16.to_le_bytes()); // method: stored
    fields.extend_from_slice(&0u16.to_le_bytes()); // time
    fields.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
    fields.extend_from_slice(&crc.to_le_bytes());
    fields.extend_from_slice(&size.to_le_bytes()); // compressed
    fields.extend_from_slice(&size.to_le_bytes()); // uncompressed
    fields.extend_from_slice(&(name_len as u16).to_le_bytes());
    fields.extend_from_slice(&(extra_len as u16).to_le_bytes());
    fields
}

/// A zip64 extended information field holding `values`.
fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut extra = Vec::with_capacity(4 + 8 * values.len());
    extra.extend_from_slice(&1u16.to_le_bytes());
    extra.extend_from_slice(&(8 * values.len() as u16).to_le_bytes());
    for v in values {
        extra.extend_from_slice(&v.to_le_bytes());
    }
    extra
}

/// Writes `entries` as an uncompressed zip archive (what `numpy.load` reads). Timestamps are
/// fixed, so the bytes depend only on the content. Sizes and offsets of 4 GiB and more use
/// zip64 fields (`zip64_from` is [`ZIP64_FROM`] but in tests); smaller archives have none.
fn write_zip<W: Write + ?Sized>(
    out: &mut W,
    entries: Vec<ZipEntry<'_, W>>,
    zip64_from: u64,
) -> std::io::Result<()> {
    let mut central = Vec::new();
    let mut offset: u64 = 0;
    let n_entries = entries.len() as u64;
    for entry in entries {
        let name = entry.name;
        let (big_size, big_offset) = (entry.size >= zip64_from, offset >= zip64_from);
        let version = if big_size || big_offset { 45 } else { 20 };
        let size32 = if big_size {
            u32::MAX
        } else {
            entry.size as u32
        };
        let local_extra = if big_size {
            zip64_extra(&[entry.size, entry.size])
        } else {
            Vec::new()
        };
        out.write_all(b"PK\x03\x04")?;
        out.write_all(&zip_fields(
            version,
            entry.crc,
            size32,
            name.len(),
            local_extra.len(),
        ))?;
        out.write_all(name.as_bytes())?;
        out.write_all(&local_extra)?;
        (entry.write)(out)?;
        // The central header's zip64 field holds only what its 32-bit fields cannot.
        let mut wide = Vec::new();
        if big_size {
            wide.extend([entry.size, entry.size]);
        }
        if big_offset {
            wide.push(offset);
        }
        let central_extra = if wide.is_empty() {
            Vec::new()
        } else {
            zip64_extra(&wide)
        };
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&version.to_le_bytes()); // version made by
        central.extend_from_slice(&zip_fields(
            version,
            entry.crc,
            size32,
            name.len(),
            central_extra.len(),
        ));
        central.extend_from_slice(&[0u8; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        let offset32 = if big_offset { u32::MAX } else { offset as u32 };
        central.extend_from_slice(&offset32.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        central.extend_from_slice(&central_extra);
        offset += 30 + name.len() as u64 + local_extra.len() as u64 + entry.size;
    }
    let (central_offset, central_len) = (offset, central.len() as u64);
    out.write_all(&central)?;
    let big_end = central_offset >= zip64_from;
    if big_end {
        // The zip64 end of central directory record, and the locator that points to it.
        out.write_all(b"PK\x06\x06")?;
        out.write_all(&44u64.to_le_bytes())?; // size of the rest of the record
        out.write_all(&45u16.to_le_bytes())?; // version made by
        out.write_all(&45u16.to_le_bytes())?; // version needed
        out.write_all(&[0u8; 8])?; // disk numbers
        out.write_all(&n_entries.to_le_bytes())?;
        out.write_all(&n_entries.to_le_bytes())?;
        out.write_all(&central_len.to_le_bytes())?;
        out.write_all(&central_offset.to_le_bytes())?;
        out.write_all(b"PK\x06\x07")?;
        out.write_all(&0u32.to_le_bytes())?; // disk of the record
        out.write_all(&(central_offset + central_len).to_le_bytes())?;
        out.write_all(&1u32.to_le_bytes())?; // number of disks
    }
    let central_offset32 = if big_end {
        u32::MAX
    } else {
        central_offset as u32
    };
    out.write_all(b"PK\x05\x06")?;
    out.write_all(&[0u8; 4])?; // disk numbers
    out.write_all(&(n_entries as u16).to_le_bytes())?;
    out.write_all(&(n_entries as u16).to_le_bytes())?;
    out.write_all(&(central_len as u32).to_le_bytes())?;
    out.write_all(&central_offset32.to_le_bytes())?;
    out.write_all(&0u16.to_le_bytes())
}

/// The `format` and `shape` arrays of a CSR `.npz`.
fn npz_small_entries<'a, W: Write + ?Sized>(n_rows: usize, n_cols: usize) -> [ZipEntry<'a, W>; 2] {
    let shape: Vec<u8> = [n_rows as i64, n_cols as i64]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let format: Vec<u8> = "csr"
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    [
        ZipEntry::held("format.npy", npy("<U3", "()", &format)),
        ZipEntry::held("shape.npy", npy("<i8", "(2,)", &shape)),
    ]
}

impl<V: Value> CsrMatrix<V> {
    /// Writes the `.npz` layout of `scipy.sparse.save_npz` (uncompressed), which
    /// `scipy.sparse.load_npz` reads: `data`, `indices` (int32), `indptr` (int64), `format`, `shape`.
    pub fn write_npz(&self, out: &mut impl Write) -> std::io::Result<()> {
        self.write_npz_zip64_from(out, ZIP64_FROM)
    }

    /// [`CsrMatrix::write_npz`], with zip64 fields from `zip64_from` on (tests use a small one).
    fn write_npz_zip64_from(&self, out: &mut impl Write, zip64_from: u64) -> std::io::Result<()> {
        let (mut data, mut indices) = (Vec::new(), Vec::new());
        let mut indptr = 0i64.to_le_bytes().to_vec();
        self.npz_bytes(&mut data, &mut indices, &mut indptr, 0);
        let n = |len: usize| format!("({len},)");
        let [format, shape] = npz_small_entries(self.n_rows(), self.n_cols);
        write_zip(
            out,
            vec![
                ZipEntry::held("indices.npy", npy("<i4", &n(self.nnz()), &indices)),
                ZipEntry::held("indptr.npy", npy("<i8", &n(self.indptr.len()), &indptr)),
                format,
                shape,
                ZipEntry::held("data.npy", npy(V::NPY_DESCR, &n(self.nnz()), &data)),
            ],
            zip64_from,
        )
    }

    /// Appends the little-endian bytes of the `.npz` arrays: values, column indices (int32), and
    /// the row pointers after the leading 0 (int64), each plus `before` (the values of the rows
    /// before these, for a matrix written in blocks).
    fn npz_bytes(
        &self,
        data: &mut Vec<u8>,
        indices: &mut Vec<u8>,
        indptr: &mut Vec<u8>,
        before: u64,
    ) {
        data.reserve(self.data.len() * std::mem::size_of::<V>());
        for &v in &self.data {
            v.write_le(data);
        }
        indices.extend(self.indices.iter().flat_map(|&c| (c as i32).to_le_bytes()));
        indptr.extend(
            self.indptr[1..]
                .iter()
                .flat_map(|&p| (before as i64 + p as i64).to_le_bytes()),
        );
    }
}

/// Writes a matrix as `.npz`, the same bytes as [`CsrMatrix::write_npz`], from row blocks
/// appended in order: only a block is held, since the three arrays go to temporary files in a
/// directory (removed in the end, or if the writer is dropped), and
/// [`NpzWriter::finish`] copies them into the archive.
pub struct NpzWriter<V: Value> {
    n_cols: usize,
    n_rows: usize,
    nnz: u64,
    data: NpzPart,
    indices: NpzPart,
    indptr: NpzPart,
    value: std::marker::PhantomData<V>,
}

/// One array's little-endian bytes, in a temporary file, with their length and CRC-32.
struct NpzPart {
    path: std::path::PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
    crc: flate2::Crc,
    len: u64,
}

impl NpzPart {
    /// A new part in `dir`, created exclusively under a name nobody can guess.
    fn create(dir: &std::path::Path, array: &str) -> std::io::Result<Self> {
        let prefix = format!(".matrix.npz.{array}.part-");
        let (path, file) = crate::atomic::create_exclusive(dir, prefix.as_ref())?;
        Ok(NpzPart {
            path,
            writer: Some(std::io::BufWriter::with_capacity(1 << 20, file)),
            crc: flate2::Crc::new(),
            len: 0,
        })
    }

    fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.crc.update(bytes);
        self.len += bytes.len() as u64;
        match &mut self.writer {
            Some(w) => w.write_all(bytes),
            None => Err(std::io::Error::other("npz part already closed")),
        }
    }

    /// The zip entry of this array: `header`, then the file's bytes.
    fn entry<'a, W: Write + ?Sized>(
        &'a mut self,
        name: &'static str,
        header: Vec<u8>,
    ) -> std::io::Result<ZipEntry<'a, W>> {
        if let Some(w) = self.writer.take() {
            w.into_inner().map_err(|e| e.into_error())?;
        }
        let mut crc = flate2::Crc::new();
        crc.update(&header);
        crc.combine(&self.crc);
        let (path, len) = (&self.path, self.len);
        Ok(ZipEntry {
            name,
            size: header.len() as u64 + len,
            crc: crc.sum(),
            write: Box::new(move |w: &mut W| {
                w.write_all(&header)?;
                let copied = std::io::copy(&mut std::fs::File::open(path)?, w)?;
                if copied != len {
                    return Err(std::io::Error::other(format!(
                        "{}: {copied} bytes where {len} were written",
                        path.display()
                    )));
                }
                Ok(())
            }),
        })
    }
}

impl Drop for NpzPart {
    fn drop(&mut self) {
        self.writer.take();
        let _ = std::fs::remove_file(&self.path);
    }
}

impl<V: Value> NpzWriter<V> {
    /// Starts a matrix of `n_cols` columns, with its temporary files in `dir`.
    pub fn create(dir: &std::path::Path, n_cols: usize) -> std::io::Result<Self> {
        let part = |array: &str| NpzPart::create(dir, array);
        let mut indptr = part("indptr")?;
        indptr.push(&0i64.to_le_bytes())?;
        Ok(NpzWriter {
            n_cols,
            n_rows: 0,
            nnz: 0,
            data: part("data")?,
            indices: part("indices")?,
            indptr,
            value: std::marker::PhantomData,
        })
    }

    /// Appends the rows of a block (with the same columns).
    pub fn append(&mut self, block: &CsrMatrix<V>) -> std::io::Result<()> {
        assert_eq!(self.n_cols, block.n_cols, "column counts differ");
        let (mut data, mut indices, mut indptr) = (Vec::new(), Vec::new(), Vec::new());
        block.npz_bytes(&mut data, &mut indices, &mut indptr, self.nnz);
        self.data.push(&data)?;
        self.indices.push(&indices)?;
        self.indptr.push(&indptr)?;
        self.n_rows += block.n_rows();
        self.nnz += block.nnz() as u64;
        Ok(())
    }

    /// Rows appended so far.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Writes the archive to `out`; the temporary files are removed.
    pub fn finish(mut self, out: &mut impl Write) -> std::io::Result<()> {
        let n = |len: u64| format!("({len},)");
        let (nnz, rows) = (self.nnz, self.n_rows as u64);
        let [format, shape] = npz_small_entries(self.n_rows, self.n_cols);
        let entries = vec![
            self.indices
                .entry("indices.npy", npy_header("<i4", &n(nnz)))?,
            self.indptr
                .entry("indptr.npy", npy_header("<i8", &n(rows + 1)))?,
            format,
            shape,
            self.data
                .entry("data.npy", npy_header(V::NPY_DESCR, &n(nnz)))?,
        ];
        write_zip(out, entries, ZIP64_FROM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_ryu_and_itoa_write_them() {
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
    }

    #[test]
    fn npz_written_in_blocks_is_the_same_bytes() {
        let rows: Vec<Vec<(u32, f32)>> = (0..50)
            .map(|r| {
                (0..(r % 4) as u32)
                    .map(|k| (k * 3 + r as u32 % 3, r as f32 / 7.0 + k as f32))
                    .collect()
            })
            .collect();
        let whole = CsrMatrix::<f32>::from_rows(12, &rows);
        let mut expected = Vec::new();
        whole.write_npz(&mut expected).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for block in [1, 7, 50] {
            let mut writer = NpzWriter::<f32>::create(dir.path(), 12).unwrap();
            for chunk in rows.chunks(block) {
                writer.append(&CsrMatrix::from_rows(12, chunk)).unwrap();
            }
            assert_eq!(writer.n_rows(), 50);
            let mut got = Vec::new();
            writer.finish(&mut got).unwrap();
            assert!(got == expected, "blocks of {block}");
        }
        // An empty matrix, and a writer dropped midway: no temporary file is left.
        let mut empty = Vec::new();
        NpzWriter::<f64>::create(dir.path(), 3)
            .unwrap()
            .finish(&mut empty)
            .unwrap();
        let mut expected_empty = Vec::new();
        CsrMatrix::<f64>::new(3)
            .write_npz(&mut expected_empty)
            .unwrap();
        assert!(empty == expected_empty);
        let mut dropped = NpzWriter::<f32>::create(dir.path(), 12).unwrap();
        dropped.append(&whole).unwrap();
        drop(dropped);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn zip64_archive_holds_the_same_arrays() {
        // Archives of 4 GiB are too big for a test: zip64 fields are forced from 100 bytes on,
        // and Python's zipfile (which numpy.load uses) reads both archives.
        let rows: Vec<Vec<(u32, f64)>> = (0..40)
            .map(|r| vec![(r as u32 % 5, 1.0 + r as f64), (5 + r as u32 % 4, 0.25)])
            .collect();
        let m = CsrMatrix::<f64>::from_rows(9, &rows);
        let dir = tempfile::tempdir().unwrap();
        let (plain, wide) = (dir.path().join("plain.npz"), dir.path().join("wide.npz"));
        let mut bytes = Vec::new();
        m.write_npz(&mut bytes).unwrap();
        std::fs::write(&plain, &bytes).unwrap();
        bytes.clear();
        m.write_npz_zip64_from(&mut bytes, 100).unwrap();
        std::fs::write(&wide, &bytes).unwrap();
        let script = "import sys, zipfile\n\
            a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])\n\
            assert a.testzip() is None and b.testzip() is None\n\
            assert a.namelist() == b.namelist(), (a.namelist(), b.namelist())\n\
            assert all(a.read(n) == b.read(n) for n in a.namelist())\n\
            assert [i.header_offset for i in b.infolist()][-1] > 100\n\
            print(len(b.namelist()))";
        let run = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&plain)
            .arg(&wide)
            .output();
        let Ok(out) = run else {
            eprintln!("skipping: no python3 to read the zip64 archive");
            return;
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
    }

    #[test]
    fn npz_layout() {
        let m = CsrMatrix::<f32>::from_rows(3, &[vec![(0, 1.0), (2, 0.5)], vec![]]);
        let mut out = Vec::new();
        m.write_npz(&mut out).unwrap();
        assert!(out.starts_with(b"PK\x03\x04"));
        let text = String::from_utf8_lossy(&out);
        for name in [
            "indices.npy",
            "indptr.npy",
            "format.npy",
            "shape.npy",
            "data.npy",
        ] {
            assert_eq!(
                text.matches(name).count(),
                2,
                "{name} in a local and the central header"
            );
        }
        assert!(text.contains("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"));
        let header = npy("<i8", "(2,)", &[]);
        assert_eq!(header.len() % 64, 0);
    }

    /// Accepts `room` bytes, then fails.
    struct FullDisk {
        room: usize,
        taken: Vec<u8>,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.taken.len() + buf.len() > self.room {
                return Err(std::io::Error::other("disk full"));
            }
            self.taken.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn blocks_are_written_in_order_and_failures_stop_it() {
        let blocks = row_blocks(1000, 7);
        let format = |r: Range<usize>| {
            // Uneven work, so blocks finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((r.start % 5) as u64 * 50));
            r.map(|i| format!("{i}\n")).collect::<String>().into_bytes()
        };
        let expected: String = (0..1000).map(|i| format!("{i}\n")).collect();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            pool.install(|| write_in_order(&mut out, &blocks, format))
                .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected,
                "{threads} threads"
            );
            // A failing write ends it with the error, after the bytes that fitted, in order.
            let mut disk = FullDisk {
                room: 1000,
                taken: Vec::new(),
            };
            let failed = pool.install(|| write_in_order(&mut disk, &blocks, format));
            assert_eq!(failed.unwrap_err().to_string(), "disk full");
            assert!(expected.as_bytes().starts_with(&disk.taken) && !disk.taken.is_empty());
            // A panicking formatter ends it with the panic, not a wait.
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    write_in_order(&mut Vec::new(), &blocks, |r: Range<usize>| {
                        assert!(r.start < 500, "formatting failed");
                        Vec::new()
                    })
                })
            }));
            assert!(panicked.is_err());
        }
    }

    #[test]
    fn append_rows() {
        let mut a = CsrMatrix::<f32>::from_rows(2, &[vec![(0, 1.0)]]);
        a.append(&CsrMatrix::from_rows(2, &[vec![(1, 2.0)]]));
        assert_eq!(a.row(1), (&[1u32][..], &[2.0f32][..]));
    }
}
