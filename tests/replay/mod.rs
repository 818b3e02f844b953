//! A local HTTP server that replays recorded provider responses and records
//! the requests it gets: the stand-in for the paid APIs.
//!
//! A fixture is an HTTP response as it appears on the wire: a status line,
//! headers, a blank line, the body. Event-stream bodies are sent one SSE
//! record at a time, each record in two network chunks cut at its middle
//! byte (so events and UTF-8 characters arrive split, as they do from real
//! servers). Two SSE comments steer the replay and are never sent:
//! `: replay stall` keeps the connection open forever, writing a keep-alive
//! comment every 20 ms (so a client that leaves is noticed); `: replay
//! silence` keeps it open without a byte.

// The replay server runs its connections on tasks of its own, which end
// with the test.
#![allow(clippy::disallowed_methods)]
#![allow(dead_code)] // each test crate uses its own part of the helpers

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::serve::ListenerExt;
use futures::StreamExt;
use serde_json::Value;

/// One recorded response.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub pieces: Vec<Piece>,
}

/// A part of a response body.
#[derive(Debug, Clone)]
pub enum Piece {
    Bytes(Bytes),
    /// Keep the connection open, writing keep-alive comments.
    Stall,
    /// Keep the connection open without writing.
    Silence,
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    /// The JSON body (a string when it was not JSON).
    pub body: Value,
}

struct Shared {
    script: Mutex<VecDeque<Recorded>>,
    seen: Mutex<Vec<Seen>>,
    /// A response body was dropped before it was all sent: the client left.
    disconnected: AtomicBool,
    served: AtomicUsize,
}

/// A running replay server.
pub struct Replay {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Replay {
    /// Serves `script` in order; the last response repeats.
    pub async fn start(script: Vec<Recorded>) -> Replay {
        assert!(!script.is_empty(), "a replay needs at least one response");
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            seen: Mutex::new(Vec::new()),
            disconnected: AtomicBool::new(false),
            served: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind the replay server");
        let addr = listener.local_addr().expect("local address");
        // Small SSE writes must leave at once, as from a real API server:
        // with Nagle's algorithm on, each waits for the client's delayed ACK.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Replay {
            url: format!("http://{addr}"),
            shared,
            server,
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("lock").clone()
    }

    /// Whether a client left before its response was fully sent, waiting
    /// up to `within` for it to happen.
    pub async fn disconnected_within(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            if self.shared.disconnected.load(Ordering::SeqCst) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.shared.disconnected.load(Ordering::SeqCst)
    }
}

async fn serve(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: parts.headers.clone(),
        body,
    };
    if parts.method == axum::http::Method::GET && parts.uri.path().ends_with("/models") {
        // The start-up check of an OpenAI-compatible server: not part of
        // any script.
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"object":"list","data":[{"id":"test-model","object":"model","owned_by":"vllm"}]}"#,
            ))
            .expect("response");
    }
    shared.seen.lock().expect("lock").push(seen);
    let recorded = {
        let mut script = shared.script.lock().expect("lock");
        if script.len() > 1 {
            script.pop_front()
        } else {
            script.front().cloned()
        }
    };
    let Some(recorded) = recorded else {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::from("empty replay script"))
            .expect("response");
    };
    shared.served.fetch_add(1, Ordering::SeqCst);
    let mut response =
        Response::builder().status(StatusCode::from_u16(recorded.status).expect("status"));
    for (name, value) in &recorded.headers {
        response = response.header(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    let guard = Sent {
        shared: Arc::clone(&shared),
        finished: false,
    };
    let body = futures::stream::unfold(
        (recorded.pieces.into_iter(), guard, false),
        |(mut pieces, mut guard, stalled)| async move {
            if stalled {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let ping = Bytes::from_static(b": keep-alive\n\n");
                return Some((Ok::<_, std::io::Error>(ping), (pieces, guard, true)));
            }
            match pieces.next() {
                Some(Piece::Bytes(b)) => Some((Ok(b), (pieces, guard, false))),
                Some(Piece::Stall) => {
                    let ping = Bytes::from_static(b": keep-alive\n\n");
                    Some((Ok(ping), (pieces, guard, true)))
                }
                Some(Piece::Silence) => {
                    std::future::pending::<()>().await;
                    None
                }
                None => {
                    guard.complete();
                    None
                }
            }
        },
    )
    .boxed();
    response.body(Body::from_stream(body)).expect("response")
}

/// Notes a response body dropped before its end.
struct Sent {
    shared: Arc<Shared>,
    finished: bool,
}

impl Sent {
    fn complete(&mut self) {
        self.finished = true;
    }
}

impl Drop for Sent {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.disconnected.store(true, Ordering::SeqCst);
        }
    }
}

/// The fixtures folder of the crate.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads a recorded response.
pub fn load(path: &Path) -> Recorded {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    parse(&text).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// Parses a response in wire form.
pub fn parse(text: &str) -> Result<Recorded, String> {
    let (head, body) = text
        .split_once("\n\n")
        .ok_or("no blank line after the headers")?;
    let head = head.replace('\r', "");
    let mut lines = head.lines();
    let status_line = lines.next().ok_or("no status line")?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header {line:?}"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let is_sse = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.contains("text/event-stream"));
    let pieces = if is_sse {
        sse_pieces(body)
    } else {
        vec![Piece::Bytes(Bytes::from(body.to_owned()))]
    };
    Ok(Recorded {
        status,
        headers,
        pieces,
    })
}

fn sse_pieces(body: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        // Records end with a blank line, LF or CRLF.
        let end = [
            rest.find("\n\n").map(|at| at + 2),
            rest.find("\r\n\r\n").map(|at| at + 4),
        ]
        .into_iter()
        .flatten()
        .min();
        let (record, tail) = match end {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        rest = tail;
        match record.trim() {
            ": replay stall" => pieces.push(Piece::Stall),
            ": replay silence" => pieces.push(Piece::Silence),
            "" => {}
            _ => {
                let bytes = record.as_bytes();
                let middle = bytes.len() / 2;
                pieces.push(Piece::Bytes(Bytes::copy_from_slice(&bytes[..middle])));
                pieces.push(Piece::Bytes(Bytes::copy_from_slice(&bytes[middle..])));
            }
        }
    }
    pieces
}
