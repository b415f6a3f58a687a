//! Publishing a module version through the API: every check the server makes
//! before storing anything, ownership by province, versions that only go up,
//! the audit trail, and a second host on the same database using the new
//! version without a restart.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_core::db::accounts::{self, NewAccount};
use baton_host::app::AppState;
use baton_host::demo::PROVINCE;
use baton_sdk::Role;
use baton_tests::api::{Api, Reply};
use baton_tests::{fixtures, per_backend, runtime};
use serde_json::{Value, json};

async fn publish(api: &Api, token: &str, query: &str, wasm: &[u8]) -> Reply {
    let request = Request::post(format!("/api/v1/modules{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/wasm")
        .body(Body::from(wasm.to_vec()))
        .expect("request");
    api.send(request).await
}

fn message(reply: &Reply) -> String {
    let body: Value = reply.json();
    body.to_string()
}

per_backend! {
    async fn a_province_publishes_its_own_module_once_per_version_and_it_is_audited(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        // A second host process on the same database, started before the publish.
        let other = AppState::new(test.db.clone(), runtime());

        let reply = publish(&api, &province, "", fixtures::PANICKY).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", message(&reply));
        let body = reply.json();
        assert_eq!(body["id"], "fixture-panicky");
        assert_eq!(body["owner"], PROVINCE);
        let events: (i64, String) = sqlx::query_as(
            "SELECT e.account_id, e.sha256 FROM plugin_events e JOIN accounts a ON a.id = e.account_id
         WHERE e.plugin_id = 'fixture-panicky' AND a.username = 'province'",
        )
        .fetch_one(test.db.pool())
        .await
        .expect("one audit entry, by the province administrator");
        assert_eq!(events.1, body["sha256"].as_str().expect("sha256"));

        let again = publish(&api, &province, "", fixtures::PANICKY).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", message(&again));
        assert!(message(&again).contains("never overwritten"));

        // Another province may neither overwrite nor take over the id.
        let now = baton_host::clock::now();
        let sichuan = accounts::create(
            &test.db,
            &NewAccount {
                username: "sichuan",
                password_hash: "unused",
                display_name: "四川省管理员",
                person_id: None,
                grants: &[(Role::ProvinceAdmin, Some("510000000000"))],
            },
            now,
        )
        .await
        .expect("account");
        let sichuan = accounts::open_session(&test.db, sichuan, now)
            .await
            .expect("session");
        let theirs = publish(&api, &sichuan, "", fixtures::PANICKY).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", message(&theirs));
        assert!(message(&theirs).contains(PROVINCE), "{}", message(&theirs));
        let into_other =
            publish(&api, &province, "?province=510000000000", fixtures::PANICKY).await;
        assert_eq!(into_other.status, StatusCode::FORBIDDEN);

        // The other host assigns the new module at once: no restart.
        let other_api = Api::with_state(other);
        let assigned = other_api
            .post(
                &province,
                "/api/v1/assignments",
                None,
                json!({"module": "fixture-panicky", "version": "0.0.1", "unit": PROVINCE, "due": "2099-06-30"}),
            )
            .await;
        assert_eq!(
            assigned.status,
            StatusCode::CREATED,
            "{}",
            message(&assigned)
        );
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plugin_events")
            .fetch_one(test.db.pool())
            .await
            .expect("count");
        assert_eq!(count, 1, "refused publishes leave no trace");
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_package_that_fails_any_check_is_refused_with_every_reason_and_nothing_stored(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plugins")
            .fetch_one(test.db.pool())
            .await
            .expect("count");
        for (wasm, why) in [
            (fixtures::FUTURE.to_vec(), "9.9.0"),
            (b"hello".to_vec(), "not a WebAssembly component"),
            (
                vec![0u8; baton_host::registry::MAX_PACKAGE + 1],
                "the limit is",
            ),
        ] {
            let reply = publish(&api, &province, "", &wasm).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{why}: {}",
                message(&reply)
            );
            let body = reply.json();
            assert_eq!(body["error"], "invalid-package");
            assert!(body["problems"].to_string().contains(why), "{why}: {body}");
        }
        // A built-in module's id is the platform's.
        let (_, swearing) = baton_host::registry::BUILT_IN
            .iter()
            .find(|(n, _)| *n == "swearing-in")
            .expect("built in");
        let built_in = publish(&api, &province, "", swearing).await;
        assert_eq!(
            built_in.status,
            StatusCode::FORBIDDEN,
            "{}",
            message(&built_in)
        );
        // Only administrators publish; a county trainer does not.
        let county = api.token("county").await;
        let reply = publish(&api, &county, "", fixtures::PANICKY).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let bad_province =
            publish(&api, &province, "?province=500155000000", fixtures::PANICKY).await;
        assert_eq!(
            bad_province.status,
            StatusCode::BAD_REQUEST,
            "a county is not a province"
        );
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plugins")
            .fetch_one(test.db.pool())
            .await
            .expect("count");
        assert_eq!(before, after, "nothing stored");
        test.cleanup().await;
    }
}
