//! The drug picker of every form that picks drugs (an order's lines, a customer's
//! varieties): a search of the active catalogue by name or pinyin initials (`amxl` finds
//! 阿莫西林), the drugs found as "+ name specification" buttons.

use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;

/// How many drugs a search offers.
const OFFERED: u32 = 20;

/// A drug picked by search; archived drugs are never offered.
#[derive(Default)]
pub struct DrugPicker {
    query: String,
    sent: Option<String>,
    results: Requested<Vec<pb::Drug>>,
}

impl DrugPicker {
    /// Draws the search field labelled `label` and the drugs found that `offer` accepts;
    /// returns the drug clicked.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        label: &str,
        offer: impl Fn(&pb::Drug) -> bool,
    ) -> Option<pb::Drug> {
        self.results.poll();
        ui.horizontal(|ui| {
            let label = ui.label(label);
            ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text("amxl")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
        });
        let query = self.query.trim().to_owned();
        if query.is_empty() {
            return None;
        }
        if self.sent.as_ref() != Some(&query) && !self.results.is_pending() {
            self.sent = Some(query.clone());
            self.results.request(
                ctx.drugs()
                    .search_drugs(pb::SearchDrugsRequest {
                        query,
                        // Active drugs only.
                        status: pb::DrugStatusFilter::Active as i32,
                        page: Some(pb::PageRequest {
                            offset: 0,
                            limit: OFFERED,
                        }),
                        ..Default::default()
                    })
                    .map(|r| r.drugs),
            );
        }
        let mut picked = None;
        ui.horizontal_wrapped(|ui| {
            for d in self.results.value().into_iter().flatten() {
                if offer(d)
                    && ui
                        .button(format!("+ {}", drug_label(&d.name, &d.specification)))
                        .clicked()
                {
                    picked = Some(d.clone());
                }
            }
        });
        picked
    }
}

/// "name specification" as forms and lines show a drug (the name alone without one).
pub fn drug_label(name: &str, specification: &str) -> String {
    if specification.is_empty() {
        name.to_owned()
    } else {
        format!("{name} {specification}")
    }
}
