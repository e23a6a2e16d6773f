//! 欠款: the customers within scope who owe, with their ageing as of today, filtered by
//! sales rep, department, how overdue and a customer search; oldest overdue first (or by
//! customer, outstanding, amount overdue or due date, either way, as a header is clicked),
//! with the totals of every match, exported to Excel as shown. A row opens its customer.
//! 我的工作 lists the overdue ones ([`ArrearsWork`]).

use egui::RichText;
use pharmacrm_shared::{Permission, pb};

use crate::backend::{OffsetPaged, Requested};
use crate::ctx::{AppCtx, Navigate};
use crate::format;
use crate::i18n::{label_value, t, tn};
use crate::reports::export::ExportBar;
use crate::widgets;
use crate::widgets::{Cell, DataTable, RowStyle, TableColumn, cells};

const PAGE: u32 = 100;

/// How many overdue customers 我的工作 shows.
const WORK_SHOWN: u32 = 50;

/// The filters as chosen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Filter {
    /// 0: any.
    sales_rep_id: i64,
    /// 0: any.
    department_id: i64,
    /// A `pb::ArrearsBucket`.
    bucket: i32,
    /// The customer search as typed.
    query: String,
    /// A `pb::ArrearsSort` and its direction; by default the oldest overdue first.
    sort: widgets::Sort,
}

impl Filter {
    /// After the bucket changed from `before`: the paid-ahead list is sorted by what each
    /// holds, largest first; leaving it, the list sorted by that column (which goes)
    /// returns to the default order.
    fn sort_for_bucket(&mut self, before: i32) {
        let in_credit = pb::ArrearsBucket::InCredit as i32;
        let on_account = pb::ArrearsSort::OnAccount as i32;
        if self.bucket == before {
            return;
        }
        if self.bucket == in_credit {
            self.sort = widgets::Sort {
                key: on_account,
                descending: true,
            };
        } else if self.sort.key == on_account {
            self.sort = widgets::Sort::default();
        }
    }

    /// The request for these filters (paging aside).
    fn request(&self) -> pb::ListArrearsRequest {
        let id = |id: i64| (id != 0).then_some(id);
        pb::ListArrearsRequest {
            sales_rep_id: id(self.sales_rep_id),
            department_id: id(self.department_id),
            bucket: self.bucket,
            query: self.query.trim().to_owned(),
            page: None,
            sort: self.sort.key,
            descending: self.sort.descending,
        }
    }
}

/// The arrears tab.
#[derive(Default)]
pub(super) struct ArrearsPanel {
    filter: Filter,
    list: OffsetPaged<Filter, pb::ListArrearsResponse>,
    reps: Requested<Vec<pb::UserRef>>,
    departments: Requested<Vec<pb::ScopeDepartment>>,
    export: ExportBar,
}

impl ArrearsPanel {
    /// Reads the list again (the tab shown again).
    pub(super) fn refresh(&mut self) {
        self.list.refresh();
        // An export's outcome was of the figures before (a payment since changes them).
        self.export.forget_outcome();
    }

    /// The departments offered: those the user's data scope covers (finance's every one,
    /// a manager's own and those under it), each by its path.
    fn department_options(&self) -> Vec<(i64, String)> {
        let mut options = vec![(0, t("finance.all").to_owned())];
        let departments = self.departments.value().map(Vec::as_slice);
        options.extend(widgets::tree_paths(
            departments.unwrap_or_default(),
            |d| d.id,
            |d| d.parent_id,
            |d| &d.name,
        ));
        options
    }

    /// Draws the tab.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        super::load_reps(&mut self.reps, ctx, super::RepRole::Sales);
        if self.departments.is_not_requested() && ctx.can(Permission::CustomerRead) {
            self.departments.request(
                ctx.customers()
                    .list_scope_departments(())
                    .map(|r| r.departments),
            );
        }
        self.departments.poll();
        // Another filter starts again at the first page.
        self.list.poll(self.filter.clone(), PAGE, |filter, page| {
            ctx.finance().list_arrears(pb::ListArrearsRequest {
                page: Some(page),
                ..filter.request()
            })
        });
        let departments = self.department_options();
        // A sales rep who sees only their own customers has nothing to choose among reps.
        let own_only = ctx.is_own_sales_rep();
        let bucket_before = self.filter.bucket;
        ui.horizontal_wrapped(|ui| {
            widgets::search_field(
                ui,
                t("arrears.search"),
                t("arrears.search_hint"),
                200.0,
                &mut self.filter.query,
            );
            if ctx.can(Permission::CustomerRead) && !own_only {
                widgets::combo(
                    ui,
                    "arrears_sales_rep",
                    t("finance.sales_rep"),
                    &mut self.filter.sales_rep_id,
                    &super::rep_choices(&self.reps, t("finance.all")),
                );
            }
            // There from the first frame for those who see others' customers (the list
            // arrives later): the filters after it do not move when it does.
            if ctx.can(Permission::CustomerRead) && !own_only {
                widgets::combo_up_to(
                    ui,
                    "arrears_department",
                    t("arrears.department"),
                    &mut self.filter.department_id,
                    &departments,
                    260.0,
                );
            }
            widgets::combo(
                ui,
                "arrears_bucket",
                t("arrears.bucket"),
                &mut self.filter.bucket,
                &widgets::choices::<pb::ArrearsBucket>(),
            );
            if ui.button(t("common.reload")).clicked() {
                self.refresh();
            }
        });
        self.filter.sort_for_bucket(bucket_before);
        // Every match of the filters as chosen, as of today, in the list's order.
        let file_name = format!(
            "{}_{}.xlsx",
            t("finance.tab.arrears"),
            format::business_today_text()
        );
        self.export.ui(
            ui,
            ctx,
            Some(pb::export_request::Report::Arrears(self.filter.request())),
            &file_name,
        );
        widgets::request_status(ui, &self.list.result);
        let list = self.list.result.value().cloned().unwrap_or_default();
        let in_credit = self.filter.bucket == pb::ArrearsBucket::InCredit as i32;
        if !list.overdue.is_empty() {
            let ageing = list.ageing.clone().unwrap_or_default();
            // Those who paid ahead: what they hold, not what they owe.
            let figures = if in_credit {
                vec![(t("arrears.on_account"), ageing.on_account.as_str())]
            } else {
                vec![
                    (t("arrears.outstanding"), ageing.outstanding.as_str()),
                    (t("arrears.overdue"), list.overdue.as_str()),
                ]
            };
            super::totals_line(ui, &figures);
        }
        // Customers who paid ahead owe nothing and are not listed: what they hold is said,
        // so that (with no 逾期范围 chosen) the totals meet the statement's: 欠款 − 预收 = 余额.
        if list.credit_customers > 0 {
            ui.label(
                RichText::new(
                    tn("arrears.credit", list.credit_customers)
                        .replace("{amount}", &format::money(&list.credit)),
                )
                .weak(),
            );
        }
        let available = ui.available_height() - 48.0;
        // Another sort asks again from the first page, as another filter does.
        let sort = Some(&mut self.filter.sort);
        // Nobody matched: no table of a lone totals row (the pager says there is nothing).
        let clicked = if list.rows.is_empty() {
            None
        } else {
            arrears_table(ui, &list, Some(available), !own_only, in_credit, sort)
        };
        if let Some(i) = clicked
            && let Some(row) = list.rows.get(i)
            && ctx.can(Permission::CustomerRead)
        {
            ctx.navigate(Navigate::Customer {
                id: row.customer_id,
                from: pharmacrm_shared::Module::Finance,
            });
        }
        // Another page changes the offset, which asks again.
        widgets::pager(ui, &mut self.list.offset, list.rows.len(), list.total, PAGE);
    }
}

/// The arrears rows and, last, the totals of every match; returns the row clicked (an
/// index into `list.rows`; the totals row is past them). With `in_credit` (the customers
/// who paid ahead), what each holds on account (预收) after the rep. With `sort`,
/// the customer, outstanding and oldest-due headers set it.
fn arrears_table(
    ui: &mut egui::Ui,
    list: &pb::ListArrearsResponse,
    max_height: Option<f32>,
    show_rep: bool,
    in_credit: bool,
    sort: Option<&mut widgets::Sort>,
) -> Option<usize> {
    let rows = &list.rows;
    let totals = list.ageing.clone().unwrap_or_default();
    // A money column: each row's amount, then the total's.
    let money = |header: &'static str, of: fn(&pb::Ageing) -> &str| {
        let mut column: Vec<Cell> = rows
            .iter()
            .map(|r| Cell::new(r.ageing.as_ref().map_or("", of)))
            .collect();
        column.push(Cell::new(of(&totals)));
        TableColumn::money(header, column)
    };
    // A text column whose totals cell is `total`.
    let text = |header: &'static str, mut column: Vec<Cell>, total: &str| {
        column.push(Cell::new(total));
        TableColumn::text(header, column)
    };
    let red = |amount: &str| super::is_positive(amount).then_some(widgets::ERROR);
    let mut overdue: Vec<Cell> = rows
        .iter()
        .map(|r| Cell::coloured(r.overdue.clone(), red(&r.overdue)))
        .collect();
    overdue.push(Cell::coloured(list.overdue.clone(), red(&list.overdue)));
    let mut last_payment: Vec<Cell> = cells(rows, |r| r.last_payment_amount.clone());
    last_payment.push(Cell::default());
    // No limit says so (the customer view's word), not an empty cell.
    let mut credit_limit: Vec<Cell> = cells(rows, |r| {
        if r.credit_limit.is_empty() {
            t("credit.no_limit").to_owned()
        } else {
            r.credit_limit.clone()
        }
    });
    credit_limit.push(Cell::default());
    let rep = show_rep.then(|| {
        text(
            t("finance.sales_rep"),
            cells(rows, |r| format::person(r.sales_rep.as_ref())),
            "",
        )
    });
    let columns: Vec<TableColumn> = [
        Some(
            text(
                t("finance.customer"),
                cells(rows, |r| {
                    crate::customers::named_customer(&r.customer_name, r.customer_archived)
                }),
                t("arrears.totals"),
            )
            .sorted_by(pb::ArrearsSort::Customer as i32, false),
        ),
        rep,
    ]
    .into_iter()
    .flatten()
    // Beside the customer: what it holds is what the list is about (its ageing is mostly
    // nothing), in sight in a narrow window.
    .chain(in_credit.then(|| {
        money(t("arrears.on_account"), |a| a.on_account.as_str())
            .sorted_by(pb::ArrearsSort::OnAccount as i32, true)
    }))
    // What a collector reads first (how much, how late), in sight at 900 px; the ageing
    // that makes it up after.
    .chain([
        money(t("arrears.outstanding"), |a| a.outstanding.as_str())
            .sorted_by(pb::ArrearsSort::Outstanding as i32, true),
        TableColumn::money(t("arrears.overdue"), overdue)
            .sorted_by(pb::ArrearsSort::Overdue as i32, true),
        text(
            t("arrears.oldest_due"),
            rows.iter()
                .map(|r| {
                    let colour = (!r.oldest_overdue_due_date.is_empty()).then_some(widgets::ERROR);
                    Cell::coloured(r.oldest_overdue_due_date.clone(), colour)
                })
                .collect(),
            "",
        )
        .sorted_by(pb::ArrearsSort::OldestDue as i32, false),
        TableColumn::count(
            t("arrears.days_overdue_header"),
            rows.iter()
                .map(|r| {
                    if r.days_overdue > 0 {
                        Cell::coloured(r.days_overdue.to_string(), Some(widgets::ERROR))
                    } else {
                        Cell::default()
                    }
                })
                .chain([Cell::default()])
                .collect(),
        ),
        money(t("finance.ageing.not_due"), |a| a.not_due.as_str()),
        money(t("finance.ageing.days_1_to_30"), |a| {
            a.days_1_to_30.as_str()
        }),
        money(t("finance.ageing.days_31_to_60"), |a| {
            a.days_31_to_60.as_str()
        }),
        money(t("finance.ageing.days_61_to_90"), |a| {
            a.days_61_to_90.as_str()
        }),
        money(t("finance.ageing.over_90_days"), |a| {
            a.over_90_days.as_str()
        }),
        text(
            t("arrears.last_payment_date"),
            cells(rows, |r| r.last_payment_date.clone()),
            "",
        ),
        TableColumn::money(t("arrears.last_payment_amount"), last_payment),
        TableColumn::money(t("credit.limit"), credit_limit),
    ])
    .collect();
    let mut styles = vec![RowStyle::Normal; rows.len()];
    styles.push(RowStyle::Strong);
    DataTable::new("arrears_table", &columns)
        .styles(&styles)
        .clickable()
        .max_height(max_height)
        .sort(sort)
        .show(ui)
        .filter(|i| *i < rows.len())
}

/// 我的工作's overdue arrears (for those who read arrears): the customers within scope
/// owing something overdue, oldest due date first, each opening the customer.
#[derive(Default)]
pub struct ArrearsWork {
    list: Requested<pb::ListArrearsResponse>,
}

impl ArrearsWork {
    /// Asks again next time it is shown, the rows shown until the answer replaces them.
    pub fn refresh(&mut self) {
        self.list.invalidate();
    }

    /// Draws the list (nothing without the permission); returns a customer to open.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> Option<i64> {
        if !ctx.can(Permission::ArrearsRead) {
            return None;
        }
        if self.list.is_not_requested() {
            self.list
                .request(ctx.finance().list_arrears(pb::ListArrearsRequest {
                    bucket: pb::ArrearsBucket::Overdue as i32,
                    page: Some(pb::PageRequest {
                        offset: 0,
                        limit: WORK_SHOWN,
                    }),
                    ..Default::default()
                }));
        }
        let mut open = None;
        widgets::work_list(
            ui,
            t("arrears.work.title"),
            t("arrears.work.none"),
            &mut self.list,
            (|l| &l.rows, |l| l.total),
            |ui, r| {
                if ui.link(&r.customer_name).clicked() {
                    open = Some(r.customer_id);
                }
                widgets::team_rep(ui, ctx, r.sales_rep.as_ref());
                ui.label(
                    RichText::new(label_value(
                        t("arrears.overdue"),
                        &format::money(&r.overdue),
                    ))
                    .color(widgets::ERROR),
                );
                if !r.oldest_overdue_due_date.is_empty() {
                    ui.label(label_value(
                        t("arrears.oldest_due"),
                        &r.oldest_overdue_due_date,
                    ));
                }
                let days = u64::try_from(r.days_overdue).unwrap_or(0);
                ui.label(RichText::new(tn("arrears.days_overdue", days)).color(widgets::ERROR));
            },
        );
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Choosing 预收（多付款） lists who paid most first; leaving it drops that order (its
    /// column goes) but keeps any other the user chose.
    #[test]
    fn the_paid_ahead_bucket_sorts_by_what_is_held() {
        let [in_credit, overdue] =
            [pb::ArrearsBucket::InCredit, pb::ArrearsBucket::Overdue].map(|b| b as i32);
        let held = widgets::Sort {
            key: pb::ArrearsSort::OnAccount as i32,
            descending: true,
        };
        let mut filter = Filter {
            bucket: in_credit,
            ..Filter::default()
        };
        filter.sort_for_bucket(0);
        assert_eq!(filter.sort, held);
        filter.bucket = overdue;
        filter.sort_for_bucket(in_credit);
        assert_eq!(filter.sort, widgets::Sort::default());

        let by_name = widgets::Sort {
            key: pb::ArrearsSort::Customer as i32,
            descending: false,
        };
        filter.sort = by_name;
        filter.sort_for_bucket(overdue);
        assert_eq!(filter.sort, by_name, "the bucket did not change");
        filter.bucket = 0;
        filter.sort_for_bucket(overdue);
        assert_eq!(filter.sort, by_name);
    }
}
