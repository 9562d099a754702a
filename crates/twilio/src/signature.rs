//! Webhook signatures: the `X-Twilio-Signature` header Twilio puts on every request it sends.
//!
//! Twilio signs the full URL it requested, followed by every POST parameter sorted by name (byte
//! order), name then value, with the values of a repeated name de-duplicated and sorted. The key is
//! the account's auth token; the digest is HMAC-SHA1 (HMAC-SHA256 for the newer variant), base64.
//! Requests with a JSON body instead carry a `bodySHA256` query parameter and only the URL is signed.
//!
//! Validators compare in constant time and, because Twilio is not consistent about ports, try the
//! URL as given, with the scheme's default port added and with the port removed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The header Twilio puts the signature in.
pub const HEADER: &str = "X-Twilio-Signature";

/// The header naming the algorithm when a webhook is signed with a shared key
/// (`key=...,algorithm=HMAC_SHA256`); [`validate`] accepts either algorithm regardless.
pub const SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";

/// The text that is signed: the URL, then each parameter name and value in canonical order.
pub fn signing_input(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    // Tuples sort by name first, then by value: exactly Twilio's order. `dedup` then drops
    // repeated name/value pairs, as Twilio's reference validators do.
    sorted.sort_unstable();
    sorted.dedup();
    let mut input = String::with_capacity(url.len() + params.len() * 24);
    input.push_str(url);
    for (name, value) in sorted {
        input.push_str(name);
        input.push_str(value);
    }
    input
}

/// The HMAC-SHA1 signature (base64) Twilio would send for this URL and these POST parameters.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    sign_input::<Hmac<Sha1>>(auth_token, &signing_input(url, params))
}

/// The HMAC-SHA256 signature (base64), Twilio's newer variant of [`sign`].
pub fn sign_sha256(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    sign_input::<Hmac<Sha256>>(auth_token, &signing_input(url, params))
}

fn sign_input<M: Mac + hmac::digest::KeyInit>(auth_token: &str, input: &str) -> String {
    let mut mac =
        <M as Mac>::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(input.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Whether `signature` is a valid SHA1 or SHA256 signature of this form-encoded request.
///
/// Tries the URL as given, with the default port added and with the port removed, and stops
/// at the first that matches, as Twilio's own validators do: each comparison is constant-time,
/// and which variant matched tells a sender nothing it did not choose itself. SHA1, which
/// Twilio uses unless told otherwise, is tried first.
pub fn validate(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    url_variants(url).iter().any(|candidate| {
        let input = signing_input(candidate, params);
        ct_eq(&sign_input::<Hmac<Sha1>>(auth_token, &input), signature)
            || ct_eq(&sign_input::<Hmac<Sha256>>(auth_token, &input), signature)
    })
}

/// Lowercase hex SHA-256 of a request body, as Twilio puts in the `bodySHA256` query parameter.
pub fn body_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Whether a request with a JSON (non-form) body is authentic: the URL's `bodySHA256` query
/// parameter must be the hex SHA-256 of `body`, and `signature` must sign the URL alone.
pub fn validate_json(auth_token: &str, url: &str, body: &[u8], signature: &str) -> bool {
    let Some(claimed) = query_param(url, "bodySHA256") else {
        return false;
    };
    let body_ok = ct_eq(&body_sha256(body), &claimed.to_ascii_lowercase());
    let signature_ok = validate(auth_token, url, &[], signature);
    body_ok & signature_ok
}

/// The URL as given, with the scheme's default port added, and with the port removed.
pub fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some(authority) = Authority::find(url) else {
        return variants;
    };
    let (host_end, port) = authority.port(url);
    match port {
        Some(_) => {
            let mut without = String::with_capacity(url.len());
            without.push_str(&url[..host_end]);
            without.push_str(&url[authority.end..]);
            variants.push(without);
        }
        None => {
            let default = if url[..authority.start].eq_ignore_ascii_case("https://") {
                ":443"
            } else {
                ":80"
            };
            let mut with = String::with_capacity(url.len() + 4);
            with.push_str(&url[..authority.end]);
            with.push_str(default);
            with.push_str(&url[authority.end..]);
            variants.push(with);
        }
    }
    variants
}

/// Byte range of the `host[:port]` part of a URL (after any `user:pass@`).
struct Authority {
    start: usize,
    end: usize,
}

impl Authority {
    fn find(url: &str) -> Option<Self> {
        let scheme_end = url.find("://")? + 3;
        let rest = &url[scheme_end..];
        let len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..len];
        let userinfo = authority.rfind('@').map_or(0, |at| at + 1);
        Some(Self {
            start: scheme_end + userinfo,
            end: scheme_end + len,
        })
    }

    /// Where the host ends, and the port if one is written.
    fn port<'u>(&self, url: &'u str) -> (usize, Option<&'u str>) {
        let host_port = &url[self.start..self.end];
        // An IPv6 literal holds colons of its own: only look after its closing bracket.
        let search_from = host_port.rfind(']').map_or(0, |b| b + 1);
        match host_port[search_from..].rfind(':') {
            Some(colon) => {
                let colon = search_from + colon;
                (self.start + colon, Some(&host_port[colon + 1..]))
            }
            None => (self.end, None),
        }
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests;
