//! `request_ids`: the request IDs (AIP-155) callers give the requests that create a record
//! (CreateOrder, RecordPayment, RecordInvoice, WriteOffReceivable), so that a request sent
//! again because its answer never came (a timeout, a dropped connection, a second press)
//! is answered with the record the first created rather than create another.
//!
//! A create looks its ID up ([`earlier`]) under the lock that serialises it with its retry
//! (the customer's ledger, [`crate::db::lock::Lock::Ledger`]), and records it
//! ([`record`]) in the transaction that creates the record: a retry racing the first
//! waits for it, then finds what it created.

use diesel::prelude::*;
use prost::Message;
use sha2::Digest;

use super::unique_violation;
use crate::db::models::invoice::{self, Invoice};
use crate::db::schema::request_ids;
use crate::db::versioned::Versioned;
use crate::error::{AppError, AppResult, Msg};
use crate::msg;

/// A record a request creates: what [`earlier`] answers a retry with.
pub trait Created: Sized {
    /// The audit log's object type (`order`, `payment`, `invoice`).
    const OBJECT: &'static str;
    /// The record's id.
    fn id(&self) -> i64;
    /// Reads the record, locked where it can change; NOT_FOUND when there is none.
    fn lock(conn: &mut PgConnection, id: i64) -> AppResult<Self>;
}

impl<T: Versioned> Created for T {
    const OBJECT: &'static str = <T as Versioned>::OBJECT;

    fn id(&self) -> i64 {
        Versioned::id(self)
    }

    fn lock(conn: &mut PgConnection, id: i64) -> AppResult<Self> {
        <T as Versioned>::lock(conn, id)
    }
}

/// An invoice never changes once recorded (a red invoice reverses it): read, not locked.
impl Created for Invoice {
    const OBJECT: &'static str = Invoice::OBJECT;

    fn id(&self) -> i64 {
        self.id
    }

    fn lock(conn: &mut PgConnection, id: i64) -> AppResult<Self> {
        invoice::get(conn, id)
    }
}

/// A request ID as the caller chose it, with the SHA-256 fingerprint of the request it
/// came with (the request without its ID, its amounts written alike: see
/// [`same_amount`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestId {
    pub id: String,
    pub fingerprint: Vec<u8>,
}

impl RequestId {
    /// `id` (trimmed; `None` when empty) for `request`, fingerprinted as `bare` makes it:
    /// without the ID, its amounts written alike ([`same_amount`]).
    pub fn of<M: Message + Clone>(
        id: &str,
        request: &M,
        bare: impl FnOnce(&mut M),
    ) -> Option<RequestId> {
        let id = id.trim();
        if id.is_empty() {
            return None;
        }
        let mut fingerprinted = request.clone();
        bare(&mut fingerprinted);
        Some(RequestId {
            id: id.to_owned(),
            fingerprint: sha2::Sha256::digest(fingerprinted.encode_to_vec()).to_vec(),
        })
    }
}

/// Writes amount `text` as its value (`12.8`, `12.80` and `１２.８` are the same price):
/// a retry whose client formats its amounts anew is the same request (common.proto:
/// amounts are compared as values). Text that is not an amount is left as sent (the
/// request is refused for it anyway).
pub fn same_amount(text: &mut String) {
    if let Ok(value) = pharmacrm_shared::money::parse_price(text) {
        *text = value.normalize().to_string();
    }
}

/// The record of kind `T` (an order, a payment, an invoice) that `user_id`'s request
/// `request` created, if this request was sent before with its ID: a retry is answered
/// with it.
/// ALREADY_EXISTS on `request_id` when the ID came with another request, naming its
/// record as `used` says it (its number), or created a record of another kind. `None`
/// without an ID, or for the system itself.
pub fn earlier<T: Created>(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    request: Option<&RequestId>,
    used: impl FnOnce(&T) -> Msg,
) -> AppResult<Option<T>> {
    let (Some(user_id), Some(request)) = (user_id, request) else {
        return Ok(None);
    };
    let earlier: Option<(Vec<u8>, String, i64)> = request_ids::table
        .find((user_id, &request.id))
        .select((
            request_ids::fingerprint,
            request_ids::object_type,
            request_ids::object_id,
        ))
        .first(conn)
        .optional()?;
    let Some((fingerprint, kind, id)) = earlier else {
        return Ok(None);
    };
    if kind != T::OBJECT {
        return Err(in_use());
    }
    let record = T::lock(conn, id)?;
    if fingerprint != request.fingerprint {
        return Err(AppError::AlreadyExists {
            field: "request_id".into(),
            msg: used(&record),
        });
    }
    Ok(Some(record))
}

/// Records that `user_id`'s request `request`, if it has an ID, created `record`.
/// ALREADY_EXISTS on `request_id` when another request with the ID, which this one's lock
/// did not wait for, got there first.
pub fn record<T: Created>(
    conn: &mut PgConnection,
    user_id: Option<i64>,
    request: Option<&RequestId>,
    record: &T,
) -> AppResult<()> {
    let (Some(user_id), Some(request)) = (user_id, request) else {
        return Ok(());
    };
    diesel::insert_into(request_ids::table)
        .values((
            request_ids::user_id.eq(user_id),
            request_ids::request_id.eq(&request.id),
            request_ids::fingerprint.eq(&request.fingerprint),
            request_ids::object_type.eq(T::OBJECT),
            request_ids::object_id.eq(record.id()),
        ))
        .execute(conn)
        .map_err(|e| {
            unique_violation(
                e,
                "request_ids_pkey",
                "request_id",
                msg!("field.request_id_in_use"),
            )
        })?;
    Ok(())
}

/// The ID was used by another request (of another kind, or at this moment).
fn in_use() -> AppError {
    AppError::AlreadyExists {
        field: "request_id".into(),
        msg: msg!("field.request_id_in_use"),
    }
}
