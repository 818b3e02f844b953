//! Loading and checking `config/models.yaml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Capabilities, Choice, ModelInfo, ParamSpec, Pricing};

/// A catalog file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the model catalog {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the model catalog {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_norway::Error,
    },
    #[error("model {model} names endpoint {endpoint}, which the catalog does not define")]
    UnknownEndpoint { model: String, endpoint: String },
    #[error("model id {0} appears twice in the catalog")]
    DuplicateModel(String),
    #[error("model {model}: {problem}")]
    InvalidModel { model: String, problem: String },
    #[error("endpoint {endpoint}: {problem}")]
    InvalidEndpoint { endpoint: String, problem: String },
}

/// How to reach the server (or file) behind a set of models.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum EndpointConfig {
    /// A GGUF file run in-process by llama.cpp. A relative path is resolved
    /// against the data directory.
    Local {
        model_path: PathBuf,
        /// Decode threads; 0 means "choose from the machine".
        #[serde(default)]
        threads: u32,
        /// Generations that may run at once; more wait in line.
        #[serde(default = "one")]
        max_concurrent: usize,
    },
    /// OpenAI's own API, through Chat Completions or the Responses API.
    #[serde(rename = "openai")]
    OpenAi(OpenAiEndpoint),
    /// Google's Gemini API (the native `generateContent` protocol).
    Gemini(RemoteEndpoint),
    /// A server that speaks OpenAI's Chat Completions (vLLM, llama.cpp's
    /// server, Ollama). `base_url` (or `base_url_env`) is required; the key
    /// is optional.
    OpenaiCompatible(RemoteEndpoint),
}

impl EndpointConfig {
    /// The provider's short name, as shown in the model picker and stored
    /// with each run.
    pub fn provider_name(&self) -> &'static str {
        match self {
            EndpointConfig::Local { .. } => "local",
            EndpointConfig::OpenAi(_) => "openai",
            EndpointConfig::Gemini(_) => "gemini",
            EndpointConfig::OpenaiCompatible(_) => "openai_compatible",
        }
    }
}

fn one() -> usize {
    1
}

/// Which of OpenAI's two text-generation APIs an endpoint uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenAiApi {
    /// `POST /chat/completions`.
    #[default]
    ChatCompletions,
    /// `POST /responses`.
    Responses,
}

/// An OpenAI endpoint: a remote endpoint plus the choice of API.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenAiEndpoint {
    pub api: OpenAiApi,
    pub remote: RemoteEndpoint,
}

/// Not derived with `#[serde(flatten)]`, which would let a misspelt key
/// through (see [`crate::strict`]).
impl<'de> Deserialize<'de> for OpenAiEndpoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (api, remote) = crate::strict::split_field(deserializer, "api")?;
        Ok(Self { api, remote })
    }
}

/// How to reach a provider over HTTP. Keys are never written in the
/// catalog: it names the environment variable that holds one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RemoteEndpoint {
    /// The API's base address (`https://api.openai.com/v1`,
    /// `http://localhost:8001/v1`); the provider's public address when absent.
    pub base_url: Option<String>,
    /// An environment variable that, when set, replaces `base_url`: a
    /// self-hosted server moves between machines without editing the catalog.
    pub base_url_env: Option<String>,
    /// The environment variable that holds the API key. For `openai` and
    /// `gemini` it defaults to `OPENAI_API_KEY` / `GEMINI_API_KEY`, and a
    /// missing key leaves the endpoint's models listed as unavailable.
    pub api_key_env: Option<String>,
    /// Extra headers sent with every request (an organisation, a project, a
    /// gateway's routing header).
    pub headers: BTreeMap<String, String>,
    pub timeouts: Timeouts,
    pub retry: RetrySettings,
}

/// Connect and read time limits, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Establishing the TCP/TLS connection.
    pub connect_ms: u64,
    /// The longest silence allowed while waiting for the response to start
    /// and between two pieces of it. Reasoning models may think for minutes
    /// before their first byte, hence the generous default.
    pub read_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect_ms: 10_000,
            read_ms: 300_000,
        }
    }
}

/// Retries of a request that failed before its first byte (429, 5xx, a
/// refused connection). Once a reply has started nothing is retried: the
/// user has already seen part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RetrySettings {
    /// Retries after the first attempt; 0 disables them.
    pub max_retries: u32,
    /// The first back-off; each retry doubles it, with jitter.
    pub base_delay_ms: u64,
    /// The longest single wait. A `Retry-After` asking for more is not
    /// honoured by waiting: the error goes back to the user with the delay.
    pub max_delay_ms: u64,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay_ms: 500,
            max_delay_ms: 20_000,
        }
    }
}

/// One model entry of the catalog file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    pub id: String,
    pub label: String,
    pub endpoint: String,
    pub params: ParamSpec,
    #[serde(default)]
    pub pricing: Pricing,
    /// The model's name at the provider (`gpt-5-mini`,
    /// `Qwen/Qwen2.5-7B-Instruct-AWQ`); `id` when absent.
    #[serde(default)]
    pub provider_model: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Gemini: the `thinkingBudget` (tokens; -1 = dynamic, 0 = off) each
    /// value of `params.reasoning_effort` stands for.
    #[serde(default)]
    pub thinking_budgets: BTreeMap<String, i32>,
}

impl ModelConfig {
    /// The name sent to the provider.
    pub fn provider_model(&self) -> &str {
        self.provider_model.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    endpoints: BTreeMap<String, EndpointConfig>,
    models: Vec<ModelConfig>,
}

/// The checked catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub endpoints: BTreeMap<String, EndpointConfig>,
    pub models: Vec<ModelConfig>,
}

impl Catalog {
    /// Reads and checks a catalog file.
    pub fn load(path: &Path) -> Result<Self, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ParseOrCheck::Parse(source) => CatalogError::Parse {
                path: path.to_owned(),
                source,
            },
            ParseOrCheck::Check(e) => e,
        })
    }

    fn parse(text: &str) -> Result<Self, ParseOrCheck> {
        let file: CatalogFile = serde_norway::from_str(text).map_err(ParseOrCheck::Parse)?;
        let catalog = Catalog {
            endpoints: file.endpoints,
            models: file.models,
        };
        catalog.check().map_err(ParseOrCheck::Check)?;
        Ok(catalog)
    }

    fn check(&self) -> Result<(), CatalogError> {
        for (name, endpoint) in &self.endpoints {
            check_endpoint(name, endpoint)?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &self.models {
            if !seen.insert(m.id.as_str()) {
                return Err(CatalogError::DuplicateModel(m.id.clone()));
            }
            let Some(endpoint) = self.endpoints.get(&m.endpoint) else {
                return Err(CatalogError::UnknownEndpoint {
                    model: m.id.clone(),
                    endpoint: m.endpoint.clone(),
                });
            };
            let p = &m.params;
            let bad_range = |name: &str, ok: bool| -> Result<(), CatalogError> {
                if ok {
                    Ok(())
                } else {
                    Err(CatalogError::InvalidModel {
                        model: m.id.clone(),
                        problem: format!("{name}: min <= default <= max does not hold"),
                    })
                }
            };
            let f = |r: &Option<super::Range<f32>>| {
                r.is_none_or(|r| r.min <= r.default && r.default <= r.max)
            };
            bad_range("temperature", f(&p.temperature))?;
            bad_range("top_p", f(&p.top_p))?;
            bad_range("repeat_penalty", f(&p.repeat_penalty))?;
            let t = &p.max_tokens;
            bad_range("max_tokens", t.min <= t.default && t.default <= t.max)?;
            check_model_features(m, endpoint).map_err(|problem| CatalogError::InvalidModel {
                model: m.id.clone(),
                problem,
            })?;
        }
        Ok(())
    }

    pub fn model(&self, id: &str) -> Option<&ModelConfig> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The browser's view of a model, given whether its endpoint can serve.
    pub fn info(&self, model: &ModelConfig, unavailable: Option<String>) -> ModelInfo {
        let provider = self
            .endpoints
            .get(&model.endpoint)
            .map_or("local", EndpointConfig::provider_name);
        ModelInfo {
            id: model.id.clone(),
            label: model.label.clone(),
            provider: provider.to_owned(),
            params: model.params.clone(),
            pricing: model.pricing,
            capabilities: model.capabilities,
            unavailable,
        }
    }
}

fn check_endpoint(name: &str, endpoint: &EndpointConfig) -> Result<(), CatalogError> {
    let problem = |problem: &str| {
        Err(CatalogError::InvalidEndpoint {
            endpoint: name.to_owned(),
            problem: problem.to_owned(),
        })
    };
    let remote = match endpoint {
        EndpointConfig::Local { .. } => return Ok(()),
        EndpointConfig::OpenAi(e) => &e.remote,
        EndpointConfig::Gemini(r) => r,
        EndpointConfig::OpenaiCompatible(r) => {
            if r.base_url.is_none() && r.base_url_env.is_none() {
                return problem("an openai_compatible endpoint needs base_url or base_url_env");
            }
            r
        }
    };
    if let Some(url) = &remote.base_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return problem("base_url must start with http:// or https://");
        }
    }
    if remote.timeouts.connect_ms == 0 || remote.timeouts.read_ms == 0 {
        return problem("timeouts must be longer than 0 ms");
    }
    Ok(())
}

/// Checks that a model's optional controls fit together and fit the API
/// that serves it, so a request can never reach a provider with a control
/// the provider would silently drop.
fn check_model_features(m: &ModelConfig, endpoint: &EndpointConfig) -> Result<(), String> {
    let choice = |name: &str, c: &Option<Choice>| -> Result<(), String> {
        let Some(c) = c else { return Ok(()) };
        if c.values.is_empty() {
            return Err(format!("{name}: values must not be empty"));
        }
        match &c.default {
            Some(d) if !c.allows(d) => Err(format!("{name}: default {d} is not one of values")),
            _ => Ok(()),
        }
    };
    let p = &m.params;
    choice("reasoning_effort", &p.reasoning_effort)?;
    choice("verbosity", &p.verbosity)?;
    let caps = &m.capabilities;
    if caps.tools_with_structured_output && !(caps.tools && (caps.json_object || caps.json_schema))
    {
        return Err(
            "tools_with_structured_output needs tools and json_object or json_schema".into(),
        );
    }
    // JSON modes work locally (grammar-constrained decoding); tools and
    // reasoning controls do not.
    let fancy = caps.tools || p.reasoning_effort.is_some() || p.verbosity.is_some();
    match endpoint {
        EndpointConfig::Local { .. } if fancy => {
            Err("the local model has no tools or reasoning controls".into())
        }
        EndpointConfig::Local { .. } => Ok(()),
        _ if p.repeat_penalty.is_some() => {
            Err("repeat_penalty is only available on the local model".into())
        }
        EndpointConfig::OpenAi(OpenAiEndpoint {
            api: OpenAiApi::Responses,
            ..
        }) if p.seed || p.stop => Err("the Responses API has no seed and no stop sequences".into()),
        EndpointConfig::Gemini(_) if p.verbosity.is_some() => {
            Err("Gemini has no verbosity control".into())
        }
        EndpointConfig::Gemini(_) => match &p.reasoning_effort {
            Some(c) => match c
                .values
                .iter()
                .find(|v| !m.thinking_budgets.contains_key(*v))
            {
                Some(v) => Err(format!(
                    "reasoning_effort {v} has no entry in thinking_budgets"
                )),
                None => Ok(()),
            },
            None => Ok(()),
        },
        _ if !m.thinking_budgets.is_empty() => {
            Err("thinking_budgets applies to gemini endpoints only".into())
        }
        _ => Ok(()),
    }
}

enum ParseOrCheck {
    Parse(serde_norway::Error),
    Check(CatalogError),
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
endpoints:
  local:
    kind: local
    model_path: models/x.gguf
models:
  - id: local/x
    label: X
    endpoint: local
    params:
      temperature: { min: 0.0, max: 2.0, default: 0.3 }
      top_p: { min: 0.0, max: 1.0, default: 0.9 }
      max_tokens: { min: 1, max: 4096, default: 256 }
      seed: true
      stop: true
      repeat_penalty: { min: 1.0, max: 2.0, default: 1.1 }
"#;

    #[test]
    fn parses_the_catalog_format() {
        let c = Catalog::parse(GOOD).ok().expect("valid catalog");
        let m = c.model("local/x").expect("model");
        assert_eq!(m.params.max_tokens.default, 256);
        assert!(matches!(
            c.endpoints.get("local"),
            Some(EndpointConfig::Local {
                max_concurrent: 1,
                threads: 0,
                ..
            })
        ));
    }

    #[test]
    fn rejects_unknown_endpoint_and_bad_ranges() {
        let bad = GOOD.replace("endpoint: local", "endpoint: nowhere");
        assert!(matches!(
            Catalog::parse(&bad),
            Err(ParseOrCheck::Check(CatalogError::UnknownEndpoint { .. }))
        ));
        let bad = GOOD.replace("default: 0.3", "default: 3.0");
        assert!(matches!(
            Catalog::parse(&bad),
            Err(ParseOrCheck::Check(CatalogError::InvalidModel { .. }))
        ));
    }

    const REMOTE: &str = r#"
endpoints:
  oa:
    kind: openai
    api: responses
    headers: { OpenAI-Organization: org-1 }
    timeouts: { read_ms: 5000 }
  gm:
    kind: gemini
    api_key_env: MY_GEMINI_KEY
  vllm:
    kind: openai_compatible
    base_url: http://localhost:8001/v1
    base_url_env: VLLM_URL
models:
  - id: oa/gpt
    label: GPT
    endpoint: oa
    provider_model: gpt-5.2
    params:
      max_tokens: { min: 1, max: 100, default: 10 }
      reasoning_effort: { values: [low, high], default: low }
      verbosity: { values: [low, high] }
    capabilities: { tools: true, json_schema: true }
  - id: gm/flash
    label: Flash
    endpoint: gm
    params:
      max_tokens: { min: 1, max: 100, default: 10 }
      reasoning_effort: { values: [none, dynamic], default: dynamic }
    thinking_budgets: { none: 0, dynamic: -1 }
"#;

    #[test]
    fn parses_remote_endpoints_and_capabilities() {
        let c = Catalog::parse(REMOTE).ok().expect("valid catalog");
        let Some(EndpointConfig::OpenAi(oa)) = c.endpoints.get("oa") else {
            panic!("openai endpoint: {:?}", c.endpoints.get("oa"));
        };
        assert_eq!(oa.api, OpenAiApi::Responses);
        assert_eq!(oa.remote.headers["OpenAI-Organization"], "org-1");
        assert_eq!(oa.remote.timeouts.read_ms, 5000);
        assert_eq!(oa.remote.timeouts.connect_ms, 10_000, "default kept");
        assert_eq!(oa.remote.retry, RetrySettings::default());
        assert!(matches!(
            c.endpoints.get("gm"),
            Some(EndpointConfig::Gemini(RemoteEndpoint { api_key_env: Some(k), .. })) if k == "MY_GEMINI_KEY"
        ));
        let gpt = c.model("oa/gpt").expect("model");
        assert_eq!(gpt.provider_model(), "gpt-5.2");
        assert!(gpt.capabilities.tools && !gpt.capabilities.json_object);
        let flash = c.model("gm/flash").expect("model");
        assert_eq!(flash.provider_model(), "gm/flash");
        let info = c.info(gpt, None);
        assert_eq!(info.provider, "openai");
        assert_eq!(info.capabilities, gpt.capabilities);
        assert_eq!(c.info(flash, None).provider, "gemini");
    }

    #[test]
    fn misspelt_keys_are_refused_by_name() {
        for (from, to, key) in [
            ("capabilities: { tools: true,", "capabilities: { tool: true,", "tool"),
            ("api: responses", "api: responses\n    base_ulr: http://x", "base_ulr"),
            ("api_key_env: MY_GEMINI_KEY", "api_key_env: MY_GEMINI_KEY\n    retries: 3", "retries"),
            ("timeouts: { read_ms: 5000 }", "timeouts: { reed_ms: 5000 }", "reed_ms"),
            ("provider_model: gpt-5.2", "provider_model: gpt-5.2\n    pricng: {}", "pricng"),
            ("max_tokens: { min: 1, max: 100, default: 10 }\n      reasoning_effort: { values: [low",
             "max_tokens: { min: 1, max: 100, default: 10, step: 1 }\n      reasoning_effort: { values: [low",
             "step"),
        ] {
            assert!(REMOTE.contains(from), "{from}");
            let text = REMOTE.replacen(from, to, 1);
            match Catalog::parse(&text) {
                Err(ParseOrCheck::Parse(e)) => assert!(e.to_string().contains(key), "{key}: {e}"),
                Err(ParseOrCheck::Check(e)) => panic!("{key}: refused for another reason: {e}"),
                Ok(_) => panic!("{key}: accepted"),
            }
        }
    }

    #[test]
    fn rejects_controls_an_api_cannot_carry() {
        let invalid = |text: &str, needle: &str| match Catalog::parse(text) {
            Err(ParseOrCheck::Check(e)) => {
                assert!(e.to_string().contains(needle), "{e}");
            }
            Ok(_) => panic!("accepted: expected {needle}"),
            Err(ParseOrCheck::Parse(e)) => panic!("{e}"),
        };
        invalid(
            &REMOTE.replace("default: low }", "default: medium }"),
            "default medium is not one of values",
        );
        invalid(
            &REMOTE.replace("dynamic: -1 }", "}"),
            "reasoning_effort dynamic has no entry in thinking_budgets",
        );
        invalid(
            &REMOTE.replace(
                "max_tokens: { min: 1, max: 100, default: 10 }\n      reasoning_effort: { values: [low",
                "max_tokens: { min: 1, max: 100, default: 10 }\n      seed: true\n      reasoning_effort: { values: [low",
            ),
            "the Responses API has no seed",
        );
        invalid(
            &REMOTE.replace(
                "    base_url: http://localhost:8001/v1\n    base_url_env: VLLM_URL\n",
                "",
            ),
            "needs base_url or base_url_env",
        );
        invalid(
            &REMOTE.replace(
                "capabilities: { tools: true, json_schema: true }",
                "capabilities: { tools_with_structured_output: true }",
            ),
            "tools_with_structured_output needs",
        );
        invalid(
            &GOOD.replace("repeat_penalty: { min: 1.0, max: 2.0, default: 1.1 }", "repeat_penalty: { min: 1.0, max: 2.0, default: 1.1 }\n    capabilities: { tools: true }"),
            "the local model has no tools",
        );
    }

    #[test]
    fn the_shipped_catalog_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/models.yaml");
        let c = Catalog::load(&path).expect("config/models.yaml loads");
        assert!(!c.models.is_empty());
        assert_eq!(
            c.models[0].endpoint, "local",
            "the embedded model comes first: it needs no key"
        );
        for kind in ["openai", "gemini", "openai_compatible"] {
            assert!(
                c.models.iter().any(|m| c.info(m, None).provider == kind),
                "a {kind} model"
            );
        }
    }
}
