//! Property-based fuzzing of what reads data from outside: the JSONL and CSV readers (plain
//! and gzip), front matter, the model loader, the analysis (tokenizer and filters) and the date
//! reader. Any input gives a value or an error, never a panic.

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use parallax::corpus::{ReadOptions, read_inputs};
use parallax::vectorize::Vectorizer;

/// Reads `bytes` as a file named `name`; panics only if the reader does.
fn read_as(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let _ = read_inputs(&[path], &ReadOptions::default());
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Text made of the pieces a JSON record is made of, in any order: mostly malformed, now and
/// then a record, with escapes, huge numbers and surrogates among them.
fn json_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\"id\"".to_string()),
        Just("\"text\"".to_string()),
        Just("\"title\"".to_string()),
        Just("\"date\"".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        "\"[a-zé\\\\ \"]{0,6}\"",
        "-?[0-9]{1,40}(\\.[0-9]{0,5})?(e-?[0-9]{1,4})?",
        "\"\\\\u[0-9a-fA-F]{4}\"",
        "\"\\\\u[dD][89abAB][0-9a-f]{2}\"",
        Just("{\"id\": \"a\", \"text\": \"harbour levy\"}\n".to_string()),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

/// Text made of CSV pieces: separators, quotes, line ends, a header now and then.
fn csv_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("id,text\n".to_string()),
        Just(",".to_string()),
        Just("\t".to_string()),
        Just("\"".to_string()),
        Just("\"\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        "[a-z0-9é ]{0,8}",
        "[\u{0}-\u{7f}]{0,4}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

/// A text file with front matter: fences, keys, values, colons and quotes in any order.
fn front_matter_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("---\n".to_string()),
        Just("---".to_string()),
        Just("title: ".to_string()),
        Just("date: ".to_string()),
        Just("source: ".to_string()),
        Just(":".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("\u{feff}".to_string()),
        "[a-zA-Z0-9 \\-é]{0,10}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn corpus_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn jsonl_never_panics(text in json_like(), raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let dir = corpus_dir();
        read_as(dir.path(), "a.jsonl", text.as_bytes());
        read_as(dir.path(), "b.jsonl", &raw);
        read_as(dir.path(), "c.jsonl.gz", &gzip(text.as_bytes()));
        // A gzip stream cut short or corrupted.
        let mut gz = gzip(text.as_bytes());
        let cut = raw.len() % gz.len().max(1);
        gz.truncate(cut);
        read_as(dir.path(), "d.jsonl.gz", &gz);
        read_as(dir.path(), "e.jsonl.gz", &raw);
    }

    #[test]
    fn csv_never_panics(text in csv_like(), raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let dir = corpus_dir();
        read_as(dir.path(), "a.csv", text.as_bytes());
        read_as(dir.path(), "b.tsv", text.as_bytes());
        read_as(dir.path(), "c.csv", &raw);
        read_as(dir.path(), "d.csv.gz", &gzip(text.as_bytes()));
    }

    #[test]
    fn front_matter_never_panics(text in front_matter_like(), raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let dir = corpus_dir();
        read_as(dir.path(), "a.md", text.as_bytes());
        read_as(dir.path(), "b.txt", &raw);
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/x.md"), text.as_bytes()).unwrap();
        let _ = read_inputs(&[dir.path().join("d")], &ReadOptions::default());
    }

    #[test]
    fn analysis_never_panics(texts in proptest::collection::vec("\\PC{0,80}", 1..6)) {
        let docs: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| parallax::corpus::Document::new(format!("d{i}"), t.as_str()))
            .collect();
        let _ = Vectorizer::default().fit_transform::<f32>(&docs);
    }
}

/// A small model's bytes, fitted once.
fn model_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let docs = [
            parallax::corpus::Document::new("a", "The harbour levy vote passed."),
            parallax::corpus::Document::new("b", "Council votes again on the harbour."),
        ];
        let model = Vectorizer::default().fit(&docs).unwrap();
        let mut bytes = Vec::new();
        parallax::io::model::write_model(&model, &mut bytes).unwrap();
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A model with a span of its bytes replaced (a digit changed, a field cut, garbage) loads
    /// or is refused with an error.
    #[test]
    fn model_loader_never_panics(at in 0usize..10_000, len in 0usize..40, with in "[0-9a-z\",:\\[\\]{}. -]{0,20}") {
        let bytes = model_bytes();
        let at = at % bytes.len();
        let end = (at + len).min(bytes.len());
        let mut mutated = bytes[..at].to_vec();
        mutated.extend_from_slice(with.as_bytes());
        mutated.extend_from_slice(&bytes[end..]);
        let _ = parallax::io::model::from_json(&mutated, &PathBuf::from("m.json"));
    }
}

/// Strings shaped like dates: digits, separators, month and weekday names, zones, and noise.
fn date_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,5}",
        Just("-".to_string()),
        Just("/".to_string()),
        Just(".".to_string()),
        Just(" ".to_string()),
        Just(", ".to_string()),
        Just("T".to_string()),
        Just(":".to_string()),
        Just("Z".to_string()),
        Just("+05:30".to_string()),
        Just("Jan".to_string()),
        Just("September".to_string()),
        Just("Mon".to_string()),
        Just("GMT".to_string()),
        "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// Any value, read under any order, any pattern and any window, is a day or a reason to
    /// set it aside; a day it gives lies in the window and exists.
    #[test]
    fn dates_never_panic(value in date_like(), pattern in "[%YymdbBaAHMSzZe/ .:-]{0,12}", order in 0usize..3, lo in -800_000i64..30_000, span in 0i64..1_000_000) {
        use parallax::corpus::{DateOrder, DateRules};
        use parallax::dates::{civil_date, day_number};
        let order = [DateOrder::Auto, DateOrder::Mdy, DateOrder::Dmy][order];
        for pattern in [None, pattern.parse().ok()] {
            let rules = DateRules { order, pattern, earliest: lo, latest: lo + span };
            if let Ok(day) = rules.read(&value) {
                prop_assert!(day >= lo && day <= lo + span);
                if (0..=9999).contains(&civil_date(day)[..4].parse::<i64>().unwrap_or(-1)) {
                    prop_assert_eq!(day_number(&civil_date(day)), Some(day));
                }
            }
        }
    }

    /// A day written in each form the reader knows reads back as that day.
    #[test]
    fn every_form_reads_back(day in -25_000i64..30_000) {
        use parallax::corpus::DateRules;
        use parallax::dates::civil_from_days;
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (y, m, d) = civil_from_days(day);
        let rules = DateRules { earliest: -800_000, latest: 800_000, ..DateRules::default() };
        let month = MONTHS[(m - 1) as usize];
        for form in [
            format!("{y:04}-{m:02}-{d:02}"),
            format!("{y:04}-{m:02}-{d:02}T12:30:00+02:00"),
            format!("{y:04}/{m}/{d}"),
            format!("{d} {month} {y:04} 10:00:00 GMT"),
            format!("{month} {d}, {y:04}"),
        ] {
            prop_assert_eq!(rules.read(&form), Ok(day), "{}", form);
        }
        // Numeric day-month forms: read where the value shows the order, set aside otherwise.
        let slashed = format!("{m}/{d}/{y:04}");
        match rules.read(&slashed) {
            Ok(got) => prop_assert!(got == day && (d > 12 || d == m)),
            Err(e) => prop_assert!(d <= 12 && d != m, "{} {:?}", slashed, e),
        }
    }
}
