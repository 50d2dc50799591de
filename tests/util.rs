//! Helpers shared by the integration tests: run the built `parallax` binary in a fresh
//! directory, read the files it writes (Matrix Market, TSV), find the shared data sets.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's own corpus directory.
pub fn corpus() -> PathBuf {
    root().join("corpus")
}

/// A path under the shared data folder (`../shared/data` from the repository root), or `None`
/// with a printed message when it is absent, so the calling test can skip.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = root().join("../shared/data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: shared data {} is absent", path.display());
        None
    }
}

/// A path as a command-line argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit code 0 and returns the run.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        self
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts a clean failure: exit code 1, an `error:` message, no panic. Returns stderr.
    #[track_caller]
    pub fn fails(&self) -> &str {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("internal error"),
            "the binary panicked:\n{}",
            self.stderr
        );
        assert_eq!(
            self.code, 1,
            "expected exit code 1; stderr:\n{}",
            self.stderr
        );
        assert!(
            self.stderr.contains("error: "),
            "no error message on stderr:\n{}",
            self.stderr
        );
        &self.stderr
    }
}

/// Runs the binary with arguments that need not be UTF-8, in `dir`.
pub fn command_os(dir: &Path, args: &[&std::ffi::OsStr]) -> Run {
    finish(
        Command::new(env!("CARGO_BIN_EXE_parallax"))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .expect("runs parallax"),
    )
}

/// Starts the binary with `args` in `dir`, stdout discarded and stderr piped, without waiting
/// for it.
pub fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    command(dir, args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs parallax")
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parallax"));
    cmd.args(args).current_dir(dir);
    cmd
}

fn finish(output: std::process::Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs the binary with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    finish(
        command(dir, args)
            .stdin(Stdio::null())
            .output()
            .expect("runs parallax"),
    )
}

/// Runs the binary with `args` in `dir`, feeding `stdin`.
pub fn run_in_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs parallax");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("parallax finishes");
    writer.join().unwrap();
    finish(output)
}

/// Runs the binary with `args` in a fresh temporary directory, which is returned with the run.
pub fn run(args: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempdir();
    let run = run_in(dir.path(), args);
    (dir, run)
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("parallax-test")
        .tempdir()
        .unwrap()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Gzips `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The three files `vectorize` and `transform` write.
pub const OUTPUTS: [&str; 3] = ["matrix.mtx", "vocabulary.tsv", "documents.tsv"];

/// Asserts two files have the same bytes, with a short message pointing at the first difference.
#[track_caller]
pub fn assert_same_bytes(a: &Path, b: &Path) {
    let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    if x != y {
        let at = x
            .iter()
            .zip(&y)
            .position(|(p, q)| p != q)
            .unwrap_or(x.len().min(y.len()));
        let line = x[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        let show = |v: &[u8]| {
            String::from_utf8_lossy(&v[at.saturating_sub(40)..(at + 40).min(v.len())]).into_owned()
        };
        panic!(
            "{} and {} differ ({} vs {} bytes), first at byte {at} (line {line}):\n  {:?}\n  {:?}",
            a.display(),
            b.display(),
            x.len(),
            y.len(),
            show(&x),
            show(&y)
        );
    }
}

/// Asserts the three output files of two directories are byte-identical.
#[track_caller]
pub fn assert_same_outputs(a: &Path, b: &Path) {
    for name in OUTPUTS {
        assert_same_bytes(&a.join(name), &b.join(name));
    }
}

/// A Matrix Market coordinate file, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Mtx {
    /// First line, as written.
    pub header: String,
    pub n_rows: usize,
    pub n_cols: usize,
    /// 0-based (row, column, value), in file order.
    pub entries: Vec<(usize, usize, f64)>,
}

impl Mtx {
    /// Rows of (column, value), in file order within each row.
    pub fn rows(&self) -> Vec<Vec<(usize, f64)>> {
        let mut rows = vec![Vec::new(); self.n_rows];
        for &(r, c, v) in &self.entries {
            rows[r].push((c, v));
        }
        rows
    }
}

/// Reads and checks a Matrix Market coordinate file: header, size line, entry count, 1-based
/// indices within range, parseable values.
pub fn read_mtx(path: &Path) -> Mtx {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().expect("header line").to_string();
    let mut lines = lines.skip_while(|l| l.starts_with('%'));
    let dims: Vec<usize> = lines
        .next()
        .expect("size line")
        .split_whitespace()
        .map(|x| x.parse().expect("size line numbers"))
        .collect();
    assert_eq!(dims.len(), 3, "size line of {}", path.display());
    let (n_rows, n_cols, nnz) = (dims[0], dims[1], dims[2]);
    let mut entries = Vec::with_capacity(nnz);
    for line in lines {
        let mut parts = line.split(' ');
        let (r, c, v) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert!(parts.next().is_none(), "extra field in {line:?}");
        let (r, c): (usize, usize) = (r.parse().unwrap(), c.parse().unwrap());
        assert!(
            (1..=n_rows).contains(&r) && (1..=n_cols).contains(&c),
            "entry {line:?} out of range"
        );
        let v: f64 = v.parse().unwrap_or_else(|_| panic!("value in {line:?}"));
        entries.push((r - 1, c - 1, v));
    }
    assert_eq!(entries.len(), nnz, "entry count of {}", path.display());
    Mtx {
        header,
        n_rows,
        n_cols,
        entries,
    }
}

/// The values of a Matrix Market file read as `f32` (as `--dtype f32` wrote them), in file order.
pub fn read_mtx_f32(path: &Path) -> Vec<f32> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip_while(|l| l.starts_with('%'))
        .skip(1)
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// A TSV file with a header; fields unescaped (`\t`, `\n`, `\r`, `\\`).
#[derive(Debug, Clone)]
pub struct Tsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Tsv {
    /// The index of a header column.
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }

    /// One column's values.
    pub fn column(&self, name: &str) -> Vec<&str> {
        let i = self.col(name);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            other => panic!("bad escape \\{other:?} in {s:?}"),
        }
    }
    out
}

/// Reads a TSV file; every record must have as many fields as the header.
pub fn read_tsv(path: &Path) -> Tsv {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.ends_with('\n'),
        "{} does not end with a newline",
        path.display()
    );
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split('\t')
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            let row: Vec<String> = l.split('\t').map(unescape).collect();
            assert_eq!(row.len(), header.len(), "{}: record {l:?}", path.display());
            row
        })
        .collect();
    Tsv { header, rows }
}
