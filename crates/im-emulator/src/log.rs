//! The request log (bounded: the most recent requests, and totals over all of them) and the
//! per-API frequency limit.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use im_protocol::{Api, ErrorCode};
use tokio::time::Instant;

use crate::{Emulator, FaultKind};

/// How many requests the log holds unless [`Emulator::set_log_capacity`] says otherwise:
/// the most recent 100,000 (some 20 MB), so a long `serve` does not grow without limit.
pub const DEFAULT_LOG_CAPACITY: usize = 100_000;

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

/// Counts over every request since the start or the last [`Emulator::clear_log`], also
/// those the log no longer holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestTotals {
    /// Every request received.
    pub requests: u64,
    /// Requests refused by the frequency limit (code 60007).
    pub rejected_by_rate_limit: u64,
    /// Requests the log no longer holds, because newer ones took their place.
    pub dropped: u64,
    calls: HashMap<Api, u64>,
    busiest_second: HashMap<Api, usize>,
}

impl RequestTotals {
    /// The calls to `api` that counted against its frequency limit
    /// ([`LoggedRequest::counts_as_call`]).
    pub fn calls(&self, api: Api) -> u64 {
        self.calls.get(&api).copied().unwrap_or(0)
    }

    /// The most calls to `api` that arrived within any one second, over every request.
    pub fn max_calls_per_second(&self, api: Api) -> usize {
        self.busiest_second.get(&api).copied().unwrap_or(0)
    }
}

/// The log: a ring of the most recent requests, and totals that keep counting.
#[derive(Debug)]
pub(crate) struct RequestLog {
    recent: VecDeque<LoggedRequest>,
    capacity: usize,
    totals: RequestTotals,
    /// Per API, the counted calls of the last second, for the busiest second.
    last_second: HashMap<Api, VecDeque<Instant>>,
}

impl Default for RequestLog {
    fn default() -> Self {
        RequestLog::with_capacity(DEFAULT_LOG_CAPACITY)
    }
}

impl RequestLog {
    fn with_capacity(capacity: usize) -> Self {
        RequestLog {
            recent: VecDeque::new(),
            capacity,
            totals: RequestTotals::default(),
            last_second: HashMap::new(),
        }
    }

    /// Records a request; they arrive in arrival order. The oldest entry makes room when
    /// the log is full.
    pub(crate) fn push(&mut self, request: LoggedRequest) {
        let totals = &mut self.totals;
        totals.requests += 1;
        if request.rejected_by_rate_limit {
            totals.rejected_by_rate_limit += 1;
        }
        if let (Some(api), true) = (request.api, request.counts_as_call()) {
            *totals.calls.entry(api).or_default() += 1;
            let arrivals = self.last_second.entry(api).or_default();
            while arrivals
                .front()
                .is_some_and(|&first| first + WINDOW <= request.at)
            {
                arrivals.pop_front();
            }
            arrivals.push_back(request.at);
            let busiest = totals.busiest_second.entry(api).or_default();
            *busiest = (*busiest).max(arrivals.len());
        }
        self.recent.push_back(request);
        self.shrink_to(self.capacity);
    }

    /// Drops the oldest entries until at most `capacity` remain.
    fn shrink_to(&mut self, capacity: usize) {
        while self.recent.len() > capacity {
            self.recent.pop_front();
            self.totals.dropped += 1;
        }
    }

    /// The entries held, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<LoggedRequest> {
        self.recent.iter().cloned().collect()
    }

    /// Forgets every entry and total (the capacity stays).
    pub(crate) fn clear(&mut self) {
        *self = RequestLog::with_capacity(self.capacity);
    }
}

impl Emulator {
    /// Counts over every request since the start or the last
    /// [`clear_log`](Self::clear_log), including those the log no longer holds.
    ///
    /// ```
    /// # use im_emulator::Emulator;
    /// let emulator = Emulator::new(1_400_000_000, im_sig::SecretKey::new("key"));
    /// assert_eq!(emulator.request_totals().requests, 0);
    /// ```
    pub fn request_totals(&self) -> RequestTotals {
        self.lock().log.totals.clone()
    }

    /// Keeps at most the `capacity` most recent requests in the log (at least one;
    /// [`DEFAULT_LOG_CAPACITY`] unless set), dropping the oldest now if it holds more.
    /// [`request_totals`](Self::request_totals) keeps counting them all.
    pub fn set_log_capacity(&self, capacity: usize) {
        let mut state = self.lock();
        state.log.capacity = capacity.max(1);
        state.log.shrink_to(capacity.max(1));
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

/// The most calls to `api` that arrived within any span of `window`, over the entries `log`
/// holds (which are in arrival order).
pub(crate) fn max_calls_in_window(log: &RequestLog, api: Api, window: Duration) -> usize {
    let times: Vec<Instant> = log
        .recent
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

    fn log_of(requests: impl IntoIterator<Item = LoggedRequest>) -> RequestLog {
        let mut log = RequestLog::default();
        requests.into_iter().for_each(|request| log.push(request));
        log
    }

    #[test]
    fn max_calls_uses_half_open_windows() {
        let start = Instant::now();
        let log = log_of([
            call(start),
            call(start + Duration::from_millis(400)),
            call(start + Duration::from_millis(900)),
            call(start + Duration::from_millis(1000)),
            call(start + Duration::from_millis(1500)),
        ]);
        assert_eq!(max_calls_in_window(&log, Api::BlackListAdd, WINDOW), 3);
        assert_eq!(log.totals.max_calls_per_second(Api::BlackListAdd), 3);
        assert_eq!(
            max_calls_in_window(&log, Api::BlackListAdd, Duration::from_secs(2)),
            5
        );
        assert_eq!(max_calls_in_window(&log, Api::BlackListGet, WINDOW), 0);
        let mut rejected = call(start);
        rejected.rejected_by_rate_limit = true;
        let log = log_of([rejected]);
        assert_eq!(max_calls_in_window(&log, Api::BlackListAdd, WINDOW), 0);
        assert_eq!(log.totals.max_calls_per_second(Api::BlackListAdd), 0);
        assert_eq!(log.totals.rejected_by_rate_limit, 1);
    }

    #[test]
    fn the_log_keeps_the_most_recent_requests_and_counts_them_all() {
        let start = Instant::now();
        let mut log = RequestLog::with_capacity(3);
        // Ten calls 100 ms apart, then a busy second of five, then one more.
        let mut times: Vec<Instant> = (0..10)
            .map(|index| start + Duration::from_millis(100 * index))
            .collect();
        times.extend((0..5).map(|index| start + Duration::from_millis(5000 + index)));
        times.push(start + Duration::from_secs(9));
        for &at in &times {
            log.push(call(at));
        }
        let held = log.to_vec();
        assert_eq!(held.len(), 3, "a ring of the capacity");
        assert_eq!(
            held.iter().map(|request| request.at).collect::<Vec<_>>(),
            times[13..],
            "the newest, oldest first"
        );
        let totals = &log.totals;
        assert_eq!(totals.requests, 16);
        assert_eq!(totals.dropped, 13);
        assert_eq!(totals.calls(Api::BlackListAdd), 16);
        assert_eq!(totals.calls(Api::BlackListGet), 0);
        // The first second held ten calls, long gone from the ring.
        assert_eq!(totals.max_calls_per_second(Api::BlackListAdd), 10);
        assert_eq!(max_calls_in_window(&log, Api::BlackListAdd, WINDOW), 2);

        log.clear();
        assert!(log.to_vec().is_empty());
        assert_eq!(log.totals, RequestTotals::default());
        log.push(call(start + Duration::from_secs(20)));
        assert_eq!(log.totals.max_calls_per_second(Api::BlackListAdd), 1);
        assert_eq!(log.capacity, 3, "clearing keeps the capacity");
    }

    #[test]
    fn the_window_memory_of_the_totals_stays_within_one_second() {
        let start = Instant::now();
        let mut log = RequestLog::with_capacity(10);
        for index in 0..10_000u64 {
            log.push(call(start + Duration::from_millis(index)));
        }
        assert_eq!(log.to_vec().len(), 10);
        assert_eq!(log.last_second[&Api::BlackListAdd].len(), 1000);
        assert_eq!(log.totals.max_calls_per_second(Api::BlackListAdd), 1000);
    }
}
