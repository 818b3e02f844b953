//! The tools built into PEP, useful with no network: a calculator, a clock
//! and a unit converter. Each is a pure function of its arguments (the
//! clock also of the time), bounded by its schema, so it runs inline.

pub mod calculator;
pub mod clock;
pub mod units;

use serde::Deserialize;
use serde_json::Value;

/// Which built-in a declaration in the tools file is (its `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    Calculator,
    Clock,
    Units,
}

impl Builtin {
    /// What the model is told the tool does, unless the file says more.
    pub fn description(self) -> &'static str {
        match self {
            Builtin::Calculator => calculator::description(),
            Builtin::Clock => clock::description(),
            Builtin::Units => units::description(),
        }
    }

    /// The JSON Schema of the arguments the tool reads.
    pub fn parameters(self) -> Value {
        match self {
            Builtin::Calculator => calculator::parameters(),
            Builtin::Clock => clock::parameters(),
            Builtin::Units => units::parameters(),
        }
    }

    /// Runs the tool on arguments that passed its schema: the result's
    /// text, or why there is none.
    pub fn run(self, args: Value) -> Result<String, String> {
        match self {
            Builtin::Calculator => calculator::run(args),
            Builtin::Clock => clock::run(args),
            Builtin::Units => units::run(args),
        }
    }
}
