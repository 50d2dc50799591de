//! Outputs replaced whole, by one writer at a time.
//!
//! A file is written under a temporary name beside it, synced, and renamed into place. An
//! output directory (the matrix and tables of `vectorize`) is written whole into a staging
//! directory beside it, synced, and swapped in with one rename (`renameat2(RENAME_EXCHANGE)` on
//! Linux), so a reader sees the complete old set or the complete new one, never a mix, whatever
//! happens to the run: an error, a full disk, a kill.
//!
//! Temporaries are created exclusively (`O_EXCL`, `mkdir`), so never through a symbolic link,
//! with names nobody can predict.
//!
//! Every writer of `DIR/NAME` first takes an advisory lock (`flock`) on `DIR/.NAME.lock` and
//! keeps it until it is done; a second writer waits for it. Holding the lock proves that the
//! temporaries of NAME left in DIR (`.NAME.tmp-*`, `.NAME.new-*`, `.NAME.old-*`) belong to a
//! run that was killed, so they are removed then. The lock file is removed as the lock is let
//! go; a run killed while holding it leaves it, empty and harmless, until the next run.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::direct::OutFile;
use crate::error::{Error, Result};

/// An exclusive lock on writing one file or directory, held until dropped.
pub struct WriteLock {
    target: PathBuf,
    /// The lock file (listed for [`remove_temporaries`]) and its open handle; `None` for a
    /// device or pipe, written in place.
    _lock: Option<(Registered, File)>,
}

impl WriteLock {
    /// Locks writing `target`, a file or an output directory, whose directory must exist.
    /// When another run holds the lock, calls `waiting` with the lock file's path and waits
    /// for it. Then removes the temporaries killed runs left for `target`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if `target` cannot be resolved or names no file (ends in `..` or `/`),
    /// or its lock file cannot be opened or locked.
    pub fn acquire(target: &Path, waiting: impl FnOnce(&Path)) -> Result<WriteLock> {
        // A symbolic link to a directory is followed: the link stays, its directory is replaced.
        // So is `.` or `..`, which name no entry of a parent directory.
        let linked = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        let target = if (linked && target.is_dir()) || target.file_name().is_none() {
            std::fs::canonicalize(target).map_err(|e| Error::io(target, e))?
        } else {
            target.to_path_buf()
        };
        if is_device(&target) {
            return Ok(WriteLock {
                target,
                _lock: None,
            });
        }
        let dir = directory_of(&target);
        let name = file_name(&target)?;
        let lock_path = dir.join(dotted(&name, ".lock"));
        let mut waiting = Some(waiting);
        let (file, listed) = loop {
            let file = open_lock(&lock_path).map_err(|e| Error::io(&target, e))?;
            if !flock(&file, false).map_err(|e| Error::io(&lock_path, e))? {
                if let Some(waiting) = waiting.take() {
                    waiting(&lock_path);
                }
                flock(&file, true).map_err(|e| Error::io(&lock_path, e))?;
            }
            // The holder before may have removed the file as it let go: then the lock held is
            // on a file nobody else will open, and the path is locked again.
            if same_file(&file, &lock_path) {
                // Listed only once held: the lock file of a run that holds it is not ours to
                // remove.
                break (file, Registered::new(lock_path));
            }
        };
        remove_stale(dir, &name);
        Ok(WriteLock {
            target,
            // Removed when dropped, before the handle closes and so releases it. A run waiting
            // on it then holds a lock on a file no longer there, sees so, and locks again.
            _lock: Some((listed, file)),
        })
    }

    /// The file or directory this lock is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the locked file through an exclusive temporary beside it, synced and renamed into
    /// place, so a failed or killed run never leaves a half-written file where a complete one is
    /// expected. A target that exists but is not a regular file (`/dev/null`, a named pipe) is
    /// written in place: renaming over it would replace the device or pipe itself.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it (or its temporary) cannot be created, written,
    /// synced or renamed into place, or if `write` fails; a library [`Error`] that `write`
    /// carried inside its `io::Error` is returned as it is.
    pub fn write_file(
        &self,
        write: impl FnOnce(&mut OutFile) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = &self.target;
        if is_device(path) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            let mut w = OutFile::new(file, false);
            return write(&mut w)
                .and_then(|()| w.finish().map(|_| ()))
                .map_err(|e| uncarry(path, e));
        }
        let dir = directory_of(path);
        let name = file_name(path)?;
        let (tmp, file) =
            make_listed(dir, &dotted(&name, ".tmp-"), new_file).map_err(|e| Error::io(path, e))?;
        let result = (|| {
            let mut w = OutFile::new(file, true);
            write(&mut w)?;
            // Synced before the rename: a full disk or a failing device shows here, at the
            // latest, while the old file is still in place.
            w.finish()?.sync_all()?;
            std::fs::rename(&tmp.0, path)?;
            sync_dir(dir)
        })();
        match result {
            Ok(()) => {
                tmp.unlist();
                Ok(())
            }
            Err(e) => Err(uncarry(path, e)),
        }
    }
}

/// Writes `path` whole or not at all, holding its lock meanwhile (see [`WriteLock`]).
///
/// # Errors
///
/// Those of [`WriteLock::acquire`] and [`WriteLock::write_file`].
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut OutFile) -> std::io::Result<()>,
) -> Result<()> {
    WriteLock::acquire(path, |_| {})?.write_file(write)
}

/// Writes a new file at `path`, created exclusively, in a directory nobody else writes (a
/// [`StagedDir`]); removed again if writing fails.
///
/// # Errors
///
/// [`Error::Io`] naming `path` if it exists already or cannot be created or written, or if
/// `write` fails; a library [`Error`] that `write` carried inside its `io::Error` is returned
/// as it is.
pub fn write_new(
    path: &Path,
    write: impl FnOnce(&mut OutFile) -> std::io::Result<()>,
) -> Result<()> {
    let result = (|| {
        let file = new_file(path)?;
        let mut w = OutFile::new(file, true);
        write(&mut w)?;
        w.finish().map(|_| ())
    })();
    result.map_err(|e| {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            let _ = std::fs::remove_file(path);
        }
        uncarry(path, e)
    })
}

/// Creates `path` exclusively for writing (never through a symbolic link), readable as the
/// user's umask allows.
///
/// # Errors
///
/// Any error of creating the file; [`std::io::ErrorKind::AlreadyExists`] if `path` exists
/// (even as a dangling symbolic link).
pub fn new_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    options.open(path)
}

/// An output directory written whole beside its target, then swapped in (see the module).
pub struct StagedDir {
    lock: WriteLock,
    staging: Registered,
}

impl StagedDir {
    /// Makes a fresh staging directory beside the target of `lock` (a directory, which
    /// [`StagedDir::commit`] creates if missing; its parent must exist).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the target if it exists and is not a directory, is or holds the
    /// current directory, names no file, or if the staging directory cannot be made.
    pub fn begin(lock: WriteLock) -> Result<StagedDir> {
        let target = lock.target();
        let old = std::fs::metadata(target).ok();
        if old.as_ref().is_some_and(|m| !m.is_dir()) {
            return Err(Error::io(
                target,
                std::io::Error::other("exists and is not a directory"),
            ));
        }
        // Swapped out, the current directory would be left behind, deleted, under this process
        // and the shell that started it.
        let here = std::env::current_dir().and_then(std::fs::canonicalize);
        if let (Ok(here), Ok(target)) = (here, std::fs::canonicalize(target))
            && here.starts_with(&target)
        {
            return Err(Error::io(
                target,
                std::io::Error::other(
                    "is the current directory or holds it: an output directory is replaced \
                     whole, so give it one of its own (such as --out out)",
                ),
            ));
        }
        let dir = directory_of(target);
        let name = file_name(target)?;
        let (staging, ()) = make_listed(dir, &dotted(&name, ".new-"), |p| make_dir(p, false))
            .map_err(|e| Error::io(target, e))?;
        // The new directory keeps the old one's permissions.
        if let Some(old) = old {
            let _ = std::fs::set_permissions(&staging.0, old.permissions());
        }
        Ok(StagedDir { lock, staging })
    }

    /// Where to write the new set.
    pub fn path(&self) -> &Path {
        &self.staging.0
    }

    /// Syncs the new set and swaps it in for the target directory. Entries of the old
    /// directory other than `replaced` names and temporaries (a model saved there, notes) are
    /// carried over first, as hard links (or copies), so the swap keeps them.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the target if the new set cannot be synced, the old entries
    /// carried over, or the directories swapped; of kind
    /// [`Interrupted`](std::io::ErrorKind::Interrupted) if the process is ending on a signal
    /// (see [`ending_on_signal`]), when nothing is swapped in.
    pub fn commit(self, replaced: &[&str]) -> Result<()> {
        let target = self.lock.target().to_path_buf();
        let staging = self.staging.0.clone();
        let io = |e| Error::io(&target, e);
        sync_tree(&staging).map_err(io)?;
        let dir = directory_of(&target);
        let _swapping = SWAPPING.lock().unwrap_or_else(|e| e.into_inner());
        if ending_on_signal() {
            return Err(io(std::io::ErrorKind::Interrupted.into()));
        }
        if std::fs::symlink_metadata(&target).is_err() {
            std::fs::rename(&staging, &target).map_err(io)?;
        } else {
            carry_over(&target, &staging, replaced).map_err(io)?;
            sync_dir(&staging).map_err(io)?;
            match exchange(&staging, &target) {
                Ok(()) => {}
                // No exchange here: move the old one aside, then the new one in. A reader in
                // between finds no directory, never a mixed one.
                Err(e) if unsupported(&e) => {
                    let name = file_name(&target)?;
                    let aside = unused_name(dir, &dotted(&name, ".old-"));
                    std::fs::rename(&target, &aside).map_err(io)?;
                    if let Err(e) = std::fs::rename(&staging, &target) {
                        let _ = std::fs::rename(&aside, &target);
                        return Err(io(e));
                    }
                    std::fs::rename(&aside, &staging).map_err(io)?;
                }
                Err(e) => return Err(io(e)),
            }
        }
        sync_dir(dir).map_err(io)?;
        // The staging name now holds the old set (or nothing); dropping removes it.
        drop(self.staging);
        Ok(())
    }
}

/// Paths removed by [`remove_temporaries`]: the temporaries of the runs in progress.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while a staging directory is swapped in, and by [`remove_temporaries`] to the end of
/// the process: a directory is never swapped in while it is being removed, half gone.
static SWAPPING: Mutex<()> = Mutex::new(());

/// Set once [`remove_temporaries`] has begun: the process is ending on a signal.
static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the process is ending on a signal ([`remove_temporaries`] was called): an error
/// seen now may come from a temporary removed under a writer, and is not the run's outcome.
pub fn ending_on_signal() -> bool {
    ENDING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Removes the temporary files and directories of every write in progress, for a process that
/// is about to end on a signal. What was already renamed into place is complete and stays; no
/// staging directory is swapped in from now on, so the caller must end the process.
pub fn remove_temporaries() {
    ENDING.store(true, std::sync::atomic::Ordering::SeqCst);
    std::mem::forget(SWAPPING.lock().unwrap_or_else(|e| e.into_inner()));
    let paths = std::mem::take(&mut *TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner()));
    for path in paths {
        // Other threads still run: a file they add to a directory being removed makes its
        // removal fail, and it is tried again, for a while.
        for _ in 0..50 {
            remove_any(&path);
            if std::fs::symlink_metadata(&path).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

/// A temporary path, listed for [`remove_temporaries`] and removed when dropped.
pub(crate) struct Registered(PathBuf);

impl Registered {
    /// Lists `path`.
    pub fn new(path: PathBuf) -> Self {
        let mut list = TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner());
        // Too late to be listed: the list was taken, the process is ending on a signal.
        if ending_on_signal() {
            drop(list);
            remove_any(&path);
            wait_for_the_end();
        }
        list.push(path.clone());
        Registered(path)
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Unlists the path without removing it (it was renamed into place, or never made).
    pub fn unlist(self) {
        unlist(&self.0);
        std::mem::forget(self);
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        remove_any(&self.0);
        unlist(&self.0);
    }
}

fn unlist(path: &Path) {
    let mut list = TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = list.iter().rposition(|p| p == path) {
        list.swap_remove(i);
    }
}

/// Removes a file, or a directory with everything in it; a symbolic link is removed, never
/// followed.
fn remove_any(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Removes the temporaries of `name` in `dir` (see the module); the caller holds its lock.
fn remove_stale(dir: &Path, name: &OsStr) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefixes = [".tmp-", ".new-", ".old-"].map(|p| dotted(name, p));
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        if prefixes.iter().any(|p| {
            entry_name
                .as_encoded_bytes()
                .starts_with(p.as_encoded_bytes())
        }) {
            remove_any(&entry.path());
        }
    }
}

/// Whether an entry of an output directory is a temporary of some run (of this version or an
/// older one), never carried over to the new set.
fn is_temporary(name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    let has = |part: &[u8]| name.windows(part.len()).any(|w| w == part);
    name.starts_with(b".")
        && (has(b".tmp-")
            || has(b".part-")
            || has(b".new-")
            || has(b".old-")
            || name.starts_with(b".parallax-runs-"))
}

/// Links (or copies) into `to` the entries of `from` not named in `replaced`, not temporary
/// and not already in `to`.
fn carry_over(from: &Path, to: &Path, replaced: &[&str]) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if replaced.iter().any(|r| OsStr::new(r) == name)
            || is_temporary(&name)
            || std::fs::symlink_metadata(to.join(&name)).is_ok()
        {
            continue;
        }
        copy_tree(&entry.path(), &to.join(&name))?;
    }
    Ok(())
}

/// Recreates `from` at `to`: files as hard links (copies where a link is refused), links as
/// links, directories entry by entry. Anything else (a pipe, a socket) is left out.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    let kind = meta.file_type();
    if kind.is_file() {
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to)?;
        }
    } else if kind.is_dir() {
        std::fs::create_dir(to)?;
        std::fs::set_permissions(to, meta.permissions())?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if kind.is_symlink() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(std::fs::read_link(from)?, to)?;
    }
    Ok(())
}

/// Syncs every regular file under `dir` (not through links), then the directory itself.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() {
            File::open(entry.path())?.sync_all()?;
        } else if kind.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Syncs a directory's entries (the renames in it), where the system allows it.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Swaps two paths in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c =
        |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Whether `exchange` failed for want of support (old kernel, file system without it).
fn unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Opens (creating if needed) a lock file, never through a symbolic link.
fn open_lock(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o666).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// A scratch directory of this process in `parent`: named `PREFIX` and the process id, then a
/// random suffix, made exclusively, private, and locked (`flock` on the directory) while the
/// returned handle is open. Directories of the same prefix left by killed runs (their process
/// gone and their lock free) are removed first.
pub(crate) fn scratch_dir(parent: &Path, prefix: &str) -> std::io::Result<(Registered, File)> {
    remove_dead_scratch(parent, prefix);
    let named = format!("{prefix}{}-", std::process::id());
    let (path, ()) = make_listed(parent, named.as_ref(), |p| make_dir(p, true))?;
    let handle = File::open(path.path())?;
    flock(&handle, true)?;
    Ok((path, handle))
}

/// Removes the scratch directories named `PREFIX<pid>-...` in `parent` whose process is gone
/// and whose lock is free: both, so neither a reused process id nor a directory made a moment
/// before its lock is mistaken for a dead one.
fn remove_dead_scratch(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(Ok(pid)) = rest.split('-').next().map(str::parse::<i32>) else {
            continue;
        };
        if pid <= 0 || process_exists(pid) {
            continue;
        }
        let path = entry.path();
        let free = File::open(&path).is_ok_and(|f| flock(&f, false).unwrap_or(false));
        if free && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether a process with this id exists (one we may not signal exists too).
#[cfg(unix)]
fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; no pointers.
    unsafe {
        libc::kill(pid, 0) == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
}

#[cfg(not(unix))]
fn process_exists(_pid: i32) -> bool {
    true
}

/// Takes the exclusive lock on `file`, waiting for it if `wait`; whether it was taken.
#[cfg(unix)]
fn flock(file: &File, wait: bool) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    let op = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    loop {
        // SAFETY: flock on a descriptor `file` owns; no pointers.
        if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if !wait => return Ok(false),
            _ => return Err(e),
        }
    }
}

#[cfg(not(unix))]
fn flock(_file: &File, _wait: bool) -> std::io::Result<bool> {
    Ok(true)
}

/// Creates a new file named `prefix` and a random suffix in `dir`, exclusively.
pub(crate) fn create_exclusive(dir: &Path, prefix: &OsStr) -> std::io::Result<(PathBuf, File)> {
    loop {
        let path = unused_name(dir, prefix);
        match new_file(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// Creates a directory, exclusively; with `private`, only the user may enter it.
fn make_dir(path: &Path, private: bool) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, if private { 0o700 } else { 0o777 });
    builder.create(path)
}

/// Makes a new temporary named `prefix` and a random suffix in `dir` with `make` (which must
/// fail if it exists) and lists it for [`remove_temporaries`], both while holding the list: a
/// signal that comes meanwhile finds it listed, or finds the process ending before it is made.
fn make_listed<T>(
    dir: &Path,
    prefix: &OsStr,
    make: impl Fn(&Path) -> std::io::Result<T>,
) -> std::io::Result<(Registered, T)> {
    loop {
        let path = unused_name(dir, prefix);
        let mut list = TEMPORARIES.lock().unwrap_or_else(|e| e.into_inner());
        if ending_on_signal() {
            drop(list);
            wait_for_the_end();
        }
        match make(&path) {
            Ok(made) => {
                list.push(path.clone());
                return Ok((Registered(path), made));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// Waits for a signal's thread to end the process ([`remove_temporaries`] was called).
fn wait_for_the_end() -> ! {
    loop {
        std::thread::park();
    }
}

/// `dir/PREFIX` and a random suffix: 64 bits of SipHash, keyed by the random keys the standard
/// library draws from the system for each `RandomState`, over a counter and the time.
fn unused_name(dir: &Path, prefix: &OsStr) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut name = prefix.to_os_string();
    name.push(format!("{:016x}", h.finish()));
    dir.join(name)
}

/// `.NAME` and `suffix`.
fn dotted(name: &OsStr, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(suffix);
    s
}

fn file_name(path: &Path) -> Result<OsString> {
    path.file_name().map(OsStr::to_os_string).ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::other("not a file name (ends in `..` or `/`)"),
        )
    })
}

/// Whether `path` is neither a file nor a directory (`/dev/stdout`, a pipe): written in place.
pub fn is_device(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether two paths name one directory (the same path, or the same directory on disk).
pub fn same_directory(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => std::path::absolute(a).ok() == std::path::absolute(b).ok(),
    }
}

/// Where temporary files made while writing `path` go: beside it (its disk, which the user
/// chose), or the system's temporary directory if `path` is a device or its directory does
/// not exist yet.
pub fn scratch_directory_for(path: &Path) -> std::path::PathBuf {
    let dir = directory_of(path);
    if is_device(path) || !dir.is_dir() {
        std::env::temp_dir()
    } else {
        dir.to_path_buf()
    }
}

/// The directory a file path is in (`.` for a bare name).
pub fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The library error a writer carried in `e` (an `io::Error` wrapping an [`Error`]), or `e` as
/// an error writing `path`.
pub(crate) fn uncarry(path: &Path, e: std::io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        let inner = e.into_inner().expect("checked above");
        return *inner.downcast::<Error>().expect("checked above");
    }
    Error::io(path, e)
}
