//! Runs a composite action's steps the way a GitHub Actions runner does, so tests can hold the
//! actions in `actions/` to what a workflow sees: inputs with their defaults, `${{ }}` expressions
//! in `env:`, `with:` and `if:`, each `run:` script under `bash --noprofile --norc -eo pipefail`
//! with the runner's variables and its own `$GITHUB_OUTPUT`, the outputs mapped back, and the log
//! as the runner would show it (with `::add-mask::` values and the token masked).
//!
//! `uses:` steps (actions/cache) are recorded, not run: here every cache is a miss. Anything the
//! harness does not understand (an expression outside its small grammar, a shell other than
//! bash) is an error, never a silent pass.

mod expr;
mod server;
mod workflow;

pub use server::StaticServer;
/// Reads a `$GITHUB_OUTPUT` or `$GITHUB_ENV` file (the same format).
pub use testkit::parse_outputs as parse_env_file;
pub use workflow::{JobRun, StepRun, Workflow, WorkflowRun, WorkflowRunner};

use saphyr::{LoadableYamlNode, Yaml};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// An `action.yml`, as far as a composite action uses it.
#[derive(Debug, Clone)]
pub struct Action {
    pub name: String,
    pub inputs: Vec<Input>,
    /// Output name and its `value:` expression.
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub required: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Step {
    pub id: Option<String>,
    pub condition: Option<String>,
    pub shell: Option<String>,
    pub run: Option<String>,
    pub uses: Option<String>,
    pub with: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
}

pub(crate) fn scalar(node: &Yaml<'_>) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.to_string());
    }
    if let Some(b) = node.as_bool() {
        return Some(b.to_string());
    }
    node.as_integer().map(|i| i.to_string())
}

pub(crate) fn pairs(node: &Yaml<'_>) -> Vec<(String, String)> {
    node.as_mapping()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

impl Action {
    /// Reads `DIR/action.yml`.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let path = dir.join("action.yml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let docs = Yaml::load_from_str(&text)
            .map_err(|e| format!("{} is not YAML: {e}", path.display()))?;
        let doc = docs.first().ok_or("empty action.yml")?;
        let runs = &doc["runs"];
        if runs["using"].as_str() != Some("composite") {
            return Err("only composite actions are run here".into());
        }
        let inputs = doc["inputs"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .filter_map(|(name, spec)| {
                        Some(Input {
                            name: scalar(name)?,
                            required: spec
                                .as_mapping_get("required")
                                .and_then(Yaml::as_bool)
                                .unwrap_or(false),
                            default: spec.as_mapping_get("default").and_then(scalar),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let outputs = doc["outputs"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .filter_map(|(name, spec)| {
                        Some((
                            scalar(name)?,
                            spec.as_mapping_get("value").and_then(scalar)?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let steps = runs["steps"]
            .as_sequence()
            .ok_or("runs.steps is not a list")?
            .iter()
            .map(|s| {
                let text = |key: &str| s.as_mapping_get(key).and_then(scalar);
                Step {
                    id: text("id"),
                    condition: text("if"),
                    shell: text("shell"),
                    run: text("run"),
                    uses: text("uses"),
                    with: s.as_mapping_get("with").map(pairs).unwrap_or_default(),
                    env: s.as_mapping_get("env").map(pairs).unwrap_or_default(),
                }
            })
            .collect();
        Ok(Self {
            name: scalar(&doc["name"]).unwrap_or_default(),
            inputs,
            outputs,
            steps,
        })
    }
}

/// What a run of an action left behind.
#[derive(Debug, Default)]
pub struct Run {
    /// The action's outputs, as a workflow's `steps.ID.outputs` sees them.
    pub outputs: BTreeMap<String, String>,
    /// Each step's own outputs, by step id.
    pub step_outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Everything the steps printed, before the runner's masking.
    pub raw_log: String,
    /// The log as the runner shows it: `::add-mask::` lines consumed, secrets as `***`.
    pub log: String,
    /// What the steps appended to `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// The step that failed (its id, else its index) and its exit code; later steps did not run.
    pub failed: Option<(String, i32)>,
    /// `uses:` steps met (and not run), with their evaluated `with:`.
    pub uses: Vec<(String, Vec<(String, String)>)>,
    /// Directories the steps added to `$GITHUB_PATH`.
    pub path_added: Vec<String>,
}

/// One run of a composite action on a pretend runner.
pub struct Runner {
    action_dir: PathBuf,
    inputs: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    os: String,
    arch: String,
    tool_cache: PathBuf,
    workspace: PathBuf,
    token: String,
    repository: String,
    /// The event's payload, as `github.event` reads it.
    event: serde_json::Value,
    /// More of the `github` context (`ref`, `sha`, `event_name`, …).
    github: BTreeMap<String, String>,
    /// `RUNNER_TEMP` when the action runs inside a workflow's job (shared by its steps).
    temp: Option<PathBuf>,
    scratch: tempfile::TempDir,
}

impl Runner {
    /// A Linux X64 runner with an empty tool cache and an empty workspace.
    pub fn new(action_dir: impl Into<PathBuf>) -> Self {
        let scratch = tempfile::Builder::new()
            .prefix("tidegate-runner")
            .tempdir()
            .expect("temp dir");
        let tool_cache = scratch.path().join("toolcache");
        let workspace = scratch.path().join("workspace");
        for dir in [&tool_cache, &workspace] {
            std::fs::create_dir_all(dir).expect("runner dirs");
        }
        Self {
            action_dir: action_dir.into(),
            inputs: BTreeMap::new(),
            env: BTreeMap::new(),
            os: "Linux".into(),
            arch: "X64".into(),
            tool_cache,
            workspace,
            token: "ghs_notARealToken0123456789abcdefghijklmn".into(),
            repository: "octo/demo".into(),
            event: serde_json::json!({}),
            github: BTreeMap::new(),
            temp: None,
            scratch,
        }
    }

    pub fn input(mut self, name: &str, value: &str) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        let value = value.as_ref().to_string_lossy().into_owned();
        self.env.insert(name.into(), value);
        self
    }

    pub fn tool_cache(mut self, dir: &Path) -> Self {
        self.tool_cache = dir.to_path_buf();
        self
    }

    /// `RUNNER_TEMP`: the job's, so files an action leaves there (an audit record) are there for
    /// the job's later steps, as on a runner. Default: the action's own scratch folder.
    pub fn runner_temp(mut self, dir: &Path) -> Self {
        self.temp = Some(dir.to_path_buf());
        self
    }

    pub fn workspace(mut self, dir: &Path) -> Self {
        self.workspace = dir.to_path_buf();
        self
    }

    /// The value of `github.token`.
    pub fn token(mut self, token: &str) -> Self {
        self.token = token.into();
        self
    }

    /// A field of the event's payload, as `github.event.PATH` reads it (`pull_request.number`);
    /// the fields not given are null.
    pub fn event(mut self, path: &str, value: &str) -> Self {
        let mut node = &mut self.event;
        for part in path.split('.') {
            if !node.is_object() {
                *node = serde_json::json!({});
            }
            node = node
                .as_object_mut()
                .expect("made an object above")
                .entry(part)
                .or_insert(serde_json::Value::Null);
        }
        *node = serde_json::Value::String(value.into());
        self
    }

    /// The whole event payload (`github.event`).
    pub fn event_payload(mut self, payload: serde_json::Value) -> Self {
        self.event = payload;
        self
    }

    /// Another field of the `github` context (`ref`, `sha`, `event_name`, `actor`, …).
    pub fn github(mut self, name: &str, value: &str) -> Self {
        self.github.insert(name.into(), value.into());
        self
    }

    pub fn repository(mut self, repository: &str) -> Self {
        self.repository = repository.into();
        self
    }

    pub fn token_value(&self) -> &str {
        &self.token
    }

    /// Runs every step in order until one fails.
    pub fn run(&self) -> Result<Run, String> {
        let action = Action::load(&self.action_dir)?;
        for name in self.inputs.keys() {
            if !action.inputs.iter().any(|i| &i.name == name) {
                return Err(format!("`{}` has no input `{name}`", action.name));
            }
        }
        for input in action.inputs.iter().filter(|i| i.required) {
            if !self.inputs.contains_key(&input.name) {
                return Err(format!("input `{}` is required", input.name));
            }
        }
        let mut context = expr::Context::default();
        for (name, value) in [
            ("token".to_string(), self.token.clone()),
            ("repository".into(), self.repository.clone()),
            ("action_path".into(), path_text(&self.action_dir)),
            ("workspace".into(), path_text(&self.workspace)),
        ]
        .into_iter()
        .chain(self.github.clone())
        {
            context.set("github", &name, &value);
        }
        context
            .object("github")
            .insert("event".into(), self.event.clone());
        for (name, value) in [
            ("os", self.os.clone()),
            ("arch", self.arch.clone()),
            ("tool_cache", path_text(&self.tool_cache)),
            ("temp", path_text(&self.temp_dir())),
        ] {
            context.set("runner", name, &value);
        }
        context.object("inputs");
        context.object("steps");
        for (name, value) in &self.env {
            context.set("env", name, value);
        }
        // Defaults may be expressions themselves (`${{ github.token }}`).
        for input in &action.inputs {
            let value = match self.inputs.get(&input.name) {
                Some(v) => v.clone(),
                None => expr::interpolate(input.default.as_deref().unwrap_or(""), &context)?,
            };
            context.set("inputs", &input.name, &value);
        }

        let mut run = Run::default();
        let mut extra_path: Vec<String> = Vec::new();
        let mut extra_env: BTreeMap<String, String> = BTreeMap::new();
        for (index, step) in action.steps.iter().enumerate() {
            let name = step.id.clone().unwrap_or_else(|| index.to_string());
            if let Some(condition) = &step.condition {
                if !expr::evaluate_condition(condition, &context)? {
                    continue;
                }
            }
            if let Some(uses) = &step.uses {
                let with = step
                    .with
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), expr::interpolate(v, &context)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                run.uses.push((uses.clone(), with));
                continue;
            }
            let script = step
                .run
                .as_deref()
                .ok_or("a step with neither run nor uses")?;
            // A runner substitutes `${{ }}` inside scripts before bash sees them: an injection
            // risk the actions must not take, so the harness refuses to run such a script.
            if script.contains("${{") {
                return Err(format!("step {name}: `${{{{` inside a run: script"));
            }
            if step.shell.as_deref() != Some("bash") {
                return Err(format!("step {name}: only `shell: bash` is run here"));
            }
            let files = StepFiles::new(self.scratch.path(), index)?;
            let mut env = self.base_env(&files, &extra_path);
            env.extend(extra_env.clone());
            for (key, value) in &step.env {
                env.insert(key.clone(), expr::interpolate(value, &context)?);
            }
            let status = run_bash(&files, script, &env, &self.workspace)?;
            run.raw_log.push_str(&read(&files.log));
            let outputs = parse_env_file(&read(&files.output));
            if let Some(id) = &step.id {
                context.object("steps").insert(
                    id.clone(),
                    serde_json::json!({ "outputs": outputs.clone(), "outcome": if status.success() { "success" } else { "failure" } }),
                );
                run.step_outputs.insert(id.clone(), outputs);
            }
            run.summary.push_str(&read(&files.summary));
            for line in read(&files.path).lines().filter(|l| !l.trim().is_empty()) {
                extra_path.insert(0, line.to_string());
                run.path_added.push(line.to_string());
            }
            extra_env.extend(parse_env_file(&read(&files.env)));
            if !status.success() {
                run.failed = Some((name, status.code().unwrap_or(-1)));
                break;
            }
        }
        if run.failed.is_none() {
            for (name, value) in &action.outputs {
                run.outputs
                    .insert(name.clone(), expr::interpolate(value, &context)?);
            }
        }
        run.log = mask(&run.raw_log, &self.token);
        Ok(run)
    }

    fn temp_dir(&self) -> PathBuf {
        self.temp
            .clone()
            .unwrap_or_else(|| self.scratch.path().join("runner-temp"))
    }

    fn base_env(&self, files: &StepFiles, extra_path: &[String]) -> BTreeMap<String, String> {
        let temp = self.temp_dir();
        let _ = std::fs::create_dir_all(&temp);
        let mut env = runner_env(&RunnerDirs {
            files,
            workspace: &self.workspace,
            tool_cache: &self.tool_cache,
            temp: &temp,
            home: self.scratch.path(),
            extra_path,
            repository: &self.repository,
        });
        env.insert("GITHUB_ACTION_PATH".into(), path_text(&self.action_dir));
        env.insert("RUNNER_OS".into(), self.os.clone());
        env.insert("RUNNER_ARCH".into(), self.arch.clone());
        env.extend(self.env.clone());
        env
    }
}

/// Where a step runs: its files and the runner's folders.
pub(crate) struct RunnerDirs<'a> {
    pub(crate) files: &'a StepFiles,
    pub(crate) workspace: &'a Path,
    pub(crate) tool_cache: &'a Path,
    pub(crate) temp: &'a Path,
    pub(crate) home: &'a Path,
    /// Folders steps added to `$GITHUB_PATH`, newest first.
    pub(crate) extra_path: &'a [String],
    pub(crate) repository: &'a str,
}

/// The environment a runner gives every step (a Linux X64 runner): `PATH` with the folders
/// steps added, the `GITHUB_*` files of this step, the `RUNNER_*` folders.
pub(crate) fn runner_env(dirs: &RunnerDirs<'_>) -> BTreeMap<String, String> {
    let mut path = dirs.extra_path.join(":");
    if let Ok(outer) = std::env::var("PATH") {
        if !path.is_empty() {
            path.push(':');
        }
        path.push_str(&outer);
    }
    let files = dirs.files;
    BTreeMap::from([
        ("PATH".to_string(), path),
        ("HOME".into(), path_text(dirs.home)),
        ("TMPDIR".into(), path_text(dirs.temp)),
        ("RUST_BACKTRACE".into(), "1".into()),
        ("CI".into(), "true".into()),
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_WORKSPACE".into(), path_text(dirs.workspace)),
        ("GITHUB_REPOSITORY".into(), dirs.repository.to_string()),
        ("GITHUB_SERVER_URL".into(), "https://github.com".into()),
        ("GITHUB_OUTPUT".into(), path_text(&files.output)),
        ("GITHUB_STEP_SUMMARY".into(), path_text(&files.summary)),
        ("GITHUB_PATH".into(), path_text(&files.path)),
        ("GITHUB_ENV".into(), path_text(&files.env)),
        ("RUNNER_OS".into(), "Linux".into()),
        ("RUNNER_ARCH".into(), "X64".into()),
        ("RUNNER_TOOL_CACHE".into(), path_text(dirs.tool_cache)),
        ("RUNNER_TEMP".into(), path_text(dirs.temp)),
    ])
}

/// Runs `script` as a runner runs a `shell: bash` step, its output into the step's log.
pub(crate) fn run_bash(
    files: &StepFiles,
    script: &str,
    env: &BTreeMap<String, String>,
    cwd: &Path,
) -> Result<std::process::ExitStatus, String> {
    std::fs::write(&files.script, script).map_err(|e| e.to_string())?;
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&files.script)
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(files.log_handle()?)
        .stderr(files.log_handle()?)
        .status()
        .map_err(|e| format!("cannot start bash: {e}"))
}

/// The files a runner gives one step.
pub(crate) struct StepFiles {
    pub(crate) script: PathBuf,
    pub(crate) log: PathBuf,
    pub(crate) output: PathBuf,
    pub(crate) summary: PathBuf,
    pub(crate) path: PathBuf,
    pub(crate) env: PathBuf,
}

impl StepFiles {
    pub(crate) fn new(scratch: &Path, index: usize) -> Result<Self, String> {
        let dir = scratch.join(format!("step-{index}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let files = Self {
            script: dir.join("script.sh"),
            log: dir.join("log"),
            output: dir.join("output"),
            summary: dir.join("summary"),
            path: dir.join("path"),
            env: dir.join("env"),
        };
        for file in [
            &files.log,
            &files.output,
            &files.summary,
            &files.path,
            &files.env,
        ] {
            std::fs::write(file, "").map_err(|e| e.to_string())?;
        }
        Ok(files)
    }

    fn log_handle(&self) -> Result<std::fs::File, String> {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .map_err(|e| e.to_string())
    }
}

pub(crate) fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The log as the runner shows it: `::add-mask::` commands consumed, every masked value (and
/// the token, which the runner masks without being asked) replaced by `***`.
pub(crate) fn mask(raw: &str, token: &str) -> String {
    mask_all(raw, &[token.to_string()])
}

/// [`mask`] with several values known to be secret (a workflow's token and secrets).
pub(crate) fn mask_all(raw: &str, known: &[String]) -> String {
    let mut secrets: Vec<String> = known.to_vec();
    let mut shown = Vec::new();
    for line in raw.lines() {
        if let Some(value) = line.strip_prefix("::add-mask::") {
            secrets.push(value.to_string());
            continue;
        }
        shown.push(line);
    }
    let mut text = shown.join("\n");
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret.as_str(), "***");
    }
    text
}

pub use testkit::workspace_root;

/// The folder holding freshly built `promote-branch`, `changelog`, `bump` and `gate-check`: built once per
/// test process with the cargo that runs the tests (a no-op after `cargo test --workspace`).
pub fn built_binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(workspace_root())
            .args([
                "build",
                "--locked",
                "--message-format=json-render-diagnostics",
            ])
            .args(["-p", "promote-branch", "-p", "changelog", "-p", "bump"])
            .args(["-p", "gate-check"])
            .args(["-p", "backport", "-p", "deploy", "-p", "where"])
            .stderr(Stdio::inherit())
            .output()
            .expect("run cargo build");
        assert!(out.status.success(), "cargo build of the binaries failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
            .find_map(|exe| exe.parent().map(Path::to_path_buf))
            .expect("cargo reported the binaries it built")
    })
}

/// A copy of the project's actions (with the Cargo manifests the installer reads) where a
/// runner puts an action used as `OWNER/REPO/actions/NAME@REF`:
/// `ROOT/_actions/OWNER/REPO/REF`. Returns that folder.
pub fn checkout_actions_at(root: &Path, owner: &str, repo: &str, git_ref: &str) -> PathBuf {
    let dest = root.join("_actions").join(owner).join(repo).join(git_ref);
    if dest.join("Cargo.toml").is_file() {
        return dest;
    }
    let source = workspace_root();
    copy_tree(&source.join("actions"), &dest.join("actions"));
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(source.join(file), dest.join(file)).expect("copy manifest");
    }
    copy_tree(&source.join("crates"), &dest.join("crates"));
    dest
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "tests" {
                copy_tree(&path, &to.join(&name));
            }
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy file");
        }
    }
}
