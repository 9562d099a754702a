//! The outbox's rates and the default quiet hours (see `telephony::outbox`): Twilio's own
//! defaults unless set.

use jiff::civil::Time;

use super::ConfigError;
use super::raw::{Raw, parse};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutboundSettings {
    /// Calls a second per account.
    pub calls_per_second: f64,
    /// Texts a second per sender number, by kind of number.
    pub long_code_texts_per_second: f64,
    pub toll_free_texts_per_second: f64,
    pub short_code_texts_per_second: f64,
    /// The daily window, in the recipient's zone, in which they may be texted or called.
    pub quiet_hours: (Time, Time),
    /// Seconds a worker's claim on an outbox row lasts before another worker reconciles it.
    pub lease_secs: f64,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        OutboundSettings {
            calls_per_second: 1.0,
            long_code_texts_per_second: 1.0,
            toll_free_texts_per_second: 3.0,
            short_code_texts_per_second: 100.0,
            quiet_hours: (Time::constant(8, 0, 0, 0), Time::constant(21, 0, 0, 0)),
            lease_secs: 60.0,
        }
    }
}

impl OutboundSettings {
    pub(super) fn from_raw(raw: &Raw) -> Result<OutboundSettings, ConfigError> {
        let d = OutboundSettings::default();
        let quiet_hours = parse(raw, "quiet_hours", &show_window(d.quiet_hours), window)?;
        Ok(OutboundSettings {
            calls_per_second: rate(raw, "calls_per_second", d.calls_per_second)?,
            long_code_texts_per_second: rate(
                raw,
                "texts_per_second",
                d.long_code_texts_per_second,
            )?,
            toll_free_texts_per_second: rate(
                raw,
                "toll_free_texts_per_second",
                d.toll_free_texts_per_second,
            )?,
            short_code_texts_per_second: rate(
                raw,
                "short_code_texts_per_second",
                d.short_code_texts_per_second,
            )?,
            quiet_hours,
            lease_secs: parse(
                raw,
                "outbox_lease_secs",
                &d.lease_secs.to_string(),
                |v| match v.parse::<f64>() {
                    Ok(s) if (1.0..=3600.0).contains(&s) => Ok(s),
                    _ => Err(format!("'{v}' must be a number of seconds from 1 to 3600")),
                },
            )?,
        })
    }

    /// `print-config` rows.
    pub(super) fn describe(&self) -> [(&'static str, String); 6] {
        [
            (
                "SWITCHBOARD_CALLS_PER_SECOND",
                self.calls_per_second.to_string(),
            ),
            (
                "SWITCHBOARD_TEXTS_PER_SECOND",
                self.long_code_texts_per_second.to_string(),
            ),
            (
                "SWITCHBOARD_TOLL_FREE_TEXTS_PER_SECOND",
                self.toll_free_texts_per_second.to_string(),
            ),
            (
                "SWITCHBOARD_SHORT_CODE_TEXTS_PER_SECOND",
                self.short_code_texts_per_second.to_string(),
            ),
            ("SWITCHBOARD_QUIET_HOURS", show_window(self.quiet_hours)),
            ("SWITCHBOARD_OUTBOX_LEASE_SECS", self.lease_secs.to_string()),
        ]
    }
}

/// Sends a second, fractions allowed, from 0.001 (one in 1,000 s) to 1,000.
fn rate(raw: &Raw, key: &str, default: f64) -> Result<f64, ConfigError> {
    parse(raw, key, &default.to_string(), |v| match v.parse::<f64>() {
        Ok(r) if (0.001..=1000.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "'{v}' must be a number of sends a second from 0.001 to 1000"
        )),
    })
}

/// `HH:MM-HH:MM`, two different times (a window that ends before it starts runs past midnight).
fn window(v: &str) -> Result<(Time, Time), String> {
    let bad = || format!("'{v}' must look like 08:00-21:00 (two different times)");
    let (opens, closes) = v.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| t.trim().parse::<Time>().map_err(|_| bad());
    let (opens, closes) = (time(opens)?, time(closes)?);
    if opens == closes {
        return Err(bad());
    }
    Ok((opens, closes))
}

fn show_window((opens, closes): (Time, Time)) -> String {
    format!("{}-{}", opens.strftime("%H:%M"), closes.strftime("%H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_two_different_times_and_a_rate_is_bounded() {
        let w = window("22:00-06:30").unwrap();
        assert_eq!(show_window(w), "22:00-06:30");
        for bad in ["08:00", "09:00-09:00", "8-21", "25:00-21:00"] {
            assert!(window(bad).is_err(), "{bad}");
        }
        assert_eq!(
            show_window(OutboundSettings::default().quiet_hours),
            "08:00-21:00"
        );
    }
}
