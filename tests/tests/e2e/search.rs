//! Customer and drug search through the indexed grams: pinyin (full, initials, or the two
//! mixed) exact for any number of multi-reading characters, keyset paging, and the count
//! past its cap.

use diesel::RunQueryDsl;
use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{CustomerBuilder, DrugBuilder, Person, UnitBuilder};
use pharmacrm_tests::{Refused, TestApp, bad_fields, page};
use tonic::Code;

fn names(found: &pb::SearchCustomersResponse) -> Vec<&str> {
    found.customers.iter().map(|c| c.name.as_str()).collect()
}

#[tokio::test]
async fn initials_find_names_whatever_their_multi_reading_characters() {
    let app = TestApp::spawn().await;
    let team = app
        .customer_team("长沙市长寿堂大药房", "rep-s", "cs-s")
        .await;
    let mut rep = team.rep;
    for name in ["长春市长生大药房", "北京协和医院"] {
        CustomerBuilder::new(name)
            .served_by(team.cs.id)
            .create(&mut rep)
            .await;
    }
    for (query, expected) in [
        ("cs", vec!["长春市长生大药房", "长沙市长寿堂大药房"]),
        ("csscstdyf", vec!["长沙市长寿堂大药房"]),
        ("CSSCSTDYF", vec!["长沙市长寿堂大药房"]),
        ("zssz", vec!["长沙市长寿堂大药房"]),
        ("ccsc", vec!["长春市长生大药房"]),
        ("ccscsdyf", vec!["长春市长生大药房"]),
        ("dyf", vec!["长春市长生大药房", "长沙市长寿堂大药房"]),
        ("bjxh", vec!["北京协和医院"]),
        ("协和", vec!["北京协和医院"]),
        ("长寿堂", vec!["长沙市长寿堂大药房"]),
        ("xhbj", vec![]),
        ("cscc", vec![]),
        // Full pinyin, and full pinyin mixed with initials.
        ("changsha", vec!["长沙市长寿堂大药房"]),
        ("ChangChun", vec!["长春市长生大药房"]),
        ("xiehe", vec!["北京协和医院"]),
        ("beijingxhyy", vec!["北京协和医院"]),
        ("changsscstdyf", vec!["长沙市长寿堂大药房"]),
        ("zhangshou", vec!["长沙市长寿堂大药房"]),
        ("dayaofang", vec!["长春市长生大药房", "长沙市长寿堂大药房"]),
        ("changs", vec!["长春市长生大药房", "长沙市长寿堂大药房"]),
        ("chun", vec!["长春市长生大药房"]),
        // As an input method may leave it: syllables apart, full-width letters.
        ("xie he", vec!["北京协和医院"]),
        ("chang'sha", vec!["长沙市长寿堂大药房"]),
        ("ｘｉｅｈｅ", vec!["北京协和医院"]),
        ("ＢＪＸＨ", vec!["北京协和医院"]),
        // The characters one knows, the rest in pinyin.
        ("北京xh", vec!["北京协和医院"]),
        ("长春shi", vec!["长春市长生大药房"]),
        ("北京yy", vec![]),
        // Not from the start of a reading, nor skipping a character.
        ("hang", vec![]),
        ("angsha", vec![]),
        ("changshashou", vec![]),
    ] {
        let found = rep.customers_matching(query).await;
        assert_eq!(names(&found), expected, "query {query}");
        assert!(found.total_is_exact);
        assert_eq!(found.total, expected.len() as u64, "query {query}");
    }
}

#[tokio::test]
async fn contacts_and_phones_match_anywhere_and_wildcards_are_literal() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("北京协和医院", "rep-p", "cs-p").await;
    let mut rep = team.rep;
    CustomerBuilder::new("100%药房")
        .phone("13800138000")
        .served_by(team.cs.id)
        .create(&mut rep)
        .await;
    assert_eq!(
        names(&rep.customers_matching("6915").await),
        ["北京协和医院"]
    );
    assert_eq!(names(&rep.customers_matching("张主任").await).len(), 2);
    assert_eq!(
        names(&rep.customers_matching("0013800").await),
        ["100%药房"]
    );
    assert_eq!(names(&rep.customers_matching("100%").await), ["100%药房"]);
    assert!(names(&rep.customers_matching("1_0").await).is_empty());
}

#[tokio::test]
async fn a_phone_is_found_however_its_digits_are_grouped_or_typed() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("长沙市第一医院", "rep-d", "cs-d").await;
    let mut rep = team.rep;
    CustomerBuilder::new("长沙市长寿堂大药房")
        .phone("0731-28561000")
        .served_by(team.cs.id)
        .create(&mut rep)
        .await;
    CustomerBuilder::new("湘雅诊所")
        .phone("139 0733 0001")
        .served_by(team.cs.id)
        .create(&mut rep)
        .await;
    // A caller reads the number out; the CS rep types it as they hear it.
    for (query, expected) in [
        ("073128561000", vec!["长沙市长寿堂大药房"]),
        ("0731 2856 1000", vec!["长沙市长寿堂大药房"]),
        ("2856 1000", vec!["长沙市长寿堂大药房"]),
        ("0731-2856", vec!["长沙市长寿堂大药房"]),
        ("１３９ ０７３３", vec!["湘雅诊所"]),
        ("139-0733-0001", vec!["湘雅诊所"]),
        ("+86 139 0733 0001", vec!["湘雅诊所"]),
        ("8613907330001", vec!["湘雅诊所"]),
        ("(0731)28561000", vec!["长沙市长寿堂大药房"]),
        ("（0731）2856.1000", vec!["长沙市长寿堂大药房"]),
        ("01069156114", vec!["长沙市第一医院"]),
        ("0731 2856 1001", vec![]),
    ] {
        let found = rep.customers_matching(query).await;
        assert_eq!(names(&found), expected, "query {query}");
    }
}

#[tokio::test]
async fn customers_stored_before_the_digit_grams_are_found_by_their_phones_digits() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("长沙市第一医院", "rep-m", "cs-m").await;
    let mut rep = team.rep;
    // As written before migration 2027-01-04-000002: the phone's grams as stored only.
    diesel::sql_query(
        "UPDATE customers SET search_grams = ARRAY(SELECT g FROM unnest(search_grams) g \
         WHERE NOT (g ~ '^[0-9]+$' AND strpos('01069156114', g) > 0 \
                                AND strpos('010-69156114', g) = 0))",
    )
    .execute(&mut app.sql())
    .expect("grams as before");
    assert!(names(&rep.customers_matching("01069156114").await).is_empty());
    diesel::sql_query(include_str!(
        "../../../migrations/2027-01-04-000002_phone_digits_search/up.sql"
    ))
    .execute(&mut app.sql())
    .expect("the migration");
    assert_eq!(
        names(&rep.customers_matching("01069156114").await),
        ["长沙市第一医院"]
    );
    assert_eq!(
        names(&rep.customers_matching("010 6915").await),
        ["长沙市第一医院"]
    );
}

#[tokio::test]
async fn customers_and_drugs_stored_with_initials_only_are_found_by_full_pinyin_after_a_restart() {
    let mut app = TestApp::spawn().await;
    let team = app
        .customer_team("长沙市长寿堂大药房", "rep-f", "cs-f")
        .await;
    let mut rep = team.rep;
    let mut admin = app.admin().await;
    let category = admin.top_category("代理类").await;
    let b = UnitBuilder::new("盒").create(&mut admin).await;
    let drug = DrugBuilder::new("阿莫西林胶囊", category.id, b.id)
        .create(&mut admin)
        .await
        .drug
        .expect("the drug");
    // As stored before migration 2027-01-06-000001: initials in the sets, no grams of
    // full pinyin (here: no grams of letters at all).
    for table in ["customers", "drugs"] {
        diesel::sql_query(format!(
            "UPDATE {table} SET pinyin_sets = '|x|', pinyin_grams = '{{}}', search_grams = \
               ARRAY(SELECT g FROM unnest(search_grams) g WHERE g !~ '^[a-z]+$')"
        ))
        .execute(&mut app.sql())
        .expect("columns as before");
    }
    assert!(names(&rep.customers_matching("changsha").await).is_empty());
    assert!(
        admin
            .drugs_matching("amoxilin", None)
            .await
            .drugs
            .is_empty()
    );
    // What migration 2027-01-06-000001 does to the rows stored before it (its columns
    // are there already): marks them.
    for table in ["customers", "drugs"] {
        diesel::sql_query(format!("UPDATE {table} SET pinyin_sets = ''"))
            .execute(&mut app.sql())
            .expect("the migration's marks");
    }
    // The server refills the marked rows when it starts, before it serves.
    app.restart().await;
    let mut rep = app.session_of("rep-f").await;
    assert_eq!(
        names(&rep.customers_matching("changsha").await),
        ["长沙市长寿堂大药房"]
    );
    assert_eq!(
        names(&rep.customers_matching("cs").await),
        ["长沙市长寿堂大药房"]
    );
    let mut admin = app.admin().await;
    let found = admin.drugs_matching("amoxilin", None).await;
    let ids: Vec<i64> = found.drugs.iter().map(|d| d.id).collect();
    assert_eq!(ids, [drug.id]);
    assert_eq!(found.drugs[0].pinyin_initials, "amxljn");
}

/// Inserts `n` copies of customer `template_id` named `<prefix>00001`… (their search
/// columns are the template's: they are found by what finds the template).
fn insert_many(app: &TestApp, template_id: i64, prefix: &str, n: i64) {
    diesel::sql_query(format!(
        "INSERT INTO customers (name, contact_person, phone, province_code, city_code, \
         business_kind, type_id, credit_days, sales_rep_id, cs_rep_id, search_grams, pinyin_sets, \
         pinyin_grams) \
         SELECT '{prefix}' || lpad(i::text, 5, '0'), contact_person, phone, province_code, \
                city_code, business_kind, type_id, credit_days, sales_rep_id, cs_rep_id, \
                search_grams, pinyin_sets, pinyin_grams \
           FROM customers, generate_series(1, {n}) AS i WHERE id = {template_id}"
    ))
    .execute(&mut app.sql())
    .expect("insert customers");
}

/// The names of the customers `by` finds by `query`, page after page of `size` through
/// the cursors, and the total each page said.
async fn every_page(by: &mut Person, query: &str, size: u32) -> (Vec<String>, Vec<u64>) {
    let (mut names, mut totals) = (Vec::new(), Vec::new());
    let mut after = String::new();
    loop {
        let found: pb::SearchCustomersResponse = by
            .send(pb::SearchCustomersRequest {
                query: query.into(),
                page: page(0, size),
                after: after.clone(),
                ..Default::default()
            })
            .await;
        names.extend(found.customers.iter().map(|c| c.name.clone()));
        totals.push(found.total);
        if found.next_page.is_empty() {
            return (names, totals);
        }
        after = found.next_page;
    }
}

#[tokio::test]
async fn keyset_pages_cover_every_match_once_in_pinyin_order() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("康民药房", "rep-k", "cs-k").await;
    let mut rep = team.rep;
    insert_many(&app, team.customer.id, "康民药房", 230);
    let (seen, totals) = every_page(&mut rep, "kmyf", 100).await;
    assert!(totals.iter().all(|t| *t == 231), "{totals:?}");
    assert_eq!(seen.len(), 231, "every match exactly once");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 231);
    assert_eq!(seen[0], "康民药房");
    assert_eq!(seen[1], "康民药房00001");
    assert_eq!(seen[230], "康民药房00230");
    let status = rep
        .customers
        .search_customers(pb::SearchCustomersRequest {
            after: "not a marker".into(),
            ..Default::default()
        })
        .await
        .refused(Code::InvalidArgument);
    assert_eq!(bad_fields(&status), ["after"]);
}

/// Place names sort by the place's sound, not by the commonest sound of their first
/// character: 长沙 is cháng (before 康), 厦门 xià (after 上海), but 长子县 zhǎng, through the
/// pages too.
#[tokio::test]
async fn customers_named_after_places_sort_as_the_places_are_read() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("中山医院", "rep-p", "cs-p").await;
    let mut rep = team.rep;
    for name in [
        "厦门医院",
        "康民医院",
        "长沙医院",
        "上海医院",
        "重庆医院",
        "长子县人民医院",
    ] {
        CustomerBuilder::new(name)
            .served_by(team.cs.id)
            .create(&mut rep)
            .await;
    }
    let (seen, _) = every_page(&mut rep, "医院", 2).await;
    assert_eq!(
        seen,
        [
            "长沙医院",
            "重庆医院",
            "康民医院",
            "上海医院",
            "厦门医院",
            "长子县人民医院",
            "中山医院"
        ]
    );
}

#[tokio::test]
async fn past_a_thousand_matches_the_count_is_an_estimate() {
    let app = TestApp::spawn().await;
    let team = app.customer_team("仁和药店", "rep-c", "cs-c").await;
    let mut rep = team.rep;
    CustomerBuilder::new("仁和大药房")
        .served_by(team.cs.id)
        .create(&mut rep)
        .await;
    insert_many(&app, team.customer.id, "仁和药店", 1_500);
    diesel::sql_query("ANALYZE customers")
        .execute(&mut app.sql())
        .expect("analyze");
    let found = rep.customers_matching("仁和").await;
    assert!(!found.total_is_exact);
    assert!(
        found.total > 1_000,
        "the estimate is past the cap: {}",
        found.total
    );
    assert_eq!(found.customers.len(), 50);
    let narrow = rep.customers_matching("仁和大").await;
    assert!(narrow.total_is_exact);
    assert_eq!(names(&narrow), ["仁和大药房"]);
}

#[tokio::test]
async fn a_search_far_commoner_than_postgresql_estimates_still_pages_in_pinyin_order() {
    use pharmacrm_server::db::sql::{Sql, Value, capped_count};
    let app = TestApp::spawn().await;
    let team = app.customer_team("人民医院", "rep-r", "cs-r").await;
    let mut rep = team.rep;
    let noise = CustomerBuilder::new("康民药房")
        .served_by(team.cs.id)
        .create(&mut rep)
        .await;
    insert_many(&app, team.customer.id, "人民医院", 1_500);
    insert_many(&app, noise.id, "康民药房", 30_000);
    let mut conn = app.sql();
    diesel::sql_query("ANALYZE customers")
        .execute(&mut conn)
        .expect("analyze");
    // "rmyy" needs the pinyin grams ^rmy (at a character) and myy, which PostgreSQL
    // takes as independent: it expects a few dozen customers to have both, where 1,501
    // have.
    let mut select = Sql::new("SELECT 1 FROM customers c WHERE c.pinyin_grams @> ");
    select.bind(Value::TextArray(vec!["^rmy".into(), "myy".into()]));
    let counted = capped_count(&mut conn, &select, 1_000).expect("count");
    assert!(counted.underestimated, "{counted:?}");
    assert!(!counted.exact);

    let first = rep.customers_matching("rmyy").await;
    assert!(!first.total_is_exact);
    assert!(first.total > 1_000, "{}", first.total);
    let expected: Vec<String> = std::iter::once("人民医院".to_owned())
        .chain((1..=50).map(|i| format!("人民医院{i:05}")))
        .collect();
    assert_eq!(names(&first), expected[..50]);
    let second: pb::SearchCustomersResponse = rep
        .send(pb::SearchCustomersRequest {
            query: "rmyy".into(),
            page: page(0, 50),
            after: first.next_page.clone(),
            ..Default::default()
        })
        .await;
    assert_eq!(names(&second)[0], expected[50]);
    assert_eq!(second.customers.len(), 50);
}

/// A search text longer than anything it could find (a page of text pasted into the box)
/// is refused on its field, whatever list it is for, rather than run: 10,000 characters
/// made PostgreSQL's pattern too complex (an internal error). 100 characters are searched.
#[tokio::test]
async fn a_search_text_past_100_characters_is_refused_on_its_field() {
    let app = TestApp::spawn().await;
    let mut admin = app.admin().await;
    let long = || "医".repeat(10_000);
    pharmacrm_tests::assert_bad_fields!(admin, {
        pb::SearchCustomersRequest { query: long(), ..Default::default() } => ["query"],
        pb::SearchDrugsRequest { query: long(), ..Default::default() } => ["query"],
        pb::ListInvoicesRequest { number: long(), ..Default::default() } => ["number"],
        pb::ListShipmentsRequest { batch_no: long(), ..Default::default() } => ["batch_no"],
        pb::ListUsersRequest { query: long(), ..Default::default() } => ["query"],
        pb::FindDuplicatesRequest { name: long(), ..Default::default() } => ["name"],
    });
    // At the limit, a search like any other: it finds nothing.
    let found: pb::SearchCustomersResponse = admin
        .send(pb::SearchCustomersRequest {
            query: "医".repeat(100),
            ..Default::default()
        })
        .await;
    assert!(found.customers.is_empty());
}
