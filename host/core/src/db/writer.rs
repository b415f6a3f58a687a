//! SQLite's hot writer: one thread that owns a write connection and runs
//! each transaction handed to it whole, one after another.
//!
//! SQLite takes one writer at a time anyway. Queued here, a transaction
//! waits for the one before it without sleeping in SQLite's busy handler,
//! and once it begins nothing else runs on this thread until it commits:
//! no statement waits for the async scheduler while the lock is held.

use std::sync::mpsc;

use anyhow::anyhow;

type Job = Box<dyn FnOnce(&mut rusqlite::Connection) + Send>;

/// A handle on the writer thread; the thread ends with the last handle.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the SQLite file at `path` (already migrated, in WAL) with
    /// `pragmas`, and starts the thread.
    pub fn open(path: &std::path::Path, pragmas: &str) -> anyhow::Result<Self> {
        let mut conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(pragmas)?;
        conn.set_prepared_statement_cache_capacity(64);
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("baton-sqlite-writer".into())
            .spawn(move || {
                for job in queue {
                    // A job that panics loses its own answer (its caller hears
                    // the writer stopped); its transaction rolls back as it
                    // unwinds, and the thread goes on with the next one.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        job(&mut conn);
                    }));
                }
            })?;
        Ok(Self { jobs })
    }

    /// Runs `job` on the writer thread and waits for its answer.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut rusqlite::Connection) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = answer.send(job(conn));
            }))
            .map_err(|_| anyhow!("SQLite's writer thread is gone"))?;
        answered
            .await
            .map_err(|_| anyhow!("SQLite's writer thread failed during a write"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job that panics loses its own answer and rolls back its
    /// transaction; the thread goes on with the next job.
    #[tokio::test]
    async fn a_panicking_job_rolls_back_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("w.db");
        let writer = Writer::open(&path, "PRAGMA busy_timeout = 5000;").expect("opens");
        writer
            .run(|c| c.execute_batch("CREATE TABLE t (n INTEGER)"))
            .await
            .expect("ran")
            .expect("created");
        let lost = writer
            .run(|c| {
                let tx = c.transaction().expect("begins");
                tx.execute("INSERT INTO t VALUES (1)", []).expect("inserts");
                panic!("a bug in a job");
            })
            .await;
        assert!(lost.is_err(), "the caller hears the write failed");
        let count: i64 = writer
            .run(|c| c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)))
            .await
            .expect("the writer still runs")
            .expect("counted");
        assert_eq!(count, 0, "the panicking job's insert was rolled back");
    }
}
