//! What every handler shares: the pool, the keys, the policies, the business clock.

use std::sync::Arc;

use diesel::PgConnection;

use crate::auth::{Passwords, Session};
use crate::clock::Clock;
use crate::config::AuthPolicy;
use crate::crypto::DataKey;
use crate::db::Db;
use crate::db::models::WriteCtx;
use crate::db::models::audit_log::AuditKey;
use crate::db::models::customer_certificate::CertificateWindow;
use crate::db::scope::Reps;
use crate::error::{AppError, AppResult};

/// Settings fixed at start (from the command line).
#[derive(Clone, Debug)]
pub struct Settings {
    /// A certificate expiring within this many days (business dates) is flagged.
    pub certificate_warning_days: u32,
    /// Where report exports are written before they are streamed (then deleted).
    pub export_dir: std::path::PathBuf,
}

/// The server's shared state.
pub struct AppState {
    /// The connection pool.
    pub db: Db,
    /// The audit chain's key.
    pub audit_key: AuditKey,
    /// Session and login rules.
    pub policy: AuthPolicy,
    /// Password hashing.
    pub passwords: Passwords,
    /// The key protecting personal data (ID numbers) at rest.
    pub data_key: Arc<DataKey>,
    /// Now, and the business time zone every business date is taken in.
    pub clock: Arc<Clock>,
    /// Settings fixed at start.
    pub settings: Settings,
    /// Report exports running at once.
    pub exports: ExportSlots,
}

/// Room for report exports running at once. Each holds a pooled connection while its rows
/// are written, so they are capped at a quarter of the pool (at least one): other calls
/// keep their connections whatever number of people export.
#[derive(Clone, Debug)]
pub struct ExportSlots(Arc<tokio::sync::Semaphore>);

impl ExportSlots {
    /// Room for a quarter of a pool of `pool_size` connections, at least one.
    pub fn for_pool(pool_size: u32) -> ExportSlots {
        let n = usize::try_from(pool_size / 4).unwrap_or(1).max(1);
        ExportSlots(Arc::new(tokio::sync::Semaphore::new(n)))
    }

    /// A slot held until dropped. Errors: RESOURCE_EXHAUSTED ("try again in a minute")
    /// while every slot is taken; the caller is not queued, as an export may run for
    /// minutes.
    pub fn take(&self) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::Exhausted(crate::msg!("report.exports_busy")))
    }
}

impl AppState {
    /// Runs `f` in one transaction as the caller of `session`, with what it needs to
    /// check grants and write the audit log.
    pub async fn write<T, F>(&self, session: Session, f: F) -> AppResult<T>
    where
        F: Fn(&mut PgConnection, WriteCtx<'_>) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let audit_key = self.audit_key.clone();
        let zone = self.clock.zone();
        self.db
            .transaction(move |conn| {
                let actor = session.actor();
                let grants = session.grants();
                f(conn, WriteCtx::new(&actor, &grants, &audit_key))
            })
            .await
            .map_err(|e| e.in_zone(zone))
    }

    /// Runs `f`, a read, within the data scope of the caller of `session`: the customers
    /// it covers ([`Reps`], read first), which every order, shipment, exception, invoice,
    /// payment and report is seen through. It runs on one consistent snapshot (a
    /// read-only, repeatable-read transaction, [`crate::db::snapshot`]): what it reads in
    /// several queries agrees — a list's page with its count and sum, an order with its
    /// lines, a statement's or a report's rows with its totals — even while shipments and
    /// payments are being posted.
    pub async fn read_scoped<T, F>(&self, session: &Session, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut PgConnection, &Reps) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let viewer = session.viewer();
        self.db
            .run(move |conn| {
                crate::db::snapshot(conn, |conn| {
                    let reps = viewer.reps(conn)?;
                    f(conn, &reps)
                })
            })
            .await
    }

    /// [`AppState::write`] within the data scope of the caller of `session` (see
    /// [`AppState::read_scoped`]), read inside the transaction.
    pub async fn write_scoped<T, F>(&self, session: Session, f: F) -> AppResult<T>
    where
        F: Fn(&mut PgConnection, WriteCtx<'_>, &Reps) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let viewer = session.viewer();
        self.write(session, move |conn, ctx| {
            let reps = viewer.reps(conn)?;
            f(conn, ctx, &reps)
        })
        .await
    }

    /// Today's certificate flags: today in the business time zone and the warning period.
    pub fn certificate_window(&self) -> CertificateWindow {
        CertificateWindow {
            today: self.clock.today(),
            warning_days: self.settings.certificate_warning_days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_past_a_quarter_of_the_pool_are_refused_until_one_ends() {
        let slots = ExportSlots::for_pool(8);
        let first = slots.take().expect("first export");
        let _second = slots.take().expect("second export");
        assert!(matches!(slots.take(), Err(AppError::Exhausted(_))));
        drop(first);
        assert!(slots.take().is_ok(), "a finished export frees its slot");
        let tiny = ExportSlots::for_pool(2);
        assert!(tiny.take().is_ok(), "a small pool still allows one export");
    }
}
