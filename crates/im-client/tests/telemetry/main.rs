//! What a call tells an operator: the `im.call` span and its fields, retry events, the WARN
//! of a failed call, and (feature `metrics`) the metrics.
//!
//! One test, run alone in this process: the checks run one after the other.

use std::io::Write;
use std::sync::{Arc, Mutex};

use im_protocol::GetBlocklistRequest;
use im_transport::test_util::ReplayTransport;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[path = "../it/support.rs"]
mod support;

use support::{APP, builder, fail, ok};

#[test]
fn telemetry() {
    a_call_span_carries_the_app_the_api_the_attempts_and_the_final_code();
    #[cfg(feature = "metrics")]
    calls_attempts_retries_and_latency_are_counted_by_app_and_api();
}

/// Log lines written by a `tracing` subscriber, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Runs `calls` on a paused current-thread runtime with an INFO subscriber that prints
/// span closes; returns what it wrote.
fn logged(calls: impl std::future::Future<Output = ()>) -> String {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    tracing::subscriber::with_default(subscriber, || runtime.block_on(calls));
    captured.text()
}

fn a_call_span_carries_the_app_the_api_the_attempts_and_the_final_code() {
    let replay = ReplayTransport::new()
        .then_status(502)
        .then_json(
            200,
            ok(r#""BlackListItem":[],"StartIndex":0,"CurruentSequence":1"#),
        )
        .then_json(200, fail(70009));
    let text = logged(async {
        let client = builder(Arc::new(replay.clone())).build();
        let request = GetBlocklistRequest::first_page("alice", 10);
        client.call(&request).await.expect("the 502 is retried");
        client.call(&request).await.expect_err("70009 is fatal");
    });

    let lines: Vec<&str> = text.lines().collect();
    let retry = lines
        .iter()
        .find(|line| line.contains("retrying"))
        .expect("a retry event");
    assert!(
        retry.contains("INFO") && retry.contains(r#"reason="transient""#),
        "{retry}"
    );
    assert!(retry.contains("HTTP status 502"), "{retry}");
    let closes: Vec<&&str> = lines.iter().filter(|line| line.contains("close")).collect();
    assert_eq!(closes.len(), 2, "{text}");
    for close in &closes {
        assert!(close.contains("im.call"), "{close}");
        assert!(close.contains(&format!("sdkappid={APP}")), "{close}");
        assert!(close.contains("api=\"BlackListGet\""), "{close}");
        assert!(close.contains("request_id="), "{close}");
    }
    assert!(closes[0].contains("attempts=2"), "{}", closes[0]);
    assert!(
        closes[1].contains("attempts=1") && closes[1].contains("code=70009"),
        "{}",
        closes[1]
    );
    let warn = lines
        .iter()
        .find(|line| line.contains("WARN"))
        .expect("the failed call is a warning");
    assert!(
        warn.contains("call failed") && warn.contains("70009 SIG_VERIFICATION_FAILED"),
        "{warn}"
    );
    // No secret reaches the log.
    let usersig = replay.requests()[0]
        .query_param("usersig")
        .expect("signed")
        .to_owned();
    assert!(!text.contains(&usersig) && !text.contains("app key"));
}

#[cfg(feature = "metrics")]
fn calls_attempts_retries_and_latency_are_counted_by_app_and_api() {
    use metrics_util::MetricKind;
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let replay = ReplayTransport::new()
        .then_json(200, fail(60007))
        .then_json(
            200,
            ok(r#""BlackListItem":[],"StartIndex":0,"CurruentSequence":1"#),
        );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let client = builder(Arc::new(replay.clone())).build();
            client
                .call(&GetBlocklistRequest::first_page("alice", 10))
                .await
                .expect("the rate limit answer is retried");
        })
    });

    let snapshot = snapshotter.snapshot().into_vec();
    let value = |name: &str, extra: Option<(&str, &str)>| {
        snapshot
            .iter()
            .find(|(key, _, _, _)| {
                let key = key.key();
                let labels: Vec<(&str, &str)> = key
                    .labels()
                    .map(|label| (label.key(), label.value()))
                    .collect();
                key.name() == name
                    && labels.contains(&("sdkappid", "1400000000"))
                    && labels.contains(&("api", "BlackListGet"))
                    && extra.is_none_or(|pair| labels.contains(&pair))
            })
            .map(|(key, _, _, value)| (key.kind(), value))
    };
    assert_eq!(
        value("im_calls_total", Some(("outcome", "ok"))),
        Some((MetricKind::Counter, &DebugValue::Counter(1)))
    );
    assert_eq!(
        value("im_attempts_total", None),
        Some((MetricKind::Counter, &DebugValue::Counter(2)))
    );
    assert_eq!(
        value("im_retries_total", Some(("reason", "throttled"))),
        Some((MetricKind::Counter, &DebugValue::Counter(1)))
    );
    assert_eq!(
        value("im_rate_limited_total", None),
        Some((MetricKind::Counter, &DebugValue::Counter(1)))
    );
    match value("im_call_duration_seconds", None) {
        Some((MetricKind::Histogram, DebugValue::Histogram(values))) => {
            assert_eq!(values.len(), 1);
            // The retry waited at least the 1 s throttle pause (paused clock).
            assert!(values[0].into_inner() >= 1.0, "{values:?}");
        }
        other => panic!("expected one latency, got {other:?}"),
    }
}
