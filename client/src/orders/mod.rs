//! 订单管理: the order list, the order form, the order view with its shipments and
//! transport exceptions (ship, confirm delivery, report, decide, cancel), 批号追溯 (who
//! received a batch), and the reps' order work that 我的工作 shows. The customer view's
//! order and shipment tabs reuse the order and shipment tables (`table.rs`).

mod exception;
mod form;
mod list;
mod pickers;
mod recall;
mod shipment;
mod table;
mod view;
mod work;

use egui::RichText;
use pharmacrm_shared::{Module, pb};

use crate::ctx::{AppCtx, Navigate};
use crate::i18n::t;
use crate::shell::ModulePanel;
use crate::widgets::{self, PermittedTab, Screen, Unsaved, choice_label};

pub use pickers::{CustomerPicker, InvoicingEntities};
pub use table::{OrderSortState, orders_table, overdue_legend, shipments_table};
pub use work::OrderWork;

/// `n` units of an order whose progress is `progress`, named: "30 盒", or "30 件"
/// (pieces) when its lines use different units (10 盒 and 5 瓶 are 15 pieces, not 15 盒).
pub fn units_text(n: i64, progress: &pb::OrderProgress) -> String {
    let unit = match progress.unit.as_str() {
        "" => t("orders.pieces"),
        unit => unit,
    };
    format!("{n} {unit}")
}

crate::choice!(pb::OrderStatus {
    AwaitingApproval => t("order.status.awaiting_approval"),
    Pending => t("order.status.pending"),
    PartiallyShipped => t("order.status.partially_shipped"),
    Shipped => t("order.status.shipped"),
    Completed => t("order.status.completed"),
    Cancelled => t("order.status.cancelled"),
});

crate::choice!(pb::DeliveryStatus {
    InTransit => t("shipment.status.in_transit"),
    Delivered => t("shipment.status.delivered"),
    Lost => t("shipment.status.lost"),
});

crate::choice!(pb::ExceptionKind {
    Damaged => t("exception.kind.damaged"),
    Lost => t("exception.kind.lost"),
    Short => t("exception.kind.short"),
});

// The choices of a decision; "pending" is a state, not a choice (see `decision_label`).
crate::choice!(pb::ExceptionDecision {
    Deduct => t("exception.decision.deduct"),
    Reship => t("exception.decision.reship"),
});

/// A decision's label, "待处理" included.
pub(crate) fn decision_label(decision: i32) -> &'static str {
    if decision == pb::ExceptionDecision::Pending as i32 {
        t("exception.decision.pending")
    } else {
        choice_label::<pb::ExceptionDecision>(decision)
    }
}

/// The order's customer as the order views name it: "北京协和医院", with "（已归档）" once
/// archived (it takes no new orders or shipments; a shipment would be refused).
pub(crate) fn customer_text(order: &pb::Order) -> String {
    crate::customers::named_customer(&order.customer_name, order.customer_archived)
}

/// Whether exception `e` was decided reship and awaits its replacement shipment, which
/// the CS rep records (登记补发).
pub(crate) fn awaits_replacement(e: &pb::TransportException) -> bool {
    e.decision == pb::ExceptionDecision::Reship as i32 && e.replacement_shipment_id == 0
}

/// An order's status as said: "已完成", or for an order closed with units given up
/// "已完成（已结案）" (已完成 alone read as if everything ordered had arrived).
fn status_label(order: &pb::Order) -> String {
    let status = choice_label::<pb::OrderStatus>(order.status);
    if order.closed_at.is_some() {
        crate::i18n::bracketed(status, t("orders.closed"))
    } else if order.rejected {
        crate::i18n::bracketed(status, t("orders.rejected"))
    } else {
        status.to_owned()
    }
}

/// How a cancelled order's cancelling is said: "已取消" and "取消原因", or "已驳回" and
/// "驳回原因" for one turned down while it awaited approval.
fn cancelled_words(order: &pb::Order) -> (&'static str, &'static str) {
    if order.rejected {
        (t("orders.rejected"), t("orders.reject_reason"))
    } else {
        (t("orders.cancelled"), t("orders.cancel_reason"))
    }
}

/// An order's status ([`status_label`]), cancelled ones greyed.
fn status_text(order: &pb::Order) -> RichText {
    let text = RichText::new(status_label(order));
    if order.status == pb::OrderStatus::Cancelled as i32 {
        text.weak()
    } else {
        text
    }
}

/// A whole number typed into a quantity field, full-width digits as half-width ones and
/// thousands grouped as the screens show them ("1,000"). What is not one is sent as 0, so
/// the server names the field with its own sentence.
fn parse_quantity(text: &str) -> i64 {
    let text = pharmacrm_shared::validation::half_width(text);
    let text = text.trim();
    // Grouped by threes, as amounts are shown: 1,000 and 12,500, not 1,00.
    let grouped = text.split(',').enumerate().all(|(i, group)| {
        let size_ok = if i == 0 {
            (1..=3).contains(&group.len())
        } else {
            group.len() == 3
        };
        size_ok && group.bytes().all(|b| b.is_ascii_digit())
    });
    let digits = if text.contains(',') && grouped {
        text.replace(',', "")
    } else {
        text.to_owned()
    };
    digits.parse().unwrap_or(0)
}

/// Whether a quantity was given: a line left empty or at 0 stays out of the request.
fn quantity_given(text: &str) -> bool {
    !matches!(
        pharmacrm_shared::validation::half_width(text).trim(),
        "" | "0"
    )
}

/// Where the user asked to go while a form held unsaved input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leave {
    /// Back to the list (an order opened from another module: back to that module).
    List,
    /// The list, from the navigation's 订单管理 (an order's view left behind).
    ModuleList,
    /// An order's view, and the module its back button returns to (none: the list).
    Order(i64, Option<Module>),
    /// The order form, for this customer or with the customer picker.
    NewOrder(Option<i64>),
    /// Back to another module (a new order begun from a customer, closed).
    Module(Module),
}

/// The module's lists, as tabs over them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListTab {
    /// The order list.
    Orders,
    /// 批号追溯: the shipments of a batch.
    Recall,
}

impl PermittedTab for ListTab {
    const ALL: &'static [ListTab] = &[ListTab::Orders, ListTab::Recall];

    fn permission(self) -> pharmacrm_shared::Permission {
        pharmacrm_shared::Permission::OrderRead
    }

    fn label(self) -> &'static str {
        match self {
            ListTab::Orders => t("orders.tab.orders"),
            ListTab::Recall => t("orders.tab.recall"),
        }
    }
}

/// The order module.
#[derive(Default)]
pub struct OrdersPanel {
    screens: widgets::Screens<form::OrderFormPanel, view::OrderView, Leave>,
    /// The list shown (`None` until first drawn: the first one allowed).
    tab: Option<ListTab>,
    list: list::OrderList,
    recall: recall::RecallPanel,
    /// The module a closed order view returns to (it was opened from there), shown once
    /// this frame is drawn.
    return_to: Option<Module>,
    /// While the order form changes an order: the module its view returns to, for the
    /// view shown again once the change is saved or closed.
    change_back: Option<Module>,
}

impl Unsaved for OrdersPanel {
    /// Whether a form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.screens.is_dirty()
    }
}

impl ModulePanel for OrdersPanel {
    fn module(&self) -> Module {
        Module::Order
    }

    fn open(&mut self, target: &Navigate, _ctx: &AppCtx) {
        match target {
            Navigate::Order { id, from } => {
                let back = (*from != Module::Order).then_some(*from);
                self.leave(Leave::Order(*id, back));
            }
            Navigate::NewOrder { customer_id } => self.leave(Leave::NewOrder(Some(*customer_id))),
            // 订单管理 in the navigation leaves an order's view for the list (the view has
            // only a back button, to where it was opened from), asking first over a
            // shipment, delivery or exception form holding input; a new order's form
            // keeps its input.
            Navigate::Module(Module::Order) if matches!(self.screens.page, Screen::View(_)) => {
                self.leave(Leave::ModuleList);
            }
            _ => {}
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if let Some(leave) = self.screens.leave_ui(ui.ctx(), "orders_leave") {
            self.go(leave);
        }
        // Where to go once the page is drawn: straight away (nothing to lose), or after
        // asking when a form holds input.
        let mut go = None;
        let mut leave = None;
        let mut placed = None;
        match &mut self.screens.page {
            Screen::List => {
                if self.tab.is_none() {
                    self.tab = ListTab::first(ctx);
                }
                let before = self.tab;
                widgets::tab_bar(ui, ctx, &mut self.tab);
                if self.tab != before {
                    // Shipments and orders recorded meanwhile: read again.
                    self.list.refresh();
                    self.recall.refresh();
                }
                ui.separator();
                match self.tab {
                    Some(ListTab::Orders) => match self.list.ui(ui, ctx) {
                        Some(list::ListCommand::Open(id)) => go = Some(Leave::Order(id, None)),
                        Some(list::ListCommand::New) => go = Some(Leave::NewOrder(None)),
                        None => {}
                    },
                    Some(ListTab::Recall) => {
                        if let Some(id) = self.recall.ui(ui, ctx) {
                            go = Some(Leave::Order(id, None));
                        }
                    }
                    None => {
                        ui.label(t("shell.no_modules"));
                    }
                }
            }
            Screen::New(form) => match form.ui(ui, ctx) {
                Some(form::FormEvent::Saved(response)) => placed = Some(response),
                // A change closed goes back to its order; a new order to the list, or to
                // the customer it was begun from (下单 in the customer view).
                Some(form::FormEvent::Close) => {
                    leave = Some(match form.order_id() {
                        Some(id) => Leave::Order(id, self.change_back.take()),
                        None => self.change_back.map_or(Leave::List, Leave::Module),
                    });
                }
                None => {}
            },
            Screen::View(view) => match view.ui(ui, ctx) {
                Some(view::ViewCommand::Close) => leave = Some(Leave::List),
                Some(view::ViewCommand::Change(detail)) => {
                    self.change_back = view.back();
                    self.screens.page =
                        Screen::New(Box::new(form::OrderFormPanel::change(&detail)));
                }
                None => {}
            },
        }
        if let Some(response) = placed {
            self.list.refresh();
            if let Some(order) = response.order.as_ref().and_then(|d| d.order.as_ref()) {
                let view = view::OrderView::saved(order.id, response.warnings)
                    .back_to(self.change_back.take());
                self.screens.page = Screen::View(Box::new(view));
            }
        }
        if let Some(target) = go {
            self.go(target);
        }
        if let Some(target) = leave {
            self.leave(target);
        }
        if let Some(module) = self.return_to.take() {
            ctx.navigate(Navigate::Module(module));
        }
    }
}

impl OrdersPanel {
    /// Goes where `leave` says, once the user agrees to drop unsaved input.
    fn leave(&mut self, leave: Leave) {
        if let Some(leave) = self.screens.leave(leave) {
            self.go(leave);
        }
    }

    fn go(&mut self, leave: Leave) {
        match leave {
            Leave::List | Leave::ModuleList => {
                // An order opened from another module: back there, as it was left.
                if let (Leave::List, Screen::View(view)) = (leave, &self.screens.page) {
                    self.return_to = view.back();
                }
                self.list.refresh();
                self.recall.refresh();
                self.screens.page = Screen::List;
            }
            Leave::Order(id, back) => {
                // Back on the list it returns to: the tab shown there.
                let label = match self.tab {
                    Some(ListTab::Recall) => "orders.recall.back",
                    _ => "orders.back",
                };
                let view = view::OrderView::new(id).back_to(back).list_label(label);
                self.screens.page = Screen::View(Box::new(view));
            }
            Leave::Module(module) => {
                self.change_back = None;
                self.return_to = Some(module);
                self.screens.page = Screen::List;
            }
            Leave::NewOrder(customer_id) => {
                // Begun from a customer (下单): closed or placed, back there.
                self.change_back = customer_id.map(|_| Module::Customer);
                self.screens.page = Screen::New(Box::new(form::OrderFormPanel::new(customer_id)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_quantity;

    #[test]
    fn a_quantity_reads_grouped_thousands_and_full_width_digits_but_not_odd_groups() {
        assert_eq!(parse_quantity("1,000"), 1000);
        assert_eq!(parse_quantity(" 12,500 "), 12500);
        assert_eq!(parse_quantity("１，０００"), 1000);
        assert_eq!(parse_quantity("250"), 250);
        // Not a grouping anyone writes: sent as 0, for the server to name the field.
        assert_eq!(parse_quantity("1,00"), 0);
        assert_eq!(parse_quantity("1,0000"), 0);
        assert_eq!(parse_quantity(",100"), 0);
        assert_eq!(parse_quantity("1.5"), 0);
    }
}
