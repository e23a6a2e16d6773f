//! The customer picker: a search by name or pinyin, the customers found as
//! buttons, and the chosen one as a chip that clears it; the invoicing entities a form
//! offers.

use pharmacrm_shared::pb;

use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::i18n::{bracketed, t};
use crate::widgets;

/// How many customers a search offers.
const OFFERED: u32 = 8;

/// A customer picked by search: archived customers too (they still pay, are invoiced and
/// filtered by), marked, unless made [`CustomerPicker::for_orders`].
#[derive(Default)]
pub struct CustomerPicker {
    /// Only active customers (an order's: an archived customer takes no orders).
    active_only: bool,
    query: String,
    sent: Option<String>,
    results: Requested<Vec<pb::Customer>>,
    /// Enter was pressed in the search: the one customer it finds is chosen (once the
    /// answer has come).
    enter: bool,
    /// The chosen customer: id and name.
    pub chosen: Option<(i64, String)>,
    /// It is a list's filter ([`CustomerPicker::filter_ui`]): what is typed but not chosen
    /// is said not to filter the list (a name typed that finds nothing left every order
    /// listed, as if they were that customer's).
    filters: bool,
}

impl CustomerPicker {
    /// A picker offering only the customers that may order (not archived).
    pub fn for_orders() -> CustomerPicker {
        CustomerPicker {
            active_only: true,
            ..CustomerPicker::default()
        }
    }

    /// The chosen customer's id.
    pub fn id(&self) -> Option<i64> {
        self.chosen.as_ref().map(|(id, _)| *id)
    }

    /// Whether something is typed in the search but no customer chosen from it.
    pub fn typed_not_chosen(&self) -> bool {
        self.chosen.is_none() && !self.query.trim().is_empty()
    }

    /// The chosen customer's name.
    pub fn name(&self) -> Option<&str> {
        self.chosen.as_ref().map(|(_, name)| name.as_str())
    }

    /// A form's customer row: this picker labelled `label`, under it the errors of field
    /// `customer_id`. Keeps `customer_id` (0 while none is chosen) the chosen customer's;
    /// whether it changed this frame (what was picked for the customer before is stale).
    /// Enter in its search chooses what it found rather than submitting the form.
    pub fn row(
        &mut self,
        f: &mut widgets::FormUi,
        label: &str,
        ctx: &AppCtx,
        customer_id: &mut i64,
    ) -> bool {
        f.row_submitting(label, "customer_id", false, |ui| {
            ui.horizontal_wrapped(|ui| self.ui(ui, ctx)).inner
        });
        let chosen = self.id().unwrap_or(0);
        let changed = chosen != *customer_id;
        *customer_id = chosen;
        changed
    }

    /// [`CustomerPicker::ui`] as a list's filter, after `label` kept on the line with it.
    /// Put last in a row of filters: the customers found, listed after it, then move
    /// nothing the user may be about to click (营销员 jumped under the pointer).
    pub fn filter_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, label: &str) {
        self.filters = true;
        widgets::keep_together(ui, label, 160.0);
        let label = ui.label(label);
        self.ui(ui, ctx).labelled_by(label.id);
    }

    /// Draws the search (or the chosen customer); the response is the search input's or
    /// the chip's, for the caller to label, marked changed when the choice changed (or
    /// the search was typed into). Callers compare [`CustomerPicker::id`] to know the
    /// choice.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) -> egui::Response {
        self.results.poll();
        if let Some((_, name)) = &self.chosen {
            let mut response = ui
                .button(format!("{name} ×"))
                .on_hover_text(t("orders.clear_customer"));
            if response.clicked() {
                self.chosen = None;
                response.mark_changed();
            }
            return response;
        }
        let query = self.query.trim().to_owned();
        if !query.is_empty() && self.sent.as_ref() != Some(&query) && !self.results.is_pending() {
            self.sent = Some(query.clone());
            self.results.request(
                ctx.customers()
                    .search_customers(pb::SearchCustomersRequest {
                        query,
                        page: Some(pb::PageRequest {
                            offset: 0,
                            limit: OFFERED,
                        }),
                        status: if self.active_only {
                            pb::CustomerStatusFilter::Active
                        } else {
                            pb::CustomerStatusFilter::All
                        } as i32,
                        ..Default::default()
                    })
                    .map(|r| r.customers),
            );
        }
        let mut response = ui.add(
            egui::TextEdit::singleline(&mut self.query)
                .hint_text(t("orders.customer_hint"))
                .desired_width(160.0),
        );
        if response.changed() {
            self.enter = false;
        }
        if widgets::entered(ui, &response) {
            self.enter = true;
        }
        if !self.query.trim().is_empty() {
            let found = self.results.value().cloned().unwrap_or_default();
            // Nothing found is said (for an order, why a known customer may be missing).
            let answered = self.results.value().is_some()
                && !self.results.is_pending()
                && self.sent.as_deref() == Some(self.query.trim());
            // Enter chooses the one customer found (several: the user picks).
            if self.enter && answered {
                self.enter = false;
                if let [c] = found.as_slice() {
                    self.chosen = Some((c.id, crate::customers::customer_label(c)));
                    self.query.clear();
                    self.sent = None;
                    response.mark_changed();
                    return response;
                }
            }
            if found.is_empty() && answered {
                let none = if self.active_only {
                    t("orders.customer_none_to_order")
                } else if self.filters {
                    t("orders.customer_none_unfiltered")
                } else {
                    t("orders.customer_none")
                };
                // In a filter bar, on a row of its own rather than broken over two.
                widgets::keep_together(ui, none, 0.0);
                ui.label(egui::RichText::new(none).weak());
            }
            if !found.is_empty() {
                // Typed is not chosen: nothing is filtered (or ordered) until one is.
                let pick = if self.filters {
                    t("orders.customer_pick_to_filter")
                } else {
                    t("orders.customer_pick")
                };
                widgets::keep_together(ui, pick, 0.0);
                ui.label(egui::RichText::new(pick).weak());
            }
            for c in found {
                // The chip keeps the mark: an archived customer stays said so.
                let name = crate::customers::customer_label(&c);
                // The name alone: a choice among those found, not something added.
                if ui
                    .button(&name)
                    .on_hover_text(t("orders.choose_customer"))
                    .clicked()
                {
                    self.chosen = Some((c.id, name));
                    self.query.clear();
                    self.sent = None;
                    response.mark_changed();
                }
            }
        }
        response
    }
}

/// The active invoicing entities (开票单位) a form offers (the invoice form: archived ones
/// too), asked for once.
#[derive(Default)]
pub struct InvoicingEntities {
    list: Requested<Vec<pb::InvoicingEntity>>,
    /// Archived ones too (see [`InvoicingEntities::including_archived`]).
    include_archived: bool,
}

impl InvoicingEntities {
    /// The archived entities too, for what they shipped before: an archived entity takes
    /// no new orders or shipments but still invoices its goods.
    pub fn including_archived() -> Self {
        InvoicingEntities {
            include_archived: true,
            ..Default::default()
        }
    }

    /// Whether they have not been asked for yet (the form's first frame).
    pub fn is_not_requested(&self) -> bool {
        self.list.is_not_requested()
    }

    /// Asks for them the first time; the id of the first (the default) when they have
    /// just come.
    pub fn poll(&mut self, ctx: &AppCtx) -> Option<i64> {
        if self.list.is_not_requested() {
            self.list.request(
                ctx.orders()
                    .list_invoicing_entities(pb::ListInvoicingEntitiesRequest {
                        include_archived: self.include_archived,
                    })
                    .map(|r| r.entities),
            );
        }
        match self.list.poll() {
            Polled::JustDone => self
                .list
                .value()
                .and_then(|e| e.iter().find(|e| e.is_active))
                .map(|e| e.id),
            _ => None,
        }
    }

    /// The choices among those loaded with [`InvoicingEntities::including_archived`]:
    /// the active ones and the archived ones `offered` (each marked 已归档), and `keep` (an
    /// id) whatever it is.
    pub fn options_with_archived(
        &self,
        offered: impl Fn(i64) -> bool,
        keep: i64,
    ) -> Vec<(i64, String)> {
        self.list
            .value()
            .into_iter()
            .flatten()
            .filter(|e| e.is_active || e.id == keep || offered(e.id))
            .map(|e| {
                let name = if e.is_active {
                    e.name.clone()
                } else {
                    bracketed(&e.name, t("common.archived"))
                };
                (e.id, name)
            })
            .collect()
    }

    /// The choices: (id, name), in the server's order (sort order, then name); `keep`
    /// (id, name) first when it is not among them (archived since it was chosen).
    pub fn options(&self, keep: Option<(i64, &str)>) -> Vec<(i64, String)> {
        let mut options: Vec<(i64, String)> = self
            .list
            .value()
            .into_iter()
            .flatten()
            .map(|e| (e.id, e.name.clone()))
            .collect();
        if let Some((id, name)) = keep
            && !options.iter().any(|(each, _)| *each == id)
        {
            options.insert(0, (id, name.to_owned()));
        }
        options
    }
}
