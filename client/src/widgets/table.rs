//! Tables: the whole row is the click target, columns stay reachable in a narrow window,
//! money lines up on its decimal point.

use egui::{Align, Layout, RichText, TextStyle, Ui};
use egui_extras::{TableBuilder, TableRow};

use crate::format;

/// Draws a table (`add` builds it with `egui_extras::TableBuilder`) that scrolls sideways
/// when its columns do not fit the space left beside the window's side panels, and whose
/// text cannot be selected: a click on a row's text is a click on the row, as on blank
/// space.
pub fn table<R>(ui: &mut Ui, id_salt: &str, add: impl FnOnce(&mut Ui) -> R) -> R {
    let output = egui::ScrollArea::horizontal()
        .id_salt((id_salt, "hscroll"))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            add(ui)
        });
    let scrolled = output.state.clamped_offset().x;
    let rect = output.inner_rect;
    if scrolled > 1.0 {
        fade_edge(ui, rect, Align::Min);
    }
    if output.content_size.x - scrolled - rect.width() > 1.0 {
        fade_edge(ui, rect, Align::Max);
    }
    output.inner
}

/// Fades the left (`Align::Min`) or right end of `rect` into the background: a column cut
/// at the edge of a table that scrolls sideways read as whole ("12.8" for 12.85 at the
/// right, "2.80" for 12.80 at the left), the fade says it goes on.
fn fade_edge(ui: &Ui, rect: egui::Rect, side: Align) {
    const WIDTH: f32 = 40.0;
    let width = WIDTH.min(rect.width());
    let solid = ui.visuals().panel_fill;
    let clear = solid.gamma_multiply(0.0);
    // The band at that side, solid at the edge and clear inside.
    let (faded, left, right) = if side == Align::Min {
        let band = egui::Rect::from_min_size(rect.left_top(), egui::vec2(width, rect.height()));
        (band, solid, clear)
    } else {
        let band = egui::Rect::from_min_max(
            egui::pos2(rect.right() - width, rect.top()),
            rect.right_bottom(),
        );
        (band, clear, solid)
    };
    let mut mesh = egui::Mesh::default();
    mesh.colored_vertex(faded.left_top(), left);
    mesh.colored_vertex(faded.right_top(), right);
    mesh.colored_vertex(faded.right_bottom(), right);
    mesh.colored_vertex(faded.left_bottom(), left);
    mesh.add_triangle(0, 1, 2);
    mesh.add_triangle(0, 2, 3);
    ui.painter().add(egui::Shape::mesh(mesh));
}

/// A table's builder in the house look: rows striped, cells left to right and centred
/// vertically, and with `clickable` the whole row answers a click
/// (`egui_extras::TableRow::response`). The caller adds scrolling, columns, header and body;
/// draw it inside [`table`].
pub fn table_builder<'a>(ui: &'a mut Ui, id_salt: &str, clickable: bool) -> TableBuilder<'a> {
    let builder = TableBuilder::new(ui)
        .cell_layout(Layout::left_to_right(Align::Center))
        .id_salt(id_salt)
        .striped(true);
    if clickable {
        builder.sense(egui::Sense::click())
    } else {
        builder
    }
}

/// A header row's cells: each of `labels` in bold, one column each.
pub fn header_labels<'a>(header: &mut TableRow<'_, '_>, labels: impl IntoIterator<Item = &'a str>) {
    for label in labels {
        header.col(|ui| {
            ui.strong(label);
        });
    }
}

/// A sortable column's header: a button (a click asks to sort by it) showing ﹀ or ︿
/// when the table is sorted by it (`sorted` is `Some(descending)`); whether it was clicked.
pub fn sort_button(ui: &mut Ui, label: &str, sorted: Option<bool>) -> bool {
    let arrow = match sorted {
        None => "",
        Some(true) => " ﹀",
        Some(false) => " ︿",
    };
    ui.button(format!("{label}{arrow}")).clicked()
}

/// How a table is sorted: the key of the column (a wire enum's number) and the direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    pub key: i32,
    pub descending: bool,
}

impl Sort {
    /// Sorts by `key`: the other way round when the table is sorted by it already, else
    /// descending when `descending_first` (dates and amounts read best largest first).
    pub fn click(&mut self, key: i32, descending_first: bool) {
        if self.key == key {
            self.descending = !self.descending;
        } else {
            *self = Sort {
                key,
                descending: descending_first,
            };
        }
    }
}

/// The width a column needs: its widest text or its header (a button with room for a sort
/// arrow), plus a margin, between `min` and `max` points.
pub fn fit_width<'a>(
    ui: &Ui,
    header: &str,
    texts: impl IntoIterator<Item = &'a str>,
    min: f32,
    max: f32,
) -> f32 {
    // The header is a button with room for its sort arrow.
    let header = text_width(ui, &format!("{header} ﹀"), TextStyle::Body)
        + 2.0 * ui.spacing().button_padding.x;
    let widest = texts
        .into_iter()
        .map(|text| text_width(ui, text, TextStyle::Body))
        .fold(header, f32::max);
    (widest + 4.0).clamp(min, max)
}

/// [`fit_width`] for a column whose header is plain bold text, not a sort button, and
/// whose `texts` are drawn in `style` (amounts in [`TextStyle::Monospace`]).
pub fn fit_width_plain<'a>(
    ui: &Ui,
    header: &str,
    texts: impl IntoIterator<Item = &'a str>,
    style: TextStyle,
    min: f32,
    max: f32,
) -> f32 {
    let widest = texts
        .into_iter()
        .map(|text| text_width(ui, text, style.clone()))
        .fold(text_width(ui, header, TextStyle::Body), f32::max);
    (widest + 4.0).clamp(min, max)
}

/// The width of `text` on one line in `style`, points.
pub(super) fn text_width(ui: &Ui, text: &str, style: TextStyle) -> f32 {
    let font = style.resolve(ui.style());
    ui.fonts_mut(|fonts| {
        fonts
            .layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE)
            .size()
            .x
    })
}

/// Narrows the columns marked `narrowable` (long text: names, category paths), widest
/// first and none below `floor` points, until the row of `widths` with `gap` points
/// between columns fits `available` points, or as far as the floor allows (the table then
/// scrolls sideways). Figures are never narrowed: a cut amount would mislead.
pub fn narrow_to_fit(
    widths: &mut [f32],
    narrowable: &[bool],
    gap: f32,
    available: f32,
    floor: f32,
) {
    let gaps = gap * widths.len().saturating_sub(1) as f32;
    let total = |widths: &[f32]| widths.iter().sum::<f32>() + gaps;
    let excess = total(widths) - available;
    if excess <= 0.0 {
        return;
    }
    // The highest cap on narrowable columns that removes the excess, found by halving.
    let capped = |cap: f32| -> f32 {
        widths
            .iter()
            .zip(narrowable)
            .filter(|(_, n)| **n)
            .map(|(w, _)| (w - cap.max(floor)).max(0.0))
            .sum()
    };
    let (mut low, mut high) = (floor, widths.iter().copied().fold(floor, f32::max));
    for _ in 0..32 {
        let mid = (low + high) / 2.0;
        if capped(mid) >= excess {
            low = mid;
        } else {
            high = mid;
        }
    }
    for (w, n) in widths.iter_mut().zip(narrowable) {
        if *n {
            *w = w.min(low.max(floor));
        }
    }
}

/// How many decimals the widest of `amounts` shows (as [`format::money`] writes them), so
/// that a column can align them on the decimal point.
pub fn money_decimals<'a>(amounts: impl IntoIterator<Item = &'a str>) -> usize {
    amounts
        .into_iter()
        .map(|a| decimals(&format::money(a)))
        .max()
        .unwrap_or(2)
}

fn decimals(shown: &str) -> usize {
    shown.split_once('.').map_or(0, |(_, frac)| frac.len())
}

/// The text of an amount padded on the right to `decimals` places, so that right-aligned
/// in a monospaced font the decimal points of a column line up.
pub fn money_text(amount: &str, decimals_wanted: usize) -> String {
    let mut shown = format::money(amount);
    let pad = decimals_wanted.saturating_sub(decimals(&shown));
    shown.extend(std::iter::repeat_n(' ', pad));
    shown
}

/// A money cell: right-aligned, monospaced, padded to the column's `decimals`.
pub fn money_cell(ui: &mut Ui, amount: &str, decimals: usize) {
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(RichText::new(money_text(amount, decimals)).monospace());
    });
}

/// A cell of a document's lines grid (an order's, a shipment's) that keeps to the top of
/// its row, level with the inputs beside it, when the row grows to hold the complaints
/// under it (a grid centres a cell in its row); text in it never wraps.
pub fn top_cell<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.vertical(|ui| {
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        let text = ui.text_style_height(&TextStyle::Body);
        ui.add_space(((ui.spacing().interact_size.y - text) / 2.0).max(0.0));
        add(ui)
    })
    .inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_clicked_again_turns_the_sort_round_and_another_starts_its_own_way() {
        let mut sort = Sort::default();
        sort.click(2, false);
        assert_eq!((sort.key, sort.descending), (2, false));
        sort.click(2, false);
        assert_eq!(
            (sort.key, sort.descending),
            (2, true),
            "the same header reverses"
        );
        sort.click(2, false);
        assert!(!sort.descending, "and back");
        sort.click(5, true);
        assert_eq!(
            (sort.key, sort.descending),
            (5, true),
            "dates and amounts start largest first"
        );
    }

    #[test]
    fn long_text_columns_give_way_widest_first_until_the_row_fits() {
        // 药品, 规格, 分类 (long), then four figures: 770 points with gaps, 700 available.
        let mut widths = [150.0, 90.0, 220.0, 60.0, 80.0, 80.0, 60.0];
        let narrowable = [true, true, true, false, false, false, false];
        narrow_to_fit(&mut widths, &narrowable, 5.0, 700.0, 90.0);
        let total: f32 = widths.iter().sum::<f32>() + 6.0 * 5.0;
        assert!((total - 700.0).abs() < 0.5, "fits: {total}");
        assert_eq!(widths[1..2], [90.0], "a text column under the cap stays");
        assert_eq!(widths[3..], [60.0, 80.0, 80.0, 60.0], "figures stay whole");
        assert!(
            widths[2] < 220.0 && widths[2] >= widths[0] - 0.5,
            "{widths:?}"
        );
        // A row that fits is left alone; none goes below the floor.
        let mut fits = [100.0, 100.0];
        narrow_to_fit(&mut fits, &[true, true], 5.0, 400.0, 90.0);
        assert_eq!(fits, [100.0, 100.0]);
        let mut tight = [300.0, 300.0, 100.0];
        narrow_to_fit(&mut tight, &[true, true, false], 5.0, 200.0, 90.0);
        assert_eq!(tight, [90.0, 90.0, 100.0], "the floor holds: it scrolls");
    }

    #[test]
    fn amounts_are_padded_to_line_up_their_decimal_points() {
        let column = ["12.8", "999.9999", "1000"];
        let places = money_decimals(column);
        assert_eq!(places, 4);
        let shown: Vec<String> = column.iter().map(|a| money_text(a, places)).collect();
        assert_eq!(shown, ["12.80  ", "999.9999", "1,000.00  "]);
        let points: Vec<usize> = shown
            .iter()
            .map(|s| s.chars().count() - s.find('.').expect("point"))
            .collect();
        assert!(points.windows(2).all(|w| w[0] == w[1]), "{points:?}");
    }
}
