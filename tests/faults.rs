//! Fault injection: `vectorize`, `transform`, `fit` and `merge` killed at seeded random moments
//! (SIGKILL mostly, SIGTERM and SIGINT too), and writers run at once into one output. After
//! each, the output is the complete old set or the complete new one, never a mix; a run ended
//! by SIGTERM or SIGINT leaves no temporary file, and after a SIGKILL the next run that
//! completes removes what the killed one left.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::{self, arg, run_in, spawn_in, write};

/// Kills that must land (the process still running) per command.
const KILLS: usize = 50;

/// A seeded xorshift64* generator: the same delays and signals on every run of the suite.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// `n` synthetic articles as JSONL, in reverse order if asked: reversed, the output has the
/// same shape and other row labels, the mix a torn set would show.
fn articles(n: usize, reversed: bool) -> Vec<u8> {
    const WORDS: [&str; 24] = [
        "council", "harbour", "budget", "strike", "river", "flood", "minister", "court",
        "election", "bridge", "school", "hospital", "market", "festival", "storm", "railway",
        "mayor", "farmers", "border", "treaty", "police", "museum", "airport", "union",
    ];
    let mut rows: Vec<String> = (0..n)
        .map(|i| {
            let text: Vec<&str> = (0..80)
                .map(|j| WORDS[(i * 7 + j * j + i / 3) % 24])
                .collect();
            format!(
                "{{\"id\": \"a{i}\", \"title\": \"Item {i}\", \"text\": \"{}\"}}",
                text.join(" ")
            )
        })
        .collect();
    if reversed {
        rows.reverse();
    }
    (rows.join("\n") + "\n").into_bytes()
}

/// Everything at `path`: a file's bytes, or a directory's entries (dot names included) and
/// their bytes; empty if nothing is there.
fn snapshot(path: &Path) -> BTreeMap<OsString, Vec<u8>> {
    let mut files = BTreeMap::new();
    if path.is_file() {
        files.insert(OsString::new(), std::fs::read(path).unwrap());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries {
            let entry = entry.unwrap();
            files.insert(entry.file_name(), std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The dot names in `dir`: temporaries, stale directories, lock files.
fn dot_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// One command to kill: its two variants (old and new output) and what they write.
struct Case {
    name: &'static str,
    /// Arguments of the two runs, in the working directory.
    runs: [Vec<&'static str>; 2],
    /// The output, relative to the working directory.
    output: &'static str,
    /// Files the working directory needs first (inputs, a model, shards), made by `prepare`.
    prepare: fn(&Path),
}

#[derive(Default, Debug)]
struct Figures {
    kills: usize,
    signalled: usize,
    finished_first: usize,
    checked: usize,
    inconsistent: usize,
    leftovers_after_next_run: usize,
}

fn inputs(dir: &Path) {
    write(dir, "a.jsonl", articles(1500, false));
    write(dir, "b.jsonl", articles(1500, true));
    write(dir, "c.jsonl", articles(1200, false));
}

/// Runs `case` to completion once per variant (the two sets), then kills it again and again
/// in a working directory that starts with the first set; checks after every run.
fn campaign(case: &Case, seed: u64) -> Figures {
    let outputs: Vec<_> = case
        .runs
        .iter()
        .map(|args| {
            let dir = util::tempdir();
            (case.prepare)(dir.path());
            let started = Instant::now();
            run_in(dir.path(), args).ok();
            (snapshot(&dir.path().join(case.output)), started.elapsed())
        })
        .collect();
    assert_ne!(outputs[0].0, outputs[1].0, "{}: the sets differ", case.name);
    assert!(!outputs[0].0.is_empty());
    let longest = outputs.iter().map(|o| o.1).max().unwrap();
    let work = util::tempdir();
    let w = work.path();
    (case.prepare)(w);
    let before: Vec<String> = dot_names(w);
    run_in(w, &case.runs[0]).ok();
    let mut rng = Rng(seed);
    let mut figures = Figures::default();
    let mut i = 0;
    while figures.kills < KILLS {
        i += 1;
        assert!(
            i < 20 * KILLS,
            "{}: too few kills landed: {figures:?}",
            case.name
        );
        // What killed runs before left, for the next run that completes to remove.
        let left_before = dot_names(w);
        let mut child = spawn_in(w, &case.runs[i % 2]);
        // Anywhere in the run, from its start to a little past its usual end.
        let delay = rng.below(longest.as_micros() as u64 * 6 / 5);
        std::thread::sleep(Duration::from_micros(delay));
        let signal = match rng.below(8) {
            0 => libc::SIGTERM,
            1 => libc::SIGINT,
            _ => libc::SIGKILL,
        };
        let landed = child.try_wait().unwrap().is_none();
        if landed {
            // SAFETY: signals a child of ours that has not been waited for.
            unsafe { libc::kill(child.id() as i32, signal) };
        }
        let output = child.wait_with_output().unwrap();
        let status = output.status;
        let killed = std::os::unix::process::ExitStatusExt::signal(&status).is_some();
        let now = snapshot(&w.join(case.output));
        figures.checked += 1;
        if now != outputs[0].0 && now != outputs[1].0 {
            figures.inconsistent += 1;
            eprintln!(
                "{}: run {i}: the output is neither set: {:?}",
                case.name,
                now.keys().collect::<Vec<_>>()
            );
        }
        if killed {
            figures.kills += 1;
            if signal != libc::SIGKILL {
                // Ended by a signal it could catch: it removed its own temporaries. Only an
                // empty lock file may stay, if the signal came in the moment between making it
                // and holding it (the next run removes it).
                figures.signalled += 1;
                let left: Vec<_> = dot_names(w)
                    .into_iter()
                    .filter(|n| !left_before.contains(n) && !n.ends_with(".lock"))
                    .collect();
                assert!(
                    left.is_empty(),
                    "{}: run {i} left {left:?} after signal {signal}",
                    case.name
                );
            }
        } else {
            assert!(
                status.success(),
                "{}: run {i} failed ({status}): {}",
                case.name,
                String::from_utf8_lossy(&output.stderr)
            );
            figures.finished_first += 1;
        }
        // Every few kills, a run to completion: it removes what the killed runs left.
        if i % 10 == 0 {
            run_in(w, &case.runs[0]).ok();
            let left: Vec<_> = dot_names(w)
                .into_iter()
                .filter(|n| !before.contains(n))
                .collect();
            figures.leftovers_after_next_run += left.len();
            assert!(
                left.is_empty(),
                "{}: left after the next run: {left:?}",
                case.name
            );
        }
    }
    eprintln!("{}: {figures:?}", case.name);
    assert_eq!(figures.inconsistent, 0, "{}: {figures:?}", case.name);
    figures
}

#[test]
fn killed_runs_leave_the_old_set_or_the_new_one() {
    fn fitted(dir: &Path) {
        inputs(dir);
        run_in(dir, &["fit", "a.jsonl", "--model", "fitted.json", "-q"]).ok();
    }
    fn shards(dir: &Path) {
        inputs(dir);
        for (input, shard) in [("a.jsonl", "s1.json"), ("c.jsonl", "s2.json")] {
            run_in(dir, &["fit", "--shard", input, "--model", shard, "-q"]).ok();
        }
    }
    let cases = [
        Case {
            name: "vectorize",
            runs: [
                vec!["vectorize", "a.jsonl", "--out", "o", "-q"],
                vec!["vectorize", "b.jsonl", "--out", "o", "-q"],
            ],
            output: "o",
            prepare: inputs,
        },
        Case {
            name: "vectorize --stream --model",
            runs: [
                vec![
                    "vectorize",
                    "a.jsonl",
                    "--out",
                    "o",
                    "--stream",
                    "--model",
                    "o/m.json",
                    "-q",
                ],
                vec![
                    "vectorize",
                    "c.jsonl",
                    "--out",
                    "o",
                    "--stream",
                    "--model",
                    "o/m.json",
                    "-q",
                ],
            ],
            output: "o",
            prepare: inputs,
        },
        Case {
            name: "transform",
            runs: [
                vec![
                    "transform",
                    "a.jsonl",
                    "--model",
                    "fitted.json",
                    "--out",
                    "o",
                    "-q",
                ],
                vec![
                    "transform",
                    "b.jsonl",
                    "--model",
                    "fitted.json",
                    "--out",
                    "o",
                    "--format",
                    "npz",
                    "-q",
                ],
            ],
            output: "o",
            prepare: fitted,
        },
        Case {
            name: "fit",
            runs: [
                vec!["fit", "a.jsonl", "--model", "m.json", "-q"],
                vec!["fit", "c.jsonl", "--model", "m.json", "-q"],
            ],
            output: "m.json",
            prepare: inputs,
        },
        Case {
            name: "compare --html",
            runs: [
                vec!["compare", "a.jsonl", "--html", "r.html", "-q"],
                vec!["compare", "c.jsonl", "--html", "r.html", "-q"],
            ],
            output: "r.html",
            prepare: inputs,
        },
        Case {
            name: "merge",
            runs: [
                vec!["merge", "s1.json", "s2.json", "--model", "m.json", "-q"],
                vec![
                    "merge", "s1.json", "s2.json", "--min-df", "2", "--model", "m.json", "-q",
                ],
            ],
            output: "m.json",
            prepare: shards,
        },
    ];
    let mut total = Figures::default();
    for (case, seed) in cases.iter().zip(1u64..) {
        let f = campaign(case, 0x9e37_79b9_7f4a_7c15 ^ seed);
        total.kills += f.kills;
        total.checked += f.checked;
        total.inconsistent += f.inconsistent;
    }
    eprintln!(
        "fault injection: {} kills, {} outputs checked, {} inconsistent",
        total.kills, total.checked, total.inconsistent
    );
}

#[test]
fn concurrent_writers_leave_one_complete_set() {
    let work = util::tempdir();
    let w = work.path();
    inputs(w);
    let set_of = |input: &str, out: &str| {
        run_in(w, &["vectorize", input, "--out", out, "-q"]).ok();
        snapshot(&w.join(out))
    };
    let sets = [set_of("a.jsonl", "ra"), set_of("b.jsonl", "rb")];
    let models: Vec<_> = ["a.jsonl", "c.jsonl"]
        .iter()
        .map(|input| {
            run_in(w, &["fit", input, "--model", "ref.json", "-q"]).ok();
            std::fs::read(w.join("ref.json")).unwrap()
        })
        .collect();
    for round in 0..8 {
        let mut children: Vec<_> = ["a.jsonl", "b.jsonl", "a.jsonl"]
            .iter()
            .map(|input| spawn_in(w, &["vectorize", input, "--out", "o", "-q"]))
            .collect();
        children.extend(
            ["a.jsonl", "c.jsonl"]
                .iter()
                .map(|input| spawn_in(w, &["fit", input, "--model", "m.json", "-q"])),
        );
        for child in children {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "round {round}: {stderr}");
        }
        let out = snapshot(&w.join("o"));
        assert!(sets.contains(&out), "round {round}: a mixed set");
        let model = std::fs::read(w.join("m.json")).unwrap();
        assert!(models.contains(&model), "round {round}: another model");
        assert!(dot_names(w).is_empty(), "{:?}", dot_names(w));
    }
}

#[test]
fn a_second_writer_waits_and_says_so() {
    let work = util::tempdir();
    let w = work.path();
    inputs(w);
    let lock = parallax::io::atomic::WriteLock::acquire(&w.join("o"), |_| {}).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(["vectorize", "a.jsonl", "--out", "o"])
        .current_dir(w)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(child.try_wait().unwrap().is_none(), "it did not wait");
    assert!(!w.join("o").exists());
    drop(lock);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("another run is writing o; waiting"),
        "{stderr}"
    );
    assert!(w.join("o/matrix.mtx").exists());
}

/// Symbolic links planted where a temporary could be made (the names of earlier versions:
/// `.NAME.tmp-PID` for the next process ids) are never followed: the files they point to stay
/// as they were.
#[test]
fn planted_links_are_not_followed() {
    let work = util::tempdir();
    let w = work.path();
    inputs(w);
    let victim = write(w, "victim.txt", "precious\n");
    std::fs::create_dir(w.join("o")).unwrap();
    let next: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    for pid in next..next + 200 {
        for link in [
            w.join(format!(".m.json.tmp-{pid}")),
            w.join(format!("o/.documents.tsv.tmp-{pid}")),
            w.join(format!("o/.matrix.mtx.tmp-{pid}")),
        ] {
            std::os::unix::fs::symlink(&victim, link).unwrap();
        }
    }
    run_in(w, &["fit", "a.jsonl", "--model", "m.json", "-q"]).ok();
    run_in(w, &["vectorize", "a.jsonl", "--out", "o", "-q"]).ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(
        std::fs::symlink_metadata(w.join("m.json"))
            .unwrap()
            .is_file()
    );
    // The planted names were temporaries of the path locked, so they were removed.
    assert!(dot_names(w).is_empty(), "{:?}", dot_names(w));
    assert!(dot_names(&w.join("o")).is_empty());
}

/// What a killed run of an earlier version (or of this one) left is removed by the next run:
/// temporaries of the locked output, staging directories, a runs directory of a dead process.
#[test]
fn stale_temporaries_are_removed() {
    let work = util::tempdir();
    let w = work.path();
    inputs(w);
    write(w, ".m.json.tmp-4194303", "partial");
    write(w, ".m.json.tmp-3a9f0c2d1e4b5a6c", "partial");
    std::fs::create_dir_all(w.join(".o.new-0123456789abcdef")).unwrap();
    write(w, ".o.new-0123456789abcdef/matrix.mtx", "partial");
    std::fs::create_dir_all(w.join(".parallax-runs-4194303-0")).unwrap();
    write(w, ".parallax-runs-4194303-0/run-1", "partial");
    // A live process's runs directory (this test's) stays.
    let live = format!(".parallax-runs-{}-0", std::process::id());
    std::fs::create_dir_all(w.join(&live)).unwrap();
    std::fs::create_dir(w.join("o")).unwrap();
    write(w, "o/.counts.part-4194303", "partial");
    write(w, "o/notes.txt", "mine");
    run_in(w, &["fit", "a.jsonl", "--model", "m.json", "-q"]).ok();
    run_in(w, &["vectorize", "a.jsonl", "--out", "o", "-q"]).ok();
    assert_eq!(dot_names(w), vec![live]);
    assert!(dot_names(&w.join("o")).is_empty());
    // Other files in the output directory are kept.
    assert_eq!(
        std::fs::read_to_string(w.join("o/notes.txt")).unwrap(),
        "mine"
    );
}

/// A small tmpfs mounted for a test, unmounted when dropped; `None` (with a message) where
/// mounting is not allowed (not root, no CAP_SYS_ADMIN).
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = util::tempdir();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            eprintln!("skipping: cannot mount a small tmpfs here (needs root)");
            return None;
        }
        Some(SmallDisk(dir))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

/// A disk that fills up mid-run: the run fails with the system's error, the old output stays
/// whole, and no temporary is left.
#[test]
fn a_full_disk_leaves_the_old_output() {
    let Some(disk) = SmallDisk::mount("2m") else {
        return;
    };
    let inputs = util::tempdir();
    let i = inputs.path();
    write(i, "small.jsonl", articles(100, false));
    write(i, "big.jsonl", articles(20_000, true));
    // 60,000 different words: a model larger than the disk.
    let words: String = (0..600)
        .map(|d| {
            let text: Vec<String> = (0..100).map(|w| format!("w{d}x{w}")).collect();
            format!("{{\"id\": \"v{d}\", \"text\": \"{}\"}}\n", text.join(" "))
        })
        .collect();
    write(i, "words.jsonl", words);
    let w = disk.0.path();
    let small = arg(&i.join("small.jsonl")).to_string();
    let big = arg(&i.join("big.jsonl")).to_string();
    let words = arg(&i.join("words.jsonl")).to_string();
    run_in(w, &["vectorize", &small, "--out", "o", "-q"]).ok();
    run_in(w, &["fit", &small, "--model", "m.json", "-q"]).ok();
    let (set, model) = (
        snapshot(&w.join("o")),
        std::fs::read(w.join("m.json")).unwrap(),
    );
    for args in [
        vec!["vectorize", &big, "--out", "o", "-q"],
        vec!["vectorize", &big, "--out", "o", "--stream", "-q"],
        vec!["vectorize", &big, "--out", "o", "--format", "npz", "-q"],
        vec!["transform", &big, "--model", "m.json", "--out", "o", "-q"],
        vec!["fit", &words, "--model", "m.json", "-q"],
        vec!["fit", &words, "--shard", "--model", "m.json", "-q"],
    ] {
        let run = run_in(w, &args);
        let err = run.fails();
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert_eq!(snapshot(&w.join("o")), set, "{args:?}");
        assert_eq!(std::fs::read(w.join("m.json")).unwrap(), model, "{args:?}");
        assert!(dot_names(w).is_empty(), "{args:?}: {:?}", dot_names(w));
    }
}

/// An output directory is replaced whole, so the current directory (or one holding it) is
/// refused as --out, with a message, before anything is read or written.
#[test]
fn the_current_directory_is_not_an_output_directory() {
    let work = util::tempdir();
    let w = work.path();
    inputs(w);
    std::fs::create_dir(w.join("sub")).unwrap();
    for (dir, out) in [(w.to_path_buf(), "."), (w.join("sub"), "..")] {
        let run = run_in(
            &dir,
            &["vectorize", arg(&w.join("a.jsonl")), "--out", out, "-q"],
        );
        let err = run.fails();
        assert!(
            err.contains("is the current directory or holds it"),
            "{err}"
        );
    }
    assert!(dot_names(w).is_empty());
}
