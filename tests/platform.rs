//! The platform through its HTTP API, on the demo data, with the real router,
//! the real handover module compiled to wasm, and a real database (SQLite,
//! and PostgreSQL when `DATABASE_URL` is set): sign-in, the permission matrix,
//! acting with idempotency, refusals and faults that change nothing, roll-ups
//! that move the instant an action lands, and the sign-off chain's audit.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::app::AppState;
use baton_host::demo::{
    COUNTY, OTHER_COUNTY_VILLAGE, OTHER_PROVINCE_VILLAGE, OTHER_TOWNSHIP_VILLAGE, PROVINCE,
    TOWNSHIP, VILLAGE,
};
use baton_tests::api::Api;
use baton_tests::{per_backend, runtime};
use serde_json::{Value, json};

/// The committee handover's line among a report's lines or a list of
/// enrollments (the demo assigns every built-in module).
fn handover(lines: &Value) -> &Value {
    lines
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|x| x["module"] == "handover" && x["person_id"].is_null())
        })
        .unwrap_or_else(|| panic!("no handover line in {lines}"))
}

/// A village in the demo township other than the demo village.
const SAME_TOWNSHIP_VILLAGE: &str = "500155108202";

per_backend! {
    async fn signing_in_gives_a_token_and_an_httponly_cookie_and_is_throttled(test: TestDb) {
        let api = Api::new(&test).await;
        let ok = api.login("secretary", "demo").await;
        assert_eq!(ok.status, StatusCode::OK);
        let cookie = ok
            .headers
            .get(header::SET_COOKIE)
            .expect("a cookie")
            .to_str()
            .expect("ascii");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let body = ok.json();
        assert_eq!(body["grants"][0]["role"], "secretary");

        // The cookie alone is a session.
        let session = cookie.split(';').next().expect("name=value");
        let request = Request::get("/api/v1/me/enrollments")
            .header(header::COOKIE, session)
            .body(Body::empty())
            .expect("request");
        assert_eq!(api.send(request).await.status, StatusCode::OK);

        let wrong = api.login("secretary", "wrong").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.json()["error"], "bad-credentials");
        let unknown = api.login("nobody", "demo").await;
        assert_eq!(
            unknown.json()["error"],
            "bad-credentials",
            "an unknown name looks the same"
        );
        let missing = api
            .send(
                Request::post("/api/v1/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(r#"{"username":"x"}"#))
                    .expect("request"),
            )
            .await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert!(
            missing.json()["message"]["en"]
                .as_str()
                .expect("message")
                .contains("password"),
            "names the field"
        );

        for _ in 0..5 {
            assert_eq!(
                api.login("member", "wrong").await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let locked = api.login("member", "demo").await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "five failures lock the name, even with the right password"
        );
        assert!(locked.headers.contains_key(header::RETRY_AFTER));
        assert_eq!(
            api.login("secretary", "demo").await.status,
            StatusCode::OK,
            "other names are not locked"
        );

        let no_token = api
            .send(
                Request::get("/api/v1/me/enrollments")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            api.get("not-a-token", "/api/v1/me/enrollments")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        test.cleanup().await;
    }
}

per_backend! {
    /// Each role × a unit inside and outside its scope × each capability.
    async fn permission_matrix(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let villages = [
            VILLAGE,
            SAME_TOWNSHIP_VILLAGE,
            OTHER_TOWNSHIP_VILLAGE,
            OTHER_COUNTY_VILLAGE,
            OTHER_PROVINCE_VILLAGE,
        ];
        let mut enrollments = Vec::new();
        for v in villages {
            enrollments.push(api.enrollment_of(&nation, v, "handover").await);
        }
        // Written out by hand from DESIGN.md, not derived from the code:
        // columns are the villages above: own, same township, same county,
        // same province, another province. V view, A act, R reports, S assign.
        let expected: &[(&str, [&str; 5])] = &[
            ("nation", ["VRS", "VRS", "VRS", "VRS", "VRS"]),
            ("province", ["VRS", "VRS", "VRS", "VRS", ""]),
            ("county", ["VR", "VR", "VR", "", ""]),
            ("township", ["VA", "VA", "", "", ""]),
            ("secretary", ["VA", "", "", "", ""]),
            ("member", ["VA", "", "", "", ""]),
            ("outgoing", ["VA", "", "", "", ""]),
        ];
        let mut wrong = Vec::new();
        for (user, row) in expected {
            let token = api.token(user).await;
            for (i, allowed) in row.iter().enumerate() {
                let (village, enrollment) = (villages[i], enrollments[i]);
                let view = api
                    .get(&token, &format!("/api/v1/enrollments/{enrollment}"))
                    .await
                    .status;
                // An action the module does not have: past the host's check it is
                // the module's 422, so nothing changes either way.
                let act = api
                    .act(
                        &token,
                        enrollment,
                        &format!("{user}-{i}"),
                        "no-such-action",
                        json!({}),
                    )
                    .await
                    .status;
                let report = api
                    .get(
                        &token,
                        &format!("/api/v1/reports/completion?unit={village}"),
                    )
                    .await
                    .status;
                // A dry run: the same checks, and the demo's villages all
                // have the handover already (a real one would enrol nobody).
                let assign = api
                    .post(&token, "/api/v1/assignments", None, json!({"module": "handover", "version": "0.3.1", "unit": village, "due": "2099-12-31", "dry_run": true}))
                    .await
                    .status;
                for (cap, status, ok) in [
                    ('V', view, StatusCode::OK),
                    ('A', act, StatusCode::UNPROCESSABLE_ENTITY),
                    ('R', report, StatusCode::OK),
                    ('S', assign, StatusCode::OK),
                ] {
                    let want = if allowed.contains(cap) {
                        ok
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    if status != want {
                        wrong.push(format!(
                            "{user} {cap} at {village}: got {status}, want {want}"
                        ));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{:?}: {wrong:#?}", test.db.backend());

        // The nation's report is the national administrator's alone.
        assert_eq!(
            api.get(&nation, "/api/v1/reports/completion").await.status,
            StatusCode::OK
        );
        let province = api.token("province").await;
        assert_eq!(
            api.get(&province, "/api/v1/reports/completion")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // My enrollments: the village's committee enrollment, nothing for a trainer.
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        // Six committee-wide modules and the secretary's own first lesson.
        assert_eq!(mine.as_array().map(Vec::len), Some(7), "{mine}");
        assert!(
            mine.as_array()
                .is_some_and(|m| m.iter().all(|e| e["village"] == VILLAGE)),
            "{mine}"
        );
        assert_eq!(handover(&mine)["id"], enrollments[0]);
        let county = api.token("county").await;
        assert_eq!(
            api.get(&county, "/api/v1/me/enrollments").await.json(),
            json!([])
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn the_handover_to_completion_moves_every_roll_up_at_once_and_the_chain_verifies(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let (outgoing, secretary, township, county) = (
            api.token("outgoing").await,
            api.token("secretary").await,
            api.token("township").await,
            api.token("county").await,
        );
        let view = api
            .get(
                &secretary,
                &format!("/api/v1/enrollments/{enrollment}?locale=en"),
            )
            .await;
        assert_eq!(view.status, StatusCode::OK);
        let view = view.json();
        assert_eq!(view["enrollment"]["total"], 15);
        assert_eq!(view["role"], "secretary");
        assert!(
            view["html"].as_str().expect("html").contains("Seals"),
            "{}",
            view["html"]
        );

        let items = ["seals", "archives", "assets", "premises", "accounts"];
        for (n, item) in items.iter().enumerate() {
            let steps = [
                (
                    &outgoing,
                    "declare",
                    json!({"item": item, "entries": [{"name": "清单", "quantity": 1}]}),
                ),
                (&secretary, "confirm", json!({"item": item})),
                (&township, "witness", json!({"item": item})),
            ];
            for (who, action, payload) in steps {
                let reply = api
                    .act(
                        who,
                        enrollment,
                        &format!("{item}-{action}"),
                        action,
                        payload,
                    )
                    .await;
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{item} {action}: {}",
                    String::from_utf8_lossy(&reply.body)
                );
            }
            // The trainer's numbers are right the instant the action lands.
            if n == 0 {
                let report = api
                    .get(
                        &county,
                        &format!("/api/v1/reports/completion?unit={COUNTY}"),
                    )
                    .await
                    .json();
                assert_eq!(handover(&report["total"])["started"], 1, "{report}");
                assert_eq!(handover(&report["total"])["completed"], 0);
            }
        }
        for unit in [VILLAGE, TOWNSHIP, COUNTY, PROVINCE] {
            let report = api
                .get(&nation, &format!("/api/v1/reports/completion?unit={unit}"))
                .await
                .json();
            assert_eq!(
                handover(&report["total"])["completed"],
                1,
                "{unit}: {report}"
            );
        }
        let township_report = api
            .get(
                &nation,
                &format!("/api/v1/reports/completion?unit={TOWNSHIP}"),
            )
            .await
            .json();
        let own = township_report["children"]
            .as_array()
            .expect("children")
            .iter()
            .find(|c| c["unit_code"] == VILLAGE && c["module"] == "handover")
            .expect("the village's handover")
            .clone();
        assert_eq!(
            (own["enrolled"].as_i64(), own["completed"].as_i64()),
            (Some(1), Some(1))
        );
        let village_report = api
            .get(
                &nation,
                &format!("/api/v1/reports/completion?unit={VILLAGE}"),
            )
            .await
            .json();
        assert_eq!(handover(&village_report["people"])["status"], "completed");

        let shown = api
            .get(&secretary, &format!("/api/v1/enrollments/{enrollment}"))
            .await
            .json();
        assert_eq!(shown["enrollment"]["status"], "completed");
        assert_eq!(shown["signoffs"].as_array().map(Vec::len), Some(15));
        assert_eq!(shown["signoffs"][0]["subject"], "seals:declare");

        // The chain holds; edit one statement behind the host's back and it does not.
        let db = &test.db;
        assert_eq!(
            baton_core::db::audit::verify_chain(db)
                .await
                .expect("verify"),
            (15, None)
        );
        use clap::Parser as _;
        let verify = || {
            baton_host::cli::Cli::parse_from([
                "baton",
                "--database-url",
                &test.url,
                "audit",
                "verify",
            ])
        };
        verify().run().await.expect("intact: exits zero");
        let victim: i64 =
            sqlx::query_scalar("SELECT id FROM signoffs ORDER BY id LIMIT 1 OFFSET 6")
                .fetch_one(db.pool())
                .await
                .expect("row");
        sqlx::query(
            "UPDATE signoffs SET statement = '{\"zh\":\"篡改\",\"en\":\"forged\"}' WHERE id = $1",
        )
        .bind(victim)
        .execute(db.pool())
        .await
        .expect("tamper");
        let (checked, broken) = baton_core::db::audit::verify_chain(db)
            .await
            .expect("verify");
        let broken = broken.expect("the edit is caught");
        assert_eq!(
            (checked, broken.signoff_id, broken.enrollment_id),
            (6, Some(victim), enrollment)
        );
        assert!(broken.reason.contains("edited"), "{}", broken.reason);
        // The same through the command line, as an auditor runs it.
        let err = verify().run().await.expect_err("exits non-zero");
        assert!(
            err.to_string()
                .contains(&format!("enrollment {enrollment} at sign-off {victim}")),
            "{err}"
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn deleting_the_last_signoff_is_caught_too(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, "handover").await;
        for item in ["seals", "archives"] {
            let reply = api
                .act(
                    &outgoing,
                    enrollment,
                    item,
                    "declare",
                    json!({"item": item, "entries": [{"name": "x", "quantity": 1}]}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let db = &test.db;
        sqlx::query("DELETE FROM signoffs WHERE id = (SELECT MAX(id) FROM signoffs)")
            .execute(db.pool())
            .await
            .expect("delete");
        let (_, broken) = baton_core::db::audit::verify_chain(db)
            .await
            .expect("verify");
        let broken = broken.expect("caught");
        assert_eq!(
            (broken.enrollment_id, broken.signoff_id),
            (enrollment, None)
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_replayed_idempotency_key_returns_the_first_answer_and_changes_nothing(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let payload = json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}]});
        let first = api
            .act(&outgoing, enrollment, "k-1", "declare", payload.clone())
            .await;
        assert_eq!(first.status, StatusCode::OK);
        let again = api
            .act(&outgoing, enrollment, "k-1", "declare", payload.clone())
            .await;
        assert_eq!((again.status, again.json()), (StatusCode::OK, first.json()));
        assert_eq!(
            again.headers.get("idempotent-replay").map(|v| v.as_bytes()),
            Some(&b"true"[..])
        );
        assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, 1);
        assert_eq!(api.count("SELECT COUNT(*) FROM signoffs").await, 1);

        let other = api
            .act(
                &outgoing,
                enrollment,
                "k-1",
                "declare",
                json!({"item": "archives", "entries": [{"name": "x", "quantity": 1}]}),
            )
            .await;
        assert_eq!(other.status, StatusCode::BAD_REQUEST);
        assert_eq!(other.json()["field"], "Idempotency-Key");
        let missing = api
            .post(
                &outgoing,
                &format!("/api/v1/enrollments/{enrollment}/actions"),
                None,
                json!({"action": "declare", "payload": payload}),
            )
            .await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert_eq!(missing.json()["field"], "Idempotency-Key");
        assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, 1);
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_rejection_answers_422_per_field_and_only_the_attempt_is_logged(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let reply = api.act(&outgoing, enrollment, "bad-1", "declare", json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}, {"name": "章", "quantity": 0}]})).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = reply.json();
        assert_eq!(body["kind"], "invalid", "{body}");
        assert_eq!(body["fields"][0]["field"], "entries.1.quantity", "{body}");
        assert!(
            body["fields"][0]["message"]["zh"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        let malformed = api
            .act(
                &outgoing,
                enrollment,
                "bad-3",
                "declare",
                json!({"item": "seals", "entries": [{"name": "x", "quantity": "one"}]}),
            )
            .await;
        assert_eq!(
            malformed.json()["fields"][0]["field"],
            "entries.0.quantity",
            "the SDK names a wrong type too"
        );
        let secretary = api.token("secretary").await;
        let wrong_party = api
            .act(
                &secretary,
                enrollment,
                "bad-2",
                "declare",
                json!({"item": "seals", "entries": [{"name": "x", "quantity": 1}]}),
            )
            .await;
        assert_eq!(
            (wrong_party.status, wrong_party.json()["kind"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("forbidden"))
        );

        assert_eq!(
            api.count("SELECT COUNT(*) FROM actions WHERE result = 'rejected'")
                .await,
            3
        );
        assert_eq!(api.count("SELECT COUNT(*) FROM signoffs").await, 0);
        assert_eq!(
            api.count(
                "SELECT COUNT(*) FROM enrollments WHERE revision > 0 OR started_at IS NOT NULL"
            )
            .await,
            0
        );
        let report = api
            .get(
                &nation,
                &format!("/api/v1/reports/completion?unit={VILLAGE}"),
            )
            .await
            .json();
        assert_eq!(handover(&report["total"])["started"], 0);
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_module_that_loops_is_named_in_a_500_and_changes_nothing(test: TestDb) {
        let api = Api::new(&test).await;
        let db = &test.db;
        let plugin = baton_tests::load(&api.state.runtime, baton_tests::fixtures::SPIN)
            .await
            .expect("loads");
        let package = baton_core::db::plugins::Package {
            id: plugin.name().id.clone(),
            version: plugin.name().version.clone(),
            sha256: hex_of(plugin.sha256()),
            owner: None,
            built_in: false,
            info: plugin.info().clone(),
        };
        baton_core::db::plugins::insert(db, &package, baton_tests::fixtures::SPIN, 0)
            .await
            .expect("stored");
        let nation = api.token("nation").await;
        let assigned = api
            .post(&nation, "/api/v1/assignments", None, json!({"module": package.id, "version": package.version, "unit": TOWNSHIP, "due": "2099-12-31", "audience": "committee"}))
            .await;
        assert_eq!(
            assigned.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&assigned.body)
        );
        assert_eq!(
            assigned.json()["enrolled"],
            3,
            "the township's three villages"
        );
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM enrollments WHERE plugin_id = $1 AND unit_code = $2",
        )
        .bind(&package.id)
        .bind(VILLAGE)
        .fetch_one(db.pool())
        .await
        .expect("enrolled");
        let township = api.token("township").await;
        let reply = api
            .act(&township, id, "spin-1", "anything", json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        let body = reply.json();
        assert_eq!(
            (
                body["error"].as_str(),
                body["plugin"].as_str(),
                body["fault"].as_str()
            ),
            (
                Some("plugin-fault"),
                Some("fixture-spin@0.0.1"),
                Some("timeout")
            ),
            "{body}"
        );
        assert_eq!(
            api.count("SELECT COUNT(*) FROM actions WHERE result = 'fault'")
                .await,
            1
        );
        assert_eq!(
            api.count("SELECT COUNT(*) FROM enrollments WHERE revision > 0")
                .await,
            0
        );
        // The handover next door is unharmed.
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let ok = api
            .act(
                &outgoing,
                handover,
                "after-spin",
                "declare",
                json!({"item": "seals", "entries": [{"name": "x", "quantity": 1}]}),
            )
            .await;
        assert_eq!(
            ok.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&ok.body)
        );
        test.cleanup().await;
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

per_backend! {
    async fn assigning_enrolls_the_audience_in_bulk_pinned_to_its_version_and_checks_input(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let every = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "handover", "version": "0.3.1", "unit": COUNTY, "due": "2099-06-30", "audience": "every-member"}))
            .await;
        assert_eq!(
            every.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&every.body)
        );
        // Seven villages, four serving people each (the 一肩挑 secretary once).
        assert_eq!(every.json()["enrolled"], 28);
        let report = api
            .get(
                &province,
                &format!("/api/v1/reports/completion?unit={COUNTY}"),
            )
            .await
            .json();
        let totals: Vec<i64> = report["total"]
            .as_array()
            .expect("lines")
            .iter()
            .filter(|l| l["module"] == "handover")
            .filter_map(|l| l["enrolled"].as_i64())
            .collect();
        assert_eq!(totals, [7, 28], "the committee handover, then every member");
        assert_eq!(
            // Every onboarding module is 0.2.0 but the pledge, at 0.1.1 (the election-discipline pledge; the county files whenever its joint review is done), the first lesson, at 0.4.1 (its quiz's right answers ticked in the console), the open door, at 0.3.0 (full-width brackets and semicolons, the 民情台账, the plan's adoption, each member's signature), the visits at 0.3.0 (慰问金, the subsidy's amount, 审批, 发放 and the cadre's 签收), the division of work at 0.3.0 (full-width semicolons, 主持全面工作 and 宣传委员, 纪检委员 for the Party committee, groups, 公示), and the handover at 0.3.1 (监交, a declaration that reads as saved, 代为移交 and 连任自查, the items counties list).
            api.count("SELECT COUNT(*) FROM enrollments WHERE plugin_version <> CASE plugin_id WHEN 'pledge' THEN '0.1.1' WHEN 'first-lesson' THEN '0.4.1' WHEN 'open-door' THEN '0.3.0' WHEN 'handover' THEN '0.3.1' WHEN 'duties' THEN '0.3.0' WHEN 'visits' THEN '0.3.0' ELSE '0.2.0' END")
                .await,
            0
        );
        let member = api.token("member").await;
        let mine = api.get(&member, "/api/v1/me/enrollments").await.json();
        let handovers = mine
            .as_array()
            .map(|m| m.iter().filter(|e| e["module"] == "handover").count());
        assert_eq!(handovers, Some(2), "own + the committee's: {mine}");

        // Bad input: which field and why, and nothing written.
        let before = api.count("SELECT COUNT(*) FROM assignments").await;
        for (body, field) in [
            (
                json!({"module": "handover", "version": "9.9.9", "unit": COUNTY, "due": "2099-06-30"}),
                "version",
            ),
            (
                json!({"module": "handover", "version": "0.3.1", "unit": "999999999999", "due": "2099-06-30"}),
                "unit",
            ),
            (
                json!({"module": "handover", "version": "0.3.1", "unit": COUNTY, "due": "30/06/2099"}),
                "due",
            ),
            (
                json!({"module": "handover", "version": "0.3.1", "unit": COUNTY, "due": "2001-01-01"}),
                "due",
            ),
            (
                json!({"module": "visits", "version": "0.3.0", "unit": COUNTY}),
                "due",
            ),
        ] {
            let reply = api
                .post(&province, "/api/v1/assignments", None, body.clone())
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
            assert!(
                reply.json()["field"]
                    .as_str()
                    .is_some_and(|f| f.contains(field)),
                "{body}: {}",
                reply.json()
            );
        }
        // The handover without a date: within 10 days (村民委员会组织法 第二十条).
        let defaulted = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "handover", "version": "0.3.1", "unit": COUNTY, "dry_run": true}))
            .await;
        assert_eq!(defaulted.status, StatusCode::OK, "{}", defaulted.json());
        assert_eq!(defaulted.json()["due"], baton_host::clock::date(baton_host::clock::now() + 10 * 86_400), "{}", defaulted.json());
        let config = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "handover", "version": "0.3.1", "unit": COUNTY, "due": "2099-06-30", "config": {"extra_items": [{"key": "Bad Key", "title": {"zh": "", "en": ""}}]}}))
            .await;
        assert_eq!(
            config.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            String::from_utf8_lossy(&config.body)
        );
        assert!(
            config.json()["fields"][0]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with("config.")),
            "{}",
            config.json()
        );
        assert_eq!(api.count("SELECT COUNT(*) FROM assignments").await, before);
        test.cleanup().await;
    }
}

per_backend! {
    async fn reports_come_as_csv_for_excel(test: TestDb) {
        let api = Api::new(&test).await;
        let county = api.token("county").await;
        let request = Request::get(format!("/api/v1/reports/completion?unit={COUNTY}"))
            .header(header::AUTHORIZATION, format!("Bearer {county}"))
            .header(header::ACCEPT, "text/csv")
            .body(Body::empty())
            .expect("request");
        let reply = api.send(request).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|t| t.starts_with("text/csv"))
        );
        let text = String::from_utf8(reply.body).expect("UTF-8");
        let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("unit_code,unit_name,level,assignment_id,module"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines.len(),
            // The demo assigns every built-in but the look-back (a sampled
            // review) and the kinds (engines a province configures).
            1 + 3 * (baton_host::registry::BUILT_IN.len() - 1 - baton_host::registry::ENGINES.len()),
            "a header and the three townships for each demo module: {text}"
        );
        assert!(text.contains("礼让镇"));
        let people = api
            .get(
                &county,
                &format!("/api/v1/reports/completion?unit={VILLAGE}&format=csv"),
            )
            .await;
        assert!(
            String::from_utf8_lossy(&people.body).contains("enrollment_id,person_id,name,module")
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn the_openapi_document_lists_every_route(test: TestDb) {
        let api = Api::new(&test).await;
        let reply = api
            .send(
                Request::get("/api/v1/openapi.json")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let doc = reply.json();
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        for path in [
            "/healthz",
            "/api/v1/login",
            "/api/v1/logout",
            "/api/v1/modules",
            "/api/v1/assignments",
            "/api/v1/me/enrollments",
            "/api/v1/enrollments/{id}",
            "/api/v1/enrollments/{id}/actions",
            "/api/v1/reports/completion",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} is documented");
        }
        // Every route the API's router declares is in the document: it is
        // made from the handlers' annotations, and this holds the list of
        // handlers it names to the routes (the document itself excepted).
        let http = concat!(env!("CARGO_MANIFEST_DIR"), "/../host/src/http");
        let mut routes = Vec::new();
        for entry in std::fs::read_dir(http).expect("host/src/http") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            for (at, _) in text.match_indices(".route(") {
                let rest = &text[at..];
                let start = rest.find('"').expect("a path") + 1;
                let end = start + rest[start..].find('"').expect("its end");
                routes.push(rest[start..end].to_owned());
            }
        }
        assert!(routes.len() > 30, "the routes were read: {routes:?}");
        for route in routes.iter().filter(|r| *r != "/api/v1/openapi.json") {
            assert!(doc["paths"].get(route).is_some(), "{route} is routed but not documented");
        }
        assert!(doc["components"]["schemas"].get("ActRequest").is_some());
        // What a generated client relies on: each path parameter is in the
        // path's template and each `in: path` one is; operation ids are unique.
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                let id = op["operationId"].as_str().unwrap_or_default().to_owned();
                assert!(
                    ids.insert(id.clone()),
                    "operation id `{id}` repeats ({method} {path})"
                );
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().unwrap_or_default();
                    let in_template = path.contains(&format!("{{{name}}}"));
                    assert_eq!(
                        p["in"] == "path",
                        in_template,
                        "{method} {path}: parameter `{name}` is `in: {}`",
                        p["in"]
                    );
                }
            }
        }
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_roster_imports_all_or_nothing_and_marks_one_shoulder(test: TestDb) {
        let db = &test.db;
        let api = Api::new(&test).await;
        let village = "500155108203";
        // The demo already has 2026 rosters; a new term's roster for one village.
        let bad = "村代码,组织,姓名,职务,状态,任职年限\n\
               500155108203,党组织,周海燕,书记,在任,\n\
               500155108203,村委会,周海燕,主任,,\n\
               500155108203,党组织,吴明华,书记,在任,\n\
               500155108203,居委会,,委员,在任,\n\
               500155108000,党组织,郑家兴,委员,在任,\n\
               500155108203,党组织,孙春林,书记,待定,十年\n";
        let err = baton_host::import::roster(db, bad.as_bytes(), "2029", "2029-11-01")
            .await
            .expect_err("bad rows");
        let text = err.to_string();
        for expected in [
            "line 4, post",
            "line 5, name",
            "line 6, village_code",
            "line 7, status",
            "line 7, years_served",
        ] {
            assert!(text.contains(expected), "{expected} in:\n{text}");
        }
        assert_eq!(
            api.count("SELECT COUNT(*) FROM terms WHERE id = '2029'")
                .await,
            0,
            "nothing imported"
        );

        let good = "village_code,committee,name,post,status,years_served,phone\n\
                500155108203,party-branch,周海燕,书记,serving,0,13800000001\n\
                500155108203,villagers,周海燕,主任,,0,13800000001\n\
                500155108203,party-branch,吴明华,委员,,,\n\
                500155108203,party-branch,孙春林,书记,retired,12,\n\
                500155108203,villagers,郑家兴,委员,defeated,6,\n";
        let added = baton_host::import::roster(db, good.as_bytes(), "2029", "2029-11-01")
            .await
            .expect("imports");
        assert_eq!((added.people, added.seats), (4, 5));
        let (_, members, outgoing) = baton_core::db::people::village(db, village, "")
            .await
            .expect("village");
        let secretary = members
            .iter()
            .find(|m| m.post == "书记")
            .expect("secretary");
        assert!(secretary.one_shoulder, "书记 and 主任: 一肩挑");
        assert_eq!(members.len(), 3, "the latest term's seats");
        let departures: Vec<_> = outgoing
            .iter()
            .map(|o| (o.name.as_str(), o.departure, o.years_served))
            .collect();
        assert_eq!(departures.len(), 2, "{departures:?}");
        assert!(departures.contains(&("郑家兴", baton_sdk::Departure::Defeated, 6)));
        let again = baton_host::import::roster(db, good.as_bytes(), "2029", "2029-11-01")
            .await
            .expect_err("once per term");
        assert!(again.to_string().contains("already imported"), "{again}");
        test.cleanup().await;
    }
}

per_backend! {
    async fn the_generator_writes_roll_ups_that_match_its_enrollments(test: TestDb) {
        let db = &test.db;
        let rt = runtime();
        let now = baton_host::clock::now();
        baton_host::registry::register_built_ins(db, &rt, now)
            .await
            .expect("register");
        let shape = baton_host::generate::Shape {
            provinces: 2,
            cities: 2,
            counties: 2,
            townships: 2,
            villages: 3,
        };
        let generated = baton_host::generate::national(db, shape, now, false)
            .await
            .expect("generate");
        // 48 villages: three committee assignments, one per secretary, five people each.
        assert_eq!(generated.enrollments, 48 * (3 + 1 + 5));
        let mismatched: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM completion c JOIN org_units top ON top.code = c.unit_code
         WHERE c.enrolled <> (SELECT COUNT(*) FROM enrollments e JOIN org_units u ON u.code = e.unit_code
                              WHERE e.assignment_id = c.assignment_id
                                AND u.path >= top.path AND u.path < top.path || '~')",
        )
        .fetch_one(db.pool())
        .await
        .expect("compare");
        assert_eq!(mismatched, 0, "{:?}", db.backend());
        // Refuses to write into a database that has data.
        assert!(
            baton_host::generate::national(db, shape, now, false)
                .await
                .is_err()
        );
        // The national administrator it creates reads the nation's report.
        let api = Api {
            state: AppState::new(db.clone(), rt),
        };
        let nation = api.token("nation").await;
        let report = api.get(&nation, "/api/v1/reports/completion").await.json();
        assert_eq!(
            report["children"].as_array().map(Vec::len),
            Some(2 * 5),
            "two provinces × five assignments"
        );
        test.cleanup().await;
    }
}

per_backend! {
    /// `POST /api/v1/sync`: a phone's queue of actions taken offline, sent in
    /// one round trip. Kept in order, each key acted once, each refusal
    /// answered by itself; a malformed or oversized batch acts on nothing.
    async fn a_synced_queue_is_acted_in_order_once_each_and_refused_per_item(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let secretary = api.token("secretary").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let declare = |item: &str, quantity: i64| {
            json!({"item": item, "entries": [{"name": "清单", "quantity": quantity}]})
        };
        let item = |key: &str, payload: Value| {
            json!({"enrollment": enrollment, "action": "declare", "payload": payload,
                   "key": key, "queued_at": 1_700_000_000})
        };

        // The seals were received while the phone was offline: the queued
        // re-declaration of the seals must come back refused.
        let first = api.act(&outgoing, enrollment, "online-1", "declare", declare("seals", 1)).await;
        assert_eq!(first.status, StatusCode::OK);
        let received = api.act(&secretary, enrollment, "online-2", "confirm", json!({"item": "seals"})).await;
        assert_eq!(received.status, StatusCode::OK);

        let batch = json!([
            item("q-1", declare("archives", 1)),
            item("q-2", declare("archives", 2)),
            item("q-1", declare("archives", 1)),
            item("q-3", declare("seals", 5)),
            item("q-4", json!({"item": "assets", "entries": [{"name": "x", "quantity": 0}]})),
            {"enrollment": 999_999, "action": "declare", "payload": declare("assets", 1), "key": "q-5"},
        ]);
        let reply = api.post(&outgoing, "/api/v1/sync", None, batch.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
        let answers = reply.json();
        let answers = answers.as_array().expect("a list");
        let got: Vec<(&str, i64, bool)> = answers
            .iter()
            .map(|a| {
                (
                    a["key"].as_str().expect("key"),
                    a["status"].as_i64().expect("status"),
                    a["replayed"].as_bool().expect("replayed"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("q-1", 200, false),
                ("q-2", 200, false),
                ("q-1", 200, true),
                ("q-3", 422, false),
                ("q-4", 422, false),
                ("q-5", 404, false),
            ]
        );
        assert_eq!(answers[0]["queued_at"], 1_700_000_000);
        assert_eq!(answers[2]["body"], answers[0]["body"], "a replay answers as the first time");
        let refused = &answers[3]["body"];
        assert!(
            refused.to_string().contains("已由新任书记接收"),
            "the module's own message comes back: {refused}"
        );
        assert_eq!(answers[4]["body"]["fields"][0]["field"], "entries.0.quantity");

        // In order: the archives hold the second declaration, not the first.
        let view = api.get(&outgoing, &format!("/api/v1/enrollments/{enrollment}")).await.json();
        let archives = view["view"]["data"].to_string();
        assert!(archives.contains("\"quantity\":2"), "{archives}");
        // Once each: q-1 and q-2 accepted, q-3 and q-4 refused, all logged once.
        for key in ["q-1", "q-2", "q-3", "q-4"] {
            let sql = format!("SELECT COUNT(*) FROM actions WHERE idempotency_key = '{key}'");
            assert_eq!(api.count(&sql).await, 1, "{key}");
        }
        let again = api.post(&outgoing, "/api/v1/sync", None, batch).await;
        assert_eq!(again.status, StatusCode::OK);
        assert!(again.json().as_array().expect("list")[..5].iter().all(|a| a["replayed"] == true));
        let actions = api.count("SELECT COUNT(*) FROM actions").await;

        // Refused whole, acting on nothing: a bad key, a missing field, too many.
        let bad_key = api
            .post(&outgoing, "/api/v1/sync", None, json!([item("q-6", declare("assets", 1)), item(" ", declare("assets", 1))]))
            .await;
        assert_eq!((bad_key.status, bad_key.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("[1].key")));
        let no_action = api
            .post(&outgoing, "/api/v1/sync", None, json!([{"enrollment": enrollment, "key": "q-7"}]))
            .await;
        assert_eq!((no_action.status, no_action.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("[0].action")));
        let many: Vec<Value> = (0..101).map(|n| item(&format!("m-{n}"), declare("assets", 1))).collect();
        let too_many = api.post(&outgoing, "/api/v1/sync", None, Value::Array(many)).await;
        assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
        assert_eq!(too_many.json()["field"], "body");
        assert!(too_many.json()["message"]["zh"].as_str().is_some_and(|m| m.contains("100")));
        assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, actions, "nothing acted");

        // A page's form as queued on the phone: the host builds the payload
        // by the action's schema, as for the page's own post.
        let forms = api
            .post(&outgoing, "/api/v1/sync", None, json!([
                {"enrollment": enrollment, "action": "declare", "key": "f-1",
                 "form": "item=accounts&entries.0.name=%E8%B4%A6%E5%86%8C&entries.0.quantity=two"},
                {"enrollment": enrollment, "action": "declare", "key": "f-2",
                 "form": "_csrf=x&item=accounts&entries.0.name=%E8%B4%A6%E5%86%8C&entries.0.quantity=2"},
            ]))
            .await;
        assert_eq!(forms.status, StatusCode::OK, "{}", String::from_utf8_lossy(&forms.body));
        let forms = forms.json();
        assert_eq!((forms[0]["status"].as_i64(), forms[1]["status"].as_i64()), (Some(422), Some(200)), "{forms}");
        assert_eq!(forms[0]["body"]["fields"][0]["field"], "entries.0.quantity");
        assert_eq!(forms[0]["body"]["fields"][0]["message"]["zh"], "请输入数字");
        let both = api
            .post(&outgoing, "/api/v1/sync", None, json!([{"enrollment": enrollment, "action": "declare", "key": "f-3", "form": "item=assets", "payload": {}}]))
            .await;
        assert_eq!((both.status, both.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("[0].payload")));

        // Someone else's enrollment in the batch: refused for that item only.
        let other = api.enrollment_of(&nation, OTHER_TOWNSHIP_VILLAGE, "handover").await;
        let mixed = api
            .post(&outgoing, "/api/v1/sync", None, json!([
                {"enrollment": other, "action": "declare", "payload": declare("seals", 1), "key": "x-1"},
                item("x-2", declare("premises", 1)),
            ]))
            .await
            .json();
        assert_eq!((mixed[0]["status"].as_i64(), mixed[1]["status"].as_i64()), (Some(403), Some(200)));
        test.cleanup().await;
    }
}

per_backend! {
    /// The API's side of editions: a dry run counts and stores nothing; a
    /// round that would enroll nobody is refused by field with the counts;
    /// a second edition enrolls the same people, each person seeing both.
    async fn editions_enroll_the_same_people_again_and_a_dry_run_counts_first(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let body = |edition: Value, dry: bool| json!({"module": "first-lesson", "version": "0.4.1", "unit": COUNTY, "due": "2099-06-30", "edition": edition, "dry_run": dry});
        let stored = "SELECT (SELECT COUNT(*) FROM assignments) * 1000000 + (SELECT COUNT(*) FROM enrollments)";
        let before = api.count(stored).await;

        let again = api.post(&province, "/api/v1/assignments", None, body(Value::Null, false)).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST);
        assert_eq!(again.json()["field"], "edition", "{}", again.json());
        let dry = api.post(&province, "/api/v1/assignments", None, body(json!(2), true)).await;
        assert_eq!(dry.status, StatusCode::OK);
        let dry = dry.json();
        assert_eq!(dry["assignment_id"], Value::Null);
        assert_eq!(dry["edition"], 2);
        assert_eq!(dry["next_edition"], 2);
        assert_eq!(dry["reach"]["already"], 0, "{dry}");
        assert_eq!(dry["reach"]["villages"], 7, "{dry}");
        let would = dry["enrolled"].as_i64().expect("a count");
        assert!(would > 0);
        for edition in [json!(0), json!(101)] {
            let reply = api.post(&province, "/api/v1/assignments", None, body(edition, false)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST);
            assert_eq!(reply.json()["field"], "edition");
        }
        assert_eq!(api.count(stored).await, before, "nothing stored");

        let made = api.post(&province, "/api/v1/assignments", None, body(json!(2), false)).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&made.body));
        assert_eq!(made.json()["enrolled"].as_i64(), Some(would), "what the dry run said");
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        let mut editions: Vec<i64> = mine
            .as_array()
            .expect("a list")
            .iter()
            .filter(|e| e["module"] == "first-lesson")
            .filter_map(|e| e["edition"].as_i64())
            .collect();
        editions.sort_unstable();
        assert_eq!(editions, [1, 2], "{mine}");
        test.cleanup().await;
    }
}

per_backend! {
    /// Issue 40's hard case: the outgoing cadre is away, so the township
    /// declares the seals for him (代为移交) with a witness; the secretary
    /// receives and the township supervises, and the item is done. The
    /// township's page offers the form; the record says why.
    async fn the_township_declares_for_an_absent_cadre_and_the_item_finishes(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let (secretary, township) = (api.token("secretary").await, api.token("township").await);
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let page = api
            .send(Request::get(format!("/enrollments/{handover}")).header(header::COOKIE, format!("baton_session={township}")).body(Body::empty()).expect("request"))
            .await;
        let html = String::from_utf8_lossy(&page.body).into_owned();
        assert!(html.contains("代为移交或连任自查 · 离任干部无法办理时") && html.contains("离任干部外出，无法到场"), "{html}");
        let refused = api
            .act(&township, handover, "f-0", "declare-for", json!({"item": "seals", "reason": "absent", "entries": [{"name": "党支部公章", "quantity": 1}]}))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.json());
        assert_eq!(refused.json()["fields"][0]["field"], "witness");
        for (who, key, action, payload) in [
            (&township, "f-1", "declare-for", json!({"item": "seals", "reason": "absent", "witness": "村务监督委员会主任 刘明", "entries": [{"name": "党支部公章", "quantity": 1}]})),
            (&secretary, "f-2", "confirm", json!({"item": "seals"})),
            (&township, "f-3", "witness", json!({"item": "seals"})),
        ] {
            let reply = api.act(who, handover, key, action, payload).await;
            assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.json());
        }
        let view = api.get(&secretary, &format!("/api/v1/enrollments/{handover}")).await.json();
        let html = view["html"].as_str().unwrap_or_default();
        assert!(html.contains("代为移交：离任干部外出") && html.contains("见证人：村务监督委员会主任 刘明"), "{html}");
        assert_eq!(view["enrollment"]["done"], 3, "{view}");
        test.cleanup().await;
    }
}
