//! Helpers for the API document's schemas (the `openapi` feature): text
//! whose rules a plain `String` field cannot state.

pub use utoipa;

/// A string schema: `min..=max` characters, matching `pattern` if given.
pub fn text(
    min: usize,
    max: usize,
    pattern: Option<&str>,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(pattern)
        .description(Some(description))
        .into()
}

/// A schema-only type (`value_type = ...` of a `String` field) for text
/// with a length and perhaps a pattern (`None` or `Some(..)`); its doc
/// comment becomes the description.
#[macro_export]
macro_rules! text_schema {
    ($(#[doc = $doc:literal])+ $name:ident, $min:expr, $max:expr, $pattern:expr) => {
        $(#[doc = $doc])+
        pub struct $name;

        impl $crate::openapi::utoipa::PartialSchema for $name {
            fn schema() -> $crate::openapi::utoipa::openapi::RefOr<
                $crate::openapi::utoipa::openapi::schema::Schema,
            > {
                $crate::openapi::text($min, $max, $pattern, concat!($($doc),+).trim())
            }
        }

        impl $crate::openapi::utoipa::ToSchema for $name {}
    };
}
