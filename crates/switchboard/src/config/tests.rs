//! Tests of configuration loading, and that the README and example file list every setting.

use std::collections::BTreeMap;

use super::*;

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::load(None, &|k| vars.get(k).cloned())
}

#[test]
fn no_configuration_means_loopback_sqlite_and_simulated_telephony() {
    let c = load(&[]).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url.expose(), "sqlite:./data/switchboard.db");
    assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(c.telephony, TelephonyMode::Simulated);
    assert!(c.smtp_url.is_none());
}

#[test]
fn twilio_credentials_switch_the_default_to_live() {
    let c = load(&[
        ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
        ("TWILIO_AUTH_TOKEN", "tok"),
    ])
    .unwrap();
    assert_eq!(c.telephony, TelephonyMode::Live);
}

#[test]
fn a_bad_value_names_its_variable() {
    let err = load(&[("SWITCHBOARD_LISTEN", "nowhere")])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("SWITCHBOARD_LISTEN:"), "{err}");
    let err = load(&[("SWITCHBOARD_TELEPHONY", "carrier-pigeon")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("SWITCHBOARD_TELEPHONY") && err.contains("simulated or live"),
        "{err}"
    );
    let err = load(&[("SWITCHBOARD_CLOCK", "yesterday")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("SWITCHBOARD_CLOCK"), "{err}");
    let err = load(&[("DATABASE_URL", "mysql://x")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn live_telephony_without_credentials_is_refused() {
    let err = load(&[("SWITCHBOARD_TELEPHONY", "live")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("TWILIO_ACCOUNT_SID"), "{err}");
}

#[test]
fn the_environment_overrides_the_file_and_file_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("switchboard.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:9000\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let c = Config::load(Some(&path), &|k| {
        (k == "SWITCHBOARD_LOG_FORMAT").then(|| "text".into())
    })
    .unwrap();
    assert_eq!(c.listen.port(), 9000);
    assert_eq!(c.log_format, LogFormat::Text);
    std::fs::write(&path, "workers = 0\n").unwrap();
    let err = Config::load(Some(&path), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("workers in"), "{err}");
    std::fs::write(&path, "colour = \"blue\"\n").unwrap();
    let err = Config::load(Some(&path), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown setting 'colour'"), "{err}");
}

#[test]
fn describe_never_shows_secrets() {
    let c = load(&[
        ("DATABASE_URL", "postgres://sb:hunter2@localhost/sb"),
        ("SMTP_URL", "smtp://me:hunter2@mail.example.org:587"),
        ("WEBHOOK_SECRET", "hunter2"),
    ])
    .unwrap();
    let text = format!("{:?}", c.describe()) + &format!("{c:?}");
    assert!(!text.contains("hunter2"), "{text}");
}

const README: &str = include_str!("../../../../README.md");
const EXAMPLE: &str = include_str!("../../../../switchboard.example.toml");

#[test]
fn the_readme_and_the_example_file_list_every_setting() {
    for s in SETTINGS {
        assert!(
            README.contains(&format!("`{}`", s.env)),
            "README lacks {}",
            s.env
        );
        assert!(
            EXAMPLE.contains(&format!("# {} =", s.key)),
            "switchboard.example.toml lacks {}",
            s.key
        );
    }
}

#[test]
fn the_example_file_parses_with_every_line_uncommented_that_needs_no_secret() {
    let text: String = EXAMPLE
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.contains(" = ")
                && !l.contains("...")
                && !l.starts_with("telephony")
                && !l.starts_with("twilio_")
        })
        .map(|l| l.split("  #").next().unwrap_or(l).to_string() + "\n")
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("switchboard.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(Some(&path), &|_| None).expect("the example's values are valid");
}

#[test]
fn http_limits_take_seconds_with_fractions_and_name_a_bad_value() {
    assert_eq!(load(&[]).unwrap().http, HttpLimits::default());
    let c = load(&[
        ("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "0.5"),
        ("SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", "120"),
        ("SWITCHBOARD_HTTP_MAX_CONNECTIONS", "64"),
    ])
    .unwrap();
    assert_eq!(c.http.header_timeout, std::time::Duration::from_millis(500));
    assert_eq!(c.http.body_timeout, std::time::Duration::from_secs(30));
    assert_eq!(c.http.idle_timeout, std::time::Duration::from_secs(120));
    assert_eq!(c.http.max_connections, 64);
    for (var, bad) in [
        ("SWITCHBOARD_HTTP_HEADER_TIMEOUT_SECS", "0"),
        ("SWITCHBOARD_HTTP_BODY_TIMEOUT_SECS", "forever"),
        ("SWITCHBOARD_HTTP_IDLE_TIMEOUT_SECS", "-1"),
        ("SWITCHBOARD_HTTP_MAX_CONNECTIONS", "0"),
    ] {
        let err = load(&[(var, bad)]).unwrap_err().to_string();
        assert!(err.starts_with(var), "{err}");
    }
}
