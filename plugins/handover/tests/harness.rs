//! The handover's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Rejection, Role};
use handover::{BUILT_IN_ITEMS, Handover};
use serde_json::json;

fn started() -> Harness<Handover> {
    let mut h = Harness::<Handover>::new(sample_context());
    let outcome = h.start().expect("starts with no config");
    assert_eq!((outcome.progress.done, outcome.progress.total), (0, 15));
    h
}

fn seals() -> serde_json::Value {
    json!({"item": "seals", "entries": [
        {"name": "桂花村党支部公章", "quantity": 1},
        {"name": "桂花村村民委员会公章", "quantity": 1, "note": "铁皮柜"}
    ]})
}

fn field_of(rejection: Rejection) -> String {
    match rejection {
        Rejection::Invalid(fields) => fields[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn three_parties_sign_every_item_to_completion() {
    let mut h = started();
    for (key, _, _) in BUILT_IN_ITEMS {
        h.act_as(
            Role::OutgoingCadre,
            "declare",
            json!({"item": key, "entries": [{"name": "x", "quantity": 2}]}),
        )
        .expect("declare");
        h.act_as(Role::Secretary, "confirm", json!({"item": key}))
            .expect("confirm");
        let outcome = h
            .act_as(Role::TownshipOfficer, "witness", json!({"item": key}))
            .expect("witness");
        assert_eq!(outcome.signoffs.len(), 1);
        assert_eq!(outcome.signoffs[0].signer, "p-township");
        assert_eq!(outcome.signoffs[0].subject, format!("{key}:witness"));
    }
    let state = h.state();
    assert!(state.items.iter().all(|i| i.signatures() == 3));
    let last = h
        .act_as(Role::Secretary, "confirm", json!({"item": "seals"}))
        .expect_err("refused");
    assert!(matches!(last, Rejection::Conflict(_)), "{last:?}");
}

#[test]
fn each_signature_is_a_signoff_with_a_bilingual_statement() {
    let mut h = started();
    let out = h
        .act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    assert_eq!((out.progress.done, out.progress.total), (1, 15));
    let s = &out.signoffs[0];
    assert_eq!(
        (s.signer.as_str(), s.role, s.subject.as_str()),
        ("p-outgoing", Role::OutgoingCadre, "seals:declare")
    );
    assert!(
        s.statement.zh.contains("王德福") && s.statement.zh.contains("2 项"),
        "{}",
        s.statement.zh
    );
    assert!(s.statement.en.contains("2 entries"), "{}", s.statement.en);
    assert_eq!(out.notices.len(), 1, "the secretary is told to check");
}

#[test]
fn the_wrong_party_is_forbidden_and_told_who_may() {
    let mut h = started();
    let r = h
        .act_as(Role::Secretary, "declare", seals())
        .expect_err("refused");
    let Rejection::Forbidden(text) = r else {
        panic!("{r:?}")
    };
    assert!(
        text.zh.contains("离任干部") && text.en.contains("outgoing cadre"),
        "{text:?}"
    );
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    for role in [Role::OutgoingCadre, Role::TownshipOfficer, Role::Member] {
        let r = h
            .act_as(role, "confirm", json!({"item": "seals"}))
            .expect_err("refused");
        assert!(matches!(r, Rejection::Forbidden(_)), "{role:?}: {r:?}");
    }
}

#[test]
fn an_outgoing_role_not_on_the_roster_is_forbidden() {
    let mut h = started();
    h.context_mut().actor = baton_sdk::Actor {
        person_id: "p-stranger".into(),
        name: "某人".into(),
        role: Role::OutgoingCadre,
    };
    let r = h.act("declare", seals()).expect_err("refused");
    assert!(matches!(r, Rejection::Forbidden(_)), "{r:?}");
}

#[test]
fn the_wrong_order_is_a_conflict_and_changes_nothing() {
    let mut h = started();
    let before = h.raw_state().map(str::to_owned);
    let r = h
        .act_as(Role::Secretary, "confirm", json!({"item": "seals"}))
        .expect_err("refused");
    let Rejection::Conflict(text) = r else {
        panic!("{r:?}")
    };
    assert!(text.zh.contains("尚未申报"), "{text:?}");
    let r = h
        .act_as(Role::TownshipOfficer, "witness", json!({"item": "seals"}))
        .expect_err("refused");
    assert!(matches!(r, Rejection::Conflict(_)), "{r:?}");
    assert_eq!(h.raw_state().map(str::to_owned), before);
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    h.act_as(Role::Secretary, "confirm", json!({"item": "seals"}))
        .expect("confirm");
    let r = h
        .act_as(Role::OutgoingCadre, "declare", seals())
        .expect_err("refused");
    assert!(
        matches!(r, Rejection::Conflict(_)),
        "a received inventory is frozen: {r:?}"
    );
}

#[test]
fn missing_and_bad_fields_are_named() {
    let mut h = started();
    let cases = [
        ("declare", json!({"item": "seals"}), "entries"),
        ("declare", json!({"entries": []}), "item"),
        (
            "declare",
            json!({"item": "seals", "entries": []}),
            "entries",
        ),
        (
            "declare",
            json!({"item": "seal", "entries": [{"name": "a", "quantity": 1}]}),
            "item",
        ),
        (
            "declare",
            json!({"item": "seals", "entries": [{"name": " ", "quantity": 1}]}),
            "entries.0.name",
        ),
        (
            "declare",
            json!({"item": "seals", "entries": [{"name": "a", "quantity": 0}]}),
            "entries.0.quantity",
        ),
        (
            "declare",
            json!({"item": "seals", "entries": [{"name": "a", "quantity": "one"}]}),
            "entries.0.quantity",
        ),
        (
            "declare",
            json!({"item": "seals", "entries": [{"name": "a"}]}),
            "entries.0.quantity",
        ),
        (
            "declare",
            json!({"item": "seals", "entries": [], "colour": 1}),
            "colour",
        ),
        ("hand-over", json!({}), "action"),
    ];
    for (action, payload, field) in cases {
        let r = h
            .act_as(Role::OutgoingCadre, action, payload.clone())
            .expect_err("refused");
        assert_eq!(field_of(r), field, "{action} {payload}");
    }
    let r = h
        .act_as(Role::OutgoingCadre, "hand-over", json!({}))
        .expect_err("refused");
    let Rejection::Invalid(f) = r else {
        unreachable!()
    };
    assert!(
        f[0].message.en.contains("declare"),
        "lists the actions: {}",
        f[0].message.en
    );
    assert!(!f[0].message.zh.is_empty());
}

#[test]
fn discrepancies_are_checked_and_require_witness_remarks() {
    let mut h = started();
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    let bad = json!({"item": "seals", "discrepancies": [{"entry": 5, "note": "missing"}]});
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "confirm", bad)
                .expect_err("refused")
        ),
        "discrepancies.0.entry"
    );
    let blank = json!({"item": "seals", "discrepancies": [{"entry": 1, "note": ""}]});
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "confirm", blank)
                .expect_err("refused")
        ),
        "discrepancies.0.note"
    );
    let good = json!({"item": "seals", "discrepancies": [{"entry": 1, "note": "印面磨损"}]});
    let out = h
        .act_as(Role::Secretary, "confirm", good)
        .expect("confirm with a discrepancy");
    assert!(
        out.signoffs[0].statement.zh.contains("1 处"),
        "{}",
        out.signoffs[0].statement.zh
    );
    let r = h
        .act_as(Role::TownshipOfficer, "witness", json!({"item": "seals"}))
        .expect_err("refused");
    assert_eq!(field_of(r), "remarks");
    h.act_as(
        Role::TownshipOfficer,
        "witness",
        json!({"item": "seals", "remarks": "已登记,重新刻制"}),
    )
    .expect("witness with remarks");
}

#[test]
fn send_back_clears_the_declaration_and_tells_the_declarer() {
    let mut h = started();
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    assert_eq!(
        field_of(
            h.act_as(
                Role::Secretary,
                "send-back",
                json!({"item": "seals", "reason": ""})
            )
            .expect_err("refused")
        ),
        "reason"
    );
    let out = h
        .act_as(
            Role::Secretary,
            "send-back",
            json!({"item": "seals", "reason": "缺少财务章"}),
        )
        .expect("send back");
    assert_eq!(out.progress.done, 0);
    assert_eq!(
        out.notices[0].to,
        baton_sdk::Recipient::Person("p-outgoing".into())
    );
    assert_eq!(h.state().items[0].sent_back.as_deref(), Some("缺少财务章"));
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare again");
    assert_eq!(h.state().items[0].sent_back, None);
}

#[test]
fn the_province_adds_items_and_bad_config_is_named() {
    let mut ctx = sample_context();
    ctx.config = json!({"extra_items": [{"key": "militia-equipment", "title": {"zh": "民兵器材", "en": "Militia equipment"}}]});
    let mut h = Harness::<Handover>::new(ctx.clone());
    assert_eq!(h.start().expect("start").progress.total, 18);
    for (config, field) in [
        (
            json!({"extra_items": [{"key": "Seals!", "title": {"zh": "a", "en": "b"}}]}),
            "config.extra_items.0.key",
        ),
        (
            json!({"extra_items": [{"key": "seals", "title": {"zh": "a", "en": "b"}}]}),
            "config.extra_items.0.key",
        ),
        (
            json!({"extra_items": [{"key": "x", "title": {"zh": "", "en": "b"}}]}),
            "config.extra_items.0.title",
        ),
        (
            json!({"extra_items": [{"key": "x"}]}),
            "config.extra_items.0.title",
        ),
        (json!({"extra": []}), "config.extra"),
        (
            json!({"extra_items": [{"key": "flag", "title": {"zh": "a", "en": "b"}}, {"key": "flag", "title": {"zh": "c", "en": "d"}}]}),
            "config.extra_items.1.key",
        ),
    ] {
        ctx.config = config.clone();
        let r = Harness::<Handover>::new(ctx.clone())
            .start()
            .expect_err("refused");
        assert_eq!(field_of(r), field, "{config}");
    }
}

#[test]
fn the_view_shows_each_party_its_next_step_in_its_language() {
    let mut h = started();
    h.act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    h.context_mut().actor = baton_sdk::testing::actor(Role::Secretary);
    let view = h.view();
    assert_eq!(view.template, "handover");
    assert_eq!(view.data["items"][0]["status"], "waiting-receipt");
    assert_eq!(view.data["items"][0]["can_confirm"], true);
    assert_eq!(view.data["items"][0]["title"], "公章印章");
    h.context_mut().locale = baton_sdk::Locale::En;
    assert_eq!(h.view().data["items"][0]["title"], "Seals");
    assert_eq!(h.view().data["items"][0]["declared"]["date"], "2026-01-01");
}

#[test]
fn a_config_broken_after_start_is_refused_on_every_call() {
    let mut h = started();
    h.context_mut().config =
        json!({"extra_items": [{"key": "BAD", "title": {"zh": "a", "en": "b"}}]});
    let r = h
        .act_as(Role::OutgoingCadre, "declare", seals())
        .expect_err("refused");
    assert_eq!(field_of(r), "config.extra_items.0.key");
}

/// Whose turn it is, item by item: the outgoing cadre declares, the
/// secretary receives, a township officer witnesses; then nobody.
#[test]
fn each_item_awaits_its_next_signer() {
    let mut h = Harness::<Handover>::new(sample_context());
    let start = h.start().expect("starts");
    assert_eq!(start.awaiting.len(), 5);
    assert!(
        start
            .awaiting
            .iter()
            .all(|a| a.who == baton_sdk::Recipient::Role(Role::OutgoingCadre))
    );
    assert_eq!(start.awaiting[0].subject, "seals");
    assert_eq!(start.awaiting[0].what.zh, "申报公章印章");
    let who = |o: &baton_sdk::Outcome, key: &str| {
        o.awaiting
            .iter()
            .find(|a| a.subject == key)
            .map(|a| (a.who.clone(), a.what.zh.clone()))
    };
    let declared = h
        .act_as(Role::OutgoingCadre, "declare", seals())
        .expect("declare");
    assert_eq!(
        who(&declared, "seals"),
        Some((
            baton_sdk::Recipient::Role(Role::Secretary),
            "清点接收公章印章".into()
        ))
    );
    let received = h
        .act_as(Role::Secretary, "confirm", json!({"item": "seals"}))
        .expect("confirm");
    assert_eq!(
        who(&received, "seals"),
        Some((
            baton_sdk::Recipient::Role(Role::TownshipOfficer),
            "监交公章印章交接".into()
        ))
    );
    let witnessed = h
        .act_as(Role::TownshipOfficer, "witness", json!({"item": "seals"}))
        .expect("witness");
    assert_eq!(who(&witnessed, "seals"), None);
    assert_eq!(witnessed.awaiting.len(), 4);
}

/// 代为移交: the outgoing cadre is away, so a township officer declares the
/// seals for him with a witness; the secretary receives, the township
/// supervises, and the record says why and who was there.
#[test]
fn the_township_declares_for_a_cadre_who_cannot() {
    let mut h = started();
    let for_him = |reason: &str, witness: &str| {
        let mut p = seals();
        p["reason"] = json!(reason);
        p["witness"] = json!(witness);
        p
    };
    // No witness named: refused by field; a re-election is not the township's.
    let refused = h
        .act_as(Role::TownshipOfficer, "declare-for", for_him("absent", " "))
        .expect_err("no witness");
    assert_eq!(field_of(refused), "witness");
    let refused = h
        .act_as(
            Role::TownshipOfficer,
            "declare-for",
            for_him("reelected", "张三"),
        )
        .expect_err("not for the township");
    assert_eq!(field_of(refused), "reason");
    // Where a cadre left, the secretary cannot declare in his place.
    let refused = h
        .act_as(Role::Secretary, "declare-for", for_him("reelected", ""))
        .expect_err("a cadre left");
    assert!(matches!(refused, Rejection::Conflict(_)), "{refused:?}");
    let refused = h
        .act_as(
            Role::OutgoingCadre,
            "declare-for",
            for_him("absent", "张三"),
        )
        .expect_err("his own form is declare");
    assert!(matches!(refused, Rejection::Forbidden(_)), "{refused:?}");

    let declared = h
        .act_as(
            Role::TownshipOfficer,
            "declare-for",
            for_him("absent", "村务监督委员会主任 刘明"),
        )
        .expect("declared for him");
    let statement = &declared.signoffs[0].statement.zh;
    assert!(
        statement
            .contains("因离任干部外出，代为移交“公章印章”共 2 项，见证人：村务监督委员会主任 刘明"),
        "{statement}"
    );
    h.act_as(Role::Secretary, "confirm", json!({"item": "seals"}))
        .expect("received");
    h.act_as(Role::TownshipOfficer, "witness", json!({"item": "seals"}))
        .expect("supervised");
    let seals = &h.state().items[0];
    assert_eq!(seals.signatures(), 3);
    assert_eq!(
        seals.on_behalf.as_ref().map(|o| o.reason),
        Some(handover::Reason::Absent)
    );
    let view = h.view();
    assert!(
        view.data["items"][0]["on_behalf"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("外出"))
    );
}

/// 连任: nobody left, so the new secretary checks each item and the
/// township supervises; the handover finishes with no outgoing cadre.
#[test]
fn a_re_elected_committee_checks_itself_and_finishes() {
    let mut ctx = sample_context();
    ctx.outgoing.clear();
    let mut h = Harness::<Handover>::new(ctx);
    let started = h.start().expect("start");
    // Nobody waits on an outgoing cadre: each item waits on the secretary.
    assert!(
        started
            .awaiting
            .iter()
            .all(|a| a.what.zh.starts_with("自查申报")),
        "{:?}",
        started.awaiting
    );
    h.context_mut().actor = baton_sdk::testing::actor(Role::Secretary);
    assert_eq!(h.view().data["items"][0]["can_self_check"], true);
    for (key, _, _) in BUILT_IN_ITEMS {
        let checked = h
            .act_as(Role::Secretary, "declare-for", json!({"item": key, "reason": "reelected", "entries": [{"name": "x", "quantity": 1}]}))
            .expect("self-check");
        assert_eq!(checked.signoffs[0].subject, format!("{key}:self-check"));
        h.act_as(Role::TownshipOfficer, "witness", json!({"item": key}))
            .expect("supervised");
    }
    assert!(
        h.state().items.iter().all(|i| i.signatures() == 3),
        "complete"
    );
}

/// The villagers' committee's chair (主任, not the secretary) may receive
/// the seals and the accounts, and nothing else; a member who is not the
/// chair receives nothing.
#[test]
fn the_chair_receives_the_seals_and_the_accounts() {
    let mut ctx = sample_context();
    ctx.members.push(baton_sdk::Member {
        person_id: "p-member".into(),
        name: "李秀英".into(),
        committee: baton_sdk::Committee::Villagers,
        post: "主任".into(),
        one_shoulder: false,
    });
    let mut h = Harness::<Handover>::new(ctx);
    h.start().expect("start");
    for key in ["seals", "accounts", "archives"] {
        h.act_as(
            Role::OutgoingCadre,
            "declare",
            json!({"item": key, "entries": [{"name": "x", "quantity": 1}]}),
        )
        .expect("declared");
    }
    h.context_mut().actor = baton_sdk::testing::actor(Role::Member);
    let view = h.view();
    let can = |i: usize| view.data["items"][i]["can_confirm"] == true;
    assert!(
        can(0) && can(4) && !can(1),
        "the chair's forms: seals and accounts only"
    );
    assert_eq!(
        view.data["items"][0]["can_send_back"], false,
        "sending back is the secretary's"
    );
    h.act_as(Role::Member, "confirm", json!({"item": "accounts"}))
        .expect("the chair receives the accounts");
    let refused = h
        .act_as(Role::Member, "confirm", json!({"item": "archives"}))
        .expect_err("not the archives");
    assert!(matches!(refused, Rejection::Forbidden(_)), "{refused:?}");
    // Another member, not the chair: nothing.
    h.context_mut().members.retain(|m| m.post != "主任");
    let refused = h
        .act_as(Role::Member, "confirm", json!({"item": "seals"}))
        .expect_err("not the chair");
    assert!(matches!(refused, Rejection::Forbidden(_)), "{refused:?}");
}

#[test]
fn the_province_chooses_the_items_counties_list_and_the_audit_needs_its_report() {
    let mut ctx = sample_context();
    ctx.config = json!({"listed_items": ["debts", "contracts", "bank-seals", "open-issues", "audit"],
                        "extra_items": [{"key": "militia-equipment", "title": {"zh": "民兵器材", "en": "Militia equipment"}}]});
    let report = "a".repeat(64);
    ctx.attachments.push(baton_sdk::Attachment {
        id: report.clone(),
        name: "离任经济责任审计报告.pdf".into(),
        media_type: "application/pdf".into(),
        size: 120_000,
        uploaded_by: "p-outgoing".into(),
        uploaded_at: ctx.now,
    });
    let mut h = Harness::<Handover>::new(ctx.clone());
    assert_eq!(
        h.start().expect("start").progress.total,
        33,
        "11 items, 3 signatures each"
    );
    let titles: Vec<String> = h.state().items.iter().map(|i| i.title.zh.clone()).collect();
    assert_eq!(
        titles[5..],
        [
            "债权债务",
            "合同协议",
            "银行预留印鉴",
            "遗留问题",
            "离任经济责任审计结果",
            "民兵器材"
        ],
        "after the five, in the order chosen, then the province's own"
    );
    let audit = |photos: Vec<String>| json!({"item": "audit", "entries": [{"name": "审计报告", "quantity": 1}], "photos": photos});
    let refused = h
        .act_as(Role::OutgoingCadre, "declare", audit(Vec::new()))
        .expect_err("no report");
    assert_eq!(field_of(refused), "photos");
    h.act_as(Role::OutgoingCadre, "declare", audit(vec![report]))
        .expect("declared with the report");

    for (config, field) in [
        (
            json!({"listed_items": ["debts", "debts"]}),
            "config.listed_items.1",
        ),
        (json!({"listed_items": ["pensions"]}), "config.listed_items"),
        (
            json!({"extra_items": [{"key": "audit", "title": {"zh": "审计", "en": "Audit"}}]}),
            "config.extra_items.0.key",
        ),
    ] {
        ctx.config = config.clone();
        let r = Harness::<Handover>::new(ctx.clone())
            .start()
            .expect_err("refused");
        assert!(field_of(r).starts_with(field), "{config}");
    }
}
