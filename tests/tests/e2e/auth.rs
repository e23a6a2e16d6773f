//! Login, sessions, lockout, tokens.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{ServiceAccountBuilder, UserBuilder};
use pharmacrm_tests::{
    ADMIN_PASSWORD, Refused, TestApp, USER_PASSWORD, assert_code, assert_message_contains,
    assert_zh_contains, bad_fields, login_over, tls_channel, zh_message,
};
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

    let me = app.with_token(&response.token).await.me().await;
    assert_eq!(me.user.expect("user").username, "admin");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app.refused_login("admin", "not-the-password").await;
    let unknown = app.refused_login("nobody-here", "not-the-password").await;
    assert_code(&wrong, Code::Unauthenticated);
    assert_code(&unknown, Code::Unauthenticated);
    assert_eq!(wrong.message(), unknown.message());
    assert_eq!(zh_message(&wrong).as_deref(), Some("用户名或密码错误"));
}

#[tokio::test]
async fn empty_username_is_a_field_error() {
    let app = TestApp::spawn().await;
    let status = app.refused_login("", "x").await;
    assert_code(&status, Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["username"]);
}

#[tokio::test]
async fn five_failures_lock_the_username_until_the_lock_expires() {
    let app = TestApp::spawn().await;
    // The last two failures before the lock say so: a user is not locked out unwarned.
    for said in [
        "用户名或密码错误",
        "用户名或密码错误",
        "用户名或密码错误；再错 2 次，该账号将锁定 15 分钟",
        "用户名或密码错误；再错 1 次，该账号将锁定 15 分钟",
    ] {
        let status = app.refused_login("admin", "wrong-password").await;
        assert_eq!(zh_message(&status).as_deref(), Some(said));
    }
    let fifth = app.refused_login("admin", "wrong-password").await;
    assert_message_contains(&fifth, "too many failed logins");
    // Locked: even the right password is refused, without checking it.
    let locked = app.refused_login("admin", ADMIN_PASSWORD).await;
    assert_code(&locked, Code::Unauthenticated);
    assert_message_contains(&locked, "too many failed logins");
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
        // The message gives the time in the business time zone, as the office reads it.
        let shanghai = chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00");
        let local = until.with_timezone(&shanghai).format("%H:%M +08:00");
        assert_message_contains(&locked, &local.to_string());
    }
    // An unknown username locks the same way, so a lock says nothing about existence.
    for failure in 0..5 {
        let status = app.refused_login("ghost", "wrong-password").await;
        if failure == 3 {
            assert_eq!(
                zh_message(&status).as_deref(),
                Some("用户名或密码错误；再错 1 次，该账号将锁定 15 分钟")
            );
        }
    }
    let ghost = app.refused_login("ghost", "wrong-password").await;
    assert_message_contains(&ghost, "too many failed logins");

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
    idle.me().await;

    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = sha256($1::bytea)")
        .bind::<diesel::sql_types::Text, _>(&idle.token)
        .execute(&mut app.sql())
        .expect("age the session");
    let status = idle.try_me().await.refused(Code::Unauthenticated);
    assert_eq!(
        zh_message(&status).as_deref(),
        Some("会话已过期，请重新登录")
    );
    // The first call ended the session; the others a screen sent with it hear the same
    // reason, not "invalid token".
    let status = idle.try_me().await.refused(Code::Unauthenticated);
    assert_eq!(
        zh_message(&status).as_deref(),
        Some("会话已过期，请重新登录")
    );

    // Active all along but past the absolute expiry.
    diesel::sql_query("UPDATE sessions SET absolute_expires_at = now() - interval '1 second' WHERE token_hash = sha256($1::bytea)")
        .bind::<diesel::sql_types::Text, _>(&old.token)
        .execute(&mut app.sql())
        .expect("expire the session");
    old.try_me().await.refused(Code::Unauthenticated);
}

#[tokio::test]
async fn a_session_in_use_stays_alive_within_the_idle_timeout() {
    let app = TestApp::spawn().await;
    let mut clients = app.admin().await;
    diesel::sql_query("UPDATE sessions SET last_seen_at = now() - interval '29 minutes'")
        .execute(&mut app.sql())
        .expect("age the session");
    clients.try_me().await.expect("still within 30 minutes");
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
    let status = clients.try_me().await.refused(Code::Unauthenticated);
    assert_eq!(
        zh_message(&status).as_deref(),
        Some("会话已结束（已退出登录、密码已修改或重置、账号已停用或令牌已吊销），请重新登录"),
        "ended, not expired"
    );
}

#[tokio::test]
async fn a_password_an_administrator_set_is_changed_at_the_first_login_before_anything_else() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let rep_position = admin.position("营销员").await.id;
    let created = UserBuilder::new("newcomer")
        .positions(&[rep_position])
        .create(&mut admin)
        .await;
    // The administrator knows the password: the first login must replace it.
    let mut newcomer = app.session_of("newcomer").await;
    assert!(newcomer.me().await.must_change_password);
    let status = newcomer
        .drugs
        .search_drugs(pb::SearchDrugsRequest::default())
        .await
        .refused(Code::FailedPrecondition);
    assert_message_contains(&status, "change it first");
    // Not for the same password again.
    let status = newcomer
        .change_password(USER_PASSWORD, USER_PASSWORD)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["new_password"]);
    newcomer
        .change_password(USER_PASSWORD, "my-own-password")
        .await
        .expect("changed");
    assert!(!newcomer.me().await.must_change_password);
    newcomer
        .drugs
        .search_drugs(pb::SearchDrugsRequest::default())
        .await
        .expect("anything their positions allow, once changed");
    // A reset by an administrator is theirs again until changed; the seeded accounts and
    // a password changed by its user are not.
    admin
        .reset_password(created.id, "reset-by-admin")
        .await
        .expect("reset");
    let mut reset = app
        .login("newcomer", "reset-by-admin")
        .await
        .expect("login");
    assert!(reset.me().await.must_change_password);
    assert!(!admin.me().await.must_change_password);
}

#[tokio::test]
async fn disabling_a_user_or_resetting_their_password_ends_their_sessions() {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("rep1", &["营销员"], None).await;
    let me = rep.user().await;
    let mut admin = app.admin().await;

    admin
        .reset_password(me.id, "brand-new-password")
        .await
        .expect("reset");
    // Told why, not "invalid token".
    let status = rep.try_me().await.refused(Code::Unauthenticated);
    assert_message_contains(&status, "password changed or reset");
    assert!(
        app.login("rep1", USER_PASSWORD).await.is_err(),
        "old password no longer works"
    );
    let mut rep = app
        .login("rep1", "brand-new-password")
        .await
        .expect("new password works");

    let current = admin.user_by_id(me.id).await;
    admin.disable_user(&current).await.expect("disable");
    // The session ended with the account, and says so.
    let status = rep.try_me().await.refused(Code::Unauthenticated);
    assert_message_contains(&status, "account disabled");
    let status = app.refused_login("rep1", "brand-new-password").await;
    assert_code(&status, Code::Unauthenticated);
    assert_message_contains(&status, "disabled");
}

#[tokio::test]
async fn unknown_and_missing_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let mut forged = app.with_token("pcrm_this-token-was-never-issued").await;
    forged.try_me().await.refused(Code::Unauthenticated);
    let mut anonymous =
        pharmacrm_shared::pb::admin_service_client::AdminServiceClient::new(app.channel().await);
    anonymous
        .list_departments(pb::ListDepartmentsRequest::default())
        .await
        .refused(Code::Unauthenticated);
}

#[tokio::test]
async fn change_password_needs_the_old_one_and_keeps_the_current_session() {
    let app = TestApp::spawn().await;
    let mut first = app.user_with_positions("rep2", &["营销员"], None).await;
    let mut second = app.session_of("rep2").await;
    let status = first
        .change_password("wrong-old", "another-password")
        .await
        .expect_err("wrong old password");
    assert_eq!(bad_fields(&status), ["old_password"]);
    let status = first
        .change_password(USER_PASSWORD, "short")
        .await
        .expect_err("too short");
    assert_eq!(bad_fields(&status), ["new_password"]);
    first
        .change_password(USER_PASSWORD, "another-password")
        .await
        .expect("changed");
    first.try_me().await.expect("this session goes on");
    second.try_me().await.refused(Code::Unauthenticated);
    app.login("rep2", "another-password")
        .await
        .expect("new password works");
}

#[tokio::test]
async fn service_accounts_use_revocable_api_tokens_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let finance = admin.position("财务").await;
    let account = ServiceAccountBuilder::new("warehouse-sync", "仓储系统", &[finance.id])
        .create(&mut admin)
        .await;
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
    let me = service.try_me().await.expect("token works");
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
    // A client library that signs out on shutdown does not lose the service's credential.
    service
        .auth
        .logout(())
        .await
        .refused(Code::FailedPrecondition);
    service.try_me().await.expect("the token still works");
    // It has no password to change: said so, and no guess counted against its name.
    for _ in 0..6 {
        let refused = service
            .auth
            .change_password(pb::ChangePasswordRequest {
                old_password: String::new(),
                new_password: "newpassword1".into(),
            })
            .await
            .refused(Code::FailedPrecondition);
        assert_zh_contains(&refused, "服务账号没有密码");
    }
    service.try_me().await.expect("not locked out");
    // The scheme's name in any case (RFC 7235).
    let mut lowercase = tonic::Request::new(());
    lowercase.metadata_mut().insert(
        "authorization",
        format!("bearer {}", issued.token).parse().expect("ascii"),
    );
    app.anonymous()
        .await
        .me(lowercase)
        .await
        .expect("a lowercase scheme is accepted");
    admin
        .admin
        .revoke_api_token(pb::RevokeApiTokenRequest {
            id: issued.api_token.expect("record").id,
        })
        .await
        .expect("revoke");
    service.try_me().await.refused(Code::Unauthenticated);
}

#[tokio::test]
async fn a_plaintext_client_gets_nothing() {
    let app = TestApp::spawn().await;
    let plaintext =
        tonic::transport::Channel::from_shared(format!("http://127.0.0.1:{}", app.addr.port()))
            .expect("uri")
            .connect()
            .await;
    if let Ok(channel) = plaintext {
        let result = login_over(channel, "admin", ADMIN_PASSWORD).await;
        assert!(result.is_err(), "a plaintext call must fail");
    }
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused() {
    let app = TestApp::spawn().await;
    let other_ca = pharmacrm_tests::TempDir::new();
    pharmacrm_server::tls::load_or_generate(other_ca.path()).expect("another CA");
    let pem = std::fs::read_to_string(other_ca.path().join("ca.pem")).expect("read");
    let refused = match tls_channel(app.addr, &pem).await {
        Err(_) => true,
        Ok(channel) => login_over(channel, "admin", ADMIN_PASSWORD).await.is_err(),
    };
    assert!(refused);
}

/// The resident memory of this process (the server runs in it), in MiB.
fn resident_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// `n` logins at once with unknown usernames, over `channels` (HTTP/2 carries many calls
/// on one connection; a connection per call would measure the clients' TLS buffers).
/// Returns the codes they were refused with.
async fn login_storm(channels: &[tonic::transport::Channel], n: usize) -> Vec<Code> {
    let mut storm = tokio::task::JoinSet::new();
    for i in 0..n {
        let channel = channels[i % channels.len()].clone();
        storm.spawn(async move {
            pb::auth_service_client::AuthServiceClient::new(channel)
                .login(pb::LoginRequest {
                    username: format!("nobody-{i}"),
                    password: "wrong-password-1".into(),
                })
                .await
                .expect_err("unknown users are refused")
                .code()
        });
    }
    storm.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_storm_leaves_memory_flat_and_other_calls_fast() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let mut channels = Vec::new();
    for _ in 0..20 {
        channels.push(app.channel().await);
    }
    let start = resident_mib();
    // A first storm brings the hashing threads and the pool to their working size.
    login_storm(&channels, 100).await;
    let before = resident_mib();
    // Then six times as many at once, while a logged-in user keeps working.
    let storm = tokio::spawn({
        let channels = channels.clone();
        async move { login_storm(&channels, 600).await }
    });
    let mut slowest = std::time::Duration::ZERO;
    for _ in 0..20 {
        let started = std::time::Instant::now();
        admin.me().await;
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let codes = storm.await.expect("storm");
    let after = resident_mib();
    assert!(
        codes
            .iter()
            .all(|c| matches!(c, Code::Unauthenticated | Code::ResourceExhausted)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&Code::ResourceExhausted),
        "past the queue, logins are refused at once"
    );
    // Unbounded, every hash ran on a blocking thread of its own and kept its 19 MiB:
    // fifty logins took the server from 57 MB to 896 MB.
    assert!(
        after.saturating_sub(before) < 60 && after.saturating_sub(start) < 250,
        "memory went from {start} MiB to {before} MiB, then {after} MiB"
    );
    assert!(
        slowest < std::time::Duration::from_secs(2),
        "other calls stayed responsive: slowest {slowest:?}"
    );
    // The storm over, a real login works.
    app.admin().await.me().await;
}

/// PostgreSQL text cannot hold U+0000: a string carrying one is the caller's mistake
/// (INVALID_ARGUMENT, said in both languages on its field: a login's username, a search,
/// a note), never an internal error.
#[tokio::test]
async fn a_nul_character_in_a_string_is_refused_as_invalid() {
    let app = TestApp::spawn().await;
    app.anonymous()
        .await
        .login(pb::LoginRequest {
            username: "adm\0in".into(),
            password: ADMIN_PASSWORD.into(),
        })
        .await
        .refused_on(Code::InvalidArgument, &["username"], "控制字符");
    let mut admin = app.admin().await;
    let status = admin
        .try_send(pb::SearchCustomersRequest {
            query: "北京\0".into(),
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["query"]);
    // A note may hold several lines, but not a control character.
    let status = admin
        .try_send(pb::UnitInput {
            name: "瓶".into(),
            capacity: "100".into(),
            capacity_unit: "ml".into(),
            note: "玻璃\0瓶".into(),
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["note"]);
}
