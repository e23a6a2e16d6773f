//! The server's one error type and its one mapping to `tonic::Status`.
//!
//! Rules (every handler and every database function follows them):
//! - a record that does not exist, or that the caller's data scope hides → `NOT_FOUND`;
//! - a field the caller got wrong → `INVALID_ARGUMENT` with a `google.rpc.BadRequest`
//!   detail naming each field (and a zh-CN message per field);
//! - a unique value already taken → `ALREADY_EXISTS`, naming the field;
//! - a rule of the business (archive a department that still has users) →
//!   `FAILED_PRECONDITION` with a sentence the user can act on, and a `BadRequest` naming
//!   the field when the rule refuses one field's value (an amount above what is open, a
//!   date in a reconciled period: [`AppError::at`]);
//! - an update carrying a stale `version` → `ABORTED`, saying who changed it and when (in the
//!   business time zone, with its UTC offset);
//! - a transaction that crossed another (serialization failure), still failing after the
//!   server's own retries → `ABORTED` ("try again");
//! - the database unreachable → `UNAVAILABLE` at once (retry; the server reconnects);
//! - too much at once (more concurrent logins than the hashing queue holds) →
//!   `RESOURCE_EXHAUSTED`, at once;
//! - no or bad token → `UNAUTHENTICATED`; a missing permission → `PERMISSION_DENIED`;
//! - a method the server does not have → `UNIMPLEMENTED`;
//! - anything else → `INTERNAL`: logged with an id, and only the id goes to the client.
//!
//! Every user-facing text exists in English (the status message, for other services and
//! grpcurl) and Chinese (a `google.rpc.LocalizedMessage` detail, for the desktop client),
//! and is written once, in the tables of `crate::messages`: code builds a [`Msg`] with
//! `msg!("key", …)`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pharmacrm_shared::validation::Violation;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, LocalizedMessage, StatusExt};

use crate::msg;

/// A sentence for the user, in English and Chinese. Built from the message tables with
/// [`msg!`](crate::msg); it has no `Display`, as it reads differently per language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh: String,
}

impl From<Violation> for Msg {
    fn from(v: Violation) -> Self {
        Msg { en: v.en, zh: v.zh }
    }
}

/// One bad field of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The proto field name, e.g. `name`, `position_ids`, or a path into a repeated field
    /// such as `lines[1].quantity`.
    pub field: Cow<'static, str>,
    /// Why it is refused.
    pub msg: Msg,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The whole sentence, e.g. `msg!("customer.not_found")`.
    #[error("not found: {0:?}")]
    NotFound(Msg),
    #[error("invalid fields: {0:?}")]
    InvalidArgument(Vec<FieldError>),
    /// A request malformed as a whole, not in one field (INVALID_ARGUMENT naming none).
    #[error("invalid request: {0:?}")]
    InvalidRequest(Msg),
    #[error("already exists: {field}")]
    AlreadyExists { field: Cow<'static, str>, msg: Msg },
    #[error("failed precondition: {0:?}")]
    FailedPrecondition(Msg),
    /// A business rule refusing the value of one field (an amount above what is open on
    /// an order, a date in a reconciled period): FAILED_PRECONDITION with a
    /// `google.rpc.BadRequest` naming the field, so a form shows it there. See
    /// [`AppError::at`].
    #[error("failed precondition at {field}: {msg:?}")]
    FailedPreconditionAt { field: Cow<'static, str>, msg: Msg },
    /// `zone`, the business time zone the message gives the time in (UTC until
    /// [`AppError::in_zone`] sets it, as [`crate::state::AppState::write`] does).
    #[error("stale version: changed by {by} at {at}")]
    Conflict {
        by: String,
        at: DateTime<Utc>,
        zone: Option<Tz>,
    },
    #[error("unauthenticated: {0:?}")]
    Unauthenticated(Msg),
    /// `zone` as in [`AppError::Conflict`].
    #[error("login locked until {until}")]
    LoginLocked {
        until: DateTime<Utc>,
        zone: Option<Tz>,
    },
    #[error("permission denied: {0:?}")]
    PermissionDenied(Msg),
    #[error("unavailable: {0:?}")]
    Unavailable(Msg),
    /// Too much at once (a login storm): try again in a moment (RESOURCE_EXHAUSTED).
    #[error("exhausted: {0:?}")]
    Exhausted(Msg),
    /// A method this server does not have (a client built from newer protos):
    /// UNIMPLEMENTED.
    #[error("unimplemented: {0:?}")]
    Unimplemented(Msg),
    /// The transaction crossed another and may succeed when run again (ABORTED).
    #[error("retry: {0:?}")]
    Retry(Msg),
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// The result of everything below the gRPC handlers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One bad field: `AppError::field("name", msg!("field.required"))`.
    pub fn field(field: impl Into<Cow<'static, str>>, msg: impl Into<Msg>) -> Self {
        AppError::InvalidArgument(vec![FieldError {
            field: field.into(),
            msg: msg.into(),
        }])
    }

    /// The same error about a message nested in the request at `prefix`: each bad field,
    /// the field a business rule refused, or the value already taken, is named from the
    /// request's top (`date_to` → `drug_sales.date_to`, `name` → `drug.name`). Other errors
    /// are returned as they are.
    pub fn within(self, prefix: &str) -> Self {
        self.within_but(prefix, None)
    }

    /// [`AppError::within`] for the errors of an update (`UpdateDrugRequest`: `id`,
    /// `version`, and the input at `prefix`): the request's own `version`, refused as
    /// ahead of the record's or missing, stays named at the top, not inside the input
    /// (which has no such field).
    pub fn within_update(self, prefix: &str) -> Self {
        self.within_but(prefix, Some("version"))
    }

    /// [`AppError::within`], but a bad field named `top` is left as it is.
    fn within_but(self, prefix: &str, top: Option<&str>) -> Self {
        match self {
            AppError::InvalidArgument(fields) => AppError::InvalidArgument(
                fields
                    .into_iter()
                    .map(|f| FieldError {
                        field: if Some(&*f.field) == top {
                            f.field
                        } else {
                            format!("{prefix}.{}", f.field).into()
                        },
                        msg: f.msg,
                    })
                    .collect(),
            ),
            AppError::FailedPreconditionAt { field, msg } => AppError::FailedPreconditionAt {
                field: format!("{prefix}.{field}").into(),
                msg,
            },
            AppError::AlreadyExists { field, msg } => AppError::AlreadyExists {
                field: format!("{prefix}.{field}").into(),
                msg,
            },
            other => other,
        }
    }

    /// A record that does not exist (or is outside the caller's scope):
    /// `AppError::not_found(msg!("customer.not_found"))`.
    pub fn not_found(msg: Msg) -> Self {
        AppError::NotFound(msg)
    }

    /// A business rule refusal: `AppError::precondition(msg!("drug.in_use", name = …))`.
    pub fn precondition(msg: Msg) -> Self {
        AppError::FailedPrecondition(msg)
    }

    /// The same error, a business rule refusal being about the value of request field
    /// `field` (e.g. `payment_date`); any other error as it is.
    pub fn at(self, field: impl Into<Cow<'static, str>>) -> Self {
        match self {
            AppError::FailedPrecondition(msg) => AppError::FailedPreconditionAt {
                field: field.into(),
                msg,
            },
            other => other,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found(msg!("error.record_not_found")),
            // The server went away (killed, restarted): the pool drops the connection.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | Error::BrokenTransactionManager => {
                AppError::Unavailable(msg!("error.database_unavailable"))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::Retry(msg!("error.retry"))
            }
            // PostgreSQL text cannot hold U+0000: a string of the request carried one.
            Error::DatabaseError(_, info)
                if info.message().starts_with("invalid byte sequence")
                    && info.message().ends_with("0x00") =>
            {
                AppError::InvalidRequest(msg!("error.nul_character"))
            }
            // A sum past what an amount column holds (NUMERIC(14, 2)): a request's amount
            // is within it, but a balance or total it adds to would not be.
            Error::DatabaseError(_, info) if info.message() == "numeric field overflow" => {
                AppError::precondition(msg!("error.amount_overflow"))
            }
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<r2d2_error::PoolError> for AppError {
    fn from(e: r2d2_error::PoolError) -> Self {
        // No connection within the pool's timeout: the database is not answering.
        tracing::warn!(error = %e, "no database connection");
        AppError::Unavailable(msg!("error.database_unavailable"))
    }
}

/// Re-export so the `From` impl above reads plainly.
mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}

fn localized(msg: &Msg) -> LocalizedMessage {
    LocalizedMessage::new("zh-CN", msg.zh.clone())
}

fn status(code: Code, msg: &Msg) -> Status {
    Status::with_error_details(
        code,
        msg.en.clone(),
        ErrorDetails::with_localized_message("zh-CN", msg.zh.clone()),
    )
}

/// A status `code` whose message is `msg` and whose `google.rpc.BadRequest` names `field`
/// with `reason` (the code's name).
fn field_status(code: Code, reason: &str, field: String, msg: Msg) -> Status {
    let mut details = ErrorDetails::with_bad_request(vec![FieldViolation {
        field,
        description: msg.en.clone(),
        reason: reason.to_owned(),
        localized_message: Some(localized(&msg)),
    }]);
    details.set_localized_message("zh-CN", msg.zh.clone());
    Status::with_error_details(code, msg.en, details)
}

/// `at` as `format` in `zone` with its UTC offset ("2026-12-03 15:16 +08:00"), or in UTC
/// ("… UTC") when no zone was set.
fn local_time(at: DateTime<Utc>, zone: Option<Tz>, format: &str) -> String {
    match zone {
        Some(zone) => at
            .with_timezone(&zone)
            .format(&format!("{format} %:z"))
            .to_string(),
        None => at.format(&format!("{format} UTC")).to_string(),
    }
}

impl AppError {
    /// Gives the times a message states (who changed a record when, until when a login is
    /// locked) in `zone`, the business time zone, unless one is set already.
    #[must_use]
    pub fn in_zone(self, zone: Tz) -> AppError {
        match self {
            AppError::Conflict { by, at, zone: None } => AppError::Conflict {
                by,
                at,
                zone: Some(zone),
            },
            AppError::LoginLocked { until, zone: None } => AppError::LoginLocked {
                until,
                zone: Some(zone),
            },
            other => other,
        }
    }
}

/// The most field violations one INVALID_ARGUMENT carries in its `BadRequest` (a form
/// shows them under their fields; the rest come back once these are mended).
pub const MAX_VIOLATIONS: usize = 20;
/// The most of them its message (English and the zh-CN summary) restates, before "and
/// n more".
const MAX_SAID: usize = 5;

impl From<AppError> for Status {
    fn from(e: AppError) -> Status {
        match e {
            AppError::NotFound(msg) => status(Code::NotFound, &msg),
            AppError::InvalidArgument(mut fields) => {
                // The details travel in HTTP/2 trailers, which gRPC clients cap (8 KiB in
                // grpc-java, 16 KiB in grpc-core): an order with fifty bad lines names
                // the first ones, and says how many more.
                let total = fields.len();
                fields.truncate(MAX_VIOLATIONS);
                let said = fields.len().min(MAX_SAID);
                let more = (total > said).then(|| msg!("error.more_fields", n = total - said));
                let mut en = fields[..said]
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.msg.en))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut zh = fields[..said]
                    .iter()
                    .map(|f| format!("{}：{}", f.field, f.msg.zh))
                    .collect::<Vec<_>>()
                    .join("；");
                if let Some(more) = more {
                    en = format!("{en}; {}", more.en);
                    zh = format!("{zh}；{}", more.zh);
                }
                let violations: Vec<FieldViolation> = fields
                    .into_iter()
                    .map(|f| FieldViolation {
                        field: f.field.into_owned(),
                        description: f.msg.en.clone(),
                        reason: String::new(),
                        localized_message: Some(localized(&f.msg)),
                    })
                    .collect();
                let mut details = ErrorDetails::with_bad_request(violations);
                details.set_localized_message("zh-CN", zh);
                Status::with_error_details(Code::InvalidArgument, en, details)
            }
            AppError::AlreadyExists { field, msg } => field_status(
                Code::AlreadyExists,
                "ALREADY_EXISTS",
                field.into_owned(),
                msg,
            ),
            AppError::FailedPrecondition(msg) => status(Code::FailedPrecondition, &msg),
            AppError::FailedPreconditionAt { field, msg } => field_status(
                Code::FailedPrecondition,
                "FAILED_PRECONDITION",
                field.into_owned(),
                msg,
            ),
            AppError::Conflict { by, at, zone } => {
                // The client formats the time itself from the ErrorInfo metadata; the
                // message gives it in the business time zone, as every business time.
                let time = local_time(at, zone, "%Y-%m-%d %H:%M");
                let mut details = ErrorDetails::with_error_info(
                    "STALE_VERSION",
                    "pharmacrm",
                    [
                        ("changed_by".to_owned(), by.clone()),
                        ("changed_at".to_owned(), at.to_rfc3339()),
                    ],
                );
                // Changed by the system (seeding, migrations): no name, said per language.
                let who = if by.is_empty() {
                    msg!("error.changed_by_system")
                } else {
                    crate::messages::per_lang(by.as_str(), by.as_str())
                };
                let msg = msg!("error.stale_version", by = who, time = time);
                details.set_localized_message("zh-CN", msg.zh);
                Status::with_error_details(Code::Aborted, msg.en, details)
            }
            AppError::Unauthenticated(msg) => status(Code::Unauthenticated, &msg),
            AppError::LoginLocked { until, zone } => {
                // The client shows the time itself from the ErrorInfo metadata.
                let time = local_time(until, zone, "%H:%M");
                let mut details = ErrorDetails::with_error_info(
                    "LOGIN_LOCKED",
                    "pharmacrm",
                    [("locked_until".to_owned(), until.to_rfc3339())],
                );
                let msg = msg!("auth.login.locked", time = time);
                details.set_localized_message("zh-CN", msg.zh);
                Status::with_error_details(Code::Unauthenticated, msg.en, details)
            }
            AppError::PermissionDenied(msg) => status(Code::PermissionDenied, &msg),
            AppError::Unavailable(msg) => status(Code::Unavailable, &msg),
            AppError::Retry(msg) => status(Code::Aborted, &msg),
            AppError::InvalidRequest(msg) => status(Code::InvalidArgument, &msg),
            AppError::Exhausted(msg) => status(Code::ResourceExhausted, &msg),
            AppError::Unimplemented(msg) => status(Code::Unimplemented, &msg),
            AppError::Internal(err) => {
                let id = uuid::Uuid::new_v4();
                tracing::error!(error_id = %id, error = format!("{err:#}"), "internal error");
                status(Code::Internal, &msg!("error.internal", id = id))
            }
        }
    }
}

/// Collects the bad fields of one request, so the user sees them all at once.
#[derive(Default, Debug, Clone)]
pub struct FieldCheck {
    errors: Vec<FieldError>,
}

impl FieldCheck {
    /// Records `field` as bad when `result` is an error.
    pub fn check(
        &mut self,
        field: impl Into<Cow<'static, str>>,
        result: Result<(), Violation>,
    ) -> &mut Self {
        if let Err(v) = result {
            self.errors.push(FieldError {
                field: field.into(),
                msg: v.into(),
            });
        }
        self
    }

    /// Records `field` as bad.
    pub fn fail(&mut self, field: impl Into<Cow<'static, str>>, msg: Msg) -> &mut Self {
        self.errors.push(FieldError {
            field: field.into(),
            msg,
        });
        self
    }

    /// The value of a part of the request checked on its own (a nested message): its bad
    /// fields are recorded here, with the rest of the request's, and `Ok(None)` returned.
    /// Errors other than bad fields are returned as they are.
    pub fn absorb<T>(&mut self, part: AppResult<T>) -> AppResult<Option<T>> {
        match part {
            Ok(value) => Ok(Some(value)),
            Err(AppError::InvalidArgument(fields)) => {
                self.errors.extend(fields);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Whether `field` was recorded as bad (a later check of its value, which did not
    /// read, would only add a second complaint).
    pub fn complains_of(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// `Ok` when no field was bad.
    pub fn finish(&mut self) -> AppResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidArgument(std::mem::take(&mut self.errors)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(by: &str) -> Status {
        let at = DateTime::parse_from_rfc3339("2026-12-03T02:05:00Z")
            .expect("time")
            .with_timezone(&Utc);
        Status::from(AppError::Conflict {
            by: by.to_owned(),
            at,
            zone: Some(chrono_tz::Asia::Shanghai),
        })
    }

    fn zh(status: &Status) -> String {
        status
            .get_details_localized_message()
            .expect("zh-CN")
            .message
    }

    #[test]
    fn a_stale_version_names_who_changed_it_and_the_system_in_each_language() {
        let by_user = conflict("系统管理员");
        assert_eq!(by_user.code(), Code::Aborted);
        assert!(by_user.message().contains("系统管理员"), "{by_user:?}");
        assert!(zh(&by_user).contains("系统管理员 于 2026-12-03 10:05"));
        // Changed by no user (seeding, a migration): the metadata stays empty for the
        // client to say, the messages say it themselves.
        let by_system = conflict("");
        assert!(
            by_system
                .message()
                .starts_with("changed by the system at 2026-12-03 10:05"),
            "{by_system:?}"
        );
        assert!(
            zh(&by_system).contains("已被 系统 于"),
            "{}",
            zh(&by_system)
        );
        let info = by_system.get_details_error_info().expect("ErrorInfo");
        assert_eq!(info.metadata["changed_by"], "");
    }
}
