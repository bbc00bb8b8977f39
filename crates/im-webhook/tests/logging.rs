//! Rejections are logged at debug level with the reason, never with the token or a `Sign`.

use std::fmt::{Debug, Write as _};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use im_webhook::{CallbackQuery, Reply, Token, Verifier, WebhookHandler, sign};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Records every event as `LEVEL target field=value ...`.
#[derive(Clone, Default)]
struct Capture {
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut fields = Fields(format!("{} {}", metadata.level(), metadata.target()));
        event.record(&mut fields);
        self.events.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(start_paused = true)]
async fn rejections_are_logged_with_the_reason_and_without_secrets() {
    const TOKEN: &str = "s3cr3t-t0ken";
    const TIME: u64 = 1_669_872_112;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let handler = WebhookHandler::new(Verifier::new(1, Token::new(TOKEN)), |_| async {
        Reply::ok()
    })
    .with_clock(|| TIME);

    let good_sign = sign(&Token::new(TOKEN), TIME);
    let mut tampered =
        CallbackQuery::new(1, "Sns.CallbackBlackListAdd").signed(&Token::new(TOKEN), TIME);
    tampered.request_time = Some((TIME + 1).to_string());
    let stale =
        CallbackQuery::new(1, "Sns.CallbackBlackListAdd").signed(&Token::new(TOKEN), TIME - 600);
    for query in [tampered, stale] {
        let request = http::Request::post(format!("/?{}", query.to_query_string()))
            .body(Bytes::from_static(b"{\"PairList\": []}"))
            .unwrap();
        assert_eq!(handler.handle(request).await.status(), 403);
    }

    let events = capture.events.lock().unwrap().clone();
    let ours: Vec<_> = events
        .iter()
        .filter(|event| event.contains("im_webhook"))
        .collect();
    assert_eq!(ours.len(), 2, "{events:#?}");
    assert!(
        ours.iter()
            .all(|event| event.starts_with(&format!("{} ", Level::DEBUG)))
    );
    assert!(ours[0].contains("status=403"), "{}", ours[0]);
    assert!(ours[0].contains("Sign does not match"), "{}", ours[0]);
    assert!(ours[1].contains("too old"), "{}", ours[1]);
    for event in &events {
        assert!(!event.contains(TOKEN), "{event}");
        assert!(!event.contains(&good_sign), "{event}");
    }
}
