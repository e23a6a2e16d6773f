//! Transaction-scoped advisory locks: the one way a write that judges rows other
//! transactions may be writing at the same moment (the audit chain's last hash, a tree's
//! shape, a customer's ledger, a customer name's holder) makes those writers wait for
//! each other. Each lock is released when the transaction ends, committed or not.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use crate::error::AppResult;

/// What is locked.
#[derive(Debug, Clone, Copy)]
pub enum Lock<'a> {
    /// Appends to the audit chain: each row hashes the one before, so the chain has no
    /// forks.
    AuditChain,
    /// Department moves: two crossing moves could otherwise make a cycle.
    DepartmentMoves,
    /// Changes to the drug category tree: a move, a create under the moved subtree and a
    /// sibling renumbering must not interleave.
    DrugCategoryTree,
    /// Customer `id`'s receivables ledger: every operation that posts entries takes it
    /// first (see `ops::finance`'s locking order).
    Ledger(i64),
    /// The registration of customer name `name` (trimmed) in province `province_code` (a
    /// customer without a city clashes with the name in any city of it): the check that
    /// no active customer holds it and the insert or rename that claims it are one step
    /// (spec 2.3, one sales rep per customer).
    CustomerName {
        name: &'a str,
        province_code: &'a str,
    },
}

/// Single-key lock ids (their own key space in PostgreSQL, apart from the pairs below).
const AUDIT_CHAIN: i64 = 0x5043_524D_4155_4454; // "PCRMAUDT"
const DEPARTMENT_MOVES: i64 = 0x5043_524D_4445_5054; // "PCRMDEPT"
const DRUG_CATEGORY_TREE: i64 = 0x5043_524D_4341_5447; // "PCRMCATG"
/// The classes of two-key locks: (class, key within it).
const LEDGER: i32 = 0x4C47; // "LG"
const CUSTOMER_NAME: i32 = 0x434E; // "CN"

/// Takes `lock` for the rest of the transaction, waiting while another holds it.
/// Errors: the database's.
pub fn take(conn: &mut PgConnection, lock: Lock<'_>) -> AppResult<()> {
    let single = |conn: &mut PgConnection, key: i64| {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(key)
            .execute(conn)
    };
    match lock {
        Lock::AuditChain => single(conn, AUDIT_CHAIN)?,
        Lock::DepartmentMoves => single(conn, DEPARTMENT_MOVES)?,
        Lock::DrugCategoryTree => single(conn, DRUG_CATEGORY_TREE)?,
        Lock::Ledger(customer_id) => {
            // Customer ids stay far below 2^31; the modulo only keeps the cast total.
            let key = i32::try_from(customer_id % i64::from(i32::MAX)).unwrap_or_default();
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind::<Integer, _>(LEDGER)
                .bind::<Integer, _>(key)
                .execute(conn)?
        }
        Lock::CustomerName {
            name,
            province_code,
        } => {
            // A hash collision only makes two unrelated registrations wait for each other.
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind::<Integer, _>(CUSTOMER_NAME)
                .bind::<Text, _>(format!("{}\u{1f}{province_code}", name.trim()))
                .execute(conn)?
        }
    };
    Ok(())
}
