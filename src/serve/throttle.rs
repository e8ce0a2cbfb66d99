//! Throttling of failed authentication: a token bucket per client address
//! (IPv6 by its /64, what one machine usually holds) and one for the whole
//! server. Checking a token first takes one from both buckets; a right
//! token gives it back, so signed-in use is never slowed, while a wrong
//! one keeps it spent. Taking before checking is what bounds parallel
//! guessing: at most a bucket's burst of checks can be under way unpaid.
//! With a bucket empty the credential is not checked at all (429 with
//! `Retry-After`), so the answer says nothing about the guess.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A bucket's size and refill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Failures allowed at once (the bucket's size).
    pub burst: u32,
    /// Failures allowed per minute after that (the refill).
    pub per_minute: u32,
}

/// Failed attempts allowed per address, by default: 10 at once, then one
/// every 2 s.
pub const DEFAULT_FAILURES_PER_ADDRESS: Budget = Budget {
    burst: 10,
    per_minute: 30,
};
/// Failed attempts allowed across every address, by default: 100 at once,
/// then 10 a second.
pub const DEFAULT_FAILURES_GLOBAL: Budget = Budget {
    burst: 100,
    per_minute: 600,
};
/// Addresses tracked at once; beyond, new addresses count only globally.
const MAX_TRACKED: usize = 65_536;

/// How many failures are allowed, per address and in all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FailureLimits {
    /// Per client address.
    pub per_address: Budget,
    /// Across every address.
    pub global: Budget,
}

impl Default for FailureLimits {
    fn default() -> FailureLimits {
        FailureLimits {
            per_address: DEFAULT_FAILURES_PER_ADDRESS,
            global: DEFAULT_FAILURES_GLOBAL,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(b: Budget, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(b.burst),
            at: now,
        }
    }

    fn refill(&mut self, b: Budget, now: Instant) {
        let rate = f64::from(b.per_minute) / 60.0;
        let gained = now.duration_since(self.at).as_secs_f64() * rate;
        self.tokens = (self.tokens + gained).min(f64::from(b.burst));
        self.at = now;
    }

    /// Time until one token is there again.
    fn wait(&self, b: Budget) -> Duration {
        let rate = f64::from(b.per_minute) / 60.0;
        if rate <= 0.0 {
            return Duration::from_secs(3600);
        }
        Duration::from_secs_f64(((1.0 - self.tokens) / rate).clamp(0.0, 3600.0))
    }
}

/// The address a bucket belongs to: IPv4 as is, IPv6 by its /64.
pub(super) fn bucket_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[derive(Debug)]
struct State {
    global: Bucket,
    addresses: HashMap<IpAddr, Bucket>,
}

/// The failure buckets of one server.
#[derive(Debug)]
pub struct Throttle {
    limits: FailureLimits,
    state: Mutex<State>,
}

/// Too many failures: wait this long before trying again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    /// Whole seconds to wait, at least 1 (the `Retry-After` value).
    pub retry_after_secs: u64,
}

/// One credential check paid for in advance: [`Attempt::succeeded`] gives
/// the tokens back; dropped otherwise, they stay spent.
#[derive(Debug)]
#[must_use = "an attempt is settled by succeeded() or by dropping it (a failure)"]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    key: Option<IpAddr>,
}

impl Attempt<'_> {
    /// The credential was right: refund what the check took.
    pub fn succeeded(self) {
        let mut st = self.throttle.state();
        let limits = self.throttle.limits;
        st.global.tokens = (st.global.tokens + 1.0).min(f64::from(limits.global.burst));
        if let Some(b) = self.key.and_then(|k| st.addresses.get_mut(&k)) {
            b.tokens = (b.tokens + 1.0).min(f64::from(limits.per_address.burst));
        }
    }
}

impl Throttle {
    /// Full buckets.
    pub fn new(limits: FailureLimits) -> Throttle {
        Throttle {
            limits,
            state: Mutex::new(State {
                global: Bucket::full(limits.global, Instant::now()),
                addresses: HashMap::new(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Pay for checking a credential from `client`, or say how long to wait.
    pub fn attempt(&self, client: IpAddr) -> Result<Attempt<'_>, Throttled> {
        let limits = self.limits;
        let now = Instant::now();
        let key = bucket_key(client);
        let mut st = self.state();
        st.global.refill(limits.global, now);
        if st.addresses.len() >= MAX_TRACKED && !st.addresses.contains_key(&key) {
            // Buckets that have filled up again are the same as none.
            st.addresses.retain(|_, b| {
                b.refill(limits.per_address, now);
                b.tokens < f64::from(limits.per_address.burst)
            });
        }
        let tracked = st.addresses.len() < MAX_TRACKED || st.addresses.contains_key(&key);
        let mut wait = Duration::ZERO;
        if tracked {
            let b = st
                .addresses
                .entry(key)
                .or_insert_with(|| Bucket::full(limits.per_address, now));
            b.refill(limits.per_address, now);
            if b.tokens < 1.0 {
                wait = b.wait(limits.per_address);
            }
        }
        if st.global.tokens < 1.0 {
            wait = wait.max(st.global.wait(limits.global));
        }
        if st.global.tokens < 1.0 || !wait.is_zero() {
            return Err(Throttled {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            });
        }
        st.global.tokens -= 1.0;
        if let Some(b) = tracked.then(|| st.addresses.get_mut(&key)).flatten() {
            b.tokens -= 1.0;
        }
        Ok(Attempt {
            throttle: self,
            key: tracked.then_some(key),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn throttle(per_address: u32, global: u32) -> Throttle {
        Throttle::new(FailureLimits {
            per_address: Budget {
                burst: per_address,
                per_minute: 1,
            },
            global: Budget {
                burst: global,
                per_minute: 1,
            },
        })
    }

    #[test]
    fn failures_spend_successes_refund() {
        let t = throttle(3, 100);
        for _ in 0..10 {
            t.attempt(ip("10.0.0.1"))
                .unwrap_or_else(|e| panic!("{e:?}"))
                .succeeded();
        }
        for _ in 0..3 {
            drop(
                t.attempt(ip("10.0.0.1"))
                    .unwrap_or_else(|e| panic!("{e:?}")),
            );
        }
        let err = t.attempt(ip("10.0.0.1")).unwrap_err();
        assert!(err.retry_after_secs >= 1, "{err:?}");
        assert!(t.attempt(ip("10.0.0.2")).is_ok(), "another address goes on");
    }

    #[test]
    fn parallel_checks_are_paid_up_front() {
        let t = throttle(3, 100);
        let held: Vec<_> = (0..3)
            .filter_map(|_| t.attempt(ip("10.0.0.1")).ok())
            .collect();
        assert_eq!(held.len(), 3);
        assert!(
            t.attempt(ip("10.0.0.1")).is_err(),
            "no fourth check in flight"
        );
    }

    #[test]
    fn the_global_budget_holds_across_addresses() {
        let t = throttle(3, 5);
        for n in 0..5 {
            drop(
                t.attempt(ip(&format!("10.0.1.{n}")))
                    .unwrap_or_else(|e| panic!("{e:?}")),
            );
        }
        assert!(t.attempt(ip("10.0.2.1")).is_err());
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        let t = throttle(2, 100);
        drop(
            t.attempt(ip("2001:db8::1"))
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
        drop(
            t.attempt(ip("2001:db8::2"))
                .unwrap_or_else(|e| panic!("{e:?}")),
        );
        assert!(t.attempt(ip("2001:db8::3")).is_err());
        assert!(t.attempt(ip("2001:db8:0:1::1")).is_ok());
    }
}
