//! The part of the Actions expression language the project's actions and example workflows use:
//! contexts (`inputs`, `steps`, `github`, `runner`, `env`, and in workflows `secrets`, `vars`,
//! `needs`, `job`), property and index access (`a.b`, `a['b/c']`, `a.*.b`), string and number
//! literals, `true`/`false`/`null`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `!`, `&&`, `||`,
//! parentheses, and the functions `contains`, `startsWith`, `endsWith`, `format`, `join`,
//! `toJSON`, `fromJSON`, `success`, `failure`, `always` and `cancelled`. Anything else is an
//! error, never a silent pass.

use serde_json::{Map, Value};

/// Contexts whose missing keys are an error rather than null: a typo in `inputs.x` or
/// `github.x` would otherwise pass as an empty string.
const STRICT: [&str; 4] = ["inputs", "github", "runner", "needs"];

#[derive(Debug, Default, Clone)]
pub struct Context {
    /// Each context by name, as a JSON object.
    pub contexts: Map<String, Value>,
    /// Whether a step (or a needed job) failed: `success()` and `failure()` read it.
    pub failed: bool,
    /// Whether a needed job was skipped (or still waits): `success()` is then false while
    /// `failure()` is not true, as on GitHub.
    pub skipped: bool,
}

impl Context {
    /// The object of context `name`, created empty when missing.
    pub fn object(&mut self, name: &str) -> &mut Map<String, Value> {
        let entry = self
            .contexts
            .entry(name.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        entry.as_object_mut().expect("made an object above")
    }

    /// Sets `name.key` to a string.
    pub fn set(&mut self, name: &str, key: &str, value: &str) {
        self.object(name)
            .insert(key.to_string(), Value::String(value.to_string()));
    }
}

/// Replaces every `${{ expr }}` in `text` with its value.
pub fn interpolate(text: &str, cx: &Context) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = closing(after).ok_or_else(|| format!("unclosed expression in `{text}`"))?;
        out.push_str(&as_text(&evaluate(&after[..end], cx)?));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Where the `}}` closing an expression is, skipping those inside string literals.
fn closing(text: &str) -> Option<usize> {
    let mut in_string = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_string = !in_string,
            b'}' if !in_string && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// An `if:`: a bare expression or one wrapped in `${{ }}`. Without a status function in it, a
/// runner adds `success() &&`.
pub fn evaluate_condition(text: &str, cx: &Context) -> Result<bool, String> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(trimmed);
    let mentions_status = ["success(", "failure(", "always(", "cancelled("]
        .iter()
        .any(|f| inner.contains(f));
    if !mentions_status && (cx.failed || cx.skipped) {
        return Ok(false);
    }
    Ok(truthy(&evaluate(inner, cx)?))
}

/// An expression's value as a string, the way a runner substitutes it.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

pub fn evaluate(source: &str, cx: &Context) -> Result<Value, String> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        cx,
    };
    let value = parser.or()?;
    if parser.at != tokens.len() {
        return Err(format!(
            "unexpected `{:?}` in `{source}`",
            tokens[parser.at]
        ));
    }
    Ok(value)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Literal(String),
    Number(f64),
    Op(&'static str),
}

const OPS: [&str; 15] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ",", ".",
];

fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    'next: while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '\'' {
            let mut literal = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("unclosed string in `{source}`")),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        literal.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        literal.push(*ch);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Literal(literal));
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let number = text
                .parse()
                .map_err(|_| format!("`{text}` is not a number in `{source}`"))?;
            tokens.push(Token::Number(number));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_-".contains(chars[i])) {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
            continue;
        }
        if c == '*' {
            tokens.push(Token::Op("*"));
            i += 1;
            continue;
        }
        for op in OPS {
            let len = op.chars().count();
            if chars[i..].iter().take(len).copied().eq(op.chars()) {
                tokens.push(Token::Op(op));
                i += len;
                continue 'next;
            }
        }
        return Err(format!("`{c}` is not understood in `{source}`"));
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    cx: &'a Context,
}

impl Parser<'_> {
    fn eat(&mut self, op: &'static str) -> bool {
        if self.tokens.get(self.at) == Some(&Token::Op(op)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Value, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.and()?;
            if !truthy(&left) {
                left = right;
            }
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Value, String> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            let right = self.comparison()?;
            if truthy(&left) {
                left = right;
            }
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Value, String> {
        let left = self.unary()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let right = self.unary()?;
                let result = match op {
                    "==" => same(&left, &right)?,
                    "!=" => !same(&left, &right)?,
                    _ => {
                        let (a, b) = (number(&left), number(&right));
                        match op {
                            "<" => a < b,
                            "<=" => a <= b,
                            ">" => a > b,
                            _ => a >= b,
                        }
                    }
                };
                return Ok(Value::Bool(result));
            }
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Value, String> {
        if self.eat("!") {
            return Ok(Value::Bool(!truthy(&self.unary()?)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Value, String> {
        let (mut value, mut strict_root) = self.primary()?;
        loop {
            let key = if self.eat(".") {
                if self.eat("*") {
                    let items = match value {
                        Value::Array(items) => items,
                        Value::Object(map) => map.into_values().collect(),
                        _ => Vec::new(),
                    };
                    value = self.each(items)?;
                    strict_root = None;
                    continue;
                }
                match self.tokens.get(self.at).cloned() {
                    Some(Token::Word(w)) => {
                        self.at += 1;
                        Value::String(w)
                    }
                    other => return Err(format!("a name must follow `.`, not {other:?}")),
                }
            } else if self.eat("[") {
                let index = self.or()?;
                if !self.eat("]") {
                    return Err("missing `]`".into());
                }
                index
            } else {
                return Ok(value);
            };
            value = self.member(value, &key, strict_root.take())?;
        }
    }

    /// Applies the rest of a `.*` chain (`.name` steps) to each element of `items`.
    fn each(&mut self, mut list: Vec<Value>) -> Result<Value, String> {
        while self.tokens.get(self.at) == Some(&Token::Op(".")) {
            let Some(Token::Word(name)) = self.tokens.get(self.at + 1).cloned() else {
                break;
            };
            self.at += 2;
            let key = Value::String(name);
            list = list
                .into_iter()
                .map(|item| self.member(item, &key, None))
                .collect::<Result<_, _>>()?;
        }
        Ok(Value::Array(list))
    }

    fn member(&self, value: Value, key: &Value, strict: Option<String>) -> Result<Value, String> {
        let found = match (&value, key) {
            (Value::Object(map), Value::String(k)) => map
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone()),
            (Value::Array(list), Value::Number(n)) => {
                n.as_u64().and_then(|i| list.get(i as usize).cloned())
            }
            _ => None,
        };
        match (found, strict) {
            (Some(v), _) => Ok(v),
            (None, Some(context)) if !(context == "github" && as_text(key) == "event") => {
                Err(format!("{context}.{} is not known here", as_text(key)))
            }
            (None, _) => Ok(Value::Null),
        }
    }

    fn primary(&mut self) -> Result<(Value, Option<String>), String> {
        if self.eat("(") {
            let value = self.or()?;
            if !self.eat(")") {
                return Err("missing `)`".into());
            }
            return Ok((value, None));
        }
        let token = self.tokens.get(self.at).cloned().ok_or("missing operand")?;
        self.at += 1;
        match token {
            Token::Literal(s) => Ok((Value::String(s), None)),
            Token::Number(n) => Ok((number_value(n), None)),
            Token::Op(op) => Err(format!("unexpected `{op}`")),
            Token::Word(word) => match word.as_str() {
                "true" => Ok((Value::Bool(true), None)),
                "false" => Ok((Value::Bool(false), None)),
                "null" => Ok((Value::Null, None)),
                _ if self.eat("(") => Ok((self.call(&word)?, None)),
                _ => {
                    let value = self
                        .cx
                        .contexts
                        .get(&word)
                        .cloned()
                        .ok_or_else(|| format!("`{word}` is not understood here"))?;
                    let strict = STRICT.contains(&word.as_str()).then_some(word);
                    Ok((value, strict))
                }
            },
        }
    }

    fn call(&mut self, name: &str) -> Result<Value, String> {
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.or()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(format!("missing `,` or `)` in {name}()"));
                }
            }
        }
        let text = |i: usize| args.get(i).map(as_text).unwrap_or_default();
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("{name}() takes {n} arguments"))
            }
        };
        Ok(match name {
            "success" => Value::Bool(!self.cx.failed && !self.cx.skipped),
            "failure" => Value::Bool(self.cx.failed),
            "always" => Value::Bool(true),
            "cancelled" => Value::Bool(false),
            "contains" => {
                arity(2)?;
                match &args[0] {
                    Value::Array(items) => {
                        Value::Bool(items.iter().any(|i| same(i, &args[1]).unwrap_or(false)))
                    }
                    _ => Value::Bool(text(0).to_lowercase().contains(&text(1).to_lowercase())),
                }
            }
            "startsWith" => {
                arity(2)?;
                Value::Bool(text(0).to_lowercase().starts_with(&text(1).to_lowercase()))
            }
            "endsWith" => {
                arity(2)?;
                Value::Bool(text(0).to_lowercase().ends_with(&text(1).to_lowercase()))
            }
            "format" => Value::String(format_text(&text(0), &args[1..])?),
            "join" => {
                let separator = if args.len() > 1 { text(1) } else { ",".into() };
                match args.first() {
                    Some(Value::Array(items)) => Value::String(
                        items
                            .iter()
                            .map(as_text)
                            .collect::<Vec<_>>()
                            .join(&separator),
                    ),
                    _ => Value::String(text(0)),
                }
            }
            "toJSON" => {
                arity(1)?;
                Value::String(serde_json::to_string_pretty(&args[0]).unwrap_or_default())
            }
            "fromJSON" => {
                arity(1)?;
                serde_json::from_str(&text(0))
                    .map_err(|e| format!("fromJSON: `{}` is not JSON: {e}", text(0)))?
            }
            other => return Err(format!("the function {other}() is not supported here")),
        })
    }
}

fn format_text(template: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if tail.starts_with('{') {
            let end = tail.find('}').ok_or("format: unclosed `{`")?;
            let index: usize = tail[1..end]
                .parse()
                .map_err(|_| format!("format: `{}` is not an argument index", &tail[..=end]))?;
            out.push_str(&as_text(
                args.get(index)
                    .ok_or_else(|| format!("format: no argument {index}"))?,
            ));
            rest = &tail[end + 1..];
        } else {
            return Err("format: a lone `}`".into());
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// Actions compares strings case-insensitively and null as the empty string. A boolean against a
/// string is coerced to numbers on a runner (`'true' == true` is false there): a trap, so it is
/// refused here to catch the workflow bug.
fn same(left: &Value, right: &Value) -> Result<bool, String> {
    match (left, right) {
        (Value::Bool(a), Value::Bool(b)) => Ok(a == b),
        (Value::Bool(_), Value::String(_)) | (Value::String(_), Value::Bool(_)) => {
            Err("comparing a boolean with a string is not supported here".into())
        }
        (Value::Number(_), _) | (_, Value::Number(_)) => Ok(number(left) == number(right)),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            Ok(false)
        }
        _ => Ok(as_text(left).to_lowercase() == as_text(right).to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cx() -> Context {
        let mut cx = Context::default();
        cx.set("inputs", "mode", "pr");
        cx.set("inputs", "empty", "");
        cx.object("steps")
            .insert("plan".into(), json!({"outputs": {"method": "source"}}));
        cx.set("github", "token", "t0k");
        cx.object("github").insert(
            "event".into(),
            json!({"pull_request": {"number": 12, "labels": [{"name": "bug"}, {"name": "backport release/1.2"}]}}),
        );
        cx.object("needs").insert(
            "release".into(),
            json!({"result": "success", "outputs": {"releases": "{\"packages/api\": {\"tag_name\": \"api-v1.2.0\"}}"}}),
        );
        cx
    }

    #[test]
    fn interpolates_lookups_and_defaults() {
        let cx = cx();
        let text = |s: &str| interpolate(s, &cx).unwrap_or_else(|e| format!("error: {e}"));
        assert_eq!(text("a ${{ inputs.mode }} b"), "a pr b");
        assert_eq!(text("${{ inputs.empty || github.token }}"), "t0k");
        assert_eq!(text("${{ steps.none.outputs.x }}"), "");
        assert_eq!(text("${{ github.event.pull_request.number }}"), "12");
        assert_eq!(text("${{ github.event.issue.number }}"), "");
        assert_eq!(
            text("${{ fromJSON(needs.release.outputs.releases)['packages/api'].tag_name }}"),
            "api-v1.2.0"
        );
        assert_eq!(
            text("${{ format('{0}-{{x}}-{1}', inputs.mode, 3) }}"),
            "pr-{x}-3"
        );
        assert_eq!(
            text("${{ join(github.event.pull_request.labels.*.name, ', ') }}"),
            "bug, backport release/1.2"
        );
        assert_eq!(text("${{ 'a }} b' }}"), "a }} b");
    }

    #[test]
    fn conditions_compare_like_actions() {
        let cx = cx();
        let check = |s: &str| evaluate_condition(s, &cx).unwrap_or(false);
        assert!(check("steps.plan.outputs.method == 'source'"));
        assert!(check("${{ steps.plan.outputs.method == 'SOURCE' }}"));
        assert!(!check("steps.plan.outputs.method != 'source'"));
        assert!(check("inputs.mode == 'pr' && !(inputs.empty != '')"));
        assert!(check("github.event.pull_request.number == '12'"));
        assert!(check("github.event.pull_request.number > 11"));
        assert!(check(
            "contains(github.event.pull_request.labels.*.name, 'BUG')"
        ));
        assert!(check("startsWith(inputs.mode, 'P')"));
        assert!(check("needs.release.result == 'success'"));
        let failed = Context {
            failed: true,
            ..cx.clone()
        };
        assert!(!evaluate_condition("inputs.mode == 'pr'", &failed).unwrap_or(true));
        assert!(evaluate_condition("failure() && inputs.mode == 'pr'", &failed).unwrap_or(false));
        assert!(evaluate_condition("always()", &failed).unwrap_or(false));
        let skipped = Context {
            skipped: true,
            ..cx.clone()
        };
        assert!(!evaluate_condition("inputs.mode == 'pr'", &skipped).unwrap_or(true));
        assert!(!evaluate_condition("success()", &skipped).unwrap_or(true));
        assert!(!evaluate_condition("failure()", &skipped).unwrap_or(true));
        assert!(evaluate_condition("!failure() && inputs.mode == 'pr'", &skipped).unwrap_or(false));
    }

    #[test]
    fn anything_else_is_an_error() {
        let cx = cx();
        assert!(interpolate("${{ hashFiles('x') }}", &cx).is_err());
        assert!(interpolate("${{ inputs.missing }}", &cx).is_err());
        assert!(interpolate("${{ github.nothing }}", &cx).is_err());
        assert!(interpolate("${{ needs.other.outputs.x }}", &cx).is_err());
        assert!(interpolate("${{ secrets.X }}", &cx).is_err());
        assert!(interpolate("${{ inputs.mode ", &cx).is_err());
        assert!(evaluate_condition("inputs.mode == true", &cx).is_err());
    }
}
