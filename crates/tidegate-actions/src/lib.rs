//! The GitHub Actions runtime, as a binary sees it: annotations on a runner, plain lines on a
//! terminal. No network, so every binary can use it.

use std::io::Write;

/// Whether the process runs inside a GitHub Actions job.
pub fn on_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Annotation data is one line; `%`, CR and LF are escaped as the runner expects.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn annotate(level: &str, message: &str) {
    let mut err = std::io::stderr().lock();
    // Writing to stderr can fail only when it is closed; there is nowhere left to report that.
    let _ = if on_actions() {
        writeln!(err, "::{level}::{}", escape_data(message))
    } else {
        writeln!(err, "{level}: {message}")
    };
}

/// A warning: an annotation on Actions, `warning: …` on stderr elsewhere.
pub fn warning(message: &str) {
    annotate("warning", message);
}

/// An error: an annotation on Actions, `error: …` on stderr elsewhere.
pub fn error(message: &str) {
    annotate("error", message);
}

/// A notice: an annotation on Actions, `notice: …` on stderr elsewhere.
pub fn notice(message: &str) {
    annotate("notice", message);
}

/// Exit codes every Tidegate binary uses.
pub mod exit {
    /// A gate or check did not pass.
    pub const GATE: u8 = 1;
    /// Usage or configuration error: fix the arguments or the configuration.
    pub const USAGE: u8 = 2;
    /// Talking to git or GitHub (or the file system) failed.
    pub const FAILURE: u8 = 3;
}

/// Ends a binary: on failure, one `error:` line (an annotation on Actions) and the exit code; no
/// backtrace, whatever `RUST_BACKTRACE` says.
pub fn finish(result: Result<(), (u8, String)>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err((code, message)) => {
            error(&message);
            std::process::ExitCode::from(code)
        }
    }
}

/// Writes to standard output. A closed pipe (`changelog | head`) is the reader's choice, not a
/// failure, so it is not reported.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes a file whole or not at all: into a temporary file beside it, then renamed over it.
pub fn write_atomically(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let temp = dir.join(format!(".{name}.tidegate-{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, contents).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Now, in seconds since the epoch, or `SOURCE_DATE_EPOCH` when set (reproducible output).
pub fn now_or_source_date_epoch() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn annotation_data_stays_on_one_line() {
        assert_eq!(
            super::escape_data("50% done\r\nnext"),
            "50%25 done%0D%0Anext"
        );
    }
}
