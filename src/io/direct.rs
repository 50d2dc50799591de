//! Output files written past the page cache.
//!
//! A buffered `write` copies every byte into page-cache pages the kernel allocates for the new
//! file. On this project's VM that copy is the costliest step of the whole write phase: fresh
//! pages are slow to touch, and `perf` put 12% of a 20 Newsgroups `vectorize` in
//! `copy_folio_from_iter_atomic` (59 MB written). `dd` of 60 MB to a new file spent 0.13 s of
//! system time buffered, and 0.03 s of wall time and no measurable CPU with `O_DIRECT`.
//!
//! [`OutFile`] therefore writes a large regular file with `O_DIRECT` (on Linux): whole aligned
//! blocks go from its own buffer to the device. A file shorter than one buffer is written
//! buffered as before, and so is the unaligned tail of a long one. Where the file system
//! refuses direct I/O, the file is written buffered. `PARALLAX_DIRECT_IO=0` turns it off.

use std::fs::File;
use std::io::Write;

/// Direct writes need their memory address, file offset and length aligned to the device's
/// logical block; 4 KiB covers the block sizes in use.
const ALIGN: usize = 4096;

/// Bytes gathered before each write: a multiple of [`ALIGN`].
const BUFFER: usize = 1 << 20;

/// A file written front to back, directly to the device once it is longer than one buffer.
/// Call [`OutFile::finish`] to write what is still buffered: dropping it loses that.
pub struct OutFile {
    file: File,
    /// Owns the buffer's memory; the buffer is `store[at..at + BUFFER]`, `at` chosen so it
    /// starts on an [`ALIGN`] boundary.
    store: Vec<u8>,
    at: usize,
    /// Bytes buffered, at the front of the buffer.
    len: usize,
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Buffered, and may turn direct once a whole buffer is written.
    Buffered,
    /// Writing with `O_DIRECT`.
    Direct,
    /// Buffered to the end: a device or pipe, direct I/O off or refused, or the tail.
    BufferedOnly,
}

impl OutFile {
    /// Wraps `file`. `regular` says whether it is a regular file: only those are ever written
    /// directly (on a pipe, `O_DIRECT` would change how the reader sees the data).
    pub fn new(file: File, regular: bool) -> Self {
        let mode = if regular && direct_allowed() {
            Mode::Buffered
        } else {
            Mode::BufferedOnly
        };
        let store = vec![0u8; BUFFER + ALIGN];
        let at = store.as_ptr().align_offset(ALIGN);
        OutFile {
            file,
            store,
            at,
            len: 0,
            mode,
        }
    }

    /// Writes what is buffered and returns the file.
    ///
    /// # Errors
    ///
    /// Any error of writing the buffered bytes to the file.
    pub fn finish(mut self) -> std::io::Result<File> {
        // Whole blocks go directly; the tail, not a whole block, through the page cache.
        let mut tail = 0;
        if self.mode == Mode::Direct {
            tail = self.len / ALIGN * ALIGN;
            self.write_out(0..tail)?;
        }
        self.set_mode(Mode::BufferedOnly);
        self.write_out(tail..self.len)?;
        self.len = 0;
        Ok(self.file)
    }

    /// Writes the full buffer, turning to direct I/O on the first one if allowed.
    fn write_buffer(&mut self) -> std::io::Result<()> {
        debug_assert_eq!(self.len, BUFFER);
        if self.mode == Mode::Buffered {
            self.set_mode(Mode::Direct);
        }
        self.write_out(0..BUFFER)?;
        self.len = 0;
        Ok(())
    }

    /// Writes `range` of the buffer. A direct write the file system refuses writes nothing;
    /// the file then turns buffered and the rest goes through the page cache. Counting what
    /// each call wrote matters: after a short direct write, the next one is unaligned and
    /// refused, and only the bytes after the short one may be written again.
    fn write_out(&mut self, range: std::ops::Range<usize>) -> std::io::Result<()> {
        let (mut from, to) = (self.at + range.start, self.at + range.end);
        while from < to {
            match self.file.write(&self.store[from..to]) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => from += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // What a file system without direct I/O, or with stricter alignment, answers.
                Err(e) if self.mode == Mode::Direct && e.raw_os_error() == Some(libc::EINVAL) => {
                    self.set_mode(Mode::BufferedOnly);
                    if self.mode == Mode::Direct {
                        return Err(e); // O_DIRECT could not be cleared
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Switches the file's `O_DIRECT` flag on or off for `mode`. If it cannot be set, the
    /// file is buffered to the end; if it cannot be cleared (never seen), it stays direct and
    /// an unaligned write then fails with the system's error.
    fn set_mode(&mut self, mode: Mode) {
        let (was, want) = (self.mode == Mode::Direct, mode == Mode::Direct);
        if was == want || set_direct(&self.file, want) {
            self.mode = mode;
        } else if want {
            self.mode = Mode::BufferedOnly;
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = bytes.len().min(BUFFER - self.len);
        let start = self.at + self.len;
        self.store[start..start + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        if self.len == BUFFER {
            self.write_buffer()?;
        }
        Ok(n)
    }

    /// Writes what is buffered, for a device or pipe, whose reader may wait for it. A file
    /// that may turn direct keeps its bytes until a whole buffer or [`OutFile::finish`]:
    /// writing part of a block now would leave the rest unaligned. Nobody reads it before
    /// then: it is a temporary file, renamed when finished.
    fn flush(&mut self) -> std::io::Result<()> {
        if self.mode == Mode::BufferedOnly {
            self.write_out(0..self.len)?;
            self.len = 0;
        }
        Ok(())
    }
}

/// Whether direct I/O is allowed: on Linux, unless `PARALLAX_DIRECT_IO=0`.
fn direct_allowed() -> bool {
    cfg!(target_os = "linux") && std::env::var_os("PARALLAX_DIRECT_IO").is_none_or(|v| v != "0")
}

/// Sets or clears `O_DIRECT` on `file`; whether that succeeded.
#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> bool {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor `file` owns and keeps open; it takes no pointers.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return false;
        }
        let flags = if on {
            flags | libc::O_DIRECT
        } else {
            flags & !libc::O_DIRECT
        };
        libc::fcntl(fd, libc::F_SETFL, flags) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, _on: bool) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(len: usize, regular: bool) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4099) as u8).collect();
        let mut out = OutFile::new(File::create(&path).unwrap(), regular);
        // Pieces of uneven sizes, so buffer edges fall inside them.
        for piece in bytes.chunks(123_457) {
            out.write_all(piece).unwrap();
        }
        out.finish().unwrap();
        let back = std::fs::read(&path).unwrap();
        assert_eq!(back.len(), len);
        assert!(
            back == bytes,
            "the file holds other bytes than were written ({len})"
        );
    }

    #[test]
    fn every_length_is_written_whole() {
        for len in [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            BUFFER - 1,
            BUFFER,
            BUFFER + 1,
            3 * BUFFER + ALIGN + 17,
        ] {
            written(len, true);
            written(len, false);
        }
    }

    #[test]
    fn a_long_regular_file_turns_direct_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut out = OutFile::new(File::create(&path).unwrap(), true);
        assert_eq!(out.mode, Mode::Buffered);
        out.write_all(&vec![b'x'; BUFFER + 10]).unwrap();
        // Direct where the file system allows it (ext4, xfs, tmpfs since Linux 6.6); else
        // buffered to the end. Never still waiting to decide.
        assert_ne!(out.mode, Mode::Buffered);
        out.finish().unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            (BUFFER + 10) as u64
        );
    }
}
