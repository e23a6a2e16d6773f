//! The PharmaCRM server: a tonic gRPC server that owns the PostgreSQL data and every
//! permission check. See ARCHITECTURE.md for the map.

pub mod access;
pub mod app;
pub mod auth;
pub mod config;
pub mod convert;
pub mod db;
pub mod error;
pub mod pg;
pub mod seed;
pub mod services;
pub mod tls;
