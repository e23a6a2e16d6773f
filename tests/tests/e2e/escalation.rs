//! Nobody grants, or acts on someone holding, more than they hold themselves; the
//! organisation always keeps an administrator; parallel guesses cannot pass the lockout.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    PositionBuilder, PositionChange, ServiceAccountBuilder, UserBuilder, UserChange,
};
use pharmacrm_tests::{
    ADMIN_PASSWORD, Refused, TestApp, USER_PASSWORD, assert_message_contains, assert_zh_contains,
    at_once, login_over,
};
use tonic::Code;

#[tokio::test]
async fn a_user_manager_cannot_make_anyone_more_powerful_than_themselves() {
    let app = TestApp::spawn().await;
    let mut manager = app
        .user_with_permissions("user-manager", &["admin.users"])
        .await;
    let mut admin = app.admin().await;
    let builtin = admin.builtin_position().await;
    let own = admin.position("岗位-user-manager").await;

    // Giving themselves the administrator position is refused.
    let myself = manager.user().await;
    let status = UserChange::of(&myself)
        .positions(&[own.id, builtin.id])
        .try_save(&mut manager)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "admin.positions");

    // So is creating a user or a service account holding it.
    ServiceAccountBuilder::new("backdoor", "后门", &[builtin.id])
        .try_create(&mut manager)
        .await
        .refused(Code::PermissionDenied);

    // And resetting the password of, or disabling, someone more powerful.
    let admin_user = admin.user().await;
    manager
        .reset_password(admin_user.id, "taken-over-now")
        .await
        .refused(Code::PermissionDenied);
    manager
        .disable_user(&admin_user)
        .await
        .refused(Code::PermissionDenied);

    // Within their own powers they manage users as usual.
    UserBuilder::new("helper")
        .display_name("助手")
        .positions(&[own.id])
        .password("helper-password")
        .try_create(&mut manager)
        .await
        .expect("an equal user");
}

#[tokio::test]
async fn a_position_manager_cannot_grant_permissions_they_do_not_hold() {
    let app = TestApp::spawn().await;
    let mut manager = app
        .user_with_permissions("position-manager", &["admin.positions", "report.read"])
        .await;
    let status = PositionBuilder::new("超级岗位")
        .granting(&["report.read", "audit.read"])
        .try_create(&mut manager)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "audit.read");
    assert_zh_contains(&status, "查看审计日志");

    let own = app.admin().await.position("岗位-position-manager").await;
    PositionChange::of(&own)
        .granting(&["admin.positions", "report.read", "admin.users"])
        .try_save(&mut manager)
        .await
        .refused(Code::PermissionDenied);
    // A wider data scope than their own is refused too, in either language.
    let status = PositionBuilder::new("全局报表")
        .granting(&["report.read"])
        .scope(pb::DataScope::All)
        .try_create(&mut manager)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "a wider data scope");
    assert_zh_contains(&status, "更大的数据范围");
    PositionBuilder::new("报表查看")
        .granting(&["report.read"])
        .try_create(&mut manager)
        .await
        .expect("within their own powers");

    // Nor can they cut down, or archive, a position that grants more than they hold: its
    // holders would lose powers the manager could not give back.
    let sales = app.admin().await.position("营销员").await;
    let status = PositionChange::of(&sales)
        .granting(&["report.read"])
        .try_save(&mut manager)
        .await
        .refused(Code::PermissionDenied);
    assert_zh_contains(&status, "该岗位超出了您自己的权限");
    manager
        .admin
        .archive_position(pb::ArchiveRequest {
            id: sales.id,
            version: sales.version,
        })
        .await
        .refused(Code::PermissionDenied);
    let unchanged = app.admin().await.position("营销员").await;
    assert_eq!(unchanged.permissions, sales.permissions);
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let builtin = admin.builtin_position().await;
    let mut second = app
        .user_with_positions("second-admin", &[builtin.name.as_str()], None)
        .await;
    let first = admin.user().await;
    second
        .disable_user(&first)
        .await
        .expect("another administrator remains");
    let myself = second.user().await;
    let rep_position = second.position("营销员").await;
    let status = UserChange::of(&myself)
        .positions(&[rep_position.id])
        .try_save(&mut second)
        .await
        .refused(Code::FailedPrecondition);
    assert_message_contains(&status, "administrator");
}

/// Failed logins recorded (each a password checked and found wrong).
fn failures_recorded(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM audit_log WHERE action = 'auth.login_failed'")
            .get_result(&mut app.sql())
            .expect("count");
    count.n
}

/// `n` logins of `username` with `password` at once, each over its connection: what each
/// was answered.
async fn logins_at_once(
    app: &TestApp,
    n: usize,
    username: &str,
    password: &str,
) -> Vec<Result<(), tonic::Status>> {
    let mut channels = Vec::new();
    for _ in 0..n {
        channels.push(app.channel().await);
    }
    let (username, password) = (username.to_owned(), password.to_owned());
    at_once(channels, |channel| async move {
        login_over(channel, &username, &password).await.map(|_| ())
    })
    .await
}

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_lockout() {
    let app = TestApp::spawn().await;
    for answer in logins_at_once(&app, 20, "admin", "a-wrong-guess").await {
        let status = answer.expect_err("wrong password");
        // Refused as wrong or locked, or (too many under way) told to retry.
        assert!(
            matches!(
                status.code(),
                Code::Unauthenticated | Code::ResourceExhausted
            ),
            "{status:?}"
        );
    }
    let checked = failures_recorded(&app);
    assert!(
        (1..=5).contains(&checked),
        "{checked} guesses were checked; at most 5 may be"
    );
    // Guessed on: each further guess takes one of the five.
    for _ in 0..5 {
        let _ = app.refused_login("admin", "a-wrong-guess").await;
    }
    let locked = app.refused_login("admin", ADMIN_PASSWORD).await;
    assert_message_contains(&locked, "too many failed logins");
}

/// A worker pool signing in one account from many connections at once, every password
/// right, is never locked out: the logins past those the limit lets be under way are told
/// to retry in a moment, and the account signs in at once after.
#[tokio::test]
async fn many_logins_at_once_with_the_right_password_lock_nobody_out() {
    let app = TestApp::spawn().await;
    let answers = logins_at_once(&app, 12, "admin", ADMIN_PASSWORD).await;
    assert!(answers.iter().any(Result::is_ok));
    for status in answers.iter().filter_map(|a| a.as_ref().err()) {
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
        assert_zh_contains(status, "该账号正同时在多处登录，请几秒后再试");
    }
    assert_eq!(failures_recorded(&app), 0);
    app.login("admin", ADMIN_PASSWORD)
        .await
        .expect("not locked");
}

#[tokio::test]
async fn guessing_the_current_password_through_a_session_counts_as_failed_logins() {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("guessed", &["营销员"], None).await;
    for _ in 0..5 {
        let _ = rep.change_password("a-wrong-guess", "new-password-1").await;
    }
    rep.try_me().await.refused(Code::Unauthenticated);
    let status = app.refused_login("guessed", USER_PASSWORD).await;
    assert_message_contains(&status, "too many failed logins");
}
