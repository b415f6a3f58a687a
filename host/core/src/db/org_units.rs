//! The `org_units` table: the administrative hierarchy.

use std::collections::HashMap;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::Db;

/// A level of the hierarchy, top down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 省.
    Province,
    /// 市.
    City,
    /// 县 (县/区/旗).
    County,
    /// 乡镇/街道.
    Township,
    /// 村/社区.
    Village,
}

impl Level {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    pub(crate) fn parse(s: &str) -> anyhow::Result<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned()))
            .with_context(|| format!("level `{s}`"))
    }
}

/// One unit of the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// GB/T 2260 code.
    pub code: String,
    /// Its level.
    pub level: Level,
    /// Its name.
    pub name: String,
    /// The unit above it; `None` for a province.
    pub parent_code: Option<String>,
}

/// The level and path of each of `codes` that is stored.
pub async fn paths(db: &Db, codes: &[String]) -> anyhow::Result<HashMap<String, (Level, String)>> {
    let mut found = HashMap::new();
    for chunk in codes.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT code, level, path FROM org_units WHERE code IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for code in chunk {
            query = query.bind(code);
        }
        for row in query.fetch_all(db.pool()).await? {
            let level = Level::parse(&row.try_get::<String, _>("level")?)?;
            found.insert(row.try_get("code")?, (level, row.try_get("path")?));
        }
    }
    Ok(found)
}

/// Stores units with their paths, parents first, in one transaction, 100
/// rows a statement: a national table of 650,000 units is 6,500 statements,
/// not 650,000. (Not more rows: SQLite finds each parameter by a walk over
/// the statement's parameters, so a statement's cost grows with the square
/// of its parameters; 1,000 rows a statement took 54 s, 100 take a tenth.)
pub async fn insert_all(db: &Db, units: &[(OrgUnit, String)]) -> anyhow::Result<()> {
    const ROWS: usize = 100;
    let mut tx = db.pool().begin().await?;
    for chunk in units.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO org_units (code, level, name, parent_code, path) VALUES {}",
            super::values(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for (unit, path) in chunk {
            query = query
                .bind(&unit.code)
                .bind(unit.level.as_str())
                .bind(&unit.name)
                .bind(&unit.parent_code)
                .bind(path);
        }
        let first = chunk.first().map(|(u, _)| u.code.as_str()).unwrap_or("");
        query
            .execute(&mut *tx)
            .await
            .with_context(|| format!("storing {} units from {first}", chunk.len()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// `code` and every unit below it, top down; empty if `code` does not exist.
pub async fn subtree(db: &Db, code: &str) -> anyhow::Result<Vec<OrgUnit>> {
    // A range on `path` rather than LIKE: both backends use the index for it.
    let rows = sqlx::query(
        "SELECT u.code, u.level, u.name, u.parent_code FROM org_units u
         JOIN org_units top ON top.code = $1
         WHERE u.path >= top.path AND u.path < top.path || '~'
         ORDER BY u.path",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    units(&rows)
}

/// The units `path` names (`/11/1101/…/`), top down, with their paths: a
/// page's breadcrumbs, in one statement rather than one per level.
pub async fn on_path(db: &Db, path: &str) -> anyhow::Result<Vec<(OrgUnit, String)>> {
    let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT code, level, name, parent_code, path FROM org_units WHERE code IN ({}) ORDER BY path",
        (1..=codes.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query(&sql);
    for code in &codes {
        query = query.bind(*code);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let paths = rows
        .iter()
        .map(|r| r.try_get("path"))
        .collect::<Result<Vec<String>, _>>()?;
    Ok(units(&rows)?.into_iter().zip(paths).collect())
}

/// The scopes an administrator assigns to, a few hundred at most: the
/// provinces, cities and counties at or under `path`; for the nation (`""`)
/// the provinces and cities (a national assignment is made province by
/// province; 2,790 counties are no list to pick from).
pub async fn scopes(db: &Db, path: &str) -> anyhow::Result<Vec<OrgUnit>> {
    let levels = if path.is_empty() {
        "('province', 'city')"
    } else {
        "('province', 'city', 'county')"
    };
    let rows = sqlx::query(&format!(
        "SELECT u.code, u.level, u.name, u.parent_code FROM org_units u
         WHERE u.level IN {levels} AND u.path >= $1 AND u.path < $2
         ORDER BY u.path"
    ))
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?;
    units(&rows)
}

/// The units directly under `code` (`None`: the provinces), by code.
pub async fn children(db: &Db, code: Option<&str>) -> anyhow::Result<Vec<OrgUnit>> {
    let select = "SELECT code, level, name, parent_code FROM org_units";
    let rows = match code {
        Some(code) => {
            sqlx::query(&format!("{select} WHERE parent_code = $1 ORDER BY code"))
                .bind(code)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query(&format!("{select} WHERE parent_code IS NULL ORDER BY code"))
                .fetch_all(db.pool())
                .await?
        }
    };
    units(&rows)
}

fn units(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<Vec<OrgUnit>> {
    rows.iter()
        .map(|row| {
            Ok(OrgUnit {
                code: row.try_get("code")?,
                level: Level::parse(&row.try_get::<String, _>("level")?)?,
                name: row.try_get("name")?,
                parent_code: row.try_get("parent_code")?,
            })
        })
        .collect()
}

/// One unit and its path.
pub async fn get(db: &Db, code: &str) -> anyhow::Result<Option<(OrgUnit, String)>> {
    let row =
        sqlx::query("SELECT code, level, name, parent_code, path FROM org_units WHERE code = $1")
            .bind(code)
            .fetch_optional(db.pool())
            .await?;
    row.map(|row| {
        Ok((
            OrgUnit {
                code: row.try_get("code")?,
                level: Level::parse(&row.try_get::<String, _>("level")?)?,
                name: row.try_get("name")?,
                parent_code: row.try_get("parent_code")?,
            },
            row.try_get("path")?,
        ))
    })
    .transpose()
}

/// The units at or under `path` called `name`, or the parent's name and
/// theirs run together (`甲县城关镇`, to tell two 城关镇 apart), each with
/// its parent's name, by path.
pub async fn named(db: &Db, path: &str, name: &str) -> anyhow::Result<Vec<(OrgUnit, String)>> {
    let rows = sqlx::query(
        "SELECT u.code, u.level, u.name, u.parent_code, COALESCE(p.name, '') AS parent_name
         FROM org_units u LEFT JOIN org_units p ON p.code = u.parent_code
         WHERE u.path >= $1 AND u.path < $2 AND (u.name = $3 OR p.name || u.name = $3)
         ORDER BY u.path LIMIT 20",
    )
    .bind(path)
    .bind(format!("{path}~"))
    .bind(name)
    .fetch_all(db.pool())
    .await?;
    let found = units(&rows)?;
    found
        .into_iter()
        .zip(&rows)
        .map(|(u, row)| Ok((u, row.try_get("parent_name")?)))
        .collect()
}
