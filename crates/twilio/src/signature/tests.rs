use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn public_vector_params() -> Vec<(String, String)> {
    pairs(&[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ])
}

const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const EXPECTED: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

#[test]
fn sign_matches_twilio_public_vector() {
    assert_eq!(sign("12345", URL, &public_vector_params()), EXPECTED);
}

#[test]
fn sign_does_not_depend_on_parameter_order() {
    let mut params = public_vector_params();
    params.reverse();
    assert_eq!(sign("12345", URL, &params), EXPECTED);
}

#[test]
fn signing_input_sorts_repeated_names_by_value_and_drops_duplicates() {
    let params = pairs(&[("b", "2"), ("a", "z"), ("a", "y"), ("a", "z")]);
    assert_eq!(signing_input("u", &params), "uayazb2");
}

#[test]
fn signing_input_sorts_names_by_byte_order() {
    let params = pairs(&[("a", "1"), ("B", "2"), ("_", "3")]);
    assert_eq!(signing_input("", &params), "B2_3a1");
}

#[test]
fn validate_accepts_public_vector() {
    assert!(validate("12345", URL, &public_vector_params(), EXPECTED));
}

#[test]
fn validate_rejects_wrong_token() {
    assert!(!validate("54321", URL, &public_vector_params(), EXPECTED));
}

#[test]
fn validate_rejects_tampered_parameter() {
    let mut params = public_vector_params();
    params[2].1 = "9999".into();
    assert!(!validate("12345", URL, &params, EXPECTED));
}

#[test]
fn validate_rejects_empty_signature() {
    assert!(!validate("12345", URL, &public_vector_params(), ""));
}

#[test]
fn validate_accepts_url_with_default_port_added() {
    let signed_with_port = sign(
        "12345",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        &public_vector_params(),
    );
    assert!(validate(
        "12345",
        URL,
        &public_vector_params(),
        &signed_with_port
    ));
}

#[test]
fn validate_accepts_url_with_port_removed() {
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert!(validate(
        "12345",
        with_port,
        &public_vector_params(),
        EXPECTED
    ));
}

#[test]
fn validate_accepts_sha256_variant() {
    let signature = sign_sha256("12345", URL, &public_vector_params());
    assert_ne!(signature, EXPECTED);
    assert!(validate("12345", URL, &public_vector_params(), &signature));
}

#[test]
fn url_variants_add_port_80_for_http() {
    assert_eq!(
        url_variants("http://example.com/a?b=c"),
        vec!["http://example.com/a?b=c", "http://example.com:80/a?b=c"]
    );
}

#[test]
fn url_variants_add_port_443_for_https_without_path() {
    assert_eq!(
        url_variants("https://example.com"),
        vec!["https://example.com", "https://example.com:443"]
    );
}

#[test]
fn url_variants_remove_any_explicit_port() {
    assert_eq!(
        url_variants("http://user:pw@example.com:8080/x"),
        vec![
            "http://user:pw@example.com:8080/x",
            "http://user:pw@example.com/x"
        ]
    );
}

#[test]
fn url_variants_keep_ipv6_literal_intact() {
    assert_eq!(
        url_variants("http://[::1]/hook"),
        vec!["http://[::1]/hook", "http://[::1]:80/hook"]
    );
    assert_eq!(
        url_variants("http://[::1]:3000/hook"),
        vec!["http://[::1]:3000/hook", "http://[::1]/hook"]
    );
}

#[test]
fn url_variants_leave_relative_url_alone() {
    assert_eq!(url_variants("/hook"), vec!["/hook"]);
}

#[test]
fn body_sha256_is_lowercase_hex() {
    assert_eq!(
        body_sha256(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn validate_json_accepts_matching_body_and_url_signature() {
    let body = br#"{"property": "value", "boolean": true}"#;
    let url = format!("https://example.com/hook?bodySHA256={}", body_sha256(body));
    let signature = sign("token", &url, &[]);
    assert!(validate_json("token", &url, body, &signature));
}

#[test]
fn validate_json_rejects_changed_body() {
    let body = b"{}";
    let url = format!("https://example.com/hook?bodySHA256={}", body_sha256(body));
    let signature = sign("token", &url, &[]);
    assert!(!validate_json("token", &url, b"{ }", &signature));
}

#[test]
fn validate_json_rejects_url_without_body_hash() {
    let url = "https://example.com/hook";
    let signature = sign("token", url, &[]);
    assert!(!validate_json("token", url, b"{}", &signature));
}

#[test]
fn validate_json_rejects_bad_signature() {
    let body = b"{}";
    let url = format!("https://example.com/hook?bodySHA256={}", body_sha256(body));
    assert!(!validate_json("token", &url, body, "bm9wZQ=="));
}
