//! Who is calling: an API client with a Bearer token, or a person signed in to the dashboard;
//! and from which address.
//!
//! Both resolve to one organisation and a role; every store call then filters by that
//! organisation, so another organisation's ids answer 404.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::error::AppError;
use crate::accounts::rules::Actor;
use crate::accounts::store::{self, Session};
use crate::accounts::{OrgId, Role};
use crate::services::Services;

pub const SESSION_COOKIE: &str = "sb_session";

/// An API client authenticated by `Authorization: Bearer sbt_...`.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub org: OrgId,
    pub role: Role,
    pub token_id: i64,
}

impl ApiCaller {
    /// The token, as the authorisation rules see it: a role, acting for no one person.
    pub fn actor(&self) -> Actor {
        Actor {
            role: self.role,
            person: None,
        }
    }

    /// Refuses the request unless the token's role allows `needed`.
    pub fn require(&self, needed: Role) -> Result<(), AppError> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(AppError::Forbidden("this token's role does not allow that"))
        }
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl<S> FromRequestParts<S> for ApiCaller
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = Services::from_ref(state);
        let token = bearer(&parts.headers)
            .ok_or(AppError::Unauthorized("send Authorization: Bearer <token>"))?;
        match store::authenticate_token(&state.db, token, state.clock.now_ms()).await? {
            Some((org, role, token_id)) => Ok(ApiCaller {
                org,
                role,
                token_id,
            }),
            None => Err(AppError::Unauthorized("the token is unknown or revoked")),
        }
    }
}

/// The client's address, for limits counted per client: the TCP peer (the `ConnectInfo`
/// `app::start` serves with), or, when the peer is a reverse proxy named in
/// `SWITCHBOARD_TRUSTED_PROXIES`, the address its `X-Forwarded-For` names. Nobody else's
/// forwarding header is believed: anyone can send one.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            // Served without connection info (a router called directly), every client is one
            // client: limits keyed by it then hold for all of them together, never for nobody.
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let trusted = &Services::from_ref(state).config.trusted_proxies;
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Ok(ClientAddr(client_of(peer, forwarded, trusted)))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the last
/// address of `X-Forwarded-For` that is not a trusted proxy (each proxy appends the address
/// it heard from, so the addresses before it are the client's word, not a proxy's).
pub fn client_of<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpAddr],
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(addr) if trusted.contains(&addr) => continue,
            Ok(addr) => return addr,
            // A hop we cannot read: stop believing the list there.
            Err(_) => return peer,
        }
    }
    peer
}

/// Reads a cookie by name from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in dashboard user. Handlers that change something also check the CSRF token.
#[derive(Clone, Debug)]
pub struct SessionUser(pub Session);

impl<S> FromRequestParts<S> for SessionUser
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = Services::from_ref(state);
        let secret = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or(AppError::Unauthorized("sign in first"))?;
        match store::find_session(&state.db, secret, state.clock.now_ms()).await? {
            Some(session) => Ok(SessionUser(session)),
            None => Err(AppError::Unauthorized(
                "the session has expired; sign in again",
            )),
        }
    }
}

impl SessionUser {
    pub fn require(&self, needed: Role) -> Result<(), AppError> {
        if self.0.role.allows(needed) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role does not allow that"))
        }
    }

    /// Checks the synchronizer token a form sent back (constant time).
    pub fn check_csrf(&self, sent: &str) -> Result<(), AppError> {
        use subtle::ConstantTimeEq as _;
        if bool::from(sent.as_bytes().ct_eq(self.0.csrf_token.as_bytes())) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "the form is stale or was not sent by this site; reload the page",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::client_of;
    use std::net::IpAddr;

    #[test]
    fn only_a_trusted_proxys_forwarded_for_is_believed_from_the_right() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.1"), ip("10.0.0.2")];
        let cases: [(&str, &[&str], &[IpAddr], &str); 6] = [
            // No proxy trusted: the peer, whatever the header says.
            ("10.0.0.1", &["203.0.113.5"], &[], "10.0.0.1"),
            // The proxy's header names the client.
            ("10.0.0.1", &["203.0.113.5"], &proxy, "203.0.113.5"),
            // A client's own forged entry comes before the proxy's: the last untrusted wins.
            ("10.0.0.1", &["1.2.3.4, 203.0.113.5"], &proxy, "203.0.113.5"),
            // Two proxies in a chain; headers split across lines.
            (
                "10.0.0.1",
                &["203.0.113.5", "10.0.0.2"],
                &proxy,
                "203.0.113.5",
            ),
            // Unreadable or missing: the peer.
            ("10.0.0.1", &["not-an-address"], &proxy, "10.0.0.1"),
            ("10.0.0.1", &[], &proxy, "10.0.0.1"),
        ];
        for (peer, header, trusted, want) in cases {
            assert_eq!(
                client_of(ip(peer), header.iter().copied(), trusted),
                ip(want),
                "{peer} {header:?}"
            );
        }
    }
}
