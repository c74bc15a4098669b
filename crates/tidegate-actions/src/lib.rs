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

thread_local! {
    static MUTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `body` with warnings, notices and error annotations held back: for a first pass whose
/// results are thrown away (the pass is made again, and says what it finds then).
pub fn muted<T>(body: impl FnOnce() -> T) -> T {
    let before = MUTED.with(|m| m.replace(true));
    let out = body();
    MUTED.with(|m| m.set(before));
    out
}

/// Every message goes through here: URL credentials are redacted and it stays on one line (a
/// path or a GitHub message holding a line break or a terminal escape cannot split or forge it).
fn annotate(level: &str, message: &str) {
    if MUTED.with(std::cell::Cell::get) {
        return;
    }
    let message = redact_url_credentials(message);
    let mut err = std::io::stderr().lock();
    // Writing to stderr can fail only when it is closed; there is nowhere left to report that.
    let _ = if on_actions() {
        writeln!(err, "::{level}::{}", escape_data(&message))
    } else {
        writeln!(err, "{level}: {}", one_line(&message))
    };
}

/// Control characters made visible (`\n`, `\u{1b}`), so that text is one line that cannot
/// drive the terminal.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Replaces the user and password of every `scheme://user:password@host` in `text` with `***`:
/// the one rule for printing a URL that may carry credentials.
pub fn redact_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '`' | '\'' | '"' | '<' | '>' | ')')
                    || c.is_whitespace()
            })
            .unwrap_or(after.len());
        match after[..authority_end].rfind('@') {
            Some(user_end) => {
                out.push_str("***");
                rest = &after[user_end..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// What went wrong with a file, in words (`std::io::ErrorKind`'s "entity not found" and
/// "invalid data" name nothing a user recognises).
pub fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or folder".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::InvalidData => "it is not UTF-8 text".into(),
        ErrorKind::IsADirectory => "it is a folder, not a file".into(),
        ErrorKind::NotADirectory => "a part of the path is a file, not a folder".into(),
        ErrorKind::AlreadyExists => "it already exists".into(),
        ErrorKind::StorageFull => "the disk is full".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        _ => {
            // The OS's words without the "(os error N)" suffix.
            let text = error.to_string();
            match text.rfind(" (os error ") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

/// A clap usage error (several lines: the error, a tip, the usage, a pointer to --help) as one
/// line.
pub fn one_line_usage(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut usage = None;
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage:") {
            usage = Some(u.trim().to_string());
        } else if line.starts_with("For more information") {
        } else if line.starts_with("tip:") {
            parts.push(format!("({line})"));
        } else {
            parts.push(
                line.strip_prefix("error:")
                    .unwrap_or(line)
                    .trim()
                    .to_string(),
            );
        }
    }
    let mut text = parts.join(" ");
    match usage {
        Some(usage) => text.push_str(&format!("; usage: {usage} (see --help)")),
        None => text.push_str(" (see --help)"),
    }
    text
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

/// Ends a binary whose arguments did not parse: `--help` and `--version` (`is_error` false) are
/// printed as they are, with exit 0; a usage error becomes one `error:` line and exit 2.
pub fn usage_failure(is_error: bool, rendered: &str) -> std::process::ExitCode {
    if is_error {
        finish(Err((exit::USAGE, one_line_usage(rendered))))
    } else {
        match print_stdout(rendered) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(_) => std::process::ExitCode::from(exit::FAILURE),
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

/// Now, in seconds since the epoch, or `SOURCE_DATE_EPOCH` when set (reproducible output). A
/// value that is not a whole number of seconds is an error, not silently "now".
pub fn now_or_source_date_epoch() -> Result<i64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) if !value.trim().is_empty() => value.trim().parse::<i64>().map_err(|_| {
            format!(
                "SOURCE_DATE_EPOCH is `{}`, not a number of seconds since 1970-01-01 (such as 1700000000); fix it or unset it",
                one_line(&value)
            )
        }),
        _ => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
    }
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
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot write to {variable} ({}): {}",
                    std::path::Path::new(&path).display(),
                    io_reason(&e)
                ),
            )
        })
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
    fn messages_are_one_line_that_cannot_drive_the_terminal() {
        assert_eq!(
            super::one_line("/tmp/a\nb\t\u{1b}[2J"),
            "/tmp/a\\nb\\t\\u{1b}[2J"
        );
        assert_eq!(super::one_line("plain → text"), "plain → text");
    }

    #[test]
    fn url_credentials_are_redacted_wherever_they_appear() {
        assert_eq!(
            super::redact_url_credentials(
                "GITHUB_API_URL `http://u:pass@host/api` and https://tok@ghe.example/x, not a@b.c"
            ),
            "GITHUB_API_URL `http://***@host/api` and https://***@ghe.example/x, not a@b.c"
        );
        assert_eq!(
            super::redact_url_credentials("https://github.com/o/r/issues?q=@me"),
            "https://github.com/o/r/issues?q=@me"
        );
    }

    #[test]
    fn clap_errors_become_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  --to <DST>\n\nUsage: promote-branch --from <SRC> --to <DST>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            super::one_line_usage(rendered),
            "the following required arguments were not provided: --to <DST>; usage: promote-branch --from <SRC> --to <DST> (see --help)"
        );
    }

    #[test]
    fn io_errors_are_described_in_words() {
        use std::io::{Error, ErrorKind};
        assert_eq!(
            super::io_reason(&Error::from(ErrorKind::NotFound)),
            "no such file or folder"
        );
        assert_eq!(
            super::io_reason(&Error::from(ErrorKind::InvalidData)),
            "it is not UTF-8 text"
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        /// Whatever a value holds (lines like `x=y`, `name<<EOF`, the delimiter's own shape), the
        /// runner reads back exactly the outputs that were set, with their values.
        #[test]
        fn no_value_can_add_or_end_an_output(
            values in proptest::collection::vec(
                "(ghadelimiter_[0-9a-f]{0,8}|x=y|y<<EOF|EOF|::set-output name=x::y|\\n|\\r|\\PC){0,12}",
                1..4,
            )
        ) {
            let mut outputs = super::Outputs::default();
            for (i, value) in values.iter().enumerate() {
                outputs.set(&format!("out{i}"), value.clone());
            }
            let read = runner_reads(&outputs.render());
            let wanted: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("out{i}"), v.clone()))
                .collect();
            proptest::prop_assert_eq!(read, wanted);
        }

        /// Annotation data and messages stay on one line and cannot drive the terminal.
        #[test]
        fn messages_stay_one_line(text in "\\PC{0,40}|[\\x00-\\x1f%:]{0,20}") {
            proptest::prop_assert!(!super::escape_data(&text).contains(['\n', '\r']));
            proptest::prop_assert!(!super::one_line(&text).chars().any(char::is_control));
        }
    }

    /// `$GITHUB_OUTPUT` as the runner reads it: lines split on `\n`; `name<<DELIMITER` takes the
    /// lines up to one equal to the delimiter (joined by `\n`); else `name=value`.
    fn runner_reads(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = text.split('\n');
        while let Some(line) = lines.next() {
            if line.is_empty() {
                continue;
            }
            let heredoc = line.find("<<");
            let equals = line.find('=');
            match (heredoc, equals) {
                (Some(h), e) if e.is_none_or(|e| h < e) => {
                    let delimiter = &line[h + 2..];
                    let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                    out.push((line[..h].to_string(), value.join("\n")));
                }
                (_, Some(e)) => out.push((line[..e].to_string(), line[e + 1..].to_string())),
                _ => out.push(("?".into(), line.to_string())),
            }
        }
        out
    }
}
