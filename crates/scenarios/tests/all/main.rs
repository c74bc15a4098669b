//! Each release process of `examples/`, end to end against the fake GitHub, healthy and under
//! faults.
mod release_pr;
