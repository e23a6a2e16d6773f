//! The server's settings, from the command line and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Certificates expiring within this many days are flagged unless configured otherwise.
pub const DEFAULT_CERTIFICATE_WARNING_DAYS: u32 = 30;

/// Session and login rules.
#[derive(Clone, Debug)]
pub struct AuthPolicy {
    /// A login session ends after this long without a request.
    pub idle_timeout: Duration,
    /// A login session ends this long after login, whatever happens.
    pub absolute_timeout: Duration,
    /// This many failed logins in a row lock the username…
    pub max_failed_logins: i32,
    /// …for this long.
    pub lockout: Duration,
    /// How many Argon2 hashes may run at once (each takes 19 MiB and a core).
    pub max_concurrent_hashes: usize,
    /// How many more may wait; past that a login is refused at once (RESOURCE_EXHAUSTED).
    pub hash_queue: usize,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            // One core is left for everything else.
            max_concurrent_hashes: std::thread::available_parallelism()
                .map_or(1, |n| n.get().saturating_sub(1).max(1)),
            hash_queue: 16,
        }
    }
}

/// Where the TLS identity comes from.
#[derive(Clone, Debug)]
pub enum TlsSource {
    /// Generated on first start in `<data-dir>/tls/`.
    Generated,
    /// The operator's files (PEM).
    Files { cert: PathBuf, key: PathBuf },
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where the private database, TLS files and keys live.
    pub data_dir: PathBuf,
    /// An external database; `None` runs the private cluster in `<data-dir>/pg`.
    pub database_url: Option<String>,
    /// The TLS identity.
    pub tls: TlsSource,
    /// Session and login rules.
    pub auth: AuthPolicy,
    /// The `admin` password on first start; generated and printed when `None`.
    pub admin_password: Option<String>,
    /// Also create demo departments and one demo user per position.
    pub demo: bool,
    /// Database pool size.
    pub pool_size: u32,
    /// Certificates expiring within this many days are flagged.
    pub certificate_warning_days: u32,
    /// The business time zone: every business date (due, overdue, ageing, report
    /// periods) is a date in this zone, whatever the machine's `TZ`.
    pub time_zone: chrono_tz::Tz,
}

impl Config {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            data_dir: data_dir.into(),
            database_url: None,
            tls: TlsSource::Generated,
            auth: AuthPolicy::default(),
            admin_password: None,
            demo: false,
            pool_size: 16,
            certificate_warning_days: DEFAULT_CERTIFICATE_WARNING_DAYS,
            time_zone: crate::clock::DEFAULT_TIME_ZONE,
        }
    }

    /// `<data-dir>/tls`.
    pub fn tls_dir(&self) -> PathBuf {
        self.data_dir.join("tls")
    }

    /// `<data-dir>/keys`: secrets that must not live in the database.
    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    /// `<data-dir>/pg`: the private cluster.
    pub fn pg_dir(&self) -> PathBuf {
        self.data_dir.join("pg")
    }
}
