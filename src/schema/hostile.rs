//! Hostile JSON Schemas: the shapes that once aborted or wedged the server
//! while a schema became a check or a grammar. Made on demand, at any size,
//! for the tests that prove each is refused, the benchmark that times the
//! refusal (benches/bounds.rs) and the fuzz corpus.

use serde_json::{json, Value};

/// `{"$ref": "#/$defs/l0"}` with `l0 → l1 → ... → l{n}`: a reference chain
/// that recursive resolution follows `n` deep.
pub fn ref_chain(n: usize) -> Value {
    let mut defs = serde_json::Map::new();
    for i in 0..n {
        defs.insert(
            format!("l{i}"),
            json!({"$ref": format!("#/$defs/l{}", i + 1)}),
        );
    }
    defs.insert(format!("l{n}"), json!({"type": "string"}));
    json!({"$defs": defs, "$ref": "#/$defs/l0"})
}

/// Each of `levels` levels is `anyOf` over two references to the next: a
/// schema of a few KB that stands for 2^levels alternatives once expanded.
pub fn any_of_bomb(levels: usize) -> Value {
    let mut defs = serde_json::Map::new();
    for i in 0..levels {
        let next = format!("#/$defs/l{}", i + 1);
        defs.insert(
            format!("l{i}"),
            json!({"anyOf": [{"$ref": next}, {"$ref": next}]}),
        );
    }
    defs.insert(format!("l{levels}"), json!({"type": "string"}));
    json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/l0"}}, "$defs": defs})
}
