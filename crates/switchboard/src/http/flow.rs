//! The callback URLs of a flow we drive with TwiML (a hotline walk today; the call tool's and
//! the dialer's next). Each URL carries the ids of what it is about and, where a replay would
//! matter, the round its TwiML was issued in. Twilio signs the whole URL, query included, so
//! they come back exactly as we wrote them; a callback naming an earlier round is a retry or
//! a late duplicate, and the job's model decides what that changes (nothing).

use serde::Deserialize;

use crate::config::Config;

/// The round a callback names: the `round` of its URL, absent on callbacks that do not depend
/// on one. Extract it beside the job's own ids (`Query<Round>` and `Query<Ids>` read the same
/// query string).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Round {
    pub round: Option<i64>,
}

/// The public URL of `path` with the query `ids` (`name=value` pairs joined by `&`) and, when
/// given, the round.
pub fn url(config: &Config, path: &str, ids: &str, round: Option<i64>) -> String {
    match round {
        Some(round) => config.public_url_for(&format!("{path}?{ids}&round={round}")),
        None => config.public_url_for(&format!("{path}?{ids}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_url_carries_its_ids_and_round_and_reads_back_the_round() {
        let config = Config::load(None, &|k| {
            (k == "SWITCHBOARD_PUBLIC_URL").then(|| "https://hotline.example.org".to_string())
        })
        .unwrap();
        let url = url(
            &config,
            "/twilio/hotline/dial-result",
            "incident=7&line=2",
            Some(3),
        );
        assert_eq!(
            url,
            "https://hotline.example.org/twilio/hotline/dial-result?incident=7&line=2&round=3"
        );
        let query = url.split_once('?').unwrap().1;
        let round: Round = serde_urlencoded::from_str(query).unwrap();
        assert_eq!(round.round, Some(3));
        let none: Round = serde_urlencoded::from_str("incident=7&line=2").unwrap();
        assert_eq!(none.round, None);
    }
}
