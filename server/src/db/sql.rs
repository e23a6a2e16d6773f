//! SQL written as text with numbered parameters, for the queries Diesel's DSL cannot
//! express or reuse: searches whose count runs again under `EXPLAIN`, keyset paging over a
//! collated expression, report aggregates. Values are always bound, never formatted into
//! the text.

use chrono::NaiveDate;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, BigInt, Bool, Bytea, Date, Text, Timestamptz};

use crate::error::{AppError, AppResult};
use crate::msg;

/// A value bound to a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    Time(chrono::DateTime<chrono::Utc>),
    TextArray(Vec<String>),
    IntArray(Vec<i64>),
}

/// SQL text with its parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// Starts with `text`.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends `text`.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a parameter (`$n`) bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.values.push(value);
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// Appends `other`, renumbering its parameters after ours.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.values.len();
        let mut rest = other.text.as_str();
        while let Some(i) = rest.find('$') {
            self.text.push_str(&rest[..i]);
            let digits: String = rest[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            match digits.parse::<usize>() {
                Ok(n) => self.text.push_str(&format!("${}", n + offset)),
                Err(_) => self.text.push('$'),
            }
            rest = &rest[i + 1 + digits.len()..];
        }
        self.text.push_str(rest);
        self.values.extend(other.values.iter().cloned());
        self
    }

    /// The text (for `EXPLAIN` and for tests).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A Diesel query of this text with its values bound.
    pub fn query(&self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut q = diesel::sql_query(self.text.clone()).into_boxed::<Pg>();
        for value in &self.values {
            q = match value.clone() {
                Value::Text(v) => q.bind::<Text, _>(v),
                Value::Int(v) => q.bind::<BigInt, _>(v),
                Value::Bool(v) => q.bind::<Bool, _>(v),
                Value::Bytes(v) => q.bind::<Bytea, _>(v),
                Value::Date(v) => q.bind::<Date, _>(v),
                Value::Time(v) => q.bind::<Timestamptz, _>(v),
                Value::TextArray(v) => q.bind::<Array<Text>, _>(v),
                Value::IntArray(v) => q.bind::<Array<BigInt>, _>(v),
            };
        }
        q
    }
}

/// Where a page of a list starts in keyset paging: after the row whose sort key (as
/// text) and id are these, in the order the cursor was made under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key of the last row of the previous page.
    pub key: String,
    /// Its id (the tie-breaker).
    pub id: i64,
    /// The order it was made under ([`KeyOrder::tag`]): a cursor of another order is
    /// refused rather than read as a place in this one.
    pub order: String,
}

impl Cursor {
    /// The opaque form sent to clients: `<id>:<order>:<key>`.
    pub fn encode(&self) -> String {
        format!("{}:{}:{}", self.id, self.order, self.key)
    }

    /// The cursor of an opaque form; `None` when it is not one of ours (its id is a
    /// row's, so positive; its order tag 8 hex digits).
    pub fn decode(text: &str) -> Option<Cursor> {
        let (id, rest) = text.split_once(':')?;
        let (order, key) = rest.split_once(':')?;
        if order.len() != 8 || !order.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Cursor {
            id: id.parse().ok().filter(|id| *id > 0)?,
            key: key.to_owned(),
            order: order.to_owned(),
        })
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStart {
    /// Skip this many rows (the first pages; slow deep down).
    Offset(i64),
    /// After this row (keyset: as fast at any depth).
    After(Cursor),
}

/// One `count` column.
#[derive(diesel::QueryableByName, Debug)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// One `id` column: the ids of a page, whose rows are then loaded with the DSL.
#[derive(diesel::QueryableByName, Debug)]
pub struct Id {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
}

/// A tree table whose rows point to their parent by `parent_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Departments,
    DrugCategories,
}

/// The ids of row `id` of `tree` and of every row below it, in no order.
pub fn subtree_ids(
    conn: &mut diesel::PgConnection,
    tree: Tree,
    id: i64,
) -> crate::error::AppResult<Vec<i64>> {
    use diesel::RunQueryDsl;
    let table = match tree {
        Tree::Departments => "departments",
        Tree::DrugCategories => "drug_categories",
    };
    let rows: Vec<Id> = diesel::sql_query(format!(
        "WITH RECURSIVE sub(id) AS (
             SELECT id FROM {table} WHERE id = $1
             UNION
             SELECT t.id FROM {table} t JOIN sub ON t.parent_id = sub.id
         ) SELECT id FROM sub"
    ))
    .bind::<BigInt, _>(id)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// How far past the cap PostgreSQL's estimate must be for a count to be skipped.
const SURELY_PAST: i64 = 10;

/// Up to this many matches a search counts exactly; past it the count is PostgreSQL's
/// estimate, so a broad search costs no more than a narrow one (customers, drugs, orders,
/// shipments, transport exceptions).
pub const EXACT_COUNT_CAP: i64 = 1_000;

/// One page of a search with the count of every match (exact up to [`EXACT_COUNT_CAP`]).
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub total_is_exact: bool,
}

impl<T> Page<T> {
    /// `rows`, read by id, put in the order of `ids` (the page's order), with the count.
    pub fn in_order_of(
        rows: Vec<T>,
        ids: &[i64],
        id: impl Fn(&T) -> i64,
        counted: Counted,
    ) -> Self {
        Page {
            rows: in_order_of(rows, ids, id),
            total: counted.total,
            total_is_exact: counted.exact,
        }
    }
}

/// `rows` read by `id = ANY(ids)` (in no order), put in the order of `ids`.
pub fn in_order_of<T>(mut rows: Vec<T>, ids: &[i64], id: impl Fn(&T) -> i64) -> Vec<T> {
    rows.sort_by_key(|r| ids.iter().position(|i| *i == id(r)));
    rows
}

/// How many rows `{from} {conditions}` (`from` is `FROM … WHERE `) finds, up to
/// [`EXACT_COUNT_CAP`] ([`capped_count`]).
fn count_matches(
    conn: &mut diesel::PgConnection,
    from: &str,
    conditions: &Sql,
) -> diesel::QueryResult<Counted> {
    let mut select = Sql::new(&format!("SELECT 1 {from}"));
    select.append(conditions);
    capped_count(conn, &select, EXACT_COUNT_CAP)
}

/// A search paged by offset: counts the rows of `SELECT … {from} {conditions}` (`from` is
/// `FROM … WHERE `) up to [`EXACT_COUNT_CAP`], then reads the column `id` of the rows
/// `offset..offset + limit` in `order` (an `ORDER BY …` clause ending in the id). Returns
/// the ids in that order, and the count.
pub fn offset_page_ids(
    conn: &mut diesel::PgConnection,
    id: &str,
    from: &str,
    conditions: &Sql,
    order: &str,
    offset: i64,
    limit: i64,
) -> diesel::QueryResult<(Vec<i64>, Counted)> {
    let counted = count_matches(conn, from, conditions)?;
    let mut page = Sql::new(&format!("SELECT {id} AS id {from}"));
    page.append(conditions)
        .push(&format!(" {order} LIMIT "))
        .bind(Value::Int(limit))
        .push(" OFFSET ")
        .bind(Value::Int(offset));
    let ids = load_page::<Id>(conn, &page, counted.underestimated)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    Ok((ids, counted))
}

/// The sort of a page paged by keyset: the key's SQL expression, its type (how a
/// cursor's text is read back as a key), and the direction.
#[derive(Debug, Clone, Copy)]
pub struct KeyOrder<'a> {
    pub key: &'a str,
    pub key_type: KeyType,
    pub descending: bool,
}

impl KeyOrder<'_> {
    /// A short name of this order (key expression and direction) that cursors carry:
    /// 8 hex digits of its SHA-256.
    pub fn tag(&self) -> String {
        use sha2::Digest;
        let direction = if self.descending { "DESC" } else { "ASC" };
        let digest = sha2::Sha256::digest(format!("{} {direction}", self.key));
        hex::encode(&digest[..4])
    }
}

/// The type of a keyset sort key, as a cursor carries it in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Text in Chinese collation (pinyin order).
    ChineseText,
    /// A number (`numeric`).
    Numeric,
    /// `true` or `false`.
    Boolean,
}

impl KeyType {
    /// What turns a bound text into the key's type in SQL.
    fn cast(self) -> &'static str {
        match self {
            KeyType::ChineseText => " COLLATE \"zh-x-icu\"",
            KeyType::Numeric => "::numeric",
            KeyType::Boolean => "::boolean",
        }
    }

    /// Whether `text` reads as a key of this type (as PostgreSQL writes one), so that a
    /// forged cursor, or one of another sort, is refused rather than failing in SQL.
    fn reads(self, text: &str) -> bool {
        match self {
            KeyType::ChineseText => true,
            KeyType::Numeric => text.parse::<rust_decimal::Decimal>().is_ok(),
            KeyType::Boolean => matches!(text, "true" | "false"),
        }
    }
}

/// The rows a keyset search pages through: those of `SELECT … {from} {conditions}` (`from`
/// is `FROM … WHERE `).
pub struct Matching<'a> {
    pub from: &'a str,
    pub conditions: &'a Sql,
    /// Conditions that hold of the same rows, cheaper to check row by row (a search's
    /// exact test without the grams the index needs), for a page read by walking the
    /// order's index ([`load_page`], when the count passed the cap unestimated); `None`
    /// to walk with `conditions`.
    pub walk: Option<&'a Sql>,
}

/// A search paged by keyset: counts the `matching` rows up to [`EXACT_COUNT_CAP`], then
/// reads the column `id` of the page that starts at `start`, sorted by `order` then by
/// id. Returns the page's ids in order, the cursor of the next page (none on the last),
/// and the count. Errors: INVALID_ARGUMENT on `after` for a cursor made under another
/// order, or whose key is not of the sort's type.
pub fn keyset_page_ids(
    conn: &mut diesel::PgConnection,
    id: &str,
    matching: Matching<'_>,
    order: KeyOrder,
    start: &PageStart,
    limit: i64,
) -> AppResult<(Vec<i64>, Option<Cursor>, Counted)> {
    let Matching {
        from,
        conditions,
        walk,
    } = matching;
    #[derive(diesel::QueryableByName)]
    struct Hit {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Text)]
        key: String,
    }
    let counted = count_matches(conn, from, conditions)?;
    let tag = order.tag();
    let KeyOrder {
        key,
        key_type,
        descending,
    } = order;
    if let PageStart::After(cursor) = start
        && (cursor.order != tag || !key_type.reads(&cursor.key))
    {
        return Err(AppError::field("after", msg!("field.not_a_page")));
    }
    let cast = key_type.cast();
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut page = Sql::new(&format!("SELECT {id} AS id, ({key})::text AS key {from}"));
    page.append(match walk {
        Some(walk) if counted.underestimated => walk,
        _ => conditions,
    });
    if let PageStart::After(cursor) = start {
        page.push(&format!(" AND (({key}), {id}) {cmp} ("))
            .bind(Value::Text(cursor.key.clone()))
            .push(&format!("{cast}, "))
            .bind(Value::Int(cursor.id))
            .push(")");
    }
    page.push(&format!(" ORDER BY ({key}) {dir}, {id} {dir} LIMIT "))
        .bind(Value::Int(limit + 1));
    if let PageStart::Offset(offset) = start {
        page.push(" OFFSET ").bind(Value::Int(*offset));
    }
    let mut hits: Vec<Hit> = load_page(conn, &page, counted.underestimated)?;
    let limit = usize::try_from(limit).unwrap_or(0);
    let next = if hits.len() > limit {
        hits.truncate(limit);
        hits.last().map(|h| Cursor {
            key: h.key.clone(),
            id: h.id,
            order: tag.clone(),
        })
    } else {
        None
    };
    Ok((hits.into_iter().map(|h| h.id).collect(), next, counted))
}

/// Rows read one past `limit` (`LIMIT limit + 1`): the first `limit` of them, and whether
/// there were more.
pub fn cut_at<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// A search's count, as [`capped_count`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The number of rows: exact up to the cap, else PostgreSQL's estimate (never below
    /// the cap).
    pub total: i64,
    /// Whether `total` is exact.
    pub exact: bool,
    /// The rows were counted past the cap although PostgreSQL estimated at most the cap:
    /// its statistics missed how common the matches are (a multi-gram search such as
    /// `rmyy`, whose grams it takes as independent), so its plan for the page would
    /// collect and sort every match. See [`load_page`].
    pub underestimated: bool,
}

/// How many rows `select` (a `SELECT … FROM … WHERE …` without ORDER BY) finds: exact up to
/// `cap`; past it, PostgreSQL's estimate for the whole query (`EXPLAIN`), never below
/// `cap`. When the estimate is already ten times the cap (statistics of common values: a
/// search for "cs" among 100,000 customers), the rows are not counted at all, so a broad
/// search costs no more than a narrow one.
pub fn capped_count(
    conn: &mut diesel::PgConnection,
    select: &Sql,
    cap: i64,
) -> diesel::QueryResult<Counted> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        plan: String,
    }
    let mut explain = Sql::new("EXPLAIN (FORMAT JSON) ");
    explain.append(select);
    let plan = explain.query().get_result::<Plan>(conn)?.plan;
    let estimate = serde_json::from_str::<serde_json::Value>(&plan)
        .ok()
        .and_then(|v| v.get(0)?.get("Plan")?.get("Plan Rows")?.as_f64())
        .map_or(cap, |rows| {
            // Estimates are whole rows, far below i64::MAX.
            #[allow(clippy::cast_possible_truncation)]
            let rows = rows.round() as i64;
            rows
        });
    if estimate > cap.saturating_mul(SURELY_PAST) {
        return Ok(Counted {
            total: estimate,
            exact: false,
            underestimated: false,
        });
    }
    let mut counted = Sql::new("SELECT count(*) AS count FROM (");
    counted
        .append(select)
        .push(" LIMIT ")
        .bind(Value::Int(cap + 1))
        .push(") AS capped");
    let n = counted.query().get_result::<Count>(conn)?.count;
    Ok(if n <= cap {
        Counted {
            total: n,
            exact: true,
            underestimated: false,
        }
    } else {
        Counted {
            total: estimate.max(cap + 1),
            exact: false,
            underestimated: estimate <= cap,
        }
    })
}

/// Loads one page of a search (`page` ends in `ORDER BY … LIMIT`). When the count found the
/// matches `underestimated` ([`Counted::underestimated`]), PostgreSQL is told not to sort
/// for this query, so it walks the index of the order (customers' and drugs' name order)
/// and stops at the page's end: with thousands of matches that reads a few hundred rows
/// instead of fetching and sorting all of them (`rmyy` among 100,000 customers: 86 →
/// 4 ms). Where no index gives the order, PostgreSQL still sorts.
pub fn load_page<T>(
    conn: &mut diesel::PgConnection,
    page: &Sql,
    underestimated: bool,
) -> diesel::QueryResult<Vec<T>>
where
    T: diesel::deserialize::QueryableByName<Pg> + 'static,
{
    use diesel::{Connection, RunQueryDsl};
    if !underestimated {
        return page.query().load(conn);
    }
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL enable_sort = off").execute(conn)?;
        page.query().load(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_forged_one_is_not_ours() {
        let cursor = Cursor {
            key: "北京:1".into(),
            id: 42,
            order: "0a1b2c3d".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for forged in [
            "",
            "42",
            "x:1",
            "42:a",
            "42:0a1b2c3:a",
            "42:0a1b2c3x:a",
            "-5:0a1b2c3d:a",
            "0:0a1b2c3d:a",
            "99999999999999999999:0a1b2c3d:a",
        ] {
            assert_eq!(Cursor::decode(forged), None, "{forged}");
        }
    }

    #[test]
    fn appended_parameters_are_renumbered() {
        let mut inner = Sql::new("SELECT 1 WHERE a = ");
        inner
            .bind(Value::Int(1))
            .push(" AND b = ")
            .bind(Value::Int(2));
        let mut outer = Sql::new("SELECT x FROM t WHERE y = ");
        outer
            .bind(Value::Int(0))
            .push(" AND EXISTS (")
            .append(&inner)
            .push(")");
        assert_eq!(
            outer.text(),
            "SELECT x FROM t WHERE y = $1 AND EXISTS (SELECT 1 WHERE a = $2 AND b = $3)"
        );
        assert_eq!(outer.values.len(), 3);
    }
}
