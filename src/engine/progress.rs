//! Live figures while a reply streams: when to send the next `progress`
//! event, and the output tokens to show before the provider reports any.
//!
//! Sending on every token would flood a slow client with events that
//! repeat each other; a fixed pace keeps the figures fresh at a bounded
//! cost. The first token is always reported at once, since time to first
//! token is what the user is waiting to see.

use std::time::{Duration, Instant};

use crate::outcome::Usage;

/// The least time between two progress events.
pub(super) const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

/// The pace and the token estimate of one stream.
#[derive(Debug)]
pub(super) struct Progress {
    interval: Duration,
    last_sent: Option<Instant>,
    /// Text deltas so far: the output token count until the provider
    /// reports its own (most providers send one token per delta).
    deltas: u32,
}

impl Progress {
    pub(super) fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_sent: None,
            deltas: 0,
        }
    }

    /// Notes a text delta.
    pub(super) fn delta(&mut self) {
        self.deltas = self.deltas.saturating_add(1);
    }

    /// Whether a progress event is due at `now`; if so, it counts as sent.
    /// `first_token` forces one regardless of the pace.
    pub(super) fn due(&mut self, now: Instant, first_token: bool) -> bool {
        let due = first_token
            || self
                .last_sent
                .is_none_or(|last| now.saturating_duration_since(last) >= self.interval);
        if due {
            self.last_sent = Some(now);
        }
        due
    }

    /// The usage to show: the provider's latest report, with the counted
    /// deltas as output tokens while it has reported none.
    pub(super) fn usage(&self, reported: &Usage) -> Usage {
        if reported.output_tokens == 0 {
            Usage {
                output_tokens: self.deltas,
                ..*reported
            }
        } else {
            *reported
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_one_per_interval_plus_the_first_token() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut p = Progress::new(Duration::from_millis(200));
        assert!(p.due(ms(0), false), "the first event is due at once");
        assert!(!p.due(ms(50), false));
        assert!(p.due(ms(60), true), "the first token is reported at once");
        assert!(!p.due(ms(100), false));
        assert!(!p.due(ms(259), false));
        assert!(p.due(ms(260), false));
        assert!(!p.due(ms(400), false));
        assert!(p.due(ms(461), false));
    }

    #[test]
    fn counted_deltas_stand_in_until_the_provider_reports() {
        let mut p = Progress::new(PROGRESS_INTERVAL);
        p.delta();
        p.delta();
        let reported = Usage {
            input_tokens: 9,
            ..Usage::default()
        };
        assert_eq!(
            p.usage(&reported),
            Usage {
                input_tokens: 9,
                output_tokens: 2,
                ..Usage::default()
            }
        );
        let reported = Usage {
            input_tokens: 9,
            output_tokens: 5,
            ..Usage::default()
        };
        assert_eq!(p.usage(&reported), reported);
    }
}
