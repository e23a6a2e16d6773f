//! 客户消费情况: what each customer bought in a period (optionally the customers of one
//! province), their last order and what they owe now. A customer clicked opens it.

use pharmacrm_shared::region;
use pharmacrm_shared::{Permission, pb};

use super::frame::{Column, Frame, Period, RowClick, Sales, cells, sales_columns};
use crate::ctx::{AppCtx, Navigate};
use crate::i18n::t;
use crate::widgets;

/// The customer-consumption tab.
pub(super) struct ConsumptionTab {
    /// Empty: every province.
    province_code: String,
    pub(super) frame: Frame<pb::CustomerConsumptionRequest>,
}

impl Default for ConsumptionTab {
    fn default() -> Self {
        ConsumptionTab {
            province_code: String::new(),
            frame: Frame::new("amount").of_sales(),
        }
    }
}

impl ConsumptionTab {
    /// The report the filters ask for.
    fn request(&self, period: &Period) -> pb::CustomerConsumptionRequest {
        pb::CustomerConsumptionRequest {
            date_from: period.date_from(),
            date_to: period.date_to(),
            province_code: self.province_code.clone(),
            ..Default::default()
        }
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str, period: &mut Period) {
        self.frame.poll();
        let mut provinces = vec![(String::new(), t("report.all").to_owned())];
        provinces.extend(
            region::provinces()
                .iter()
                .map(|p| (p.code.clone(), p.name.clone())),
        );
        // A province picked runs the report at once, as a quick period does.
        let mut picked = false;
        let run = self
            .frame
            .period_bar(ui, "report_consumption", period, |ui| {
                picked = widgets::combo(
                    ui,
                    "report_consumption_province",
                    t("report.province"),
                    &mut self.province_code,
                    &provinces,
                );
            });
        if run || picked {
            self.frame.run_for(ctx, self.request(period), period);
        }
        let Some(report) = self.frame.shown_ui(ui, ctx, title, Some(period)) else {
            return;
        };
        let rows = &report.rows;
        let mut columns = vec![
            Column::text(
                t("report.customer"),
                cells(rows, |r| r.customer_name.clone()),
            )
            .sorts_by("name")
            .total(t("report.totals")),
            Column::text(t("report.region"), cells(rows, |r| r.region.clone())),
            Column::text(
                t("report.sales_rep"),
                cells(rows, |r| r.sales_rep_name.clone()),
            ),
        ];
        columns.extend(sales_columns(
            rows,
            |r| Sales {
                amount: &r.amount,
                orders: r.orders.into(),
                customers: None,
            },
            Sales {
                amount: &report.amount,
                orders: report.orders.into(),
                customers: None,
            },
        ));
        columns.extend([
            Column::text(
                t("report.last_order"),
                cells(rows, |r| r.last_order_date.clone()),
            )
            .sorts_by("last_order"),
            Column::money(
                t("report.outstanding"),
                cells(rows, |r| r.outstanding.clone()),
            )
            .sorts_by("outstanding")
            .total(report.outstanding.clone()),
            Column::money(
                t("report.on_account"),
                cells(rows, |r| r.on_account.clone()),
            )
            .sorts_by("on_account")
            .total(report.on_account.clone()),
        ]);
        // A customer clicked opens it, for those who may read customers.
        let can_open = ctx.can(Permission::CustomerRead);
        if let Some(row) = self
            .frame
            .table_ui(
                ui,
                ctx,
                "report_consumption_table",
                &columns,
                Some(report.total),
                if can_open {
                    RowClick::Open
                } else {
                    RowClick::Nothing
                },
            )
            .and_then(|i| rows.get(i))
        {
            ctx.navigate(Navigate::Customer {
                id: row.customer_id,
                from: pharmacrm_shared::Module::Report,
            });
        }
    }
}
