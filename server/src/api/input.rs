//! What handlers do with their input the same way: an id from the path, and
//! a JSON body that must be an object. (Query strings and other JSON bodies
//! are mapped to 4xx answers by `ApiError`'s `From` impls, so handlers take
//! them as `Result<_, Rejection>` and use `?`.)

use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ApiError;

/// The UUID in a path segment, or a 400 that says which id was expected:
/// `what` is "run", "prompt", "conversation".
pub fn path_id(what: &str, id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest(format!("{id} is not a {what} id")))
}

/// A JSON body that is an object of `T`'s fields. Plain `Json<T>` would
/// also take an array of the field values in order (`["x"]` for
/// `{"title": "x"}`), which serde allows for structs; a body of the wrong
/// shape is refused here instead (400), as is malformed JSON, a wrong
/// content type, an unknown field (with `deny_unknown_fields`) or a body
/// over the route's limit (413).
#[derive(Debug)]
pub struct JsonObject<T>(pub T);

impl<T, S> FromRequest<S> for JsonObject<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(object) = Json::<Map<String, Value>>::from_request(req, state).await?;
        T::deserialize(Value::Object(object))
            .map(JsonObject)
            .map_err(|e| ApiError::BadRequest(format!("the JSON body is not accepted: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        title: String,
    }

    async fn parse(body: &str) -> Result<Body, ApiError> {
        let req = Request::builder()
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_owned()))
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        JsonObject::<Body>::from_request(req, &())
            .await
            .map(|b| b.0)
    }

    #[tokio::test]
    async fn only_an_object_of_known_fields_is_taken() {
        assert_eq!(
            parse(r#"{"title": "x"}"#).await.ok(),
            Some(Body { title: "x".into() })
        );
        for bad in [
            r#"["x"]"#,
            r#"{"title": "x", "y": 1}"#,
            r#"{"title": 1}"#,
            "{",
            "null",
        ] {
            assert!(
                matches!(parse(bad).await, Err(ApiError::BadRequest(_))),
                "{bad}"
            );
        }
    }
}
