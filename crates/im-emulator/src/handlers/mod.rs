//! The API families: each handler decodes its requests, runs their request-level checks
//! (30001, 30003, 70206, ...) and applies them to the [`World`], returning a domain result
//! that the [replies](crate::replies) spell on the wire.

pub(crate) mod account;
pub(crate) mod blocklist;
pub(crate) mod setup;

use im_protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::replies::Failure;
use crate::state::World;

/// Decodes the body into its request type (60003 when the shape is wrong).
fn decode<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, Failure> {
    decode_value(Value::Object(object))
}

/// Decodes a JSON value into its type (60003 when the shape is wrong).
fn decode_value<T: DeserializeOwned>(value: Value) -> Result<T, Failure> {
    serde_json::from_value(value).map_err(|error| {
        Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            format!("the request body has the wrong shape: {error}"),
        )
    })
}

/// Checks `From_Account` of a request: non-empty (30001) and imported (30003).
pub(crate) fn check_from(world: &World, from: &str) -> Result<(), Failure> {
    if from.is_empty() {
        return Err(Failure::new(
            ErrorCode::INVALID_PARAMETER,
            "From_Account is empty",
        ));
    }
    if !world.exists(from) {
        return Err(Failure::new(
            ErrorCode::ACCOUNT_NOT_FOUND,
            "From_Account does not exist",
        ));
    }
    Ok(())
}

/// Checks a request's `From_Account` and the number of its `To_Account` entries: 1 to
/// `max`.
fn check_from_and_targets(
    world: &World,
    from: &str,
    targets: usize,
    max: usize,
) -> Result<(), Failure> {
    check_from(world, from)?;
    check_count(targets, max, "To_Account")
}

/// Rejects a `CheckType` that is none of `known` with 30001 and a message naming them,
/// rather than the generic decode error a typed field would give.
fn check_type_among(
    object: &Map<String, Value>,
    known: [&str; 2],
    message: &'static str,
) -> Result<(), Failure> {
    match object.get("CheckType") {
        Some(Value::String(check_type)) if !known.contains(&check_type.as_str()) => {
            Err(Failure::new(ErrorCode::INVALID_PARAMETER, message))
        }
        _ => Ok(()),
    }
}

/// Checks the number of accounts of a request: 1 to `max` (30001 otherwise).
fn check_count(count: usize, max: usize, field: &str) -> Result<(), Failure> {
    if count == 0 {
        return Err(Failure::new(
            ErrorCode::INVALID_PARAMETER,
            format!("{field} is empty"),
        ));
    }
    if count > max {
        return Err(Failure::new(
            ErrorCode::INVALID_PARAMETER,
            format!("{field} holds {count} entries; at most {max} are allowed"),
        ));
    }
    Ok(())
}

/// A JSON object for tests of the handlers.
#[cfg(test)]
fn object_of(value: impl serde::Serialize) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::world_of;

    #[test]
    fn from_account_must_be_given_and_imported() {
        let world = world_of(&["a"]);
        let code = |from| check_from(&world, from).err().map(|failure| failure.code);
        assert_eq!(code(""), Some(ErrorCode::INVALID_PARAMETER));
        assert_eq!(code("ghost"), Some(ErrorCode::ACCOUNT_NOT_FOUND));
        assert_eq!(code("a"), None);
    }

    #[test]
    fn counts_are_one_to_the_limit() {
        assert!(check_count(0, 3, "To_Account").is_err());
        assert!(check_count(1, 3, "To_Account").is_ok());
        assert!(check_count(3, 3, "To_Account").is_ok());
        let failure = check_count(4, 3, "To_Account").err();
        assert_eq!(
            failure.map(|failure| failure.info),
            Some("To_Account holds 4 entries; at most 3 are allowed".to_owned())
        );
    }

    #[test]
    fn an_unknown_check_type_is_named() {
        let object = object_of(serde_json::json!({"CheckType": "Sideways"}));
        let known = ["Single", "Both"];
        let failure = check_type_among(&object, known, "CheckType must be Single or Both").err();
        assert_eq!(
            failure.map(|failure| failure.code),
            Some(ErrorCode::INVALID_PARAMETER)
        );
        let object = object_of(serde_json::json!({"CheckType": "Both"}));
        assert!(check_type_among(&object, known, "").is_ok());
    }
}
