//! Strict reading of an object that holds one field of its own beside the
//! fields of a struct it would otherwise `#[serde(flatten)]`.
//!
//! serde cannot refuse unknown fields through a flattened one (the outer
//! type takes whatever is left over), and a misspelt field must be an
//! error, not a silent default. So such a type takes its own field out of
//! the object and reads the rest as the inner struct, which refuses
//! anything it does not know (`deny_unknown_fields`).

use serde::de::{DeserializeOwned, Error};
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
}
