//! `imctl serve`: the emulator as an HTTP server on loopback, for other programs.

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
    let server = emulator
        .serve(args.addr)
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
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    let requests = emulator.requests();
    let max = Api::ALL
        .iter()
        .map(|api| emulator.max_calls_in_window(*api, Duration::from_secs(1)))
        .max()
        .unwrap_or(0);
    eprintln!(
        "stopped after {} requests; at most {max} calls to one API in any second",
        requests.len()
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
