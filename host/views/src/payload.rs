//! A posted form turned into an action's payload, by the action's schema.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::schema::{MAX_FORM_DEPTH, MAX_FORM_FIELDS, ORDER, REMOVE, indices, join, kind, resolve};

/// A posted form turned into the action's payload by its schema: numbers
/// parsed, checkboxes made booleans, rows gathered into arrays (rows left
/// blank dropped), a textarea's lines into an array of strings. A number
/// that does not parse is a field error, before the module is asked.
pub fn payload(
    schema: &Value,
    values: &BTreeMap<String, Vec<String>>,
    hidden: &[(String, String)],
    not_a_number: &str,
) -> Result<Value, BTreeMap<String, Vec<String>>> {
    let mut errors = BTreeMap::new();
    let mut all = values.clone();
    for (k, v) in hidden {
        all.insert(k.clone(), vec![v.clone()]);
    }
    let built = Builder {
        depth: 0,
        root: schema,
        values: &all,
        errors: &mut errors,
        not_a_number,
    }
    .build(schema, "")
    .unwrap_or_else(|| json!({}));
    if errors.is_empty() {
        Ok(built)
    } else {
        Err(errors)
    }
}

struct Builder<'a> {
    depth: usize,
    root: &'a Value,
    values: &'a BTreeMap<String, Vec<String>>,
    errors: &'a mut BTreeMap<String, Vec<String>>,
    not_a_number: &'a str,
}

impl Builder<'_> {
    fn build(&mut self, schema: &Value, path: &str) -> Option<Value> {
        if self.depth >= MAX_FORM_DEPTH {
            return None;
        }
        self.depth += 1;
        let built = self.build_within(schema, path);
        self.depth -= 1;
        built
    }

    fn build_within(&mut self, schema: &Value, path: &str) -> Option<Value> {
        let schema = resolve(self.root, schema);
        match kind(schema) {
            "object" => {
                let mut out = Map::new();
                for (name, prop) in schema.get("properties")?.as_object()? {
                    if let Some(v) = self.build(prop, &join(path, name)) {
                        out.insert(name.clone(), v);
                    }
                }
                (!out.is_empty() || path.is_empty()).then_some(Value::Object(out))
            }
            "array" => {
                let items = resolve(self.root, schema.get("items")?);
                let rows = indices(self.values.keys(), path);
                let list: Vec<Value> = if matches!(kind(items), "object" | "array") {
                    // Rows are numbered by the poster; a form has a few.
                    let last = rows.last().map_or(0, |i| i + 1).min(MAX_FORM_FIELDS);
                    let filled = kind(items) == "array";
                    // A row ticked to go is left out; rows given an order
                    // (`x-edit`) are put in it, ties as they came.
                    let values = self.values;
                    let field = |i: usize, name: &str| {
                        values
                            .get(&format!("{path}.{i}.{name}"))
                            .and_then(|v| v.first())
                            .map(|v| v.trim().to_owned())
                    };
                    let mut kept: Vec<(f64, Value)> = Vec::new();
                    for i in 0..last {
                        if field(i, REMOVE).is_some_and(|v| v == "true" || v == "on") {
                            continue;
                        }
                        #[allow(clippy::cast_precision_loss)]
                        let at = field(i, ORDER)
                            .and_then(|v| v.parse::<f64>().ok())
                            .filter(|n| n.is_finite())
                            .unwrap_or(i as f64 + 1.0);
                        let row = self.build(items, &format!("{path}.{i}"));
                        let row = if filled {
                            Some(row.unwrap_or_else(|| json!([])))
                        } else {
                            row
                        };
                        if let Some(row) = row {
                            kept.push((at, row));
                        }
                    }
                    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
                    kept.into_iter().map(|(_, row)| row).collect()
                } else {
                    self.values
                        .get(path)
                        .into_iter()
                        .flatten()
                        .flat_map(|v| v.lines())
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .filter_map(|l| self.scalar(items, path, &l))
                        .collect()
                };
                (!list.is_empty() || self.values.contains_key(path)).then_some(Value::Array(list))
            }
            _ => {
                let raw = self.values.get(path)?.first()?.trim().to_owned();
                if raw.is_empty() {
                    return None;
                }
                self.scalar(schema, path, &raw)
            }
        }
    }

    fn scalar(&mut self, schema: &Value, path: &str, raw: &str) -> Option<Value> {
        let number = match kind(schema) {
            "integer" => raw.parse::<i64>().ok().map(|n| json!(n)),
            "number" => raw.parse::<f64>().ok().map(|n| json!(n)),
            "boolean" => return Some(json!(raw == "true" || raw == "on")),
            _ => return Some(json!(raw)),
        };
        if number.is_none() {
            self.errors
                .entry(path.to_owned())
                .or_default()
                .push(self.not_a_number.to_owned());
        }
        number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            m.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        m
    }

    fn declare() -> Value {
        json!({
            "type": "object",
            "properties": {
                "item": {"type": "string"},
                "entries": {"type": "array", "items": {"$ref": "#/$defs/Entry"}}
            },
            "required": ["item", "entries"],
            "$defs": {"Entry": {"type": "object", "properties": {
                "name": {"type": "string"},
                "quantity": {"type": "integer", "minimum": 0},
                "note": {"type": "string"}
            }}}
        })
    }

    #[test]
    fn rows_become_an_array_and_blank_rows_are_dropped() {
        let posted = values(&[
            ("entries.0.name", "公章"),
            ("entries.0.quantity", "2"),
            ("entries.0.note", ""),
            ("entries.1.name", ""),
            ("entries.1.quantity", ""),
            ("entries.2.name", "账簿"),
            ("entries.2.quantity", "1"),
        ]);
        let hidden = [("item".to_owned(), "seals".to_owned())];
        let p = payload(&declare(), &posted, &hidden, "nan").expect("a payload");
        assert_eq!(
            p,
            json!({"item": "seals", "entries": [{"name": "公章", "quantity": 2}, {"name": "账簿", "quantity": 1}]})
        );
    }

    #[test]
    fn a_number_that_does_not_parse_is_named() {
        let posted = values(&[("entries.0.name", "公章"), ("entries.0.quantity", "two")]);
        let errors = payload(&declare(), &posted, &[], "请输入数字").expect_err("a field error");
        assert_eq!(errors["entries.0.quantity"], vec!["请输入数字".to_owned()]);
    }

    #[test]
    fn a_quiz_keeps_each_question_in_its_place() {
        let schema = json!({"type": "object", "properties": {"answers": {"type": "array",
            "items": {"type": "array", "items": {"type": "integer"}}}}});
        let posted = values(&[("answers.0", "1"), ("answers.2", "0"), ("answers.2", "3")]);
        let p = payload(&schema, &posted, &[], "nan").expect("a payload");
        assert_eq!(p, json!({"answers": [[1], [], [0, 3]]}));
    }

    #[test]
    fn lines_of_a_textarea_become_strings() {
        let schema = json!({"type": "object", "properties": {"issues": {"type": "array", "items": {"type": "string"}}}});
        let posted = values(&[("issues", "修路\n\n  路灯 ")]);
        let p = payload(&schema, &posted, &[], "nan").expect("a payload");
        assert_eq!(p, json!({"issues": ["修路", "路灯"]}));
    }
}
