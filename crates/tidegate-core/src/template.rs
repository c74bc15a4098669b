//! User templates (minijinja) for release notes, in place of the default layout.

use crate::changelog::ReleaseNotes;

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
    let fail = |e: minijinja::Error| TemplateError {
        name: name.to_string(),
        line: e.line().map(|l| format!(":{l}")).unwrap_or_default(),
        reason: e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string()),
    };
    env.add_template(name, source).map_err(fail)?;
    let template = env.get_template(name).map_err(fail)?;
    template
        .render(minijinja::Value::from_serialize(notes))
        .map_err(fail)
}
