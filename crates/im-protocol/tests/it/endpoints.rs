//! Regions, their hosts, and custom base URLs.

use im_protocol::{Endpoint, Error, Region};

#[test]
fn region_hosts_match_the_docs() {
    let table = [
        (
            Region::China,
            "console.tim.qq.com",
            "adminapi.my-imcloud.com",
        ),
        (
            Region::Singapore,
            "adminapisgp.im.qcloud.com",
            "adminapisgp.my-imcloud.com",
        ),
        (
            Region::Seoul,
            "adminapikr.im.qcloud.com",
            "adminapikr.my-imcloud.com",
        ),
        (
            Region::Tokyo,
            "adminapijpn.im.qcloud.com",
            "adminapijpn.my-imcloud.com",
        ),
        (
            Region::Frankfurt,
            "adminapiger.im.qcloud.com",
            "adminapiger.my-imcloud.com",
        ),
        (
            Region::SiliconValley,
            "adminapiusa.im.qcloud.com",
            "adminapiusa.my-imcloud.com",
        ),
        (
            Region::Jakarta,
            "adminapiidn.im.qcloud.com",
            "adminapiidn.my-imcloud.com",
        ),
    ];
    assert_eq!(Region::ALL.len(), table.len());
    for ((region, primary, backup), listed) in table.into_iter().zip(Region::ALL) {
        assert_eq!(region, *listed);
        assert_eq!(region.primary_host(), primary);
        assert_eq!(region.backup_host(), backup);
        assert_eq!(
            Endpoint::from(region).base_urls(),
            (
                format!("https://{primary}"),
                Some(format!("https://{backup}"))
            )
        );
    }
}

#[test]
fn region_names_parse_in_common_spellings() {
    for region in Region::ALL {
        assert_eq!(region.to_string().parse::<Region>().unwrap(), *region);
        assert_eq!(
            region.name().to_uppercase().parse::<Region>().unwrap(),
            *region
        );
    }
    for text in [
        "silicon-valley",
        "silicon_valley",
        "SiliconValley",
        "Silicon Valley",
        " siliconvalley ",
    ] {
        assert_eq!(
            text.parse::<Region>().unwrap(),
            Region::SiliconValley,
            "{text}"
        );
    }
    assert_eq!("Singapore".parse::<Region>().unwrap(), Region::Singapore);
}

#[test]
fn unknown_region_names_are_rejected_with_a_short_message() {
    for text in ["", "mumbai", "sgp", "us-west", "chinaa"] {
        let error = text.parse::<Region>().unwrap_err();
        assert!(matches!(error, Error::UnknownRegion { .. }), "{text}");
    }
    let long = "z".repeat(1_000);
    let message = long.parse::<Region>().unwrap_err().to_string();
    assert!(message.len() < 200, "{message}");
    assert!(message.starts_with("unknown region"));
}

#[test]
fn custom_https_endpoints_are_normalised() {
    let cases = [
        ("https://proxy.example.com", "https://proxy.example.com"),
        ("https://proxy.example.com/", "https://proxy.example.com"),
        (
            "HTTPS://Proxy.Example.com:8443/tim/",
            "https://proxy.example.com:8443/tim",
        ),
        ("https://10.0.0.1:443/a/b", "https://10.0.0.1:443/a/b"),
        ("https://[::1]:8443", "https://[::1]:8443"),
        ("https://[2001:db8::1]/x%20y", "https://[2001:db8::1]/x%20y"),
    ];
    for (input, base) in cases {
        let endpoint = Endpoint::custom(input).unwrap();
        assert_eq!(endpoint.base_urls(), (base.to_owned(), None), "{input}");
        assert_eq!(endpoint.as_region(), None);
        assert!(!endpoint.is_plain_http());
        assert_eq!(endpoint.to_string(), base);
    }
}

#[test]
fn plain_http_needs_to_be_asked_for() {
    let error = Endpoint::custom("http://127.0.0.1:8080").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid endpoint URL: plain http is not allowed"
    );
    let endpoint = Endpoint::custom_insecure_http("http://127.0.0.1:8080").unwrap();
    assert!(endpoint.is_plain_http());
    assert_eq!(endpoint.base_urls().0, "http://127.0.0.1:8080");
    let https = Endpoint::custom_insecure_http("https://localhost").unwrap();
    assert!(!https.is_plain_http());
    assert!("http://127.0.0.1:8080".parse::<Endpoint>().is_err());
}

#[test]
fn malformed_base_urls_are_rejected() {
    for input in [
        "",
        "localhost:8080",
        "https://",
        "https:///path",
        "ftp://host",
        "https//host",
        "https://user:password@host",
        "https://host?query=1",
        "https://host/path#fragment",
        "https://host:",
        "https://host:0",
        "https://host:65536",
        "https://host:+80",
        "https://host:80:81",
        "https://ho st",
        "https://hôst",
        "https://[::1",
        "https://[]",
        "https://[zz::1]",
        "https://[::1]x",
        "https://host/pa th",
        "https://host/%zz",
        "https://host/%4",
    ] {
        let error = Endpoint::custom_insecure_http(input).unwrap_err();
        assert!(matches!(error, Error::InvalidEndpoint { .. }), "{input:?}");
    }
    let too_long = format!("https://host/{}", "a".repeat(5_000));
    assert!(Endpoint::custom(&too_long).is_err());
}

#[test]
fn endpoint_errors_do_not_repeat_the_url() {
    let error = Endpoint::custom("https://user:hunter2@host").unwrap_err();
    assert!(!error.to_string().contains("hunter2"));
    assert!(!format!("{error:?}").contains("hunter2"));
}

#[test]
fn endpoints_parse_from_region_names_or_urls() {
    assert_eq!(
        "tokyo".parse::<Endpoint>().unwrap(),
        Endpoint::region(Region::Tokyo)
    );
    assert_eq!(
        "tokyo".parse::<Endpoint>().unwrap().as_region(),
        Some(Region::Tokyo)
    );
    assert_eq!(
        "https://proxy.example.com".parse::<Endpoint>().unwrap(),
        Endpoint::custom("https://proxy.example.com").unwrap()
    );
    assert_eq!(Endpoint::region(Region::Seoul).to_string(), "seoul");
}
