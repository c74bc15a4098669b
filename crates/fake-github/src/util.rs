//! Small helpers: timestamps, ids, base64, URL escaping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped when a name is put into a URL path (slashes are kept: branch names).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Escapes a name (login, branch, tag, path) for a URL path.
pub(crate) fn enc(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Characters escaped in a query value.
const QUERY: &AsciiSet = &PATH.add(b'&').add(b'=').add(b'+').add(b'/').add(b':');

/// Escapes a query value.
pub(crate) fn enc_query(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

/// A fresh id, unique in the process (GitHub's ids are global too).
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1_000_001);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A stable numeric id for a login (GitHub Actions' bot keeps its real id).
pub(crate) fn user_id(login: &str) -> u64 {
    if login == "github-actions[bot]" {
        return 41_898_282;
    }
    // FNV-1a, folded into a plausible range.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in login.to_ascii_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    100_000 + h % 90_000_000
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The current time as GitHub writes it: `2026-11-21T07:03:00Z`.
pub(crate) fn now_iso() -> String {
    iso8601(now_secs())
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub(crate) fn iso8601(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        tidegate_core::release::utc_date(secs),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Standard base64 with line breaks every 60 characters, as GitHub's contents API sends files.
pub(crate) fn base64_lines(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut plain = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                plain.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                plain.push('=');
            }
        }
    }
    let mut out = String::with_capacity(plain.len() + plain.len() / 60 + 1);
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            out.push('\n');
        }
        out.push(c);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn base64() {
        assert_eq!(base64_lines(b""), "");
        assert_eq!(base64_lines(b"f"), "Zg==\n");
        assert_eq!(base64_lines(b"fo"), "Zm8=\n");
        assert_eq!(base64_lines(b"foo"), "Zm9v\n");
        let long = base64_lines(&[0u8; 60]);
        assert_eq!(long.lines().map(str::len).collect::<Vec<_>>(), vec![60, 20]);
    }

    #[test]
    fn escaping() {
        assert_eq!(enc("github-actions[bot]"), "github-actions%5Bbot%5D");
        assert_eq!(enc("feature/x y"), "feature/x%20y");
        assert_eq!(enc_query("acme:main"), "acme%3Amain");
    }
}
