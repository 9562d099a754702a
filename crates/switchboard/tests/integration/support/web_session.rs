//! A dashboard user over plain HTTP, behaving as a browser does: signs in through the login
//! form (its CSRF token and cookie), keeps the session cookie, and posts forms with the page's
//! CSRF token and the site's `Origin`.

use reqwest::StatusCode;
use switchboard::accounts::{self, NewPerson, Role};

use super::TestApp;

/// The owner `TestApp` bootstraps.
pub const OWNER_EMAIL: &str = "admin@localhost";
pub const OWNER_PASSWORD: &str = "correct-horse-battery";

/// A page as the server answered it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
}

impl Page {
    /// The value of the first `_csrf` hidden input on the page.
    pub fn csrf(&self) -> String {
        csrf_field(&self.html).expect("the page has a CSRF field")
    }
}

/// The value of the first `_csrf` hidden input in `html`.
pub fn csrf_field(html: &str) -> Option<String> {
    let marker = r#"name="_csrf" value=""#;
    let start = html.find(marker)? + marker.len();
    let len = html[start..].find('"').expect("closing quote");
    Some(html[start..start + len].to_string())
}

/// The `name=value` part of each `Set-Cookie` of a response, joined for a `Cookie` header.
pub fn cookies_of(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One sign-in as a browser makes it: loads `/login` (its form's CSRF token and cookie), then
/// posts the form from the site's origin. `client` decides the client address.
pub async fn sign_in_attempt(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let form = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("GET /login");
    let cookie = cookies_of(&form);
    let html = form.text().await.expect("the login page");
    let csrf = csrf_field(&html).expect("the login form has a _csrf field");
    client
        .post(app.url("/login"))
        .header("origin", &app.base_url)
        .header("cookie", cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /login")
}

/// A client like `app.http` whose requests come from `address` (any of 127/8 reaches the
/// server on Linux), to play a second visitor.
pub fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct WebSession<'a> {
    app: &'a TestApp,
    cookie: String,
}

impl<'a> WebSession<'a> {
    /// Signs in as the owner.
    pub async fn owner(app: &'a TestApp) -> WebSession<'a> {
        Self::sign_in(app, OWNER_EMAIL, OWNER_PASSWORD).await
    }

    /// Creates a person with `role` and a password in the default organisation and signs in.
    pub async fn with_role(app: &'a TestApp, role: Role) -> WebSession<'a> {
        let email = format!("{}@example.org", role.as_str());
        let hash = accounts::secrets::hash_password("a-long-password").unwrap();
        let new = NewPerson {
            name: format!("A {role}"),
            email: Some(email.clone()),
            phone: None,
            role,
            available: true,
            active: true,
        };
        accounts::store::create_person(&app.state.db, app.org, &new, Some(&hash), 0)
            .await
            .unwrap();
        Self::sign_in(app, &email, "a-long-password").await
    }

    pub async fn sign_in(app: &'a TestApp, email: &str, password: &str) -> WebSession<'a> {
        let r = sign_in_attempt(app, &app.http, email, password).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "signing in as {email}");
        let cookie = cookies_of(&r)
            .split("; ")
            .find(|c| c.starts_with("sb_session="))
            .expect("a session cookie")
            .to_string();
        WebSession { app, cookie }
    }

    /// The session cookie (`sb_session=...`), for requests made by hand.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .app
            .http
            .get(self.app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("GET");
        page(r).await
    }

    /// Posts `fields` as a form, exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts `fields` from the site's origin, as a browser does, with extra request headers
    /// (e.g. `HX-Request`; an `Origin` given here replaces the site's).
    pub async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .app
            .http
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .form(fields);
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("origin"))
        {
            request = request.header("origin", &self.app.base_url);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        page(request.send().await.expect("POST")).await
    }

    /// Posts `fields` with the CSRF token of the page at `form_page`, as a browser would.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &all).await
    }
}

async fn page(r: reqwest::Response) -> Page {
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let html = r.text().await.unwrap_or_default();
    Page {
        status,
        location,
        html,
    }
}
