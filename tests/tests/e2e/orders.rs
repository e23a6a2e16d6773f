//! Orders: exact amounts rounded half up, what refuses an order, shipping with batches
//! (also two CS reps at once), delivery and the overdue flag around midnight in Shanghai,
//! transport exceptions settled by deduction or replacement, cancelling, the data scope,
//! the permission of each action, the recall by batch and the order search.

use std::collections::BTreeSet;

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::assert_bad_fields;
use pharmacrm_tests::fixtures::{
    BATCH_EXPIRY, CertificateBuilder, CustomerBuilder, CustomerTeam, DrugBuilder,
    InvoicingEntityBuilder, OrderBuilder, OrderView, Person, SIGNER, ShipmentBuilder, UnitBuilder,
    UserChange, deleting, instant, invoicing_entity, place_order, set_active, settings_input,
    shipment_input,
};
use pharmacrm_tests::{
    Clients, Refused, TestApp, assert_message_contains, assert_zh_contains, at_once, bad_fields,
    sorted_bad_fields, zh_message,
};
use tonic::Code;

/// The business date the tests run on unless they pin another.
const TODAY: &str = "2026-11-30";

/// Later on [`TODAY`], when the goods have arrived.
const AFTERNOON: &str = "2026-11-30T16:00:00+08:00";

/// When goods shipped on [`TODAY`] arrive.
const ARRIVED: &str = "2026-11-30T15:00:00+08:00";

/// A sales rep and the CS rep serving their customer, a drug on sale at 2.00, and the
/// company's invoicing entity; the clock at 10:00 on [`TODAY`] in Shanghai.
struct World {
    app: TestApp,
    rep: Person,
    cs: Person,
    customer: pb::Customer,
    drug: pb::Drug,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.pin_clock("2026-11-30T10:00:00+08:00");
    invoicing_entity(&app).await;
    let drug = app.drug_on_sale("阿莫西林胶囊", "1", "2").await;
    let CustomerTeam { rep, cs, customer } = app
        .licensed_customer_team("北京协和医院", "rep-a", "cs-a")
        .await;
    World {
        app,
        rep,
        cs,
        customer,
        drug,
    }
}

impl World {
    /// 10 of the drug at its sale price ordered by the rep and shipped whole (batch B2611)
    /// by the CS rep, in transit: the order as placed, and the shipment.
    async fn shipped_ten(&mut self) -> (pb::OrderDetail, pb::Shipment) {
        let order = place_order(&mut self.rep, self.customer.id, &[(self.drug.id, 10, "")]).await;
        let shipment = ShipmentBuilder::of(&order)
            .everything_left("B2611")
            .create(&mut self.cs)
            .await;
        (order, shipment)
    }

    /// 10 × 1.2345 of the drug (12.345 → 12.35) ordered this morning, shipped whole
    /// (batch B2611) and delivered this afternoon: the order as placed, and the shipment.
    async fn delivered_at_odd_price(&mut self) -> (pb::OrderDetail, pb::Shipment) {
        let order = place_order(
            &mut self.rep,
            self.customer.id,
            &[(self.drug.id, 10, "1.2345")],
        )
        .await;
        let shipment = ShipmentBuilder::of(&order)
            .everything_left("B2611")
            .create(&mut self.cs)
            .await;
        self.app.pin_clock(AFTERNOON);
        let shipment = self.cs.deliver(&shipment, ARRIVED).await;
        (order, shipment)
    }
}

#[tokio::test]
async fn line_amounts_round_half_up_and_the_total_is_the_sum_of_the_rounded_lines() {
    let mut w = world().await;
    // Quantity, unit price, amount. Banker's rounding would give 0.04, 100.00 and 2.66.
    let table = [
        (3, "0.0150", "0.05"),
        (1, "2.675", "2.68"),
        (7, "1.2345", "8.64"),
        (3, "33.335", "100.01"),
        (1, "2.665", "2.67"),
    ];
    let lines: Vec<_> = table
        .iter()
        .map(|&(quantity, price, _)| (w.drug.id, quantity, price))
        .collect();
    let order = OrderBuilder::new(w.customer.id).lines(&lines);
    let preview = order
        .clone()
        .try_preview(&mut w.rep)
        .await
        .expect("preview");
    let placed = order.place(&mut w.rep).await;
    let stored = w.rep.reload(&placed).await;

    for (i, &(quantity, price, amount)) in table.iter().enumerate() {
        assert_eq!(stored.lines[i].amount, amount, "{quantity} × {price}");
        assert_eq!(
            preview.lines[i].amount, amount,
            "previewed {quantity} × {price}"
        );
    }
    // 0.05 + 2.68 + 8.64 + 100.01 + 2.67; the exact products would round to 114.03.
    assert_eq!(stored.amounts(), ("114.05", "0.00", "114.05"));
    assert_eq!(preview.total, "114.05");
}

/// An order of fifty lines, each with two bad figures: the refusal names the first twenty
/// fields (its message the first five, "and 95 more errors"), small enough for every gRPC
/// client's trailer limit (8 KiB in grpc-java) — not a hundred fields no client receives.
#[tokio::test]
async fn an_order_with_fifty_bad_lines_is_refused_in_an_answer_every_client_receives() {
    let mut w = world().await;
    let lines: Vec<_> = (0..50).map(|_| (w.drug.id, 0, "abc")).collect();
    let refused = OrderBuilder::new(w.customer.id)
        .lines(&lines)
        .try_preview(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    let fields = bad_fields(&refused);
    assert_eq!(fields.len(), 20);
    assert_eq!(fields[..2], ["lines[0].quantity", "lines[0].unit_price"]);
    assert!(
        refused.message().ends_with("; and 95 more errors"),
        "{}",
        refused.message()
    );
    assert!(zh_message(&refused).unwrap().ends_with("；另有 95 处错误"));
    let size = refused.message().len() + refused.details().len() * 4 / 3;
    assert!(size < 8 * 1024, "{size} bytes of trailers");
}

#[tokio::test]
async fn an_empty_price_is_the_drugs_sale_price_and_a_low_price_is_only_a_warning_keeping_the_cost_hidden()
 {
    let mut w = world().await;
    let drug = w.app.drug_on_sale("头孢克肟胶囊", "7.3456", "9.80").await;
    let order = OrderBuilder::new(w.customer.id)
        .line(drug.id, 4, "") // the sale price
        .line(drug.id, 10, "7.00") // below cost
        .line(drug.id, 1, "0") // free goods: the same drug again
        .line(drug.id, 2, "7.3456"); // at cost

    let placed = order.clone().create(&mut w.rep).await;
    let fields: Vec<_> = placed.warnings.iter().map(|x| x.field.as_str()).collect();
    // A sales rep does not hold drug.cost.read: they are warned below the sale price, not
    // below the cost, whose edge a few tries would find.
    assert_eq!(
        fields,
        [
            "lines[1].unit_price",
            "lines[2].unit_price",
            "lines[3].unit_price"
        ]
    );
    for warning in &placed.warnings {
        assert!(
            !warning.message.contains("7.3456") && !warning.message_zh.contains("7.3456"),
            "{warning:?}"
        );
        // A price of 0 is free goods, said as such (a 0 typed by mistake is seen).
        let said = if warning.field == "lines[2].unit_price" {
            "赠品，不收货款"
        } else {
            "低于售价 9.80"
        };
        assert!(warning.message_zh.contains(said), "{warning:?}");
    }
    // Just above and just below the cost, a rep is told the same thing.
    let mut told = Vec::new();
    for price in ["7.3455", "7.3457"] {
        let preview = OrderBuilder::new(w.customer.id)
            .line(drug.id, 1, price)
            .try_preview(&mut w.rep)
            .await
            .expect("preview");
        told.push(preview.warnings);
    }
    assert_eq!(told[0], told[1]);
    let order_placed = placed.order.expect("the placed order");
    assert_eq!(order_placed.header().status(), pb::OrderStatus::Pending);
    assert_eq!(order_placed.lines[0].unit_price, drug.sale_price);
    let amounts: Vec<_> = order_placed
        .lines
        .iter()
        .map(|l| l.amount.as_str())
        .collect();
    assert_eq!(amounts, ["39.20", "70.00", "0.00", "14.69"]);
    assert_eq!(order_placed.header().total, "123.89");
    // Someone who may see the cost is told it.
    let mut admin = w.app.admin().await;
    let preview = order.try_preview(&mut admin).await.expect("preview");
    assert_eq!(preview.warnings.len(), 2);
    assert!(
        preview.warnings[0].message.contains("7.3456"),
        "{:?}",
        preview.warnings[0]
    );

    // Above the sale price (a digit too many), anyone is told; at it, nobody.
    for who in [&mut w.rep.clients, &mut admin] {
        let preview = OrderBuilder::new(w.customer.id)
            .line(drug.id, 1, "98000")
            .line(drug.id, 1, "9.80")
            .try_preview(who)
            .await
            .expect("preview");
        let told: Vec<_> = preview
            .warnings
            .iter()
            .map(|x| (x.field.as_str(), x.message_zh.as_str()))
            .collect();
        assert_eq!(told, [("lines[0].unit_price", "高于售价 9.80")]);
    }

    // Each line keeps the sale price it was priced against, whatever the catalogue's
    // becomes: the order says which went at another price for as long as it is kept.
    diesel::sql_query("UPDATE drugs SET sale_price = 10.50 WHERE id = $1")
        .bind::<diesel::sql_types::BigInt, _>(drug.id)
        .execute(&mut w.app.sql())
        .expect("a new sale price");
    let read = w.rep.order(order_placed.header().id).await.expect("order");
    let list_prices: Vec<_> = read.lines.iter().map(|l| l.list_price.as_str()).collect();
    assert_eq!(list_prices, ["9.80"; 4]);
}

/// An order's 账期 is its customer's. A rep who types other terms is refused: they are
/// credit control's to give (`customer.credit.write`), as the customer's own are; the
/// customer's own typed out, or on a change the terms the order has, pass.
#[tokio::test]
async fn only_credit_control_gives_an_order_terms_other_than_its_customers() {
    let mut w = world().await;
    // The standard 营销员, without the credit control the tests' reps hold.
    diesel::sql_query(
        "DELETE FROM position_permissions WHERE permission = 'customer.credit.write' \
         AND position_id = (SELECT id FROM positions WHERE name = '营销员')",
    )
    .execute(&mut w.app.sql())
    .expect("the standard rep's permissions");
    w.rep.clients = w.app.session_of("rep-a").await;
    let order = |days| {
        OrderBuilder::new(w.customer.id)
            .line(w.drug.id, 1, "")
            .credit_days(days)
    };
    let status = order(3650)
        .try_create(&mut w.rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "customer.credit.write");
    assert_zh_contains(&status, "为订单设定与客户不同的账期");
    let theirs = order(w.customer.credit_days).place(&mut w.rep).await;
    assert_eq!(theirs.header().credit_days, w.customer.credit_days);

    let mut admin = w.app.admin().await;
    let longer = order(90).place(&mut admin).await;
    assert_eq!(longer.header().credit_days, 90);
    // The rep changes the order, keeping the terms credit control gave it.
    let changed = OrderBuilder::change_of(&longer)
        .line(w.drug.id, 2, "")
        .credit_days(90)
        .update(&mut w.rep)
        .await;
    assert_eq!(changed.header().credit_days, 90);
    OrderBuilder::change_of(&changed)
        .line(w.drug.id, 2, "")
        .credit_days(120)
        .try_update(&mut w.rep)
        .await
        .refused(Code::PermissionDenied);
}

#[tokio::test]
async fn bad_order_fields_are_named_and_nothing_is_saved() {
    let mut w = world().await;
    let (customer, drug) = (w.customer.id, w.drug.id);
    let status = OrderBuilder::new(customer)
        .line(drug, 0, "")
        .line(drug, 10_000_000, "")
        .line(drug, 1, "-1")
        .line(drug, 1, "1.23456")
        .line(drug, 1, "12,5")
        .credit_days(3651)
        .note(&"备".repeat(501))
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        [
            "credit_days",
            "lines[0].quantity",
            "lines[1].quantity",
            "lines[2].unit_price",
            "lines[3].unit_price",
            "lines[4].unit_price",
            "note"
        ]
    );

    let status = OrderBuilder::new(customer)
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines"]);

    let status = OrderBuilder::new(customer)
        .line(drug, 1, "")
        .requested_for("2026-11-29")
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["requested_delivery_date"]);
    // The preview prices it all the same (a total that stopped at a wrong date was a
    // stale one), and says what is wrong on each such field.
    let preview = OrderBuilder::new(customer)
        .line(drug, 3, "")
        .requested_for("2026-11-29")
        .credit_days(99_999)
        .try_preview(&mut w.rep)
        .await
        .expect("priced all the same");
    assert_eq!(preview.total, "6.00");
    let warned: Vec<(&str, &str)> = preview
        .warnings
        .iter()
        .map(|w| (w.field.as_str(), w.message_zh.as_str()))
        .collect();
    assert_eq!(
        warned,
        [
            ("requested_delivery_date", "早于今天"),
            ("credit_days", "须为 0 到 3650 之间的整数天数")
        ]
    );
    // A line that does not read is refused still: there is nothing to price. The
    // refusal names the past date too, in one answer.
    let status = OrderBuilder::new(customer)
        .line(drug, 0, "")
        .requested_for("2026-11-29")
        .try_preview(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        bad_fields(&status),
        ["requested_delivery_date", "lines[0].quantity"]
    );

    let status = OrderBuilder::new(customer)
        .line(drug, 1, "")
        .line(999_999, 1, "")
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines[1].drug_id"]);

    let saved = w.rep.send(pb::SearchOrdersRequest::default()).await;
    assert_eq!(saved.total, 0);
}

#[tokio::test]
async fn order_numbers_carry_the_business_date_in_shanghai_and_the_days_sequence() {
    let mut w = world().await;
    let one_box = [(w.drug.id, 1, "")];
    w.app.pin_clock("2026-11-30T23:50:00+08:00");
    let first = place_order(&mut w.rep, w.customer.id, &one_box).await;
    let second = place_order(&mut w.rep, w.customer.id, &one_box).await;
    assert_eq!(first.header().number, "SO20261130-0001");
    assert_eq!(second.header().number, "SO20261130-0002");
    assert_eq!(second.header().order_date, "2026-11-30");

    // 00:10 on 1 December in Shanghai, still 30 November in UTC: a new day, a new sequence.
    w.app.pin_clock("2026-12-01T00:10:00+08:00");
    let next_day = place_order(&mut w.rep, w.customer.id, &one_box).await;
    assert_eq!(next_day.header().number, "SO20261201-0001");
    assert_eq!(next_day.header().order_date, "2026-12-01");
    let shipment = ShipmentBuilder::of(&next_day)
        .everything_left("B2612")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.number, "SH20261201-0001");
    assert_eq!(shipment.order_number, "SO20261201-0001");
}

#[tokio::test]
async fn an_expired_licence_or_gsp_certificate_refuses_the_order_naming_it_and_its_expiry() {
    let mut w = world().await;
    let id = w.customer.id;
    let order = OrderBuilder::new(id).line(w.drug.id, 1, "");
    let licence = CertificateBuilder::new(id, pb::CertificateKind::DrugTrade)
        .expires_on("2026-11-29")
        .save(&mut w.rep)
        .await;
    let status = order
        .clone()
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "药品经营许可证");
    assert_message_contains(&status, "2026-11-29");
    // The order form's preview says so before anything is saved, beside the amounts.
    let preview = order
        .clone()
        .try_preview(&mut w.rep)
        .await
        .expect("priced all the same");
    assert_eq!(preview.total, "2.00");
    let refusal: Vec<&str> = preview
        .warnings
        .iter()
        .filter(|w| w.field == "customer_id")
        .map(|w| w.message_zh.as_str())
        .collect();
    assert_eq!(refusal.len(), 1, "{:?}", preview.warnings);
    assert!(refusal[0].contains("药品经营许可证"), "{refusal:?}");
    // As soon as the customer is picked, before any line is typed.
    let picked = OrderBuilder::new(id)
        .try_preview(&mut w.rep)
        .await
        .expect("a customer alone is previewed");
    assert_eq!(picked.total, "0.00");
    assert!(picked.lines.is_empty());
    assert!(
        (picked.warnings.iter())
            .any(|w| w.field == "customer_id" && w.message_zh.contains("药品经营许可证")),
        "{:?}",
        picked.warnings
    );
    // Placing it without lines is still refused for them.
    let refused = OrderBuilder::new(id)
        .try_create(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["lines"]);

    // Renewed to expire today: not expired yet.
    let renewed = pb::Certificate {
        expires_on: TODAY.into(),
        ..licence
    };
    w.rep
        .send(pb::SaveCertificateRequest {
            certificate: Some(renewed),
            scan: vec![],
            replace_scan: false,
        })
        .await;
    order.clone().create(&mut w.rep).await;

    CertificateBuilder::new(id, pb::CertificateKind::Gsp)
        .number("A-BJ-20-0001")
        .expires_on("2026-11-15")
        .save(&mut w.rep)
        .await;
    let status = order
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "GSP");
    assert_message_contains(&status, "2026-11-15");
    let saved = w.rep.send(pb::SearchOrdersRequest::default()).await;
    assert_eq!(saved.total, 1);
}

/// GSP (2016) Art. 89: drugs go to buyers whose papers were checked. An order for a
/// customer without the licence its business needs on file, valid today (a hospital's
/// 医疗机构执业许可证, a pharmacy's 药品经营许可证), is said to deserve a second look.
#[tokio::test]
async fn an_order_for_a_customer_without_a_valid_licence_on_file_is_warned_of() {
    let mut w = world().await;
    let qualification = |preview: &pb::OrderPreview| -> Vec<String> {
        preview
            .warnings
            .iter()
            .filter(|w| w.field == "customer_qualification")
            .map(|w| w.message_zh.clone())
            .collect()
    };
    let order_for = |customer: i64| OrderBuilder::new(customer).line(w.drug.id, 1, "");
    let preview_for = async |rep: &mut Person, customer: i64| {
        order_for(customer).try_preview(rep).await.expect("preview")
    };
    let qualified = preview_for(&mut w.rep, w.customer.id).await;
    assert!(
        qualification(&qualified).is_empty(),
        "{:?}",
        qualified.warnings
    );

    let pharmacy = CustomerBuilder::new("康民大药房")
        .kind(pb::BusinessKind::Pharmacy)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    // A hospital's licence is not a pharmacy's.
    CertificateBuilder::new(pharmacy.id, pb::CertificateKind::MedicalInstitution)
        .save(&mut w.rep)
        .await;
    let preview = preview_for(&mut w.rep, pharmacy.id).await;
    assert_eq!(
        qualification(&preview),
        ["该客户没有有效的药品经营许可证在档：按 GSP 要求须核实购货单位资质，请在客户的证件中登记"]
    );
    // Placed all the same, saying so.
    let placed = order_for(pharmacy.id).create(&mut w.rep).await;
    assert!(
        placed
            .warnings
            .iter()
            .any(|w| w.field == "customer_qualification")
    );
    // Its drug-trade licence expired: the spec's rule refuses the order, said instead.
    CertificateBuilder::new(pharmacy.id, pb::CertificateKind::DrugTrade)
        .number("粤AA0200101")
        .expires_on("2026-11-29")
        .save(&mut w.rep)
        .await;
    let preview = preview_for(&mut w.rep, pharmacy.id).await;
    assert!(qualification(&preview).is_empty());
    assert!(preview.warnings.iter().any(|w| w.field == "customer_id"));
    // A clinic's licence expired is warned of, with its date.
    let clinic = CustomerBuilder::new("东城社区诊所")
        .kind(pb::BusinessKind::Clinic)
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    CertificateBuilder::new(clinic.id, pb::CertificateKind::MedicalInstitution)
        .expires_on("2026-11-29")
        .save(&mut w.rep)
        .await;
    let preview = preview_for(&mut w.rep, clinic.id).await;
    assert_eq!(
        qualification(&preview),
        [
            "该客户在档的医疗机构执业许可证已于 2026-11-29 过期：按 GSP 要求须核实购货单位资质，请在客户的证件中登记新证"
        ]
    );
}

#[tokio::test]
async fn goods_are_not_shipped_to_a_customer_whose_certificate_expired_after_the_order() {
    let mut w = world().await;
    let id = w.customer.id;
    CertificateBuilder::new(id, pb::CertificateKind::Gsp)
        .number("A-BJ-20-0002")
        .expires_on("2026-12-05")
        .save(&mut w.rep)
        .await;
    let order = place_order(&mut w.rep, id, &[(w.drug.id, 10, "")]).await;

    // A week later the certificate has lapsed: nothing leaves for the customer today.
    w.app.pin_clock("2026-12-07T10:00:00+08:00");
    let status = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 4, "B2612")
        .on("2026-12-07")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "GSP");
    assert_zh_contains(&status, "不能发货");
    assert_message_contains(&status, "2026-12-05");

    // Goods that left on its last valid day are recorded.
    let shipment = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 4, "B2612")
        .on("2026-12-05")
        .create(&mut w.cs)
        .await;
    // A replacement is goods supplied too: refused until the certificate is renewed.
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
            .await;
    let decided = w.rep.decide_reship(&damaged).await.expect("reship");
    let status =
        w.cs.ship_replacement(&decided, "2026-12-07", "B2613")
            .await
            .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "GSP");
    let order = w.rep.reload(&order).await;
    assert_eq!(order.shipments.len(), 1, "no replacement was recorded");
    assert!(
        order.exceptions[0].replacement_shipment_id == 0,
        "still awaiting its replacement"
    );

    // An archived customer is not shipped to either. SetCustomerActive refuses to archive a
    // customer with an order at work; one archived before that rule is set up in SQL.
    diesel::sql_query("UPDATE customers SET is_active = FALSE WHERE id = $1")
        .bind::<diesel::sql_types::BigInt, _>(id)
        .execute(&mut w.app.sql())
        .expect("archive the customer");
    let status = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 6, "B2612")
        .on("2026-12-05")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已归档，不能发货");
}

#[tokio::test]
async fn archived_drugs_and_archived_customers_cannot_be_ordered() {
    let mut w = world().await;
    let withdrawn = w.app.drug_on_sale("布洛芬缓释胶囊", "3", "5").await;
    let dealer = CustomerBuilder::new("东城社区诊所")
        .served_by(w.cs.id)
        .drugs(&[w.drug.id, withdrawn.id])
        .create(&mut w.rep)
        .await;
    let mut admin = w.app.admin().await;
    admin.archive_drug(&withdrawn).await;
    // The customer still deals in it, said to be archived (no longer sold).
    let dealt: Vec<(String, bool)> = w
        .rep
        .customer(dealer.id)
        .await
        .expect("customer")
        .drugs
        .into_iter()
        .map(|d| (d.label, d.archived))
        .collect();
    assert_eq!(
        dealt,
        [
            ("布洛芬缓释胶囊 0.25g×24粒".to_owned(), true),
            ("阿莫西林胶囊 0.25g×24粒".to_owned(), false)
        ]
    );
    let status = OrderBuilder::new(w.customer.id)
        .line(w.drug.id, 1, "")
        .line(withdrawn.id, 1, "")
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "布洛芬缓释胶囊");

    w.rep
        .customers
        .set_customer_active(set_active(&w.customer, false))
        .await
        .expect("archive the customer");
    let status = OrderBuilder::new(w.customer.id)
        .line(w.drug.id, 1, "")
        .try_create(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已归档，不能下单");

    let saved = admin.send(pb::SearchOrdersRequest::default()).await;
    assert_eq!(saved.total, 0);
}

#[tokio::test]
async fn a_customer_is_archived_once_its_orders_are_done_and_leaves_the_lists_until_restored() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    // An order not fully shipped would be stranded: shipments to an archived customer are
    // refused.
    let archive = |c: &pb::Customer| set_active(c, false);
    let status = w
        .rep
        .customers
        .set_customer_active(archive(&w.customer))
        .await
        .refused(Code::FailedPrecondition);
    // Named, to be found in the order list.
    let named = format!("还有 1 个未完成的订单（{}：", order.header().number);
    assert_zh_contains(&status, &named);
    assert_message_contains(&status, "still has 1 open order");
    // The customer as read says so beforehand, naming the order to open it by.
    let read = w.rep.customer(w.customer.id).await.expect("customer");
    assert_eq!(read.open_orders, 1);
    assert_eq!(
        read.oldest_open_orders,
        [pb::OpenOrderRef {
            id: order.header().id,
            number: order.header().number.clone(),
            status: pb::OrderStatus::Pending as i32,
            open_exceptions: 0,
        }],
        "it waits to ship"
    );
    // Shipped, the goods are still on their way (an exception may yet be reported).
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    w.rep
        .customers
        .set_customer_active(archive(&w.customer))
        .await
        .refused(Code::FailedPrecondition);
    let read = w.rep.customer(w.customer.id).await.expect("customer");
    assert_eq!(
        read.oldest_open_orders[0].status(),
        pb::OrderStatus::Shipped,
        "it waits to be signed for"
    );
    w.app.pin_clock(AFTERNOON);
    w.cs.deliver(&shipment, ARRIVED).await;

    // Someone else's rep does not see it, so cannot archive it.
    let CustomerTeam { rep: mut other, .. } =
        w.app.customer_team("朝阳医院", "rep-b", "cs-b").await;
    other
        .customers
        .set_customer_active(archive(&w.customer))
        .await
        .refused(Code::NotFound);

    let read = w.rep.customer(w.customer.id).await.expect("customer");
    assert_eq!((read.open_orders, read.oldest_open_orders.len()), (0, 0));
    let archived = w
        .rep
        .customers
        .set_customer_active(archive(&w.customer))
        .await
        .expect("archive")
        .into_inner();
    assert!(!archived.is_active);
    // Its orders say so, where a shipment would be refused.
    assert!(!order.header().customer_archived);
    assert!(w.rep.reload(&order).await.header().customer_archived);
    // Changes hold the version they were made from.
    w.rep
        .customers
        .set_customer_active(set_active(&w.customer, true))
        .await
        .refused(Code::Aborted);
    // Damage found later is still reported, and settled by a deduction: a replacement
    // could never leave for an archived customer.
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
            .await;
    let status = w
        .rep
        .decide_reship(&damaged)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已归档，不能补发");
    w.rep.deduct(&damaged).await.expect("deducted");

    // The list shows active customers unless asked; the customer itself still opens.
    let listed = |status: pb::CustomerStatusFilter| pb::SearchCustomersRequest {
        status: status as i32,
        ..Default::default()
    };
    let names = |r: pb::SearchCustomersResponse| {
        r.customers.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    let mut admin = w.app.admin().await;
    let active = names(admin.send(listed(pb::CustomerStatusFilter::Active)).await);
    assert_eq!(active, ["朝阳医院"]);
    let gone = names(admin.send(listed(pb::CustomerStatusFilter::Archived)).await);
    assert_eq!(gone, ["北京协和医院"]);
    let all = names(admin.send(listed(pb::CustomerStatusFilter::All)).await);
    assert_eq!(all.len(), 2);
    assert!(!w.rep.customer(w.customer.id).await.expect("get").is_active);
    // Registering it again, the rep is told it exists, archived (to restore instead).
    let found = w
        .rep
        .send(pb::FindDuplicatesRequest {
            name: "北京协和医院".into(),
            phone: String::new(),
            customer: None,
        })
        .await
        .duplicates;
    assert_eq!(found.len(), 1);
    assert!(found[0].archived);

    // Its delivered order's history stays, and it can be restored.
    let restored = w
        .rep
        .customers
        .set_customer_active(set_active(&archived, true))
        .await
        .expect("restore")
        .into_inner();
    assert!(restored.is_active);
    place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 1, "")]).await;
    let logged = admin
        .send(pb::SearchAuditRequest {
            object_type: "customer".into(),
            object_id: w.customer.id.to_string(),
            ..Default::default()
        })
        .await
        .entries;
    let actions: Vec<&str> = logged.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions[..2],
        ["customer.restore", "customer.archive"],
        "newest first"
    );
}

#[tokio::test]
async fn shipping_more_than_remains_on_a_line_is_refused() {
    let mut w = world().await;
    let order = place_order(
        &mut w.rep,
        w.customer.id,
        &[(w.drug.id, 5, ""), (w.drug.id, 4, "")],
    )
    .await;
    ShipmentBuilder::of(&order)
        .line(&order.lines[0], 6, "B2611")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);

    // One line from two batches in one shipment.
    let shipment = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 2, "B2611")
        .line(&order.lines[0], 2, "B2612")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.lines.len(), 2);
    let order = w.cs.reload(&order).await;
    let line = &order.lines[0];
    assert_eq!((line.shipped_quantity, line.remaining_quantity), (4, 1));

    // One unit remains: two batches of one unit each are one too many.
    let status = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 1, "B2611")
        .line(&order.lines[0], 1, "B2612")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&status), ["lines[1].quantity"]);
    assert_zh_contains(
        &status,
        "各批合计 2，超过未发货数量：订单第 1 行仅剩 1 未发",
    );
    let order = w.cs.reload(&order).await;
    assert_eq!(order.lines[0].remaining_quantity, 1);
    assert_eq!(order.lines[1].remaining_quantity, 4);
    assert_eq!(order.shipments.len(), 1);
    assert_eq!(order.header().status(), pb::OrderStatus::PartiallyShipped);
}

#[tokio::test]
async fn two_cs_reps_shipping_the_last_units_at_once_ship_them_once() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    ShipmentBuilder::of(&order)
        .line(&order.lines[0], 7, "B2611")
        .create(&mut w.cs)
        .await;
    let order = w.cs.reload(&order).await;

    // The last three units, from the same order version, from two desks at the same moment.
    let last_units = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 3, "B2612")
        .request();
    let desks = vec![w.cs.orders.clone(), w.app.session_of("cs-a").await.orders];
    let outcomes = at_once(desks, |mut desk| async move {
        desk.create_shipment(last_units).await
    })
    .await;

    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(
            matches!(refused.code(), Code::Aborted | Code::FailedPrecondition),
            "{refused:?}"
        );
    }
    let order = w.cs.reload(&order).await;
    let line = &order.lines[0];
    assert_eq!((line.shipped_quantity, line.remaining_quantity), (10, 0));
    assert_eq!(order.shipments.len(), 2);
    assert_eq!(order.header().status(), pb::OrderStatus::Shipped);
}

/// A CreateOrder whose answer never came is safe to send again with its request ID: the
/// same request again, even racing the first, gets the order the first placed, and only
/// one is placed. The ID with another request is refused naming that order; another
/// caller's same ID is theirs.
#[tokio::test]
async fn an_order_sent_again_with_its_request_id_is_placed_once() {
    let mut w = world().await;
    let entity = w.rep.invoicing_entities().await[0].id;
    let request = pb::OrderInput {
        request_id: "5f0c6a52-7d0e-4c1b-9a51-3c1f2b7e9d10".into(),
        ..OrderBuilder::new(w.customer.id)
            .line(w.drug.id, 10, "1.50")
            .invoiced_by(entity)
            .input()
    };
    // The first and its retry at the same moment, from two connections.
    let desks = vec![w.rep.orders.clone(), w.app.session_of("rep-a").await.orders];
    let sent = request.clone();
    let answers = at_once(
        desks,
        |mut desk| async move { desk.create_order(sent).await },
    )
    .await;
    let mut placed = BTreeSet::new();
    let mut told = Vec::new();
    for answer in answers {
        let answer = answer.expect("placed or found").into_inner();
        placed.insert(answer.order.expect("the order").header().number.clone());
        told.push(answer.warnings);
    }
    // And again later, by a client that writes its prices anew: 1.5 is the price 1.50.
    let mut again = request.clone();
    again.lines[0].unit_price = "1.5".into();
    let later = w
        .rep
        .orders
        .create_order(again)
        .await
        .expect("found")
        .into_inner();
    placed.insert(later.order.expect("order").header().number.clone());
    told.push(later.warnings);
    assert_eq!(placed.len(), 1, "{placed:?}");
    // Every answer says what the first did: the price below the sale price of 2.00.
    for warnings in &told {
        let fields: Vec<&str> = warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].unit_price"], "{told:?}");
    }
    let number = placed.first().expect("one").clone();
    let orders = w
        .rep
        .orders_where(pb::SearchOrdersRequest {
            customer_id: Some(w.customer.id),
            ..Default::default()
        })
        .await;
    assert_eq!(orders.len(), 1, "one order placed");

    // The same ID with another request (11 boxes) is not that order.
    let mut other = request.clone();
    other.lines[0].quantity = 11;
    w.rep.orders.create_order(other.clone()).await.refused_on(
        Code::AlreadyExists,
        &["request_id"],
        &format!("该请求编号已用于订单 {number}"),
    );
    // A change takes none: it is made once, at the version read.
    let detail = w.rep.order(orders[0].id).await.expect("order");
    let change = pb::UpdateOrderRequest {
        version: detail.header().version,
        order: Some(pb::OrderInput {
            request_id: "5f0c6a52-7d0e-4c1b-9a51-3c1f2b7e9d11".into(),
            ..OrderBuilder::change_of(&detail)
                .line(w.drug.id, 9, "")
                .input()
        }),
    };
    let refused = w
        .rep
        .orders
        .update_order(change)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["order.request_id"]);
    // A version the order never had is the request's own field, not the order's.
    let ahead = pb::UpdateOrderRequest {
        version: detail.header().version + 1,
        order: Some(
            OrderBuilder::change_of(&detail)
                .line(w.drug.id, 9, "")
                .input(),
        ),
    };
    let refused = w
        .rep
        .orders
        .update_order(ahead)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&refused), ["version"]);
    // Another caller's IDs are their own.
    let mut admin = w.app.admin().await;
    let theirs = admin.send(other).await;
    assert_ne!(theirs.order.expect("order").header().number, number);
}

/// One parcel is not recorded twice: a waybill already on a shipment, however it is typed
/// (a request retried after an ABORTED, a number keyed again), is questioned naming that
/// shipment, and recorded once confirmed as the same parcel (two orders shipped together,
/// to one customer, on one day, still on their way); on another customer's shipment or
/// one signed for, it is another parcel: refused.
#[tokio::test]
async fn a_waybill_already_on_a_shipment_is_questioned_until_confirmed_as_the_same_parcel() {
    let mut w = world().await;
    let first = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let second = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 4, "")]).await;
    let shipped = ShipmentBuilder::of(&first)
        .line(&first.lines[0], 5, "B2611")
        .waybill("SF9000000001")
        .create(&mut w.cs)
        .await;
    let again = w.cs.reload(&first).await;
    for (order, typed) in [(&again, "SF9000000001"), (&second, "sf 9000 000001")] {
        ShipmentBuilder::of(order)
            .line(&order.lines[0], 1, "B2611")
            .waybill(typed)
            .try_create(&mut w.cs)
            .await
            .refused_on(
                Code::FailedPrecondition,
                &["shipment.confirm_waybill_reused"],
                &format!("已用于发货 {}", shipped.number),
            );
    }
    let together = ShipmentBuilder::of(&second)
        .line(&second.lines[0], 4, "B2611")
        .waybill("SF9000000001")
        .same_parcel()
        .create(&mut w.cs)
        .await;
    assert_eq!(together.waybill_no, "SF9000000001");
    // A parcel goes to one customer: another's order cannot be in it, confirmed or not
    // (signed for on one order, it read as overdue on the other).
    let elsewhere = CustomerBuilder::new("长春市长生大药房")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    w.rep.license_hospital(elsewhere.id).await;
    let theirs = place_order(&mut w.rep, elsewhere.id, &[(w.drug.id, 2, "")]).await;
    // One unit of `order` in the first parcel, confirmed as the same: refused as another
    // parcel, on the waybill.
    async fn in_that_parcel(cs: &mut Person, order: &pb::OrderDetail) -> tonic::Status {
        let refused = ShipmentBuilder::of(order)
            .line(&order.lines[0], 1, "B2611")
            .waybill("SF9000000001")
            .same_parcel()
            .try_create(cs)
            .await
            .refused(Code::FailedPrecondition);
        assert_eq!(bad_fields(&refused), ["shipment.waybill_no"]);
        refused
    }
    let refused = in_that_parcel(&mut w.cs, &theirs).await;
    assert_zh_contains(&refused, "已用于其他客户的发货");
    // Once that parcel is signed for, new goods are not in it: refused, confirmed or not.
    w.app.pin_clock(AFTERNOON);
    w.cs.deliver(&shipped, ARRIVED).await;
    let order = w.cs.reload(&first).await;
    let refused = in_that_parcel(&mut w.cs, &order).await;
    assert_zh_contains(
        &refused,
        &format!("已用于发货 {}，且已签收", shipped.number),
    );
    assert_message_contains(&refused, "signed for");
}

/// An invoicing entity archived takes no new shipments, but an order placed under it still
/// ships under it — named in the shipment, as the shipment form names it, or not. The last
/// active entity is not archived: no order could be placed.
#[tokio::test]
async fn an_order_ships_under_its_own_entity_though_archived_since() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let own = order.header().invoicing_entity_id;
    let mut admin = w.app.admin().await;
    let other = InvoicingEntityBuilder::new("华康医药（广州）有限公司")
        .create(&mut admin)
        .await;
    let last = InvoicingEntityBuilder::new("华康医药（长沙）有限公司")
        .create(&mut admin)
        .await;
    let own_entity = admin
        .send(pb::ListInvoicingEntitiesRequest {
            include_archived: false,
        })
        .await
        .entities
        .into_iter()
        .find(|e| e.id == own)
        .expect("the order's entity");
    for entity in [&other, &own_entity] {
        admin
            .orders
            .set_invoicing_entity_active(set_active(entity, false))
            .await
            .expect("archived");
    }
    let refused = admin
        .orders
        .set_invoicing_entity_active(set_active(&last, false))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "最后一个在用的开票单位");
    let refused = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 5, "B2611")
        .under(other.id)
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&refused, "华康医药（广州）有限公司");
    let shipped = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 5, "B2611")
        .under(own)
        .create(&mut w.cs)
        .await;
    assert_eq!(shipped.invoicing_entity_id, own);
}

#[tokio::test]
async fn a_shipment_from_a_stale_order_version_is_aborted() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let one_box = ShipmentBuilder::of(&order).line(&order.lines[0], 1, "B2611");
    one_box.clone().create(&mut w.cs).await;
    let current = w.cs.reload(&order).await;
    assert!(
        current.header().version > order.header().version,
        "a shipment changes the order's version"
    );

    // A desk still showing the order as it was must reload it, though units remain.
    one_box.try_create(&mut w.cs).await.refused(Code::Aborted);
    ShipmentBuilder::of(&current)
        .line(&current.lines[0], 1, "B2611")
        .create(&mut w.cs)
        .await;
    let order = w.cs.reload(&current).await;
    assert_eq!(order.lines[0].shipped_quantity, 2);

    // A version never read is refused on the request's own field, order_version.
    let mut unread = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 1, "B2611")
        .request();
    unread.order_version = 0;
    assert_eq!(w.cs.bad_fields_of(unread.clone()).await, ["order_version"]);
    // So is one ahead of the order's.
    unread.order_version = order.header().version + 1;
    assert_eq!(w.cs.bad_fields_of(unread).await, ["order_version"]);
}

#[tokio::test]
async fn every_shipped_line_needs_a_batch_number_and_an_expiry_not_before_the_goods_arrive() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let line = &order.lines[0];
    let status = ShipmentBuilder::of(&order)
        .line_expiring(line, 1, "", "")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        ["lines[0].batch_no", "lines[0].expiry_date"]
    );
    // A batch number is one line of print: a line break, a tab or a terminal's escape in
    // it (a scanner's stray suffix) would split a recall search and an export's cell.
    for typed in ["B26\n11", "B\t2611", "B\u{7}\u{1b}[31m"] {
        let status = ShipmentBuilder::of(&order)
            .line(line, 1, typed)
            .try_create(&mut w.cs)
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&status), ["lines[0].batch_no"], "{typed:?}");
    }
    // Goods expired on the ship date do not leave.
    let status = ShipmentBuilder::of(&order)
        .on(TODAY)
        .line(line, 1, "B2611")
        .line_expiring(line, 1, "B2610", "2026-11-29")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines[1].expiry_date"]);
    // Every bad field in one answer: the transit days out of range (the request's own),
    // with the ship date after today and the goods expired (against the day).
    let status = ShipmentBuilder::of(&order)
        .on("2026-12-31")
        .transit_days(-1)
        .line_expiring(line, 1, "", "2025-01-01")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        [
            "lines[0].batch_no",
            "lines[0].expiry_date",
            "shipment.ship_date",
            "shipment.transit_days"
        ]
    );
    // An invoicing entity not on record is said with the request's own bad fields.
    let status = ShipmentBuilder::of(&order)
        .under(987_654)
        .transit_days(-1)
        .line(line, 1, "B2611")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        ["shipment.invoicing_entity_id", "shipment.transit_days"]
    );
    // Transit days out of range are said alone: they date no arrival for the expiry.
    let status = ShipmentBuilder::of(&order)
        .transit_days(400)
        .line_expiring(line, 1, "B2610", "2026-12-07")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["shipment.transit_days"]);
    // A date that does not read is said once, as such.
    let status = ShipmentBuilder::of(&order)
        .line_expiring(line, 1, "B2610", "2026-02-30")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines[0].expiry_date"]);
    let status = ShipmentBuilder::of(&order)
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines"]);
    assert!(w.cs.reload(&order).await.shipments.is_empty());

    // Nor goods that would expire on the way: 3 days in transit arrive on 12-03.
    let status = ShipmentBuilder::of(&order)
        .transit_days(3)
        .line_expiring(line, 1, "B2611", "2026-12-02")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines[0].expiry_date"]);
    assert_zh_contains(&status, "早于预计到达日期 2026-12-03：到货时已过期");
    // Expiring on the day they arrive is allowed, delivered the same day on the ship date.
    ShipmentBuilder::of(&order)
        .transit_days(3)
        .line_expiring(line, 1, "B2612", "2026-12-03")
        .create(&mut w.cs)
        .await;
    let order = w.cs.reload(&order).await;
    let line = &order.lines[0];
    let shipment = ShipmentBuilder::of(&order)
        .transit_days(0)
        .line_expiring(line, 1, "B2611", TODAY)
        .create(&mut w.cs)
        .await;
    let shipped = &shipment.lines[0];
    assert_eq!(
        (shipped.batch_no.as_str(), shipped.expiry_date.as_str()),
        ("B2611", TODAY)
    );
    // A batch has one expiry date (GSP): B2611 again, typed in lower case, with another
    // date is refused naming the one on record, and so are two rows of a new batch that
    // disagree.
    let order = w.cs.reload(&order).await;
    let line = &order.lines[0];
    let status = ShipmentBuilder::of(&order)
        .transit_days(0)
        .line_expiring(line, 1, "b2611", "2027-01-31")
        .line_expiring(line, 1, "B2699", "2027-02-28")
        .line_expiring(line, 1, "B2699", "2027-03-31")
        .try_create(&mut w.cs)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        ["lines[0].expiry_date", "lines[2].expiry_date"]
    );
    assert_zh_contains(&status, &format!("该药品批号 B2611 已登记有效期至 {TODAY}"));
    assert_zh_contains(&status, "该药品批号 B2699 已登记有效期至 2027-02-28");
    // With its date, it is kept as B2611: one batch under one spelling, as a recall lists
    // and sorts it.
    let shipment = ShipmentBuilder::of(&order)
        .transit_days(0)
        .line_expiring(line, 1, "b2611", TODAY)
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.lines[0].batch_no, "B2611");
}

#[tokio::test]
async fn a_delivery_cannot_predate_the_ship_date_in_shanghai_nor_lie_in_the_future() {
    let mut w = world().await;
    w.app.pin_clock("2026-11-27T09:00:00+08:00");
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    w.app.pin_clock("2026-11-28T09:00:00+08:00");
    let shipment = ShipmentBuilder::of(&order)
        .on("2026-11-28")
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    w.app.pin_clock("2026-11-30T10:00:00+08:00");

    for arrived_at in [
        "2026-11-27T23:59:00+08:00", // the day before it left
        "2026-11-30T11:00:00+08:00", // an hour from now
    ] {
        let status =
            w.cs.confirm_delivery(&shipment, SIGNER, arrived_at)
                .await
                .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&status), ["arrived_at"], "{arrived_at}");
    }
    let status =
        w.cs.confirm_delivery(&shipment, "", "2026-11-29T10:00:00+08:00")
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["signer"]);
    // No signer and a time to come: both said in one answer.
    let status =
        w.cs.confirm_delivery(&shipment, "", "2026-11-30T11:00:00+08:00")
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(sorted_bad_fields(&status), ["arrived_at", "signer"]);

    // Half past midnight on the ship date in Shanghai (the day before in UTC).
    let delivered = w.cs.deliver(&shipment, "2026-11-28T00:30:00+08:00").await;
    assert_eq!(delivered.delivery_status(), pb::DeliveryStatus::Delivered);
    assert_eq!(
        delivered.delivered_at,
        Some(instant("2026-11-28T00:30:00+08:00"))
    );
    assert_eq!(delivered.signer, SIGNER);
    // Confirming again corrects who signed and when, for a reason (GSP: a record changed
    // says why); without one it is refused on that field, naming the shipment.
    let status =
        w.cs.correct_delivery(&delivered, "李药师", "2026-11-29T14:00:00+08:00", "  ")
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["correction_reason"]);
    assert_zh_contains(
        &status,
        &format!("{} 已签收：请填写更正原因", shipment.number),
    );
    // With a time before the ship date too: both said at once.
    let status =
        w.cs.correct_delivery(&delivered, "李药师", "2026-11-27T14:00:00+08:00", "")
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        ["arrived_at", "correction_reason"]
    );
    // Nothing changed is nothing to correct.
    let status =
        w.cs.correct_delivery(&delivered, SIGNER, "2026-11-28T00:30:00+08:00", "核对无误")
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["signer"]);
    assert_zh_contains(&status, "无需更正");
    let corrected =
        w.cs.correct_delivery(
            &delivered,
            "李药师",
            "2026-11-29T14:00:00+08:00",
            "签收单上是李药师",
        )
        .await
        .expect("correct the delivery");
    assert_eq!(corrected.signer, "李药师");
    assert_eq!(
        corrected.delivered_at,
        Some(instant("2026-11-29T14:00:00+08:00"))
    );
    // The order's history says it was a correction, from what to what (business time),
    // and why.
    let detail = w.cs.order(order.header().id).await.expect("order");
    // (field, before, after) of each change.
    type Changes<'a> = Vec<(&'a str, &'a str, &'a str)>;
    let deliveries: Vec<(Changes<'_>, &str)> = detail
        .history
        .iter()
        .filter(|e| e.action == "shipment.deliver")
        .map(|e| {
            let changes = e
                .field_changes
                .iter()
                .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
                .collect();
            (changes, e.reason.as_str())
        })
        .collect();
    assert_eq!(
        deliveries,
        [
            (vec![], ""),
            (
                vec![
                    ("signer", SIGNER, "李药师"),
                    ("arrived_at", "2026-11-28 00:30", "2026-11-29 14:00")
                ],
                "签收单上是李药师"
            )
        ]
    );
}

#[tokio::test]
async fn a_shipment_in_transit_turns_overdue_at_midnight_in_shanghai_after_its_expected_arrival() {
    let mut w = world().await;
    w.app.pin_clock("2026-11-27T09:00:00+08:00");
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    // Nothing ships before it was ordered: said with the order's date.
    ShipmentBuilder::of(&order)
        .on("2026-11-26")
        .everything_left("B2611")
        .try_create(&mut w.cs)
        .await
        .refused_on(
            Code::InvalidArgument,
            &["shipment.ship_date"],
            "早于下单日期 2026-11-27",
        );
    let shipment = ShipmentBuilder::of(&order)
        .on("2026-11-27")
        .transit_days(2)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.expected_arrival, "2026-11-29");
    assert_eq!(shipment.delivery_status(), pb::DeliveryStatus::InTransit);
    // It names the customer's CS rep, who follows it up (a manager's work list says whose).
    assert_eq!(shipment.cs_rep.as_ref().map(|r| r.id), Some(w.cs.id));
    let my_overdue = pb::ListShipmentsRequest {
        overdue_only: true,
        mine: true,
        ..Default::default()
    };
    let with_overdue = pb::SearchOrdersRequest {
        has_overdue: true,
        ..Default::default()
    };

    // On its way: among the deliveries to confirm next, until it turns overdue.
    let my_awaited = pb::ListShipmentsRequest {
        awaiting_delivery: true,
        mine: true,
        ..Default::default()
    };
    let awaited = |listed: Vec<pb::Shipment>| listed.iter().map(|s| s.id).collect::<Vec<_>>();

    // Half an hour before midnight on the expected day: due, not overdue.
    w.app.pin_clock("2026-11-29T23:30:00+08:00");
    let now = w.cs.reload(&order).await;
    assert!(!now.shipments[0].overdue);
    assert_eq!(now.shipments[0].days_overdue, 0);
    assert_eq!(now.progress().overdue_shipments, 0);
    assert!(w.cs.shipments_where(my_overdue.clone()).await.is_empty());
    assert!(w.rep.orders_where(with_overdue.clone()).await.is_empty());
    assert_eq!(
        awaited(w.cs.shipments_where(my_awaited.clone()).await),
        [shipment.id]
    );

    // Half an hour after midnight in Shanghai (still 29 November in UTC): overdue.
    w.app.pin_clock("2026-11-30T00:30:00+08:00");
    let now = w.cs.reload(&order).await;
    assert!(now.shipments[0].overdue);
    assert_eq!(now.shipments[0].days_overdue, 1);
    let progress = now.progress();
    assert_eq!(
        (progress.in_transit_shipments, progress.overdue_shipments),
        (1, 1)
    );
    let listed = w.cs.shipments_where(my_overdue).await;
    assert_eq!(
        listed.iter().map(|s| s.id).collect::<Vec<_>>(),
        [shipment.id]
    );
    assert!(awaited(w.cs.shipments_where(my_awaited).await).is_empty());
    let found = w.rep.orders_where(with_overdue.clone()).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].progress().overdue_shipments, 1);

    // Delivered, it is overdue no more.
    w.cs.deliver(&shipment, "2026-11-30T00:20:00+08:00").await;
    let now = w.cs.reload(&order).await;
    assert!(!now.shipments[0].overdue);
    assert_eq!(now.progress().overdue_shipments, 0);
    assert!(w.rep.orders_where(with_overdue).await.is_empty());
}

#[tokio::test]
async fn an_orders_units_are_named_when_its_lines_share_a_container_and_not_when_they_differ() {
    let mut w = world().await;
    let mut admin = w.app.admin().await;
    let agency = admin.top_category("代理类").await;
    let drug_in = async |admin: &mut Clients, name: &str, unit: UnitBuilder| {
        let unit = unit.create(admin).await;
        DrugBuilder::new(name, agency.id, unit.id)
            .priced("3", "5")
            .create(admin)
            .await
            .drug
            .expect("the drug as saved")
    };
    let tablets = drug_in(
        &mut admin,
        "氨氯地平片",
        UnitBuilder::new("盒").holding("10", "片"),
    )
    .await;
    let syrup = drug_in(
        &mut admin,
        "止咳糖浆",
        UnitBuilder::new("瓶").holding("100", "毫升"),
    )
    .await;

    // Boxes of 24 capsules and boxes of 10 tablets are all boxes.
    let boxes = place_order(
        &mut w.rep,
        w.customer.id,
        &[(w.drug.id, 10, ""), (tablets.id, 5, "")],
    )
    .await;
    assert_eq!(
        (
            boxes.progress().units_ordered,
            boxes.progress().unit.as_str()
        ),
        (15, "盒")
    );
    // Boxes and bottles add up to pieces, not to either: no unit is named.
    let mixed = place_order(
        &mut w.rep,
        w.customer.id,
        &[(w.drug.id, 10, ""), (syrup.id, 5, "")],
    )
    .await;
    assert_eq!(
        (
            mixed.progress().units_ordered,
            mixed.progress().unit.as_str()
        ),
        (15, "")
    );
    // A search answers with the same.
    let found = w
        .rep
        .orders_where(pb::SearchOrdersRequest {
            number: boxes.header().number.clone(),
            ..Default::default()
        })
        .await;
    assert_eq!(found[0].progress().unit, "盒");
}

#[tokio::test]
async fn shipping_more_than_remains_is_said_under_the_quantity_that_goes_over() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let line = &order.lines[0];
    // One batch of 11: under its quantity.
    let status = ShipmentBuilder::of(&order)
        .line(line, 11, "B1")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&status), ["lines[0].quantity"]);
    assert_zh_contains(&status, "超过未发货数量：订单第 1 行仅剩 10 未发");
    // Two batches, 6 and 5: under the second, where the sum goes over; 11 and 1: under
    // the first, which is over already.
    for (first, second, over) in [(6, 5, "lines[1].quantity"), (11, 1, "lines[0].quantity")] {
        let status = ShipmentBuilder::of(&order)
            .line(line, first, "B1")
            .line(line, second, "B2")
            .try_create(&mut w.cs)
            .await
            .refused(Code::FailedPrecondition);
        assert_eq!(bad_fields(&status), [over]);
        // Said by the batches' sum: the batch it stands under may hold less than remains.
        assert_zh_contains(&status, &format!("各批合计 {}", first + second));
    }
}

#[tokio::test]
async fn an_order_goes_from_pending_through_partly_shipped_and_shipped_to_completed() {
    let mut w = world().await;
    let other = w.app.drug_on_sale("布洛芬缓释胶囊", "3", "5").await;
    let order = place_order(
        &mut w.rep,
        w.customer.id,
        &[(w.drug.id, 10, ""), (other.id, 5, "")],
    )
    .await;
    assert_eq!(order.header().status(), pb::OrderStatus::Pending);
    assert_eq!(order.progress().units_ordered, 15);

    let first = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 4, "B2611")
        .create(&mut w.cs)
        .await;
    let order = w.cs.reload(&order).await;
    assert_eq!(order.header().status(), pb::OrderStatus::PartiallyShipped);
    let p = order.progress();
    assert_eq!(
        (p.units_shipped, p.shipments, p.in_transit_shipments),
        (4, 1, 1)
    );

    let second = ShipmentBuilder::of(&order)
        .everything_left("B2612")
        .create(&mut w.cs)
        .await;
    let order = w.cs.reload(&order).await;
    assert_eq!(order.header().status(), pb::OrderStatus::Shipped);
    let p = order.progress();
    assert_eq!(
        (p.units_shipped, p.shipments, p.in_transit_shipments),
        (15, 2, 2)
    );

    w.app.pin_clock(AFTERNOON);
    w.cs.deliver(&first, ARRIVED).await;
    let order = w.cs.reload(&order).await;
    assert_eq!(
        order.header().status(),
        pb::OrderStatus::Shipped,
        "one shipment is still on its way"
    );
    let p = order.progress();
    assert_eq!((p.units_delivered, p.in_transit_shipments), (4, 1));

    w.cs.deliver(&second, ARRIVED).await;
    let order = w.cs.reload(&order).await;
    assert_eq!(order.header().status(), pb::OrderStatus::Completed);
    let p = order.progress();
    assert_eq!((p.units_delivered, p.in_transit_shipments), (15, 0));
    let delivered: Vec<_> = order.lines.iter().map(|l| l.delivered_quantity).collect();
    assert_eq!(delivered, [10, 5]);
}

#[tokio::test]
async fn over_reporting_a_line_is_refused_under_that_rows_quantity() {
    let mut w = world().await;
    let order = place_order(
        &mut w.rep,
        w.customer.id,
        &[(w.drug.id, 5, "1.00"), (w.drug.id, 3, "2.00")],
    )
    .await;
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    let second = &shipment.lines[1];
    assert_eq!(second.quantity, 3);
    // The second row asks 4 of the 3 shipped: said under it, which the CS rep corrects.
    let status =
        w.cs.report_exception(
            &shipment,
            pb::ExceptionKind::Damaged,
            &[(&shipment.lines[0], 1), (second, 4)],
        )
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&status), ["lines[1].quantity"]);
    assert_zh_contains(&status, "最多 3");
}

#[tokio::test]
async fn a_deducted_exception_comes_off_the_net_amount_and_closes_at_once() {
    let mut w = world().await;
    let (order, shipment) = w.delivered_at_odd_price().await;
    assert_eq!(order.header().total, "12.35");

    // 3 × 1.2345 = 3.7035 → 3.70.
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 3)
            .await;
    assert_eq!(damaged.value, "3.70");
    assert!(
        damaged.number.starts_with("EX20261130-"),
        "{}",
        damaged.number
    );
    assert_eq!(damaged.decision(), pb::ExceptionDecision::Pending);
    let order = w.rep.reload(&order).await;
    assert_eq!(
        order.header().status(),
        pb::OrderStatus::Shipped,
        "an open exception keeps the order open"
    );
    let p = order.progress();
    assert_eq!(
        (
            p.exceptions,
            p.open_exceptions,
            p.exceptions_awaiting_decision
        ),
        (1, 1, 1)
    );
    assert_eq!(order.lines[0].exception_quantity, 3);

    // What was agreed with the customer is the decision's record: never left out.
    let unrecorded = w
        .rep
        .try_send(pb::DecideExceptionRequest {
            id: damaged.id,
            version: damaged.version,
            decision: pb::ExceptionDecision::Deduct as i32,
            note: " ".into(),
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&unrecorded), ["note"]);
    let decided = w.rep.deduct(&damaged).await.expect("deduct");
    assert_eq!(decided.decision(), pb::ExceptionDecision::Deduct);
    assert_eq!(decided.decided_by, "rep-a");
    assert!(decided.closed_at.is_some(), "a deduction closes it at once");
    let order = w.rep.reload(&order).await;
    let header = order.header();
    // 12.35 − 3.70, not the 8.64 that 7 × 1.2345 would round to.
    assert_eq!(order.amounts(), ("12.35", "3.70", "8.65"));
    assert_eq!(header.status(), pb::OrderStatus::Completed);
    assert_eq!(order.progress().open_exceptions, 0);
}

#[tokio::test]
async fn a_reship_leaves_the_net_amount_alone_and_closes_when_the_replacement_arrives() {
    let mut w = world().await;
    let (order, shipment) = w.delivered_at_odd_price().await;
    // An exception of no line asks for the quantity affected (not for a line shipped).
    let status =
        w.cs.report_exception(&shipment, pb::ExceptionKind::Short, &[])
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["lines"]);
    assert_zh_contains(&status, "请至少填写一行的异常数量");
    // 2 × 1.2345 = 2.469 → 2.47.
    let short =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Short, 2)
            .await;
    assert_eq!(short.value, "2.47");
    let before = w.rep.reload(&order).await;

    let decided = w.rep.decide_reship(&short).await.expect("reship");
    assert_eq!(decided.decision(), pb::ExceptionDecision::Reship);
    assert_eq!(decided.replacement_shipment_id, 0, "the CS rep ships it");
    assert!(
        decided.closed_at.is_none(),
        "open until the replacement arrives"
    );
    // It awaits its replacement in the CS rep's work (待补发), not in another CS rep's.
    let to_ship = || pb::ListExceptionsRequest {
        awaiting_replacement: true,
        mine_to_ship: true,
        ..Default::default()
    };
    let waiting: pb::ListExceptionsResponse = w.cs.send(to_ship()).await;
    let numbers: Vec<&str> = waiting
        .exceptions
        .iter()
        .map(|e| e.number.as_str())
        .collect();
    assert_eq!(numbers, [short.number.as_str()]);
    let others: pb::ListExceptionsResponse = w.rep.send(to_ship()).await;
    assert!(
        others.exceptions.is_empty(),
        "the sales rep is not its CS rep"
    );
    // The sales rep decides; the shipment's carrier and batches are the CS rep's to record.
    let status = w
        .rep
        .ship_replacement(&decided, TODAY, "B2612")
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.shipment.write");
    // Re-sending other than the 2 short is refused under the row, naming the drug, its
    // batch and both counts.
    let one_of_two = pb::ShipReplacementRequest {
        exception_id: decided.id,
        version: decided.version,
        replacement: Some(shipment_input(TODAY)),
        replacement_lines: vec![pb::ReplacementLineInput {
            exception_line_id: decided.lines[0].id,
            quantity: 1,
            batch_no: "B2612".into(),
            expiry_date: BATCH_EXPIRY.into(),
        }],
    };
    let status =
        w.cs.try_send(one_of_two)
            .await
            .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["replacement_lines[0].quantity"]);
    assert_zh_contains(&status, "补发数量须等于异常数量 2，此次为 1");
    assert_zh_contains(&status, &w.drug.name);
    let shipped =
        w.cs.ship_replacement(&decided, TODAY, "B2612")
            .await
            .expect("the CS rep ships the replacement");
    // Once only.
    let again = w.rep.reload(&order).await;
    let awaiting = again
        .exceptions
        .iter()
        .find(|e| e.id == short.id)
        .expect("the exception")
        .clone();
    assert_eq!(awaiting.replacement_shipment_id, shipped.id);
    let waiting: pb::ListExceptionsResponse = w.cs.send(to_ship()).await;
    assert!(waiting.exceptions.is_empty(), "shipped: no longer awaited");
    w.cs.ship_replacement(&awaiting, TODAY, "B2612")
        .await
        .refused(Code::FailedPrecondition);

    let order = w.rep.reload(&order).await;
    let replacement = order
        .shipments
        .iter()
        .find(|s| s.id == shipped.id)
        .expect("the replacement among the order's shipments")
        .clone();
    assert!(replacement.is_replacement);
    assert_eq!(replacement.replacement_of_exception_id, short.id);
    assert_eq!(replacement.amount, "0.00");
    let resent = &replacement.lines[0];
    assert_eq!(
        (
            resent.quantity,
            resent.amount.as_str(),
            resent.batch_no.as_str()
        ),
        (2, "0.00", "B2612")
    );
    assert_eq!(resent.replaces_exception_line_id, short.lines[0].id);
    let header = order.header();
    assert_eq!(order.amounts(), ("12.35", "0.00", "12.35"));
    assert_eq!(header.status(), pb::OrderStatus::Shipped);
    assert_eq!(
        header.version,
        before.header().version,
        "a replacement does not change what remains to ship"
    );
    let p = order.progress();
    assert_eq!(
        (
            p.units_shipped,
            p.shipments,
            p.open_exceptions,
            p.exceptions_awaiting_decision
        ),
        (10, 2, 1, 0)
    );

    w.app.pin_clock("2026-11-30T20:00:00+08:00");
    w.cs.deliver(&replacement, "2026-11-30T19:30:00+08:00")
        .await;
    let order = w.rep.reload(&order).await;
    assert!(order.exceptions[0].closed_at.is_some());
    assert_eq!(order.header().status(), pb::OrderStatus::Completed);
    assert_eq!(order.header().net, "12.35");

    // The order's history holds every step, each with its document and who took it.
    let steps: Vec<(&str, &str)> = order
        .history
        .iter()
        .map(|e| (e.action.as_str(), e.document.as_str()))
        .collect();
    let number = order.header().number.as_str();
    assert_eq!(
        steps,
        [
            ("order.create", number),
            ("shipment.create", shipment.number.as_str()),
            ("shipment.deliver", shipment.number.as_str()),
            ("transport_exception.report", short.number.as_str()),
            ("transport_exception.decide", short.number.as_str()),
            // The CS rep ships the replacement: the shipment, then the exception linked.
            ("shipment.create", replacement.number.as_str()),
            (
                "transport_exception.ship_replacement",
                short.number.as_str()
            ),
            // The replacement's delivery closes the exception, in one transaction: the
            // cause reads before its effect.
            ("shipment.deliver", replacement.number.as_str()),
            ("transport_exception.close", short.number.as_str()),
        ]
    );
    assert_eq!(order.history[1].by, "cs-a");
    // The report says what and how much; the decision which.
    let report = &order.history[3];
    assert_eq!(
        (
            report.exception_kind(),
            report.exception_units,
            report.exception_value.as_str()
        ),
        (pb::ExceptionKind::Short, 2, "2.47")
    );
    assert_eq!(order.history[4].decision(), pb::ExceptionDecision::Reship);
    // People are named as the screens name them, by display name as it reads now.
    let mut admin = w.app.admin().await;
    let rep = admin.user_by_id(w.rep.id).await;
    UserChange::of(&rep)
        .contact("李营销", "")
        .save(&mut admin)
        .await;
    let order = w.rep.reload(&order).await;
    assert_eq!(order.history[0].by, "李营销");
}

/// 实收 counts what reached the customer in good order: a parcel signed for with units
/// lost on the way counts the rest; units found damaged once unpacked come off; a
/// replacement signed for counts back; a deduction leaves the line short.
#[tokio::test]
async fn received_units_leave_out_what_was_lost_or_damaged_and_count_replacements() {
    let mut w = world().await;
    let (order, shipment) = w.shipped_ten().await;
    let received =
        |o: &pb::OrderDetail| (o.progress().units_delivered, o.lines[0].delivered_quantity);
    // Three boxes lost on the way; the parcel arrives with the other seven.
    let lost =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Lost, 3)
            .await;
    let now = w.cs.reload(&order).await;
    assert_eq!(received(&now), (0, 0), "nothing signed for yet");
    w.app.pin_clock(AFTERNOON);
    w.cs.deliver(&now.shipments[0], ARRIVED).await;
    let now = w.cs.reload(&order).await;
    assert_eq!(received(&now), (7, 7));
    // Two of the seven found damaged once unpacked: five.
    let damaged =
        w.cs.reported_first(&now.shipments[0], pb::ExceptionKind::Damaged, 2)
            .await;
    assert_eq!(received(&w.cs.reload(&order).await), (5, 5));
    // The lost three are deducted; the damaged two are reshipped and signed for: seven.
    w.rep.deduct(&lost).await.expect("deduct");
    let decided = w.rep.decide_reship(&damaged).await.expect("reship");
    let replacement =
        w.cs.ship_replacement(&decided, TODAY, "B2612")
            .await
            .expect("the replacement");
    w.app.pin_clock("2026-11-30T20:00:00+08:00");
    w.cs.deliver(&replacement, "2026-11-30T19:30:00+08:00")
        .await;
    let done = w.cs.reload(&order).await;
    assert_eq!(done.header().status(), pb::OrderStatus::Completed);
    assert_eq!(received(&done), (7, 7));
    let p = done.progress();
    assert_eq!((p.units_shipped, p.units_ordered), (10, 10));
}

#[tokio::test]
async fn a_lost_replacement_closes_the_exception_it_replaced_and_the_order_still_completes() {
    let mut w = world().await;
    let (order, shipment) = w.delivered_at_odd_price().await;
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 2)
            .await;
    let decided = w.rep.decide_reship(&damaged).await.expect("reship");
    let replacement =
        w.cs.ship_replacement(&decided, TODAY, "B2612")
            .await
            .expect("the replacement");

    // The whole replacement is lost on the way: the damaged goods' exception is settled by
    // the replacement's own, which now awaits a decision.
    let lost =
        w.cs.reported_first(&replacement, pb::ExceptionKind::Lost, 2)
            .await;
    let order = w.rep.reload(&order).await;
    let closed: Vec<(&str, bool)> = order
        .exceptions
        .iter()
        .map(|e| (e.number.as_str(), e.closed_at.is_some()))
        .collect();
    assert_eq!(
        closed,
        [
            (damaged.number.as_str(), true),
            (lost.number.as_str(), false)
        ]
    );
    let p = order.progress();
    assert_eq!((p.open_exceptions, p.exceptions_awaiting_decision), (1, 1));
    assert_eq!(order.header().status(), pb::OrderStatus::Shipped);

    w.rep.deduct(&lost).await.expect("deducted");
    let order = w.rep.reload(&order).await;
    assert_eq!(order.progress().open_exceptions, 0);
    assert_eq!(
        order.header().status(),
        pb::OrderStatus::Completed,
        "nothing is left open on the order"
    );
}

#[tokio::test]
async fn an_exception_is_decided_only_once() {
    let mut w = world().await;
    let (order, shipment) = w.shipped_ten().await;
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
            .await;
    let decided = w.rep.deduct(&damaged).await.expect("deduct");

    // From the version the decision returned: refused for being decided, not for being stale.
    let status = w
        .rep
        .deduct(&decided)
        .await
        .refused(Code::FailedPrecondition);
    assert!(zh_message(&status).is_some(), "{status:?}");
    w.rep
        .decide_reship(&decided)
        .await
        .refused(Code::FailedPrecondition);
    w.cs.ship_replacement(&decided, TODAY, "B2612")
        .await
        .refused(Code::FailedPrecondition);

    let order = w.rep.reload(&order).await;
    assert_eq!(order.header().deductions, "2.00");
    assert_eq!(order.shipments.len(), 1, "nothing was re-sent");
}

#[tokio::test]
async fn an_order_is_cancelled_with_a_reason_and_only_while_nothing_has_shipped() {
    let mut w = world().await;
    let ten_boxes = [(w.drug.id, 10, "")];
    let unshipped = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    let status = w
        .rep
        .cancel_order(&unshipped, "")
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["reason"]);
    let cancelled = w
        .rep
        .cancel_order(&unshipped, "客户取消采购计划")
        .await
        .expect("cancel");
    let header = cancelled.header();
    assert_eq!(header.status(), pb::OrderStatus::Cancelled);
    assert_eq!(header.cancel_reason, "客户取消采购计划");
    assert_eq!(header.cancelled_by, "rep-a");
    assert!(header.cancelled_at.is_some());
    // Its total stays what was ordered; nothing is owed for it.
    assert_ne!(header.total, "0.00");
    assert_eq!(header.net, "0.00");
    // Nothing remains to ship, and nothing ships from a cancelled order.
    assert_eq!(cancelled.lines[0].remaining_quantity, 0);
    ShipmentBuilder::of(&cancelled)
        .line(&cancelled.lines[0], 1, "B2611")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);

    let started = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    ShipmentBuilder::of(&started)
        .line(&started.lines[0], 1, "B2611")
        .create(&mut w.cs)
        .await;
    let started = w.rep.reload(&started).await;
    let status = w
        .rep
        .cancel_order(&started, "客户取消采购计划")
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "请结案");
    let started = w.rep.reload(&started).await;
    assert_eq!(started.header().status(), pb::OrderStatus::PartiallyShipped);
}

#[tokio::test]
async fn a_pending_order_is_changed_in_place_keeping_its_number_date_and_reps_and_the_change_is_audited()
 {
    let mut w = world().await;
    let placed = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    assert_eq!(placed.header().total, "20.00");
    // The next day the customer wants 4 at 1.2345 (4.938 → 4.94) and 3 free.
    w.app.pin_clock("2026-12-01T09:00:00+08:00");
    let changed = OrderBuilder::change_of(&placed)
        .line(w.drug.id, 4, "1.2345")
        .line(w.drug.id, 3, "0")
        .credit_days(45)
        .note("客户改为 4 盒，另赠 3 盒")
        .update(&mut w.rep)
        .await;
    let (before, after) = (placed.header(), changed.header());
    assert_eq!(after.id, before.id);
    assert_eq!(after.number, before.number);
    assert_eq!(
        after.order_date, before.order_date,
        "still ordered on 11-30"
    );
    assert_eq!(
        after.sales_rep.as_ref().map(|r| &r.name),
        before.sales_rep.as_ref().map(|r| &r.name)
    );
    assert_eq!(after.total, "4.94");
    assert_eq!(after.note, "客户改为 4 盒，另赠 3 盒");
    assert_eq!(after.status(), pb::OrderStatus::Pending);
    assert!(after.version > before.version);
    let lines: Vec<(i64, &str, &str)> = changed
        .lines
        .iter()
        .map(|l| (l.quantity, l.unit_price.as_str(), l.amount.as_str()))
        .collect();
    assert_eq!(lines, [(4, "1.2345", "4.94"), (3, "0.00", "0.00")]);
    assert_eq!(changed.lines[0].remaining_quantity, 4);
    // The order's history says what the change did to its total; the audit keeps both
    // versions whole: 10 boxes before, 4 after.
    let history: Vec<(&str, &str, &str)> = changed
        .history
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.total_before.as_str(),
                e.total_after.as_str(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [("order.create", "", ""), ("order.update", "20.00", "4.94")]
    );
    // And what it did to the lines, the terms and the note: the 10 boxes at 2.00 became 4
    // at 1.2345, the 3 free were added.
    let update = &changed.history[1];
    let lines: Vec<(i64, i64, &str, &str)> = update
        .line_changes
        .iter()
        .map(|c| {
            assert!(c.drug.starts_with(&w.drug.name), "{c:?}");
            (
                c.quantity_before,
                c.quantity_after,
                c.unit_price_before.as_str(),
                c.unit_price_after.as_str(),
            )
        })
        .collect();
    assert_eq!(lines, [(10, 4, "2.00", "1.2345"), (0, 3, "", "0.00")]);
    let fields: Vec<(&str, &str, &str)> = update
        .field_changes
        .iter()
        .map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("credit_days", "30", "45"),
            ("note", "", "客户改为 4 盒，另赠 3 盒")
        ]
    );
    let audit = w.app.admin().await.audit_of("order.update").await;
    let entry = audit.entries.first().expect("the change is audited");
    assert!(entry.before_json.contains("20.00"), "{}", entry.before_json);
    assert!(entry.after_json.contains("4.94"), "{}", entry.after_json);

    // A change made from the version before is refused: someone changed it meanwhile.
    OrderBuilder::change_of(&placed)
        .line(w.drug.id, 5, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::Aborted);
    // The customer stays the order's.
    let other = CustomerBuilder::new("上海瑞金医院")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    OrderBuilder::change_of(&changed)
        .customer(other.id)
        .line(w.drug.id, 5, "")
        .try_update(&mut w.rep)
        .await
        .refused_on(Code::InvalidArgument, &["order.customer_id"], "取消此订单");
    // A bad line is named as on a new order, and nothing changes.
    let status = OrderBuilder::change_of(&changed)
        .line(w.drug.id, 0, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["order.lines[0].quantity"]);
    assert_eq!(w.rep.reload(&changed).await.header().total, "4.94");
    // A new order names no order.
    let mut naming = OrderBuilder::new(w.customer.id)
        .line(w.drug.id, 1, "")
        .invoiced_by(after.invoicing_entity_id)
        .input();
    naming.order_id = after.id;
    let status = w.rep.try_send(naming).await.refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["order_id"]);

    // Once something has shipped it is closed, not changed.
    ShipmentBuilder::of(&changed)
        .line(&changed.lines[0], 1, "B2612")
        .on("2026-12-01")
        .create(&mut w.cs)
        .await;
    let started = w.rep.reload(&changed).await;
    let status = OrderBuilder::change_of(&started)
        .line(w.drug.id, 9, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "请结案");
    // Nor is a cancelled order.
    let unshipped = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 2, "")]).await;
    let cancelled = w
        .rep
        .cancel_order(&unshipped, "客户取消采购计划")
        .await
        .expect("cancel");
    let status = OrderBuilder::change_of(&cancelled)
        .line(w.drug.id, 9, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已取消");
}

#[tokio::test]
async fn a_change_keeps_what_the_order_has_though_past_or_archived_and_an_unchanged_save_changes_nothing()
 {
    let mut w = world().await;
    let withdrawn = w.app.drug_on_sale("布洛芬缓释胶囊", "3", "5").await;
    let placed = OrderBuilder::new(w.customer.id)
        .line(withdrawn.id, 10, "")
        .requested_for("2026-12-01")
        .place(&mut w.rep)
        .await;
    let mut admin = w.app.admin().await;
    admin.archive_drug(&withdrawn).await;
    // Two days on, the requested date has passed and the drug is withdrawn: the rep may
    // still lower the order, leaving both as they are.
    w.app.pin_clock("2026-12-03T10:00:00+08:00");
    let lowered = OrderBuilder::change_of(&placed)
        .line(withdrawn.id, 6, "")
        .requested_for("2026-12-01");
    let preview = lowered
        .clone()
        .try_preview(&mut w.rep)
        .await
        .expect("preview");
    assert!(
        preview.warnings.is_empty(),
        "the date the order has is not 早于今天 to its change: {:?}",
        preview.warnings
    );
    let changed = lowered.update(&mut w.rep).await;
    assert_eq!(changed.header().total, "30.00");
    assert_eq!(changed.header().requested_delivery_date, "2026-12-01");
    // Kept or lowered, not raised: a withdrawn drug takes no new orders, on a new line or
    // an old one.
    let status = OrderBuilder::change_of(&changed)
        .line(withdrawn.id, 6, "")
        .line(withdrawn.id, 1, "0")
        .requested_for("2026-12-01")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_eq!(bad_fields(&status), ["order.lines[0].quantity"]);
    assert_zh_contains(&status, "只能保留原有的 6 盒或更少");
    // Another past date, or a withdrawn drug the order did not have, is refused.
    let status = OrderBuilder::change_of(&changed)
        .line(withdrawn.id, 6, "")
        .requested_for("2026-12-02")
        .try_update(&mut w.rep)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["order.requested_delivery_date"]);
    let other = w.app.drug_on_sale("对乙酰氨基酚片", "1", "2").await;
    admin.archive_drug(&other).await;
    let status = OrderBuilder::change_of(&changed)
        .line(withdrawn.id, 6, "")
        .line(other.id, 1, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "对乙酰氨基酚片");

    // Saved as it is, nothing changes: no new version (a shipment form open on it stays
    // good), no history.
    let changes = admin.audit_of("order.update").await.total;
    let same = OrderBuilder::change_of(&changed)
        .line(withdrawn.id, 6, "5")
        .requested_for("2026-12-01")
        .update(&mut w.rep)
        .await;
    assert_eq!(same.header().version, changed.header().version);
    assert_eq!(admin.audit_of("order.update").await.total, changes);
    assert_eq!(same.lines[0].id, changed.lines[0].id);

    // Shipped in full, it is said so (not "close it": nothing is left to close).
    ShipmentBuilder::of(&same)
        .everything_left("B2612")
        .on("2026-12-03")
        .create(&mut w.cs)
        .await;
    let shipped = w.rep.reload(&same).await;
    let status = OrderBuilder::change_of(&shipped)
        .line(withdrawn.id, 6, "")
        .try_update(&mut w.rep)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已全部发货");
}

#[tokio::test]
async fn another_reps_order_cannot_be_changed_and_changing_needs_order_write() {
    let mut w = world().await;
    let placed = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let mut stranger = w.app.sales_rep("rep-b").await;
    let status = OrderBuilder::change_of(&placed)
        .line(w.drug.id, 1, "")
        .try_update(&mut stranger)
        .await
        .refused(Code::NotFound);
    // Not said to be gone (a team-scope reader sees it on screen): outside the scope of
    // this action.
    assert_zh_contains(&status, "订单不存在，或不在您此项操作的权限范围内");
    // The CS rep serving the customer sees the order but does not take orders.
    OrderBuilder::change_of(&placed)
        .line(w.drug.id, 1, "")
        .try_update(&mut w.cs)
        .await
        .refused(Code::PermissionDenied);
    assert_eq!(w.rep.reload(&placed).await.header().total, "20.00");
}

#[tokio::test]
async fn a_part_shipped_order_is_closed_with_a_reason_and_ships_nothing_more() {
    let mut w = world().await;
    let ten_boxes = [(w.drug.id, 10, "")];
    let order = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    // Nothing shipped: cancel, not close.
    let status = w
        .rep
        .close_order(&order, "客户不再需要剩余数量")
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "请取消订单");

    let shipment = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 4, "B2611")
        .create(&mut w.cs)
        .await;
    // The version read before the shipment is stale.
    w.rep
        .close_order(&order, "客户不再需要剩余数量")
        .await
        .refused(Code::Aborted);
    let order = w.rep.reload(&order).await;
    let status = w
        .rep
        .close_order(&order, " ")
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["reason"]);
    // Closing is the sales side's call, as cancelling is.
    w.cs.close_order(&order, "客户不再需要剩余数量")
        .await
        .refused(Code::PermissionDenied);

    let closed = w
        .rep
        .close_order(&order, "客户不再需要剩余数量")
        .await
        .expect("close");
    let header = closed.header();
    assert_eq!(header.close_reason, "客户不再需要剩余数量");
    assert_eq!(header.closed_by, "rep-a");
    assert!(header.closed_at.is_some());
    // The 4 boxes are still on their way: shipped, not part-shipped; nothing remains.
    assert_eq!(header.status(), pb::OrderStatus::Shipped);
    assert_eq!(closed.lines[0].remaining_quantity, 0);
    assert_eq!(closed.lines[0].shipped_quantity, 4);
    assert_eq!(header.total, "20.00", "the order keeps what was ordered");
    // 6 × 2.00 given up: the net is what was shipped.
    assert_eq!(
        (header.closed_amount.as_str(), header.net.as_str()),
        ("12.00", "8.00")
    );
    assert!(closed.history.iter().any(|e| e.action == "order.close"));

    // The 6 boxes given up never ship; the order cannot be cancelled or closed again.
    let status = ShipmentBuilder::of(&closed)
        .line(&closed.lines[0], 1, "B2611")
        .try_create(&mut w.cs)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已结案");
    w.rep
        .cancel_order(&closed, "客户取消采购计划")
        .await
        .refused(Code::FailedPrecondition);
    w.rep
        .close_order(&closed, "客户不再需要剩余数量")
        .await
        .refused(Code::FailedPrecondition);

    // Once the 4 boxes arrive the order is complete.
    w.app.pin_clock("2026-11-30T17:00:00+08:00");
    w.cs.deliver(&shipment, ARRIVED).await;
    let done = w.rep.reload(&closed).await;
    assert_eq!(done.header().status(), pb::OrderStatus::Completed);
    let found = w
        .rep
        .orders_where(pb::SearchOrdersRequest {
            statuses: vec![pb::OrderStatus::PartiallyShipped as i32],
            ..Default::default()
        })
        .await;
    assert!(found.is_empty(), "no longer waiting to ship: {found:?}");

    // A fully shipped order has nothing left to close.
    let whole = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    let closed_ones = w
        .rep
        .orders_where(pb::SearchOrdersRequest {
            closed_only: true,
            ..Default::default()
        })
        .await;
    let numbers: Vec<&str> = closed_ones.iter().map(|o| o.number.as_str()).collect();
    assert_eq!(
        numbers,
        [done.header().number.as_str()],
        "only the closed order"
    );
    ShipmentBuilder::of(&whole)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    let whole = w.rep.reload(&whole).await;
    let status = w
        .rep
        .close_order(&whole, "客户不再需要剩余数量")
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "已全部发货");
    // Nor is closing offered instead of cancelling it.
    let status = w
        .rep
        .cancel_order(&whole, "客户取消采购计划")
        .await
        .refused(Code::FailedPrecondition);
    let zh = zh_message(&status).expect("zh");
    assert!(!zh.contains("结案"), "{zh}");
}

#[tokio::test]
async fn a_closed_order_gives_up_to_the_cent_what_it_did_not_charge_and_still_replaces_damage() {
    let mut w = world().await;
    // 3 × 12.345 = 37.035 → 37.04; the one box shipped is charged 12.35.
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 3, "12.345")]).await;
    let shipment = ShipmentBuilder::of(&order)
        .line(&order.lines[0], 1, "B2611")
        .create(&mut w.cs)
        .await;
    assert_eq!(shipment.amount, "12.35");
    let order = w.rep.reload(&order).await;
    let closed = w
        .rep
        .close_order(&order, "客户不再需要剩余数量")
        .await
        .expect("close");
    let header = closed.header();
    assert_eq!(
        (
            header.total.as_str(),
            header.closed_amount.as_str(),
            header.net.as_str()
        ),
        ("37.04", "24.69", "12.35"),
        "given up: the total less what was charged"
    );

    // The box arrives damaged: it is replaced all the same, owing nothing.
    let damaged =
        w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
            .await;
    let decided = w.rep.decide_reship(&damaged).await.expect("reship");
    w.cs.ship_replacement(&decided, TODAY, "B2612")
        .await
        .expect("a replacement for a closed order");
    let after = w.rep.reload(&closed).await;
    assert_eq!(after.shipments.len(), 2);
    assert_eq!(after.header().status(), pb::OrderStatus::Shipped);
    assert_eq!(after.header().net, "12.35");
}

#[tokio::test]
async fn another_reps_order_is_not_found_and_searches_find_only_ones_own() {
    let mut w = world().await;
    let CustomerTeam {
        rep: mut rep_b,
        cs: mut cs_b,
        customer: customer_b,
    } = w.app.customer_team("朝阳医院", "rep-b", "cs-b").await;
    let mine = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 1, "")]).await;
    let theirs = place_order(&mut rep_b, customer_b.id, &[(w.drug.id, 2, "")]).await;
    let (mine_id, theirs_id) = (mine.header().id, theirs.header().id);

    // As if it did not exist: to read, to cancel, to ship.
    w.rep.order(theirs_id).await.refused(Code::NotFound);
    w.rep
        .cancel_order(&theirs, "不是我的客户")
        .await
        .refused(Code::NotFound);
    w.cs.order(theirs_id).await.refused(Code::NotFound);
    ShipmentBuilder::of(&theirs)
        .everything_left("B2611")
        .try_create(&mut w.cs)
        .await
        .refused(Code::NotFound);

    let everything = pb::SearchOrdersRequest::default();
    let ids = |orders: Vec<pb::Order>| orders.into_iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(ids(w.rep.orders_where(everything.clone()).await), [mine_id]);
    assert_eq!(ids(w.cs.orders_where(everything.clone()).await), [mine_id]);
    assert_eq!(
        ids(cs_b.orders_where(everything.clone()).await),
        [theirs_id]
    );
    // Not even by its number.
    let by_number = pb::SearchOrdersRequest {
        number: theirs.header().number.clone(),
        ..Default::default()
    };
    assert!(w.rep.orders_where(by_number).await.is_empty());
    // The administrator sees both.
    let all = w.app.admin().await.send(everything).await;
    assert_eq!(all.total, 2);
}

#[tokio::test]
async fn each_order_action_needs_its_own_permission() {
    let mut w = world().await;
    let order = OrderBuilder::new(w.customer.id).line(w.drug.id, 10, "");
    // A CS rep does not place orders…
    let status = order
        .clone()
        .try_create(&mut w.cs)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.write");
    let order = order.place(&mut w.rep).await;

    // …and a sales rep does not ship, confirm deliveries or report exceptions…
    let status = ShipmentBuilder::of(&order)
        .everything_left("B2611")
        .try_create(&mut w.rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.shipment.write");
    let shipment = ShipmentBuilder::of(&order)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    w.rep
        .confirm_delivery(&shipment, SIGNER, "2026-11-30T09:30:00+08:00")
        .await
        .refused(Code::PermissionDenied);
    let damaged_box = [(&shipment.lines[0], 1)];
    let status = w
        .rep
        .report_exception(&shipment, pb::ExceptionKind::Damaged, &damaged_box)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.exception.report");

    // …while the CS rep neither decides exceptions nor cancels orders.
    let damaged =
        w.cs.reported(&shipment, pb::ExceptionKind::Damaged, &damaged_box)
            .await;
    let status = w.cs.deduct(&damaged).await.refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.exception.resolve");
    let status =
        w.cs.cancel_order(&order, "客户取消采购计划")
            .await
            .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.cancel");

    // Invoicing entities are the administrators' settings.
    let status = InvoicingEntityBuilder::new("北京另一家医药有限公司")
        .try_create(&mut w.rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "admin.settings");
    // Without order.read there are no orders to see.
    let mut reader = w
        .app
        .user_with_permissions("drug-reader", &["drug.read"])
        .await;
    let status = reader
        .orders
        .search_orders(pb::SearchOrdersRequest::default())
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "order.read");
}

/// 近效期: the shipment forms warn of a batch expiring within the company's near-expiry
/// days, 180 unless an administrator sets others (0: no warning); a caller that does not
/// know the setting (an older client) leaves it as it is.
#[tokio::test]
async fn the_near_expiry_days_default_to_180_and_are_kept_by_callers_that_leave_them_out() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let settings = admin.settings().await;
    assert_eq!(settings.near_expiry_days, 180);
    let update = |s: &pb::Settings, near_expiry_days: Option<i32>| pb::UpdateSettingsRequest {
        version: s.version,
        settings: Some(pb::SettingsInput {
            near_expiry_days,
            ..settings_input(s)
        }),
    };
    for bad in [-1, 3651] {
        let refused = admin
            .try_send(update(&settings, Some(bad)))
            .await
            .refused(Code::InvalidArgument);
        assert_eq!(bad_fields(&refused), ["settings.near_expiry_days"]);
    }
    let changed = admin.send(update(&settings, Some(90))).await;
    assert_eq!(changed.near_expiry_days, 90);
    let kept = admin
        .send(pb::UpdateSettingsRequest {
            version: changed.version,
            settings: Some(pb::SettingsInput {
                default_transit_days: changed.default_transit_days + 1,
                ..settings_input(&changed)
            }),
        })
        .await;
    assert_eq!(
        (kept.default_transit_days, kept.near_expiry_days),
        (changed.default_transit_days + 1, 90)
    );
    let off = admin.send(update(&kept, Some(0))).await;
    assert_eq!(off.near_expiry_days, 0, "no warning");
}

#[tokio::test]
async fn a_recall_by_batch_finds_who_received_it_within_the_callers_scope() {
    let mut w = world().await;
    let CustomerTeam {
        rep: mut rep_b,
        cs: mut cs_b,
        customer: customer_b,
    } = w.app.customer_team("朝阳医院", "rep-b", "cs-b").await;
    let other_drug = w.app.drug_on_sale("布洛芬缓释胶囊", "3", "5").await;

    let ours = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 10, "")]).await;
    let to_a = ShipmentBuilder::of(&ours)
        .line(&ours.lines[0], 5, "LOT-2026A")
        .line(&ours.lines[0], 5, "LOT-2026B")
        .create(&mut w.cs)
        .await;
    let theirs = place_order(
        &mut rep_b,
        customer_b.id,
        &[(w.drug.id, 3, ""), (other_drug.id, 2, "")],
    )
    .await;
    let to_b = ShipmentBuilder::of(&theirs)
        .line(&theirs.lines[0], 3, "LOT-2026A")
        .create(&mut cs_b)
        .await;
    // Another drug whose batch happens to carry the same number.
    let theirs = cs_b.reload(&theirs).await;
    let other_to_b = ShipmentBuilder::of(&theirs)
        .line(&theirs.lines[1], 2, "LOT-2026A")
        .create(&mut cs_b)
        .await;
    w.app.pin_clock(AFTERNOON);
    let to_b = cs_b.deliver(&to_b, ARRIVED).await;

    let recall = |batch_no: &str, drug_id: Option<i64>| pb::ListShipmentsRequest {
        batch_no: batch_no.into(),
        drug_id,
        ..Default::default()
    };
    let ids = |shipments: Vec<pb::Shipment>| {
        let mut ids: Vec<_> = shipments.into_iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids
    };
    let amoxicillin = Some(w.drug.id);
    let mut admin = w.app.admin().await;
    let received = admin
        .shipments_where(recall("LOT-2026A", amoxicillin))
        .await;
    let customers: BTreeSet<_> = received.iter().map(|s| s.customer_name.as_str()).collect();
    assert_eq!(customers, BTreeSet::from(["北京协和医院", "朝阳医院"]));
    assert_eq!(ids(received), [to_a.id, to_b.id]);
    assert_eq!(
        ids(admin.shipments_where(recall("LOT-2026A", None)).await),
        [to_a.id, to_b.id, other_to_b.id]
    );
    // The whole batch number only, however it is typed (lower case, full-width).
    assert!(
        admin
            .shipments_where(recall("LOT-2026", None))
            .await
            .is_empty()
    );
    for typed in ["lot-2026a", "ＬＯＴ－２０２６Ａ"] {
        assert_eq!(
            ids(admin.shipments_where(recall(typed, amoxicillin)).await),
            [to_a.id, to_b.id],
            "{typed}"
        );
    }
    // A customer, order or drug named that the caller cannot see, or that does not
    // exist, is NOT_FOUND: not an empty recall that reads "nobody received it".
    for request in [
        pb::ListShipmentsRequest {
            customer_id: Some(w.customer.id),
            ..recall("LOT-2026A", None)
        },
        pb::ListShipmentsRequest {
            order_id: Some(ours.header().id),
            ..recall("LOT-2026A", None)
        },
        recall("LOT-2026A", Some(999_999)),
    ] {
        rep_b.try_send(request).await.refused(Code::NotFound);
    }
    let status = admin
        .export(pb::export_request::Report::Shipments(recall(
            "LOT-2026A",
            Some(999_999),
        )))
        .await
        .expect_err("no such drug");
    assert_eq!(status.code(), Code::NotFound);
    // Whom to call at each customer listed.
    let listed = admin.send(recall("LOT-2026A", amoxicillin)).await;
    let called = listed
        .contacts
        .get(&w.customer.id)
        .expect("customer A's contact");
    assert_eq!(
        (called.contact_person.as_str(), called.phone.as_str()),
        (
            w.customer.contact_person.as_str(),
            w.customer.phone.as_str()
        )
    );
    assert_eq!(listed.contacts.len(), 2, "one per customer listed");
    // Each rep sees their own customers' part of the recall.
    assert_eq!(
        ids(w.cs.shipments_where(recall("LOT-2026A", amoxicillin)).await),
        [to_a.id]
    );
    assert_eq!(
        ids(rep_b.shipments_where(recall("LOT-2026A", None)).await),
        [to_b.id, other_to_b.id]
    );

    // Exported for the recall's notices: a row per line of the batch and drug (not the
    // other batch on the same shipment, nor the other drug), the latest shipment first,
    // the units totalled (one container unit), named by the batch and drug.
    use crate::finance::{column, register_rows, under};
    let exported = admin
        .export(pb::export_request::Report::Shipments(recall(
            "lot-2026a",
            amoxicillin,
        )))
        .await
        .expect("the recall exported");
    assert_eq!(exported.done.rows, 2);
    assert_eq!(
        exported.progress.last().map(|p| p.file_name.clone()),
        Some(format!(
            "批号追溯_LOT-2026A_{} {}_2026-11-30.xlsx",
            w.drug.name, w.drug.specification
        ))
    );
    let (header, body) = register_rows(&exported.file, "批号追溯", "客户");
    let block = crate::finance::sheet_rows(&exported.file, "批号追溯");
    let said = |label: &str| {
        block
            .iter()
            .find(|r| r.first() == Some(&calamine::Data::String(label.into())))
            .map(|r| r[1].to_string())
    };
    assert_eq!(said("批号：").as_deref(), Some("LOT-2026A"), "as printed");
    assert_eq!(said("金额单位："), None, "no amounts on it");
    assert_eq!(under(&header, &body[0], "客户"), "朝阳医院");
    assert_eq!(under(&header, &body[0], "发货单号"), to_b.number);
    // Signed for at 15:00 Shanghai time: a date-time cell Excel sorts and filters, as the
    // screens show it (not UTC).
    let signed_at = &body[0][column(&header, "签收时间")];
    let calamine::Data::DateTime(signed_at) = signed_at else {
        panic!("a date-time cell: {signed_at:?}");
    };
    let days = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| Some(d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?))
        .expect("dates")
        .num_days();
    #[allow(clippy::cast_precision_loss)]
    let serial = days as f64 + 15.0 / 24.0;
    assert!((signed_at.as_f64() - serial).abs() < 1e-6, "{signed_at:?}");
    assert_eq!(under(&header, &body[1], "签收时间"), "", "in transit");
    assert_eq!(under(&header, &body[1], "客户"), "北京协和医院");
    // Whom to call: the customer's contact and phone.
    assert_eq!(
        under(&header, &body[1], "联系人"),
        w.customer.contact_person
    );
    assert_eq!(under(&header, &body[1], "电话"), w.customer.phone);
    assert_eq!(under(&header, &body[1], "批号"), "LOT-2026A");
    assert_eq!(under(&header, &body[1], "签收状态"), "在途");
    assert_eq!(under(&header, &body[1], "客服"), "cs-a");
    let quantity = column(&header, "数量");
    assert_eq!(
        body[1][quantity],
        calamine::Data::Float(5.0),
        "A's half only"
    );
    assert_eq!(body[2][0], calamine::Data::String("合计".into()));
    assert_eq!(body[2][quantity], calamine::Data::Float(8.0));
    let exc = column(&header, "异常数量");
    assert_eq!(body[2][exc], calamine::Data::Float(0.0));
    // The batch number on two drugs: no units added across them in the totals row, each
    // drug's in the title block.
    let both = admin
        .export(pb::export_request::Report::Shipments(recall(
            "LOT-2026A",
            None,
        )))
        .await
        .expect("both drugs");
    assert_eq!(both.done.rows, 3);
    let (_, body) = register_rows(&both.file, "批号追溯", "客户");
    assert_eq!(body.len(), 3, "no 合计 row over nothing: {body:?}");
    let block = crate::finance::sheet_rows(&both.file, "批号追溯");
    let units = block
        .iter()
        .find(|r| r.first() == Some(&calamine::Data::String("数量合计：".into())))
        .map(|r| r[1].to_string())
        .expect("each drug's units");
    assert!(
        units.contains(&format!("{} {} 8 ", w.drug.name, w.drug.specification))
            && units.contains(&format!(
                "{} {} 2 ",
                other_drug.name, other_drug.specification
            )),
        "{units}"
    );
    // Read by key a batch at a time, each batch picks up where the last ended: one at a
    // time gives every shipment of the batch once, the latest first.
    let mut paged = Vec::new();
    pharmacrm_server::db::models::shipment::each_batch(
        &mut w.app.sql(),
        &pharmacrm_server::db::scope::Reps::All,
        &pharmacrm_server::db::models::shipment::ShipmentFilter {
            batch_no: "LOT-2026A".into(),
            ..Default::default()
        },
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
        1,
        |_, batch| {
            paged.extend(batch.into_iter().map(|s| s.id));
            Ok(true)
        },
    )
    .expect("every shipment of the batch");
    assert_eq!(paged, [other_to_b.id, to_b.id, to_a.id]);
    // The standard 客服 position exports the recall for its calls: its own customers'
    // lines, and no report (it reads none).
    let mine =
        w.cs.export(pb::export_request::Report::Shipments(recall(
            "LOT-2026A",
            amoxicillin,
        )))
        .await
        .expect("a CS rep exports the recall");
    let (header, body) = register_rows(&mine.file, "批号追溯", "客户");
    assert_eq!(mine.done.rows, 1);
    assert_eq!(under(&header, &body[0], "客户"), "北京协和医院");
    let status =
        w.cs.export(pb::export_request::Report::DrugSales(Default::default()))
            .await
            .expect_err("no report.read");
    assert_eq!(status.code(), Code::PermissionDenied);
    // It needs order.read besides report.export, and keeps to the exporter's scope.
    let mut exporter = w
        .app
        .user_with_permissions("exporter", &["report.export", "report.read"])
        .await;
    let status = exporter
        .export(pb::export_request::Report::Shipments(recall(
            "LOT-2026A",
            None,
        )))
        .await
        .expect_err("no order.read");
    assert_eq!(status.code(), Code::PermissionDenied);
    // Named as the access table names a permission: label and code, in both languages.
    assert_message_contains(&status, "the permission “View orders” (order.read)");
    assert_zh_contains(&status, "需要“查看订单”权限（order.read）");
    let mut own = w
        .app
        .user_with_permissions("own-exporter", &["report.export", "order.read"])
        .await;
    let none = own
        .export(pb::export_request::Report::Shipments(recall(
            "LOT-2026A",
            None,
        )))
        .await
        .expect("their own customers' shipments");
    assert_eq!(none.done.rows, 0, "no customer of theirs");
    let status = own
        .export(pb::export_request::Report::Shipments(
            pb::ListShipmentsRequest {
                customer_id: Some(customer_b.id),
                ..recall("LOT-2026A", None)
            },
        ))
        .await
        .expect_err("another's customer");
    assert_eq!(status.code(), Code::NotFound);
}

/// The numbers of the orders `request` finds for `by`, sorted.
async fn found(by: &mut Clients, request: pb::SearchOrdersRequest) -> Vec<String> {
    let orders = by.orders_where(request).await;
    let mut numbers: Vec<_> = orders.into_iter().map(|o| o.number).collect();
    numbers.sort();
    numbers
}

/// The order list sorts by date, customer (pinyin), total and status, either way; orders
/// alike in the key (one customer's, one amount, one status) come newest first whichever
/// way the key runs.
#[tokio::test]
async fn orders_sort_by_each_key_and_orders_alike_in_it_come_newest_first() {
    let mut w = world().await;
    let other = CustomerBuilder::new("长春市长生大药房")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    // 北京协和医院: 10 boxes on the 28th and 5 on the 30th; 长春: 5 on the 29th. The
    // 30th's is keyed in first (entered late, dated back), so that the order the orders
    // were placed in is not the order of their dates.
    let mut place = async |date: &str, customer_id: i64, quantity: i64| {
        w.app.pin_clock(&format!("{date}T10:00:00+08:00"));
        let lines = [(w.drug.id, quantity, "2.00")];
        let order = place_order(&mut w.rep, customer_id, &lines).await;
        order.header().number.clone()
    };
    let new = place("2026-11-30", w.customer.id, 5).await;
    let old = place("2026-11-28", w.customer.id, 10).await;
    let changchun = place("2026-11-29", other.id, 5).await;
    let (old, changchun, new) = (old.as_str(), changchun.as_str(), new.as_str());
    let mut sorted = async |sort: pb::OrderSort, descending: bool| -> Vec<String> {
        let request = pb::SearchOrdersRequest {
            sort: sort as i32,
            descending,
            ..Default::default()
        };
        let found = w.rep.orders_where(request).await;
        found.into_iter().map(|o| o.number).collect()
    };
    use pb::OrderSort::{Customer, OrderDate, Status, Total};
    assert_eq!(sorted(OrderDate, true).await, [new, changchun, old]);
    assert_eq!(sorted(OrderDate, false).await, [old, changchun, new]);
    // 北京 (b) before 长春 (c); 北京's two newest first either way.
    assert_eq!(sorted(Customer, false).await, [new, old, changchun]);
    assert_eq!(sorted(Customer, true).await, [changchun, new, old]);
    // 20.00, then the two of 10.00 newest first either way.
    assert_eq!(sorted(Total, true).await, [old, new, changchun]);
    assert_eq!(sorted(Total, false).await, [new, changchun, old]);
    // All three wait to ship: newest first, either way.
    assert_eq!(sorted(Status, false).await, [new, changchun, old]);
    assert_eq!(sorted(Status, true).await, [new, changchun, old]);
}

#[tokio::test]
async fn orders_are_found_by_any_part_of_their_number_customer_status_overdue_and_open_exceptions()
{
    let mut w = world().await;
    let second = CustomerBuilder::new("朝阳医院")
        .served_by(w.cs.id)
        .create(&mut w.rep)
        .await;
    let ten_boxes = [(w.drug.id, 10, "")];
    w.app.pin_clock("2026-11-27T09:00:00+08:00");
    let overdue = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    let disputed = place_order(&mut w.rep, second.id, &ten_boxes).await;
    let waiting = place_order(&mut w.rep, w.customer.id, &ten_boxes).await;
    // Expected on the 28th and never confirmed.
    ShipmentBuilder::of(&overdue)
        .transit_days(1)
        .everything_left("B2611")
        .create(&mut w.cs)
        .await;
    // Delivered, with damage reported and not yet decided.
    let shipment = ShipmentBuilder::of(&disputed)
        .everything_left("B2611")
        .waybill("SF 2611 2700 02")
        .create(&mut w.cs)
        .await;
    let disputed_shipment = shipment.number.clone();
    w.app.pin_clock("2026-11-27T18:00:00+08:00");
    let shipment = w.cs.deliver(&shipment, "2026-11-27T17:00:00+08:00").await;
    w.cs.reported_first(&shipment, pb::ExceptionKind::Damaged, 1)
        .await;
    w.app.pin_clock("2026-11-30T10:00:00+08:00");
    let today = place_order(&mut w.rep, second.id, &ten_boxes).await;

    let [a, b, c, d] = [&overdue, &disputed, &waiting, &today].map(|o| o.header().number.clone());
    assert_eq!(
        [&a, &b, &c, &d],
        [
            "SO20261127-0001",
            "SO20261127-0002",
            "SO20261127-0003",
            "SO20261130-0001"
        ]
    );
    let (a, b, c, d) = (a.as_str(), b.as_str(), c.as_str(), d.as_str());
    let search = pb::SearchOrdersRequest::default;
    let rep = &mut w.rep;

    // By the number or any part of it, in any case: its beginning, the date without the
    // prefix, the whole, the day and sequence as read out on the phone, the sequence. A
    // LIKE wildcard typed is a character like any other.
    let by_number: [(&str, &[&str]); 7] = [
        ("SO20261127", &[a, b, c]),
        ("so20261130", &[d]),
        ("20261127-000", &[a, b, c]),
        (a, &[a]),
        ("1127-0002", &[b]),
        ("-0001", &[a, d]),
        ("SO2026112_", &[]),
    ];
    for (typed, expected) in by_number {
        let request = pb::SearchOrdersRequest {
            number: typed.into(),
            ..search()
        };
        assert_eq!(found(rep, request).await, expected, "{typed}");
    }
    // By one of its shipments, whole, as a courier or the customer names it: the
    // shipment's number, or its waybill however spaced or cased.
    for typed in [
        disputed_shipment.as_str(),
        "sf261127000 2",
        "ＳＦ２６１１２７０００２",
    ] {
        let request = pb::SearchOrdersRequest {
            number: typed.into(),
            ..search()
        };
        assert_eq!(found(rep, request).await, [b], "{typed}");
    }
    let of_second = pb::SearchOrdersRequest {
        customer_id: Some(second.id),
        ..search()
    };
    assert_eq!(found(rep, of_second).await, [b, d]);
    let pending = pb::SearchOrdersRequest {
        statuses: vec![pb::OrderStatus::Pending as i32],
        ..search()
    };
    assert_eq!(found(rep, pending).await, [c, d]);
    let under_way = pb::SearchOrdersRequest {
        statuses: vec![
            pb::OrderStatus::Shipped as i32,
            pb::OrderStatus::Completed as i32,
        ],
        ..search()
    };
    assert_eq!(found(rep, under_way).await, [a, b]);
    let with_overdue = pb::SearchOrdersRequest {
        has_overdue: true,
        ..search()
    };
    assert_eq!(found(rep, with_overdue).await, [a]);
    let with_open_exceptions = pb::SearchOrdersRequest {
        has_open_exceptions: true,
        ..search()
    };
    assert_eq!(found(rep, with_open_exceptions).await, [b]);
    // Filters combine.
    let pending_of_first = pb::SearchOrdersRequest {
        customer_id: Some(w.customer.id),
        statuses: vec![pb::OrderStatus::Pending as i32],
        ..search()
    };
    assert_eq!(found(rep, pending_of_first).await, [c]);
}

#[tokio::test]
async fn the_demo_holds_an_order_in_every_state_with_an_overdue_shipment_and_a_decision_waiting() {
    let app = TestApp::spawn_with(|c| c.demo = true).await;
    let mut sales1 = app.demo_user("sales1").await;
    let found = sales1.send(pb::SearchOrdersRequest::default()).await;
    let statuses: BTreeSet<i32> = found.orders.iter().map(|o| o.status).collect();
    let every: BTreeSet<i32> = [
        pb::OrderStatus::Pending,
        pb::OrderStatus::PartiallyShipped,
        pb::OrderStatus::Shipped,
        pb::OrderStatus::Completed,
        pb::OrderStatus::Cancelled,
    ]
    .into_iter()
    .map(|s| s as i32)
    .collect();
    assert_eq!(statuses, every);
    let awaiting = sales1
        .send(pb::ListExceptionsRequest {
            awaiting_decision: true,
            mine: true,
            ..Default::default()
        })
        .await;
    assert_eq!(awaiting.exceptions.len(), 1);
    let mut service1 = app.demo_user("service1").await;
    let overdue = service1
        .send(pb::ListShipmentsRequest {
            overdue_only: true,
            mine: true,
            ..Default::default()
        })
        .await;
    assert_eq!(overdue.shipments.len(), 1);
    assert!(overdue.shipments[0].overdue);
    // sales2 closed one order, 10 boxes short: it is completed, its net what shipped.
    let mut sales2 = app.demo_user("sales2").await;
    let closed = sales2
        .send(pb::SearchOrdersRequest {
            closed_only: true,
            ..Default::default()
        })
        .await
        .orders;
    assert_eq!(closed.len(), 1);
    let closed = closed[0].header();
    assert_eq!(closed.status(), pb::OrderStatus::Completed);
    assert!(
        closed.close_reason.contains("10 盒"),
        "{}",
        closed.close_reason
    );
    assert_ne!(closed.closed_amount, "0.00");
    // Placed by the rep who works the customer, entered on the order's date (as the
    // order view says "placed by 赵营销 <when>"), and shipped likewise.
    assert_eq!(closed.created_by, "赵营销");
    let entered_on = |at: &Option<prost_types::Timestamp>| {
        let at = at.as_ref().expect("a time");
        chrono::DateTime::from_timestamp(at.seconds, 0)
            .expect("a valid time")
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive()
            .to_string()
    };
    assert_eq!(entered_on(&closed.created_at), closed.order_date);
    let shipped = sales2.order(closed.id).await.expect("the order");
    let shipment = &shipped.shipments[0];
    assert_eq!(entered_on(&shipment.created_at), shipment.ship_date);
    // Its history says the same days, not the day the demo was seeded: placed, shipped,
    // delivered two days on, closed the day after.
    let days: Vec<(&str, String)> = shipped
        .history
        .iter()
        .map(|e| (e.action.as_str(), entered_on(&e.at)))
        .collect();
    let ship_date =
        chrono::NaiveDate::parse_from_str(&shipment.ship_date, "%Y-%m-%d").expect("a date");
    let day = |n| (ship_date + chrono::Days::new(n)).to_string();
    assert_eq!(
        days,
        [
            ("order.create", closed.order_date.clone()),
            ("shipment.create", shipment.ship_date.clone()),
            ("shipment.deliver", day(2)),
            ("order.close", day(3)),
        ]
    );
    // And its header says when it was closed, as its history does.
    assert_eq!(entered_on(&closed.closed_at), day(3));
}

#[tokio::test]
async fn a_drug_on_an_order_can_be_archived_but_not_deleted_and_the_order_keeps_what_was_sold() {
    let mut w = world().await;
    let placed = OrderBuilder::new(w.customer.id)
        .line(w.drug.id, 3, "2.5")
        .place(&mut w.rep)
        .await;
    let mut admin = w.app.admin().await;
    let current = admin.drug(w.drug.id).await;
    let refused = admin
        .drugs
        .delete_drug(deleting(&current))
        .await
        .expect_err("a drug on an order is never deleted");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    let input = pb::DrugInput {
        name: "阿莫西林胶囊（新包装）".into(),
        specification: current.specification.clone(),
        manufacturer: current.manufacturer.clone(),
        category_id: current.category_id,
        unit_id: current.unit_id,
        purchase_price: "1".into(),
        sale_price: "3".into(),
        ..Default::default()
    };
    // Another container unit while the order is still to ship would count its 3 boxes as
    // 3 cartons at the box's price: refused, naming the order.
    let carton = UnitBuilder::new("箱")
        .holding("10", "盒")
        .create(&mut admin)
        .await;
    let repacked = pb::UpdateDrugRequest {
        id: current.id,
        version: current.version,
        drug: Some(pb::DrugInput {
            unit_id: carton.id,
            ..input.clone()
        }),
    };
    admin.drugs.update_drug(repacked.clone()).await.refused_on(
        Code::FailedPrecondition,
        &["drug.unit_id"],
        &placed.header().number,
    );
    let renamed = pb::UpdateDrugRequest {
        id: current.id,
        version: current.version,
        drug: Some(input),
    };
    admin
        .drugs
        .update_drug(renamed)
        .await
        .expect("edit the drug");
    let current = admin.drug(w.drug.id).await;
    admin.archive_drug(&current).await;
    let stored = w.rep.reload(&placed).await;
    assert_eq!(stored.lines[0].drug_name, "阿莫西林胶囊");
    assert_eq!(stored.lines[0].unit_price, "2.50");
    assert_eq!(stored.header().total, "7.50");
    // Once no order is left to ship with it (cancelled here), the unit may change.
    w.rep
        .cancel_order(&stored, "客户取消")
        .await
        .expect("cancel");
    let current = admin.drug(w.drug.id).await;
    admin
        .drugs
        .update_drug(pb::UpdateDrugRequest {
            version: current.version,
            ..repacked
        })
        .await
        .expect("another unit");
}

/// A list's filter given an id of 0 or less, or a region that does not exist (a caller's
/// mistake, not "any") is refused naming it, with the request's other bad fields, rather
/// than answered with nothing.
#[tokio::test]
async fn a_list_filter_given_a_zero_or_negative_id_is_refused_naming_it() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let (zero, negative) = (Some(0), Some(-1));
    assert_bad_fields!(admin, {
        pb::SearchOrdersRequest {
            created_from: "昨天".into(),
            customer_id: zero,
            sales_rep_id: negative,
            cs_rep_id: zero,
            ..Default::default()
        } => ["created_from", "customer_id", "sales_rep_id", "cs_rep_id"],
        pb::ListShipmentsRequest {
            customer_id: zero,
            order_id: negative,
            drug_id: zero,
            delivery_status: 99,
            ship_to: "下周".into(),
            ..Default::default()
        } => ["customer_id", "order_id", "drug_id", "delivery_status", "ship_to"],
        pb::ListExceptionsRequest {
            customer_id: negative,
            order_id: zero,
            ..Default::default()
        } => ["customer_id", "order_id"],
        pb::ListPaymentsRequest {
            customer_id: zero,
            handler_id: negative,
            ..Default::default()
        } => ["customer_id", "handler_id"],
        pb::ListInvoicesRequest {
            customer_id: negative,
            order_id: zero,
            ..Default::default()
        } => ["customer_id", "order_id"],
        pb::ListArrearsRequest {
            sales_rep_id: zero,
            department_id: negative,
            bucket: 99,
            ..Default::default()
        } => ["sales_rep_id", "department_id", "bucket"],
        pb::SearchCustomersRequest {
            business_kind: 99,
            type_id: zero,
            sales_rep_id: negative,
            cs_rep_id: zero,
            ..Default::default()
        } => ["business_kind", "type_id", "sales_rep_id", "cs_rep_id"],
        pb::ListUsersRequest {
            department_id: zero,
            position_id: negative,
            ..Default::default()
        } => ["department_id", "position_id"],
        pb::SearchAuditRequest {
            user_id: zero,
            ..Default::default()
        } => ["user_id"],
        // A region that does not exist is not "nowhere" either.
        pb::SearchCustomersRequest {
            province_code: "99".into(),
            ..Default::default()
        } => ["province_code"],
        pb::SearchCustomersRequest {
            province_code: "11".into(),
            city_code: "4401".into(),
            ..Default::default()
        } => ["city_code"],
        pb::SearchCustomersRequest {
            city_code: "44".into(),
            after: "not a page marker".into(),
            ..Default::default()
        } => ["city_code", "after"],
    });
    // Unset is "any": the same lists answer; so does a city on its own.
    admin.send(pb::SearchOrdersRequest::default()).await;
    admin.send(pb::ListArrearsRequest::default()).await;
    admin
        .send(pb::SearchCustomersRequest {
            province_code: " 44 ".into(),
            city_code: "4401".into(),
            ..Default::default()
        })
        .await;
    admin
        .send(pb::SearchCustomersRequest {
            city_code: "4401".into(),
            ..Default::default()
        })
        .await;
}

/// A list filter's date range that ends before it starts is refused on its end, naming
/// the start, rather than read as "nothing matches"; a one-day range is a range.
#[tokio::test]
async fn a_filter_range_ending_before_it_starts_is_refused_on_its_end() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let (from, to) = (String::from("2026-11-30"), String::from("2026-11-01"));
    assert_bad_fields!(admin, {
        pb::SearchOrdersRequest {
            created_from: from.clone(),
            created_to: to.clone(),
            ..Default::default()
        } => ["created_to"],
        pb::ListShipmentsRequest {
            ship_from: from.clone(),
            ship_to: to.clone(),
            ..Default::default()
        } => ["ship_to"],
        pb::ListExceptionsRequest {
            reported_from: from.clone(),
            reported_to: to.clone(),
            ..Default::default()
        } => ["reported_to"],
        pb::ListPaymentsRequest {
            date_from: from.clone(),
            date_to: to.clone(),
            ..Default::default()
        } => ["date_to"],
        pb::ListInvoicesRequest {
            date_from: from.clone(),
            date_to: to.clone(),
            ..Default::default()
        } => ["date_to"],
    });
    let status = admin
        .try_send(pb::SearchOrdersRequest {
            created_from: from.clone(),
            created_to: to,
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_zh_contains(&status, "早于起始日期 2026-11-30");
    admin
        .send(pb::SearchOrdersRequest {
            created_from: from.clone(),
            created_to: from,
            ..Default::default()
        })
        .await;
}

/// Where a request may leave an id out as 0 (a payment's handler, a customer's reps, the
/// invoice a red one reverses, a handover's reps, a category's parent), a negative id is
/// refused naming it, not read as left out; an optional parent given as 0 likewise.
#[tokio::test]
async fn a_negative_id_is_refused_where_zero_means_none() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    assert_bad_fields!(admin, {
        pb::RecordPaymentRequest {
            customer_id: 1,
            payment_date: "2026-09-01".into(),
            amount: "10.00".into(),
            method: pb::PaymentMethod::BankTransfer as i32,
            handler_id: -7,
            ..Default::default()
        } => ["handler_id"],
        pb::CustomerInput {
            name: String::new(),
            sales_rep_id: -1,
            cs_rep_id: -5,
            ..Default::default()
        } => ["name", "province_code", "business_kind", "type_id", "sales_rep_id", "cs_rep_id"],
        // A negative invoice to reverse is a red invoice still, checked as one.
        pb::RecordInvoiceRequest {
            number: "04419001".into(),
            code: "1100261130".into(),
            invoice_date: "2026-09-01".into(),
            red_of_invoice_id: -1,
            ..Default::default()
        } => ["red_of_invoice_id"],
        pb::RecordInvoiceRequest {
            number: "04419002".into(),
            code: "1100261130".into(),
            invoice_date: "2026-09-01".into(),
            red_of_invoice_id: 3,
            customer_id: -4,
            ..Default::default()
        } => ["customer_id"],
        pb::HandoverCustomersRequest {
            from_user_id: 2,
            moves: vec![
                pb::HandoverMove {
                    customer_id: 0,
                    sales_rep_id: -3,
                    cs_rep_id: 0,
                },
                pb::HandoverMove {
                    customer_id: 5,
                    sales_rep_id: 0,
                    cs_rep_id: -1,
                },
            ],
        } => ["moves[0].customer_id", "moves[0].sales_rep_id", "moves[1].cs_rep_id"],
        pb::HandoverCustomersRequest {
            from_user_id: 2,
            moves: vec![],
        } => ["moves"],
        // Both reps of an assignment at once: a negative one and a missing one.
        pb::AssignCustomerRequest {
            id: 1,
            version: 1,
            sales_rep_id: -1,
            cs_rep_id: 0,
        } => ["sales_rep_id", "cs_rep_id"],
        pb::UpdateCategoryRequest {
            id: 1,
            version: 1,
            name: "a/b".into(),
            parent_id: -2,
            sort_order: 0,
        } => ["name", "parent_id"],
        pb::CreateCategoryRequest {
            name: " ".into(),
            parent_id: -2,
        } => ["name", "parent_id"],
        pb::CreateDepartmentRequest {
            name: "华南大区".into(),
            parent_id: Some(0),
        } => ["parent_id"],
    });
    // A type picked from a list: 0 asks to choose one, a negative id is no type's.
    let type_refusal = |type_id| pb::CustomerInput {
        name: "仁和诊所".into(),
        type_id,
        ..Default::default()
    };
    let refused = admin
        .try_send(type_refusal(-1))
        .await
        .refused(Code::InvalidArgument);
    assert_zh_contains(&refused, "type_id：不是有效的记录编号");
    let refused = admin
        .try_send(type_refusal(0))
        .await
        .refused(Code::InvalidArgument);
    assert_zh_contains(&refused, "type_id：请选择客户类型");
}

/// A rep who left (disabled once their customers were handed over) stays on the orders
/// they took, marked as disabled so a manager reading the list knows whom they cannot ask;
/// the CS rep still at work is not. The order also names the customer's reps now, who
/// work it from here.
#[tokio::test]
async fn orders_keep_a_rep_who_left_marked_as_disabled() {
    let mut w = world().await;
    let order = place_order(&mut w.rep, w.customer.id, &[(w.drug.id, 1, "2")]).await;
    let successor = w.app.sales_rep("rep-b").await;
    let mut admin = w.app.admin().await;
    admin
        .send(pb::AssignCustomerRequest {
            id: w.customer.id,
            version: w.customer.version,
            sales_rep_id: successor.id,
            cs_rep_id: w.cs.id,
        })
        .await;
    let leaver = admin.user_by_id(w.rep.id).await;
    admin.disable_user(&leaver).await.expect("disabled");

    let listed = admin.orders_where(pb::SearchOrdersRequest::default()).await;
    let rep_of = |o: &pb::Order| o.sales_rep.clone().expect("sales rep");
    let cs_of = |o: &pb::Order| o.cs_rep.clone().expect("cs rep");
    let row = listed
        .iter()
        .find(|o| o.id == order.order.as_ref().unwrap().id)
        .expect("listed");
    assert_eq!((rep_of(row).id, rep_of(row).inactive), (w.rep.id, true));
    assert!(!cs_of(row).inactive);
    let detail = admin.reload(&order).await;
    let o = detail.order.as_ref().expect("order");
    assert!(rep_of(o).inactive && !cs_of(o).inactive, "{o:?}");
    let now_of = |u: &Option<pb::UserRef>| u.as_ref().map(|u| u.id);
    assert_eq!(now_of(&o.customer_sales_rep), Some(successor.id));
    assert_eq!(now_of(&o.customer_cs_rep), Some(w.cs.id));
    assert_eq!(now_of(&row.customer_sales_rep), Some(successor.id));
    // The successor's work lists it among the orders still to ship (of the customers now
    // theirs), as it does the CS rep's; those credited stay as they were.
    let mut successor = successor;
    let mine = pb::SearchOrdersRequest {
        mine: true,
        ..Default::default()
    };
    for works in [&mut successor, &mut w.cs] {
        let listed = works.orders_where(mine.clone()).await;
        assert_eq!(
            listed.iter().map(|o| o.id).collect::<Vec<_>>(),
            [row.id],
            "{}",
            works.token
        );
    }
    let other = w.app.sales_rep("rep-c").await;
    let mut other = other;
    assert!(other.orders_where(mine).await.is_empty());
}
