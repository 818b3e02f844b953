//! What the in-process HTTP suites share: one request through the router
//! (tower `oneshot`) and its body read back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)] // not every suite uses every helper

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Sends `request`; returns the status, the content type and the body.
pub async fn exchange(app: &Router, request: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let (status, headers, body) = exchange_whole(app, request).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (status, content_type, body)
}

/// Sends `request`; returns the status, every header and the body.
pub async fn exchange_whole(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = app.clone().oneshot(request).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes.to_vec())
}

/// One request made of its parts; returns the status, the content type and
/// the body.
pub async fn call(
    app: &Router,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    exchange(app, request.body(body.into()).expect("request")).await
}

/// A body as JSON: `null` when empty, a JSON string of the text when it is
/// not JSON (so an assertion shows what came instead).
pub fn json_of(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    }
}

/// A schema of the API document, found by the names on its way
/// (`["components", "schemas", "NewPrompt", "properties", "name"]`), with
/// every `$ref` on that way followed: what a client reading the document
/// takes to be the rule.
pub fn document_schema(doc: &Value, path: &[&str]) -> jsonschema::Validator {
    let mut at = doc;
    for step in path {
        at = resolve(doc, at);
        at = at
            .get(*step)
            .or_else(|| step.parse::<usize>().ok().and_then(|i| at.get(i)))
            .unwrap_or_else(|| panic!("the document has no {step} in {path:?}"));
    }
    let schema = resolve(doc, at);
    assert!(
        schema.get("$ref").is_none(),
        "{path:?}: a reference in a reference"
    );
    jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn resolve<'a>(doc: &'a Value, at: &'a Value) -> &'a Value {
    match at.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("the document has no {reference}"))
        }
        None => at,
    }
}

/// The schema of a query or path parameter of one operation.
pub fn parameter_schema(
    doc: &Value,
    method: &str,
    path: &str,
    name: &str,
) -> jsonschema::Validator {
    let parameters = doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has no parameters"));
    let parameter = parameters
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"));
    let schema = resolve(doc, &parameter["schema"]);
    jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}
