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

/// The two leaves hide the UserSig of a request URL the same way: `im-protocol` on the URL
/// it builds, `im-transport` on the `http::Uri` a transport receives. They share no code
/// (neither leaf depends on the other), so this keeps them equal.
#[test]
fn protocol_and_transport_redact_a_request_url_alike() {
    use im_protocol::{QueryParams, request_url};
    use tencent_im::transport::redact_uri;

    for (base, identifier, usersig) in [
        ("https://console.tim.qq.com", "administrator", "eJw*sig-_"),
        (
            "http://127.0.0.1:8080/",
            "admin user",
            "eJyrVspMSVWyMjQw0lFKrSjILEpVsjI0NDMxNAAA",
        ),
        ("https://adminapisgp.im.qcloud.com", "管理员", ""),
    ] {
        let params = QueryParams {
            sdkappid: 1_400_000_000,
            identifier,
            usersig,
            random: 42,
        };
        let url = request_url(base, Api::BlackListAdd, &params);
        let uri: http::Uri = url.as_str().parse().expect("a valid URI");
        assert_eq!(redact_uri(&uri), url.redacted(), "{base}");
        assert!(usersig.is_empty() || !redact_uri(&uri).contains(usersig));
    }
}
