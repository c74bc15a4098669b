//! The `gate-check` binary, run as a workflow runs it, against the fake GitHub and real git
//! histories.

mod concurrency;
mod gates;
mod robust;
