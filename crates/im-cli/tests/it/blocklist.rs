//! `imctl blocklist` against the emulator over HTTP.

use im_emulator::Faults;

use crate::support::{Served, json, names, run, stderr, stdout};

fn people() -> Vec<String> {
    ["alice", "bob", "carol", "dave"].map(String::from).to_vec()
}

#[test]
fn add_then_add_again_reports_unchanged_and_list_shows_the_entries() {
    let served = Served::start(&people(), Faults::none(), 200);
    let mut command = served.imctl();
    command.args([
        "blocklist",
        "add",
        "--from",
        "alice",
        "--to",
        "bob",
        "carol",
        "--json",
    ]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["succeeded"], serde_json::json!(["bob", "carol"]));
    assert_eq!(value["unchanged"], serde_json::json!([]));
    assert_eq!(value["failed"], serde_json::json!([]));

    let mut command = served.imctl();
    command.args([
        "--json",
        "blocklist",
        "add",
        "--from",
        "alice",
        "--to",
        "bob",
    ]);
    let value = json(&run(command, ""));
    assert_eq!(value["unchanged"], serde_json::json!(["bob"]));

    let mut command = served.imctl();
    command.args(["blocklist", "list", "--from", "alice", "--json"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0));
    let entries = json(&output)["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let accounts: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["account"].as_str())
        .collect();
    assert_eq!(accounts, ["bob", "carol"]);
    assert!(
        entries
            .iter()
            .all(|e| e["added_at"].as_u64().is_some_and(|t| t > 0))
    );
}

#[test]
fn remove_reads_accounts_from_standard_input() {
    let served = Served::start(&people(), Faults::none(), 200);
    served.emulator.block("alice", "bob");
    served.emulator.block("alice", "carol");
    let mut command = served.imctl();
    command.args([
        "blocklist",
        "remove",
        "--from",
        "alice",
        "--to-file",
        "-",
        "--json",
    ]);
    let output = run(command, "# to unblock\nbob\n\ncarol\n");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(
        json(&output)["succeeded"],
        serde_json::json!(["bob", "carol"])
    );
    assert!(!served.emulator.is_blocked("alice", "bob"));
}

#[test]
fn blocking_past_1000_exits_2_and_names_30013() {
    let mut accounts = people();
    let fans = names("fan", 1002);
    accounts.extend(fans.iter().cloned());
    let served = Served::start(&accounts, Faults::none(), 200);
    let dir = crate::support::scratch("past-1000");
    let file = dir.join("fans.txt");
    std::fs::write(&file, fans.join("\n")).expect("write");
    let mut command = served.imctl();
    command
        .args(["blocklist", "add", "--from", "dave", "--json", "--to-file"])
        .arg(&file);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["succeeded"].as_array().map(Vec::len), Some(1000));
    let failed = value["failed"].as_array().cloned().unwrap_or_default();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|f| f["code"] == 30013));

    // The words say the same.
    let mut command = served.imctl();
    command.args(["blocklist", "add", "--from", "dave", "--to", "fan1001"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("30013 BLOCKLIST_FULL"),
        "{}",
        stdout(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_both_ways_and_single() {
    let served = Served::start(&people(), Faults::none(), 200);
    served.emulator.block("alice", "bob");
    served.emulator.block("bob", "alice");
    served.emulator.block("alice", "carol");
    served.emulator.block("dave", "alice");
    let relations = |single: bool| {
        let mut command = served.imctl();
        command.args([
            "blocklist",
            "check",
            "--from",
            "alice",
            "--to",
            "bob",
            "carol",
            "dave",
            "--json",
        ]);
        if single {
            command.arg("--single");
        }
        let output = run(command, "");
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        json(&output)["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| {
                (
                    r["account"].as_str().unwrap_or_default().to_owned(),
                    r["relation"].as_str().unwrap_or_default().to_owned(),
                    r["code"].as_i64(),
                )
            })
            .collect::<Vec<_>>()
    };
    let both = relations(false);
    assert_eq!(
        both,
        [
            ("bob".to_owned(), "BothWay".to_owned(), Some(0)),
            ("carol".to_owned(), "AWithB".to_owned(), Some(0)),
            ("dave".to_owned(), "BWithA".to_owned(), Some(0)),
        ]
    );
    let single = relations(true);
    let single: Vec<&str> = single
        .iter()
        .map(|(_, relation, _)| relation.as_str())
        .collect();
    assert_eq!(single, ["AWithB", "AWithB", "NO"]);
}

#[test]
fn a_service_error_names_its_code_and_meaning() {
    let served = Served::start(&people(), Faults::none(), 200);
    let mut command = served.imctl();
    command
        .args(["blocklist", "add", "--from", "alice", "--to", "bob"])
        .env("TIM_SECRET_KEY", "wrong-key-5f3a");
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(text.contains("70009"), "{text}");
    assert!(text.contains("SIG_VERIFICATION_FAILED"), "{text}");
    assert!(!text.contains("wrong-key-5f3a"));
}

#[test]
fn faults_are_recovered_from_and_every_account_ends_blocked() {
    let fans = names("fan", 900);
    let mut accounts = people();
    accounts.extend(fans.iter().cloned());
    let faults = Faults::seeded(7)
        .account_error(0.3)
        .lost_answer(0.1)
        .http_502(0.05);
    let served = Served::start(&accounts, faults, 200);
    let mut command = served.imctl();
    command.args([
        "blocklist",
        "add",
        "--from",
        "alice",
        "--to-file",
        "-",
        "--json",
    ]);
    let output = run(command, &fans.join("\n"));
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let value = json(&output);
    assert_eq!(value["failed"], serde_json::json!([]));
    let reported = value["succeeded"].as_array().map_or(0, Vec::len)
        + value["unchanged"].as_array().map_or(0, Vec::len);
    assert_eq!(reported, 900);
    let blocked = served.emulator.blocklist_of("alice");
    assert_eq!(blocked.len(), 900);
    assert!(
        fans.iter()
            .all(|fan| served.emulator.is_blocked("alice", fan))
    );
    let faults: usize = served
        .emulator
        .requests()
        .iter()
        .map(|r| r.faults.len())
        .sum();
    assert!(faults > 0, "the run must have met faults");
}

#[test]
fn secrets_never_appear_even_when_verbose_at_trace() {
    let served = Served::start(&people(), Faults::seeded(3).http_502(0.3), 200);
    let mut command = served.imctl();
    command
        .args([
            "--verbose",
            "blocklist",
            "add",
            "--from",
            "alice",
            "--to",
            "bob",
            "carol",
        ])
        .env("RUST_LOG", "trace");
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let everything = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!everything.is_empty());
    assert!(!everything.contains(crate::support::KEY));
    assert!(
        !everything.contains("usersig="),
        "a URL with its query was logged"
    );
    assert!(!contains_usersig(&everything), "a UserSig was printed");
}

/// Whether `text` holds something shaped like a UserSig: a zlib stream in the UserSig
/// alphabet (`eJ` or `eA` and 60 more alphabet characters).
fn contains_usersig(text: &str) -> bool {
    let alphabet = |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | '-' | '_');
    text.match_indices('e').any(|(index, _)| {
        let rest = &text[index..];
        (rest.starts_with("eJ") || rest.starts_with("eA"))
            && rest.chars().take(62).filter(|c| alphabet(*c)).count() == 62
    })
}
