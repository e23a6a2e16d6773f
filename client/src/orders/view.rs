//! The order view: the header with status and amounts (total, deductions, net), the lines
//! with their shipped, remaining, delivered and exception quantities, the shipments with
//! their batches (overdue in red), the transport exceptions with their decisions, and the
//! order's money from the finance module (shipped, invoiced, paid, outstanding). The
//! actions (ship, confirm delivery, report, decide) open their form in place of the
//! details; cancelling, and closing (结案) what remains of a part-shipped order, ask for a
//! reason in a dialog. Each action shows only to whoever
//! holds its permission; the order's change history is the audit log's.

use egui::{Align, Layout, RichText, TextStyle};
use egui_extras::Column;
use pharmacrm_shared::{Permission, pb};

use super::exception::{DecideForm, ReplacementForm, ReportForm};
use super::pickers::InvoicingEntities;
use super::shipment::{DeliveryForm, ShipmentForm};
use crate::backend::{Polled, Requested};
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{bracketed, comma, label_value, t, tn};
use crate::widgets::{self, FieldErrors, Unsaved, choice_label};

/// What the view asks of the panel.
pub enum ViewCommand {
    /// Back to the list (the panel asks first when a form holds input).
    Close,
    /// Open the order form on this order, to change it (nothing of it shipped).
    Change(Box<pb::OrderDetail>),
}

/// What an action's form did this frame.
pub(super) enum ActionEvent {
    /// Saved: back to the details, reloaded.
    Saved,
    /// Refused because another user changed the order meanwhile (ABORTED): the order is
    /// read again, the form keeping what was typed (what is left to ship follows).
    Stale,
    /// The user closed it.
    Close,
}

/// An action's save polled: [`ActionEvent::Saved`] the frame it succeeded,
/// [`ActionEvent::Stale`] the frame it failed on a stale version.
pub(super) fn polled<T: Send + 'static>(
    errors: &mut FieldErrors,
    save: &mut Requested<T>,
) -> Option<ActionEvent> {
    let was_pending = save.is_pending();
    if errors.poll(save) {
        return Some(ActionEvent::Saved);
    }
    let just_failed = was_pending && !save.is_pending();
    if just_failed && errors.error().is_some_and(|e| e.conflict.is_some()) {
        errors.rereading();
        return Some(ActionEvent::Stale);
    }
    None
}

/// The action whose form is open.
enum Action {
    Ship(ShipmentForm),
    Deliver(DeliveryForm),
    Report(ReportForm),
    Decide(DecideForm),
    Replace(ReplacementForm),
}

impl Action {
    /// Its save button's label, and whether it is disabled.
    fn save_button(&self, detail: &pb::OrderDetail) -> (&'static str, bool) {
        match self {
            Action::Ship(f) => f.save_button(),
            Action::Deliver(f) => f.save_button(),
            Action::Report(f) => f.save_button(),
            Action::Decide(f) => f.save_button(detail),
            Action::Replace(f) => f.save_button(detail),
        }
    }

    fn is_dirty(&self) -> bool {
        match self {
            Action::Ship(f) => f.is_dirty(),
            Action::Deliver(f) => f.is_dirty(),
            Action::Report(f) => f.is_dirty(),
            Action::Decide(f) => f.is_dirty(),
            Action::Replace(f) => f.is_dirty(),
        }
    }
}

/// An action the user started from the details.
#[derive(Clone, Copy, Debug)]
enum Start {
    Ship,
    Deliver(i64),
    Report(i64),
    Decide(i64),
    /// 登记补发 for this exception.
    Replace(i64),
    End(Ending),
    /// 修改订单: the order form on this order.
    Change,
}

/// A decision on an order taken with a reason: stopping it — cancelled while nothing has
/// shipped, or closed (结案) with what remains unshipped given up; both need
/// `order.cancel` — or approving one awaiting approval past the credit hold
/// (`order.credit_override`), or turning it down (驳回: cancelling it, by anyone but its
/// sales rep, who withdraws it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Cancel,
    Close,
    Approve,
    Reject,
}

impl Ending {
    /// How an order in `status` (the wire's) may be stopped: a pending one (or one
    /// awaiting approval) cancelled, a part-shipped one closed; any other not at all.
    fn of(status: i32) -> Option<Ending> {
        match pb::OrderStatus::try_from(status) {
            Ok(pb::OrderStatus::Pending | pb::OrderStatus::AwaitingApproval) => {
                Some(Ending::Cancel)
            }
            Ok(pb::OrderStatus::PartiallyShipped) => Some(Ending::Close),
            _ => None,
        }
    }

    /// What it becomes for an order now in `status` (reloaded after someone else acted):
    /// a stopping as [`Ending::of`] says; an approval while the order awaits one; `None`
    /// when it no longer applies.
    fn now(self, status: i32) -> Option<Ending> {
        match self {
            Ending::Approve | Ending::Reject => {
                (status == pb::OrderStatus::AwaitingApproval as i32).then_some(self)
            }
            _ => Ending::of(status),
        }
    }

    /// The button, and the dialog's heading.
    fn title(self) -> &'static str {
        match self {
            Ending::Cancel => t("orders.cancel"),
            Ending::Close => t("orders.close"),
            Ending::Approve => t("orders.approve"),
            Ending::Reject => t("orders.reject"),
        }
    }

    /// What it does, for `order`.
    fn question(self, order: &pb::Order) -> String {
        match self {
            Ending::Cancel => t("orders.cancel_question").to_owned(),
            Ending::Approve => t("orders.approve_question").to_owned(),
            Ending::Reject => t("orders.reject_question").to_owned(),
            Ending::Close => {
                let progress = order.progress.clone().unwrap_or_default();
                let question = t("orders.close_question")
                    .replace("{left}", &unshipped(order))
                    .replace(
                        "{shipped}",
                        &super::units_text(progress.units_shipped, &progress),
                    );
                // Closing leaves its exceptions as they are: a replacement still ships.
                match progress.open_exceptions {
                    0 => question,
                    open => format!(
                        "{question}\n{}",
                        tn("orders.close_open_exceptions", u64::from(open))
                    ),
                }
            }
        }
    }

    fn reason_label(self) -> &'static str {
        match self {
            Ending::Cancel => t("orders.cancel_reason"),
            Ending::Close => t("orders.close_reason"),
            Ending::Approve => t("orders.approve_reason"),
            Ending::Reject => t("orders.reject_reason"),
        }
    }

    fn confirm(self) -> &'static str {
        match self {
            Ending::Cancel => t("orders.cancel_confirm"),
            Ending::Close => t("orders.close_confirm"),
            Ending::Approve => t("orders.approve_confirm"),
            Ending::Reject => t("orders.reject_confirm"),
        }
    }

    /// The button that leaves the order as it is ("Close" would read as closing it).
    fn dismiss(self) -> &'static str {
        match self {
            Ending::Cancel | Ending::Approve | Ending::Reject => t("common.close"),
            Ending::Close => t("orders.close_dismiss"),
        }
    }
}

/// One order's view.
pub struct OrderView {
    id: i64,
    detail: Requested<pb::OrderDetail>,
    /// What the server said when the order was placed (a price below cost…).
    warnings: Vec<pb::Warning>,
    entities: InvoicingEntities,
    settings: Requested<pb::Settings>,
    /// The order's money: shipped, deducted, invoiced, paid, outstanding.
    finance: Requested<pb::OrderFinance>,
    /// The invoice or payment opened in the 财务 block.
    finance_open: crate::finance::OrderFinanceOpen,
    action: Option<Action>,
    /// Closing an action form that holds input.
    discard: widgets::Discard<()>,
    /// The cancel or close dialog, with the reason typed, while it is open.
    ending: Option<(Ending, String)>,
    ending_errors: FieldErrors,
    ending_sent: Requested<pb::OrderDetail>,
    /// The module its back button returns to (opened from there); none: the order list.
    back: Option<pharmacrm_shared::Module>,
    /// The i18n key of its back button's label when it returns to the module's lists: the
    /// tab shown there (返回订单列表, or 返回批号追溯 when opened from the recall); translated
    /// as drawn, so that a language switch reaches it.
    list_label: &'static str,
}

impl Unsaved for OrderView {
    /// Whether an action form or the cancel/close dialog holds input.
    fn is_dirty(&self) -> bool {
        self.action.as_ref().is_some_and(Action::is_dirty)
            || self
                .ending
                .as_ref()
                .is_some_and(|(_, r)| !r.trim().is_empty())
    }
}

impl OrderView {
    /// The view of order `id`.
    pub fn new(id: i64) -> OrderView {
        OrderView {
            id,
            detail: Requested::NotRequested,
            warnings: Vec::new(),
            entities: InvoicingEntities::default(),
            settings: Requested::NotRequested,
            finance: Requested::NotRequested,
            finance_open: Default::default(),
            action: None,
            discard: widgets::Discard::default(),
            ending: None,
            ending_errors: FieldErrors::default(),
            ending_sent: Requested::NotRequested,
            back: None,
            list_label: "orders.back",
        }
    }

    /// The view, its back button returning to `back` (none: the order list).
    pub fn back_to(self, back: Option<pharmacrm_shared::Module>) -> OrderView {
        OrderView { back, ..self }
    }

    /// The view, its back button labelled by the i18n key `label` when it returns to the
    /// module's lists.
    pub fn list_label(self, label: &'static str) -> OrderView {
        OrderView {
            list_label: label,
            ..self
        }
    }

    /// Where its back button returns (none: the order list).
    pub fn back(&self) -> Option<pharmacrm_shared::Module> {
        self.back
    }

    /// The view of an order just placed, with the server's warnings.
    pub fn saved(id: i64, warnings: Vec<pb::Warning>) -> OrderView {
        OrderView {
            warnings,
            ..OrderView::new(id)
        }
    }

    fn reload(&mut self, ctx: &AppCtx) {
        let id = self.id;
        self.detail
            .request(ctx.orders().get_order(pb::GetOrderRequest { id }));
        // GetOrderFinance needs one of these: a 客服 sees no money but the order's.
        if pharmacrm_shared::ORDER_MONEY.iter().any(|p| ctx.can(*p)) {
            self.finance.request(
                ctx.finance()
                    .get_order_finance(pb::GetOrderFinanceRequest { order_id: id }),
            );
        }
    }

    /// The company's transit days, once known.
    fn transit_days(&self) -> Option<i32> {
        self.settings.value().map(|s| s.default_transit_days)
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ViewCommand> {
        if self.detail.is_not_requested() {
            self.reload(ctx);
            self.settings.request(ctx.orders().get_settings(()));
        }
        if matches!(self.detail.poll(), Polled::JustDone)
            && let (Some(Action::Ship(form)), Some(detail)) =
                (&mut self.action, self.detail.value())
        {
            // Read again (another user shipped meanwhile): the form's 待发 follow.
            form.follow(detail);
        }
        self.entities.poll(ctx);
        self.settings.poll();
        self.finance.poll();
        self.finance_open.poll();
        if self.ending_errors.poll(&mut self.ending_sent) {
            self.ending = None;
            if let Requested::Done(detail) = std::mem::take(&mut self.ending_sent) {
                self.detail = Requested::Done(detail);
            }
        }

        let mut command = None;
        ui.horizontal(|ui| {
            let back = match self.back {
                Some(module) => crate::shell::back_to_module(module),
                None => t(self.list_label).to_owned(),
            };
            if ui.button(back).clicked() {
                command = Some(ViewCommand::Close);
            }
            if ui.button(t("common.reload")).clicked() {
                self.reload(ctx);
            }
        });
        widgets::request_status(ui, &self.detail);
        let Some(detail) = self.detail.value().cloned() else {
            return command;
        };
        let Some(order) = detail.order.clone() else {
            return command;
        };
        if self.action.is_some() {
            self.action_ui(ui, ctx, &detail, &order);
            return command;
        }
        let mut start = None;
        let finance = self.finance.value().cloned();
        // Each order's own scroll position: another order opens at its top, where its
        // header and buttons are (it opened where the last one was left scrolled).
        egui::ScrollArea::vertical()
            .id_salt(("order_view", self.id))
            .auto_shrink([false, true])
            .show(ui, |ui| {
                start = start.or(header_ui(ui, ctx, &detail, &order, &self.warnings));
                if let Some(finance) = &finance {
                    ui.separator();
                    let open = &mut self.finance_open;
                    let read_payments = crate::finance::reads_money_history(ctx);
                    let by_entity = &order.not_invoiced_by_entity;
                    let read = crate::finance::order_finance_ui(
                        ui,
                        finance,
                        by_entity,
                        open,
                        read_payments,
                    );
                    if let Some(number) = read {
                        open.read_payment(ctx, order.customer_id, number);
                    }
                } else if let Some(error) = self.finance.error() {
                    ui.separator();
                    widgets::error_line(ui, error);
                }
                ui.separator();
                lines_ui(ui, &detail);
                ui.separator();
                start = start.or(shipments_ui(ui, ctx, &detail));
                ui.separator();
                start = start.or(exceptions_ui(ui, ctx, &detail));
                ui.separator();
                history_ui(ui, &detail);
            });
        match start {
            Some(Start::Change) => command = Some(ViewCommand::Change(Box::new(detail))),
            Some(start) => self.start(start, &detail),
            None => {}
        }
        self.ending_ui(ui.ctx(), ctx, &order);
        command
    }

    /// Opens the form of `start`.
    fn start(&mut self, start: Start, detail: &pb::OrderDetail) {
        let transit = self.transit_days();
        let shipment = |id: i64| detail.shipments.iter().find(|s| s.id == id);
        let exception = |id: i64| detail.exceptions.iter().find(|e| e.id == id);
        self.action = match start {
            Start::Ship => Some(Action::Ship(ShipmentForm::new(detail, transit))),
            Start::Deliver(id) => shipment(id).map(|s| Action::Deliver(DeliveryForm::new(s))),
            Start::Report(id) => shipment(id).map(|s| Action::Report(ReportForm::new(s))),
            Start::Decide(id) => exception(id).map(|e| Action::Decide(DecideForm::new(e))),
            Start::Replace(id) => {
                exception(id).map(|e| {
                    // The carrier that lost or damaged it is the likeliest again, on the
                    // same route.
                    let original = shipment(e.shipment_id);
                    Action::Replace(ReplacementForm::new(e, original, transit))
                })
            }
            Start::End(ending) => {
                self.ending = Some((ending, String::new()));
                self.ending_errors.set(None);
                None
            }
            // The panel opens the form (`ui` hands it over).
            Start::Change => None,
        };
        self.warnings.clear();
    }

    /// The open action's form in place of the details.
    fn action_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        detail: &pb::OrderDetail,
        order: &pb::Order,
    ) {
        let settings = self.settings.value().cloned();
        let settings = settings.as_ref();
        // The order's own entity is offered even when archived since.
        let entities = self.entities.options(Some((
            order.invoicing_entity_id,
            &order.invoicing_entity_name,
        )));
        let mut event = None;
        if let Some(action) = &mut self.action {
            let (save, disabled) = action.save_button(detail);
            let pressed = widgets::button_bar(ui, "order_action_buttons", |ui| {
                widgets::form_buttons(ui, save, t("common.close"), disabled)
            });
            egui::ScrollArea::vertical()
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    event = match action {
                        Action::Ship(f) => f.ui(ui, ctx, order, &entities, settings, pressed),
                        Action::Deliver(f) => f.ui(ui, ctx, detail, pressed),
                        Action::Report(f) => f.ui(ui, ctx, pressed),
                        Action::Decide(f) => f.ui(ui, ctx, detail, pressed),
                        Action::Replace(f) => f.ui(ui, ctx, detail, settings, pressed),
                    };
                });
        }
        match event {
            Some(ActionEvent::Saved) => {
                self.action = None;
                self.reload(ctx);
            }
            Some(ActionEvent::Stale) => self.reload(ctx),
            Some(ActionEvent::Close) => {
                let dirty = self.action.as_ref().is_some_and(Action::is_dirty);
                if self.discard.request(dirty, ()).is_some() {
                    self.action = None;
                }
            }
            None => {}
        }
        if self.discard.ui(ui.ctx(), "discard_order_action").is_some() {
            self.action = None;
        }
    }

    /// The cancel, close, approve or reject dialog: what it does (deciding on an approval,
    /// with the credit hold it would let the order past and the rep's case: the history
    /// may be below the fold), a reason, then the request.
    fn ending_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx, order: &pb::Order) {
        let Some((ending, reason)) = &mut self.ending else {
            return;
        };
        // The order as last read decides: reloaded after someone else shipped, a pending
        // order may have become one to close, and a part-shipped one one with nothing left;
        // approved by someone else, it has nothing left to approve.
        let Some(now) = ending.now(order.status) else {
            self.ending = None;
            return;
        };
        *ending = now;
        let ending = now;
        let busy = self.ending_sent.is_pending() || self.detail.is_pending();
        let mut submit = false;
        let mut close = false;
        let mut reload = false;
        let errors = &mut self.ending_errors;
        let modal = crate::widgets::modal("end_order").show(egui_ctx, |ui| {
            ui.set_min_width(380.0);
            ui.set_max_width(520.0);
            ui.heading(label_value(ending.title(), &order.number));
            ui.label(ending.question(order));
            if matches!(ending, Ending::Approve | Ending::Reject) {
                approval_case_ui(ui, order.credit_hold.as_ref(), &order.approval_reason);
            }
            submit = widgets::form(ui, "end_order_form", errors, |f| {
                f.required(&["reason"]);
                f.text(ending.reason_label(), "reason", reason);
            })
            .submitted;
            let (confirm, dismiss) =
                widgets::form_buttons(ui, ending.confirm(), ending.dismiss(), busy);
            submit |= confirm;
            close = dismiss;
            // Changed by someone else since it was read: read it again, the reason kept.
            let conflict = errors.error().is_some_and(|e| e.conflict.is_some());
            reload = conflict && ui.button(t("common.reload_record")).clicked();
        });
        if (crate::widgets::dismissed(&modal) || close) && !busy {
            self.ending = None;
            return;
        }
        if reload {
            self.ending_errors.set(None);
            self.reload(ctx);
            return;
        }
        if submit && !busy {
            let (id, version, reason) = (order.id, order.version, reason.trim().to_owned());
            let sent = match ending {
                Ending::Cancel | Ending::Reject => {
                    ctx.orders().cancel_order(pb::CancelOrderRequest {
                        id,
                        version,
                        reason,
                    })
                }
                Ending::Close => ctx.orders().close_order(pb::CloseOrderRequest {
                    id,
                    version,
                    reason,
                }),
                Ending::Approve => ctx.orders().approve_order(pb::ApproveOrderRequest {
                    id,
                    version,
                    reason,
                }),
            };
            self.ending_sent.request(sent);
        }
    }
}

/// What an approver weighs of an order awaiting approval: the credit `hold` it would let
/// the order past (red, with the figures; none once a payment has cleared it, or for one
/// who does not weigh it), and the sales rep's case, `reason`; each wraps (in a row of
/// 我的工作 too).
pub(super) fn approval_case_ui(ui: &mut egui::Ui, hold: Option<&pb::Warning>, reason: &str) {
    if let Some(hold) = hold {
        let text = RichText::new(widgets::warning_sentence(hold)).color(widgets::ERROR);
        ui.add(egui::Label::new(text).wrap());
    }
    if !reason.is_empty() {
        let text = label_value(t("credit.approval_reason"), reason);
        ui.add(egui::Label::new(text).wrap());
    }
}

/// The units of `order` not shipped (those a closing gives up), all lines together,
/// named ("70 盒").
fn unshipped(order: &pb::Order) -> String {
    let p = order.progress.clone().unwrap_or_default();
    super::units_text(p.units_ordered - p.units_shipped, &p)
}

/// A count, right-aligned.
fn count_cell(ui: &mut egui::Ui, n: i64) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(n.to_string());
    });
}

/// A warning of the order just placed as the view says it: one about a line's price
/// (field `lines[i].unit_price`, `i` from 0) names the line and its drug, which the form
/// showed beside the price ("第 2 行 阿莫西林胶囊：低于售价 26.50").
fn warning_line(w: &pb::Warning, lines: &[pb::OrderLine]) -> String {
    let line = w
        .field
        .strip_prefix("lines[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(i, _)| i.parse::<usize>().ok())
        .and_then(|i| lines.get(i));
    match line {
        Some(l) => label_value(&line_name(l), widgets::warning_text(w)),
        None => widgets::warning_sentence(w),
    }
}

/// A line as the view's sentences name it: "第 2 行 阿莫西林胶囊".
fn line_name(l: &pb::OrderLine) -> String {
    format!(
        "{} {}",
        tn(
            "orders.line_n",
            u64::try_from(l.line_no).unwrap_or_default()
        ),
        l.drug_name
    )
}

/// Whether line `l` went at another price than the drug's sale price when it was priced
/// (lines priced before that was kept say nothing).
fn off_list_price(l: &pb::OrderLine) -> bool {
    let read = |p: &str| p.parse::<pharmacrm_shared::money::Decimal>().ok();
    !l.list_price.is_empty() && read(&l.unit_price) != read(&l.list_price)
}

/// The lines sold at another price than the list's, one sentence each: "第 1 行 阿莫西林胶囊：
/// 单价 12.50，售价 12.80".
fn off_list_prices(lines: &[pb::OrderLine]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| off_list_price(l))
        .map(|l| {
            let price = format!(
                "{} {}{}{} {}",
                t("order.unit_price"),
                format::money(&l.unit_price),
                comma(),
                t("drug.sale_price"),
                format::money(&l.list_price)
            );
            label_value(&line_name(l), &price)
        })
        .collect()
}

/// A rep kept on the order (`then`, credited with it), and after a handover the customer's
/// rep `now`, who works the order from here: "李营销（客户现由 赵营销 负责）".
fn rep_then_and_now(then: Option<&pb::UserRef>, now: Option<&pb::UserRef>) -> String {
    let named = format::person(then);
    match now {
        Some(now) if then.is_none_or(|then| then.id != now.id) => bracketed(
            &named,
            &t("order.rep_now").replace("{name}", &format::person(Some(now))),
        ),
        _ => named,
    }
}

/// The header: number, status, customer, reps, dates, amounts, cancellation or closing;
/// the order's own actions.
fn header_ui(
    ui: &mut egui::Ui,
    ctx: &AppCtx,
    detail: &pb::OrderDetail,
    order: &pb::Order,
    warnings: &[pb::Warning],
) -> Option<Start> {
    let mut start = None;
    let progress = order.progress.clone().unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        ui.heading(&order.number);
        ui.label(super::status_text(order).strong());
        let overdue = u64::from(progress.overdue_shipments);
        if overdue > 0 {
            let text = tn("orders.overdue_shipments", overdue);
            ui.label(RichText::new(text).color(widgets::ERROR));
        }
        let awaiting = u64::from(progress.exceptions_awaiting_decision);
        if awaiting > 0 {
            let text = tn("orders.awaiting_decision", awaiting);
            ui.label(RichText::new(text).color(widgets::WARNING));
        }
        // Decided and still open: a replacement to ship, or on its way.
        let reshipping = u64::from(progress.open_exceptions).saturating_sub(awaiting);
        if reshipping > 0 {
            let text = tn("orders.reshipping", reshipping);
            ui.label(RichText::new(text).color(widgets::WARNING));
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t("order.customer")).weak());
        let customer = super::customer_text(order);
        if ctx.can(Permission::CustomerRead) {
            if ui.link(&customer).clicked() {
                ctx.navigate(Navigate::Customer {
                    id: order.customer_id,
                    from: pharmacrm_shared::Module::Order,
                });
            }
        } else {
            ui.label(&customer);
        }
    });
    widgets::fields_grid(
        ui,
        "order_header",
        &[
            (t("order.date"), order.order_date.clone()),
            (
                t("order.invoicing_entity"),
                order.invoicing_entity_name.clone(),
            ),
            (
                t("order.sales_rep"),
                rep_then_and_now(order.sales_rep.as_ref(), order.customer_sales_rep.as_ref()),
            ),
            (
                t("order.cs_rep"),
                rep_then_and_now(order.cs_rep.as_ref(), order.customer_cs_rep.as_ref()),
            ),
            (t("order.delivery_address"), order.delivery_address.clone()),
            (
                t("order.requested_delivery_date"),
                order.requested_delivery_date.clone(),
            ),
            (t("order.credit_days"), order.credit_days.to_string()),
            (
                t("order.created"),
                format::by_at(&order.created_by, order.created_at.as_ref()),
            ),
            (t("order.note"), order.note.clone()),
        ],
    );
    ui.add_space(4.0);
    let mut totals = vec![
        (t("order.total"), order.total.as_str()),
        (t("order.deductions"), order.deductions.as_str()),
    ];
    if order.closed_at.is_some() {
        totals.push((t("order.closed_amount"), order.closed_amount.as_str()));
    }
    // A cancelled order is worth nothing: said where its net reads 0.00 beside its total.
    let net = match order.status == pb::OrderStatus::Cancelled as i32 {
        true => t("orders.net_of_cancelled"),
        false => t("order.net"),
    };
    totals.push((net, order.net.as_str()));
    crate::finance::totals_line(ui, &totals);
    if order.status == pb::OrderStatus::AwaitingApproval as i32 {
        ui.label(RichText::new(t("orders.awaiting_approval_note")).color(widgets::WARNING));
        // What the approver lets it past, with the figures (for those who weigh it);
        // nothing when a payment has cleared the hold since. Just placed, the placing's
        // warnings below say it already: once is enough.
        let said = |hold: &pb::Warning| {
            (warnings.iter()).any(|w| widgets::warning_text(w) == widgets::warning_text(hold))
        };
        // The rep's case beside it, in sight (the history is at the bottom).
        let hold = order.credit_hold.as_ref().filter(|hold| !said(hold));
        approval_case_ui(ui, hold, &order.approval_reason);
    }
    if order.status == pb::OrderStatus::Cancelled as i32 {
        let (cancelled, reason) = super::cancelled_words(order);
        ui.label(
            RichText::new(format!(
                "{}  {}",
                label_value(
                    cancelled,
                    &format!(
                        "{} {}",
                        order.cancelled_by,
                        format::timestamp(order.cancelled_at.as_ref())
                    )
                ),
                label_value(reason, &order.cancel_reason),
            ))
            .color(widgets::ERROR),
        );
    }
    if order.closed_at.is_some() {
        ui.label(
            RichText::new(format!(
                "{}  {}  {}",
                label_value(
                    t("orders.closed"),
                    &format!(
                        "{} {}",
                        order.closed_by,
                        format::timestamp(order.closed_at.as_ref())
                    )
                ),
                t("orders.closed_left").replace("{left}", &unshipped(order)),
                label_value(t("orders.close_reason"), &order.close_reason),
            ))
            .color(widgets::WARNING),
        );
    }
    for w in warnings {
        ui.label(RichText::new(warning_line(w, &detail.lines)).color(widgets::WARNING));
    }
    // Opened later, the order still says which lines went at another price than the
    // list's (the warnings above were the placing's only).
    if warnings.is_empty() {
        for text in off_list_prices(&detail.lines) {
            ui.label(RichText::new(text).color(widgets::WARNING));
        }
    }
    let status = order.status;
    let open = status == pb::OrderStatus::Pending as i32
        || status == pb::OrderStatus::PartiallyShipped as i32;
    let remaining = detail.lines.iter().any(|l| l.remaining_quantity > 0);
    ui.horizontal_wrapped(|ui| {
        if ctx.can(Permission::ShipmentWrite)
            && open
            && remaining
            && ui.button(t("shipment.new")).clicked()
        {
            start = Some(Start::Ship);
        }
        let awaiting = status == pb::OrderStatus::AwaitingApproval as i32;
        // Past the credit hold, by one who may let it past.
        if ctx.can(Permission::OrderCreditOverride)
            && awaiting
            && ui.button(t("orders.approve")).clicked()
        {
            start = Some(Start::End(Ending::Approve));
        }
        // Nothing of it shipped: its lines and fields may still change.
        if ctx.can(Permission::OrderWrite)
            && (status == pb::OrderStatus::Pending as i32 || awaiting)
            && ui.button(t("orders.change")).clicked()
        {
            start = Some(Start::Change);
        }
        // Stopped by anyone but its rep while it awaits approval, it is turned down
        // (驳回: `Order.rejected`, the server's rule), a cancelling by another name.
        let own = order
            .sales_rep
            .as_ref()
            .is_some_and(|r| r.id == ctx.user_id());
        let ending = match Ending::of(status) {
            Some(Ending::Cancel) if awaiting && !own => Some(Ending::Reject),
            ending => ending,
        };
        if ctx.can(Permission::OrderCancel)
            && let Some(ending) = ending
            && ui.button(ending.title()).clicked()
        {
            start = Some(Start::End(ending));
        }
    });
    start
}

/// The lines with what happened to each; on a closed order, the units each gave up in
/// place of those still to ship.
fn lines_ui(ui: &mut egui::Ui, detail: &pb::OrderDetail) {
    ui.strong(t("orders.lines"));
    let lines = &detail.lines;
    let (open_order_lines, _) = open_exception_lines(detail);
    let closed = detail.order.as_ref().is_some_and(|o| o.closed_at.is_some());
    let left = |l: &pb::OrderLine| {
        if closed {
            l.quantity - l.shipped_quantity
        } else {
            l.remaining_quantity
        }
    };
    let decimals = widgets::money_decimals(
        lines
            .iter()
            .flat_map(|l| [l.unit_price.as_str(), l.amount.as_str()]),
    );
    let labels: Vec<String> = lines
        .iter()
        .map(|l| crate::widgets::drug_label(&l.drug_name, &l.specification))
        .collect();
    let numbers: Vec<String> = lines.iter().map(|l| l.line_no.to_string()).collect();
    let plain = |header: &str, texts: &[String], style: TextStyle, min: f32, max: f32| {
        widgets::fit_width_plain(
            ui,
            header,
            texts.iter().map(String::as_str),
            style,
            min,
            max,
        )
    };
    let units: Vec<String> = lines.iter().map(|l| l.unit_label.clone()).collect();
    // Figures right-aligned under right-aligned headers (amounts monospaced), each column
    // as wide as its plain header (no sort button to make room for) or its widest figure:
    // at 900×600 the ten columns fit beside the navigation, 异常数量 included.
    let figures: [(&str, Vec<String>, TextStyle); 7] = [
        (
            t("order.quantity"),
            lines.iter().map(|l| l.quantity.to_string()).collect(),
            TextStyle::Body,
        ),
        (
            t("order.unit_price"),
            lines
                .iter()
                .map(|l| widgets::money_text(&l.unit_price, decimals))
                .collect(),
            TextStyle::Monospace,
        ),
        (
            t("order.amount"),
            lines
                .iter()
                .map(|l| widgets::money_text(&l.amount, decimals))
                .collect(),
            TextStyle::Monospace,
        ),
        (
            t("order.shipped"),
            lines
                .iter()
                .map(|l| l.shipped_quantity.to_string())
                .collect(),
            TextStyle::Body,
        ),
        (
            if closed {
                t("order.given_up")
            } else {
                t("order.remaining")
            },
            lines.iter().map(|l| left(l).to_string()).collect(),
            TextStyle::Body,
        ),
        (
            t("order.delivered"),
            lines
                .iter()
                .map(|l| l.delivered_quantity.to_string())
                .collect(),
            TextStyle::Body,
        ),
        (
            t("order.exception_quantity"),
            lines
                .iter()
                .map(|l| l.exception_quantity.to_string())
                .collect(),
            TextStyle::Body,
        ),
    ];
    let mut widths: Vec<f32> = [
        plain(t("orders.line_no"), &numbers, TextStyle::Body, 24.0, 60.0),
        plain(t("order.drug"), &labels, TextStyle::Body, 140.0, 300.0),
        plain(t("order.unit"), &units, TextStyle::Body, 50.0, 160.0),
    ]
    .into_iter()
    .chain(
        figures
            .iter()
            // Up to the largest amount kept, 999,999,999,999.99, whole.
            .map(|(header, texts, style)| plain(header, texts, style.clone(), 40.0, 180.0)),
    )
    .collect();
    // In a narrow window the drug's name gives way (cut with "…", whole on hover) before
    // the figures scroll out of sight.
    let narrowable: Vec<bool> = (0..widths.len()).map(|i| i == 1).collect();
    widgets::narrow_to_fit(
        &mut widths,
        &narrowable,
        ui.spacing().item_spacing.x,
        ui.available_width(),
        110.0,
    );
    widgets::table(ui, "order_view_lines", |ui| {
        let mut builder = widgets::table_builder(ui, "order_view_lines", false).vscroll(false);
        for width in widths {
            builder = builder.column(Column::exact(width).clip(true));
        }
        builder
            .header(22.0, |mut header| {
                widgets::header_labels(
                    &mut header,
                    [t("orders.line_no"), t("order.drug"), t("order.unit")],
                );
                // The two columns that tell what became of the units say how on hover,
                // above the header (not over the rows): received in good order, and
                // reported in exceptions.
                let hints = [
                    (t("order.delivered"), t("order.delivered_hint")),
                    (
                        t("order.exception_quantity"),
                        t("order.exception_quantity_hint"),
                    ),
                ];
                for (label, _, _) in &figures {
                    header.col(|ui| {
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            let shown = ui.strong(*label);
                            if let Some((_, hint)) = hints.iter().find(|(l, _)| l == label) {
                                widgets::hint_above(&shown, hint);
                            }
                        });
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, lines.len(), |mut row| {
                    let l = &lines[row.index()];
                    let label = &labels[row.index()];
                    row.col(|ui| {
                        ui.label(l.line_no.to_string());
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(label).truncate())
                            .on_hover_text(&l.manufacturer);
                    });
                    row.col(|ui| {
                        ui.label(&l.unit_label);
                    });
                    row.col(|ui| count_cell(ui, l.quantity));
                    row.col(|ui| {
                        // Another price than the list's: in the warning colour (said
                        // with the list price above the lines).
                        if off_list_price(l) {
                            ui.visuals_mut().override_text_color = Some(widgets::WARNING);
                        }
                        widgets::money_cell(ui, &l.unit_price, decimals);
                    });
                    row.col(|ui| widgets::money_cell(ui, &l.amount, decimals));
                    row.col(|ui| count_cell(ui, l.shipped_quantity));
                    row.col(|ui| count_cell(ui, left(l)));
                    row.col(|ui| count_cell(ui, l.delivered_quantity));
                    row.col(|ui| {
                        let open = open_order_lines.contains(&l.id);
                        exception_count_cell(ui, l.exception_quantity, open);
                    });
                });
            });
    });
}

/// The shipments, each with its lines and actions.
fn shipments_ui(ui: &mut egui::Ui, ctx: &AppCtx, detail: &pb::OrderDetail) -> Option<Start> {
    let mut start = None;
    ui.strong(t("orders.shipments"));
    if detail.shipments.is_empty() {
        ui.label(RichText::new(t("orders.no_shipments")).weak());
        return None;
    }
    if detail.shipments.iter().any(|s| s.overdue) {
        super::overdue_legend(ui);
    }
    let (_, open_shipment_lines) = open_exception_lines(detail);
    for s in &detail.shipments {
        let mut title = format!(
            "{}  ·  {}  ·  {} {}  ·  {}",
            s.number,
            s.ship_date,
            s.carrier,
            s.waybill_no,
            super::table::delivery_label(s)
        );
        if s.is_replacement {
            title = bracketed(
                &title,
                &label_value(
                    t("shipment.replacement"),
                    &s.replacement_of_exception_number,
                ),
            );
        }
        let title = if s.overdue {
            RichText::new(title).color(widgets::ERROR)
        } else {
            RichText::new(title)
        };
        egui::CollapsingHeader::new(title)
            .id_salt(("shipment", s.id))
            .default_open(true)
            .show(ui, |ui| {
                let mut fields = vec![
                    (t("shipment.expected_arrival"), s.expected_arrival.clone()),
                    (t("shipment.transit_days"), s.transit_days.to_string()),
                    (t("order.invoicing_entity"), s.invoicing_entity_name.clone()),
                    (t("shipment.invoice_no"), s.invoice_no.clone()),
                    (t("shipment.amount"), format::money(&s.amount)),
                    (
                        t("shipment.recorded"),
                        format::by_at(&s.created_by, s.created_at.as_ref()),
                    ),
                ];
                if s.delivery_status == pb::DeliveryStatus::Delivered as i32 {
                    fields.push((t("shipment.signer"), s.signer.clone()));
                    fields.push((
                        t("shipment.arrived_at"),
                        format::timestamp(s.delivered_at.as_ref()),
                    ));
                }
                widgets::fields_grid(ui, &format!("shipment_fields_{}", s.id), &fields);
                shipment_lines_ui(ui, s, &open_shipment_lines);
                let lost = s.delivery_status == pb::DeliveryStatus::Lost as i32;
                let reportable = s.lines.iter().any(|l| l.quantity > l.exception_quantity);
                ui.horizontal_wrapped(|ui| {
                    if ctx.can(Permission::ShipmentWrite) && !lost {
                        let label = if s.delivery_status == pb::DeliveryStatus::Delivered as i32 {
                            t("shipment.correct_delivery")
                        } else {
                            t("shipment.confirm_delivery")
                        };
                        if ui.button(label).clicked() {
                            start = Some(Start::Deliver(s.id));
                        }
                    }
                    if ctx.can(Permission::ExceptionReport)
                        && !lost
                        && reportable
                        && ui.button(t("exception.report")).clicked()
                    {
                        start = Some(Start::Report(s.id));
                    }
                });
            });
    }
    start
}

/// A shipment's lines: batches and expiry dates, and the units of exceptions (in the
/// warning colour on the lines in `open`, those an open exception names).
fn shipment_lines_ui(ui: &mut egui::Ui, s: &pb::Shipment, open: &std::collections::HashSet<i64>) {
    egui::Grid::new(("shipment_lines", s.id))
        .num_columns(6)
        .spacing([16.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            for label in [
                t("order.drug"),
                t("order.unit"),
                t("shipment.quantity"),
                t("shipment.batch_no"),
                t("shipment.expiry_date"),
                t("order.exception_quantity"),
            ] {
                ui.strong(label);
            }
            ui.end_row();
            for l in &s.lines {
                ui.label(crate::widgets::drug_label(&l.drug_name, &l.specification));
                ui.label(&l.unit_label);
                count_cell(ui, l.quantity);
                ui.label(&l.batch_no);
                ui.label(&l.expiry_date);
                if l.exception_quantity > 0 {
                    let text = RichText::new(l.exception_quantity.to_string());
                    ui.label(if open.contains(&l.id) {
                        text.color(widgets::WARNING)
                    } else {
                        text
                    });
                } else {
                    ui.label("");
                }
                ui.end_row();
            }
        });
}

/// The label of an audit action in an order's history.
fn event_label(action: &str) -> String {
    let key = match action {
        "order.create" => "orders.event.order_create",
        "order.credit_override" => "orders.event.credit_override",
        "order.approval_request" => "orders.event.approval_request",
        "order.approve" => "orders.event.approve",
        "order.cancel" => "orders.event.order_cancel",
        "order.reject" => "orders.event.order_reject",
        "order.close" => "orders.event.order_close",
        "order.update" => "orders.event.order_update",
        "shipment.create" => "orders.event.shipment_create",
        "shipment.deliver" => "orders.event.shipment_deliver",
        "shipment.lose" => "orders.event.shipment_lose",
        "transport_exception.report" => "orders.event.exception_report",
        "transport_exception.decide" => "orders.event.exception_decide",
        "transport_exception.ship_replacement" => "orders.event.exception_ship_replacement",
        "transport_exception.close" => "orders.event.exception_close",
        "write_off.create" => "orders.event.write_off",
        "write_off.reverse" => "orders.event.write_off_reverse",
        other => return other.to_owned(),
    };
    t(key).to_owned()
}

/// The order's history, oldest first: when, who, what, on which document.
fn history_ui(ui: &mut egui::Ui, detail: &pb::OrderDetail) {
    // Units are counted as the order counts them (盒, or 件 across units).
    let progress = detail
        .order
        .as_ref()
        .and_then(|o| o.progress.clone())
        .unwrap_or_default();
    ui.strong(t("orders.history"));
    if detail.history.is_empty() {
        ui.label(RichText::new(t("orders.no_history")).weak());
        return;
    }
    egui::Grid::new("order_history")
        .num_columns(5)
        .spacing([16.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            for e in &detail.history {
                ui.label(format::timestamp(e.at.as_ref()));
                ui.label(format::who(&e.by));
                // A delivery recorded again is a correction, saying what it changed and
                // why.
                let correction = e.action == "shipment.deliver"
                    && !(e.field_changes.is_empty() && e.reason.is_empty());
                if correction {
                    ui.label(t("orders.event.shipment_correct_delivery"));
                } else {
                    ui.label(event_label(&e.action));
                }
                ui.label(&e.document);
                let details = event_details(e, correction, &progress);
                if details.is_empty() {
                    ui.label("");
                } else {
                    ui.vertical(|ui| {
                        for line in details {
                            ui.label(line);
                        }
                    });
                }
                ui.end_row();
            }
        });
}

/// What an event of the order's history did, a line each: a change what it did to the
/// total, the lines and the order's fields ([`change_texts`]); a delivery corrected what
/// it changed and why; an override why the credit hold was overridden; an exception
/// reported its kind, units (as `progress` counts them) and value (破损 2 盒，金额 2.47); a
/// decision which (扣款 2.47, 补发). Nothing for the other events (the action and
/// document say it all).
fn event_details(
    e: &pb::OrderEvent,
    correction: bool,
    progress: &pb::OrderProgress,
) -> Vec<String> {
    match e.action.as_str() {
        "order.credit_override" => vec![label_value(t("credit.override_reason"), &e.reason)],
        "order.approve" => vec![label_value(t("orders.approve_reason"), &e.reason)],
        "order.approval_request" => vec![label_value(t("credit.approval_reason"), &e.reason)],
        "order.cancel" if !e.reason.is_empty() => {
            vec![label_value(t("orders.cancel_reason"), &e.reason)]
        }
        "order.reject" => vec![label_value(t("orders.reject_reason"), &e.reason)],
        "order.close" if !e.reason.is_empty() => {
            vec![label_value(t("orders.close_reason"), &e.reason)]
        }
        // Records from before the kind was told have none to tell.
        "transport_exception.report" if e.exception_kind != 0 => {
            vec![
                t("orders.event.reported")
                    .replace(
                        "{kind}",
                        choice_label::<pb::ExceptionKind>(e.exception_kind),
                    )
                    .replace("{units}", &super::units_text(e.exception_units, progress))
                    .replace("{value}", &format::money(&e.exception_value)),
            ]
        }
        "write_off.create" => vec![
            label_value(t("write_off.amount"), &format::money(&e.write_off_amount)),
            label_value(t("write_off.reason"), &e.reason),
        ],
        "write_off.reverse" => vec![label_value(t("write_off.reverse_reason"), &e.reason)],
        "transport_exception.decide" if e.decision != pb::ExceptionDecision::Pending as i32 => {
            let decision = choice_label::<pb::ExceptionDecision>(e.decision);
            if e.decision == pb::ExceptionDecision::Deduct as i32 {
                vec![format!("{decision} {}", format::money(&e.exception_value))]
            } else {
                vec![decision.to_owned()]
            }
        }
        _ => {
            let mut lines = change_texts(e);
            if correction && !e.reason.is_empty() {
                lines.push(label_value(t("shipment.correction_reason"), &e.reason));
            }
            lines
        }
    }
}

/// What a change of the order (`order.update`) did, a line each: the total (订单金额：
/// 151.90 → 102.40), each line added, altered or removed (阿莫西林胶囊 0.25g：10 → 4 盒，
/// 单价 2.00 → 1.2345), each field changed (备注：（空） → 客户改为 4 盒).
fn change_texts(e: &pb::OrderEvent) -> Vec<String> {
    let arrow = |before: &str, after: &str| format!("{before} → {after}");
    // A delivery recorded again has no total: its signer and arrival time only.
    let mut texts = if e.total_before.is_empty() {
        Vec::new()
    } else {
        vec![label_value(
            t("order.total"),
            &arrow(
                &format::money(&e.total_before),
                &format::money(&e.total_after),
            ),
        )]
    };
    for c in &e.line_changes {
        let units = |n: i64| format!("{n} {}", c.unit);
        let what = if c.quantity_before == 0 {
            t("orders.change.line_added")
                .replace("{units}", &units(c.quantity_after))
                .replace("{price}", &format::money(&c.unit_price_after))
        } else if c.quantity_after == 0 {
            t("orders.change.line_removed")
                .replace("{units}", &units(c.quantity_before))
                .replace("{price}", &format::money(&c.unit_price_before))
        } else {
            let mut parts = Vec::new();
            if c.quantity_before != c.quantity_after {
                parts.push(format!(
                    "{} {}",
                    arrow(
                        &c.quantity_before.to_string(),
                        &c.quantity_after.to_string()
                    ),
                    c.unit
                ));
            }
            if c.unit_price_before != c.unit_price_after {
                parts.push(format!(
                    "{} {}",
                    t("orders.change.unit_price"),
                    arrow(
                        &format::money(&c.unit_price_before),
                        &format::money(&c.unit_price_after)
                    )
                ));
            }
            parts.join(comma())
        };
        texts.push(label_value(&c.drug, &what));
    }
    for c in &e.field_changes {
        let label = match c.field.as_str() {
            "invoicing_entity" => t("order.invoicing_entity"),
            "delivery_address" => t("order.delivery_address"),
            "requested_delivery_date" => t("order.requested_delivery_date"),
            "credit_days" => t("order.credit_days"),
            "note" => t("order.note"),
            "signer" => t("shipment.signer"),
            "arrived_at" => t("shipment.arrived_at"),
            other => other,
        };
        let shown = |v: &str| {
            if v.is_empty() {
                t("orders.change.none").to_owned()
            } else {
                v.to_owned()
            }
        };
        texts.push(label_value(
            label,
            &arrow(&shown(&c.before), &shown(&c.after)),
        ));
    }
    texts
}

/// The lines an exception still open names: (order line ids, shipment line ids). Their
/// 异常数量 is in the warning colour; once every exception on a line is closed, it is a
/// plain figure (a closed one read as still to be dealt with).
fn open_exception_lines(
    detail: &pb::OrderDetail,
) -> (
    std::collections::HashSet<i64>,
    std::collections::HashSet<i64>,
) {
    detail
        .exceptions
        .iter()
        .filter(|e| e.closed_at.is_none())
        .flat_map(|e| &e.lines)
        .map(|l| (l.order_line_id, l.shipment_line_id))
        .unzip()
}

/// A count of exception units, right-aligned as the other counts, in the warning colour
/// while an exception on it is open (`open`).
fn exception_count_cell(ui: &mut egui::Ui, n: i64, open: bool) {
    if open && n > 0 {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.label(RichText::new(n.to_string()).color(widgets::WARNING));
        });
    } else {
        count_cell(ui, n);
    }
}

/// Where an exception stands after its decision, for its title: 待补发 (the replacement
/// not yet shipped), 补发在途 (shipped, not yet delivered), 已结案; nothing while it
/// awaits a decision (the decision says 待处理).
fn exception_state(e: &pb::TransportException) -> Option<&'static str> {
    if e.closed_at.is_some() {
        Some(t("exception.state.closed"))
    } else if super::awaits_replacement(e) {
        Some(t("exception.awaiting_replacement"))
    } else if e.replacement_shipment_id != 0 {
        Some(t("exception.state.replacement_in_transit"))
    } else {
        None
    }
}

/// The transport exceptions with their decisions.
fn exceptions_ui(ui: &mut egui::Ui, ctx: &AppCtx, detail: &pb::OrderDetail) -> Option<Start> {
    let mut start = None;
    ui.strong(t("orders.exceptions"));
    if detail.exceptions.is_empty() {
        ui.label(RichText::new(t("orders.no_exceptions")).weak());
        return None;
    }
    for e in &detail.exceptions {
        let pending = e.decision == pb::ExceptionDecision::Pending as i32;
        let mut title = format!(
            "{}  ·  {}  ·  {}  ·  {}",
            e.number,
            choice_label::<pb::ExceptionKind>(e.kind),
            format::money(&e.value),
            super::decision_label(e.decision),
        );
        if let Some(state) = exception_state(e) {
            title = format!("{title}  ·  {state}");
        }
        let title = if e.closed_at.is_none() {
            RichText::new(title).color(widgets::WARNING)
        } else {
            RichText::new(title)
        };
        egui::CollapsingHeader::new(title)
            .id_salt(("exception", e.id))
            .default_open(true)
            .show(ui, |ui| {
                let mut fields = vec![
                    (t("shipment.number"), e.shipment_number.clone()),
                    (
                        t("exception.reported"),
                        format!(
                            "{} {}",
                            e.reported_by,
                            format::timestamp(e.reported_at.as_ref())
                        ),
                    ),
                    (t("exception.description"), e.description.clone()),
                    (
                        t("exception.sales_rep"),
                        format::person(e.sales_rep.as_ref()),
                    ),
                ];
                if !pending {
                    fields.push((
                        t("exception.decided"),
                        format!(
                            "{} {}",
                            e.decided_by,
                            format::timestamp(e.decided_at.as_ref())
                        ),
                    ));
                    fields.push((t("exception.note"), e.note.clone()));
                }
                if !e.replacement_shipment_number.is_empty() {
                    fields.push((
                        t("exception.replacement"),
                        e.replacement_shipment_number.clone(),
                    ));
                }
                fields.push((
                    t("exception.closed"),
                    match &e.closed_at {
                        Some(at) => format::timestamp(Some(at)),
                        None => t("exception.open").to_owned(),
                    },
                ));
                widgets::fields_grid(ui, &format!("exception_fields_{}", e.id), &fields);
                let decimals = widgets::money_decimals(
                    e.lines
                        .iter()
                        .flat_map(|l| [l.unit_price.as_str(), l.amount.as_str()]),
                );
                // A trailing empty column keeps the amounts under their header: the last
                // column of a grid stretches to the panel's edge.
                egui::Grid::new(("exception_lines", e.id))
                    .num_columns(7)
                    .spacing([16.0, 2.0])
                    .striped(true)
                    .show(ui, |ui| {
                        for label in [
                            t("order.drug"),
                            t("shipment.batch_no"),
                            t("order.unit"),
                            t("exception.quantity"),
                            t("order.unit_price"),
                            t("order.amount"),
                        ] {
                            ui.strong(label);
                        }
                        ui.label("");
                        ui.end_row();
                        for l in &e.lines {
                            ui.label(crate::widgets::drug_label(&l.drug_name, &l.specification));
                            ui.label(&l.batch_no);
                            ui.label(&l.unit_label);
                            count_cell(ui, l.quantity);
                            widgets::money_cell(ui, &l.unit_price, decimals);
                            widgets::money_cell(ui, &l.amount, decimals);
                            ui.label("");
                            ui.end_row();
                        }
                    });
                if pending && ctx.can(Permission::ExceptionResolve) {
                    if ui.button(t("exception.decide")).clicked() {
                        start = Some(Start::Decide(e.id));
                    }
                } else if pending {
                    // The reporter (a CS rep) waits on the sales rep's decision.
                    let waiting = t("exception.awaits_decision_of")
                        .replace("{name}", &format::person(e.sales_rep.as_ref()));
                    ui.label(RichText::new(waiting).color(widgets::WARNING));
                }
                if super::awaits_replacement(e)
                    && ctx.can(Permission::ShipmentWrite)
                    && ui.button(t("exception.ship_replacement")).clicked()
                {
                    start = Some(Start::Replace(e.id));
                }
            });
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only an exception still open puts its lines in the warning colour: a line whose
    /// exceptions are all closed shows its units plainly.
    #[test]
    fn only_lines_an_open_exception_names_are_in_the_warning_colour() {
        let line = |order_line_id, shipment_line_id| pb::ExceptionLine {
            order_line_id,
            shipment_line_id,
            ..Default::default()
        };
        let detail = pb::OrderDetail {
            exceptions: vec![
                pb::TransportException {
                    lines: vec![line(1, 11), line(2, 12)],
                    closed_at: Some(prost_types::Timestamp::default()),
                    ..Default::default()
                },
                pb::TransportException {
                    lines: vec![line(2, 22)],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let (order_lines, shipment_lines) = open_exception_lines(&detail);
        assert_eq!(order_lines, [2].into());
        assert_eq!(shipment_lines, [22].into());
    }

    /// After a handover the order names the rep credited with it and the customer's rep
    /// now, who works it; before, the one rep once.
    #[test]
    fn a_rep_handed_the_customer_is_named_beside_the_one_on_the_order() {
        let _zh = crate::i18n::lang_switch();
        let rep = |id, name: &str| pb::UserRef {
            id,
            name: name.into(),
            ..Default::default()
        };
        let (then, now) = (rep(1, "李营销"), rep(2, "赵营销"));
        assert_eq!(
            rep_then_and_now(Some(&then), Some(&now)),
            "李营销（客户现由 赵营销 负责）"
        );
        assert_eq!(rep_then_and_now(Some(&then), Some(&then)), "李营销");
        assert_eq!(rep_then_and_now(Some(&then), None), "李营销");
    }

    /// An exception's title says whether it is still open once decided: the reship's
    /// replacement not yet shipped, shipped and on its way, or the exception closed.
    #[test]
    fn a_decided_exception_says_whether_it_is_still_open() {
        let _zh = crate::i18n::lang_switch();
        let at = prost_types::Timestamp::default();
        let reship = pb::TransportException {
            decision: pb::ExceptionDecision::Reship as i32,
            ..Default::default()
        };
        let states = [
            pb::TransportException::default(),
            reship.clone(),
            pb::TransportException {
                replacement_shipment_id: 7,
                ..reship.clone()
            },
            pb::TransportException {
                replacement_shipment_id: 7,
                closed_at: Some(at),
                ..reship
            },
            pb::TransportException {
                decision: pb::ExceptionDecision::Deduct as i32,
                closed_at: Some(at),
                ..Default::default()
            },
        ]
        .map(|e| exception_state(&e));
        assert_eq!(
            states,
            [
                None,
                Some("待补发"),
                Some("补发在途"),
                Some("已结案"),
                Some("已结案")
            ]
        );
    }

    /// A change in the order's history reads as what it did: the total, each line
    /// altered, added or removed, each field changed, an emptied field said so.
    #[test]
    fn a_change_in_the_history_says_what_it_did_to_the_lines_and_fields() {
        let _zh = crate::i18n::lang_switch();
        let line = |before: (i64, &str), after: (i64, &str)| pb::OrderLineChange {
            drug: "阿莫西林胶囊 0.25g".into(),
            unit: "盒".into(),
            quantity_before: before.0,
            quantity_after: after.0,
            unit_price_before: before.1.into(),
            unit_price_after: after.1.into(),
        };
        let event = pb::OrderEvent {
            action: "order.update".into(),
            total_before: "20.00".into(),
            total_after: "1234.94".into(),
            line_changes: vec![
                line((10, "2.00"), (4, "1.2345")),
                line((10, "2.00"), (10, "1.50")),
                line((0, ""), (3, "0.00")),
                line((5, "3.50"), (0, "")),
            ],
            field_changes: vec![pb::OrderFieldChange {
                field: "note".into(),
                before: "".into(),
                after: "改为 4 盒".into(),
            }],
            ..Default::default()
        };
        assert_eq!(
            change_texts(&event),
            [
                "订单金额：20.00 → 1,234.94",
                "阿莫西林胶囊 0.25g：10 → 4 盒，单价 2.00 → 1.2345",
                "阿莫西林胶囊 0.25g：单价 2.00 → 1.50",
                "阿莫西林胶囊 0.25g：新增 3 盒 × 0.00",
                "阿莫西林胶囊 0.25g：删除（原 5 盒 × 3.50）",
                "备注：（空） → 改为 4 盒",
            ]
        );
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let english = change_texts(&event);
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        assert_eq!(
            english[1],
            "阿莫西林胶囊 0.25g: 10 → 4 盒, unit price 2.00 → 1.2345"
        );
        assert_eq!(english[5], "Note: (none) → 改为 4 盒");
    }
}
