//! The pages through the real router, on the demo data (both backends):
//! who may open which page, the CSRF token every form needs, error pages in
//! the layout, and the language switch. The browser test (`browser.rs`)
//! walks the same pages in Chromium; these pin the refusals.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use baton_host::demo;
use baton_tests::api::{Api, Reply};
use baton_tests::per_backend;
use serde_json::{Value, json};

/// The session cookie of a demo user.
async fn cookie(api: &Api, user: &str) -> String {
    format!("baton_session={}", api.token(user).await)
}

async fn get(api: &Api, cookie: &str, uri: &str) -> Reply {
    let mut request = Request::get(uri);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    api.send(request.body(Body::empty()).expect("request"))
        .await
}

async fn post_form(api: &Api, cookie: &str, uri: &str, form: &[(&str, &str)]) -> Reply {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    api.send(request).await
}

fn html(reply: &Reply) -> String {
    let kind = reply
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(kind.starts_with("text/html"), "a page, not {kind}");
    String::from_utf8_lossy(&reply.body).into_owned()
}

/// The CSRF token a page's forms carry.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 20;
    page[at..at + 32].to_owned()
}

per_backend! {
    async fn each_page_is_only_for_its_roles(test: TestDb) {
        let api = Api::new(&test).await;
        let county = cookie(&api, "county").await;
        let township = cookie(&api, "township").await;
        let secretary = cookie(&api, "secretary").await;
        let other_county = format!("/county?unit={}000000", &demo::OTHER_COUNTY_VILLAGE[..6]);
        for (who, uri) in [
            (&county, other_county.as_str()),
            (&county, "/province"),
            (&township, "/county"),
            (&secretary, "/township"),
            (&secretary, "/county"),
        ] {
            let reply = get(&api, who, uri).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
            let page = html(&reply);
            assert!(
                page.contains("没有权限") && page.contains("<main"),
                "{uri}: the 403 page in the layout"
            );
            assert!(
                page.contains("action=\"/logout\""),
                "{uri}: still signed in, with the nav"
            );
        }
        for (who, uri) in [
            (&county, "/county"),
            (&township, "/township"),
            (&secretary, "/me"),
        ] {
            assert_eq!(get(&api, who, uri).await.status, StatusCode::OK, "{uri}");
        }
        // The province console offers its own counties as scopes, no other province's.
        let province = cookie(&api, "province").await;
        let page = html(&get(&api, &province, "/province").await);
        assert!(page.contains("<option value=\"梁平区\">"), "its counties, by name");
        assert!(!page.contains("金堂县") && !page.contains("四川"), "nothing of 四川");
        // The national administrator's dashboard starts at the nation: its provinces.
        let nation = cookie(&api, "nation").await;
        let page = html(&get(&api, &nation, "/county").await);
        assert!(
            page.contains("全国") && page.contains("/county?unit&#x3D;500000000000"),
            "the provinces, one click down"
        );
        // The breadcrumbs: every level down to the page's unit, top down,
        // each linked only where the visitor may look.
        let crumbs = |page: &str| -> Vec<String> {
            let nav = page
                .split("<nav class=\"crumbs\"")
                .nth(1)
                .and_then(|rest| rest.split("</nav>").next())
                .expect("breadcrumbs");
            nav.split("href=\"")
                .skip(1)
                .map(|a| a.split('"').next().unwrap_or_default().to_owned())
                .collect()
        };
        let page = html(&get(&api, &nation, &format!("/county?unit={}", demo::COUNTY)).await);
        assert_eq!(
            crumbs(&page),
            [
                "/county".to_owned(),
                format!("/county?unit&#x3D;{}", demo::PROVINCE),
                format!("/county?unit&#x3D;{}", demo::CITY),
                format!("/county?unit&#x3D;{}", demo::COUNTY),
            ],
            "the nation, the province, its city level, the county"
        );
        let page = html(&get(&api, &county, "/county").await);
        assert_eq!(
            crumbs(&page),
            [format!("/county?unit&#x3D;{}", demo::COUNTY)],
            "a county trainer: the county only"
        );
        assert_eq!(
            get(&api, &county, "/api/v1/reports/overdue").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get(&api, &nation, "/api/v1/reports/overdue").await.status,
            StatusCode::OK
        );
        // Signed out: to the login page, and back afterwards.
        let reply = get(&api, "", "/county?unit=500155000000").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            reply.headers[header::LOCATION],
            "/login?next=%2Fcounty%3Funit%3D500155000000"
        );
        // Unknown pages: a 404 page; unknown API paths keep answering JSON.
        let reply = get(&api, &county, "/nowhere").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(html(&reply).contains("找不到这个页面"));
        let reply = get(&api, &county, "/api/v1/nowhere").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.json()["error"], "not-found");
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_form_without_its_token_changes_nothing(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let id = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let outgoing = cookie(&api, "outgoing").await;
        let page = html(&get(&api, &outgoing, &format!("/enrollments/{id}")).await);
        let token = csrf(&page);
        assert!(
            page.contains("data-action=\"declare\""),
            "the outgoing cadre is offered the declaration"
        );
        let declare = |csrf: &'static str| {
            vec![
                ("_csrf", csrf),
                ("_action", "declare"),
                ("_key", "k1"),
                ("_form", "declare|item=seals"),
                ("item", "seals"),
                ("entries.0.name", "公章"),
                ("entries.0.quantity", "1"),
            ]
        };
        let uri = format!("/enrollments/{id}");
        for bad in ["", "0123456789abcdef0123456789abcdef"] {
            let reply = post_form(&api, &outgoing, &uri, &declare(bad)).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN);
            assert!(html(&reply).contains("表单已过期"));
        }
        assert_eq!(
            api.count("SELECT COUNT(*) FROM actions").await,
            0,
            "nothing was attempted"
        );
        // With the token: accepted, and the page shows the new state.
        let token: &'static str = Box::leak(token.into_boxed_str());
        let reply = post_form(&api, &outgoing, &uri, &declare(token)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(
            reply.headers[header::LOCATION],
            format!("/enrollments/{id}?saved=declare")
        );
        assert_eq!(
            api.count("SELECT COUNT(*) FROM actions WHERE result = 'accepted'")
                .await,
            1
        );
        let page = html(&get(&api, &outgoing, &format!("/enrollments/{id}?saved=declare")).await);
        assert!(page.contains("已保存") && page.contains("等待新任书记清点接收"));
        // The same form posted twice (a double tap): acted on once.
        let again = post_form(&api, &outgoing, &uri, &declare(token)).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, 1);
        // A reminder needs the token too, and a township officer may not send one.
        let township = cookie(&api, "township").await;
        let t = csrf(&html(&get(&api, &township, "/township").await));
        let id = id.to_string();
        let before = api.count("SELECT COUNT(*) FROM notices").await;
        let reply = post_form(
            &api,
            &township,
            "/county/remind",
            &[("_csrf", &t), ("enrollment", &id)],
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(
            api.count("SELECT COUNT(*) FROM notices").await,
            before,
            "no reminder recorded"
        );
        test.cleanup().await;
    }
}

per_backend! {
    async fn login_from_another_site_and_wrong_passwords_are_refused(test: TestDb) {
        let api = Api::new(&test).await;
        let form = |origin: &str| {
            Request::post("/login")
                .header(header::HOST, "baton.example")
                .header(header::ORIGIN, origin)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=county&password=demo"))
                .expect("request")
        };
        let reply = api.send(form("https://evil.example")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(
            reply.headers.get(header::SET_COOKIE).is_none(),
            "no session from another site's form"
        );
        let reply = api.send(form("https://baton.example")).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.headers[header::LOCATION], "/county");
        assert!(
            reply.headers[header::SET_COOKIE]
                .to_str()
                .expect("a header")
                .contains("HttpOnly")
        );
        let wrong = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=county&password=nope&next=%2Fcounty"))
            .expect("request");
        let reply = api.send(wrong).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        let page = html(&reply);
        assert!(page.contains("用户名或密码错误") && page.contains("value=\"county\""));
        // Five failures lock the name: the sixth try, even with the right
        // password, is told to wait.
        for _ in 0..4 {
            let wrong = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=county&password=nope"))
                .expect("request");
            assert_eq!(api.send(wrong).await.status, StatusCode::UNAUTHORIZED);
        }
        let right = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=county&password=demo"))
            .expect("request");
        let reply = api.send(right).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html(&reply).contains("登录失败次数过多"));
        assert!(reply.headers.get(header::SET_COOKIE).is_none());
        test.cleanup().await;
    }
}

per_backend! {
    async fn english_is_one_click_away(test: TestDb) {
        let api = Api::new(&test).await;
        let secretary = cookie(&api, "secretary").await;
        let page = html(&get(&api, &secretary, "/me").await);
        assert!(page.contains("<html lang=\"zh-CN\">") && page.contains("我的任务"));
        assert!(
            page.contains("href=\"/lang/en?next&#x3D;%2Fme\""),
            "the switch links back here"
        );
        let reply = get(&api, &secretary, "/lang/en?next=%2Fme").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.headers[header::LOCATION], "/me");
        let set = reply.headers[header::SET_COOKIE]
            .to_str()
            .expect("a header")
            .to_owned();
        assert!(set.starts_with("baton_lang=en"), "{set}");
        let both = format!("{secretary}; baton_lang=en");
        let page = html(&get(&api, &both, "/me").await);
        assert!(page.contains("<html lang=\"en\">") && page.contains("My onboarding"));
        assert!(
            page.contains("Handover between old and new committees"),
            "modules' titles too"
        );
        // Only paths on this site are followed.
        let reply = get(&api, &secretary, "/lang/en?next=%2F%2Fevil.example").await;
        assert_eq!(reply.headers[header::LOCATION], "/");
        test.cleanup().await;
    }
}

per_backend! {
    async fn every_module_offers_its_forms_to_whoever_acts_next(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let secretary = cookie(&api, "secretary").await;
        let township = cookie(&api, "township").await;
        let member = cookie(&api, "member").await;
        for (module, who, action, label) in [
            ("visits", &secretary, "log-talk", "谈话日期"),
            ("duties", &secretary, "assign", "职责"),
            ("open-door", &secretary, "record-visits", "走访户数"),
            ("open-door", &secretary, "commit", "承诺内容"),
            ("swearing-in", &township, "schedule", "地点"),
        ] {
            let id = api.enrollment_of(&nation, demo::VILLAGE, module).await;
            let page = html(&get(&api, who, &format!("/enrollments/{id}")).await);
            assert!(
                page.contains(&format!("data-action=\"{action}\"")),
                "{module}: a {action} form"
            );
            assert!(
                page.contains(label),
                "{module}: labelled in Chinese ({label})"
            );
        }
        // A member who has nothing to do in the handover sees no forms at all.
        let id = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let page = html(&get(&api, &member, &format!("/enrollments/{id}")).await);
        assert!(!page.contains("action-form"), "no forms for an onlooker");
        // A form built from the schema: a date, a number and lines become the payload.
        let id = api.enrollment_of(&nation, demo::VILLAGE, "open-door").await;
        let uri = format!("/enrollments/{id}");
        let t = csrf(&html(&get(&api, &secretary, &uri).await));
        let reply = post_form(
            &api,
            &secretary,
            &uri,
            &[
                ("_csrf", &t),
                ("_action", "record-visits"),
                ("_key", "visits-1"),
                ("_form", "record-visits"),
                ("date", "2026-11-20"),
                ("households", "42"),
                ("issues", "修路%0A%0A路灯"),
            ],
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let payload = api
            .count("SELECT COUNT(*) FROM actions WHERE action = 'record-visits' AND result = 'accepted' AND payload LIKE '%\"households\":42%'")
            .await;
        assert_eq!(payload, 1, "the payload has the number as a number");
        test.cleanup().await;
    }
}

per_backend! {
    async fn what_the_pages_show_is_also_json(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let county = api.token("county").await;
        let township = api.token("township").await;
        let member = api.token("member").await;
        let outgoing = api.token("outgoing").await;
        let secretary = api.token("secretary").await;
        // The handover asks the township officer to witness once an item is received.
        let id = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let declare = serde_json::json!({"action": "declare", "payload": {"item": "seals", "entries": [{"name": "公章", "quantity": 1}]}});
        let confirm = serde_json::json!({"action": "confirm", "payload": {"item": "seals"}});
        let uri = format!("/api/v1/enrollments/{id}/actions");
        assert_eq!(
            api.post(&outgoing, &uri, Some("d1"), declare).await.status,
            StatusCode::OK
        );
        // Declared: nothing of the handover's waits for the township yet
        // (the swearing-in the township must schedule does).
        let queue = api.get(&township, "/api/v1/township/queue").await.json();
        assert!(queue.as_array().expect("a list").iter().all(|w| w["enrollment_id"] != id), "{queue}");
        assert_eq!(
            api.post(&secretary, &uri, Some("c1"), confirm).await.status,
            StatusCode::OK
        );
        let queue = api.get(&township, "/api/v1/township/queue").await.json();
        let handover = queue.as_array().expect("a list").iter().find(|w| w["enrollment_id"] == id).expect("the handover waits for the witness");
        assert_eq!(handover["count"], 1);
        assert_eq!(
            api.get(&county, "/api/v1/township/queue").await.status,
            StatusCode::FORBIDDEN
        );
        // A reminder: the trainer may send one, the township officer may not; the member sees it.
        let lesson = api.get(&member, "/api/v1/me/enrollments").await.json();
        let lesson = lesson
            .as_array()
            .expect("a list")
            .iter()
            .find(|e| e["module"] == "first-lesson" && !e["person_id"].is_null())
            .expect("the member's first lesson")["id"]
            .as_i64()
            .expect("an id");
        let remind = format!("/api/v1/enrollments/{lesson}/reminders");
        let empty = serde_json::json!({});
        assert_eq!(
            api.post(&township, &remind, None, empty.clone())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.post(&county, &remind, None, empty).await.status,
            StatusCode::CREATED
        );
        let notices = api.get(&member, "/api/v1/me/notices").await.json();
        let first = &notices[0];
        assert_eq!(first["enrollment_id"], lesson);
        assert!(
            first["message"]["zh"]
                .as_str()
                .expect("zh")
                .contains("提醒您"),
            "{first}"
        );
        assert!(
            first["message"]["en"]
                .as_str()
                .expect("en")
                .contains("reminds you"),
            "{first}"
        );
        assert_eq!(first["new"], true);
        // 我的任务 shows it as new and marks it seen (the API's look does not).
        let page = html(&get(&api, &format!("baton_session={member}"), "/me").await);
        assert!(page.contains("class=\"new\""), "the reminder is new on 我的任务");
        let again = api.get(&member, "/api/v1/me/notices").await.json();
        assert_eq!(again[0]["new"], false, "seen once 我的任务 showed it: {again}");
        // Any table as CSV: the unit's own totals too.
        let csv = api
            .get(
                &county,
                "/api/v1/reports/completion?unit=500155000000&format=csv&rows=total",
            )
            .await;
        let csv = String::from_utf8_lossy(&csv.body).into_owned();
        let lines: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(lines.len(), 7, "one line per module assigned: {csv}");
        assert!(
            lines.iter().all(|l| l.starts_with("500155000000,")),
            "{csv}"
        );
        // Overdue: nothing yet (the demo is due in the future); out of scope is refused.
        let overdue = api
            .get(&county, "/api/v1/reports/overdue?unit=500155000000")
            .await
            .json();
        assert_eq!(overdue["overdue"], serde_json::json!([]));
        sqlx::query("UPDATE assignments SET due_at = 1000")
            .execute(test.db.pool())
            .await
            .expect("every assignment past due");
        let overdue = api
            .get(&county, "/api/v1/reports/overdue?unit=500155000000")
            .await
            .json();
        let list = overdue["overdue"].as_array().expect("a list");
        assert!(!list.is_empty());
        assert!(
            list.iter().all(|o| o["village_code"]
                .as_str()
                .is_some_and(|c| c.starts_with("500155"))),
            "only the county's villages"
        );
        let csv = api
            .get(
                &county,
                "/api/v1/reports/overdue?unit=500155000000&format=csv",
            )
            .await;
        assert!(String::from_utf8_lossy(&csv.body).contains("village_code"));
        let other = format!(
            "/api/v1/reports/overdue?unit={}000000",
            &demo::OTHER_COUNTY_VILLAGE[..6]
        );
        assert_eq!(api.get(&county, &other).await.status, StatusCode::FORBIDDEN);
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_bad_assignment_is_shown_beside_its_field_and_stores_nothing(test: TestDb) {
        let api = Api::new(&test).await;
        let province = cookie(&api, "province").await;
        let t = csrf(&html(&get(&api, &province, "/province").await));
        let before = api.count("SELECT COUNT(*) FROM assignments").await;
        let enrolled = api.count("SELECT COUNT(*) FROM enrollments").await;
        // A config field is the module's, generated from its config schema.
        // A whole course as its generated form posts it.
        let course = [
            ("config.title.zh", "换届培训班"),
            ("config.lessons.0.title.zh", "第一讲"),
            ("config.lessons.0.body.zh", "课文"),
            ("config.lessons.0.hours", "2"),
            ("config.questions.0.prompt.zh", "题目"),
            ("config.questions.0.options.0.zh", "是"),
            ("config.questions.0.options.1.zh", "否"),
            ("config.questions.0.answer", "0"),
            ("config.attempts", "3"),
        ];
        for (module, field, value, says) in [
            ("first-lesson@0.4.1", "config.pass_mark", "六十", "请输入数字"),
            ("first-lesson@0.4.1", "config.pass_mark", "101", "合格分数应在 1 到 100 之间"),
            ("handover@0.3.1", "unit", "510000000000", "没有权限"),
            ("handover@0.3.1", "due", "2001-01-01", "截止日期必须在今天之后"),
            ("look-back@0.1.0", "sample_percent", "三十", "“三十”不是整数"),
            ("look-back@0.1.0", "sample_seed", "-1", "“-1”不是整数"),
            ("look-back@0.1.0", "sample_percent", "101", "1 到 100"),
        ] {
            let mut form = vec![
                ("_csrf", t.as_str()),
                ("module", module),
                ("unit", "500155000000"),
                ("due", "2099-06-30"),
                ("audience", ""),
                ("config.pass_mark", ""),
            ];
            if module.starts_with("first-lesson") {
                form.extend(course);
            }
            form.retain(|f| f.0 != field);
            form.push((field, value));
            let reply = post_form(&api, &province, "/province/assign", &form).await;
            assert!(reply.status.is_client_error(), "{field}: {}", reply.status);
            let page = html(&reply);
            assert!(page.contains(says), "{field}: says {says}");
            let kept = format!("value=\"{value}\"");
            assert!(page.contains(&kept), "{field}: the input is kept");
            if field.starts_with("config.") {
                // Beside its own field, not only above the form.
                let at = page.find("id=\"f-config-pass_mark\"").expect("the pass mark's field");
                let beside = &page[at..at + 400];
                assert!(beside.contains(says), "{field}: beside its field: {beside}");
            }
        }
        assert_eq!(api.count("SELECT COUNT(*) FROM assignments").await, before);
        assert_eq!(
            api.count("SELECT COUNT(*) FROM enrollments").await,
            enrolled
        );
        // A sample from the console: the seed comes back to be recorded.
        let form = [("_csrf", t.as_str()), ("module", "look-back@0.1.0"), ("unit", "500155000000"),
                    ("due", "2099-06-30"), ("sample_percent", "30"), ("sample_seed", "42")];
        let reply = post_form(&api, &province, "/province/assign", &form).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let to = reply.headers[header::LOCATION].to_str().expect("location").to_owned();
        assert!(to.contains("&seed=42"), "{to}");
        let page = html(&get(&api, &province, &to).await);
        assert!(page.contains("随机种子 42"), "the seed shown to write down");
        test.cleanup().await;
    }
}

baton_tests::per_backend! {
    /// The accounts pages: a county trainer creates a township officer (a
    /// role above its own refused beside its field, the input kept), grants
    /// and revokes a second township, the officer resets a village person
    /// and prints the village's slips; another township's slips are refused.
    async fn accounts_are_managed_on_their_pages(test: TestDb) {
        let api = Api::new(&test).await;
        let county = cookie(&api, "county").await;
        let page = html(&get(&api, &county, "/accounts").await);
        assert!(page.contains("账号管理 · 梁平区") && page.contains("礼让镇"), "the county's own accounts page");
        let token = csrf(&page);
        let above = [("_csrf", token.as_str()), ("username", "lp-second"), ("name", "周二"), ("role", "county-trainer"), ("unit_code", demo::COUNTY), ("back", demo::COUNTY)];
        let reply = post_form(&api, &county, "/accounts/create", &above).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let refused = html(&reply);
        assert!(refused.contains("不能在您的范围之外授予角色") && refused.contains("value=\"lp-second\""), "message and input kept");
        let good = [("_csrf", token.as_str()), ("username", "lr-second"), ("name", "陈二"), ("role", "township-officer"), ("unit_code", demo::TOWNSHIP), ("back", demo::COUNTY)];
        let reply = post_form(&api, &county, "/accounts/create", &good).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        let created = html(&reply);
        assert!(created.contains("新签发的激活码") && created.contains("lr-second"), "the code is shown once");
        // A roster with bad lines: each named in Chinese on the Chinese
        // page (第 3 行：…), none of the English the API also carries.
        let roster = "村代码,组织,姓名,职务,状态,任职年限\n500155108201,党组织,,书记,在任,3\n500155108201,工会,王五,主任,在任,三\n500155108201,党组织\n";
        let fields = [("_csrf", token.as_str()), ("term", "2026"), ("elected_on", "2026-11-01"), ("back", demo::COUNTY)];
        let reply = api.post_form_file(&county, "/accounts/roster", &fields, "a.csv", roster.as_bytes()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = html(&reply);
        for said in ["第 2 行：请填写姓名", "第 3 行：组织“工会”应为党组织（党支部、党总支）或村（居）委会", "第 3 行：任职年限“三”应为整数（年）", "第 4 行：有 2 列，表头有 6 列"] {
            assert!(refused.contains(said), "{said} in {refused}");
        }
        for english in ["is required", "line 2", "must be", "found record"] {
            assert!(!refused.contains(english), "no English ({english}) on a Chinese page: {refused}");
        }
        let grant = [("_csrf", token.as_str()), ("username", "lr-second"), ("role", "township-officer"), ("unit_code", "500155109000"), ("back", demo::COUNTY)];
        let reply = post_form(&api, &county, "/accounts/grant", &grant).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", html(&reply));
        let grants = api.count("SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'lr-second'").await;
        assert_eq!(grants, 2);
        let grant_id = api.count("SELECT MAX(g.id) FROM role_grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'lr-second'").await.to_string();
        let account = api.count("SELECT id FROM accounts WHERE username = 'lr-second'").await.to_string();
        let revoke = [("_csrf", token.as_str()), ("account", account.as_str()), ("grant", grant_id.as_str()), ("back", demo::COUNTY)];
        assert_eq!(post_form(&api, &county, "/accounts/revoke", &revoke).await.status, StatusCode::OK);
        assert_eq!(api.count("SELECT COUNT(*) FROM role_grants g JOIN accounts a ON a.id = g.account_id WHERE a.username = 'lr-second'").await, 1);

        // The township officer: a village's slips, a reset, another township refused.
        let township = cookie(&api, "township").await;
        let slips = html(&get(&api, &township, &format!("/slips?unit={}", demo::VILLAGE)).await);
        assert!(slips.contains("桂花村 账号激活单") && slips.contains("激活网址"), "the slips page");
        // Those who have activated (the demo's secretary, member, outgoing
        // cadre) are not printed again unless asked; each slip's QR code
        // opens the activation page with its login name filled in.
        assert!(slips.contains("已激活的 3 人未列出"), "{slips}");
        assert!(!slips.contains(">secretary<"), "an activated account gets no slip");
        assert!(slips.contains("<svg") && slips.contains("扫码激活"), "{slips}");
        let all = html(&get(&api, &township, &format!("/slips?unit={}&all=1", demo::VILLAGE)).await);
        assert!(all.contains(">secretary<") && !all.contains("未列出"), "all on request");
        let refused = get(&api, &township, &format!("/slips?unit={}", demo::OTHER_TOWNSHIP_VILLAGE)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let member = api.count("SELECT id FROM accounts WHERE username = 'member'").await.to_string();
        let page = html(&get(&api, &township, &format!("/accounts?unit={}", demo::VILLAGE)).await);
        let token = csrf(&page);
        let reset = [("_csrf", token.as_str()), ("account", member.as_str()), ("back", demo::VILLAGE)];
        let reply = post_form(&api, &township, "/accounts/reset", &reset).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(html(&reply).contains("新签发的激活码"));
        assert_eq!(api.login("member", demo::PASSWORD).await.status, StatusCode::UNAUTHORIZED, "the old password is gone");
        let forged = [("_csrf", "0000"), ("account", member.as_str()), ("back", demo::VILLAGE)];
        assert_eq!(post_form(&api, &township, "/accounts/disable", &forged).await.status, StatusCode::FORBIDDEN, "no CSRF token, no change");
        test.cleanup().await;
    }
}

per_backend! {
    /// Whose turn it is (contract 0.2.0's `awaiting`): my turn first on
    /// 我的任务, what waits on others named with whom; the township's queue
    /// is exactly the enrollments awaiting a township officer.
    async fn my_turn_comes_first_and_the_queue_is_what_awaits_the_township(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let (outgoing, secretary, township) = (
            api.token("outgoing").await,
            api.token("secretary").await,
            api.token("township").await,
        );
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let swearing = api.enrollment_of(&nation, demo::VILLAGE, "swearing-in").await;
        // Never opened by anyone, the swearing-in already waits for the
        // township to schedule it, and the handover for the outgoing cadre.
        let waiting = api.get(&township, "/api/v1/township/queue").await.json();
        let listed: Vec<i64> = waiting.as_array().expect("a list").iter().filter_map(|w| w["enrollment_id"].as_i64()).collect();
        assert!(listed.contains(&swearing) && !listed.contains(&handover), "{waiting}");
        let page = html(&get(&api, &format!("baton_session={outgoing}"), "/me").await);
        assert!(page.contains("轮到您："), "a fresh 我的任务 says whose turn: {page}");
        let declared = api
            .act(&outgoing, handover, "turn-1", "declare",
                serde_json::json!({"item": "seals", "entries": [{"name": "公章", "quantity": 1}]}))
            .await;
        assert_eq!(declared.status, StatusCode::OK, "{}", declared.json());
        // Declared: the handover waits for the secretary, not the township.
        let waiting = api.get(&township, "/api/v1/township/queue").await.json();
        let listed: Vec<i64> = waiting.as_array().expect("a list").iter().filter_map(|w| w["enrollment_id"].as_i64()).collect();
        assert!(listed.contains(&swearing) && !listed.contains(&handover), "{waiting}");

        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json();
        let lines = mine.as_array().expect("a list");
        let turns: Vec<bool> = lines.iter().map(|s| s["my_turn"] == true).collect();
        assert!(turns.windows(2).all(|w| w[0] || !w[1]), "my turns first: {mine}");
        let line = lines.iter().find(|s| s["id"] == handover).expect("listed");
        assert_eq!(line["my_turn"], true, "receiving the seals is mine: {line}");
        // Of the secretary's turns, the one others wait on leads: the
        // handover the outgoing cadre has begun, before what nobody started.
        assert_eq!(lines[0]["id"], handover, "the handover leads: {mine}");
        let swearing_line = mine.as_array().expect("a list").iter().find(|s| s["id"] == swearing).expect("listed");
        assert_eq!(swearing_line["my_turn"], false);
        assert_eq!(swearing_line["awaiting"][0]["who"]["zh"], "乡镇干部");
        let page = html(&get(&api, &format!("baton_session={secretary}"), "/me").await);
        let turn = page.find("轮到您：清点接收公章印章").expect("my turn, named");
        let others = page.find("等待乡镇干部：安排集体宣誓仪式").expect("whom it waits for");
        assert!(turn < others, "my turn comes first");
        // Someone else's turn says so, and offers to follow it, not to start.
        let card = &page[others..others + page[others..].find("</li>").expect("the card ends")];
        assert!(card.contains("目前无需您办理。") && card.contains("查看进度") && !card.contains(">开始<"), "{card}");
        // The outgoing cadre takes no course: no certificate link, and
        // none of what does not concern him (the new committee's course,
        // the visits to him); the handover he declared in stays.
        let theirs = html(&get(&api, &format!("baton_session={outgoing}"), "/me").await);
        for title in ["新任村干部第一课", "离任干部走访慰问", "定人定岗定责"] {
            assert!(!theirs.contains(title), "{title} does not concern the outgoing cadre");
        }
        assert!(theirs.contains("新老班子工作交接"), "the handover he declared in");
        assert!(!theirs.contains("/me/certificate") && page.contains("/me/certificate"), "the certificate is the learners'");

        let confirmed = api
            .act(&secretary, handover, "turn-2", "confirm", serde_json::json!({"item": "seals"}))
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.json());
        let waiting = api.get(&township, "/api/v1/township/queue").await.json();
        let entry = waiting
            .as_array()
            .expect("a list")
            .iter()
            .find(|w| w["enrollment_id"] == handover)
            .unwrap_or_else(|| panic!("received: now the township's turn: {waiting}"));
        assert_eq!(entry["count"], 1);
        assert_eq!(entry["message"]["zh"], "监交公章印章交接");
        test.cleanup().await;
    }
}

per_backend! {
    /// A record printed for the archive carries a verification code; anyone
    /// can check it at /verify, which recomputes the sign-off chain: valid,
    /// superseded by later sign-offs, or changed since.
    async fn a_printed_record_is_verified_by_its_code(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let secretary = cookie(&api, "secretary").await;
        let printed = html(&get(&api, &secretary, &format!("/enrollments/{handover}?print=1")).await);
        assert!(printed.contains("尚无签字确认，暂无核验码"), "{printed}");
        let declare = |key: &'static str| {
            serde_json::json!({"item": key, "entries": [{"name": "公章", "quantity": 1}]})
        };
        let first = api.act(&outgoing, handover, "rec-1", "declare", declare("seals")).await;
        assert_eq!(first.status, StatusCode::OK);
        let printed = html(&get(&api, &secretary, &format!("/enrollments/{handover}?print=1")).await);
        assert!(!printed.contains("name=\"_action\""), "a printed record has no module forms");
        // Its one upload is the signed paper's scan, in a section the paper
        // does not show.
        assert_eq!(printed.matches("multipart/form-data").count(), 1, "{printed}");
        let scan = printed.find("class=\"scan no-print\"").expect("the scan's section");
        assert!(printed[scan..].contains("multipart/form-data"), "the upload is the scan's");
        let at = printed.find("class=\"code\">").expect("a code") + 13;
        let code = printed[at..at + 19].to_owned();
        assert!(code.chars().filter(|c| *c == '-').count() == 3, "{code}");
        // Lines for the wet-ink signatures and the seal; a sign-off's digest
        // is short and lower-case, never in the form of the code to type.
        assert!(printed.contains("签字盖章") && printed.contains("离任干部") && printed.contains("（盖章）"), "{printed}");
        assert_eq!(printed.matches("class=\"code\">").count(), 1, "one code on the record");
        assert!(printed.contains("签字摘要 "), "{printed}");

        let api = &api;
        let check = |code: String| async move { get(api, "", &format!("/verify?code={code}")).await };
        let valid = html(&check(code.clone()).await);
        assert!(valid.contains("有效：桂花村 · 新老班子工作交接，共 1 次签字确认"), "{valid}");
        assert!(valid.contains("该项任务尚未完成，目前完成 1/"), "valid is not done: {valid}");
        assert!(!valid.contains("较早打印"));
        assert!(html(&check(code.to_lowercase().replace('-', "")).await).contains("有效："));

        let second = api.act(&outgoing, handover, "rec-2", "declare", declare("archives")).await;
        assert_eq!(second.status, StatusCode::OK);
        let older = html(&check(code.clone()).await);
        assert!(older.contains("共 2 次签字确认") && older.contains("较早打印"), "{older}");

        sqlx::query("UPDATE signoffs SET statement = '{\"zh\":\"改过\",\"en\":\"edited\"}' WHERE enrollment_id = $1")
            .bind(handover)
            .execute(test.db.writer())
            .await
            .expect("tampered");
        let broken = html(&check(code).await);
        assert!(broken.contains("已被改动或删除"), "{broken}");

        let unknown = html(&check("0000-0000-0000-0000".into()).await);
        assert!(unknown.contains("未找到与此核验码对应的记录"));
        let bad = check("12".into()).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(html(&bad).contains("核验码为 16 位字母和数字"));
        test.cleanup().await;
    }
}

per_backend! {
    /// A declaration replaced many times signs each time: the page lists the
    /// latest 20 sign-offs and says how many there are; the printed record
    /// lists them all.
    async fn the_page_lists_the_latest_signoffs_and_the_record_all(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let outgoing = api.token("outgoing").await;
        let handover = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let secretary = cookie(&api, "secretary").await;
        for n in 1..=22 {
            let payload = serde_json::json!({"item": "seals", "entries": [{"name": "公章", "quantity": n}]});
            let key = format!("again-{n}");
            assert_eq!(api.act(&outgoing, handover, &key, "declare", payload).await.status, StatusCode::OK);
        }
        let signed = |page: &str| {
            let at = page.find("id=\"signoffs-h\"").expect("the sign-offs");
            let section = &page[at..page[at..].find("</section>").map_or(page.len(), |end| at + end)];
            section.matches("<li>").count()
        };
        let page = html(&get(&api, &secretary, &format!("/enrollments/{handover}")).await);
        assert_eq!(signed(&page), 20, "the latest 20");
        assert!(page.contains("共 22 条签字，这里是最近的 20 条，打印版列出全部。"), "{page}");
        let printed = html(&get(&api, &secretary, &format!("/enrollments/{handover}?print=1")).await);
        assert_eq!(signed(&printed), 22, "the record has them all");
        assert!(!printed.contains("这里是最近的"));
        test.cleanup().await;
    }
}

per_backend! {
    /// "再加一行" brings the form back with what was typed and one more blank
    /// row, and acts on nothing: a handover of many lines needs no script.
    async fn adding_a_row_keeps_what_was_typed(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let id = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let outgoing = cookie(&api, "outgoing").await;
        let page = html(&get(&api, &outgoing, &format!("/enrollments/{id}")).await);
        assert!(page.contains("name=\"_more\" value=\"entries\""), "an add-row button");
        assert!(!page.contains("name=\"entries.3.name\""), "three blank rows to start");
        let token = csrf(&page);
        let mut form: Vec<(&str, &str)> = vec![
            ("_csrf", &token),
            ("_action", "declare"),
            ("_key", "rows-1"),
            ("_form", "declare|item=seals"),
            ("item", "seals"),
            ("entries.0.name", "党支部公章"),
            ("entries.0.quantity", "1"),
            ("entries.1.name", "村委会公章"),
            ("entries.1.quantity", "1"),
            ("entries.2.name", "合作社公章"),
            ("entries.2.quantity", "1"),
        ];
        form.push(("_more", "entries"));
        let reply = post_form(&api, &outgoing, &format!("/enrollments/{id}"), &form).await;
        assert_eq!(reply.status, StatusCode::OK);
        let again = html(&reply);
        assert!(again.contains("name=\"entries.3.name\""), "a fourth row");
        assert!(again.contains("value=\"合作社公章\""), "the typed rows kept");
        assert!(!again.contains("name=\"entries.4.name\""));
        assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, 0, "nothing acted on");
        test.cleanup().await;
    }
}

per_backend! {
    /// The secretary picks a discrepancy from the declared entries by name,
    /// not by typing a 0-based number; the statement she signs is beside it.
    async fn a_discrepancy_is_picked_from_the_entries(test: TestDb) {
        let api = Api::new(&test).await;
        let nation = api.token("nation").await;
        let id = api.enrollment_of(&nation, demo::VILLAGE, "handover").await;
        let outgoing = api.token("outgoing").await;
        let declared = api
            .act(&outgoing, id, "pick-1", "declare", serde_json::json!({"item": "seals", "entries": [
                {"name": "党支部公章", "quantity": 1}, {"name": "村委会公章", "quantity": 1}
            ]}))
            .await;
        assert_eq!(declared.status, StatusCode::OK);
        let secretary = cookie(&api, "secretary").await;
        let page = html(&get(&api, &secretary, &format!("/enrollments/{id}")).await);
        assert!(page.contains("<option value=\"1\">2. 村委会公章</option>"), "{page}");
        assert!(page.contains("签字即表示：本人"), "the statement beside the form");
        let token = csrf(&page);
        let form: Vec<(&str, &str)> = vec![
            ("_csrf", &token),
            ("_action", "confirm"),
            ("_key", "pick-2"),
            ("_form", "confirm|item=seals"),
            ("item", "seals"),
            ("discrepancies.0.entry", "1"),
            ("discrepancies.0.note", "印面磨损"),
        ];
        let reply = post_form(&api, &secretary, &format!("/enrollments/{id}"), &form).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", html(&reply));
        let page = html(&get(&api, &secretary, &format!("/enrollments/{id}")).await);
        assert!(page.contains("印面磨损"));
        test.cleanup().await;
    }
}

per_backend! {
    /// Pages and JSON go compressed to whoever accepts it (brotli first,
    /// then gzip) and plain to whoever does not: the county's dashboard, the
    /// largest page, shrinks to a fraction over a village's slow link.
    async fn pages_are_compressed_for_whoever_accepts_it(test: TestDb) {
        let api = Api::new(&test).await;
        let county = cookie(&api, "county").await;
        let fetch = |encoding: &'static str| {
            let request = Request::get("/county")
                .header(header::COOKIE, county.clone())
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .expect("request");
            api.send(request)
        };
        let plain = fetch("identity").await;
        assert_eq!(plain.status, StatusCode::OK);
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
        assert!(html(&plain).contains("督办清单"), "readable as it is");
        for (accepts, sent) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
            let packed = fetch(accepts).await;
            assert_eq!(packed.status, StatusCode::OK);
            assert_eq!(packed.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some(sent), "{accepts}");
            assert!(packed.body.len() * 4 < plain.body.len(), "{sent}: {} of {} bytes", packed.body.len(), plain.body.len());
        }
        let json = api.send(
            Request::get(format!("/api/v1/reports/completion?unit={}", demo::COUNTY))
                .header(header::AUTHORIZATION, format!("Bearer {}", api.token("county").await))
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .expect("request"),
        ).await;
        assert_eq!(json.status, StatusCode::OK);
        assert_eq!(json.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"), "the API too");
        test.cleanup().await;
    }
}

per_backend! {
    /// 长辈模式: the header's switch turns it on for the account (on every
    /// device, at once), the page comes back larger, and the switch turns it
    /// off again; a forged switch (no CSRF token) changes nothing.
    async fn the_easy_reading_mode_is_remembered_per_account(test: TestDb) {
        let api = Api::new(&test).await;
        let phone = cookie(&api, "outgoing").await;
        let other_phone = cookie(&api, "outgoing").await;
        let me = html(&get(&api, &phone, "/me").await);
        assert!(me.contains("<body>") && me.contains("长辈模式"), "off by default, the switch in the header");
        let forged = post_form(&api, &phone, "/me/easy-reading", &[("on", "1"), ("next", "/me")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(html(&get(&api, &phone, "/me").await).contains("<body>"), "nothing changed");

        let on = post_form(&api, &phone, "/me/easy-reading", &[("_csrf", &csrf(&me)), ("on", "1"), ("next", "/me")]).await;
        assert_eq!(on.status, StatusCode::SEE_OTHER);
        assert_eq!(on.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/me"));
        let me = html(&get(&api, &other_phone, "/me").await);
        assert!(me.contains("<body class=\"easy\">"), "the account's other session sees it too");
        assert!(me.contains("标准模式"), "and the switch back");
        let away = post_form(&api, &other_phone, "/me/easy-reading", &[("_csrf", &csrf(&me)), ("on", "0"), ("next", "https://elsewhere.example/")]).await;
        assert_eq!(away.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/me"), "never sent off-site");
        assert!(html(&get(&api, &phone, "/me").await).contains("<body>"));
        test.cleanup().await;
    }
}

per_backend! {
    /// The stylesheet under its content-hashed name is cached for good; the
    /// manifest puts the platform on a phone's home screen in Chinese.
    async fn static_files_are_fingerprinted_and_the_app_can_be_installed(test: TestDb) {
        let api = Api::new(&test).await;
        let me = html(&get(&api, &cookie(&api, "secretary").await, "/me").await);
        let href = me
            .split("<link rel=\"stylesheet\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a stylesheet link")
            .to_owned();
        assert!(href.starts_with("/static/baton.") && href.len() > "/static/baton.css".len(), "{href}");
        let css = get(&api, "", &href).await;
        assert_eq!(css.status, StatusCode::OK);
        let cache = css.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(cache.contains("immutable") && cache.contains("max-age=31536000"), "{cache}");
        assert!(String::from_utf8_lossy(&css.body).contains("body.easy"));
        assert_eq!(get(&api, "", "/static/baton.0123456789ab.css").await.status, StatusCode::NOT_FOUND, "only the current hash");
        assert!(me.contains("rel=\"manifest\""));
        let script = me
            .split("<script src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the offline script")
            .to_owned();
        let js = get(&api, "", &script).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("").contains("immutable"));
        assert!(String::from_utf8_lossy(&js.body).contains("/api/v1/sync"));
        let worker = get(&api, "", "/sw.js").await;
        assert_eq!(worker.status, StatusCode::OK);
        assert_eq!(worker.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-cache"), "a new release is found at once");
        let worker = String::from_utf8_lossy(&worker.body).into_owned();
        assert!(worker.contains(&href) && worker.contains(&script) && !worker.contains("{{"), "the release's files: {worker}");
        let login = html(&get(&api, "", "/login").await);
        assert!(!login.contains("<script"), "no script for someone not signed in");

        let manifest = get(&api, "", "/manifest.webmanifest").await;
        assert_eq!(manifest.status, StatusCode::OK);
        assert_eq!(manifest.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/manifest+json"));
        let csp = manifest.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("manifest-src 'self'"), "{csp}");
        let manifest = manifest.json();
        assert_eq!(manifest["short_name"], "接力");
        assert_eq!(manifest["start_url"], "/me");
        let icon = manifest["icons"][0]["src"].as_str().expect("an icon").to_owned();
        let icon = get(&api, "", &icon).await;
        assert_eq!((icon.status, icon.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())), (StatusCode::OK, Some("image/svg+xml")));
        test.cleanup().await;
    }
}

per_backend! {
    /// The follow-up list pages through everything in one stable order:
    /// 200 rows a page, each row on exactly one page, a link to the next
    /// while there is one (the nation's list of 540, here).
    async fn the_work_list_pages_through_every_row_once(test: TestDb) {
        let db = &test.db;
        let rt = baton_tests::runtime();
        let now = baton_host::clock::now();
        baton_host::registry::register_built_ins(db, &rt, now).await.expect("register");
        let shape = baton_host::generate::Shape { provinces: 1, cities: 1, counties: 1, townships: 2, villages: 30 };
        let generated = baton_host::generate::national(db, shape, now, false).await.expect("generate");
        assert_eq!(generated.enrollments, 540);
        let api = Api { state: baton_host::app::AppState::new(db.clone(), rt) };
        let nation = cookie(&api, "nation").await;
        let ids = |page: &str| -> Vec<i64> {
            page.split("id=\"pick-")
                .skip(1)
                .filter_map(|rest| rest.split('"').next()?.parse().ok())
                .collect()
        };
        let mut seen = Vec::new();
        let mut uri = "/county?status=all".to_owned();
        // 540 rows, 50 a page.
        let last_page = 11;
        for n in 1..=last_page {
            let page = html(&get(&api, &nation, &uri).await);
            let rows = ids(&page);
            let (first, last) = (seen.len() + 1, seen.len() + rows.len());
            assert!(page.contains(&format!("第 {n} 页（第 {first}–{last} 项）")), "page {n}");
            assert_eq!(rows.len(), if n < last_page { 50 } else { 40 }, "page {n}");
            seen.extend(rows);
            let next = page
                .split("rel=\"next\"")
                .next()
                .and_then(|before| before.rsplit("href=\"?").next())
                .filter(|_| page.contains("rel=\"next\""))
                .map(|q| q.split('"').next().unwrap_or_default().replace("&amp;", "&").replace("&#x3D;", "="));
            match next {
                Some(q) => uri = format!("/county?{}", q.split('#').next().unwrap_or_default()),
                None => assert_eq!(n, last_page, "a next page while there are rows"),
            }
        }
        let mut distinct = seen.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!((seen.len(), distinct.len()), (540, 540), "every row once");
        for bad in ["abc", "0", "-1"] {
            let refused = get(&api, &nation, &format!("/county?status=all&page={bad}")).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "page={bad}");
            assert!(html(&refused).contains("页码应为从 1 开始的整数"), "page={bad}: the field is named");
        }
        test.cleanup().await;
    }
}

per_backend! {
    async fn a_township_swears_in_all_its_villages_with_one_form(test: TestDb) {
        let api = Api::new(&test).await;
        let township = cookie(&api, "township").await;
        let secretary = cookie(&api, "secretary").await;
        assert_eq!(get(&api, &secretary, "/township/ceremony").await.status, StatusCode::FORBIDDEN);
        let page = html(&get(&api, &township, "/township/ceremony").await);
        for village in ["桂花村", "川西村", "新拱村"] {
            assert!(page.contains(village), "{village}: {page}");
        }
        let token = csrf(&page);
        let key = "ceremony-test";
        let actions = "SELECT COUNT(*) FROM actions WHERE result = 'accepted'";
        let before = api.count(actions).await;
        let today = baton_sdk::beijing_date(baton_host::clock::now());
        let forged = post_form(&api, &township, "/township/ceremony/schedule", &[("date", &today), ("place", "镇上")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
        let blank = post_form(&api, &township, "/township/ceremony/schedule",
            &[("_csrf", &token), ("key", key), ("date", &today), ("place", " ")]).await;
        assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html(&blank).contains("不能为空"), "the place is named");
        assert_eq!(api.count(actions).await, before, "nothing scheduled");
        let scheduled = post_form(&api, &township, "/township/ceremony/schedule",
            &[("_csrf", &token), ("key", key), ("date", &today), ("place", "礼让镇党群服务中心")]).await;
        assert_eq!(scheduled.status, StatusCode::SEE_OTHER);
        assert_eq!(scheduled.headers[header::LOCATION], "/township/ceremony?scheduled=3");
        assert_eq!(api.count(actions).await, before + 3, "one schedule per village");

        let page = html(&get(&api, &township, "/township/ceremony").await);
        let at = page.find("name=\"absent\" value=\"").expect("someone to record") + 21;
        let absentee: String = page[at..].chars().take_while(char::is_ascii_digit).collect();
        let reason = format!("reason.{absentee}");
        let held: Vec<String> = page
            .split("name=\"held\" value=\"")
            .skip(1)
            .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
            .collect();
        assert_eq!(held.len(), 3, "a confirmation per village");
        // One click swears nobody in: the villages must be confirmed.
        let unconfirmed = post_form(&api, &township, "/township/ceremony/attendance",
            &[("_csrf", &token), ("key", key)]).await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html(&unconfirmed).contains("请勾选仪式已举行的村"));
        assert_eq!(api.count(actions).await, before + 3, "nobody recorded");
        let mut form = vec![("_csrf", token.as_str()), ("key", key), ("absent", absentee.as_str()), (reason.as_str(), "")];
        form.extend(held.iter().map(|v| ("held", v.as_str())));
        let no_reason = post_form(&api, &township, "/township/ceremony/attendance", &form).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = html(&no_reason);
        assert!(refused.contains("缺席请填写原因"));
        assert_eq!(refused.matches("name=\"held\"").count(), refused.matches("name=\"held\" value=\"").count());
        assert_eq!(refused.matches(" checked>").count() >= 4, true, "the absentee's and the villages' ticks are kept");
        assert_eq!(api.count(actions).await, before + 3, "nobody recorded");
        form[3].1 = "外出务工";
        let recorded = post_form(&api, &township, "/township/ceremony/attendance", &form).await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER);
        assert_eq!(recorded.headers[header::LOCATION], "/township/ceremony?recorded=12");
        let absent = api
            .count(&format!(
                "SELECT COUNT(*) FROM actions WHERE action = 'record-attendance' AND payload LIKE '%\"present\":false%' AND payload LIKE '%{absentee}%'"
            ))
            .await;
        assert_eq!(absent, 1, "the one named absent, with the others present");
        // Sent again (a double tap): the same keys act nothing twice.
        let again = post_form(&api, &township, "/township/ceremony/attendance", &form).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(api.count(actions).await, before + 3 + 12);
        test.cleanup().await;
    }
}

per_backend! {
    /// Training that counts: the county trainer's page shows each class's
    /// QR code; the secretary's phone scans it and opens the course with the
    /// check-in filled in, one tap checks in; a wrong code is refused beside
    /// its field; the trainer marks the second class; the certificate adds
    /// up the hours and shows only the person's own. (The demo's course has
    /// two classes; the pass rule's hours are tested in the module's harness.)
    async fn a_class_is_checked_in_by_qr_and_the_hours_make_the_certificate(test: TestDb) {
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

        // The trainer's page: a QR code per class and its six digits.
        let county = cookie(&api, "county").await;
        let page = html(&get(&api, &county, &format!("/enrollments/{course}")).await);
        assert!(page.contains("<svg") && page.contains("扫码签到"), "a QR code for the class");
        let at = page.find("class=\"code\">").expect("the code shown") + 13;
        let code = page[at..at + 6].to_owned();
        assert!(code.chars().all(|c| c.is_ascii_digit()), "six digits: {code}");
        let link = format!("/checkin?module=first-lesson&session=0&code={code}");

        // The secretary scans it: the course, the check-in filled in.
        let me = cookie(&api, "secretary").await;
        let scanned = html(&get(&api, &me, &link).await);
        assert!(scanned.contains("开班式：新任村党组织书记示范培训"), "the scanned course opens");
        assert!(scanned.contains(&format!("value=\"{code}\"")), "the code is filled in");
        assert!(scanned.contains("data-action=\"check-in\" data-posted"), "the page lands on the filled-in form");
        assert_eq!(scanned.matches("data-posted").count(), 1, "and on no other");
        let token = csrf(&scanned);
        let uri = format!("/enrollments/{course}");
        let form = |session: &'static str, code: String, key: &'static str| {
            vec![("_csrf".to_owned(), token.clone()), ("_key".to_owned(), key.to_owned()),
                 ("_action".to_owned(), "check-in".to_owned()), ("_form".to_owned(), "check-in".to_owned()),
                 ("session".to_owned(), session.to_owned()), ("code".to_owned(), code)]
        };
        let send = |f: Vec<(String, String)>| {
            let api = &api;
            let me = me.clone();
            let uri = uri.clone();
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                post_form(api, &me, &uri, &pairs).await
            }
        };
        let done = send(form("0", code.clone(), "c1")).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "checked in");
        let wrong = send(form("1", "000000".to_owned(), "c2")).await;
        let refused = html(&wrong);
        let field = refused.find("id=\"f-code\"").expect("the code's field");
        let beside: String = refused[field..].chars().take(400).collect();
        assert!(beside.contains("签到码不对"), "beside the code's field");

        // The trainer's roster of the class: the QR, and who came.
        let roster = format!("/training/class?enrollment={course}&session=0");
        assert!(page.contains("签到名单") && page.contains("/training/class?enrollment"), "the course links the roster");
        let listed = html(&get(&api, &county, &roster).await);
        assert!(listed.contains("<svg") && listed.contains(&code), "the class's QR and code");
        assert!(listed.contains("已签到 1 /"), "one checked in");
        let row = listed.find("张建国").expect("the secretary on the roster");
        assert!(listed[row..row + 200].contains("已签到"), "the secretary came");
        let other = listed.find("李秀英").expect("a member on the roster");
        assert!(listed[other..other + 200].contains("未签到"), "the member did not");
        let refused = get(&api, &me, &roster).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "a learner has no roster");
        let missing = get(&api, &county, &format!("/training/class?enrollment={course}&session=9")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "a class the course does not have");

        // Lessons read (half an hour each) and the quiz passed.
        let run = |action: &'static str, payload: Value, key: String| {
            let api = &api;
            let secretary = secretary.clone();
            async move { api.act(&secretary, course, &key, action, payload).await }
        };
        for lesson in 0..3 {
            let r = run("read", json!({"lesson": lesson}), format!("r{lesson}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.json());
        }
        let passed = run("submit", json!({"answers": [[0], [0], [0, 1, 2]]}), "q1".to_owned()).await.json();
        assert_eq!(passed["enrollment"]["status"], "completed", "{passed}");
        let certificate = html(&get(&api, &me, "/me/certificate").await);
        assert!(certificate.contains("合格 1 门，累计学时 3.5。"), "{certificate}");
        // Where and who: the village and post, and the issuing unit's line for its seal.
        assert!(certificate.contains("梁平区 礼让镇 桂花村 · "), "{certificate}");
        assert!(certificate.contains("梁平区委组织部（盖章）"), "{certificate}");

        // The trainer marks the second class: two hours more.
        let trainer = api.token("county").await;
        let marked = api
            .act(&trainer, course, "m1", "mark", json!({"session": 1, "present": true}))
            .await;
        assert_eq!(marked.status, StatusCode::OK, "{}", marked.json());
        let certificate = html(&get(&api, &me, "/me/certificate").await);
        assert!(certificate.contains("合格 1 门，累计学时 5.5。"), "{certificate}");
        assert!(certificate.contains("新任村干部第一课") && certificate.contains("合格（"));
        // The classes attended under the course, and the record's
        // verification code with a QR that opens the check.
        assert!(certificate.contains("<li>开班式：新任村党组织书记示范培训 · "), "the classes: {certificate}");
        assert!(certificate.contains("“新任村干部第一课”核验码"), "{certificate}");
        let at = certificate.find("class=\"record-code\">").expect("the code") + 20;
        let code: String = certificate[at..].chars().take(19).collect();
        assert!(code.len() == 19 && code.split('-').all(|g| g.len() == 4), "a record's code: {code}");
        let block = &certificate[certificate.find("class=\"verify-code\"").expect("the code's block")..at];
        assert!(block.contains("<svg"), "a QR beside the code: {block}");
        let checked = html(&get(&api, "", &format!("/verify?code={code}")).await);
        assert!(checked.contains("有效") && checked.contains("已全部完成"), "the certificate's code checks out: {checked}");
        // Another member's certificate has none of it.
        let member = cookie(&api, "member").await;
        let theirs = html(&get(&api, &member, "/me/certificate").await);
        assert!(theirs.contains("累计学时 0。") && !theirs.contains("合格 1 门"), "{theirs}");
        test.cleanup().await;
    }
}

per_backend! {
    /// The work list walks a unit's children in runs (neighbours that hold
    /// rows are read by one query, a child that holds none is skipped) and
    /// lists exactly what one sort of the whole unit would: here a county of
    /// three townships, the middle one with no handover to do.
    async fn the_work_list_walk_equals_one_sort_of_the_unit(test: TestDb) {
        use baton_core::db::reports::{WorkFilter, work_list};
        let db = &test.db;
        let rt = baton_tests::runtime();
        let now = baton_host::clock::now();
        baton_host::registry::register_built_ins(db, &rt, now).await.expect("register");
        let shape = baton_host::generate::Shape { provinces: 1, cities: 1, counties: 1, townships: 3, villages: 4 };
        baton_host::generate::national(db, shape, now, false).await.expect("generate");
        let pool = db.pool();
        let county: (String, String) = sqlx::query_as("SELECT code, path FROM org_units WHERE level = 'county'")
            .fetch_one(pool).await.expect("a county");
        let middle: String = sqlx::query_scalar("SELECT path FROM org_units WHERE parent_code = $1 ORDER BY path LIMIT 1 OFFSET 1")
            .bind(&county.0).fetch_one(pool).await.expect("three townships");
        let handover: i64 = sqlx::query_scalar("SELECT id FROM assignments WHERE plugin_id = 'handover'")
            .fetch_one(pool).await.expect("the handover's assignment");
        // The middle township's handovers taken out, roll-ups and all.
        let under = "SELECT code FROM org_units WHERE path >= $1 AND path < $2";
        let gone = sqlx::query(&format!("DELETE FROM enrollments WHERE assignment_id = $3 AND unit_code IN ({under})"))
            .bind(&middle).bind(format!("{middle}~")).bind(handover)
            .execute(pool).await.expect("deleted").rows_affected();
        assert_eq!(gone, 4, "a handover a village");
        sqlx::query(&format!("DELETE FROM completion WHERE assignment_id = $3 AND unit_code IN ({under})"))
            .bind(&middle).bind(format!("{middle}~")).bind(handover)
            .execute(pool).await.expect("its roll-ups");
        sqlx::query("UPDATE completion SET enrolled = enrolled - 4 WHERE assignment_id = $1 AND unit_code IN (SELECT code FROM org_units WHERE level <> 'township' AND level <> 'village')")
            .bind(handover).execute(pool).await.expect("above it");
        // Every row due: the default list (most days late) is all open rows.
        sqlx::query("UPDATE assignments SET due_at = 1000").execute(pool).await.expect("late");
        let sorted = |extra: &str| {
            format!(
                "SELECT e.id FROM enrollments e JOIN org_units u ON u.code = e.unit_code
                 JOIN assignments a ON a.id = e.assignment_id
                 WHERE u.path >= $1 AND u.path < $2 {extra} ORDER BY a.due_at, a.id, u.path, e.plugin_id, e.id"
            )
        };
        for (status, extra) in [("overdue", "AND e.completed_at IS NULL"), ("all", "")] {
            let expected: Vec<i64> = sqlx::query_scalar(&sorted(extra))
                .bind(&county.1).bind(format!("{}~", county.1))
                .fetch_all(pool).await.expect("sorted");
            assert_eq!(expected.len(), 12 * 9 - 4, "{status}: nine enrollments a village");
            let filter = WorkFilter { status: Some(status.to_owned()), ..WorkFilter::default() };
            for limit in [5, 50, 1000] {
                let walked: Vec<i64> = work_list(db, &county.1, now, &filter, limit)
                    .await.expect("walks").iter().map(|r| r.enrollment_id).collect();
                let n = expected.len().min(limit as usize);
                assert_eq!(walked, expected[..n], "{status}, {limit} rows");
            }
        }
        // By village (name, then place) and by module (then village), the
        // generated villages sharing names, a page at a time as at the top.
        for (sort, order) in [
            ("village", "u.name, u.path, e.plugin_id, e.id"),
            ("module", "e.plugin_id, u.name, u.path, e.id"),
        ] {
            let expected: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT e.id FROM enrollments e JOIN org_units u ON u.code = e.unit_code
                 WHERE u.path >= $1 AND u.path < $2 ORDER BY {order}"
            ))
            .bind(&county.1).bind(format!("{}~", county.1))
            .fetch_all(pool).await.expect("sorted");
            let filter = WorkFilter { status: Some("all".to_owned()), sort: Some(sort.to_owned()), ..WorkFilter::default() };
            for limit in [5, 50, 1000] {
                let walked: Vec<i64> = work_list(db, &county.1, now, &filter, limit)
                    .await.expect("walks").iter().map(|r| r.enrollment_id).collect();
                let n = expected.len().min(limit as usize);
                assert_eq!(walked, expected[..n], "{sort}, {limit} rows");
            }
        }
        test.cleanup().await;
    }
}

baton_tests::per_backend! {
    /// Editions (期次): the province rolls the first lesson out again to the
    /// same people. The scope is named, not coded; a round that would
    /// enroll nobody is refused with the reason and stores nothing; the
    /// count comes before the assignment; the secretary then sees both
    /// rounds on 我的任务.
    async fn a_second_edition_reaches_the_same_people(test: TestDb) {
        let api = Api::new(&test).await;
        let province = cookie(&api, "province").await;
        let t = csrf(&html(&get(&api, &province, "/province").await));
        let stored = "SELECT (SELECT COUNT(*) FROM assignments) * 1000000 + (SELECT COUNT(*) FROM enrollments)";
        let before = api.count(stored).await;
        let first = api
            .count("SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'first-lesson' AND unit_code LIKE '500155%'")
            .await;
        assert!(first > 0, "the demo's first round reaches the county");
        let form = |edition: &'static str, extra: Option<(&'static str, &'static str)>| {
            let mut form = vec![
                ("_csrf", t.clone()),
                ("module", "first-lesson@0.4.1".to_owned()),
                ("unit", "梁平区".to_owned()),
                ("due", "2099-06-30".to_owned()),
                ("edition", edition.to_owned()),
            ];
            form.extend(extra.map(|(k, v)| (k, v.to_owned())));
            form
        };
        let post = |form: Vec<(&'static str, String)>| {
            let api = &api;
            let province = &province;
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_form(api, province, "/province/assign", &form).await
            }
        };

        // The first round again: everyone has it, and the page says so.
        let reply = post(form("", None)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let page = html(&reply);
        let at = page.find("id=\"a-edition\"").expect("the edition's field");
        let beside = &page[at..at + 600];
        assert!(beside.contains(&format!("{first} 人都已参加第 1 期")) && beside.contains("请填第 2 期"), "beside the edition: {beside}");
        assert!(page.contains("value=\"梁平区\""), "the scope kept as typed");
        for (unit, says) in [("没有这个区", "没有名为“没有这个区”的单位"), ("", "请填写范围")] {
            let mut f = form("2", None);
            f.retain(|(k, _)| *k != "unit");
            f.push(("unit", unit.to_owned()));
            let page = html(&post(f).await);
            assert!(page.contains(says), "unit `{unit}`: {says}");
        }
        let page = html(&post(form("0", None)).await);
        assert!(page.contains("期次须在 1 到 100 之间"), "edition 0");

        // The count first: a second round would reach the same people.
        let reply = post(form("2", Some(("_preview", "1")))).await;
        assert_eq!(reply.status, StatusCode::OK);
        let page = html(&reply);
        assert!(page.contains(&format!("分配第 2 期将有 {first} 人（村）参加")), "the count before assigning");
        assert!(page.contains("已办到第 1 期，新一期请填 2"), "the next edition named");
        assert_eq!(api.count(stored).await, before, "a count stores nothing, a refusal neither");

        let reply = post(form("2", None)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", html(&reply));
        let to = reply.headers[header::LOCATION].to_str().expect("location").to_owned();
        assert!(html(&get(&api, &province, &to).await).contains(&format!("已分配第 2 期（编号")), "{to}");
        let second = api
            .count("SELECT COUNT(*) FROM enrollments WHERE plugin_id = 'first-lesson' AND edition = 2")
            .await;
        assert_eq!(second, first, "the same people, once each");
        let page = html(&post(form("2", None)).await);
        assert!(page.contains("都已参加第 2 期") && page.contains("请填第 3 期"), "a round is taken once");

        let secretary = cookie(&api, "secretary").await;
        let mine = html(&get(&api, &secretary, "/me").await);
        assert!(mine.contains("第 2 期"), "the second round on 我的任务");
        test.cleanup().await;
    }
}

baton_tests::per_backend! {
    /// Only a module whose forms take files offers the upload form: the
    /// handover (photos of seals) does; the course and the visits record ask
    /// for no evidence.
    async fn only_modules_that_take_evidence_offer_an_upload(test: TestDb) {
        let api = Api::new(&test).await;
        let secretary = cookie(&api, "secretary").await;
        for (module, upload) in [("handover", true), ("first-lesson", false), ("visits", false)] {
            let id = api
                .count(&format!(
                    "SELECT MIN(e.id) FROM enrollments e JOIN accounts a ON a.username = 'secretary'
                     WHERE e.plugin_id = '{module}' AND e.unit_code = '{}'
                     AND (e.person_id IS NULL OR e.person_id = a.person_id)",
                    demo::VILLAGE
                ))
                .await;
            let page = html(&get(&api, &secretary, &format!("/enrollments/{id}")).await);
            let offered = page.contains(&format!("action=\"/enrollments/{id}/attachments\""));
            assert_eq!(offered, upload, "{module}: upload form offered");
        }
        test.cleanup().await;
    }
}

per_backend! {
    /// The county's page: a count in 下级完成情况 opens its own module's rows;
    /// with nothing overdue (the demo's term has just begun) the list
    /// shows the unfinished work, not an empty 已逾期; 提醒 with nothing
    /// ticked comes back to the same list, saying so, and a reminder keeps
    /// the list's filters.
    async fn the_county_list_shows_what_needs_action_and_keeps_its_filters(test: TestDb) {
        let api = Api::new(&test).await;
        let county = cookie(&api, "county").await;
        let page = html(&get(&api, &county, "/county").await);
        let counts: Vec<String> = page
            .split("href=\"")
            .skip(1)
            .filter_map(|h| h.split('"').next())
            .map(|h| h.replace("&#x3D;", "=").replace("&amp;", "&"))
            .filter(|h| h.contains("within="))
            .collect();
        assert!(!counts.is_empty(), "the units table links its counts");
        assert!(
            counts.iter().all(|h| h.contains("&module=") && !h.contains("module=&")),
            "{counts:?}"
        );
        assert!(page.contains(r#"<option value="open" selected>"#), "nothing is overdue: the default is 未完成");
        assert!(!page.contains("没有符合条件的任务"), "the list is not empty");
        let t = csrf(&page);
        let reply = post_form(
            &api,
            &county,
            "/county/remind",
            &[("_csrf", &t), ("unit", "500155000000"), ("status", "open"), ("sort", "late")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let back = reply.headers[header::LOCATION].to_str().expect("a location").to_owned();
        assert_eq!(back, "/county?unit=500155000000&status=open&sort=late&pick_first=1#work");
        let page = html(&get(&api, &county, &back).await);
        assert!(page.contains("请先勾选要提醒的任务"));
        assert_eq!(api.count("SELECT COUNT(*) FROM notices").await, 0, "nothing sent");
        test.cleanup().await;
    }
}

per_backend! {
    /// 返回上一级 on the accounts page leads only where the visitor may go
    /// (it led a township officer to a 403 at the county), and the township's
    /// legend explains red only when a cell is red.
    async fn officials_are_led_only_where_they_may_go(test: TestDb) {
        let api = Api::new(&test).await;
        let township = cookie(&api, "township").await;
        let page = html(&get(&api, &township, "/accounts").await);
        assert!(page.contains("礼让镇") && !page.contains("返回上一级"), "no way up from the township");
        let county = cookie(&api, "county").await;
        let page = html(&get(&api, &county, "/accounts?unit=500155108000").await);
        assert!(page.contains("返回上一级"), "the county goes up from its township");
        let up = page
            .split("href=\"")
            .skip(1)
            .filter_map(|h| h.split('"').next())
            .map(|h| h.replace("&#x3D;", "="))
            .find(|h| h.starts_with("/accounts?unit="))
            .expect("an up link");
        assert_eq!(up, "/accounts?unit=500155000000");
        assert_eq!(get(&api, &county, &up).await.status, StatusCode::OK);
        let page = html(&get(&api, &county, &up).await);
        assert!(!page.contains("返回上一级"), "nothing above the county is the trainer's");

        let page = html(&get(&api, &township, "/township").await);
        assert!(page.contains("每格为“已完成/总数”。"));
        assert!(!page.contains("红色为有逾期"), "nothing is overdue, nothing is red");
        test.cleanup().await;
    }
}

per_backend! {
    /// An official's own tasks are on their page: the county's 县级备案 of a
    /// village's secretary waits for the county trainer under 待我办理 —
    /// whether or not anyone has signed the pledge — and leaves once filed.
    async fn the_county_sees_what_waits_for_it(test: TestDb) {
        let api = Api::new(&test).await;
        let (nation, county_token) = (api.token("nation").await, api.token("county").await);
        let county = cookie(&api, "county").await;
        let pledge = api.enrollment_of(&nation, demo::VILLAGE, "pledge").await;
        // Nobody has signed: the county's filing waits all the same.
        assert_eq!(api.count(&format!("SELECT COUNT(*) FROM signoffs WHERE enrollment_id = {pledge}")).await, 0);
        let page = html(&get(&api, &county, "/county").await);
        let at = page.find("待我办理").expect("the county's own tasks");
        let section = &page[at..page[at..].find("</section>").map_or(page.len(), |end| at + end)];
        assert!(section.contains("桂花村 · 纪律承诺与县级备案") && section.contains("联审备案新任书记"), "{section}");
        assert!(section.contains(&format!("/enrollments/{pledge}")), "{section}");
        // The township officer's page does not list it: it is the county's.
        let township = cookie(&api, "township").await;
        assert!(!html(&get(&api, &township, "/township").await).contains("联审备案新任书记"));
        let filed = api
            .act(&county_token, pledge, "mine-2", "file", serde_json::json!({"passed": true, "departments": "纪检、组织", "filed_on": "2025-12-30"}))
            .await;
        assert_eq!(filed.status, StatusCode::OK, "{}", filed.json());
        // Filed, it leaves the list (the county's other villages wait on).
        let page = html(&get(&api, &county, "/county").await);
        let section = page.find("待我办理").map_or("", |at| &page[at..page[at..].find("</section>").map_or(page.len(), |end| at + end)]);
        assert!(!section.contains(&format!("/enrollments/{pledge}\"")), "done, gone: {section}");
        test.cleanup().await;
    }
}

per_backend! {
    /// An official reaches their reminders and e-mail setting from the
    /// navigation: 我的消息, a page that says their work is on their desk
    /// instead of “nothing is assigned to you”.
    async fn officials_find_their_messages_and_email_setting(test: TestDb) {
        let api = Api::new(&test).await;
        for (user, home) in [("county", "/county"), ("township", "/township")] {
            let official = cookie(&api, user).await;
            let desk = html(&get(&api, &official, home).await);
            assert!(desk.contains("<a href=\"/me\">我的消息</a>"), "{user}: {desk}");
            let me = html(&get(&api, &official, "/me").await);
            assert!(me.contains("我的消息与设置") && me.contains("action=\"/me/email\""), "{user}: {me}");
            assert!(me.contains(&format!("<a href=\"{home}\">工作台。</a>")), "{user}: {me}");
            assert!(!me.contains("目前没有分配给您的任务"), "{user}");
        }
        let secretary = cookie(&api, "secretary").await;
        let me = html(&get(&api, &secretary, "/me").await);
        assert!(me.contains("<a href=\"/me\" aria-current=\"page\">我的任务</a>") && !me.contains("我的消息与设置"), "{me}");
        test.cleanup().await;
    }
}
