//! Tidegate's pure release logic: commit messages, tags, versions and configuration in; versions,
//! release notes and plans out. No I/O happens here.

pub mod changelog;
pub mod commit;
pub mod config;
pub mod conventional;
pub mod links;
pub mod markdown;
pub mod plan;
pub mod promotion;
pub mod release;
pub mod tag;
pub mod template;
pub mod version;
pub mod versionfile;

/// A request that cannot be carried out as asked: the user must change the arguments.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
