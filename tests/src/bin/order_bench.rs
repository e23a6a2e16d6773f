//! Orders, finance and reports at company size: a million orders of 100,000 customers in
//! every province, generated in SQL (`INSERT … SELECT generate_series`) in a fresh test
//! database: three years of business days, in every state, a fifth of them with a shipment
//! still in transit (most of those overdue), each order one line of one of 500 drugs
//! shipped whole, one delivered shipment in fifty with a transport exception (a deduction
//! or a replacement pending). Then it measures over TLS `SearchOrders` — one page of 50,
//! newest first — as an administrator (scope: all) and as a sales rep (scope: their own
//! 5,000 customers), with and without filters, at 1 and 16 concurrent streams; the finance
//! screens; every report over a month and a year; and a year's export with the server's
//! resident memory.
//!
//! `cargo run --release -p pharmacrm-tests --bin order-bench [-- ORDERS [SECONDS [CUSTOMERS]]]`
//! (`BENCH_HOLD=1`: after the figures, print the database's URL and keep it until stopped,
//! to study query plans)
//! (defaults: 1,000,000 orders, 10 seconds per run, 100,000 customers). With as many
//! customers as orders, nearly every customer buys once, and the year's consumption
//! export runs to most of a million rows.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use pharmacrm_shared::pb;
use pharmacrm_tests::bench::{self, Call, report, run_streams};
use pharmacrm_tests::fixtures::invoicing_entity;
use pharmacrm_tests::{Clients, TestApp, page};

const REPS: usize = 20;
const DRUGS: i64 = 500;

/// `customers` customers spread over `reps`, served by `cs`; then `orders` orders over
/// three years.
fn generate(
    conn: &mut PgConnection,
    customers: i64,
    orders: i64,
    reps: &[i64],
    cs: i64,
    type_id: i64,
    entity: i64,
) {
    let started = Instant::now();
    diesel::sql_query(
        "INSERT INTO customers (name, contact_person, phone, province_code, city_code,
                                business_kind, type_id, credit_days, sales_rep_id, cs_rep_id,
                                search_grams, pinyin_sets)
         SELECT '客户' || g, '联系人', '138' || lpad(g::text, 8, '0'),
                left(($5::text[])[1 + g % array_length($5::text[], 1)], 2),
                ($5::text[])[1 + g % array_length($5::text[], 1)],
                'pharmacy', $1, 30, ($2::bigint[])[1 + g % array_length($2::bigint[], 1)], $3,
                '{}'::text[], ''
           FROM generate_series(1, $4) AS g",
    )
    .bind::<diesel::sql_types::BigInt, _>(type_id)
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(reps)
    .bind::<diesel::sql_types::BigInt, _>(cs)
    .bind::<diesel::sql_types::BigInt, _>(customers)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(cities())
    .execute(conn)
    .expect("customers");
    // The assignment history: every customer with its reps since 2023; one in ten handed
    // over to its current sales rep on 2026-06-01 (the reports credit the rep of the day).
    diesel::sql_query(
        "INSERT INTO customer_assignments (customer_id, role, user_id, effective_from,
                                           effective_to, source)
         SELECT c.id, 'sales', c.sales_rep_id,
                CASE WHEN c.id % 10 = 0 THEN timestamptz '2026-06-01 00:00+08'
                     ELSE timestamptz '2023-01-01 00:00+08' END, NULL,
                CASE WHEN c.id % 10 = 0 THEN 'handover' ELSE 'registered' END
           FROM customers c
         UNION ALL
         SELECT c.id, 'sales', ($1::bigint[])[1 + (c.id + 1) % array_length($1::bigint[], 1)],
                timestamptz '2023-01-01 00:00+08', timestamptz '2026-06-01 00:00+08',
                'registered'
           FROM customers c WHERE c.id % 10 = 0
         UNION ALL
         SELECT c.id, 'cs', c.cs_rep_id, timestamptz '2023-01-01 00:00+08', NULL,
                'registered'
           FROM customers c",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(reps)
    .execute(conn)
    .expect("assignments");
    // 500 drugs, alternately of the two top-level classes (代理类, 自产类).
    diesel::sql_query(
        "INSERT INTO container_units (name, capacity, capacity_unit) VALUES ('盒', 24, '粒')",
    )
    .execute(conn)
    .expect("unit");
    diesel::sql_query(
        "INSERT INTO drugs (name, specification, manufacturer, category_id, unit_id,
                            purchase_price, sale_price)
         SELECT '药品' || g, '0.25g×24粒', '药厂' || (g % 40),
                (SELECT id FROM drug_categories WHERE parent_id IS NULL
                  ORDER BY sort_order OFFSET g % 2 LIMIT 1),
                (SELECT max(id) FROM container_units), 1, 2
           FROM generate_series(1, $1) AS g",
    )
    .bind::<diesel::sql_types::BigInt, _>(DRUGS)
    .execute(conn)
    .expect("drugs");
    // States by a hash of g (so that every rep's customers get every state): 0–5 completed,
    // 6–7 shipped and in transit, 8 pending, 9 cancelled.
    diesel::sql_query(
        "INSERT INTO orders (number, customer_id, sales_rep_id, cs_rep_id, order_date,
                             invoicing_entity_id, delivery_address, credit_days, total,
                             units_ordered, units_shipped, units_delivered, open_shipments,
                             cancelled_at, cancel_reason, cancelled_by, created_by)
         SELECT 'SO' || to_char(d, 'YYYYMMDD') || '-' || lpad(g::text, 7, '0'),
                c.id, c.sales_rep_id, c.cs_rep_id, d, $1, '北京市 东城区', 30,
                (g % 5000) / 100.0 + 10, 10,
                CASE WHEN k < 8 THEN 10 ELSE 0 END,
                CASE WHEN k < 6 THEN 10 ELSE 0 END,
                CASE WHEN k IN (6, 7) THEN 1 ELSE 0 END,
                CASE WHEN k = 9 THEN now() END,
                CASE WHEN k = 9 THEN '客户取消' ELSE '' END,
                CASE WHEN k = 9 THEN c.sales_rep_id END,
                c.sales_rep_id
           FROM generate_series(1, $2) AS g
           CROSS JOIN LATERAL (SELECT date '2026-11-30' - (g % 1095)::int AS d,
                                      abs(hashint8(g)) % 10 AS k) AS day
           JOIN customers c ON c.id = (SELECT min(id) FROM customers) + (g * 7919) % $3",
    )
    .bind::<diesel::sql_types::BigInt, _>(entity)
    .bind::<diesel::sql_types::BigInt, _>(orders)
    .bind::<diesel::sql_types::BigInt, _>(customers)
    .execute(conn)
    .expect("orders");
    // One line per order: ten units of one drug at a tenth of the total.
    diesel::sql_query(
        "INSERT INTO order_lines (order_id, line_no, drug_id, drug_name, specification,
                                  manufacturer, unit_label, quantity, unit_price, amount,
                                  shipped_quantity)
         SELECT o.id, 1, d.id, d.name, d.specification, d.manufacturer, '盒（24粒）', 10,
                o.total / 10, o.total, o.units_shipped
           FROM orders o
           JOIN (SELECT id, name, specification, manufacturer,
                        row_number() OVER (ORDER BY id) - 1 AS i FROM drugs) d
             ON d.i = abs(hashint8(o.id + 17)) % $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(DRUGS)
    .execute(conn)
    .expect("order lines");
    // A shipment per shipped order: delivered two days later when the order is
    // complete, else in transit.
    diesel::sql_query(
        "INSERT INTO shipments (number, order_id, customer_id, ship_date, carrier,
                                transit_days, invoicing_entity_id, amount, created_by,
                                delivery_status, delivered_at, signer)
         SELECT 'SH' || to_char(o.order_date, 'YYYYMMDD') || '-' || lpad(o.id::text, 7, '0'),
                o.id, o.customer_id, o.order_date, '顺丰速运', 3, o.invoicing_entity_id,
                o.total, o.cs_rep_id,
                CASE WHEN o.open_shipments = 1 THEN 'in_transit' ELSE 'delivered' END,
                CASE WHEN o.open_shipments = 1 THEN NULL
                     ELSE (o.order_date + 2)::timestamptz + interval '4 hours' END,
                CASE WHEN o.open_shipments = 1 THEN '' ELSE '王药师' END
           FROM orders o WHERE o.units_shipped > 0",
    )
    .execute(conn)
    .expect("shipments");
    diesel::sql_query(
        "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity, unit_price, amount,
                                     batch_no, expiry_date)
         SELECT s.id, ol.id, ol.quantity, ol.unit_price, ol.amount,
                'B' || to_char(s.ship_date, 'YYMM'), s.ship_date + 720
           FROM shipments s JOIN order_lines ol ON ol.order_id = s.order_id",
    )
    .execute(conn)
    .expect("shipment lines");
    // One delivered shipment in fifty reports two units damaged, lost or short the day
    // after delivery: two in three deducted, the others still pending.
    diesel::sql_query(
        "INSERT INTO transport_exceptions (number, shipment_id, order_id, customer_id, kind,
                                           description, value, decision, decided_by,
                                           decided_at, reported_by, reported_at, closed_at)
         SELECT 'EX' || to_char(s.ship_date + 3, 'YYYYMMDD') || '-' || lpad(s.id::text, 7, '0'),
                s.id, s.order_id, s.customer_id,
                (ARRAY['damaged', 'lost', 'short'])[1 + s.id % 3], '外箱破损',
                round(2 * sl.unit_price, 2),
                CASE WHEN s.id % 3 = 2 THEN 'pending' ELSE 'deduct' END,
                CASE WHEN s.id % 3 = 2 THEN NULL ELSE o.sales_rep_id END,
                CASE WHEN s.id % 3 = 2 THEN NULL
                     ELSE (s.ship_date + 4)::timestamptz + interval '2 hours' END,
                s.created_by, (s.ship_date + 3)::timestamptz + interval '2 hours',
                CASE WHEN s.id % 3 = 2 THEN NULL
                     ELSE (s.ship_date + 4)::timestamptz + interval '2 hours' END
           FROM shipments s
           JOIN shipment_lines sl ON sl.shipment_id = s.id
           JOIN orders o ON o.id = s.order_id
          WHERE s.delivery_status = 'delivered' AND s.id % 50 = 7
            AND s.ship_date + 4 <= date '2026-11-30'",
    )
    .execute(conn)
    .expect("exceptions");
    diesel::sql_query(
        "INSERT INTO exception_lines (exception_id, shipment_line_id, quantity, unit_price,
                                      amount)
         SELECT e.id, sl.id, 2, sl.unit_price, e.value
           FROM transport_exceptions e JOIN shipment_lines sl ON sl.shipment_id = e.shipment_id",
    )
    .execute(conn)
    .expect("exception lines");
    diesel::sql_query(
        "UPDATE shipment_lines sl SET exception_quantity = 2
           FROM transport_exceptions e WHERE e.shipment_id = sl.shipment_id",
    )
    .execute(conn)
    .expect("exception quantities");
    diesel::sql_query(
        "UPDATE orders o SET exception_count = 1,
                             open_exceptions = CASE WHEN e.decision = 'pending' THEN 1 ELSE 0 END
           FROM transport_exceptions e WHERE e.order_id = o.id",
    )
    .execute(conn)
    .expect("order exception counters");
    // No ANALYZE before the ledger: statistics taken while receivable_balances is empty
    // make the balance trigger's cached plan a sequential scan of a table that then grows
    // to 800,000 rows (quadratic); unanalysed, the planner sizes tables from their files.
    // The receivables ledger (posted in date order, as it is written day by day; its
    // trigger writes the sales lines the reports read): each shipment owed, due 30 days later; nine in ten
    // delivered shipments paid in full 40 days after shipping (one payment each).
    diesel::sql_query(
        "INSERT INTO receivable_entries (customer_id, entry_date, kind, document_no,
                                         shipment_id, order_id, due_date, amount,
                                         sales_rep_id, handler_id, created_at)
         SELECT s.customer_id, s.ship_date, 'shipment', s.number, s.id, s.order_id,
                s.ship_date + 30, s.amount, o.sales_rep_id, o.sales_rep_id,
                s.ship_date::timestamptz + interval '10 hours'
           FROM shipments s JOIN orders o ON o.id = s.order_id
          ORDER BY s.ship_date, s.id",
    )
    .execute(conn)
    .expect("ledger debits");
    diesel::sql_query(
        "INSERT INTO receivable_entries (customer_id, entry_date, kind, document_no,
                                         shipment_id, order_id, due_date, exception_id, amount,
                                         sales_rep_id, handler_id, created_at)
         SELECT e.customer_id, (e.decided_at AT TIME ZONE 'Asia/Shanghai')::date, 'deduction',
                e.number, e.shipment_id, e.order_id, s.ship_date + 30, e.id, -e.value,
                o.sales_rep_id, e.decided_by, e.decided_at
           FROM transport_exceptions e
           JOIN shipments s ON s.id = e.shipment_id
           JOIN orders o ON o.id = e.order_id
          WHERE e.decision = 'deduct'
          ORDER BY e.decided_at, e.id",
    )
    .execute(conn)
    .expect("ledger deductions");
    diesel::sql_query(
        "INSERT INTO payments (number, customer_id, payment_date, amount, method, reference,
                               handler_id, sales_rep_id, created_by, created_at)
         SELECT 'PY' || to_char(s.ship_date + 40, 'YYYYMMDD') || '-' || lpad(s.id::text, 7, '0'),
                s.customer_id, s.ship_date + 40,
                s.amount - coalesce((SELECT e.value FROM transport_exceptions e
                                      WHERE e.shipment_id = s.id AND e.decision = 'deduct'), 0),
                'bank_transfer', s.id::text,
                o.sales_rep_id, o.sales_rep_id, o.sales_rep_id,
                (s.ship_date + 40)::timestamptz + interval '10 hours'
           FROM shipments s JOIN orders o ON o.id = s.order_id
          WHERE s.delivery_status = 'delivered' AND s.ship_date + 40 <= date '2026-11-30'
            AND s.id % 10 <> 0",
    )
    .execute(conn)
    .expect("payments");
    diesel::sql_query(
        "INSERT INTO receivable_entries (customer_id, entry_date, kind, document_no,
                                         shipment_id, order_id, due_date, payment_id, amount,
                                         sales_rep_id, handler_id, created_at)
         SELECT p.customer_id, p.payment_date, 'payment', p.number, s.id, s.order_id,
                s.ship_date + 30, p.id, -p.amount, p.sales_rep_id, p.handler_id,
                p.created_at
           FROM payments p JOIN shipments s ON s.id = p.reference::bigint",
    )
    .execute(conn)
    .expect("ledger credits");
    // The customers' search columns, as the server fills those of rows written without
    // them: the arrears search reads them.
    pharmacrm_server::db::models::customer::backfill_search(conn).expect("search columns");
    diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
    println!(
        "generated {customers} customers and {orders} orders in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Every city of the region table: the customers are spread over them.
fn cities() -> Vec<String> {
    pharmacrm_shared::region::provinces()
        .iter()
        .flat_map(|p| p.cities.iter().map(|c| c.code.clone()))
        .collect()
}

/// The searches of a working day: the first page, by status, by date range, overdue, by
/// a number's beginning and by a part of it, by customer.
fn requests(customer_id: i64) -> Vec<(&'static str, pb::SearchOrdersRequest)> {
    let base = || pb::SearchOrdersRequest {
        descending: true,
        page: page(0, 50),
        ..Default::default()
    };
    vec![
        ("newest first", base()),
        (
            "awaiting shipment",
            pb::SearchOrdersRequest {
                statuses: vec![pb::OrderStatus::Pending as i32],
                ..base()
            },
        ),
        (
            "November 2026",
            pb::SearchOrdersRequest {
                created_from: "2026-11-01".into(),
                created_to: "2026-11-30".into(),
                ..base()
            },
        ),
        (
            "with overdue shipments",
            pb::SearchOrdersRequest {
                has_overdue: true,
                ..base()
            },
        ),
        (
            "number prefix SO202611",
            pb::SearchOrdersRequest {
                number: "SO202611".into(),
                ..base()
            },
        ),
        (
            "number part 1128-00",
            pb::SearchOrdersRequest {
                number: "1128-00".into(),
                ..base()
            },
        ),
        (
            "one customer",
            pb::SearchOrdersRequest {
                customer_id: Some(customer_id),
                ..base()
            },
        ),
        (
            "by customer name",
            pb::SearchOrdersRequest {
                sort: pb::OrderSort::Customer as i32,
                ..base()
            },
        ),
    ]
}

/// The median latency of each search, one stream.
async fn per_search(app: &TestApp, token: &str, customer_id: i64) {
    let mut clients: Clients = app.with_token(token).await;
    for (label, request) in requests(customer_id) {
        let (ms, total) = bench::median_search(7, async || {
            let found = clients
                .orders
                .search_orders(request.clone())
                .await
                .expect("search")
                .into_inner();
            (found.total, found.total_is_exact)
        })
        .await;
        println!("  {label:<26} {ms:>7.1} ms   {total} orders");
    }
}

/// One search for orders.
fn search_orders(clients: &mut Clients, request: pb::SearchOrdersRequest) -> Call<'_> {
    Box::pin(async move {
        clients.orders.search_orders(request).await.expect("search");
    })
}

/// The first page of the overdue arrears.
fn overdue_arrears(clients: &mut Clients, (): ()) -> Call<'_> {
    Box::pin(async move {
        clients
            .finance
            .list_arrears(pb::ListArrearsRequest {
                bucket: pb::ArrearsBucket::Overdue as i32,
                page: page(0, 50),
                ..Default::default()
            })
            .await
            .expect("arrears");
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let orders: i64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let customers: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let app = TestApp::spawn_with(|c| c.pool_size = 20).await;
    app.pin_clock("2026-11-30T10:00:00+08:00");
    let mut reps = Vec::new();
    for i in 0..REPS {
        reps.push(app.sales_rep(&format!("bench-rep-{i}")).await);
    }
    let rep_ids: Vec<i64> = reps.iter().map(|r| r.id).collect();
    let cs = app.service_rep("bench-cs").await.id;
    let entity = invoicing_entity(&app).await.id;
    let mut admin = app.admin().await;
    let type_id = admin
        .customers
        .list_customer_types(pb::ListCustomerTypesRequest::default())
        .await
        .expect("types")
        .into_inner()
        .types[0]
        .id;
    let mut conn = app.sql();
    generate(&mut conn, customers, orders, &rep_ids, cs, type_id, entity);
    // A customer of the first rep, for the customer view's order history.
    let customer_id: i64 =
        diesel::sql_query("SELECT min(id) AS count FROM customers WHERE sales_rep_id = $1")
            .bind::<diesel::sql_types::BigInt, _>(rep_ids[0])
            .get_result::<pharmacrm_server::db::sql::Count>(&mut conn)
            .expect("a customer")
            .count;

    let admin_token = admin.token.clone();
    let rep_token = reps[0].clients.token.clone();
    for (who, token) in [
        ("an administrator (all orders)", &admin_token),
        ("a sales rep (own customers)", &rep_token),
    ] {
        println!("SearchOrders, one page of 50, as {who}:");
        per_search(&app, token, customer_id).await;
        let searches: Vec<pb::SearchOrdersRequest> =
            requests(customer_id).into_iter().map(|(_, r)| r).collect();
        let (samples, elapsed) =
            run_streams(&app, token, 1, seconds, &searches, search_orders).await;
        report("  the day's searches, 1 stream", samples, elapsed);
        let (samples, elapsed) =
            run_streams(&app, token, 16, seconds, &searches, search_orders).await;
        report("  the day's searches, 16 streams", samples, elapsed);
    }
    for (who, token) in [
        ("an administrator (all customers)", &admin_token),
        ("a sales rep (own customers)", &rep_token),
    ] {
        println!("Finance over the ledger, as {who}:");
        per_finance(&app, token, customer_id, token == &admin_token).await;
        let (samples, elapsed) = run_streams(&app, token, 1, seconds, &[()], overdue_arrears).await;
        report("  arrears list (first page), 1 stream", samples, elapsed);
        let (samples, elapsed) =
            run_streams(&app, token, 16, seconds, &[()], overdue_arrears).await;
        report("  arrears list (first page), 16 streams", samples, elapsed);
    }
    println!("Reports, as an administrator (all customers):");
    per_report(&app, &admin_token).await;
    export_memory(
        &app,
        &admin_token,
        "customer consumption, three years",
        pb::export_request::Report::CustomerConsumption(pb::CustomerConsumptionRequest {
            date_from: "2023-12-01".into(),
            date_to: "2026-11-30".into(),
            ..Default::default()
        }),
    )
    .await;
    export_memory(
        &app,
        &admin_token,
        "arrears, everyone who owes",
        pb::export_request::Report::Arrears(pb::ListArrearsRequest::default()),
    )
    .await;
    export_memory(
        &app,
        &admin_token,
        "payments register, every payment",
        pb::export_request::Report::Payments(pb::ListPaymentsRequest::default()),
    )
    .await;
    // The statement of every customer: an opening and a closing row for each with a
    // balance, and each movement of the period (read whole, then written in constant
    // memory).
    for (label, from) in [
        ("statement, every customer, a month", "2026-11-01"),
        ("statement, every customer, a quarter", "2026-09-01"),
    ] {
        export_memory(
            &app,
            &admin_token,
            label,
            pb::export_request::Report::Statement(pb::StatementRequest {
                date_from: from.into(),
                date_to: "2026-11-30".into(),
                ..Default::default()
            }),
        )
        .await;
    }
    if std::env::var_os("BENCH_HOLD").is_some() {
        // For EXPLAIN ANALYZE by hand after the figures: the database stays until the
        // process is stopped.
        println!("holding the database: {}", app.database_url);
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
}

/// The median latency of each report over a month and a year, one stream.
async fn per_report(app: &TestApp, token: &str) {
    let mut c: Clients = app.with_token(token).await;
    for (span, from) in [("a month", "2026-11-01"), ("a year", "2025-12-01")] {
        let to = "2026-11-30";
        let d = |f: &str, t: &str| pb::DrugSalesRequest {
            date_from: f.into(),
            date_to: t.into(),
            ..Default::default()
        };
        macro_rules! time {
            ($label:expr, $call:expr) => {{
                let mut samples = Vec::new();
                for _ in 0..3 {
                    let t = Instant::now();
                    $call.await.expect($label);
                    samples.push(t.elapsed());
                }
                samples.sort();
                println!(
                    "  {:<44} {:>8.1} ms",
                    format!("{}, {span}", $label),
                    samples[1].as_secs_f64() * 1000.0
                );
            }};
        }
        time!("drug sales", c.reports.drug_sales(d(from, to)));
        time!(
            "drug sales by week",
            c.reports.drug_sales_series(pb::DrugSalesSeriesRequest {
                date_from: from.into(),
                date_to: to.into(),
                interval: pb::SeriesInterval::Week as i32,
                ..Default::default()
            })
        );
        time!(
            "customer distribution",
            c.reports
                .customer_distribution(pb::CustomerDistributionRequest::default())
        );
        time!(
            "employee performance",
            c.reports
                .employee_performance(pb::EmployeePerformanceRequest {
                    date_from: from.into(),
                    date_to: to.into(),
                    ..Default::default()
                })
        );
        time!(
            "customer consumption (first page)",
            c.reports
                .customer_consumption(pb::CustomerConsumptionRequest {
                    date_from: from.into(),
                    date_to: to.into(),
                    ..Default::default()
                })
        );
        time!(
            "regional sales",
            c.reports.regional_sales(pb::RegionalSalesRequest {
                date_from: from.into(),
                date_to: to.into(),
                ..Default::default()
            })
        );
        time!(
            "exceptions by customer",
            c.reports.exceptions(pb::ExceptionsRequest {
                date_from: from.into(),
                date_to: to.into(),
                group_by: pb::ExceptionGrouping::Customer as i32,
                ..Default::default()
            })
        );
    }
}

/// This process's resident memory (the server runs in it), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Exports `report` through the stream, discarding the bytes, while sampling the resident
/// memory: the consumption of the whole three years (one row per customer who bought:
/// every customer, up to a million with as many customers as orders), the arrears of
/// everyone who owes, the payments register whole (every payment, with its allocations),
/// the statement of every customer.
async fn export_memory(
    app: &TestApp,
    token: &str,
    label: &str,
    report: pb::export_request::Report,
) {
    let mut c: Clients = app.with_token(token).await;
    let before = rss_mib();
    let peak = std::sync::Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = rss_mib();
                {
                    let mut p = peak.lock().expect("peak");
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let t = Instant::now();
    let mut stream = c
        .reports
        .export(pb::ExportRequest {
            report: Some(report),
            ..Default::default()
        })
        .await
        .expect("export")
        .into_inner();
    let (mut bytes, mut rows) = (0u64, 0u64);
    loop {
        let chunk = match stream.message().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(refused) => {
                sampler.abort();
                println!("  export: {label} refused: {}", refused.message());
                return;
            }
        };
        match chunk.part {
            Some(pb::export_chunk::Part::Data(d)) => bytes += d.len() as u64,
            Some(pb::export_chunk::Part::Done(d)) => rows = d.rows,
            _ => {}
        }
    }
    sampler.abort();
    let peak = *peak.lock().expect("peak");
    println!(
        "  export: {label} {:>8.1} s   {rows} rows, {:.1} MiB file, \
         resident memory {before:.0} → peak {peak:.0} MiB",
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1_048_576.0
    );
}

/// The median latency of each finance screen's call, one stream.
async fn per_finance(app: &TestApp, token: &str, customer_id: i64, statements: bool) {
    let mut clients: Clients = app.with_token(token).await;
    let arrears = |bucket: pb::ArrearsBucket| pb::ListArrearsRequest {
        bucket: bucket as i32,
        page: page(0, 50),
        ..Default::default()
    };
    let statement = |customer_id: Option<i64>, from: &str, to: &str| pb::StatementRequest {
        customer_id,
        date_from: from.into(),
        date_to: to.into(),
        handler_id: None,
    };
    // A search as the customer list's: 客户12 finds 客户12, 客户120…, 客户1200…, 客户12000…
    // (a thousand customers of the administrator's, fifty of a rep's).
    let searched = pb::ListArrearsRequest {
        query: "客户12".into(),
        ..arrears(pb::ArrearsBucket::Any)
    };
    for (label, request) in [
        (
            "arrears: everyone who owes",
            arrears(pb::ArrearsBucket::Any),
        ),
        ("arrears: overdue", arrears(pb::ArrearsBucket::Overdue)),
        ("arrears: over 90 days", arrears(pb::ArrearsBucket::Over90)),
        ("arrears: search 客户12", searched),
        (
            "arrears: largest outstanding first",
            pb::ListArrearsRequest {
                sort: pb::ArrearsSort::Outstanding as i32,
                descending: true,
                ..arrears(pb::ArrearsBucket::Any)
            },
        ),
        (
            "arrears: overdue, largest overdue first",
            pb::ListArrearsRequest {
                sort: pb::ArrearsSort::Overdue as i32,
                descending: true,
                ..arrears(pb::ArrearsBucket::Overdue)
            },
        ),
        (
            "arrears: overdue, by customer name",
            pb::ListArrearsRequest {
                sort: pb::ArrearsSort::Customer as i32,
                ..arrears(pb::ArrearsBucket::Overdue)
            },
        ),
    ] {
        let (ms, total) = bench::median_search(5, async || {
            let listed = clients.finance.list_arrears(request.clone()).await;
            (listed.expect("arrears").into_inner().total, true)
        })
        .await;
        println!("  {label:<34} {ms:>7.1} ms   {total} customers");
    }
    // 回款 searched by a part of the number read off a bank slip, or of its reference
    // (the bench's references are shipment ids).
    let payments = |number: &str| pb::ListPaymentsRequest {
        number: number.into(),
        page: page(0, 50),
        ..Default::default()
    };
    for (label, request) in [
        ("payments: first page", payments("")),
        ("payments: number part 1128-00", payments("1128-00")),
        ("payments: reference 12345", payments("12345")),
    ] {
        let (ms, total) = bench::median_search(5, async || {
            let listed = clients.finance.list_payments(request.clone()).await;
            (listed.expect("payments").into_inner().total, true)
        })
        .await;
        println!("  {label:<34} {ms:>7.1} ms   {total} payments");
    }
    if !statements {
        // Sales reps do not hold finance.read.
        return;
    }
    for (label, request) in [
        (
            "statement: one customer, a year",
            statement(Some(customer_id), "2025-12-01", "2026-11-30"),
        ),
        (
            "statement: every customer, a month",
            statement(None, "2026-11-01", "2026-11-30"),
        ),
    ] {
        let (ms, rows) = bench::median_search(5, async || {
            let s = clients.finance.get_statement(request.clone()).await;
            let s = s.expect("statement").into_inner();
            (s.customers.iter().map(|c| c.rows.len() as u64).sum(), true)
        })
        .await;
        println!("  {label:<34} {ms:>7.1} ms   {rows} rows shown");
    }
}
