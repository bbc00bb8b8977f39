//! What identifies the input of a resumable command: a SHA-256 of its content, its length
//! and how many items (pairs, accounts, users) it holds.
//!
//! A checkpoint records it, so a resumed run refuses another input, and an import checks
//! it again at the end, so a file that changed while it was read is reported.

use std::fmt;
use std::io::Read as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::Failure;

/// The identity of an input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InputId {
    /// SHA-256 of the content, in lowercase hex.
    pub(crate) sha256: String,
    /// Length of the content in bytes.
    pub(crate) bytes: u64,
    /// Items of the input: pairs, accounts or users.
    pub(crate) items: u64,
}

impl InputId {
    /// The identity of the file at `path`, holding `items` items.
    pub(crate) fn of_file(path: &Path, items: u64) -> Result<InputId, Failure> {
        let (sha256, bytes) = hash_file(path)?;
        Ok(InputId {
            sha256,
            bytes,
            items,
        })
    }

    /// The identity of a list of items read whole (from the command line or standard
    /// input): each item is hashed with its length in front, so no two lists look alike.
    pub(crate) fn of_items<'a>(items: impl IntoIterator<Item = &'a str>) -> InputId {
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut count = 0u64;
        for item in items {
            hasher.update((item.len() as u64).to_le_bytes());
            hasher.update(item.as_bytes());
            bytes += item.len() as u64;
            count += 1;
        }
        InputId {
            sha256: hex(&hasher.finalize()),
            bytes,
            items: count,
        }
    }

    /// Whether the file at `path` still has this content.
    pub(crate) fn matches_file(&self, path: &Path) -> Result<bool, Failure> {
        let (sha256, bytes) = hash_file(path)?;
        Ok(sha256 == self.sha256 && bytes == self.bytes)
    }
}

impl fmt::Display for InputId {
    /// `1200 items, 24000 bytes, sha256 0123456789ab…`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let short = self.sha256.get(..12).unwrap_or(&self.sha256);
        write!(
            f,
            "{} items, {} bytes, sha256 {short}…",
            self.items, self.bytes
        )
    }
}

/// SHA-256 (hex) and length of a file's content.
fn hash_file(path: &Path) -> Result<(String, u64), Failure> {
    let cannot =
        |error: std::io::Error| Failure::new(format!("cannot read {}: {error}", path.display()));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(cannot(error)),
        };
        hasher.update(buffer.get(..read).unwrap_or_default());
        bytes += read as u64;
    }
    Ok((hex(&hasher.finalize()), bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_identified_by_its_content() {
        let dir = std::env::temp_dir().join(format!("imctl-input-id-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("pairs.csv");
        std::fs::write(&path, "a,b\n").expect("write");
        let id = InputId::of_file(&path, 1).expect("hash");
        // The SHA-256 of "a,b\n".
        assert_eq!(
            id.sha256,
            "5be08c9684a1d25efcee09318204824278b08bbfb4aef973ffefd0b9d7478313"
        );
        assert_eq!(id.bytes, 4);
        assert!(id.matches_file(&path).expect("hash"));
        std::fs::write(&path, "a,c\n").expect("write");
        assert!(
            !id.matches_file(&path).expect("hash"),
            "same length, new content"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn lists_of_items_do_not_collide_by_joining() {
        let split = InputId::of_items(["ab", "c"]);
        let joined = InputId::of_items(["a", "bc"]);
        assert_ne!(split.sha256, joined.sha256);
        assert_eq!((split.items, split.bytes), (2, 3));
        assert_eq!(split, InputId::of_items(["ab", "c"]));
    }
}
