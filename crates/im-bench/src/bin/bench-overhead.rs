//! Per-call cost of the SDK over loopback HTTP against a bare hyper POST of the same request.
//!
//! ```text
//! bench-overhead sdk|bare|bare-decode [--accounts 1000] [--secs 2.5] [--warmup 0.3]
//! ```
//!
//! `--accounts` sets how many accounts each call blocks (1 to 1000; the answer has as many
//! items).
//!
//! A minimal hyper HTTP/1.1 server on 127.0.0.1 (its own thread and current-thread runtime)
//! reads each request body and answers at once with a canned 1000-item `black_list_add`
//! response. The client, on the main thread's current-thread runtime, makes sequential calls
//! on one kept-alive connection:
//!
//! - `sdk`: `client.blocklist().add("owner", 1000 accounts)` through the `tencent-im` facade
//!   with its default hyper transport and the rate limiter `Unlimited`;
//! - `bare`: a hyper-util client POSTing the same URL shape (path, sdkappid, identifier,
//!   UserSig, random, contenttype) and the same JSON body, reading the whole answer;
//! - `bare-decode`: the same, then decoding the answer into `UpdateBlocklistResponse`, the
//!   least a hand-written client does with it.
//!
//! Figures: the median, mean and 90th percentile of the per-call time over the timed part,
//! and the client thread's CPU time per call.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use im_bench::{ADMIN, BenchError, KEY, Options, SDKAPPID, canned_answer, info, result};
use im_protocol::{
    AddBlocklistRequest, ApiRequest, QueryParams, UpdateBlocklistResponse, decode_response,
    encode_json, request_url,
};
use tencent_im::blocklist::Unlimited;
use tencent_im::{Client, Endpoint, SecretKey, Signer};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-overhead: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the canned-answer server on a thread of its own; it runs until the process ends.
fn start_server(answer: Bytes) -> Result<SocketAddr, BenchError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|error| BenchError::because("cannot listen on loopback", error))?;
    listener
        .set_nonblocking(true)
        .map_err(|error| BenchError::because("cannot configure the listener", error))?;
    let addr = listener
        .local_addr()
        .map_err(|error| BenchError::because("no local address", error))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::because("no server runtime", error))?;
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                eprintln!("bench-overhead: the server cannot use its listener");
                return;
            };
            while let Ok((stream, _)) = listener.accept().await {
                // Small answers should not wait for Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let answer = answer.clone();
                        async move {
                            // Read the whole request, as a real server must.
                            let _ = request.into_body().collect().await;
                            let mut response = Response::new(Full::new(answer));
                            response.headers_mut().insert(
                                header::CONTENT_TYPE,
                                HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    Ok(addr)
}

/// Calls `call` for `warmup`, then for `secs`, and returns each timed call's duration in
/// microseconds and the client thread's CPU time over the timed part.
async fn per_call<F, Fut>(
    warmup: Duration,
    secs: Duration,
    mut call: F,
) -> Result<(Vec<f64>, Option<Duration>), BenchError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), BenchError>>,
{
    let warm_until = Instant::now() + warmup;
    while Instant::now() < warm_until {
        call().await?;
    }
    let mut micros = Vec::new();
    let cpu_start = im_bench::thread_cpu_time();
    let start = Instant::now();
    while start.elapsed() < secs || micros.is_empty() {
        let began = Instant::now();
        call().await?;
        micros.push(began.elapsed().as_secs_f64() * 1e6);
    }
    let cpu = cpu_start
        .zip(im_bench::thread_cpu_time())
        .map(|(start, end)| end.saturating_sub(start));
    Ok((micros, cpu))
}

fn run() -> Result<(), BenchError> {
    let options = Options::from_env()?;
    let (warmup, secs) = options.durations()?;
    let mode = options.positional(0).unwrap_or_default().to_owned();
    let count = options.number("accounts", 1000.0)?;
    if !(1.0..=1000.0).contains(&count) {
        return Err(BenchError::new("--accounts must be between 1 and 1000"));
    }
    let mut accounts = im_bench::thousand_accounts();
    accounts.truncate(count as usize);
    let answer = canned_answer(&accounts)?;
    info("accounts", accounts.len());
    let addr = start_server(answer.clone())?;
    let base = format!("http://{addr}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::because("no client runtime", error))?;
    let (mut micros, cpu) = match mode.as_str() {
        "sdk" => {
            let endpoint = Endpoint::custom_insecure_http(&base)
                .map_err(|error| BenchError::because("bad endpoint", error))?;
            let client = Client::builder()
                .sdkappid(SDKAPPID)
                .key(KEY)
                .admin(ADMIN)
                .endpoint(endpoint)
                .rate_limiter(Arc::new(Unlimited))
                .build()
                .map_err(|error| BenchError::because("cannot build the client", error))?;
            let client = &client;
            let accounts = &accounts;
            runtime.block_on(per_call(warmup, secs, || async move {
                let outcome = client
                    .blocklist()
                    .add("owner", accounts.iter().map(String::as_str))
                    .await
                    .map_err(|error| BenchError::because("the SDK call failed", error))?;
                if outcome.succeeded.len() == accounts.len() {
                    Ok(())
                } else {
                    Err(BenchError::new("the SDK call did not block every account"))
                }
            }))?
        }
        "bare" | "bare-decode" => {
            let decode = mode == "bare-decode";
            let signer = Signer::new(SDKAPPID, ADMIN, SecretKey::new(KEY));
            let usersig = signer.sig();
            let url = request_url(
                &base,
                AddBlocklistRequest::API,
                &QueryParams {
                    sdkappid: SDKAPPID,
                    identifier: ADMIN,
                    usersig: usersig.expose_secret(),
                    random: 7,
                },
            );
            let body = encode_json(&AddBlocklistRequest::new("owner", accounts.iter().cloned()))
                .map(Bytes::from)
                .map_err(|error| BenchError::because("cannot encode the request", error))?;
            info("request_bytes", body.len());
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            let client: HyperClient<HttpConnector, Full<Bytes>> =
                HyperClient::builder(TokioExecutor::new()).build(connector);
            let (client, url, body, expected) = (&client, &url, &body, answer.len());
            let count = accounts.len();
            runtime.block_on(per_call(warmup, secs, || async move {
                let request = Request::post(url.as_str())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(body.clone()))
                    .map_err(|error| BenchError::because("bad request", error))?;
                let response = client
                    .request(request)
                    .await
                    .map_err(|error| BenchError::because("the POST failed", error))?;
                if response.status() != StatusCode::OK {
                    return Err(BenchError::new(format!("HTTP {}", response.status())));
                }
                let bytes = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|error| BenchError::because("reading the answer failed", error))?
                    .to_bytes();
                if bytes.len() != expected {
                    return Err(BenchError::new("the answer was cut short"));
                }
                if decode {
                    let answer = decode_response::<UpdateBlocklistResponse>(&bytes)
                        .map_err(|error| BenchError::because("the answer did not decode", error))?;
                    if answer.result_item.len() != count {
                        return Err(BenchError::new("the answer did not cover every account"));
                    }
                }
                Ok(())
            }))?
        }
        _ => {
            return Err(BenchError::new(
                "usage: bench-overhead sdk|bare|bare-decode [--accounts N] [--secs S] [--warmup S]",
            ));
        }
    };
    info("answer_bytes", answer.len());
    let calls = micros.len();
    let mean = micros.iter().sum::<f64>() / calls.max(1) as f64;
    result(
        "median_us",
        format_args!("{:.2}", im_bench::median(&mut micros)),
    );
    result("mean_us", format_args!("{mean:.2}"));
    result(
        "p90_us",
        format_args!("{:.2}", im_bench::quantile(&mut micros, 0.9)),
    );
    if let Some(cpu) = cpu {
        result(
            "client_cpu_us_per_call",
            format_args!("{:.2}", cpu.as_secs_f64() * 1e6 / calls.max(1) as f64),
        );
    }
    result("calls", calls);
    Ok(())
}
