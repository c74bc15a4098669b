//! A commit message read exactly as release-please reads it.
//!
//! release-please does not follow the Conventional Commits specification to the letter: it uses
//! the grammar of `@conventional-commits/parser` and then interprets the tree its own way (its
//! `src/commit.ts`). The differences decide versions on real histories, so they are reproduced here
//! from those rules (not from a general-purpose parser such as git-conventional):
//!
//! - a message is first split at `BEGIN_NESTED_COMMIT`/`END_NESTED_COMMIT` blocks and where a blank
//!   line is followed by `feat: `, `fix(scope): `… (a fixed list of types, no `!`, no bullet);
//! - the footer block is the longest tail of the message made only of `token: value` / `token #value`
//!   lines (with indented continuation lines), where a token is any word, so git trailers,
//!   `Closes #12` and `feat!: another change` are all footers, with or without a blank line before;
//! - every footer whose token is a type is read again as a message of its own: a further change
//!   when it has a known type (trailers such as `Signed-off-by` give nothing a user sees);
//! - the breaking-change note comes from the last breaking marker (`!` in the header, a body line
//!   opening with `BREAKING CHANGE:`, a `BREAKING CHANGE:`/`BREAKING-CHANGE:` footer), and a
//!   footer's note is its last line;
//! - a word followed by an unclosed `(` at the start of a line makes the whole message unreadable.

/// One change read from a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The type as written (release-please compares `feat` case-sensitively for versions).
    pub kind: String,
    pub scope: Option<String>,
    pub subject: String,
    pub body: String,
    /// The `BREAKING CHANGE` note after release-please's post-processing; present means breaking.
    pub breaking_note: Option<String>,
    /// Issues a footer refers to (`Closes #12`, `Refs: #7`), as written (`0012` stays).
    pub references: Vec<String>,
    /// The text of a `Release-As:` footer.
    pub release_as: Option<String>,
    /// Read from a footer line (`feat!: …` under another header) rather than from a header.
    pub from_footer: bool,
}

/// The types that open a further message after a blank line (release-please's fixed list).
const SPLIT_TYPES: &[&str] = &[
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert",
];

/// A commit's own type, from its header alone (`None` when the header is not conventional): the
/// lines of its body (a URL, a squashed PR's list) are not the commit's type.
pub fn header_type(message: &str) -> Option<String> {
    let header = message.lines().next().unwrap_or_default();
    parse_commit_message(header)
        .into_iter()
        .next()
        .map(|parsed| parsed.kind)
}

/// Every change a commit message holds, in release-please's order; empty when nothing in it is a
/// conventional message.
pub fn parse_commit_message(message: &str) -> Vec<Parsed> {
    let mut out = Vec::new();
    let mut read = |text: &str| {
        if let Ok(parsed) = parse_one(text) {
            out.extend(parsed);
        }
    };
    if !message.contains("BEGIN_NESTED_COMMIT") {
        // The common case, read in place.
        for part in split_at_headers(message)
            .into_iter()
            .filter(|s| !s.is_empty())
        {
            read(part);
        }
        return out;
    }
    for part in split_messages(message) {
        read(&part);
    }
    out
}

/// Nested-commit blocks out, then the rest cut where a blank line is followed by a known header.
pub fn split_messages(message: &str) -> Vec<String> {
    let mut parts = message.split("BEGIN_NESTED_COMMIT");
    let mut main = parts.next().unwrap_or_default().to_string();
    let mut nested = Vec::new();
    for part in parts {
        let mut pieces = part.split("END_NESTED_COMMIT");
        nested.push(pieces.next().unwrap_or_default().to_string());
        // Whatever follows the end marker belongs to the outer message.
        main.push_str(&pieces.collect::<Vec<_>>().join("END_NESTED_COMMIT"));
    }
    let mut out: Vec<String> = split_at_headers(&main)
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    out.extend(nested.into_iter().map(|m| trim_js(&m).to_string()));
    out
}

/// Cuts at `\n\n` (CRLF allowed) followed by `type: ` or `type(scope): ` of [`SPLIT_TYPES`].
fn split_at_headers(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        let gap = blank_gap(&bytes[i..]);
        if gap > 0 && opens_split_header(&text[i + gap..]) {
            out.push(&text[start..i]);
            start = i + gap;
            i = start;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out
}

/// The length of `\r?\n\r?\n` at the start of `bytes`, or 0.
fn blank_gap(bytes: &[u8]) -> usize {
    let newline = |at: usize| match bytes.get(at..) {
        Some([b'\n', ..]) => 1,
        Some([b'\r', b'\n', ..]) => 2,
        _ => 0,
    };
    let first = newline(0);
    if first == 0 {
        return 0;
    }
    let second = newline(first);
    if second == 0 { 0 } else { first + second }
}

fn opens_split_header(text: &str) -> bool {
    SPLIT_TYPES.iter().any(|kind| {
        let Some(rest) = text.strip_prefix(kind) else {
            return false;
        };
        if rest.starts_with(": ") {
            return true;
        }
        // `(scope)`: the first `)` on the line such that `): ` follows (a lazy `.*?`).
        let Some(inner) = rest.strip_prefix('(') else {
            return false;
        };
        // JavaScript's `.` stops at every line terminator.
        let line = inner
            .split(['\n', '\r', '\u{2028}', '\u{2029}'])
            .next()
            .unwrap_or_default();
        line.match_indices(')')
            .any(|(at, _)| line[at..].starts_with("): "))
    })
}

const BREAKING_LEN: usize = "BREAKING CHANGE".len();

/// Why a message does not parse. Both end the same way (the message is not conventional); they
/// are kept apart because only `NoMatch` lets the grammar try another reading.
#[derive(Clone, Debug)]
enum Fail {
    NoMatch,
    /// An unclosed `(` after a word: the parser release-please uses gives up on the whole message.
    Unclosed,
}

fn is_space(c: char) -> bool {
    matches!(c, '\u{feff}' | '\t' | '\u{0b}' | '\u{0c}' | ' ' | '\u{a0}')
}

fn is_newline(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// What a footer's token is.
#[derive(Debug)]
enum Token<'a> {
    /// `BREAKING CHANGE`/`BREAKING-CHANGE` (true), or a bare `!` (false), which notes nothing.
    Breaking(bool),
    Type {
        kind: &'a str,
        scope: Option<&'a str>,
        /// `!`, or a `BREAKING CHANGE` written where the `!` goes.
        bang: Option<&'a str>,
    },
}

#[derive(Debug)]
struct Footer<'a> {
    token: Token<'a>,
    /// `:` or ` #`.
    hash_separator: bool,
    /// The value's first line, then each continuation's newline(s) and text.
    text: &'a str,
    continuations: Vec<(&'a str, &'a str)>,
}

impl Footer<'_> {
    fn last_text(&self) -> &str {
        self.continuations.last().map_or(self.text, |(_, t)| t)
    }
}

#[derive(Debug)]
struct BodyLine<'a> {
    marker: bool,
    text: &'a str,
    /// The newline(s) after the line, unless the line is the body's last.
    newline: &'a str,
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    /// Verdicts of [`Scanner::only_footers_follow`] by position, so a long body stays linear.
    footers_verdict: std::collections::HashMap<usize, Result<bool, Fail>>,
}

impl<'a> Scanner<'a> {
    fn eof(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = &self.text[self.pos..];
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn newline(&mut self) -> Option<&'a str> {
        Some(self.take_while(is_newline)).filter(|s| !s.is_empty())
    }

    fn whitespace(&mut self) -> Option<&'a str> {
        Some(self.take_while(is_space)).filter(|s| !s.is_empty())
    }

    fn line_text(&mut self) -> &'a str {
        self.take_while(|c| !is_newline(c))
    }

    fn eat(&mut self, literal: &str) -> bool {
        let found = self.text[self.pos..].starts_with(literal);
        if found {
            self.pos += literal.len();
        }
        found
    }

    fn kind(&mut self) -> Option<&'a str> {
        let t = self.take_while(|c| {
            !(c == '(' || c == ')' || c == '!' || c == ':' || is_space(c) || is_newline(c))
        });
        (!t.is_empty()).then_some(t)
    }

    /// `(scope)`: `Ok(None)` without a `(`; an empty scope does not match.
    fn scope(&mut self) -> Result<Option<&'a str>, Fail> {
        if !self.eat("(") {
            return Ok(None);
        }
        let value = self.take_while(|c| !(c == '(' || c == ')' || is_newline(c)));
        if !self.eat(")") {
            return Err(Fail::Unclosed);
        }
        if value.is_empty() {
            return Err(Fail::NoMatch);
        }
        Ok(Some(value))
    }

    /// `BREAKING CHANGE` or `BREAKING-CHANGE` (both [`BREAKING_LEN`] bytes).
    fn breaking_literal(&mut self) -> bool {
        self.eat("BREAKING CHANGE") || self.eat("BREAKING-CHANGE")
    }

    /// `:` (false) or ` #` (true).
    fn separator(&mut self) -> Option<bool> {
        if self.eat(":") {
            Some(false)
        } else if self.eat(" #") {
            Some(true)
        } else {
            None
        }
    }

    fn footer(&mut self) -> Result<Footer<'a>, Fail> {
        let start = self.pos;
        let result = self.footer_inner();
        if result.is_err() {
            self.pos = start;
        }
        result
    }

    fn footer_inner(&mut self) -> Result<Footer<'a>, Fail> {
        let token = if self.eat("!") {
            Token::Breaking(false)
        } else if self.breaking_literal() {
            Token::Breaking(true)
        } else {
            let kind = self.kind().ok_or(Fail::NoMatch)?;
            let scope = self.scope()?;
            let bang = if self.eat("!") {
                Some("!")
            } else if self.breaking_literal() {
                Some(&self.text[self.pos - BREAKING_LEN..self.pos])
            } else {
                None
            };
            Token::Type { kind, scope, bang }
        };
        let hash_separator = self.separator().ok_or(Fail::NoMatch)?;
        self.whitespace();
        let text = self.line_text();
        let mut continuations = Vec::new();
        loop {
            let before = self.pos;
            let Some(newline) = self.newline() else { break };
            if self.whitespace().is_none() {
                self.pos = before;
                break;
            }
            continuations.push((newline, self.line_text()));
        }
        Ok(Footer {
            token,
            hash_separator,
            text,
            continuations,
        })
    }

    /// Whether everything from here on is footers (blank lines between them allowed).
    fn only_footers_follow(&mut self) -> Result<bool, Fail> {
        let start = self.pos;
        let mut visited = Vec::new();
        let verdict = loop {
            if self.eof() {
                break Ok(true);
            }
            self.newline();
            if let Some(known) = self.footers_verdict.get(&self.pos) {
                break known.clone();
            }
            visited.push(self.pos);
            match self.footer() {
                Ok(_) => {}
                Err(Fail::NoMatch) => break Ok(false),
                Err(unclosed) => break Err(unclosed),
            }
        };
        // Only a scan over several footers is worth remembering (and allocating for).
        if visited.len() > 1 {
            for at in visited {
                self.footers_verdict.insert(at, verdict.clone());
            }
        }
        self.pos = start;
        verdict
    }
}

struct Tree<'a> {
    kind: &'a str,
    scope: Option<&'a str>,
    bang: bool,
    subject: &'a str,
    body: Vec<BodyLine<'a>>,
    footers: Vec<Footer<'a>>,
}

/// JavaScript's white space and line terminators (what its `trim` and `\s` match): Unicode's
/// white space without U+0085, plus U+FEFF.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

fn trim_js(text: &str) -> &str {
    text.trim_matches(is_js_space)
}

fn parse_tree(message: &str) -> Result<Tree<'_>, Fail> {
    let mut s = Scanner {
        text: trim_js(message),
        pos: 0,
        footers_verdict: Default::default(),
    };
    let kind = s.kind().ok_or(Fail::NoMatch)?;
    let scope = s.scope()?;
    // The grammar takes `BREAKING CHANGE` wherever it takes `!`: `feat(a)BREAKING CHANGE: x`.
    let bang = s.eat("!") || s.breaking_literal();
    s.separator().ok_or(Fail::NoMatch)?;
    s.whitespace();
    let subject = s.line_text();
    let mut tree = Tree {
        kind,
        scope,
        bang,
        subject,
        body: Vec::new(),
        footers: Vec::new(),
    };
    if s.eof() {
        return Ok(tree);
    }
    s.newline();
    // The body, line by line, until only footers follow.
    let mut in_body = !s.only_footers_follow()?;
    while in_body {
        let marker = {
            let had_literal = s.breaking_literal();
            had_literal && s.eat(":") && {
                s.whitespace();
                true
            }
        };
        let text = s.line_text();
        let before = s.pos;
        let newline = s.newline().unwrap_or_default();
        tree.body.push(BodyLine {
            marker,
            text,
            newline,
        });
        if s.eof() {
            return Ok(tree);
        }
        if s.only_footers_follow()? {
            // The newline before the footers is not the body's.
            s.pos = before;
            if let Some(last) = tree.body.last_mut() {
                last.newline = "";
            }
            s.newline();
            in_body = false;
        }
    }
    while !s.eof() {
        match s.footer() {
            Ok(footer) => tree.footers.push(footer),
            Err(Fail::NoMatch) => break,
            Err(unclosed) => return Err(unclosed),
        }
        if s.newline().is_none() {
            break;
        }
    }
    Ok(tree)
}

/// A message and the footers in it that are messages too, footer ones first (release-please's
/// order).
fn parse_one(message: &str) -> Result<Vec<Parsed>, Fail> {
    let tree = parse_tree(message)?;
    let mut out = Vec::new();

    // The last breaking marker in the tree wins.
    let mut note: Option<String> = tree.bang.then(|| tree.subject.to_string());
    if let Some(first) = tree.body.iter().position(|l| l.marker) {
        let mut text = String::new();
        for line in &tree.body[first..] {
            text.push_str(line.text);
            text.push_str(line.newline);
        }
        note = Some(text);
    }
    let mut references = Vec::new();
    let mut release_as = None;
    for footer in &tree.footers {
        // A `BREAKING CHANGE` token, also where a typed footer's `!` goes, notes its last line.
        let literal = match footer.token {
            Token::Breaking(literal) => literal,
            Token::Type { bang, .. } => bang.is_some_and(|b| b != "!"),
        };
        if literal {
            note = Some(footer.last_text().to_string());
        }
        let hash_text = std::iter::once(footer.text)
            .chain(footer.continuations.iter().map(|(_, t)| *t))
            .any(|t| t.starts_with('#'));
        if footer.hash_separator || hash_text {
            let last = footer.last_text();
            let issue = last.strip_prefix('#').unwrap_or(last);
            if !issue.is_empty() && issue.bytes().all(|b| b.is_ascii_digit()) {
                references.push(issue.to_string());
            }
        }
        if let Token::Type { kind, scope, bang } = footer.token {
            if kind.eq_ignore_ascii_case("release-as") {
                release_as = Some(footer.last_text().to_string());
            }
            let mut text = kind.to_string();
            if let Some(scope) = scope {
                text.push_str(&format!("({scope})"));
            }
            if let Some(bang) = bang {
                text.push_str(bang);
            }
            if !footer.hash_separator {
                text.push_str(": ");
            }
            text.push_str(footer.text);
            for (newline, line) in &footer.continuations {
                text.push_str(newline);
                text.push_str(line);
            }
            if let Ok(parsed) = parse_one(&text) {
                out.extend(parsed.into_iter().map(|p| Parsed {
                    from_footer: true,
                    ..p
                }));
            }
        }
    }

    let mut body = String::new();
    for line in &tree.body {
        body.push_str(line.text);
        body.push_str(line.newline);
    }
    let mut breaking_note = note.and_then(|n| post_process_note(&n));
    if let Some(extra) = hyphenated_marker_in_text(&body) {
        breaking_note = Some(match breaking_note {
            Some(note) => format!("{note}\n{extra}"),
            None => extra.to_string(),
        });
    }
    out.push(Parsed {
        kind: tree.kind.to_string(),
        scope: tree.scope.map(str::to_string),
        subject: tree.subject.to_string(),
        body,
        breaking_note,
        references,
        release_as,
        from_footer: false,
    });
    Ok(out)
}

/// `BREAKING-CHANGE:` inside the body's text (indented, or within a line; a marker opening a line
/// is read by the grammar): release-please adds what follows it on that line to the note.
fn hyphenated_marker_in_text(body: &str) -> Option<&str> {
    const MARKER: &str = "BREAKING-CHANGE:";
    let at = body.find(MARKER)?;
    let rest = body[at + MARKER.len()..].trim_start_matches(is_js_space);
    let line = rest
        .split(['\n', '\r', '\u{2028}', '\u{2029}'])
        .next()
        .unwrap_or_default();
    Some(trim_js(line)).filter(|l| !l.is_empty())
}

/// release-please's clean-up of a note: lines joined by spaces up to the first blank line, or,
/// when a later line opens a list or a `####` heading, kept as indented Markdown from there.
fn post_process_note(raw: &str) -> Option<String> {
    if raw.is_empty() {
        return None;
    }
    let mut text = String::new();
    let mut extended = false;
    for (i, chunk) in raw
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
    {
        let opens_context =
            chunk.starts_with("#### ") || chunk.starts_with("* ") || chunk.starts_with("- ");
        if i > 0 && opens_context && !extended {
            text = format!("{}\n", text.trim());
            extended = true;
        }
        if chunk.is_empty() {
            break;
        }
        if extended {
            text.push_str(&format!("    {chunk}\n"));
        } else {
            text.push_str(chunk);
            text.push(' ');
        }
    }
    Some(text.trim().to_string())
}
