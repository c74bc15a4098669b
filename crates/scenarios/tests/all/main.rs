//! Each release process of `examples/`, end to end against the fake GitHub, healthy and under
//! faults.

mod approval_matrix;
mod candidates;
mod pinning;
mod release_lines;
mod stream_lake_ocean;
