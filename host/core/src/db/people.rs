//! `terms`, `people`, `committees` and `committee_members`: who sits on a
//! village's two committees after an election, and who left.

use std::collections::HashMap;

use anyhow::Context as _;
use baton_sdk::{Committee, Departure, Member, Outgoing, Role, Village};
use sqlx::Row;

use super::Db;
use super::accounts::Tx;

/// A seat on a roster, as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// The village.
    pub village: String,
    /// Which committee.
    pub committee: Committee,
    /// The person's name.
    pub name: String,
    /// Their phone, if given; with the name it tells two people apart.
    pub phone: Option<String>,
    /// The post as the platform counts it: 书记, 副书记, 委员, 主任, 副主任.
    pub post: String,
    /// The post as the roster wrote it (党支部书记、书记兼主任…).
    pub post_text: String,
    /// `None` while serving; why they left otherwise.
    pub departure: Option<Departure>,
    /// Years on the committee.
    pub years_served: u32,
    /// Serving again after this election (连任).
    pub reelected: bool,
    /// The roster says the person holds posts on both committees.
    pub cross_posted: bool,
    /// Who they are, as the 花名册 says.
    pub particulars: Particulars,
}

/// 男 or 女.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Gender {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// A person's particulars as a 花名册 gives them; every one may be blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Particulars {
    /// 性别 (from the ID number when the column is blank).
    pub gender: Option<Gender>,
    /// 出生年月 as `YYYY-MM` (from the ID number when blank).
    pub birth: Option<String>,
    /// 民族, as written.
    pub ethnicity: String,
    /// 学历, as written.
    pub education: String,
    /// 政治面貌, as written.
    pub political: String,
    /// 来源 (返乡、大学毕业生、致富能手、退役军人…), as written.
    pub origin: String,
    /// 身份证号: checked, stored, never shown whole, exported or logged.
    pub id_number: Option<String>,
}

/// Villages (of `villages`) that already have committees for `term`.
pub async fn villages_with_roster(
    db: &Db,
    term: &str,
    villages: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in villages.chunks(500) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT unit_code FROM committees WHERE term_id = $1 AND unit_code IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar(&sql).bind(term);
        for code in chunk {
            query = query.bind(code);
        }
        found.extend(query.fetch_all(db.pool()).await?);
    }
    Ok(found)
}

/// A person a roster placed in a village, and the role that gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The person.
    pub person_id: i64,
    /// Their name.
    pub name: String,
    /// Their phone, if the roster has it.
    pub phone: Option<String>,
    /// The village.
    pub village: String,
    /// Secretary (the serving 书记), member (any other serving seat) or
    /// outgoing cadre (left at this election).
    pub role: Role,
}

/// Stores checked seats for `term` inside `tx`: one person per (village,
/// name, phone), and a person already on an earlier roster with the same
/// name and phone is the same person again (re-elected, they keep their
/// account); one committee per village and kind. The secretary who also
/// chairs the villagers' committee is marked 一肩挑 on both seats. Returns
/// (people, seats) added and each village's people with their role.
pub async fn insert_roster(
    tx: &mut Tx,
    term: &str,
    elected_on: &str,
    seats: &[Seat],
    linkable: Option<&std::collections::HashSet<i64>>,
) -> anyhow::Result<(usize, usize, Vec<Holder>)> {
    let one_shoulder = one_shoulder(seats);
    sqlx::query(
        "INSERT INTO terms (id, name, elected_on) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(term)
    .bind(format!("{term}年换届"))
    .bind(elected_on)
    .execute(&mut **tx)
    .await?;
    let mut committees: HashMap<(&str, Committee), i64> = HashMap::new();
    let mut people: HashMap<(&str, &str, Option<&str>), usize> = HashMap::new();
    let mut holders: Vec<Holder> = Vec::new();
    let mut added = 0;
    for seat in seats {
        let committee = match committees.get(&(seat.village.as_str(), seat.committee)) {
            Some(id) => *id,
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO committees (term_id, unit_code, kind) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(term)
                .bind(&seat.village)
                .bind(seat.committee.as_str())
                .fetch_one(&mut **tx)
                .await
                .with_context(|| format!("committee of {}", seat.village))?;
                committees.insert((&seat.village, seat.committee), id);
                id
            }
        };
        let key = (
            seat.village.as_str(),
            seat.name.as_str(),
            seat.phone.as_deref(),
        );
        let role = seat_role(seat);
        let holder = match people.get(&key) {
            Some(i) => &mut holders[*i],
            None => {
                let known: Option<i64> = match &seat.phone {
                    Some(phone) => {
                        sqlx::query_scalar(
                            "SELECT MAX(id) FROM people WHERE phone = $1 AND name = $2",
                        )
                        .bind(phone)
                        .bind(&seat.name)
                        .fetch_one(&mut **tx)
                        .await?
                    }
                    None => None,
                };
                let known = known.filter(|id| linkable.is_none_or(|l| l.contains(id)));
                let id: i64 = match known {
                    Some(id) => id,
                    None => {
                        added += 1;
                        sqlx::query_scalar(
                            "INSERT INTO people (name, phone) VALUES ($1, $2) RETURNING id",
                        )
                        .bind(&seat.name)
                        .bind(&seat.phone)
                        .fetch_one(&mut **tx)
                        .await?
                    }
                };
                // What this roster says of them; a blank keeps what an
                // earlier roster said.
                let p = &seat.particulars;
                let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                sqlx::query(
                    "UPDATE people SET gender = COALESCE($2, gender), birth = COALESCE($3, birth),
                       ethnicity = COALESCE($4, ethnicity), education = COALESCE($5, education),
                       political = COALESCE($6, political), origin = COALESCE($7, origin),
                       id_number = COALESCE($8, id_number)
                     WHERE id = $1",
                )
                .bind(id)
                .bind(p.gender.map(Gender::as_str))
                .bind(p.birth.clone())
                .bind(text(&p.ethnicity))
                .bind(text(&p.education))
                .bind(text(&p.political))
                .bind(text(&p.origin))
                .bind(p.id_number.clone())
                .execute(&mut **tx)
                .await?;
                people.insert(key, holders.len());
                holders.push(Holder {
                    person_id: id,
                    name: seat.name.clone(),
                    phone: seat.phone.clone(),
                    village: seat.village.clone(),
                    role,
                });
                holders.last_mut().context("just pushed")?
            }
        };
        // A secretary's other seats do not make them a mere member.
        if role_order(role) < role_order(holder.role) {
            holder.role = role;
        }
        sqlx::query(
            "INSERT INTO committee_members (committee_id, person_id, post, one_shoulder, departure, years_served, post_text, reelected)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(committee)
        .bind(holder.person_id)
        .bind(&seat.post)
        .bind(i64::from(one_shoulder.contains(&key)))
        .bind(seat.departure.map(Departure::as_str))
        .bind(i64::from(seat.years_served))
        .bind(&seat.post_text)
        .bind(i64::from(seat.reelected))
        .execute(&mut **tx)
        .await
        .with_context(|| format!("seat of {} in {}", seat.name, seat.village))?;
    }
    Ok((added, seats.len(), holders))
}

/// Everyone on record named `name` with `phone`, each with where they
/// reach: the role and unit path of every seat they held (as a member,
/// wherever they sat) and of every grant on their accounts (an empty path:
/// the nation).
pub async fn footprints(
    db: &Db,
    name: &str,
    phone: &str,
) -> anyhow::Result<Vec<(i64, Vec<(Role, String)>)>> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM people WHERE phone = $1 AND name = $2")
        .bind(phone)
        .bind(name)
        .fetch_all(db.pool())
        .await?;
    let mut found = Vec::new();
    for id in ids {
        let rows = sqlx::query(
            "SELECT 'member' AS role, o.path FROM committee_members m
               JOIN committees c ON c.id = m.committee_id JOIN org_units o ON o.code = c.unit_code
             WHERE m.person_id = $1
             UNION ALL
             SELECT g.role, COALESCE(o.path, '') AS path FROM accounts a
               JOIN role_grants g ON g.account_id = a.id LEFT JOIN org_units o ON o.code = g.unit_code
             WHERE a.person_id = $1",
        )
        .bind(id)
        .fetch_all(db.pool())
        .await?;
        let mut reach = Vec::new();
        for row in rows {
            let role: String = row.try_get("role")?;
            reach.push((role.parse::<Role>()?, row.try_get("path")?));
        }
        found.push((id, reach));
    }
    Ok(found)
}

/// The role a seat gives in its village.
fn seat_role(seat: &Seat) -> Role {
    match seat.departure {
        Some(_) => Role::OutgoingCadre,
        None if seat.committee == Committee::PartyBranch && seat.post == "书记" => {
            Role::Secretary
        }
        None => Role::Member,
    }
}

fn role_order(role: Role) -> u8 {
    match role {
        Role::Secretary => 0,
        Role::Member => 1,
        _ => 2,
    }
}

/// Serving people who are both Party secretary and villagers' committee chair.
fn one_shoulder(seats: &[Seat]) -> std::collections::HashSet<(&str, &str, Option<&str>)> {
    let holds = |committee: Committee, post: &str| {
        seats
            .iter()
            .filter(move |s| s.departure.is_none() && s.committee == committee && s.post == post)
            .map(|s| (s.village.as_str(), s.name.as_str(), s.phone.as_deref()))
            .collect::<std::collections::HashSet<_>>()
    };
    let secretaries = holds(Committee::PartyBranch, "书记");
    holds(Committee::Villagers, "主任")
        .intersection(&secretaries)
        .copied()
        .collect()
}

/// The village an enrollment belongs to, with its committees (the latest term's).
pub async fn village(
    db: &Db,
    code: &str,
    path: &str,
) -> anyhow::Result<(Village, Vec<Member>, Vec<Outgoing>)> {
    let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let placeholders: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT level, name FROM org_units WHERE code IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for c in &codes {
        query = query.bind(*c);
    }
    let mut names: HashMap<String, String> = HashMap::new();
    if !codes.is_empty() {
        for row in query.fetch_all(db.pool()).await? {
            names.insert(row.try_get("level")?, row.try_get("name")?);
        }
    }
    let mut name = |level: &str| names.remove(level).unwrap_or_default();
    let village = Village {
        code: code.to_owned(),
        name: name("village"),
        township: name("township"),
        county: name("county"),
        province: name("province"),
    };
    let rows = sqlx::query(
        "SELECT p.id, p.name, c.kind, m.post, m.one_shoulder, m.departure, m.years_served
         FROM committees c
         JOIN committee_members m ON m.committee_id = c.id
         JOIN people p ON p.id = m.person_id
         WHERE c.unit_code = $1
           AND c.term_id = (SELECT MAX(term_id) FROM committees WHERE unit_code = $1)
         ORDER BY c.kind, m.departure, p.id",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    let (mut members, mut outgoing) = (Vec::new(), Vec::new());
    for row in rows {
        let person_id = row.try_get::<i64, _>("id")?.to_string();
        let committee = row.try_get::<String, _>("kind")?.parse::<Committee>()?;
        let departure: Option<String> = row.try_get("departure")?;
        match departure {
            None => members.push(Member {
                person_id,
                name: row.try_get("name")?,
                committee,
                post: row.try_get("post")?,
                one_shoulder: row.try_get::<i64, _>("one_shoulder")? != 0,
            }),
            Some(d) => outgoing.push(Outgoing {
                person_id,
                name: row.try_get("name")?,
                committee,
                post: row.try_get("post")?,
                departure: serde_json::from_value(d.into()).context("stored departure")?,
                years_served: u32::try_from(row.try_get::<i64, _>("years_served")?)
                    .unwrap_or_default(),
            }),
        }
    }
    Ok((village, members, outgoing))
}
