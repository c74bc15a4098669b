//! Each release process of `examples/`, end to end against the fake GitHub, healthy and under
//! faults.

// A scenario's lookups (the release of a tag, a branch's tip) are assertions: failing, they say
// what was missing and the test stops there.
#![allow(clippy::panic, clippy::unwrap_used)]

mod approval_matrix;
mod candidates;
mod pinning;
mod release_lines;
mod release_pr;
mod stream_lake_ocean;
