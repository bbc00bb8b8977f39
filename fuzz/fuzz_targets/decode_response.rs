//! Arbitrary bytes into the response decoders of `im-protocol`.
//!
//! Decoding must never panic, hang or allocate without bound, whatever the bytes. A body
//! that decodes must also survive a round trip: encoded again as a successful response,
//! it decodes to the same value.

#![no_main]

use std::fmt::Debug;

use im_protocol::{
    CheckBlocklistResponse, Envelope, GetBlocklistResponse, UpdateBlocklistResponse,
    decode_envelope, decode_response, encode_json,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fuzz_target!(|data: &[u8]| {
    exercise::<UpdateBlocklistResponse>(data);
    exercise::<GetBlocklistResponse>(data);
    exercise::<CheckBlocklistResponse>(data);
});

/// Decodes `data` as a response with body `T` both ways and checks what decodes.
fn exercise<T>(data: &[u8])
where
    T: DeserializeOwned + Serialize + Clone + Debug + PartialEq,
{
    let response = decode_response::<T>(data);
    let envelope = decode_envelope::<T>(data);
    match (&response, &envelope) {
        (Ok(body), Ok(envelope)) => {
            assert_eq!(envelope.body.as_ref(), Some(body));
            round_trip(body);
        }
        (Err(error), Ok(envelope)) => {
            // A failed status is an API error, with no body read.
            assert!(error.as_api_error().is_some(), "{error:?}");
            assert!(envelope.body.is_none());
            let _ = error.code().map(|code| (code.retry_class(), code.name()));
        }
        (Ok(_), Err(error)) => {
            panic!("decode_response accepted what decode_envelope refused: {error:?}")
        }
        (Err(_), Err(_)) => {}
    }
    if let Err(error) = &response {
        // Display and Debug of any error must work.
        let _ = error.to_string();
        let _ = format!("{error:?}");
    }
}

/// Encodes `body` as a successful response and checks that it decodes to the same value.
fn round_trip<T>(body: &T)
where
    T: DeserializeOwned + Serialize + Clone + Debug + PartialEq,
{
    let bytes = encode_json(&Envelope::ok(body.clone())).expect("the crate's types always encode");
    let again = decode_response::<T>(&bytes).expect("an encoded response decodes");
    assert_eq!(&again, body);
}
