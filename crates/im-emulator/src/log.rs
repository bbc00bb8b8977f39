//! The request log and the per-API frequency limit.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use im_protocol::{Api, ErrorCode};
use tokio::time::Instant;

use crate::FaultKind;

/// One request as the emulator saw it, for tests that audit what a client sent.
///
/// Every request is logged, whatever its outcome: rejected by the request checks or the
/// frequency limit, failed by an injected fault, or served.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// When the request arrived, on Tokio's clock (paused in tests).
    pub at: Instant,
    /// The URL path without the leading slash, e.g. `v4/sns/black_list_add`.
    pub path: String,
    /// The API of the table (blocklist or account), when the path is one.
    pub api: Option<Api>,
    /// `From_Account` of the body, when the body was read and has one.
    pub from: Option<String>,
    /// How many accounts the body carried: `To_Account` entries for the blocklist APIs,
    /// accounts (items) for the account APIs, friend items for the setup APIs, 0 for `black_list_get` or when the
    /// body was not read.
    pub accounts: usize,
    /// The HTTP status of the answer (405 for a method other than POST, 502 for the
    /// injected fault, otherwise 200).
    pub http_status: u16,
    /// The `ErrorCode` of the envelope, or `None` when there was none (HTTP 502). An answer
    /// that was then lost or truncated still records the code it carried.
    pub code: Option<ErrorCode>,
    /// The faults injected into this request.
    pub faults: Vec<FaultKind>,
    /// Whether the request was refused by the frequency limit (code 60007).
    pub rejected_by_rate_limit: bool,
}

impl LoggedRequest {
    /// Whether this request counted as a call against the frequency limit of its API:
    /// an API of the table not refused by the limit itself.
    pub fn counts_as_call(&self) -> bool {
        self.api.is_some() && !self.rejected_by_rate_limit
    }
}

/// The sliding one-second windows of the frequency limit, one per API.
#[derive(Debug, Default)]
pub(crate) struct RateWindows {
    arrivals: HashMap<Api, VecDeque<Instant>>,
}

/// The window of the frequency limit.
const WINDOW: Duration = Duration::from_secs(1);

impl RateWindows {
    /// Counts a call to `api` at `now` unless `limit` calls already arrived in the second
    /// before it; returns whether the call is allowed. A limit of 0 means unlimited.
    pub(crate) fn admit(&mut self, api: Api, now: Instant, limit: u32) -> bool {
        if limit == 0 {
            return true;
        }
        let arrivals = self.arrivals.entry(api).or_default();
        while arrivals.front().is_some_and(|&first| first + WINDOW <= now) {
            arrivals.pop_front();
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if arrivals.len() >= limit {
            return false;
        }
        arrivals.push_back(now);
        true
    }
}

/// The most calls to `api` that arrived within any span of `window`, over `log`
/// (which is in arrival order).
pub(crate) fn max_calls_in_window(log: &[LoggedRequest], api: Api, window: Duration) -> usize {
    let times: Vec<Instant> = log
        .iter()
        .filter(|request| request.api == Some(api) && request.counts_as_call())
        .map(|request| request.at)
        .collect();
    let mut best = 0;
    let mut start = 0;
    for (end, &at) in times.iter().enumerate() {
        while times.get(start).is_some_and(|&first| first + window <= at) {
            start += 1;
        }
        best = best.max(end + 1 - start);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(at: Instant) -> LoggedRequest {
        LoggedRequest {
            at,
            path: Api::BlackListAdd.path().to_owned(),
            api: Some(Api::BlackListAdd),
            from: None,
            accounts: 1,
            http_status: 200,
            code: Some(ErrorCode::OK),
            faults: Vec::new(),
            rejected_by_rate_limit: false,
        }
    }

    #[test]
    fn the_window_slides() {
        let start = Instant::now();
        let mut windows = RateWindows::default();
        assert!(windows.admit(Api::BlackListAdd, start, 2));
        assert!(windows.admit(Api::BlackListAdd, start + Duration::from_millis(500), 2));
        assert!(!windows.admit(Api::BlackListAdd, start + Duration::from_millis(999), 2));
        // Another API has its own window.
        assert!(windows.admit(Api::BlackListGet, start + Duration::from_millis(999), 2));
        // The first call leaves the window exactly one second after it arrived.
        assert!(windows.admit(Api::BlackListAdd, start + WINDOW, 2));
        assert!(!windows.admit(Api::BlackListAdd, start + WINDOW, 2));
        // Zero means unlimited.
        for _ in 0..1000 {
            assert!(windows.admit(Api::BlackListCheck, start, 0));
        }
    }

    #[test]
    fn max_calls_uses_half_open_windows() {
        let start = Instant::now();
        let log = [
            call(start),
            call(start + Duration::from_millis(400)),
            call(start + Duration::from_millis(900)),
            call(start + Duration::from_millis(1000)),
            call(start + Duration::from_millis(1500)),
        ];
        assert_eq!(max_calls_in_window(&log, Api::BlackListAdd, WINDOW), 3);
        assert_eq!(
            max_calls_in_window(&log, Api::BlackListAdd, Duration::from_secs(2)),
            5
        );
        assert_eq!(max_calls_in_window(&log, Api::BlackListGet, WINDOW), 0);
        let mut rejected = call(start);
        rejected.rejected_by_rate_limit = true;
        assert_eq!(
            max_calls_in_window(&[rejected], Api::BlackListAdd, WINDOW),
            0
        );
    }
}
