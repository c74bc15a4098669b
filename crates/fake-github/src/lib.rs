//! A stateful, in-process fake of GitHub's REST API for tests (never shipped).
//!
//! [`FakeGitHub::start`] serves on `127.0.0.1` under a GitHub Enterprise–style base
//! (`http://127.0.0.1:PORT/api/v3`), which the project's binaries reach through `GITHUB_API_URL`.
//! Repositories are real bare git repositories: branches, commits, comparisons and merges come from
//! git; pull requests, issues, labels, comments, reviews, check runs, statuses and releases live in
//! memory. Every request is checked against GitHub's own OpenAPI description (see [`contract`]):
//! requests that match no documented operation, or whose query or body do not fit its schema, are
//! reported by [`FakeGitHub::contract_violations`].
//!
//! ```no_run
//! let gh = fake_github::FakeGitHub::start();
//! let bare_repo = gh.create_repo("acme", "widgets");
//! gh.commit_file("acme", "widgets", "main", "README.md", "# Widgets\n", "chore: start");
//! // Run the code under test with GITHUB_API_URL = gh.api_url() and the token gh.token().
//! assert!(gh.contract_violations().is_empty());
//! # let _ = bare_repo;
//! ```

#![recursion_limit = "512"]

pub mod contract;
mod fake;
mod faults;
mod git;
mod json;
mod latest;
mod reply;
mod routes;
mod rules;
mod server;
mod state;
mod util;

pub use contract::{validate_response, validate_response_for_path};
pub use fake::{DEFAULT_ACTOR, DEFAULT_APP, FakeGitHub};
pub use faults::Faults;
pub use state::{Asset, Comment, Dispatch, Pull, Release, TokenPerms};
pub use state::{Deployment, DeploymentStatus};
