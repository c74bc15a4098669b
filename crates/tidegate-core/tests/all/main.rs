//! Tests of the pure release logic, one binary for the crate.

mod changelog;
mod classify;
mod config;
mod promotion;
mod properties;
mod robust;
mod version_rules;
mod versionfile;

use tidegate_core::commit::{Change, CommitInfo};

/// Classifies one message as a commit with a fixed id.
pub fn changes(message: &str) -> Vec<Change> {
    let commit = CommitInfo {
        id: "0123456789abcdef0123456789abcdef01234567".into(),
        message: message.into(),
        author: "Ada".into(),
        time: 0,
        merged_pr: None,
    };
    tidegate_core::commit::classify(&commit, tidegate_core::commit::DEFAULT_TYPES).changes
}
