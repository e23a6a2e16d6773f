//! The audit log's codes in the UI language: objects (`order` → 订单), actions
//! (`order.close` → 订单 · 结案, `auth.login_failed` → 登录失败) and the fields of the
//! records (`close_reason` → 结案原因). A code the client does not know (a newer server's)
//! is shown as it is. Each code's text is the i18n key `audit.object.<code>`,
//! `audit.verb.<verb>`, `audit.auth.<event>` or `audit.field.<code>` (a test checks that
//! every code listed here has its key).

use crate::i18n::t;

/// The object types the server records (`audit_log.object_type`), in the filter's order.
const OBJECTS: &[&str] = &[
    "session",
    "login",
    "user",
    "department",
    "position",
    "settings",
    "invoicing_entity",
    "api_token",
    "drug",
    "drug_category",
    "container_unit",
    "customer",
    "customer_type",
    "customer_followup",
    "customer_certificate",
    "customer_profile_record",
    "order",
    "shipment",
    "transport_exception",
    "invoice",
    "payment",
    "write_off",
    "reconciliation",
    "report",
    "statement",
];

/// The verbs of `<object>.<verb>` actions.
const VERBS: &[&str] = &[
    "create",
    "update",
    "delete",
    "archive",
    "restore",
    "assign",
    "change_type",
    "reveal_id_number",
    "duplicate_lookup",
    "credit_override",
    "approval_request",
    "approve",
    "reject",
    "cancel",
    "close",
    "deliver",
    "lose",
    "decide",
    "report",
    "reverse",
    "reopen",
    "ship_replacement",
    "set_scan",
    "export",
    "issue",
    "revoke",
    "enable",
    "disable",
    "change_password",
    "reset_password",
    "handover",
];

/// The fields of the records the server audits (columns, and the extras of some actions),
/// in the order a record's fields are listed, each with its text `audit.field.<code>`: one
/// name per code whatever the object (`name` is 名称 for a drug and for a customer).
const FIELDS: &[&str] = &[
    "id",
    "number",
    "name",
    "kind",
    "status",
    "username",
    "display_name",
    "department_id",
    "phone",
    "fax",
    "is_service_account",
    "is_active",
    "must_change_password",
    "is_builtin",
    "is_deleted",
    "position_ids",
    "positions",
    "position_id",
    "permissions",
    "permission",
    "data_scope",
    "parent_id",
    "sort_order",
    "default_transit_days",
    "credit_hold_days",
    "new_customer_credit_days",
    "new_customer_credit_limit",
    "near_expiry_days",
    "tax_number",
    "trade_name",
    "specification",
    "dosage_form",
    "manufacturer",
    "approval_number",
    "category_id",
    "unit_id",
    "purchase_price",
    "sale_price",
    "origin",
    "capacity",
    "capacity_unit",
    "contact_person",
    "id_number_masked",
    "postcode",
    "province_code",
    "city_code",
    "address",
    "business_kind",
    "type_id",
    "from_type_id",
    "to_type_id",
    "drug_ids",
    "credit_days",
    "credit_limit",
    "sales_rep_id",
    "cs_rep_id",
    "customer_id",
    "user_id",
    "role",
    "source",
    "effective_from",
    "effective_to",
    "assigned_by",
    "owners_told",
    "authority",
    "issued_on",
    "expires_on",
    "has_scan",
    "scan_name",
    "scan_size",
    "scan_sha256",
    "scan_type",
    "happened_at",
    "method",
    "content",
    "result",
    "next_on",
    "title",
    "detail",
    "date_from",
    "date_to",
    "order_id",
    "order_date",
    "invoicing_entity_id",
    "delivery_address",
    "requested_delivery_date",
    "total",
    "lines",
    "line_no",
    "order_line_id",
    "shipment_line_id",
    "exception_line_id",
    "drug_id",
    "drug_name",
    "unit_label",
    "quantity",
    "unit_price",
    "list_price",
    "amount",
    "shipped_quantity",
    "units_ordered",
    "units_shipped",
    "units_delivered",
    "unit_name",
    "open_shipments",
    "exception_count",
    "open_exceptions",
    "hold",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
    "closed_at",
    "closed_by",
    "close_reason",
    "closed_amount",
    "shipment_id",
    "ship_date",
    "carrier",
    "waybill_no",
    "transit_days",
    "expected_arrival",
    "invoice_no",
    "replacement_of_exception_id",
    "delivery_status",
    "delivered_at",
    "signer",
    "correction_reason",
    "batch_no",
    "expiry_date",
    "exception_quantity",
    "value",
    "decision",
    "decided_at",
    "decided_by",
    "replacement_shipment_id",
    "reported_at",
    "reported_by",
    "invoice_date",
    "red_of_invoice_id",
    "orders",
    "payment_date",
    "reference",
    "handler_id",
    "allocations",
    "write_off_date",
    "reason_kind",
    "reversed_at",
    "reversed_by",
    "reversal_date",
    "reversal_reason",
    "reopened_at",
    "reopened_by",
    "reopen_reason",
    "period_from",
    "period_to",
    "closing_balance",
    "closing",
    "customers",
    "report",
    "filters",
    "rows",
    "bytes",
    "masked_ids",
    "moved",
    "remaining",
    "moves",
    "description",
    "reason",
    "note",
    "label",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
];

/// The sign-in events (`auth.<event>`), each read by itself.
const SIGN_IN: &[&str] = &[
    "login",
    "login_failed",
    "login_locked",
    "login_disabled",
    "logout",
    "change_password_failed",
];

/// `code`'s text under `prefix` (`audit.object`…), if `code` is one of `known`.
fn named(known: &[&str], prefix: &str, code: &str) -> Option<&'static str> {
    known
        .contains(&code)
        .then(|| t(&format!("{prefix}.{code}")))
}

/// An object type's name (`order` → 订单), if known.
pub fn object_name(code: &str) -> Option<&'static str> {
    named(OBJECTS, "audit.object", code)
}

/// Where `code` comes in a record's list of fields: the order of [`FIELDS`] (what a record
/// is, then what it holds, then who made it when), unknown fields last.
pub fn field_rank(code: &str) -> usize {
    FIELDS
        .iter()
        .position(|f| *f == code)
        .unwrap_or(FIELDS.len())
}

/// A field's name (`close_reason` → 结案原因), if known.
pub fn field_name(code: &str) -> Option<&'static str> {
    named(FIELDS, "audit.field", code)
}

/// An action as read: a sign-in event by itself (登录失败), else its object and verb
/// (订单 · 结案); the code itself when unknown.
pub fn action_name(code: &str) -> String {
    let Some((object, verb)) = code.split_once('.') else {
        return code.to_owned();
    };
    let name = if object == "auth" {
        named(SIGN_IN, "audit.auth", verb).map(str::to_owned)
    } else {
        object_name(object)
            .zip(named(VERBS, "audit.verb", verb))
            .map(|(object, verb)| format!("{object} · {verb}"))
    };
    name.unwrap_or_else(|| code.to_owned())
}

/// An object as a row shows it: 订单 #9; a login attempt by the name typed (登录尝试
/// admin, not #admin); the company's settings, of which there is one, by type alone.
pub fn object_label(object_type: &str, object_id: &str) -> String {
    let name = object_name(object_type).unwrap_or(object_type);
    if object_id.is_empty() || object_type == "settings" {
        name.to_owned()
    } else if object_id.bytes().all(|b| b.is_ascii_digit()) {
        format!("{name} #{object_id}")
    } else {
        format!("{name} {object_id}")
    }
}

/// Every known object type with its name, for the filter.
pub fn object_types() -> Vec<(String, String)> {
    OBJECTS
        .iter()
        .filter_map(|code| Some(((*code).to_owned(), object_name(code)?.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_lang};

    #[test]
    fn every_code_listed_has_its_text() {
        for (known, prefix) in [
            (OBJECTS, "audit.object"),
            (VERBS, "audit.verb"),
            (SIGN_IN, "audit.auth"),
            (FIELDS, "audit.field"),
        ] {
            for code in known {
                assert_ne!(
                    named(known, prefix, code),
                    Some("??"),
                    "{prefix}.{code} is not in admin.toml"
                );
            }
        }
    }

    #[test]
    fn actions_read_as_object_and_verb_and_unknown_codes_stay() {
        let _one_at_a_time = crate::i18n::lang_switch();
        set_lang(Lang::Zh);
        assert_eq!(action_name("order.close"), "订单 · 结案");
        assert_eq!(action_name("transport_exception.report"), "运输异常 · 上报");
        assert_eq!(action_name("auth.login_failed"), "登录失败");
        assert_eq!(action_name("order.teleport"), "order.teleport");
        assert_eq!(action_name("auth.teleport"), "auth.teleport");
        assert_eq!(action_name("legacy"), "legacy");
        assert_eq!(object_label("shipment", "7"), "发货 #7");
        assert_eq!(object_label("robot", "1"), "robot #1");
        assert_eq!(object_label("login", "admin"), "登录尝试 admin");
        assert_eq!(object_label("settings", "1"), "系统设置");
        set_lang(Lang::En);
        assert_eq!(action_name("payment.reverse"), "Payment · reverse");
        set_lang(Lang::Zh);
    }
}
