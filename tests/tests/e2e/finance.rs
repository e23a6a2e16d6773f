//! Finance: the one receivables ledger after each kind of movement, payments allocated
//! oldest due first or to the orders picked, over-allocation refused, ageing on each
//! bucket's edges and as of a past date, deduct versus reship, the statement's
//! arithmetic, reconciled periods locked with corrections dated later, red invoices,
//! credit hold and its override, the arrears list within scope, the exported statement.

use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    CustomerBuilder, CustomerTeam, Export, InvoicingEntityBuilder, OrderBuilder, OrderView, Person,
    PositionBuilder, ServiceAccountBuilder, ShipmentBuilder, invoicing_entity, payment, reversing,
    set_active,
};
use pharmacrm_tests::{
    Clients, Refused, TestApp, assert_message_contains, assert_zh_contains, at_once, bad_fields,
    sorted_bad_fields,
};
use tonic::Code;

/// A sales rep and the CS rep serving their customer (credit 30 days), a drug on sale at
/// 2.00, the company's invoicing entity, and finance; the clock at 10:00 on 2026-09-01
/// in Shanghai.
struct World {
    app: TestApp,
    rep: Person,
    cs: Person,
    finance: Person,
    customer: pb::Customer,
    drug: pb::Drug,
    entity: pb::InvoicingEntity,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.pin_clock("2026-09-01T10:00:00+08:00");
    let entity = invoicing_entity(&app).await;
    let drug = app.drug_on_sale("阿莫西林胶囊", "1", "2").await;
    let CustomerTeam { rep, cs, customer } = app
        .licensed_customer_team("北京协和医院", "rep-a", "cs-a")
        .await;
    let finance = app.person("fin", &["财务"], None).await;
    World {
        app,
        rep,
        cs,
        finance,
        customer,
        drug,
        entity,
    }
}

impl World {
    /// 长春市长生大药房, the rep's, served by the CS rep, with credit 0 days: each shipment
    /// falls due on its ship date.
    async fn due_on_shipping(&mut self) -> pb::Customer {
        CustomerBuilder::new("长春市长生大药房")
            .served_by(self.cs.id)
            .credit_days(0)
            .create(&mut self.rep)
            .await
    }

    /// 长沙市长寿堂大药房, the rep's, served by the CS rep, with a credit limit of 100.00.
    async fn limited_customer(&mut self) -> pb::Customer {
        let customer = CustomerBuilder::new("长沙市长寿堂大药房")
            .served_by(self.cs.id)
            .credit_limit("100")
            .create(&mut self.rep)
            .await;
        // A qualified buyer: only its credit is in question.
        self.rep.license_hospital(customer.id).await;
        customer
    }

    /// On business day `day`: an order of `units` × 2.00 placed for `customer` and shipped
    /// whole the same day. Returns the order and its shipment.
    async fn shipped_on(
        &mut self,
        customer: i64,
        day: &str,
        units: i64,
    ) -> (pb::OrderDetail, pb::Shipment) {
        self.app.pin_clock(&format!("{day}T10:00:00+08:00"));
        let order = OrderBuilder::new(customer)
            .line(self.drug.id, units, "")
            .place(&mut self.rep)
            .await;
        let shipment = ShipmentBuilder::of(&order)
            .everything_left("B1")
            .on(day)
            .create(&mut self.cs)
            .await;
        (order, shipment)
    }
}

/// The 发票代码 of the tests' 8-digit invoice numbers: a paper 专票 of Beijing's 2026 batch.
const INVOICE_CODE: &str = "1100261130";

/// A special VAT invoice numbered `number` (with [`INVOICE_CODE`]) from `entity` to `customer` on 2026-09-01,
/// covering (order id, amount) `order`.
fn blue_invoice(
    customer: i64,
    entity: i64,
    (order_id, amount): (i64, &str),
    number: &str,
) -> pb::RecordInvoiceRequest {
    pb::RecordInvoiceRequest {
        customer_id: customer,
        invoicing_entity_id: entity,
        kind: pb::InvoiceKind::Special as i32,
        number: number.into(),
        code: INVOICE_CODE.into(),
        invoice_date: "2026-09-01".into(),
        orders: vec![pb::InvoiceOrderInput {
            order_id,
            amount: amount.into(),
        }],
        red_of_invoice_id: 0,
        note: String::new(),
        request_id: String::new(),
    }
}

fn statement(customer: i64, from: &str, to: &str) -> pb::StatementRequest {
    pb::StatementRequest {
        customer_id: Some(customer),
        date_from: from.into(),
        date_to: to.into(),
        handler_id: None,
    }
}

/// (order number, amount) of each allocation, and what is left on account.
fn allocated(p: &pb::Payment) -> (Vec<(String, String)>, String) {
    (
        p.allocations
            .iter()
            .map(|a| (a.order_number.clone(), a.amount.clone()))
            .collect(),
        p.unallocated.clone(),
    )
}

fn owed(o: &pb::OrderFinance) -> (&str, &str, &str) {
    (o.net.as_str(), o.paid.as_str(), o.outstanding.as_str())
}

#[tokio::test]
async fn the_ledger_follows_each_movement_and_payments_pay_the_oldest_due_first() {
    let mut w = world().await;
    let c = w.customer.id;
    let (a, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00, due 10-01
    let (b, _) = w.shipped_on(c, "2026-09-10", 50).await; // 100.00, due 10-10
    w.app.pin_clock("2026-10-15T10:00:00+08:00");

    let first = w.finance.send(payment(c, "2026-10-15", "250", &[])).await;
    assert!(first.number.starts_with("PY20261015-"), "{}", first.number);
    let a_no = a.header().number.clone();
    let b_no = b.header().number.clone();
    assert_eq!(
        allocated(&first),
        (
            vec![
                (a_no.clone(), "200.00".into()),
                (b_no.clone(), "50.00".into())
            ],
            "0.00".into()
        )
    );
    // The handler defaults to the customer's sales rep.
    assert_eq!(first.handler.as_ref().map(|h| h.id), Some(w.rep.id));
    assert_eq!(
        owed(&w.finance.order_finance(a.header().id).await),
        ("200.00", "200.00", "0.00")
    );
    assert_eq!(
        owed(&w.finance.order_finance(b.header().id).await),
        ("100.00", "50.00", "50.00")
    );

    // More than is open: the rest stays on account…
    let second = w.finance.send(payment(c, "2026-10-15", "80", &[])).await;
    assert_eq!(
        allocated(&second),
        (vec![(b_no.clone(), "50.00".into())], "30.00".into())
    );
    // …and pays the next shipment.
    let (next, _) = w.shipped_on(c, "2026-10-20", 20).await; // 40.00
    let next_money = w.finance.order_finance(next.header().id).await;
    assert_eq!(owed(&next_money), ("40.00", "30.00", "10.00"));
    // Each order lists the payments that paid it, with their part: b by both, the next
    // by the credit the second left on account.
    let paid_by = |o: &pb::OrderFinance| -> Vec<(String, String, bool)> {
        (o.payments.iter())
            .map(|p| (p.number.clone(), p.amount.clone(), p.reversed))
            .collect()
    };
    assert_eq!(
        paid_by(&w.finance.order_finance(b.header().id).await),
        [
            (first.number.clone(), "50.00".to_owned(), false),
            (second.number.clone(), "50.00".to_owned(), false)
        ]
    );
    assert_eq!(
        paid_by(&next_money),
        [(second.number.clone(), "30.00".to_owned(), false)]
    );
    let payments = w
        .finance
        .send(pb::ListPaymentsRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await;
    assert_eq!(payments.total, 2);
    assert_eq!(payments.total_amount, "330.00");
    let second = payments
        .payments
        .iter()
        .find(|p| p.id == second.id)
        .expect("listed");
    assert_eq!(second.unallocated, "0.00");

    // The statement: every movement with a running balance; settlements do not show.
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-10-31"))
        .await;
    let cs = &s.customers[0];
    let rows: Vec<(&str, pb::MovementKind, &str, &str, &str)> = cs
        .rows
        .iter()
        .map(|r| {
            (
                r.date.as_str(),
                r.kind(),
                r.debit.as_str(),
                r.credit.as_str(),
                r.balance.as_str(),
            )
        })
        .collect();
    use pb::MovementKind::{Payment, Shipment};
    assert_eq!(
        rows,
        [
            ("2026-09-01", Shipment, "200.00", "0.00", "200.00"),
            ("2026-09-10", Shipment, "100.00", "0.00", "300.00"),
            ("2026-10-15", Payment, "0.00", "250.00", "50.00"),
            ("2026-10-15", Payment, "0.00", "80.00", "-30.00"),
            ("2026-10-20", Shipment, "40.00", "0.00", "10.00"),
        ]
    );
    assert_eq!(
        (
            cs.opening.as_str(),
            cs.debits.as_str(),
            cs.credits.as_str(),
            cs.closing.as_str()
        ),
        ("0.00", "340.00", "330.00", "10.00")
    );
    assert_eq!(cs.rows[0].order_number, a_no);
    assert_eq!(cs.rows[0].due_date, "2026-10-01");
    // October alone opens with September's 300.00 and closes the same.
    let oct = w
        .finance
        .send(statement(c, "2026-10-01", "2026-10-31"))
        .await;
    assert_eq!(
        (
            oct.customers[0].opening.as_str(),
            oct.customers[0].closing.as_str(),
            oct.closing.as_str()
        ),
        ("300.00", "10.00", "10.00")
    );
    // Every document here is the rep's: filtered by handler (summed from the whole
    // ledger) the statement is the same as unfiltered (from the kept balances).
    let by_handler = w
        .finance
        .send(pb::StatementRequest {
            handler_id: Some(w.rep.id),
            ..statement(c, "2026-10-01", "2026-10-31")
        })
        .await;
    assert_eq!(by_handler.customers, oct.customers);
    assert_ledger_sums_are_kept(&w.app);
}

/// The rows of sheet `name` of the workbook `content`, as read back.
pub(crate) fn sheet_rows(content: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(content.to_vec())).expect("xlsx");
    let sheet = book.worksheet_range(name).expect(name);
    sheet.rows().map(<[calamine::Data]>::to_vec).collect()
}

/// The kept balance of every shipment is the sum of its ledger entries, each customer's
/// kept summary the sum of its open shipments with the oldest due date, and what it holds
/// on account the (negated) sum of its entries without a shipment.
fn assert_ledger_sums_are_kept(app: &TestApp) {
    use diesel::RunQueryDsl;
    let drift = diesel::sql_query(
        "SELECT count(*) AS count
           FROM receivable_balances b
           FULL JOIN (SELECT shipment_id, sum(amount) AS total FROM receivable_entries
                       WHERE shipment_id IS NOT NULL GROUP BY shipment_id) l USING (shipment_id)
          WHERE b.outstanding IS DISTINCT FROM l.total",
    )
    .get_result::<pharmacrm_server::db::sql::Count>(&mut app.sql())
    .expect("compare")
    .count;
    assert_eq!(drift, 0, "receivable_balances differs from the ledger");
    let drift = diesel::sql_query(
        "SELECT count(*) AS count
           FROM customer_receivables c
           FULL JOIN (SELECT customer_id, sum(outstanding) AS total,
                             min(due_date) FILTER (WHERE outstanding > 0) AS oldest
                        FROM receivable_balances WHERE outstanding <> 0
                       GROUP BY customer_id) b USING (customer_id)
          WHERE coalesce(c.outstanding, 0) IS DISTINCT FROM coalesce(b.total, 0)
             OR c.oldest_due IS DISTINCT FROM b.oldest",
    )
    .get_result::<pharmacrm_server::db::sql::Count>(&mut app.sql())
    .expect("compare")
    .count;
    assert_eq!(
        drift, 0,
        "customer_receivables differs from the open balances"
    );
    let drift = diesel::sql_query(
        "SELECT count(*) AS count
           FROM customer_receivables c
           FULL JOIN (SELECT customer_id, -sum(amount) AS total FROM receivable_entries
                       WHERE shipment_id IS NULL GROUP BY customer_id) a USING (customer_id)
          WHERE coalesce(c.on_account, 0) IS DISTINCT FROM coalesce(a.total, 0)",
    )
    .get_result::<pharmacrm_server::db::sql::Count>(&mut app.sql())
    .expect("compare")
    .count;
    assert_eq!(
        drift, 0,
        "customer_receivables.on_account differs from the ledger"
    );
}

#[tokio::test]
async fn an_orders_money_is_read_by_finance_and_the_collecting_rep_not_by_customer_service() {
    let mut w = world().await;
    let (order, _) = w.shipped_on(w.customer.id, "2026-09-01", 10).await;
    let request = pb::GetOrderFinanceRequest {
        order_id: order.header().id,
    };
    for who in [&mut w.finance, &mut w.rep] {
        let money = who.send(request).await;
        assert_eq!(money.outstanding, "20.00");
    }
    // The CS rep who shipped it reads the order (its amounts), not what is paid on it,
    // there or in a search.
    let read = w.cs.reload(&order).await;
    assert_eq!(read.header().total, "20.00");
    let found = w.cs.orders_where(pb::SearchOrdersRequest::default()).await;
    for seen in [read.header(), &found[0]] {
        assert_eq!(
            (seen.outstanding.as_str(), seen.not_invoiced.as_str()),
            ("", "")
        );
        assert!(seen.not_invoiced_by_entity.is_empty());
    }
    assert_eq!(w.rep.reload(&order).await.header().outstanding, "20.00");
    // A clerk who records payments sees what is open on the orders they put money on.
    PositionBuilder::new("回款录入")
        .granting(&["order.read", "finance.payment.write"])
        .scope(pb::DataScope::All)
        .create(&mut w.app.admin().await)
        .await;
    let mut clerk = w
        .app
        .user_with_positions("clerk", &["回款录入"], None)
        .await;
    let found = clerk.orders_where(pb::SearchOrdersRequest::default()).await;
    assert_eq!(found[0].outstanding, "20.00");
    assert_eq!(clerk.send(request).await.outstanding, "20.00");
    let status =
        w.cs.finance
            .get_order_finance(request)
            .await
            .expect_err("a 客服 holds neither finance.read nor finance.arrears.read");
    assert_eq!(status.code(), Code::PermissionDenied);
}

/// The rep who collects a customer's arrears lists its payments and invoices (its record's
/// 回款记录 and 开票记录: requirement (2) 12–13), within their scope: another rep finds none
/// of them, and a 客服 none at all.
#[tokio::test]
async fn the_collecting_rep_lists_their_customers_payments_and_invoices() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 10).await;
    w.finance.send(payment(c, "2026-09-01", "20", &[])).await;
    w.finance
        .send(blue_invoice(
            c,
            w.entity.id,
            (order.header().id, "20"),
            "12345678",
        ))
        .await;
    let payments = pb::ListPaymentsRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    let invoices = pb::ListInvoicesRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    let listed = w.rep.send(payments.clone()).await;
    assert_eq!((listed.total, listed.total_amount.as_str()), (1, "20.00"));
    assert_eq!(w.rep.send(invoices.clone()).await.total, 1);
    // Another rep's scope holds none of them; named, the customer is not theirs to see
    // (as the write-offs and the exports say), nor is the order.
    let mut other = w.app.person("rep-b", &["营销员"], None).await;
    other
        .try_send(payments.clone())
        .await
        .refused(Code::NotFound);
    other
        .try_send(invoices.clone())
        .await
        .refused(Code::NotFound);
    other
        .try_send(pb::ListInvoicesRequest {
            order_id: Some(order.header().id),
            ..Default::default()
        })
        .await
        .refused(Code::NotFound);
    assert_eq!(
        other.send(pb::ListInvoicesRequest::default()).await.total,
        0
    );
    assert_eq!(
        other.send(pb::ListPaymentsRequest::default()).await.total,
        0
    );
    // The CS rep neither collects nor reads finance.
    let status =
        w.cs.finance
            .list_payments(payments)
            .await
            .expect_err("a 客服 holds neither finance.read nor finance.arrears.read");
    assert_eq!(status.code(), Code::PermissionDenied);
}

/// A clerk holding a bank slip or a paper invoice finds its record by any part of the
/// number on it: a payment by its number or its bank reference (凭证号) in any case, an
/// invoice by its number; `%` and `_` are characters, not wildcards.
#[tokio::test]
async fn payments_and_invoices_are_found_by_any_part_of_their_number() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 100).await;
    let first = w.finance.send(payment(c, "2026-09-01", "20", &[])).await;
    let second = w
        .finance
        .send(pb::RecordPaymentRequest {
            reference: "CCB-7788".into(),
            ..payment(c, "2026-09-01", "30", &[])
        })
        .await;
    for (number, amount) in [("04419001", "20"), ("04419002", "30")] {
        w.finance
            .send(blue_invoice(
                c,
                w.entity.id,
                (order.header().id, amount),
                number,
            ))
            .await;
    }
    let payments = |number: &str| pb::ListPaymentsRequest {
        number: number.into(),
        ..Default::default()
    };
    let found = |listed: pb::ListPaymentsResponse| {
        let numbers: Vec<String> = listed.payments.into_iter().map(|p| p.number).collect();
        numbers
    };
    // The tail of a number, as read off the slip.
    let tail = &second.number[second.number.len() - 6..];
    assert_eq!(
        found(w.finance.send(payments(tail)).await),
        [second.number.as_str()]
    );
    // Read aloud in groups, typed with spaces.
    let grouped = format!("{} {}", &second.number[..6], &second.number[6..]);
    assert_eq!(
        found(w.finance.send(payments(&grouped)).await),
        [second.number.as_str()]
    );
    // A reference, typed in lower case; the sum is of what was found.
    let by_reference = w.finance.send(payments("ccb-77")).await;
    assert_eq!(
        (by_reference.total, by_reference.total_amount.as_str()),
        (1, "30.00")
    );
    assert_eq!(
        found(w.finance.send(payments("icbc")).await),
        [first.number.as_str()]
    );
    assert_eq!(w.finance.send(payments("%")).await.total, 0);
    assert_eq!(w.finance.send(payments("  ")).await.total, 2);
    let invoices = |number: &str| pb::ListInvoicesRequest {
        number: number.into(),
        ..Default::default()
    };
    let listed = w.finance.send(invoices("9002")).await;
    assert_eq!(
        listed
            .invoices
            .iter()
            .map(|i| (i.number.as_str(), i.amount.as_str()))
            .collect::<Vec<_>>(),
        [("04419002", "30.00")]
    );
    assert_eq!(w.finance.send(invoices("0441")).await.total, 2);
    assert_eq!(w.finance.send(invoices("_")).await.total, 0);
    // Within the scope as ever: another rep finds none by number.
    let mut other = w.app.person("rep-b", &["营销员"], None).await;
    assert_eq!(other.send(payments("ICBC")).await.total, 0);
    assert_eq!(other.send(invoices("0441")).await.total, 0);
}

#[tokio::test]
async fn picked_orders_are_paid_first_and_over_allocation_is_refused_with_the_amounts() {
    let mut w = world().await;
    let c = w.customer.id;
    let (a, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let (b, _) = w.shipped_on(c, "2026-09-02", 50).await; // 100.00
    let p = w
        .finance
        .send(payment(c, "2026-09-02", "100", &[(b.header().id, "100")]))
        .await;
    assert_eq!(
        allocated(&p).0,
        [(b.header().number.clone(), "100.00".into())]
    );
    assert_eq!(
        owed(&w.finance.order_finance(a.header().id).await).2,
        "200.00"
    );
    assert_eq!(
        owed(&w.finance.order_finance(b.header().id).await).2,
        "0.00"
    );

    let refused = w
        .finance
        .try_send(payment(c, "2026-09-02", "500", &[(a.header().id, "300")]))
        .await
        .refused(Code::FailedPrecondition);
    // Named on the row, so the form shows it there.
    assert_eq!(bad_fields(&refused), ["allocations[0].amount"]);
    assert_zh_contains(&refused, &a.header().number);
    assert_zh_contains(&refused, "300.00");
    assert_zh_contains(&refused, "200.00");
    let refused = w
        .finance
        .try_send(payment(c, "2026-09-02", "50", &[(a.header().id, "60")]))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["allocations"]);
    // One order on two lines is said, not added together.
    let a_id = a.header().id;
    let refused = w
        .finance
        .try_send(payment(
            c,
            "2026-09-02",
            "50",
            &[(a_id, "10"), (a_id, "20")],
        ))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["allocations[1].order_id"]);
    assert_zh_contains(&refused, "该订单已在前面一行列出");
    let refused = w
        .finance
        .try_send(payment(c, "2026-09-02", "-5", &[]))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["amount"]);
    let refused = w
        .finance
        .try_send(payment(c, "2026-09-03", "5", &[]))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["payment_date"]);
    // A date after today is said with the other bad fields, in one answer.
    let refused = w
        .finance
        .try_send(payment(c, "2026-09-03", "5.555", &[]))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(sorted_bad_fields(&refused), ["amount", "payment_date"]);
    // A year typed wrong (0001, 1926 for 2026) would date the money before every order.
    w.finance
        .try_send(payment(c, "0001-01-01", "5", &[]))
        .await
        .refused_on(
            Code::InvalidArgument,
            &["payment_date"],
            "不能早于 2000-01-01",
        );
    // Nothing was recorded by the refusals.
    let listed = w
        .finance
        .send(pb::ListPaymentsRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await;
    assert_eq!(listed.total, 1);
    // An order of 08-31 keyed after the others: a payment's allocations are listed by
    // order, oldest first, whatever order the shipments were keyed in.
    let (older, _) = w.shipped_on(c, "2026-08-31", 10).await; // 20.00
    w.app.pin_clock("2026-09-02T10:00:00+08:00");
    let p = w
        .finance
        .send(pb::RecordPaymentRequest {
            reference: "ICBC-0002".into(),
            ..payment(c, "2026-09-02", "30", &[])
        })
        .await;
    assert_eq!(
        allocated(&p).0,
        [
            (older.header().number.clone(), "20.00".into()),
            (a.header().number.clone(), "10.00".into())
        ]
    );
}

#[tokio::test]
async fn one_bank_receipt_keyed_twice_is_refused_until_confirmed_as_another_payment() {
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    let keyed =
        |customer: i64, date: &str, amount: &str, reference: &str| pb::RecordPaymentRequest {
            reference: reference.into(),
            ..payment(customer, date, amount, &[])
        };
    const SLIP: &str = "ICBC 20260920-17";
    let first = w.finance.send(keyed(c, "2026-09-20", "80", SLIP)).await;

    // The same date, amount and reference again, however the reference is typed: refused
    // naming the first, nothing saved.
    let refused = w
        .finance
        .try_send(keyed(c, "2026-09-20", "80.00", "icbc20260920-17"))
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["confirm_not_duplicate"],
            &first.number,
        );
    assert_zh_contains(&refused, "可能是重复登记");
    let listed = pb::ListPaymentsRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    assert_eq!(w.finance.send(listed.clone()).await.total, 1);
    // Typed full-width by a Chinese input method, it is the same reference.
    let refused = w
        .finance
        .try_send(keyed(
            c,
            "2026-09-20",
            "80",
            "ＩＣＢＣ　２０２６０９２０－１７",
        ))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["confirm_not_duplicate"]);

    // The same bank reference with another date or amount (a mistyped amount): a bank
    // receipt is one payment, so it is questioned too, naming the reference.
    for (date, amount) in [("2026-09-19", "80"), ("2026-09-20", "800")] {
        let refused = w
            .finance
            .try_send(keyed(c, date, amount, SLIP))
            .await
            .refused(Code::FailedPrecondition);
        assert_eq!(bad_fields(&refused), ["confirm_not_duplicate"]);
        assert_zh_contains(
            &refused,
            &format!("凭证号 {SLIP} 已用于回款 {}", first.number),
        );
    }
    // The list finds it by any part of the reference, however that is typed.
    for part in ["20260920-17", "icbc2026", "ＩＣＢＣ　２０２６", "0920 - 17"] {
        let found = w
            .finance
            .send(pb::ListPaymentsRequest {
                number: part.into(),
                ..Default::default()
            })
            .await;
        let numbers: Vec<&str> = found.payments.iter().map(|p| p.number.as_str()).collect();
        assert_eq!(numbers, [first.number.as_str()], "{part}");
    }
    // Another reference is another payment; without one, another date or amount is too.
    w.finance
        .send(keyed(c, "2026-09-20", "80", "ICBC 20260920-18"))
        .await;
    w.finance.send(keyed(c, "2026-09-19", "80", "")).await;
    w.finance.send(keyed(c, "2026-09-20", "80.01", "")).await;

    // Confirmed as a second, real payment, it is recorded and allocated as any other.
    let confirmed = w
        .finance
        .send(pb::RecordPaymentRequest {
            confirm_not_duplicate: true,
            ..keyed(c, "2026-09-20", "80", SLIP)
        })
        .await;
    assert_ne!(confirmed.number, first.number);
    assert_eq!(w.finance.send(listed).await.total, 5);
    // Keyed a third time, the refusal names both on record.
    let refused = w
        .finance
        .try_send(keyed(c, "2026-09-20", "80", SLIP))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(
        &refused,
        &format!(
            "回款 {}、{}（2026-09-20，80.00）",
            first.number, confirmed.number
        ),
    );
    assert_message_contains(
        &refused,
        &format!("{}, {} (2026-09-20, 80.00)", first.number, confirmed.number),
    );

    // A reversed payment is no longer on record: keying it again is not refused.
    w.finance
        .send(reversing(&first, "重复登记", "2026-09-20"))
        .await;
    w.finance
        .send(reversing(&confirmed, "重复登记", "2026-09-20"))
        .await;
    let again = w.finance.send(keyed(c, "2026-09-20", "80", SLIP)).await;

    // The same receipt keyed to another customer: refused naming it by number (the other
    // customer's name is not said), recorded once confirmed; without a reference, two
    // customers' payments alike are not questioned.
    let other = CustomerBuilder::new("康民大药房")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let refused = w
        .finance
        .try_send(keyed(other.id, "2026-09-20", "80", SLIP))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["confirm_not_duplicate"]);
    assert_zh_contains(
        &refused,
        &format!("另一客户的回款 {}（2026-09-20，80.00）", again.number),
    );
    // With another amount too, the reference is said to be another customer's.
    let refused = w
        .finance
        .try_send(keyed(other.id, "2026-09-20", "81", SLIP))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(
        &refused,
        &format!("凭证号 {SLIP} 已用于另一客户的回款 {}", again.number),
    );
    let others = w
        .finance
        .send(pb::RecordPaymentRequest {
            confirm_not_duplicate: true,
            ..keyed(other.id, "2026-09-20", "80", SLIP)
        })
        .await;
    w.finance
        .send(keyed(other.id, "2026-09-20", "80", ""))
        .await;
    w.finance.send(keyed(c, "2026-09-20", "80", "")).await;
    // Keyed to the other customer once more with another amount: both on record named.
    let refused = w
        .finance
        .try_send(keyed(other.id, "2026-09-18", "81", SLIP))
        .await;
    assert_zh_contains(
        &refused.refused(Code::FailedPrecondition),
        &format!("已用于回款 {}、{}", again.number, others.number),
    );
    assert_ledger_sums_are_kept(&w.app);
}

/// A bank feed that sends a payment again because its answer never came, with the
/// request's ID, gets the payment the first recorded: not questioned as a duplicate, not
/// recorded twice, even racing the first. The ID with another request is refused naming
/// that payment.
#[tokio::test]
async fn a_payment_sent_again_with_its_request_id_is_recorded_once() {
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    let request = pb::RecordPaymentRequest {
        request_id: "bank-feed-20260920-000017".into(),
        ..payment(c, "2026-09-20", "80", &[])
    };
    let feeds = vec![
        w.finance.finance.clone(),
        w.app.session_of("fin").await.finance,
    ];
    let sent = request.clone();
    let answers = at_once(
        feeds,
        |mut feed| async move { feed.record_payment(sent).await },
    )
    .await;
    let mut numbers = std::collections::BTreeSet::new();
    for answer in answers {
        numbers.insert(answer.expect("recorded or found").into_inner().number);
    }
    // And again later, the amount written as the bank feed formats it: the same 80.
    let again = pb::RecordPaymentRequest {
        amount: "80.00".into(),
        ..request.clone()
    };
    numbers.insert(w.finance.send(again).await.number);
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    let listed = pb::ListPaymentsRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    assert_eq!(w.finance.send(listed).await.total, 1);

    // The ID with another amount is not that payment.
    let refused = w
        .finance
        .try_send(pb::RecordPaymentRequest {
            amount: "800".into(),
            ..request.clone()
        })
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&refused), ["request_id"]);
    let number = numbers.first().expect("one");
    assert_zh_contains(&refused, &format!("该请求编号已用于回款 {number}"));
    assert_ledger_sums_are_kept(&w.app);
}

#[tokio::test]
async fn a_balance_past_the_largest_amount_kept_is_refused_not_an_internal_error() {
    let mut w = world().await;
    let c = w.customer.id;
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    let largest = "999999999999.99";
    w.finance.send(payment(c, "2026-09-20", largest, &[])).await;
    // Each amount is within bounds; the customer's balance on account would not be.
    let refused = w
        .finance
        .try_send(payment(c, "2026-09-20", largest, &[]))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "超过系统可记录的上限");
    assert_eq!(bad_fields(&refused), ["amount"], "the amount is at fault");
    let listed = pb::ListPaymentsRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    assert_eq!(w.finance.send(listed).await.total, 1, "nothing half saved");
    assert_ledger_sums_are_kept(&w.app);
}

#[tokio::test]
async fn a_payments_handler_is_a_person_at_work() {
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 100).await;
    w.app.pin_clock("2026-09-02T10:00:00+08:00");
    let by = |handler: i64| pb::RecordPaymentRequest {
        handler_id: handler,
        ..payment(c, "2026-09-02", "10", &[])
    };
    w.finance.send(by(w.rep.id)).await;
    // A user who has left (disabled) collected nothing, nor did a service account
    // (another system signing in with a token).
    let leaver = w.app.person("leaver", &["营销员"], None).await;
    let mut admin = w.app.admin().await;
    let user = admin.user_by_id(leaver.id).await;
    admin.disable_user(&user).await.expect("disabled");
    let sales = admin.position("营销员").await;
    let account = ServiceAccountBuilder::new("erp-sync", "ERP 同步", &[sales.id])
        .create(&mut admin)
        .await;
    // Nor the administrator account, which keeps the system (the lists do not offer it).
    let administrator = admin.user().await;
    for handler in [user.id, account.id, administrator.id] {
        w.finance
            .try_send(pb::RecordPaymentRequest {
                reference: format!("HANDLER-{handler}"),
                ..by(handler)
            })
            .await
            .refused_on(
                Code::InvalidArgument,
                &["handler_id"],
                "请选择在职人员作为经手人",
            );
    }
}

#[tokio::test]
async fn ageing_puts_each_due_date_in_its_bucket_and_ignores_later_payments() {
    let mut w = world().await;
    let customer = w.due_on_shipping().await;
    let c = customer.id;
    // As of 2026-12-31: days overdue 0, 1, 30, 31, 60, 61, 90, 91; units 1, 2, 4, … so
    // each bucket's sum names exactly which shipments fell in it.
    for (day, units) in [
        ("2026-12-31", 1),   // 0 days: not yet due
        ("2026-12-30", 2),   // 1: 1–30
        ("2026-12-01", 4),   // 30: 1–30
        ("2026-11-30", 8),   // 31: 31–60
        ("2026-11-01", 16),  // 60: 31–60
        ("2026-10-31", 32),  // 61: 61–90
        ("2026-10-02", 64),  // 90: 61–90
        ("2026-10-01", 128), // 91: over 90
    ] {
        w.shipped_on(c, day, units).await;
    }
    w.app.pin_clock("2026-12-31T10:00:00+08:00");
    let s = w
        .finance
        .send(statement(c, "2026-10-01", "2026-12-31"))
        .await;
    let a = s.customers[0].ageing.clone().expect("ageing");
    assert_eq!(
        (
            a.not_due.as_str(),
            a.days_1_to_30.as_str(),
            a.days_31_to_60.as_str(),
            a.days_61_to_90.as_str(),
            a.over_90_days.as_str(),
            a.outstanding.as_str()
        ),
        ("2.00", "12.00", "48.00", "192.00", "256.00", "510.00")
    );
    assert_eq!(a.outstanding, s.customers[0].closing);

    // A payment dated the next day pays the oldest, but not as of 2026-12-31.
    w.app.pin_clock("2027-01-01T10:00:00+08:00");
    w.finance.send(payment(c, "2027-01-01", "300", &[])).await;
    let again = w
        .finance
        .send(statement(c, "2026-10-01", "2026-12-31"))
        .await;
    assert_eq!(again.customers[0].ageing, s.customers[0].ageing);
    let later = w
        .finance
        .send(statement(c, "2026-10-01", "2027-01-01"))
        .await;
    let a = later.customers[0].ageing.clone().expect("ageing");
    // A day later the 90-day shipment (128.00) is over 90 too; the 300 paid the oldest,
    // 256.00, then 44.00 of it. The 61–90 bucket now holds the 61- and 62-day ones.
    assert_eq!(
        (
            a.over_90_days.as_str(),
            a.days_61_to_90.as_str(),
            a.outstanding.as_str()
        ),
        ("84.00", "96.00", "210.00")
    );
    // A statement asked through a later day (this quarter's, on its first day) ages as of
    // today: nothing is called overdue that is not yet.
    let quarter = w
        .finance
        .send(statement(c, "2026-10-01", "2027-03-31"))
        .await;
    let a = quarter.customers[0].ageing.clone().expect("ageing");
    assert_eq!(a.as_of, "2027-01-01");
    assert_eq!(quarter.customers[0].ageing, later.customers[0].ageing);
}

#[tokio::test]
async fn a_line_shipped_or_deducted_in_parts_is_charged_its_amount_to_the_cent() {
    let mut w = world().await;
    let c = w.customer.id;
    // 3 × 12.345 = 37.035 → 37.04, shipped one unit at a time: each shipment charges what
    // the line's rounded amount grows by, not 12.35 three times (37.05).
    let order = OrderBuilder::new(c)
        .line(w.drug.id, 3, "12.345")
        .place(&mut w.rep)
        .await;
    assert_eq!(order.header().total, "37.04");
    let mut charged = Vec::new();
    for batch in ["B1", "B2", "B3"] {
        let order = w.cs.reload(&order).await;
        let shipment = ShipmentBuilder::of(&order)
            .line(&order.lines[0], 1, batch)
            .create(&mut w.cs)
            .await;
        charged.push(shipment.amount);
    }
    assert_eq!(charged, ["12.35", "12.34", "12.35"]);
    let money = w.finance.order_finance(order.header().id).await;
    assert_eq!(
        (money.shipped.as_str(), money.outstanding.as_str()),
        ("37.04", "37.04"),
        "the order, shipped whole, owes its total"
    );
    // The unit charged 12.34 is damaged and reshipped, and the replacement is lost: the
    // lost unit is worth the 12.34 its shipment was charged, not 12.35, so deducting it
    // leaves that shipment owing 0.00, not −0.01.
    let second =
        w.cs.reload(&order)
            .await
            .shipments
            .into_iter()
            .find(|s| s.amount == "12.34")
            .expect("the shipment charged 12.34");
    let damaged =
        w.cs.reported_first(&second, pb::ExceptionKind::Damaged, 1)
            .await;
    assert_eq!(damaged.value, "12.34");
    let decided = w.rep.decide_reship(&damaged).await.expect("reship");
    let replacement =
        w.cs.ship_replacement(&decided, "2026-09-01", "B2R")
            .await
            .expect("reshipped");
    let lost =
        w.cs.reported_first(&replacement, pb::ExceptionKind::Lost, 1)
            .await;
    assert_eq!(lost.value, "12.34");
    w.rep.deduct(&lost).await.expect("deducted");
    let money = w.finance.order_finance(order.header().id).await;
    assert_eq!(
        (money.deducted.as_str(), money.outstanding.as_str()),
        ("12.34", "24.70")
    );
    assert_ledger_sums_are_kept(&w.app);

    // 4 × 12.345 = 49.38 shipped whole, then damaged one unit at a time and each deducted:
    // the deductions come to the 49.38 charged, not 4 × 12.35 = 49.40.
    let order = OrderBuilder::new(c)
        .line(w.drug.id, 4, "12.345")
        .place(&mut w.rep)
        .await;
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B4")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.amount, "49.38");
    let mut values = Vec::new();
    for _ in 0..4 {
        let damaged =
            w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
                .await;
        values.push(damaged.value.clone());
        w.rep.deduct(&damaged).await.expect("deducted");
    }
    assert_eq!(values, ["12.35", "12.34", "12.35", "12.34"]);
    let money = w.finance.order_finance(order.header().id).await;
    assert_eq!(
        (
            money.deducted.as_str(),
            money.net.as_str(),
            money.outstanding.as_str()
        ),
        ("49.38", "0.00", "0.00"),
        "every unit deducted, nothing is owed and nothing is owed back"
    );
}

#[tokio::test]
async fn a_deduction_lowers_what_is_owed_a_replacement_does_not() {
    let mut w = world().await;
    let c = w.customer.id;
    let (deducted, shipment) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 2)
            .await;
    w.rep.deduct(&damaged).await.expect("deducted");
    assert_eq!(
        owed(&w.finance.order_finance(deducted.header().id).await),
        ("16.00", "0.00", "16.00")
    );

    let (reshipped, shipment) = w.shipped_on(c, "2026-09-01", 10).await;
    let lost =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Lost, 3)
            .await;
    let decided = w.rep.decide_reship(&lost).await.expect("reship");
    w.cs.ship_replacement(&decided, "2026-09-01", "B2")
        .await
        .expect("reshipped");
    let money = w.finance.order_finance(reshipped.header().id).await;
    assert_eq!(
        (money.shipped.as_str(), money.deducted.as_str()),
        ("20.00", "0.00")
    );
    assert_eq!(owed(&money), ("20.00", "0.00", "20.00"));

    // A deduction on a paid shipment puts the money back on account, where it pays the
    // customer's other open shipment.
    let paid = w
        .finance
        .send(payment(
            c,
            "2026-09-01",
            "16",
            &[(deducted.header().id, "16")],
        ))
        .await;
    let (third, shipment) = w.shipped_on(c, "2026-09-01", 5).await; // 10.00
    let short =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Short, 1)
            .await;
    w.finance
        .send(payment(c, "2026-09-01", "10", &[(third.header().id, "10")]))
        .await;
    w.rep.deduct(&short).await.expect("deducted");
    // 2.00 of the 10.00 paid on the third order went to the reshipped one.
    assert_eq!(
        owed(&w.finance.order_finance(third.header().id).await),
        ("8.00", "8.00", "0.00")
    );
    assert_eq!(
        owed(&w.finance.order_finance(reshipped.header().id).await).2,
        "18.00"
    );
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-09-30"))
        .await;
    let deductions: Vec<&str> = s.customers[0]
        .rows
        .iter()
        .filter(|r| r.kind() == pb::MovementKind::Deduction)
        .map(|r| r.credit.as_str())
        .collect();
    assert_eq!(deductions, ["4.00", "2.00"]);
    // 20 + 20 + 10 − 4 − 2 − 16 − 10.
    assert_eq!(s.closing, "18.00");
    drop(paid);
    assert_ledger_sums_are_kept(&w.app);
}

#[tokio::test]
async fn a_reconciled_period_is_locked_and_corrections_go_in_dated_later() {
    let mut w = world().await;
    let c = w.customer.id;
    let (goods, _) = w.shipped_on(c, "2026-10-10", 100).await; // 200.00
    w.app.pin_clock("2026-10-20T10:00:00+08:00");
    let wrong = w.finance.send(payment(c, "2026-10-20", "150", &[])).await;
    let unshipped = OrderBuilder::new(c)
        .line(w.drug.id, 1, "")
        .place(&mut w.rep)
        .await;
    let free = OrderBuilder::new(c)
        .line(w.drug.id, 1, "0")
        .place(&mut w.rep)
        .await;
    w.app.pin_clock("2026-11-05T10:00:00+08:00");

    let october = w
        .finance
        .send(statement(c, "2026-10-01", "2026-10-31"))
        .await;
    assert_eq!(october.closing, "50.00");
    let reconcile = |closing: &str| pb::ReconcileRequest {
        customer_id: c,
        date_from: "2026-10-01".into(),
        date_to: "2026-10-31".into(),
        closing_balance: closing.into(),
        note: "客户已盖章确认".into(),
    };
    w.finance.try_send(reconcile("60.00")).await.refused_on(
        Code::FailedPrecondition,
        &["closing_balance"],
        "期末余额为 50.00，不是 60.00",
    );
    w.finance.send(reconcile("50.00")).await;
    // Only finance reconciles.
    w.rep
        .try_send(reconcile("50.00"))
        .await
        .refused(Code::PermissionDenied);

    // Nothing can be dated inside October any more…
    w.finance
        .try_send(payment(c, "2026-10-31", "10", &[]))
        .await
        .refused_on(Code::FailedPrecondition, &["payment_date"], "已对账");
    let reverse = |date: &str| reversing(&wrong, "金额录错", date);
    let refused = w
        .finance
        .try_send(reverse("2026-10-25"))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["reversal_date"]);
    // Goods, and free goods too (they would change October's drug sales).
    for order in [&unshipped, &free] {
        let refused = ShipmentBuilder::of(order)
            .everything_left("B9")
            .on("2026-10-30")
            .try_create(&mut w.cs)
            .await
            .refused(Code::FailedPrecondition);
        assert_eq!(bad_fields(&refused), ["shipment.ship_date"]);
    }
    // …so the mistake is reversed in November, and October still reads the same.
    let reversed = w.finance.send(reverse("2026-11-05")).await;
    assert!(reversed.reversed);
    assert_eq!(
        reversed.reversed_by, reversed.created_by,
        "who reversed it: the finance user who recorded it"
    );
    assert!(!reversed.reversed_by.is_empty());
    assert!(reversed.reversed_at.is_some(), "and when");
    // Where its money had gone still shows: all 150.00 on the October shipment.
    let allocated: Vec<&str> = reversed
        .allocations
        .iter()
        .map(|a| a.amount.as_str())
        .collect();
    assert_eq!(
        (allocated, reversed.unallocated.as_str()),
        (vec!["150.00"], "0.00")
    );
    // The order lists it still, with what it had paid, reversed: it pays nothing now.
    let money = w.finance.order_finance(goods.header().id).await;
    let listed: Vec<(&str, &str, bool)> = (money.payments.iter())
        .map(|p| (p.number.as_str(), p.amount.as_str(), p.reversed))
        .collect();
    assert_eq!(listed, [(wrong.number.as_str(), "150.00", true)]);
    assert_eq!(money.paid, "0.00");
    // Once only: sent again (its answer lost), it is told so by number, not that someone
    // changed the payment.
    let again = w
        .finance
        .try_send(reverse("2026-11-05"))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&again, &wrong.number);
    let again = w
        .finance
        .send(statement(c, "2026-10-01", "2026-10-31"))
        .await;
    assert_eq!(again.customers[0].rows, october.customers[0].rows);
    let november = w
        .finance
        .send(statement(c, "2026-11-01", "2026-11-30"))
        .await;
    let n = &november.customers[0];
    assert_eq!(n.opening, "50.00");
    assert_eq!(n.rows.len(), 1);
    assert_eq!(
        (
            n.rows[0].kind(),
            n.rows[0].debit.as_str(),
            n.closing.as_str()
        ),
        (pb::MovementKind::Reversal, "150.00", "200.00")
    );
    assert_eq!(n.reconciled_through, "2026-10-31");
    // The next period starts where October ended: no day is left out.
    let gap = pb::ReconcileRequest {
        date_from: "2026-11-02".into(),
        date_to: "2026-11-04".into(),
        ..reconcile("200.00")
    };
    let refused = w
        .finance
        .try_send(gap)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "2026-11-01");
    assert_eq!(bad_fields(&refused), ["date_from"]);
    // A day is reconciled once it is over: today (5 November) may still take a payment, a
    // shipment or a deduction, which the reconciled period would then refuse.
    let through_today = pb::ReconcileRequest {
        date_from: "2026-11-01".into(),
        date_to: "2026-11-05".into(),
        ..reconcile("200.00")
    };
    w.finance.try_send(through_today).await.refused_on(
        Code::InvalidArgument,
        &["date_to"],
        "早于今天",
    );
    let through_yesterday = pb::ReconcileRequest {
        date_from: "2026-11-01".into(),
        date_to: "2026-11-04".into(),
        ..reconcile("50.00")
    };
    w.finance.send(through_yesterday).await;
    // A reversed period is named with the request's other bad fields.
    let reversed = pb::ReconcileRequest {
        date_from: "2026-11-30".into(),
        date_to: "2026-11-01".into(),
        ..reconcile("二百")
    };
    assert_eq!(
        w.finance.bad_fields_of(reversed.clone()).await,
        ["date_to", "closing_balance"]
    );
    // A missing customer too: named with them, not instead of them.
    let no_customer = pb::ReconcileRequest {
        customer_id: 0,
        ..reversed.clone()
    };
    assert_eq!(
        w.finance.bad_fields_of(no_customer).await,
        ["customer_id", "date_to", "closing_balance"]
    );
    // 0 is a customer left out; a negative number is no customer's id.
    let refused = w
        .finance
        .try_send(pb::ReconcileRequest {
            customer_id: 0,
            ..reconcile("200.00")
        })
        .await
        .refused(Code::InvalidArgument);
    assert_zh_contains(&refused, "customer_id：必填");
    let refused = w
        .finance
        .try_send(pb::ReconcileRequest {
            customer_id: -5,
            ..reconcile("200.00")
        })
        .await
        .refused(Code::InvalidArgument);
    assert_zh_contains(&refused, "customer_id：不是有效的记录编号");
}

/// A period confirmed by mistake is reopened, latest first, with the reason: its days take
/// entries again and the next reconciliation starts the day after the one before it; the
/// reopening is audited; a period confirmed meanwhile by someone else is not the one
/// reopened.
#[tokio::test]
async fn a_reconciled_period_confirmed_by_mistake_is_reopened_latest_first() {
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-10-10", 100).await; // 200.00
    w.app.pin_clock("2026-11-05T10:00:00+08:00");
    let reconcile = |from: &str, to: &str| pb::ReconcileRequest {
        customer_id: c,
        date_from: from.into(),
        date_to: to.into(),
        closing_balance: "200.00".into(),
        note: String::new(),
    };
    w.finance.send(reconcile("2026-10-01", "2026-10-31")).await;
    w.finance.send(reconcile("2026-11-01", "2026-11-04")).await;
    let reopen = |through: &str, reason: &str| pb::ReopenReconciliationRequest {
        customer_id: c,
        reconciled_through: through.into(),
        reason: reason.into(),
    };

    // The statement read showed October as the latest: November's confirmation came
    // since, and is not reopened by a request about October.
    w.finance
        .try_send(reopen("2026-10-31", "期末日期选错"))
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["reconciled_through"],
            "2026-11-04",
        );
    // Why is required; only those who reconcile reopen.
    assert_eq!(
        w.finance.bad_fields_of(reopen("2026-11-04", " ")).await,
        ["reason"]
    );
    w.rep
        .try_send(reopen("2026-11-04", "期末日期选错"))
        .await
        .refused(Code::PermissionDenied);

    let reopened = w.finance.send(reopen("2026-11-04", "期末日期选错")).await;
    assert_eq!(
        (
            reopened.date_from.as_str(),
            reopened.date_to.as_str(),
            reopened.reopen_reason.as_str()
        ),
        ("2026-11-01", "2026-11-04", "期末日期选错")
    );
    assert!(reopened.reopened_at.is_some() && !reopened.reopened_by.is_empty());
    // Its days take entries again; October's still do not.
    w.finance.send(payment(c, "2026-11-03", "20", &[])).await;
    let refused = w
        .finance
        .try_send(payment(c, "2026-10-31", "20", &[]))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["payment_date"]);
    let november = w
        .finance
        .send(statement(c, "2026-11-01", "2026-11-04"))
        .await;
    assert_eq!(november.customers[0].reconciled_through, "2026-10-31");
    // The next period starts the day after the one before it: where the reopened one started.
    w.finance
        .send(pb::ReconcileRequest {
            closing_balance: "180.00".into(),
            ..reconcile("2026-11-01", "2026-11-04")
        })
        .await;

    // Reopened one after the other down to nothing; then there is nothing to reopen.
    w.finance.send(reopen("2026-11-04", "重新核对")).await;
    w.finance.send(reopen("2026-10-31", "重新核对")).await;
    w.finance.send(payment(c, "2026-10-20", "5", &[])).await;
    let refused = w
        .finance
        .try_send(reopen("2026-10-31", "重新核对"))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "没有已确认的对账期间");

    // The customer's reconciliations (对账记录): every one, the latest period first, who
    // confirmed it and who reopened it why; to finance, not to the sales rep.
    let history = w
        .finance
        .send(pb::ListReconciliationsRequest { customer_id: c })
        .await;
    let rows: Vec<(&str, &str, &str, &str)> = history
        .reconciliations
        .iter()
        .map(|r| {
            assert_eq!(r.created_by, "fin");
            (
                r.date_to.as_str(),
                r.closing_balance.as_str(),
                r.reopened_by.as_str(),
                r.reopen_reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-11-04", "180.00", "fin", "重新核对"),
            ("2026-11-04", "200.00", "fin", "期末日期选错"),
            ("2026-10-31", "200.00", "fin", "重新核对"),
        ]
    );
    w.rep
        .try_send(pb::ListReconciliationsRequest { customer_id: c })
        .await
        .refused(Code::PermissionDenied);

    // Each reopening is in the audit log with the reason, naming who reopened it.
    let mut admin = w.app.admin().await;
    let audited = admin.audit_of("reconciliation.reopen").await;
    let reasons: Vec<String> = audited
        .entries
        .iter()
        .map(|e| {
            let after: serde_json::Value = serde_json::from_str(&e.after_json).expect("json");
            let before: serde_json::Value = serde_json::from_str(&e.before_json).expect("json");
            assert!(before["reopened_at"].is_null() && after["reopened_at"].is_string());
            let by = format!("reopened_by:{}", after["reopened_by"]);
            assert!(e.names.contains_key(&by), "{by} named: {:?}", e.names);
            after["reopen_reason"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(reasons, ["重新核对", "重新核对", "期末日期选错"]);
}

/// Money paid on account that later settled a shipment is reversed no earlier than that
/// settlement: dated before it, the shipment would age as owed before it had shipped.
/// A write-off of `amount` on `shipment` for a bank charge.
fn bank_fee(shipment: &pb::Shipment, amount: &str) -> pb::WriteOffReceivableRequest {
    pb::WriteOffReceivableRequest {
        shipment_id: shipment.id,
        amount: amount.into(),
        reason_kind: pb::WriteOffReason::BankFee as i32,
        reason: "银行扣手续费 0.20 元".into(),
        request_id: String::new(),
        customer_id: None,
    }
}

#[tokio::test]
async fn finance_writes_off_what_will_not_be_paid_and_reverses_a_write_off_made_by_mistake() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, shipment) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    // The bank kept 0.20 of the transfer.
    w.finance.send(payment(c, "2026-09-01", "19.80", &[])).await;

    // Only finance writes off; the form's faults are named; never more than is owed.
    w.rep
        .try_send(bank_fee(&shipment, "0.20"))
        .await
        .refused(Code::PermissionDenied);
    pharmacrm_tests::assert_bad_fields!(w.finance, {
        pb::WriteOffReceivableRequest {
            amount: "0".into(),
            reason_kind: 0,
            reason: " ".into(),
            ..bank_fee(&shipment, "0")
        } => ["amount", "reason_kind", "reason"],
    });
    // A kind this server does not know (a newer client's) is said so, not "pick one".
    w.finance
        .try_send(pb::WriteOffReceivableRequest {
            reason_kind: 99,
            ..bank_fee(&shipment, "0.20")
        })
        .await
        .refused_on(Code::InvalidArgument, &["reason_kind"], "不是可接受的取值");
    let refused = w
        .finance
        .try_send(bank_fee(&shipment, "0.30"))
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["amount"],
            "核销金额 0.30 超过发货单",
        );
    assert_zh_contains(&refused, "的未收金额 0.20");

    let keyed = |amount: &str| pb::WriteOffReceivableRequest {
        request_id: "wo-7f3a".into(),
        ..bank_fee(&shipment, amount)
    };
    let written = w.finance.send(keyed("0.20")).await;
    // Sent again (its answer lost): the same write-off, not "nothing is owed"; the same
    // ID with another amount is another request.
    assert_eq!(w.finance.send(keyed("0.2")).await.number, written.number);
    let refused = w
        .finance
        .try_send(keyed("0.10"))
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&refused), ["request_id"]);
    assert!(
        written.number.starts_with("WO20260901-"),
        "{}",
        written.number
    );
    assert_eq!(
        (
            written.shipment_number.as_str(),
            written.order_number.as_str()
        ),
        (shipment.number.as_str(), order.header().number.as_str())
    );
    let money = w.finance.order_finance(order.header().id).await;
    // Nothing is owed, and the sale stands: the goods were delivered and sold.
    assert_eq!(
        (
            money.net.as_str(),
            money.paid.as_str(),
            money.written_off.as_str()
        ),
        ("20.00", "19.80", "0.20")
    );
    assert_eq!(money.outstanding, "0.00");
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-09-30"))
        .await;
    let row = s.customers[0]
        .rows
        .iter()
        .find(|r| r.kind() == pb::MovementKind::WriteOff)
        .expect("the write-off's row");
    assert_eq!(
        (
            row.document_no.as_str(),
            row.credit.as_str(),
            row.order_number.as_str()
        ),
        (
            written.number.as_str(),
            "0.20",
            order.header().number.as_str()
        )
    );
    assert_eq!(s.closing, "0.00");
    let refused = w
        .finance
        .try_send(bank_fee(&shipment, "0.01"))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "没有未收金额");

    // The order's history says it, to finance; a CS rep reads the order, not its money.
    let detail = w.finance.order(order.header().id).await.expect("order");
    let event = detail
        .history
        .iter()
        .find(|e| e.action == "write_off.create")
        .expect("the write-off in the history");
    assert_eq!(
        (
            event.document.as_str(),
            event.write_off_amount.as_str(),
            event.reason.as_str()
        ),
        (written.number.as_str(), "0.20", "银行扣手续费 0.20 元")
    );
    let seen_by_cs = w.cs.order(order.header().id).await.expect("order");
    assert!(
        !seen_by_cs
            .history
            .iter()
            .any(|e| e.action.starts_with("write_off."))
    );
    // Money paid ahead meanwhile pays the amount owed again once the write-off is undone.
    w.finance.send(payment(c, "2026-09-01", "1", &[])).await;
    let (id, version) = (written.id, written.version);
    let reverse = |reason: &str| pb::ReverseWriteOffRequest {
        id,
        version,
        reason: reason.into(),
    };
    pharmacrm_tests::assert_bad_fields!(w.finance, { reverse("") => ["reason"], });
    let reversed = w.finance.send(reverse("手续费由客户补付")).await;
    assert!(reversed.reversed);
    assert_eq!(reversed.reversal_reason, "手续费由客户补付");
    let money = w.finance.order_finance(order.header().id).await;
    assert_eq!(
        (
            money.paid.as_str(),
            money.written_off.as_str(),
            money.outstanding.as_str()
        ),
        ("20.00", "0.00", "0.00")
    );
    // Sent again (its answer lost), with the version it was sent with: already done, not
    // "changed by someone".
    let again = w
        .finance
        .try_send(reverse("再次撤销"))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&again, "已撤销");
    let listed = w
        .rep
        .send(pb::ListWriteOffsRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await
        .write_offs;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].reversed);

    // The register: every customer's, by period and kind, with what they take off now.
    let other = w.due_on_shipping().await;
    let (_, other_shipment) = w.shipped_on(other.id, "2026-09-01", 5).await; // 10.00
    // Meant for 北京协和医院, another customer's shipment is refused, naming whose it is.
    w.finance
        .try_send(pb::WriteOffReceivableRequest {
            customer_id: Some(c),
            ..bank_fee(&other_shipment, "1")
        })
        .await
        .refused_on(
            Code::InvalidArgument,
            &["shipment_id"],
            "属于 长春市长生大药房",
        );
    w.finance
        .send(pb::WriteOffReceivableRequest {
            reason_kind: pb::WriteOffReason::BadDebt as i32,
            reason: "药房已关闭".into(),
            ..bank_fee(&other_shipment, "10")
        })
        .await;
    let register = |reason_kind: pb::WriteOffReason, date_from: &str| pb::ListWriteOffsRequest {
        reason_kind: reason_kind as i32,
        date_from: date_from.into(),
        ..Default::default()
    };
    let all = w
        .finance
        .send(register(pb::WriteOffReason::Unspecified, ""))
        .await;
    assert_eq!((all.total, all.total_in_effect.as_str()), (2, "10.00"));
    let bad_debts = w
        .finance
        .send(register(pb::WriteOffReason::BadDebt, ""))
        .await;
    assert_eq!(bad_debts.total, 1);
    assert_eq!(bad_debts.write_offs[0].reason, "药房已关闭");
    let later = w
        .finance
        .send(register(pb::WriteOffReason::Unspecified, "2026-09-02"))
        .await;
    assert_eq!(later.total, 0);
    pharmacrm_tests::assert_bad_fields!(w.finance, {
        pb::ListWriteOffsRequest {
            date_from: "2026-09-30".into(),
            date_to: "2026-09-01".into(),
            ..Default::default()
        } => ["date_to"],
    });
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-09-30"))
        .await;
    assert!(
        s.customers[0]
            .rows
            .iter()
            .any(|r| r.kind() == pb::MovementKind::WriteOffReversal && r.debit == "0.20")
    );
    // 20 − 19.80 − 0.20 − 1 + 0.20.
    assert_eq!(s.closing, "-0.80");
    assert_ledger_sums_are_kept(&w.app);
}

#[tokio::test]
async fn a_deduction_after_a_write_off_takes_back_what_is_no_longer_owed_before_any_payment() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, shipment) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    // 10.00 paid, the other 10.00 written off as a bad debt; then 2 boxes (4.00) turn out
    // damaged and are deducted.
    w.finance
        .send(payment(c, "2026-09-01", "10", &[(order.header().id, "10")]))
        .await;
    let bad_debt = w
        .finance
        .send(pb::WriteOffReceivableRequest {
            reason_kind: pb::WriteOffReason::BadDebt as i32,
            reason: "客户经营困难，余款无法收回".into(),
            ..bank_fee(&shipment, "10")
        })
        .await;
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 2)
            .await;
    w.rep.deduct(&damaged).await.expect("deducted");
    // Less is owed, so less is written off: the money paid stays paid, nothing is owed
    // back to the customer and nothing sits on account.
    let money = w.finance.order_finance(order.header().id).await;
    assert_eq!(
        (
            money.net.as_str(),
            money.paid.as_str(),
            money.written_off.as_str(),
            money.outstanding.as_str()
        ),
        ("16.00", "10.00", "6.00", "0.00")
    );
    let listed = w
        .finance
        .send(pb::ListWriteOffsRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await
        .write_offs;
    assert_eq!(
        (listed[0].amount.as_str(), listed[0].in_effect.as_str()),
        ("10.00", "6.00")
    );
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-09-30"))
        .await;
    assert_eq!(s.closing, "0.00");
    assert_eq!(s.ageing.expect("ageing").on_account, "0.00");
    // Reversed, it puts back what it still took off: 6.00, not 10.00.
    let reversed = w
        .finance
        .send(pb::ReverseWriteOffRequest {
            id: bad_debt.id,
            version: bad_debt.version,
            reason: "客户恢复付款".into(),
        })
        .await;
    assert_eq!(reversed.in_effect, "0.00");
    assert_eq!(
        w.finance.order_finance(order.header().id).await.outstanding,
        "6.00"
    );
    assert_ledger_sums_are_kept(&w.app);
}

#[tokio::test]
async fn a_reversal_is_not_dated_before_the_settlement_it_undoes() {
    let mut w = world().await;
    let c = w.customer.id;
    let paid = w.finance.send(payment(c, "2026-09-01", "100", &[])).await;
    assert_eq!(paid.unallocated, "100.00", "nothing was owed yet");
    // Shipped on the 10th: the credit on account pays it that day.
    w.shipped_on(c, "2026-09-10", 50).await;
    let reverse = |date: &str| reversing(&paid, "银行退票", date);
    let refused = w
        .finance
        .try_send(reverse("2026-09-05"))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["reversal_date"]);
    assert_zh_contains(
        &refused,
        "不能早于 2026-09-10（回款日期，或这笔回款最后一次冲抵发货欠款的日期）",
    );
    let reversed = w.finance.send(reverse("2026-09-10")).await;
    assert!(reversed.reversed);
    // The shipment is owed again from the day the reversal is dated, not before.
    let s = w
        .finance
        .send(statement(c, "2026-09-01", "2026-09-09"))
        .await;
    assert_eq!(
        s.closing, "-100.00",
        "only the credit on account before the 10th"
    );
}

/// A filter naming a rep, department or handler that does not exist is refused on its
/// field (an integrator's slip listed nothing, read as "nobody owes"); a date that is no
/// day of the calendar is said as such; a number typed full-width finds the invoice.
#[tokio::test]
async fn filters_naming_nothing_that_exists_are_refused_not_read_as_none() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 10).await;
    w.finance
        .send(blue_invoice(
            c,
            w.entity.id,
            (order.header().id, "20"),
            "04419001",
        ))
        .await;
    let nobody = Some(987_654);
    for (request, field) in [
        (
            pb::ListArrearsRequest {
                sales_rep_id: nobody,
                ..Default::default()
            },
            "sales_rep_id",
        ),
        (
            pb::ListArrearsRequest {
                department_id: nobody,
                ..Default::default()
            },
            "department_id",
        ),
    ] {
        let refused = w
            .finance
            .try_send(request)
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&refused), [field]);
    }
    w.finance
        .try_send(pb::ListPaymentsRequest {
            handler_id: nobody,
            ..Default::default()
        })
        .await
        .refused_on(Code::InvalidArgument, &["handler_id"], "用户不存在");
    w.finance
        .try_send(pb::ListPaymentsRequest {
            date_from: "2026-02-30".into(),
            ..Default::default()
        })
        .await
        .refused_on(
            Code::InvalidArgument,
            &["date_from"],
            "日历上没有这一天：2026-02-30",
        );
    let found = w
        .finance
        .send(pb::ListInvoicesRequest {
            number: "０４４１９".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(found.total, 1);
}

/// A tax-control invoice is its 发票代码 and 8-digit 号码 together: each batch of a code
/// numbers from 00000001 again, so one entity's invoices of two batches share numbers and
/// are both recorded; the same code and number twice is refused. An 8-digit number needs
/// its code; a 数电发票 (20 digits) has none.
#[tokio::test]
async fn an_invoice_is_told_apart_by_its_code_and_number() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let id = order.header().id;
    let invoice = |code: &str, number: &str| pb::RecordInvoiceRequest {
        code: code.into(),
        ..blue_invoice(c, w.entity.id, (id, "10"), number)
    };
    // Typed full-width by an input method, the code is read as its digits.
    let first = w
        .finance
        .send(invoice("１１００２６１１３０", "00000001"))
        .await;
    assert_eq!(
        (first.code.as_str(), first.number.as_str()),
        ("1100261130", "00000001")
    );
    // The next batch's first invoice, and an electronic one's (a 12-digit code).
    let next_batch = w.finance.send(invoice("1100262130", "00000001")).await;
    assert_eq!(next_batch.code, "1100262130");
    w.finance.send(invoice("011002600111", "00000001")).await;
    w.finance
        .try_send(invoice("1100261130", "00000001"))
        .await
        .refused_on(
            Code::AlreadyExists,
            &["number"],
            "已有发票 1100261130 00000001：已登记给北京协和医院，开票日期 2026-09-01，金额 10.00",
        );
    for (code, number, said) in [
        ("", "00000002", "8 位发票号码须填写发票代码"),
        ("110026113", "00000002", "10 位或 12 位数字"),
        ("11002611300", "00000002", "10 位或 12 位数字"),
        (
            "1100261130",
            "26112000000012345678",
            "数电发票（20 位号码）没有发票代码",
        ),
    ] {
        let refused = w
            .finance
            .try_send(invoice(code, number))
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&refused), ["code"], "{code:?} {number}");
        assert_zh_contains(&refused, said);
    }
    let digital = w.finance.send(invoice("", "26112000000012345678")).await;
    assert_eq!(digital.code, "");
    // The register and its export say each invoice's code.
    let listed = w
        .finance
        .send(pb::ListInvoicesRequest {
            customer_id: Some(c),
            number: "00000001".into(),
            ..Default::default()
        })
        .await;
    let mut codes: Vec<(&str, &str)> = listed
        .invoices
        .iter()
        .map(|i| (i.code.as_str(), i.number.as_str()))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("", "26112000000012345678"),
            ("011002600111", "00000001"),
            ("1100261130", "00000001"),
            ("1100262130", "00000001"),
        ]
    );
    // Found by a part of its code too, as a clerk holding the paper may read it.
    let by_code = w
        .finance
        .send(pb::ListInvoicesRequest {
            customer_id: Some(c),
            number: "1100262".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(
        by_code.invoices.iter().map(|i| i.id).collect::<Vec<_>>(),
        [next_batch.id]
    );
    // A red invoice names the one it reverses by code and number: the number alone is
    // the first batch's and the next's.
    let red = w
        .finance
        .send(pb::RecordInvoiceRequest {
            code: "1100262130".into(),
            number: "00000002".into(),
            invoice_date: "2026-09-01".into(),
            red_of_invoice_id: next_batch.id,
            ..Default::default()
        })
        .await;
    assert_eq!(
        (red.red_of_code.as_str(), red.red_of_number.as_str()),
        ("1100262130", "00000001")
    );
}

/// An invoice sent again because its answer never came: with the request's ID, the
/// invoice the first recorded, even racing it; without one, refused as the number taken,
/// naming the customer, date and amount the first was recorded with, to a clerk who may
/// see that customer (the code and number alone to one who may not).
#[tokio::test]
async fn an_invoice_sent_again_is_recorded_once_or_named() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let id = order.header().id;
    let request = pb::RecordInvoiceRequest {
        request_id: "tax-system-20260901-0042".into(),
        ..blue_invoice(c, w.entity.id, (id, "80"), "04419042")
    };
    let clerks = vec![
        w.finance.finance.clone(),
        w.app.session_of("fin").await.finance,
    ];
    let sent = request.clone();
    let answers = at_once(clerks, |mut clerk| async move {
        clerk.record_invoice(sent).await
    })
    .await;
    let mut ids = std::collections::BTreeSet::new();
    for answer in answers {
        ids.insert(answer.expect("recorded or found").into_inner().id);
    }
    // And again later, the amount written as another system formats it: the same 80.
    let with_amount = |amount: &str| pb::RecordInvoiceRequest {
        orders: vec![pb::InvoiceOrderInput {
            order_id: id,
            amount: amount.into(),
        }],
        ..request.clone()
    };
    ids.insert(w.finance.send(with_amount("80.00")).await.id);
    assert_eq!(ids.len(), 1, "{ids:?}");
    let listed = pb::ListInvoicesRequest {
        customer_id: Some(c),
        ..Default::default()
    };
    assert_eq!(w.finance.send(listed).await.total, 1);

    // The ID with another amount is not that invoice.
    w.finance.try_send(with_amount("90")).await.refused_on(
        Code::AlreadyExists,
        &["request_id"],
        "该请求编号已用于发票 1100261130 04419042",
    );
    // Without an ID (a second press), the number is taken by the invoice just recorded.
    let pressed_again = pb::RecordInvoiceRequest {
        request_id: String::new(),
        ..request.clone()
    };
    let refused = w.finance.try_send(pressed_again).await.refused_on(
        Code::AlreadyExists,
        &["number"],
        "该开票单位已有发票 1100261130 04419042：已登记给北京协和医院，开票日期 2026-09-01，金额 80.00",
    );
    assert_message_contains(
        &refused,
        "recorded for 北京协和医院, dated 2026-09-01, 80.00",
    );

    // A rep invoicing only its own customers is not told whose the number is.
    PositionBuilder::new("本人开票")
        .granting(&["finance.invoice.write"])
        .create(&mut w.app.admin().await)
        .await;
    let mut own = w
        .app
        .person("own-invoicer", &["营销员", "本人开票"], None)
        .await;
    let theirs = CustomerBuilder::new("长春市长生大药房")
        .assigned_to(own.id, w.cs.id)
        .create(&mut w.app.admin().await)
        .await;
    let refused = own
        .try_send(blue_invoice(theirs.id, w.entity.id, (id, "10"), "04419042"))
        .await
        .refused_on(
            Code::AlreadyExists,
            &["number"],
            "该开票单位已有发票代码 1100261130、号码 04419042 的发票",
        );
    let said = pharmacrm_tests::zh_message(&refused).expect("a zh-CN message");
    assert!(!said.contains("北京协和医院"), "{said}");
}

#[tokio::test]
async fn red_invoices_reverse_blue_ones_and_invoicing_stops_at_the_shipped_value() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let id = order.header().id;
    let entity = w.entity.id;
    let blue = |number: &str, amount: &str| blue_invoice(c, entity, (id, amount), number);
    let twice = pb::RecordInvoiceRequest {
        orders: [
            blue("04419001", "100").orders,
            blue("04419001", "50").orders,
        ]
        .concat(),
        ..blue("04419001", "150")
    };
    let refused = w
        .finance
        .try_send(twice)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["orders[1].order_id"]);
    let first = w.finance.send(blue("04419001", "150")).await;
    assert_eq!(first.amount, "150.00");
    // The audit log finds it by its number, digits though it is (not taken for an id only).
    let audited = w
        .app
        .admin()
        .await
        .send(pb::SearchAuditRequest {
            object_id: "04419001".into(),
            ..Default::default()
        })
        .await
        .entries;
    assert_eq!(
        audited
            .iter()
            .map(|e| (e.action.as_str(), e.object_id.clone()))
            .collect::<Vec<_>>(),
        [("invoice.create", first.id.to_string())]
    );
    let refused = w
        .finance
        .try_send(blue("04419002", "60"))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["orders[0].amount"]);
    assert_zh_contains(&refused, "50.00");
    w.finance
        .try_send(blue("04419001", "10"))
        .await
        .refused(Code::AlreadyExists);
    // The number as printed (8 digits; 20 on a 数电发票), not whatever was typed.
    for mistyped in ["abc x", "0441900", "044190021", "0441 9002"] {
        let refused = w
            .finance
            .try_send(blue(mistyped, "10"))
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&refused), ["number"], "{mistyped}");
        assert_zh_contains(&refused, "8 位数字");
    }
    // Nor dated before the order it covers was placed (2026-09-01).
    let refused = w
        .finance
        .try_send(pb::RecordInvoiceRequest {
            invoice_date: "2026-08-31".into(),
            ..blue("04419002", "10")
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["invoice_date"]);
    assert_zh_contains(
        &refused,
        &format!(
            "不能早于订单 {} 的下单日期 2026-09-01",
            order.header().number
        ),
    );
    // The goods went out under 北京康华医药: another entity of the group may not invoice them.
    let other_entity = InvoicingEntityBuilder::new("华康医药（广州）有限公司")
        .create(&mut w.app.admin().await)
        .await;
    let refused = w
        .finance
        .try_send(pb::RecordInvoiceRequest {
            invoicing_entity_id: other_entity.id,
            ..blue("04419002", "10")
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["orders[0].order_id"]);
    assert_zh_contains(&refused, "该订单由北京康华医药有限公司发货开票");
    let money = w.finance.order_finance(id).await;
    assert_eq!(
        (money.invoiced.as_str(), money.not_invoiced.as_str()),
        ("150.00", "50.00")
    );
    // The order list (the invoice form's offer) says the same.
    let listed = w
        .finance
        .orders_where(pb::SearchOrdersRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await;
    assert_eq!(
        (
            listed[0].not_invoiced.as_str(),
            listed[0].outstanding.as_str()
        ),
        ("50.00", "200.00")
    );

    let red = pb::RecordInvoiceRequest {
        number: "04419003".into(),
        code: INVOICE_CODE.into(),
        invoice_date: "2026-09-01".into(),
        red_of_invoice_id: first.id,
        ..Default::default()
    };
    // A red invoice is the blue one's customer's: naming another is refused.
    let other = CustomerBuilder::new("康民大药房")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let refused = w
        .finance
        .try_send(pb::RecordInvoiceRequest {
            customer_id: other.id,
            ..red.clone()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(pharmacrm_tests::bad_fields(&refused), ["customer_id"]);
    assert_zh_contains(&refused, "04419001");
    let refused = w
        .finance
        .try_send(pb::RecordInvoiceRequest {
            invoice_date: "2026-08-31".into(),
            ..red.clone()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(pharmacrm_tests::bad_fields(&refused), ["invoice_date"]);
    assert_zh_contains(&refused, "不能早于被冲红的蓝字发票的开票日期 2026-09-01");
    let reversed = w.finance.send(red.clone()).await;
    assert_eq!(
        (reversed.amount.as_str(), reversed.red_of_number.as_str()),
        ("-150.00", "04419001")
    );
    let refused = w
        .finance
        .try_send(pb::RecordInvoiceRequest {
            number: "04419004".into(),
            code: INVOICE_CODE.into(),
            ..red
        })
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(pharmacrm_tests::bad_fields(&refused), ["red_of_invoice_id"]);
    let money = w.finance.order_finance(id).await;
    assert_eq!(
        (money.invoiced.as_str(), money.not_invoiced.as_str()),
        ("0.00", "200.00")
    );
    assert_eq!(money.invoices.len(), 2);
    assert!(
        money
            .invoices
            .iter()
            .any(|i| i.id == first.id && i.reversed)
    );
    // Invoices do not change what is owed.
    assert_eq!(money.outstanding, "200.00");
}

/// A red invoice may take back part of a blue one (a deduction after invoicing, a 销售折让):
/// the blue invoice says how much is gone and what is left per order, the order has it to
/// invoice again, and red invoices follow until nothing is left.
#[tokio::test]
async fn a_red_invoice_takes_back_part_of_a_blue_one_until_none_is_left() {
    let mut w = world().await;
    let c = w.customer.id;
    let (order, shipment) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let (other, _) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    let id = order.header().id;
    let first = w
        .finance
        .send(blue_invoice(c, w.entity.id, (id, "200"), "04419001"))
        .await;
    // Two boxes damaged and deducted after invoicing: the order is invoiced 4.00 past its
    // net, which the blue invoice says of it (what a red invoice takes back).
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 2)
            .await;
    w.rep.deduct(&damaged).await.expect("deducted");
    let red = |number: &str, parts: &[(i64, &str)]| pb::RecordInvoiceRequest {
        number: number.into(),
        code: INVOICE_CODE.into(),
        invoice_date: "2026-09-01".into(),
        red_of_invoice_id: first.id,
        orders: parts
            .iter()
            .map(|&(order_id, amount)| pb::InvoiceOrderInput {
                order_id,
                amount: amount.into(),
            })
            .collect(),
        ..Default::default()
    };
    let blue_now = async |finance: &mut Person| {
        let listed: pb::ListInvoicesResponse = finance
            .send(pb::ListInvoicesRequest {
                order_id: Some(id),
                ..Default::default()
            })
            .await;
        listed
            .invoices
            .into_iter()
            .find(|i| i.id == first.id)
            .expect("the blue invoice")
    };

    let over = |blue: &pb::Invoice| -> Vec<String> {
        blue.unreversed
            .iter()
            .map(|o| o.over_invoiced.clone())
            .collect()
    };
    assert_eq!(over(&blue_now(&mut w.finance).await), ["4.00"]);
    let part = w.finance.send(red("04419002", &[(id, "26.5")])).await;
    assert_eq!(part.amount, "-26.50");
    let blue = blue_now(&mut w.finance).await;
    assert!(!blue.reversed);
    assert_eq!(blue.reversed_amount, "26.50");
    let left: Vec<(i64, &str)> = blue
        .unreversed
        .iter()
        .map(|o| (o.order_id, o.amount.as_str()))
        .collect();
    assert_eq!(left, [(id, "173.50")]);
    assert_eq!(w.finance.order_finance(id).await.invoiced, "173.50");
    assert_eq!(over(&blue), ["0.00"], "no longer invoiced past its net");

    // No more than is left; only the blue invoice's orders, each once.
    let refused = w
        .finance
        .try_send(red("04419003", &[(id, "173.51")]))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["orders[0].amount"]);
    assert_zh_contains(&refused, "173.50");
    let other_id = other.header().id;
    let refused = w
        .finance
        .try_send(red("04419003", &[(id, "1"), (other_id, "1"), (id, "1")]))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&refused),
        ["orders[1].order_id", "orders[2].order_id"]
    );

    // Without orders, a red invoice takes back all that is left; then no more is taken.
    let rest = w.finance.send(red("04419003", &[])).await;
    assert_eq!(rest.amount, "-173.50");
    let blue = blue_now(&mut w.finance).await;
    assert!(blue.reversed);
    assert_eq!(blue.reversed_amount, "200.00");
    assert!(blue.unreversed.is_empty());
    let refused = w
        .finance
        .try_send(red("04419004", &[]))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["red_of_invoice_id"]);
    // A red invoice is not reversed in turn: said of the invoice named.
    w.finance
        .try_send(pb::RecordInvoiceRequest {
            red_of_invoice_id: rest.id,
            ..red("04419005", &[])
        })
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["red_of_invoice_id"],
            "红字发票不能再冲红",
        );
    assert_eq!(w.finance.order_finance(id).await.invoiced, "0.00");
    assert_ledger_sums_are_kept(&w.app);
}

/// An invoice list filtered on an order (its 开票记录) totals what the invoices invoice on
/// that order, besides their whole amounts: one invoice covering two orders is not all
/// the order's. Its export says both, in columns and totals.
#[tokio::test]
async fn an_orders_invoice_list_totals_the_orders_part_of_each_invoice() {
    use calamine::Data;
    let mut w = world().await;
    let c = w.customer.id;
    let (order, _) = w.shipped_on(c, "2026-09-01", 100).await; // 200.00
    let (other, _) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    let (id, other_id) = (order.header().id, other.header().id);
    let both = w
        .finance
        .send(pb::RecordInvoiceRequest {
            orders: vec![
                pb::InvoiceOrderInput {
                    order_id: id,
                    amount: "200".into(),
                },
                pb::InvoiceOrderInput {
                    order_id: other_id,
                    amount: "20".into(),
                },
            ],
            ..blue_invoice(c, w.entity.id, (id, "200"), "04419001")
        })
        .await;
    assert_eq!(both.amount, "220.00");
    // A 销售折让 of 50.00 on the order, by a red invoice.
    w.finance
        .send(pb::RecordInvoiceRequest {
            red_of_invoice_id: both.id,
            ..blue_invoice(c, w.entity.id, (id, "50"), "04419002")
        })
        .await;
    let on_order = pb::ListInvoicesRequest {
        order_id: Some(id),
        ..Default::default()
    };
    let listed = w.finance.send(on_order.clone()).await;
    assert_eq!(
        (
            listed.total,
            listed.total_amount.as_str(),
            listed.total_on_order.as_str()
        ),
        (2, "170.00", "150.00")
    );
    assert_eq!(w.finance.order_finance(id).await.invoiced, "150.00");
    let customers = w
        .finance
        .send(pb::ListInvoicesRequest {
            customer_id: Some(c),
            ..Default::default()
        })
        .await;
    assert_eq!(customers.total_on_order, "", "no order filtered on");

    let export = w
        .finance
        .export(pb::export_request::Report::Invoices(on_order))
        .await
        .expect("the order's invoices exported");
    let (header, body) = register_rows(&export.file, "开票记录", "发票号");
    let (part, whole) = (column(&header, "本单金额"), column(&header, "发票金额"));
    assert_eq!(body[0][0], Data::String("04419002".into()));
    assert_eq!(
        (&body[0][part], &body[0][whole]),
        (&Data::Float(-50.0), &Data::Float(-50.0))
    );
    assert_eq!(
        (&body[1][part], &body[1][whole]),
        (&Data::Float(200.0), &Data::Float(220.0))
    );
    assert_eq!(body[2][0], Data::String("合计".into()));
    assert_eq!(
        (&body[2][part], &body[2][whole]),
        (&Data::Float(150.0), &Data::Float(170.0))
    );

    // 5.00 of the other order's part taken back too: each order's sheet says how much of
    // its own part is gone, not the whole invoice's 55.00.
    w.finance
        .send(pb::RecordInvoiceRequest {
            red_of_invoice_id: both.id,
            ..blue_invoice(c, w.entity.id, (other_id, "5"), "04419003")
        })
        .await;
    for (order_id, said) in [(id, "部分红冲 50.00"), (other_id, "部分红冲 5.00")] {
        let export = w
            .finance
            .export(pb::export_request::Report::Invoices(
                pb::ListInvoicesRequest {
                    order_id: Some(order_id),
                    ..Default::default()
                },
            ))
            .await
            .expect("the order's invoices exported");
        let (header, body) = register_rows(&export.file, "开票记录", "发票号");
        // The red invoice of the order first, then the blue one.
        assert_eq!(body[1][0], Data::String("04419001".into()), "{body:?}");
        assert_eq!(under(&header, &body[1], "状态"), said);
    }
}

/// An order shipped part under one invoicing entity and part under another: each entity
/// invoices what went out under its name, less the deductions on it, and no more
/// (四流一致), even while the order as a whole has more to invoice, and archived since.
#[tokio::test]
async fn each_invoicing_entity_invoices_only_what_was_shipped_under_it() {
    let mut w = world().await;
    let c = w.customer.id;
    let other = InvoicingEntityBuilder::new("华康医药（广州）有限公司")
        .create(&mut w.app.admin().await)
        .await;
    let order = OrderBuilder::new(c)
        .line(w.drug.id, 100, "")
        .place(&mut w.rep)
        .await; // 200.00
    let line = &order.lines[0];
    ShipmentBuilder::of(&order)
        .line(line, 60, "B1")
        .create(&mut w.cs)
        .await; // 120.00 under the order's entity
    let order = w.cs.reload(&order).await;
    let theirs = ShipmentBuilder::of(&order)
        .line(line, 40, "B2")
        .under(other.id)
        .create(&mut w.cs)
        .await; // 80.00 under the other
    let short =
        w.cs.reported_first(&theirs, pb::ExceptionKind::Short, 5)
            .await;
    w.rep.deduct(&short).await.expect("deducted"); // −10.00 on the other's shipment
    let id = order.header().id;
    let by_entity = async |w: &mut World| {
        let listed = w
            .finance
            .orders_where(pb::SearchOrdersRequest {
                customer_id: Some(c),
                ..Default::default()
            })
            .await;
        let mut figures: Vec<(i64, String)> = listed[0]
            .not_invoiced_by_entity
            .iter()
            .map(|e| {
                // Named, so that a screen can say whose figure it is.
                let name = if e.invoicing_entity_id == other.id {
                    "华康医药（广州）有限公司"
                } else {
                    "北京康华医药有限公司"
                };
                assert_eq!(e.invoicing_entity_name, name);
                (e.invoicing_entity_id, e.amount.clone())
            })
            .collect();
        figures.sort();
        (listed[0].not_invoiced.clone(), figures)
    };
    assert_eq!(
        by_entity(&mut w).await,
        (
            "190.00".to_owned(),
            vec![(w.entity.id, "120.00".into()), (other.id, "70.00".into())]
        )
    );
    let invoice =
        |entity: i64, number: &str, amount: &str| blue_invoice(c, entity, (id, amount), number);
    // 华康 is archived meanwhile: it takes no new orders or shipments, but still invoices
    // the goods that went out under its name.
    w.app
        .admin()
        .await
        .orders
        .set_invoicing_entity_active(set_active(&other, false))
        .await
        .expect("archived");
    // 190.00 is not invoiced on the order, but only 70.00 of it went out under 华康.
    let refused = w
        .finance
        .try_send(invoice(other.id, "44019001", "70.01"))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["orders[0].amount"]);
    assert_zh_contains(
        &refused,
        "开票 70.01 超过以华康医药（广州）有限公司名义发货且尚未由其开票的金额 70.00",
    );
    let theirs_invoiced = w.finance.send(invoice(other.id, "44019001", "70.00")).await;
    // The order's own entity: what it shipped is all that is left on the order.
    let refused = w
        .finance
        .try_send(invoice(w.entity.id, "04419001", "120.01"))
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&refused), ["orders[0].amount"]);
    assert_zh_contains(&refused, "开票 120.01 超过已发货未开票金额 120.00");
    w.finance
        .send(invoice(w.entity.id, "04419001", "120.00"))
        .await;
    assert_eq!(
        by_entity(&mut w).await,
        (
            "0.00".to_owned(),
            vec![(w.entity.id, "0.00".into()), (other.id, "0.00".into())]
        )
    );
    // A red invoice gives its entity the room back, and no other.
    w.finance
        .send(pb::RecordInvoiceRequest {
            number: "44019002".into(),
            code: INVOICE_CODE.into(),
            invoice_date: "2026-09-01".into(),
            red_of_invoice_id: theirs_invoiced.id,
            ..Default::default()
        })
        .await;
    assert_eq!(
        by_entity(&mut w).await,
        (
            "70.00".to_owned(),
            vec![(w.entity.id, "0.00".into()), (other.id, "70.00".into())]
        )
    );
}

#[tokio::test]
async fn credit_hold_refuses_new_orders_until_someone_allowed_overrides_it_with_a_reason() {
    let mut w = world().await;
    let limited = w.limited_customer().await;
    assert_eq!(limited.credit_limit, "100.00");
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 10).await; // due 10-01
    // 2026-12-31 is 91 days past the due date: more than the 90 of the settings.
    // The customer as the rep reads it says so before any order is built.
    let hold = async |rep: &mut Person, id: i64| {
        let customer = rep.customer(id).await.expect("customer");
        customer.credit_hold.map(|w| w.message_zh)
    };
    assert_eq!(hold(&mut w.rep, c).await, None, "not yet");
    w.app.pin_clock("2026-12-31T10:00:00+08:00");
    let said = hold(&mut w.rep, c).await.expect("on hold");
    assert!(
        said.contains("已被信用冻结") && said.contains("91"),
        "{said}"
    );
    let order = OrderBuilder::new(c).line(w.drug.id, 1, "");
    let refused = order
        .clone()
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "91");
    // The preview says so before the order is sent.
    let preview = order
        .clone()
        .try_preview(&mut w.rep)
        .await
        .expect("preview");
    assert_eq!(preview.warnings[0].field, "credit_override_reason");
    // A reason is not enough without order.credit_override…
    let mut with_reason = order.invoiced_by(w.entity.id).input();
    with_reason.credit_override_reason = "客户承诺月底结清".into();
    w.rep
        .try_send(with_reason.clone())
        .await
        .refused(Code::PermissionDenied);
    // …which the manager holds; the override is audited.
    let mut admin = w.app.admin().await;
    let placed = admin.send(with_reason).await;
    let placed = placed.order.expect("placed");
    let number = placed.header().number.clone();
    // The order's history says why.
    let override_event = placed
        .history
        .iter()
        .find(|e| e.action == "order.credit_override")
        .expect("the override in the order's history");
    assert_eq!(override_event.reason, "客户承诺月底结清");
    let audit = admin
        .send(pb::SearchAuditRequest {
            action: "order.credit_override".into(),
            ..Default::default()
        })
        .await;
    assert!(
        audit.entries.iter().any(|e| e.after_json.contains(&number)),
        "{audit:?}"
    );

    // Over the credit limit: 2 × 2.00 shipped is owed, 98.00 more would pass 100.00.
    w.shipped_on(limited.id, "2026-12-31", 2).await;
    let refused = OrderBuilder::new(limited.id)
        .line(w.drug.id, 49, "")
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "100.00");
    assert_eq!(
        hold(&mut w.rep, limited.id).await,
        None,
        "98.00 still to order"
    );
    OrderBuilder::new(limited.id)
        .line(w.drug.id, 48, "")
        .place(&mut w.rep)
        .await;
    // Now at its limit, no order passes: the customer says so.
    let said = hold(&mut w.rep, limited.id).await.expect("at its limit");
    assert!(said.contains("已达信用额度 100.00"), "{said}");
    // Past it (3 × 2.00 more let through by one who may), it says by how much, not "at".
    let mut admin = w.app.admin().await;
    let mut past = OrderBuilder::new(limited.id)
        .line(w.drug.id, 3, "")
        .invoiced_by(w.entity.id)
        .input();
    past.credit_override_reason = "老客户，已电话确认".into();
    admin.send(past).await;
    let said = hold(&mut w.rep, limited.id).await.expect("past its limit");
    assert!(said.contains("超出信用额度 100.00 共 6.00"), "{said}");
}

/// A rep who may not override a credit hold asks for approval instead (待审批): the order
/// waits with their reason, ships nothing and holds no credit until someone who may
/// override approves it with theirs; then it ships as any other. One turned down is
/// cancelled with the reason.
#[tokio::test]
async fn a_rep_asks_for_approval_past_a_credit_hold_and_the_order_waits_for_it() {
    let mut w = world().await;
    let limited = w.limited_customer().await;
    // 60 × 2.00 = 120.00 would pass the 100.00 limit.
    let mut asked = OrderBuilder::new(limited.id)
        .line(w.drug.id, 60, "")
        .invoiced_by(w.entity.id)
        .input();
    asked.request_approval = true;
    // Without a reason the approver would not know why: refused on its field.
    let refused = w
        .rep
        .try_send(asked.clone())
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["credit_override_reason"]);
    asked.credit_override_reason = "医院年底集中采购，1 月初回款".into();
    let placed = w.rep.send(asked.clone()).await.order.expect("placed");
    assert_eq!(
        placed.header().status,
        pb::OrderStatus::AwaitingApproval as i32
    );
    let asked_event = placed
        .history
        .iter()
        .find(|e| e.action == "order.approval_request")
        .expect("the request in the order's history");
    assert_eq!(asked_event.reason, "医院年底集中采购，1 月初回款");
    // Raised while it waits, it needs a reason for the new figure (the approver would
    // read one given for the smaller order); lowered, none.
    let raised = |quantity, reason: &str| pb::UpdateOrderRequest {
        version: placed.header().version,
        order: Some(pb::OrderInput {
            credit_override_reason: reason.into(),
            ..OrderBuilder::change_of(&placed)
                .line(w.drug.id, quantity, "")
                .input()
        }),
    };
    let refused = w
        .rep
        .try_send(raised(70, ""))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["order.credit_override_reason"]);
    let lowered = w.rep.send(raised(55, "")).await.order.expect("lowered");
    assert_eq!(
        lowered.header().status,
        pb::OrderStatus::AwaitingApproval as i32
    );
    let placed = lowered;
    let raised = pb::UpdateOrderRequest {
        version: placed.header().version,
        order: Some(pb::OrderInput {
            credit_override_reason: "医院追加 5 盒".into(),
            ..OrderBuilder::change_of(&placed)
                .line(w.drug.id, 60, "")
                .input()
        }),
    };
    let placed = w.rep.send(raised).await.order.expect("raised");
    let reasons: Vec<&str> = placed
        .history
        .iter()
        .filter(|e| e.action == "order.approval_request")
        .map(|e| e.reason.as_str())
        .collect();
    assert_eq!(reasons, ["医院年底集中采购，1 月初回款", "医院追加 5 盒"]);
    // It ships nothing yet…
    let refused = ShipmentBuilder::of(&placed)
        .everything_left("B1")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "待审批");
    // …and holds no credit: an order within the limit still goes.
    OrderBuilder::new(limited.id)
        .line(w.drug.id, 10, "")
        .place(&mut w.rep)
        .await;
    // A rep may not approve it, their own least of all.
    let approve = |o: &pb::OrderDetail, reason: &str| pb::ApproveOrderRequest {
        id: o.header().id,
        version: o.header().version,
        reason: reason.into(),
    };
    w.rep
        .try_send(approve(&placed, "自己批准"))
        .await
        .refused(Code::PermissionDenied);
    let mut admin = w.app.admin().await;
    // The approver reads what they let it past, with the figures: the 20.00 order
    // placed since counts too. A CS rep reads the order, not the customer's credit.
    let read = admin.order(placed.header().id).await.expect("the order");
    let hold = read
        .header()
        .credit_hold
        .clone()
        .expect("the hold the approval lets it past");
    assert_eq!(hold.field, "customer_id");
    let over =
        "欠款 0.00、未发货订单 20.00、本单 120.00，合计 140.00，超出信用额度 100.00 共 40.00";
    assert!(hold.message_zh.contains(over), "{hold:?}");
    // With the rep's case: the latest request's, for the figure it asks for now.
    assert_eq!(read.header().approval_reason, "医院追加 5 盒");
    // The list of orders to approve says the same of each, without opening it.
    let to_approve = admin
        .orders_where(pb::SearchOrdersRequest {
            statuses: vec![pb::OrderStatus::AwaitingApproval as i32],
            ..Default::default()
        })
        .await;
    let listed = to_approve
        .iter()
        .find(|o| o.id == placed.header().id)
        .expect("listed as awaiting approval");
    assert_eq!(listed.approval_reason, "医院追加 5 盒");
    assert_eq!(listed.credit_hold.as_ref(), Some(&hold));
    // Orders not awaiting approval carry neither.
    let others = admin.orders_where(pb::SearchOrdersRequest::default()).await;
    assert!(
        others
            .iter()
            .filter(|o| o.id != placed.header().id)
            .all(|o| o.approval_reason.is_empty() && o.credit_hold.is_none()),
        "{others:?}"
    );
    // A second request for the customer is not counted in the first's hold (nor the first
    // in its): each says the other, and what approving both adds.
    let second = w.rep.send(asked.clone()).await.order.expect("placed");
    let read = admin.order(placed.header().id).await.expect("the order");
    let both = read.header().credit_hold.clone().expect("still held");
    let number = &second.header().number;
    assert!(
        both.message_zh.starts_with(&hold.message_zh)
            && both.message_zh.contains(&format!(
                "该客户另有 1 张待审批订单（{number}）共 120.00，未计入上述合计"
            )),
        "{both:?}"
    );
    assert!(
        both.message
            .contains(&format!("1 other order awaiting approval too ({number})")),
        "{both:?}"
    );
    w.rep
        .cancel_order(&second, "重复提交")
        .await
        .expect("cancelled");
    let seen_by_cs = w.cs.order(placed.header().id).await.expect("the order");
    assert_eq!(seen_by_cs.header().credit_hold, None);
    let approved = admin.send(approve(&placed, "年底采购，已与财务确认")).await;
    assert_eq!(
        approved.header().credit_hold,
        None,
        "no longer awaiting approval"
    );
    assert_eq!(approved.header().approval_reason, "");
    assert_eq!(approved.header().status, pb::OrderStatus::Pending as i32);
    let approval = approved
        .history
        .iter()
        .find(|e| e.action == "order.approve")
        .expect("the approval in the order's history");
    assert_eq!(approval.reason, "年底采购，已与财务确认");
    // Approved once, it is approved: again is refused, naming the order.
    let refused = admin
        .try_send(approve(&approved, "再批一次"))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, &approved.header().number);
    ShipmentBuilder::of(&approved)
        .everything_left("B1")
        .create(&mut w.cs)
        .await;

    // Another asked for, turned down (驳回): cancelled with the reason, said as turned
    // down, never approvable.
    let turned_down = w.rep.send(asked.clone()).await.order.expect("placed");
    let cancelled = admin
        .cancel_order(&turned_down, "欠款未清，暂不放行")
        .await
        .expect("cancelled");
    assert_eq!(cancelled.header().status, pb::OrderStatus::Cancelled as i32);
    assert!(cancelled.header().rejected);
    let turned = cancelled
        .history
        .iter()
        .find(|e| e.action == "order.reject")
        .expect("the rejection in the order's history");
    assert_eq!(turned.reason, "欠款未清，暂不放行");
    // The rep withdrawing their own request cancels it: not turned down.
    let withdrawn = w.rep.send(asked).await.order.expect("placed");
    let withdrawn = w
        .rep
        .cancel_order(&withdrawn, "医院改为下月采购")
        .await
        .expect("cancelled");
    assert!(!withdrawn.header().rejected);
    assert!(withdrawn.history.iter().any(|e| e.action == "order.cancel"));
    admin
        .try_send(approve(&cancelled, "放行"))
        .await
        .refused(Code::FailedPrecondition);
    // The rep finds it among their orders cancelled by others this week, with the reason;
    // one they cancelled themselves is not news to them.
    let own = OrderBuilder::new(w.customer.id)
        .line(w.drug.id, 1, "")
        .place(&mut w.rep)
        .await;
    w.rep
        .cancel_order(&own, "客户改单")
        .await
        .expect("cancelled");
    let told = w
        .rep
        .send(pb::SearchOrdersRequest {
            mine: true,
            cancelled_by_others_since: "2026-09-01".into(),
            ..Default::default()
        })
        .await;
    let told: Vec<(&str, &str)> = told
        .orders
        .iter()
        .map(|o| (o.number.as_str(), o.cancel_reason.as_str()))
        .collect();
    assert_eq!(
        told,
        [(cancelled.header().number.as_str(), "欠款未清，暂不放行")]
    );
    // A rep who may override places the order at once; asking changes nothing for them.
    let mut by_admin = OrderBuilder::new(limited.id)
        .line(w.drug.id, 60, "")
        .invoiced_by(w.entity.id)
        .input();
    by_admin.request_approval = true;
    by_admin.credit_override_reason = "经理直接放行".into();
    let placed = admin.send(by_admin).await.order.expect("placed");
    assert_eq!(placed.header().status, pb::OrderStatus::Pending as i32);
}

#[tokio::test]
async fn a_changed_order_counts_at_its_new_total_and_lowering_one_is_never_held() {
    let mut w = world().await;
    let limited = w.limited_customer().await;
    // 40 × 2.00 = 80.00 open; raised to 50 boxes it counts 100.00, not 180.00.
    let order = OrderBuilder::new(limited.id)
        .line(w.drug.id, 40, "")
        .place(&mut w.rep)
        .await;
    let order = OrderBuilder::change_of(&order)
        .line(w.drug.id, 50, "")
        .update(&mut w.rep)
        .await;
    assert_eq!(order.header().total, "100.00");
    // 51 boxes would pass the limit: the preview says so, the change is refused.
    let too_many = OrderBuilder::change_of(&order).line(w.drug.id, 51, "");
    let preview = too_many
        .clone()
        .try_preview(&mut w.rep)
        .await
        .expect("preview");
    let fields: Vec<&str> = preview.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, ["credit_override_reason"]);
    let refused = too_many
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "102.00");

    // Overdue past the credit-hold days: no order may grow, but one may shrink.
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 10).await; // due 10-01
    let open = OrderBuilder::new(c)
        .line(w.drug.id, 20, "")
        .place(&mut w.rep)
        .await;
    w.app.pin_clock("2026-12-31T10:00:00+08:00");
    let open = OrderBuilder::change_of(&open)
        .line(w.drug.id, 5, "")
        .update(&mut w.rep)
        .await;
    assert_eq!(open.header().total, "10.00");
    let refused = OrderBuilder::change_of(&open)
        .line(w.drug.id, 6, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "91");
}

#[tokio::test]
async fn closing_a_part_shipped_order_frees_its_unshipped_remainder_from_the_credit_limit() {
    let mut w = world().await;
    let limited = w.limited_customer().await;
    // 50 boxes × 2.00 ordered, 10 shipped: 20.00 owed and 80.00 still to charge.
    let order = OrderBuilder::new(limited.id)
        .line(w.drug.id, 50, "")
        .place(&mut w.rep)
        .await;
    ShipmentBuilder::of(&order)
        .line(&order.lines[0], 10, "B1")
        .create(&mut w.cs)
        .await;
    let one_more = OrderBuilder::new(limited.id).line(w.drug.id, 1, "");
    let refused = one_more
        .clone()
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "102.00");

    // The customer will not take the other 40: closed, only the 20.00 shipped counts.
    let order = w.rep.reload(&order).await;
    w.rep
        .close_order(&order, "客户不再需要剩余数量")
        .await
        .expect("close");
    one_more.place(&mut w.rep).await;
    let closed = w.rep.reload(&order).await;
    assert_eq!(
        closed.header().net,
        "20.00",
        "the 40 boxes given up are off the order"
    );
    // What shipped is paid like any other order's.
    let id = order.header().id;
    w.finance
        .send(payment(limited.id, "2026-09-01", "20", &[(id, "20")]))
        .await;
    let money = w.finance.order_finance(id).await;
    assert_eq!(
        (money.shipped.as_str(), money.outstanding.as_str()),
        ("20.00", "0.00")
    );
}

#[tokio::test]
async fn a_reps_arrears_list_holds_only_their_customers_oldest_overdue_first() {
    let mut w = world().await;
    let mut other = w
        .app
        .customer_team("长春市长生大药房", "rep-b", "cs-b")
        .await;
    w.shipped_on(w.customer.id, "2026-09-01", 10).await; // due 10-01
    // The other rep's customer ships through its own team.
    w.app.pin_clock("2026-11-20T10:00:00+08:00");
    let order = OrderBuilder::new(other.customer.id)
        .line(w.drug.id, 5, "")
        .place(&mut other.rep)
        .await;
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B1")
        .on("2026-11-20")
        .create(&mut other.cs)
        .await;
    w.app.pin_clock("2026-12-31T10:00:00+08:00");

    let list = |bucket: pb::ArrearsBucket| pb::ListArrearsRequest {
        bucket: bucket as i32,
        ..Default::default()
    };
    let names = |r: &pb::ListArrearsResponse| -> Vec<String> {
        r.rows.iter().map(|x| x.customer_name.clone()).collect()
    };
    let everyone = w.finance.send(list(pb::ArrearsBucket::Any)).await;
    assert_eq!(names(&everyone), ["北京协和医院", "长春市长生大药房"]);
    let first = &everyone.rows[0];
    assert_eq!(
        (
            first.overdue.as_str(),
            first.oldest_overdue_due_date.as_str(),
            first.days_overdue
        ),
        ("20.00", "2026-10-01", 91)
    );
    assert_eq!(first.sales_rep.as_ref().map(|r| r.id), Some(w.rep.id));
    assert_eq!(everyone.overdue, "30.00");
    let over_90_days = w.finance.send(list(pb::ArrearsBucket::Over90)).await;
    assert_eq!(names(&over_90_days), ["北京协和医院"]);

    // A rep sees their own customers' arrears only: their reminder list.
    let mine = w.rep.send(list(pb::ArrearsBucket::Overdue)).await;
    assert_eq!(names(&mine), ["北京协和医院"]);
    let theirs = other.rep.send(list(pb::ArrearsBucket::Overdue)).await;
    assert_eq!(names(&theirs), ["长春市长生大药房"]);
    // Statements are finance's: reps do not hold finance.read.
    other
        .rep
        .try_send(statement(w.customer.id, "2026-09-01", "2026-12-31"))
        .await
        .refused(Code::PermissionDenied);

    // A customer who pays ahead owes nothing and leaves the list; what it holds in credit
    // is said beside it, in the same scope.
    let paid = w
        .finance
        .send(payment(other.customer.id, "2026-12-31", "100.00", &[]))
        .await;
    let everyone = w.finance.send(list(pb::ArrearsBucket::Any)).await;
    assert_eq!(names(&everyone), ["北京协和医院"]);
    assert_eq!(
        (everyone.credit_customers, everyone.credit.as_str()),
        (1, "90.00")
    );
    let mine = w.rep.send(list(pb::ArrearsBucket::Any)).await;
    assert_eq!((mine.credit_customers, mine.credit.as_str()), (0, "0.00"));
    // The export says it too, in its title block.
    let export = exported_arrears(&mut w.finance, list(pb::ArrearsBucket::Any)).await;
    assert_eq!(
        title_line(&export.file, "预收（未列出）："),
        "另有 1 位客户多付款项，共 90.00，不欠款"
    );
    // Finance lists who paid ahead, with what each holds, instead of those who owe.
    let paid_ahead = w.finance.send(list(pb::ArrearsBucket::InCredit)).await;
    assert_eq!(names(&paid_ahead), ["长春市长生大药房"]);
    let held = |r: &pb::ListArrearsResponse| {
        let row = r.rows[0].ageing.clone().expect("ageing");
        let totals = r.ageing.clone().expect("totals");
        (row.on_account, totals.on_account, row.outstanding)
    };
    assert_eq!(
        held(&paid_ahead),
        ("90.00".to_owned(), "90.00".to_owned(), "0.00".to_owned())
    );
    assert_eq!(
        (paid_ahead.credit_customers, paid_ahead.credit.as_str()),
        (0, "0.00"),
        "they are the list, not others beside it"
    );
    assert!(
        w.rep
            .send(list(pb::ArrearsBucket::InCredit))
            .await
            .rows
            .is_empty()
    );
    let export = exported_arrears(&mut w.finance, list(pb::ArrearsBucket::InCredit)).await;
    assert_eq!(title_line(&export.file, "逾期范围："), "预收（多付款）");
    assert_eq!(title_line(&export.file, "预收（未列出）："), "");
    let rows = sheet_rows(&export.file, "欠款");
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&calamine::Data::String("客户".into())))
        .expect("the header row");
    let held_at = rows[header]
        .iter()
        .position(|c| *c == calamine::Data::String("预收".into()))
        .expect("a 预收 column");
    assert_eq!(rows[header + 1][held_at], calamine::Data::Float(90.0));
    // Reversed, the payment leaves no credit and the customer owes again.
    w.finance.send(reversing(&paid, "退票", "2026-12-31")).await;
    let everyone = w.finance.send(list(pb::ArrearsBucket::Any)).await;
    assert_eq!(names(&everyone), ["北京协和医院", "长春市长生大药房"]);
    assert_eq!(
        (everyone.credit_customers, everyone.credit.as_str()),
        (0, "0.00")
    );

    // With both paid ahead, the paid-ahead list goes by what each holds, either way, and
    // its export says so.
    for (customer, amount) in [(w.customer.id, "1000.00"), (other.customer.id, "100.00")] {
        w.finance
            .send(payment(customer, "2026-12-31", amount, &[]))
            .await;
    }
    let by_held = |descending: bool| pb::ListArrearsRequest {
        sort: pb::ArrearsSort::OnAccount as i32,
        descending,
        ..list(pb::ArrearsBucket::InCredit)
    };
    let largest_first = w.finance.send(by_held(true)).await;
    assert_eq!(names(&largest_first), ["北京协和医院", "长春市长生大药房"]);
    let smallest_first = w.finance.send(by_held(false)).await;
    assert_eq!(names(&smallest_first), ["长春市长生大药房", "北京协和医院"]);
    // Outside the paid-ahead list nobody holds anything to sort by: the sort is refused.
    w.finance
        .try_send(pb::ListArrearsRequest {
            bucket: pb::ArrearsBucket::Any as i32,
            ..by_held(true)
        })
        .await
        .refused_on(Code::InvalidArgument, &["sort"], "预收（多付款）");
    // A bucket the enum does not have is refused on its own.
    let unknown_bucket = pb::ListArrearsRequest {
        bucket: 99,
        ..by_held(true)
    };
    assert_eq!(w.finance.bad_fields_of(unknown_bucket).await, ["bucket"]);
    let export = w
        .finance
        .export(pb::export_request::Report::Arrears(by_held(true)))
        .await
        .expect("exported");
    assert_eq!(export.done.rows, 2);
    assert_eq!(title_line(&export.file, "排序："), "预收 降序");

    // An archived customer stays in the list, marked: what it is owed or owes is still
    // settled.
    assert!(largest_first.rows.iter().all(|r| !r.customer_archived));
    w.app.pin_clock("2027-01-05T10:00:00+08:00");
    other
        .cs
        .deliver(&shipment, "2027-01-05T09:00:00+08:00")
        .await;
    let fresh = other
        .rep
        .customer(other.customer.id)
        .await
        .expect("customer");
    other
        .rep
        .customers
        .set_customer_active(set_active(&fresh, false))
        .await
        .expect("archive");
    let archived = w.finance.send(by_held(true)).await;
    let marks: Vec<_> = archived
        .rows
        .iter()
        .map(|r| (r.customer_name.as_str(), r.customer_archived))
        .collect();
    assert_eq!(marks, [("北京协和医院", false), ("长春市长生大药房", true)]);
}

/// A customer read (GetCustomer) says what it owes to those who read arrears — what its
/// shipments owe less what it paid ahead — and nothing to others.
#[tokio::test]
async fn a_customer_read_says_its_balance_only_to_those_who_read_arrears() {
    let mut w = world().await;
    let c = w.customer.id;
    let balance = async |by: &mut Clients| by.customer(c).await.expect("customer").balance;
    assert_eq!(balance(&mut w.rep).await, "0.00", "nothing shipped yet");
    w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    assert_eq!(balance(&mut w.rep).await, "20.00");
    w.finance.send(payment(c, "2026-09-01", "50.00", &[])).await;
    assert_eq!(balance(&mut w.finance).await, "-30.00", "paid ahead");
    PositionBuilder::new("客户查询")
        .granting(&["customer.read"])
        .scope(pb::DataScope::All)
        .create(&mut w.app.admin().await)
        .await;
    let mut reader = w
        .app
        .user_with_positions("reader", &["客户查询"], None)
        .await;
    assert_eq!(
        balance(&mut reader).await,
        "",
        "not for those who do not read arrears"
    );
    let listed = w
        .rep
        .send(pb::SearchCustomersRequest::default())
        .await
        .customers;
    assert!(
        listed.iter().all(|x| x.balance.is_empty()),
        "a list does not sum each customer's account"
    );
}

/// A rep chasing a customer sees which shipments are still owed on (未结明细): oldest due
/// first, each with its due date, days overdue, amount and what is left of it once
/// payments paid the oldest; those paid in full are gone. Within the scope: another rep
/// gets NOT_FOUND, customer service no access.
#[tokio::test]
async fn a_customers_open_items_list_each_shipment_still_owed_with_its_days_overdue() {
    let mut w = world().await;
    let customer = w.due_on_shipping().await;
    let c = customer.id;
    let (first, _) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    let (second, s2) = w.shipped_on(c, "2026-11-20", 5).await; // 10.00
    let (_, s3) = w.shipped_on(c, "2026-11-30", 3).await; // 6.00
    // 25.00 pays the oldest, 20.00, then 5.00 of the next.
    w.finance.send(payment(c, "2026-11-30", "25", &[])).await;
    let request = pb::ListOpenItemsRequest { customer_id: c };
    let open = w.rep.send(request).await;
    assert_eq!(open.customer_name, "长春市长生大药房");
    let items: Vec<_> = open
        .items
        .iter()
        .map(|i| {
            (
                i.shipment_number.as_str(),
                i.order_number.as_str(),
                i.due_date.as_str(),
                i.days_overdue,
                i.amount.as_str(),
                i.outstanding.as_str(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                s2.number.as_str(),
                second.header().number.as_str(),
                "2026-11-20",
                10,
                "10.00",
                "5.00"
            ),
            (
                s3.number.as_str(),
                s3.order_number.as_str(),
                "2026-11-30",
                0,
                "6.00",
                "6.00"
            ),
        ]
    );
    assert!(
        open.items.iter().all(|i| i.order_id != first.header().id),
        "the shipment paid in full is not open"
    );
    let ageing = open.ageing.expect("ageing");
    assert_eq!(
        (
            open.overdue.as_str(),
            ageing.outstanding.as_str(),
            ageing.as_of.as_str()
        ),
        ("5.00", "11.00", "2026-11-30")
    );
    // Finance reads the same; another rep's scope does not hold the customer, and
    // customer service reads no money.
    assert_eq!(w.finance.send(request).await.items.len(), 2);
    let mut other = w.app.person("rep-b", &["营销员"], None).await;
    let status = other
        .finance
        .list_open_items(request)
        .await
        .expect_err("not rep-b's customer");
    assert_eq!(status.code(), Code::NotFound);
    let status =
        w.cs.finance
            .list_open_items(request)
            .await
            .expect_err("a 客服 reads no money");
    assert_eq!(status.code(), Code::PermissionDenied);
}

/// Sorted by the amount overdue, a shipment falling due today is not yet overdue; equal
/// amounts go by the larger outstanding, then by customer id (ascending when largest
/// first, descending when smallest), in the list and its export alike.
#[tokio::test]
async fn arrears_sorted_by_amount_overdue_count_only_what_is_past_due() {
    use calamine::Data;
    let mut w = world().await;
    let customer = |name: &'static str| CustomerBuilder::new(name).served_by(w.cs.id);
    let ruijin = customer("上海瑞金医院").create(&mut w.rep).await;
    let xiangya = customer("湘雅医院").create(&mut w.rep).await;
    // 30 days' credit each; as of 2026-12-31 each owes 20.00 due 12-01 (30 days overdue),
    // and 上海瑞金医院 10.00 more due today.
    for c in [w.customer.id, ruijin.id, xiangya.id] {
        w.shipped_on(c, "2026-11-01", 10).await;
    }
    w.shipped_on(ruijin.id, "2026-12-01", 5).await;
    w.app.pin_clock("2026-12-31T10:00:00+08:00");

    let sorted = |descending: bool| pb::ListArrearsRequest {
        sort: pb::ArrearsSort::Overdue as i32,
        descending,
        ..Default::default()
    };
    for (descending, expected) in [
        (true, ["上海瑞金医院", "北京协和医院", "湘雅医院"]),
        (false, ["上海瑞金医院", "湘雅医院", "北京协和医院"]),
    ] {
        let page = w.finance.send(sorted(descending)).await;
        let rows: Vec<(&str, &str)> = page
            .rows
            .iter()
            .map(|r| (r.customer_name.as_str(), r.overdue.as_str()))
            .collect();
        let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(names, expected, "descending {descending}");
        assert!(
            rows.iter().all(|r| r.1 == "20.00"),
            "what falls due today is not overdue: {rows:?}"
        );
        let export = w
            .finance
            .export(pb::export_request::Report::Arrears(sorted(descending)))
            .await
            .expect("exported");
        let exported: Vec<String> = sheet_rows(&export.file, "欠款")
            .iter()
            .skip_while(|r| r.first() != Some(&Data::String("客户".into())))
            .skip(1)
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(exported[..3], expected, "exported, descending {descending}");
    }
}

#[tokio::test]
async fn arrears_totals_cover_every_match_and_the_filters_narrow_rows_and_totals_alike() {
    let mut w = world().await;
    let mut admin = w.app.admin().await;
    let south = admin
        .send(pb::CreateDepartmentRequest {
            name: "华南销售部".into(),
            parent_id: None,
        })
        .await;
    let mut rep_b = w.app.person("rep-b", &["营销员"], Some(south.id)).await;
    let customer = |name: &'static str| CustomerBuilder::new(name).served_by(w.cs.id);
    let ruijin = customer("上海瑞金医院").create(&mut w.rep).await;
    let zhongshan = customer("广州中山医院").create(&mut w.rep).await;
    let xiangya = customer("湘雅医院")
        .credit_limit("5000")
        .create(&mut w.rep)
        .await;
    let huaxi = customer("华西医院").create(&mut rep_b).await;
    // 30 days' credit each; as of 2026-12-31:
    w.shipped_on(w.customer.id, "2026-09-01", 10).await; // 20.00, due 10-01: 91 days
    w.shipped_on(ruijin.id, "2026-10-15", 25).await; // 50.00, due 11-14: 47 days
    w.shipped_on(xiangya.id, "2026-10-15", 5).await; // 10.00, due 11-14: 47 days
    w.app.pin_clock("2026-11-20T10:00:00+08:00");
    let order = OrderBuilder::new(huaxi.id)
        .line(w.drug.id, 4, "")
        .place(&mut rep_b)
        .await;
    ShipmentBuilder::of(&order)
        .everything_left("B1")
        .on("2026-11-20")
        .create(&mut w.cs)
        .await; // 8.00, due 12-20: 11 days
    w.shipped_on(zhongshan.id, "2026-12-20", 5).await; // 10.00, due 2027-01-19: not yet
    w.app.pin_clock("2026-12-31T10:00:00+08:00");

    let list = |bucket: pb::ArrearsBucket, offset: u32| pb::ListArrearsRequest {
        bucket: bucket as i32,
        page: Some(pb::PageRequest { offset, limit: 2 }),
        ..Default::default()
    };
    let names = |r: &pb::ListArrearsResponse| -> Vec<String> {
        r.rows.iter().map(|x| x.customer_name.clone()).collect()
    };
    let ageing = |r: &pb::ListArrearsResponse| {
        let a = r.ageing.clone().expect("totals");
        // No credit stays on account while a shipment is open, so none among those owing.
        assert_eq!(a.on_account, "0.00");
        [
            a.not_due,
            a.days_1_to_30,
            a.days_31_to_60,
            a.days_61_to_90,
            a.over_90_days,
        ]
    };

    // Everyone who owes, two a page: oldest overdue first, the larger first on the same
    // due date, nothing overdue last; the totals are of all five, on every page.
    let mut pages = Vec::new();
    for offset in [0, 2, 4] {
        let page = w.finance.send(list(pb::ArrearsBucket::Any, offset)).await;
        assert_eq!(page.total, 5);
        assert_eq!(
            ageing(&page),
            ["10.00", "8.00", "60.00", "0.00", "20.00"],
            "page at {offset}"
        );
        assert_eq!(page.overdue, "88.00");
        pages.extend(names(&page));
    }
    assert_eq!(
        pages,
        [
            "北京协和医院",
            "上海瑞金医院",
            "湘雅医院",
            "华西医院",
            "广州中山医院"
        ]
    );

    // Sorted by a column, either way; ties by id (广州中山医院 was registered before 湘雅医院).
    let sorted = |sort: pb::ArrearsSort, descending: bool| pb::ListArrearsRequest {
        sort: sort as i32,
        descending,
        page: Some(pb::PageRequest {
            offset: 0,
            limit: 10,
        }),
        ..Default::default()
    };
    let by = [
        (
            sorted(pb::ArrearsSort::Outstanding, true),
            [
                "上海瑞金医院",
                "北京协和医院",
                "广州中山医院",
                "湘雅医院",
                "华西医院",
            ],
        ),
        (
            sorted(pb::ArrearsSort::Outstanding, false),
            [
                "华西医院",
                "湘雅医院",
                "广州中山医院",
                "北京协和医院",
                "上海瑞金医院",
            ],
        ),
        (
            sorted(pb::ArrearsSort::Customer, false),
            [
                "北京协和医院",
                "广州中山医院",
                "华西医院",
                "上海瑞金医院",
                "湘雅医院",
            ],
        ),
        (
            sorted(pb::ArrearsSort::Customer, true),
            [
                "湘雅医院",
                "上海瑞金医院",
                "华西医院",
                "广州中山医院",
                "北京协和医院",
            ],
        ),
        // The most overdue first (not the most owed: 广州中山医院's 10.00 is not yet due).
        (
            sorted(pb::ArrearsSort::Overdue, true),
            [
                "上海瑞金医院",
                "北京协和医院",
                "湘雅医院",
                "华西医院",
                "广州中山医院",
            ],
        ),
        (
            sorted(pb::ArrearsSort::Overdue, false),
            [
                "广州中山医院",
                "华西医院",
                "湘雅医院",
                "北京协和医院",
                "上海瑞金医院",
            ],
        ),
        // The latest due date first; nothing overdue still last.
        (
            sorted(pb::ArrearsSort::OldestDue, true),
            [
                "华西医院",
                "上海瑞金医院",
                "湘雅医院",
                "北京协和医院",
                "广州中山医院",
            ],
        ),
    ];
    for (request, expected) in by {
        let what = format!("{:?} descending {}", request.sort(), request.descending);
        let page = w.finance.send(request).await;
        assert_eq!(names(&page), expected, "{what}");
        assert_eq!((page.total, page.overdue.as_str()), (5, "88.00"), "{what}");
    }
    // A rep's list sorted by name is still their scope.
    let mine = rep_b.send(sorted(pb::ArrearsSort::Customer, false)).await;
    assert_eq!(names(&mine), ["华西医院"]);
    let refused = w
        .finance
        .try_send(pb::ListArrearsRequest {
            sort: 99,
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["sort"]);

    // Overdue only: the same order without the customer not yet due; its 10.00 leaves
    // the totals.
    let overdue = w.finance.send(list(pb::ArrearsBucket::Overdue, 2)).await;
    assert_eq!(overdue.total, 4);
    assert_eq!(names(&overdue), ["湘雅医院", "华西医院"]);
    assert_eq!(ageing(&overdue), ["0.00", "8.00", "60.00", "0.00", "20.00"]);
    let over_30 = w.finance.send(list(pb::ArrearsBucket::Over30, 0)).await;
    assert_eq!((over_30.total, over_30.overdue.as_str()), (3, "80.00"));
    assert_eq!(names(&over_30), ["北京协和医院", "上海瑞金医院"]);

    // By sales rep and by department: rows and totals alike.
    let of_rep = |rep: i64, bucket| pb::ListArrearsRequest {
        sales_rep_id: Some(rep),
        ..list(bucket, 0)
    };
    let of_rep_b = w
        .finance
        .send(of_rep(rep_b.id, pb::ArrearsBucket::Any))
        .await;
    assert_eq!(names(&of_rep_b), ["华西医院"]);
    assert_eq!((of_rep_b.total, of_rep_b.overdue.as_str()), (1, "8.00"));
    let of_south = w
        .finance
        .send(pb::ListArrearsRequest {
            department_id: Some(south.id),
            ..list(pb::ArrearsBucket::Overdue, 0)
        })
        .await;
    assert_eq!(names(&of_south), ["华西医院"]);
    assert_eq!(ageing(&of_south), ["0.00", "8.00", "0.00", "0.00", "0.00"]);
    let of_rep_a = w
        .finance
        .send(of_rep(w.rep.id, pb::ArrearsBucket::Overdue))
        .await;
    assert_eq!((of_rep_a.total, of_rep_a.overdue.as_str()), (3, "80.00"));

    // A rep's own list is their scope, whatever they ask for.
    let mine = rep_b.send(list(pb::ArrearsBucket::Any, 0)).await;
    assert_eq!(names(&mine), ["华西医院"]);
    assert_eq!((mine.total, mine.overdue.as_str()), (1, "8.00"));
    let not_mine = rep_b.send(of_rep(w.rep.id, pb::ArrearsBucket::Any)).await;
    assert!(not_mine.rows.is_empty(), "{not_mine:?}");
    assert_eq!((not_mine.total, not_mine.overdue.as_str()), (0, "0.00"));

    // A customer search, as the customer list finds them (a name, the pinyin initials):
    // rows and totals alike.
    let found = |query: &str| pb::ListArrearsRequest {
        query: query.into(),
        ..list(pb::ArrearsBucket::Any, 0)
    };
    let ruijin_only = w.finance.send(found("瑞金")).await;
    assert_eq!(names(&ruijin_only), ["上海瑞金医院"]);
    assert_eq!(
        (ruijin_only.total, ruijin_only.overdue.as_str()),
        (1, "50.00")
    );
    let by_initials = w.finance.send(found("bjxh")).await;
    assert_eq!(names(&by_initials), ["北京协和医院"]);
    let refused = w
        .finance
        .try_send(found(&"医".repeat(101)))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["query"]);
    assert_arrears_export(&mut w, &mut rep_b, south.id).await;
}

/// The overdue arrears of [`arrears_totals_cover_every_match_and_the_filters_narrow_rows_and_totals_alike`]
/// exported: every match in the list's order with its totals, amounts and days as
/// numbers, dates as dates, no credit limit said in words; only with `report.export` and
/// `finance.arrears.read`, within the exporter's scope and search.
async fn assert_arrears_export(w: &mut World, rep_b: &mut Person, south: i64) {
    use calamine::Data;
    let overdue = || {
        pb::export_request::Report::Arrears(pb::ListArrearsRequest {
            bucket: pb::ArrearsBucket::Overdue as i32,
            ..Default::default()
        })
    };
    let export = w.finance.export(overdue()).await.expect("finance exports");
    assert_eq!(export.done.rows, 4);
    assert_eq!(
        export.progress.last().map(|p| p.file_name.as_str()),
        Some("欠款_2026-12-31.xlsx")
    );
    let rows = sheet_rows(&export.file, "欠款");
    let text = |d: &Data| d.to_string();
    assert!(
        rows.iter()
            .any(|r| r.len() > 1 && text(&r[0]) == "截至：" && text(&r[1]) == "2026-12-31"),
        "the title block says as of when: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.len() > 1 && text(&r[0]) == "金额单位：" && text(&r[1]) == "元"),
        "the title block says amounts are in yuan: {rows:?}"
    );
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("客户".into())))
        .expect("the header row");
    let body = &rows[header + 1..];
    let names: Vec<String> = body.iter().map(|r| text(&r[0])).collect();
    assert_eq!(
        names,
        [
            "北京协和医院",
            "上海瑞金医院",
            "湘雅医院",
            "华西医院",
            "合计"
        ]
    );
    // 北京协和医院: 20.00 over 90 days, 91 days overdue since 2026-10-01, no limit.
    assert_eq!(text(&rows[header][8]), "逾期金额");
    assert_eq!(body[0][6], Data::Float(20.0));
    assert_eq!(body[0][8], Data::Float(20.0));
    assert!(matches!(body[0][9], Data::DateTime(_)), "{:?}", body[0][9]);
    assert_eq!(body[0][10], Data::Float(91.0));
    assert_eq!(body[0][13], Data::String("不限".into()));
    assert_eq!(body[2][13], Data::Float(5000.0));
    // The totals row: Σ of every match.
    assert_eq!(body[4][7], Data::Float(88.0));
    assert_eq!(body[4][8], Data::Float(88.0));

    // A sales rep reads arrears but does not export; exporting reports is not enough
    // without reading arrears.
    let status = rep_b.export(overdue()).await.expect_err("no report.export");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_message_contains(&status, "report.export");
    let mut exporter = w
        .app
        .user_with_permissions("exporter", &["report.read", "report.export"])
        .await;
    let status = exporter
        .export(overdue())
        .await
        .expect_err("no arrears.read");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_message_contains(&status, "finance.arrears.read");

    // Those two without report.read do; over their department only, and as searched.
    PositionBuilder::new("欠款导出")
        .granting(&["report.export", "finance.arrears.read"])
        .scope(pb::DataScope::Department)
        .create(&mut w.app.admin().await)
        .await;
    let mut south_exporter = w
        .app
        .user_with_positions("south-exporter", &["欠款导出"], Some(south))
        .await;
    let theirs = south_exporter
        .export(pb::export_request::Report::Arrears(
            pb::ListArrearsRequest::default(),
        ))
        .await
        .expect("report.export and finance.arrears.read");
    assert_eq!(theirs.done.rows, 1, "华西医院, of the south department");
    let searched = w
        .finance
        .export(pb::export_request::Report::Arrears(
            pb::ListArrearsRequest {
                query: "瑞金".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("searched");
    assert_eq!(searched.done.rows, 1, "上海瑞金医院");
    // Sorted as the list was, and says so.
    let sorts = [
        (
            pb::ArrearsSort::Outstanding,
            true,
            "欠款合计 降序",
            [
                "上海瑞金医院",
                "北京协和医院",
                "广州中山医院",
                "湘雅医院",
                "华西医院",
            ],
        ),
        (
            pb::ArrearsSort::Overdue,
            false,
            "逾期金额 升序",
            [
                "广州中山医院",
                "华西医院",
                "湘雅医院",
                "北京协和医院",
                "上海瑞金医院",
            ],
        ),
    ];
    for (sort, descending, said, expected) in sorts {
        let sorted = w
            .finance
            .export(pb::export_request::Report::Arrears(
                pb::ListArrearsRequest {
                    sort: sort as i32,
                    descending,
                    ..Default::default()
                },
            ))
            .await
            .expect("sorted");
        assert_eq!(title_line(&sorted.file, "排序："), said);
        let names: Vec<String> = sheet_rows(&sorted.file, "欠款")
            .iter()
            .skip_while(|r| r.first() != Some(&Data::String("客户".into())))
            .skip(1)
            .map(|r| r[0].to_string())
            .collect();
        assert_eq!(names[..5], expected, "{said}");
        assert_eq!(names[5..], ["合计"]);
    }
}

/// The arrears of `request` exported by `by`, one customer's row (and the totals).
async fn exported_arrears(by: &mut Person, request: pb::ListArrearsRequest) -> Export {
    let export = by
        .export(pb::export_request::Report::Arrears(request))
        .await
        .expect("exported");
    assert_eq!(export.done.rows, 1);
    export
}

/// The value beside `label` ("截至：") in an exported arrears workbook's title block; empty when
/// there is no such line.
fn title_line(file: &[u8], label: &str) -> String {
    sheet_rows(file, "欠款")
        .iter()
        .find(|r| r.len() > 1 && r[0] == calamine::Data::String(label.into()))
        .map(|r| r[1].to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_exported_statement_reads_back_with_typed_numbers_and_dates() {
    use calamine::Data;
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 100).await;
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    w.finance
        .send(payment(c, "2026-09-20", "123.45", &[]))
        .await;
    // Streamed as a report's export, in Chinese whatever language is asked: it goes to
    // the customer.
    let file = w
        .finance
        .export_in(
            pb::export_request::Report::Statement(statement(c, "2026-09-01", "2026-09-30")),
            "en",
        )
        .await
        .expect("export");
    // One customer's file is named after it, apart from another's of the same period.
    assert_eq!(
        file.progress[0].file_name,
        format!("对账单_{}_2026-09-01_2026-09-30.xlsx", w.customer.name)
    );
    // Its rows counted as they are written: the opening, the shipment, the payment and
    // the closing.
    assert_eq!(
        (file.progress[0].total, file.done.rows),
        (4, 4),
        "{:?}",
        file.progress
    );
    let rows = sheet_rows(&file.file, "对账单");
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String("客户".into())))
        .expect("a header row");
    let body = &rows[header + 1..];
    // Opening, shipment, payment, closing, then the totals; below them, apart, room for
    // the customer to confirm it (it goes to the customer to sign and stamp).
    assert_eq!(body.len(), 10, "{body:?}");
    let closing: Vec<String> = body[6..].iter().map(|r| r[0].to_string()).collect();
    assert_eq!(
        closing,
        ["客户确认：", "客户（盖章）：", "经办人签字：", "日期："]
    );
    assert!(
        body[6][1]
            .to_string()
            .contains("期末余额 76.55 元经核对无误"),
        "{:?}",
        body[6]
    );
    assert_eq!(body[1][6], Data::Float(200.0));
    assert!(matches!(body[1][1], Data::DateTime(_)), "{:?}", body[1][1]);
    assert!(
        matches!(body[1][3], Data::String(ref s) if s.starts_with("SH")),
        "{:?}",
        body[1][3]
    );
    assert_eq!(body[2][7], Data::Float(123.45));
    assert_eq!(body[3][8], Data::Float(76.55));
    assert_eq!(body[4][8], Data::Float(76.55));
    // A quiet period's statement still shows the customer asked for, with its balances.
    let august = w
        .finance
        .send(statement(c, "2026-08-01", "2026-08-31"))
        .await;
    let shown: Vec<(&str, &str, usize)> = august
        .customers
        .iter()
        .map(|x| (x.customer_name.as_str(), x.closing.as_str(), x.rows.len()))
        .collect();
    assert_eq!(shown, [(w.customer.name.as_str(), "0.00", 0)]);
    // The title block: the period, who bills it (our invoicing entities the customer
    // ordered from), the customer (even for a period without a movement), who made it out
    // and when (not our data scope and logins: it goes to the customer); amounts in
    // yuan, said once above the columns; whether the period is confirmed.
    let said = |rows: &[Vec<Data>]| -> Vec<(String, String)> {
        rows[1..]
            .iter()
            .take_while(|r| !r.is_empty() && r[0] != Data::Empty)
            .map(|r| (r[0].to_string(), r[1].to_string()))
            .collect()
    };
    let block = said(&rows);
    let labels: Vec<&str> = block.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "期间：",
            "我方单位：",
            "客户：",
            "制表人：",
            "制表日期：",
            "金额单位：",
            "对账确认："
        ],
        "{block:?}"
    );
    let value = |block: &[(String, String)], label: &str| {
        block
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(value(&block, "期间："), "2026-09-01 至 2026-09-30");
    assert_eq!(value(&block, "客户："), w.customer.name);
    assert_eq!(value(&block, "我方单位："), w.entity.name);
    assert!(!value(&block, "制表人：").is_empty(), "{block:?}");
    assert_eq!(value(&block, "制表日期："), "2026-09-20");
    assert_eq!(value(&block, "金额单位："), "元");
    assert_eq!(value(&block, "对账确认："), "未确认");
    let quiet = w
        .finance
        .export(pb::export_request::Report::Statement(statement(
            c,
            "2026-08-01",
            "2026-08-31",
        )))
        .await
        .expect("export");
    // A quiet period's rows are its opening and closing balances: not "0 rows".
    assert_eq!(quiet.done.rows, 2);
    let rows = sheet_rows(&quiet.file, "对账单");
    assert_eq!(value(&said(&rows), "客户："), w.customer.name);
    // Each export is audited, with what it was of.
    let mut admin = w.app.admin().await;
    let audit = admin
        .send(pb::SearchAuditRequest {
            action: "report.export".into(),
            object_id: "statement".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(audit.entries.len(), 2);
    assert!(
        audit
            .entries
            .iter()
            .all(|e| e.after_json.contains(&w.customer.name)),
        "{audit:?}"
    );
    // Of one handler's documents, the figures are said to be theirs, not the customer's
    // balance, and the ageing the customer's whole debt.
    let of_rep = w
        .finance
        .export(pb::export_request::Report::Statement(
            pb::StatementRequest {
                handler_id: Some(w.rep.id),
                ..statement(c, "2026-09-01", "2026-09-30")
            },
        ))
        .await
        .expect("export");
    // Named after the handler too: not the same name as the whole customer's.
    let rep_name = w.app.admin().await.user_by_id(w.rep.id).await.display_name;
    assert_eq!(
        of_rep.progress[0].file_name,
        format!(
            "对账单_{}_{rep_name}_2026-09-01_2026-09-30.xlsx",
            w.customer.name
        )
    );
    let rows = sheet_rows(&of_rep.file, "对账单");
    let header = rows
        .iter()
        .find(|r| r.first() == Some(&Data::String("客户".into())))
        .expect("a header row");
    assert_eq!(header[8], Data::from("累计"));
    let kinds: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get(2))
        .map(Data::to_string)
        .collect();
    for kind in ["经手期初累计", "经手期末累计"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    assert!(!kinds.iter().any(|k| k == "期初余额"), "{kinds:?}");
    let title = sheet_rows(&of_rep.file, "账龄")[0][0].to_string();
    assert!(title.contains("不按经手人筛选"), "{title}");
    // Of several customers, their opening balances together stand above the totals.
    let other = CustomerBuilder::new("康民大药房")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    w.shipped_on(other.id, "2026-09-02", 10).await; // 20.00
    let everyone = w
        .finance
        .export(pb::export_request::Report::Statement(
            pb::StatementRequest {
                customer_id: None,
                ..statement(c, "2026-09-10", "2026-09-30")
            },
        ))
        .await
        .expect("export");
    assert_eq!(
        everyone.progress[0].file_name,
        "对账单_2026-09-10_2026-09-30.xlsx"
    );
    let rows = sheet_rows(&everyone.file, "对账单");
    let opening_of_all = &rows[rows.len() - 2];
    assert_eq!(
        (&opening_of_all[2], &opening_of_all[8]),
        (&Data::from("期初余额"), &Data::Float(220.0))
    );
    // Exporting reports is not reading statements.
    let mut exporter = w
        .app
        .user_with_permissions("exporter", &["report.read", "report.export"])
        .await;
    let denied = exporter
        .export(pb::export_request::Report::Statement(statement(
            c,
            "2026-09-01",
            "2026-09-30",
        )))
        .await
        .expect_err("no finance.read");
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert_message_contains(&denied, "finance.read");
}

#[tokio::test]
async fn a_statement_says_which_handler_has_left() {
    use calamine::Data;
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 100).await;
    w.app.pin_clock("2026-10-08T10:00:00+08:00");
    // The rep hands the customer over and leaves; the shipments they handled keep them.
    let successor = w.app.sales_rep("rep-b").await;
    let mut admin = w.app.admin().await;
    admin
        .send(pb::HandoverCustomersRequest {
            from_user_id: w.rep.id,
            moves: vec![pb::HandoverMove {
                customer_id: c,
                sales_rep_id: successor.id,
                cs_rep_id: 0,
            }],
        })
        .await;
    let rep = admin.user_by_id(w.rep.id).await;
    admin.disable_user(&rep).await.expect("disabled");
    let of_rep = pb::StatementRequest {
        handler_id: Some(w.rep.id),
        ..statement(c, "2026-09-01", "2026-09-30")
    };
    let shown = w.finance.send(of_rep.clone()).await;
    assert!(shown.handler_inactive);
    // A handler not on record is refused: an empty statement would read as "all
    // handlers, nothing owed".
    let nobody = pb::StatementRequest {
        handler_id: Some(987_654),
        ..of_rep.clone()
    };
    assert_eq!(w.finance.bad_fields_of(nobody).await, ["handler_id"]);
    let customer = &shown.customers[0];
    let handlers: Vec<(&str, bool)> = customer
        .rows
        .iter()
        .map(|r| (r.handler.as_str(), r.handler_inactive))
        .collect();
    assert_eq!(handlers, [(rep.display_name.as_str(), true)]);
    // The file sent to the customer says so too: in the title block and on each
    // document they handled.
    let file = w
        .finance
        .export(pb::export_request::Report::Statement(of_rep))
        .await
        .expect("export");
    let left = format!("{}（已停用）", rep.display_name);
    let rows = sheet_rows(&file.file, "对账单");
    assert!(
        rows.iter()
            .any(|r| r.first() == Some(&Data::from("经手人："))
                && r.get(1) == Some(&Data::from(left.as_str()))),
        "{rows:?}"
    );
    let shipment = rows
        .iter()
        .find(|r| matches!(r.get(3), Some(Data::String(s)) if s.starts_with("SH")))
        .expect("the shipment's row");
    assert_eq!(shipment[9], Data::from(left.as_str()));
    let ageing = sheet_rows(&file.file, "账龄");
    assert!(
        ageing
            .iter()
            .any(|r| r.get(1) == Some(&Data::from(left.as_str()))),
        "{ageing:?}"
    );
}

#[tokio::test]
async fn the_demo_holds_a_part_paid_overdue_customer_in_a_reconciled_period() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let today = app.clock().today();
    let mut sales1 = app.demo_user("sales1").await;
    let reminders = sales1
        .send(pb::ListArrearsRequest {
            bucket: pb::ArrearsBucket::Overdue as i32,
            ..Default::default()
        })
        .await;
    assert_eq!(reminders.rows.len(), 1, "{reminders:?}");
    let row = &reminders.rows[0];
    // Shipped 80 days ago with 60 days of credit, half paid.
    let ageing = row.ageing.clone().expect("ageing");
    assert_eq!(ageing.days_1_to_30, row.overdue, "{row:?}");
    assert_eq!(row.days_overdue, 20);
    assert_eq!(row.last_payment_amount, row.overdue);
    assert!(!row.last_payment_date.is_empty(), "part paid: {row:?}");

    let mut finance1 = app.demo_user("finance1").await;
    let from = today - chrono::Days::new(120);
    let s = finance1
        .send(pb::StatementRequest {
            customer_id: Some(row.customer_id),
            date_from: from.format("%Y-%m-%d").to_string(),
            date_to: today.format("%Y-%m-%d").to_string(),
            handler_id: None,
        })
        .await;
    let c = &s.customers[0];
    let reconciled = today - chrono::Days::new(35);
    assert_eq!(
        c.reconciled_through,
        reconciled.format("%Y-%m-%d").to_string()
    );
    assert!(c.rows.iter().any(|r| r.kind() == pb::MovementKind::Payment));
    assert_eq!(
        c.ageing.as_ref().map(|a| a.balance.clone()),
        Some(c.closing.clone())
    );
    // The older order is invoiced in full.
    let invoices = finance1
        .send(pb::ListInvoicesRequest {
            customer_id: Some(row.customer_id),
            ..Default::default()
        })
        .await;
    assert_eq!(invoices.total, 1);
    let order_id = invoices.invoices[0].orders[0].order_id;
    let money = finance1.order_finance(order_id).await;
    assert_eq!(money.not_invoiced, "0.00");
    assert_eq!(money.invoiced, money.net);
    // The payment was entered on its date (the payment view says who entered it, when),
    // not when the demo was seeded.
    let payments = finance1
        .send(pb::ListPaymentsRequest {
            customer_id: Some(row.customer_id),
            ..Default::default()
        })
        .await;
    let paid = &payments.payments[0];
    let entered = paid.created_at.as_ref().expect("entered");
    let entered = chrono::DateTime::from_timestamp(entered.seconds, 0)
        .expect("a time")
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    assert_eq!(entered, paid.payment_date);
}

/// The header row of sheet `name` (the row whose first cell is `first`) and the rows
/// after it, the totals row last.
pub(crate) fn register_rows(
    file: &[u8],
    name: &str,
    first: &str,
) -> (Vec<calamine::Data>, Vec<Vec<calamine::Data>>) {
    let rows = sheet_rows(file, name);
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&calamine::Data::String(first.into())))
        .unwrap_or_else(|| panic!("the header row of {name}: {rows:?}"));
    (rows[header].clone(), rows[header + 1..].to_vec())
}

/// The index of the column headed `heading`.
pub(crate) fn column(header: &[calamine::Data], heading: &str) -> usize {
    header
        .iter()
        .position(|h| *h == calamine::Data::String(heading.into()))
        .unwrap_or_else(|| panic!("no column {heading}: {header:?}"))
}

/// The cell under `heading` of `row`, as text.
pub(crate) fn under(header: &[calamine::Data], row: &[calamine::Data], heading: &str) -> String {
    row.get(column(header, heading))
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// The payments register totals what the payments hold on account (未分配), reversed ones
/// left out, as it totals what they received.
#[tokio::test]
async fn the_payments_register_totals_what_is_held_on_account() {
    use calamine::Data;
    let mut w = world().await;
    let c = w.customer.id;
    w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    w.app.pin_clock("2026-09-04T10:00:00+08:00");
    w.finance.send(payment(c, "2026-09-02", "30", &[])).await; // 10.00 on account
    w.finance.send(payment(c, "2026-09-03", "5", &[])).await; // all on account
    let mistaken = w.finance.send(payment(c, "2026-09-03", "7", &[])).await;
    w.finance
        .send(reversing(&mistaken, "重复登记", "2026-09-03"))
        .await;
    let export = w
        .finance
        .export(pb::export_request::Report::Payments(
            pb::ListPaymentsRequest::default(),
        ))
        .await
        .expect("finance exports the payments");
    let (header, body) = register_rows(&export.file, "回款记录", "回款单号");
    let (amount, held) = (column(&header, "回款金额"), column(&header, "未分配"));
    assert_eq!(body[3][0], Data::String("合计".into()), "{body:?}");
    assert_eq!(
        (&body[3][amount], &body[3][held]),
        (&Data::Float(35.0), &Data::Float(15.0))
    );
}

#[tokio::test]
async fn the_payments_invoices_and_write_offs_registers_export_every_match_latest_first() {
    use calamine::Data;
    let mut w = world().await;
    let c = w.customer.id;
    let (first, _) = w.shipped_on(c, "2026-09-01", 10).await; // 20.00
    let (later, second) = w.shipped_on(c, "2026-09-02", 5).await; // 10.00
    w.app.pin_clock("2026-09-04T10:00:00+08:00");
    let paid = w
        .finance
        .send(payment(c, "2026-09-01", "15", &[(first.header().id, "15")]))
        .await;
    let ahead = w.finance.send(payment(c, "2026-09-03", "8", &[])).await;
    let mistaken = w.finance.send(payment(c, "2026-09-03", "5", &[])).await;
    w.finance
        .send(reversing(&mistaken, "重复登记", "2026-09-03"))
        .await;
    let blue = w
        .finance
        .send(blue_invoice(
            c,
            w.entity.id,
            (first.header().id, "20"),
            "04419001",
        ))
        .await;
    w.finance
        .send(pb::RecordInvoiceRequest {
            number: "04419002".into(),
            code: INVOICE_CODE.into(),
            invoice_date: "2026-09-02".into(),
            red_of_invoice_id: blue.id,
            orders: vec![pb::InvoiceOrderInput {
                order_id: first.header().id,
                amount: "5".into(),
            }],
            ..Default::default()
        })
        .await;
    let written = w.finance.send(bank_fee(&second, "0.20")).await;
    w.app.pin_clock("2026-09-05T10:00:00+08:00");

    // Payments: the latest first (the later recorded first on a day), reversed ones
    // with their amount and state but out of the total, as the list.
    let export = w
        .finance
        .export(pb::export_request::Report::Payments(
            pb::ListPaymentsRequest::default(),
        ))
        .await
        .expect("finance exports the payments");
    assert_eq!(export.done.rows, 3);
    assert_eq!(
        export.progress.last().map(|p| p.file_name.as_str()),
        Some("回款记录_2026-09-05.xlsx"),
        "no period: named by the day exported"
    );
    let (header, body) = register_rows(&export.file, "回款记录", "回款单号");
    let numbers: Vec<String> = body.iter().map(|r| r[0].to_string()).collect();
    assert_eq!(
        numbers,
        [
            mistaken.number.as_str(),
            ahead.number.as_str(),
            paid.number.as_str(),
            "合计"
        ]
    );
    assert_eq!(under(&header, &body[0], "状态"), "已冲销：2026-09-03");
    assert_eq!(under(&header, &body[0], "冲销原因"), "重复登记");
    assert_eq!(under(&header, &body[1], "状态"), "正常");
    // Paid on what was owed, the oldest due first: nothing left on account.
    assert_eq!(
        under(&header, &body[1], "分配到订单"),
        format!(
            "{}：5.00；{}：3.00",
            first.header().number,
            later.header().number
        )
    );
    assert_eq!(under(&header, &body[1], "未分配"), "0");
    assert_eq!(
        under(&header, &body[2], "分配到订单"),
        format!("{}：15.00", first.header().number)
    );
    assert_eq!(under(&header, &body[2], "付款方式"), "银行转账");
    assert!(matches!(body[2][1], Data::DateTime(_)), "{:?}", body[2][1]);
    let amount = column(&header, "回款金额");
    assert_eq!(body[2][amount], Data::Float(15.0));
    assert_eq!(
        body[3][amount],
        Data::Float(23.0),
        "15 + 8, not the reversed 5"
    );
    let rows = sheet_rows(&export.file, "回款记录");
    assert!(
        rows.iter().any(|r| r.len() > 1
            && r[0] == Data::String("说明：".into())
            && r[1].to_string().starts_with("合计不含已冲销的回款")),
        "the title block says what the total leaves out: {rows:?}"
    );

    // Read by key a batch at a time, each batch picks up where the last ended: two at a
    // time gives the same rows in the same order.
    let mut paged = Vec::new();
    pharmacrm_server::ops::finance::each_payment_batch(
        &mut w.app.sql(),
        &pharmacrm_server::db::scope::Reps::All,
        &Default::default(),
        2,
        |batch| {
            paged.extend(batch.into_iter().map(|v| v.payment.number));
            Ok(true)
        },
    )
    .expect("every payment");
    assert_eq!(paged, numbers[..3]);

    // Filtered as the list is, and named by the period; in English on request.
    let since = w
        .finance
        .export_in(
            pb::export_request::Report::Payments(pb::ListPaymentsRequest {
                date_from: "2026-09-02".into(),
                ..Default::default()
            }),
            "en",
        )
        .await
        .expect("in English");
    assert_eq!(since.done.rows, 2);
    assert_eq!(
        since.progress.last().map(|p| p.file_name.as_str()),
        Some("Payments_from 2026-09-02.xlsx")
    );
    let (header, body) = register_rows(&since.file, "Payments", "Payment no.");
    // One customer's: named by the customer, so that it does not replace the whole's.
    let theirs = w
        .finance
        .export(pb::export_request::Report::Payments(
            pb::ListPaymentsRequest {
                customer_id: Some(c),
                date_from: "2026-09-01".into(),
                date_to: "2026-09-30".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("one customer's payments");
    assert_eq!(theirs.done.rows, 3);
    assert_eq!(
        theirs.progress.last().map(|p| p.file_name.as_str()),
        Some(format!("回款记录_{}_2026-09-01_2026-09-30.xlsx", w.customer.name).as_str())
    );
    assert_eq!(under(&header, &body[0], "Status"), "Reversed: 2026-09-03");
    assert_eq!(under(&header, &body[1], "Method"), "Bank transfer");

    // Invoices: red ones negative, each with its state, the number as text.
    let export = w
        .finance
        .export(pb::export_request::Report::Invoices(
            pb::ListInvoicesRequest {
                date_from: "2026-09-01".into(),
                date_to: "2026-09-30".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("finance exports the invoices");
    assert_eq!(
        export.progress.last().map(|p| p.file_name.as_str()),
        Some("开票记录_2026-09-01_2026-09-30.xlsx")
    );
    let (header, body) = register_rows(&export.file, "开票记录", "发票号");
    assert_eq!(body[0][0], Data::String("04419002".into()));
    // The code beside it, as text (its leading zeros kept on another code).
    assert_eq!(under(&header, &body[0], "发票代码"), INVOICE_CODE);
    assert_eq!(under(&header, &body[0], "状态"), "红冲 1100261130 04419001");
    assert_eq!(under(&header, &body[1], "状态"), "部分红冲 5.00");
    assert_eq!(under(&header, &body[1], "发票种类"), "增值税专用发票");
    let amount = column(&header, "金额");
    assert_eq!(body[0][amount], Data::Float(-5.0));
    assert_eq!(body[2][amount], Data::Float(15.0), "20 less the red 5");

    // Write-offs: what each takes off now, totalled.
    let export = w
        .finance
        .export(pb::export_request::Report::WriteOffs(
            pb::ListWriteOffsRequest {
                reason_kind: pb::WriteOffReason::BankFee as i32,
                ..Default::default()
            },
        ))
        .await
        .expect("finance exports the write-offs");
    assert_eq!(
        export.progress.last().map(|p| p.file_name.as_str()),
        Some("核销记录_银行手续费_2026-09-05.xlsx"),
        "the kind filtered on is in the name"
    );
    let (header, body) = register_rows(&export.file, "核销记录", "核销单号");
    assert_eq!(body[0][0], Data::String(written.number.clone()));
    assert_eq!(under(&header, &body[0], "核销类型"), "银行手续费");
    assert_eq!(under(&header, &body[0], "发货单号"), second.number);
    assert_eq!(under(&header, &body[1], "现核销"), "0.2");

    // What the lists need, besides report.export; within the exporter's scope.
    let mut exporter = w
        .app
        .user_with_permissions("exporter", &["report.read", "report.export"])
        .await;
    let status = exporter
        .export(pb::export_request::Report::Payments(
            pb::ListPaymentsRequest::default(),
        ))
        .await
        .expect_err("no finance.read");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_message_contains(&status, "finance.read");
    let mut rep_exporter = w
        .app
        .user_with_permissions("rep-exporter", &["report.export", "finance.arrears.read"])
        .await;
    let theirs = rep_exporter
        .export(pb::export_request::Report::Invoices(
            pb::ListInvoicesRequest::default(),
        ))
        .await
        .expect("finance.arrears.read lists invoices");
    assert_eq!(theirs.done.rows, 0, "no customer of theirs");
    let status = rep_exporter
        .export(pb::export_request::Report::WriteOffs(
            pb::ListWriteOffsRequest {
                customer_id: Some(c),
                ..Default::default()
            },
        ))
        .await
        .expect_err("another's customer");
    assert_eq!(status.code(), Code::NotFound);
    let status = w
        .finance
        .export(pb::export_request::Report::Payments(
            pb::ListPaymentsRequest {
                date_from: "2026-09-31".into(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("no such day");
    assert_eq!(bad_fields(&status), ["payments.date_from"]);
    // An order not theirs is not named on a sheet, nor told apart from none.
    let status = rep_exporter
        .export(pb::export_request::Report::Invoices(
            pb::ListInvoicesRequest {
                order_id: Some(first.header().id),
                ..Default::default()
            },
        ))
        .await
        .expect_err("another's order");
    assert_eq!(status.code(), Code::NotFound);
    // A kind this server does not know is refused, not read as any kind.
    let status = w
        .finance
        .export(pb::export_request::Report::WriteOffs(
            pb::ListWriteOffsRequest {
                reason_kind: 99,
                ..Default::default()
            },
        ))
        .await
        .expect_err("no such kind");
    assert_eq!(bad_fields(&status), ["write_offs.reason_kind"]);
}
