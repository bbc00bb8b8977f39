//! A small client for the tests: signs requests as the app admin and sends them through a
//! transport, in-process or over HTTP.

use std::sync::Arc;

use bytes::Bytes;
use im_emulator::{Emulator, EmulatorBuilder, ServerHandle, SetupApi};
use im_protocol::{ApiRequest, Envelope, QueryParams, decode_envelope, encode_json, request_url};
use im_sig::{ManualClock, SecretKey, SigParams, generate};
use im_transport::{HyperTransport, Transport, TransportError};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) const APP: u64 = 1_400_000_000;
pub(crate) const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
pub(crate) const ADMIN: &str = "administrator";
pub(crate) const NOW: u64 = 1_700_000_000;
/// The base URL of in-process requests; the host is never contacted.
pub(crate) const IN_PROCESS_BASE: &str = "https://console.tim.qq.com";

/// An emulator, its clock, and a transport to reach it.
pub(crate) struct Harness {
    pub(crate) emulator: Emulator,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) base: String,
}

/// A builder for the test app, with a manual clock at [`NOW`].
pub(crate) fn builder(clock: &Arc<ManualClock>) -> EmulatorBuilder {
    Emulator::builder()
        .sdkappid(APP)
        .key(SecretKey::new(KEY))
        .clock(clock.clone())
}

/// A harness with the default settings, reached in-process.
pub(crate) fn harness() -> Harness {
    harness_with(|builder| builder)
}

/// A harness with changed settings, reached in-process.
pub(crate) fn harness_with(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Harness {
    let clock = Arc::new(ManualClock::new(NOW));
    let emulator = configure(builder(&clock)).build().unwrap();
    Harness {
        transport: emulator.transport(),
        emulator,
        clock,
        base: IN_PROCESS_BASE.to_owned(),
    }
}

/// A harness reached over HTTP on loopback, and the server's handle.
pub(crate) async fn http_harness() -> (Harness, ServerHandle) {
    let mut harness = harness();
    let server = harness
        .emulator
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    harness.transport = Arc::new(
        HyperTransport::builder()
            .allow_plain_http(true)
            .build()
            .unwrap(),
    );
    harness.base = server.base_url();
    (harness, server)
}

/// A UserSig made with `key` for `identifier` in `app`, issued at `time`, valid for `expire`.
pub(crate) fn sig_with(key: &str, app: u64, identifier: &str, time: u64, expire: u64) -> String {
    generate(
        &SecretKey::new(key),
        &SigParams::new(app, identifier, expire),
        time,
    )
    .expose_secret()
    .to_owned()
}

impl Harness {
    /// The admin's UserSig, valid now.
    pub(crate) fn admin_sig(&self) -> String {
        sig_with(KEY, APP, ADMIN, im_sig::Clock::now(&*self.clock), 86_400)
    }

    /// The URL of `path` with the admin's query parameters.
    pub(crate) fn url(&self, path: &str) -> String {
        let sig = self.admin_sig();
        format!(
            "{}/{path}?sdkappid={APP}&identifier={ADMIN}&usersig={sig}&random=7&contenttype=json",
            self.base
        )
    }

    /// POSTs `body` to `url`.
    pub(crate) async fn post(
        &self,
        url: &str,
        body: impl Into<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let request = http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        self.transport.send(request).await
    }

    /// Sends a blocklist request as the admin and returns the raw response.
    pub(crate) async fn send<R: ApiRequest>(
        &self,
        request: &R,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let sig = self.admin_sig();
        let params = QueryParams {
            sdkappid: APP,
            identifier: ADMIN,
            usersig: &sig,
            random: 99_999_999,
        };
        let url = request_url(&self.base, R::API, &params);
        self.post(url.as_str(), encode_json(request).unwrap()).await
    }

    /// Sends a blocklist request as the admin and decodes the envelope.
    pub(crate) async fn call<R: ApiRequest>(&self, request: &R) -> Envelope<R::Response> {
        let response = self.send(request).await.unwrap();
        assert_eq!(response.status(), 200);
        decode_envelope(response.body()).unwrap()
    }

    /// Sends a blocklist request that must succeed and returns its body.
    pub(crate) async fn ok<R: ApiRequest>(&self, request: &R) -> R::Response {
        let envelope = self.call(request).await;
        assert!(envelope.status.is_success(), "{:?}", envelope.status);
        envelope.body.unwrap()
    }

    /// Sends a setup request as the admin and decodes the envelope.
    pub(crate) async fn setup<T: Serialize, U: DeserializeOwned>(
        &self,
        api: SetupApi,
        body: &T,
    ) -> Envelope<U> {
        let response = self
            .post(&self.url(api.path()), encode_json(body).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        decode_envelope(response.body()).unwrap()
    }
}

/// `n` account names with a prefix: `prefix0`, `prefix1`, ...
pub(crate) fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// The per-item result codes of an add or delete.
pub(crate) fn codes(response: &im_protocol::UpdateBlocklistResponse) -> Vec<i64> {
    response
        .result_item
        .iter()
        .map(|item| item.result_code.0)
        .collect()
}

/// The envelope code of a raw response body.
pub(crate) fn envelope_code(body: &[u8]) -> i64 {
    let envelope: Envelope<serde_json::Value> = decode_envelope(body).unwrap();
    envelope.status.error_code.0
}
