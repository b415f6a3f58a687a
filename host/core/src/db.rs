//! All SQL. One file per table; the SQLite/PostgreSQL differences are
//! handled here once (both accept `$1` placeholders, so queries are shared).

pub mod accounts;
pub mod activation;
pub mod assignments;
pub mod attachments;
pub mod audit;
pub mod catalog;
pub mod contacts;
pub mod enrollments;
pub mod notices;
pub mod org_units;
pub mod outbox;
pub mod people;
pub mod personal;
pub mod plugins;
pub mod reports;
pub mod roster;
pub mod signing_keys;
pub mod statements;
pub mod turns;
pub mod upgrades;
mod writer;

use std::pin::Pin;
use std::str::FromStr;

use anyhow::{Context as _, bail};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// Migrations embedded by the build script: (version, description, SQL).
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|&(version, description, sql)| {
                    // As sqlx reads a directory of them: same checksum
                    // (SHA-384 of the SQL), so databases migrated by earlier
                    // builds stay valid.
                    Migration::new(
                        version,
                        description.into(),
                        MigrationType::Simple,
                        sql.into(),
                        sql.starts_with("-- no-transaction"),
                    )
                })
                .collect())
        })
    }
}

/// The file of a `sqlite:` URL and its inode, if it is a file.
fn sqlite_file(url: &str) -> Option<(std::path::PathBuf, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let path = std::path::PathBuf::from(path);
    let inode = std::fs::metadata(&path).ok()?.ino();
    Some((path, inode))
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: the default.
    Sqlite,
    /// PostgreSQL (or a compatible engine), for many host processes.
    Postgres,
}

/// A migrated database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Where writes go. On SQLite, a pool of one connection: writers queue
    /// for it instead of sleeping in SQLite's busy handler (1, 2, 5 … 100 ms),
    /// and the one connection that commits keeps its page cache, where any
    /// other connection must drop its cache after someone else's commit.
    /// On PostgreSQL, the same pool as reads.
    writer: AnyPool,
    /// The SQLite file and its inode when opened: a file deleted or
    /// replaced under the server would otherwise swallow every write.
    file: Option<(std::path::PathBuf, u64)>,
    /// On a SQLite file, the thread acting's writes run on whole.
    sqlite_writer: Option<writer::Writer>,
    /// The URL connected to, for a tool that needs a connection of the
    /// backend's own type (PostgreSQL's COPY).
    url: Url,
}

/// A database URL, which may hold a password: `Debug` does not print it.
#[derive(Clone)]
struct Url(String);

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Url(…)")
    }
}

/// Per SQLite connection: enforce foreign keys, wait on a busy writer; in
/// WAL, NORMAL sync loses nothing on a crash of the process, only possibly
/// the last commits on a power cut, and makes a commit ~10x cheaper; a 32
/// MiB page cache rather than SQLite's 2 MiB. No memory map: under acting
/// load every checkpoint grows the file and each reader then unmapped and
/// faulted its whole map in again (the load benchmark, four alternating
/// runs: acting 1,739–1,960/s with a 2 GiB map, 2,091–2,253/s without;
/// the pages one at a time measure the same either way).
const SQLITE_PRAGMAS: &str =
    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;
     PRAGMA cache_size = -32768;";

impl Db {
    /// Connects to `url` (`sqlite:baton.db`, `postgres://…`), creating a
    /// SQLite file if needed, and applies the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            bail!("database URL `{url}` must start with sqlite: or postgres://");
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options =
            AnyConnectOptions::from_str(&url).with_context(|| format!("parsing {url}"))?;
        let connect = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            conn.execute(SQLITE_PRAGMAS).await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let pool = match backend {
            // WAL readers run alongside the one writer, two a core: each
            // connection is a thread of sqlx's that every statement is handed
            // to and back, so more of them than the cores can run only adds
            // switching (the load benchmark on 2 cores: 8 readers, acting p99
            // 380–475 ms; 4 readers, 78–120 ms).
            Backend::Sqlite => connect(
                std::thread::available_parallelism().map_or(4, |n| (2 * n.get() as u32).max(4)),
            ),
            Backend::Postgres => connect(16),
        }
        .await
        .with_context(|| format!("connecting to {url}"))?;
        if backend == Backend::Sqlite {
            // Persistent in the file: readers never block the writer.
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        let migrator = Migrator::new(Embedded(match backend {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_POSTGRES,
        }))
        .await?;
        migrator.run(&pool).await.context("applying migrations")?;
        let writer = match backend {
            Backend::Sqlite => connect(1)
                .await
                .with_context(|| format!("connecting to {url}"))?,
            Backend::Postgres => pool.clone(),
        };
        let file = match backend {
            Backend::Sqlite => sqlite_file(&url),
            Backend::Postgres => None,
        };
        let sqlite_writer = match &file {
            Some((path, _)) => Some(writer::Writer::open(path, SQLITE_PRAGMAS)?),
            None => None,
        };
        Ok(Self {
            pool,
            backend,
            writer,
            file,
            sqlite_writer,
            url: Url(url),
        })
    }

    /// Fails when the SQLite file the server opened is gone or replaced:
    /// the connections would go on writing into a deleted file.
    pub fn check_file(&self) -> anyhow::Result<()> {
        use std::os::unix::fs::MetadataExt as _;
        let Some((path, inode)) = &self.file else {
            return Ok(());
        };
        match std::fs::metadata(path) {
            Ok(m) if m.ino() == *inode => Ok(()),
            Ok(_) => bail!(
                "the database file {} was replaced under the server",
                path.display()
            ),
            Err(e) => bail!("the database file {} is gone: {e}", path.display()),
        }
    }

    /// The pool. The table modules are the API; this is for them, for
    /// tools, and for tests that must reach behind the host's back.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for hot writes (acting, first opens): on SQLite one
    /// connection that writers of this process take turns on; on PostgreSQL,
    /// whose row locks need no help, [`Db::pool`].
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// SQLite's writer thread, when the database is a SQLite file.
    pub(crate) fn sqlite_writer(&self) -> Option<&writer::Writer> {
        self.sqlite_writer.as_ref()
    }

    /// The URL connected to.
    pub(crate) fn url(&self) -> &str {
        &self.url.0
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers and takes writes: its file is the one
    /// opened, and a write transaction begins and commits.
    pub async fn ping(&self) -> anyhow::Result<()> {
        self.check_file()?;
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < 0")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The pools' connections: (pool, open, idle). On PostgreSQL the
    /// writer is the reader pool, counted once.
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, u32)> {
        let stats = |p: &AnyPool| (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX));
        let (size, idle) = stats(&self.pool);
        let mut all = vec![("read", size, idle)];
        if self.backend == Backend::Sqlite {
            let (size, idle) = stats(&self.writer);
            all.push(("write", size, idle));
        }
        all
    }
}

/// The VALUES of a multi-row INSERT: `rows` groups of `width` numbered
/// placeholders, `($1, $2), ($3, $4)` for 2 × 2.
pub(crate) fn values(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_with_a_password_is_not_printed() {
        let url = Url("postgres://baton:s3cret@db.example/baton".into());
        assert!(!format!("{url:?}").contains("s3cret"));
    }

    /// The embedded migrations are what sqlx reads from the directories (as
    /// `sqlx::migrate!` did before): same versions, descriptions, types and
    /// checksums, so a database migrated by an older build stays valid.
    #[tokio::test]
    async fn embedded_migrations_are_what_sqlx_reads_from_the_directory() {
        let key = |m: &Migration| {
            (
                m.version,
                m.description.to_string(),
                format!("{:?}", m.migration_type),
                m.checksum.to_vec(),
                m.no_tx,
            )
        };
        for (dir, embedded) in [
            ("sqlite", MIGRATIONS_SQLITE),
            ("postgres", MIGRATIONS_POSTGRES),
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(dir);
            let read = Migrator::new(path).await.expect("the directory resolves");
            let ours = Migrator::new(Embedded(embedded))
                .await
                .expect("embedded resolve");
            let read: Vec<_> = read.iter().map(key).collect();
            let ours: Vec<_> = ours.iter().map(key).collect();
            assert!(read.len() >= 16, "{dir}: {} migrations", read.len());
            assert_eq!(ours, read, "{dir}");
        }
    }
}
