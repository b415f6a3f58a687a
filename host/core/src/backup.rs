//! Backups: a consistent copy of a running database, and a restore of one
//! into an empty place.
//!
//! SQLite: `VACUUM INTO` reads one snapshot on a reader connection (in WAL
//! mode readers never block the writer, so acting goes on while it runs)
//! and writes a compact, self-contained file. PostgreSQL: the server's own
//! tools, `pg_dump --format=custom` (one snapshot too) and `pg_restore`.
//! Either way the copy is written under a temporary name and renamed when
//! complete, so a file with the backup's name is always a whole backup, and
//! nothing is ever overwritten.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use sqlx::any::AnyPoolOptions;

use crate::{Backend, Db};

/// What a backup or a restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The file written (backup) or read (restore).
    pub file: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Rows in the main tables, as the copy holds them.
    pub enrollments: i64,
    /// Actions in the log.
    pub actions: i64,
    /// Sign-offs in the chain.
    pub signoffs: i64,
}

/// The first bytes of each backend's backup file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// Copies the running database `db` into the new file `to`.
pub async fn backup(db: &Db, to: &Path) -> anyhow::Result<Summary> {
    if to.exists() {
        bail!(
            "{} exists: a backup never overwrites a file; choose a new name",
            to.display()
        );
    }
    let partial = partial_name(to);
    let _ = std::fs::remove_file(&partial);
    match db.backend() {
        Backend::Sqlite => {
            let path = partial
                .to_str()
                .context("the backup's path must be UTF-8")?;
            sqlx::query("VACUUM INTO ?")
                .bind(path)
                .execute(db.pool())
                .await
                .with_context(|| format!("copying the database into {}", partial.display()))?;
        }
        Backend::Postgres => {
            let out = Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&partial)
                .arg(db.url())
                .output()
                .context("running pg_dump: install PostgreSQL's client tools (Debian: postgresql-client) of the server's version")?;
            if !out.status.success() {
                let _ = std::fs::remove_file(&partial);
                bail!(
                    "pg_dump failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    std::fs::rename(&partial, to)
        .with_context(|| format!("renaming {} to {}", partial.display(), to.display()))?;
    let bytes = std::fs::metadata(to)?.len();
    let (enrollments, actions, signoffs) = match db.backend() {
        // The copy itself, read-only: what a restore will bring back.
        Backend::Sqlite => counts(&format!("sqlite:{}?mode=ro", to.display())).await?,
        // A custom archive is not a database; its counts are the source's
        // at the end of the dump, which a restore reports exactly.
        Backend::Postgres => (-1, -1, -1),
    };
    Ok(Summary {
        file: to.to_path_buf(),
        bytes,
        enrollments,
        actions,
        signoffs,
    })
}

/// Restores the backup `from` into the empty database at `url` (a SQLite
/// file that does not exist yet, or a PostgreSQL database with no tables),
/// then applies this version's migrations.
pub async fn restore(from: &Path, url: &str) -> anyhow::Result<(Summary, Db)> {
    let mut head = [0u8; 16];
    {
        use std::io::Read as _;
        let mut file =
            std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
        let n = file.read(&mut head)?;
        if n < PG_DUMP_MAGIC.len() {
            bail!("{} is not a Baton backup: it is too short", from.display());
        }
    }
    let kind = if head.starts_with(SQLITE_MAGIC) {
        Backend::Sqlite
    } else if head.starts_with(PG_DUMP_MAGIC) {
        Backend::Postgres
    } else {
        bail!(
            "{} is not a Baton backup: neither a SQLite file nor a pg_dump custom archive",
            from.display()
        );
    };
    match (kind, url.starts_with("sqlite:")) {
        (Backend::Sqlite, true) => restore_sqlite(from, url).await?,
        (Backend::Postgres, false) => restore_postgres(from, url).await?,
        (Backend::Sqlite, false) => bail!(
            "{} is a SQLite backup: restore it into a SQLite file (--database-url sqlite:PATH)",
            from.display()
        ),
        (Backend::Postgres, true) => bail!(
            "{} is a PostgreSQL backup: restore it into an empty PostgreSQL database (--database-url postgres://…)",
            from.display()
        ),
    }
    let db = Db::connect(url).await?;
    let (enrollments, actions, signoffs) = counts_in(db.pool()).await?;
    let summary = Summary {
        file: from.to_path_buf(),
        bytes: std::fs::metadata(from)?.len(),
        enrollments,
        actions,
        signoffs,
    };
    Ok((summary, db))
}

async fn restore_sqlite(from: &Path, url: &str) -> anyhow::Result<()> {
    let target = url
        .strip_prefix("sqlite:")
        .map(|p| p.trim_start_matches("//"))
        .and_then(|p| p.split('?').next())
        .filter(|p| !p.is_empty() && *p != ":memory:")
        .map(PathBuf::from)
        .context("restore into a SQLite file: --database-url sqlite:PATH")?;
    for file in [target.clone(), wal_of(&target)] {
        if file.exists() {
            bail!(
                "{} exists: restore into a new file (a restore never overwrites a database)",
                file.display()
            );
        }
    }
    let partial = partial_name(&target);
    std::fs::copy(from, &partial)
        .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
    let checked = async {
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite:{}?mode=ro", partial.display()))
            .await?;
        let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await?;
        pool.close().await;
        anyhow::Ok(verdict)
    }
    .await;
    match checked {
        Ok(verdict) if verdict == "ok" => {}
        Ok(verdict) => {
            let _ = std::fs::remove_file(&partial);
            bail!("{} is damaged: {verdict}", from.display());
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context(format!("reading {}", from.display())));
        }
    }
    std::fs::rename(&partial, &target)?;
    Ok(())
}

async fn restore_postgres(from: &Path, url: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let (tables,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    if tables > 0 {
        bail!(
            "the database at {url} has {tables} tables: restore into an empty database (createdb a new one)"
        );
    }
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--dbname"])
        .arg(url)
        .arg(from)
        .output()
        .context("running pg_restore: install PostgreSQL's client tools (Debian: postgresql-client) of the server's version")?;
    if !out.status.success() {
        bail!(
            "pg_restore failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `FILE.partial`, beside it: the name a copy is written under until whole.
fn partial_name(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn wal_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

async fn counts(url: &str) -> anyhow::Result<(i64, i64, i64)> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let counted = counts_in(&pool).await;
    pool.close().await;
    counted
}

async fn counts_in(pool: &sqlx::AnyPool) -> anyhow::Result<(i64, i64, i64)> {
    let mut n = [0i64; 3];
    for (count, table) in n.iter_mut().zip(["enrollments", "actions", "signoffs"]) {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        *count = sqlx::query_as::<_, (i64,)>(&sql).fetch_one(pool).await?.0;
    }
    Ok((n[0], n[1], n[2]))
}
