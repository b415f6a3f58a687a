//! 开门一件事's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role};
use open_door::OpenDoor;
use serde_json::{Value, json};

fn started() -> Harness<OpenDoor> {
    let mut ctx = sample_context();
    ctx.config = json!({"household_target": 40});
    let mut h = Harness::<OpenDoor>::new(ctx);
    h.start().expect("starts");
    h
}

fn field_of(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn plan() -> Value {
    json!({"goals": ["村集体经济收入突破 20 万元"],
           "projects": [{"name": "修建产业路 2 公里", "start": "2026-03-01", "end": "2026-10-31"}]})
}

fn work() -> Value {
    json!({"kind": "work", "title": "建成柚子冷链仓库", "text": "年内建成并投入使用",
           "milestones": [{"title": "完成选址和审批", "due": "2026-04-30"},
                          {"title": "建成投用", "due": "2026-12-31"}]})
}

/// Visits, plan and the three commitments, published.
fn published() -> Harness<OpenDoor> {
    let mut h = started();
    h.act_as(
        Role::Member,
        "record-visits",
        json!({"date": "2025-12-20", "households": 25, "issues": ["灌溉水渠堵塞"]}),
    )
    .expect("visits");
    h.act_as(
        Role::Secretary,
        "record-visits",
        json!({"date": "2025-12-28", "households": 15}),
    )
    .expect("visits");
    h.act_as(Role::Secretary, "submit-plan", plan())
        .expect("plan");
    h.act_as(
        Role::Secretary,
        "commit",
        json!({"kind": "campaign", "title": "修通组道", "text": "兑现竞职时的承诺",
        "milestones": [{"title": "三组组道硬化", "due": "2026-06-30"}]}),
    )
    .expect("campaign");
    h.act_as(Role::Secretary, "commit", work()).expect("work");
    h.act_as(
        Role::Secretary,
        "commit",
        json!({"kind": "resignation", "title": "辞职承诺", "text": "如有以下情形,主动辞职",
        "conditions": ["年度考核不称职", "群众满意度测评低于 60%"]}),
    )
    .expect("resignation");
    let out = h
        .act_as(Role::Secretary, "publish", json!({}))
        .expect("publish");
    assert_eq!(out.signoffs[0].subject, "published");
    h
}

#[test]
fn visits_plan_commitments_published_then_every_milestone_verified() {
    let mut h = published();
    let p = OpenDoor::progress(&h.state());
    assert_eq!(
        (p.done, p.total),
        (6, 9),
        "six set-up steps, three milestones"
    );
    for (kind, m) in [("campaign", 0), ("work", 0), ("work", 1)] {
        h.act_as(
            Role::Member,
            "report",
            json!({"kind": kind, "milestone": m, "evidence": "照片和验收单已存档"}),
        )
        .expect("report");
        let out = h
            .act_as(
                Role::TownshipOfficer,
                "verify",
                json!({"kind": kind, "milestone": m}),
            )
            .expect("verify");
        assert_eq!(out.signoffs[0].subject, format!("verify:{kind}:{m}"));
    }
    assert!(OpenDoor::progress(&h.state()).is_complete());
}

#[test]
fn publishing_needs_the_visits_the_plan_and_all_three_commitments() {
    let mut h = started();
    h.act_as(
        Role::Secretary,
        "record-visits",
        json!({"date": "2025-12-20", "households": 10}),
    )
    .expect("visits");
    h.act_as(Role::Secretary, "commit", work()).expect("work");
    let early = h
        .act_as(Role::Secretary, "publish", json!({}))
        .expect_err("refused");
    match early {
        Rejection::Conflict(t) => {
            for needed in ["民情走访", "村庄发展规划", "竞职承诺", "辞职承诺"] {
                assert!(t.zh.contains(needed), "{needed} in {}", t.zh);
            }
            assert!(!t.zh.contains("干事承诺"), "{}", t.zh);
        }
        other => panic!("expected conflict, got {other:?}"),
    }
}

#[test]
fn bad_input_names_the_field_and_public_commitments_cannot_change() {
    let mut h = started();
    let zero = h
        .act_as(
            Role::Member,
            "record-visits",
            json!({"date": "2025-12-20", "households": 0}),
        )
        .expect_err("refused");
    assert_eq!(field_of(zero), "households");
    let mut backwards = plan();
    backwards["projects"][0]["end"] = json!("2026-01-31");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "submit-plan", backwards)
                .expect_err("refused")
        ),
        "projects.0.end"
    );
    let mut past = work();
    past["milestones"][1]["due"] = json!("2025-12-31");
    assert_eq!(
        field_of(
            h.act_as(Role::Secretary, "commit", past)
                .expect_err("refused")
        ),
        "milestones.1.due"
    );
    let no_conditions = h
        .act_as(
            Role::Secretary,
            "commit",
            json!({"kind": "resignation", "title": "辞职承诺", "text": "…"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(no_conditions), "conditions");
    let member = h
        .act_as(Role::Member, "commit", work())
        .expect_err("refused");
    assert!(matches!(member, Rejection::Forbidden(_)));
    let early = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "work", "milestone": 0, "evidence": "x"}),
        )
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)));

    let mut h = published();
    let late = h
        .act_as(Role::Secretary, "commit", work())
        .expect_err("refused");
    assert!(matches!(late, Rejection::Conflict(_)));
    let unreported = h
        .act_as(
            Role::TownshipOfficer,
            "verify",
            json!({"kind": "work", "milestone": 1}),
        )
        .expect_err("refused");
    assert!(matches!(unreported, Rejection::Conflict(_)));
    let resignation = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "resignation", "milestone": 0, "evidence": "x"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(resignation), "kind");
    let beyond = h
        .act_as(
            Role::Member,
            "report",
            json!({"kind": "work", "milestone": 5, "evidence": "x"}),
        )
        .expect_err("refused");
    assert_eq!(field_of(beyond), "milestone");
}

#[test]
fn the_public_sees_published_commitments_with_overdue_milestones_and_no_visit_notes() {
    let mut h = started();
    h.act_as(
        Role::Member,
        "record-visits",
        json!({"date": "2025-12-20", "households": 45, "issues": ["某户低保问题"]}),
    )
    .expect("visits");
    h.context_mut().actor = baton_sdk::testing::public();
    let before = h.view();
    assert_eq!(before.template, baton_sdk::PUBLIC_TEMPLATE);
    assert_eq!(before.data["published"], Value::Null);
    assert!(
        !before.data.to_string().contains("低保"),
        "visit notes stay private"
    );
    let mut h = published();
    h.context_mut().now += 200 * 86_400; // mid-July 2026: the April milestone has passed.
    h.context_mut().actor = baton_sdk::testing::public();
    let view = h.view();
    assert_eq!(view.template, "public");
    let text = view.data.to_string();
    assert!(
        text.contains("建成柚子冷链仓库") && !text.contains("灌溉水渠"),
        "{text}"
    );
    assert_eq!(
        view.data["overdue"],
        json!(2),
        "the April and June milestones"
    );
    assert_eq!(
        view.data["commitments"][1]["milestones"][0]["status"],
        "overdue"
    );
    h.context_mut().actor = baton_sdk::testing::actor(Role::Secretary);
    assert_eq!(h.view().template, "opening");
}

#[test]
fn progress_is_reported_with_photos_of_this_enrollment_only() {
    let mut h = published();
    let report = |photos: Value| json!({"kind": "work", "milestone": 0, "evidence": "冷库选址已获批", "photos": photos});
    let unknown = h
        .act_as(Role::Member, "report", report(json!(["f00d"])))
        .expect_err("a photo never uploaded");
    assert_eq!(field_of(unknown), "photos.0");
    h.context_mut().attachments.push(baton_sdk::Attachment {
        id: "f00d".into(),
        name: "选址批复.jpg".into(),
        media_type: "image/jpeg".into(),
        size: 48_213,
        uploaded_by: "p-secretary".into(),
        uploaded_at: 1_767_225_600,
    });
    h.act_as(Role::Member, "report", report(json!(["f00d"])))
        .expect("report with its photo");
    let state = h.state();
    let work = state
        .commitments
        .iter()
        .find(|c| c.kind == open_door::Kind::Work)
        .expect("work");
    assert_eq!(work.milestones[0].reports[0].photos, ["f00d"]);
}
