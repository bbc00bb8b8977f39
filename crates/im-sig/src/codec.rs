//! The byte-level layers of a UserSig: the base64 alphabet, the zlib framing, the HMAC input.

use std::cell::RefCell;

use base64::Engine as _;
use base64::alphabet::{Alphabet, Symbol};
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::{PAD, STANDARD};
use flate2::{Decompress, FlushDecompress, Status};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::MalformedReason;
use crate::key::SecretKey;

/// HMAC-SHA256, the MAC of TLSSigAPIv2.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The UserSig alphabet: standard base64 with `+` `/` `=` replaced by `*` `-` `_`.
const USERSIG_ALPHABET: Alphabet = {
    let padding = match Symbol::new(b'_') {
        Some(symbol) => symbol,
        None => panic!("`_` is a printable ASCII symbol"), // ok: const, fails the build
    };
    match Alphabet::new_with_padding(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-",
        padding,
    ) {
        Ok(alphabet) => alphabet,
        Err(_) => panic!("the UserSig alphabet is 64 distinct symbols"), // ok: const, fails the build
    }
};

/// Encodes with `_` padding, as every official library does, and requires it when decoding.
pub(crate) const USERSIG_BASE64: GeneralPurpose = GeneralPurpose::new(&USERSIG_ALPHABET, PAD);

/// The longest UserSig string [`inflate`] is asked to handle, in bytes.
///
/// A document at the [`MAX_DOCUMENT_LEN`] limit, even stored uncompressed, encodes to
/// fewer characters than this.
pub(crate) const MAX_USERSIG_LEN: usize = 96 * 1024;

/// The largest decompressed document accepted, in bytes. Real documents are about 200 bytes
/// (plus the base64 of a userbuf); the limit stops a small compressed input from expanding
/// into a large allocation.
pub(crate) const MAX_DOCUMENT_LEN: usize = 64 * 1024;

/// The SHA-256 block size, which is also the HMAC key block size.
const SHA256_BLOCK_LEN: usize = 64;

/// Starts an HMAC-SHA256 keyed with `key`.
///
/// HMAC accepts keys of any length: keys longer than a block are hashed first, shorter ones
/// are padded with zeros (RFC 2104). Doing that here gives a block-sized key, for which the
/// constructor is infallible.
pub(crate) fn keyed_mac(key: &[u8]) -> HmacSha256 {
    let mut block = [0u8; SHA256_BLOCK_LEN];
    if key.len() <= SHA256_BLOCK_LEN {
        block[..key.len()].copy_from_slice(key);
    } else {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    }
    HmacSha256::new(&block.into())
}

/// The fields that TLSSigAPIv2 signs.
#[derive(Clone, Copy)]
pub(crate) struct SignedFields<'a> {
    pub(crate) identifier: &'a str,
    pub(crate) sdkappid: u64,
    pub(crate) time: u64,
    pub(crate) expire: u64,
    /// The standard base64 (with padding) of the userbuf, when there is one.
    pub(crate) userbuf_base64: Option<&'a str>,
}

impl SignedFields<'_> {
    /// Feeds the string to sign to `sink`, piece by piece:
    /// `TLS.identifier:{id}\nTLS.sdkappid:{app}\nTLS.time:{time}\nTLS.expire:{expire}\n`
    /// followed by `TLS.userbuf:{base64}\n` when there is a userbuf.
    pub(crate) fn write_content(&self, mut sink: impl FnMut(&[u8])) {
        let mut digits = Decimal::new();
        sink(b"TLS.identifier:");
        sink(self.identifier.as_bytes());
        sink(b"\nTLS.sdkappid:");
        sink(digits.format(self.sdkappid));
        sink(b"\nTLS.time:");
        sink(digits.format(self.time));
        sink(b"\nTLS.expire:");
        sink(digits.format(self.expire));
        sink(b"\n");
        if let Some(userbuf) = self.userbuf_base64 {
            sink(b"TLS.userbuf:");
            sink(userbuf.as_bytes());
            sink(b"\n");
        }
    }

    /// The HMAC-SHA256 of the string to sign, keyed with `key`.
    pub(crate) fn mac(&self, key: &SecretKey) -> HmacSha256 {
        let mut mac = key.mac();
        self.write_content(|bytes| mac.update(bytes));
        mac
    }

    /// The raw HMAC-SHA256 of the string to sign.
    pub(crate) fn signature(&self, key: &SecretKey) -> [u8; 32] {
        self.mac(key).finalize().into_bytes().into()
    }
}

/// Writes the JSON document of a UserSig into `out`.
///
/// Keys are in the order of the official Python library; only the identifier needs
/// escaping, which serde_json does.
pub(crate) fn write_document(out: &mut Vec<u8>, fields: &SignedFields<'_>, signature: &[u8; 32]) {
    let mut digits = Decimal::new();
    out.extend_from_slice(br#"{"TLS.ver":"2.0","TLS.identifier":"#);
    // Serializing a `str` into a `Vec` cannot fail: the writer is infallible and every
    // string has a JSON representation.
    let _ = serde_json::to_writer(&mut *out, fields.identifier);
    out.extend_from_slice(br#","TLS.sdkappid":"#);
    out.extend_from_slice(digits.format(fields.sdkappid));
    out.extend_from_slice(br#","TLS.expire":"#);
    out.extend_from_slice(digits.format(fields.expire));
    out.extend_from_slice(br#","TLS.time":"#);
    out.extend_from_slice(digits.format(fields.time));
    if let Some(userbuf) = fields.userbuf_base64 {
        // Standard base64 never needs JSON escaping.
        out.extend_from_slice(br#","TLS.userbuf":""#);
        out.extend_from_slice(userbuf.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(br#","TLS.sig":""#);
    out.extend_from_slice(STANDARD.encode(signature).as_bytes());
    out.extend_from_slice(br#""}"#);
}

/// Formats `u64` values as decimal ASCII without going through `fmt`.
struct Decimal {
    buf: [u8; 20],
}

impl Decimal {
    const fn new() -> Self {
        Decimal { buf: [0; 20] }
    }

    fn format(&mut self, mut value: u64) -> &[u8] {
        let mut start = self.buf.len();
        loop {
            start -= 1;
            // The remainder is below 10, so the cast is lossless.
            self.buf[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        &self.buf[start..]
    }
}

/// The zlib header of a stream with a 32 KiB window at the "fastest" level: `78 01`, as
/// the official Go library writes it.
const ZLIB_HEADER: [u8; 2] = [0x78, 0x01];

/// The largest payload of one stored deflate block.
const MAX_STORED_BLOCK: usize = 0xFFFF;

/// Wraps `data` in a zlib stream made of stored (uncompressed) deflate blocks.
///
/// This is compression level 0, the official Go library's default, and every inflater
/// reads it. A deflate encoder would first reset its state (zlib-rs clears a 128 KiB hash
/// table per stream, at any level), which costs several times more than the rest of a
/// generation; framing the bytes directly costs one copy and an Adler-32.
pub(crate) fn zlib_stored(data: &[u8], out: &mut Vec<u8>) {
    let blocks = data.len().div_ceil(MAX_STORED_BLOCK).max(1);
    out.reserve(ZLIB_HEADER.len() + blocks * 5 + data.len() + 4);
    out.extend_from_slice(&ZLIB_HEADER);
    let mut rest = data;
    loop {
        let (block, tail) = rest.split_at(rest.len().min(MAX_STORED_BLOCK));
        let is_final = tail.is_empty();
        // The block header: BFINAL in bit 0, BTYPE 00 (stored), padded to a byte boundary.
        out.push(u8::from(is_final));
        // `block` is at most `MAX_STORED_BLOCK` (u16::MAX) bytes long, so the cast is lossless.
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
        if is_final {
            break;
        }
        rest = tail;
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
}

/// The Adler-32 checksum that ends a zlib stream (RFC 1950).
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // The largest run of bytes after which `b` still fits in a u32 (zlib's NMAX).
    const NMAX: usize = 5_552;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(NMAX) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Reusable state for decoding: the inflater and the two intermediate buffers.
pub(crate) struct DecodeScratch {
    /// One inflater per thread, reset for each document, so decoding does not allocate and
    /// initialise a fresh inflate state (and its window) every time.
    pub(crate) inflater: Decompress,
    /// The zlib stream, after undoing the base64.
    pub(crate) compressed: Vec<u8>,
    /// The JSON document, after inflating.
    pub(crate) document: Vec<u8>,
}

impl DecodeScratch {
    fn new() -> Self {
        DecodeScratch {
            inflater: Decompress::new(true),
            compressed: Vec::new(),
            document: Vec::new(),
        }
    }

    /// Keeps the buffers from pinning the memory of an unusually large document.
    fn trim(&mut self) {
        const KEEP: usize = 16 * 1024;
        self.compressed.clear();
        self.document.clear();
        self.compressed.shrink_to(KEEP);
        self.document.shrink_to(KEEP);
    }
}

thread_local! {
    static DECODE_SCRATCH: RefCell<DecodeScratch> = RefCell::new(DecodeScratch::new());
}

/// Runs `f` with this thread's decoding scratch, or a fresh one if that is unavailable
/// (re-entered, or the thread is shutting down).
pub(crate) fn with_decode_scratch<R>(mut f: impl FnMut(&mut DecodeScratch) -> R) -> R {
    let on_thread = DECODE_SCRATCH.try_with(|cell| {
        cell.try_borrow_mut().ok().map(|mut scratch| {
            let result = f(&mut scratch);
            scratch.trim();
            result
        })
    });
    match on_thread {
        Ok(Some(result)) => result,
        _ => f(&mut DecodeScratch::new()),
    }
}

/// Inflates the zlib stream `input` into `out`, refusing documents over [`MAX_DOCUMENT_LEN`]
/// and streams that are incomplete or followed by extra bytes.
pub(crate) fn inflate(
    inflater: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), MalformedReason> {
    inflater.reset(true);
    out.clear();
    let start_in = inflater.total_in();
    loop {
        let consumed = usize::try_from(inflater.total_in().saturating_sub(start_in))
            .map_err(|_| MalformedReason::Zlib)?;
        let pending = input.get(consumed..).ok_or(MalformedReason::Zlib)?;
        if out.len() == out.capacity() {
            // Grow in steps but never allow more than one byte past the limit.
            let room = (MAX_DOCUMENT_LEN + 1).saturating_sub(out.len());
            if room == 0 {
                return Err(MalformedReason::TooLarge);
            }
            out.reserve_exact(room.min(out.len().max(1024)));
        }
        let out_before = out.len();
        let status = inflater
            .decompress_vec(pending, out, FlushDecompress::Finish)
            .map_err(|_| MalformedReason::Zlib)?;
        if out.len() > MAX_DOCUMENT_LEN {
            return Err(MalformedReason::TooLarge);
        }
        let consumed_now = usize::try_from(inflater.total_in().saturating_sub(start_in))
            .map_err(|_| MalformedReason::Zlib)?;
        match status {
            Status::StreamEnd => {
                return if consumed_now == input.len() {
                    Ok(())
                } else {
                    Err(MalformedReason::Zlib)
                };
            }
            Status::Ok | Status::BufError => {
                let progressed = consumed_now != consumed || out.len() != out_before;
                // No progress with room left in the output means the input ended early.
                if !progressed && out.len() < out.capacity() {
                    return Err(MalformedReason::Zlib);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn keyed_mac_matches_the_library_constructor_for_every_key_length() {
        for len in 0..=200usize {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut ours = keyed_mac(&key);
            let mut theirs = HmacSha256::new_from_slice(&key).unwrap();
            ours.update(b"message");
            theirs.update(b"message");
            assert_eq!(
                ours.finalize().into_bytes(),
                theirs.finalize().into_bytes(),
                "{len}"
            );
        }
    }

    #[test]
    fn decimal_formats_edge_values() {
        let mut digits = Decimal::new();
        assert_eq!(digits.format(0), b"0");
        assert_eq!(digits.format(7), b"7");
        assert_eq!(digits.format(1_400_000_000), b"1400000000");
        assert_eq!(digits.format(u64::MAX), u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn stored_stream_inflates_with_flate2_for_sizes_around_the_block_limit() {
        for len in [
            0,
            1,
            200,
            MAX_STORED_BLOCK - 1,
            MAX_STORED_BLOCK,
            MAX_STORED_BLOCK + 1,
            140_000,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut stream = Vec::new();
            zlib_stored(&data, &mut stream);
            assert_eq!(&stream[..2], &[0x78, 0x01]);
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(&stream[..])
                .read_to_end(&mut inflated)
                .unwrap();
            assert_eq!(inflated, data, "{len}");
        }
    }

    #[test]
    fn adler32_matches_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        // A run long enough to need the modular reduction between chunks.
        let big = vec![0xFFu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &byte in &big {
            a = (a + u64::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        assert_eq!(u64::from(adler32(&big)), (b << 16) | a);
    }

    #[test]
    fn inflate_rejects_oversized_documents() {
        let data = vec![b' '; MAX_DOCUMENT_LEN + 1];
        let mut stream = Vec::new();
        zlib_stored(&data, &mut stream);
        let mut out = Vec::new();
        assert_eq!(
            inflate(&mut Decompress::new(true), &stream, &mut out),
            Err(MalformedReason::TooLarge)
        );
        let fits = vec![b' '; MAX_DOCUMENT_LEN];
        stream.clear();
        zlib_stored(&fits, &mut stream);
        assert_eq!(
            inflate(&mut Decompress::new(true), &stream, &mut out),
            Ok(())
        );
        assert_eq!(out.len(), MAX_DOCUMENT_LEN);
    }

    #[test]
    fn inflate_rejects_trailing_bytes_and_truncation() {
        let mut stream = Vec::new();
        zlib_stored(b"{}", &mut stream);
        let mut out = Vec::new();
        assert_eq!(
            inflate(&mut Decompress::new(true), &stream, &mut out),
            Ok(())
        );
        assert_eq!(out, b"{}");
        let mut longer = stream.clone();
        longer.push(0);
        assert_eq!(
            inflate(&mut Decompress::new(true), &longer, &mut out),
            Err(MalformedReason::Zlib)
        );
        for cut in 0..stream.len() {
            assert_eq!(
                inflate(&mut Decompress::new(true), &stream[..cut], &mut out),
                Err(MalformedReason::Zlib),
                "{cut}"
            );
        }
    }
}
