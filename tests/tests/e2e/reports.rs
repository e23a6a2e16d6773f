//! Reports (统计分析): each report's figures against sums computed here from the orders,
//! shipments and exceptions the test made; the one definition of a sale (drug sales =
//! customer consumption = regional sales = the performance ranking = the ledger); credit
//! to the rep of the day after a handover; the business-time-zone period boundary; scope
//! on every report; exports read back with calamine; a cancelled export leaves nothing.

use calamine::{Data, Reader, Xlsx};
use pharmacrm_shared::pb;
use pharmacrm_shared::pb::export_request::Report;
use pharmacrm_tests::assert_bad_fields;
use pharmacrm_tests::fixtures::{
    CustomerBuilder, DrugBuilder, OrderBuilder, Person, ShipmentBuilder, UnitBuilder,
    invoicing_entity, payment, reversing,
};
use pharmacrm_tests::{
    Refused, TestApp, assert_message_contains, assert_zh_contains, bad_fields, rerun_with_env,
};
use tonic::Code;

/// Two reps in one department (with its manager), a CS rep, a customer each (Beijing and
/// Changsha), two drugs (代理类 at 2.00, 自产类 at 5.00); the clock at 10:00, 2026-09-01.
struct World {
    app: TestApp,
    rep_a: Person,
    rep_b: Person,
    cs: Person,
    manager: Person,
    beijing: pb::Customer,
    changsha: pb::Customer,
    agency_drug: pb::Drug,
    own_drug: pb::Drug,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.pin_clock("2026-09-01T10:00:00+08:00");
    invoicing_entity(&app).await;
    let mut admin = app.admin().await;
    let dept = admin
        .send(pb::CreateDepartmentRequest {
            name: "华北销售部".into(),
            parent_id: None,
        })
        .await;
    let mut rep_a = app.person("rep-a", &["营销员"], Some(dept.id)).await;
    let rep_b = app.person("rep-b", &["营销员"], Some(dept.id)).await;
    let cs = app.service_rep("cs-a").await;
    let manager = app.person("boss", &["营销经理"], Some(dept.id)).await;
    let beijing = CustomerBuilder::new("北京协和医院")
        .served_by(cs.id)
        .create(&mut rep_a)
        .await;
    let changsha = CustomerBuilder::new("长沙市长寿堂大药房")
        .region("43", "4301")
        .assigned_to(rep_b.id, cs.id)
        .create(&mut admin)
        .await;
    let agency_drug = app.drug_on_sale("阿莫西林胶囊", "1", "2").await;
    let own = admin.top_category("自产类").await;
    let unit = admin.box_of_24().await;
    let own_drug = DrugBuilder::new("布洛芬缓释胶囊", own.id, unit.id)
        .priced("3", "5")
        .create(&mut admin)
        .await
        .drug
        .expect("the drug as saved");
    World {
        app,
        rep_a,
        rep_b,
        cs,
        manager,
        beijing,
        changsha,
        agency_drug,
        own_drug,
    }
}

impl World {
    /// On business day `day`, an order by the customer's rep `rep` of `lines` (drug,
    /// units) shipped whole the same day. Returns the shipment.
    async fn shipped(
        &mut self,
        who: Who,
        customer: i64,
        day: &str,
        lines: &[(i64, i64)],
    ) -> pb::Shipment {
        self.app.pin_clock(&format!("{day}T10:00:00+08:00"));
        let mut builder = OrderBuilder::new(customer);
        for &(drug, units) in lines {
            builder = builder.line(drug, units, "");
        }
        let rep = match who {
            Who::A => &mut self.rep_a,
            Who::B => &mut self.rep_b,
        };
        let order = builder.place(rep).await;
        ShipmentBuilder::of(&order)
            .everything_left("B1")
            .on(day)
            .create(&mut self.cs)
            .await
    }
}

#[derive(Clone, Copy)]
enum Who {
    A,
    B,
}

fn september<T: Default>(f: impl FnOnce(&mut T, String, String)) -> T {
    let mut r = T::default();
    f(&mut r, "2026-09-01".into(), "2026-09-30".into());
    r
}

fn drug_sales() -> pb::DrugSalesRequest {
    september(|r: &mut pb::DrugSalesRequest, a, b| {
        r.date_from = a;
        r.date_to = b;
    })
}

fn consumption() -> pb::CustomerConsumptionRequest {
    september(|r: &mut pb::CustomerConsumptionRequest, a, b| {
        r.date_from = a;
        r.date_to = b;
    })
}

fn regional() -> pb::RegionalSalesRequest {
    september(|r: &mut pb::RegionalSalesRequest, a, b| {
        r.date_from = a;
        r.date_to = b;
    })
}

fn performance(role: pb::RepRole) -> pb::EmployeePerformanceRequest {
    september(|r: &mut pb::EmployeePerformanceRequest, a, b| {
        r.date_from = a;
        r.date_to = b;
        r.role = role as i32;
    })
}

fn exceptions(group_by: pb::ExceptionGrouping) -> pb::ExceptionsRequest {
    september(|r: &mut pb::ExceptionsRequest, a, b| {
        r.date_from = a;
        r.date_to = b;
        r.group_by = group_by as i32;
    })
}

/// September: Beijing buys 10 × 2.00 (2 damaged, deducted) and 3 × 5.00; Changsha buys
/// 4 × 5.00 (1 lost, reshipped: no change). October: Beijing 100 × 2.00 (outside).
/// Sold in September: 16.00 + 15.00 + 20.00 = 51.00.
async fn september_sales(w: &mut World) {
    let (b, c) = (w.beijing.id, w.changsha.id);
    let (agency, own) = (w.agency_drug.id, w.own_drug.id);
    let first = w
        .shipped(Who::A, b, "2026-09-01", &[(agency, 10), (own, 3)])
        .await;
    let damaged =
        w.cs.reported_first(&first, pb::ExceptionKind::Damaged, 2)
            .await;
    w.rep_a.deduct(&damaged).await.expect("deducted");
    let second = w.shipped(Who::B, c, "2026-09-15", &[(own, 4)]).await;
    let lost =
        w.cs.reported_first(&second, pb::ExceptionKind::Lost, 1)
            .await;
    let decided = w.rep_b.decide_reship(&lost).await.expect("reship");
    w.cs.ship_replacement(&decided, "2026-09-15", "B2")
        .await
        .expect("reshipped");
    w.shipped(Who::A, b, "2026-10-01", &[(agency, 100)]).await;
}

/// A drug-sales report's rows: (drug, units, amount, orders, customers).
fn drug_rows(d: &pb::DrugSalesReport) -> Vec<(&str, i64, &str, u32, u32)> {
    d.rows
        .iter()
        .map(|r| {
            (
                r.drug_name.as_str(),
                r.quantity,
                r.amount.as_str(),
                r.orders,
                r.customers,
            )
        })
        .collect()
}

#[tokio::test]
async fn every_report_counts_the_same_sales_and_agrees_with_the_ledger() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let mut admin = w.app.admin().await;

    // 1. Drug sales: per drug, and the filters.
    let d = admin.send(drug_sales()).await;
    assert_eq!(
        drug_rows(&d),
        [
            ("布洛芬缓释胶囊", 7, "35.00", 2, 2),
            ("阿莫西林胶囊", 8, "16.00", 1, 1)
        ]
    );
    assert_eq!(
        (
            d.total,
            d.quantity,
            d.amount.as_str(),
            d.orders,
            d.customers
        ),
        (2, 15, "51.00", 2, 2)
    );
    // Both drugs come in boxes: the rows and the total say so.
    let units: Vec<&str> = d.rows.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!((units, d.quantity_unit.as_str()), (vec!["盒", "盒"], "盒"));
    assert!(
        d.rows[0].category.starts_with("自产类"),
        "{}",
        d.rows[0].category
    );
    let by_name = admin
        .send(pb::DrugSalesRequest {
            sort: Some(pb::ReportSort {
                by: "name".into(),
                ascending: true,
            }),
            ..drug_sales()
        })
        .await;
    // In pinyin order, as a Chinese reader expects: 阿 (ā) before 布 (bù), although 布
    // comes first by code point.
    let names: Vec<&str> = by_name.rows.iter().map(|r| r.drug_name.as_str()).collect();
    assert_eq!(names, ["阿莫西林胶囊", "布洛芬缓释胶囊"]);
    // Ascending without a key: the report's own figure, smallest first.
    let amounts = |r: &pb::DrugSalesReport| -> Vec<String> {
        r.rows.iter().map(|r| r.amount.clone()).collect()
    };
    let smallest_first = admin
        .send(pb::DrugSalesRequest {
            sort: sort_by(""),
            ..drug_sales()
        })
        .await;
    let mut largest_first = amounts(&d);
    largest_first.reverse();
    assert_eq!(amounts(&smallest_first), largest_first);
    let agency_only = admin
        .send(pb::DrugSalesRequest {
            origin: pb::DrugOrigin::Agency as i32,
            ..drug_sales()
        })
        .await;
    assert_eq!(
        (agency_only.total, agency_only.amount.as_str()),
        (1, "16.00")
    );
    let own_top = admin.top_category("自产类").await;
    let in_category = admin
        .send(pb::DrugSalesRequest {
            category_id: Some(own_top.id),
            ..drug_sales()
        })
        .await;
    assert_eq!(in_category.amount, "35.00");
    let refused = admin
        .try_send(pb::DrugSalesRequest {
            sort: Some(pb::ReportSort {
                by: "purchase_price".into(),
                ascending: false,
            }),
            ..drug_sales()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["sort.by"]);
    // The refusal says which columns there are.
    assert_message_contains(
        &refused,
        "use one of amount, quantity, orders, customers, name",
    );
    assert_zh_contains(&refused, "amount、quantity、orders、customers、name");

    // The series: by day, every day of the period, summing to the same total.
    let series = admin
        .send(pb::DrugSalesSeriesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            drug_id: Some(w.own_drug.id),
            ..Default::default()
        })
        .await;
    assert_eq!(series.points.len(), 30);
    assert_eq!(series.points[0].amount, "15.00");
    assert_eq!(series.points[14].amount, "20.00");
    assert_eq!(series.amount, "35.00");
    let weekly = admin
        .send(pb::DrugSalesSeriesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            interval: pb::SeriesInterval::Week as i32,
            ..Default::default()
        })
        .await;
    // 2026-09-01 is a Tuesday: the first week is clipped to start on the 1st.
    assert_eq!(weekly.points[0].period_start, "2026-09-01");
    assert_eq!(weekly.points[1].period_start, "2026-09-07");
    assert_eq!(weekly.points.len(), 5);
    assert_eq!(weekly.amount, "51.00");

    // 4. Customer consumption.
    let c = admin.send(consumption()).await;
    let rows: Vec<(&str, &str, u32, &str)> = c
        .rows
        .iter()
        .map(|r| {
            (
                r.customer_name.as_str(),
                r.amount.as_str(),
                r.orders,
                r.last_order_date.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("北京协和医院", "31.00", 1, "2026-09-01"),
            ("长沙市长寿堂大药房", "20.00", 1, "2026-09-15"),
        ]
    );
    assert_eq!(c.rows[1].region, "湖南省 长沙市");
    // Outstanding now: Beijing owes September's 31.00 and October's 200.00.
    assert_eq!(c.rows[0].outstanding, "231.00");
    assert_eq!((c.amount.as_str(), c.orders), ("51.00", 2));
    // One province: its customers only, and its totals.
    let in_hunan = admin
        .send(pb::CustomerConsumptionRequest {
            province_code: "43".into(),
            ..consumption()
        })
        .await;
    let names: Vec<&str> = in_hunan
        .rows
        .iter()
        .map(|r| r.customer_name.as_str())
        .collect();
    assert_eq!(names, ["长沙市长寿堂大药房"]);
    assert_eq!(
        (in_hunan.total, in_hunan.amount.as_str(), in_hunan.orders),
        (1, "20.00", 1)
    );

    // 5. Regional sales, and the drill-down to cities.
    let r = admin.send(regional()).await;
    let rows: Vec<(&str, &str)> = r
        .rows
        .iter()
        .map(|x| (x.region_name.as_str(), x.amount.as_str()))
        .collect();
    assert_eq!(rows, [("北京市", "31.00"), ("湖南省", "20.00")]);
    assert_eq!(r.amount, "51.00");
    let hunan = admin
        .send(pb::RegionalSalesRequest {
            province_code: "43".into(),
            ..regional()
        })
        .await;
    assert_eq!(hunan.rows[0].region_name, "长沙市");
    assert_eq!(hunan.amount, "20.00");

    // 3. Employee performance: the ranking totals the same.
    let p = admin.send(performance(pb::RepRole::Sales)).await;
    let rows: Vec<(&str, u32, &str)> = p
        .rows
        .iter()
        .map(|x| (x.name.as_str(), x.rank, x.amount.as_str()))
        .collect();
    assert_eq!((rows[0].1, rows[0].2), (1, "31.00"));
    assert_eq!((rows[1].1, rows[1].2), (2, "20.00"));
    // The manager, holding no customers, is not a rep to rank (see below).
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(p.amount, "51.00");
    let service = admin.send(performance(pb::RepRole::CustomerService)).await;
    assert_eq!(service.rows.len(), 1);
    assert_eq!(service.rows[0].user_id, w.cs.id);
    assert_eq!(service.amount, "51.00");

    // 2. Regional distribution: customers, not sales.
    let dist = admin.send(pb::CustomerDistributionRequest::default()).await;
    let rows: Vec<(&str, u64)> = dist
        .rows
        .iter()
        .map(|x| (x.region_code.as_str(), x.customers))
        .collect();
    assert!(
        rows.contains(&("11", 1)) && rows.contains(&("43", 1)),
        "{rows:?}"
    );
    let pharmacies = admin
        .send(pb::CustomerDistributionRequest {
            business_kind: pb::BusinessKind::Pharmacy as i32,
            ..Default::default()
        })
        .await;
    assert_eq!(pharmacies.customers, 0);
    // By region: the names in pinyin order (北京, 广东, 湖南, 吉林), not their codes' (11,
    // 22, 43, 44), both ways.
    for (name, province, city) in [
        ("长春市长生大药房", "22", "2201"),
        ("广州大药房", "44", "4401"),
    ] {
        CustomerBuilder::new(name)
            .served_by(w.cs.id)
            .region(province, city)
            .create(&mut w.rep_a)
            .await;
    }
    let by_region = |ascending| pb::CustomerDistributionRequest {
        sort: Some(pb::ReportSort {
            by: "region".into(),
            ascending,
        }),
        ..Default::default()
    };
    let names = |d: pb::CustomerDistributionReport| -> Vec<String> {
        d.rows.into_iter().map(|r| r.region_name).collect()
    };
    assert_eq!(
        names(admin.send(by_region(true)).await),
        ["北京市", "广东省", "湖南省", "吉林省"]
    );
    assert_eq!(
        names(admin.send(by_region(false)).await),
        ["吉林省", "湖南省", "广东省", "北京市"]
    );

    // 6. Exceptions: by kind, by decision, by drug, by CS rep, by sales rep.
    let by_kind = admin.send(exceptions(pb::ExceptionGrouping::Kind)).await;
    let rows: Vec<(&str, u32, &str)> = by_kind
        .rows
        .iter()
        .map(|x| (x.key.as_str(), x.count, x.value.as_str()))
        .collect();
    assert_eq!(rows, [("lost", 1, "5.00"), ("damaged", 1, "4.00")]);
    assert_eq!((by_kind.count, by_kind.value.as_str()), (2, "9.00"));
    let by_decision = admin
        .send(exceptions(pb::ExceptionGrouping::Decision))
        .await;
    let keys: Vec<&str> = by_decision.rows.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["reship", "deduct"]);
    // By name, kinds and decisions sort as their names read (丢失 before 破损, 补发 before
    // 扣款), not as their codes.
    for (grouping, ascending) in [
        (pb::ExceptionGrouping::Kind, ["lost", "damaged"]),
        (pb::ExceptionGrouping::Decision, ["reship", "deduct"]),
    ] {
        for (up, expected) in [
            (true, ascending.to_vec()),
            (false, ascending.iter().rev().copied().collect()),
        ] {
            let by_name = admin
                .send(pb::ExceptionsRequest {
                    sort: Some(pb::ReportSort {
                        by: "label".into(),
                        ascending: up,
                    }),
                    ..exceptions(grouping)
                })
                .await;
            let keys: Vec<&str> = by_name.rows.iter().map(|x| x.key.as_str()).collect();
            assert_eq!(keys, expected, "{grouping:?}, ascending {up}");
        }
    }
    let by_drug = admin.send(exceptions(pb::ExceptionGrouping::Drug)).await;
    assert_eq!(by_drug.rows[0].label, "布洛芬缓释胶囊");
    let by_rep = admin.send(exceptions(pb::ExceptionGrouping::CsRep)).await;
    assert_eq!(by_rep.rows.len(), 1);
    assert_eq!(by_rep.rows[0].key, w.cs.id.to_string());
    // By the sales rep who decided each: Changsha's lost box was rep B's, Beijing's damaged
    // boxes rep A's.
    let by_sales_rep = admin
        .send(exceptions(pb::ExceptionGrouping::SalesRep))
        .await;
    let rows: Vec<(String, u32, &str)> = by_sales_rep
        .rows
        .iter()
        .map(|x| (x.key.clone(), x.count, x.value.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (w.rep_b.id.to_string(), 1, "5.00"),
            (w.rep_a.id.to_string(), 1, "4.00")
        ]
    );

    // The ledger says the same: September's shipments less deductions, both customers.
    let mut sold = 0.0;
    for customer in [w.beijing.id, w.changsha.id] {
        let s = admin
            .send(pb::StatementRequest {
                customer_id: Some(customer),
                date_from: "2026-09-01".into(),
                date_to: "2026-09-30".into(),
                ..Default::default()
            })
            .await;
        sold += s.customers[0]
            .rows
            .iter()
            .filter(|x| {
                matches!(
                    x.kind(),
                    pb::MovementKind::Shipment | pb::MovementKind::Deduction
                )
            })
            .map(|x| x.debit.parse::<f64>().unwrap() - x.credit.parse::<f64>().unwrap())
            .sum::<f64>();
    }
    assert_eq!(format!("{sold:.2}"), "51.00");
}

/// 赠品: free goods are lines at price 0. A shipment of free goods only owes nothing and
/// posts nothing to the ledger, yet its units were sold: the drug-sales report counts them
/// (at 0.00), and a deduction of free units takes them off again.
#[tokio::test]
async fn free_goods_count_in_drug_sales_though_they_owe_nothing() {
    let mut w = world().await;
    let b = w.beijing.id;
    let (agency, own) = (w.agency_drug.id, w.own_drug.id);
    // 10 × 2.00 with 2 free boxes of the own drug in the same shipment.
    w.app.pin_clock("2026-09-01T10:00:00+08:00");
    let paid = OrderBuilder::new(b)
        .lines(&[(agency, 10, ""), (own, 2, "0")])
        .place(&mut w.rep_a)
        .await;
    ShipmentBuilder::of(&paid)
        .everything_left("B1")
        .on("2026-09-01")
        .create(&mut w.cs)
        .await;
    // A separate order of 5 free boxes, shipped alone: it owes nothing.
    w.app.pin_clock("2026-09-03T10:00:00+08:00");
    let free = OrderBuilder::new(b)
        .line(own, 5, "0")
        .place(&mut w.rep_a)
        .await;
    let shipped = ShipmentBuilder::of(&free)
        .everything_left("B2")
        .on("2026-09-03")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipped.amount, "0.00");
    // One free box arrives broken and is deducted on the 8th.
    w.app.pin_clock("2026-09-08T10:00:00+08:00");
    let damaged =
        w.cs.reported_first(&shipped, pb::ExceptionKind::Damaged, 1)
            .await;
    assert_eq!(damaged.value, "0.00");
    w.rep_a.deduct(&damaged).await.expect("deducted");

    let mut admin = w.app.admin().await;
    let d = admin.send(drug_sales()).await;
    assert_eq!(
        drug_rows(&d),
        [
            ("阿莫西林胶囊", 10, "20.00", 1, 1),
            ("布洛芬缓释胶囊", 6, "0.00", 2, 1)
        ]
    );
    assert_eq!((d.quantity, d.amount.as_str(), d.orders), (16, "20.00", 2));
    // The deduction is dated the day it was decided.
    let series = admin
        .send(pb::DrugSalesSeriesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            drug_id: Some(own),
            ..Default::default()
        })
        .await;
    let units: Vec<(usize, i64)> = series
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.quantity != 0)
        .map(|(day, p)| (day + 1, p.quantity))
        .collect();
    assert_eq!(units, [(1, 2), (3, 5), (8, -1)]);
    // The customer bought on two orders; the money figures are the paid goods only.
    let c = admin.send(consumption()).await;
    assert_eq!((c.rows[0].amount.as_str(), c.rows[0].orders), ("20.00", 2));
    assert_eq!(c.rows[0].outstanding, "20.00");
    // The ledger holds the paid shipment only.
    let statement = admin
        .send(pb::StatementRequest {
            customer_id: Some(b),
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            ..Default::default()
        })
        .await;
    let documents: Vec<&str> = statement.customers[0]
        .rows
        .iter()
        .map(|r| r.document_no.as_str())
        .collect();
    assert_eq!(documents.len(), 1, "{documents:?}");
}

/// A customer who paid more than they owe shows it as 预收 (on account) in the consumption
/// report, beside 当前欠款 0.00: before, a customer paid ahead looked like one owing nothing.
#[tokio::test]
async fn consumption_shows_what_a_customer_paid_ahead() {
    let mut w = world().await;
    let b = w.beijing.id;
    // 10 × 2.00 + 5 × 5.00 shipped on the 1st: 45.00 owed.
    w.shipped(
        Who::A,
        b,
        "2026-09-01",
        &[(w.agency_drug.id, 10), (w.own_drug.id, 5)],
    )
    .await;
    w.app.pin_clock("2026-09-05T10:00:00+08:00");
    let mut finance = w.app.person("fin", &["财务"], None).await;
    finance.send(payment(b, "2026-09-05", "100.00", &[])).await;
    let mut admin = w.app.admin().await;
    let c = admin.send(consumption()).await;
    let owed = |r: &pb::CustomerConsumptionRow| (r.outstanding.clone(), r.on_account.clone());
    assert_eq!(owed(&c.rows[0]), ("0.00".into(), "55.00".into()));
    assert_eq!(
        (c.outstanding.as_str(), c.on_account.as_str()),
        ("0.00", "55.00")
    );
    // The exported sheet carries it too, as a number under 预收.
    let file = admin
        .export(Report::CustomerConsumption(consumption()))
        .await
        .expect("exported");
    let body = sheet_body(&file.file, "客户消费情况", "客户");
    assert_eq!(
        (&body[0][9], &body[0][10]),
        (&Data::Float(0.0), &Data::Float(55.0))
    );
}

/// A rep who left (disabled once their customers were handed over) keeps their sales in
/// the ranking, named as having left, on screen and in the sheet.
#[tokio::test]
async fn a_rep_who_left_keeps_their_sales_named_as_disabled() {
    let mut w = world().await;
    let b = w.beijing.id;
    let shipment = w
        .shipped(Who::A, b, "2026-09-01", &[(w.agency_drug.id, 10)])
        .await;
    w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
        .await;
    let mut admin = w.app.admin().await;
    let customer = admin.customer(b).await.expect("customer");
    admin
        .send(pb::AssignCustomerRequest {
            id: b,
            version: customer.version,
            sales_rep_id: w.rep_b.id,
            cs_rep_id: w.cs.id,
        })
        .await;
    let leaver = admin.user_by_id(w.rep_a.id).await;
    admin.disable_user(&leaver).await.expect("disabled");
    let p = admin.send(performance(pb::RepRole::Sales)).await;
    let row = p
        .rows
        .iter()
        .find(|r| r.user_id == w.rep_a.id)
        .expect("their sales still count");
    assert!(row.inactive && row.amount == "20.00", "{row:?}");
    assert!(
        p.rows
            .iter()
            .all(|r| r.user_id == w.rep_a.id || !r.inactive)
    );
    let file = admin
        .export(Report::EmployeePerformance(performance(pb::RepRole::Sales)))
        .await
        .expect("exported");
    let body = sheet_body(&file.file, "员工销售业绩", "排名");
    assert!(
        body.iter()
            .any(|r| r[1] == Data::String("rep-a（已停用）".into())),
        "{body:?}"
    );
    // The exceptions of their orders, by sales rep, say so too.
    let by_rep = admin
        .send(exceptions(pb::ExceptionGrouping::SalesRep))
        .await;
    let rows: Vec<(&str, bool)> = by_rep
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.inactive))
        .collect();
    assert_eq!(rows, [("rep-a", true)]);
    let file = admin
        .export(Report::Exceptions(exceptions(
            pb::ExceptionGrouping::SalesRep,
        )))
        .await
        .expect("exported");
    let body = sheet_body(&file.file, "异常反馈情况", "营销员");
    assert!(
        body.iter()
            .any(|r| r[0] == Data::String("rep-a（已停用）".into())),
        "{body:?}"
    );
}

/// A series asked past the business date ends there: days not yet come are not drawn as
/// days without sales (a line flat at zero to the period's end read as sales collapsing).
#[tokio::test]
async fn a_series_asked_past_today_ends_today() {
    let mut w = world().await;
    let b = w.beijing.id;
    w.shipped(Who::A, b, "2026-09-01", &[(w.agency_drug.id, 10)])
        .await;
    w.app.pin_clock("2026-09-10T10:00:00+08:00");
    let mut admin = w.app.admin().await;
    let series = admin
        .send(pb::DrugSalesSeriesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-12-31".into(),
            ..Default::default()
        })
        .await;
    let days: Vec<&str> = (series.points.iter())
        .map(|p| p.period_start.as_str())
        .collect();
    assert_eq!(days.len(), 10, "{days:?}");
    assert_eq!(days.last(), Some(&"2026-09-10"));
    assert_eq!(series.points[0].amount, "20.00");
    assert_eq!(series.amount, "20.00");
}

/// A rep who sold and collected nothing in the period is ranked too, at zero, last: the
/// manager looking for who did not sell finds them. Only reps at work in the caller's
/// scope who hold customers are: not one of another department, not one who left with
/// nothing to count, not one with no customer to sell to (a manager holding the rep's
/// permissions, a rep just hired) until they hold one.
#[tokio::test]
async fn a_rep_who_sold_nothing_is_ranked_at_zero_within_the_scope() {
    let mut w = world().await;
    let b = w.beijing.id;
    w.shipped(Who::A, b, "2026-09-01", &[(w.agency_drug.id, 10)])
        .await;
    let outsider = w.app.sales_rep("rep-x").await;
    let mut admin = w.app.admin().await;
    CustomerBuilder::new("广州大药房")
        .region("44", "4401")
        .assigned_to(outsider.id, w.cs.id)
        .create(&mut admin)
        .await;
    let hired = w.app.sales_rep("rep-new").await;
    let gone = w.app.sales_rep("rep-gone").await;
    let gone = admin.user_by_id(gone.id).await;
    admin.disable_user(&gone).await.expect("disabled");

    let ranking = |p: &pb::EmployeePerformanceReport| -> Vec<(i64, u32, String, String)> {
        p.rows
            .iter()
            .map(|r| (r.user_id, r.rank, r.amount.clone(), r.collected.clone()))
            .collect()
    };
    let p = w.manager.send(performance(pb::RepRole::Sales)).await;
    let zero = || ("0.00".to_owned(), "0.00".to_owned());
    let rows = ranking(&p);
    assert_eq!(rows[0], (w.rep_a.id, 1, "20.00".into(), "0.00".into()));
    assert!(
        rows.contains(&(w.rep_b.id, 2, zero().0, zero().1)),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.0 != outsider.id && r.0 != gone.id));
    assert!(
        rows.iter().all(|r| r.0 != w.manager.id),
        "the manager holds no customer: {rows:?}"
    );
    assert_eq!(p.rows.len() as u64, p.total, "the count counts them too");
    assert_eq!(p.amount, "20.00");
    // The company's ranking has the rep of another department, at zero too.
    let all = admin.send(performance(pb::RepRole::Sales)).await;
    assert!(
        ranking(&all)
            .iter()
            .any(|r| r.0 == outsider.id && r.2 == "0.00")
    );
    assert!(
        ranking(&all)
            .iter()
            .all(|r| r.0 != gone.id && r.0 != hired.id)
    );
    // Given a customer, the manager is ranked among the reps they manage.
    CustomerBuilder::new("长沙市第一医院")
        .region("43", "4301")
        .assigned_to(w.manager.id, w.cs.id)
        .create(&mut admin)
        .await;
    let p = w.manager.send(performance(pb::RepRole::Sales)).await;
    assert!(
        ranking(&p).contains(&(w.manager.id, 2, zero().0, zero().1)),
        "{:?}",
        ranking(&p)
    );
    // The CS ranking ranks the CS reps, not the sales reps.
    let service = admin.send(performance(pb::RepRole::CustomerService)).await;
    assert!(service.rows.iter().any(|r| r.user_id == w.cs.id));
    assert!(service.rows.iter().all(|r| r.user_id != w.rep_b.id));
}

#[tokio::test]
async fn a_sale_is_credited_to_the_rep_responsible_when_it_was_made() {
    let mut w = world().await;
    let b = w.beijing.id;
    let drug = w.agency_drug.id;
    let first = w.shipped(Who::A, b, "2026-09-01", &[(drug, 10)]).await;
    // Rep A places a second order, then the customer is handed to rep B before it ships.
    w.app.pin_clock("2026-09-10T10:00:00+08:00");
    let order = OrderBuilder::new(b)
        .line(drug, 5, "")
        .place(&mut w.rep_a)
        .await;
    let mut admin = w.app.admin().await;
    let moved = admin
        .send(pb::HandoverCustomersRequest {
            from_user_id: w.rep_a.id,
            moves: vec![pb::HandoverMove {
                customer_id: b,
                sales_rep_id: w.rep_b.id,
                cs_rep_id: w.cs.id,
            }],
        })
        .await;
    assert_eq!(moved.moved, 1);
    w.app.pin_clock("2026-09-12T10:00:00+08:00");
    ShipmentBuilder::of(&order)
        .everything_left("B3")
        .on("2026-09-12")
        .create(&mut w.cs)
        .await;
    // Two boxes of rep A's shipment turn out damaged and are deducted after the handover:
    // the deduction comes off the sale it concerns, rep A's.
    let damaged =
        w.cs.reported_first(&first, pb::ExceptionKind::Damaged, 2)
            .await;
    w.rep_b.deduct(&damaged).await.expect("deducted");
    // A payment recorded after the handover is rep B's collection.
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    let mut finance = w.app.person("fin", &["财务"], None).await;
    let paid = finance.send(payment(b, "2026-09-20", "12.00", &[])).await;

    let p = admin.send(performance(pb::RepRole::Sales)).await;
    let figures = |id: i64| {
        p.rows
            .iter()
            .find(|r| r.user_id == id)
            .map(|r| (r.amount.clone(), r.orders, r.collected.clone()))
    };
    assert_eq!(
        figures(w.rep_a.id),
        Some(("16.00".into(), 1, "0.00".into()))
    );
    assert_eq!(
        figures(w.rep_b.id),
        Some(("10.00".into(), 1, "12.00".into()))
    );
    assert_eq!(
        (p.amount.as_str(), p.collected.as_str()),
        ("26.00", "12.00")
    );

    // The payment bounces and is reversed in October: September keeps its collection,
    // October carries the reversal, and the two months together net to nothing.
    w.app.pin_clock("2026-10-05T10:00:00+08:00");
    finance
        .send(reversing(&paid, "银行退票", "2026-10-05"))
        .await;
    let collected = |p: &pb::EmployeePerformanceReport| {
        let rep_b = p.rows.iter().find(|r| r.user_id == w.rep_b.id);
        (rep_b.map(|r| r.collected.clone()), p.collected.clone())
    };
    let september = admin.send(performance(pb::RepRole::Sales)).await;
    assert_eq!(
        collected(&september),
        (Some("12.00".into()), "12.00".into())
    );
    let between = |from: &str, to: &str| pb::EmployeePerformanceRequest {
        date_from: from.into(),
        date_to: to.into(),
        role: pb::RepRole::Sales as i32,
        ..Default::default()
    };
    let october = admin.send(between("2026-10-01", "2026-10-31")).await;
    assert_eq!(
        collected(&october),
        (Some("-12.00".into()), "-12.00".into())
    );
    let both = admin.send(between("2026-09-01", "2026-10-31")).await;
    assert_eq!(collected(&both), (Some("0.00".into()), "0.00".into()));
}

#[test]
fn the_period_follows_the_business_time_zone_on_a_server_whose_tz_is_utc() {
    rerun_with_env(
        "reports::the_period_follows_the_business_time_zone",
        &[("TZ", "UTC")],
    );
}

#[tokio::test]
#[ignore = "run by its parent test with TZ=UTC"]
async fn the_period_follows_the_business_time_zone() {
    assert_eq!(chrono::Local::now().offset().to_string(), "+00:00");
    let mut w = world().await;
    // An order placed and shipped at 23:30 on 30 September in Shanghai (15:30 UTC) is
    // September's: its order date and its sale.
    w.app.pin_clock("2026-09-30T23:30:00+08:00");
    let late = OrderBuilder::new(w.beijing.id)
        .line(w.agency_drug.id, 3, "")
        .place(&mut w.rep_a)
        .await;
    ShipmentBuilder::of(&late)
        .everything_left("B4")
        .on("2026-09-30")
        .create(&mut w.cs)
        .await;
    let b = w.beijing.id;
    let shipment = w
        .shipped(Who::A, b, "2026-09-30", &[(w.agency_drug.id, 10)])
        .await;
    // 23:30 on 30 September in Shanghai is 15:30 UTC: still September's business day.
    w.app.pin_clock("2026-09-30T23:30:00+08:00");
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
            .await;
    w.rep_a.deduct(&damaged).await.expect("deducted");
    // 00:30 on 1 October in Shanghai is still 30 September in UTC: October's.
    w.app.pin_clock("2026-10-01T00:30:00+08:00");
    let lost =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Lost, 2)
            .await;
    w.rep_a.deduct(&lost).await.expect("deducted");

    let mut admin = w.app.admin().await;
    let sept = admin.send(drug_sales()).await;
    assert_eq!((sept.quantity, sept.amount.as_str()), (12, "24.00"));
    let buyers = admin.send(consumption()).await;
    assert_eq!(buyers.rows[0].last_order_date, "2026-09-30");
    assert_eq!(buyers.orders, 2);
    let sept_exceptions = admin.send(exceptions(pb::ExceptionGrouping::Kind)).await;
    assert_eq!(sept_exceptions.count, 1);
    assert_eq!(sept_exceptions.rows[0].key, "damaged");
    let october = |r: &mut pb::ExceptionsRequest| {
        r.date_from = "2026-10-01".into();
        r.date_to = "2026-10-31".into();
    };
    let mut oct = exceptions(pb::ExceptionGrouping::Kind);
    october(&mut oct);
    let oct = admin.send(oct).await;
    assert_eq!((oct.count, oct.rows[0].key.as_str()), (1, "lost"));
    let oct_sales = admin
        .send(pb::DrugSalesRequest {
            date_from: "2026-10-01".into(),
            date_to: "2026-10-31".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(
        (oct_sales.quantity, oct_sales.amount.as_str()),
        (-2, "-4.00")
    );
}

#[tokio::test]
async fn every_report_stays_within_the_callers_scope() {
    let mut w = world().await;
    september_sales(&mut w).await;
    // A customer of a rep outside the department: the manager does not see its sales.
    let mut outsider = w.app.sales_rep("rep-x").await;
    let outside = CustomerBuilder::new("上海瑞金医院")
        .region("31", "310101")
        .served_by(w.cs.id)
        .create(&mut outsider)
        .await;
    w.app.pin_clock("2026-09-20T10:00:00+08:00");
    let order = OrderBuilder::new(outside.id)
        .line(w.agency_drug.id, 50, "")
        .place(&mut outsider)
        .await;
    ShipmentBuilder::of(&order)
        .everything_left("B9")
        .on("2026-09-20")
        .create(&mut w.cs)
        .await;

    let mut admin = w.app.admin().await;
    let all = admin.send(drug_sales()).await;
    assert_eq!(all.amount, "151.00");
    let m = &mut w.manager;
    let d = m.send(drug_sales()).await;
    assert_eq!(d.amount, "51.00");
    assert_eq!(m.send(consumption()).await.amount, "51.00");
    let r = m.send(regional()).await;
    assert!(r.rows.iter().all(|x| x.region_code != "31"), "{:?}", r.rows);
    assert_eq!(r.amount, "51.00");
    let p = m.send(performance(pb::RepRole::Sales)).await;
    assert!(p.rows.iter().all(|x| x.user_id != outsider.id));
    assert_eq!(p.amount, "51.00");
    let dist = m.send(pb::CustomerDistributionRequest::default()).await;
    assert_eq!(dist.customers, 2);
    assert_eq!(
        m.send(exceptions(pb::ExceptionGrouping::Customer))
            .await
            .count,
        2
    );
    assert_eq!(
        d.run.as_ref().map(|r| r.scope()),
        Some(pb::DataScope::Department)
    );
    // The scope holds in exports too.
    let file = m
        .export(Report::DrugSales(drug_sales()))
        .await
        .expect("exported");
    let body = sheet_body(&file.file, "药品销售情况", "药品");
    let totals = body.last().expect("a totals row");
    assert_eq!(totals[6], Data::Float(51.0));
    // Every drug in boxes: the quantities are totalled, in that unit.
    assert_eq!(totals[4..6], [Data::Float(15.0), Data::String("盒".into())]);
    assert_eq!(
        body[0][3],
        Data::String("自产".into()),
        "the origin, as on screen"
    );
    // A rep reads their own figures (本人), and exports none (no report.export).
    let own = w.rep_a.send(drug_sales()).await;
    assert_eq!(own.amount, "31.00");
    assert_eq!(own.run.map(|r| r.scope()), Some(pb::DataScope::Own));
    assert_eq!(
        w.rep_a
            .export(Report::DrugSales(drug_sales()))
            .await
            .expect_err("a rep exports no report")
            .code(),
        Code::PermissionDenied
    );
}

/// A closed month stays as it was when a customer moves to another department: its sales,
/// collections and exceptions stay with the team whose reps were credited with them (a
/// bonus computed from last month's export still agrees), while the customer itself, a
/// snapshot, leaves the team's distribution.
#[tokio::test]
async fn a_customer_moved_out_of_the_department_leaves_past_months_as_they_were() {
    let mut w = world().await;
    september_sales(&mut w).await;
    async fn figures(m: &mut Person) -> (String, String, String, u32) {
        (
            m.send(drug_sales()).await.amount,
            m.send(performance(pb::RepRole::Sales)).await.amount,
            m.send(consumption()).await.amount,
            m.send(exceptions(pb::ExceptionGrouping::Kind)).await.count,
        )
    }
    let before = figures(&mut w.manager).await;
    assert_eq!(before, ("51.00".into(), "51.00".into(), "51.00".into(), 2));
    let outsider = w.app.sales_rep("rep-x").await;
    let mut admin = w.app.admin().await;
    admin
        .send(pb::HandoverCustomersRequest {
            from_user_id: w.rep_a.id,
            moves: vec![pb::HandoverMove {
                customer_id: w.beijing.id,
                sales_rep_id: outsider.id,
                cs_rep_id: w.cs.id,
            }],
        })
        .await;
    let distribution = w
        .manager
        .send(pb::CustomerDistributionRequest::default())
        .await;
    assert_eq!(distribution.customers, 1, "Beijing left the department");
    assert_eq!(figures(&mut w.manager).await, before);
}

#[tokio::test]
async fn a_report_does_not_add_boxes_to_bottles() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let mut admin = w.app.admin().await;
    let syrups = admin.top_category("代理类").await;
    let bottle = UnitBuilder::new("瓶")
        .holding("100", "ml")
        .create(&mut admin)
        .await;
    let syrup = DrugBuilder::new("小儿止咳糖浆", syrups.id, bottle.id)
        .priced("4", "6")
        .create(&mut admin)
        .await
        .drug
        .expect("the drug as saved");
    let b = w.beijing.id;
    w.shipped(Who::A, b, "2026-09-20", &[(syrup.id, 5)]).await;

    // Each drug's row names its unit; 15 boxes and 5 bottles have no total.
    let d = admin.send(drug_sales()).await;
    let rows: Vec<(&str, i64, &str)> = d
        .rows
        .iter()
        .map(|r| (r.drug_name.as_str(), r.quantity, r.unit.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("布洛芬缓释胶囊", 7, "盒"),
            ("小儿止咳糖浆", 5, "瓶"),
            ("阿莫西林胶囊", 8, "盒")
        ]
    );
    assert_eq!(d.quantity_unit, "");
    // The series of every drug mixes them too; one drug's is in its unit.
    let series = |drug_id| pb::DrugSalesSeriesRequest {
        date_from: "2026-09-01".into(),
        date_to: "2026-09-30".into(),
        drug_id,
        interval: pb::SeriesInterval::Week as i32,
        ..Default::default()
    };
    assert_eq!(admin.send(series(None)).await.quantity_unit, "");
    assert_eq!(admin.send(series(Some(syrup.id))).await.quantity_unit, "瓶");

    // Exported: a unit column, and no total of the quantities.
    let file = admin
        .export(Report::DrugSales(drug_sales()))
        .await
        .expect("exported");
    let body = sheet_body(&file.file, "药品销售情况", "药品");
    let syrup_row = body
        .iter()
        .find(|r| r[0] == Data::String("小儿止咳糖浆".into()))
        .expect("the syrup's row");
    assert_eq!(
        syrup_row[4..6],
        [Data::Float(5.0), Data::String("瓶".into())]
    );
    let totals = body.last().expect("the totals row");
    assert_eq!(totals[0], Data::String("合计".into()));
    assert_eq!(totals[4..6], [Data::Empty, Data::Empty]);
    // A series' quantity column names its unit, and there is none for mixed units.
    let headers = |file: &[u8]| -> Vec<Data> {
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.to_vec())).expect("xlsx");
        let names = book.sheet_names();
        let sheet = book.worksheet_range(&names[0]).expect("a sheet");
        let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
        rows.into_iter()
            .find(|r| r.first() == Some(&Data::String("起始日期".into())))
            .unwrap_or_else(|| panic!("a header row"))
    };
    let one = admin
        .export(Report::DrugSalesSeries(series(Some(syrup.id))))
        .await
        .expect("exported");
    assert_eq!(headers(&one.file)[1], Data::String("数量（瓶）".into()));
    let every = admin
        .export(Report::DrugSalesSeries(series(None)))
        .await
        .expect("exported");
    assert_eq!(headers(&every.file)[1], Data::String("销售额".into()));
}

/// A sheet sorted by name says so by the column that holds the names (药品 for drugs,
/// 姓名 for people, the group's heading for exceptions), not by a 名称 no column has.
#[tokio::test]
async fn an_export_sorted_by_name_names_the_column_it_is_sorted_by() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let mut admin = w.app.admin().await;
    let by_name = Some(pb::ReportSort {
        by: "name".into(),
        ascending: true,
    });
    let sorted_line = |file: &[u8], sheet: &str| -> Option<Data> {
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.to_vec())).expect("xlsx");
        let range = book.worksheet_range(sheet).expect("the report's sheet");
        range
            .rows()
            .find(|r| r.first() == Some(&Data::String("排序：".into())))
            .and_then(|r| r.get(1).cloned())
    };
    let drugs = admin
        .export(Report::DrugSales(pb::DrugSalesRequest {
            sort: by_name.clone(),
            ..drug_sales()
        }))
        .await
        .expect("exported");
    assert_eq!(
        sorted_line(&drugs.file, "药品销售情况"),
        Some(Data::String("药品 升序".into()))
    );
    let people = admin
        .export(Report::EmployeePerformance(
            pb::EmployeePerformanceRequest {
                sort: by_name,
                ..performance(pb::RepRole::Sales)
            },
        ))
        .await
        .expect("exported");
    assert_eq!(
        sorted_line(&people.file, "员工销售业绩"),
        Some(Data::String("姓名 升序".into()))
    );
    let exceptions = admin
        .export(Report::Exceptions(pb::ExceptionsRequest {
            sort: Some(pb::ReportSort {
                by: "label".into(),
                ascending: true,
            }),
            ..exceptions(pb::ExceptionGrouping::Customer)
        }))
        .await
        .expect("exported");
    assert_eq!(
        sorted_line(&exceptions.file, "异常反馈情况"),
        Some(Data::String("客户 升序".into()))
    );
}

/// The rows below the header (first cell `first_header`) of sheet `name`.
fn sheet_body(file: &[u8], name: &str, first_header: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(file.to_vec())).expect("xlsx");
    let sheet = book.worksheet_range(name).expect("the report's sheet");
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let header = rows
        .iter()
        .position(|r| r.first() == Some(&Data::String(first_header.into())))
        .unwrap_or_else(|| panic!("a header row in {rows:?}"));
    rows[header + 1..].to_vec()
}

#[tokio::test]
async fn exports_read_back_typed_with_masked_ids_and_are_audited() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let m = &mut w.manager;
    let file = m
        .export(Report::CustomerConsumption(consumption()))
        .await
        .expect("exported");
    assert_eq!(file.done.rows, 2);
    assert_eq!(file.done.bytes, file.file.len() as u64);
    let first = &file.progress[0];
    assert_eq!((first.rows, first.total), (0, 2));
    assert!(
        first
            .file_name
            .starts_with("客户消费情况_2026-09-01_2026-09-30")
    );
    assert_eq!(file.progress.last().map(|p| p.rows), Some(2));
    let body = sheet_body(&file.file, "客户消费情况", "客户");
    assert_eq!(body.len(), 3, "two customers and the totals: {body:?}");
    let beijing = &body[0];
    assert_eq!(beijing[0], Data::String("北京协和医院".into()));
    assert_eq!(beijing[3], Data::String("010-69156114".into()));
    // The manager lacks customer.sensitive.read: the ID number is masked.
    let Data::String(id) = &beijing[4] else {
        panic!("the ID number is text: {:?}", beijing[4]);
    };
    assert!(id.contains('*') && id.starts_with("1101"), "{id}");
    assert_eq!(beijing[6], Data::Float(31.0));
    assert!(matches!(beijing[8], Data::DateTime(_)), "{:?}", beijing[8]);
    assert_eq!(body[2][0], Data::String("合计".into()));
    assert_eq!(body[2][6], Data::Float(51.0));
    assert_eq!(body[2][9], Data::Float(231.0 + 20.0));

    // The administrator sees the ID in full, as text with every digit.
    let mut admin = w.app.admin().await;
    let full = admin
        .export(Report::CustomerConsumption(consumption()))
        .await
        .expect("exported");
    let body = sheet_body(&full.file, "客户消费情况", "客户");
    assert_eq!(body[0][4], Data::String("11010519491231002X".into()));

    // Every report exports, with its totals row.
    for report in [
        Report::DrugSales(drug_sales()),
        Report::DrugSalesSeries(pb::DrugSalesSeriesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            interval: pb::SeriesInterval::Week as i32,
            ..Default::default()
        }),
        Report::CustomerDistribution(pb::CustomerDistributionRequest::default()),
        Report::EmployeePerformance(performance(pb::RepRole::Sales)),
        Report::RegionalSales(regional()),
        Report::Exceptions(exceptions(pb::ExceptionGrouping::Drug)),
    ] {
        let file = admin.export(report.clone()).await.expect("exported");
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(file.file)).expect("xlsx");
        let names = book.sheet_names();
        let sheet = book.worksheet_range(&names[0]).expect("a sheet");
        let last: Vec<Data> = sheet.rows().next_back().expect("rows").to_vec();
        assert!(
            last.contains(&Data::String("合计".into())),
            "{report:?}: {last:?}"
        );
        // The currency is said where there are amounts: not over the customers' counts.
        let says_unit = sheet
            .rows()
            .any(|r| r.first() == Some(&Data::String("金额单位：".into())));
        assert_eq!(
            says_unit,
            !matches!(report, Report::CustomerDistribution(_)),
            "{report:?}"
        );
        // What 销售额 counts is said as the screen says it, on those that have sales.
        let defined = sheet.rows().any(|r| {
            r.first() == Some(&Data::String("销售额：".into()))
                && r.get(1)
                    .is_some_and(|d| d.to_string().starts_with("发货金额（不含补发）减异常扣款"))
        });
        assert_eq!(
            defined,
            !matches!(
                report,
                Report::CustomerDistribution(_) | Report::Exceptions(_)
            ),
            "{report:?}"
        );
        // The distribution counts the customers on record, not buyers: its column says so.
        let headed = |name: &str| sheet.rows().any(|r| r.contains(&Data::String(name.into())));
        if matches!(report, Report::CustomerDistribution(_)) {
            assert!(headed("客户数") && !headed("购买客户数"), "{report:?}");
        } else if matches!(report, Report::DrugSales(_)) {
            assert!(headed("购买客户数"), "{report:?}");
        }
    }

    // Audited: who, which report, the row count.
    let audit = admin
        .send(pb::SearchAuditRequest {
            action: "report.export".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(audit.entries.len(), 8);
    assert!(
        audit.entries.iter().any(|e| e.username == "boss"
            && e.after_json.contains("customer_consumption")
            && e.after_json.contains("\"rows\": 2")
            && e.after_json.contains("\"期间\": \"")),
        "{:?}",
        audit.entries
    );
    // The filters by name, as the sheet says them: never the request's program text.
    assert!(
        audit
            .entries
            .iter()
            .all(|e| !e.after_json.contains("Some(") && !e.after_json.contains("Request {")),
        "{:?}",
        audit.entries
    );

    // Exporting needs report.export as well as report.read.
    let mut reader = w
        .app
        .user_with_permissions("reader", &["report.read", "customer.read"])
        .await;
    reader
        .export(Report::DrugSales(drug_sales()))
        .await
        .refused(Code::PermissionDenied);
    let refused = admin
        .try_send(pb::DrugSalesRequest {
            date_from: "2026-09-30".into(),
            date_to: "2026-09-01".into(),
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["date_to"]);
    // Exported, the same mistakes are named from the export request's top.
    let refused = admin
        .export(Report::DrugSales(pb::DrugSalesRequest {
            date_from: "2026-09-30".into(),
            date_to: "2026-09-01".into(),
            origin: 99,
            ..Default::default()
        }))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        bad_fields(&refused),
        ["drug_sales.date_to", "drug_sales.origin"]
    );
    // A sort the report does not have is named the same way.
    let refused = admin
        .export(Report::RegionalSales(pb::RegionalSalesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            sort: Some(pb::ReportSort {
                by: "colour".into(),
                ascending: true,
            }),
            ..Default::default()
        }))
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["regional_sales.sort.by"]);
}

/// A sort by `key`, ascending.
fn sort_by(key: &str) -> Option<pb::ReportSort> {
    Some(pb::ReportSort {
        by: key.into(),
        ascending: true,
    })
}

/// A report request with several mistakes is refused once, naming each bad field in the
/// request's order: the period's ends, the filters and the enum fields together, so the
/// caller does not correct one field per attempt.
#[tokio::test]
async fn a_report_request_is_refused_naming_every_bad_field_at_once() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let n = 99;
    assert_bad_fields!(admin, {
        pb::DrugSalesRequest {
            date_from: "9月1日".into(),
            drug_id: Some(-1),
            origin: n,
            sort: sort_by("purchase_price"),
            ..Default::default()
        } => ["date_from", "date_to", "drug_id", "origin", "sort.by"],
        pb::DrugSalesSeriesRequest {
            date_from: "2026-09-30".into(),
            date_to: "2026-09-01".into(),
            category_id: Some(0),
            interval: n,
            ..Default::default()
        } => ["date_to", "category_id", "interval"],
        // Ten years by day is more points than a chart shows.
        pb::DrugSalesSeriesRequest {
            date_from: "2017-01-01".into(),
            date_to: "2026-09-30".into(),
            category_id: Some(0),
            interval: pb::SeriesInterval::Day as i32,
            ..Default::default()
        } => ["category_id", "interval"],
        pb::CustomerDistributionRequest {
            province_code: "99".into(),
            business_kind: n,
            type_id: Some(0),
            sort: sort_by("amount"),
            ..Default::default()
        } => ["province_code", "business_kind", "type_id", "sort.by"],
        pb::EmployeePerformanceRequest {
            date_from: "2010-01-01".into(),
            date_to: "2026-09-30".into(),
            role: n,
            sort: sort_by("region"),
            ..Default::default()
        } => ["date_to", "role", "sort.by"],
        // Ten calendar years and a day.
        pb::EmployeePerformanceRequest {
            date_from: "2016-09-30".into(),
            date_to: "2026-09-30".into(),
            ..Default::default()
        } => ["date_to"],
        pb::RegionalSalesRequest {
            province_code: "99".into(),
            sort: sort_by("name"),
            ..Default::default()
        } => ["date_from", "date_to", "province_code", "sort.by"],
        pb::CustomerConsumptionRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-9-31".into(),
            province_code: "99".into(),
            sort: sort_by("quantity"),
            ..Default::default()
        } => ["date_to", "province_code", "sort.by"],
        pb::ExceptionsRequest {
            date_to: "2026-09-30".into(),
            group_by: n,
            sort: sort_by("amount"),
            ..Default::default()
        } => ["date_from", "group_by", "sort.by"],
        // A year no one writes (chrono's first day) is not a date either.
        pb::RegionalSalesRequest {
            date_from: "-262143-01-01".into(),
            date_to: "2026-09-30".into(),
            ..Default::default()
        } => ["date_from"],
        pb::StatementRequest {
            date_from: "2026-09-01".into(),
            date_to: "10000-01-01".into(),
            ..Default::default()
        } => ["date_to"],
        // An id given as 0 is not "every customer": unset is.
        pb::StatementRequest {
            customer_id: Some(0),
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            handler_id: Some(-2),
        } => ["customer_id", "handler_id"],
    });
    // Ten calendar years exactly is a period a report covers.
    admin
        .send(pb::EmployeePerformanceRequest {
            date_from: "2016-10-01".into(),
            date_to: "2026-09-30".into(),
            ..Default::default()
        })
        .await;
    // An id given as 0 or less is not a missing one: the message says what is wrong.
    let refused = admin
        .try_send(pb::DrugSalesRequest {
            date_from: "2026-09-01".into(),
            date_to: "2026-09-30".into(),
            drug_id: Some(-1),
            category_id: Some(0),
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_message_contains(&refused, "drug_id: is not a record's id");
    assert_message_contains(&refused, "category_id: is not a record's id");
    assert_zh_contains(&refused, "drug_id：不是有效的记录编号");
    // A drug or category that does not exist is NOT_FOUND, on screen as in the export
    // (and in the drug search): not a report of no sales.
    let september = |drug_id, category_id| pb::DrugSalesRequest {
        date_from: "2026-09-01".into(),
        date_to: "2026-09-30".into(),
        drug_id,
        category_id,
        ..Default::default()
    };
    for (drug_id, category_id) in [(Some(999_999), None), (None, Some(999_999))] {
        let request = september(drug_id, category_id);
        admin
            .try_send(request.clone())
            .await
            .refused(Code::NotFound);
        admin
            .try_send(pb::DrugSalesSeriesRequest {
                date_from: request.date_from.clone(),
                date_to: request.date_to.clone(),
                drug_id,
                category_id,
                ..Default::default()
            })
            .await
            .refused(Code::NotFound);
        let status = admin
            .export(pb::export_request::Report::DrugSales(request))
            .await
            .expect_err("nothing to name");
        assert_eq!(status.code(), Code::NotFound);
    }
    admin
        .try_send(pb::SearchDrugsRequest {
            category_id: Some(999_999),
            ..Default::default()
        })
        .await
        .refused(Code::NotFound);
}

/// Two exports of one report and period are told apart by their names: the reps ranked,
/// the province drilled into (both were "员工销售业绩_2026-09-01_2026-09-30.xlsx", the
/// second saved as "(2)").
#[tokio::test]
async fn an_exports_name_says_the_reps_ranked_and_the_province() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let m = &mut w.manager;
    let mut name = async |report| {
        m.export(report).await.expect("exported").progress[0]
            .file_name
            .clone()
    };
    assert_eq!(
        name(Report::EmployeePerformance(performance(
            pb::RepRole::CustomerService
        )))
        .await,
        "员工销售业绩_客服_2026-09-01_2026-09-30.xlsx"
    );
    assert_eq!(
        name(Report::RegionalSales(pb::RegionalSalesRequest {
            province_code: "43".into(),
            ..regional()
        }))
        .await,
        "地区销售情况_湖南省_2026-09-01_2026-09-30.xlsx"
    );
    assert_eq!(
        name(Report::RegionalSales(regional())).await,
        "地区销售情况_2026-09-01_2026-09-30.xlsx"
    );
    // The exceptions by what they are grouped by; the distribution, a count of the
    // customers on record, by the day it counted them.
    assert_eq!(
        name(Report::Exceptions(exceptions(
            pb::ExceptionGrouping::Customer
        )))
        .await,
        "异常反馈情况_客户_2026-09-01_2026-09-30.xlsx"
    );
    let today = w.app.clock().today().format("%Y-%m-%d").to_string();
    let m = &mut w.manager;
    let distribution = m
        .export(Report::CustomerDistribution(
            pb::CustomerDistributionRequest {
                province_code: "43".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("exported");
    assert_eq!(
        distribution.progress[0].file_name,
        format!("客户地域分布_湖南省_{today}.xlsx")
    );
}

#[tokio::test]
async fn an_english_client_gets_an_english_sheet_with_the_same_figures() {
    let mut w = world().await;
    september_sales(&mut w).await;
    let m = &mut w.manager;
    let zh = m
        .export(Report::Exceptions(exceptions(pb::ExceptionGrouping::Kind)))
        .await
        .expect("exported in Chinese");
    let en = m
        .export_in(
            Report::Exceptions(exceptions(pb::ExceptionGrouping::Kind)),
            "en-GB",
        )
        .await
        .expect("exported in English");
    assert!(
        en.progress[0]
            .file_name
            .starts_with("Exceptions_Kind_2026-09-01_2026-09-30"),
        "{:?}",
        en.progress[0].file_name
    );
    let zh_body = sheet_body(&zh.file, "异常反馈情况", "异常类型");
    let en_body = sheet_body(&en.file, "Exceptions", "Kind");
    assert_eq!(zh_body.len(), en_body.len());
    for (zh_row, en_row) in zh_body.iter().zip(&en_body).take(zh_body.len() - 1) {
        let pair = (zh_row[0].to_string(), en_row[0].to_string());
        assert!(
            [("破损", "Damaged"), ("丢失", "Lost"), ("短少", "Short")]
                .iter()
                .any(|(zh, en)| pair == ((*zh).to_owned(), (*en).to_owned())),
            "{pair:?}"
        );
        assert_eq!(zh_row[1..], en_row[1..], "the same figures in both");
    }
    let (zh_totals, en_totals) = (zh_body.last().unwrap(), en_body.last().unwrap());
    assert_eq!(en_totals[0], Data::String("Total".into()));
    assert_eq!(en_totals[1..], zh_totals[1..], "the same figures in both");
    // The title block speaks English too.
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(en.file.clone())).expect("xlsx");
    let sheet = book.worksheet_range("Exceptions").expect("the sheet");
    let labels: Vec<String> = sheet
        .rows()
        .filter_map(|r| match r.first() {
            Some(Data::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for label in [
        "Period:",
        "Grouped by:",
        "Data scope:",
        "Exported by:",
        "Exported at:",
        "Amounts in:",
    ] {
        assert!(labels.iter().any(|l| l == label), "{label} in {labels:?}");
    }
    // The default order goes unsaid; one the user chose is written with the filters,
    // with the rows in it.
    assert!(!labels.iter().any(|l| l == "Sorted by:"), "{labels:?}");
    let by_count = m
        .export_in(
            Report::Exceptions(pb::ExceptionsRequest {
                sort: sort_by("count"),
                ..exceptions(pb::ExceptionGrouping::Kind)
            }),
            "en",
        )
        .await
        .expect("exported sorted by count");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(by_count.file)).expect("xlsx");
    let sheet = book.worksheet_range("Exceptions").expect("the sheet");
    let sorted_by = sheet
        .rows()
        .find(|r| r.first() == Some(&Data::String("Sorted by:".into())))
        .map(|r| r[1].to_string());
    assert_eq!(sorted_by.as_deref(), Some("Count, ascending"));

    // A language the sheets are not written in is refused, naming the field.
    let refused = m
        .export_in(
            Report::Exceptions(exceptions(pb::ExceptionGrouping::Kind)),
            "fr",
        )
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["language_code"]);
    // With a mistake in the report too, both are named at once.
    let refused = m
        .export_in(
            Report::Exceptions(pb::ExceptionsRequest {
                date_to: String::new(),
                ..exceptions(pb::ExceptionGrouping::Kind)
            }),
            "fr",
        )
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        bad_fields(&refused),
        ["exceptions.date_to", "language_code"]
    );
}

#[tokio::test]
async fn a_cancelled_export_leaves_nothing_behind() {
    use pharmacrm_server::db::scope::Reps;
    use pharmacrm_server::ops::report_export::{self, Context, Job, Outcome};
    use pharmacrm_server::ops::reports::{DrugFilter, Interval, Period};

    let w = world().await;
    // The series' last day (a series ends at the business date).
    w.app.pin_clock("2026-09-26T10:00:00+08:00");
    let dir = w.app.config.data_dir.join("exports");
    let files_left = || std::fs::read_dir(&dir).expect("the export dir").count();
    // Over the network: the client goes away after the first message; the server stops
    // and deletes what it wrote.
    let mut admin = w.app.admin().await;
    let daily = pb::DrugSalesSeriesRequest {
        date_from: "2024-01-01".into(),
        date_to: "2026-09-26".into(),
        interval: pb::SeriesInterval::Day as i32,
        ..Default::default()
    };
    let mut stream = admin
        .reports
        .export(pb::ExportRequest {
            report: Some(Report::DrugSalesSeries(daily)),
            ..Default::default()
        })
        .await
        .expect("started")
        .into_inner();
    let first = stream
        .message()
        .await
        .expect("a message")
        .expect("progress");
    assert!(
        matches!(first.part, Some(pb::export_chunk::Part::Progress(ref p)) if p.total == 1_000),
        "{first:?}"
    );
    drop(stream);
    let mut empty = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if files_left() == 0 {
            empty = true;
            break;
        }
    }
    assert!(empty, "the export's files are deleted");

    // The same export cancelled at a known point (after its first batch of rows): it
    // reports the cancellation, sends no file and leaves no file.
    let mut conn = w.app.sql();
    let job = Job::DrugSalesSeries {
        period: Period {
            from: "2024-01-01".parse().unwrap(),
            to: "2026-09-26".parse().unwrap(),
        },
        filter: DrugFilter::default(),
        interval: Interval::Day,
    };
    let clock = pharmacrm_server::clock::Clock::new(chrono_tz::Asia::Shanghai);
    let ctx = Context {
        reps: &Reps::All,
        clock: &clock,
        id_key: None,
        lines: vec![],
        lang: Default::default(),
        dir: &dir,
    };
    let mut messages = Vec::new();
    let mut send = |chunk: pb::ExportChunk| {
        messages.push(chunk);
        messages.len() < 2
    };
    let outcome = report_export::export(&mut conn, &job, &ctx, &mut send).expect("no error");
    assert_eq!(outcome, Outcome::Cancelled);
    assert!(
        messages
            .iter()
            .all(|m| !matches!(m.part, Some(pb::export_chunk::Part::Data(_)))),
        "no bytes of the file were sent"
    );
    assert_eq!(files_left(), 0);

    // A statement, laid out by its own writer, stops as a report does: the caller gone at
    // its first message, or once its sheets are written (its last progress), nothing is
    // left.
    let statement = Job::Statement {
        query: pharmacrm_server::ops::finance::StatementQuery {
            customer_id: None,
            from: "2026-09-01".parse().unwrap(),
            to: "2026-09-26".parse().unwrap(),
            handler_id: None,
            today: "2026-09-26".parse().unwrap(),
        },
    };
    for answered in [0, 1] {
        let mut sent = 0;
        let mut send = |_: pb::ExportChunk| {
            sent += 1;
            sent <= answered
        };
        let outcome =
            report_export::export(&mut conn, &statement, &ctx, &mut send).expect("no error");
        assert_eq!(outcome, Outcome::Cancelled, "gone after {answered}");
        assert_eq!(files_left(), 0, "gone after {answered}");
    }
}
