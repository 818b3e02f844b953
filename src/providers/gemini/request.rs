//! The `generateContent` request body.
//!
//! Gemini has one `systemInstruction` and alternating `user` / `model`
//! turns; tool answers are `functionResponse` parts of a user turn, so
//! consecutive messages of the same role are merged into one turn (parallel
//! calls are answered together).

use serde_json::{json, Map, Value};

use crate::chat::{Message, ResponseFormat, Role};
use crate::providers::{json_f32, ProviderError, ProviderRequest};

/// The request body, or why Gemini cannot take this request.
pub(super) fn body(req: &ProviderRequest) -> Result<Value, ProviderError> {
    let mut b = Map::new();
    let system: Vec<&str> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    if !system.is_empty() {
        b.insert(
            "systemInstruction".into(),
            json!({ "parts": [{ "text": system.join("\n\n") }] }),
        );
    }
    b.insert("contents".into(), Value::Array(contents(&req.messages)));
    b.insert("generationConfig".into(), Value::Object(config(req)?));
    if !req.tools.is_empty() {
        let declarations: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "description": t.description,
                    // Standard JSON Schema, not Gemini's OpenAPI subset.
                    "parametersJsonSchema": t.parameters,
                })
            })
            .collect();
        b.insert(
            "tools".into(),
            json!([{ "functionDeclarations": declarations }]),
        );
    }
    Ok(Value::Object(b))
}

fn config(req: &ProviderRequest) -> Result<Map<String, Value>, ProviderError> {
    let mut c = Map::new();
    c.insert("maxOutputTokens".into(), json!(req.max_tokens));
    if let Some(t) = req.sent_temperature() {
        c.insert("temperature".into(), json_f32(t));
    }
    if let Some(p) = req.sent_top_p() {
        c.insert("topP".into(), json_f32(p));
    }
    if let Some(seed) = req.seed {
        let seed = i32::try_from(seed).map_err(|_| {
            ProviderError::BadRequest(format!(
                "Gemini takes a seed from 0 to {}, not {seed}",
                i32::MAX
            ))
        })?;
        c.insert("seed".into(), json!(seed));
    }
    if !req.stop.is_empty() {
        c.insert("stopSequences".into(), json!(req.stop));
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::JsonObject) => {
            c.insert("responseMimeType".into(), json!("application/json"));
        }
        Some(ResponseFormat::JsonSchema { schema, .. }) => {
            // Gemini enforces the schema always; it has no "strict" switch.
            c.insert("responseMimeType".into(), json!("application/json"));
            c.insert("responseJsonSchema".into(), schema.clone());
        }
    }
    if let Some(budget) = req.thinking_budget {
        c.insert(
            "thinkingConfig".into(),
            json!({ "thinkingBudget": budget, "includeThoughts": budget != 0 }),
        );
    }
    Ok(c)
}

/// The conversation as Gemini turns.
fn contents(messages: &[Message]) -> Vec<Value> {
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for m in messages {
        let role = match m.role {
            Role::System => continue,
            Role::User => "user",
            Role::Assistant => "model",
        };
        let parts = parts(m);
        if parts.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(parts),
            _ => turns.push((role, parts)),
        }
    }
    turns
        .into_iter()
        .map(|(role, parts)| json!({ "role": role, "parts": parts }))
        .collect()
}

fn parts(m: &Message) -> Vec<Value> {
    if let Some(result) = &m.tool_result {
        let mut response = json!({ "name": result.name, "response": tool_output(&m.content) });
        if !result.call_id.is_empty() {
            response["id"] = json!(result.call_id);
        }
        return vec![json!({ "functionResponse": response })];
    }
    let mut parts = Vec::new();
    if !m.content.is_empty() {
        parts.push(json!({ "text": m.content }));
    }
    for call in &m.tool_calls {
        let args = serde_json::from_str::<Value>(&call.arguments)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        let mut function_call = json!({ "name": call.name, "args": args });
        if !call.id.is_empty() {
            function_call["id"] = json!(call.id);
        }
        let mut part = json!({ "functionCall": function_call });
        if let Some(signature) = &call.signature {
            part["thoughtSignature"] = json!(signature);
        }
        parts.push(part);
    }
    parts
}

/// A tool's output as the object Gemini wants: JSON objects as they are,
/// anything else under `result`.
fn tool_output(content: &str) -> Value {
    match serde_json::from_str::<Value>(content) {
        Ok(v @ Value::Object(_)) => v,
        _ => json!({ "result": content }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::ToolCall;

    #[test]
    fn system_goes_apart_and_roles_alternate() {
        let req = ProviderRequest::new(
            "gemini-2.5-flash",
            vec![
                Message::new(Role::System, "be brief"),
                Message::new(Role::User, "hi"),
                Message::new(Role::Assistant, "hello"),
                Message::new(Role::User, "again"),
            ],
            10,
        );
        let b = body(&req).unwrap();
        assert_eq!(b["systemInstruction"]["parts"][0]["text"], "be brief");
        let roles: Vec<&str> = b["contents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["user", "model", "user"]);
        assert_eq!(b["generationConfig"]["maxOutputTokens"], 10);
        assert!(b["generationConfig"].get("temperature").is_none());
    }

    #[test]
    fn signatures_and_answers_go_back() {
        let calls: Vec<ToolCall> = ["a", "b"]
            .iter()
            .map(|n| ToolCall {
                id: String::new(),
                name: (*n).into(),
                arguments: r#"{"x":1}"#.into(),
                signature: (*n == "a").then(|| "sig".to_owned()),
            })
            .collect();
        let mut model = Message::new(Role::Assistant, "");
        model.tool_calls = calls.clone();
        let req = ProviderRequest::new(
            "g",
            vec![
                Message::new(Role::User, "go"),
                model,
                Message::tool_output(&calls[0], r#"{"t":20}"#),
                Message::tool_output(&calls[1], "plain"),
            ],
            10,
        );
        let b = body(&req).unwrap();
        let c = &b["contents"];
        assert_eq!(c[1]["parts"][0]["thoughtSignature"], "sig");
        assert_eq!(c[1]["parts"][0]["functionCall"]["args"]["x"], 1);
        assert!(c[1]["parts"][0]["functionCall"].get("id").is_none());
        assert_eq!(c[2]["parts"].as_array().unwrap().len(), 2, "answers merged");
        assert_eq!(c[2]["parts"][0]["functionResponse"]["response"]["t"], 20);
        assert_eq!(
            c[2]["parts"][1]["functionResponse"]["response"]["result"],
            "plain"
        );
    }

    #[test]
    fn a_seed_beyond_int32_is_refused() {
        let mut req = ProviderRequest::new("g", vec![Message::new(Role::User, "x")], 1);
        req.seed = Some(u64::MAX);
        assert!(matches!(body(&req), Err(ProviderError::BadRequest(_))));
    }
}
