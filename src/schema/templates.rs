//! The ready-made schemas of `config/schemas/`: one JSON file each,
//! `{ "name", "description", "schema" }`, loaded at start and checked so
//! that every template works with strict mode on every provider.

use std::path::{Path, PathBuf};

use super::check::{check_name, compile};
use super::strict::{self, Dialect};
use super::SchemaTemplate;

/// A template file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the schema templates in {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("schema template {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("schema template {path}: {problem}")]
    Invalid { path: PathBuf, problem: String },
}

/// Every `*.json` template in `dir`, in file name order. A missing folder
/// means no templates.
pub fn load_templates(dir: &Path) -> Result<Vec<SchemaTemplate>, TemplateError> {
    let read_error = |source| TemplateError::Read {
        path: dir.to_owned(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(read_error)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    let mut templates: Vec<SchemaTemplate> = Vec::new();
    for path in files {
        let template = load_one(&path)?;
        if templates.iter().any(|t| t.name == template.name) {
            return Err(TemplateError::Invalid {
                path,
                problem: format!("the name {} is used by another template", template.name),
            });
        }
        templates.push(template);
    }
    Ok(templates)
}

fn load_one(path: &Path) -> Result<SchemaTemplate, TemplateError> {
    let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
        path: path.to_owned(),
        source,
    })?;
    let template: SchemaTemplate =
        serde_json::from_str(&text).map_err(|source| TemplateError::Parse {
            path: path.to_owned(),
            source,
        })?;
    let invalid = |problem: String| TemplateError::Invalid {
        path: path.to_owned(),
        problem,
    };
    check_name("the name", &template.name).map_err(invalid)?;
    if template.description.trim().is_empty() {
        return Err(invalid("the description is empty".into()));
    }
    let issues: Vec<String> = compile(&template.schema)
        .into_iter()
        .chain(strict::check(Dialect::OpenAi, &template.schema))
        .chain(strict::check(Dialect::Gemini, &template.schema))
        .map(|i| i.to_string())
        .collect();
    if !issues.is_empty() {
        return Err(invalid(format!(
            "the schema must work in strict mode everywhere: {}",
            issues.join("; ")
        )));
    }
    Ok(template)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn the_shipped_templates_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/schemas");
        let templates = load_templates(&dir).unwrap();
        assert!(templates.len() >= 4, "{templates:?}");
        assert!(templates.iter().any(|t| t.name == "sentiment"));
    }

    #[test]
    fn templates_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load_templates(&dir.path().join("none")).unwrap(), vec![]);
        let good = r#"{"name": "a", "description": "A.", "schema": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"], "additionalProperties": false}}"#;
        write(dir.path(), "a.json", good);
        write(dir.path(), "notes.txt", "not a template");
        assert_eq!(load_templates(dir.path()).unwrap().len(), 1);

        write(dir.path(), "b.json", good);
        let e = load_templates(dir.path()).unwrap_err().to_string();
        assert!(e.contains("used by another template"), "{e}");

        let open = r#"{"name": "b", "description": "B.", "schema": {"type": "object", "properties": {"x": {"type": "string"}}}}"#;
        write(dir.path(), "b.json", open);
        let e = load_templates(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("b.json") && e.contains("additionalProperties"),
            "{e}"
        );

        write(dir.path(), "b.json", "{\"name\": ");
        let e = load_templates(dir.path()).unwrap_err();
        assert!(matches!(e, TemplateError::Parse { .. }), "{e}");
    }
}
