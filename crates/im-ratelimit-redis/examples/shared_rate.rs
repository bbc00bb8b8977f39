//! Measures the Redis rate limiter: how closely several "processes" sharing one budget keep
//! to it, and what one grant costs.
//!
//! `cargo run --release -p im-ratelimit-redis --example shared_rate -- [REDIS_URL] [RATE]`
//!
//! Without a URL (or with `-`) it starts `redis-server` on a free loopback port for the run.
//! The rate defaults to 200 calls/s.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use im_client::RateKey;
use im_protocol::Api;
use im_ratelimit_redis::{Grant, RedisRateLimiter};

/// The app whose budget the run spends; its lanes live under a key prefix of their own.
const APP: u64 = 1_400_000_000;

/// Limiter instances, each with its own connection, standing for processes.
const PROCESSES: usize = 4;
/// Concurrent callers per process.
const TASKS_PER_PROCESS: usize = 8;
/// The shared budget, in calls per second, unless the command line sets another.
const DEFAULT_RATE: u32 = 200;
/// Calls in the spacing run.
const CALLS: usize = 1_000;
/// Calls in the overhead runs.
const OVERHEAD_CALLS: usize = 5_000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut server = None;
    let rate: u32 = match std::env::args().nth(2) {
        Some(rate) => rate.parse()?,
        None => DEFAULT_RATE,
    };
    let url = match std::env::args().nth(1).filter(|url| url != "-") {
        Some(url) => url,
        None => {
            let (child, url) = start_redis()?;
            server = Some(ServerGuard(child));
            url
        }
    };
    let prefix = format!("measure:{}", std::process::id());

    // Spacing: PROCESSES × TASKS_PER_PROCESS callers share `rate` calls/s.
    let mut processes = Vec::new();
    for _ in 0..PROCESSES {
        let limiter = RedisRateLimiter::connect(&url)
            .await?
            .calls_per_second(rate)
            .key_prefix(prefix.clone());
        processes.push(Arc::new(limiter));
    }
    let per_task = CALLS / (PROCESSES * TASKS_PER_PROCESS);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..PROCESSES * TASKS_PER_PROCESS {
        let limiter = Arc::clone(&processes[task % PROCESSES]);
        tasks.push(tokio::spawn(async move {
            let mut grants = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let grant = limiter
                    .acquire_grant(RateKey::api(APP, Api::BlackListAdd))
                    .await;
                grants.push((grant, Instant::now()));
            }
            grants
        }));
    }
    let mut slots = Vec::new();
    let mut starts = Vec::new();
    for task in tasks {
        for (grant, at) in task.await? {
            match grant? {
                Grant::Shared { slot, .. } => slots.push(slot),
                other => return Err(format!("unexpected grant {other:?}").into()),
            }
            starts.push(at);
        }
    }
    let elapsed = started.elapsed();
    slots.sort();
    starts.sort();
    let span = slots[slots.len() - 1] - slots[0];
    let min_gap = slots.windows(2).map(|pair| pair[1] - pair[0]).min();
    println!(
        "spacing: {} calls from {} processes x {} tasks at {rate}/s",
        slots.len(),
        PROCESSES,
        TASKS_PER_PROCESS
    );
    println!(
        "  wall time {elapsed:.3?}; ideal {:.3?}",
        Duration::from_secs(1) / rate * (slots.len() as u32 - 1)
    );
    println!(
        "  achieved {:.2} calls/s over the slots; smallest gap between slots {min_gap:?}",
        (slots.len() - 1) as f64 / span.as_secs_f64()
    );
    println!(
        "  most calls in any 1 s window: {} by Redis slots, {} by client start times",
        max_in_window(&slots, Duration::from_secs(1)),
        max_in_window(
            &starts.iter().map(|at| *at - started).collect::<Vec<_>>(),
            Duration::from_secs(1)
        )
    );
    let lateness: Vec<Duration> = {
        // How long after its slot each call started, relative to the earliest call.
        let mut late: Vec<Duration> = starts
            .iter()
            .zip(&slots)
            .map(|(at, slot)| (*at - started).saturating_sub(*slot - slots[0]))
            .collect();
        late.sort();
        late
    };
    println!(
        "  start after slot (sorted pairs): p50 {:?}, p99 {:?}, max {:?}",
        percentile(&lateness, 0.50),
        percentile(&lateness, 0.99),
        lateness[lateness.len() - 1]
    );

    // Overhead: a rate high enough that nobody waits, so each grant costs one round trip.
    let fast = Arc::new(
        RedisRateLimiter::connect(&url)
            .await?
            .calls_per_second(u32::MAX)
            .key_prefix(prefix.clone()),
    );
    let mut latencies = Vec::with_capacity(OVERHEAD_CALLS);
    for _ in 0..OVERHEAD_CALLS {
        let begin = Instant::now();
        fast.acquire_grant(RateKey::api(APP, Api::BlackListCheck))
            .await?;
        latencies.push(begin.elapsed());
    }
    latencies.sort();
    println!(
        "overhead, one caller: p50 {:?}, p99 {:?} per grant",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );
    let concurrency = 64;
    let begin = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let fast = Arc::clone(&fast);
        tasks.push(tokio::spawn(async move {
            for _ in 0..OVERHEAD_CALLS / concurrency {
                fast.acquire_grant(RateKey::api(APP, Api::BlackListGet))
                    .await?;
            }
            Ok::<_, im_ratelimit_redis::RedisLimiterError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let total = OVERHEAD_CALLS / concurrency * concurrency;
    println!(
        "overhead, {concurrency} callers on one connection: {:.0} grants/s",
        total as f64 / begin.elapsed().as_secs_f64()
    );
    drop(server);
    Ok(())
}

fn max_in_window(sorted: &[Duration], window: Duration) -> usize {
    let mut most = 0;
    let mut end = 0;
    for (start, first) in sorted.iter().enumerate() {
        while end < sorted.len() && sorted[end] < *first + window {
            end += 1;
        }
        most = most.max(end - start);
    }
    most
}

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * share).round() as usize;
    sorted[index]
}

struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> Result<(Child, String), Box<dyn std::error::Error>> {
    let port = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| {
            format!("could not start redis-server ({error}); install it or pass a URL")
        })?;
    let url = format!("redis://127.0.0.1:{port}/");
    // Wait until it accepts connections.
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((child, url));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err("redis-server did not start".into())
}
