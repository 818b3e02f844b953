//! Token pieces are bytes, and one character may be split across tokens.
//! This buffer releases only complete UTF-8, so no delta carries a broken
//! character and none is lost.

/// Accumulates bytes and yields the longest valid UTF-8 prefix.
#[derive(Debug, Default)]
pub struct Utf8Accumulator {
    pending: Vec<u8>,
}

impl Utf8Accumulator {
    /// Adds bytes and returns the text that is now complete.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) => match e.error_len() {
                // Incomplete sequence at the end: keep it for the next piece.
                None => e.valid_up_to(),
                // Invalid bytes: replace them rather than stall forever.
                Some(_) => {
                    let text = String::from_utf8_lossy(&self.pending).into_owned();
                    self.pending.clear();
                    return text;
                }
            },
        };
        let rest = self.pending.split_off(valid);
        let done = std::mem::replace(&mut self.pending, rest);
        String::from_utf8(done).unwrap_or_default()
    }

    /// What is left at the end of the stream, lossily decoded.
    pub fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_a_split_character_until_complete() {
        let mut acc = Utf8Accumulator::default();
        let e = "é".as_bytes();
        assert_eq!(acc.push(b"caf"), "caf");
        assert_eq!(acc.push(&e[..1]), "");
        assert_eq!(acc.push(&e[1..]), "é");
        assert_eq!(acc.finish(), "");
    }

    #[test]
    fn four_byte_emoji_across_three_pieces() {
        let mut acc = Utf8Accumulator::default();
        let b = "🙂!".as_bytes();
        assert_eq!(acc.push(&b[..1]), "");
        assert_eq!(acc.push(&b[1..3]), "");
        assert_eq!(acc.push(&b[3..]), "🙂!");
    }

    #[test]
    fn invalid_bytes_are_replaced_not_stuck() {
        let mut acc = Utf8Accumulator::default();
        assert_eq!(acc.push(&[b'a', 0xff, b'b']), "a\u{fffd}b");
        assert_eq!(acc.push(b"c"), "c");
    }

    #[test]
    fn unfinished_tail_is_flushed_lossily() {
        let mut acc = Utf8Accumulator::default();
        assert_eq!(acc.push(&"é".as_bytes()[..1]), "");
        assert_eq!(acc.finish(), "\u{fffd}");
    }
}
