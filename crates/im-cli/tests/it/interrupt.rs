//! Ctrl-C: a second one aborts at once; one at any moment, also after the last item was
//! read, ends the command with exit code 130.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use im_emulator::Faults;
use tencent_im::protocol::Api;

use crate::support::{Served, calls, interrupt, json, names, scratch, stderr, wait_until};

/// Every answer of the emulator is this late (the writes are applied at once).
const SLOW: Duration = Duration::from_secs(2);

fn served(users: &[String], fans: &[String], latency: Duration) -> Served {
    let mut accounts = users.to_vec();
    accounts.extend(fans.iter().cloned());
    Served::start(&accounts, Faults::none().latency(latency), 200)
}

fn spawn(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("imctl starts")
}

fn pairs_file(dir: &std::path::Path, users: &[String], fans: &[String]) -> std::path::PathBuf {
    let mut text = String::new();
    for user in users {
        for fan in fans {
            text.push_str(&format!("{user},{fan}\n"));
        }
    }
    let file = dir.join("pairs.csv");
    std::fs::write(&file, text).expect("write");
    file
}

#[test]
fn a_second_ctrl_c_aborts_without_waiting_for_the_calls_in_flight() {
    let (users, fans) = (names("user", 4), names("fan", 2));
    // Answers later than an attempt may wait (10 s): without the abort, the calls in
    // flight would be retried until their deadline before the import ends.
    let served = served(&users, &fans, Duration::from_secs(12));
    let dir = scratch("interrupt-twice");
    let file = pairs_file(&dir, &users, &fans);
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file)
        .arg("--checkpoint")
        .arg(dir.join("import.checkpoint"));
    let mut child = spawn(command);
    let lines = stderr_lines(&mut child);
    wait_until("the calls are in flight", || {
        calls(&served.emulator, Api::BlackListAdd) >= 4
    });
    interrupt(&child);
    let mut seen = String::new();
    wait_until("the first Ctrl-C is acknowledged", || {
        seen.extend(lines.try_iter().map(|line| line + "\n"));
        seen.contains("Ctrl-C again to abort")
    });
    interrupt(&child);
    let output = child.wait_with_output().expect("imctl ends");
    seen.extend(lines.iter().map(|line| line + "\n"));
    assert_eq!(output.status.code(), Some(130), "stderr: {seen}");
    assert!(seen.contains("aborted"), "{seen}");
    assert!(
        output.stdout.is_empty(),
        "no totals: the calls in flight were not waited for"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Standard error line by line, read on a thread of its own.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    let stream = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

#[test]
fn a_ctrl_c_after_the_last_pair_was_read_still_exits_130() {
    let (users, fans) = (names("user", 2), names("fan", 2));
    let served = served(&users, &fans, SLOW);
    let dir = scratch("interrupt-import-end");
    let file = pairs_file(&dir, &users, &fans);
    let mut command = served.imctl();
    command
        .args(["blocklist", "import", "--json", "--file"])
        .arg(&file);
    let child = spawn(command);
    // Both batches were sent, so the whole file was read; their answers are on the way.
    wait_until("every batch was sent", || {
        calls(&served.emulator, Api::BlackListAdd) >= 2
    });
    interrupt(&child);
    let output = child.wait_with_output().expect("imctl ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "stderr: {}",
        stderr(&output)
    );
    let totals = json(&output);
    assert_eq!(totals["succeeded"], 4, "the calls in flight were finished");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn account_import_and_export_exit_130_after_a_ctrl_c_at_their_end() {
    let users = names("user", 2);
    let served = served(&users, &[], SLOW);
    let dir = scratch("interrupt-other-ends");
    let users_file = dir.join("users.txt");
    std::fs::write(&users_file, users.join("\n")).expect("write");

    let mut command = served.imctl();
    command
        .args(["account", "import", "--json", "--file"])
        .arg(&users_file);
    let child = spawn(command);
    wait_until("the accounts were sent", || {
        calls(&served.emulator, Api::MultiAccountImport) >= 1
    });
    interrupt(&child);
    let output = child.wait_with_output().expect("imctl ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "stderr: {}",
        stderr(&output)
    );
    assert_eq!(json(&output)["succeeded"], 2);

    let mut command = served.imctl();
    command
        .args(["blocklist", "export", "--json", "--users"])
        .arg(&users_file)
        .arg("--out")
        .arg(dir.join("pairs.csv"));
    let child = spawn(command);
    wait_until("every user was listed", || {
        calls(&served.emulator, Api::BlackListGet) >= 2
    });
    interrupt(&child);
    let output = child.wait_with_output().expect("imctl ends");
    assert_eq!(
        output.status.code(),
        Some(130),
        "stderr: {}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}
