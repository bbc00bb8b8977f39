#![cfg_attr(docsrs, feature(doc_cfg))]
//! A local emulator of the Tencent Cloud Chat blocklist and account REST APIs, for testing
//! code that calls them without a Tencent account.
//!
//! An [`Emulator`] keeps an app's accounts, friendships and blocklists in memory and serves
//! the REST API over two faces that behave identically:
//!
//! - [`Emulator::transport`]: an in-process [`Transport`](im_transport::Transport), no
//!   sockets, for unit and integration tests of code built on a transport;
//! - [`Emulator::serve`]: a plain HTTP/1.1 server, meant for loopback, for anything that
//!   speaks HTTP (a CLI, another language, a proxy). It holds clients to [`ServerLimits`]
//!   (header and request timeouts, a connection cap, a bounded shutdown;
//!   [`Emulator::serve_with_limits`] sets them).
//!
//! # What is emulated
//!
//! **APIs.** All `POST` with a JSON body, answered with the envelope (`ActionStatus`,
//! `ErrorCode`, `ErrorInfo`, `ErrorDisplay`) and HTTP 200:
//!
//! - the four blocklist APIs, `v4/sns/black_list_add`, `_delete`, `_get` and `_check`, with
//!   the bodies of [`im_protocol`];
//! - the four account APIs, `v4/im_open_login_svc/account_import`, `multiaccount_import`,
//!   `account_delete` and `account_check` ([`im_protocol::AccountImportRequest`], ...);
//! - setup APIs for test state ([`SetupApi`]): `v4/sns/friend_import`, `friend_add` and
//!   `friend_check`, whose bodies are in [`im_protocol`] as well. The same state can be set
//!   directly with [`Emulator::import_accounts`], [`Emulator::make_friends`] and
//!   [`Emulator::block`].
//!
//! **Request checks**, in this order; the first failure answers the request:
//!
//! | Check | Code |
//! |---|---|
//! | method is `POST` | HTTP 405 with `Allow: POST` and 60002 |
//! | path is a served API (case-sensitive) | 60009 |
//! | per-API frequency limit (the APIs of [`im_protocol::Api`]) | 60007 |
//! | query string well formed (percent escapes, UTF-8) | 60002 |
//! | `sdkappid` present | 60012 |
//! | `sdkappid` is this app | 60006 |
//! | `identifier` present and not empty | 60004 |
//! | `usersig` present and not empty | 70002 |
//! | `random` is a `u32` | 60002 |
//! | `contenttype` is `json` (exactly) | 60002 |
//! | UserSig verified ([`im_sig::verify`]) at the clock's time | malformed 70003, wrong key 70009, expired 70001, other app 70014, other identifier 70013 |
//! | `identifier` is an admin | 60010 |
//! | body is a JSON object | 60003 |
//! | account fields (`From_Account`, `To_Account`, `UserID`, ...) are strings | 60015 |
//! | body has the API's shape | 60003 |
//!
//! Query names and values are case-sensitive and decoded by [`im_protocol::query`] (`%XX`
//! escapes, `+` for a space, as in any query string; a plus is sent as `%2B`), and the
//! UserSig's `*` is accepted raw or as `%2A`.
//!
//! **Blocklist rules.**
//!
//! - `From_Account` must be imported (request-level 30003; 30001 when empty).
//! - `To_Account` holds 1 to 1000 accounts (request-level 30001 otherwise; nothing applied).
//! - Add answers each account in request order: 30001 for oneself, 30003 for an account that
//!   was not imported, the "already exists" code for one already blocked (including a repeat
//!   in the same request), 30013 once the list holds 1000 entries, else 0. Blocking removes
//!   the friendship both ways unless [`EmulatorBuilder::remain_friends`] is set.
//! - Delete answers 0 for every account, blocked or not (third-party reports say removing an
//!   account that is not blocked is not an error).
//! - `Fail_Account` lists the failed accounts and is left out when none failed.
//! - Get pages in the order entries were added: `StartIndex` and `MaxLimited` (1 to 1000,
//!   request-level 30001 otherwise) select the page, the answer's `StartIndex` is where the
//!   next page starts or 0 after the last, and `CurruentSequence` is the list's sequence.
//!   `LastSequence` is ignored and may be left out.
//! - Each list has a sequence, 0 at first and one more for each request that changed it.
//!   `AddBlackTimeStamp` is the clock's time when the entry was added.
//! - Check answers every account with code 0: AWithB or NO in single mode; BothWay, AWithB,
//!   BWithA or NO in both mode. An unknown `CheckType` is a request-level 30001.
//! - A friend add or import fails per item with 30515 when `From_Account` blocks the friend
//!   and 30525 when the friend blocks `From_Account`.
//!
//! **Account rules.**
//!
//! - `account_import` takes one UserID (also spelled `Identifier`); one the service would
//!   refuse ([`im_protocol::validate_user_id`]) is a request-level 70402. Importing an
//!   account again changes nothing but the `Nick` and `FaceUrl` it gives.
//! - `multiaccount_import` takes 1 to 100 accounts in `AccountList` (with `Nick` and
//!   `FaceUrl`, which update an existing account) and the older `Accounts` together; a
//!   UserID the service would refuse is listed in `FailAccounts` (always present).
//! - `account_delete` takes 1 to 100 `DeleteItem`s and answers each in `ResultItem`
//!   (`UserID`, `ResultCode`, `ResultInfo`): 0, or 70107 with
//!   `Err_TLS_PT_Open_Login_Account_Not_Exist` for an account that does not exist (also a
//!   repeat within the request). A deleted account loses its friend list and blocklist, and
//!   blocklist calls answer 30003 for it as for any account never imported.
//! - `account_check` takes 1 to 100 `CheckItem`s and answers each with code 0 and
//!   `AccountStatus` `Imported` or `NotImported`.
//! - Too few or too many accounts in a batch is a request-level 70206.
//!
//! **Frequency limit.** Each API of the table admits its documented number of calls
//! ([`im_protocol::Api::default_calls_per_second`]: 200, and 100 for `multiaccount_import`
//! and `account_check`), or [`EmulatorBuilder::rate_limit`] for every API, in any sliding
//! second, measured on Tokio's clock at arrival, so tests with paused time are exact. A call
//! over the limit is answered 60007, not applied, and does not count against the window.
//! Setup APIs are not limited.
//!
//! **Faults.** [`Faults`] injects seeded HTTP 502s, request-level and per-account transient
//! codes (30006, 30007 and 30008 in the blocklist APIs; 70500, 70169 and 70202 in the
//! account APIs), latency, answers lost after the write was applied, and truncated JSON,
//! into the blocklist and account APIs, and only for requests that passed every check. A
//! per-account fault in `multiaccount_import` lists the account in `FailAccounts`.
//! [`Faults::account_code`] gives a chosen code to a chosen account in every request, with
//! no draw, for tests of one account's failure.
//!
//! **Webhooks.** Given a callback URL and token ([`EmulatorBuilder::webhook`],
//! [`Emulator::set_webhook`]), the emulator sends `Sns.CallbackBlackListAdd` after each add
//! that blocked at least one account and `Sns.CallbackBlackListDelete` after each delete
//! that removed at least one: one signed callback per request, whose `PairList` holds the
//! pairs that request changed, built with [`im_webhook::Callback`] and sent in the
//! background once the change is applied (also when an injected fault then loses the
//! answer), with the service's 2-second timeout and no retry. [`Emulator::callbacks`] lists
//! them with their outcome, and [`Emulator::wait_for_callbacks`] waits for those in flight.
//!
//! **Request log.** Every request is recorded as a [`LoggedRequest`] (arrival time, API,
//! `From_Account`, number of accounts, status, code, faults, whether the limit refused it),
//! so tests can audit batch sizes and pacing, e.g. with [`Emulator::max_calls_in_window`].
//! The log holds the most recent [`DEFAULT_LOG_CAPACITY`] requests
//! ([`Emulator::set_log_capacity`]), so a long run does not grow without limit;
//! [`Emulator::request_totals`] counts every request, busiest second included.
//! Debug-level `tracing` events describe each request; they never contain the UserSig or the
//! key.
//!
//! # Choices where the service is not documented
//!
//! - "Already blocked" is answered with 30001 and `Err_SNS_BlackListAdd_Already_Exist`, as in
//!   the documented sample; the live service has been seen to answer 31307, which
//!   [`EmulatorBuilder::already_exists_code`] selects.
//! - The frequency limit is answered with 60007 (60011, 60018 and 60019 are never sent).
//! - `CurruentSequence` is written with the documented sample's spelling, always present;
//!   `BlackListItem` is `[]` for an empty page; `Invalid_Account` is never sent.
//! - The per-account errors of check are limited to the injected ones; an account that was
//!   never imported is simply not blocked (NO, code 0).
//! - Request bodies are read as they are: `Content-Encoding` (gzip) and `Content-Type` are
//!   not looked at, and answers are never compressed.
//! - The frequency limit is checked right after the path, before authentication, so every
//!   call a client makes to a blocklist API counts, and the log shows exactly what the
//!   limit saw.
//! - Adding a friend who is already a friend succeeds; `friend_add` adds both ways unless
//!   `AddType` says otherwise, `friend_import` one way.
//! - Per-item texts (`ResultInfo`) are the constants of [`im_protocol::result_text`]; where
//!   no sample was found they follow the service's `Err_SNS_<API>_<Reason>` pattern.
//! - `account_check` answers every account with code 0 and `Imported` or `NotImported`,
//!   also a UserID the service would not accept (it was never imported).
//! - `account_delete` leaves entries naming the deleted account in other users' lists, and
//!   a deleted account may be imported again at once (the live service makes paid apps
//!   wait three months). Its frequency limit is not documented: 200 calls/s.
//! - The per-item `ResultInfo` of an injected account fault follows the
//!   `Err_TLS_PT_Open_Login_<Reason>` pattern of the documented 70107 text.
//!
//! # What is not emulated
//!
//! Any other API (messages, groups, profiles, friend deletion, ...), every
//! webhook but the two blocklist ones, TLS and HTTP/2, the app-wide frequency limit (60011), IP allowlists,
//! disabled apps, the service's 3-second timeout, and the effect of blocks on messaging.
//!
//! # Examples
//!
//! Send a request built with `im_protocol` and `im_sig` through the in-process transport:
//!
//! ```
//! use im_emulator::Emulator;
//! use im_protocol::{
//!     AddBlocklistRequest, ApiRequest, QueryParams, UpdateBlocklistResponse, decode_response,
//!     encode_json, request_url,
//! };
//! use im_sig::{SecretKey, SigParams, generate};
//! use im_transport::Transport;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SecretKey::new("my-app-key");
//! let emulator = Emulator::new(1_400_000_000, key.clone());
//! emulator.import_accounts(["alice", "bob"]);
//! emulator.make_friends("alice", "bob");
//!
//! let sig = generate(&key, &SigParams::new(1_400_000_000, "administrator", 86_400), emulator.now());
//! let params = QueryParams {
//!     sdkappid: 1_400_000_000,
//!     identifier: "administrator",
//!     usersig: sig.expose_secret(),
//!     random: 7,
//! };
//! // Any host will do: the in-process transport reads only the path and the query.
//! let url = request_url("https://console.tim.qq.com", AddBlocklistRequest::API, &params);
//! let body = encode_json(&AddBlocklistRequest::new("alice", ["bob", "dave"]))?;
//! let request = http::Request::post(url.as_str()).body(body.into())?;
//!
//! let response = emulator.transport().send(request).await?;
//! let added: UpdateBlocklistResponse = decode_response(response.body())?;
//! assert_eq!(added.fail_account, ["dave"]); // never imported: 30003
//! assert!(emulator.is_blocked("alice", "bob"));
//! assert!(!emulator.are_friends("alice", "bob"));
//! # Ok(())
//! # }
//! ```
//!
//! Receive the blocklist webhooks; here the application is an in-process transport, but any
//! `http` or `https` URL works with the default client:
//!
//! ```
//! use std::sync::{Arc, Mutex};
//!
//! use im_emulator::{CallbackOutcome, Emulator};
//! use im_transport::test_util::{FnTransport, json_response};
//! use im_webhook::{Event, Pair, Token, Verifier};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let received = Arc::new(Mutex::new(Vec::new()));
//! let app = FnTransport::from_sync({
//!     let received = received.clone();
//!     move |request| {
//!         received.lock().unwrap().push(request);
//!         Ok(json_response(http::StatusCode::OK, r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#))
//!     }
//! });
//! let emulator = Emulator::builder()
//!     .sdkappid(1_400_000_000)
//!     .key(im_sig::SecretKey::new("my-app-key"))
//!     .webhook("https://app.example/im/callback", Token::new("webhook-token"))
//!     .webhook_transport(Arc::new(app))
//!     .build()?;
//! emulator.import_accounts(["alice", "bob"]);
//! # let sig = im_sig::generate(&im_sig::SecretKey::new("my-app-key"), &im_sig::SigParams::new(1_400_000_000, "administrator", 86_400), emulator.now());
//! # let url = format!("https://console.tim.qq.com/v4/sns/black_list_add?sdkappid=1400000000&identifier=administrator&usersig={}&random=1&contenttype=json", sig.expose_secret());
//! # let request = http::Request::post(url).body(r#"{"From_Account":"alice","To_Account":["bob"]}"#.into())?;
//! // ... alice blocks bob through the API (elided) ...
//! # im_transport::Transport::send(&*emulator.transport(), request).await?;
//! let sent = emulator.wait_for_callbacks().await;
//! let event = Event::BlocklistAdded { pairs: vec![Pair::new("alice", "bob")] };
//! assert_eq!(sent[0].event, event);
//! assert_eq!(sent[0].outcome, CallbackOutcome::Answered { status: 200 });
//!
//! // The application verifies it with the same token.
//! let request = received.lock().unwrap().remove(0);
//! let verifier = Verifier::new(1_400_000_000, Token::new("webhook-token"));
//! assert_eq!(verifier.verify_request(request.uri().query(), request.body(), emulator.now())?, event);
//! # Ok(())
//! # }
//! ```
//!
//! Serve the emulator over HTTP on loopback and point any client at
//! [`ServerHandle::base_url`]:
//!
//! ```
//! use im_emulator::Emulator;
//! use im_protocol::{GetBlocklistRequest, ApiRequest, QueryParams, encode_json, request_url};
//! use im_sig::{SecretKey, SigParams, generate};
//! use im_transport::{HyperTransport, Transport};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SecretKey::new("my-app-key");
//! let emulator = Emulator::new(1_400_000_000, key.clone());
//! emulator.import_accounts(["alice"]);
//! let server = emulator.serve("127.0.0.1:0".parse()?).await?;
//!
//! let sig = generate(&key, &SigParams::new(1_400_000_000, "administrator", 86_400), emulator.now());
//! let params = QueryParams {
//!     sdkappid: 1_400_000_000,
//!     identifier: "administrator",
//!     usersig: sig.expose_secret(),
//!     random: 7,
//! };
//! let url = request_url(&server.base_url(), GetBlocklistRequest::API, &params);
//! let body = encode_json(&GetBlocklistRequest::first_page("alice", 100))?;
//! let request = http::Request::post(url.as_str()).body(body.into())?;
//!
//! let client = HyperTransport::builder().allow_plain_http(true).build()?;
//! let response = client.send(request).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(emulator.requests().len(), 1);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod builder;
mod emulator;
mod error;
mod faults;
mod gateway;
mod handlers;
mod log;
mod outcome;
mod replies;
mod server;
mod state;
mod transport;
mod webhook;

pub use builder::{DEFAULT_ADMIN, DEFAULT_RATE_LIMIT, EmulatorBuilder};
pub use emulator::Emulator;
pub use error::EmulatorError;
pub use faults::{FaultKind, Faults};
pub use handlers::setup::SetupApi;
pub use im_server::ServerLimits;
pub use log::{DEFAULT_LOG_CAPACITY, LoggedRequest, RequestTotals};
pub use server::ServerHandle;
pub use state::AccountProfile;
pub use transport::EmulatorTransport;
pub use webhook::{CallbackOutcome, SentCallback, WEBHOOK_TIMEOUT};
