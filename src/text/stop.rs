//! Stop sequences while streaming.
//!
//! Text that might be the beginning of a stop sequence is held back until it
//! is known not to be one, so a stop sequence never reaches the client, not
//! even in part, and no other text is delayed longer than it must be.

/// Finds stop sequences in a stream of text deltas.
#[derive(Debug, Default)]
pub struct StopMatcher {
    stops: Vec<String>,
    held: String,
}

/// The result of feeding one delta.
#[derive(Debug, PartialEq, Eq)]
pub struct Fed {
    /// Text safe to emit now.
    pub emit: String,
    /// A stop sequence was found; generation must end.
    pub stopped: bool,
}

impl StopMatcher {
    pub fn new(stops: &[String]) -> Self {
        Self {
            stops: stops.iter().filter(|s| !s.is_empty()).cloned().collect(),
            held: String::new(),
        }
    }

    /// Feeds a delta.
    pub fn feed(&mut self, delta: &str) -> Fed {
        if self.stops.is_empty() {
            return Fed {
                emit: delta.to_owned(),
                stopped: false,
            };
        }
        self.held.push_str(delta);
        // The earliest complete stop sequence wins.
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()))
            .min()
        {
            let emit = self.held[..at].to_owned();
            self.held.clear();
            return Fed {
                emit,
                stopped: true,
            };
        }
        // Hold back the longest suffix that is a prefix of some stop sequence.
        let keep = self.longest_partial_suffix();
        let cut = self.held.len() - keep;
        let emit = self.held[..cut].to_owned();
        self.held.drain(..cut);
        Fed {
            emit,
            stopped: false,
        }
    }

    /// Releases what was held back when the stream ends without a stop.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }

    fn longest_partial_suffix(&self) -> usize {
        let mut best = 0;
        for stop in &self.stops {
            // Proper prefixes of `stop`, longest first, on char boundaries.
            for (i, _) in stop
                .char_indices()
                .skip(1)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                let prefix = &stop[..i];
                if prefix.len() > best && self.held.ends_with(prefix) {
                    best = prefix.len();
                    break;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], deltas: &[&str]) -> (String, bool) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut m = StopMatcher::new(&stops);
        let mut out = String::new();
        for d in deltas {
            let fed = m.feed(d);
            out.push_str(&fed.emit);
            if fed.stopped {
                return (out, true);
            }
        }
        out.push_str(&m.finish());
        (out, false)
    }

    #[test]
    fn without_stops_everything_passes_through() {
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
    }

    #[test]
    fn stop_split_across_deltas_is_never_emitted() {
        assert_eq!(
            run(&["END"], &["hello E", "N", "D world"]),
            ("hello ".into(), true)
        );
    }

    #[test]
    fn false_start_is_released() {
        let stops = vec!["END".to_string()];
        let mut m = StopMatcher::new(&stops);
        assert_eq!(m.feed("x EN").emit, "x ");
        let fed = m.feed("O");
        assert_eq!(fed.emit, "ENO");
        assert!(!fed.stopped);
    }

    #[test]
    fn earliest_of_several_stops_wins() {
        assert_eq!(run(&["b", "a"], &["xxab"]), ("xx".into(), true));
    }

    #[test]
    fn held_text_is_flushed_at_the_end() {
        assert_eq!(run(&["\n\n"], &["line\n"]), ("line\n".into(), false));
    }

    #[test]
    fn multibyte_stop_sequences() {
        assert_eq!(run(&["→x"], &["a→", "x"]), ("a".into(), true));
    }
}
