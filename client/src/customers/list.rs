//! The customer list: filters (name, pinyin, contact, phone; province; type; kind; for
//! those who see a team's customers, the sales rep and the CS rep; expiring certificates;
//! active, archived or both), server-side paging in pinyin order, a virtualized table.

use pharmacrm_shared::{Permission, pb, region};

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::t;
use crate::widgets::{self, Cell, DataTable, TableColumn, cells, choice_label};

const PAGE: u32 = 100;

#[derive(Clone, Debug, PartialEq, Default)]
struct Key_ {
    query: String,
    province_code: String,
    type_id: Option<i64>,
    business_kind: i32,
    expiring: bool,
    /// A `pb::CustomerStatusFilter` (active customers by default).
    status: i32,
    /// 0: any.
    sales_rep_id: i64,
    /// 0: any.
    cs_rep_id: i64,
}

/// What the list asks of the panel.
pub enum ListCommand {
    /// Open this customer.
    Open(i64),
    /// Register a new customer.
    New,
}

/// The list.
#[derive(Default)]
pub struct ListPanel {
    filter: Key_,
    pages: widgets::Pages,
    /// What was asked last: the filter and the page's marker.
    sent: Option<(Key_, String)>,
    list: Requested<pb::SearchCustomersResponse>,
    types: Requested<Vec<pb::CustomerType>>,
    /// The type dictionary may have changed (the list shown again): read it again.
    types_stale: bool,
    /// The rep filters' people (for those who oversee a team).
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
}

impl ListPanel {
    /// Searches again (after a save, or shown again), and reads the type dictionary again.
    pub fn refresh(&mut self) {
        self.sent = None;
        self.types_stale = true;
    }

    /// Draws the list.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ListCommand> {
        if self.types.is_not_requested() || (self.types_stale && !self.types.is_pending()) {
            self.types_stale = false;
            self.types.request(
                ctx.customers()
                    // Archived types too: their customers keep them, and are found by them.
                    .list_customer_types(pb::ListCustomerTypesRequest {
                        include_archived: true,
                    })
                    .map(|r| r.types),
            );
        }
        self.types.poll();
        // A manager finds a rep's customers (who holds what, before a handover).
        let rep_filters = ctx.oversees();
        if rep_filters && self.sales_reps.is_not_requested() {
            // Everyone who was ever a rep: a departed rep's customers are still found.
            for (slot, role) in [
                (&mut self.sales_reps, "sales_all"),
                (&mut self.cs_reps, "cs_all"),
            ] {
                super::request_reps(slot, ctx, role);
            }
        }
        self.sales_reps.poll();
        self.cs_reps.poll();
        self.list.poll();
        let wanted = (self.filter.clone(), self.pages.after());
        if self.sent.as_ref() != Some(&wanted) && !self.list.is_pending() {
            // Another filter starts again at the first page.
            if self.sent.as_ref().is_some_and(|(f, _)| *f != self.filter) {
                self.pages.reset();
            }
            let f = self.filter.clone();
            let after = self.pages.after();
            self.sent = Some((f.clone(), after.clone()));
            self.list.request(
                ctx.customers()
                    .search_customers(pb::SearchCustomersRequest {
                        query: f.query.trim().to_owned(),
                        province_code: f.province_code,
                        type_id: f.type_id,
                        business_kind: f.business_kind,
                        has_expiring_certificates: f.expiring,
                        status: f.status,
                        sales_rep_id: (f.sales_rep_id != 0).then_some(f.sales_rep_id),
                        cs_rep_id: (f.cs_rep_id != 0).then_some(f.cs_rep_id),
                        page: Some(pb::PageRequest {
                            offset: 0,
                            limit: PAGE,
                        }),
                        after,
                        ..Default::default()
                    }),
            );
        }
        let mut command = None;
        ui.horizontal_wrapped(|ui| {
            if ctx.can(Permission::CustomerWrite) && ui.button(t("customer.new")).clicked() {
                command = Some(ListCommand::New);
            }
            widgets::search_field(
                ui,
                t("customers.search"),
                t("customers.search_hint"),
                200.0,
                &mut self.filter.query,
            );
            widgets::keep_together(ui, t("customer.province"), 140.0);
            let label = ui.label(t("customer.province"));
            egui::ComboBox::from_id_salt("filter_province")
                .selected_text(
                    region::province(&self.filter.province_code)
                        .map_or(t("drugs.status.all"), |p| p.name.as_str()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut self.filter.province_code,
                        String::new(),
                        t("drugs.status.all"),
                    );
                    for p in region::provinces() {
                        ui.selectable_value(
                            &mut self.filter.province_code,
                            p.code.clone(),
                            &p.name,
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            let types = self.types.value().cloned().unwrap_or_default();
            widgets::keep_together(ui, t("customer.type"), 140.0);
            let label = ui.label(t("customer.type"));
            egui::ComboBox::from_id_salt("filter_type")
                .selected_text(
                    self.filter
                        .type_id
                        .and_then(|id| types.iter().find(|x| x.id == id))
                        .map_or(t("drugs.status.all"), |x| x.name.as_str()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.type_id, None, t("drugs.status.all"));
                    for x in &types {
                        let name = if x.is_active {
                            x.name.clone()
                        } else {
                            crate::i18n::bracketed(&x.name, t("common.archived"))
                        };
                        ui.selectable_value(&mut self.filter.type_id, Some(x.id), name);
                    }
                })
                .response
                .labelled_by(label.id);
            let mut kinds = vec![(0, t("drugs.status.all").to_owned())];
            kinds.extend(widgets::choices::<pb::BusinessKind>());
            widgets::combo(
                ui,
                "filter_kind",
                t("customer.kind"),
                &mut self.filter.business_kind,
                &kinds,
            );
            // 全部 first, as every filter lists it.
            let statuses = [
                (pb::CustomerStatusFilter::All, t("drugs.status.all")),
                (pb::CustomerStatusFilter::Active, t("drugs.status.active")),
                (
                    pb::CustomerStatusFilter::Archived,
                    t("drugs.status.archived"),
                ),
            ]
            .map(|(s, label)| (s as i32, label.to_owned()));
            widgets::combo(
                ui,
                "filter_customer_status",
                t("customer.status"),
                &mut self.filter.status,
                &statuses,
            );
            if rep_filters {
                widgets::combo(
                    ui,
                    "filter_sales_rep",
                    t("customer.sales_rep"),
                    &mut self.filter.sales_rep_id,
                    &super::rep_filter_options(&self.sales_reps),
                );
                widgets::combo(
                    ui,
                    "filter_cs_rep",
                    t("customer.cs_rep"),
                    &mut self.filter.cs_rep_id,
                    &super::rep_filter_options(&self.cs_reps),
                );
            }
            ui.checkbox(&mut self.filter.expiring, t("customers.expiring_only"));
        });
        widgets::request_status(ui, &self.list);
        let rows = self
            .list
            .value()
            .map(|l| l.customers.clone())
            .unwrap_or_default();
        let total = self.list.value().map_or(0, |l| l.total);
        let available = ui.available_height() - 48.0;
        let column = |header, text: &dyn Fn(&pb::Customer) -> &str| {
            TableColumn::text(header, cells(&rows, |c| text(c).to_owned()))
        };
        let mut columns = vec![
            // An archived customer's name says so.
            TableColumn::text(t("customer.name"), cells(&rows, super::customer_label)),
            column(t("customer.type"), &|c| &c.type_name),
            column(t("customer.kind"), &|c| {
                choice_label::<pb::BusinessKind>(c.business_kind)
            }),
            column(t("customer.region"), &|c| &c.region),
        ];
        // A sales rep who sees only their own customers would read their own name on
        // every row.
        if !ctx.is_own_sales_rep() {
            columns.push(TableColumn::text(
                t("customer.sales_rep"),
                cells(&rows, |c| format::person(c.sales_rep.as_ref())),
            ));
        }
        columns.extend([
            TableColumn::text(
                t("customer.cs_rep"),
                cells(&rows, |c| format::person(c.cs_rep.as_ref())),
            ),
            TableColumn::text(
                t("customer.certificates"),
                rows.iter()
                    .map(|c| {
                        if c.expired_certificates > 0 {
                            Cell::coloured(t("certificate.expired"), Some(widgets::ERROR))
                        } else if c.expiring_certificates > 0 {
                            Cell::coloured(t("certificate.expiring"), Some(widgets::WARNING))
                        } else {
                            Cell::default()
                        }
                    })
                    .collect(),
            ),
        ]);
        // A click anywhere on the row, its text included, opens the customer.
        if let Some(i) = DataTable::new("customer_table", &columns)
            .clickable()
            .max_height(available)
            .show(ui)
        {
            command = Some(ListCommand::Open(rows[i].id));
        }
        let (exact, next) = self
            .list
            .value()
            .map(|l| (l.total_is_exact, l.next_page.clone()))
            .unwrap_or((true, String::new()));
        self.pages.ui(ui, PAGE, rows.len(), (total, exact), &next);
        command
    }
}
