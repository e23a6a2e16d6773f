//! Small pieces every panel uses: labelled inputs, error lines, the request spinner.

use egui::{Color32, Response, RichText, Ui};

use crate::api::ApiError;
use crate::backend::Requested;
use crate::i18n::t;

/// The colour of error text.
pub const ERROR: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);
/// The colour of warnings.
pub const WARNING: Color32 = Color32::from_rgb(0xc0, 0x80, 0x00);

/// A label and a single-line text input tied to it (so screen readers and tests find the
/// input by its label), with the server's error for `field` under it.
pub fn text_field(ui: &mut Ui, label: &str, value: &mut String, error: Option<String>) -> Response {
    let label = ui.label(label);
    let response = ui
        .add(egui::TextEdit::singleline(value).desired_width(260.0))
        .labelled_by(label.id);
    field_error(ui, error);
    response
}

/// Like [`text_field`], masked.
pub fn password_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    error: Option<String>,
) -> Response {
    let label = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(260.0),
        )
        .labelled_by(label.id);
    field_error(ui, error);
    response
}

/// The server's (or the form's own) complaint about a field, in red.
pub fn field_error(ui: &mut Ui, error: Option<String>) {
    if let Some(error) = error {
        ui.label(RichText::new(error).color(ERROR).small());
    }
}

/// A failed call's sentence, in red, where the call was made.
pub fn error_line(ui: &mut Ui, error: &ApiError) {
    ui.label(RichText::new(error.message()).color(ERROR));
}

/// The state of a list request: a spinner while it runs, the error if it failed.
pub fn request_status<T>(ui: &mut Ui, requested: &Requested<T>) {
    if requested.is_pending() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(t("common.loading"));
        });
    }
    if let Some(error) = requested.error() {
        error_line(ui, error);
    }
}

/// A yes/no question in a modal; `Some(true)` when confirmed, `Some(false)` when
/// cancelled (also with Esc), `None` while open.
pub fn confirm(ctx: &egui::Context, id: &str, question: &str, yes: &str) -> Option<bool> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(360.0);
        ui.label(question);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(yes).clicked() {
                answer = Some(true);
            }
            if ui.button(t("common.cancel")).clicked() {
                answer = Some(false);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}

/// "第 1–50 条，共 120 条" with previous/next buttons. Returns whether `offset` changed.
pub fn pager(ui: &mut Ui, offset: &mut u32, shown: usize, total: u64, page: u32) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let from = if total == 0 {
            0
        } else {
            u64::from(*offset) + 1
        };
        let to = (u64::from(*offset) + shown as u64).min(total);
        ui.label(
            t("common.page_info")
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string())
                .replace("{total}", &total.to_string()),
        );
        if ui
            .add_enabled(*offset > 0, egui::Button::new(t("common.prev")))
            .clicked()
        {
            *offset = offset.saturating_sub(page);
            changed = true;
        }
        if ui
            .add_enabled(to < total, egui::Button::new(t("common.next")))
            .clicked()
        {
            *offset += page;
            changed = true;
        }
    });
    changed
}
