//! A hostile province, a hostile user and a hostile outsider, through the
//! real router (both backends where a database is involved). Each test is
//! one finding of the hardening review; the server answers every request
//! after, and a good module keeps serving beside the bad ones.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use baton_host::demo::{COUNTY, PROVINCE, TOWNSHIP, VILLAGE};
use baton_tests::api::{Api, Reply};
use baton_tests::{fixtures, per_backend};
use serde_json::{Value, json};

async fn publish(api: &Api, token: &str, wasm: &[u8]) -> Reply {
    let request = Request::post("/api/v1/modules")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/wasm")
        .body(Body::from(wasm.to_vec()))
        .expect("request");
    api.send(request).await
}

/// The handover still opens and acts: the good module keeps serving.
async fn still_serving(api: &Api) {
    let nation = api.token("nation").await;
    let health = api.get(&nation, "/healthz").await;
    assert_eq!(
        health.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&health.body)
    );
    let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
    let outgoing = api.token("outgoing").await;
    let shown = api
        .get(&outgoing, &format!("/api/v1/enrollments/{handover}"))
        .await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json());
}

/// The vandal module assigned to the demo county; its enrollment in the
/// demo village.
async fn vandal(api: &Api) -> i64 {
    let nation = api.token("nation").await;
    let province = api.token("province").await;
    let reply = publish(api, &nation, fixtures::VANDAL).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
    let assigned = api
        .post(&province, "/api/v1/assignments", None, json!({"module": "fixture-vandal", "version": "0.0.1", "unit": COUNTY, "due": "2099-06-30"}))
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
    api.enrollment_of(&nation, VILLAGE, "fixture-vandal").await
}

fn fault(reply: &Reply) -> String {
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert_eq!(body["plugin"], "fixture-vandal@0.0.1", "{body}");
    body["message"]["en"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

per_backend! {
    /// Findings 1, 2 and 5: recursive partials, raw output, script, event
    /// handlers, a self-referencing schema and 100,000 form rows are all
    /// refused at publish, each named, and nothing is stored.
    async fn hostile_markup_and_schemas_are_refused_at_publish(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let reply = publish(&api, &nation, fixtures::MARKUP).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&reply.body));
        let problems = reply.json()["problems"].to_string();
        for expected in [
            "partials", "raw HTML", "<script", "event handler", "refers back to itself", "x-rows",
            "template `split-tag.zh-CN`: `{{e}}` writes inside a tag",
            "template `split-handler.zh-CN`: `{{e}}` writes inside a tag",
            "template `split-by-block.zh-CN`: `{{/if}}` splits a tag or attribute name",
        ] {
            assert!(problems.contains(expected), "{expected} in {problems}");
        }
        assert_eq!(api.count("SELECT COUNT(*) FROM plugins WHERE id = 'fixture-markup'").await, 0);
        still_serving(&api).await;
        test.cleanup().await;
    }
}

per_backend! {
    /// Findings 3 and 4: what one call may ask of the host is bounded, and
    /// going past a bound is a 500 naming the module and the limit, with
    /// nothing written but the attempt.
    async fn a_modules_outputs_are_bounded(test: TestDb) {
        let api = Api::new(&test).await;
        let enrollment = vandal(&api).await;
        let township = api.token("township").await;
        let notices = api.count("SELECT COUNT(*) FROM notices").await;
        let signoffs = api.count("SELECT COUNT(*) FROM signoffs").await;
        for (key, action, limit) in [
            ("v1", "flood-notices", "the limits are 32 and 32"),
            ("v2", "flood-signoffs", "the limits are 32 and 32"),
            ("v3", "huge-rejection", "the limit is 64"),
        ] {
            let reply = api.act(&township, enrollment, key, action, json!({})).await;
            let message = fault(&reply);
            assert!(message.contains(limit), "{action}: {message}");
        }
        assert_eq!(api.count("SELECT COUNT(*) FROM notices").await, notices);
        assert_eq!(api.count("SELECT COUNT(*) FROM signoffs").await, signoffs);

        // A view of megabytes of data, and one whose loops would render megabytes.
        let reply = api.act(&township, enrollment, "v4", "big-view", json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        let message = fault(&api.get(&township, &format!("/api/v1/enrollments/{enrollment}")).await);
        assert!(message.contains("view data is") && message.contains("the limit is 262144"), "{message}");
        let reply = api.act(&township, enrollment, "v5", "nested-view", json!({})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json());
        let started = std::time::Instant::now();
        let message = fault(&api.get(&township, &format!("/api/v1/enrollments/{enrollment}")).await);
        assert!(message.contains("renders more than 524288 bytes"), "{message}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "stopped early: {:?}", started.elapsed());
        // The page says so in the layout instead of dying.
        let page = api.get(&township, &format!("/enrollments/{enrollment}")).await;
        assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
        still_serving(&api).await;
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 6: assignments of one module to overlapping scopes, at once,
    /// enrol each village once.
    async fn concurrent_overlapping_assignments_enrol_each_village_once(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let province = api.token("province").await;
        let reply = publish(&api, &nation, fixtures::TALLY).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
        let mut tasks = Vec::new();
        for unit in [PROVINCE, COUNTY, TOWNSHIP, COUNTY, PROVINCE, TOWNSHIP] {
            let state = api.state.clone();
            let token = province.clone();
            tasks.push(tokio::spawn(async move {
                Api::with_state(state)
                    .post(&token, "/api/v1/assignments", None, json!({"module": "fixture-tally", "version": "0.1.0", "unit": unit, "due": "2099-06-30"}))
                    .await
                    .status
            }));
        }
        // One that finds every village of its scope enrolled already enrolls
        // nobody: refused (400, saying why), and nothing stored.
        let mut created = 0;
        for task in tasks {
            match task.await.expect("joined") {
                StatusCode::CREATED => created += 1,
                status => assert_eq!(status, StatusCode::BAD_REQUEST),
            }
        }
        assert!(created >= 1, "the first enrolls");
        assert_eq!(
            api.count("SELECT COUNT(*) FROM assignments WHERE plugin_id = 'fixture-tally'").await,
            created,
            "a refused assignment is not stored"
        );
        let twice = api
            .count("SELECT COUNT(*) FROM (SELECT unit_code FROM enrollments WHERE plugin_id = 'fixture-tally' GROUP BY unit_code HAVING COUNT(*) > 1) d")
            .await;
        assert_eq!(twice, 0, "a village enrolled more than once");
        assert!(api.count("SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'fixture-tally'").await > 0);
        test.cleanup().await;
    }
}

per_backend! {
    /// Findings 7 and 11: a megabyte user name, NUL bytes and a refused
    /// megabyte payload are turned away or cut before they fill anything.
    async fn input_is_bounded_before_any_write(test: TestDb) {
        let api = Api::new(&test).await;
        let failures = api.count("SELECT COUNT(*) FROM login_failures").await;
        let long = "x".repeat(1 << 20);
        for name in [long.as_str(), "nul\u{0}name", "tab\tname"] {
            let reply = api.login(name, "whatever").await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&reply.body[..200.min(reply.body.len())]));
            assert_eq!(reply.json()["field"], "username");
        }
        assert_eq!(api.count("SELECT COUNT(*) FROM login_failures").await, failures, "nothing stored");

        let county = api.token("county").await;
        for uri in [
            "/api/v1/reports/completion?unit=%00",
            "/api/v1/accounts?unit=500155%00",
            "/public/villages/500155108201%00/open-door",
        ] {
            let reply = api.get(&county, uri).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        }

        // A refused action's payload is logged cut to 4 KiB.
        let nation = api.token("nation").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        let outgoing = api.token("outgoing").await;
        let note = "很".repeat(300_000);
        let reply = api
            .act(&outgoing, handover, "big", "declare", json!({"item": "no-such-item", "entries": [{"name": "x", "quantity": 1, "note": note}]}))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.json());
        let longest: i64 = api.count("SELECT COALESCE(MAX(LENGTH(payload)), 0) FROM actions WHERE result = 'rejected'").await;
        assert!(longest <= 4096, "a refused payload logged at {longest} characters");

        // The API answers its own refusals in JSON: too large, a bad path.
        let big = Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![b' '; 3 << 20]))
            .expect("request");
        let reply = api.send(big).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(reply.json()["error"], "payload-too-large");
        let reply = api.get(&county, "/api/v1/enrollments/not-a-number").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json()["error"], "bad-request");
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 8: actions racing on one enrollment never answer a 500; those
    /// that keep losing get a 409 saying to reload, and no update is lost.
    async fn racing_actions_get_a_conflict_never_a_500(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let province = api.token("province").await;
        let township = api.token("township").await;
        assert_eq!(publish(&api, &nation, fixtures::TALLY).await.status, StatusCode::CREATED);
        let assigned = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "fixture-tally", "version": "0.1.0", "unit": TOWNSHIP, "due": "2099-06-30"}))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED);
        let enrollment = api.enrollment_of(&nation, VILLAGE, "fixture-tally").await;
        let mut tasks = Vec::new();
        for i in 0..50 {
            let state = api.state.clone();
            let token = township.clone();
            tasks.push(tokio::spawn(async move {
                Api::with_state(state).act(&token, enrollment, &format!("race-{i}"), "add", json!({"n": 1})).await.status
            }));
        }
        let mut ok = 0;
        for task in tasks {
            let status = task.await.expect("joined");
            assert!(status == StatusCode::OK || status == StatusCode::CONFLICT, "{status}");
            ok += usize::from(status == StatusCode::OK);
        }
        let count = api.count(&format!("SELECT CAST(state AS BIGINT) FROM enrollments WHERE id = {enrollment}")).await;
        assert_eq!(count, i64::try_from(ok).unwrap_or(-1), "every accepted action counted, none lost");
        test.cleanup().await;
    }
}

per_backend! {
    /// Finding 12: throttled per address too, and a stranger's guesses do
    /// not lock the owner out from their own address.
    async fn throttling_counts_addresses_and_spares_the_owner(test: TestDb) {
        let api = Api::new(&test).await;
        let from = |ip: &str, name: &str, password: &str| {
            let mut request = Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"username": name, "password": password}).to_string()))
                .expect("request");
            let addr: std::net::SocketAddr = format!("{ip}:40000").parse().expect("address");
            request.extensions_mut().insert(ConnectInfo(addr));
            request
        };
        // A stranger guesses the secretary's password five times, then more names.
        for _ in 0..5 {
            assert_eq!(api.send(from("203.0.113.9", "secretary", "guess")).await.status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(api.send(from("203.0.113.9", "secretary", "demo")).await.status, StatusCode::TOO_MANY_REQUESTS);
        // The owner, from their own address, is not locked out.
        assert_eq!(api.send(from("198.51.100.7", "secretary", "demo")).await.status, StatusCode::OK);
        // Thirty names, one guess each, from one address: throttled.
        for i in 0..25 {
            let _ = api.send(from("203.0.113.9", &format!("name{i}"), "guess")).await;
        }
        assert_eq!(api.send(from("203.0.113.9", "county", "demo")).await.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(api.send(from("198.51.100.7", "county", "demo")).await.status, StatusCode::OK);
        test.cleanup().await;
    }
}

/// Findings 2, 9 and 10: headers on every page, redirects only to this
/// site, and the JSON API refusing cross-site writes.
#[tokio::test]
async fn pages_carry_a_strict_policy_and_redirect_only_home() {
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let page = api
        .send(Request::get("/login").body(Body::empty()).expect("request"))
        .await;
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("frame-ancestors 'none'")
            && csp.contains("script-src 'self';")
            && !csp.contains("unsafe-inline")
            && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers[header::REFERRER_POLICY], "same-origin");
    let public = api
        .send(
            Request::get(format!("/public/villages/{VILLAGE}/open-door"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert!(
        public.headers.contains_key(header::CONTENT_SECURITY_POLICY),
        "the public page too"
    );

    // Signed-in pages are not cached; the cookie is Secure behind HTTPS.
    let token = api.token("county").await;
    let county = api.get(&token, "/county").await;
    assert_eq!(county.headers[header::CACHE_CONTROL], "no-store");
    // Behind HTTPS means: the trusted proxy (nginx on this machine) says so.
    let login = |peer: [u8; 4]| {
        Request::post("/api/v1/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-proto", "https")
            .extension(ConnectInfo(std::net::SocketAddr::from((peer, 50000))))
            .body(Body::from(
                json!({"username": "county", "password": "demo"}).to_string(),
            ))
            .expect("request")
    };
    let mut args = baton_host::settings::Args::default();
    args.trusted_proxies = "127.0.0.1".parse().expect("networks");
    let behind = Api::with_state(baton_host::app::AppState::with_settings(
        api.state.db.clone(),
        baton_tests::runtime(),
        baton_host::settings::Settings::new(args),
    ));
    let reply = behind.send(login([127, 0, 0, 1])).await;
    let cookie = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // The same header from anyone else is not believed.
    let forged = behind.send(login([198, 51, 100, 7])).await;
    assert!(
        !forged.headers[header::SET_COOKIE]
            .to_str()
            .unwrap_or_default()
            .contains("Secure"),
        "a client's own X-Forwarded-Proto"
    );
    let plain = api.login("county", "demo").await;
    assert!(
        !plain.headers[header::SET_COOKIE]
            .to_str()
            .unwrap_or_default()
            .contains("Secure"),
        "not over plain HTTP"
    );

    // Redirects: only paths on this site, whatever a browser would make of them.
    for next in [
        "/%09/evil.example/",
        "//evil.example/",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%0d%0aSet-Cookie:x=1",
    ] {
        let reply = api
            .send(
                Request::get(format!("/lang/en?next={next}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(reply.headers[header::LOCATION], "/", "{next}");
    }

    // The JSON API refuses cookie-borne writes from elsewhere: the township
    // officer's cookie, who may witness, on a form post and from another origin.
    let officer = api.login("township", "demo").await;
    let cookie = officer.headers[header::SET_COOKIE]
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let nation = api.token("nation").await;
    let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
    let body = json!({"action": "witness", "payload": {"item": "seals"}}).to_string();
    for (kind, origin, status) in [
        ("text/plain", None, StatusCode::BAD_REQUEST),
        (
            "application/x-www-form-urlencoded",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            Some("https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let mut request = Request::post(format!("/api/v1/enrollments/{handover}/actions"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, kind)
            .header("idempotency-key", "csrf-1");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let reply = api
            .send(request.body(Body::from(body.clone())).expect("request"))
            .await;
        assert_eq!(reply.status, status, "{kind}: {}", reply.json());
        let refused = reply.json().to_string();
        assert!(
            refused.contains("content-type") || refused.contains("another site"),
            "{refused}"
        );
    }
    assert_eq!(
        api.count("SELECT COUNT(*) FROM actions WHERE idempotency_key = 'csrf-1'")
            .await,
        0
    );
    test.cleanup().await;
}

/// Finding 11: the SQLite file deleted under a running server is reported,
/// not silently written into.
#[tokio::test]
async fn losing_the_database_file_is_not_healthy() {
    let test = baton_tests::TestDb::sqlite().await;
    let api = Api::new(&test).await;
    let ok = api
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let path = test.url.trim_start_matches("sqlite:").to_owned();
    std::fs::remove_file(&path).expect("delete the database file");
    let lost = api
        .send(
            Request::get("/healthz")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(
        lost.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        String::from_utf8_lossy(&lost.body)
    );
    assert!(test.db.check_file().is_err());
    let _: Value = lost.json();
}
