//! Forms: labels in one column that never wrap, inputs wide enough for what they hold, the
//! server's complaint under the field it names (cleared as soon as the field is edited),
//! and Enter in any field submits.

use std::collections::BTreeSet;

use egui::{Key, Response, RichText, TextWrapMode, Ui};

use super::{Choice, ERROR, choices, combo_box};
use crate::api::ApiError;

/// The narrowest and widest an input gets, in points.
const INPUT_MIN: f32 = 200.0;
const INPUT_MAX: f32 = 460.0;

/// The last failed save's error, and the fields edited since: an edited field's complaint
/// is no longer shown.
#[derive(Default, Clone, Debug)]
pub struct FieldErrors {
    error: Option<ApiError>,
    edited: BTreeSet<String>,
}

impl FieldErrors {
    /// Shows `error` (the last save's), forgetting what was edited before it.
    pub fn set(&mut self, error: Option<ApiError>) {
        self.error = error;
        self.edited.clear();
    }

    /// The complaint about `field`, unless it was edited since.
    pub fn field(&self, field: &str) -> Option<String> {
        if self.edited.contains(field) {
            return None;
        }
        self.error.as_ref().and_then(|e| e.field(field))
    }

    /// An error that names no field (a business rule, a conflict, the network).
    pub fn general(&self) -> Option<&ApiError> {
        self.error.as_ref().filter(|e| e.fields.is_empty())
    }

    /// Marks `field` edited.
    fn edited(&mut self, field: &str) {
        self.edited.insert(field.to_owned());
    }
}

/// What a form's frame did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormResponse {
    /// Enter was pressed in one of its fields.
    pub submitted: bool,
    /// A value changed.
    pub changed: bool,
}

/// Lays out a form as a two-column grid; `add` adds its rows.
pub fn form(
    ui: &mut Ui,
    id: &str,
    errors: &mut FieldErrors,
    add: impl FnOnce(&mut FormUi<'_>),
) -> FormResponse {
    if let Some(error) = errors.general() {
        ui.label(RichText::new(error.message()).color(ERROR));
    }
    let mut response = FormResponse::default();
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            // The label column takes what its longest label needs; inputs share the rest.
            let input_width = (ui.available_width() * 0.7).clamp(INPUT_MIN, INPUT_MAX);
            let mut form = FormUi {
                ui,
                errors,
                input_width,
                response: &mut response,
            };
            add(&mut form);
        });
    response
}

/// The rows of a form being drawn.
pub struct FormUi<'a> {
    ui: &'a mut Ui,
    errors: &'a mut FieldErrors,
    input_width: f32,
    response: &'a mut FormResponse,
}

impl FormUi<'_> {
    /// The width inputs get.
    pub fn input_width(&self) -> f32 {
        self.input_width
    }

    /// A row: the label, then whatever `add` draws (labelled by it), with the complaint
    /// about `field` underneath.
    pub fn row(
        &mut self,
        label: &str,
        field: &str,
        add: impl FnOnce(&mut Ui) -> Response,
    ) -> Response {
        let label = self
            .ui
            .add(egui::Label::new(label).wrap_mode(TextWrapMode::Extend));
        let error = self.errors.field(field);
        let response = self
            .ui
            .vertical(|ui| {
                let response = add(ui).labelled_by(label.id);
                if let Some(error) = &error {
                    ui.label(RichText::new(error).color(ERROR).small());
                }
                response
            })
            .inner;
        self.ui.end_row();
        if response.changed() {
            self.errors.edited(field);
            self.response.changed = true;
        }
        if response.lost_focus() && self.ui.input(|i| i.key_pressed(Key::Enter)) {
            self.response.submitted = true;
        }
        response
    }

    /// A single-line text input.
    pub fn text(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let width = self.input_width;
        self.row(label, field, |ui| {
            ui.add(egui::TextEdit::singleline(value).desired_width(width))
        })
    }

    /// A single-line text input with a grey hint.
    pub fn text_hint(
        &mut self,
        label: &str,
        field: &str,
        value: &mut String,
        hint: &str,
    ) -> Response {
        let width = self.input_width;
        self.row(label, field, |ui| {
            ui.add(
                egui::TextEdit::singleline(value)
                    .hint_text(hint)
                    .desired_width(width),
            )
        })
    }

    /// A masked input.
    pub fn password(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let width = self.input_width;
        self.row(label, field, |ui| {
            ui.add(
                egui::TextEdit::singleline(value)
                    .password(true)
                    .desired_width(width),
            )
        })
    }

    /// A text of a few lines (Enter starts a new line here; it does not submit).
    pub fn multiline(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let width = self.input_width;
        let label = self
            .ui
            .add(egui::Label::new(label).wrap_mode(TextWrapMode::Extend));
        let error = self.errors.field(field);
        let response = self
            .ui
            .vertical(|ui| {
                let response = ui
                    .add(
                        egui::TextEdit::multiline(value)
                            .desired_rows(3)
                            .desired_width(width),
                    )
                    .labelled_by(label.id);
                if let Some(error) = &error {
                    ui.label(RichText::new(error).color(ERROR).small());
                }
                response
            })
            .inner;
        self.ui.end_row();
        if response.changed() {
            self.errors.edited(field);
            self.response.changed = true;
        }
        response
    }

    /// A date typed as `2026-12-05` (or `2026/12/05`), with a calendar beside it.
    pub fn date(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let width = (self.input_width - 40.0).max(120.0);
        let salt = format!("{field}_picker");
        self.row(label, field, |ui| {
            ui.horizontal(|ui| {
                let mut response =
                    ui.add(egui::TextEdit::singleline(value).desired_width(width.min(160.0)));
                if super::date_picker(ui, &salt, value) {
                    response.mark_changed();
                }
                response
            })
            .inner
        })
    }

    /// A combo box choosing `value` among `options`.
    pub fn combo<T: PartialEq + Clone>(
        &mut self,
        label: &str,
        field: &str,
        value: &mut T,
        options: &[(T, String)],
    ) -> Response {
        let width = self.input_width;
        let salt = format!("form_{field}");
        self.row(label, field, |ui| {
            combo_box(ui, &salt, value, options, width)
        })
    }

    /// A combo box over a [`Choice`] enum stored as its wire number.
    pub fn enum_combo<E: Choice>(&mut self, label: &str, field: &str, value: &mut i32) -> Response {
        self.combo(label, field, value, &choices::<E>())
    }

    /// A label and a text that is shown, not edited.
    pub fn show(&mut self, label: &str, text: &str) {
        self.ui
            .add(egui::Label::new(label).wrap_mode(TextWrapMode::Extend));
        self.ui.label(text);
        self.ui.end_row();
    }

    /// A free row spanning the input column (buttons, notes), after an empty label cell.
    pub fn extra(&mut self, add: impl FnOnce(&mut Ui)) {
        self.ui.label("");
        self.ui.horizontal(add);
        self.ui.end_row();
    }
}
