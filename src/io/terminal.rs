//! Text meant for a terminal: data written for people (tables, summaries) goes through
//! [`printable`], so that no title, id or source in the data can drive the terminal.

use std::borrow::Cow;
use std::io::Write;

/// Whether `c` may drive a terminal: a control character other than a line break or a tab
/// (ESC starts the escape and OSC sequences that move the cursor or set the window title).
fn drives_a_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidirectional overrides and isolates, which reorder what a line shows.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with control characters (terminal escapes among them; line breaks and tabs excepted)
/// and bidirectional overrides written as `\u{..}`, so that data printed to a terminal cannot
/// drive it or reorder its lines.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(drives_a_terminal) {
        return s.into();
    }
    s.chars()
        .map(|c| match drives_a_terminal(c) {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect::<String>()
        .into()
}

/// A writer for output meant for people (tables, summaries): everything written goes through
/// [`printable`].
pub struct Printable<W: Write>(pub W);

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Formatting hands over whole strings; other bytes are written as Rust would quote them.
        match std::str::from_utf8(buf) {
            Ok(s) => self.0.write_all(printable(s).as_bytes())?,
            Err(_) => {
                let text: String = buf
                    .iter()
                    .map(|&b| match b {
                        b'\n' | b'\t' | 0x20..=0x7e => (b as char).to_string(),
                        _ => format!("\\x{b:02x}"),
                    })
                    .collect();
                self.0.write_all(text.as_bytes())?
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_shown_not_obeyed() {
        assert!(matches!(printable("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        let mut out = Printable(Vec::new());
        out.write_all(b"ok \xff\x1b").unwrap();
        assert_eq!(out.0, b"ok \\xff\\x1b");
    }
}
