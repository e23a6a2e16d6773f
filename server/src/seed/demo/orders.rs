//! The demo orders: an invoicing entity and a handful of orders in every state, recorded
//! by the demo users themselves (李营销 and 赵营销 place their customers' orders, 陈客服
//! ships), with business dates taken from the clock and entered on those dates: one
//! completed, one shipped partly with a shipment overdue, one with a
//! damaged box awaiting 李营销's decision, one waiting to ship, one cancelled; and an
//! older order invoiced and part paid, its rest overdue, in a period 周财务 has
//! reconciled; sales2's three pharmacies an order each, one with a deducted shortage and
//! one closed (结案) with 10 boxes never shipped.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use pharmacrm_shared::DataScope;
use pharmacrm_shared::money::Decimal;

use crate::db::models::invoicing_entity::{self, InvoicingEntityFields};
use crate::db::models::order::{self, Order};
use crate::db::models::shipment::Shipment;
use crate::db::models::{Actor, WriteCtx, position, user};
use crate::db::schema::{customers, drugs, invoices, orders, payments, reconciliations, shipments};
use crate::db::scope::{Reps, Viewer};
use crate::error::AppResult;
use crate::ops::finance;
use crate::ops::orders::{
    self as ops, BatchLine, Decision, ExceptionReport, LineInput, OrderInput, ShipmentFields,
};
use crate::seed::Demo;

/// The demo orders, once (when there are none).
pub fn seed(conn: &mut PgConnection, ctx: WriteCtx<'_>, demo: &Demo<'_>) -> AppResult<()> {
    let any: i64 = orders::table.count().get_result(conn)?;
    if any > 0 {
        return Ok(());
    }
    let entities = invoicing_entity::list(conn, true)?;
    let entity = match entities.first() {
        Some(e) => e.id,
        None => {
            invoicing_entity::create(
                conn,
                ctx,
                &InvoicingEntityFields {
                    name: "华康医药有限公司".to_owned(),
                    tax_number: "91110105MA01ABCD26".to_owned(),
                    note: String::new(),
                    sort_order: 0,
                },
            )?
            .id
        }
    };
    let Some(sales1) = user::find_by_username(conn, "sales1")? else {
        return Ok(());
    };
    let Some(service1) = user::find_by_username(conn, "service1")? else {
        return Ok(());
    };
    let actor = |u: &user::User| Actor {
        user_id: Some(u.id),
        username: u.username.clone(),
        peer: String::new(),
    };
    let (rep, cs) = (actor(&sales1), actor(&service1));
    let (rep_grants, cs_grants) = (
        position::grants(conn, sales1.id)?,
        position::grants(conn, service1.id)?,
    );
    let as_rep = WriteCtx::new(&rep, &rep_grants, ctx.audit_key);
    let as_cs = WriteCtx::new(&cs, &cs_grants, ctx.audit_key);
    let reps = Reps::All;

    let customer: Option<i64> = customers::table
        .filter(customers::sales_rep_id.eq(sales1.id))
        .order(customers::id)
        .select(customers::id)
        .first(conn)
        .optional()?;
    let Some(customer) = customer else {
        return Ok(());
    };
    let drug_ids: Vec<i64> = drugs::table
        .filter(drugs::is_active.eq(true))
        .order(drugs::id)
        .select(drugs::id)
        .limit(3)
        .load(conn)?;
    if drug_ids.len() < 2 {
        return Ok(());
    }
    let today = demo.clock.today();
    let day = |n: i64| today - Duration::days(n);
    let order_input = |lines: &[(usize, i64)]| OrderInput {
        customer_id: customer,
        invoicing_entity_id: entity,
        delivery_address: String::new(),
        requested_delivery_date: None,
        credit_days: None,
        note: String::new(),
        lines: lines
            .iter()
            .map(|(drug, quantity)| LineInput {
                drug_id: drug_ids[*drug % drug_ids.len()],
                quantity: *quantity,
                unit_price: None,
            })
            .collect(),
        credit_override_reason: String::new(),
        request_approval: false,
        request_id: None,
    };
    // Each shipment its own waybill, as a carrier issues them: SF, the ship date, a number.
    let waybills = std::cell::Cell::new(0_u32);
    let fields = |ship_date: chrono::NaiveDate, transit_days| {
        waybills.set(waybills.get() + 1);
        ShipmentFields {
            ship_date,
            carrier: "顺丰速运".to_owned(),
            waybill_no: format!("SF{}{:04}", ship_date.format("%y%m%d"), waybills.get()),
            transit_days: Some(transit_days),
            invoicing_entity_id: None,
            invoice_no: String::new(),
            confirm_waybill_reused: false,
        }
    };
    let batch = |line_id, quantity, batch_no: &str| BatchLine {
        line_id,
        quantity,
        batch_no: batch_no.to_owned(),
        expiry_date: today + Duration::days(700),
    };

    // The demo's orders and shipments were entered on their business dates (at 09:00, or
    // now if that is still to come today), not when the demo was seeded: their views say
    // who placed or shipped them, and when, and so does their history (the audit log).
    let entered_on = |date| (demo.clock.start_of(date) + Duration::hours(9)).min(demo.clock.now());
    // Entered at `at`, or now if that is still to come.
    let entered_at = |at: DateTime<Utc>| at.min(demo.clock.now());
    // Places `input` on `date` as `by` (a rep, and their viewer).
    let place_as = |conn: &mut PgConnection, by: WriteCtx<'_>, input: &OrderInput, date| {
        let viewer = Viewer {
            user_id: by.actor.user_id.unwrap_or_default(),
            scope: Some(DataScope::All),
            department_id: None,
        };
        let placed = ops::place(conn, by.entered_at(entered_on(date)), &viewer, input, date)?;
        diesel::update(orders::table.find(placed.0.id))
            .set(orders::created_at.eq(entered_on(date)))
            .execute(conn)?;
        AppResult::Ok(placed)
    };
    // Places an order of `lines` (drug index, quantity) on `date`, as 李营销.
    let place = |conn: &mut PgConnection, lines: &[(usize, i64)], date| {
        place_as(conn, as_rep, &order_input(lines), date)
    };
    // Ships `lines` of order `o` on `ship_date`, `transit_days` on the way, as 陈客服.
    let ship =
        |conn: &mut PgConnection, o: &Order, ship_date, transit_days, lines: &[BatchLine]| {
            let draft = ops::ShipmentDraft {
                owner_id: o.id,
                version: o.version,
                fields: fields(ship_date, transit_days),
                lines: lines.to_vec(),
                complaints: Default::default(),
            };
            let by = as_cs.entered_at(entered_on(ship_date));
            let shipped = ops::ship(conn, by, &reps, &draft, ship_date)?;
            diesel::update(shipments::table.find(shipped.0.id))
                .set(shipments::created_at.eq(entered_on(ship_date)))
                .execute(conn)?;
            AppResult::Ok(shipped)
        };
    // Confirms shipment `s` delivered, signed by `signer` at `arrived_at`.
    let deliver = |conn: &mut PgConnection, s: &Shipment, signer: &str, arrived_at| {
        let as_cs = as_cs.entered_at(entered_at(arrived_at));
        let delivery = ops::Delivery {
            signer: signer.to_owned(),
            arrived_at,
            correction_reason: String::new(),
        };
        ops::confirm_delivery(conn, as_cs, &reps, s.id, s.version, &delivery, demo.clock)
    };

    // Completed: shipped in full twelve days ago, delivered.
    let (o, lines, _) = place(conn, &[(0, 20), (1, 10)], day(14))?;
    let (s, _) = ship(
        conn,
        &o,
        day(12),
        3,
        &[
            batch(lines[0].id, 20, "B2026A01"),
            batch(lines[1].id, 10, "B2026B07"),
        ],
    )?;
    deliver(
        conn,
        &s,
        "张主任",
        demo.clock.start_of(day(10)) + Duration::hours(10),
    )?;

    // Partly shipped six days ago with two transit days: overdue since.
    let (o, lines, _) = place(conn, &[(0, 50), (2, 30)], day(7))?;
    ship(conn, &o, day(6), 2, &[batch(lines[0].id, 30, "B2026A02")])?;

    // Shipped, delivered yesterday with a damaged box awaiting the rep's decision.
    let (o, lines, _) = place(conn, &[(1, 12)], day(4))?;
    let (s, shipped) = ship(conn, &o, day(3), 2, &[batch(lines[0].id, 12, "B2026B08")])?;
    deliver(
        conn,
        &s,
        "张主任",
        demo.clock.start_of(day(1)) + Duration::hours(9),
    )?;
    let reported_at = demo.clock.start_of(day(1)) + Duration::hours(11);
    ops::report_exception(
        conn,
        as_cs.entered_at(entered_at(reported_at)),
        &reps,
        &ExceptionReport {
            shipment_id: s.id,
            kind: "damaged".to_owned(),
            description: "外箱压损，1 盒破损".to_owned(),
            lines: vec![(shipped[0].id, 1)],
        },
        reported_at,
        day(1),
    )?;

    // Waiting to ship, placed today.
    place(conn, &[(2, 5), (0, 8)], today)?;

    // Cancelled before shipping.
    let (o, _, _) = place(conn, &[(1, 3)], day(2))?;
    let cancel = ops::Ending::Cancel;
    let cancelled_at = entered_on(day(2)) + Duration::hours(1);
    let by = as_rep.entered_at(cancelled_at);
    ops::end(conn, by, &reps, o.id, o.version, cancel, "客户重复下单")?;
    diesel::update(orders::table.find(o.id))
        .set(orders::cancelled_at.eq(cancelled_at))
        .execute(conn)?;

    // Finance: an older order shipped 80 days ago, part paid 40 days ago by 周财务; with
    // the customer's 60 days of credit the rest is 20 days overdue (short of the 90-day
    // credit hold). The period up to 35 days ago is reconciled.
    let Some(finance1) = user::find_by_username(conn, "finance1")? else {
        return Ok(());
    };
    let fin = actor(&finance1);
    let fin_grants = position::grants(conn, finance1.id)?;
    let as_finance = WriteCtx::new(&fin, &fin_grants, ctx.audit_key);
    let (o, lines, _) = place(conn, &[(0, 60), (1, 40)], day(82))?;
    let (s, _) = ship(
        conn,
        &o,
        day(80),
        3,
        &[
            batch(lines[0].id, 60, "B2026A00"),
            batch(lines[1].id, 40, "B2026B05"),
        ],
    )?;
    deliver(
        conn,
        &s,
        "张主任",
        demo.clock.start_of(day(77)) + Duration::hours(11),
    )?;
    // Finance keyed each on its day: the invoice, the payment, the reconciliation.
    let (invoiced, paid, reconciled) = (
        entered_on(day(78)),
        entered_on(day(40)),
        entered_on(day(34)),
    );
    // Invoiced in full two days after shipping (增值税专用发票).
    let invoice = finance::record_invoice(
        conn,
        as_finance.entered_at(invoiced),
        &reps,
        &finance::InvoiceInput {
            of: finance::Invoiced::Blue {
                customer_id: customer,
                entity_id: entity,
                kind: "special".to_owned(),
            },
            // A paper 专票 of Beijing's 2026 batch: its code, then its number.
            code: "1100261130".to_owned(),
            number: "04419001".to_owned(),
            date: day(78),
            orders: vec![(o.id, s.amount)],
            note: String::new(),
            request_id: None,
        },
    )?;
    let mut part = (s.amount / Decimal::from(2)).trunc();
    part.rescale(2);
    let payment = finance::record_payment(
        conn,
        as_finance.entered_at(paid),
        &reps,
        &finance::PaymentInput {
            customer_id: customer,
            payment_date: day(40),
            amount: part,
            method: "bank_transfer".to_owned(),
            reference: "ICBC 6222 0210 0001".to_owned(),
            handler_id: None,
            note: "首笔回款".to_owned(),
            allocations: vec![],
            confirm_not_duplicate: false,
            request_id: None,
        },
        day(40),
    )?;
    let (from, to) = (day(90), day(35));
    let closing = finance::statement(
        conn,
        &reps,
        &finance::StatementQuery {
            customer_id: Some(customer),
            from,
            to,
            handler_id: None,
            today,
        },
        0,
    )?
    .closing;
    let reconciliation = finance::reconcile(
        conn,
        as_finance.entered_at(reconciled),
        &reps,
        customer,
        from,
        to,
        closing,
        "客户已盖章确认",
        day(34),
    )?;
    // Their records say they were entered then, as their history does.
    diesel::update(invoices::table.find(invoice.id))
        .set(invoices::created_at.eq(invoiced))
        .execute(conn)?;
    diesel::update(payments::table.find(payment.id))
        .set(payments::created_at.eq(paid))
        .execute(conn)?;
    diesel::update(reconciliations::table.find(reconciliation.id))
        .set(reconciliations::created_at.eq(reconciled))
        .execute(conn)?;
    // sales2's pharmacies (广州, 长沙, 长春): an order each, shipped over the past weeks,
    // so the reports have regions, reps and drugs to compare; the first one's delivery
    // came two boxes short, deducted; the last one's customer took 10 boxes fewer than
    // ordered, and sales2 closed it (结案).
    if let Some(sales2) = user::find_by_username(conn, "sales2")? {
        let rep2 = actor(&sales2);
        let rep2_grants = position::grants(conn, sales2.id)?;
        let as_rep2 = WriteCtx::new(&rep2, &rep2_grants, ctx.audit_key);
        let theirs: Vec<i64> = customers::table
            .filter(customers::sales_rep_id.eq(sales2.id))
            .order(customers::id)
            .select(customers::id)
            .load(conn)?;
        // One batch of each drug a week (a batch number belongs to one drug): the third
        // drug's B2026C01 goes to two of the pharmacies, the recall (批号追溯) example.
        const BATCHES: [&str; 4] = ["B2026A09", "B2026B09", "B2026C01", "B2026D01"];
        for (i, &customer_id) in theirs.iter().enumerate() {
            let n = i64::try_from(i).unwrap_or(0);
            let input = OrderInput {
                customer_id,
                ..order_input(&[(i, 10 + 10 * n), (i + 1, 5)])
            };
            let (o, lines, _) = place_as(conn, as_rep2, &input, day(20 - 6 * n))?;
            let ship_day = day(19 - 6 * n);
            // The last one ships 10 boxes short of its first line; the rest is closed.
            let short = if i == 2 { 10 } else { 0 };
            let (s, shipped) = ship(
                conn,
                &o,
                ship_day,
                2,
                &[
                    batch(lines[0].id, lines[0].quantity - short, BATCHES[i % 4]),
                    batch(lines[1].id, lines[1].quantity, BATCHES[(i + 1) % 4]),
                ],
            )?;
            deliver(
                conn,
                &s,
                "店长",
                demo.clock.start_of(ship_day + Duration::days(2)) + Duration::hours(10),
            )?;
            if short > 0 {
                let version = order::find(conn, &reps, o.id, false)?.version;
                let close = ops::Ending::Close;
                let why = "客户库存充足，余下 10 盒不再发货";
                let closed_at = entered_on(ship_day + Duration::days(3));
                let by = as_rep2.entered_at(closed_at);
                ops::end(conn, by, &reps, o.id, version, close, why)?;
                diesel::update(orders::table.find(o.id))
                    .set(orders::closed_at.eq(closed_at))
                    .execute(conn)?;
            }
            if i == 0 {
                let reported_at = demo.clock.start_of(day(16)) + Duration::hours(15);
                let (e, _) = ops::report_exception(
                    conn,
                    as_cs.entered_at(entered_at(reported_at)),
                    &reps,
                    &ExceptionReport {
                        shipment_id: s.id,
                        kind: "short".to_owned(),
                        description: "到货少 2 盒".to_owned(),
                        lines: vec![(shipped[0].id, 2)],
                    },
                    reported_at,
                    day(16),
                )?;
                let decided_at = demo.clock.start_of(day(15)) + Duration::hours(10);
                ops::decide(
                    conn,
                    as_rep2.entered_at(entered_at(decided_at)),
                    &reps,
                    e.id,
                    e.version,
                    &Decision::Deduct,
                    "与客户确认，从货款中扣除",
                    decided_at,
                    day(15),
                )?;
            }
        }
    }
    Ok(())
}
