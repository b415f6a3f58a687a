//! The `plugins` table: module packages and their info.

use anyhow::Context as _;
use baton_sdk::ModuleInfo;
use sqlx::Row;

use super::Db;

/// A stored package, without its bytes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Package {
    /// Module id.
    pub id: String,
    /// Semantic version.
    pub version: String,
    /// sha256 of the component, hex.
    pub sha256: String,
    /// The owning province's code; `None` for national modules.
    pub owner: Option<String>,
    /// Shipped with the host.
    pub built_in: bool,
    /// What the module says about itself.
    pub info: ModuleInfo,
}

/// Stores a package unless that id and version is already there; returns
/// whether it was added. Versions are never overwritten.
pub async fn insert(db: &Db, package: &Package, wasm: &[u8], now: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO plugins (id, version, sha256, wasm, info, owner, built_in, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(&package.id)
    .bind(&package.version)
    .bind(&package.sha256)
    .bind(wasm)
    .bind(serde_json::to_string(&package.info)?)
    .bind(&package.owner)
    .bind(i64::from(package.built_in))
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One stored version of a module id.
#[derive(Debug, Clone)]
pub struct Version {
    /// The version.
    pub version: String,
    /// The owning province; `None` for national modules.
    pub owner: Option<String>,
    /// Shipped with the host.
    pub built_in: bool,
}

/// The stored versions of module `id`.
pub async fn versions(db: &Db, id: &str) -> anyhow::Result<Vec<Version>> {
    let rows = sqlx::query("SELECT version, owner, built_in FROM plugins WHERE id = $1")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Version {
                version: row.try_get("version")?,
                owner: row.try_get("owner")?,
                built_in: row.try_get::<i64, _>("built_in")? != 0,
            })
        })
        .collect()
}

/// Stores a published package (signed by key `signed_by`, if any) and its
/// audit entry in one transaction; returns false, storing nothing, when that
/// id and version already exist.
pub async fn publish(
    db: &Db,
    package: &Package,
    wasm: &[u8],
    signed_by: Option<&str>,
    account_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    store(db, package, wasm, signed_by, None, account_id, now).await
}

/// One version and its audit entry, in one transaction; `defined`: a
/// configured module's kind and definition.
async fn store(
    db: &Db,
    package: &Package,
    wasm: &[u8],
    signed_by: Option<&str>,
    defined: Option<(&str, &str)>,
    account_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let mut tx = db.pool().begin().await?;
    let done = sqlx::query(
        "INSERT INTO plugins (id, version, sha256, wasm, info, owner, built_in, created_at, signed_by, kind, definition)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10) ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(&package.id)
    .bind(&package.version)
    .bind(&package.sha256)
    .bind(wasm)
    .bind(serde_json::to_string(&package.info)?)
    .bind(&package.owner)
    .bind(now)
    .bind(signed_by)
    .bind(defined.map(|d| d.0))
    .bind(defined.map(|d| d.1))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO plugin_events (plugin_id, version, sha256, event, account_id, owner, at)
         VALUES ($1, $2, $3, 'published', $4, $5, $6)",
    )
    .bind(&package.id)
    .bind(&package.version)
    .bind(&package.sha256)
    .bind(account_id)
    .bind(&package.owner)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Stores a configured module's version: `package` runs engine `kind`'s
/// component `wasm` with `definition` as its config; with its audit entry,
/// in one transaction. False, storing nothing, when that version exists.
pub async fn publish_definition(
    db: &Db,
    package: &Package,
    wasm: &[u8],
    kind: &str,
    definition: &str,
    account_id: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let defined = Some((kind, definition));
    store(db, package, wasm, None, defined, account_id, now).await
}

/// A configured module's newest version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Definition {
    /// Module id.
    pub id: String,
    /// Its newest version.
    pub version: String,
    /// The engine it runs: `procedure`.
    pub kind: String,
    /// The owning province.
    pub owner: Option<String>,
    /// The definition.
    pub definition: serde_json::Value,
}

/// Every configured module's newest version, of `owner` or (`None`) all,
/// by id.
pub async fn definitions(db: &Db, owner: Option<&str>) -> anyhow::Result<Vec<Definition>> {
    let rows = sqlx::query(
        "SELECT id, version, kind, owner, definition FROM plugins
         WHERE definition IS NOT NULL AND (CAST($1 AS TEXT) IS NULL OR owner = $1) ORDER BY id",
    )
    .bind(owner)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Definition> = Vec::new();
    for row in &rows {
        let text: String = row.try_get("definition")?;
        let d = Definition {
            id: row.try_get("id")?,
            version: row.try_get("version")?,
            kind: row.try_get("kind")?,
            owner: row.try_get("owner")?,
            definition: serde_json::from_str(&text).context("stored definition")?,
        };
        // Within an id the highest version stays.
        let newer = |a: &str, b: &str| match (semver::Version::parse(a), semver::Version::parse(b))
        {
            (Ok(a), Ok(b)) => a > b,
            _ => a > b,
        };
        match out.last_mut() {
            Some(last) if last.id == d.id => {
                if newer(&d.version, &last.version) {
                    *last = d;
                }
            }
            _ => out.push(d),
        }
    }
    Ok(out)
}

/// A stored version's kind and definition (configured modules only), and
/// its component's size in bytes.
pub async fn definition_of(
    db: &Db,
    id: &str,
    version: &str,
) -> anyhow::Result<Option<(Option<String>, Option<serde_json::Value>, i64)>> {
    let row = sqlx::query(
        "SELECT kind, definition, LENGTH(wasm) AS size FROM plugins WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        let text: Option<String> = r.try_get("definition")?;
        let definition = text
            .map(|t| serde_json::from_str(&t))
            .transpose()
            .context("stored definition")?;
        Ok((r.try_get("kind")?, definition, r.try_get("size")?))
    })
    .transpose()
}

/// Every stored package, by id then version.
pub async fn list(db: &Db) -> anyhow::Result<Vec<Package>> {
    let rows = sqlx::query(
        "SELECT id, version, sha256, info, owner, built_in FROM plugins ORDER BY id, created_at",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(package_of).collect()
}

/// Stored package `id@version`, if there is one.
pub async fn package(db: &Db, id: &str, version: &str) -> anyhow::Result<Option<Package>> {
    let row = sqlx::query(
        "SELECT id, version, sha256, info, owner, built_in FROM plugins WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(package_of).transpose()
}

fn package_of(row: &sqlx::any::AnyRow) -> anyhow::Result<Package> {
    let info: String = row.try_get("info")?;
    Ok(Package {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        sha256: row.try_get("sha256")?,
        owner: row.try_get("owner")?,
        built_in: row.try_get::<i64, _>("built_in")? != 0,
        info: serde_json::from_str(&info).context("stored module info")?,
    })
}

/// A stored package's bytes, with the sha256 and signing key stored beside
/// them (checked before it is loaded).
pub struct Stored {
    /// The component.
    pub wasm: Vec<u8>,
    /// sha256 when published, hex.
    pub sha256: String,
    /// The key it was signed with, if it was.
    pub signed_by: Option<String>,
    /// A configured module's definition (its engine's config), as JSON.
    pub definition: Option<String>,
}

/// The component bytes of `id@version`.
pub async fn wasm(db: &Db, id: &str, version: &str) -> anyhow::Result<Option<Stored>> {
    let row = sqlx::query(
        "SELECT wasm, sha256, signed_by, definition FROM plugins WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(Stored {
            wasm: r.try_get("wasm")?,
            sha256: r.try_get("sha256")?,
            signed_by: r.try_get("signed_by")?,
            definition: r.try_get("definition")?,
        })
    })
    .transpose()
}

/// How many enrollments of one assignment are pinned to one version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pinned {
    /// The assignment.
    pub assignment_id: i64,
    /// Its scope's code.
    pub unit_code: String,
    /// Its scope's name.
    pub unit_name: String,
    /// Due date, Unix seconds.
    pub due_at: i64,
    /// The module.
    pub module: String,
    /// The version these enrollments run.
    pub version: String,
    /// Enrollments on it.
    pub enrolled: i64,
    /// Of which complete.
    pub completed: i64,
}

/// Every assignment made at or under `path` (`""`: all), with its
/// enrollments counted per version they are pinned to. The counts are the
/// roll-ups at the assignment's own unit; only an assignment whose
/// enrollments run more than one version (part way through an upgrade) is
/// counted per version, over its index.
pub async fn pinned(db: &Db, path: &str) -> anyhow::Result<Vec<Pinned>> {
    let rows = sqlx::query(
        "SELECT a.id, a.unit_code, u.name, a.due_at, a.plugin_id,
                COALESCE(c.enrolled, 0) AS enrolled, COALESCE(c.completed, 0) AS completed
         FROM assignments a JOIN org_units u ON u.code = a.unit_code
         LEFT JOIN completion c ON c.unit_code = a.unit_code AND c.assignment_id = a.id
         WHERE u.path >= $1 AND u.path < $2
         ORDER BY a.plugin_id, a.id",
    )
    .bind(path)
    .bind(format!("{path}~"))
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let one = |version: String, enrolled: i64, completed: i64| -> anyhow::Result<Pinned> {
            Ok(Pinned {
                assignment_id: id,
                unit_code: r.try_get("unit_code")?,
                unit_name: r.try_get("name")?,
                due_at: r.try_get("due_at")?,
                module: r.try_get("plugin_id")?,
                version,
                enrolled,
                completed,
            })
        };
        // The versions its enrollments run: one index seek each.
        let mut versions: Vec<String> = Vec::new();
        while let Some(v) = sqlx::query_scalar::<_, Option<String>>(
            "SELECT MIN(plugin_version) FROM enrollments WHERE assignment_id = $1 AND plugin_version > $2",
        )
        .bind(id)
        .bind(versions.last().map_or("", String::as_str))
        .fetch_one(db.pool())
        .await?
        {
            versions.push(v);
        }
        match versions.as_slice() {
            [] => {}
            [only] => out.push(one(
                only.clone(),
                r.try_get("enrolled")?,
                r.try_get("completed")?,
            )?),
            _ => {
                for v in versions {
                    let (enrolled, completed): (i64, i64) = sqlx::query_as(
                        "SELECT COUNT(*), COUNT(completed_at) FROM enrollments
                         WHERE assignment_id = $1 AND plugin_version = $2",
                    )
                    .bind(id)
                    .bind(&v)
                    .fetch_one(db.pool())
                    .await?;
                    out.push(one(v, enrolled, completed)?);
                }
            }
        }
    }
    Ok(out)
}
