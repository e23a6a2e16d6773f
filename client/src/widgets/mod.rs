//! Small pieces every panel uses: forms, tables, combo boxes over enums, error lines, the
//! request spinner, the pager, the archive button, the question before unsaved input is
//! dropped.

mod calendar;
mod data_table;
mod drug_picker;
mod file;
mod form;
mod table;

pub use calendar::date_picker;
pub use data_table::{
    Cell, DataTable, ROW_HEIGHT, RowStyle, SortState, TableColumn, active_text, cells, row_styles,
};
pub use drug_picker::{DrugPicker, drug_label};
pub use file::{
    PathField, Purpose, chooser_available, download_dir, export_hint, file_error_text,
    forget_saved_dir, remember_saved_in, save_target, saved_file_ui, saved_path_ui,
};
pub use form::{
    FieldErrors, FormResponse, FormUi, form, form_part, form_part_aligned, required_header,
    row_moved, row_renumbered,
};
pub use table::{
    Sort, fit_width, fit_width_plain, header_labels, money_cell, money_decimals, money_text,
    narrow_to_fit, sort_button, table, table_builder, top_cell,
};

use egui::{Color32, Response, RichText, Ui};

use crate::api::ApiError;
use crate::backend::Requested;
use crate::format;
use crate::i18n::t;

/// The colour of error text.
pub const ERROR: Color32 = Color32::from_rgb(0xd0, 0x30, 0x30);
/// The colour of warnings.
pub const WARNING: Color32 = Color32::from_rgb(0xc0, 0x80, 0x00);
/// The colour of a success (已保存, 已连接, a file written).
pub const SUCCESS: Color32 = Color32::from_rgb(0x2e, 0x8b, 0x57);

/// Shows `hint` above `response` while it is hovered: a column header's explanation that
/// a tooltip below would lay over the very rows it explains.
pub fn hint_above(response: &Response, hint: &str) {
    let mut tooltip = egui::Tooltip::for_enabled(response);
    tooltip.popup = tooltip
        .popup
        .align(egui::RectAlign::TOP_START)
        .align_alternatives(&[egui::RectAlign::TOP_END]);
    tooltip.show(|ui| {
        ui.label(hint);
    });
}

/// `colour` for text on a selected table row: the selection's blue under [`ERROR`] red
/// leaves it barely readable in the dark theme (under 1.5 : 1), so it is lightened there
/// and darkened in the light theme, staying red (at least 3 : 1 on the selection).
pub fn on_selection(visuals: &egui::Visuals, colour: Color32) -> Color32 {
    if visuals.dark_mode {
        colour.lerp_to_gamma(Color32::WHITE, 0.55)
    } else {
        colour.lerp_to_gamma(Color32::BLACK, 0.35)
    }
}
/// The width of a date input beside its calendar button: a date, or its hint
/// (YYYY-MM-DD, 年-月-日), whole.
pub const DATE_INPUT_WIDTH: f32 = 104.0;

/// Whether Enter was pressed in the single-line input `response` (an input loses its
/// focus on Enter): forms submit on it, searches run.
pub fn entered(ui: &Ui, response: &Response) -> bool {
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// The server's (or the form's own) complaint about a field, in red.
pub fn field_error(ui: &mut Ui, error: Option<String>) {
    if let Some(error) = error {
        ui.label(RichText::new(error).color(ERROR));
    }
}

/// A failed call's sentence, in red, where the call was made.
pub fn error_line(ui: &mut Ui, error: &ApiError) {
    ui.label(RichText::new(error.message()).color(ERROR));
}

/// The state of a list request: a spinner line while the first call runs (while one runs
/// again over what is shown, a spinner drawn at the line's right end and a busy pointer,
/// taking no room), the error if it failed.
pub fn request_status<T>(ui: &mut Ui, requested: &Requested<T>) {
    filters_status(ui, requested, &[]);
}

/// [`request_status`] for a list with filters: a refusal naming filters says each by its
/// label (`labels`: field → label, e.g. `created_to` → 截止日期), not by the request's
/// field name; a refusal naming none of them is said as it comes.
pub fn filters_status<T>(ui: &mut Ui, requested: &Requested<T>, labels: &[(&str, &str)]) {
    // Read again (a refresh, the tab shown again), what is shown stays where it is: a
    // line appearing above it would move the rows under the pointer as it clicks one.
    // A small spinner at the right end of the line, drawn over it without taking room,
    // and a busy pointer say that something is coming.
    if requested.is_pending() && requested.value().is_some() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Progress);
        let size = ui.spacing().interact_size.y * 0.7;
        let corner = ui.available_rect_before_wrap().right_top();
        let rect =
            egui::Rect::from_min_size(corner - egui::vec2(size, 0.0), egui::vec2(size, size));
        egui::Spinner::new().size(size).paint_at(ui, rect);
    } else if requested.is_pending() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(t("common.loading"));
        });
    }
    if let Some(error) = requested.error() {
        filters_error_line(ui, error, labels);
    }
}

/// A refusal of a search, its filters named by their labels (`labels`: field → label) when
/// it is only about them ("截止日期：早于起始日期 2026-11-30"), else said as it comes.
pub fn filters_error_line(ui: &mut Ui, error: &ApiError, labels: &[(&str, &str)]) {
    let named: Vec<String> = labels
        .iter()
        .filter_map(|(field, label)| {
            Some(crate::i18n::label_value(label, &error.field_clause(field)?))
        })
        .collect();
    let all_named = error.fields.iter().all(|f| {
        labels
            .iter()
            .any(|(field, _)| crate::api::names_field(&f.field, field))
    });
    if named.is_empty() || !all_named {
        error_line(ui, error);
    } else {
        ui.label(RichText::new(named.join("\n")).color(ERROR));
    }
}

/// A modal dialog: the window dims behind it; Esc or its own button closes it
/// ([`dismissed`]), a click outside does not (what was typed in it went with the dialog
/// when a click aimed at its buttons landed just past its edge). It sits below
/// the popups (combo box lists), so a list that reaches past the dialog's frame is drawn
/// over it and takes the click — egui's default puts the dialog above its own popups,
/// where a click on a choice past its edge closed the dialog instead. Its top stays put
/// ([`MODAL_TOP`] below the window's): centred, a dialog grew upwards as complaints
/// appeared in it, moving its fields and buttons from under the pointer both ways.
pub fn modal(id: &str) -> egui::Modal {
    modal_at(id, egui::Align2::CENTER_TOP, egui::vec2(0.0, MODAL_TOP))
}

/// [`modal`] anchored at `align` of the window, `offset` from it.
fn modal_at(id: &str, align: egui::Align2, offset: egui::Vec2) -> egui::Modal {
    let id = egui::Id::unique(id);
    egui::Modal::new(id).area(
        egui::Modal::default_area(id)
            .order(egui::Order::Middle)
            .anchor(align, offset),
    )
}

/// Whether `modal` was dismissed this frame: Esc (when it is the topmost and no list of
/// it is open). A click outside it is not taken for one ([`modal`]).
pub fn dismissed<T>(modal: &egui::ModalResponse<T>) -> bool {
    !modal.backdrop_response.clicked() && modal.should_close()
}

/// How far below the window's top a dialog starts, in points.
const MODAL_TOP: f32 = 90.0;

/// A yes/no question in a modal; `Some(true)` when confirmed, `Some(false)` when
/// cancelled (also with Esc), `None` while open.
fn confirm(ctx: &egui::Context, id: &str, question: &str, yes: &str) -> Option<bool> {
    let mut answer = None;
    // A question does not grow as it is answered: in the middle of the window, where the
    // eye is, not by the top edge far from the button that asked it.
    let modal = modal_at(id, egui::Align2::CENTER_CENTER, egui::Vec2::ZERO).show(ctx, |ui| {
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

/// An action waiting for the user to agree to a question (archive this, hand these
/// customers over, log out): asked with [`Confirm::ask`], answered in [`Confirm::ui`].
#[derive(Debug)]
pub struct Confirm<A> {
    pending: Option<A>,
}

impl<A> Default for Confirm<A> {
    fn default() -> Self {
        Confirm { pending: None }
    }
}

impl<A> Confirm<A> {
    /// Opens the question about `action`.
    pub fn ask(&mut self, action: A) {
        self.pending = Some(action);
    }

    /// The action asked about, while the question is open.
    pub fn pending(&self) -> Option<&A> {
        self.pending.as_ref()
    }

    /// Whether the question is open.
    pub fn is_asking(&self) -> bool {
        self.pending.is_some()
    }

    /// While the question is open, shows `question` with `yes` and cancel in a modal
    /// window: the action the frame the user agrees; either answer closes the question.
    pub fn ui(&mut self, ctx: &egui::Context, id: &str, question: &str, yes: &str) -> Option<A> {
        self.pending.as_ref()?;
        match confirm(ctx, id, question, yes) {
            Some(true) => self.pending.take(),
            Some(false) => {
                self.pending = None;
                None
            }
            None => None,
        }
    }
}

impl<A> Confirm<(A, String)> {
    /// [`Confirm::ui`] about a record named by the name asked with the action: `question`
    /// (a text with `{name}`) says it; the action the frame the user agrees.
    pub fn named_ui(
        &mut self,
        ctx: &egui::Context,
        id: &str,
        question: &str,
        yes: &str,
    ) -> Option<A> {
        let question = self
            .pending()
            .map(|(_, name)| question.replace("{name}", name))
            .unwrap_or_default();
        self.ui(ctx, id, &question, yes).map(|(action, _)| action)
    }
}

/// Deleting or archiving a record, asked first with a [`Confirm`]: the request to send
/// once the user agrees (a drug's, a container unit's).
pub enum RemoveAction {
    Delete(pharmacrm_shared::pb::DeleteRequest),
    Archive(pharmacrm_shared::pb::SetActiveRequest),
}

impl RemoveAction {
    /// The question about the record named `name`, from the texts `delete` and `archive`
    /// (keys of the UI's texts, with `{name}`), and its button.
    pub fn question(&self, (delete, archive): (&str, &str), name: &str) -> (String, &'static str) {
        let (question, yes) = match self {
            RemoveAction::Delete(_) => (t(delete), t("common.delete")),
            RemoveAction::Archive(_) => (t(archive), t("common.archive")),
        };
        (question.replace("{name}", name), yes)
    }
}

/// An action that would drop unsaved input (closing a form, opening another record),
/// waiting for the user to agree.
#[derive(Debug)]
pub struct Discard<A> {
    confirm: Confirm<A>,
}

impl<A> Default for Discard<A> {
    fn default() -> Self {
        Discard {
            confirm: Confirm::default(),
        }
    }
}

impl<A> Discard<A> {
    /// `action` now when nothing would be lost (`dirty` is false); otherwise it waits for
    /// the answer to [`Discard::ui`]'s question.
    pub fn request(&mut self, dirty: bool, action: A) -> Option<A> {
        if dirty {
            self.confirm.ask(action);
            None
        } else {
            Some(action)
        }
    }

    /// Whether the question is open.
    pub fn is_asking(&self) -> bool {
        self.confirm.is_asking()
    }

    /// Asks whether to drop the unsaved input; the action once the user agrees.
    pub fn ui(&mut self, ctx: &egui::Context, id: &str) -> Option<A> {
        self.confirm
            .ui(ctx, id, t("common.discard_question"), t("common.discard"))
    }
}

/// Draws `add` in a panel on the right of `ui` (the form beside a list: a drug, a user, a
/// unit, a customer type), `width` points wide to begin with, which the user may widen by
/// 140 points or narrow by 40 by dragging its edge; its content scrolls down.
pub fn side_panel(ui: &mut Ui, id: &str, width: f32, add: impl FnOnce(&mut Ui)) {
    right_panel(id, width).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, add);
    });
}

/// A form in a panel on the right as [`side_panel`] draws it, its buttons in a
/// [`button_bar`] under it: `buttons` draws them (on `state`, the panel the form belongs
/// to) and says what was pressed, then `form` draws the form and acts on it.
pub fn side_form<S, P>(
    ui: &mut Ui,
    id: &str,
    width: f32,
    state: &mut S,
    buttons: impl FnOnce(&mut S, &mut Ui) -> P,
    form: impl FnOnce(&mut S, &mut Ui, P),
) {
    right_panel(id, width).show(ui, |ui| {
        let pressed = button_bar(ui, &format!("{id}_buttons"), |ui| buttons(state, ui));
        egui::ScrollArea::vertical().show(ui, |ui| form(state, ui, pressed));
    });
}

/// The resizable panel on the right of [`side_panel`] and [`side_form`].
fn right_panel(id: &str, width: f32) -> egui::Panel {
    egui::Panel::right(id.to_owned())
        .resizable(true)
        .default_size(width)
        .min_size(width - 40.0)
        .max_size(width + 140.0)
}

/// The form beside a list (units, customer types): a record `F` as typed (`None`: no form
/// open), as it was read or saved, the save `R` on its way, its complaints, and the
/// question before dropping unsaved input. Its fields are open so that a form's inputs
/// and its complaints are borrowed together.
pub struct SideForm<F, R> {
    /// The record as typed; `None` while no form is open.
    pub form: Option<F>,
    /// The record as read or last saved.
    pub original: Option<F>,
    /// The last save.
    pub save: Requested<R>,
    /// The last failed save's complaints, under their fields until edited.
    pub errors: FieldErrors,
    discard: Discard<Option<F>>,
}

impl<F, R> Default for SideForm<F, R> {
    fn default() -> Self {
        SideForm {
            form: None,
            original: None,
            save: Requested::NotRequested,
            errors: FieldErrors::default(),
            discard: Discard::default(),
        }
    }
}

impl<F: Clone + PartialEq, R: Send + 'static> SideForm<F, R> {
    /// Whether the form holds input not saved.
    pub fn is_dirty(&self) -> bool {
        self.form != self.original
    }

    /// Shows `form` (`None`: closes the form), forgetting any earlier save.
    pub fn show(&mut self, form: Option<F>) {
        self.original = form.clone();
        self.form = form;
        self.save = Requested::NotRequested;
        self.errors.set(None);
    }

    /// Shows `form` now, or once the user agrees to drop unsaved input
    /// ([`SideForm::discard_ui`] asks).
    pub fn switch_to(&mut self, form: Option<F>) {
        if let Some(form) = self.discard.request(self.is_dirty(), form) {
            self.show(form);
        }
    }

    /// The question before dropping unsaved input, while it is open.
    pub fn discard_ui(&mut self, ctx: &egui::Context, id: &str) {
        if let Some(form) = self.discard.ui(ctx, id) {
            self.show(form);
        }
    }

    /// Takes in a finished save: once it succeeded, the form shows `read(saved)` (`None`:
    /// the record is gone, the form closes) as its new original, and true comes back (the
    /// list is to be read again).
    pub fn poll(&mut self, read: impl FnOnce(&R) -> Option<F>) -> bool {
        if !self.errors.poll(&mut self.save) {
            return false;
        }
        if let Some(saved) = self.save.value() {
            let form = read(saved);
            self.form = form.clone();
            self.original = form;
        }
        true
    }
}

/// Something that may hold input the user has not saved: a form, a view with a dialog open,
/// a whole module (the main window asks before logging out).
pub trait Unsaved {
    /// Whether leaving it now would lose input.
    fn is_dirty(&self) -> bool;
}

/// A module that has no such page (`Screen<F, Infallible>`: a list and a form only).
impl Unsaved for std::convert::Infallible {
    fn is_dirty(&self) -> bool {
        match *self {}
    }
}

/// A module's page: its list, the form for a new record (`F`), or one record's view (`V`).
pub enum Screen<F, V> {
    /// The list (with its filters); it holds no input worth asking about.
    List,
    /// The form for a new record.
    New(Box<F>),
    /// One record.
    View(Box<V>),
}

/// A module's pages and the way out of one that holds unsaved input: straight away when
/// nothing would be lost, else once the user agrees to [`Discard`]'s question. `Go` says
/// where to (the list, another record, another tab).
pub struct Screens<F, V, Go> {
    /// The page shown.
    pub page: Screen<F, V>,
    /// Where the user asked to go, while the question waits for an answer.
    leave: Discard<Go>,
    /// Back to the list was asked from outside the page (its tab clicked again), for
    /// [`Screens::settle`] to do.
    back: bool,
}

impl<F, V, Go> Default for Screens<F, V, Go> {
    /// The list.
    fn default() -> Self {
        Screens {
            page: Screen::List,
            leave: Discard::default(),
            back: false,
        }
    }
}

impl<F: Unsaved, V: Unsaved, Go> Unsaved for Screens<F, V, Go> {
    /// Whether the form or view shown holds unsaved input (the list never does).
    fn is_dirty(&self) -> bool {
        match &self.page {
            Screen::List => false,
            Screen::New(form) => form.is_dirty(),
            Screen::View(view) => view.is_dirty(),
        }
    }
}

impl<F: Unsaved, V: Unsaved, Go> Screens<F, V, Go> {
    /// `go` now when the page holds no unsaved input; otherwise the question is asked and
    /// [`Screens::leave_ui`] returns `go` once the user agrees.
    pub fn leave(&mut self, go: Go) -> Option<Go> {
        self.leave.request(self.is_dirty(), go)
    }

    /// Draws the question while a leave waits for it (`id` names the dialog); where to go
    /// once the user agrees to drop the input.
    pub fn leave_ui(&mut self, ctx: &egui::Context, id: &str) -> Option<Go> {
        self.leave.ui(ctx, id)
    }
}

impl<F: Unsaved, V: Unsaved> Screens<F, V, ()> {
    /// Goes back to the list at the end of the frame ([`Screens::settle`]), asking first
    /// when the page holds unsaved input: the tab's button clicked while a form or record
    /// of it is shown.
    pub fn back_to_list(&mut self) {
        self.back = true;
    }

    /// Ends a frame of a tab whose pages lead only back to its list: shows `next` when
    /// given; on `leave` goes back to the list, straight away when nothing would be lost,
    /// else once the user agrees (`id` names the question). True when it went back that
    /// way, for the caller to read the list again (a `next` of the list is the caller's).
    pub fn settle(
        &mut self,
        ctx: &egui::Context,
        id: &str,
        next: Option<Screen<F, V>>,
        leave: bool,
    ) -> bool {
        let mut back = self.leave_ui(ctx, id).is_some();
        if let Some(page) = next {
            self.page = page;
        }
        let leave = leave || std::mem::take(&mut self.back);
        back |= leave && !matches!(self.page, Screen::List) && self.leave(()).is_some();
        if back {
            self.page = Screen::List;
        }
        back
    }
}

/// Reads a date as typed (`2026/12/05`, `2026.12.05`) into `2026-12-05` for the server;
/// leaves what it cannot read as it is, for the server to name.
pub fn normalize_date(text: &str) -> String {
    parse_date(text).map_or_else(
        || text.trim().to_owned(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}

/// "第 1–50 条，共 120 条" ("无结果" when nothing matches; "约" before an estimate).
fn page_info(ui: &mut Ui, first: u64, shown: usize, total: u64, exact: bool) {
    if total == 0 && shown == 0 {
        ui.label(t("common.no_results"));
        return;
    }
    let to = first + shown as u64;
    let key = if exact {
        "common.page_info"
    } else {
        "common.page_info_about"
    };
    ui.label(
        t(key)
            .replace("{from}", &format::count(first + 1))
            .replace("{to}", &format::count(to))
            .replace("{total}", &format::count(total)),
    );
}

/// The page information with previous/next buttons, for lists paged by offset. Returns
/// whether `offset` changed.
pub fn pager(ui: &mut Ui, offset: &mut u32, shown: usize, total: u64, page: u32) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        page_info(ui, u64::from(*offset), shown, total, true);
        let to = u64::from(*offset) + shown as u64;
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

/// Keyset paging for a list: where each page visited so far started (the server's
/// `next_page` markers), so "next" asks for the page after the last row and "previous"
/// goes back to where the page before started. Any change of filter starts again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    /// The `after` marker of each page visited; the first page has none.
    starts: Vec<String>,
}

impl Pages {
    /// Back to the first page.
    pub fn reset(&mut self) {
        self.starts.clear();
    }

    /// The `after` marker to ask for the current page with.
    pub fn after(&self) -> String {
        self.starts.last().cloned().unwrap_or_default()
    }

    /// Draws the page information and buttons; `next_page` is the last answer's marker
    /// (empty on the last page). Returns whether the page changed.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        page_size: u32,
        shown: usize,
        (total, exact): (u64, bool),
        next_page: &str,
    ) -> bool {
        let mut changed = false;
        ui.horizontal(|ui| {
            let first = self.starts.len() as u64 * u64::from(page_size);
            page_info(ui, first, shown, total, exact);
            if ui
                .add_enabled(!self.starts.is_empty(), egui::Button::new(t("common.prev")))
                .clicked()
            {
                self.starts.pop();
                changed = true;
            }
            if ui
                .add_enabled(!next_page.is_empty(), egui::Button::new(t("common.next")))
                .clicked()
            {
                self.starts.push(next_page.to_owned());
                changed = true;
            }
        });
        changed
    }
}

/// A combo box setting `value` to one of `options` (value, text), `width` wide. The
/// closed box shows the chosen option's text, or "请选择" when none matches; the response
/// is marked changed when the value changed.
pub fn combo_box<T: PartialEq + Clone>(
    ui: &mut Ui,
    id_salt: &str,
    value: &mut T,
    options: &[(T, String)],
    width: f32,
) -> Response {
    let before = value.clone();
    let selected = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or(t("common.pick"), |(_, text)| text.as_str());
    // Exactly `width` wide: a long choice is cut with "…" (whole on hover, and in the
    // list) instead of widening the box and pushing what follows it along the row.
    let height = ui.spacing().interact_size.y;
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    let mut response = ui
        .allocate_ui_with_layout(egui::vec2(width, height), layout, |ui| {
            egui::ComboBox::from_id_salt(id_salt)
                .selected_text(selected)
                .width(width)
                // Longer lists than egui's 200 px show more at once (a department tree,
                // the audit log's actions), within half the window.
                .height((ui.ctx().content_rect().height() * 0.5).clamp(200.0, 400.0))
                .truncate()
                .show_ui(ui, |ui| {
                    for (option, text) in options {
                        ui.selectable_value(value, option.clone(), text);
                    }
                })
                .response
        })
        .inner;
    if table::text_width(ui, selected, egui::TextStyle::Button) + combo_chrome(ui) > width {
        response = response.on_hover_text(selected);
    }
    if *value != before {
        response.mark_changed();
    }
    response
}

/// What a combo box draws beside its text (the arrow and the padding), points.
fn combo_chrome(ui: &Ui) -> f32 {
    let spacing = ui.spacing();
    spacing.icon_width + spacing.icon_spacing + 2.0 * spacing.button_padding.x
}

/// A labelled combo box (label beside it) setting `value` to one of `options`; returns
/// whether the value changed.
pub fn combo<T: PartialEq + Clone>(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    // As wide as its longest choice, up to a rep with their department (王经理（营销中心）)
    // whole: a filter bar of short choices (在用, 医院) stays on one line.
    combo_up_to(ui, id_salt, label, value, options, 170.0)
}

/// [`combo`], up to `max_width` points wide: for choices named by a path (总部 › 营销中心
/// › 营销一部), whose ends tell them apart and were cut.
pub fn combo_up_to<T: PartialEq + Clone>(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
    max_width: f32,
) -> bool {
    const MIN_WIDTH: f32 = 90.0;
    let chrome = combo_chrome(ui);
    let width = fit_width_plain(
        ui,
        t("common.pick"),
        options.iter().map(|(_, text)| text.as_str()),
        egui::TextStyle::Button,
        MIN_WIDTH - chrome,
        max_width - chrome,
    ) + chrome;
    keep_together(ui, label, width);
    let label = ui.label(label);
    combo_box(ui, id_salt, value, options, width)
        .labelled_by(label.id)
        .changed()
}

/// A list's search box in a filter bar: `label`, then a text input with `hint` (named by
/// the label), at least `width` points wide and as wide as its hint (up to 360), focused
/// by Ctrl+F (Cmd+F on macOS). Kept on one row.
pub fn search_field(
    ui: &mut Ui,
    label: &str,
    hint: &str,
    width: f32,
    text: &mut String,
) -> Response {
    // Wide enough for its hint, which says what it searches (cut, it said half).
    let width = width.max((text_width(ui, hint) + 16.0).min(360.0));
    keep_together(ui, label, width);
    let label = ui.label(label);
    let search = ui
        .add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(width),
        )
        .labelled_by(label.id);
    if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::F)) {
        search.request_focus();
    }
    search
}

/// In a wrapping row (a filter bar), starts a new row unless `label` and the `control_width`
/// points of its control fit in what is left of this one, so that a label never ends a
/// row while its control starts the next.
pub fn keep_together(ui: &mut Ui, label: &str, control_width: f32) {
    if !ui.layout().main_wrap {
        return;
    }
    let needed = text_width(ui, label) + 2.0 * ui.spacing().item_spacing.x + control_width;
    if ui.available_size_before_wrap().x < needed {
        ui.end_row();
    }
}

/// The width of `text` on one line of the body font, in points.
pub(crate) fn text_width(ui: &Ui, text: &str) -> f32 {
    table::text_width(ui, text, egui::TextStyle::Body)
}

/// The points a date filter's input and calendar button take.
const DATE_FILTER_CONTROL: f32 = DATE_INPUT_WIDTH + 60.0;

/// A period in a wrapping filter bar: two [`date_filter`]s, `from` and `to` (each a label
/// and the date as typed; egui ids from `salt`), kept on one row (the end alone on the
/// next row read as another filter). Returns what to say under the bar of an end that does
/// not read, and so does not filter ([`unread_dates_ui`]).
pub fn period_filter(
    ui: &mut Ui,
    salt: &str,
    (from_label, from): (&str, &mut String),
    (to_label, to): (&str, &mut String),
) -> Vec<String> {
    let spacing = 2.0 * ui.spacing().item_spacing.x;
    let to_width = text_width(ui, to_label) + spacing + DATE_FILTER_CONTROL;
    keep_together(ui, from_label, DATE_FILTER_CONTROL + spacing + to_width);
    let from_unread = date_filter(ui, &format!("{salt}_from"), from_label, from);
    let to_unread = date_filter(ui, &format!("{salt}_to"), to_label, to);
    [(from_label, from_unread), (to_label, to_unread)]
        .into_iter()
        .filter(|(_, unread)| *unread)
        .map(|(label, _)| crate::i18n::label_value(label, t("common.date_unread")))
        .collect()
}

/// Under a filter bar, in red, the date filters that do not read and so do not filter
/// ("下单日期从：不是有效日期（如 2026-12-01），未按此日期筛选"), as [`period_filter`] said
/// them: the red input alone went unnoticed, the list showing every date.
pub fn unread_dates_ui(ui: &mut Ui, unread: &[String]) {
    for line in unread {
        ui.label(RichText::new(line).color(ERROR));
    }
}

/// A labelled date filter in a wrapping filter bar: typed, or picked from the calendar
/// beside it. A date that does not read (2026-13-01) does not filter ([`date_filter_key`]):
/// once the user has left the input it is shown in red, its hover saying why; returns
/// whether it is so.
pub fn date_filter(ui: &mut Ui, salt: &str, label: &str, value: &mut String) -> bool {
    // The input and its calendar button.
    keep_together(ui, label, DATE_FILTER_CONTROL);
    let label = ui.label(label);
    let id = ui.make_persistent_id((salt, "input"));
    let typing = ui.memory(|m| m.has_focus(id));
    let unread = !typing && !value.trim().is_empty() && parse_date(value).is_none();
    let mut input = egui::TextEdit::singleline(value)
        .id(id)
        .hint_text(t("common.date_hint"))
        .desired_width(DATE_INPUT_WIDTH);
    if unread {
        input = input.text_color(ERROR);
    }
    let response = ui.add(input).labelled_by(label.id);
    if unread {
        response.on_hover_text(t("common.date_unread"));
    }
    date_picker(ui, salt, value);
    unread
}

/// A date filter as sent: `YYYY-MM-DD` once it reads as a date, else nothing (a date
/// half typed does not search).
pub fn date_filter_key(text: &str) -> String {
    parse_date(text)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Whether each of the filter dates typed reads as one (an empty one is an open end):
/// a period half typed ("2026-09") is not exported as if it were open.
pub fn filter_dates_read(dates: &[&str]) -> bool {
    dates
        .iter()
        .all(|d| d.trim().is_empty() || parse_date(d).is_some())
}

/// Reads a date typed as `2026-12-05`, `2026/12/05` or `2026.12.05`, full-width digits
/// and separators too (`２０２６－１２－０５`).
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = pharmacrm_shared::validation::half_width(text)
        .trim()
        .replace(['/', '.'], "-");
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

/// A proto enum the user picks from: its choices in order, and their labels.
pub trait Choice: Copy + Into<i32> + 'static {
    /// Every choice, in the order shown ("unspecified" left out).
    const ALL: &'static [Self];
    /// The choice's text in the UI language.
    fn label(self) -> &'static str;
}

/// The options of a [`Choice`] enum, as its wire numbers.
pub fn choices<E: Choice>() -> Vec<(i32, String)> {
    E::ALL
        .iter()
        .map(|e| ((*e).into(), e.label().to_owned()))
        .collect()
}

/// The label of a [`Choice`] enum's wire number ("" when it is none of them).
pub fn choice_label<E: Choice>(value: i32) -> &'static str {
    E::ALL
        .iter()
        .find(|e| (**e).into() == value)
        .map_or("", |e| e.label())
}

/// "归档" for an active record, "恢复" for an archived one; returns the `is_active` to set
/// when clicked.
pub fn archive_button(ui: &mut Ui, is_active: bool, enabled: bool) -> Option<bool> {
    let label = if is_active {
        t("common.archive")
    } else {
        t("common.restore")
    };
    ui.add_enabled(enabled, egui::Button::new(label))
        .clicked()
        .then_some(!is_active)
}

/// Implements [`Choice`] for a proto enum:
/// `choice!(pb::FollowupMethod { Visit => t("followup.visit"), … })`.
#[macro_export]
macro_rules! choice {
    ($enum:ty { $($variant:ident => $label:expr),+ $(,)? }) => {
        impl $crate::widgets::Choice for $enum {
            const ALL: &'static [Self] = &[$(<$enum>::$variant),+];

            fn label(self) -> &'static str {
                match self {
                    $(<$enum>::$variant => $label,)+
                    #[allow(unreachable_patterns)]
                    _ => "",
                }
            }
        }
    };
}

/// A server's warning (`pb::Warning`: a price below cost…) in the UI language.
pub fn warning_text(w: &pharmacrm_shared::pb::Warning) -> &str {
    match crate::i18n::lang() {
        crate::i18n::Lang::Zh => &w.message_zh,
        crate::i18n::Lang::En => &w.message,
    }
}

/// [`warning_text`] said on a line of its own: a sentence ("The customer's licence…"; the
/// wire keeps gRPC's lower case), as a refusal says it. Under a field, after its label,
/// the text stays as it is.
pub fn warning_sentence(w: &pharmacrm_shared::pb::Warning) -> String {
    crate::api::sentence(warning_text(w))
}

/// A detail's value as shown, "—" when nothing was entered: every detail says the same
/// for an empty field.
pub fn or_dash(value: &str) -> String {
    if value.trim().is_empty() {
        "—".to_owned()
    } else {
        value.to_owned()
    }
}

/// Label/value pairs in a grid, two pairs per line when there is room (700 points); an
/// empty value shows "—" ([`or_dash`]).
pub fn fields_grid(ui: &mut Ui, id: &str, fields: &[(&str, String)]) {
    let per_line = if ui.available_width() >= 700.0 { 2 } else { 1 };
    egui::Grid::new(id)
        .num_columns(2 * per_line)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for (i, (label, value)) in fields.iter().enumerate() {
                ui.add(
                    egui::Label::new(RichText::new(*label).weak())
                        .wrap_mode(egui::TextWrapMode::Extend),
                );
                // Values keep their width: a truncating label in a grid shrinks its column
                // to a few characters ("202…").
                ui.add(egui::Label::new(or_dash(value)).wrap_mode(egui::TextWrapMode::Extend));
                if (i + 1) % per_line == 0 {
                    ui.end_row();
                }
            }
        });
}

/// A bar at the bottom of `ui` for a form's buttons (what `add` draws; `id` names it):
/// an error or warning appearing in the form as it is saved or typed does not move them
/// under the pointer (a failed save put 添加订单 where 保存回款 had been, and the next
/// click added a row). Draw it before the form's scroll area.
pub fn button_bar<R>(ui: &mut Ui, id: &str, add: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Panel::bottom(id)
        .frame(egui::Frame::NONE.inner_margin(egui::Margin::symmetric(0, 6)))
        .show(ui, add)
        .inner
}

/// A form's save and close buttons (save labelled `save`, disabled with a spinner beside
/// while `busy`; close labelled `close`): (save clicked, close clicked).
pub fn form_buttons(ui: &mut Ui, save: &str, close: &str, busy: bool) -> (bool, bool) {
    let mut clicked = (false, false);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        clicked.0 = ui.add_enabled(!busy, egui::Button::new(save)).clicked();
        clicked.1 = ui.button(close).clicked();
        if busy {
            ui.spinner();
        }
    });
    clicked
}

/// What the user of a [`form_dialog`] did this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogAnswer {
    /// Nothing yet (or a save is on its way): the dialog stays.
    Open,
    /// Its button, or Enter in its form.
    Submit,
    /// 取消 or Esc.
    Close,
}

/// A form in a [`modal`] at least `width` points wide: `body` draws its heading, texts
/// and form and says whether Enter submitted it; under it the `yes` button and 取消.
/// Neither answer is given while `busy` (a save on its way: its answer closes the dialog
/// or puts the complaints under their fields).
pub fn form_dialog(
    ctx: &egui::Context,
    id: &str,
    width: f32,
    yes: &str,
    busy: bool,
    body: impl FnOnce(&mut Ui) -> bool,
) -> DialogAnswer {
    let mut submit = false;
    let mut close = false;
    let modal = modal(id).show(ctx, |ui| {
        ui.set_min_width(width);
        submit = body(ui);
        let (confirm, dismiss) = form_buttons(ui, yes, t("common.cancel"), busy);
        submit |= confirm;
        close = dismiss;
    });
    if busy {
        DialogAnswer::Open
    } else if dismissed(&modal) || close {
        DialogAnswer::Close
    } else if submit {
        DialogAnswer::Submit
    } else {
        DialogAnswer::Open
    }
}

/// A list's per-row removal button (删除 on an order line) labelled `label`, `small` or
/// not, with `hover` said over it; whether it was clicked to remove its row.
///
/// Not by the second click of a double click: once a row goes, the next row's button
/// stands where the pointer is, and a double click took two rows. Nor from the keyboard:
/// the button is left out of the Tab order, so Tab from a row's last field goes to the
/// next row's first, and Enter pressed there (to save) does not take the row away.
pub fn row_remove_button(ui: &mut Ui, label: &str, small: bool, hover: Option<&str>) -> bool {
    let mut button = egui::Button::new(label).sense(egui::Sense::CLICK);
    if small {
        button = button.small();
    }
    let mut response = ui.add(button);
    if let Some(hover) = hover {
        response = response.on_hover_text(hover);
    }
    response.clicked() && !response.double_clicked()
}

/// A button that submits a form: `label`, enabled when `enabled` (e.g. a change and
/// nothing in flight); whether to submit now, i.e. it was clicked or Enter was pressed in
/// the form (`submitted`) while enabled.
pub fn submit_button(ui: &mut Ui, label: &str, enabled: bool, submitted: bool) -> bool {
    let clicked = ui.add_enabled(enabled, egui::Button::new(label)).clicked();
    enabled && (clicked || submitted)
}

/// One list of 我的工作 under `heading`: the state of its call, `none` (greyed) when the
/// answer's `rows` are empty, a wrapping line per row (`row` draws it), and "仅显示前 50
/// 条，共 120 条" when the answer's `total` is more than it holds. A row's pieces are kept
/// whole, each moving to the next line rather than breaking ("异常金 / 额：196.50" at 900
/// wide); a piece that may be long (a list of drugs, a note) is added with `.wrap()`.
pub fn work_list<R: Clone + Default + Send + 'static, T>(
    ui: &mut Ui,
    heading: &str,
    none: &str,
    list: &mut Requested<R>,
    (rows, total): (impl Fn(&R) -> &[T], impl Fn(&R) -> u64),
    mut row: impl FnMut(&mut Ui, &T),
) {
    list.poll();
    ui.separator();
    ui.heading(heading);
    request_status(ui, list);
    let answer = list.value().cloned().unwrap_or_default();
    let shown = rows(&answer);
    if shown.is_empty() {
        ui.label(RichText::new(none).weak());
    }
    for r in shown {
        ui.horizontal_wrapped(|ui| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            row(ui, r);
        });
    }
    let (shown, total) = (shown.len() as u64, total(&answer));
    if total > shown {
        ui.label(
            RichText::new(
                t("work.more_of")
                    .replace("{n}", &crate::format::count(shown))
                    .replace("{total}", &crate::format::count(total)),
            )
            .weak(),
        );
    }
}

/// The archived records of `all` (every record, archived ones too), each named by
/// `archived` (`None` for an active one) with a 恢复 button, greyed while a save is
/// `busy`; `none` when there are none. Returns the record whose button was clicked.
pub fn archived_to_restore<T: Clone + Send + 'static>(
    ui: &mut Ui,
    all: &Requested<Vec<T>>,
    busy: bool,
    archived: impl Fn(&T) -> Option<String>,
    none: &str,
) -> Option<T> {
    request_status(ui, all);
    let all = all.value()?;
    let mut clicked = None;
    let mut any = false;
    for record in all {
        let Some(name) = archived(record) else {
            continue;
        };
        any = true;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(name).weak());
            if ui
                .add_enabled(!busy, egui::Button::new(t("common.restore")))
                .clicked()
            {
                clicked = Some(record.clone());
            }
        });
    }
    if !any {
        ui.label(RichText::new(none).weak());
    }
    clicked
}

/// A form's 保存: enabled once something `changed` and nothing is `busy` in flight, its
/// hover saying why while nothing changed (a new form's button greyed from the start
/// said nothing); whether to save now (clicked, or Enter in the form: `submitted`).
pub fn save_button(ui: &mut Ui, busy: bool, changed: bool, submitted: bool) -> bool {
    let enabled = !busy && changed;
    let mut button = ui.add_enabled(enabled, egui::Button::new(t("common.save")));
    if !changed {
        button = button.on_disabled_hover_text(t("common.nothing_changed"));
    }
    enabled && (button.clicked() || submitted)
}

/// A module's tab, shown to those who hold its permission (the admin console's and
/// finance's tabs).
pub trait PermittedTab: Copy + PartialEq + 'static {
    /// Every tab, in order.
    const ALL: &'static [Self];
    /// The permission that shows the tab.
    fn permission(self) -> pharmacrm_shared::Permission;
    /// Its label, in the UI's language.
    fn label(self) -> &'static str;

    /// The first tab the user of `ctx` may see; none when they may see none.
    fn first(ctx: &crate::ctx::AppCtx) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|tab| ctx.can(tab.permission()))
    }
}

/// The row of tabs the user of `ctx` may see, `tab` the one chosen; whether the tab
/// already chosen was clicked again (for it to go back to its list).
pub fn tab_bar<T: PermittedTab>(
    ui: &mut Ui,
    ctx: &crate::ctx::AppCtx,
    tab: &mut Option<T>,
) -> bool {
    let before = *tab;
    let mut again = false;
    ui.horizontal(|ui| {
        for &each in T::ALL {
            if ctx.can(each.permission())
                && ui.selectable_value(tab, Some(each), each.label()).clicked()
                && before == Some(each)
            {
                again = true;
            }
        }
    });
    again
}

/// The nodes of a tree listed flat (`id`, `parent`, `name` of each), as choices for a
/// combo box: depth first, each parent before its children, siblings in the order listed,
/// and each named by its path ("营销中心 › 华东大区"). A node whose parent is not listed (an
/// archived one) stands at the top.
pub fn tree_paths<T>(
    nodes: &[T],
    id: impl Fn(&T) -> i64,
    parent: impl Fn(&T) -> Option<i64>,
    name: impl Fn(&T) -> &str,
) -> Vec<(i64, String)> {
    let listed: std::collections::HashSet<i64> = nodes.iter().map(&id).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<&T>> = Default::default();
    for node in nodes {
        let above = parent(node).filter(|p| listed.contains(p));
        children.entry(above).or_default().push(node);
    }
    let mut paths = Vec::with_capacity(nodes.len());
    // (node, its parent's path), the next to visit last.
    let mut stack: Vec<(&T, String)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|n| (*n, String::new()))
        .collect();
    while let Some((node, above)) = stack.pop() {
        let path = if above.is_empty() {
            name(node).to_owned()
        } else {
            format!("{above} › {}", name(node))
        };
        for child in children.get(&Some(id(node))).into_iter().flatten().rev() {
            stack.push((*child, path.clone()));
        }
        paths.push((id(node), path));
    }
    paths
}

/// The sales rep of a row of a work list of someone who oversees a team ("营销员：李营销"),
/// when it is another's; nothing in a list of one's own.
pub fn team_rep(
    ui: &mut Ui,
    ctx: &crate::ctx::AppCtx,
    rep: Option<&pharmacrm_shared::pb::UserRef>,
) {
    team_member(ui, ctx, t("customer.sales_rep"), rep);
}

/// [`team_rep`] for the CS rep, who does the shipping work ("客服：陈客服").
pub fn team_cs_rep(
    ui: &mut Ui,
    ctx: &crate::ctx::AppCtx,
    rep: Option<&pharmacrm_shared::pb::UserRef>,
) {
    team_member(ui, ctx, t("customer.cs_rep"), rep);
}

fn team_member(
    ui: &mut Ui,
    ctx: &crate::ctx::AppCtx,
    role: &str,
    rep: Option<&pharmacrm_shared::pb::UserRef>,
) {
    if !ctx.oversees() {
        return;
    }
    if let Some(rep) = rep.filter(|r| r.id != ctx.user_id()) {
        ui.label(crate::i18n::label_value(role, &rep.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_is_offered_depth_first_by_path_an_orphan_at_the_top() {
        // (id, parent, name), as listed by name.
        let nodes = [
            (3, Some(1), "华东大区"),
            (4, Some(3), "上海一部"),
            (2, None, "质量部"),
            (1, None, "营销中心"),
            (5, Some(1), "华南大区"),
            (6, Some(9), "旧部门下级"),
        ];
        let paths = tree_paths(&nodes, |n| n.0, |n| n.1, |n| n.2);
        let names: Vec<&str> = paths.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "质量部",
                "营销中心",
                "营销中心 › 华东大区",
                "营销中心 › 华东大区 › 上海一部",
                "营销中心 › 华南大区",
                "旧部门下级",
            ]
        );
        assert_eq!(paths[3].0, 4);
    }

    /// WCAG 2's contrast ratio of two colours (1 to 21).
    fn contrast(a: Color32, b: Color32) -> f32 {
        let luminance = |c: Color32| {
            let channel = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.039_28 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn red_text_stays_readable_on_a_selected_row_in_either_theme() {
        for visuals in [egui::Visuals::dark(), egui::Visuals::light()] {
            let selection = visuals.selection.bg_fill;
            if visuals.dark_mode {
                assert!(contrast(ERROR, selection) < 1.5, "the case this is for");
            }
            let shown = on_selection(&visuals, ERROR);
            assert!(
                contrast(shown, selection) >= 3.0,
                "{shown:?} on {selection:?}: {}",
                contrast(shown, selection)
            );
            // Still red.
            assert!(shown.r() > shown.g() && shown.r() > shown.b());
        }
    }

    /// A form, filled in or not.
    struct Typed(bool);

    impl Unsaved for Typed {
        fn is_dirty(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn leaving_a_page_waits_for_the_question_only_when_input_would_be_lost() {
        let mut screens: Screens<Typed, std::convert::Infallible, &str> = Screens::default();
        assert_eq!(
            screens.leave("customer"),
            Some("customer"),
            "the list holds none"
        );
        screens.page = Screen::New(Box::new(Typed(false)));
        assert_eq!(screens.leave("list"), Some("list"), "an empty form closes");
        screens.page = Screen::New(Box::new(Typed(true)));
        assert!(screens.is_dirty());
        assert_eq!(screens.leave("list"), None, "a filled form asks first");
        assert!(screens.leave.is_asking());
    }

    #[test]
    fn a_list_read_again_stays_where_it_is_and_a_first_read_says_it_is_loading() {
        use crate::backend::Promise;
        use egui_kittest::{Harness, kittest::Queryable};
        let mut harness = Harness::new_ui_state(
            |ui, list: &mut Requested<i32>| {
                crate::fonts::install_once(ui.ctx());
                request_status(ui, list);
                let _ = ui.button("PY20261025-0001");
            },
            Requested::NotRequested,
        );
        harness.run();
        harness.state_mut().request(Promise::answered(Ok(1)));
        // (A spinner repaints for ever: steps, not a run to rest.)
        harness.run_steps(2);
        assert!(harness.query_by_label(t("common.loading")).is_some());
        let _ = harness.state_mut().poll();
        harness.run();
        let row = harness.get_by_label("PY20261025-0001").rect().top();
        // Read again (not polled: the call is still in flight).
        harness.state_mut().request(Promise::answered(Ok(2)));
        harness.run_steps(2);
        assert!(harness.state().is_pending());
        assert_eq!(
            harness.get_by_label("PY20261025-0001").rect().top(),
            row,
            "the row under the pointer does not move"
        );
    }

    #[test]
    fn a_long_choice_is_cut_and_does_not_push_the_filters_after_it() {
        use egui_kittest::{Harness, kittest::Queryable};
        let long = "王营销（营销中心 › 华东大区 › 上海一部 › 浦东组）".to_owned();
        let options = vec![(0, "全部".to_owned()), (1, long.clone())];
        let mut harness = Harness::new_ui_state(
            |ui, picked: &mut i32| {
                crate::fonts::install_once(ui.ctx());
                ui.horizontal(|ui| {
                    combo(ui, "rep", "经手人", picked, &options);
                    let _ = ui.button("查询");
                });
            },
            0,
        );
        harness.run();
        let query_at = harness.get_by_label("查询").rect().left();
        *harness.state_mut() = 1;
        harness.run();
        let combo = harness.get_by_role(egui::accesskit::Role::ComboBox).rect();
        assert!(combo.width() <= 171.0, "{combo:?}");
        assert_eq!(
            harness.get_by_label("查询").rect().left(),
            query_at,
            "the button after it stays put"
        );
    }

    #[test]
    fn a_question_gives_its_action_once_agreed_and_nothing_once_cancelled() {
        use egui_kittest::{Harness, kittest::Queryable};
        #[derive(Default)]
        struct Archive {
            confirm: Confirm<i64>,
            archived: Vec<i64>,
        }
        let mut harness = Harness::new_ui_state(
            |ui, s: &mut Archive| {
                crate::fonts::install_once(ui.ctx());
                if let Some(id) = s.confirm.ui(ui.ctx(), "archive", "归档该部门吗？", "归档")
                {
                    s.archived.push(id);
                }
            },
            Archive::default(),
        );
        harness.run();
        assert!(
            harness.query_by_label("归档该部门吗？").is_none(),
            "not asked yet"
        );

        harness.state_mut().confirm.ask(7);
        harness.run();
        harness.get_by_label(t("common.cancel")).click();
        harness.run();
        assert!(
            !harness.state().confirm.is_asking(),
            "cancel closes the question"
        );
        assert!(
            harness.state().archived.is_empty(),
            "cancel archives nothing"
        );

        harness.state_mut().confirm.ask(8);
        harness.run();
        assert_eq!(harness.state().confirm.pending(), Some(&8));
        harness.get_by_label("归档").click();
        harness.run();
        assert_eq!(
            harness.state().archived,
            [8],
            "agreed once, for the record asked about"
        );
        assert!(harness.query_by_label("归档该部门吗？").is_none());
    }
}
