//! Helpers shared by the test modules: the vector file and hand-made UserSigs.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use im_sig::SigDocument;
use serde::Deserialize;

/// The cross-implementation vectors, generated with the official Python and Node libraries.
#[derive(Deserialize)]
pub(crate) struct VectorFile {
    pub(crate) vectors: Vec<Vector>,
}

#[derive(Deserialize)]
pub(crate) struct Vector {
    pub(crate) name: String,
    pub(crate) sdkappid: u64,
    pub(crate) key: String,
    pub(crate) identifier: String,
    pub(crate) expire: u64,
    pub(crate) time: u64,
    pub(crate) userbuf_hex: Option<String>,
    pub(crate) content_to_sign: String,
    pub(crate) hmac_sha256_hex: String,
    pub(crate) sig: String,
    pub(crate) decoded: serde_json::Value,
    pub(crate) usersig: String,
    pub(crate) usersig_alt_node: String,
    pub(crate) usersig_alt_stored: Option<String>,
    pub(crate) verify_at: VerifyAt,
}

#[derive(Deserialize)]
pub(crate) struct VerifyAt {
    pub(crate) valid_until_inclusive: u64,
    pub(crate) expired_from: u64,
}

impl Vector {
    pub(crate) fn userbuf(&self) -> Option<Vec<u8>> {
        self.userbuf_hex.as_deref().map(hex)
    }

    /// The document the vector's `decoded` object describes.
    pub(crate) fn expected_document(&self) -> SigDocument {
        let field = |name: &str| &self.decoded[name];
        SigDocument {
            version: field("TLS.ver").as_str().unwrap().to_owned(),
            identifier: field("TLS.identifier").as_str().unwrap().to_owned(),
            sdkappid: field("TLS.sdkappid").as_u64().unwrap(),
            expire: field("TLS.expire").as_u64().unwrap(),
            time: field("TLS.time").as_u64().unwrap(),
            userbuf: field("TLS.userbuf")
                .as_str()
                .map(|text| STANDARD.decode(text).unwrap()),
            signature: STANDARD
                .decode(field("TLS.sig").as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap(),
        }
    }

    /// Every UserSig string of the vector: Python's, Node's, and the stored-block one if any.
    pub(crate) fn foreign_usersigs(&self) -> Vec<(&'static str, &str)> {
        let mut sigs = vec![
            ("python", self.usersig.as_str()),
            ("node", self.usersig_alt_node.as_str()),
        ];
        if let Some(stored) = &self.usersig_alt_stored {
            sigs.push(("stored", stored.as_str()));
        }
        sigs
    }
}

pub(crate) fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/usersig.json");
    let text = std::fs::read_to_string(path).unwrap();
    let file: VectorFile = serde_json::from_str(&text).unwrap();
    assert!(!file.vectors.is_empty());
    file.vectors
}

pub(crate) fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// zlib-compresses `bytes` at `level`.
pub(crate) fn zlib(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(level));
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Encodes bytes the way the official libraries do: standard base64, then `+/=` -> `*-_`.
pub(crate) fn usersig_base64(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

/// Packs a JSON document into a UserSig string, as another library might.
pub(crate) fn pack(json: &str, level: u32) -> String {
    usersig_base64(&zlib(json.as_bytes(), level))
}
