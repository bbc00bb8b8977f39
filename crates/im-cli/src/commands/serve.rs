//! `imctl serve`: the emulator as an HTTP server on loopback, for other programs.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use im_emulator::{Emulator, Faults};
use tencent_im::protocol::Api;

use crate::cli::{Global, ServeArgs};
use crate::{Failure, Status};

/// The SDKAppID the emulator uses when none is given.
pub(crate) const DEFAULT_SDKAPPID: u64 = 1_400_000_000;

pub(crate) async fn run(global: &Global, args: &ServeArgs) -> Result<Status, Failure> {
    if !args.addr.ip().is_loopback() {
        return Err(Failure::new(format!(
            "--addr {} is not a loopback address; the emulator serves plain http on loopback only",
            args.addr
        )));
    }
    // The key clients sign with.
    let key = crate::config::secret_key(global)?;
    let faults = match &args.faults {
        Some(spec) => parse_faults(spec)?,
        None => Faults::none(),
    };
    let mut builder = Emulator::builder()
        .sdkappid(global.sdkappid.unwrap_or(DEFAULT_SDKAPPID))
        .key(key)
        .admin(global.admin.clone())
        .faults(faults);
    if let Some(rate) = global.rate {
        builder = builder.rate_limit(rate);
    }
    if let Some(url) = &args.webhook {
        check_webhook_url(url, args.allow_insecure_webhook)?;
        let token = args
            .webhook_token
            .as_deref()
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                Failure::new(
                    "--webhook needs --webhook-token (or TIM_WEBHOOK_TOKEN): the token callbacks are signed with",
                )
            })?;
        builder = builder.webhook(url.clone(), im_webhook::Token::new(token));
    }
    let emulator = builder
        .build()
        .map_err(|error| Failure::new(format!("cannot start the emulator: {error}")))?;
    if let Some(path) = &args.accounts {
        let imported = import_accounts(&emulator, path)?;
        eprintln!("imported {imported} accounts from {}", path.display());
    }
    // From here on Ctrl-C stops the server (before, it would kill the process).
    let stop = ctrl_c_from_now().await;
    let server = emulator
        .serve_with_limits(args.addr, args.limits.limits())
        .await
        .map_err(|error| Failure::new(format!("cannot listen on {}: {error}", args.addr)))?;
    if global.json {
        crate::output::print_json(&serde_json::json!({
            "url": server.base_url(),
            "sdkappid": emulator.sdkappid(),
            "rate": global.rate,
            "webhook": emulator.webhook_url(),
        }))?;
    } else {
        println!("emulator listening on {}", server.base_url());
        println!(
            "sdkappid {}, admin {}, {}",
            emulator.sdkappid(),
            global.admin,
            match global.rate {
                Some(rate) => format!("{rate} calls/s per API"),
                None => "each API's documented calls/s".to_owned(),
            }
        );
        if let Some(url) = emulator.webhook_url() {
            println!("sending signed blocklist webhooks to {url}");
        }
        println!("press Ctrl-C to stop");
    }
    stop.await;
    // Requests in progress get a short grace; a client holding a half-sent request does not
    // keep the server up.
    server.shutdown().await;
    // The totals count every request; the log itself keeps only the most recent ones.
    let totals = emulator.request_totals();
    let max = Api::ALL
        .iter()
        .map(|api| totals.max_calls_per_second(*api))
        .max()
        .unwrap_or(0);
    eprintln!(
        "stopped after {} requests; at most {max} calls to one API in any second",
        totals.requests
    );
    if emulator.webhook_url().is_some() {
        // Callbacks still in flight finish within the webhook timeout.
        let wait = im_emulator::WEBHOOK_TIMEOUT + Duration::from_millis(500);
        let callbacks = tokio::time::timeout(wait, emulator.wait_for_callbacks())
            .await
            .unwrap_or_else(|_| emulator.callbacks());
        let delivered = callbacks
            .iter()
            .filter(|callback| callback.status().is_some_and(|status| status == 200))
            .count();
        eprintln!(
            "{} webhook callbacks sent, {delivered} answered with HTTP 200",
            callbacks.len()
        );
    }
    Ok(Status::Done)
}

/// A future that completes at the next Ctrl-C, with the handler installed now: a Ctrl-C that
/// arrives before `tokio::signal::ctrl_c` is first polled would kill the process instead, so
/// servers call this before they print their address.
pub(crate) async fn ctrl_c_from_now() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let mut signal = Box::pin(async {
        // Without a signal handler there is no Ctrl-C to wait for: wait for ever.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    });
    // The first poll installs the handler.
    let received =
        std::future::poll_fn(|context| Poll::Ready(signal.as_mut().poll(context).is_ready())).await;
    if received {
        Box::pin(std::future::ready(()))
    } else {
        signal
    }
}

/// Refuses a webhook URL that would send callbacks in plain `http` off this machine, unless
/// `allow_insecure` says so. URLs that do not parse are left to the emulator to refuse.
fn check_webhook_url(url: &str, allow_insecure: bool) -> Result<(), Failure> {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return Ok(());
    };
    let plain = uri
        .scheme_str()
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http"));
    let host = uri.host().unwrap_or_default();
    if !plain || allow_insecure || is_loopback_host(host) {
        return Ok(());
    }
    Err(Failure::new(format!(
        "--webhook: plain http to {host} would send the callbacks unencrypted off this \
         machine; use https, a loopback host, or --allow-insecure-webhook"
    )))
}

/// Whether `host` (as in a URL, IPv6 in brackets) names this machine: `localhost`, or a
/// loopback address.
fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Imports every account named in a file: one per line, or `from,to` pairs.
fn import_accounts(emulator: &Emulator, path: &std::path::Path) -> Result<usize, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
    let accounts = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .flat_map(|line| line.split(','))
        .map(|account| account.trim().to_owned())
        .filter(|account| !account.is_empty());
    Ok(emulator.import_accounts(accounts))
}

/// Parses `502=0.05,request=0.01,account=0.3,lost=0.1,truncated=0.01,latency=50ms,jitter=10ms,seed=7`.
pub(crate) fn parse_faults(spec: &str) -> Result<Faults, Failure> {
    let mut faults = Faults::seeded(1);
    let mut seed = None;
    for part in spec
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| Failure::new(format!("--faults: expected name=value, got {part:?}")))?;
        let probability = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=1.0).contains(p))
                .ok_or_else(|| {
                    Failure::new(format!("--faults: {name} needs a probability from 0 to 1"))
                })
        };
        faults = match name {
            "502" => faults.http_502(probability()?),
            "request" => faults.request_error(probability()?),
            "account" => faults.account_error(probability()?),
            "lost" => faults.lost_answer(probability()?),
            "truncated" => faults.truncated_json(probability()?),
            "latency" => faults.latency(parse_millis(name, value)?),
            "jitter" => faults.latency_jitter(parse_millis(name, value)?),
            "seed" => {
                seed = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| Failure::new("--faults: seed needs a whole number"))?,
                );
                faults
            }
            other => {
                return Err(Failure::new(format!(
                    "--faults: unknown fault {other:?}; use 502, request, account, lost, truncated, latency, jitter, seed"
                )));
            }
        };
    }
    if let Some(seed) = seed {
        faults.seed = seed;
    }
    Ok(faults)
}

fn parse_millis(name: &str, value: &str) -> Result<Duration, Failure> {
    value
        .strip_suffix("ms")
        .unwrap_or(value)
        .parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| Failure::new(format!("--faults: {name} needs milliseconds, e.g. 50ms")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_webhooks_stay_on_this_machine_unless_allowed() {
        for url in [
            "http://127.0.0.1:8081/im/callback",
            "http://127.9.9.9/cb",
            "http://localhost:8081/cb",
            "http://LOCALHOST/cb",
            "http://[::1]:8081/cb",
            "http://[::ffff:127.0.0.1]/cb",
            "https://hooks.example.com/cb",
            "https://203.0.113.7/cb",
        ] {
            assert!(check_webhook_url(url, false).is_ok(), "{url}");
        }
        for url in [
            "http://hooks.example.com/cb",
            "HTTP://hooks.example.com/cb",
            "http://203.0.113.7:8081/cb",
            "http://[2001:db8::1]/cb",
            "http://localhost.example.com/cb",
            "http://127.0.0.1.example.com/cb",
        ] {
            let refused = check_webhook_url(url, false).expect_err(url);
            assert!(
                refused.to_string().contains("--allow-insecure-webhook"),
                "{refused}"
            );
            assert!(check_webhook_url(url, true).is_ok(), "{url} when allowed");
        }
        // The message names the host, never the rest of the URL.
        let refused = check_webhook_url("http://app:s3cret@hooks.example.com/cb?t=s3cret", false)
            .expect_err("plain http off the machine");
        assert!(
            refused.to_string().contains("hooks.example.com"),
            "{refused}"
        );
        assert!(!refused.to_string().contains("s3cret"), "{refused}");
    }

    #[test]
    fn fault_specs() {
        let faults =
            parse_faults("502=0.05, account=0.3,lost=0.1,latency=50ms,seed=7").expect("valid");
        assert_eq!(faults.http_502, 0.05);
        assert_eq!(faults.account_error, 0.3);
        assert_eq!(faults.lost_answer, 0.1);
        assert_eq!(faults.latency, Duration::from_millis(50));
        assert_eq!(faults.seed, 7);
        assert!(parse_faults("502=2").is_err());
        assert!(parse_faults("boom=0.1").is_err());
        assert!(parse_faults("latency=fast").is_err());
    }
}
