//! `assignments`: a module version assigned to a scope, and the bulk
//! enrollment of its audience with their roll-ups, in one transaction.

use std::collections::HashMap;

use anyhow::Context as _;
use baton_sdk::Audience;
use serde::Serialize;
use sqlx::Row;

use super::Db;

/// A module version assigned to a scope.
#[derive(Debug, Clone)]
pub struct NewAssignment<'a> {
    /// Module id.
    pub plugin_id: &'a str,
    /// Module version, pinned for every enrollment it creates.
    pub plugin_version: &'a str,
    /// The scope: this unit and everything below it.
    pub unit_code: &'a str,
    /// Who gets an enrollment.
    pub audience: Audience,
    /// When it is due, Unix seconds.
    pub due_at: i64,
    /// The province's config, JSON.
    pub config: &'a str,
    /// The assigning account.
    pub created_by: i64,
    /// The edition (期次), from 1: one enrollment per person per edition.
    pub edition: i64,
    /// Only these villages, and how they were drawn (JSON, kept on the
    /// assignment); every village when `None`.
    pub sample: Option<(&'a str, &'a [String])>,
}

/// Whom an assignment reaches, counted before anything is enrolled.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Reach {
    /// Villages under the scope (drawn, for a sample).
    pub villages: u64,
    /// Members of the audience under the scope: people, or villages for a
    /// committee's module.
    pub audience: u64,
    /// Of those, already enrolled in this module's edition.
    pub already: u64,
    /// Villages with nobody of the audience on their roster (person
    /// audiences only).
    pub without_roster: u64,
}

impl Reach {
    /// How many enrolling would enroll.
    pub fn enrolls(&self) -> u64 {
        self.audience.saturating_sub(self.already)
    }
}

/// What assigning did.
#[derive(Debug, Clone, Serialize)]
pub struct Assigned {
    /// The assignment's id; `None` when nothing was stored (a dry run, or
    /// nobody to enroll).
    pub assignment_id: Option<i64>,
    /// Enrollments created.
    pub enrolled: u64,
    /// Whom it reached.
    pub reach: Reach,
}

/// Counts whom the assignment reaches and, unless `dry_run` or nobody is
/// left to enroll, stores it and enrolls, in one transaction: the
/// assignment, one enrollment per member of the audience under the scope who
/// has none in this module edition yet (one `INSERT … SELECT`), then the
/// roll-up rows for every unit above them. Otherwise nothing is stored.
pub async fn assign(
    db: &Db,
    a: &NewAssignment<'_>,
    now: i64,
    dry_run: bool,
) -> anyhow::Result<Assigned> {
    let mut tx = db.pool().begin().await?;
    let assignment_id: i64 = sqlx::query_scalar(
        "INSERT INTO assignments (plugin_id, plugin_version, unit_code, audience, due_at, config, created_by, created_at, sample, edition)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(a.plugin_id)
    .bind(a.plugin_version)
    .bind(a.unit_code)
    .bind(a.audience.as_str())
    .bind(a.due_at)
    .bind(a.config)
    .bind(a.created_by)
    .bind(now)
    .bind(a.sample.map(|(how, _)| how))
    .bind(a.edition)
    .fetch_one(&mut *tx)
    .await
    .context("storing the assignment")?;
    let mut sampled = "";
    if let Some((_, villages)) = a.sample {
        for chunk in villages.chunks(500) {
            let sql = format!(
                "INSERT INTO assignment_sample (assignment_id, unit_code) VALUES {}",
                super::values(chunk.len(), 2)
            );
            let mut query = sqlx::query(&sql);
            for code in chunk {
                query = query.bind(assignment_id).bind(code);
            }
            query
                .execute(&mut *tx)
                .await
                .context("recording the sample")?;
        }
        sampled = "AND u.code IN (SELECT s.unit_code FROM assignment_sample s WHERE s.assignment_id = $1)";
    }
    // Both statements bind the same parameters, and name each of them
    // (PostgreSQL refuses a parameter a statement does not use): $1 the
    // assignment, $2 the module, $3 its version, $4 now, $5 the scope, $6
    // the edition.
    // Villages under the scope; for people, their serving seats in each
    // village's own latest term (one county's roster for a later term must
    // not empty every other village's committee).
    let villages = format!(
        "FROM org_units u JOIN org_units top ON top.code = $5
         WHERE u.level = 'village' AND u.path >= top.path AND u.path < top.path || '~' {sampled}"
    );
    let only = if a.audience == Audience::Secretary {
        "AND c.kind = 'party-branch' AND m.post = '书记'"
    } else {
        ""
    };
    let seats = format!(
        "JOIN committees c ON c.unit_code = u.code
            AND c.term_id = (SELECT MAX(k.term_id) FROM committees k WHERE k.unit_code = u.code)
        JOIN committee_members m ON m.committee_id = c.id AND m.departure IS NULL {only}"
    );
    let (audience, already) = match a.audience {
        Audience::Committee => (
            format!("SELECT u.code AS unit_code, CAST(NULL AS BIGINT) AS person_id {villages}"),
            "EXISTS (SELECT 1 FROM enrollments e WHERE e.unit_code = x.unit_code
                     AND e.person_id IS NULL AND e.plugin_id = $2 AND e.edition = $6)",
        ),
        Audience::Secretary | Audience::EveryMember => (
            format!(
                "SELECT DISTINCT u.code AS unit_code, m.person_id AS person_id
                 FROM org_units u {seats}
                 JOIN org_units top ON top.code = $5
                 WHERE u.level = 'village' AND u.path >= top.path AND u.path < top.path || '~' {sampled}"
            ),
            "EXISTS (SELECT 1 FROM enrollments e
                     WHERE e.person_id = x.person_id AND e.plugin_id = $2 AND e.edition = $6)",
        ),
    };
    let count_sql = format!(
        "SELECT COUNT(*) AS audience, COALESCE(SUM(CASE WHEN {already} THEN 1 ELSE 0 END), 0) AS already,
           (SELECT COUNT(*) {villages}) AS villages,
           (SELECT COUNT(*) {villages} AND NOT EXISTS (SELECT 1 FROM org_units v {seats} WHERE v.code = u.code)) AS without_roster,
           CAST($1 AS BIGINT) AS assignment, CAST($3 AS TEXT) AS version, CAST($4 AS BIGINT) AS now
         FROM ({audience}) x"
    );
    let counted = bound(&count_sql, a, assignment_id, now)
        .fetch_one(&mut *tx)
        .await
        .context("counting the audience")?;
    let count = |c: &str| -> anyhow::Result<u64> {
        Ok(u64::try_from(counted.try_get::<i64, _>(c)?).unwrap_or(0))
    };
    let mut reach = Reach {
        villages: count("villages")?,
        audience: count("audience")?,
        already: count("already")?,
        without_roster: count("without_roster")?,
    };
    if a.audience == Audience::Committee {
        reach.without_roster = 0;
    }
    if dry_run || reach.enrolls() == 0 {
        tx.rollback().await?;
        return Ok(Assigned {
            assignment_id: None,
            enrolled: 0,
            reach,
        });
    }
    let insert_sql = format!(
        "INSERT INTO enrollments (assignment_id, unit_code, person_id, plugin_id, plugin_version, created_at, edition)
         SELECT $1, x.unit_code, x.person_id, $2, $3, $4, $6 FROM ({audience}) x
         WHERE NOT {already}
         ON CONFLICT DO NOTHING"
    );
    let enrolled = bound(&insert_sql, a, assignment_id, now)
        .execute(&mut *tx)
        .await
        .context("enrolling the audience")?
        .rows_affected();
    // Roll-up rows: each enrolled village's count, added to every unit on its path.
    let rows = sqlx::query(
        "SELECT u.path, COUNT(*) AS n FROM enrollments e JOIN org_units u ON u.code = e.unit_code
         WHERE e.assignment_id = $1 GROUP BY u.path",
    )
    .bind(assignment_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut counts: HashMap<String, i64> = HashMap::new();
    for row in rows {
        let path: String = row.try_get("path")?;
        let n: i64 = row.try_get("n")?;
        for code in path.split('/').filter(|c| !c.is_empty()) {
            *counts.entry(code.to_owned()).or_default() += n;
        }
    }
    let counts: Vec<(String, i64)> = counts.into_iter().collect();
    for chunk in counts.chunks(300) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, $1, ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO completion (unit_code, assignment_id, enrolled) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(assignment_id);
        for (code, n) in chunk {
            query = query.bind(code).bind(n);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Assigned {
        assignment_id: Some(assignment_id),
        enrolled,
        reach,
    })
}

/// `sql` with the parameters every statement of [`assign`] binds.
fn bound<'q>(
    sql: &'q str,
    a: &NewAssignment<'q>,
    assignment_id: i64,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(assignment_id)
        .bind(a.plugin_id)
        .bind(a.plugin_version)
        .bind(now)
        .bind(a.unit_code)
        .bind(a.edition)
}

/// The path of the unit an assignment was made for.
pub async fn unit_path(db: &Db, id: i64) -> anyhow::Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT u.path FROM assignments a JOIN org_units u ON u.code = a.unit_code WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The config of the latest assignment of `module` under `path` (a
/// province's last course, to edit into the next one), if any.
pub async fn last_config(db: &Db, path: &str, module: &str) -> anyhow::Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.config FROM assignments a JOIN org_units u ON u.code = a.unit_code
         WHERE a.plugin_id = $1 AND u.path >= $2 AND u.path < $3
         ORDER BY a.id DESC LIMIT 1",
    )
    .bind(module)
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_optional(db.pool())
    .await?)
}

/// The highest edition of `module` assigned to the unit at `path`, above it
/// or under it, if any.
pub async fn last_edition(db: &Db, path: &str, module: &str) -> anyhow::Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(a.edition) FROM assignments a JOIN org_units u ON u.code = a.unit_code
         WHERE a.plugin_id = $1 AND ((u.path >= $2 AND u.path < $3) OR $2 LIKE u.path || '%')",
    )
    .bind(module)
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_one(db.pool())
    .await?)
}
