//! Runs a workflow's jobs the way GitHub would for one event, so scenario tests can hold the
//! example workflows to what they do: jobs in `needs` order with their `if:`, each step's `if:`,
//! `env:` (workflow, job, step), `with:` and `working-directory`, `run:` steps under bash, the
//! project's own actions (`./actions/NAME`, `tidegate/tidegate/actions/NAME@REF`) through
//! [`Runner`], reusable workflows (`jobs.X.uses`), job outputs and `needs`, `secrets`, `vars`,
//! and the handful of third-party actions the examples use: `actions/checkout` (a real clone over
//! HTTP from the fake GitHub), `actions/create-github-app-token` (the token the test hands out),
//! `actions/upload-artifact` / `download-artifact` (a folder per run) and `actions/cache`
//! (always a miss). Any other action, or syntax the harness does not know, is an error.
//!
//! Each job gets the token [`WorkflowRunner::tokens`] mints for its `permissions:`, so a job
//! asking for too little fails as it would on GitHub. A job with an `environment:` runs only
//! once the test approved that environment ([`WorkflowRunner::approve_environment`]): a
//! protected environment's required reviewers.

use crate::expr::{self, Context};
use crate::{Runner, StepFiles, mask_all, pairs, path_text, read, scalar};
use saphyr::{LoadableYamlNode, Yaml};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A workflow file, as far as the harness runs it.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub name: String,
    pub path: PathBuf,
    /// The events in `on:`.
    pub triggers: Vec<String>,
    /// `on.workflow_dispatch.inputs` and `on.workflow_call.inputs`: name and default.
    pub inputs: Vec<(String, Option<String>)>,
    /// `on.workflow_call.outputs`: name and `value:` expression.
    pub call_outputs: Vec<(String, String)>,
    /// `on.schedule[*].cron`.
    pub crons: Vec<String>,
    /// Per event, its `types:` and `branches:` filters (empty: any).
    pub filters: BTreeMap<String, (Vec<String>, Vec<String>)>,
    pub env: Vec<(String, String)>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, Default)]
pub struct Job {
    pub id: String,
    pub needs: Vec<String>,
    pub condition: Option<String>,
    /// `permissions:` scope → `read`/`write`/`none`; `None` when the job sets none (the
    /// workflow's apply).
    pub permissions: Option<BTreeMap<String, String>>,
    pub environment: Option<String>,
    pub env: Vec<(String, String)>,
    pub working_directory: Option<String>,
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<WorkflowStep>,
    /// A reusable workflow called in place of steps, with its `with:` and `secrets:`.
    pub uses: Option<String>,
    pub with: Vec<(String, String)>,
    pub secrets: Option<Vec<(String, String)>>,
    pub secrets_inherit: bool,
}

#[derive(Debug, Clone, Default)]
pub struct WorkflowStep {
    pub id: Option<String>,
    pub name: Option<String>,
    pub condition: Option<String>,
    pub run: Option<String>,
    pub uses: Option<String>,
    pub with: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    pub working_directory: Option<String>,
    pub shell: Option<String>,
    pub continue_on_error: bool,
}

/// The node at `path` under `node`; `None` where a key is missing (saphyr's `[]` panics).
fn at<'a, 'b>(node: &'a Yaml<'b>, path: &[&str]) -> Option<&'a Yaml<'b>> {
    path.iter().try_fold(node, |n, key| n.as_mapping_get(key))
}

fn permissions(node: &Yaml<'_>) -> Option<BTreeMap<String, String>> {
    if node.is_badvalue() || node.is_null() {
        return None;
    }
    if let Some(all) = node.as_str() {
        // `read-all` / `write-all`: every scope.
        let level = all.trim_end_matches("-all").to_string();
        return Some(BTreeMap::from([("*".to_string(), level)]));
    }
    Some(pairs(node).into_iter().collect())
}

impl Workflow {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let docs = Yaml::load_from_str(&text)
            .map_err(|e| format!("{} is not YAML: {e}", path.display()))?;
        let doc = docs.first().ok_or("empty workflow")?;
        let on = at(doc, &["on"]).ok_or("a workflow without on:")?;
        let triggers: Vec<String> = if let Some(one) = on.as_str() {
            vec![one.to_string()]
        } else if let Some(list) = on.as_sequence() {
            list.iter().filter_map(scalar).collect()
        } else {
            on.as_mapping()
                .map(|m| m.keys().filter_map(scalar).collect())
                .unwrap_or_default()
        };
        let mut inputs = Vec::new();
        for event in ["workflow_dispatch", "workflow_call"] {
            if let Some(m) = at(on, &[event, "inputs"]).and_then(Yaml::as_mapping) {
                for (name, spec) in m {
                    let default = spec.as_mapping_get("default").and_then(scalar);
                    inputs.push((scalar(name).unwrap_or_default(), default));
                }
            }
        }
        let call_outputs = at(on, &["workflow_call", "outputs"])
            .and_then(Yaml::as_mapping)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        Some((scalar(k)?, v.as_mapping_get("value").and_then(scalar)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let crons = at(on, &["schedule"])
            .and_then(Yaml::as_sequence)
            .map(|l| {
                l.iter()
                    .filter_map(|s| s.as_mapping_get("cron").and_then(scalar))
                    .collect()
            })
            .unwrap_or_default();
        let list = |node: Option<&Yaml<'_>>| -> Vec<String> {
            node.and_then(Yaml::as_sequence)
                .map(|l| l.iter().filter_map(scalar).collect())
                .unwrap_or_default()
        };
        let filters = triggers
            .iter()
            .map(|event| {
                let types = list(at(on, &[event, "types"]));
                let branches = list(at(on, &[event, "branches"]));
                (event.clone(), (types, branches))
            })
            .collect();
        let workflow_permissions = at(doc, &["permissions"]).and_then(permissions);
        let mut jobs = Vec::new();
        for (id, spec) in at(doc, &["jobs"])
            .and_then(Yaml::as_mapping)
            .ok_or("a workflow without jobs")?
        {
            let id = scalar(id).ok_or("a job id that is not text")?;
            let get = |key: &str| spec.as_mapping_get(key);
            let text = |key: &str| get(key).and_then(scalar);
            let needs = match get("needs") {
                Some(n) if n.as_sequence().is_some() => n
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(scalar)
                    .collect(),
                Some(n) => scalar(n).into_iter().collect(),
                None => Vec::new(),
            };
            let environment = get("environment")
                .and_then(|e| scalar(e).or_else(|| e.as_mapping_get("name").and_then(scalar)));
            let steps = get("steps")
                .and_then(Yaml::as_sequence)
                .map(|list| list.iter().map(step).collect())
                .unwrap_or_default();
            let secrets = get("secrets");
            jobs.push(Job {
                needs,
                condition: text("if"),
                permissions: get("permissions")
                    .and_then(permissions)
                    .or_else(|| workflow_permissions.clone()),
                environment,
                env: get("env").map(pairs).unwrap_or_default(),
                working_directory: get("defaults")
                    .and_then(|d| at(d, &["run", "working-directory"]))
                    .and_then(scalar),
                outputs: get("outputs").map(pairs).unwrap_or_default(),
                steps,
                uses: text("uses"),
                with: get("with").map(pairs).unwrap_or_default(),
                secrets_inherit: secrets.and_then(Yaml::as_str) == Some("inherit"),
                secrets: secrets.filter(|s| s.as_mapping().is_some()).map(pairs),
                id,
            });
        }
        Ok(Self {
            name: at(doc, &["name"]).and_then(scalar).unwrap_or_default(),
            path: path.to_path_buf(),
            triggers,
            inputs,
            call_outputs,
            crons,
            filters,
            env: at(doc, &["env"]).map(pairs).unwrap_or_default(),
            jobs,
        })
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}

fn step(node: &Yaml<'_>) -> WorkflowStep {
    let text = |key: &str| node.as_mapping_get(key).and_then(scalar);
    WorkflowStep {
        id: text("id"),
        name: text("name"),
        condition: text("if"),
        run: text("run"),
        uses: text("uses"),
        with: node.as_mapping_get("with").map(pairs).unwrap_or_default(),
        env: node.as_mapping_get("env").map(pairs).unwrap_or_default(),
        working_directory: text("working-directory"),
        shell: text("shell"),
        continue_on_error: text("continue-on-error").as_deref() == Some("true"),
    }
}

/// One step's record.
#[derive(Debug, Clone)]
pub struct StepRun {
    /// The step's id, else its name, else what it uses or `run #N`.
    pub label: String,
    /// `success`, `failure` or `skipped`.
    pub outcome: String,
    pub outputs: BTreeMap<String, String>,
}

/// What one job did.
#[derive(Debug, Clone, Default)]
pub struct JobRun {
    /// `success`, `failure`, `skipped`, or `waiting` (its environment was not approved).
    pub result: String,
    pub outputs: BTreeMap<String, String>,
    pub steps: Vec<StepRun>,
    /// Everything the steps printed, unmasked, `::add-mask::` lines included.
    pub raw_log: String,
    /// The log as GitHub shows it: masked.
    pub log: String,
    pub summary: String,
    /// Every `$GITHUB_OUTPUT` and `$GITHUB_ENV` line the steps wrote.
    pub output_files: String,
    /// The token the job ran with (`github.token`).
    pub token: String,
    pub environment: Option<String>,
}

impl JobRun {
    pub fn step(&self, label: &str) -> Option<&StepRun> {
        self.steps.iter().find(|s| s.label == label)
    }

    /// All a reader of the run can see when nothing were masked: the log without the
    /// `::add-mask::` commands (which carry the secret on purpose), the summary, the outputs.
    /// A secret found here was printed by a step, not only masked by luck.
    pub fn exposed(&self) -> String {
        let log: Vec<&str> = self
            .raw_log
            .lines()
            .filter(|l| !l.starts_with("::add-mask::"))
            .collect();
        format!(
            "{}\n{}\n{}\n{}",
            log.join("\n"),
            self.summary,
            self.output_files,
            self.outputs
                .values()
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        )
    }

    /// The workflow commands (`::name …::`) the steps printed, in order.
    pub fn workflow_commands(&self) -> Vec<String> {
        self.raw_log
            .lines()
            .filter(|l| l.trim_start().starts_with("::"))
            .map(|l| l.trim_start().split("::").nth(1).unwrap_or("").to_string())
            .collect()
    }
}

/// A workflow's run for one event.
#[derive(Debug, Default)]
pub struct WorkflowRun {
    /// Jobs in the order they ran (skipped and waiting ones included); a reusable workflow's
    /// jobs appear as `CALLER/JOB`.
    pub jobs: Vec<(String, JobRun)>,
    /// A called workflow's `on.workflow_call.outputs`.
    pub outputs: BTreeMap<String, String>,
}

impl WorkflowRun {
    /// The job `id`; a test asking for a job that did not run fails there.
    #[allow(clippy::panic)]
    pub fn job(&self, id: &str) -> &JobRun {
        self.jobs
            .iter()
            .find(|(name, _)| name == id)
            .map(|(_, j)| j)
            .unwrap_or_else(|| panic!("no job `{id}` ran: {:?}", self.job_ids()))
    }

    pub fn job_ids(&self) -> Vec<&str> {
        self.jobs.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// No job failed (skipped and waiting ones are not failures).
    pub fn succeeded(&self) -> bool {
        self.jobs.iter().all(|(_, j)| j.result != "failure")
    }

    /// Each job's result, `job=result` joined by spaces, for assertion messages.
    pub fn summary(&self) -> String {
        self.jobs
            .iter()
            .map(|(n, j)| format!("{n}={}", j.result))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The failing jobs' logs (masked), for assertion messages.
    pub fn failure_logs(&self) -> String {
        self.jobs
            .iter()
            .filter(|(_, j)| j.result == "failure")
            .map(|(n, j)| format!("--- {n}\n{}", j.log))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// [`JobRun::exposed`] of every job.
    pub fn exposed(&self) -> String {
        self.jobs
            .iter()
            .map(|(_, j)| j.exposed())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

type TokenMinter = Box<dyn Fn(&BTreeMap<String, String>) -> String>;

/// A run of one workflow for one event. Build it, then [`WorkflowRunner::run`].
pub struct WorkflowRunner {
    workflow: PathBuf,
    event_name: String,
    payload: Value,
    repository: String,
    git_ref: String,
    sha: String,
    actor: String,
    inputs: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    git_url: Option<String>,
    tokens: Option<TokenMinter>,
    default_token: String,
    app_token: Option<String>,
    approved: Vec<String>,
    artifacts: tempfile::TempDir,
    /// Where uploads go instead of `artifacts`, when the test keeps them after the run.
    kept_artifacts: Option<PathBuf>,
}

impl WorkflowRunner {
    pub fn new(workflow: impl Into<PathBuf>) -> Self {
        Self {
            workflow: workflow.into(),
            event_name: "workflow_dispatch".into(),
            payload: json!({}),
            repository: "octo/demo".into(),
            git_ref: "refs/heads/main".into(),
            sha: String::new(),
            actor: "octocat".into(),
            inputs: BTreeMap::new(),
            secrets: BTreeMap::new(),
            vars: BTreeMap::new(),
            env: BTreeMap::new(),
            git_url: None,
            tokens: None,
            default_token: "ghs_notARealToken0123456789abcdefghijklmn".into(),
            app_token: None,
            approved: Vec::new(),
            artifacts: tempfile::Builder::new()
                .prefix("tidegate-artifacts")
                .tempdir()
                .expect("temp dir"),
            kept_artifacts: None,
        }
    }

    /// The event (`push`, `schedule`, `pull_request`, …) and its payload (`github.event`).
    pub fn event(mut self, name: &str, payload: Value) -> Self {
        self.event_name = name.into();
        self.payload = payload;
        self
    }

    pub fn repository(mut self, repository: &str) -> Self {
        self.repository = repository.into();
        self
    }

    /// `github.ref` (`refs/heads/main`, `refs/tags/v1.0.0`) and `github.sha`.
    pub fn at(mut self, git_ref: &str, sha: &str) -> Self {
        self.git_ref = git_ref.into();
        self.sha = sha.into();
        self
    }

    pub fn actor(mut self, actor: &str) -> Self {
        self.actor = actor.into();
        self
    }

    /// A `workflow_dispatch` input.
    pub fn input(mut self, name: &str, value: &str) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    pub fn secret(mut self, name: &str, value: &str) -> Self {
        self.secrets.insert(name.into(), value.into());
        self
    }

    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// An environment variable every step sees (`GITHUB_API_URL`, `TIDEGATE_BIN_DIR`, …).
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.env
            .insert(name.into(), value.as_ref().to_string_lossy().into_owned());
        self
    }

    /// Where `actions/checkout` clones from: `{repository}` is replaced by `OWNER/NAME`
    /// (`http://127.0.0.1:PORT/{repository}.git`).
    pub fn git_url(mut self, template: &str) -> Self {
        self.git_url = Some(template.into());
        self
    }

    /// Mints each job's `github.token` from its `permissions:`; without it every job gets the
    /// token of [`WorkflowRunner::token`].
    pub fn tokens(mut self, mint: impl Fn(&BTreeMap<String, String>) -> String + 'static) -> Self {
        self.tokens = Some(Box::new(mint));
        self
    }

    pub fn token(mut self, token: &str) -> Self {
        self.default_token = token.into();
        self
    }

    /// What `actions/create-github-app-token` hands out.
    pub fn app_token(mut self, token: &str) -> Self {
        self.app_token = Some(token.into());
        self
    }

    /// Uploads (`actions/upload-artifact`) go to `dir`, one folder per artifact name, and stay
    /// there after the run, so a test can read what a workflow kept (an audit record).
    pub fn keep_artifacts(mut self, dir: impl Into<PathBuf>) -> Self {
        self.kept_artifacts = Some(dir.into());
        self
    }

    fn artifacts_root(&self) -> &Path {
        self.kept_artifacts
            .as_deref()
            .unwrap_or_else(|| self.artifacts.path())
    }

    /// Lets jobs with `environment: NAME` run (its required reviewers approved).
    pub fn approve_environment(mut self, name: &str) -> Self {
        self.approved.push(name.into());
        self
    }

    /// Runs every job. `Err` is the harness's own trouble (a workflow it cannot read, an event
    /// the workflow does not listen to, syntax it does not know); a failing step is a job
    /// with result `failure`.
    pub fn run(&self) -> Result<WorkflowRun, String> {
        let workflow = Workflow::load(&self.workflow)?;
        if !workflow.triggers.contains(&self.event_name) {
            return Err(format!(
                "{} does not run on `{}` (on: {:?})",
                self.workflow.display(),
                self.event_name,
                workflow.triggers
            ));
        }
        self.check_filters(&workflow)?;
        for name in self.inputs.keys() {
            if !workflow.inputs.iter().any(|(n, _)| n == name) {
                return Err(format!("{} has no input `{name}`", self.workflow.display()));
            }
        }
        let inputs = workflow
            .inputs
            .iter()
            .map(|(name, default)| {
                let value = self.inputs.get(name).cloned().or(default.clone());
                (name.clone(), value.unwrap_or_default())
            })
            .collect();
        let mut run = WorkflowRun::default();
        self.run_jobs(&workflow, "", &inputs, &self.secrets, &mut run)?;
        Ok(run)
    }

    /// GitHub delivers the event only if its activity type is in `types:` and its branch (the
    /// pushed branch, a pull request's base) matches `branches:`; a test firing one it would not
    /// deliver is wrong, so it is refused. A payload without `action` is not checked for types.
    fn check_filters(&self, workflow: &Workflow) -> Result<(), String> {
        let Some((types, branches)) = workflow.filters.get(&self.event_name) else {
            return Ok(());
        };
        if let Some(action) = self.payload.get("action").and_then(Value::as_str) {
            if !types.is_empty() && !types.iter().any(|t| t == action) {
                return Err(format!(
                    "{} does not run on `{}` with action `{action}` (types: {types:?})",
                    self.workflow.display(),
                    self.event_name
                ));
            }
        }
        let branch = match self.event_name.as_str() {
            "push" => self.git_ref.strip_prefix("refs/heads/").map(str::to_string),
            "pull_request" | "pull_request_target" => self
                .payload
                .pointer("/pull_request/base/ref")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        };
        if let Some(branch) = branch {
            if !branches.is_empty() && !branches.iter().any(|g| glob_matches(g, &branch)) {
                return Err(format!(
                    "{} does not run on `{}` for branch `{branch}` (branches: {branches:?})",
                    self.workflow.display(),
                    self.event_name
                ));
            }
        }
        Ok(())
    }

    fn run_jobs(
        &self,
        workflow: &Workflow,
        prefix: &str,
        inputs: &BTreeMap<String, String>,
        secrets: &BTreeMap<String, String>,
        run: &mut WorkflowRun,
    ) -> Result<BTreeMap<String, String>, String> {
        let mut done: BTreeMap<String, JobRun> = BTreeMap::new();
        let mut pending: Vec<&Job> = workflow.jobs.iter().collect();
        while !pending.is_empty() {
            let ready = pending
                .iter()
                .position(|j| j.needs.iter().all(|n| done.contains_key(n)))
                .ok_or_else(|| {
                    format!(
                        "jobs with needs that never run: {:?}",
                        pending.iter().map(|j| &j.id).collect::<Vec<_>>()
                    )
                })?;
            let job = pending.remove(ready);
            let mut cx = self.context(workflow, inputs, secrets);
            let needs = cx.object("needs");
            for need in &job.needs {
                let j = &done[need];
                needs.insert(
                    need.clone(),
                    json!({"result": j.result, "outputs": j.outputs}),
                );
            }
            let result_of = |n: &String| done[n].result.as_str();
            cx.failed = job.needs.iter().any(|n| result_of(n) == "failure");
            cx.skipped = job
                .needs
                .iter()
                .any(|n| !["success", "failure"].contains(&result_of(n)));
            let wanted = match &job.condition {
                Some(c) => {
                    expr::evaluate_condition(c, &cx).map_err(|e| format!("job {}: {e}", job.id))?
                }
                None => !cx.failed && !cx.skipped,
            };
            // `environment: ${{ inputs.environment }}` names the environment at run time, as
            // GitHub evaluates it (one deploy workflow serving staging and production).
            let environment = job
                .environment
                .as_ref()
                .map(|e| expr::interpolate(e, &cx))
                .transpose()
                .map_err(|e| format!("job {} environment: {e}", job.id))?;
            let result = if !wanted {
                JobRun {
                    result: "skipped".into(),
                    ..JobRun::default()
                }
            } else if environment
                .as_ref()
                .is_some_and(|e| !self.approved.contains(e))
            {
                JobRun {
                    result: "waiting".into(),
                    environment,
                    ..JobRun::default()
                }
            } else if let Some(uses) = &job.uses {
                self.call(workflow, job, uses, &cx, secrets, prefix, run)?
            } else {
                let mut done = self.run_job(job, cx)?;
                done.environment = environment;
                done
            };
            run.jobs
                .push((format!("{prefix}{}", job.id), result.clone()));
            done.insert(job.id.clone(), result);
        }
        let mut cx = self.context(workflow, inputs, secrets);
        let jobs = cx.object("jobs");
        for (id, j) in &done {
            jobs.insert(
                id.clone(),
                json!({"result": j.result, "outputs": j.outputs}),
            );
        }
        workflow
            .call_outputs
            .iter()
            .map(|(name, value)| Ok((name.clone(), expr::interpolate(value, &cx)?)))
            .collect()
    }

    /// A job that calls a reusable workflow: `./.github/workflows/F` is read next to the
    /// calling workflow (the examples are copied into one folder), `OWNER/REPO/.github/
    /// workflows/F@REF` from this project's `.github/workflows/`.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        caller: &Workflow,
        job: &Job,
        uses: &str,
        cx: &Context,
        secrets: &BTreeMap<String, String>,
        prefix: &str,
        run: &mut WorkflowRun,
    ) -> Result<JobRun, String> {
        let file = uses
            .rsplit_once(".github/workflows/")
            .map(|(_, f)| f.split('@').next().unwrap_or(f))
            .ok_or_else(|| format!("job {}: `uses: {uses}` is not a workflow", job.id))?;
        let path = if uses.starts_with("./") {
            caller.path.with_file_name(file)
        } else {
            crate::workspace_root().join(".github/workflows").join(file)
        };
        let called = Workflow::load(&path)?;
        if !called.triggers.iter().any(|t| t == "workflow_call") {
            return Err(format!(
                "{} is not callable (no on: workflow_call)",
                path.display()
            ));
        }
        let with: BTreeMap<String, String> = job
            .with
            .iter()
            .map(|(k, v)| Ok((k.clone(), expr::interpolate(v, cx)?)))
            .collect::<Result<_, String>>()?;
        let inputs = called
            .inputs
            .iter()
            .map(|(name, default)| {
                let value = with.get(name).cloned().or(default.clone());
                (name.clone(), value.unwrap_or_default())
            })
            .collect();
        let passed: BTreeMap<String, String> = if job.secrets_inherit {
            secrets.clone()
        } else {
            job.secrets
                .iter()
                .flatten()
                .map(|(k, v)| Ok((k.clone(), expr::interpolate(v, cx)?)))
                .collect::<Result<_, String>>()?
        };
        let before = run.jobs.len();
        let outputs = self.run_jobs(
            &called,
            &format!("{prefix}{}/", job.id),
            &inputs,
            &passed,
            run,
        )?;
        let failed = run.jobs[before..]
            .iter()
            .any(|(_, j)| j.result == "failure");
        Ok(JobRun {
            result: if failed { "failure" } else { "success" }.into(),
            outputs,
            ..JobRun::default()
        })
    }

    fn context(
        &self,
        workflow: &Workflow,
        inputs: &BTreeMap<String, String>,
        secrets: &BTreeMap<String, String>,
    ) -> Context {
        let mut cx = Context::default();
        let ref_name = self
            .git_ref
            .strip_prefix("refs/heads/")
            .or_else(|| self.git_ref.strip_prefix("refs/tags/"))
            .unwrap_or(&self.git_ref)
            .to_string();
        let ref_type = if self.git_ref.starts_with("refs/tags/") {
            "tag"
        } else if self.git_ref.starts_with("refs/heads/") {
            "branch"
        } else {
            ""
        };
        for (name, value) in [
            ("event_name", self.event_name.clone()),
            ("repository", self.repository.clone()),
            (
                "repository_owner",
                self.repository.split('/').next().unwrap_or("").to_string(),
            ),
            ("ref", self.git_ref.clone()),
            ("ref_name", ref_name),
            // What a runner says the ref is (`branch` or `tag`); actions read it to tell a run
            // on a line's branch from one on a tag.
            ("ref_type", ref_type.into()),
            ("sha", self.sha.clone()),
            ("actor", self.actor.clone()),
            ("triggering_actor", self.actor.clone()),
            ("run_id", "1000".into()),
            ("run_number", "1".into()),
            ("run_attempt", "1".into()),
            ("server_url", "https://github.com".into()),
            ("workflow", workflow.name.clone()),
        ] {
            cx.set("github", name, &value);
        }
        cx.object("github")
            .insert("event".into(), self.payload.clone());
        for (k, v) in inputs {
            cx.set("inputs", k, v);
        }
        cx.object("inputs");
        for (k, v) in secrets {
            cx.set("secrets", k, v);
        }
        cx.object("secrets");
        for (k, v) in &self.vars {
            cx.set("vars", k, v);
        }
        cx.object("vars");
        cx.object("needs");
        cx.object("steps");
        for (name, value) in [("os", "Linux"), ("arch", "X64")] {
            cx.set("runner", name, value);
        }
        cx
    }

    fn run_job(&self, job: &Job, mut cx: Context) -> Result<JobRun, String> {
        // Inside the job, `success()` and `failure()` speak of its own steps.
        cx.failed = false;
        cx.skipped = false;
        let token = match (&self.tokens, &job.permissions) {
            (Some(mint), Some(perms)) => mint(perms),
            (Some(mint), None) => mint(&BTreeMap::from([("*".into(), "write".into())])),
            (None, _) => self.default_token.clone(),
        };
        cx.set("github", "token", &token);
        let scratch = tempfile::Builder::new()
            .prefix("tidegate-job")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let workspace = scratch.path().join("workspace");
        let tool_cache = scratch.path().join("toolcache");
        let temp = scratch.path().join("temp");
        for dir in [&workspace, &tool_cache, &temp] {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        cx.set("github", "workspace", &path_text(&workspace));
        cx.set("runner", "temp", &path_text(&temp));
        cx.set("runner", "tool_cache", &path_text(&tool_cache));
        let event_path = scratch.path().join("event.json");
        std::fs::write(&event_path, self.payload.to_string()).map_err(|e| e.to_string())?;

        let mut known_secrets: Vec<String> = vec![token.clone()];
        known_secrets.extend(
            cx.contexts["secrets"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, v)| v.as_str().map(String::from)),
        );
        known_secrets.extend(self.app_token.clone());
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        let github = &cx.contexts["github"];
        let field = |k: &str| github[k].as_str().unwrap_or("").to_string();
        for (name, value) in [
            ("GITHUB_EVENT_NAME", field("event_name")),
            ("GITHUB_EVENT_PATH", path_text(&event_path)),
            ("GITHUB_REF", field("ref")),
            ("GITHUB_REF_NAME", field("ref_name")),
            ("GITHUB_REF_TYPE", field("ref_type")),
            ("GITHUB_SHA", field("sha")),
            ("GITHUB_ACTOR", field("actor")),
            ("GITHUB_REPOSITORY_OWNER", field("repository_owner")),
            ("GITHUB_RUN_ID", field("run_id")),
            ("GITHUB_RUN_ATTEMPT", "1".into()),
            ("GITHUB_JOB", job.id.clone()),
            ("GITHUB_WORKFLOW", field("workflow")),
        ] {
            env.insert(name.into(), value);
        }
        env.extend(self.env.clone());
        let workflow_env = Workflow::load(&self.workflow)?.env;
        for (k, v) in workflow_env.iter().chain(&job.env) {
            let value = expr::interpolate(v, &cx)?;
            env.insert(k.clone(), value.clone());
            cx.set("env", k, &value);
        }

        let mut out = JobRun {
            token: token.clone(),
            environment: job.environment.clone(),
            ..JobRun::default()
        };
        let mut extra_path: Vec<String> = Vec::new();
        for (index, step) in job.steps.iter().enumerate() {
            let label = step
                .id
                .clone()
                .or(step.name.clone())
                .or(step.uses.clone())
                .unwrap_or_else(|| format!("run #{index}"));
            let wanted = match &step.condition {
                Some(c) => expr::evaluate_condition(c, &cx)
                    .map_err(|e| format!("job {} step {label}: {e}", job.id))?,
                None => !cx.failed,
            };
            if !wanted {
                out.steps.push(StepRun {
                    label,
                    outcome: "skipped".into(),
                    outputs: BTreeMap::new(),
                });
                continue;
            }
            let mut step_env = env.clone();
            for (k, v) in &step.env {
                step_env.insert(k.clone(), expr::interpolate(v, &cx)?);
            }
            let with: Vec<(String, String)> = step
                .with
                .iter()
                .map(|(k, v)| Ok((k.clone(), expr::interpolate(v, &cx)?)))
                .collect::<Result<_, String>>()?;
            let files = StepFiles::new(scratch.path(), index)?;
            let (ok, outputs) = if let Some(script) = &step.run {
                if script.contains("${{") {
                    return Err(format!(
                        "job {} step {label}: `${{{{` inside a run: script (use env:)",
                        job.id
                    ));
                }
                if step.shell.as_deref().is_some_and(|s| s != "bash") {
                    return Err(format!(
                        "job {} step {label}: only bash is run here",
                        job.id
                    ));
                }
                let dir = step
                    .working_directory
                    .as_ref()
                    .or(job.working_directory.as_ref())
                    .map_or(workspace.clone(), |d| workspace.join(d));
                let mut full = crate::runner_env(&crate::RunnerDirs {
                    files: &files,
                    workspace: &workspace,
                    tool_cache: &tool_cache,
                    temp: &temp,
                    home: &temp,
                    extra_path: &extra_path,
                    repository: &self.repository,
                });
                full.extend(step_env);
                let status = crate::run_bash(&files, script, &full, &dir)?;
                out.raw_log.push_str(&read(&files.log));
                out.summary.push_str(&read(&files.summary));
                let outputs = crate::parse_env_file(&read(&files.output));
                out.output_files.push_str(&read(&files.output));
                out.output_files.push_str(&read(&files.env));
                for (k, v) in crate::parse_env_file(&read(&files.env)) {
                    cx.set("env", &k, &v);
                    env.insert(k, v);
                }
                for line in read(&files.path).lines().filter(|l| !l.trim().is_empty()) {
                    extra_path.insert(0, line.to_string());
                }
                (status.success(), outputs)
            } else if let Some(uses) = &step.uses {
                let result = self
                    .uses(
                        uses,
                        &with,
                        &step_env,
                        &cx,
                        &workspace,
                        &tool_cache,
                        &temp,
                        &token,
                    )
                    .map_err(|e| format!("job {} step {label}: {e}", job.id))?;
                out.raw_log.push_str(&result.raw_log);
                out.summary.push_str(&result.summary);
                // The real create-github-app-token masks its token output (core.setSecret), so
                // it is not exposed by being an output; passing it on (a job output, a log) is.
                if !uses.starts_with("actions/create-github-app-token@") {
                    out.output_files.push_str(
                        &result
                            .outputs
                            .iter()
                            .map(|(k, v)| format!("{k}={v}\n"))
                            .collect::<String>(),
                    );
                }
                (result.ok, result.outputs)
            } else {
                return Err(format!("job {} step {label}: neither run nor uses", job.id));
            };
            let outcome = if ok { "success" } else { "failure" };
            if let Some(id) = &step.id {
                cx.object("steps").insert(
                    id.clone(),
                    json!({"outputs": outputs, "outcome": outcome,
                           "conclusion": if ok || step.continue_on_error { "success" } else { "failure" }}),
                );
            }
            out.steps.push(StepRun {
                label,
                outcome: outcome.into(),
                outputs,
            });
            if !ok && !step.continue_on_error {
                cx.failed = true;
            }
        }
        out.result = if cx.failed { "failure" } else { "success" }.into();
        if !cx.failed {
            for (name, value) in &job.outputs {
                out.outputs
                    .insert(name.clone(), expr::interpolate(value, &cx)?);
            }
        }
        out.log = mask_all(&out.raw_log, &known_secrets);
        Ok(out)
    }

    /// A `uses:` step.
    #[allow(clippy::too_many_arguments)]
    fn uses(
        &self,
        uses: &str,
        with: &[(String, String)],
        env: &BTreeMap<String, String>,
        cx: &Context,
        workspace: &Path,
        tool_cache: &Path,
        temp: &Path,
        token: &str,
    ) -> Result<UsesResult, String> {
        let (name, _version) = uses.split_once('@').unwrap_or((uses, ""));
        let input = |key: &str| with.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if let Some(action) = name
            .strip_prefix("./actions/")
            .or_else(|| name.strip_prefix("tidegate/tidegate/actions/"))
        {
            if !uses.starts_with("./") && !is_pinned(uses) {
                return Err(format!("`{uses}` is not pinned to a full commit SHA"));
            }
            let mut runner = Runner::new(crate::workspace_root().join("actions").join(action))
                .workspace(workspace)
                .tool_cache(tool_cache)
                .runner_temp(temp)
                .token(token)
                .repository(&self.repository)
                .event_payload(self.payload.clone());
            for key in ["event_name", "ref", "ref_name", "sha", "actor", "run_id"] {
                runner = runner.github(key, cx.contexts["github"][key].as_str().unwrap_or(""));
            }
            for (k, v) in env {
                runner = runner.env(k, v);
            }
            for (k, v) in with {
                runner = runner.input(k, v);
            }
            let run = runner.run()?;
            return Ok(UsesResult {
                ok: run.failed.is_none(),
                outputs: run.outputs,
                raw_log: run.raw_log,
                summary: run.summary,
            });
        }
        if !is_pinned(uses) {
            return Err(format!("`{uses}` is not pinned to a full commit SHA"));
        }
        let done = |outputs: BTreeMap<String, String>| {
            Ok(UsesResult {
                ok: true,
                outputs,
                raw_log: String::new(),
                summary: String::new(),
            })
        };
        match name {
            "actions/checkout" => {
                self.checkout(with, workspace, token)?;
                done(BTreeMap::new())
            }
            "actions/create-github-app-token" => {
                let token = self
                    .app_token
                    .clone()
                    .ok_or("the workflow asks for an App token and the test gave none")?;
                done(BTreeMap::from([("token".into(), token)]))
            }
            "actions/cache" => done(BTreeMap::from([("cache-hit".into(), "false".into())])),
            "actions/upload-artifact" => {
                let artifact = input("name").unwrap_or_else(|| "artifact".into());
                let path = input("path").ok_or("upload-artifact without a path")?;
                let dest = self.artifacts_root().join(&artifact);
                std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
                for line in path.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    copy(&workspace.join(line), &dest)?;
                }
                done(BTreeMap::new())
            }
            "actions/download-artifact" => {
                let artifact = input("name").ok_or("download-artifact without a name")?;
                let source = self.artifacts_root().join(&artifact);
                let dest = workspace.join(input("path").unwrap_or_default());
                std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
                for entry in std::fs::read_dir(&source)
                    .map_err(|_| format!("no artifact `{artifact}` was uploaded in this run"))?
                    .flatten()
                {
                    copy(&entry.path(), &dest)?;
                }
                done(BTreeMap::new())
            }
            other => Err(format!("the action `{other}` is not run by this harness")),
        }
    }

    /// `actions/checkout`: a real clone over HTTP with the job's token, at `ref` (or the
    /// event's SHA), full history with `fetch-depth: 0`, else that depth.
    fn checkout(
        &self,
        with: &[(String, String)],
        workspace: &Path,
        token: &str,
    ) -> Result<(), String> {
        let input = |key: &str| with.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let template = self
            .git_url
            .as_ref()
            .ok_or("actions/checkout needs WorkflowRunner::git_url")?;
        let repository = input("repository")
            .filter(|r| !r.is_empty())
            .unwrap_or(self.repository.clone());
        let token = input("token")
            .filter(|t| !t.is_empty())
            .unwrap_or(token.to_string());
        let url = template.replace("{repository}", &repository);
        let authed = url.replacen("://", &format!("://x-access-token:{token}@"), 1);
        let dest = match input("path") {
            Some(p) if !p.is_empty() => workspace.join(p),
            _ => workspace.to_path_buf(),
        };
        let depth: u32 = input("fetch-depth")
            .as_deref()
            .unwrap_or("1")
            .parse()
            .map_err(|_| "fetch-depth is not a number")?;
        let git = |args: &[&str]| -> Result<String, String> {
            let out = Command::new("git")
                .args([
                    "-c",
                    "advice.detachedHead=false",
                    "-c",
                    "init.defaultBranch=main",
                ])
                .args(args)
                .current_dir(&dest)
                .env("GIT_TERMINAL_PROMPT", "0")
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!(
                    "checkout: git {} failed: {}",
                    args.first().unwrap_or(&""),
                    String::from_utf8_lossy(&out.stderr).replace(&token, "***")
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
        git(&["init", "-q"])?;
        git(&["remote", "add", "origin", &authed])?;
        if depth == 0 {
            git(&[
                "fetch",
                "-q",
                "--tags",
                "origin",
                "+refs/heads/*:refs/remotes/origin/*",
            ])?;
        }
        // What a runner checks out: `ref` (a branch, a tag or a SHA), else the event's branch
        // at the event's SHA; a branch is checked out as a local branch, anything else detached.
        let asked = input("ref").filter(|r| !r.is_empty());
        let (branch, target) = match asked {
            Some(r) => {
                let name = r.strip_prefix("refs/heads/").unwrap_or(&r).to_string();
                let remote = format!("refs/remotes/origin/{name}");
                let is_branch = r.starts_with("refs/heads/")
                    || (depth == 0 && git(&["rev-parse", "--verify", "-q", &remote]).is_ok());
                if is_branch {
                    (
                        Some(name.clone()),
                        if depth == 0 {
                            remote
                        } else {
                            format!("refs/heads/{name}")
                        },
                    )
                } else {
                    (None, r)
                }
            }
            None => match self.git_ref.strip_prefix("refs/heads/") {
                Some(name) if !self.sha.is_empty() => (Some(name.to_string()), self.sha.clone()),
                Some(name) if depth == 0 => (
                    Some(name.to_string()),
                    format!("refs/remotes/origin/{name}"),
                ),
                Some(name) => (Some(name.to_string()), self.git_ref.clone()),
                None if !self.sha.is_empty() => (None, self.sha.clone()),
                None => (None, self.git_ref.clone()),
            },
        };
        let target = if depth == 0 {
            target
        } else {
            git(&[
                "fetch",
                "-q",
                &format!("--depth={depth}"),
                "origin",
                &target,
            ])?;
            "FETCH_HEAD".to_string()
        };
        match branch {
            Some(b) => git(&["checkout", "-q", "-B", &b, &target])?,
            None => git(&["checkout", "-q", "--detach", &target])?,
        };
        if input("persist-credentials").as_deref() == Some("false") {
            git(&["remote", "set-url", "origin", &url])?;
        }
        git(&["config", "user.name", "github-actions[bot]"])?;
        git(&[
            "config",
            "user.email",
            "41898282+github-actions[bot]@users.noreply.github.com",
        ])?;
        Ok(())
    }
}

struct UsesResult {
    ok: bool,
    outputs: BTreeMap<String, String>,
    raw_log: String,
    summary: String,
}

/// A branch filter as GitHub reads it: `*` matches within one path segment, `**` across them.
fn glob_matches(pattern: &str, text: &str) -> bool {
    match pattern.find('*') {
        None => pattern == text,
        Some(i) => {
            let (head, rest) = pattern.split_at(i);
            let Some(text) = text.strip_prefix(head) else {
                return false;
            };
            let (deep, rest) = match rest.strip_prefix("**") {
                Some(r) => (true, r),
                None => (false, &rest[1..]),
            };
            (0..=text.len())
                .filter(|&n| text.is_char_boundary(n))
                .take_while(|&n| deep || !text[..n].contains('/'))
                .any(|n| glob_matches(rest, &text[n..]))
        }
    }
}

/// `OWNER/REPO[/PATH]@SHA` with a full 40-hex SHA, as zizmor and the README ask.
fn is_pinned(uses: &str) -> bool {
    uses.rsplit_once('@')
        .is_some_and(|(_, r)| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn copy(from: &Path, to_dir: &Path) -> Result<(), String> {
    let name = from
        .file_name()
        .ok_or_else(|| format!("cannot copy {}", from.display()))?;
    if from.is_dir() {
        let dest = to_dir.join(name);
        std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
        for entry in std::fs::read_dir(from)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            copy(&entry.path(), &dest)?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to_dir.join(name))
            .map(|_| ())
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn branch_filters_match_as_github_reads_them() {
        assert!(glob_matches("main", "main"));
        assert!(!glob_matches("main", "main2"));
        assert!(glob_matches("release/**", "release/1.4.x"));
        assert!(glob_matches("release/**", "release/a/b"));
        assert!(glob_matches("release/*", "release/1.4.0"));
        assert!(!glob_matches("release/*", "release/a/b"));
        assert!(!glob_matches("release/**", "main"));
    }
}
