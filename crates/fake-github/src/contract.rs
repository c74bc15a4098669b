//! GitHub's own OpenAPI description (the subset in `openapi/`), turned into something a test can
//! check against: which documented operation a request is, whether its query and JSON body fit the
//! operation's request schemas, and whether a response body fits the schema documented for its
//! status code.
//!
//! OpenAPI 3.0 schemas are JSON Schema Draft 4 plus a few keywords. The one that changes meaning is
//! `nullable: true`, which [`to_json_schema`] rewrites into a schema that also accepts `null`.
//! Validators are built against a root that carries the converted `components`, so every
//! `$ref: "#/components/schemas/..."` resolves as written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::{Map, Value, json};

const SPEC_TEXT: &str = include_str!("../openapi/openapi-subset.json");
/// Documented GitHub operations the subset lacks (see its `description`).
const EXTRA_TEXT: &str = include_str!("../openapi/extra-operations.json");

/// The documentation page GitHub names for errors that belong to no operation.
pub const REST_DOCS: &str = "https://docs.github.com/rest";

/// One documented operation: `method` and OpenAPI path `template`.
#[derive(Debug)]
pub struct Operation {
    /// Upper-case HTTP method, e.g. `POST`.
    pub method: String,
    /// The OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls`.
    pub template: String,
    /// The operation's documentation page (`externalDocs.url`), used in error bodies.
    pub docs_url: String,
    segments: Vec<Segment>,
    /// JSON pointer of the operation object inside the description.
    pointer: String,
}

impl Operation {
    /// The key requests are counted under: `"METHOD /template"`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    Param(String),
}

/// A request path matched to its operation, with the decoded path parameters.
#[derive(Debug)]
pub struct Matched {
    /// The operation.
    pub op: &'static Operation,
    /// Path parameters by name, percent-decoded.
    pub params: HashMap<String, String>,
}

impl Matched {
    /// A path parameter (empty when absent, which a matched template never leaves it).
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }
}

struct Spec {
    doc: Value,
    /// `{"schemas": {...}}` with every schema converted.
    components: Value,
    ops: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut doc: Value =
            serde_json::from_str(SPEC_TEXT).expect("the embedded OpenAPI file is JSON");
        let extra: Value =
            serde_json::from_str(EXTRA_TEXT).expect("the embedded extra operations are JSON");
        if let (Some(paths), Some(more)) = (
            doc.get_mut("paths").and_then(Value::as_object_mut),
            extra.get("paths").and_then(Value::as_object),
        ) {
            for (template, item) in more {
                // A path the subset has keeps its operations; the extra file adds methods to it.
                match (paths.get_mut(template), item.as_object()) {
                    (Some(Value::Object(known)), Some(methods)) => {
                        for (method, op) in methods {
                            known.entry(method.clone()).or_insert_with(|| op.clone());
                        }
                    }
                    _ => {
                        paths
                            .entry(template.clone())
                            .or_insert_with(|| item.clone());
                    }
                }
            }
        }
        let mut schemas = Map::new();
        if let Some(all) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in all {
                schemas.insert(name.clone(), to_json_schema(schema));
            }
        }
        let ops = operations(&doc);
        Spec {
            components: json!({ "schemas": schemas }),
            doc,
            ops,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            let segments = template
                .trim_start_matches('/')
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    },
                )
                .collect();
            ops.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                docs_url: op
                    .pointer("/externalDocs/url")
                    .and_then(Value::as_str)
                    .unwrap_or(REST_DOCS)
                    .to_string(),
                segments,
                pointer: format!("/paths/{}/{method}", escape_pointer(template)),
            });
        }
    }
    ops
}

/// Every documented operation, as `"METHOD /template"` keys.
pub fn operation_keys() -> Vec<String> {
    spec().ops.iter().map(Operation::key).collect()
}

/// Path parameters that may span several segments (`git/ref/heads/feature/x`, `contents/a/b.md`).
fn spans_segments(name: &str) -> bool {
    matches!(
        name,
        "ref" | "path" | "basehead" | "branch" | "tag" | "sha" | "username"
    )
}

fn match_segments(template: &[Segment], path: &[&str], out: &mut Vec<(String, String)>) -> bool {
    match template.split_first() {
        None => path.is_empty(),
        Some((Segment::Literal(lit), rest)) => {
            path.first() == Some(&lit.as_str()) && match_segments(rest, &path[1..], out)
        }
        Some((Segment::Param(name), rest)) => {
            let most = if spans_segments(name) {
                path.len()
            } else {
                path.len().min(1)
            };
            for n in 1..=most {
                if n == 1 && path[0].is_empty() {
                    return false;
                }
                if match_segments(rest, &path[n..], out) {
                    let joined = path[..n].join("/");
                    let decoded = percent_encoding::percent_decode_str(&joined)
                        .decode_utf8_lossy()
                        .into_owned();
                    out.push((name.clone(), decoded));
                    return true;
                }
            }
            false
        }
    }
}

/// Strips GitHub Enterprise Server's `/api/v3` prefix, which the fake serves under as well as `/`.
pub fn strip_api_prefix(path: &str) -> &str {
    match path.strip_prefix("/api/v3") {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

/// The documented operation a request is, if any: the most specific template that matches.
/// `path` is the request path without query (an `/api/v3` prefix is allowed).
pub fn match_operation(method: &str, path: &str) -> Option<Matched> {
    let path = strip_api_prefix(path);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<Matched> = None;
    for op in spec().ops.iter().filter(|op| op.method == method) {
        let mut params = Vec::new();
        if !match_segments(&op.segments, &parts, &mut params) {
            continue;
        }
        let better = best
            .as_ref()
            .is_none_or(|b| op.literal_count() > b.op.literal_count());
        if better {
            best = Some(Matched {
                op,
                params: params.into_iter().collect(),
            });
        }
    }
    best
}

fn find_operation(method: &str, template: &str) -> Option<&'static Operation> {
    let method = method.to_uppercase();
    spec()
        .ops
        .iter()
        .find(|op| op.method == method && op.template == template)
}

/// Resolves a local `$ref` (`#/components/...`) in the raw description.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..8 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// Rewrites one OpenAPI 3.0 schema into JSON Schema (Draft 4): `nullable: true` becomes "also
/// `null`" (`type: [T, "null"]`, `null` added to an `enum`, or `anyOf: [schema, {type: null}]` when
/// there is no `type`), recursively; OpenAPI-only annotations are dropped. `$ref`s are kept.
/// A `format`ted string whose documented default is `""` also takes `""`: GitHub sends that
/// default (a deployment status's `target_url` without a URL), which no `uri` is.
pub fn to_json_schema(schema: &Value) -> Value {
    let converted = convert(schema);
    let empty_default = schema.get("format").is_some() && schema.get("default") == Some(&json!(""));
    if empty_default {
        json!({ "anyOf": [converted, { "enum": [""] }] })
    } else {
        converted
    }
}

fn convert(schema: &Value) -> Value {
    let Some(obj) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in obj {
        let converted = match key.as_str() {
            "nullable" | "example" | "examples" | "discriminator" | "readOnly" | "writeOnly"
            | "xml" | "externalDocs" | "deprecated" => continue,
            k if k.starts_with("x-") => continue,
            "properties" | "patternProperties" | "definitions" => match value.as_object() {
                Some(map) => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), to_json_schema(v)))
                        .collect(),
                ),
                None => value.clone(),
            },
            "items" | "additionalProperties" | "not" => to_json_schema(value),
            "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                Some(list) => Value::Array(list.iter().map(to_json_schema).collect()),
                None => value.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    if obj.get("nullable") != Some(&Value::Bool(true)) {
        return Value::Object(out);
    }
    if let Some(Value::Array(values)) = out.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match out.get("type").cloned() {
        Some(Value::String(t)) => {
            out.insert("type".into(), json!([t, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(mut types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(types));
            Value::Object(out)
        }
        _ if out.contains_key("enum") && !out.contains_key("$ref") => Value::Object(out),
        _ => json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
    }
}

/// A validator for the raw schema at `pointer` (cached by pointer).
fn validator_at(pointer: &str) -> Result<Arc<Validator>, String> {
    let spec = spec();
    let mut cache = spec
        .validators
        .lock()
        .map_err(|_| "validator cache poisoned".to_string())?;
    if let Some(v) = cache.get(pointer) {
        return Ok(Arc::clone(v));
    }
    let raw = spec
        .doc
        .pointer(pointer)
        .ok_or_else(|| format!("no schema at {pointer}"))?;
    let built = Arc::new(build_validator(raw)?);
    cache.insert(pointer.to_string(), Arc::clone(&built));
    Ok(built)
}

/// Builds a Draft 4 validator for one (raw, OpenAPI) schema of the embedded description, with the
/// description's converted `components` available to its `$ref`s.
fn build_validator(raw: &Value) -> Result<Validator, String> {
    let mut root = match to_json_schema(raw) {
        Value::Object(map) => map,
        other => return Err(format!("schema is not an object: {other}")),
    };
    root.insert("components".into(), spec().components.clone());
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .map_err(|e| format!("schema does not compile: {e}"))
}

fn run(validator: &Validator, instance: &Value, what: &str) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", errors.join("; ")))
    }
}

/// Checks a response body against the schema GitHub documents for `method` + `path_template`
/// (e.g. `"POST"`, `"/repos/{owner}/{repo}/pulls"`) and `status`. A success status the operation
/// does not document is an error; an undocumented error status (GitHub sends 401, 404, 429, 5xx
/// for any operation) must carry a `basic-error` body; a documented status without a JSON body
/// schema accepts anything. Pass `Value::Null` for an empty body.
pub fn validate_response(
    method: &str,
    path_template: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let op = find_operation(method, path_template)
        .ok_or_else(|| format!("{method} {path_template} is not a documented operation"))?;
    let doc = &spec().doc;
    let responses = doc
        .pointer(&format!("{}/responses", op.pointer))
        .ok_or_else(|| format!("{} documents no responses", op.key()))?;
    let code = status.to_string();
    let (status_key, response) = match responses.get(&code) {
        Some(r) => (code, r),
        None => match responses.get("default") {
            Some(r) => ("default".to_string(), r),
            // GitHub answers any operation with 401, 404 (unknown repository), rate limits and
            // server errors without documenting each: those bodies must be `basic-error`s.
            None if status >= 400 => {
                let v = validator_at("/components/schemas/basic-error")?;
                return run(
                    &v,
                    body,
                    &format!("{} {status} (undocumented) is not a basic-error", op.key()),
                );
            }
            None => return Err(format!("{} does not document status {status}", op.key())),
        },
    };
    // The JSON pointer of the schema, following a `$ref` to a shared response.
    let response_pointer = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches('#').to_string(),
        None => format!("{}/responses/{}", op.pointer, escape_pointer(&status_key)),
    };
    let response = resolve(doc, response);
    if response
        .pointer("/content/application~1json/schema")
        .is_none()
    {
        return Ok(());
    }
    let validator = validator_at(&format!(
        "{response_pointer}/content/application~1json/schema"
    ))?;
    run(
        &validator,
        body,
        &format!("{} {status} response does not match its schema", op.key()),
    )
}

/// [`validate_response`] for a concrete request path (`/api/v3/repos/acme/widgets/pulls/1`).
pub fn validate_response_for_path(
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let matched = match_operation(&method.to_uppercase(), path)
        .ok_or_else(|| format!("{method} {path} matches no documented operation"))?;
    validate_response(&matched.op.method, &matched.op.template, status, body)
}

/// Checks a JSON request body against the operation's `requestBody` (`application/json`).
/// Returns the problems found (empty when the body fits).
pub fn check_request_body(op: &Operation, body: Option<&Value>) -> Vec<String> {
    let doc = &spec().doc;
    let request_pointer = format!("{}/requestBody", op.pointer);
    let Some(request) = doc.pointer(&request_pointer) else {
        return match body {
            Some(_) => vec![format!(
                "{} documents no request body, one was sent",
                op.key()
            )],
            None => Vec::new(),
        };
    };
    let required = request.get("required") == Some(&Value::Bool(true));
    let schema_pointer = format!("{request_pointer}/content/application~1json/schema");
    let Some(body) = body else {
        return if required {
            vec![format!("{} requires a JSON body, none was sent", op.key())]
        } else {
            Vec::new()
        };
    };
    if doc.pointer(&schema_pointer).is_none() {
        // A non-JSON body (release assets): nothing to check here.
        return Vec::new();
    }
    match validator_at(&schema_pointer) {
        Ok(v) => match run(
            &v,
            body,
            &format!("{} request body does not match its schema", op.key()),
        ) {
            Ok(()) => Vec::new(),
            Err(e) => vec![e],
        },
        Err(e) => vec![e],
    }
}

/// Whether the operation takes a non-JSON body (the release asset upload).
pub fn takes_raw_body(op: &Operation) -> bool {
    let doc = &spec().doc;
    doc.pointer(&format!("{}/requestBody/content", op.pointer))
        .and_then(Value::as_object)
        .is_some_and(|c| !c.contains_key("application/json"))
}

/// Checks query parameters against the operation's documented `in: query` parameters: unknown
/// names and values that do not fit the parameter's schema are problems.
pub fn check_query(op: &Operation, query: &[(String, String)]) -> Vec<String> {
    let doc = &spec().doc;
    let params: Vec<&Value> = doc
        .pointer(&format!("{}/parameters", op.pointer))
        .and_then(Value::as_array)
        .map(|list| list.iter().map(|p| resolve(doc, p)).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    for (name, raw) in query {
        let Some(param) = params.iter().find(|p| {
            p.get("in").and_then(Value::as_str) == Some("query")
                && p.get("name").and_then(Value::as_str) == Some(name.as_str())
        }) else {
            problems.push(format!(
                "{}: undocumented query parameter {name:?}",
                op.key()
            ));
            continue;
        };
        let Some(schema) = param.get("schema") else {
            continue;
        };
        let value = match schema.get("type").and_then(Value::as_str) {
            Some("integer") => match raw.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => Value::String(raw.clone()),
            },
            Some("number") => match raw.parse::<f64>() {
                Ok(n) => json!(n),
                Err(_) => Value::String(raw.clone()),
            },
            Some("boolean") => match raw.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                _ => Value::String(raw.clone()),
            },
            _ => Value::String(raw.clone()),
        };
        // Parameter schemas are small and self-contained: no components needed.
        match jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&to_json_schema(schema))
        {
            Ok(v) => {
                if let Err(e) = run(&v, &value, &format!("{}: query parameter {name}", op.key())) {
                    problems.push(e);
                }
            }
            Err(e) => problems.push(format!("{}: query parameter {name}: {e}", op.key())),
        }
    }
    problems
}

/// Checks the path parameters' values against their schemas (`pull_number` must be an integer).
pub fn check_path_params(matched: &Matched) -> Vec<String> {
    let doc = &spec().doc;
    let params: Vec<&Value> = doc
        .pointer(&format!("{}/parameters", matched.op.pointer))
        .and_then(Value::as_array)
        .map(|list| list.iter().map(|p| resolve(doc, p)).collect())
        .unwrap_or_default();
    let mut problems = Vec::new();
    for p in params {
        if p.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let is_integer = p.pointer("/schema/type").and_then(Value::as_str) == Some("integer");
        if is_integer && matched.param(name).parse::<u64>().is_err() {
            problems.push(format!(
                "{}: path parameter {name} must be an integer, got {:?}",
                matched.op.key(),
                matched.param(name)
            ));
        }
    }
    problems
}
