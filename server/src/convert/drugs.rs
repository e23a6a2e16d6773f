//! DrugService: categories, container units, drugs.

use pharmacrm_shared::{money, pb, validation};

use super::{DbCode, Update, chosen_id, count, known, optional_id, page, page_start, timestamp};
use crate::db::models::container_unit::{UnitInput, UnitView};
use crate::db::models::drug::{DrugFilter, DrugInput, DrugSort, DrugView, Warning};
use crate::db::models::drug_category::CategoryView;
use crate::db::sql::PageStart;
use crate::db::versioned::StatusFilter;
use crate::error::{AppResult, FieldCheck};
use crate::msg;

fn origin(code: &str) -> i32 {
    pb::DrugOrigin::wire(code)
}

impl From<CategoryView> for pb::Category {
    fn from(v: CategoryView) -> Self {
        let c = v.category;
        pb::Category {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name,
            origin: origin(&c.origin),
            sort_order: c.sort_order,
            drug_count: count(v.drug_count),
            subtree_drug_count: count(v.subtree_drug_count),
            child_count: count(v.child_count),
            version: c.version,
            updated_at: Some(timestamp(c.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

/// A category name, validated. Path separators are refused, so a path such as
/// 代理类/抗生素 (as the Excel import reads it) always means one category.
pub fn category_name(name: &str) -> AppResult<String> {
    let mut check = FieldCheck::default();
    check.check("name", validation::required_line(name, 100));
    if name.contains(['/', '\\', '›', '>']) {
        check.fail("name", msg!("category.name_separator"));
    }
    check.finish()?;
    Ok(name.trim().to_owned())
}

/// A CreateCategory request as (name, parent): a bad name (as [`category_name`]) and a
/// missing or bad parent are named together.
pub fn new_category(r: pb::CreateCategoryRequest) -> AppResult<(String, i64)> {
    let pb::CreateCategoryRequest { name, parent_id } = r;
    let mut check = FieldCheck::default();
    let name = check.absorb(category_name(&name))?;
    let parent_id = super::required_id("parent_id", parent_id, &mut check);
    check.finish()?;
    Ok((
        name.expect("checked above"),
        parent_id.expect("checked above"),
    ))
}

/// A category's new name, parent and place among its siblings.
#[derive(Debug, Clone)]
pub struct CategoryEdit {
    /// Checked as [`category_name`].
    pub name: String,
    /// `None`: top level.
    pub parent_id: Option<i64>,
    /// 0 first; past the end means last.
    pub sort_order: i32,
}

/// An UpdateCategory request: the category first, then its name and parent (0: top
/// level; a negative id is bad) together.
pub fn update_category(r: pb::UpdateCategoryRequest) -> AppResult<Update<CategoryEdit>> {
    let pb::UpdateCategoryRequest {
        id: category_id,
        version,
        name,
        parent_id,
        sort_order,
    } = r;
    super::update(category_id, version, |check| {
        let name = check.absorb(category_name(&name))?;
        let parent_id = super::id_or_none("parent_id", parent_id, check);
        Ok(name.map(|name| CategoryEdit {
            name,
            parent_id,
            sort_order,
        }))
    })
}

impl From<UnitView> for pb::ContainerUnit {
    fn from(v: UnitView) -> Self {
        let u = v.unit;
        pb::ContainerUnit {
            id: u.id,
            name: u.name,
            capacity: money::capacity_to_wire(&u.capacity),
            capacity_unit: u.capacity_unit,
            note: u.note,
            is_active: u.is_active,
            drug_count: count(v.drug_count),
            version: u.version,
            updated_at: Some(timestamp(u.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

/// A unit's fields, validated.
pub fn unit_input(input: Option<pb::UnitInput>) -> AppResult<UnitInput> {
    let pb::UnitInput {
        name,
        capacity,
        capacity_unit,
        note,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_line(&name, 20))
        .check(
            "capacity_unit",
            validation::required_line(&capacity_unit, 20),
        )
        .check("note", validation::optional_text(&note, 200));
    let capacity = match money::parse_capacity(&capacity) {
        Ok(c) => Some(c),
        Err(v) => {
            check.fail("capacity", v.into());
            None
        }
    };
    check.finish()?;
    Ok(UnitInput {
        name: name.trim().to_owned(),
        capacity: capacity.expect("checked above"),
        capacity_unit: capacity_unit.trim().to_owned(),
        note: note.trim().to_owned(),
    })
}

/// A drug as sent; the purchase price only to those who may see cost
/// ([`crate::access::may_read_cost`]).
pub fn drug(v: DrugView, show_cost: bool) -> pb::Drug {
    {
        let d = v.drug;
        pb::Drug {
            id: d.id,
            name: d.name,
            trade_name: d.trade_name,
            specification: d.specification,
            dosage_form: d.dosage_form,
            manufacturer: d.manufacturer,
            approval_number: d.approval_number,
            category_id: d.category_id,
            category_path: v.category_path,
            origin: origin(&v.origin),
            unit_id: d.unit_id,
            unit_label: v.unit_label,
            purchase_price: if show_cost {
                money::to_wire(&d.purchase_price)
            } else {
                String::new()
            },
            sale_price: money::to_wire(&d.sale_price),
            is_active: d.is_active,
            note: d.note,
            pinyin_initials: crate::search::primary_initials(&d.pinyin_sets),
            version: d.version,
            created_at: Some(timestamp(d.created_at)),
            created_by: v.created_by_name,
            updated_at: Some(timestamp(d.updated_at)),
            updated_by: v.updated_by_name,
        }
    }
}

impl From<Warning> for pb::Warning {
    fn from(w: Warning) -> Self {
        pb::Warning {
            field: w.field.to_owned(),
            message: w.msg.en,
            message_zh: w.msg.zh,
        }
    }
}

/// A drug's fields, validated; every bad field is reported at once.
pub fn drug_input(input: Option<pb::DrugInput>) -> AppResult<DrugInput> {
    let pb::DrugInput {
        name,
        trade_name,
        specification,
        dosage_form,
        manufacturer,
        approval_number,
        category_id,
        unit_id,
        purchase_price,
        sale_price,
        note,
    } = input.unwrap_or_default();
    let mut check = FieldCheck::default();
    check
        .check("name", validation::required_line(&name, 100))
        .check("trade_name", validation::optional_line(&trade_name, 100))
        .check(
            "specification",
            validation::required_line(&specification, 100),
        )
        .check("dosage_form", validation::optional_line(&dosage_form, 50))
        .check(
            "manufacturer",
            validation::required_line(&manufacturer, 100),
        )
        .check(
            "approval_number",
            validation::optional_line(&approval_number, 50),
        )
        .check("note", validation::optional_text(&note, 500));
    chosen_id(
        "category_id",
        category_id,
        msg!("drug.category_required"),
        &mut check,
    );
    chosen_id("unit_id", unit_id, msg!("drug.unit_required"), &mut check);
    let mut price = |field: &'static str, text: &str| match money::parse_price(text) {
        Ok(p) => Some(p),
        Err(v) => {
            check.fail(field, v.into());
            None
        }
    };
    let purchase = price("purchase_price", &purchase_price);
    let sale = price("sale_price", &sale_price);
    check.finish()?;
    Ok(DrugInput {
        name: name.trim().to_owned(),
        trade_name: trade_name.trim().to_owned(),
        specification: specification.trim().to_owned(),
        dosage_form: dosage_form.trim().to_owned(),
        manufacturer: manufacturer.trim().to_owned(),
        approval_number: approval_number.trim().to_owned(),
        category_id,
        unit_id,
        purchase_price: purchase.expect("checked above"),
        sale_price: sale.expect("checked above"),
        note: note.trim().to_owned(),
    })
}

/// A SearchDrugs request as (filter, (offset, limit)).
pub fn search_drugs(r: pb::SearchDrugsRequest) -> AppResult<(DrugFilter, PageStart, i64)> {
    let pb::SearchDrugsRequest {
        query,
        category_id,
        status,
        sort,
        descending,
        page: page_request,
        after,
    } = r;
    let mut check = FieldCheck::default();
    check.check(
        "query",
        validation::optional_line(&query, validation::SEARCH_TEXT_MAX),
    );
    let category_id = optional_id("category_id", category_id, &mut check);
    let (status, sort) = (
        known("status", status, &mut check),
        known("sort", sort, &mut check),
    );
    let (offset, limit) = page(page_request);
    let start = check.absorb(page_start(&after, offset))?;
    check.finish()?;
    let start = start.expect("checked above");
    let status = match status {
        pb::DrugStatusFilter::Active => StatusFilter::Active,
        pb::DrugStatusFilter::Archived => StatusFilter::Archived,
        pb::DrugStatusFilter::All => StatusFilter::All,
    };
    let sort = match sort {
        pb::DrugSort::Name => DrugSort::Name,
        pb::DrugSort::Specification => DrugSort::Specification,
        pb::DrugSort::Category => DrugSort::Category,
        pb::DrugSort::Unit => DrugSort::Unit,
        pb::DrugSort::PurchasePrice => DrugSort::PurchasePrice,
        pb::DrugSort::SalePrice => DrugSort::SalePrice,
        pb::DrugSort::Status => DrugSort::Status,
        pb::DrugSort::UpdatedAt => DrugSort::UpdatedAt,
    };
    Ok((
        DrugFilter {
            query,
            category_id,
            status,
            sort,
            descending,
        },
        start,
        limit,
    ))
}
