//! The composite actions in `actions/`, run step by step as a runner runs them: promote-branch
//! and release against the fake GitHub, changelog and bump on real repositories, and the installer against a
//! local server holding a release's archives and SHA256SUMS.

mod backport;
mod deploy;
mod gate_check;
mod install;
mod promote;
mod release_action;
mod release_actions;
mod release_line;
mod sync;
mod where_action;
mod workflows;

use action_runner::{Run, Runner, built_binaries, workspace_root};
use std::path::PathBuf;

/// `actions/NAME` in this workspace.
pub fn action(name: &str) -> PathBuf {
    workspace_root().join("actions").join(name)
}

/// A runner whose installer uses the binaries this test run built.
pub fn local_runner(name: &str) -> Runner {
    Runner::new(action(name)).env("TIDEGATE_BIN_DIR", built_binaries())
}

/// Asserts the run succeeded, showing its log otherwise.
pub fn succeeded(run: &Run) {
    assert!(
        run.failed.is_none(),
        "failed: {:?}\n{}",
        run.failed,
        run.log
    );
}

/// Asserts the run stopped at `step` with exit `code` and one `::error::` line, with no panic or
/// backtrace; returns that line.
pub fn failed_with(run: &Run, step: &str, code: i32) -> String {
    assert_eq!(run.failed, Some((step.to_string(), code)), "{}", run.log);
    let errors: Vec<&str> = run
        .log
        .lines()
        .filter(|l| l.starts_with("::error::"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.log);
    assert!(!run.log.contains("panicked") && !run.log.contains("stack backtrace"));
    errors[0].to_string()
}

/// Asserts the token appears nowhere in what the steps printed, but in the `::add-mask::`
/// command that tells the runner to hide it.
pub fn token_stays_hidden(run: &Run, token: &str) {
    for line in run.raw_log.lines() {
        assert!(
            !line.contains(token) || line == format!("::add-mask::{token}"),
            "the token reached the log: {line}"
        );
    }
    assert!(
        !run.summary.contains(token),
        "the token reached the summary"
    );
    for value in run.outputs.values() {
        assert!(!value.contains(token), "the token reached an output");
    }
}
