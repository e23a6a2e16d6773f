//! A private PostgreSQL cluster, run from the system's PostgreSQL binaries.
//!
//! Layout under the cluster's root directory (`<data-dir>/pg` for the server):
//! `data/` (PGDATA), `run/` (the unix socket; no TCP port is opened), `postgres.log`.
//! When the server runs as root, PostgreSQL (which refuses root) runs as the `postgres`
//! user, which then owns the root directory.
//!
//! The test harness uses the same module with one cluster shared by all test processes.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use nix::unistd::{Uid, User, chown};

/// The port number PostgreSQL puts in its socket's file name (no TCP port is opened).
const SOCKET_PORT: u16 = 5432;
/// The cluster's superuser.
pub const SUPERUSER: &str = "pharmacrm";
/// The longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL).
const MAX_SOCKET_PATH: usize = 107;

/// How the cluster is tuned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Normal, crash-safe settings (the server).
    Safe,
    /// fsync off: for throw-away test clusters only.
    Fast,
}

/// A running private cluster.
pub struct Cluster {
    root: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<User>,
    /// Whether `stop` shuts it down: only a cluster this handle started, and only when
    /// asked to (the test harness leaves its shared cluster running for reuse).
    owned: bool,
}

impl Cluster {
    /// Starts the cluster in `root`, creating it with initdb on first use, or attaches to
    /// it when it is already running. With `stop_on_drop`, a cluster this call started is
    /// stopped by [`Cluster::stop`] and on drop; one it found running is left running.
    pub fn start(root: &Path, durability: Durability, stop_on_drop: bool) -> Result<Cluster> {
        let bin_dir = find_bin_dir()?;
        let run_as = unprivileged_user()?;
        fs::create_dir_all(root)
            .with_context(|| format!("creating the database directory {}", root.display()))?;
        let root = root
            .canonicalize()
            .with_context(|| format!("resolving {}", root.display()))?;
        let mut cluster = Cluster {
            root,
            bin_dir,
            run_as,
            owned: false,
        };
        cluster.prepare_directories()?;
        if !cluster.data_dir().join("PG_VERSION").exists() {
            cluster.initdb(durability)?;
        }
        if !cluster.is_running() {
            cluster.pg_ctl_start()?;
            cluster.owned = stop_on_drop;
        }
        cluster.wait_ready(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// PGDATA.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The directory holding the unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.root.join("run")
    }

    /// A libpq connection string for `database` as the cluster's superuser.
    pub fn database_url(&self, database: &str) -> String {
        let host = self.socket_dir().display().to_string().replace('\'', "\\'");
        format!("host='{host}' port={SOCKET_PORT} user={SUPERUSER} dbname={database}")
    }

    /// Creates `database` unless it exists.
    pub fn ensure_database(&self, database: &str) -> Result<()> {
        use diesel::{Connection, PgConnection, RunQueryDsl, sql_query};
        let mut conn = PgConnection::establish(&self.database_url("postgres"))
            .context("connecting to the private PostgreSQL cluster")?;
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists = sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(database)
            .get_result::<Count>(&mut conn)?
            .n
            > 0;
        if !exists {
            sql_query(format!("CREATE DATABASE {}", quote_ident(database))).execute(&mut conn)?;
        }
        Ok(())
    }

    /// Stops the cluster if this handle owns it.
    pub fn stop(&mut self) {
        if !self.owned {
            return;
        }
        self.owned = false;
        match self.pg_ctl(&["stop", "-m", "fast", "-w"]) {
            Ok(out) if out.status.success() => tracing::info!("PostgreSQL stopped"),
            Ok(out) => tracing::warn!(
                stderr = %String::from_utf8_lossy(&out.stderr),
                "PostgreSQL did not stop cleanly"
            ),
            Err(e) => tracing::warn!(error = %e, "could not stop PostgreSQL"),
        }
    }

    /// Starts the cluster again if it is not running (its postmaster was killed, or it
    /// stopped); whether it had to. A start can fail while the killed postmaster's
    /// children still hold its shared memory: the caller tries again a moment later.
    pub fn ensure_running(&mut self) -> Result<bool> {
        if self.is_running() {
            return Ok(false);
        }
        self.pg_ctl_start()?;
        self.wait_ready(Duration::from_secs(10))?;
        Ok(true)
    }

    /// The process id of the postmaster, from `postmaster.pid` (for tests and tools).
    pub fn postmaster_pid(&self) -> Option<i32> {
        fs::read_to_string(self.data_dir().join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    fn is_running(&self) -> bool {
        self.pg_ctl(&["status"])
            .map(|out| out.status.success())
            .unwrap_or(false)
    }

    fn prepare_directories(&self) -> Result<()> {
        let socket = self.socket_dir().join(format!(".s.PGSQL.{SOCKET_PORT}"));
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            bail!(
                "the database socket path {} is longer than the {MAX_SOCKET_PATH} bytes unix sockets allow; \
                 choose a shorter --data-dir",
                socket.display()
            );
        }
        if let Some(user) = &self.run_as {
            check_reachable(&self.root, user)?;
        }
        for dir in [self.root.clone(), self.socket_dir()] {
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
            if let Some(user) = &self.run_as {
                chown(&dir, Some(user.uid), Some(user.gid))
                    .with_context(|| format!("giving {} to user {}", dir.display(), user.name))?;
            }
        }
        Ok(())
    }

    fn initdb(&self, durability: Durability) -> Result<()> {
        tracing::info!(dir = %self.data_dir().display(), "creating the private PostgreSQL cluster");
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "--username",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ])
            .output()
            .context("running initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // Only the unix socket in our own directory, readable by its owner alone (and
        // root): no TCP port, so other clusters on the machine never clash with it.
        let socket_dir = self.socket_dir().display().to_string().replace('\'', "''");
        let mut conf = format!(
            "\n# PharmaCRM private cluster\nlisten_addresses = ''\n\
             unix_socket_directories = '{socket_dir}'\nunix_socket_permissions = 0700\n\
             max_connections = 200\ntimezone = 'UTC'\nlog_timezone = 'UTC'\n"
        );
        if durability == Durability::Fast {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf_path = self.data_dir().join("postgresql.conf");
        let mut existing = fs::read_to_string(&conf_path)?;
        existing.push_str(&conf);
        fs::write(&conf_path, existing)?;
        Ok(())
    }

    fn pg_ctl_start(&self) -> Result<()> {
        let log = self.root.join("postgres.log");
        let log_arg = log.display().to_string();
        let out = self.pg_ctl(&["start", "-w", "-t", "60", "-l", &log_arg])?;
        if !out.status.success() {
            let tail = fs::read_to_string(&log)
                .map(|s| {
                    s.lines()
                        .rev()
                        .take(15)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            bail!(
                "PostgreSQL did not start: {}{}\nlast lines of {}:\n{tail}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                log.display()
            );
        }
        Ok(())
    }

    fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let out = self
                .command("pg_isready")
                .arg("-h")
                .arg(self.socket_dir())
                .args(["-p", &SOCKET_PORT.to_string(), "-q"])
                .output()
                .context("running pg_isready")?;
            if out.status.success() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("PostgreSQL in {} did not become ready", self.root.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<Output> {
        self.command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(args)
            .output()
            .context("running pg_ctl")
    }

    /// A command for one of PostgreSQL's programs, run as the unprivileged user if needed.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.env("LC_ALL", "C")
            .env_remove("PGDATA")
            .current_dir(&self.root);
        if let Some(user) = &self.run_as {
            cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
            cmd.env("HOME", &self.root).env("USER", &user.name);
        }
        cmd
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// PostgreSQL's binaries: `PG_BIN_DIR`, else `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> Result<PathBuf> {
    let has_initdb = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        if has_initdb(&dir) {
            return Ok(dir);
        }
        bail!("PG_BIN_DIR={} holds no initdb/postgres", dir.display());
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_initdb(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_initdb(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir).ok_or_else(|| {
        anyhow!(
            "PostgreSQL's server binaries were not found. Install them with \
             `apt-get install -y postgresql` (Debian/Ubuntu), or set PG_BIN_DIR to the directory \
             holding initdb and postgres, or give --database-url for an existing database"
        )
    })
}

/// When running as root, the user PostgreSQL runs as (`postgres`); otherwise none.
fn unprivileged_user() -> Result<Option<User>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    match User::from_name("postgres")? {
        Some(user) => Ok(Some(user)),
        None => bail!(
            "PostgreSQL refuses to run as root, and there is no `postgres` user to run it as. \
             Install PostgreSQL (`apt-get install -y postgresql` creates that user), or run \
             PharmaCRM as a normal user"
        ),
    }
}

/// Fails with a clear sentence when `user` cannot reach `dir` (e.g. a checkout under
/// `/root`, which is mode 0700).
fn check_reachable(dir: &Path, user: &User) -> Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let Ok(meta) = fs::metadata(ancestor) else {
            continue;
        };
        let mode = meta.mode();
        let reachable = if meta.uid() == user.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !reachable {
            bail!(
                "PostgreSQL runs as user `{}` (it refuses root), and that user cannot enter {} \
                 (mode {:o}), so it cannot reach {}. Put the data directory somewhere it can \
                 reach, e.g. `--data-dir /var/lib/pharmacrm` or `--data-dir /tmp/pharmacrm`, \
                 or allow it with `chmod o+x {}`",
                user.name,
                ancestor.display(),
                mode & 0o7777,
                dir.display(),
                ancestor.display()
            );
        }
    }
    Ok(())
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
