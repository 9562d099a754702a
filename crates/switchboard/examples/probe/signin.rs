//! Item 5: sign-in. Failed attempts are limited per client address, never per account alone:
//! five wrong passwords from one address must not lock the owner out of another, and the
//! attacking address gets 429 with Retry-After; 30 emails sprayed from one address meet a
//! 429 by the 21st. A wrong password costs the same for a real and an unknown email (the
//! medians of 10 each may differ by at most 3x). Changing a password ends the person's
//! other sessions. `/login` and dashboard POSTs from a foreign Origin or Referer, or a login
//! without its CSRF token, are refused (403). Dashboard pages carry the framing, sniffing,
//! referrer and caching headers. Each attempt leaves from a loopback address of its own
//! (127.0.5.x, 127.0.6.x), so the limits of one probe do not meet another.

use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::http::{LoginHow, Web, login};
use crate::report::{Check, Report};
use crate::setup::{A_OWNER, B_MOVER, B_TIMED, B_VISITOR, Ctx, id_where};

const EVIL: &str = "http://evil.example";

pub async fn run(ctx: &Ctx, report: &mut Report) {
    let (lockout, attacker) = lockout(ctx).await;
    report.record(
        5,
        "5 wrong passwords for the owner from one address, then the right one from another",
        lockout,
    );
    report.record(
        5,
        "a 6th wrong password from the attacking address: 429 with Retry-After",
        attacker,
    );
    report.record(
        5,
        "30 emails sprayed with wrong passwords from one address",
        spray(ctx).await,
    );
    report.record(
        5,
        "wrong-password time of a real vs an unknown email",
        timing(ctx).await,
    );
    report.record(
        5,
        "changing a password ends the person's other session",
        moved(ctx).await,
    );
    let visitor = |how: LoginHow, from: &'static str| async move {
        let (a, _) = login(&ctx.base, from, B_VISITOR, &ctx.b_password, &how).await?;
        Ok(Check::status_in(&a, &[403]))
    };
    let foreign = LoginHow {
        origin: Some(EVIL.into()),
        referer: Some(format!("{EVIL}/")),
        csrf: true,
    };
    report.record(
        5,
        "sign-in POST with a foreign Origin and valid credentials",
        visitor(foreign, "127.0.5.6").await,
    );
    let referer = LoginHow {
        origin: None,
        referer: Some(format!("{EVIL}/")),
        csrf: true,
    };
    report.record(
        5,
        "sign-in POST with a foreign Referer and no Origin",
        visitor(referer, "127.0.5.7").await,
    );
    let no_token = LoginHow {
        csrf: false,
        ..LoginHow::browser(&ctx.base)
    };
    report.record(
        5,
        "sign-in POST without the login form's CSRF token",
        visitor(no_token, "127.0.5.8").await,
    );
    let settings = [
        ("name", "Probe B"),
        ("twilio_account_sid", ""),
        ("public_url", ""),
        ("twilio_auth_token", ""),
    ];
    let cross_site = ctx
        .b_web
        .post_from("/settings", &settings, Some(EVIL))
        .await;
    report.record(
        5,
        "dashboard POST (settings) with a valid session and token from a foreign Origin",
        cross_site.map(|a| Check::status_in(&a, &[403])),
    );
    headers(ctx, report).await;
}

async fn lockout(ctx: &Ctx) -> (Result<Check>, Result<Check>) {
    let how = LoginHow::browser(&ctx.base);
    for _ in 0..5 {
        if let Err(e) = login(&ctx.base, "127.0.5.1", A_OWNER, "wrong password!", &how).await {
            let why = format!("{e:#}");
            return (Err(e), Err(anyhow::anyhow!(why)));
        }
    }
    let owner = login(&ctx.base, "127.0.5.2", A_OWNER, &ctx.a_owner_password, &how)
        .await
        .map(|(a, _)| Check::judge(&a, a.signed_in()));
    let sixth = login(&ctx.base, "127.0.5.1", A_OWNER, "wrong password!", &how)
        .await
        .map(|(a, _)| {
            let held = a.status == 429 && a.header("retry-after").is_some();
            let mut c = Check::judge(&a, held);
            if a.status == 429 && !held {
                c.detail = "429 without Retry-After".into();
            }
            c
        });
    (owner, sixth)
}

async fn spray(ctx: &Ctx) -> Result<Check> {
    let how = LoginHow::browser(&ctx.base);
    let mut statuses = Vec::new();
    for n in 0..30 {
        let email = format!("sprayed{n}@probe-b.example");
        let (a, _) = login(&ctx.base, "127.0.5.3", &email, "Winter2026!", &how).await?;
        if a.status >= 500 {
            return Ok(Check::judge(&a, false));
        }
        statuses.push(a.status);
    }
    let first_429 = statuses.iter().position(|s| *s == 429);
    Ok(match first_429 {
        Some(i) if i <= 20 => Check::held(format!("429 from attempt {}", i + 1)),
        Some(i) => Check::failed(format!("first 429 only at attempt {}", i + 1)),
        None => Check::failed(format!(
            "no 429 in 30 attempts (answers: {})",
            summary(&statuses)
        )),
    })
}

fn summary(statuses: &[u16]) -> String {
    let mut distinct: Vec<u16> = statuses.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    distinct
        .iter()
        .map(|s| format!("{}x {s}", statuses.iter().filter(|x| *x == s).count()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Wrong passwords, 10 for real accounts (5 each of two, under any per-email limit) and 10
/// for unknown emails, interleaved, each from an address of its own.
async fn timing(ctx: &Ctx) -> Result<Check> {
    let how = LoginHow::browser(&ctx.base);
    let (mut real, mut unknown) = (Vec::new(), Vec::new());
    for n in 0..10 {
        let real_email = B_TIMED[n % 2];
        let unknown_email = format!("nobody{n}@probe-b.example");
        for (email, times, host) in [
            (real_email, &mut real, 2 * n + 1),
            (unknown_email.as_str(), &mut unknown, 2 * n + 2),
        ] {
            let from = format!("127.0.6.{host}");
            let (a, took) = login(&ctx.base, &from, email, "not the password", &how).await?;
            if a.status != 401 {
                bail!(
                    "a wrong password for {email} answered {} (expected 401)",
                    a.brief()
                );
            }
            times.push(took);
        }
    }
    let (r, u) = (median(&mut real), median(&mut unknown));
    let ratio = r.max(u).as_secs_f64() / r.min(u).as_secs_f64().max(1e-6);
    let detail = format!(
        "median {:.1} ms for a real email, {:.1} ms for an unknown one ({ratio:.1}x)",
        r.as_secs_f64() * 1e3,
        u.as_secs_f64() * 1e3
    );
    Ok(if ratio > 3.0 {
        Check::failed(detail)
    } else {
        Check::held(detail)
    })
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// B's mover signs in twice, changes their password in the first session; the second must
/// be signed out.
async fn moved(ctx: &Ctx) -> Result<Check> {
    let one = Web::sign_in(&ctx.base, "127.0.5.4", B_MOVER, &ctx.b_password).await?;
    let two = Web::sign_in(&ctx.base, "127.0.5.5", B_MOVER, &ctx.b_password).await?;
    let id = id_where(&ctx.b.read("/api/v1/people").await?, "email", B_MOVER)?;
    let changed = one
        .post(
            &format!("/people/{id}/password"),
            &[("password", "a brand new password")],
        )
        .await?;
    if changed.status != 200 {
        bail!("the password change answered {}", changed.brief());
    }
    let after = two.get("/").await?;
    let signed_out = after.status == 401
        || after
            .header("location")
            .is_some_and(|l| l.contains("/login"));
    Ok(Check::judge(&after, signed_out))
}

/// The headers every dashboard response carries, on the sign-in page and a signed-in page.
async fn headers(ctx: &Ctx, report: &mut Report) {
    let pages = async {
        let login_page = crate::http::send(ctx.twilio.client.get(format!("{}/login", ctx.base)));
        Ok::<_, anyhow::Error>((login_page.await?, ctx.b_web.get("/").await?))
    };
    let (login_page, home) = match pages.await.context("fetching /login and /") {
        Ok(p) => p,
        Err(e) => {
            report.record(5, "dashboard security headers", Err(e));
            return;
        }
    };
    type Test = fn(&str) -> bool;
    let wanted: [(&str, &str, Test); 4] = [
        ("X-Frame-Options: DENY", "x-frame-options", |v| {
            v.eq_ignore_ascii_case("deny")
        }),
        (
            "Content-Security-Policy with frame-ancestors 'none'",
            "content-security-policy",
            |v| v.contains("frame-ancestors 'none'"),
        ),
        (
            "X-Content-Type-Options: nosniff",
            "x-content-type-options",
            |v| v.eq_ignore_ascii_case("nosniff"),
        ),
        ("Referrer-Policy: same-origin", "referrer-policy", |v| {
            v.eq_ignore_ascii_case("same-origin")
        }),
    ];
    for (probe, name, ok) in wanted {
        let missing: Vec<&str> = [("/login", &login_page), ("/", &home)]
            .iter()
            .filter(|(_, a)| !a.header(name).is_some_and(ok))
            .map(|(p, _)| *p)
            .collect();
        report.record(
            5,
            &format!("dashboard header {probe}"),
            Ok(header_check(&missing)),
        );
    }
    let no_store = home
        .header("cache-control")
        .is_some_and(|v| v.contains("no-store"));
    let missing = if no_store { vec![] } else { vec!["/"] };
    report.record(
        5,
        "Cache-Control: no-store on a signed-in page",
        Ok(header_check(&missing)),
    );
}

fn header_check(missing: &[&str]) -> Check {
    if missing.is_empty() {
        Check::held("present on /login and /")
    } else {
        Check::failed(format!("missing on {}", missing.join(" and ")))
    }
}
