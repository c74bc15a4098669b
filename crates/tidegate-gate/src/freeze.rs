//! Freeze windows in a time zone: dated windows, weekly windows and holidays, read as civil
//! (wall-clock) times and turned into instants on the day they apply, so a window keeps its
//! local hours across a daylight-saving change.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;

#[derive(Clone, Debug)]
pub struct FreezeSpec {
    zone_name: String,
    zone: TimeZone,
    windows: Vec<Window>,
}

#[derive(Clone, Debug)]
enum Window {
    Dated {
        start: DateTime,
        end: DateTime,
    },
    /// From a weekday and time to the next given weekday and time (`Fri 16:00/Mon 08:00`).
    Weekly {
        start: (Weekday, Time),
        end: (Weekday, Time),
    },
    Holiday(Date),
}

/// A freeze in force at some instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveFreeze {
    /// When the freeze ends (contiguous windows joined).
    pub ends: Timestamp,
    /// The end as people read it: `2026-12-28 08:00 Europe/Paris`.
    pub ends_local: String,
}

impl FreezeSpec {
    /// Parses the policy's windows; the message of an error says which text is wrong.
    pub fn parse(windows: &[String], holidays: &[String], zone: &str) -> Result<Self, String> {
        let tz = TimeZone::get(zone).map_err(|_| {
            format!(
                "time-zone {zone:?} is not in the system time zone database (/usr/share/zoneinfo); \
                 use an IANA name such as \"Europe/Paris\""
            )
        })?;
        if windows.is_empty() && holidays.is_empty() {
            return Err("no window and no holiday".into());
        }
        let mut parsed = Vec::new();
        for text in windows {
            parsed.push(parse_window(text)?);
        }
        for text in holidays {
            let date: Date = text
                .trim()
                .parse()
                .map_err(|_| format!("holiday {text:?} is not a date such as \"2026-12-25\""))?;
            parsed.push(Window::Holiday(date));
        }
        Ok(FreezeSpec {
            zone_name: zone.to_string(),
            zone: tz,
            windows: parsed,
        })
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// The freeze in force at `at`, if any, with its end; windows that touch are joined.
    pub fn active(&self, at: Timestamp) -> Option<ActiveFreeze> {
        let mut ends = self.ends_of_windows_containing(at)?;
        // A window that starts where another ends continues the freeze; bounded, as windows are.
        for _ in 0..366 {
            match self.ends_of_windows_containing(ends) {
                Some(later) if later > ends => ends = later,
                _ => break,
            }
        }
        Some(ActiveFreeze {
            ends,
            ends_local: self.local(ends),
        })
    }

    /// An instant as people in the zone read it.
    pub fn local(&self, at: Timestamp) -> String {
        format!(
            "{} {}",
            at.to_zoned(self.zone.clone()).strftime("%Y-%m-%d %H:%M"),
            self.zone_name
        )
    }

    fn ends_of_windows_containing(&self, at: Timestamp) -> Option<Timestamp> {
        self.windows
            .iter()
            .filter_map(|w| self.window_end_if_containing(w, at))
            .max()
    }

    fn instant(&self, dt: DateTime) -> Option<Timestamp> {
        // A time that does not exist (skipped by DST) moves forward, one that occurs twice is the
        // first: jiff's "compatible" rule, as RFC 5545 calendars do.
        dt.to_zoned(self.zone.clone()).ok().map(|z| z.timestamp())
    }

    fn window_end_if_containing(&self, window: &Window, at: Timestamp) -> Option<Timestamp> {
        let (start, end) = match window {
            Window::Dated { start, end } => (self.instant(*start)?, self.instant(*end)?),
            Window::Holiday(date) => (
                self.instant(date.to_datetime(Time::midnight()))?,
                self.instant(date.tomorrow().ok()?.to_datetime(Time::midnight()))?,
            ),
            Window::Weekly { start, end } => self.weekly_occurrence(*start, *end, at)?,
        };
        (start <= at && at < end).then_some(end)
    }

    /// The latest occurrence of a weekly window that starts at or before `at`.
    fn weekly_occurrence(
        &self,
        (start_day, start_time): (Weekday, Time),
        (end_day, end_time): (Weekday, Time),
        at: Timestamp,
    ) -> Option<(Timestamp, Timestamp)> {
        let today = at.to_zoned(self.zone.clone()).date();
        for back in 0..=7 {
            let day = add_days(today, -back)?;
            if day.weekday() != start_day {
                continue;
            }
            let start = self.instant(day.to_datetime(start_time))?;
            if start > at {
                continue;
            }
            let mut ahead =
                i64::from(end_day.to_monday_zero_offset() - start_day.to_monday_zero_offset())
                    .rem_euclid(7);
            if ahead == 0 && end_time <= start_time {
                ahead = 7;
            }
            let end = self.instant(add_days(day, ahead)?.to_datetime(end_time))?;
            return Some((start, end));
        }
        None
    }
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(jiff::Span::new().days(days)).ok()
}

fn parse_window(text: &str) -> Result<Window, String> {
    let wrong = || {
        format!(
            "window {text:?} is neither \"YYYY-MM-DDTHH:MM/YYYY-MM-DDTHH:MM\" nor \"Fri 16:00/Mon 08:00\""
        )
    };
    let (from, to) = text.split_once('/').ok_or_else(wrong)?;
    let (from, to) = (from.trim(), to.trim());
    if let (Ok(start), Ok(end)) = (from.parse::<DateTime>(), to.parse::<DateTime>()) {
        if end <= start {
            return Err(format!("window {text:?} ends before it starts"));
        }
        return Ok(Window::Dated { start, end });
    }
    let start = weekly_point(from).ok_or_else(wrong)?;
    let end = weekly_point(to).ok_or_else(wrong)?;
    if start == end {
        return Err(format!("window {text:?} ends when it starts"));
    }
    Ok(Window::Weekly { start, end })
}

/// `Fri 16:00` (English day names, three letters or whole).
fn weekly_point(text: &str) -> Option<(Weekday, Time)> {
    let (day, time) = text.split_once(char::is_whitespace)?;
    let day = match day.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Monday,
        "tue" | "tuesday" => Weekday::Tuesday,
        "wed" | "wednesday" => Weekday::Wednesday,
        "thu" | "thursday" => Weekday::Thursday,
        "fri" | "friday" => Weekday::Friday,
        "sat" | "saturday" => Weekday::Saturday,
        "sun" | "sunday" => Weekday::Sunday,
        _ => return None,
    };
    Some((day, time.trim().parse().ok()?))
}
