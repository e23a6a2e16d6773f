//! Operations: the business rules that span tables (register a customer and its reps,
//! hand customers over; from the order module on: place an order, ship, decide an
//! exception, allocate a payment). Handlers call them inside one transaction; they call
//! the table files in [`crate::db::models`] and the conditional checks in
//! [`crate::access`]. A table file never calls an operation.

pub mod audit;
pub mod customers;
pub mod finance;
pub mod orders;
pub mod report_export;
pub mod reports;
