//! The server as other services see it: embedded PostgreSQL, restarts, health, reflection.

use pharmacrm_tests::assert_bad_fields;
use pharmacrm_tests::fixtures::DepartmentBuilder;
use pharmacrm_tests::{ADMIN_PASSWORD, Clients, TempDir, TestApp, login_over, tls_channel};
use tonic::Code;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

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
        DepartmentBuilder::new("重启前创建")
            .create(&mut admin)
            .await
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
    let departments = admin.departments().await;
    assert!(
        departments
            .iter()
            .any(|d| d.id == dept_id && d.name == "重启前创建")
    );
    running.shutdown().await.expect("shutdown");
}

/// Logs in as `admin` to the server on `addr`, whose CA is `ca_pem` (no TestApp here).
async fn login(addr: std::net::SocketAddr, ca_pem: &str) -> Clients {
    let channel = tls_channel(addr, ca_pem).await.expect("connect");
    login_over(channel, "admin", ADMIN_PASSWORD)
        .await
        .expect("login")
}

#[tokio::test]
async fn a_restart_keeps_sessions_valid() {
    let mut app = TestApp::spawn().await;
    let token = app.admin().await.token;
    app.restart().await;
    let mut clients = app.with_token(&token).await;
    clients
        .try_me()
        .await
        .expect("the token lives in the database, not in the process");
}

#[tokio::test]
async fn health_and_reflection_are_open_to_other_services() {
    let app = TestApp::spawn().await;
    let health = tonic_health::pb::health_client::HealthClient::new(app.channel().await)
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

    let response = reflect(&app, MessageRequest::ListServices(String::new())).await;
    let MessageResponse::ListServicesResponse(list) = response else {
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

/// A method the server does not have (a client built from newer protos) is UNIMPLEMENTED,
/// as gRPC has it, saying so — not a refusal of permission.
#[tokio::test]
async fn a_method_the_server_does_not_have_is_unimplemented() {
    let app = TestApp::spawn().await;
    let mut grpc = tonic::client::Grpc::new(app.channel().await);
    grpc.ready().await.expect("ready");
    let status = grpc
        .unary(
            tonic::Request::new(()),
            tonic::codegen::http::uri::PathAndQuery::from_static(
                "/pharmacrm.v1.OrderService/NoSuchMethod",
            ),
            tonic_prost::ProstCodec::<(), ()>::default(),
        )
        .await
        .expect_err("no such method");
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
    assert!(status.message().contains("no such method"), "{status:?}");
}

/// Reflection's (v1) one answer to `request`.
async fn reflect(app: &TestApp, request: MessageRequest) -> MessageResponse {
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let mut stream = ServerReflectionClient::new(app.channel().await)
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    stream
        .message()
        .await
        .expect("message")
        .expect("one response")
        .message_response
        .expect("an answer")
}

/// What reflection says about `symbol` (v1): the names of the files it returns.
async fn files_containing(app: &TestApp, symbol: &str) -> Vec<String> {
    use prost::Message;
    let response = reflect(app, MessageRequest::FileContainingSymbol(symbol.to_owned())).await;
    match response {
        MessageResponse::FileDescriptorResponse(files) => files
            .file_descriptor_proto
            .iter()
            .map(|bytes| {
                prost_types::FileDescriptorProto::decode(bytes.as_slice())
                    .expect("a file descriptor")
                    .name()
                    .to_owned()
            })
            .collect(),
        other => panic!("no file for {symbol}: {other:?}"),
    }
}

#[tokio::test]
async fn reflection_describes_the_error_details_so_generic_clients_can_read_errors() {
    let app = TestApp::spawn().await;
    for symbol in [
        "google.rpc.BadRequest",
        "google.rpc.LocalizedMessage",
        "google.rpc.ErrorInfo",
    ] {
        let files = files_containing(&app, symbol).await;
        assert!(
            files.iter().any(|f| f.ends_with("error_details.proto")),
            "{symbol}: {files:?}"
        );
    }
}

#[tokio::test]
async fn fifty_authenticated_calls_in_a_row_take_milliseconds_each_not_forty() {
    // Without TCP_NODELAY each answer waits for the client's delayed ACK: about 40 ms a
    // call, two seconds for fifty. The bound leaves room for a slow machine.
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    admin.me().await;
    let started = std::time::Instant::now();
    for _ in 0..50 {
        admin.me().await;
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_millis(1500),
        "50 calls took {elapsed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_private_postgresql_costs_seconds_not_the_service() {
    use tonic_health::pb::health_check_response::ServingStatus;
    let data_dir = TempDir::new();
    let mut config = pharmacrm_server::config::Config::new(data_dir.path());
    config.admin_password = Some(ADMIN_PASSWORD.to_owned());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = pharmacrm_server::app::start(config, listener)
        .await
        .expect("start");
    let ca_pem = std::fs::read_to_string(data_dir.path().join("tls/ca.pem")).expect("ca");
    let mut admin = login(running.addr, &ca_pem).await;
    admin.me().await;
    let channel = tls_channel(running.addr, &ca_pem).await.expect("connect");
    let health = |channel: tonic::transport::Channel| async move {
        tonic_health::pb::health_client::HealthClient::new(channel)
            .check(tonic_health::pb::HealthCheckRequest {
                service: "pharmacrm.v1.CustomerService".into(),
            })
            .await
            .expect("health answers whatever the database does")
            .into_inner()
            .status
    };
    assert_eq!(health(channel.clone()).await, ServingStatus::Serving as i32);

    let pid = running
        .cluster
        .as_ref()
        .expect("a private cluster")
        .lock()
        .expect("cluster")
        .postmaster_pid()
        .expect("postmaster.pid");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill -9 the postmaster");

    // Calls fail fast with UNAVAILABLE and health says NOT_SERVING…
    let started = std::time::Instant::now();
    let mut refused = false;
    let mut not_serving = false;
    while started.elapsed() < std::time::Duration::from_secs(20) && !(refused && not_serving) {
        let call = std::time::Instant::now();
        match admin.try_me().await {
            Err(status) if status.code() == Code::Unavailable => {
                assert!(
                    call.elapsed() < std::time::Duration::from_secs(5),
                    "a call waited {:?}",
                    call.elapsed()
                );
                refused = true;
            }
            Err(status) => panic!("expected UNAVAILABLE, got {status:?}"),
            Ok(_) => {}
        }
        not_serving |= health(channel.clone()).await == ServingStatus::NotServing as i32;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // …and within seconds the server has restarted its cluster and serves again.
    let back = std::time::Instant::now();
    loop {
        if admin.try_me().await.is_ok()
            && health(channel.clone()).await == ServingStatus::Serving as i32
        {
            break;
        }
        assert!(
            back.elapsed() < std::time::Duration::from_secs(60),
            "the server did not recover"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        refused && not_serving,
        "during the outage calls were refused ({refused}) and health said so ({not_serving})"
    );
    running.shutdown().await.expect("shutdown");
}

/// A filter, sort or grouping sent as a number its enum does not have (a newer client's,
/// or a typo in an API call) is refused naming the field, in every search and report:
/// read as "any", it would answer a list that looks filtered and is not.
#[tokio::test]
async fn an_unknown_enum_value_in_a_search_or_report_is_refused_naming_its_field() {
    use pharmacrm_shared::pb;
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let (from, to) = ("2026-09-01".to_owned(), "2026-09-30".to_owned());
    let n = 99;
    // Each request, and the fields its refusal names.
    assert_bad_fields!(admin, {
        pb::SearchCustomersRequest { business_kind: n, ..Default::default() } => ["business_kind"],
        pb::ListUsersRequest { sort: n, ..Default::default() } => ["sort"],
        pb::SearchDrugsRequest { status: n, ..Default::default() } => ["status"],
        pb::SearchDrugsRequest { sort: n, ..Default::default() } => ["sort"],
        pb::SearchOrdersRequest { statuses: vec![1, n], ..Default::default() } => ["statuses[1]"],
        pb::SearchOrdersRequest { sort: n, ..Default::default() } => ["sort"],
        pb::ListShipmentsRequest { delivery_status: n, ..Default::default() } => ["delivery_status"],
        pb::ListExceptionsRequest { kind: n, ..Default::default() } => ["kind"],
        pb::ListArrearsRequest { bucket: n, ..Default::default() } => ["bucket"],
        pb::CustomerDistributionRequest { business_kind: n, ..Default::default() } => ["business_kind"],
        pb::DrugSalesRequest { date_from: from.clone(), date_to: to.clone(), origin: n, ..Default::default() } => ["origin"],
        pb::DrugSalesSeriesRequest { date_from: from.clone(), date_to: to.clone(), interval: n, ..Default::default() } => ["interval"],
        pb::DrugSalesSeriesRequest { date_from: from.clone(), date_to: to.clone(), origin: n, ..Default::default() } => ["origin"],
        pb::EmployeePerformanceRequest { date_from: from.clone(), date_to: to.clone(), role: n, ..Default::default() } => ["role"],
        pb::ExceptionsRequest { date_from: from.clone(), date_to: to.clone(), group_by: n, ..Default::default() } => ["group_by"],
        // Every bad field of a request at once, in the request's order.
        pb::SearchDrugsRequest { status: n, sort: n, ..Default::default() } => ["status", "sort"],
        pb::SearchOrdersRequest { created_from: "x".into(), statuses: vec![n], sort: n, ..Default::default() } => ["created_from", "statuses[0]", "sort"],
        pb::DrugSalesSeriesRequest { date_from: from.clone(), date_to: to.clone(), origin: n, interval: n, ..Default::default() } => ["origin", "interval"],
    });
    // The known values still answer, 0 being "any".
    admin
        .send(pb::SearchOrdersRequest {
            statuses: vec![pb::OrderStatus::Pending as i32],
            ..Default::default()
        })
        .await;
    admin.send(pb::CustomerDistributionRequest::default()).await;
}

/// An edit whose version cannot be one (0: left out; below 0) is refused naming it with
/// the request's other bad fields at once, so the caller corrects everything in one go;
/// the record's own id is still refused first, alone.
#[tokio::test]
async fn a_missing_version_is_named_with_the_other_bad_fields() {
    use pharmacrm_shared::pb;
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    // The fields each refusal names, to the first that is not a version's.
    let mut named = Vec::new();
    macro_rules! names {
        ($($request:expr,)+) => {$(
            let fields = admin.bad_fields_of($request).await;
            named.push(fields.into_iter().take(2).collect::<Vec<_>>());
        )+};
    }
    names!(
        pb::UpdateDepartmentRequest {
            id: 1,
            version: 0,
            name: String::new(),
            parent_id: None
        },
        pb::UpdateUserRequest {
            id: 1,
            version: -1,
            ..Default::default()
        },
        pb::UpdateCustomerRequest {
            id: 1,
            version: 0,
            customer: None
        },
        pb::UpdateCategoryRequest {
            id: 1,
            version: 0,
            ..Default::default()
        },
        pb::UpdateUnitRequest {
            id: 1,
            version: 0,
            unit: None
        },
        pb::UpdateCustomerTypeRequest {
            id: 1,
            version: 0,
            r#type: None
        },
        pb::ChangeCustomerTypeRequest {
            id: 1,
            version: 0,
            type_id: 1,
            reason: "长".repeat(201)
        },
        pb::AssignCustomerRequest {
            id: 1,
            version: 0,
            sales_rep_id: 0,
            cs_rep_id: 1
        },
        pb::UpdateSettingsRequest {
            version: 0,
            settings: None
        },
        pb::CancelOrderRequest {
            id: 1,
            version: 0,
            reason: String::new()
        },
        pb::CreateShipmentRequest {
            order_id: 1,
            order_version: 0,
            ..Default::default()
        },
        pb::ConfirmDeliveryRequest {
            id: 1,
            version: 0,
            ..Default::default()
        },
        pb::DecideExceptionRequest {
            id: 1,
            version: 0,
            ..Default::default()
        },
        pb::ReversePaymentRequest {
            id: 1,
            version: 0,
            ..Default::default()
        },
        pb::Followup {
            id: 1,
            customer_id: 1,
            version: 0,
            ..Default::default()
        },
    );
    let expected: Vec<Vec<&str>> = vec![
        vec!["version", "name"],
        vec!["version", "display_name"],
        vec!["version", "customer.name"],
        vec!["version", "name"],
        vec!["version", "unit.name"],
        vec!["version", "type.name"],
        vec!["version", "reason"],
        vec!["version", "sales_rep_id"],
        vec!["version", "settings.credit_hold_days"],
        vec!["version", "reason"],
        vec!["order_version", "shipment.ship_date"],
        vec!["version", "signer"],
        vec!["version", "decision"],
        vec!["version", "reason"],
        vec!["version", "method"],
    ];
    assert_eq!(named, expected);
    // The record's own id, bad, is refused alone: there is nothing to edit.
    assert_eq!(
        admin
            .bad_fields_of(pb::UpdateDepartmentRequest {
                id: 0,
                version: 0,
                name: String::new(),
                parent_id: None,
            })
            .await,
        ["id"]
    );
}
