//! One file per table: the read model, the insert model, and the queries on that table.
//! Every function takes a `&mut PgConnection` so the caller decides the transaction.

pub mod audit_log;
pub mod company_settings;
pub mod container_unit;
pub mod customer;
pub mod customer_certificate;
pub mod customer_followup;
pub mod customer_profile_record;
pub mod customer_record;
pub mod customer_type;
pub mod department;
pub mod document_counter;
pub mod drug;
pub mod drug_category;
pub mod invoice;
pub mod invoicing_entity;
pub mod ledger;
pub mod login_throttle;
pub mod order;
pub mod payment;
pub mod position;
pub mod request_id;
pub mod session;
pub mod shipment;
pub mod transport_exception;
pub mod user;
pub mod write_off;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use pharmacrm_shared::{DataScope, Permission};

use crate::db::schema::users;
use crate::error::{AppError, AppResult, Msg};
use crate::messages::per_lang;
use crate::msg;

/// Who does something, for `updated_by` and the audit log.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The user; `None` for the system itself (seeding, migrations).
    pub user_id: Option<i64>,
    /// Their username (for a failed login: the name that was tried).
    pub username: String,
    /// Their network address.
    pub peer: String,
}

impl Actor {
    /// The server itself.
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            username: "system".to_owned(),
            peer: String::new(),
        }
    }
}

/// What a user may do: the union of their positions' permissions, each with the data
/// scope it comes with — the widest among the positions granting it (spec §3
/// "Permissions": a position sets which records *its* permissions reach, so a catalogue
/// position seeing all records does not widen a sales rep's own customers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// The permissions.
    pub permissions: BTreeSet<Permission>,
    /// The scope of each of `permissions`.
    pub scopes: BTreeMap<Permission, DataScope>,
}

impl Grants {
    /// Everything (the server itself, when seeding).
    pub fn all() -> Grants {
        Grants::of(Permission::ALL.iter().copied(), DataScope::All)
    }

    /// `permissions`, each with `scope` (what one position grants).
    pub fn of(permissions: impl IntoIterator<Item = Permission>, scope: DataScope) -> Grants {
        let mut grants = Grants::default();
        for p in permissions {
            grants.add(p, scope);
        }
        grants
    }

    /// Adds `permission` with `scope`, keeping the wider scope when it is held already.
    pub fn add(&mut self, permission: Permission, scope: DataScope) {
        self.permissions.insert(permission);
        let held = self.scopes.entry(permission).or_insert(scope);
        *held = (*held).max(scope);
    }

    /// The data scope a call needing one of `needed` works in: the widest that comes with
    /// those of them held; with `needed` empty (the caller's own account), the widest
    /// held. `None` when none is held (such a caller sees only their own records).
    pub fn scope_for(&self, needed: &[Permission]) -> Option<DataScope> {
        if needed.is_empty() {
            return self.scopes.values().copied().max();
        }
        needed
            .iter()
            .filter_map(|p| self.scopes.get(p).copied())
            .max()
    }

    /// Refuses when `other` holds a permission or a scope `self` does not: nobody grants,
    /// or acts on someone holding, more than they hold themselves.
    /// `what` names the act, e.g. `msg!("user.manage_this")`.
    pub fn require_covers(&self, other: &Grants, what: Msg) -> AppResult<()> {
        let missing: Vec<Permission> = other
            .permissions
            .difference(&self.permissions)
            .copied()
            .collect();
        let wider = other
            .scopes
            .iter()
            .any(|(p, scope)| self.scopes.get(p).is_none_or(|mine| scope > mine));
        if missing.is_empty() && !wider {
            return Ok(());
        }
        // Permissions by code in English, by label in Chinese (as `access` names them).
        let detail = if missing.is_empty() {
            per_lang("a wider data scope", "更大的数据范围")
        } else {
            let (en, zh): (Vec<&str>, Vec<&str>) =
                missing.iter().map(|p| (p.code(), p.label_zh())).unzip();
            per_lang(en.join(", "), zh.join("、"))
        };
        Err(AppError::PermissionDenied(msg!(
            "grants.exceeded",
            what = what,
            detail = detail
        )))
    }
}

/// What every write needs besides its connection: who acts, what they hold, and the
/// audit key.
#[derive(Clone, Copy)]
pub struct WriteCtx<'a> {
    /// Who makes the change.
    pub actor: &'a Actor,
    /// What the actor holds (checked when they grant permissions to others).
    pub grants: &'a Grants,
    /// The audit chain's key.
    pub audit_key: &'a audit_log::AuditKey,
    /// When the audit log says the change was made: now, unless [`WriteCtx::entered_at`]
    /// dates it.
    at: Option<DateTime<Utc>>,
}

impl<'a> WriteCtx<'a> {
    /// `actor`, holding `grants`, writing now.
    pub fn new(actor: &'a Actor, grants: &'a Grants, audit_key: &'a audit_log::AuditKey) -> Self {
        WriteCtx {
            actor,
            grants,
            audit_key,
            at: None,
        }
    }

    /// The same writer, its changes recorded as made `at` (UTC): the demo's history,
    /// entered on its business dates rather than when the demo was seeded.
    pub fn entered_at(self, at: DateTime<Utc>) -> Self {
        WriteCtx {
            at: Some(at),
            ..self
        }
    }

    /// Records `event` in the audit log (inside the caller's transaction).
    pub fn audit(&self, conn: &mut PgConnection, event: audit_log::Event<'_>) -> AppResult<()> {
        audit_log::record(conn, self.audit_key, self.actor, self.at, event)
    }

    /// Records a change of `object_type` `id` from `before` to `after`.
    pub fn audit_change<T: serde::Serialize>(
        &self,
        conn: &mut PgConnection,
        action: &str,
        object_type: &str,
        id: i64,
        before: Option<&T>,
        after: Option<&T>,
    ) -> AppResult<()> {
        let json = |v: Option<&T>| -> AppResult<Option<serde_json::Value>> {
            v.map(serde_json::to_value)
                .transpose()
                .map_err(|e| AppError::Internal(e.into()))
        };
        self.audit(
            conn,
            audit_log::Event {
                action,
                object_type,
                object_id: id.to_string(),
                before: json(before)?,
                after: json(after)?,
            },
        )
    }
}

/// The display names of `ids`, for the "created by"/"changed by" of listed records.
pub fn display_names(
    conn: &mut PgConnection,
    ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// [`display_names`] of `ids`, and those of them whose accounts are disabled (people who
/// left), in one query: for the "（已停用）" the client puts after their names where
/// records keep them (an order's reps, a payment's handler).
pub fn display_names_and_departed(
    conn: &mut PgConnection,
    ids: &[i64],
) -> AppResult<(
    std::collections::HashMap<i64, String>,
    std::collections::HashSet<i64>,
)> {
    let mut names = std::collections::HashMap::new();
    let mut departed = std::collections::HashSet::new();
    for (id, name, active) in users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::is_active))
        .load::<(i64, String, bool)>(conn)?
    {
        names.insert(id, name);
        if !active {
            departed.insert(id);
        }
    }
    Ok((names, departed))
}

/// The display name of a user id, for "changed by" texts; empty for none (the system
/// itself: seeding, migrations), which the client says in its own language (系统 /
/// System) and an error message through `error.changed_by_system`.
pub fn display_name_of(conn: &mut PgConnection, user_id: Option<i64>) -> AppResult<String> {
    match user_id {
        None => Ok(String::new()),
        Some(id) => Ok(users::table
            .find(id)
            .select(users::display_name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_else(|| format!("#{id}"))),
    }
}

/// Maps a unique violation on `constraint` to ALREADY_EXISTS on `field`, saying `msg`.
pub fn unique_violation(
    err: diesel::result::Error,
    constraint: &str,
    field: &'static str,
    msg: Msg,
) -> AppError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(constraint) =>
        {
            AppError::AlreadyExists {
                field: field.into(),
                msg,
            }
        }
        _ => err.into(),
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}
