//! Watching the database: when PostgreSQL is unreachable, calls fail at once with
//! UNAVAILABLE (instead of waiting for the pool's timeout), health reports NOT_SERVING,
//! the server restarts the private cluster it owns, and everything serves again as soon as
//! the database answers. An external database (`--database-url`) is reconnected to when it
//! comes back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use super::Db;
use crate::pg::Cluster;

/// How often the database is checked.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// Watches `db` until the returned task is aborted: `services` are the health names to
/// switch between SERVING and NOT_SERVING; `cluster` is the private cluster to restart.
pub fn spawn(
    db: Db,
    cluster: Option<Arc<Mutex<Cluster>>>,
    health: HealthReporter,
    services: Vec<String>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut serving = true;
        loop {
            tokio::time::sleep(INTERVAL).await;
            let up = db.ping().await;
            if up != serving {
                serving = up;
                let status = if up {
                    tracing::info!("the database answers again: serving");
                    ServingStatus::Serving
                } else {
                    tracing::error!("the database does not answer: not serving");
                    ServingStatus::NotServing
                };
                for service in &services {
                    health.set_service_status(service.as_str(), status).await;
                }
            }
            if !up && let Some(cluster) = &cluster {
                let cluster = cluster.clone();
                let restarted = tokio::task::spawn_blocking(move || {
                    cluster
                        .lock()
                        .map_err(|_| anyhow::anyhow!("the cluster handle is poisoned"))?
                        .ensure_running()
                })
                .await;
                match restarted {
                    Ok(Ok(true)) => tracing::warn!("restarted the private PostgreSQL cluster"),
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "the private cluster did not start yet")
                    }
                    Err(e) => tracing::warn!(error = %e, "restarting the private cluster"),
                }
            }
        }
    })
}
