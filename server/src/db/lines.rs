//! Documents with lines (an order, a shipment, a transport exception): the header and its
//! lines are written together, the lines pointing at the header.

/// Defines the module's `insert(conn, header, lines)`: inserts the header, then its lines
/// with their key to the header (`$parent`) set to the new header's id; returns both as
/// stored, the lines in the order given. Run it in the caller's transaction.
/// `insert_with_lines!(orders: NewOrder => Order, order_lines: NewOrderLine => OrderLine,
/// order_id)`.
#[macro_export]
macro_rules! insert_with_lines {
    (
        $table:ident : $new:ty => $row:ty,
        $lines_table:ident : $new_line:ident => $line:ty,
        $parent:ident
    ) => {
        /// Inserts the header with its lines; returns both as stored.
        pub fn insert(
            conn: &mut diesel::PgConnection,
            header: &$new,
            lines: &[$new_line],
        ) -> $crate::error::AppResult<($row, Vec<$line>)> {
            use diesel::prelude::*;
            let row: $row = diesel::insert_into($table::table)
                .values(header)
                .returning(<$row>::as_returning())
                .get_result(conn)?;
            let lines: Vec<$new_line> = lines
                .iter()
                .map(|l| $new_line {
                    $parent: row.id,
                    ..l.clone()
                })
                .collect();
            let lines = diesel::insert_into($lines_table::table)
                .values(&lines)
                .returning(<$line>::as_returning())
                .get_results(conn)?;
            Ok((row, lines))
        }
    };
}
