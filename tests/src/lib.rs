//! The end-to-end test harness.
//!
//! One private PostgreSQL cluster serves every test process of a run (nextest runs each
//! test in its own process): the first process starts it under a file lock and later ones
//! attach. A template database is migrated once; each test gets its own database copied
//! from it and a real server on `127.0.0.1:0` with real TLS, and talks to it through
//! typed gRPC clients over the network.

pub mod bench;
pub mod fixtures;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use diesel::{Connection, PgConnection, RunQueryDsl};
use pharmacrm_server::app::{self, Running};
use pharmacrm_server::clock::Clock;
use pharmacrm_server::config::Config;
use pharmacrm_server::pg::{Cluster, Durability, quote_ident};
use pharmacrm_shared::pb;
use pharmacrm_shared::pb::admin_service_client::AdminServiceClient;
use pharmacrm_shared::pb::audit_service_client::AuditServiceClient;
use pharmacrm_shared::pb::auth_service_client::AuthServiceClient;
use pharmacrm_shared::pb::customer_service_client::CustomerServiceClient;
use pharmacrm_shared::pb::drug_service_client::DrugServiceClient;
use pharmacrm_shared::pb::finance_service_client::FinanceServiceClient;
use pharmacrm_shared::pb::order_service_client::OrderServiceClient;
use pharmacrm_shared::pb::report_service_client::ReportServiceClient;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use tonic::{Code, Request, Status};

/// The `admin` password every test server is seeded with.
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The password of users the harness creates.
pub const USER_PASSWORD: &str = "user-password-1";

const TEMPLATE: &str = "pharmacrm_template";

struct Shared {
    cluster: Cluster,
}

/// The run's shared cluster, with the template migrated.
fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        init_tracing();
        let root = cluster_root();
        let _lock = FileLock::acquire(&root.with_extension("lock"));
        let cluster =
            Cluster::start(&root, Durability::Fast, false).expect("start the test cluster");
        rebuild_stale_template(&cluster);
        cluster
            .ensure_database(TEMPLATE)
            .expect("create the template database");
        {
            let db = pharmacrm_server::db::Db::connect(&cluster.database_url(TEMPLATE), 1)
                .expect("connect to the template");
            db.migrate().expect("migrate the template");
        }
        mark_template(&cluster);
        drop_stale_databases(&cluster);
        Shared { cluster }
    })
}

/// Drops the template when it was migrated from other migration files than this build's
/// (an edited `up.sql` keeps its version, so migrating again would not apply it).
fn rebuild_stale_template(cluster: &Cluster) {
    #[derive(diesel::QueryableByName)]
    struct Mark {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        mark: Option<String>,
    }
    let mut conn = PgConnection::establish(&cluster.database_url("postgres")).expect("connect");
    let marks: Vec<Mark> = diesel::sql_query(
        "SELECT shobj_description(oid, 'pg_database') AS mark FROM pg_database
          WHERE datname = $1",
    )
    .bind::<diesel::sql_types::Text, _>(TEMPLATE)
    .load(&mut conn)
    .expect("the template's mark");
    let current = marks
        .first()
        .is_some_and(|m| m.mark.as_deref() == Some(pharmacrm_server::db::MIGRATIONS_HASH));
    if !marks.is_empty() && !current {
        diesel::sql_query(format!("DROP DATABASE {TEMPLATE} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop the stale template");
    }
}

/// Marks the template with the hash of the migrations it was built from.
fn mark_template(cluster: &Cluster) {
    let mut conn = PgConnection::establish(&cluster.database_url("postgres")).expect("connect");
    diesel::sql_query(format!(
        "COMMENT ON DATABASE {TEMPLATE} IS '{}'",
        pharmacrm_server::db::MIGRATIONS_HASH
    ))
    .execute(&mut conn)
    .expect("mark the template");
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_test_writer()
        .try_init();
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `/tmp/pharmacrm-test-<hash of this checkout>`: short (unix socket paths are limited),
/// reachable by the `postgres` user when running as root, one per checkout.
fn cluster_root() -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut hasher);
    std::env::temp_dir().join(format!(
        "pharmacrm-test-{:08x}",
        hasher.finish() & 0xffff_ffff
    ))
}

/// Drops the databases of test processes that are gone (a panicking test leaves its own).
fn drop_stale_databases(cluster: &Cluster) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let mut conn = PgConnection::establish(&cluster.database_url("postgres")).expect("connect");
    let names: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")
            .load(&mut conn)
            .expect("list test databases");
    for Name { datname } in names {
        let pid = datname
            .split('_')
            .nth(1)
            .and_then(|p| p.parse::<i32>().ok());
        let alive = pid.is_some_and(|pid| {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        });
        if !alive {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&datname)
            ))
            .execute(&mut conn);
        }
    }
}

/// A lock file shared by the test processes (flock, released when dropped).
struct FileLock(#[allow(dead_code)] nix::fcntl::Flock<std::fs::File>);

impl FileLock {
    fn acquire(path: &std::path::Path) -> FileLock {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .expect("open the lock file");
        FileLock(
            nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
                .map_err(|(_, e)| e)
                .expect("lock"),
        )
    }
}

/// The migrated template database every test database is copied from (read it, never
/// write it).
pub fn template_database_url() -> String {
    shared().cluster.database_url(TEMPLATE)
}

/// The same, as a `postgres://` URI (for tools that take only that form, e.g. diesel_cli).
pub fn template_database_uri() -> String {
    let socket_dir = shared().cluster.socket_dir().display().to_string();
    let host: String = socket_dir
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!(
        "postgres://{}@{host}/{TEMPLATE}",
        pharmacrm_server::pg::SUPERUSER
    )
}

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// A fresh database copied from the migrated template.
fn new_database() -> (String, String) {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let shared = shared();
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let _lock = FileLock::acquire(&cluster_root().with_extension("lock"));
    let mut conn =
        PgConnection::establish(&shared.cluster.database_url("postgres")).expect("connect");
    diesel::sql_query(format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(&name),
        quote_ident(TEMPLATE)
    ))
    .execute(&mut conn)
    .expect("copy the template");
    let url = shared.cluster.database_url(&name);
    (name, url)
}

/// A real server on its own database, reached over TLS.
pub struct TestApp {
    /// The server's address.
    pub addr: std::net::SocketAddr,
    /// The PEM of the CA the server's certificate chains to.
    pub ca_pem: String,
    /// The server's configuration (to restart it, or read its data dir).
    pub config: Config,
    /// This test's database.
    pub database_url: String,
    database: String,
    running: Option<Running>,
    clock: Arc<Clock>,
    _data_dir: TempDir,
}

impl TestApp {
    /// A server with the default configuration.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A server whose configuration `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (database, database_url) = tokio::task::spawn_blocking(new_database)
            .await
            .expect("create db");
        let data_dir = TempDir::new();
        let mut config = Config::new(data_dir.path());
        config.database_url = Some(database_url.clone());
        config.admin_password = Some(ADMIN_PASSWORD.to_owned());
        config.pool_size = 8;
        adjust(&mut config);
        let running = start(config.clone()).await;
        let ca_pem = std::fs::read_to_string(running.ca_cert.as_ref().expect("generated CA"))
            .expect("read CA");
        // The tests' 营销员 register their customers with credit terms (30 days, limits), as
        // their manager would set them: their position holds `customer.credit.write`, which
        // the standard one does not. What a rep without it may do is a test of its own
        // (customers::credit_terms_are_set_by_credit_control_not_by_the_rep).
        {
            use diesel::Connection;
            let mut conn = diesel::PgConnection::establish(&database_url).expect("connect");
            diesel::sql_query(
                "INSERT INTO position_permissions (position_id, permission)
                 SELECT id, 'customer.credit.write' FROM positions WHERE name = '营销员'",
            )
            .execute(&mut conn)
            .expect("the tests' reps set credit terms");
        }
        TestApp {
            addr: running.addr,
            ca_pem,
            config,
            database_url,
            database,
            clock: running.clock.clone(),
            running: Some(running),
            _data_dir: data_dir,
        }
    }

    /// Stops the server and starts it again on the same database and data dir.
    pub async fn restart(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("shut down");
        }
        let running = start(self.config.clone()).await;
        self.addr = running.addr;
        // The restarted server keeps the pinned instant, if any.
        if let Some(at) = self.clock.pinned() {
            running.clock.pin(at);
        }
        self.clock = running.clock.clone();
        self.running = Some(running);
    }

    /// The server's business clock: `pin` it to run a test at a chosen instant.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Pins the business clock at `rfc3339` (e.g. `2026-12-01T00:30:00+08:00`).
    pub fn pin_clock(&self, rfc3339: &str) {
        let at = chrono::DateTime::parse_from_rfc3339(rfc3339)
            .expect("an RFC 3339 time")
            .with_timezone(&chrono::Utc);
        self.clock.pin(at);
    }

    /// A TLS channel to the server.
    pub async fn channel(&self) -> Channel {
        tls_channel(self.addr, &self.ca_pem)
            .await
            .expect("connect over TLS")
    }

    /// An AuthService client without a token.
    pub async fn anonymous(&self) -> AuthServiceClient<Channel> {
        AuthServiceClient::new(self.channel().await)
    }

    /// Logs in and returns clients sending the token.
    pub async fn login(&self, username: &str, password: &str) -> Result<Clients, Status> {
        login_over(self.channel().await, username, password).await
    }

    /// Clients sending `token`.
    pub async fn with_token(&self, token: &str) -> Clients {
        clients_over(self.channel().await, token)
    }

    /// Logged in as the seeded `admin`.
    pub async fn admin(&self) -> Clients {
        self.login("admin", ADMIN_PASSWORD)
            .await
            .expect("admin logs in")
    }

    /// A new user holding the given positions (by name), logged in.
    pub async fn user_with_positions(
        &self,
        username: &str,
        positions: &[&str],
        department_id: Option<i64>,
    ) -> Clients {
        let mut admin = self.admin().await;
        let all = admin.positions().await;
        let position_ids: Vec<i64> = positions
            .iter()
            .map(|name| {
                all.iter()
                    .find(|p| p.name == *name)
                    .unwrap_or_else(|| panic!("no position {name}"))
                    .id
            })
            .collect();
        fixtures::UserBuilder::new(username)
            .department(department_id)
            .positions(&position_ids)
            .create(&mut admin)
            .await;
        // As one who has long since changed the password the administrator set (the
        // first login's change is a test of its own).
        diesel::sql_query("UPDATE users SET must_change_password = false WHERE username = $1")
            .bind::<diesel::sql_types::Text, _>(username)
            .execute(&mut self.sql())
            .expect("the password made the user's own");
        self.session_of(username).await
    }

    /// A new user whose only position grants exactly `permissions` (codes).
    pub async fn user_with_permissions(&self, username: &str, permissions: &[&str]) -> Clients {
        let position_name = format!("岗位-{username}");
        fixtures::PositionBuilder::new(&position_name)
            .granting(permissions)
            .create(&mut self.admin().await)
            .await;
        self.user_with_positions(username, &[&position_name], None)
            .await
    }

    /// A direct connection to this test's database, as the superuser.
    pub fn sql(&self) -> PgConnection {
        PgConnection::establish(&self.database_url).expect("connect to the test database")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.running.take());
        let shared = shared();
        if let Ok(mut conn) = PgConnection::establish(&shared.cluster.database_url("postgres")) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                quote_ident(&self.database)
            ))
            .execute(&mut conn);
        }
    }
}

async fn start(config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    app::start(config, listener).await.expect("server starts")
}

/// A TLS channel to the server on `addr`, trusting the CA `ca_pem` (PEM), or why the
/// connection failed.
pub async fn tls_channel(
    addr: std::net::SocketAddr,
    ca_pem: &str,
) -> Result<Channel, tonic::transport::Error> {
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca_pem))
        .domain_name("localhost");
    Channel::from_shared(format!("https://localhost:{}", addr.port()))
        .expect("uri")
        .tls_config(tls)
        .expect("tls config")
        .connect()
        .await
}

/// `call` made with each of `clients` at the same moment, each on its own task released
/// together: requests racing each other, as from two desks. Their answers, in the order
/// of `clients`.
pub async fn at_once<C, T, F, Fut>(clients: Vec<C>, call: F) -> Vec<T>
where
    C: Send + 'static,
    T: Send + 'static,
    F: FnOnce(C) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
{
    let start = Arc::new(tokio::sync::Barrier::new(clients.len()));
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let (call, start) = (call.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                call(client).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("join"));
    }
    answers
}

/// Logs in as `username` over `channel`: clients sending the new token, or why not.
pub async fn login_over(
    channel: Channel,
    username: &str,
    password: &str,
) -> Result<Clients, Status> {
    let request = pb::LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    let response = AuthServiceClient::new(channel.clone())
        .login(request)
        .await?;
    Ok(clients_over(channel, &response.into_inner().token))
}

/// Clients over `channel` sending `token`.
pub fn clients_over(channel: Channel, token: &str) -> Clients {
    let bearer = Bearer::new(token);
    Clients {
        token: token.to_owned(),
        auth: AuthServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        admin: AdminServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        audit: AuditServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        drugs: DrugServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        customers: CustomerServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        orders: OrderServiceClient::with_interceptor(channel.clone(), bearer.clone()),
        finance: FinanceServiceClient::with_interceptor(channel.clone(), bearer.clone())
            .max_decoding_message_size(256 * 1024 * 1024),
        reports: ReportServiceClient::with_interceptor(channel, bearer),
    }
}

/// Typed clients that send a bearer token.
#[derive(Debug)]
pub struct Clients {
    /// The token they send.
    pub token: String,
    /// AuthService.
    pub auth: AuthServiceClient<InterceptedService<Channel, Bearer>>,
    /// AdminService.
    pub admin: AdminServiceClient<InterceptedService<Channel, Bearer>>,
    /// AuditService.
    pub audit: AuditServiceClient<InterceptedService<Channel, Bearer>>,
    /// DrugService.
    pub drugs: DrugServiceClient<InterceptedService<Channel, Bearer>>,
    /// CustomerService.
    pub customers: CustomerServiceClient<InterceptedService<Channel, Bearer>>,
    /// OrderService.
    pub orders: OrderServiceClient<InterceptedService<Channel, Bearer>>,
    /// FinanceService.
    pub finance: FinanceServiceClient<InterceptedService<Channel, Bearer>>,
    /// ReportService.
    pub reports: ReportServiceClient<InterceptedService<Channel, Bearer>>,
}

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone, Debug)]
pub struct Bearer(MetadataValue<Ascii>);

impl Bearer {
    /// The interceptor for `token`.
    pub fn new(token: &str) -> Bearer {
        Bearer(format!("Bearer {token}").parse().expect("ascii token"))
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// A temporary directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty directory under the system's temp dir.
    pub fn new() -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "pharmacrm-t-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sends each request with `client` (a [`Clients`]), which must refuse it as
/// INVALID_ARGUMENT naming exactly the fields given, in the server's order:
/// `assert_bad_fields!(admin, { pb::OrderInput { .. } => ["customer_id"], … })`.
#[macro_export]
macro_rules! assert_bad_fields {
    ($client:expr, { $($request:expr => $fields:expr,)+ }) => {
        $(assert_eq!(
            $client.bad_fields_of($request).await,
            $fields,
            "{}",
            stringify!($request)
        );)+
    };
}

/// The zh-CN message of a status (the `google.rpc.LocalizedMessage` detail).
pub fn zh_message(status: &Status) -> Option<String> {
    use tonic_types::StatusExt;
    status.get_details_localized_message().map(|m| m.message)
}

/// The fields a status's `google.rpc.BadRequest` detail names.
pub fn bad_fields(status: &Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// Rows `offset..offset + limit` of a paged list.
pub fn page(offset: u32, limit: u32) -> Option<pb::PageRequest> {
    Some(pb::PageRequest { offset, limit })
}

/// Asserts that `status` carries `code`.
#[track_caller]
pub fn assert_code(status: &Status, code: Code) {
    assert_eq!(status.code(), code, "{status:?}");
}

/// Asserts that the (English) message of `status` contains `text`.
#[track_caller]
pub fn assert_message_contains(status: &Status, text: &str) {
    assert!(status.message().contains(text), "{}", status.message());
}

/// Asserts that the zh-CN message of `status` contains `text`.
#[track_caller]
pub fn assert_zh_contains(status: &Status, text: &str) {
    let zh = zh_message(status).expect("a zh-CN message");
    assert!(zh.contains(text), "{zh}");
}

/// The fields a status's `google.rpc.BadRequest` detail names, sorted.
pub fn sorted_bad_fields(status: &Status) -> Vec<String> {
    let mut fields = bad_fields(status);
    fields.sort();
    fields
}

/// A call that must be refused.
pub trait Refused {
    /// Asserts that the call failed with `code` and returns its status.
    fn refused(self, code: Code) -> Status;

    /// Asserts that the call failed with `code`, naming exactly `fields` (its
    /// `google.rpc.BadRequest`, in the server's order) and saying `zh` in its zh-CN
    /// message; returns its status.
    fn refused_on(self, code: Code, fields: &[&str], zh: &str) -> Status;
}

impl<T: std::fmt::Debug> Refused for Result<T, Status> {
    #[track_caller]
    fn refused(self, code: Code) -> Status {
        match self {
            Ok(value) => panic!("expected {code:?}, the call succeeded: {value:?}"),
            Err(status) => {
                assert_code(&status, code);
                status
            }
        }
    }

    #[track_caller]
    fn refused_on(self, code: Code, fields: &[&str], zh: &str) -> Status {
        let status = self.refused(code);
        assert_eq!(bad_fields(&status), fields, "{status:?}");
        assert_zh_contains(&status, zh);
        status
    }
}

/// Runs `command` to success and returns its standard output.
pub fn output_of(command: &mut std::process::Command) -> Vec<u8> {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{command:?} failed: {stderr}");
    output.stdout
}

/// Runs test `name` (its full path in this test binary, e.g. `clock::inner`) again in a
/// child process with `env` set, and fails when it fails: for what a process fixes at
/// start, such as the machine's time zone (`TZ`). The child test is `#[ignore]`d so that
/// it runs only this way.
pub fn rerun_with_env(name: &str, env: &[(&str, &str)]) {
    let exe = std::env::current_exe().expect("the test binary");
    let output = std::process::Command::new(exe)
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().copied())
        .output()
        .expect("run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} with {env:?} failed:\n{stdout}\n{stderr}"
    );
}
