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

/// Registers a secret with the runner so that it is masked in every log line that follows. Only on
/// Actions: elsewhere nothing reads the command, and printing it would show the secret. The runner
/// reads workflow commands from stderr as well as stdout; stderr keeps the secret out of stdout,
/// which `--json` output and `$(…)` captures use.
pub fn add_mask(secret: &str) {
    if on_actions() && !secret.is_empty() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "::add-mask::{}",
            escape_data(secret)
        );
    }
}

/// Runs `body` inside a collapsible `::group::` of the job log (a plain heading elsewhere).
pub fn group<T>(title: &str, body: impl FnOnce() -> T) -> T {
    if on_actions() {
        let _ = writeln!(std::io::stderr().lock(), "::group::{}", escape_data(title));
        let out = body();
        let _ = writeln!(std::io::stderr().lock(), "::endgroup::");
        out
    } else {
        body()
    }
}

/// Step outputs, written to `$GITHUB_OUTPUT` in one append when the step is done.
#[derive(Debug, Default)]
pub struct Outputs {
    pairs: Vec<(String, String)>,
}

impl Outputs {
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.pairs.push((name.to_string(), value.into()));
        self
    }

    /// The `$GITHUB_OUTPUT` text: `name=value`, or the heredoc form for a multi-line value with a
    /// delimiter that the value does not contain.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.pairs {
            if value.contains('\n') || value.contains('\r') {
                let delimiter = heredoc_delimiter(value);
                out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
            } else {
                out.push_str(&format!("{name}={value}\n"));
            }
        }
        out
    }

    /// Appends the outputs to the file `$GITHUB_OUTPUT` names; does nothing when it is unset (not
    /// on Actions).
    pub fn write(&self) -> std::io::Result<()> {
        append_to_env_file("GITHUB_OUTPUT", &self.render())
    }
}

fn heredoc_delimiter(value: &str) -> String {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    (0u32..)
        .map(|n| {
            format!(
                "ghadelimiter_{:08x}",
                seed.wrapping_add(n.wrapping_mul(2_654_435_761))
            )
        })
        .find(|d| !value.contains(d.as_str()))
        .unwrap_or_default()
}

/// Appends text to the file an Actions environment variable names, if it is set.
fn append_to_env_file(variable: &str, text: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// The step's Markdown report: appended to `$GITHUB_STEP_SUMMARY` on Actions, printed to stderr
/// elsewhere (stdout is kept for `--json` and dry-run output).
pub fn report(markdown: &str) -> std::io::Result<()> {
    let markdown = if markdown.ends_with('\n') {
        markdown.to_string()
    } else {
        format!("{markdown}\n")
    };
    if std::env::var_os("GITHUB_STEP_SUMMARY").is_some_and(|p| !p.is_empty()) {
        append_to_env_file("GITHUB_STEP_SUMMARY", &markdown)
    } else {
        std::io::stderr().lock().write_all(markdown.as_bytes())
    }
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

    #[test]
    fn multi_line_outputs_use_a_delimiter_the_value_lacks() {
        let mut outputs = super::Outputs::default();
        outputs.set("count", "3").set("files", "a.rs\nb.rs");
        let text = outputs.render();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("count=3"));
        let opener = lines.next().expect("heredoc opener");
        let delimiter = opener.strip_prefix("files<<").expect("heredoc form");
        assert!(!"a.rs\nb.rs".contains(delimiter));
        assert_eq!(lines.collect::<Vec<_>>(), ["a.rs", "b.rs", delimiter]);
    }
}
