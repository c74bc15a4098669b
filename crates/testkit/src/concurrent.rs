//! Concurrent runs of a binary: every process started before any is waited for, as eight
//! workflow runs triggered together would be.

use crate::Run;
use std::process::{Command, Stdio};

/// Spawns every command (stdout and stderr captured), then waits for all of them.
pub fn at_once(commands: impl IntoIterator<Item = Command>) -> Vec<Run> {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut cmd| {
            cmd.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the binary starts")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("the binary ends");
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
        })
        .collect()
}

/// Asserts every run exited 0, showing the first failure's streams.
pub fn all_succeeded(runs: &[Run]) {
    for (i, run) in runs.iter().enumerate() {
        assert_eq!(
            run.code,
            0,
            "run {i} of {}: stdout: {}\nstderr: {}",
            runs.len(),
            run.stdout,
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}
