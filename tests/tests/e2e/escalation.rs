//! Nobody grants, or acts on someone holding, more than they hold themselves; the
//! organisation always keeps an administrator; parallel guesses cannot pass the lockout.

use pharmacrm_shared::pb;
use pharmacrm_tests::{Clients, TestApp};
use tonic::Code;

async fn positions(admin: &mut Clients) -> Vec<pb::Position> {
    admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("positions")
        .into_inner()
        .positions
}

async fn me(clients: &mut Clients) -> pb::User {
    clients
        .auth
        .me(())
        .await
        .expect("me")
        .into_inner()
        .user
        .expect("user")
}

#[tokio::test]
async fn a_user_manager_cannot_make_anyone_more_powerful_than_themselves() {
    let app = TestApp::spawn().await;
    let mut manager = app
        .user_with_permissions("user-manager", &["admin.users"])
        .await;
    let mut admin = app.admin().await;
    let all = positions(&mut admin).await;
    let builtin = all.iter().find(|p| p.is_builtin).expect("builtin");
    let own = all
        .iter()
        .find(|p| p.name == "岗位-user-manager")
        .expect("own");

    // Giving themselves the administrator position is refused.
    let myself = me(&mut manager).await;
    let status = manager
        .admin
        .update_user(pb::UpdateUserRequest {
            id: myself.id,
            version: myself.version,
            display_name: myself.display_name.clone(),
            department_id: None,
            phone: String::new(),
            position_ids: vec![own.id, builtin.id],
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("admin.positions"),
        "{}",
        status.message()
    );

    // So is creating a user or a service account holding it.
    let status = manager
        .admin
        .create_service_account(pb::CreateServiceAccountRequest {
            username: "backdoor".into(),
            display_name: "后门".into(),
            department_id: None,
            position_ids: vec![builtin.id],
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);

    // And resetting the password of, or disabling, someone more powerful.
    let admin_user = me(&mut admin).await;
    let status = manager
        .admin
        .reset_password(pb::ResetPasswordRequest {
            id: admin_user.id,
            new_password: "taken-over-now".into(),
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = manager
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: admin_user.id,
            version: admin_user.version,
            is_active: false,
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);

    // Within their own powers they manage users as usual.
    manager
        .admin
        .create_user(pb::CreateUserRequest {
            username: "helper".into(),
            display_name: "助手".into(),
            department_id: None,
            phone: String::new(),
            position_ids: vec![own.id],
            password: "helper-password".into(),
        })
        .await
        .expect("an equal user");
}

#[tokio::test]
async fn a_position_manager_cannot_grant_permissions_they_do_not_hold() {
    let app = TestApp::spawn().await;
    let mut manager = app
        .user_with_permissions("position-manager", &["admin.positions", "report.read"])
        .await;
    let status = manager
        .admin
        .create_position(pb::CreatePositionRequest {
            name: "超级岗位".into(),
            description: String::new(),
            permissions: vec!["report.read".into(), "audit.read".into()],
            data_scope: pb::DataScope::Own as i32,
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(status.message().contains("audit.read"));

    let mut admin = app.admin().await;
    let own = positions(&mut admin)
        .await
        .into_iter()
        .find(|p| p.name == "岗位-position-manager")
        .expect("own");
    let status = manager
        .admin
        .update_position(pb::UpdatePositionRequest {
            id: own.id,
            version: own.version,
            name: own.name.clone(),
            description: own.description.clone(),
            permissions: vec![
                "admin.positions".into(),
                "report.read".into(),
                "admin.users".into(),
            ],
            data_scope: own.data_scope,
        })
        .await
        .expect_err("escalation");
    assert_eq!(status.code(), Code::PermissionDenied);
    // A wider data scope than their own is refused too.
    let status = manager
        .admin
        .create_position(pb::CreatePositionRequest {
            name: "全局报表".into(),
            description: String::new(),
            permissions: vec!["report.read".into()],
            data_scope: pb::DataScope::All as i32,
        })
        .await
        .expect_err("wider scope");
    assert_eq!(status.code(), Code::PermissionDenied);
    manager
        .admin
        .create_position(pb::CreatePositionRequest {
            name: "报表查看".into(),
            description: String::new(),
            permissions: vec!["report.read".into()],
            data_scope: pb::DataScope::Own as i32,
        })
        .await
        .expect("within their own powers");
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let builtin = positions(&mut admin)
        .await
        .into_iter()
        .find(|p| p.is_builtin)
        .expect("builtin");
    let mut second = app
        .user_with_positions("second-admin", &[builtin.name.as_str()], None)
        .await;
    let first = me(&mut admin).await;
    second
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: first.id,
            version: first.version,
            is_active: false,
        })
        .await
        .expect("another administrator remains");
    let myself = me(&mut second).await;
    let rep_position = positions(&mut second)
        .await
        .into_iter()
        .find(|p| p.name == "营销员")
        .expect("营销员");
    let status = second
        .admin
        .update_user(pb::UpdateUserRequest {
            id: myself.id,
            version: myself.version,
            display_name: myself.display_name.clone(),
            department_id: None,
            phone: String::new(),
            position_ids: vec![rep_position.id],
        })
        .await
        .expect_err("last administrator");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("administrator"));
}

#[tokio::test]
async fn parallel_guesses_cannot_get_past_the_lockout() {
    let app = TestApp::spawn().await;
    let mut attempts = Vec::new();
    for _ in 0..20 {
        let channel = app.channel().await;
        attempts.push(tokio::spawn(async move {
            pb::auth_service_client::AuthServiceClient::new(channel)
                .login(pb::LoginRequest {
                    username: "admin".into(),
                    password: "a-wrong-guess".into(),
                })
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
    let locked = app
        .login("admin", pharmacrm_tests::ADMIN_PASSWORD)
        .await
        .expect_err("locked");
    assert!(locked.message().contains("too many failed logins"));
}

#[tokio::test]
async fn guessing_the_current_password_through_a_session_counts_as_failed_logins() {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("guessed", &["营销员"], None).await;
    for _ in 0..5 {
        let _ = rep
            .auth
            .change_password(pb::ChangePasswordRequest {
                old_password: "a-wrong-guess".into(),
                new_password: "new-password-1".into(),
            })
            .await;
    }
    assert_eq!(
        rep.auth.me(()).await.expect_err("session ended").code(),
        Code::Unauthenticated
    );
    let status = app
        .login("guessed", pharmacrm_tests::USER_PASSWORD)
        .await
        .expect_err("locked");
    assert!(status.message().contains("too many failed logins"));
}
