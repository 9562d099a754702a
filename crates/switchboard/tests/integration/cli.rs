//! The `switchboard` binary: admin commands, configuration errors, backup, and serve.

use std::io::Write as _;
use std::process::{Command, Stdio};

pub fn switchboard(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SWITCHBOARD_DATA_DIR", dir.join("data"));
    cmd
}

#[test]
fn admin_commands_create_an_org_a_user_and_a_token_printed_alone_on_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard(dir.path()).args(["migrate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = switchboard(dir.path())
        .args(["org", "create", "--slug", "acme", "--name", "Acme"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = switchboard(dir.path())
        .args([
            "user",
            "create",
            "--org",
            "acme",
            "--email",
            "ops@acme.org",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = switchboard(dir.path())
        .args(["token", "create", "--org", "acme", "--name", "ci"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("sbt_") && !last.contains(' '), "{stdout}");
}

#[test]
fn a_bad_setting_stops_start_up_with_a_message_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard(dir.path())
        .env("SWITCHBOARD_TELEPHONY", "pigeon")
        .args(["serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SWITCHBOARD_TELEPHONY") && stderr.contains("simulated or live"),
        "{stderr}"
    );
    let out = switchboard(dir.path())
        .args([
            "token", "create", "--org", "nope", "--name", "x", "--role", "god",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--org"),
        "the missing org is reported first"
    );
}

#[test]
fn print_config_redacts_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = switchboard(dir.path())
        .env("DATABASE_URL", "postgres://sb:hunter2@127.0.0.1/sb")
        .env("WEBHOOK_SECRET", "hunter2")
        .args(["print-config"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("DATABASE_URL") && !stdout.contains("hunter2"),
        "{stdout}"
    );
}

#[test]
fn backup_writes_a_usable_copy_of_the_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        switchboard(dir.path())
            .args(["org", "create", "--slug", "kept", "--name", "Kept"])
            .status()
            .unwrap()
            .success()
    );
    let copy = dir.path().join("copy.db");
    let out = switchboard(dir.path())
        .args(["backup"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = switchboard(dir.path())
        .env("DATABASE_URL", format!("sqlite:{}", copy.display()))
        .args(["org", "create", "--slug", "kept", "--name", "Again"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "the copy holds the organisation"
    );
    let again = switchboard(dir.path())
        .args(["backup"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );
}
