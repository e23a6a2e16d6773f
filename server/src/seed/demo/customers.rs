//! The demo customers.

use diesel::prelude::*;

use pharmacrm_shared::DataScope;

use crate::db::models::customer::CustomerInput;
use crate::db::models::customer_certificate::{self, Certificate, CertificateFields};
use crate::db::models::customer_followup::{Followup, FollowupFields};
use crate::db::models::customer_record::{self, RecordInput};
use crate::db::models::{Actor, WriteCtx, customer_type, user};
use crate::db::schema::{customer_assignments, customer_type_changes, customers, drugs};
use crate::db::scope::Viewer;
use crate::error::AppResult;
use crate::ops::customers as ops;
use crate::seed::Demo;

/// A few demo customers for 营销一部/二部, once: one with a certificate expiring in ten
/// days and a follow-up due, so "my work" has something to show.
pub fn seed(conn: &mut PgConnection, ctx: WriteCtx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let any: i64 = customers::table.count().get_result(conn)?;
    if any > 0 {
        return Ok(());
    }
    let mut user = |name: &str| -> AppResult<i64> {
        Ok(user::find_by_username(conn, name)?
            .map(|u| u.id)
            .unwrap_or_default())
    };
    let (sales1, sales2, service1) = (user("sales1")?, user("sales2")?, user("service1")?);
    let types = customer_type::list(conn, false)?;
    let type_named = |name: &str| types.iter().find(|t| t.name == name).map_or(0, |t| t.id);
    let drug_ids: Vec<i64> = drugs::table
        .select(drugs::id)
        .order(drugs::id)
        .limit(2)
        .load(conn)?;
    let viewer = Viewer {
        user_id: 0,
        scope: Some(DataScope::All),
        department_id: None,
    };
    let window = customer_certificate::CertificateWindow {
        today: demo.clock.today(),
        warning_days: 30,
    };
    let hospital = ops::create(
        conn,
        ctx,
        &viewer,
        demo.data_key,
        &CustomerInput {
            name: "北京协和医院".to_owned(),
            contact_person: "张主任".to_owned(),
            id_number: Some("11010519491231002X".to_owned()),
            phone: "010-69156114".to_owned(),
            postcode: "100730".to_owned(),
            province_code: "11".to_owned(),
            city_code: "110101".to_owned(),
            address: "东单帅府园一号".to_owned(),
            business_kind: "hospital".to_owned(),
            type_id: type_named("成交"),
            drug_ids: drug_ids.clone(),
            credit_days: 60,
            sales_rep_id: Some(sales1),
            cs_rep_id: Some(service1),
            ..Default::default()
        },
        window,
    )?;
    let today = window.today;
    // A licence of `customer_id`'s on file, `kind` (number, authority), issued five years
    // before it expires `expires_in` days from today.
    let licence = |conn: &mut PgConnection,
                   customer_id: i64,
                   (kind, number, authority): (&str, &str, &str),
                   expires_in: i64| {
        customer_record::save::<Certificate>(
            conn,
            ctx,
            &viewer,
            &RecordInput {
                id: 0,
                customer_id,
                version: 0,
                fields: CertificateFields {
                    kind: kind.to_owned(),
                    number: number.to_owned(),
                    authority: authority.to_owned(),
                    issued_on: Some(today + chrono::Duration::days(expires_in - 1826)),
                    expires_on: Some(today + chrono::Duration::days(expires_in)),
                },
            },
        )
    };
    // Expiring in ten days: 我的工作's reminder.
    let hospital_licence = (
        "medical_institution",
        "PDY00001X110101",
        "北京市卫生健康委员会",
    );
    licence(conn, hospital.customer.id, hospital_licence, 10)?;
    // A follow-up of `customer_id` by its rep `by` (id, username) `days_ago` days back at
    // 10:00, recorded then, the next planned `next_in` days from today (negative: already
    // due).
    let followup = |conn: &mut PgConnection,
                    customer_id: i64,
                    (by, username): (i64, &str),
                    (days_ago, method, content, result): (i64, &str, &str, &str),
                    next_in: i64| {
        let happened_at = (demo
            .clock
            .start_of(today - chrono::Duration::days(days_ago))
            + chrono::Duration::hours(10))
        .min(demo.clock.now());
        let rep = Actor {
            user_id: Some(by),
            username: username.to_owned(),
            peer: String::new(),
        };
        customer_record::save::<Followup>(
            conn,
            WriteCtx::new(&rep, ctx.grants, ctx.audit_key).entered_at(happened_at),
            &viewer,
            &RecordInput {
                id: 0,
                customer_id,
                version: 0,
                fields: FollowupFields {
                    happened_at,
                    method: method.to_owned(),
                    content: content.to_owned(),
                    result: result.to_owned(),
                    next_on: Some(today + chrono::Duration::days(next_in)),
                },
            },
        )
    };
    followup(
        conn,
        hospital.customer.id,
        (sales1, "sales1"),
        (7, "visit", "拜访药剂科，介绍阿莫西林胶囊", "同意试用"),
        -1,
    )?;
    let pharmacy = ops::create(
        conn,
        ctx,
        &viewer,
        demo.data_key,
        &CustomerInput {
            name: "康民大药房".to_owned(),
            contact_person: "刘店长".to_owned(),
            phone: "13800138000".to_owned(),
            province_code: "44".to_owned(),
            city_code: "4401".to_owned(),
            address: "天河路 100 号".to_owned(),
            business_kind: "pharmacy".to_owned(),
            // A buyer that pays ahead (the demo's orders and payments): a key account.
            type_id: type_named("重点"),
            // The varieties it buys (the demo's orders): 经营品种 was empty.
            drug_ids: drug_ids.clone(),
            credit_days: 30,
            sales_rep_id: Some(sales2),
            cs_rep_id: Some(service1),
            ..Default::default()
        },
        window,
    )?;
    let trade = ("drug_trade", "粤AA0200101", "广东省药品监督管理局");
    licence(conn, pharmacy.customer.id, trade, 900)?;
    // A call planned for later this week: 我的工作's week ahead.
    followup(
        conn,
        pharmacy.customer.id,
        (sales2, "sales2"),
        (2, "phone", "询问下月采购计划", "月底前回复"),
        3,
    )?;
    // Names whose every character has several readings (长 cháng/zhǎng, 沙, 堂…): the
    // usual initials `cs`, `csscstdyf` and `ccsc` find them (issue 9).
    for (name, contact, phone, province, city, trade) in [
        (
            "长沙市长寿堂大药房",
            "周经理",
            "0731-84123456",
            "43",
            "4301",
            ("drug_trade", "湘AA7310001", "湖南省药品监督管理局"),
        ),
        (
            "长春市长生大药房",
            "吴店长",
            "0431-88765432",
            "22",
            "2201",
            ("drug_trade", "吉AA4310001", "吉林省药品监督管理局"),
        ),
    ] {
        let created = ops::create(
            conn,
            ctx,
            &viewer,
            demo.data_key,
            &CustomerInput {
                name: name.to_owned(),
                contact_person: contact.to_owned(),
                phone: phone.to_owned(),
                province_code: province.to_owned(),
                city_code: city.to_owned(),
                business_kind: "pharmacy".to_owned(),
                // They order (the demo's orders): no longer prospects (潜在).
                type_id: type_named("成交"),
                drug_ids: drug_ids.clone(),
                credit_days: 30,
                sales_rep_id: Some(sales2),
                cs_rep_id: Some(service1),
                ..Default::default()
            },
            window,
        )?;
        licence(conn, created.customer.id, trade, 1200)?;
    }
    // Their history begins before the demo orders (the oldest placed 82 days back), not at
    // the seeding: a customer "assigned when registered" today with orders from September
    // read as wrong. (The sales keep their reps: each is credited to the rep assigned when
    // its ledger entry was written.)
    let registered = demo.clock.start_of(today - chrono::Duration::days(100));
    diesel::update(customers::table)
        .set(customers::created_at.eq(registered))
        .execute(conn)?;
    diesel::update(customer_assignments::table)
        .set(customer_assignments::effective_from.eq(registered))
        .execute(conn)?;
    diesel::update(customer_type_changes::table)
        .set(customer_type_changes::changed_at.eq(registered))
        .execute(conn)?;
    Ok(())
}
