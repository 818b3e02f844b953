//! Strict reading of what clients send: an object that holds one field of
//! its own beside the fields of a struct it would otherwise
//! `#[serde(flatten)]`, text that must be written as text, and whole
//! numbers however a client writes them.
//!
//! serde cannot refuse unknown fields through a flattened one (the outer
//! type takes whatever is left over), and a misspelt field must be an
//! error, not a silent default. So such a type takes its own field out of
//! the object and reads the rest as the inner struct, which refuses
//! anything it does not know (`deny_unknown_fields`).

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Error, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

/// The object `deserializer` holds, split into its field `name` (`F`'s
/// default when absent) and the rest, read as `R`.
pub fn split_field<'de, D, F, R>(deserializer: D, name: &str) -> Result<(F, R), D::Error>
where
    D: Deserializer<'de>,
    F: DeserializeOwned + Default,
    R: DeserializeOwned,
{
    let mut fields = serde_json::Map::deserialize(deserializer)?;
    let field = match fields.remove(name) {
        Some(value) => serde_json::from_value(value).map_err(D::Error::custom)?,
        None => F::default(),
    };
    Ok((field, rest_as(fields)?))
}

/// The object `deserializer` holds, split into the fields `names`, read
/// together as `F` (a struct of those fields, with their defaults), and the
/// rest, read as `R`.
pub fn split_fields<'de, D, F, R>(deserializer: D, names: &[&str]) -> Result<(F, R), D::Error>
where
    D: Deserializer<'de>,
    F: DeserializeOwned,
    R: DeserializeOwned,
{
    let mut fields = serde_json::Map::deserialize(deserializer)?;
    let own: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .filter_map(|name| fields.remove_entry(*name))
        .collect();
    let own = serde_json::from_value(serde_json::Value::Object(own)).map_err(D::Error::custom)?;
    Ok((own, rest_as(fields)?))
}

fn rest_as<R: DeserializeOwned, E: Error>(
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<R, E> {
    serde_json::from_value(serde_json::Value::Object(fields)).map_err(E::custom)
}

/// Text written as text. A YAML reader takes any plain scalar for a
/// string, so `name: null` would become a prompt named "null"; this one
/// refuses what is not a string (`null`, `12`, `true`), so the author
/// quotes what they mean.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string (quote it if it looks like a number, a boolean or null)")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A field that must be a string as written (see [`Text`]).
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Text::deserialize(deserializer).map(|t| t.0)
}

/// A list whose items must be strings as written (see [`Text`]).
pub fn strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Vec::<Text>::deserialize(deserializer).map(|v| v.into_iter().map(|t| t.0).collect())
}

/// The unsigned integer types a [`Whole`] can be read as.
pub trait Unsigned: TryFrom<u64> {
    /// The largest value, for the error message.
    const MAX: u64;
}

impl Unsigned for u32 {
    const MAX: u64 = u32::MAX as u64;
}

impl Unsigned for u64 {
    const MAX: u64 = u64::MAX;
}

/// A whole number however it is written: JSON Schema's `integer` counts
/// `3.0` as one, and so do clients whose numbers are all floats
/// (JavaScript, or a Python script that computed the value). A fraction,
/// a negative number or one beyond `T` is refused, naming the range.
struct Whole<T>(T);

/// 2^64: the first float beyond `u64`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

impl<'de, T: Unsigned> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);
        impl<T: Unsigned> Visitor<'_> for Visit<T> {
            type Value = Whole<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "a whole number from 0 to {}", T::MAX)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Whole<T>, E> {
                T::try_from(v)
                    .map(Whole)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Whole<T>, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::invalid_value(Unexpected::Signed(v), &self)),
                }
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<Whole<T>, E> {
                if v.fract() == 0.0 && (0.0..TWO_POW_64).contains(&v) {
                    // Exact: a whole float in [0, 2^64) is a u64.
                    self.visit_u64(v as u64)
                } else {
                    Err(E::invalid_value(Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(Visit(PhantomData))
    }
}

/// A whole-number field (see [`Whole`]).
pub fn whole<'de, D: Deserializer<'de>, T: Unsigned>(deserializer: D) -> Result<T, D::Error> {
    Whole::deserialize(deserializer).map(|w| w.0)
}

/// An optional whole-number field (see [`Whole`]); `null` is absent.
pub fn whole_opt<'de, D: Deserializer<'de>, T: Unsigned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<Whole<T>>::deserialize(deserializer).map(|w| w.map(|w| w.0))
}

/// A map whose values are whole numbers (see [`Whole`]).
pub fn whole_values<'de, D: Deserializer<'de>, T: Unsigned>(
    deserializer: D,
) -> Result<BTreeMap<String, T>, D::Error> {
    BTreeMap::<String, Whole<T>>::deserialize(deserializer)
        .map(|m| m.into_iter().map(|(k, w)| (k, w.0)).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::split_field;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
    }

    #[derive(Debug, PartialEq)]
    struct Outer {
        flag: bool,
        inner: Inner,
    }

    impl<'de> Deserialize<'de> for Outer {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let (flag, inner) = split_field(d, "flag")?;
            Ok(Self { flag, inner })
        }
    }

    #[test]
    fn the_own_field_is_taken_and_the_rest_is_strict() {
        let read = |text: &str| serde_json::from_str::<Outer>(text);
        assert_eq!(
            read(r#"{"a": 1, "flag": true}"#).unwrap(),
            Outer {
                flag: true,
                inner: Inner { a: 1 }
            }
        );
        assert!(!read(r#"{"a": 1}"#).unwrap().flag, "absent: the default");
        let err = read(r#"{"a": 1, "falg": true}"#).unwrap_err();
        assert!(err.to_string().contains("falg"), "{err}");
        assert!(read(r#"{"a": 1, "flag": 3}"#).is_err());
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Counts {
        #[serde(deserialize_with = "super::whole")]
        small: u32,
        #[serde(default, deserialize_with = "super::whole_opt")]
        big: Option<u64>,
    }

    #[test]
    fn whole_numbers_are_read_however_they_are_written() {
        let read = |text: &str| serde_json::from_str::<Counts>(text);
        let counts = |small, big| Counts { small, big };
        assert_eq!(read(r#"{"small": 3}"#).unwrap(), counts(3, None));
        assert_eq!(
            read(r#"{"small": 3.0, "big": null}"#).unwrap(),
            counts(3, None)
        );
        assert_eq!(
            read(r#"{"small": 4294967295, "big": 1.8e19}"#).unwrap(),
            counts(u32::MAX, Some(18_000_000_000_000_000_000))
        );
        assert_eq!(
            read(r#"{"small": 0, "big": 18446744073709551615}"#).unwrap(),
            counts(0, Some(u64::MAX))
        );
        for (bad, says) in [
            (r#"{"small": 3.5}"#, "floating point `3.5`"),
            (r#"{"small": -1}"#, "integer `-1`"),
            (r#"{"small": 4294967296}"#, "from 0 to 4294967295"),
            (
                r#"{"small": 1, "big": 1.8446744073709552e19}"#,
                "from 0 to 18446744073709551615",
            ),
            (r#"{"small": "3"}"#, "string"),
            (r#"{"small": true}"#, "boolean"),
        ] {
            let err = read(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
