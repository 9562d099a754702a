//! Scenario files: the scripted behaviour of named numbers, in TOML or JSON.
//!
//! ```toml
//! seed = 7                      # optional: seeds the mix for unscripted numbers
//! [default]                     # optional: used for every unscripted number instead of the mix
//! outcome = "answer"
//!
//! [numbers."+15005550111"]
//! answer_after_secs = 5
//! press = ["1"]
//! say = "Please call me back"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::Behaviour;

/// Scripted behaviour for named numbers plus an optional default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Overrides `SimConfig::seed` when set.
    pub seed: Option<u64>,
    /// Behaviour of every number not listed in `numbers` (else the seeded mix).
    pub default: Option<Behaviour>,
    /// Behaviour per E.164 number.
    pub numbers: BTreeMap<String, Behaviour>,
}

impl Scenario {
    /// Reads a scenario from a `.toml` or `.json` file.
    pub fn load(path: &Path) -> anyhow::Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading scenario {}", path.display()))?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let scenario = if is_json {
            Scenario::from_json(&text)
        } else {
            Scenario::from_toml(&text)
        };
        scenario.with_context(|| format!("parsing scenario {}", path.display()))
    }

    /// Parses a TOML scenario.
    pub fn from_toml(text: &str) -> anyhow::Result<Scenario> {
        let scenario: Scenario = toml::from_str(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Parses a JSON scenario.
    pub fn from_json(text: &str) -> anyhow::Result<Scenario> {
        let scenario: Scenario = serde_json::from_str(text)?;
        scenario.validate()?;
        Ok(scenario)
    }

    fn validate(&self) -> anyhow::Result<()> {
        for (number, behaviour) in &self.numbers {
            behaviour
                .validate()
                .map_err(|e| anyhow::anyhow!("numbers.{number:?}: {e}"))?;
        }
        if let Some(default) = &self.default {
            default
                .validate()
                .map_err(|e| anyhow::anyhow!("default: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::Outcome;

    #[test]
    fn a_toml_scenario_scripts_numbers_by_e164() {
        let s = Scenario::from_toml(
            "[numbers.\"+15005550111\"]\nanswer_after_secs = 5\npress = [\"1\"]\n\
             [numbers.\"+15005550112\"]\noutcome = \"busy\"\n",
        )
        .unwrap();
        assert_eq!(s.numbers["+15005550111"].press, vec!["1"]);
        assert_eq!(s.numbers["+15005550112"].outcome, Outcome::Busy);
    }

    #[test]
    fn a_json_scenario_reads_the_same_fields() {
        let s = Scenario::from_json(r#"{"numbers":{"+1500":{"outcome":"no-answer"}}}"#).unwrap();
        assert_eq!(s.numbers["+1500"].outcome, Outcome::NoAnswer);
    }

    #[test]
    fn an_unknown_field_is_an_error_naming_it() {
        let err = Scenario::from_toml("[numbers.\"+1\"]\nanswr = 1\n").unwrap_err();
        assert!(format!("{err:#}").contains("answr"), "{err:#}");
    }
}
