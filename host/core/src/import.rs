//! Importing the data a county hands over as spreadsheets: the org tree now,
//! committee rosters next. Every row is checked before anything is written;
//! one bad row imports nothing and is reported by its line in the file.

use std::collections::HashMap;

use serde::Deserialize;

use crate::db::Db;
use crate::db::org_units::{self, Level, OrgUnit};
use crate::sheet::{Column, decode, rows};

pub use crate::error::RowError;

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows are wrong; each says why.
    #[error("{} bad rows, nothing imported:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowError>),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

/// A line of an org-tree file, by its columns' English names.
#[derive(Debug, Deserialize)]
struct OrgRow {
    code: String,
    level: String,
    name: String,
    #[serde(default)]
    parent_code: String,
}

const ORG_COLUMNS: &[Column] = &[
    Column::required("code", &["代码", "区划代码"]),
    Column::required("level", &["层级", "级别"]),
    Column::required("name", &["名称"]),
    Column::optional("parent_code", &["上级代码"]),
];

/// Imports an org tree from CSV (`code,level,name,parent_code`, or
/// `代码,层级,名称,上级代码`), all or nothing. Returns the number of units added.
pub async fn org_units(db: &Db, csv: &[u8]) -> Result<usize, ImportError> {
    let rows = parse_org_rows(&decode(csv))?;
    let units: Vec<(usize, OrgUnit)> = rows.into_iter().collect();
    let wanted: Vec<String> = units
        .iter()
        .flat_map(|(_, u)| [Some(u.code.clone()), u.parent_code.clone()])
        .flatten()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let existing = org_units::paths(db, &wanted).await?;
    let planned = plan(units, &existing).map_err(ImportError::Rows)?;
    org_units::insert_all(db, &planned).await?;
    Ok(planned.len())
}

fn parse_org_rows(text: &str) -> Result<Vec<(usize, OrgUnit)>, ImportError> {
    let mut units = Vec::new();
    let mut errors = Vec::new();
    let rows = rows::<OrgRow>(text, ORG_COLUMNS).map_err(|e| ImportError::Rows(vec![e]))?;
    for (line, record) in rows {
        let row = match record {
            Ok(row) => row,
            Err(e) => {
                errors.push(RowError::unreadable(line, &e));
                continue;
            }
        };
        let mut bad =
            |column, zh: String, en: String| errors.push(RowError::new(line, Some(column), zh, en));
        if row.code.len() != 12 || !row.code.bytes().all(|b| b.is_ascii_digit()) {
            bad(
                "code",
                format!("代码“{}”应为 12 位行政区划代码（GB/T 2260）", row.code),
                format!("`{}` must be a 12-digit GB/T 2260 code", row.code),
            );
        }
        let level = parse_level(&row.level);
        if level.is_none() {
            bad(
                "level",
                format!(
                    "层级“{}”应为省、市、县（区）、乡镇（街道）或村（社区）",
                    row.level
                ),
                format!(
                    "`{}` must be province, city, county, township or village (省/市/县/区/乡/镇/街道/村/社区)",
                    row.level
                ),
            );
        }
        if row.name.is_empty() {
            bad("name", "请填写名称".into(), "is required".into());
        }
        if let Some(level) = level {
            let zeros = &row.code.get(prefix_len(level)..).unwrap_or("");
            if row.code.len() == 12 && zeros.bytes().any(|b| b != b'0') {
                bad(
                    "code",
                    format!("{}的代码应以 {} 个 0 结尾", chinese(level), zeros.len()),
                    format!("a {}'s code ends in {} zeros", level.as_str(), zeros.len()),
                );
            }
            let parent_code = (!row.parent_code.is_empty()).then(|| row.parent_code.clone());
            units.push((
                line,
                OrgUnit {
                    code: row.code,
                    level,
                    name: row.name,
                    parent_code,
                },
            ));
        }
    }
    if units.is_empty() && errors.is_empty() {
        errors.push(crate::sheet::empty_file());
    }
    if errors.is_empty() {
        Ok(units)
    } else {
        Err(ImportError::Rows(errors))
    }
}

fn parse_level(s: &str) -> Option<Level> {
    Some(match crate::sheet::simplified(s) {
        "province" | "省" => Level::Province,
        "city" | "市" => Level::City,
        "county" | "县" | "区" | "旗" | "县级市" => Level::County,
        "township" | "乡" | "镇" | "乡镇" | "街道" => Level::Township,
        "village" | "村" | "社区" | "居委会" => Level::Village,
        _ => return None,
    })
}

/// A level as a county's sheet writes it.
fn chinese(level: Level) -> &'static str {
    match level {
        Level::Province => "省",
        Level::City => "市",
        Level::County => "县（区）",
        Level::Township => "乡镇（街道）",
        Level::Village => "村（社区）",
    }
}

/// How many leading digits of a code name the unit at each level.
fn prefix_len(level: Level) -> usize {
    match level {
        Level::Province => 2,
        Level::City => 4,
        Level::County => 6,
        Level::Township => 9,
        Level::Village => 12,
    }
}

/// Adds `unit` below its parent, which must exist and sit above it.
pub async fn unit(db: &Db, unit: &OrgUnit) -> anyhow::Result<()> {
    let wanted: Vec<String> = [Some(unit.code.clone()), unit.parent_code.clone()]
        .into_iter()
        .flatten()
        .collect();
    let existing = org_units::paths(db, &wanted).await?;
    let planned = plan(vec![(1, unit.clone())], &existing).map_err(|errors| {
        let why: Vec<&str> = errors.iter().map(|e| e.message.en.as_str()).collect();
        anyhow::anyhow!("{} {}: {}", unit.code, unit.name, why.join("; "))
    })?;
    org_units::insert_all(db, &planned).await
}

/// Checks every unit against the file and the database and gives each its
/// path, parents first. `existing` maps codes already stored to (level, path).
pub fn plan(
    mut units: Vec<(usize, OrgUnit)>,
    existing: &HashMap<String, (Level, String)>,
) -> Result<Vec<(OrgUnit, String)>, Vec<RowError>> {
    // Parents sit at higher levels, so by level they come first.
    units.sort_by_key(|(line, u)| (u.level, *line));
    let mut known = existing.clone();
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    for (line, unit) in units {
        let mut bad =
            |column, zh: String, en: String| errors.push(RowError::new(line, Some(column), zh, en));
        if known.contains_key(&unit.code) {
            bad(
                "code",
                format!("代码 {} 已存在", unit.code),
                format!("{} already exists", unit.code),
            );
            continue;
        }
        let path = match (&unit.parent_code, unit.level) {
            (None, Level::Province) => format!("/{}/", unit.code),
            (None, _) => {
                bad(
                    "parent_code",
                    "省以下的单位请填写上级代码".into(),
                    "is required for everything below a province".into(),
                );
                continue;
            }
            (Some(parent), level) => match known.get(parent) {
                None => {
                    bad(
                        "parent_code",
                        format!("上级代码 {parent} 既不在本文件中，也不在系统中"),
                        format!("{parent} is neither in the file nor in the database"),
                    );
                    continue;
                }
                Some((parent_level, _)) if *parent_level >= level => {
                    bad(
                        "level",
                        format!("{}不能隶属于{}", chinese(level), chinese(*parent_level)),
                        format!(
                            "a {} cannot sit under a {}",
                            level.as_str(),
                            parent_level.as_str()
                        ),
                    );
                    continue;
                }
                Some((parent_level, parent_path)) => {
                    let prefix = &parent[..prefix_len(*parent_level).min(parent.len())];
                    if !unit.code.starts_with(prefix) {
                        bad(
                            "code",
                            format!("代码 {} 应以上级的前缀 {prefix} 开头", unit.code),
                            format!(
                                "{} does not start with its parent's prefix {prefix}",
                                unit.code
                            ),
                        );
                        continue;
                    }
                    format!("{parent_path}{}/", unit.code)
                }
            },
        };
        known.insert(unit.code.clone(), (unit.level, path.clone()));
        planned.push((unit, path));
    }
    if errors.is_empty() {
        Ok(planned)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// A line of a roster file, by its columns' English names.
#[derive(Debug, Deserialize)]
struct RosterRow {
    village_code: String,
    #[serde(default)]
    committee: String,
    name: String,
    post: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    years_served: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    education: String,
    #[serde(default)]
    political: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    cross_posted: String,
}

/// The columns of a 花名册, under the headers counties write.
const ROSTER_COLUMNS: &[Column] = &[
    Column::required(
        "village_code",
        &["村代码", "区划代码", "村（社区）代码", "单位代码"],
    ),
    Column::optional("committee", &["组织", "委员会", "所在组织"]),
    Column::required("name", &["姓名"]),
    Column::required("post", &["职务", "现任职务", "任职情况"]),
    Column::optional("status", &["状态", "任职状态"]),
    Column::optional("years_served", &["任职年限"]),
    Column::optional("phone", &["电话", "手机", "联系电话", "手机号码"]),
    Column::optional("gender", &["性别"]),
    Column::optional("birth", &["出生年月", "出生日期"]),
    Column::optional("ethnicity", &["民族"]),
    Column::optional("education", &["学历", "文化程度"]),
    Column::optional("political", &["政治面貌"]),
    Column::optional("origin", &["来源", "人员来源"]),
    Column::optional("id_number", &["身份证号", "身份证号码", "公民身份号码"]),
    Column::optional("cross_posted", &["交叉任职"]),
];

/// Imports committee rosters for `term` (`2026`), all or nothing: who holds
/// which post on each village's Party branch (党组织) and villagers' committee
/// (村委会), and who left at this election (离任, 落选, 调任). The file is a
/// 花名册: `village_code,name,post` (村代码,姓名,职务) and any of
/// [`ROSTER_COLUMNS`]' others; posts are read as counties write them
/// ([`crate::roster::posts`]) and status defaults to serving. The structure
/// statistics are counted in the same transaction.
/// Every person gets an account with an activation code (or, re-elected,
/// the new role on their account). Returns what was added.
pub async fn roster(
    db: &Db,
    csv: &[u8],
    term: &str,
    elected_on: &str,
) -> Result<Imported, ImportError> {
    roster_as(db, None, csv, term, elected_on).await
}

/// [`roster`], uploaded by `actor` (`None`: the server's operator): every
/// village must lie where the actor manages township officers, that is
/// within a county trainer's county or an administrator's province.
pub async fn roster_as(
    db: &Db,
    actor: Option<&crate::auth::Principal>,
    csv: &[u8],
    term: &str,
    elected_on: &str,
) -> Result<Imported, ImportError> {
    let mut problems = Vec::new();
    if term.len() != 4 || !term.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(RowError::new(
            0,
            Some("term"),
            format!("届次“{term}”应为换届年份，如 2026"),
            format!("`{term}` must be the election year, e.g. 2026"),
        ));
    }
    let text = decode(csv);
    let rows = rows::<RosterRow>(&text, ROSTER_COLUMNS).map_err(|e| ImportError::Rows(vec![e]))?;
    let mut seats = Vec::new();
    for (line, record) in rows {
        match record {
            Ok(row) => match self::seats(row) {
                Ok(found) => seats.extend(found.into_iter().map(|seat| (line, seat))),
                Err(errors) => problems.extend(
                    errors
                        .into_iter()
                        .map(|(column, zh, en)| RowError::new(line, Some(column), zh, en)),
                ),
            },
            Err(e) => problems.push(RowError::unreadable(line, &e)),
        }
    }
    if seats.is_empty() && problems.is_empty() {
        problems.push(crate::sheet::empty_file());
    }
    // Against each other and the database.
    let villages: Vec<String> = seats.iter().map(|(_, s)| s.village.clone()).collect();
    let known = org_units::paths(db, &villages).await?;
    let imported: std::collections::HashSet<String> =
        crate::db::people::villages_with_roster(db, term, &villages)
            .await?
            .into_iter()
            .collect();
    let mut seen = std::collections::HashSet::new();
    let mut secretaries = HashMap::new();
    for (line, s) in &seats {
        let mut bad = |column, zh: String, en: String| {
            problems.push(RowError::new(*line, Some(column), zh, en))
        };
        match known.get(&s.village) {
            None => bad(
                "village_code",
                format!("村代码 {} 不在系统的行政区划中", s.village),
                format!("{} is not in the org tree", s.village),
            ),
            Some((level, _)) if *level != Level::Village => bad(
                "village_code",
                format!("代码 {} 是{}，不是村（社区）", s.village, chinese(*level)),
                format!("{} is a {}, not a village", s.village, level.as_str()),
            ),
            Some((_, path)) if actor.is_some_and(|a| !may_upload(a, path)) => bad(
                "village_code",
                format!("村代码 {} 不在您的管理范围内", s.village),
                format!("{} is outside your scope", s.village),
            ),
            Some(_) if imported.contains(&s.village) => bad(
                "village_code",
                format!("{} 的 {term} 年班子名单已经导入过", s.village),
                format!("{}'s roster for {term} is already imported", s.village),
            ),
            Some(_) => {}
        }
        if !seen.insert((&s.village, s.committee, &s.name, &s.phone)) {
            bad(
                "name",
                format!("{} 在同一班子中出现了两次", s.name),
                format!("{} is listed twice on this committee", s.name),
            );
        }
        if s.departure.is_none()
            && s.committee == baton_sdk::Committee::PartyBranch
            && s.post == "书记"
            && let Some(first) = secretaries.insert(&s.village, *line)
        {
            bad(
                "post",
                format!("{} 已有在任书记（第 {first} 行）", s.village),
                format!("{} already has a serving 书记 (line {first})", s.village),
            );
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(problems));
    }
    let seats: Vec<_> = seats.into_iter().map(|(_, s)| s).collect();
    let linkable = match actor {
        None => None,
        Some(actor) => Some(linkable(db, actor, &seats).await?),
    };
    let now = crate::clock::now();
    let write = async {
        let mut tx = db.pool().begin().await?;
        let (people, seats, holders) =
            crate::roster::store(&mut tx, term, elected_on, &seats, linkable.as_ref()).await?;
        let accounts = crate::accounts::for_roster(&mut tx, &holders, now).await?;
        tx.commit().await?;
        anyhow::Ok(Imported {
            people,
            seats,
            accounts,
        })
    };
    Ok(write.await?)
}

/// What a roster import added.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    /// People added (a re-elected person is not added again).
    pub people: usize,
    /// Seats added.
    pub seats: usize,
    /// Accounts created, with their activation codes.
    pub accounts: Vec<crate::accounts::Issued>,
}

/// The people already on record whom `seats` name (same name and phone)
/// and whom `actor` may take onto its rosters: everything about them — each
/// village they sat in and each role their accounts hold — lies within the
/// actor's scope. Anyone else on a line is a namesake: a new person with an
/// account of their own, never a link to (or a code for) someone elsewhere.
async fn linkable(
    db: &Db,
    actor: &crate::auth::Principal,
    seats: &[crate::db::people::Seat],
) -> anyhow::Result<std::collections::HashSet<i64>> {
    let mut allowed = std::collections::HashSet::new();
    for seat in seats {
        let Some(phone) = &seat.phone else { continue };
        for (person, footprint) in crate::db::people::footprints(db, &seat.name, phone).await? {
            let inside = footprint.iter().all(|(role, path)| {
                let target = crate::auth::Target::unit(path);
                let capability = crate::auth::Capability::ManageAccount(*role);
                !path.is_empty() && crate::auth::authorize(actor, capability, target).is_some()
            });
            if inside {
                allowed.insert(person);
            }
        }
    }
    Ok(allowed)
}

fn may_upload(actor: &crate::auth::Principal, path: &str) -> bool {
    let target = crate::auth::Target::unit(path);
    let capability = crate::auth::Capability::ManageAccount(baton_sdk::Role::TownshipOfficer);
    crate::auth::authorize(actor, capability, target).is_some()
}

/// A roster line's problems: the column, and why in Chinese and English.
type Problems = Vec<(&'static str, String, String)>;

/// The seats a roster line gives its person: one per post it names (书记、
/// 主任 is two, 一肩挑), each with the person's particulars.
fn seats(row: RosterRow) -> Result<Vec<crate::db::people::Seat>, Problems> {
    use baton_sdk::Departure;
    let mut errors: Problems = Vec::new();
    let committee_text = crate::sheet::simplified(&row.committee);
    let committee = crate::roster::committee(committee_text);
    if committee.is_none() && !committee_text.is_empty() {
        errors.push((
            "committee",
            format!("组织“{committee_text}”应为党组织（党支部、党总支）或村（居）委会"),
            format!("`{committee_text}` must be party-branch or villagers (党组织/村委会)"),
        ));
    }
    let post_text = crate::sheet::simplified(&row.post).to_owned();
    let posts = if post_text.is_empty() {
        errors.push(("post", "请填写职务".into(), "is required".into()));
        Vec::new()
    } else {
        crate::roster::posts(&post_text, committee).unwrap_or_else(|(zh, en)| {
            errors.push(("post", zh, en));
            Vec::new()
        })
    };
    let status = crate::sheet::simplified(&row.status);
    let (departure, reelected) = match status {
        "" | "serving" | "在任" => Ok((None, None)),
        "新任" | "新当选" | "new" => Ok((None, Some(false))),
        "留任" | "连任" | "re-elected" => Ok((None, Some(true))),
        "retired" | "离任" | "退休" => Ok((Some(Departure::Retired), None)),
        "defeated" | "落选" => Ok((Some(Departure::Defeated), None)),
        "transferred" | "调任" | "调离" => Ok((Some(Departure::Transferred), None)),
        other => Err((
            format!("状态“{other}”应为在任、新任、连任、离任、落选或调任"),
            format!(
                "`{other}` must be serving, new, re-elected, retired, defeated or transferred (在任/新任/连任/离任/落选/调任)"
            ),
        )),
    }
    .unwrap_or_else(|(zh, en)| {
        errors.push(("status", zh, en));
        (None, None)
    });
    if row.name.is_empty() {
        errors.push(("name", "请填写姓名".into(), "is required".into()));
    }
    let years_served = if row.years_served.is_empty() {
        0
    } else {
        row.years_served.parse().unwrap_or_else(|_| {
            errors.push((
                "years_served",
                format!("任职年限“{}”应为整数（年）", row.years_served),
                format!("`{}` must be a whole number of years", row.years_served),
            ));
            0
        })
    };
    let particulars = crate::roster::particulars(
        &row.gender,
        &row.birth,
        &row.ethnicity,
        &row.education,
        &row.political,
        &row.origin,
        &row.id_number,
    )
    .unwrap_or_else(|problems| {
        errors.extend(problems);
        Default::default()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let cross_posted = matches!(
        crate::sheet::simplified(&row.cross_posted),
        "是" | "交叉任职" | "yes" | "Y" | "y" | "√"
    );
    Ok(posts
        .into_iter()
        .map(|post| crate::db::people::Seat {
            village: row.village_code.clone(),
            committee: post.committee(),
            name: row.name.clone(),
            phone: (!row.phone.is_empty()).then(|| row.phone.clone()),
            post: post.as_str().to_owned(),
            post_text: post_text.clone(),
            departure,
            years_served,
            // Said, or else a seat held before this election is a re-election.
            reelected: departure.is_none() && reelected.unwrap_or(years_served > 0),
            cross_posted,
            particulars: particulars.clone(),
        })
        .collect())
}
