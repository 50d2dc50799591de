//! Outputs read by other tools: `.npz` by `scipy.sparse.load_npz`, `.mtx` by `scipy.io.mmread`,
//! JSONL rows by any JSON reader. The Python checks run when a Python with scipy is available
//! (`PARALLAX_PYTHON`, else `python3`; `.ci/run` provides one) and skip with a message otherwise.

use std::process::Command;

use crate::util::{self, arg, run_in};

fn python_with_scipy() -> Option<String> {
    let python = std::env::var("PARALLAX_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import scipy.sparse, scipy.io"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping: no Python with scipy ({python}); set PARALLAX_PYTHON");
    }
    ok.then_some(python)
}

#[test]
fn scipy_reads_npz_and_mtx_alike() {
    let Some(python) = python_with_scipy() else {
        return;
    };
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = util::corpus();
    run_in(
        d,
        &[
            "vectorize",
            arg(&corpus),
            "--out",
            "npz",
            "--format",
            "npz",
            "-q",
        ],
    )
    .ok();
    run_in(d, &["vectorize", arg(&corpus), "--out", "mtx", "-q"]).ok();
    run_in(
        d,
        &[
            "vectorize",
            arg(&corpus),
            "--out",
            "npz64",
            "--format",
            "npz",
            "--dtype",
            "f64",
            "-q",
        ],
    )
    .ok();
    let script = r#"
import sys, numpy as np, scipy.sparse as sp, scipy.io as io
a = sp.load_npz(sys.argv[1] + "/npz/matrix.npz")
b = io.mmread(sys.argv[1] + "/mtx/matrix.mtx").tocsr()
c = sp.load_npz(sys.argv[1] + "/npz64/matrix.npz")
assert a.format == "csr" and a.dtype == np.float32 and c.dtype == np.float64, (a.format, a.dtype, c.dtype)
assert a.shape == b.shape == c.shape, (a.shape, b.shape, c.shape)
assert a.nnz == b.nnz == c.nnz
assert abs(a - b).max() < 1e-6 and abs(c - b).max() < 1e-6
norms = np.sqrt(np.asarray(c.multiply(c).sum(axis=1)).ravel())
assert np.allclose(norms, 1.0), norms
print(a.shape[0], a.shape[1], a.nnz)
"#;
    let out = Command::new(&python)
        .args(["-c", script, arg(d)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = util::read_tsv(&d.join("mtx/documents.tsv")).rows.len();
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.starts_with(&format!("{rows} ")), "{printed}");
}

#[test]
fn streamed_npz_is_the_in_memory_npz() {
    // The streamed run writes the arrays to temporary files and copies them into the archive.
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = util::corpus();
    for (out, extra) in [
        ("whole", &[][..]),
        ("streamed", &["--stream", "--chunk-mb", "1"][..]),
    ] {
        let mut args = vec![
            "vectorize",
            arg(&corpus),
            "--out",
            out,
            "--format",
            "npz",
            "-q",
        ];
        args.extend_from_slice(extra);
        run_in(d, &args).ok();
    }
    let whole = std::fs::read(d.join("whole/matrix.npz")).unwrap();
    let streamed = std::fs::read(d.join("streamed/matrix.npz")).unwrap();
    assert!(whole.starts_with(b"PK\x03\x04") && whole == streamed);
    for out in ["whole", "streamed"] {
        let mut names: Vec<String> = std::fs::read_dir(d.join(out))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["documents.tsv", "matrix.npz", "vocabulary.tsv"]);
    }
}

#[test]
fn jsonl_rows_match_the_matrix() {
    let dir = util::tempdir();
    let d = dir.path();
    let corpus = util::corpus();
    run_in(d, &["fit", arg(&corpus), "--model", "m.json", "-q"]).ok();
    run_in(
        d,
        &[
            "transform",
            arg(&corpus),
            "--model",
            "m.json",
            "--out",
            "mtx",
            "-q",
        ],
    )
    .ok();
    let jsonl = util::write(
        d,
        "in.jsonl",
        "{\"id\": \"x\", \"text\": \"Military bases: the military stays.\"}\n",
    );
    let run = run_in(
        d,
        &[
            "transform",
            arg(&jsonl),
            "--model",
            "m.json",
            "--format",
            "jsonl",
            "-q",
        ],
    )
    .ok();
    let row: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(row["id"], "x");
    let terms = row["terms"].as_object().unwrap();
    assert!(
        terms.contains_key("military") && terms.contains_key("bases"),
        "{terms:?}"
    );
    let norm: f64 = terms.values().map(|v| v.as_f64().unwrap().powi(2)).sum();
    assert!((norm - 1.0).abs() < 1e-5, "rows are L2-normalized: {norm}");
    // The same rows as the matrix, document by document.
    run_in(
        d,
        &[
            "transform",
            arg(&corpus),
            "--model",
            "m.json",
            "--out",
            "rows",
            "--format",
            "jsonl",
            "-q",
        ],
    )
    .ok();
    let lines = std::fs::read_to_string(d.join("rows/rows.jsonl")).unwrap();
    let mtx = util::read_mtx(&d.join("mtx/matrix.mtx")).rows();
    assert_eq!(lines.lines().count(), mtx.len());
    for (line, row) in lines.lines().zip(&mtx) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["terms"].as_object().unwrap().len(), row.len());
    }
}
