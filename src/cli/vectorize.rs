//! `vectorize`, `fit` and `transform`.

use std::path::{Path, PathBuf};

use std::io::Write;

use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;

use super::output::{
    Dtype, MatrixFormat, OUTPUT_SET, VOCABULARY_HEADER, VocabularyLine, lock_output, report_read,
    stage_output, summary, write_vectorized,
};
use super::stream::{FormattedRows, StreamOut, format_rows};
use super::{InputArgs, SpaceArgs, VocabArgs, WeightArgs};
use parallax::atomic::WriteLock;
use parallax::corpus::Document;
use parallax::matrix::{CsrMatrix, Value, row_blocks};
use parallax::model;
use parallax::vectorize::{ColumnCounts, CountReport, FittedVectorizer, MergedTerms, Vectorizer};

/// `parallax vectorize`.
#[derive(Args, Debug)]
pub struct VectorizeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (created if missing).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Matrix file format.
    #[arg(long, value_enum, default_value = "mtx")]
    pub format: MatrixFormat,
    /// Value type of the matrix.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: Dtype,
    /// Read the input chunk by chunk, keeping each document's counts in a temporary file rather
    /// than in memory (memory bounded by the chunk and the vocabulary); automatic for inputs of
    /// 256 MiB or more.
    #[arg(long)]
    pub stream: bool,
    /// Also save the fitted model here.
    #[arg(long)]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// `parallax fit`.
#[derive(Args, Debug)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to save the model (JSON); with --update, defaults to the updated model's path.
    #[arg(long, short, required_unless_present = "update")]
    pub model: Option<PathBuf>,
    /// Write partial statistics (a shard) for `parallax merge` instead of a model. Only the
    /// analysis flags apply here; vocabulary and weighting flags go to `merge`.
    #[arg(long, conflicts_with = "update")]
    pub shard: bool,
    /// Add the inputs' statistics to this model and refit it with its own settings (equal to
    /// refitting on all documents). Analysis, vocabulary and weighting flags are not allowed.
    #[arg(long, value_name = "MODEL")]
    pub update: Option<PathBuf>,
    #[command(flatten)]
    pub space: SpaceArgs,
}

/// `parallax transform`.
#[derive(Args, Debug)]
pub struct TransformArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The model saved by `fit`.
    #[arg(long, short)]
    pub model: PathBuf,
    /// Output directory (created if missing); with `--format jsonl` (or `jsonl-indices`) and no
    /// --out, rows go to stdout.
    #[arg(long, short, required_unless_present = "format")]
    pub out: Option<PathBuf>,
    /// Matrix file format.
    #[arg(long, value_enum, default_value = "mtx")]
    pub format: MatrixFormat,
    /// Value type of the matrix.
    #[arg(long, value_enum, default_value = "f32")]
    pub dtype: Dtype,
}

/// Inputs at least this large are vectorized (and ranked by `keywords`) streamed, chunk by
/// chunk, instead of in memory, so memory stays bounded.
pub(super) const STREAM_FROM_BYTES: u64 = 256 << 20;

pub fn vectorize(args: &VectorizeArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let settings = args.space.vectorizer()?;
    // Both outputs are locked before any work, the model first (as `fit` does); the new set
    // is written beside --out and swapped in whole at the end. A model saved into --out
    // belongs to the set: written with it, swapped in with it.
    let in_set = args
        .model
        .as_deref()
        .is_some_and(|m| same_dir(model::directory_of(m), &args.out));
    let model_lock = match &args.model {
        Some(m) if !in_set => Some(lock_output(m, quiet)?),
        _ => None,
    };
    let staged = stage_output(&args.out, quiet)?;
    let model = match (&args.model, &model_lock) {
        (_, Some(lock)) => Some(ModelOut::Locked(lock)),
        (Some(m), None) => {
            let name = m.file_name().context("--model names no file")?;
            Some(ModelOut::InSet(staged.path().join(name)))
        }
        (None, _) => None,
    };
    let out = Outputs {
        dir: staged.path(),
        model,
    };
    // Streamed or not, the input is read once, so stdin works either way.
    if args.stream || args.input.size() >= STREAM_FROM_BYTES {
        match args.dtype {
            Dtype::F32 => vectorize_streamed::<f32>(&settings, args, &out, quiet, started)?,
            Dtype::F64 => vectorize_streamed::<f64>(&settings, args, &out, quiet, started)?,
        }
    } else {
        match args.dtype {
            Dtype::F32 => fit_write::<f32>(&settings, args, &out, quiet, started)?,
            Dtype::F64 => fit_write::<f64>(&settings, args, &out, quiet, started)?,
        }
    }
    staged.commit(OUTPUT_SET)?;
    Ok(())
}

/// Where a `vectorize` writes: the staging directory of --out, and --model.
struct Outputs<'a> {
    dir: &'a Path,
    model: Option<ModelOut<'a>>,
}

/// Where --model goes: its own locked path, or the new set when it is saved into --out.
enum ModelOut<'a> {
    Locked(&'a WriteLock),
    InSet(PathBuf),
}

impl ModelOut<'_> {
    fn write(
        &self,
        write: impl FnOnce(&mut parallax::outfile::OutFile) -> std::io::Result<()>,
    ) -> parallax::Result<()> {
        match self {
            ModelOut::Locked(lock) => lock.write_file(write),
            ModelOut::InSet(path) => parallax::atomic::write_new(path, write),
        }
    }
}

/// Whether two paths name one directory (the same path, or the same directory on disk).
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(a).ok() == std::path::absolute(b).ok(),
    }
}

/// Text per batch when vectorizing in memory: each batch is tokenized as soon as it is read
/// and its texts dropped, so the texts of the whole corpus are never held at once.
const BATCH_BYTES: usize = 8 << 20;

fn fit_write<V: Value>(
    settings: &Vectorizer,
    args: &VectorizeArgs,
    out: &Outputs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let trace = parallax::trace::Trace::start();
    let mut tokens = settings.tokenizer().context("fitting")?;
    let mut tokenized = Vec::new();
    let mut docs: Vec<Document> = Vec::new();
    let mut bytes = 0;
    let batch = BATCH_BYTES.min(args.input.chunk_mb.max(1) << 20);
    // Documents are tokenized by the reader, group by group as they are parsed.
    let tokenize = |docs: &[Document]| tokens.tokenize(docs);
    let read = args
        .input
        .read_prepared(batch, quiet, Some(&tokenize), &mut |chunk, groups| {
            bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
            tokenized.extend(groups);
            // Only what documents.tsv and row ids need is kept; the rest is freed in parallel.
            let kept: Vec<Document> = chunk
                .docs
                .into_par_iter()
                .with_min_len(256)
                .map(|doc| Document {
                    id: doc.id,
                    title: doc.title,
                    source: doc.source,
                    ..Default::default()
                })
                .collect();
            docs.extend(kept);
            Ok(())
        })?;
    report_read(&read, quiet);
    for group in tokenized {
        tokens.push(group);
    }
    trace.mark("read and tokenized");
    let (model, counts, mut report) = settings.fit_tokens(tokens).context("fitting")?;
    // The model first: if it cannot be saved, the output directory is left as it was.
    if let Some(path) = &out.model {
        path.write(|w| model::write_model(&model, w))?;
    }
    trace.mark("fitted");
    // Rows are weighed and written block by block, so the whole matrix is never held; the
    // Matrix Market header's count of stored values comes first, counted without weighing.
    const BLOCK_ROWS: usize = 256;
    let blocks = row_blocks(counts.n_rows(), BLOCK_ROWS);
    let (nnz, empty_rows) = model.stored_values(&counts);
    report.empty_rows = empty_rows;
    let block = |r| model.weigh_counts::<V>(&counts, r);
    write_vectorized(out.dir, args.format, &model, &docs, nnz, &blocks, &block)?;
    trace.mark("written");
    if !quiet {
        summary("vectorize", bytes, &report, model.n_terms(), nnz, started);
    }
    // The process ends here: freeing millions of small allocations one by one would only
    // delay the exit, and the system reclaims the memory at once.
    std::mem::forget((model, counts, docs));
    Ok(())
}

/// Fits from the input's statistics, chunk by chunk, through sorted runs (set aside in a
/// temporary directory in `spill_dir` beyond a memory budget); returns them merged.
pub(super) fn fit_streamed(
    settings: &Vectorizer,
    input: &InputArgs,
    spill_dir: &Path,
    quiet: bool,
) -> Result<MergedTerms> {
    let trace = parallax::trace::Trace::start();
    let mut runs = settings.runs(spill_dir)?;
    let report = input.read_chunked(quiet, &mut |mut chunk| {
        trace.mark("fit: chunk read");
        runs.add_releasing(&mut chunk.docs)?;
        trace.mark("fit: chunk counted");
        Ok(())
    })?;
    report_read(&report, quiet);
    let merged = runs.finish()?;
    trace.mark("fit: runs ready to merge");
    Ok(merged)
}

/// Where a streamed fit sets its runs aside: beside the model it writes (its disk, which the
/// user chose), or the system's temporary directory if the model goes to a device.
fn spill_dir_for(model: &Path) -> PathBuf {
    let dir = model::directory_of(model);
    if model::is_device(model) || !dir.is_dir() {
        std::env::temp_dir()
    } else {
        dir.to_path_buf()
    }
}

/// Transforms the input chunk by chunk into `out`; returns the counting report and text bytes.
fn transform_streamed<V: Value>(
    model: &FittedVectorizer,
    input: &InputArgs,
    out: &mut StreamOut<V>,
    quiet: bool,
) -> Result<(CountReport, usize)> {
    let mut total = CountReport::default();
    let mut bytes = 0;
    let report = input.read_chunked(quiet, &mut |chunk| {
        bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
        let (matrix, r) = model.transform_report::<V>(&chunk.docs);
        out.append(model.surfaces(), &chunk.docs, &matrix)?;
        total.documents += r.documents;
        total.tokens += r.tokens;
        total.out_of_vocabulary += r.out_of_vocabulary;
        total.empty_rows += r.empty_rows;
        Ok(())
    })?;
    report_read(&report, quiet);
    Ok((total, bytes))
}

/// Vectorizes in one streamed read: each chunk's statistics become a sorted run and its
/// counts are spilled to a temporary file; the runs are merged into the columns (and the model
/// with `--model`), then the counts are read back chunk by chunk, mapped to columns, weighed and
/// written block by block. The text is read and analyzed once, and no term list is held whole:
/// memory is bounded by the chunk, plus a number per column (its idf) and per term of each run
/// (its column).
fn vectorize_streamed<V: Value>(
    settings: &Vectorizer,
    args: &VectorizeArgs,
    out: &Outputs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    let trace = parallax::trace::Trace::start();
    let dir = out.dir;
    let mut runs = settings.runs(dir)?;
    let mut spill = Spill::create(dir)?;
    let (mut bytes, mut tokens, mut chunk_docs) = (0, 0, Vec::new());
    let read = args.input.read_chunked(quiet, &mut |mut chunk| {
        bytes += chunk.docs.iter().map(|d| d.text.len()).sum::<usize>();
        let counts = runs.add_rows(&mut chunk.docs)?;
        tokens += counts.tokens;
        chunk_docs.push(chunk.docs.len());
        spill.write(&chunk.docs, &counts)?;
        // Freeing a chunk's many small allocations takes a while: it is done beside the
        // reading of the next chunk, not before it.
        rayon::spawn(move || drop((chunk, counts)));
        Ok(())
    })?;
    report_read(&read, quiet);
    trace.mark("read, counted and spilled");
    let mut merged = runs.finish()?;
    if let Some(path) = &out.model {
        path.write(|w| model::write_model_merged(settings, &mut merged, w).map(|_| ()))
            .context("fitting")?;
        merged.restart();
    }
    // vocabulary.tsv is written as the columns are chosen, under a temporary name.
    let (path, mut w) = super::stream::temp(dir, "vocabulary.tsv")?;
    let vocabulary = TempFile(path);
    writeln!(w, "{VOCABULARY_HEADER}")?;
    let (mut line, mut surfaces) = (VocabularyLine::default(), Vec::new());
    let jsonl = args.format == MatrixFormat::Jsonl;
    let columns = settings
        .columns_of_merged(&mut merged, &mut |col, term, surface, df, idf| {
            if jsonl {
                surfaces.push(surface.to_string());
            }
            let bytes = line.make(col, term, surface, df, idf);
            w.write_all(bytes)
                .map_err(|e| parallax::Error::io(&vocabulary.0, e))
        })
        .context("fitting")?;
    w.finish()?;
    drop(merged);
    trace.mark("fitted");
    // The documents written are the ones fitted, so their stored values are known already.
    let expected = (columns.n_docs as usize, columns.stored_values);
    let n_columns = columns.n_columns();
    let mut out = StreamOut::<V>::create(Some(dir), args.format, n_columns, Some(expected))?;
    let mut report = CountReport {
        documents: 0,
        tokens,
        out_of_vocabulary: columns.pruned_occurrences,
        empty_rows: 0,
    };
    // The rows go in blocks, a few at a time: each block is decoded, mapped to columns,
    // weighed and formatted as one task, the tasks in parallel on the thread pool, while this
    // thread writes the blocks before them. Only cutting the spill into blocks is sequential.
    const BLOCK_ROWS: usize = 2048;
    let batch_len = 2 * rayon::current_num_threads();
    let mut back = spill.read_back()?;
    let spill_path = &spill.path;
    /// A block's spilled records, its first row and its chunk's column map.
    type Raw = (Vec<u8>, usize, std::sync::Arc<Vec<Option<u32>>>);
    type Prepared<V> = (Vec<Document>, CsrMatrix<V>, Option<FormattedRows>);
    // The next chunk, the documents left in the current one, and its terms' columns.
    let (mut chunk, mut left, mut to_col) = (0, 0, std::sync::Arc::new(Vec::new()));
    let mut first_row = 0;
    let mut next_raws = || -> Result<Vec<Raw>> {
        let mut raws = Vec::with_capacity(batch_len);
        while raws.len() < batch_len {
            while left == 0 {
                let Some(&n_docs) = chunk_docs.get(chunk) else {
                    return Ok(raws);
                };
                left = n_docs;
                to_col = std::sync::Arc::new(columns.run_columns(chunk));
                chunk += 1;
            }
            let Some((bytes, n)) = back.next_records(left.min(BLOCK_ROWS))? else {
                bail!("{}: the spilled counts end early", spill_path.display());
            };
            raws.push((bytes, first_row, std::sync::Arc::clone(&to_col)));
            left -= n;
            first_row += n;
        }
        Ok(raws)
    };
    let prepare = |(bytes, first_row, to_col): &Raw| -> Result<Prepared<V>> {
        let (docs, rows, lens) = decode_records(bytes)?;
        let counts = ColumnCounts::from_terms(rows, lens, to_col);
        let matrix = columns.weigh_counts(&counts);
        let formatted = format_rows(args.format, &surfaces, &docs, &matrix, *first_row)?;
        Ok((docs, matrix, formatted))
    };
    let mut next_batch =
        || -> Result<Vec<Prepared<V>>> { next_raws()?.par_iter().map(&prepare).collect() };
    let mut batch = next_batch()?;
    while !batch.is_empty() {
        let (mut prepared, mut written) = (Ok(Vec::new()), Ok(()));
        rayon::in_place_scope(|scope| {
            scope.spawn(|_| prepared = next_batch());
            written = batch
                .drain(..)
                .try_for_each(|(docs, matrix, formatted)| -> Result<()> {
                    match formatted {
                        Some(rows) => out.write_formatted(rows)?,
                        None => out.append(&surfaces, &docs, &matrix)?,
                    }
                    report.documents += matrix.n_rows();
                    report.empty_rows += matrix.empty_rows();
                    Ok(())
                });
        });
        written?;
        batch = prepared?;
    }
    if back.next_records(1)?.is_some() {
        bail!(
            "{}: the spilled counts run past the documents",
            spill.path.display()
        );
    }
    drop(back);
    drop(spill);
    trace.mark("rows written");
    let (_, nnz) = out.totals();
    out.finish(|dir| vocabulary.rename_to(&dir.join("vocabulary.tsv")))?;
    trace.mark("finished");
    if !quiet {
        summary(
            "vectorize (streamed)",
            bytes,
            &report,
            n_columns,
            nnz,
            started,
        );
    }
    Ok(())
}

/// A file written under a temporary name in an output directory: removed if dropped before it
/// is moved to its final name.
struct TempFile(PathBuf);

impl TempFile {
    fn rename_to(self, path: &Path) -> Result<()> {
        std::fs::rename(&self.0, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Per-document counts of a streamed fit in a temporary file (removed when dropped). Each
/// document is one record: its byte length (u64), then id, title and source (each a u64
/// length, or u64::MAX for none, then its bytes), length and pair count (two u32), and the
/// (term, count) pairs, sorted by term, as varints to the record's end, each term as its gap
/// from the one before. Numbers are little-endian.
struct Spill {
    path: PathBuf,
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

/// Appends one document's spill record (see [`Spill`]).
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

/// A block of spilled documents: their ids, titles and sources, counts and lengths.
type SpilledBlock = (Vec<Document>, Vec<Vec<(u32, u32)>>, Vec<u32>);

/// One spilled document: its id, title and source, its (term, count) pairs and its length.
type SpilledDoc = (Document, Vec<(u32, u32)>, u32);

impl Spill {
    fn create(dir: &std::path::Path) -> Result<Spill> {
        let path = dir.join(".counts.part");
        let file = parallax::atomic::new_file(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        Ok(Spill {
            path,
            writer: Some(std::io::BufWriter::with_capacity(1 << 20, file)),
        })
    }

    fn write(&mut self, docs: &[Document], counts: &parallax::vectorize::RunRows) -> Result<()> {
        let w = self.writer.as_mut().expect("written before read back");
        // Blocks of records are encoded in parallel and written in order.
        const BLOCK: usize = 1024;
        let blocks: Vec<Vec<u8>> = docs
            .par_chunks(BLOCK)
            .zip(counts.rows.par_chunks(BLOCK))
            .zip(counts.doc_lens.par_chunks(BLOCK))
            .map(|((docs, rows), lens)| {
                let mut buf = Vec::new();
                for ((doc, row), &len) in docs.iter().zip(rows).zip(lens) {
                    put_record(&mut buf, doc, row, len);
                }
                buf
            })
            .collect();
        for buf in blocks {
            w.write_all(&buf)
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(())
    }

    fn read_back(&mut self) -> Result<SpillReader> {
        if let Some(w) = self.writer.take() {
            w.into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        let file = std::fs::File::open(&self.path)
            .with_context(|| format!("reading {}", self.path.display()))?;
        Ok(SpillReader {
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
struct SpillReader {
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
    fn next_records(&mut self, n: usize) -> Result<Option<(Vec<u8>, usize)>> {
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
                    bail!("the spilled counts end inside a record");
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
                .context("reading the spilled counts")?;
            self.ended = read == 0;
        }
        self.at = pos;
        Ok((count > 0).then(|| (self.buf[start..pos].to_vec(), count)))
    }

    /// The next `n` documents (fewer at the end), or `None` when all were read.
    #[cfg(test)]
    fn next_block(&mut self, n: usize) -> Result<Option<SpilledBlock>> {
        self.next_records(n)?
            .map(|(bytes, _)| decode_records(&bytes))
            .transpose()
    }
}

/// Decodes whole spilled records, back to back.
fn decode_records(bytes: &[u8]) -> Result<SpilledBlock> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len = record_len(&bytes[at..]).context("spilled counts: a record is cut")?;
        records.push(at..at + len);
        at += len;
    }
    let decoded: Vec<SpilledDoc> = records
        .par_iter()
        .map(|r| decode_record(&bytes[r.clone()]))
        .collect::<Option<_>>()
        .context("spilled counts: a record does not decode")?;
    let mut block: SpilledBlock = Default::default();
    for (doc, row, len) in decoded {
        block.0.push(doc);
        block.1.push(row);
        block.2.push(len);
    }
    Ok(block)
}

/// The length of the spilled record at the start of `bytes` (its length field included), if
/// it is there whole.
fn record_len(bytes: &[u8]) -> Option<usize> {
    let record = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(record).ok()?.checked_add(8)?;
    (end <= bytes.len()).then_some(end)
}

/// A whole spilled record (see [`Spill`]) as its document, (term, count) pairs and length.
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

pub fn fit(args: &FitArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    if let Some(base) = &args.update {
        return update(args, base, quiet, started);
    }
    let out = args
        .model
        .as_ref()
        .expect("clap requires --model without --update");
    let settings = args.space.vectorizer()?;
    if args.shard && (args.space.vocab.is_set() || args.space.weight.is_set()) {
        bail!(
            "--shard writes statistics only: give vocabulary and weighting flags to `parallax merge`"
        );
    }
    let lock = lock_output(out, quiet)?;
    let mut merged = fit_streamed(&settings, &args.input, &spill_dir_for(out), quiet)?;
    let n_docs = merged.n_docs();
    let trace = parallax::trace::Trace::start();
    if args.shard {
        let mut terms = 0;
        lock.write_file(|w| {
            terms = model::write_shard_merged(&settings.analysis, &mut merged, w)?;
            Ok(())
        })?;
        trace.mark("fit: shard merged and saved");
        if !quiet {
            eprintln!(
                "parallax fit --shard: {} documents, {} terms → {} ({:.2} s)",
                n_docs,
                terms,
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let mut columns = 0;
    lock.write_file(|w| {
        columns = model::write_model_merged(&settings, &mut merged, w)?;
        Ok(())
    })
    .context("fitting")?;
    trace.mark("fit: model merged and saved");
    if !quiet {
        eprintln!(
            "parallax fit: {} documents, {} terms → {} ({:.2} s)",
            n_docs,
            columns,
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `fit --update`: the model's statistics plus the inputs', refitted with the model's settings.
fn update(
    args: &FitArgs,
    base: &std::path::Path,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    if args.space.analysis.is_set() || args.space.vocab.is_set() || args.space.weight.is_set() {
        bail!(
            "--update refits with the model's own settings: remove the analysis, vocabulary and weighting flags"
        );
    }
    let out = args.model.as_deref().unwrap_or(base);
    // Locked before the old model is read: two updates of one model run one after the other.
    let lock = lock_output(out, quiet)?;
    let old = model::load(base)?;
    let settings = Vectorizer::of(&old);
    let added = fit_streamed(&settings, &args.input, &spill_dir_for(out), quiet)?.collect()?;
    let added_docs = added.n_docs;
    let merged = old.statistics().try_merge(&added).with_context(|| {
        format!(
            "{}: its counts plus the inputs' pass 2^64; the model cannot be updated",
            base.display()
        )
    })?;
    let model = settings.fit_statistics(merged).context("refitting")?;
    lock.write_file(|w| model::write_model(&model, w))?;
    if !quiet {
        eprintln!(
            "parallax fit --update: +{} documents ({} in all), {} terms → {} ({:.2} s)",
            added_docs,
            model.n_docs(),
            model.n_terms(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    std::mem::forget((old, model));
    Ok(())
}

/// `parallax merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shards from `fit --shard` (or models); their analysis settings must be identical.
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    /// Where to save the merged model (or, with --shard, the summed shard).
    #[arg(long, short)]
    pub model: PathBuf,
    /// Write the summed statistics as one shard instead of a model, so shards can be summed in
    /// a tree (on a cluster) before the final merge. Vocabulary and weighting flags go to the
    /// final merge.
    #[arg(long)]
    pub shard: bool,
    #[command(flatten)]
    pub vocab: VocabArgs,
    #[command(flatten)]
    pub weight: WeightArgs,
}

pub fn merge(args: &MergeArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    if args.weight.compat.is_some() {
        bail!(
            "--compat sets the analysis too, which the shards already fixed: give --tf, --idf, --norm instead"
        );
    }
    let lock = lock_output(&args.model, quiet)?;
    let mut analysis = None;
    let mut merged = parallax::vectorize::Statistics::default();
    for path in &args.shards {
        let (a, stats) = model::load_statistics(path)?;
        match &analysis {
            None => analysis = Some((a, path)),
            Some((first, first_path)) if *first != a => bail!(
                "{}: its analysis settings differ from {}'s; shards must be fitted with the same analysis flags",
                path.display(),
                first_path.display()
            ),
            Some(_) => {}
        }
        merged = merged.try_merge(&stats).with_context(|| {
            format!(
                "{}: its counts added to the shards before it pass 2^64; the sum cannot be stored",
                path.display()
            )
        })?;
    }
    let (analysis, _) = analysis.expect("clap requires at least one shard");
    if args.shard {
        if args.vocab.is_set() || args.weight.is_set() {
            bail!(
                "merge --shard writes statistics only: give vocabulary and weighting flags to the final merge"
            );
        }
        lock.write_file(|w| model::write_shard(&analysis, &merged, w))?;
        if !quiet {
            eprintln!(
                "parallax merge --shard: {} shards, {} documents, {} terms → {} ({:.2} s)",
                args.shards.len(),
                merged.n_docs,
                merged.terms.len(),
                args.model.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let settings = Vectorizer {
        vocabulary: super::vocabulary_params(&args.vocab, &analysis)?,
        weighting: super::weighting(&args.weight),
        analysis,
    };
    let model = settings
        .fit_statistics(merged)
        .context("fitting the merged statistics")?;
    lock.write_file(|w| model::write_model(&model, w))?;
    if !quiet {
        eprintln!(
            "parallax merge: {} shards, {} documents, {} terms → {} ({:.2} s)",
            args.shards.len(),
            model.n_docs(),
            model.n_terms(),
            args.model.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn transform(args: &TransformArgs, quiet: bool) -> Result<()> {
    let started = std::time::Instant::now();
    let model = model::load(&args.model)?;
    match args.dtype {
        Dtype::F32 => transform_write::<f32>(&model, args, quiet, started),
        Dtype::F64 => transform_write::<f64>(&model, args, quiet, started),
    }
}

fn transform_write<V: Value>(
    model: &FittedVectorizer,
    args: &TransformArgs,
    quiet: bool,
    started: std::time::Instant,
) -> Result<()> {
    if args.out.is_none() && !args.format.is_jsonl() {
        bail!(
            "--out DIR is required unless --format jsonl (or jsonl-indices) writes rows to stdout"
        );
    }
    let staged = args
        .out
        .as_deref()
        .map(|dir| stage_output(dir, quiet))
        .transpose()?;
    let dir = staged.as_ref().map(|s| s.path());
    let mut out = StreamOut::<V>::create(dir, args.format, model.n_terms(), None)?;
    let (report, bytes) = transform_streamed(model, &args.input, &mut out, quiet)?;
    let (_, nnz) = out.totals();
    out.finish(|dir| super::output::write_vocabulary(dir, model))?;
    if let Some(staged) = staged {
        staged.commit(OUTPUT_SET)?;
    }
    if !quiet {
        summary("transform", bytes, &report, model.n_terms(), nnz, started);
    }
    Ok(())
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
        let counts = parallax::vectorize::RunRows {
            rows: rows.clone(),
            doc_lens: vec![3, 0, 9, 27, 81],
            tokens: 120,
        };
        let mut spill = Spill::create(dir.path()).unwrap();
        spill.write(&docs, &counts).unwrap();
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
            assert_eq!((row, len), (rows[i].clone(), counts.doc_lens[i]));
        }
        // A spill cut inside a record is an error, not a shorter matrix.
        let bytes = std::fs::read(&spill.path).unwrap();
        std::fs::write(&spill.path, &bytes[..bytes.len() - 3]).unwrap();
        let mut back = spill.read_back().unwrap();
        let mut result = Ok(None);
        for _ in 0..5 {
            result = back.next_block(2);
            if !matches!(result, Ok(Some(_))) {
                break;
            }
        }
        let err = result.expect_err("a cut spill is refused");
        assert!(err.to_string().contains("inside a record"), "{err}");
    }
}
