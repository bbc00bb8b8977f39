//! `imctl sig gen` and `imctl sig verify`.

use crate::support::{KEY, SDKAPPID, imctl, run, stderr, stdout};

fn gen_sig(identifier: &str, expire: &str) -> String {
    let mut command = imctl();
    command
        .args(["sig", "gen", "--identifier", identifier, "--expire", expire])
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    stdout(&output).trim().to_owned()
}

#[test]
fn a_generated_sig_verifies_and_decodes_as_json() {
    let sig = gen_sig("alice", "3600");
    let mut command = imctl();
    command
        .args(["--json", "sig", "verify", "--identifier", "alice", &sig])
        .args(["--sdkappid", SDKAPPID, "--key", KEY]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(document["identifier"], "alice");
    assert_eq!(document["sdkappid"], 1_400_000_000u64);
    assert_eq!(document["expire"], 3600);
}

#[test]
fn a_sig_for_someone_else_or_another_key_is_rejected_with_the_reason() {
    let sig = gen_sig("alice", "3600");
    let mut command = imctl();
    command
        .args(["sig", "verify", "--identifier", "bob", &sig])
        .args(["--sdkappid", SDKAPPID, "--key", KEY]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("identifier"),
        "stderr: {}",
        stderr(&output)
    );

    let mut command = imctl();
    command
        .args(["sig", "verify", "--identifier", "alice", &sig])
        .args(["--sdkappid", SDKAPPID, "--key", "another key"]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !stderr(&output).contains(&sig),
        "the sig must not be echoed"
    );
    assert!(
        !stderr(&output).contains("another key"),
        "the key must not be echoed"
    );
}

#[test]
fn an_expired_sig_is_rejected() {
    // Signed long ago with the right key: valid in every way but time.
    let key = tencent_im::SecretKey::from(KEY);
    let params = tencent_im::sig::SigParams::new(1_400_000_000, "alice", 3600);
    let sig = tencent_im::sig::generate(&key, &params, 1_600_000_000);
    let mut command = imctl();
    command
        .args([
            "sig",
            "verify",
            "--identifier",
            "alice",
            sig.expose_secret(),
        ])
        .args(["--sdkappid", SDKAPPID, "--key", KEY]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("expired"),
        "stderr: {}",
        stderr(&output)
    );
}

#[test]
fn missing_credentials_are_a_one_line_error() {
    let output = run(
        {
            let mut command = imctl();
            command.args(["sig", "gen", "--identifier", "alice"]);
            command
        },
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output).trim(),
        "error: missing --sdkappid (or TIM_SDKAPPID)"
    );
}
