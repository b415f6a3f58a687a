//! Hardening, round two: a hostile county, province, module and outsider
//! against the accounts, rosters, outbox, uploads, exports and operations
//! surfaces, through the real router (both backends where a database is
//! involved). Each test is one class of finding, tried with more than one
//! input.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use baton_host::app::AppState;
use baton_host::demo::{
    COUNTY, OTHER_COUNTY_VILLAGE, OTHER_PROVINCE_VILLAGE, PROVINCE, TOWNSHIP, VILLAGE,
};
use baton_tests::api::{Api, Reply};
use baton_tests::{per_backend, runtime};
use serde_json::{Value, json};

const STRONG: &str = "Lr-2026-honest";

async fn principal(api: &Api, token: &str) -> baton_host::auth::Principal {
    baton_core::db::accounts::principal(&api.state.db, token, baton_host::clock::now())
        .await
        .expect("query")
        .expect("session")
}

async fn activate(api: &Api, username: &str, code: &str) -> Reply {
    let body = json!({"username": username, "code": code, "password": STRONG}).to_string();
    api.send(
        Request::post("/api/v1/activate")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

/// 10:00 Beijing time on the day `t` falls on (Beijing).
fn ten_am(t: i64) -> i64 {
    let offset = 8 * 3600;
    t - (t + offset).rem_euclid(86_400) + 10 * 3600
}

/// A request from `peer`, as a connection would bring it.
fn from(peer: [u8; 4], request: axum::http::request::Builder) -> axum::http::request::Builder {
    request.extension(ConnectInfo(std::net::SocketAddr::from((peer, 40000))))
}

per_backend! {
    /// Finding 1: a roster line naming someone of another province (same
    /// name and phone) makes a namesake in the county's village, never a
    /// link to that person's account; no slip shows a code for an account
    /// outside the uploader's scope, and the person elsewhere keeps theirs.
    async fn a_roster_never_reaches_an_account_outside_its_scope(test: TestDb) {
        let api = Api::new(&test).await;
        let db = &test.db;
        // Sichuan's secretary, with an account, activated.
        let theirs = format!("村代码,组织,姓名,职务,状态,任职年限,电话\n{OTHER_PROVINCE_VILLAGE},党组织,赵国强,书记,在任,,13900000009\n");
        let imported = baton_host::import::roster(db, theirs.as_bytes(), "2021", "2021-11-01").await.expect("Sichuan");
        let victim = imported.accounts[0].clone();
        assert_eq!(activate(&api, "13900000009", &victim.code).await.status, StatusCode::OK);

        // Chongqing's county puts the same name and phone on its own village's roster.
        let county = api.token("county").await;
        let trainer = principal(&api, &county).await;
        let ours = format!("村代码,组织,姓名,职务,状态,任职年限,电话\n{VILLAGE},村委会,赵国强,委员,在任,,13900000009\n");
        let imported = baton_host::import::roster_as(db, Some(&trainer), ours.as_bytes(), "2027", "2027-11-01")
            .await
            .expect("the county's own village");
        assert_eq!((imported.people, imported.accounts.len()), (1, 1), "a namesake with an account of their own");
        assert_ne!(imported.accounts[0].account_id, victim.account_id);
        assert_ne!(imported.accounts[0].username, "13900000009", "the phone is someone else's login");
        let grants = api
            .count(&format!("SELECT COUNT(*) FROM role_grants WHERE account_id = {}", victim.account_id))
            .await;
        assert_eq!(grants, 1, "the Sichuan account gained no role in Chongqing");

        // The township's slips show the namesake's code, and none for Sichuan's account.
        let township = api.token("township").await;
        let slips = api.get(&township, &format!("/api/v1/units/{VILLAGE}/slips")).await.json();
        assert!(!slips.to_string().contains("13900000009"), "{slips}");
        // The county cannot reset or grant the Sichuan account either.
        let reset = api.post(&county, &format!("/api/v1/accounts/{}/reset", victim.account_id), None, json!({})).await;
        assert_eq!(reset.status, StatusCode::FORBIDDEN);
        // The person in Sichuan still signs in as themselves.
        assert_eq!(api.login("13900000009", STRONG).await.status, StatusCode::OK);
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 12 (grants): a county trainer grants only to accounts it may
    /// manage: not to itself, not to the national administrator.
    async fn grants_go_only_to_accounts_one_manages(test: TestDb) {
        let api = Api::new(&test).await;
        let county = api.token("county").await;
        let id_of = |name: &'static str| {
            let api = &api;
            async move {
                api.count(&format!("SELECT id FROM accounts WHERE username = '{name}'")).await
            }
        };
        let grant = json!({"role": "township-officer", "unit_code": "500155108000"});
        for target in ["county", "nation", "province"] {
            let id = id_of(target).await;
            let before = api.count(&format!("SELECT COUNT(*) FROM role_grants WHERE account_id = {id}")).await;
            let reply = api.post(&county, &format!("/api/v1/accounts/{id}/grants"), None, grant.clone()).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{target}: {}", reply.json());
            let after = api.count(&format!("SELECT COUNT(*) FROM role_grants WHERE account_id = {id}")).await;
            assert_eq!(before, after, "{target}");
        }
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 2: one county's roster for a later term leaves every other
    /// village's committee where it was: assigning a course elsewhere still
    /// enrolls that village's people.
    async fn a_later_term_in_one_county_does_not_empty_the_others(test: TestDb) {
        let api = Api::new(&test).await;
        let later = format!("村代码,组织,姓名,职务\n{OTHER_COUNTY_VILLAGE},党组织,孙未来,书记\n");
        baton_host::import::roster(&test.db, later.as_bytes(), "2099", "2099-11-01").await.expect("2099");
        // A new Sichuan village with its 2026 committee, not yet enrolled in anything.
        let unit = baton_core::db::org_units::OrgUnit {
            code: "510121100299".into(),
            level: baton_core::db::org_units::Level::Village,
            name: "新建村".into(),
            parent_code: Some("510121100000".into()),
        };
        baton_host::import::unit(&test.db, &unit).await.expect("the village");
        let now = "村代码,组织,姓名,职务\n510121100299,党组织,钱新民,书记\n510121100299,村委会,周小红,委员\n";
        baton_host::import::roster(&test.db, now.as_bytes(), "2026", "2026-11-01").await.expect("2026");
        let nation = api.token("nation").await;
        let reply = api
            .post(&nation, "/api/v1/assignments", None, json!({"module": "first-lesson", "version": "0.4.1", "unit": "510000000000", "due": "2099-06-30"}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        assert_eq!(reply.json()["enrolled"], 2, "the new village's 2026 committee: {}", reply.json());
        // And the county with the later term enrolls its 2099 committee.
        let county = format!("{}000000", &OTHER_COUNTY_VILLAGE[..6]);
        let reply = api
            .post(&nation, "/api/v1/assignments", None, json!({"module": "first-lesson", "version": "0.4.1", "unit": county, "due": "2099-06-30"}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let enrolled = api
            .count(&format!("SELECT COUNT(*) FROM enrollments e JOIN people p ON p.id = e.person_id WHERE p.name = '孙未来' AND e.plugin_id = 'first-lesson'"))
            .await;
        assert_eq!(enrolled, 1);
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 3: no channel leads into the server's own network, whether
    /// written as an address, as a name, or resolved at send time; the
    /// outbox shows a short status, never what a remote server answered.
    async fn the_outbox_reaches_only_public_addresses(test: TestDb) {
        let test_api = Api::new(&test).await;
        // The operator allowed nothing: the default.
        let api = Api::with_state(AppState::new(test.db.clone(), runtime()));
        let province = api.token("province").await;
        let county = api.token("county").await;
        let settings = api.count("SELECT COUNT(*) FROM channel_settings WHERE channel IN ('sms', 'wecom', 'email')").await;
        let sms = |url: &str| json!({"url": url, "secret": "s3cret", "template": "【村级换届接力】{message}"});
        for inward in [
            "http://127.0.0.1:8080/sms", "http://169.254.169.254/latest/meta-data/", "http://100.100.100.200/latest",
            "http://10.0.0.5/sms", "http://[::1]/sms", "http://[::ffff:127.0.0.1]/sms", "http://localhost:9000/",
            "http://0.0.0.0/", "http://192.168.1.1/",
        ] {
            let reply = api.put(&province, &format!("/api/v1/units/{PROVINCE}/channels/sms"), sms(inward)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{inward}: {}", String::from_utf8_lossy(&reply.body));
            assert_eq!(reply.json()["field"], "url", "{inward}");
            let reply = api.put(&county, &format!("/api/v1/units/{COUNTY}/channels/wecom"), json!({"webhook": inward})).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{inward}");
        }
        let email = json!({"host": "169.254.169.254", "security": "none", "port": 25, "from": "村级换届接力 <noreply@example.gov.cn>"});
        let reply = api.put(&province, &format!("/api/v1/units/{PROVINCE}/channels/email"), email).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["field"], "host");
        assert_eq!(api.count("SELECT COUNT(*) FROM channel_settings WHERE channel IN ('sms', 'wecom', 'email')").await, settings);
        // A public address is fine.
        let reply = api.put(&county, &format!("/api/v1/units/{COUNTY}/channels/wecom"), json!({"webhook": "http://1.2.3.4/cgi-bin/webhook/send?key=k"})).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);

        // A stub that fails with words of its own, on loopback: set where the
        // operator allowed loopback, then sent from a host that does not
        // (as a name rebound to an internal address would be found).
        let stub = baton_tests::stub::Stub::start().await;
        stub.fail(true);
        let reply = test_api.put(&county, &format!("/api/v1/units/{TOWNSHIP}/channels/wecom"), json!({"webhook": format!("{}/wecom", stub.base)})).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "allowed by the operator");
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        assert_eq!(api.get(&outgoing, &format!("/api/v1/enrollments/{handover}")).await.status, StatusCode::OK);
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;
        let late = ten_am(due + 4 * 86_400);
        baton_host::outbox::pass(&api.state, late).await.expect("pass");
        let errors = || async {
            sqlx::query_scalar::<_, String>("SELECT COALESCE(last_error, '') FROM outbox WHERE channel = 'wecom'")
                .fetch_all(test.db.pool())
                .await
                .expect("outbox")
        };
        let first = errors().await;
        assert!(!first.is_empty() && first.iter().all(|e| e.contains("internal address")), "{first:?}");
        assert!(stub.at("wecom").is_empty(), "nothing reached the internal address");
        // Where it is allowed, the stub's failure is a status, without its words.
        baton_host::outbox::pass(&test_api.state, late + 3600).await.expect("pass");
        let second = errors().await;
        assert!(second.iter().any(|e| e == "HTTP 500"), "{second:?}");
        assert!(second.iter().all(|e| !e.contains("gateway down")), "{second:?}");
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 5: names and texts that start like a formula are text in
    /// every CSV export.
    async fn csv_exports_carry_no_live_formulas(test: TestDb) {
        let api = Api::new(&test).await;
        let roster = format!(
            "村代码,组织,姓名,职务\n{VILLAGE},村委会,\"=HYPERLINK(\"\"http://x.invalid\"\",\"\"看\"\")\",委员\n{VILLAGE},村委会,@SUM(A1),委员\n{VILLAGE},村委会,+1+2,委员\n{VILLAGE},村委会,-3+4,委员\n"
        );
        baton_host::import::roster(&test.db, roster.as_bytes(), "2027", "2027-11-01").await.expect("roster");
        let nation = api.token("nation").await;
        let reply = api
            .post(&nation, "/api/v1/assignments", None, json!({"module": "first-lesson", "version": "0.4.1", "unit": VILLAGE, "due": "2099-06-30"}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let csv = api.get(&nation, &format!("/api/v1/reports/completion?unit={VILLAGE}&format=csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let text = String::from_utf8_lossy(&csv.body).trim_start_matches('\u{feff}').to_owned();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let fields: Vec<String> = reader
            .records()
            .flat_map(|r| r.expect("CSV").iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        assert!(fields.iter().any(|f| f.starts_with("'=HYPERLINK")), "{text}");
        for f in &fields {
            assert!(!f.starts_with(['=', '+', '-', '@', '\t', '\r']), "a live formula: {f:?} in {text}");
        }
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 6: refused attempts at an action are counted: a check-in
    /// code cannot be guessed by trying, and an honest action of another
    /// kind still goes through.
    async fn guessing_a_check_in_code_is_stopped(test: TestDb) {
        let api = Api::new(&test).await;
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        let course = mine
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["module"] == "first-lesson")
            .and_then(|e| e["id"].as_i64())
            .expect("the secretary's course");
        let mut statuses = Vec::new();
        for i in 0..25 {
            let reply = api
                .act(&secretary, course, &format!("guess-{i}"), "check-in", json!({"session": 0, "code": format!("{:06}", 100_000 + i)}))
                .await;
            statuses.push(reply.status.as_u16());
        }
        let refused = statuses.iter().filter(|s| **s == 422).count();
        let throttled = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((refused, throttled), (20, 5), "{statuses:?}");
        let reply = api
            .act(&secretary, course, "guess-last", "check-in", json!({"session": 0, "code": "123456"}))
            .await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(reply.headers.contains_key(header::RETRY_AFTER));
        assert!(reply.json()["message"]["zh"].as_str().unwrap_or_default().contains("分钟后再试"));
        // Reading a lesson is another action: not held back.
        let read = api.act(&secretary, course, "read-0", "read", json!({"lesson": 0})).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.json());
        test.cleanup().await;
    }
}

per_backend! {
    /// Findings 7 and 12 (files): a person's uploads are bounded by a quota
    /// with a clear message; names with direction or invisible characters
    /// are refused; a PDF is served as a sandboxed download.
    async fn uploads_are_bounded_named_plainly_and_pdfs_download(test: TestDb) {
        let _seeded = Api::new(&test).await;
        let mut args = baton_host::settings::Args::default();
        args.quota_person_mib = 1;
        let api = Api::with_state(AppState::with_settings(test.db.clone(), runtime(), baton_host::settings::Settings::new(args)));
        let nation = api.token("nation").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let outgoing = api.token("outgoing").await;
        let pdf = |n: u8| {
            let mut b = b"%PDF-1.4\n/OpenAction << /JS (app.alert(1)) >>\n".to_vec();
            b.extend(std::iter::repeat_n(n, 600 << 10));
            b
        };
        for name in ["photo%E2%80%AEgpj.exe", "a%E2%80%8Bb.pdf", "x%E2%81%A6y.pdf", "tab%09here.pdf"] {
            let reply = api.upload(&outgoing, handover, name, pdf(1)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name:?}");
            assert_eq!(reply.json()["field"], "name", "{name:?}");
        }
        let first = api.upload(&outgoing, handover, "%E6%B8%85%E5%8D%95.pdf", pdf(1)).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.json());
        let second = api.upload(&outgoing, handover, "second.pdf", pdf(2)).await;
        assert_eq!(second.status, StatusCode::BAD_REQUEST);
        assert!(second.json()["message"]["zh"].as_str().unwrap_or_default().contains("已达上限（1 MB）"), "{}", second.json());
        assert_eq!(api.count("SELECT COUNT(*) FROM attachments").await, 1, "nothing of the second kept");

        let sha = first.json()["id"].as_str().expect("id").to_owned();
        let file = api.get(&outgoing, &format!("/enrollments/{handover}/attachments/{sha}")).await;
        assert_eq!(file.status, StatusCode::OK);
        let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().expect("ascii");
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        let csp = file.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(csp.contains("sandbox"), "{csp}");
        test.cleanup().await;
    }
}

/// Finding 8: `/metrics` answers only the operator's scraper (a configured
/// address or token) and made-up methods do not make new series.
#[tokio::test]
async fn metrics_are_for_the_scraper_and_bounded() {
    let test = baton_tests::TestDb::sqlite().await;
    let mut args = baton_host::settings::Args::default();
    args.metrics_token = Some("scrape-7f3a".into());
    let _seeded = Api::new(&test).await;
    let api = Api::with_state(AppState::with_settings(
        test.db.clone(),
        runtime(),
        baton_host::settings::Settings::new(args),
    ));
    let metrics = |peer: Option<[u8; 4]>, token: Option<&str>| {
        let mut r = Request::get("/metrics");
        if let Some(peer) = peer {
            r = from(peer, r);
        }
        if let Some(token) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        r.body(Body::empty()).expect("request")
    };
    assert_eq!(
        api.send(metrics(None, None)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.send(metrics(Some([203, 0, 113, 9]), None)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.send(metrics(Some([203, 0, 113, 9]), Some("guess")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.send(metrics(Some([203, 0, 113, 9]), Some("scrape-7f3a")))
            .await
            .status,
        StatusCode::OK
    );
    for i in 0..40 {
        let method = format!("MADEUP{i}");
        let request = Request::builder()
            .method(method.as_str())
            .uri("/healthz")
            .body(Body::empty())
            .expect("request");
        api.send(request).await;
    }
    let text =
        String::from_utf8(api.send(metrics(Some([127, 0, 0, 1]), None)).await.body).expect("utf-8");
    assert!(!text.contains("MADEUP"), "made-up methods are one bucket");
    assert!(text.contains("method=\"other\""), "{text}");
    test.cleanup().await;
}

/// Finding 9: forwarded headers are believed only from a trusted proxy:
/// the client address a sign-in throttle counts, and where links point.
#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let failed_login = |peer: [u8; 4], forwarded: &str| {
        from(peer, Request::post("/api/v1/login"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", forwarded)
            .body(Body::from(
                json!({"username": "county", "password": "wrong-password"}).to_string(),
            ))
            .expect("request")
    };
    // No proxy trusted (the default): the peer is the client.
    api.send(failed_login([10, 0, 0, 2], "198.51.100.7")).await;
    let addresses: Vec<String> = sqlx::query_scalar("SELECT address FROM login_failures")
        .fetch_all(test.db.pool())
        .await
        .expect("failures");
    assert_eq!(addresses, ["10.0.0.2"]);
    // nginx at 10.0.0.2 trusted: the address it forwarded.
    let mut args = baton_host::settings::Args::default();
    args.trusted_proxies = "10.0.0.0/24".parse().expect("networks");
    args.public_url = Some("https://baton.example.gov.cn".into());
    let behind = Api::with_state(AppState::with_settings(
        test.db.clone(),
        runtime(),
        baton_host::settings::Settings::new(args),
    ));
    behind
        .send(failed_login([10, 0, 0, 2], "203.0.113.50, 198.51.100.7"))
        .await;
    let addresses: Vec<String> =
        sqlx::query_scalar("SELECT address FROM login_failures ORDER BY at, address")
            .fetch_all(test.db.pool())
            .await
            .expect("failures");
    assert!(
        addresses.contains(&"198.51.100.7".to_owned()),
        "{addresses:?}"
    );
    // A forged Host or X-Forwarded-Host does not choose where a poster's QR
    // code points: without a public URL the poster is not for shared caches.
    let poster = |peer: [u8; 4]| {
        from(
            peer,
            Request::get(format!("/public/villages/{VILLAGE}/open-door?poster=1")),
        )
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .expect("request")
    };
    let direct = api.send(poster([198, 51, 100, 9])).await;
    assert_eq!(
        direct.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&direct.body)
    );
    assert_eq!(direct.headers[header::CACHE_CONTROL], "private, max-age=60");
    assert!(direct.headers.get(header::SET_COOKIE).is_none());
    let proxied = behind.send(poster([10, 0, 0, 2])).await;
    assert_eq!(proxied.headers[header::CACHE_CONTROL], "public, max-age=60");
    test.cleanup().await;
}

/// Finding 12 (request ids): a client's id is kept only when short and
/// plain; anything else is replaced, never echoed.
#[tokio::test]
async fn request_ids_are_short_and_plain() {
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let with_id = |id: &str| {
        Request::get("/healthz")
            .header("x-request-id", id)
            .body(Body::empty())
            .expect("request")
    };
    let kept = api.send(with_id("trace-42.a_b")).await;
    assert_eq!(kept.headers["x-request-id"], "trace-42.a_b");
    for forged in [
        "x".repeat(8 << 10),
        "a b\"}{\"level\":\"ERROR".to_owned(),
        String::new(),
    ] {
        let reply = api.send(with_id(&forged)).await;
        let id = reply.headers["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(id != forged && !id.is_empty() && id.len() <= 64, "{id}");
    }
    test.cleanup().await;
}

async fn vandal(api: &Api) -> i64 {
    let nation = api.token("nation").await;
    let province = api.token("province").await;
    let request = Request::post("/api/v1/modules")
        .header(header::AUTHORIZATION, format!("Bearer {nation}"))
        .header(header::CONTENT_TYPE, "application/wasm")
        .body(Body::from(baton_tests::fixtures::VANDAL.to_vec()))
        .expect("request");
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
    let assigned = api
        .post(&province, "/api/v1/assignments", None, json!({"module": "fixture-vandal", "version": "0.0.1", "unit": COUNTY, "due": "2099-06-30"}))
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
    api.enrollment_of(&nation, VILLAGE, "fixture-vandal").await
}

per_backend! {
    /// Findings 10 and 11: every id a module returns is bounded, and a
    /// module names only people its village reaches: a notice to a person
    /// of another province is a fault naming the module, and nothing is
    /// queued for them.
    async fn a_modules_ids_are_bounded_and_its_notices_stay_in_the_village(test: TestDb) {
        let api = Api::new(&test).await;
        let enrollment = vandal(&api).await;
        let township = api.token("township").await;
        let notices = api.count("SELECT COUNT(*) FROM notices").await;
        for (key, action, said) in [("h1", "long-subject", "the limit is 256"), ("h2", "long-recipient", "the limit is 256")] {
            let reply = api.act(&township, enrollment, key, action, json!({})).await;
            assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{action}");
            let body = reply.json();
            assert_eq!(body["plugin"], "fixture-vandal@0.0.1");
            assert!(body["message"]["en"].as_str().unwrap_or_default().contains(said), "{body}");
            assert!(reply.body.len() < 8 << 10, "the answer does not carry the megabyte");
        }
        let stranger: i64 = sqlx::query_scalar(
            "SELECT m.person_id FROM committee_members m JOIN committees c ON c.id = m.committee_id WHERE c.unit_code = $1 LIMIT 1",
        )
        .bind(OTHER_PROVINCE_VILLAGE)
        .fetch_one(test.db.pool())
        .await
        .expect("a person in Sichuan");
        let reply = api.act(&township, enrollment, "h3", "notify-stranger", json!({"person": stranger.to_string()})).await;
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(reply.json()["message"]["en"].as_str().unwrap_or_default().contains("not on this village's committees"), "{}", reply.json());
        assert_eq!(api.count("SELECT COUNT(*) FROM notices").await, notices);
        // Someone of the village is fine.
        let neighbour: i64 = sqlx::query_scalar(
            "SELECT m.person_id FROM committee_members m JOIN committees c ON c.id = m.committee_id WHERE c.unit_code = $1 LIMIT 1",
        )
        .bind(VILLAGE)
        .fetch_one(test.db.pool())
        .await
        .expect("a person here");
        let reply = api.act(&township, enrollment, "h4", "notify-stranger", json!({"person": neighbour.to_string()})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        assert_eq!(api.count("SELECT COUNT(*) FROM notices").await, notices + 1);
        let _: Value = reply.json();
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 13: a view whose nested loops write nothing (27 billion
    /// empty iterations, which no output cap stops) is stopped by the
    /// render's time and loop budget, named in a 500; four at once leave
    /// the server answering.
    #[multi_thread]
    async fn rendering_is_bounded_in_time_not_only_in_output(test: TestDb) {
        let api = Api::new(&test).await;
        let enrollment = vandal(&api).await;
        let township = api.token("township").await;
        let reply = api.act(&township, enrollment, "r1", "silent-view", json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        let uri = format!("/api/v1/enrollments/{enrollment}");
        let views: Vec<_> = (0..4)
            .map(|_| {
                let (state, token, uri) = (api.state.clone(), township.clone(), uri.clone());
                tokio::spawn(async move { Api::with_state(state).get(&token, &uri).await })
            })
            .collect();
        for view in views {
            let reply = view.await.expect("the view answers");
            assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
            let body = reply.json();
            assert_eq!(body["plugin"], "fixture-vandal@0.0.1");
            let said = body["message"]["en"].as_str().unwrap_or_default().to_owned();
            assert!(said.contains("takes more than 200 ms or 50000 loops to render"), "{said}");
        }
        let health = api.send(Request::get("/healthz").body(Body::empty()).expect("request")).await;
        assert_eq!(health.status, StatusCode::OK);
        test.cleanup().await;
    }
}
