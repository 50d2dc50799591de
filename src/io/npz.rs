//! NumPy files: `.npy` arrays (a small text header, then little-endian data) and the `.npz`
//! archive of a CSR matrix that `scipy.sparse.load_npz` reads (uncompressed zip, zip64 from
//! 4 GiB on), written whole or from row blocks.

use std::io::Write;

use ndarray::Array2;

use crate::matrix::{CsrMatrix, Value};

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
    ///
    /// # Errors
    ///
    /// Any error of writing to `out`.
    pub fn write_npz(&self, out: &mut impl Write) -> std::io::Result<()> {
        self.write_npz_zip64_from(out, ZIP64_FROM)
    }

    /// [`CsrMatrix::write_npz`], with zip64 fields from `zip64_from` on (tests use a small one).
    fn write_npz_zip64_from(&self, out: &mut impl Write, zip64_from: u64) -> std::io::Result<()> {
        let (mut data, mut indices) = (Vec::new(), Vec::new());
        let mut indptr = 0i64.to_le_bytes().to_vec();
        self.npz_bytes(&mut data, &mut indices, &mut indptr, 0);
        let n = |len: usize| format!("({len},)");
        let [format, shape] = npz_small_entries(self.n_rows(), self.n_cols());
        write_zip(
            out,
            vec![
                ZipEntry::held("indices.npy", npy("<i4", &n(self.nnz()), &indices)),
                ZipEntry::held("indptr.npy", npy("<i8", &n(self.n_rows() + 1), &indptr)),
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
        let (row_starts, columns, values) = self.parts();
        data.reserve(std::mem::size_of_val(values));
        for &v in values {
            v.write_le(data);
        }
        indices.extend(columns.iter().flat_map(|&c| (c as i32).to_le_bytes()));
        indptr.extend(
            row_starts[1..]
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
        let (path, file) = super::atomic::create_exclusive(dir, prefix.as_ref())?;
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
    ///
    /// # Errors
    ///
    /// Any error of creating or writing the temporary files in `dir`.
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
    ///
    /// # Errors
    ///
    /// An `InvalidInput` error if the block has other columns; any error of writing the
    /// temporary files.
    pub fn append(&mut self, block: &CsrMatrix<V>) -> std::io::Result<()> {
        if self.n_cols != block.n_cols() {
            let message = format!(
                "a block of {} columns for a matrix of {}",
                block.n_cols(),
                self.n_cols
            );
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                message,
            ));
        }
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
    ///
    /// # Errors
    ///
    /// Any error of flushing or reading back the temporary files (also if one no longer holds
    /// what was written), or of writing to `out`.
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

/// Writes a matrix in NumPy's `.npy` format (version 1.0, little-endian `f4`, C order), which
/// `numpy.load` reads.
///
/// # Errors
///
/// Any error of writing to `out`.
pub fn write_npy(m: &Array2<f32>, out: &mut impl Write) -> std::io::Result<()> {
    let (r, c) = m.dim();
    out.write_all(&npy_header("<f4", &format!("({r}, {c})")))?;
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
///
/// # Errors
///
/// A message saying what is wrong if the bytes are not a `.npy` file of version 1, 2 or 3,
/// its header is unreadable, its dtype is not `<f4` or `<f8`, its shape is not 2-D, or the data
/// does not fill the shape.
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
    let shape = shape
        .strip_prefix('(')
        .and_then(|s| s.split_once(')'))
        .ok_or("bad shape in the .npy header")?
        .0;
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
    let expected = r.checked_mul(c).and_then(|n| n.checked_mul(width));
    if expected != Some(data.len()) {
        return Err(format!(
            "expected {r} × {c} values of {width} bytes for shape ({r}, {c}), found {} bytes",
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

    #[test]
    fn npy_round_trip_and_alignment() {
        let m = Array2::from_shape_vec((4, 4), (0..16).map(|i| i as f32 / 7.0).collect()).unwrap();
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
    fn crafted_npy_headers_are_errors_not_panics() {
        let npy = |header: &str, data: &[u8]| {
            let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
            bytes.extend((header.len() as u16).to_le_bytes());
            bytes.extend(header.as_bytes());
            bytes.extend(data);
            bytes
        };
        for shape in ["", ")", "é", "(", "(3, 3"] {
            let header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}}}");
            assert!(read_npy(&npy(&header, &[])).is_err(), "{shape}");
        }
        // Sizes whose product passes usize: a mismatch, not an overflow.
        let huge = format!(
            "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, 4), }}",
            usize::MAX / 2
        );
        let e = read_npy(&npy(&huge, &[0; 8])).unwrap_err();
        assert!(e.contains("found 8 bytes"), "{e}");
    }
}
