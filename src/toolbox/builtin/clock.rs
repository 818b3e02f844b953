//! The clock: the current date and time in an IANA time zone, from the
//! time-zone database compiled into `chrono-tz` (no system files needed).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    #[serde(default)]
    timezone: Option<String>,
}

pub fn description() -> &'static str {
    "Returns the current date, time, weekday and UTC offset in a time zone (an IANA name \
     such as Europe/Paris or America/New_York; UTC when none is given)."
}

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "timezone": {
                "type": "string",
                "maxLength": 64,
                "description": "An IANA time zone name, for example Asia/Tokyo"
            }
        },
        "additionalProperties": false
    })
}

pub fn run(args: Value) -> Result<String, String> {
    run_at(args, Utc::now())
}

/// The answer at `now` (tests pass a fixed instant).
pub fn run_at(args: Value, now: DateTime<Utc>) -> Result<String, String> {
    let Args { timezone } =
        serde_json::from_value(args).map_err(|e| format!("bad arguments: {e}"))?;
    let name = timezone.as_deref().map(str::trim).unwrap_or("UTC");
    let zone: Tz = name.parse().map_err(|_| {
        format!("unknown time zone {name:?}: use an IANA name such as Europe/Paris")
    })?;
    let local = now.with_timezone(&zone);
    Ok(json!({
        "timezone": zone.name(),
        "iso": local.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "date": local.format("%Y-%m-%d").to_string(),
        "time": local.format("%H:%M:%S").to_string(),
        "weekday": local.format("%A").to_string(),
        "utc_offset": local.format("%:z").to_string(),
    })
    .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_time_is_given_in_the_zone_asked_for() {
        let now = Utc.with_ymd_and_hms(2026, 7, 14, 10, 30, 0).unwrap();
        let paris: Value =
            serde_json::from_str(&run_at(json!({"timezone": "Europe/Paris"}), now).unwrap())
                .unwrap();
        assert_eq!(paris["iso"], "2026-07-14T12:30:00+02:00");
        assert_eq!(paris["weekday"], "Tuesday");
        assert_eq!(paris["utc_offset"], "+02:00");
        let utc: Value = serde_json::from_str(&run_at(json!({}), now).unwrap()).unwrap();
        assert_eq!(utc["iso"], "2026-07-14T10:30:00Z");
        assert_eq!(utc["timezone"], "UTC");
    }

    #[test]
    fn an_unknown_zone_is_named() {
        let err = run_at(json!({"timezone": "Mars/Olympus"}), Utc::now()).unwrap_err();
        assert!(err.contains("Mars/Olympus"), "{err}");
    }
}
