//! Modules' views as HTML: their templates compiled and held to the rules,
//! rendered escaped and capped, with the host's form helpers. Used by the
//! registry when it accepts a module and by every page that shows one.

pub mod forms;
pub mod payload;
pub mod schema;

pub use forms::{FormHost, Posted};
pub use schema::check_schema;

/// A module's templates, compiled and held to the markup rules (none when a
/// module's failed to compile).
#[derive(Default)]
pub struct Templates(Handlebars<'static>);

/// `url` as a QR code, an inline SVG (black on white, about 4 cm printed).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(150, 150)
        .build();
    // Inline in the page: no XML declaration.
    svg.find("<svg").map(|at| svg[at..].to_owned())
}

use baton_sdk::{Locale, ModuleInfo};
use handlebars::{Handlebars, Renderable as _};

/// The registry name of `template` in `locale`.
pub fn template_key(template: &str, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{template}.zh-CN"),
        Locale::En => format!("{template}.en"),
    }
}

/// The module's templates, compiled; or every one that does not parse or
/// breaks [`template_rules`].
pub fn module_templates(info: &ModuleInfo) -> Result<Templates, Vec<String>> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(false);
    // A module's templates have no partials to reach (so none can recurse),
    // and `{{log}}` would let one write lines into the server's log.
    registry.register_helper(
        "log",
        Box::new(
            |_: &handlebars::Helper<'_>,
             _: &Handlebars<'_>,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext<'_, '_>,
             _: &mut dyn handlebars::Output|
             -> handlebars::HelperResult { Ok(()) },
        ),
    );
    forms::register(&mut registry);
    registry.register_helper(budget::TICK, Box::new(budget::Tick));
    let mut problems = Vec::new();
    for template in &info.templates {
        for (locale, source) in [
            (Locale::ZhCn, &template.source.zh),
            (Locale::En, &template.source.en),
        ] {
            let key = template_key(&template.name, locale);
            if let Err(why) = template_rules(source) {
                problems.push(format!("template `{key}`: {why}"));
                continue;
            }
            if let Err(e) = registry.register_template_string(&key, &budget::with_ticks(source)) {
                problems.push(format!("template `{key}` does not parse: {e}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(Templates(registry))
    } else {
        Err(problems)
    }
}

/// The largest rendered view, bytes. Rendering stops when it is reached, so
/// nested loops over a modest view cannot make megabytes or take seconds.
pub const MAX_RENDER_BYTES: usize = 512 << 10;

/// A module's `template` rendered in `locale` from `data`, escaped, at most
/// [`MAX_RENDER_BYTES`], with forms for `host`'s actions if given; or why not.
pub fn render_module(
    templates: &Templates,
    template: &str,
    locale: Locale,
    data: serde_json::Value,
    host: Option<&FormHost>,
) -> Result<String, String> {
    let name = template_key(template, locale);
    let Some(compiled) = templates.0.get_template(&name) else {
        return Err(format!("template `{template}` is not one of the module's"));
    };
    // The data moves into the render's context (`render` would copy it).
    let ctx = handlebars::Context::from(data);
    let mut rc = handlebars::RenderContext::new(compiled.name.as_ref());
    if let Some(host) = host {
        forms::bind(&mut rc, host);
    }
    let mut out = Capped::default();
    let spent = budget::Spending::start();
    let rendered = compiled.render(
        &templates.0,
        &ctx,
        &mut rc,
        &mut handlebars::WriteOutput::new(&mut out),
    );
    if out.over {
        return Err(format!(
            "template `{template}` renders more than {MAX_RENDER_BYTES} bytes"
        ));
    }
    if spent.over() {
        return Err(format!(
            "template `{template}` takes more than {} ms or {} loops to render",
            budget::MAX_RENDER_TIME.as_millis(),
            budget::MAX_LOOPS
        ));
    }
    rendered.map_err(|e| format!("template `{template}` failed to render: {e}"))?;
    String::from_utf8(out.bytes).map_err(|e| format!("rendered view: {e}"))
}

/// A writer that keeps at most [`MAX_RENDER_BYTES`] and then fails, which
/// stops handlebars mid-render.
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDER_BYTES {
            self.over = true;
            return Err(std::io::Error::other("render output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a module's template may not hold: partials (`{{> x}}`, which could
/// include each other without end), inline partials and decorators
/// (`{{#*inline}}`), raw output (`{{{x}}}`, `{{& x}}`: a user's text must
/// always be escaped), and markup that runs script or loads from elsewhere.
/// The pages' Content-Security-Policy stands behind this.
pub fn template_rules(source: &str) -> Result<(), String> {
    let mut rest = source;
    while let Some(at) = rest.find("{{") {
        let after = &rest[at + 2..];
        if after.starts_with('{') {
            return Err("`{{{…}}}` writes raw HTML; use `{{…}}`".into());
        }
        let tag = after.trim_start_matches('~').trim_start();
        let tag = tag.strip_prefix('#').map_or(tag, str::trim_start);
        match tag.chars().next() {
            Some('>') => return Err("partials (`{{> …}}`) are not available to modules".into()),
            Some('&') => return Err("`{{& …}}` writes raw HTML; use `{{…}}`".into()),
            Some('*') => {
                return Err("inline partials and decorators are not available to modules".into());
            }
            _ => {}
        }
        rest = after;
    }
    let lower = source.to_ascii_lowercase();
    for banned in [
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "<link",
        "<meta",
        "<base",
        "<frame",
        "javascript:",
        "srcdoc",
    ] {
        if lower.contains(banned) {
            return Err(format!("`{banned}` is not allowed in a module's markup"));
        }
    }
    markup_rules(source)?;
    let bytes = lower.as_bytes();
    for (i, w) in bytes.windows(3).enumerate() {
        // An event handler attribute: whitespace or a quote, then on…=
        if w[0].is_ascii_whitespace() || w[0] == b'"' || w[0] == b'\'' || w[0] == b'/' {
            if w[1] == b'o' && w[2] == b'n' {
                let name: String = lower[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let tail = lower[i + 1 + name.len()..].trim_start();
                if name.len() > 2 && tail.starts_with('=') {
                    return Err(format!(
                        "event handler attributes (`{name}=`) are not allowed"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Where a template's text is, as an HTML tokenizer sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Markup {
    Text,
    TagName,
    InTag,
    AttrName,
    AfterName,
    BeforeValue,
    Quoted(u8),
    Unquoted,
}

/// The template read as the HTML it renders to, not as text: no expression
/// may write into a tag's or attribute's name (`<scr{{e}}ipt>`,
/// `o{{e}}nerror=`) or an unquoted attribute value, and a block
/// (`{{#if}}…{{/if}}`, or the host's `{{checked …}}`) inside a tag must
/// stand between attributes, not split a name. Tag and attribute names are then checked whole: no script-running
/// elements, no `on…` handlers, no `srcdoc`.
fn markup_rules(source: &str) -> Result<(), String> {
    const BANNED: [&str; 11] = [
        "script", "iframe", "object", "embed", "style", "link", "meta", "base", "frame",
        "frameset", "noscript",
    ];
    let tag = |name: &str| -> Result<(), String> {
        let name = name.to_ascii_lowercase();
        if BANNED.contains(&name.as_str()) {
            return Err(format!("`<{name}>` is not allowed in a module's markup"));
        }
        Ok(())
    };
    let attribute = |name: &str| -> Result<(), String> {
        let name = name.to_ascii_lowercase();
        if name.starts_with("on") && name.len() > 2 {
            return Err(format!(
                "event handler attributes (`{name}`) are not allowed"
            ));
        }
        if name == "srcdoc" {
            return Err("`srcdoc` is not allowed in a module's markup".into());
        }
        Ok(())
    };
    let b = source.as_bytes();
    let mut state = Markup::Text;
    let mut name = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"{{") {
            let end = source[i + 2..]
                .find("}}")
                .map_or(b.len(), |at| i + 2 + at + 2);
            let inner = source[i + 2..end.saturating_sub(2).max(i + 2)]
                .trim_start_matches(['{', '~'])
                .trim_start();
            // Blocks write nothing themselves; the host's `checked` helper
            // writes ` checked` or nothing: both may stand between attributes.
            let block = inner.starts_with(['#', '/', '^'])
                || inner.starts_with("else")
                || inner.starts_with("checked ");
            let shown: String = source[i..end].chars().take(40).collect();
            match state {
                Markup::Text | Markup::Quoted(_) => {}
                Markup::Unquoted => {
                    return Err(format!(
                        "`{shown}` is in an unquoted attribute value; put the value in quotes"
                    ));
                }
                _ if !block => {
                    return Err(format!(
                        "`{shown}` writes inside a tag, where only quoted attribute values may hold expressions"
                    ));
                }
                _ => {
                    let next = b.get(end).copied();
                    let between = matches!(
                        next,
                        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')
                    ) || b[end..].starts_with(b"{{");
                    if !between {
                        return Err(format!(
                            "`{shown}` splits a tag or attribute name; a block in a tag must stand between attributes"
                        ));
                    }
                    match state {
                        Markup::TagName => tag(&name)?,
                        Markup::AttrName => attribute(&name)?,
                        _ => {}
                    }
                    state = Markup::InTag;
                }
            }
            i = end;
            continue;
        }
        let c = b[i];
        match state {
            Markup::Text => {
                if b[i..].starts_with(b"<!--") {
                    i = source[i + 4..]
                        .find("-->")
                        .map_or(b.len(), |at| i + 4 + at + 3);
                    continue;
                }
                if c == b'<' {
                    let next = b.get(i + 1).copied();
                    if next.is_some_and(|n| n.is_ascii_alphabetic()) {
                        state = Markup::TagName;
                        name.clear();
                    } else if next == Some(b'/') {
                        state = Markup::TagName;
                        name.clear();
                        i += 1;
                    }
                }
            }
            Markup::TagName => {
                if c.is_ascii_alphanumeric() || c == b'-' || c == b':' {
                    name.push(char::from(c));
                } else {
                    tag(&name)?;
                    state = Markup::InTag;
                    continue;
                }
            }
            Markup::InTag => match c {
                b'>' => state = Markup::Text,
                b'/' | b' ' | b'\t' | b'\n' | b'\r' => {}
                _ => {
                    state = Markup::AttrName;
                    name.clear();
                    continue;
                }
            },
            Markup::AttrName => match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>' | b'=' => {
                    attribute(&name)?;
                    state = match c {
                        b'=' => Markup::BeforeValue,
                        b'>' => Markup::Text,
                        b'/' => Markup::InTag,
                        _ => Markup::AfterName,
                    };
                }
                _ => name.push(if c.is_ascii() { char::from(c) } else { '?' }),
            },
            Markup::AfterName => match c {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'=' => state = Markup::BeforeValue,
                b'>' => state = Markup::Text,
                _ => {
                    state = Markup::InTag;
                    continue;
                }
            },
            Markup::BeforeValue => match c {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                b'"' | b'\'' => state = Markup::Quoted(c),
                b'>' => state = Markup::Text,
                _ => state = Markup::Unquoted,
            },
            Markup::Quoted(q) => {
                if c == q {
                    state = Markup::InTag;
                }
            }
            Markup::Unquoted => match c {
                b' ' | b'\t' | b'\n' | b'\r' => state = Markup::InTag,
                b'>' => state = Markup::Text,
                _ => {}
            },
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod markup_tests {
    use super::template_rules;

    #[test]
    fn expressions_cannot_write_tag_or_attribute_names() {
        for bad in [
            "<scr{{e}}ipt>alert(1)</scr{{e}}ipt>",
            "<img src=x o{{e}}nerror=alert(1)>",
            "<img src=x {{attrs}}>",
            "<img src={{x}}>",
            "<img src=x o{{#if a}}n{{/if}}error=alert(1)>",
            "<img src=\"x\" o{{checked \"a\" 1}}nerror=alert(1)>",
            "<img src=x {{#if a}}onerror{{/if}}=alert(1)>",
            "<scr{{#if a}}{{/if}}ipt>",
            "<img src=x ONERROR = \"alert(1)\">",
            "<svg><a onclick=\"x\"></a></svg>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        ] {
            assert!(template_rules(bad).is_err(), "{bad}");
        }
        for good in [
            "<li{{#if correct}} class=\"correct\"{{/if}}>{{name}}</li>",
            "<input type=\"checkbox\" name=\"x\"{{#if on}} checked{{/if}}>",
            "<input type=\"radio\" name=\"a\" value=\"{{@index}}\" {{checked \"answers\" ../index @index}}>",
            "<a href=\"/enrollments/{{id}}\" class='c {{kind}}'>{{title}}</a>",
            "<p>{{#each rows}}<span>{{this}}</span>{{/each}}</p><!-- {{note}} -->",
            "<tr{{#if a}} class=\"a\"{{else}} class=\"b\"{{/if}}><td>{{x}}</td></tr>",
            "<p>1 < 2 and {{x}} > 0</p>",
        ] {
            assert_eq!(template_rules(good), Ok(()), "{good}");
        }
    }
}

/// Rendering bounded by time and steps, not only by what it writes: nested
/// `{{#each}}` loops that write nothing never reach the output cap. Every
/// `{{#each X}}` of a module's template is compiled as
/// `{{#each (baton-tick X)}}`: the tick hands `X` on unchanged (the same
/// value at the same path) and stops the render once it has run longer than
/// [`MAX_RENDER_TIME`] or entered [`MAX_LOOPS`] loops. Between two ticks runs
/// at most one innermost loop over view data of at most 256 KiB.
pub mod budget {
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    use handlebars::{
        Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
        ScopedJson,
    };
    use serde_json::Value;

    /// The tick helper's name; not a name a module's template can write by
    /// accident (a module calling it only spends its own budget).
    pub const TICK: &str = "baton-tick";
    /// The longest a render may take.
    pub const MAX_RENDER_TIME: Duration = Duration::from_millis(200);
    /// The most `{{#each}}` loops one render may enter.
    pub const MAX_LOOPS: u32 = 50_000;

    thread_local! {
        /// This thread's render in progress: its deadline, loops left, and
        /// whether it ran out.
        static BUDGET: Cell<Option<(Instant, u32, bool)>> = const { Cell::new(None) };
    }

    /// A render's budget on this thread, from `start` until dropped.
    pub struct Spending;

    impl Spending {
        /// Starts a render's budget.
        pub fn start() -> Self {
            BUDGET.set(Some((Instant::now() + MAX_RENDER_TIME, MAX_LOOPS, false)));
            Spending
        }

        /// Whether the render ran out of time or loops.
        pub fn over(&self) -> bool {
            BUDGET.get().is_some_and(|(_, _, over)| over)
        }
    }

    impl Drop for Spending {
        fn drop(&mut self) {
            BUDGET.set(None);
        }
    }

    fn spend() -> Result<(), RenderError> {
        let Some((deadline, left, _)) = BUDGET.get() else {
            return Ok(());
        };
        if left == 0 || Instant::now() > deadline {
            BUDGET.set(Some((deadline, 0, true)));
            return Err(RenderErrorReason::Other("the render ran out of time".into()).into());
        }
        BUDGET.set(Some((deadline, left - 1, false)));
        Ok(())
    }

    /// `{{#each (baton-tick X)}}`: spends one loop and answers `X` itself.
    pub struct Tick;

    impl HelperDef for Tick {
        fn call_inner<'reg: 'rc, 'rc>(
            &self,
            h: &Helper<'rc>,
            _: &'reg Handlebars<'reg>,
            ctx: &'rc Context,
            _: &mut RenderContext<'reg, 'rc>,
        ) -> Result<ScopedJson<'rc>, RenderError> {
            spend()?;
            let Some(param) = h.param(0) else {
                return Ok(ScopedJson::Missing);
            };
            // The same value at the same path, so `../` and `@index` inside
            // the loop resolve as they did without the tick.
            if let Some(path) = param.context_path() {
                let mut at = Some(ctx.data());
                for segment in path {
                    at = match at {
                        Some(Value::Object(map)) => map.get(segment),
                        Some(Value::Array(items)) => {
                            segment.parse::<usize>().ok().and_then(|i| items.get(i))
                        }
                        _ => None,
                    };
                }
                if let Some(value) = at {
                    return Ok(ScopedJson::Context(value, path.clone()));
                }
            }
            if let Some(constant) = param.try_get_constant_value() {
                return Ok(ScopedJson::Constant(constant));
            }
            Ok(ScopedJson::Derived(param.value().clone()))
        }
    }

    /// `source` with every `{{#each X …}}` made `{{#each (baton-tick X) …}}`.
    pub fn with_ticks(source: &str) -> String {
        let mut out = String::with_capacity(source.len() + 64);
        let mut rest = source;
        while let Some(at) = rest.find("{{") {
            let (before, tag) = rest.split_at(at);
            out.push_str(before);
            let inner = &tag[2..];
            let trimmed = inner.trim_start_matches('~').trim_start();
            let Some(after) = trimmed.strip_prefix("#each") else {
                out.push_str("{{");
                rest = inner;
                continue;
            };
            if !after.starts_with(char::is_whitespace) {
                out.push_str("{{");
                rest = inner;
                continue;
            }
            let param_start = after.len() - after.trim_start().len();
            let param = &after[param_start..];
            let len = if param.starts_with('(') {
                let mut depth = 0;
                param
                    .char_indices()
                    .find_map(|(i, c)| {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(i + 1)
                    })
                    .unwrap_or(param.len())
            } else {
                param
                    .find(|c: char| c.is_whitespace() || c == '}' || c == '~' || c == ')')
                    .unwrap_or(param.len())
            };
            if len == 0 {
                out.push_str("{{");
                rest = inner;
                continue;
            }
            // Everything up to the parameter, the wrapped parameter, then on.
            let head = tag.len() - after.len() + param_start;
            out.push_str(&tag[..head]);
            out.push('(');
            out.push_str(TICK);
            out.push(' ');
            out.push_str(&param[..len]);
            out.push(')');
            rest = &param[len..];
        }
        out.push_str(rest);
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_each_gets_a_tick() {
            assert_eq!(
                super::with_ticks(
                    "<ul>{{#each rows as |r i|}}<li>{{r}}</li>{{/each}}{{~#each (lookup a b)~}}x{{/each}}</ul>"
                ),
                "<ul>{{#each (baton-tick rows) as |r i|}}<li>{{r}}</li>{{/each}}{{~#each (baton-tick (lookup a b))~}}x{{/each}}</ul>"
            );
            assert_eq!(
                super::with_ticks("{{#eachx y}}{{each}}{{#each}}"),
                "{{#eachx y}}{{each}}{{#each}}"
            );
        }
    }
}
