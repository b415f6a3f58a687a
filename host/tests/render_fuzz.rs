//! Module-made templates, payload schemas and view data, generated at
//! random, through the host's template checks, its rendering and its form
//! writer (drawing forms and reading posted ones back): none may crash the
//! process (a panic, or a stack overflow from recursion), and what renders
//! stays within the render limit. A bounded number of cases per run.

use std::collections::BTreeMap;

use baton_host::views::{FormHost, MAX_RENDER_BYTES, module_templates, render_module};
use baton_host::web::payload;
use baton_sdk::{ActionInfo, Audience, Locale, ModuleInfo, Template, Text};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Pieces a hostile or careless template is made of, loose.
const PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "{{x}}",
    "{{rows}}",
    "{{#each rows}}",
    "{{/each}}",
    "{{#if x}}",
    "{{else}}",
    "{{/if}}",
    "{{> a}}",
    "{{> b.zh-CN}}",
    "{{> a.zh-CN}}",
    "{{#> a.zh-CN}}",
    "{{/a.zh-CN}}",
    "{{{x}}}",
    "{{& x}}",
    "{{~> a}}",
    "{{log x}}",
    "{{form \"act\"}}",
    "{{#form \"act\"}}",
    "{{/form}}",
    "{{kept \"x\"}}",
    "{{checked \"x\" 1 2}}",
    "{{lookup rows 0}}",
    "{{../x}}",
    "{{this}}",
    "{{#with x}}",
    "{{/with}}",
    "{{#*inline \"a\"}}",
    "{{/inline}}",
    "<script>",
    "<img src=x onerror=y>",
    "{{",
    "}}",
    "{",
    "}",
    "中文",
    "{{@index}}",
    "{{#each ../rows}}",
    "{{!-- c --}}",
];

/// Templates: mostly well formed (blocks nested in blocks, over the view's
/// rows, with forms), some of loose pieces that may be anything.
fn template() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prop::sample::select(&["{{x}}", "{{this}}", "{{@index}}", "{{rows}}", "{{../x}}", "中文<b>", "{{form \"act\"}}", "{{kept \"x\"}}", "{{lookup rows 0}}", "{{log x}}", "{{> b.zh-CN}}", "{{> a.zh-CN}}"][..]).prop_map(str::to_owned),
        1 => prop::sample::select(PIECES).prop_map(str::to_owned),
    ];
    let balanced = leaf.prop_recursive(5, 48, 4, |inner| {
        (
            prop::sample::select(
                &[
                    ("{{#each rows}}", "{{/each}}"),
                    ("{{#each ../rows}}", "{{/each}}"),
                    ("{{#if x}}", "{{/if}}"),
                    ("<p>", "</p>"),
                    ("{{#with x}}", "{{/with}}"),
                    ("{{#form \"act\"}}", "{{/form}}"),
                ][..],
            ),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(|((open, close), body)| format!("{open}{}{close}", body.concat()))
    });
    prop_oneof![
        4 => prop::collection::vec(balanced, 1..4).prop_map(|p| p.concat()),
        1 => prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat()),
    ]
}

/// JSON Schemas with `$ref`s (to themselves too), nesting, rows.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "integer"})),
        Just(json!({"type": "boolean"})),
        Just(json!({"type": "string", "enum": ["a", "<b>"]})),
        Just(json!({"$ref": "#/$defs/Node"})),
        Just(json!({"$ref": "#/$defs/Missing"})),
        Just(json!({"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]})),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            (prop::collection::btree_map("[a-z\"<> ]{1,6}", inner.clone(), 0..5))
                .prop_map(|props| { json!({"type": "object", "properties": props}) }),
            (inner, 0u64..200_000).prop_map(|(items, rows)| {
                json!({"type": "array", "items": items, "x-rows": rows})
            }),
        ]
    })
    .prop_flat_map(|body| {
        schema_leafless().prop_map(move |node| {
            let mut root = body.clone();
            if let Value::Object(map) = &mut root {
                map.insert("$defs".into(), json!({"Node": node}));
            }
            root
        })
    })
}

fn schema_leafless() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}})),
        Just(json!({"$ref": "#/$defs/Node"})),
        Just(json!({"type": "array", "items": {"$ref": "#/$defs/Node"}, "x-rows": 100000})),
        Just(json!({"type": "string"})),
    ]
}

fn data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z<>&\"{}中]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 400, 40, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..40).prop_map(Value::from),
            prop::collection::btree_map("x|rows|a|b", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn info(a: &str, b: &str, schema: &Value) -> ModuleInfo {
    ModuleInfo {
        id: "fuzz".into(),
        version: "0.0.1".into(),
        title: Text::new("模糊", "Fuzz"),
        summary: Text::new("模糊", "Fuzz"),
        audience: Audience::Committee,
        actions: vec![ActionInfo {
            name: "act".into(),
            title: Text::new("操作", "Act"),
            payload_schema: schema.clone(),
        }],
        templates: vec![Template::new("a", a, a), Template::new("b", b, b)],
        estimated_minutes: 1,
        config_schema: json!({}),
        reviewers: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn rendering_and_forms_never_crash(a in template(), b in template(), schema in schema(), data in data(), posted in prop::collection::btree_map("[a-z.0-9]{1,12}", "[a-z0-9]{0,4}", 0..6)) {
        let info = info(&a, &b, &schema);
        // Published or refused, never a crash.
        let _ = baton_host::registry::check_info(&info, &[], "fuzz@0.0.1");
        let _ = baton_host::views::check_schema(&schema);
        let values: BTreeMap<String, Vec<String>> = posted.into_iter().map(|(k, v)| (k, vec![v])).collect();
        let _ = payload(&schema, &values, &[], "not a number");
        if let Ok(templates) = module_templates(&info) {
            let host = FormHost {
                url: "/enrollments/1".into(),
                csrf: "t".into(),
                key: "k".into(),
                lang: "zh-CN".into(),
                actions: [("act".to_owned(), ("操作".to_owned(), schema.clone()))].into_iter().collect(),
                posted: None,
                words: BTreeMap::new(),
                enrollment: 1,
                attachments: vec![baton_host::views::forms::FileRef {
                    id: "abc".into(),
                    name: "印模 <b>.jpg".into(),
                    photo: true,
                }],
                origin: "http://127.0.0.1".into(),
                assignment: 1,
            };
            for name in ["a", "b"] {
                if let Ok(html) = render_module(&templates, name, Locale::ZhCn, data.clone(), Some(&host)) {
                    prop_assert!(html.len() <= MAX_RENDER_BYTES);
                }
            }
        }
    }
}

/// The form helpers read the host data the page binds to the render, never
/// the view's JSON: a module that puts host-like data of its own in its view
/// gets no form from it, and the page's own host data still makes one.
#[test]
fn forms_come_from_the_page_not_from_the_view() {
    let schema = json!({"type": "object", "properties": {"note": {"type": "string"}}});
    let info = info("<div>{{form \"act\"}}</div>", "<p></p>", &schema);
    let templates = module_templates(&info).expect("the templates compile");
    let forged = json!({"_baton": {
        "url": "https://elsewhere.example/steal", "csrf": "x", "key": "k", "lang": "zh-CN",
        "actions": {"act": ["操作", schema]}, "words": {}
    }});
    let html = render_module(&templates, "a", Locale::ZhCn, forged.clone(), None).expect("renders");
    assert!(
        !html.contains("<form") && !html.contains("elsewhere"),
        "{html}"
    );
    let host = FormHost {
        url: "/enrollments/1".into(),
        csrf: "t".into(),
        key: "k".into(),
        lang: "zh-CN".into(),
        actions: [("act".to_owned(), ("操作".to_owned(), schema.clone()))]
            .into_iter()
            .collect(),
        enrollment: 1,
        ..FormHost::default()
    };
    let html = render_module(&templates, "a", Locale::ZhCn, forged, Some(&host)).expect("renders");
    assert!(
        html.contains("action=\"/enrollments/1\"") && !html.contains("elsewhere"),
        "{html}"
    );
}
