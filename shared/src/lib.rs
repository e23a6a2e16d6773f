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
pub use permission::{CUSTOMER_MONEY_HISTORY, DataScope, Module, ORDER_MONEY, Permission};

/// The fields of an order (`pb::OrderInput`) whose own problems (a requested date in the
/// past, credit days out of range, a note too long) do not keep PreviewOrder from pricing
/// it: they bear on no amount, and an order form whose total stopped at a wrong date
/// showed a stale total. The preview says them as warnings on their fields, which the
/// order form shows under them as a refusal; CreateOrder refuses them.
pub const ORDER_PREVIEW_TOLERATED: [&str; 4] = [
    "delivery_address",
    "requested_delivery_date",
    "credit_days",
    "note",
];

/// The largest message FinanceService answers, in bytes: a GetStatement of every customer
/// holds each one with a balance (its opening, closing and ageing) besides its first
/// 5,000 movements, and may pass grpc's default 4 MB at company size. The client reads up
/// to as much; a grpcurl caller passes `-max-msg-sz 268435456`. (The statement's Excel
/// export streams through ReportService.Export in pieces of 256 KiB.)
pub const FINANCE_MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

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
