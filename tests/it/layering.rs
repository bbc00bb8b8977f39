//! The leaf crates work together without the upper layers.

use im_protocol::{Api, ErrorCode};
use im_sig::{Expected, SecretKey, SigParams};

/// A UserSig made by `im-sig` for the admin is accepted by its own verifier at the
/// moment it is used, the way the service checks the `usersig` query parameter.
#[test]
fn admin_sig_for_a_blocklist_call_verifies() {
    let key = SecretKey::from("5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e");
    let now = 1_700_000_000;
    let sig = im_sig::generate(
        &key,
        &SigParams::new(1_400_000_000, "administrator", 86_400),
        now,
    );
    let document = im_sig::verify(
        sig.expose_secret(),
        &key,
        &Expected::new(1_400_000_000, "administrator"),
        now + 60,
    )
    .expect("a fresh admin sig verifies");
    assert_eq!(document.identifier, "administrator");
    assert_eq!(Api::BlackListAdd.max_accounts(), 1000);
    assert_eq!(ErrorCode(70001).name(), Some("SIG_EXPIRED"));
}
