//! The order list: filters (number, creation dates, customer, reps, status, overdue
//! shipments, open exceptions), server-side paging and sorting, each order's status and
//! progress, overdue orders in red.

use pharmacrm_shared::{Permission, pb};

use super::pickers::CustomerPicker;
use super::table::{OrderSortState, orders_table, overdue_legend};
use crate::backend::{OffsetPaged, Requested};
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

const PAGE: u32 = 100;

/// The filters as typed.
#[derive(Clone, Debug, PartialEq, Default)]
struct Filter {
    number: String,
    created_from: String,
    created_to: String,
    /// 0: any.
    sales_rep_id: i64,
    /// 0: any.
    cs_rep_id: i64,
    /// 0: any.
    status: i32,
    has_overdue: bool,
    has_open_exceptions: bool,
    closed_only: bool,
}

/// What the list asks for: the filters as sent, the sort and the page.
#[derive(Clone, Debug, PartialEq)]
struct SearchKey {
    number: String,
    created_from: String,
    created_to: String,
    customer_id: Option<i64>,
    sales_rep_id: Option<i64>,
    cs_rep_id: Option<i64>,
    status: i32,
    has_overdue: bool,
    has_open_exceptions: bool,
    closed_only: bool,
    sort: OrderSortState,
}

/// What the list asks of the panel.
pub enum ListCommand {
    /// Open this order.
    Open(i64),
    /// Place a new order (with the customer picker).
    New,
}

/// The list.
#[derive(Default)]
pub struct OrderList {
    filter: Filter,
    customer: CustomerPicker,
    sort: OrderSortState,
    list: OffsetPaged<SearchKey, pb::SearchOrdersResponse>,
    sales_reps: Requested<Vec<pb::UserRef>>,
    cs_reps: Requested<Vec<pb::UserRef>>,
}

impl OrderList {
    /// Searches again (after a save).
    pub fn refresh(&mut self) {
        self.list.refresh();
    }

    fn key(&self) -> SearchKey {
        let f = &self.filter;
        let id = |id: i64| (id != 0).then_some(id);
        SearchKey {
            number: f.number.trim().to_owned(),
            created_from: widgets::date_filter_key(&f.created_from),
            created_to: widgets::date_filter_key(&f.created_to),
            customer_id: self.customer.id(),
            sales_rep_id: id(f.sales_rep_id),
            cs_rep_id: id(f.cs_rep_id),
            status: f.status,
            has_overdue: f.has_overdue,
            has_open_exceptions: f.has_open_exceptions,
            closed_only: f.closed_only,
            sort: self.sort,
        }
    }

    /// The request for `key`'s page `page`.
    fn request(key: SearchKey, page: pb::PageRequest) -> pb::SearchOrdersRequest {
        pb::SearchOrdersRequest {
            number: key.number,
            created_from: key.created_from,
            created_to: key.created_to,
            customer_id: key.customer_id,
            sales_rep_id: key.sales_rep_id,
            cs_rep_id: key.cs_rep_id,
            statuses: if key.status == 0 {
                Vec::new()
            } else {
                vec![key.status]
            },
            has_overdue: key.has_overdue,
            has_open_exceptions: key.has_open_exceptions,
            closed_only: key.closed_only,
            mine: false,
            cancelled_by_others_since: String::new(),
            sort: key.sort.0.key,
            descending: key.sort.0.descending,
            page: Some(page),
        }
    }

    /// Draws the list.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<ListCommand> {
        // The rep filters and the customer picker read customers; the rep filters are for
        // those who see a team's orders (a rep's own would list everyone else, to find
        // nothing).
        let can_pick = ctx.can(Permission::CustomerRead);
        let rep_filters = can_pick && ctx.oversees();
        // A CS rep serves the customers of several sales reps: theirs is the one rep
        // filter that finds something (the CS filter would name only themselves).
        let sales_rep_filter =
            rep_filters || (can_pick && ctx.can(pharmacrm_shared::permission::CS_REP_ROLE));
        if rep_filters && self.sales_reps.is_not_requested() {
            // Everyone who was ever a rep: a departed rep's orders are still found.
            let roles = [
                (&mut self.sales_reps, "sales_all"),
                (&mut self.cs_reps, "cs_all"),
            ];
            for (slot, role) in roles {
                crate::customers::request_reps(slot, ctx, role);
            }
        } else if sales_rep_filter && self.sales_reps.is_not_requested() {
            // The people responsible for the customers they serve: their sales reps
            // (and themselves, left out below).
            crate::customers::request_reps(&mut self.sales_reps, ctx, "holders");
        }
        self.sales_reps.poll();
        self.cs_reps.poll();
        // Another filter or sort starts again at the first page.
        self.list.poll(self.key(), PAGE, |key, page| {
            ctx.orders().search_orders(Self::request(key, page))
        });
        let mut command = None;
        let mut unread = Vec::new();
        ui.horizontal_wrapped(|ui| {
            if ctx.can(Permission::OrderWrite) && ui.button(t("orders.new")).clicked() {
                command = Some(ListCommand::New);
            }
            widgets::search_field(
                ui,
                t("order.number"),
                t("orders.number_hint"),
                // A whole number, SO20261205-0002, in sight.
                150.0,
                &mut self.filter.number,
            );
            unread = widgets::period_filter(
                ui,
                "orders_created",
                (t("orders.created_from"), &mut self.filter.created_from),
                (t("orders.created_to"), &mut self.filter.created_to),
            );
            if sales_rep_filter {
                let mut options = crate::customers::rep_filter_options(&self.sales_reps);
                if !rep_filters {
                    options.retain(|(id, _)| *id != ctx.user_id());
                }
                widgets::combo(
                    ui,
                    "orders_sales_rep",
                    t("order.sales_rep"),
                    &mut self.filter.sales_rep_id,
                    &options,
                );
            }
            if rep_filters {
                widgets::combo(
                    ui,
                    "orders_cs_rep",
                    t("order.cs_rep"),
                    &mut self.filter.cs_rep_id,
                    &crate::customers::rep_filter_options(&self.cs_reps),
                );
            }
            let mut statuses = vec![(0, t("drugs.status.all").to_owned())];
            statuses.extend(widgets::choices::<pb::OrderStatus>());
            widgets::combo(
                ui,
                "orders_status",
                t("order.status"),
                &mut self.filter.status,
                &statuses,
            );
            ui.checkbox(&mut self.filter.has_overdue, t("orders.has_overdue"));
            ui.checkbox(
                &mut self.filter.has_open_exceptions,
                t("orders.has_open_exceptions"),
            );
            ui.checkbox(&mut self.filter.closed_only, t("orders.closed"));
            if can_pick {
                self.customer.filter_ui(ui, ctx, t("order.customer"));
            }
        });
        overdue_legend(ui);
        widgets::unread_dates_ui(ui, &unread);
        widgets::filters_status(
            ui,
            &self.list.result,
            &[
                ("created_from", t("orders.created_from")),
                ("created_to", t("common.end_date")),
            ],
        );
        let rows = self
            .list
            .answer()
            .map(|l| l.orders.clone())
            .unwrap_or_default();
        let total = self.list.answer().map_or(0, |l| l.total);
        let available = ui.available_height() - 48.0;
        if let Some(id) = orders_table(
            ui,
            "order_table",
            &rows,
            true,
            Some(&mut self.sort),
            Some(available),
        ) {
            command = Some(ListCommand::Open(id));
        }
        // Another page changes the offset, which asks again.
        widgets::pager(ui, &mut self.list.offset, rows.len(), total, PAGE);
        command
    }
}
