//! Nobody grants, or acts on someone holding, more than they hold themselves; the
//! organisation always keeps an administrator; parallel guesses cannot pass the lockout.

use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    PositionBuilder, PositionChange, ServiceAccountBuilder, UserBuilder, UserChange,
};
use pharmacrm_tests::{
    ADMIN_PASSWORD, Refused, TestApp, USER_PASSWORD, assert_message_contains, assert_zh_contains,
    login_over,
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

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_lockout() {
    let app = TestApp::spawn().await;
    let mut attempts = Vec::new();
    for _ in 0..20 {
        let channel = app.channel().await;
        attempts.push(tokio::spawn(async move {
            login_over(channel, "admin", "a-wrong-guess")
                .await
                .expect_err("wrong password")
        }));
    }
    let mut checked = 0;
    for attempt in attempts {
        let status = attempt.await.expect("join");
        assert_eq!(status.code(), Code::Unauthenticated);
        if status.message() == "wrong username or password" {
            checked += 1;
        }
    }
    assert!(
        checked <= 5,
        "{checked} guesses were checked; at most 5 may be"
    );
    let locked = app.refused_login("admin", ADMIN_PASSWORD).await;
    assert_message_contains(&locked, "too many failed logins");
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
