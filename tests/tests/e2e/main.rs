//! End-to-end tests: the real server over TLS on a real PostgreSQL, one database per test.

mod admin;
mod audit;
mod auth;
mod clock;
mod customers;
mod drugs;
mod escalation;
mod finance;
mod orders;
mod reports;
mod schema;
mod search;
mod server;
