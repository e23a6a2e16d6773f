//! 应收核销 in a customer's 未结明细: finance writes off what will not be paid on a
//! shipment (a bank charge kept from a transfer, a bad debt, a small balance), with a
//! reason, and reverses a write-off made by mistake; the customer's write-offs (核销记录)
//! are listed under the open items. 财务 › 核销 is the register of every customer's, by
//! period, kind and customer, with what they take off now. Writing off and reversing need
//! `finance.write_off`; the lists are read by whoever reads the open items.

use egui::RichText;
use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{Permission, pb};

use crate::backend::{OffsetPaged, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{label_value, t};
use crate::orders::CustomerPicker;
use crate::reports::export::ExportBar;
use crate::widgets::{
    self, Cell, DataTable, DialogAnswer, FieldErrors, TableColumn, cells, choice_label, row_styles,
};

crate::choice!(pb::WriteOffReason {
    BankFee => t("write_off.reason.bank_fee"),
    SmallBalance => t("write_off.reason.small_balance"),
    BadDebt => t("write_off.reason.bad_debt"),
    Other => t("write_off.reason.other"),
});

/// The write-off dialog: the shipment picked, the amount, the kind and why.
#[derive(Clone, Debug, PartialEq)]
struct WriteOffDialog {
    shipment_id: i64,
    amount: String,
    reason_kind: i32,
    reason: String,
}

/// The dialog reversing write-off `id` (at `version`), and why.
#[derive(Clone, Debug, PartialEq)]
struct ReverseDialog {
    id: i64,
    version: i32,
    number: String,
    amount: String,
    reason: String,
}

/// What was done last, said: 已核销 WO… 0.50, or 已撤销核销 WO….
fn done_text((w, reversed): &(pb::WriteOff, bool)) -> String {
    if *reversed {
        t("write_off.reversed_done").replace("{number}", &w.number)
    } else {
        t("write_off.done")
            .replace("{number}", &w.number)
            .replace("{amount}", &crate::format::money(&w.amount))
    }
}

/// Rows a page.
const PAGE: u32 = 50;

/// The write-offs asked for: the filters as sent.
#[derive(Clone, Debug, PartialEq, Default)]
struct Key {
    customer_id: Option<i64>,
    date_from: String,
    date_to: String,
    reason_kind: i32,
}

impl Key {
    /// What the list asks for, a page of it (`None`: every match, exported).
    fn request(&self, page: Option<pb::PageRequest>) -> pb::ListWriteOffsRequest {
        pb::ListWriteOffsRequest {
            customer_id: self.customer_id,
            date_from: self.date_from.clone(),
            date_to: self.date_to.clone(),
            reason_kind: self.reason_kind,
            page,
        }
    }
}

/// Write-offs (a customer's, or the register's matches) and the dialogs making and
/// reversing them.
#[derive(Default)]
pub struct WriteOffs {
    key: Key,
    list: OffsetPaged<Key, pb::ListWriteOffsResponse>,
    /// The write-off whose reversal the list offers.
    selected: Option<i64>,
    dialog: Option<WriteOffDialog>,
    errors: FieldErrors,
    writing: Requested<pb::WriteOff>,
    reverse: Option<ReverseDialog>,
    reverse_errors: FieldErrors,
    reversing: Requested<pb::WriteOff>,
    /// What was done last here (the write-off, and whether it was the reversal), said
    /// above the list in the language of the moment.
    done: Option<(pb::WriteOff, bool)>,
}

impl WriteOffs {
    /// Reads customer `customer_id`'s write-offs again.
    pub fn reload(&mut self, customer_id: i64) {
        if self.key.customer_id != Some(customer_id) {
            self.selected = None;
            self.done = None;
        }
        self.key.customer_id = Some(customer_id);
        self.list.refresh();
    }

    /// Whether a dialog holds what the user typed.
    pub fn is_dirty(&self) -> bool {
        self.dialog
            .as_ref()
            .is_some_and(|d| !d.reason.trim().is_empty())
            || self
                .reverse
                .as_ref()
                .is_some_and(|d| !d.reason.trim().is_empty())
    }

    /// Polls the calls; `true` the frame a write-off or a reversal is saved (what the
    /// customer owes changed: the caller reads the open items again).
    pub fn poll(&mut self, ctx: &AppCtx) -> bool {
        let mut changed = false;
        if self.errors.poll(&mut self.writing) {
            if let Some(w) = self.writing.value() {
                self.done = Some((w.clone(), false));
            }
            self.dialog = None;
            changed = true;
        }
        if self.reverse_errors.poll(&mut self.reversing) {
            if let Some(w) = self.reversing.value() {
                self.done = Some((w.clone(), true));
            }
            self.reverse = None;
            changed = true;
        }
        if changed {
            self.list.refresh();
        }
        self.list.poll(self.key.clone(), PAGE, |key, page| {
            ctx.finance().list_write_offs(key.request(Some(page)))
        });
        changed
    }

    /// 应收核销… (for those who may) and the customer's write-offs, under its open items
    /// `open`.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, open: Option<&pb::OpenItems>) {
        let may_write_off = ctx.can(Permission::FinanceWriteOff);
        let owed: Vec<&pb::OpenItem> = open
            .map(|o| {
                o.items
                    .iter()
                    .filter(|i| super::is_positive(&i.outstanding))
                    .collect()
            })
            .unwrap_or_default();
        ui.add_space(8.0);
        if may_write_off {
            let button = ui
                .add_enabled(!owed.is_empty(), egui::Button::new(t("write_off.open")))
                .on_hover_text(t("write_off.open_hover"))
                .on_disabled_hover_text(t("write_off.nothing_owed"));
            if button.clicked()
                && let Some(first) = owed.first()
            {
                self.errors = FieldErrors::default();
                // The amount is typed, never offered: a fee of 0.50 is not the 914.00 the
                // shipment owes, and one click too many wrote the whole of it off.
                self.dialog = Some(WriteOffDialog {
                    shipment_id: first.shipment_id,
                    amount: String::new(),
                    reason_kind: 0,
                    reason: String::new(),
                });
            }
        }
        if let Some(done) = &self.done {
            ui.label(RichText::new(done_text(done)).color(widgets::SUCCESS));
        }
        let any = self.list.answer().is_some_and(|l| !l.write_offs.is_empty());
        if any {
            ui.add_space(6.0);
            ui.strong(t("write_off.list"));
            self.list_ui(ui, may_write_off, false, None);
        }
        self.dialog_ui(ui.ctx(), ctx, &owed);
        self.reverse_ui(ui.ctx(), ctx);
    }

    /// The write-offs asked for (with their customer when `show_customer`), `max_height`
    /// points at most, their total in effect, a pager, and 撤销核销… for the one picked
    /// when `may_reverse`.
    fn list_ui(
        &mut self,
        ui: &mut egui::Ui,
        may_reverse: bool,
        show_customer: bool,
        max_height: Option<f32>,
    ) {
        let (rows, total, in_effect) = self
            .list
            .answer()
            .map(|l| (l.write_offs.clone(), l.total, l.total_in_effect.clone()))
            .unwrap_or_default();
        if show_customer && !in_effect.is_empty() {
            super::totals_line(ui, &[(t("write_off.total_in_effect"), in_effect.as_str())]);
        }
        let text = |f: fn(&pb::WriteOff) -> String| cells(&rows, f);
        let mut columns = vec![
            TableColumn::text(t("write_off.number"), text(|w| w.number.clone())),
            TableColumn::text(t("write_off.date"), text(|w| w.write_off_date.clone())),
            TableColumn::money(t("write_off.amount"), text(|w| w.amount.clone())),
            // Beside the amount it qualifies, in sight in a narrow window.
            TableColumn::text(
                t("write_off.status"),
                rows.iter()
                    .map(|w| {
                        if w.reversed {
                            let said = label_value(t("write_off.reversed"), &w.reversal_date);
                            Cell::coloured(said.clone(), Some(widgets::ERROR)).with_hover(format!(
                                "{said}\n{}：{}",
                                w.reversed_by, w.reversal_reason
                            ))
                        } else if let Some(back) = taken_back(w) {
                            // A deduction since took part of it back: less was owed.
                            Cell::new(
                                t("write_off.taken_back")
                                    .replace("{amount}", &crate::format::money(&back.to_string())),
                            )
                        } else {
                            Cell::new(t("write_off.standing"))
                        }
                    })
                    .collect(),
            ),
            TableColumn::text(
                t("write_off.reason_kind"),
                text(|w| choice_label::<pb::WriteOffReason>(w.reason_kind).to_owned()),
            ),
            TableColumn::text(
                t("write_off.reason"),
                rows.iter()
                    .map(|w| Cell::new(w.reason.clone()).with_hover(w.reason.clone()))
                    .collect(),
            ),
            TableColumn::text(t("shipment.number"), text(|w| w.shipment_number.clone())),
            TableColumn::text(t("order.number"), text(|w| w.order_number.clone())),
            TableColumn::text(t("write_off.by"), text(|w| w.created_by.clone())),
        ];
        if show_customer {
            columns.insert(
                2,
                TableColumn::text(t("finance.customer"), text(|w| w.customer_name.clone())),
            );
        }
        let styles = row_styles(&rows, self.selected, |w| (w.id, w.reversed));
        if let Some(i) = DataTable::new("write_offs", &columns)
            .styles(&styles)
            .clickable()
            .max_height(max_height)
            .show(ui)
        {
            let id = rows[i].id;
            self.selected = (self.selected != Some(id)).then_some(id);
        }
        widgets::pager(ui, &mut self.list.offset, rows.len(), total, PAGE);
        if !may_reverse {
            return;
        }
        let chosen = self
            .selected
            .and_then(|id| rows.iter().find(|w| w.id == id));
        let standing = chosen.filter(|w| !w.reversed);
        let button = ui
            .add_enabled(
                standing.is_some(),
                egui::Button::new(t("write_off.reverse")),
            )
            .on_disabled_hover_text(t("write_off.reverse_pick"));
        if button.clicked()
            && let Some(w) = standing
        {
            self.reverse_errors = FieldErrors::default();
            self.reverse = Some(ReverseDialog {
                id: w.id,
                version: w.version,
                number: w.number.clone(),
                amount: w.amount.clone(),
                reason: String::new(),
            });
        }
    }

    fn dialog_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx, owed: &[&pb::OpenItem]) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let busy = self.writing.is_pending();
        // More than the shipment picked owes is said as it is typed, with the other
        // complaints, not after them on a second try.
        let owed_now = owed
            .iter()
            .find(|i| i.shipment_id == dialog.shipment_id)
            .and_then(|i| i.outstanding.parse::<Decimal>().ok());
        let over = match (money::parse_amount(&dialog.amount).ok(), owed_now) {
            (Some(typed), Some(owed)) if typed > owed => Some(
                t("write_off.more_than_owed")
                    .replace("{outstanding}", &crate::format::money(&owed.to_string())),
            ),
            _ => None,
        };
        self.errors.set_local("amount", over);
        let errors = &mut self.errors;
        let options: Vec<(i64, String)> = owed
            .iter()
            .map(|i| {
                let owed = t("write_off.shipment_option")
                    .replace("{shipment}", &i.shipment_number)
                    .replace("{order}", &i.order_number)
                    .replace("{outstanding}", &crate::format::money(&i.outstanding));
                (i.shipment_id, owed)
            })
            .collect();
        let answer = widgets::form_dialog(
            egui_ctx,
            "write_off_dialog",
            440.0,
            t("write_off.submit"),
            busy,
            |ui| {
                ui.set_max_width(560.0);
                ui.heading(t("write_off.title"));
                ui.label(RichText::new(t("write_off.explain")).weak());
                widgets::form(ui, "write_off_form", errors, |f| {
                    f.required(&["shipment_id", "amount", "reason_kind", "reason"]);
                    f.combo(
                        t("write_off.shipment"),
                        "shipment_id",
                        &mut dialog.shipment_id,
                        &options,
                    );
                    f.text(t("write_off.amount"), "amount", &mut dialog.amount);
                    f.enum_combo::<pb::WriteOffReason>(
                        t("write_off.reason_kind"),
                        "reason_kind",
                        &mut dialog.reason_kind,
                    );
                    f.multiline(t("write_off.reason"), "reason", &mut dialog.reason);
                })
                .submitted
            },
        );
        match answer {
            DialogAnswer::Close => self.dialog = None,
            DialogAnswer::Submit => {
                let request = pb::WriteOffReceivableRequest {
                    shipment_id: dialog.shipment_id,
                    amount: super::amount_input(&dialog.amount),
                    reason_kind: dialog.reason_kind,
                    reason: dialog.reason.trim().to_owned(),
                    request_id: String::new(),
                    // The customer on screen: a shipment of another is refused.
                    customer_id: self.key.customer_id,
                };
                self.writing
                    .request(ctx.finance().write_off_receivable(request));
            }
            DialogAnswer::Open => {}
        }
    }

    fn reverse_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx) {
        let Some(dialog) = &mut self.reverse else {
            return;
        };
        let busy = self.reversing.is_pending();
        let errors = &mut self.reverse_errors;
        let answer = widgets::form_dialog(
            egui_ctx,
            "reverse_write_off",
            400.0,
            t("write_off.reverse_submit"),
            busy,
            |ui| {
                ui.set_max_width(480.0);
                ui.heading(t("write_off.reverse_title"));
                ui.label(RichText::new(format!(
                    "{}  {}",
                    dialog.number,
                    crate::format::money(&dialog.amount)
                )));
                ui.label(RichText::new(t("write_off.reverse_explain")).weak());
                widgets::form(ui, "reverse_write_off_form", errors, |f| {
                    f.required(&["reason"]);
                    f.multiline(t("write_off.reverse_reason"), "reason", &mut dialog.reason);
                })
                .submitted
            },
        );
        match answer {
            DialogAnswer::Close => self.reverse = None,
            DialogAnswer::Submit => {
                let request = pb::ReverseWriteOffRequest {
                    id: dialog.id,
                    version: dialog.version,
                    reason: dialog.reason.trim().to_owned(),
                };
                self.reversing
                    .request(ctx.finance().reverse_write_off(request));
            }
            DialogAnswer::Open => {}
        }
    }
}

/// What a deduction on its shipment took back of standing write-off `w` (its amount less
/// what it takes off now), when anything.
fn taken_back(w: &pb::WriteOff) -> Option<Decimal> {
    let amount = w.amount.parse::<Decimal>().ok()?;
    let in_effect = w.in_effect.parse::<Decimal>().ok()?;
    (in_effect < amount).then(|| amount - in_effect)
}

/// 财务 › 核销: the register of write-offs within the user's scope, by period, kind and
/// customer, the latest first, with what the matches take off now; one picked is
/// reversed from here too.
#[derive(Default)]
pub(super) struct WriteOffRegister {
    period: super::NumberAndPeriod,
    reason_kind: i32,
    customer: CustomerPicker,
    write_offs: WriteOffs,
    export: ExportBar,
}

impl WriteOffRegister {
    /// Shown again: read again (write-offs made or reversed elsewhere meanwhile).
    pub(super) fn refresh(&mut self) {
        self.write_offs.list.refresh();
    }

    /// Whether the reversal dialog holds a reason.
    pub(super) fn is_dirty(&self) -> bool {
        self.write_offs.is_dirty()
    }

    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        let period = self.period.key();
        self.write_offs.key = Key {
            customer_id: self.customer.id(),
            date_from: period.date_from,
            date_to: period.date_to,
            reason_kind: self.reason_kind,
        };
        self.write_offs.poll(ctx);
        let mut unread = Vec::new();
        ui.horizontal_wrapped(|ui| {
            unread = widgets::period_filter(
                ui,
                "write_offs",
                (t("write_off.date_from"), &mut self.period.date_from),
                (t("finance.date_to"), &mut self.period.date_to),
            );
            let mut kinds = vec![(0, t("finance.all").to_owned())];
            kinds.extend(widgets::choices::<pb::WriteOffReason>());
            widgets::combo(
                ui,
                "write_offs_kind",
                t("write_off.reason_kind"),
                &mut self.reason_kind,
                &kinds,
            );
            self.customer.filter_ui(ui, ctx, t("finance.customer"));
        });
        // Every match of the filters as chosen, in the list's order.
        let key = &self.write_offs.key;
        let mut named: Vec<&str> = Vec::new();
        if self.reason_kind != 0 {
            named.push(widgets::choice_label::<pb::WriteOffReason>(
                self.reason_kind,
            ));
        }
        named.extend(self.customer.name());
        super::register_export_ui(
            ui,
            ctx,
            &mut self.export,
            (t("write_off.list"), &named, &self.period),
            || pb::export_request::Report::WriteOffs(key.request(None)),
        );
        widgets::unread_dates_ui(ui, &unread);
        widgets::filters_status(
            ui,
            &self.write_offs.list.result,
            &[
                ("date_from", t("write_off.date_from")),
                ("date_to", t("common.end_date")),
            ],
        );
        if let Some(done) = &self.write_offs.done {
            ui.label(RichText::new(done_text(done)).color(widgets::SUCCESS));
        }
        let available = ui.available_height() - 80.0;
        let may_reverse = ctx.can(Permission::FinanceWriteOff);
        self.write_offs
            .list_ui(ui, may_reverse, true, Some(available));
        self.write_offs.reverse_ui(ui.ctx(), ctx);
    }
}
