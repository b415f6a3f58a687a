//! The 花名册 as counties keep it: posts read from the words counties write
//! (党支部书记, 书记、主任 and 书记兼主任 for 一肩挑, 村委委员兼妇女主任…),
//! each person's particulars (性别、出生年月、民族、学历、政治面貌、来源, and
//! the 身份证号, checked and kept but never shown whole), and the figures of
//! the 换届结构统计 counties report upward, counted per village as a roster
//! is imported and rolled up to every unit above it.

use baton_sdk::Committee;

pub use crate::db::roster::Stats;

/// A post on one of the two committees, in the fixed set the platform
/// counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Post {
    /// 书记 of the Party organisation.
    Secretary,
    /// 副书记.
    DeputySecretary,
    /// 委员 of the Party organisation (组织委员、宣传委员、纪检委员…).
    PartyMember,
    /// 主任 of the villagers' (residents') committee.
    Chair,
    /// 副主任.
    DeputyChair,
    /// 委员 of the villagers' committee (妇女主任、治保主任… are its members).
    Member,
}

impl Post {
    /// The committee the post sits on.
    pub fn committee(self) -> Committee {
        match self {
            Post::Secretary | Post::DeputySecretary | Post::PartyMember => Committee::PartyBranch,
            Post::Chair | Post::DeputyChair | Post::Member => Committee::Villagers,
        }
    }

    /// As the platform stores it: 书记, 副书记, 委员, 主任, 副主任.
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Secretary => "书记",
            Post::DeputySecretary => "副书记",
            Post::PartyMember | Post::Member => "委员",
            Post::Chair => "主任",
            Post::DeputyChair => "副主任",
        }
    }
}

/// Words that name the Party organisation, as rosters write them.
const PARTY: [&str; 9] = [
    "党组织",
    "党支部",
    "党总支",
    "党委",
    "支部",
    "总支",
    "支委",
    "党",
    "纪检",
];
/// Words that name the villagers' (residents') committee.
const VILLAGERS: [&str; 6] = [
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    "村委",
    "居委",
];
/// Posts called 主任 that are a villagers' committee member's duty, not its chair.
const DUTIES: [&str; 6] = [
    "妇女主任",
    "妇联主任",
    "治保主任",
    "调解主任",
    "治调主任",
    "计生主任",
];

/// Which committee a roster's 组织 column names, if it names one.
pub fn committee(text: &str) -> Option<Committee> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text {
        "party-branch" => return Some(Committee::PartyBranch),
        "villagers" => return Some(Committee::Villagers),
        _ => {}
    }
    if VILLAGERS.iter().any(|w| text.contains(w)) {
        Some(Committee::Villagers)
    } else if PARTY.iter().any(|w| text.contains(w)) {
        Some(Committee::PartyBranch)
    } else {
        None
    }
}

/// The posts one roster line names, each once: `书记、主任` and `书记兼村委会
/// 主任` are two (一肩挑), `党总支书记` one. A plain 委员 sits on the committee
/// its words name (支委委员, 村委委员), else on `row` (the line's 组织
/// column). An unknown word is refused in both languages, naming it.
pub fn posts(text: &str, row: Option<Committee>) -> Result<Vec<Post>, (String, String)> {
    let mut found = Vec::new();
    let parts = text
        .split(|c: char| "、，,/／;；兼及和与".contains(c) || c.is_whitespace())
        .filter(|p| !p.is_empty());
    for part in parts {
        let post = if part.contains("监督") {
            return Err((
                format!("“{part}”是村务监督委员会的职务，不属于村（社区）两委，请不要列入名册"),
                format!(
                    "`{part}` is a post of the village affairs supervision committee, not of the two committees"
                ),
            ));
        } else if part.contains("副书记") {
            Post::DeputySecretary
        } else if part.contains("书记") {
            Post::Secretary
        } else if DUTIES.iter().any(|d| part.contains(d)) {
            Post::Member
        } else if part.contains("副主任") {
            Post::DeputyChair
        } else if part.contains("主任") {
            Post::Chair
        } else if part.contains("委员") || part.ends_with("支委") || part.ends_with("村委") {
            match committee(part).or(row) {
                Some(Committee::PartyBranch) => Post::PartyMember,
                Some(Committee::Villagers) => Post::Member,
                None => {
                    return Err((
                        format!(
                            "“{part}”没有写明是党组织还是村（居）委会的委员，请写“支委委员”或“村委委员”，或填写组织列"
                        ),
                        format!(
                            "`{part}`: say which committee (支委委员 or 村委委员), or fill in the committee column"
                        ),
                    ));
                }
            }
        } else {
            return Err((
                format!(
                    "职务“{part}”无法识别，应为书记、副书记、委员、主任或副主任（可写“党支部书记”“书记、主任”“书记兼主任”等）"
                ),
                format!(
                    "post `{part}` is none of 书记, 副书记, 委员, 主任, 副主任 (as in 党支部书记, 书记、主任, 书记兼主任)"
                ),
            ));
        };
        if !found.contains(&post) {
            found.push(post);
        }
    }
    if found.is_empty() {
        return Err(("请填写职务".into(), "is required".into()));
    }
    Ok(found)
}

pub use crate::db::people::{Gender, Particulars};

impl Particulars {
    /// 大专 or above.
    pub fn college(&self) -> bool {
        [
            "大专",
            "专科",
            "本科",
            "大学",
            "学士",
            "研究生",
            "硕士",
            "博士",
        ]
        .iter()
        .any(|w| self.education.contains(w))
    }

    /// A member of the Party (中共党员, 预备党员).
    pub fn party(&self) -> bool {
        self.political.contains("党员")
    }

    /// Age on `date` (`YYYY-MM-DD`), in whole years, when the birth is known.
    pub fn age_on(&self, date: &str) -> Option<i64> {
        let birth = self.birth.as_deref()?;
        let year = |s: &str| s.get(..4)?.parse::<i64>().ok();
        let month = |s: &str| s.get(5..7)?.parse::<i64>().ok();
        let age = year(date)? - year(birth)? - i64::from(month(date)? < month(birth)?);
        (0..=120).contains(&age).then_some(age)
    }
}

/// Where a person came from, in the categories counties count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// 返乡 (回乡) 人员.
    Returnee,
    /// 大学毕业生.
    Graduate,
    /// 致富能手 (带头人).
    Entrepreneur,
    /// 退役军人.
    Veteran,
}

/// The categories a 来源 cell names (it may name several).
pub fn origins(text: &str) -> Vec<Origin> {
    let mut found = Vec::new();
    for (words, origin) in [
        (&["返乡", "回乡", "返村"][..], Origin::Returnee),
        (&["大学生", "毕业生", "大学毕业"][..], Origin::Graduate),
        (
            &["致富", "能手", "带头人", "能人"][..],
            Origin::Entrepreneur,
        ),
        (&["退役", "退伍", "转业", "军人"][..], Origin::Veteran),
    ] {
        if words.iter().any(|w| text.contains(w)) {
            found.push(origin);
        }
    }
    found
}

/// Reads a line's particulars; each problem is (column, zh, en), and none
/// repeats an ID number back.
pub fn particulars(
    gender: &str,
    birth: &str,
    ethnicity: &str,
    education: &str,
    political: &str,
    origin: &str,
    id_number: &str,
) -> Result<Particulars, Vec<(&'static str, String, String)>> {
    let mut problems = Vec::new();
    let id_number = id_number.trim().to_uppercase();
    let id = if id_number.is_empty() {
        None
    } else if let Some(read) = read_id(&id_number) {
        Some(read)
    } else {
        problems.push((
            "id_number",
            "身份证号不对：应为 18 位，最后一位可为 X，并符合校验规则，请核对".to_owned(),
            "is not a valid 18-character resident ID number".to_owned(),
        ));
        None
    };
    let gender = match gender.trim() {
        "" => id.as_ref().map(|(_, g)| *g),
        "男" | "male" | "M" | "m" => Some(Gender::Male),
        "女" | "female" | "F" | "f" => Some(Gender::Female),
        other => {
            problems.push((
                "gender",
                format!("性别“{other}”应为男或女"),
                format!("`{other}` must be 男 or 女"),
            ));
            None
        }
    };
    let birth = match birth.trim() {
        "" => id.as_ref().map(|(b, _)| b.clone()),
        text => match year_month(text) {
            Some(b) => Some(b),
            None => {
                problems.push((
                    "birth",
                    format!("出生年月“{text}”应写成 1985.03、1985-03 或 1985年3月"),
                    format!("`{text}` must be a year and month, like 1985.03 or 1985-03"),
                ));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Particulars {
        gender,
        birth,
        ethnicity: ethnicity.trim().to_owned(),
        education: education.trim().to_owned(),
        political: political.trim().to_owned(),
        origin: origin.trim().to_owned(),
        id_number: id.map(|_| id_number),
    })
}

/// An 18-character resident ID number's birth (`YYYY-MM`) and gender, if
/// its check digit (GB 11643, ISO 7064 MOD 11-2) is right.
fn read_id(id: &str) -> Option<(String, Gender)> {
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    if bytes[17] != check {
        return None;
    }
    let birth = format!("{}-{}", &id[6..10], &id[10..12]);
    year_month(&birth)?;
    let gender = if (bytes[16] - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Some((birth, gender))
}

/// `1985.03`, `1985-3`, `1985/03`, `198503`, `1985年3月`, `1985-03-12` as `1985-03`.
fn year_month(text: &str) -> Option<String> {
    let digits: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month) = match digits.as_slice() {
        [one] if one.len() == 6 => (&one[..4], &one[4..]),
        [year, month, ..] => (*year, *month),
        _ => return None,
    };
    let (year, month): (u32, u32) = (year.parse().ok()?, month.parse().ok()?);
    ((1900..=2100).contains(&year) && (1..=12).contains(&month))
        .then(|| format!("{year}-{month:02}"))
}

/// Each village's counts from its seats on a roster imported for an
/// election held on `elected_on` (`YYYY-MM-DD`): serving people only, each
/// once however many seats they hold.
pub fn count(
    seats: &[crate::db::people::Seat],
    elected_on: &str,
) -> std::collections::HashMap<String, Stats> {
    use std::collections::HashMap;
    // Each serving person of each village, with every seat they hold.
    let mut people: HashMap<(&str, &str, Option<&str>), Vec<&crate::db::people::Seat>> =
        HashMap::new();
    for seat in seats.iter().filter(|s| s.departure.is_none()) {
        people
            .entry((
                seat.village.as_str(),
                seat.name.as_str(),
                seat.phone.as_deref(),
            ))
            .or_default()
            .push(seat);
    }
    let mut out: HashMap<String, Stats> = HashMap::new();
    let mut shoulders = std::collections::HashSet::new();
    for ((village, _, _), held) in &people {
        let stats = out.entry((*village).to_owned()).or_default();
        stats.villages = 1;
        let holds = |committee: Committee, post: &str| {
            held.iter()
                .any(|s| s.committee == committee && s.post == post)
        };
        if holds(Committee::PartyBranch, "书记") && holds(Committee::Villagers, "主任") {
            shoulders.insert(*village);
        }
        let p = &held[0].particulars;
        let on_both = held.iter().any(|s| s.committee == Committee::PartyBranch)
            && held.iter().any(|s| s.committee == Committee::Villagers);
        let age = p.age_on(elected_on);
        let origins = origins(&p.origin);
        let mut person = Stats {
            members: 1,
            women: i64::from(p.gender == Some(Gender::Female)),
            under_35: i64::from(age.is_some_and(|a| a < 35)),
            college: i64::from(p.college()),
            cross_posted: i64::from(on_both || held.iter().any(|s| s.cross_posted)),
            reelected: i64::from(held.iter().any(|s| s.reelected)),
            party: i64::from(p.party()),
            aged: i64::from(age.is_some()),
            age_sum: age.unwrap_or(0),
            ..Stats::default()
        };
        for origin in origins {
            match origin {
                Origin::Returnee => person.returnees = 1,
                Origin::Graduate => person.graduates = 1,
                Origin::Entrepreneur => person.entrepreneurs = 1,
                Origin::Veteran => person.veterans = 1,
            }
        }
        stats.add(&person);
        stats.villages = 1;
    }
    for village in shoulders {
        if let Some(stats) = out.get_mut(village) {
            stats.one_shoulder = 1;
        }
    }
    out
}

/// Stores checked seats for `term` inside `tx` (see
/// [`crate::db::people::insert_roster`]) and adds their villages' counts to
/// the structure statistics in the same transaction. Returns (people, seats)
/// added and each village's people with their role.
pub async fn store(
    tx: &mut crate::db::accounts::Tx,
    term: &str,
    elected_on: &str,
    seats: &[crate::db::people::Seat],
    linkable: Option<&std::collections::HashSet<i64>>,
) -> anyhow::Result<(usize, usize, Vec<crate::db::people::Holder>)> {
    let stored = crate::db::people::insert_roster(tx, term, elected_on, seats, linkable).await?;
    crate::db::roster::add_villages(tx, term, count(seats, elected_on)).await?;
    Ok(stored)
}

/// A unit's 换届结构统计 for the latest term imported under it: a row per
/// unit directly below it, and its own total.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Structure {
    /// The term (`2026`); `None` when no village under the unit has a roster.
    pub term: Option<String>,
    /// Each child unit: code, name and counts, by code.
    pub rows: Vec<(String, String, Stats)>,
    /// The unit's total (the nation's: its provinces' sum).
    pub total: Stats,
}

/// The structure statistics of `scope` (a reader checked against it by
/// [`crate::reports::scope`]): two reads of the roll-ups, at any size.
pub async fn structure(
    state: &crate::state::AppState,
    scope: &crate::reports::Scope,
) -> Result<Structure, crate::error::Error> {
    let code = scope.unit.as_ref().map(|u| u.code.as_str());
    let Some(term) = crate::db::roster::latest_term(&state.db, code).await? else {
        return Ok(Structure::default());
    };
    let rows = crate::db::roster::children(&state.db, code, &term).await?;
    let total = match code {
        Some(code) => crate::db::roster::of(&state.db, code, &term).await?,
        None => rows.iter().fold(Stats::default(), |mut sum, (_, _, s)| {
            sum.add(s);
            sum
        }),
    };
    Ok(Structure {
        term: Some(term),
        rows,
        total,
    })
}

/// A 身份证号 as a page may show it: the region and the last two characters.
pub fn masked(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..6], &chars[chars.len() - 2..]);
    format!(
        "{}{}{}",
        head.iter().collect::<String>(),
        "*".repeat(chars.len() - 8),
        tail.iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_read_as_counties_write_them() {
        let party = Some(Committee::PartyBranch);
        let read = |t: &str, row| posts(t, row).map_err(|e| e.0);
        assert_eq!(read("党支部书记", None), Ok(vec![Post::Secretary]));
        assert_eq!(read("村党总支书记", None), Ok(vec![Post::Secretary]));
        assert_eq!(
            read("书记、主任", None),
            Ok(vec![Post::Secretary, Post::Chair])
        );
        assert_eq!(
            read("书记兼村委会主任", None),
            Ok(vec![Post::Secretary, Post::Chair])
        );
        assert_eq!(
            read("党支部书记/居委会主任", None),
            Ok(vec![Post::Secretary, Post::Chair])
        );
        assert_eq!(read("副书记", None), Ok(vec![Post::DeputySecretary]));
        assert_eq!(read("支委委员", None), Ok(vec![Post::PartyMember]));
        assert_eq!(read("纪检委员", None), Ok(vec![Post::PartyMember]));
        assert_eq!(read("委员", party), Ok(vec![Post::PartyMember]));
        assert_eq!(read("村委委员兼妇女主任", None), Ok(vec![Post::Member]));
        assert_eq!(
            read("副书记、副主任", None),
            Ok(vec![Post::DeputySecretary, Post::DeputyChair])
        );
        assert!(read("委员", None).is_err_and(|e| e.contains("支委委员")));
        assert!(read("会计", party).is_err_and(|e| e.contains("职务“会计”无法识别")));
        assert!(read("村务监督委员会主任", None).is_err_and(|e| e.contains("村务监督委员会")));
        assert_eq!(committee("党总支"), Some(Committee::PartyBranch));
        assert_eq!(committee("居民委员会"), Some(Committee::Villagers));
        assert_eq!(committee(""), None);
    }

    #[test]
    fn particulars_come_from_the_columns_or_the_id_number() {
        // 11010519491231002X: the standard's worked example, a woman born 1949-12.
        let p = particulars(
            "",
            "",
            "汉族",
            "大学本科",
            "中共党员",
            "返乡创业",
            "11010519491231002x",
        )
        .expect("valid");
        assert_eq!(
            (p.gender, p.birth.as_deref()),
            (Some(Gender::Female), Some("1949-12"))
        );
        assert!(p.college() && p.party());
        assert_eq!(p.age_on("2026-11-01"), Some(76));
        assert_eq!(origins(&p.origin), [Origin::Returnee]);
        let q = particulars("男", "1992年3月", "", "高中", "群众", "退役军人", "").expect("valid");
        assert_eq!(q.birth.as_deref(), Some("1992-03"));
        assert_eq!(q.age_on("2026-03-01"), Some(34));
        assert!(!q.college() && !q.party());
        let bad =
            particulars("未知", "九二年", "", "", "", "", "110105194912310021").expect_err("bad");
        let columns: Vec<&str> = bad.iter().map(|p| p.0).collect();
        assert_eq!(columns, ["id_number", "gender", "birth"]);
        assert!(
            bad.iter().all(|p| !p.1.contains("110105")),
            "an ID number is never repeated back"
        );
        assert_eq!(masked("11010519491231002X"), "110105**********2X");
        assert_eq!(year_month("198503"), Some("1985-03".into()));
        assert_eq!(year_month("1985.3.12"), Some("1985-03".into()));
    }
}
