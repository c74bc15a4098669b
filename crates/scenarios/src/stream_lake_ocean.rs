//! The ocean of stream → lake → ocean: a second repository on the same fake GitHub, fed from
//! the scenario's repository by `promote-branch --to-repo`, with workflows of its own.

use super::{APP_TOKEN, Scenario, normalize};
use action_runner::WorkflowRunner;
use fake_github::TokenPerms;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The downstream repository's own GITHUB_TOKENs: they reach it alone, as GitHub's do.
const OCEAN_READ_TOKEN: &str = "ghs_scenarioOceanReadOnlyJobToken00004";
const OCEAN_WRITE_TOKEN: &str = "ghs_scenarioOceanWritingJobToken000005";

/// A repository downstream of the scenario's one.
pub struct Downstream {
    pub owner: String,
    pub name: String,
    /// The fake's bare repository.
    pub bare: PathBuf,
}

impl Downstream {
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

impl Scenario {
    /// Creates `owner/name` on this scenario's fake GitHub. The App token (one App installed on
    /// both repositories) reaches it; its workflows' GITHUB_TOKENs reach only it, and are
    /// scanned for like the others.
    pub fn add_downstream(&mut self, repository: &str) -> Downstream {
        let (owner, name) = repository.split_once('/').expect("OWNER/NAME");
        let bare = self.fake.create_repo(owner, name);
        let app = TokenPerms {
            write: true,
            workflows: true,
            ..TokenPerms::default()
        };
        self.fake
            .add_token(APP_TOKEN, &[&self.repository(), repository], app);
        for (token, write) in [(OCEAN_READ_TOKEN, false), (OCEAN_WRITE_TOKEN, true)] {
            let perms = TokenPerms {
                write,
                ..TokenPerms::default()
            };
            self.fake.add_token(token, &[repository], perms);
        }
        self.secret("SCANNED_OCEAN_READ", OCEAN_READ_TOKEN);
        self.secret("SCANNED_OCEAN_WRITE", OCEAN_WRITE_TOKEN);
        Downstream {
            owner: owner.into(),
            name: name.into(),
            bare,
        }
    }

    /// A run of `examples/<process>/FILE` in the downstream repository, its jobs' tokens minted
    /// from `permissions:` there; `github.ref` is its `main`.
    pub fn downstream_workflow(
        &self,
        ocean: &Downstream,
        file: &str,
        event: &str,
        payload: Value,
    ) -> WorkflowRunner {
        let main = self
            .fake
            .branch_sha(&ocean.owner, &ocean.name, "main")
            .unwrap_or_default();
        self.workflow(file, event, payload)
            .repository(&ocean.repository())
            .at("refs/heads/main", &main)
            .tokens(|perms| {
                let writes = perms.values().any(|level| level == "write");
                if writes {
                    OCEAN_WRITE_TOKEN
                } else {
                    OCEAN_READ_TOKEN
                }
                .to_string()
            })
    }

    /// The pull requests of `owner/name`, each with the check runs on its head (name, status,
    /// conclusion), and its branches; normalized as [`Scenario::snapshot`] is.
    pub fn pulls_and_checks(&self, owner: &str, name: &str, bare: &std::path::Path) -> Value {
        let pulls: Vec<Value> = self
            .fake
            .pulls(owner, name)
            .iter()
            .map(|p| {
                let checks: Vec<Value> = self
                    .fake
                    .check_runs_on(owner, name, &p.head_sha)
                    .into_iter()
                    .map(|(check, status, conclusion, _)| json!([check, status, conclusion]))
                    .collect();
                json!({"number": p.number, "state": p.state, "merged": p.merged,
                       "title": normalize(&p.title), "body": p.body.as_deref().map(normalize),
                       "head": p.head_ref, "base": p.base_ref, "labels": p.labels,
                       "checks": checks})
            })
            .collect();
        json!({"pulls": pulls, "branches": super::branches(bare)})
    }
}
