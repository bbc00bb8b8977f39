//! A bounded soak on a paused clock: about 20,000 account operations through the facade
//! against the in-process emulator with every kind of fault, checked against a model.

use tests::soak::{self, SoakConfig};

const SEED: u64 = 20_240_601;

#[tokio::test(start_paused = true)]
async fn a_bounded_soak_loses_nothing_and_keeps_the_limit() {
    let mut config = SoakConfig::new(SEED, 20_000);
    config.users = 48;
    config.accounts = 10_000;
    config.lanes = 8;
    // A low limit, so that the pacer is what holds the workers back and the audit of the
    // limit means something.
    config.rate_limit = 20;
    // Higher rates than the long run, so that a short run meets every kind of fault.
    config.faults = SoakConfig::default_faults(SEED)
        .http_502(0.05)
        .request_error(0.05)
        .account_error(0.000_5)
        .lost_answer(0.05)
        .truncated_json(0.05);

    // The runtime of a paused test runs every task on this thread, so seeding this thread's
    // generator (used for backoff jitter) makes the whole run repeatable.
    fastrand::seed(SEED);
    let report = soak::run(&config).await.unwrap();
    println!("{report}");

    let figures = &report.figures;
    assert!(
        report.violations().is_empty(),
        "seed {SEED}: {:?}\n{report}",
        report.violations()
    );
    assert_eq!(
        (figures.lost, figures.spurious),
        (0, 0),
        "seed {SEED}\n{report}"
    );
    assert_eq!(figures.bucket_violations, 0, "seed {SEED}\n{report}");
    assert!(
        figures.account_operations >= 20_000,
        "seed {SEED}\n{report}"
    );
    let limit = usize::try_from(report.rate_limit).unwrap();
    assert!(
        report
            .max_calls_per_second
            .values()
            .all(|&max| max <= limit),
        "seed {SEED}\n{report}"
    );
    // On a paused clock the pacer and the emulator share one time line, so the limit
    // never refuses a call.
    assert_eq!(report.rejected_by_rate_limit, 0, "seed {SEED}\n{report}");
    // Every kind of fault was met, and the retry policy absorbed them.
    for kind in [
        "Http502",
        "RequestError",
        "AccountError",
        "LostAnswer",
        "TruncatedJson",
    ] {
        assert!(
            report.faults.get(kind).is_some_and(|&n| n > 0),
            "seed {SEED}: no {kind}\n{report}"
        );
    }
    assert_eq!(figures.call_errors, 0, "seed {SEED}\n{report}");
    assert_eq!(figures.failed_unknown, 0, "seed {SEED}\n{report}");
    // Every operation ran, and the blocklist limit was met.
    for operation in ["add", "remove", "import", "check (single)", "check (both)"] {
        assert!(
            figures
                .calls_by_operation
                .get(operation)
                .is_some_and(|&n| n > 0),
            "seed {SEED}: no {operation}\n{report}"
        );
    }
    assert!(figures.rejected_by_rule > 0, "seed {SEED}\n{report}");
    assert!(figures.entries_listed > 0, "seed {SEED}\n{report}");
}
