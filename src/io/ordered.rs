//! Blocks formatted in parallel and written in order: how the text formats (Matrix Market,
//! TSV and JSONL rows, model files) keep every core busy and still write the same bytes for any
//! thread count.

use std::io::Write;
use std::ops::Range;

/// `0..n` cut into ranges of `size` (the last may be shorter).
pub fn row_blocks(n: usize, size: usize) -> Vec<Range<usize>> {
    (0..n)
        .step_by(size.max(1))
        .map(|start| start..(start + size).min(n))
        .collect()
}

/// Writes the bytes `format` makes of each block, in block order. Every thread formats blocks
/// in turn, taking the next one as soon as it is done, while a thread of its own writes them
/// out in order: a direct write ([`crate::io::direct`]) waits for the device, not for a core. A
/// block is begun only when it is at most a few blocks per thread ahead of the writer, so
/// memory holds only those, and the bytes do not depend on the thread count.
pub(crate) fn write_in_order<W: Write + Send + ?Sized>(
    out: &mut W,
    blocks: &[Range<usize>],
    format: impl Fn(Range<usize>) -> Vec<u8> + Sync,
) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};
    let threads = rayon::current_num_threads();
    let ahead = 2 * threads + 2;
    // Formatted blocks not yet written, by index; `written` counts those written, or is
    // `usize::MAX` once the writer stopped on an error; `panicked` is set if `format` panicked.
    struct Done {
        formatted: std::collections::BTreeMap<usize, Vec<u8>>,
        written: usize,
        panicked: bool,
    }
    let done = Mutex::new(Done {
        formatted: Default::default(),
        written: 0,
        panicked: false,
    });
    // Stops the writer if a formatter panics, instead of leaving it waiting for the block.
    struct PanicGuard<'a>(&'a Mutex<Done>, &'a Condvar);
    impl Drop for PanicGuard<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                if let Ok(mut state) = self.0.lock() {
                    state.panicked = true;
                }
                self.1.notify_all();
            }
        }
    }
    // Signalled when a block is formatted (the writer waits) and when one is written (the
    // formatters wait).
    let (formatted, written) = (Condvar::new(), Condvar::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| -> std::io::Result<()> {
            for i in 0..blocks.len() {
                let mut state = done.lock().unwrap();
                let bytes = loop {
                    match state.formatted.remove(&i) {
                        Some(bytes) => break bytes,
                        // The panic goes on from the formatters' scope. The formatters still
                        // waiting for room must be let go, or the scope never ends.
                        None if state.panicked => {
                            state.written = usize::MAX;
                            drop(state);
                            written.notify_all();
                            return Ok(());
                        }
                        None => state = formatted.wait(state).unwrap(),
                    }
                };
                drop(state);
                let result = out.write_all(&bytes);
                let mut state = done.lock().unwrap();
                state.written = if result.is_ok() { i + 1 } else { usize::MAX };
                drop(state);
                written.notify_all();
                result?;
            }
            Ok(())
        });
        rayon::scope(|pool| {
            for _ in 0..threads {
                pool.spawn(|_| {
                    let _guard = PanicGuard(&done, &formatted);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= blocks.len() {
                            return;
                        }
                        {
                            let mut state = done.lock().unwrap();
                            while state.written != usize::MAX && i >= state.written + ahead {
                                state = written.wait(state).unwrap();
                            }
                            if state.written == usize::MAX {
                                return; // the writer stopped on an error, which it returns
                            }
                        }
                        let bytes = format(blocks[i].clone());
                        done.lock().unwrap().formatted.insert(i, bytes);
                        formatted.notify_one();
                    }
                });
            }
        });
        writer.join().expect("the writing thread does not panic")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails.
    struct FullDisk {
        room: usize,
        taken: Vec<u8>,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.taken.len() + buf.len() > self.room {
                return Err(std::io::Error::other("disk full"));
            }
            self.taken.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn blocks_are_written_in_order_and_failures_stop_it() {
        let blocks = row_blocks(1000, 7);
        let format = |r: Range<usize>| {
            // Uneven work, so blocks finish out of order.
            std::thread::sleep(std::time::Duration::from_micros((r.start % 5) as u64 * 50));
            r.map(|i| format!("{i}\n")).collect::<String>().into_bytes()
        };
        let expected: String = (0..1000).map(|i| format!("{i}\n")).collect();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            pool.install(|| write_in_order(&mut out, &blocks, format))
                .unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                expected,
                "{threads} threads"
            );
            // A failing write ends it with the error, after the bytes that fitted, in order.
            let mut disk = FullDisk {
                room: 1000,
                taken: Vec::new(),
            };
            let failed = pool.install(|| write_in_order(&mut disk, &blocks, format));
            assert_eq!(failed.unwrap_err().to_string(), "disk full");
            assert!(expected.as_bytes().starts_with(&disk.taken) && !disk.taken.is_empty());
            // A panicking formatter ends it with the panic, not a wait.
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    write_in_order(&mut Vec::new(), &blocks, |r: Range<usize>| {
                        assert!(r.start < 500, "formatting failed");
                        Vec::new()
                    })
                })
            }));
            assert!(panicked.is_err());
        }
    }
}
