//! The facade against the emulator over real HTTP on 127.0.0.1.

use std::net::SocketAddr;

use futures_util::TryStreamExt as _;
use im_emulator::{Emulator, Faults};
use tencent_im::{CheckType, Client, Endpoint, Relation, SecretKey};

const SDKAPPID: u64 = 1_400_000_000;
const KEY: &str = "facade-over-http-key";

async fn serve(faults: Faults) -> (Emulator, im_emulator::ServerHandle, Client) {
    let emulator = Emulator::builder()
        .sdkappid(SDKAPPID)
        .key(SecretKey::from(KEY))
        .faults(faults)
        .build()
        .expect("emulator");
    let server = emulator
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("serve");
    let client = Client::builder()
        .sdkappid(SDKAPPID)
        .key(KEY)
        .endpoint(Endpoint::custom_insecure_http(&server.base_url()).expect("loopback URL"))
        .rate_limiter(std::sync::Arc::new(tencent_im::AdaptivePacer::documented()))
        .build()
        .expect("client");
    (emulator, server, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_check_list_remove_over_http() {
    let (emulator, server, client) = serve(Faults::none()).await;
    let fans: Vec<String> = (0..1500).map(|i| format!("fan{i:04}")).collect();
    emulator.import_accounts(["alice", "bob", "carol"].map(String::from));
    emulator.import_accounts(fans.iter().cloned());
    emulator.make_friends("alice", "bob");

    let outcome = client.blocklist().add("alice", ["bob"]).await.expect("add");
    assert_eq!(outcome.succeeded, ["bob"]);
    assert!(
        !emulator.are_friends("alice", "bob"),
        "blocking removes the friendship"
    );

    // 1500 accounts: two requests; the blocklist holds 1000 at most.
    let outcome = client
        .blocklist()
        .add("carol", fans.iter().cloned())
        .await
        .expect("add");
    assert_eq!(outcome.succeeded.len(), 1000);
    assert_eq!(outcome.failed.len(), 500);
    assert!(
        outcome
            .failed
            .iter()
            .all(|f| f.code() == Some(tencent_im::ErrorCode::BLOCKLIST_FULL))
    );

    let listed: Vec<_> = client
        .blocklist()
        .list("carol")
        .try_collect()
        .await
        .expect("list");
    assert_eq!(listed.len(), 1000);
    assert_eq!(listed[0].account, "fan0000");

    client.blocklist().add("bob", ["alice"]).await.expect("add");
    let check = client
        .blocklist()
        .check("alice", ["bob"], CheckType::Both)
        .await
        .expect("check");
    assert_eq!(check.relation("bob"), Some(Relation::BothWay));

    let outcome = client
        .blocklist()
        .remove("alice", ["bob"])
        .await
        .expect("remove");
    assert_eq!(outcome.succeeded, ["bob"]);
    assert!(!emulator.is_blocked("alice", "bob"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_over_http_end_with_every_account_blocked_once() {
    let faults = Faults::seeded(11)
        .account_error(0.3)
        .lost_answer(0.1)
        .http_502(0.05)
        .truncated_json(0.05);
    let (emulator, server, client) = serve(faults).await;
    let fans: Vec<String> = (0..900).map(|i| format!("fan{i:04}")).collect();
    emulator.import_accounts(["erin".to_owned()]);
    emulator.import_accounts(fans.iter().cloned());

    let outcome = client
        .blocklist()
        .add("erin", fans.iter().cloned())
        .await
        .expect("add");
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(outcome.succeeded.len() + outcome.unchanged.len(), 900);
    let blocked = emulator.blocklist_of("erin");
    assert_eq!(blocked.len(), 900);
    let injected: usize = emulator.requests().iter().map(|r| r.faults.len()).sum();
    assert!(injected > 0);
    server.shutdown().await;
}
