//! The audit log viewer: filters by username, object, action and period (business dates),
//! paged from the server, actions and objects named in the UI language (objects by the
//! names the server gives: documents by number), and the selected row's fields: what
//! changed, before and after, or a record created or deleted, field by field, in words
//! (the records ids refer to by name, choices, business time); the whole records as stored
//! folded away underneath.

use egui::{Key, Modifiers, RichText};
use std::collections::HashMap;

use pharmacrm_shared::money::{self, Decimal};
use pharmacrm_shared::{DataScope, DbCode, Permission, pb};

use super::audit_names::{
    action_name, field_name, field_rank, object_label, object_name, object_types,
};
use crate::backend::{Polled, Requested};
use crate::ctx::AppCtx;
use crate::format;
use crate::i18n::{Lang, comma, either, label_value, lang, list_separator, t};
use crate::widgets::{self, Cell, Choice, DataTable, TableColumn, cells, row_styles};

const PAGE: u32 = 100;

/// The audit tab.
#[derive(Default)]
pub struct AuditPanel {
    username: String,
    object_type: String,
    object_id: String,
    action: String,
    from: String,
    to: String,
    offset: u32,
    filter_error: Option<(&'static str, String)>,
    list: Requested<pb::SearchAuditResponse>,
    /// The search last run, run again when the tab is shown again.
    last_search: Option<pb::SearchAuditRequest>,
    /// The actions the log holds: the action filter's choices.
    actions: Requested<Vec<String>>,
    selected: Option<pb::AuditEntry>,
    /// The objects of the rows shown, as [`object_text`] reads them (worked out once per
    /// answer and language, not per frame), and the language they are in.
    objects: (Vec<String>, Option<Lang>),
}

/// A `YYYY-MM-DD` date as the start of that day in the business time zone (not the
/// workstation's).
fn day_start(text: &str) -> Result<Option<prost_types::Timestamp>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = widgets::parse_date(text).ok_or_else(|| t("audit.bad_date").to_owned())?;
    let start = format::business_day_start(date).ok_or_else(|| t("audit.bad_date").to_owned())?;
    Ok(Some(prost_types::Timestamp {
        seconds: start.timestamp(),
        nanos: 0,
    }))
}

/// The record before and after, whole, side by side.
fn whole_records(ui: &mut egui::Ui, entry: &pb::AuditEntry) {
    ui.columns(2, |columns| {
        columns[0].strong(t("audit.before"));
        columns[1].strong(t("audit.after"));
        for (column, text) in [(0, &entry.before_json), (1, &entry.after_json)] {
            egui::ScrollArea::vertical()
                .id_salt(("audit_json", column))
                .show(&mut columns[column], |ui| {
                    ui.label(RichText::new(widgets::or_dash(text)).monospace());
                });
        }
    });
}

/// Bookkeeping every change moves, and what the server derives for search (a drug's or
/// customer's pinyin): left out of the list of what changed.
const BOOKKEEPING: [&str; 5] = [
    "version",
    "updated_at",
    "updated_by",
    "pinyin_sets",
    "search_grams",
];

/// The fields that hold a list of (id, name) pairs.
const NAMED_LISTS: [&str; 1] = ["positions"];

/// An entry's object as its row shows it: by type and the name the server gave it (订单
/// SO20261204-0001, 客户 华东医药有限公司), a report exported by its name (报表 药品销售情况),
/// else by type and id (登录会话 #12).
fn object_text(entry: &pb::AuditEntry) -> String {
    let name = entry
        .names
        .get(&format!("id:{}", entry.object_id))
        .map(String::as_str)
        .or_else(|| {
            (entry.object_type == "report")
                .then(|| crate::reports::report_name(&entry.object_id))
                .flatten()
        });
    match name {
        Some(name) => format!(
            "{} {name}",
            object_name(&entry.object_type).unwrap_or(&entry.object_type)
        ),
        None => object_label(&entry.object_type, &entry.object_id),
    }
}

/// A record as JSON, when it is one (not a creation's missing before, not a sign-in's
/// text).
fn json_object(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Whose record a value belongs to, and what the ids in it name.
struct Of<'a> {
    /// The entry's object type (`order`…): which enum a field's code is of.
    object_type: &'a str,
    /// The entry's names of the ids in it, keyed `field:id` (`AuditEntry.names`).
    names: &'a HashMap<String, String>,
}

impl Of<'_> {
    /// The name of the record `field`'s id `id` refers to, when the server gave one (the
    /// record's own `id` stays a number: the object is named above).
    fn name(&self, field: &str, id: i64) -> Option<&str> {
        if field == "id" {
            return None;
        }
        self.names.get(&format!("{field}:{id}")).map(String::as_str)
    }
}

/// A stored code of the enum `E` as its choice reads (`partially_shipped` → 部分发货);
/// `None` when `code` is not one of `E`'s.
fn code_label<E: DbCode + Choice>(code: &str) -> Option<&'static str> {
    let value = E::from_code(code);
    (value.code() == Some(code))
        .then(|| value.label())
        .filter(|label| !label.is_empty())
}

/// The text of the stored code `code` of `object_type`'s `field`, when that field holds
/// the code of an enum (an order's status, a payment's method…).
fn enum_text(object_type: &str, field: &str, code: &str) -> Option<&'static str> {
    match (object_type, field) {
        ("order", "status") => code_label::<pb::OrderStatus>(code),
        ("shipment", "delivery_status") => code_label::<pb::DeliveryStatus>(code),
        ("transport_exception", "kind") => code_label::<pb::ExceptionKind>(code),
        ("transport_exception", "decision") => code_label::<pb::ExceptionDecision>(code),
        ("invoice", "kind") => code_label::<pb::InvoiceKind>(code),
        ("payment", "method") => code_label::<pb::PaymentMethod>(code),
        ("customer", "business_kind") => code_label::<pb::BusinessKind>(code),
        ("customer_followup", "method") => code_label::<pb::FollowupMethod>(code),
        ("customer_certificate", "kind") => code_label::<pb::CertificateKind>(code),
        ("drug_category", "origin") => code_label::<pb::DrugOrigin>(code),
        ("position", "data_scope") => {
            DataScope::from_code(code).map(|scope| pb::DataScope::from(scope).label())
        }
        _ => None,
    }
}

/// The value of `field` of the record `of` as read: an id as the name of its record (a
/// customer's, a user's, an order's number; each of a list of ids alike) when the server
/// named it, a region's code as its name, (id, name) pairs as the names, an enum's code as
/// its text (partially_shipped → 部分发货), strings without quotes, empty and null as —,
/// true/false as 是/否, an instant (RFC 3339, as the server stores them in UTC) in
/// business time, other lists and objects as JSON.
fn field_value(of: &Of<'_>, field: &str, value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    if let Some(name) = value
        .and_then(Value::as_i64)
        .and_then(|id| of.name(field, id))
    {
        return name.to_owned();
    }
    let object_type = of.object_type;
    match value {
        None | Some(Value::Null) => widgets::or_dash(""),
        Some(Value::String(s)) => {
            if let Some(text) = enum_text(object_type, field, s) {
                return text.to_owned();
            }
            if (object_type, field) == ("report", "report")
                && let Some(name) = crate::reports::report_name(s)
            {
                return name.to_owned();
            }
            if matches!(field, "province_code" | "city_code")
                && let Some(name) = pharmacrm_shared::region::name_of(s)
            {
                return name.to_owned();
            }
            if let Some(decimal) = decimal_text(s, field == "capacity") {
                return decimal;
            }
            match chrono::DateTime::parse_from_rfc3339(s) {
                Ok(at) => format::business_time(at.with_timezone(&chrono::Utc)),
                Err(_) => widgets::or_dash(s),
            }
        }
        Some(Value::Array(items)) => {
            list_text(of, field, items).unwrap_or_else(|| Value::Array(items.clone()).to_string())
        }
        // Named texts (an export's filters, "药品": "阿莫西林胶囊…") one a line.
        Some(Value::Object(map)) if map.values().all(Value::is_string) => map
            .iter()
            .map(|(name, text)| label_value(name, text.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(Value::Bool(true)) => t("common.yes").to_owned(),
        Some(Value::Bool(false)) => t("common.no").to_owned(),
        Some(other) => other.to_string(),
    }
}

/// A decimal as stored with more places than it holds (a price's `8.8000`) as written,
/// `8.80`: trailing zeros go down to two places, or (`whole_number`: a capacity, `24.000`) as
/// far as they go, `24`, as the unit's screens write it (the wire forms,
/// `money::to_wire` and `money::capacity_to_wire`). `None` for any other text.
fn decimal_text(text: &str, whole_number: bool) -> Option<String> {
    let (_, places) = text.split_once('.')?;
    let digits = text.strip_prefix('-').unwrap_or(text).replace('.', "");
    if (places.len() <= 2 && !whole_number) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    Some(if whole_number {
        money::capacity_to_wire(&value)
    } else {
        money::to_wire(&value)
    })
}

/// A list as read, when it is one of: records named by id and name
/// (`[[3,"营销员"],[4,"客服"]]`: a user's positions) as their names; pairs led by an id the
/// server named (a payment's allocations: order and amount) as `SO… 914.00`; ids the
/// server named as their names; records (an order's or a shipment's lines) one a line,
/// `field：value` by field. `None`: another list, shown as stored.
fn list_text(of: &Of<'_>, field: &str, items: &[serde_json::Value]) -> Option<String> {
    use serde_json::Value;
    if items.is_empty() {
        return None;
    }
    let pairs: Option<Vec<(i64, &str)>> = items
        .iter()
        .map(|item| match item.as_array()?.as_slice() {
            [id, second] => Some((id.as_i64()?, second.as_str()?)),
            _ => None,
        })
        .collect();
    if let Some(pairs) = pairs {
        let named: Option<Vec<String>> = pairs
            .iter()
            .map(|(id, second)| Some(format!("{} {second}", of.name(field, *id)?)))
            .collect();
        return match named {
            Some(named) => Some(named.join("、")),
            None if NAMED_LISTS.contains(&field) => Some(
                pairs
                    .iter()
                    .map(|(_, name)| *name)
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            None => None,
        };
    }
    // A position's permissions by their names (`order.read` → 查看订单).
    if let Some(permissions) = items
        .iter()
        .map(|code| Permission::from_code(code.as_str()?))
        .collect::<Option<Vec<_>>>()
    {
        let names: Vec<&str> = permissions
            .iter()
            .map(|p| either(p.label_zh(), p.label_en()))
            .collect();
        return Some(names.join(list_separator()));
    }
    if items.iter().all(Value::is_i64) {
        let names: Option<Vec<&str>> = items
            .iter()
            .map(|id| of.name(field, id.as_i64()?))
            .collect();
        return names.map(|names| names.join("、"));
    }
    if items.iter().all(Value::is_object) {
        let lines: Vec<String> = items
            .iter()
            .filter_map(Value::as_object)
            .map(|record| record_line(of, record))
            .collect();
        return Some(lines.join("\n"));
    }
    None
}

/// One record of a list (an order's line) on one line: `药品名称：布洛芬缓释胶囊，数量：30…`,
/// fields in the order of [`field_rank`], without its own id, its link to the entry's
/// object (an order line's `order_id`), the bookkeeping, empty fields, and an id whose
/// name another field already says (`drug_id` beside `drug_name`).
fn record_line(of: &Of<'_>, record: &serde_json::Map<String, serde_json::Value>) -> String {
    let own_link = format!("{}_id", of.object_type);
    let mut fields: Vec<(&String, String)> = record
        .iter()
        .filter(|(k, v)| {
            k.as_str() != "id"
                && **k != own_link
                && !BOOKKEEPING.contains(&k.as_str())
                && !v.is_null()
                && v.as_str() != Some("")
        })
        .map(|(k, v)| (k, field_value(of, k, Some(v))))
        .collect();
    let said: Vec<String> = fields
        .iter()
        .filter(|(k, _)| !k.ends_with("_id"))
        .map(|(_, v)| v.clone())
        .collect();
    fields.retain(|(k, v)| !k.ends_with("_id") || !said.contains(v));
    fields.sort_by_key(|(k, _)| field_rank(k));
    fields
        .iter()
        .map(|(k, v)| label_value(field_name(k).unwrap_or(k), v))
        .collect::<Vec<_>>()
        .join(comma())
}

/// What an update changed, field by field: (field, before, after), fields in the order
/// of [`field_rank`], values as [`field_value`] reads them; a list of codes or ids (a
/// position's permissions) says under its new value what came and what went ("新增：查看欠款"),
/// which two long lists side by side hide. Empty unless both sides are JSON objects (a
/// creation, a deletion, a sign-in).
fn changed_fields(of: &Of<'_>, before: &str, after: &str) -> Vec<(String, String, String)> {
    let (Some(before), Some(after)) = (json_object(before), json_object(after)) else {
        return Vec::new();
    };
    let keys: std::collections::BTreeSet<(usize, &String)> = before
        .keys()
        .chain(after.keys())
        .map(|k| (field_rank(k), k))
        .collect();
    keys.into_iter()
        .map(|(_, k)| k)
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()) && before.get(*k) != after.get(*k))
        .map(|k| {
            let mut now = field_value(of, k, after.get(k));
            if let (Some(serde_json::Value::Array(was)), Some(serde_json::Value::Array(is))) =
                (before.get(k), after.get(k))
                && was.iter().chain(is).all(|v| v.is_string() || v.is_i64())
            {
                for (label, from, without) in
                    [(t("audit.added"), is, was), (t("audit.removed"), was, is)]
                {
                    let moved: Vec<serde_json::Value> = from
                        .iter()
                        .filter(|v| !without.contains(v))
                        .cloned()
                        .collect();
                    if !moved.is_empty() {
                        let moved = field_value(of, k, Some(&serde_json::Value::Array(moved)));
                        now.push('\n');
                        now.push_str(&label_value(label, &moved));
                    }
                }
            }
            (k.clone(), field_value(of, k, before.get(k)), now)
        })
        .collect()
}

/// A record created, deleted or acted on (one side only), field by field: (field, value),
/// in the order of [`field_rank`], without the bookkeeping. Empty when it is not a JSON
/// object.
fn record_fields(of: &Of<'_>, text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = json_object(text)
        .into_iter()
        .flatten()
        .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
        .map(|(k, v)| {
            let value = field_value(of, &k, Some(&v));
            (k, value)
        })
        .collect();
    fields.sort_by_key(|(k, _)| field_rank(k));
    fields
}

/// A field's name in the UI language, its code on hover (the code itself when unknown).
fn field_label(ui: &mut egui::Ui, code: &str) {
    match field_name(code) {
        Some(name) => {
            ui.label(name).on_hover_text(code);
        }
        None => {
            ui.monospace(code);
        }
    }
}

/// The selected entry: what changed, field by field (an update), or the record's fields
/// (a creation, a deletion, an action with details), then the whole record as stored; a
/// sign-in's text as it is; that nothing was recorded (a sign-in, a sign-out).
fn detail_ui(ui: &mut egui::Ui, entry: &pb::AuditEntry) {
    let of = Of {
        object_type: &entry.object_type,
        names: &entry.names,
    };
    if entry.before_json.is_empty() && entry.after_json.is_empty() {
        ui.label(RichText::new(t("audit.no_content")).weak());
        return;
    }
    let changes = changed_fields(&of, &entry.before_json, &entry.after_json);
    let one_side = if entry.before_json.is_empty() {
        &entry.after_json
    } else {
        &entry.before_json
    };
    let fields =
        if changes.is_empty() && (entry.before_json.is_empty() || entry.after_json.is_empty()) {
            record_fields(&of, one_side)
        } else {
            Vec::new()
        };
    if changes.is_empty() && fields.is_empty() {
        whole_records(ui, entry);
        return;
    }
    // Sideways too: a long value (a shipment's lines, one a line) is not cut off.
    egui::ScrollArea::both()
        // Each entry's own scroll position: the next one picked opens at its top.
        .id_salt(("audit_changes", entry.id))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new(("audit_changes_grid", entry.id))
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(t("audit.field"));
                    if changes.is_empty() {
                        ui.strong(t("audit.value"));
                    } else {
                        ui.strong(t("audit.before"));
                        ui.strong(t("audit.after"));
                    }
                    ui.end_row();
                    for (field, before, after) in &changes {
                        field_label(ui, field);
                        ui.label(before);
                        ui.label(after);
                        ui.end_row();
                    }
                    for (field, value) in &fields {
                        field_label(ui, field);
                        ui.label(value);
                        ui.end_row();
                    }
                });
            egui::CollapsingHeader::new(t("audit.whole"))
                .id_salt(("audit_whole", entry.id))
                .show(ui, |ui| whole_records(ui, entry));
        });
}

impl AuditPanel {
    /// The tab is shown again: the search last run is run again (what was done meanwhile
    /// shows), the entry open below it kept.
    pub fn refresh(&mut self, ctx: &AppCtx) {
        if let Some(request) = self.last_search.clone() {
            self.list.request(ctx.audit().search_audit(request));
        }
    }

    fn search(&mut self, ctx: &AppCtx) {
        self.filter_error = None;
        // The row shown below may not be among what this search finds.
        self.selected = None;
        // Said under the filter bar: each complaint names its field.
        let from = match day_start(&self.from) {
            Ok(t) => t,
            Err(e) => {
                self.filter_error = Some(("from", label_value(t("audit.from"), &e)));
                return;
            }
        };
        // "to" is inclusive for the user: the end of that day.
        let to = match day_start(&self.to) {
            Ok(t) => t.map(|t| prost_types::Timestamp {
                seconds: t.seconds + 86_400,
                nanos: 0,
            }),
            Err(e) => {
                self.filter_error = Some(("to", label_value(t("audit.to"), &e)));
                return;
            }
        };
        // A period that ends before it starts finds nothing: said, not searched.
        if let (Some(from), Some(to)) = (&from, &to)
            && to.seconds <= from.seconds
        {
            self.filter_error = Some(("to", t("audit.to_before_from").to_owned()));
            return;
        }
        let request = pb::SearchAuditRequest {
            user_id: None,
            username: self.username.trim().to_owned(),
            object_type: self.object_type.trim().to_owned(),
            object_id: self.object_id.trim().to_owned(),
            action: self.action.trim().to_owned(),
            from,
            to,
            page: Some(pb::PageRequest {
                offset: self.offset,
                limit: PAGE,
            }),
        };
        self.last_search = Some(request.clone());
        self.list.request(ctx.audit().search_audit(request));
    }

    fn filter_error(&self, field: &str) -> Option<String> {
        self.filter_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, e)| e.clone())
            .or_else(|| self.list.error().and_then(|e| e.field(field)))
    }

    /// Draws the tab.
    pub fn ui(&mut self, ui: &mut egui::Ui, ctx: &AppCtx) {
        if self.list.is_not_requested() {
            self.search(ctx);
            self.actions
                .request(ctx.audit().list_audit_actions(()).map(|r| r.actions));
        }
        let answered = matches!(self.list.poll(), Polled::JustDone);
        if answered || self.objects.1 != Some(lang()) {
            let objects = self
                .list
                .value()
                .map(|l| l.entries.iter().map(object_text).collect())
                .unwrap_or_default();
            self.objects = (objects, Some(lang()));
        }
        self.actions.poll();
        let all = || (String::new(), t("audit.all").to_owned());
        // In the order of their names in the UI language (a code's order reads as random).
        let mut named: Vec<(String, String)> = self
            .actions
            .value()
            .into_iter()
            .flatten()
            .map(|a| (a.clone(), action_name(a)))
            .collect();
        named.sort_by_cached_key(|(_, name)| pharmacrm_shared::collate::pinyin_key(name));
        let actions: Vec<(String, String)> = std::iter::once(all()).chain(named).collect();
        let objects: Vec<(String, String)> = std::iter::once(all()).chain(object_types()).collect();
        let mut run = false;
        let mut chosen = false;
        ui.horizontal_wrapped(|ui| {
            let mut field =
                |ui: &mut egui::Ui, label: &str, value: &mut String, width: f32, hint: &str| {
                    // A date input is followed by its calendar button.
                    widgets::keep_together(ui, label, width + 60.0);
                    let label = ui.label(label);
                    let response = ui
                        .add(
                            egui::TextEdit::singleline(value)
                                .desired_width(width)
                                .hint_text(hint),
                        )
                        .labelled_by(label.id);
                    if widgets::entered(ui, &response) {
                        run = true;
                    }
                    response
                };
            let first = field(ui, t("audit.username"), &mut self.username, 100.0, "");
            if ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
                first.request_focus();
            }
            chosen |= widgets::combo(
                ui,
                "audit_object_type",
                t("audit.object_type"),
                &mut self.object_type,
                &objects,
            );
            field(
                ui,
                t("audit.object_id"),
                &mut self.object_id,
                130.0,
                t("audit.object_id_hint"),
            );
            chosen |= widgets::combo(
                ui,
                "audit_action",
                t("audit.action"),
                &mut self.action,
                &actions,
            );
            field(
                ui,
                t("audit.from"),
                &mut self.from,
                100.0,
                t("common.date_hint"),
            );
            widgets::date_picker(ui, "audit_from_picker", &mut self.from);
            field(
                ui,
                t("audit.to"),
                &mut self.to,
                100.0,
                t("common.date_hint"),
            );
            widgets::date_picker(ui, "audit_to_picker", &mut self.to);
            if ui.button(t("audit.search")).clicked() {
                run = true;
            }
        });
        for field in ["username", "from", "to"] {
            widgets::field_error(ui, self.filter_error(field));
        }
        if run || chosen {
            self.offset = 0;
            self.search(ctx);
        }
        widgets::request_status(ui, &self.list);

        // While the filters are wrong, the last search's rows (of other filters) are not
        // shown under them.
        let shown = self.list.value().filter(|_| self.filter_error.is_none());
        let entries = shown.map(|l| l.entries.clone()).unwrap_or_default();
        let total = shown.map_or(0, |l| l.total);
        // Tall enough for a few changed fields whatever was shown before (a panel sizes
        // itself to its content, and the hint before a pick is one line), leaving the
        // list most of a small window.
        let detail_height = (ui.available_height() * 0.3).clamp(120.0, 220.0);
        egui::Panel::bottom("audit_detail")
            .resizable(true)
            .min_size(detail_height)
            .default_size(detail_height)
            .show(ui, |ui| match &self.selected {
                None => {
                    ui.label(RichText::new(t("audit.pick")).weak());
                }
                Some(entry) => {
                    // Which record, by the name the server gave it (a follow-up's customer:
                    // an update lists only what changed). The action's code on hover: one
                    // language on the screen.
                    let name = entry
                        .names
                        .get(&format!("id:{}", entry.object_id))
                        .map_or(String::new(), |name| format!(" {name}"));
                    ui.strong(format!(
                        "#{} {}{name} {}",
                        entry.id,
                        action_name(&entry.action),
                        format::timestamp(entry.at.as_ref())
                    ))
                    .on_hover_text(&entry.action);
                    detail_ui(ui, entry);
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // The pager in a bar at the foot, above the detail: the table takes what is
            // left (at 900×600 in English a guessed room for it left the pager half under
            // the detail).
            // Refused filters found nothing: "无结果" read as no such records. Their
            // complaints say what to mend.
            if self.filter_error.is_none()
                && widgets::button_bar(ui, "audit_pager", |ui| {
                    widgets::pager(ui, &mut self.offset, entries.len(), total, PAGE)
                })
            {
                self.search(ctx);
            }
            let selected_id = self.selected.as_ref().map(|e| e.id);
            let available = ui.available_height();
            let objects = &self.objects.0;
            let columns = [
                TableColumn::text(
                    t("audit.at"),
                    cells(&entries, |e| format::timestamp(e.at.as_ref())),
                ),
                // Seeding and migrations act as "system", no user (a failed login tried
                // under that name stays as typed).
                TableColumn::text(
                    t("audit.user"),
                    cells(&entries, |e| {
                        if e.user_id.is_none()
                            && e.username == "system"
                            && !e.action.starts_with("auth.")
                        {
                            t("common.system").to_owned()
                        } else {
                            e.username.clone()
                        }
                    }),
                ),
                // The action's code on hover: one language on the screen.
                TableColumn::text(
                    t("audit.action"),
                    entries
                        .iter()
                        .map(|e| {
                            let name = action_name(&e.action);
                            Cell::new(&name).with_hover(format!("{name}\n{}", e.action))
                        })
                        .collect(),
                ),
                TableColumn::text(
                    t("audit.object"),
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, e)| {
                            let name = objects.get(i).map_or("", String::as_str);
                            let object = Cell::new(name);
                            if e.object_id.is_empty() {
                                object
                            } else {
                                object.with_hover(format!("{name} #{}", e.object_id))
                            }
                        })
                        .collect(),
                ),
                TableColumn::text(t("audit.peer"), cells(&entries, |e| e.peer.clone())),
            ];
            let styles = row_styles(&entries, selected_id, |e| (e.id, false));
            let clicked = DataTable::new("audit_table", &columns)
                .styles(&styles)
                .clickable()
                .max_height(available.max(80.0))
                .show(ui)
                .map(|i| entries[i].clone());
            if clicked.is_some() {
                self.selected = clicked;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NO_NAMES: std::sync::LazyLock<HashMap<String, String>> =
        std::sync::LazyLock::new(HashMap::new);

    /// A record of `object_type`, no ids named.
    fn of(object_type: &str) -> Of<'_> {
        Of {
            object_type,
            names: &NO_NAMES,
        }
    }

    #[test]
    fn ids_read_as_the_names_the_server_gave_them() {
        let names = HashMap::from([
            ("closed_by:4".to_owned(), "王经理 (manager)".to_owned()),
            ("customer_id:4".to_owned(), "华东医药有限公司".to_owned()),
            ("drug_ids:8".to_owned(), "阿莫西林胶囊".to_owned()),
            ("drug_ids:9".to_owned(), "头孢克肟片".to_owned()),
            ("id:4".to_owned(), "SO20261204-0001".to_owned()),
        ]);
        let of = Of {
            object_type: "order",
            names: &names,
        };
        let fields = record_fields(
            &of,
            r#"{"id":4,"closed_by":4,"cancelled_by":5,"customer_id":4,"drug_ids":[8,9],"region_ids":[8,10]}"#,
        );
        let value = |code: &str| {
            fields
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(value("closed_by"), Some("王经理 (manager)"));
        assert_eq!(value("customer_id"), Some("华东医药有限公司"));
        assert_eq!(value("drug_ids"), Some("阿莫西林胶囊、头孢克肟片"));
        assert_eq!(
            value("cancelled_by"),
            Some("5"),
            "an id the server did not name stays an id"
        );
        assert_eq!(value("region_ids"), Some("[8,10]"));
        assert_eq!(value("id"), Some("4"), "the object's own id stays its id");
        let user = record_fields(
            &of,
            r#"{"positions":[[3,"营销员"],[4,"客服"]],"city_code":"110108","province_code":"11","allocations":[[12,"1000.00"]]}"#,
        );
        let value = |code: &str| {
            user.iter()
                .find(|(c, _)| c == code)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(value("positions"), Some("营销员、客服"));
        assert_eq!(value("province_code"), Some("北京市"));
        assert_eq!(value("city_code"), Some("海淀区"));
        // A payment's allocations (order, amount) keep their orders.
        assert_eq!(value("allocations"), Some(r#"[[12,"1000.00"]]"#));
    }

    #[test]
    fn lines_read_one_a_line_and_allocations_by_order_number() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(Lang::Zh);
        let names = HashMap::from([
            (
                "order_line_id:15".to_owned(),
                "布洛芬缓释胶囊 0.3g×24粒".to_owned(),
            ),
            ("drug_id:3".to_owned(), "布洛芬缓释胶囊".to_owned()),
            ("allocations:6".to_owned(), "SO20261126-0001".to_owned()),
        ]);
        let shipment = Of {
            object_type: "shipment",
            names: &names,
        };
        let fields = record_fields(
            &shipment,
            r#"{"lines":[{"id":11,"shipment_id":7,"order_line_id":15,"batch_no":"B2026C01","quantity":20,"exception_line_id":null},{"id":12,"shipment_id":7,"order_line_id":16,"batch_no":"B2026C02","quantity":5}]}"#,
        );
        assert_eq!(
            fields[0].1,
            "订单行：布洛芬缓释胶囊 0.3g×24粒，数量：20，批号：B2026C01\n\
             订单行：16，数量：5，批号：B2026C02"
        );
        let order = Of {
            object_type: "order",
            names: &names,
        };
        let line = record_fields(
            &order,
            r#"{"lines":[{"id":15,"order_id":9,"drug_id":3,"drug_name":"布洛芬缓释胶囊","quantity":30}]}"#,
        );
        assert!(
            !line[0].1.contains("药品："),
            "the drug is said once: {}",
            line[0].1
        );
        assert!(line[0].1.contains("布洛芬缓释胶囊"));
        let payment = Of {
            object_type: "payment",
            names: &names,
        };
        assert_eq!(
            record_fields(&payment, r#"{"allocations":[[6,"914.00"]]}"#)[0].1,
            "SO20261126-0001 914.00"
        );
        assert_eq!(
            record_fields(&payment, r#"{"allocations":[[7,"1.00"]]}"#)[0].1,
            r#"[[7,"1.00"]]"#,
            "an order not named: as stored"
        );
    }

    #[test]
    fn an_update_lists_only_the_fields_it_changed() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let before = r#"{"name":"质量部","parent_id":null,"version":1,"note":"","is_active":true}"#;
        let after =
            r#"{"name":"质量管理部","parent_id":3,"version":2,"note":"","is_active":false}"#;
        assert_eq!(
            changed_fields(&of("department"), before, after),
            [
                (
                    "name".to_owned(),
                    "质量部".to_owned(),
                    "质量管理部".to_owned()
                ),
                ("is_active".to_owned(), "是".to_owned(), "否".to_owned()),
                ("parent_id".to_owned(), "—".to_owned(), "3".to_owned()),
            ]
        );
        assert!(
            changed_fields(&of("department"), "", after).is_empty(),
            "a creation is listed by its fields"
        );
    }

    #[test]
    fn a_changed_list_says_what_came_and_what_went() {
        let _one_at_a_time = crate::i18n::lang_switch();
        crate::i18n::set_lang(crate::i18n::Lang::Zh);
        let before = r#"{"permissions":["order.read","order.write"]}"#;
        let after = r#"{"permissions":["order.read","finance.arrears.read"]}"#;
        let changes = changed_fields(&of("position"), before, after);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].2,
            "查看订单、查看欠款\n新增：查看欠款\n去掉：下单"
        );
    }

    #[test]
    fn a_creation_lists_its_fields_in_business_time_without_bookkeeping() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let created = r#"{"close_reason":"客户取消","closed_at":"2026-12-03T16:30:00Z","id":9,"version":1,"updated_by":null,"robot":1}"#;
        let fields = record_fields(&of("order"), created);
        let codes: Vec<&str> = fields.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, ["id", "closed_at", "close_reason", "robot"]);
        // 16:30 UTC is past midnight in Shanghai, the business zone by default.
        assert_eq!(fields[1].1, "2026-12-04 00:30");
        assert_eq!(field_name("close_reason"), Some("结案原因"));
        assert!(
            record_fields(&of("session"), "登录").is_empty(),
            "a sign-in's text stays as it is"
        );
    }

    #[test]
    fn an_object_is_named_by_the_name_the_server_gave_it_else_by_its_id() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let entry = |object_type: &str, name: Option<&str>| pb::AuditEntry {
            object_type: object_type.to_owned(),
            object_id: "9".to_owned(),
            names: name
                .map(|n| ("id:9".to_owned(), n.to_owned()))
                .into_iter()
                .collect(),
            ..Default::default()
        };
        assert_eq!(
            object_text(&entry("order", Some("SO20261204-0001"))),
            "订单 SO20261204-0001"
        );
        assert_eq!(
            object_text(&entry("customer", Some("华东医药有限公司"))),
            "客户 华东医药有限公司"
        );
        assert_eq!(object_text(&entry("order", None)), "订单 #9");
        let export = pb::AuditEntry {
            object_type: "report".to_owned(),
            object_id: "drug_sales".to_owned(),
            ..Default::default()
        };
        assert_eq!(object_text(&export), "报表 药品销售情况");
        // Its record: the report by name, the filters one a line.
        let record = serde_json::json!({"report": "drug_sales", "filters": {"期间": "2026-11-01 至 2026-11-30", "药品": "阿莫西林胶囊 0.25g×24粒"}});
        assert_eq!(
            field_value(&of("report"), "report", record.get("report")),
            "药品销售情况"
        );
        assert_eq!(
            field_value(&of("report"), "filters", record.get("filters")),
            "期间：2026-11-01 至 2026-11-30\n药品：阿莫西林胶囊 0.25g×24粒"
        );
    }

    #[test]
    fn prices_read_as_written_and_permissions_by_their_names() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let price = |text: &str| field_value(&of("drug"), "sale_price", Some(&text.into()));
        assert_eq!(price("8.8000"), "8.80");
        assert_eq!(price("12.3450"), "12.345");
        assert_eq!(price("-3.5000"), "-3.50");
        assert_eq!(price("914.00"), "914.00");
        assert_eq!(price("SO20261204-0001"), "SO20261204-0001");
        assert_eq!(price("1.2.300"), "1.2.300");
        let capacity =
            |text: &str| field_value(&of("container_unit"), "capacity", Some(&text.into()));
        assert_eq!(capacity("24.000"), "24");
        assert_eq!(capacity("2.500"), "2.5");
        let permissions = serde_json::json!(["order.read", "drug.read"]);
        assert_eq!(
            field_value(&of("position"), "permissions", Some(&permissions)),
            format!(
                "{}、{}",
                Permission::OrderRead.label_zh(),
                Permission::DrugRead.label_zh()
            )
        );
    }

    #[test]
    fn stored_codes_read_as_their_choices_and_unknown_codes_stay() {
        let _one_at_a_time = crate::i18n::lang_switch();
        let before = r#"{"status":"partially_shipped"}"#;
        let after = r#"{"status":"completed"}"#;
        assert_eq!(
            changed_fields(&of("order"), before, after),
            [(
                "status".to_owned(),
                pb::OrderStatus::PartiallyShipped.label().to_owned(),
                pb::OrderStatus::Completed.label().to_owned()
            )]
        );
        assert_ne!(pb::OrderStatus::Completed.label(), "completed");
        let scope = record_fields(&of("position"), r#"{"data_scope":"department"}"#);
        assert_eq!(scope[0].1, "本部门及下级部门");
        // Another object's `status`, or a code of a newer server: as stored.
        assert_eq!(
            record_fields(&of("drug"), r#"{"status":"completed"}"#)[0].1,
            "completed"
        );
        assert_eq!(
            record_fields(&of("order"), r#"{"status":"teleported"}"#)[0].1,
            "teleported"
        );
    }
}
