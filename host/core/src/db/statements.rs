//! A write transaction's statements, written once for either connection.
//!
//! Acting's write (the log entry, the new state, sign-offs, notices, turns,
//! roll-ups) is written against [`Tx`]. On PostgreSQL each statement is
//! awaited on a sqlx transaction. On SQLite the whole transaction is one job
//! on the writer thread ([`super::writer`]) and its statements run
//! synchronously there: the write lock is held for as long as SQLite works
//! and no longer. Through sqlx every statement was handed to a thread of its
//! own and back, and the transaction waited on the async scheduler between
//! every two, holding the lock all the while (the load benchmark: acting
//! stopped at 661–821 requests a second, the CPU spent in that hand-off).

use std::future::Future;

use sqlx::Row as _;

/// A bound value. A null keeps its type: PostgreSQL is told each parameter's.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// An integer.
    Int(Option<i64>),
    /// Text.
    Text(Option<&'a str>),
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Arg::Text(v.as_deref())
    }
}

/// A column's type, to read it by.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An integer.
    Int,
    /// Text.
    Text,
}

/// A value read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// An integer.
    Int(Option<i64>),
    /// Text.
    Text(Option<String>),
}

impl Cell {
    /// The integer, if it is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(v) => *v,
            Cell::Text(_) => None,
        }
    }

    /// The text, if it is some.
    pub fn text(self) -> Option<String> {
        match self {
            Cell::Text(v) => v,
            Cell::Int(_) => None,
        }
    }
}

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Through sqlx.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// On SQLite's writer thread.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

impl Failure {
    /// A unique index refused the row.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Failure::Sqlx(e) => e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation()),
            Failure::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            Failure::Sqlite(_) => false,
        }
    }

    /// PostgreSQL chose this transaction to break a deadlock (40P01).
    pub fn is_deadlock(&self) -> bool {
        match self {
            Failure::Sqlx(e) => e
                .as_database_error()
                .is_some_and(|d| d.code().as_deref() == Some("40P01")),
            Failure::Sqlite(_) => false,
        }
    }
}

/// A connection inside a transaction.
pub trait Tx {
    /// Runs `sql` with `args` bound to `$1`, `$2`…: the rows it changed.
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
    ) -> impl Future<Output = Result<u64, Failure>> + Send + 'a;

    /// Runs the query `sql`: its rows, each column read as `kinds` says.
    fn fetch<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
        kinds: &'a [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, Failure>> + Send + 'a;
}

fn bind<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &'q [Arg<'q>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for arg in args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    query
}

impl Tx for sqlx::AnyConnection {
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
    ) -> impl Future<Output = Result<u64, Failure>> + Send + 'a {
        async move {
            let done = bind(sqlx::query(sql), args).execute(&mut *self).await?;
            Ok(done.rows_affected())
        }
    }

    fn fetch<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
        kinds: &'a [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, Failure>> + Send + 'a {
        async move {
            let rows = bind(sqlx::query(sql), args).fetch_all(&mut *self).await?;
            let cells = rows
                .iter()
                .map(|row| {
                    kinds
                        .iter()
                        .enumerate()
                        .map(|(i, kind)| {
                            Ok(match kind {
                                Kind::Int => Cell::Int(row.try_get(i)?),
                                Kind::Text => Cell::Text(row.try_get(i)?),
                            })
                        })
                        .collect::<Result<Vec<_>, sqlx::Error>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(cells)
        }
    }
}

/// SQLite's write connection, on the writer thread, inside a transaction.
pub struct Lite<'c>(pub &'c rusqlite::Connection);

impl Lite<'_> {
    fn prepared<'s>(
        &'s self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<rusqlite::CachedStatement<'s>, rusqlite::Error> {
        let mut statement = self.0.prepare_cached(sql)?;
        // The SQL is shared with PostgreSQL: `$1` is a name to SQLite, whose
        // own numbering follows first appearance.
        let mut name = String::with_capacity(4);
        for (n, arg) in args.iter().enumerate() {
            name.clear();
            name.push('$');
            name.push_str(&(n + 1).to_string());
            let Some(index) = statement.parameter_index(&name)? else {
                continue;
            };
            match *arg {
                Arg::Int(v) => statement.raw_bind_parameter(index, v)?,
                Arg::Text(v) => statement.raw_bind_parameter(index, v)?,
            }
        }
        Ok(statement)
    }
}

impl Tx for Lite<'_> {
    fn execute<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
    ) -> impl Future<Output = Result<u64, Failure>> + Send + 'a {
        let done = self
            .prepared(sql, args)
            .and_then(|mut s| s.raw_execute())
            .map(|n| n as u64)
            .map_err(Failure::from);
        std::future::ready(done)
    }

    fn fetch<'a>(
        &'a mut self,
        sql: &'a str,
        args: &'a [Arg<'a>],
        kinds: &'a [Kind],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, Failure>> + Send + 'a {
        let read = || {
            let mut statement = self.prepared(sql, args)?;
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let cells = kinds
                    .iter()
                    .enumerate()
                    .map(|(i, kind)| {
                        Ok(match kind {
                            Kind::Int => Cell::Int(row.get(i)?),
                            Kind::Text => Cell::Text(row.get(i)?),
                        })
                    })
                    .collect::<Result<Vec<_>, rusqlite::Error>>()?;
                out.push(cells);
            }
            Ok(out)
        };
        std::future::ready(read().map_err(Failure::Sqlite))
    }
}

/// The output of a future that never waits (one made of [`Lite`]'s
/// statements), or `None` if it would have.
pub fn now_or_never<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => Some(out),
        std::task::Poll::Pending => None,
    }
}
