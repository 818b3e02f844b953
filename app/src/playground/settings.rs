//! What the playground's settings hold, apart from how they are shown
//! ([`super::controls`]): the model, its parameters, the system prompt and
//! context, the response mode; how they become a request's parameters and
//! system message, and how a handoff or a stored run fills them.

use leptos::prelude::*;
use pep::catalog::{Choice, ModelInfo};
use pep::chat::{GenerationParams, Message, Role};

use super::structured::ResponseSettings;
use crate::param_input::{ParamText, SEED, TEMPERATURE, TOP_P, WHOLE};

/// How a turn is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Tokens shown as they are written.
    Stream,
    /// One answer when the model is done.
    Whole,
}

impl Delivery {
    pub(super) fn key(self) -> &'static str {
        match self {
            Delivery::Stream => "stream",
            Delivery::Whole => "whole",
        }
    }
}

/// What the user has set. Empty or `None` means "the model's default".
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub model: RwSignal<Option<String>>,
    pub delivery: RwSignal<Delivery>,
    pub temperature: ParamText<f32>,
    pub top_p: ParamText<f32>,
    pub max_tokens: ParamText<u32>,
    pub seed: ParamText<u64>,
    pub reasoning_effort: RwSignal<Option<String>>,
    pub verbosity: RwSignal<Option<String>>,
    pub system: RwSignal<String>,
    pub context: RwSignal<String>,
    pub response: ResponseSettings,
}

impl Settings {
    pub fn new() -> Self {
        Self {
            model: RwSignal::new(None),
            delivery: RwSignal::new(Delivery::Stream),
            temperature: ParamText::new("Temperature", TEMPERATURE),
            top_p: ParamText::new("Top-p", TOP_P),
            max_tokens: ParamText::new("Max tokens", WHOLE),
            seed: ParamText::new("Seed", SEED),
            reasoning_effort: RwSignal::new(None),
            verbosity: RwSignal::new(None),
            system: RwSignal::new(String::new()),
            context: RwSignal::new(String::new()),
            response: ResponseSettings::new(),
        }
    }

    /// The parameters to send for `model`: only controls it has. Fails with
    /// a message for the user when a typed number is not one, or the
    /// response format cannot be built (for example a schema that is not
    /// JSON).
    pub fn params(&self, model: &ModelInfo) -> Result<GenerationParams, String> {
        let spec = &model.params;
        let choice = |c: &Option<Choice>, v: RwSignal<Option<String>>| {
            c.as_ref()
                .and_then(|c| v.get_untracked().filter(|v| c.allows(v)))
        };
        Ok(GenerationParams {
            temperature: spec.temperature.and(self.temperature.read_untracked()?),
            top_p: spec.top_p.and(self.top_p.read_untracked()?),
            max_tokens: self.max_tokens.read_untracked()?,
            seed: if spec.seed {
                self.seed.read_untracked()?
            } else {
                None
            },
            reasoning_effort: choice(&spec.reasoning_effort, self.reasoning_effort),
            verbosity: choice(&spec.verbosity, self.verbosity),
            response_format: self.response.format()?,
            ..GenerationParams::default()
        })
    }

    /// The system message: the system prompt, then the context fenced off
    /// so the model reads it as material, not instructions. `None` when both
    /// are empty.
    pub fn system_message(&self) -> Option<Message> {
        system_text(&self.system.get_untracked(), &self.context.get_untracked())
            .map(|text| Message::new(Role::System, text))
    }

    /// Fills the fields from the Prompt Hub. A version opened as a whole
    /// (`prompt` set) replaces every field, clearing empty ones; a paste
    /// only replaces what it carries. A model comes with its parameters.
    /// Returns the message for the composer, when it should be replaced.
    pub fn apply_handoff(&self, h: crate::handoff::PlaygroundHandoff) -> Option<String> {
        let whole = h.whole || h.prompt.is_some();
        let put = |signal: RwSignal<String>, value: String| {
            if whole || !value.trim().is_empty() {
                signal.set(value);
            }
        };
        if let Some(model) = h.model {
            self.model.set(Some(model));
            let p = h.params;
            self.temperature.set(p.temperature);
            self.top_p.set(p.top_p);
            self.max_tokens.set(p.max_tokens);
            self.seed.set(p.seed);
            self.reasoning_effort.set(p.reasoning_effort);
            self.verbosity.set(p.verbosity);
            self.response.set_format(p.response_format.as_ref());
        }
        put(self.system, h.system);
        put(self.context, h.context);
        (whole || !h.message.trim().is_empty()).then_some(h.message)
    }

    /// Puts back the setup of a stored run: its model, every parameter and
    /// response mode, and the system prompt and context it was sent with.
    pub fn restore(&self, model: String, params: &GenerationParams, system: Option<&str>) {
        self.model.set(Some(model));
        self.temperature.set(params.temperature);
        self.top_p.set(params.top_p);
        self.max_tokens.set(params.max_tokens);
        self.seed.set(params.seed);
        self.reasoning_effort.set(params.reasoning_effort.clone());
        self.verbosity.set(params.verbosity.clone());
        self.response.set_format(params.response_format.as_ref());
        let (system, context) = system.map(split_system_text).unwrap_or_default();
        self.system.set(system);
        self.context.set(context);
    }

    /// Back to the defaults of a newly picked model.
    pub(super) fn reset_params(&self) {
        self.temperature.set(None);
        self.top_p.set(None);
        self.max_tokens.set(None);
        self.seed.set(None);
        self.reasoning_effort.set(None);
        self.verbosity.set(None);
    }

    /// Clear: the prompt fields and the response mode (the model and its
    /// parameters stay, as one keeps tuning them across conversations).
    pub fn clear_prompt_fields(&self) {
        self.system.set(String::new());
        self.context.set(String::new());
        self.response.clear();
    }
}

/// System prompt and context joined into one system message.
pub fn system_text(system: &str, context: &str) -> Option<String> {
    let system = system.trim();
    let context = context.trim();
    match (system.is_empty(), context.is_empty()) {
        (true, true) => None,
        (false, true) => Some(system.to_owned()),
        (true, false) => Some(format!(
            "Use the following context.\n<context>\n{context}\n</context>"
        )),
        (false, false) => Some(format!(
            "{system}\n\nUse the following context.\n<context>\n{context}\n</context>"
        )),
    }
}

/// The inverse of [`system_text`]: a stored system message back into the
/// system prompt and the context. A message not written by `system_text`
/// is all system prompt.
pub fn split_system_text(text: &str) -> (String, String) {
    const OPEN: &str = "Use the following context.\n<context>\n";
    const CLOSE: &str = "\n</context>";
    let Some(body) = text.strip_suffix(CLOSE) else {
        return (text.to_owned(), String::new());
    };
    match body.rfind(OPEN) {
        Some(0) => (String::new(), body[OPEN.len()..].to_owned()),
        Some(at) if body[..at].ends_with("\n\n") => (
            body[..at - 2].to_owned(),
            body[at + OPEN.len()..].to_owned(),
        ),
        _ => (text.to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::{split_system_text, system_text};

    #[test]
    fn a_stored_system_message_splits_back_into_its_fields() {
        for (system, context) in [
            ("Be brief.", ""),
            ("", "Facts"),
            ("Be brief.", "Paris\nis big"),
        ] {
            let text = system_text(system, context).unwrap_or_default();
            assert_eq!(
                split_system_text(&text),
                (system.to_owned(), context.to_owned())
            );
        }
        let foreign = "Answer in French.\n</context>";
        assert_eq!(
            split_system_text(foreign),
            (foreign.to_owned(), String::new())
        );
    }

    #[test]
    fn system_and_context_join_into_one_message() {
        assert_eq!(system_text(" ", "\n"), None);
        assert_eq!(system_text("Be brief.", "").as_deref(), Some("Be brief."));
        let both = system_text("Be brief.", "Paris is in France.").unwrap_or_default();
        assert!(both.starts_with("Be brief.\n\n"), "{both}");
        assert!(
            both.contains("<context>\nParis is in France.\n</context>"),
            "{both}"
        );
        let only = system_text("", "Facts").unwrap_or_default();
        assert!(only.contains("<context>\nFacts\n</context>"), "{only}");
    }
}
