//! The customer view: basic information on top, then tabs for the follow-ups,
//! certificates, personal records, type history, assignment history, and (for those who
//! read orders) the order and shipment histories, and (for those who read finance) the
//! invoice and payment histories; type change, allocation and the audited ID reveal as
//! dialogs; "下单" opens the order form for the customer. Each tab is its own
//! struct, with its own requests and draft.

mod certificates;
mod finance;
mod followups;
mod history;
pub(super) use history::{assignment_origin, assignment_role};
mod orders;
mod personal;
mod records;

use egui::RichText;
use pharmacrm_shared::money::Decimal;
use pharmacrm_shared::{Permission, pb};

use super::form::{CustomerForm, FormEvent, FormPanel};
use crate::backend::{Polled, Requested};
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{bracketed, label_value, list_separator, t, tn};
use crate::widgets::{self, FieldErrors, Unsaved, choice_label};

/// Below this width the header shows one label and value per line instead of two. A
/// 900×600 window (about 730 wide beside the navigation) has two: the header's eleven
/// lines would leave the tabs a sliver.
const HEADER_TWO_COLUMNS: f32 = 640.0;

/// Below this window height (points) the customer's details start folded: at 900×600 they
/// took half the window.
const HEADER_FOLDED_BELOW: f32 = 700.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Followups,
    Certificates,
    Personal,
    TypeHistory,
    Assignments,
    Orders,
    Shipments,
    OpenItems,
    Invoices,
    Payments,
}

/// What the view asks of the panel.
pub enum ViewCommand {
    /// Back where the view was opened from (the panel asks first when a draft holds input).
    Close,
}

/// Where a customer view was opened from, and its back button returns to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    /// The customer list.
    List,
    /// 我的工作.
    Work,
    /// Another module (an order, the arrears, a report), shown again as it was left.
    Module(pharmacrm_shared::Module),
}

/// The type-change dialog's fields.
#[derive(Clone, Debug, PartialEq)]
struct TypeDialog {
    type_id: i64,
    reason: String,
    /// The customer's type when the dialog opened.
    original_type_id: i64,
}

/// The reassign dialog's fields, and the reps when it opened.
#[derive(Clone, Debug, PartialEq)]
struct AssignDialog {
    sales: i64,
    cs: i64,
    original: (i64, i64),
}

/// Which dialog a call in `action` came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialog {
    Type,
    Assign,
    /// Archiving or restoring (a question, then the header's error line).
    Archive,
}

/// One customer's view.
pub struct CustomerView {
    id: i64,
    customer: Requested<pb::Customer>,
    tab: Tab,
    edit: Option<FormPanel>,
    followups: followups::FollowupsTab,
    certificates: certificates::CertificatesTab,
    personal: personal::PersonalTab,
    history: history::HistoryTabs,
    orders: orders::OrderTabs,
    finance: finance::FinanceTabs,
    types: Requested<Vec<pb::CustomerType>>,
    type_dialog: Option<TypeDialog>,
    assign_dialog: Option<AssignDialog>,
    /// The complaints of the last failed type change and reassignment.
    type_errors: FieldErrors,
    assign_errors: FieldErrors,
    /// Closing a dialog or the edit form that holds input.
    discard: widgets::Discard<Dialog>,
    discard_edit: widgets::Discard<()>,
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
    action: Requested<pb::Customer>,
    action_from: Option<Dialog>,
    revealed: Requested<String>,
    /// The question before archiving: no more orders or shipments.
    confirm_archive: widgets::Confirm<pb::SetActiveRequest>,
    /// Why the last archive or restore failed (orders still at work…).
    archive_error: Option<crate::api::ApiError>,
    /// 归档 was pressed while orders are at work: say which instead of asking.
    archive_blocked: bool,
    /// What the last reassignment, type change or profile edit did ("已分配：…",
    /// "客户资料已保存"), in green beside the buttons until another is opened: the dialog
    /// or form closing alone said nothing.
    done: Option<String>,
    /// Where closing the view returns to.
    back: Back,
}

impl Unsaved for CustomerView {
    /// Whether the edit form or a record's draft holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.edit.as_ref().is_some_and(FormPanel::is_dirty)
            || self.followups.is_dirty()
            || self.certificates.is_dirty()
            || self.personal.is_dirty()
            || self.finance.is_dirty()
    }
}

impl CustomerView {
    /// The view of customer `id` at its certificates (证件), from a certificate reminder.
    pub fn at_certificates(id: i64) -> CustomerView {
        CustomerView {
            tab: Tab::Certificates,
            ..CustomerView::new(id)
        }
    }

    /// The view of customer `id` at what it still owes (未结明细), from the arrears list:
    /// the shipments to chase, not the follow-ups.
    pub fn at_open_items(id: i64) -> CustomerView {
        CustomerView {
            tab: Tab::OpenItems,
            ..CustomerView::new(id)
        }
    }

    /// The view whose back button returns to `back` (and says so).
    pub fn back_to(self, back: Back) -> CustomerView {
        CustomerView { back, ..self }
    }

    /// Where closing the view returns to.
    pub fn back(&self) -> Back {
        self.back
    }

    /// The view of customer `id`.
    pub fn new(id: i64) -> CustomerView {
        CustomerView {
            id,
            customer: Requested::NotRequested,
            tab: Tab::Followups,
            edit: None,
            followups: followups::FollowupsTab::default(),
            certificates: certificates::CertificatesTab::default(),
            personal: personal::PersonalTab::default(),
            history: history::HistoryTabs::default(),
            orders: orders::OrderTabs::default(),
            finance: finance::FinanceTabs::default(),
            types: Requested::NotRequested,
            type_dialog: None,
            assign_dialog: None,
            type_errors: FieldErrors::default(),
            assign_errors: FieldErrors::default(),
            discard: widgets::Discard::default(),
            discard_edit: widgets::Discard::default(),
            sales_reps: Requested::NotRequested,
            cs_reps: Requested::NotRequested,
            action: Requested::NotRequested,
            action_from: None,
            revealed: Requested::NotRequested,
            confirm_archive: widgets::Confirm::default(),
            archive_error: None,
            archive_blocked: false,
            done: None,
            back: Back::List,
        }
    }

    fn reload(&mut self, ctx: &AppCtx) {
        // A revealed number is shown only until the next reload; a refused archive's
        // reason until then too (the orders may be done since).
        self.revealed = Requested::NotRequested;
        self.archive_error = None;
        self.archive_blocked = false;
        let id = self.id;
        self.customer
            .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
        self.followups.reload(ctx, id);
        self.certificates.reload(ctx, id);
        if ctx.can(Permission::CustomerProfileWrite) {
            self.personal.reload(ctx, id);
        }
        self.history.reload(ctx, id);
        self.orders.reload(ctx, id);
        self.finance.reload(ctx, id);
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ViewCommand> {
        if self.customer.is_not_requested() {
            self.reload(ctx);
        }
        let action_done = match self.action.poll() {
            Polled::JustDone => {
                self.done = self
                    .action
                    .value()
                    .and_then(|c| action_done_text(self.action_from, c));
                true
            }
            Polled::JustFailed(error) => {
                let error = Some(error.clone());
                match self.action_from {
                    Some(Dialog::Type) => self.type_errors.set(error),
                    Some(Dialog::Assign) => self.assign_errors.set(error),
                    Some(Dialog::Archive) => {
                        // Refused for orders placed since the customer was read: read it
                        // again, and the line naming them, as links, says why.
                        if error
                            .as_ref()
                            .is_some_and(|e| e.code == Some(tonic::Code::FailedPrecondition))
                        {
                            self.archive_blocked = true;
                            let id = self.id;
                            self.customer.request(
                                ctx.customers().get_customer(pb::GetCustomerRequest { id }),
                            );
                        }
                        self.archive_error = error;
                    }
                    None => {}
                }
                false
            }
            Polled::Unchanged => false,
        };
        let saved = [
            self.followups.poll(),
            self.certificates.poll(),
            self.personal.poll(),
            action_done,
        ];
        if saved.contains(&true) {
            self.type_dialog = None;
            self.assign_dialog = None;
            self.reload(ctx);
        }
        self.customer.poll();
        self.history.poll();
        self.orders.poll();
        if self.finance.poll(ctx) {
            // A write-off changed the balance its header shows.
            let id = self.id;
            self.customer
                .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
        }
        self.types.poll();
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.revealed.poll();

        let mut command = None;
        let back = match self.back {
            Back::List => t("customer.back").to_owned(),
            Back::Work => t("customer.back_to_work").to_owned(),
            Back::Module(module) => crate::shell::back_to_module(module),
        };
        if ui.button(back).clicked() {
            command = Some(ViewCommand::Close);
        }
        widgets::request_status(ui, &self.customer);
        let Some(c) = self.customer.value().cloned() else {
            return command;
        };
        if let Some(edit) = &mut self.edit {
            match edit.ui(ui, ctx) {
                Some(FormEvent::Saved(_)) => {
                    self.edit = None;
                    self.done = Some(t("customer.profile_saved").to_owned());
                    self.reload(ctx);
                }
                // The view below shows what the form now holds.
                Some(FormEvent::Reloaded) => self.reload(ctx),
                Some(FormEvent::Close) => {
                    let dirty = edit.is_dirty();
                    if self.discard_edit.request(dirty, ()).is_some() {
                        self.edit = None;
                    }
                }
                None => {}
            }
            if self
                .discard_edit
                .ui(ui.ctx(), "discard_customer_edit")
                .is_some()
            {
                self.edit = None;
            }
            return command;
        }
        self.header_ui(ui, ctx, &c);
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            let mut tabs = vec![
                (Tab::Followups, t("customer.tab.followups")),
                (Tab::Certificates, t("customer.tab.certificates")),
            ];
            // Personal information: to those who keep it (the server refuses others).
            if ctx.can(Permission::CustomerProfileWrite) {
                tabs.push((Tab::Personal, t("customer.tab.personal")));
            }
            tabs.extend([
                (Tab::TypeHistory, t("customer.tab.type_history")),
                (Tab::Assignments, t("customer.tab.assignments")),
            ]);
            if ctx.can(Permission::OrderRead) {
                tabs.push((Tab::Orders, t("orders.tab.customer_orders")));
                tabs.push((Tab::Shipments, t("orders.tab.customer_shipments")));
            }
            if crate::finance::reads_money_history(ctx) {
                tabs.push((Tab::OpenItems, t("finance.tab.customer_open_items")));
                tabs.push((Tab::Invoices, t("finance.tab.customer_invoices")));
                tabs.push((Tab::Payments, t("finance.tab.customer_payments")));
            }
            // Opened at a tab the user is not shown: the first.
            if !tabs.iter().any(|(tab, _)| *tab == self.tab) {
                self.tab = Tab::Followups;
            }
            for (tab, label) in tabs {
                ui.selectable_value(&mut self.tab, tab, label);
            }
        });
        let id = self.id;
        egui::ScrollArea::vertical().show(ui, |ui| match self.tab {
            Tab::Followups => self.followups.ui(ui, ctx, id),
            Tab::Certificates => self.certificates.ui(ui, ctx, &c),
            // Whose: the customer's contact person, the one sales reps deal with.
            Tab::Personal => self.personal.ui(ui, ctx, id, &c.contact_person),
            Tab::TypeHistory => self.history.types_ui(ui),
            Tab::Assignments => self.history.assignments_ui(ui),
            Tab::Orders => self.orders.orders_ui(ui, ctx),
            Tab::Shipments => self.orders.shipments_ui(ui, ctx),
            Tab::Invoices => self.finance.invoices_ui(ui, ctx),
            Tab::OpenItems => self.finance.open_items_ui(ui, ctx),
            Tab::Payments => self.finance.payments_ui(ui, ctx),
        });
        self.dialogs_ui(ui.ctx(), ctx, &c);
        command
    }

    fn header_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, c: &pb::Customer) {
        // The details shown or folded, as last chosen this session (every customer alike);
        // at first folded in a short window, where the tabs below need the room.
        let details_id = egui::Id::unique("customer_header_details");
        let short = ui.ctx().content_rect().height() < HEADER_FOLDED_BELOW;
        let mut details = ui.data(|d| d.get_temp(details_id)).unwrap_or(!short);
        ui.horizontal_wrapped(|ui| {
            ui.heading(&c.name);
            if !c.is_active {
                ui.label(RichText::new(t("customer.archived")).color(widgets::WARNING))
                    .on_hover_text(t("customer.archived_hint"));
            }
            ui.label(RichText::new(&c.type_name).strong());
            ui.label(choice_label::<pb::BusinessKind>(c.business_kind));
            if c.expired_certificates > 0 {
                let n = u64::from(c.expired_certificates);
                ui.label(
                    RichText::new(tn("customer.certificates_expired", n)).color(widgets::ERROR),
                );
            }
            if c.expiring_certificates > 0 {
                let n = u64::from(c.expiring_certificates);
                ui.label(
                    RichText::new(tn("customer.certificates_expiring", n)).color(widgets::WARNING),
                );
            }
            let label = if details {
                t("customer.hide_details")
            } else {
                t("customer.show_details")
            };
            if ui.small_button(label).clicked() {
                details = !details;
                ui.data_mut(|d| d.insert_temp(details_id, details));
            }
        });
        if !details {
            // Contact and phone stay in sight: what a rep looks up most.
            ui.label(
                RichText::new(format!(
                    "{}    {}",
                    label_value(t("customer.contact"), &widgets::or_dash(&c.contact_person)),
                    label_value(t("customer.phone"), &widgets::or_dash(&c.phone)),
                ))
                .weak(),
            );
        }
        let drugs = c
            .drugs
            .iter()
            .map(super::drug_ref_label)
            .collect::<Vec<_>>()
            .join(list_separator());
        let fields = [
            (t("customer.contact"), c.contact_person.clone()),
            (t("customer.id_number"), String::new()),
            (t("customer.phone"), c.phone.clone()),
            (
                t("customer.region"),
                format!("{} {}", c.region, c.address).trim().to_owned(),
            ),
            (
                t("customer.sales_rep"),
                format::person(c.sales_rep.as_ref()),
            ),
            (t("customer.cs_rep"), format::person(c.cs_rep.as_ref())),
            (t("customer.drugs"), drugs),
            (t("customer.credit_days"), c.credit_days.to_string()),
            (
                t("credit.limit"),
                if c.credit_limit.is_empty() {
                    t("credit.no_limit").to_owned()
                } else {
                    crate::format::money(&c.credit_limit)
                },
            ),
        ];
        // Fax, postcode and note only when entered: the header stays short (the tabs below
        // need the room at 900×600). The balance only for those who read arrears.
        let mut fields = fields.to_vec();
        if let Some(balance) = balance_field(&c.balance) {
            fields.push(balance);
        }
        for (label, value) in [
            (t("customer.fax"), &c.fax),
            (t("customer.postcode"), &c.postcode),
            (t("customer.note"), &c.note),
        ] {
            if !value.trim().is_empty() {
                fields.push((label, value.clone()));
            }
        }
        // Two label/value pairs per line when there is room, else one; values that do not
        // fit their column are cut with "…" and shown whole on hover, so the columns stay
        // in the window at any size.
        let per_line = if ui.available_width() >= HEADER_TWO_COLUMNS {
            2
        } else {
            1
        };
        let label_width = fields
            .iter()
            .map(|(label, _)| widgets::text_width(ui, label))
            .fold(0.0_f32, f32::max);
        let spacing = 24.0;
        let value_width = ((ui.available_width() - (label_width + spacing) * per_line as f32)
            / per_line as f32
            - spacing)
            .max(120.0);
        if details {
            egui::Grid::new("customer_header")
                .num_columns(2 * per_line)
                .spacing([spacing, 4.0])
                .min_col_width(0.0)
                .show(ui, |ui| {
                    for (i, (label, value)) in fields.iter().enumerate() {
                        ui.add(egui::Label::new(*label).wrap_mode(egui::TextWrapMode::Extend));
                        ui.scope(|ui| {
                            ui.set_width(value_width);
                            if i == 1 {
                                self.id_number_ui(ui, ctx, c);
                            } else {
                                ui.add(egui::Label::new(widgets::or_dash(value)).truncate());
                            }
                        });
                        if (i + 1) % per_line == 0 {
                            ui.end_row();
                        }
                    }
                });
        }
        // On credit hold: said before a rep builds an order the hold would refuse.
        if let Some(hold) = &c.credit_hold {
            ui.label(RichText::new(widgets::warning_sentence(hold)).color(widgets::ERROR));
        }
        ui.horizontal_wrapped(|ui| {
            if ctx.can(Permission::CustomerWrite) && ui.button(t("customer.edit")).clicked() {
                self.edit = Some(FormPanel::new(CustomerForm::from(c)));
                self.done = None;
            }
            if ctx.can(Permission::CustomerTypeChange)
                && ui.button(t("customer.change_type")).clicked()
            {
                self.type_dialog = Some(TypeDialog {
                    type_id: c.type_id,
                    reason: String::new(),
                    original_type_id: c.type_id,
                });
                self.type_errors.set(None);
                self.done = None;
                self.types.request(
                    ctx.customers()
                        .list_customer_types(pb::ListCustomerTypesRequest::default())
                        .map(|r| r.types),
                );
            }
            if ctx.can(Permission::CustomerAssign) && ui.button(t("customer.assign")).clicked() {
                let reps = (
                    c.sales_rep.as_ref().map_or(0, |r| r.id),
                    c.cs_rep.as_ref().map_or(0, |r| r.id),
                );
                self.assign_dialog = Some(AssignDialog {
                    sales: reps.0,
                    cs: reps.1,
                    original: reps,
                });
                self.assign_errors.set(None);
                self.done = None;
                for (slot, role) in [(&mut self.sales_reps, "sales"), (&mut self.cs_reps, "cs")] {
                    crate::customers::request_reps(slot, ctx, role);
                }
            }
            if ctx.can(Permission::OrderWrite)
                && ui
                    .add_enabled(c.is_active, egui::Button::new(t("customer.place_order")))
                    .on_disabled_hover_text(t("customer.archived_hint"))
                    .clicked()
            {
                ctx.navigate(Navigate::NewOrder { customer_id: c.id });
            }
            if ctx.can(Permission::CustomerWrite)
                && let Some(is_active) =
                    widgets::archive_button(ui, c.is_active, !self.action.is_pending())
            {
                let request = pb::SetActiveRequest {
                    id: c.id,
                    version: c.version,
                    is_active,
                };
                // An earlier refusal's reason holds only until the next press.
                self.archive_error = None;
                if is_active {
                    self.set_active(ctx, request);
                } else if c.open_orders > 0 {
                    // The server would refuse: say why and which, rather than ask; read
                    // the customer again meanwhile, as orders may have been done since.
                    self.archive_blocked = true;
                    let id = c.id;
                    self.customer
                        .request(ctx.customers().get_customer(pb::GetCustomerRequest { id }));
                } else {
                    self.confirm_archive.ask(request);
                }
            }
            if let Some(done) = &self.done {
                ui.label(RichText::new(done).color(widgets::SUCCESS));
            }
        });
        if let Some(error) = self.revealed.error() {
            widgets::error_line(ui, error);
        }
        if self.archive_blocked && c.is_active && c.open_orders > 0 {
            // Says what the server's refusal says, the orders as links.
            open_orders_line(ui, ctx, c);
        } else if let Some(error) = &self.archive_error
            && !(self.archive_blocked && self.customer.is_pending())
        {
            // (While the customer is read again after a refusal, that line is coming.)
            widgets::error_line(ui, error);
        }
        let mut question = t("customer.archive_question").replace("{name}", &c.name);
        if let Some(note) = archive_balance_note(&c.balance) {
            question.push('\n');
            question.push_str(&note);
        }
        if let Some(request) = self.confirm_archive.ui(
            ui.ctx(),
            "confirm_archive_customer",
            &question,
            t("common.archive"),
        ) {
            self.set_active(ctx, request);
        }
    }

    /// Archives or restores the customer (the view reloads when it is done).
    fn set_active(&mut self, ctx: &AppCtx, request: pb::SetActiveRequest) {
        self.archive_error = None;
        self.action_from = Some(Dialog::Archive);
        self.action
            .request(ctx.customers().set_customer_active(request));
    }

    /// The masked ID number, with a button to reveal it (an audited call) and one to hide
    /// it again.
    fn id_number_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, c: &pb::Customer) {
        ui.horizontal(|ui| {
            match &self.revealed {
                Requested::Done(number) => {
                    ui.label(number);
                    if ui.small_button(t("customer.hide_id")).clicked() {
                        self.revealed = Requested::NotRequested;
                    }
                }
                _ => {
                    ui.label(widgets::or_dash(&c.id_number_masked));
                    if ctx.can(Permission::CustomerSensitiveRead)
                        && !c.id_number_masked.is_empty()
                        && ui
                            .add_enabled(
                                !self.revealed.is_pending(),
                                egui::Button::new(t("customer.reveal")).small(),
                            )
                            .clicked()
                    {
                        let id = c.id;
                        self.revealed.request(
                            ctx.customers()
                                .reveal_id_number(pb::GetCustomerRequest { id })
                                .map(|r| r.id_number),
                        );
                    }
                }
            };
        });
    }

    fn dialogs_ui(&mut self, egui_ctx: &egui::Context, ctx: &AppCtx, c: &pb::Customer) {
        let busy = self.action.is_pending();
        let mut close = None;
        if let Some(dialog) = &mut self.type_dialog {
            let mut submit = false;
            let types: Vec<(i64, String)> = self
                .types
                .value()
                .into_iter()
                .flatten()
                .map(|x| (x.id, x.name.clone()))
                .collect();
            let errors = &mut self.type_errors;
            let modal = crate::widgets::modal("type_dialog").show(egui_ctx, |ui| {
                ui.set_min_width(380.0);
                ui.heading(t("customer.change_type"));
                let response = widgets::form(ui, "type_form", errors, |f| {
                    // Every change keeps its why (who, when, from, to, why).
                    f.required(&["type_id", "reason"]);
                    f.combo(t("customer.type"), "type_id", &mut dialog.type_id, &types);
                    f.text(t("customer.reason"), "reason", &mut dialog.reason);
                });
                let (save, cancel) =
                    widgets::form_buttons(ui, t("common.save"), t("common.cancel"), busy);
                submit = save || response.submitted;
                if cancel {
                    close = Some(Dialog::Type);
                }
            });
            if crate::widgets::dismissed(&modal) {
                close = Some(Dialog::Type);
            }
            if submit && !busy {
                let request = pb::ChangeCustomerTypeRequest {
                    id: c.id,
                    version: c.version,
                    type_id: dialog.type_id,
                    reason: dialog.reason.clone(),
                };
                self.action_from = Some(Dialog::Type);
                self.action
                    .request(ctx.customers().change_customer_type(request));
            }
        }
        if let Some(dialog) = &mut self.assign_dialog {
            let mut submit = false;
            let (sales, cs) = (
                super::rep_options(&self.sales_reps, 0),
                super::rep_options(&self.cs_reps, 0),
            );
            let errors = &mut self.assign_errors;
            let modal = crate::widgets::modal("assign_dialog").show(egui_ctx, |ui| {
                ui.set_min_width(380.0);
                ui.heading(t("customer.assign"));
                let response = widgets::form(ui, "assign_form", errors, |f| {
                    f.combo(
                        t("customer.sales_rep"),
                        "sales_rep_id",
                        &mut dialog.sales,
                        &sales,
                    );
                    f.combo(t("customer.cs_rep"), "cs_rep_id", &mut dialog.cs, &cs);
                });
                let (save, cancel) =
                    widgets::form_buttons(ui, t("common.save"), t("common.cancel"), busy);
                submit = save || response.submitted;
                if cancel {
                    close = Some(Dialog::Assign);
                }
            });
            if crate::widgets::dismissed(&modal) {
                close = Some(Dialog::Assign);
            }
            let unchanged = (dialog.sales, dialog.cs) == dialog.original;
            if !unchanged {
                errors.set_local("sales_rep_id", None);
            }
            if submit && !busy && unchanged {
                // Nothing would be recorded: said, as a type change to the same type is,
                // rather than "已分配" for no change.
                errors.set_local("sales_rep_id", Some(t("customer.assign_unchanged").into()));
            } else if submit && !busy {
                let request = pb::AssignCustomerRequest {
                    id: c.id,
                    version: c.version,
                    sales_rep_id: dialog.sales,
                    cs_rep_id: dialog.cs,
                };
                self.action_from = Some(Dialog::Assign);
                self.action
                    .request(ctx.customers().assign_customer(request));
            }
        }
        if let Some(dialog) = close {
            let dirty = match dialog {
                Dialog::Type => self.type_dialog.as_ref().is_some_and(|d| {
                    d.type_id != d.original_type_id || !d.reason.trim().is_empty()
                }),
                Dialog::Assign => self
                    .assign_dialog
                    .as_ref()
                    .is_some_and(|d| (d.sales, d.cs) != d.original),
                Dialog::Archive => false,
            };
            if let Some(dialog) = self.discard.request(dirty, dialog) {
                self.close_dialog(dialog);
            }
        }
        if let Some(dialog) = self.discard.ui(egui_ctx, "discard_customer_dialog") {
            self.close_dialog(dialog);
        }
    }

    fn close_dialog(&mut self, dialog: Dialog) {
        match dialog {
            Dialog::Type => self.type_dialog = None,
            Dialog::Assign => self.assign_dialog = None,
            Dialog::Archive => {}
        }
    }
}

/// What a dialog's change did, said once it is saved: "已分配：营销员 李营销，客服 陈客服",
/// "客户类型已改为 意向客户"; nothing for an archive (the header says it).
fn action_done_text(from: Option<Dialog>, c: &pb::Customer) -> Option<String> {
    match from? {
        Dialog::Assign => Some(
            t("customer.assigned")
                .replace("{sales}", &format::person(c.sales_rep.as_ref()))
                .replace("{cs}", &format::person(c.cs_rep.as_ref())),
        ),
        Dialog::Type => Some(t("customer.type_changed").replace("{type}", &c.type_name)),
        Dialog::Archive => None,
    }
}

/// The customer's balance as read (`pb::Customer::balance`; empty for those who do not
/// read arrears: `None`) as a header field: 欠款余额 and what it owes, or, negative, 预收
/// and what it holds on account.
fn balance_field(balance: &str) -> Option<(&'static str, String)> {
    let owed: Decimal = balance.trim().parse().ok()?;
    Some(if owed < Decimal::ZERO {
        (t("arrears.on_account"), paid_ahead(owed))
    } else {
        (t("customer.balance"), crate::format::money(balance))
    })
}

/// What archiving leaves on the customer's account, said in the question: what it owes
/// or holds paid ahead; nothing when its account is settled or not read.
fn archive_balance_note(balance: &str) -> Option<String> {
    let owed: Decimal = balance.trim().parse().ok()?;
    let note = if owed > Decimal::ZERO {
        t("customer.archive_owes").replace("{amount}", &crate::format::money(balance))
    } else if owed < Decimal::ZERO {
        t("customer.archive_paid_ahead").replace("{amount}", &paid_ahead(owed))
    } else {
        return None;
    };
    Some(note)
}

/// A negative balance as the amount held paid ahead.
fn paid_ahead(owed: Decimal) -> String {
    crate::format::money(&pharmacrm_shared::money::to_wire(&-owed))
}

/// What an order at work waits for before its customer can be archived: its open
/// transport exceptions settled, else its goods shipped or signed for.
fn waiting_for(order: &pb::OpenOrderRef) -> &'static str {
    if order.open_exceptions > 0 {
        return t("customer.open_order.exception");
    }
    match order.status() {
        pb::OrderStatus::Pending => t("customer.open_order.to_ship"),
        pb::OrderStatus::PartiallyShipped => t("customer.open_order.rest_to_ship"),
        _ => t("customer.open_order.on_the_way"),
    }
}

/// Why the customer cannot be archived yet: how many orders are at work, and the oldest
/// as links that open them (the rest in the 订单记录 tab).
fn open_orders_line(ui: &mut egui::Ui, ctx: &AppCtx, c: &pb::Customer) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(tn("customer.archive_blocked", u64::from(c.open_orders)))
                .color(widgets::WARNING),
        );
        let shown = c.oldest_open_orders.len();
        for (i, order) in c.oldest_open_orders.iter().enumerate() {
            if ui.link(&order.number).clicked() {
                ctx.navigate(Navigate::Order {
                    id: order.id,
                    from: pharmacrm_shared::Module::Customer,
                });
            }
            // "SO…（待发货）、": what it waits for, beside its number.
            let waiting = bracketed("", waiting_for(order));
            let separator = if i + 1 < shown { list_separator() } else { "" };
            ui.label(RichText::new(format!("{}{separator}", waiting.trim_start())).weak());
        }
        if c.open_orders as usize > c.oldest_open_orders.len() {
            ui.label("…");
        }
    });
}
