//! Raw setting values as read, each with where it came from (the file or the variable), and
//! the helpers that turn one into a typed value or an error naming that source.

use std::collections::BTreeMap;
use std::path::Path;

use super::{ConfigError, SETTINGS};

/// Raw values by setting key, remembering where each came from (for error messages).
#[derive(Default)]
pub(super) struct Raw {
    pub(super) values: BTreeMap<&'static str, (String, String)>,
}

impl Raw {
    pub(super) fn get(&self, key: &str) -> Option<&(String, String)> {
        self.values.get(key)
    }
}

pub(super) fn read_file(path: &Path, raw: &mut Raw) -> Result<(), ConfigError> {
    let file_err = |message: String| ConfigError::File {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| file_err(e.to_string()))?;
    for (key, v) in table {
        let Some(s) = SETTINGS.iter().find(|s| s.key == key) else {
            return Err(file_err(format!("unknown setting '{key}'")));
        };
        let text = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(file_err(format!(
                    "'{key}' must be a string, not {}",
                    other.type_str()
                )));
            }
        };
        raw.values
            .insert(s.key, (text, format!("{} in {}", key, path.display())));
    }
    Ok(())
}

pub(super) fn value<'a>(raw: &'a Raw, key: &str) -> Option<&'a str> {
    raw.get(key).map(|(v, _)| v.as_str())
}

fn source_name(raw: &Raw, key: &str) -> String {
    match raw.get(key) {
        Some((_, source)) => source.clone(),
        None => SETTINGS
            .iter()
            .find(|s| s.key == key)
            .map_or(key.to_string(), |s| s.env.to_string()),
    }
}

pub(super) fn invalid(raw: &Raw, key: &str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        source_name: source_name(raw, key),
        message: message.to_string(),
    }
}

pub(super) fn parse<T>(
    raw: &Raw,
    key: &str,
    default: &str,
    f: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    let v = value(raw, key).unwrap_or(default);
    f(v).map_err(|message| invalid(raw, key, &message))
}
