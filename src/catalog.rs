//! The model catalog: which models exist, who serves them, what they accept
//! and what they cost. Loaded from `config/models.yaml`.
//!
//! [`ModelInfo`] is the browser's view of a model (controls, ranges,
//! availability); the loader and the endpoint settings are server-only.

use serde::{Deserialize, Serialize};

use crate::outcome::Usage;

/// The inclusive range and default of one numeric control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
    pub default: T,
}

impl<T: PartialOrd + Copy> Range<T> {
    pub fn contains(&self, value: T) -> bool {
        value >= self.min && value <= self.max
    }
}

/// The generation controls a model accepts. A `None` range means the model
/// has no such control and the UI hides it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub temperature: Option<Range<f32>>,
    pub top_p: Option<Range<f32>>,
    pub max_tokens: Range<u32>,
    #[serde(default)]
    pub seed: bool,
    #[serde(default)]
    pub stop: bool,
    pub repeat_penalty: Option<Range<f32>>,
    /// The reasoning efforts the model accepts (for example `minimal`, `low`,
    /// `medium`, `high`); they differ per model, so they come from here and
    /// nowhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<Choice>,
    /// The verbosity levels the model accepts (OpenAI GPT-5 family).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verbosity: Option<Choice>,
}

/// A control with a fixed set of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub values: Vec<String>,
    /// Sent when the request names none; `None` leaves the choice to the
    /// provider (nothing is sent).
    #[serde(default)]
    pub default: Option<String>,
}

impl Choice {
    pub fn allows(&self, value: &str) -> bool {
        self.values.iter().any(|v| v == value)
    }
}

/// What a model can do beyond plain text. All off unless the catalog says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Function calling.
    pub tools: bool,
    /// `response_format: json_object` (any JSON object).
    pub json_object: bool,
    /// JSON constrained by a schema.
    pub json_schema: bool,
    /// Tools and a JSON response format in the same request.
    pub tools_with_structured_output: bool,
}

/// Prices in US dollars per million tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub input_per_mtok: f64,
    pub cached_input_per_mtok: f64,
    pub output_per_mtok: f64,
}

impl Pricing {
    /// The cost of a run. Cached input tokens are part of the input count and
    /// billed at the cached price; reasoning tokens are part of the output.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let cached = f64::from(usage.cached_tokens.min(usage.input_tokens));
        let fresh = f64::from(usage.input_tokens) - cached;
        (fresh * self.input_per_mtok
            + cached * self.cached_input_per_mtok
            + f64::from(usage.output_tokens) * self.output_per_mtok)
            / 1_000_000.0
    }
}

/// What the browser needs to know about a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelInfo {
    pub id: String,
    pub label: String,
    pub provider: String,
    pub params: ParamSpec,
    pub pricing: Pricing,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// `None` when the model can be used; otherwise why not (missing key,
    /// missing model file), shown next to the model in the picker.
    pub unavailable: Option<String>,
}

#[cfg(feature = "engine")]
mod config;
#[cfg(feature = "engine")]
pub use config::{
    Catalog, CatalogError, EndpointConfig, ModelConfig, OpenAiApi, OpenAiEndpoint, RemoteEndpoint,
    RetrySettings, Timeouts,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_bills_cached_input_at_its_own_price() {
        let p = Pricing {
            input_per_mtok: 2.0,
            cached_input_per_mtok: 0.5,
            output_per_mtok: 8.0,
        };
        let u = Usage {
            input_tokens: 1_000_000,
            cached_tokens: 400_000,
            output_tokens: 500_000,
            reasoning_tokens: 100_000,
        };
        // 600k fresh * 2 + 400k cached * 0.5 + 500k out * 8, per million.
        assert!((p.cost(&u) - (1.2 + 0.2 + 4.0)).abs() < 1e-12);
    }

    #[test]
    fn range_is_inclusive() {
        let r = Range {
            min: 0.0,
            max: 2.0,
            default: 1.0,
        };
        assert!(r.contains(0.0) && r.contains(2.0));
        assert!(!r.contains(2.01) && !r.contains(-0.1));
    }
}
