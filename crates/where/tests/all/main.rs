//! The `where` binary, run as a user runs it: on real git histories alone, and with a token
//! against the fake GitHub.

mod notify;
mod offline;
mod refusals;
mod robust;
mod injection;
mod river;
mod support;
mod with_github;
