//! What the invoice form (登记开票) and the payment form (登记回款) share: a customer,
//! with what they owe today under it, the document's own fields and a note, then amounts
//! put on that customer's orders (the orders offered with the figure that bounds them) and
//! their total, save and close. The invoice list's order filter uses [`CustomerOrders`]
//! too.

use egui::RichText;
use pharmacrm_shared::money::{Decimal, parse_amount, to_wire};
use pharmacrm_shared::{Permission, pb};

use super::{amount_input, is_positive};
use crate::backend::{Promise, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{label_value, t, tn};
use crate::orders::CustomerPicker;
use crate::widgets::{self, FieldErrors, FormUi, Unsaved};

/// The statuses of the orders a payment or an invoice may name: those with something
/// shipped (a pending order owes nothing yet, a cancelled one never will).
const BILLABLE: [pb::OrderStatus; 3] = [
    pb::OrderStatus::PartiallyShipped,
    pb::OrderStatus::Shipped,
    pb::OrderStatus::Completed,
];

/// How many of a customer's orders the order pickers offer (newest first).
const ORDERS_OFFERED: u32 = 200;

/// The orders of one customer that a payment or an invoice may name, newest first.
#[derive(Default)]
pub(super) struct CustomerOrders {
    /// The customer whose orders are loaded (0: none).
    customer_id: i64,
    /// The newest [`ORDERS_OFFERED`] of them, with how many there are in all.
    orders: Requested<pb::SearchOrdersResponse>,
    /// Read the customer's open items too ([`marking_overdue`](Self::marking_overdue)).
    with_overdue: bool,
    /// The customer's open items (未结明细): which orders have shipments overdue.
    open_items: Requested<pb::OpenItems>,
    /// The figures changed since they were read ([`refresh`](Self::refresh)).
    stale: bool,
}

impl CustomerOrders {
    /// Loads the orders of `customer_id` unless they are those loaded already (0: none);
    /// whether they were another customer's.
    pub(super) fn load(&mut self, ctx: &AppCtx, customer_id: i64) -> bool {
        let stale = std::mem::take(&mut self.stale);
        if customer_id == self.customer_id {
            if stale {
                // The same orders read again, the choice kept: what the list shows
                // meanwhile is the figures as they were.
                self.request(ctx);
            }
            return false;
        }
        self.customer_id = customer_id;
        // Never show the orders of the customer chosen before while these load.
        self.orders = Requested::NotRequested;
        self.open_items = Requested::NotRequested;
        self.request(ctx);
        true
    }

    /// Asks for the loaded customer's orders (and open items, when marking overdue).
    fn request(&mut self, ctx: &AppCtx) {
        let customer_id = self.customer_id;
        if customer_id == 0 || !ctx.can(Permission::OrderRead) {
            return;
        }
        if self.with_overdue && ctx.can(Permission::FinanceRead) {
            self.open_items.request(
                ctx.finance()
                    .list_open_items(pb::ListOpenItemsRequest { customer_id }),
            );
        }
        self.orders
            .request(ctx.orders().search_orders(pb::SearchOrdersRequest {
                customer_id: Some(customer_id),
                statuses: BILLABLE.iter().map(|s| *s as i32).collect(),
                sort: pb::OrderSort::OrderDate as i32,
                descending: true,
                page: Some(pb::PageRequest {
                    offset: 0,
                    limit: ORDERS_OFFERED,
                }),
                ..Default::default()
            }));
    }

    /// The form's customer became `customer_id`: the orders picked in `lines` belonged to
    /// the customer chosen before, so they are cleared (amounts kept), and the new
    /// customer's orders load.
    fn switch(&mut self, ctx: &AppCtx, customer_id: i64, lines: &mut [OrderAmount]) {
        for line in lines {
            line.order_id = 0;
        }
        self.load(ctx, customer_id);
    }

    pub(super) fn poll(&mut self) {
        self.orders.poll();
        self.open_items.poll();
    }

    /// These orders, marked by how overdue their shipments are (a payment's order
    /// picker: finance pays what is overdue first, and it was listed last, unmarked).
    pub(super) fn marking_overdue(self) -> Self {
        CustomerOrders {
            with_overdue: true,
            ..self
        }
    }

    /// Order `id`'s number, once the orders have come.
    pub(super) fn number(&self, id: i64) -> Option<&str> {
        self.orders
            .value()
            .into_iter()
            .flat_map(|r| &r.orders)
            .find(|o| o.id == id)
            .map(|o| o.number.as_str())
    }

    /// Reads the orders again on the next [`load`](Self::load) of the same customer: a
    /// document saved changed their figures (未开票, 欠款), which the pickers offer.
    pub(super) fn refresh(&mut self) {
        self.stale = true;
    }

    /// The most days any open shipment of each order is overdue (orders with none left
    /// out), once the open items have come.
    fn days_overdue(&self) -> std::collections::HashMap<i64, i32> {
        let mut days = std::collections::HashMap::new();
        for item in self.open_items.value().into_iter().flat_map(|o| &o.items) {
            if item.days_overdue > 0 {
                let most = days.entry(item.order_id).or_insert(0);
                *most = item.days_overdue.max(*most);
            }
        }
        days
    }

    /// The orders as picker options: "SO20261130-0001  2026-11-30  未结：384.00", with
    /// `figure`, newest first; when [`marking_overdue`](Self::marking_overdue) (a
    /// payment's), those overdue marked "逾期 20 天" and listed first, the most overdue
    /// first, then the rest oldest first: the order a payment is put on them.
    pub(super) fn options(&self, figure: OrderFigure) -> Vec<(i64, String)> {
        let overdue = self.days_overdue();
        let mut options: Vec<(i32, i64, String)> = self
            .orders
            .value()
            .into_iter()
            .flat_map(|r| &r.orders)
            .map(|o| {
                let mut text = format!(
                    "{}  {}  {}",
                    o.number,
                    o.order_date,
                    label_value(figure.label(), &format::money(figure.of(o)))
                );
                let days = overdue.get(&o.id).copied().unwrap_or(0);
                if days > 0 {
                    text.push_str("  ");
                    text.push_str(&t("finance.order_overdue").replace("{n}", &days.to_string()));
                }
                (days, o.id, text)
            })
            .collect();
        if self.with_overdue {
            options.reverse();
        }
        options.sort_by_key(|(days, _, _)| std::cmp::Reverse(*days));
        options
            .into_iter()
            .map(|(_, id, text)| (id, text))
            .collect()
    }

    /// Whether any order loaded has something to put on it by `figure`.
    fn offers_any(&self, figure: OrderFigure) -> bool {
        self.orders
            .value()
            .into_iter()
            .flat_map(|r| &r.orders)
            .any(|o| is_positive(figure.of(o)))
    }

    /// Whether the customer's orders have come.
    fn is_loaded(&self) -> bool {
        self.orders.value().is_some()
    }

    /// What the loaded orders come to by `figure` (CNY, as the wire writes it), how many
    /// have something by it, and whether older orders were left unloaded (more than
    /// [`ORDERS_OFFERED`]): what the customer has left to invoice (or owes on orders) in
    /// all, once the orders have come.
    fn figure_total(&self, figure: OrderFigure) -> Option<(String, u64, bool)> {
        let loaded = self.orders.value()?;
        let more = loaded.total > loaded.orders.len() as u64;
        let amounts: Vec<Decimal> = loaded
            .orders
            .iter()
            .filter_map(|o| parse_amount(figure.of(o)).ok())
            .filter(|a| *a > Decimal::ZERO)
            .collect();
        Some((to_wire(&amounts.iter().sum()), amounts.len() as u64, more))
    }

    /// Order `id`'s `figure` as an amount to type (`"384.00"`), if it is loaded and more
    /// than zero (nothing to put on it otherwise).
    fn figure(&self, figure: OrderFigure, id: i64) -> Option<String> {
        self.orders
            .value()?
            .orders
            .iter()
            .find(|o| o.id == id)
            .map(|o| figure.of(o).to_owned())
            .filter(|amount| is_positive(amount))
    }
}

/// The figure of an order that a form offers, and puts on the order once picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OrderFigure {
    /// What is still owed on it (未结): at most this can be allocated to it.
    Outstanding,
    /// Its shipments less deductions not yet invoiced (未开票): at most this an invoice
    /// may cover.
    NotInvoiced,
    /// What of that an invoice from this invoicing entity may cover: what was shipped
    /// under it and not yet invoiced by it (none when nothing was shipped under it).
    NotInvoicedBy(i64),
}

impl OrderFigure {
    fn label(self) -> &'static str {
        match self {
            OrderFigure::Outstanding => t("finance.order_outstanding"),
            OrderFigure::NotInvoiced | OrderFigure::NotInvoicedBy(_) => {
                t("finance.order_not_invoiced")
            }
        }
    }

    /// "More than the order takes" (`open`, what it takes, as shown), said under a row's
    /// amount as it is typed.
    fn over(self, open: &str) -> String {
        let text = match self {
            OrderFigure::Outstanding => t("finance.over_outstanding"),
            OrderFigure::NotInvoiced | OrderFigure::NotInvoicedBy(_) => {
                t("finance.over_not_invoiced")
            }
        };
        text.replace("{open}", open)
    }

    fn of(self, o: &pb::Order) -> &str {
        match self {
            OrderFigure::Outstanding => &o.outstanding,
            OrderFigure::NotInvoiced => &o.not_invoiced,
            OrderFigure::NotInvoicedBy(entity) => o
                .not_invoiced_by_entity
                .iter()
                .find(|e| e.invoicing_entity_id == entity)
                .map_or("0.00", |e| &e.amount),
        }
    }
}

/// An amount put on an order, as typed: a payment's allocation or an invoice's order.
#[derive(Clone, Debug, PartialEq, Default)]
struct OrderAmount {
    /// 0 until an order is chosen.
    order_id: i64,
    amount: String,
    /// The amount is the picked order's figure, put there by the form: picking another
    /// order replaces it (an amount the user typed is kept).
    filled: bool,
}

/// The sum of the amounts that read as amounts (`1,000` too; `600.005`, with a third
/// decimal, does not) on the rows of `lines` with an order chosen, CNY: what an invoice
/// comes to, what a payment puts on orders.
fn rows_sum<'a>(lines: impl IntoIterator<Item = &'a OrderAmount>) -> Decimal {
    lines
        .into_iter()
        .filter(|l| l.order_id != 0)
        .filter_map(|l| parse_amount(&amount_input(&l.amount)).ok())
        .sum()
}

/// What of `amount` (CNY: a payment's) the rows other than row `except` leave to put on
/// orders: `None` when nothing is left (or the amount does not read).
fn left_to_spread(
    amount: Option<Decimal>,
    lines: &[OrderAmount],
    except: usize,
) -> Option<Decimal> {
    let others = (lines.iter().enumerate())
        .filter(|(j, _)| *j != except)
        .map(|(_, l)| l);
    let left = amount? - rows_sum(others);
    (left > Decimal::ZERO).then_some(left)
}

/// The rows of (order, amount) of a form, each with a delete button, their total labelled
/// `total`, and a button adding one. With `spread` (a payment's amount, CNY), an order
/// picked is filled with what of it the other rows leave, at most the order's figure, and
/// what is left of it is said under the total. The server names their fields
/// `{list}[{i}].order_id` and `{list}[{i}].amount`, `i` the row's position (every row is
/// sent). Whether Enter was pressed in an amount
/// (it submits the form, as in the fields above).
fn order_amounts_ui(
    ui: &mut egui::Ui,
    id: &str,
    lines: &mut Vec<OrderAmount>,
    (orders, figure, spread): (&CustomerOrders, OrderFigure, Option<Decimal>),
    (list, total): (&str, &str),
    errors: &mut FieldErrors,
) -> bool {
    let options = orders.options(figure);
    let mut submitted = false;
    // The orders picked on each row: a row is offered those with something to put on them
    // not picked on another row (and its own).
    let picked: Vec<i64> = lines.iter().map(|l| l.order_id).collect();
    // What of the payment each row may take before it is drawn (as of the frame's start).
    let left: Vec<Option<Decimal>> = (0..lines.len())
        .map(|i| left_to_spread(spread, lines, i))
        .collect();
    let mut remove = None;
    if !lines.is_empty() {
        widgets::table(ui, id, |ui| {
            egui::Grid::new((id, "grid"))
                .num_columns(3)
                .spacing([12.0, 4.0])
                .striped(true)
                .show(ui, |ui| {
                    let order_header = ui.strong(t("finance.order"));
                    let amount_header = ui.strong(t("finance.amount"));
                    ui.label("");
                    ui.end_row();
                    for (i, line) in lines.iter_mut().enumerate() {
                        // A row's complaints go under it, each after its column's name;
                        // its cells keep to its top.
                        let row_start = ui.cursor().min;
                        ui.vertical(|ui| {
                            // Grid cells are as narrow as last frame's column: each input
                            // claims its width.
                            ui.set_min_width(380.0);
                            let field = format!("{list}[{i}].order_id");
                            let row_options: Vec<(i64, String)> = options
                                .iter()
                                .filter(|(id, _)| {
                                    *id == line.order_id
                                        || (orders.figure(figure, *id).is_some()
                                            && !picked
                                                .iter()
                                                .enumerate()
                                                .any(|(j, p)| j != i && p == id))
                                })
                                .cloned()
                                .collect();
                            let response = widgets::combo_box(
                                ui,
                                &format!("{id}_order_{i}"),
                                &mut line.order_id,
                                &row_options,
                                380.0,
                            )
                            .labelled_by(order_header.id);
                            if response.changed() {
                                errors.edited(&field);
                                errors.set_local(&field, None);
                                // Nothing of the payment left for it: no amount put in
                                // (the order's whole would pass the payment).
                                let spent = spread.is_some() && left[i].is_none();
                                if spent && line.filled {
                                    // The figure of the order picked before.
                                    line.amount.clear();
                                    line.filled = false;
                                }
                                if (line.filled || line.amount.trim().is_empty())
                                    && !spent
                                    && let Some(amount) = orders.figure(figure, line.order_id)
                                {
                                    // No more than the payment has left for it.
                                    let capped = (left[i].zip(parse_amount(&amount).ok()))
                                        .filter(|(left, open)| left < open)
                                        .map(|(left, _)| to_wire(&left));
                                    line.amount = capped.unwrap_or(amount);
                                    line.filled = true;
                                    errors.edited(&format!("{list}[{i}].amount"));
                                }
                            }
                        });
                        ui.vertical(|ui| {
                            ui.set_min_width(120.0);
                            let field = format!("{list}[{i}].amount");
                            let mut edit = egui::TextEdit::singleline(&mut line.amount)
                                .desired_width(120.0)
                                .show(ui);
                            // An amount the form filled in is selected on entering it, so
                            // that what is typed replaces it instead of extending it.
                            if edit.response.gained_focus() && line.filled {
                                edit.state.cursor.set_char_range(Some(
                                    egui::text::CCursorRange::select_all_str(&line.amount),
                                ));
                                edit.state.store(ui.ctx(), edit.response.id);
                            }
                            let response = edit.response.response.labelled_by(amount_header.id);
                            if response.changed() {
                                errors.edited(&field);
                                // A complaint about the rows' sum no longer holds either.
                                errors.edited(list);
                                line.filled = false;
                            }
                            // More than the order takes is said as it is typed, with the
                            // sum's complaint, not only after the next save.
                            let open = orders.figure(figure, line.order_id);
                            let typed = parse_amount(&amount_input(&line.amount)).ok();
                            let over = open.filter(|open| {
                                typed
                                    .zip(parse_amount(open).ok())
                                    .is_some_and(|(t, o)| t > o)
                            });
                            errors.set_local(
                                &field,
                                over.map(|open| figure.over(&format::money(&open))),
                            );
                            submitted |= widgets::entered(ui, &response);
                        });
                        ui.vertical(|ui| {
                            if widgets::row_remove_button(ui, t("common.delete"), false, None) {
                                remove = Some(i);
                            }
                            // Across the row ("more than is open on SO…" is a sentence
                            // the amount's column is too narrow for).
                            errors.row_complaints_ui(
                                ui,
                                row_start,
                                &[],
                                &[
                                    (t("finance.order"), Some(format!("{list}[{i}].order_id"))),
                                    (t("finance.amount"), Some(format!("{list}[{i}].amount"))),
                                ],
                            );
                        });
                        ui.end_row();
                    }
                });
        });
    }
    errors.remove_row(list, lines, remove);
    // Past the payment is said only while there are rows and an amount to pass: the last
    // row removed, or the amount cleared, takes it away.
    let mut past = None;
    if !lines.is_empty() {
        let put = rows_sum(lines.iter());
        ui.strong(label_value(total, &format::money(&to_wire(&put))));
        // What of the payment the rows leave (for the oldest due, then on account), or
        // that they take more than it, as it is typed: a line kept while there are rows,
        // so that nothing below moves as the amounts change.
        if let Some(rest) = spread.map(|amount| amount - put) {
            let said = |key: &str, amount: Decimal| {
                t(key).replace("{amount}", &format::money(&to_wire(&amount)))
            };
            // Past it, the complaint under the rows says so (once: the server's, on a
            // save, takes its place), where this line stood.
            let line = match rest {
                r if r > Decimal::ZERO => Some(said("payment.left_to_allocate", r)),
                r if r < Decimal::ZERO => {
                    past = Some(said("payment.allocated_past", -r));
                    None
                }
                _ => Some(t("payment.all_allocated").to_owned()),
            };
            if let Some(line) = line {
                ui.label(RichText::new(line).weak());
            }
        }
    }
    errors.set_local(list, past);
    errors.field_ui(ui, list);
    // A row is offered only while an order is left to put on it (a row with nothing to
    // choose from was added, and refused as 必填).
    let unpicked = options
        .iter()
        .filter(|(id, _)| orders.figure(figure, *id).is_some() && !picked.contains(id))
        .count();
    // Rows still waiting for their order count against those left (5 rows were offered
    // for 4 orders).
    let waiting = picked.iter().filter(|id| **id == 0).count();
    // Not before the orders have come: a list opened empty did not answer a click on the
    // orders that filled it meanwhile.
    let left = orders.is_loaded() && unpicked > waiting;
    let why = if orders.is_loaded() {
        t("finance.no_order_left")
    } else {
        t("common.loading")
    };
    let add = ui.add_enabled(left, egui::Button::new(t("finance.add_order")));
    if add.on_disabled_hover_text(why).clicked() {
        lines.push(OrderAmount::default());
        errors.edited(list);
    }
    submitted
}

// ---------------------------------------------------------------------------------------
// The form

/// A document as typed: its customer, its own fields `F`, a note and its order rows.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Draft<F> {
    /// 0 until a customer is chosen.
    pub customer_id: i64,
    pub fields: F,
    pub note: String,
    orders: Vec<OrderAmount>,
}

impl<F> Draft<F> {
    /// The note as sent (trimmed).
    pub fn note(&self) -> String {
        self.note.trim().to_owned()
    }

    /// The request rows of the order rows: `row(order_id, amount)`, every row sent (the
    /// server names a row's fields by its position), the amount as [`amount_input`] reads it.
    pub fn order_rows<T>(&self, row: impl Fn(i64, String) -> T) -> Vec<T> {
        self.orders
            .iter()
            .map(|l| row(l.order_id, amount_input(&l.amount)))
            .collect()
    }
}

/// What one kind of document puts in the shared frame: its texts (translated) and the
/// figure its orders are offered with.
pub(super) struct Document {
    /// The egui id of its form.
    pub id: &'static str,
    pub heading: &'static str,
    pub save: &'static str,
    /// The heading of its order rows, and a hint under it.
    pub orders: &'static str,
    pub orders_hint: Option<&'static str>,
    /// The request's field of the rows, as the server names their errors
    /// (`orders[0].amount`).
    pub orders_field: &'static str,
    /// The label of the rows' total (开票金额合计, 分配合计).
    pub orders_total: &'static str,
    pub figure: OrderFigure,
    /// The rows are drawn only for those with this permission (a payment may go on account
    /// without them); none: always.
    pub orders_permission: Option<Permission>,
}

/// What the form's frame ended with.
pub(super) enum FormEvent<T> {
    /// The document was recorded.
    Saved(T),
    /// The user asked to close the form (the tab asks first if it holds input).
    Close,
}

/// A document form: a customer, the fields `F`, a note, amounts on the customer's orders;
/// saving it records a `T`.
pub(super) struct AmountsForm<F, T> {
    pub draft: Draft<F>,
    /// The blank form, to tell whether it holds input.
    pub original: Draft<F>,
    customer: CustomerPicker,
    orders: CustomerOrders,
    /// What the chosen customer owes today: their statement of today, as (customer, it).
    balance: Requested<(i64, pb::Statement)>,
    errors: FieldErrors,
    save: Requested<T>,
}

impl<F: PartialEq, T> Unsaved for AmountsForm<F, T> {
    /// Whether the document differs from the blank form.
    fn is_dirty(&self) -> bool {
        self.draft != self.original
    }
}

impl<F: Clone + PartialEq, T: Clone + Send + 'static> AmountsForm<F, T> {
    /// The same form, its order picker marking the orders overdue and listing them first
    /// ([`CustomerOrders::marking_overdue`]): a payment's.
    pub fn marking_overdue(self) -> Self {
        AmountsForm {
            orders: self.orders.marking_overdue(),
            ..self
        }
    }

    /// The form with `customer` (id, name: the list's filter) chosen to start with, as
    /// untouched input: closing it asks nothing.
    pub fn for_customer(mut self, customer: Option<(i64, String)>) -> Self {
        // The picker's choice reaches the draft on the first frame (its orders and
        // balance load then), when it equals the original.
        self.original.customer_id = customer.as_ref().map_or(0, |(id, _)| *id);
        self.customer.chosen = customer;
        self
    }

    /// A blank form whose own fields start as `fields`.
    pub fn new(fields: F) -> Self {
        let draft = Draft {
            customer_id: 0,
            fields,
            note: String::new(),
            orders: Vec::new(),
        };
        AmountsForm {
            original: draft.clone(),
            draft,
            customer: CustomerPicker::default(),
            orders: CustomerOrders::default(),
            balance: Requested::NotRequested,
            errors: FieldErrors::default(),
            save: Requested::NotRequested,
        }
    }

    /// Draws `doc`'s form: the customer, `fields` (drawn between it and the note), the
    /// order rows, save and close. Saving asks `record` for the call.
    /// `spread`: the amount the rows share (a payment's, as typed; `None` for an invoice,
    /// whose amount is theirs).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        (doc, spread): (&Document, Option<Decimal>),
        fields: impl FnOnce(&mut FormUi<'_>, &mut F),
        record: impl FnOnce(&Draft<F>) -> Promise<T>,
    ) -> Option<FormEvent<T>> {
        if self.errors.poll(&mut self.save)
            && let Some(saved) = self.save.value()
        {
            self.original = self.draft.clone();
            return Some(FormEvent::Saved(saved.clone()));
        }
        self.orders.poll();
        self.balance.poll();
        ui.heading(doc.heading);
        let busy = self.save.is_pending();
        let (save, close) = widgets::button_bar(ui, &format!("{}_buttons", doc.id), |ui| {
            ui.horizontal(|ui| {
                let pressed = widgets::form_buttons(ui, doc.save, t("common.close"), busy);
                self.errors.refused_ui(ui, self.save.error());
                pressed
            })
            .inner
        });
        let mut submitted = false;
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                submitted = self.fields_ui(ui, ctx, doc.id, fields);
                ui.add_space(6.0);
                if doc.orders_permission.is_none_or(|p| ctx.can(p)) {
                    ui.strong(doc.orders);
                    if let Some(hint) = doc.orders_hint {
                        ui.label(RichText::new(hint).weak());
                    }
                    if self.draft.customer_id == 0 {
                        ui.label(RichText::new(t("finance.pick_customer_first")).weak());
                    } else {
                        if let Some((total, count, more)) = self.orders.figure_total(doc.figure) {
                            // What there is to put on the orders in all (未开票合计 for an
                            // invoice: the customer's arrears said nothing of it).
                            let key = if more {
                                "finance.orders_figure_total_newest"
                            } else {
                                "finance.orders_figure_total"
                            };
                            ui.label(
                                tn(key, count)
                                    .replace("{figure}", doc.figure.label())
                                    .replace("{amount}", &format::money(&total))
                                    .replace("{offered}", &ORDERS_OFFERED.to_string()),
                            );
                        }
                        submitted |= order_amounts_ui(
                            ui,
                            &format!("{}_orders", doc.id),
                            &mut self.draft.orders,
                            (&self.orders, doc.figure, spread),
                            (doc.orders_field, doc.orders_total),
                            &mut self.errors,
                        );
                    }
                }
            });
        if (save || submitted) && !busy {
            self.save.request(record(&self.draft));
        }
        close.then_some(FormEvent::Close)
    }

    /// The customer chosen (0 before one is).
    pub fn customer_id(&self) -> i64 {
        self.draft.customer_id
    }

    /// Whether the customer's orders offer anything by `figure` (none before a customer is
    /// chosen).
    pub fn offers_orders(&self, figure: OrderFigure) -> bool {
        self.orders.offers_any(figure)
    }

    /// The figure the orders are offered with became `figure` (the invoice's entity
    /// changed): an amount the form filled in becomes the new figure (one the user typed is
    /// kept); a picked order the new figure offers nothing on stays, its filled amount
    /// cleared, with `nothing` said under it. `list` names the rows' fields, as in
    /// [`Document::orders_field`].
    pub fn refigure(&mut self, figure: OrderFigure, list: &str, nothing: &str) {
        for (i, line) in self.draft.orders.iter_mut().enumerate() {
            if line.order_id == 0 {
                continue;
            }
            let field = format!("{list}[{i}].order_id");
            let complaint = match self.orders.figure(figure, line.order_id) {
                Some(amount) => {
                    if line.filled {
                        line.amount = amount;
                    }
                    None
                }
                None => {
                    if line.filled {
                        line.amount.clear();
                        line.filled = false;
                    }
                    Some(nothing.to_owned())
                }
            };
            self.errors.set_local(&field, complaint);
            self.errors.edited(&field);
            self.errors.edited(&format!("{list}[{i}].amount"));
        }
    }

    /// The chosen customer's sales rep by name, from their balance once it has come;
    /// empty before (or for those who may not read statements).
    pub fn customer_sales_rep(&self) -> &str {
        match self.balance.value() {
            Some((of, statement)) if *of == self.draft.customer_id => statement
                .customers
                .first()
                .map_or("", |c| c.sales_rep.as_str()),
            _ => "",
        }
    }

    /// What the chosen customer owes today (CNY), from their balance once it has come;
    /// `None` before (or for those who may not read statements).
    pub fn customer_outstanding(&self) -> Option<Decimal> {
        match self.balance.value() {
            Some((of, statement)) if *of == self.draft.customer_id => Some(
                statement
                    .customers
                    .first()
                    .and_then(|c| c.ageing.as_ref())
                    .map_or(Decimal::ZERO, |a| a.outstanding.parse().unwrap_or_default()),
            ),
            _ => None,
        }
    }

    /// Asks for what the chosen customer owes today (their statement of today, ageing
    /// as of today), for those who may read statements; nothing before a customer is
    /// chosen.
    fn load_balance(&mut self, ctx: &AppCtx) {
        let customer_id = self.draft.customer_id;
        self.balance = Requested::NotRequested;
        if customer_id == 0 || !ctx.can(Permission::FinanceRead) {
            return;
        }
        let today = format::business_today_text();
        self.balance.request(
            ctx.finance()
                .get_statement(pb::StatementRequest {
                    customer_id: Some(customer_id),
                    date_from: today.clone(),
                    date_to: today,
                    handler_id: None,
                })
                .map(move |s| (customer_id, s)),
        );
    }

    /// The customer, `fields` and the note; whether Enter was pressed in one of them.
    fn fields_ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        id: &str,
        fields: impl FnOnce(&mut FormUi<'_>, &mut F),
    ) -> bool {
        let picker = &mut self.customer;
        let draft = &mut self.draft;
        let balance = &self.balance;
        let mut customer_changed = false;
        let response = widgets::form(ui, id, &mut self.errors, |f| {
            f.required(&["customer_id"]);
            customer_changed = picker.row(f, t("finance.customer"), ctx, &mut draft.customer_id);
            // In full size: the figure the user keys the document against. Its row is
            // there before a customer is chosen and while it loads, so that the fields
            // below do not move when it comes (a click meant for 回款金额 landed on 日历).
            match balance.value() {
                Some((of, statement)) if *of == draft.customer_id => f.extra(|ui| {
                    ui.label(balance_text(statement));
                }),
                _ if ctx.can(Permission::FinanceRead) && balance.error().is_none() => {
                    let waiting = if draft.customer_id == 0 {
                        t("finance.balance_after_pick")
                    } else {
                        "…"
                    };
                    f.extra(|ui| {
                        ui.weak(waiting);
                    });
                }
                _ => {}
            }
            fields(f, &mut draft.fields);
            f.multiline(t("finance.note"), "note", &mut draft.note);
        });
        if customer_changed {
            self.orders
                .switch(ctx, self.draft.customer_id, &mut self.draft.orders);
            self.load_balance(ctx);
            // "Nothing on this order for this entity": the orders are gone from the rows.
            self.errors.clear_local();
        }
        response.submitted
    }
}

/// What a customer owes today, from their statement of today (see [`super::owes_text`]).
fn balance_text(statement: &pb::Statement) -> String {
    match statement.customers.first().and_then(|c| c.ageing.as_ref()) {
        Some(ageing) => super::owes_text(ageing),
        None => t("finance.owes_nothing").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{
        CustomerOrders, Decimal, OrderAmount, OrderFigure, left_to_spread, rows_sum, to_wire,
    };
    use crate::backend::{Promise, Requested};
    use pharmacrm_shared::pb;

    fn answered<T: Send + 'static>(value: T) -> Requested<T> {
        let mut requested = Requested::default();
        requested.request(Promise::answered(Ok(value)));
        requested.poll();
        requested
    }

    /// A payment's order picker lists what is overdue first, most overdue first, then the
    /// rest oldest first (the order a payment is put on them); an invoice's, newest first.
    #[test]
    fn a_payments_orders_come_overdue_first_then_oldest_first() {
        let _zh = crate::i18n::lang_switch();
        let order = |id, number: &str| pb::Order {
            id,
            number: number.into(),
            outstanding: "10.00".into(),
            ..Default::default()
        };
        // As the server answers: newest first.
        let orders = pb::SearchOrdersResponse {
            orders: vec![
                order(4, "SO4"),
                order(3, "SO3"),
                order(2, "SO2"),
                order(1, "SO1"),
            ],
            ..Default::default()
        };
        let overdue = |order_id, days_overdue| pb::OpenItem {
            order_id,
            days_overdue,
            ..Default::default()
        };
        let picked = |c: &CustomerOrders| -> Vec<i64> {
            c.options(OrderFigure::Outstanding)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        let payment = CustomerOrders {
            orders: answered(orders.clone()),
            with_overdue: true,
            open_items: answered(pb::OpenItems {
                items: vec![overdue(1, 30), overdue(3, 5)],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(picked(&payment), [1, 3, 2, 4]);
        assert!(
            payment.options(OrderFigure::Outstanding)[0]
                .1
                .contains("逾期 30 天")
        );
        let invoice = CustomerOrders {
            orders: answered(orders),
            ..Default::default()
        };
        assert_eq!(picked(&invoice), [4, 3, 2, 1]);
    }

    #[test]
    fn a_payment_leaves_each_row_what_the_others_do_not_take() {
        let row = |order_id, amount: &str| OrderAmount {
            order_id,
            amount: amount.into(),
            filled: false,
        };
        let rows = [row(1, "914.00"), row(2, "")];
        let payment = Some(Decimal::new(143_450, 2));
        // The second row may take the 520.50 the first leaves, not the order's 521.00.
        assert_eq!(
            left_to_spread(payment, &rows, 1).map(|d| to_wire(&d)),
            Some("520.50".to_owned())
        );
        // The first, what the second (empty) leaves: all of it.
        assert_eq!(
            left_to_spread(payment, &rows, 0).map(|d| to_wire(&d)),
            Some("1434.50".to_owned())
        );
        // Nothing left, or no amount typed: nothing to cap by.
        let full = [row(1, "1,434.50"), row(2, "")];
        assert_eq!(left_to_spread(payment, &full, 1), None);
        assert_eq!(left_to_spread(None, &rows, 1), None);
    }

    #[test]
    fn the_rows_total_sums_what_reads_as_an_amount_on_rows_with_an_order() {
        let row = |order_id, amount: &str| OrderAmount {
            order_id,
            amount: amount.into(),
            ..OrderAmount::default()
        };
        // A third decimal is refused under its row, not added; a row without an order
        // counts for nothing.
        let rows = [
            row(1, "1,000.50"),
            row(2, "600.005"),
            row(0, "7"),
            row(3, "0.5"),
        ];
        assert_eq!(to_wire(&rows_sum(&rows)), "1001.00");
    }
}
