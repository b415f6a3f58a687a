//! The procedure engine natively through the SDK harness: a definition
//! checked by field, steps in order, evidence, confirmation and sending back.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Attachment, Module, Rejection, Role};
use procedure::{Config, Procedure};
use serde_json::{Value, json};

/// Three steps: a table the outgoing cadre fills with a photo, which the
/// township supervises (监交); an amount and a choice by the secretary; a
/// yes/no by any member, in any order.
fn definition() -> Value {
    json!({
        "title": {"zh": "荣退仪式"},
        "steps": [
            {"title": {"zh": "登记移交物品"}, "who": "outgoing-cadre", "photos": "required",
             "confirm": "township-officer",
             "fields": [{"label": {"zh": "物品"}, "kind": "table", "required": true, "options": ["名称", "数量"]}]},
            {"title": {"zh": "发放慰问金"}, "who": "secretary",
             "fields": [{"label": {"zh": "金额"}, "kind": "money", "required": true},
                        {"label": {"zh": "方式"}, "kind": "choice", "required": true, "options": ["现金", "转账"]}]},
            {"title": {"zh": "座谈"}, "who": "member",
             "fields": [{"label": {"zh": "已座谈"}, "kind": "yes-no", "required": true},
                        {"label": {"zh": "参加人数"}, "kind": "number", "unit": "人"}]}
        ]
    })
}

fn started(config: Value) -> Harness<Procedure> {
    let mut ctx = sample_context();
    ctx.config = config;
    ctx.attachments.push(Attachment {
        id: "ab".repeat(32),
        name: "清单.jpg".into(),
        media_type: "image/jpeg".into(),
        size: 1000,
        uploaded_by: "p-outgoing".into(),
        uploaded_at: 0,
    });
    let mut h = Harness::<Procedure>::new(ctx);
    h.start().expect("starts");
    h
}

fn fields(r: Rejection) -> Vec<String> {
    match r {
        Rejection::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn a_procedure_runs_step_by_step_with_evidence_and_a_witness() {
    let mut h = started(definition());
    assert_eq!(
        Procedure::progress(&h.state()).total,
        4,
        "3 submissions and 1 confirmation"
    );
    let early = h
        .act_as(Role::Secretary, "submit", json!({"step": 2, "values": [{"field": 0, "value": "500"}, {"field": 1, "value": "现金"}], "agree": true}))
        .expect_err("step 1 first");
    assert!(matches!(early, Rejection::Conflict(_)), "{early:?}");
    let not_his = h
        .act_as(Role::Secretary, "submit", json!({"step": 1, "agree": true}))
        .expect_err("the outgoing cadre's step");
    assert!(matches!(not_his, Rejection::Forbidden(_)));
    let bare = h
        .act_as(
            Role::OutgoingCadre,
            "submit",
            json!({"step": 1, "agree": true}),
        )
        .expect_err("a row is required");
    assert_eq!(fields(bare), ["values.0.rows"]);
    let row = json!([{"field": 0, "rows": [{"a": "公章", "b": "1 枚"}, {"a": "", "b": ""}]}]);
    let no_photo = h
        .act_as(
            Role::OutgoingCadre,
            "submit",
            json!({"step": 1, "values": row, "agree": true}),
        )
        .expect_err("a photo is required");
    assert_eq!(fields(no_photo), ["photos"]);
    let out = h
        .act_as(
            Role::OutgoingCadre,
            "submit",
            json!({"step": 1, "values": row, "photos": ["ab".repeat(32)], "agree": true}),
        )
        .expect("submitted");
    assert_eq!(out.signoffs[0].subject, "step-1");
    assert!(
        out.signoffs[0].statement.zh.contains("登记移交物品"),
        "{:?}",
        out.signoffs
    );
    assert_eq!(
        out.awaiting[0].who,
        baton_sdk::Recipient::Role(Role::TownshipOfficer)
    );
    assert_eq!(
        h.state().steps[0].values[0],
        json!([["公章", "1 枚"]]),
        "the blank row is left out"
    );
    let back = h
        .act_as(
            Role::TownshipOfficer,
            "send-back",
            json!({"step": 1, "reason": "缺财务专用章"}),
        )
        .expect("sent back");
    assert_eq!(
        back.notices[0].to,
        baton_sdk::Recipient::Person("p-outgoing".into())
    );
    h.act_as(
        Role::OutgoingCadre,
        "submit",
        json!({"step": 1, "values": row, "photos": ["ab".repeat(32)], "agree": true}),
    )
    .expect("submitted again");
    let witnessed = h
        .act_as(
            Role::TownshipOfficer,
            "confirm",
            json!({"step": 1, "agree": true}),
        )
        .expect("witnessed");
    assert_eq!(witnessed.signoffs[0].subject, "step-1-confirmed");
    let money = h
        .act_as(Role::Secretary, "submit", json!({"step": 2, "values": [{"field": 0, "value": "五百"}, {"field": 1, "value": "支票"}], "agree": true}))
        .expect_err("not an amount, not an option");
    assert_eq!(fields(money), ["values.0.value", "values.1.value"]);
    h.act_as(Role::Secretary, "submit", json!({"step": 2, "values": [{"field": 0, "value": "1500.50"}, {"field": 1, "value": "转账"}], "agree": true}))
        .expect("paid");
    let out = h
        .act_as(Role::Member, "submit", json!({"step": 3, "values": [{"field": 0, "value": "yes"}, {"field": 1, "value": "12"}], "agree": true}))
        .expect("any member");
    assert!(out.awaiting.is_empty());
    let p = Procedure::progress(&h.state());
    assert_eq!((p.done, p.total), (4, 4));
    let view = h.view();
    let data = view.data;
    assert_eq!(data["complete"], json!(true));
    assert_eq!(data["steps"][1]["answers"][0]["text"], json!("1500.50 元"));
    assert_eq!(data["steps"][2]["answers"][1]["text"], json!("12 人"));
}

#[test]
fn bad_definitions_are_refused_by_field() {
    let refused = |config: Value| {
        let mut ctx = sample_context();
        ctx.config = config;
        let mut h = Harness::<Procedure>::new(ctx);
        fields(h.start().expect_err("refused"))
    };
    assert_eq!(
        refused(json!({"title": {"zh": ""}, "steps": []})),
        ["config.title.zh", "config.steps"]
    );
    let nobody = json!({"title": {"zh": "程序"}, "steps": [{"title": {"zh": "第一步"}}]});
    assert_eq!(refused(nobody), ["config.steps.0.who"]);
    let options = json!({"title": {"zh": "程序"}, "steps": [{"title": {"zh": "选"}, "who": "secretary",
        "fields": [{"label": {"zh": "方式"}, "kind": "choice", "options": ["现金"]},
                   {"label": {"zh": ""}, "kind": "table"}]}]});
    assert_eq!(
        refused(options),
        [
            "config.steps.0.fields.0.options",
            "config.steps.0.fields.1.label.zh",
            "config.steps.0.fields.1.options"
        ]
    );
    let same = json!({"title": {"zh": "程序"}, "steps": [{"title": {"zh": "见证"}, "who": "township-officer", "confirm": "township-officer"}]});
    assert_eq!(refused(same), ["config.steps.0.confirm"]);
    let many: Vec<Value> = (0..10_000)
        .map(|i| json!({"title": {"zh": format!("第{i}步")}, "who": "secretary"}))
        .collect();
    assert_eq!(
        refused(json!({"title": {"zh": "程序"}, "steps": many})),
        ["config.steps"]
    );
    let odd =
        json!({"title": {"zh": "程序"}, "steps": [{"title": {"zh": "一"}, "who": "the-mayor"}]});
    assert_eq!(refused(odd), ["config.steps.0.who"]);
}

#[test]
fn the_default_definition_is_an_example_that_runs() {
    let config = serde_json::to_value(Config::default()).expect("json");
    let h = started(config);
    assert_eq!(h.state().steps.len(), 2);
    let schema = Procedure::info().config_schema;
    let text = schema.to_string();
    assert!(
        text.contains("乡镇（街道）监交、见证"),
        "the choices carry their labels: {text}"
    );
}

#[test]
fn a_form_names_a_committee_member_and_is_shown_in_public_once_done() {
    let config = json!({
        "title": {"zh": "开门一件事公示"},
        "public": true,
        "steps": [{"title": {"zh": "确定承办人"}, "who": "secretary",
                   "fields": [{"label": {"zh": "承办人"}, "kind": "person", "required": true},
                              {"label": {"zh": "事项"}, "kind": "text", "required": true}]}]
    });
    let mut h = started(config);
    h.context_mut().actor = baton_sdk::testing::public();
    let before = h.view();
    assert_eq!(before.template, baton_sdk::PUBLIC_TEMPLATE);
    assert_eq!(
        before.data["shown"],
        json!(false),
        "nothing public before it is done"
    );
    let stranger = h
        .act_as(Role::Secretary, "submit", json!({"step": 1, "agree": true, "values": [{"field": 0, "value": "路人甲"}, {"field": 1, "value": "修路"}]}))
        .expect_err("not a member");
    assert_eq!(fields(stranger), ["values.0.value"]);
    h.act_as(Role::Secretary, "submit", json!({"step": 1, "agree": true, "values": [{"field": 0, "value": "李秀英"}, {"field": 1, "value": "修通村组路"}]}))
        .expect("a member of the committee");
    h.context_mut().actor = baton_sdk::testing::public();
    let after = h.view();
    assert_eq!(after.data["shown"], json!(true));
    assert_eq!(
        after.data["steps"][0]["answers"][0]["text"],
        json!("李秀英")
    );
    assert!(after.data.to_string().contains("修通村组路"));
}
