//! Building callbacks, for senders such as an emulator or a test.

use bytes::Bytes;

use crate::event::Event;
use crate::query::CallbackQuery;
use crate::sign::Token;

/// A complete callback as Tencent sends it: the query parameters and the body.
///
/// ```
/// use im_webhook::{Callback, CallbackQuery, Event, Pair, Token, Verifier};
///
/// let token = Token::new("xxxxyyyy");
/// let event = Event::BlocklistRemoved { pairs: vec![Pair::new("id", "id1")] };
/// let callback = Callback::new(1_400_000_000, event.clone())
///     .with_client_ip("127.0.0.1")
///     .with_platform("RESTAPI")
///     .signed(&token, 1_669_872_112);
///
/// let url = callback.url("https://app.example/im/callback");
/// assert!(url.starts_with("https://app.example/im/callback?SdkAppid=1400000000&"));
///
/// // The receiving side accepts it.
/// let verifier = Verifier::new(1_400_000_000, token);
/// let query = url.split_once('?').map(|(_, query)| query);
/// assert_eq!(verifier.verify_request(query, &callback.body(), 1_669_872_112)?, event);
/// # Ok::<(), im_webhook::WebhookError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Callback {
    query: CallbackQuery,
    event: Event,
}

impl Callback {
    /// An unsigned callback of `event` to application `sdkappid`, with `CallbackCommand`
    /// taken from the event and `contenttype=json`.
    pub fn new(sdkappid: u64, event: Event) -> Self {
        Callback {
            query: CallbackQuery::new(sdkappid, event.command()),
            event,
        }
    }

    /// Sets `ClientIP`.
    pub fn with_client_ip(mut self, client_ip: impl Into<String>) -> Self {
        self.query = self.query.with_client_ip(client_ip);
        self
    }

    /// Sets `OptPlatform`.
    pub fn with_platform(mut self, platform: impl Into<String>) -> Self {
        self.query = self.query.with_platform(platform);
        self
    }

    /// Adds `RequestTime` and `Sign` (see [`CallbackQuery::signed`]).
    pub fn signed(mut self, token: &Token, request_time: u64) -> Self {
        self.query = self.query.signed(token, request_time);
        self
    }

    /// The query parameters.
    pub fn query(&self) -> &CallbackQuery {
        &self.query
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// `base` with the query parameters appended, after `?` or, when `base` already has a
    /// query, after `&`.
    pub fn url(&self, base: &str) -> String {
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}{}", self.query.to_query_string())
    }

    /// The JSON request body; send it with `POST` and `Content-Type: application/json`.
    pub fn body(&self) -> Bytes {
        self.event.to_body()
    }
}
