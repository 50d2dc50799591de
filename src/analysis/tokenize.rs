//! Tokenizers: split a text into spans (byte offsets into the original text).
//!
//! ```
//! use parallax::analysis::Tokenizer;
//! let spans = Tokenizer::Words.spans("Moscow’s al-Sharaa, 49 years.");
//! let words: Vec<_> = spans.iter().map(|s| &"Moscow’s al-Sharaa, 49 years."[s.start..s.end]).collect();
//! assert_eq!(words, ["Moscow", "al-Sharaa", "49", "years"]);
//! ```

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// How a text is cut into tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Tokenizer {
    /// Unicode word boundaries (UAX #29); words joined by one hyphen stay one token; a
    /// possessive `'s` is dropped. Only segments with a letter or digit are tokens.
    Words,
    /// scikit-learn's default `(?u)\b\w\w+\b`: runs of two or more word characters.
    Pattern,
    /// gensim's `simple_preprocess`: runs of non-digit word characters, `min_len..=max_len`
    /// characters long, not starting with `_`.
    Alphabetic {
        /// Shortest token kept, in characters.
        min_len: usize,
        /// Longest token kept, in characters.
        max_len: usize,
    },
    /// Spark's `RegexTokenizer` default: split on runs of ASCII whitespace.
    Whitespace,
}

/// A token's place in the text, and whether a phrase may continue into it from the last token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// True if punctuation, a paragraph break or the start of the text precedes this token,
    /// so an n-gram must not join it to the token before.
    pub boundary: bool,
}

impl Tokenizer {
    /// The token spans of a text, in order.
    pub fn spans(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        self.spans_into(text, &mut out);
        out
    }

    /// Like [`Tokenizer::spans`], reusing a buffer.
    pub fn spans_into(&self, text: &str, out: &mut Vec<Span>) {
        out.clear();
        match self {
            Tokenizer::Words => words(text, out),
            // In ASCII text, `\w` is exactly a letter, digit or `_`.
            Tokenizer::Pattern if text.is_ascii() => {
                WordMask::new(text.as_bytes()).runs(2, |start, end| {
                    out.push(Span {
                        start,
                        end,
                        boundary: false,
                    })
                })
            }
            Tokenizer::Pattern => runs(
                text,
                out,
                |c| c.is_alphanumeric() || c == '_',
                2,
                usize::MAX,
                false,
            ),
            Tokenizer::Alphabetic { min_len, max_len } => runs(
                text,
                out,
                |c| (c.is_alphanumeric() || c == '_') && !is_digit(c),
                *min_len,
                *max_len,
                true,
            ),
            Tokenizer::Whitespace => {
                let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
                let bytes = text.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if is_space(bytes[i]) {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < bytes.len() && !is_space(bytes[i]) {
                        i += 1;
                    }
                    out.push(Span {
                        start,
                        end: i,
                        boundary: false,
                    });
                }
            }
        }
    }
}

/// Python's `\d` (decimal digits), approximated by Unicode numerics outside ASCII.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// Maximal runs of characters where `member` holds, kept if their length is in range.
fn runs(
    text: &str,
    out: &mut Vec<Span>,
    member: impl Fn(char) -> bool,
    min: usize,
    max: usize,
    no_underscore: bool,
) {
    let mut start = None;
    let mut len = 0;
    let flush = |start: usize, end: usize, len: usize, out: &mut Vec<Span>| {
        if len >= min && len <= max && !(no_underscore && text[start..].starts_with('_')) {
            out.push(Span {
                start,
                end,
                boundary: false,
            });
        }
    };
    for (i, c) in text.char_indices() {
        if member(c) {
            if start.is_none() {
                start = Some(i);
                len = 0;
            }
            len += 1;
        } else if let Some(s) = start.take() {
            flush(s, i, len, out);
        }
    }
    if let Some(s) = start {
        flush(s, text.len(), len, out);
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// UAX #29 words with letters or digits, hyphen joins, possessives dropped, boundaries marked.
fn words(text: &str, out: &mut Vec<Span>) {
    let mut joiner = Joiner {
        text,
        out,
        pending: None,
        prev_end: 0,
    };
    // Word segments that hold a letter or digit.
    if text.is_ascii() {
        let masks = AsciiMasks::new(text.as_bytes());
        masks.segments(text.as_bytes(), |start, end| {
            joiner.push(start, end, |from, to| masks.gap(text, from, to))
        });
    } else {
        for (start, seg) in text.split_word_bound_indices() {
            if seg.chars().any(char::is_alphanumeric) {
                joiner.push(start, start + seg.len(), |from, to| {
                    text_gap(&text[from..to])
                });
            }
        }
    }
    joiner.finish();
}

/// Whether the text between two word segments joins them (`a-b`: one hyphen, nothing else),
/// and whether it is a boundary (punctuation, or two line breaks: a new paragraph).
fn text_gap(gap: &str) -> (bool, bool) {
    // Fast paths: most gaps are one ASCII byte, and nearly all are ASCII.
    match gap.as_bytes() {
        [b' ' | b'\t'..=b'\r'] => (false, false),
        [b'-'] => (true, false),
        [b] if b.is_ascii() => (false, true),
        // Two or more characters: no hyphen join.
        bytes if gap.is_ascii() => {
            let space = |b: &u8| matches!(b, b' ' | b'\t'..=b'\r');
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            (false, !bytes.iter().all(space) || lines >= 2)
        }
        _ => {
            let join = gap.chars().count() == 1 && gap.chars().all(is_hyphen);
            let boundary =
                gap.chars().any(|c| !c.is_whitespace()) || gap.matches('\n').count() >= 2;
            (join, boundary)
        }
    }
}

/// Turns word segments into tokens as they come: `a-b` (one hyphen, nothing else between) is
/// joined, a boundary is marked where punctuation or a paragraph break precedes a token, and a
/// possessive 's is dropped once a token is complete.
struct Joiner<'t, 'o> {
    text: &'t str,
    out: &'o mut Vec<Span>,
    /// The token being built (a later segment may still join it).
    pending: Option<Span>,
    /// End of the last segment, before any possessive was dropped.
    prev_end: usize,
}

impl Joiner<'_, '_> {
    /// Adds the segment `start..end`; `gap(from, to)` judges the text since the last segment
    /// as [`text_gap`] does.
    #[inline]
    fn push(&mut self, start: usize, end: usize, gap: impl FnOnce(usize, usize) -> (bool, bool)) {
        let gap_start = std::mem::replace(&mut self.prev_end, end);
        let Some(pending) = &mut self.pending else {
            // The first token: nothing before it to join or continue from.
            self.pending = Some(Span {
                start,
                end,
                boundary: true,
            });
            return;
        };
        let (join, boundary) = gap(gap_start, start);
        if join {
            pending.end = end;
            return;
        }
        let done = std::mem::replace(
            pending,
            Span {
                start,
                end,
                boundary,
            },
        );
        self.out
            .push(without_possessive(self.text.as_bytes(), done));
    }

    fn finish(mut self) {
        if let Some(span) = self.pending.take() {
            self.out
                .push(without_possessive(self.text.as_bytes(), span));
        }
    }
}

/// A token without a possessive 's (either apostrophe). The ASCII case is decided without
/// branches: short tokens and words ending in s are too common for a branch on them to be
/// predicted.
#[inline]
fn without_possessive(text: &[u8], mut span: Span) -> Span {
    let (n, end) = (span.end - span.start, span.end);
    let s = text[end - 1] | 0x20 == b's';
    // Read whatever `n` is (no branch), used only when `n > 2`.
    let before = text[end.saturating_sub(2)];
    span.end -= 2 * usize::from((n > 2) & s & (before == b'\''));
    // U+2019 ends in 0x99, which no ASCII text holds.
    if before == 0x99 && n > 4 && s && text[end - 4..end - 1] == *"\u{2019}".as_bytes() {
        span.end -= 4;
    }
    span
}

/// ASCII word-break classes (UAX #29), byte by byte: the reference the vector code is tested
/// against.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wb {
    Letter,
    Numeric,
    ExtendNumLet,
    MidLetter,
    MidNumLet,
    MidNum,
    Other,
}

#[cfg(any(test, not(target_arch = "x86_64")))]
const fn wb_class_of(b: u8) -> Wb {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Wb::Letter,
        b'0'..=b'9' => Wb::Numeric,
        b'_' => Wb::ExtendNumLet,
        b':' => Wb::MidLetter,
        b'.' | b'\'' => Wb::MidNumLet,
        b',' | b';' => Wb::MidNum,
        _ => Wb::Other,
    }
}

/// Which bytes of an ASCII text are word bytes (letters, digits, `_`), one bit a byte, so runs
/// are found 64 bytes at a time.
struct WordMask {
    bits: Vec<u64>,
    len: usize,
}

impl WordMask {
    fn new(bytes: &[u8]) -> Self {
        let bits = (0..bytes.len().div_ceil(64))
            .map(|k| {
                let c = Classes::of_word(bytes, k);
                c.letter | c.digit | c.underscore
            })
            .collect();
        WordMask {
            bits,
            len: bytes.len(),
        }
    }

    /// Maximal runs of word bytes at least `min` long, as (start, end).
    fn runs(&self, min: usize, mut run: impl FnMut(usize, usize)) {
        let (mut starts, mut ends) = self.edges();
        while let Some(start) = starts.next() {
            let end = ends.next().unwrap_or(self.len);
            if end - start >= min {
                run(start, end);
            }
        }
    }

    /// Where runs of word bytes start, and where they end (the first byte after each run). A
    /// run that reaches the end of the text ends at its length, or has no end if the text
    /// fills its last 64-byte word.
    fn edges(&self) -> (Edges<'_>, Edges<'_>) {
        (Edges::new(&self.bits, false), Edges::new(&self.bits, true))
    }
}

/// The starts (or ends) of runs of word bytes, in order: the set bits of a mask derived from
/// the word bits one 64-byte word at a time, taken lowest first, so no byte is looked at again.
struct Edges<'m> {
    bits: &'m [u64],
    /// The word `current` came from.
    word: usize,
    /// Its edges not yet taken.
    current: u64,
    ends: bool,
}

impl<'m> Edges<'m> {
    fn new(bits: &'m [u64], ends: bool) -> Self {
        let mut edges = Edges {
            bits,
            word: 0,
            current: 0,
            ends,
        };
        if !bits.is_empty() {
            edges.current = edges.edges_of(0);
        }
        edges
    }

    /// Edge bits of word `k`: a start is a word byte after a non-word byte (or none), an end
    /// a non-word byte after a word byte.
    fn edges_of(&self, k: usize) -> u64 {
        let carry = if k > 0 { self.bits[k - 1] >> 63 } else { 0 };
        let before = (self.bits[k] << 1) | carry;
        if self.ends {
            !self.bits[k] & before
        } else {
            self.bits[k] & !before
        }
    }

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.word += 1;
            if self.word >= self.bits.len() {
                return None;
            }
            self.current = self.edges_of(self.word);
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.word * 64 + bit)
    }
}

/// UAX #29 word segments of ASCII text that hold a letter or digit, as (start, end).
#[cfg(test)]
fn ascii_segments(bytes: &[u8], segment: impl FnMut(usize, usize)) {
    AsciiMasks::new(bytes).segments(bytes, segment)
}

/// Classes of 64 bytes, one bit a byte.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Classes {
    letter: u64,
    digit: u64,
    /// `_`, which joins anything word-like (WB13a/b).
    underscore: u64,
    /// What joins two letters (WB6/7): `:` `.` `'`.
    mid_letter: u64,
    /// What joins two digits (WB11/12): `,` `;` `.` `'`.
    mid_digit: u64,
    /// ASCII white space: space, tab, line feed, vertical tab, form feed, carriage return.
    space: u64,
    newline: u64,
}

impl Classes {
    /// Byte by byte, with the same tests as [`wb_class_of`]: the reference for the vector code.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn of_bytes(block: &[u8]) -> Classes {
        let mut c = Classes::default();
        for (k, &b) in block.iter().enumerate() {
            let bit = 1u64 << k;
            let wb = wb_class_of(b);
            let set = |mask: &mut u64, on: bool| *mask |= if on { bit } else { 0 };
            set(&mut c.letter, wb == Wb::Letter);
            set(&mut c.digit, wb == Wb::Numeric);
            set(&mut c.underscore, wb == Wb::ExtendNumLet);
            set(
                &mut c.mid_letter,
                matches!(wb, Wb::MidLetter | Wb::MidNumLet),
            );
            set(&mut c.mid_digit, matches!(wb, Wb::MidNum | Wb::MidNumLet));
            set(&mut c.space, matches!(b, b' ' | b'\t'..=b'\r'));
            set(&mut c.newline, b == b'\n');
        }
        c
    }

    /// [`Classes::of_bytes`] of 64 bytes, 16 at a time with SSE2 (which every x86-64 processor
    /// has). Ranges are tested as unsigned minimums: a letter is `b | 0x20` in `a..=z`.
    #[cfg(target_arch = "x86_64")]
    fn of_block(block: &[u8; 64]) -> Classes {
        use std::arch::x86_64::*;
        let mut c = Classes::default();
        for (k, sixteen) in block.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is part of x86-64 itself, and `sixteen` is 16 readable bytes (the
            // load has no alignment requirement).
            let masks = unsafe {
                let v = _mm_loadu_si128(sixteen.as_ptr().cast());
                let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let within = |x: __m128i, below: u8| {
                    _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(below as i8)), x)
                };
                let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16);
                let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let letter = within(_mm_sub_epi8(lower, _mm_set1_epi8(b'a' as i8)), 25);
                let digit = within(_mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8)), 9);
                let both = _mm_or_si128(is(b'.'), is(b'\''));
                let space = _mm_or_si128(
                    is(b' '),
                    within(_mm_sub_epi8(v, _mm_set1_epi8(b'\t' as i8)), 4),
                );
                [
                    bits(letter),
                    bits(digit),
                    bits(is(b'_')),
                    bits(_mm_or_si128(both, is(b':'))),
                    bits(_mm_or_si128(both, _mm_or_si128(is(b','), is(b';')))),
                    bits(space),
                    bits(is(b'\n')),
                ]
            };
            let at = 16 * k;
            c.letter |= masks[0] << at;
            c.digit |= masks[1] << at;
            c.underscore |= masks[2] << at;
            c.mid_letter |= masks[3] << at;
            c.mid_digit |= masks[4] << at;
            c.space |= masks[5] << at;
            c.newline |= masks[6] << at;
        }
        c
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of_block(block: &[u8; 64]) -> Classes {
        Classes::of_bytes(block)
    }

    /// The classes of the `k`-th 64 bytes of a text (those past its end are none).
    #[inline]
    fn of_word(bytes: &[u8], k: usize) -> Classes {
        match bytes.get(64 * k..64 * k + 64) {
            Some(full) => Classes::of_block(full.try_into().unwrap()),
            None if 64 * k < bytes.len() => {
                let mut padded = [0u8; 64];
                padded[..bytes.len() - 64 * k].copy_from_slice(&bytes[64 * k..]);
                Classes::of_block(&padded)
            }
            None => Classes::default(),
        }
    }
}

/// Bit masks of an ASCII text, one bit a byte, 64 bytes a word, each with one more zero word
/// at the end (so the word after any byte's can be read).
struct AsciiMasks {
    /// Bytes of word segments: letters, digits, `_`, and a middle character between two
    /// letters or two digits (the ASCII cases of UAX #29's WB5–WB13b). A segment is a run.
    segment: Vec<u64>,
    /// Bytes that are not white space.
    ink: Vec<u64>,
    /// Line feeds.
    newline: Vec<u64>,
}

impl AsciiMasks {
    fn new(bytes: &[u8]) -> Self {
        let n_words = bytes.len().div_ceil(64);
        let mut masks = AsciiMasks {
            segment: Vec::with_capacity(n_words + 1),
            ink: Vec::with_capacity(n_words + 1),
            newline: Vec::with_capacity(n_words + 1),
        };
        // A middle character joins if the bytes on both sides are letters (or both digits),
        // so each word needs the last bit of the word before and the first of the next.
        let (mut last, mut here) = (Classes::default(), Classes::of_word(bytes, 0));
        for k in 0..n_words {
            let next = Classes::of_word(bytes, k + 1);
            let before = |m: u64, prev: u64| (m << 1) | (prev >> 63);
            let after = |m: u64, next: u64| (m >> 1) | (next << 63);
            let glue = (here.mid_letter
                & before(here.letter, last.letter)
                & after(here.letter, next.letter))
                | (here.mid_digit & before(here.digit, last.digit) & after(here.digit, next.digit));
            masks
                .segment
                .push(here.letter | here.digit | here.underscore | glue);
            masks.ink.push(!here.space);
            masks.newline.push(here.newline);
            (last, here) = (here, next);
        }
        masks.segment.push(0);
        masks.ink.push(0);
        masks.newline.push(0);
        masks
    }

    /// The segments that hold a letter or digit, as (start, end).
    #[inline]
    fn segments(&self, bytes: &[u8], mut segment: impl FnMut(usize, usize)) {
        let mut starts = Edges::new(&self.segment, false);
        let mut ends = Edges::new(&self.segment, true);
        while let Some(start) = starts.next() {
            // The zero word at the end closes every run.
            let end = ends.next().unwrap_or(bytes.len());
            // A segment of underscores alone holds no letter or digit.
            if bytes[start] != b'_' || bytes[start..end].iter().any(|&b| b != b'_') {
                segment(start, end);
            }
        }
    }

    /// [`text_gap`] of `from..to` (at least one byte): from two words of masks, if shorter than
    /// 64 bytes.
    #[inline]
    fn gap(&self, text: &str, from: usize, to: usize) -> (bool, bool) {
        let len = to - from;
        if len >= 64 {
            return text_gap(&text[from..to]);
        }
        let join = len == 1 && text.as_bytes()[from] == b'-';
        let (k, shift) = (from / 64, from % 64);
        let window = |m: &[u64]| {
            // The high word shifted in two steps, so a shift of zero takes none of it.
            let bits = (m[k] >> shift) | ((m[k + 1] << 1) << (63 - shift));
            bits & ((1u64 << len) - 1)
        };
        let boundary = (window(&self.ink) != 0) | (window(&self.newline).count_ones() >= 2);
        (join, boundary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts<'a>(t: &Tokenizer, text: &'a str) -> Vec<&'a str> {
        t.spans(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn seed_article_edge_cases() {
        let text = "Syria’s new government has emphasized the country’s “strategic interests” with \
                    Russia's Moscow’s bases; al-Sharaa—also known—said 49 years at Khmeimim.";
        let got = texts(&Tokenizer::Words, text);
        assert_eq!(
            got,
            [
                "Syria",
                "new",
                "government",
                "has",
                "emphasized",
                "the",
                "country",
                "strategic",
                "interests",
                "with",
                "Russia",
                "Moscow",
                "bases",
                "al-Sharaa",
                "also",
                "known",
                "said",
                "49",
                "years",
                "at",
                "Khmeimim"
            ]
        );
    }

    #[test]
    fn boundaries_at_punctuation_not_spaces() {
        let text = "the “strategic interests” of Moscow. Next one\n\nNew para";
        let spans = Tokenizer::Words.spans(text);
        let flags: Vec<(&str, bool)> = spans
            .iter()
            .map(|s| (&text[s.start..s.end], s.boundary))
            .collect();
        assert_eq!(
            flags,
            [
                ("the", true),
                ("strategic", true),
                ("interests", false),
                ("of", true),
                ("Moscow", false),
                ("Next", true),
                ("one", false),
                ("New", true),
                ("para", false)
            ]
        );
        // A lone form feed or vertical tab is white space, like any other.
        let flags: Vec<bool> = Tokenizer::Words
            .spans("page\x0cbreak\x0bhere")
            .iter()
            .map(|s| s.boundary)
            .collect();
        assert_eq!(flags, [true, false, false]);
    }

    #[test]
    fn contractions_numbers_and_french() {
        assert_eq!(
            texts(&Tokenizer::Words, "don't U.S. 3.14 1,000 e-mail"),
            ["don't", "U.S", "3.14", "1,000", "e-mail"]
        );
        let fr = "L’économie française s’est redressée ; l'Assemblée a voté « oui » aujourd’hui.";
        assert_eq!(
            texts(&Tokenizer::Words, fr),
            [
                "L’économie",
                "française",
                "s’est",
                "redressée",
                "l'Assemblée",
                "a",
                "voté",
                "oui",
                "aujourd’hui"
            ]
        );
    }

    #[test]
    fn sklearn_pattern() {
        assert_eq!(
            texts(&Tokenizer::Pattern, "I can't see a_b 49 x-ray é2"),
            ["can", "see", "a_b", "49", "ray", "é2"]
        );
    }

    #[test]
    fn gensim_alphabetic() {
        let t = Tokenizer::Alphabetic {
            min_len: 2,
            max_len: 15,
        };
        assert_eq!(
            texts(&t, "a b2c de _fg hij1 extraordinarilylong"),
            ["de", "hij"]
        );
    }

    #[test]
    fn whitespace() {
        assert_eq!(
            texts(&Tokenizer::Whitespace, "  Hello,  world!\tx\n"),
            ["Hello,", "world!", "x"]
        );
    }

    /// Words as the rules say them, without fast paths: UAX #29 segments with a letter or
    /// digit; a gap of exactly one hyphen joins; a gap with anything but white space, or with
    /// two line breaks, is a boundary; a possessive 's is dropped.
    fn reference_words(text: &str) -> Vec<Span> {
        let strip = |mut span: Span| {
            let token = &text[span.start..span.end];
            for possessive in ["'s", "'S", "\u{2019}s", "\u{2019}S"] {
                if token.len() > possessive.len() && token.ends_with(possessive) {
                    span.end -= possessive.len();
                    break;
                }
            }
            span
        };
        let (mut out, mut pending, mut prev_end) = (Vec::new(), None::<Span>, 0);
        for (start, seg) in text.split_word_bound_indices() {
            if !seg.chars().any(char::is_alphanumeric) {
                continue;
            }
            let end = start + seg.len();
            let gap = &text[prev_end..start];
            prev_end = end;
            let Some(last) = &mut pending else {
                pending = Some(Span {
                    start,
                    end,
                    boundary: true,
                });
                continue;
            };
            if gap.chars().count() == 1 && gap.chars().all(is_hyphen) {
                last.end = end;
                continue;
            }
            let boundary =
                gap.chars().any(|c| !c.is_whitespace()) || gap.matches('\n').count() >= 2;
            out.push(strip(*last));
            pending = Some(Span {
                start,
                end,
                boundary,
            });
        }
        out.extend(pending.map(strip));
        out
    }

    #[test]
    fn long_gaps_are_judged_like_short_ones() {
        let spaces = " ".repeat(70);
        for gap in [
            spaces.clone(),
            format!("{spaces}\n\n"),
            format!("\n{spaces}\n"),
            format!("{spaces}!"),
            format!("{spaces}___"),
        ] {
            // Gaps that start anywhere in a 64-byte word, and cross into the next.
            for lead in 0..70 {
                let text = format!("{}x{gap}y z", "w".repeat(lead));
                assert_eq!(
                    Tokenizer::Words.spans(&text),
                    reference_words(&text),
                    "{text:?}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn words_follow_the_rules(text in "[aZ09_.:,;'’ \n\t\x0b\x0c!\"é—-]{0,300}") {
            prop_assert_eq!(Tokenizer::Words.spans(&text), reference_words(&text));
        }

        #[test]
        fn long_ascii_words_follow_the_rules(text in "[aaaaZ0_.,' \n-]{0,700}") {
            prop_assert_eq!(Tokenizer::Words.spans(&text), reference_words(&text));
        }

        #[test]
        fn pattern_ascii_path_matches_the_char_path(text in "[aaaZ09_.:,;' \n\t!\"-]{0,400}") {
            let mut slow = Vec::new();
            runs(&text, &mut slow, |c| c.is_alphanumeric() || c == '_', 2, usize::MAX, false);
            prop_assert_eq!(Tokenizer::Pattern.spans(&text), slow);
        }

        #[test]
        fn vector_classes_match_the_byte_tests(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let block: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            prop_assert_eq!(Classes::of_block(block), Classes::of_bytes(block));
        }

        #[test]
        fn ascii_fast_path_matches_uax29(text in "[aaaZ09_.:,;' \n\t!\"-]{0,400}") {
            let mut fast = Vec::new();
            ascii_segments(text.as_bytes(), |start, end| fast.push(&text[start..end]));
            let slow: Vec<&str> = text
                .split_word_bounds()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .collect();
            prop_assert_eq!(fast, slow);
        }
    }
}
