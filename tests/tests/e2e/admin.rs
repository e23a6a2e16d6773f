//! Organisation and permissions: departments, positions, users, the permission table.

use pharmacrm_server::access::{Access, RPC_ACCESS};
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    DepartmentBuilder, DepartmentChange, InvoicingEntityBuilder, PositionBuilder, PositionChange,
    UserBuilder, UserChange, archiving,
};
use pharmacrm_tests::{
    Clients, Refused, TestApp, assert_message_contains, assert_zh_contains, bad_fields, page,
    sorted_bad_fields,
};
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
        "RestoreDepartment" => admin
            .restore_department(pb::ArchiveRequest::default())
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
        "RestorePosition" => admin
            .restore_position(pb::ArchiveRequest::default())
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
        "ListAuditActions" => clients.audit.list_audit_actions(()).await.map(drop),
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
async fn positions_are_listed_in_the_pinyin_order_of_their_names() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let names: Vec<String> = admin
        .admin
        .list_positions(pb::ListPositionsRequest::default())
        .await
        .expect("positions")
        .into_inner()
        .positions
        .into_iter()
        .map(|p| p.name)
        .collect();
    // cái wù, kè fú, xì tǒng, yíng xiāo jīng lǐ, yíng xiāo yuán (by code point: 客服, 系统管理员,
    // 营销经理, 营销员, 财务).
    assert_eq!(names, ["财务", "客服", "系统管理员", "营销经理", "营销员"]);
}

#[tokio::test]
async fn a_sales_rep_is_denied_admin_rpcs() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut rep = app.demo_user("sales1").await;
    let status = rep
        .admin
        .list_users(pb::ListUsersRequest::default())
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "admin.users");
    assert_zh_contains(&status, "维护用户");
}

#[tokio::test]
async fn permissions_and_data_scope_are_the_union_of_the_users_positions() {
    let app = TestApp::spawn().await;
    let me = app
        .user_with_positions("rep-and-cs", &["营销员", "客服"], None)
        .await
        .me()
        .await;
    assert!(
        me.permissions.contains(&"order.write".to_owned()),
        "from 营销员"
    );
    assert!(
        me.permissions.contains(&"order.shipment.write".to_owned()),
        "from 客服"
    );
    assert_eq!(me.data_scope, pb::DataScope::Own as i32);

    let me = app
        .user_with_positions("rep-and-manager", &["营销员", "营销经理"], None)
        .await
        .me()
        .await;
    assert_eq!(
        me.data_scope,
        pb::DataScope::Department as i32,
        "the widest scope wins"
    );

    let me = app
        .user_with_positions("rep-and-finance", &["营销经理", "财务"], None)
        .await
        .me()
        .await;
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
    let position = admin.position("岗位-grantee").await;
    PositionChange::of(&position)
        .described("只读报表")
        .granting(&["report.read"])
        .scope(pb::DataScope::All)
        .save(&mut admin)
        .await;
    let me = user.me().await;
    assert_eq!(me.permissions, ["report.read"]);
    assert_eq!(me.data_scope, pb::DataScope::All as i32);
}

/// A position archived by mistake comes back with its permissions; those who held it do
/// not hold it again, and a position of its name made meanwhile is named.
#[tokio::test]
async fn an_archived_position_is_restored_with_its_permissions_and_no_holders() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let qa = PositionBuilder::new("质检专员")
        .granting(&["drug.read"])
        .create(&mut admin)
        .await;
    let holder = UserBuilder::new("qa1")
        .positions(&[qa.id])
        .create(&mut admin)
        .await;
    admin.disable_user(&holder).await.expect("disabled");
    let archived = admin
        .admin
        .archive_position(archiving(&qa))
        .await
        .expect("archived")
        .into_inner();
    let again = PositionBuilder::new("质检专员")
        .granting(&["drug.read"])
        .create(&mut admin)
        .await;
    let status = admin
        .admin
        .restore_position(archiving(&archived))
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
    admin
        .admin
        .archive_position(archiving(&again))
        .await
        .expect("the copy archived");
    let restored = admin
        .admin
        .restore_position(archiving(&archived))
        .await
        .expect("restored")
        .into_inner();
    assert!(restored.is_active);
    assert_eq!(restored.permissions, ["drug.read"]);
    let holder = admin.user_by_id(holder.id).await;
    assert!(holder.positions.is_empty(), "{:?}", holder.positions);
}

#[tokio::test]
async fn departments_form_a_tree_that_cannot_be_moved_under_itself() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let [hq, sales, team] = admin
        .nested_departments(["总部", "营销中心", "营销一部"])
        .await;

    // Under its own grandchild: refused, with a sentence.
    let status = DepartmentChange::of(&hq)
        .moved_under(Some(team.id))
        .try_save(&mut admin)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "下级部门");

    // Under itself: refused too.
    DepartmentChange::of(&sales)
        .moved_under(Some(sales.id))
        .try_save(&mut admin)
        .await
        .refused(Code::FailedPrecondition);

    // Rename and move the team to the top level.
    let moved = DepartmentChange::of(&team)
        .renamed("华东营销部")
        .moved_under(None)
        .save(&mut admin)
        .await;
    assert_eq!(moved.parent_id, None);
    assert_eq!(moved.name, "华东营销部");
    assert_eq!(moved.version, team.version + 1);
    assert_eq!(moved.updated_by, "系统管理员");

    // A sibling with the same name is refused, naming the field.
    let status = DepartmentBuilder::new("营销中心")
        .under(hq.id)
        .try_create(&mut admin)
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
    // The same name elsewhere is fine.
    DepartmentBuilder::new("营销中心").create(&mut admin).await;

    // A blank name is a field error.
    let status = DepartmentBuilder::new("   ")
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["name"]);
}

#[tokio::test]
async fn a_department_with_active_users_or_children_cannot_be_archived() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let [parent, child] = admin.nested_departments(["客服部", "客服一组"]).await;
    let cs_user = app
        .user_with_positions("cs-in-child", &["客服"], Some(child.id))
        .await
        .user()
        .await;

    let status = admin
        .archive_department(&parent)
        .await
        .refused(Code::FailedPrecondition);
    assert_message_contains(&status, "1 active sub-department");
    let status = admin
        .archive_department(&child)
        .await
        .expect_err("has a user");
    assert_message_contains(&status, "1 active user");

    admin.disable_user(&cs_user).await.expect("disable");
    let archived = admin
        .archive_department(&child)
        .await
        .expect("archive the empty child");
    assert!(!archived.is_active);
    let archived_parent = admin
        .archive_department(&parent)
        .await
        .expect("then the parent");
    let listed = admin.departments().await;
    assert!(listed.iter().all(|d| d.id != parent.id && d.id != child.id));

    // Archived by mistake, they come back where they were: the parent first.
    let status = admin
        .restore_department(&archived)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "上级部门已归档");
    // A department of the parent's name made meanwhile at its level: named.
    let again = DepartmentBuilder::new("客服部").create(&mut admin).await;
    let status = admin
        .restore_department(&archived_parent)
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
    let again = admin
        .archive_department(&again)
        .await
        .expect("the new one archived");
    assert!(!again.is_active);
    let restored = admin
        .restore_department(&archived_parent)
        .await
        .expect("the parent restored");
    assert!(restored.is_active);
    let child = admin
        .restore_department(&archived)
        .await
        .expect("then the child");
    assert_eq!((child.is_active, child.parent_id), (true, Some(parent.id)));
    // The user who was in it stays where archiving put them (no department).
    assert_eq!(admin.user_by_id(cs_user.id).await.department_id, None);
}

#[tokio::test]
async fn departments_are_listed_in_the_order_they_were_set_up() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let centre = DepartmentBuilder::new("营销中心").create(&mut admin).await;
    for name in ["营销一部", "营销二部", "营销三部"] {
        DepartmentBuilder::new(name)
            .under(centre.id)
            .create(&mut admin)
            .await;
    }
    let names: Vec<String> = admin
        .departments()
        .await
        .into_iter()
        .filter(|d| d.parent_id == Some(centre.id))
        .map(|d| d.name)
        .collect();
    // By name they would read 一, 三, 二 (code points).
    assert_eq!(names, ["营销一部", "营销二部", "营销三部"]);
}

#[tokio::test]
async fn a_stale_version_is_rejected_naming_who_changed_it() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let dept = DepartmentBuilder::new("财务部").create(&mut admin).await;
    DepartmentChange::of(&dept)
        .renamed("财务中心")
        .save(&mut admin)
        .await;
    let status = DepartmentChange::of(&dept)
        .renamed("财务处")
        .try_save(&mut admin)
        .await
        .refused(Code::Aborted);
    assert_message_contains(&status, "changed by 系统管理员");
    use tonic_types::StatusExt;
    let info = status.get_details_error_info().expect("error info");
    assert_eq!(info.reason, "STALE_VERSION");
    assert_eq!(info.metadata["changed_by"], "系统管理员");
    // When, in the business time zone (Shanghai) with its offset, not in UTC.
    let at = chrono::DateTime::parse_from_rfc3339(&info.metadata["changed_at"]).expect("time");
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00");
    let local = at.with_timezone(&shanghai).format("%Y-%m-%d %H:%M +08:00");
    assert_message_contains(&status, &local.to_string());
    assert_zh_contains(&status, &local.to_string());

    // Users and positions carry versions too.
    let user = app
        .user_with_positions("versioned", &["营销员"], None)
        .await
        .user()
        .await;
    let update = |name: &str| UserChange::of(&user).contact(name, "13800138000");
    update("张伟").save(&mut admin).await;
    update("张三")
        .try_save(&mut admin)
        .await
        .refused(Code::Aborted);
    let cs = admin.position("客服").await;
    PositionChange::of(&cs).save(&mut admin).await;
    PositionChange::of(&cs)
        .try_save(&mut admin)
        .await
        .refused(Code::Aborted);
    // A version left out was never read: that is a missing field, not someone's change.
    let status = admin
        .admin
        .archive_position(pb::ArchiveRequest {
            id: cs.id,
            version: 0,
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["version"]);
    assert_message_contains(&status, "version: required");
    let status = admin
        .admin
        .archive_position(pb::ArchiveRequest {
            id: cs.id,
            version: -1,
        })
        .await
        .refused(Code::InvalidArgument);
    assert_message_contains(&status, "version: is not a version");
    // A version the record never had (ahead of it) was not read either: nobody is blamed.
    let current = admin.position("客服").await;
    let status = admin
        .admin
        .archive_position(pb::ArchiveRequest {
            id: cs.id,
            version: current.version + 1,
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["version"]);
    assert_message_contains(
        &status,
        &format!("is ahead of the record's version {}", current.version),
    );
}

#[tokio::test]
async fn a_staff_phone_stored_under_the_older_rule_is_checked_only_when_changed() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let mut user = app
        .user_with_positions("ext", &["营销员"], None)
        .await
        .user()
        .await;
    // An extension, as the rule before let through.
    {
        use diesel::RunQueryDsl;
        diesel::sql_query("UPDATE users SET phone = '8001' WHERE username = 'ext'")
            .execute(&mut app.sql())
            .expect("an old phone");
    }
    user.phone = "8001".into();
    // Kept as it is, it does not stop the user being renamed…
    let renamed = UserChange::of(&user)
        .contact("王分机", "8001")
        .save(&mut admin)
        .await;
    assert_eq!(renamed.display_name, "王分机");
    // …changed, it is checked.
    let status = UserChange::of(&renamed)
        .contact("王分机", "8002")
        .try_save(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["phone"]);
    // A mobile typed with spaces is kept as a customer's is: digits only.
    let mobile = UserChange::of(&renamed)
        .contact("王分机", "139 0733 0002")
        .save(&mut admin)
        .await;
    assert_eq!(mobile.phone, "13907330002");
}

#[tokio::test]
async fn user_fields_are_validated_with_their_names() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let status = UserBuilder::new("张")
        .display_name("")
        .phone("not a phone")
        .password("short")
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
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
    let positions = admin.positions().await;
    let taken = UserBuilder::new("TAKEN")
        .display_name("重名")
        .positions(&[positions[0].id])
        .password("long-enough");
    // A staff phone is a mobile or a landline with its area code, as a customer's is: five
    // digits are neither.
    let status = taken
        .clone()
        .phone("12345")
        .try_create(&mut admin)
        .await
        .expect_err("a phone of five digits");
    assert_eq!(bad_fields(&status), ["phone"]);
    // A password of one kind of character is refused, however long (GB/T 22239).
    for weak in ["12345678", "aaaaaaaaaa"] {
        let status = taken
            .clone()
            .password(weak)
            .try_create(&mut admin)
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&status), ["password"], "{weak}");
        assert_zh_contains(&status, "须包含字母、数字、符号中的至少两类");
    }
    let status = taken
        .clone()
        .department(Some(999_999))
        .try_create(&mut admin)
        .await
        .expect_err("unknown department");
    assert_eq!(bad_fields(&status), ["department_id"]);
    assert_message_contains(&status, "department 999999 does not exist");
    // Positions are named by their place in the list: one that is no position's id, then
    // (once the list is well-formed) one that does not exist, with the department.
    let status = taken
        .clone()
        .positions(&[positions[0].id, -1])
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["position_ids[1]"]);
    let status = taken
        .clone()
        .department(Some(999_999))
        .positions(&[99_999_999, positions[0].id])
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["department_id", "position_ids[0]"]);
    assert_message_contains(&status, "position 99999999 does not exist");
    let status = taken
        .clone()
        .department(Some(0))
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_message_contains(&status, "department_id: is not a record's id");
    // A position's unknown permission, likewise.
    let status = PositionBuilder::new("统计员")
        .granting(&["report.read", "report.everything"])
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["permissions[1]"]);
    let status = taken
        .try_create(&mut admin)
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["username"]);
}

#[tokio::test]
async fn users_are_searched_and_paged_on_the_server() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut admin = app.admin().await;
    let page = admin
        .send(pb::ListUsersRequest {
            query: "营销".into(),
            sort: pb::UserSort::Username as i32,
            page: page(0, 1),
            ..Default::default()
        })
        .await;
    assert_eq!(page.total, 2, "李营销 and 赵营销");
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].username, "sales1");
    // Surnames sort as read: 曾 zēng, 单 shàn (not céng, dān).
    let cashier = PositionBuilder::new("出纳")
        .granting(&["finance.read"])
        .create(&mut admin)
        .await;
    for (username, name) in [("zeng", "曾会计"), ("shan", "单出纳")] {
        UserBuilder::new(username)
            .display_name(name)
            .positions(&[cashier.id])
            .create(&mut admin)
            .await;
    }
    let all = admin
        .send(pb::ListUsersRequest {
            sort: pb::UserSort::DisplayName as i32,
            ..Default::default()
        })
        .await;
    assert_eq!(all.total, 8);
    let names: Vec<_> = all.users.iter().map(|u| u.display_name.as_str()).collect();
    // Pinyin order: chen, li, shan, wang, xi(tong), zeng, zhao, zhou.
    assert_eq!(
        names,
        [
            "陈客服",
            "李营销",
            "单出纳",
            "王经理",
            "系统管理员",
            "曾会计",
            "赵营销",
            "周财务"
        ]
    );
}

#[tokio::test]
async fn the_builtin_administrator_position_keeps_every_permission() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let builtin = admin.builtin_position().await;
    PositionChange::of(&builtin)
        .granting(&["drug.read"])
        .scope(pb::DataScope::All)
        .try_save(&mut admin)
        .await
        .refused(Code::FailedPrecondition);
    admin
        .admin
        .archive_position(archiving(&builtin))
        .await
        .refused(Code::FailedPrecondition);
}

#[tokio::test]
async fn first_start_seeds_the_standard_positions_and_admin() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let positions = admin.positions().await;
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
        let me = app.demo_user(username).await.me().await;
        assert_eq!(me.data_scope, scope as i32, "{username}");
        assert!(
            !me.department_name.is_empty(),
            "{username} has a department"
        );
    }
    // And a small catalogue to look at, found by pinyin like any other.
    let found = app.admin().await.drugs_matching("amxl", None).await;
    assert_eq!(found.total, 1);
    assert_eq!(found.drugs[0].category_path, "代理类 › 抗生素 › 青霉素类");
}

#[tokio::test]
async fn the_settings_are_read_with_either_order_read_or_admin_settings_and_changed_only_with_admin_settings()
 {
    let app = TestApp::spawn().await;
    InvoicingEntityBuilder::new("北京康华医药有限公司")
        .create(&mut app.admin().await)
        .await;
    // Its taxpayer number is the 18-character unified social credit code, its check
    // character matching (GB 32100-2015); typed in lower case, it is kept in upper.
    for (typed, why) in [
        ("123", "须为 18 位统一社会信用代码"),
        ("91440300708461136U", "校验位不符"),
    ] {
        let status = InvoicingEntityBuilder::new("深圳分公司")
            .tax_number(typed)
            .try_create(&mut app.admin().await)
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&status), ["tax_number"], "{typed}");
        assert_zh_contains(&status, why);
    }
    let shenzhen = InvoicingEntityBuilder::new("深圳分公司")
        .tax_number(" 91440300708461136t ")
        .create(&mut app.admin().await)
        .await;
    assert_eq!(shenzhen.tax_number, "91440300708461136T");
    // One legal entity, one number: another entity with it is refused, naming the holder.
    InvoicingEntityBuilder::new("深圳华康医药")
        .tax_number("91440300708461136T")
        .try_create(&mut app.admin().await)
        .await
        .refused_on(
            Code::AlreadyExists,
            &["tax_number"],
            "已属于开票单位“深圳分公司”",
        );
    // An administrator of the settings who does not work with orders sees what they keep…
    let mut keeper = app
        .user_with_permissions("settings-keeper", &["admin.settings"])
        .await;
    let entities = keeper
        .send(pb::ListInvoicingEntitiesRequest {
            include_archived: true,
        })
        .await
        .entities;
    assert_eq!(entities.len(), 2);
    // admin.settings reads the company settings…
    let settings = keeper.settings().await;
    assert!(settings.default_transit_days > 0);
    assert_eq!(
        settings.updated_by, "",
        "as seeded, changed by no user: the client says 系统"
    );
    // …and so does whoever works with orders, who may not change them.
    let mut rep = app
        .user_with_permissions("order-reader", &["order.read"])
        .await;
    rep.orders
        .get_settings(())
        .await
        .expect("order.read reads the company settings");
    let status = rep
        .orders
        .update_settings(pb::UpdateSettingsRequest {
            version: settings.version,
            settings: Some(pb::SettingsInput {
                default_transit_days: settings.default_transit_days + 1,
                credit_hold_days: settings.credit_hold_days,
                ..Default::default()
            }),
        })
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "admin.settings");
    // Holding neither, the refusal names both ways in.
    let mut nobody = app.user_with_permissions("drug-only", &["drug.read"]).await;
    let status = nobody
        .orders
        .get_settings(())
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.read / admin.settings");
    assert_zh_contains(&status, "”或“");
}
