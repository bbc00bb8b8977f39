//! imctl as a native tool: completions, the manual page, the version, examples in every
//! `--help`, and the key from a file.

use crate::support::{KEY, SDKAPPID, imctl, run, scratch, stderr, stdout};

/// Every command that does something, as its words after `imctl`.
const COMMANDS: [&[&str]; 19] = [
    &["demo"],
    &["serve"],
    &["sig"],
    &["sig", "gen"],
    &["sig", "verify"],
    &["blocklist"],
    &["blocklist", "add"],
    &["blocklist", "remove"],
    &["blocklist", "list"],
    &["blocklist", "check"],
    &["blocklist", "import"],
    &["blocklist", "export"],
    &["account", "import"],
    &["account", "check"],
    &["account", "delete"],
    &["webhook", "listen"],
    &["completions"],
    &["man"],
    &["account"],
];

#[test]
fn every_command_help_ends_with_an_example() {
    for words in COMMANDS {
        let mut command = imctl();
        command.args(words).arg("--help");
        let output = run(command, "");
        assert_eq!(output.status.code(), Some(0), "{words:?}");
        let help = stdout(&output);
        let example = help
            .split("Example:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("no example in `imctl {} --help`", words.join(" ")));
        assert!(example.contains("imctl "), "{words:?}: {example}");
    }
}

#[test]
fn the_version_is_the_crate_version() {
    let mut command = imctl();
    command.arg("--version");
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output).trim(),
        format!("imctl {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_cover_the_subcommands_in_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef imctl"),
        ("fish", "complete -c imctl"),
    ] {
        let mut command = imctl();
        command.args(["completions", shell]);
        let output = run(command, "");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}");
        for word in ["blocklist", "account", "export", "checkpoint", "key-file"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let mut command = imctl();
    command.args(["completions", "cmd.exe"]);
    assert_eq!(run(command, "").status.code(), Some(1));
}

#[test]
fn the_manual_page_is_roff_naming_the_commands() {
    let mut command = imctl();
    command.arg("man");
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH imctl"),
        "{page}"
    );
    for word in ["blocklist", "account", "TIM_SECRET_KEY", "key\\-file"] {
        assert!(page.contains(word), "the page mentions {word}");
    }
}

fn sig_gen() -> std::process::Command {
    let mut command = imctl();
    command
        .args(["sig", "gen", "--identifier", "alice"])
        .env("TIM_SDKAPPID", SDKAPPID);
    command
}

#[test]
fn the_key_is_read_from_a_file_or_standard_input_without_a_warning() {
    let dir = scratch("key-file");
    let file = dir.join("key");
    std::fs::write(&file, format!("{KEY}\n")).expect("key file");
    let mut from_env = sig_gen();
    from_env.env("TIM_SECRET_KEY", KEY);
    let expected = run(from_env, "");
    assert_eq!(expected.status.code(), Some(0));
    assert!(stderr(&expected).is_empty(), "{}", stderr(&expected));
    let sig = stdout(&expected);

    let mut from_file = sig_gen();
    from_file.arg("--key-file").arg(&file);
    let output = run(from_file, "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    // Same key, same app and identifier: the sig verifies with the environment's key.
    let mut verify = imctl();
    verify
        .args([
            "sig",
            "verify",
            "--identifier",
            "alice",
            stdout(&output).trim(),
        ])
        .env("TIM_SDKAPPID", SDKAPPID)
        .env("TIM_SECRET_KEY", KEY);
    assert_eq!(run(verify, "").status.code(), Some(0));
    assert!(!sig.is_empty());

    let mut from_stdin = sig_gen();
    from_stdin.args(["--key-file", "-"]);
    let output = run(from_stdin, &format!("{KEY}\n"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_key_on_the_command_line_works_with_a_warning() {
    let mut command = sig_gen();
    command.args(["--key", KEY]);
    let output = run(command, "");
    assert_eq!(output.status.code(), Some(0));
    let warning = stderr(&output);
    assert!(
        warning.contains("warning:") && warning.contains("--key-file"),
        "{warning}"
    );
    assert!(!warning.contains(KEY), "the warning never repeats the key");
}

#[test]
fn bad_key_files_are_refused_without_echoing_them() {
    let dir = scratch("bad-key-file");
    let empty = dir.join("empty");
    std::fs::write(&empty, "\n").expect("file");
    let cases: [(&[&str], &str, &str); 3] = [
        (&["--key-file"], "missing", "cannot read the key file"),
        (&["--key-file"], "empty", "holds no key"),
        (&["--key", KEY, "--key-file"], "empty", "give one"),
    ];
    for (args, name, message) in cases {
        let mut command = sig_gen();
        command.args(args).arg(dir.join(name));
        let output = run(command, "");
        assert_eq!(output.status.code(), Some(1), "{args:?} {name}");
        let error = stderr(&output);
        assert!(error.contains(message), "{error}");
    }
}
