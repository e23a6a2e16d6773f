//! The business clock: business dates are dates in the business time zone
//! (Asia/Shanghai by default), whatever the machine's own time zone.

use pharmacrm_shared::pb;
use pharmacrm_tests::fixtures::{CertificateBuilder, CustomerTeam};
use pharmacrm_tests::{TestApp, rerun_with_env};

#[test]
fn certificates_turn_expired_at_midnight_in_shanghai_on_a_server_whose_tz_is_utc() {
    rerun_with_env(
        "clock::certificate_flags_on_a_utc_machine",
        &[("TZ", "UTC")],
    );
}

#[tokio::test]
#[ignore = "run by its parent test with TZ=UTC"]
async fn certificate_flags_on_a_utc_machine() {
    assert_eq!(std::env::var("TZ").as_deref(), Ok("UTC"));
    assert_eq!(
        chrono::Local::now().offset().to_string(),
        "+00:00",
        "the machine's local time is UTC in this process"
    );
    // No warning period: only what expires today or before is flagged.
    let app = TestApp::spawn_with(|c| c.certificate_warning_days = 0).await;
    // 00:30 on 1 December in Shanghai; still 30 November in UTC (16:30).
    app.pin_clock("2026-12-01T00:30:00+08:00");
    let CustomerTeam {
        mut rep, customer, ..
    } = app.customer_team("上海华山医院", "rep-tz", "cs-tz").await;
    let today = CertificateBuilder::new(customer.id, pb::CertificateKind::DrugTrade)
        .expires_on("2026-12-01")
        .save(&mut rep)
        .await;
    let yesterday = CertificateBuilder::new(customer.id, pb::CertificateKind::Gsp)
        .expires_on("2026-11-30")
        .save(&mut rep)
        .await;
    assert_eq!(today.status, pb::CertificateStatus::Expiring as i32);
    assert_eq!(yesterday.status, pb::CertificateStatus::Expired as i32);

    let seen = rep.customer(customer.id).await.expect("get");
    assert_eq!(
        (seen.expired_certificates, seen.expiring_certificates),
        (1, 1)
    );
    let work = rep.my_work().await;
    assert_eq!(work.expiring_certificates.len(), 2);

    // A minute before midnight in Shanghai, the same certificates are a day younger.
    app.pin_clock("2026-11-30T23:59:00+08:00");
    let seen = rep.customer(customer.id).await.expect("get");
    assert_eq!(
        (seen.expired_certificates, seen.expiring_certificates),
        (0, 1)
    );
}
