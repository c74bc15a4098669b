//! The one way Tidegate writes files: `changelog --output` and `--prepend`, and `bump apply`.
//!
//! - A regular file, or a new one, is written whole or not at all: into a temporary file beside
//!   it (synced to disk, given the old file's mode, and its owner where the user may set it), then
//!   renamed over it.
//! - A symbolic link is followed: the file it points to is replaced, and the link stays a link.
//! - Anything that is not a regular file is written in place, never replaced: `-` and
//!   `/dev/stdout` are standard output, `/dev/stderr` standard error; a character device, a FIFO
//!   and every other path under `/dev` or `/proc` (`/dev/fd/3`) are opened for appending and
//!   streamed to.
//! - Several files are one transaction ([`replace_files`]): every temporary file is written before
//!   the first rename. SIGTERM or SIGINT while they are written removes them and nothing is
//!   replaced; during the renames the signal waits until the last one is done. A run killed
//!   outright (SIGKILL) leaves temporary files named `.tidegate-PID-XXXXXX.tmp`, which the next
//!   write into the same folder removes.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// One file to write: how messages name it, where it is, and its new contents.
pub struct FileWrite<'a> {
    pub name: &'a str,
    pub path: PathBuf,
    pub contents: &'a [u8],
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The destination cannot be written as asked (exit 2: the user names another path).
    #[error("{name}: {message}")]
    Refused { name: String, message: String },
    #[error("writing {name} failed: {reason}; nothing was changed")]
    Write { name: String, reason: String },
    #[error("replacing {name} failed: {reason}; {}", replaced_so_far(*done, *total))]
    Rename {
        name: String,
        reason: String,
        done: usize,
        total: usize,
    },
    #[error("{}", interrupted(*signal, *replaced))]
    Interrupted { signal: i32, replaced: bool },
}

impl WriteError {
    /// The exit code: 2 for a destination the user must change, 128 + the signal for an
    /// interruption (as a shell reports it), 3 for a failing file system.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Refused { .. } => 2,
            Self::Interrupted { signal, .. } => u8::try_from(128 + signal).unwrap_or(130),
            Self::Write { .. } | Self::Rename { .. } => 3,
        }
    }

    fn write(name: &str, error: &std::io::Error) -> Self {
        Self::Write {
            name: name.into(),
            reason: error.to_string(),
        }
    }

    fn refused(name: &str, message: &str) -> Self {
        Self::Refused {
            name: name.into(),
            message: message.into(),
        }
    }
}

fn replaced_so_far(done: usize, total: usize) -> String {
    if done == 0 {
        return "nothing was changed".into();
    }
    format!(
        "{done} of {total} files were already replaced (`git status` lists them; running again completes the write, `git checkout -- .` undoes it)"
    )
}

fn interrupted(signal: i32, replaced: bool) -> String {
    let name = match signal {
        s if s == signal_hook::consts::SIGINT => "SIGINT",
        _ => "SIGTERM",
    };
    if replaced {
        format!(
            "interrupted by {name} while files were being replaced; the replacing was finished first, so every file is written"
        )
    } else {
        format!(
            "interrupted by {name} before any file was replaced; nothing was changed and the temporary files were removed"
        )
    }
}

/// Where writing a path goes.
enum Destination {
    Stdout,
    Stderr,
    /// Not a regular file: opened for appending and written in place.
    InPlace(PathBuf),
    /// A regular file (the target of a symbolic link), or a new one: replaced by a rename.
    Replace(PathBuf),
}

fn destination(name: &str, path: &Path) -> Result<Destination, WriteError> {
    if path == Path::new("-")
        || ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
            .map(Path::new)
            .contains(&path)
    {
        return Ok(Destination::Stdout);
    }
    if ["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"]
        .map(Path::new)
        .contains(&path)
    {
        return Ok(Destination::Stderr);
    }
    // `/dev/fd/N` and `/proc/self/fd/N` can lead to a regular file that a shell holds open:
    // replacing it would cut the shell's own writes off.
    if path.starts_with("/dev") || path.starts_with("/proc") {
        return Ok(Destination::InPlace(path.to_path_buf()));
    }
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(WriteError::refused(name, "is a folder; name a file")),
        Ok(meta) if meta.is_file() && is_link => std::fs::canonicalize(path)
            .map(Destination::Replace)
            .map_err(|e| WriteError::write(name, &e)),
        Ok(meta) if meta.is_file() => Ok(Destination::Replace(path.to_path_buf())),
        Ok(_) => Ok(Destination::InPlace(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_link => Err(WriteError::refused(
            name,
            "is a symbolic link to a file that does not exist; create the file or name another path",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Destination::Replace(path.to_path_buf()))
        }
        Err(e) => Err(WriteError::write(name, &e)),
    }
}

/// Writes one file: a regular file whole or not at all, anything else in place (see the module).
pub fn write_file(file: &FileWrite<'_>) -> Result<(), WriteError> {
    let fail = |e: std::io::Error| WriteError::write(file.name, &e);
    match destination(file.name, &file.path)? {
        Destination::Stdout => stream(std::io::stdout().lock(), file.contents).map_err(fail),
        Destination::Stderr => stream(std::io::stderr().lock(), file.contents).map_err(fail),
        Destination::InPlace(path) => std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|f| stream(f, file.contents))
            .map_err(fail),
        Destination::Replace(path) => replace(&[(file, path)]).map(|_| ()),
    }
}

/// A closed pipe (`changelog --output - | head`) is the reader's choice, not a failure.
fn stream(mut out: impl Write, contents: &[u8]) -> std::io::Result<()> {
    match out.write_all(contents).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Replaces every file as one transaction (see the module); each must be a regular file or
/// new. Returns how many temporary files of interrupted runs were removed.
pub fn replace_files(files: &[FileWrite<'_>]) -> Result<usize, WriteError> {
    let mut targets = Vec::with_capacity(files.len());
    for file in files {
        match destination(file.name, &file.path)? {
            Destination::Replace(path) => targets.push((file, path)),
            _ => {
                return Err(WriteError::refused(
                    file.name,
                    "is not a regular file (a device, FIFO or socket); name a regular file",
                ));
            }
        }
    }
    replace(&targets)
}

fn replace(targets: &[(&FileWrite<'_>, PathBuf)]) -> Result<usize, WriteError> {
    let folders: BTreeSet<&Path> = targets.iter().map(|(_, path)| folder_of(path)).collect();
    let removed = folders.iter().map(|f| remove_leftovers(f)).sum();
    let signals = Signals::watch();
    let mut staged = Vec::with_capacity(targets.len());
    for (file, target) in targets {
        staged.push(stage(file, target)?);
        signals.check(false)?;
    }
    // Synced after all are written, from several threads: the file system then commits many
    // syncs at once (one after each write costs several times as much).
    sync_all(&staged, targets)?;
    signals.check(false)?;
    let total = staged.len();
    // From here a signal waits: a rename is quick, and finishing them all leaves the complete
    // write rather than a mix of old and new files.
    for (done, (temp, (file, target))) in staged.into_iter().zip(targets).enumerate() {
        temp.persist(target).map_err(|e| WriteError::Rename {
            name: file.name.into(),
            reason: e.error.to_string(),
            done,
            total,
        })?;
    }
    signals.check(true)?;
    Ok(removed)
}

fn sync_all(
    staged: &[tempfile::NamedTempFile],
    targets: &[(&FileWrite<'_>, PathBuf)],
) -> Result<(), WriteError> {
    const THREADS: usize = 8;
    let chunk = staged.len().div_ceil(THREADS).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = staged
            .chunks(chunk)
            .zip(targets.chunks(chunk))
            .map(|(temps, files)| {
                scope.spawn(move || {
                    for (temp, (file, _)) in temps.iter().zip(files) {
                        temp.as_file()
                            .sync_all()
                            .map_err(|e| WriteError::write(file.name, &e))?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|worker| {
            worker.join().unwrap_or_else(|_| {
                Err(WriteError::Write {
                    name: "the temporary files".into(),
                    reason: "syncing them failed".into(),
                })
            })
        })
    })
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

const TEMP_PREFIX: &str = ".tidegate-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `file` into a temporary file beside `target`, with the target's mode.
fn stage(file: &FileWrite<'_>, target: &Path) -> Result<tempfile::NamedTempFile, WriteError> {
    let fail = |e: std::io::Error| WriteError::write(file.name, &e);
    let folder = folder_of(target);
    std::fs::create_dir_all(folder).map_err(fail)?;
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .rand_bytes(6)
        .tempfile_in(folder)
        .map_err(fail)?;
    temp.write_all(file.contents).map_err(fail)?;
    match std::fs::metadata(target) {
        Ok(meta) => {
            temp.as_file()
                .set_permissions(meta.permissions())
                .map_err(fail)?;
            keep_owner(temp.as_file(), &meta);
        }
        Err(_) => {
            if let Some(mode) = new_file_permissions() {
                temp.as_file().set_permissions(mode).map_err(fail)?;
            }
        }
    }
    Ok(temp)
}

/// The old file's owner and group, where the user may set them (root may; others get their own,
/// as with any editor).
#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let Ok(new) = file.metadata() else { return };
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

/// A new file's mode on Unix: rw-r--r--, as git checks files out. Elsewhere the temporary
/// file's own is fine.
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    Some(std::os::unix::fs::PermissionsExt::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Removes the temporary files interrupted runs left in `folder`; returns how many.
fn remove_leftovers(folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter(|entry| entry.file_name().to_str().is_some_and(is_leftover))
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// This writer's temporary files (`.tidegate-PID-XXXXXX.tmp`) whose process is gone.
fn is_leftover(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(pid, tail)| digits(pid) && random(tail) && !running(pid))
}

/// Whether a process is running (another run writing now); where that cannot be told, no.
fn running(pid: &str) -> bool {
    cfg!(target_os = "linux")
        && pid != std::process::id().to_string()
        && Path::new("/proc").join(pid).exists()
}

/// SIGTERM and SIGINT, caught while a transaction runs. Before it, they end the process as
/// usual (nothing is written yet); a second signal ends it at once.
struct Signals {
    caught: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

impl Signals {
    fn watch() -> &'static Self {
        static WATCH: OnceLock<Signals> = OnceLock::new();
        WATCH.get_or_init(|| {
            let signals = Self {
                caught: Arc::new(AtomicBool::new(false)),
                which: Arc::new(AtomicUsize::new(0)),
            };
            for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
                let status = 128 + signal;
                // Registration fails only for signals that cannot be caught; these can. Without
                // it the signal keeps its default action, which is still safe: the next run
                // removes the temporary files.
                let _ = signal_hook::flag::register_conditional_shutdown(
                    signal,
                    status,
                    signals.caught.clone(),
                );
                let _ = signal_hook::flag::register_usize(
                    signal,
                    signals.which.clone(),
                    usize::try_from(signal).unwrap_or_default(),
                );
                let _ = signal_hook::flag::register(signal, signals.caught.clone());
            }
            signals
        })
    }

    /// An interruption, if a signal came.
    fn check(&self, replaced: bool) -> Result<(), WriteError> {
        if !self.caught.load(Ordering::SeqCst) {
            return Ok(());
        }
        Err(WriteError::Interrupted {
            signal: i32::try_from(self.which.load(Ordering::SeqCst)).unwrap_or_default(),
            replaced,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_leftover;

    #[test]
    fn only_tidegate_temporary_files_are_leftovers() {
        assert!(is_leftover(".tidegate-999999999-aB3xYz.tmp"));
        for kept in [
            ".tidegate-aB3xYz",
            ".tidegate-config",
            ".tidegate-1-short.tmp",
            "tidegate-123-aB3xYz.tmp",
            ".tidegate-123-aB3xYz.tmp.bak",
            ".notes.tidegate-x1.tmp",
            "CHANGELOG.md",
        ] {
            assert!(!is_leftover(kept), "{kept}");
        }
    }
}
