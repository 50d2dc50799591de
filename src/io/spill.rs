//! The spill file of a streamed vectorize: each document's counts set aside on disk between
//! reading the input and writing the matrix, so they are never all in memory.
//!
//! Each document is one record: its byte length (u64), then id, title and source (each a u64
//! length, or u64::MAX for none, then its bytes), length and pair count (two u32), and the
//! (term, count) pairs, sorted by term, as varints to the record's end, each term as its gap
//! from the one before. Numbers are little-endian.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::corpus::Document;
use crate::error::{Error, Result};

/// Per-document counts in a temporary file (removed when dropped); see the module docs.
pub(crate) struct Spill {
    path: PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

/// A block of spilled documents: their ids, titles and sources, counts and lengths.
pub(crate) type SpilledBlock = (Vec<Document>, Vec<Vec<(u32, u32)>>, Vec<u32>);

/// One spilled document: its id, title and source, its (term, count) pairs and its length.
type SpilledDoc = (Document, Vec<(u32, u32)>, u32);

/// A spill that does not read back as it was written.
pub(crate) fn corrupt(path: &Path, what: &str) -> Error {
    let error = std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    Error::io(path, error)
}

impl Spill {
    /// Creates the spill file in `dir` (which must not hold one).
    pub(crate) fn create(dir: &Path) -> Result<Spill> {
        let path = dir.join(".counts.part");
        let file = crate::io::atomic::new_file(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Spill {
            path,
            writer: Some(std::io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the records of `docs`, with their (term, count) rows and lengths.
    pub(crate) fn write(
        &mut self,
        docs: &[Document],
        rows: &[Vec<(u32, u32)>],
        lens: &[u32],
    ) -> Result<()> {
        let w = self.writer.as_mut().expect("written before read back");
        // Blocks of records are encoded in parallel and written in order.
        const BLOCK: usize = 1024;
        let blocks: Vec<Vec<u8>> = docs
            .par_chunks(BLOCK)
            .zip(rows.par_chunks(BLOCK))
            .zip(lens.par_chunks(BLOCK))
            .map(|((docs, rows), lens)| {
                let mut buf = Vec::new();
                for ((doc, row), &len) in docs.iter().zip(rows).zip(lens) {
                    put_record(&mut buf, doc, row, len);
                }
                buf
            })
            .collect();
        for buf in blocks {
            w.write_all(&buf).map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }

    /// Ends the writing and reads the records back from the start.
    pub(crate) fn read_back(&mut self) -> Result<SpillReader> {
        if let Some(w) = self.writer.take() {
            w.into_inner()
                .map_err(|e| Error::io(&self.path, e.into_error()))?;
        }
        let file = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(SpillReader {
            path: self.path.clone(),
            file,
            buf: Vec::new(),
            at: 0,
            ended: false,
        })
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Appends one document's record (see the module docs).
fn put_record(buf: &mut Vec<u8>, doc: &Document, row: &[(u32, u32)], len: u32) {
    let at = buf.len();
    buf.extend_from_slice(&[0; 8]); // the record's length, known at its end
    for field in [Some(&doc.id), doc.title.as_ref(), doc.source.as_ref()] {
        match field {
            Some(text) => {
                buf.extend_from_slice(&(text.len() as u64).to_le_bytes());
                buf.extend_from_slice(text.as_bytes());
            }
            None => buf.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
    }
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(&(row.len() as u32).to_le_bytes());
    // The pairs as LEB128 varints, each term as its gap from the one before (rows are sorted
    // by term): most gaps and counts take a byte, against 8 for the pair as two u32.
    let mut last = 0;
    for &(t, c) in row {
        debug_assert!(t >= last, "a spilled row is sorted by term");
        put_varint(buf, t - last);
        put_varint(buf, c);
        last = t;
    }
    let record = (buf.len() - at - 8) as u64;
    buf[at..at + 8].copy_from_slice(&record.to_le_bytes());
}

/// Appends `v` as an unsigned LEB128 varint: seven bits a byte, low bits first.
fn put_varint(buf: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

/// Reads a varint written by [`put_varint`] at `*at`, moving past it; `None` if the bytes end
/// first or it does not fit in a u32.
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut v: u64 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return u32::try_from(v).ok();
        }
    }
    None
}

/// Reads a spill back in blocks of documents: the bytes in large reads, each block's records
/// found in order and decoded in parallel.
pub(crate) struct SpillReader {
    path: PathBuf,
    file: std::fs::File,
    /// Bytes read and not yet decoded from `at` on.
    buf: Vec<u8>,
    at: usize,
    ended: bool,
}

impl SpillReader {
    /// The bytes of the next `n` records (fewer at the end) and their number, or `None` when
    /// all were read: reading and cutting is sequential, decoding ([`decode_records`]) can go
    /// elsewhere.
    pub(crate) fn next_records(&mut self, n: usize) -> Result<Option<(Vec<u8>, usize)>> {
        use std::io::Read;
        const READ: u64 = 8 << 20;
        let (mut start, mut pos, mut count) = (self.at, self.at, 0);
        while count < n {
            if let Some(len) = record_len(&self.buf[pos..]) {
                pos += len;
                count += 1;
                continue;
            }
            if self.ended {
                if pos < self.buf.len() {
                    return Err(corrupt(
                        &self.path,
                        "the spilled counts end inside a record",
                    ));
                }
                break;
            }
            // Keep the undecoded bytes only, then read more.
            self.buf.drain(..start);
            pos -= start;
            start = 0;
            let read = (&mut self.file)
                .take(READ)
                .read_to_end(&mut self.buf)
                .map_err(|e| Error::io(&self.path, e))?;
            self.ended = read == 0;
        }
        self.at = pos;
        Ok((count > 0).then(|| (self.buf[start..pos].to_vec(), count)))
    }

    /// The next `n` documents (fewer at the end), or `None` when all were read.
    #[cfg(test)]
    fn next_block(&mut self, n: usize) -> Result<Option<SpilledBlock>> {
        let path = self.path.clone();
        self.next_records(n)?
            .map(|(bytes, _)| decode_records(&bytes, &path))
            .transpose()
    }
}

/// Decodes whole records, back to back, read from the spill at `path` (named in errors).
pub(crate) fn decode_records(bytes: &[u8], path: &Path) -> Result<SpilledBlock> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = record_len(&bytes[at..])
            .ok_or_else(|| corrupt(path, "spilled counts: a record is cut"))?;
        records.push(at..at + len);
        at += len;
    }
    let decoded: Vec<SpilledDoc> = records
        .par_iter()
        .map(|r| decode_record(&bytes[r.clone()]))
        .collect::<Option<_>>()
        .ok_or_else(|| corrupt(path, "spilled counts: a record does not decode"))?;
    let mut block: SpilledBlock = Default::default();
    for (doc, row, len) in decoded {
        block.0.push(doc);
        block.1.push(row);
        block.2.push(len);
    }
    Ok(block)
}

/// The length of the record at the start of `bytes` (its length field included), if it is
/// there whole.
fn record_len(bytes: &[u8]) -> Option<usize> {
    let record = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(record).ok()?.checked_add(8)?;
    (end <= bytes.len()).then_some(end)
}

/// A whole record as its document, (term, count) pairs and length.
fn decode_record(bytes: &[u8]) -> Option<SpilledDoc> {
    let mut at = 8usize; // past the record's length
    let mut take = |n: usize| {
        let part = bytes.get(at..at.checked_add(n)?)?;
        at += n;
        Some(part)
    };
    let mut fields: [Option<String>; 3] = Default::default();
    for field in &mut fields {
        let len = u64::from_le_bytes(take(8)?.try_into().ok()?);
        if len != u64::MAX {
            *field = Some(String::from_utf8(take(usize::try_from(len).ok()?)?.to_vec()).ok()?);
        }
    }
    let len = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let pairs = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    let varints = &bytes[at..];
    let mut at = 0;
    // At least one byte a varint: a bad count cannot ask for more room than the bytes allow.
    let mut row = Vec::with_capacity(pairs.min(varints.len() / 2));
    let mut term = 0u32;
    for _ in 0..pairs {
        term = term.checked_add(get_varint(varints, &mut at)?)?;
        row.push((term, get_varint(varints, &mut at)?));
    }
    if at != varints.len() {
        return None;
    }
    let [id, title, source] = fields;
    let doc = Document {
        id: id.unwrap_or_default(),
        title,
        source,
        ..Default::default()
    };
    Some((doc, row, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_refuse_garbage() {
        let values = [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            u32::MAX,
        ];
        let mut buf = Vec::new();
        for &v in &values {
            put_varint(&mut buf, v);
        }
        assert_eq!(buf[..3], [0, 1, 127]);
        let mut at = 0;
        let back: Vec<u32> = values
            .iter()
            .map(|_| get_varint(&buf, &mut at).unwrap())
            .collect();
        assert_eq!((back.as_slice(), at), (&values[..], buf.len()));
        // Cut short, or longer than a u32 can hold.
        assert_eq!(get_varint(&[0x80], &mut 0), None);
        assert_eq!(get_varint(&[0xff, 0xff, 0xff, 0xff, 0x1f], &mut 0), None);
    }

    #[test]
    fn spill_reads_back_in_blocks_and_refuses_a_cut() {
        let dir = tempfile::tempdir().unwrap();
        let docs: Vec<Document> = (0..5)
            .map(|i| Document {
                id: format!("d{i}"),
                title: (i % 2 == 0).then(|| format!("title {i}")),
                source: (i == 3).then(|| "Ostvale Courier".to_string()),
                ..Default::default()
            })
            .collect();
        let rows: Vec<Vec<(u32, u32)>> = (0..5u32)
            .map(|i| (0..i * 40).map(|t| (t * 1000 + i, t % 7 + 1)).collect())
            .collect();
        let lens = vec![3, 0, 9, 27, 81];
        let mut spill = Spill::create(dir.path()).unwrap();
        spill.write(&docs, &rows, &lens).unwrap();
        let mut back = spill.read_back().unwrap();
        let mut got = Vec::new();
        while let Some((d, r, l)) = back.next_block(2).unwrap() {
            assert!(d.len() <= 2 && d.len() == r.len() && r.len() == l.len());
            got.extend(d.into_iter().zip(r).zip(l));
        }
        assert_eq!(got.len(), 5);
        for (((doc, row), len), i) in got.into_iter().zip(0..) {
            assert_eq!(
                (&doc.id, &doc.title, &doc.source),
                (&docs[i].id, &docs[i].title, &docs[i].source)
            );
            assert_eq!((row, len), (rows[i].clone(), lens[i]));
        }
        // A spill cut inside a record is an error, not a shorter matrix.
        let bytes = std::fs::read(spill.path()).unwrap();
        std::fs::write(spill.path(), &bytes[..bytes.len() - 3]).unwrap();
        let mut back = spill.read_back().unwrap();
        let mut result = Ok(None);
        for _ in 0..5 {
            result = back.next_block(2);
            if !matches!(result, Ok(Some(_))) {
                break;
            }
        }
        let err = result.expect_err("a cut spill is refused");
        assert!(err.message().contains("inside a record"), "{err}");
    }
}
