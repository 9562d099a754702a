//! Cross-checks `twilio::signature` against the official twilio-python `RequestValidator`.
//!
//! The Python SDK is installed into `<workspace>/target/pyenv` by `scripts/python-env.sh`. When
//! Python or PyPI is unavailable this test fails with the script's message: a signature check
//! that silently skipped would prove nothing.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use twilio::signature::{body_sha256, sign, sign_sha256, validate, validate_json};

const PROGRAM: &str = r#"
import json, sys
from urllib.parse import urlparse
from twilio.request_validator import RequestValidator, add_port, remove_port

class MultiDict:
    """Repeated keys, like Flask's MultiDict (the validator calls getall)."""
    def __init__(self, pairs):
        self.pairs = pairs
    def __iter__(self):
        return iter([k for k, _ in self.pairs])
    def __len__(self):
        return len(self.pairs)
    def getall(self, name):
        return [v for k, v in self.pairs if k == name]

out = []
for case in json.load(sys.stdin):
    v = RequestValidator(case["token"])
    url = case["url"]
    if "body" in case:
        out.append({"validates_ours": v.validate(url, case["body"], case["ours_sha1"])})
        continue
    params = MultiDict([tuple(p) for p in case["params"]])
    parsed = urlparse(url)
    out.append({
        "sha1": v.compute_signature(url, params),
        "sha256": v.compute_signature(url, params, "HMAC_SHA256"),
        "sha1_with_port": v.compute_signature(add_port(parsed), params),
        "sha1_without_port": v.compute_signature(remove_port(parsed), params),
        "validates_ours": v.validate(url, params, case["ours_sha1"]),
        "validates_ours_sha256": v.validate(url, params, case["ours_sha256"], "HMAC_SHA256"),
    })
json.dump(out, sys.stdout)
"#;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python, installing it on first use. Panics (fails the test) when unavailable.
fn python() -> PathBuf {
    let script = workspace_root().join("scripts/python-env.sh");
    let output = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "scripts/python-env.sh failed, so twilio-python is unavailable and the signature \
         cross-check cannot run (install python3, python3-venv and make PyPI reachable):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = stdout.lines().last().unwrap_or_default().trim();
    assert!(
        !path.is_empty(),
        "scripts/python-env.sh printed no python path"
    );
    PathBuf::from(path)
}

fn run_python(cases: &Value) -> Vec<Value> {
    let mut child = Command::new(python())
        .arg("-c")
        .arg(PROGRAM)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start python: {err}"));
    let input = serde_json::to_vec(cases).unwrap_or_default();
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(&input)
            .unwrap_or_else(|err| panic!("{err}"));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|err| panic!("{err}"));
    assert!(
        output.status.success(),
        "python program failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| panic!("bad python output: {err}"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn urls() -> Vec<&'static str> {
    vec![
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        "http://mycompany.com/myapp.php",
        "http://mycompany.com:80/myapp.php",
        "http://127.0.0.1:8080/twilio/voice?incident=42&step=ack",
        "https://example.com",
        "https://example.com/",
        "https://example.com/path/with%20space?q=a%2Bb&empty=",
        "https://example.com/caf\u{e9}?name=J\u{fc}rgen",
        "http://localhost:3000/hooks/sms",
    ]
}

fn param_sets() -> Vec<Vec<(String, String)>> {
    vec![
        vec![],
        pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]),
        pairs(&[("Body", ""), ("Empty", ""), ("From", "+15005550006")]),
        pairs(&[
            ("Body", "Caf\u{e9} \u{65e5}\u{672c} \u{1f600} <&>\"'"),
            ("To", "+1"),
        ]),
        pairs(&[
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ]),
        pairs(&[
            ("a", "2"),
            ("a", "1"),
            ("a", "2"),
            ("B", "x"),
            ("_", "y"),
            ("a1", "z"),
        ]),
        pairs(&[
            ("MediaUrl0", "https://x/a.jpg?x=1&y=2"),
            ("MediaUrl1", "https://x/b.jpg"),
            ("NumMedia", "2"),
        ]),
        pairs(&[("key with space", "value with space"), ("k=v", "a&b")]),
    ]
}

#[test]
fn signatures_match_twilio_python_for_many_urls_and_params() {
    let tokens = ["12345", "a3f9c2e1b4d5a6f7e8d9c0b1a2f3e4d5", "t\u{f6}ken"];
    let mut cases = Vec::new();
    let mut inputs = Vec::new();
    for (i, url) in urls().into_iter().enumerate() {
        for params in param_sets() {
            let token = tokens[i % tokens.len()];
            cases.push(json!({
                "token": token,
                "url": url,
                "params": params,
                "ours_sha1": sign(token, url, &params),
                "ours_sha256": sign_sha256(token, url, &params),
            }));
            inputs.push((token, url, params));
        }
    }
    let results = run_python(&Value::Array(cases));
    assert_eq!(results.len(), inputs.len());
    for ((token, url, params), python) in inputs.iter().zip(&results) {
        let context = format!("url={url:?} params={params:?}");
        assert_eq!(
            python["sha1"],
            sign(token, url, params),
            "SHA1 differs: {context}"
        );
        assert_eq!(
            python["sha256"],
            sign_sha256(token, url, params),
            "SHA256 differs: {context}"
        );
        assert_eq!(
            python["validates_ours"], true,
            "python rejects our SHA1: {context}"
        );
        assert_eq!(
            python["validates_ours_sha256"], true,
            "python rejects our SHA256: {context}"
        );
        for variant in ["sha1_with_port", "sha1_without_port"] {
            let signature = python[variant].as_str().unwrap_or_default();
            assert!(
                validate(token, url, params, signature),
                "we reject python's {variant}: {context}"
            );
        }
    }
}

#[test]
fn json_body_validation_matches_twilio_python() {
    let token = "12345";
    let bodies = [
        r#"{"property": "value", "boolean": true}"#,
        "{}",
        "{\"emoji\":\"\u{1f600}\"}",
    ];
    let ports = [
        "https://example.com",
        "https://example.com:443",
        "http://127.0.0.1:8080",
    ];
    let mut cases = Vec::new();
    let mut inputs = Vec::new();
    for body in bodies {
        for base in ports {
            let url = format!("{base}/hook?bodySHA256={}", body_sha256(body.as_bytes()));
            let signature = sign(token, &url, &[]);
            cases.push(json!({"token": token, "url": url, "body": body, "ours_sha1": signature}));
            inputs.push((url, body, signature));
        }
    }
    let results = run_python(&Value::Array(cases));
    for ((url, body, signature), python) in inputs.iter().zip(&results) {
        assert_eq!(python["validates_ours"], true, "python rejects {url}");
        assert!(
            validate_json(token, url, body.as_bytes(), signature),
            "{url}"
        );
    }
}
