//! Customer search at company size: generates 100,000 customers (through `COPY`) in a
//! fresh test database, then measures `SearchCustomers` over TLS at 1 and 16 concurrent
//! streams and prints the latency percentiles of one page (50 rows). For comparison it
//! also times the query the server used before the indexed search (ILIKE over the texts,
//! an exact count of every match, offset paging), on the same data.
//!
//! `cargo run --release -p pharmacrm-tests --bin search-bench [-- CUSTOMERS [SECONDS]]`
//! (defaults: 100000 customers, 10 seconds per run). The goal: p99 ≤ 20 ms at 16 streams.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use pharmacrm_server::db::models::customer;
use pharmacrm_server::db::schema::customers;
use pharmacrm_server::search;
use pharmacrm_shared::pb;
use pharmacrm_tests::bench::{self, Call, report, run_streams};
use pharmacrm_tests::{Clients, TestApp, page};

const CITIES: &[&str] = &[
    "北京",
    "上海",
    "广州",
    "深圳",
    "长沙",
    "长春",
    "重庆",
    "成都",
    "武汉",
    "西安",
    "南京",
    "杭州",
    "郑州",
    "济南",
    "沈阳",
    "哈尔滨",
    "昆明",
    "贵阳",
    "南宁",
    "福州",
    "厦门",
    "合肥",
    "南昌",
    "石家庄",
    "太原",
    "呼和浩特",
    "兰州",
    "银川",
    "西宁",
    "乌鲁木齐",
    "拉萨",
    "海口",
];
const WORDS: &[&str] = &[
    "协和",
    "仁和",
    "同仁",
    "长寿堂",
    "康民",
    "益丰",
    "老百姓",
    "大参林",
    "一心堂",
    "九州",
    "华润",
    "国大",
    "海王",
    "漱玉",
    "重生",
    "乐家",
    "银行",
    "和平",
    "中和",
    "长生",
    "佳和",
    "永安",
    "百草",
    "济世",
    "天和",
    "瑞康",
    "福寿",
    "普济",
    "安泰",
    "宏仁",
];
const KINDS: &[(&str, &str)] = &[
    ("医院", "hospital"),
    ("人民医院", "hospital"),
    ("中医院", "hospital"),
    ("诊所", "clinic"),
    ("社区卫生服务中心", "clinic"),
    ("大药房", "pharmacy"),
    ("药店", "pharmacy"),
    ("医药有限公司", "distributor"),
];
const SURNAMES: &[&str] = &["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &["主任", "经理", "院长", "店长", "科长", "医生"];

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.next()).unwrap_or(0) % items.len();
        &items[i]
    }
}

#[derive(Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
struct Generated {
    name: String,
    contact_person: String,
    phone: String,
    province_code: String,
    city_code: String,
    business_kind: String,
    type_id: i64,
    credit_days: i32,
    sales_rep_id: i64,
    cs_rep_id: i64,
    search_grams: Vec<String>,
    pinyin_sets: String,
    pinyin_grams: Vec<String>,
}

/// Generates `n` customers spread over `reps` (sales) and `cs` through COPY.
fn generate(conn: &mut PgConnection, n: usize, reps: &[i64], cs: i64, type_id: i64) {
    let mut rng = Lcg(2026);
    let started = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let rows: Vec<Generated> = chunk
            .iter()
            .map(|i| {
                let (kind_name, kind) = *rng.pick(KINDS);
                let name = format!(
                    "{}市{}{}{}",
                    rng.pick(CITIES),
                    rng.pick(WORDS),
                    kind_name,
                    if i % 3 == 0 {
                        format!("第{}分店", i % 97)
                    } else {
                        String::new()
                    }
                );
                let contact = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
                let phone = format!("1{}", 3_000_000_000 + rng.next() % 6_999_999_999);
                Generated {
                    search_grams: customer::search_grams(&name, &contact, &phone),
                    pinyin_sets: search::sets_text(&[&name]),
                    pinyin_grams: search::pinyin_grams(&[&name]),
                    name,
                    contact_person: contact,
                    phone,
                    province_code: "11".into(),
                    city_code: "110101".into(),
                    business_kind: kind.into(),
                    type_id,
                    credit_days: 30,
                    sales_rep_id: *rng.pick(reps),
                    cs_rep_id: cs,
                }
            })
            .collect();
        diesel::copy_from(customers::table)
            .from_insertable(&rows)
            .execute(conn)
            .expect("COPY customers");
    }
    diesel::sql_query("ANALYZE customers")
        .execute(conn)
        .expect("analyze");
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::Text)]
        size: String,
    }
    let index: Size = diesel::sql_query(
        "SELECT pg_size_pretty(pg_relation_size('customers_search_grams')) || ' + ' || \
                pg_size_pretty(pg_relation_size('customers_pinyin_grams')) AS size",
    )
    .get_result(conn)
    .expect("index size");
    println!(
        "generated {n} customers through COPY in {:.1} s; the grams' indexes take {} (full pinyin)",
        started.elapsed().as_secs_f64(),
        index.size
    );
}

/// The queries a company's reps type: short and long pinyin initials, full pinyin and
/// the two mixed, Chinese fragments, phone fragments, the unfiltered first page.
const QUERIES: &[&str] = &[
    "cs",
    "bjxh",
    "csscstdyf",
    "kmyf",
    "changsha",
    "xiehe",
    "xiehedyf",
    "dayaofang",
    "yao",
    "协和",
    "长寿堂",
    "大药房",
    "1380",
    "rmyy",
    "",
    "zyy",
    "hzsyj",
];

/// The median latency of each query, one stream (to see which kind is slow).
async fn per_query(app: &TestApp, token: &str) {
    let mut clients: Clients = app.with_token(token).await;
    for query in QUERIES {
        let (ms, total) = bench::median_search(9, async || {
            let found = clients
                .customers
                .search_customers(pb::SearchCustomersRequest {
                    query: (*query).into(),
                    page: page(0, 50),
                    ..Default::default()
                })
                .await
                .expect("search")
                .into_inner();
            (found.total, found.total_is_exact)
        })
        .await;
        println!("  {query:<12} {ms:>6.1} ms   {total} matches");
    }
}

/// 我的工作 of the CS rep who serves every customer (the widest own scope there is), each
/// customer followed up once with its next call spread over the 30 days before and after
/// today: the due follow-ups and the week ahead read in one pass over the customers.
async fn my_work(app: &TestApp, conn: &mut PgConnection, n: usize) {
    diesel::sql_query(
        "INSERT INTO customer_followups (customer_id, happened_at, method, content, result, \
                                         next_on) \
         SELECT id, now() - interval '40 days', 'visit', '拜访', '', \
                current_date + (id % 61)::int - 30 \
         FROM customers",
    )
    .execute(conn)
    .expect("follow-ups");
    diesel::sql_query("ANALYZE customer_followups")
        .execute(conn)
        .expect("analyze");
    let mut cs = app.session_of("bench-cs").await;
    let (ms, listed) = bench::median_search(9, async || {
        let work = cs
            .customers
            .my_work(())
            .await
            .expect("my work")
            .into_inner();
        let listed = work.due_followups.len() + work.upcoming_followups.len();
        (u64::try_from(listed).unwrap_or(u64::MAX), true)
    })
    .await;
    println!(
        "MyWork of the CS rep of all {n} customers, one follow-up each: {ms:.1} ms ({listed} listed)"
    );
}

/// One page of 50 customers matching `query`.
fn search<'c>(clients: &'c mut Clients, query: &'static str) -> Call<'c> {
    Box::pin(async move {
        clients
            .customers
            .search_customers(pb::SearchCustomersRequest {
                query: query.into(),
                page: page(0, 50),
                ..Default::default()
            })
            .await
            .expect("search");
    })
}

/// The query the server ran before the indexed search, on the same data (one stream).
fn before(conn: &mut PgConnection, seconds: u64) -> (Vec<Duration>, Duration) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut i = 0;
    while Instant::now() < deadline {
        let query = QUERIES[i % QUERIES.len()];
        i += 1;
        let pattern = format!("%{query}%");
        let t = Instant::now();
        let filter = "(name ILIKE $1 OR contact_person ILIKE $1 OR phone ILIKE $1)";
        diesel::sql_query(format!("SELECT count(*) FROM customers WHERE {filter}"))
            .bind::<diesel::sql_types::Text, _>(&pattern)
            .execute(conn)
            .expect("count");
        diesel::sql_query(format!(
            "SELECT id FROM customers WHERE {filter} \
             ORDER BY name COLLATE \"zh-x-icu\", id OFFSET 0 LIMIT 50"
        ))
        .bind::<diesel::sql_types::Text, _>(&pattern)
        .execute(conn)
        .expect("page");
        samples.push(t.elapsed());
    }
    (samples, started.elapsed())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    println!("(SEARCH_BENCH_KEEP=1 keeps the generated database for a look with psql)");
    let app = TestApp::spawn_with(|c| c.pool_size = 20).await;
    let mut reps = Vec::new();
    for i in 0..20 {
        reps.push(app.sales_rep(&format!("bench-rep-{i}")).await.id);
    }
    let cs = app.service_rep("bench-cs").await.id;
    let mut admin = app.admin().await;
    let type_id = admin
        .customers
        .list_customer_types(pb::ListCustomerTypesRequest::default())
        .await
        .expect("types")
        .into_inner()
        .types[0]
        .id;
    let mut conn = app.sql();
    generate(&mut conn, n, &reps, cs, type_id);
    let token = admin.token.clone();
    my_work(&app, &mut conn, n).await;
    println!("SearchCustomers, one page of 50, as an administrator (scope: all {n}):");
    per_query(&app, &token).await;
    let (samples, elapsed) = run_streams(&app, &token, 1, seconds, QUERIES, search).await;
    report("after: indexed grams, 1 stream", samples, elapsed);
    let (samples, elapsed) = run_streams(&app, &token, 16, seconds, QUERIES, search).await;
    report("after: indexed grams, 16 streams", samples, elapsed);
    // The machine's ceiling: the cheapest page there is (no query, nothing to count),
    // with the bench's own clients on the same cores.
    let (samples, elapsed) = run_streams(&app, &token, 16, seconds, &[""], search).await;
    report("floor: empty search only, 16 streams", samples, elapsed);
    let (samples, elapsed) = before(&mut conn, seconds);
    report(
        "before: ILIKE + exact count (SQL only), 1 stream",
        samples,
        elapsed,
    );
    if std::env::var_os("SEARCH_BENCH_KEEP").is_some() {
        // Keep the database for a look with psql (the URL is printed).
        println!("kept: {}", app.database_url);
        std::mem::forget(app);
    }
}
