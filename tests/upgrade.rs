//! Upgrade by replay through the API: fixture-tally 0.1.0 adds any n; 0.2.0
//! adds at most 5 at a time and refuses more than 10. Enrollments replay the
//! same, differently or not at all; a dry run changes nothing; applying moves
//! only the chosen ones, and the roll-ups follow; rolling back moves them back.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_core::db::org_units;
use baton_host::demo::{COUNTY, TOWNSHIP};
use baton_tests::api::{Api, Reply};
use baton_tests::{fixtures, per_backend};
use serde_json::{Value, json};

async fn publish(api: &Api, token: &str, wasm: &[u8]) {
    let request = Request::post("/api/v1/modules")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/wasm")
        .body(Body::from(wasm.to_vec()))
        .expect("request");
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
}

async fn upgrade(api: &Api, token: &str, body: Value) -> Reply {
    api.post(token, "/api/v1/upgrades", None, body).await
}

fn line(report: &Value, id: i64) -> &Value {
    report["enrollments"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == id))
        .unwrap_or_else(|| panic!("no line for {id} in {report}"))
}

async fn tally(api: &Api, nation: &str, village: &str) -> i64 {
    api.enrollment_of(nation, village, "fixture-tally").await
}

async fn completed_in_township(api: &Api, nation: &str) -> i64 {
    let report = api
        .get(
            nation,
            &format!("/api/v1/reports/completion?unit={TOWNSHIP}"),
        )
        .await
        .json();
    report["total"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["module"] == "fixture-tally"))
        .and_then(|l| l["completed"].as_i64())
        .unwrap_or_else(|| panic!("no tally line in {report}"))
}

per_backend! {
    async fn enrollments_move_between_versions_by_replaying_their_logs(test: TestDb) {
        let api = Api::new(&test).await;
        let (nation, province, township, county) = (
            api.token("nation").await,
            api.token("province").await,
            api.token("township").await,
            api.token("county").await,
        );
        publish(&api, &nation, fixtures::TALLY).await;
        publish(&api, &nation, fixtures::TALLY_NEXT).await;
        let assigned = api
            .post(
                &province,
                "/api/v1/assignments",
                None,
                json!({"module": "fixture-tally", "version": "0.1.0", "unit": COUNTY, "due": "2099-06-30"}),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        let villages: Vec<String> = org_units::subtree(&test.db, TOWNSHIP)
            .await
            .expect("subtree")
            .into_iter()
            .filter(|u| u.level == org_units::Level::Village)
            .map(|u| u.code)
            .collect();
        assert_eq!(villages.len(), 3);
        let (a, b, c) = (
            tally(&api, &nation, &villages[0]).await,
            tally(&api, &nation, &villages[1]).await,
            tally(&api, &nation, &villages[2]).await,
        );
        let mut key = 0;
        for (enrollment, n) in [(a, 3), (a, 4), (b, 8), (b, 4), (c, 12)] {
            key += 1;
            let reply = api
                .act(
                    &township,
                    enrollment,
                    &format!("k{key}"),
                    "add",
                    json!({"n": n}),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        }
        assert_eq!(
            completed_in_township(&api, &nation).await,
            2,
            "b and c reached 10"
        );
        let ask = |apply: &str, from: &str, to: &str| json!({"module": "fixture-tally", "from": from, "to": to, "unit": COUNTY, "apply": apply});

        // Wrong people and wrong versions change nothing.
        let reply = upgrade(&api, &county, ask("none", "0.1.0", "0.2.0")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = upgrade(&api, &province, ask("none", "0.1.0", "0.3.0")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["field"], "to");

        // The dry run: a 3+4 replays the same; 8+4 gives 5+4 under 0.2.0; 12 is refused.
        let dry = upgrade(&api, &province, ask("none", "0.1.0", "0.2.0")).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.json());
        let dry = dry.json();
        assert_eq!(
            (
                &dry["checked"],
                &dry["same"],
                &dry["different"],
                &dry["fails"],
                &dry["moved"]
            ),
            (&json!(7), &json!(5), &json!(1), &json!(1), &json!(0)),
            "{dry}"
        );
        assert_eq!(line(&dry, a)["result"], "same");
        let diff = line(&dry, b)["diff"].to_string();
        assert!(
            diff.contains("state: 12 → 9") && diff.contains("progress: 10/10 → 9/10"),
            "{diff}"
        );
        assert_eq!(line(&dry, c)["result"], "fails");
        assert_eq!(line(&dry, c)["step"], 1);
        assert!(
            line(&dry, c)["reason"].to_string().contains("at most 10"),
            "{dry}"
        );
        let pinned = api
            .count("SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'fixture-tally' AND plugin_version = '0.1.0'")
            .await;
        assert_eq!(pinned, 7, "a dry run moves nothing");

        // Apply to the same ones only, then to b, whose result differs.
        let same = upgrade(&api, &province, ask("same", "0.1.0", "0.2.0"))
            .await
            .json();
        assert_eq!(same["moved"], 5, "{same}");
        assert_eq!(line(&same, b)["moved"], false);
        let refused = api
            .act(&township, a, "k-after", "add", json!({"n": 11}))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a now runs 0.2.0"
        );
        let mut only_b = ask("clean", "0.1.0", "0.2.0");
        only_b["enrollments"] = json!([b, c]);
        let clean = upgrade(&api, &province, only_b).await.json();
        assert_eq!(
            (&clean["checked"], &clean["moved"]),
            (&json!(2), &json!(1)),
            "{clean}"
        );
        assert_eq!(
            line(&clean, c)["moved"],
            false,
            "a failing replay never moves"
        );
        assert_eq!(
            completed_in_township(&api, &nation).await,
            1,
            "b is 9/10 under 0.2.0"
        );
        let shown = api
            .get(&township, &format!("/api/v1/enrollments/{b}"))
            .await
            .json();
        assert_eq!(shown["enrollment"]["version"], "0.2.0");
        assert_eq!(shown["enrollment"]["done"], 9);

        // Roll back: b replays to 12 again under 0.1.0.
        let mut back = ask("clean", "0.2.0", "0.1.0");
        back["enrollments"] = json!([b]);
        let back = upgrade(&api, &province, back).await.json();
        assert_eq!(back["moved"], 1, "{back}");
        assert_eq!(completed_in_township(&api, &nation).await, 2);
        let shown = api
            .get(&township, &format!("/api/v1/enrollments/{b}"))
            .await
            .json();
        assert_eq!(
            (
                &shown["enrollment"]["version"],
                &shown["enrollment"]["done"]
            ),
            (&json!("0.1.0"), &json!(10))
        );

        // The same from the command line, as an operator on the database.
        use clap::Parser as _;
        let cli = |args: &[&str]| {
            let mut all = vec!["baton", "--database-url", &test.url, "upgrade"];
            all.extend_from_slice(args);
            baton_host::cli::Cli::parse_from(all)
        };
        // Everything on 0.2.0 (a and the four never opened) back to 0.1.0, two at a time.
        cli(&[
            "--module",
            "fixture-tally",
            "--from",
            "0.2.0",
            "--to",
            "0.1.0",
            "--unit",
            COUNTY,
            "--apply",
            "same",
            "--batch",
            "2",
        ])
        .run()
        .await
        .expect("the CLI rolls back in batches");
        let left = api
            .count("SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'fixture-tally' AND plugin_version = '0.2.0'")
            .await;
        assert_eq!(left, 0, "three batches moved all five");
        let b_id = b.to_string();
        let args = [
            "--module",
            "fixture-tally",
            "--from",
            "0.1.0",
            "--to",
            "0.2.0",
            "--unit",
            COUNTY,
            "--apply",
            "clean",
            "--enrollments",
            &b_id,
        ];
        cli(&args).run().await.expect("the CLI moves b");
        let version: String =
            sqlx::query_scalar("SELECT plugin_version FROM enrollments WHERE id = $1")
                .bind(b)
                .fetch_one(test.db.pool())
                .await
                .expect("b");
        assert_eq!(version, "0.2.0");
        let missing = cli(&[
            "--module",
            "fixture-tally",
            "--from",
            "0.1.0",
            "--to",
            "0.9.0",
            "--unit",
            COUNTY,
        ])
        .run()
        .await
        .expect_err("no such version");
        assert!(
            missing
                .to_string()
                .contains("no module fixture-tally@0.9.0"),
            "{missing}"
        );
        test.cleanup().await;
    }
}

per_backend! {
    /// A re-released built-in reaches an existing database's enrollments
    /// when the server starts: what `baton serve` runs before it listens.
    async fn built_in_enrollments_move_to_the_newest_built_in_version(test: TestDb) {
        let api = Api::new(&test).await;
        let township = api.token("township").await;
        let nation = api.token("nation").await;
        let province = api.token("province").await;
        for wasm in [fixtures::TALLY, fixtures::TALLY_NEXT] {
            baton_tests::store_built_in(&api.state.runtime, &test.db, wasm).await;
        }
        let assigned = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "fixture-tally", "version": "0.1.0", "unit": COUNTY, "due": "2099-06-30"}))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        let village = org_units::subtree(&test.db, TOWNSHIP).await.expect("subtree")
            .into_iter()
            .find(|u| u.level == org_units::Level::Village)
            .expect("a village")
            .code;
        let enrollment = tally(&api, &nation, &village).await;
        let reply = api.act(&township, enrollment, "b1", "add", json!({"n": 3})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        let pinned = "SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'fixture-tally' AND plugin_version = '0.1.0'";
        assert!(api.count(pinned).await > 0);

        let lines = baton_host::upgrade::built_ins(&api.state).await.expect("upgrade");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("fixture-tally@0.1.0 → 0.2.0:"), "{lines:?}");
        assert_eq!(api.count(pinned).await, 0, "every enrollment moved");
        let moved = format!("SELECT COUNT(*) FROM enrollments WHERE id = {enrollment} AND plugin_version = '0.2.0'");
        assert_eq!(api.count(&moved).await, 1, "the acted-in enrollment replayed onto 0.2.0");
        assert!(baton_host::upgrade::built_ins(&api.state).await.expect("again").is_empty(), "nothing left to move");
        test.cleanup().await;
    }
}

per_backend! {
    /// The built-in handover as the previous release shipped it (0.1.2,
    /// contract 0.1.0, kept as its bytes) moves to 0.3.0 by the product's own
    /// upgrade: the dry run replays every enrollment, acted in or not, the
    /// same; applying moves them, and whose turn it is is known at once.
    async fn the_handover_of_the_previous_release_replays_the_same_on_0_3_0(test: TestDb) {
        let api = Api::new(&test).await;
        let (nation, province) = (api.token("nation").await, api.token("province").await);
        let (outgoing, secretary, township) = (
            api.token("outgoing").await,
            api.token("secretary").await,
            api.token("township").await,
        );
        baton_tests::store_built_in(&api.state.runtime, &test.db, include_bytes!("fixtures-v0.1/handover-0.1.2.wasm")).await;
        // A database the previous release left: every handover pinned to 0.1.2.
        sqlx::query("UPDATE enrollments SET plugin_version = '0.1.2' WHERE plugin_id = 'handover'")
            .execute(test.db.writer())
            .await
            .expect("pinned");
        let handover = api.enrollment_of(&nation, baton_host::demo::VILLAGE, "handover").await;
        let steps = [
            (&outgoing, "declare", json!({"item": "seals", "entries": [{"name": "党支部公章", "quantity": 1}, {"name": "村委会公章", "quantity": 1}]})),
            (&secretary, "confirm", json!({"item": "seals", "discrepancies": [{"entry": 1, "note": "印面磨损"}]})),
            (&township, "witness", json!({"item": "seals", "remarks": "磨损已记录，另行刻制"})),
            (&outgoing, "declare", json!({"item": "archives", "entries": [{"name": "2021—2026 年会议记录", "quantity": 6}]})),
            (&secretary, "send-back", json!({"item": "archives", "reason": "缺 2023 年"})),
            (&outgoing, "declare", json!({"item": "archives", "entries": [{"name": "2021—2026 年会议记录", "quantity": 7}]})),
        ];
        for (i, (who, action, payload)) in steps.into_iter().enumerate() {
            let reply = api.act(who, handover, &format!("old-{i}"), action, payload).await;
            assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.json());
        }
        let old = baton_core::db::enrollments::get(&test.db, handover).await.expect("read").expect("there");
        assert_eq!((old.plugin_version.as_str(), old.done), ("0.1.2", 4));

        let ask = |apply: &str| json!({"module": "handover", "from": "0.1.2", "to": "0.3.1", "unit": COUNTY, "apply": apply});
        let dry = upgrade(&api, &province, ask("none")).await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.json());
        let dry = dry.json();
        let checked = dry["checked"].as_i64().expect("checked");
        assert!(checked >= 3, "every village of the county: {dry}");
        assert_eq!((&dry["same"], &dry["different"], &dry["fails"], &dry["moved"]), (&json!(checked), &json!(0), &json!(0), &json!(0)), "{dry}");
        assert_eq!(line(&dry, handover)["result"], "same");

        let applied = upgrade(&api, &province, ask("same")).await.json();
        assert_eq!(applied["moved"], json!(checked), "{applied}");
        let moved = baton_core::db::enrollments::get(&test.db, handover).await.expect("read").expect("there");
        assert_eq!((moved.plugin_version.as_str(), moved.done, &moved.state), ("0.3.1", 4, &old.state));
        // 0.3.1 says whose turn: the archives wait for the secretary.
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        let line = mine.as_array().expect("a list").iter().find(|s| s["id"] == handover).expect("listed");
        assert_eq!(line["my_turn"], true, "{line}");
        test.cleanup().await;
    }
}
