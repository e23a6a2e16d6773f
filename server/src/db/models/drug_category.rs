//! `drug_categories`: the category tree. The two top-level classes (代理类, 自产类) are
//! seeded by the migration and fixed; every other node lives below one of them and
//! carries its class as `origin`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::{WriteCtx, unique_violation};
use crate::db::lock::{self, Lock};
use crate::db::schema::{drug_categories, drugs};
use crate::db::sql;
use crate::db::versioned;
use crate::error::{AppError, AppResult};
use crate::messages::{Counted, MsgArg, per_lang};
use crate::msg;

/// A category row.
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = drug_categories)]
pub struct DrugCategory {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub origin: String,
    pub sort_order: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
}

/// A category with its counts, as listed.
#[derive(Debug, Clone)]
pub struct CategoryView {
    pub category: DrugCategory,
    pub drug_count: i64,
    pub subtree_drug_count: i64,
    pub child_count: i64,
    pub updated_by_name: String,
}

const UNIQUE_NAME: &str = "drug_categories_sibling_name";

fn not_found() -> AppError {
    AppError::not_found(msg!("category.not_found"))
}

fn name_taken(err: diesel::result::Error, name: &str) -> AppError {
    unique_violation(
        err,
        UNIQUE_NAME,
        "name",
        msg!("category.name_taken", name = name),
    )
}

fn all(conn: &mut PgConnection) -> AppResult<Vec<DrugCategory>> {
    Ok(drug_categories::table
        .order((
            drug_categories::sort_order,
            drug_categories::name,
            drug_categories::id,
        ))
        .select(DrugCategory::as_select())
        .load(conn)?)
}

/// The whole tree, parents before children and siblings in order, with the counts of the
/// drugs in use (archived ones are not listed under a category by default, nor counted).
pub fn list(conn: &mut PgConnection) -> AppResult<Vec<CategoryView>> {
    let rows = all(conn)?;
    let direct: HashMap<i64, i64> = drugs::table
        .filter(drugs::is_active.eq(true))
        .group_by(drugs::category_id)
        .select((drugs::category_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let updater_ids: Vec<i64> = rows.iter().filter_map(|c| c.updated_by).collect();
    let names = super::display_names(conn, &updater_ids)?;
    let mut children: HashMap<Option<i64>, Vec<&DrugCategory>> = HashMap::new();
    for c in &rows {
        children.entry(c.parent_id).or_default().push(c);
    }
    fn subtree_count(
        id: i64,
        children: &HashMap<Option<i64>, Vec<&DrugCategory>>,
        direct: &HashMap<i64, i64>,
    ) -> i64 {
        direct.get(&id).copied().unwrap_or(0)
            + children.get(&Some(id)).map_or(0, |kids| {
                kids.iter()
                    .map(|k| subtree_count(k.id, children, direct))
                    .sum()
            })
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut stack: Vec<&DrugCategory> = children.get(&None).cloned().unwrap_or_default();
    stack.reverse();
    while let Some(c) = stack.pop() {
        let kids = children.get(&Some(c.id)).cloned().unwrap_or_default();
        out.push(CategoryView {
            drug_count: direct.get(&c.id).copied().unwrap_or(0),
            subtree_drug_count: subtree_count(c.id, &children, &direct),
            child_count: kids.len() as i64,
            updated_by_name: c
                .updated_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            category: c.clone(),
        });
        stack.extend(kids.into_iter().rev());
    }
    Ok(out)
}

/// One category with its counts.
pub fn get(conn: &mut PgConnection, id: i64) -> AppResult<CategoryView> {
    list(conn)?
        .into_iter()
        .find(|c| c.category.id == id)
        .ok_or_else(not_found)
}

/// Every category's path ("代理类 › 抗生素 › 青霉素类") and origin, by id.
pub fn paths(conn: &mut PgConnection) -> AppResult<HashMap<i64, (String, String)>> {
    let rows = all(conn)?;
    let by_id: HashMap<i64, &DrugCategory> = rows.iter().map(|c| (c.id, c)).collect();
    Ok(rows
        .iter()
        .map(|c| {
            let mut names = vec![c.name.as_str()];
            let mut parent = c.parent_id;
            while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
                names.push(p.name.as_str());
                parent = p.parent_id;
            }
            names.reverse();
            (c.id, (names.join(" › "), c.origin.clone()))
        })
        .collect())
}

/// `id` and every category below it; NOT_FOUND when there is no category `id` (a filter
/// naming one is refused, not answered with nothing).
pub fn subtree_ids(conn: &mut PgConnection, id: i64) -> AppResult<Vec<i64>> {
    let ids = sql::subtree_ids(conn, sql::Tree::DrugCategories, id)?;
    if ids.is_empty() {
        return Err(not_found());
    }
    Ok(ids)
}

/// Changes to the tree are judged one at a time: a move, a create under the moved subtree
/// and a sibling renumbering must not interleave.
fn lock_tree(conn: &mut PgConnection) -> AppResult<()> {
    lock::take(conn, Lock::DrugCategoryTree)
}

crate::versioned!(DrugCategory, drug_categories, "drug_category", not_found);

/// The parent a node goes under (read with a share lock, so it cannot vanish meanwhile).
fn parent(conn: &mut PgConnection, parent_id: i64) -> AppResult<DrugCategory> {
    drug_categories::table
        .find(parent_id)
        .select(DrugCategory::as_select())
        .for_share()
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::field("parent_id", msg!("category.parent_missing")))
}

/// Puts `id` at `position` among the children of `parent_id` and renumbers them 0, 1, 2…
fn place(conn: &mut PgConnection, id: i64, parent_id: Option<i64>, position: i32) -> AppResult<()> {
    let mut q = drug_categories::table.into_boxed();
    q = match parent_id {
        Some(p) => q.filter(drug_categories::parent_id.eq(p)),
        None => q.filter(drug_categories::parent_id.is_null()),
    };
    let mut siblings: Vec<(i64, i32)> = q
        .filter(drug_categories::id.ne(id))
        .order((
            drug_categories::sort_order,
            drug_categories::name,
            drug_categories::id,
        ))
        .select((drug_categories::id, drug_categories::sort_order))
        .load(conn)?;
    let at = usize::try_from(position.max(0))
        .unwrap_or(0)
        .min(siblings.len());
    siblings.insert(at, (id, -1));
    for (index, (sibling, current)) in siblings.into_iter().enumerate() {
        let index = i32::try_from(index).unwrap_or(i32::MAX);
        if index != current {
            diesel::update(drug_categories::table.find(sibling))
                .set(drug_categories::sort_order.eq(index))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Adds a category, last among its siblings.
pub fn create(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    name: &str,
    parent_id: i64,
) -> AppResult<CategoryView> {
    lock_tree(conn)?;
    let parent = parent(conn, parent_id)?;
    let row: DrugCategory = diesel::insert_into(drug_categories::table)
        .values((
            drug_categories::parent_id.eq(parent.id),
            drug_categories::name.eq(name),
            drug_categories::origin.eq(&parent.origin),
            drug_categories::sort_order.eq(i32::MAX),
            drug_categories::updated_by.eq(ctx.actor.user_id),
        ))
        .returning(DrugCategory::as_returning())
        .get_result(conn)
        .map_err(|e| name_taken(e, name))?;
    place(conn, row.id, Some(parent.id), i32::MAX)?;
    ctx.audit_change(
        conn,
        "drug_category.create",
        "drug_category",
        row.id,
        None,
        Some(&row),
    )?;
    get(conn, row.id)
}

/// Renames, moves (with its subtree) and/or reorders a category. The top-level classes
/// can be renamed and reordered but stay at the top.
pub fn update(
    conn: &mut PgConnection,
    ctx: WriteCtx<'_>,
    id: i64,
    version: i32,
    name: &str,
    parent_id: Option<i64>,
    position: i32,
) -> AppResult<CategoryView> {
    lock_tree(conn)?;
    let before: DrugCategory = versioned::lock_fresh(conn, id, version)?;
    match (before.parent_id, parent_id) {
        (None, None) | (Some(_), Some(_)) => {}
        (None, Some(_)) => {
            return Err(AppError::precondition(msg!(
                "category.top_level_stays",
                name = before.name
            )));
        }
        (Some(_), None) => {
            return Err(AppError::field(
                "parent_id",
                msg!("category.parent_required"),
            ));
        }
    }
    let mut origin = before.origin.clone();
    if let Some(new_parent) = parent_id
        && Some(new_parent) != before.parent_id
    {
        let subtree = subtree_ids(conn, id)?;
        if subtree.contains(&new_parent) {
            return Err(AppError::precondition(msg!(
                "category.move_into_own_subtree",
                name = before.name
            )));
        }
        origin = parent(conn, new_parent)?.origin;
        if origin != before.origin {
            // The subtree changes class with its root.
            diesel::update(drug_categories::table.filter(drug_categories::id.eq_any(&subtree)))
                .set(drug_categories::origin.eq(&origin))
                .execute(conn)?;
        }
    }
    let after: DrugCategory = diesel::update(drug_categories::table.find(id))
        .set((
            drug_categories::name.eq(name),
            drug_categories::parent_id.eq(parent_id),
            drug_categories::origin.eq(&origin),
            crate::stamp!(drug_categories, before, ctx),
        ))
        .returning(DrugCategory::as_returning())
        .get_result(conn)
        .map_err(|e| name_taken(e, name))?;
    place(conn, id, parent_id, position)?;
    if parent_id != before.parent_id {
        renumber(conn, before.parent_id)?;
    }
    versioned::audit(conn, ctx, "update", Some(&before), Some(&after))?;
    get(conn, id)
}

/// Deletes a category that holds no drugs and no sub-categories.
pub fn delete(conn: &mut PgConnection, ctx: WriteCtx<'_>, id: i64, version: i32) -> AppResult<()> {
    lock_tree(conn)?;
    let before: DrugCategory = versioned::lock_fresh(conn, id, version)?;
    if before.parent_id.is_none() {
        return Err(AppError::precondition(msg!(
            "category.top_level_delete",
            name = before.name
        )));
    }
    let drug_count: i64 = drugs::table
        .filter(drugs::category_id.eq(id))
        .count()
        .get_result(conn)?;
    let child_count: i64 = drug_categories::table
        .filter(drug_categories::parent_id.eq(id))
        .count()
        .get_result(conn)?;
    if drug_count > 0 || child_count > 0 {
        // What it holds, naming only what there is ("0 个下级类别" was noise).
        let (mut en, mut zh) = (Vec::new(), Vec::new());
        if drug_count > 0 {
            let drugs = Counted(drug_count, "drug", "drugs");
            en.push(format!("{} (archived ones included)", drugs.en()));
            zh.push(format!("{drug_count} 种药品（含已归档的）"));
        }
        if child_count > 0 {
            let children = Counted(child_count, "sub-category", "sub-categories");
            en.push(format!("{} (their drugs are theirs)", children.en()));
            zh.push(format!("{child_count} 个下级类别（下级类别中的药品另计）"));
        }
        return Err(AppError::precondition(msg!(
            "category.not_empty",
            name = before.name,
            holds = per_lang(en.join(" and "), zh.join("和")),
        )));
    }
    diesel::delete(drug_categories::table.find(id)).execute(conn)?;
    let parent_id = before.parent_id;
    versioned::audit(conn, ctx, "delete", Some(&before), None)?;
    renumber(conn, parent_id)
}

/// Numbers the children of `parent_id` 0, 1, 2… in their current order (after one left).
fn renumber(conn: &mut PgConnection, parent_id: Option<i64>) -> AppResult<()> {
    let Some(parent_id) = parent_id else {
        return Ok(());
    };
    let siblings: Vec<(i64, i32)> = drug_categories::table
        .filter(drug_categories::parent_id.eq(parent_id))
        .order((
            drug_categories::sort_order,
            drug_categories::name,
            drug_categories::id,
        ))
        .select((drug_categories::id, drug_categories::sort_order))
        .load(conn)?;
    for (index, (id, current)) in siblings.into_iter().enumerate() {
        let index = i32::try_from(index).unwrap_or(i32::MAX);
        if index != current {
            diesel::update(drug_categories::table.find(id))
                .set(drug_categories::sort_order.eq(index))
                .execute(conn)?;
        }
    }
    Ok(())
}
