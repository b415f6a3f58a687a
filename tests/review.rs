//! The look-back review (回头看) and the city level, through the real router,
//! the look-back compiled to wasm and a real database (SQLite, and
//! PostgreSQL when `DATABASE_URL` is set): a province assigns it to a
//! reproducible sample, the township checks, the county confirms, the city
//! verifies, the province judges, and the rectifications open and close.

use axum::http::StatusCode;
use baton_core::db::org_units;
use baton_host::demo::{CITY, COUNTY, PROVINCE, VILLAGE};
use baton_host::sampling::{self, Per, Sample};
use baton_tests::api::Api;
use baton_tests::per_backend;
use serde_json::{Value, json};

fn today() -> String {
    baton_sdk::beijing_date(baton_host::clock::now())
}

/// The first seed whose 30% sample of the province holds the demo village.
async fn seed_drawing_the_demo_village(api: &Api) -> u64 {
    let units = org_units::subtree(&api.state.db, PROVINCE)
        .await
        .expect("units");
    (1..1000)
        .find(|&seed| {
            let sample = Sample {
                percent: 30,
                per: Per::County,
                seed,
            };
            sampling::draw(sample, &units).contains(&VILLAGE.to_owned())
        })
        .expect("some seed draws it")
}

async fn enrolled_villages(api: &Api, assignment: i64) -> Vec<String> {
    sqlx::query_scalar(&format!(
        "SELECT unit_code FROM enrollments WHERE assignment_id = {assignment} ORDER BY unit_code"
    ))
    .fetch_all(api.state.db.pool())
    .await
    .expect("enrollments")
}

per_backend! {
    async fn a_sample_is_drawn_reproducibly_and_recorded(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let assignments = "SELECT COUNT(*) FROM assignments";
        let before = api.count(assignments).await;
        let bad = api
            .post(&province, "/api/v1/assignments", None, json!({
                "module": "look-back", "version": "0.1.0", "unit": PROVINCE,
                "due": "2099-06-30", "sample": {"percent": 0}
            }))
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.json());
        assert_eq!(bad.json()["field"], "sample.percent", "{}", bad.json());
        assert_eq!(api.count(assignments).await, before, "a refusal stores nothing");

        let seed = seed_drawing_the_demo_village(&api).await;
        let reply = api
            .post(&province, "/api/v1/assignments", None, json!({
                "module": "look-back", "version": "0.1.0", "unit": PROVINCE,
                "due": "2099-06-30", "sample": {"percent": 30, "seed": seed}
            }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let body = reply.json();
        assert_eq!(body["sample"], json!({"percent": 30, "per": "county", "seed": seed}));
        // 梁平区 has 7 villages (30% → 3), 500156 has 1 (→ 1, never none).
        assert_eq!(body["enrolled"], 4, "{body}");
        let assignment = body["assignment_id"].as_i64().expect("id");

        // Recorded: the sample on the assignment and the villages drawn; the
        // recorded seed draws the same villages again.
        let recorded: String = sqlx::query_scalar(&format!(
            "SELECT sample FROM assignments WHERE id = {assignment}"
        ))
        .fetch_one(api.state.db.pool())
        .await
        .expect("sample");
        let recorded: Sample = serde_json::from_str(&recorded).expect("a sample");
        let units = org_units::subtree(&api.state.db, PROVINCE).await.expect("units");
        let enrolled = enrolled_villages(&api, assignment).await;
        assert_eq!(sampling::draw(recorded, &units), enrolled);
        assert!(enrolled.contains(&VILLAGE.to_owned()));
        let listed = api
            .count(&format!("SELECT COUNT(*) FROM assignment_sample WHERE assignment_id = {assignment}"))
            .await;
        assert_eq!(listed, 4);

        // Per township: 1% of each township is still one village each, every
        // township drawn once; the record names the same villages the seed draws.
        let reply = api
            .post(&province, "/api/v1/assignments", None, json!({
                "module": "look-back", "version": "0.1.0", "unit": PROVINCE,
                "due": "2099-06-30", "sample": {"percent": 1, "per": "township", "seed": 5}
            }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let body = reply.json();
        assert_eq!(body["sample"], json!({"percent": 1, "per": "township", "seed": 5}));
        let second = body["assignment_id"].as_i64().expect("id");
        let recorded: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT unit_code FROM assignment_sample WHERE assignment_id = {second} ORDER BY unit_code"
        ))
        .fetch_all(api.state.db.pool())
        .await
        .expect("recorded");
        let again = Sample { percent: 1, per: Per::Township, seed: 5 };
        assert_eq!(sampling::draw(again, &units), recorded);
        let township = |code: &str| code[..9].to_owned();
        let mut drawn: Vec<String> = recorded.iter().map(|c| township(c)).collect();
        drawn.dedup();
        assert_eq!(drawn.len(), recorded.len(), "one village per township: {recorded:?}");
        let mut all: Vec<String> = units
            .iter()
            .filter(|u| u.level == org_units::Level::Village)
            .map(|u| township(&u.code))
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(drawn, all, "every township drawn");
        test.cleanup().await;
    }

    async fn a_city_officer_sees_its_counties_and_nothing_else(test: TestDb) {
        let api = Api::new(&test).await;
        let city = api.token("city").await;
        for unit in [CITY, COUNTY, "500156000000", VILLAGE] {
            let reply = api.get(&city, &format!("/api/v1/reports/completion?unit={unit}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{unit}: {}", reply.json());
        }
        for unit in [PROVINCE, "510100000000", "510121000000"] {
            let reply = api.get(&city, &format!("/api/v1/reports/completion?unit={unit}")).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{unit}");
        }
        // Its dashboard opens on its own city, listing its counties.
        let page = api.get(&city, "/county").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = String::from_utf8_lossy(&page.body).into_owned();
        assert!(html.contains("梁平区"), "{html}");
        assert!(!html.contains("成都市"), "no other city");
        let other = api.get(&city, "/county?unit=510121000000").await;
        assert_eq!(other.status, StatusCode::FORBIDDEN);
        // Watching is not acting: an onboarding module names no reviewers.
        let nation = api.token("nation").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let reply = api.act(&city, handover, "c1", "declare", json!({"item": "seals", "entries": []})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.json());
        test.cleanup().await;
    }

    async fn a_look_back_goes_from_township_to_province_and_its_problems_close(test: TestDb) {
        let api = Api::new(&test).await;
        let (province, city, county, township, secretary) = (
            api.token("province").await,
            api.token("city").await,
            api.token("county").await,
            api.token("township").await,
            api.token("secretary").await,
        );
        let seed = seed_drawing_the_demo_village(&api).await;
        let reply = api
            .post(&province, "/api/v1/assignments", None, json!({
                "module": "look-back", "version": "0.1.0", "unit": PROVINCE,
                "due": "2099-06-30", "sample": {"percent": 30, "seed": seed}
            }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let nation = api.token("nation").await;
        let review = api.enrollment_of(&nation, VILLAGE, "look-back").await;
        let keys = std::cell::Cell::new(0);
        let act = |token: &str, action: &str, payload: Value| {
            keys.set(keys.get() + 1);
            let key = format!("r{}", keys.get());
            let (token, action) = (token.to_owned(), action.to_owned());
            let api = &api;
            async move { api.act(&token, review, &key, &action, payload).await }
        };
        let ok = |reply: baton_tests::api::Reply| {
            let body = reply.json();
            assert_eq!(reply.status, StatusCode::OK, "{body}");
            body
        };
        // The county may act in a look-back (it names the county as a
        // reviewer), but not before the township's self-check.
        let early = act(&county, "confirm", json!({})).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.json());
        assert_eq!(early.json()["kind"], "conflict");

        // The township checks each of the seven modules the review checks by
        // default; one has problems.
        let modules = ["handover", "visits", "first-lesson", "duties", "open-door", "swearing-in", "pledge"];
        for module in modules {
            let payload = if module == "first-lesson" {
                json!({"module": module, "problems": true, "note": "两名委员未参加第一课", "deadline": "2099-01-31"})
            } else {
                json!({"module": module, "note": "已按要求完成"})
            };
            ok(act(&township, "self-check", payload).await);
        }
        let county_step = act(&county, "confirm", json!({"note": "同意乡镇自查意见"})).await;
        ok(county_step);
        ok(act(&city, "find", json!({"module": "handover", "problem": "资产清单缺少见证人签字", "deadline": "2099-02-28"})).await);
        let wrong = act(&county, "verify", json!({"visited_on": today()})).await;
        assert_eq!(wrong.json()["kind"], "forbidden", "the city's step: {}", wrong.json());
        ok(act(&city, "verify", json!({"visited_on": today(), "note": "到村实地查看"})).await);
        let judged = ok(act(&province, "judge", json!({"passed": true, "note": "整改后合格"})).await);
        assert_ne!(judged["enrollment"]["done"], judged["enrollment"]["total"], "two problems open");

        // The dashboards count the open problems by whom they wait for.
        let dashboard = |token: String, unit: &'static str| {
            let api = &api;
            async move {
                let page = api.get(&token, &format!("/county?unit={unit}")).await;
                assert_eq!(page.status, StatusCode::OK);
                String::from_utf8_lossy(&page.body).into_owned()
            }
        };
        let page = dashboard(county.clone(), COUNTY).await;
        assert!(page.contains("待村里整改：<strong>2</strong>"), "{page}");

        // Rectifications: the village reports, the finder closes, nobody else.
        ok(act(&secretary, "report-fix", json!({"finding": 1, "note": "已组织补课"})).await);
        ok(act(&secretary, "report-fix", json!({"finding": 2, "note": "已补签"})).await);
        let page = dashboard(city.clone(), CITY).await;
        assert!(page.contains("待乡镇（街道）核验销号：<strong>1</strong>"), "{page}");
        assert!(page.contains("待市级核验销号：<strong>1</strong>"), "{page}");
        assert!(!page.contains("待村里整改"), "{page}");
        let not_finder = act(&city, "close", json!({"finding": 1, "accepted": true})).await;
        assert_eq!(not_finder.json()["kind"], "forbidden", "{}", not_finder.json());
        ok(act(&township, "close", json!({"finding": 1, "accepted": true})).await);
        let last = ok(act(&city, "close", json!({"finding": 2, "accepted": true})).await);
        assert_eq!(last["enrollment"]["done"], last["enrollment"]["total"], "{last}");
        assert_eq!(last["enrollment"]["total"], 7 + 3 + 2);
        let page = dashboard(province.clone(), PROVINCE).await;
        assert!(!page.contains("回头看问题整改"), "nothing open: {page}");

        // Every step signed by the person who took it.
        let signed = api
            .count(&format!("SELECT COUNT(*) FROM signoffs WHERE enrollment_id = {review}"))
            .await;
        assert_eq!(signed, 7 + 3 + 2, "seven checks, three levels, two closings");
        test.cleanup().await;
    }
}
