//! Organisation and permissions: departments, positions, users, the permission table.

use pharmacrm_server::access::{Access, RPC_ACCESS};
use pharmacrm_shared::pb;
use pharmacrm_tests::{Clients, TestApp, bad_fields, zh_message};
use tonic::{Code, Status};

/// Calls `path` with an empty request; only the status matters.
async fn call(clients: &mut Clients, path: &str) -> Result<(), Status> {
    let method = path.rsplit('/').next().expect("method");
    let admin = &mut clients.admin;
    match method {
        "ListPermissions" => admin.list_permissions(()).await.map(drop),
        "ListDepartments" => admin
            .list_departments(pb::ListDepartmentsRequest::default())
            .await
            .map(drop),
        "CreateDepartment" => admin
            .create_department(pb::CreateDepartmentRequest::default())
            .await
            .map(drop),
        "UpdateDepartment" => admin
            .update_department(pb::UpdateDepartmentRequest::default())
            .await
            .map(drop),
        "ArchiveDepartment" => admin
            .archive_department(pb::ArchiveRequest::default())
            .await
            .map(drop),
        "ListPositions" => admin
            .list_positions(pb::ListPositionsRequest::default())
            .await
            .map(drop),
        "CreatePosition" => admin
            .create_position(pb::CreatePositionRequest::default())
            .await
            .map(drop),
        "UpdatePosition" => admin
            .update_position(pb::UpdatePositionRequest::default())
            .await
            .map(drop),
        "ArchivePosition" => admin
            .archive_position(pb::ArchiveRequest::default())
            .await
            .map(drop),
        "ListUsers" => admin
            .list_users(pb::ListUsersRequest::default())
            .await
            .map(drop),
        "GetUser" => admin
            .get_user(pb::GetUserRequest::default())
            .await
            .map(drop),
        "CreateUser" => admin
            .create_user(pb::CreateUserRequest::default())
            .await
            .map(drop),
        "UpdateUser" => admin
            .update_user(pb::UpdateUserRequest::default())
            .await
            .map(drop),
        "SetUserActive" => admin
            .set_user_active(pb::SetUserActiveRequest::default())
            .await
            .map(drop),
        "ResetPassword" => admin
            .reset_password(pb::ResetPasswordRequest::default())
            .await
            .map(drop),
        "CreateServiceAccount" => admin
            .create_service_account(pb::CreateServiceAccountRequest::default())
            .await
            .map(drop),
        "IssueApiToken" => admin
            .issue_api_token(pb::IssueApiTokenRequest::default())
            .await
            .map(drop),
        "ListApiTokens" => admin
            .list_api_tokens(pb::ListApiTokensRequest::default())
            .await
            .map(drop),
        "RevokeApiToken" => admin
            .revoke_api_token(pb::RevokeApiTokenRequest::default())
            .await
            .map(drop),
        "SearchAudit" => clients
            .audit
            .search_audit(pb::SearchAuditRequest::default())
            .await
            .map(drop),
        other => panic!("add {other} to this test's call table"),
    }
}

#[tokio::test]
async fn every_admin_and_audit_rpc_is_allowed_with_its_permission_and_denied_without() {
    let app = TestApp::spawn().await;
    let mut nobody = app.user_with_permissions("no-admin", &["drug.read"]).await;
    let mut holders = std::collections::HashMap::new();
    let mut checked = 0;
    for (path, access) in RPC_ACCESS {
        let Access::Requires(permission) = access else {
            continue;
        };
        if !path.contains("AdminService") && !path.contains("AuditService") {
            continue;
        }
        let denied = call(&mut nobody, path)
            .await
            .expect_err("denied without permission");
        assert_eq!(
            denied.code(),
            Code::PermissionDenied,
            "{path} without {}",
            permission.code()
        );

        if !holders.contains_key(permission) {
            let username = format!("holder-{}", permission.code().replace('.', "-"));
            holders.insert(
                *permission,
                app.user_with_permissions(&username, &[permission.code()])
                    .await,
            );
        }
        let holder = holders.get_mut(permission).expect("inserted above");
        if let Err(status) = call(holder, path).await {
            assert_ne!(
                status.code(),
                Code::PermissionDenied,
                "{path} with {}: {status:?}",
                permission.code()
            );
            assert_ne!(status.code(), Code::Internal, "{path}: {status:?}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "checked {checked} RPCs");
}

#[tokio::test]
async fn a_sales_rep_is_denied_admin_rpcs() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut rep = app
        .login("sales1", pharmacrm_server::seed::DEMO_PASSWORD)
        .await
        .expect("demo rep");
    let status = rep
        .admin
        .list_users(pb::ListUsersRequest::default())
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(
        status.message().contains("admin.users"),
        "{}",
        status.message()
    );
    assert!(zh_message(&status).expect("zh").contains("维护用户"));
}

#[tokio::test]
async fn permissions_and_data_scope_are_the_union_of_the_users_positions() {
    let app = TestApp::spawn().await;
    let mut both = app
        .user_with_positions("rep-and-cs", &["营销员", "客服"], None)
        .await;
    let me = both.auth.me(()).await.expect("me").into_inner();
    assert!(
        me.permissions.contains(&"order.write".to_owned()),
        "from 营销员"
    );
    assert!(
        me.permissions.contains(&"order.shipment.write".to_owned()),
        "from 客服"
    );
    assert_eq!(me.data_scope, pb::DataScope::Own as i32);

    let mut manager = app
        .user_with_positions("rep-and-manager", &["营销员", "营销经理"], None)
        .await;
    let me = manager.auth.me(()).await.expect("me").into_inner();
    assert_eq!(
        me.data_scope,
        pb::DataScope::Department as i32,
        "the widest scope wins"
    );

    let mut finance = app
        .user_with_positions("rep-and-finance", &["营销经理", "财务"], None)
        .await;
    let me = finance.auth.me(()).await.expect("me").into_inner();
    assert_eq!(me.data_scope, pb::DataScope::All as i32);
    assert!(me.permissions.contains(&"customer.assign".to_owned()));
    assert!(me.permissions.contains(&"finance.reconcile".to_owned()));
}

#[tokio::test]
async fn an_archived_position_grants_nothing_and_a_change_applies_at_once() {
    let app = TestApp::spawn().await;
    let mut user = app
        .user_with_permissions("grantee", &["report.read", "report.export"])
        .await;
    let mut admin = app.admin().await;
    let position = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .positions
        .into_iter()
        .find(|p| p.name == "岗位-grantee")
        .expect("position");
    admin
        .admin
        .update_position(pb::UpdatePositionRequest {
            id: position.id,
            version: position.version,
            name: position.name.clone(),
            description: "只读报表".into(),
            permissions: vec!["report.read".into()],
            data_scope: pb::DataScope::All as i32,
        })
        .await
        .expect("update");
    let me = user.auth.me(()).await.expect("me").into_inner();
    assert_eq!(me.permissions, ["report.read"]);
    assert_eq!(me.data_scope, pb::DataScope::All as i32);
}

async fn create_department(
    admin: &mut Clients,
    name: &str,
    parent_id: Option<i64>,
) -> pb::Department {
    admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: name.into(),
            parent_id,
        })
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
        .into_inner()
}

#[tokio::test]
async fn departments_form_a_tree_that_cannot_be_moved_under_itself() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let hq = create_department(&mut admin, "总部", None).await;
    let sales = create_department(&mut admin, "营销中心", Some(hq.id)).await;
    let team = create_department(&mut admin, "营销一部", Some(sales.id)).await;

    // Under its own grandchild: refused, with a sentence.
    let status = admin
        .admin
        .update_department(pb::UpdateDepartmentRequest {
            id: hq.id,
            version: hq.version,
            name: hq.name.clone(),
            parent_id: Some(team.id),
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(zh_message(&status).expect("zh").contains("下级部门"));

    // Under itself: refused too.
    let status = admin
        .admin
        .update_department(pb::UpdateDepartmentRequest {
            id: sales.id,
            version: sales.version,
            name: sales.name.clone(),
            parent_id: Some(sales.id),
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Rename and move the team to the top level.
    let moved = admin
        .admin
        .update_department(pb::UpdateDepartmentRequest {
            id: team.id,
            version: team.version,
            name: "华东营销部".into(),
            parent_id: None,
        })
        .await
        .expect("move")
        .into_inner();
    assert_eq!(moved.parent_id, None);
    assert_eq!(moved.name, "华东营销部");
    assert_eq!(moved.version, team.version + 1);
    assert_eq!(moved.updated_by, "系统管理员");

    // A sibling with the same name is refused, naming the field.
    let status = admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: "营销中心".into(),
            parent_id: Some(hq.id),
        })
        .await
        .expect_err("duplicate");
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
    // The same name elsewhere is fine.
    create_department(&mut admin, "营销中心", None).await;

    // A blank name is a field error.
    let status = admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: "   ".into(),
            parent_id: None,
        })
        .await
        .expect_err("blank");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["name"]);
}

#[tokio::test]
async fn a_department_with_active_users_or_children_cannot_be_archived() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let parent = create_department(&mut admin, "客服部", None).await;
    let child = create_department(&mut admin, "客服一组", Some(parent.id)).await;
    let mut cs = app
        .user_with_positions("cs-in-child", &["客服"], Some(child.id))
        .await;
    let cs_user = cs
        .auth
        .me(())
        .await
        .expect("me")
        .into_inner()
        .user
        .expect("user");

    let status = admin
        .admin
        .archive_department(pb::ArchiveRequest {
            id: parent.id,
            version: parent.version,
        })
        .await
        .expect_err("has a child");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("1 active sub-department"),
        "{}",
        status.message()
    );

    let status = admin
        .admin
        .archive_department(pb::ArchiveRequest {
            id: child.id,
            version: child.version,
        })
        .await
        .expect_err("has a user");
    assert!(
        status.message().contains("1 active user"),
        "{}",
        status.message()
    );

    admin
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: cs_user.id,
            version: cs_user.version,
            is_active: false,
        })
        .await
        .expect("disable");
    let archived = admin
        .admin
        .archive_department(pb::ArchiveRequest {
            id: child.id,
            version: child.version,
        })
        .await
        .expect("archive the empty child")
        .into_inner();
    assert!(!archived.is_active);
    admin
        .admin
        .archive_department(pb::ArchiveRequest {
            id: parent.id,
            version: parent.version,
        })
        .await
        .expect("then the parent");
    let listed = admin
        .admin
        .list_departments(pb::ListDepartmentsRequest {
            include_archived: false,
        })
        .await
        .expect("list")
        .into_inner()
        .departments;
    assert!(listed.iter().all(|d| d.id != parent.id && d.id != child.id));
}

#[tokio::test]
async fn a_stale_version_is_rejected_naming_who_changed_it() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let dept = create_department(&mut admin, "财务部", None).await;
    admin
        .admin
        .update_department(pb::UpdateDepartmentRequest {
            id: dept.id,
            version: dept.version,
            name: "财务中心".into(),
            parent_id: None,
        })
        .await
        .expect("first edit");
    let status = admin
        .admin
        .update_department(pb::UpdateDepartmentRequest {
            id: dept.id,
            version: dept.version,
            name: "财务处".into(),
            parent_id: None,
        })
        .await
        .expect_err("stale");
    assert_eq!(status.code(), Code::Aborted);
    assert!(
        status.message().contains("changed by 系统管理员"),
        "{}",
        status.message()
    );
    use tonic_types::StatusExt;
    let info = status.get_details_error_info().expect("error info");
    assert_eq!(info.reason, "STALE_VERSION");
    assert_eq!(info.metadata["changed_by"], "系统管理员");

    // Users and positions carry versions too.
    let mut rep = app
        .user_with_positions("versioned", &["营销员"], None)
        .await;
    let user = rep
        .auth
        .me(())
        .await
        .expect("me")
        .into_inner()
        .user
        .expect("user");
    let update = |version, name: &str| pb::UpdateUserRequest {
        id: user.id,
        version,
        display_name: name.into(),
        department_id: None,
        phone: "13800138000".into(),
        position_ids: user.positions.iter().map(|p| p.id).collect(),
    };
    admin
        .admin
        .update_user(update(user.version, "张伟"))
        .await
        .expect("first");
    let status = admin
        .admin
        .update_user(update(user.version, "张三"))
        .await
        .expect_err("stale");
    assert_eq!(status.code(), Code::Aborted);
    let positions = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .positions;
    let cs = positions.iter().find(|p| p.name == "客服").expect("客服");
    let edit = |version| pb::UpdatePositionRequest {
        id: cs.id,
        version,
        name: cs.name.clone(),
        description: cs.description.clone(),
        permissions: cs.permissions.clone(),
        data_scope: cs.data_scope,
    };
    admin
        .admin
        .update_position(edit(cs.version))
        .await
        .expect("first");
    assert_eq!(
        admin
            .admin
            .update_position(edit(cs.version))
            .await
            .expect_err("stale")
            .code(),
        Code::Aborted
    );
}

#[tokio::test]
async fn user_fields_are_validated_with_their_names() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let status = admin
        .admin
        .create_user(pb::CreateUserRequest {
            username: "张".into(),
            display_name: "".into(),
            department_id: None,
            phone: "not a phone".into(),
            position_ids: vec![],
            password: "short".into(),
        })
        .await
        .expect_err("invalid");
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "display_name",
            "password",
            "phone",
            "position_ids",
            "username"
        ]
    );
    use tonic_types::StatusExt;
    let violations = status
        .get_details_bad_request()
        .expect("bad request")
        .field_violations;
    assert!(violations.iter().all(|v| {
        v.localized_message
            .as_ref()
            .is_some_and(|m| m.locale == "zh-CN")
    }));

    app.user_with_positions("taken", &["客服"], None).await;
    let positions = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .positions;
    let status = admin
        .admin
        .create_user(pb::CreateUserRequest {
            username: "TAKEN".into(),
            display_name: "重名".into(),
            department_id: Some(999_999),
            phone: String::new(),
            position_ids: vec![positions[0].id],
            password: "long-enough".into(),
        })
        .await
        .expect_err("unknown department");
    assert_eq!(bad_fields(&status), ["department_id"]);
    let status = admin
        .admin
        .create_user(pb::CreateUserRequest {
            username: "TAKEN".into(),
            display_name: "重名".into(),
            department_id: None,
            phone: String::new(),
            position_ids: vec![positions[0].id],
            password: "long-enough".into(),
        })
        .await
        .expect_err("taken");
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["username"]);
}

#[tokio::test]
async fn users_are_searched_and_paged_on_the_server() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut admin = app.admin().await;
    let page = admin
        .admin
        .list_users(pb::ListUsersRequest {
            query: "营销".into(),
            sort: pb::UserSort::Username as i32,
            page: Some(pb::PageRequest {
                offset: 0,
                limit: 1,
            }),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(page.total, 2, "李营销 and 赵营销");
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].username, "sales1");
    let all = admin
        .admin
        .list_users(pb::ListUsersRequest {
            sort: pb::UserSort::DisplayName as i32,
            ..Default::default()
        })
        .await
        .expect("all")
        .into_inner();
    assert_eq!(all.total, 6);
    let names: Vec<_> = all.users.iter().map(|u| u.display_name.as_str()).collect();
    // Pinyin order: chen, li, wang, xi(tong), zhao, zhou.
    assert_eq!(
        names,
        [
            "陈客服",
            "李营销",
            "王经理",
            "系统管理员",
            "赵营销",
            "周财务"
        ]
    );
}

#[tokio::test]
async fn the_builtin_administrator_position_keeps_every_permission() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let positions = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .positions;
    let builtin = positions.iter().find(|p| p.is_builtin).expect("builtin");
    let status = admin
        .admin
        .update_position(pb::UpdatePositionRequest {
            id: builtin.id,
            version: builtin.version,
            name: builtin.name.clone(),
            description: builtin.description.clone(),
            permissions: vec!["drug.read".into()],
            data_scope: pb::DataScope::All as i32,
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = admin
        .admin
        .archive_position(pb::ArchiveRequest {
            id: builtin.id,
            version: builtin.version,
        })
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn first_start_seeds_the_standard_positions_and_admin() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let positions = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("list")
        .into_inner()
        .positions;
    let scope = |name: &str| {
        positions
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.data_scope)
    };
    assert_eq!(scope("系统管理员"), Some(pb::DataScope::All as i32));
    assert_eq!(scope("营销经理"), Some(pb::DataScope::Department as i32));
    assert_eq!(scope("营销员"), Some(pb::DataScope::Own as i32));
    assert_eq!(scope("客服"), Some(pb::DataScope::Own as i32));
    assert_eq!(scope("财务"), Some(pb::DataScope::All as i32));
    let rep = positions
        .iter()
        .find(|p| p.name == "营销员")
        .expect("营销员");
    assert!(rep.permissions.contains(&"customer.write".to_owned()));
    assert!(!rep.permissions.contains(&"customer.assign".to_owned()));
    assert!(!rep.permissions.iter().any(|p| p.starts_with("admin.")));
    let catalogue = admin
        .admin
        .list_permissions(())
        .await
        .expect("catalogue")
        .into_inner()
        .permissions;
    assert!(
        catalogue
            .iter()
            .any(|p| p.code == "report.export" && p.label_zh == "导出报表")
    );
}

#[tokio::test]
async fn demo_mode_creates_a_user_per_position() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    for (username, scope) in [
        ("manager", pb::DataScope::Department),
        ("sales1", pb::DataScope::Own),
        ("sales2", pb::DataScope::Own),
        ("service1", pb::DataScope::Own),
        ("finance1", pb::DataScope::All),
    ] {
        let mut clients = app
            .login(username, pharmacrm_server::seed::DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{username}: {e:?}"));
        let me = clients.auth.me(()).await.expect("me").into_inner();
        assert_eq!(me.data_scope, scope as i32, "{username}");
        assert!(
            !me.department_name.is_empty(),
            "{username} has a department"
        );
    }
    // And a small catalogue to look at, found by pinyin like any other.
    let mut admin = app.admin().await;
    let found = admin
        .drugs
        .search_drugs(pb::SearchDrugsRequest {
            query: "amxl".into(),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.total, 1);
    assert_eq!(found.drugs[0].category_path, "代理类 › 抗生素 › 青霉素类");
}
