//! The transport's log events name the method, host and path, never the query string.

mod support;

use std::fmt::{Debug, Write as _};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use im_transport::{HyperTransport, Transport};
use support::{Server, ok};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every event as `target field=value ...`.
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
        let mut fields = Fields(event.metadata().target().to_owned());
        event.record(&mut fields);
        self.events.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn one_debug_event_per_request_without_the_query() {
    let server = Server::start(|_| ok(b"{}")).await;
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .build()
        .unwrap();
    let request =
        http::Request::post(server.url("/v4/sns/black_list_add?usersig=SECRETSIG&random=1"))
            .body(Bytes::from_static(b"{}"))
            .unwrap();

    transport.send(request).await.unwrap();

    let events = capture.events.lock().unwrap().clone();
    let ours: Vec<_> = events
        .iter()
        .filter(|e| e.starts_with("im_transport"))
        .collect();
    assert_eq!(ours.len(), 1, "{events:#?}");
    assert!(ours[0].contains("method=POST"), "{}", ours[0]);
    assert!(ours[0].contains(r#"host="127.0.0.1""#), "{}", ours[0]);
    assert!(
        ours[0].contains(r#"path="/v4/sns/black_list_add""#),
        "{}",
        ours[0]
    );
    assert!(ours[0].contains("status=200"), "{}", ours[0]);
    for event in &events {
        assert!(!event.contains("SECRETSIG"), "{event}");
    }
}
