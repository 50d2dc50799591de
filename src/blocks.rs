//! Blocks: the key that puts a document in a block (a field's value, or a window of days) and
//! its stable 64-bit hash, so that a cluster groups documents the same way in any language.
//!
//! The hash is FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the key's
//! UTF-8 bytes, written as 16 lowercase hex digits. It never depends on the process, the
//! platform or the language, unlike Python's `hash()` (salted per process) or Java's
//! `String.hashCode` (32 bits).
//!
//! ```
//! use parallax::blocks::{BlockBy, block_hash};
//! use parallax::corpus::Document;
//! let mut doc = Document::new("a", "text");
//! doc.date = Some("1970-01-09".into());
//! let by = BlockBy::WindowDays(7.try_into().unwrap());
//! assert_eq!(by.key(&doc).as_deref(), Some("1970-01-08..1970-01-14"));
//! assert_eq!(block_hash(""), 0xcbf2_9ce4_8422_2325);
//! ```

use std::num::NonZeroU32;

use crate::corpus::Document;
use crate::dates::{civil_date, day_number};

/// What decides a document's block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockBy {
    /// The value of a field (`source`, `date`, `title` or any metadata field).
    Field(String),
    /// Windows of this many days of the date: consecutive, non-overlapping windows counted
    /// from 1970-01-01; the key is the window's first and last day, `FIRST..LAST`.
    WindowDays(NonZeroU32),
}

impl BlockBy {
    /// The block key of `doc`, or `None` if it lacks the field (or, for windows, a readable
    /// date).
    pub fn key(&self, doc: &Document) -> Option<String> {
        match self {
            BlockBy::Field(name) => doc.field(name).map(str::to_string),
            BlockBy::WindowDays(days) => window_key(doc.date.as_deref()?, days.get()),
        }
    }
}

/// The block of a key: FNV-1a 64 of its UTF-8 bytes.
pub fn block_hash(key: &str) -> u64 {
    fnv1a64(key.as_bytes())
}

/// FNV-1a 64 of `bytes`.
fn fnv1a64(bytes: &[u8]) -> u64 {
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
