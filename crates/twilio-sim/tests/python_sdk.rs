//! Fidelity against the official twilio-python SDK: it must drive the simulator exactly as it
//! drives Twilio, and its `RequestValidator` must accept every webhook the simulator signs.
//!
//! Needs python3 with venv and network access to PyPI on first run (`scripts/python-env.sh`);
//! when those are missing the test fails and says so. It never skips.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use twilio_sim::{Behaviour, SimConfig, Simulator};

const ACCOUNT: &str = "AC11111111111111111111111111111111";
const TOKEN: &str = "python-sdk-token-0123456789abcdef";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv python from `scripts/python-env.sh` (its last stdout line).
fn python() -> String {
    let script = workspace().join("scripts/python-env.sh");
    let output = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not run {}: {e}; the twilio-python fidelity test needs it",
                script.display()
            )
        });
    assert!(
        output.status.success(),
        "scripts/python-env.sh failed, so the official twilio SDK is unavailable:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let python = stdout.lines().last().unwrap_or_default().trim().to_owned();
    assert!(
        !python.is_empty(),
        "scripts/python-env.sh printed no python path"
    );
    python
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_drives_the_simulator_and_validates_its_signatures() {
    let python = tokio::task::spawn_blocking(python).await.unwrap();
    let cfg = SimConfig {
        account_sid: ACCOUNT.to_owned(),
        auth_token: TOKEN.to_owned(),
        speed: 100.0,
        calls_per_second: 1000.0,
        messages_per_second: 1000.0,
        ..SimConfig::default()
    };
    let (sim, server) = Simulator::bind(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    sim.set_behaviour("+15005550111", Behaviour::answers_after(2.0));
    let speaker = Behaviour {
        say: Some("The pump in room four is leaking again".into()),
        ..Behaviour::answers_after(1.0)
    };
    sim.set_behaviour("+15005550114", speaker);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_fidelity.py");
    let mut command = tokio::process::Command::new(&python);
    command
        .arg(&script)
        .env("SIM_URL", server.base_url())
        .env("SIM_ACCOUNT_SID", ACCOUNT)
        .env("SIM_AUTH_TOKEN", TOKEN)
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(180), command.output())
        .await
        .expect("the python script finishes within 3 minutes")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("OK"),
        "python SDK checks failed:\n{stdout}\n{stderr}"
    );
    server.shutdown().await;
}
