//! The API document's schema of [`ResponseFormat`], written out: each
//! variant closed to fields the reader refuses, with the name's rule.

use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::ResponseFormat;

/// An object with `type` = `tag` and the given other properties.
fn variant(
    tag: &str,
    description: &str,
    properties: Vec<(&str, RefOr<Schema>, bool)>,
) -> ObjectBuilder {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([tag])),
        )
        .required("type")
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    for (name, schema, required) in properties {
        object = object.property(name, schema);
        if required {
            object = object.required(name);
        }
    }
    object
}

impl PartialSchema for ResponseFormat {
    fn schema() -> RefOr<Schema> {
        let name = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Za-z0-9_-]{1,64}$"))
            .description(Some("Letters, digits, `_` and `-`, at most 64."));
        let schema = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("The JSON Schema the reply must follow."));
        let strict = ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .default(Some(serde_json::Value::Bool(false)))
            .description(Some(
                "Ask the provider to enforce the schema (its supported subset only).",
            ));
        OneOfBuilder::new()
            .description(Some(
                "The shape the reply must take. Absent means free text.",
            ))
            .item(variant(
                "json_object",
                "Any valid JSON object (the prompt must ask for JSON).",
                Vec::new(),
            ))
            .item(variant(
                "json_schema",
                "JSON that follows `schema`.",
                vec![
                    ("name", name.into(), true),
                    ("schema", schema.into(), true),
                    ("strict", strict.into(), false),
                ],
            ))
            .into()
    }
}

impl ToSchema for ResponseFormat {}
