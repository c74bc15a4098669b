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

/// Decodes standard base64, ignoring line breaks and spaces (GitHub sends and takes it wrapped).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 4 != 0 {
        return None;
    }
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    for quad in digits.chunks(4) {
        let pad = quad.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || quad[..4 - pad].contains(&b'=') {
            return None;
        }
        let mut n: u32 = 0;
        for b in &quad[..4 - pad] {
            n = (n << 6) | u32::from(value(*b)?);
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// `YYYY-MM-DDTHH:MM:SS` followed by `Z` or `±HH:MM`, as seconds since the epoch and the offset
/// in minutes.
pub(crate) fn parse_iso8601(text: &str) -> Option<(i64, i32)> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let zone = text.get(19..)?;
    let zone = zone
        .strip_prefix('.')
        .map_or(zone, |z| z.trim_start_matches(|c: char| c.is_ascii_digit()));
    let offset = match zone {
        "Z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) => {
            let minutes = z[1..3].parse::<i32>().ok()? * 60 + z[4..6].parse::<i32>().ok()?;
            if z.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let local = days * 86_400 + hh * 3600 + mm * 60 + ss;
    Some((local - i64::from(offset) * 60, offset))
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
    fn base64_round_trips() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"any bytes \x00\xff"] {
            assert_eq!(base64_decode(&base64_lines(data)).as_deref(), Some(data));
        }
        assert_eq!(base64_decode("Zg="), None);
        assert_eq!(base64_decode("Z!=="), None);
    }

    #[test]
    fn dates_parse_back() {
        assert_eq!(
            parse_iso8601("2026-11-18T11:06:40Z"),
            Some((1_795_000_000, 0))
        );
        assert_eq!(
            parse_iso8601("2026-11-18T12:06:40+01:00"),
            Some((1_795_000_000, 60))
        );
        assert_eq!(
            parse_iso8601("2000-02-29T00:00:00.123Z"),
            Some((951_782_400, 0))
        );
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    #[test]
    fn escaping() {
        assert_eq!(enc("github-actions[bot]"), "github-actions%5Bbot%5D");
        assert_eq!(enc("feature/x y"), "feature/x%20y");
        assert_eq!(enc_query("acme:main"), "acme%3Amain");
    }
}
