//! The `deploy` binary, run as a workflow runs it, against the fake GitHub with real tags,
//! releases and workflow files.

mod concurrency;
mod deploy;
mod faults;
mod refusals;
mod robust;
mod schema;
mod support;
