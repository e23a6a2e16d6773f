//! The audit log as people read it: the records an entry's ids refer to, named (a
//! customer's id as the customer's name, an order's as its number, a user's as who they
//! are), read for a page of entries at once, one query per kind of record.

use std::collections::{HashMap, HashSet};

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use serde_json::Value;

use crate::db::models::audit_log::{AuditRow, Filter};
use crate::error::AppResult;

/// The rows of a customer's records table (`customer_followups`…) as (id, its customer's
/// name as `label`): what names a follow-up or a personal record.
macro_rules! by_customer {
    ($table:literal) => {
        concat!(
            // The customer's name, and its key in the index `customers_name_order`, so
            // that a search by name uses it.
            "(SELECT r.id, c.name AS label, pinyin_key(c.name) COLLATE \"zh-x-icu\" AS name_key FROM ",
            $table,
            " r JOIN customers c ON c.id = r.customer_id) AS named"
        )
    };
}

/// A customer found by its exact name (`$1`) through the name's index
/// (`customers_name_order`, keyed by the SQL function `pinyin_key`).
const NAMED: &str = "pinyin_key(name) COLLATE \"zh-x-icu\" = pinyin_key($1) AND name = $1";

/// A kind of record an id in the log refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Referent {
    User,
    Department,
    Position,
    InvoicingEntity,
    Drug,
    DrugCategory,
    ContainerUnit,
    Customer,
    CustomerType,
    Certificate,
    Followup,
    ProfileRecord,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    TransportException,
    Invoice,
    Payment,
    WriteOff,
    Reconciliation,
}

impl Referent {
    /// Its table (or a query with `id`) and the SQL expression that names a row: a
    /// document's number, a user's display name and username, an order line's drug and
    /// specification (a shipment line's with its batch), a customer's record by its
    /// customer (a certificate with its number too), a container unit with its capacity
    /// (盒（24粒）), else the name. Constants: no input
    /// reaches the SQL.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Referent::User => ("users", "display_name || ' (' || username || ')'"),
            Referent::Department => ("departments", "name"),
            Referent::Position => ("positions", "name"),
            Referent::InvoicingEntity => ("invoicing_entities", "name"),
            Referent::Drug => ("drugs", "name"),
            Referent::DrugCategory => ("drug_categories", "name"),
            // As order lines and pickers show it (`money::unit_label`): two 盒 of
            // different capacities are told apart.
            Referent::ContainerUnit => (
                "(SELECT id, name,
                         name || '（' || trim_scale(capacity)::text || capacity_unit || '）'
                             AS label
                    FROM container_units) AS container_unit",
                "label",
            ),
            Referent::Customer => ("customers", "name"),
            Referent::CustomerType => ("customer_types", "name"),
            Referent::Certificate => (
                "(SELECT r.id, c.name || ' ' || r.number AS label, r.number,
                         c.name AS customer
                    FROM customer_certificates r JOIN customers c ON c.id = r.customer_id)
                 AS certificate",
                "label",
            ),
            Referent::Followup => (by_customer!("customer_followups"), "label"),
            Referent::ProfileRecord => (by_customer!("customer_profile_records"), "label"),
            Referent::Order => ("orders", "number"),
            Referent::OrderLine => ("order_lines", "drug_name || ' ' || specification"),
            Referent::Shipment => ("shipments", "number"),
            Referent::ShipmentLine => (
                "(SELECT sl.id, ol.drug_name || ' ' || ol.specification || ' ' || sl.batch_no
                    AS label
                    FROM shipment_lines sl JOIN order_lines ol ON ol.id = sl.order_line_id)
                 AS shipment_line",
                "label",
            ),
            Referent::TransportException => ("transport_exceptions", "number"),
            Referent::Invoice => ("invoices", "number"),
            Referent::Payment => ("payments", "number"),
            Referent::WriteOff => ("write_offs", "number"),
            // Its customer and period: "北京协和医院 2026-09-01 – 2026-10-31".
            Referent::Reconciliation => (
                "(SELECT r.id,
                         c.name || ' ' || r.period_from || ' – ' || r.period_to AS label,
                         c.name AS customer,
                         pinyin_key(c.name) COLLATE \"zh-x-icu\" AS name_key
                    FROM reconciliations r JOIN customers c ON c.id = r.customer_id)
                 AS reconciliation",
                "label",
            ),
        }
    }

    /// The SQL condition a record of this kind meets when `$1` is what people call it:
    /// its name or number as [`Referent::source`] gives it; a user's username (in any
    /// case) or display name; a certificate's, a payment's or an invoice's number or its
    /// customer's name; a shipment's or a transport exception's number or its order's.
    fn matching(self) -> String {
        match self {
            Referent::User => "username = lower($1) OR display_name = $1".to_owned(),
            // Through the name's index (`customers_name_order`).
            Referent::Customer => NAMED.to_owned(),
            Referent::Followup | Referent::ProfileRecord => {
                "name_key = pinyin_key($1) AND label = $1".to_owned()
            }
            Referent::Reconciliation => "name_key = pinyin_key($1) AND customer = $1".to_owned(),
            // Two conditions on two tables: each through its index.
            Referent::Certificate => "id IN (SELECT id FROM customer_certificates
                                              WHERE upper(number) = upper($1)
                                             UNION
                                             SELECT r.id FROM customer_certificates r
                                               JOIN customers c ON c.id = r.customer_id
                                              WHERE c.name = $1
                                                AND pinyin_key(c.name) COLLATE \"zh-x-icu\"
                                                    = pinyin_key($1))"
                .to_owned(),
            Referent::Order => "number = upper($1)".to_owned(),
            // A customer's name finds its payments and invoices too: what was done to its
            // account. Each condition through its index.
            Referent::Payment | Referent::Invoice | Referent::WriteOff => {
                let (table, number) = self.source();
                format!(
                    "id IN (SELECT id FROM {table} WHERE {number} = upper($1)
                            UNION
                            SELECT r.id FROM {table} r JOIN customers c ON c.id = r.customer_id
                             WHERE c.name = $1
                               AND pinyin_key(c.name) COLLATE \"zh-x-icu\" = pinyin_key($1))"
                )
            }
            // "盒" finds every box, "盒（24粒）" the one.
            Referent::ContainerUnit => "name = $1 OR label = $1".to_owned(),
            // An order's number finds its shipments and exceptions too: what happened to
            // the order. Each condition through its index.
            Referent::Shipment | Referent::TransportException => {
                let (table, _) = self.source();
                format!(
                    "id IN (SELECT id FROM {table} WHERE number = upper($1)
                            UNION
                            SELECT r.id FROM {table} r JOIN orders o ON o.id = r.order_id
                             WHERE o.number = upper($1))"
                )
            }
            other => format!("({}) = $1", other.source().1),
        }
    }

    /// The records of the audit object type `object_type` (`customer`…), when they have a
    /// name people know them by.
    fn of_object(object_type: &str) -> Option<Referent> {
        OBJECTS
            .iter()
            .find(|(t, _)| *t == object_type)
            .map(|(_, referent)| *referent)
    }

    /// What `field` of a record of `object_type` refers to, when it holds ids (`id`: the
    /// record itself; `parent_id`: a record of the same kind; `allocations`: a payment's
    /// (order, amount) pairs).
    fn of_field(object_type: &str, field: &str) -> Option<Referent> {
        Some(match field {
            "id" | "parent_id" => return Referent::of_object(object_type),
            "user_id" | "sales_rep_id" | "cs_rep_id" | "handler_id" | "assigned_by"
            | "changed_by" | "created_by" | "updated_by" | "cancelled_by" | "closed_by"
            | "decided_by" | "reported_by" | "reversed_by" | "reopened_by" => Referent::User,
            "department_id" => Referent::Department,
            "position_id" | "position_ids" => Referent::Position,
            "invoicing_entity_id" => Referent::InvoicingEntity,
            "drug_id" | "drug_ids" => Referent::Drug,
            "category_id" => Referent::DrugCategory,
            "unit_id" => Referent::ContainerUnit,
            "customer_id" => Referent::Customer,
            "type_id" | "from_type_id" | "to_type_id" => Referent::CustomerType,
            "certificate_id" => Referent::Certificate,
            "order_id" | "allocations" => Referent::Order,
            "order_line_id" => Referent::OrderLine,
            "shipment_line_id" => Referent::ShipmentLine,
            "shipment_id" | "replacement_shipment_id" => Referent::Shipment,
            "exception_id" | "replacement_of_exception_id" => Referent::TransportException,
            "invoice_id" | "red_of_invoice_id" => Referent::Invoice,
            "payment_id" => Referent::Payment,
            _ => return None,
        })
    }
}

/// The audit object types whose records have a name people know them by.
const OBJECTS: [(&str, Referent); 19] = [
    ("user", Referent::User),
    ("department", Referent::Department),
    ("position", Referent::Position),
    ("invoicing_entity", Referent::InvoicingEntity),
    ("drug", Referent::Drug),
    ("drug_category", Referent::DrugCategory),
    ("container_unit", Referent::ContainerUnit),
    ("customer", Referent::Customer),
    ("customer_type", Referent::CustomerType),
    ("customer_certificate", Referent::Certificate),
    ("customer_followup", Referent::Followup),
    ("customer_profile_record", Referent::ProfileRecord),
    ("order", Referent::Order),
    ("shipment", Referent::Shipment),
    ("transport_exception", Referent::TransportException),
    ("invoice", Referent::Invoice),
    ("payment", Referent::Payment),
    ("write_off", Referent::WriteOff),
    ("reconciliation", Referent::Reconciliation),
];

/// Reads an audit search's object filter as people type it: an id stays an id; what people
/// call a record (SO20261204-0001, 北京协和医院, sales1) becomes the records of the filter's
/// object type (of every named type when there is none) that it names, as
/// `filter.objects`. Typing a customer's name finds the customer and its follow-ups,
/// personal records, certificates, payments, invoices and reconciliations. The text is
/// also taken as an id (digits may be an id or an invoice's number): of the filter's
/// type, or of any type without one. A type whose records have no such name (a failed
/// login's tried username) keeps the text as its id.
pub fn resolve_object(conn: &mut PgConnection, filter: &mut Filter) -> AppResult<()> {
    let Some(text) = filter.object_id.clone() else {
        return Ok(());
    };
    let object_type = filter.object_type.as_deref();
    if object_type.is_some_and(|t| Referent::of_object(t).is_none()) {
        return Ok(());
    }
    let mut objects: Vec<(Option<String>, Vec<String>)> = objects_named(conn, object_type, &text)?
        .into_iter()
        .map(|(kind, ids)| (Some(kind), ids))
        .collect();
    // The text as an id (the type, when given, is filtered on besides).
    objects.push((None, vec![text]));
    filter.object_id = None;
    filter.objects = Some(objects);
    Ok(())
}

/// (object type, ids) of the records of `object_type` (of every named type when `None`)
/// that `text` names: the newest 1,000 of a type at most.
fn objects_named(
    conn: &mut PgConnection,
    object_type: Option<&str>,
    text: &str,
) -> AppResult<Vec<(String, Vec<String>)>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let mut found = Vec::new();
    for (kind, referent) in OBJECTS
        .iter()
        .filter(|(t, _)| object_type.is_none_or(|wanted| wanted == *t))
    {
        let (table, _) = referent.source();
        let ids: Vec<Id> = diesel::sql_query(format!(
            "SELECT id FROM {table} WHERE {} ORDER BY id DESC LIMIT 1000",
            referent.matching()
        ))
        .bind::<Text, _>(text)
        .load(conn)?;
        if !ids.is_empty() {
            found.push((
                (*kind).to_owned(),
                ids.iter().map(|i| i.id.to_string()).collect(),
            ));
        }
    }
    Ok(found)
}

/// The ids of one entry that name records: (`field:id` key, what it refers to, the id).
/// Fields of the record, and of the records in its lists (an order's or a shipment's
/// lines), alike.
fn references(row: &AuditRow) -> Vec<(String, Referent, i64)> {
    let mut found = Vec::new();
    if let (Some(referent), Ok(id)) = (
        Referent::of_object(&row.object_type),
        row.object_id.parse::<i64>(),
    ) {
        found.push((format!("id:{id}"), referent, id));
    }
    for record in [&row.before, &row.after].into_iter().flatten() {
        fields_references(&row.object_type, record, true, &mut found);
    }
    found
}

/// The references in `record`'s fields (`with_lines`: and in its lists of records).
fn fields_references(
    object_type: &str,
    record: &Value,
    with_lines: bool,
    found: &mut Vec<(String, Referent, i64)>,
) {
    let Value::Object(fields) = record else {
        return;
    };
    for (field, value) in fields {
        if let Value::Array(items) = value
            && with_lines
        {
            for item in items.iter().filter(|item| item.is_object()) {
                fields_references(object_type, item, false, found);
            }
        }
        // A line's own id (and parent) is not of the object's kind.
        if !with_lines && matches!(field.as_str(), "id" | "parent_id") {
            continue;
        }
        let Some(referent) = Referent::of_field(object_type, field) else {
            continue;
        };
        // An id, a list of ids, or a list of pairs led by an id.
        let ids: Vec<i64> = match value {
            Value::Number(n) => n.as_i64().into_iter().collect(),
            Value::Array(items) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Array(pair) => pair.first().and_then(Value::as_i64),
                    item => item.as_i64(),
                })
                .collect(),
            _ => Vec::new(),
        };
        found.extend(
            ids.into_iter()
                .map(|id| (format!("{field}:{id}"), referent, id)),
        );
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

/// For each of `rows`, the names of the records its ids refer to, keyed `field:id`
/// (`customer_id:5` → 华东医药有限公司; `id:9` names the entry's object), as
/// `AuditEntry.names` carries them. An id whose record no longer exists is left out.
pub fn names(
    conn: &mut PgConnection,
    rows: &[AuditRow],
) -> AppResult<Vec<HashMap<String, String>>> {
    let references: Vec<_> = rows.iter().map(references).collect();
    let mut wanted: HashMap<Referent, HashSet<i64>> = HashMap::new();
    for (_, referent, id) in references.iter().flatten() {
        wanted.entry(*referent).or_default().insert(*id);
    }
    let mut known: HashMap<(Referent, i64), String> = HashMap::new();
    for (referent, ids) in wanted {
        let (table, name) = referent.source();
        let ids: Vec<i64> = ids.into_iter().collect();
        let found: Vec<Name> = diesel::sql_query(format!(
            "SELECT id, ({name})::text AS name FROM {table} WHERE id = ANY($1)"
        ))
        .bind::<Array<BigInt>, _>(ids)
        .load(conn)?;
        known.extend(found.into_iter().map(|n| ((referent, n.id), n.name)));
    }
    Ok(references
        .into_iter()
        .map(|entry| {
            entry
                .into_iter()
                .filter_map(|(key, referent, id)| Some((key, known.get(&(referent, id))?.clone())))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(object_type: &str, object_id: &str, after: Value) -> AuditRow {
        AuditRow {
            id: 1,
            at: chrono::Utc::now(),
            user_id: None,
            username: String::new(),
            peer: String::new(),
            action: format!("{object_type}.update"),
            object_type: object_type.to_owned(),
            object_id: object_id.to_owned(),
            before: None,
            after: Some(after),
            prev_hash: Vec::new(),
            hash: Vec::new(),
        }
    }

    #[test]
    fn ids_are_found_by_field_a_parent_is_of_the_objects_kind_and_amounts_are_not_ids() {
        let refs = references(&row(
            "drug_category",
            "7",
            serde_json::json!({"id": 7, "parent_id": 3, "updated_by": 4, "version": 2}),
        ));
        assert_eq!(
            refs,
            [
                ("id:7".to_owned(), Referent::DrugCategory, 7),
                ("id:7".to_owned(), Referent::DrugCategory, 7),
                ("parent_id:3".to_owned(), Referent::DrugCategory, 3),
                ("updated_by:4".to_owned(), Referent::User, 4),
            ]
        );
        let refs = references(&row(
            "customer",
            "5",
            serde_json::json!({"sales_rep_id": 4, "type_id": 2, "credit_limit": 5, "drug_ids": [8, 9]}),
        ));
        let keys: Vec<&str> = refs.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "id:5",
                "drug_ids:8",
                "drug_ids:9",
                "sales_rep_id:4",
                "type_id:2"
            ]
        );
        assert!(references(&row("login", "", serde_json::json!({"user_id": "x"}))).is_empty());
        // A shipment's lines name their order lines; a payment's allocations their orders.
        let refs = references(&row(
            "shipment",
            "7",
            serde_json::json!({"lines": [{"id": 11, "order_line_id": 15, "quantity": 20}], "order_id": 9}),
        ));
        let keys: Vec<&str> = refs.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["id:7", "order_line_id:15", "order_id:9"]);
        let refs = references(&row(
            "payment",
            "3",
            serde_json::json!({"allocations": [[6, "914.00"], [8, "1.00"]]}),
        ));
        let keys: Vec<&str> = refs.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["id:3", "allocations:6", "allocations:8"]);
    }
}
