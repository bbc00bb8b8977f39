//! The query-string codec: how request URLs are encoded and how a server or a webhook
//! receiver reads a query string. One rule, used on both sides.
//!
//! **Encoding** ([`encode`], [`encode_into`]) writes a value as UTF-8 and percent-encodes
//! every byte outside `A-Z a-z 0-9 - . _ ~ *` as `%XX`. The RFC 3986 unreserved characters
//! stay as they are, and so does `*`, which is legal in a query and part of the UserSig
//! alphabet (`*`, `-`, `_`): a UserSig is sent unencoded, as the official SDKs send it. A
//! space becomes `%20` and a `+` becomes `%2B`, so nothing an encoder wrote is ever read
//! back differently.
//!
//! **Decoding** ([`decode`], [`DecodedQuery::parse`]) follows
//! `application/x-www-form-urlencoded`, the rule of query strings: `%XX` is one byte and
//! `+` is a space. It is strict where a browser's parser is lenient: a `%` not followed by
//! two hexadecimal digits, or escapes that do not decode to UTF-8, are an error
//! ([`QueryError`]) rather than a guessed value, so a server never acts on a parameter it
//! did not really receive.
//!
//! ```
//! use im_protocol::query::{self, DecodedQuery, QueryError};
//!
//! assert_eq!(query::encode("a b+c/é"), "a%20b%2Bc%2F%C3%A9");
//! assert_eq!(query::encode("eJw*sig-_"), "eJw*sig-_");
//!
//! let parsed = DecodedQuery::parse("identifier=a%20b&note=x+y&plus=%2B&usersig=eJw*sig")?;
//! assert_eq!(parsed.get("identifier"), Some("a b"));
//! assert_eq!(parsed.get("note"), Some("x y"));
//! assert_eq!(parsed.get("plus"), Some("+"));
//! assert_eq!(query::decode("%zz"), Err(QueryError::MalformedEscape { position: 0 }));
//! # Ok::<(), QueryError>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// The bytes that are not escaped: ASCII letters and digits (left out of
/// `NON_ALPHANUMERIC`) and these five.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'*');

/// Percent-encodes one query name or value (see the [module docs](self) for the rule).
/// Borrows `value` when nothing needs escaping.
///
/// ```
/// use im_protocol::query;
///
/// assert_eq!(query::encode("ad min&x=1"), "ad%20min%26x%3D1");
/// assert_eq!(query::encode("AZaz09-._~*"), "AZaz09-._~*");
/// ```
pub fn encode(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, ESCAPED).into()
}

/// Appends `value` to `out`, percent-encoded as [`encode`] does.
///
/// ```
/// use im_protocol::query;
///
/// let mut url = String::from("identifier=");
/// query::encode_into(&mut url, "a+b");
/// assert_eq!(url, "identifier=a%2Bb");
/// ```
pub fn encode_into(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, ESCAPED));
}

/// Decodes one query name or value: `%XX` is a byte, `+` is a space, and the bytes must
/// be UTF-8. Borrows `component` when it holds neither escapes nor `+`.
///
/// ```
/// use im_protocol::query::{self, QueryError};
///
/// assert_eq!(query::decode("a+b%2Bc%C3%A9")?, "a b+cé");
/// assert_eq!(query::decode("100%"), Err(QueryError::MalformedEscape { position: 3 }));
/// assert_eq!(query::decode("%FF"), Err(QueryError::NotUtf8));
/// # Ok::<(), QueryError>(())
/// ```
pub fn decode(component: &str) -> Result<Cow<'_, str>, QueryError> {
    check_escapes(component)?;
    if component.contains('+') {
        let spaced = component.replace('+', " ");
        let decoded = percent_decode_str(&spaced)
            .decode_utf8()
            .map_err(|_| QueryError::NotUtf8)?;
        Ok(Cow::Owned(decoded.into_owned()))
    } else {
        percent_decode_str(component)
            .decode_utf8()
            .map_err(|_| QueryError::NotUtf8)
    }
}

/// Splits a raw query string (the part after `?`) into its `name=value` pairs, still
/// encoded, in order. Empty segments (`a=1&&b=2`) are skipped, and a segment without `=`
/// is a name with an empty value.
///
/// For readers that decode only some parameters, or treat a bad name differently from a
/// bad value; [`DecodedQuery::parse`] decodes them all.
///
/// ```
/// use im_protocol::query;
///
/// let pairs: Vec<_> = query::pairs("a=1&&flag&b=x%20y").collect();
/// assert_eq!(pairs, [("a", "1"), ("flag", ""), ("b", "x%20y")]);
/// ```
pub fn pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| segment.split_once('=').unwrap_or((segment, "")))
}

/// Fails on the first `%` that is not followed by two hexadecimal digits.
fn check_escapes(component: &str) -> Result<(), QueryError> {
    let bytes = component.as_bytes();
    let malformed = bytes
        .iter()
        .enumerate()
        .filter(|(_, byte)| **byte == b'%')
        .map(|(position, _)| position)
        .find(|&position| {
            !bytes
                .get(position + 1..position + 3)
                .is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit))
        });
    match malformed {
        Some(position) => Err(QueryError::MalformedEscape { position }),
        None => Ok(()),
    }
}

/// Why a query name or value could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A `%` is not followed by two hexadecimal digits.
    #[error("malformed percent escape at byte {position}")]
    MalformedEscape {
        /// Where the `%` is, in bytes from the start of the name or value.
        position: usize,
    },
    /// The decoded bytes are not UTF-8.
    #[error("the percent-decoded bytes are not UTF-8")]
    NotUtf8,
}

/// A query string whose names and values are all decoded, in order.
///
/// Names are case-sensitive; [`get`](Self::get) returns the first value of a name. Its
/// `Debug` output lists the names only: values such as a UserSig are credentials.
///
/// ```
/// use im_protocol::query::DecodedQuery;
///
/// let query = DecodedQuery::parse("a=1&&b&a=2&A=3")?;
/// assert_eq!(query.get("a"), Some("1"));
/// assert_eq!(query.get("b"), Some(""));
/// assert_eq!(query.get("A"), Some("3"));
/// assert_eq!(query.get("c"), None);
/// assert_eq!(format!("{query:?}"), r#"DecodedQuery { names: ["a", "b", "a", "A"] }"#);
/// # Ok::<(), im_protocol::query::QueryError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DecodedQuery<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> DecodedQuery<'a> {
    /// Splits `query` (the part after `?`, without the `?`) as [`pairs`] does and decodes
    /// every name and value as [`decode`] does; the first that does not decode fails the
    /// whole query.
    pub fn parse(query: &'a str) -> Result<Self, QueryError> {
        let pairs = pairs(query)
            .map(|(name, value)| Ok((decode(name)?, decode(value)?)))
            .collect::<Result<_, QueryError>>()?;
        Ok(DecodedQuery { pairs })
    }

    /// The value of the first parameter called `name` (case-sensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// Every decoded `(name, value)` pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_ref()))
    }
}

impl fmt::Debug for DecodedQuery<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(|(name, _)| name).collect();
        f.debug_struct("DecodedQuery")
            .field("names", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn unreserved_and_star_stay_raw() {
        let raw = "AZaz09-._~*";
        assert_eq!(encode(raw), raw);
        assert!(matches!(encode(raw), Cow::Borrowed(_)));
    }

    #[test]
    fn everything_else_is_escaped_as_utf8() {
        assert_eq!(encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("+/%?#"), "%2B%2F%25%3F%23");
        let mut out = String::from("x=");
        encode_into(&mut out, "1 2");
        assert_eq!(out, "x=1%202");
    }

    #[test]
    fn every_ascii_byte_is_encoded_to_safe_characters() {
        for byte in 0u8..=0x7f {
            let text = char::from(byte).to_string();
            let out = encode(&text);
            assert!(
                out.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~*%".contains(&b)),
                "{byte:#x} became {out}"
            );
        }
    }

    #[test]
    fn plus_is_a_space_and_an_escaped_plus_is_a_plus() {
        assert_eq!(decode("a+b").as_deref(), Ok("a b"));
        assert_eq!(decode("a%2Bb").as_deref(), Ok("a+b"));
        assert_eq!(decode("a%2bb").as_deref(), Ok("a+b"));
        assert_eq!(decode("%2B+%2B").as_deref(), Ok("+ +"));
        // What the encoder writes for a plus reads back as a plus.
        assert_eq!(decode(&encode("1+1")).as_deref(), Ok("1+1"));
    }

    #[test]
    fn text_without_escapes_is_borrowed() {
        assert!(matches!(
            decode("eJw*sig-_"),
            Ok(Cow::Borrowed("eJw*sig-_"))
        ));
        assert!(matches!(decode("a%20b"), Ok(Cow::Owned(_))));
    }

    #[test]
    fn malformed_escapes_are_errors_with_their_position() {
        for (text, position) in [
            ("%", 0),
            ("%4", 0),
            ("%zz", 0),
            ("%4g", 0),
            ("100%", 3),
            ("a%41%", 4),
            ("%%41", 0),
            ("+%+1", 1),
        ] {
            assert_eq!(
                decode(text),
                Err(QueryError::MalformedEscape { position }),
                "{text}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_errors() {
        for text in ["%FF", "%C3", "%C3%28", "a%80b", "%ED%A0%80", "%C3+"] {
            assert_eq!(decode(text), Err(QueryError::NotUtf8), "{text}");
        }
        assert_eq!(decode("%C3%A9").as_deref(), Ok("é"));
    }

    #[test]
    fn a_bad_component_fails_the_whole_query() {
        assert!(DecodedQuery::parse("a=1&b=%G0").is_err());
        assert!(DecodedQuery::parse("a%FF=1").is_err());
        let empty = DecodedQuery::parse("").expect("an empty query is valid");
        assert_eq!(empty.iter().count(), 0);
    }

    #[test]
    fn names_and_values_are_decoded_in_order() {
        let query = DecodedQuery::parse("%61=x+y&b=%2B&c").expect("valid");
        let pairs: Vec<_> = query.iter().collect();
        assert_eq!(pairs, [("a", "x y"), ("b", "+"), ("c", "")]);
    }

    #[test]
    fn debug_shows_names_but_not_values() {
        let query = DecodedQuery::parse("usersig=secret&random=7").expect("valid");
        let shown = format!("{query:?}");
        assert!(
            shown.contains("usersig") && shown.contains("random"),
            "{shown}"
        );
        assert!(!shown.contains("secret") && !shown.contains('7'), "{shown}");
    }

    proptest! {
        #[test]
        fn any_text_round_trips(text in any::<String>()) {
            let encoded = encode(&text);
            prop_assert!(!encoded.contains(['+', ' ', '&', '=', '#']));
            let decoded = decode(&encoded);
            prop_assert_eq!(decoded.as_deref(), Ok(text.as_str()));
        }

        #[test]
        fn pairs_round_trip_through_a_query_string(
            params in proptest::collection::vec((any::<String>(), any::<String>()), 0..6)
        ) {
            let query = params
                .iter()
                .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
                .collect::<Vec<_>>()
                .join("&");
            let decoded = DecodedQuery::parse(&query).expect("what the encoder writes decodes");
            // An empty name and value encode to a bare "=", which is kept as an empty pair.
            let read: Vec<(String, String)> = decoded
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            prop_assert_eq!(read, params);
        }

        #[test]
        fn decoding_never_panics(text in ".*") {
            let _ = decode(&text);
            let _ = DecodedQuery::parse(&text);
        }
    }
}
