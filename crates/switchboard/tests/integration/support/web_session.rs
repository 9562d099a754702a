//! A dashboard user over plain HTTP: signs in with a password, keeps the session cookie, and
//! posts forms with the page's CSRF token.

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
        let marker = r#"name="_csrf" value=""#;
        let start = self.html.find(marker).expect("the page has a CSRF field") + marker.len();
        let len = self.html[start..].find('"').expect("closing quote");
        self.html[start..start + len].to_string()
    }
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
        let r = app
            .http
            .post(app.url("/login"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "signing in as {email}");
        let cookie = r.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_string();
        WebSession { app, cookie }
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

    /// Posts `fields` with extra request headers (e.g. `HX-Request`).
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
