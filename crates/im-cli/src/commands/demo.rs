//! `imctl demo`: a realistic story, end to end, against an embedded emulator.
//!
//! Everything goes through the public SDK (`tencent-im`) over real HTTP on loopback; the
//! emulator is only used directly to set the scene (accounts, friendships) and to show
//! what the service now holds.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use im_emulator::{Emulator, Faults};
use tencent_im::blocklist::PageRequest;
use tencent_im::protocol::Api;
use tencent_im::{CheckType, Client, Endpoint, SecretKey};

use crate::cli::Global;
use crate::output::{describe_reason, relation_name};
use crate::{Failure, Status};

/// Accounts every demo step can use.
const PEOPLE: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];
/// How many "fan" accounts exist (dave tries to block all of them).
const FANS: usize = 1_050;
/// Bulk import: this many users each block `IMPORT_EACH` fans.
const IMPORT_USERS: usize = 400;
const IMPORT_EACH: usize = 10;

fn fan(index: usize) -> String {
    format!("fan{index:04}")
}

fn user(index: usize) -> String {
    format!("user{index:04}")
}

pub(crate) async fn run(global: &Global) -> Result<Status, Failure> {
    let started = Instant::now();
    let key = format!("demo-key-{:016x}", fastrand_seed());
    let emulator = Emulator::builder()
        .sdkappid(1_400_000_000)
        .key(SecretKey::from(key.as_str()))
        .admin(global.admin.clone())
        .rate_limit(global.blocklist_rate())
        .build()
        .map_err(|error| Failure::new(format!("cannot start the emulator: {error}")))?;
    let server = emulator
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|error| Failure::new(format!("cannot start the emulator's server: {error}")))?;
    let client = Client::builder()
        .sdkappid(emulator.sdkappid())
        .key(key.as_str())
        .admin(global.admin.clone())
        .endpoint(
            Endpoint::custom_insecure_http(&server.base_url())
                .map_err(|error| Failure::new(format!("bad emulator URL: {error}")))?,
        )
        .calls_per_second(global.blocklist_rate())
        .build()
        .map_err(|error| Failure::new(format!("cannot configure the client: {error}")))?;
    let blocklist = client.blocklist();

    println!("Tencent Cloud Chat blocklist demo");
    println!(
        "A local emulator of the REST API listens on {}; every step below goes through the",
        server.base_url()
    );
    println!(
        "public SDK (tencent-im) over HTTP, paced at {} calls/s per API.\n",
        global.blocklist_rate()
    );

    // 1. The scene.
    let mut accounts: Vec<String> = PEOPLE.iter().map(|name| (*name).to_owned()).collect();
    accounts.extend((1..=FANS).map(fan));
    accounts.extend((0..IMPORT_USERS).map(user));
    let imported = emulator.import_accounts(accounts);
    emulator.make_friends("alice", "bob");
    emulator.make_friends("alice", "carol");
    println!("1. The scene: {imported} accounts imported; alice is friends with bob and carol.");

    // 2. Blocking removes the friendship.
    let outcome = blocklist.add("alice", ["bob", "carol"]).await?;
    println!(
        "2. alice blocks bob and carol: {} blocked, {} failed.",
        outcome.succeeded.len(),
        outcome.failed.len()
    );
    println!(
        "   alice and bob are friends now: {} (blocking removes the friendship both ways).",
        yes_no(emulator.are_friends("alice", "bob") || emulator.are_friends("bob", "alice"))
    );

    // 3. Idempotence.
    let outcome = blocklist.add("alice", ["bob"]).await?;
    println!(
        "3. alice blocks bob again: {} newly blocked, {} already blocked ({}), {} failed.",
        outcome.succeeded.len(),
        outcome.unchanged.len(),
        outcome.unchanged.join(", "),
        outcome.failed.len()
    );

    // 4. Past the 1000-entry limit.
    let fans: Vec<String> = (1..=FANS).map(fan).collect();
    let outcome = blocklist.add("dave", fans).await?;
    let full = outcome
        .failed
        .first()
        .map(|failure| describe_reason(failure.reason));
    println!(
        "4. dave blocks {FANS} fans, sent as requests of at most 1000: {} blocked, {} failed{}.",
        outcome.succeeded.len(),
        outcome.failed.len(),
        full.map(|code| format!(" with {code}")).unwrap_or_default()
    );

    // 5. Paging.
    print!("5. dave's blocklist, read in pages of 400:");
    let mut start = 0;
    let mut total = 0;
    let mut sequence = None;
    loop {
        let page = blocklist
            .list_page("dave", PageRequest::of_size(400).starting_at(start))
            .await?;
        total += page.entries.len();
        sequence = page.sequence.or(sequence);
        print!(" [from {start}: {}]", page.entries.len());
        match page.next_start_index {
            Some(next) => start = next,
            None => break,
        }
    }
    println!(
        "\n   {total} entries in all, blocklist sequence {}.",
        sequence.map_or("unknown".to_owned(), |sequence| sequence.to_string())
    );

    // 6. Checking both ways.
    blocklist.add("bob", ["alice"]).await?;
    blocklist.add("erin", ["alice"]).await?;
    let others = ["bob", "carol", "dave", "erin"];
    let both = blocklist.check("alice", others, CheckType::Both).await?;
    let single = blocklist.check("alice", others, CheckType::Single).await?;
    println!("6. bob and erin block alice back. alice checks bob, carol, dave and erin:");
    for account in others {
        let both_way = both.relation(account).map_or("failed", relation_name);
        let one_way = single.relation(account).map_or("failed", relation_name);
        println!("   {account:<6} both ways: {both_way:<8} alice's list only: {one_way}");
    }

    // 7. Bulk import at the real rate.
    let pairs: Vec<(String, String)> = (0..IMPORT_USERS)
        .flat_map(|u| (1..=IMPORT_EACH).map(move |f| (user(u), fan(f))))
        .collect();
    let calls_expected = IMPORT_USERS;
    println!(
        "7. Bulk import: {} pairs ({IMPORT_USERS} users blocking {IMPORT_EACH} fans each), {calls_expected} calls at {} calls/s.",
        pairs.len(),
        global.blocklist_rate()
    );
    let mut served = emulator.requests().len();
    emulator.clear_log();
    let import_started = Instant::now();
    let outcome = super::import::with_progress_bar(&client, pairs, false).await;
    let import_elapsed = import_started.elapsed();
    let floor =
        Duration::from_secs_f64(calls_expected as f64 / f64::from(global.blocklist_rate().max(1)));
    let busiest = emulator.max_calls_in_window(Api::BlackListAdd, Duration::from_secs(1));
    let refused = emulator
        .requests()
        .iter()
        .filter(|request| request.rejected_by_rate_limit)
        .count();
    println!(
        "   {} blocked, {} failed in {:.2} s (the limit allows no less than {:.2} s); at most {busiest} calls in any second, {refused} refused by the limit.",
        outcome.succeeded,
        outcome.failed.len(),
        import_elapsed.as_secs_f64(),
        floor.as_secs_f64()
    );

    // 8. Faults.
    served += emulator.requests().len();
    emulator.set_faults(
        Faults::seeded(2024)
            .account_error(0.3)
            .lost_answer(0.1)
            .http_502(0.05),
    );
    emulator.clear_log();
    println!(
        "8. The emulator now fails 30% of accounts (30006/30007/30008), answers 5% of requests"
    );
    println!(
        "   with HTTP 502, and loses 10% of answers after applying the write. erin blocks 900 fans."
    );
    let targets: Vec<String> = (1..=900).map(fan).collect();
    let outcome = blocklist.add("erin", targets.iter().cloned()).await?;
    let requests = emulator.requests();
    let faults: usize = requests.iter().map(|request| request.faults.len()).sum();
    let held = targets
        .iter()
        .filter(|fan| emulator.is_blocked("erin", fan))
        .count();
    println!(
        "   {} blocked, {} failed, after {} requests with {faults} faults injected;",
        outcome.succeeded.len(),
        outcome.failed.len(),
        requests.len()
    );
    let reported = outcome.succeeded.len() + outcome.unchanged.len();
    let lost = outcome
        .succeeded
        .iter()
        .chain(&outcome.unchanged)
        .filter(|account| !emulator.is_blocked("erin", account))
        .count();
    let failed_yet_held = outcome
        .failed
        .iter()
        .filter(|failure| emulator.is_blocked("erin", &failure.account))
        .count();
    if held == reported && lost == 0 && failed_yet_held == 0 {
        println!(
            "   the service now holds {held} of the 900, exactly what the SDK reported: nothing lost, nothing extra."
        );
    } else {
        println!(
            "   the service holds {held} of the 900 but the SDK reported {reported}; {failed_yet_held} reported failed are blocked."
        );
    }
    emulator.set_faults(Faults::none());
    served += requests.len();

    server.shutdown().await;
    println!(
        "\nSummary: {served} requests served over HTTP, {faults} faults injected in the last step, {lost} accounts lost;"
    );
    println!(
        "bulk import at {:.1}% of the fastest the limit allows, never more than {busiest} calls in a second.",
        100.0 * floor.as_secs_f64() / import_elapsed.as_secs_f64().max(f64::EPSILON)
    );
    println!(
        "Done in {:.1} s. Run `imctl serve` to keep an emulator running for your own tests.",
        started.elapsed().as_secs_f64()
    );
    Ok(Status::Done)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// A per-run value for the demo's throwaway key (never printed).
fn fastrand_seed() -> u64 {
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    time ^ u64::from(std::process::id()).rotate_left(32)
}
