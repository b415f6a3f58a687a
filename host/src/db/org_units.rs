//! The `org_units` table: the administrative hierarchy.

use anyhow::{Context as _, bail};
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
    /// 縣 (縣/區(qū)/旗).
    County,
    /// 鄉(xiāng)鎮(zhèn)/街道.
    Township,
    /// 村/社區(qū).
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

    fn parse(s: &str) -> anyhow::Result<Self> {
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

/// Adds `unit` below its parent, which must exist and sit one level up.
pub async fn insert(db: &Db, unit: &OrgUnit) -> anyhow::Result<()> {
    let path = match &unit.parent_code {
        None if unit.level == Level::Province => format!("/{}/", unit.code),
        None => bail!("{} {}: only a province has no parent", unit.code, unit.name),
        Some(parent) => {
            let row = sqlx::query("SELECT level, path FROM org_units WHERE code = $1")
                .bind(parent)
                .fetch_optional(db.pool())
                .await?
                .with_context(|| {
                    format!(
                        "{} {}: parent {parent} does not exist",
                        unit.code, unit.name
                    )
                })?;
            let parent_level = Level::parse(&row.try_get::<String, _>("level")?)?;
            if parent_level >= unit.level {
                bail!(
                    "{} {}: a {} cannot sit under a {}",
                    unit.code,
                    unit.name,
                    unit.level.as_str(),
                    parent_level.as_str()
                );
            }
            format!("{}{}/", row.try_get::<String, _>("path")?, unit.code)
        }
    };
    sqlx::query(
        "INSERT INTO org_units (code, level, name, parent_code, path) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&unit.code)
    .bind(unit.level.as_str())
    .bind(&unit.name)
    .bind(&unit.parent_code)
    .bind(path)
    .execute(db.pool())
    .await?;
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
