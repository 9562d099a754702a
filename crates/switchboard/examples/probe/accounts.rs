//! Items 2 and 3. Item 2: organisation A gives its people the sign-in emails of B's people
//! (by API, by dashboard, by renaming) and a password; a sign-in email belongs to one person,
//! so each must be refused (409 naming `email`) and B's person still signs in with their own
//! password. Item 3: B's admin API token turns on B's owner (revoke their token, deactivate,
//! demote, delete); each must be refused with 403, as the dashboard refuses it.

use anyhow::{Context as _, Result, bail};
use serde_json::json;

use crate::http::{LoginHow, login};
use crate::report::{Check, Report};
use crate::setup::{B_ADMIN, B_OWNER, B_OWNER_TOKEN, B_VICTIM, Ctx, id_where};

/// The password organisation A gives its copy of B's victim.
const A_PASSWORD: &str = "organisation-a-chose-this";

pub async fn shadowing(ctx: &Ctx, report: &mut Report) {
    let person = json!({ "name": "Victim's double", "email": B_VICTIM, "role": "viewer" });
    let created = ctx.a.post("/api/v1/people", &person).await;
    let shadow = created
        .as_ref()
        .ok()
        .filter(|a| a.status == 201)
        .and_then(|a| a.json()["id"].as_i64());
    report.record(
        2,
        "A creates a person (API) with the sign-in email of B's admin-role person",
        created.map(|a| Check::field_refused(&a, "email")),
    );
    report.record(
        2,
        "A adds a person (dashboard) with B's owner's email in capitals",
        dashboard_copy(ctx).await,
    );
    report.record(
        2,
        "A renames one of its people (API) to B's admin's email",
        rename(ctx).await,
    );
    // Where A got its copy, A gives it a password, as an attacker in A would.
    let armed = match shadow {
        Some(id) => arm(ctx, id).await,
        None => Ok(()),
    };
    let victim_signs_in = async {
        armed?;
        let (a, _) = login(
            &ctx.base,
            "127.0.2.1",
            B_VICTIM,
            &ctx.b_password,
            &LoginHow::browser(&ctx.base),
        )
        .await?;
        Ok(Check::judge(&a, a.signed_in()))
    };
    report.record(
        2,
        "B's person signs in with their own password after A copied their email",
        victim_signs_in.await,
    );
    let attacker = async {
        let how = LoginHow::browser(&ctx.base);
        let (a, _) = login(&ctx.base, "127.0.2.2", B_VICTIM, A_PASSWORD, &how).await?;
        Ok(Check::judge(&a, !a.signed_in()))
    };
    report.record(
        2,
        "A's password for B's person's email signs nobody in",
        attacker.await,
    );
}

async fn dashboard_copy(ctx: &Ctx) -> Result<Check> {
    let email = B_OWNER.to_uppercase();
    let fields = [
        ("name", "Owner's double"),
        ("email", email.as_str()),
        ("phone", ""),
        ("role", "viewer"),
    ];
    let a = ctx.a_web.post("/people", &fields).await?;
    Ok(Check::field_refused(&a, "email"))
}

async fn rename(ctx: &Ctx) -> Result<Check> {
    let person =
        json!({ "name": "Renamed later", "email": "rename.me@a.example", "role": "viewer" });
    let id = ctx.a.create("/api/v1/people", &person).await?["id"]
        .as_i64()
        .context("person id")?;
    let a = ctx
        .a
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/people/{id}"),
            Some(&json!({ "email": B_ADMIN })),
        )
        .await?;
    Ok(Check::field_refused(&a, "email"))
}

/// A's owner sets a password on A's copy (dashboard), so it can sign in.
async fn arm(ctx: &Ctx, id: i64) -> Result<()> {
    let a = ctx
        .a_web
        .post(
            &format!("/people/{id}/password"),
            &[("password", A_PASSWORD)],
        )
        .await?;
    if a.status != 200 {
        bail!("A could not set its copy's password: {}", a.brief());
    }
    Ok(())
}

pub async fn owner(ctx: &Ctx, report: &mut Report) {
    let tokens = ctx.b.read("/api/v1/tokens").await;
    let revoke = async {
        let id = id_where(&tokens?, "name", B_OWNER_TOKEN)?;
        let path = format!("/api/v1/tokens/{id}");
        ctx.b.call(reqwest::Method::DELETE, &path, None).await
    };
    report.record(
        3,
        "B's admin token revokes the owner's API token",
        revoke.await.map(|a| Check::status_in(&a, &[403])),
    );
    let owner = format!("/api/v1/people/{}", ctx.b_owner);
    for (probe, change) in [
        (
            "B's admin token deactivates the owner",
            json!({ "active": false }),
        ),
        (
            "B's admin token demotes the owner to viewer",
            json!({ "role": "viewer" }),
        ),
    ] {
        let a = ctx
            .b
            .call(reqwest::Method::PATCH, &owner, Some(&change))
            .await;
        report.record(3, probe, a.map(|a| Check::status_in(&a, &[403])));
    }
    let a = ctx.b.call(reqwest::Method::DELETE, &owner, None).await;
    report.record(
        3,
        "B's admin token deletes the owner",
        a.map(|a| Check::status_in(&a, &[403])),
    );
}
