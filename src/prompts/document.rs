//! How the API document states the Prompt Hub's text rules: one schema per
//! kind of text, built from the same limits the engine checks
//! ([`super::limits`]), so a client (or a fuzzer) that keeps to the
//! document is never refused for breaking a rule it could not read.
//!
//! The patterns are in the subset of regular expressions that ECMA-262
//! (the document's dialect) and other common engines read alike.

use utoipa::openapi::schema::{AdditionalProperties, Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::limits::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_TAGS, MAX_TAG_CHARS};
use super::{BundleVersion, Lifecycle, PromptVersion, VersionContent, BUNDLE_FORMAT};

/// Not blank, no control characters (`char::is_control`: U+0000–U+001F and
/// U+007F–U+009F).
const ONE_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// [`ONE_LINE`] without a comma.
const TAG: &str = r"^[^,\x00-\x1f\x7f-\x9f]*[^,\s\x00-\x1f\x7f-\x9f][^,\x00-\x1f\x7f-\x9f]*$";
/// A lowercase letter or digit, then also `.`, `_` and `-`.
const LABEL: &str = r"^[a-z0-9][a-z0-9._-]*$";

crate::text_schema!(
    /// A prompt's name: one line, not blank, trimmed when stored.
    PromptName, 1, MAX_NAME_CHARS, Some(ONE_LINE)
);
crate::text_schema!(
    /// A tag: one line without a comma, not blank; stored trimmed and
    /// lowercased.
    TagName, 1, MAX_TAG_CHARS, Some(TAG)
);
crate::text_schema!(
    /// A label name, as it appears in URLs.
    LabelName, 1, MAX_TAG_CHARS, Some(LABEL)
);

crate::text_schema!(
    /// What the prompt is for; any text.
    Description, 0, MAX_DESCRIPTION_CHARS, None
);

/// A prompt's tags: at most [`MAX_TAGS`], repeats merged.
pub struct Tags;

impl utoipa::PartialSchema for Tags {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<TagName as utoipa::PartialSchema>::schema())
            .max_items(Some(MAX_TAGS))
            .description(Some(format!(
                "At most {MAX_TAGS} tags; repeats are merged."
            )))
            .into()
    }
}

impl utoipa::ToSchema for Tags {}

/// The bundle format an import reads: only [`BUNDLE_FORMAT`].
pub struct BundleFormat;

impl utoipa::PartialSchema for BundleFormat {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some([BUNDLE_FORMAT]))
            .description(Some("The bundle format; absent is read as it."))
            .into()
    }
}

impl utoipa::ToSchema for BundleFormat {}

/// [`VersionContent`]'s fields with `extra` beside them, and nothing else:
/// what a flattened content reads and writes.
fn content_and(description: &str, extra: Vec<(&str, RefOr<Schema>, bool)>) -> RefOr<Schema> {
    let mut object = match <VersionContent as PartialSchema>::schema() {
        RefOr::T(Schema::Object(object)) => object,
        // The derive makes an object; the document tests would show if not.
        _ => Object::new(),
    };
    for (name, schema, required) in extra {
        object.properties.insert(name.to_owned(), schema);
        if required {
            object.required.push(name.to_owned());
        }
    }
    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    object.description = Some(description.to_owned());
    RefOr::T(Schema::Object(object))
}

fn version_number() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .minimum(Some(1))
        .into()
}

fn uuid() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
        .into()
}

fn text() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

impl PartialSchema for PromptVersion {
    fn schema() -> RefOr<Schema> {
        content_and(
            "One saved version of a prompt. Only its lifecycle ever changes.",
            vec![
                ("prompt_id", uuid(), true),
                ("version", version_number(), true),
                ("lifecycle", <Lifecycle as PartialSchema>::schema(), true),
                ("created_at", text(), true),
            ],
        )
    }
}

impl ToSchema for PromptVersion {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <VersionContent as ToSchema>::schemas(schemas);
    }
}

impl PartialSchema for BundleVersion {
    fn schema() -> RefOr<Schema> {
        content_and(
            "One version of a bundled prompt: its content, and optionally its number, \
             lifecycle (default draft) and RFC 3339 creation time.",
            vec![
                ("version", version_number(), false),
                ("lifecycle", <Lifecycle as PartialSchema>::schema(), false),
                ("created_at", text(), false),
            ],
        )
    }
}

impl ToSchema for BundleVersion {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <VersionContent as ToSchema>::schemas(schemas);
    }
}
