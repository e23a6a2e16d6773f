//! The database: the r2d2 pool, the embedded migrations, and the one way handlers reach
//! PostgreSQL ([`Db::run`], on the blocking thread pool).

pub mod models;
pub mod schema;
pub mod scope;
pub mod sql;
pub mod versioned;

use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::{Connection, PgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

/// Every migration of `migrations/`, compiled into the binary and run at start.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// How many times a transaction that failed to serialize is run again.
pub const SERIALIZATION_RETRIES: u32 = 3;

/// A pooled connection.
pub type Conn = PooledConnection<ConnectionManager<PgConnection>>;

/// The connection pool, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<PgConnection>>,
}

impl Db {
    /// Connects a pool of at most `max_size` connections.
    pub fn connect(database_url: &str, max_size: u32) -> anyhow::Result<Db> {
        let manager = ConnectionManager::<PgConnection>::new(database_url);
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)?;
        Ok(Db { pool })
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
    /// blocks the async threads and no connection is held across an `.await`.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut PgConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("database task")))?
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
