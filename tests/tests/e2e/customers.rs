//! Customers: validation, the ID number protected at rest and revealed with an audit row,
//! the type history, allocation under concurrency, and visibility by data scope.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::{Clients, TestApp, bad_fields};
use tonic::Code;

/// A valid GB 11643 number (the standard's own example).
const ID_NUMBER: &str = "11010519491231002X";

async fn me(c: &mut Clients) -> pb::User {
    c.auth
        .me(())
        .await
        .expect("me")
        .into_inner()
        .user
        .expect("user")
}

async fn first_type(c: &mut Clients) -> pb::CustomerType {
    c.customers
        .list_customer_types(pb::ListCustomerTypesRequest::default())
        .await
        .expect("types")
        .into_inner()
        .types
        .remove(0)
}

fn input(name: &str, type_id: i64, cs_rep_id: i64) -> pb::CustomerInput {
    pb::CustomerInput {
        name: name.into(),
        contact_person: "张主任".into(),
        id_number: ID_NUMBER.into(),
        phone: "010-69156114".into(),
        fax: String::new(),
        postcode: "100730".into(),
        province_code: "11".into(),
        city_code: "110101".into(),
        address: "东单帅府园一号".into(),
        business_kind: pb::BusinessKind::Hospital as i32,
        type_id,
        drug_ids: vec![],
        credit_days: 30,
        note: String::new(),
        sales_rep_id: 0,
        cs_rep_id,
        clear_id_number: false,
    }
}

/// A sales rep and a CS rep in their own departments, and the rep's first customer.
struct World {
    app: TestApp,
    rep: Clients,
    rep_id: i64,
    cs_id: i64,
    customer: pb::Customer,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("rep-a", &["营销员"], None).await;
    let mut cs = app.user_with_positions("cs-a", &["客服"], None).await;
    let rep_id = me(&mut rep).await.id;
    let cs_id = me(&mut cs).await.id;
    let type_id = first_type(&mut rep).await.id;
    let customer = rep
        .customers
        .create_customer(input("北京协和医院", type_id, cs_id))
        .await
        .expect("create")
        .into_inner();
    World {
        app,
        rep,
        rep_id,
        cs_id,
        customer,
    }
}

#[tokio::test]
async fn every_field_is_validated_by_name() {
    let mut w = world().await;
    let type_id = w.customer.type_id;
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
            ..input("x", type_id, w.cs_id)
        })
        .await
        .expect_err("invalid");
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "business_kind",
            "city_code",
            "credit_days",
            "fax",
            "id_number",
            "name",
            "phone",
            "postcode"
        ]
    );
    // A CS rep must really be one.
    let status = w
        .rep
        .customers
        .create_customer(input("另一家医院", type_id, w.rep_id))
        .await
        .expect_err("not a CS rep");
    assert_eq!(bad_fields(&status), ["cs_rep_id"]);
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
    let out = std::process::Command::new(bin.join("pg_dump"))
        .arg("--data-only")
        .arg(&w.app.database_url)
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("北京协和医院"), "the dump has the customer");
    assert!(
        !text.contains(ID_NUMBER) && !text.contains("11010519491231"),
        "but not the ID number"
    );

    // A rep without customer.sensitive.read may not reveal it.
    let status = w
        .rep
        .customers
        .reveal_id_number(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);

    let mut admin = w.app.admin().await;
    let revealed = admin
        .customers
        .reveal_id_number(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("reveal")
        .into_inner();
    assert_eq!(revealed.id_number, ID_NUMBER);
    let audit = admin
        .audit
        .search_audit(pb::SearchAuditRequest {
            action: "customer.reveal_id_number".into(),
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_inner();
    assert_eq!(audit.total, 1);
    assert_eq!(audit.entries[0].object_id, w.customer.id.to_string());

    // Removing it on an update leaves nothing behind.
    let current = admin
        .customers
        .get_customer(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("get")
        .into_inner();
    let cleared = w
        .rep
        .customers
        .update_customer(pb::UpdateCustomerRequest {
            id: current.id,
            version: current.version,
            customer: Some(pb::CustomerInput {
                id_number: String::new(),
                clear_id_number: true,
                ..input(&current.name, current.type_id, w.cs_id)
            }),
        })
        .await
        .expect("clear")
        .into_inner();
    assert_eq!(cleared.id_number_masked, "");
    let none = admin
        .customers
        .reveal_id_number(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("reveal")
        .into_inner();
    assert_eq!(none.id_number, "");
    // Put it back for the search below (an update with a number re-encrypts it).
    let current = cleared;
    w.rep
        .customers
        .update_customer(pb::UpdateCustomerRequest {
            id: current.id,
            version: current.version,
            customer: Some(input(&current.name, current.type_id, w.cs_id)),
        })
        .await
        .expect("set again");

    // An exact search by number works through the keyed hash.
    let found = admin
        .customers
        .search_customers(pb::SearchCustomersRequest {
            id_number: ID_NUMBER.to_lowercase(),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.total, 1);
}

#[tokio::test]
async fn type_changes_are_kept_with_who_when_and_why() {
    let mut w = world().await;
    let types = w
        .rep
        .customers
        .list_customer_types(pb::ListCustomerTypesRequest::default())
        .await
        .expect("types")
        .into_inner()
        .types;
    let names: Vec<_> = types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["潜在", "意向", "成交", "重点", "流失"]);
    let changed = w
        .rep
        .customers
        .change_customer_type(pb::ChangeCustomerTypeRequest {
            id: w.customer.id,
            version: w.customer.version,
            type_id: types[1].id,
            reason: "拜访后有采购意向".into(),
        })
        .await
        .expect("change")
        .into_inner();
    assert_eq!(changed.type_name, "意向");
    let history = w
        .rep
        .customers
        .list_type_history(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("history")
        .into_inner()
        .changes;
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].from_type.as_str(), history[0].to_type.as_str()),
        ("潜在", "意向")
    );
    assert_eq!(history[0].reason, "拜访后有采购意向");
    assert_eq!(history[0].changed_by, "rep-a");
    assert_eq!(history[1].to_type, "潜在");
}

#[tokio::test]
async fn visibility_follows_the_data_scope_and_hidden_customers_are_not_found() {
    let w = world().await;
    let app = &w.app;
    let mut admin = app.admin().await;
    // Departments: 营销中心 › 一部 (rep-a moves there), and 二部.
    let center = admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: "营销中心".into(),
            parent_id: None,
        })
        .await
        .expect("dept")
        .into_inner();
    let team1 = admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: "一部".into(),
            parent_id: Some(center.id),
        })
        .await
        .expect("dept")
        .into_inner();
    let team2 = admin
        .admin
        .create_department(pb::CreateDepartmentRequest {
            name: "二部".into(),
            parent_id: Some(center.id),
        })
        .await
        .expect("dept")
        .into_inner();
    let rep = admin
        .admin
        .get_user(pb::GetUserRequest { id: w.rep_id })
        .await
        .expect("rep")
        .into_inner();
    admin
        .admin
        .update_user(pb::UpdateUserRequest {
            id: rep.id,
            version: rep.version,
            display_name: rep.display_name.clone(),
            department_id: Some(team1.id),
            phone: String::new(),
            position_ids: rep.positions.iter().map(|p| p.id).collect(),
        })
        .await
        .expect("move rep");

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

    let get = |id| pb::GetCustomerRequest { id };
    // Another rep: not found, by id or by search.
    let status = other_rep
        .customers
        .get_customer(get(w.customer.id))
        .await
        .expect_err("hidden");
    assert_eq!(status.code(), Code::NotFound);
    let found = other_rep
        .customers
        .search_customers(pb::SearchCustomersRequest::default())
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.total, 0);
    // The manager of the rep's department (and above) sees it; a manager elsewhere does not.
    manager
        .customers
        .get_customer(get(w.customer.id))
        .await
        .expect("department scope");
    assert_eq!(
        other_manager
            .customers
            .get_customer(get(w.customer.id))
            .await
            .expect_err("hidden")
            .code(),
        Code::NotFound
    );
    // Finance sees everything; so do the reps responsible.
    finance
        .customers
        .get_customer(get(w.customer.id))
        .await
        .expect("all scope");
    let mut rep_again = app
        .login("rep-a", pharmacrm_tests::USER_PASSWORD)
        .await
        .expect("login");
    let found = rep_again
        .customers
        .search_customers(pb::SearchCustomersRequest {
            query: "bjxh".into(),
            ..Default::default()
        })
        .await
        .expect("pinyin search")
        .into_inner();
    assert_eq!(found.total, 1);
}

#[tokio::test]
async fn concurrent_reassignments_leave_exactly_one_rep_of_each_kind() {
    let w = world().await;
    let app = &w.app;
    let mut reps = Vec::new();
    let mut css = Vec::new();
    for i in 0..3 {
        let mut r = app
            .user_with_positions(&format!("rep-{i}x"), &["营销员"], None)
            .await;
        reps.push(me(&mut r).await.id);
        let mut c = app
            .user_with_positions(&format!("cs-{i}x"), &["客服"], None)
            .await;
        css.push(me(&mut c).await.id);
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
    let customer = admin
        .customers
        .get_customer(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("get")
        .into_inner();
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
        customer.sales_rep.map(|u| u.id)
    );
    // A rep without customer.assign cannot reassign.
    let mut rep = app
        .login("rep-a", pharmacrm_tests::USER_PASSWORD)
        .await
        .expect("login");
    let status = rep
        .customers
        .assign_customer(pb::AssignCustomerRequest {
            id: w.customer.id,
            version: customer.version,
            sales_rep_id: w.rep_id,
            cs_rep_id: w.cs_id,
        })
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn possible_duplicates_are_found_by_name_or_phone() {
    let mut w = world().await;
    let found = w
        .rep
        .customers
        .find_duplicates(pb::FindDuplicatesRequest {
            name: "北京协和医院".into(),
            phone: String::new(),
        })
        .await
        .expect("dups")
        .into_inner()
        .duplicates;
    assert_eq!(found.len(), 1);
    assert!(found[0].same_name);
    assert_eq!(found[0].region, "北京市 东城区");
    let found = w
        .rep
        .customers
        .find_duplicates(pb::FindDuplicatesRequest {
            name: "别的名字".into(),
            phone: "010-69156114".into(),
        })
        .await
        .expect("dups")
        .into_inner()
        .duplicates;
    assert_eq!(found.len(), 1);
    assert!(found[0].same_phone && !found[0].same_name);
}

#[tokio::test]
async fn a_handover_moves_all_or_nothing_and_then_the_employee_can_be_disabled() {
    let mut w = world().await;
    let type_id = w.customer.type_id;
    let mut ids = vec![w.customer.id];
    for name in ["朝阳医院", "同仁堂药店"] {
        let c = w
            .rep
            .customers
            .create_customer(input(name, type_id, w.cs_id))
            .await
            .expect("create")
            .into_inner();
        ids.push(c.id);
    }
    let app = &w.app;
    let mut admin = app.admin().await;
    let leaver = admin
        .admin
        .get_user(pb::GetUserRequest { id: w.rep_id })
        .await
        .expect("user")
        .into_inner();

    // Disabling someone who still holds customers is refused with the count.
    let status = admin
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: leaver.id,
            version: leaver.version,
            is_active: false,
        })
        .await
        .expect_err("holds customers");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("3 customer"),
        "{}",
        status.message()
    );

    let mut b = app.user_with_positions("rep-b", &["营销员"], None).await;
    let mut c = app.user_with_positions("rep-c", &["营销员"], None).await;
    let (b_id, c_id) = (me(&mut b).await.id, me(&mut c).await.id);
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
    // One bad move (a CS rep cannot take a sales role): nothing moves.
    let status = admin
        .customers
        .handover_customers(pb::HandoverCustomersRequest {
            from_user_id: w.rep_id,
            moves: moves(w.cs_id),
        })
        .await
        .expect_err("bad move");
    assert_eq!(status.code(), Code::InvalidArgument);
    let still: Vec<i64> = w
        .rep
        .customers
        .search_customers(pb::SearchCustomersRequest::default())
        .await
        .expect("search")
        .into_inner()
        .customers
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(still.len(), 3, "all or nothing");

    // Split between two colleagues, in one call.
    let done = admin
        .customers
        .handover_customers(pb::HandoverCustomersRequest {
            from_user_id: w.rep_id,
            moves: moves(c_id),
        })
        .await
        .expect("handover")
        .into_inner();
    assert_eq!((done.moved, done.remaining), (3, 0));
    let of = |clients: &mut Clients| {
        let mut customers = clients.customers.clone();
        async move {
            customers
                .search_customers(pb::SearchCustomersRequest::default())
                .await
                .expect("search")
                .into_inner()
                .total
        }
    };
    assert_eq!(of(&mut b).await, 2);
    assert_eq!(of(&mut c).await, 1);
    let leaver = admin
        .admin
        .get_user(pb::GetUserRequest { id: w.rep_id })
        .await
        .expect("user")
        .into_inner();
    admin
        .admin
        .set_user_active(pb::SetUserActiveRequest {
            id: leaver.id,
            version: leaver.version,
            is_active: false,
        })
        .await
        .expect("now they can go");
}

fn days_from_today(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn personal_records_are_added_edited_and_soft_deleted_with_audit() {
    let mut w = world().await;
    let id = w.customer.id;
    let saved = w
        .rep
        .customers
        .save_profile_record(pb::ProfileRecord {
            customer_id: id,
            kind: "work".into(),
            title: "协和医院药剂科".into(),
            detail: "主任".into(),
            date_from: "2010-03-01".into(),
            date_to: "2009-01-01".into(),
            ..Default::default()
        })
        .await
        .expect_err("to before from");
    assert_eq!(bad_fields(&saved), ["date_to"]);
    let mut kinds = Vec::new();
    for (kind, title, detail) in [
        ("preference", "茶", "喜欢普洱"),
        ("family", "女儿", "在读高中"),
        ("work", "协和医院药剂科", "主任"),
        ("education", "北京大学医学部", "药学硕士"),
    ] {
        let r = w
            .rep
            .customers
            .save_profile_record(pb::ProfileRecord {
                customer_id: id,
                kind: kind.into(),
                title: title.into(),
                detail: detail.into(),
                ..Default::default()
            })
            .await
            .expect(kind)
            .into_inner();
        kinds.push(r);
    }
    // Edit one, with its version; a stale version is refused.
    let mut edited = kinds[0].clone();
    edited.detail = "喜欢龙井".into();
    let after = w
        .rep
        .customers
        .save_profile_record(edited.clone())
        .await
        .expect("edit")
        .into_inner();
    assert_eq!(after.detail, "喜欢龙井");
    assert_eq!(
        w.rep
            .customers
            .save_profile_record(edited)
            .await
            .expect_err("stale")
            .code(),
        Code::Aborted
    );
    // Delete: gone from the list, kept in the database and the audit log.
    w.rep
        .customers
        .delete_profile_record(pb::DeleteRequest {
            id: kinds[1].id,
            version: kinds[1].version,
        })
        .await
        .expect("delete");
    let list = w
        .rep
        .customers
        .list_profile_records(pb::GetCustomerRequest { id })
        .await
        .expect("list")
        .into_inner()
        .records;
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|r| r.kind != "family"));
    let mut admin = w.app.admin().await;
    let audit = admin
        .audit
        .search_audit(pb::SearchAuditRequest {
            action: "customer_profile_record.delete".into(),
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_inner();
    assert_eq!(audit.total, 1);
    // Another rep cannot reach them.
    let mut other = w.app.user_with_positions("rep-z", &["营销员"], None).await;
    let status = other
        .customers
        .list_profile_records(pb::GetCustomerRequest { id })
        .await
        .expect_err("hidden");
    assert_eq!(status.code(), Code::NotFound);
}

#[tokio::test]
async fn follow_ups_due_today_or_earlier_are_on_the_reps_work_list() {
    let mut w = world().await;
    let type_id = w.customer.type_id;
    let later = w
        .rep
        .customers
        .create_customer(input("朝阳医院", type_id, w.cs_id))
        .await
        .expect("create")
        .into_inner();
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
    w.rep
        .customers
        .save_followup(followup(w.customer.id, days_from_today(-2)))
        .await
        .expect("overdue");
    w.rep
        .customers
        .save_followup(followup(later.id, days_from_today(7)))
        .await
        .expect("not yet due");
    let status = w
        .rep
        .customers
        .save_followup(pb::Followup {
            method: 0,
            content: " ".into(),
            next_on: "明天".into(),
            ..followup(later.id, String::new())
        })
        .await
        .expect_err("invalid");
    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(fields, ["content", "method", "next_on"]);

    let work = w
        .rep
        .customers
        .my_work(())
        .await
        .expect("work")
        .into_inner();
    assert_eq!(work.due_followups.len(), 1);
    assert_eq!(work.due_followups[0].customer_name, "北京协和医院");
    assert!(work.due_followups[0].overdue);
    // The CS rep shares the customers, and so the work.
    let mut cs = w
        .app
        .login("cs-a", pharmacrm_tests::USER_PASSWORD)
        .await
        .expect("cs");
    assert_eq!(
        cs.customers
            .my_work(())
            .await
            .expect("work")
            .into_inner()
            .due_followups
            .len(),
        1
    );
    let list = w
        .rep
        .customers
        .list_followups(pb::GetCustomerRequest { id: w.customer.id })
        .await
        .expect("list")
        .into_inner()
        .followups;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].created_by, "rep-a");
}

#[tokio::test]
async fn certificates_expiring_within_30_days_are_flagged_and_scans_round_trip() {
    let mut w = world().await;
    let id = w.customer.id;
    let certificate = |number: &str, expires_on: String| pb::Certificate {
        customer_id: id,
        kind: pb::CertificateKind::DrugTrade as i32,
        number: number.into(),
        authority: "北京市药品监督管理局".into(),
        issued_on: "2021-01-01".into(),
        expires_on,
        ..Default::default()
    };
    let pdf = b"%PDF-1.4 scan of the licence".to_vec();
    let soon = w
        .rep
        .customers
        .save_certificate(pb::SaveCertificateRequest {
            certificate: Some(certificate("京AA0000001", days_from_today(10))),
            scan: pdf.clone(),
            replace_scan: true,
        })
        .await
        .expect("expiring")
        .into_inner();
    assert_eq!(soon.status, pb::CertificateStatus::Expiring as i32);
    assert!(soon.has_scan);
    assert_eq!(soon.scan_type, "application/pdf");
    w.rep
        .customers
        .save_certificate(pb::SaveCertificateRequest {
            certificate: Some(certificate("京AA0000002", days_from_today(-1))),
            ..Default::default()
        })
        .await
        .expect("expired");
    w.rep
        .customers
        .save_certificate(pb::SaveCertificateRequest {
            certificate: Some(certificate("京AA0000003", days_from_today(200))),
            ..Default::default()
        })
        .await
        .expect("valid");
    let status = w
        .rep
        .customers
        .save_certificate(pb::SaveCertificateRequest {
            certificate: Some(certificate("京AA0000004", days_from_today(200))),
            scan: b"MZ not a document".to_vec(),
            replace_scan: true,
        })
        .await
        .expect_err("not a pdf or image");
    assert_eq!(bad_fields(&status), ["scan"]);

    let customer = w
        .rep
        .customers
        .get_customer(pb::GetCustomerRequest { id })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(
        (
            customer.expired_certificates,
            customer.expiring_certificates
        ),
        (1, 1)
    );
    let flagged = w
        .rep
        .customers
        .search_customers(pb::SearchCustomersRequest {
            has_expiring_certificates: true,
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(flagged.total, 1);
    let work = w
        .rep
        .customers
        .my_work(())
        .await
        .expect("work")
        .into_inner();
    let numbers: Vec<_> = work
        .expiring_certificates
        .iter()
        .map(|e| e.certificate.as_ref().expect("certificate").number.as_str())
        .collect();
    assert_eq!(numbers, ["京AA0000002", "京AA0000001"], "soonest first");

    let scan = w
        .rep
        .customers
        .get_certificate_scan(pb::GetCertificateScanRequest { id: soon.id })
        .await
        .expect("scan")
        .into_inner();
    assert_eq!(scan.content, pdf);
    assert_eq!(scan.media_type, "application/pdf");
}

#[tokio::test]
async fn the_rep_pickers_list_active_holders_of_each_role() {
    let mut w = world().await;
    let names = |reps: Vec<pb::UserRef>| reps.into_iter().map(|r| r.name).collect::<Vec<_>>();
    let sales = w
        .rep
        .customers
        .list_reps(pb::ListRepsRequest {
            role: "sales".into(),
        })
        .await
        .expect("sales")
        .into_inner()
        .reps;
    assert!(names(sales.clone()).contains(&"rep-a".to_owned()));
    assert!(!names(sales).contains(&"cs-a".to_owned()));
    let cs = w
        .rep
        .customers
        .list_reps(pb::ListRepsRequest { role: "cs".into() })
        .await
        .expect("cs")
        .into_inner()
        .reps;
    assert!(names(cs).contains(&"cs-a".to_owned()));
    let status = w
        .rep
        .customers
        .list_reps(pb::ListRepsRequest {
            role: "boss".into(),
        })
        .await
        .expect_err("unknown role");
    assert_eq!(bad_fields(&status), ["role"]);
    // Everyone responsible for a customer, for the handover screen.
    let holders = w
        .rep
        .customers
        .list_reps(pb::ListRepsRequest {
            role: "holders".into(),
        })
        .await
        .expect("holders")
        .into_inner()
        .reps;
    assert_eq!(names(holders), ["cs-a", "rep-a"]);
}

#[tokio::test]
async fn the_demo_rep_sees_their_work_and_the_id_masked_and_another_rep_cannot_find_the_customer() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let demo = pharmacrm_server::seed::DEMO_PASSWORD;
    let mut sales1 = app.login("sales1", demo).await.expect("sales1");
    let work = sales1
        .customers
        .my_work(())
        .await
        .expect("work")
        .into_inner();
    assert_eq!(work.expiring_certificates.len(), 1);
    assert_eq!(work.expiring_certificates[0].customer_name, "北京协和医院");
    assert_eq!(work.due_followups.len(), 1);
    let found = sales1
        .customers
        .search_customers(pb::SearchCustomersRequest {
            query: "bjxh".into(),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.total, 1);
    assert_eq!(found.customers[0].id_number_masked, "110105********002X");
    assert_eq!(found.customers[0].expiring_certificates, 1);
    let mut sales2 = app.login("sales2", demo).await.expect("sales2");
    let hidden = sales2
        .customers
        .search_customers(pb::SearchCustomersRequest {
            query: "bjxh".into(),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(hidden.total, 0);
    let status = sales2
        .customers
        .get_customer(pb::GetCustomerRequest {
            id: found.customers[0].id,
        })
        .await
        .expect_err("hidden");
    assert_eq!(status.code(), Code::NotFound);
    // The manager of 营销中心 sees both teams' customers.
    let mut manager = app.login("manager", demo).await.expect("manager");
    let all = manager
        .customers
        .search_customers(pb::SearchCustomersRequest::default())
        .await
        .expect("search")
        .into_inner();
    assert_eq!(all.total, 2);
}
