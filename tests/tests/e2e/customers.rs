//! Customers: validation, the ID number protected at rest and revealed with an audit row,
//! the type history, allocation under concurrency, and visibility by data scope.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    CertificateBuilder, CustomerBuilder, CustomerTeam, DepartmentBuilder, ID_NUMBER, Person,
    PositionBuilder, ServiceAccountBuilder, UserBuilder, UserChange, deleting, set_active,
    settings_input,
};
use pharmacrm_tests::{
    Refused, TestApp, assert_message_contains, assert_zh_contains, bad_fields, output_of,
    sorted_bad_fields, zh_message,
};
use tonic::Code;

/// A sales rep, a CS rep, and the sales rep's first customer, which the CS rep serves.
struct World {
    app: TestApp,
    rep: Person,
    cs: Person,
    customer: pb::Customer,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let CustomerTeam { rep, cs, customer } =
        app.customer_team("北京协和医院", "rep-a", "cs-a").await;
    World {
        app,
        rep,
        cs,
        customer,
    }
}

/// Departments 营销中心 › 一部 and 营销中心 › 二部, with rep-a moved to 一部: what a
/// department scope reaches.
async fn teams(w: &World) -> [pb::Department; 3] {
    let mut admin = w.app.admin().await;
    let [center, team1] = admin.nested_departments(["营销中心", "一部"]).await;
    let team2 = DepartmentBuilder::new("二部")
        .under(center.id)
        .create(&mut admin)
        .await;
    move_to(&w.app, w.rep.id, team1.id).await;
    [center, team1, team2]
}

/// A visit to customer `customer_id` just now about `content`, the next one planned in
/// `next_in_days` days (business dates).
fn visit_now(customer_id: i64, content: &str, next_in_days: i64) -> pb::Followup {
    pb::Followup {
        customer_id,
        happened_at: Some(pharmacrm_server::convert::timestamp(chrono::Utc::now())),
        method: pb::FollowupMethod::Visit as i32,
        content: content.into(),
        next_on: days_from_today(next_in_days),
        ..Default::default()
    }
}

/// Moves user `user_id` to department `department_id`, as the administrator.
async fn move_to(app: &TestApp, user_id: i64, department_id: i64) {
    let mut admin = app.admin().await;
    let user = admin.user_by_id(user_id).await;
    UserChange::of(&user)
        .department(Some(department_id))
        .save(&mut admin)
        .await;
}

#[tokio::test]
async fn every_field_is_validated_by_name() {
    let mut w = world().await;
    let type_id = w.customer.type_id;
    let valid = CustomerBuilder::new("x")
        .of_type(type_id)
        .served_by(w.cs.id)
        .input();
    let status = w
        .rep
        .customers
        .create_customer(pb::CustomerInput {
            name: " ".into(),
            id_number: "110105194912310021".into(),
            phone: "12345".into(),
            fax: "abc".into(),
            postcode: "1000".into(),
            province_code: "11".into(),
            city_code: "440100".into(),
            business_kind: 0,
            credit_days: -1,
            drug_ids: vec![99_999_999, -3],
            cs_rep_id: 0,
            ..valid.clone()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        [
            "business_kind",
            "city_code",
            "credit_days",
            "cs_rep_id",
            "drug_ids[1]",
            "fax",
            "id_number",
            "name",
            "phone",
            "postcode"
        ]
    );
    // Then the records the fields name, all in one refusal: a CS rep must really be one,
    // a drug must exist (named by its place in the list and its id).
    let not_a_cs_rep = w.rep.id;
    let status = CustomerBuilder::new("另一家医院")
        .of_type(type_id)
        .served_by(not_a_cs_rep)
        .drugs(&[99_999_999])
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["drug_ids[0]", "cs_rep_id"]);
    assert_message_contains(&status, "99999999");
    // An edit's fields are named from the request's top: first the form's, then the
    // records it names.
    let (id, version) = (w.customer.id, w.customer.version);
    let edit = |customer: pb::CustomerInput| pb::UpdateCustomerRequest {
        id,
        version,
        customer: Some(customer),
    };
    let missing_drug = pb::CustomerInput {
        drug_ids: vec![99_999_999],
        ..valid.clone()
    };
    let bad_phone = pb::CustomerInput {
        phone: "12345".into(),
        ..missing_drug.clone()
    };
    assert_eq!(
        w.rep.bad_fields_of(edit(bad_phone)).await,
        ["customer.phone"]
    );
    assert_eq!(
        w.rep.bad_fields_of(edit(missing_drug)).await,
        ["customer.drug_ids[0]"]
    );
}

#[tokio::test]
async fn an_id_number_born_after_today_in_the_business_time_zone_is_refused() {
    let mut w = world().await;
    // 00:30 on 1 December in Shanghai (still 30 November in UTC).
    w.app.pin_clock("2026-12-01T00:30:00+08:00");
    let born_tomorrow = "11010520261202001X";
    let born_today = "110105202612010014";
    let born = |name: &str, id_number: &str| {
        CustomerBuilder::new(name)
            .of_type(w.customer.type_id)
            .served_by(w.cs.id)
            .id_number(id_number)
    };
    let status = born("明日医院", born_tomorrow)
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["id_number"]);
    assert!(
        zh_message(&status).is_some_and(|m| m.contains("晚于今天")),
        "{status:?}"
    );
    // Born today (in Shanghai) is accepted.
    born("今日医院", born_today).create(&mut w.rep).await;
}

#[tokio::test]
async fn the_id_number_is_encrypted_at_rest_masked_and_revealed_only_with_an_audit_row() {
    let mut w = world().await;
    assert_eq!(w.customer.id_number_masked, "110105********002X");

    // Nothing in the database holds the number in clear.
    #[derive(diesel::QueryableByName)]
    struct Dump {
        #[diesel(sql_type = diesel::sql_types::Text)]
        text: String,
    }
    let dump: Vec<Dump> = diesel::sql_query(
        "SELECT row_to_json(c)::text AS text FROM customers c
         UNION ALL SELECT row_to_json(a)::text FROM audit_log a",
    )
    .load(&mut w.app.sql())
    .expect("dump");
    assert!(!dump.is_empty());
    assert!(
        dump.iter()
            .all(|d| !d.text.contains(ID_NUMBER) && !d.text.contains("194912310"))
    );
    // And a real dump of the whole database, as a leaked backup would be.
    let bin = pharmacrm_server::pg::find_bin_dir().expect("PostgreSQL binaries");
    let out = output_of(
        std::process::Command::new(bin.join("pg_dump"))
            .arg("--data-only")
            .arg(&w.app.database_url),
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("北京协和医院"), "the dump has the customer");
    assert!(
        !text.contains(ID_NUMBER) && !text.contains("11010519491231"),
        "but not the ID number"
    );

    // A rep without customer.sensitive.read may not reveal it.
    w.rep
        .reveal_id_number(w.customer.id)
        .await
        .refused(Code::PermissionDenied);

    let mut admin = w.app.admin().await;
    let revealed = admin.reveal_id_number(w.customer.id).await.expect("reveal");
    assert_eq!(revealed, ID_NUMBER);
    let audit = admin.audit_of("customer.reveal_id_number").await;
    assert_eq!(audit.total, 1);
    assert_eq!(audit.entries[0].object_id, w.customer.id.to_string());

    // Removing it on an update leaves nothing behind.
    let current = admin.customer(w.customer.id).await.expect("get");
    let as_registered = CustomerBuilder::new(&current.name)
        .of_type(current.type_id)
        .served_by(w.cs.id);
    let cleared = as_registered
        .clone()
        .without_id_number()
        .save_over(&current, &mut w.rep)
        .await;
    assert_eq!(cleared.id_number_masked, "");
    let none = admin.reveal_id_number(w.customer.id).await.expect("reveal");
    assert_eq!(none, "");
    // Put it back for the search below (an update with a number re-encrypts it).
    as_registered.save_over(&cleared, &mut w.rep).await;

    // An exact search by number works through the keyed hash.
    let found = admin
        .send(pb::SearchCustomersRequest {
            id_number: ID_NUMBER.to_lowercase(),
            ..Default::default()
        })
        .await;
    assert_eq!(found.total, 1);
}

/// Credit terms (账期) and the credit limit (信用额度) are credit control's: a rep
/// registers a customer without them and edits its profile, but neither sets nor changes
/// them; a sales manager's standard position may (the credit hold rests on them).
#[tokio::test]
async fn credit_terms_are_set_by_credit_control_not_by_the_rep() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    // The standard 营销员's customer permissions (the tests' 营销员 hold credit control).
    PositionBuilder::new("外勤营销")
        .granting(&["customer.read", "customer.write", "order.write"])
        .create(&mut admin)
        .await;
    let mut rep = app.user_with_positions("rep-x", &["外勤营销"], None).await;
    let cs = app.person("cs-x", &["客服"], None).await;
    let with_credit = CustomerBuilder::new("北京协和医院").served_by(cs.id);
    let refused = with_credit
        .clone()
        .try_create(&mut rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&refused, "customer.credit.write");
    assert_zh_contains(&refused, "设置客户的账期或信用额度");
    let plain = with_credit.clone().credit_days(0);
    let customer = plain.clone().create(&mut rep).await;
    assert_eq!(
        (customer.credit_days, customer.credit_limit.as_str()),
        (0, "")
    );
    // The rest of the profile is the rep's to edit; the credit terms are not.
    let edited = plain
        .clone()
        .phone("010-69156115")
        .save_over(&customer, &mut rep)
        .await;
    let refused = plain
        .clone()
        .credit_limit("5000")
        .try_save_over(&edited, &mut rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&refused, "customer.credit.write");
    // The standard sales manager's position holds it; an administrator sets them.
    let positions = admin.positions().await;
    let manager = positions
        .iter()
        .find(|p| p.name == "营销经理")
        .expect("营销经理");
    assert!(
        manager
            .permissions
            .iter()
            .any(|p| p == "customer.credit.write")
    );
    let set = plain
        .credit_days(60)
        .credit_limit("5000")
        .save_over(&edited, &mut admin)
        .await;
    assert_eq!(
        (set.credit_days, set.credit_limit.as_str()),
        (60, "5000.00")
    );

    // Credit control sets the terms a rep's new customer starts on (company settings), bad
    // ones refused on their fields; one who sets credit registers with what they give.
    let settings = admin.settings().await;
    let terms = |version: i32, days: i32, limit: &str| pb::UpdateSettingsRequest {
        version,
        settings: Some(pb::SettingsInput {
            new_customer_credit_days: days,
            new_customer_credit_limit: limit.into(),
            ..settings_input(&settings)
        }),
    };
    let refused = admin
        .try_send(terms(settings.version, 4000, "-1"))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&refused),
        [
            "settings.new_customer_credit_days",
            "settings.new_customer_credit_limit"
        ]
    );
    let changed = admin.send(terms(settings.version, 30, "20,000")).await;
    assert_eq!(
        (
            changed.new_customer_credit_days,
            changed.new_customer_credit_limit.as_str()
        ),
        (30, "20000.00")
    );
    let new_customer = CustomerBuilder::new("康民大药房")
        .served_by(cs.id)
        .credit_days(0)
        .create(&mut rep)
        .await;
    assert_eq!(
        (new_customer.credit_days, new_customer.credit_limit.as_str()),
        (30, "20000.00")
    );
    let by_credit_control = CustomerBuilder::new("同仁堂大药房")
        .assigned_to(new_customer.sales_rep.as_ref().expect("rep").id, cs.id)
        .credit_days(0)
        .create(&mut admin)
        .await;
    assert_eq!(
        (
            by_credit_control.credit_days,
            by_credit_control.credit_limit.as_str()
        ),
        (0, "")
    );
    // The limit emptied again: none.
    let cleared = admin.send(terms(changed.version, 30, "")).await;
    assert_eq!(cleared.new_customer_credit_limit, "");
    let unlimited = CustomerBuilder::new("老百姓大药房")
        .served_by(cs.id)
        .credit_days(0)
        .create(&mut rep)
        .await;
    assert_eq!(
        (unlimited.credit_days, unlimited.credit_limit.as_str()),
        (30, "")
    );
}

#[tokio::test]
async fn type_changes_are_kept_with_who_when_and_why() {
    let mut w = world().await;
    let types = w.rep.customer_types().await;
    let names: Vec<_> = types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["潜在", "意向", "成交", "重点", "流失"]);
    let changed = w
        .rep
        .send(pb::ChangeCustomerTypeRequest {
            id: w.customer.id,
            version: w.customer.version,
            type_id: types[1].id,
            reason: "拜访后有采购意向".into(),
        })
        .await;
    assert_eq!(changed.type_name, "意向");
    let history = w.rep.type_history(w.customer.id).await;
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].from_type.as_str(), history[0].to_type.as_str()),
        ("潜在", "意向")
    );
    assert_eq!(history[0].reason, "拜访后有采购意向");
    assert_eq!(history[0].changed_by, "rep-a");
    assert_eq!(history[1].to_type, "潜在");

    // Every change keeps its why: none without a reason, none to the type it has, and
    // none slipped in through a profile edit (it recorded no reason).
    let change = |type_id, reason: &str| pb::ChangeCustomerTypeRequest {
        id: changed.id,
        version: changed.version,
        type_id,
        reason: reason.into(),
    };
    let refused = w
        .rep
        .try_send(change(types[2].id, "  "))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["reason"]);
    w.rep
        .try_send(change(types[1].id, "再次确认"))
        .await
        .refused_on(Code::InvalidArgument, &["type_id"], "客户已是该类型");
    CustomerBuilder::new(&changed.name)
        .of_type(types[2].id)
        .served_by(w.cs.id)
        .try_save_over(&changed, &mut w.rep)
        .await
        .refused_on(Code::InvalidArgument, &["customer.type_id"], "变更客户类型");
    assert_eq!(w.rep.type_history(w.customer.id).await.len(), 2);
}

#[tokio::test]
async fn the_administrator_maintains_the_type_dictionary_and_an_archived_type_is_no_longer_offered()
{
    let mut w = world().await;
    let mut admin = w.app.admin().await;
    // Reps change types but do not maintain the dictionary.
    let refused = w
        .rep
        .customers
        .create_customer_type(pb::CustomerTypeInput {
            name: "沉睡".into(),
            sort_order: 6,
        })
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&refused, "customer.type.write");

    let add = |name: &str, sort_order| pb::CustomerTypeInput {
        name: name.into(),
        sort_order,
    };
    let dormant = admin
        .customers
        .create_customer_type(add(" 沉睡 ", 6))
        .await
        .expect("add")
        .into_inner();
    assert_eq!(dormant.name, "沉睡");
    admin
        .customers
        .create_customer_type(add("意向", 7))
        .await
        .refused_on(Code::AlreadyExists, &["name"], "客户类型“意向”已存在");
    let blank = admin
        .customers
        .create_customer_type(add("  ", 7))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&blank), ["name"]);

    // Renamed and moved first; the rep's choices follow the order.
    // Both sent at the version first read: the second is stale.
    let first_of_all = |name: &str| pb::UpdateCustomerTypeRequest {
        id: dormant.id,
        version: dormant.version,
        r#type: Some(add(name, -1)),
    };
    let renamed = admin
        .customers
        .update_customer_type(first_of_all("休眠"))
        .await
        .expect("rename")
        .into_inner();
    let stale = admin
        .customers
        .update_customer_type(first_of_all("沉睡客户"))
        .await
        .refused(Code::Aborted);
    assert_zh_contains(&stale, "请重新加载后再试");
    // A version the type never had is the request's own field, not the type's.
    let ahead = admin
        .customers
        .update_customer_type(pb::UpdateCustomerTypeRequest {
            version: renamed.version + 1,
            ..first_of_all("沉睡客户")
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&ahead), ["version"]);
    let names = |types: Vec<pb::CustomerType>| -> Vec<String> {
        types.into_iter().map(|t| t.name).collect()
    };
    assert_eq!(
        names(w.rep.customer_types().await),
        ["休眠", "潜在", "意向", "成交", "重点", "流失"]
    );

    // The customer takes the type, then it is archived: the customer keeps it, the rep is
    // no longer offered it, and a change to it is refused.
    let customer = w
        .rep
        .send(pb::ChangeCustomerTypeRequest {
            id: w.customer.id,
            version: w.customer.version,
            type_id: renamed.id,
            reason: "半年未采购".into(),
        })
        .await;
    assert_eq!(customer.type_name, "休眠");
    let archived = admin
        .customers
        .set_customer_type_active(pb::SetActiveRequest {
            id: renamed.id,
            version: renamed.version,
            is_active: false,
        })
        .await
        .expect("archive")
        .into_inner();
    assert!(!archived.is_active);
    assert_eq!(
        names(w.rep.customer_types().await),
        ["潜在", "意向", "成交", "重点", "流失"]
    );
    let all = admin
        .send(pb::ListCustomerTypesRequest {
            include_archived: true,
        })
        .await
        .types;
    assert!(all.iter().any(|t| t.id == renamed.id && !t.is_active));
    let kept = w.rep.customer(w.customer.id).await.expect("customer");
    assert_eq!(kept.type_name, "休眠");
    let other = CustomerBuilder::new("朝阳社区卫生服务中心")
        .assigned_to(w.rep.id, w.cs.id)
        .create(&mut admin)
        .await;
    let refused = w
        .rep
        .customers
        .change_customer_type(pb::ChangeCustomerTypeRequest {
            id: other.id,
            version: other.version,
            type_id: renamed.id,
            reason: "试试".into(),
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["type_id"]);
}

#[tokio::test]
async fn visibility_follows_the_data_scope_and_hidden_customers_are_not_found() {
    let w = world().await;
    let app = &w.app;
    let [center, _, team2] = teams(&w).await;

    let mut other_rep = app
        .user_with_positions("rep-b", &["营销员"], Some(team2.id))
        .await;
    let mut manager = app
        .user_with_positions("manager-a", &["营销经理"], Some(center.id))
        .await;
    let mut other_manager = app
        .user_with_positions("manager-b", &["营销经理"], Some(team2.id))
        .await;
    let mut finance = app.user_with_positions("finance-a", &["财务"], None).await;

    let id = w.customer.id;
    // Another rep: not found, by id or by search.
    other_rep.customer(id).await.refused(Code::NotFound);
    assert_eq!(other_rep.customers_matching("").await.total, 0);
    // The manager of the rep's department (and above) sees it; a manager elsewhere does not.
    manager.customer(id).await.expect("department scope");
    other_manager.customer(id).await.refused(Code::NotFound);
    // Finance sees everything; so do the reps responsible.
    finance.customer(id).await.expect("all scope");
    let mut rep_again = app.session_of("rep-a").await;
    assert_eq!(rep_again.customers_matching("bjxh").await.total, 1);
}

/// A manager gives customers only to sales reps within their scope: one of another team is
/// refused by name — the customer would leave the manager's sight with no way back — on an
/// assignment and in a handover, and is not offered; the manager over both teams may.
#[tokio::test]
async fn a_manager_gives_a_customer_only_to_a_sales_rep_within_their_scope() {
    let w = world().await;
    let app = &w.app;
    let [center, team1, team2] = teams(&w).await;
    let other_rep = app.person("rep-b", &["营销员"], Some(team2.id)).await;
    let mut manager = app
        .user_with_positions("manager-a", &["营销经理"], Some(team1.id))
        .await;
    let customer = manager.customer(w.customer.id).await.expect("in scope");
    let to_other = pb::AssignCustomerRequest {
        id: customer.id,
        version: customer.version,
        sales_rep_id: other_rep.id,
        cs_rep_id: w.cs.id,
    };
    manager.try_send(to_other).await.refused_on(
        Code::FailedPrecondition,
        &["sales_rep_id"],
        "rep-b 不在您的数据范围内",
    );
    let refused = manager
        .try_send(pb::HandoverCustomersRequest {
            from_user_id: w.rep.id,
            moves: vec![pb::HandoverMove {
                customer_id: customer.id,
                sales_rep_id: other_rep.id,
                cs_rep_id: 0,
            }],
        })
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["moves[0].sales_rep_id"]);
    let offered = manager.reps("sales").await.expect("reps");
    assert!(offered.iter().any(|r| r.id == w.rep.id));
    assert!(offered.iter().all(|r| r.id != other_rep.id), "{offered:?}");
    // The CS reps are anyone's: customer service is its own department.
    assert!(
        manager
            .reps("cs")
            .await
            .expect("reps")
            .iter()
            .any(|r| r.id == w.cs.id)
    );
    // The manager over both teams gives it.
    let mut head = app
        .user_with_positions("head", &["营销经理"], Some(center.id))
        .await;
    let moved = head.send(to_other).await;
    assert_eq!(moved.sales_rep.map(|u| u.id), Some(other_rep.id));
}

#[tokio::test]
async fn the_departments_to_filter_on_are_those_of_the_callers_scope() {
    let w = world().await;
    let app = &w.app;
    let [center, team1, team2] = teams(&w).await;
    let elsewhere = DepartmentBuilder::new("华南大区")
        .create(&mut app.admin().await)
        .await;
    let names = |mut clients: pharmacrm_tests::Clients| async move {
        let found = clients
            .customers
            .list_scope_departments(())
            .await
            .expect("departments")
            .into_inner();
        found
            .departments
            .into_iter()
            .map(|d| (d.name, d.parent_id))
            .collect::<Vec<_>>()
    };
    // Finance sees every customer: every department (欠款's 部门 offered it only its own).
    let finance = app.user_with_positions("finance-a", &["财务"], None).await;
    let all = names(finance).await;
    for d in [&center, &team1, &team2, &elsewhere] {
        assert!(all.contains(&(d.name.clone(), d.parent_id)), "{all:?}");
    }
    // A manager of 营销中心: it and the teams under it, in the order created.
    let manager = app
        .user_with_positions("manager-a", &["营销经理"], Some(center.id))
        .await;
    assert_eq!(
        names(manager).await,
        [
            ("营销中心".to_owned(), None),
            ("一部".to_owned(), Some(center.id)),
            ("二部".to_owned(), Some(center.id)),
        ]
    );
    // A rep: their own department.
    let rep = app.session_of("rep-a").await;
    assert_eq!(names(rep).await, [("一部".to_owned(), Some(center.id))]);
}

#[tokio::test]
async fn a_managers_work_lists_the_teams_due_follow_ups_and_certificates_naming_the_rep() {
    let w = world().await;
    let app = &w.app;
    let [_, team1, team2] = teams(&w).await;
    let mut rep = app.session_of("rep-a").await;
    rep.send(visit_now(w.customer.id, "约拜访时间", 0)).await;
    CertificateBuilder::new(w.customer.id, pb::CertificateKind::DrugTrade)
        .number("京AA0000009")
        .issued_on("2021-01-01")
        .expires_on(&days_from_today(5))
        .save(&mut rep)
        .await;

    // The manager of the rep's department sees the team's work, each row naming the rep.
    let mut manager = app
        .user_with_positions("manager-a", &["营销经理"], Some(team1.id))
        .await;
    let work = manager.my_work().await;
    let due: Vec<(&str, &str)> = work
        .due_followups
        .iter()
        .map(|d| {
            let rep = d.sales_rep.as_ref().map_or("", |r| r.name.as_str());
            (d.customer_name.as_str(), rep)
        })
        .collect();
    assert_eq!(due, [("北京协和医院", "rep-a")]);
    assert_eq!(work.expiring_certificates.len(), 1);
    assert_eq!(
        work.expiring_certificates[0]
            .sales_rep
            .as_ref()
            .map(|r| r.name.as_str()),
        Some("rep-a")
    );
    assert!(!work.more_followups && !work.more_certificates);
    // A manager of another department, and a rep who does not serve the customer, see none.
    let mut other_manager = app
        .user_with_positions("manager-b", &["营销经理"], Some(team2.id))
        .await;
    let elsewhere = other_manager.my_work().await;
    assert!(elsewhere.due_followups.is_empty() && elsewhere.expiring_certificates.is_empty());
    let mut other_rep = app
        .user_with_positions("rep-b", &["营销员"], Some(team1.id))
        .await;
    assert!(other_rep.my_work().await.due_followups.is_empty());
    // The rep's own list is the same work.
    assert_eq!(rep.my_work().await.due_followups.len(), 1);
}

#[tokio::test]
async fn concurrent_reassignments_leave_exactly_one_rep_of_each_kind() {
    let w = world().await;
    let app = &w.app;
    let mut reps = Vec::new();
    let mut css = Vec::new();
    for i in 0..3 {
        reps.push(app.sales_rep(&format!("rep-{i}x")).await.id);
        css.push(app.service_rep(&format!("cs-{i}x")).await.id);
    }
    // A hundred managers at once (sharing one session: the contention that matters is
    // in the database).
    let admin = app.admin().await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let mut manager = admin.customers.clone();
        let (sales, cs) = (reps[i % 3], css[(i + 1) % 3]);
        let id = w.customer.id;
        tasks.push(tokio::spawn(async move {
            // Each writer reads the current version and tries; conflicts are expected.
            for _ in 0..5 {
                let current = manager
                    .get_customer(pb::GetCustomerRequest { id })
                    .await
                    .expect("get")
                    .into_inner();
                match manager
                    .assign_customer(pb::AssignCustomerRequest {
                        id,
                        version: current.version,
                        sales_rep_id: sales,
                        cs_rep_id: cs,
                    })
                    .await
                {
                    Ok(_) => return true,
                    Err(status) => assert_eq!(status.code(), Code::Aborted, "{status:?}"),
                }
            }
            false
        }));
    }
    let mut succeeded = 0;
    for t in tasks {
        succeeded += usize::from(t.await.expect("join"));
    }
    assert!(succeeded >= 1);

    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.sql();
    for role in ["sales", "cs"] {
        let current: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM customer_assignments WHERE customer_id = $1 AND role = $2 AND effective_to IS NULL",
        )
        .bind::<diesel::sql_types::BigInt, _>(w.customer.id)
        .bind::<diesel::sql_types::Text, _>(role)
        .get_result(&mut conn)
        .expect("count");
        assert_eq!(current.n, 1, "exactly one current {role} rep");
    }
    // The history agrees with the customer row.
    let mut admin = app.admin().await;
    let customer = admin.customer(w.customer.id).await.expect("get");
    let history = admin
        .customers
        .list_assignment_history(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("history")
        .into_inner()
        .assignments;
    let current_sales = history
        .iter()
        .find(|a| a.role == "sales" && a.effective_to.is_none())
        .expect("current sales");
    assert_eq!(
        current_sales.user.as_ref().map(|u| u.id),
        customer.sales_rep.as_ref().map(|u| u.id)
    );
    // The same reps saved again change nothing: no version, no history, no audit row.
    let assigns = admin.audit_of("customer.assign").await.total;
    let same = admin
        .send(pb::AssignCustomerRequest {
            id: customer.id,
            version: customer.version,
            sales_rep_id: customer.sales_rep.as_ref().map_or(0, |u| u.id),
            cs_rep_id: customer.cs_rep.as_ref().map_or(0, |u| u.id),
        })
        .await;
    assert_eq!(same.version, customer.version);
    assert_eq!(admin.audit_of("customer.assign").await.total, assigns);
    let again = admin
        .customers
        .list_assignment_history(pb::GetCustomerRequest { id: customer.id })
        .await
        .expect("history")
        .into_inner()
        .assignments;
    assert_eq!(again.len(), history.len());
    // A rep without customer.assign cannot reassign.
    let mut rep = app.session_of("rep-a").await;
    rep.customers
        .assign_customer(pb::AssignCustomerRequest {
            id: w.customer.id,
            version: customer.version,
            sales_rep_id: w.rep.id,
            cs_rep_id: w.cs.id,
        })
        .await
        .refused(Code::PermissionDenied);
}

/// A customer handed to a rep (assigned by a manager) is in their 我的工作 for a week,
/// saying how and by whom: what they take over. Not one they registered themselves, not
/// the previous rep's, and not after seven business days.
#[tokio::test]
async fn a_customer_handed_to_a_rep_is_in_their_work_for_a_week() {
    let mut w = world().await;
    let mut rep_b = w.app.person("rep-b", &["营销员"], None).await;
    let handed = |work: &pb::MyWorkResponse| -> Vec<(String, String, String, String)> {
        work.handed_customers
            .iter()
            .map(|h| {
                let a = h.assignment.clone().unwrap_or_default();
                (h.customer_name.clone(), a.role, a.source, a.assigned_by)
            })
            .collect()
    };
    // Registered by the rep themselves: nothing handed.
    assert!(handed(&w.rep.my_work().await).is_empty());
    let mut admin = w.app.admin().await;
    admin
        .send(pb::AssignCustomerRequest {
            id: w.customer.id,
            version: w.customer.version,
            sales_rep_id: rep_b.id,
            cs_rep_id: w.cs.id,
        })
        .await;
    assert_eq!(
        handed(&rep_b.my_work().await),
        [(
            "北京协和医院".to_owned(),
            "sales".to_owned(),
            "assigned".to_owned(),
            "系统管理员".to_owned()
        )]
    );
    assert!(
        handed(&w.rep.my_work().await).is_empty(),
        "no longer theirs"
    );
    // A week on (the seventh day is the last), it is theirs as any other.
    let in_days = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00"))
            .format("%Y-%m-%dT12:00:00+08:00")
            .to_string()
    };
    w.app.pin_clock(&in_days(6));
    assert_eq!(handed(&rep_b.my_work().await).len(), 1);
    w.app.pin_clock(&in_days(7));
    assert!(handed(&rep_b.my_work().await).is_empty());
}

#[tokio::test]
async fn possible_duplicates_are_found_by_name_or_phone() {
    let mut w = world().await;
    let found = w.rep.duplicates_of("北京协和医院", "").await;
    assert_eq!(found.len(), 1);
    assert!(found[0].same_name);
    assert_eq!(found[0].region, "北京市 东城区");
    let found = w.rep.duplicates_of("别的名字", "010-69156114").await;
    assert_eq!(found.len(), 1);
    assert!(found[0].same_phone && !found[0].same_name);
    assert_eq!(
        found[0].id, w.customer.id,
        "the rep may open their own customer"
    );
    // A mobile number typed in groups is stored as its digits: found when typed whole,
    // and by a search for them.
    let clinic = CustomerBuilder::new("岳麓区诊所")
        .served_by(w.cs.id)
        .phone("139 0733 0001")
        .create(&mut w.rep)
        .await;
    assert_eq!(clinic.phone, "13907330001");
    let found = w.rep.duplicates_of("别的诊所", "139-0733-0001").await;
    assert_eq!(found.len(), 1);
    assert!(found[0].same_phone);
}

/// A customer has one record and one sales rep at a time (spec 2.3): the same name in the
/// same city (in the same province, when either gives no city) registered again — by
/// another rep, past the duplicate warning — or another customer renamed to it is
/// refused, naming the rep to ask; a namesake elsewhere is not.
#[tokio::test]
async fn the_same_customer_is_not_registered_twice() {
    let mut w = world().await;
    let mut other_rep = w.app.person("rep-b", &["营销员"], None).await;
    let again = CustomerBuilder::new("北京协和医院").served_by(w.cs.id);
    again.clone().try_create(&mut other_rep).await.refused_on(
        Code::FailedPrecondition,
        &["name"],
        "营销员为 rep-a",
    );
    // A namesake in another city is another customer.
    again
        .clone()
        .region("31", "310101")
        .create(&mut other_rep)
        .await;
    // The duplicate check of the form says so first: the same customer, no registering it
    // anyway.
    // Which of the customers found are the same as the form of province `province`.
    let mut same_in = async |province: &str| -> Vec<String> {
        let form = (again.clone().region(province, "")).of_type(w.customer.type_id);
        let found = other_rep
            .try_send(pb::FindDuplicatesRequest {
                customer: Some(form.input()),
                ..Default::default()
            })
            .await
            .expect("checked");
        (found.duplicates.into_iter())
            .filter(|d| d.same_customer)
            .map(|d| d.sales_rep)
            .collect()
    };
    assert_eq!(same_in("11").await, ["rep-a"]);
    assert!(
        same_in("12").await.is_empty(),
        "another province's is another"
    );
    // Without a city (a municipality's district left out), the name is one customer in
    // its whole province: the same hospital registered again without its district is
    // refused (the duplicate warning offered 仍然创建, and two reps held one hospital).
    again
        .region("11", "")
        .try_create(&mut other_rep)
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["name"],
            "本省已有北京协和医院的档案，营销员为 rep-a（未填城市时，同省同名视为同一客户）",
        );
    // A chain's stores in two cities of a province are two customers; one without a city
    // could be either, refused; in another province it is another customer.
    let chain = CustomerBuilder::new("康民连锁药房").served_by(w.cs.id);
    chain.clone().region("43", "4301").create(&mut w.rep).await;
    chain
        .clone()
        .region("43", "4302")
        .create(&mut other_rep)
        .await;
    let refused = chain
        .clone()
        .region("43", "")
        .try_create(&mut other_rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["name"]);
    assert_zh_contains(&refused, "本省已有康民连锁药房的档案，营销员为 rep-a");
    chain.region("44", "").create(&mut other_rep).await;
    // Registered without its city first, the name in a city of the province is refused.
    let store = CustomerBuilder::new("仁和药房").served_by(w.cs.id);
    store.clone().region("44", "").create(&mut w.rep).await;
    store
        .region("44", "4401")
        .try_create(&mut other_rep)
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["name"],
            "本省已有仁和药房的档案，营销员为 rep-a",
        );
    // Moved without a city into a province holding the name: the same customer, refused.
    let moved = CustomerBuilder::new("仁和药房")
        .served_by(w.cs.id)
        .region("45", "")
        .create(&mut other_rep)
        .await;
    let refused = CustomerBuilder::new("仁和药房")
        .served_by(w.cs.id)
        .region("44", "")
        .try_save_over(&moved, &mut other_rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["customer.name"]);
    // An archived one restored beside the same customer registered again meanwhile.
    let first = CustomerBuilder::new("百草堂")
        .served_by(w.cs.id)
        .region("43", "")
        .create(&mut w.rep)
        .await;
    w.rep
        .customers
        .set_customer_active(set_active(&first, false))
        .await
        .expect("archived");
    CustomerBuilder::new("百草堂")
        .served_by(w.cs.id)
        .region("43", "4301")
        .create(&mut other_rep)
        .await;
    let archived = w.rep.customer(first.id).await.expect("get");
    let refused = w
        .rep
        .customers
        .set_customer_active(set_active(&archived, true))
        .await
        .expect_err("restored beside its namesake");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_zh_contains(&refused, "本省已有百草堂的档案，营销员为 rep-b");
    // Renamed to it, another customer of the same city is refused too.
    let clinic = CustomerBuilder::new("东城社区诊所")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let refused = CustomerBuilder::new("北京协和医院")
        .served_by(w.cs.id)
        .try_save_over(&clinic, &mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["customer.name"]);
}

/// Two reps registering the same customer at the same moment: one gets it, the other is
/// refused as above (the check and the insert are one step under the name's lock), never
/// both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_customer_registered_at_once_is_registered_once() {
    let w = world().await;
    let mut a = w.app.person("rep-b", &["营销员"], None).await;
    let mut b = w.app.person("rep-c", &["营销员"], None).await;
    for i in 0..8 {
        let input = CustomerBuilder::new(&format!("同时登记诊所{i}"))
            .of_type(w.customer.type_id)
            .served_by(w.cs.id)
            .input();
        let (x, y) = tokio::join!(a.try_send(input.clone()), b.try_send(input));
        let refused: Vec<Code> = [x, y]
            .into_iter()
            .filter_map(|r| r.err().map(|s| s.code()))
            .collect();
        assert_eq!(refused, [Code::FailedPrecondition], "round {i}");
    }
}

#[tokio::test]
async fn another_reps_duplicate_tells_only_its_owner_is_audited_and_rate_limited() {
    let mut w = world().await;
    let mut other = w.app.sales_rep("rep-other").await;
    // Matched by phone, outside the caller's scope: only the owner to contact.
    let found = other.duplicates_of("别的名字", "010-69156114").await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (
            found[0].id,
            found[0].name.as_str(),
            found[0].region.as_str()
        ),
        (0, "", "")
    );
    assert_eq!(found[0].sales_rep, "rep-a");
    // Matched by the name the caller typed: the name, still nothing else.
    let found = other.duplicates_of("北京协和医院", "").await;
    assert_eq!((found[0].id, found[0].name.as_str()), (0, "北京协和医院"));
    assert_eq!(found[0].region, "");
    // Only exact matches.
    assert!(other.duplicates_of("北京协和", "").await.is_empty());
    assert!(other.duplicates_of("", "010-6915611").await.is_empty());
    // Each answer naming someone else's customer is audited…
    let mut admin = w.app.admin().await;
    assert_eq!(
        admin
            .audit_of("customer.duplicate_lookup")
            .await
            .entries
            .len(),
        2
    );
    // …and a user gets thirty of them an hour.
    for _ in 2..30 {
        other.duplicates_of("北京协和医院", "").await;
    }
    let status = other
        .try_send(pb::FindDuplicatesRequest {
            name: "北京协和医院".into(),
            phone: String::new(),
            customer: None,
        })
        .await
        .refused(Code::ResourceExhausted);
    assert!(zh_message(&status).is_some());
    // The rep's own customers are not limited.
    assert_eq!(w.rep.duplicates_of("北京协和医院", "").await.len(), 1);
}

#[tokio::test]
async fn the_duplicate_check_of_a_whole_form_names_bad_fields_first() {
    let mut w = world().await;
    let input = CustomerBuilder::new("北京协和医院")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .phone("12345")
        .input();
    let status = w
        .rep
        .try_send(pb::FindDuplicatesRequest {
            name: String::new(),
            phone: String::new(),
            customer: Some(input.clone()),
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["customer.phone"]);
    let not_a_cs_rep = w.rep.id;
    let status = w
        .rep
        .try_send(pb::FindDuplicatesRequest {
            name: String::new(),
            phone: String::new(),
            customer: Some(pb::CustomerInput {
                phone: "010-69156114".into(),
                cs_rep_id: not_a_cs_rep,
                ..input.clone()
            }),
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["customer.cs_rep_id"]);
    let found: pb::FindDuplicatesResponse = w
        .rep
        .send(pb::FindDuplicatesRequest {
            name: String::new(),
            phone: String::new(),
            customer: Some(pb::CustomerInput {
                phone: "010-69156114".into(),
                ..input
            }),
        })
        .await;
    assert_eq!(found.duplicates.len(), 1);
    assert!(found.duplicates[0].same_name && found.duplicates[0].same_phone);
}

#[tokio::test]
async fn a_handover_moves_all_or_nothing_and_then_the_employee_can_be_disabled() {
    let mut w = world().await;
    let mut ids = vec![w.customer.id];
    for name in ["朝阳医院", "同仁堂药店"] {
        let c = CustomerBuilder::new(name)
            .of_type(w.customer.type_id)
            .served_by(w.cs.id)
            .create(&mut w.rep)
            .await;
        ids.push(c.id);
    }
    let app = &w.app;
    let mut admin = app.admin().await;
    let leaver = admin.user_by_id(w.rep.id).await;
    // The user form says how many they hold (停用 waits for 客户交接), the list too.
    assert_eq!(leaver.customers_held, 3);
    let listed = admin
        .send(pb::ListUsersRequest {
            query: "rep-a".into(),
            ..Default::default()
        })
        .await
        .users;
    assert_eq!(
        listed.iter().map(|u| u.customers_held).collect::<Vec<_>>(),
        [3]
    );

    // Disabling someone who still holds customers is refused with the count.
    let status = admin
        .disable_user(&leaver)
        .await
        .refused(Code::FailedPrecondition);
    assert_message_contains(&status, "3 customer");

    let mut b = app.sales_rep("rep-b").await;
    let mut c = app.sales_rep("rep-c").await;
    let (b_id, c_id) = (b.id, c.id);
    let moves = |third: i64| {
        vec![
            pb::HandoverMove {
                customer_id: ids[0],
                sales_rep_id: b_id,
                cs_rep_id: 0,
            },
            pb::HandoverMove {
                customer_id: ids[1],
                sales_rep_id: b_id,
                cs_rep_id: 0,
            },
            pb::HandoverMove {
                customer_id: ids[2],
                sales_rep_id: third,
                cs_rep_id: 0,
            },
        ]
    };
    let leaver_id = w.rep.id;
    let handover = |moves| pb::HandoverCustomersRequest {
        from_user_id: leaver_id,
        moves,
    };
    // One bad move (a CS rep cannot take a sales role): named by its place in the
    // request, and nothing moves.
    let refused = admin
        .try_send(handover(moves(w.cs.id)))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["moves[2].sales_rep_id"]);
    let still = w.rep.customers_matching("").await.customers;
    assert_eq!(still.len(), 3, "all or nothing");
    // A customer moved twice, or "moved" to the leaver, is named before anything is read.
    let mut twice = moves(c_id);
    twice[1].sales_rep_id = w.rep.id;
    twice[2].customer_id = ids[0];
    let refused = admin
        .try_send(handover(twice))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        bad_fields(&refused),
        ["moves[1].sales_rep_id", "moves[2].customer_id"]
    );
    assert_zh_contains(&refused, "与 moves[0] 是同一个客户");
    // A customer that does not exist: the move and the id are said.
    let mut unknown = moves(c_id);
    unknown[1].customer_id = 99_999_999;
    let refused = admin
        .try_send(handover(unknown))
        .await
        .refused(Code::NotFound);
    assert_message_contains(&refused, "moves[1]: customer 99999999 not found");
    assert_eq!(
        w.rep.customers_matching("").await.total,
        3,
        "all or nothing"
    );
    // Every move's problem at once: a successor without the role, one missing, and a
    // customer the leaver does not hold.
    let not_theirs = CustomerBuilder::new("积水潭医院")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .create(&mut b)
        .await;
    let mut several = moves(0);
    several[0].sales_rep_id = w.cs.id;
    several.push(pb::HandoverMove {
        customer_id: not_theirs.id,
        sales_rep_id: c_id,
        cs_rep_id: 0,
    });
    let refused = admin
        .try_send(handover(several))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        bad_fields(&refused),
        [
            "moves[0].sales_rep_id",
            "moves[2].sales_rep_id",
            "moves[3].customer_id"
        ]
    );
    assert_eq!(
        w.rep.customers_matching("").await.total,
        3,
        "all or nothing"
    );
    // A leaver who does not exist.
    admin
        .customers
        .handover_customers(pb::HandoverCustomersRequest {
            from_user_id: 99_999_999,
            moves: moves(c_id),
        })
        .await
        .refused(Code::NotFound);

    // Split between two colleagues, in one call.
    let done = admin
        .customers
        .handover_customers(handover(moves(c_id)))
        .await
        .expect("handover")
        .into_inner();
    assert_eq!((done.moved, done.remaining), (3, 0));
    // Found under the leaver in the audit log, the refused attempts leaving nothing.
    let handovers = admin.audit_of("user.handover").await.entries;
    assert_eq!(handovers.len(), 1);
    assert_eq!(
        (
            handovers[0].object_type.as_str(),
            handovers[0].object_id.clone()
        ),
        ("user", w.rep.id.to_string())
    );
    assert!(
        handovers[0].after_json.contains("\"moved\": 3"),
        "{}",
        handovers[0].after_json
    );
    assert_eq!(
        b.customers_matching("").await.total,
        3,
        "two moved, one their own"
    );
    assert_eq!(c.customers_matching("").await.total, 1);
    // The customer's 分配记录 says how each rep came to it and who decided.
    let history = admin
        .customers
        .list_assignment_history(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("history")
        .into_inner()
        .assignments;
    let sales: Vec<_> = history
        .iter()
        .filter(|a| a.role == "sales")
        .map(|a| {
            (
                a.user.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
                a.source.as_str(),
                a.assigned_by.as_str(),
            )
        })
        .collect();
    assert_eq!(
        sales,
        [
            ("rep-b".to_owned(), "handover", "系统管理员"),
            ("rep-a".to_owned(), "registered", "rep-a"),
        ]
    );
    let leaver = admin.user_by_id(w.rep.id).await;
    assert_eq!(leaver.customers_held, 0);
    admin.disable_user(&leaver).await.expect("now they can go");
}

/// The business date (Asia/Shanghai, as the server's clock reckons it) `days` from now.
fn days_from_today(days: i64) -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    (today + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn personal_records_are_added_edited_and_soft_deleted_with_audit() {
    let mut w = world().await;
    let id = w.customer.id;
    let record = |kind: &str, title: &str, detail: &str| pb::ProfileRecord {
        customer_id: id,
        kind: kind.into(),
        title: title.into(),
        detail: detail.into(),
        ..Default::default()
    };
    let status = w
        .rep
        .try_send(pb::ProfileRecord {
            date_from: "2010-03-01".into(),
            date_to: "2009-01-01".into(),
            ..record("work", "协和医院药剂科", "主任")
        })
        .await
        .expect_err("to before from");
    assert_eq!(bad_fields(&status), ["date_to"]);
    // A job or a school starts no later than today (a future start was a typo's year).
    let status = w
        .rep
        .try_send(pb::ProfileRecord {
            date_from: days_from_today(1),
            ..record("work", "协和医院药剂科", "主任")
        })
        .await
        .expect_err("starts tomorrow");
    assert_eq!(bad_fields(&status), ["date_from"]);
    assert_zh_contains(&status, "不能晚于今天");
    let mut kinds = Vec::new();
    for (kind, title, detail) in [
        ("preference", "茶", "喜欢普洱"),
        ("family", "女儿", "在读高中"),
        ("work", "协和医院药剂科", "主任"),
        ("education", "北京大学医学部", "药学硕士"),
    ] {
        kinds.push(w.rep.send(record(kind, title, detail)).await);
    }
    // Edit one, with its version; a stale version is refused.
    let mut edited = kinds[0].clone();
    edited.detail = "喜欢龙井".into();
    let after = w.rep.send(edited.clone()).await;
    assert_eq!(after.detail, "喜欢龙井");
    w.rep.try_send(edited).await.refused(Code::Aborted);
    // Delete: gone from the list, kept in the database and the audit log.
    w.rep
        .customers
        .delete_profile_record(deleting(&kinds[1]))
        .await
        .expect("delete");
    let list = w.rep.profile_records(id).await.expect("list");
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|r| r.kind != "family"));
    let mut admin = w.app.admin().await;
    let audit = admin.audit_of("customer_profile_record.delete").await;
    assert_eq!(audit.total, 1);
    // Another rep cannot reach them.
    let mut other = w.app.user_with_positions("rep-z", &["营销员"], None).await;
    other.profile_records(id).await.refused(Code::NotFound);
    // The customer's CS rep sees the customer, not its contact's private life: personal
    // information goes to those who keep it.
    w.cs.profile_records(id)
        .await
        .refused(Code::PermissionDenied);
}

/// A personal record is about the contact it was recorded of: when 李主任 takes over from
/// 张主任, 张主任's work history stays 张主任's (edited too), and what is recorded next is
/// 李主任's.
#[tokio::test]
async fn a_personal_record_stays_with_the_contact_it_was_recorded_of() {
    let mut w = world().await;
    let id = w.customer.id;
    let record = |title: &str| pb::ProfileRecord {
        customer_id: id,
        kind: "work".into(),
        title: title.into(),
        detail: "主任".into(),
        // Not the caller's to say: the server stamps the contact.
        person: "someone else".into(),
        ..Default::default()
    };
    let first = w.rep.send(record("协和医院药剂科")).await;
    assert_eq!(first.person, "张主任");
    CustomerBuilder::new("北京协和医院")
        .assigned_to(w.rep.id, w.cs.id)
        .contact("李主任")
        .save_over(&w.customer, &mut w.rep)
        .await;
    let edited = w
        .rep
        .send(pb::ProfileRecord {
            detail: "药剂科主任".into(),
            ..first.clone()
        })
        .await;
    assert_eq!(edited.person, "张主任", "kept when edited");
    let next = w.rep.send(record("北京医院药剂科")).await;
    assert_eq!(next.person, "李主任");
    let mut listed: Vec<(String, String)> = w
        .rep
        .profile_records(id)
        .await
        .expect("list")
        .into_iter()
        .map(|r| (r.title, r.person))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            ("北京医院药剂科".to_owned(), "李主任".to_owned()),
            ("协和医院药剂科".to_owned(), "张主任".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_follow_up_is_changed_or_deleted_by_its_author_or_a_manager_not_by_the_colleague_sharing_the_customer()
 {
    let mut w = world().await;
    let mine = w.rep.send(visit_now(w.customer.id, "拜访药剂科", 7)).await;
    // The CS rep shares the customer and reads the follow-up, but it is not theirs.
    let mut cs = w.app.session_of("cs-a").await;
    let seen = cs.followups(w.customer.id).await;
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].may_change);
    let status = cs
        .try_send(pb::Followup {
            content: "改成电话".into(),
            ..seen[0].clone()
        })
        .await
        .refused(Code::PermissionDenied);
    assert_zh_contains(&status, "只有记录人或主管");
    cs.customers
        .delete_followup(deleting(&seen[0]))
        .await
        .refused(Code::PermissionDenied);
    let listed = w.rep.followups(w.customer.id).await;
    assert_eq!(listed[0].content, "拜访药剂科");
    assert!(listed[0].may_change, "the author's own");
    // A manager whose department holds the author may; a manager of another department
    // who sees the customer (its CS rep is theirs) may not.
    let [_, team1, team2] = teams(&w).await;
    move_to(&w.app, w.cs.id, team2.id).await;
    let mut cs_manager = w
        .app
        .user_with_positions("manager-b", &["营销经理"], Some(team2.id))
        .await;
    let seen = cs_manager.followups(w.customer.id).await;
    assert!(!seen[0].may_change);
    cs_manager
        .customers
        .delete_followup(deleting(&seen[0]))
        .await
        .refused(Code::PermissionDenied);
    let mut manager = w
        .app
        .user_with_positions("manager-a", &["营销经理"], Some(team1.id))
        .await;
    let overseen = manager.followups(w.customer.id).await;
    assert!(overseen[0].may_change);
    manager
        .customers
        .delete_followup(deleting(&mine))
        .await
        .expect("the author's manager deletes it");
    assert!(w.rep.followups(w.customer.id).await.is_empty());
}

#[tokio::test]
async fn the_work_list_reads_each_customers_latest_follow_up_and_leaves_archived_customers_out() {
    let mut w = world().await;
    let other = CustomerBuilder::new("朝阳医院")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let at = |hours_ago: i64| {
        pharmacrm_server::convert::timestamp(
            chrono::Utc::now() - chrono::Duration::hours(hours_ago),
        )
    };
    let followup = |customer_id, hours_ago, next_in_days| pb::Followup {
        customer_id,
        happened_at: Some(at(hours_ago)),
        method: pb::FollowupMethod::Phone as i32,
        content: format!("{hours_ago} 小时前"),
        next_on: days_from_today(next_in_days),
        ..Default::default()
    };
    // 北京协和医院: due today, then a later call planned for next week — not due.
    w.rep.send(followup(w.customer.id, 5, 0)).await;
    w.rep.send(followup(w.customer.id, 1, 7)).await;
    // 朝阳医院: due today, then a later one due next week that is deleted — due again.
    w.rep.send(followup(other.id, 5, 0)).await;
    let later = w.rep.send(followup(other.id, 1, 7)).await;
    w.rep
        .customers
        .delete_followup(deleting(&later))
        .await
        .expect("delete");
    let due = |work: pb::MyWorkResponse| {
        work.due_followups
            .into_iter()
            .map(|d| (d.customer_name, d.last_content))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        due(w.rep.my_work().await),
        [("朝阳医院".to_owned(), "5 小时前".to_owned())]
    );
    // Archived, it is nobody's work.
    let other = w.rep.customer(other.id).await.expect("get");
    w.rep
        .customers
        .set_customer_active(set_active(&other, false))
        .await
        .expect("archive");
    assert!(due(w.rep.my_work().await).is_empty());
}

#[tokio::test]
async fn follow_ups_due_and_those_of_the_week_ahead_are_on_the_reps_work_list() {
    let mut w = world().await;
    let later = CustomerBuilder::new("朝阳医院")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let much_later = CustomerBuilder::new("康民大药房")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let now = pharmacrm_server::convert::timestamp(chrono::Utc::now());
    let followup = |customer_id, next_on: String| pb::Followup {
        customer_id,
        happened_at: Some(now),
        method: pb::FollowupMethod::Visit as i32,
        content: "介绍新品".into(),
        result: "有兴趣".into(),
        next_on,
        ..Default::default()
    };
    // A new follow-up's next date is not in the past: an appointment already missed.
    let status = w
        .rep
        .try_send(followup(w.customer.id, days_from_today(-2)))
        .await
        .expect_err("in the past");
    assert_eq!(bad_fields(&status), ["next_on"]);
    assert_zh_contains(&status, "不能早于今天");
    // One that has not happened yet is planned, not recorded.
    let status = w
        .rep
        .try_send(pb::Followup {
            happened_at: Some(pharmacrm_server::convert::timestamp(
                chrono::Utc::now() + chrono::Duration::hours(2),
            )),
            ..followup(w.customer.id, days_from_today(0))
        })
        .await
        .expect_err("in the future");
    assert_eq!(bad_fields(&status), ["happened_at"]);
    assert_zh_contains(&status, "晚于当前时间");
    let due_today = followup(w.customer.id, days_from_today(0));
    w.rep.send(due_today).await;
    // The CS rep plans a call on one of the sales rep's customers.
    let not_yet_due = followup(later.id, days_from_today(7));
    w.cs.send(not_yet_due).await;
    w.rep
        .send(followup(much_later.id, days_from_today(10)))
        .await;
    // Two days on, the first is overdue, the second due in five days (the week ahead),
    // the third in eight (not yet listed).
    w.app
        .pin_clock(&(chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339());
    let status = w
        .rep
        .try_send(pb::Followup {
            method: 0,
            content: " ".into(),
            next_on: "明天".into(),
            ..followup(later.id, String::new())
        })
        .await
        .expect_err("invalid");
    assert_eq!(sorted_bad_fields(&status), ["content", "method", "next_on"]);

    let work = w.rep.my_work().await;
    assert_eq!(work.due_followups.len(), 1);
    assert_eq!(work.due_followups[0].customer_name, "北京协和医院");
    assert!(work.due_followups[0].overdue);
    let coming: Vec<(&str, &str, bool)> = work
        .upcoming_followups
        .iter()
        .map(|f| (f.customer_name.as_str(), f.next_on.as_str(), f.overdue))
        .collect();
    assert_eq!(coming, [("朝阳医院", days_from_today(7).as_str(), false)]);
    // Each names who planned it: the rep's own, and the CS rep's call.
    let planner = |f: &pb::DueFollowup| f.planned_by.as_ref().map(|u| u.id);
    assert_eq!(planner(&work.due_followups[0]), Some(w.rep.id));
    assert_eq!(planner(&work.upcoming_followups[0]), Some(w.cs.id));
    assert!(!work.more_upcoming_followups);
    // The CS rep shares the customers, and so the work.
    let mut cs = w.app.session_of("cs-a").await;
    assert_eq!(cs.my_work().await.due_followups.len(), 1);
    let list = w.rep.followups(w.customer.id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].created_by, "rep-a");
}

/// A plan stands until its planner or the customer's sales rep records the next
/// follow-up: the CS rep's call about a damaged box, planning nothing, does not wipe the
/// sales rep's visit; the sales rep's own follow-up does.
#[tokio::test]
async fn a_follow_up_by_someone_else_planning_nothing_leaves_the_reps_plan_standing() {
    let mut w = world().await;
    let id = w.customer.id;
    w.rep
        .send(visit_now(id, "拜访药剂科，介绍阿莫西林胶囊", 3))
        .await;
    let call = pb::Followup {
        method: pb::FollowupMethod::Phone as i32,
        ..visit_now(id, "客户来电：一箱破损", 0)
    };
    w.cs.send(pb::Followup {
        next_on: String::new(),
        ..call.clone()
    })
    .await;
    let plans = |work: &pb::MyWorkResponse| -> Vec<(String, Option<i64>)> {
        work.upcoming_followups
            .iter()
            .chain(&work.due_followups)
            .map(|f| (f.last_content.clone(), f.planned_by.as_ref().map(|u| u.id)))
            .collect()
    };
    let standing = vec![("拜访药剂科，介绍阿莫西林胶囊".to_owned(), Some(w.rep.id))];
    assert_eq!(plans(&w.rep.my_work().await), standing);
    assert_eq!(plans(&w.cs.my_work().await), standing);
    // A call that plans the next one takes over.
    w.cs.send(pb::Followup {
        next_on: days_from_today(1),
        content: "约定明天回电".into(),
        ..call
    })
    .await;
    assert_eq!(
        plans(&w.rep.my_work().await),
        [("约定明天回电".to_owned(), Some(w.cs.id))]
    );
    // The sales rep's visit planning nothing closes whatever was planned.
    w.rep
        .send(pb::Followup {
            next_on: String::new(),
            ..visit_now(id, "已拜访", 0)
        })
        .await;
    assert!(plans(&w.rep.my_work().await).is_empty());
}

#[tokio::test]
async fn certificates_expiring_within_30_days_are_flagged_and_scans_round_trip() {
    let mut w = world().await;
    let id = w.customer.id;
    let of_kind = |kind, number: &str, expires_in_days: i64| {
        CertificateBuilder::new(id, kind)
            .number(number)
            .issued_on("2021-01-01")
            .expires_on(&days_from_today(expires_in_days))
    };
    let certificate = |number: &str, expires_in_days| {
        of_kind(pb::CertificateKind::DrugTrade, number, expires_in_days)
    };
    let pdf = b"%PDF-1.4 scan of the licence".to_vec();
    let soon = certificate("京AA0000001", 10)
        .scan(&pdf)
        .save(&mut w.rep)
        .await;
    assert_eq!(soon.status, pb::CertificateStatus::Expiring as i32);
    assert!(soon.has_scan);
    assert_eq!(soon.scan_type, "application/pdf");
    of_kind(pb::CertificateKind::Gsp, "京AA0000002", -1)
        .save(&mut w.rep)
        .await;
    // A business licence's number is a unified social credit code, its check character
    // catching a mistyped one (an O for a 0); typed in lower case, it is kept as printed.
    let status = of_kind(pb::CertificateKind::Business, "91430200MA4L1234XO", 200)
        .try_save(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["number"]);
    let business = of_kind(pb::CertificateKind::Business, "91430200ma4l1234xr", 200)
        .save(&mut w.rep)
        .await;
    assert_eq!(business.number, "91430200MA4L1234XR");
    let status = certificate("京AA0000004", 200)
        .scan(b"MZ not a document")
        .try_save(&mut w.rep)
        .await
        .expect_err("not a pdf or image");
    assert_eq!(bad_fields(&status), ["scan"]);
    // A scan past 10 MB is refused on its field, naming the limit (not a transport
    // error with no field).
    let mut large = pdf.clone();
    large.resize(12 * 1024 * 1024, b' ');
    let status = certificate("京AA0000004", 200)
        .scan(&large)
        .try_save(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["scan"]);
    assert_message_contains(&status, "10 MB");
    // A licence is issued for a term: one without an expiry would stand in for the
    // expired GSP certificate for ever. A business licence may have none (长期).
    let lifelong = |kind| CertificateBuilder::new(id, kind).number("京AA0000002");
    lifelong(pb::CertificateKind::Gsp)
        .try_save(&mut w.rep)
        .await
        .refused_on(
            Code::InvalidArgument,
            &["expires_on"],
            "药品经营许可证和 GSP 证书均有有效期",
        );
    lifelong(pb::CertificateKind::Business)
        .number("91110105MA01ABCD13")
        .save(&mut w.rep)
        .await;

    assert_eq!(certificate_counts(&mut w.rep, id).await, (1, 1));
    assert_eq!(flagged_for_certificates(&mut w.rep).await, 1);
    assert_eq!(
        to_renew(&mut w.rep).await,
        ["京AA0000002", "京AA0000001"],
        "soonest first"
    );

    // A licence renewed by adding the new copy: the old one, expiring, is no longer to
    // renew (its own status still says when it ends).
    certificate("京AA0000005", 400).save(&mut w.rep).await;
    assert_eq!(certificate_counts(&mut w.rep, id).await, (1, 0));
    assert_eq!(to_renew(&mut w.rep).await, ["京AA0000002"]);
    let listed = w.rep.certificates(id).await;
    let old = listed
        .iter()
        .find(|c| c.number == "京AA0000001")
        .expect("kept");
    assert_eq!(old.status, pb::CertificateStatus::Expiring as i32);
    // Documents of kind 其他 are unrelated: a later one replaces none.
    let other = of_kind(pb::CertificateKind::Other, "其他-1", -3)
        .save(&mut w.rep)
        .await;
    of_kind(pb::CertificateKind::Other, "其他-2", 500)
        .save(&mut w.rep)
        .await;
    // The GSP certificate renewed the same way: only the 其他 document is left to renew,
    // and once it is gone the customer is no longer found as one with certificates due.
    of_kind(pb::CertificateKind::Gsp, "京AA0000006", 400)
        .save(&mut w.rep)
        .await;
    assert_eq!(certificate_counts(&mut w.rep, id).await, (1, 0));
    w.rep
        .customers
        .delete_certificate(deleting(&other))
        .await
        .expect("delete");
    assert_eq!(flagged_for_certificates(&mut w.rep).await, 0);

    let scan = w
        .rep
        .customers
        .get_certificate_scan(pb::GetCertificateScanRequest { id: soon.id })
        .await
        .expect("scan")
        .into_inner();
    assert_eq!(scan.content, pdf);
    assert_eq!(scan.media_type, "application/pdf");

    // The scan attached is on record as its own change: no scan before, this one after.
    let logged = w
        .app
        .admin()
        .await
        .send(pb::SearchAuditRequest {
            action: "customer_certificate.set_scan".into(),
            object_id: soon.id.to_string(),
            ..Default::default()
        })
        .await
        .entries;
    assert_eq!(logged.len(), 1, "one scan attached to this certificate");
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("json");
    let (before, after) = (json(&logged[0].before_json), json(&logged[0].after_json));
    assert_eq!(before["has_scan"], false);
    assert_eq!(after["has_scan"], true);
    assert_eq!(after["scan_type"], "application/pdf");
    // The file itself is identified: a scan replaced by another of the same name shows.
    assert_eq!(after["scan_size"], pdf.len());
    assert_eq!(after["scan_sha256"].as_str().map(str::len), Some(64));
    assert!(before["scan_sha256"].is_null());
}

/// Customer `id`'s (expired, expiring) certificate counts, as its header shows them.
async fn certificate_counts(by: &mut Person, id: i64) -> (u32, u32) {
    let c = by.customer(id).await.expect("get");
    (c.expired_certificates, c.expiring_certificates)
}

/// How many customers the list finds with certificates expired or expiring.
async fn flagged_for_certificates(by: &mut Person) -> u64 {
    by.send(pb::SearchCustomersRequest {
        has_expiring_certificates: true,
        ..Default::default()
    })
    .await
    .total
}

/// The numbers of the certificates 我的工作 lists to renew, in its order.
async fn to_renew(by: &mut Person) -> Vec<String> {
    by.my_work()
        .await
        .expiring_certificates
        .into_iter()
        .map(|e| e.certificate.expect("certificate").number)
        .collect()
}

#[tokio::test]
async fn a_certificate_issued_after_today_in_the_business_time_zone_is_refused() {
    let mut w = world().await;
    // 00:30 on 1 December in Shanghai (still 30 November in UTC).
    w.app.pin_clock("2026-12-01T00:30:00+08:00");
    let issued = |on: &str| {
        CertificateBuilder::new(w.customer.id, pb::CertificateKind::Gsp)
            .number("京GSP-2026-1")
            .issued_on(on)
            .expires_on("2031-11-30")
    };
    let status = issued("2026-12-02")
        .try_save(&mut w.rep)
        .await
        .expect_err("issued tomorrow");
    assert_eq!(bad_fields(&status), ["issued_on"]);
    assert_zh_contains(&status, "不能晚于今天");
    let today = issued("2026-12-01").save(&mut w.rep).await;
    assert_eq!(today.issued_on, "2026-12-01");
}

#[tokio::test]
async fn the_rep_pickers_list_active_holders_of_each_role() {
    let mut w = world().await;
    let names = |reps: Vec<pb::UserRef>| reps.into_iter().map(|r| r.name).collect::<Vec<_>>();
    let sales = w.rep.reps("sales").await.expect("sales");
    assert!(names(sales.clone()).contains(&"rep-a".to_owned()));
    assert!(!names(sales).contains(&"cs-a".to_owned()));
    let cs = w.rep.reps("cs").await.expect("cs");
    assert!(names(cs).contains(&"cs-a".to_owned()));
    // The administrator holds every permission but is nobody's rep; service accounts
    // neither.
    let mut admin = w.app.admin().await;
    let sales_position = admin.position("营销员").await.id;
    ServiceAccountBuilder::new("erp-sync", "erp-sync", &[sales_position])
        .create(&mut admin)
        .await;
    let sales = w.rep.reps("sales").await.expect("sales");
    assert!(!names(sales.clone()).contains(&"系统管理员".to_owned()));
    assert!(!names(sales).contains(&"erp-sync".to_owned()));
    let status = w.rep.reps("boss").await.expect_err("unknown role");
    assert_eq!(bad_fields(&status), ["role"]);
    // The refusal names every role there is.
    assert_zh_contains(
        &status,
        "须为 sales、cs、sales_all、cs_all、holders 或 handlers",
    );
    // Everyone responsible for a customer, for the handover screen.
    let holders = w.rep.reps("holders").await.expect("holders");
    assert_eq!(names(holders.clone()), ["cs-a", "rep-a"]);
    // With their departments, as the role lists show them.
    let team = DepartmentBuilder::new("一部").create(&mut admin).await;
    let rep = admin.user_by_id(w.rep.id).await;
    UserChange::of(&rep)
        .department(Some(team.id))
        .save(&mut admin)
        .await;
    let holders = w.rep.reps("holders").await.expect("holders");
    let in_roles: Vec<pb::UserRef> = [
        w.rep.reps("sales").await.expect("sales"),
        w.rep.reps("cs").await.expect("cs"),
    ]
    .concat();
    for h in &holders {
        let listed = in_roles.iter().find(|r| r.id == h.id).expect("a rep");
        assert_eq!(h.department, listed.department);
    }
    let rep_a = holders.iter().find(|h| h.id == w.rep.id).expect("rep-a");
    assert_eq!(rep_a.department, "一部");
    // Spaces around a role, as another service might send it, do not make it unknown.
    let cs = w.rep.reps(" cs ").await.expect("cs with spaces");
    assert!(names(cs).contains(&"cs-a".to_owned()));
}

#[tokio::test]
async fn the_order_filters_list_every_rep_who_ever_held_a_customer_the_departed_last() {
    let w = world().await;
    let mut admin = w.app.admin().await;
    let successor = w.app.sales_rep("rep-b").await;
    // A rep at work who never held a customer is listed too.
    w.app.sales_rep("rep-c").await;
    let customer = admin.customer(w.customer.id).await.expect("customer");
    admin
        .customers
        .assign_customer(pb::AssignCustomerRequest {
            id: customer.id,
            version: customer.version,
            sales_rep_id: successor.id,
            cs_rep_id: w.cs.id,
        })
        .await
        .expect("reassign");
    let leaver = admin.user_by_id(w.rep.id).await;
    admin.disable_user(&leaver).await.expect("rep-a leaves");
    let listed = |reps: Vec<pb::UserRef>| {
        reps.into_iter()
            .map(|r| (r.name, r.inactive))
            .collect::<Vec<_>>()
    };
    let at_work = admin.reps("sales").await.expect("sales");
    assert!(
        !at_work.iter().any(|r| r.id == w.rep.id),
        "not offered for new work"
    );
    let ever = listed(admin.reps("sales_all").await.expect("sales_all"));
    assert_eq!(
        ever,
        [
            ("rep-b".to_owned(), false),
            ("rep-c".to_owned(), false),
            ("rep-a".to_owned(), true),
        ]
    );
    let cs_ever = listed(admin.reps("cs_all").await.expect("cs_all"));
    assert_eq!(cs_ever, [("cs-a".to_owned(), false)]);
}

#[tokio::test]
async fn the_handler_lists_offer_every_person_at_work_then_the_disabled_marked() {
    let mut w = world().await;
    let mut admin = w.app.admin().await;
    // A finance clerk holds no rep role but may have collected a payment (spec: 经手人).
    let finance = admin.position("财务").await.id;
    UserBuilder::new("cashier")
        .display_name("出纳员")
        .positions(&[finance])
        .create(&mut admin)
        .await;
    // A sales rep who has left: their past payments are still filtered by.
    let sales_position = admin.position("营销员").await.id;
    let gone = UserBuilder::new("gone")
        .display_name("离职者")
        .positions(&[sales_position])
        .create(&mut admin)
        .await;
    admin.disable_user(&gone).await.expect("disable");
    ServiceAccountBuilder::new("erp-sync", "erp-sync", &[sales_position])
        .create(&mut admin)
        .await;
    let handlers = w.rep.reps("handlers").await.expect("handlers");
    let at_work: Vec<&str> = (handlers.iter().filter(|h| !h.inactive))
        .map(|h| h.name.as_str())
        .collect();
    for name in ["出纳员", "rep-a", "cs-a"] {
        assert!(at_work.contains(&name), "{name} in {at_work:?}");
    }
    // The disabled last, said so: a past period's payments may name them.
    let last = handlers.last().expect("someone");
    assert_eq!((last.name.as_str(), last.inactive), ("离职者", true));
    assert!(!handlers.iter().any(|h| h.name == "erp-sync"));
    // Nor the built-in administrator account: it keeps the system, it collects nothing.
    let administrator = admin.user().await;
    assert!(
        !handlers.iter().any(|h| h.id == administrator.id),
        "{handlers:?}"
    );
    // The role lists never offer the disabled.
    let sales = w.rep.reps("sales").await.expect("sales");
    assert!(sales.iter().all(|r| r.id != gone.id && !r.inactive));
}

#[tokio::test]
async fn the_demo_rep_sees_their_work_and_the_id_masked_and_another_rep_cannot_find_the_customer() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut sales1 = app.demo_user("sales1").await;
    let work = sales1.my_work().await;
    assert_eq!(work.expiring_certificates.len(), 1);
    assert_eq!(work.expiring_certificates[0].customer_name, "北京协和医院");
    assert_eq!(work.due_followups.len(), 1);
    let found = sales1.customers_matching("bjxh").await;
    assert_eq!(found.total, 1);
    assert_eq!(found.customers[0].id_number_masked, "110105********002X");
    assert_eq!(found.customers[0].expiring_certificates, 1);
    let mut sales2 = app.demo_user("sales2").await;
    assert_eq!(sales2.customers_matching("bjxh").await.total, 0);
    sales2
        .customer(found.customers[0].id)
        .await
        .refused(Code::NotFound);
    // The manager of 营销中心 sees both teams' customers: 北京协和医院 (营销一部), and
    // 康民大药房 and the two pharmacies of 长沙 and 长春 (营销二部).
    let mut manager = app.demo_user("manager").await;
    assert_eq!(manager.customers_matching("").await.total, 4);
    // The usual readings of names full of multi-reading characters find them.
    assert_eq!(manager.customers_matching("csscstdyf").await.total, 1);
    assert_eq!(manager.customers_matching("ccsc").await.total, 1);
}

/// The administrator holds every permission but is nobody's rep: a customer registered
/// by them names a sales rep, as the rep pickers offer them; left to default to the
/// caller, it is refused on `sales_rep_id` (it would belong to no one in sales).
#[tokio::test]
async fn the_administrator_registers_a_customer_for_a_sales_rep_not_for_themselves() {
    let mut w = world().await;
    let mut admin = w.app.admin().await;
    let builder = || {
        CustomerBuilder::new("天坛医院")
            .of_type(w.customer.type_id)
            .served_by(w.cs.id)
    };
    let status = builder()
        .try_create(&mut admin)
        .await
        .expect_err("the administrator is no sales rep");
    assert_eq!(bad_fields(&status), ["sales_rep_id"]);
    let registered = builder()
        .assigned_to(w.rep.id, w.cs.id)
        .create(&mut admin)
        .await;
    assert_eq!(registered.sales_rep.map(|r| r.id), Some(w.rep.id));
    // The rep still registers for themselves without naming anyone.
    let own = CustomerBuilder::new("朝阳医院")
        .of_type(w.customer.type_id)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    assert_eq!(own.sales_rep.map(|r| r.id), Some(w.rep.id));
}

/// A position's data scope goes with its own permissions (spec §3 "Permissions": a
/// position sets which records): a sales rep also given a catalogue position over all
/// records still reaches only their own customers; a position whose permissions read
/// customers does widen it.
#[tokio::test]
async fn another_positions_wider_scope_does_not_widen_a_reps_customers() {
    let w = world().await;
    let app = &w.app;
    let mut admin = app.admin().await;
    PositionBuilder::new("药品专员")
        .granting(&["drug.read", "drug.write"])
        .scope(pb::DataScope::All)
        .create(&mut admin)
        .await;
    PositionBuilder::new("区域督导")
        .granting(&["customer.read"])
        .scope(pb::DataScope::All)
        .create(&mut admin)
        .await;
    let mut both = app
        .user_with_positions("rep-drugs", &["营销员", "药品专员"], None)
        .await;
    // Nobody's customers are theirs: none is listed, the other rep's is not found, and
    // it cannot be changed.
    assert_eq!(both.customers_matching("").await.total, 0);
    both.try_send(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .refused(Code::NotFound);
    let mut me = both.me().await;
    assert_eq!(me.data_scope(), pb::DataScope::Own);
    // The drug catalogue is theirs all the same.
    assert!(me.permissions.contains(&"drug.write".to_owned()));

    // A position reading customers over all records reaches them: for reading.
    let mut reader = app
        .user_with_positions("rep-reader", &["营销员", "区域督导"], None)
        .await;
    assert_eq!(reader.customers_matching("").await.total, 1);
    me = reader.me().await;
    assert_eq!(me.data_scope(), pb::DataScope::All);
    // Editing is the 营销员 position's, over their own customers only.
    let customer = reader.customer(w.customer.id).await.expect("read");
    reader
        .try_send(pb::UpdateCustomerRequest {
            id: customer.id,
            version: customer.version,
            customer: Some(
                CustomerBuilder::new("北京协和医院")
                    .of_type(customer.type_id)
                    .served_by(w.cs.id)
                    .input(),
            ),
        })
        .await
        .refused(Code::NotFound);
}
