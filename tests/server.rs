//! The server over a real database, on SQLite and (when `DATABASE_URL` is
//! set) PostgreSQL: migrations, built-in registration, the hierarchy, and
//! HTTP through the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_host::db::org_units::{self, Level, OrgUnit};
use baton_host::http::{AppState, app};
use baton_host::registry::register_built_ins;
use baton_tests::{databases, runtime};
use tower::ServiceExt;

async fn get(state: &AppState, uri: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("response");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

#[tokio::test]
async fn built_ins_are_registered_once_and_listed() {
    for test in databases().await {
        let backend = test.db.backend();
        let rt = runtime();
        let added = register_built_ins(&test.db, &rt, 1_767_225_600)
            .await
            .expect("register");
        assert_eq!(added, ["handover@0.1.0"], "{backend:?}");
        let again = register_built_ins(&test.db, &rt, 1_767_225_601)
            .await
            .expect("register again");
        assert!(again.is_empty(), "{backend:?}: a version is stored once");

        let state = AppState::new(test.db.clone(), rt);
        let (status, body) = get(&state, "/healthz").await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, serde_json::json!({"status": "ok"})),
            "{backend:?}"
        );
        let (status, body) = get(&state, "/api/v1/modules").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body[0]["id"], "handover", "{backend:?}: {body}");
        assert_eq!(body[0]["built_in"], true);
        assert_eq!(body[0]["info"]["actions"][0]["name"], "declare");
        let stored = baton_host::db::plugins::wasm(&test.db, "handover", "0.1.0")
            .await
            .expect("query");
        let built_in = baton_host::registry::BUILT_IN[0].1;
        assert_eq!(
            stored.as_deref(),
            Some(built_in),
            "{backend:?}: the bytes round-trip"
        );
        test.cleanup().await;
    }
}

fn unit(code: &str, level: Level, name: &str, parent: Option<&str>) -> OrgUnit {
    OrgUnit {
        code: code.into(),
        level,
        name: name.into(),
        parent_code: parent.map(Into::into),
    }
}

#[tokio::test]
async fn a_subtree_is_the_unit_and_everything_below_never_siblings() {
    for test in databases().await {
        let db = &test.db;
        let units = [
            unit("500000000000", Level::Province, "重慶市", None),
            unit(
                "500100000000",
                Level::City,
                "市轄區(qū)",
                Some("500000000000"),
            ),
            unit(
                "500155000000",
                Level::County,
                "梁平區(qū)",
                Some("500100000000"),
            ),
            unit(
                "500155108000",
                Level::Township,
                "龍河鎮(zhèn)",
                Some("500155000000"),
            ),
            unit(
                "500155108201",
                Level::Village,
                "桂花村",
                Some("500155108000"),
            ),
            unit(
                "500155108202",
                Level::Village,
                "石橋村",
                Some("500155108000"),
            ),
            unit(
                "500156000000",
                Level::County,
                "武隆區(qū)",
                Some("500100000000"),
            ),
            unit(
                "500156100000",
                Level::Township,
                "仙女山街道",
                Some("500156000000"),
            ),
        ];
        for u in &units {
            org_units::insert(db, u).await.expect("insert");
        }
        let codes = |units: Vec<OrgUnit>| units.into_iter().map(|u| u.code).collect::<Vec<_>>();
        let county = codes(
            org_units::subtree(db, "500155000000")
                .await
                .expect("subtree"),
        );
        assert_eq!(
            county,
            [
                "500155000000",
                "500155108000",
                "500155108201",
                "500155108202"
            ],
            "{:?}",
            db.backend()
        );
        let village = codes(
            org_units::subtree(db, "500155108201")
                .await
                .expect("subtree"),
        );
        assert_eq!(village, ["500155108201"]);
        assert_eq!(
            org_units::subtree(db, "500000000000")
                .await
                .expect("subtree")
                .len(),
            units.len()
        );
        assert!(
            org_units::subtree(db, "999999999999")
                .await
                .expect("subtree")
                .is_empty()
        );

        let orphan = unit(
            "500155108299",
            Level::Village,
            "無主村",
            Some("500155108999"),
        );
        let err = org_units::insert(db, &orphan)
            .await
            .expect_err("no parent")
            .to_string();
        assert!(err.contains("parent 500155108999 does not exist"), "{err}");
        let upside_down = unit(
            "500155108300",
            Level::County,
            "倒置縣",
            Some("500155108000"),
        );
        let err = org_units::insert(db, &upside_down)
            .await
            .expect_err("wrong level")
            .to_string();
        assert!(
            err.contains("a county cannot sit under a township"),
            "{err}"
        );
        test.cleanup().await;
    }
}
