//! From the Hub to the playground: the three handoffs, built from a render
//! result (so a prompt that does not render is never handed over) and kept
//! in the tab's storage before going to `/` (see [`crate::handoff`]).

use pep::chat::{GenerationParams, Role};
use pep::prompts::{FewShot, PromptVersion, RenderedPrompt, TemplatePart};

use crate::handoff::{examples_as_context, store_handoff, PlaygroundHandoff};

/// Keeps `handoff` for the playground and goes there; the error, for the
/// person, when there is nothing to hand over or the browser refuses.
pub fn hand_over(
    handoff: Result<PlaygroundHandoff, String>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions),
) -> Result<(), String> {
    store_handoff(&handoff?)?;
    navigate("/", leptos_router::NavigateOptions::default());
    Ok(())
}

/// "Paste rendered prompt to chat": the rendered system and user messages,
/// with the model and parameters they were written for.
pub fn rendered_handoff(
    rendered: &RenderedPrompt,
    model: Option<String>,
    params: GenerationParams,
) -> Result<PlaygroundHandoff, String> {
    let (system, message) = rendered_texts(rendered)?;
    Ok(PlaygroundHandoff {
        model,
        params,
        system,
        message,
        ..PlaygroundHandoff::default()
    })
}

/// "Paste examples to context": the examples as text; model, system and
/// message stay as the playground has them.
pub fn examples_handoff(examples: &[FewShot]) -> Result<PlaygroundHandoff, String> {
    if examples.is_empty() {
        return Err("This prompt has no examples to paste.".to_owned());
    }
    let pairs = examples
        .iter()
        .map(|e| (e.input.as_str(), e.output.as_str()));
    Ok(PlaygroundHandoff {
        context: examples_as_context(pairs),
        ..PlaygroundHandoff::default()
    })
}

/// "Open in playground" for a saved version: everything it was saved with,
/// its examples as context, and the prompt and version it came from.
pub fn version_handoff(
    version: &PromptVersion,
    rendered: &RenderedPrompt,
) -> Result<PlaygroundHandoff, String> {
    let (system, message) = rendered_texts(rendered)?;
    let examples = &version.content.examples;
    Ok(PlaygroundHandoff {
        model: version.content.model.clone(),
        params: version.content.params.clone(),
        system,
        context: examples_as_context(
            examples
                .iter()
                .map(|e| (e.input.as_str(), e.output.as_str())),
        ),
        message,
        prompt: Some((version.prompt_id, version.version)),
        whole: true,
        history: Vec::new(),
    })
}

/// The rendered system text and user message, or why the prompt cannot be
/// handed over yet.
fn rendered_texts(rendered: &RenderedPrompt) -> Result<(String, String), String> {
    if !rendered.is_ok() {
        return Err(blocking_summary(rendered));
    }
    let message = rendered
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .map(|m| m.content.clone())
        .unwrap_or_default();
    Ok((rendered.system.clone().unwrap_or_default(), message))
}

/// One sentence naming the issues that stop a prompt from rendering.
pub fn blocking_summary(rendered: &RenderedPrompt) -> String {
    let issues: Vec<String> = rendered
        .issues
        .iter()
        .filter(|i| i.kind.is_error())
        .map(|i| format!("{} ({})", i.message, issue_place(i.part, i.line, i.column)))
        .collect();
    format!("The prompt does not render yet: {}", issues.join("; "))
}

/// Where an issue is: "user 2:5", "system 1", or "values" for a value no
/// template uses.
pub fn issue_place(part: Option<TemplatePart>, line: Option<u32>, column: Option<u32>) -> String {
    let part = match part {
        Some(TemplatePart::System) => "system",
        Some(TemplatePart::User) => "user",
        None => "values",
    };
    match (line, column) {
        (Some(l), Some(c)) => format!("{part} {l}:{c}"),
        (Some(l), None) => format!("{part} {l}"),
        _ => part.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep::chat::Message;
    use pep::prompts::{IssueKind, Lifecycle, TemplateIssue, VersionContent};
    use uuid::Uuid;

    fn rendered() -> RenderedPrompt {
        RenderedPrompt {
            system: Some("Be brief.".into()),
            messages: vec![
                Message::new(Role::User, "ex in"),
                Message::new(Role::Assistant, "ex out"),
                Message::new(Role::User, "Tell me about tides"),
            ],
            variables: vec!["topic".into()],
            issues: Vec::new(),
        }
    }

    #[test]
    fn a_rendered_prompt_fills_system_and_message() {
        let h =
            rendered_handoff(&rendered(), Some("m".into()), GenerationParams::default()).unwrap();
        assert_eq!(h.system, "Be brief.");
        assert_eq!(h.message, "Tell me about tides");
        assert_eq!(h.context, "");
        assert_eq!(h.model.as_deref(), Some("m"));
        assert_eq!(h.prompt, None);
    }

    #[test]
    fn a_prompt_with_errors_is_not_handed_over() {
        let mut r = rendered();
        r.issues.push(TemplateIssue {
            kind: IssueKind::Undefined,
            part: Some(TemplatePart::User),
            message: "topic is undefined".into(),
            variable: Some("topic".into()),
            line: Some(1),
            column: Some(15),
        });
        let err = rendered_handoff(&r, None, GenerationParams::default()).unwrap_err();
        assert!(err.contains("topic is undefined (user 1:15)"), "{err}");
        r.issues[0].kind = IssueKind::Unused;
        assert!(rendered_handoff(&r, None, GenerationParams::default()).is_ok());
    }

    #[test]
    fn a_version_opens_with_its_model_params_examples_and_origin() {
        let version = PromptVersion {
            prompt_id: Uuid::nil(),
            version: 2,
            content: VersionContent {
                model: Some("local/x".into()),
                params: GenerationParams {
                    max_tokens: Some(64),
                    ..GenerationParams::default()
                },
                examples: vec![FewShot {
                    input: "a".into(),
                    output: "b".into(),
                }],
                ..VersionContent::default()
            },
            lifecycle: Lifecycle::Published,
            created_at: String::new(),
        };
        let h = version_handoff(&version, &rendered()).unwrap();
        assert_eq!(h.prompt, Some((Uuid::nil(), 2)));
        assert_eq!(h.params.max_tokens, Some(64));
        assert_eq!(h.context, "Example 1\nInput: a\nOutput: b");
        assert_eq!(h.message, "Tell me about tides");
    }

    #[test]
    fn examples_go_to_the_context_only() {
        assert!(examples_handoff(&[]).is_err());
        let h = examples_handoff(&[FewShot {
            input: "x".into(),
            output: "y".into(),
        }])
        .unwrap();
        assert_eq!(h.context, "Example 1\nInput: x\nOutput: y");
        assert_eq!(h.model, None);
        assert_eq!(h.message, "");
    }

    #[test]
    fn places_read_part_line_and_column() {
        assert_eq!(
            issue_place(Some(TemplatePart::User), Some(2), Some(5)),
            "user 2:5"
        );
        assert_eq!(
            issue_place(Some(TemplatePart::System), Some(1), None),
            "system 1"
        );
        assert_eq!(issue_place(None, None, None), "values");
    }
}
