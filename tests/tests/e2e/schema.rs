//! The database schema as a whole: the Rust schema is what the migrations generate, and
//! money is never a float.

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use pharmacrm_tests::{output_of, template_database_uri, template_database_url, workspace_root};

/// `diesel`, from PATH or cargo's bin directory (`scripts/test.sh` installs it).
fn diesel_cli() -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("diesel"))
        .find(|p| p.is_file());
    let in_cargo = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/diesel"))
        .filter(|p| p.is_file());
    on_path.or(in_cargo).expect(
        "diesel_cli is needed to check schema.rs: scripts/test.sh installs it, or run \
         `cargo install diesel_cli --no-default-features --features postgres-bundled`",
    )
}

#[test]
fn schema_rs_is_what_diesel_print_schema_generates_from_the_migrations() {
    let root = workspace_root();
    let generated = output_of(
        std::process::Command::new(diesel_cli())
            .arg("print-schema")
            .env("DATABASE_URL", template_database_uri())
            .current_dir(&root),
    );
    let generated = String::from_utf8(generated).expect("utf-8");
    let committed =
        std::fs::read_to_string(root.join("server/src/db/schema.rs")).expect("read schema.rs");
    if generated != committed {
        // Where it can be compared (or copied over schema.rs) without a database at hand.
        let kept = root.join("target/schema.generated.rs");
        let _ = std::fs::write(&kept, &generated);
        panic!(
            "server/src/db/schema.rs differs from what the migrations generate ({}); run \
             `diesel print-schema > server/src/db/schema.rs` against a migrated database",
            kept.display()
        );
    }
}

#[derive(QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    numeric_scale: Option<i32>,
}

fn columns() -> Vec<Column> {
    let mut conn = PgConnection::establish(&template_database_url()).expect("connect");
    diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, numeric_scale
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name NOT LIKE '\\_\\_%'",
    )
    .load(&mut conn)
    .expect("read the catalogue")
}

#[test]
fn every_money_column_is_an_exact_numeric_and_no_column_is_a_float() {
    let columns = columns();
    assert!(columns.len() > 50, "the catalogue lists the tables");
    // Names that hold money (CNY) or prices, by the schema's naming rule.
    let is_money = |name: &str| {
        [
            "price", "amount", "total", "value", "balance", "debit", "credit",
        ]
        .iter()
        .any(|word| name == *word || name.ends_with(&format!("_{word}")))
            || name.starts_with("amount_")
    };
    let mut money = Vec::new();
    for c in &columns {
        assert!(
            !matches!(c.data_type.as_str(), "real" | "double precision" | "money"),
            "{}.{} is {}: amounts are exact NUMERIC",
            c.table_name,
            c.column_name,
            c.data_type
        );
        if is_money(&c.column_name) {
            assert_eq!(
                c.data_type, "numeric",
                "{}.{} holds money and must be NUMERIC",
                c.table_name, c.column_name
            );
            assert!(
                c.numeric_scale.is_some_and(|s| s >= 2),
                "{}.{} must keep at least 2 decimals (NUMERIC(p, s) with s ≥ 2)",
                c.table_name,
                c.column_name
            );
            money.push(format!("{}.{}", c.table_name, c.column_name));
        }
    }
    for expected in ["drugs.purchase_price", "drugs.sale_price"] {
        assert!(money.iter().any(|m| m == expected), "{expected} is checked");
    }
}
