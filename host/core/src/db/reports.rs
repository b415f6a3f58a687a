//! Completion reports, read from the `completion` roll-ups (a unit and its
//! children: a few index lookups however large the unit) and, for one
//! village, from its enrollments.

use serde::Serialize;
use sqlx::Row;

use super::Db;

/// One unit's numbers for one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The unit.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Its level.
    pub level: String,
    /// The assignment.
    pub assignment_id: i64,
    /// The module assigned.
    pub module: String,
    /// Its version.
    pub version: String,
    /// Due date, Unix seconds.
    pub due_at: i64,
    /// Enrollments.
    pub enrolled: i64,
    /// Enrollments with at least one accepted action.
    pub started: i64,
    /// Enrollments at 100%.
    pub completed: i64,
    /// Not completed and past due.
    pub overdue: i64,
}

const LINE: &str = "SELECT u.code, u.name, u.level, a.id AS assignment_id, a.plugin_id,
    a.plugin_version, a.due_at, c.enrolled, c.started, c.completed
    FROM completion c JOIN org_units u ON u.code = c.unit_code
    JOIN assignments a ON a.id = c.assignment_id";

fn line(row: &sqlx::any::AnyRow, now: i64) -> anyhow::Result<Line> {
    let (enrolled, completed, due_at): (i64, i64, i64) = (
        row.try_get("enrolled")?,
        row.try_get("completed")?,
        row.try_get("due_at")?,
    );
    Ok(Line {
        unit_code: row.try_get("code")?,
        unit_name: row.try_get("name")?,
        level: row.try_get("level")?,
        assignment_id: row.try_get("assignment_id")?,
        module: row.try_get("plugin_id")?,
        version: row.try_get("plugin_version")?,
        due_at,
        enrolled,
        started: row.try_get("started")?,
        completed,
        overdue: if now > due_at {
            enrolled - completed
        } else {
            0
        },
    })
}

/// The unit's own lines, then its children's, by assignment then code: one
/// statement (the unit is not its own child, so each row is one or the other).
pub async fn unit(db: &Db, code: &str, now: i64) -> anyhow::Result<(Vec<Line>, Vec<Line>)> {
    let rows = sqlx::query(&format!(
        "{LINE} WHERE u.code = $1 OR u.parent_code = $1 ORDER BY a.id, u.code"
    ))
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    let (mut own, mut children) = (Vec::new(), Vec::new());
    for r in &rows {
        let l = line(r, now)?;
        if l.unit_code == code {
            own.push(l);
        } else {
            children.push(l);
        }
    }
    Ok((own, children))
}

/// The nation: every province's lines.
pub async fn nation(db: &Db, now: i64) -> anyhow::Result<Vec<Line>> {
    let rows = sqlx::query(&format!(
        // Provinces are the units without a parent: an index lookup, not a scan.
        "{LINE} WHERE u.parent_code IS NULL ORDER BY a.id, u.code"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| line(r, now)).collect()
}

/// One enrollment of a village, for the per-person table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Whose (`None`: the committee's).
    pub person_id: Option<i64>,
    /// Their name, or empty for the committee.
    pub name: String,
    /// The module.
    pub module: String,
    /// Its version.
    pub version: String,
    /// Steps done.
    pub done: i64,
    /// Steps in all (0 until first opened).
    pub total: i64,
    /// not-started, started, completed or overdue.
    pub status: &'static str,
}

/// Every enrollment in a village.
pub async fn village(db: &Db, code: &str, now: i64) -> anyhow::Result<Vec<Person>> {
    let rows = sqlx::query(
        "SELECT e.id, e.person_id, p.name, e.plugin_id, e.plugin_version, e.done, e.total,
                e.started_at, e.completed_at, a.due_at
         FROM enrollments e JOIN assignments a ON a.id = e.assignment_id
         LEFT JOIN people p ON p.id = e.person_id
         WHERE e.unit_code = $1 ORDER BY e.plugin_id, e.person_id, e.id",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                enrollment_id: r.try_get("id")?,
                person_id: r.try_get("person_id")?,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                module: r.try_get("plugin_id")?,
                version: r.try_get("plugin_version")?,
                done: r.try_get("done")?,
                total: r.try_get("total")?,
                status: status(
                    r.try_get("started_at")?,
                    r.try_get("completed_at")?,
                    r.try_get("due_at")?,
                    now,
                ),
            })
        })
        .collect()
}

/// An enrollment's status at `now`.
pub fn status(
    started_at: Option<i64>,
    completed_at: Option<i64>,
    due_at: i64,
    now: i64,
) -> &'static str {
    match (started_at, completed_at) {
        (_, Some(_)) => "completed",
        _ if now > due_at => "overdue",
        (Some(_), None) => "started",
        (None, None) => "not-started",
    }
}

/// An enrollment past its due date and not complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Its village.
    pub village_code: String,
    /// The village's name.
    pub village: String,
    /// Whose (`None`: the committee's).
    pub person_id: Option<i64>,
    /// Their name, or empty for the committee.
    pub name: String,
    /// The module.
    pub module: String,
    /// Steps done.
    pub done: i64,
    /// Steps in all.
    pub total: i64,
    /// Due date, Unix seconds.
    pub due_at: i64,
}

/// Overdue enrollments under `path`, longest overdue first, at most `limit`
/// (the work list's default, in its order).
pub async fn overdue(db: &Db, path: &str, now: i64, limit: i64) -> anyhow::Result<Vec<Overdue>> {
    let rows = work_list(db, path, now, &WorkFilter::default(), limit).await?;
    Ok(rows
        .into_iter()
        .map(|r| Overdue {
            enrollment_id: r.enrollment_id,
            village_code: r.village_code,
            village: r.village,
            person_id: r.person_id,
            name: r.name,
            module: r.module,
            done: r.done,
            total: r.total,
            due_at: r.due_at,
        })
        .collect())
}

/// Under the unit `code` (the nation: `None`), how many enrollments
/// completed on each Beijing day (`YYYY-MM-DD`, in order) — the
/// completion-over-time chart, from the roll-ups: a row per day, however
/// large the unit. (How many there are is the sum of its [`unit`] lines.)
pub async fn completion_days(db: &Db, code: Option<&str>) -> anyhow::Result<Vec<(String, i64)>> {
    // The nation is its provinces (the units with no parent).
    let units = match code {
        Some(_) => "unit_code = $1",
        None => "unit_code IN (SELECT code FROM org_units WHERE parent_code IS NULL)",
    };
    let days = format!(
        "SELECT day, CAST(SUM(completed) AS BIGINT) AS n FROM completion_days WHERE {units}
         GROUP BY day ORDER BY day"
    );
    let days = match code {
        Some(c) => sqlx::query(&days).bind(c).fetch_all(db.pool()).await?,
        None => sqlx::query(&days).fetch_all(db.pool()).await?,
    };
    days.iter()
        .map(|r| Ok((r.try_get("day")?, r.try_get("n")?)))
        .collect()
}

/// A work list's filters and order: what `/county` shows first.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct WorkFilter {
    /// A unit under the page's (a township, a village) to narrow to.
    #[serde(default)]
    pub within: Option<String>,
    /// A module id.
    #[serde(default)]
    pub module: Option<String>,
    /// `overdue` (the default), `stuck` (waiting on the same party for a
    /// week or more), `open` (not complete), `not-started`, `started` (not
    /// complete), `completed` or `all`.
    #[serde(default)]
    pub status: Option<String>,
    /// Part of a village's or a person's name.
    #[serde(default)]
    pub q: Option<String>,
    /// `late` (most days late first, the default), `village` or `module`.
    #[serde(default)]
    pub sort: Option<String>,
}

/// The statuses a work list filters by.
pub const WORK_STATUSES: [&str; 7] = [
    "overdue",
    "stuck",
    "open",
    "not-started",
    "started",
    "completed",
    "all",
];

/// Waiting this long on the same party is stuck, seconds.
pub const STUCK_AFTER: i64 = 7 * 86_400;

/// One row of a work list.
#[derive(Debug, Clone, Serialize)]
pub struct WorkRow {
    /// The enrollment.
    pub enrollment_id: i64,
    /// Its village's code.
    pub village_code: String,
    /// The village's name.
    pub village: String,
    /// The township's name.
    pub township: String,
    /// Whose (`None`: the committee's).
    pub person_id: Option<i64>,
    /// Their name, or empty for the committee.
    pub name: String,
    /// The module.
    pub module: String,
    /// Its version.
    pub version: String,
    /// Steps done.
    pub done: i64,
    /// Steps in all.
    pub total: i64,
    /// Due date, Unix seconds.
    pub due_at: i64,
    /// When it started.
    pub started_at: Option<i64>,
    /// When it completed.
    pub completed_at: Option<i64>,
}

/// The enrollments under `path` that `f` picks, in its order, at most `limit`.
///
/// The default order (most days late first) is read assignment by
/// assignment in due order, and within one by village path, walking only
/// the page unit's children that the roll-ups say hold such rows, so the
/// first page of the nation's list reads about as many rows as it shows. The
/// other orders (by village name, by module) sort the whole scope: for a
/// county, or after narrowing.
pub async fn work_list(
    db: &Db,
    path: &str,
    now: i64,
    f: &WorkFilter,
    limit: i64,
) -> anyhow::Result<Vec<WorkRow>> {
    if f.sort.as_deref() == Some("village") {
        return work_query(db, (path, format!("{path}~")), None, now, f, limit).await;
    }
    if f.sort.as_deref() == Some("module") {
        // Module by module (few), each in village order: every query walks
        // the villages by name and probes each for the one module's rows.
        let chosen = f.module.as_deref().filter(|m| !m.is_empty());
        let modules: Vec<String> = match chosen {
            Some(m) => vec![m.to_owned()],
            // Overdue rows come only from assignments past due: a module
            // with none is not walked at all.
            None => {
                let overdue = f.status.as_deref().unwrap_or("overdue") == "overdue";
                sqlx::query_scalar(
                    "SELECT DISTINCT plugin_id FROM assignments WHERE due_at < $1 ORDER BY plugin_id",
                )
                .bind(if overdue { now } else { i64::MAX })
                .fetch_all(db.pool())
                .await?
            }
        };
        let mut out = Vec::new();
        for m in modules {
            let one = WorkFilter {
                module: Some(m),
                sort: Some("village".to_owned()),
                ..f.clone()
            };
            let left = limit - out.len() as i64;
            out.extend(work_query(db, (path, format!("{path}~")), None, now, &one, left).await?);
            if out.len() as i64 >= limit {
                break;
            }
        }
        return Ok(out);
    }
    // Past due only for the overdue list; of one module when filtered.
    let overdue = f.status.as_deref().unwrap_or("overdue") == "overdue";
    let module = f.module.as_deref().filter(|m| !m.is_empty());
    let assignments = sqlx::query(
        "SELECT a.id, a.due_at, u.path FROM assignments a JOIN org_units u ON u.code = a.unit_code
         WHERE a.due_at < $1 AND ($2 = '' OR a.plugin_id = $2) ORDER BY a.due_at, a.id",
    )
    .bind(if overdue { now } else { i64::MAX })
    .bind(module.unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    // Which of the page unit's children (the provinces, for the nation)
    // hold rows of an assignment, from the roll-ups; a run of neighbours
    // that all do is read by one query, a child that holds none is skipped.
    let status = f.status.as_deref().unwrap_or("overdue");
    let holds = |enrolled: i64, completed: i64| match status {
        "completed" => completed > 0,
        "all" => enrolled > 0,
        _ => enrolled > completed,
    };
    let code = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let parent = if code.is_empty() {
        "u.parent_code IS NULL AND $2 = ''"
    } else {
        "u.parent_code = $2"
    };
    let children = format!(
        "SELECT u.path, COALESCE(c.enrolled, 0) AS enrolled, COALESCE(c.completed, 0) AS completed
         FROM org_units u LEFT JOIN completion c ON c.unit_code = u.code AND c.assignment_id = $1
         WHERE {parent} ORDER BY u.path"
    );
    // A village has no children: whether it holds rows itself.
    let itself =
        "SELECT enrolled, completed FROM completion WHERE assignment_id = $1 AND unit_code = $2";
    let mut out = Vec::new();
    for r in &assignments {
        let id: i64 = r.try_get("id")?;
        let mut runs: Vec<(String, String)> = Vec::new();
        let mut extends = false;
        for child in sqlx::query(&children)
            .bind(id)
            .bind(code)
            .fetch_all(db.pool())
            .await?
        {
            let at: String = child.try_get("path")?;
            if !holds(child.try_get("enrolled")?, child.try_get("completed")?) {
                extends = false;
            } else if let (true, Some(run)) = (extends, runs.last_mut()) {
                run.1 = at;
            } else {
                runs.push((at.clone(), at));
                extends = true;
            }
        }
        if runs.is_empty() && !code.is_empty() {
            let own = sqlx::query(itself)
                .bind(id)
                .bind(code)
                .fetch_optional(db.pool())
                .await?;
            if let Some(own) = own {
                if holds(own.try_get("enrolled")?, own.try_get("completed")?) {
                    runs.push((path.to_owned(), path.to_owned()));
                }
            }
        }
        for (first, last) in &runs {
            let left = limit - out.len() as i64;
            let range = (first.as_str(), format!("{last}~"));
            out.extend(work_query(db, range, Some(id), now, f, left).await?);
            if out.len() as i64 >= limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// [`work_list`]'s query: the villages with paths in `[from, to)`, of one
/// assignment (walked in path order) or of all (in `f`'s order).
async fn work_query(
    db: &Db,
    (from, to): (&str, String),
    assignment: Option<i64>,
    now: i64,
    f: &WorkFilter,
    limit: i64,
) -> anyhow::Result<Vec<WorkRow>> {
    enum Bind {
        S(String),
        I(i64),
    }
    let mut binds = vec![Bind::S(from.to_owned()), Bind::S(to)];
    let arg = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    // The villages in path order drive the query (SQLite keeps a CROSS
    // JOIN's order; PostgreSQL plans it as any join).
    let mut sql = String::from(
        "SELECT e.id, e.unit_code, u.name AS village, COALESCE(t.name, '') AS township, e.person_id,
                p.name, e.plugin_id, e.plugin_version, e.done, e.total, a.due_at, e.started_at,
                e.completed_at
         FROM org_units u CROSS JOIN enrollments e
         JOIN assignments a ON a.id = e.assignment_id
         LEFT JOIN org_units t ON t.code = u.parent_code
         LEFT JOIN people p ON p.id = e.person_id
         WHERE e.unit_code = u.code AND u.path >= $1 AND u.path < $2",
    );
    if let Some(id) = assignment {
        let a = arg(Bind::I(id), &mut binds);
        sql.push_str(&format!(" AND e.assignment_id = {a}"));
    }
    match f.status.as_deref().unwrap_or("overdue") {
        "completed" => sql.push_str(" AND e.completed_at IS NOT NULL"),
        "open" => sql.push_str(" AND e.completed_at IS NULL"),
        "not-started" => sql.push_str(" AND e.completed_at IS NULL AND e.started_at IS NULL"),
        "started" => sql.push_str(" AND e.completed_at IS NULL AND e.started_at IS NOT NULL"),
        "all" => {}
        "stuck" => {
            let since = arg(Bind::I(now - STUCK_AFTER), &mut binds);
            sql.push_str(&format!(
                " AND e.completed_at IS NULL AND EXISTS (SELECT 1 FROM turns x WHERE x.enrollment_id = e.id AND x.since <= {since})"
            ));
        }
        _ => {
            let now = arg(Bind::I(now), &mut binds);
            sql.push_str(&format!(" AND e.completed_at IS NULL AND a.due_at < {now}"));
        }
    }
    if let Some(module) = f.module.as_deref().filter(|m| !m.is_empty()) {
        let m = arg(Bind::S(module.to_owned()), &mut binds);
        sql.push_str(&format!(" AND e.plugin_id = {m}"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{}%", q.replace(['%', '_'], ""));
        let q = arg(Bind::S(like), &mut binds);
        sql.push_str(&format!(" AND (u.name LIKE {q} OR p.name LIKE {q})"));
    }
    sql.push_str(match (assignment, f.sort.as_deref()) {
        (Some(_), _) => " ORDER BY u.path, e.plugin_id, e.id",
        // Villages by name, then place (an index walks them in this order).
        (None, Some("village")) => " ORDER BY u.name, u.path, e.plugin_id, e.id",
        (None, Some("module")) => " ORDER BY e.plugin_id, u.name, u.path, e.id",
        (None, _) => " ORDER BY a.due_at, u.path, e.plugin_id, e.id",
    });
    let l = arg(Bind::I(limit), &mut binds);
    sql.push_str(&format!(" LIMIT {l}"));
    let mut query = sqlx::query(&sql);
    for b in binds {
        query = match b {
            Bind::S(s) => query.bind(s),
            Bind::I(i) => query.bind(i),
        };
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(WorkRow {
                enrollment_id: r.try_get("id")?,
                village_code: r.try_get("unit_code")?,
                village: r.try_get("village")?,
                township: r.try_get("township")?,
                person_id: r.try_get("person_id")?,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
                module: r.try_get("plugin_id")?,
                version: r.try_get("plugin_version")?,
                done: r.try_get("done")?,
                total: r.try_get("total")?,
                due_at: r.try_get("due_at")?,
                started_at: r.try_get("started_at")?,
                completed_at: r.try_get("completed_at")?,
            })
        })
        .collect()
}

/// Per village under `path` (a township's) and module: enrollments, how
/// many completed, how many overdue — a township officer's home.
#[derive(Debug, Clone, Serialize)]
pub struct VillageModule {
    /// The village's code.
    pub village_code: String,
    /// Its name.
    pub village: String,
    /// The module.
    pub module: String,
    /// Its version.
    pub version: String,
    /// Enrollments.
    pub enrolled: i64,
    /// Completed.
    pub completed: i64,
    /// Overdue.
    pub overdue: i64,
}

/// [`VillageModule`]s under `path`, by village name then module.
pub async fn villages(db: &Db, path: &str, now: i64) -> anyhow::Result<Vec<VillageModule>> {
    sqlx::query(
        "SELECT u.code, u.name, e.plugin_id, e.plugin_version, COUNT(*) AS n,
                SUM(CASE WHEN e.completed_at IS NOT NULL THEN 1 ELSE 0 END) AS completed,
                SUM(CASE WHEN e.completed_at IS NULL AND a.due_at < $2 THEN 1 ELSE 0 END) AS overdue
         FROM enrollments e JOIN org_units u ON u.code = e.unit_code
         JOIN assignments a ON a.id = e.assignment_id
         WHERE u.path >= $1 AND u.path < $3
         GROUP BY u.code, u.name, e.plugin_id, e.plugin_version
         ORDER BY u.name, u.code, e.plugin_id",
    )
    .bind(path)
    .bind(now)
    // The bound as its own parameter: given `$1 || '~'`, SQLite's planner
    // (3.46, with the statistics `ANALYZE` keeps) cannot size the range
    // and walked every unit by code, 62 ms a township at national size.
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(VillageModule {
            village_code: r.try_get("code")?,
            village: r.try_get("name")?,
            module: r.try_get("plugin_id")?,
            version: r.try_get("plugin_version")?,
            enrolled: r.try_get("n")?,
            completed: r.try_get("completed")?,
            overdue: r.try_get("overdue")?,
        })
    })
    .collect()
}

/// The look-back reviews' open rectifications under `path` (`""`: the
/// nation), by whom they wait for: the village (`secretary`, to fix it) or
/// the level that found it (to verify the fix). Read from the reviews' turns
/// through a partial index, so it costs what the open problems cost.
pub async fn rectifications(db: &Db, path: &str) -> anyhow::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT t.role, COUNT(*) AS n FROM turns t
         JOIN enrollments e ON e.id = t.enrollment_id AND e.plugin_id = 'look-back'
         WHERE t.subject LIKE 'finding:%' AND t.path >= $1 AND t.path < $2 AND t.role IS NOT NULL
         GROUP BY t.role ORDER BY t.role",
    )
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("role")?, r.try_get("n")?)))
        .collect()
}

/// One thing the work statistics count.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The enrollment's village's path.
    pub path: String,
    /// Its module.
    pub module: String,
    /// `signed` (a sign-off) or `acted` (an accepted action).
    pub kind: &'static str,
    /// The sign-off's subject, or the action's name.
    pub what: String,
    /// The action's payload, JSON; empty for a sign-off.
    pub payload: String,
}

/// What the work statistics count under `path`: each sign-off and each
/// accepted action of the `modules`' enrollments.
pub async fn work_items(db: &Db, path: &str, modules: &[&str]) -> anyhow::Result<Vec<WorkItem>> {
    let list: Vec<String> = (3..3 + modules.len()).map(|i| format!("${i}")).collect();
    let list = list.join(", ");
    let mut out = Vec::new();
    for (kind, sql) in [
        (
            "signed",
            format!(
                "SELECT u.path, e.plugin_id, s.subject AS what, '' AS payload FROM signoffs s
                 JOIN enrollments e ON e.id = s.enrollment_id JOIN org_units u ON u.code = e.unit_code
                 WHERE u.path >= $1 AND u.path < $2 AND e.plugin_id IN ({list})"
            ),
        ),
        (
            "acted",
            format!(
                "SELECT u.path, e.plugin_id, a.action AS what, a.payload FROM actions a
                 JOIN enrollments e ON e.id = a.enrollment_id JOIN org_units u ON u.code = e.unit_code
                 WHERE a.result = 'accepted' AND u.path >= $1 AND u.path < $2
                   AND e.plugin_id IN ({list})"
            ),
        ),
    ] {
        let mut query = sqlx::query(&sql).bind(path).bind(format!("{path}~"));
        for m in modules {
            query = query.bind(*m);
        }
        for r in query.fetch_all(db.pool()).await? {
            out.push(WorkItem {
                path: r.try_get("path")?,
                module: r.try_get("plugin_id")?,
                kind,
                what: r.try_get("what")?,
                payload: r.try_get("payload")?,
            });
        }
    }
    Ok(out)
}
