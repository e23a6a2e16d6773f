//! AuthService calls.

use pharmacrm_shared::pb;

calls! {
    /// AuthService: the caller's own account.
    AuthCalls = auth via auth {
        /// Ends the session.
        fn logout(()) -> ();
        /// Changes the caller's password.
        fn change_password(pb::ChangePasswordRequest) -> ();
    }
}
