//! Reading `config/tools.yaml`. Each declaration is read on its own, so one
//! that is wrong (an unknown key, a duplicate name, a schema that is not
//! JSON Schema, a timeout out of range) is refused with the file, the tool
//! and the reason, and the others are still offered. Only a file that
//! cannot be read, or is not a list of declarations, stops the start.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::builtin::Builtin;
use crate::schema::check::{check_name, compile};
use crate::tools::ToolRefusal;

/// The longest timeout a tool may declare (ten minutes).
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// A tool's timeout when the file gives none.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// A tools file that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ToolsFileError {
    #[error("cannot read the tools file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the tools file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_norway::Error,
    },
}

/// The file: lists whose entries are read one at a time.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    tools: Vec<serde_norway::Value>,
}

/// One tool as declared.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    name: String,
    kind: Builtin,
    #[serde(default)]
    description: Option<String>,
    /// A narrower schema than the built-in's own (it is checked first).
    #[serde(default)]
    parameters: Option<serde_json::Value>,
    #[serde(default = "default_timeout")]
    timeout_ms: u64,
    #[serde(default)]
    approval: bool,
    #[serde(default = "yes")]
    default_on: bool,
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_MS
}

fn yes() -> bool {
    true
}

/// A declaration that passed every check.
#[derive(Debug, Clone)]
pub struct ToolDecl {
    pub name: String,
    pub kind: Builtin,
    pub description: String,
    pub parameters: serde_json::Value,
    pub timeout_ms: u64,
    pub approval: bool,
    pub default_on: bool,
}

/// What a tools file declares: the tools to offer, and the refusals.
#[derive(Debug, Default)]
pub struct ToolsFile {
    pub tools: Vec<ToolDecl>,
    pub refused: Vec<ToolRefusal>,
}

/// Reads the tools file at `path`; a missing file declares nothing.
pub fn load(path: &Path) -> Result<ToolsFile, ToolsFileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ToolsFile::default()),
        Err(source) => Err(ToolsFileError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Reads `text`, the tools file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<ToolsFile, ToolsFileError> {
    let raw: RawFile = serde_norway::from_str(text).map_err(|source| ToolsFileError::Parse {
        path: path.to_owned(),
        source,
    })?;
    let file = path.display().to_string();
    let mut out = ToolsFile::default();
    let mut names = BTreeSet::new();
    for (i, value) in raw.tools.into_iter().enumerate() {
        // The name, when there is one, names the refusal.
        let label = value
            .get("name")
            .and_then(serde_norway::Value::as_str)
            .map_or_else(|| format!("tools[{i}]"), str::to_owned);
        let refuse = |reason: String| ToolRefusal {
            file: file.clone(),
            tool: label.clone(),
            reason,
        };
        let tool = match serde_norway::from_value::<RawTool>(value) {
            Ok(tool) => tool,
            Err(e) => {
                out.refused.push(refuse(e.to_string()));
                continue;
            }
        };
        match check(tool) {
            Ok(decl) if !names.insert(decl.name.clone()) => {
                out.refused
                    .push(refuse(format!("the name {} is declared twice", decl.name)));
            }
            Ok(decl) => out.tools.push(decl),
            Err(reason) => out.refused.push(refuse(reason)),
        }
    }
    Ok(out)
}

fn check(tool: RawTool) -> Result<ToolDecl, String> {
    check_name("the tool name", &tool.name)?;
    if !(1..=MAX_TIMEOUT_MS).contains(&tool.timeout_ms) {
        return Err(format!(
            "timeout_ms must be between 1 and {MAX_TIMEOUT_MS}; got {}",
            tool.timeout_ms
        ));
    }
    let parameters = match tool.parameters {
        None => tool.kind.parameters(),
        Some(schema) => {
            let issues = compile(&schema);
            if let Some(first) = issues.first() {
                return Err(format!("parameters: {}", first.message));
            }
            if schema.get("type").and_then(serde_json::Value::as_str) != Some("object") {
                return Err("parameters must be an object schema (\"type\": \"object\")".into());
            }
            schema
        }
    };
    Ok(ToolDecl {
        description: tool
            .description
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| tool.kind.description().to_owned()),
        name: tool.name,
        kind: tool.kind,
        parameters,
        timeout_ms: tool.timeout_ms,
        approval: tool.approval,
        default_on: tool.default_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ToolsFile {
        parse(Path::new("config/tools.yaml"), text).unwrap()
    }

    #[test]
    fn good_declarations_are_offered_with_their_defaults() {
        let file = read(
            "tools:\n  - name: calc\n    kind: calculator\n  - name: now\n    kind: clock\n    \
             approval: true\n    default_on: false\n    timeout_ms: 500\n",
        );
        assert!(file.refused.is_empty(), "{:?}", file.refused);
        let [calc, now] = file.tools.as_slice() else {
            panic!("two tools: {:?}", file.tools);
        };
        assert_eq!(calc.kind, Builtin::Calculator);
        assert_eq!(calc.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert!(calc.default_on && !calc.approval);
        assert_eq!(calc.description, Builtin::Calculator.description());
        assert_eq!(calc.parameters, Builtin::Calculator.parameters());
        assert!(now.approval && !now.default_on);
        assert_eq!(now.timeout_ms, 500);
    }

    #[test]
    fn each_bad_declaration_is_refused_with_its_reason_and_the_rest_are_kept() {
        let file = read(concat!(
            "tools:\n",
            "  - name: calc\n    kind: calculator\n    timout_ms: 5\n",
            "  - name: calc2\n    kind: calculator\n",
            "  - name: calc2\n    kind: units\n",
            "  - name: bad schema\n    kind: clock\n",
            "  - name: narrow\n    kind: units\n    parameters: {type: object, properties: {value: {type: wrong}}}\n",
            "  - name: slow\n    kind: clock\n    timeout_ms: 0\n",
            "  - kind: shell\n",
        ));
        assert_eq!(
            file.tools
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["calc2"]
        );
        let reasons: Vec<(&str, &str)> = file
            .refused
            .iter()
            .map(|r| (r.tool.as_str(), r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        assert!(
            reasons[0].0 == "calc" && reasons[0].1.contains("timout_ms"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].0 == "calc2" && reasons[1].1.contains("twice"),
            "{reasons:?}"
        );
        assert!(reasons[2].1.contains("tool name"), "{reasons:?}");
        assert!(
            reasons[3].0 == "narrow" && reasons[3].1.contains("JSON Schema"),
            "{reasons:?}"
        );
        assert!(reasons[4].1.contains("timeout_ms"), "{reasons:?}");
        assert!(
            reasons[5].0 == "tools[6]" && reasons[5].1.contains("shell"),
            "{reasons:?}"
        );
        assert!(file.refused.iter().all(|r| r.file == "config/tools.yaml"));
    }

    #[test]
    fn a_file_that_is_not_a_tools_file_stops_the_start() {
        let err = parse(Path::new("t.yaml"), "tool: []\n").err().unwrap();
        assert!(err.to_string().contains("t.yaml"), "{err}");
        let missing = load(Path::new("no/such/tools.yaml")).unwrap();
        assert!(missing.tools.is_empty() && missing.refused.is_empty());
    }
}
