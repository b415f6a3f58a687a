//! The contract's calls at the JSON level, shared by the wasm exports and the
//! native test harness so that both run exactly the same code.

use serde_json::Value;

use crate::{Context, Effects, FieldError, Module, Outcome, Rejection, Text, View};

/// Runs [`Module::start`] on a context whose config is raw JSON.
pub fn start<M: Module>(ctx: Context) -> Result<Outcome, Rejection> {
    let ctx = typed_config::<M>(ctx)?;
    let state = M::start(&ctx)?;
    Ok(outcome::<M>(&ctx, &state, Effects::none()))
}

/// Runs [`Module::act`] on JSON state and payload, as the host sends them.
///
/// # Panics
/// If `state` is not a state this module wrote: the host only passes back
/// what `start` or `act` returned, so that is a bug, and a trap says so.
pub fn act<M: Module>(
    ctx: Context,
    state: &str,
    action: &str,
    payload: &str,
) -> Result<Outcome, Rejection> {
    let ctx = typed_config::<M>(ctx)?;
    let mut state = parse_state::<M>(state);
    let action = parse_action::<M>(action, payload)?;
    let effects = M::act(&ctx, &mut state, action)?;
    Ok(outcome::<M>(&ctx, &state, effects))
}

/// Runs [`Module::view`] on JSON state.
///
/// # Panics
/// If `state` is not a state this module wrote, as for [`act`], or if the
/// province's config no longer parses (the host validated it at `start`).
pub fn view<M: Module>(ctx: Context, state: &str) -> View {
    let ctx = match typed_config::<M>(ctx) {
        Ok(ctx) => ctx,
        Err(rejection) => panic!("the province config does not parse: {rejection}"),
    };
    M::view(&ctx, &parse_state::<M>(state))
}

fn outcome<M: Module>(ctx: &Context<M::Config>, state: &M::State, effects: Effects) -> Outcome {
    Outcome {
        state: serde_json::to_string(state).expect("module state serializes to JSON"),
        progress: M::progress(state),
        signoffs: effects.signoffs,
        notices: effects.notices,
        awaiting: M::awaiting(ctx, state),
    }
}

fn parse_state<M: Module>(state: &str) -> M::State {
    match serde_json::from_str(state) {
        Ok(state) => state,
        Err(e) => panic!("the stored state is not this module's: {e}"),
    }
}

fn typed_config<M: Module>(ctx: Context) -> Result<Context<M::Config>, Rejection> {
    let config = match &ctx.config {
        Value::Null => M::Config::default(),
        value => deserialize(value, "config.")?,
    };
    M::check_config(&config)?;
    Ok(ctx.with_config(config))
}

fn parse_action<M: Module>(action: &str, payload: &str) -> Result<M::Action, Rejection> {
    // A syntax error is reported against the payload as the caller wrote it.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(payload) {
        return Err(Rejection::invalid(
            "payload",
            format!("不是有效的 JSON:{e}"),
            format!("is not valid JSON: {e}"),
        ));
    }
    // One pass over the text, tag first, so serde never buffers the payload.
    let action = serde_json::to_string(action).expect("a string serializes");
    let envelope = format!(r#"{{"action":{action},"payload":{payload}}}"#);
    // Most payloads are well formed: parse once without tracking the path,
    // and only track it (a second pass) to name the field that is wrong.
    if let Ok(parsed) = serde_json::from_str(&envelope) {
        return Ok(parsed);
    }
    let parsed = deserialize(&mut serde_json::Deserializer::from_str(&envelope), "");
    parsed.map_err(|rejection| match rejection {
        // The envelope's own paths start with `payload.`; callers think in payload fields.
        Rejection::Invalid(fields) => Rejection::Invalid(
            fields
                .into_iter()
                .map(|f| FieldError {
                    field: f
                        .field
                        .strip_prefix("payload.")
                        .map(str::to_owned)
                        .unwrap_or(f.field),
                    message: f.message,
                })
                .collect(),
        ),
        other => other,
    })
}

/// Deserializes, turning serde's first error into a field error whose path
/// is dotted (`entries.0.quantity`) and prefixed with `prefix`.
fn deserialize<'de, D, T>(de: D, prefix: &str) -> Result<T, Rejection>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
    T: serde::Deserialize<'de>,
{
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = prefix.to_owned();
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            let part = match segment {
                Segment::Seq { index } => index.to_string(),
                Segment::Map { key } | Segment::Enum { variant: key } => key.clone(),
                Segment::Unknown => continue,
            };
            if !path.is_empty() && !path.ends_with('.') {
                path.push('.');
            }
            path.push_str(&part);
        }
        let detail = e.inner().to_string();
        let (path, message) = explain(path.trim_end_matches('.'), &detail);
        Rejection::Invalid(vec![FieldError {
            field: path,
            message,
        }])
    })
}

/// Puts serde's English message into both languages, moving a missing
/// field's name into the path so the form can mark the right input.
fn explain(path: &str, detail: &str) -> (String, Text) {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = between(detail, "missing field `", "`") {
        return (join(name), Text::new("必填项，不能为空", "is required"));
    }
    if let Some(name) = between(detail, "unknown variant `", "`") {
        let expected = detail.split("expected ").nth(1).unwrap_or("").to_owned();
        let field = if path.is_empty() {
            "action".to_owned()
        } else {
            path.to_owned()
        };
        return (
            field,
            Text::new(
                format!("不认识“{name}”，可选：{expected}"),
                format!("unknown value `{name}`, expected {expected}"),
            ),
        );
    }
    if let Some(name) = between(detail, "unknown field `", "`") {
        // Here serde's path already ends at the unknown field.
        let field = if path.is_empty() {
            name.to_owned()
        } else {
            path.to_owned()
        };
        return (field, Text::new("不认识此字段", "is not a known field"));
    }
    let field = if path.is_empty() {
        "payload".to_owned()
    } else {
        path.to_owned()
    };
    (
        field,
        Text::new(format!("格式不正确：{detail}"), detail.to_owned()),
    )
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}
