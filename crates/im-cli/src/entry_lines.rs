//! One user's blocklist entries as lines of an export file.

use serde::Serialize;
use tencent_im::blocklist::BlockedAccount;

use crate::cli::ExportFormat;
use crate::pairs_file::pairs;

/// The `from,to` line of a pair, when the pairs format can carry it: written as CSV
/// (quoted where a field holds a comma, a quote or a `#`), and it must read back as the
/// same pair, alone, through the reader of `blocklist import`. It cannot when an id
/// starts or ends with a space (the reader trims), or when the pair would read as a
/// header (`from,to`).
pub(crate) fn pair_line(from: &str, to: &str) -> Option<String> {
    let mut writer = csv::WriterBuilder::new()
        .comment(Some(b'#'))
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record([from, to]).ok()?;
    let mut bytes = writer.into_inner().ok()?;
    if bytes.pop() != Some(b'\n') {
        return None;
    }
    let line = String::from_utf8(bytes).ok()?;
    let mut read_back = pairs(line.as_bytes(), "");
    let same = matches!(
        (read_back.next(), read_back.next()),
        (Some(Ok((read_from, read_to))), None) if read_from == from && read_to == to
    );
    drop(read_back);
    same.then_some(line)
}

#[derive(Serialize)]
struct EntryJson<'a> {
    from: &'a str,
    to: &'a str,
    added_at: u64,
}

/// Appends the lines of `from`'s `entries` to `out`. Fails, writing nothing, naming the
/// first entry the format cannot carry.
pub(crate) fn encode(
    format: ExportFormat,
    from: &str,
    entries: &[BlockedAccount],
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let start = out.len();
    for entry in entries {
        let line = match format {
            ExportFormat::Pairs => pair_line(from, &entry.account).ok_or_else(|| {
                format!(
                    "blocked account {:?} cannot be written as a `from,to` line",
                    entry.account
                )
            }),
            ExportFormat::Jsonl => serde_json::to_string(&EntryJson {
                from,
                to: &entry.account,
                added_at: entry.added_at,
            })
            .map_err(|error| format!("cannot encode an entry: {error}")),
        };
        match line {
            Ok(line) => {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            Err(reason) => {
                out.truncate(start);
                return Err(reason);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(account: &str) -> BlockedAccount {
        BlockedAccount::new(account.to_owned(), 1_700_000_000)
    }

    #[test]
    fn pairs_read_back_as_the_same_pairs() {
        let mut out = Vec::new();
        encode(
            ExportFormat::Pairs,
            "alice",
            &[entry("bob"), entry("carol")],
            &mut out,
        )
        .expect("encodable");
        let text = String::from_utf8(out).expect("UTF-8");
        let pairs: Vec<_> = pairs(text.as_bytes(), "out")
            .map(|pair| pair.ok())
            .collect();
        assert_eq!(
            pairs,
            [
                Some(("alice".to_owned(), "bob".to_owned())),
                Some(("alice".to_owned(), "carol".to_owned()))
            ]
        );
    }

    #[test]
    fn ids_with_commas_quotes_and_hashes_are_quoted() {
        assert_eq!(pair_line("alice", "bob").as_deref(), Some("alice,bob"));
        assert_eq!(
            pair_line("alice", "b,ob").as_deref(),
            Some("alice,\"b,ob\"")
        );
        assert_eq!(
            pair_line("#alice", "bob").as_deref(),
            Some("\"#alice\",bob")
        );
        assert_eq!(pair_line("a\"l", "bob").as_deref(), Some("\"a\"\"l\",bob"));
    }

    #[test]
    fn ids_the_pairs_format_cannot_carry_write_nothing() {
        assert_eq!(pair_line("alice", " bob"), None);
        assert_eq!(pair_line("alice", "bob "), None);
        assert_eq!(pair_line("From", "to"), None);
        assert_eq!(pair_line("alice", ""), None);
        assert_eq!(pair_line("alice", "bob\nmallory,eve"), None);
        let mut out = b"earlier\n".to_vec();
        let result = encode(
            ExportFormat::Pairs,
            "alice",
            &[entry("bob"), entry(" x")],
            &mut out,
        );
        assert!(result.is_err_and(|reason| reason.contains("\" x\"")));
        assert_eq!(out, b"earlier\n");
    }

    #[test]
    fn json_lines_carry_any_id_and_the_time() {
        let mut out = Vec::new();
        encode(ExportFormat::Jsonl, "alice", &[entry("b,\"ob\"")], &mut out).expect("encodable");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("one JSON line");
        assert_eq!(value["from"], "alice");
        assert_eq!(value["to"], "b,\"ob\"");
        assert_eq!(value["added_at"], 1_700_000_000);
    }
}
