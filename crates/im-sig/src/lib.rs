#![cfg_attr(docsrs, feature(doc_cfg))]
//! UserSig (TLSSigAPIv2) for the Tencent Cloud Chat server REST API: generate, decode,
//! verify, and a caching [`Signer`].
//!
//! A UserSig is the credential of every REST call: an HMAC-SHA256 over the application,
//! user, issue time and validity, keyed with the application's secret key, packed into a
//! JSON document, zlib-compressed and base64-encoded with the alphabet `A-Z a-z 0-9 * -`
//! and `_` padding.
//!
//! - [`generate`] makes a UserSig from a [`SecretKey`] and [`SigParams`] at a given time.
//! - [`decode`] reads one back into a [`SigDocument`]; [`verify`] also checks the
//!   application, user, expiry, userbuf and signature, with typed [`SigError`]s.
//! - [`Signer`] holds the key, caches the administrator UserSig, renews it before it
//!   expires, and reads time from an injectable [`Clock`].
//! - [`PrivateMapKey`] builds TRTC's privilege map key, as the official libraries'
//!   `genPrivateMapKey` does.
//!
//! Features: `serde` serializes and deserializes a [`UserSig`] as its text (its `Debug`
//! stays redacted). No feature is on by default.
//!
//! The key and UserSigs are secrets: their `Debug` output is redacted, they have no
//! `Display`, and errors never contain them.
//!
//! What this crate does not do: no I/O, no async, no HTTP. [`generate`], [`decode`] and
//! [`verify`] are pure functions that take the time as an argument; only [`SystemClock`],
//! the default clock of [`Signer`], reads the system time. It does not check identifier
//! rules (length, characters): the algorithm handles any UTF-8, and the API enforces its
//! own rules.
//!
//! # Example
//!
//! ```
//! use im_sig::{Expected, SecretKey, SigParams, generate, verify};
//!
//! let key = SecretKey::new("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
//! let now = 1_700_000_000;
//! let sig = generate(&key, &SigParams::new(1_400_000_000, "administrator", 86_400), now);
//!
//! let expected = Expected::new(1_400_000_000, "administrator");
//! let doc = verify(sig.expose_secret(), &key, &expected, now + 60)?;
//! assert_eq!(doc.expires_at(), now + 86_400);
//!
//! let late = verify(sig.expose_secret(), &key, &expected, now + 86_401).unwrap_err();
//! assert!(late.is_expired());
//! # Ok::<(), im_sig::SigError>(())
//! ```
//!
//! # Compatibility
//!
//! [`decode`] and [`verify`] accept the UserSigs of the official Python, Node, Go, Java and
//! PHP libraries: any JSON key order, whitespace and escaping (including `\uXXXX` and
//! `\/`), any zlib compression level including stored blocks, and a trailing newline after
//! the document. [`generate`] writes what the server and those libraries' verifiers
//! accept: compact JSON, and zlib with stored blocks as the Go library does (see
//! [`generate`] for why). The signature of a UserSig is identical across implementations;
//! the outer string differs with the JSON formatting and compressor, so compare decoded
//! fields, not strings.
//!
//! # Performance
//!
//! A generation is one HMAC-SHA256, a JSON document of about 180 bytes, a zlib framing
//! and two base64 encodings, with no compressor state to set up; see the crate's
//! `generate` benchmark.

mod clock;
mod codec;
mod error;
mod generate;
mod key;
mod private_map_key;
mod signer;
mod verify;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{MalformedReason, SigError};
pub use generate::{SigParams, generate};
pub use key::{SecretKey, UserSig};
pub use private_map_key::{PrivateMapKey, Room};
pub use signer::{DEFAULT_EXPIRE_SECS, Signer};
pub use verify::{Expected, SigDocument, decode, verify};
