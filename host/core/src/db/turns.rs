//! `turns`: whose turn it is in each enrollment (a module's `awaiting`),
//! replaced by every write of the enrollment.

use std::collections::HashMap;

use baton_sdk::{Awaiting, Recipient, Role, Text};
use serde::Serialize;
use sqlx::Row;

use super::Db;
use super::statements::{Arg, Cell, Failure, Kind, Tx};

/// One party an enrollment waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    /// The role awaited, when a role is.
    pub role: Option<Role>,
    /// The person awaited (as modules know them: a person id), when one is.
    pub person_id: Option<String>,
    /// What they must do.
    pub what: Text,
    /// The subject it is about, or empty.
    pub subject: String,
    /// Since when, Unix seconds.
    pub since: i64,
}

impl Turn {
    /// Whether it is the turn of someone who is `person_id` holding `role`.
    pub fn is_for(&self, person_id: &str, role: Role) -> bool {
        match (&self.person_id, self.role) {
            (Some(p), _) => p == person_id,
            (None, Some(r)) => r == role,
            (None, None) => false,
        }
    }
}

/// Replaces enrollment `id`'s turns with `awaiting`, inside the write that
/// changed its state. A party still awaited keeps its `since`. Most actions
/// leave the turns as they were (a declaration replaced, one item of five
/// received): then this is one read and no write; otherwise one delete and
/// one insert of every row, not a statement a turn.
pub(super) async fn replace<T: Tx>(
    conn: &mut T,
    id: i64,
    path: &str,
    awaiting: &[Awaiting],
    at: i64,
) -> Result<(), Failure> {
    // (role, person, subject, what as stored, since), in their order.
    type Row = (Option<String>, Option<String>, String, String, i64);
    let before: Vec<Row> = conn
        .fetch(
            "SELECT role, person_id, subject, what, since FROM turns WHERE enrollment_id = $1 ORDER BY seq",
            &[id.into()],
            &[Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Int],
        )
        .await?
        .into_iter()
        .map(|row| {
            let [role, person, subject, what, since] = <[Cell; 5]>::try_from(row)
                .unwrap_or_else(|_| std::array::from_fn(|_| Cell::Int(None)));
            let since = since.int().unwrap_or(0);
            (
                role.text(),
                person.text(),
                subject.text().unwrap_or_default(),
                what.text().unwrap_or_default(),
                since,
            )
        })
        .collect();
    let after: Vec<Row> = awaiting
        .iter()
        .map(|a| {
            let (role, person) = match &a.who {
                Recipient::Role(r) => (Some(r.as_str().to_owned()), None),
                Recipient::Person(p) => (None, Some(p.clone())),
            };
            let since = before
                .iter()
                .find(|b| b.0 == role && b.1 == person && b.2 == a.subject)
                .map_or(at, |b| b.4);
            let what = serde_json::to_string(&a.what).unwrap_or_default();
            (role, person, a.subject.clone(), what, since)
        })
        .collect();
    if after == before {
        return Ok(());
    }
    conn.execute("DELETE FROM turns WHERE enrollment_id = $1", &[id.into()])
        .await?;
    if after.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO turns (enrollment_id, seq, path, role, person_id, what, subject, since) VALUES {}",
        super::values(after.len(), 8)
    );
    let mut args: Vec<Arg<'_>> = Vec::with_capacity(after.len() * 8);
    for (seq, (role, person, subject, what, since)) in after.iter().enumerate() {
        args.extend([
            Arg::from(id),
            Arg::from(i64::try_from(seq).unwrap_or(i64::MAX)),
            Arg::from(path),
            Arg::from(role),
            Arg::from(person),
            Arg::from(what),
            Arg::from(subject),
            Arg::from(*since),
        ]);
    }
    conn.execute(&sql, &args).await?;
    Ok(())
}

fn turn(row: &sqlx::any::AnyRow) -> anyhow::Result<(i64, Turn)> {
    let role: Option<String> = row.try_get("role")?;
    let what: String = row.try_get("what")?;
    Ok((
        row.try_get("enrollment_id")?,
        Turn {
            role: role.map(|r| r.parse()).transpose()?,
            person_id: row.try_get("person_id")?,
            what: serde_json::from_str(&what)?,
            subject: row.try_get("subject")?,
            since: row.try_get("since")?,
        },
    ))
}

/// The turns of each of `ids`, in the order the module gave them.
pub async fn of(db: &Db, ids: &[i64]) -> anyhow::Result<HashMap<i64, Vec<Turn>>> {
    let mut found: HashMap<i64, Vec<Turn>> = HashMap::new();
    for chunk in ids.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT enrollment_id, role, person_id, what, subject, since FROM turns
             WHERE enrollment_id IN ({}) ORDER BY enrollment_id, seq",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for row in query.fetch_all(db.pool()).await? {
            let (id, t) = turn(&row)?;
            found.entry(id).or_default().push(t);
        }
    }
    Ok(found)
}

/// Enrollments under `path` whose module awaits a township officer, oldest
/// turn first: one entry per enrollment, with how many steps await them.
pub async fn waiting_for_township(
    db: &Db,
    path: &str,
) -> anyhow::Result<Vec<super::notices::Waiting>> {
    waiting_for_role(db, "township-officer", path, i64::MAX).await
}

/// What enrollments under `path` await of whoever holds `role` there (a
/// county's 县级备案 of a village's pledge, a city's review), oldest first,
/// one entry per enrollment with how many of its turns are the role's; at
/// most `limit` turns read.
pub async fn waiting_for_role(
    db: &Db,
    role: &str,
    path: &str,
    limit: i64,
) -> anyhow::Result<Vec<super::notices::Waiting>> {
    let rows = sqlx::query(
        "SELECT t.enrollment_id, t.what, t.since, e.unit_code, u.name, e.plugin_id, e.plugin_version
         FROM turns t JOIN enrollments e ON e.id = t.enrollment_id
         JOIN org_units u ON u.code = e.unit_code
         WHERE t.role = $3 AND t.path >= $1 AND t.path < $2
         ORDER BY t.since, t.enrollment_id, t.seq
         LIMIT $4",
    )
    .bind(path)
    .bind(format!("{path}~"))
    .bind(role)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<super::notices::Waiting> = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("enrollment_id")?;
        if let Some(w) = out.iter_mut().find(|w| w.enrollment_id == id) {
            w.count += 1;
            continue;
        }
        let what: String = r.try_get("what")?;
        out.push(super::notices::Waiting {
            enrollment_id: id,
            village_code: r.try_get("unit_code")?,
            village: r.try_get("name")?,
            module: r.try_get("plugin_id")?,
            version: r.try_get("plugin_version")?,
            count: 1,
            message: serde_json::from_str(&what)?,
            at: r.try_get("since")?,
            contact: None,
            mine: false,
        });
    }
    Ok(out)
}
