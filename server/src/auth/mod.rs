//! Authentication: who the caller is ([`Session`]), passwords and tokens, and the layer
//! that checks every call against the access table before a handler runs.

mod layer;
mod passwords;
mod session;

pub use layer::{AuthLayer, AuthMiddleware, authenticate};
pub use passwords::{Passwords, hash_password_blocking, new_secret, token_hash};
pub use session::{Session, peer_of};
