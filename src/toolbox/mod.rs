//! The tools the server runs for a model: the built-ins declared in
//! `config/tools.yaml` (see [`config`]), each offered under its name with
//! its schema, and one way to call any of them: the arguments are read and
//! checked against the tool's schema before it runs, and the result is
//! capped, so whatever the model writes, a call ends in a result or an
//! error the model and the user can read.

pub mod builtin;
pub mod config;

use std::path::Path;

use serde_json::Value;

use crate::tools::{ToolInfo, ToolList, ToolRefusal, ToolSource, ToolStatus};
use builtin::Builtin;
pub use config::ToolsFileError;

/// The largest arguments text a call may carry.
pub const MAX_ARGUMENT_BYTES: usize = 64 * 1024;
/// The most of a result kept and given back to the model.
pub const MAX_RESULT_BYTES: usize = 16 * 1024;

/// Why a call has no result. Given back to the model as the call's result
/// (so it can correct itself) and shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("there is no tool named {0:?}")]
    Unknown(String),
    #[error("the arguments are not a JSON object: {0}")]
    NotJson(String),
    #[error("the arguments are larger than {MAX_ARGUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the arguments do not match the tool's schema: {0}")]
    Arguments(String),
    #[error("{0}")]
    Failed(String),
}

/// A call's result text, capped at [`MAX_RESULT_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolReply {
    pub text: String,
    /// How many bytes were cut off the end (0 when none were).
    pub cut: usize,
}

struct Tool {
    info: ToolInfo,
    check: jsonschema::Validator,
    kind: Builtin,
}

/// Every tool the server offers, and what its tools file refused.
pub struct Toolbox {
    tools: Vec<Tool>,
    refused: Vec<ToolRefusal>,
}

impl std::fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Toolbox")
            .field(
                "tools",
                &self.tools.iter().map(|t| &t.info.name).collect::<Vec<_>>(),
            )
            .field("refused", &self.refused.len())
            .finish()
    }
}

impl Toolbox {
    /// No tools.
    pub fn empty() -> Self {
        Self {
            tools: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// The tools declared in the file at `path` (none when it is missing).
    pub fn load(path: &Path) -> Result<Self, ToolsFileError> {
        Ok(Self::from_file(config::load(path)?))
    }

    fn from_file(file: config::ToolsFile) -> Self {
        let mut refused = file.refused;
        let mut tools = Vec::new();
        for decl in file.tools {
            // The file's checks compiled the schema already; a failure here
            // would be a schema the checks let through, refused all the same.
            let check = match jsonschema::validator_for(&decl.parameters) {
                Ok(check) => check,
                Err(e) => {
                    refused.push(ToolRefusal {
                        file: String::new(),
                        tool: decl.name,
                        reason: format!("parameters: {e}"),
                    });
                    continue;
                }
            };
            tools.push(Tool {
                info: ToolInfo {
                    name: decl.name,
                    description: decl.description,
                    parameters: decl.parameters,
                    source: ToolSource::Builtin,
                    status: ToolStatus::Available,
                    approval: decl.approval,
                    default_on: decl.default_on,
                    timeout_ms: decl.timeout_ms,
                },
                check,
                kind: decl.kind,
            });
        }
        Self { tools, refused }
    }

    /// What is offered and what was refused, for the API and the page.
    pub fn list(&self) -> ToolList {
        ToolList {
            tools: self.tools.iter().map(|t| t.info.clone()).collect(),
            refused: self.refused.clone(),
        }
    }

    /// The tool named `name`.
    pub fn get(&self, name: &str) -> Option<&ToolInfo> {
        self.find(name).map(|t| &t.info)
    }

    fn find(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.info.name == name)
    }

    /// Calls tool `name` with `arguments`, the JSON text the model wrote
    /// (empty means no arguments).
    pub fn call(&self, name: &str, arguments: &str) -> Result<ToolReply, ToolError> {
        let tool = self
            .find(name)
            .ok_or_else(|| ToolError::Unknown(name.to_owned()))?;
        let args = read_arguments(arguments)?;
        let problems: Vec<String> = tool
            .check
            .iter_errors(&args)
            .take(3)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect();
        if !problems.is_empty() {
            return Err(ToolError::Arguments(problems.join("; ")));
        }
        let text = tool.kind.run(args).map_err(ToolError::Failed)?;
        Ok(cap(text))
    }
}

/// The arguments object: `""` is `{}`, anything else must be one.
fn read_arguments(text: &str) -> Result<Value, ToolError> {
    if text.len() > MAX_ARGUMENT_BYTES {
        return Err(ToolError::TooLarge);
    }
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ToolError::NotJson("it is not an object".into())),
        Err(e) => Err(ToolError::NotJson(e.to_string())),
    }
}

/// `text` cut to [`MAX_RESULT_BYTES`] on a character boundary.
fn cap(mut text: String) -> ToolReply {
    if text.len() <= MAX_RESULT_BYTES {
        return ToolReply { text, cut: 0 };
    }
    let mut end = MAX_RESULT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text.len() - end;
    text.truncate(end);
    ToolReply { text, cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolbox() -> Toolbox {
        let file = config::parse(
            Path::new("tools.yaml"),
            "tools:\n  - name: calc\n    kind: calculator\n  - name: convert\n    kind: units\n",
        )
        .unwrap();
        Toolbox::from_file(file)
    }

    #[test]
    fn a_call_checks_its_arguments_then_runs() {
        let tools = toolbox();
        assert_eq!(
            tools
                .call("calc", r#"{"expression": "6 * 7"}"#)
                .unwrap()
                .text,
            "42"
        );
        assert_eq!(
            tools.call("nope", "{}").unwrap_err(),
            ToolError::Unknown("nope".into())
        );
        assert!(matches!(
            tools.call("calc", "{oops"),
            Err(ToolError::NotJson(_))
        ));
        assert!(matches!(
            tools.call("calc", "[1]"),
            Err(ToolError::NotJson(_))
        ));
        let Err(ToolError::Arguments(why)) = tools.call("calc", r#"{"expresion": "1"}"#) else {
            panic!("a misspelt argument is refused");
        };
        assert!(why.contains("expression"), "{why}");
        let Err(ToolError::Arguments(why)) =
            tools.call("convert", r#"{"value": "two", "from": "kg", "to": "lb"}"#)
        else {
            panic!("a string for a number is refused");
        };
        assert!(why.starts_with("/value"), "{why}");
        assert!(matches!(
            tools.call("convert", r#"{"value": 1, "from": "kg", "to": "m"}"#),
            Err(ToolError::Failed(_))
        ));
        let huge = format!(r#"{{"expression": "{}"}}"#, "1".repeat(MAX_ARGUMENT_BYTES));
        assert_eq!(tools.call("calc", &huge).unwrap_err(), ToolError::TooLarge);
    }

    #[test]
    fn no_arguments_are_an_empty_object() {
        let tools = Toolbox::from_file(
            config::parse(
                Path::new("t.yaml"),
                "tools:\n  - name: now\n    kind: clock\n",
            )
            .unwrap(),
        );
        let reply = tools.call("now", "").unwrap();
        assert!(
            reply.text.contains("\"timezone\":\"UTC\""),
            "{}",
            reply.text
        );
    }

    #[test]
    fn results_are_capped_on_a_character_boundary() {
        let long = "é".repeat(MAX_RESULT_BYTES);
        let reply = cap(long.clone());
        assert!(reply.text.len() <= MAX_RESULT_BYTES);
        assert_eq!(reply.text.len() + reply.cut, long.len());
        assert_eq!(
            cap("short".into()),
            ToolReply {
                text: "short".into(),
                cut: 0
            }
        );
    }

    #[test]
    fn the_list_shows_each_tool_and_each_refusal() {
        let file = config::parse(
            Path::new("t.yaml"),
            "tools:\n  - name: calc\n    kind: calculator\n  - name: calc\n    kind: clock\n",
        )
        .unwrap();
        let list = Toolbox::from_file(file).list();
        assert_eq!(list.tools.len(), 1);
        assert_eq!(list.tools[0].source, ToolSource::Builtin);
        assert_eq!(list.tools[0].status, ToolStatus::Available);
        assert_eq!(list.refused.len(), 1);
    }
}
