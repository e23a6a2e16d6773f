//! Forms: labels in one column that never wrap, inputs wide enough for what they hold, the
//! server's complaint under the field it names (cleared as soon as the field is edited,
//! its room kept blank while the user is still in that field or the pointer is on what
//! follows it, so that nothing moves under the pointer or the next keystroke; it closes
//! when they have moved on and the pointer is above it),
//! and Enter in any field submits. The cells of a document's lines (an order's, a
//! shipment's, an exception's) are not form fields: Enter there does not submit, since a
//! barcode scanner ends each batch number it reads with Enter and a document must not be
//! sent half typed; its button (or Enter in a header field) sends it.

use std::collections::{BTreeMap, BTreeSet};

use egui::{Response, RichText, TextWrapMode, Ui};

use super::calendar::DayBounds;
use super::{Choice, ERROR, choices, combo_box};
use crate::api::{ApiError, names_field};
use crate::backend::{Polled, Requested};
use crate::i18n::{label_value, t};

/// The narrowest and widest an input gets, in points.
const INPUT_MIN: f32 = 200.0;
const INPUT_MAX: f32 = 460.0;
/// The gap between the label column and the inputs.
const COLUMN_GAP: f32 = 12.0;

/// The last failed save's error, and the fields edited since: an edited field's complaint
/// is no longer shown. Besides the server's, the form's own checks (`set_local`) are
/// shown under their fields while they hold.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct FieldErrors {
    error: Option<ApiError>,
    edited: BTreeSet<String>,
    local: BTreeMap<String, String>,
    /// The fields the form has shown, so a complaint about any other field is shown at
    /// the top rather than lost.
    shown: BTreeSet<String>,
    /// The complaint last shown under each field: once it goes (the field edited, a
    /// check that holds again) its room stays, blank, while the user is still at what
    /// made it go, so that what follows does not move up under the pointer or the next
    /// keystroke (see [`Held`]).
    held: BTreeMap<String, Held>,
    /// The last save succeeded and nothing was edited or opened since: "已保存" shows
    /// beside the form's button ([`saved_ui`](Self::saved_ui)), which greys once saved.
    saved: bool,
    /// The request polled next reads the record again (after a conflict): its answer is
    /// no save ([`expect_read`](Self::expect_read)).
    reading: bool,
}

/// The room of a complaint gone from under its field. It is kept while the keyboard
/// focus stays in the input that had it when the complaint went (the one being typed
/// in), while a click is under way (it must land where it was aimed), while a list is
/// open (a combo box's, opened by that click: its items must stay under the pointer) and
/// while the pointer is on what follows it (closing it would move the next field from
/// under the pointer), never past the next save; then it closes: once the user has moved
/// on and the pointer is above it or out of the window. (Kept until the next save, the
/// blank room read as a fault to new users.)
#[derive(Clone, Debug, PartialEq)]
struct Held {
    /// The complaint's text, drawn invisible to keep its room.
    text: String,
    /// The input that had the focus when the complaint went; `None` while it shows.
    focus_when_gone: Option<Option<egui::Id>>,
    /// Where the room's top was last drawn (screen y), once drawn blank.
    top: Option<f32>,
}

impl Held {
    fn shown(text: String) -> Self {
        Held {
            text,
            focus_when_gone: None,
            top: None,
        }
    }
}

impl FieldErrors {
    /// Shows `error` (the last save's), forgetting what was edited before it.
    pub fn set(&mut self, error: Option<ApiError>) {
        self.error = error;
        self.edited.clear();
        self.held.clear();
        self.saved = false;
        self.reading = false;
    }

    /// The next answer polled reads the record again (the form's 重新加载 after a
    /// conflict, through its save's request), not a save: no 已保存 follows it. Cleared
    /// by any answer and by [`set`](Self::set) (another record opened).
    pub fn expect_read(&mut self) {
        self.reading = true;
    }

    /// Whether the last save succeeded and nothing was edited or opened since (what
    /// [`saved_ui`](Self::saved_ui) shows).
    pub fn is_saved(&self) -> bool {
        self.saved
    }

    /// Forgets that the last save succeeded (another action on the record, a password
    /// reset, says its own outcome since): 已保存 no longer shows.
    pub fn forget_saved(&mut self) {
        self.saved = false;
    }

    /// Records a successful save (a form whose success handling opened the saved record
    /// afresh, clearing these errors, calls it after; [`poll`](Self::poll) does it).
    pub fn mark_saved(&mut self) {
        self.saved = true;
    }

    /// Draws, after a form's buttons, that the save was refused for fields whose complaints
    /// still show (`refusal`: the save's error, if it failed), or for a rule said above the
    /// form: in a long form they may be scrolled out of sight, and a click on 提交订单
    /// seemed to do nothing.
    pub fn refused_ui(&self, ui: &mut Ui, refusal: Option<&ApiError>) {
        // Shows while one of its fields still has a complaint shown under it: edited since,
        // or answered by a preview that found it good (the order form's), it has none.
        let showing = refusal.is_some_and(|e| {
            e.fields
                .iter()
                .any(|f| self.shown.contains(&f.field) && self.field(&f.field).is_some())
        });
        if showing {
            ui.label(RichText::new(t("common.refused_fields")).color(ERROR));
        } else if refusal.is_some() && self.general().is_some() {
            // A rule that names no field is said above the form, perhaps scrolled out of
            // sight: the button bar says where (提交订单 seemed to do nothing).
            ui.label(RichText::new(t("common.refused_general")).color(ERROR));
        }
    }

    /// Draws "已保存" (in green) while the last save succeeded and the form is not
    /// `changed` since: without it a save's only sign was its button greying.
    pub fn saved_ui(&self, ui: &mut Ui, changed: bool) {
        self.saved_ui_as(ui, changed, t("common.saved"));
    }

    /// [`Self::saved_ui`] saying `text` (已保存修改 after an edit, beside a form back to
    /// adding a record, where 已保存 read as one added).
    pub fn saved_ui_as(&self, ui: &mut Ui, changed: bool, text: &str) {
        if self.saved && !changed {
            ui.label(RichText::new(text).color(super::SUCCESS));
        }
    }

    /// Removes row `remove` (if any) of `rows`, the list `list` whose fields the server
    /// names by position (`lines[2].quantity`): the removed row's complaints go, the later
    /// rows' move up with them (`lines[2]` becomes `lines[1]`). A refusal naming only the
    /// removed row, or no field at all (a rule such as "more than the order owes", which
    /// may have been about that row), is forgotten.
    pub fn remove_row<T>(&mut self, list: &str, rows: &mut Vec<T>, remove: Option<usize>) {
        let Some(removed) = remove else { return };
        rows.remove(removed);
        let moved = |field: &str| row_moved(field, list, removed);
        if let Some(error) = &mut self.error {
            error.fields = std::mem::take(&mut error.fields)
                .into_iter()
                .filter_map(|mut f| {
                    f.field = moved(&f.field)?;
                    Some(f)
                })
                .collect();
            if error.fields.is_empty() {
                self.error = None;
            }
        }
        self.edited = self.edited.iter().filter_map(|f| moved(f)).collect();
        self.shown = self.shown.iter().filter_map(|f| moved(f)).collect();
        self.local = std::mem::take(&mut self.local)
            .into_iter()
            .filter_map(|(f, complaint)| Some((moved(&f)?, complaint)))
            .collect();
        self.held = std::mem::take(&mut self.held)
            .into_iter()
            .filter_map(|(f, held)| Some((moved(&f)?, held)))
            .collect();
    }

    /// The complaint about `field` to draw under it this frame, and whether it shows
    /// (`false`: a complaint gone whose room is still kept, see [`Held`]); `None` when
    /// there is nothing, or its room has closed.
    fn complaint_or_room(&mut self, ui: &Ui, field: &str) -> Option<(String, bool)> {
        self.shown.insert(field.to_owned());
        if let Some(complaint) = self.field(field) {
            self.held
                .insert(field.to_owned(), Held::shown(complaint.clone()));
            return Some((complaint, true));
        }
        let held = self.held.get_mut(field)?;
        let focused = ui.memory(|m| m.focused());
        let since = *held.focus_when_gone.get_or_insert(focused);
        // Still typing where it went. (Nothing focused when it went: a combo box, a
        // checkbox or a date picked with the pointer, which the checks below cover.)
        if since.is_some() && since == focused {
            return Some((held.text.clone(), false));
        }
        // A click under way, or one that has just opened a list (a combo box's): closing
        // the room now would move the list under the pointer. Once it is over, next frame.
        let (down, released) = ui.input(|i| (i.pointer.any_down(), i.pointer.any_released()));
        if released {
            // Nothing else may come to draw the next frame.
            ui.ctx().request_repaint();
        }
        if down || released || egui::Popup::is_any_open(ui.ctx()) {
            return Some((held.text.clone(), false));
        }
        // The pointer on what follows the room (the next field, a button): closing it
        // would move that from under the pointer, and the next click would miss.
        let pointer = ui.input(|i| i.pointer.hover_pos());
        if let (Some(pointer), Some(top)) = (pointer, held.top)
            && pointer.y >= top
        {
            return Some((held.text.clone(), false));
        }
        self.held.remove(field);
        None
    }

    /// The blank room of `field`'s complaint was drawn with its top at `top` (screen y).
    fn room_drawn(&mut self, field: &str, top: f32) {
        if let Some(held) = self.held.get_mut(field) {
            held.top = Some(top);
        }
    }

    /// Polls `request`, a call whose errors these are: the frame it fails, its error shows
    /// (under the fields it names, the rest above the form); the frame it succeeds, the
    /// errors are cleared and this returns `true` (its value is then `request.value()`).
    pub fn poll<T: Send + 'static>(&mut self, request: &mut Requested<T>) -> bool {
        match request.poll() {
            Polled::JustDone => {
                let read = self.reading;
                self.set(None);
                self.saved = !read;
                true
            }
            Polled::JustFailed(error) => {
                self.set(Some(error.clone()));
                false
            }
            Polled::Unchanged => false,
        }
    }

    /// As [`poll`](Self::poll), for a preview asked for while the user types (the order
    /// form's): the room of a complaint that went is kept as before the answer.
    pub fn poll_preview<T: Send + 'static>(&mut self, request: &mut Requested<T>) -> bool {
        self.keeping_rooms(|errors| errors.poll(request))
    }

    /// Shows `error`, what a preview that answered found wrong with fields that did not
    /// keep it from answering (an order's requested date in the past), under those fields
    /// as a refusal of the preview would be; the rooms of complaints gone are kept.
    pub fn show_preview_problems(&mut self, error: ApiError) {
        self.keeping_rooms(|errors| errors.set(Some(error)));
    }

    /// Does `change` to these errors keeping the rooms of complaints gone, and whether the
    /// form was saved or is being read: a preview is neither a save nor a read.
    fn keeping_rooms<R>(&mut self, change: impl FnOnce(&mut Self) -> R) -> R {
        let held = std::mem::take(&mut self.held);
        let (saved, reading) = (self.saved, self.reading);
        let done = change(self);
        self.held = held;
        (self.saved, self.reading) = (saved, reading);
        done
    }

    /// The last save's error, if it failed.
    pub fn error(&self) -> Option<&ApiError> {
        self.error.as_ref()
    }

    /// The record the last save found changed is being read again (the form follows
    /// it): its sentence says so.
    pub fn rereading(&mut self) {
        if let Some(error) = &mut self.error {
            error.reread = true;
        }
    }

    /// The form's own complaint about `field` (`None` once it holds).
    pub fn set_local(&mut self, field: &str, complaint: Option<String>) {
        match complaint {
            Some(complaint) => self.local.insert(field.to_owned(), complaint),
            None => self.local.remove(field),
        };
    }

    /// Drops the form's own complaints (the rows they were about were cleared).
    pub fn clear_local(&mut self) {
        self.local.clear();
    }

    /// The complaint about `field`: the server's unless the field was edited since, else
    /// the form's own.
    pub fn field(&self, field: &str) -> Option<String> {
        let server = if self.edited.contains(field) {
            None
        } else {
            self.error.as_ref().and_then(|e| e.field(field))
        };
        server.or_else(|| self.local.get(field).cloned())
    }

    /// An error not shown under a field: one that names no field (a business rule, a
    /// conflict, the network), or only fields the form does not show.
    pub fn general(&self) -> Option<&ApiError> {
        self.error.as_ref().filter(|e| {
            e.fields.is_empty()
                || !e
                    .fields
                    .iter()
                    .any(|f| self.shown.iter().any(|shown| names_field(&f.field, shown)))
        })
    }

    /// Marks `field` edited (an input drawn outside the form's grid calls this when its
    /// value changes).
    pub fn edited(&mut self, field: &str) {
        self.edited.insert(field.to_owned());
        self.saved = false;
    }

    /// A text input `width` points wide in a grid's cell (a cell is as narrow as last
    /// frame's column: the input claims its width), labelled by its column's `header`;
    /// when the row was sent (`field` given), an edit hides the server's complaint about
    /// `field`, which [`row_complaints_ui`](Self::row_complaints_ui) draws under the row.
    /// Returns the input's response.
    pub fn cell_input(
        &mut self,
        ui: &mut Ui,
        text: &mut String,
        width: f32,
        header: egui::Id,
        field: Option<&str>,
    ) -> Response {
        ui.vertical(|ui| {
            ui.set_min_width(width);
            let response = ui
                .add(egui::TextEdit::singleline(text).desired_width(width))
                .labelled_by(header);
            if let Some(field) = field
                && response.changed()
            {
                self.edited(field);
            }
            response
        })
        .inner
    }

    /// Draws the complaints about a grid row's `fields` (each with its column's name),
    /// then its `warnings` (column name, text; a price below cost), under the row, across
    /// the table from the row's first cell (`row_start`: the cursor where the row began):
    /// a column of quantities is too narrow for a sentence ("须为 1 至 9,999,999 的整数"
    /// wrapped a word a line and split the row). Call it in the row's last cell, after the
    /// inputs have marked what was edited; the row's other cells keep to its top
    /// ([`super::top_cell`], inputs in a `ui.vertical`), clear of what is drawn here.
    /// `fields`: each column's name and its field (`None` for a row not yet sent). A
    /// complaint gone keeps its room while the user is still at it, as under a form's
    /// input.
    pub fn row_complaints_ui(
        &mut self,
        ui: &mut Ui,
        row_start: egui::Pos2,
        warnings: &[(&str, &str)],
        fields: &[(&str, Option<String>)],
    ) {
        let complaints: Vec<(&str, &str, String, bool)> = fields
            .iter()
            .filter_map(|(column, field)| Some((*column, field.as_deref()?)))
            .filter_map(|(column, field)| {
                let (text, visible) = self.complaint_or_room(ui, field)?;
                Some((column, field, text, visible))
            })
            .collect();
        if complaints.is_empty() && warnings.is_empty() {
            return;
        }
        let top = row_start.y + ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        let right = ui
            .clip_rect()
            .right()
            .max(row_start.x + MIN_COMPLAINT_WIDTH);
        let area = egui::Rect::from_min_max(
            egui::pos2(row_start.x, top),
            egui::pos2(right, f32::INFINITY),
        );
        let mut below = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(area)
                .layout(egui::Layout::top_down(egui::Align::Min)),
        );
        for (column, field, text, visible) in complaints {
            let drawn = below.horizontal(|ui| {
                if !visible {
                    ui.set_invisible();
                }
                ui.label(RichText::new(label_value(column, "")).weak());
                ui.add(egui::Label::new(RichText::new(text).color(ERROR)).wrap());
            });
            if !visible {
                self.room_drawn(field, drawn.response.rect.top());
            }
        }
        for (column, text) in warnings {
            below.horizontal(|ui| {
                ui.label(RichText::new(label_value(column, "")).weak());
                ui.add(egui::Label::new(RichText::new(*text).color(super::WARNING)).wrap());
            });
        }
        let bottom = below.min_rect().bottom();
        let needed = bottom - ui.cursor().top();
        if needed > 0.0 {
            ui.allocate_space(egui::vec2(0.0, needed));
        }
    }

    /// Marks `field` edited (its complaint hidden) or, when its value is back to the one
    /// complained of, not (the complaint shows again).
    pub fn set_edited(&mut self, field: &str, edited: bool) {
        if edited {
            self.edited(field);
        } else {
            self.edited.remove(field);
        }
    }

    /// Draws the complaint about `field` under an input drawn outside the form's grid,
    /// wrapped to the width `ui` allows.
    pub fn field_ui(&mut self, ui: &mut Ui, field: &str) {
        if let Some((text, visible)) = self.complaint_or_room(ui, field) {
            let drawn = ui.add_visible(
                visible,
                egui::Label::new(RichText::new(text).color(ERROR)).wrap(),
            );
            if !visible {
                self.room_drawn(field, drawn.rect.top());
            }
        }
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

/// The narrowest a complaint under an input wraps to (a checkbox is narrower).
const MIN_COMPLAINT_WIDTH: f32 = 240.0;

/// Lays out a form as a two-column grid; `add` adds its rows. An error that is not about
/// one of its fields is shown above it.
pub fn form(
    ui: &mut Ui,
    id: &str,
    errors: &mut FieldErrors,
    add: impl FnOnce(&mut FormUi<'_>),
) -> FormResponse {
    if let Some(error) = errors.general() {
        ui.label(RichText::new(error.message()).color(ERROR));
    }
    form_part(ui, id, errors, add)
}

/// A further block of the same form (beside or below the first [`form`]), which leaves
/// the error that is not about a field to the first.
pub fn form_part(
    ui: &mut Ui,
    id: &str,
    errors: &mut FieldErrors,
    add: impl FnOnce(&mut FormUi<'_>),
) -> FormResponse {
    block(ui, id, None, errors, add)
}

/// A further block of the form whose first block is `first` (drawn before it in the same
/// frame), with the same label width, so that blocks stacked one under the other in a
/// narrow window have their inputs in one line.
pub fn form_part_aligned(
    ui: &mut Ui,
    id: &str,
    first: &str,
    errors: &mut FieldErrors,
    add: impl FnOnce(&mut FormUi<'_>),
) -> FormResponse {
    block(ui, id, Some(first), errors, add)
}

/// A block of a form. Its label column takes what the longest label of its group (the
/// block itself, or the first block and those aligned with it) needed last frame; the
/// inputs take the rest, within bounds.
fn block(
    ui: &mut Ui,
    id: &str,
    aligned_with: Option<&str>,
    errors: &mut FieldErrors,
    add: impl FnOnce(&mut FormUi<'_>),
) -> FormResponse {
    let mut response = FormResponse::default();
    let group = aligned_with.unwrap_or(id);
    // `used`: the width this frame's blocks take; `widest`: the widest label of the
    // group's blocks drawn so far this frame, which becomes `used` next frame.
    let used_id = egui::Id::unique((group, "form_label_width"));
    let widest_id = egui::Id::unique((group, "form_widest_label"));
    let label_width: f32 = if aligned_with.is_none() {
        let last: f32 = ui.data(|d| d.get_temp(widest_id)).unwrap_or(0.0);
        ui.data_mut(|d| d.insert_temp(used_id, last));
        last
    } else {
        ui.data(|d| d.get_temp(used_id)).unwrap_or(0.0)
    };
    let input_width = (ui.available_width() - label_width - COLUMN_GAP).clamp(INPUT_MIN, INPUT_MAX);
    let mut widest = 0.0_f32;
    egui::Grid::new(id)
        .num_columns(2)
        .min_col_width(label_width)
        .spacing([COLUMN_GAP, 6.0])
        .show(ui, |ui| {
            let mut form = FormUi {
                ui,
                id,
                errors,
                input_width,
                response: &mut response,
                widest: &mut widest,
                required: Vec::new(),
            };
            add(&mut form);
        });
    let group_widest = match aligned_with {
        None => widest,
        Some(_) => widest.max(ui.data(|d| d.get_temp(widest_id)).unwrap_or(0.0)),
    };
    ui.data_mut(|d| d.insert_temp(widest_id, group_widest));
    // A label wider than its column (a first frame, another language): draw again. A
    // first block narrower than its group waits for the blocks after it.
    if group_widest > label_width + 0.5
        || (aligned_with.is_some() && group_widest < label_width - 0.5)
    {
        ui.ctx().request_repaint();
    }
    response
}

/// The rows of a form being drawn.
pub struct FormUi<'a> {
    ui: &'a mut Ui,
    /// The form's id, which the ids of its pickers start with.
    id: &'a str,
    errors: &'a mut FieldErrors,
    input_width: f32,
    response: &'a mut FormResponse,
    /// The widest label so far.
    widest: &'a mut f32,
    /// The fields that must be filled in: their labels carry a red `*`.
    required: Vec<String>,
}

impl FormUi<'_> {
    /// Marks `field` edited: the server's complaint about it no longer holds (a sum over
    /// rows once the amount it was compared with changed, say).
    pub fn edited(&mut self, field: &str) {
        self.errors.edited(field);
    }

    /// The width inputs get.
    pub fn input_width(&self) -> f32 {
        self.input_width
    }

    /// Marks `fields` as required: the labels of their rows, drawn after this call, carry
    /// a red `*` after the text (after, so that the labels' texts stay in one line). The
    /// server still decides; this tells the user before they save.
    pub fn required(&mut self, fields: &[&str]) {
        self.required.extend(fields.iter().map(|f| (*f).to_owned()));
    }

    /// Keeps the label column as wide as `labels` would need with a required mark, though
    /// they are not drawn now: a form whose labels change with a choice (a personal
    /// record's kind: 喜好 or 工作单位) keeps its inputs where they were.
    pub fn reserve_labels(&mut self, labels: &[&str]) {
        let mark = super::text_width(self.ui, "*") + 2.0;
        let widest = labels
            .iter()
            .map(|l| super::text_width(self.ui, l) + mark)
            .fold(0.0_f32, f32::max);
        *self.widest = self.widest.max(widest);
    }

    /// The label cell of `field`'s row: one line, never wrapped, with a red `*` when the
    /// field is required, at the row's top and centred on the height of one input line: a
    /// complaint under the input, or several lines (checkboxes, a text of several lines),
    /// make the row taller, and the label stays beside the first line rather than drifting
    /// between the input and what is under it. Returns the label's own response (what
    /// names the input).
    fn label(&mut self, label: &str, field: &str) -> Response {
        let required = self.required.iter().any(|r| r == field);
        // An input is at least `interact_size` high, or its text with the button padding
        // above and below (egui's text edit margin).
        let spacing = self.ui.spacing();
        let line = spacing.interact_size.y.max(
            self.ui.text_style_height(&egui::TextStyle::Body) + 2.0 * spacing.button_padding.y,
        );
        let cell = self
            .ui
            .with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.allocate_ui_with_layout(
                    egui::vec2(ui.available_width(), line),
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| {
                        ui.spacing_mut().item_spacing.x = 2.0;
                        let response =
                            ui.add(egui::Label::new(label).wrap_mode(TextWrapMode::Extend));
                        if required {
                            required_mark(ui);
                        }
                        response
                    },
                )
            })
            .inner;
        *self.widest = self.widest.max(cell.response.rect.width());
        cell.inner
    }

    /// A row: the label, then whatever `add` draws (labelled by it), with the complaint
    /// about `field` underneath; Enter in it submits the form.
    pub fn row(
        &mut self,
        label: &str,
        field: &str,
        add: impl FnOnce(&mut Ui) -> Response,
    ) -> Response {
        self.row_submitting(label, field, true, add)
    }

    /// [`FormUi::row`], Enter in it submitting the form when `submits` (not in a text of
    /// several lines, where Enter starts a line; not in a search whose Enter picks what it
    /// found).
    pub fn row_submitting(
        &mut self,
        label: &str,
        field: &str,
        submits: bool,
        add: impl FnOnce(&mut Ui) -> Response,
    ) -> Response {
        let label_text = label;
        let label = self.label(label, field);
        let errors = &mut *self.errors;
        let input_width = self.input_width;
        let response = self
            .ui
            .vertical(|ui| {
                let response = add(ui);
                // An empty label names nothing: the input keeps its own name (a checkbox's
                // text).
                let response = if label_text.is_empty() {
                    response
                } else {
                    response.labelled_by(label.id)
                };
                // A long complaint wraps under its input rather than widening the column
                // (and pushing a second column of the form out of the window); under a
                // narrow input (a date) as wide as the form's inputs, not two words a line.
                ui.set_max_width(
                    response
                        .rect
                        .width()
                        .max(input_width)
                        .max(MIN_COMPLAINT_WIDTH),
                );
                errors.field_ui(ui, field);
                response
            })
            .inner;
        self.ui.end_row();
        if response.changed() {
            self.errors.edited(field);
            self.response.changed = true;
        }
        if submits && super::entered(self.ui, &response) {
            self.response.submitted = true;
        }
        response
    }

    /// A single-line text input.
    pub fn text(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        self.line(label, field, egui::TextEdit::singleline(value))
    }

    /// A single-line text input with a grey hint.
    pub fn text_hint(
        &mut self,
        label: &str,
        field: &str,
        value: &mut String,
        hint: &str,
    ) -> Response {
        self.line(
            label,
            field,
            egui::TextEdit::singleline(value).hint_text(hint),
        )
    }

    /// A masked input.
    pub fn password(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        self.line(
            label,
            field,
            egui::TextEdit::singleline(value).password(true),
        )
    }

    /// A row of a single-line input `edit`, as wide as the form's inputs.
    fn line(&mut self, label: &str, field: &str, edit: egui::TextEdit<'_>) -> Response {
        let width = self.input_width;
        self.row(label, field, |ui| ui.add(edit.desired_width(width)))
    }

    /// A text of a few lines (Enter starts a new line here; it does not submit).
    pub fn multiline(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let width = self.input_width;
        self.row_submitting(label, field, false, |ui| {
            ui.add(
                egui::TextEdit::multiline(value)
                    .desired_rows(3)
                    .desired_width(width),
            )
        })
    }

    /// A date typed as `2026-12-05` (or `2026/12/05`), with a calendar beside it.
    pub fn date(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        self.date_within(label, field, value, DayBounds::default())
    }

    /// [`FormUi::date`] for a business date that cannot be in the future (a payment's,
    /// an invoice's, a shipment's, a certificate's issue): the calendar offers no day after
    /// today.
    pub fn past_date(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        self.past_date_noting_age(label, field, value, i64::MAX)
    }

    /// [`FormUi::past_date`] that says, beside the date, how long ago a day more than
    /// `days` before today was ("45 天前，请核对": a payment dated years back is more often
    /// a slip of a digit than money that came in then). Nothing is refused for it.
    pub fn past_date_noting_age(
        &mut self,
        label: &str,
        field: &str,
        value: &mut String,
        days: i64,
    ) -> Response {
        let today = crate::format::business_today();
        let bounds = DayBounds {
            earliest: None,
            latest: Some(today),
        };
        let ago = super::parse_date(value)
            .map(|d| (today - d).num_days())
            .filter(|ago| *ago > days);
        self.date_within_then(label, field, value, bounds, |ui| {
            if let Some(ago) = ago {
                ui.label(
                    RichText::new(t("common.date_long_ago").replace("{days}", &ago.to_string()))
                        .color(super::WARNING),
                );
            }
        })
    }

    /// [`FormUi::date`] for a business date that cannot be in the past (a next
    /// follow-up's): the calendar offers no day before today.
    pub fn future_date(&mut self, label: &str, field: &str, value: &mut String) -> Response {
        let bounds = DayBounds {
            earliest: Some(crate::format::business_today()),
            latest: None,
        };
        self.date_within(label, field, value, bounds)
    }

    fn date_within(
        &mut self,
        label: &str,
        field: &str,
        value: &mut String,
        bounds: DayBounds,
    ) -> Response {
        self.date_within_then(label, field, value, bounds, |_| {})
    }

    /// [`FormUi::date_within`], then `after` on the same line (beside the calendar).
    fn date_within_then(
        &mut self,
        label: &str,
        field: &str,
        value: &mut String,
        bounds: DayBounds,
        after: impl FnOnce(&mut Ui),
    ) -> Response {
        let width = (self.input_width - 40.0).max(120.0);
        let salt = format!("{}_{field}_picker", self.id);
        self.row(label, field, |ui| {
            ui.horizontal(|ui| {
                let mut response = ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text(t("common.date_hint"))
                        .desired_width(width.min(160.0)),
                );
                if super::calendar::date_picker_within(ui, &salt, value, bounds) {
                    response.mark_changed();
                }
                after(ui);
                response
            })
            .inner
        })
    }

    /// A combo box choosing `value` among `options`; greyed while there are none.
    pub fn combo<T: PartialEq + Clone>(
        &mut self,
        label: &str,
        field: &str,
        value: &mut T,
        options: &[(T, String)],
    ) -> Response {
        let width = self.input_width;
        let salt = format!("{}_{field}", self.id);
        // Nothing to choose (a city before its province): greyed, not an empty popup.
        self.row(label, field, |ui| {
            ui.add_enabled_ui(!options.is_empty(), |ui| {
                combo_box(ui, &salt, value, options, width)
            })
            .inner
        })
    }

    /// A combo box over a [`Choice`] enum stored as its wire number.
    pub fn enum_combo<E: Choice>(&mut self, label: &str, field: &str, value: &mut i32) -> Response {
        self.combo(label, field, value, &choices::<E>())
    }

    /// Checkboxes choosing a set among `options`, one per line.
    pub fn checkboxes<T: Ord + Clone>(
        &mut self,
        label: &str,
        field: &str,
        chosen: &mut BTreeSet<T>,
        options: &[(T, String)],
    ) -> Response {
        self.row(label, field, |ui| {
            let inner = ui.vertical(|ui| {
                let mut changed = false;
                for (option, text) in options {
                    let mut on = chosen.contains(option);
                    if ui.checkbox(&mut on, text.as_str()).changed() {
                        changed = true;
                        if on {
                            chosen.insert(option.clone());
                        } else {
                            chosen.remove(option);
                        }
                    }
                }
                changed
            });
            let mut response = inner.response;
            if inner.inner {
                response.mark_changed();
            }
            response
        })
    }

    /// One checkbox saying `text`, in the input column of a row labelled `label` (empty:
    /// the checkbox is named by its text).
    pub fn checkbox(&mut self, label: &str, field: &str, value: &mut bool, text: &str) -> Response {
        self.row(label, field, |ui| ui.checkbox(value, text))
    }

    /// The server's complaint about `field`, taken: from now on it is not shown (as if
    /// the field were edited). For a form that keeps the sentence itself
    /// ([`FormUi::set_local`]) while what it is about stays on screen.
    pub fn take_server_complaint(&mut self, field: &str) -> Option<String> {
        if self.errors.edited.contains(field) {
            return None;
        }
        let complaint = self.errors.error.as_ref().and_then(|e| e.field(field))?;
        self.errors.edited(field);
        Some(complaint)
    }

    /// The form's own complaint about `field` (`None` withdraws it).
    pub fn set_local(&mut self, field: &str, complaint: Option<String>) {
        self.errors.set_local(field, complaint);
    }

    /// Radio buttons choosing `value` among `options`, side by side.
    pub fn radio<T: PartialEq + Clone>(
        &mut self,
        label: &str,
        field: &str,
        value: &mut T,
        options: &[(T, String)],
    ) -> Response {
        self.row(label, field, |ui| {
            let before = value.clone();
            let mut response = ui
                .horizontal_wrapped(|ui| {
                    for (option, text) in options {
                        ui.radio_value(value, option.clone(), text.as_str());
                    }
                })
                .response;
            if *value != before {
                response.mark_changed();
            }
            response
        })
    }

    /// A label and a text that is shown, not edited.
    pub fn show(&mut self, label: &str, text: &str) {
        self.label(label, "");
        self.ui.label(text);
        self.ui.end_row();
    }

    /// A note under the inputs (a warning, a hint), after an empty label cell; at body
    /// size (small CJK text is hard to read), wrapped to the inputs' width (a long hint
    /// would otherwise hold the form as wide as itself).
    pub fn note(&mut self, text: RichText) {
        self.note_kept(text, true);
    }

    /// [`Self::note`], its room kept when not `visible` (drawn invisible, not read out): a
    /// note that goes as its cause is mended moves none of the rows under it (a click
    /// meant for the next row's box landed on another).
    pub fn note_kept(&mut self, text: RichText, visible: bool) {
        self.ui.label("");
        let width = self.input_width;
        self.ui.vertical(|ui| {
            if !visible {
                ui.set_invisible();
            }
            ui.set_max_width(width);
            ui.add(egui::Label::new(text).wrap());
        });
        self.ui.end_row();
    }

    /// A free row spanning the input column (buttons, notes), after an empty label cell.
    pub fn extra(&mut self, add: impl FnOnce(&mut Ui)) {
        self.ui.label("");
        self.ui.horizontal(add);
        self.ui.end_row();
    }
}

/// The red `*` after a required field's label, "必填" on hover.
fn required_mark(ui: &mut Ui) {
    ui.label(RichText::new("*").color(ERROR))
        .on_hover_text(t("common.required"));
}

/// A bold column header `text` of a document's lines with the required mark after it (a
/// shipment line's batch and expiry); returns the text's own response (what names the
/// column's inputs).
pub fn required_header(ui: &mut Ui, text: &str) -> Response {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        let header = ui.strong(text);
        required_mark(ui);
        header
    })
    .inner
}

/// `field` once row `removed` of `list` is removed: `None` for the removed row's fields,
/// a later row's one position up (`lines[2].quantity` → `lines[1].quantity`), any other
/// field as it was.
pub fn row_moved(field: &str, list: &str, removed: usize) -> Option<String> {
    row_renumbered(field, list, |row| match row.cmp(&removed) {
        std::cmp::Ordering::Less => Some(row),
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(row - 1),
    })
}

/// `field` with its row of `list` renumbered by `to` (`lines[1].quantity` →
/// `lines[3].quantity` for `to(1) == Some(3)`): `None` where `to` gives none, any other
/// field as it was.
pub fn row_renumbered(
    field: &str,
    list: &str,
    to: impl FnOnce(usize) -> Option<usize>,
) -> Option<String> {
    let Some((row, rest)) = field
        .strip_prefix(list)
        .and_then(|f| f.strip_prefix('['))
        .and_then(|f| f.split_once(']'))
        .and_then(|(row, rest)| Some((row.parse::<usize>().ok()?, rest)))
    else {
        return Some(field.to_owned());
    };
    Some(format!("{list}[{}]{rest}", to(row)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorKind, FieldError};
    use crate::backend::Promise;

    /// The server's complaint about `field`.
    fn bad(field: &str) -> ApiError {
        let mut error = ApiError::local(ErrorKind::Server, "invalid");
        error.fields.push(FieldError {
            field: field.to_owned(),
            en: format!("wrong: {field}"),
            zh: None,
        });
        error
    }

    #[test]
    fn a_complaint_that_goes_while_typing_keeps_its_room_until_the_user_moves_on() {
        use egui_kittest::{Harness, kittest::Queryable};
        struct State {
            errors: FieldErrors,
            waybill: String,
            transit: String,
            carrier: i64,
        }
        let mut harness = Harness::new_ui_state(
            |ui, state: &mut State| {
                crate::fonts::install_once(ui.ctx());
                form(ui, "shipment", &mut state.errors, |f| {
                    f.text("运单号", "waybill_no", &mut state.waybill);
                    f.text("运输天数", "transit_days", &mut state.transit);
                    let carriers = [(0, "顺丰".to_owned()), (1, "京东物流".to_owned())];
                    f.combo("承运商", "carrier", &mut state.carrier, &carriers);
                });
                let _ = ui.button("保存");
            },
            State {
                errors: FieldErrors::default(),
                waybill: String::new(),
                transit: String::new(),
                carrier: 0,
            },
        );
        harness.run();
        let top = |h: &Harness<'_, State>, label: &str| h.get_by_label(label).rect().top();
        let saved_at = top(&harness, "保存");
        harness.state_mut().errors.set(Some(bad("waybill_no")));
        harness.run();
        let transit_at = top(&harness, "运输天数");
        assert!(top(&harness, "保存") > saved_at, "the complaint shows");
        assert!(harness.query_by_label("Wrong: waybill_no").is_some());
        // The label stays beside its input, not halfway down to the complaint (however
        // many frames the grid takes to settle its rows).
        harness.run_steps(4);
        let input = harness.get_by_label("运单号").rect();
        let label = harness
            .get_by_role_and_label(egui::accesskit::Role::Label, "运单号")
            .rect();
        assert!(
            (label.center().y - input.center().y).abs() <= 1.0,
            "label {label:?} beside input {input:?}"
        );
        // Typing in the field hides its complaint; the next input stays put.
        harness.get_by_label("运单号").click();
        harness.run();
        harness.get_by_label("运单号").type_text("SF9001");
        harness.run();
        assert_eq!(harness.state().waybill, "SF9001");
        assert!(harness.query_by_label("Wrong: waybill_no").is_none());
        assert_eq!(top(&harness, "运输天数"), transit_at, "nothing moved up");
        // A click on the next input: nothing moves while the button is down (the click
        // lands where it was aimed), nor while the pointer rests on it; once the pointer
        // is above the room, it closes.
        let next = harness.get_by_label("运输天数").rect().center();
        let above = egui::pos2(next.x, 1.0);
        let move_to = |h: &mut Harness<'_, State>, pos: egui::Pos2| {
            h.input_mut().events.push(egui::Event::PointerMoved(pos));
            h.run();
        };
        let button = |pressed| egui::Event::PointerButton {
            pos: next,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        harness
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(next));
        harness.input_mut().events.push(button(true));
        harness.run();
        assert_eq!(top(&harness, "运输天数"), transit_at, "held while pressed");
        harness.input_mut().events.push(button(false));
        harness.run();
        assert_eq!(
            top(&harness, "运输天数"),
            transit_at,
            "held under the pointer"
        );
        move_to(&mut harness, above);
        assert!(top(&harness, "运输天数") < transit_at, "the room closed");
        assert_eq!(top(&harness, "保存"), saved_at);
        // The next refusal shows the complaint again.
        harness.state_mut().errors.set(Some(bad("waybill_no")));
        harness.run();
        assert!(top(&harness, "保存") > saved_at);
        // Hidden again by typing, then a combo box opened: its list stays under the
        // pointer while it is open; the room closes once a carrier is picked and the
        // pointer is above it.
        harness.get_by_label("运单号").click();
        harness.run();
        harness.get_by_label("运单号").type_text("1");
        harness.run();
        assert!(harness.query_by_label("Wrong: waybill_no").is_none());
        harness.get_by_label("承运商").click();
        harness.run();
        let item = harness.get_by_label("京东物流").rect();
        harness.run_steps(3);
        assert_eq!(
            harness.get_by_label("京东物流").rect(),
            item,
            "the list stays"
        );
        assert_eq!(top(&harness, "运输天数"), transit_at);
        harness.get_by_label("京东物流").click();
        harness.run();
        assert_eq!(harness.state().carrier, 1);
        move_to(&mut harness, above);
        assert!(top(&harness, "运输天数") < transit_at, "the room closed");
        assert_eq!(top(&harness, "保存"), saved_at);
        // The combo box's own complaint: picking another carrier hides it, and its room
        // closes once the list has and the pointer is above it (nothing took the keyboard
        // focus to wait on).
        harness.state_mut().errors.set(Some(bad("carrier")));
        harness.run();
        assert!(harness.query_by_label("Wrong: carrier").is_some());
        let refused_at = top(&harness, "保存");
        harness.get_by_label("承运商").click();
        harness.run();
        harness.get_by_label("顺丰").click();
        harness.run();
        assert_eq!(harness.state().carrier, 0);
        assert!(harness.query_by_label("Wrong: carrier").is_none());
        move_to(&mut harness, above);
        assert!(top(&harness, "保存") < refused_at, "the room closed");
        // A complaint and its room never outlast the next save.
        harness.state_mut().errors.set(Some(bad("carrier")));
        harness.run();
        harness.state_mut().errors.set(None);
        harness.run();
        assert_eq!(top(&harness, "保存"), saved_at);
    }

    #[test]
    fn required_fields_carry_a_star_after_their_label_and_inputs_stay_in_one_column() {
        use egui_kittest::{Harness, kittest::Queryable};
        let mut harness = Harness::new_ui_state(
            |ui, texts: &mut [String; 2]| {
                crate::fonts::install_once(ui.ctx());
                let [carrier, note] = texts;
                form(ui, "shipment", &mut FieldErrors::default(), |f| {
                    f.required(&["carrier"]);
                    f.text("承运商", "carrier", carrier);
                    f.text("备注", "note", note);
                });
            },
            [String::new(), String::new()],
        );
        harness.run();
        let stars = harness.query_all_by_label("*").count();
        assert_eq!(stars, 1, "only the required field is marked");
        let star = harness.get_by_label("*").rect();
        // The input is still named by its label's text alone.
        let carrier = harness.get_by_label("承运商");
        let note = harness.get_by_label("备注");
        assert!(
            (star.center().y - carrier.rect().center().y).abs() < 12.0,
            "the star is on the required field's row"
        );
        assert_eq!(
            carrier.rect().left(),
            note.rect().left(),
            "the star does not push its input out of the column"
        );
        assert!(star.right() < carrier.rect().left());
    }

    #[test]
    fn a_record_read_again_after_a_conflict_is_no_save() {
        let answered = |answer: Result<(), ApiError>| {
            let mut request = Requested::NotRequested;
            request.request(Promise::answered(answer));
            request
        };
        let mut errors = FieldErrors::default();
        assert!(errors.poll(&mut answered(Ok(()))));
        assert!(errors.is_saved(), "a save");
        errors.expect_read();
        assert!(errors.poll(&mut answered(Ok(()))));
        assert!(!errors.is_saved(), "a read");
        // A read that failed leaves the next save its 已保存.
        errors.expect_read();
        assert!(!errors.poll(&mut answered(Err(bad("version")))));
        assert!(errors.poll(&mut answered(Ok(()))));
        assert!(errors.is_saved());
    }

    #[test]
    fn a_preview_keeps_the_room_of_a_complaint_gone_and_a_save_gives_it_back() {
        let mut errors = FieldErrors::default();
        errors.held.insert(
            "lines[1].quantity".to_owned(),
            Held::shown("too many".into()),
        );
        let answered = || {
            let mut request = Requested::NotRequested;
            request.request(Promise::answered(Ok(())));
            request
        };
        assert!(errors.poll_preview(&mut answered()));
        assert!(errors.held.contains_key("lines[1].quantity"));
        // The row above removed: the room moves up with its row.
        errors.remove_row("lines", &mut vec![(), (), ()], Some(0));
        assert!(errors.held.contains_key("lines[0].quantity"));
        assert!(errors.poll(&mut answered()));
        assert!(errors.held.is_empty());
    }

    #[test]
    fn the_items_of_a_list_chosen_in_one_input_are_complained_of_under_it() {
        let mut errors = FieldErrors::default();
        let mut error = bad("drug_ids[0]");
        for field in [
            "drug_ids[12]",
            "drug_ids[x]",
            "drug_ids2",
            "lines[1].quantity",
        ] {
            error.fields.extend(bad(field).fields);
        }
        errors.set(Some(error));
        errors.shown.insert("drug_ids".to_owned());
        assert_eq!(
            errors.field("drug_ids").as_deref(),
            Some("Wrong: drug_ids[0]\nWrong: drug_ids[12]"),
            "both drugs, nothing else"
        );
        assert_eq!(
            errors.field("lines"),
            None,
            "a line's own field is not the list's"
        );
        assert!(
            errors.general().is_none(),
            "shown under the picker, not above"
        );
        // Only an item of a list that is not shown goes above the form.
        errors.set(Some(bad("position_ids[1]")));
        assert!(errors.general().is_some());
    }

    #[test]
    fn removing_a_row_moves_the_later_rows_complaints_up_with_them() {
        let mut errors = FieldErrors::default();
        let mut error = bad("lines[0].quantity");
        for field in ["lines[2].unit_price", "lines[10].quantity", "lines", "note"] {
            error.fields.extend(bad(field).fields);
        }
        errors.set(Some(error));
        errors.edited("lines[10].quantity");
        let mut rows: Vec<u8> = (0..11).collect();
        errors.remove_row("lines", &mut rows, Some(0));
        assert_eq!(rows.len(), 10);
        assert_eq!(errors.field("lines[0].quantity"), None, "the removed row's");
        assert_eq!(
            errors.field("lines[1].unit_price").as_deref(),
            Some("Wrong: lines[2].unit_price"),
            "the third row is now the second"
        );
        assert_eq!(errors.field("lines[2].unit_price"), None);
        assert_eq!(
            errors.field("lines[9].quantity"),
            None,
            "still edited since, under its new position"
        );
        assert_eq!(errors.field("lines").as_deref(), Some("Wrong: lines"));
        assert_eq!(errors.field("note").as_deref(), Some("Wrong: note"));

        // A refusal about the removed row only is forgotten, not shown above the form.
        errors.set(Some(bad("orders[1].amount")));
        let mut rows = vec![1, 2];
        errors.remove_row("orders", &mut rows, Some(1));
        assert!(errors.error().is_none() && errors.general().is_none());
        // A rule broken by the rows, named by no field: forgotten with the row.
        let mut rule = bad("x");
        rule.fields.clear();
        errors.set(Some(rule));
        let mut rows = vec![1, 2];
        errors.remove_row("orders", &mut rows, Some(1));
        assert!(errors.error().is_none());
        // The fields drawn move up too: the last row's are no longer there.
        errors.shown = ["orders[0].amount", "orders[1].amount", "note"]
            .map(String::from)
            .into();
        let mut rows = vec![1, 2];
        errors.remove_row("orders", &mut rows, Some(0));
        assert_eq!(
            errors.shown,
            ["note", "orders[0].amount"].map(String::from).into()
        );
        // No row removed: nothing changes.
        errors.set(Some(bad("orders[0].amount")));
        errors.remove_row("orders", &mut rows, None);
        assert!(errors.field("orders[0].amount").is_some());
    }

    #[test]
    fn a_failed_save_shows_at_its_field_and_the_next_success_clears_it() {
        let mut errors = FieldErrors::default();
        let mut save: Requested<i64> = Requested::NotRequested;
        assert!(!errors.poll(&mut save), "nothing asked: nothing done");

        save.request(Promise::answered(Err(bad("amount"))));
        assert!(!errors.poll(&mut save));
        assert_eq!(errors.field("amount").as_deref(), Some("Wrong: amount"));

        save.request(Promise::answered(Ok(7)));
        assert!(errors.poll(&mut save), "the frame it succeeds");
        assert_eq!(save.value(), Some(&7));
        assert_eq!(errors.field("amount"), None, "a success clears the errors");
        assert!(!errors.poll(&mut save), "only that frame");
    }

    /// A long complaint under a date (a narrow input) wraps at the form's input width,
    /// not at the date's (two words a line, in a tall column beside an empty form).
    #[test]
    fn a_complaint_under_a_narrow_input_wraps_at_the_forms_width() {
        use egui_kittest::{Harness, kittest::Queryable};
        let mut harness = Harness::new_ui_state(
            |ui, state: &mut (FieldErrors, String)| {
                crate::fonts::install_once(ui.ctx());
                form(ui, "payment", &mut state.0, |f| {
                    f.date("Payment date", "payment_date", &mut state.1);
                });
            },
            (FieldErrors::default(), String::new()),
        );
        harness.run();
        let mut error = ApiError::local(ErrorKind::Server, "invalid");
        error.fields.push(FieldError {
            field: "payment_date".to_owned(),
            en: "2026-11-20 falls in a reconciled period (reconciled through 2026-11-30): \
                 date the correction later"
                .to_owned(),
            zh: None,
        });
        harness.state_mut().0.set(Some(error));
        harness.run();
        let input = harness
            .get_by_role_and_label(egui::accesskit::Role::TextInput, "Payment date")
            .rect();
        let complaint = harness.get_by_label_contains("reconciled period").rect();
        assert!(
            complaint.width() > input.width() * 1.5,
            "complaint {complaint:?} under input {input:?}"
        );
    }
}
