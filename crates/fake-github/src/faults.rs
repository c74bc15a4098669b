//! Faults injected on demand, deterministic for a seed and a sequence of requests.

use std::time::Duration;

/// What goes wrong, and how often. `Faults::default()` is a healthy server.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Seed of the fault sequence: the same seed and the same requests give the same faults.
    pub seed: u64,
    /// Share (0.0..=1.0) of requests answered with a fault instead of being served: a 502 (GitHub's
    /// HTML "Unicorn" page or a JSON body), a 429 or a secondary-rate-limit 403 (both with
    /// `retry-after`).
    pub rate: f64,
    /// Value of the `retry-after` header in faults.
    pub retry_after_secs: u64,
    /// Delay added before every response.
    pub delay: Duration,
    /// Share of successful writes (POST/PATCH/PUT/DELETE) applied and then answered by dropping
    /// the connection without a response.
    pub drop_after_write: f64,
}

/// The kinds of fault a request may get instead of being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultKind {
    BadGatewayHtml,
    BadGatewayJson,
    TooManyRequests,
    SecondaryRateLimit,
}

/// SplitMix64: tiny, seedable, good enough to spread faults.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The configured faults and the two random streams they draw from (one for "fault this request",
/// one for "drop after this write"), so that one setting does not shift the other's sequence.
#[derive(Debug)]
pub(crate) struct FaultState {
    pub(crate) config: Faults,
    requests: SplitMix,
    writes: SplitMix,
}

impl FaultState {
    pub(crate) fn new(config: Faults) -> FaultState {
        FaultState {
            requests: SplitMix::new(config.seed),
            writes: SplitMix::new(config.seed ^ 0xD1B5_4A32_D192_ED03),
            config,
        }
    }

    /// Draws whether (and how) the next request fails. Draws nothing when faults are off.
    pub(crate) fn next_fault(&mut self) -> Option<FaultKind> {
        if self.config.rate <= 0.0 {
            return None;
        }
        if self.requests.next_f64() >= self.config.rate {
            return None;
        }
        Some(match self.requests.next_u64() % 4 {
            0 => FaultKind::BadGatewayHtml,
            1 => FaultKind::BadGatewayJson,
            2 => FaultKind::TooManyRequests,
            _ => FaultKind::SecondaryRateLimit,
        })
    }

    /// Draws whether the write just applied is answered by dropping the connection.
    pub(crate) fn drop_this_write(&mut self) -> bool {
        self.config.drop_after_write > 0.0 && self.writes.next_f64() < self.config.drop_after_write
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let config = Faults {
            seed: 7,
            rate: 0.5,
            ..Faults::default()
        };
        let mut a = FaultState::new(config.clone());
        let mut b = FaultState::new(config);
        let xs: Vec<_> = (0..100).map(|_| a.next_fault()).collect();
        let ys: Vec<_> = (0..100).map(|_| b.next_fault()).collect();
        assert_eq!(xs, ys);
        let faults = xs.iter().filter(|f| f.is_some()).count();
        assert!(
            (30..70).contains(&faults),
            "{faults} faults of 100 at rate 0.5"
        );
    }

    #[test]
    fn rate_one_always_faults_and_zero_never() {
        let mut always = FaultState::new(Faults {
            rate: 1.0,
            ..Faults::default()
        });
        assert!((0..50).all(|_| always.next_fault().is_some()));
        let mut never = FaultState::new(Faults::default());
        assert!((0..50).all(|_| never.next_fault().is_none()));
        assert!((0..50).all(|_| !never.drop_this_write()));
    }
}
