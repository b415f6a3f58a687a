//! `roster_stats`: the figures of the 换届结构统计 for a term, per unit — a
//! village's own, and every unit's the sum of the villages under it, kept
//! by the transaction that imports a roster. A unit's table is one read of
//! its children's rows, however large the unit.

use std::collections::HashMap;

use sqlx::Row;

use super::Db;
use super::accounts::Tx;

/// The counts of one unit (or one village) for one term.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Villages (communities) with a roster.
    pub villages: i64,
    /// Of those, the villages whose secretary also chairs the villagers'
    /// committee (一肩挑).
    pub one_shoulder: i64,
    /// Serving members of the two committees, each person once.
    pub members: i64,
    /// Women.
    pub women: i64,
    /// Under 35 on the day of the election.
    pub under_35: i64,
    /// 大专 or above.
    pub college: i64,
    /// On both committees (交叉任职).
    pub cross_posted: i64,
    /// Re-elected (连任).
    pub reelected: i64,
    /// Party members.
    pub party: i64,
    /// 返乡人员.
    pub returnees: i64,
    /// 大学毕业生.
    pub graduates: i64,
    /// 致富能手.
    pub entrepreneurs: i64,
    /// 退役军人.
    pub veterans: i64,
    /// Members whose age is known.
    pub aged: i64,
    /// Their ages added up (the average is `age_sum / aged`).
    pub age_sum: i64,
}

/// The columns, in order, as named in the table.
const COLUMNS: [&str; 15] = [
    "villages",
    "one_shoulder",
    "members",
    "women",
    "under_35",
    "college",
    "cross_posted",
    "reelected",
    "party",
    "returnees",
    "graduates",
    "entrepreneurs",
    "veterans",
    "aged",
    "age_sum",
];

impl Stats {
    fn values(&self) -> [i64; 15] {
        [
            self.villages,
            self.one_shoulder,
            self.members,
            self.women,
            self.under_35,
            self.college,
            self.cross_posted,
            self.reelected,
            self.party,
            self.returnees,
            self.graduates,
            self.entrepreneurs,
            self.veterans,
            self.aged,
            self.age_sum,
        ]
    }

    fn from_values(v: [i64; 15]) -> Self {
        let [
            villages,
            one_shoulder,
            members,
            women,
            under_35,
            college,
            cross_posted,
            reelected,
            party,
            returnees,
            graduates,
            entrepreneurs,
            veterans,
            aged,
            age_sum,
        ] = v;
        Self {
            villages,
            one_shoulder,
            members,
            women,
            under_35,
            college,
            cross_posted,
            reelected,
            party,
            returnees,
            graduates,
            entrepreneurs,
            veterans,
            aged,
            age_sum,
        }
    }

    /// `other` added to these counts.
    pub fn add(&mut self, other: &Stats) {
        let (a, b) = (self.values(), other.values());
        *self = Self::from_values(std::array::from_fn(|i| a[i] + b[i]));
    }

    fn read(row: &sqlx::any::AnyRow) -> anyhow::Result<Self> {
        let mut v = [0; 15];
        for (slot, column) in v.iter_mut().zip(COLUMNS) {
            *slot = row.try_get::<Option<i64>, _>(column)?.unwrap_or(0);
        }
        Ok(Self::from_values(v))
    }
}

/// Adds `counts` (per unit code) to `term`'s rows inside `tx`.
pub async fn add(tx: &mut Tx, term: &str, counts: &HashMap<String, Stats>) -> anyhow::Result<()> {
    let placeholders: Vec<String> = (3..COLUMNS.len() + 3).map(|i| format!("${i}")).collect();
    let sums: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = roster_stats.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO roster_stats (unit_code, term_id, {}) VALUES ($1, $2, {})
         ON CONFLICT (unit_code, term_id) DO UPDATE SET {}",
        COLUMNS.join(", "),
        placeholders.join(", "),
        sums.join(", ")
    );
    let mut codes: Vec<&String> = counts.keys().collect();
    codes.sort();
    for code in codes {
        let mut query = sqlx::query(&sql).bind(code).bind(term);
        for value in counts[code].values() {
            query = query.bind(value);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds each village's counts (by village code) to it and to every unit
/// above it, for `term`, inside `tx`.
pub async fn add_villages(
    tx: &mut Tx,
    term: &str,
    villages: HashMap<String, Stats>,
) -> anyhow::Result<()> {
    let mut rolled: HashMap<String, Stats> = HashMap::new();
    for (village, counts) in villages {
        let path: String = sqlx::query_scalar("SELECT path FROM org_units WHERE code = $1")
            .bind(&village)
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| anyhow::anyhow!("the path of {village}: {e}"))?;
        for unit in path.split('/').filter(|c| !c.is_empty()) {
            rolled.entry(unit.to_owned()).or_default().add(&counts);
        }
    }
    add(tx, term, &rolled).await
}

/// The latest term with a roster under `code` (the nation: `None`).
pub async fn latest_term(db: &Db, code: Option<&str>) -> anyhow::Result<Option<String>> {
    let term =
        match code {
            Some(code) => {
                sqlx::query_scalar("SELECT MAX(term_id) FROM roster_stats WHERE unit_code = $1")
                    .bind(code)
                    .fetch_one(db.pool())
                    .await?
            }
            None => sqlx::query_scalar(
                "SELECT MAX(s.term_id) FROM roster_stats s JOIN org_units o ON o.code = s.unit_code
                 WHERE o.parent_code IS NULL",
            )
            .fetch_one(db.pool())
            .await?,
        };
    Ok(term)
}

/// The counts of `code` for `term` (zero where none of its villages has a
/// roster).
pub async fn of(db: &Db, code: &str, term: &str) -> anyhow::Result<Stats> {
    let sql = format!(
        "SELECT {} FROM roster_stats WHERE unit_code = $1 AND term_id = $2",
        COLUMNS.join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(code)
        .bind(term)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map_or(Ok(Stats::default()), Stats::read)
}

/// The children of `parent` (the nation: `None`, its provinces), each with
/// its counts for `term` (zero where none of its villages has a roster),
/// by code.
pub async fn children(
    db: &Db,
    parent: Option<&str>,
    term: &str,
) -> anyhow::Result<Vec<(String, String, Stats)>> {
    let sums: Vec<String> = COLUMNS.iter().map(|c| format!("s.{c}")).collect();
    let filter = match parent {
        Some(_) => "o.parent_code = $2",
        None => "o.parent_code IS NULL",
    };
    let sql = format!(
        "SELECT o.code, o.name, {} FROM org_units o
         LEFT JOIN roster_stats s ON s.unit_code = o.code AND s.term_id = $1
         WHERE {filter} ORDER BY o.code",
        sums.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(term);
    if let Some(parent) = parent {
        query = query.bind(parent);
    }
    let mut out = Vec::new();
    for row in query.fetch_all(db.pool()).await? {
        out.push((
            row.try_get("code")?,
            row.try_get("name")?,
            Stats::read(&row)?,
        ));
    }
    Ok(out)
}

/// Recounts every term's rows from the seats stored, for a database written
/// without the import (the benchmark's national dataset): what seats hold is
/// counted; people without particulars count in no particular's column.
/// The same statement as the migration that made the table.
pub async fn rebuild(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.writer().begin().await?;
    sqlx::query("DELETE FROM roster_stats")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO roster_stats (unit_code, term_id, villages, one_shoulder, members, cross_posted, reelected)
         WITH RECURSIVE up (unit, code) AS (
             SELECT DISTINCT unit_code, unit_code FROM committees
             UNION ALL
             SELECT up.unit, o.parent_code FROM up JOIN org_units o ON o.code = up.code
             WHERE o.parent_code IS NOT NULL
         ),
         person AS (
             SELECT c.unit_code, c.term_id, m.person_id, COUNT(DISTINCT c.kind) AS kinds,
                    MAX(m.reelected) AS reelected, MAX(m.one_shoulder) AS one_shoulder
             FROM committees c JOIN committee_members m ON m.committee_id = c.id
             WHERE m.departure IS NULL
             GROUP BY c.unit_code, c.term_id, m.person_id
         ),
         village AS (
             SELECT unit_code, term_id, COUNT(*) AS members,
                    SUM(CASE WHEN kinds > 1 THEN 1 ELSE 0 END) AS cross_posted,
                    SUM(reelected) AS reelected, MAX(one_shoulder) AS one_shoulder
             FROM person GROUP BY unit_code, term_id
         )
         SELECT up.code, v.term_id, COUNT(*), SUM(v.one_shoulder), SUM(v.members),
                SUM(v.cross_posted), SUM(v.reelected)
         FROM village v JOIN up ON up.unit = v.unit_code
         GROUP BY up.code, v.term_id",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
