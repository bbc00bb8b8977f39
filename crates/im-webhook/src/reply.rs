//! The answer to a callback.

use bytes::Bytes;
use im_protocol::ActionStatus;
use serde::{Deserialize, Serialize};

/// The JSON answer to a callback, sent with HTTP 200.
///
/// Tencent ignores the outcome of these after-event callbacks, but counts a non-200 status
/// or a body that is not JSON as a failed delivery.
///
/// ```
/// use im_webhook::Reply;
///
/// assert_eq!(Reply::ok().to_body(), r#"{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}"#);
/// assert_eq!(
///     Reply::fail("database down").to_body(),
///     r#"{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"database down"}"#,
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// `ActionStatus`.
    #[serde(rename = "ActionStatus")]
    pub action_status: ActionStatus,
    /// `ErrorCode`: 0 when processed, 1 when the application failed.
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
    /// `ErrorInfo`: empty on success, a description otherwise.
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
}

impl Reply {
    /// `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`: the callback was processed.
    pub fn ok() -> Self {
        Reply {
            action_status: ActionStatus::Ok,
            error_code: 0,
            error_info: String::new(),
        }
    }

    /// `{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":info}`: the application failed.
    pub fn fail(info: impl Into<String>) -> Self {
        Reply {
            action_status: ActionStatus::Fail,
            error_code: 1,
            error_info: info.into(),
        }
    }

    /// Whether this reply reports success.
    pub fn is_ok(&self) -> bool {
        self.action_status == ActionStatus::Ok && self.error_code == 0
    }

    /// The reply as a JSON body.
    pub fn to_body(&self) -> Bytes {
        let status = self.action_status.as_str();
        // Built by hand: serializing these three fields cannot fail, and this avoids a
        // fallible call on the response path.
        let info = serde_json::Value::from(self.error_info.as_str());
        Bytes::from(format!(
            r#"{{"ActionStatus":"{status}","ErrorCode":{},"ErrorInfo":{info}}}"#,
            self.error_code
        ))
    }
}

impl Default for Reply {
    fn default() -> Self {
        Reply::ok()
    }
}
