//! Walking a module's payload schema: `$ref`s, `Option<T>`, enums, and the
//! limits a form stays within. Shared by the form writer and the parser of
//! posted forms.

use serde_json::Value;

pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A row's order in a form whose rows can be moved (`x-edit`): `steps.2._order`.
pub const ORDER: &str = "_order";
/// A row's box to remove it (`x-edit`): `steps.2._remove`.
pub const REMOVE: &str = "_remove";

/// How deep a form may nest (objects in arrays in objects…).
pub const MAX_FORM_DEPTH: usize = 8;
/// The most fields one form may have, blank rows included.
pub const MAX_FORM_FIELDS: usize = 1500;
/// The most blank rows `x-rows` may ask for.
pub const MAX_ROWS: u64 = 20;
/// `$ref`s followed at most to reach a schema.
const MAX_REFS: usize = 16;

/// Refuses a payload schema the form writer would not draw: a `$ref` that
/// leads back to itself, nesting deeper than [`MAX_FORM_DEPTH`], or an
/// `x-rows` over [`MAX_ROWS`]. Checked when a module is published.
pub fn check_schema(root: &Value) -> Result<(), String> {
    fn walk(
        root: &Value,
        schema: &Value,
        refs: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), String> {
        if depth > MAX_FORM_DEPTH * 2 {
            return Err(format!("it nests deeper than {MAX_FORM_DEPTH} levels"));
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if refs.iter().any(|seen| seen == r) {
                return Err(format!("`$ref` {r} refers back to itself"));
            }
            let Some(target) = follow(root, r) else {
                return Ok(());
            };
            refs.push(r.to_owned());
            let result = walk(root, target, refs, depth + 1);
            refs.pop();
            return result;
        }
        if schema
            .get("x-rows")
            .and_then(Value::as_u64)
            .is_some_and(|n| n > MAX_ROWS)
        {
            return Err(format!("`x-rows` may ask for at most {MAX_ROWS} rows"));
        }
        let children = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.values())
            .chain(schema.get("items"))
            .chain(
                ["anyOf", "oneOf", "allOf"]
                    .iter()
                    .filter_map(|k| schema.get(*k))
                    .filter_map(Value::as_array)
                    .flatten(),
            );
        for child in children {
            walk(root, child, refs, depth + 1)?;
        }
        Ok(())
    }
    walk(root, root, &mut Vec::new(), 0)
}

pub(crate) fn follow<'a>(root: &'a Value, r: &str) -> Option<&'a Value> {
    r.strip_prefix("#/$defs/")
        .and_then(|name| root.get("$defs")?.get(name))
        .or_else(|| {
            r.strip_prefix("#/definitions/")
                .and_then(|name| root.get("definitions")?.get(name))
        })
}

/// Follows `$ref` into `$defs` (at most [`MAX_REFS`] of them), and
/// `Option<T>`'s `anyOf [T, null]` to `T`.
pub(crate) fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    resolve_within(root, schema, 0)
}

pub(crate) fn resolve_within<'a>(root: &'a Value, schema: &'a Value, hops: usize) -> &'a Value {
    if hops > MAX_REFS {
        return &Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let found = follow(root, r);
        return found.map_or(schema, |s| resolve_within(root, s, hops + 1));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            let real: Vec<&Value> = alts
                .iter()
                .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if let [one] = real.as_slice() {
                return resolve_within(root, one, hops + 1);
            }
        }
    }
    schema
}

/// The values a string may take: `enum`, or a `oneOf` of `const`s (an enum
/// whose variants carry doc comments).
pub(crate) fn options(schema: &Value) -> Option<Vec<String>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        );
    }
    let alts = schema.get("oneOf")?.as_array()?;
    alts.iter()
        .map(|a| a.get("const").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// The schema's type, ignoring `null` in `["integer", "null"]`.
pub(crate) fn kind(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    }
}

/// The row indices posted under `path` (`path.3.name` → 3), sorted.
pub(crate) fn indices<'a>(keys: impl Iterator<Item = &'a String>, path: &str) -> Vec<usize> {
    let prefix = format!("{path}.");
    let mut found: Vec<usize> = keys
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('.').next()?.parse().ok())
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}
