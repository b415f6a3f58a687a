//! Every built-in module driven through the host's acting endpoint, on the
//! demo village, as the right and the wrong actors: the real router, the
//! modules compiled to wasm, a real database (SQLite, and PostgreSQL when
//! `DATABASE_URL` is set). Each goes to 100% and is refused at least three
//! times with the field or reason it names.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_core::db::accounts::{self, NewAccount};
use baton_core::db::people;
use baton_host::demo::VILLAGE;
use baton_sdk::Role;
use baton_tests::api::{Api, Reply};
use baton_tests::per_backend;
use serde_json::{Value, json};

/// One enrollment, acted in with a fresh idempotency key per call.
struct Run<'a> {
    api: &'a Api,
    enrollment: i64,
    keys: std::cell::Cell<u32>,
}

impl<'a> Run<'a> {
    async fn new(api: &'a Api, module: &str) -> Self {
        let nation = api.token("nation").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, module).await;
        Self::of(api, enrollment)
    }

    fn of(api: &'a Api, enrollment: i64) -> Self {
        Self {
            api,
            enrollment,
            keys: std::cell::Cell::new(0),
        }
    }

    async fn act(&self, token: &str, action: &str, payload: Value) -> Reply {
        let n = self.keys.get() + 1;
        self.keys.set(n);
        self.api
            .act(token, self.enrollment, &format!("k{n}"), action, payload)
            .await
    }

    /// Accepted: the enrollment's progress after it, as (done, total).
    async fn ok(&self, token: &str, action: &str, payload: Value) -> (i64, i64) {
        let reply = self.act(token, action, payload).await;
        let body = reply.json();
        assert_eq!(reply.status, StatusCode::OK, "{action}: {body}");
        let e = &body["enrollment"];
        (
            e["done"].as_i64().expect("done"),
            e["total"].as_i64().expect("total"),
        )
    }

    /// Refused by the module with `kind`; for `invalid`, the first field must be `field`.
    async fn refused(&self, token: &str, action: &str, payload: Value, kind: &str, field: &str) {
        let reply = self.act(token, action, payload).await;
        let body = reply.json();
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action}: {body}"
        );
        assert_eq!(body["kind"], kind, "{action}: {body}");
        if kind == "invalid" {
            assert_eq!(body["fields"][0]["field"], field, "{action}: {body}");
        }
    }

    /// The module's view of the enrollment for the holder of `token`.
    async fn view(&self, token: &str) -> Value {
        let reply = self
            .api
            .get(token, &format!("/api/v1/enrollments/{}", self.enrollment))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json()
    }
}

/// The demo village's people by name, as the modules know them.
async fn person(api: &Api, name: &str) -> String {
    let (_, members, outgoing) = people::village(&api.state.db, VILLAGE, "")
        .await
        .expect("roster");
    members
        .iter()
        .map(|m| (&m.name, &m.person_id))
        .chain(outgoing.iter().map(|o| (&o.name, &o.person_id)))
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, id)| id.clone())
        .unwrap_or_else(|| panic!("{name} is not on the demo roster"))
}

/// A signed-in token for a demo cadre who has no demo login.
async fn sign_in_as(api: &Api, name: &str, role: Role) -> String {
    let id: i64 = person(api, name).await.parse().expect("numeric person id");
    let now = baton_host::clock::now();
    let account = accounts::create(
        &api.state.db,
        &NewAccount {
            username: name,
            password_hash: "unused",
            display_name: name,
            person_id: Some(id),
            grants: &[(role, Some(VILLAGE))],
        },
        now,
    )
    .await
    .expect("account");
    accounts::open_session(&api.state.db, account, now)
        .await
        .expect("session")
}

/// Today in Beijing, as the modules count days.
fn today() -> String {
    baton_sdk::format_date(baton_host::clock::now() + 8 * 3600)
}

per_backend! {
    async fn visits_reach_every_outgoing_cadre_and_the_township_confirms(test: TestDb) {
        let api = Api::new(&test).await;
        let run = Run::new(&api, "visits").await;
        let (secretary, member, township, outgoing, county) = (
            api.token("secretary").await,
            api.token("member").await,
            api.token("township").await,
            api.token("outgoing").await,
            api.token("county").await,
        );
        let old = person(&api, "王德福").await;
        let defeated = person(&api, "赵国平").await;
        let talk = |who: &str| {
            json!({"person": who, "date": today(), "visitors": ["张建国"],
                   "discussed": "身体和生活情况", "follow_ups": ["协助办理医保"]})
        };
        // Wrong actors and bad input: nothing changes.
        run.refused(&outgoing, "log-talk", talk(&old), "forbidden", "")
            .await;
        run.refused(&township, "confirm", json!({}), "conflict", "")
            .await;
        run.refused(
            &secretary,
            "log-talk",
            json!({"person": old, "date": "2099-01-01", "visitors": ["张建国"], "discussed": "x"}),
            "invalid",
            "date",
        )
        .await;
        run.refused(
            &member,
            "record-subsidy",
            json!({"person": old, "applied": true}),
            "forbidden",
            "",
        )
        .await;
        run.refused(
            &secretary,
            "record-subsidy",
            json!({"person": defeated, "applied": true}),
            "invalid",
            "person",
        )
        .await;
        let reply = run.act(&county, "log-talk", talk(&old)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "a county trainer only watches"
        );

        assert_eq!(run.ok(&secretary, "log-talk", talk(&old)).await, (1, 4));
        assert_eq!(run.ok(&member, "log-talk", talk(&defeated)).await, (2, 4));
        let view = run.view(&township).await;
        assert_eq!(
            view["view"]["data"]["people"][0]["missing"],
            json!(["subsidy"])
        );
        assert!(view["html"].as_str().is_some_and(|h| h.contains("王德福")));
        run.ok(
            &township,
            "record-subsidy",
            json!({"person": old, "applied": true, "note": "已报区民政局"}),
        )
        .await;
        assert_eq!(
            run.ok(&township, "confirm", json!({"remarks": "全覆盖"}))
                .await,
            (4, 4)
        );
        let signoffs = run.view(&secretary).await["signoffs"]
            .as_array()
            .map(Vec::len);
        assert_eq!(
            signoffs,
            Some(3),
            "two talks and the confirmation are signed"
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn the_first_lesson_is_read_in_order_failed_then_passed_without_leaking_answers(test: TestDb) {
        let api = Api::new(&test).await;
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        let own = mine
            .as_array()
            .and_then(|m| m.iter().find(|e| e["module"] == "first-lesson"))
            .and_then(|e| e["id"].as_i64())
            .expect("the secretary's own course");
        let run = Run::of(&api, own);
        // The course's config and each action's payload are documented as JSON Schemas.
        let modules = api.get(&secretary, "/api/v1/modules").await.json();
        let course = modules
            .as_array()
            .and_then(|m| m.iter().find(|m| m["id"] == "first-lesson"))
            .expect("listed");
        let info = &course["info"];
        assert!(
            info["config_schema"]["properties"]["pass_mark"].is_object(),
            "{info}"
        );
        let submit = info["actions"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["name"] == "submit"))
            .expect("submit");
        assert!(
            submit["payload_schema"]["properties"]["answers"].is_object(),
            "{submit}"
        );
        let member = api.token("member").await;
        let reply = run.act(&member, "read", json!({"lesson": 0})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "someone else's course");
        run.refused(&secretary, "read", json!({"lesson": 1}), "conflict", "")
            .await;
        run.refused(
            &secretary,
            "submit",
            json!({"answers": [[0], [0], [0, 1, 2]]}),
            "conflict",
            "",
        )
        .await;
        for lesson in 0..3 {
            run.ok(&secretary, "read", json!({"lesson": lesson})).await;
        }
        run.refused(
            &secretary,
            "submit",
            json!({"answers": [[0], [0, 1]]}),
            "invalid",
            "answers.1",
        )
        .await;
        let shown = run.view(&secretary).await;
        let text = shown["view"].to_string() + shown["html"].as_str().unwrap_or_default();
        assert!(
            !text.contains("\"correct\":true") && !text.contains("正确答案"),
            "answers leaked: {text}"
        );
        assert_eq!(
            run.ok(&secretary, "submit", json!({"answers": [[1], [0], [0]]}))
                .await,
            (3, 4)
        );
        assert_eq!(
            run.ok(
                &secretary,
                "submit",
                json!({"answers": [[0], [0], [2, 0, 1]]})
            )
            .await,
            (4, 4)
        );
        let shown = run.view(&secretary).await;
        assert!(
            shown["html"]
                .as_str()
                .is_some_and(|h| h.contains("正确答案")),
            "revealed once passed"
        );
        test.cleanup().await;
    }
}

/// How many completed, as the 30-day completion chart on `/county` (the
/// holder's own unit, or the nation) says: “…目前 3%（1 / 33）”.
async fn charted(api: &Api, token: &str) -> i64 {
    charted_of(api, token).await.0
}

/// The chart's “（done / enrolled）”.
async fn charted_of(api: &Api, token: &str) -> (i64, i64) {
    let page = api
        .send(
            axum::http::Request::get("/county")
                .header(axum::http::header::COOKIE, format!("baton_session={token}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    let html = String::from_utf8_lossy(&page.body);
    let chart = &html[html.find("class=\"chart\"").expect("the chart")..];
    let label = &chart[chart.find("（").expect("the counts") + "（".len()..];
    let (done, rest) = label.split_once(" / ").expect("done / enrolled");
    let enrolled = &rest[..rest.find('）').expect("the closing bracket")];
    (
        done.parse().expect("a count"),
        enrolled.parse().expect("a count"),
    )
}

per_backend! {
    async fn the_secretary_divides_the_work_and_a_change_reopens_it(test: TestDb) {
        let api = Api::new(&test).await;
        let run = Run::new(&api, "duties").await;
        let (secretary, member, township) = (
            api.token("secretary").await,
            api.token("member").await,
            api.token("township").await,
        );
        let ids = [
            person(&api, "张建国").await,
            person(&api, "李秀英").await,
            person(&api, "刘志强").await,
            person(&api, "陈桂兰").await,
        ];
        let assign = |who: &str, posts: &[&str]| json!({"person": who, "posts": posts, "responsibilities": "负责分管岗位的日常工作"});
        run.refused(
            &member,
            "assign",
            assign(&ids[1], &["finance"]),
            "forbidden",
            "",
        )
        .await;
        run.refused(
            &secretary,
            "assign",
            assign(&ids[1], &["banquets"]),
            "invalid",
            "posts.0",
        )
        .await;
        run.refused(&township, "acknowledge", json!({}), "conflict", "")
            .await;
        run.ok(&secretary, "assign", assign(&ids[0], &["organisation"]))
            .await;
        let reply = run.act(&secretary, "sign", json!({})).await;
        let body = reply.json();
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&format!("members.{}", ids[1]).as_str()),
            "{body}"
        );
        assert!(fields.contains(&"posts.discipline"), "{body}");
        run.ok(
            &secretary,
            "assign",
            assign(&ids[1], &["discipline", "women"]),
        )
        .await;
        run.ok(
            &secretary,
            "assign",
            assign(&ids[2], &["mediation", "militia"]),
        )
        .await;
        run.ok(
            &secretary,
            "assign",
            assign(&ids[3], &["public-security", "finance"]),
        )
        .await;
        assert_eq!(run.ok(&secretary, "sign", json!({})).await, (5, 6));
        assert_eq!(run.ok(&township, "acknowledge", json!({})).await, (6, 6));
        // The completion charts count it, from the county up to the nation.
        let (county, nation) = (api.token("county").await, api.token("nation").await);
        assert_eq!((charted(&api, &county).await, charted(&api, &nation).await), (1, 1));
        // Of every enrollment under the unit: the county's, the nation's all.
        let under_county = api
            .count(&format!(
                "SELECT COUNT(*) FROM enrollments e JOIN org_units u ON u.code = e.unit_code
                 WHERE u.path LIKE '%/{}/%'",
                baton_host::demo::COUNTY
            ))
            .await;
        let everywhere = api.count("SELECT COUNT(*) FROM enrollments").await;
        assert!(0 < under_county && under_county < everywhere, "{under_county} of {everywhere}");
        assert_eq!(
            (charted_of(&api, &county).await.1, charted_of(&api, &nation).await.1),
            (under_county, everywhere)
        );
        // A change after the sign-off reopens the division and is logged.
        assert_eq!(
            run.ok(&secretary, "assign", assign(&ids[2], &["mediation"]))
                .await,
            (4, 6)
        );
        let view = run.view(&secretary).await;
        assert_eq!(
            view["view"]["data"]["changes"].as_array().map(Vec::len),
            Some(1)
        );
        assert_eq!((charted(&api, &county).await, charted(&api, &nation).await), (0, 0), "reopened");
        run.ok(&secretary, "sign", json!({})).await;
        assert_eq!(run.ok(&township, "acknowledge", json!({})).await, (6, 6));
        assert_eq!((charted(&api, &county).await, charted(&api, &nation).await), (1, 1));
        // The signed division is 公示 on the village's public page, to anyone.
        let public = api
            .send(Request::get(format!("/public/villages/{VILLAGE}/duties")).body(Body::empty()).expect("request"))
            .await;
        assert_eq!(public.status, StatusCode::OK);
        let html = String::from_utf8_lossy(&public.body);
        assert!(html.contains("分工公示") && html.contains("李秀英") && html.contains("纪检委员"), "{html}");
        test.cleanup().await;
    }
}

per_backend! {
    async fn open_door_commitments_are_published_for_villagers_and_verified(test: TestDb) {
        let api = Api::new(&test).await;
        let run = Run::new(&api, "open-door").await;
        let (secretary, member, township) = (
            api.token("secretary").await,
            api.token("member").await,
            api.token("township").await,
        );
        let public = format!("/public/villages/{VILLAGE}/open-door");
        let anonymous = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
        let before = api.send(anonymous(&public)).await;
        assert_eq!(before.status, StatusCode::OK);
        assert!(String::from_utf8_lossy(&before.body).contains("尚未公开"));
        let other = api
            .send(anonymous(&format!("/public/villages/{VILLAGE}/handover")))
            .await;
        assert_eq!(
            other.status,
            StatusCode::NOT_FOUND,
            "the handover has no public page"
        );

        run.refused(&secretary, "publish", json!({}), "conflict", "")
            .await;
        run.refused(
            &member,
            "submit-plan",
            json!({"goals": ["x"], "projects": []}),
            "forbidden",
            "",
        )
        .await;
        run.refused(
            &member,
            "record-visits",
            json!({"date": today(), "households": 0}),
            "invalid",
            "households",
        )
        .await;
        let commit = |kind: &str, due: &str| {
            json!({"kind": kind, "title": format!("{kind} 承诺"), "text": "全文",
                   "milestones": [{"title": "第一阶段", "due": due}]})
        };
        run.refused(
            &secretary,
            "commit",
            commit("work", "2020-01-01"),
            "invalid",
            "milestones.0.due",
        )
        .await;

        run.ok(
            &member,
            "record-visits",
            json!({"date": today(), "households": 32, "issues": ["路灯不亮"]}),
        )
        .await;
        run.ok(
            &secretary,
            "submit-plan",
            json!({"goals": ["发展柚子产业"],
            "projects": [{"name": "修建冷库", "start": "2027-03-01", "end": "2027-10-31"}]}),
        )
        .await;
        run.ok(&secretary, "commit", commit("campaign", "2030-06-30"))
            .await;
        run.ok(&secretary, "commit", commit("work", "2030-12-31"))
            .await;
        run.ok(
            &secretary,
            "commit",
            json!({"kind": "resignation", "title": "辞职承诺", "text": "全文",
            "conditions": ["年度考核不称职"]}),
        )
        .await;
        assert_eq!(run.ok(&secretary, "publish", json!({})).await, (6, 8));
        let page = api.send(anonymous(&public)).await;
        let html = String::from_utf8_lossy(&page.body);
        assert!(
            html.contains("work 承诺") && html.contains("年度考核不称职"),
            "{html}"
        );
        assert!(
            !html.contains("路灯不亮"),
            "visit notes stay private: {html}"
        );
        let en = api.send(anonymous(&format!("{public}?locale=en"))).await;
        assert!(String::from_utf8_lossy(&en.body).contains("Resignation commitment"));
        // The notice board's A4 poster, linked from the committee's page,
        // with a QR code back to the public page.
        let committee = run.view(&secretary).await;
        // (handlebars writes `=` in an attribute as `&#x3D;`, which the browser reads back.)
        assert!(committee["html"].as_str().unwrap_or_default().contains(&format!("{public}?poster&#x3D;1")), "{committee}");
        let poster = api.send(anonymous(&format!("{public}?poster=1"))).await;
        assert_eq!(poster.status, StatusCode::OK);
        let poster = String::from_utf8_lossy(&poster.body);
        assert!(poster.contains("村务公开") && poster.contains("work 承诺"), "{poster}");
        assert!(poster.contains("<svg") && poster.contains(baton_host::assets::CSS_HREF.as_str()), "{poster}");

        run.refused(
            &township,
            "verify",
            json!({"kind": "work", "milestone": 0}),
            "conflict",
            "",
        )
        .await;
        // Evidence with a photo of it: one uploaded to this enrollment, not another's.
        let photo = api.upload(&member, run.enrollment, "冷库验收.png", baton_tests::png(80, 60)).await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.json());
        let photo = photo.json()["id"].as_str().expect("id").to_owned();
        run.refused(
            &member,
            "report",
            json!({"kind": "campaign", "milestone": 0, "evidence": "x", "photos": ["0000"]}),
            "invalid",
            "photos.0",
        )
        .await;
        for kind in ["campaign", "work"] {
            run.ok(
                &member,
                "report",
                json!({"kind": kind, "milestone": 0, "evidence": "验收照片已存档", "photos": [photo]}),
            )
            .await;
            run.ok(&township, "verify", json!({"kind": kind, "milestone": 0}))
                .await;
        }
        let view = run.view(&township).await;
        assert_eq!(view["enrollment"]["status"], "completed", "{view}");
        let page = api
            .send(
                Request::get(format!("/enrollments/{}", run.enrollment))
                    .header(axum::http::header::COOKIE, format!("baton_session={township}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        let page = String::from_utf8_lossy(&page.body);
        let thumbnail = format!("/enrollments/{}/attachments/{photo}", run.enrollment);
        assert!(page.contains(&thumbnail), "the township sees the photo beside the report: {page}");
        test.cleanup().await;
    }
}

per_backend! {
    async fn every_cadre_swears_in_and_confirms_including_a_make_up_oath(test: TestDb) {
        let api = Api::new(&test).await;
        let run = Run::new(&api, "swearing-in").await;
        let (secretary, member, township, outgoing) = (
            api.token("secretary").await,
            api.token("member").await,
            api.token("township").await,
            api.token("outgoing").await,
        );
        let liu = sign_in_as(&api, "刘志强", Role::Member).await;
        let chen = sign_in_as(&api, "陈桂兰", Role::Member).await;
        run.refused(
            &secretary,
            "schedule",
            json!({"date": today(), "place": "村委会"}),
            "forbidden",
            "",
        )
        .await;
        run.refused(
            &township,
            "record-attendance",
            json!({"person": "1", "present": true}),
            "conflict",
            "",
        )
        .await;
        run.refused(
            &township,
            "schedule",
            json!({"date": "明天", "place": "村委会"}),
            "invalid",
            "date",
        )
        .await;
        run.ok(
            &township,
            "schedule",
            json!({"date": today(), "place": "礼让镇党群服务中心"}),
        )
        .await;
        run.refused(&secretary, "confirm", json!({}), "conflict", "")
            .await;
        // An outgoing cadre reaches only the handover and the visits: the
        // host refuses before the module is asked.
        let reply = run.act(&outgoing, "confirm", json!({})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.json());
        for (name, present) in [
            ("张建国", true),
            ("李秀英", true),
            ("刘志强", true),
            ("陈桂兰", false),
        ] {
            let id = person(&api, name).await;
            run.ok(
                &township,
                "record-attendance",
                json!({"person": id, "present": present, "reason": "外出务工"}),
            )
            .await;
        }
        for token in [&secretary, &member, &liu] {
            run.ok(token, "confirm", json!({})).await;
        }
        run.refused(&chen, "confirm", json!({}), "conflict", "")
            .await;
        let chen_id = person(&api, "陈桂兰").await;
        run.ok(
            &township,
            "record-attendance",
            json!({"person": chen_id, "present": true}),
        )
        .await;
        assert_eq!(run.ok(&chen, "confirm", json!({})).await, (9, 9));
        let signoffs = run.view(&township).await["signoffs"]
            .as_array()
            .map(Vec::len);
        assert_eq!(signoffs, Some(4), "each cadre signs their oath");
        test.cleanup().await;
    }
}

per_backend! {
    async fn every_cadre_signs_the_pledge_and_the_county_files_the_secretary(test: TestDb) {
        let api = Api::new(&test).await;
        let run = Run::new(&api, "pledge").await;
        let (secretary, member, township, county, city) = (
            api.token("secretary").await,
            api.token("member").await,
            api.token("township").await,
            api.token("county").await,
            api.token("city").await,
        );
        let filing = json!({"passed": true, "departments": "纪检、组织、政法、公安", "filed_on": today()});
        run.refused(&secretary, "sign", json!({}), "invalid", "agree").await;
        // The county acts here (the module names it as its reviewer); the
        // township's act reaches the module, which refuses it; the city is
        // not a reviewer of this module, so the host refuses it.
        run.refused(&township, "file", filing.clone(), "forbidden", "").await;
        assert_eq!(run.act(&city, "file", filing.clone()).await.status, StatusCode::FORBIDDEN);
        run.refused(
            &county,
            "file",
            json!({"passed": false, "departments": "纪检", "filed_on": today()}),
            "invalid",
            "note",
        )
        .await;
        // 县级备案 is the county's record of the joint review, not a step
        // after the secretary's signature: it files before anyone signs.
        let (done, total) = run.ok(&county, "file", filing.clone()).await;
        assert_eq!(done, 1, "the filing alone");
        run.refused(&county, "file", filing, "conflict", "").await;
        run.ok(&secretary, "sign", json!({"agree": true})).await;
        run.refused(&secretary, "sign", json!({"agree": true}), "conflict", "").await;
        run.ok(&member, "sign", json!({"agree": true})).await;
        let view = run.view(&secretary).await;
        let html = view["html"].as_str().unwrap_or_default();
        assert!(html.contains("纪检、组织、政法、公安"), "{html}");
        assert!(total > 3, "every member of the demo village signs: {total}");
        test.cleanup().await;
    }
}
