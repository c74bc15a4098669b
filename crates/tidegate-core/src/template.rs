//! User templates (minijinja) for release notes, in place of the default layout.
//!
//! A template is the user's code run on every release: it gets a budget of work (minijinja's
//! fuel) and of output, so a runaway loop ends with a message instead of running for ever while
//! memory grows.

use crate::changelog::ReleaseNotes;
use minijinja::value::{Enumerator, Object, ObjectExt, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The work one rendering may do, in minijinja's fuel (about one unit per instruction; a loop
/// over a release's entries costs a few units per entry).
pub const FUEL: u64 = 5_000_000;

/// The most one rendering may write (a release's notes are kilobytes).
pub const OUTPUT_LIMIT: usize = 16 * 1024 * 1024;

/// A template that could not be compiled or rendered, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("template {name}{line}: {reason}")]
pub struct TemplateError {
    pub name: String,
    pub line: String,
    pub reason: String,
}

/// Renders one release's notes with a user template. The template sees the fields of the JSON
/// output (`version`, `tag`, `previous_tag`, `date`, `compare_url`, `commit_count`, `breaking`,
/// `sections` with `title` and `entries`).
pub fn render(name: &str, source: &str, notes: &ReleaseNotes) -> Result<String, TemplateError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    let missing = Arc::new(Mutex::new(None));
    let fail = |e: minijinja::Error, output: &Limited| TemplateError {
        name: name.to_string(),
        line: e.line().map(|l| format!(":{l}")).unwrap_or_default(),
        reason: reason(&e, output, &missing),
    };
    let mut output = Limited::default();
    env.add_template(name, source)
        .map_err(|e| fail(e, &output))?;
    let template = env.get_template(name).map_err(|e| fail(e, &output))?;
    let json = serde_json::to_value(notes).unwrap_or_default();
    let context = fields(json, &missing);
    match template.render_captured_to(context, &mut output) {
        Ok(_) => Ok(String::from_utf8_lossy(&output.bytes).into_owned()),
        Err(e) => Err(fail(e, &output)),
    }
}

/// Why the rendering failed, in the user's terms.
fn reason(e: &minijinja::Error, output: &Limited, missing: &Mutex<Option<String>>) -> String {
    use minijinja::ErrorKind;
    match e.kind() {
        _ if output.over => format!(
            "it wrote more than {} MiB for one release; check its loops",
            OUTPUT_LIMIT / (1024 * 1024)
        ),
        ErrorKind::OutOfFuel => {
            "it did too much work for one release (a loop that runs away?); check its loops".into()
        }
        ErrorKind::UndefinedError | ErrorKind::UnknownFunction | ErrorKind::UnknownFilter
            if missing.lock().is_ok_and(|m| m.is_some()) =>
        {
            missing
                .lock()
                .ok()
                .and_then(|m| m.clone())
                .unwrap_or_default()
        }
        ErrorKind::UndefinedError => format!(
            "a value used here is not defined ({}); check the names and fields it uses",
            e.detail().unwrap_or("undefined value")
        ),
        _ => e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string()),
    }
}

/// A writer that stops at [`OUTPUT_LIMIT`].
#[derive(Default)]
struct Limited {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > OUTPUT_LIMIT {
            self.over = true;
            return Err(std::io::Error::other("template output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The notes as template values, with every object remembering the last field asked of it that
/// it does not have, so that an undefined name can be named (minijinja's own message only says
/// "undefined value").
fn fields(value: serde_json::Value, missing: &Arc<Mutex<Option<String>>>) -> Value {
    match value {
        serde_json::Value::Object(map) => Value::from_object(Fields {
            values: map
                .into_iter()
                .map(|(k, v)| (k, fields(v, missing)))
                .collect(),
            missing: Arc::clone(missing),
        }),
        serde_json::Value::Array(items) => Value::from(
            items
                .into_iter()
                .map(|v| fields(v, missing))
                .collect::<Vec<_>>(),
        ),
        other => Value::from_serialize(other),
    }
}

/// The functions minijinja gives every template.
const BUILTIN_GLOBALS: [&str; 4] = ["range", "dict", "namespace", "debug"];

#[derive(Debug)]
struct Fields {
    values: BTreeMap<String, Value>,
    missing: Arc<Mutex<Option<String>>>,
}

impl Object for Fields {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        let found = self.values.get(name).cloned();
        // minijinja asks the context first for every name, its own functions included, and
        // finds those after; remembering them would blame `range` for a later undefined field.
        if found.is_none() && !BUILTIN_GLOBALS.contains(&name) {
            let known: Vec<&str> = self.values.keys().map(String::as_str).collect();
            if let Ok(mut missing) = self.missing.lock() {
                *missing = Some(format!(
                    "`{name}` is not defined here (the names here are {})",
                    known.join(", ")
                ));
            }
        }
        found
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.mapped_enumerator(|this| Box::new(this.values.keys().cloned().map(Value::from)))
    }
}
