//! The request-level checks of the gateway: the query string, the UserSig and the admin,
//! and the body's JSON and account types.

use im_protocol::ErrorCode;
use im_protocol::query::DecodedQuery;
use im_sig::{Expected, SigError};
use serde_json::{Map, Value};

use crate::emulator::Config;
use crate::replies::Failure;

/// Checks the query parameters, the UserSig and the admin, in the service's order.
pub(super) fn check_query(config: &Config, raw: Option<&str>) -> Result<(), Failure> {
    let query = DecodedQuery::parse(raw.unwrap_or_default()).map_err(|error| {
        Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            format!("the query string does not decode: {error}"),
        )
    })?;
    let sdkappid = query
        .get("sdkappid")
        .ok_or_else(|| Failure::new(ErrorCode::SDKAPPID_MISSING, "sdkappid is missing"))?;
    if sdkappid.parse::<u64>().ok() != Some(config.sdkappid) {
        return Err(Failure::new(
            ErrorCode::INVALID_SDKAPPID,
            "invalid sdkappid",
        ));
    }
    let identifier = query
        .get("identifier")
        .filter(|identifier| !identifier.is_empty())
        .ok_or_else(|| Failure::new(ErrorCode::ACCOUNT_OR_SIG_INVALID, "identifier is missing"))?;
    let usersig = query
        .get("usersig")
        .filter(|usersig| !usersig.is_empty())
        .ok_or_else(|| Failure::new(ErrorCode::SIG_EMPTY, "usersig is empty"))?;
    if query
        .get("random")
        .and_then(|random| random.parse::<u32>().ok())
        .is_none()
    {
        return Err(Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            "random must be an unsigned 32-bit integer",
        ));
    }
    if query.get("contenttype") != Some("json") {
        return Err(Failure::new(
            ErrorCode::HTTP_PARSE_ERROR,
            "contenttype must be json",
        ));
    }
    let expected = Expected::new(config.sdkappid, identifier);
    im_sig::verify(usersig, &config.key, &expected, config.clock.now())
        .map_err(|error| sig_failure(&error))?;
    if !config.admins.iter().any(|admin| admin == identifier) {
        return Err(Failure::new(
            ErrorCode::ADMIN_PERMISSION_REQUIRED,
            "the identifier is not an app admin",
        ));
    }
    Ok(())
}

/// The code the service answers a rejected UserSig with.
fn sig_failure(error: &SigError) -> Failure {
    let code = match error {
        SigError::Malformed { .. } => ErrorCode::SIG_INVALID,
        SigError::Expired { .. } => ErrorCode::SIG_EXPIRED,
        SigError::WrongApp { .. } => ErrorCode::SIG_SDKAPPID_MISMATCH,
        SigError::WrongIdentifier { .. } => ErrorCode::SIG_IDENTIFIER_MISMATCH,
        _ => ErrorCode::SIG_VERIFICATION_FAILED,
    };
    // The error's text names the fields that differ, never the UserSig or the key.
    Failure::new(code, error.to_string())
}

/// Parses the body as a JSON object (60003 otherwise).
pub(super) fn read_object(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            "the request body must be a JSON object",
        )),
        Err(_) => Err(Failure::new(
            ErrorCode::REQUEST_JSON_PARSE_ERROR,
            "the request body is not valid JSON",
        )),
    }
}

/// The fields that hold accounts, as a string or a list of strings.
const ACCOUNT_FIELDS: [&str; 4] = ["From_Account", "To_Account", "UserID", "Identifier"];

/// Rejects accounts that are not JSON strings (60015), anywhere in the body.
pub(super) fn check_account_types(object: &Map<String, Value>) -> Result<(), Failure> {
    fn valid(value: &Value) -> bool {
        match value {
            Value::String(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            _ => false,
        }
    }
    fn walk(object: &Map<String, Value>) -> bool {
        object.iter().all(|(name, value)| {
            let here = !ACCOUNT_FIELDS.contains(&name.as_str()) || valid(value);
            let nested = match value {
                Value::Object(inner) => walk(inner),
                Value::Array(items) => items.iter().all(|item| match item {
                    Value::Object(inner) => walk(inner),
                    _ => true,
                }),
                _ => true,
            };
            let accounts = name != "Accounts"
                || value
                    .as_array()
                    .is_none_or(|items| items.iter().all(Value::is_string));
            here && nested && accounts
        })
    }
    if walk(object) {
        Ok(())
    } else {
        Err(Failure::new(
            ErrorCode::WRONG_ACCOUNT_TYPE,
            "accounts must be JSON strings",
        ))
    }
}

/// How many accounts the body carries, for the log.
pub(super) fn count_accounts(object: &Map<String, Value>) -> usize {
    let length = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    match object.get("To_Account") {
        Some(Value::Array(items)) => items.len(),
        Some(_) => 1,
        None => {
            length("AddFriendItem")
                + length("AccountList")
                + length("Accounts")
                + length("CheckItem")
                + length("DeleteItem")
                + usize::from(object.contains_key("UserID") || object.contains_key("Identifier"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(object) => object,
            _ => Map::new(),
        }
    }

    #[test]
    fn accounts_must_be_strings_at_any_depth() {
        let valid = object(json!({
            "From_Account": "a",
            "To_Account": ["b", "c"],
            "AddFriendItem": [{"To_Account": "d"}],
            "Accounts": ["e"],
        }));
        assert!(check_account_types(&valid).is_ok());
        for invalid in [
            json!({"From_Account": 7}),
            json!({"To_Account": ["b", 7]}),
            json!({"AddFriendItem": [{"To_Account": 7}]}),
            json!({"DeleteItem": [{"UserID": null}]}),
            json!({"Accounts": [7]}),
        ] {
            let failure = check_account_types(&object(invalid.clone())).err();
            assert_eq!(
                failure.map(|failure| failure.code),
                Some(ErrorCode::WRONG_ACCOUNT_TYPE),
                "{invalid}"
            );
        }
    }

    #[test]
    fn the_log_counts_the_accounts_of_each_family() {
        let count = |value: Value| count_accounts(&object(value));
        assert_eq!(
            count(json!({"From_Account": "a", "To_Account": ["b", "c"]})),
            2
        );
        assert_eq!(count(json!({"From_Account": "a", "StartIndex": 0})), 0);
        assert_eq!(count(json!({"UserID": "a"})), 1);
        assert_eq!(
            count(json!({"AccountList": [{}, {}], "Accounts": ["c"]})),
            3
        );
        assert_eq!(count(json!({"DeleteItem": [{}], "CheckItem": [{}]})), 2);
    }

    #[test]
    fn the_body_must_be_a_json_object() {
        assert!(read_object(br#"{"From_Account":"a"}"#).is_ok());
        for body in [&b"[]"[..], b"\"a\"", b"{", b""] {
            let failure = read_object(body).err();
            assert_eq!(
                failure.map(|failure| failure.code),
                Some(ErrorCode::REQUEST_JSON_PARSE_ERROR)
            );
        }
    }
}
