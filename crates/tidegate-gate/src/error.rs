use thiserror::Error;

/// Everything that stops a gate from being evaluated. Each message is one line that says what is
/// wrong and what to do; the binary exits 2 on any of them.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum GateError {
    #[error("tidegate.toml is not valid TOML (line {line}): {message}; fix the file")]
    Toml { line: usize, message: String },
    #[error("gate `{gate}`: {message}; fix [gates.{gate}] in tidegate.toml")]
    Policy { gate: String, message: String },
    #[error("tidegate.toml has no gate `{gate}`; its gates: {known}")]
    UnknownGate { gate: String, known: String },
    #[error("cannot read team {team} ({why}): use an App token with members: read")]
    TeamUnreadable { team: String, why: String },
    #[error("the facts are malformed: {0}; gather them again")]
    Facts(String),
    #[error("the record is malformed: {0}; pass the file `gate-check --json` wrote")]
    Record(String),
    #[error(
        "replaying the record gives {replayed} where it recorded {recorded}: the record was \
         changed or was written by another version; compare with --at"
    )]
    ReplayDiffers { recorded: String, replayed: String },
}

impl GateError {
    pub(crate) fn policy(gate: &str, message: impl Into<String>) -> Self {
        GateError::Policy {
            gate: gate.to_string(),
            message: message.into(),
        }
    }
}
