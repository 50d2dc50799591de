//! Statistics summed through sorted runs (a streamed `fit` or `vectorize`): each chunk's
//! statistics, sorted by term, are encoded and set aside (in memory up to a budget, then in
//! temporary files), and at the end all runs are merged term by term. Memory is bounded by the
//! chunk, the budget and the merge's read buffers, not by the vocabulary, so a fit over an
//! archive whose vocabulary keeps growing (names, typos, URLs) stays flat.
//!
//! A run is a sequence of records in term order, little-endian: the term (u32 length, bytes),
//! df and cf (u64 each), the number of forms (u32), then per form its text (u32 length, bytes)
//! and count (u64). The number of records is kept beside the run, so a short file is an error.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::count::{Surfaces, count_lexed};
use super::stats::{Grouped, Statistics, TermStats, merge_sorted};
use crate::analysis::Analyzer;
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::tokens::TokenizedCorpus;

/// Encoded runs kept in memory up to this many bytes in all; later runs go to files.
const RUN_MEMORY: usize = 64 << 20;
/// At most this many runs are merged at once (open files, heap size); more are first merged in
/// groups of this many into longer runs.
const MERGE_WIDTH: usize = 64;
/// Every this many records, a run notes the term and where its record starts: where a merge
/// of one range of terms starts reading.
const SAMPLE_EVERY: usize = 256;
/// A range of terms merged on its own holds about this many samples (of all runs together),
/// so about 64k records.
const RANGE_SAMPLES: usize = 256;
/// Read buffer of a run file when merged whole, and when one range of it is read.
const READ_BUFFER: usize = 1 << 20;
const RANGE_BUFFER: usize = 64 << 10;

/// One chunk's statistics, encoded: where the bytes are, how many records, and the sparse
/// index of every [`SAMPLE_EVERY`]-th record.
struct Run {
    bytes: RunBytes,
    records: u64,
    samples: Vec<Sample>,
    /// The chunks summed in the run: one for a chunk's own run, more for runs merged from
    /// others (too many to merge at once).
    chunks: Vec<ChunkPlaces>,
}

/// Where the terms of a chunk's run are in a (possibly merged) run: `None` if that is the
/// chunk's own run, else per term of the chunk's run its record's number in this one.
struct ChunkPlaces {
    chunk: usize,
    places: Option<Vec<u32>>,
}

enum RunBytes {
    Memory(Arc<Vec<u8>>),
    File(PathBuf),
}

/// A record of a run: its term, byte offset and number.
struct Sample {
    term: String,
    offset: u64,
    ordinal: u64,
}

/// The temporary directory of run files, made on first use and removed with its files when
/// dropped (a failed or finished fit leaves nothing behind). It is made exclusively under a
/// name nobody can guess and locked while in use (see [`crate::io::atomic::scratch_dir`]), so a
/// later fit removes the directories of fits that were killed.
struct RunDir {
    parent: PathBuf,
    path: Option<(crate::io::atomic::Registered, File)>,
    files: usize,
}

impl RunDir {
    fn new(parent: &Path) -> Self {
        RunDir {
            parent: parent.to_path_buf(),
            path: None,
            files: 0,
        }
    }

    /// A new file in the directory, created.
    fn create_file(&mut self) -> Result<(PathBuf, BufWriter<File>)> {
        if self.path.is_none() {
            let made = crate::io::atomic::scratch_dir(&self.parent, ".parallax-runs-")
                .map_err(|e| Error::io(&self.parent, e))?;
            self.path = Some(made);
        }
        let dir = self.path.as_ref().expect("made above").0.path();
        self.files += 1;
        let path = dir.join(format!("run-{}", self.files));
        let file = crate::io::atomic::new_file(&path).map_err(|e| Error::io(&path, e))?;
        Ok((path, BufWriter::with_capacity(READ_BUFFER, file)))
    }
}

/// One chunk's counts, from [`StreamedStatistics::add_rows`].
pub(crate) struct RunRows {
    /// Per document: (term, count) sorted by term, a term being its place in the chunk's run.
    pub rows: Vec<Vec<(u32, u32)>>,
    /// Per document: kept single-term tokens (the length BM25 uses).
    pub doc_lens: Vec<u32>,
    /// Tokens before filters removed any.
    pub tokens: u64,
}

/// Statistics summed chunk by chunk through sorted runs; [`StreamedStatistics::finish`] merges
/// them. Equal to [`Vectorizer::statistics`](super::Vectorizer::statistics) of all chunks.
pub struct StreamedStatistics {
    analyzer: Analyzer,
    dir: RunDir,
    runs: Vec<Run>,
    in_memory: usize,
    n_docs: u64,
    total_len: u64,
}

impl StreamedStatistics {
    /// Starts summing; run files, if any, go to a directory made in `spill_dir`.
    pub(crate) fn new(analyzer: Analyzer, spill_dir: &Path) -> Self {
        StreamedStatistics {
            analyzer,
            dir: RunDir::new(spill_dir),
            runs: Vec::new(),
            in_memory: 0,
            n_docs: 0,
            total_len: 0,
        }
    }

    /// Counts a chunk of documents and sets its statistics aside as one run.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the run goes to a file (the runs in memory are full) and its directory
    /// or file cannot be created or written.
    pub fn add(&mut self, docs: &[Document]) -> Result<()> {
        let lexed = TokenizedCorpus::new(&self.analyzer, docs);
        self.add_lexed(lexed, docs.len(), false).map(|_| ())
    }

    /// Like [`StreamedStatistics::add`], emptying the documents' texts once they are tokenized:
    /// nothing after needs them, and they are a large part of a chunk's memory.
    ///
    /// # Errors
    ///
    /// As [`StreamedStatistics::add`].
    pub fn add_releasing(&mut self, docs: &mut [Document]) -> Result<()> {
        let lexed = lex_releasing(&self.analyzer, docs);
        self.add_lexed(lexed, docs.len(), false).map(|_| ())
    }

    /// Like [`StreamedStatistics::add_releasing`]; also returns the chunk's counts, each term named
    /// by its place in the chunk's run (a streamed `vectorize` spills them, and maps them to
    /// columns with [`Vectorizer::columns_of_merged`](super::Vectorizer::columns_of_merged)).
    pub(crate) fn add_rows(&mut self, docs: &mut [Document]) -> Result<RunRows> {
        let lexed = lex_releasing(&self.analyzer, docs);
        self.add_lexed(lexed, docs.len(), true)
            .map(|rows| rows.expect("rows were asked for"))
    }

    fn add_lexed(
        &mut self,
        mut lexed: TokenizedCorpus,
        n_docs: usize,
        keep_rows: bool,
    ) -> Result<Option<RunRows>> {
        let (mut counted, surfaces) = count_lexed(&self.analyzer, &mut lexed, n_docs, true);
        let trace = crate::trace::Trace::start();
        self.n_docs += n_docs as u64;
        self.total_len += counted.doc_lens.iter().map(|&l| l as u64).sum::<u64>();
        let Surfaces { entries, grams } = surfaces;
        let grouped = Statistics::group_counted(&mut counted, entries, &lexed, &grams);
        let (bytes, samples) = encode(&grouped);
        let records = grouped.names.len() as u64;
        let rows = keep_rows.then(|| {
            let mut rows = std::mem::take(&mut counted.rows);
            // Rows hold term ids; they move only if grouping sorted the terms.
            if !grouped.same_order {
                rows.par_iter_mut().with_min_len(256).for_each(|row| {
                    for (t, _) in row.iter_mut() {
                        *t = grouped.index[*t as usize];
                    }
                    row.sort_unstable_by_key(|&(t, _)| t);
                });
            }
            RunRows {
                rows,
                doc_lens: std::mem::take(&mut counted.doc_lens),
                tokens: counted.tokens,
            }
        });
        drop(grouped);
        trace.mark("run encoded");
        let bytes = if self.in_memory + bytes.len() <= RUN_MEMORY {
            self.in_memory += bytes.len();
            RunBytes::Memory(Arc::new(bytes))
        } else {
            let (path, mut w) = self.dir.create_file()?;
            w.write_all(&bytes)
                .and_then(|()| w.flush())
                .map_err(|e| Error::io(&path, e))?;
            RunBytes::File(path)
        };
        let chunk = self.runs.iter().map(|r| r.chunks.len()).sum();
        self.runs.push(Run {
            bytes,
            records,
            samples,
            chunks: vec![ChunkPlaces {
                chunk,
                places: None,
            }],
        });
        Ok(rows)
    }

    /// Documents counted so far.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Readies the merge of the runs: their terms, summed, in term order.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if there are too many runs to merge at once and merging some of them into
    /// a longer run file fails to read or write a run file.
    pub fn finish(self) -> Result<MergedStatistics> {
        self.finish_in_ranges(RANGE_SAMPLES)
    }

    /// Like [`StreamedStatistics::finish`], with ranges of about `range_samples` samples.
    pub(crate) fn finish_in_ranges(mut self, range_samples: usize) -> Result<MergedStatistics> {
        // Too many runs to merge at once: merge the oldest in groups into longer runs first.
        while self.runs.len() > MERGE_WIDTH {
            let group: Vec<Run> = self.runs.drain(..MERGE_WIDTH).collect();
            let mut merged = Merge::open(&group, None, None)?;
            let (path, mut w) = self.dir.create_file()?;
            let (mut records, mut offset, mut samples) = (0, 0, Vec::new());
            let mut bytes = Vec::new();
            // Per run of the group, per record: its number in the merged run.
            let mut places: Vec<Vec<u32>> = vec![Vec::new(); group.len()];
            let mut from = Vec::new();
            while let Some(term) = merged.next_term(&mut from)? {
                for &run in &from {
                    places[run as usize].push(records as u32);
                }
                from.clear();
                if records % SAMPLE_EVERY as u64 == 0 {
                    let (term, ordinal) = (term.term.clone(), records);
                    samples.push(Sample {
                        term,
                        offset,
                        ordinal,
                    });
                }
                bytes.clear();
                encode_term(&mut bytes, &term);
                w.write_all(&bytes).map_err(|e| Error::io(&path, e))?;
                offset += bytes.len() as u64;
                records += 1;
            }
            w.flush().map_err(|e| Error::io(&path, e))?;
            // Each chunk's terms, through the run it was in, to their place in this one.
            let chunks = group
                .into_iter()
                .zip(places)
                .flat_map(|(run, to)| {
                    run.chunks.into_iter().map(move |c| ChunkPlaces {
                        chunk: c.chunk,
                        places: Some(match c.places {
                            None => to.clone(),
                            Some(p) => p.iter().map(|&i| to[i as usize]).collect(),
                        }),
                    })
                })
                .collect();
            self.runs.push(Run {
                bytes: RunBytes::File(path),
                records,
                samples,
                chunks,
            });
        }
        let runs = std::mem::take(&mut self.runs);
        // Ranges of terms with about `range_samples` samples each, bounded by sampled terms.
        let mut sampled: Vec<&str> = runs
            .iter()
            .flat_map(|r| r.samples.iter().map(|s| s.term.as_str()))
            .collect();
        sampled.par_sort_unstable();
        sampled.dedup();
        let bounds: Vec<String> = sampled
            .iter()
            .skip(range_samples)
            .step_by(range_samples)
            .map(|t| t.to_string())
            .collect();
        Ok(MergedStatistics {
            runs,
            bounds,
            next_range: 0,
            ready: std::collections::VecDeque::new(),
            n_docs: self.n_docs,
            total_len: self.total_len,
            dir: std::mem::replace(&mut self.dir, RunDir::new(Path::new("."))),
        })
    }
}

/// The lexed documents, their texts emptied (and freed, in parallel) once tokenized.
fn lex_releasing(analyzer: &Analyzer, docs: &mut [Document]) -> TokenizedCorpus {
    let lexed = TokenizedCorpus::new(analyzer, docs);
    docs.par_iter_mut().for_each(|d| d.text = String::new());
    lexed
}

/// Encodes grouped terms as one run, in parallel blocks; also returns its samples.
fn encode(grouped: &Grouped<'_>) -> (Vec<u8>, Vec<Sample>) {
    const BLOCK: usize = 16 * SAMPLE_EVERY;
    let n = grouped.names.len();
    let blocks: Vec<(Vec<u8>, Vec<u64>)> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let (mut out, mut offsets, mut forms) = (Vec::new(), Vec::new(), Vec::new());
            for place in b * BLOCK..((b + 1) * BLOCK).min(n) {
                if place % SAMPLE_EVERY == 0 {
                    offsets.push(out.len() as u64);
                }
                forms.clear();
                let (df, cf) = grouped.term(place, |f, c| forms.push((f, c)));
                put_record(&mut out, &grouped.names[place], df, cf, &forms);
            }
            (out, offsets)
        })
        .collect();
    let mut bytes = Vec::with_capacity(blocks.iter().map(|b| b.0.len()).sum());
    let mut samples = Vec::new();
    for (block, offsets) in blocks {
        let base = bytes.len() as u64;
        for offset in offsets {
            let ordinal = (samples.len() * SAMPLE_EVERY) as u64;
            let term = grouped.names[ordinal as usize].clone();
            samples.push(Sample {
                term,
                offset: base + offset,
                ordinal,
            });
        }
        bytes.extend_from_slice(&block);
    }
    (bytes, samples)
}

fn encode_term(out: &mut Vec<u8>, term: &TermStats) {
    let forms: Vec<(&str, u64)> = term
        .surfaces
        .iter()
        .map(|(f, c)| (f.as_str(), *c))
        .collect();
    put_record(out, &term.term, term.df, term.cf, &forms);
}

/// Appends one record (see the module's documentation).
fn put_record(out: &mut Vec<u8>, term: &str, df: u64, cf: u64, forms: &[(&str, u64)]) {
    let put_str = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    put_str(out, term);
    out.extend_from_slice(&df.to_le_bytes());
    out.extend_from_slice(&cf.to_le_bytes());
    out.extend_from_slice(&(forms.len() as u32).to_le_bytes());
    for &(form, count) in forms {
        put_str(out, form);
        out.extend_from_slice(&count.to_le_bytes());
    }
}

/// Bytes shared with a run kept in memory, for a reader's cursor.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Reads the records of one run whose terms fall in a range, in order.
struct RunReader {
    input: Box<dyn BufRead + Send>,
    /// Records of the run not read yet.
    left: u64,
    /// The first record in the range, read while finding the range's start.
    pending: Option<TermStats>,
    /// Where the range ends (its first term outside), if before the run's end.
    upper: Option<String>,
    /// Where the run is, for error messages.
    name: PathBuf,
}

impl RunReader {
    /// Opens the records of `run` with terms in `lower..upper` (unbounded where `None`).
    fn open(run: &Run, lower: Option<&str>, upper: Option<&str>) -> Result<Self> {
        // Start at the last sample before the range (records before it are all below it).
        let start = lower.map_or(0, |lower| {
            run.samples
                .partition_point(|s| s.term.as_str() < lower)
                .saturating_sub(1)
        });
        let (offset, ordinal) = run
            .samples
            .get(start)
            .map_or((0, 0), |s| (s.offset, s.ordinal));
        let (input, name): (Box<dyn BufRead + Send>, PathBuf) = match &run.bytes {
            RunBytes::Memory(bytes) => {
                let mut cursor = std::io::Cursor::new(Shared(Arc::clone(bytes)));
                cursor.set_position(offset);
                (Box::new(cursor), "(statistics run in memory)".into())
            }
            RunBytes::File(path) => {
                let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| Error::io(path, e))?;
                let size = if lower.is_some() || upper.is_some() {
                    RANGE_BUFFER
                } else {
                    READ_BUFFER
                };
                (Box::new(BufReader::with_capacity(size, file)), path.clone())
            }
        };
        let mut reader = RunReader {
            input,
            left: run.records - ordinal,
            pending: None,
            upper: upper.map(str::to_string),
            name,
        };
        if let Some(lower) = lower {
            while let Some(term) = reader.read()? {
                if term.term.as_str() >= lower {
                    reader.pending = Some(term);
                    break;
                }
            }
        }
        Ok(reader)
    }

    fn next(&mut self) -> Result<Option<TermStats>> {
        match self.pending.take() {
            Some(term) => Ok(self.within(term)),
            None => Ok(self.read()?.and_then(|term| self.within(term))),
        }
    }

    /// The term if it is before the range's end; else `None`, and the reader is done.
    fn within(&mut self, term: TermStats) -> Option<TermStats> {
        if self.upper.as_ref().is_some_and(|upper| term.term >= *upper) {
            self.left = 0;
            return None;
        }
        Some(term)
    }

    /// The run's next record.
    fn read(&mut self) -> Result<Option<TermStats>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        self.decode()
            .map(Some)
            .map_err(|e| Error::io(&self.name, e))
    }

    fn decode(&mut self) -> std::io::Result<TermStats> {
        let r = &mut self.input;
        let term = read_string(r)?;
        let df = read_u64(r)?;
        let cf = read_u64(r)?;
        let n = read_u32(r)? as usize;
        let mut surfaces = Vec::with_capacity(n);
        for _ in 0..n {
            let form = read_string(r)?;
            surfaces.push((form, read_u64(r)?));
        }
        Ok(TermStats {
            term,
            df,
            cf,
            surfaces,
        })
    }
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    let mut b = [0; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_string(r: &mut impl Read) -> std::io::Result<String> {
    let mut bytes = vec![0; read_u32(r)? as usize];
    r.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The next term of one run, ordered by term (then run, so equal terms pop in run order).
struct Head {
    stats: TermStats,
    run: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        self.stats
            .term
            .cmp(&other.stats.term)
            .then(self.run.cmp(&other.run))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

/// A k-way merge of runs, summing the records of equal terms.
struct Merge {
    readers: Vec<RunReader>,
    heap: BinaryHeap<Reverse<Head>>,
}

impl Merge {
    /// Merges the records of `runs` with terms in `lower..upper`.
    fn open(runs: &[Run], lower: Option<&str>, upper: Option<&str>) -> Result<Self> {
        let mut merge = Merge {
            readers: runs
                .iter()
                .map(|run| RunReader::open(run, lower, upper))
                .collect::<Result<_>>()?,
            heap: BinaryHeap::new(),
        };
        for run in 0..merge.readers.len() {
            merge.refill(run)?;
        }
        Ok(merge)
    }

    fn refill(&mut self, run: usize) -> Result<()> {
        if let Some(stats) = self.readers[run].next()? {
            self.heap.push(Reverse(Head { stats, run }));
        }
        Ok(())
    }

    /// The next term, summed over the runs that have it; their indexes are added to `from`,
    /// in run order.
    fn next_term(&mut self, from: &mut Vec<u32>) -> Result<Option<TermStats>> {
        let Some(Reverse(first)) = self.heap.pop() else {
            return Ok(None);
        };
        from.push(first.run as u32);
        self.refill(first.run)?;
        let mut sum = first.stats;
        while self
            .heap
            .peek()
            .is_some_and(|Reverse(next)| next.stats.term == sum.term)
        {
            let Reverse(next) = self.heap.pop().expect("peeked");
            from.push(next.run as u32);
            self.refill(next.run)?;
            sum.df += next.stats.df;
            sum.cf += next.stats.cf;
            sum.surfaces = merge_sorted(std::mem::take(&mut sum.surfaces), next.stats.surfaces)
                .expect("counts of text read by this process sum within u64");
        }
        Ok(Some(sum))
    }
}

/// All runs, to be merged: the summed statistics term by term, in term order, with the
/// document count and total length known from the start. The terms are cut into ranges that
/// are merged apart, a few at a time in parallel, so memory holds only those few.
pub struct MergedStatistics {
    runs: Vec<Run>,
    /// The first term of each range but the first.
    bounds: Vec<String>,
    /// The next range to merge.
    next_range: usize,
    /// Ranges merged, not yet taken.
    ready: std::collections::VecDeque<MergedBatch>,
    n_docs: u64,
    total_len: u64,
    dir: RunDir,
}

impl MergedStatistics {
    /// Documents counted.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Sum of document lengths.
    pub fn total_len(&self) -> u64 {
        self.total_len
    }

    /// The terms of the next range, in term order; empty after the last.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a run file cannot be read.
    pub fn next_batch(&mut self) -> Result<MergedBatch> {
        if self.ready.is_empty() {
            let n_ranges = self.bounds.len() + 1;
            let wave =
                self.next_range..(self.next_range + 2 * rayon::current_num_threads()).min(n_ranges);
            self.next_range = wave.end;
            let merged: Vec<Result<MergedBatch>> = wave
                .into_par_iter()
                .map(|range| self.merge_range(range))
                .collect();
            for batch in merged {
                self.ready.push_back(batch?);
            }
        }
        Ok(self.ready.pop_front().unwrap_or_default())
    }

    /// Starts the merge again from the first term (a fit that needs two passes).
    pub fn restart(&mut self) {
        self.next_range = 0;
        self.ready.clear();
    }

    /// The number of runs merged (see [`MergedBatch::runs_of`]).
    pub fn n_runs(&self) -> usize {
        self.runs.len()
    }

    /// Per chunk added, in order: the run its terms are in, and where, if not in the chunk's
    /// own run, each of its terms is in that run.
    pub(crate) fn chunk_places(&self) -> Vec<(usize, Option<&[u32]>)> {
        let mut places: Vec<(usize, usize, Option<&[u32]>)> = self
            .runs
            .iter()
            .enumerate()
            .flat_map(|(r, run)| {
                run.chunks
                    .iter()
                    .map(move |c| (c.chunk, r, c.places.as_deref()))
            })
            .collect();
        places.sort_unstable_by_key(|&(chunk, _, _)| chunk);
        places.into_iter().map(|(_, r, p)| (r, p)).collect()
    }

    /// Merges the terms of one range.
    fn merge_range(&self, range: usize) -> Result<MergedBatch> {
        let lower = range.checked_sub(1).map(|r| self.bounds[r].as_str());
        let upper = self.bounds.get(range).map(String::as_str);
        let mut merge = Merge::open(&self.runs, lower, upper)?;
        let mut batch = MergedBatch::default();
        while let Some(term) = merge.next_term(&mut batch.runs)? {
            batch.terms.push(term);
            batch.ends.push(batch.runs.len() as u32);
        }
        Ok(batch)
    }

    /// A temporary file beside the runs, removed with them.
    pub(crate) fn scratch_file(&mut self) -> Result<(PathBuf, BufWriter<File>)> {
        self.dir.create_file()
    }

    /// Everything, in memory.
    ///
    /// # Errors
    ///
    /// As [`MergedStatistics::next_batch`].
    pub fn collect(mut self) -> Result<Statistics> {
        let mut terms = Vec::new();
        loop {
            let batch = self.next_batch()?;
            if batch.terms.is_empty() {
                break;
            }
            terms.extend(batch.terms);
        }
        Ok(Statistics {
            n_docs: self.n_docs,
            total_len: self.total_len,
            terms,
        })
    }
}

/// Merged terms of one range, in term order, with the runs each came from.
#[derive(Default)]
pub struct MergedBatch {
    /// The terms, summed over the runs.
    pub terms: Vec<TermStats>,
    /// The runs of term `i` are `runs[ends[i - 1]..ends[i]]` (from 0 for the first), in order.
    runs: Vec<u32>,
    ends: Vec<u32>,
}

impl MergedBatch {
    /// The runs (chunks) that term `i` came from, in order.
    pub fn runs_of(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.runs[start as usize..self.ends[i] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisConfig;

    fn analyzer() -> Analyzer {
        Analyzer::new(&AnalysisConfig::default()).unwrap()
    }

    /// Documents with thousands of distinct words (more than a sample's stride per chunk), in
    /// several spellings, overlapping from document to document.
    fn many_words(n_docs: usize) -> Vec<Document> {
        (0..n_docs)
            .map(|d| {
                let words: Vec<String> = (0..120)
                    .map(|k| {
                        let w = (d * 37 + k * 11) % 2500;
                        match k % 3 {
                            0 => format!("Word{w}s"),
                            1 => format!("word{w}"),
                            _ => format!("stay{} staying", w % 50),
                        }
                    })
                    .collect();
                Document::new(format!("d{d}"), words.join(" "))
            })
            .collect()
    }

    fn statistics_at_once(docs: &[Document]) -> Statistics {
        let analyzer = analyzer();
        let mut lexed = TokenizedCorpus::new(&analyzer, docs);
        let (mut counted, surfaces) = count_lexed(&analyzer, &mut lexed, docs.len(), true);
        Statistics::from_counted(&mut counted, surfaces, &lexed, docs.len() as u64).0
    }

    #[test]
    fn runs_merge_to_the_statistics_of_all_chunks() {
        let all = many_words(60);
        let whole = statistics_at_once(&all);
        assert!(
            whole.terms.len() > 4 * SAMPLE_EVERY,
            "{}",
            whole.terms.len()
        );
        let dir = tempfile::tempdir().unwrap();
        for (chunk, to_files) in [(60, false), (7, false), (7, true), (1, true)] {
            for range_samples in [1, 2, RANGE_SAMPLES] {
                let mut runs = StreamedStatistics::new(analyzer(), dir.path());
                if to_files {
                    runs.in_memory = RUN_MEMORY; // every run to a file
                }
                for part in all.chunks(chunk) {
                    runs.add(part).unwrap();
                }
                assert_eq!(runs.runs.len(), all.len().div_ceil(chunk));
                let files = runs
                    .runs
                    .iter()
                    .all(|r| matches!(r.bytes, RunBytes::File(_)));
                assert_eq!(files, to_files);
                let merged = runs.finish_in_ranges(range_samples).unwrap();
                let what = format!("chunks of {chunk}, files {to_files}, {range_samples}");
                if range_samples == 1 && chunk == 7 {
                    assert!(merged.bounds.len() > 4, "{what}: {}", merged.bounds.len());
                }
                assert_eq!(merged.collect().unwrap(), whole, "{what}");
            }
        }
        // The run files went with the merges.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn more_runs_than_a_merge_takes_are_merged_in_groups() {
        let all: Vec<Document> = (0..2 * MERGE_WIDTH + 5)
            .map(|i| Document::new(format!("d{i}"), format!("word{} shared w{i} Shared", i % 7)))
            .collect();
        let whole = statistics_at_once(&all);
        let dir = tempfile::tempdir().unwrap();
        let mut runs = StreamedStatistics::new(analyzer(), dir.path());
        for doc in all.chunks(1) {
            runs.add(doc).unwrap();
        }
        let merged = runs.finish().unwrap();
        assert!(merged.runs.len() <= MERGE_WIDTH);
        assert_eq!(merged.collect().unwrap(), whole);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_cut_run_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = StreamedStatistics::new(analyzer(), dir.path());
        runs.in_memory = RUN_MEMORY;
        runs.add(&[Document::new("d", "one two three four five")])
            .unwrap();
        let RunBytes::File(path) = &runs.runs[0].bytes else {
            panic!("expected a run file")
        };
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..bytes.len() - 3]).unwrap();
        let err = runs.finish().and_then(|m| m.collect()).unwrap_err();
        assert!(err.to_string().contains("run-1"), "{err}");
    }
}
