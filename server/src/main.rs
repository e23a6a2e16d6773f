//! `pharmacrm-server`: the command line. See README.md for the contract.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use pharmacrm_server::app;
use pharmacrm_server::config::{AuthPolicy, Config, TlsSource};

/// The PharmaCRM gRPC server.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Address to accept TLS gRPC connections on.
    #[arg(long, default_value = "127.0.0.1:50051", global = true)]
    listen: SocketAddr,
    /// Where the private PostgreSQL cluster, TLS files and keys live.
    #[arg(long, default_value = "./var", global = true)]
    data_dir: PathBuf,
    /// An existing PostgreSQL database; without it the server runs its own private cluster
    /// in <data-dir>/pg.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// PEM certificate chain to present; by default one is generated in <data-dir>/tls.
    #[arg(long, requires = "tls_key", global = true)]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert", global = true)]
    tls_key: Option<PathBuf>,
    /// Password of the `admin` user created on first start (generated and printed if not given).
    #[arg(
        long,
        env = "PHARMACRM_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    admin_password: Option<String>,
    /// Also create demo departments and one demo user per position (see README).
    #[arg(long, global = true)]
    demo: bool,
    /// Minutes without a request after which a login session ends.
    #[arg(long, default_value_t = 30, global = true)]
    session_idle_minutes: u64,
    /// Hours after login at which a session ends regardless of activity.
    #[arg(long, default_value_t = 12, global = true)]
    session_max_hours: u64,
    /// Days before expiry from which a customer's certificate is flagged.
    #[arg(long, default_value_t = pharmacrm_server::config::DEFAULT_CERTIFICATE_WARNING_DAYS, global = true)]
    certificate_warning_days: u32,
    /// The business time zone (IANA name): business dates (due, overdue, ageing, report
    /// periods) are dates in this zone, whatever the machine's TZ.
    #[arg(
        long,
        env = "PHARMACRM_TIME_ZONE",
        default_value = "Asia/Shanghai",
        global = true
    )]
    time_zone: chrono_tz::Tz,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve gRPC (the default).
    Serve,
    /// Check the audit log's hash chain; exits non-zero at the first edited or missing row.
    VerifyAudit,
}

impl Cli {
    fn config(&self) -> Config {
        let mut config = Config::new(&self.data_dir);
        config.listen = self.listen;
        config.database_url = self.database_url.clone();
        config.tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            },
            _ => TlsSource::Generated,
        };
        config.auth = AuthPolicy {
            idle_timeout: Duration::from_secs(self.session_idle_minutes * 60),
            absolute_timeout: Duration::from_secs(self.session_max_hours * 3600),
            ..AuthPolicy::default()
        };
        config.admin_password = self.admin_password.clone();
        config.demo = self.demo;
        config.certificate_warning_days = self.certificate_warning_days;
        config.time_zone = self.time_zone;
        config
    }
}

fn main() -> ExitCode {
    rustls::crypto::ring::default_provider()
        .install_default()
        .expect("no other rustls crypto provider is installed");
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,h2=warn,tower=warn,hyper=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::VerifyAudit) => verify_audit(&cli),
        Some(Command::Serve) | None => serve(&cli),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn verify_audit(cli: &Cli) -> Result<ExitCode> {
    match app::verify_audit(&cli.config())? {
        Ok(rows) => {
            println!("audit log intact: {rows} rows verified");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("audit log TAMPERED at row {}: {}", broken.id, broken.reason);
            Ok(ExitCode::from(2))
        }
    }
}

fn serve(cli: &Cli) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = cli.config();
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let mut running = app::start(config, listener).await?;
        if let Some(password) = &running.seed_report.generated_admin_password {
            println!("created user `admin` with password {password} (shown once; change it after logging in)");
        }
        if let Some(ca) = &running.ca_cert {
            println!("clients trust the CA certificate {}", ca.display());
        }
        println!("listening on https://{}", running.addr);
        use tokio::signal::unix::{SignalKind, signal};
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sigint = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = sigterm.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = sigint.recv() => tracing::info!("SIGINT: shutting down"),
            result = running.wait() => {
                result?;
            }
        }
        running.shutdown().await?;
        Ok(ExitCode::SUCCESS)
    })
}
