//! All SQL. One file per table; the SQLite/PostgreSQL differences are
//! handled here once (both accept `$1` placeholders, so queries are shared).

pub mod accounts;
pub mod activation;
pub mod enrollments;
pub mod notices;
pub mod org_units;
pub mod people;
pub mod plugins;
pub mod reports;
pub mod upgrades;

use std::str::FromStr;

use anyhow::{Context as _, bail};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

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
}

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
                        // Per connection: enforce foreign keys, wait on a busy
                        // writer; in WAL, NORMAL sync loses nothing on a crash
                        // of the process, only possibly the last commits on a
                        // power cut, and makes a commit ~10x cheaper. Reads go
                        // through a memory map and a 32 MiB page cache rather
                        // than a read() per page and SQLite's 2 MiB.
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;
                             PRAGMA mmap_size = 2147418112; PRAGMA cache_size = -32768;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
        };
        let pool = match backend {
            // WAL readers run alongside the one writer.
            Backend::Sqlite => connect(8),
            Backend::Postgres => connect(16),
        }
        .await
        .with_context(|| format!("connecting to {url}"))?;
        if backend == Backend::Sqlite {
            // Persistent in the file: readers never block the writer.
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
        };
        migrator.run(&pool).await.context("applying migrations")?;
        let writer = match backend {
            Backend::Sqlite => connect(1)
                .await
                .with_context(|| format!("connecting to {url}"))?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            backend,
            writer,
        })
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

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
