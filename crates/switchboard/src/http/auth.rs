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

/// The client's address: the TCP peer of the connection (axum's `ConnectInfo`, which
/// `app::start` serves with). No proxy header (X-Forwarded-For, Forwarded) is believed: there
/// is no setting naming a proxy to trust, and anyone can send one.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        // Served without connection info (a router called directly), every client is one
        // client: limits keyed by it then hold for all of them together, never for nobody.
        Ok(ClientAddr(
            peer.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        ))
    }
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
