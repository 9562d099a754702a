//! The machinery behind the webhook parameter structs: reading typed values out of form pairs,
//! writing them back, and the `webhook_params!` macro that ties a struct to its wire names.

use std::collections::BTreeMap;

use super::{Media, WebhookError};
use crate::resources::{
    AnsweredBy, CallDirection, CallStatus, DialCallStatus, MessageDirection, MessageStatus,
};

/// Form pairs not yet claimed by a field.
pub(crate) struct Fields {
    pairs: Vec<(String, String)>,
}

impl Fields {
    pub fn new(pairs: &[(String, String)]) -> Self {
        Self {
            pairs: pairs.to_vec(),
        }
    }

    /// Removes every pair with this name, returning the first value.
    pub fn take(&mut self, name: &str) -> Option<String> {
        let first = self
            .pairs
            .iter()
            .position(|(key, _)| key == name)
            .map(|i| self.pairs[i].1.clone());
        self.pairs.retain(|(key, _)| key != name);
        first
    }

    /// The unclaimed pairs; for a repeated name the first value wins.
    pub fn into_rest(self) -> BTreeMap<String, String> {
        let mut rest = BTreeMap::new();
        for (key, value) in self.pairs {
            rest.entry(key).or_insert(value);
        }
        rest
    }
}

/// A single value as Twilio writes it in a form.
pub(crate) trait Wire: Sized {
    fn from_wire(value: &str) -> Result<Self, String>;
    fn to_wire(&self) -> String;
}

macro_rules! wire_via_from_str {
    ($($ty:ty),*) => {$(
        impl Wire for $ty {
            fn from_wire(value: &str) -> Result<Self, String> {
                value.trim().parse().map_err(|err: <$ty as std::str::FromStr>::Err| err.to_string())
            }
            fn to_wire(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
wire_via_from_str!(
    u32,
    i64,
    f64,
    CallStatus,
    CallDirection,
    AnsweredBy,
    DialCallStatus,
    MessageStatus,
    MessageDirection
);

impl Wire for String {
    fn from_wire(value: &str) -> Result<Self, String> {
        Ok(value.to_owned())
    }
    fn to_wire(&self) -> String {
        self.clone()
    }
}

impl Wire for bool {
    fn from_wire(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err("expected true or false".to_owned()),
        }
    }
    fn to_wire(&self) -> String {
        self.to_string()
    }
}

/// How a struct field is read from and written to the form.
pub(crate) trait Field: Sized {
    fn take(fields: &mut Fields, name: &'static str) -> Result<Self, WebhookError>;
    fn put(&self, name: &'static str, out: &mut Vec<(String, String)>);
}

fn invalid(name: &'static str, value: &str, reason: String) -> WebhookError {
    WebhookError::Invalid {
        field: name,
        value: value.to_owned(),
        reason,
    }
}

/// Required: missing is an error.
impl<T: Wire> Field for T {
    fn take(fields: &mut Fields, name: &'static str) -> Result<Self, WebhookError> {
        let value = fields
            .take(name)
            .ok_or(WebhookError::Missing { field: name })?;
        T::from_wire(&value).map_err(|reason| invalid(name, &value, reason))
    }
    fn put(&self, name: &'static str, out: &mut Vec<(String, String)>) {
        out.push((name.to_owned(), self.to_wire()));
    }
}

/// Optional: missing or empty is `None`.
impl<T: Wire> Field for Option<T> {
    fn take(fields: &mut Fields, name: &'static str) -> Result<Self, WebhookError> {
        match fields.take(name) {
            None => Ok(None),
            Some(value) if value.is_empty() => Ok(None),
            Some(value) => T::from_wire(&value)
                .map(Some)
                .map_err(|reason| invalid(name, &value, reason)),
        }
    }
    fn put(&self, name: &'static str, out: &mut Vec<(String, String)>) {
        if let Some(value) = self {
            out.push((name.to_owned(), value.to_wire()));
        }
    }
}

/// Media of an inbound message: `MediaUrl0`, `MediaContentType0`, `MediaUrl1`, ...
/// (`name` is unused: the numbered names are fixed by Twilio).
impl Field for Vec<Media> {
    fn take(fields: &mut Fields, _name: &'static str) -> Result<Self, WebhookError> {
        let mut media = Vec::new();
        for index in 0.. {
            let Some(url) = fields.take(&format!("MediaUrl{index}")) else {
                break;
            };
            let content_type = fields.take(&format!("MediaContentType{index}"));
            media.push(Media { url, content_type });
        }
        Ok(media)
    }
    fn put(&self, _name: &'static str, out: &mut Vec<(String, String)>) {
        for (index, media) in self.iter().enumerate() {
            out.push((format!("MediaUrl{index}"), media.url.clone()));
            if let Some(content_type) = &media.content_type {
                out.push((format!("MediaContentType{index}"), content_type.clone()));
            }
        }
    }
}

/// Declares a webhook parameter struct: each field with its Twilio name, plus `extra` for the
/// rest, with `from_pairs`, `to_pairs` and serde `Deserialize` from a form.
macro_rules! webhook_params {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $wire:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* #[doc = concat!("`", $wire, "`")] pub $field: $ty, )*
            /// Every parameter without a field of its own, kept as sent.
            pub extra: ::std::collections::BTreeMap<String, String>,
        }

        impl $name {
            /// Reads the parameters of a form; unknown names go to `extra`.
            pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, $crate::webhook::WebhookError> {
                let mut fields = $crate::webhook::fields::Fields::new(pairs);
                Ok(Self {
                    $( $field: $crate::webhook::fields::Field::take(&mut fields, $wire)?, )*
                    extra: fields.into_rest(),
                })
            }

            /// The form Twilio would send: fields first, then `extra`.
            pub fn to_pairs(&self) -> Vec<(String, String)> {
                let mut out = Vec::new();
                $( $crate::webhook::fields::Field::put(&self.$field, $wire, &mut out); )*
                out.extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
                out
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let pairs = deserializer.deserialize_map($crate::webhook::fields::PairsVisitor)?;
                Self::from_pairs(&pairs).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use webhook_params;

/// Collects a serde map (a form, a JSON object of strings) into pairs.
pub(crate) struct PairsVisitor;

impl<'de> serde::de::Visitor<'de> for PairsVisitor {
    type Value = Vec<(String, String)>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("form parameters")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = map.next_entry::<String, String>()? {
            pairs.push(pair);
        }
        Ok(pairs)
    }
}
