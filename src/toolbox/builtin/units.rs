//! The unit converter: a value from one unit to another of the same kind
//! (length, mass, volume, area, speed, time, data, temperature). Linear
//! units are a factor to the kind's base unit; temperatures an offset too.

use serde::Deserialize;
use serde_json::{json, Value};

/// What a unit measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Length,
    Mass,
    Volume,
    Area,
    Speed,
    Time,
    Data,
    Temperature,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Length => "length",
            Kind::Mass => "mass",
            Kind::Volume => "volume",
            Kind::Area => "area",
            Kind::Speed => "speed",
            Kind::Time => "time",
            Kind::Data => "data",
            Kind::Temperature => "temperature",
        }
    }
}

/// A unit: its names, its kind, and `base = value * scale + offset`.
struct Unit {
    names: &'static [&'static str],
    kind: Kind,
    scale: f64,
    offset: f64,
}

const fn linear(names: &'static [&'static str], kind: Kind, scale: f64) -> Unit {
    Unit {
        names,
        kind,
        scale,
        offset: 0.0,
    }
}

/// Base units: metre, kilogram, litre, square metre, metre per second,
/// second, byte, kelvin.
const UNITS: &[Unit] = &[
    linear(
        &["m", "meter", "metre", "meters", "metres"],
        Kind::Length,
        1.0,
    ),
    linear(
        &["km", "kilometer", "kilometre", "kilometers", "kilometres"],
        Kind::Length,
        1_000.0,
    ),
    linear(
        &[
            "cm",
            "centimeter",
            "centimetre",
            "centimeters",
            "centimetres",
        ],
        Kind::Length,
        0.01,
    ),
    linear(
        &[
            "mm",
            "millimeter",
            "millimetre",
            "millimeters",
            "millimetres",
        ],
        Kind::Length,
        0.001,
    ),
    linear(&["mi", "mile", "miles"], Kind::Length, 1_609.344),
    linear(&["yd", "yard", "yards"], Kind::Length, 0.9144),
    linear(&["ft", "foot", "feet"], Kind::Length, 0.3048),
    linear(&["in", "inch", "inches"], Kind::Length, 0.0254),
    linear(
        &["nmi", "nautical_mile", "nautical_miles"],
        Kind::Length,
        1_852.0,
    ),
    linear(&["kg", "kilogram", "kilograms"], Kind::Mass, 1.0),
    linear(&["g", "gram", "grams"], Kind::Mass, 0.001),
    linear(&["mg", "milligram", "milligrams"], Kind::Mass, 0.000_001),
    linear(&["t", "tonne", "tonnes"], Kind::Mass, 1_000.0),
    linear(&["lb", "lbs", "pound", "pounds"], Kind::Mass, 0.453_592_37),
    linear(&["oz", "ounce", "ounces"], Kind::Mass, 0.028_349_523_125),
    linear(&["st", "stone", "stones"], Kind::Mass, 6.350_293_18),
    linear(
        &["l", "liter", "litre", "liters", "litres"],
        Kind::Volume,
        1.0,
    ),
    linear(
        &[
            "ml",
            "milliliter",
            "millilitre",
            "milliliters",
            "millilitres",
        ],
        Kind::Volume,
        0.001,
    ),
    linear(&["m3", "cubic_meter", "cubic_metre"], Kind::Volume, 1_000.0),
    linear(
        &["gal", "gallon", "gallons", "us_gallon"],
        Kind::Volume,
        3.785_411_784,
    ),
    linear(&["qt", "quart", "quarts"], Kind::Volume, 0.946_352_946),
    linear(&["pt", "pint", "pints"], Kind::Volume, 0.473_176_473),
    linear(&["cup", "cups"], Kind::Volume, 0.236_588_236_5),
    linear(
        &["fl_oz", "fluid_ounce", "fluid_ounces"],
        Kind::Volume,
        0.029_573_529_562_5,
    ),
    linear(&["m2", "square_meter", "square_metre"], Kind::Area, 1.0),
    linear(
        &["km2", "square_kilometer", "square_kilometre"],
        Kind::Area,
        1_000_000.0,
    ),
    linear(&["ha", "hectare", "hectares"], Kind::Area, 10_000.0),
    linear(&["acre", "acres"], Kind::Area, 4_046.856_422_4),
    linear(
        &["ft2", "square_foot", "square_feet"],
        Kind::Area,
        0.092_903_04,
    ),
    linear(
        &["m/s", "mps", "meters_per_second", "metres_per_second"],
        Kind::Speed,
        1.0,
    ),
    linear(
        &[
            "km/h",
            "kph",
            "kmh",
            "kilometers_per_hour",
            "kilometres_per_hour",
        ],
        Kind::Speed,
        1_000.0 / 3_600.0,
    ),
    linear(&["mph", "miles_per_hour"], Kind::Speed, 0.447_04),
    linear(&["kn", "knot", "knots"], Kind::Speed, 1_852.0 / 3_600.0),
    linear(&["s", "sec", "second", "seconds"], Kind::Time, 1.0),
    linear(&["ms", "millisecond", "milliseconds"], Kind::Time, 0.001),
    linear(&["min", "minute", "minutes"], Kind::Time, 60.0),
    linear(&["h", "hr", "hour", "hours"], Kind::Time, 3_600.0),
    linear(&["day", "days"], Kind::Time, 86_400.0),
    linear(&["week", "weeks"], Kind::Time, 604_800.0),
    linear(&["b", "byte", "bytes"], Kind::Data, 1.0),
    linear(&["kb", "kilobyte", "kilobytes"], Kind::Data, 1e3),
    linear(&["mb", "megabyte", "megabytes"], Kind::Data, 1e6),
    linear(&["gb", "gigabyte", "gigabytes"], Kind::Data, 1e9),
    linear(&["tb", "terabyte", "terabytes"], Kind::Data, 1e12),
    linear(&["kib", "kibibyte", "kibibytes"], Kind::Data, 1_024.0),
    linear(&["mib", "mebibyte", "mebibytes"], Kind::Data, 1_048_576.0),
    linear(
        &["gib", "gibibyte", "gibibytes"],
        Kind::Data,
        1_073_741_824.0,
    ),
    linear(
        &["tib", "tebibyte", "tebibytes"],
        Kind::Data,
        1_099_511_627_776.0,
    ),
    linear(&["k", "kelvin"], Kind::Temperature, 1.0),
    Unit {
        names: &["c", "°c", "celsius"],
        kind: Kind::Temperature,
        scale: 1.0,
        offset: 273.15,
    },
    Unit {
        names: &["f", "°f", "fahrenheit"],
        kind: Kind::Temperature,
        scale: 5.0 / 9.0,
        offset: 273.15 - 32.0 * 5.0 / 9.0,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    value: f64,
    from: String,
    to: String,
}

pub fn description() -> &'static str {
    "Converts a value between units of the same kind: length (m, km, cm, mm, mi, yd, ft, in, \
     nmi), mass (kg, g, mg, t, lb, oz, st), volume (l, ml, m3, gal, qt, pt, cup, fl_oz), area \
     (m2, km2, ha, acre, ft2), speed (m/s, km/h, mph, kn), time (ms, s, min, h, day, week), \
     data (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB) and temperature (C, F, K)."
}

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "value": {"type": "number"},
            "from": {"type": "string", "maxLength": 32, "description": "For example km"},
            "to": {"type": "string", "maxLength": 32, "description": "For example mi"}
        },
        "required": ["value", "from", "to"],
        "additionalProperties": false
    })
}

pub fn run(args: Value) -> Result<String, String> {
    let Args { value, from, to } =
        serde_json::from_value(args).map_err(|e| format!("bad arguments: {e}"))?;
    let result = convert(value, &from, &to)?;
    Ok(json!({"value": result, "unit": to.trim()}).to_string())
}

/// `value` in `from`, expressed in `to`.
pub fn convert(value: f64, from: &str, to: &str) -> Result<f64, String> {
    let a = unit(from)?;
    let b = unit(to)?;
    if a.kind != b.kind {
        return Err(format!(
            "cannot convert {from} ({}) to {to} ({})",
            a.kind.name(),
            b.kind.name()
        ));
    }
    let base = value * a.scale + a.offset;
    let out = (base - b.offset) / b.scale;
    if out.is_finite() {
        Ok(out)
    } else {
        Err(format!("{value} {from} has no finite value in {to}"))
    }
}

fn unit(name: &str) -> Result<&'static Unit, String> {
    let key = name.trim().to_lowercase();
    UNITS
        .iter()
        .find(|u| u.names.contains(&key.as_str()))
        .ok_or_else(|| format!("unknown unit {name:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn values_convert_within_a_kind() {
        assert!(close(convert(1.0, "mi", "km").unwrap(), 1.609_344));
        assert!(close(convert(100.0, "C", "F").unwrap(), 212.0));
        assert!(close(convert(-40.0, "F", "celsius").unwrap(), -40.0));
        assert!(close(convert(0.0, "K", "C").unwrap(), -273.15));
        assert!(close(convert(1.0, "GiB", "MB").unwrap(), 1_073.741_824));
        assert!(close(convert(90.0, "min", "h").unwrap(), 1.5));
        assert!(close(
            convert(100.0, "km/h", "m/s").unwrap(),
            27.777_777_777_777_8
        ));
    }

    #[test]
    fn every_unit_converts_to_itself() {
        for u in UNITS {
            for name in u.names {
                assert!(close(convert(12.5, name, name).unwrap(), 12.5), "{name}");
            }
        }
    }

    #[test]
    fn no_name_belongs_to_two_units() {
        let mut seen = std::collections::BTreeSet::new();
        for name in UNITS.iter().flat_map(|u| u.names) {
            assert!(seen.insert(*name), "{name} twice");
        }
    }

    #[test]
    fn mismatched_or_unknown_units_say_why() {
        assert_eq!(
            convert(1.0, "kg", "m").unwrap_err(),
            "cannot convert kg (mass) to m (length)"
        );
        assert_eq!(
            convert(1.0, "parsec", "m").unwrap_err(),
            "unknown unit \"parsec\""
        );
        let out: Value =
            serde_json::from_str(&run(json!({"value": 2, "from": "kg", "to": "lb"})).unwrap())
                .unwrap();
        assert!(close(out["value"].as_f64().unwrap(), 4.409_245_243_697_551));
    }
}
