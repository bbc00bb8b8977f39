//! The per-item results of one answer, looked up by item name.

use std::borrow::Cow;
use std::collections::HashMap;

use super::ItemResult;

/// The results of one answer, looked up by item name.
///
/// The service answers in request order, so the result at the item's position is tried
/// first; only an answer in another order (or with gaps or repeats) builds a map.
pub(super) struct Results<'a, X> {
    results: Vec<Option<ItemResult<'a, X>>>,
    by_key: Option<HashMap<Cow<'a, str>, usize, foldhash::fast::RandomState>>,
}

impl<'a, X> Results<'a, X> {
    pub(super) fn new(results: Vec<ItemResult<'a, X>>) -> Self {
        Results {
            results: results.into_iter().map(Some).collect(),
            by_key: None,
        }
    }

    /// The result for `key`, which was sent at `position`; each result is taken once.
    pub(super) fn take(&mut self, position: usize, key: &str) -> Option<ItemResult<'a, X>> {
        if let Some(slot) = self.results.get_mut(position)
            && slot.as_ref().is_some_and(|result| result.key == key)
        {
            return slot.take();
        }
        let results = &self.results;
        let index = *self
            .by_key
            .get_or_insert_with(|| {
                let hasher = foldhash::fast::RandomState::default();
                let mut map = HashMap::with_capacity_and_hasher(results.len(), hasher);
                for (index, result) in results.iter().enumerate() {
                    if let Some(result) = result {
                        map.entry(result.key.clone()).or_insert(index);
                    }
                }
                map
            })
            .get(key)?;
        self.results.get_mut(index).and_then(Option::take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_protocol::ErrorCode;

    fn result(key: &str) -> ItemResult<'_, ()> {
        ItemResult {
            key: Cow::Borrowed(key),
            code: ErrorCode::OK,
            info: Cow::Borrowed(""),
            extra: (),
        }
    }

    fn key_of(result: Option<ItemResult<'_, ()>>) -> Option<String> {
        result.map(|result| result.key.into_owned())
    }

    #[test]
    fn results_are_found_in_order_out_of_order_and_only_once() {
        let mut results = Results::new(vec![result("b"), result("a"), result("a"), result("c")]);
        assert_eq!(key_of(results.take(0, "a")).as_deref(), Some("a"));
        assert_eq!(key_of(results.take(1, "b")).as_deref(), Some("b"));
        assert_eq!(key_of(results.take(3, "c")).as_deref(), Some("c"));
        // No result for an item the service left out.
        assert!(results.take(4, "d").is_none());
        let mut in_order = Results::new(vec![result("x"), result("y")]);
        assert_eq!(key_of(in_order.take(0, "x")).as_deref(), Some("x"));
        assert!(in_order.take(0, "x").is_none(), "a result is taken once");
    }
}
