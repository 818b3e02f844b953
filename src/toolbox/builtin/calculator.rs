//! The calculator: one arithmetic expression, evaluated by `exmex` (a
//! maintained expression crate; no parser of our own). Its input is small
//! and shallow by schema and by check, so evaluating it costs microseconds.

use serde::Deserialize;
use serde_json::{json, Value};

/// The longest expression taken.
pub const MAX_EXPRESSION_CHARS: usize = 1_000;
/// The deepest nesting of parentheses taken.
pub const MAX_NESTING: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    expression: String,
}

pub fn description() -> &'static str {
    "Evaluates an arithmetic expression and returns the number. Operators + - * / ^ and \
     parentheses; functions sqrt, abs, exp, ln (also log), sin, cos, tan, asin, acos, atan, \
     atan2, floor, round, signum; constants PI, E, TAU."
}

pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "expression": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_EXPRESSION_CHARS,
                "description": "For example (2 + 3) * 4 ^ 0.5"
            }
        },
        "required": ["expression"],
        "additionalProperties": false
    })
}

pub fn run(args: Value) -> Result<String, String> {
    let Args { expression } =
        serde_json::from_value(args).map_err(|e| format!("bad arguments: {e}"))?;
    evaluate(&expression).map(format_number)
}

/// The value of `expression`, or why it has none.
pub fn evaluate(expression: &str) -> Result<f64, String> {
    if expression.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(format!(
            "the expression is longer than {MAX_EXPRESSION_CHARS} characters"
        ));
    }
    if nesting(expression) > MAX_NESTING {
        return Err(format!(
            "the expression nests parentheses deeper than {MAX_NESTING} levels"
        ));
    }
    let value = exmex::eval_str::<f64>(expression)
        .map_err(|e| format!("cannot evaluate {expression:?}: {e}"))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("{expression:?} has no finite value"))
    }
}

fn nesting(expression: &str) -> usize {
    let mut depth = 0_usize;
    let mut deepest = 0;
    for c in expression.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whole numbers without a fraction; others as Rust writes the nearest
/// `f64` (shortest text that reads back the same).
fn format_number(value: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.fract() == 0.0 && value.abs() < EXACT {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_evaluated() {
        assert_eq!(run(json!({"expression": "(2 + 3) * 4"})).unwrap(), "20");
        assert_eq!(run(json!({"expression": "2^10 / 4"})).unwrap(), "256");
        assert_eq!(
            run(json!({"expression": "sqrt(2)"})).unwrap(),
            "1.4142135623730951"
        );
        assert_eq!(run(json!({"expression": "-7 + 0.5"})).unwrap(), "-6.5");
    }

    #[test]
    fn what_cannot_be_evaluated_says_why() {
        let err = run(json!({"expression": "2 +* x("})).unwrap_err();
        assert!(err.starts_with("cannot evaluate"), "{err}");
        assert!(run(json!({"expression": "1 / 0"}))
            .unwrap_err()
            .contains("finite"));
        assert!(run(json!({"expr": "1"}))
            .unwrap_err()
            .starts_with("bad arguments"));
    }

    #[test]
    fn long_or_deep_input_is_refused_before_it_is_parsed() {
        let deep = format!(
            "{}1{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert!(evaluate(&deep).unwrap_err().contains("deeper"));
        let within = format!("{}1{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert_eq!(evaluate(&within).unwrap(), 1.0);
        let long = "1+".repeat(MAX_EXPRESSION_CHARS / 2) + "1";
        assert!(evaluate(&long).unwrap_err().contains("longer"));
    }
}
