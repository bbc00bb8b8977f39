//! Turns the global options into a configured client.

use std::io::Read as _;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use im_ratelimit_redis::{RedisRateLimiter, Unavailable};

use tencent_im::{Client, Endpoint, Region, SecretKey, Signer};

use crate::Failure;
use crate::cli::{Global, RedisFallback};

/// The endpoint named by `--endpoint` or `--region`.
pub(crate) fn endpoint(global: &Global) -> Result<Endpoint, Failure> {
    match (&global.endpoint, &global.region) {
        (Some(url), _) => parse_endpoint(url),
        (None, Some(region)) => region.parse::<Region>().map(Endpoint::region).map_err(|_| {
            Failure::new(format!(
                "unknown region {region:?}; try singapore, china, frankfurt"
            ))
        }),
        (None, None) => Err(Failure::new(
            "missing --endpoint or --region (or TIM_ENDPOINT / TIM_REGION)",
        )),
    }
}

/// Parses a base URL; plain http is accepted only for loopback hosts (local emulators).
pub(crate) fn parse_endpoint(url: &str) -> Result<Endpoint, Failure> {
    let lower = url.to_ascii_lowercase();
    let endpoint = if let Some(rest) = lower.strip_prefix("http://") {
        if !is_loopback(rest) {
            return Err(Failure::new(
                "plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https",
            ));
        }
        Endpoint::custom_insecure_http(url)
    } else {
        Endpoint::custom(url)
    };
    endpoint.map_err(|error| Failure::new(format!("invalid --endpoint: {error}")))
}

fn is_loopback(rest: &str) -> bool {
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The SDKAppID and key, or a one-line error naming what is missing.
pub(crate) fn credentials(global: &Global) -> Result<(u64, SecretKey), Failure> {
    let sdkappid = global
        .sdkappid
        .ok_or_else(|| Failure::new("missing --sdkappid (or TIM_SDKAPPID)"))?;
    Ok((sdkappid, secret_key(global)?))
}

/// The key of `--key-file`, or else of `--key` / `TIM_SECRET_KEY`.
pub(crate) fn secret_key(global: &Global) -> Result<SecretKey, Failure> {
    if let Some(path) = &global.key_file {
        if global.key_on_command_line {
            return Err(Failure::new(
                "--key and --key-file both name the key; give one",
            ));
        }
        return read_key_file(path);
    }
    global
        .key
        .as_deref()
        .filter(|key| !key.is_empty())
        .map(SecretKey::from)
        .ok_or_else(|| Failure::new("missing the key: set TIM_SECRET_KEY or give --key-file"))
}

/// The most a key file may hold: a key is 64 hex digits, so this is plenty.
const MAX_KEY_FILE: u64 = 4096;

/// The first line of `path` (`-`: standard input), trimmed; never echoed in errors.
fn read_key_file(path: &Path) -> Result<SecretKey, Failure> {
    let name = path.display();
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_KEY_FILE)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(MAX_KEY_FILE).read_to_string(&mut text))
    };
    read.map_err(|error| Failure::new(format!("cannot read the key file {name}: {error}")))?;
    let key = text.lines().next().unwrap_or_default().trim();
    if key.is_empty() {
        return Err(Failure::new(format!("the key file {name} holds no key")));
    }
    Ok(SecretKey::from(key))
}

/// A signer for the admin account, for `sig` commands.
pub(crate) fn signer(global: &Global) -> Result<Signer, Failure> {
    let (sdkappid, key) = credentials(global)?;
    Ok(Signer::new(sdkappid, global.admin.clone(), key))
}

/// A client from the global options.
pub(crate) async fn client(global: &Global) -> Result<Client, Failure> {
    let (sdkappid, key) = credentials(global)?;
    let endpoint = endpoint(global)?;
    if global.rate == Some(0) {
        return Err(Failure::new("--rate must be at least 1 call per second"));
    }
    let mut builder = Client::builder()
        .sdkappid(sdkappid)
        .key(key)
        .admin(global.admin.clone())
        .endpoint(endpoint);
    if let Some(rate) = global.rate {
        builder = builder.calls_per_second(rate);
    }
    if let Some(url) = &global.redis {
        builder = builder.rate_limiter(Arc::new(shared_limiter(url, global).await?));
    }
    builder
        .build()
        .map_err(|error| Failure::new(format!("cannot configure the client: {error}")))
}

/// The calls/s budget shared through Redis.
async fn shared_limiter(url: &str, global: &Global) -> Result<RedisRateLimiter, Failure> {
    let fallback = match global.redis_unavailable {
        RedisFallback::Local => Unavailable::FallBackToLocal,
        RedisFallback::Fail => Unavailable::Fail,
    };
    let limiter = match RedisRateLimiter::connect(url).await {
        Ok(limiter) => limiter,
        Err(error) if error.is_unavailable() && fallback == Unavailable::FallBackToLocal => {
            tracing::warn!(%error, "Redis is unreachable; pacing in this process until it answers");
            RedisRateLimiter::connect_lazy(url)
                .map_err(|error| Failure::new(format!("invalid --redis: {error}")))?
        }
        Err(error) => {
            return Err(Failure::new(format!(
                "cannot use Redis at --redis: {error}"
            )));
        }
    };
    let limiter = limiter.on_unavailable(fallback);
    Ok(match global.rate {
        Some(rate) => limiter.calls_per_second(rate),
        None => limiter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("http://localhost:8080/im").is_ok());
        assert!(parse_endpoint("http://[::1]:8080").is_ok());
        assert!(parse_endpoint("http://example.com").is_err());
        assert!(parse_endpoint("http://127.0.0.1.example.com").is_err());
        assert!(parse_endpoint("https://example.com").is_ok());
    }
}
