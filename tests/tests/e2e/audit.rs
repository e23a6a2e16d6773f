//! The audit log: written with each change, append-only, chained, searchable.

use diesel::RunQueryDsl;
use pharmacrm_server::app::load_audit_key;
use pharmacrm_server::db::models::audit_log;
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{CertificateBuilder, DepartmentBuilder, DepartmentChange};
use pharmacrm_tests::{Refused, TestApp, page};
use tonic::Code;

/// The entries `request` finds, searched as a newly logged-in `admin`.
async fn entries(app: &TestApp, request: pb::SearchAuditRequest) -> Vec<pb::AuditEntry> {
    app.admin().await.send(request).await.entries
}

/// The chain check over the whole log: the number of rows checked, or the first broken row.
fn check_chain(
    conn: &mut diesel::PgConnection,
    key: &audit_log::AuditKey,
) -> Result<u64, audit_log::ChainBreak> {
    audit_log::verify(conn, key).expect("verify")
}

#[tokio::test]
async fn each_change_is_recorded_with_before_and_after_and_a_failed_change_is_not() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let dept = DepartmentBuilder::new("质量部").create(&mut admin).await;
    DepartmentChange::of(&dept)
        .renamed("质量管理部")
        .save(&mut admin)
        .await;
    // Refused: same name as itself at the same level is fine, so use a stale version.
    DepartmentChange::of(&dept)
        .renamed("不会生效")
        .try_save(&mut admin)
        .await
        .expect_err("stale");

    let rows = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "department".into(),
            object_id: dept.id.to_string(),
            ..Default::default()
        },
    )
    .await;
    let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["department.update", "department.create"],
        "newest first, nothing for the refusal"
    );
    let update = &rows[0];
    assert!(update.before_json.contains("质量部"));
    assert!(update.after_json.contains("质量管理部"));
    assert_eq!(update.username, "admin");
    assert!(
        update.peer.starts_with("127.0.0.1:"),
        "peer {}",
        update.peer
    );
    assert!(rows[1].before_json.is_empty());
}

#[tokio::test]
async fn login_attempts_good_and_bad_are_recorded() {
    let app = TestApp::spawn().await;
    let _ = app.login("admin", "wrong-password").await;
    let _ = app.login("nobody", "wrong-password").await;
    app.admin().await;
    let logins_and_failures = pb::SearchAuditRequest {
        object_type: "login".into(),
        ..Default::default()
    };
    let rows = entries(&app, logins_and_failures).await;
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "auth.login_failed")
        .map(|r| r.username.as_str())
        .collect();
    assert_eq!(failed, ["nobody", "admin"]);
    let logins = app.admin().await.audit_of("auth.login").await.entries;
    assert!(logins.len() >= 2, "each successful login is recorded");
    assert!(logins.iter().all(|r| r.user_id.is_some()));

    // Found by the name that was tried, though no user has it, however it is cased
    // (names are recorded in lower case).
    let tried = entries(
        &app,
        pb::SearchAuditRequest {
            username: "NoBody".into(),
            ..Default::default()
        },
    )
    .await;
    let tried: Vec<_> = tried.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(tried, ["auth.login_failed"]);

    // The action filter's choices: each action once, sorted (byte order: the private
    // cluster's C collation).
    let actions = app
        .admin()
        .await
        .audit
        .list_audit_actions(())
        .await
        .expect("actions")
        .into_inner()
        .actions;
    assert!(actions.contains(&"auth.login".to_owned()));
    assert!(actions.contains(&"auth.login_failed".to_owned()));
    let mut sorted = actions.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(actions, sorted);
    let mut rep = app.sales_rep("rep-a").await;
    rep.audit
        .list_audit_actions(())
        .await
        .refused(Code::PermissionDenied);
}

#[tokio::test]
async fn the_log_is_append_only_and_the_chain_catches_an_edited_row() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    for name in ["一部", "二部", "三部"] {
        DepartmentBuilder::new(name).create(&mut admin).await;
    }
    let key = load_audit_key(&app.config.keys_dir()).expect("key");
    let mut conn = app.sql();
    let checked = check_chain(&mut conn, &key).expect("intact");
    assert!(
        checked >= 4,
        "seeding, login and three creations: {checked}"
    );

    // The server's connection cannot change history.
    for statement in [
        "UPDATE audit_log SET username = 'someone-else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = diesel::sql_query(statement)
            .execute(&mut conn)
            .expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }

    // Someone with superuser access bypasses the trigger and edits a row…
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let target: Id = diesel::sql_query(
        "SELECT id FROM audit_log WHERE action = 'department.create' ORDER BY id LIMIT 1 OFFSET 1",
    )
    .get_result(&mut conn)
    .expect("a row");
    diesel::sql_query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&mut conn)
        .expect("disable");
    diesel::sql_query(
        "UPDATE audit_log SET after = jsonb_set(after, '{name}', '\"改过的\"') WHERE id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(target.id)
    .execute(&mut conn)
    .expect("tamper");
    // …and the chain check names that row.
    let broken = check_chain(&mut conn, &key).expect_err("tampering detected");
    assert_eq!(broken.id, target.id);

    // Deleting a row instead breaks the link of the next one.
    diesel::sql_query(
        "UPDATE audit_log SET after = jsonb_set(after, '{name}', '\"二部\"') WHERE id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(target.id)
    .execute(&mut conn)
    .expect("restore");
    check_chain(&mut conn, &key).expect("intact again");
    diesel::sql_query("DELETE FROM audit_log WHERE id = $1")
        .bind::<diesel::sql_types::BigInt, _>(target.id)
        .execute(&mut conn)
        .expect("delete");
    let broken = check_chain(&mut conn, &key).expect_err("deletion detected");
    assert!(broken.id > target.id);
}

#[tokio::test]
async fn the_verify_audit_command_reports_tampering() {
    let app = TestApp::spawn().await;
    let config = app.config.clone();
    let intact = tokio::task::spawn_blocking(move || pharmacrm_server::app::verify_audit(&config))
        .await
        .expect("join")
        .expect("verify");
    assert!(intact.is_ok());
    let mut conn = app.sql();
    diesel::sql_query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&mut conn)
        .expect("disable");
    diesel::sql_query("UPDATE audit_log SET action = 'nothing.happened' WHERE id = (SELECT max(id) FROM audit_log)")
        .execute(&mut conn)
        .expect("tamper");
    let config = app.config.clone();
    let tampered =
        tokio::task::spawn_blocking(move || pharmacrm_server::app::verify_audit(&config))
            .await
            .expect("join")
            .expect("verify");
    assert!(tampered.is_err());
}

#[tokio::test]
async fn searching_the_log_needs_audit_read_and_filters_by_user_and_period() {
    let app = TestApp::spawn().await;
    let mut rep = app.user_with_positions("auditee", &["营销员"], None).await;
    rep.audit
        .search_audit(pb::SearchAuditRequest::default())
        .await
        .refused(Code::PermissionDenied);

    let me = rep.user().await;
    let by_user = entries(
        &app,
        pb::SearchAuditRequest {
            user_id: Some(me.id),
            ..Default::default()
        },
    )
    .await;
    assert!(!by_user.is_empty());
    assert!(by_user.iter().all(|r| r.user_id == Some(me.id)));

    let future =
        pharmacrm_server::convert::timestamp(chrono::Utc::now() + chrono::Duration::hours(1));
    let none = entries(
        &app,
        pb::SearchAuditRequest {
            from: Some(future),
            ..Default::default()
        },
    )
    .await;
    assert!(none.is_empty());

    let mut admin = app.admin().await;
    // A period that ends before it starts, or a filter no object is named by (10,000
    // characters), is refused naming its field, not answered with nothing.
    let now = pharmacrm_server::convert::timestamp(chrono::Utc::now());
    let reversed = pb::SearchAuditRequest {
        from: Some(future),
        to: Some(now),
        ..Default::default()
    };
    assert_eq!(admin.bad_fields_of(reversed).await, ["to"]);
    let overlong = pb::SearchAuditRequest {
        object_id: "1".repeat(10_000),
        ..Default::default()
    };
    assert_eq!(admin.bad_fields_of(overlong).await, ["object_id"]);
    let second_page = admin
        .send(pb::SearchAuditRequest {
            page: page(1, 2),
            ..Default::default()
        })
        .await;
    assert_eq!(second_page.entries.len(), 2);
    assert!(second_page.total > 2);
}

#[tokio::test]
async fn the_ids_in_an_entry_come_named_the_object_by_its_name() {
    let app = TestApp::spawn().await;
    let mut team = app.customer_team("朝阳医院", "rep-a", "cs-a").await;
    let rep = team.rep.user().await;
    let cs = team.cs.user().await;
    let mut admin = app.admin().await;
    let parent = DepartmentBuilder::new("营销中心").create(&mut admin).await;
    let child = DepartmentBuilder::new("营销一部")
        .under(parent.id)
        .create(&mut admin)
        .await;

    let created = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "customer".into(),
            object_id: team.customer.id.to_string(),
            action: "customer.create".into(),
            ..Default::default()
        },
    )
    .await;
    let names = &created[0].names;
    let name = |key: String| names.get(&key).map(String::as_str);
    assert_eq!(name(format!("id:{}", team.customer.id)), Some("朝阳医院"));
    assert_eq!(
        name(format!("sales_rep_id:{}", rep.id)),
        Some(format!("{} (rep-a)", rep.display_name).as_str())
    );
    assert_eq!(
        name(format!("cs_rep_id:{}", cs.id)),
        Some(format!("{} (cs-a)", cs.display_name).as_str())
    );
    // Nothing is named that is not a reference (a credit limit, a version).
    assert!(
        names
            .keys()
            .all(|k| k.starts_with("id:") || k.contains("_id:") || k.contains("_by:")),
        "{names:?}"
    );

    // A customer's record is named by its customer (a certificate with its number too).
    let followup = team
        .rep
        .send(pb::Followup {
            customer_id: team.customer.id,
            happened_at: Some(pharmacrm_tests::fixtures::instant(
                "2026-11-30T10:00:00+08:00",
            )),
            method: pb::FollowupMethod::Visit as i32,
            content: "介绍新品".into(),
            ..Default::default()
        })
        .await;
    let certificate = CertificateBuilder::new(team.customer.id, pb::CertificateKind::Gsp)
        .number("京GSP-001")
        .expires_on("2030-12-31")
        .save(&mut team.rep)
        .await;
    for (object_type, id, name) in [
        ("customer_followup", followup.id, "朝阳医院"),
        ("customer_certificate", certificate.id, "朝阳医院 京GSP-001"),
    ] {
        let created = entries(
            &app,
            pb::SearchAuditRequest {
                object_type: object_type.into(),
                object_id: id.to_string(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            created[0]
                .names
                .get(&format!("id:{id}"))
                .map(String::as_str),
            Some(name),
            "{object_type}"
        );
    }

    // The object filter takes what people call a record, not only its id: a customer's
    // name finds the customer and its records, its payments and reconciliations among
    // them; a reconciliation is named by its customer and period.
    let mut admin = app.admin().await;
    let yesterday = app.clock().today() - chrono::Days::new(1);
    let reconciled = admin
        .send(pb::ReconcileRequest {
            customer_id: team.customer.id,
            date_from: "2026-11-01".into(),
            date_to: yesterday.to_string(),
            closing_balance: "0.00".into(),
            note: "客户确认".into(),
        })
        .await;
    admin
        .send(pb::RecordPaymentRequest {
            customer_id: team.customer.id,
            payment_date: app.clock().today().to_string(),
            amount: "100".into(),
            method: pb::PaymentMethod::BankTransfer as i32,
            ..Default::default()
        })
        .await;
    let confirmed = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "reconciliation".into(),
            object_id: reconciled.id.to_string(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        confirmed[0].names.get(&format!("id:{}", reconciled.id)),
        Some(&format!("朝阳医院 2026-11-01 – {yesterday}"))
    );
    let objects = |rows: Vec<pb::AuditEntry>| -> Vec<String> {
        rows.into_iter()
            .map(|e| format!("{}:{}", e.object_type, e.action))
            .collect()
    };
    let named = entries(
        &app,
        pb::SearchAuditRequest {
            object_id: "朝阳医院".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        objects(named),
        [
            "payment:payment.create",
            "reconciliation:reconciliation.create",
            "customer_certificate:customer_certificate.create",
            "customer_followup:customer_followup.create",
            "customer:customer.create",
        ]
    );
    let by_type = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "customer_certificate".into(),
            object_id: "京gsp-001".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        objects(by_type),
        ["customer_certificate:customer_certificate.create"]
    );
    let nobody = entries(
        &app,
        pb::SearchAuditRequest {
            object_id: "没有这个客户".into(),
            ..Default::default()
        },
    )
    .await;
    assert!(nobody.is_empty());

    // A department's parent is a department.
    let created = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "department".into(),
            object_id: child.id.to_string(),
            ..Default::default()
        },
    )
    .await;
    let names = &created[0].names;
    assert_eq!(
        names
            .get(&format!("parent_id:{}", parent.id))
            .map(String::as_str),
        Some("营销中心")
    );
    assert_eq!(
        names.get(&format!("id:{}", child.id)).map(String::as_str),
        Some("营销一部")
    );

    // A drug's unit with its capacity: two 盒 are told apart.
    let drug = app.drug_on_sale("阿莫西林胶囊", "1", "2").await;
    let created = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "drug".into(),
            object_id: drug.id.to_string(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        created[0]
            .names
            .get(&format!("unit_id:{}", drug.unit_id))
            .map(String::as_str),
        Some("盒（24粒）")
    );
    // The unit is found by its name alone or as it is shown.
    for called in ["盒", "盒（24粒）"] {
        let found = entries(
            &app,
            pb::SearchAuditRequest {
                object_type: "container_unit".into(),
                object_id: called.into(),
                ..Default::default()
            },
        )
        .await;
        assert!(
            found
                .iter()
                .any(|e| e.object_id == drug.unit_id.to_string()),
            "{called}"
        );
    }
}

#[tokio::test]
async fn a_shipments_lines_name_their_drug_and_batch() {
    use pharmacrm_tests::fixtures::{ShipmentBuilder, invoicing_entity, place_order};
    let app = TestApp::spawn().await;
    invoicing_entity(&app).await;
    let drug = app.drug_on_sale("阿莫西林胶囊", "1", "2").await;
    let mut team = app.customer_team("北京协和医院", "rep-a", "cs-a").await;
    let order = place_order(&mut team.rep, team.customer.id, &[(drug.id, 10, "")]).await;
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B2611")
        .create(&mut team.cs)
        .await;

    let created = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "shipment".into(),
            object_id: shipment.id.to_string(),
            action: "shipment.create".into(),
            ..Default::default()
        },
    )
    .await;
    let (head, line) = (order.order.as_ref().expect("the order"), &order.lines[0]);
    assert_eq!(
        created[0]
            .names
            .get(&format!("order_line_id:{}", line.id))
            .map(String::as_str),
        Some("阿莫西林胶囊 0.25g×24粒"),
        "{:?}",
        created[0].names
    );
    assert_eq!(
        created[0]
            .names
            .get(&format!("order_id:{}", head.id))
            .map(String::as_str),
        Some(head.number.as_str())
    );

    // An exception's lines name the shipment line: drug, specification, batch.
    let exception = team
        .cs
        .reported_first(&shipment, pb::ExceptionKind::Damaged, 2)
        .await;
    let reported = entries(
        &app,
        pb::SearchAuditRequest {
            object_type: "transport_exception".into(),
            object_id: exception.id.to_string(),
            ..Default::default()
        },
    )
    .await;
    let names = &reported.last().expect("the report").names;
    assert_eq!(
        names
            .get(&format!("shipment_line_id:{}", shipment.lines[0].id))
            .map(String::as_str),
        Some("阿莫西林胶囊 0.25g×24粒 B2611"),
        "{names:?}"
    );

    // An order is found by its number, in any case, with what happened to it: its
    // shipments and exceptions; a shipment by its own number, alone.
    let by_number = |number: String| {
        let app = &app;
        async move {
            entries(
                app,
                pb::SearchAuditRequest {
                    object_id: number,
                    ..Default::default()
                },
            )
            .await
            .iter()
            .map(|e| (e.action.clone(), e.object_id.clone()))
            .collect::<Vec<_>>()
        }
    };
    let of = |action: &str, id: i64| (action.to_owned(), id.to_string());
    assert_eq!(
        by_number(head.number.to_lowercase()).await,
        [
            of("transport_exception.report", exception.id),
            of("shipment.create", shipment.id),
            of("order.create", head.id),
        ]
    );
    assert_eq!(
        by_number(shipment.number.clone()).await,
        [of("shipment.create", shipment.id)]
    );
}
