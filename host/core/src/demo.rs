//! The demo: a small province (重庆市 梁平区, three townships, seven villages),
//! a second county and a second province to be out of scope, rosters with
//! outgoing and defeated cadres, an account per role (password `demo`), and
//! the handover module assigned to both provinces.

use baton_sdk::{Committee, Departure, Role};

use crate::db::accounts::{self, NewAccount};
use crate::db::assignments::{self, NewAssignment};
use crate::db::org_units::{self, Level, OrgUnit};
use crate::db::people::{self, Seat};
use crate::db::{Db, plugins};

/// The demo password of every account.
pub const PASSWORD: &str = "demo";

/// The village the demo's secretary, member and outgoing cadre belong to.
pub const VILLAGE: &str = "500155108201";
/// The demo's township.
pub const TOWNSHIP: &str = "500155108000";
/// The demo's county.
pub const COUNTY: &str = "500155000000";
/// The demo's city level, above its county (重庆市辖区).
pub const CITY: &str = "500100000000";
/// The demo's province.
pub const PROVINCE: &str = "500000000000";
/// A village in another county of the same province.
pub const OTHER_COUNTY_VILLAGE: &str = "500156101201";
/// A village in another township of the same county.
pub const OTHER_TOWNSHIP_VILLAGE: &str = "500155109201";
/// A village in another province.
pub const OTHER_PROVINCE_VILLAGE: &str = "510121100201";

const UNITS: &[(&str, Level, &str, Option<&str>)] = &[
    ("500000000000", Level::Province, "重庆市", None),
    (
        "500100000000",
        Level::City,
        "重庆市辖区",
        Some("500000000000"),
    ),
    (
        "500155000000",
        Level::County,
        "梁平区",
        Some("500100000000"),
    ),
    (
        "500155108000",
        Level::Township,
        "礼让镇",
        Some("500155000000"),
    ),
    (
        "500155108201",
        Level::Village,
        "桂花村",
        Some("500155108000"),
    ),
    (
        "500155108202",
        Level::Village,
        "川西村",
        Some("500155108000"),
    ),
    (
        "500155108203",
        Level::Village,
        "新拱村",
        Some("500155108000"),
    ),
    (
        "500155109000",
        Level::Township,
        "金带街道",
        Some("500155000000"),
    ),
    (
        "500155109201",
        Level::Village,
        "双桂村",
        Some("500155109000"),
    ),
    (
        "500155109202",
        Level::Village,
        "长龙村",
        Some("500155109000"),
    ),
    (
        "500155110000",
        Level::Township,
        "屏锦镇",
        Some("500155000000"),
    ),
    (
        "500155110201",
        Level::Village,
        "万年村",
        Some("500155110000"),
    ),
    (
        "500155110202",
        Level::Village,
        "明月村",
        Some("500155110000"),
    ),
    (
        "500156000000",
        Level::County,
        "武隆区",
        Some("500100000000"),
    ),
    (
        "500156101000",
        Level::Township,
        "巷口镇",
        Some("500156000000"),
    ),
    (
        "500156101201",
        Level::Village,
        "芙蓉村",
        Some("500156101000"),
    ),
    ("510000000000", Level::Province, "四川省", None),
    ("510100000000", Level::City, "成都市", Some("510000000000")),
    (
        "510121000000",
        Level::County,
        "金堂县",
        Some("510100000000"),
    ),
    (
        "510121100000",
        Level::Township,
        "赵镇街道",
        Some("510121000000"),
    ),
    (
        "510121100201",
        Level::Village,
        "三星村",
        Some("510121100000"),
    ),
];

const SURNAMES: &[&str] = &[
    "张", "李", "王", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "德福", "志强", "桂兰", "明华", "海燕", "文军", "玉梅", "国平", "春林", "红霞",
    "永胜", "丽娟", "家兴", "淑珍",
];

/// A demo login: (username, role, unit, what it is for).
pub const LOGINS: &[(&str, &str, &str)] = &[
    ("nation", "全国管理员 national administrator", "全国"),
    (
        "province",
        "省级管理员 province administrator",
        "重庆市 500000000000",
    ),
    (
        "city",
        "市级组织干部 city officer",
        "重庆市辖区 500100000000",
    ),
    (
        "county",
        "县委组织部 county organisation department",
        "梁平区 500155000000",
    ),
    (
        "township",
        "乡镇干部 township officer",
        "礼让镇 500155108000",
    ),
    (
        "secretary",
        "新任村党组织书记 new village secretary",
        "桂花村 500155108201",
    ),
    ("member", "两委成员 committee member", "桂花村 500155108201"),
    (
        "outgoing",
        "离任书记 outgoing secretary",
        "桂花村 500155108201",
    ),
];

/// Whether the database is empty enough to seed.
pub async fn is_empty(db: &Db) -> anyhow::Result<bool> {
    Ok(org_units::get(db, PROVINCE).await?.is_none())
}

/// Seeds the demo into an empty database (built-in modules registered).
pub async fn seed(db: &Db, now: i64) -> anyhow::Result<()> {
    for (code, level, name, parent) in UNITS {
        crate::import::unit(
            db,
            &OrgUnit {
                code: (*code).into(),
                level: *level,
                name: (*name).into(),
                parent_code: parent.map(Into::into),
            },
        )
        .await?;
    }
    let mut seats = Vec::new();
    for (i, (code, level, _, _)) in UNITS.iter().enumerate() {
        if *level == Level::Village {
            seats.extend(roster(code, i));
        }
    }
    let mut tx = db.pool().begin().await?;
    let (_, _, holders) = crate::roster::store(&mut tx, "2026", "2026-11-01", &seats, None).await?;
    tx.commit().await?;

    let person = |name: &str| {
        let name = name.to_owned();
        async move { person_in(db, VILLAGE, &name).await }
    };
    let hash = {
        let mut hashes = Vec::new();
        for _ in LOGINS {
            hashes
                .push(tokio::task::spawn_blocking(|| crate::auth::hash_password(PASSWORD)).await??);
        }
        hashes
    };
    // (username, display name, roster person, role, unit)
    type Login<'a> = (&'a str, &'a str, Option<i64>, Role, Option<&'a str>);
    let accounts: [Login<'_>; 8] = [
        ("nation", "全国管理员", None, Role::NationalAdmin, None),
        (
            "province",
            "重庆市委组织部 李敏",
            None,
            Role::ProvinceAdmin,
            Some(PROVINCE),
        ),
        (
            "city",
            "重庆市委组织部 赵敏",
            None,
            Role::CityOfficer,
            Some(CITY),
        ),
        (
            "county",
            "梁平区委组织部 周文",
            None,
            Role::CountyTrainer,
            Some(COUNTY),
        ),
        (
            "township",
            "礼让镇 陈立",
            None,
            Role::TownshipOfficer,
            Some(TOWNSHIP),
        ),
        (
            "secretary",
            "张建国",
            person("张建国").await?,
            Role::Secretary,
            Some(VILLAGE),
        ),
        (
            "member",
            "李秀英",
            person("李秀英").await?,
            Role::Member,
            Some(VILLAGE),
        ),
        (
            "outgoing",
            "王德福",
            person("王德福").await?,
            Role::OutgoingCadre,
            Some(VILLAGE),
        ),
    ];
    let mut nation = 0;
    for ((username, display_name, person_id, role, unit), hash) in accounts.iter().zip(&hash) {
        let id = accounts::create(
            db,
            &NewAccount {
                username,
                password_hash: hash,
                display_name,
                person_id: *person_id,
                grants: &[(*role, *unit)],
            },
            now,
        )
        .await?;
        if *role == Role::NationalAdmin {
            nation = id;
        }
    }
    // Everyone else on the rosters gets an account and an activation code,
    // as a real roster import gives them: the slips page has them to print.
    let mut tx = db.pool().begin().await?;
    crate::accounts::for_roster(&mut tx, &holders, now).await?;
    tx.commit().await?;
    // Every built-in but the look-back, which a province assigns to a sample
    // once the others are done, and the kinds, which a province configures.
    let onboarding = |p: &plugins::Package| {
        p.built_in && p.id != "look-back" && !crate::registry::ENGINES.contains(&p.id.as_str())
    };
    for package in plugins::list(db).await?.into_iter().filter(onboarding) {
        let config = match package.id.as_str() {
            "first-lesson" => course_with_classes(&package.info.config_schema, now),
            _ => "null".to_owned(),
        };
        for province in [PROVINCE, "510000000000"] {
            assignments::assign(
                db,
                &NewAssignment {
                    plugin_id: &package.id,
                    plugin_version: &package.version,
                    unit_code: province,
                    audience: package.info.audience,
                    due_at: now + 60 * 24 * 3600,
                    config: &config,
                    created_by: nation,
                    edition: 1,
                    sample: None,
                },
                now,
                false,
            )
            .await?;
        }
    }
    Ok(())
}

/// The first lesson's built-in course with two classes, at the county's
/// Party school today (a check-in code is good only on its class's day) and
/// in the township a week later, so a newcomer can try the QR
/// check-in, study hours and the certificate. The hours count; none are
/// required to pass.
fn course_with_classes(schema: &serde_json::Value, now: i64) -> String {
    let mut course = schema.get("default").cloned().unwrap_or_default();
    let day = |days: i64| baton_sdk::beijing_date(now + days * 86_400);
    let mut key = [0u8; 12];
    rand::fill(&mut key);
    course["sessions"] = serde_json::json!([
        {"title": {"zh": "开班式：新任村党组织书记示范培训", "en": "Opening class: training for new Party secretaries"},
         "date": day(0), "place": "县（区）委党校", "hours": 2},
        {"title": {"zh": "现场教学：村级事务规范运行", "en": "On-site class: running village affairs by the rules"},
         "date": day(7), "place": "乡镇党群服务中心", "hours": 2}
    ]);
    course["check_in_key"] = serde_json::json!(hex::encode(key));
    course.to_string()
}

async fn person_in(db: &Db, village: &str, name: &str) -> anyhow::Result<Option<i64>> {
    people::village(db, village, "")
        .await
        .map(|(_, members, outgoing)| {
            members
                .iter()
                .map(|m| (&m.name, &m.person_id))
                .chain(outgoing.iter().map(|o| (&o.name, &o.person_id)))
                .find(|(n, _)| n.as_str() == name)
                .and_then(|(_, id)| id.parse().ok())
        })
}

/// A village's roster: the demo village's people are the SDK's sample people.
fn roster(village: &str, seed: usize) -> Vec<Seat> {
    let name = |k: usize| {
        format!(
            "{}{}",
            SURNAMES[(seed * 7 + k * 3) % SURNAMES.len()],
            GIVEN[(seed * 5 + k * 11) % GIVEN.len()]
        )
    };
    let names: Vec<String> = if village == VILLAGE {
        ["张建国", "李秀英", "刘志强", "陈桂兰", "王德福", "赵国平"]
            .map(String::from)
            .to_vec()
    } else {
        (0..6).map(name).collect()
    };
    // What the 花名册 says of each (the structure statistics count it).
    let about = |who: &String| {
        let n = names.iter().position(|m| m == who).unwrap_or(0);
        let (gender, birth, education, political, origin) = [
            ("男", "1983-05", "大学本科", "中共党员", "返乡创业"),
            ("女", "1990-08", "大专", "中共党员", "大学毕业生"),
            ("男", "1995-02", "高中", "中共党员", "退役军人"),
            ("女", "1978-11", "初中", "群众", "致富能手"),
            ("男", "1961-03", "高中", "中共党员", ""),
            ("男", "1970-07", "初中", "群众", ""),
        ][n % 6];
        crate::roster::particulars(gender, birth, "汉族", education, political, origin, "")
            .unwrap_or_default()
    };
    let seat = |committee, who: &String, post: &str, departure, years| Seat {
        village: village.into(),
        committee,
        name: who.clone(),
        phone: None,
        post: post.into(),
        post_text: post.into(),
        departure,
        years_served: years,
        reelected: departure.is_none() && years > 0,
        cross_posted: false,
        particulars: about(who),
    };
    vec![
        // 一肩挑: the new secretary also chairs the villagers' committee.
        seat(Committee::PartyBranch, &names[0], "书记", None, 0),
        seat(Committee::Villagers, &names[0], "主任", None, 0),
        seat(Committee::PartyBranch, &names[1], "副书记", None, 3),
        seat(Committee::PartyBranch, &names[2], "委员", None, 0),
        seat(Committee::Villagers, &names[3], "委员", None, 5),
        seat(
            Committee::PartyBranch,
            &names[4],
            "书记",
            Some(Departure::Retired),
            15,
        ),
        seat(
            Committee::Villagers,
            &names[5],
            "委员",
            Some(Departure::Defeated),
            6,
        ),
    ]
}

/// What `baton serve --demo` prints: how to sign in as each role.
pub fn logins(addr: &str) -> String {
    let mut out =
        format!("Open http://{addr}/ and sign in as any demo account (password `{PASSWORD}`):\n");
    for (user, role, unit) in LOGINS {
        out.push_str(&format!("  {user:<10} {role}  @ {unit}\n"));
    }
    out.push_str(&format!(
        "  The API takes the same logins, e.g. curl -s http://{addr}/api/v1/login -H 'content-type: application/json' -d '{{\"username\":\"secretary\",\"password\":\"demo\"}}'\n"
    ));
    out
}

/// The two example programmes that ship with the procedure kind
/// (`plugins/procedure/examples`): 上海's 荣退仪式 and 宁夏's 慰问 with its
/// amounts.
pub const EXAMPLES: [(&str, &str); 2] = [
    (
        "shanghai-retirement",
        include_str!("../../../plugins/procedure/examples/shanghai-retirement.json"),
    ),
    (
        "ningxia-visits",
        include_str!("../../../plugins/procedure/examples/ningxia-visits.json"),
    ),
];

/// Makes the [`EXAMPLES`] as the demo province's administrator would in
/// the editor (the same use case), and assigns them to the demo county, so
/// a newcomer finds a province's own modules beside the built-in ones.
/// Returns the modules made (`id@version`).
pub async fn examples(state: &crate::state::AppState, now: i64) -> anyhow::Result<Vec<String>> {
    use anyhow::Context as _;
    let (account, _) = crate::db::accounts::credentials(&state.db, "province")
        .await?
        .context("the demo province administrator")?;
    let token = crate::db::accounts::open_session(&state.db, account, now).await?;
    let principal = crate::db::accounts::principal(&state.db, &token, now)
        .await?
        .context("the demo province administrator's session")?;
    let mut made = Vec::new();
    for (name, text) in EXAMPLES {
        let definition = serde_json::from_str(text).with_context(|| format!("example {name}"))?;
        let input = crate::definitions::NewDefinition {
            province: None,
            module: None,
            kind: "procedure".into(),
            definition,
        };
        let saved = crate::definitions::save(state, &principal, input)
            .await
            .map_err(|e| anyhow::anyhow!("example {name}: {e}"))?;
        let assign = crate::assigning::AssignRequest {
            module: saved.id.clone(),
            version: saved.version.clone(),
            unit: COUNTY.into(),
            due: crate::clock::date(now + 60 * 24 * 3600),
            audience: None,
            config: None,
            sample: None,
            edition: None,
            dry_run: false,
        };
        crate::assigning::assign_module(state, &principal, assign)
            .await
            .map_err(|e| anyhow::anyhow!("assigning example {name}: {e}"))?;
        made.push(format!("{}@{}", saved.id, saved.version));
    }
    crate::db::accounts::close_session(&state.db, &token).await?;
    Ok(made)
}
