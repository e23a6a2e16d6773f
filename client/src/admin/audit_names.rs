//! The audit log's codes in the UI language: objects (`order` → 订单), actions
//! (`order.close` → 订单 · 结案, `auth.login_failed` → 登录失败). A code the client does not
//! know (a newer server's) is shown as it is.

use crate::i18n::t;

/// An object type's name (`order` → 订单), if known.
pub fn object_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "session" => t("audit.object.session"),
        "login" => t("audit.object.login"),
        "user" => t("audit.object.user"),
        "department" => t("audit.object.department"),
        "position" => t("audit.object.position"),
        "settings" => t("audit.object.settings"),
        "invoicing_entity" => t("audit.object.invoicing_entity"),
        "api_token" => t("audit.object.api_token"),
        "drug" => t("audit.object.drug"),
        "drug_category" => t("audit.object.drug_category"),
        "container_unit" => t("audit.object.container_unit"),
        "customer" => t("audit.object.customer"),
        "customer_type" => t("audit.object.customer_type"),
        "customer_followup" => t("audit.object.customer_followup"),
        "customer_certificate" => t("audit.object.customer_certificate"),
        "customer_profile_record" => t("audit.object.customer_profile_record"),
        "order" => t("audit.object.order"),
        "shipment" => t("audit.object.shipment"),
        "transport_exception" => t("audit.object.transport_exception"),
        "invoice" => t("audit.object.invoice"),
        "payment" => t("audit.object.payment"),
        "reconciliation" => t("audit.object.reconciliation"),
        "report" => t("audit.object.report"),
        "statement" => t("audit.object.statement"),
        _ => return None,
    })
}

/// A verb's name (`close` → 结案), if known.
fn verb_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "create" => t("audit.verb.create"),
        "update" => t("audit.verb.update"),
        "delete" => t("audit.verb.delete"),
        "archive" => t("audit.verb.archive"),
        "restore" => t("audit.verb.restore"),
        "assign" => t("audit.verb.assign"),
        "change_type" => t("audit.verb.change_type"),
        "reveal_id_number" => t("audit.verb.reveal_id_number"),
        "duplicate_lookup" => t("audit.verb.duplicate_lookup"),
        "credit_override" => t("audit.verb.credit_override"),
        "cancel" => t("audit.verb.cancel"),
        "close" => t("audit.verb.close"),
        "deliver" => t("audit.verb.deliver"),
        "lose" => t("audit.verb.lose"),
        "decide" => t("audit.verb.decide"),
        "report" => t("audit.verb.report"),
        "reverse" => t("audit.verb.reverse"),
        "ship_replacement" => t("audit.verb.ship_replacement"),
        "export" => t("audit.verb.export"),
        "issue" => t("audit.verb.issue"),
        "revoke" => t("audit.verb.revoke"),
        "enable" => t("audit.verb.enable"),
        "disable" => t("audit.verb.disable"),
        "change_password" => t("audit.verb.change_password"),
        "reset_password" => t("audit.verb.reset_password"),
        _ => return None,
    })
}

/// An action as read: a sign-in event by itself (登录失败), else its object and verb
/// (订单 · 结案); the code itself when unknown.
pub fn action_name(code: &str) -> String {
    let sign_in = match code {
        "auth.login" => t("audit.auth.login"),
        "auth.login_failed" => t("audit.auth.login_failed"),
        "auth.login_locked" => t("audit.auth.login_locked"),
        "auth.login_disabled" => t("audit.auth.login_disabled"),
        "auth.logout" => t("audit.auth.logout"),
        "auth.change_password_failed" => t("audit.auth.change_password_failed"),
        _ => "",
    };
    if !sign_in.is_empty() {
        return sign_in.to_owned();
    }
    code.split_once('.')
        .and_then(|(object, verb)| Some(format!("{} · {}", object_name(object)?, verb_name(verb)?)))
        .unwrap_or_else(|| code.to_owned())
}

/// An object as a row shows it: 订单 #9.
pub fn object_label(object_type: &str, object_id: &str) -> String {
    let name = object_name(object_type).unwrap_or(object_type);
    if object_id.is_empty() {
        name.to_owned()
    } else {
        format!("{name} #{object_id}")
    }
}

/// Every known object type with its name, for the filter.
pub fn object_types() -> Vec<(String, String)> {
    [
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
        "reconciliation",
        "report",
        "statement",
    ]
    .into_iter()
    .filter_map(|code| Some((code.to_owned(), object_name(code)?.to_owned())))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, set_lang};

    #[test]
    fn actions_read_as_object_and_verb_and_unknown_codes_stay() {
        let _one_at_a_time = crate::i18n::lang_switch();
        set_lang(Lang::Zh);
        assert_eq!(action_name("order.close"), "订单 · 结案");
        assert_eq!(action_name("transport_exception.report"), "运输异常 · 上报");
        assert_eq!(action_name("auth.login_failed"), "登录失败");
        assert_eq!(action_name("order.teleport"), "order.teleport");
        assert_eq!(object_label("shipment", "7"), "发货 #7");
        assert_eq!(object_label("robot", "1"), "robot #1");
        set_lang(Lang::En);
        assert_eq!(action_name("payment.reverse"), "Payment · reverse");
        set_lang(Lang::Zh);
    }
}
