//! What the company-size benchmarks (`src/bin/*_bench.rs`) share: concurrent streams of
//! calls against a test server, the latency figures they print, and the median of
//! sequential searches.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::{Clients, TestApp};

/// One call of a stream, on the stream's clients.
pub type Call<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// `streams` clients of the session `token`, each making `call` with `requests` in turn
/// (stream `s` starting at request `s`) for `seconds`. Returns every call's latency and the
/// time all took.
pub async fn run_streams<R>(
    app: &TestApp,
    token: &str,
    streams: usize,
    seconds: u64,
    requests: &[R],
    call: for<'c> fn(&'c mut Clients, R) -> Call<'c>,
) -> (Vec<Duration>, Duration)
where
    R: Clone + Send + Sync + 'static,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..streams {
        let mut clients: Clients = app.with_token(token).await;
        let requests = requests.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut i = s;
            while Instant::now() < deadline {
                let request = requests[i % requests.len()].clone();
                i += 1;
                let t = Instant::now();
                call(&mut clients, request).await;
                samples.push(t.elapsed());
            }
            samples
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("stream"));
    }
    (all, started.elapsed())
}

/// The latency below which a share `p` (0–1) of the sorted `samples` fall.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Prints one line: `label`, the calls made, their rate over `elapsed`, and the p50, p95
/// and p99 latencies in milliseconds.
pub fn report(label: &str, mut samples: Vec<Duration>, elapsed: Duration) {
    samples.sort();
    #[allow(clippy::cast_precision_loss)]
    let rate = samples.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{label:<44} {:>6} req  {rate:>7.1} req/s  p50 {:>6.1} ms  p95 {:>6.1} ms  p99 {:>6.1} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1000.0,
        percentile(&samples, 0.95).as_secs_f64() * 1000.0,
        percentile(&samples, 0.99).as_secs_f64() * 1000.0,
    );
}

/// The median of `runs` sequential searches made by `search` (which returns the search's
/// count and whether it is exact): the milliseconds it took and its count as shown,
/// "about 12000" for an estimate. Panics when `runs` is 0.
pub async fn median_search(
    runs: usize,
    mut search: impl AsyncFnMut() -> (u64, bool),
) -> (f64, String) {
    assert!(runs > 0, "a median of no searches");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let (total, exact) = search().await;
        samples.push((t.elapsed(), total, exact));
    }
    samples.sort_by_key(|s| s.0);
    let (median, total, exact) = samples[samples.len() / 2];
    let total = if exact {
        total.to_string()
    } else {
        format!("about {total}")
    };
    (median.as_secs_f64() * 1000.0, total)
}
