//! Request URLs and keeping the UserSig out of logs.

use im_protocol::{Api, QueryParams, RequestUrl, redact_usersig, request_url};

const SIG: &str = "eJwtzFELgjAUBeD3-SuXe45o*sxdeUn1Ul_";

fn params(identifier: &str, random: u32) -> QueryParams<'_> {
    QueryParams {
        sdkappid: 1_400_000_000,
        identifier,
        usersig: SIG,
        random,
    }
}

#[test]
fn url_has_the_documented_shape_and_order() {
    let url = request_url(
        "https://console.tim.qq.com",
        Api::BlackListGet,
        &params("admin", 99_999_999),
    );
    assert_eq!(
        url.as_str(),
        format!(
            "https://console.tim.qq.com/v4/sns/black_list_get?sdkappid=1400000000&identifier=admin\
             &usersig={SIG}&random=99999999&contenttype=json"
        )
    );
}

#[test]
fn every_api_lands_on_its_path() {
    for api in Api::ALL {
        let url = request_url("https://h/", *api, &params("admin", 1));
        let expected = format!("https://h/{}?sdkappid=", api.path());
        assert!(url.as_str().starts_with(&expected), "{}", url.redacted());
    }
}

#[test]
fn random_covers_the_whole_u32_range() {
    let low = request_url("https://h", Api::BlackListAdd, &params("admin", 0));
    assert!(low.as_str().ends_with("&random=0&contenttype=json"));
    let high = request_url("https://h", Api::BlackListAdd, &params("admin", u32::MAX));
    assert!(
        high.as_str()
            .ends_with("&random=4294967295&contenttype=json")
    );
}

#[test]
fn identifiers_are_percent_encoded() {
    let url = request_url("https://h", Api::BlackListAdd, &params("ad min&x=1/é~", 7));
    assert!(
        url.as_str()
            .contains("&identifier=ad%20min%26x%3D1%2F%C3%A9~&usersig="),
        "{}",
        url.redacted()
    );
    // Only one `identifier`, one `usersig` and no stray `x` parameter survive.
    let query = url.as_str().split_once('?').unwrap().1;
    let names: Vec<_> = query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap().0)
        .collect();
    assert_eq!(
        names,
        ["sdkappid", "identifier", "usersig", "random", "contenttype"]
    );
}

#[test]
fn usersig_alphabet_is_sent_raw() {
    // UserSigs use `A-Z a-z 0-9 * - _`; none of them is escaped.
    let url = request_url("https://h", Api::BlackListAdd, &params("admin", 1));
    assert!(url.as_str().contains(&format!("&usersig={SIG}&")));
}

#[test]
fn debug_output_hides_the_usersig() {
    let url = request_url("https://h", Api::BlackListCheck, &params("admin", 1));
    let debug = format!("{url:?}");
    assert!(!debug.contains(SIG), "{debug}");
    assert!(debug.contains("usersig=<redacted>"));
    assert_eq!(
        url.redacted(),
        "https://h/v4/sns/black_list_check?sdkappid=1400000000&identifier=admin\
         &usersig=<redacted>&random=1&contenttype=json"
    );
    let params_debug = format!("{:?}", params("admin", 1));
    assert!(!params_debug.contains(SIG), "{params_debug}");
    assert!(params_debug.contains("admin"));
}

#[test]
fn redaction_of_a_plain_string_keeps_other_parameters() {
    let url: RequestUrl = request_url("https://h", Api::BlackListAdd, &params("admin", 5));
    let plain = url.clone().into_string();
    assert_eq!(redact_usersig(&plain), url.redacted());
    assert!(redact_usersig(&plain).contains("&random=5&"));
}
