//! `document_counters`: the readable, unique numbers of orders, shipments and transport
//! exceptions — a prefix, the business date, the day's sequence: `SO20261130-0001`.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Text};

use crate::error::AppResult;

/// A kind of numbered document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// 订单: `SO…`.
    Order,
    /// 发货: `SH…`.
    Shipment,
    /// 运输异常: `EX…`.
    Exception,
    /// 回款: `PY…`.
    Payment,
    /// 应收核销: `WO…`.
    WriteOff,
}

impl DocumentKind {
    fn prefix(self) -> &'static str {
        match self {
            DocumentKind::Order => "SO",
            DocumentKind::Shipment => "SH",
            DocumentKind::Exception => "EX",
            DocumentKind::Payment => "PY",
            DocumentKind::WriteOff => "WO",
        }
    }
}

/// The next number of `kind` on business day `day`, taken inside the caller's transaction:
/// the counter's row lock serialises concurrent creations, and a rolled-back creation
/// gives its number back, so a day's numbers have no gaps.
pub fn next_number(
    conn: &mut PgConnection,
    kind: DocumentKind,
    day: NaiveDate,
) -> AppResult<String> {
    #[derive(QueryableByName)]
    struct Last {
        #[diesel(sql_type = Integer)]
        last: i32,
    }
    let Last { last } = diesel::sql_query(
        "INSERT INTO document_counters (kind, day, last) VALUES ($1, $2, 1)
         ON CONFLICT (kind, day) DO UPDATE SET last = document_counters.last + 1
         RETURNING last",
    )
    .bind::<Text, _>(kind.prefix())
    .bind::<Date, _>(day)
    .get_result(conn)?;
    Ok(format!(
        "{}{}-{last:04}",
        kind.prefix(),
        day.format("%Y%m%d")
    ))
}
