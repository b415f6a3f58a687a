//! The course's rules, natively through the SDK harness.

use baton_sdk::testing::{Harness, sample_context};
use baton_sdk::{Module, Rejection, Role};
use first_lesson::FirstLesson;
use serde_json::{Value, json};

/// The default course: three lessons; answers [0], [0], [0, 1, 2]; pass 60; 3 attempts.
const RIGHT: [&[usize]; 3] = [&[0], &[0], &[0, 1, 2]];

fn started() -> Harness<FirstLesson> {
    let mut h = Harness::<FirstLesson>::new(sample_context());
    h.start().expect("the default course starts");
    h
}

fn read_all(h: &mut Harness<FirstLesson>) {
    for lesson in 0..3 {
        h.act_as(Role::Secretary, "read", json!({"lesson": lesson}))
            .expect("read");
    }
}

fn fields(r: Rejection) -> Vec<String> {
    match r {
        Rejection::Invalid(f) => f.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn lessons_in_order_then_a_failed_and_a_passed_quiz() {
    let mut h = started();
    let skip = h
        .act_as(Role::Secretary, "read", json!({"lesson": 1}))
        .expect_err("refused");
    assert!(matches!(skip, Rejection::Conflict(_)), "{skip:?}");
    let early = h
        .act_as(Role::Secretary, "submit", json!({"answers": RIGHT}))
        .expect_err("refused");
    assert!(matches!(early, Rejection::Conflict(_)), "{early:?}");
    read_all(&mut h);
    let p = FirstLesson::progress(&h.state());
    assert_eq!((p.done, p.total), (3, 4));
    // One right of three: 33 < 60.
    let out = h
        .act_as(
            Role::Secretary,
            "submit",
            json!({"answers": [[1], [0], [0, 1]]}),
        )
        .expect("a failed attempt is recorded");
    assert!(!out.progress.is_complete());
    assert_eq!(h.state().attempts[0].score, 33);
    let out = h
        .act_as(
            Role::Secretary,
            "submit",
            json!({"answers": [[0], [0], [2, 1, 0]]}),
        )
        .expect("pass");
    assert!(out.progress.is_complete());
    assert_eq!(out.signoffs[0].subject, "passed");
    assert!(out.signoffs[0].statement.zh.contains("100 分"));
    let again = h
        .act_as(Role::Secretary, "submit", json!({"answers": RIGHT}))
        .expect_err("refused");
    assert!(matches!(again, Rejection::Conflict(_)));
}

#[test]
fn answers_stay_out_of_the_view_until_passed_or_out_of_attempts() {
    let mut h = started();
    read_all(&mut h);
    let before = h.view().data.to_string();
    assert!(!before.contains("\"correct\":true"), "{before}");
    assert!(!before.contains("\"correct\":false"), "{before}");
    for _ in 0..3 {
        h.act_as(Role::Member, "submit", json!({"answers": [[1], [1], [3]]}))
            .expect("a failed attempt");
    }
    let after = h.view().data;
    assert_eq!(after["reveal"], json!(true));
    assert_eq!(after["questions"][0]["options"][0]["correct"], json!(true));
    assert_eq!(after["questions"][0]["right"], json!(false));
    let out = h
        .act_as(Role::Member, "submit", json!({"answers": RIGHT}))
        .expect_err("refused");
    assert!(matches!(out, Rejection::Conflict(_)), "out of attempts");
    // The township allows one more; the learner passes.
    let learner = h
        .act_as(Role::Member, "grant-attempt", json!({"reason": "x"}))
        .expect_err("refused");
    assert!(matches!(learner, Rejection::Forbidden(_)));
    h.act_as(
        Role::TownshipOfficer,
        "grant-attempt",
        json!({"reason": "补考"}),
    )
    .expect("grant");
    h.act_as(Role::Member, "submit", json!({"answers": RIGHT}))
        .expect("pass");
}

#[test]
fn every_unanswered_or_impossible_answer_is_named() {
    let mut h = started();
    read_all(&mut h);
    let err = h
        .act_as(
            Role::Secretary,
            "submit",
            json!({"answers": [[], [0, 1], [9]]}),
        )
        .expect_err("refused");
    assert_eq!(fields(err), ["answers.0", "answers.1", "answers.2"]);
    let err = h
        .act_as(Role::Secretary, "submit", json!({"answers": [[0]]}))
        .expect_err("refused");
    assert_eq!(fields(err), ["answers.1", "answers.2"]);
    assert!(
        h.state().attempts.is_empty(),
        "a refused submission is not an attempt"
    );
    let err = h
        .act_as(Role::Secretary, "read", json!({"lesson": 7}))
        .expect_err("refused");
    assert_eq!(fields(err), ["lesson"]);
}

#[test]
fn a_province_course_is_checked_before_it_runs() {
    let course = |questions: Value| {
        json!({"title": {"zh": "湖南新春第一课", "en": ""},
               "lessons": [{"title": {"zh": "党课", "en": ""}, "body": {"zh": "……", "en": ""}, "media": "ftp://x"}],
               "questions": questions, "pass_mark": 0, "attempts": 1})
    };
    let mut ctx = sample_context();
    ctx.config = course(json!([
        {"prompt": {"zh": "题", "en": ""}, "options": [{"zh": "甲", "en": ""}], "answer": [0]},
        {"prompt": {"zh": "题", "en": ""}, "options": [{"zh": "甲", "en": ""}, {"zh": "乙", "en": ""}], "answer": [0, 1]}
    ]));
    let err = Harness::<FirstLesson>::new(ctx)
        .start()
        .expect_err("refused");
    assert_eq!(
        fields(err),
        [
            "config.lessons.0.media",
            "config.questions.0.options",
            "config.questions.1.answer",
            "config.pass_mark"
        ]
    );
    let mut ctx = sample_context();
    ctx.config = course(json!([
        {"prompt": {"zh": "题", "en": ""}, "options": [{"zh": "甲", "en": ""}, {"zh": "乙", "en": ""}], "answer": [1]}
    ]));
    ctx.config["pass_mark"] = json!(100);
    ctx.config["lessons"][0]["media"] = json!("https://example.org/v.mp4");
    ctx.locale = baton_sdk::Locale::En;
    let mut h = Harness::<FirstLesson>::new(ctx);
    h.start().expect("a Chinese-only course starts");
    assert_eq!(
        h.view().data["title"],
        "湖南新春第一课",
        "English falls back to Chinese"
    );
}

/// A course with two classes of 2 hours, lessons of 1 hour, 6 hours to pass.
fn classes() -> Harness<FirstLesson> {
    let mut ctx = sample_context();
    let t = |zh: &str| json!({"zh": zh});
    ctx.config = json!({
        "title": t("示范培训班"),
        "lessons": ([t("一"), t("二"), t("三")].map(|title| json!({"title": title, "body": t("课文"), "hours": 1}))),
        "questions": [{"prompt": t("题"), "options": [t("甲"), t("乙")], "answer": [0]}],
        "pass_mark": 60, "attempts": 2,
        "sessions": [
            {"title": t("开班式"), "date": "2099-03-01", "place": "县委党校", "hours": 2},
            {"title": t("现场教学"), "date": "2099-03-02", "place": "明月村", "hours": 2}
        ],
        "pass_hours": 6, "check_in_key": "liangping-2099"
    });
    // The morning of the first class, Beijing time.
    ctx.now = FIRST_CLASS_MORNING;
    let mut h = Harness::<FirstLesson>::new(ctx);
    h.start().expect("the course starts");
    h
}

/// 2099-03-01 10:00 Beijing time (02:00 UTC).
const FIRST_CLASS_MORNING: i64 = 4_076_013_600;

/// The code the trainer's screen shows at `now`.
fn code_at(h: &mut Harness<FirstLesson>, now: i64) -> String {
    let before = h.context_mut().now;
    h.context_mut().now = now;
    let code = view_as(h, Role::CountyTrainer).data["sessions"][0]["code"]
        .as_str()
        .expect("the trainer sees the code")
        .to_owned();
    h.context_mut().now = before;
    code
}

#[test]
fn a_check_in_code_is_good_on_the_class_day_for_minutes() {
    let mut h = classes();
    let now = FIRST_CLASS_MORNING;
    // The code changes every ten minutes; the one before still works.
    let (earlier, current) = (code_at(&mut h, now - 600), code_at(&mut h, now));
    assert_ne!(earlier, current, "a new code every ten minutes");
    let stale = code_at(&mut h, now - 1200);
    let refused = h
        .act_as(
            Role::Secretary,
            "check-in",
            json!({"session": 0, "code": stale}),
        )
        .expect_err("a code from twenty minutes ago");
    assert_eq!(fields(refused), ["code"]);
    h.act_as(
        Role::Secretary,
        "check-in",
        json!({"session": 0, "code": earlier}),
    )
    .expect("the code of the ten minutes before");
    // The day before the class, even the code of that moment is refused.
    let mut h = classes();
    let eve = now - 86_400;
    let code = code_at(&mut h, eve);
    h.context_mut().now = eve;
    let refused = h
        .act_as(
            Role::Secretary,
            "check-in",
            json!({"session": 0, "code": code}),
        )
        .expect_err("not on the class's day");
    match refused {
        Rejection::Invalid(f) => assert!(f[0].message.zh.contains("开课当天"), "{f:?}"),
        other => panic!("expected invalid, got {other:?}"),
    }
}

/// The view as someone in `role` sees it.
fn view_as(h: &mut Harness<FirstLesson>, role: Role) -> baton_sdk::View {
    let before = h.context_mut().actor.clone();
    h.context_mut().actor = baton_sdk::testing::actor(role);
    let view = h.view();
    h.context_mut().actor = before;
    view
}

#[test]
fn classes_are_checked_in_by_code_or_marked_and_the_hours_decide_the_pass() {
    let mut h = classes();
    // The trainer sees each class's code and the link its QR carries; the learner never does.
    let staff = view_as(&mut h, Role::CountyTrainer);
    let code = staff.data["sessions"][0]["code"]
        .as_str()
        .expect("the trainer sees the code")
        .to_owned();
    assert_eq!(code.len(), 6);
    assert_eq!(
        staff.data["sessions"][0]["url"],
        format!("/checkin?module=first-lesson&session=0&code={code}")
    );
    let second = staff.data["sessions"][1]["code"].as_str().expect("code");
    assert_ne!(code, second, "each class has its own code");
    let mine = h.view();
    assert!(
        mine.data["sessions"][0]["code"].is_null() && !mine.data.to_string().contains(&code),
        "no code in the learner's view"
    );
    let wrong = h
        .act_as(
            Role::Secretary,
            "check-in",
            json!({"session": 0, "code": second}),
        )
        .expect_err("another class's code");
    assert_eq!(fields(wrong), ["code"]);
    let out = h
        .act_as(
            Role::Secretary,
            "check-in",
            json!({"session": 0, "code": code}),
        )
        .expect("checked in");
    assert!(!out.progress.is_complete());
    let twice = h
        .act_as(
            Role::Secretary,
            "check-in",
            json!({"session": 0, "code": code}),
        )
        .expect_err("once");
    assert!(matches!(twice, Rejection::Conflict(_)));
    let marked = h
        .act_as(
            Role::Secretary,
            "mark",
            json!({"session": 1, "present": true}),
        )
        .expect_err("a learner cannot mark");
    assert!(matches!(marked, Rejection::Forbidden(_)));
    for lesson in 0..3 {
        h.act_as(Role::Secretary, "read", json!({"lesson": lesson}))
            .expect("read");
    }
    let out = h
        .act_as(Role::Secretary, "submit", json!({"answers": [[0]]}))
        .expect("passed");
    // The quiz is passed, but 5 hours are not 6.
    assert_eq!(h.state().hours, 5.0);
    assert!(!out.progress.is_complete());
    assert_eq!(h.view().data["study"]["passed"], false);
    let out = h
        .act_as(
            Role::CountyTrainer,
            "mark",
            json!({"session": 1, "present": true}),
        )
        .expect("the trainer marks the second class");
    assert!(out.progress.is_complete());
    let study = h.view().data["study"].clone();
    assert_eq!(study["hours"], 7.0);
    assert_eq!(study["passed"], true);
    assert_eq!(study["course"], "示范培训班");
    // Marked absent again: the hours and the pass go with it.
    let out = h
        .act_as(
            Role::CountyTrainer,
            "mark",
            json!({"session": 1, "present": false}),
        )
        .expect("absent");
    assert!(!out.progress.is_complete());
}

#[test]
fn a_course_with_classes_needs_a_secret_real_dates_and_reachable_hours() {
    let mut ctx = sample_context();
    let t = |zh: &str| json!({"zh": zh});
    ctx.config = json!({
        "title": t("示范培训班"),
        "lessons": [{"title": t("一"), "body": t("课文"), "hours": 1}],
        "questions": [{"prompt": t("题"), "options": [t("甲"), t("乙")], "answer": [0]}],
        "pass_mark": 60, "attempts": 2,
        "sessions": [{"title": t("开班式"), "date": "3月1日", "place": "", "hours": 200}],
        "pass_hours": 500, "check_in_key": "short"
    });
    let err = Harness::<FirstLesson>::new(ctx)
        .start()
        .expect_err("refused");
    assert_eq!(
        fields(err),
        [
            "config.sessions.0.date",
            "config.sessions.0.place",
            "config.sessions.0.hours",
            "config.pass_hours",
            "config.check_in_key"
        ]
    );
}

#[test]
fn the_result_is_said_at_the_top_and_each_unanswered_question_by_number() {
    let mut h = started();
    read_all(&mut h);
    let err = h
        .act_as(Role::Secretary, "submit", json!({"answers": [[0]]}))
        .expect_err("refused");
    let Rejection::Invalid(errors) = err else {
        panic!("invalid")
    };
    let said: Vec<&str> = errors.iter().map(|e| e.message.zh.as_str()).collect();
    assert_eq!(said, ["第 2 题未作答", "第 3 题未作答"]);
    // A failed attempt: not passed, its score and the attempts left, at the top.
    h.act_as(
        Role::Secretary,
        "submit",
        json!({"answers": [[1], [1], [3]]}),
    )
    .expect("an attempt");
    let view = h.view();
    assert_eq!(view.data["last"]["passed"], json!(false), "{}", view.data);
    assert_eq!(view.data["last"]["number"], json!(1));
    assert!(view.data["last"]["score"].as_u64().is_some());
    // The built-in course's multiple-choice prompt says （多选） already.
    let multiple: Vec<&Value> = view.data["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter(|q| q["multiple"] == json!(true))
        .collect();
    assert!(!multiple.is_empty());
    for q in multiple {
        let says = q["prompt"].as_str().unwrap_or("").contains("多选");
        assert_eq!(q["say_multiple"], json!(!says), "{q}");
    }
}
