//! The server over a real database, on SQLite and (when `DATABASE_URL` is
//! set) PostgreSQL: migrations, built-in registration, the hierarchy, and
//! HTTP through the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use baton_core::db::org_units::{self, Level, OrgUnit};
use baton_host::app::{AppState, router as app};
use baton_host::import::ImportError;
use baton_host::registry::register_built_ins;
use baton_tests::{per_backend, runtime};
use tower::ServiceExt;

async fn get(state: &AppState, uri: &str) -> (StatusCode, serde_json::Value) {
    get_as(state, uri, None).await
}

async fn get_as(
    state: &AppState,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut request = Request::get(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Body::empty()).expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("response");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

per_backend! {
    async fn built_ins_are_registered_once_and_listed(test: TestDb) {
        let backend = test.db.backend();
        let rt = runtime();
        let added = register_built_ins(&test.db, &rt, 1_767_225_600)
            .await
            .expect("register");
        assert_eq!(
            added,
            [
                "handover@0.3.1",
                "visits@0.3.0",
                "first-lesson@0.4.1",
                "duties@0.3.0",
                "open-door@0.3.0",
                "swearing-in@0.2.0",
                "look-back@0.1.0",
                "pledge@0.1.1",
                "procedure@0.1.0"
            ],
            "{backend:?}"
        );
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
        let (status, _) = get(&state, "/api/v1/modules").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "signed-in users only");
        let account = baton_core::db::accounts::create(
            &test.db,
            &baton_core::db::accounts::NewAccount {
                username: "trainer",
                password_hash: "unused",
                display_name: "trainer",
                person_id: None,
                grants: &[],
            },
            0,
        )
        .await
        .expect("account");
        let token =
            baton_core::db::accounts::open_session(&test.db, account, baton_host::clock::now())
                .await
                .expect("session");
        let (status, body) = get_as(&state, "/api/v1/modules", Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        let handover = body
            .as_array()
            .and_then(|m| m.iter().find(|m| m["id"] == "handover"))
            .unwrap_or_else(|| panic!("{backend:?}: no handover in {body}"));
        assert_eq!(body.as_array().map(Vec::len), Some(9), "eight modules and the procedure kind");
        assert_eq!(handover["built_in"], true);
        assert_eq!(handover["info"]["actions"][0]["name"], "declare");
        let stored = baton_core::db::plugins::wasm(&test.db, "handover", "0.3.1")
            .await
            .expect("query");
        let built_in = baton_host::registry::BUILT_IN[0].1;
        assert_eq!(
            stored.map(|s| s.wasm).as_deref(),
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

per_backend! {
    async fn a_subtree_is_the_unit_and_everything_below_never_siblings(test: TestDb) {
        let db = &test.db;
        let units = [
            unit("500000000000", Level::Province, "重庆市", None),
            unit("500100000000", Level::City, "市辖区", Some("500000000000")),
            unit(
                "500155000000",
                Level::County,
                "梁平区",
                Some("500100000000"),
            ),
            unit(
                "500155108000",
                Level::Township,
                "龙河镇",
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
                "石桥村",
                Some("500155108000"),
            ),
            unit(
                "500156000000",
                Level::County,
                "武隆区",
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
            baton_host::import::unit(db, u).await.expect("insert");
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
            "无主村",
            Some("500155108999"),
        );
        let err = baton_host::import::unit(db, &orphan)
            .await
            .expect_err("no parent")
            .to_string();
        assert!(
            err.contains("500155108999 is neither in the file nor in the database"),
            "{err}"
        );
        let upside_down = unit(
            "500155108300",
            Level::County,
            "倒置县",
            Some("500155108000"),
        );
        let err = baton_host::import::unit(db, &upside_down)
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

const TREE: &str = "代码,层级,名称,上级代码
610000000000,省,陕西省,
610100000000,市,西安市,610000000000
610122000000,县,蓝田县,610100000000
610122100000,镇,蓝关街道,610122000000
610122100201,村,许家庙村,610122100000
610122100202,社区,北关社区,610122100000
";

per_backend! {
    async fn an_org_tree_imports_from_a_chinese_excel_export(test: TestDb) {
        // Excel on a Chinese Windows writes GB18030.
        let (gbk, _, _) = encoding_rs::GB18030.encode(TREE);
        let added = baton_host::import::org_units(&test.db, &gbk)
            .await
            .expect("imports");
        assert_eq!(added, 6, "{:?}", test.db.backend());
        let county = org_units::subtree(&test.db, "610122000000")
            .await
            .expect("subtree");
        let names: Vec<&str> = county.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["蓝田县", "蓝关街道", "许家庙村", "北关社区"]);
        assert_eq!(county[3].level, Level::Village);

        // The same file again: every row already exists, and nothing changes.
        let Err(ImportError::Rows(errors)) =
            baton_host::import::org_units(&test.db, TREE.as_bytes()).await
        else {
            panic!("a second import must be refused");
        };
        assert_eq!(errors.len(), 6);
        assert_eq!(
            errors[0].to_string(),
            "line 2, code: 610000000000 already exists"
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn one_bad_row_imports_nothing_and_every_bad_row_is_named(test: TestDb) {
        let csv = "code,level,name,parent_code
610000000000,province,陕西省,
610100000000,city,西安市,610000000000
61012200000,county,蓝田县,610100000000
610122100000,hamlet,蓝关街道,610122000000
620122100201,village,错省村,610100000000
610122100202,village,孤儿村,610122999999
610123100000,township,错县镇,610122000000
610124000001,county,坏码县,610100000000
";
        let Err(ImportError::Rows(errors)) =
            baton_host::import::org_units(&test.db, csv.as_bytes()).await
        else {
            panic!("bad rows must be refused");
        };
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 4, code: `61012200000` must be a 12-digit GB/T 2260 code",
                "line 5, level: `hamlet` must be province, city, county, township or village (省/市/县/区/乡/镇/街道/村/社区)",
                "line 9, code: a county's code ends in 6 zeros",
            ],
            "{:?}",
            test.db.backend()
        );
        // Fix the format errors: the tree errors surface, still all at once.
        let fixed = csv
            .replace("61012200000,", "610122000000,")
            .replace("hamlet", "township")
            .replace("610124000001", "610124000000");
        let Err(ImportError::Rows(errors)) =
            baton_host::import::org_units(&test.db, fixed.as_bytes()).await
        else {
            panic!("bad rows must be refused");
        };
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 6, code: 620122100201 does not start with its parent's prefix 6101",
                "line 7, parent_code: 610122999999 is neither in the file nor in the database",
                "line 8, code: 610123100000 does not start with its parent's prefix 610122",
            ]
        );
        assert!(
            org_units::subtree(&test.db, "610000000000")
                .await
                .expect("subtree")
                .is_empty(),
            "nothing imported"
        );
        test.cleanup().await;
    }
}
