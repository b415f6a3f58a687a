//! Reaching people outside the app, through the real router and database
//! (both backends) with stub gateways on local ports: a due date driven
//! past with the worker's clock reminds the awaited person by SMS and in
//! the app, then tells the township's WeCom group, then the county's
//! DingTalk group, each once although two host processes (this test and a child
//! process of it) run every pass;
//! a failing gateway is retried and dead-lettered, with the status on the
//! trainer's page; quiet hours and one message a day hold SMS back.

use axum::http::StatusCode;
use baton_host::app::AppState;
use baton_host::demo::{COUNTY, PROVINCE, TOWNSHIP, VILLAGE};
use baton_host::outbox::{Pass, pass};
use baton_tests::api::Api;
use baton_tests::per_backend;
use baton_tests::stub::{SmtpSink, Stub};
use serde_json::json;

const DAY: i64 = 86_400;

/// Two hosts run the same pass at once: this process, and this test
/// binary started again as a process of its own ([`second_host`]) on the
/// same database; both start their pass when the second has connected.
/// What they did, added up.
async fn both(a: &AppState, url: &str, now: i64) -> Pass {
    use std::io::{BufRead as _, Read as _, Write as _};
    let (url, exe) = (
        url.to_owned(),
        std::env::current_exe().expect("the test binary"),
    );
    let (ready, connected) = tokio::sync::oneshot::channel();
    let other = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(exe)
            .args([
                "second_host",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("BATON_SECOND_HOST", format!("{now} {url}"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the second host starts");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut said = String::new();
        while out.read_line(&mut said).expect("reads") > 0 && !said.ends_with("READY\n") {}
        let _ = ready.send(());
        let _ = child.stdin.take().expect("stdin").write_all(b"GO\n");
        out.read_to_string(&mut said).expect("reads");
        assert!(
            child.wait().expect("ends").success(),
            "the second host failed: {said}"
        );
        said
    });
    connected.await.expect("the second host connected");
    let (x, said) = tokio::join!(pass(a, now), other);
    let (x, said) = (x.expect("pass here"), said.expect("the second host ends"));
    let line = said
        .lines()
        .find_map(|l| l.strip_prefix("PASS "))
        .expect("its pass");
    let y: serde_json::Value = serde_json::from_str(line).expect("its pass as JSON");
    let n = |k: &str| y[k].as_u64().expect("a count");
    Pass {
        fired: x.fired + n("fired") as usize,
        queued: x.queued + n("queued"),
        sent: x.sent + n("sent") as usize,
        failed: x.failed + n("failed") as usize,
    }
}

/// The second host of [`both`]: connects to the database `BATON_SECOND_HOST`
/// names ("NOW URL"), says READY, runs one worker pass at NOW when told GO,
/// and prints what it did. Not a test by itself: ignored unless started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the second host process of the outbox tests; they start it"]
async fn second_host() {
    let spec = std::env::var("BATON_SECOND_HOST")
        .expect("started by both(), which sets BATON_SECOND_HOST");
    let (now, url) = spec.split_once(' ').expect("NOW URL");
    let db = baton_core::db::Db::connect(url)
        .await
        .expect("the shared database");
    let state = AppState::with_settings(db, baton_tests::runtime(), baton_tests::settings());
    println!("READY");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).expect("told to go");
    let done = pass(&state, now.parse().expect("NOW in Unix seconds"))
        .await
        .expect("the pass");
    println!("PASS {}", serde_json::to_string(&done).expect("JSON"));
}

/// 10:00 Beijing time on the day `t` falls on (Beijing).
fn ten_am(t: i64) -> i64 {
    let offset = 8 * 3600;
    t - (t + offset).rem_euclid(DAY) + 10 * 3600
}

per_backend! {
    #[multi_thread]
    async fn a_late_handover_reaches_the_awaited_then_the_township_then_the_county_once(test: TestDb) {
        let api = Api::new(&test).await;
        let stub = Stub::start().await;
        let (province, county, township, outgoing) = (
            api.token("province").await,
            api.token("county").await,
            api.token("township").await,
            api.token("outgoing").await,
        );
        let nation = api.token("nation").await;

        // The province's SMS gateway; the township's and county's group robots.
        let sms = json!({"url": format!("{}/sms", stub.base), "secret": "s3cret", "template": "【换届接力】{message}"});
        assert_eq!(api.put(&county, &format!("/api/v1/units/{PROVINCE}/channels/sms"), sms.clone()).await.status, StatusCode::FORBIDDEN, "the SMS gateway is the province's");
        let bad = api.put(&province, &format!("/api/v1/units/{PROVINCE}/channels/sms"), json!({"url": "ftp://x", "secret": "s"})).await;
        assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("url")), "{}", bad.json());
        assert_eq!(api.put(&province, &format!("/api/v1/units/{PROVINCE}/channels/sms"), sms).await.status, StatusCode::NO_CONTENT);
        let shown = api.get(&province, &format!("/api/v1/units/{PROVINCE}/channels/sms")).await.json();
        assert_eq!(shown["secret"], "••••••", "the secret is never shown again: {shown}");
        assert_eq!(api.put(&county, &format!("/api/v1/units/{TOWNSHIP}/channels/wecom"), json!({"webhook": format!("{}/wecom", stub.base)})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.put(&county, &format!("/api/v1/units/{COUNTY}/channels/dingtalk"), json!({"webhook": format!("{}/dingtalk", stub.base)})).await.status, StatusCode::NO_CONTENT);

        // The outgoing cadre has a phone on the roster.
        let person = api.count("SELECT person_id FROM accounts WHERE username = 'outgoing'").await;
        sqlx::query("UPDATE people SET phone = '13812345678' WHERE id = $1")
            .bind(person)
            .execute(test.db.writer())
            .await
            .expect("phone");
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        // Opened: the handover waits for the outgoing cadre's declarations.
        assert_eq!(api.get(&outgoing, &format!("/api/v1/enrollments/{handover}")).await.status, StatusCode::OK);
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;

        // Six days before: the 7-day reminder, by SMS (one, a digest of
        // everything due for that phone) and in the app.
        let six_before = ten_am(due - 6 * DAY);
        let first = both(&api.state, &test.url, six_before).await;
        assert!(first.fired > 0 && first.sent > 0, "{first:?}");
        let texts = stub.at("sms");
        assert_eq!(texts.len(), 1, "one SMS a day to one phone: {texts:?}");
        assert_eq!(texts[0].body["phone"], "13812345678");
        let text = texts[0].body["text"].as_str().expect("text");
        assert!(text.starts_with("【换届接力】") && text.contains("新老班子工作交接"), "{text}");
        assert!(texts[0].headers.contains_key("x-baton-signature"), "signed");
        let mine = api.get(&outgoing, "/api/v1/me/notices").await.json();
        assert!(mine.to_string().contains("将于"), "in the app too: {mine}");
        assert!(stub.at("wecom").is_empty() && stub.at("dingtalk").is_empty(), "not the groups yet");
        // Again, on both hosts: nothing more.
        let again = both(&api.state, &test.url, six_before + 600).await;
        assert_eq!((again.fired, again.sent), (0, 0), "{again:?}");
        assert_eq!(stub.at("sms").len(), 1);

        // Three days late: the township's WeCom group, once.
        both(&api.state, &test.url, ten_am(due + 3 * DAY + DAY)).await;
        let wecom = stub.at("wecom");
        assert_eq!(wecom.len(), 1, "{wecom:?}");
        let content = wecom[0].body["text"]["content"].as_str().expect("content");
        assert!(content.contains("逾期") && content.contains("桂花村"), "{content}");
        assert!(stub.at("dingtalk").is_empty());
        // Seven days late: the county's DingTalk group, once.
        both(&api.state, &test.url, ten_am(due + 8 * DAY)).await;
        both(&api.state, &test.url, ten_am(due + 8 * DAY) + 60).await;
        assert_eq!(stub.at("dingtalk").len(), 1);
        assert_eq!(stub.at("wecom").len(), 1);
        // The township officer sees the escalation in the app.
        let seen = api.get(&township, "/api/v1/outbox").await.json();
        assert!(seen["escalations"].to_string().contains("逾期"), "{seen}");

        // The gateway fails: a trainer's reminder is retried with backoff,
        // then dead-lettered; the trainer's page says so.
        stub.fail(true);
        let reminded = api.post(&county, &format!("/api/v1/enrollments/{handover}/reminders"), None, json!({})).await;
        assert_eq!(reminded.status, StatusCode::CREATED);
        let mut at = ten_am(due + 9 * DAY);
        for _ in 0..baton_host::outbox::MAX_ATTEMPTS {
            both(&api.state, &test.url, at).await;
            at += 3600;
        }
        let outbox = api.get(&county, "/api/v1/outbox").await.json();
        let sms_of = |o: &serde_json::Value| -> serde_json::Value {
            o["sent"][0]["deliveries"].as_array().expect("deliveries").iter().find(|d| d["channel"] == "sms").cloned().expect("an sms")
        };
        let delivery = sms_of(&outbox);
        assert_eq!(delivery["status"], "dead", "{outbox}");
        assert_eq!(delivery["attempts"], baton_host::outbox::MAX_ATTEMPTS);
        assert_eq!(delivery["address"], "138****5678", "the phone is masked");
        assert!(delivery["error"].as_str().unwrap_or_default().contains("500"), "{delivery}");
        stub.fail(false);
        let page = api.send(
            axum::http::Request::get("/county")
                .header(axum::http::header::COOKIE, format!("baton_session={county}"))
                .body(axum::body::Body::empty())
                .expect("request"),
        ).await;
        let page = String::from_utf8_lossy(&page.body);
        assert!(page.contains("发送失败") && page.contains("138****5678"), "the status on the trainer's page");

        // Quiet hours: a reminder at 23:00 waits for 07:00.
        let reminded = api.post(&county, &format!("/api/v1/enrollments/{handover}/reminders"), None, json!({})).await;
        assert_eq!(reminded.status, StatusCode::CREATED);
        let night = ten_am(due + 20 * DAY) + 13 * 3600;
        both(&api.state, &test.url, night).await;
        let before = stub.at("sms").len();
        assert_eq!(sms_of(&api.get(&county, "/api/v1/outbox").await.json())["status"], "queued", "held overnight");
        both(&api.state, &test.url, ten_am(due + 21 * DAY)).await;
        assert_eq!(stub.at("sms").len(), before + 1, "sent in the morning");

        // A trainer pauses an enrollment's reminders, with a reason.
        let paused = api.post(&county, &format!("/api/v1/enrollments/{handover}/pause"), None, json!({"reason": "  "})).await;
        assert_eq!((paused.status, paused.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("reason")));
        let paused = api.post(&county, &format!("/api/v1/enrollments/{handover}/pause"), None, json!({"reason": "离任书记住院，12 月 20 日后办理"})).await;
        assert_eq!(paused.status, StatusCode::NO_CONTENT);
        sqlx::query("DELETE FROM due_stages WHERE enrollment_id = $1")
            .bind(handover)
            .execute(test.db.writer())
            .await
            .expect("stages forgotten");
        // …and the worker's place in the assignment, so it looks again.
        sqlx::query("DELETE FROM stage_cursors")
            .execute(test.db.writer())
            .await
            .expect("cursors forgotten");
        let quiet = both(&api.state, &test.url, ten_am(due + 30 * DAY)).await;
        let fired_for_it = api.count(&format!("SELECT COUNT(*) FROM due_stages WHERE enrollment_id = {handover}")).await;
        assert_eq!(fired_for_it, 0, "paused: {quiet:?}");
        test.cleanup().await;
    }
}

/// A page as the holder of session `token` sees it.
async fn page(api: &Api, token: &str, uri: &str) -> baton_tests::api::Reply {
    api.send(
        axum::http::Request::get(uri)
            .header(axum::http::header::COOKIE, format!("baton_session={token}"))
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await
}

fn text(reply: &baton_tests::api::Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

per_backend! {
    /// The county's work list: overdue first with days late and whom each
    /// waits for, filtered by township, module, status and a name, sorted,
    /// several reminded at once; the counts link to their rows; the exports
    /// open in Excel (a BOM and Chinese headers; an .xlsx read back). The
    /// township officer's home lists their villages.
    async fn the_county_follows_up_from_one_list(test: TestDb) {
        let api = Api::new(&test).await;
        let (county, township) = (api.token("county").await, api.token("township").await);
        // The handovers of the demo county are ten days late.
        let late = baton_host::clock::now() - 10 * DAY;
        sqlx::query("UPDATE assignments SET due_at = $1 WHERE plugin_id = 'handover'")
            .bind(late)
            .execute(test.db.writer())
            .await
            .expect("late");
        let html = text(&page(&api, &county, &format!("/county?unit={COUNTY}")).await);
        let work = &html[html.find("id=\"work\"").expect("the work list")..];
        assert!(html.find("id=\"work\"") < html.find("id=\"totals-h\""), "the work list comes first");
        assert!(work.contains("<td class=\"late\">10</td>"), "days late: {work}");
        assert!(work.contains("离任干部：申报公章印章"), "whom it waits for");
        assert!(work.contains(&format!("/county?unit={COUNTY}&amp;within&#x3D;{TOWNSHIP}&amp;status&#x3D;overdue#work")) || html.contains("status&#x3D;overdue#work"), "the overdue count links to its rows");
        // Filtered to one township and a village's name.
        let one = text(&page(&api, &county, &format!("/county?unit={COUNTY}&within={TOWNSHIP}&q=桂花&sort=village")).await);
        let rows = one.matches("name=\"enrollment\"").count();
        assert_eq!(rows, 1, "one late handover in 桂花村");
        let nothing = text(&page(&api, &county, &format!("/county?unit={COUNTY}&within={TOWNSHIP}&module=visits")).await);
        assert!(nothing.contains("没有符合条件的任务"), "no late visits");
        let outside = page(&api, &county, &format!("/county?unit={COUNTY}&within=510121100000")).await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN, "another province is not within reach");

        // Three villages reminded at once; one out of scope refuses them all.
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT e.id FROM enrollments e JOIN org_units u ON u.code = e.unit_code
             WHERE e.plugin_id = 'handover' AND u.path LIKE $1 ORDER BY e.id LIMIT 3",
        )
        .bind(format!("%/{TOWNSHIP}/%"))
        .fetch_all(test.db.pool())
        .await
        .expect("ids");
        assert_eq!(ids.len(), 3);
        let before = api.count("SELECT COUNT(*) FROM notices WHERE kind = 'reminder'").await;
        let elsewhere = api.enrollment_of(&api.token("nation").await, baton_host::demo::OTHER_COUNTY_VILLAGE, "handover").await;
        let refused = api.post(&county, "/api/v1/reminders", None, json!({"enrollments": [ids[0], elsewhere]})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(api.count("SELECT COUNT(*) FROM notices WHERE kind = 'reminder'").await, before, "nothing sent");
        let csrf = {
            let at = html.find("name=\"_csrf\" value=\"").expect("a token") + "name=\"_csrf\" value=\"".len();
            html[at..at + html[at..].find('"').expect("end")].to_owned()
        };
        let form = format!("_csrf={csrf}&unit={COUNTY}&enrollment={}&enrollment={}&enrollment={}", ids[0], ids[1], ids[2]);
        let sent = api
            .send(
                axum::http::Request::post("/county/remind")
                    .header(axum::http::header::COOKIE, format!("baton_session={county}"))
                    .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(form))
                    .expect("request"),
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", text(&sent));
        assert!(api.count("SELECT COUNT(*) FROM notices WHERE kind = 'reminder'").await >= before + 3);
        let back = sent.headers[axum::http::header::LOCATION].to_str().expect("a location").to_owned();
        assert!(back.contains("reminded=3"), "{back}");
        let after = text(&page(&api, &county, &back).await);
        assert!(after.contains("我发出的提醒") && after.contains("提醒已发出"), "the sent reminders are listed");
        // Newest first: the villages in the order of the notices, latest first.
        let villages: Vec<String> = sqlx::query_scalar(
            "SELECT u.name FROM notices n JOIN enrollments e ON e.id = n.enrollment_id
             JOIN org_units u ON u.code = e.unit_code WHERE n.kind = 'reminder' ORDER BY n.id DESC LIMIT 3",
        )
        .fetch_all(test.db.pool())
        .await
        .expect("the reminders");
        let listed = &after[after.find("id=\"sent\"").expect("the list")..];
        let at: Vec<usize> = villages.iter().map(|v| listed.find(v.as_str()).unwrap_or(usize::MAX)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]) && at[2] < usize::MAX, "{villages:?} at {at:?}: newest first");

        // The exports, as Excel opens them.
        let csv = page(&api, &county, &format!("/county/export?unit={COUNTY}&table=work")).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "a BOM");
        let csv = String::from_utf8_lossy(&csv.body[3..]).into_owned();
        let header = csv.lines().next().expect("a header");
        assert!(header.starts_with("乡镇（街道）,村（社区）,") && header.contains("逾期天数"), "{header}");
        assert!(csv.contains("新老班子工作交接") && !csv.contains(",handover,"), "module titles, not ids: {csv}");
        assert!(csv.contains(&baton_host::clock::date(late)), "dates as YYYY-MM-DD");
        let english = page(&api, &county, &format!("/county/export?unit={COUNTY}&table=units&locale=en")).await;
        assert_eq!(english.status, StatusCode::OK);
        let xlsx = page(&api, &county, &format!("/county/export?unit={COUNTY}&table=work&format=xlsx")).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        use calamine::Reader as _;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body.clone())).expect("an xlsx");
        let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
        let first: Vec<String> = sheet.rows().next().expect("a header row").iter().map(ToString::to_string).collect();
        assert_eq!(first[0], "乡镇（街道）");
        assert!(sheet.rows().skip(1).any(|r| r.iter().any(|c| c.to_string() == "新老班子工作交接")), "the rows");
        let bad = page(&api, &county, &format!("/county/export?unit={COUNTY}&format=pdf")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        // The trainer pauses one enrollment's reminders from its page, and resumes them.
        let first = ids[0];
        let shown = text(&page(&api, &county, &format!("/enrollments/{first}")).await);
        assert!(shown.contains("暂停提醒"), "the pause form");
        let token = csrf_of(&shown);
        let paused = post_form(&api, &county, &format!("/enrollments/{first}/pause"), &[("_csrf", &token), ("reason", "村里正在处理遗留问题")]).await;
        assert_eq!(paused.status, StatusCode::SEE_OTHER);
        let shown = text(&page(&api, &county, &format!("/enrollments/{first}")).await);
        assert!(shown.contains("已暂停提醒和督办：村里正在处理遗留问题"), "the reason shown");
        let resumed = post_form(&api, &county, &format!("/enrollments/{first}/pause"), &[("_csrf", &token), ("resume", "1")]).await;
        assert_eq!(resumed.status, StatusCode::SEE_OTHER);
        assert_eq!(api.count(&format!("SELECT COUNT(*) FROM reminder_pauses WHERE enrollment_id = {first}")).await, 0);
        let own = csrf_of(&text(&page(&api, &township, "/township").await));
        let township_refused = post_form(&api, &township, &format!("/enrollments/{first}/pause"), &[("_csrf", &own), ("reason", "x")]).await;
        assert_eq!(township_refused.status, StatusCode::FORBIDDEN, "a township officer may not pause");

        // The township officer's home: their villages, each module's state.
        let home = text(&page(&api, &township, "/township").await);
        assert!(home.contains("我的村（社区）") && home.contains("桂花村") && home.contains("新老班子工作交接"), "{home}");
        test.cleanup().await;
    }
}

/// POSTs a form as the holder of session `token`.
async fn post_form(
    api: &Api,
    token: &str,
    uri: &str,
    form: &[(&str, &str)],
) -> baton_tests::api::Reply {
    api.send(
        axum::http::Request::post(uri)
            .header(axum::http::header::COOKIE, format!("baton_session={token}"))
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(axum::body::Body::from(
                serde_urlencoded::to_string(form).expect("form"),
            ))
            .expect("request"),
    )
    .await
}

fn csrf_of(html: &str) -> String {
    let at =
        html.find("name=\"_csrf\" value=\"").expect("a token") + "name=\"_csrf\" value=\"".len();
    html[at..at + html[at..].find('"').expect("end")].to_owned()
}

per_backend! {
    /// The province console sets the reminder schedule and the SMS gateway:
    /// a bad value is shown beside its field and changes nothing; the secret
    /// is kept when left empty and never shown again.
    async fn the_province_sets_its_schedule_and_sms_gateway_on_its_console(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let console = text(&page(&api, &province, "/province").await);
        assert!(console.contains("提醒、短信与邮件") && console.contains("value=\"7,1\""), "the defaults are shown");
        let csrf = csrf_of(&console);
        let schedule = |township: &'static str| [("_csrf", csrf.as_str()), ("channel", "schedule"), ("remind", "10，3"), ("township", township), ("county", "6"), ("province", "12")];
        let bad = post_form(&api, &province, "/province/channels", &schedule("x")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(text(&bad).contains("请填写天数"), "beside its field");
        let out_of_order = post_form(&api, &province, "/province/channels", &schedule("9")).await;
        assert_eq!(out_of_order.status, StatusCode::BAD_REQUEST, "township after the county");
        assert_eq!(api.count("SELECT COUNT(*) FROM channel_settings").await, 0, "nothing stored");
        let saved = post_form(&api, &province, "/province/channels", &schedule("2")).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let stored = api.get(&province, &format!("/api/v1/units/{PROVINCE}/channels/schedule")).await.json();
        assert_eq!(stored, json!({"remind_before_days": [10, 3], "township_after_days": 2, "county_after_days": 6, "province_after_days": 12}));

        let sms = |url: &'static str, secret: &'static str| [("_csrf", csrf.as_str()), ("channel", "sms"), ("url", url), ("secret", secret), ("template", "【换届接力】{message}")];
        let bad = post_form(&api, &province, "/province/channels", &sms("ftp://gateway", "k")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(text(&bad).contains("http://"), "the URL's problem, beside it");
        assert_eq!(post_form(&api, &province, "/province/channels", &sms("https://sms.example.gov.cn/send", "s3cret")).await.status, StatusCode::SEE_OTHER);
        assert_eq!(post_form(&api, &province, "/province/channels", &sms("https://sms2.example.gov.cn/send", "")).await.status, StatusCode::SEE_OTHER);
        let raw: String = sqlx::query_scalar("SELECT config FROM channel_settings WHERE channel = 'sms'")
            .fetch_one(test.db.pool())
            .await
            .expect("stored");
        assert!(raw.contains("sms2.example.gov.cn") && raw.contains("s3cret"), "the secret kept: {raw}");
        let console = text(&page(&api, &province, "/province").await);
        assert!(!console.contains("s3cret"), "never shown again");

        // Hardening, finding 4: a kept SMTP password stays with its server.
        // Another administrator who points the host, port or user name
        // elsewhere and leaves the password blank is asked for it again.
        let email = |host: &'static str, port: &'static str, user: &'static str, password: &'static str| {
            [("_csrf", csrf.as_str()), ("channel", "email"), ("host", host), ("port", port), ("security", "tls"),
             ("from", "村级换届接力 <noreply@example.gov.cn>"), ("username", user), ("password", password)]
        };
        let set = post_form(&api, &province, "/province/channels", &email("smtp.example.gov.cn", "465", "baton", "mail-pass-1")).await;
        assert_eq!(set.status, StatusCode::SEE_OTHER);
        let stored = || async {
            sqlx::query_scalar::<_, String>("SELECT config FROM channel_settings WHERE channel = 'email'")
                .fetch_one(test.db.pool())
                .await
                .expect("stored")
        };
        let before = stored().await;
        for (host, port, user) in [("smtp.attacker.example", "465", "baton"), ("smtp.example.gov.cn", "2525", "baton"), ("smtp.example.gov.cn", "465", "other")] {
            let replay = post_form(&api, &province, "/province/channels", &email(host, port, user, "")).await;
            assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{host}:{port} as {user}");
            assert!(text(&replay).contains("请重新填写密码"), "beside the password");
            assert_eq!(stored().await, before, "nothing changed");
        }
        let kept = post_form(&api, &province, "/province/channels", &email("SMTP.example.gov.cn", "465", "baton", "")).await;
        assert_eq!(kept.status, StatusCode::SEE_OTHER, "the same server keeps its password");
        assert!(stored().await.contains("mail-pass-1"));
        test.cleanup().await;
    }
}

per_backend! {
    /// E-mail over SMTP for officials who gave an address: the province sets
    /// its server (bad fields refused by name, the password never shown),
    /// a township officer gives an address on 我的任务, and the township's
    /// escalation reaches it once, decoded as a mail client reads it; a
    /// server that refuses is retried and the failure shown; a village
    /// cadre has no such form.
    #[multi_thread]
    async fn officials_with_an_email_address_get_escalations_by_smtp(test: TestDb) {
        let api = Api::new(&test).await;
        let smtp = SmtpSink::start().await;
        let (province, county, township, outgoing) = (
            api.token("province").await,
            api.token("county").await,
            api.token("township").await,
            api.token("outgoing").await,
        );
        let url = format!("/api/v1/units/{PROVINCE}/channels/email");
        let server = |extra: serde_json::Value| {
            let mut v = json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                               "from": "村级换届接力 <noreply@hn.example.gov.cn>"});
            for (k, x) in extra.as_object().expect("an object") {
                v[k] = x.clone();
            }
            v
        };
        for (extra, field) in [
            (json!({"from": "not an address"}), "from"),
            (json!({"security": "ssl3"}), "security"),
            (json!({"host": ""}), "host"),
            (json!({"username": "baton"}), "password"),
        ] {
            let bad = api.put(&province, &url, server(extra)).await;
            assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{}", bad.json());
        }
        assert_eq!(api.put(&county, &url, server(json!({}))).await.status, StatusCode::FORBIDDEN, "the SMTP server is the province's");
        assert_eq!(api.count("SELECT COUNT(*) FROM channel_settings").await, 0, "nothing stored");
        assert_eq!(api.put(&province, &url, server(json!({"username": "baton", "password": "pw-9k2"}))).await.status, StatusCode::NO_CONTENT);
        let shown = api.get(&province, &url).await.json();
        assert_eq!(shown["password"], "••••••", "never shown again: {shown}");
        // The relay in the test takes mail unsigned.
        assert_eq!(api.put(&province, &url, server(json!({}))).await.status, StatusCode::NO_CONTENT);

        // The township officer gives an address on 我的任务; a cadre has no such form.
        let me = text(&page(&api, &township, "/me").await);
        assert!(me.contains("邮件提醒") && me.contains("name=\"email\""), "the form for officials");
        assert!(!text(&page(&api, &outgoing, "/me").await).contains("name=\"email\""), "none for a village cadre");
        let csrf = csrf_of(&me);
        let bad = post_form(&api, &township, "/me/email", &[("_csrf", &csrf), ("email", "wangli@")]).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(text(&bad).contains("电子邮箱"), "the field's problem: {}", text(&bad));
        let saved = post_form(&api, &township, "/me/email", &[("_csrf", &csrf), ("email", " wangli@xz.example.gov.cn ")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(api.get(&township, "/api/v1/me").await.json()["email"], "wangli@xz.example.gov.cn");
        let bad = api.put(&county, "/api/v1/me/email", json!({"email": "zhao at county"})).await;
        assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("email")));
        assert_eq!(api.put(&county, "/api/v1/me/email", json!({"email": "zhaomin@county.example.gov.cn"})).await.status, StatusCode::NO_CONTENT);

        // The handover four days late: the township is told, by e-mail too,
        // once however often the worker passes.
        let nation = api.token("nation").await;
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        assert_eq!(api.get(&outgoing, &format!("/api/v1/enrollments/{handover}")).await.status, StatusCode::OK);
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;
        let day4 = ten_am(due + 4 * DAY);
        pass(&api.state, day4).await.expect("pass");
        pass(&api.state, day4 + 600).await.expect("pass");
        let mails = smtp.mails();
        assert_eq!(mails.len(), 1, "one e-mail to the township officer: {mails:?}");
        assert_eq!(mails[0].to, ["wangli@xz.example.gov.cn"]);
        assert_eq!(mails[0].from, "noreply@hn.example.gov.cn");
        let parsed = mail_parser::MessageParser::default().parse(&mails[0].data).expect("an e-mail");
        let subject = parsed.subject().expect("a subject");
        assert!(subject.starts_with("【村级换届接力】"), "{subject}");
        let body = parsed.body_text(0).expect("a text body");
        assert!(body.contains("逾期") && body.contains("新老班子工作交接") && body.contains("桂花村"), "{body}");
        let seen = api.get(&township, "/api/v1/outbox").await.json();
        // Every late enrollment of the township is one escalation; one e-mail
        // carried them all (one "sent", the rest "folded" into it).
        let emails: Vec<serde_json::Value> = seen["escalations"].as_array().expect("escalations").iter()
            .flat_map(|n| n["deliveries"].as_array().cloned().unwrap_or_default())
            .filter(|d| d["channel"] == "email")
            .collect();
        assert_eq!(emails.iter().filter(|d| d["status"] == "sent").count(), 1, "{emails:?}");
        assert!(emails.iter().all(|d| d["address"] == "w***@xz.example.gov.cn" && (d["status"] == "sent" || d["status"] == "folded")), "{emails:?}");

        // A week late the county is told; its server refuses for a while:
        // retried, the failure shown, then sent.
        smtp.fail(true);
        let day8 = ten_am(due + 8 * DAY);
        let failed = pass(&api.state, day8).await.expect("pass");
        assert!(failed.failed >= 1, "{failed:?}");
        let county_seen = api.get(&county, "/api/v1/outbox").await.json();
        assert!(county_seen.to_string().contains("451"), "the server's answer is shown: {county_seen}");
        assert_eq!(smtp.mails().len(), 1);
        smtp.fail(false);
        pass(&api.state, day8 + baton_host::outbox::RETRY_AFTER).await.expect("pass");
        let mails = smtp.mails();
        assert_eq!(mails.len(), 2, "{mails:?}");
        assert_eq!(mails[1].to, ["zhaomin@county.example.gov.cn"]);
        test.cleanup().await;
    }
}

per_backend! {
    /// A county's DingTalk robot in 加签 mode: the secret is checked when
    /// set (WeCom has none; a DingTalk one starts with SEC) and never shown
    /// again; an escalation posts with `timestamp` and `sign`, which the
    /// stub checks as DingTalk does. A wrong secret is refused by the
    /// robot and the delivery fails; with the right one the retry goes.
    async fn a_dingtalk_robot_in_signing_mode_gets_signed_posts(test: TestDb) {
        use baton_tests::stub::DINGTALK_SECRET;
        let api = Api::new(&test).await;
        let stub = Stub::start().await;
        let (county, outgoing, nation) = (
            api.token("county").await,
            api.token("outgoing").await,
            api.token("nation").await,
        );
        let at = |unit: &str, channel: &str| format!("/api/v1/units/{unit}/channels/{channel}");
        let webhook = format!("{}/dingtalk-signed?access_token=t0ken", stub.base);
        let refused = api.put(&county, &at(TOWNSHIP, "wecom"), json!({"webhook": format!("{}/wecom", stub.base), "secret": DINGTALK_SECRET})).await;
        assert_eq!((refused.status, refused.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("secret")));
        let refused = api.put(&county, &at(COUNTY, "dingtalk"), json!({"webhook": webhook, "secret": "abc"})).await;
        assert_eq!((refused.status, refused.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some("secret")));
        let wrong = format!("SEC{}", "f".repeat(64));
        assert_eq!(api.put(&county, &at(COUNTY, "dingtalk"), json!({"webhook": webhook, "secret": wrong})).await.status, StatusCode::NO_CONTENT);
        let shown = api.get(&county, &at(COUNTY, "dingtalk")).await.json();
        assert_eq!(shown["secret"], "••••••", "{shown}");

        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        assert_eq!(api.get(&outgoing, &format!("/api/v1/enrollments/{handover}")).await.status, StatusCode::OK);
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;
        // Seven days late: the county's group, signed with the wrong secret.
        let mut now = ten_am(due + 8 * DAY);
        let first = pass(&api.state, now).await.expect("a pass");
        let got = stub.at("dingtalk-signed");
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].query.starts_with("access_token=t0ken&timestamp=") && got[0].query.contains("&sign="), "{}", got[0].query);
        assert!(!got[0].accepted && first.failed == 1, "the robot refuses a wrong sign: {first:?}");

        // The right secret: the retry is signed with it and taken.
        assert_eq!(api.put(&county, &at(COUNTY, "dingtalk"), json!({"webhook": webhook, "secret": DINGTALK_SECRET})).await.status, StatusCode::NO_CONTENT);
        for _ in 0..6 {
            now += 3600;
            pass(&api.state, now).await.expect("a pass");
            if stub.at("dingtalk-signed").iter().any(|r| r.accepted) {
                break;
            }
        }
        let got = stub.at("dingtalk-signed");
        let taken: Vec<_> = got.iter().filter(|r| r.accepted).collect();
        assert_eq!(taken.len(), 1, "{got:?}");
        assert!(taken[0].body["text"]["content"].as_str().unwrap_or_default().contains("逾期"), "{:?}", taken[0].body);
        test.cleanup().await;
    }
}

per_backend! {
    /// 包村干部: the township assigns its villages to its officers on its
    /// page (a village of another township, or someone not its officer, is
    /// named and nothing changes; a village cadre may not); the contact's
    /// queue puts the village first and another officer sees whose it is;
    /// the township's escalation about the village goes to the contact's
    /// e-mail only, where before it went to every officer; any officer may
    /// still witness, and the action log says who did.
    #[multi_thread]
    async fn the_village_contact_gets_the_villages_reminders(test: TestDb) {
        let api = Api::new(&test).await;
        let smtp = SmtpSink::start().await;
        let (province, county, township, outgoing, secretary) = (
            api.token("province").await,
            api.token("county").await,
            api.token("township").await,
            api.token("outgoing").await,
            api.token("secretary").await,
        );
        let server = json!({"host": "127.0.0.1", "port": smtp.port, "security": "none",
                            "from": "村级换届接力 <noreply@hn.example.gov.cn>"});
        assert_eq!(api.put(&province, &format!("/api/v1/units/{PROVINCE}/channels/email"), server).await.status, StatusCode::NO_CONTENT);
        // A second officer of the township, made by the county.
        let officer = json!({"username": "lr-zhou", "name": "周敏", "role": "township-officer", "unit_code": TOWNSHIP});
        let made = api.post(&county, "/api/v1/accounts", None, officer).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.json());
        let zhou = api.count("SELECT id FROM accounts WHERE username = 'lr-zhou'").await;
        let wang = api.count("SELECT id FROM accounts WHERE username = 'township'").await;
        for (id, email) in [(zhou, "zhoumin@xz.example.gov.cn"), (wang, "wangli@xz.example.gov.cn")] {
            sqlx::query("UPDATE accounts SET email = $1 WHERE id = $2")
                .bind(email)
                .bind(id)
                .execute(test.db.writer())
                .await
                .expect("an address");
        }

        // The township's page lists its villages and both officers.
        let url = format!("/api/v1/units/{TOWNSHIP}/contacts");
        let listed = api.get(&township, &url).await.json();
        assert!(listed["villages"].as_array().expect("villages").iter().any(|v| v["code"] == VILLAGE && v["contact"].is_null()), "{listed}");
        assert_eq!(listed["officers"].as_array().expect("officers").len(), 2, "{listed}");
        assert_eq!(api.get(&outgoing, &url).await.status, StatusCode::FORBIDDEN, "a village cadre does not assign");
        assert_eq!(api.get(&county, &format!("/api/v1/units/{VILLAGE}/contacts")).await.status, StatusCode::BAD_REQUEST, "per township");
        let other_township = baton_host::demo::OTHER_TOWNSHIP_VILLAGE;
        for (body, field) in [
            (json!({"contacts": {other_township: zhou}}), format!("contact.{other_township}")),
            (json!({"contacts": {VILLAGE: api.count("SELECT id FROM accounts WHERE username = 'county'").await}}), format!("contact.{VILLAGE}")),
        ] {
            let refused = api.put(&township, &url, body.clone()).await;
            assert_eq!((refused.status, refused.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field.as_str())), "{body}: {}", refused.json());
        }
        assert_eq!(api.count("SELECT COUNT(*) FROM village_contacts").await, 0, "nothing stored");

        // The county reaches the township's assignment from its dashboard.
        let dashboard = text(&page(&api, &county, &format!("/county?unit={TOWNSHIP}")).await);
        assert!(dashboard.contains(&format!("/township/contacts?unit&#x3D;{TOWNSHIP}")), "{dashboard}");
        assert_eq!(page(&api, &county, &format!("/township/contacts?unit={TOWNSHIP}")).await.status, StatusCode::OK);

        // On the page, the village goes to 周敏.
        let html = text(&page(&api, &township, "/township/contacts").await);
        assert!(html.contains("包村干部") && html.contains(&format!("name=\"contact.{VILLAGE}\"")) && html.contains("周敏"), "{html}");
        let saved = post_form(&api, &township, "/township/contacts", &[("_csrf", &csrf_of(&html)), ("unit", TOWNSHIP), (&format!("contact.{VILLAGE}"), &zhou.to_string())]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", text(&saved));
        let listed = api.get(&township, &url).await.json();
        assert!(listed["villages"].as_array().expect("villages").iter().any(|v| v["code"] == VILLAGE && v["contact"] == zhou && v["contact_name"] == "周敏"), "{listed}");

        // The seals wait for the township's 监交: first in 周敏's queue,
        // marked as another's in 王立's.
        let handover = api.enrollment_of(&api.token("nation").await, VILLAGE, "handover").await;
        let declared = api.act(&outgoing, handover, "c-1", "declare", json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}]})).await;
        assert_eq!(declared.status, StatusCode::OK, "{}", declared.json());
        assert_eq!(api.act(&secretary, handover, "c-2", "confirm", json!({"item": "seals"})).await.status, StatusCode::OK);
        let zhou_token = {
            let issued = made.json();
            let code = issued["code"].as_str().expect("an activation code");
            let body = json!({"username": "lr-zhou", "code": code, "password": "Zhou-min-2031!"});
            let activated = api.send(axum::http::Request::post("/api/v1/activate")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .expect("request")).await;
            assert_eq!(activated.status, StatusCode::OK, "{}", activated.json());
            activated.json()["token"].as_str().expect("token").to_owned()
        };
        let queue = api.get(&zhou_token, "/api/v1/township/queue").await.json();
        assert_eq!((queue[0]["village_code"].as_str(), queue[0]["mine"].as_bool()), (Some(VILLAGE), Some(true)), "{queue}");
        let queue = api.get(&township, "/api/v1/township/queue").await.json();
        let theirs = queue.as_array().expect("a queue").iter().find(|w| w["enrollment_id"] == handover).expect("in the queue");
        assert_eq!((theirs["mine"].as_bool(), theirs["contact"].as_str()), (Some(false), Some("周敏")), "{queue}");
        assert!(text(&page(&api, &township, "/township").await).contains("包村干部：周敏"));

        // 川西村's contact gave no address: its escalation reaches every officer.
        let li = json!({"username": "lr-li", "name": "李强", "role": "township-officer", "unit_code": TOWNSHIP});
        assert_eq!(api.post(&county, "/api/v1/accounts", None, li).await.status, StatusCode::CREATED);
        let li = api.count("SELECT id FROM accounts WHERE username = 'lr-li'").await;
        let second = "500155108202";
        let set = api.put(&township, &url, json!({"contacts": {second: li}})).await;
        assert_eq!((set.status, set.json()["changed"].as_i64()), (StatusCode::OK, Some(1)), "{}", set.json());
        let other_handover = api.enrollment_of(&api.token("nation").await, second, "handover").await;

        // Four days late, the township's escalation about the village
        // reaches 周敏 alone.
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;
        pass(&api.state, ten_am(due + 4 * DAY)).await.expect("pass");
        // (The township's other villages have no contact: both hear of those.)
        let to: Vec<Vec<String>> = smtp.mails().iter().map(|m| m.to.clone()).collect();
        assert!(to.iter().any(|t| t == &["zhoumin@xz.example.gov.cn"]), "{to:?}");
        let recipients: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT o.recipient FROM outbox o JOIN notices n ON n.id = o.notice_id
             WHERE n.enrollment_id = $1 AND o.channel = 'email'",
        )
        .bind(handover)
        .fetch_all(test.db.pool())
        .await
        .expect("the village's e-mails");
        assert_eq!(recipients, [format!("account:{zhou}")], "the village's escalation went to its contact alone");
        let mut everyone: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT o.recipient FROM outbox o JOIN notices n ON n.id = o.notice_id
             WHERE n.enrollment_id = $1 AND o.channel = 'email'",
        )
        .bind(other_handover)
        .fetch_all(test.db.pool())
        .await
        .expect("the other village's e-mails");
        everyone.sort();
        let mut both = vec![format!("account:{wang}"), format!("account:{zhou}")];
        both.sort();
        assert_eq!(everyone, both, "a contact who cannot be reached leaves it to every officer");

        // 王立 may still witness; the log says it was he.
        let witnessed = api.act(&township, handover, "c-3", "witness", json!({"item": "seals"})).await;
        assert_eq!(witnessed.status, StatusCode::OK, "{}", witnessed.json());
        assert_eq!(api.count(&format!("SELECT account_id FROM actions WHERE enrollment_id = {handover} AND action = 'witness'")).await, wang);
        test.cleanup().await;
    }
}

per_backend! {
    /// 工作统计: the county's table, row by row and in total, is what a
    /// count over the signed log and the accepted actions gives, for every
    /// figure; two items witnessed in 桂花村 show under 礼让镇; the page has
    /// the lines to sign; a township officer does not read the county's.
    async fn the_work_statistics_count_what_was_signed_and_done(test: TestDb) {
        use baton_host::statistics::{Count, FIGURES};
        let api = Api::new(&test).await;
        let (county, township, outgoing, secretary) = (
            api.token("county").await,
            api.token("township").await,
            api.token("outgoing").await,
            api.token("secretary").await,
        );
        let handover = api.enrollment_of(&api.token("nation").await, VILLAGE, "handover").await;
        for item in ["seals", "archives"] {
            for (who, action, payload) in [
                (&outgoing, "declare", json!({"item": item, "entries": [{"name": "清单", "quantity": 1}]})),
                (&secretary, "confirm", json!({"item": item})),
                (&township, "witness", json!({"item": item})),
            ] {
                let reply = api.act(who, handover, &format!("{item}-{action}"), action, payload).await;
                assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.json());
            }
        }
        // The old secretary visited with 500 yuan of condolence money; his
        // subsidy applied for, approved and paid: 900 yuan.
        let visits = api.enrollment_of(&api.token("nation").await, VILLAGE, "visits").await;
        let old = api.count("SELECT p.id FROM people p JOIN accounts a ON a.person_id = p.id WHERE a.username = 'outgoing'").await.to_string();
        for (who, action, payload) in [
            (&secretary, "log-talk", json!({"person": old, "date": "2025-12-30", "visitors": ["张建国"], "discussed": "身体和家庭", "condolence": 500})),
            (&secretary, "record-subsidy", json!({"person": old, "applied": true, "note": "LH-2026-031", "monthly": 300})),
            (&township, "approve-subsidy", json!({"person": old, "approved": true, "monthly": 300})),
            (&township, "pay-subsidy", json!({"person": old, "paid_on": "2025-12-31", "amount": 900})),
        ] {
            let reply = api.act(who, visits, &format!("v-{action}"), action, payload).await;
            assert_eq!(reply.status, StatusCode::OK, "{action}: {}", reply.json());
        }
        let csv = page(&api, &county, &format!("/statistics?unit={COUNTY}&format=csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let csv = text(&csv);
        let lines: Vec<Vec<&str>> = csv.trim_start_matches('\u{feff}').lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(lines[0][0], "单位", "{csv}");
        let column = |name: &str| lines[0].iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {csv}"));
        let row = |name: &str| lines.iter().find(|l| l[0] == name).unwrap_or_else(|| panic!("{name} in {csv}")).clone();
        assert_eq!(row("礼让镇")[column("工作交接·监交完成事项")], "2", "{csv}");
        assert_eq!(row("礼让镇")[column("离任走访·慰问金（元）")], "500", "{csv}");
        assert_eq!(row("礼让镇")[column("离任走访·生活补助发放金额（元）")], "900", "{csv}");
        let path: String = sqlx::query_scalar("SELECT path FROM org_units WHERE code = $1")
            .bind(COUNTY)
            .fetch_one(test.db.pool())
            .await
            .expect("the county's path");
        for (i, f) in FIGURES.iter().enumerate() {
            if let Count::ActedSum(action, field) = f.count {
                let payloads: Vec<String> = sqlx::query_scalar(&format!(
                    "SELECT s.payload FROM actions s JOIN enrollments e ON e.id = s.enrollment_id JOIN org_units u ON u.code = e.unit_code
                     WHERE e.plugin_id = '{}' AND u.path LIKE '{path}%' AND s.action = '{action}' AND s.result = 'accepted'", f.module
                ))
                .fetch_all(test.db.pool())
                .await
                .expect("payloads");
                let sum: i64 = payloads.iter().map(|p| serde_json::from_str::<serde_json::Value>(p).expect("JSON")[field].as_i64().unwrap_or(0)).sum();
                assert_eq!(row("合计")[i + 1], sum.to_string(), "{}: {csv}", f.title.0);
                continue;
            }
            let (from, filter) = match f.count {
                Count::SignedPrefix(p) => ("signoffs s", format!("s.subject LIKE '{p}%'")),
                Count::SignedSuffix(s) => ("signoffs s", format!("s.subject LIKE '%{s}'")),
                Count::Acted(a) => ("actions s", format!("s.action = '{a}' AND s.result = 'accepted'")),
                Count::ActedSum(..) => unreachable!("added up above"),
            };
            let counted = api.count(&format!(
                "SELECT COUNT(*) FROM {from} JOIN enrollments e ON e.id = s.enrollment_id JOIN org_units u ON u.code = e.unit_code
                 WHERE e.plugin_id = '{}' AND u.path LIKE '{path}%' AND {filter}", f.module
            )).await;
            assert_eq!(row("合计")[i + 1], counted.to_string(), "{}: {csv}", f.title.0);
        }

        let html = text(&page(&api, &county, &format!("/statistics?unit={COUNTY}")).await);
        assert!(html.contains("工作统计") && html.contains("填报人") && html.contains("colspan"), "{html}");
        assert!(html.contains("href=\"/statistics?unit&#x3D;500155108000\""), "a township opens its villages: {html}");
        assert_eq!(page(&api, &township, &format!("/statistics?unit={COUNTY}")).await.status, StatusCode::FORBIDDEN);
        test.cleanup().await;
    }
}

per_backend! {
    /// SMS through Aliyun and Tencent Cloud: the province maps each notice
    /// kind to its approved template and what fills its variables (bad
    /// settings named by field, nothing stored); the 7-day reminder goes as
    /// that template with the village, module and due date — no free text —
    /// signed as each vendor documents, which the stubs check and a wrong
    /// secret fails (shown on the outbox page, retried); a kind without a
    /// template is not sent by SMS.
    #[multi_thread]
    async fn reminders_go_as_approved_templates_through_aliyun_and_tencent(test: TestDb) {
        use baton_tests::stub::VENDOR_SECRET;
        let api = Api::new(&test).await;
        let stub = Stub::start().await;
        let (province, outgoing, nation, county) = (
            api.token("province").await,
            api.token("outgoing").await,
            api.token("nation").await,
            api.token("county").await,
        );
        let url = format!("/api/v1/units/{PROVINCE}/channels/sms");
        let aliyun = |secret: &str| json!({
            "vendor": "aliyun", "url": format!("{}/aliyun", stub.base), "key_id": "LTAI5tBaton",
            "secret": secret, "sign_name": "村级换届接力",
            "templates": {"due": {"id": "SMS_468250001", "params": {"village": "village", "name": "module", "date": "due"}}},
            "receipt_token": "aliyun-receipts-0123456789",
        });
        for (mut body, field) in [
            (json!({"vendor": "huawei"}), "vendor"),
            (json!({"sign_name": ""}), "sign_name"),
            (json!({"key_id": " "}), "key_id"),
            (json!({"templates": {}}), "templates"),
            (json!({"templates": {"due": {"id": "SMS_1", "params": ["village"]}}}), "templates.due.params"),
            (json!({"templates": {"due": {"id": "SMS_1", "params": {"x": "phone"}}}}), "templates.due.params"),
            (json!({"templates": {"birthday": {"id": "SMS_1", "params": {}}}}), "templates.birthday"),
            (json!({"receipt_token": "short"}), "receipt_token"),
        ] {
            let mut full = aliyun(VENDOR_SECRET);
            for (k, v) in body.as_object_mut().expect("an object") {
                full[k] = v.take();
            }
            let bad = api.put(&province, &url, full.clone()).await;
            assert_eq!((bad.status, bad.json()["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{full}: {}", bad.json());
        }
        let tencent_without_app = json!({"vendor": "tencent", "key_id": "AKID", "secret": "s", "sign_name": "村级换届接力",
                                         "templates": {"due": {"id": "1", "params": ["village"]}}});
        let bad = api.put(&province, &url, tencent_without_app).await;
        assert_eq!(bad.json()["field"], "app_id", "{}", bad.json());
        assert_eq!(api.count("SELECT COUNT(*) FROM channel_settings").await, 0, "nothing stored");
        assert_eq!(api.put(&province, &url, aliyun(VENDOR_SECRET)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&province, &url).await.json()["secret"], "••••••", "the AccessKey Secret is never shown again");
        let console = text(&page(&api, &province, "/province").await);
        assert!(console.contains("aliyun") && console.contains("due SMS_468250001") && !console.contains("name=\"template\""), "the console lists the vendor, not the gateway's form");

        let person = api.count("SELECT person_id FROM accounts WHERE username = 'outgoing'").await;
        sqlx::query("UPDATE people SET phone = '13812345678' WHERE id = $1")
            .bind(person)
            .execute(test.db.writer())
            .await
            .expect("phone");
        let handover = api.enrollment_of(&nation, VILLAGE, "handover").await;
        assert_eq!(api.get(&outgoing, &format!("/api/v1/enrollments/{handover}")).await.status, StatusCode::OK);
        let due = api.count(&format!("SELECT a.due_at FROM enrollments e JOIN assignments a ON a.id = e.assignment_id WHERE e.id = {handover}")).await;
        let due_date = baton_host::clock::date(due);

        // Aliyun: the reminder as SMS_468250001 with its named variables.
        pass(&api.state, ten_am(due - 6 * DAY)).await.expect("pass");
        let sent = stub.at("aliyun");
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(sent[0].accepted, "the signature checks out: {:?}", sent[0].body);
        let form = &sent[0].body;
        assert_eq!((form["Action"].as_str(), form["PhoneNumbers"].as_str(), form["SignName"].as_str(), form["TemplateCode"].as_str()),
                   (Some("SendSms"), Some("13812345678"), Some("村级换届接力"), Some("SMS_468250001")));
        let param: serde_json::Value = serde_json::from_str(form["TemplateParam"].as_str().expect("TemplateParam")).expect("JSON");
        assert_eq!(param, json!({"village": "桂花村", "name": "新老班子工作交接", "date": due_date}));
        assert!(!form.to_string().contains("将于"), "no free text: {form}");

        // Aliyun's delivery report (回执), to the province's report URL: a
        // wrong token is not found; the right one records it.
        let report = |uri: String, body: serde_json::Value| {
            axum::http::Request::post(uri)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .expect("request")
        };
        let said = json!([{"phone_number": "13812345678", "send_time": "2026-12-08 10:00:01", "report_time": "2026-12-08 10:00:09",
                           "success": false, "err_code": "MOBILE_NOT_ON_SERVICE", "err_msg": "停机", "sms_size": "1", "biz_id": "900619746936498440^0"}]);
        let wrong = api.send(report(format!("/hooks/sms/{PROVINCE}/aliyun-receipts-9999999999"), said.clone())).await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert_eq!(api.count("SELECT COUNT(*) FROM outbox WHERE receipt IS NOT NULL").await, 0);
        let taken = api.send(report(format!("/hooks/sms/{PROVINCE}/aliyun-receipts-0123456789"), said)).await;
        assert_eq!((taken.status, taken.json()), (StatusCode::OK, json!({"code": 0, "msg": "成功"})));
        let receipt: String = sqlx::query_scalar("SELECT receipt FROM outbox WHERE vendor_id = '900619746936498440^0'")
            .fetch_one(test.db.pool())
            .await
            .expect("the report is recorded");
        assert_eq!(receipt, "failed: MOBILE_NOT_ON_SERVICE");

        // Tencent Cloud, through the console's JSON, by position.
        let tencent = |secret: &str| json!({
            "vendor": "tencent", "url": format!("{}/tencent", stub.base), "key_id": "AKIDbaton", "secret": secret,
            "sign_name": "村级换届接力", "app_id": "1400787878", "region": "ap-beijing",
            "templates": {"due": {"id": "1722041", "params": ["village", "module", "due"]}},
        });
        assert_eq!(api.put(&province, &url, tencent(VENDOR_SECRET)).await.status, StatusCode::NO_CONTENT);
        // 10:00 on the last day before the due time: the 1-day reminder.
        let last_day = [ten_am(due - DAY), ten_am(due)].into_iter().find(|t| (due - DAY..due).contains(t)).expect("10:00 comes once a day");
        let went = pass(&api.state, last_day).await.expect("pass");
        let sent = stub.at("tencent");
        assert_eq!(sent.len(), 1, "{went:?}");
        assert!(sent[0].accepted, "TC3 checks out: {:?}", sent[0].headers);
        assert_eq!(sent[0].body["TemplateParamSet"], json!(["桂花村", "新老班子工作交接", due_date]));
        assert_eq!((sent[0].body["PhoneNumberSet"][0].as_str(), sent[0].body["SmsSdkAppId"].as_str(), sent[0].body["TemplateId"].as_str()),
                   (Some("+8613812345678"), Some("1400787878"), Some("1722041")));
        assert_eq!(sent[0].headers["x-tc-region"], "ap-beijing");

        // A wrong SecretKey: the vendor refuses it; the failure is shown and retried.
        assert_eq!(api.put(&province, &url, tencent("not-the-secret")).await.status, StatusCode::NO_CONTENT);
        let reminded = api.post(&county, &format!("/api/v1/enrollments/{handover}/reminders"), None, json!({})).await;
        assert_eq!(reminded.status, StatusCode::CREATED);
        let at = ten_am(due + DAY);
        // The trainer's reminder is a `reminder`: no template for it, so no SMS.
        pass(&api.state, at).await.expect("pass");
        let outbox = api.get(&county, "/api/v1/outbox").await.json();
        let sms = outbox["sent"][0]["deliveries"].as_array().expect("deliveries").iter().find(|d| d["channel"] == "sms").cloned().expect("an sms");
        assert_eq!(sms["status"], "dead", "{sms}");
        assert!(sms["error"].as_str().unwrap_or_default().contains("no approved SMS template"), "{sms}");
        // Mapped, it goes — and the wrong secret is refused.
        let mut with_reminder = tencent("not-the-secret");
        with_reminder["templates"]["reminder"] = json!({"id": "1722042", "params": ["module"]});
        assert_eq!(api.put(&province, &url, with_reminder).await.status, StatusCode::NO_CONTENT);
        let reminded = api.post(&county, &format!("/api/v1/enrollments/{handover}/reminders"), None, json!({})).await;
        assert_eq!(reminded.status, StatusCode::CREATED);
        let failed = pass(&api.state, at + 2 * DAY).await.expect("pass");
        assert!(failed.failed >= 1, "{failed:?}");
        let refused = stub.at("tencent");
        assert!(!refused.last().expect("tried").accepted, "the stub refused the signature");
        let outbox = api.get(&county, "/api/v1/outbox").await.json();
        assert!(outbox.to_string().contains("AuthFailure.SignatureFailure"), "{outbox}");

        // The right secret: the retry goes; Tencent's report says delivered,
        // and the trainer's page shows it.
        let mut fixed = tencent(VENDOR_SECRET);
        fixed["templates"]["reminder"] = json!({"id": "1722042", "params": ["module"]});
        fixed["receipt_token"] = json!("tencent-receipts-0123456789");
        assert_eq!(api.put(&province, &url, fixed).await.status, StatusCode::NO_CONTENT);
        let retried = pass(&api.state, at + 3 * DAY).await.expect("pass");
        assert_eq!(retried.sent, 1, "{retried:?}");
        let said = json!([{"user_receive_time": "2026-12-11 10:00:09", "nationcode": "86", "mobile": "13812345678",
                           "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "5000:1045710669157053657849499619"}]);
        let taken = api.send(report(format!("/hooks/sms/{PROVINCE}/tencent-receipts-0123456789"), said)).await;
        assert_eq!((taken.status, taken.json()), (StatusCode::OK, json!({"result": 0, "errmsg": "OK"})));
        let trainer = text(&page(&api, &county, "/county").await);
        assert!(trainer.contains("回执：已送达"), "the report on the trainer's page");
        let mine = api.get(&county, "/api/v1/outbox").await.json();
        assert!(mine["sent"].to_string().contains("\"receipt\":\"delivered\""), "and in the API: {mine}");
        test.cleanup().await;
    }
}
