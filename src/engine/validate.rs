//! Checks a chat request against the model's catalog entry and resolves
//! every parameter. A value out of range is an error that names the range;
//! nothing is silently clamped.

use crate::catalog::{Choice, ModelConfig, Range};
use crate::chat::{ChatRequest, ResponseFormat, Role, ToolSpec, MAX_SEED};
use crate::providers::{Controls, ProviderRequest};
use crate::schema::check::{check_name, unsupported};

/// Largest conversation accepted, in bytes of message text.
pub const MAX_CONVERSATION_BYTES: usize = 1 << 20;
/// Most stop sequences accepted.
pub const MAX_STOP_SEQUENCES: usize = 8;
/// Longest session id accepted (the browser sends a UUID).
pub const MAX_SESSION_ID_BYTES: usize = 128;
/// Most tools in one request (Gemini's limit, the lowest of the providers).
pub const MAX_TOOLS: usize = 128;

/// A refused chat request: the field at fault, as a path into the request
/// (`params.temperature`, `messages[2].content`), and why, in words that
/// name it. A client can point at the field; a person reads the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct InvalidRequest {
    pub field: String,
    pub reason: String,
}

impl InvalidRequest {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// `Err(InvalidRequest)` of `field`, for the checks below.
fn refuse<T>(field: impl Into<String>, reason: impl Into<String>) -> Result<T, InvalidRequest> {
    Err(InvalidRequest::new(field, reason))
}

/// Validates `req` for `model` and returns the provider's request.
pub fn resolve(model: &ModelConfig, req: &ChatRequest) -> Result<ProviderRequest, InvalidRequest> {
    check_messages(req)?;
    let spec = &model.params;
    let p = &req.params;
    let id = &model.id;
    let float = |name: &str,
                 range: &Option<Range<f32>>,
                 value: Option<f32>|
     -> Result<f32, InvalidRequest> {
        let field = format!("params.{name}");
        match (range, value) {
            (None, None) => Ok(0.0),
            (None, Some(_)) => refuse(
                field,
                format!("{id} has no {name} control; leave {name} unset"),
            ),
            (Some(r), None) => Ok(r.default),
            (Some(r), Some(v)) if v.is_finite() && r.contains(v) => Ok(v),
            (Some(r), Some(v)) => refuse(
                field,
                format!(
                    "{name} {v} is outside the range {}..={} that {id} accepts",
                    r.min, r.max
                ),
            ),
        }
    };
    let temperature = float("temperature", &spec.temperature, p.temperature)?;
    let top_p = float("top_p", &spec.top_p, p.top_p)?;
    let repeat_penalty = match spec.repeat_penalty {
        None if p.repeat_penalty.is_some() => {
            return refuse(
                "params.repeat_penalty",
                format!("{id} has no repeat_penalty control; leave it unset"),
            )
        }
        None => 1.0,
        Some(_) => float("repeat_penalty", &spec.repeat_penalty, p.repeat_penalty)?,
    };
    let max_tokens = match p.max_tokens {
        None => spec.max_tokens.default,
        Some(v) if spec.max_tokens.contains(v) => v,
        Some(v) => {
            return refuse(
                "params.max_tokens",
                format!(
                    "max_tokens {v} is outside the range {}..={} that {id} accepts",
                    spec.max_tokens.min, spec.max_tokens.max
                ),
            )
        }
    };
    if p.seed.is_some() && !spec.seed {
        return refuse(
            "params.seed",
            format!("{id} does not support a seed; leave seed unset"),
        );
    }
    if let Some(seed) = p.seed.filter(|&seed| seed > MAX_SEED) {
        return refuse(
            "params.seed",
            format!("seed {seed} is above the largest seed, {MAX_SEED}"),
        );
    }
    if !p.stop.is_empty() && !spec.stop {
        return refuse(
            "params.stop",
            format!("{id} does not support stop sequences"),
        );
    }
    if p.stop.len() > MAX_STOP_SEQUENCES {
        return refuse(
            "params.stop",
            format!(
                "at most {MAX_STOP_SEQUENCES} stop sequences are accepted, got {}",
                p.stop.len()
            ),
        );
    }
    if let Some(i) = p.stop.iter().position(String::is_empty) {
        return refuse(
            format!("params.stop[{i}]"),
            "stop sequences must not be empty",
        );
    }
    let reasoning_effort = choice(
        id,
        "reasoning_effort",
        &spec.reasoning_effort,
        &p.reasoning_effort,
    )?;
    let verbosity = choice(id, "verbosity", &spec.verbosity, &p.verbosity)?;
    let thinking_budget = reasoning_effort
        .as_ref()
        .and_then(|e| model.thinking_budgets.get(e).copied());
    check_features(model, req)?;
    Ok(ProviderRequest {
        messages: req.messages.clone(),
        temperature,
        top_p,
        max_tokens,
        seed: p.seed,
        stop: p.stop.clone(),
        repeat_penalty,
        model: model.provider_model().to_owned(),
        controls: Controls {
            temperature: spec.temperature.is_some(),
            top_p: spec.top_p.is_some(),
        },
        stream: true,
        response_format: p.response_format.clone(),
        tools: p.tools.clone(),
        reasoning_effort,
        thinking_budget,
        verbosity,
    })
}

/// A fixed-choice control: the request's value if the model allows it, else
/// the catalog's default (which may be "send nothing").
fn choice(
    id: &str,
    name: &str,
    spec: &Option<Choice>,
    value: &Option<String>,
) -> Result<Option<String>, InvalidRequest> {
    let field = format!("params.{name}");
    match (spec, value) {
        (None, None) => Ok(None),
        (None, Some(_)) => refuse(
            field,
            format!("{id} has no {name} control; leave {name} unset"),
        ),
        (Some(c), None) => Ok(c.default.clone()),
        (Some(c), Some(v)) if c.allows(v) => Ok(Some(v.clone())),
        (Some(c), Some(v)) => refuse(
            field,
            format!(
                "{name} {v} is not one of {} that {id} accepts",
                c.values.join(", ")
            ),
        ),
    }
}

/// Tools and JSON modes against the model's capabilities.
fn check_features(model: &ModelConfig, req: &ChatRequest) -> Result<(), InvalidRequest> {
    let caps = &model.capabilities;
    let id = &model.id;
    let p = &req.params;
    match &p.response_format {
        None => {}
        Some(format) => {
            if let Some(problem) = unsupported(id, caps, format) {
                return refuse("params.response_format", problem);
            }
            // The schema itself is `crate::schema::check_format`'s to judge.
            if *format == ResponseFormat::JsonObject {
                // OpenAI refuses json_object otherwise, and other servers
                // let the model pad with whitespace up to max_tokens.
                let asks = req
                    .messages
                    .iter()
                    .any(|m| m.content.to_ascii_lowercase().contains("json"));
                if !asks {
                    return refuse(
                        "params.response_format",
                        "json_object needs the conversation to ask for JSON: say \"JSON\" in the system or user message",
                    );
                }
            }
        }
    }
    let uses_tools = req
        .messages
        .iter()
        .any(|m| !m.tool_calls.is_empty() || m.tool_result.is_some());
    if (!p.tools.is_empty() || uses_tools) && !caps.tools {
        let field = if p.tools.is_empty() {
            "messages"
        } else {
            "params.tools"
        };
        return refuse(field, format!("{id} does not support tools"));
    }
    check_tools(&p.tools)?;
    if !p.tools.is_empty() && p.response_format.is_some() && !caps.tools_with_structured_output {
        return refuse(
            "params.tools",
            format!(
                "{id} cannot use tools and a JSON response format in the same request; drop one of them"
            ),
        );
    }
    Ok(())
}

fn check_tools(tools: &[ToolSpec]) -> Result<(), InvalidRequest> {
    if tools.len() > MAX_TOOLS {
        return refuse(
            "params.tools",
            format!(
                "at most {MAX_TOOLS} tools are accepted, got {}",
                tools.len()
            ),
        );
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, t) in tools.iter().enumerate() {
        let field = |name: &str| format!("params.tools[{i}].{name}");
        check_name("a tool name", &t.name)
            .map_err(|reason| InvalidRequest::new(field("name"), reason))?;
        if !names.insert(t.name.as_str()) {
            return refuse(field("name"), format!("tool {} is defined twice", t.name));
        }
        if !t.parameters.is_object() {
            return refuse(
                field("parameters"),
                format!(
                    "the parameters of tool {} must be a JSON schema object",
                    t.name
                ),
            );
        }
    }
    Ok(())
}

fn check_messages(req: &ChatRequest) -> Result<(), InvalidRequest> {
    let Some(last) = req.messages.last() else {
        return refuse(
            "messages",
            "the conversation is empty: send at least one user message",
        );
    };
    let at = req.messages.len() - 1;
    if last.role != Role::User {
        return refuse(
            format!("messages[{at}].role"),
            "the last message must be the user's",
        );
    }
    if last.content.trim().is_empty() {
        return refuse(format!("messages[{at}].content"), "the message is empty");
    }
    if req
        .session_id
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.len() > MAX_SESSION_ID_BYTES)
    {
        return refuse(
            "session_id",
            format!("session_id must be 1 to {MAX_SESSION_ID_BYTES} bytes (or absent)"),
        );
    }
    let bytes: usize = req.messages.iter().map(|m| m.content.len()).sum();
    if bytes > MAX_CONVERSATION_BYTES {
        return refuse(
            "messages",
            format!(
                "the conversation is {bytes} bytes; at most {MAX_CONVERSATION_BYTES} are accepted"
            ),
        );
    }
    if req.conversation_id.is_some_and(|id| id.is_nil()) {
        return refuse(
            "conversation_id",
            "conversation_id must not be the nil UUID; make a new one (v4 or v7)",
        );
    }
    if let Some(prompt) = &req.prompt {
        let field = if prompt.prompt_id.is_nil() {
            Some("prompt.prompt_id")
        } else if prompt.version == 0 {
            Some("prompt.version")
        } else {
            None
        };
        if let Some(field) = field {
            return refuse(
                field,
                "prompt must name a saved prompt version: a prompt_id and a version of 1 or more",
            );
        }
    }
    check_nul(req)
}

/// The text a turn stores must hold no U+0000, which PostgreSQL cannot
/// keep (see `crate::store`): refused here, naming where it is, so both
/// backends behave alike and nothing is half-stored.
fn check_nul(req: &ChatRequest) -> Result<(), InvalidRequest> {
    let nul = |s: &str| s.contains('\0');
    let found = |field: String, place: String| {
        refuse(
            field,
            format!("{place} contains U+0000 (NUL), which cannot be stored; remove it"),
        )
    };
    if req.session_id.as_deref().is_some_and(nul) {
        return found("session_id".into(), "session_id".into());
    }
    for (i, m) in req.messages.iter().enumerate() {
        if nul(&m.content) {
            let field = format!("messages[{i}].content");
            return found(field.clone(), field);
        }
        let calls = m
            .tool_calls
            .iter()
            .any(|c| nul(&c.id) || nul(&c.name) || nul(&c.arguments));
        let result = m
            .tool_result
            .as_ref()
            .is_some_and(|r| nul(&r.call_id) || nul(&r.name));
        if calls {
            return found(
                format!("messages[{i}].tool_calls"),
                format!("a tool call of messages[{i}]"),
            );
        }
        if result {
            return found(
                format!("messages[{i}].tool_result"),
                format!("the tool result of messages[{i}]"),
            );
        }
    }
    if let Some(i) = req.params.stop.iter().position(|s| nul(s)) {
        return found(format!("params.stop[{i}]"), "a stop sequence".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use serde_json::json;

    use crate::catalog::{Capabilities, ParamSpec, Pricing};
    use crate::chat::{GenerationParams, Message, ToolCall};

    fn model() -> ModelConfig {
        ModelConfig {
            id: "m".into(),
            label: "M".into(),
            endpoint: "e".into(),
            params: ParamSpec {
                temperature: Some(Range {
                    min: 0.0,
                    max: 2.0,
                    default: 0.3,
                }),
                top_p: Some(Range {
                    min: 0.0,
                    max: 1.0,
                    default: 0.9,
                }),
                max_tokens: Range {
                    min: 1,
                    max: 100,
                    default: 50,
                },
                seed: false,
                stop: true,
                repeat_penalty: None,
                reasoning_effort: None,
                verbosity: None,
            },
            pricing: Pricing::default(),
            provider_model: Some("m-upstream".into()),
            capabilities: Capabilities::default(),
            thinking_budgets: BTreeMap::new(),
        }
    }

    fn req(params: GenerationParams) -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            messages: vec![Message::new(Role::User, "hi")],
            params,
            session_id: None,
            conversation_id: None,
            prompt: None,
        }
    }

    #[test]
    fn a_seed_must_fit_a_signed_64_bit_integer() {
        let mut seeded = model();
        seeded.params.seed = true;
        let with = |seed| {
            req(GenerationParams {
                seed: Some(seed),
                ..Default::default()
            })
        };
        let r = resolve(&seeded, &with(crate::chat::MAX_SEED)).unwrap();
        assert_eq!(r.seed, Some(crate::chat::MAX_SEED));
        let e = resolve(&seeded, &with(crate::chat::MAX_SEED + 1)).unwrap_err();
        assert!(e.reason.contains("9223372036854775808"), "{e}");
    }

    #[test]
    fn defaults_come_from_the_catalog() {
        let r = resolve(&model(), &req(GenerationParams::default())).unwrap();
        assert_eq!(
            (r.temperature, r.top_p, r.max_tokens, r.repeat_penalty),
            (0.3, 0.9, 50, 1.0)
        );
    }

    #[test]
    fn out_of_range_is_an_error_naming_the_range() {
        let e = resolve(
            &model(),
            &req(GenerationParams {
                temperature: Some(2.5),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("0..=2"), "{e}");
        assert_eq!(e.field, "params.temperature");
        let e = resolve(
            &model(),
            &req(GenerationParams {
                max_tokens: Some(0),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("max_tokens 0"), "{e}");
        let e = resolve(
            &model(),
            &req(GenerationParams {
                temperature: Some(f32::NAN),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("temperature"), "{e}");
    }

    #[test]
    fn unsupported_controls_are_refused() {
        let e = resolve(
            &model(),
            &req(GenerationParams {
                seed: Some(1),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("seed"), "{e}");
        let e = resolve(
            &model(),
            &req(GenerationParams {
                repeat_penalty: Some(1.2),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("repeat_penalty"), "{e}");
    }

    #[test]
    fn conversation_shape_is_checked() {
        let mut r = req(GenerationParams::default());
        r.messages.clear();
        assert!(resolve(&model(), &r).unwrap_err().reason.contains("empty"));
        r.messages = vec![
            Message::new(Role::User, "q"),
            Message::new(Role::Assistant, "a"),
        ];
        let e = resolve(&model(), &r).unwrap_err();
        assert!(e.reason.contains("last message"), "{e}");
        assert_eq!(e.field, "messages[1].role");
        r.messages = vec![Message::new(Role::User, "   ")];
        assert!(resolve(&model(), &r).unwrap_err().reason.contains("empty"));
    }

    #[test]
    fn nul_characters_are_refused_where_they_are() {
        let mut r = req(GenerationParams::default());
        r.messages = vec![
            Message::new(Role::System, "ok"),
            Message::new(Role::User, "a\0b"),
        ];
        let e = resolve(&model(), &r).unwrap_err();
        assert!(
            e.reason.contains("messages[1].content") && e.reason.contains("NUL"),
            "{e}"
        );
        assert_eq!(e.field, "messages[1].content");
        let mut r = req(GenerationParams::default());
        r.session_id = Some("s\0".into());
        assert_eq!(resolve(&model(), &r).unwrap_err().field, "session_id");
        let mut r = req(GenerationParams {
            stop: vec!["ok".into(), "x\0".into()],
            ..Default::default()
        });
        r.messages = vec![Message::new(Role::User, "q")];
        assert_eq!(resolve(&model(), &r).unwrap_err().field, "params.stop[1]");
    }

    #[test]
    fn history_references_are_checked() {
        let mut r = req(GenerationParams::default());
        r.conversation_id = Some(uuid::Uuid::nil());
        assert!(resolve(&model(), &r)
            .unwrap_err()
            .reason
            .contains("conversation_id"));
        r.conversation_id = Some(uuid::Uuid::now_v7());
        assert!(resolve(&model(), &r).is_ok());
        r.prompt = Some(crate::outcome::PromptRef {
            prompt_id: uuid::Uuid::now_v7(),
            version: 0,
        });
        let e = resolve(&model(), &r).unwrap_err();
        assert!(e.reason.contains("prompt"), "{e}");
        assert_eq!(e.field, "prompt.version");
    }

    fn reasoning_model() -> ModelConfig {
        let mut m = model();
        m.params.reasoning_effort = Some(Choice {
            values: vec!["low".into(), "high".into()],
            default: Some("low".into()),
        });
        m.thinking_budgets = BTreeMap::from([("low".into(), 1024), ("high".into(), 8192)]);
        m
    }

    fn tool(name: &str) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: String::new(),
            parameters: json!({"type": "object"}),
        }
    }

    #[test]
    fn the_request_names_the_provider_model_and_its_controls() {
        let r = resolve(&model(), &req(GenerationParams::default())).unwrap();
        assert_eq!(r.model, "m-upstream");
        assert!(r.controls.temperature && r.controls.top_p && r.stream);
        let mut m = model();
        m.params.temperature = None;
        let r = resolve(&m, &req(GenerationParams::default())).unwrap();
        assert_eq!(r.sent_temperature(), None);
    }

    #[test]
    fn reasoning_effort_comes_from_the_models_values() {
        let m = reasoning_model();
        let r = resolve(&m, &req(GenerationParams::default())).unwrap();
        assert_eq!(
            (r.reasoning_effort.as_deref(), r.thinking_budget),
            (Some("low"), Some(1024))
        );
        let r = resolve(
            &m,
            &req(GenerationParams {
                reasoning_effort: Some("high".into()),
                ..Default::default()
            }),
        )
        .unwrap();
        assert_eq!(r.thinking_budget, Some(8192));
        let e = resolve(
            &m,
            &req(GenerationParams {
                reasoning_effort: Some("xhigh".into()),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert_eq!(
            e,
            InvalidRequest::new(
                "params.reasoning_effort",
                "reasoning_effort xhigh is not one of low, high that m accepts"
            )
        );
        let e = resolve(
            &model(),
            &req(GenerationParams {
                verbosity: Some("low".into()),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(e.reason.contains("no verbosity control"), "{e}");
    }

    #[test]
    fn tools_and_json_modes_need_the_capability() {
        let with_tools = GenerationParams {
            tools: vec![tool("get_weather")],
            ..Default::default()
        };
        let e = resolve(&model(), &req(with_tools.clone())).unwrap_err();
        assert_eq!(
            e,
            InvalidRequest::new("params.tools", "m does not support tools")
        );
        let schema = Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: json!({"type": "object"}),
            strict: true,
        });
        let mut m = model();
        m.capabilities.tools = true;
        m.capabilities.json_object = true;
        let e = resolve(
            &m,
            &req(GenerationParams {
                response_format: schema.clone(),
                ..Default::default()
            }),
        )
        .unwrap_err();
        assert!(
            e.reason.contains("does not support JSON schema") && e.reason.contains("json_object"),
            "{e}"
        );
        m.capabilities.json_schema = true;
        let both = GenerationParams {
            response_format: schema,
            ..with_tools
        };
        let e = resolve(&m, &req(both.clone())).unwrap_err();
        assert!(e.reason.contains("tools and a JSON response format"), "{e}");
        m.capabilities.tools_with_structured_output = true;
        let r = resolve(&m, &req(both)).unwrap();
        assert_eq!(r.tools.len(), 1);
    }

    #[test]
    fn tool_definitions_are_checked() {
        let mut m = model();
        m.capabilities.tools = true;
        let bad = |tools: Vec<ToolSpec>| {
            resolve(
                &m,
                &req(GenerationParams {
                    tools,
                    ..Default::default()
                }),
            )
            .unwrap_err()
        };
        let e = bad(vec![tool("a b")]);
        assert!(e.reason.contains("tool name"), "{e}");
        assert_eq!(e.field, "params.tools[0].name");
        let e = bad(vec![tool("a"), tool("a")]);
        assert!(e.reason.contains("twice"), "{e}");
        assert_eq!(e.field, "params.tools[1].name");
        let mut t = tool("f");
        t.parameters = json!("string");
        let e = bad(vec![tool("a"), t]);
        assert!(e.reason.contains("parameters"), "{e}");
        assert_eq!(e.field, "params.tools[1].parameters");
    }

    #[test]
    fn tool_turns_need_a_model_with_tools() {
        let call = ToolCall {
            id: "c".into(),
            name: "f".into(),
            arguments: "{}".into(),
            signature: None,
        };
        let mut r = req(GenerationParams::default());
        r.messages = vec![
            Message::new(Role::User, "q"),
            Message {
                tool_calls: vec![call.clone()],
                ..Message::new(Role::Assistant, "")
            },
            Message::tool_output(&call, "42"),
        ];
        assert!(resolve(&model(), &r).unwrap_err().reason.contains("tools"));
        let mut m = model();
        m.capabilities.tools = true;
        assert!(resolve(&m, &r).is_ok());
    }

    #[test]
    fn json_object_needs_the_prompt_to_ask_for_json() {
        let mut m = model();
        m.capabilities.json_object = true;
        let mut r = req(GenerationParams {
            response_format: Some(ResponseFormat::JsonObject),
            ..Default::default()
        });
        assert!(resolve(&m, &r).unwrap_err().reason.contains("ask for JSON"));
        r.messages
            .insert(0, Message::new(Role::System, "Answer in json."));
        assert!(resolve(&m, &r).is_ok());
    }
}
