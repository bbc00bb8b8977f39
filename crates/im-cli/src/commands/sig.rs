//! `imctl sig gen|verify`.

use serde::Serialize;

use crate::cli::{Global, SigCommand};
use crate::{Failure, Status, config};

#[derive(Serialize)]
struct DecodedJson<'a> {
    valid: bool,
    identifier: &'a str,
    sdkappid: u64,
    time: u64,
    expire: u64,
    expires_at: u64,
}

pub(crate) fn run(global: &Global, command: SigCommand) -> Result<Status, Failure> {
    let signer = config::signer(global)?;
    match command {
        SigCommand::Gen { identifier, expire } => {
            tencent_im::protocol::validate_user_id(&identifier)
                .map_err(|error| Failure::new(format!("invalid --identifier: {error}")))?;
            let sig = signer.sig_for(&identifier, expire);
            // The one place a UserSig is printed: the user asked for it.
            println!("{}", sig.expose_secret());
            Ok(Status::Done)
        }
        SigCommand::Verify { identifier, sig } => {
            let document = signer
                .verify(sig.trim(), &identifier)
                .map_err(|error| Failure::new(format!("invalid UserSig: {error}")))?;
            if global.json {
                crate::output::print_json(&DecodedJson {
                    valid: true,
                    identifier: &document.identifier,
                    sdkappid: document.sdkappid,
                    time: document.time,
                    expire: document.expire,
                    expires_at: document.expires_at(),
                })?;
            } else {
                println!(
                    "valid: {} for app {}, issued at {}, expires at {}",
                    document.identifier,
                    document.sdkappid,
                    document.time,
                    document.expires_at()
                );
            }
            Ok(Status::Done)
        }
    }
}
