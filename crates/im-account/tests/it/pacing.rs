//! Pacing at each API's own documented limit, on the paused clock.

use std::time::Duration;

use im_protocol::Api;

use crate::support::{client, emulator, names};

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn bulk_import_and_check_stay_within_100_calls_per_second() {
    let emulator = emulator();
    let accounts = names("u", 30_000);
    let client = client(&emulator);
    let start = tokio::time::Instant::now();
    let outcome = client.import(accounts.clone()).await.unwrap();
    assert!(outcome.is_complete());
    let check = client.check(accounts).await.unwrap();
    assert!(check.is_complete());
    assert_eq!(check.imported().count(), 30_000);

    let log = emulator.requests();
    assert_eq!(log.len(), 600);
    assert!(log.iter().all(|request| !request.rejected_by_rate_limit));
    for api in [Api::MultiAccountImport, Api::AccountCheck] {
        let busiest = emulator.max_calls_in_window(api, SECOND);
        assert!((90..=100).contains(&busiest), "{api:?}: {busiest}");
    }
    // 300 requests per API at 100 calls/s: about three seconds each.
    assert!(
        start.elapsed() >= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
