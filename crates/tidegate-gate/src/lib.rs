//! Gates in front of a promotion or release: policies read from `tidegate.toml`, evaluated
//! against facts read from GitHub at a given time, reported, and recorded so that the verdict can
//! be recomputed later from the record alone.
//!
//! Pure: no network, no git, no clock. The time is an argument.

pub mod error;
pub mod eval;
pub mod facts;
pub mod freeze;
pub mod policy;
pub mod record;
pub mod report;
mod rules;

pub use error::GateError;
pub use eval::{Outcome, RuleResult, Verdict, evaluate};
pub use facts::Facts;
pub use policy::Policy;
pub use record::{Record, replay};
