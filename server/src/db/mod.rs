//! The database: the r2d2 pool, the embedded migrations, and the one way handlers reach
//! PostgreSQL ([`Db::run`], on the blocking thread pool).

pub mod lines;
pub mod lock;
pub mod models;
pub mod schema;
pub mod scope;
pub mod sql;
pub mod versioned;
pub mod watch;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::{Connection, PgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

/// Every migration of `migrations/`, compiled into the binary and run at start.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// A hash of the files of `migrations/` these [`MIGRATIONS`] were compiled from (see
/// `build.rs`): a database migrated by an older build of an edited migration (the tests'
/// template) is told apart by it.
pub const MIGRATIONS_HASH: &str = env!("PHARMACRM_MIGRATIONS_HASH");

/// How many times a transaction that failed to serialize is run again.
pub const SERIALIZATION_RETRIES: u32 = 3;

/// Runs `f` on one consistent snapshot (a read-only, repeatable-read transaction), so
/// what it reads in several queries agrees (a report's or a statement's rows and totals)
/// even while shipments and payments are being posted.
pub fn snapshot<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> AppResult<T>,
) -> AppResult<T> {
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(f)
}

/// Runs `step` again and again, each time in a transaction of its own, until it writes
/// nothing: a long rewrite (a migration's backfill) in short transactions, so that no
/// lock is held long and a stop loses one step at most. `step` returns how many rows it
/// wrote; returns their sum.
pub fn in_steps(
    conn: &mut PgConnection,
    mut step: impl FnMut(&mut PgConnection) -> AppResult<usize>,
) -> AppResult<usize> {
    let mut written = 0;
    loop {
        match conn.transaction(&mut step)? {
            0 => return Ok(written),
            n => written += n,
        }
    }
}

/// A pooled connection.
pub type Conn = PooledConnection<ConnectionManager<PgConnection>>;

/// The connection pool, cheap to clone, and whether the database answers.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<PgConnection>>,
    /// False from the first sign that PostgreSQL is gone until [`Db::ping`] gets an
    /// answer again ([`watch`]): calls meanwhile fail at once with UNAVAILABLE.
    available: Arc<AtomicBool>,
    /// One permit per pooled connection: a call waits for one here, asynchronously,
    /// before it takes a blocking thread, so a burst of calls queues cheaply instead of
    /// parking hundreds of blocking threads on the pool.
    permits: Arc<tokio::sync::Semaphore>,
}

/// The error of a call made while the database is unreachable.
fn unavailable() -> AppError {
    AppError::Unavailable(crate::msg!("error.database_unavailable"))
}

impl Db {
    /// Connects a pool of at most `max_size` connections.
    pub fn connect(database_url: &str, max_size: u32) -> anyhow::Result<Db> {
        let manager = ConnectionManager::<PgConnection>::new(database_url);
        let pool = Pool::builder()
            .max_size(max_size)
            // No `SELECT 1` before every use: a broken connection fails its query, is
            // dropped by the pool, and the caller gets UNAVAILABLE (see `Db::run`).
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(3))
            .build(manager)?;
        Ok(Db {
            pool,
            available: Arc::new(AtomicBool::new(true)),
            permits: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(max_size).unwrap_or(1).max(1),
            )),
        })
    }

    /// Runs the pending migrations.
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
        Ok(())
    }

    /// A connection for blocking code outside request handling (start-up, commands).
    pub fn get(&self) -> AppResult<Conn> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, so Diesel never
    /// blocks the async threads and no connection is held across an `.await`. While the
    /// database is unreachable it fails at once with UNAVAILABLE.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut PgConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if !self.available.load(Ordering::Relaxed) {
            return Err(unavailable());
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let pool = self.pool.clone();
        let available = self.available.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let result = pool
                .get()
                .map_err(AppError::from)
                .and_then(|mut conn| f(&mut conn));
            if matches!(result, Err(AppError::Unavailable(_))) {
                available.store(false, Ordering::Relaxed);
            }
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("database task")))?
    }

    /// Whether the database answers (within a second); records the answer for
    /// [`Db::run`].
    pub async fn ping(&self) -> bool {
        let pool = self.pool.clone();
        let up = tokio::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            pool.get_timeout(Duration::from_secs(1))
                .ok()
                .is_some_and(|mut conn| diesel::sql_query("SELECT 1").execute(&mut conn).is_ok())
        })
        .await
        .unwrap_or(false);
        self.available.store(up, Ordering::Relaxed);
        up
    }

    /// Like [`Db::run`], inside one transaction: committed when `f` returns `Ok`, rolled
    /// back otherwise. A transaction PostgreSQL aborts as a serialization failure (two
    /// writers crossing) is run again, up to [`SERIALIZATION_RETRIES`] times; after that
    /// the caller gets ABORTED ("try again").
    pub async fn transaction<T, F>(&self, f: F) -> AppResult<T>
    where
        F: Fn(&mut PgConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| {
            let mut attempt = 0;
            loop {
                match conn.transaction(&f) {
                    Err(AppError::Retry(_)) if attempt < SERIALIZATION_RETRIES => attempt += 1,
                    other => return other,
                }
            }
        })
        .await
    }
}
