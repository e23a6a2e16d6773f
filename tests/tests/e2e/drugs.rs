//! The drug catalogue: the category tree, container units, drugs, pinyin search, exact
//! prices, permissions, versions, and the Excel import.

use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{
    CategoryBuilder, CategoryChange, DrugBuilder, UnitBuilder, deleting, set_active,
};
use pharmacrm_tests::{
    Clients, Refused, TestApp, assert_message_contains, assert_zh_contains, bad_fields, page,
    sorted_bad_fields, zh_message,
};
use tonic::Code;

/// The drugs `query` finds within category `category_id`'s subtree.
async fn search(c: &mut Clients, query: &str, category_id: Option<i64>) -> Vec<pb::Drug> {
    c.drugs_matching(query, category_id).await.drugs
}

#[tokio::test]
async fn the_tree_goes_three_levels_deep_moves_subtrees_and_guards_deletes() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    let own = admin.top_category("自产类").await;
    assert_eq!(agency.origin, pb::DrugOrigin::Agency as i32);
    assert_eq!(own.origin, pb::DrugOrigin::SelfProduced as i32);

    let [antibiotics, penicillins, semi] = admin
        .nested_categories(agency.id, ["抗生素", "青霉素类", "半合成青霉素"])
        .await;
    let cephalo = CategoryBuilder::new("头孢类", antibiotics.id)
        .create(&mut admin)
        .await;
    let tree = admin.categories().await;
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
    let moved = CategoryChange::of(&cephalo)
        .placed(antibiotics.id, 0)
        .save(&mut admin)
        .await;
    assert_eq!(moved.sort_order, 0);
    let names: Vec<_> = admin
        .categories()
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
    let antibiotics = admin.category(antibiotics.id).await;
    let status = CategoryChange::of(&antibiotics)
        .placed(semi.id, 0)
        .try_save(&mut admin)
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "下级类别");

    // Moving the subtree under 自产类 makes all of it self-produced.
    CategoryChange::of(&antibiotics)
        .placed(own.id, 0)
        .save(&mut admin)
        .await;
    for c in admin.categories().await {
        if [antibiotics.id, penicillins.id, semi.id, cephalo.id].contains(&c.id) {
            assert_eq!(c.origin, pb::DrugOrigin::SelfProduced as i32, "{}", c.name);
        }
    }

    // The siblings left behind close ranks; a name may not contain a path separator.
    let left_behind = admin
        .categories()
        .await
        .into_iter()
        .filter(|c| c.parent_id == Some(agency.id))
        .count();
    assert_eq!(left_behind, 0, "抗生素 left 代理类 empty");
    let status = CategoryBuilder::new("抗生素/抗菌药", agency.id)
        .try_create(&mut admin)
        .await
        .expect_err("separator");
    assert_eq!(bad_fields(&status), ["name"]);

    // A category with children or drugs cannot be deleted; the sentence says how many.
    let antibiotics = admin.category(antibiotics.id).await;
    let status = admin
        .delete_category(&antibiotics)
        .await
        .refused(Code::FailedPrecondition);
    assert_message_contains(&status, "2 sub-categor");
    let box24 = UnitBuilder::new("盒").create(&mut admin).await;
    DrugBuilder::new("阿莫西林胶囊", semi.id, box24.id)
        .priced("8", "12")
        .create(&mut admin)
        .await;
    let semi_now = admin.category(semi.id).await;
    assert_eq!(semi_now.drug_count, 1);
    let antibiotics_now = admin.category(antibiotics.id).await;
    assert_eq!(antibiotics_now.subtree_drug_count, 1);
    let status = admin
        .delete_category(&semi_now)
        .await
        .expect_err("holds a drug");
    assert_zh_contains(&status, "1 种药品");
    // Archived, the drug is counted no more (the tree counts what its lists show in use),
    // and still holds the category (it refers to it), which the refusal says.
    let drug = search(&mut admin, "amxl", None).await.remove(0);
    admin.archive_drug(&drug).await;
    let semi_now = admin.category(semi.id).await;
    let antibiotics_now = admin.category(antibiotics.id).await;
    assert_eq!(
        (semi_now.drug_count, antibiotics_now.subtree_drug_count),
        (0, 0)
    );
    let status = admin
        .delete_category(&semi_now)
        .await
        .expect_err("holds an archived drug");
    assert_zh_contains(&status, "1 种药品（含已归档的）");
    // Only what it holds is named: no "0 个下级类别".
    let zh = zh_message(&status).expect("a zh-CN message");
    assert!(!zh.contains("下级类别"), "{zh}");
    let cephalo_now = admin.category(cephalo.id).await;
    admin
        .delete_category(&cephalo_now)
        .await
        .expect("an empty leaf goes");

    // Moving a node out renumbers the siblings it leaves, so positions stay 0, 1, 2….
    let mut siblings = Vec::new();
    for name in ["甲", "乙", "丙"] {
        siblings.push(
            CategoryBuilder::new(name, agency.id)
                .create(&mut admin)
                .await,
        );
    }
    let orders: Vec<_> = siblings.iter().map(|c| c.sort_order).collect();
    assert_eq!(orders, [0, 1, 2]);
    CategoryChange::of(&siblings[1])
        .placed(own.id, i32::MAX)
        .save(&mut admin)
        .await;
    let orders: Vec<(String, i32)> = admin
        .categories()
        .await
        .into_iter()
        .filter(|c| c.parent_id == Some(agency.id))
        .map(|c| (c.name, c.sort_order))
        .collect();
    assert_eq!(orders, [("甲".to_owned(), 0), ("丙".to_owned(), 1)]);

    // The top-level classes stay.
    admin
        .delete_category(&agency)
        .await
        .refused(Code::FailedPrecondition);
}

#[tokio::test]
async fn prices_round_trip_exactly_and_bad_fields_are_named() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    let leaf = CategoryBuilder::new("抗生素", agency.id)
        .create(&mut admin)
        .await;
    let bottle = UnitBuilder::new("瓶")
        .holding("100", "ml")
        .create(&mut admin)
        .await;
    let amoxicillin = DrugBuilder::new("阿莫西林", leaf.id, bottle.id);

    let saved = amoxicillin
        .clone()
        .priced("12.3456", "20.1")
        .create(&mut admin)
        .await;
    assert!(saved.warnings.is_empty());
    let d = saved.drug.expect("drug");
    assert_eq!(d.purchase_price, "12.3456");
    assert_eq!(d.sale_price, "20.10");
    assert_eq!(d.unit_label, "瓶（100ml）");
    assert_eq!(d.category_path, "代理类 › 抗生素");
    assert_eq!(d.origin, pb::DrugOrigin::Agency as i32);
    let again = admin.drug(d.id).await;
    assert_eq!(again.purchase_price, "12.3456");

    // Below the purchase price: allowed, with a warning; and the approval number (批准文号)
    // of 阿莫西林 0.25g×24粒 keyed again for another drug is said, naming it.
    let cheap = amoxicillin
        .clone()
        .specification("0.5g×12粒")
        .priced("10", "9.99")
        .create(&mut admin)
        .await;
    let fields: Vec<&str> = cheap.warnings.iter().map(|w| w.field.as_str()).collect();
    assert_eq!(fields, ["sale_price", "approval_number"]);
    assert!(
        cheap.warnings[1]
            .message_zh
            .contains("批准文号 国药准字H13022577 也用于 阿莫西林 0.25g×24粒（华北制药）"),
        "{:?}",
        cheap.warnings
    );

    // Every bad field at once, by name.
    let status = DrugBuilder::new("  ", leaf.id, bottle.id)
        .priced("-1", "1.23456")
        .try_create(&mut admin)
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(
        sorted_bad_fields(&status),
        ["name", "purchase_price", "sale_price"]
    );
    let status = DrugBuilder::new("布洛芬", leaf.id, bottle.id)
        .priced("12,5", "abc")
        .try_create(&mut admin)
        .await
        .expect_err("malformed");
    assert_eq!(bad_fields(&status), ["purchase_price", "sale_price"]);
    let status = DrugBuilder::new("布洛芬", 999_999, 999_999)
        .try_create(&mut admin)
        .await
        .expect_err("unknown references");
    assert_eq!(sorted_bad_fields(&status), ["category_id", "unit_id"]);

    // The same name, specification and manufacturer twice.
    let status = amoxicillin
        .try_create(&mut admin)
        .await
        .refused(Code::AlreadyExists);
    assert_eq!(bad_fields(&status), ["name"]);
}

#[tokio::test]
async fn pinyin_initials_find_drugs_by_either_reading_within_a_category_subtree() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    let own = admin.top_category("自产类").await;
    let [antibiotics, penicillins] = admin
        .nested_categories(agency.id, ["抗生素", "青霉素类"])
        .await;
    let hormones = CategoryBuilder::new("激素类", own.id)
        .create(&mut admin)
        .await;
    let b = UnitBuilder::new("盒").create(&mut admin).await;
    for (name, cat) in [
        ("阿莫西林胶囊", penicillins.id),
        ("重组人胰岛素", hormones.id),
        ("布洛芬缓释胶囊", own.id),
    ] {
        DrugBuilder::new(name, cat, b.id).create(&mut admin).await;
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
    let agency = admin.top_category("代理类").await;
    let b = UnitBuilder::new("盒")
        .holding("10", "支")
        .create(&mut admin)
        .await;
    DrugBuilder::new("头孢克肟", agency.id, b.id)
        .priced("3", "5")
        .create(&mut admin)
        .await;

    let mut rep = app
        .user_with_positions("drug-reader", &["营销员"], None)
        .await;
    let found = search(&mut rep, "tbkw", None).await;
    assert_eq!(found.len(), 1);
    // Cost is for those who hold drug.cost.read; a sales rep sees the sale price only.
    assert_eq!(found[0].purchase_price, "");
    assert_eq!(found[0].sale_price, "5.00");
    let status = rep
        .drugs
        .search_drugs(pb::SearchDrugsRequest {
            sort: pb::DrugSort::PurchasePrice as i32,
            ..Default::default()
        })
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "drug.cost.read");
    let status = DrugBuilder::new("头孢", agency.id, b.id)
        .priced("3", "5")
        .try_create(&mut rep)
        .await
        .refused(Code::PermissionDenied);
    assert_message_contains(&status, "drug.write");
    CategoryBuilder::new("x", agency.id)
        .try_create(&mut rep)
        .await
        .refused(Code::PermissionDenied);
    UnitBuilder::new("袋")
        .holding("1", "g")
        .try_create(&mut rep)
        .await
        .refused(Code::PermissionDenied);
}

#[tokio::test]
async fn a_stale_drug_edit_is_refused_and_units_in_use_are_archived_not_deleted() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    let b = UnitBuilder::new("盒").create(&mut admin).await;
    let amoxicillin = DrugBuilder::new("阿莫西林", agency.id, b.id);
    let d = amoxicillin
        .clone()
        .priced("8", "12")
        .create(&mut admin)
        .await
        .drug
        .expect("drug");
    let edit = |version, price: &str| {
        amoxicillin
            .clone()
            .priced("8", price)
            .replacing(d.id, version)
    };
    let updated = edit(d.version, "13.5").save(&mut admin).await;
    assert_eq!(updated.drug.expect("drug").sale_price, "13.50");
    edit(d.version, "14")
        .try_save(&mut admin)
        .await
        .refused(Code::Aborted);

    // The pack a drug is sold in keeps its capacity: a 盒 of 24 粒 does not become one of
    // 20 under the drug's 0.25g×24粒. Its name may still be corrected.
    let unit_edit = |capacity: &str, name: &str, version: i32| pb::UpdateUnitRequest {
        id: b.id,
        version,
        unit: Some(pb::UnitInput {
            name: name.into(),
            capacity: capacity.into(),
            capacity_unit: "粒".into(),
            note: String::new(),
        }),
    };
    admin
        .try_send(unit_edit("20", "盒", b.version))
        .await
        .refused_on(
            Code::FailedPrecondition,
            &["unit.capacity"],
            "盒（24粒） 是 1 种药品的包装，不能修改容量",
        );
    let renamed = admin.send(unit_edit("24.0", "小盒", b.version)).await;
    assert_eq!(
        (renamed.name.as_str(), renamed.capacity.as_str()),
        ("小盒", "24")
    );
    let b = renamed;

    let status = admin
        .drugs
        .delete_unit(deleting(&b))
        .await
        .refused(Code::FailedPrecondition);
    assert_zh_contains(&status, "只能归档");
    let archived = admin
        .drugs
        .set_unit_active(set_active(&b, false))
        .await
        .expect("archive")
        .into_inner();
    assert!(!archived.is_active);
    // Not offered for new drugs…
    let status = DrugBuilder::new("布洛芬", agency.id, b.id)
        .try_create(&mut admin)
        .await
        .expect_err("archived unit");
    assert_eq!(bad_fields(&status), ["unit_id"]);
    // …but the drugs that have it keep it.
    let current = admin.drug(d.id).await;
    edit(current.version, "15")
        .try_save(&mut admin)
        .await
        .expect("keeps its archived unit");

    // A drug nothing refers to can be deleted; archiving hides it from the default search.
    let current = admin.drug(d.id).await;
    admin.archive_drug(&current).await;
    assert!(search(&mut admin, "amxl", None).await.is_empty());
    let current = admin.drug(d.id).await;
    admin
        .drugs
        .delete_drug(deleting(&current))
        .await
        .expect("delete");
}

/// Imports the workbook of `rows` as `by`.
async fn import<S: AsRef<str>>(by: &mut Clients, rows: &[[S; 11]]) -> pb::ImportDrugsResponse {
    let request = pb::ImportDrugsRequest {
        workbook: workbook(rows),
    };
    by.drugs
        .import_drugs(request)
        .await
        .expect("import")
        .into_inner()
}

/// A workbook in the template's layout.
fn workbook<S: AsRef<str>>(rows: &[[S; 11]]) -> Vec<u8> {
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
            let value = value.as_ref();
            match value.parse::<f64>() {
                Ok(n) if (8..=9).contains(&c) => sheet.write_number(r, c, n).expect("number"),
                _ => sheet.write_string(r, c, value).expect("text"),
            };
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn the_template_downloads_and_an_import_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    admin
        .nested_categories(agency.id, ["抗生素", "青霉素类"])
        .await;
    UnitBuilder::new("盒").create(&mut admin).await;

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
    rows[6] = row("坏行二", path, "", "-2", "1.23456");

    let outcome = import(&mut admin, &rows).await;
    assert_eq!(outcome.imported, 0, "all or nothing");
    let refused: Vec<_> = outcome
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (5, "category"),
            (8, "unit"),
            (8, "purchase_price"),
            (8, "sale_price")
        ]
    );
    assert_eq!(outcome.errors[1].message_zh, "必填");
    assert!(
        search(&mut admin, "qms", None).await.is_empty(),
        "nothing was written"
    );

    rows[3] = row("青霉素4号", path, "盒", "8.5", "0.30000000000000004");
    // The unit's label with half-width brackets and a space, as often typed.
    rows[6] = row("青霉素7号", path, "盒 (24粒)", "8.5", "12.3456");
    // What the drug form would say of them is said of the rows imported: two sharing an
    // approval number, two sold below their purchase price (row 5's is 0.30).
    rows[0][5] = "国药准字H10950224".into();
    rows[1][5] = "国药准字H10950224".into();
    rows[2][8] = "13".into();
    let outcome = import(&mut admin, &rows).await;
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.imported, 10);
    let warned: Vec<_> = outcome
        .warnings
        .iter()
        .map(|w| (w.row, w.field.as_str()))
        .collect();
    assert_eq!(
        warned,
        [
            (2, "approval_number"),
            (3, "approval_number"),
            (4, "sale_price"),
            (5, "sale_price")
        ]
    );
    assert!(outcome.warnings[0].message_zh.contains("青霉素2号"));
    let imported = admin
        .send(pb::SearchDrugsRequest {
            query: "qms".into(),
            page: page(0, 50),
            ..Default::default()
        })
        .await;
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
            .all(|d| d.sale_price == "12.3456"
                && d.purchase_price
                    == if d.name == "青霉素3号" {
                        "13.00"
                    } else {
                        "8.50"
                    })
    );

    // Importing the same again: every row is a duplicate, nothing changes.
    let outcome = import(&mut admin, &rows).await;
    assert_eq!(outcome.imported, 0);
    assert_eq!(outcome.errors.len(), 10);
    // A row already in the catalogue is named in the same answer as a malformed one, in
    // row order (it came only once the others were mended).
    let mut mixed = rows[..2].to_vec();
    mixed[1] = row("坏行三", path, "盒", "abc", "9");
    let outcome = import(&mut admin, &mixed).await;
    let refused: Vec<_> = outcome
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(refused, [(2, "name"), (3, "purchase_price")]);

    // The template with no drug rows is refused as such, not "0 drugs imported".
    let status = admin
        .drugs
        .import_drugs(pb::ImportDrugsRequest {
            workbook: workbook::<&str>(&[]),
        })
        .await
        .expect_err("no rows");
    assert_eq!(bad_fields(&status), ["workbook"]);
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

#[tokio::test]
async fn drugs_sorted_by_sale_price_highest_first_page_by_keyset_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let agency = admin.top_category("代理类").await;
    let unit = UnitBuilder::new("盒").create(&mut admin).await;
    // Two at the same price: the tie is broken by id, the same way on every page.
    for (name, sale) in [
        ("阿莫西林胶囊", "12.8"),
        ("头孢克肟片", "36"),
        ("布洛芬缓释胶囊", "9.5"),
        ("氨溴索口服液", "12.8"),
        ("蒙脱石散", "21.05"),
    ] {
        DrugBuilder::new(name, agency.id, unit.id)
            .priced("1", sale)
            .create(&mut admin)
            .await;
    }
    let mut prices = Vec::new();
    let mut after = String::new();
    for _ in 0..3 {
        let found: pb::SearchDrugsResponse = admin
            .send(pb::SearchDrugsRequest {
                sort: pb::DrugSort::SalePrice as i32,
                descending: true,
                page: page(0, 2),
                after: after.clone(),
                ..Default::default()
            })
            .await;
        assert_eq!(found.total, 5);
        prices.extend(
            found
                .drugs
                .iter()
                .map(|d| (d.sale_price.clone(), d.name.clone())),
        );
        after = found.next_page;
        if after.is_empty() {
            break;
        }
    }
    let sale: Vec<&str> = prices.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(sale, ["36.00", "21.05", "12.80", "12.80", "9.50"]);
    let mut names: Vec<&str> = prices.iter().map(|(_, n)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 5, "every drug once: {prices:?}");

    // A page marker not given for this order (a name's kept across a change of sort or
    // of direction, or a forged one) is refused naming `after`, with the request's other
    // bad fields: read as a place in another order it would repeat or skip drugs.
    let first_page = |sort: pb::DrugSort| pb::SearchDrugsRequest {
        sort: sort as i32,
        descending: true,
        page: page(0, 2),
        ..Default::default()
    };
    let by_name: pb::SearchDrugsResponse = admin.send(first_page(pb::DrugSort::Name)).await;
    let by_price: pb::SearchDrugsResponse = admin.send(first_page(pb::DrugSort::SalePrice)).await;
    // A price marker whose price is not a number.
    let (id_and_order, _) = by_price.next_page.rsplit_once(':').expect("id:order:key");
    let forged_price = format!("{id_and_order}:abc");
    for (sort, descending, after) in [
        (pb::DrugSort::SalePrice, true, by_name.next_page.as_str()),
        (pb::DrugSort::UpdatedAt, true, by_name.next_page.as_str()),
        (pb::DrugSort::Category, true, by_name.next_page.as_str()),
        (pb::DrugSort::Name, false, by_name.next_page.as_str()),
        (pb::DrugSort::SalePrice, false, by_price.next_page.as_str()),
        (pb::DrugSort::SalePrice, true, forged_price.as_str()),
        (pb::DrugSort::Status, true, "1:maybe"),
    ] {
        let fields = admin
            .bad_fields_of(pb::SearchDrugsRequest {
                descending,
                after: after.into(),
                ..first_page(sort)
            })
            .await;
        assert_eq!(fields, ["after"], "{sort:?} after {after}");
    }
    let fields = admin
        .bad_fields_of(pb::SearchDrugsRequest {
            category_id: Some(-1),
            status: 99,
            after: "x".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(fields, ["category_id", "status", "after"]);
}
