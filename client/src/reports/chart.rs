//! The reports' charts (egui_plot): horizontal bars for rankings and regions, the largest
//! at the top with its name on the axis, and a line for a series over time. Charts are
//! pictures, not controls: no zoom or drag, so the wheel scrolls the page; each takes a
//! share of the height, giving way to the table below (a few rows and its pager stay in
//! view; with too little room the chart is left out).

use egui::RichText;
use egui_plot::{Bar, BarChart, GridInput, GridMark, HoverPosition, Line, Plot};

use crate::format;
use crate::i18n::t;

/// The most bars a chart shows.
const BARS: usize = 10;

/// The colour of bars and lines.
const COLOUR: egui::Color32 = egui::Color32::from_rgb(0x3b, 0x82, 0xc4);

/// What a chart takes besides its plot: its title and the spacing around them.
pub(super) const TITLE_HEIGHT: f32 = 26.0;

/// The lowest plot drawn: with less room, the chart is left out.
const MIN_HEIGHT: f32 = 70.0;

/// The height of a chart's plot: a share of `available` (what is left for the chart and
/// the table under it) within bounds, but no more than `room` (what the table leaves
/// it, see `frame::chart_height`); `None` when that is lower than a chart is drawn.
pub(super) fn height(available: f32, room: f32) -> Option<f32> {
    let height = (available * 0.38).clamp(110.0, 220.0).min(room);
    (height >= MIN_HEIGHT).then_some(height)
}

/// The [`BARS`] largest of `data` (label, value), largest first: what a bar chart shows.
pub(super) fn top(data: impl IntoIterator<Item = (String, f64)>) -> Vec<(String, f64)> {
    let mut top: Vec<(String, f64)> = data.into_iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    top.truncate(BARS);
    top
}

/// How a chart's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Values {
    /// Amounts in CNY: `1,280.00`.
    Money,
    /// Counts: `12`.
    Count,
}

impl Values {
    /// A value in full (hover).
    fn text(self, value: f64) -> String {
        match self {
            Values::Money => format::money(&format!("{value:.2}")),
            Values::Count => format!("{value:.0}"),
        }
    }

    /// A value on the axis: whole numbers with separators; a count shows nothing between
    /// whole numbers (no "0 0 0 1 1" along a short axis).
    fn axis(self, value: f64) -> String {
        if self == Values::Count && (value - value.round()).abs() > 1e-9 {
            return String::new();
        }
        let whole = format::money(&format!("{value:.0}"));
        whole.trim_end_matches(".00").to_owned()
    }
}

/// "title" over a horizontal bar chart of `data` (label, value), in the order given (the
/// first at the top); the title names what the bars measure (no legend to cover them).
/// Hovering a bar shows its label and value; returns the index in `data` of the bar
/// clicked. Nothing without data (the table under it says so); a line saying there is
/// nothing to draw when every value is zero.
pub(super) fn bars(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    data: &[(String, f64)],
    values: Values,
    height: f32,
) -> Option<usize> {
    if nothing_to_draw(ui, title, data) {
        return None;
    }
    let n = data.len();
    // The first bar at the top: the highest argument.
    let labels: Vec<String> = data.iter().rev().map(|(label, _)| short(label)).collect();
    let chart_bars: Vec<Bar> = data
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Bar::new((n - 1 - i) as f64, *value).name(label).width(0.6))
        .collect();
    let chart = BarChart::new(title, chart_bars).color(COLOUR).horizontal();
    let mut plot = fixed_plot(ui, id, height);
    if values == Values::Count {
        plot = plot.x_grid_spacer(whole_marks);
    }
    let top = data.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    // The value axis reaches a round figure, which it labels (it said "0" and one more
    // at most).
    let response = plot
        .show_x(false)
        .show_y(false)
        .include_x(0.0)
        .include_x(round_ceiling(top))
        .y_grid_spacer(index_marks)
        .y_axis_formatter(move |mark, _| label_at(&labels, mark.value))
        .x_axis_formatter(move |mark, _| values.axis(mark.value))
        .show(ui, |plot| {
            plot.bar_chart(chart);
            plot.pointer_coordinate()
        });
    describe(&response.response, title);
    // Hovering a bar names it and its value beside the pointer (the plot's own hover
    // text sat at the bar's end, cut off above the top bar).
    let hovered = (response.inner)
        .filter(|_| response.response.hovered())
        .and_then(|at| bar_at(at.y, n));
    if let Some((label, value)) = hovered.and_then(|i| data.get(i)) {
        let text = format!("{label}\n{}", values.text(*value));
        response.response.clone().on_hover_text_at_pointer(text);
    }
    let at = response.inner.filter(|_| response.response.clicked())?;
    bar_at(at.y, n)
}

/// Room kept right of a plot, points: the value axis's last label is centred on the
/// plot's right edge ("1,400" showed as "1,40" at the window's edge).
const RIGHT_ROOM: f32 = 24.0;

/// A plot `height` points high, as wide as `ui` allows but [`RIGHT_ROOM`], that stays as
/// drawn: no zoom, drag or scroll (a report's chart shows what the table holds, all of it).
fn fixed_plot(ui: &egui::Ui, id: &str, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .width((ui.available_width() - RIGHT_ROOM).max(RIGHT_ROOM))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
}

/// The index (from the top) of the bar of `n` at height `y` on the axis (bars sit on whole
/// positions, the first at the top, 0.6 wide); `None` between bars and outside.
fn bar_at(y: f64, n: usize) -> Option<usize> {
    let position = y.round();
    if (y - position).abs() > 0.3 || position < 0.0 || position >= n as f64 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(n - 1 - position as usize)
}

/// "title" over a line of `points` (label of the step, value); the title names what it
/// measures (no legend to cover the line). The steps' labels along the axis are as far
/// apart as they need not to overlap (every 2nd, 5th, 10th, … step when the steps are
/// narrow). Hovering shows the step as `hover` names it from its label (a week: the week
/// from that day) and its value. With nothing to draw, a line saying so.
pub(super) fn line(
    ui: &mut egui::Ui,
    id: &str,
    title: &str,
    points: &[(String, f64)],
    values: Values,
    height: f32,
    hover: impl Fn(&str) -> String + 'static,
) {
    if nothing_to_draw(ui, title, points) {
        return;
    }
    // The room one label takes along the axis (the steps' labels are alike: the longest
    // is measured, once), and that the plot spans about the width left: a label is drawn
    // only on marks at least that far apart.
    let longest = points
        .iter()
        .map(|(label, _)| label.as_str())
        .max_by_key(|label| label.chars().count())
        .unwrap_or_default()
        .to_owned();
    // In the font the plot draws its axis in, and no closer than it draws labels in full
    // (`AxisHints::label_spacing`: none under 60 points apart along x, faded up to 80): a
    // label it would leave out or fade must not be the one chosen.
    let font = egui::TextStyle::Body.resolve(ui.style());
    let label_width = (ui.fonts_mut(|f| {
        f.layout_no_wrap(longest, font, egui::Color32::WHITE)
            .size()
            .x
    }) + 12.0)
        .max(X_LABEL_SPACING + 1.0);
    let plot_width = ui.available_width() - RIGHT_ROOM;
    let labels: Vec<String> = points.iter().map(|(label, _)| label.clone()).collect();
    let hover_labels: Vec<String> = labels.iter().map(|l| hover(l)).collect();
    let xy: Vec<[f64; 2]> = points
        .iter()
        .enumerate()
        .map(|(i, (_, value))| [i as f64, *value])
        .collect();
    let line = Line::new(title, xy).color(COLOUR).width(2.0);
    let top = points.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let response = fixed_plot(ui, id, height)
        .include_y(0.0)
        // Up to a round figure, which the axis labels: in a short chart the marks in
        // between are too close for labels, and the axis said only "0".
        .include_y(round_ceiling(top))
        .x_grid_spacer(index_marks)
        .x_axis_formatter(move |mark, range| {
            let span = (range.end() - range.start()).max(1.0);
            let every = label_every(f64::from(plot_width) / span, f64::from(label_width));
            if mark.value % every == 0.0 {
                label_at(&labels, mark.value)
            } else {
                String::new()
            }
        })
        .y_axis_formatter(move |mark, _| values.axis(mark.value))
        .label_formatter(move |position| match position {
            HoverPosition::NearDataPoint {
                position, index, ..
            } => Some(format!(
                "{}\n{}",
                hover_labels.get(*index).map_or("", String::as_str),
                values.text(position.y)
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| plot.line(line))
        .response;
    describe(&response, title);
}

/// Draws the chart's title, and under it a line saying there is nothing to draw when
/// every value of `data` is zero; nothing at all when there is no data. Whether the
/// chart is to be left out.
fn nothing_to_draw(ui: &mut egui::Ui, title: &str, data: &[(String, f64)]) -> bool {
    if data.is_empty() {
        return true;
    }
    ui.label(RichText::new(title).strong());
    if data.iter().any(|(_, value)| *value != 0.0) {
        return false;
    }
    ui.label(RichText::new(t("report.chart.no_data")).weak());
    true
}

/// Names the chart for screen readers (and the UI tests) by its title.
fn describe(response: &egui::Response, title: &str) {
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, title));
}

/// The round figure (1, 2 or 5 times a power of ten) at or above `value`; 0 for none.
fn round_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|round| *round >= value)
        .unwrap_or(10.0 * power)
}

/// How far apart egui_plot's x-axis labels must be for it to draw them in full (its
/// `AxisHints` default: none under 60 points, faded up to 80).
const X_LABEL_SPACING: f32 = 80.0;

/// The steps between labelled positions, finest first.
const LABEL_STEPS: [f64; 10] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0];

/// Every how many positions a label goes, positions `per_step` points apart and a label
/// `label_width` wide: the finest of 1, 2, 5, 10, 20, … whose labels do not overlap.
/// One step for the whole axis (labels on every 2nd position and also on the 5th would
/// run together at 4, 5, 6).
fn label_every(per_step: f64, label_width: f64) -> f64 {
    LABEL_STEPS
        .into_iter()
        .find(|every| per_step * every >= label_width)
        .unwrap_or(LABEL_STEPS[LABEL_STEPS.len() - 1])
}

/// A mark at each whole position in view, heavier every 2, 5, 10, 20, 50, … (grid lines
/// drawn stronger where labels may go).
fn index_marks(input: GridInput) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let mut marks = Vec::new();
    let mut value = min.ceil().max(0.0);
    while value <= max && marks.len() < 2000 {
        let step_size = LABEL_STEPS
            .iter()
            .rev()
            .copied()
            .find(|step| value % step == 0.0)
            .unwrap_or(1.0);
        marks.push(GridMark { value, step_size });
        value += 1.0;
    }
    marks
}

/// The value axis's marks of a count: egui_plot's, but only at whole numbers (every bar
/// at 1 stood on a 0…1 axis lined every 0.1).
fn whole_marks(input: GridInput) -> Vec<GridMark> {
    egui_plot::log_grid_spacer(10)(input)
        .into_iter()
        .filter(|m| (m.value - m.value.round()).abs() < 1e-9)
        .collect()
}

/// The label of the whole position `value` (empty between positions and outside).
fn label_at(labels: &[String], value: f64) -> String {
    labels
        .iter()
        .enumerate()
        .find(|(i, _)| (*i as f64 - value).abs() < 1e-6)
        .map(|(_, label)| label.clone())
        .unwrap_or_default()
}

/// A label short enough for an axis: as wide as 9 Chinese characters or 18 Latin ones
/// at most (a Chinese character counts as two), "…" after a cut.
fn short(label: &str) -> String {
    const MAX: usize = 18;
    let width = |c: char| if c.is_ascii() { 1 } else { 2 };
    if label.chars().map(width).sum::<usize>() <= MAX {
        return label.to_owned();
    }
    let mut used = 0;
    let mut cut: String = label
        .chars()
        .take_while(|c| {
            used += width(*c);
            used <= MAX - 2
        })
        .collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_axis_labels_whole_numbers_only() {
        assert_eq!(Values::Count.axis(0.4), "");
        assert_eq!(Values::Count.axis(2.0), "2");
        assert_eq!(Values::Money.axis(1234.0), "1,234");
    }

    #[test]
    fn axis_labels_sit_on_whole_positions_only() {
        let labels = vec!["甲".to_owned(), "乙".to_owned()];
        assert_eq!(label_at(&labels, 0.0), "甲");
        assert_eq!(label_at(&labels, 1.0), "乙");
        assert_eq!(label_at(&labels, 0.5), "");
        assert_eq!(label_at(&labels, 2.0), "");
        assert_eq!(label_at(&labels, -1.0), "");
    }

    #[test]
    fn marks_are_heavier_every_few_positions() {
        let marks = index_marks(GridInput {
            bounds: (-0.5, 10.5),
            base_step_size: 0.01,
        });
        let steps: Vec<f64> = marks.iter().map(|m| m.step_size).collect();
        assert_eq!(
            steps,
            [1000.0, 1.0, 2.0, 1.0, 2.0, 5.0, 2.0, 1.0, 2.0, 1.0, 10.0]
        );
    }

    #[test]
    fn a_count_axis_is_lined_at_whole_numbers_only() {
        let values = |bounds| -> Vec<f64> {
            whole_marks(GridInput {
                bounds,
                base_step_size: 0.01,
            })
            .iter()
            .map(|m| m.value)
            .collect()
        };
        assert_eq!(values((0.0, 1.05)), [0.0, 1.0]);
        assert!(values((0.0, 40.0)).contains(&10.0));
        assert!(values((0.0, 40.0)).iter().all(|v| v.fract() == 0.0));
    }

    #[test]
    fn a_line_chart_reaches_up_to_a_round_figure() {
        assert_eq!(round_ceiling(430.0), 500.0);
        assert_eq!(round_ceiling(500.0), 500.0);
        assert_eq!(round_ceiling(1219.0), 2000.0);
        assert_eq!(round_ceiling(7.5), 10.0);
        assert_eq!(round_ceiling(0.0), 0.0);
        assert_eq!(round_ceiling(-3.0), 0.0);
    }

    #[test]
    fn one_label_step_for_the_whole_axis_the_finest_that_does_not_overlap() {
        // Labels 60 points wide: every position 70 apart, every 2nd 40 apart, every 5th
        // 20 apart, every 10th 5 apart.
        assert_eq!(label_every(70.0, 60.0), 1.0);
        assert_eq!(label_every(40.0, 60.0), 2.0);
        assert_eq!(label_every(20.0, 60.0), 5.0);
        assert_eq!(label_every(5.0, 60.0), 20.0);
        // Every 2nd: positions 4, 5 and 6 are not all labelled (5 is not a multiple of 2).
        let every = label_every(40.0, 60.0);
        let labelled: Vec<f64> = (0..=10)
            .map(f64::from)
            .filter(|v| v % every == 0.0)
            .collect();
        assert_eq!(labelled, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(label_every(0.1, 60.0), 1000.0);
    }

    #[test]
    fn a_click_on_a_bar_names_it_from_the_top_and_between_bars_nothing() {
        // Three bars: the first (index 0) drawn at the top, position 2.
        assert_eq!(bar_at(2.1, 3), Some(0));
        assert_eq!(bar_at(0.0, 3), Some(2));
        assert_eq!(bar_at(-0.25, 3), Some(2));
        assert_eq!(bar_at(1.5, 3), None);
        assert_eq!(bar_at(3.0, 3), None);
        assert_eq!(bar_at(-1.0, 3), None);
    }

    #[test]
    fn long_names_are_cut_for_the_axis() {
        assert_eq!(short("阿莫西林胶囊"), "阿莫西林胶囊");
        assert_eq!(short("北京协和医院国际医疗部"), "北京协和医院国际…");
        assert_eq!(short("Awaiting decision"), "Awaiting decision");
        assert_eq!(short("Self-produced and agency"), "Self-produced an…");
        assert_eq!(Values::Money.text(1280.0), "1,280.00");
        assert_eq!(Values::Money.axis(12000.0), "12,000");
        assert_eq!(Values::Count.axis(-3.0), "-3");
    }
}
