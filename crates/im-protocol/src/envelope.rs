//! The response envelope shared by every API, and the functions that decode and encode bodies.
//!
//! Every response carries `ActionStatus`, `ErrorCode`, `ErrorInfo` and usually `ErrorDisplay`
//! next to the API's own fields. Decoding reads the body and the status fields in one pass;
//! a failed response, which usually lacks the body fields, becomes [`Error::Api`] rather
//! than a decode error, and no `#[serde(flatten)]` buffering is involved in reading.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{ApiError, Error, ErrorCode};

/// The `ActionStatus` of a response, and of an application's answer to a webhook callback.
///
/// Exhaustive on purpose: success or failure, with the detail in `ErrorCode`; a value this
/// crate does not know fails to decode rather than being guessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionStatus {
    /// `"OK"`: the request was processed.
    #[serde(rename = "OK")]
    Ok,
    /// `"FAIL"`: the request failed; `ErrorCode` says why.
    #[serde(rename = "FAIL")]
    Fail,
}

impl ActionStatus {
    /// The wire spelling, `"OK"` or `"FAIL"`.
    ///
    /// ```
    /// use im_protocol::ActionStatus;
    ///
    /// assert_eq!(ActionStatus::Ok.as_str(), "OK");
    /// assert_eq!(ActionStatus::Fail.as_str(), "FAIL");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Ok => "OK",
            ActionStatus::Fail => "FAIL",
        }
    }
}

/// The status fields of a response: `ActionStatus`, `ErrorCode`, `ErrorInfo`, `ErrorDisplay`.
///
/// `ActionStatus` and `ErrorCode` are required; a missing `ErrorInfo` reads as empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Status {
    /// `ActionStatus`.
    #[serde(rename = "ActionStatus")]
    pub action_status: ActionStatus,
    /// `ErrorCode`: 0 on success.
    #[serde(rename = "ErrorCode")]
    pub error_code: ErrorCode,
    /// `ErrorInfo`: a description of the failure, empty on success.
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
    /// `ErrorDisplay`: text meant for end users, when the service sends it.
    #[serde(
        rename = "ErrorDisplay",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub error_display: Option<String>,
}

impl Status {
    /// The status of a successful response, as the service writes it:
    /// `"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":""`.
    pub fn ok() -> Self {
        Status {
            action_status: ActionStatus::Ok,
            error_code: ErrorCode::OK,
            error_info: String::new(),
            error_display: Some(String::new()),
        }
    }

    /// The status of a failed response with the given code and info, without `ErrorDisplay`.
    pub fn fail(code: ErrorCode, info: impl Into<String>) -> Self {
        Status {
            action_status: ActionStatus::Fail,
            error_code: code,
            error_info: info.into(),
            error_display: None,
        }
    }

    /// The same status with the given `ErrorDisplay` text.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.error_display = Some(display.into());
        self
    }

    /// Whether the response succeeded: `ActionStatus` is `OK` and `ErrorCode` is 0.
    pub fn is_success(&self) -> bool {
        self.action_status == ActionStatus::Ok && self.error_code.is_ok()
    }

    /// `Ok(())` on success, otherwise the failure as an [`ApiError`].
    ///
    /// `ActionStatus` `FAIL` with `ErrorCode` 0 is a failure with code 0.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.is_success() {
            return Ok(());
        }
        let error = ApiError::new(self.error_code, self.error_info.clone());
        Err(match &self.error_display {
            Some(display) => error.with_display(display.clone()),
            None => error,
        })
    }
}

/// A whole response: the API's body plus the [`Status`] fields, side by side on the wire.
///
/// These two parts are the whole envelope, so it stays exhaustive; a status field the
/// service adds belongs in [`Status`], which is `#[non_exhaustive]`.
///
/// It serializes to the wire shape, body fields first, so a server (such as a local
/// emulator of the service) can write responses. Read responses with [`decode_response`]
/// or [`decode_envelope`].
///
/// ```
/// use im_protocol::{encode_json, Envelope, ErrorCode, GetBlocklistResponse};
///
/// let page = GetBlocklistResponse::new(vec![], 0).with_current_sequence(3);
/// let ok = encode_json(&Envelope::ok(page)).unwrap();
/// assert_eq!(
///     String::from_utf8(ok).unwrap(),
///     r#"{"BlackListItem":[],"StartIndex":0,"CurruentSequence":3,"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":""}"#
/// );
///
/// let fail = Envelope::<GetBlocklistResponse>::fail(ErrorCode::API_RATE_LIMITED, "too many calls");
/// assert_eq!(
///     String::from_utf8(encode_json(&fail).unwrap()).unwrap(),
///     r#"{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"too many calls"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope<T> {
    /// The API's own fields; `None` for a failed response.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub body: Option<T>,
    /// The status fields.
    #[serde(flatten)]
    pub status: Status,
}

impl<T> Envelope<T> {
    /// A successful response carrying `body`.
    pub fn ok(body: T) -> Self {
        Envelope {
            body: Some(body),
            status: Status::ok(),
        }
    }

    /// A failed response with the given code and info and no body.
    pub fn fail(code: ErrorCode, info: impl Into<String>) -> Self {
        Envelope {
            body: None,
            status: Status::fail(code, info),
        }
    }
}

/// Decodes a response body: the API's body on success, [`Error::Api`] when the service
/// reported a failure, [`Error::Decode`] when the bytes are not such a response.
///
/// ```
/// use im_protocol::{decode_response, Error, ErrorCode, UpdateBlocklistResponse};
///
/// let ok = br#"{"ResultItem":[{"To_Account":"id1","ResultCode":0,"ResultInfo":""}],
///              "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":""}"#;
/// let response: UpdateBlocklistResponse = decode_response(ok).unwrap();
/// assert!(response.result_item[0].is_ok());
///
/// let fail = br#"{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"sig expired"}"#;
/// let error = decode_response::<UpdateBlocklistResponse>(fail).unwrap_err();
/// assert_eq!(error.code(), Some(ErrorCode::SIG_EXPIRED));
///
/// assert!(decode_response::<UpdateBlocklistResponse>(b"<html>").unwrap_err().is_decode());
/// ```
///
/// The body may borrow from `bytes` (e.g. `Cow<'de, str>` fields marked `#[serde(borrow)]`).
pub fn decode_response<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    // One pass reads the body and the status fields beside it. Only when that fails, or the
    // status is incomplete, are the bytes read again, status first, to tell an API error
    // from a malformed body; the result is the same as reading the status first always.
    // The body is checked for UTF-8 once, as a whole: reading it as text then spares the
    // parser a check per string, the largest share of decoding a long per-item answer.
    let text = std::str::from_utf8(bytes).ok();
    if let Some(text) = text
        && let Ok(WithStatus { body, status }) = serde_json::from_str::<WithStatus<T>>(text)
        && let Some(status) = status.complete()
    {
        status.check().map_err(Error::Api)?;
        return Ok(body);
    }
    let status = decode_json::<Status>(bytes)?;
    status.check().map_err(Error::Api)?;
    serde_json::from_slice(bytes).map_err(|error| Error::decode(&error))
}

/// A body read together with the status fields beside it, in one pass over the bytes.
struct WithStatus<T> {
    body: T,
    status: PartialStatus,
}

/// The status fields seen while reading a body.
#[derive(Default)]
struct PartialStatus {
    action_status: Option<ActionStatus>,
    error_code: Option<ErrorCode>,
    error_info: Option<String>,
    error_display: Option<String>,
}

impl PartialStatus {
    /// The status, when its required fields were present.
    fn complete(self) -> Option<Status> {
        Some(Status {
            action_status: self.action_status?,
            error_code: self.error_code?,
            error_info: self.error_info.unwrap_or_default(),
            error_display: self.error_display,
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for WithStatus<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(WithStatusVisitor(std::marker::PhantomData))
    }
}

struct WithStatusVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for WithStatusVisitor<T> {
    type Value = WithStatus<T>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a response object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut status = PartialStatus::default();
        let capture = CaptureStatus {
            map,
            status: &mut status,
        };
        let body = T::deserialize(serde::de::value::MapAccessDeserializer::new(capture))?;
        Ok(WithStatus { body, status })
    }
}

/// Passes a map's entries on to the body, keeping the status fields for itself.
struct CaptureStatus<'s, A> {
    map: A,
    status: &'s mut PartialStatus,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for CaptureStatus<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        loop {
            let Some(key) = self.map.next_key::<String>()? else {
                return Ok(None);
            };
            match key.as_str() {
                "ActionStatus" => self.status.action_status = Some(self.map.next_value()?),
                "ErrorCode" => self.status.error_code = Some(self.map.next_value()?),
                "ErrorInfo" => self.status.error_info = Some(self.map.next_value()?),
                "ErrorDisplay" => self.status.error_display = self.map.next_value()?,
                _ => {
                    let key = serde::de::value::StringDeserializer::<A::Error>::new(key);
                    return seed.deserialize(key).map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Decodes a whole response without turning a failure into an error.
///
/// The body is decoded only when the status is a success; a failed response yields
/// `body: None`. Useful to look at the status fields themselves, e.g. in tests.
pub fn decode_envelope<T: DeserializeOwned>(bytes: &[u8]) -> Result<Envelope<T>, Error> {
    let status = decode_json::<Status>(bytes)?;
    let body = if status.is_success() {
        Some(decode_json(bytes)?)
    } else {
        None
    };
    Ok(Envelope { body, status })
}

/// Decodes a JSON body with no envelope handling, e.g. a request body on the server side.
///
/// ```
/// use im_protocol::{decode_json, AddBlocklistRequest};
///
/// let request: AddBlocklistRequest =
///     decode_json(br#"{"From_Account":"id","To_Account":["id1"]}"#).unwrap();
/// assert_eq!(request, AddBlocklistRequest::new("id", ["id1"]));
/// ```
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|error| Error::decode(&error))
}

/// Encodes a request, a response body or an [`Envelope`] as compact JSON.
///
/// The types of this crate always encode; the error is for foreign types that refuse to.
pub fn encode_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|error| Error::encode(&error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UpdateBlocklistResponse;

    #[test]
    fn one_pass_reads_the_body_and_the_status_beside_it() {
        let bytes = br#"{"ResultItem":[{"To_Account":"bob","ResultCode":0}],
            "ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ErrorDisplay":"shown"}"#;
        let read: WithStatus<UpdateBlocklistResponse> =
            serde_json::from_slice(bytes).expect("one pass reads it");
        assert_eq!(read.body.result_item.len(), 1);
        let status = read.status.complete().expect("the status is complete");
        assert!(status.is_success());
        assert_eq!(status.error_display.as_deref(), Some("shown"));
    }

    #[test]
    fn a_failed_status_beside_a_complete_body_is_still_an_api_error() {
        let bytes =
            br#"{"ResultItem":[],"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"expired"}"#;
        let error = decode_response::<UpdateBlocklistResponse>(bytes).expect_err("FAIL");
        assert_eq!(error.code(), Some(ErrorCode::SIG_EXPIRED));
        let without_status = br#"{"ResultItem":[]}"#;
        assert!(
            decode_response::<UpdateBlocklistResponse>(without_status)
                .expect_err("no status")
                .is_decode()
        );
    }
}
