//! What each probe found, and the table: per item, how many probes were tried, how many the
//! server refused correctly, how many it accepted wrongly, and how many it answered with a 5xx.
//!
//! "Accepted wrongly" is the attack working, whatever its form: a forged webhook answered,
//! an owner locked out, a socket held open, a bad value stored, a header missing.

use std::fmt::Write as _;

use crate::http::Answer;

/// The items, in its order.
pub const ITEMS: [&str; 8] = [
    "1 webhook signed with another org's token",
    "2 sign-in email shadowed across orgs",
    "3 admin token against the owner",
    "4 server timeouts and connection cap",
    "5 sign-in: lockout, spraying, timing, CSRF",
    "6 unbounded or malformed stored input",
    "7 leaks: calls log, /metrics, numbers",
    "8 replayed webhook (idempotency token)",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Refused (or withstood) as decided.
    Held,
    /// Accepted, or otherwise not as decided.
    Failed,
    /// Answered with a 5xx.
    ServerError,
}

/// One probe's verdict and what the server did, in a few words.
pub struct Check {
    pub verdict: Verdict,
    pub detail: String,
}

impl Check {
    pub fn held(detail: impl Into<String>) -> Check {
        Check {
            verdict: Verdict::Held,
            detail: detail.into(),
        }
    }

    pub fn failed(detail: impl Into<String>) -> Check {
        Check {
            verdict: Verdict::Failed,
            detail: detail.into(),
        }
    }

    /// A 5xx first; then `held` decides.
    pub fn judge(answer: &Answer, held: bool) -> Check {
        let detail = answer.brief();
        if answer.status >= 500 {
            Check {
                verdict: Verdict::ServerError,
                detail,
            }
        } else if held {
            Check::held(detail)
        } else {
            Check::failed(detail)
        }
    }

    /// Held when the answer's status is one of `refusals`.
    pub fn status_in(answer: &Answer, refusals: &[u16]) -> Check {
        Check::judge(answer, refusals.contains(&answer.status))
    }

    /// A forged or foreign Twilio signature must be refused: 401 or 403.
    pub fn signature_refused(answer: &Answer) -> Check {
        Check::status_in(answer, &[401, 403])
    }

    /// Bad input must get a 4xx naming `field`.
    pub fn field_refused(answer: &Answer, field: &str) -> Check {
        let check = Check::judge(answer, (400..500).contains(&answer.status));
        match check.verdict {
            Verdict::Held if !answer.names_field(field) => Check::failed(format!(
                "refused without naming `{field}`: {}",
                answer.brief()
            )),
            _ => check,
        }
    }
}

struct Finding {
    item: usize,
    probe: String,
    /// Err: the probe could not run (its set-up failed).
    outcome: Result<Check, String>,
}

#[derive(Default)]
pub struct Report {
    findings: Vec<Finding>,
}

impl Report {
    /// Records a probe of `item` (1-based) and prints its line at once.
    pub fn record(&mut self, item: usize, probe: &str, outcome: anyhow::Result<Check>) {
        let outcome = outcome.map_err(|e| format!("{e:#}"));
        let (tag, detail) = match &outcome {
            Ok(c) => (
                match c.verdict {
                    Verdict::Held => "refused ",
                    Verdict::Failed => "ACCEPTED",
                    Verdict::ServerError => "5XX     ",
                },
                c.detail.as_str(),
            ),
            Err(e) => ("NOT RUN ", e.as_str()),
        };
        println!("  [{tag}] {item}. {probe}: {}", one_line(detail));
        self.findings.push(Finding {
            item,
            probe: probe.to_string(),
            outcome,
        });
    }

    /// True when every probe ran and held.
    pub fn all_held(&self) -> bool {
        self.findings
            .iter()
            .all(|f| matches!(&f.outcome, Ok(c) if c.verdict == Verdict::Held))
    }

    pub fn table(&self) -> String {
        let mut out = String::new();
        let header = ["tried", "refused correctly", "accepted wrongly", "5xx"];
        let width = ITEMS.iter().map(|s| s.len()).max().unwrap_or(10);
        let _ = writeln!(
            out,
            "| {:width$} | {} |",
            "item",
            header.join(" | "),
            width = width
        );
        let _ = writeln!(
            out,
            "| {} | {} |",
            "-".repeat(width),
            header.map(|h| "-".repeat(h.len())).join(" | ")
        );
        let mut total = [0usize; 4];
        for (i, name) in ITEMS.iter().enumerate() {
            let counts = self.counts(|f| f.item == i + 1);
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
            row(&mut out, name, counts, width, &header);
        }
        row(&mut out, "total", total, width, &header);
        let not_run: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.outcome.is_err())
            .collect();
        if !not_run.is_empty() {
            let _ = writeln!(
                out,
                "\n{} probe(s) could not run (not counted above):",
                not_run.len()
            );
            for f in not_run {
                let _ = writeln!(out, "  {}. {}", f.item, f.probe);
            }
        }
        out
    }

    /// Tried, refused correctly, accepted wrongly, 5xx: of the findings `which` selects.
    fn counts(&self, which: impl Fn(&Finding) -> bool) -> [usize; 4] {
        let mut c = [0; 4];
        for f in self.findings.iter().filter(|f| which(f)) {
            let Ok(check) = &f.outcome else { continue };
            c[0] += 1;
            match check.verdict {
                Verdict::Held => c[1] += 1,
                Verdict::Failed => c[2] += 1,
                Verdict::ServerError => c[3] += 1,
            }
        }
        c
    }
}

fn row(out: &mut String, name: &str, counts: [usize; 4], width: usize, header: &[&str; 4]) {
    let cells: Vec<String> = counts
        .iter()
        .zip(header)
        .map(|(n, h)| format!("{n:>w$}", w = h.len()))
        .collect();
    let _ = writeln!(out, "| {name:width$} | {} |", cells.join(" | "));
}

/// A detail on one line, cut to a readable length.
fn one_line(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(220) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
