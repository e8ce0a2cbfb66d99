//! Server-side sign-in sessions: a successful sign-in gets a random id
//! (256 bits from the operating system), which the cookie carries. The
//! server keeps only a SHA-256 digest of each id, in memory, with when it
//! was opened and last used; an id is refused once it has been idle for
//! [`SessionLimits::idle`], past [`SessionLimits::lifetime`] since sign-in,
//! after sign-out, or after a restart (which signs everyone out). The table
//! holds at most [`SessionLimits::max`] sessions: the least recently used
//! one makes room for a new sign-in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Idle time after which a session ends, by default (12 hours).
pub const DEFAULT_SESSION_IDLE_SECS: u64 = 12 * 3600;
/// Time after sign-in at which a session ends however used, by default (7 days).
pub const DEFAULT_SESSION_LIFETIME_SECS: u64 = 7 * 24 * 3600;
/// Sessions kept at once, by default.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;

/// How long sessions last and how many are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after its sign-in, however used.
    pub lifetime: Duration,
    /// Sessions kept at once.
    pub max: usize,
}

impl Default for SessionLimits {
    fn default() -> SessionLimits {
        SessionLimits {
            idle: Duration::from_secs(DEFAULT_SESSION_IDLE_SECS),
            lifetime: Duration::from_secs(DEFAULT_SESSION_LIFETIME_SECS),
            max: DEFAULT_MAX_SESSIONS,
        }
    }
}

/// When a session was opened and last used.
#[derive(Clone, Copy, Debug)]
struct Entry {
    opened: Instant,
    used: Instant,
}

impl Entry {
    fn live(&self, limits: &SessionLimits, now: Instant) -> bool {
        now.duration_since(self.used) < limits.idle
            && now.duration_since(self.opened) < limits.lifetime
    }
}

/// The open sessions, keyed by the digest of their id.
#[derive(Debug)]
pub struct Sessions {
    limits: SessionLimits,
    open: Mutex<HashMap<[u8; 32], Entry>>,
}

fn key(id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"horizon-session-id\0");
    h.update(id.as_bytes());
    h.finalize().into()
}

impl Sessions {
    /// An empty table.
    pub fn new(limits: SessionLimits) -> Sessions {
        Sessions {
            limits,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The limits the table keeps.
    pub fn limits(&self) -> &SessionLimits {
        &self.limits
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>> {
        // A panic elsewhere while holding the lock leaves a usable table.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a session; its id, 64 hex digits, goes into the cookie.
    pub fn open(&self) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut table = self.table();
        if table.len() >= self.limits.max {
            table.retain(|_, e| e.live(&self.limits, now));
        }
        while table.len() >= self.limits.max.max(1) {
            let Some(oldest) = table.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| *k) else {
                break;
            };
            table.remove(&oldest);
        }
        table.insert(
            key(&id),
            Entry {
                opened: now,
                used: now,
            },
        );
        Ok(id)
    }

    /// Whether `id` is an open session; using it keeps it from going idle.
    /// An expired one is removed.
    pub fn check(&self, id: &str) -> bool {
        let k = key(id.trim());
        let now = Instant::now();
        let mut table = self.table();
        match table.get_mut(&k) {
            Some(e) if e.live(&self.limits, now) => {
                e.used = now;
                true
            }
            Some(_) => {
                table.remove(&k);
                false
            }
            None => false,
        }
    }

    /// End the session `id` (sign-out); unknown ids are ignored.
    pub fn close(&self, id: &str) {
        self.table().remove(&key(id.trim()));
    }

    /// Sessions in the table (expired ones not yet removed included).
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(idle_ms: u64, lifetime_ms: u64, max: usize) -> Sessions {
        Sessions::new(SessionLimits {
            idle: Duration::from_millis(idle_ms),
            lifetime: Duration::from_millis(lifetime_ms),
            max,
        })
    }

    #[test]
    fn random_ids_that_close() {
        let s = table(60_000, 60_000, 10);
        let a = s.open().unwrap_or_else(|e| panic!("{e}"));
        let b = s.open().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(s.check(&a) && s.check(&b));
        assert!(!s.check("0".repeat(64).as_str()));
        s.close(&a);
        assert!(!s.check(&a), "a closed session is refused");
        assert!(s.check(&b));
    }

    // Guards #28 item 8: sessions end after their idle time and lifetime.
    #[test]
    fn sessions_expire() {
        let s = table(50, 60_000, 10);
        let a = s.open().unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(120));
        assert!(!s.check(&a), "idle past its limit");
        assert!(s.is_empty(), "the expired session is removed");
        let s = table(60_000, 100, 10);
        let b = s.open().unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..4 {
            std::thread::sleep(Duration::from_millis(40));
            let _ = s.check(&b);
        }
        std::thread::sleep(Duration::from_millis(40));
        assert!(!s.check(&b), "used all along, still ends at its lifetime");
    }

    #[test]
    fn the_table_is_bounded() {
        let s = table(60_000, 60_000, 3);
        let ids: Vec<String> = (0..5)
            .map(|_| s.open().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(s.len(), 3);
        assert!(!s.check(&ids[0]) && !s.check(&ids[1]));
        assert!(ids[2..].iter().all(|id| s.check(id)));
    }
}
