//! The PharmaCRM desktop client: egui over a TLS gRPC connection. Every call runs on a
//! background tokio runtime ([`backend`]); panels are structs with a `ui` method.

pub mod admin;
pub mod api;
pub mod app;
pub mod backend;
pub mod ctx;
pub mod customers;
pub mod drugs;
pub mod finance;
pub mod fonts;
pub mod format;
pub mod i18n;
pub mod login;
pub mod orders;
pub mod password;
pub mod reports;
pub mod shell;
pub mod widgets;

pub use app::{Overrides, PharmaApp, Settings};
