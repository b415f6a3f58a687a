//! A province's own module without a programmer: a procedure defined through
//! the API, refused by field when wrong, previewed without storing anything,
//! saved as a module of its own, assigned, done on the real runtime by the
//! outgoing cadre, the township and the committee, counted by the county,
//! changed into a new version (dry run first), and never changed by another
//! province.

use axum::http::StatusCode;
use baton_core::db::accounts::{self, NewAccount};
use baton_host::demo::{COUNTY, PROVINCE, TOWNSHIP, VILLAGE};
use baton_sdk::Role;
use baton_tests::api::{Api, Reply};
use baton_tests::{per_backend, png};
use serde_json::{Value, json};

/// 荣退仪式 as 上海 runs it, as a procedure: the outgoing cadre hands over
/// what he kept with a photo, under the township's supervision (监交); the
/// secretary records the ceremony and the gift; any member records the
/// talk with the retired cadre.
fn retirement() -> Value {
    json!({
        "title": {"zh": "离任干部荣退仪式"},
        "summary": {"zh": "为正常离任的村干部举行荣退仪式，颁发荣誉证书，做好交接与慰问。"},
        "steps": [
            {"title": {"zh": "移交保管物品"}, "who": "outgoing-cadre", "photos": "required",
             "confirm": "township-officer", "due_days": 10,
             "fields": [{"label": {"zh": "物品清单"}, "kind": "table", "required": true, "options": ["名称", "数量", "备注"]}]},
            {"title": {"zh": "举行荣退仪式"}, "who": "secretary", "due_days": 30,
             "fields": [{"label": {"zh": "仪式日期"}, "kind": "date", "required": true},
                        {"label": {"zh": "慰问金"}, "kind": "money", "required": true},
                        {"label": {"zh": "颁发"}, "kind": "choices", "options": ["荣誉证书", "纪念品"]}]},
            {"title": {"zh": "座谈听取意见"}, "who": "member",
             "fields": [{"label": {"zh": "意见建议"}, "kind": "long-text"}]}
        ]
    })
}

fn fields(reply: &Reply) -> Vec<String> {
    let body = reply.json();
    body["fields"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| panic!("a field list: {body}"))
}

/// A session of 四川's province administrator: another province.
async fn sichuan(db: &baton_core::Db) -> String {
    let now = baton_host::clock::now();
    let account = accounts::create(
        db,
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
    accounts::open_session(db, account, now)
        .await
        .expect("session")
}

async fn save(api: &Api, token: &str, body: Value) -> Reply {
    api.post(token, "/api/v1/definitions", None, body).await
}

per_backend! {
    async fn a_province_defines_a_procedure_and_villages_complete_it(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let stored = "SELECT COUNT(*) FROM plugins WHERE definition IS NOT NULL";

        // Bad definitions: refused by field, nothing stored.
        let empty = save(&api, &province, json!({"kind": "procedure", "definition": {"title": {"zh": " "}, "steps": []}})).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.json());
        assert_eq!(fields(&empty), ["config.title.zh", "config.steps"]);
        let mut no_options = retirement();
        no_options["steps"][1]["fields"][2]["kind"] = json!("choice");
        no_options["steps"][1]["fields"][2]["options"] = json!(["荣誉证书"]);
        no_options["steps"][2]["who"] = Value::Null;
        let refused = save(&api, &province, json!({"kind": "procedure", "definition": no_options})).await;
        assert_eq!(fields(&refused), ["config.steps.1.fields.2.options", "config.steps.2.who"]);
        let many: Vec<Value> = (0..10_000).map(|i| json!({"title": {"zh": format!("第{i}步")}, "who": "secretary"})).collect();
        let huge = save(&api, &province, json!({"kind": "procedure", "definition": {"title": {"zh": "长"}, "steps": many}})).await;
        assert_eq!(fields(&huge), ["config.steps"]);
        let kind = save(&api, &province, json!({"kind": "course", "definition": retirement()})).await;
        assert_eq!(kind.status, StatusCode::BAD_REQUEST);
        assert_eq!(kind.json()["field"], "kind");
        assert_eq!(api.count(stored).await, 0, "nothing stored");

        // The preview: the outgoing cadre's step refused without a photo,
        // then the page as the township sees it; nothing stored.
        let preview = api
            .post(&province, "/api/v1/definitions/preview", None, json!({
                "kind": "procedure", "definition": retirement(), "view_as": "township-officer",
                "steps": [{"as": "outgoing-cadre", "action": "submit",
                           "payload": {"step": 1, "values": [{"field": 0, "rows": [{"a": "公章", "b": "1"}]}], "agree": true}}]
            }))
            .await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.json());
        let preview = preview.json();
        assert_eq!(preview["refused"]["rejection"]["detail"][0]["field"], "photos", "{preview}");
        assert!(preview["html"].as_str().expect("html").contains("移交保管物品"), "{preview}");
        assert_eq!(api.count(stored).await, 0, "a preview stores nothing");

        // Saved: a module of the province's own.
        let saved = save(&api, &province, json!({"kind": "procedure", "definition": retirement()})).await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.json());
        let saved = saved.json();
        let id = saved["id"].as_str().expect("id").to_owned();
        assert_eq!((id.as_str(), &saved["version"], &saved["owner"]), ("procedure-50-1", &json!("1.0.0"), &json!(PROVINCE)));
        let modules = api.get(&province, "/api/v1/modules").await.json();
        let info = modules.as_array().expect("list").iter().find(|m| m["id"] == id.as_str()).expect("listed").clone();
        assert_eq!(info["info"]["title"]["zh"], "离任干部荣退仪式");
        assert_eq!(info["info"]["title"]["en"], "离任干部荣退仪式", "English falls back to the Chinese");

        // Assigned to the township, done on the real runtime.
        let assigned = api
            .post(&province, "/api/v1/assignments", None, json!({"module": id, "version": "1.0.0", "unit": TOWNSHIP, "due": "2099-06-30"}))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        assert!(assigned.json()["enrolled"].as_u64().expect("enrolled") >= 1, "{}", assigned.json());
        let nation = api.token("nation").await;
        let enrollment = api.enrollment_of(&nation, VILLAGE, &id).await;
        let (outgoing, township, secretary, member) = (
            api.token("outgoing").await,
            api.token("township").await,
            api.token("secretary").await,
            api.token("member").await,
        );
        let early = api
            .act(&secretary, enrollment, "d-1", "submit", json!({"step": 2, "values": [{"field": 0, "value": "2026-01-05"}, {"field": 1, "value": "800"}], "agree": true}))
            .await;
        assert_eq!((early.status, early.json()["kind"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("conflict")), "step 1 first: {}", early.json());
        let photo = api.upload(&outgoing, enrollment, "清单.png", png(64, 48)).await;
        assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.json());
        let photo = photo.json()["id"].as_str().expect("file id").to_owned();
        let rows = json!([{"field": 0, "rows": [{"a": "村务档案柜钥匙", "b": "2 把"}, {"a": "笔记本电脑", "b": "1 台", "c": "村部"}]}]);
        let handed = api
            .act(&outgoing, enrollment, "d-2", "submit", json!({"step": 1, "values": rows, "photos": [photo], "agree": true}))
            .await;
        assert_eq!(handed.status, StatusCode::OK, "{}", handed.json());
        let not_his = api
            .act(&secretary, enrollment, "d-3", "confirm", json!({"step": 1, "agree": true}))
            .await;
        assert_eq!(not_his.json()["kind"], "forbidden", "the township supervises: {}", not_his.json());
        let witnessed = api
            .act(&township, enrollment, "d-4", "confirm", json!({"step": 1, "agree": true}))
            .await;
        assert_eq!(witnessed.status, StatusCode::OK, "{}", witnessed.json());
        let wrong = api
            .act(&secretary, enrollment, "d-5", "submit", json!({"step": 2, "values": [{"field": 0, "value": "2026-01-05"}, {"field": 1, "value": "八百"}], "agree": true}))
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&wrong), ["values.1.value"]);
        let held = api
            .act(&secretary, enrollment, "d-6", "submit", json!({"step": 2, "values": [{"field": 0, "value": "2026-01-05"}, {"field": 1, "value": "800"}, {"field": 2, "choices": ["荣誉证书"]}], "agree": true}))
            .await;
        assert_eq!(held.status, StatusCode::OK, "{}", held.json());
        let talked = api
            .act(&member, enrollment, "d-7", "submit", json!({"step": 3, "values": [{"field": 0, "value": "希望继续关心村里发展"}], "agree": true}))
            .await;
        assert_eq!(talked.status, StatusCode::OK, "{}", talked.json());
        let page = talked.json();
        assert_eq!((&page["enrollment"]["done"], &page["enrollment"]["total"]), (&json!(4), &json!(4)), "{page}");

        // The county counts it like any module.
        let county = api.token("county").await;
        let report = api.get(&county, &format!("/api/v1/reports/completion?unit={COUNTY}")).await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.json().to_string().contains(&id), "{}", report.json());

        // A changed definition is a new version; the same one is refused; the
        // enrollments move by the upgrade's dry run first.
        let mut changed = retirement();
        changed["steps"][2]["title"]["zh"] = json!("座谈并听取意见");
        let next = save(&api, &province, json!({"kind": "procedure", "module": id, "definition": changed})).await;
        assert_eq!(next.status, StatusCode::CREATED, "{}", next.json());
        assert_eq!(next.json()["version"], "1.1.0");
        let same = save(&api, &province, json!({"kind": "procedure", "module": id, "definition": changed})).await;
        assert_eq!(same.status, StatusCode::CONFLICT);
        let dry = api
            .post(&province, "/api/v1/upgrades", None, json!({"module": id, "from": "1.0.0", "to": "1.1.0", "unit": TOWNSHIP}))
            .await;
        assert_eq!(dry.status, StatusCode::OK, "{}", dry.json());
        let dry = dry.json();
        // The township's three villages; a new title changes no state.
        assert_eq!((&dry["checked"], &dry["same"], &dry["moved"]), (&json!(3), &json!(3), &json!(0)), "{dry}");
        let listed = api.get(&province, "/api/v1/definitions").await.json();
        assert_eq!(listed[0]["version"], "1.1.0", "{listed}");
        assert_eq!(listed[0]["definition"]["steps"][2]["title"]["zh"], "座谈并听取意见");

        // Another province can neither change it nor see it listed.
        let sichuan = sichuan(&test.db).await;
        let theirs = save(&api, &sichuan, json!({"kind": "procedure", "module": id, "definition": retirement()})).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.json());
        let into = save(&api, &sichuan, json!({"kind": "procedure", "province": PROVINCE, "definition": retirement()})).await;
        assert_eq!(into.status, StatusCode::FORBIDDEN, "{}", into.json());
        let seen = api.get(&sichuan, "/api/v1/definitions").await.json();
        assert_eq!(seen, json!([]));
        let secretary_saves = save(&api, &secretary, json!({"kind": "procedure", "province": PROVINCE, "definition": retirement()})).await;
        assert_eq!(secretary_saves.status, StatusCode::FORBIDDEN);
        assert_eq!(api.count(stored).await, 2, "1.0.0 and 1.1.0 only");
    }
}

mod pages {
    //! The editor at `/province/definitions` through the real router.

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use baton_tests::api::{Api, Reply};
    use baton_tests::per_backend;

    async fn get(api: &Api, cookie: &str, uri: &str) -> Reply {
        let request = Request::get(uri).header(header::COOKIE, cookie);
        api.send(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn post(api: &Api, cookie: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).expect("form");
        let request = Request::post("/province/definitions")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        api.send(request).await
    }

    fn text(reply: &Reply) -> String {
        String::from_utf8_lossy(&reply.body).into_owned()
    }

    /// A two-step procedure as the editor posts it; `step` 0's who and the
    /// title as given.
    fn form<'a>(csrf: &'a str, title: &'a str, who: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("_csrf", csrf),
            ("config.title.zh", title),
            ("config.title.en", ""),
            ("config.summary.zh", "为离任干部举行荣退仪式"),
            ("config.steps.0.title.zh", "颁发荣誉证书"),
            ("config.steps.0.who", who),
            ("config.steps.0.photos", "required"),
            ("config.steps.0.confirm", "township-officer"),
            ("config.steps.0.due_days", "15"),
            ("config.steps.0._order", "1"),
            ("config.steps.0.fields.0.label.zh", "证书编号"),
            ("config.steps.0.fields.0.kind", "text"),
            ("config.steps.0.fields.0._order", "1"),
            ("config.steps.1.title.zh", "座谈"),
            ("config.steps.1.who", "member"),
            ("config.steps.1.photos", "none"),
            ("config.steps.1.confirm", "nobody"),
            ("config.steps.1.due_days", "0"),
            ("config.steps.1._order", "2"),
        ]
    }

    per_backend! {
        async fn the_province_builds_a_procedure_in_the_editor(test: TestDb) {
            let api = Api::new(&test).await;
            let province = format!("baton_session={}", api.token("province").await);
            let county = format!("baton_session={}", api.token("county").await);
            let stored = "SELECT COUNT(*) FROM plugins WHERE definition IS NOT NULL";
            assert_eq!(get(&api, &county, "/province/definitions").await.status, StatusCode::FORBIDDEN);

            let page = get(&api, &province, "/province/definitions").await;
            assert_eq!(page.status, StatusCode::OK);
            let page = text(&page);
            assert!(page.contains("新建办理程序") && page.contains("集体资产清点移交"), "the example to start from");
            assert!(page.contains("乡镇（街道）监交、见证"), "choices by their Chinese labels");
            assert!(page.contains("name=\"config.steps.1._remove\""), "a step can be removed");
            let course = text(&get(&api, &province, "/province/definitions?kind=first-lesson").await);
            assert!(course.contains("新建培训课程") && course.contains("name=\"config.lessons.0.title.zh\""), "a course's form");
            let odd = get(&api, &province, "/province/definitions?kind=rocket").await;
            assert_eq!(odd.status, StatusCode::BAD_REQUEST);
            let at = page.find("name=\"_csrf\" value=\"").expect("csrf") + 20;
            let csrf = page[at..at + 32].to_owned();

            // 再加一行 brings the form back with a third step, acting on nothing.
            let mut more = form(&csrf, "荣退仪式", "secretary");
            more.push(("_more", "config.steps"));
            let more = text(&post(&api, &province, &more).await);
            assert!(more.contains("name=\"config.steps.2.title.zh\""), "a blank third step");
            assert!(more.contains("为离任干部举行荣退仪式"), "what was typed is kept");

            // Refused beside each field, what was typed kept, nothing stored.
            let bad = post(&api, &province, &form(&csrf, "", "")).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
            let bad = text(&bad);
            assert!(bad.contains("请填写名称") && bad.contains("第 1 步：请选择办理人"), "{bad}");
            assert!(bad.contains("证书编号"), "the input is kept");
            assert!(bad.contains("没有保存任何内容"));
            assert_eq!(api.count(stored).await, 0);

            // The preview as the people who take part, nothing stored.
            let mut preview = form(&csrf, "荣退仪式", "secretary");
            preview.push(("_preview", "1"));
            let shown = text(&post(&api, &province, &preview).await);
            assert!(shown.contains("以此身份查看：乡镇干部") && shown.contains("第 1 步　颁发荣誉证书"), "{shown}");
            assert_eq!(api.count(stored).await, 0);

            // Tried in the preview: the secretary's form acts as the
            // secretary on the sample village, every page follows, and
            // nothing is written.
            let actions = api.count("SELECT COUNT(*) FROM actions").await;
            let mut tryable = form(&csrf, "荣退仪式", "secretary");
            tryable.retain(|(k, _)| *k != "config.steps.0.photos");
            tryable.push(("config.steps.0.photos", "none"));
            tryable.push(("_preview", "1"));
            let shown = text(&post(&api, &province, &tryable).await);
            let at = shown.find("/province/definitions/try?trial").expect("a preview's form posts to its trial");
            let url = shown[at..].split('"').next().expect("url").replace("&#x3D;", "=").replace("&amp;", "&");
            assert!(url.ends_with("&as=secretary"), "{url}");
            let body = [("_csrf", csrf.as_str()), ("_action", "submit"), ("step", "1"),
                ("values.0.field", "0"), ("values.0.value", "证书 001"), ("agree", "true")];
            let request = Request::post(&url)
                .header(header::COOKIE, &province)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(body).expect("form")))
                .expect("request");
            let tried = text(&api.send(request).await);
            assert!(tried.contains("预览：村党组织书记已办理“签字提交”"), "{tried}");
            assert!(tried.contains("证书 001") && tried.contains("等待乡镇（街道）干部确认"), "every page follows");
            assert_eq!(api.count("SELECT COUNT(*) FROM actions").await, actions, "nothing written");
            assert_eq!(api.count(stored).await, 0);

            // Moved and removed: the talk first, the certificate gone.
            let mut moved = form(&csrf, "荣退仪式", "secretary");
            moved.retain(|(k, _)| *k != "config.steps.1._order");
            moved.push(("config.steps.1._order", "0"));
            moved.push(("config.steps.0._remove", "true"));
            let saved = post(&api, &province, &moved).await;
            assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", text(&saved));
            let to = saved.headers[header::LOCATION].to_str().expect("location").to_owned();
            assert!(to.starts_with("/province/definitions?saved=procedure-50-1@1.0.0"), "{to}");
            let definition: String = sqlx::query_scalar("SELECT definition FROM plugins WHERE id = 'procedure-50-1'")
                .fetch_one(test.db.pool())
                .await
                .expect("stored");
            let definition: serde_json::Value = serde_json::from_str(&definition).expect("json");
            assert_eq!(definition["steps"].as_array().map(Vec::len), Some(1), "{definition}");
            assert_eq!(definition["steps"][0]["title"]["zh"], "座谈");
            let console = text(&get(&api, &province, "/province").await);
            assert!(console.contains("<td>重庆市</td>"), "the owner by name, not 500000000000");
            let listed = text(&get(&api, &province, &to).await);
            assert!(listed.contains("已保存：procedure-50-1@1.0.0") && listed.contains("保存为新版本"), "{listed}");
        }
    }
}

per_backend! {
    async fn another_province_adopts_an_approved_procedure_from_the_catalog(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let nation = api.token("nation").await;
        let sichuan = sichuan(&test.db).await;
        let saved = save(&api, &province, json!({"kind": "procedure", "definition": retirement()})).await;
        assert_eq!(saved.status, StatusCode::CREATED);
        let offer = |v: &str| json!({"module": "procedure-50-1", "version": v, "note": "上海经验，已在重庆试点"});
        let adopt = |v: &str| json!({"module": "procedure-50-1", "version": v});

        let early = api.post(&sichuan, "/api/v1/catalog/adopt", None, adopt("1.0.0")).await;
        assert_eq!(early.status, StatusCode::NOT_FOUND, "not offered: {}", early.json());
        let not_theirs = api.post(&sichuan, "/api/v1/catalog", None, offer("1.0.0")).await;
        assert_eq!(not_theirs.status, StatusCode::FORBIDDEN, "only the author offers");
        let offered = api.post(&province, "/api/v1/catalog", None, offer("1.0.0")).await;
        assert_eq!(offered.status, StatusCode::CREATED, "{}", offered.json());
        assert_eq!(api.post(&province, "/api/v1/catalog", None, offer("1.0.0")).await.status, StatusCode::CONFLICT);
        let unapproved = api.post(&sichuan, "/api/v1/catalog/adopt", None, adopt("1.0.0")).await;
        assert_eq!(unapproved.status, StatusCode::CONFLICT, "{}", unapproved.json());
        assert!(unapproved.json().to_string().contains("未经全国管理员审核通过"));
        let seen = api.get(&sichuan, "/api/v1/catalog").await.json();
        assert_eq!(seen, json!([]), "an offered version is not another province's to see yet");

        // The nation reviews: what it asks of whom, its size and contract.
        let review = api.get(&nation, "/api/v1/catalog").await.json();
        let entry = &review[0];
        assert_eq!((&entry["status"], &entry["author_name"], &entry["contract"]), (&json!("offered"), &json!("重庆市"), &json!("0.3.0")), "{entry}");
        assert_eq!(entry["who"], json!(["outgoing-cadre", "township-officer", "secretary", "member"]));
        assert!(entry["size"].as_i64().expect("size") > 100_000, "{entry}");
        let by_province = api.post(&province, "/api/v1/catalog/review", None, json!({"module": "procedure-50-1", "version": "1.0.0", "approve": true})).await;
        assert_eq!(by_province.status, StatusCode::FORBIDDEN, "only the nation reviews");
        let no_reason = api.post(&nation, "/api/v1/catalog/review", None, json!({"module": "procedure-50-1", "version": "1.0.0", "approve": false})).await;
        assert_eq!((no_reason.status, no_reason.json()["field"].clone()), (StatusCode::BAD_REQUEST, json!("reason")));
        let approved = api.post(&nation, "/api/v1/catalog/review", None, json!({"module": "procedure-50-1", "version": "1.0.0", "approve": true})).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.json());

        // 四川 sees it and adopts it, with its own title: a module of its own.
        let seen = api.get(&sichuan, "/api/v1/catalog").await.json();
        assert_eq!((&seen[0]["adoptable"], &seen[0]["author"]), (&json!(true), &json!(PROVINCE)), "{seen}");
        let mut theirs = retirement();
        theirs["title"]["zh"] = json!("四川省离任村干部荣退");
        let mut asked = adopt("1.0.0");
        asked["definition"] = theirs;
        let adopted = api.post(&sichuan, "/api/v1/catalog/adopt", None, asked).await;
        assert_eq!(adopted.status, StatusCode::CREATED, "{}", adopted.json());
        assert_eq!(adopted.json()["module"], "procedure-51-1");
        let again = api.post(&sichuan, "/api/v1/catalog/adopt", None, adopt("1.0.0")).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let own = api.get(&sichuan, "/api/v1/definitions").await.json();
        assert_eq!(own[0]["definition"]["title"]["zh"], "四川省离任村干部荣退", "{own}");
        let edit_theirs = save(&api, &province, json!({"kind": "procedure", "module": "procedure-51-1", "definition": retirement()})).await;
        assert_eq!(edit_theirs.status, StatusCode::FORBIDDEN, "the author cannot change the adopter's copy");
        let seen = api.get(&sichuan, "/api/v1/catalog").await.json();
        assert_eq!((&seen[0]["adopted_here"], &seen[0]["adopted_by"]), (&json!(true), &json!(["510000000000"])), "{seen}");

        // A later version: offered, refused with a reason, never adoptable;
        // the review shows what changed.
        let mut changed = retirement();
        changed["steps"][2]["title"]["zh"] = json!("座谈并听取意见");
        save(&api, &province, json!({"kind": "procedure", "module": "procedure-50-1", "definition": changed})).await;
        api.post(&province, "/api/v1/catalog", None, offer("1.1.0")).await;
        let review = api.get(&nation, "/api/v1/catalog").await.json();
        let next = review.as_array().expect("list").iter().find(|e| e["version"] == "1.1.0").expect("offered").clone();
        assert_eq!(next["changes"], json!(["steps.2.title.zh: 座谈听取意见 → 座谈并听取意见"]), "{next}");
        let refused = api.post(&nation, "/api/v1/catalog/review", None, json!({"module": "procedure-50-1", "version": "1.1.0", "approve": false, "reason": "请补充慰问金标准"})).await;
        assert_eq!(refused.status, StatusCode::OK);
        let not_adoptable = api.post(&sichuan, "/api/v1/catalog/adopt", None, adopt("1.1.0")).await;
        assert_eq!(not_adoptable.status, StatusCode::CONFLICT);
        let author_sees = api.get(&province, "/api/v1/catalog").await.json();
        let mine = author_sees.as_array().expect("list").iter().find(|e| e["version"] == "1.1.0").expect("own offer").clone();
        assert_eq!((&mine["status"], &mine["reason"]), (&json!("refused"), &json!("请补充慰问金标准")));
        let sichuan_sees = api.get(&sichuan, "/api/v1/catalog").await.json();
        assert_eq!(sichuan_sees.as_array().map(Vec::len), Some(1), "a refused version is not shown to others");
    }
}

mod catalog_page {
    //! The catalog's page: the nation approves, another province adopts
    //! and lands in its editor.

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use baton_tests::api::{Api, Reply};
    use baton_tests::per_backend;
    use serde_json::json;

    async fn get(api: &Api, cookie: &str, uri: &str) -> Reply {
        let request = Request::get(uri).header(header::COOKIE, cookie);
        api.send(request.body(Body::empty()).expect("request"))
            .await
    }

    async fn post(api: &Api, cookie: &str, uri: &str, form: &[(&str, &str)]) -> Reply {
        let request = Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(form).expect("form")))
            .expect("request");
        api.send(request).await
    }

    fn text(reply: &Reply) -> String {
        String::from_utf8_lossy(&reply.body).into_owned()
    }

    fn csrf(page: &str) -> String {
        let at = page.find("name=\"_csrf\" value=\"").expect("csrf") + 20;
        page[at..at + 32].to_owned()
    }

    per_backend! {
        async fn the_nation_approves_on_the_page_and_a_province_adopts_it(test: TestDb) {
            let api = Api::new(&test).await;
            let token = api.token("province").await;
            let saved = api.post(&token, "/api/v1/definitions", None, json!({"kind": "procedure", "definition": crate::retirement()})).await;
            assert_eq!(saved.status, StatusCode::CREATED);
            let province = format!("baton_session={token}");
            let nation = format!("baton_session={}", api.token("nation").await);

            // Offered from the editor's list.
            let editor = text(&get(&api, &province, "/province/definitions").await);
            assert!(editor.contains("提交全国目录"));
            let form = [("_csrf", csrf(&editor)), ("module", "procedure-50-1".into()), ("version", "1.0.0".into())];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let offered = post(&api, &province, "/catalog/offer", &form).await;
            assert_eq!(offered.status, StatusCode::SEE_OTHER);
            let twice = post(&api, &province, "/catalog/offer", &form).await;
            assert_eq!(twice.status, StatusCode::CONFLICT);
            assert!(text(&twice).contains("已提交过目录"));

            // The nation's review: refusing needs a reason, said on the page.
            let page = text(&get(&api, &nation, "/catalog").await);
            assert!(page.contains("待审核") && page.contains("离任干部、乡镇干部、村党组织书记、两委成员"), "{page}");
            let t = csrf(&page);
            let mut review = form.clone();
            review[0].1 = t.as_str();
            let mut refuse = review.clone();
            refuse.push(("approve", "false"));
            let refused = post(&api, &nation, "/catalog/review", &refuse).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST);
            assert!(text(&refused).contains("请写明理由"));
            review.push(("approve", "true"));
            assert_eq!(post(&api, &nation, "/catalog/review", &review).await.status, StatusCode::SEE_OTHER);

            // 四川 adopts it and lands in its editor with its own copy.
            let sichuan = format!("baton_session={}", crate::sichuan(&test.db).await);
            let page = text(&get(&api, &sichuan, "/catalog").await);
            assert!(page.contains("采用到本省") && page.contains("重庆市"), "{page}");
            let mut adopt = form.clone();
            let t = csrf(&page);
            adopt[0].1 = t.as_str();
            let adopted = post(&api, &sichuan, "/catalog/adopt", &adopt).await;
            assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", text(&adopted));
            let to = adopted.headers[header::LOCATION].to_str().expect("location").to_owned();
            assert!(to.starts_with("/province/definitions?saved=procedure-51-1"), "{to}");
            let editor = text(&get(&api, &sichuan, &to).await);
            assert!(editor.contains("离任干部荣退仪式") && editor.contains("保存为新版本"), "its own copy, to change");
        }
    }
}

per_backend! {
    async fn the_shipped_examples_are_made_through_the_editor_and_villages_take_them(test: TestDb) {
        let api = Api::new(&test).await;
        let made = baton_host::demo::examples(&api.state, baton_host::clock::now()).await.expect("examples");
        assert_eq!(made, ["procedure-50-1@1.0.0", "procedure-50-2@1.0.0"]);
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await;
        let text = mine.json().to_string();
        assert!(text.contains("“老书记”荣退仪式") && text.contains("正常离任书记慰问"), "on 我的任务: {text}");
        // 宁夏's visit: the amount refused by field, then paid and filed.
        let nation = api.token("nation").await;
        let visits = api.enrollment_of(&nation, VILLAGE, "procedure-50-2").await;
        let paid = json!({"step": 1, "agree": true, "values": [
            {"field": 0, "value": "2026-01-08"},
            {"field": 1, "rows": [{"a": "王德福", "b": "党支部书记", "c": "15", "d": "2000"}]},
            {"field": 2, "value": "2000元"},
            {"field": 3, "value": "银行转账"}]});
        let wrong = api.act(&secretary, visits, "v-1", "submit", paid.clone()).await;
        assert_eq!(fields(&wrong), ["values.2.value"], "not an amount in yuan");
        let receipt = api.upload(&secretary, visits, "签收单.png", png(40, 30)).await;
        let receipt = receipt.json()["id"].as_str().expect("file").to_owned();
        let mut paid = paid;
        paid["values"][2]["value"] = json!("2000");
        paid["photos"] = json!([receipt]);
        let visited = api.act(&secretary, visits, "v-2", "submit", paid).await;
        assert_eq!(visited.status, StatusCode::OK, "{}", visited.json());
        let township = api.token("township").await;
        let checked = api.act(&township, visits, "v-3", "confirm", json!({"step": 1, "agree": true})).await;
        assert_eq!(checked.status, StatusCode::OK, "{}", checked.json());
        let county = api.token("county").await;
        let filed = api
            .act(&county, visits, "v-4", "submit", json!({"step": 2, "agree": true, "values": [
                {"field": 0, "value": "县级换届工作经费"}, {"field": 1, "value": "2026-01-20"}]}))
            .await;
        assert_eq!(filed.status, StatusCode::OK, "the county files it: {}", filed.json());
        assert_eq!((&filed.json()["enrollment"]["done"], &filed.json()["enrollment"]["total"]), (&json!(3), &json!(3)));
    }
}

per_backend! {
    async fn a_province_makes_a_course_of_its_own_from_the_first_lessons_engine(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let modules = api.get(&province, "/api/v1/modules").await.json();
        let first = modules.as_array().expect("list").iter().rev().find(|m| m["id"] == "first-lesson").expect("first-lesson").clone();
        let mut course = first["info"]["config_schema"]["default"].clone();
        course["title"] = json!({"zh": "湖南“新春第一课”", "en": ""});
        let no_lessons = {
            let mut c = course.clone();
            c["pass_mark"] = json!(101);
            c
        };
        let refused = save(&api, &province, json!({"kind": "first-lesson", "definition": no_lessons})).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.json());
        assert_eq!(fields(&refused), ["config.pass_mark"]);
        let saved = save(&api, &province, json!({"kind": "first-lesson", "definition": course})).await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.json());
        assert_eq!(saved.json()["id"], "first-lesson-50-1");
        let assigned = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "first-lesson-50-1", "version": "1.0.0", "unit": TOWNSHIP, "due": "2099-06-30"}))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        let secretary = api.token("secretary").await;
        let mine = api.get(&secretary, "/api/v1/me/enrollments").await.json().to_string();
        assert!(mine.contains("湖南“新春第一课”"), "on 我的任务: {mine}");
        let listed = api.get(&province, "/api/v1/definitions").await.json();
        assert_eq!(listed[0]["kind"], "first-lesson");
    }
}

per_backend! {
    async fn a_form_made_public_is_on_the_village_notice_board_once_done(test: TestDb) {
        let api = Api::new(&test).await;
        let province = api.token("province").await;
        let form = json!({
            "title": {"zh": "为民办实事公示"},
            "public": true,
            "steps": [{"title": {"zh": "确定事项和承办人"}, "who": "secretary", "confirm": "township-officer",
                       "fields": [{"label": {"zh": "事项"}, "kind": "text", "required": true},
                                  {"label": {"zh": "承办人"}, "kind": "person", "required": true},
                                  {"label": {"zh": "预算"}, "kind": "money"}]}]
        });
        let saved = save(&api, &province, json!({"kind": "procedure", "definition": form})).await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.json());
        let assigned = api
            .post(&province, "/api/v1/assignments", None, json!({"module": "procedure-50-1", "version": "1.0.0", "unit": VILLAGE, "due": "2099-06-30"}))
            .await;
        assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.json());
        let public = format!("/public/villages/{VILLAGE}/procedure-50-1");
        let before = api.get("", &public).await;
        assert!(String::from_utf8_lossy(&before.body).contains("尚未办结"), "{}", before.status);
        let nation = api.token("nation").await;
        let id = api.enrollment_of(&nation, VILLAGE, "procedure-50-1").await;
        let secretary = api.token("secretary").await;
        let done = api
            .act(&secretary, id, "p-1", "submit", json!({"step": 1, "agree": true, "values": [
                {"field": 0, "value": "修通三组断头路"}, {"field": 1, "value": "李秀英"}, {"field": 2, "value": "85000"}]}))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.json());
        let township = api.token("township").await;
        assert_eq!(api.act(&township, id, "p-2", "confirm", json!({"step": 1, "agree": true})).await.status, StatusCode::OK);
        let after = api.get("", &public).await;
        let page = String::from_utf8_lossy(&after.body).into_owned();
        assert_eq!(after.status, StatusCode::OK);
        assert!(page.contains("修通三组断头路") && page.contains("85000 元") && page.contains("李秀英"), "{page}");
    }
}
