//! The `[river]` table of `tidegate.toml`: the chain of branches a change flows down (stream →
//! lake), the environments it is deployed to, and an optional hop into another repository
//! (ocean). Read by `where`; `bump`, `changelog` and the others accept it and leave it be.

use schemars::JsonSchema;
use serde::Deserialize;

/// `[river]` as written.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RiverOptions {
    /// The chain of branches, upstream first (`["main", "stable", "rhoai"]`): each hop goes
    /// from one branch to the next.
    pub branches: Option<Vec<String>>,
    /// Deployment environments, in promotion order (`["staging", "production"]`).
    pub environments: Option<Vec<String>>,
    /// A hop into another repository, fed from the last branch of the chain.
    pub downstream: Option<DownstreamOptions>,
}

/// `[river.downstream]` as written.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DownstreamOptions {
    /// The repository, `OWNER/NAME`.
    pub repo: String,
    /// Its branch the chain feeds (default "main").
    pub branch: Option<String>,
    /// A remote of the checkout that holds the downstream repository, read instead of the API.
    pub remote: Option<String>,
}

/// The settled river.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct River {
    pub branches: Vec<String>,
    pub environments: Vec<String>,
    pub downstream: Option<Downstream>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downstream {
    pub owner: String,
    pub name: String,
    pub branch: String,
    pub remote: Option<String>,
}

impl Downstream {
    /// `OWNER/NAME`.
    pub fn repo(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// The river when none is configured: `main` alone, no environment, no downstream.
impl Default for River {
    fn default() -> Self {
        Self {
            branches: vec!["main".into()],
            environments: Vec::new(),
            downstream: None,
        }
    }
}

impl River {
    /// Checks `[river]`: a chain of at least one branch, none twice (a cycle), environments
    /// named once, a downstream repository written `OWNER/NAME`. The message says what to fix.
    pub fn settle(options: &RiverOptions) -> Result<Self, String> {
        let branches = options.branches.clone().unwrap_or_default();
        if branches.is_empty() {
            return Err(
                "`river.branches` is empty: list the chain, upstream first, such as [\"main\", \"stable\"]"
                    .into(),
            );
        }
        if let Some(bad) = branches.iter().find(|b| !is_branch_name(b)) {
            return Err(format!(
                "`river.branches` holds `{}`, which is not a branch name",
                bad.escape_debug()
            ));
        }
        if let Some(twice) = first_repeated(&branches) {
            return Err(format!(
                "`river.branches` names `{twice}` twice, which would make the chain a cycle; list each branch once, upstream first"
            ));
        }
        let environments = options.environments.clone().unwrap_or_default();
        if let Some(bad) = environments.iter().find(|e| e.trim().is_empty()) {
            return Err(format!(
                "`river.environments` holds an empty name (`{bad}`); name each environment"
            ));
        }
        if let Some(twice) = first_repeated(&environments) {
            return Err(format!(
                "`river.environments` names `{twice}` twice; list each environment once, in promotion order"
            ));
        }
        let downstream = match &options.downstream {
            None => None,
            Some(d) => {
                let (owner, name) = repo_name(&d.repo).ok_or_else(|| {
                    format!(
                        "`river.downstream.repo` is `{}`: write it as OWNER/NAME (for example ocean-org/widgets-downstream)",
                        &d.repo.escape_debug()
                    )
                })?;
                let branch = d.branch.clone().unwrap_or_else(|| "main".into());
                if !is_branch_name(&branch) {
                    return Err(format!(
                        "`river.downstream.branch` is `{}`, which is not a branch name",
                        &branch.escape_debug()
                    ));
                }
                Some(Downstream {
                    owner,
                    name,
                    branch,
                    remote: d.remote.clone().filter(|r| !r.trim().is_empty()),
                })
            }
        };
        Ok(Self {
            branches,
            environments,
            downstream,
        })
    }
}

fn first_repeated(names: &[String]) -> Option<&str> {
    names
        .iter()
        .enumerate()
        .find(|(i, n)| names[..*i].contains(n))
        .map(|(_, n)| n.as_str())
}

/// A plausible git branch name (git's own rules, the ones a typo breaks).
fn is_branch_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '/'])
        && !name.ends_with(['/', '.'])
        && !name.contains("..")
        && !name.contains("//")
        && !name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
}

/// `OWNER/NAME` split, when both halves are names GitHub allows.
fn repo_name(text: &str) -> Option<(String, String)> {
    let valid = |part: &str| {
        !part.is_empty()
            && !part.chars().all(|c| c == '.')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let (owner, name) = text.trim().split_once('/')?;
    (valid(owner) && valid(name)).then(|| (owner.to_string(), name.to_string()))
}
