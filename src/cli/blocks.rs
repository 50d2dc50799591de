//! `parallax blocks`: the block of every document (a field's value, or a window of days), named
//! by a stable 64-bit hash, so that a cluster groups documents the same way in any language.
//!
//! The hash is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the block
//! key's UTF-8 bytes, written as 16 lowercase hex digits. It never depends on the process, the
//! platform or the language, unlike Python's `hash()` (salted per process) or Java's
//! `String.hashCode` (32 bits).

use std::io::Write;

use anyhow::{Result, bail};
use clap::Args;

use super::InputArgs;
use parallax::dates::{civil_date, day_number};

/// `parallax blocks`.
#[derive(Args, Debug)]
pub struct BlocksArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Block by this field's value (`source`, `date`, `title` or any metadata field).
    #[arg(long, value_name = "FIELD", required_unless_present = "window_days")]
    pub key: Option<String>,
    /// Block by windows of this many days of the date field: consecutive, non-overlapping
    /// windows counted from 1970-01-01; the key is the window's first and last day.
    #[arg(long, value_name = "D", conflicts_with = "key")]
    pub window_days: Option<u32>,
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The key of the window of `days` days holding `date`: `FIRST..LAST` (both inclusive).
fn window_key(date: &str, days: u32) -> Option<String> {
    let day = day_number(date)?;
    let first = day.div_euclid(i64::from(days)) * i64::from(days);
    Some(format!(
        "{}..{}",
        civil_date(first),
        civil_date(first + i64::from(days) - 1)
    ))
}

pub fn blocks(args: &BlocksArgs, quiet: bool, out: &mut dyn Write) -> Result<()> {
    if args.window_days == Some(0) {
        bail!("--window-days must be at least 1");
    }
    let mut line = Vec::new();
    let (mut documents, mut missing) = (0usize, 0usize);
    let mut first_missing = None;
    let field = args.key.as_deref().unwrap_or(&args.input.date_field);
    let report = args.input.read_chunked(quiet, &mut |chunk| {
        for doc in &chunk.docs {
            documents += 1;
            let key = match args.window_days {
                Some(days) => doc.date.as_deref().and_then(|d| window_key(d, days)),
                None => doc.field(field).map(str::to_string),
            };
            let key = key.unwrap_or_else(|| {
                missing += 1;
                first_missing.get_or_insert_with(|| doc.id.clone());
                String::new()
            });
            line.clear();
            line.extend_from_slice(b"{\"id\":");
            serde_json::to_writer(&mut line, &doc.id)?;
            line.extend_from_slice(b",\"key\":");
            serde_json::to_writer(&mut line, &key)?;
            write!(line, ",\"block\":\"{:016x}\"}}", fnv1a64(key.as_bytes()))?;
            line.push(b'\n');
            out.write_all(&line)?;
        }
        Ok(())
    })?;
    super::output::report_read(&report, quiet);
    if missing > 0 {
        // Said even with --quiet: these documents were grouped together by default.
        eprintln!(
            "parallax blocks: {missing} of {documents} document(s) have no {field} (first: {}); they share the block of the empty key",
            first_missing.unwrap_or_default()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn windows_are_aligned_to_the_epoch() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(-1), "1969-12-31");
        for day in [-1, 0, 59, 11_016, 20_000, 2_000_000] {
            assert_eq!(day_number(&civil_date(day)), Some(day));
        }
        assert_eq!(
            window_key("1970-01-09", 7).as_deref(),
            Some("1970-01-08..1970-01-14")
        );
        assert_eq!(
            window_key("2014-03-05T10:00:00Z", 1).as_deref(),
            Some("2014-03-05..2014-03-05")
        );
        assert_eq!(window_key("yesterday", 7), None);
    }
}
