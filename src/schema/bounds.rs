//! Limits on a user-supplied JSON schema, checked before anything compiles
//! it.
//!
//! A schema is compiled twice on its way to a reply: by `jsonschema` (is it
//! JSON Schema at all?) and, for the embedded model, by llama.cpp's
//! schema-to-grammar converter. Both follow `$ref`s recursively, so a short
//! schema can make them recurse thousands of frames deep (a long `$ref`
//! chain overflows the stack and aborts the process) or do exponential work
//! (`anyOf` over two `$ref`s to the next level, thirty levels down, is 2^30
//! expansions from 2 KB of text). Every bound here is measured on the JSON
//! value with work linear in its size, and [`super::check::compile`] refuses
//! a schema over any of them before either compiler sees it, so the
//! playground's schema check and `Engine::chat` refuse the same bombs.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::outcome::SchemaIssue;

/// The most bytes a schema may take as compact JSON: 256 KiB. The largest
/// real structured-output schemas (whole API payloads) are tens of KiB;
/// providers cap theirs lower still.
pub const MAX_SCHEMA_BYTES: usize = 256 * 1024;

/// The deepest a schema may nest as written, in JSON levels (objects and
/// arrays). Each level of `properties` takes two, so this allows 32 levels
/// of nested objects: OpenAI's strict mode already stops at 10.
pub const MAX_SCHEMA_DEPTH: usize = 64;

/// The deepest a schema may nest once its `$ref`s are replaced by what they
/// point at: twice [`MAX_SCHEMA_DEPTH`], room for shallow definitions that
/// use each other. This is what keeps the recursion of the compilers (and
/// of this check) shallow.
pub const MAX_EXPANDED_DEPTH: usize = 2 * MAX_SCHEMA_DEPTH;

/// The most `$ref` links one path through the schema may follow. Real
/// schemas point at a definition that is the thing itself, seldom more than
/// a few links in a row; a chain of thousands is only ever an attack on the
/// compilers' stacks.
pub const MAX_REF_CHAIN: usize = 32;

/// The most subschemas (JSON objects and arrays) the schema may amount to
/// once every `$ref` is replaced by what it points at: an estimate of the
/// work of the compilers, which expand references. A definition used in
/// several places counts once per use, a recursive reference once. Ten
/// thousand is far above any hand-written schema and far below the
/// exponential blow-up of alternatives that each refer to the next level.
pub const MAX_EXPANDED_NODES: u64 = 10_000;

/// Keywords whose value is data, not subschemas: their contents are never
/// references and never expanded.
const DATA_KEYWORDS: [&str; 4] = ["const", "default", "enum", "examples"];

/// Keywords whose string value is a reference to another subschema.
const REF_KEYWORDS: [&str; 3] = ["$ref", "$dynamicRef", "$recursiveRef"];

/// A limit the schema is over, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundsError {
    #[error(
        "the schema is larger than the size limit of {MAX_SCHEMA_BYTES} bytes (256 KiB); \
         keep only what the reply needs"
    )]
    TooLarge,
    #[error(
        "the schema nests deeper than the depth limit of {limit} levels{counting}; flatten it"
    )]
    TooDeep {
        path: String,
        limit: usize,
        /// Empty, or how the levels were counted.
        counting: &'static str,
    },
    #[error(
        "the schema follows more than {MAX_REF_CHAIN} $ref links in a row (the $ref chain \
         limit); point each $ref at the definition itself"
    )]
    RefChain { path: String },
    #[error(
        "the schema amounts to more than {MAX_EXPANDED_NODES} subschemas once its $refs are \
         expanded (the $ref expansion limit); share fewer definitions between alternatives"
    )]
    Expansion { path: String },
}

impl BoundsError {
    /// Where in the schema the limit was crossed (a JSON pointer).
    pub fn path(&self) -> &str {
        match self {
            BoundsError::TooLarge => "",
            BoundsError::TooDeep { path, .. }
            | BoundsError::RefChain { path }
            | BoundsError::Expansion { path } => path,
        }
    }

    /// The refusal as the issue the schema editor shows.
    pub fn issue(&self) -> SchemaIssue {
        SchemaIssue::new(self.path(), self.to_string())
    }
}

/// Whether `schema` is within every limit. Linear in the size of the
/// schema; its own recursion never goes deeper than [`MAX_EXPANDED_DEPTH`].
pub fn check_bounds(schema: &Value) -> Result<(), BoundsError> {
    let mut resources = Resources::default();
    resources.scan(schema, schema, 0, &Path::Root)?;
    if compact_size(schema) > MAX_SCHEMA_BYTES {
        return Err(BoundsError::TooLarge);
    }
    let mut expansion = Expansion {
        root: schema,
        resources,
        memo: HashMap::new(),
        open: HashSet::new(),
    };
    expansion.visit(schema, schema, 0, 0, &Path::Root)?;
    Ok(())
}

/// The length of `value` as compact JSON, counted up to just past the limit
/// without building the text.
fn compact_size(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            if self.0 > MAX_SCHEMA_BYTES {
                return Err(std::io::Error::other("over the limit"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => counter.0.max(MAX_SCHEMA_BYTES + 1),
    }
}

/// A place in the schema as a chain of frames on the walk's stack, turned
/// into a JSON pointer only when a limit is crossed.
enum Path<'p> {
    Root,
    /// A pointer written out (where a `$ref` leads).
    Absolute(&'p str),
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn pointer(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Absolute(p) => (*p).to_owned(),
            Path::Key(parent, key) => super::pointer::child(&parent.pointer(), key),
            Path::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

/// The identity of a value inside the schema: its address, stable while
/// the schema is borrowed.
fn id(value: &Value) -> usize {
    std::ptr::from_ref(value) as usize
}

/// The `$id`s and anchors of a schema: where references that are not
/// plain JSON pointers lead.
#[derive(Default)]
struct Resources<'a> {
    /// `$id` as written → the subschema that declares it.
    ids: HashMap<&'a str, &'a Value>,
    /// (the resource, `$anchor` or `$dynamicAnchor`) → the subschema.
    anchors: HashMap<(usize, &'a str), &'a Value>,
}

impl<'a> Resources<'a> {
    /// Records ids and anchors, and refuses a schema nested too deep as
    /// written (before the deeper walk through references).
    fn scan(
        &mut self,
        value: &'a Value,
        base: &'a Value,
        depth: usize,
        path: &Path<'_>,
    ) -> Result<(), BoundsError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(BoundsError::TooDeep {
                path: path.pointer(),
                limit: MAX_SCHEMA_DEPTH,
                counting: "",
            });
        }
        match value {
            Value::Object(map) => {
                let base = match map.get("$id").and_then(Value::as_str) {
                    Some(id) => {
                        self.ids.insert(id, value);
                        value
                    }
                    None => base,
                };
                for key in ["$anchor", "$dynamicAnchor"] {
                    if let Some(name) = map.get(key).and_then(Value::as_str) {
                        self.anchors.insert((id(base), name), value);
                    }
                }
                for (key, child) in map {
                    if child.is_object() || child.is_array() {
                        self.scan(child, base, depth + 1, &Path::Key(path, key))?;
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        self.scan(child, base, depth + 1, &Path::Index(path, i))?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Where `reference` leads from inside the resource `base`, and that
    /// place's own resource; `None` when it leads outside the schema (such
    /// references are not fetched, so compiling refuses them).
    fn resolve(
        &self,
        reference: &str,
        base: &'a Value,
        root: &'a Value,
    ) -> Option<(&'a Value, &'a Value)> {
        let (resource, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let start = if resource.is_empty() {
            base
        } else {
            self.lookup_id(resource)?
        };
        if fragment.is_empty() {
            return Some((start, start));
        }
        let Some(pointer) = fragment.strip_prefix('/') else {
            let anchored = self
                .anchors
                .get(&(id(start), fragment))
                .or_else(|| self.anchors.get(&(id(root), fragment)))?;
            return Some((anchored, start));
        };
        let (mut node, mut resource) = (start, start);
        for token in pointer.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = match node {
                Value::Object(map) => map.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
            if node.get("$id").is_some_and(Value::is_string) {
                resource = node;
            }
        }
        Some((node, resource))
    }

    /// The subschema whose `$id` is `resource`, as written or as its last
    /// path segment (ids are usually relative to a base nobody fetches).
    fn lookup_id(&self, resource: &str) -> Option<&'a Value> {
        if let Some(found) = self.ids.get(resource) {
            return Some(found);
        }
        let last = |s: &'a str| s.rsplit('/').next().unwrap_or(s);
        let wanted = resource.rsplit('/').next().unwrap_or(resource);
        self.ids
            .iter()
            .find(|(id, _)| last(id) == wanted)
            .map(|(_, v)| *v)
    }
}

/// What a subschema amounts to once expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    /// Objects and arrays, saturating.
    nodes: u64,
    /// Levels below it.
    height: usize,
    /// The longest run of `$ref` links below it.
    links: usize,
}

impl Size {
    fn add(&mut self, child: Size, link: bool) {
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.height = self.height.max(child.height + 1);
        self.links = self.links.max(child.links + usize::from(link));
    }
}

/// The walk that expands references, memoised by subschema so that it is
/// linear however often a definition is used.
struct Expansion<'a> {
    root: &'a Value,
    resources: Resources<'a>,
    memo: HashMap<usize, Size>,
    /// Subschemas being expanded: a reference back to one is recursion, a
    /// grammar rule that names itself, and costs nothing more.
    open: HashSet<usize>,
}

impl<'a> Expansion<'a> {
    /// `value` at `depth` levels and `links` references from the root.
    fn visit(
        &mut self,
        value: &'a Value,
        base: &'a Value,
        depth: usize,
        links: usize,
        path: &Path<'_>,
    ) -> Result<Size, BoundsError> {
        let key = id(value);
        if let Some(size) = self.memo.get(&key).copied() {
            Self::within(size, depth, links, path)?;
            return Ok(size);
        }
        if self.open.contains(&key) {
            return Ok(Size::default());
        }
        Self::within(Size::default(), depth, links, path)?;
        self.open.insert(key);
        let size = match value {
            Value::Object(map) => self.object(value, map, base, depth, links, path),
            Value::Array(items) => {
                let mut size = Size {
                    nodes: 1,
                    ..Size::default()
                };
                for (i, child) in items.iter().enumerate() {
                    if child.is_object() || child.is_array() {
                        let here = Path::Index(path, i);
                        let sub = self.visit(child, base, depth + 1, links, &here)?;
                        size.add(sub, false);
                        Self::not_too_many(size, &here)?;
                    }
                }
                Ok(size)
            }
            _ => Ok(Size::default()),
        };
        self.open.remove(&key);
        let size = size?;
        self.memo.insert(key, size);
        Ok(size)
    }

    fn object(
        &mut self,
        value: &'a Value,
        map: &'a Map<String, Value>,
        base: &'a Value,
        depth: usize,
        links: usize,
        path: &Path<'_>,
    ) -> Result<Size, BoundsError> {
        let base = if map.get("$id").is_some_and(Value::is_string) {
            value
        } else {
            base
        };
        let mut size = Size {
            nodes: 1,
            ..Size::default()
        };
        for (keyword, child) in map {
            let here = Path::Key(path, keyword);
            if DATA_KEYWORDS.contains(&keyword.as_str()) {
                size.nodes = size.nodes.saturating_add(1);
                continue;
            }
            if REF_KEYWORDS.contains(&keyword.as_str()) {
                let Some(reference) = child.as_str() else {
                    continue;
                };
                let Some((target, target_base)) =
                    self.resources.resolve(reference, base, self.root)
                else {
                    continue;
                };
                let at = match reference.split_once('#') {
                    Some(("", pointer))
                        if pointer.starts_with('/') && std::ptr::eq(base, self.root) =>
                    {
                        Path::Absolute(pointer)
                    }
                    _ => Path::Key(path, keyword),
                };
                let sub = self.visit(target, target_base, depth + 1, links + 1, &at)?;
                size.add(sub, true);
                Self::within(size, depth, links, &here)?;
            } else if child.is_object() || child.is_array() {
                let sub = self.visit(child, base, depth + 1, links, &here)?;
                size.add(sub, false);
            }
            Self::not_too_many(size, &here)?;
        }
        Ok(size)
    }

    /// Refuses a subschema of `size` reached at `depth` levels and `links`
    /// references that goes past the depth or the chain limit.
    fn within(size: Size, depth: usize, links: usize, path: &Path<'_>) -> Result<(), BoundsError> {
        if links.saturating_add(size.links) > MAX_REF_CHAIN {
            return Err(BoundsError::RefChain {
                path: path.pointer(),
            });
        }
        if depth.saturating_add(size.height) > MAX_EXPANDED_DEPTH {
            return Err(BoundsError::TooDeep {
                path: path.pointer(),
                limit: MAX_EXPANDED_DEPTH,
                counting: " (counting through the definitions its $refs point at)",
            });
        }
        Ok(())
    }

    fn not_too_many(size: Size, path: &Path<'_>) -> Result<(), BoundsError> {
        if size.nodes > MAX_EXPANDED_NODES {
            return Err(BoundsError::Expansion {
                path: path.pointer(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use serde_json::{json, Value};

    use super::*;
    use crate::schema::hostile::{any_of_bomb, ref_chain};

    fn nested(depth: usize) -> Value {
        let mut schema = json!({"type": "string"});
        for _ in 0..depth {
            schema = json!({"type": "object", "properties": {"a": schema}});
        }
        schema
    }

    /// Two levels of objects around `inner`: five JSON levels.
    fn nested_around(inner: Value) -> Value {
        json!({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": inner}}}})
    }

    #[test]
    fn a_long_ref_chain_is_refused_naming_the_chain_limit() {
        let schema = ref_chain(2_000);
        assert!(serde_json::to_string(&schema).unwrap().len() > 50_000);
        let err = check_bounds(&schema).unwrap_err();
        assert!(matches!(err, BoundsError::RefChain { .. }), "{err:?}");
        assert!(err.to_string().contains("$ref chain limit"), "{err}");
        assert!(err.to_string().contains(&MAX_REF_CHAIN.to_string()));
        // A short chain is fine.
        check_bounds(&ref_chain(MAX_REF_CHAIN - 1)).unwrap();
    }

    #[test]
    fn alternatives_that_double_at_every_level_are_refused_quickly() {
        let schema = any_of_bomb(30);
        assert!(serde_json::to_string(&schema).unwrap().len() < 3_000);
        // How fast: benches/bounds.rs.
        let err = check_bounds(&schema).unwrap_err();
        assert!(matches!(err, BoundsError::Expansion { .. }), "{err:?}");
        assert!(err.to_string().contains("expansion limit"), "{err}");
        // A few levels of sharing are ordinary.
        check_bounds(&any_of_bomb(5)).unwrap();
    }

    #[test]
    fn deep_nesting_is_refused_as_written_and_through_references() {
        check_bounds(&nested(20)).unwrap();
        let err = check_bounds(&nested(40)).unwrap_err();
        assert!(matches!(err, BoundsError::TooDeep { .. }), "{err:?}");
        assert!(err.to_string().contains("depth limit"), "{err}");
        assert!(err.path().starts_with("/properties/a/properties/a"));
        // Each definition is shallow; the expansion is not.
        let mut defs = serde_json::Map::new();
        for i in 0..30 {
            let next = json!({"$ref": format!("#/$defs/d{}", i + 1)});
            defs.insert(format!("d{i}"), nested_around(next));
        }
        defs.insert("d30".into(), json!({"type": "string"}));
        let schema = json!({"$defs": defs, "$ref": "#/$defs/d0"});
        let err = check_bounds(&schema).unwrap_err();
        assert!(
            matches!(
                err,
                BoundsError::TooDeep {
                    limit: MAX_EXPANDED_DEPTH,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn a_huge_schema_is_refused_by_size() {
        let properties: serde_json::Map<String, Value> = (0..20_000)
            .map(|i| (format!("p{i}"), json!({"type": "string"})))
            .collect();
        let err = check_bounds(&json!({"type": "object", "properties": properties})).unwrap_err();
        assert_eq!(err, BoundsError::TooLarge);
        assert!(err.to_string().contains("size limit"));
    }

    #[test]
    fn recursion_and_anchors_are_followed_without_blowing_up() {
        let tree = json!({
            "$defs": {"node": {"$anchor": "node", "type": "object", "properties": {
                "children": {"type": "array", "items": {"$ref": "#node"}},
                "parent": {"$ref": "#/$defs/node"}
            }}},
            "$ref": "#/$defs/node"
        });
        check_bounds(&tree).unwrap();
        check_bounds(&json!({"$ref": "#"})).unwrap();
        // An anchor bomb is counted like a pointer bomb.
        let mut defs = serde_json::Map::new();
        for i in 0..30 {
            let next = format!("#a{}", i + 1);
            defs.insert(
                format!("l{i}"),
                json!({"$anchor": format!("a{i}"), "anyOf": [{"$ref": next}, {"$ref": next}]}),
            );
        }
        defs.insert("l30".into(), json!({"$anchor": "a30", "type": "string"}));
        let err = check_bounds(&json!({"$defs": defs, "$ref": "#a0"})).unwrap_err();
        assert!(matches!(err, BoundsError::Expansion { .. }), "{err:?}");
    }

    #[test]
    fn data_keywords_are_not_references() {
        let schema = json!({"const": {"$ref": "#/nowhere"}, "enum": [{"$ref": "#"}]});
        check_bounds(&schema).unwrap();
    }

    #[test]
    fn the_ready_made_schemas_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/schemas");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                check_bounds(&file["schema"]).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                seen += 1;
            }
        }
        assert!(seen > 0);
    }
}
