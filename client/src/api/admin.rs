//! AdminService calls.

use pharmacrm_shared::pb;

calls! {
    /// AdminService: departments, positions, users, service accounts and API tokens.
    AdminCalls = admin via admin {
        /// The permission catalogue.
        fn list_permissions(()) -> pb::ListPermissionsResponse;
        /// The department tree.
        fn list_departments(pb::ListDepartmentsRequest) -> pb::ListDepartmentsResponse;
        /// Adds a department.
        fn create_department(pb::CreateDepartmentRequest) -> pb::Department;
        /// Renames or moves a department.
        fn update_department(pb::UpdateDepartmentRequest) -> pb::Department;
        /// Archives a department.
        fn archive_department(pb::ArchiveRequest) -> pb::Department;
        /// Restores an archived department.
        fn restore_department(pb::ArchiveRequest) -> pb::Department;
        /// Restores an archived position.
        fn restore_position(pb::ArchiveRequest) -> pb::Position;
        /// The positions.
        fn list_positions(pb::ListPositionsRequest) -> pb::ListPositionsResponse;
        /// Adds a position.
        fn create_position(pb::CreatePositionRequest) -> pb::Position;
        /// Changes a position.
        fn update_position(pb::UpdatePositionRequest) -> pb::Position;
        /// Archives a position.
        fn archive_position(pb::ArchiveRequest) -> pb::Position;
        /// One page of users.
        fn list_users(pb::ListUsersRequest) -> pb::ListUsersResponse;
        /// One user.
        fn get_user(pb::GetUserRequest) -> pb::User;
        /// Adds a user.
        fn create_user(pb::CreateUserRequest) -> pb::User;
        /// Changes a user.
        fn update_user(pb::UpdateUserRequest) -> pb::User;
        /// Disables or enables a user.
        fn set_user_active(pb::SetUserActiveRequest) -> pb::User;
        /// Sets a new password.
        fn reset_password(pb::ResetPasswordRequest) -> ();
        /// Adds a service account.
        fn create_service_account(pb::CreateServiceAccountRequest) -> pb::User;
        /// Issues an API token (shown once).
        fn issue_api_token(pb::IssueApiTokenRequest) -> pb::IssueApiTokenResponse;
        /// A service account's tokens.
        fn list_api_tokens(pb::ListApiTokensRequest) -> pb::ListApiTokensResponse;
        /// Revokes a token.
        fn revoke_api_token(pb::RevokeApiTokenRequest) -> ();
    }
}
