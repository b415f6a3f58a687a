//! Importing the data a county hands over as spreadsheets: the org tree now,
//! committee rosters next. Every row is checked before anything is written;
//! one bad row imports nothing and is reported by its line in the file.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::db::Db;
use crate::db::org_units::{self, Level, OrgUnit};

/// What is wrong with one line of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The line in the file, counting the header as line 1.
    pub line: usize,
    /// The column at fault, when there is one.
    pub column: Option<&'static str>,
    /// Why, in English (the column names are the file's).
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

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

/// A line of an org-tree file. Headers may be English or Chinese.
#[derive(Debug, Deserialize)]
struct OrgRow {
    #[serde(alias = "代碼", alias = "區劃代碼")]
    code: String,
    #[serde(alias = "層級", alias = "級別")]
    level: String,
    #[serde(alias = "名稱")]
    name: String,
    #[serde(alias = "上級代碼", default)]
    parent_code: String,
}

/// Decodes a spreadsheet export: UTF-8 (with or without a BOM), or GB18030,
/// which is what Excel on a Chinese Windows writes.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Imports an org tree from CSV (`code,level,name,parent_code`, or
/// `代碼,層級,名稱,上級代碼`), all or nothing. Returns the number of units added.
pub async fn org_units(db: &Db, csv: &[u8]) -> Result<usize, ImportError> {
    let rows = parse_org_rows(&decode(csv))?;
    let units: Vec<(usize, OrgUnit)> = rows.into_iter().collect();
    let wanted: Vec<String> = units
        .iter()
        .flat_map(|(_, u)| [Some(u.code.clone()), u.parent_code.clone()])
        .flatten()
        .collect();
    let existing = org_units::paths(db, &wanted).await?;
    let planned = plan(units, &existing).map_err(ImportError::Rows)?;
    org_units::insert_all(db, &planned).await?;
    Ok(planned.len())
}

fn parse_org_rows(text: &str) -> Result<Vec<(usize, OrgUnit)>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut units = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.deserialize::<OrgRow>().enumerate() {
        let line = i + 2;
        let row = match record {
            Ok(row) => row,
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let mut bad = |column, message: String| {
            errors.push(RowError {
                line,
                column: Some(column),
                message,
            })
        };
        if row.code.len() != 12 || !row.code.bytes().all(|b| b.is_ascii_digit()) {
            bad(
                "code",
                format!("`{}` must be a 12-digit GB/T 2260 code", row.code),
            );
        }
        let level = parse_level(&row.level);
        if level.is_none() {
            bad(
                "level",
                format!(
                    "`{}` must be province, city, county, township or village (省/市/縣/鄉/村)",
                    row.level
                ),
            );
        }
        if row.name.is_empty() {
            bad("name", "is required".into());
        }
        if let Some(level) = level {
            let zeros = &row.code.get(prefix_len(level)..).unwrap_or("");
            if row.code.len() == 12 && zeros.bytes().any(|b| b != b'0') {
                bad(
                    "code",
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
        errors.push(RowError {
            line: 1,
            column: None,
            message: "the file has no rows".into(),
        });
    }
    if errors.is_empty() {
        Ok(units)
    } else {
        Err(ImportError::Rows(errors))
    }
}

fn parse_level(s: &str) -> Option<Level> {
    Some(match s {
        "province" | "省" => Level::Province,
        "city" | "市" => Level::City,
        "county" | "縣" | "區" | "旗" => Level::County,
        "township" | "鄉" | "鎮" | "鄉鎮" | "街道" => Level::Township,
        "village" | "村" | "社區" => Level::Village,
        _ => return None,
    })
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
        let mut bad = |column, message: String| {
            errors.push(RowError {
                line,
                column: Some(column),
                message,
            })
        };
        if known.contains_key(&unit.code) {
            bad("code", format!("{} already exists", unit.code));
            continue;
        }
        let path = match (&unit.parent_code, unit.level) {
            (None, Level::Province) => format!("/{}/", unit.code),
            (None, _) => {
                bad(
                    "parent_code",
                    "is required for everything below a province".into(),
                );
                continue;
            }
            (Some(parent), level) => match known.get(parent) {
                None => {
                    bad(
                        "parent_code",
                        format!("{parent} is neither in the file nor in the database"),
                    );
                    continue;
                }
                Some((parent_level, _)) if *parent_level >= level => {
                    let message = format!(
                        "a {} cannot sit under a {}",
                        level.as_str(),
                        parent_level.as_str()
                    );
                    bad("level", message);
                    continue;
                }
                Some((parent_level, parent_path)) => {
                    let prefix = &parent[..prefix_len(*parent_level).min(parent.len())];
                    if !unit.code.starts_with(prefix) {
                        bad(
                            "code",
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

/// A line of a roster file. Headers may be English or Chinese.
#[derive(Debug, Deserialize)]
struct RosterRow {
    #[serde(alias = "村代碼", alias = "區劃代碼")]
    village_code: String,
    #[serde(alias = "組織", alias = "委員會")]
    committee: String,
    #[serde(alias = "姓名")]
    name: String,
    #[serde(alias = "職務")]
    post: String,
    #[serde(alias = "狀態", default)]
    status: String,
    #[serde(alias = "任職年限", default)]
    years_served: String,
    #[serde(alias = "電話", alias = "手機", default)]
    phone: String,
}

/// Imports committee rosters for `term` (`2026`), all or nothing: who holds
/// which post on each village's Party branch (黨組織) and villagers' committee
/// (村委會), and who left at this election (離任, 落選, 調任). Columns:
/// `village_code,committee,name,post,status,years_served,phone` or
/// `村代碼,組織,姓名,職務,狀態,任職年限,電話`; status defaults to serving.
/// Returns (people, seats) added.
pub async fn roster(
    db: &Db,
    csv: &[u8],
    term: &str,
    elected_on: &str,
) -> Result<(usize, usize), ImportError> {
    let mut problems = Vec::new();
    if term.len() != 4 || !term.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(RowError {
            line: 0,
            column: Some("term"),
            message: format!("`{term}` must be the election year, e.g. 2026"),
        });
    }
    let text = decode(csv);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .into_deserialize::<RosterRow>();
    let mut seats = Vec::new();
    for (i, record) in reader.by_ref().enumerate() {
        let line = i + 2;
        match record {
            Ok(row) => match seat(row) {
                Ok(seat) => seats.push((line, seat)),
                Err(errors) => {
                    problems.extend(errors.into_iter().map(|(column, message)| RowError {
                        line,
                        column: Some(column),
                        message,
                    }))
                }
            },
            Err(e) => problems.push(RowError {
                line,
                column: None,
                message: e.to_string(),
            }),
        }
    }
    if seats.is_empty() && problems.is_empty() {
        problems.push(RowError {
            line: 1,
            column: None,
            message: "the file has no rows".into(),
        });
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
        let mut bad = |column, message: String| {
            problems.push(RowError {
                line: *line,
                column: Some(column),
                message,
            })
        };
        match known.get(&s.village) {
            None => bad(
                "village_code",
                format!("{} is not in the org tree", s.village),
            ),
            Some((level, _)) if *level != Level::Village => bad(
                "village_code",
                format!("{} is a {}, not a village", s.village, level.as_str()),
            ),
            Some(_) if imported.contains(&s.village) => bad(
                "village_code",
                format!("{}'s roster for {term} is already imported", s.village),
            ),
            Some(_) => {}
        }
        if !seen.insert((&s.village, s.committee, &s.name, &s.phone)) {
            bad(
                "name",
                format!("{} is listed twice on this committee", s.name),
            );
        }
        if s.departure.is_none()
            && s.committee == baton_sdk::Committee::PartyBranch
            && s.post == "書記"
            && let Some(first) = secretaries.insert(&s.village, *line)
        {
            bad(
                "post",
                format!("{} already has a serving 書記 (line {first})", s.village),
            );
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(problems));
    }
    let seats: Vec<_> = seats.into_iter().map(|(_, s)| s).collect();
    Ok(crate::db::people::insert_roster(db, term, elected_on, &seats).await?)
}

fn seat(row: RosterRow) -> Result<crate::db::people::Seat, Vec<(&'static str, String)>> {
    use baton_sdk::{Committee, Departure};
    let mut errors = Vec::new();
    let committee = match row.committee.as_str() {
        "party-branch" | "黨組織" | "黨支部" | "黨委" | "支委會" => {
            Some(Committee::PartyBranch)
        }
        "villagers" | "村委會" | "居委會" | "村民委員會" => Some(Committee::Villagers),
        other => {
            errors.push((
                "committee",
                format!("`{other}` must be party-branch or villagers (黨組織/村委會)"),
            ));
            None
        }
    };
    let departure = match row.status.as_str() {
        "" | "serving" | "新任" | "留任" | "在任" => Ok(None),
        "retired" | "離任" => Ok(Some(Departure::Retired)),
        "defeated" | "落選" => Ok(Some(Departure::Defeated)),
        "transferred" | "調任" => Ok(Some(Departure::Transferred)),
        other => Err(format!(
            "`{other}` must be serving, retired, defeated or transferred (在任/離任/落選/調任)"
        )),
    }
    .unwrap_or_else(|e| {
        errors.push(("status", e));
        None
    });
    if row.name.is_empty() {
        errors.push(("name", "is required".into()));
    }
    if row.post.is_empty() {
        errors.push(("post", "is required".into()));
    }
    let years_served = if row.years_served.is_empty() {
        0
    } else {
        row.years_served.parse().unwrap_or_else(|_| {
            errors.push((
                "years_served",
                format!("`{}` must be a whole number of years", row.years_served),
            ));
            0
        })
    };
    match committee {
        Some(committee) if errors.is_empty() => Ok(crate::db::people::Seat {
            village: row.village_code,
            committee,
            name: row.name,
            phone: (!row.phone.is_empty()).then_some(row.phone),
            post: row.post,
            departure,
            years_served,
        }),
        _ => Err(errors),
    }
}
