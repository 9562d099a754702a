//! Sign-in: the limits on failed attempts, and a password check that does the same work
//! whether or not anyone signs in with the email.
//!
//! Failures are counted per client address, and per address and email; never per account
//! alone, so whoever guesses at the owner's password blocks only their own address, and the
//! owner still signs in from theirs. After [`PER_ADDRESS_AND_EMAIL`] wrong passwords for one
//! email from one address, or [`PER_ADDRESS`] failed sign-ins (any emails, password spraying)
//! from one address, within [`WINDOW_MS`], that address is refused (429 with Retry-After) until
//! the oldest of those failures is older than the window. A refused attempt checks no password
//! and counts for nothing. IPv6 clients count by their /64, the block a single host is given.
//!
//! The counts live in memory, in this process: simple and right for one server; a restart
//! forgets them, and several servers behind one name each count their own.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use super::secrets;
use super::store::Login;

/// How long a failed sign-in counts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Wrong passwords for one email from one address before that address is refused for it.
pub const PER_ADDRESS_AND_EMAIL: usize = 5;
/// Failed sign-ins (any emails) from one address before the address is refused.
pub const PER_ADDRESS: usize = 20;

/// Checked when nobody signs in with the email, so that an unknown email costs the same
/// argon2 work as a known one and the answer's timing says nothing. A hash of a password
/// nobody has, with the parameters [`secrets::hash_password`] uses (a test compares them).
const NO_ONE: &str = "$argon2id$v=19$m=19456,t=2,p=1$37oFdTTzE+VFLOWxEhebmw$yZTxyPTo3RUsF9pXzxH8YKCoCxsyqpZz90vLRupJe9U";

/// True when `password` is the password of `login`. Always verifies one hash: the person's,
/// or [`NO_ONE`]'s when no active person signs in with the email.
pub fn password_matches(login: Option<&Login>, password: &str) -> bool {
    let hash = login.map_or(NO_ONE, |l| l.password_hash.as_str());
    secrets::verify_password(password, hash) && login.is_some()
}

/// The address failures are counted for: an IPv4 address, or an IPv6 address's /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    pub fn of(addr: IpAddr) -> Client {
        match addr.to_canonical() {
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Client(IpAddr::V6(prefix.into()))
            }
            v4 => Client(v4),
        }
    }
}

/// An email as the counts hold it: its sha256, so that whatever length a client sends, each
/// count costs the same few bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Email([u8; 32]);

impl Email {
    fn of(email: &str) -> Email {
        use sha2::Digest as _;
        Email(sha2::Sha256::digest(email.as_bytes()).into())
    }
}

/// The failed sign-ins of the last [`WINDOW_MS`], per client and per client and email. A
/// std Mutex, not tokio's: it is held for a few map operations and never across an await.
#[derive(Default)]
pub struct SignInLimits(Mutex<Failures>);

impl SignInLimits {
    pub fn new() -> Self {
        Self::default()
    }

    /// `Err(seconds)` when `client` must wait before trying `email` again.
    pub fn check(&self, client: IpAddr, email: &str, now: i64) -> Result<(), u64> {
        self.failures()
            .check(Client::of(client), &Email::of(email), now)
    }

    pub fn failed(&self, client: IpAddr, email: &str, now: i64) {
        self.failures()
            .failed(Client::of(client), Email::of(email), now);
    }

    /// A right password forgets the wrong ones for that email from that address (not the
    /// address's others: one account of one's own must not reset a spraying count).
    pub fn succeeded(&self, client: IpAddr, email: &str) {
        let key = (Client::of(client), Email::of(email));
        self.failures().by_client_email.remove(&key);
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, Failures> {
        // A panic while holding the lock cannot leave the maps half-changed in a way that
        // matters (at worst a failure is not counted), so a poisoned lock is used as it is.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Each list holds the times of the newest failures, oldest first, at most its limit.
#[derive(Default)]
struct Failures {
    by_client: HashMap<Client, VecDeque<i64>>,
    by_client_email: HashMap<(Client, Email), VecDeque<i64>>,
    swept_at: i64,
}

impl Failures {
    fn check(&self, client: Client, email: &Email, now: i64) -> Result<(), u64> {
        let waits = [
            wait(self.by_client.get(&client), PER_ADDRESS, now),
            wait(
                self.by_client_email.get(&(client, email.clone())),
                PER_ADDRESS_AND_EMAIL,
                now,
            ),
        ];
        match waits.into_iter().flatten().max() {
            Some(ms) => Err(u64::try_from(ms).unwrap_or(1).div_ceil(1000).max(1)),
            None => Ok(()),
        }
    }

    fn failed(&mut self, client: Client, email: Email, now: i64) {
        self.sweep(now);
        remember(self.by_client.entry(client), PER_ADDRESS, now);
        let key = (client, email);
        remember(self.by_client_email.entry(key), PER_ADDRESS_AND_EMAIL, now);
    }

    /// Forgets clients whose newest failure has left the window, at most once a minute, so
    /// the maps hold only the last quarter hour's failing clients.
    fn sweep(&mut self, now: i64) {
        if now - self.swept_at < 60_000 {
            return;
        }
        self.swept_at = now;
        let live = |list: &mut VecDeque<i64>| list.back().is_some_and(|t| *t > now - WINDOW_MS);
        self.by_client.retain(|_, list| live(list));
        self.by_client_email.retain(|_, list| live(list));
    }
}

fn remember<K>(entry: Entry<'_, K, VecDeque<i64>>, limit: usize, now: i64) {
    let list = entry.or_default();
    list.push_back(now);
    while list.len() > limit {
        list.pop_front();
    }
}

/// How long (ms) until fewer than `limit` of `list` are inside the window; None when they
/// already are.
fn wait(list: Option<&VecDeque<i64>>, limit: usize, now: i64) -> Option<i64> {
    let recent: Vec<i64> = list?
        .iter()
        .copied()
        .filter(|t| *t > now - WINDOW_MS)
        .collect();
    let oldest_that_counts = recent.len().checked_sub(limit).map(|i| recent[i])?;
    Some(oldest_that_counts + WINDOW_MS - now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::secrets::tests::VERIFIED;
    use crate::accounts::{OrgId, Role};
    use crate::ids::PersonId;

    const MIN: i64 = 60_000;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn five_failures_for_one_email_block_that_address_for_it_alone() {
        let limits = SignInLimits::new();
        let (here, there) = (ip("203.0.113.7"), ip("198.51.100.9"));
        for i in 0..5 {
            assert_eq!(limits.check(here, "owner@x.org", i * MIN), Ok(()));
            limits.failed(here, "owner@x.org", i * MIN);
        }
        // Blocked until the first failure (at 0) is 15 minutes old.
        assert_eq!(limits.check(here, "owner@x.org", 5 * MIN), Err(10 * 60));
        assert_eq!(limits.check(here, "other@x.org", 5 * MIN), Ok(()));
        assert_eq!(limits.check(there, "owner@x.org", 5 * MIN), Ok(()));
        assert_eq!(limits.check(here, "owner@x.org", 15 * MIN - 1), Err(1));
        assert_eq!(limits.check(here, "owner@x.org", 15 * MIN), Ok(()));
    }

    #[test]
    fn twenty_failures_from_one_address_block_it_for_every_email() {
        let limits = SignInLimits::new();
        let here = ip("203.0.113.7");
        for i in 0..20 {
            limits.failed(here, &format!("user{i}@x.org"), 0);
        }
        assert_eq!(limits.check(here, "new@x.org", 0), Err(15 * 60));
        assert_eq!(limits.check(ip("203.0.113.8"), "new@x.org", 0), Ok(()));
        assert_eq!(limits.check(here, "new@x.org", WINDOW_MS), Ok(()));
    }

    #[test]
    fn a_right_password_forgets_that_emails_failures_but_not_the_addresss() {
        let limits = SignInLimits::new();
        let here = ip("203.0.113.7");
        for i in 0..19 {
            limits.failed(here, if i < 4 { "me@x.org" } else { "you@x.org" }, 0);
        }
        limits.succeeded(here, "me@x.org");
        limits.failed(here, "me@x.org", 0);
        assert!(
            limits.check(here, "me@x.org", 0).is_err(),
            "20 from the address"
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            Client::of(ip("2001:db8:1:2:aaaa::1")),
            Client::of(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            Client::of(ip("2001:db8:1:2::1")),
            Client::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            Client::of(ip("::ffff:203.0.113.7")),
            Client::of(ip("203.0.113.7"))
        );
    }

    #[test]
    fn old_failures_are_swept_from_memory() {
        let mut failures = Failures::default();
        let client = Client::of(ip("203.0.113.7"));
        failures.failed(client, Email::of("a@x.org"), 0);
        let other = Client::of(ip("203.0.113.8"));
        failures.failed(other, Email::of("b@x.org"), WINDOW_MS + MIN);
        assert_eq!(failures.by_client.len(), 1);
        assert_eq!(failures.by_client_email.len(), 1);
    }

    #[test]
    fn an_unknown_email_is_checked_against_a_hash_of_the_same_cost() {
        use argon2::password_hash::PasswordHash;
        let real = secrets::hash_password("a real password").unwrap();
        let (real, no_one) = (
            PasswordHash::new(&real).unwrap(),
            PasswordHash::new(NO_ONE).unwrap(),
        );
        assert_eq!(no_one.algorithm, real.algorithm);
        assert_eq!(no_one.version, real.version);
        assert_eq!(no_one.params, real.params);
        assert_eq!(no_one.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    }

    #[test]
    fn every_sign_in_verifies_one_password_hash_whether_or_not_the_email_is_known() {
        let login = Login {
            org: OrgId::new(1),
            person_id: PersonId::new(1),
            role: Role::Owner,
            password_hash: secrets::hash_password("the right one").unwrap(),
        };
        let cases = [
            (Some(&login), "the right one", true),
            (Some(&login), "a wrong one", false),
            (None, "the right one", false),
            (None, "anything", false),
        ];
        for (login, password, matches) in cases {
            let before = VERIFIED.with(|n| n.get());
            assert_eq!(password_matches(login, password), matches);
            let checked = VERIFIED.with(|n| n.get()) - before;
            assert_eq!(checked, 1, "known: {}, {password}", login.is_some());
        }
    }
}
