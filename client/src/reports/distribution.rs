//! 客户地域分布: how many customers each province has (optionally of one business kind,
//! of one customer type, archived ones too); a province clicked shows its cities.

use pharmacrm_shared::pb;

use super::chart::Values;
use super::frame::{self, Column, Drill, Frame, Regions, cells, count};
use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets;

/// The customer-distribution tab.
pub(super) struct DistributionTab {
    /// A `pb::BusinessKind`; 0: every kind.
    business_kind: i32,
    /// A customer type's id; 0: every type.
    type_id: i64,
    /// The customer types to choose from (as the customer list offers them).
    types: Requested<Vec<pb::CustomerType>>,
    include_archived: bool,
    drill: Drill,
    pub(super) frame: Frame<pb::CustomerDistributionRequest>,
}

impl Default for DistributionTab {
    fn default() -> Self {
        DistributionTab {
            business_kind: 0,
            type_id: 0,
            types: Requested::NotRequested,
            include_archived: false,
            drill: Drill::default(),
            frame: Frame::new("customers"),
        }
    }
}

impl DistributionTab {
    /// The report the filters ask for, at the level drilled to.
    fn request(&self) -> pb::CustomerDistributionRequest {
        pb::CustomerDistributionRequest {
            province_code: self.drill.code(),
            business_kind: self.business_kind,
            type_id: (self.type_id != 0).then_some(self.type_id),
            include_archived: self.include_archived,
            ..Default::default()
        }
    }

    /// Draws the tab; `title` names its export.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, title: &str) {
        if self.types.is_not_requested() {
            self.types.request(
                ctx.customers()
                    .list_customer_types(pb::ListCustomerTypesRequest::default())
                    .map(|r| r.types),
            );
        }
        self.types.poll();
        self.frame.poll();
        let mut types = vec![(0, t("report.all").to_owned())];
        types.extend(
            self.types
                .value()
                .into_iter()
                .flatten()
                .map(|x| (x.id, x.name.clone())),
        );
        let mut run = self.frame.never_run() || self.frame.is_refresh_due();
        // A choice made runs the report at once (the table left as it was read as the
        // new choice's).
        let mut picked = false;
        run |= frame::filter_bar(ui, self.frame.is_running(), |ui| {
            picked |= widgets::combo(
                ui,
                "report_distribution_kind",
                t("customer.kind"),
                &mut self.business_kind,
                &frame::any_or::<pb::BusinessKind>(),
            );
            picked |= widgets::combo(
                ui,
                "report_distribution_type",
                t("customer.type"),
                &mut self.type_id,
                &types,
            );
            picked |= ui
                .checkbox(&mut self.include_archived, t("report.include_archived"))
                .changed();
        });
        run |= picked;
        run |= self.drill.ui(ui);
        if run {
            self.frame.run(ctx, self.request());
        }
        let Some(report) = self.frame.shown_ui(ui, ctx, title, None) else {
            return;
        };
        let rows = &report.rows;
        let province_code = self
            .frame
            .shown()
            .map(|r| r.province_code.clone())
            .unwrap_or_default();
        let regions = Regions {
            salt: "report_distribution",
            chart_title: t("report.chart.customers_by_region"),
            values: Values::Count,
            province_code: &province_code,
            rows,
            region: |r| (&r.region_code, &r.region_name, r.customers as f64),
        };
        let figures = vec![
            Column::count(
                t("report.customer_count"),
                cells(rows, |r| count(r.customers)),
            )
            .sorts_by("customers")
            .total(count(report.customers)),
        ];
        // A province clicked shows its cities.
        if self
            .drill
            .regions_ui(ui, ctx, &mut self.frame, regions, figures)
        {
            self.frame.run(ctx, self.request());
        }
    }
}
