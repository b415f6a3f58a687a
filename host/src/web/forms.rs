//! Modules' forms. A module's template places `{{form "confirm" item=key}}`
//! where the action belongs (or `{{#form "submit"}}…{{/form}}` with fields of
//! its own); the host writes the `<form>`: where it posts, the CSRF token, a
//! fresh idempotency key, the hash arguments as hidden fields, and a field for
//! every other property of the action's JSON Schema, labelled by the schema's
//! `x-label` in the reader's language. Fields are named by their dotted path
//! in the payload (`entries.0.quantity`), the same path a module's
//! [`baton_sdk::FieldError`] names, so a rejection's messages land next to the
//! fields they are about and the reader's input is put back.
//!
//! The host data the helpers read sits in the view's root under [`HOST`]; a
//! render without it (the API's `html`, `baton plugin try`) has no forms.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, Renderable,
    html_escape,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The key of the host's data in a view's root.
pub const HOST: &str = "_baton";

/// What the form helpers need to know about this page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FormHost {
    /// Where forms post.
    pub url: String,
    /// The CSRF token.
    pub csrf: String,
    /// An idempotency key for this rendering's forms.
    pub key: String,
    /// `zh-CN` or `en`.
    pub lang: String,
    /// Each action: its title in this language and its payload schema.
    pub actions: BTreeMap<String, (String, Value)>,
    /// The form that was posted and refused, if any.
    pub posted: Option<Posted>,
    /// Text the host writes ([`WORDS`]), in this language.
    pub words: BTreeMap<String, String>,
}

/// A posted form: which one, what was in it, and what was wrong.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Posted {
    /// The form's identity: the action and its hidden arguments.
    pub form: String,
    /// Every field's values as posted.
    pub values: BTreeMap<String, Vec<String>>,
    /// Messages by field path; `""` for the form as a whole.
    pub errors: BTreeMap<String, Vec<String>>,
}

/// Registers `form`, `kept` and `checked` on a module's template registry.
pub fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("form", Box::new(form));
    registry.register_helper("kept", Box::new(kept));
    registry.register_helper("checked", Box::new(checked));
}

fn host(ctx: &Context) -> Option<FormHost> {
    serde_json::from_value(ctx.data().get(HOST)?.clone()).ok()
}

/// The words the host writes into modules' forms, by translation key.
pub const WORDS: [&str; 4] = [
    "form.one-per-line",
    "form.row",
    "form.problems",
    "form.choose",
];

/// A form's identity: its action and hidden arguments, in order.
fn identity(action: &str, hidden: &[(String, String)]) -> String {
    let mut id = action.to_owned();
    for (k, v) in hidden {
        let _ = write!(id, "|{k}={v}");
    }
    id
}

/// The posted values and errors, if `id` is the form that was posted.
fn posted_for<'a>(host: &'a FormHost, id: &str) -> Option<&'a Posted> {
    host.posted.as_ref().filter(|p| p.form == id)
}

fn form<'reg, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some(host) = host(ctx) else {
        // No forms here (the API's HTML, a public page): a block's own
        // content (a quiz's questions) still shows.
        if let Some(t) = h.template() {
            t.render(r, ctx, rc, out)?;
        }
        return Ok(());
    };
    let action = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
    // `_label` and `_open` say how the form shows; the rest are arguments.
    let mut hidden: Vec<(String, String)> = Vec::new();
    let mut look = Look::default();
    for (k, v) in h.hash() {
        let v = match v.value() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match *k {
            "_label" => look.label = Some(v),
            "_open" => look.open = v == "true",
            k if k.starts_with('_') => {}
            k => hidden.push((k.to_owned(), v)),
        }
    }
    // The module writes its own fields inside `{{#form}}…{{/form}}`.
    look.own = h.template().map(|t| t.renders(r, ctx, rc)).transpose()?;
    out.write(&form_html(&host, action, &hidden, look))?;
    Ok(())
}

/// How a form shows: the module's own fields, a label after the action's
/// title (whose form this is: `· 张三`), and whether it starts unfolded.
#[derive(Debug, Default)]
pub struct Look {
    /// The module's own fields, instead of fields from the schema.
    pub own: Option<String>,
    /// Said after the action's title.
    pub label: Option<String>,
    /// Unfolded from the start.
    pub open: bool,
}

/// The form for `action`: hidden arguments `hidden`, then the module's `own`
/// fields or, without them, a field for each other property of the schema.
/// Nothing when the module has no such action.
pub fn form_html(host: &FormHost, action: &str, hidden: &[(String, String)], look: Look) -> String {
    let Some((title, schema)) = host.actions.get(action) else {
        return String::new();
    };
    let own = look.own.is_some();
    let id = identity(action, hidden);
    let posted = posted_for(host, &id);
    let mut fields = Fields {
        root: schema,
        posted,
        host,
        shown: Vec::new(),
        html: String::new(),
        depth: 0,
        written: 0,
    };
    match look.own {
        Some(own) => fields.html = own,
        None => {
            let skip: Vec<&str> = hidden.iter().map(|(k, _)| k.as_str()).collect();
            fields.object(schema, "", &skip);
        }
    }
    let mut html = format!(
        "<form method=\"post\" action=\"{}\" class=\"action-form\" data-action=\"{}\" novalidate>",
        html_escape(&host.url),
        html_escape(action)
    );
    for (name, value) in [
        ("_csrf", host.csrf.as_str()),
        ("_key", host.key.as_str()),
        ("_action", action),
        ("_form", id.as_str()),
    ] {
        hidden_input(&mut html, name, value);
    }
    for (name, value) in hidden {
        hidden_input(&mut html, name, value);
    }
    // Messages about fields the form does not show (or about the whole form).
    if let Some(p) = posted {
        let rest: Vec<&String> = p
            .errors
            .iter()
            .filter(|(f, _)| !fields.shown.contains(f))
            .flat_map(|(_, m)| m)
            .collect();
        if !rest.is_empty() {
            let _ = write!(
                html,
                "<div class=\"form-errors\" role=\"alert\"><p>{}</p><ul>",
                html_escape(host.words.get("form.problems").map_or("", String::as_str))
            );
            for m in rest {
                let _ = write!(html, "<li>{}</li>", html_escape(m));
            }
            html.push_str("</ul></div>");
        }
    }
    html.push_str(&fields.html);
    let _ = write!(
        html,
        "<button type=\"submit\">{}</button></form>",
        html_escape(title)
    );
    // A form with fields to fill folds away under its title until wanted, so
    // a phone shows what to do before the form for it; a refused one is open.
    if fields.shown.is_empty() && !own {
        html
    } else {
        let open = if posted.is_some() || look.open {
            " open"
        } else {
            ""
        };
        let summary = match &look.label {
            Some(label) => format!("{title} · {label}"),
            None => title.clone(),
        };
        format!(
            "<details class=\"action\"{open}><summary>{}</summary>{html}</details>",
            html_escape(&summary)
        )
    }
}

/// A field's name from a helper's params: `"answers" 2` → `answers.2`.
fn field_name(params: &[handlebars::PathAndJson<'_>]) -> String {
    params
        .iter()
        .map(|p| p.value().render())
        .collect::<Vec<_>>()
        .join(".")
}

/// `{{kept "remarks"}}`: the value posted for a field of the refused form.
fn kept(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let name = field_name(h.params());
    if let Some(p) = host(ctx).and_then(|h| h.posted)
        && let Some(v) = p.values.get(&name).and_then(|v| v.first())
    {
        out.write(&html_escape(v))?;
    }
    Ok(())
}

/// `{{checked "answers" ../index @index}}`: ` checked` when the field
/// `answers.<question>` was posted with the value `<option>`.
fn checked(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some((value, name)) = h.params().split_last() else {
        return Ok(());
    };
    let (name, value) = (field_name(name), value.value().render());
    if let Some(p) = host(ctx).and_then(|h| h.posted)
        && p.values.get(&name).is_some_and(|v| v.contains(&value))
    {
        out.write(" checked")?;
    }
    Ok(())
}

fn hidden_input(html: &mut String, name: &str, value: &str) {
    let _ = write!(
        html,
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        html_escape(name),
        html_escape(value)
    );
}

/// Writes the fields of a schema.
struct Fields<'a> {
    root: &'a Value,
    posted: Option<&'a Posted>,
    host: &'a FormHost,
    /// The paths that got a field, so their messages are not repeated above.
    shown: Vec<String>,
    html: String,
    /// How deep the field being written sits.
    depth: usize,
    /// Fields written so far: past [`MAX_FORM_FIELDS`] no more are.
    written: usize,
}

impl Fields<'_> {
    fn label(&self, schema: &Value, name: &str) -> String {
        let lang = if self.host.lang == "en" { "en" } else { "zh" };
        schema
            .get("x-label")
            .and_then(|l| l.get(lang))
            .or_else(|| schema.get("title"))
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_owned()
    }

    fn value(&self, path: &str) -> Vec<String> {
        self.posted
            .and_then(|p| p.values.get(path))
            .cloned()
            .unwrap_or_default()
    }

    fn errors(&mut self, path: &str) -> String {
        self.shown.push(path.to_owned());
        let mut out = String::new();
        for m in self
            .posted
            .and_then(|p| p.errors.get(path))
            .into_iter()
            .flatten()
        {
            let _ = write!(out, "<span class=\"field-error\">{}</span>", html_escape(m));
        }
        out
    }

    fn object(&mut self, schema: &Value, prefix: &str, skip: &[&str]) {
        let schema = resolve(self.root, schema);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, prop) in props {
            if skip.contains(&name.as_str()) {
                continue;
            }
            let path = join(prefix, name);
            self.field(prop, &path, name, required.contains(&name.as_str()));
        }
    }

    fn field(&mut self, schema: &Value, path: &str, name: &str, required: bool) {
        if self.depth >= MAX_FORM_DEPTH || self.written >= MAX_FORM_FIELDS {
            return;
        }
        self.written += 1;
        self.depth += 1;
        self.write_field(schema, path, name, required);
        self.depth -= 1;
    }

    fn write_field(&mut self, schema: &Value, path: &str, name: &str, required: bool) {
        let schema = resolve(self.root, schema);
        let label = html_escape(&self.label(schema, name));
        let id = html_escape(&format!("f-{}", path.replace('.', "-")));
        let req = if required { " required" } else { "" };
        match kind(schema) {
            "object" => {
                let _ = write!(self.html, "<fieldset><legend>{label}</legend>");
                self.object(schema, path, &[]);
                self.html.push_str("</fieldset>");
            }
            "array" => {
                let items = resolve(self.root, schema.get("items").unwrap_or(&Value::Null));
                if kind(items) == "object" {
                    self.rows(schema, items, path, &label);
                } else {
                    let errors = self.errors(path);
                    let hint = self.host.words.get("form.one-per-line").cloned();
                    let _ = write!(
                        self.html,
                        "<p class=\"field\"><label for=\"{id}\">{label} <small>{}</small></label>\
                         <textarea id=\"{id}\" name=\"{}\" rows=\"3\">{}</textarea>{errors}</p>",
                        html_escape(hint.as_deref().unwrap_or("")),
                        html_escape(path),
                        html_escape(&self.value(path).join("\n"))
                    );
                }
            }
            "boolean" => {
                let errors = self.errors(path);
                let on = if self.value(path).is_empty() {
                    ""
                } else {
                    " checked"
                };
                let _ = write!(
                    self.html,
                    "<p class=\"field check\"><input type=\"checkbox\" id=\"{id}\" name=\"{}\" value=\"true\"{on}>\
                     <label for=\"{id}\">{label}</label>{errors}</p>",
                    html_escape(path)
                );
            }
            k => {
                let errors = self.errors(path);
                let value = self.value(path).into_iter().next().unwrap_or_default();
                let input = if let Some(options) = options(schema) {
                    let mut s = format!(
                        "<select id=\"{id}\" name=\"{}\"{req}><option value=\"\">{}</option>",
                        html_escape(path),
                        html_escape(
                            self.host
                                .words
                                .get("form.choose")
                                .map_or("", String::as_str)
                        )
                    );
                    for o in &options {
                        let o = o.as_str();
                        let sel = if o == value { " selected" } else { "" };
                        let o = html_escape(o);
                        let _ = write!(s, "<option value=\"{o}\"{sel}>{o}</option>");
                    }
                    s + "</select>"
                } else if schema.get("x-multiline").and_then(Value::as_bool) == Some(true) {
                    format!(
                        "<textarea id=\"{id}\" name=\"{}\" rows=\"3\"{req}>{}</textarea>",
                        html_escape(path),
                        html_escape(&value)
                    )
                } else {
                    let (ty, extra) = match (k, schema.get("format").and_then(Value::as_str)) {
                        ("integer" | "number", _) => ("number", " inputmode=\"numeric\""),
                        (_, Some("date")) => ("date", ""),
                        _ => ("text", ""),
                    };
                    format!(
                        "<input type=\"{ty}\" id=\"{id}\" name=\"{}\" value=\"{}\"{extra}{req}>",
                        html_escape(path),
                        html_escape(&value)
                    )
                };
                let _ = write!(
                    self.html,
                    "<p class=\"field\"><label for=\"{id}\">{label}</label>{input}{errors}</p>"
                );
            }
        }
    }

    /// An array of objects: a row per posted row, and blank rows to add more.
    fn rows(&mut self, schema: &Value, items: &Value, path: &str, label: &str) {
        let posted = self
            .posted
            .map(|p| indices(p.values.keys(), path).last().map_or(0, |i| i + 1))
            .unwrap_or(0);
        let blank = schema
            .get("x-rows")
            .and_then(Value::as_u64)
            .map_or(3, |n| usize::try_from(n.min(MAX_ROWS)).unwrap_or(3));
        let posted = posted.min(usize::try_from(MAX_ROWS).unwrap_or(20) * 5);
        let errors = self.errors(path);
        let _ = write!(
            self.html,
            "<fieldset class=\"rows\"><legend>{label}</legend>{errors}"
        );
        let row = self.host.words.get("form.row").cloned().unwrap_or_default();
        for i in 0..posted.max(blank) {
            if self.written >= MAX_FORM_FIELDS {
                break;
            }
            let _ = write!(
                self.html,
                "<fieldset class=\"row\"><legend>{} {}</legend>",
                html_escape(&row),
                i + 1
            );
            self.object(items, &format!("{path}.{i}"), &[]);
            self.html.push_str("</fieldset>");
        }
        self.html.push_str("</fieldset>");
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// How deep a form may nest (objects in arrays in objects…).
pub const MAX_FORM_DEPTH: usize = 8;
/// The most fields one form may have, blank rows included.
pub const MAX_FORM_FIELDS: usize = 300;
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

fn follow<'a>(root: &'a Value, r: &str) -> Option<&'a Value> {
    r.strip_prefix("#/$defs/")
        .and_then(|name| root.get("$defs")?.get(name))
        .or_else(|| {
            r.strip_prefix("#/definitions/")
                .and_then(|name| root.get("definitions")?.get(name))
        })
}

/// Follows `$ref` into `$defs` (at most [`MAX_REFS`] of them), and
/// `Option<T>`'s `anyOf [T, null]` to `T`.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    resolve_within(root, schema, 0)
}

fn resolve_within<'a>(root: &'a Value, schema: &'a Value, hops: usize) -> &'a Value {
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
fn options(schema: &Value) -> Option<Vec<String>> {
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
fn kind(schema: &Value) -> &str {
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
fn indices<'a>(keys: impl Iterator<Item = &'a String>, path: &str) -> Vec<usize> {
    let prefix = format!("{path}.");
    let mut found: Vec<usize> = keys
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('.').next()?.parse().ok())
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

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
                    (0..last)
                        .filter_map(|i| {
                            let row = self.build(items, &format!("{path}.{i}"));
                            if filled {
                                Some(row.unwrap_or_else(|| json!([])))
                            } else {
                                row
                            }
                        })
                        .collect()
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
