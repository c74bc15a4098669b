//! An environment's history, read from its deployments: what is live, what to roll back to, and
//! the table and JSON of `--list`.

use serde_json::{Value, json};
use tidegate_actions::one_line;
use tidegate_github::deployments::HistoryEntry;

/// One deployment as people read it.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: u64,
    pub version: String,
    pub sha: String,
    pub when: String,
    pub who: String,
    /// The latest status (`none` without one).
    pub status: String,
    pub succeeded: bool,
    pub rollback_of: Option<String>,
    pub reason: Option<String>,
    pub log_url: Option<String>,
    /// The deploy workflow it was started with (a rollback's default).
    pub workflow: Option<String>,
}

fn payload_text(payload: &Value, key: &str) -> Option<String> {
    payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Row {
    pub fn of(entry: &HistoryEntry) -> Self {
        Self {
            id: entry.id,
            // Deployments made by other tools carry no version: their ref is the version.
            version: payload_text(&entry.payload, "version")
                .unwrap_or_else(|| entry.git_ref.clone()),
            sha: entry.sha.clone(),
            when: entry.created_at.clone(),
            who: payload_text(&entry.payload, "actor").unwrap_or_else(|| entry.creator.clone()),
            status: entry.latest.clone().unwrap_or_else(|| "none".to_string()),
            succeeded: entry.succeeded,
            rollback_of: payload_text(&entry.payload, "rollback_of"),
            reason: payload_text(&entry.payload, "reason"),
            log_url: entry.log_url.clone(),
            workflow: payload_text(&entry.payload, "workflow"),
        }
    }

    /// Final states take no further status from `deploy --status` without an id.
    pub fn is_final(&self) -> bool {
        matches!(
            self.status.as_str(),
            "success" | "failure" | "error" | "inactive"
        )
    }

    pub fn json(&self) -> Value {
        json!({
            "deployment_id": self.id,
            "version": self.version,
            "sha": self.sha,
            "created_at": self.when,
            "actor": self.who,
            "status": self.status,
            "succeeded": self.succeeded,
            "rollback_of": self.rollback_of,
            "reason": self.reason,
            "log_url": self.log_url,
            "workflow": self.workflow,
        })
    }
}

/// The live deployment: the newest whose latest status is `success`.
pub fn live(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| r.status == "success")
}

/// The default rollback target: the newest version older than the live deployment that once
/// succeeded in the environment and differs from the live version.
pub fn previous<'a>(rows: &'a [Row], live: &Row) -> Option<&'a Row> {
    rows.iter()
        .skip_while(|r| r.id != live.id)
        .skip(1)
        .find(|r| r.succeeded && r.version != live.version)
}

/// The history as a table, newest first.
pub fn table(environment: &str, rows: &[Row]) -> String {
    if rows.is_empty() {
        return format!("No deployments to {}.\n", one_line(environment));
    }
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let note = match (&r.rollback_of, &r.reason) {
                (Some(from), Some(reason)) => format!("rollback of {from}: {reason}"),
                (Some(from), None) => format!("rollback of {from}"),
                (None, Some(reason)) => reason.clone(),
                (None, None) => String::new(),
            };
            [
                r.version.clone(),
                r.when.clone(),
                r.who.clone(),
                r.status.clone(),
                note,
            ]
            .map(|c| one_line(&c))
        })
        .collect();
    let header = ["VERSION", "WHEN", "WHO", "STATUS", "NOTE"];
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |c: &[String]| {
        let mut out: String = c
            .iter()
            .zip(&widths)
            .map(|(text, w)| format!("{text:<w$}  "))
            .collect();
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    };
    let mut out = line(&header.map(str::to_string));
    for c in &cells {
        out.push_str(&line(c));
    }
    out
}
