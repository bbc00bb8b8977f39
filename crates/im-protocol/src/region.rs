//! Where requests go: the service's regions and custom base URLs.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A data-center region of the service; an app lives in the region chosen at creation.
///
/// ```
/// use im_protocol::Region;
///
/// let region: Region = "Silicon_Valley".parse().unwrap();
/// assert_eq!(region, Region::SiliconValley);
/// assert_eq!(region.primary_host(), "adminapiusa.im.qcloud.com");
/// assert_eq!(region.to_string(), "silicon-valley");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// Chinese mainland.
    China,
    /// Singapore.
    Singapore,
    /// Seoul.
    Seoul,
    /// Tokyo.
    Tokyo,
    /// Frankfurt.
    Frankfurt,
    /// Silicon Valley.
    SiliconValley,
    /// Jakarta.
    Jakarta,
}

impl Region {
    /// Every region, in the order of the docs.
    pub const ALL: &[Region] = &[
        Region::China,
        Region::Singapore,
        Region::Seoul,
        Region::Tokyo,
        Region::Frankfurt,
        Region::SiliconValley,
        Region::Jakarta,
    ];

    /// The documented host to call first.
    pub const fn primary_host(self) -> &'static str {
        match self {
            Region::China => "console.tim.qq.com",
            Region::Singapore => "adminapisgp.im.qcloud.com",
            Region::Seoul => "adminapikr.im.qcloud.com",
            Region::Tokyo => "adminapijpn.im.qcloud.com",
            Region::Frankfurt => "adminapiger.im.qcloud.com",
            Region::SiliconValley => "adminapiusa.im.qcloud.com",
            Region::Jakarta => "adminapiidn.im.qcloud.com",
        }
    }

    /// The documented backup host, for when the primary one cannot be reached.
    pub const fn backup_host(self) -> &'static str {
        match self {
            Region::China => "adminapi.my-imcloud.com",
            Region::Singapore => "adminapisgp.my-imcloud.com",
            Region::Seoul => "adminapikr.my-imcloud.com",
            Region::Tokyo => "adminapijpn.my-imcloud.com",
            Region::Frankfurt => "adminapiger.my-imcloud.com",
            Region::SiliconValley => "adminapiusa.my-imcloud.com",
            Region::Jakarta => "adminapiidn.my-imcloud.com",
        }
    }

    /// The lowercase, kebab-case name that [`FromStr`] accepts, e.g. `"silicon-valley"`.
    pub const fn name(self) -> &'static str {
        match self {
            Region::China => "china",
            Region::Singapore => "singapore",
            Region::Seoul => "seoul",
            Region::Tokyo => "tokyo",
            Region::Frankfurt => "frankfurt",
            Region::SiliconValley => "silicon-valley",
            Region::Jakarta => "jakarta",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = Error;

    /// Parses a region name, ignoring case and `-`, `_` or space between words:
    /// `"silicon-valley"`, `"SiliconValley"` and `"silicon_valley"` all work.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let squashed: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Region::ALL
            .iter()
            .copied()
            .find(|region| region.name().replace('-', "") == squashed)
            .ok_or_else(|| Error::unknown_region(text))
    }
}

/// Where requests are sent: a [`Region`] (https, primary and backup host) or a custom
/// base URL, such as a local emulator of the service.
///
/// A custom base URL is `scheme://host[:port][/path-prefix]`: https, or plain http only
/// through [`Endpoint::custom_insecure_http`]; no user info, query or fragment.
///
/// ```
/// use im_protocol::{Endpoint, Region};
///
/// let region = Endpoint::from(Region::China);
/// assert_eq!(
///     region.base_urls(),
///     (
///         "https://console.tim.qq.com".to_owned(),
///         Some("https://adminapi.my-imcloud.com".to_owned())
///     )
/// );
///
/// assert!(Endpoint::custom("http://127.0.0.1:8080").is_err());
/// let local = Endpoint::custom_insecure_http("http://127.0.0.1:8080/im/").unwrap();
/// assert_eq!(local.base_urls(), ("http://127.0.0.1:8080/im".to_owned(), None));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Region(Region),
    /// A validated base URL without a trailing slash.
    Custom {
        base: String,
        plain_http: bool,
    },
}

/// The longest custom base URL accepted, in bytes.
const MAX_BASE_URL_LEN: usize = 2048;

impl Endpoint {
    /// The hosts of `region`, over https.
    pub const fn region(region: Region) -> Self {
        Endpoint {
            kind: Kind::Region(region),
        }
    }

    /// A custom https base URL, e.g. `https://proxy.example.com:8443/tim`.
    ///
    /// Fails with [`Error::InvalidEndpoint`] for plain http or a malformed URL.
    pub fn custom(url: &str) -> Result<Self, Error> {
        Self::parse_custom(url, false)
    }

    /// A custom base URL that may also use plain http, e.g. a local emulator on loopback.
    ///
    /// Plain http sends the UserSig in clear text: use it only on trusted networks.
    pub fn custom_insecure_http(url: &str) -> Result<Self, Error> {
        Self::parse_custom(url, true)
    }

    /// The region, unless this is a custom base URL.
    pub fn as_region(&self) -> Option<Region> {
        match self.kind {
            Kind::Region(region) => Some(region),
            Kind::Custom { .. } => None,
        }
    }

    /// Whether requests go over plain http.
    pub fn is_plain_http(&self) -> bool {
        matches!(
            self.kind,
            Kind::Custom {
                plain_http: true,
                ..
            }
        )
    }

    /// The base URLs to send requests to, without a trailing slash: the primary one,
    /// and a backup for regions.
    pub fn base_urls(&self) -> (String, Option<String>) {
        match &self.kind {
            Kind::Region(region) => (
                format!("https://{}", region.primary_host()),
                Some(format!("https://{}", region.backup_host())),
            ),
            Kind::Custom { base, .. } => (base.clone(), None),
        }
    }

    fn parse_custom(url: &str, allow_http: bool) -> Result<Self, Error> {
        if url.len() > MAX_BASE_URL_LEN {
            return Err(Error::invalid_endpoint("URL is too long"));
        }
        let (scheme, rest) = url
            .split_once("://")
            .ok_or(Error::invalid_endpoint("URL has no scheme"))?;
        let plain_http = if scheme.eq_ignore_ascii_case("https") {
            false
        } else if scheme.eq_ignore_ascii_case("http") {
            if !allow_http {
                return Err(Error::invalid_endpoint("plain http is not allowed"));
            }
            true
        } else {
            return Err(Error::invalid_endpoint("scheme is neither https nor http"));
        };
        if rest.contains(['?', '#']) {
            return Err(Error::invalid_endpoint(
                "a base URL takes no query or fragment",
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(slash) => rest.split_at(slash),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(Error::invalid_endpoint("a base URL takes no user info"));
        }
        validate_authority(authority)?;
        let path = path.trim_end_matches('/');
        validate_path(path)?;
        let scheme = if plain_http { "http" } else { "https" };
        Ok(Endpoint {
            kind: Kind::Custom {
                base: format!("{scheme}://{}{path}", authority.to_ascii_lowercase()),
                plain_http,
            },
        })
    }
}

impl From<Region> for Endpoint {
    fn from(region: Region) -> Self {
        Endpoint::region(region)
    }
}

impl fmt::Display for Endpoint {
    /// Shows the region name or the custom base URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Region(region) => write!(f, "{region}"),
            Kind::Custom { base, .. } => f.write_str(base),
        }
    }
}

impl FromStr for Endpoint {
    type Err = Error;

    /// Parses a region name (see [`Region`]) or, when the text contains `://`,
    /// an https base URL. Plain http needs [`Endpoint::custom_insecure_http`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.contains("://") {
            Endpoint::custom(text.trim())
        } else {
            text.parse().map(Endpoint::region)
        }
    }
}

/// Checks `host[:port]`, where host is a DNS name, an IPv4 address or a bracketed IPv6 one.
fn validate_authority(authority: &str) -> Result<(), Error> {
    let port = if let Some(bracketed) = authority.strip_prefix('[') {
        let (inside, after) = bracketed
            .split_once(']')
            .ok_or(Error::invalid_endpoint("IPv6 host lacks a closing bracket"))?;
        let is_ipv6_char = |c: char| c.is_ascii_hexdigit() || matches!(c, ':' | '.');
        if !inside.contains(':') || !inside.chars().all(is_ipv6_char) {
            return Err(Error::invalid_endpoint("IPv6 host is malformed"));
        }
        match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or(Error::invalid_endpoint("unexpected text after the host"))?,
            ),
        }
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(Error::invalid_endpoint("host is empty"));
        }
        let is_host_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
        if !host.chars().all(is_host_char) {
            return Err(Error::invalid_endpoint(
                "host has characters other than letters, digits, '-', '.' and '_'",
            ));
        }
        port
    };
    if let Some(port) = port {
        let valid = port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|port| port != 0);
        if !valid {
            return Err(Error::invalid_endpoint(
                "port is not a number from 1 to 65535",
            ));
        }
    }
    Ok(())
}

/// Checks a path prefix (empty or starting with `/`): RFC 3986 path characters only.
fn validate_path(path: &str) -> Result<(), Error> {
    let bytes = path.as_bytes();
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let allowed = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'/' | b'-'
                    | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            if !escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return Err(Error::invalid_endpoint(
                    "path has a malformed percent escape",
                ));
            }
            index += 3;
            continue;
        }
        if !allowed {
            return Err(Error::invalid_endpoint(
                "path has characters that need escaping",
            ));
        }
        index += 1;
    }
    Ok(())
}
