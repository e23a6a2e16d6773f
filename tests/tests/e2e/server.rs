//! The server as other services see it: embedded PostgreSQL, restarts, health, reflection.

use pharmacrm_shared::pb;
use pharmacrm_tests::{ADMIN_PASSWORD, TempDir, TestApp};

#[tokio::test]
async fn the_embedded_cluster_keeps_all_data_across_a_restart() {
    // No database URL: the server runs its own private cluster in the data dir.
    let data_dir = TempDir::new();
    let mut config = pharmacrm_server::config::Config::new(data_dir.path());
    config.admin_password = Some(ADMIN_PASSWORD.to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = pharmacrm_server::app::start(config.clone(), listener)
        .await
        .expect("start");
    assert!(data_dir.path().join("pg/data/PG_VERSION").exists());
    assert!(data_dir.path().join("tls/ca.pem").exists());
    let ca_pem = std::fs::read_to_string(data_dir.path().join("tls/ca.pem")).expect("ca");
    let dept_id = {
        let mut admin = login(running.addr, &ca_pem).await;
        admin
            .create_department(pb::CreateDepartmentRequest {
                name: "重启前创建".into(),
                parent_id: None,
            })
            .await
            .expect("create")
            .into_inner()
            .id
    };
    running
        .shutdown()
        .await
        .expect("shutdown stops the cluster too");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = pharmacrm_server::app::start(config, listener)
        .await
        .expect("restart");
    assert!(!running.seed_report.created_admin, "nothing seeded twice");
    let mut admin = login(running.addr, &ca_pem).await;
    let departments = admin
        .list_departments(pb::ListDepartmentsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .departments;
    assert!(
        departments
            .iter()
            .any(|d| d.id == dept_id && d.name == "重启前创建")
    );
    running.shutdown().await.expect("shutdown");
}

async fn login(
    addr: std::net::SocketAddr,
    ca_pem: &str,
) -> pb::admin_service_client::AdminServiceClient<
    tonic::service::interceptor::InterceptedService<
        tonic::transport::Channel,
        pharmacrm_tests::Bearer,
    >,
> {
    // Reuse the harness's client plumbing through a TestApp-free path.
    let channel =
        tonic::transport::Channel::from_shared(format!("https://localhost:{}", addr.port()))
            .expect("uri")
            .tls_config(
                tonic::transport::ClientTlsConfig::new()
                    .ca_certificate(tonic::transport::Certificate::from_pem(ca_pem))
                    .domain_name("localhost"),
            )
            .expect("tls")
            .connect()
            .await
            .expect("connect");
    let token = pb::auth_service_client::AuthServiceClient::new(channel.clone())
        .login(pb::LoginRequest {
            username: "admin".into(),
            password: ADMIN_PASSWORD.into(),
        })
        .await
        .expect("login")
        .into_inner()
        .token;
    pb::admin_service_client::AdminServiceClient::with_interceptor(
        channel,
        pharmacrm_tests::Bearer::new(&token),
    )
}

#[tokio::test]
async fn a_restart_keeps_sessions_valid() {
    let mut app = TestApp::spawn().await;
    let token = app.admin().await.token;
    app.restart().await;
    let mut clients = app.with_token(&token).await;
    clients
        .auth
        .me(())
        .await
        .expect("the token lives in the database, not in the process");
}

#[tokio::test]
async fn health_and_reflection_are_open_to_other_services() {
    let app = TestApp::spawn().await;
    let channel = app.channel().await;
    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "pharmacrm.v1.AdminService".into(),
        })
        .await
        .expect("health")
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = stream
        .message()
        .await
        .expect("message")
        .expect("one response");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    for service in [
        "pharmacrm.v1.AuthService",
        "pharmacrm.v1.AdminService",
        "pharmacrm.v1.AuditService",
        "grpc.health.v1.Health",
    ] {
        assert!(names.iter().any(|n| n == service), "{service} in {names:?}");
    }
}
