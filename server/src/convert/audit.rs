//! AuditService.

use pharmacrm_shared::{pb, validation};

use super::{from_timestamp, optional_id, page, timestamp};
use crate::db::models::audit_log::{AuditRow, Filter as AuditFilter};
use crate::error::{AppResult, FieldCheck};
use crate::msg;

impl From<AuditRow> for pb::AuditEntry {
    fn from(r: AuditRow) -> Self {
        let json = |v: Option<serde_json::Value>| {
            v.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
                .unwrap_or_default()
        };
        pb::AuditEntry {
            id: r.id,
            at: Some(timestamp(r.at)),
            user_id: r.user_id,
            username: r.username,
            peer: r.peer,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before_json: json(r.before),
            after_json: json(r.after),
            // Filled in by the search, which reads them for a page at once.
            names: Default::default(),
        }
    }
}

/// A SearchAudit request as (filter, (offset, limit)).
pub fn search_audit(r: pb::SearchAuditRequest) -> AppResult<(AuditFilter, (i64, i64))> {
    {
        let pb::SearchAuditRequest {
            user_id,
            object_type,
            object_id,
            action,
            from,
            to,
            page: page_request,
            username,
        } = r;
        let non_empty = |s: String| {
            let s = s.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        let mut check = FieldCheck::default();
        let user_id = optional_id("user_id", user_id, &mut check);
        let mut time = |field, t: Option<prost_types::Timestamp>| match t {
            Some(t) => check.absorb(from_timestamp(field, t)),
            None => Ok(None),
        };
        let (from, to) = (time("from", from)?, time("to", to)?);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            check.fail(
                "to",
                msg!(
                    "field.range_reversed",
                    date = from.format("%Y-%m-%d %H:%M:%S UTC")
                ),
            );
        }
        for (field, text) in [
            ("username", &username),
            ("object_type", &object_type),
            ("object_id", &object_id),
            ("action", &action),
        ] {
            check.check(field, validation::optional_line(text, 100));
        }
        check.finish()?;
        Ok((
            AuditFilter {
                user_id,
                // Usernames are recorded in lower case (sign-ins too), so `SERVICE1` finds them.
                username: non_empty(username.to_lowercase()),
                object_type: non_empty(object_type),
                object_id: non_empty(object_id),
                // Read by name, when it is one, once a connection is at hand.
                objects: None,
                action: non_empty(action),
                from,
                to,
            },
            page(page_request),
        ))
    }
}
