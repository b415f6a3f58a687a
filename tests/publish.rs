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
        // Each reason in Chinese for the province, and in English with the
        // detail a developer needs.
        for (wasm, why, zh) in [
            (fixtures::FUTURE.to_vec(), "9.9.0", "按接口契约 9.9.0 编译，本平台只能运行契约"),
            (b"hello".to_vec(), "not a WebAssembly component", "不是 WebAssembly 组件"),
            (
                vec![0u8; baton_host::registry::MAX_PACKAGE + 1],
                "the limit is",
                "超过上限",
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
            assert!(body["problems"][0]["en"].as_str().unwrap_or_default().contains(why), "{why}: {body}");
            let chinese = body["problems"][0]["zh"].as_str().unwrap_or_default();
            assert!(chinese.contains(zh) && !chinese.contains("the ") && !chinese.contains("not a"), "{zh}: {body}");
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

per_backend! {
    /// Signed packages: once a province has a key, it publishes only what it
    /// signed with that key, unchanged; an unsigned package, another
    /// province's key or one changed byte is refused, saying which. A stored
    /// package changed in the database afterwards is refused when loaded,
    /// named — and so is one whose key was revoked.
    async fn a_province_with_a_key_publishes_only_what_it_signed(test: TestDb) {
        use baton_host::signing;
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let now = baton_host::clock::now();
        let ours = signing::register(&test.db, Some(PROVINCE), now).await.expect("a key");
        let theirs = signing::register(&test.db, Some("510000000000"), now).await.expect("another's");
        assert!(signing::register(&test.db, Some("500155000000"), now).await.is_err(), "a county has no key");
        let refused = |reply: &Reply, says: &str| {
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", message(reply));
            assert!(message(reply).contains(says), "says `{says}`: {}", message(reply));
        };
        refused(&publish(&api, &province, "", fixtures::TALLY).await, "this one is unsigned");
        let signed_by_them = signing::sign(fixtures::TALLY, &theirs);
        refused(&publish(&api, &province, "", &signed_by_them).await, "signed by 510000000000's key");
        let signed = signing::sign(fixtures::TALLY, &ours);
        let mut changed = signed.clone();
        let label = b"fixture-tally@0.1.0";
        let at = changed.windows(label.len()).position(|w| w == label).expect("the package's label");
        changed[at + 12] = b'z';
        refused(&publish(&api, &province, "", &changed).await, "changed after it was signed");
        assert_eq!(api.count("SELECT COUNT(*) FROM plugins WHERE id = 'fixture-tally'").await, 0, "nothing stored");

        let reply = publish(&api, &province, "", &signed).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", message(&reply));
        let key_id = signing::key_id(&ours.verifying_key());
        let stored: Option<String> = sqlx::query_scalar("SELECT signed_by FROM plugins WHERE id = 'fixture-tally'")
            .fetch_one(test.db.pool())
            .await
            .expect("stored");
        assert_eq!(stored.as_deref(), Some(key_id.as_str()));
        let fresh = || AppState::new(test.db.clone(), runtime());
        fresh().plugin("fixture-tally", "0.1.0").await.expect("the signed package loads");

        // Changed in the database: refused at load, named.
        let tamper = |bytes: Vec<u8>, sha: Option<String>| {
            let db = test.db.clone();
            async move {
                sqlx::query("UPDATE plugins SET wasm = $1, sha256 = COALESCE($2, sha256) WHERE id = 'fixture-tally'")
                    .bind(bytes)
                    .bind(sha)
                    .execute(db.pool())
                    .await
                    .expect("tampered");
            }
        };
        let load_error = || async {
            let err = fresh().plugin("fixture-tally", "0.1.0").await.err().expect("refused at load");
            format!("{err:#}")
        };
        tamper(changed.clone(), None).await;
        let err = load_error().await;
        assert!(err.contains("fixture-tally@0.1.0") && err.contains("does not match its sha256"), "{err}");
        let sha = {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(&changed))
        };
        tamper(changed.clone(), Some(sha)).await;
        let err = load_error().await;
        assert!(err.contains("fixture-tally@0.1.0") && err.contains(&format!("signature by key {key_id} no longer holds")), "{err}");

        // Put back, then the key revoked: what it signed no longer loads.
        let sha = {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(&signed))
        };
        tamper(signed.clone(), Some(sha)).await;
        fresh().plugin("fixture-tally", "0.1.0").await.expect("loads again");
        assert!(signing::revoke(&test.db, &key_id, now).await.expect("revoke"));
        assert!(load_error().await.contains("no longer holds"));
        test.cleanup().await;
    }
}
