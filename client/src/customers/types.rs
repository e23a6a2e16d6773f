//! 客户类型: the customer-type dictionary (潜在, 意向, 成交, 重点, 流失…) that administrators
//! maintain (requirements §3 "Customer type"): the list in its order, and the form to add,
//! rename, reorder, archive or restore a type. An archived type is no longer offered for a
//! change; the customers of that type keep it, and their history stays readable. Shown
//! with `customer.type.write`.

use egui::RichText;
use pharmacrm_shared::pb;

use crate::backend::Requested;
use crate::ctx::AppCtx;
use crate::i18n::t;
use crate::widgets::{self, DataTable, TableColumn, Unsaved, active_text, cells, row_styles};

#[derive(Clone, Debug, PartialEq, Default)]
struct Form {
    id: Option<i64>,
    version: i32,
    is_active: bool,
    name: String,
    /// 排序, as typed: a whole number, smaller first.
    sort_order: String,
}

impl Form {
    fn from(t: &pb::CustomerType) -> Form {
        Form {
            id: Some(t.id),
            version: t.version,
            is_active: t.is_active,
            name: t.name.clone(),
            sort_order: t.sort_order.to_string(),
        }
    }

    /// A new type, placed after `types`.
    fn new_after(types: &[pb::CustomerType]) -> Form {
        let last = types.iter().map(|t| t.sort_order).max().unwrap_or(0);
        Form {
            is_active: true,
            sort_order: last.saturating_add(1).to_string(),
            ..Form::default()
        }
    }

    /// The order typed, when it is a whole number.
    fn sort_order(&self) -> Option<i32> {
        self.sort_order.trim().parse().ok()
    }
}

/// What the form's buttons asked for in a frame.
#[derive(Clone, Copy, Debug, Default)]
struct Pressed {
    save: bool,
    /// 归档 (false) or 恢复 (true).
    set_active: Option<bool>,
    close: bool,
}

/// The customer types tab.
#[derive(Default)]
pub struct TypesPanel {
    list: Requested<Vec<pb::CustomerType>>,
    /// The form beside the list: a new one, or the one picked.
    side: widgets::SideForm<Form, pb::CustomerType>,
    /// Archiving the type open, asked first (a click away, as a unit's): the request
    /// and the type's name.
    confirm: widgets::Confirm<(pb::SetActiveRequest, String)>,
}

impl Unsaved for TypesPanel {
    /// Whether the form holds unsaved input.
    fn is_dirty(&self) -> bool {
        self.side.is_dirty()
    }
}

impl TypesPanel {
    fn reload(&mut self, ctx: &AppCtx) {
        self.list.request(
            ctx.customers()
                .list_customer_types(pb::ListCustomerTypesRequest {
                    include_archived: true,
                })
                .map(|r| r.types),
        );
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            self.reload(ctx);
        }
        self.list.poll();
        if self.side.poll(|saved| Some(Form::from(saved))) {
            self.reload(ctx);
        }
        // Its buttons in a bar at its foot: a complaint under a field does not move them.
        if self.side.form.is_some() {
            widgets::side_form(
                ui,
                "customer_type_form",
                340.0,
                self,
                |panel, ui| panel.buttons_ui(ui),
                |panel, ui, pressed| panel.form_ui(ui, ctx, pressed),
            );
        }
        egui::CentralPanel::default().show(ui, |ui| {
            let types = self.list.value().cloned().unwrap_or_default();
            ui.horizontal(|ui| {
                if ui.button(t("customer_types.new")).clicked() {
                    self.side.switch_to(Some(Form::new_after(&types)));
                }
                if ui.button(t("common.reload")).clicked() {
                    self.reload(ctx);
                }
            });
            widgets::request_status(ui, &self.list);
            let selected = self.side.form.as_ref().and_then(|f| f.id);
            let columns = [
                TableColumn::count(
                    t("customer_types.sort_order"),
                    cells(&types, |ty| ty.sort_order.to_string()),
                ),
                TableColumn::text(
                    t("customer_types.name"),
                    cells(&types, |ty| ty.name.clone()),
                ),
                TableColumn::text(
                    t("drug.status"),
                    cells(&types, |ty| active_text(ty.is_active)),
                ),
            ];
            let styles = row_styles(&types, selected, |ty| (ty.id, !ty.is_active));
            // The rows scroll above the hint.
            let opened = DataTable::new("customer_type_table", &columns)
                .styles(&styles)
                .clickable()
                .max_height(ui.available_height() - 60.0)
                .show(ui)
                .map(|i| types[i].clone());
            // Under the list: wrapped anew when the form opens beside it, it moves nothing
            // under the pointer.
            ui.add_space(4.0);
            ui.label(RichText::new(t("customer_types.hint")).weak());
            if let Some(ty) = opened
                && selected != Some(ty.id)
            {
                self.side.switch_to(Some(Form::from(&ty)));
            }
        });
        self.side
            .discard_ui(ui.ctx(), "discard_customer_type_edits");
        if let Some(request) = self.confirm.named_ui(
            ui.ctx(),
            "confirm_customer_type",
            t("customer_types.archive_question"),
            t("common.archive"),
        ) {
            self.side
                .save
                .request(ctx.customers().set_customer_type_active(request));
        }
    }

    /// 保存, 归档 or 恢复, 关闭 and 已保存: what was clicked.
    fn buttons_ui(&mut self, ui: &mut egui::Ui) -> Pressed {
        let mut pressed = Pressed::default();
        let side = &mut self.side;
        let Some(form) = &side.form else {
            return pressed;
        };
        let busy = side.save.is_pending();
        let changed = side.original.as_ref() != Some(form);
        ui.horizontal_wrapped(|ui| {
            pressed.save = widgets::submit_button(
                ui,
                t("common.save"),
                !busy && changed && form.sort_order().is_some(),
                false,
            );
            if form.id.is_some() {
                // Not over unsaved edits: the archived record's answer would replace them.
                pressed.set_active = widgets::archive_button(ui, form.is_active, !busy && !changed);
            }
            pressed.close = ui.button(t("common.close")).clicked();
            if busy {
                ui.spinner();
            }
            side.errors.saved_ui(ui, changed);
        });
        pressed
    }

    /// The form, and what its buttons (`pressed`) or Enter in a field ask for: saves,
    /// restores, asks before archiving, closes.
    fn form_ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx, pressed: Pressed) {
        let side = &mut self.side;
        let busy = side.save.is_pending();
        let Some(form) = &mut side.form else { return };
        ui.heading(if form.id.is_some() {
            t("customer_types.edit")
        } else {
            t("customer_types.new")
        });
        let order = form.sort_order();
        side.errors.set_local(
            "sort_order",
            order
                .is_none()
                .then(|| t("customer_types.sort_order_invalid").to_owned()),
        );
        let response = widgets::form(ui, "customer_type_form", &mut side.errors, |f| {
            f.required(&["name"]);
            f.text(t("customer_types.name"), "name", &mut form.name);
            f.text(
                t("customer_types.sort_order"),
                "sort_order",
                &mut form.sort_order,
            );
            f.note(RichText::new(t("customer_types.sort_order_hint")).weak());
        });
        if form.id.is_some() && !form.is_active {
            ui.label(RichText::new(t("customer_types.archived_hint")).weak());
        }
        let changed = side.original.as_ref() != Some(form);
        let save = pressed.save || (response.submitted && !busy && changed);
        if save && let Some(sort_order) = order {
            let input = pb::CustomerTypeInput {
                name: form.name.clone(),
                sort_order,
            };
            let saved = match form.id {
                None => ctx.customers().create_customer_type(input),
                Some(id) => ctx
                    .customers()
                    .update_customer_type(pb::UpdateCustomerTypeRequest {
                        id,
                        version: form.version,
                        r#type: Some(input),
                    })
                    .map_err(|e| e.unnested("type")),
            };
            side.save.request(saved);
        }
        if let (Some(id), Some(is_active)) = (form.id, pressed.set_active) {
            let request = pb::SetActiveRequest {
                id,
                version: form.version,
                is_active,
            };
            // Restoring is asked nothing; archiving is.
            if is_active {
                side.save
                    .request(ctx.customers().set_customer_type_active(request));
            } else {
                self.confirm.ask((request, form.name.clone()));
            }
        }
        if pressed.close {
            self.side.switch_to(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(id: i64, sort_order: i32) -> pb::CustomerType {
        pb::CustomerType {
            id,
            name: format!("类型{id}"),
            sort_order,
            is_active: true,
            version: 1,
        }
    }

    #[test]
    fn a_new_type_is_placed_after_the_last_and_a_typed_order_must_be_whole() {
        let form = Form::new_after(&[ty(1, 5), ty(2, 40), ty(3, 10)]);
        assert_eq!(form.sort_order, "41");
        assert_eq!(Form::new_after(&[]).sort_order, "1");
        let typed = |text: &str| {
            Form {
                sort_order: text.into(),
                ..Form::default()
            }
            .sort_order()
        };
        assert_eq!(typed(" 7 "), Some(7));
        assert_eq!(typed("-2"), Some(-2));
        assert_eq!(typed("1.5"), None);
        assert_eq!(typed(""), None);
    }
}
