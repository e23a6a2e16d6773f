//! Login, sessions, lockout, tokens.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::{ADMIN_PASSWORD, TestApp, USER_PASSWORD, bad_fields, zh_message};
use tonic::Code;

#[tokio::test]
async fn admin_logs_in_with_every_permission_and_the_all_scope() {
    let app = TestApp::spawn().await;
    let response = app
        .anonymous()
        .await
        .login(pb::LoginRequest {
            username: "Admin".into(), // usernames are case-insensitive
            password: ADMIN_PASSWORD.into(),
        })
        .await
        .expect("login")
        .into_inner();
    assert!(response.token.len() >= 43, "at least 256 bits of token");
    let me = response.user.expect("user");
    assert_eq!(me.user.as_ref().map(|u| u.username.as_str()), Some("admin"));
    assert_eq!(
        me.permissions.len(),
        pharmacrm_shared::Permission::ALL.len()
    );
    assert_eq!(me.data_scope, pb::DataScope::All as i32);
    let expires = response.expires_at.expect("expiry").seconds;
    let now = chrono::Utc::now().timestamp();
    assert!(
        (expires - now - 12 * 3600).abs() < 60,
        "absolute expiry is 12 hours"
    );

    let mut clients = app.with_token(&response.token).await;
    let me = clients.auth.me(()).await.expect("me").into_inner();
    assert_eq!(me.user.expect("user").username, "admin");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app
        .login("admin", "not-the-password")
        .await
        .expect_err("refused");
    let unknown = app
        .login("nobody-here", "not-the-password")
        .await
        .expect_err("refused");
    assert_eq!(wrong.code(), Code::Unauthenticated);
    assert_eq!(unknown.code(), Code::Unauthenticated);
    assert_eq!(wrong.message(), unknown.message());
    assert_eq!(zh_message(&wrong).as_deref(), Some("用户名或密码错误"));
}

#[tokio::test]
async fn empty_username_is_a_field_error() {
    let app = TestApp::spawn().await;
    let status = app.login("", "x").await.expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["username"]);
}

#[tokio::test]
async fn five_failures_lock_the_username_until_the_lock_expires() {
    let app = TestApp::spawn().await;
    for _ in 0..4 {
        let status = app
            .login("admin", "wrong-password")
            .await
            .expect_err("refused");
        assert_eq!(zh_message(&status).as_deref(), Some("用户名或密码错误"));
    }
    let fifth = app
        .login("admin", "wrong-password")
        .await
        .expect_err("refused");
    assert!(
        fifth.message().contains("too many failed logins"),
        "{}",
        fifth.message()
    );
    // Locked: even the right password is refused, without checking it.
    let locked = app
        .login("admin", ADMIN_PASSWORD)
        .await
        .expect_err("locked");
    assert_eq!(locked.code(), Code::Unauthenticated);
    assert!(locked.message().contains("too many failed logins"));
    {
        use tonic_types::StatusExt;
        let info = locked.get_details_error_info().expect("error info");
        assert_eq!(info.reason, "LOGIN_LOCKED");
        let until =
            chrono::DateTime::parse_from_rfc3339(&info.metadata["locked_until"]).expect("time");
        let minutes = (until.timestamp() - chrono::Utc::now().timestamp()) / 60;
        assert!(
            (14..=15).contains(&minutes),
            "locked for 15 minutes, got {minutes}"
        );
    }
    // An unknown username locks the same way, so a lock says nothing about existence.
    for _ in 0..5 {
        let _ = app.login("ghost", "wrong-password").await;
    }
    let ghost = app
        .login("ghost", "wrong-password")
        .await
        .expect_err("locked");
    assert!(ghost.message().contains("too many failed logins"));

    // Fifteen minutes later (moved back in the database), the lock is over.
    diesel::sql_query("UPDATE login_throttle SET locked_until = now() - interval '1 second'")
        .execute(&mut app.sql())
        .expect("expire the lock");
    app.login("admin", ADMIN_PASSWORD)
        .await
        .expect("lock expired");
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout_and_the_absolute_expiry() {
    let app = TestApp::spawn().await;
    let mut idle = app.admin().await;
    let mut old = app.admin().await;
    idle.auth.me(()).await.expect("fresh session works");

    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = sha256($1::bytea)")
        .bind::<diesel::sql_types::Text, _>(&idle.token)
        .execute(&mut app.sql())
        .expect("age the session");
    let status = idle.auth.me(()).await.expect_err("idle session refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(
        zh_message(&status).as_deref(),
        Some("会话已过期，请重新登录")
    );

    // Active all along but past the absolute expiry.
    diesel::sql_query("UPDATE sessions SET absolute_expires_at = now() - interval '1 second' WHERE token_hash = sha256($1::bytea)")
        .bind::<diesel::sql_types::Text, _>(&old.token)
        .execute(&mut app.sql())
        .expect("expire the session");
    let status = old.auth.me(()).await.expect_err("expired session refused");
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn a_session_in_use_stays_alive_within_the_idle_timeout() {
    let app = TestApp::spawn().await;
    let mut clients = app.admin().await;
    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '29 minutes'")
        .execute(&mut app.sql())
        .expect("age the session");
    clients.auth.me(()).await.expect("still within 30 minutes");
    // The call refreshed the idle timer.
    let mut conn = app.sql();
    #[derive(diesel::QueryableByName)]
    struct Age {
        #[diesel(sql_type = diesel::sql_types::Double)]
        seconds: f64,
    }
    let age: Age = diesel::sql_query(
        "SELECT extract(epoch FROM now() - last_seen_at)::float8 AS seconds FROM sessions WHERE token_hash = sha256($1::bytea)",
    )
    .bind::<diesel::sql_types::Text, _>(&clients.token)
    .get_result(&mut conn)
    .expect("age");
    assert!(
        age.seconds < 60.0,
        "last_seen_at refreshed, age {}",
        age.seconds
    );
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::spawn().await;
    let mut clients = app.admin().await;
    clients.auth.logout(()).await.expect("logout");
    let status = clients.auth.me(()).await.expect_err("refused after logout");
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn disabling_a_user_or_resetting_their_password_ends_their_sessions() {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("rep1", &["营销员"], None).await;
    let me = rep
        .auth
        .me(())
        .await
        .expect("me")
        .into_inner()
        .user
        .expect("user");
    let mut admin = app.admin().await;

    admin
        .admin
        .reset_password(pb::ResetPasswordRequest {
            id: me.id,
            new_password: "brand-new-password".into(),
        })
        .await
        .expect("reset");
    assert_eq!(
        rep.auth.me(()).await.expect_err("ended").code(),
        Code::Unauthenticated
    );
    assert!(
        app.login("rep1", USER_PASSWORD).await.is_err(),
        "old password no longer works"
    );
    let mut rep = app
        .login("rep1", "brand-new-password")
        .await
        .expect("new password works");

    let current = admin
        .admin
        .get_user(pb::GetUserRequest { id: me.id })
        .await
        .expect("get")
        .into_inner();
    admin
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: me.id,
            version: current.version,
            is_active: false,
        })
        .await
        .expect("disable");
    assert_eq!(
        rep.auth.me(()).await.expect_err("ended").code(),
        Code::Unauthenticated
    );
    let status = app
        .login("rep1", "brand-new-password")
        .await
        .expect_err("disabled");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("disabled"));
}

#[tokio::test]
async fn unknown_and_missing_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let mut forged = app.with_token("pcrm_this-token-was-never-issued").await;
    assert_eq!(
        forged.auth.me(()).await.expect_err("refused").code(),
        Code::Unauthenticated
    );
    let mut anonymous =
        pharmacrm_shared::pb::admin_service_client::AdminServiceClient::new(app.channel().await);
    let status = anonymous
        .list_departments(pb::ListDepartmentsRequest::default())
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn change_password_needs_the_old_one_and_keeps_the_current_session() {
    let app = TestApp::spawn().await;
    let mut first = app.user_with_positions("rep2", &["营销员"], None).await;
    let mut second = app
        .login("rep2", USER_PASSWORD)
        .await
        .expect("second session");
    let status = first
        .auth
        .change_password(pb::ChangePasswordRequest {
            old_password: "wrong-old".into(),
            new_password: "another-password".into(),
        })
        .await
        .expect_err("wrong old password");
    assert_eq!(bad_fields(&status), ["old_password"]);
    let status = first
        .auth
        .change_password(pb::ChangePasswordRequest {
            old_password: USER_PASSWORD.into(),
            new_password: "short".into(),
        })
        .await
        .expect_err("too short");
    assert_eq!(bad_fields(&status), ["new_password"]);
    first
        .auth
        .change_password(pb::ChangePasswordRequest {
            old_password: USER_PASSWORD.into(),
            new_password: "another-password".into(),
        })
        .await
        .expect("changed");
    first.auth.me(()).await.expect("this session goes on");
    assert_eq!(
        second
            .auth
            .me(())
            .await
            .expect_err("other session ended")
            .code(),
        Code::Unauthenticated
    );
    app.login("rep2", "another-password")
        .await
        .expect("new password works");
}

#[tokio::test]
async fn service_accounts_use_revocable_api_tokens_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let positions = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("positions")
        .into_inner()
        .positions;
    let finance = positions.iter().find(|p| p.name == "财务").expect("财务");
    let account = admin
        .admin
        .create_service_account(pb::CreateServiceAccountRequest {
            username: "warehouse-sync".into(),
            display_name: "仓储系统".into(),
            department_id: None,
            position_ids: vec![finance.id],
        })
        .await
        .expect("create service account")
        .into_inner();
    assert!(account.is_service_account);
    let issued = admin
        .admin
        .issue_api_token(pb::IssueApiTokenRequest {
            user_id: account.id,
            label: "warehouse host".into(),
        })
        .await
        .expect("issue")
        .into_inner();
    let mut service = app.with_token(&issued.token).await;
    let me = service.auth.me(()).await.expect("token works").into_inner();
    assert!(me.permissions.contains(&"finance.read".to_owned()));
    // The token is never listed again.
    let listed = admin
        .admin
        .list_api_tokens(pb::ListApiTokensRequest {
            user_id: account.id,
        })
        .await
        .expect("list")
        .into_inner()
        .api_tokens;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "warehouse host");
    assert!(listed[0].last_used_at.is_some());

    assert!(app.login("warehouse-sync", "").await.is_err());
    admin
        .admin
        .revoke_api_token(pb::RevokeApiTokenRequest {
            id: issued.api_token.expect("record").id,
        })
        .await
        .expect("revoke");
    assert_eq!(
        service.auth.me(()).await.expect_err("revoked").code(),
        Code::Unauthenticated
    );
}

#[tokio::test]
async fn a_plaintext_client_gets_nothing() {
    let app = TestApp::spawn().await;
    let plaintext =
        tonic::transport::Channel::from_shared(format!("http://127.0.0.1:{}", app.addr.port()))
            .expect("uri")
            .connect()
            .await;
    match plaintext {
        Err(_) => {}
        Ok(channel) => {
            let result = pb::auth_service_client::AuthServiceClient::new(channel)
                .login(pb::LoginRequest {
                    username: "admin".into(),
                    password: ADMIN_PASSWORD.into(),
                })
                .await;
            assert!(result.is_err(), "a plaintext call must fail");
        }
    }
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused() {
    let app = TestApp::spawn().await;
    let other_ca = pharmacrm_tests::TempDir::new();
    pharmacrm_server::tls::load_or_generate(other_ca.path()).expect("another CA");
    let pem = std::fs::read_to_string(other_ca.path().join("ca.pem")).expect("read");
    let result =
        tonic::transport::Channel::from_shared(format!("https://localhost:{}", app.addr.port()))
            .expect("uri")
            .tls_config(
                tonic::transport::ClientTlsConfig::new()
                    .ca_certificate(tonic::transport::Certificate::from_pem(pem))
                    .domain_name("localhost"),
            )
            .expect("config")
            .connect()
            .await;
    let refused = match result {
        Err(_) => true,
        Ok(channel) => pb::auth_service_client::AuthServiceClient::new(channel)
            .login(pb::LoginRequest {
                username: "admin".into(),
                password: ADMIN_PASSWORD.into(),
            })
            .await
            .is_err(),
    };
    assert!(refused);
}
