//! The house's data table: columns of text, counts and amounts (amounts right-aligned on
//! their decimal point), each as wide as its widest cell within bounds, long names giving
//! way before a figure is pushed out of sight, and in a window too narrow for it the first
//! column kept in sight while the rest scrolls sideways. The lists that only show rows
//! are drawn with it: orders, shipments, customers, drugs, users, the audit log, the
//! dictionaries, the finance tables and the reports (not yet the order view's lines,
//! whose headers explain themselves on hover).

use egui::scroll_area::ScrollBarVisibility;
use egui::{Align, Color32, Layout, RichText};
use egui_extras::Column;

use crate::i18n::t;
use crate::widgets;

/// The height of a table's header and of each of its rows, points.
pub const ROW_HEIGHT: f32 = 24.0;

/// The extra room before a text column that follows a right-aligned figure, points.
const FIGURE_GAP: f32 = 10.0;

/// One cell of a [`DataTable`]: a text, or for a money column an amount as the server
/// sends it (empty for none); in `colour` when given. A text cut in a narrow column shows
/// whole on hover, unless the cell has a tooltip of its own (`hover`), which then says
/// the whole text as well.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    text: String,
    colour: Option<Color32>,
    hover: Option<String>,
}

impl Cell {
    /// A cell in the row's colour.
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    /// A cell in `colour` when given.
    pub fn coloured(text: impl Into<String>, colour: Option<Color32>) -> Cell {
        Cell {
            text: text.into(),
            colour,
            ..Cell::default()
        }
    }

    /// The cell with `hover` shown when the pointer rests on it, in place of the cut
    /// text's own tooltip: it should say the cell's text too (a drug's name, then its
    /// trade name). Text columns only: a figure is never cut and has no tooltip.
    pub fn with_hover(self, hover: impl Into<String>) -> Cell {
        Cell {
            hover: Some(hover.into()),
            ..self
        }
    }
}

/// The cells of a column: `text` of each row.
pub fn cells<T>(rows: &[T], text: impl Fn(&T) -> String) -> Vec<Cell> {
    rows.iter().map(|row| Cell::new(text(row))).collect()
}

/// What a column holds, which sets how its cells and header line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Names, numbers, dates: left-aligned, cut with "…" in a narrow window.
    Text,
    /// Counts: right-aligned.
    Count,
    /// Amounts: right-aligned under a right-aligned header, monospaced, on their decimal
    /// point.
    Money,
}

/// Each row's style in a list whose picked record shows beside or under it: the row of
/// `selected` lit, rows that `row` says are greyed (archived, cancelled, reversed) weak.
/// `row` gives a row's id and whether it is greyed.
pub fn row_styles<T>(
    rows: &[T],
    selected: Option<i64>,
    row: impl Fn(&T) -> (i64, bool),
) -> Vec<RowStyle> {
    rows.iter()
        .map(|r| match row(r) {
            (id, _) if Some(id) == selected => RowStyle::Selected,
            (_, true) => RowStyle::Weak,
            (_, false) => RowStyle::Normal,
        })
        .collect()
}

/// A dictionary entry's status cell: 在用 or 已归档.
pub fn active_text(is_active: bool) -> String {
    t(if is_active {
        "drug.active"
    } else {
        "drug.archived"
    })
    .to_owned()
}

/// A column of a [`DataTable`].
pub struct TableColumn<'a> {
    header: &'a str,
    kind: Kind,
    /// One cell per row.
    cells: Vec<Cell>,
    /// A text that may be cut with "…" in a narrow window (not one that carries figures).
    cut: bool,
    /// The server's sort key of a sortable column, and whether a first click sorts it
    /// largest first.
    sort: Option<(i32, bool)>,
}

impl<'a> TableColumn<'a> {
    fn new(header: &'a str, kind: Kind, cells: Vec<Cell>) -> Self {
        TableColumn {
            header,
            kind,
            cells,
            cut: kind == Kind::Text,
            sort: None,
        }
    }

    /// A column of text.
    pub fn text(header: &'a str, cells: Vec<Cell>) -> Self {
        TableColumn::new(header, Kind::Text, cells)
    }

    /// A column of counts and other whole numbers (days), as they should show.
    pub fn count(header: &'a str, cells: Vec<Cell>) -> Self {
        TableColumn::new(header, Kind::Count, cells)
    }

    /// A column of amounts (CNY as the server sends them; empty for none).
    pub fn money(header: &'a str, cells: Vec<Cell>) -> Self {
        TableColumn::new(header, Kind::Money, cells)
    }

    /// The column sorted by `key` on the server, its header a button; a first click sorts
    /// it largest first when `largest_first` (amounts), else smallest (names, dates).
    pub fn sorted_by(self, key: i32, largest_first: bool) -> Self {
        TableColumn {
            sort: Some((key, largest_first)),
            ..self
        }
    }

    /// A text column never cut in a narrow window (the table scrolls sideways instead):
    /// its text carries figures ("已发 12/12 · 已签收 10"), which a cut would misread.
    pub fn uncut(self) -> Self {
        TableColumn { cut: false, ..self }
    }

    /// Whether its cells line up on the right.
    fn right_aligned(&self) -> bool {
        self.kind != Kind::Text
    }
}

/// How a table is sorted, as far as its headers need to know: what a header shows and
/// what a click on it does. [`widgets::Sort`] is one, for wire enums' numbers; a key may
/// also be the column's index, for a request whose keys are names (a report).
pub trait SortState {
    /// `Some(descending)` when the table is sorted by `key`.
    fn sorted(&self, key: i32) -> Option<bool>;
    /// The header of `key` was clicked: the other way round when the table is sorted by
    /// it already, else largest first when `largest_first`.
    fn click(&mut self, key: i32, largest_first: bool);
}

impl SortState for widgets::Sort {
    fn sorted(&self, key: i32) -> Option<bool> {
        (self.key == key).then_some(self.descending)
    }

    fn click(&mut self, key: i32, largest_first: bool) {
        widgets::Sort::click(self, key, largest_first);
    }
}

/// How a whole row of a [`DataTable`] is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RowStyle {
    #[default]
    Normal,
    /// Greyed (a reversed payment, a cancelled order, an archived record).
    Weak,
    /// Bold (a totals row).
    Strong,
    /// Highlighted (the row whose details show below).
    Selected,
}

impl RowStyle {
    fn paint(self, text: RichText, colour: Option<Color32>) -> RichText {
        let text = match colour {
            Some(colour) => text.color(colour),
            None => text,
        };
        match self {
            RowStyle::Normal | RowStyle::Selected => text,
            RowStyle::Weak => text.weak(),
            RowStyle::Strong => text.strong(),
        }
    }
}

/// A table of text, count and money columns, each as wide as its widest cell (within
/// bounds), amounts right-aligned on their decimal point; rows are normal unless
/// [`DataTable::styles`] says otherwise. Built like egui's own widgets:
/// `DataTable::new("orders", &columns).clickable().max_height(h).sort(Some(&mut sort)).show(ui)`.
pub struct DataTable<'a, 'c> {
    id_salt: &'a str,
    columns: &'a [TableColumn<'c>],
    styles: &'a [RowStyle],
    clickable: bool,
    max_height: Option<f32>,
    min_height: f32,
    sort: Option<&'a mut dyn SortState>,
    group: Option<&'a str>,
}

/// The column widths of a group of tables ([`DataTable::aligned`]): the widest of each
/// column over the group's tables in the last frame drawn (`previous`) and so far in this
/// one (`current`, frame `pass`).
#[derive(Clone, Default)]
struct GroupWidths {
    pass: u64,
    previous: Vec<f32>,
    current: Vec<f32>,
}

/// Widens `widths` to the group's widest of the last frame, and notes them among this
/// frame's; asks for another frame while the group's widths are still growing (the first
/// frame of a statement knows only the tables drawn before each).
fn align_with_group(ui: &egui::Ui, group: &str, widths: &mut [f32]) {
    let id = egui::Id::unique(("data_table_group", group));
    let pass = ui.ctx().cumulative_pass_nr();
    let mut state: GroupWidths = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    if state.pass != pass {
        state.previous = if state.pass + 1 == pass {
            std::mem::take(&mut state.current)
        } else {
            Vec::new()
        };
        state.current.clear();
        state.pass = pass;
    }
    if state.current.len() < widths.len() {
        state.current.resize(widths.len(), 0.0);
    }
    let mut grew = state.previous.len() < widths.len();
    for (i, width) in widths.iter_mut().enumerate() {
        state.current[i] = state.current[i].max(*width);
        match state.previous.get(i) {
            Some(widest) if *widest >= *width => *width = *widest,
            _ => grew = true,
        }
    }
    ui.data_mut(|d| d.insert_temp(id, state));
    if grew {
        ui.ctx().request_repaint();
    }
}

impl<'a, 'c> DataTable<'a, 'c> {
    /// A table of `columns` (each as many cells as there are rows), drawn whole in the
    /// enclosing scroll area unless [`DataTable::max_height`] is given.
    pub fn new(id_salt: &'a str, columns: &'a [TableColumn<'c>]) -> Self {
        DataTable {
            id_salt,
            columns,
            styles: &[],
            clickable: false,
            max_height: None,
            min_height: 0.0,
            sort: None,
            group: None,
        }
    }

    /// Tables drawn with the same `group` (one a customer on a statement) share their
    /// column widths, each as wide as the group's widest: their columns line up down the
    /// page (each block sized its own, and 到期日 or 借方 moved from one to the next).
    pub fn aligned(self, group: &'a str) -> Self {
        DataTable {
            group: Some(group),
            ..self
        }
    }

    /// Each row's style, by index (normal where missing).
    pub fn styles(self, styles: &'a [RowStyle]) -> Self {
        DataTable { styles, ..self }
    }

    /// The whole row is the click target; [`DataTable::show`] returns the row clicked.
    pub fn clickable(self) -> Self {
        DataTable {
            clickable: true,
            ..self
        }
    }

    /// The rows scroll within `height` points (at least 100); `None` draws every row in
    /// the enclosing scroll area.
    pub fn max_height(self, height: impl Into<Option<f32>>) -> Self {
        DataTable {
            max_height: height.into().map(|height| height.max(100.0)),
            ..self
        }
    }

    /// Rows that overflow [`DataTable::max_height`] keep at least `height` points in view
    /// however short the window (a report's table under its chart gives way no further).
    pub fn min_height(self, height: f32) -> Self {
        DataTable {
            min_height: height,
            ..self
        }
    }

    /// With `Some(sort)`, the headers of columns [`TableColumn::sorted_by`] a key are
    /// buttons that set it (the caller asks the server again when it changed).
    pub fn sort<S: SortState>(self, sort: Option<&'a mut S>) -> Self {
        DataTable {
            sort: sort.map(|sort| sort as &mut dyn SortState),
            ..self
        }
    }

    /// Draws the table; the row clicked (a totals row too: the caller knows which it is).
    pub fn show(self, ui: &mut egui::Ui) -> Option<usize> {
        let DataTable {
            id_salt,
            columns,
            styles,
            clickable,
            max_height,
            min_height,
            sort,
            group,
        } = self;
        let rows = columns.first().map_or(0, |c| c.cells.len());
        // What each cell shows: amounts padded to their column's decimals.
        let shown: Vec<Vec<String>> = columns
            .iter()
            .map(|c| {
                if c.kind == Kind::Money {
                    let decimals = widgets::money_decimals(
                        c.cells
                            .iter()
                            .map(|x| x.text.as_str())
                            .filter(|x| !x.is_empty()),
                    );
                    c.cells
                        .iter()
                        .map(|x| {
                            if x.text.is_empty() {
                                String::new()
                            } else {
                                widgets::money_text(&x.text, decimals)
                            }
                        })
                        .collect()
                } else {
                    c.cells.iter().map(|x| x.text.clone()).collect()
                }
            })
            .collect();
        let mut widths: Vec<f32> = columns
            .iter()
            .zip(&shown)
            .map(|(c, texts)| {
                let (style, min, max) = match c.kind {
                    Kind::Money => (egui::TextStyle::Monospace, 72.0, 200.0),
                    Kind::Count => (egui::TextStyle::Body, 60.0, 140.0),
                    // A text that may not be cut is as wide as it needs, within reason.
                    Kind::Text if !c.cut => (egui::TextStyle::Body, 48.0, 480.0),
                    Kind::Text => (egui::TextStyle::Body, 48.0, 280.0),
                };
                let texts = texts.iter().map(String::as_str);
                let width = widgets::fit_width_plain(ui, c.header, texts, style, min, max);
                if c.sort.is_some() && sort.is_some() {
                    // The header is a button with room for its arrow.
                    width.max(widgets::fit_width(ui, c.header, [], min, max))
                } else {
                    width
                }
            })
            .collect();
        // A text right after a right-aligned figure starts a little further off, so that
        // the two do not read as one ("3 2026-12-05").
        let leads: Vec<f32> = std::iter::once(false)
            .chain(columns.iter().map(TableColumn::right_aligned))
            .zip(columns)
            .map(|(after_figure, c)| {
                if after_figure && !c.right_aligned() {
                    FIGURE_GAP
                } else {
                    0.0
                }
            })
            .collect();
        for (width, lead) in widths.iter_mut().zip(&leads) {
            *width += lead;
        }
        if let Some(group) = group {
            align_with_group(ui, group, &mut widths);
        }
        // In a narrow window long names give way (cut with "…", whole on hover) before a
        // column of amounts is pushed out of sight; a hospital's name keeps its first nine
        // characters or so, the rest of a wide table scrolls sideways. A header is never cut
        // (it has no hover): a column whose header is wider than that keeps its width.
        const NAME_FLOOR: f32 = 140.0;
        let narrowable: Vec<bool> = columns
            .iter()
            .map(|c| {
                let header = widgets::fit_width_plain(
                    ui,
                    c.header,
                    [],
                    egui::TextStyle::Body,
                    0.0,
                    f32::MAX,
                );
                c.cut && header <= NAME_FLOOR
            })
            .collect();
        widgets::narrow_to_fit(
            &mut widths,
            &narrowable,
            ui.spacing().item_spacing.x,
            ui.available_width(),
            NAME_FLOOR,
        );
        let mut clicked = None;
        let sorted_by = sort.as_deref();
        let mut resort = None;
        // A header: a sort button when the column sorts, else bold text.
        let mut header_cell = |ui: &mut egui::Ui, c: &TableColumn<'_>| match (sorted_by, c.sort) {
            (Some(state), Some((key, largest_first))) => {
                if widgets::sort_button(ui, c.header, state.sorted(key)) {
                    resort = Some((key, largest_first));
                }
            }
            _ => {
                ui.strong(c.header);
            }
        };
        // A table wider than the space scrolls sideways, but its first column (in a list,
        // what each row is: the customer, the number) stays in sight beside the others: two
        // tables side by side, one row height, scrolled down together, the hovered row lit
        // across both.
        let spacing = ui.spacing().item_spacing.x;
        let total = widths.iter().sum::<f32>() + spacing * widths.len().saturating_sub(1) as f32;
        let split = columns.len() > 1 && total > ui.available_width();
        let hover_id = ui.make_persistent_id((id_salt, "hovered_row"));
        let hovered_before: Option<usize> = ui.data(|d| d.get_temp(hover_id));
        let mut hovered_now = None;
        // Draws the columns `part` as a table whose rows scroll within `max_height` (when
        // given) from `offset` (when given), with no scroll bar of its own when `no_bar`;
        // returns where its rows are scrolled to.
        let mut draw = |ui: &mut egui::Ui,
                        id: &str,
                        part: std::ops::Range<usize>,
                        offset: Option<f32>,
                        no_bar: bool|
         -> f32 {
            // Every cell centred vertically, as the right-aligned money cells are.
            let mut builder = widgets::table_builder(ui, id, clickable);
            builder = match max_height {
                Some(height) if min_height > 0.0 => builder
                    .max_scroll_height(height)
                    .min_scrolled_height(min_height),
                Some(height) => builder.max_scroll_height(height),
                None => builder.vscroll(false),
            };
            if let Some(offset) = offset {
                builder = builder.vertical_scroll_offset(offset);
            }
            if no_bar {
                builder = builder.scroll_bar_visibility(ScrollBarVisibility::AlwaysHidden);
            }
            for width in &widths[part.clone()] {
                builder = builder.column(Column::exact(*width).clip(true));
            }
            // A table that fits runs to the right edge (an empty last column): its
            // stripes, and a click anywhere on a row, reach across.
            let filler = !split;
            if filler {
                builder = builder.column(Column::remainder());
            }
            builder
                .header(ROW_HEIGHT, |mut header| {
                    for (c, lead) in columns[part.clone()].iter().zip(&leads[part.clone()]) {
                        header.col(|ui| {
                            if c.right_aligned() {
                                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                    header_cell(ui, c);
                                });
                            } else {
                                ui.add_space(*lead);
                                header_cell(ui, c);
                            }
                        });
                    }
                    if filler {
                        header.col(|_| {});
                    }
                })
                .body(|body| {
                    body.rows(ROW_HEIGHT, rows, |mut row| {
                        let i = row.index();
                        let style = styles.get(i).copied().unwrap_or_default();
                        row.set_selected(style == RowStyle::Selected);
                        // The totals row opens nothing: it does not light up as if it did.
                        if style == RowStyle::Strong {
                            row.set_hovered(false);
                        } else if split && hovered_before == Some(i) {
                            row.set_hovered(true);
                        }
                        let drawn = columns[part.clone()]
                            .iter()
                            .zip(&shown[part.clone()])
                            .zip(&leads[part.clone()]);
                        for ((c, texts), lead) in drawn {
                            let cell = c.cells.get(i);
                            let colour = cell.and_then(|x| x.colour);
                            let hover = cell.and_then(|x| x.hover.as_deref());
                            let text = texts.get(i).map_or("", String::as_str);
                            row.col(|ui| {
                                let colour = match style {
                                    RowStyle::Selected => {
                                        colour.map(|c| widgets::on_selection(ui.visuals(), c))
                                    }
                                    _ => colour,
                                };
                                let text = style.paint(RichText::new(text), colour);
                                // A figure half scrolled out of sight sideways is not drawn:
                                // "537.00" cut on the left reads "37.00".
                                if c.kind != Kind::Text && cut_sideways(ui) {
                                    return;
                                }
                                match c.kind {
                                    Kind::Money => {
                                        ui.with_layout(
                                            Layout::right_to_left(Align::Center),
                                            |ui| {
                                                ui.label(text.monospace());
                                            },
                                        );
                                    }
                                    Kind::Count => {
                                        ui.with_layout(
                                            Layout::right_to_left(Align::Center),
                                            |ui| {
                                                ui.label(text);
                                            },
                                        );
                                    }
                                    // A cell's own tooltip takes the place of the cut
                                    // text's (it says the whole text itself): one at a time.
                                    Kind::Text => {
                                        ui.add_space(*lead);
                                        let label = egui::Label::new(text)
                                            .truncate()
                                            .show_tooltip_when_elided(hover.is_none());
                                        let shown = ui.add(label);
                                        if let Some(hover) = hover {
                                            shown.on_hover_text(hover);
                                        }
                                    }
                                }
                            });
                        }
                        if filler {
                            row.col(|_| {});
                        }
                        let response = row.response();
                        if response.clicked() {
                            clicked = Some(i);
                        }
                        if response.hovered() {
                            hovered_now = Some(i);
                        }
                    });
                })
                .state
                .clamped_offset()
                .y
        };
        if split {
            // Each half scrolls its own rows under its own header. The first half's bar
            // serves both: the other's would stand at the right end of its columns, out of
            // sight until scrolled all the way across. Where the user scrolls one, the other is put
            // the next frame; a half already there is left alone, so that its own scrolling
            // (the wheel, a drag) takes.
            let offsets_id = ui.make_persistent_id((id_salt, "rows_offsets"));
            // (where both should be, where each half was last frame)
            let (synced, was): (f32, [f32; 2]) =
                ui.data(|d| d.get_temp(offsets_id)).unwrap_or_default();
            let put = |half: usize| {
                (max_height.is_some() && (was[half] - synced).abs() > 0.5).then_some(synced)
            };
            let rest = 1..columns.len();
            let now = ui
                .horizontal_top(|ui| {
                    // As in `widgets::table`: a click on a row's text is a click on the row.
                    ui.style_mut().interaction.selectable_labels = false;
                    let first = ui
                        .vertical(|ui| draw(ui, &format!("{id_salt}_first"), 0..1, put(0), false))
                        .inner;
                    let other = ui
                        .vertical(|ui| {
                            widgets::table(ui, id_salt, |ui| draw(ui, id_salt, rest, put(1), true))
                        })
                        .inner;
                    [first, other]
                })
                .inner;
            let synced = now
                .into_iter()
                .find(|offset| (offset - synced).abs() > 0.5)
                .unwrap_or(synced);
            if now.iter().any(|offset| (offset - synced).abs() > 0.5) {
                ui.ctx().request_repaint();
            }
            ui.data_mut(|d| d.insert_temp(offsets_id, (synced, now)));
            if hovered_now != hovered_before {
                ui.ctx().request_repaint();
            }
            ui.data_mut(|d| match hovered_now {
                Some(i) => {
                    d.insert_temp(hover_id, i);
                }
                None => d.remove::<usize>(hover_id),
            });
        } else {
            widgets::table(ui, id_salt, |ui| {
                draw(ui, id_salt, 0..columns.len(), None, false);
            });
        }
        if let (Some((key, largest_first)), Some(sort)) = (resort, sort) {
            sort.click(key, largest_first);
        }
        clicked
    }
}

/// Whether the cell `ui` draws is partly scrolled out of sight, on the left or the right:
/// some of it shows, not all (one wholly out of sight is drawn: nothing of it shows, and
/// a screen reader still reads it).
fn cut_sideways(ui: &egui::Ui) -> bool {
    let cell = ui.max_rect();
    let visible = ui.clip_rect().intersect(cell).width();
    visible > 0.0 && visible < cell.width() - 1.0
}

#[cfg(test)]
mod tests {
    use super::{Cell, DataTable, RowStyle, TableColumn, row_styles};

    /// The row picked is lit even when it is archived; other archived rows are greyed.
    #[test]
    fn the_picked_row_is_lit_and_archived_ones_greyed() {
        // (id, archived)
        let rows = [(1, false), (2, true), (3, true)];
        let styles = row_styles(&rows, Some(2), |&(id, archived)| (id, archived));
        assert_eq!(
            styles,
            [RowStyle::Normal, RowStyle::Selected, RowStyle::Weak]
        );
        let none = row_styles(&rows, None, |&(id, archived)| (id, archived));
        assert_eq!(none, [RowStyle::Normal, RowStyle::Weak, RowStyle::Weak]);
    }
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    /// A table too wide for its 420-point window keeps its first column beside the rest;
    /// the rows scrolled on either half scroll on the other too (only the rows in view are
    /// drawn, so a name or an amount is found only when its row is in view).
    #[test]
    fn a_wide_tables_first_column_scrolls_down_with_the_rest() {
        const ROWS: usize = 100;
        let mut harness = Harness::builder().with_size([420.0, 300.0]).build_ui(|ui| {
            let mut columns = vec![TableColumn::text(
                "Customer",
                (0..ROWS).map(|i| Cell::new(format!("C{i}"))).collect(),
            )];
            for c in 0..6 {
                let amounts = (0..ROWS)
                    .map(|i| Cell::new(format!("{i}.{c:02}")))
                    .collect();
                columns.push(TableColumn::money("Amount", amounts));
            }
            DataTable::new("wide", &columns)
                .clickable()
                .max_height(200.0)
                .show(ui);
        });
        let wheel = |harness: &mut Harness<'_>, x: f32, down: f32| {
            harness.hover_at(egui::pos2(x, 150.0));
            harness.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -down),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            });
            for _ in 0..30 {
                harness.step();
            }
        };
        let shown = |harness: &Harness<'_>, label: &str| harness.query_by_label(label).is_some();
        harness.run_steps(3);
        assert!(shown(&harness, "C0") && shown(&harness, "0.01"));
        assert!(!shown(&harness, "C40") && !shown(&harness, "40.01"));
        // Scrolled on the amounts: the names follow.
        wheel(&mut harness, 350.0, 1000.0);
        assert!(shown(&harness, "40.01"), "the amounts scrolled");
        assert!(shown(&harness, "C40"), "the names scrolled with them");
        assert!(!shown(&harness, "C0"));
        // Scrolled back on the names: the amounts follow.
        wheel(&mut harness, 30.0, -1000.0);
        assert!(shown(&harness, "C0"), "the names scrolled");
        assert!(shown(&harness, "0.01"), "the amounts scrolled with them");
    }

    /// Tables of one group (a statement's customers) line their columns up: the short
    /// block's amounts sit where the long block's do, not right after its own short text.
    #[test]
    fn aligned_tables_share_their_column_widths() {
        let mut harness = Harness::builder().with_size([900.0, 300.0]).build_ui(|ui| {
            for (name, document, amount) in [
                ("short", "SH1", "1.00"),
                ("long", "SH20261130-0001 and a long note", "1,000,000.00"),
            ] {
                let columns = [
                    TableColumn::text("Document", vec![Cell::new(document)]),
                    TableColumn::money("Debit", vec![Cell::new(amount)]),
                    TableColumn::text("Handler", vec![Cell::new(name)]),
                ];
                DataTable::new(name, &columns).aligned("statement").show(ui);
            }
        });
        harness.run_steps(4);
        let left = |label: &str| harness.get_by_label(label).rect().left();
        assert!((left("short") - left("long")).abs() < 0.5);
        let headers: Vec<f32> = harness
            .get_all_by_label("Debit")
            .map(|n| n.rect().right())
            .collect();
        assert_eq!(headers.len(), 2);
        assert!((headers[0] - headers[1]).abs() < 0.5, "{headers:?}");
    }
}
