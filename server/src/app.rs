//! Putting the server together: data directory, database, migrations, seeding, TLS, and
//! the gRPC services behind the authentication layer.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use pharmacrm_shared::pb;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use crate::auth::{AuthLayer, Passwords};
use crate::clock::Clock;
use crate::config::{Config, TlsSource};
use crate::db::Db;
use crate::db::models::audit_log::AuditKey;
use crate::pg::{Cluster, Durability};
use crate::services::{
    admin::AdminApi, audit::AuditApi, auth::AuthApi, customers::CustomerApi, drugs::DrugApi,
    finance::FinanceApi, orders::OrderApi, reports::ReportApi,
};
use crate::state::{AppState, Settings};
use crate::{seed, tls};

/// The database name inside the private cluster.
pub const DATABASE: &str = "pharmacrm";

/// A running server.
pub struct Running {
    /// The address it accepts connections on.
    pub addr: SocketAddr,
    /// The CA certificate clients should trust (generated identity only).
    pub ca_cert: Option<PathBuf>,
    /// What seeding did on this start.
    pub seed_report: seed::SeedReport,
    /// The business clock the server runs on (tests pin it).
    pub clock: Arc<Clock>,
    /// The private cluster, if the server runs one (tests kill its postmaster).
    pub cluster: Option<Arc<Mutex<Cluster>>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    watch: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(watch) = self.watch.take() {
            watch.abort();
        }
    }
}

impl Running {
    /// Stops accepting, finishes in-flight calls, then stops the private cluster.
    pub async fn shutdown(mut self) -> Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await??;
        }
        if let Some(watch) = self.watch.take() {
            watch.abort();
        }
        if let Some(cluster) = self.cluster.take() {
            tokio::task::spawn_blocking(move || {
                if let Ok(mut cluster) = cluster.lock() {
                    cluster.stop();
                }
            })
            .await?;
        }
        Ok(())
    }

    /// Serves until the server task ends (it ends on shutdown or on a fatal error).
    pub async fn wait(&mut self) -> Result<()> {
        if let Some(task) = self.task.as_mut() {
            (&mut *task).await??;
            self.task = None;
        }
        Ok(())
    }
}

/// Reads the audit key from `<data-dir>/keys/audit.key`, creating it on first start.
pub fn load_or_create_audit_key(keys_dir: &Path) -> Result<AuditKey> {
    use std::os::unix::fs::PermissionsExt;
    let path = keys_dir.join("audit.key");
    if !path.exists() {
        fs::create_dir_all(keys_dir).with_context(|| format!("creating {}", keys_dir.display()))?;
        fs::set_permissions(keys_dir, fs::Permissions::from_mode(0o700))?;
        let mut key = [0_u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        tls::write_private(&path, &hex::encode(key))?;
    }
    load_audit_key(keys_dir)
}

/// Reads the audit key from `<data-dir>/keys/audit.key`.
pub fn load_audit_key(keys_dir: &Path) -> Result<AuditKey> {
    let path = keys_dir.join("audit.key");
    let text = fs::read_to_string(&path)
        .with_context(|| format!("reading the audit key {}", path.display()))?;
    let bytes =
        hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes", path.display()))?;
    Ok(AuditKey(key))
}

/// Opens the database the config names, starting the private cluster if it names none.
pub fn open_database(config: &Config) -> Result<(Db, Option<Cluster>)> {
    let (url, cluster) = match &config.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let cluster = Cluster::start(&config.pg_dir(), Durability::Safe, true)?;
            cluster.ensure_database(DATABASE)?;
            (cluster.database_url(DATABASE), Some(cluster))
        }
    };
    let db = Db::connect(&url, config.pool_size).context("connecting to PostgreSQL")?;
    db.migrate()?;
    // Search columns added by a migration are filled here: pinyin needs its dictionary.
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    let filled = crate::db::models::customer::backfill_search(&mut conn)
        .and_then(|n| Ok(n + crate::db::models::drug::backfill_search(&mut conn)?))
        .map_err(|e| anyhow::anyhow!("filling search columns: {e}"))?;
    if filled > 0 {
        tracing::info!(rows = filled, "filled the search columns of earlier rows");
    }
    Ok((db, cluster))
}

/// Starts the server on `listener` (bound already, so tests can use port 0).
pub async fn start(config: Config, listener: TcpListener) -> Result<Running> {
    fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let audit_key = load_or_create_audit_key(&config.keys_dir())?;
    let data_key = Arc::new(crate::crypto::DataKey::load_or_create(&config.keys_dir())?);
    let clock = Arc::new(Clock::new(config.time_zone));

    let cfg = config.clone();
    let key = audit_key.clone();
    let seed_clock = clock.clone();
    let personal_data_key = data_key.clone();
    let (db, cluster, seed_report) = tokio::task::spawn_blocking(move || -> Result<_> {
        let (db, cluster) = open_database(&cfg)?;
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        let demo = cfg.demo.then_some(seed::Demo {
            data_key: personal_data_key.as_ref(),
            clock: &seed_clock,
        });
        let report = seed::seed(&mut conn, &key, cfg.admin_password.as_deref(), demo)
            .map_err(|e| anyhow::anyhow!("seeding the database: {e}"))?;
        Ok((db, cluster, report))
    })
    .await??;

    let (identity, ca_cert) = match &config.tls {
        TlsSource::Generated => {
            let identity = tls::load_or_generate(&config.tls_dir())?;
            (
                identity,
                Some(tls::GeneratedPaths::in_dir(&config.tls_dir()).ca_cert),
            )
        }
        TlsSource::Files { cert, key } => (tls::load(cert, key)?, None),
    };

    // Report exports are written here, then streamed and deleted; what a crash left is
    // removed at start.
    let export_dir = config.data_dir.join("exports");
    if export_dir.exists() {
        std::fs::remove_dir_all(&export_dir)?;
    }
    std::fs::create_dir_all(&export_dir)?;

    let state = Arc::new(AppState {
        db,
        audit_key,
        passwords: Passwords::new(config.auth.max_concurrent_hashes, config.auth.hash_queue),
        data_key,
        policy: config.auth.clone(),
        clock: clock.clone(),
        settings: Settings {
            certificate_warning_days: config.certificate_warning_days,
            export_dir,
        },
        exports: crate::state::ExportSlots::for_pool(config.pool_size),
    });

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<pb::auth_service_server::AuthServiceServer<AuthApi>>()
        .await;
    health_reporter
        .set_serving::<pb::admin_service_server::AdminServiceServer<AdminApi>>()
        .await;
    health_reporter
        .set_serving::<pb::audit_service_server::AuditServiceServer<AuditApi>>()
        .await;
    health_reporter
        .set_serving::<pb::drug_service_server::DrugServiceServer<DrugApi>>()
        .await;
    health_reporter
        .set_serving::<pb::customer_service_server::CustomerServiceServer<CustomerApi>>()
        .await;
    health_reporter
        .set_serving::<pb::order_service_server::OrderServiceServer<OrderApi>>()
        .await;
    health_reporter
        .set_serving::<pb::finance_service_server::FinanceServiceServer<FinanceApi>>()
        .await;
    health_reporter
        .set_serving::<pb::report_service_server::ReportServiceServer<ReportApi>>()
        .await;
    // Our services, health, and google.rpc's error details (BadRequest, ErrorInfo,
    // LocalizedMessage), so a generic client such as grpcurl can decode errors.
    let watched = vec![
        "".to_owned(),
        "pharmacrm.v1.AuthService".to_owned(),
        "pharmacrm.v1.AdminService".to_owned(),
        "pharmacrm.v1.AuditService".to_owned(),
        "pharmacrm.v1.DrugService".to_owned(),
        "pharmacrm.v1.CustomerService".to_owned(),
        "pharmacrm.v1.OrderService".to_owned(),
        "pharmacrm.v1.FinanceService".to_owned(),
        "pharmacrm.v1.ReportService".to_owned(),
    ];
    let cluster = cluster.map(|c| Arc::new(Mutex::new(c)));
    let watch = crate::db::watch::spawn(
        state.db.clone(),
        cluster.clone(),
        health_reporter.clone(),
        watched,
    );
    let reflection_builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection = reflection_builder().build_v1()?;
    let reflection_alpha = reflection_builder().build_v1alpha()?;

    let addr = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let router = Server::builder()
        .tls_config(
            ServerTlsConfig::new()
                .identity(Identity::from_pem(&identity.cert_pem, &identity.key_pem)),
        )?
        .layer(AuthLayer::new(state.clone()))
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_alpha)
        .add_service(pb::auth_service_server::AuthServiceServer::new(
            AuthApi::new(state.clone()),
        ))
        .add_service(pb::admin_service_server::AdminServiceServer::new(
            AdminApi::new(state.clone()),
        ))
        .add_service(pb::audit_service_server::AuditServiceServer::new(
            AuditApi::new(state.clone()),
        ))
        .add_service(
            pb::drug_service_server::DrugServiceServer::new(DrugApi::new(state.clone()))
                // An Excel import carries the workbook: up to twice the largest taken,
                // one too large is refused on its field, naming the limit (past that,
                // the transport's OUT_OF_RANGE).
                .max_decoding_message_size(2 * crate::drug_import::MAX_BYTES),
        )
        .add_service(
            pb::customer_service_server::CustomerServiceServer::new(CustomerApi::new(
                state.clone(),
            ))
            // A certificate scan may be 10 MB: up to twice that, one too large is refused
            // on `scan`, naming the limit (past that, the transport's OUT_OF_RANGE).
            .max_decoding_message_size(2 * crate::db::models::customer_certificate::MAX_SCAN_BYTES),
        )
        .add_service(pb::order_service_server::OrderServiceServer::new(
            OrderApi::new(state.clone()),
        ))
        .add_service(
            pb::finance_service_server::FinanceServiceServer::new(FinanceApi::new(state.clone()))
                // A statement of every customer may pass the default 4 MB.
                .max_encoding_message_size(pharmacrm_shared::FINANCE_MAX_MESSAGE_BYTES),
        )
        .add_service(pb::report_service_server::ReportServiceServer::new(
            ReportApi::new(state.clone()),
        ));
    // TCP_NODELAY: without it Nagle's algorithm holds each small response until the
    // client's delayed ACK, about 40 ms on every call.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async move {
        let _ = shutdown_rx.await;
    }));
    if addr.port() == 0 {
        bail!("the listener has no port");
    }
    Ok(Running {
        addr,
        ca_cert,
        seed_report,
        clock,
        shutdown: Some(shutdown_tx),
        task: Some(task),
        watch: Some(watch),
        cluster,
    })
}

/// Checks the audit chain of the configured database (the `verify-audit` command).
pub fn verify_audit(
    config: &Config,
) -> Result<std::result::Result<u64, crate::db::models::audit_log::ChainBreak>> {
    let key = load_audit_key(&config.keys_dir())?;
    let (db, _cluster) = open_database(config)?;
    let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::db::models::audit_log::verify(&mut conn, &key).map_err(|e| anyhow::anyhow!("{e}"))
}
