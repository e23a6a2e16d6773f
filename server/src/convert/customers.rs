//! CustomerService: types, profiles, search, history, and the customer's records.

use pharmacrm_shared::money::Decimal;
use pharmacrm_shared::{pb, validation};

use super::{
    DbCode, FilterCode, Update, chosen_id, date, date_text, from_timestamp, id, id_or_none, known,
    not_after_today, optional_id, page, page_start, read_version, region_filter, required_id,
    timestamp, update,
};
use crate::db::models::customer::{
    Assignment, CustomerFilter, CustomerInput, CustomerView, Found, Rep, TypeChange,
};
use crate::db::models::customer_certificate::{
    self, Certificate, CertificateFields, CertificateWindow, ScanChange, Status,
};
use crate::db::models::customer_followup::{Followup, FollowupFields};
use crate::db::models::customer_profile_record::{ProfileFields, ProfileRecord};
use crate::db::models::customer_record::RecordInput;
use crate::db::models::customer_type::{CustomerType, CustomerTypeFields};
use crate::db::sql::PageStart;
use crate::db::versioned::StatusFilter;
use crate::error::{AppError, AppResult, FieldCheck, Msg};
use crate::msg;
use crate::ops::customers::{CustomerRead, HandoverMove, RepRole};

impl From<CustomerType> for pb::CustomerType {
    fn from(t: CustomerType) -> Self {
        pb::CustomerType {
            id: t.id,
            name: t.name,
            sort_order: t.sort_order,
            is_active: t.is_active,
            version: t.version,
        }
    }
}

impl From<Rep> for pb::UserRef {
    fn from(r: Rep) -> Self {
        pb::UserRef {
            id: r.id,
            name: r.name,
            department: r.department,
            inactive: r.inactive,
        }
    }
}

/// Whom a ListReps request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepList {
    /// Everyone holding a rep role ("sales", "cs").
    Role(RepRole),
    /// Everyone who is or was a rep of the role, the departed marked ("sales_all",
    /// "cs_all").
    Ever(RepRole),
    /// Everyone responsible for a customer the caller sees ("holders").
    Holders,
    /// Everyone who may be or may have been a 经手人 ("handlers").
    Handlers,
}

/// A handover request checked whole: the leaver (`from_user_id`, checked first) and each
/// customer's move (`moves[i].customer_id` required, a rep 0 when the role is not the
/// leaver's; a negative id is bad; a customer moved twice, or a successor who is the
/// leaver, is bad on that move's field). Errors: INVALID_ARGUMENT naming every bad field,
/// or `moves` when there are none.
pub fn handover_request(r: pb::HandoverCustomersRequest) -> AppResult<(i64, Vec<HandoverMove>)> {
    let pb::HandoverCustomersRequest {
        from_user_id,
        moves,
    } = r;
    let from_user_id = id("from_user_id", from_user_id)?;
    let mut check = FieldCheck::default();
    if moves.is_empty() {
        check.fail("moves", msg!("handover.customers_required"));
    }
    // Each customer's first move, by id.
    let mut seen = std::collections::HashMap::new();
    let moves = moves
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let pb::HandoverMove {
                customer_id,
                sales_rep_id,
                cs_rep_id,
            } = m;
            let field = |name: &str| format!("moves[{i}].{name}");
            if required_id(field("customer_id"), customer_id, &mut check).is_some()
                && let Some(first) = seen.insert(customer_id, i)
            {
                check.fail(
                    field("customer_id"),
                    msg!("handover.customer_repeated", index = first),
                );
            }
            let mut successor = |name: &str, value: i64| {
                let successor = id_or_none(field(name), value, &mut check);
                if successor == Some(from_user_id) {
                    check.fail(field(name), msg!("handover.successor_is_leaver"));
                }
                successor
            };
            HandoverMove {
                customer_id,
                sales_rep_id: successor("sales_rep_id", sales_rep_id),
                cs_rep_id: successor("cs_rep_id", cs_rep_id),
            }
        })
        .collect();
    check.finish()?;
    Ok((from_user_id, moves))
}

/// An AssignCustomer request: the customer first, then its new (sales rep, CS rep), both
/// required, named together.
pub fn assignment(r: pb::AssignCustomerRequest) -> AppResult<Update<(i64, i64)>> {
    let pb::AssignCustomerRequest {
        id: customer_id,
        version,
        sales_rep_id,
        cs_rep_id,
    } = r;
    update(customer_id, version, |check| {
        required_id("sales_rep_id", sales_rep_id, check);
        required_id("cs_rep_id", cs_rep_id, check);
        Ok(Some((sales_rep_id, cs_rep_id)))
    })
}

/// A ListReps request's `role` ("sales", "cs", "sales_all", "cs_all", "holders" or
/// "handlers", spaces around ignored).
/// Errors: INVALID_ARGUMENT on `role` for anything else.
pub fn rep_list(r: pb::ListRepsRequest) -> AppResult<RepList> {
    let pb::ListRepsRequest { role } = r;
    match role.trim() {
        "sales" => Ok(RepList::Role(RepRole::Sales)),
        "cs" => Ok(RepList::Role(RepRole::Service)),
        "sales_all" => Ok(RepList::Ever(RepRole::Sales)),
        "cs_all" => Ok(RepList::Ever(RepRole::Service)),
        "holders" => Ok(RepList::Holders),
        "handlers" => Ok(RepList::Handlers),
        _ => Err(AppError::field("role", msg!("customer.rep_role_invalid"))),
    }
}

/// A customer type's name and order, validated.
pub fn customer_type_input(input: Option<pb::CustomerTypeInput>) -> AppResult<CustomerTypeFields> {
    let pb::CustomerTypeInput { name, sort_order } = input.unwrap_or_default();
    FieldCheck::default()
        .check("name", validation::required_line(&name, 20))
        .finish()?;
    Ok(CustomerTypeFields {
        name: name.trim().to_owned(),
        sort_order,
    })
}

/// A customer as GetCustomer answers: the view, its orders at work (`open_orders`,
/// `oldest_open_orders`) and, for those who may read it, its `balance` and `credit_hold`.
pub fn customer_read(read: CustomerRead) -> pb::Customer {
    let CustomerRead {
        view,
        open,
        balance,
        credit_hold,
    } = read;
    pb::Customer {
        credit_hold: credit_hold.map(|Msg { en, zh }| pb::Warning {
            field: "customer_id".into(),
            message: en,
            message_zh: zh,
        }),
        balance: balance
            .map(|b| pharmacrm_shared::money::to_wire(&b))
            .unwrap_or_default(),
        open_orders: u32::try_from(open.count).unwrap_or(u32::MAX),
        oldest_open_orders: open
            .oldest
            .into_iter()
            .map(|o| pb::OpenOrderRef {
                id: o.id,
                number: o.number,
                status: pb::OrderStatus::wire(&o.status),
                open_exceptions: u32::try_from(o.open_exceptions).unwrap_or_default(),
            })
            .collect(),
        ..view.into()
    }
}

impl From<CustomerView> for pb::Customer {
    fn from(v: CustomerView) -> Self {
        let c = v.customer;
        pb::Customer {
            id: c.id,
            name: c.name,
            contact_person: c.contact_person,
            id_number_masked: c.id_number_masked,
            phone: c.phone,
            fax: c.fax,
            postcode: c.postcode,
            province_code: c.province_code,
            city_code: c.city_code,
            region: v.region,
            address: c.address,
            business_kind: pb::BusinessKind::wire(&c.business_kind),
            type_id: c.type_id,
            type_name: v.type_name,
            drugs: v
                .drugs
                .into_iter()
                .map(|(id, label, archived)| pb::DrugRef {
                    id,
                    label,
                    archived,
                })
                .collect(),
            credit_days: c.credit_days,
            credit_limit: c
                .credit_limit
                .map(|l| pharmacrm_shared::money::to_wire(&l))
                .unwrap_or_default(),
            note: c.note,
            is_active: c.is_active,
            sales_rep: Some(pb::UserRef {
                id: c.sales_rep_id,
                name: v.sales_rep_name,
                department: String::new(),
                inactive: false,
            }),
            cs_rep: Some(pb::UserRef {
                id: c.cs_rep_id,
                name: v.cs_rep_name,
                department: String::new(),
                inactive: false,
            }),
            version: c.version,
            created_at: Some(timestamp(c.created_at)),
            created_by: v.created_by_name,
            updated_at: Some(timestamp(c.updated_at)),
            updated_by: v.updated_by_name,
            expired_certificates: v.expired_certificates,
            expiring_certificates: v.expiring_certificates,
            // Read for one customer only ([`customer_read`]).
            open_orders: 0,
            oldest_open_orders: Vec::new(),
            balance: String::new(),
            credit_hold: None,
        }
    }
}

/// What a [`customer_input`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFor {
    /// Registering a customer: the CS rep is required, the sales rep defaults to the
    /// caller.
    Registration,
    /// Editing a profile: the rep fields are ignored (reps change by AssignCustomer).
    Edit,
}

/// A customer's fields, validated: every bad field at once, named as in
/// `pb::CustomerInput` (a drug by its place in the list: `drug_ids[2]`). The drugs are
/// kept in the request's order, repeats included, so that a later check can name the one
/// that does not exist.
pub fn customer_input(
    input: Option<pb::CustomerInput>,
    today: chrono::NaiveDate,
    purpose: InputFor,
) -> AppResult<CustomerInput> {
    let pb::CustomerInput {
        name,
        contact_person,
        id_number,
        phone,
        fax,
        postcode,
        province_code,
        city_code,
        address,
        business_kind: kind,
        type_id,
        drug_ids,
        credit_days,
        note,
        sales_rep_id,
        cs_rep_id,
        clear_id_number,
        credit_limit,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_line(&name, 100))
        .check(
            "contact_person",
            validation::optional_line(&contact_person, 50),
        )
        .check("phone", validation::china_phone(&phone))
        .check("fax", validation::china_phone(&fax))
        .check("postcode", validation::postcode(&postcode))
        .check("address", validation::optional_line(&address, 200))
        .check("note", validation::optional_text(&note, 500));
    let id_number = id_number.trim().to_uppercase();
    if !id_number.is_empty() {
        let today: u32 = today.format("%Y%m%d").to_string().parse().unwrap_or(0);
        check.check(
            "id_number",
            validation::id_number(&id_number)
                .and_then(|()| validation::id_number_born_by(&id_number, today)),
        );
    }
    if let Err((field, v)) = pharmacrm_shared::region::check(province_code.trim(), city_code.trim())
    {
        check.fail(field, v.into());
    }
    let kind = pb::BusinessKind::code_of(kind);
    if kind.is_none() {
        check.fail("business_kind", msg!("customer.business_kind_required"));
    }
    chosen_id(
        "type_id",
        type_id,
        msg!("customer.type_required"),
        &mut check,
    );
    for (i, &drug) in drug_ids.iter().enumerate() {
        if drug <= 0 {
            check.fail(format!("drug_ids[{i}]"), msg!("field.not_an_id"));
        }
    }
    let (sales_rep_id, cs_rep_id) = match purpose {
        InputFor::Registration => (
            id_or_none("sales_rep_id", sales_rep_id, &mut check),
            chosen_id(
                "cs_rep_id",
                cs_rep_id,
                msg!("customer.cs_rep_required"),
                &mut check,
            ),
        ),
        InputFor::Edit => (None, None),
    };
    let (credit_days, credit_limit) = credit_terms(
        ("credit_days", credit_days),
        ("credit_limit", &credit_limit),
        &mut check,
    );
    check.finish()?;
    Ok(CustomerInput {
        name: name.trim().to_owned(),
        contact_person: contact_person.trim().to_owned(),
        id_number: (!id_number.is_empty()).then_some(id_number),
        clear_id_number,
        phone: validation::normalise_phone(&phone),
        fax: validation::normalise_phone(&fax),
        postcode: postcode.trim().to_owned(),
        province_code: province_code.trim().to_owned(),
        city_code: city_code.trim().to_owned(),
        address: address.trim().to_owned(),
        business_kind: kind.expect("checked above").to_owned(),
        type_id,
        drug_ids,
        credit_days,
        credit_limit,
        note: note.trim().to_owned(),
        sales_rep_id,
        cs_rep_id,
    })
}

/// An UpdateCustomer request.
pub fn update_customer(
    r: pb::UpdateCustomerRequest,
    today: chrono::NaiveDate,
) -> AppResult<Update<CustomerInput>> {
    let pb::UpdateCustomerRequest {
        id: customer_id,
        version,
        customer,
    } = r;
    update(customer_id, version, |check| {
        check.absorb(
            customer_input(customer, today, InputFor::Edit).map_err(|e| e.within("customer")),
        )
    })
}

/// A customer search as (filter, where the page starts, page size); the ID number becomes
/// its keyed hash.
pub fn search_customers(
    r: pb::SearchCustomersRequest,
    key: &crate::crypto::DataKey,
) -> AppResult<(CustomerFilter, PageStart, i64)> {
    let pb::SearchCustomersRequest {
        query,
        province_code,
        city_code,
        business_kind: kind,
        type_id,
        sales_rep_id,
        cs_rep_id,
        id_number,
        page: page_request,
        has_expiring_certificates,
        after,
        status,
    } = r;
    let id_number = id_number.trim().to_uppercase();
    let mut check = FieldCheck::default();
    check.check(
        "query",
        validation::optional_line(&query, validation::SEARCH_TEXT_MAX),
    );
    check.check(
        "id_number",
        validation::optional_line(&id_number, validation::SEARCH_TEXT_MAX),
    );
    let status = match known("status", status, &mut check) {
        pb::CustomerStatusFilter::Active => StatusFilter::Active,
        pb::CustomerStatusFilter::Archived => StatusFilter::Archived,
        pb::CustomerStatusFilter::All => StatusFilter::All,
    };
    let (province_code, city_code) = region_filter(&province_code, &city_code, &mut check);
    let business_kind = pb::BusinessKind::filter_code("business_kind", kind, &mut check);
    let type_id = optional_id("type_id", type_id, &mut check);
    let sales_rep_id = optional_id("sales_rep_id", sales_rep_id, &mut check);
    let cs_rep_id = optional_id("cs_rep_id", cs_rep_id, &mut check);
    let (offset, limit) = page(page_request);
    let start = check.absorb(page_start(&after, offset))?;
    check.finish()?;
    let start = start.expect("checked above");
    Ok((
        CustomerFilter {
            query,
            province_code,
            city_code,
            business_kind: business_kind.map(str::to_owned),
            type_id,
            sales_rep_id,
            cs_rep_id,
            id_number_hash: (!id_number.is_empty()).then(|| key.search_hash(&id_number)),
            has_expiring_certificates,
            status,
        },
        start,
        limit,
    ))
}

/// A page of customers as sent.
pub fn customer_page(found: Found) -> pb::SearchCustomersResponse {
    pb::SearchCustomersResponse {
        customers: found.rows.into_iter().map(Into::into).collect(),
        total: u64::try_from(found.total).unwrap_or(0),
        total_is_exact: found.total_is_exact,
        next_page: found.next.map(|c| c.encode()).unwrap_or_default(),
    }
}

impl From<TypeChange> for pb::TypeChange {
    fn from(c: TypeChange) -> Self {
        pb::TypeChange {
            from_type: c.from_type,
            to_type: c.to_type,
            reason: c.reason,
            changed_by: c.changed_by,
            changed_at: Some(timestamp(c.changed_at)),
        }
    }
}

impl From<Assignment> for pb::Assignment {
    fn from(a: Assignment) -> Self {
        pb::Assignment {
            role: a.role,
            user: Some(pb::UserRef {
                id: a.user_id,
                name: a.user_name,
                department: String::new(),
                inactive: false,
            }),
            effective_from: Some(timestamp(a.effective_from)),
            effective_to: a.effective_to.map(timestamp),
            assigned_by: a.assigned_by,
            source: a.source,
        }
    }
}

/// A personal record, validated: a start after `today` (the business day) is refused, as is
/// an end before the start.
pub fn profile_input(
    r: pb::ProfileRecord,
    today: chrono::NaiveDate,
) -> AppResult<RecordInput<ProfileFields>> {
    let pb::ProfileRecord {
        id: record_id,
        customer_id,
        version,
        kind,
        title,
        detail,
        date_from,
        date_to,
        updated_by: _,
        person: _,
    } = r;
    let mut check = FieldCheck::default();
    if record_id > 0 {
        // An edit: the version read.
        read_version("version", version, &mut check);
    }
    if !["preference", "family", "work", "education"].contains(&kind.as_str()) {
        check.fail("kind", msg!("record.kind_invalid"));
    }
    check
        .check("title", validation::required_line(&title, 100))
        .check("detail", validation::optional_text(&detail, 1000));
    let from = date("date_from", &date_from, &mut check);
    let to = date("date_to", &date_to, &mut check);
    not_after_today("date_from", from, today, &mut check);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        check.fail("date_to", msg!("record.ends_before_start"));
    }
    check.finish()?;
    Ok(RecordInput {
        id: record_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        fields: ProfileFields {
            kind,
            title: title.trim().to_owned(),
            detail: detail.trim().to_owned(),
            date_from: from,
            date_to: to,
        },
    })
}

/// A personal record as sent, with who last changed it.
pub fn profile_record(r: ProfileRecord, updated_by: String) -> pb::ProfileRecord {
    pb::ProfileRecord {
        id: r.id,
        customer_id: r.customer_id,
        version: r.version,
        kind: r.kind,
        title: r.title,
        detail: r.detail,
        date_from: date_text(r.date_from),
        date_to: date_text(r.date_to),
        updated_by,
        person: r.person,
    }
}

/// A follow-up, validated; a new one's next date (`next_on`) is not before `today` (the
/// business date: an appointment already missed is not one to make). Errors:
/// INVALID_ARGUMENT naming every bad field.
pub fn followup_input(
    r: pb::Followup,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<RecordInput<FollowupFields>> {
    let pb::Followup {
        id: followup_id,
        customer_id,
        version,
        happened_at,
        method,
        content,
        result,
        next_on,
        created_by: _,
        may_change: _,
    } = r;
    let mut check = FieldCheck::default();
    if followup_id > 0 {
        // An edit: the version read.
        read_version("version", version, &mut check);
    }
    let method = pb::FollowupMethod::code_of(method);
    if method.is_none() {
        check.fail("method", msg!("followup.method_required"));
    }
    check
        .check("content", validation::required_text(&content, 1000))
        .check("result", validation::optional_text(&result, 500));
    let next_on = date("next_on", &next_on, &mut check);
    if followup_id <= 0 && next_on.is_some_and(|d| d < today) {
        check.fail("next_on", msg!("followup.next_in_past"));
    }
    let happened_at = match happened_at.map(|t| from_timestamp("happened_at", t)) {
        // A visit recorded the day after is dated when it happened; one to come is
        // planned (`next_on`), not recorded. A few minutes' leeway for a client's clock.
        Some(Ok(t)) if t > now + chrono::Duration::minutes(5) => {
            check.fail("happened_at", msg!("followup.time_in_future"));
            None
        }
        Some(Ok(t)) => Some(t),
        _ => {
            check.fail("happened_at", msg!("followup.time_required"));
            None
        }
    };
    check.finish()?;
    Ok(RecordInput {
        id: followup_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        fields: FollowupFields {
            happened_at: happened_at.expect("checked above"),
            method: method.expect("checked above").to_owned(),
            content: content.trim().to_owned(),
            result: result.trim().to_owned(),
            next_on,
        },
    })
}

/// A follow-up as sent, with who recorded it and whether the caller may change it
/// ([`crate::access::may_change_authored`]).
pub fn followup(f: Followup, created_by: String, may_change: bool) -> pb::Followup {
    pb::Followup {
        id: f.id,
        customer_id: f.customer_id,
        version: f.version,
        happened_at: Some(timestamp(f.happened_at)),
        method: pb::FollowupMethod::wire(&f.method),
        content: f.content,
        result: f.result,
        next_on: date_text(f.next_on),
        created_by,
        may_change,
    }
}

/// A certificate and the change to its scan, validated: an issue date after `today` (the
/// business day) is refused (`issued_on`), as is an expiry before the issue date, or none
/// on a licence ([`customer_certificate::LICENCES`]).
pub fn certificate_input(
    r: pb::SaveCertificateRequest,
    today: chrono::NaiveDate,
) -> AppResult<(RecordInput<CertificateFields>, ScanChange)> {
    let pb::SaveCertificateRequest {
        certificate,
        scan,
        replace_scan,
    } = r;
    let pb::Certificate {
        id: certificate_id,
        customer_id,
        version,
        kind,
        number,
        authority,
        issued_on,
        expires_on,
        has_scan: _,
        scan_name,
        scan_type: _,
        status: _,
    } = certificate.unwrap_or_default();
    let mut check = FieldCheck::default();
    if certificate_id > 0 {
        // An edit: the version read.
        read_version("version", version, &mut check);
    }
    let kind = pb::CertificateKind::code_of(kind);
    if kind.is_none() {
        check.fail("kind", msg!("certificate.kind_required"));
    }
    // A business licence's number is the holder's unified social credit code (GB
    // 32100-2015, on every licence since 2015): its check character catches a mistyped
    // one. Kept in upper case, as printed.
    let number = if kind == Some("business") {
        number.trim().to_uppercase()
    } else {
        number
    };
    check.check("number", validation::required_line(&number, 100));
    if kind == Some("business") && !number.is_empty() {
        check.check("number", validation::credit_code(&number));
    }
    check.check("authority", validation::optional_line(&authority, 100));
    let issued = date("issued_on", &issued_on, &mut check);
    let expires = date("expires_on", &expires_on, &mut check);
    not_after_today("issued_on", issued, today, &mut check);
    if let (Some(i), Some(e)) = (issued, expires)
        && e < i
    {
        check.fail("expires_on", msg!("certificate.expires_before_issue"));
    }
    // A licence without an expiry would count as valid for ever, and stand in for an
    // expired copy of its kind.
    if expires.is_none()
        && expires_on.trim().is_empty()
        && kind.is_some_and(|k| customer_certificate::LICENCES.contains(&k))
    {
        check.fail("expires_on", msg!("certificate.licence_expiry_required"));
    }
    if replace_scan && !scan.is_empty() {
        if scan.len() > customer_certificate::MAX_SCAN_BYTES {
            check.fail(
                "scan",
                msg!(
                    "field.too_large",
                    mb = customer_certificate::MAX_SCAN_BYTES / (1024 * 1024)
                ),
            );
        } else if customer_certificate::media_type(&scan).is_empty() {
            check.fail("scan", msg!("certificate.scan_type"));
        }
    }
    check.finish()?;
    let input = RecordInput {
        id: certificate_id.max(0),
        customer_id: id("customer_id", customer_id)?,
        version,
        fields: CertificateFields {
            kind: kind.expect("checked above").to_owned(),
            number: number.trim().to_owned(),
            authority: authority.trim().to_owned(),
            issued_on: issued,
            expires_on: expires,
        },
    };
    let scan =
        replace_scan.then(|| (!scan.is_empty()).then(|| (scan, scan_name.trim().to_owned())));
    Ok((input, scan))
}

/// A certificate as sent, with its status on the window's day.
pub fn certificate(c: Certificate, window: CertificateWindow) -> pb::Certificate {
    let status = match window.status(c.expires_on) {
        Status::Valid => pb::CertificateStatus::Valid,
        Status::Expiring => pb::CertificateStatus::Expiring,
        Status::Expired => pb::CertificateStatus::Expired,
    };
    pb::Certificate {
        id: c.id,
        customer_id: c.customer_id,
        version: c.version,
        kind: pb::CertificateKind::wire(&c.kind),
        number: c.number,
        authority: c.authority,
        issued_on: date_text(c.issued_on),
        expires_on: date_text(c.expires_on),
        has_scan: c.has_scan,
        scan_name: c.scan_name,
        scan_type: c.scan_type,
        status: status as i32,
    }
}

/// Credit terms as sent: 账期 `days` (0–3650) and a credit `limit` in CNY (empty: none),
/// each refused in `check` on its field (`fields`: the days' and the limit's names).
/// Returns them as stored (days 0 where refused).
pub fn credit_terms(
    (days_field, days): (&'static str, i32),
    (limit_field, limit): (&'static str, &str),
    check: &mut FieldCheck,
) -> (i32, Option<Decimal>) {
    if !(0..=3650).contains(&days) {
        check.fail(days_field, msg!("customer.credit_days_range"));
    }
    let limit = if limit.trim().is_empty() {
        None
    } else {
        match pharmacrm_shared::money::parse_amount(limit) {
            Ok(limit) => Some(limit),
            Err(v) => {
                check.fail(limit_field, v.into());
                None
            }
        }
    };
    (days, limit)
}
