//! What a county's spreadsheet may look like: Simplified headers and levels
//! (the mainland's), English ones, and the Traditional ones older exports
//! carry; a header the importer does not know is one error that names it.
//! (This file holds Traditional text on purpose: tests/language.rs exempts it.)

use baton_host::import::{ImportError, org_units, roster};
use baton_tests::per_backend;

per_backend! {
    async fn traditional_headers_and_levels_are_still_accepted(test: TestDb) {
        let tree = "代碼,層級,名稱,上級代碼
500000000000,省,重庆市,
500100000000,市,重庆市辖区,500000000000
500155000000,區,梁平区,500100000000
500155108000,鎮,礼让镇,500155000000
500155108201,村,桂花村,500155108000
500155108202,社區,城东社区,500155108000
";
        let added = org_units(&test.db, tree.as_bytes()).await.expect("Traditional headers");
        assert_eq!(added, 6);
        let people = "村代碼,組織,姓名,職務,狀態,任職年限,電話
500155108201,黨組織,张建国,書記,在任,,
500155108201,村委會,李秀英,委員,,,
500155108201,黨組織,王德福,書記,離任,12,
";
        let imported = roster(&test.db, people.as_bytes(), "2026", "2026-11-01").await.expect("Traditional roster");
        assert_eq!((imported.people, imported.seats, imported.accounts.len()), (3, 3, 3));
        let (_, members, outgoing) = baton_core::db::people::village(&test.db, "500155108201", "").await.expect("village");
        assert_eq!(members.iter().find(|m| m.name == "张建国").map(|m| m.post.as_str()), Some("书记"), "stored Simplified");
        assert_eq!(outgoing.len(), 1);
        test.cleanup().await;
    }
}

per_backend! {
    async fn an_unknown_header_is_one_error_naming_it(test: TestDb) {
        // 12,342 rows of a province's file used to give 12,342 errors.
        let mut file = String::from("编号,类别,单位,上级\n");
        for i in 0..500 {
            file.push_str(&format!("{i},村,某村,1\n"));
        }
        let Err(ImportError::Rows(errors)) = org_units(&test.db, file.as_bytes()).await else {
            panic!("an unknown header must be refused");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        let text = errors[0].to_string();
        assert!(
            text.starts_with("line 1: the header `编号,类别,单位,上级` lacks code, level, name: expected the columns code,level,name,parent_code (or 代码,层级,名称,上级代码)"),
            "{text}"
        );
        let Err(ImportError::Rows(errors)) = roster(&test.db, "姓名,电话\n张三,1\n".as_bytes(), "2026", "").await else {
            panic!("an unknown roster header must be refused");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.en.contains("village_code"), "{}", errors[0]);
        // In Chinese, the columns it lacks by their Chinese headers.
        assert!(errors[0].message.zh.contains("缺少村代码、职务列"), "{}", errors[0].message.zh);
        test.cleanup().await;
    }
}

/// A county's 花名册 as counties keep it: a 序号 and a 乡镇 column the
/// import does not need, particulars in the columns counties use, 一肩挑
/// and 交叉任职 written several ways, a 身份证号 that gives the gender and
/// birth its row leaves blank, and a cadre who left.
const COUNTY_ROSTER: &str = "序号,乡镇（街道）,村（社区）代码,姓名,性别,民族,出生年月,学历,政治面貌,职务,交叉任职,来源,身份证号,联系电话,任职状态
1,礼让镇,500155108201,张伟,,汉族,,大学本科,中共党员,党支部书记、村委会主任,是,返乡创业,500155198604151236,13900000001,连任
2,礼让镇,500155108201,李娜,女,汉族,1998.10,大专,中共党员,副书记,否,大学毕业生,,13900000002,新任
3,礼让镇,500155108201,王强,男,汉族,1979.01,高中,中共党员,支委委员兼村委委员,是,退役军人,,13900000003,连任
4,礼让镇,500155108201,赵敏,女,土家族,1990年6月,中专,群众,村委委员兼妇女主任,否,致富能手,,,新任
5,礼让镇,500155108202,刘洋,男,汉族,1999-12,硕士研究生,中共党员,书记兼主任,是,,,13900000005,新任
6,礼让镇,500155108202,陈静,女,汉族,1968.03,初中,中共党员,纪检委员,否,,,,连任
7,礼让镇,500155108202,周杰,男,汉族,1975.08,高中,中共党员,党总支书记,否,,,,离任
8,仁贤镇,500155109201,吴刚,男,汉族,1988.02,大专,中共党员,党支部书记,否,回乡,,13900000008,连任
9,仁贤镇,500155109201,郑丽,女,汉族,2000.07,本科,群众,居委会主任,否,大学生,,,新任
";

/// The figures of [`COUNTY_ROSTER`] for the villages whose code starts with
/// `prefix`, counted here from the file the way a county clerk would, in
/// the export's column order (after the unit's name).
fn counted(prefix: &str) -> Vec<String> {
    let rows: Vec<Vec<&str>> = COUNTY_ROSTER
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .filter(|r: &Vec<&str>| r[2].starts_with(prefix) && r[14] != "离任")
        .collect();
    let n = |f: &dyn Fn(&Vec<&str>) -> bool| rows.iter().filter(|r| f(r)).count() as i64;
    let pct = |part: i64, whole: i64| {
        if whole == 0 {
            "—".to_owned()
        } else {
            format!("{:.1}%", part as f64 * 100.0 / whole as f64)
        }
    };
    // Born: the column, else the ID number's digits 7–12; the age on 2031-11-01.
    let age = |r: &Vec<&str>| {
        let digits: String = if r[6].is_empty() {
            r[12][6..12].to_owned()
        } else {
            r[6].chars().filter(char::is_ascii_digit).collect()
        };
        let (year, month): (i64, i64) =
            (digits[..4].parse().unwrap(), digits[4..].parse().unwrap());
        2031 - year - i64::from(11 < month)
    };
    let woman =
        |r: &Vec<&str>| r[4] == "女" || (r[4].is_empty() && (r[12].as_bytes()[16] - b'0') % 2 == 0);
    let chair = |r: &Vec<&str>| {
        r[9].contains("书记")
            && r[9].contains("主任")
            && !r[9].contains('副')
            && !r[9].contains("妇女主任")
    };
    let mut villages: Vec<&str> = rows.iter().map(|r| r[2]).collect();
    villages.dedup();
    let mut shoulder: Vec<&str> = rows.iter().filter(|r| chair(r)).map(|r| r[2]).collect();
    shoulder.dedup();
    let members = rows.len() as i64;
    let (villages, shoulder) = (villages.len() as i64, shoulder.len() as i64);
    let women = n(&|r| woman(r));
    let young = n(&|r| age(r) < 35);
    let college = n(&|r| ["大专", "本科", "研究生"].iter().any(|w| r[7].contains(w)));
    let cross = n(&|r| r[10] == "是");
    let again = n(&|r| r[14] == "连任");
    let ages: i64 = rows.iter().map(age).sum();
    [
        villages.to_string(),
        members.to_string(),
        shoulder.to_string(),
        pct(shoulder, villages),
        women.to_string(),
        pct(women, members),
        young.to_string(),
        pct(young, members),
        college.to_string(),
        pct(college, members),
        cross.to_string(),
        pct(cross, members),
        again.to_string(),
        (members - again).to_string(),
        n(&|r| r[8].contains("党员")).to_string(),
        n(&|r| r[11].contains("返乡") || r[11].contains("回乡")).to_string(),
        n(&|r| r[11].contains("大学")).to_string(),
        n(&|r| r[11].contains("致富")).to_string(),
        n(&|r| r[11].contains("退役")).to_string(),
        if members == 0 {
            "—".to_owned()
        } else {
            format!("{:.1}", ages as f64 / members as f64)
        },
    ]
    .to_vec()
}

per_backend! {
    /// Issue 40: a county uploads its 花名册 (GB18030, as Excel saves it) on
    /// the accounts page; the structure statistics of the township, the
    /// county and the province then match a count over the file, on the
    /// page and in its export; the ID number is never shown.
    async fn a_county_roster_gives_the_structure_statistics_counties_report(test: TestDb) {
        use axum::body::Body;
        use axum::http::{Request, StatusCode, header};
        let api = baton_tests::api::Api::new(&test).await;
        let county = format!("baton_session={}", api.token("county").await);
        let send = |request: axum::http::request::Builder, body: Vec<u8>| {
            let api = &api;
            let request = request.header(header::COOKIE, county.clone()).body(Body::from(body)).expect("request");
            async move { api.send(request).await }
        };
        let page = |uri: String| send(Request::get(uri), Vec::new());
        let text = |reply: &baton_tests::api::Reply| String::from_utf8_lossy(&reply.body).into_owned();
        let accounts = text(&page("/accounts".into()).await);
        let at = accounts.find("name=\"_csrf\" value=\"").expect("a form") + 20;
        let csrf = accounts[at..at + 32].to_owned();
        let fields = [("_csrf", csrf.as_str()), ("term", "2031"), ("elected_on", "2031-11-01"), ("back", baton_host::demo::COUNTY)];
        let upload = |file: Vec<u8>| {
            let (api, county, fields) = (&api, county.clone(), fields);
            async move { api.post_form_file(&county, "/accounts/roster", &fields, "roster.csv", &file).await }
        };

        // A post no committee has, and a bad ID number: refused by line in
        // Chinese, the number never repeated back, nothing stored.
        let bad = COUNTY_ROSTER.replace("支委委员兼村委委员", "会计").replace("500155198604151236", "500155198604151237");
        let (gbk, _, _) = encoding_rs::GB18030.encode(&bad);
        let refused = upload(gbk.to_vec()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let said = text(&refused);
        assert!(said.contains("第 2 行：身份证号不对") && said.contains("第 4 行：职务“会计”无法识别"), "{said}");
        assert!(!said.contains("500155198604151237"), "an ID number is never shown back");
        assert_eq!(api.count("SELECT COUNT(*) FROM roster_stats WHERE term_id = '2031'").await, 0, "nothing stored");

        let (gbk, _, _) = encoding_rs::GB18030.encode(COUNTY_ROSTER);
        let done = upload(gbk.to_vec()).await;
        assert_eq!(done.status, StatusCode::CREATED, "{}", text(&done));
        // 张伟 and 刘洋 are 一肩挑 and 王强 sits on both committees: two seats each.
        assert_eq!(api.count("SELECT COUNT(*) FROM committee_members m JOIN committees c ON c.id = m.committee_id WHERE c.term_id = '2031'").await, 12);
        assert_eq!(api.count("SELECT COUNT(*) FROM committee_members m JOIN committees c ON c.id = m.committee_id WHERE c.term_id = '2031' AND m.one_shoulder = 1").await, 4);
        assert_eq!(api.count("SELECT COUNT(*) FROM committee_members WHERE post_text = '村委委员兼妇女主任' AND post = '委员'").await, 1);

        // Each level's table against the count, row by row, and its total.
        for (unit, rows) in [
            (baton_host::demo::TOWNSHIP, vec![("桂花村", "500155108201"), ("川西村", "500155108202")]),
            (baton_host::demo::COUNTY, vec![("礼让镇", "500155108"), ("合计", "500155")]),
            (baton_host::demo::PROVINCE, vec![("合计", "50")]),
        ] {
            // The province's table is the province's to read, not the county's.
            let reader = if unit == baton_host::demo::PROVINCE { api.token("province").await } else { api.token("county").await };
            let csv = api
                .send(Request::get(format!("/structure?unit={unit}&format=csv")).header(header::COOKIE, format!("baton_session={reader}")).body(Body::empty()).expect("request"))
                .await;
            assert_eq!(csv.status, StatusCode::OK, "{unit}");
            let csv = text(&csv);
            let lines: Vec<Vec<&str>> = csv.trim_start_matches('\u{feff}').lines().map(|l| l.split(',').collect()).collect();
            assert_eq!(lines[0][0], "单位", "{csv}");
            assert_eq!(lines[0][3], "“一肩挑”（村）", "{csv}");
            for (name, prefix) in rows {
                let line = lines.iter().find(|l| l[0] == name).unwrap_or_else(|| panic!("{name} in {csv}"));
                assert_eq!(line[1..].to_vec(), counted(prefix), "{unit}: {name}");
            }
        }

        // The page: the table, the lines to sign, printable; no ID number on
        // it or on any page or export of the village.
        let html = text(&page(format!("/structure?unit={}", baton_host::demo::COUNTY)).await);
        assert!(html.contains("村（社区）“两委”换届结构统计表") && html.contains("2031 年换届"), "{html}");
        assert!(html.contains("填报人") && html.contains("审核人") && html.contains("填报日期"), "{html}");
        assert!(html.contains("href=\"/structure?unit&#x3D;500155108000\""), "a township opens its villages: {html}");
        for uri in [
            format!("/structure?unit={}", baton_host::demo::TOWNSHIP),
            format!("/accounts?unit={}", baton_host::demo::VILLAGE),
            format!("/slips?unit={}", baton_host::demo::VILLAGE),
            format!("/county?unit={}", baton_host::demo::VILLAGE),
            format!("/county/export?unit={}&table=people", baton_host::demo::VILLAGE),
        ] {
            let shown = text(&page(uri.clone()).await);
            assert!(!shown.contains("500155198604151236") && !shown.contains("19860415"), "{uri} shows an ID number");
        }
        // The nation's table is its provinces'.
        let nation = format!("baton_session={}", api.token("nation").await);
        let reply = api
            .send(Request::get("/structure?format=csv").header(header::COOKIE, nation).body(Body::empty()).expect("request"))
            .await;
        assert!(text(&reply).contains("重庆市,"), "{}", text(&reply));
        // A township officer sees their own township, not the county.
        let township = format!("baton_session={}", api.token("township").await);
        let reply = api
            .send(Request::get(format!("/structure?unit={}", baton_host::demo::COUNTY)).header(header::COOKIE, township).body(Body::empty()).expect("request"))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        test.cleanup().await;
    }
}
