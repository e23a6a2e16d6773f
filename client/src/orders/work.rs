//! The reps' order work, shown in 我的工作: for whoever may let an order past a credit
//! hold, the orders awaiting their approval (待审批); a CS rep's orders to ship (待发货,
//! oldest first), overdue shipments, shipments on their way to be signed for (soonest
//! expected first) and replacements to ship (待补发), and a sales rep's own orders not yet
//! shipped (naming the CS rep to chase; those awaiting approval too) and transport
//! exceptions awaiting their decision — a manager's, the team's (the data scope's). Each
//! entry opens its order.

use egui::RichText;
use pharmacrm_shared::{Module, Permission, pb, permission};

use crate::backend::Requested;
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{label_value, t, tn};
use crate::widgets::{self, choice_label};

/// How many entries each list shows.
const SHOWN: u32 = 50;

/// The order part of the work list.
#[derive(Default)]
pub struct OrderWork {
    /// Orders awaiting approval past a credit hold (待审批), oldest first.
    to_approve: Requested<pb::SearchOrdersResponse>,
    /// The sales rep's orders cancelled by someone else this past week (an approval
    /// turned down), newest first.
    cancelled: Requested<pb::SearchOrdersResponse>,
    /// Orders with units not shipped yet (待发货, 部分发货), oldest first.
    to_ship: Requested<pb::SearchOrdersResponse>,
    shipments: Requested<pb::ListShipmentsResponse>,
    /// Shipments on their way, expected today or later: the deliveries to confirm next.
    awaiting: Requested<pb::ListShipmentsResponse>,
    exceptions: Requested<pb::ListExceptionsResponse>,
    /// The CS rep's exceptions decided reship, their replacement not shipped yet.
    replacements: Requested<pb::ListExceptionsResponse>,
}

impl OrderWork {
    /// Asks again next time it is shown, the rows shown until the answer replaces them.
    pub fn refresh(&mut self) {
        self.to_approve.invalidate();
        self.cancelled.invalidate();
        self.to_ship.invalidate();
        self.shipments.invalidate();
        self.awaiting.invalidate();
        self.exceptions.invalidate();
        self.replacements.invalidate();
    }

    /// Whether the user has order work at all: CS reps ship, sales reps decide; a manager
    /// (who assigns the team's customers) watches the team's shipments too.
    fn shows_shipments(ctx: &AppCtx) -> bool {
        ctx.can(Permission::OrderRead)
            && (ctx.can(permission::CS_REP_ROLE)
                || (ctx.oversees() && ctx.can(Permission::CustomerAssign)))
    }

    fn shows_exceptions(ctx: &AppCtx) -> bool {
        ctx.can(Permission::OrderRead) && ctx.can(permission::SALES_REP_ROLE)
    }

    /// Draws the lists the user's role has (nothing for others).
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let page = Some(pb::PageRequest {
            offset: 0,
            limit: SHOWN,
        });
        if ctx.can(Permission::OrderRead) && ctx.can(Permission::OrderCreditOverride) {
            self.approvals_ui(ui, ctx, page);
        }
        if Self::shows_shipments(ctx) {
            self.orders_to_ship_ui(ui, ctx, page, false);
            // The caller's shipments overdue, or on their way (a manager's are the team's,
            // the data scope's).
            let shipments = |overdue_only, awaiting_delivery| {
                ctx.orders().list_shipments(pb::ListShipmentsRequest {
                    overdue_only,
                    awaiting_delivery,
                    mine: !ctx.oversees(),
                    page,
                    ..Default::default()
                })
            };
            if self.shipments.is_not_requested() {
                self.shipments.request(shipments(true, false));
            }
            widgets::work_list(
                ui,
                t("orders.work.overdue_shipments"),
                t("work.none"),
                &mut self.shipments,
                (|l| &l.shipments, |l| l.total),
                |ui, s| {
                    shipment_row(ui, ctx, s);
                    ui.label(
                        RichText::new(tn("shipment.overdue_days", u64::from(s.days_overdue)))
                            .color(widgets::ERROR),
                    );
                },
            );
            // On their way, soonest expected first: the deliveries to confirm next.
            if self.awaiting.is_not_requested() {
                self.awaiting.request(shipments(false, true));
            }
            widgets::work_list(
                ui,
                t("orders.work.awaiting_delivery"),
                t("work.none"),
                &mut self.awaiting,
                (|l| &l.shipments, |l| l.total),
                |ui, s| shipment_row(ui, ctx, s),
            );
            let mine_to_ship = !ctx.oversees();
            exceptions_ui(
                ui,
                ctx,
                t("orders.work.awaiting_replacement"),
                &mut self.replacements,
                pb::ListExceptionsRequest {
                    awaiting_replacement: true,
                    mine_to_ship,
                    page,
                    ..Default::default()
                },
            );
            // What the CS rep reported and the sales rep has still to decide: theirs to
            // chase (a manager sees them below, as decisions of the team's).
            if !Self::shows_exceptions(ctx) {
                exceptions_ui(
                    ui,
                    ctx,
                    t("orders.work.awaiting_sales_decision"),
                    &mut self.exceptions,
                    pb::ListExceptionsRequest {
                        awaiting_decision: true,
                        mine_to_ship,
                        page,
                        ..Default::default()
                    },
                );
            }
        }
        if Self::shows_exceptions(ctx) {
            // A sales rep's own orders not yet shipped (a manager sees the team's above):
            // what the customer asks after, and whom to chase.
            if !Self::shows_shipments(ctx) {
                self.orders_to_ship_ui(ui, ctx, page, true);
                self.cancelled_ui(ui, ctx, page);
            }
            exceptions_ui(
                ui,
                ctx,
                t("orders.work.awaiting_decision"),
                &mut self.exceptions,
                pb::ListExceptionsRequest {
                    awaiting_decision: true,
                    mine: !ctx.oversees(),
                    page,
                    ..Default::default()
                },
            );
        }
    }
}

impl OrderWork {
    /// The orders awaiting approval past a credit hold within the scope, oldest first:
    /// each names the customer, the sales rep who asks, the total and the date, then how
    /// far over the customer is now and the rep's case (what the approver weighs).
    fn approvals_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, page: Option<pb::PageRequest>) {
        let request = || pb::SearchOrdersRequest {
            statuses: vec![pb::OrderStatus::AwaitingApproval as i32],
            sort: pb::OrderSort::OrderDate as i32,
            descending: false,
            page,
            ..Default::default()
        };
        order_list(
            ui,
            ctx,
            t("orders.work.to_approve"),
            &mut self.to_approve,
            request,
            |ui, o| {
                ui.label(label_value(
                    t("customer.sales_rep"),
                    &format::person(o.sales_rep.as_ref()),
                ));
                ui.label(label_value(t("order.total"), &format::money(&o.total)));
                ui.label(label_value(t("order.date"), &o.order_date));
                super::view::approval_case_ui(ui, o.credit_hold.as_ref(), &o.approval_reason);
            },
        );
    }

    /// The sales rep's orders cancelled by someone else in the last seven days (a manager
    /// turning down an approval, a colleague cancelling for them), newest first: who did,
    /// when and why; else an order they wait on would just vanish from their list.
    fn cancelled_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, page: Option<pb::PageRequest>) {
        let request = || pb::SearchOrdersRequest {
            statuses: vec![pb::OrderStatus::Cancelled as i32],
            mine: true,
            cancelled_by_others_since: (format::business_today() - chrono::Duration::days(7))
                .format("%Y-%m-%d")
                .to_string(),
            sort: pb::OrderSort::OrderDate as i32,
            descending: true,
            page,
            ..Default::default()
        };
        let heading = t("orders.work.cancelled_by_others");
        order_list(ui, ctx, heading, &mut self.cancelled, request, |ui, o| {
            let by = format!(
                "{} {}",
                o.cancelled_by,
                format::timestamp(o.cancelled_at.as_ref())
            );
            // Turned down (驳回) said as such: not a cancelling like any other.
            let (cancelled, reason) = super::cancelled_words(o);
            ui.label(label_value(cancelled, &by));
            let reason = label_value(reason, &o.cancel_reason);
            ui.add(egui::Label::new(reason).wrap());
        });
    }

    /// The orders with units still to ship, oldest first, of the customers now the
    /// user's: what a CS rep ships next on the sales rep's instruction (the order
    /// placed); a manager's, the team's; with `sales_rep`, the sales rep's orders
    /// awaiting the CS rep named on each.
    fn orders_to_ship_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        page: Option<pb::PageRequest>,
        sales_rep: bool,
    ) {
        let request = || {
            let mut statuses = vec![
                pb::OrderStatus::Pending as i32,
                pb::OrderStatus::PartiallyShipped as i32,
            ];
            // The sales rep's own awaiting approval are not shipped yet either (a CS rep
            // cannot ship them).
            if sales_rep {
                statuses.insert(0, pb::OrderStatus::AwaitingApproval as i32);
            }
            pb::SearchOrdersRequest {
                statuses,
                // The orders of the customers now theirs (a customer taken over brings
                // its orders still to ship), not those credited to them.
                mine: !ctx.oversees(),
                sort: pb::OrderSort::OrderDate as i32,
                descending: false,
                page,
                ..Default::default()
            }
        };
        let heading = if sales_rep {
            t("orders.work.mine_to_ship")
        } else {
            t("orders.work.to_ship")
        };
        order_list(ui, ctx, heading, &mut self.to_ship, request, |ui, o| {
            // Who ships it: for a manager watching the team's, and for the sales rep the
            // one to chase.
            if sales_rep {
                ui.label(label_value(
                    t("customer.cs_rep"),
                    &format::person(o.cs_rep.as_ref()),
                ));
            } else {
                // A manager's team list names both: whose order, and who ships it.
                widgets::team_rep(ui, ctx, o.sales_rep.as_ref());
                widgets::team_cs_rep(ui, ctx, o.cs_rep.as_ref());
            }
            ui.label(label_value(t("order.date"), &o.order_date));
            if !o.requested_delivery_date.is_empty() {
                ui.label(label_value(
                    t("order.requested_delivery_date"),
                    &o.requested_delivery_date,
                ));
            }
            if o.status == pb::OrderStatus::AwaitingApproval as i32 {
                ui.label(
                    RichText::new(choice_label::<pb::OrderStatus>(o.status))
                        .color(widgets::WARNING),
                );
            } else {
                ui.label(RichText::new(super::table::progress_text(o)).weak());
            }
        });
    }
}

/// A list of orders under `heading` (those `request` finds, asked for once until the work
/// is refreshed), each row its number (opening the order) and customer, then what `row`
/// adds.
fn order_list(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    heading: &str,
    orders: &mut Requested<pb::SearchOrdersResponse>,
    request: impl FnOnce() -> pb::SearchOrdersRequest,
    mut row: impl FnMut(&mut egui::Ui, &pb::Order),
) {
    if orders.is_not_requested() {
        orders.request(ctx.orders().search_orders(request()));
    }
    widgets::work_list(
        ui,
        heading,
        t("work.none"),
        orders,
        (|l| &l.orders, |l| l.total),
        |ui, o| {
            if ui.link(&o.number).clicked() {
                ctx.navigate(Navigate::Order {
                    id: o.id,
                    from: Module::Customer,
                });
            }
            ui.label(&o.customer_name);
            row(ui, o);
        },
    );
}

/// A list of exceptions under `heading` (those `request` finds, asked for once until the
/// work is refreshed), each opening its order.
fn exceptions_ui(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    heading: &str,
    exceptions: &mut Requested<pb::ListExceptionsResponse>,
    request: pb::ListExceptionsRequest,
) {
    if exceptions.is_not_requested() {
        exceptions.request(ctx.orders().list_exceptions(request));
    }
    widgets::work_list(
        ui,
        heading,
        t("work.none"),
        exceptions,
        (|l| &l.exceptions, |l| l.total),
        |ui, e| {
            if ui.link(&e.order_number).clicked() {
                ctx.navigate(Navigate::Order {
                    id: e.order_id,
                    from: Module::Customer,
                });
            }
            ui.label(&e.customer_name);
            // Who acts on it: the CS rep ships a replacement, the sales rep decides (named
            // to a CS rep too: the one to chase for the decision).
            if super::awaits_replacement(e) {
                widgets::team_cs_rep(ui, ctx, e.cs_rep.as_ref());
            } else if let Some(rep) = e.sales_rep.as_ref().filter(|r| r.id != ctx.user_id()) {
                ui.label(label_value(
                    t("customer.sales_rep"),
                    &format::person(Some(rep)),
                ));
            }
            ui.label(&e.number);
            ui.label(choice_label::<pb::ExceptionKind>(e.kind));
            // What it concerns: the drugs and units (what a replacement re-sends).
            let goods: Vec<String> = e
                .lines
                .iter()
                .map(|l| format!("{} ×{} {}", l.drug_name, l.quantity, l.unit_label))
                .collect();
            ui.add(egui::Label::new(goods.join(crate::i18n::list_separator())).wrap());
            ui.label(label_value(t("exception.value"), &format::money(&e.value)));
            ui.label(RichText::new(format::timestamp(e.reported_at.as_ref())).weak());
            // A replacement to ship: what was agreed with the customer, to ship by.
            if !e.note.is_empty() {
                ui.add(egui::Label::new(label_value(t("exception.note"), &e.note)).wrap());
            }
        },
    );
}

/// A shipment of a work list: its order (a link to it), customer, CS rep (a manager's
/// list), number, carrier and waybill, and when it is expected.
fn shipment_row(ui: &mut egui::Ui, ctx: &AppCtx, s: &pb::Shipment) {
    if ui.link(&s.order_number).clicked() {
        ctx.navigate(Navigate::Order {
            id: s.order_id,
            from: Module::Customer,
        });
    }
    ui.label(&s.customer_name);
    widgets::team_cs_rep(ui, ctx, s.cs_rep.as_ref());
    ui.label(&s.number);
    ui.label(format!("{} {}", s.carrier, s.waybill_no));
    ui.label(label_value(
        t("shipment.expected_arrival"),
        &s.expected_arrival,
    ));
}
