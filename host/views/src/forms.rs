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
//! `{{qr "/path"}}` draws a QR code of a link on this platform (a session's
//! check-in for phones to scan).
//!
//! The host data the helpers read is bound to one render ([`bind`]); a render
//! without it (the API's `html`, `baton plugin try`) has no forms.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output, RenderContext,
    Renderable, html_escape,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::schema::{
    MAX_FORM_DEPTH, MAX_FORM_FIELDS, MAX_ROWS, ORDER, REMOVE, indices, join, kind, options, resolve,
};

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
    /// The enrollment, for links to its files.
    #[serde(default)]
    pub enrollment: i64,
    /// The files uploaded to it, for `{{attachment id}}` and pickers.
    #[serde(default)]
    pub attachments: Vec<FileRef>,
    /// Where the platform is reached (`https://baton.example.gov.cn`), for
    /// `{{qr "/path"}}`.
    #[serde(default)]
    pub origin: String,
    /// The enrollment's assignment: a class's check-in QR names it, so a
    /// phone checks into this course and not another edition of it.
    #[serde(default)]
    pub assignment: i64,
}

/// A file uploaded to the enrollment, as forms and views show it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileRef {
    /// Its sha256: what a payload names it by.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is a photo (shown as a thumbnail).
    pub photo: bool,
}

impl FileRef {
    /// A link to the file: a thumbnail for a photo, else its name.
    fn html(&self, enrollment: i64) -> String {
        let href = format!(
            "/enrollments/{enrollment}/attachments/{}",
            html_escape(&self.id)
        );
        let name = html_escape(&self.name);
        if self.photo {
            format!(
                "<a class=\"file\" href=\"{href}\"><img src=\"{href}?size=thumb\" alt=\"{name}\" width=\"120\" loading=\"lazy\"></a>"
            )
        } else {
            format!("<a class=\"file\" href=\"{href}\">{name}</a>")
        }
    }
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
    /// The rows (by path) the person asked for one more of: the form comes
    /// back with what was typed and a blank row, and nothing was done.
    #[serde(default)]
    pub more: Option<String>,
}

/// A helper that reads the page's [`FormHost`] (none: a render with no forms).
type HostHelper = for<'reg, 'rc> fn(
    Option<&FormHost>,
    &Helper<'rc>,
    &'reg Handlebars<'reg>,
    &'rc Context,
    &mut RenderContext<'reg, 'rc>,
    &mut dyn Output,
) -> HelperResult;

const HELPERS: [(&str, HostHelper); 5] = [
    ("form", form),
    ("attachment", attachment),
    ("kept", kept),
    ("checked", checked),
    ("qr", qr),
];

/// A [`HostHelper`] bound to one page's host data, or to none.
struct Bound<'a>(Option<&'a FormHost>, HostHelper);

impl HelperDef for Bound<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        (self.1)(self.0, h, r, ctx, rc, out)
    }
}

/// Registers the helpers on a module's template registry, as they render
/// without host data: no forms, no files (the API's `html`, a public page).
pub fn register(registry: &mut Handlebars<'static>) {
    for (name, helper) in HELPERS {
        registry.register_helper(name, Box::new(Bound(None, helper)));
    }
}

/// Binds the helpers to `host` for one render: the host data never passes
/// through the view's JSON, so a module cannot forge it, and a page with
/// five forms reads it five times without copying it.
pub fn bind<'rc>(rc: &mut RenderContext<'_, 'rc>, host: &'rc FormHost) {
    for (name, helper) in HELPERS {
        rc.register_local_helper(name, Box::new(Bound(Some(host), helper)));
    }
}

/// `{{qr "/checkin?…"}}`: a QR code of a link on this platform (a path, never
/// another site: a module cannot send a phone anywhere else), inline SVG.
fn qr(
    host: Option<&FormHost>,
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let path = h.param(0).map(|p| p.value().render()).unwrap_or_default();
    let on_site = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if let Some(host) = host
        && on_site
        && let Some(svg) = super::qr_svg(&format!(
            "{}{}",
            host.origin,
            check_in_link(&path, host.assignment)
        ))
    {
        out.write(&svg)?;
    }
    Ok(())
}

/// A check-in link (`/checkin?…`) with the course's assignment added, so
/// it names one edition; any other path as it is.
pub fn check_in_link(path: &str, assignment: i64) -> String {
    if path.starts_with("/checkin?") && assignment > 0 && !path.contains("&assignment=") {
        format!("{path}&assignment={assignment}")
    } else {
        path.to_owned()
    }
}

/// `{{attachment id}}`: the enrollment's file `id` as a thumbnail (a photo)
/// or a link; nothing for an unknown id or a render without host data.
fn attachment(
    host: Option<&FormHost>,
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let id = h.param(0).map(|p| p.value().render()).unwrap_or_default();
    if let Some(host) = host
        && let Some(file) = host.attachments.iter().find(|f| f.id == id)
    {
        out.write(&file.html(host.enrollment))?;
    }
    Ok(())
}

/// The words the host writes into modules' forms, by translation key.
pub const WORDS: [&str; 11] = [
    "form.add-row",
    "form.take-photo",
    "form.photo-kept",
    "form.option",
    "form.order",
    "form.remove",
    "form.no-attachments",
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
    host: Option<&FormHost>,
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some(host) = host else {
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
        // `_fill=declaration`: the form starts from an object's values (a
        // correction starts from what was declared).
        if *k == "_fill" {
            if v.value().is_object() {
                let mut values = BTreeMap::new();
                form_values(v.value(), "", &mut values);
                look.fill = Some(values);
            }
            continue;
        }
        // A list is the choices a field offers (`entries=entries` for a
        // field marked `"x-choices": "entries"`), not an argument.
        if let Value::Array(list) = v.value() {
            look.choices.insert((*k).to_owned(), list.clone());
            continue;
        }
        let v = match v.value() {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match *k {
            "_label" => look.label = Some(v),
            "_open" => look.open = v == "true",
            "_own" => look.covers = v.split(',').map(|f| f.trim().to_owned()).collect(),
            k if k.starts_with('_') => {}
            k => hidden.push((k.to_owned(), v)),
        }
    }
    // The module writes its own fields inside `{{#form}}…{{/form}}`.
    look.own = h.template().map(|t| t.renders(r, ctx, rc)).transpose()?;
    out.write(&form_html(host, action, &hidden, look))?;
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
    /// Lists a field marked `x-choices` picks from, by name: the option's
    /// value is the element's position, its label the element's
    /// `x-choice-label` property (default `name`).
    pub choices: BTreeMap<String, Vec<Value>>,
    /// The properties the module's own fields cover (`_own="values"`): the
    /// host still writes the others (a photo picker, the box to sign).
    /// Empty: the own fields are the whole form.
    pub covers: Vec<String>,
    /// The values the fields start from, by path, when this form was not
    /// the one posted (`_fill`).
    pub fill: Option<BTreeMap<String, Vec<String>>>,
}

/// The form for `action`: hidden arguments `hidden`, then the module's `own`
/// fields or, without them, a field for each other property of the schema.
/// Nothing when the module has no such action.
pub fn form_html(
    host: &FormHost,
    action: &str,
    hidden: &[(String, String)],
    mut look: Look,
) -> String {
    let Some((title, schema)) = host.actions.get(action) else {
        return String::new();
    };
    let own = look.own.is_some();
    let id = identity(action, hidden);
    let posted = posted_for(host, &id);
    let filled = look
        .fill
        .take()
        .filter(|_| posted.is_none())
        .map(|values| Posted {
            form: id.clone(),
            values,
            errors: BTreeMap::new(),
            more: None,
        });
    let choices = std::mem::take(&mut look.choices);
    let mut fields = Fields {
        root: schema,
        posted: posted.or(filled.as_ref()),
        host,
        choices: &choices,
        shown: Vec::new(),
        html: String::new(),
        depth: 0,
        written: 0,
        multiline: false,
    };
    match look.own {
        Some(own) if look.covers.is_empty() => fields.html = own,
        Some(own) => {
            fields.html = own;
            let skip: Vec<&str> = hidden
                .iter()
                .map(|(k, _)| k.as_str())
                .chain(look.covers.iter().map(String::as_str))
                .collect();
            fields.object(schema, "", &skip);
        }
        None => {
            let skip: Vec<&str> = hidden.iter().map(|(k, _)| k.as_str()).collect();
            fields.object(schema, "", &skip);
        }
    }
    // The form that was posted (refused) or filled in by a link (a class's
    // check-in QR) is where the page lands: app.js scrolls to it.
    let landing = if posted.is_some() { " data-posted" } else { "" };
    let mut html = format!(
        "<form method=\"post\" action=\"{}\" class=\"action-form\" data-action=\"{}\"{landing} novalidate>",
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

/// The fields of `schema` alone, named under `prefix` (`config` gives
/// `config.title.zh`), with `posted`'s values and messages: a form the host
/// writes itself (the province's config of a module) holds them.
pub fn fields_html(host: &FormHost, schema: &Value, prefix: &str) -> String {
    let choices = BTreeMap::new();
    let mut fields = Fields {
        root: schema,
        posted: host.posted.as_ref(),
        host,
        choices: &choices,
        shown: Vec::new(),
        html: String::new(),
        depth: 0,
        written: 0,
        multiline: false,
    };
    fields.object(schema, prefix, &[]);
    let mut html = String::new();
    if let Some(p) = host.posted.as_ref() {
        let rest: Vec<&String> = p
            .errors
            .iter()
            .filter(|(f, _)| f.starts_with(prefix) && !fields.shown.contains(f))
            .flat_map(|(_, m)| m)
            .collect();
        if !rest.is_empty() {
            html.push_str("<ul class=\"form-errors\" role=\"alert\">");
            for m in rest {
                let _ = write!(html, "<li>{}</li>", html_escape(m));
            }
            html.push_str("</ul>");
        }
    }
    html + &fields.html
}

/// A JSON value as the fields of a form would post it (`title.zh` → text,
/// rows numbered, a list of scalars one per line, a true box ticked), so a
/// form can start from it.
pub fn form_values(value: &Value, prefix: &str, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                form_values(v, &super::schema::join(prefix, k), out);
            }
        }
        Value::Array(list) if list.iter().any(|v| v.is_object() || v.is_array()) => {
            for (i, v) in list.iter().enumerate() {
                form_values(v, &format!("{prefix}.{i}"), out);
            }
        }
        Value::Array(list) => {
            let lines: Vec<String> = list
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.insert(prefix.to_owned(), vec![lines.join("\n")]);
        }
        Value::Null | Value::Bool(false) => {}
        Value::String(s) => {
            out.insert(prefix.to_owned(), vec![s.clone()]);
        }
        other => {
            out.insert(prefix.to_owned(), vec![other.to_string()]);
        }
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
    host: Option<&FormHost>,
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let name = field_name(h.params());
    if let Some(p) = host.and_then(|h| h.posted.as_ref())
        && let Some(v) = p.values.get(&name).and_then(|v| v.first())
    {
        out.write(&html_escape(v))?;
    }
    Ok(())
}

/// `{{checked "answers" ../index @index}}`: ` checked` when the field
/// `answers.<question>` was posted with the value `<option>`.
fn checked(
    host: Option<&FormHost>,
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let Some((value, name)) = h.params().split_last() else {
        return Ok(());
    };
    let (name, value) = (field_name(name), value.value().render());
    if let Some(p) = host.and_then(|h| h.posted.as_ref())
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
    /// What `x-choices` fields pick from (see [`Look::choices`]).
    choices: &'a BTreeMap<String, Vec<Value>>,
    /// The paths that got a field, so their messages are not repeated above.
    shown: Vec<String>,
    html: String,
    /// How deep the field being written sits.
    depth: usize,
    /// Fields written so far: past [`MAX_FORM_FIELDS`] no more are.
    written: usize,
    /// Inside a field marked `x-multiline` (a `Text`'s both languages).
    multiline: bool,
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

    /// `x-pick-from: "options"`: a checkbox per row of the sibling list
    /// `options`, labelled by its text, posting its position (from 0) — so
    /// a quiz's right answers are ticked by label, never typed as numbers.
    fn pick_rows(&mut self, path: &str, from: &str, label: &str) {
        let errors = self.errors(path);
        let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
        let list = join(parent, from);
        let lang = if self.host.lang == "en" { "en" } else { "zh" };
        let rows = self.posted.map_or(0, |p| {
            indices(p.values.keys(), &list).last().map_or(0, |i| i + 1)
        });
        let chosen: Vec<String> = self
            .value(path)
            .iter()
            .flat_map(|v| v.lines().map(|l| l.trim().to_owned()).collect::<Vec<_>>())
            .collect();
        let _ = write!(
            self.html,
            "<fieldset class=\"pick\"><legend>{label}</legend>"
        );
        for i in 0..rows.min(MAX_ROWS as usize * 5) {
            let text = [lang, "zh"]
                .iter()
                .find_map(|l| {
                    self.value(&format!("{list}.{i}.{l}"))
                        .into_iter()
                        .find(|v| !v.trim().is_empty())
                })
                .unwrap_or_else(|| {
                    let word = self
                        .host
                        .words
                        .get("form.option")
                        .cloned()
                        .unwrap_or_default();
                    format!("{word} {}", i + 1)
                });
            let id = html_escape(&format!("f-{}-{i}", path.replace('.', "-")));
            let on = if chosen.iter().any(|v| v == &i.to_string()) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                self.html,
                "<p class=\"field check\"><input type=\"checkbox\" id=\"{id}\" name=\"{}\" value=\"{i}\"{on}><label for=\"{id}\">{}</label></p>",
                html_escape(path),
                html_escape(&text)
            );
        }
        let _ = write!(self.html, "{errors}</fieldset>");
    }

    /// A checkbox per file uploaded to the enrollment: an array of their ids.
    fn pick_files(&mut self, path: &str, label: &str) {
        let errors = self.errors(path);
        let _ = write!(
            self.html,
            "<fieldset class=\"pick\"><legend>{label}</legend>"
        );
        if self.host.attachments.is_empty() {
            let none = self
                .host
                .words
                .get("form.no-attachments")
                .cloned()
                .unwrap_or_default();
            let _ = write!(self.html, "<p class=\"meta\">{}</p>", html_escape(&none));
        }
        // Take a photo or choose a file right here (app.js uploads it,
        // shrunk on the phone, and adds its box, ticked); without script the
        // page's upload form is below.
        if self.host.enrollment > 0 {
            let word = self
                .host
                .words
                .get("form.take-photo")
                .cloned()
                .unwrap_or_default();
            let kept = self
                .host
                .words
                .get("form.photo-kept")
                .cloned()
                .unwrap_or_default();
            let id = html_escape(&format!("u-{}", path.replace('.', "-")));
            let _ = write!(
                self.html,
                "<p class=\"field pick-upload\" hidden><label for=\"{id}\">{}</label>\
                 <input type=\"file\" id=\"{id}\" accept=\"image/jpeg,image/png,application/pdf\" \
                 data-enrollment=\"{}\" data-field=\"{}\" data-kept=\"{}\"></p>",
                html_escape(&word),
                self.host.enrollment,
                html_escape(path),
                html_escape(&kept)
            );
        }
        let chosen = self.value(path);
        for (i, file) in self.host.attachments.iter().enumerate() {
            let id = html_escape(&format!("f-{}-{i}", path.replace('.', "-")));
            // Posted, one value per box; filled, one per line.
            let on = if chosen.iter().flat_map(|v| v.lines()).any(|v| v == file.id) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                self.html,
                "<p class=\"field check\"><input type=\"checkbox\" id=\"{id}\" name=\"{}\" value=\"{}\"{on}><label for=\"{id}\">{}</label></p>",
                html_escape(path),
                html_escape(&file.id),
                html_escape(&file.name)
            );
        }
        let _ = write!(self.html, "{errors}</fieldset>");
    }

    fn write_field(&mut self, schema: &Value, path: &str, name: &str, required: bool) {
        // A `$ref` may carry its own label and `x-multiline` beside it.
        let outer = schema;
        let schema = resolve(self.root, schema);
        let label = if outer.get("x-label").is_some() {
            html_escape(&self.label(outer, name))
        } else {
            html_escape(&self.label(schema, name))
        };
        let multiline = self.multiline;
        if outer.get("x-multiline").and_then(Value::as_bool) == Some(true) {
            self.multiline = true;
        }
        self.write_kind(schema, path, &label, required);
        self.multiline = multiline;
    }

    fn write_kind(&mut self, schema: &Value, path: &str, label: &str, required: bool) {
        let label = label.to_owned();
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
                } else if schema.get("x-attachments") == Some(&Value::Bool(true)) {
                    self.pick_files(path, &label);
                } else if let Some(from) = schema.get("x-pick-from").and_then(Value::as_str) {
                    self.pick_rows(path, from, &label);
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
                let chosen = schema
                    .get("x-choices")
                    .and_then(Value::as_str)
                    .and_then(|list| self.choices.get(list));
                let input = if let Some(list) = chosen {
                    let label_key = schema
                        .get("x-choice-label")
                        .and_then(Value::as_str)
                        .unwrap_or("name");
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
                    for (i, element) in list.iter().enumerate() {
                        let label = element
                            .get(label_key)
                            .map_or_else(String::new, |l| match l {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            });
                        let sel = if value == i.to_string() {
                            " selected"
                        } else {
                            ""
                        };
                        let _ = write!(
                            s,
                            "<option value=\"{i}\"{sel}>{}. {}</option>",
                            i + 1,
                            html_escape(&label)
                        );
                    }
                    s + "</select>"
                } else if let Some(options) = options(schema) {
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
                        // A `oneOf` choice shows its `x-label`, posts its value.
                        let shown = schema
                            .get("oneOf")
                            .and_then(Value::as_array)
                            .and_then(|alts| {
                                alts.iter().find(|a| a.get("const") == Some(&json!(o)))
                            })
                            .map_or_else(|| o.to_owned(), |alt| self.label(alt, o));
                        let (o, shown) = (html_escape(o), html_escape(&shown));
                        let _ = write!(s, "<option value=\"{o}\"{sel}>{shown}</option>");
                    }
                    s + "</select>"
                } else if self.multiline
                    || schema.get("x-multiline").and_then(Value::as_bool) == Some(true)
                {
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
    /// A row's order (a number: rows are put in its order) and a box to
    /// remove it, as [`crate::payload::payload`] reads them.
    fn row_tools(&mut self, path: &str, i: usize) {
        let word = |k: &str| html_escape(self.host.words.get(k).map_or("", String::as_str));
        let (order, remove) = (
            format!("{path}.{i}.{ORDER}"),
            format!("{path}.{i}.{REMOVE}"),
        );
        let at = self
            .value(&order)
            .first()
            .cloned()
            .unwrap_or_else(|| (i + 1).to_string());
        let gone = if self.value(&remove).is_empty() {
            ""
        } else {
            " checked"
        };
        let _ = write!(
            self.html,
            "<p class=\"row-tools\"><label>{} <input name=\"{}\" inputmode=\"numeric\" size=\"3\" value=\"{}\"></label> \
             <label><input type=\"checkbox\" name=\"{}\" value=\"true\"{gone}> {}</label></p>",
            word("form.order"),
            html_escape(&order),
            html_escape(&at),
            html_escape(&remove),
            word("form.remove"),
        );
    }

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
        // "Add a row" posted the form: what was typed, and one more.
        let more = self.posted.is_some_and(|p| p.more.as_deref() == Some(path));
        let posted = posted + usize::from(more);
        let errors = self.errors(path);
        let _ = write!(
            self.html,
            "<fieldset class=\"rows\"><legend>{label}</legend>{errors}"
        );
        // `x-row-label` names a row (步骤 1); else 第 1.
        let row = schema
            .get("x-row-label")
            .map(|_| self.label(&json!({"x-label": schema["x-row-label"]}), ""))
            .unwrap_or_else(|| self.host.words.get("form.row").cloned().unwrap_or_default());
        // `x-edit`: each row can be moved (its order) and removed.
        let edit = schema.get("x-edit") == Some(&Value::Bool(true));
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
            if edit {
                self.row_tools(path, i);
            }
            self.html.push_str("</fieldset>");
        }
        // Without script: a submit that brings the form back with a blank row
        // more and everything typed kept (the page acts on nothing).
        let add = self
            .host
            .words
            .get("form.add-row")
            .cloned()
            .unwrap_or_default();
        let _ = write!(
            self.html,
            "<button type=\"submit\" class=\"small\" name=\"_more\" value=\"{}\" formnovalidate>{}</button>",
            html_escape(path),
            html_escape(&add)
        );
        self.html.push_str("</fieldset>");
    }
}
