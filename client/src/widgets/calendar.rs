//! The calendar beside every date input: a month at a time, in the UI language, weeks
//! starting on Monday (as Chinese calendars print them), with today taken from the
//! business clock (the company's time zone as the server counts it), never from the
//! workstation's own zone.

use chrono::{Datelike, Months, NaiveDate};
use egui::{Button, RichText, Ui};

use super::parse_date;
use crate::format::business_today;
use crate::i18n::t;

/// The width of a day's button in the month grid.
const DAY_WIDTH: f32 = 30.0;

/// A calendar button for a date kept as `YYYY-MM-DD` text: the month of the date typed
/// (else of today) opens under it; a day picked, or 今天, is written back as
/// `YYYY-MM-DD` and closes it. Returns whether a date was picked.
pub fn date_picker(ui: &mut Ui, id_salt: &str, value: &mut String) -> bool {
    date_picker_within(ui, id_salt, value, DayBounds::default())
}

/// The days a date may take, both ends included; `None`: open on that side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayBounds {
    /// No day before it (a next follow-up: today).
    pub earliest: Option<NaiveDate>,
    /// No day after it (a payment's, an invoice's, a shipment's date: today).
    pub latest: Option<NaiveDate>,
}

impl DayBounds {
    /// Whether `day` lies within.
    pub fn allows(self, day: NaiveDate) -> bool {
        self.earliest.is_none_or(|e| e <= day) && self.latest.is_none_or(|l| day <= l)
    }
}

/// [`date_picker`] for a date within `bounds` (a payment's not after today, a next
/// follow-up's not before): the days outside are shown but cannot be picked.
pub fn date_picker_within(
    ui: &mut Ui,
    id_salt: &str,
    value: &mut String,
    bounds: DayBounds,
) -> bool {
    ui.push_id(id_salt, |ui| {
        let button = ui.button(t("common.calendar"));
        let month_id = button.id.with("month");
        let typed = parse_date(value);
        if button.clicked() {
            let opening = first_of_month(typed.unwrap_or_else(business_today));
            ui.data_mut(|d| d.insert_temp(month_id, opening));
        }
        let mut picked = None;
        egui::Popup::from_toggle_button_response(&button)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| {
                let mut month = ui
                    .data(|d| d.get_temp(month_id))
                    .unwrap_or_else(|| first_of_month(business_today()));
                picked = month_ui(ui, &mut month, (typed, bounds), business_today());
                ui.data_mut(|d| d.insert_temp(month_id, month));
                if picked.is_some() {
                    ui.close();
                }
            });
        match picked {
            Some(day) => {
                *value = day.format("%Y-%m-%d").to_string();
                true
            }
            None => false,
        }
    })
    .inner
}

/// One month: its title between the year and month arrows, the weekday heads, the days
/// (`selected` filled, `today` outlined, those out of `bounds` disabled) and 今天. Returns
/// the day clicked.
fn month_ui(
    ui: &mut Ui,
    month: &mut NaiveDate,
    (selected, bounds): (Option<NaiveDate>, DayBounds),
    today: NaiveDate,
) -> Option<NaiveDate> {
    let mut picked = None;
    ui.horizontal(|ui| {
        for (text, hint, step) in [
            ("«", "common.calendar_previous_year", -12),
            ("‹", "common.calendar_previous_month", -1),
        ] {
            if ui.button(text).on_hover_text(t(hint)).clicked() {
                *month = add_months(*month, step);
            }
        }
        ui.add_sized(
            [4.0 * DAY_WIDTH, ui.spacing().interact_size.y],
            egui::Label::new(RichText::new(month_title(*month)).strong()),
        );
        for (text, hint, step) in [
            ("›", "common.calendar_next_month", 1),
            ("»", "common.calendar_next_year", 12),
        ] {
            if ui.button(text).on_hover_text(t(hint)).clicked() {
                *month = add_months(*month, step);
            }
        }
    });
    egui::Grid::new("days")
        .min_col_width(DAY_WIDTH)
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            for head in t("common.calendar_weekdays").split_whitespace() {
                ui.vertical_centered(|ui| ui.weak(head));
            }
            ui.end_row();
            for week in weeks(*month) {
                for day in week {
                    let Some(day) = day else {
                        ui.label("");
                        continue;
                    };
                    let mut button =
                        Button::selectable(selected == Some(day), day.day().to_string())
                            .min_size(egui::vec2(DAY_WIDTH, 0.0));
                    if day == today {
                        button = button.stroke(ui.visuals().selection.stroke);
                    }
                    if ui.add_enabled(bounds.allows(day), button).clicked() {
                        picked = Some(day);
                    }
                }
                ui.end_row();
            }
        });
    ui.separator();
    if ui
        .add_enabled(
            bounds.allows(today),
            Button::new(t("common.calendar_today")),
        )
        .clicked()
    {
        picked = Some(today);
    }
    picked
}

/// `2026年12月` / `December 2026`.
fn month_title(month: NaiveDate) -> String {
    let names: Vec<&str> = t("common.calendar_months").split_whitespace().collect();
    let name = names
        .get(month.month0() as usize)
        .copied()
        .unwrap_or_default();
    t("common.calendar_month_title")
        .replace("{year}", &month.year().to_string())
        .replace("{month}", name)
}

/// The first day of `day`'s month.
fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first of the month `months` away from `month` (the first of a month), kept
/// within chrono's range.
fn add_months(month: NaiveDate, months: i32) -> NaiveDate {
    let step = Months::new(months.unsigned_abs());
    let moved = if months < 0 {
        month.checked_sub_months(step)
    } else {
        month.checked_add_months(step)
    };
    moved.unwrap_or(month)
}

/// The weeks of `month` (its first day), Monday to Sunday; the days before the first and
/// after the last are `None`.
fn weeks(month: NaiveDate) -> Vec<[Option<NaiveDate>; 7]> {
    let lead = month.weekday().num_days_from_monday() as usize;
    let mut weeks = Vec::new();
    let mut week = [None; 7];
    let mut slot = lead;
    for day in month.iter_days().take_while(|d| d.month() == month.month()) {
        week[slot] = Some(day);
        slot += 1;
        if slot == 7 {
            weeks.push(week);
            week = [None; 7];
            slot = 0;
        }
    }
    if slot > 0 {
        weeks.push(week);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn a_month_lays_out_from_monday_with_blanks_before_the_first_and_after_the_last() {
        // 1 February 2026 is a Sunday: six blanks, then 28 days over five rows.
        let february = weeks(date("2026-02-01"));
        assert_eq!(february.len(), 5);
        assert_eq!(february[0][..6], [None; 6]);
        assert_eq!(february[0][6], Some(date("2026-02-01")));
        assert_eq!(february[4][5], Some(date("2026-02-28")));
        assert_eq!(february[4][6], None);
        // 1 June 2026 is a Monday: no blank row before it.
        let june = weeks(date("2026-06-01"));
        assert_eq!(june[0][0], Some(date("2026-06-01")));
        assert_eq!(june.iter().flatten().flatten().count(), 30);
    }

    #[test]
    fn the_arrows_move_by_month_and_year_across_the_year_end() {
        assert_eq!(add_months(date("2026-01-01"), -1), date("2025-12-01"));
        assert_eq!(add_months(date("2026-12-01"), 1), date("2027-01-01"));
        assert_eq!(add_months(date("2026-03-01"), -12), date("2025-03-01"));
        assert_eq!(first_of_month(date("2026-12-31")), date("2026-12-01"));
    }

    #[test]
    fn bounds_hold_their_ends_and_open_sides_allow_anything() {
        let bounds = DayBounds {
            earliest: Some(date("2026-12-04")),
            latest: None,
        };
        assert!(!bounds.allows(date("2026-12-03")));
        assert!(bounds.allows(date("2026-12-04")));
        assert!(bounds.allows(date("2099-01-01")));
        assert!(DayBounds::default().allows(date("1900-01-01")));
    }

    #[test]
    fn a_date_that_cannot_be_later_offers_no_later_day() {
        use egui_kittest::{Harness, kittest::Queryable};
        let mut harness = Harness::new_ui_state(
            |ui, value: &mut String| {
                crate::fonts::install_once(ui.ctx());
                let bounds = DayBounds {
                    earliest: None,
                    latest: Some(date("2026-02-10")),
                };
                date_picker_within(ui, "date", value, bounds);
            },
            "2026-02-05".to_owned(),
        );
        harness.run();
        harness.get_by_label(t("common.calendar")).click();
        harness.run();
        harness.get_by_label("20").click();
        harness.run();
        assert_eq!(harness.state(), "2026-02-05", "a later day is not taken");
        harness.get_by_label("10").click();
        harness.run();
        assert_eq!(harness.state(), "2026-02-10", "the last allowed day is");
    }

    #[test]
    fn the_calendar_opens_at_the_typed_month_in_chinese_and_writes_the_day_picked() {
        use egui_kittest::{Harness, kittest::Queryable};
        let mut harness = Harness::new_ui_state(
            |ui, value: &mut String| {
                crate::fonts::install_once(ui.ctx());
                date_picker(ui, "date", value);
            },
            "2026-02-14".to_owned(),
        );
        harness.run();
        harness.get_by_label(t("common.calendar")).click();
        harness.run();
        // The month of the date typed, its weekday heads from Monday.
        harness.get_by_label("2026年2月");
        for head in ["一", "二", "三", "四", "五", "六", "日"] {
            harness.get_by_label(head);
        }
        harness.get_by_label("‹").click();
        harness.run();
        harness.get_by_label("2026年1月");
        harness.get_by_label("31").click();
        harness.run();
        assert_eq!(harness.state(), "2026-01-31");
        assert!(
            harness.query_by_label("2026年1月").is_none(),
            "a day picked closes the calendar"
        );
        // 今天 is the business day, whatever the field held.
        *harness.state_mut() = "not a date".to_owned();
        harness.get_by_label(t("common.calendar")).click();
        harness.run();
        harness.get_by_label(&month_title(first_of_month(business_today())));
        harness.get_by_label(t("common.calendar_today")).click();
        harness.run();
        assert_eq!(*harness.state(), crate::format::business_today_text());
    }
}
