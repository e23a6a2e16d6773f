//! The drug picker of every form that picks drugs (an order's lines, a customer's
//! varieties): a search of the active catalogue by name or pinyin (`amxl`, `amoxilin` find
//! 阿莫西林), the drugs found as "+ name specification" buttons.

use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::t;

/// How many drugs a search offers.
const OFFERED: u32 = 20;

/// A drug picked by search; archived drugs are never offered.
#[derive(Default)]
pub struct DrugPicker {
    query: String,
    sent: Option<String>,
    results: Requested<Vec<pb::Drug>>,
    /// The query whose answer was last brought into view.
    shown: Option<String>,
}

impl DrugPicker {
    /// Draws the search field labelled `label` and the drugs found that `offer` accepts;
    /// returns the drug clicked, or the first one offered when Enter is pressed in the
    /// field. A pick empties the field for the next search.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        ctx: &AppCtx,
        label: &str,
        offer: impl Fn(&pb::Drug) -> bool,
    ) -> Option<pb::Drug> {
        self.results.poll();
        let entered = ui
            .horizontal(|ui| {
                let label = ui.label(label);
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.query)
                            // An example, said to be one: a bare "amxl" read as typed.
                            .hint_text(t("drugs.picker_hint"))
                            .desired_width(200.0),
                    )
                    .labelled_by(label.id);
                super::entered(ui, &field)
            })
            .inner;
        let query = self.query.trim().to_owned();
        if query.is_empty() {
            return None;
        }
        if self.sent.as_ref() != Some(&query) && !self.results.is_pending() {
            self.sent = Some(query.clone());
            self.results.request(
                ctx.drugs()
                    .search_drugs(pb::SearchDrugsRequest {
                        query: query.clone(),
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
        let mut offered = 0;
        let found = ui.horizontal_wrapped(|ui| {
            for d in self.results.value().into_iter().flatten() {
                if offer(d) {
                    offered += 1;
                    if ui
                        .button(format!("+ {}", drug_label(&d.name, &d.specification)))
                        .clicked()
                    {
                        picked = Some(d.clone());
                    }
                }
            }
        });
        // Nothing found is said, once the answer for what is typed is in.
        let answered = !self.results.is_pending() && self.sent.as_ref() == Some(&query);
        let mut answer = found.response.rect;
        if offered == 0 && answered && self.results.value().is_some() {
            answer = ui
                .label(egui::RichText::new(t("drugs.none_to_pick")).weak())
                .rect;
        }
        // The answer in sight, once: at the foot of a form in a small window it came
        // below the fold, and typing seemed to do nothing.
        if answered && self.shown.as_ref() != Some(&query) {
            self.shown = Some(query.clone());
            ui.scroll_to_rect(answer, None);
        }
        if entered && picked.is_none() && self.sent.as_ref() == Some(&query) {
            picked = self
                .results
                .value()
                .into_iter()
                .flatten()
                .find(|d| offer(d))
                .cloned();
        }
        if picked.is_some() {
            self.query.clear();
            self.sent = None;
        }
        picked
    }

    /// Whether something is typed in the search (and no drug picked from it yet).
    pub fn is_typed(&self) -> bool {
        !self.query.trim().is_empty()
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
