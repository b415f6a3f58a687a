//! A real deployment from an empty database, through the real router:
//! the first administrator, the org tree, a county's staff from CSV, a
//! roster, activation slips, a secretary's first sign-in; resets and
//! switching off end sessions; every refusal is a 4xx naming the field or
//! line, and writes nothing.

use axum::http::StatusCode;
use baton_host::accounts::create_admin;
use baton_host::error::Error;
use baton_sdk::Role;
use baton_tests::api::{Api, Reply};
use baton_tests::per_backend;
use serde_json::{Value, json};

const TREE: &str = "代码,层级,名称,上级代码
500000000000,省,重庆市,
500100000000,市,重庆市辖区,500000000000
500155000000,区,梁平区,500100000000
500155108000,镇,礼让镇,500155000000
500155108201,村,桂花村,500155108000
500155109000,镇,金带街道,500155000000
500155109201,社区,双桂社区,500155109000
510000000000,省,四川省,
510100000000,市,成都市,510000000000
510121000000,县,金堂县,510100000000
510121100000,镇,赵镇,510121000000
510121100201,村,赵家村,510121100000
";

const STRONG: &str = "Guihua-2026-jieli";

async fn activate(api: &Api, username: &str, code: &str, password: &str) -> Reply {
    let request = axum::http::Request::post("/api/v1/activate")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            json!({"username": username, "code": code, "password": password}).to_string(),
        ))
        .expect("request");
    api.send(request).await
}

fn token(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
    reply.json()["token"].as_str().expect("token").to_owned()
}

fn code_of<'a>(issued: &'a Value, username: &str) -> &'a str {
    issued
        .as_array()
        .and_then(|a| a.iter().find(|i| i["username"] == username))
        .and_then(|i| i["code"].as_str())
        .unwrap_or_else(|| panic!("no code for {username} in {issued}"))
}

async fn accounts(api: &Api) -> i64 {
    api.count("SELECT COUNT(*) FROM accounts").await
}

per_backend! {
    async fn a_county_goes_live_from_an_empty_database(test: TestDb) {
        let api = Api::empty(&test).await;
        let db = &test.db;

        // The first administrator, on the server's command line: a weak
        // password is refused and writes nothing.
        let weak = create_admin(db, "admin", "管理员", Role::NationalAdmin, None, "12345678").await;
        assert!(
            matches!(&weak, Err(Error::BadRequest { field, .. }) if field == "password"),
            "{weak:?}"
        );
        let short = create_admin(db, "admin", "管理员", Role::NationalAdmin, None, "abc").await;
        assert!(matches!(&short, Err(Error::BadRequest { field, .. }) if field == "password"));
        assert_eq!(accounts(&api).await, 0);
        create_admin(db, "admin", "全国管理员", Role::NationalAdmin, None, STRONG)
            .await
            .expect("the first administrator");
        let nation = token(&api.login("admin", STRONG).await);

        // The org tree a county hands over: Simplified headers and levels.
        let added = baton_host::import::org_units(db, TREE.as_bytes()).await.expect("tree");
        assert_eq!(added, 12);

        // Staff from CSV: every bad line named, nothing written.
        let bad = "用户名,姓名,电话,角色,单位代码
cq-admin,李敏,,省级管理员,500000000000
lp-trainer,,,县级培训人员,500155000000
lp-trainer2,周文,,校长,500155000000
lp-officer,陈立,,乡镇干部,500155000000
cq-admin,重名,,乡镇干部,500155108000
lp-city,周城,,市级组织干部,500155000000
";
        let before = accounts(&api).await;
        let reply = api.post_raw(&nation, "/api/v1/accounts/import", "text/csv", bad.as_bytes().to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.json());
        let lines: Vec<String> = reply.json()["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| format!("{} {}", r["line"], r["column"].as_str().unwrap_or("-")))
            .collect();
        assert_eq!(lines, ["3 name", "4 role", "5 unit_code", "6 -", "7 unit_code"], "{}", reply.json());
        assert_eq!(accounts(&api).await, before, "all or nothing");

        // An unknown header is one error naming it and the columns expected.
        let reply = api.post_raw(&nation, "/api/v1/accounts/import", "text/csv", b"who,what\nx,y\n".to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rows = reply.json()["rows"].as_array().expect("rows").clone();
        assert_eq!(rows.len(), 1, "{rows:?}");
        let message = rows[0]["message"]["en"].as_str().unwrap_or_default();
        assert!(message.contains("who,what") && message.contains("username,name,phone,role,unit_code"), "{message}");
        let chinese = rows[0]["message"]["zh"].as_str().unwrap_or_default();
        assert!(chinese.contains("缺少用户名、姓名、角色、单位代码列") && !chinese.contains("lacks"), "{chinese}");

        // GB18030, as Excel on a Chinese Windows saves it.
        let good = "用户名,姓名,电话,角色,单位代码
cq-admin,重庆市委组织部 李敏,,省级管理员,500000000000
lp-trainer,梁平区委组织部 周文,,县级培训人员,500155000000
cq-city,重庆市辖区 组织部 王城,,市级组织干部,500100000000
";
        let (gbk, _, _) = encoding_rs::GB18030.encode(good);
        let reply = api.post_raw(&nation, "/api/v1/accounts/import", "text/csv", gbk.to_vec()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
        let issued = reply.json();
        let province = token(&activate(&api, "cq-admin", code_of(&issued, "cq-admin"), STRONG).await);
        let county = token(&activate(&api, "lp-trainer", code_of(&issued, "lp-trainer"), STRONG).await);
        // The city officer from the same sheet sees its counties, not another city's.
        let city = token(&activate(&api, "cq-city", code_of(&issued, "cq-city"), STRONG).await);
        let mine = api.get(&city, "/api/v1/reports/completion?unit=500155000000").await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.json());
        let other = api.get(&city, "/api/v1/reports/completion?unit=510121000000").await;
        assert_eq!(other.status, StatusCode::FORBIDDEN, "another city's county");

        // The county trainer makes its township officer; nothing above its
        // own role, nothing outside its county.
        let officer = json!({"username": "lr-officer", "name": "礼让镇 陈立", "role": "township-officer", "unit_code": "500155108000"});
        for (body, status, field) in [
            (json!({"username": "extra-1", "name": "甲", "role": "province-admin", "unit_code": "500000000000"}), StatusCode::FORBIDDEN, None),
            (json!({"username": "extra-2", "name": "乙", "role": "county-trainer", "unit_code": "500155000000"}), StatusCode::FORBIDDEN, None),
            (json!({"username": "extra-3", "name": "丙", "role": "township-officer", "unit_code": "510121000000"}), StatusCode::BAD_REQUEST, Some("unit_code")),
            (json!({"username": "extra-4", "name": "丁", "role": "township-officer", "unit_code": "999999999999"}), StatusCode::BAD_REQUEST, Some("unit_code")),
            (json!({"username": "a b", "name": "戊", "role": "township-officer", "unit_code": "500155108000"}), StatusCode::BAD_REQUEST, Some("username")),
        ] {
            let before = accounts(&api).await;
            let reply = api.post(&county, "/api/v1/accounts", None, body.clone()).await;
            assert_eq!(reply.status, status, "{body} → {}", reply.json());
            assert_eq!(reply.json()["field"].as_str(), field, "{}", reply.json());
            assert_eq!(accounts(&api).await, before, "{body} wrote nothing");
        }
        let out_of_county = json!({"username": "jt-trainer", "name": "金堂", "role": "county-trainer", "unit_code": "510121000000"});
        let reply = api.post(&province, "/api/v1/accounts", None, out_of_county).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "a province never reaches another");
        let reply = api.post(&county, "/api/v1/accounts", None, officer).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let issued = reply.json();
        let township = token(&activate(&api, "lr-officer", issued["code"].as_str().expect("code"), STRONG).await);

        // The province assigns the handover to its county.
        let reply = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "handover", "version": "0.3.1", "unit": "500155000000", "due": "2099-06-30"}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());

        // The roster: everyone gets an account and a code; a phone is the login name.
        let roster = "村代码,组织,姓名,职务,状态,任职年限,电话
500155108201,党组织,张建国,书记,在任,,13800000001
500155108201,村委会,张建国,主任,在任,,13800000001
500155108201,村委会,李秀英,委员,,,
500155108201,党组织,王德福,书记,离任,12,
";
        let imported = baton_host::import::roster(db, roster.as_bytes(), "2026", "2026-11-01")
            .await
            .expect("roster");
        assert_eq!((imported.people, imported.seats, imported.accounts.len()), (3, 4, 3));

        // A county uploads only its own villages' rosters.
        let trainer = baton_core::db::accounts::principal(db, &county, baton_host::clock::now())
            .await
            .expect("query")
            .expect("session");
        let elsewhere = "村代码,组织,姓名,职务\n500155109201,党组织,赵刚,书记\n510121100201,党组织,钱强,书记\n";
        let people = api.count("SELECT COUNT(*) FROM people").await;
        let refused = baton_host::import::roster_as(db, Some(&trainer), elsewhere.as_bytes(), "2026", "2026-11-01")
            .await
            .expect_err("out of scope");
        assert_eq!(refused.to_string(), "1 bad rows, nothing imported:\nline 3, village_code: 510121100201 is outside your scope");
        assert_eq!(api.count("SELECT COUNT(*) FROM people").await, people);

        // The township officer prints the village's slips; the next township's cannot.
        let reply = api.get(&township, "/api/v1/units/500155108201/slips").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        let slips = reply.json();
        let names: Vec<(&str, &str)> = slips
            .as_array()
            .expect("slips")
            .iter()
            .map(|s| (s["name"].as_str().unwrap_or(""), s["username"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(names, [("张建国", "13800000001"), ("李秀英", "500155108201-01"), ("王德福", "500155108201-02")]);
        assert_eq!(api.get(&township, "/api/v1/units/500155109201/slips").await.status, StatusCode::FORBIDDEN);
        let secretary_code = slips[0]["code"].as_str().expect("code").to_owned();

        // First sign-in: a weak password or a wrong code is refused and the
        // code still works; then it is used up.
        let weak = activate(&api, "13800000001", &secretary_code, "88888888").await;
        assert_eq!((weak.status, weak.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password")));
        let wrong = activate(&api, "13800000001", "00000000", STRONG).await;
        assert_eq!((wrong.status, wrong.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("code")));
        let secretary = token(&activate(&api, "13800000001", &secretary_code, STRONG).await);
        let reused = activate(&api, "13800000001", &secretary_code, "another-Strong-1").await;
        assert_eq!(reused.status, StatusCode::BAD_REQUEST, "a code works once");

        // Who am I, and my modules.
        let me = api.get(&secretary, "/api/v1/me").await.json();
        assert_eq!(me["display_name"], "张建国");
        assert_eq!(me["roles"][0]["role"], "secretary");
        assert_eq!(me["roles"][0]["unit_name"], "桂花村");
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.json().to_string().contains("handover"), "{}", mine.json());

        // An expired code is refused by name; a reset issues a new one.
        sqlx::query("UPDATE activation_codes SET expires_at = 1 WHERE account_id = (SELECT id FROM accounts WHERE username = '500155108201-01')")
            .execute(db.pool())
            .await
            .expect("expire");
        let member_code = slips[1]["code"].as_str().expect("code");
        let expired = activate(&api, "500155108201-01", member_code, STRONG).await;
        assert_eq!(expired.status, StatusCode::BAD_REQUEST);
        assert!(expired.json()["message"]["zh"].as_str().unwrap_or("").contains("过期"), "{}", expired.json());
        let member_id = slips[1]["account_id"].as_i64().expect("id");
        let reset = api.post(&township, &format!("/api/v1/accounts/{member_id}/reset"), None, json!({})).await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.json());
        // Typed on a phone's Chinese keyboard: full-width digits, grouped
        // as the slip prints them, the hyphen left out.
        token(&activate(&api, "５００１ ５５１０ ８２０１ ０１", reset.json()["code"].as_str().expect("code"), STRONG).await);
        assert_eq!(api.login("5001 5510 820101", STRONG).await.status, StatusCode::OK, "signs in as typed");
        assert_eq!(api.login("500155108201-01", STRONG).await.status, StatusCode::OK);
        assert_eq!(api.login("500155108201-02", STRONG).await.status, StatusCode::UNAUTHORIZED, "another person's name is not this one");

        // A reset of the secretary ends their sessions at once.
        let secretary_id = me["account_id"].as_i64().expect("id");
        assert_eq!(api.get(&secretary, "/api/v1/me").await.status, StatusCode::OK);
        let reset = api.post(&township, &format!("/api/v1/accounts/{secretary_id}/reset"), None, json!({})).await;
        assert_eq!(reset.status, StatusCode::OK);
        assert_eq!(api.get(&secretary, "/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.login("13800000001", STRONG).await.status, StatusCode::UNAUTHORIZED, "the old password is gone");

        // Out of scope or not below: refused, nothing changes.
        let officer_id = api.get(&township, "/api/v1/me").await.json()["account_id"].as_i64().expect("id");
        assert_eq!(api.post(&township, &format!("/api/v1/accounts/{officer_id}/disable"), None, json!({})).await.status, StatusCode::FORBIDDEN);
        let county_id = api.get(&county, "/api/v1/me").await.json()["account_id"].as_i64().expect("id");
        assert_eq!(api.post(&township, &format!("/api/v1/accounts/{county_id}/reset"), None, json!({})).await.status, StatusCode::FORBIDDEN);

        // The county switches its officer off: their session ends at once.
        let off = api.post(&county, &format!("/api/v1/accounts/{officer_id}/disable"), None, json!({})).await;
        assert_eq!(off.status, StatusCode::OK, "{}", off.json());
        assert_eq!(off.json()["disabled"], true);
        assert_eq!(api.get(&township, "/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.login("lr-officer", STRONG).await.status, StatusCode::UNAUTHORIZED);
        let on = api.post(&county, &format!("/api/v1/accounts/{officer_id}/enable"), None, json!({})).await;
        assert_eq!(on.json()["disabled"], false);
        token(&api.login("lr-officer", STRONG).await);

        // Grants: the province gives the officer a second township, not a role above its own.
        let reply = api.post(&province, &format!("/api/v1/accounts/{officer_id}/grants"), None, json!({"role": "township-officer", "unit_code": "500155109000"})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        assert_eq!(reply.json()["grants"].as_array().map(Vec::len), Some(2));
        let grant_id = reply.json()["grants"][1]["id"].as_i64().expect("grant id");
        let reply = api.post(&province, &format!("/api/v1/accounts/{officer_id}/grants"), None, json!({"role": "national-admin", "unit_code": "500000000000"})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json());
        let reply = api.send(
            axum::http::Request::delete(format!("/api/v1/accounts/{officer_id}/grants/{grant_id}"))
                .header("authorization", format!("Bearer {province}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        ).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json()["grants"].as_array().map(Vec::len), Some(1));

        // Every change is on the record: who, when, what.
        let log = api.get(&county, &format!("/api/v1/accounts/{officer_id}")).await.json();
        let events: Vec<&str> = log["events"].as_array().expect("events").iter().filter_map(|e| e["event"].as_str()).collect();
        assert_eq!(events, ["created", "code-issued", "activated", "disabled", "enabled", "granted", "revoked"]);
        assert_eq!(log["events"][0]["actor"], "lp-trainer");
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_person_elected_again_keeps_their_account(test: TestDb) {
        let api = Api::empty(&test).await;
        let db = &test.db;
        baton_host::import::org_units(db, TREE.as_bytes()).await.expect("tree");
        let first = "village_code,committee,name,post,status,years_served,phone\n\
                     500155108201,party-branch,张建国,书记,,,13800000001\n";
        let imported = baton_host::import::roster(db, first.as_bytes(), "2021", "2021-11-01").await.expect("2021");
        let code = imported.accounts[0].code.clone();
        token(&activate(&api, "13800000001", &code, STRONG).await);
        let again = "village_code,committee,name,post,status,years_served,phone\n\
                     500155108201,party-branch,张建国,书记,,5,13800000001\n";
        let imported = baton_host::import::roster(db, again.as_bytes(), "2026", "2026-11-01").await.expect("2026");
        assert_eq!((imported.people, imported.accounts.len()), (0, 0), "the same person, the same account");
        token(&api.login("13800000001", STRONG).await);
        test.cleanup().await;
    }
}

per_backend! {
    /// 查阅复制 (个人信息保护法): a cadre downloads what the platform holds
    /// about them — particulars, seats, accounts, what they did and signed —
    /// from 我的任务; the county exports a person of its villages for them,
    /// the full ID number included, and both exports and the sight of the ID
    /// number are in the person's access log, which the export shows; a
    /// village cadre may not export another, and an official with no roster
    /// entry has nothing to export.
    async fn a_person_gets_a_copy_of_their_data_and_every_export_is_logged(test: TestDb) {
        let api = Api::new(&test).await;
        let (outgoing, county, secretary) = (api.token("outgoing").await, api.token("county").await, api.token("secretary").await);
        let person = api.count("SELECT person_id FROM accounts WHERE username = 'outgoing'").await;
        sqlx::query("UPDATE people SET id_number = '500155196103151234' WHERE id = $1")
            .bind(person)
            .execute(test.db.writer())
            .await
            .expect("an ID number");

        let mine = api.get(&outgoing, "/api/v1/me/personal-data").await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.json());
        let mine = mine.json();
        assert_eq!(mine["person"]["name"], "王德福");
        assert_eq!(mine["person"]["id_number"], "500155196103151234", "their own, in full");
        assert!(mine["seats"].as_array().is_some_and(|s| s.iter().any(|x| x["departure"] == "retired")), "{mine}");
        assert_eq!(mine["accounts"][0]["username"], "outgoing");
        let log = mine["access_log"].as_array().expect("a log");
        assert!(log.iter().any(|l| l["by_account"] == "outgoing" && l["what"] == "export"), "{log:?}");

        // The county exports it for them: logged, with the ID number seen.
        let theirs = api.get(&county, &format!("/api/v1/people/{person}/personal-data")).await;
        assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.json());
        let logged: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.username, l.what FROM personal_data_log l JOIN accounts a ON a.id = l.actor_id
             WHERE l.person_id = $1 ORDER BY l.id",
        )
        .bind(person)
        .fetch_all(test.db.pool())
        .await
        .expect("the log");
        let expected: Vec<(String, String)> = [("outgoing", "export"), ("outgoing", "id-number"), ("county", "export"), ("county", "id-number")]
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(logged, expected);
        assert_eq!(theirs.json()["access_log"].as_array().map(Vec::len), Some(4), "the export shows its own entries");

        // Not another's, not nobody's.
        assert_eq!(api.get(&secretary, &format!("/api/v1/people/{person}/personal-data")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.get(&county, "/api/v1/people/99999999/personal-data").await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.get(&county, "/api/v1/me/personal-data").await.status, StatusCode::NOT_FOUND, "no roster entry");
        assert_eq!(api.count("SELECT COUNT(*) FROM personal_data_log").await, 4, "refusals log nothing");

        // From the page: a file to keep.
        let page = api
            .send(axum::http::Request::get("/me").header("cookie", format!("baton_session={outgoing}")).body(axum::body::Body::empty()).expect("request"))
            .await;
        assert!(String::from_utf8_lossy(&page.body).contains("/me/personal-data"), "the link on 我的任务");
        let file = api
            .send(axum::http::Request::get("/me/personal-data").header("cookie", format!("baton_session={outgoing}")).body(axum::body::Body::empty()).expect("request"))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.headers["content-disposition"].to_str().unwrap_or_default().starts_with("attachment"));
        assert!(String::from_utf8_lossy(&file.body).contains("王德福"));
        test.cleanup().await;
    }
}
