//! The PharmaCRM server: a tonic gRPC server that owns the PostgreSQL data and every
//! permission check. See ARCHITECTURE.md for the map.

pub mod access;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod convert;
pub mod crypto;
pub mod db;
pub mod drug_import;
pub mod error;
pub mod messages;
pub mod ops;
pub mod pg;
pub mod search;
pub mod seed;
pub mod services;
pub mod state;
pub mod tls;
pub mod xlsx;
