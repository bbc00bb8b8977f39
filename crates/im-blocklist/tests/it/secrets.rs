//! Neither the app key nor any UserSig shows up in Debug output, errors or logs.

use std::collections::HashSet;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{TryStreamExt as _, stream};
use im_blocklist::{Blocklist, CheckType, Relation, RetryPolicy};
use im_protocol::{Api, Endpoint, GetBlocklistRequest};
use im_sig::{ManualClock, SecretKey, Signer};
use im_transport::TransportError;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::support::{ADMIN, APP, FakeService, KEY, REGION, Reply};

/// Log output collected in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A service that exercises every path that logs: renewals, retries, failover, ambiguous
/// attempts, fatal errors, paging and checks. What happens depends on the account.
fn eventful_service(clock: Arc<ManualClock>) -> FakeService {
    let seen = Mutex::new(HashSet::new());
    FakeService::new(move |request| {
        match request.api {
            Some(Api::BlackListGet) => {
                let get: GetBlocklistRequest = request.body();
                return match get.start_index {
                    0 => Reply::page(&["a", "b"], 2),
                    _ => Reply::page(&["c"], 0),
                };
            }
            Some(Api::BlackListCheck) => {
                return Reply::check(
                    request
                        .to_accounts()
                        .into_iter()
                        .map(|a| (a, Relation::AWithB, 0)),
                );
            }
            _ => {}
        }
        let accounts = request.to_accounts();
        let first = seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(accounts.clone());
        match accounts[0].as_str() {
            "carol" if first => {
                clock.advance(120);
                Reply::fail(70001, "sig expired")
            }
            "dave" if first => Reply::raw(502, "<html>Bad Gateway</html>"),
            "erin" if first => Reply::Fail(TransportError::timeout()),
            "erin" => Reply::update([("erin", 31307)]),
            "frank" => Reply::fail(70009, "sig verification failed"),
            "xavier" if request.host() == REGION.primary_host() => {
                Reply::Fail(TransportError::connect("connection refused"))
            }
            "garbage" => Reply::raw(200, "{\"ActionStatus\":"),
            _ => Reply::update(accounts.iter().map(|a| (a, 0))),
        }
    })
}

#[tokio::test(start_paused = true)]
async fn neither_the_key_nor_a_usersig_is_printed_or_logged() {
    let captured = Captured::default();
    let subscriber = {
        let captured = captured.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_writer(move || captured.clone())
            .finish()
    };
    let _guard = tracing::subscriber::set_default(subscriber);

    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let service = eventful_service(clock.clone());
    let signer = Signer::new(APP, ADMIN, SecretKey::from(KEY)).with_clock(clock);
    let builder = Blocklist::builder(signer, service.transport(), Endpoint::region(REGION))
        .retry_policy(RetryPolicy::default().with_max_attempts(3));
    let mut printed = vec![format!("{builder:?}"), format!("{builder:#?}")];
    let blocklist = builder.build();
    printed.push(format!("{blocklist:?}"));
    printed.push(format!("{blocklist:#?}"));

    for account in ["bob", "carol", "dave", "erin", "xavier"] {
        let outcome = blocklist.add("alice", [account]).await.unwrap();
        assert_eq!(outcome.len(), 1);
        printed.push(format!("{outcome:?}"));
    }
    for account in ["frank", "garbage", ""] {
        let error = blocklist.add("alice", [account]).await.unwrap_err();
        printed.push(format!("{error:?}"));
        printed.push(format!("{error:#?}"));
        printed.push(error.to_string());
        printed.push(error.report());
    }
    let listed: Vec<_> = blocklist.list("alice").try_collect().await.unwrap();
    assert_eq!(listed.len(), 3);
    let checked = blocklist
        .check("alice", ["bob", "carol"], CheckType::Both)
        .await
        .unwrap();
    printed.push(format!("{checked:?}"));
    let pairs = vec![("alice".to_owned(), "zed".to_owned())];
    let imported = blocklist.import(stream::iter(pairs), |_| {}).await;
    assert_eq!(imported.succeeded, 1);
    printed.push(format!("{imported:?}"));

    let usersigs: HashSet<String> = service
        .requests()
        .iter()
        .map(|request| request.usersig().to_owned())
        .collect();
    assert!(
        usersigs.len() >= 2,
        "the renewal put a second UserSig on the wire"
    );
    let logs = captured.text();
    assert!(logs.contains("attempt failed"), "logs were captured");
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"));
    printed.push(logs);

    // The texts are checked one by one and not printed, as a leak would be in them.
    for (index, text) in printed.iter().enumerate() {
        assert!(!text.contains(KEY), "the key leaked into text #{index}");
        for usersig in &usersigs {
            assert!(
                !text.contains(usersig.as_str()),
                "a UserSig leaked into text #{index}"
            );
        }
    }
}
