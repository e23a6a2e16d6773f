//! One file per proto service. Handlers are thin: the auth layer has already checked the
//! token and the RPC's permission; a handler converts the request, runs one transaction,
//! and converts the answer back.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod customers;
pub mod drugs;
pub mod finance;
pub mod orders;
pub mod reports;
