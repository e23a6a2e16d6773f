//! What the PharmaCRM server and client share: the generated gRPC types (`pb`), the
//! permission catalogue and data scopes, the stored codes of the proto enums, and input
//! rules both sides check.
//!
//! Diesel never appears here: the database belongs to the server alone.

pub mod codes;
pub mod collate;
pub mod money;
pub mod permission;
pub mod region;
pub mod validation;

pub use codes::DbCode;
pub use permission::{DataScope, Module, ORDER_MONEY, Permission};

/// The generated protobuf messages and gRPC services of package `pharmacrm.v1`.
/// Server traits need feature `server`, clients feature `client`.
pub mod pb {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("pharmacrm.v1");

    /// The encoded descriptors of every PharmaCRM service, for server reflection and for
    /// the test that checks every RPC has a permission.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("pharmacrm_descriptor");
}
