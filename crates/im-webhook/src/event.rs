//! Callback bodies, decoded into typed events.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{BodyError, WebhookError};

/// The `CallbackCommand` values this crate decodes into typed events.
pub mod command {
    /// Sent after accounts were added to a blocklist.
    pub const BLOCKLIST_ADD: &str = "Sns.CallbackBlackListAdd";
    /// Sent after accounts were removed from a blocklist.
    pub const BLOCKLIST_DELETE: &str = "Sns.CallbackBlackListDelete";
}

/// One blocklist change: `from` added `to` to its blocklist, or removed it.
///
/// On the wire: `{"From_Account": "...", "To_Account": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pair {
    /// The account whose blocklist changed (`From_Account`).
    #[serde(rename = "From_Account")]
    pub from: String,
    /// The account added to or removed from that blocklist (`To_Account`).
    #[serde(rename = "To_Account")]
    pub to: String,
}

impl Pair {
    /// The change of `from`'s blocklist concerning `to`.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Pair {
            from: from.into(),
            to: to.into(),
        }
    }
}

/// A decoded callback.
///
/// The two blocklist commands are typed; every other command arrives as
/// [`Unknown`](Event::Unknown) with its body as parsed JSON, so an application can handle
/// callbacks this crate does not know yet.
///
/// ```
/// use im_webhook::{Event, Pair};
///
/// let body = br#"{"CallbackCommand": "Sns.CallbackBlackListAdd",
///                 "PairList": [{"From_Account": "id", "To_Account": "id1"}]}"#;
/// let event = Event::decode("Sns.CallbackBlackListAdd", body)?;
/// assert_eq!(event, Event::BlocklistAdded { pairs: vec![Pair::new("id", "id1")] });
/// # Ok::<(), im_webhook::WebhookError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `Sns.CallbackBlackListAdd`: each pair's `from` added its `to` to its blocklist.
    BlocklistAdded {
        /// The changes, in the order of `PairList`.
        pairs: Vec<Pair>,
    },
    /// `Sns.CallbackBlackListDelete`: each pair's `from` removed its `to` from its blocklist.
    BlocklistRemoved {
        /// The changes, in the order of `PairList`.
        pairs: Vec<Pair>,
    },
    /// Any other command, with the body as received.
    Unknown {
        /// The `CallbackCommand`.
        command: String,
        /// The body, parsed as JSON but otherwise untouched.
        body: Value,
    },
}

/// The body of both blocklist callbacks; unknown fields are ignored.
#[derive(Deserialize)]
struct BlocklistBody {
    #[serde(rename = "CallbackCommand")]
    command: Option<String>,
    #[serde(rename = "PairList")]
    pairs: Vec<Pair>,
}

impl Event {
    /// Decodes the body of a callback whose `CallbackCommand` query parameter is `command`.
    ///
    /// The body must be JSON; for the blocklist commands it must hold a `PairList` of
    /// `From_Account`/`To_Account` objects (other fields are ignored). When the body has a
    /// `CallbackCommand` field, it must equal `command`, or the result is
    /// [`WebhookError::CommandMismatch`].
    pub fn decode(command: &str, body: &[u8]) -> Result<Event, WebhookError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(WebhookError::bad_body(BodyError::message("body is empty")));
        }
        match command {
            command::BLOCKLIST_ADD | command::BLOCKLIST_DELETE => {
                let decoded: BlocklistBody = serde_json::from_slice(body)
                    .map_err(|error| WebhookError::bad_body(BodyError::json(error)))?;
                check_command(command, decoded.command.as_deref())?;
                Ok(if command == command::BLOCKLIST_ADD {
                    Event::BlocklistAdded {
                        pairs: decoded.pairs,
                    }
                } else {
                    Event::BlocklistRemoved {
                        pairs: decoded.pairs,
                    }
                })
            }
            _ => {
                let body: Value = serde_json::from_slice(body)
                    .map_err(|error| WebhookError::bad_body(BodyError::json(error)))?;
                match body.get("CallbackCommand") {
                    None => {}
                    Some(Value::String(in_body)) => check_command(command, Some(in_body))?,
                    Some(_) => {
                        return Err(WebhookError::bad_body(BodyError::message(
                            "CallbackCommand is not a string",
                        )));
                    }
                }
                Ok(Event::Unknown {
                    command: command.to_owned(),
                    body,
                })
            }
        }
    }

    /// The `CallbackCommand` of this event.
    pub fn command(&self) -> &str {
        match self {
            Event::BlocklistAdded { .. } => command::BLOCKLIST_ADD,
            Event::BlocklistRemoved { .. } => command::BLOCKLIST_DELETE,
            Event::Unknown { command, .. } => command,
        }
    }

    /// The blocklist changes, for the two blocklist events; `None` for other commands.
    pub fn pairs(&self) -> Option<&[Pair]> {
        match self {
            Event::BlocklistAdded { pairs } | Event::BlocklistRemoved { pairs } => Some(pairs),
            Event::Unknown { .. } => None,
        }
    }

    /// The body Tencent would send for this event, as JSON.
    ///
    /// Blocklist events give `{"CallbackCommand": ..., "PairList": [...]}`; an unknown event
    /// gives its body unchanged.
    pub fn to_json(&self) -> Value {
        match self {
            Event::BlocklistAdded { pairs } | Event::BlocklistRemoved { pairs } => {
                let pairs = pairs
                    .iter()
                    .map(|pair| {
                        let mut object = Map::new();
                        object.insert("From_Account".to_owned(), Value::from(pair.from.as_str()));
                        object.insert("To_Account".to_owned(), Value::from(pair.to.as_str()));
                        Value::Object(object)
                    })
                    .collect();
                let mut object = Map::new();
                object.insert("CallbackCommand".to_owned(), Value::from(self.command()));
                object.insert("PairList".to_owned(), Value::Array(pairs));
                Value::Object(object)
            }
            Event::Unknown { body, .. } => body.clone(),
        }
    }

    /// [`to_json`](Self::to_json), serialized: the request body of a callback.
    pub fn to_body(&self) -> Bytes {
        Bytes::from(self.to_json().to_string())
    }
}

/// Checks the body's `CallbackCommand`, when it has one, against the query's.
fn check_command(query: &str, body: Option<&str>) -> Result<(), WebhookError> {
    match body {
        Some(body) if body != query => Err(WebhookError::command_mismatch(query, body)),
        _ => Ok(()),
    }
}
