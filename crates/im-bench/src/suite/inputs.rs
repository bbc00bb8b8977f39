//! The input files the paced sections write into the scratch folder: pairs, accounts, users.

use std::fmt::Display;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

/// Writes `lines` to `path`, one a line, creating its folder.
pub(crate) fn write_lines<L: Display>(
    path: &Path,
    lines: impl IntoIterator<Item = L>,
) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    }
    let file =
        File::create(path).map_err(|error| format!("cannot create {}: {error}", path.display()))?;
    let mut writer = BufWriter::new(file);
    lines
        .into_iter()
        .try_for_each(|line| writeln!(writer, "{line}"))
        .and_then(|()| writer.flush())
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// `{prefix}{index:06}` for `count` indices: `u000000`, `u000001`, ...
pub(crate) fn numbered(prefix: &str, count: usize) -> impl Iterator<Item = String> + '_ {
    (0..count).map(move |index| format!("{prefix}{index:06}"))
}

/// Writes `<dir>/<name>.csv` with `froms` users of `per_from` pairs each
/// (`{from_prefix}000000,{to_prefix}0000` ...), and `<dir>/<name>-accounts.txt` naming every
/// account of them. Returns (pairs, accounts).
pub(crate) fn pair_files(
    dir: &Path,
    name: &str,
    from_prefix: &str,
    froms: usize,
    to_prefix: &str,
    per_from: usize,
) -> Result<(PathBuf, PathBuf), String> {
    let pairs = dir.join(format!("{name}.csv"));
    let accounts = dir.join(format!("{name}-accounts.txt"));
    let targets = move || (0..per_from).map(move |to| format!("{to_prefix}{to:04}"));
    write_lines(
        &pairs,
        numbered(from_prefix, froms)
            .flat_map(|from| targets().map(move |to| format!("{from},{to}"))),
    )?;
    write_lines(&accounts, numbered(from_prefix, froms).chain(targets()))?;
    Ok((pairs, accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_files_name_every_pair_and_account() {
        let dir = std::env::temp_dir().join(format!("im-bench-inputs-{}", std::process::id()));
        let (pairs, accounts) = pair_files(&dir, "pairs", "u", 2, "t", 3).unwrap();
        assert_eq!(
            std::fs::read_to_string(&pairs).unwrap(),
            "u000000,t0000\nu000000,t0001\nu000000,t0002\n\
             u000001,t0000\nu000001,t0001\nu000001,t0002\n"
        );
        assert_eq!(
            std::fs::read_to_string(&accounts).unwrap(),
            "u000000\nu000001\nt0000\nt0001\nt0002\n"
        );
        assert_eq!(pairs, dir.join("pairs.csv"));
        assert_eq!(accounts, dir.join("pairs-accounts.txt"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
