//! A national-size dataset for benchmarks: the hierarchy (31 provinces down
//! to ≈586,000 villages by default), two committees per village with five
//! serving people and one outgoing cadre, five assignments of the built-in
//! modules with everyone enrolled, and the roll-ups to match.
//!
//! It writes straight to the tables, one transaction per province, with
//! multi-row inserts on SQLite and COPY on PostgreSQL, since going through
//! `assign` village by village would take the hours the platform exists to
//! save. Every row is one `assign` would
//! have written; the benchmark checks the roll-ups against the enrollments.

use anyhow::Context as _;
use baton_sdk::{Audience, Role};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::Connection as _;

use crate::db::accounts::{self, NewAccount};
use crate::db::{Backend, Db, plugins};

/// How many units each level has under each unit above it.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Shape {
    /// Provinces.
    #[arg(long, default_value_t = 31)]
    pub provinces: u32,
    /// Cities per province.
    #[arg(long, default_value_t = 10)]
    pub cities: u32,
    /// Counties per city.
    #[arg(long, default_value_t = 9)]
    pub counties: u32,
    /// Townships per county.
    #[arg(long, default_value_t = 14)]
    pub townships: u32,
    /// Villages per township.
    #[arg(long, default_value_t = 15)]
    pub villages: u32,
}

impl Shape {
    /// `BATON_BENCH_SHAPE=provinces,cities,counties,townships,villages`, or
    /// the nation (the defaults above) when it is not set: the benchmarks' dataset.
    pub fn from_env() -> anyhow::Result<Self> {
        let Ok(s) = std::env::var("BATON_BENCH_SHAPE") else {
            return Ok(Self {
                provinces: 31,
                cities: 10,
                counties: 9,
                townships: 14,
                villages: 15,
            });
        };
        let n: Vec<u32> = s
            .split(',')
            .map(|x| x.trim().parse())
            .collect::<Result<_, _>>()?;
        anyhow::ensure!(
            n.len() == 5,
            "BATON_BENCH_SHAPE is provinces,cities,counties,townships,villages"
        );
        Ok(Self {
            provinces: n[0],
            cities: n[1],
            counties: n[2],
            townships: n[3],
            villages: n[4],
        })
    }

    /// Villages in all.
    pub fn village_count(&self) -> u64 {
        u64::from(self.provinces)
            * u64::from(self.cities)
            * u64::from(self.counties)
            * u64::from(self.townships)
            * u64::from(self.villages)
    }
}

/// Serving people per village (the secretary holds two seats, 一肩挑).
const SERVING: i64 = 5;
/// The five assignments: DOMAIN.md's five modules, each to its own audience.
const MODULES: [&str; 5] = ["handover", "visits", "first-lesson", "duties", "open-door"];

/// What was generated, for the benchmark to find its way.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Province codes.
    pub provinces: Vec<String>,
    /// County codes, every one.
    pub counties: Vec<String>,
    /// The assignments' ids.
    pub assignments: Vec<i64>,
    /// Enrollments written.
    pub enrollments: u64,
    /// The national administrator's account id.
    pub nation_account: i64,
}

/// The code of province `p` (from 0): 110000000000, 120000000000 …
fn province_code(p: u32) -> String {
    format!("{:02}0000000000", 11 + p)
}

/// The `org_units` row of province `p`.
fn province_row(p: u32) -> Vec<V> {
    let code = province_code(p);
    vec![
        V::T(code.clone()),
        V::T("province".into()),
        V::T(format!("第{}省", p + 1)),
        V::NullText,
        V::T(format!("/{code}/")),
    ]
}

/// An `org_units` row below a province.
fn unit_row(code: &str, level: &str, name: String, parent: &str, path: &str) -> Vec<V> {
    vec![
        V::T(code.to_owned()),
        V::T(level.to_owned()),
        V::T(name),
        V::T(parent.to_owned()),
        V::T(path.to_owned()),
    ]
}

/// Rows waiting to be written, one buffer per table.
#[derive(Default)]
struct Rows {
    units: Vec<Vec<V>>,
    committees: Vec<Vec<V>>,
    people: Vec<Vec<V>>,
    seats: Vec<Vec<V>>,
    enrollments: Vec<Vec<V>>,
    completion: Vec<Vec<V>>,
}

/// A value to bind; NULLs carry their type, which PostgreSQL insists on.
enum V {
    I(i64),
    T(String),
    NullInt,
    NullText,
}

/// Fills an empty database (built-ins registered) with a dataset of `shape`.
/// The national administrator signs in as `nation` / `demo`.
pub async fn national(
    db: &Db,
    shape: Shape,
    now: i64,
    show_progress: bool,
) -> anyhow::Result<Generated> {
    if sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM org_units")
        .fetch_one(db.pool())
        .await?
        > 0
    {
        anyhow::bail!("the database already has org units; generate into an empty one");
    }
    anyhow::ensure!(
        shape.provinces <= 89
            && shape.cities <= 99
            && shape.counties <= 99
            && shape.townships <= 999
            && shape.villages <= 999,
        "a shape must fit GB/T 2260 codes: ≤ 89 provinces, 99 cities, 99 counties, 999 townships, 999 villages"
    );
    let modules = plugins::list(db).await?;
    let modules: Vec<_> = modules.into_iter().filter(|p| p.built_in).collect();
    let hash =
        tokio::task::spawn_blocking(|| crate::auth::hash_password(crate::demo::PASSWORD)).await??;
    let nation_account = accounts::create(
        db,
        &NewAccount {
            username: "nation",
            password_hash: &hash,
            display_name: "全国管理员",
            person_id: None,
            grants: &[(Role::NationalAdmin, None)],
        },
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO terms (id, name, elected_on) VALUES ('2026', '2026年换届', '2026-11-01')",
    )
    .execute(db.pool())
    .await?;
    // Five assignments over the whole nation. Their scope is the first
    // province (an assignment has one unit); the enrollments below cover
    // every province.
    let mut assignments = Vec::new();
    for id in MODULES {
        let module = modules
            .iter()
            .find(|m| m.id == id)
            .with_context(|| format!("register the built-in modules first ({id} is missing)"))?;
        assignments.push((
            module.id.clone(),
            module.version.clone(),
            module.info.audience,
        ));
    }

    let bar = if show_progress {
        let bar = ProgressBar::new(shape.village_count());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>12} [{bar:40}] {human_pos}/{human_len} villages, {per_sec}, eta {eta}",
            )?
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut out = Generated {
        provinces: Vec::new(),
        counties: Vec::new(),
        assignments: Vec::new(),
        enrollments: 0,
        nation_account,
    };
    // The assignments' scope, the first province, must exist first.
    let mut tx = db.pool().begin().await?;
    insert(
        &mut tx,
        "org_units (code, level, name, parent_code, path)",
        5,
        vec![province_row(0)],
    )
    .await?;
    for (id, version, audience) in &assignments {
        let aid: i64 = sqlx::query_scalar(
            "INSERT INTO assignments (plugin_id, plugin_version, unit_code, audience, due_at, config, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, 'null', $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(version)
        .bind(province_code(0))
        .bind((*audience).as_str())
        .bind(now + 60 * 24 * 3600)
        .bind(nation_account)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        out.assignments.push(aid);
    }
    tx.commit().await?;
    // On PostgreSQL the rows go in by COPY, on a connection of its own.
    let mut copy = match db.backend() {
        Backend::Postgres => Some(
            sqlx::PgConnection::connect(db.url())
                .await
                .context("connecting to PostgreSQL for COPY")?,
        ),
        Backend::Sqlite => None,
    };
    let (mut person, mut committee, mut enrollment) = (0i64, 0i64, 0i64);
    for p in 0..shape.provinces {
        let pcode = province_code(p);
        bar.set_message(pcode[..2].to_owned());
        let mut tx = match &mut copy {
            Some(conn) => Tx::Copy(conn.begin().await?),
            None => Tx::Insert(db.pool().begin().await?),
        };
        let mut rows = Rows::default();
        if p > 0 {
            rows.units.push(province_row(p));
        }
        out.provinces.push(pcode.clone());
        // Per unit above the villages: enrolled count per assignment.
        let per_village: Vec<i64> = assignments
            .iter()
            .map(|(_, _, a)| {
                if *a == Audience::EveryMember {
                    SERVING
                } else {
                    1
                }
            })
            .collect();
        let roll = |code: &str, villages: i64, completion: &mut Vec<Vec<V>>| {
            for (k, aid) in out.assignments.iter().enumerate() {
                completion.push(vec![
                    V::T(code.to_owned()),
                    V::I(*aid),
                    V::I(villages * per_village[k]),
                ]);
            }
        };
        let v_per_county = i64::from(shape.townships) * i64::from(shape.villages);
        roll(
            &pcode,
            i64::from(shape.cities * shape.counties) * v_per_county,
            &mut rows.completion,
        );
        for c in 0..shape.cities {
            let ccode = format!("{}{:02}00000000", &pcode[..2], c + 1);
            let cpath = format!("/{pcode}/{ccode}/");
            rows.units.push(unit_row(
                &ccode,
                "city",
                format!("第{}市", c + 1),
                &pcode,
                &cpath,
            ));
            roll(
                &ccode,
                i64::from(shape.counties) * v_per_county,
                &mut rows.completion,
            );
            for k in 0..shape.counties {
                let kcode = format!("{}{:02}000000", &ccode[..4], k + 1);
                let kpath = format!("{cpath}{kcode}/");
                rows.units.push(unit_row(
                    &kcode,
                    "county",
                    format!("第{}县", k + 1),
                    &ccode,
                    &kpath,
                ));
                roll(&kcode, v_per_county, &mut rows.completion);
                out.counties.push(kcode.clone());
                for t in 0..shape.townships {
                    let tcode = format!("{}{:03}000", &kcode[..6], t + 1);
                    let tpath = format!("{kpath}{tcode}/");
                    rows.units.push(unit_row(
                        &tcode,
                        "township",
                        format!("第{}镇", t + 1),
                        &kcode,
                        &tpath,
                    ));
                    roll(&tcode, i64::from(shape.villages), &mut rows.completion);
                    for v in 0..shape.villages {
                        let vcode = format!("{}{:03}", &tcode[..9], v + 1);
                        rows.units.push(unit_row(
                            &vcode,
                            "village",
                            format!("第{}村", v + 1),
                            &tcode,
                            &format!("{tpath}{vcode}/"),
                        ));
                        roll(&vcode, 1, &mut rows.completion);
                        let (party, villagers) = (committee + 1, committee + 2);
                        committee += 2;
                        rows.committees.push(vec![
                            V::I(party),
                            V::T("2026".into()),
                            V::T(vcode.clone()),
                            V::T("party-branch".into()),
                        ]);
                        rows.committees.push(vec![
                            V::I(villagers),
                            V::T("2026".into()),
                            V::T(vcode.clone()),
                            V::T("villagers".into()),
                        ]);
                        let first = person + 1;
                        for n in 0..=SERVING {
                            person += 1;
                            rows.people.push(vec![
                                V::I(person),
                                V::T(format!("村民{person}")),
                                V::NullText,
                            ]);
                            let (cid, post, one, departure, years) = match n {
                                0 => (party, "书记", 1, V::NullText, 0),
                                1 => (party, "副书记", 0, V::NullText, 3),
                                2 => (party, "委员", 0, V::NullText, 0),
                                3 | 4 => (villagers, "委员", 0, V::NullText, 5),
                                _ => (party, "书记", 0, V::T("retired".into()), 15),
                            };
                            rows.seats.push(vec![
                                V::I(cid),
                                V::I(person),
                                V::T(post.into()),
                                V::I(one),
                                departure,
                                V::I(years),
                            ]);
                        }
                        rows.seats.push(vec![
                            V::I(villagers),
                            V::I(first),
                            V::T("主任".into()),
                            V::I(1),
                            V::NullText,
                            V::I(0),
                        ]);
                        for (k, aid) in out.assignments.iter().enumerate() {
                            let (id, version, audience) = &assignments[k];
                            let subjects: Vec<V> = match audience {
                                Audience::Committee => vec![V::NullInt],
                                Audience::Secretary => vec![V::I(first)],
                                Audience::EveryMember => {
                                    (first..first + SERVING).map(V::I).collect()
                                }
                            };
                            for subject in subjects {
                                enrollment += 1;
                                rows.enrollments.push(vec![
                                    V::I(enrollment),
                                    V::I(*aid),
                                    V::T(vcode.clone()),
                                    subject,
                                    V::T(id.clone()),
                                    V::T(version.clone()),
                                    V::I(now),
                                ]);
                            }
                        }
                    }
                    if rows.units.len() > 2000 {
                        rows.flush(&mut tx, &mut out.enrollments).await?;
                    }
                    bar.inc(u64::from(shape.villages));
                }
            }
        }
        rows.flush(&mut tx, &mut out.enrollments).await?;
        tx.commit().await?;
    }
    drop(copy);
    if db.backend() == Backend::Postgres {
        // Explicit ids do not move identity sequences.
        for table in ["people", "committees", "enrollments"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(db.pool())
            .await?;
        }
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    } else {
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    bar.finish_with_message("done");
    // The structure statistics' roll-ups, which the import keeps.
    crate::db::roster::rebuild(db).await?;
    Ok(out)
}

impl Rows {
    /// Writes every buffer, parents before children, and empties them.
    async fn flush(&mut self, tx: &mut Tx<'_>, count: &mut u64) -> anyhow::Result<()> {
        *count += self.enrollments.len() as u64;
        let tables = [
            (
                "org_units (code, level, name, parent_code, path)",
                5,
                &mut self.units,
            ),
            (
                "committees (id, term_id, unit_code, kind)",
                4,
                &mut self.committees,
            ),
            ("people (id, name, phone)", 3, &mut self.people),
            (
                "committee_members (committee_id, person_id, post, one_shoulder, departure, years_served)",
                6,
                &mut self.seats,
            ),
            (
                "enrollments (id, assignment_id, unit_code, person_id, plugin_id, plugin_version, created_at)",
                7,
                &mut self.enrollments,
            ),
            (
                "completion (unit_code, assignment_id, enrolled)",
                3,
                &mut self.completion,
            ),
        ];
        for (target, columns, buffer) in tables {
            let rows = std::mem::take(buffer);
            match tx {
                Tx::Insert(tx) => insert(tx, target, columns, rows).await?,
                Tx::Copy(tx) => {
                    let mut copy = tx.copy_in_raw(&format!("COPY {target} FROM STDIN")).await?;
                    copy.send(copy_text(&rows)).await?;
                    copy.finish().await?;
                }
            }
        }
        Ok(())
    }
}

/// A province's transaction: multi-row INSERTs through the pool, or on
/// PostgreSQL COPY, which skips parsing and planning a statement per few
/// dozen rows and binding every value.
enum Tx<'c> {
    Insert(sqlx::Transaction<'static, sqlx::Any>),
    Copy(sqlx::Transaction<'c, sqlx::Postgres>),
}

impl Tx<'_> {
    async fn commit(self) -> sqlx::Result<()> {
        match self {
            Tx::Insert(tx) => tx.commit().await,
            Tx::Copy(tx) => tx.commit().await,
        }
    }
}

/// `rows` in COPY's text format: tab-separated, `\N` for NULL, and
/// backslash, tab, newline and carriage return escaped.
fn copy_text(rows: &[Vec<V>]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(rows.len() * 64);
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            match v {
                V::I(n) => {
                    let _ = write!(out, "{n}");
                }
                V::T(t) => {
                    for c in t.chars() {
                        match c {
                            '\\' => out.push_str("\\\\"),
                            '\t' => out.push_str("\\t"),
                            '\n' => out.push_str("\\n"),
                            '\r' => out.push_str("\\r"),
                            c => out.push(c),
                        }
                    }
                }
                V::NullInt | V::NullText => out.push_str("\\N"),
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Multi-row INSERTs of `rows` into `target` (`table (columns)`).
async fn insert(
    tx: &mut sqlx::AnyConnection,
    target: &str,
    columns: usize,
    rows: Vec<Vec<V>>,
) -> anyhow::Result<()> {
    // sqlx-sqlite looks each parameter up by name, so a statement costs
    // O(parameters²): a few hundred parameters per statement is the sweet spot.
    let per = 240 / columns;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let ps: Vec<String> = (1..=columns)
                    .map(|c| format!("${}", r * columns + c))
                    .collect();
                format!("({})", ps.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO {target} VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                query = match v {
                    V::I(i) => query.bind(i),
                    V::T(t) => query.bind(t),
                    V::NullInt => query.bind(Option::<i64>::None),
                    V::NullText => query.bind(Option::<String>::None),
                };
            }
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The benchmarks' national dataset: the database `BATON_BENCH_DATABASE_URL`
/// names (by default `target/bench/national.db`), with the built-in modules
/// registered and, when it is empty, the dataset generated (in the shape
/// `BATON_BENCH_SHAPE` gives) with a progress bar. Its URL and handle.
pub async fn bench_database(runtime: &crate::runtime::Runtime) -> anyhow::Result<(String, Db)> {
    let url = std::env::var("BATON_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench");
        let _ = std::fs::create_dir_all(dir);
        format!("sqlite:{dir}/national.db")
    });
    let db = Db::connect(&url).await?;
    let now = crate::clock::now();
    crate::registry::register_built_ins(&db, runtime, now).await?;
    let villages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM org_units WHERE level = 'village'")
            .fetch_one(db.pool())
            .await?;
    if villages == 0 {
        let shape = Shape::from_env()?;
        let t = std::time::Instant::now();
        let g = national(&db, shape, now, true).await?;
        println!(
            "generated {} villages, {} enrollments in {:.1?}",
            shape.village_count(),
            g.enrollments,
            t.elapsed()
        );
    }
    Ok((url, db))
}

#[cfg(test)]
mod tests {
    use super::{V, copy_text};

    #[test]
    fn copy_text_escapes_what_copy_would_read_as_syntax() {
        let rows = vec![
            vec![V::I(7), V::T("第1村".into()), V::NullText],
            vec![V::I(-1), V::T("a\\b\tc\nd\re".into()), V::NullInt],
        ];
        assert_eq!(
            String::from_utf8(copy_text(&rows)).expect("utf-8"),
            "7\t第1村\t\\N\n-1\ta\\\\b\\tc\\nd\\re\t\\N\n"
        );
    }
}
