//! The demo drug catalogue.

use diesel::prelude::*;

use crate::db::models::WriteCtx;
use crate::error::AppResult;

/// A small drug catalogue for the demo, created once (when the catalogue is empty).
pub fn seed(conn: &mut PgConnection, ctx: WriteCtx<'_>) -> AppResult<()> {
    use crate::db::models::container_unit::{self, UnitInput};
    use crate::db::models::drug::{self, DrugInput};
    use crate::db::models::drug_category;
    use crate::db::schema::drugs;
    use pharmacrm_shared::money::parse_price;

    let any_drug: i64 = drugs::table.count().get_result(conn)?;
    if any_drug > 0 {
        return Ok(());
    }
    let roots = drug_category::list(conn)?;
    let root = |origin: &str| {
        roots
            .iter()
            .find(|c| c.category.parent_id.is_none() && c.category.origin == origin)
            .map(|c| c.category.id)
            .expect("the migration seeds both top-level classes")
    };
    let antibiotics = drug_category::create(conn, ctx, "抗生素", root("agency"))?
        .category
        .id;
    let penicillins = drug_category::create(conn, ctx, "青霉素类", antibiotics)?
        .category
        .id;
    let cephalosporins = drug_category::create(conn, ctx, "头孢菌素类", antibiotics)?
        .category
        .id;
    let analgesics = drug_category::create(conn, ctx, "解热镇痛药", root("self_produced"))?
        .category
        .id;
    let unit = |conn: &mut PgConnection, name: &str, capacity: &str, of: &str| -> AppResult<i64> {
        Ok(container_unit::create(
            conn,
            ctx,
            &UnitInput {
                name: name.to_owned(),
                capacity: pharmacrm_shared::money::parse_capacity(capacity).expect("demo capacity"),
                capacity_unit: of.to_owned(),
                note: String::new(),
            },
        )?
        .unit
        .id)
    };
    let box24 = unit(conn, "盒", "24", "粒")?;
    let box6 = unit(conn, "盒", "6", "片")?;
    let bottle = unit(conn, "瓶", "100", "ml")?;
    for (name, trade, spec, form, maker, approval, category, unit, purchase, sale) in [
        (
            "阿莫西林胶囊",
            "阿莫仙",
            "0.25g×24粒",
            "胶囊剂",
            "珠海联邦制药股份有限公司",
            "国药准字H44021351",
            penicillins,
            box24,
            "8.5",
            "12.8",
        ),
        (
            "头孢克肟片",
            "世福素",
            "0.1g×6片",
            "片剂",
            "广州白云山制药股份有限公司",
            "国药准字H20030739",
            cephalosporins,
            box6,
            "18.2",
            "26.5",
        ),
        (
            "布洛芬缓释胶囊",
            "",
            "0.3g×24粒",
            "胶囊剂",
            "本公司",
            "国药准字H10900089",
            analgesics,
            box24,
            "6.35",
            "9.9",
        ),
        (
            "布洛芬混悬液",
            "",
            "100ml:2g",
            "口服混悬剂",
            "本公司",
            "国药准字H19991011",
            analgesics,
            bottle,
            "10.5",
            "15.8",
        ),
    ] {
        drug::create(
            conn,
            ctx,
            &DrugInput {
                name: name.to_owned(),
                trade_name: trade.to_owned(),
                specification: spec.to_owned(),
                dosage_form: form.to_owned(),
                manufacturer: maker.to_owned(),
                approval_number: approval.to_owned(),
                category_id: category,
                unit_id: unit,
                purchase_price: parse_price(purchase).expect("demo price"),
                sale_price: parse_price(sale).expect("demo price"),
                note: String::new(),
            },
        )?;
    }
    Ok(())
}
