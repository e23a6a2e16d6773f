//! AuditService calls.

use pharmacrm_shared::pb;

calls! {
    /// AuditService: the audit log.
    AuditCalls = audit via audit {
        /// One page of the audit log.
        fn search_audit(pb::SearchAuditRequest) -> pb::SearchAuditResponse;
        /// The actions the log holds.
        fn list_audit_actions(()) -> pb::ListAuditActionsResponse;
    }
}
