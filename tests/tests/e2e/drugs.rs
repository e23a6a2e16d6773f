//! The drug catalogue: the category tree, container units, drugs, pinyin search, exact
//! prices, permissions, versions, and the Excel import.

use pharmacrm_shared::pb;
use pharmacrm_tests::{Clients, TestApp, bad_fields, zh_message};
use tonic::Code;

async fn categories(c: &mut Clients) -> Vec<pb::Category> {
    c.drugs
        .list_categories(())
        .await
        .expect("categories")
        .into_inner()
        .categories
}

async fn root(c: &mut Clients, name: &str) -> pb::Category {
    categories(c)
        .await
        .into_iter()
        .find(|x| x.name == name && x.parent_id.is_none())
        .expect("root")
}

async fn category(c: &mut Clients, name: &str, parent_id: i64) -> pb::Category {
    c.drugs
        .create_category(pb::CreateCategoryRequest {
            name: name.into(),
            parent_id,
        })
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
        .into_inner()
}

async fn unit(
    c: &mut Clients,
    name: &str,
    capacity: &str,
    capacity_unit: &str,
) -> pb::ContainerUnit {
    c.drugs
        .create_unit(pb::UnitInput {
            name: name.into(),
            capacity: capacity.into(),
            capacity_unit: capacity_unit.into(),
            note: String::new(),
        })
        .await
        .expect("unit")
        .into_inner()
}

fn drug(name: &str, category_id: i64, unit_id: i64, purchase: &str, sale: &str) -> pb::DrugInput {
    pb::DrugInput {
        name: name.into(),
        trade_name: String::new(),
        specification: "0.25g×24粒".into(),
        dosage_form: "胶囊剂".into(),
        manufacturer: "华北制药".into(),
        approval_number: "国药准字H13022577".into(),
        category_id,
        unit_id,
        purchase_price: purchase.into(),
        sale_price: sale.into(),
        note: String::new(),
    }
}

async fn search(c: &mut Clients, query: &str, category_id: Option<i64>) -> Vec<pb::Drug> {
    c.drugs
        .search_drugs(pb::SearchDrugsRequest {
            query: query.into(),
            category_id,
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner()
        .drugs
}

#[tokio::test]
async fn the_tree_goes_three_levels_deep_moves_subtrees_and_guards_deletes() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let own = root(&mut admin, "自产类").await;
    assert_eq!(agency.origin, pb::DrugOrigin::Agency as i32);
    assert_eq!(own.origin, pb::DrugOrigin::SelfProduced as i32);

    let antibiotics = category(&mut admin, "抗生素", agency.id).await;
    let penicillins = category(&mut admin, "青霉素类", antibiotics.id).await;
    let semi = category(&mut admin, "半合成青霉素", penicillins.id).await;
    let cephalo = category(&mut admin, "头孢类", antibiotics.id).await;
    let tree = categories(&mut admin).await;
    let names: Vec<_> = tree.iter().map(|c| c.name.as_str()).collect();
    // Parents before children, siblings in order.
    assert_eq!(
        names,
        [
            "代理类",
            "抗生素",
            "青霉素类",
            "半合成青霉素",
            "头孢类",
            "自产类"
        ]
    );

    // Reorder: 头孢类 first among its siblings.
    let moved = admin
        .drugs
        .update_category(pb::UpdateCategoryRequest {
            id: cephalo.id,
            version: cephalo.version,
            name: cephalo.name.clone(),
            parent_id: antibiotics.id,
            sort_order: 0,
        })
        .await
        .expect("reorder")
        .into_inner();
    assert_eq!(moved.sort_order, 0);
    let names: Vec<_> = categories(&mut admin)
        .await
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "代理类",
            "抗生素",
            "头孢类",
            "青霉素类",
            "半合成青霉素",
            "自产类"
        ]
    );

    // Never under itself or its own subtree.
    let antibiotics = categories(&mut admin)
        .await
        .into_iter()
        .find(|c| c.id == antibiotics.id)
        .expect("again");
    let status = admin
        .drugs
        .update_category(pb::UpdateCategoryRequest {
            id: antibiotics.id,
            version: antibiotics.version,
            name: antibiotics.name.clone(),
            parent_id: semi.id,
            sort_order: 0,
        })
        .await
        .expect_err("under its own grandchild");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(zh_message(&status).expect("zh").contains("下级类别"));

    // Moving the subtree under 自产类 makes all of it self-produced.
    admin
        .drugs
        .update_category(pb::UpdateCategoryRequest {
            id: antibiotics.id,
            version: antibiotics.version,
            name: antibiotics.name.clone(),
            parent_id: own.id,
            sort_order: 0,
        })
        .await
        .expect("move");
    for c in categories(&mut admin).await {
        if [antibiotics.id, penicillins.id, semi.id, cephalo.id].contains(&c.id) {
            assert_eq!(c.origin, pb::DrugOrigin::SelfProduced as i32, "{}", c.name);
        }
    }

    // The siblings left behind close ranks; a name may not contain a path separator.
    let left_behind = categories(&mut admin)
        .await
        .into_iter()
        .filter(|c| c.parent_id == Some(agency.id))
        .count();
    assert_eq!(left_behind, 0, "抗生素 left 代理类 empty");
    let status = admin
        .drugs
        .create_category(pb::CreateCategoryRequest {
            name: "抗生素/抗菌药".into(),
            parent_id: agency.id,
        })
        .await
        .expect_err("separator");
    assert_eq!(bad_fields(&status), ["name"]);

    // A category with children or drugs cannot be deleted; the sentence says how many.
    let antibiotics = categories(&mut admin)
        .await
        .into_iter()
        .find(|c| c.id == antibiotics.id)
        .expect("again");
    let status = admin
        .drugs
        .delete_category(pb::DeleteRequest {
            id: antibiotics.id,
            version: antibiotics.version,
        })
        .await
        .expect_err("has children");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("2 sub-categor"),
        "{}",
        status.message()
    );
    let box24 = unit(&mut admin, "盒", "24", "粒").await;
    admin
        .drugs
        .create_drug(drug("阿莫西林胶囊", semi.id, box24.id, "8", "12"))
        .await
        .expect("drug");
    let semi_now = categories(&mut admin)
        .await
        .into_iter()
        .find(|c| c.id == semi.id)
        .expect("semi");
    assert_eq!(semi_now.drug_count, 1);
    let antibiotics_now = categories(&mut admin)
        .await
        .into_iter()
        .find(|c| c.id == antibiotics.id)
        .expect("a");
    assert_eq!(antibiotics_now.subtree_drug_count, 1);
    let status = admin
        .drugs
        .delete_category(pb::DeleteRequest {
            id: semi_now.id,
            version: semi_now.version,
        })
        .await
        .expect_err("holds a drug");
    assert!(zh_message(&status).expect("zh").contains("1 种药品"));
    let cephalo_now = categories(&mut admin)
        .await
        .into_iter()
        .find(|c| c.id == cephalo.id)
        .expect("c");
    admin
        .drugs
        .delete_category(pb::DeleteRequest {
            id: cephalo_now.id,
            version: cephalo_now.version,
        })
        .await
        .expect("an empty leaf goes");

    // Moving a node out renumbers the siblings it leaves, so positions stay 0, 1, 2….
    let x = category(&mut admin, "甲", agency.id).await;
    let y = category(&mut admin, "乙", agency.id).await;
    let z = category(&mut admin, "丙", agency.id).await;
    assert_eq!((x.sort_order, y.sort_order, z.sort_order), (0, 1, 2));
    admin
        .drugs
        .update_category(pb::UpdateCategoryRequest {
            id: y.id,
            version: y.version,
            name: y.name.clone(),
            parent_id: own.id,
            sort_order: i32::MAX,
        })
        .await
        .expect("move out");
    let orders: Vec<(String, i32)> = categories(&mut admin)
        .await
        .into_iter()
        .filter(|c| c.parent_id == Some(agency.id))
        .map(|c| (c.name, c.sort_order))
        .collect();
    assert_eq!(orders, [("甲".to_owned(), 0), ("丙".to_owned(), 1)]);

    // The top-level classes stay.
    let status = admin
        .drugs
        .delete_category(pb::DeleteRequest {
            id: agency.id,
            version: agency.version,
        })
        .await
        .expect_err("root");
    assert_eq!(status.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn prices_round_trip_exactly_and_bad_fields_are_named() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let leaf = category(&mut admin, "抗生素", agency.id).await;
    let bottle = unit(&mut admin, "瓶", "100", "ml").await;

    let saved = admin
        .drugs
        .create_drug(drug("阿莫西林", leaf.id, bottle.id, "12.3456", "20.1"))
        .await
        .expect("create")
        .into_inner();
    assert!(saved.warnings.is_empty());
    let d = saved.drug.expect("drug");
    assert_eq!(d.purchase_price, "12.3456");
    assert_eq!(d.sale_price, "20.10");
    assert_eq!(d.unit_label, "瓶（100ml）");
    assert_eq!(d.category_path, "代理类 › 抗生素");
    assert_eq!(d.origin, pb::DrugOrigin::Agency as i32);
    let again = admin
        .drugs
        .get_drug(pb::GetDrugRequest { id: d.id })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(again.purchase_price, "12.3456");

    // Below the purchase price: allowed, with a warning.
    let cheap = admin
        .drugs
        .create_drug(pb::DrugInput {
            specification: "0.5g×12粒".into(),
            ..drug("阿莫西林", leaf.id, bottle.id, "10", "9.99")
        })
        .await
        .expect("allowed")
        .into_inner();
    assert_eq!(cheap.warnings.len(), 1);
    assert_eq!(cheap.warnings[0].field, "sale_price");

    // Every bad field at once, by name.
    let status = admin
        .drugs
        .create_drug(pb::DrugInput {
            name: "  ".into(),
            purchase_price: "-1".into(),
            sale_price: "1.23456".into(),
            ..drug("x", leaf.id, bottle.id, "", "")
        })
        .await
        .expect_err("invalid");
    assert_eq!(status.code(), Code::InvalidArgument);
    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(fields, ["name", "purchase_price", "sale_price"]);
    let status = admin
        .drugs
        .create_drug(drug("布洛芬", leaf.id, bottle.id, "12,5", "abc"))
        .await
        .expect_err("malformed");
    assert_eq!(bad_fields(&status), ["purchase_price", "sale_price"]);
    let status = admin
        .drugs
        .create_drug(drug("布洛芬", 999_999, 999_999, "1", "2"))
        .await
        .expect_err("unknown references");
    let mut fields = bad_fields(&status);
    fields.sort();
    assert_eq!(fields, ["category_id", "unit_id"]);

    // The same name, specification and manufacturer twice.
    let status = admin
        .drugs
        .create_drug(drug("阿莫西林", leaf.id, bottle.id, "1", "2"))
        .await
        .expect_err("duplicate");
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
}

#[tokio::test]
async fn pinyin_initials_find_drugs_by_either_reading_within_a_category_subtree() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let own = root(&mut admin, "自产类").await;
    let antibiotics = category(&mut admin, "抗生素", agency.id).await;
    let penicillins = category(&mut admin, "青霉素类", antibiotics.id).await;
    let hormones = category(&mut admin, "激素类", own.id).await;
    let b = unit(&mut admin, "盒", "24", "粒").await;
    for (name, cat) in [
        ("阿莫西林胶囊", penicillins.id),
        ("重组人胰岛素", hormones.id),
        ("布洛芬缓释胶囊", own.id),
    ] {
        admin
            .drugs
            .create_drug(drug(name, cat, b.id, "1", "2"))
            .await
            .expect(name);
    }
    let names = |drugs: Vec<pb::Drug>| drugs.into_iter().map(|d| d.name).collect::<Vec<_>>();
    assert_eq!(
        names(search(&mut admin, "amxl", None).await),
        ["阿莫西林胶囊"]
    );
    assert_eq!(
        names(search(&mut admin, "AMXL", None).await),
        ["阿莫西林胶囊"]
    );
    // 重 reads zhòng or chóng: either finds it.
    assert_eq!(
        names(search(&mut admin, "czr", None).await),
        ["重组人胰岛素"]
    );
    assert_eq!(
        names(search(&mut admin, "zzr", None).await),
        ["重组人胰岛素"]
    );
    // Other columns: approval number, manufacturer, name.
    assert_eq!(search(&mut admin, "H13022577", None).await.len(), 3);
    assert_eq!(
        names(search(&mut admin, "缓释", None).await),
        ["布洛芬缓释胶囊"]
    );
    // A category filter takes its whole subtree.
    assert_eq!(
        names(search(&mut admin, "", Some(antibiotics.id)).await),
        ["阿莫西林胶囊"]
    );
    assert_eq!(search(&mut admin, "", Some(own.id)).await.len(), 2);
    // Names sort by pinyin: a(莫西林), b(洛芬), c/z(重组).
    assert_eq!(
        names(search(&mut admin, "", None).await),
        ["阿莫西林胶囊", "布洛芬缓释胶囊", "重组人胰岛素"]
    );
}

#[tokio::test]
async fn a_sales_rep_reads_the_catalogue_but_cannot_change_it() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let b = unit(&mut admin, "盒", "10", "支").await;
    admin
        .drugs
        .create_drug(drug("头孢克肟", agency.id, b.id, "3", "5"))
        .await
        .expect("drug");

    let mut rep = app
        .user_with_positions("drug-reader", &["营销员"], None)
        .await;
    assert_eq!(search(&mut rep, "tbkw", None).await.len(), 1);
    let status = rep
        .drugs
        .create_drug(drug("头孢", agency.id, b.id, "3", "5"))
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert!(status.message().contains("drug.write"));
    let status = rep
        .drugs
        .create_category(pb::CreateCategoryRequest {
            name: "x".into(),
            parent_id: agency.id,
        })
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = rep
        .drugs
        .create_unit(pb::UnitInput {
            name: "袋".into(),
            capacity: "1".into(),
            capacity_unit: "g".into(),
            note: String::new(),
        })
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn a_stale_drug_edit_is_refused_and_units_in_use_are_archived_not_deleted() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let b = unit(&mut admin, "盒", "24", "粒").await;
    let d = admin
        .drugs
        .create_drug(drug("阿莫西林", agency.id, b.id, "8", "12"))
        .await
        .expect("drug")
        .into_inner()
        .drug
        .expect("drug");
    let edit = |version, price: &str| pb::UpdateDrugRequest {
        id: d.id,
        version,
        drug: Some(drug("阿莫西林", agency.id, b.id, "8", price)),
    };
    let updated = admin
        .drugs
        .update_drug(edit(d.version, "13.5"))
        .await
        .expect("edit")
        .into_inner();
    assert_eq!(updated.drug.expect("drug").sale_price, "13.50");
    let status = admin
        .drugs
        .update_drug(edit(d.version, "14"))
        .await
        .expect_err("stale");
    assert_eq!(status.code(), Code::Aborted);

    let status = admin
        .drugs
        .delete_unit(pb::DeleteRequest {
            id: b.id,
            version: b.version,
        })
        .await
        .expect_err("in use");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(zh_message(&status).expect("zh").contains("只能归档"));
    let archived = admin
        .drugs
        .set_unit_active(pb::SetActiveRequest {
            id: b.id,
            version: b.version,
            is_active: false,
        })
        .await
        .expect("archive")
        .into_inner();
    assert!(!archived.is_active);
    // Not offered for new drugs…
    let status = admin
        .drugs
        .create_drug(drug("布洛芬", agency.id, b.id, "1", "2"))
        .await
        .expect_err("archived unit");
    assert_eq!(bad_fields(&status), ["unit_id"]);
    // …but the drugs that have it keep it.
    let current = admin
        .drugs
        .get_drug(pb::GetDrugRequest { id: d.id })
        .await
        .expect("get")
        .into_inner();
    admin
        .drugs
        .update_drug(edit(current.version, "15"))
        .await
        .expect("keeps its archived unit");

    // A drug nothing refers to can be deleted; archiving hides it from the default search.
    let current = admin
        .drugs
        .get_drug(pb::GetDrugRequest { id: d.id })
        .await
        .expect("get")
        .into_inner();
    admin
        .drugs
        .set_drug_active(pb::SetActiveRequest {
            id: d.id,
            version: current.version,
            is_active: false,
        })
        .await
        .expect("archive drug");
    assert!(search(&mut admin, "amxl", None).await.is_empty());
    let current = admin
        .drugs
        .get_drug(pb::GetDrugRequest { id: d.id })
        .await
        .expect("get")
        .into_inner();
    admin
        .drugs
        .delete_drug(pb::DeleteRequest {
            id: d.id,
            version: current.version,
        })
        .await
        .expect("delete");
}

fn as_refs(rows: &[[String; 11]]) -> Vec<[&str; 11]> {
    rows.iter()
        .map(|r| std::array::from_fn(|i| r[i].as_str()))
        .collect()
}

/// A workbook in the template's layout.
fn workbook(rows: &[[&str; 11]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "通用名*",
        "商品名",
        "规格*",
        "剂型",
        "生产企业*",
        "批准文号",
        "药品类别*",
        "容器单位*",
        "进价*",
        "售价*",
        "备注",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(c).expect("column"), *h)
            .expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (
                u32::try_from(r + 1).expect("row"),
                u16::try_from(c).expect("column"),
            );
            // Prices as real numbers, as users type them in Excel.
            match value.parse::<f64>() {
                Ok(n) if (8..=9).contains(&c) => sheet.write_number(r, c, n).expect("number"),
                _ => sheet.write_string(r, c, *value).expect("text"),
            };
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn the_template_downloads_and_an_import_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = root(&mut admin, "代理类").await;
    let antibiotics = category(&mut admin, "抗生素", agency.id).await;
    category(&mut admin, "青霉素类", antibiotics.id).await;
    unit(&mut admin, "盒", "24", "粒").await;

    // The template lists the category paths and units the import accepts.
    let template = admin
        .drugs
        .drug_import_template(())
        .await
        .expect("template")
        .into_inner();
    assert!(template.file_name.ends_with(".xlsx"));
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(template.workbook.clone())).expect("xlsx");
        let names = book.sheet_names().to_vec();
        assert_eq!(names, ["药品", "药品类别", "容器单位"]);
        let paths = book.worksheet_range("药品类别").expect("sheet");
        assert!(paths.rows().any(|r| r[0] == "代理类 › 抗生素 › 青霉素类"));
    }

    let row =
        |name: &str, category: &str, unit: &str, purchase: &str, sale: &str| -> [String; 11] {
            [
                name.into(),
                String::new(),
                "0.25g×24粒".into(),
                "胶囊剂".into(),
                "华北制药".into(),
                String::new(),
                category.into(),
                unit.into(),
                purchase.into(),
                sale.into(),
                String::new(),
            ]
        };
    let path = "代理类/抗生素/青霉素类";
    let mut rows: Vec<[String; 11]> = (1..=10)
        .map(|i| {
            row(
                &format!("青霉素{i}号"),
                path,
                "盒（24粒）",
                "8.5",
                "12.3456",
            )
        })
        .collect();
    rows[3] = row("坏行一", "代理类/没有这个类", "盒", "8.5", "9");
    rows[6] = row("坏行二", path, "盒", "-2", "1.23456");

    let outcome = admin
        .drugs
        .import_drugs(pb::ImportDrugsRequest {
            workbook: workbook(&as_refs(&rows)),
        })
        .await
        .expect("import")
        .into_inner();
    assert_eq!(outcome.imported, 0, "all or nothing");
    let refused: Vec<_> = outcome
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(
        refused,
        [(5, "category"), (8, "purchase_price"), (8, "sale_price")]
    );
    assert!(
        search(&mut admin, "qms", None).await.is_empty(),
        "nothing was written"
    );

    rows[3] = row("青霉素4号", path, "盒", "8.5", "0.30000000000000004");
    rows[6] = row("青霉素7号", path, "盒（24粒）", "8.5", "12.3456");
    let outcome = admin
        .drugs
        .import_drugs(pb::ImportDrugsRequest {
            workbook: workbook(&as_refs(&rows)),
        })
        .await
        .expect("import")
        .into_inner();
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.imported, 10);
    let imported = admin
        .drugs
        .search_drugs(pb::SearchDrugsRequest {
            query: "qms".into(),
            page: Some(pb::PageRequest {
                offset: 0,
                limit: 50,
            }),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert_eq!(imported.total, 10);
    // A number Excel computed (0.1 + 0.2) comes in as the 0.30 it shows.
    let computed = imported
        .drugs
        .iter()
        .find(|d| d.name == "青霉素4号")
        .expect("row 5");
    assert_eq!(computed.sale_price, "0.30");
    assert!(
        imported
            .drugs
            .iter()
            .filter(|d| d.name != "青霉素4号")
            .all(|d| d.sale_price == "12.3456" && d.purchase_price == "8.50")
    );

    // Importing the same again: every row is a duplicate, nothing changes.
    let outcome = admin
        .drugs
        .import_drugs(pb::ImportDrugsRequest {
            workbook: workbook(&as_refs(&rows)),
        })
        .await
        .expect("import")
        .into_inner();
    assert_eq!(outcome.imported, 0);
    assert_eq!(outcome.errors.len(), 10);

    // Not a workbook at all: a field error, not a crash.
    let status = admin
        .drugs
        .import_drugs(pb::ImportDrugsRequest {
            workbook: b"not a spreadsheet".to_vec(),
        })
        .await
        .expect_err("garbage");
    assert_eq!(bad_fields(&status), ["workbook"]);
}
