//! ClickUp's millisecond timestamps, turned into RFC 3339 UTC text.
//!
//! ClickUp sends epoch milliseconds, usually as strings (`"1567780450202"`) and sometimes as numbers.
//! Users want dates, so every timestamp field becomes `2019-09-06T14:34:10.202Z`: RFC 3339, UTC,
//! always with milliseconds. `null` stays `null`. A value that is no timestamp at all, or lies
//! outside the years 0000–9999 that RFC 3339 can write, is kept exactly as ClickUp sent it:
//! nothing is lost and nothing panics.

use chrono::DateTime;
use serde_json::Value;

/// Earliest instant RFC 3339 can write: 0000-01-01T00:00:00.000Z.
const MIN_MS: i64 = -62_167_219_200_000;
/// Latest instant RFC 3339 can write: 9999-12-31T23:59:59.999Z.
const MAX_MS: i64 = 253_402_300_799_999;

/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds, or `None` when out of range.
pub fn format_ms(ms: i64) -> Option<String> {
    let mut text = Vec::with_capacity(24);
    if !write_ms(ms, &mut text) {
        return None;
    }
    String::from_utf8(text).ok()
}

/// [`format_ms`] written at the end of `out` (24 ASCII bytes, `YYYY-MM-DDTHH:MM:SS.mmmZ`), with no
/// `String` of its own; false, and nothing written, when out of range.
///
/// Why by hand: chrono's `to_rfc3339_opts` builds a `String` through `core::fmt`, and the one
/// pass writes every timestamp of every task (six a task, and each custom field's and
/// checklist's): that was 2% of a task page's instructions inside wasm. The calendar is the
/// proleptic Gregorian one chrono uses (days to a civil date as in Howard Hinnant's
/// `civil_from_days`); a property test holds it to chrono over the whole range.
pub fn write_ms(ms: i64, out: &mut Vec<u8>) -> bool {
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return false;
    }
    const DAY_MS: i64 = 86_400_000;
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS);
    let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
    let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
    // Each part in its width of digits, and the character after it: written out, not a loop
    // over the parts (each digit a store of its own; the loop cost 1.4% of a task page).
    part(out, year, 4, b'-');
    part(out, month, 2, b'-');
    part(out, day, 2, b'T');
    part(out, hour, 2, b':');
    part(out, minute, 2, b':');
    part(out, second, 2, b'.');
    part(out, milli, 3, b'Z');
    true
}

/// `n` in `width` digits, then `after`.
#[inline(always)]
fn part(out: &mut Vec<u8>, n: i64, width: u32, after: u8) {
    for place in (0..width).rev() {
        let digit = n / 10_i64.pow(place) % 10;
        out.push(b'0' + u8::try_from(digit).unwrap_or(0));
    }
    out.push(after);
}

/// [`write_ms`] as a JSON string (RFC 3339 text has nothing to escape): the quotes and the text,
/// or false and nothing written when out of range.
#[inline]
pub fn write_ms_string(ms: i64, out: &mut Vec<u8>) -> bool {
    let at = out.len();
    out.push(b'"');
    if write_ms(ms, out) {
        out.push(b'"');
        true
    } else {
        out.truncate(at);
        false
    }
}

/// The civil date (year, month 1–12, day 1–31) of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`: eras of 400 years, years
/// that start in March so that the leap day comes last).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Reads epoch milliseconds from a JSON string or number. Fractional values are rounded; anything
/// else (null, text, objects, non-finite or out-of-`i64` numbers) gives `None`.
pub fn read_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(float_ms)),
        Value::String(s) => text_ms(s),
        _ => None,
    }
}

/// Reads epoch milliseconds from the text of a JSON string, as [`read_ms`] does.
pub fn text_ms(text: &str) -> Option<i64> {
    let s = text.trim();
    s.parse::<i64>()
        .ok()
        .or_else(|| s.parse::<f64>().ok().and_then(float_ms))
}

/// Reads epoch milliseconds from a fractional JSON number, as [`read_ms`] does (rounded; none
/// when not finite or out of `i64`).
pub fn float_ms(f: f64) -> Option<i64> {
    // `as` saturates, so compare against the range first to keep out-of-range values unconverted.
    (f.is_finite() && f.abs() < 9.2e18).then(|| f.round() as i64)
}

/// Converts one timestamp value in place of the original: RFC 3339 text when it is a timestamp,
/// the value unchanged otherwise (including `null`).
pub fn convert(value: &Value) -> Value {
    match read_ms(value).and_then(format_ms) {
        Some(text) => Value::String(text),
        None => value.clone(),
    }
}

/// Converts the named fields of a JSON object in place; absent fields stay absent.
pub fn convert_fields(object: &mut Value, fields: &[&str]) {
    if let Value::Object(map) = object {
        for field in fields {
            if let Some(v) = map.get_mut(*field) {
                *v = convert(v);
            }
        }
    }
}

/// Parses an RFC 3339 date or date-time (or a bare `YYYY-MM-DD`, taken as midnight UTC) into epoch ms.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;
    use serde_json::json;

    /// chrono's text for `ms`: the reference the hand-written formatter is held to.
    fn chrono_text(ms: i64) -> Option<String> {
        if !(MIN_MS..=MAX_MS).contains(&ms) {
            return None;
        }
        DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    proptest::proptest! {
        #[test]
        fn timestamps_are_written_as_chrono_writes_them(ms in MIN_MS - 1000..=MAX_MS + 1000) {
            proptest::prop_assert_eq!(format_ms(ms), chrono_text(ms));
        }
    }

    #[test]
    fn the_range_edges_and_the_calendars_turns_are_written_as_chrono_writes_them() {
        let day = 86_400_000;
        let mut instants = vec![MIN_MS - 1, MIN_MS, MAX_MS, MAX_MS + 1, -1, 0, 1];
        // Every day from 1 March 1896 to 1 March 1904 (1900 is not a leap year), around 2000
        // (which is), and the first and last years of the range, at a day's first and last ms.
        for (from, days) in [
            (-2_335_219_200_000, 2923),
            (946_684_800_000 - 800 * day, 1600),
            (MIN_MS, 800),
            (MAX_MS + 1 - 800 * day, 800),
        ] {
            for d in 0..days {
                instants.extend([from + d * day, from + d * day + day - 1]);
            }
        }
        for ms in instants {
            assert_eq!(format_ms(ms), chrono_text(ms), "{ms}");
        }
        let mut out = b"x".to_vec();
        assert!(!write_ms(MAX_MS + 1, &mut out));
        assert_eq!(out, b"x");
    }

    #[test]
    fn strings_and_numbers_become_rfc3339_with_milliseconds() {
        assert_eq!(
            convert(&json!("1609459200000")),
            json!("2021-01-01T00:00:00.000Z")
        );
        assert_eq!(
            convert(&json!(1609459200000i64)),
            json!("2021-01-01T00:00:00.000Z")
        );
        assert_eq!(
            convert(&json!("1567780450202")),
            json!("2019-09-06T14:34:10.202Z")
        );
        assert_eq!(
            convert(&json!(1567780450202.4)),
            json!("2019-09-06T14:34:10.202Z")
        );
        assert_eq!(convert(&json!(" 0 ")), json!("1970-01-01T00:00:00.000Z"));
    }

    #[test]
    fn null_stays_null_and_non_timestamps_are_kept() {
        assert_eq!(convert(&Value::Null), Value::Null);
        assert_eq!(convert(&json!("soon")), json!("soon"));
        assert_eq!(convert(&json!("")), json!(""));
        assert_eq!(convert(&json!({"a": 1})), json!({"a": 1}));
        assert_eq!(convert(&json!(true)), json!(true));
    }

    #[test]
    fn negative_timestamps_are_dates_before_1970() {
        assert_eq!(convert(&json!("-1000")), json!("1969-12-31T23:59:59.000Z"));
        assert_eq!(
            format_ms(MIN_MS).as_deref(),
            Some("0000-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn huge_and_out_of_range_values_are_kept_without_panicking() {
        assert_eq!(
            format_ms(MAX_MS).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        for v in [
            json!(MAX_MS + 1),
            json!(MIN_MS - 1),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1e300),
            json!("99999999999999999999999"),
            json!("NaN"),
            json!("inf"),
        ] {
            assert_eq!(convert(&v), v, "{v}");
        }
    }

    #[test]
    fn convert_fields_touches_only_the_named_fields() {
        let mut task = json!({"date_created": "0", "due_date": null, "time_estimate": 3600000});
        convert_fields(&mut task, &["date_created", "due_date", "start_date"]);
        assert_eq!(
            task,
            json!({"date_created": "1970-01-01T00:00:00.000Z", "due_date": null, "time_estimate": 3600000})
        );
    }

    #[test]
    fn configured_dates_parse() {
        assert_eq!(parse_rfc3339_ms("2021-01-01"), Some(1609459200000));
        assert_eq!(
            parse_rfc3339_ms("2021-01-01T00:00:01Z"),
            Some(1609459201000)
        );
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }
}
