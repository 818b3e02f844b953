//! Newline-delimited JSON over a byte stream. The network may split or join
//! lines (and even UTF-8 characters) arbitrarily, so bytes are buffered and
//! only whole lines are decoded.

use serde::de::DeserializeOwned;

/// Buffers bytes and yields complete JSON lines.
#[derive(Debug, Default)]
pub struct LineDecoder {
    buf: Vec<u8>,
}

impl LineDecoder {
    /// Adds a chunk and decodes every line it completes.
    pub fn push<T: DeserializeOwned>(&mut self, chunk: &[u8]) -> Vec<Result<T, serde_json::Error>> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut start = 0;
        while let Some(pos) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let line = &self.buf[start..start + pos];
            if !line.iter().all(u8::is_ascii_whitespace) {
                out.push(serde_json::from_slice(line));
            }
            start += pos + 1;
        }
        self.buf.drain(..start);
        out
    }

    /// Whether bytes of an unfinished line remain.
    pub fn has_partial(&self) -> bool {
        !self.buf.iter().all(u8::is_ascii_whitespace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep::chat::ChatEvent;

    #[test]
    fn lines_split_anywhere_decode_once() {
        let a = serde_json::to_string(&ChatEvent::Delta {
            text: "héllo".into(),
        })
        .unwrap();
        let b = serde_json::to_string(&ChatEvent::Delta {
            text: "wörld\n".into(),
        })
        .unwrap();
        let all = format!("{a}\n{b}\n");
        let bytes = all.as_bytes();
        // Split inside the multi-byte 'é' and inside the second line.
        let cut1 = a.find('é').unwrap() + 1;
        let cut2 = a.len() + 5;
        let mut d = LineDecoder::default();
        let mut got: Vec<ChatEvent> = Vec::new();
        for part in [&bytes[..cut1], &bytes[cut1..cut2], &bytes[cut2..]] {
            got.extend(d.push::<ChatEvent>(part).into_iter().map(Result::unwrap));
        }
        assert_eq!(
            got,
            vec![
                ChatEvent::Delta {
                    text: "héllo".into()
                },
                ChatEvent::Delta {
                    text: "wörld\n".into()
                }
            ]
        );
        assert!(!d.has_partial());
    }

    #[test]
    fn bad_line_is_an_error_and_does_not_block_the_next() {
        let mut d = LineDecoder::default();
        let got = d.push::<ChatEvent>(b"{oops}\n{\"type\":\"delta\",\"text\":\"x\"}\n{\"ty");
        assert!(got[0].is_err());
        assert_eq!(
            got[1].as_ref().unwrap(),
            &ChatEvent::Delta { text: "x".into() }
        );
        assert!(d.has_partial());
    }
}
