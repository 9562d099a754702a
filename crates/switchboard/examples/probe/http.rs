//! HTTP as the probes speak it: answers read whole, clients bound to a chosen loopback
//! address (so the server sees several client addresses), API tokens, dashboard sessions
//! (cookie and CSRF token, as a browser sends them), and requests signed as Twilio signs them.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder};
use serde_json::Value;

/// A response, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The message of an error: the JSON error's, or the dashboard's alert.
    pub fn error_message(&self) -> String {
        if let Some(m) = self.json()["error"]["message"].as_str() {
            return m.to_string();
        }
        between(&self.body, "role=\"alert\"", "</p>")
            .map(|s| strip_tags(s.trim_start_matches(|c| c != '>')))
            .unwrap_or_default()
    }

    /// Whether the error names `field`: the JSON error's `field` (alone, or as the last part
    /// of a dotted path such as `business_hours.weekdays`), the dashboard alert's
    /// `data-field`, or the field's name in the message.
    pub fn names_field(&self, field: &str) -> bool {
        let json = self.json();
        json["error"]["field"]
            .as_str()
            .is_some_and(|f| f == field || f.ends_with(&format!(".{field}")))
            || self.body.contains(&format!("data-field=\"{field}\""))
            || self.error_message().contains(field)
    }

    /// 3xx with a session cookie: signed in.
    pub fn signed_in(&self) -> bool {
        (300..400).contains(&self.status)
            && self
                .headers
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.starts_with("sb_session=") && !c.contains("Max-Age=0"))
    }

    /// The status and, for an error, its message; for a redirect, where to.
    pub fn brief(&self) -> String {
        if let Some(to) = self.header("location") {
            return format!("{} to {to}", self.status);
        }
        let message = self.error_message();
        if message.is_empty() {
            self.status.to_string()
        } else {
            format!("{} \"{message}\"", self.status)
        }
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The value of the first `name="<name>" value="..."` on a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    between(html, &format!("name=\"{name}\" value=\""), "\"").map(str::to_string)
}

/// A client whose connections leave from `from` (a loopback address such as 127.0.5.1),
/// never following redirects and keeping no idle connections (so no probe holds a
/// connection slot another probe needs).
pub fn client(from: &str) -> Client {
    Client::builder()
        .local_address(from.parse::<std::net::IpAddr>().ok())
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a plain HTTP client builds")
}

pub async fn send(req: RequestBuilder) -> Result<Answer> {
    let response = req.send().await.context("request failed")?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.context("reading the response")?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// The native API with one Bearer token.
pub struct Api {
    pub client: Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Api {
        Api {
            client: client("127.0.0.1"),
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> Result<Answer> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Answer> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// GET that must answer 200 with JSON.
    pub async fn read(&self, path: &str) -> Result<Value> {
        let a = self.get(path).await?;
        if a.status != 200 {
            bail!("GET {path} answered {}", a.brief());
        }
        Ok(a.json())
    }

    /// POST that must answer 201; the created resource.
    pub async fn create(&self, path: &str, body: &Value) -> Result<Value> {
        let a = self.post(path, body).await?;
        if a.status != 201 {
            bail!("POST {path} answered {}", a.brief());
        }
        Ok(a.json())
    }
}

/// How a sign-in is sent: the `Origin` and `Referer` headers, and whether the login form's
/// CSRF token (when the page has one) goes back with it.
pub struct LoginHow {
    pub origin: Option<String>,
    pub referer: Option<String>,
    pub csrf: bool,
}

impl LoginHow {
    /// As a browser on the server's own page sends it.
    pub fn browser(base: &str) -> LoginHow {
        LoginHow {
            origin: Some(base.to_string()),
            referer: Some(format!("{base}/login")),
            csrf: true,
        }
    }
}

/// One sign-in from `from`: fetches the login page (its cookies and CSRF token, if any),
/// then posts the form. Returns the answer and how long the POST took.
pub async fn login(
    base: &str,
    from: &str,
    email: &str,
    password: &str,
    how: &LoginHow,
) -> Result<(Answer, Duration)> {
    let client = client(from);
    let page = send(client.get(format!("{base}/login"))).await?;
    let cookies = cookies(&page.headers);
    let mut form = vec![
        ("email", email.to_string()),
        ("password", password.to_string()),
    ];
    if how.csrf
        && let Some(token) = input_value(&page.body, "_csrf")
    {
        form.push(("_csrf", token));
    }
    let mut req = client.post(format!("{base}/login")).form(&form);
    if !cookies.is_empty() {
        req = req.header("cookie", cookies);
    }
    if let Some(o) = &how.origin {
        req = req.header("origin", o);
    }
    if let Some(r) = &how.referer {
        req = req.header("referer", r);
    }
    let started = Instant::now();
    let answer = send(req).await?;
    Ok((answer, started.elapsed()))
}

/// `name=value` of every cookie set (not cleared) in `headers`, as a `Cookie` header.
fn cookies(headers: &HeaderMap) -> String {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| !c.contains("Max-Age=0"))
        .filter_map(|c| c.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A signed-in dashboard user.
pub struct Web {
    client: Client,
    base: String,
    cookie: String,
    pub csrf: String,
}

impl Web {
    /// Signs in from `from`, or says why it could not.
    pub async fn sign_in(base: &str, from: &str, email: &str, password: &str) -> Result<Web> {
        let (answer, _) = login(base, from, email, password, &LoginHow::browser(base)).await?;
        if !answer.signed_in() {
            bail!("{email} could not sign in: {}", answer.brief());
        }
        let mut web = Web {
            client: client(from),
            base: base.to_string(),
            cookie: cookies(&answer.headers),
            csrf: String::new(),
        };
        let home = web.get("/").await?;
        web.csrf = input_value(&home.body, "_csrf")
            .with_context(|| format!("{email}'s overview page has no CSRF token"))?;
        Ok(web)
    }

    pub async fn get(&self, path: &str) -> Result<Answer> {
        send(
            self.client
                .get(format!("{}{path}", self.base))
                .header("cookie", &self.cookie),
        )
        .await
    }

    /// Posts a dashboard form as the browser would: the session's CSRF token added, from the
    /// server's own origin.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<Answer> {
        let origin = self.base.clone();
        self.post_from(path, fields, Some(&origin)).await
    }

    /// Like [`Web::post`], with `origin` as the `Origin` header (and its page as `Referer`).
    pub async fn post_from(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Result<Answer> {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&form);
        if let Some(o) = origin {
            req = req
                .header("origin", o)
                .header("referer", format!("{o}{path}"));
        }
        send(req).await
    }
}

/// Requests as Twilio sends them: signed with an auth token over the public URL.
pub struct Twilio {
    pub client: Client,
    pub base: String,
}

impl Twilio {
    /// A form-encoded webhook to `path` (with its query) signed with `token`, plus `headers`.
    pub async fn form(
        &self,
        token: &str,
        path: &str,
        params: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<Answer> {
        let url = format!("{}{path}", self.base);
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let signature = twilio::signature::sign(token, &url, &owned);
        let mut req = self
            .client
            .post(&url)
            .header("x-twilio-signature", signature)
            .form(&owned);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(req).await
    }

    /// A JSON request (a Studio HTTP widget's) signed through the `bodySHA256` query parameter.
    pub async fn json(
        &self,
        token: &str,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Result<Answer> {
        let body = body.to_string();
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!(
            "{}{path}{sep}bodySHA256={}",
            self.base,
            twilio::signature::body_sha256(body.as_bytes())
        );
        let signature = twilio::signature::sign(token, &url, &[]);
        let mut req = self
            .client
            .post(&url)
            .header("x-twilio-signature", signature)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(req).await
    }
}

/// A fresh Twilio-style SID: `prefix` and 32 hex digits.
pub fn sid(prefix: &str) -> String {
    format!("{prefix}{:032x}", rand::random::<u128>())
}
