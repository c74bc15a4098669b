//! The part of the Actions expression language the project's actions use: context lookups
//! (`inputs.x`, `steps.id.outputs.x`, `github.x`, `runner.x`, `env.x`), string literals,
//! `true`/`false`, `==`, `!=`, `!`, `&&`, `||` and parentheses. Anything else is an error.

use std::collections::BTreeMap;

pub struct Context {
    pub inputs: BTreeMap<String, String>,
    pub steps: BTreeMap<String, BTreeMap<String, String>>,
    pub github: BTreeMap<String, String>,
    pub runner: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Bool(bool),
    Str(String),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Str(s) => !s.is_empty(),
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => s.clone(),
        }
    }
}

/// Replaces every `${{ expr }}` in `text` with its value.
pub fn interpolate(text: &str, cx: &Context) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed expression in `{text}`"))?;
        out.push_str(&evaluate(&after[..end], cx)?.text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// An `if:`: a bare expression or one wrapped in `${{ }}`.
pub fn evaluate_condition(text: &str, cx: &Context) -> Result<bool, String> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(trimmed);
    Ok(evaluate(inner, cx)?.truthy())
}

fn evaluate(source: &str, cx: &Context) -> Result<Value, String> {
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
    Path(Vec<String>),
    Literal(String),
    Bool(bool),
    Op(&'static str),
}

fn tokenize(source: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '\'' => {
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
            }
            '=' if next == Some('=') => {
                tokens.push(Token::Op("=="));
                i += 2;
            }
            '!' if next == Some('=') => {
                tokens.push(Token::Op("!="));
                i += 2;
            }
            '&' if next == Some('&') => {
                tokens.push(Token::Op("&&"));
                i += 2;
            }
            '|' if next == Some('|') => {
                tokens.push(Token::Op("||"));
                i += 2;
            }
            '!' => {
                tokens.push(Token::Op("!"));
                i += 1;
            }
            '(' => {
                tokens.push(Token::Op("("));
                i += 1;
            }
            ')' => {
                tokens.push(Token::Op(")"));
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "_-.".contains(chars[i]))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(match word.as_str() {
                    "true" => Token::Bool(true),
                    "false" => Token::Bool(false),
                    _ => Token::Path(word.split('.').map(String::from).collect()),
                });
            }
            other => return Err(format!("`{other}` is not understood in `{source}`")),
        }
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
            if !left.truthy() {
                left = right;
            }
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Value, String> {
        let mut left = self.comparison()?;
        while self.eat("&&") {
            let right = self.comparison()?;
            if left.truthy() {
                left = right;
            }
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Value, String> {
        let left = self.unary()?;
        for (op, equal) in [("==", true), ("!=", false)] {
            if self.eat(op) {
                let right = self.unary()?;
                return Ok(Value::Bool(same(&left, &right)? == equal));
            }
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Value, String> {
        if self.eat("!") {
            return Ok(Value::Bool(!self.unary()?.truthy()));
        }
        if self.eat("(") {
            let value = self.or()?;
            if !self.eat(")") {
                return Err("missing `)`".into());
            }
            return Ok(value);
        }
        let token = self.tokens.get(self.at).cloned().ok_or("missing operand")?;
        self.at += 1;
        match token {
            Token::Literal(s) => Ok(Value::Str(s)),
            Token::Bool(b) => Ok(Value::Bool(b)),
            Token::Path(path) => self.lookup(&path),
            Token::Op(op) => Err(format!("unexpected `{op}`")),
        }
    }

    fn lookup(&self, path: &[String]) -> Result<Value, String> {
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        let found = match parts.as_slice() {
            ["inputs", name] => Some(
                self.cx
                    .inputs
                    .get(*name)
                    .ok_or_else(|| format!("no input `{name}`"))?,
            ),
            ["steps", id, "outputs", name] => self
                .cx
                .steps
                .get(*id)
                .and_then(|outputs| outputs.get(*name)),
            // The event's payload: a field the event lacks is null, as on a runner.
            ["github", "event", field @ ..] => {
                self.cx.github.get(&format!("event.{}", field.join(".")))
            }
            ["github", name] => Some(
                self.cx
                    .github
                    .get(*name)
                    .ok_or_else(|| format!("github.{name} is not known here"))?,
            ),
            ["runner", name] => Some(
                self.cx
                    .runner
                    .get(*name)
                    .ok_or_else(|| format!("runner.{name} is not known here"))?,
            ),
            ["env", name] => self.cx.env.get(*name),
            _ => return Err(format!("`{}` is not understood here", path.join("."))),
        };
        Ok(found.map_or(Value::Null, |s| Value::Str(s.clone())))
    }
}

/// Actions compares strings case-insensitively, and null as the empty string; mixing booleans
/// and strings coerces to numbers, which the project's actions never need, so it is refused.
fn same(left: &Value, right: &Value) -> Result<bool, String> {
    match (left, right) {
        (Value::Bool(a), Value::Bool(b)) => Ok(a == b),
        (Value::Bool(_), _) | (_, Value::Bool(_)) => {
            Err("comparing a boolean with a string is not supported here".into())
        }
        _ => Ok(left.text().to_lowercase() == right.text().to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            inputs: BTreeMap::from([("mode".into(), "pr".into()), ("empty".into(), "".into())]),
            steps: BTreeMap::from([(
                "plan".into(),
                BTreeMap::from([("method".into(), "source".into())]),
            )]),
            github: BTreeMap::from([("token".into(), "t0k".into())]),
            runner: BTreeMap::new(),
            env: BTreeMap::new(),
        }
    }

    #[test]
    fn interpolates_lookups_and_defaults() {
        let cx = cx();
        assert_eq!(
            interpolate("a ${{ inputs.mode }} b", &cx).unwrap_or_default(),
            "a pr b"
        );
        assert_eq!(
            interpolate("${{ inputs.empty || github.token }}", &cx).unwrap_or_default(),
            "t0k"
        );
        assert_eq!(
            interpolate("${{ steps.none.outputs.x }}", &cx).unwrap_or_default(),
            ""
        );
    }

    #[test]
    fn conditions_compare_like_actions() {
        let cx = cx();
        let check = |s: &str| evaluate_condition(s, &cx).unwrap_or(false);
        assert!(check("steps.plan.outputs.method == 'source'"));
        assert!(check("${{ steps.plan.outputs.method == 'SOURCE' }}"));
        assert!(!check("steps.plan.outputs.method != 'source'"));
        assert!(check("inputs.mode == 'pr' && !(inputs.empty != '')"));
    }

    #[test]
    fn anything_else_is_an_error() {
        let cx = cx();
        assert!(interpolate("${{ format('{0}', inputs.mode) }}", &cx).is_err());
        assert!(interpolate("${{ inputs.missing }}", &cx).is_err());
        assert!(interpolate("${{ secrets.X }}", &cx).is_err());
        assert!(evaluate_condition("inputs.mode == true", &cx).is_err());
    }
}
