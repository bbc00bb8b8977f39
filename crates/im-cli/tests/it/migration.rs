//! The README's migration recipe, run command by command: blocklists moved from app A to
//! app B, two emulators over HTTP, both injecting faults.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::process::Command;

use im_emulator::{Emulator, FaultKind, Faults};
use tencent_im::ErrorCode;

use crate::support::{App, Served, json, names, run, scratch, stderr};

/// The app the blocklists leave.
const APP_A: App = App {
    sdkappid: "1400000001",
    key: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
};

/// The app they move to: another SDKAppID and key.
const APP_B: App = App {
    sdkappid: "1400000002",
    key: "0f9e8d7c6b5a49382716f0e9d8c7b6a50f9e8d7c6b5a49382716f0e9d8c7b6a5",
};

/// The operator's accounts.
const ACCOUNTS: usize = 2000;

/// The (from, to) pairs A holds.
const PAIRS: usize = 10_000;

/// The calls/s `imctl` paces at here instead of the documented 200 and 100. The emulators
/// are unlimited (rate limit 0) so that the test stays short; pacing at the documented
/// limits is measured by `cargo xtask bench` and checked in the pacing tests.
const TEST_RATE: &str = "1000";

/// `PAIRS` distinct pairs over `accounts`, drawn from a fixed seed. The blockers are
/// skewed towards the first accounts, so list lengths range from a couple of hundred
/// entries down to none.
fn pairs_held_by_a(accounts: &[String]) -> Vec<(String, String)> {
    let mut rng = fastrand::Rng::with_seed(2024);
    let mut seen = HashSet::new();
    let mut pairs = Vec::with_capacity(PAIRS);
    while pairs.len() < PAIRS {
        let uniform = rng.f64();
        let from = (uniform * uniform * accounts.len() as f64) as usize;
        let to = rng.usize(..accounts.len());
        if from != to && seen.insert((from, to)) {
            pairs.push((accounts[from].clone(), accounts[to].clone()));
        }
    }
    pairs
}

/// Faults of every kind the emulator injects, each in about 1% of the requests (or of the
/// accounts). Every call is retried up to five times, so an account stays failed only
/// when all five attempts hit a fault: about 4e-7 per account.
fn faults(seed: u64) -> Faults {
    Faults::seeded(seed)
        .http_502(0.01)
        .request_error(0.01)
        .account_error(0.01)
        .lost_answer(0.01)
        .truncated_json(0.005)
}

/// Runs one command of the recipe against `served` with `--json` and returns its summary,
/// after checking it exited with 0.
fn recipe_step(served: &Served, configure: impl FnOnce(&mut Command)) -> serde_json::Value {
    let mut command = served.imctl();
    command.env("TIM_RATE", TEST_RATE);
    configure(&mut command);
    command.arg("--json");
    let shown = format!("{:?}", command.get_args().collect::<Vec<_>>());
    let output = run(command, "");
    assert_eq!(
        output.status.code(),
        Some(0),
        "imctl {shown}\nstdout: {}\nstderr: {}",
        crate::support::stdout(&output),
        stderr(&output)
    );
    json(&output)
}

/// `user`'s blocked accounts, in any order.
fn blocked(emulator: &Emulator, user: &str) -> BTreeSet<String> {
    emulator
        .blocklist_of(user)
        .into_iter()
        .map(|(account, _)| account)
        .collect()
}

/// The lines of a pairs file, in any order; each line once.
fn pair_lines(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).expect("the export was written");
    let lines: Vec<&str> = text.lines().collect();
    let distinct: BTreeSet<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    assert_eq!(distinct.len(), lines.len(), "no pair is written twice");
    distinct
}

/// The kinds of faults `emulator` injected.
fn injected(emulator: &Emulator) -> HashSet<FaultKind> {
    emulator
        .requests()
        .into_iter()
        .flat_map(|request| request.faults)
        .collect()
}

#[test]
fn the_migration_recipe_gives_app_b_the_blocklists_of_app_a() {
    let accounts = names("user", ACCOUNTS);
    let pairs = pairs_held_by_a(&accounts);
    let a = Served::start_app(APP_A, &accounts, faults(11), 0);
    for (from, to) in &pairs {
        assert_eq!(a.emulator.block(from, to), ErrorCode::OK, "{from},{to}");
    }
    let b = Served::start_app(APP_B, &[], faults(23), 0);
    let dir = scratch("migration");
    // The operator's list of accounts: the API cannot list them.
    let users = dir.join("users.txt");
    std::fs::write(&users, accounts.join("\n") + "\n").expect("write");
    let exported = dir.join("pairs.csv");

    // 1. Every blocklist of A, as `from,to` pairs.
    let summary = recipe_step(&a, |command| {
        command
            .args(["blocklist", "export", "--users"])
            .arg(&users)
            .arg("--out")
            .arg(&exported)
            .arg("--checkpoint")
            .arg(dir.join("export.ckpt"));
    });
    let users_without_blocks = accounts
        .iter()
        .filter(|user| a.emulator.blocklist_of(user).is_empty())
        .count();
    assert_eq!(summary["users"], ACCOUNTS);
    assert_eq!(summary["exported"], ACCOUNTS);
    assert_eq!(summary["empty"], users_without_blocks);
    assert_eq!(summary["pairs"], PAIRS);
    assert_eq!(summary["failed"], serde_json::json!([]));
    let expected: BTreeSet<String> = pairs
        .iter()
        .map(|(from, to)| format!("{from},{to}"))
        .collect();
    assert_eq!(pair_lines(&exported), expected);

    // 2. The accounts into B, before any blocklist (B answers 30003 for unknown accounts).
    let summary = recipe_step(&b, |command| {
        command
            .args(["account", "import", "--file"])
            .arg(&users)
            .arg("--checkpoint")
            .arg(dir.join("accounts.ckpt"));
    });
    assert_eq!(summary["accounts"], ACCOUNTS);
    assert_eq!(summary["succeeded"], ACCOUNTS);
    assert_eq!(summary["failed"], serde_json::json!([]));
    assert_eq!(b.emulator.account_count(), ACCOUNTS);

    // 3. Every account is there.
    let summary = recipe_step(&b, |command| {
        command.args(["account", "check", "--file"]).arg(&users);
    });
    let results = summary["results"].as_array().expect("a list of results");
    assert_eq!(results.len(), ACCOUNTS);
    assert!(
        results.iter().all(|result| result["status"] == "Imported"),
        "{results:?}"
    );
    assert_eq!(summary["failed"], serde_json::json!([]));

    // 4. The pairs into B: each blocked once, even when an answer was lost after the
    //    block was applied.
    let summary = recipe_step(&b, |command| {
        command
            .args(["blocklist", "import", "--file"])
            .arg(&exported)
            .arg("--checkpoint")
            .arg(dir.join("import.ckpt"));
    });
    assert_eq!(summary["pairs"], PAIRS);
    assert_eq!(summary["succeeded"], PAIRS);
    assert_eq!(summary["unchanged"], 0);
    assert_eq!(summary["failed"], serde_json::json!([]));

    // 5. B's blocklists read back through the API are A's.
    let read_back = dir.join("pairs-b.csv");
    let summary = recipe_step(&b, |command| {
        command
            .args(["blocklist", "export", "--users"])
            .arg(&users)
            .arg("--out")
            .arg(&read_back);
    });
    assert_eq!(summary["pairs"], PAIRS);
    assert_eq!(pair_lines(&read_back), expected);

    // And so are the emulators' own states.
    for user in &accounts {
        assert_eq!(
            blocked(&b.emulator, user),
            blocked(&a.emulator, user),
            "{user}"
        );
    }
    // The faults did happen, on both sides.
    let on_both_sides = [
        FaultKind::Http502,
        FaultKind::RequestError,
        FaultKind::LostAnswer,
        FaultKind::TruncatedJson,
    ];
    for (name, served) in [("A", &a), ("B", &b)] {
        let kinds = injected(&served.emulator);
        for kind in on_both_sides {
            assert!(kinds.contains(&kind), "no {kind:?} in {name}: {kinds:?}");
        }
    }
    assert!(injected(&b.emulator).contains(&FaultKind::AccountError));
    let _ = std::fs::remove_dir_all(dir);
}
