//! `baton backup` while the server acts, `baton restore` into an empty
//! place, on both backends: the copy is one consistent moment (a counter's
//! state equals the actions its log holds), holds every action acknowledged
//! before the backup began, verifies its sign-off chain, and nothing is ever
//! overwritten.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::Db;
use baton_host::demo::VILLAGE;
use baton_tests::api::Api;
use baton_tests::{fixtures, per_backend};
use clap::Parser as _;
use serde_json::json;

fn cli(url: &str, args: &[&str]) -> baton_host::cli::Cli {
    let mut all = vec!["baton", "--database-url", url];
    all.extend_from_slice(args);
    baton_host::cli::Cli::parse_from(all)
}

per_backend! {
    #[multi_thread]
    async fn a_running_database_is_backed_up_and_restored_whole(test: TestDb) {
        let api = Arc::new(Api::new(&test).await);
        let (nation, province, secretary, township) = (
            api.token("nation").await,
            api.token("province").await,
            api.token("secretary").await,
            api.token("township").await,
        );
        // A sign-off in the chain, so the restore's check has one to walk.
        let pledge = api.enrollment_of(&nation, VILLAGE, "pledge").await;
        let signed = api.act(&secretary, pledge, "b-1", "sign", json!({"agree": true})).await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.json());
        // A counter the township adds 1 to, over and over, during the backup.
        let request = Request::post("/api/v1/modules")
            .header(header::AUTHORIZATION, format!("Bearer {nation}"))
            .header(header::CONTENT_TYPE, "application/wasm")
            .body(Body::from(fixtures::TALLY.to_vec()))
            .expect("request");
        assert_eq!(api.send(request).await.status, StatusCode::CREATED);
        let assigned = api
            .post(
                &province,
                "/api/v1/assignments",
                None,
                json!({"module": "fixture-tally", "version": "0.1.0", "unit": VILLAGE, "due": "2099-06-30"}),
            )
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        let tally = api.enrollment_of(&nation, VILLAGE, "fixture-tally").await;

        let acked = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (api, acked, stop, township) = (api.clone(), acked.clone(), stop.clone(), township.clone());
            tokio::spawn(async move {
                let mut key = 0;
                while !stop.load(Ordering::SeqCst) {
                    key += 1;
                    let reply = api.act(&township, tally, &format!("t-{key}"), "add", json!({"n": 1})).await;
                    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
                    acked.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        while acked.load(Ordering::SeqCst) < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }

        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("baton.backup");
        let file = file.to_str().expect("utf-8");
        let before = acked.load(Ordering::SeqCst);
        cli(&test.url, &["backup", file]).run().await.expect("the backup runs beside the writes");
        let after = acked.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        writer.await.expect("the writer never failed");
        assert!(after > before, "actions were acknowledged while the backup ran ({before} → {after})");
        assert!(!std::path::Path::new(&format!("{file}.partial")).exists(), "no partial file left");

        let again = cli(&test.url, &["backup", file]).run().await.expect_err("never overwrites");
        assert!(again.to_string().contains("never overwrites"), "{again}");

        // Restored into an empty place, the chain is verified by the command.
        let place = test.empty_place().await;
        cli(&place.url, &["restore", file]).run().await.expect("restores and verifies");
        let restored = Db::connect(&place.url).await.expect("the restored database opens");
        let (state, log): (Option<String>, i64) = sqlx::query_as(&format!(
            "SELECT e.state, (SELECT COUNT(*) FROM actions a WHERE a.enrollment_id = e.id AND a.result = 'accepted') \
             FROM enrollments e WHERE e.id = {tally}"
        ))
        .fetch_one(restored.pool())
        .await
        .expect("the counter is in the copy");
        let count: i64 = state.as_deref().unwrap_or("0").parse().expect("the counter's state is a number");
        assert_eq!(count, log, "one moment: the state and the log agree");
        assert!(
            (before..=after).contains(&log),
            "every action acknowledged before the backup began is in it: {before} ≤ {log} ≤ {after}"
        );
        let (enrollments,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enrollments")
            .fetch_one(restored.pool())
            .await
            .expect("count");
        let (source,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM enrollments")
            .fetch_one(test.db.pool())
            .await
            .expect("count");
        assert_eq!(enrollments, source);
        drop(restored);

        // Never into a database that has data; never a file that is no backup.
        let refused = cli(&place.url, &["restore", file]).run().await.expect_err("the place is taken");
        assert!(refused.to_string().contains("restore into"), "{refused}");
        let junk = dir.path().join("junk.backup");
        std::fs::write(&junk, b"not a backup at all").expect("write");
        let fresh = test.empty_place().await;
        let refused = cli(&fresh.url, &["restore", junk.to_str().expect("utf-8")]).run().await.expect_err("junk");
        assert!(refused.to_string().contains("not a Baton backup"), "{refused}");
    }
}
