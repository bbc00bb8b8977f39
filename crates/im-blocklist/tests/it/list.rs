//! Listing a blocklist page by page.

use futures_util::{StreamExt as _, TryStreamExt as _};
use im_blocklist::{Error, InvalidInput, PageRequest};
use im_protocol::{Api, GetBlocklistRequest};

use crate::support::{FakeService, Reply, builder, client};

/// A service holding `entries` that answers pages of `served` entries at most, whatever the
/// request asks for, with the documented `StartIndex` chain (0 after the last page).
fn paging_service(entries: &'static [&'static str], served: usize) -> FakeService {
    FakeService::new(move |request| {
        let get: GetBlocklistRequest = request.body();
        let start = get.start_index as usize;
        let end = (start + served.min(get.max_limited as usize)).min(entries.len());
        let next = if end < entries.len() { end as u32 } else { 0 };
        Reply::page(&entries[start..end], next)
    })
}

const ENTRIES: &[&str] = &["a", "b", "c", "d", "e", "f"];

#[tokio::test(start_paused = true)]
async fn list_follows_the_start_index_chain() {
    let service = paging_service(ENTRIES, usize::MAX);
    let blocklist = builder(&service).page_size(2).build();

    let listed: Vec<String> = blocklist
        .list("alice")
        .map_ok(|entry| entry.account)
        .try_collect()
        .await
        .unwrap();

    assert_eq!(listed, ENTRIES);
    let requests: Vec<GetBlocklistRequest> = service.requests().iter().map(|r| r.body()).collect();
    let starts: Vec<u32> = requests.iter().map(|r| r.start_index).collect();
    assert_eq!(starts, [0, 2, 4]);
    for (request, recorded) in requests.iter().zip(service.requests()) {
        assert_eq!(recorded.api, Some(Api::BlackListGet));
        assert_eq!(request.from_account, "alice");
        assert_eq!(request.max_limited, 2);
        assert_eq!(request.last_sequence, 0);
    }
}

#[tokio::test(start_paused = true)]
async fn list_copes_with_short_pages() {
    // The client asks for 1000 entries per page; the service sends 2 and a next index.
    let service = paging_service(ENTRIES, 2);
    let blocklist = client(&service);

    let listed: Vec<_> = blocklist.list("alice").try_collect().await.unwrap();

    let accounts: Vec<&str> = listed.iter().map(|e| e.account.as_str()).collect();
    assert_eq!(accounts, ENTRIES);
    assert!(listed.iter().all(|e| e.added_at == 1_700_000_000));
    let requests: Vec<GetBlocklistRequest> = service.requests().iter().map(|r| r.body()).collect();
    let asked: Vec<(u32, u32)> = requests
        .iter()
        .map(|r| (r.start_index, r.max_limited))
        .collect();
    assert_eq!(asked, [(0, 1000), (2, 1000), (4, 1000)]);
}

#[tokio::test(start_paused = true)]
async fn an_empty_blocklist_lists_nothing_in_one_call() {
    let service = paging_service(&[], usize::MAX);

    let listed: Vec<_> = client(&service).list("alice").try_collect().await.unwrap();

    assert!(listed.is_empty());
    assert_eq!(service.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_page_that_does_not_advance_ends_the_stream_with_an_error() {
    // The second page points back at itself.
    let service = FakeService::new(|request| {
        let get: GetBlocklistRequest = request.body();
        match get.start_index {
            0 => Reply::page(&["a", "b"], 2),
            _ => Reply::page(&["c"], 2),
        }
    });
    let blocklist = client(&service);

    let items: Vec<Result<String, Error>> = blocklist
        .list("alice")
        .map_ok(|entry| entry.account)
        .collect()
        .await;

    assert_eq!(items.len(), 3, "two entries, then the error, then the end");
    assert_eq!(items[0].as_ref().unwrap(), "a");
    assert_eq!(items[1].as_ref().unwrap(), "b");
    assert!(matches!(items[2], Err(Error::UnexpectedAnswer { .. })));
    assert_eq!(service.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn empty_pages_that_point_onwards_end_the_stream_with_an_error() {
    // A service that keeps answering empty pages with a growing StartIndex.
    let service = FakeService::new(|request| {
        let get: GetBlocklistRequest = request.body();
        let none: &[&str] = &[];
        Reply::page(none, get.start_index + 10)
    });
    let blocklist = client(&service);

    let items: Vec<Result<String, Error>> = blocklist
        .list("alice")
        .map_ok(|entry| entry.account)
        .collect()
        .await;

    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(Error::UnexpectedAnswer { .. })));
    assert_eq!(service.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn list_page_returns_one_page_with_its_next_index() {
    let service = paging_service(ENTRIES, usize::MAX);
    let blocklist = client(&service);

    let page = blocklist
        .list_page("alice", PageRequest::of_size(3).starting_at(2))
        .await
        .unwrap();

    let accounts: Vec<&str> = page.entries.iter().map(|e| e.account.as_str()).collect();
    assert_eq!(accounts, ["c", "d", "e"]);
    assert_eq!(page.next_start_index, Some(5));
    assert_eq!(page.sequence, Some(7));

    let last = blocklist
        .list_page("alice", PageRequest::of_size(3).starting_at(5))
        .await
        .unwrap();
    assert_eq!(last.next_start_index, None);
}

#[tokio::test(start_paused = true)]
async fn list_page_rejects_page_sizes_outside_1_to_1000_before_sending() {
    let service = paging_service(ENTRIES, usize::MAX);
    let blocklist = client(&service);

    for size in [0, 1001] {
        let error = blocklist
            .list_page("alice", PageRequest::of_size(size))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput(InvalidInput::PageSize { size: s, max: 1000 }) if s == size),
            "{error:?}"
        );
    }
    assert_eq!(service.count(), 0);
    assert!(
        blocklist
            .list_page("alice", PageRequest::of_size(1000))
            .await
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn a_listing_that_never_ends_stops_past_the_largest_blocklist() {
    // Every page advances and is full, forever.
    let service = FakeService::new(|request| {
        let get: GetBlocklistRequest = request.body();
        let names: Vec<String> = (0..100)
            .map(|i| format!("u{}", get.start_index + i))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Reply::page(&names, get.start_index + 100)
    });
    let blocklist = builder(&service).page_size(100).build();

    let items: Vec<Result<String, Error>> = blocklist
        .list("alice")
        .map_ok(|entry| entry.account)
        .collect()
        .await;

    let error = items.last().expect("items");
    assert!(
        matches!(error, Err(Error::UnexpectedAnswer { reason }) if reason.contains("1000")),
        "{error:?}"
    );
    assert_eq!(items.iter().filter(|item| item.is_ok()).count(), 1000);
    assert_eq!(service.count(), 11);
}
