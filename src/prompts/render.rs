//! Rendering a prompt's templates (Jinja syntax, by minijinja) into the
//! messages of a chat, and finding what is wrong before anything is sent to
//! a model: syntax errors, variables without a value, values no template
//! uses, and failures while rendering, each with its line and column.
//!
//! Rendering is strict: a missing value is an error, never an empty string
//! sent silently. A template that handles a missing value itself
//! (`{% if tone is defined %}`, `{{ tone | default("neutral") }}`) may omit
//! it. Rendering runs on a fuel budget, so a template cannot loop for ever.

use std::collections::{BTreeMap, BTreeSet};

use minijinja::{Environment, Error as JinjaError, UndefinedBehavior, Value};

use super::scan;
use super::{
    FewShot, IssueKind, RenderRequest, RenderedPrompt, TemplateIssue, TemplatePart, VersionContent,
};
use crate::chat::{Message, Role};

/// Instructions one render may execute: far more than any prompt needs,
/// far fewer than a runaway loop takes.
pub const FUEL: u64 = 200_000;

/// The render request of a saved version, with the caller's values.
pub fn request_for(
    content: &VersionContent,
    variables: BTreeMap<String, serde_json::Value>,
) -> RenderRequest {
    RenderRequest {
        template: content.template.clone(),
        system: content.system.clone(),
        examples: content.examples.clone(),
        defaults: content.defaults.clone(),
        variables,
    }
}

/// Renders `request`, or reports why it cannot be sent. Never fails: every
/// problem is an issue in the result.
pub fn render(request: &RenderRequest) -> RenderedPrompt {
    let env = environment();
    let mut values = request.defaults.clone();
    values.extend(request.variables.clone());

    let parts = [
        (TemplatePart::System, request.system.as_str()),
        (TemplatePart::User, request.template.as_str()),
    ];
    let mut issues = Vec::new();
    let mut used = BTreeSet::new();
    let mut compiled = Vec::new();
    for (part, source) in parts {
        if part == TemplatePart::System && source.is_empty() {
            continue;
        }
        match env.template_from_named_str(name(part), source) {
            Ok(template) => {
                let names = variables(&env, &template.undeclared_variables(false));
                issues.extend(undefined(part, source, &names, &values));
                used.extend(names);
                compiled.push((part, template));
            }
            Err(e) => issues.push(error_issue(IssueKind::Syntax, part, source, &e)),
        }
    }
    issues.extend(unused(request, &used));

    let mut rendered = RenderedPrompt {
        variables: used.into_iter().collect(),
        ..RenderedPrompt::default()
    };
    if issues.iter().any(|i| i.kind.is_error()) {
        rendered.issues = issues;
        return rendered;
    }

    let context = Value::from_serialize(&values);
    let mut system = None;
    let mut user = None;
    for (part, template) in compiled {
        match template.render(&context) {
            Ok(text) if part == TemplatePart::System => system = Some(text),
            Ok(text) => user = Some(text),
            Err(e) => {
                let source = match part {
                    TemplatePart::System => &request.system,
                    TemplatePart::User => &request.template,
                };
                issues.push(error_issue(IssueKind::Render, part, source, &e));
            }
        }
    }
    rendered.issues = issues;
    if rendered.is_ok() {
        rendered.system = system;
        rendered.messages = examples(&request.examples);
        rendered
            .messages
            .push(Message::new(Role::User, user.unwrap_or_default()));
    }
    rendered
}

/// The examples as the turns of a conversation: each input a user message,
/// each output the assistant's answer.
pub fn examples(examples: &[FewShot]) -> Vec<Message> {
    examples
        .iter()
        .flat_map(|e| {
            [
                Message::new(Role::User, e.input.clone()),
                Message::new(Role::Assistant, e.output.clone()),
            ]
        })
        .collect()
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Spans for error positions.
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A prompt's text is sent as written, final newline included.
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    env
}

fn name(part: TemplatePart) -> &'static str {
    // Names without an extension: no HTML auto-escaping.
    match part {
        TemplatePart::System => "system",
        TemplatePart::User => "user",
    }
}

/// The variables a template reads, less the environment's globals
/// (`range`, `namespace`, ...) that minijinja also reports.
fn variables(
    env: &Environment<'_>,
    undeclared: &std::collections::HashSet<String>,
) -> BTreeSet<String> {
    let globals: BTreeSet<&str> = env.globals().map(|(name, _)| name).collect();
    undeclared
        .iter()
        .filter(|name| !globals.contains(name.as_str()))
        .cloned()
        .collect()
}

/// An issue for each variable of `names` without a value, placed at its
/// first use, unless the template itself allows it to be missing.
fn undefined(
    part: TemplatePart,
    source: &str,
    names: &BTreeSet<String>,
    values: &BTreeMap<String, serde_json::Value>,
) -> Vec<TemplateIssue> {
    let uses = scan::uses(source);
    names
        .iter()
        .filter(|name| !values.contains_key(name.as_str()))
        .filter_map(|name| {
            let uses = uses.get(name.as_str());
            if uses.is_some_and(|u| u.iter().any(|u| u.optional)) {
                return None;
            }
            let position = uses
                .and_then(|u| u.first())
                .map(|u| scan::line_column(source, u.offset));
            Some(TemplateIssue {
                kind: IssueKind::Undefined,
                part: Some(part),
                message: format!("variable {name:?} has no value and no default"),
                variable: Some(name.clone()),
                line: position.map(|(line, _)| line),
                column: position.map(|(_, column)| column),
            })
        })
        .collect()
}

/// A warning for each value, given or default, that no template reads.
fn unused(request: &RenderRequest, used: &BTreeSet<String>) -> Vec<TemplateIssue> {
    let given = request.variables.keys().map(|k| (k, "value"));
    let defaults = request
        .defaults
        .keys()
        .filter(|k| !request.variables.contains_key(*k))
        .map(|k| (k, "default"));
    let mut out: Vec<TemplateIssue> = given
        .chain(defaults)
        .filter(|(name, _)| !used.contains(name.as_str()))
        .map(|(name, what)| TemplateIssue {
            kind: IssueKind::Unused,
            part: None,
            message: format!("the {what} of {name:?} is not used by the templates"),
            variable: Some(name.clone()),
            line: None,
            column: None,
        })
        .collect();
    out.sort_by(|a, b| a.variable.cmp(&b.variable));
    out
}

/// A minijinja error as an issue, with the line and column it gives.
fn error_issue(kind: IssueKind, part: TemplatePart, source: &str, e: &JinjaError) -> TemplateIssue {
    let (line, column) = match e.range() {
        Some(range) => {
            let (line, column) = scan::line_column(source, range.start);
            (Some(line), Some(column))
        }
        None => (e.line().and_then(|l| u32::try_from(l).ok()), None),
    };
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    TemplateIssue {
        kind,
        part: Some(part),
        message,
        variable: None,
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::collections::BTreeMap;

    use serde_json::json;

    use super::render;
    use crate::chat::Role;
    use crate::prompts::{FewShot, IssueKind, RenderRequest, TemplatePart};

    fn values(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn request(system: &str, template: &str) -> RenderRequest {
        RenderRequest {
            system: system.into(),
            template: template.into(),
            ..RenderRequest::default()
        }
    }

    #[test]
    fn renders_both_templates_and_lists_their_variables() {
        let mut r = request(
            "You write in a {{ tone }} tone.",
            "Summarise in {{ words }} words:\n{{ text }}\n",
        );
        r.defaults = values(&[("tone", json!("neutral")), ("words", json!(50))]);
        r.variables = values(&[("text", json!("Cats sleep.")), ("tone", json!("playful"))]);
        let out = render(&r);
        assert!(out.is_ok(), "{:?}", out.issues);
        assert_eq!(out.variables, ["text", "tone", "words"]);
        assert_eq!(out.system.as_deref(), Some("You write in a playful tone."));
        assert_eq!(out.messages.len(), 1);
        assert_eq!(out.messages[0].role, Role::User);
        assert_eq!(
            out.messages[0].content,
            "Summarise in 50 words:\nCats sleep.\n"
        );
        assert!(out.issues.is_empty());
        assert_eq!(out.conversation()[0].role, Role::System);
    }

    #[test]
    fn undefined_variables_are_reported_where_they_are_used() {
        let r = request("", "Hello {{ name }},\n  {{ greeting }} and {{ name }}");
        let out = render(&r);
        assert!(!out.is_ok());
        assert!(out.messages.is_empty());
        let issues: Vec<_> = out
            .issues
            .iter()
            .map(|i| (i.kind, i.variable.as_deref(), i.line, i.column))
            .collect();
        assert_eq!(
            issues,
            [
                (IssueKind::Undefined, Some("greeting"), Some(2), Some(6)),
                (IssueKind::Undefined, Some("name"), Some(1), Some(10)),
            ]
        );
        assert_eq!(out.issues[0].part, Some(TemplatePart::User));
    }

    #[test]
    fn optional_variables_may_be_missing() {
        let r = request(
            "",
            "{% if tone is defined %}Tone: {{ tone }}. {% endif %}{{ style | default('plain') }}",
        );
        let out = render(&r);
        assert!(out.is_ok(), "{:?}", out.issues);
        assert_eq!(out.messages[0].content, "plain");
        assert_eq!(out.variables, ["style", "tone"]);
    }

    #[test]
    fn unused_values_are_warnings() {
        let mut r = request("", "{{ a }}");
        r.variables = values(&[("a", json!(1)), ("zz", json!(2))]);
        r.defaults = values(&[("old", json!("x"))]);
        let out = render(&r);
        assert!(out.is_ok());
        assert_eq!(out.messages[0].content, "1");
        let unused: Vec<_> = out
            .issues
            .iter()
            .map(|i| (i.kind, i.variable.as_deref().unwrap_or_default()))
            .collect();
        assert_eq!(
            unused,
            [(IssueKind::Unused, "old"), (IssueKind::Unused, "zz")]
        );
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let r = request("Fine {{ x }}", "line one\nline two {{ name }\n");
        let out = render(&r);
        let syntax: Vec<_> = out
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Syntax)
            .collect();
        assert_eq!(syntax.len(), 1, "{:?}", out.issues);
        assert_eq!(syntax[0].part, Some(TemplatePart::User));
        assert_eq!(syntax[0].line, Some(2));
        assert!(syntax[0].column.is_some_and(|c| c >= 10), "{syntax:?}");
        assert!(syntax[0].message.contains("syntax error"), "{syntax:?}");
        // The system template's missing value is reported as well.
        assert!(out
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::Undefined && i.part == Some(TemplatePart::System)));
        assert!(out.messages.is_empty() && out.system.is_none());
    }

    #[test]
    fn render_errors_are_reported_and_runaway_loops_stop() {
        let mut r = request("", "ok\n{{ n + 'text' }}");
        r.variables = values(&[("n", json!(1))]);
        let out = render(&r);
        let issue = &out.issues[0];
        assert_eq!(issue.kind, IssueKind::Render, "{:?}", out.issues);
        assert_eq!((issue.line, issue.column), (Some(2), Some(4)));

        let r = request(
            "",
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        );
        let out = render(&r);
        assert_eq!(out.issues[0].kind, IssueKind::Render, "{:?}", out.issues);
    }

    #[test]
    fn few_shot_examples_become_alternating_turns() {
        let mut r = request("Extract names.", "{{ text }}");
        r.examples = vec![
            FewShot {
                input: "Ann met Bob.".into(),
                output: r#"["Ann","Bob"]"#.into(),
            },
            FewShot {
                input: "{{ not a template }}".into(),
                output: "[]".into(),
            },
        ];
        r.variables = values(&[("text", json!("Cy left."))]);
        let out = render(&r);
        assert!(out.is_ok(), "{:?}", out.issues);
        let turns: Vec<_> = out
            .messages
            .iter()
            .map(|m| (m.role, m.content.as_str()))
            .collect();
        assert_eq!(
            turns,
            [
                (Role::User, "Ann met Bob."),
                (Role::Assistant, r#"["Ann","Bob"]"#),
                (Role::User, "{{ not a template }}"),
                (Role::Assistant, "[]"),
                (Role::User, "Cy left."),
            ]
        );
    }

    #[test]
    fn html_is_not_escaped() {
        let mut r = request("", "{{ code }}");
        r.variables = values(&[("code", json!("<a href=\"x\">&</a>"))]);
        assert_eq!(render(&r).messages[0].content, "<a href=\"x\">&</a>");
    }
}
