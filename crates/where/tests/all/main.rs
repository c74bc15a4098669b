//! The `where` binary, run as a user runs it: on real git histories alone, and with a token
//! against the fake GitHub.

mod concurrency;
mod injection;
mod notify;
mod offline;
mod refusals;
mod river;
mod robust;
mod support;
mod with_github;
