//! From a catalog endpoint to a ready remote provider.
//!
//! Keys and moved base URLs come from the environment, looked up through a
//! function so that tests never touch the process environment. A missing key
//! is not fatal: the engine lists the endpoint's models as unavailable with
//! the error's message, which says which variable to set.

use std::sync::Arc;
use std::time::Duration;

use super::gemini::GeminiProvider;
use super::http::{ClientError, Upstream};
use super::openai::{Dialect, OpenAiProvider};
use super::Provider;
use crate::catalog::{EndpointConfig, OpenAiApi, RemoteEndpoint};

const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
const GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com";

/// Why a remote endpoint cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0} is not set; add the key to the environment (or .env) to use these models")]
    MissingKey(String),
    #[error("the endpoint has no base_url, and {0} is not set")]
    MissingBaseUrl(String),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("a local endpoint is not a remote provider")]
    NotRemote,
    #[error("the server at {url} does not answer ({reason}); start it, or point {hint} at it")]
    Unreachable {
        url: String,
        reason: String,
        hint: String,
    },
}

/// How long the start-up check of a self-hosted server may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// [`build`], then, for a self-hosted server, a check that it answers
/// (`GET {base}/models`, which vLLM, llama.cpp and Ollama all serve), so the
/// model picker says "not running" instead of a chat failing later. Any
/// HTTP answer counts; only a failed connection does not. The paid APIs are
/// not called at start.
pub async fn connect(
    endpoint: &EndpointConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Provider>, SetupError> {
    let provider = build(endpoint, env)?;
    if let EndpointConfig::OpenaiCompatible(r) = endpoint {
        let lookup = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let base = base_url(r, "", &lookup)?;
        let url = format!("{}/models", base.trim_end_matches('/'));
        let hint = r
            .base_url_env
            .clone()
            .unwrap_or_else(|| "base_url".to_owned());
        let unreachable = |reason: String| SetupError::Unreachable {
            url: super::redact::patterns(&base),
            reason: super::redact::patterns(&reason),
            hint: hint.clone(),
        };
        let client = reqwest::Client::builder()
            .timeout(PROBE_TIMEOUT)
            .build()
            .map_err(|e| unreachable(e.to_string()))?;
        if let Err(e) = client.get(&url).send().await {
            let reason = if e.is_timeout() {
                "no answer within 3 s".to_owned()
            } else if e.is_connect() {
                "connection refused".to_owned()
            } else {
                super::http::source_chain(&e)
            };
            return Err(unreachable(reason));
        }
    }
    Ok(provider)
}

/// Builds the provider of a remote endpoint. `env` looks up an environment
/// variable (`|name| std::env::var(name).ok()` in production).
pub fn build(
    endpoint: &EndpointConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Provider>, SetupError> {
    let lookup = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    match endpoint {
        EndpointConfig::Local { .. } => Err(SetupError::NotRemote),
        EndpointConfig::OpenAi(e) => {
            let r = &e.remote;
            let key = required_key(r, "OPENAI_API_KEY", &lookup)?;
            let upstream = Upstream::new(r, Some(("authorization", format!("Bearer {key}"))))?;
            let base = base_url(r, OPENAI_BASE_URL, &lookup)?;
            Ok(Arc::new(OpenAiProvider::new(
                "openai",
                upstream,
                base,
                e.api,
                Dialect::OpenAi,
            )))
        }
        EndpointConfig::Gemini(r) => {
            let key = required_key(r, "GEMINI_API_KEY", &lookup)?;
            let upstream = Upstream::new(r, Some(("x-goog-api-key", key)))?;
            let base = base_url(r, GEMINI_BASE_URL, &lookup)?;
            Ok(Arc::new(GeminiProvider::new(upstream, base)))
        }
        EndpointConfig::OpenaiCompatible(r) => {
            // Self-hosted servers often run without a key; when a key
            // variable is named, it must be set.
            let auth = match &r.api_key_env {
                Some(var) => {
                    let key = lookup(var).ok_or_else(|| SetupError::MissingKey(var.clone()))?;
                    Some(("authorization", format!("Bearer {key}")))
                }
                None => None,
            };
            let upstream = Upstream::new(r, auth)?;
            let base = base_url(r, "", &lookup)?;
            Ok(Arc::new(OpenAiProvider::new(
                "openai_compatible",
                upstream,
                base,
                OpenAiApi::ChatCompletions,
                Dialect::Compatible,
            )))
        }
    }
}

fn required_key(
    r: &RemoteEndpoint,
    default_var: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SetupError> {
    let var = r.api_key_env.as_deref().unwrap_or(default_var);
    lookup(var).ok_or_else(|| SetupError::MissingKey(var.to_owned()))
}

/// `base_url_env` when set, else `base_url`, else the provider's default.
fn base_url(
    r: &RemoteEndpoint,
    default: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SetupError> {
    let from_env = r.base_url_env.as_deref().and_then(lookup);
    match from_env.or_else(|| r.base_url.clone()) {
        Some(url) => Ok(url),
        None if !default.is_empty() => Ok(default.to_owned()),
        None => Err(SetupError::MissingBaseUrl(
            r.base_url_env.clone().unwrap_or_default(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::OpenAiEndpoint;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_missing_key_names_its_variable() {
        let e = build(&EndpointConfig::OpenAi(OpenAiEndpoint::default()), &no_env)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "OPENAI_API_KEY is not set; add the key to the environment (or .env) to use these models"
        );
        let gemini = EndpointConfig::Gemini(RemoteEndpoint {
            api_key_env: Some("MY_GEMINI".into()),
            ..RemoteEndpoint::default()
        });
        let e = build(&gemini, &no_env).err().unwrap();
        assert!(e.to_string().starts_with("MY_GEMINI is not set"), "{e}");
        let empty = |_: &str| Some("  ".to_owned());
        assert!(build(&gemini, &empty).is_err(), "a blank key is no key");
    }

    #[test]
    fn compatible_servers_need_no_key_and_take_their_url_from_the_environment() {
        let vllm = EndpointConfig::OpenaiCompatible(RemoteEndpoint {
            base_url: Some("http://localhost:8001/v1".into()),
            base_url_env: Some("VLLM_URL".into()),
            ..RemoteEndpoint::default()
        });
        let p = build(&vllm, &no_env).ok().unwrap();
        assert_eq!(p.name(), "openai_compatible");
        let r = match &vllm {
            EndpointConfig::OpenaiCompatible(r) => r.clone(),
            _ => unreachable!(),
        };
        let env = |n: &str| (n == "VLLM_URL").then(|| "http://gpu:9000/v1".to_owned());
        assert_eq!(base_url(&r, "", &env).unwrap(), "http://gpu:9000/v1");
        assert_eq!(
            base_url(&r, "", &no_env).unwrap(),
            "http://localhost:8001/v1"
        );
    }
}
