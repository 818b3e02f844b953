//! The `pep` binary as a process, stopped while a reply streams: killed
//! outright (SIGKILL, as by the OOM killer or a lost host), and asked to
//! stop (SIGTERM, as by systemd, Docker or Kubernetes). Nothing is lost:
//! the killed run comes back `interrupted` with the text that had arrived
//! and its conversation keeps the user's message; the stopped one is
//! recorded `cancelled` and its client gets a `done` that says so.
//!
//! The model is an OpenAI-compatible server replaying a reply that stalls
//! after two deltas, so the run is mid-stream whenever the test acts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../../tests/replay/mod.rs"]
mod replay;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};

/// What the stalled fixture sends before it stalls.
const PARTIAL: &str = "Hello, wörld";

/// A catalog whose one model is served by `url` (the replay).
fn write_catalog(dir: &Path, url: &str) -> PathBuf {
    let path = dir.join("models.yaml");
    let text = format!(
        r#"
endpoints:
  vllm:
    kind: openai_compatible
    base_url: {url}/v1
models:
  - id: vllm/qwen
    label: Qwen
    endpoint: vllm
    provider_model: test-model
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `pep`, its address and its log.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    /// Starts `pep` on a port of the system's choice, with the shortest
    /// run lease and a one-second grace, and waits until it serves.
    fn start(dir: &Path, catalog: &Path, name: &str) -> Self {
        let log = dir.join(format!("{name}.log"));
        std::fs::File::create(&log).unwrap();
        let append = || std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        // Run from the scratch folder, so no developer's `.env` applies.
        let mut child = Command::new(env!("CARGO_BIN_EXE_pep"))
            .current_dir(dir)
            .args(["--addr", "127.0.0.1:0"])
            .env("PEP_DATA_DIR", dir.join("data"))
            .env("PEP_MODELS_CONFIG", catalog)
            .env("PEP_RUN_LEASE_SECONDS", "3")
            .env("PEP_SHUTDOWN_GRACE_SECONDS", "1")
            .env("RUST_LOG", "info")
            .env_remove("PEP_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(append())
            .spawn()
            .expect("pep starts");
        // The log goes to stdout: copy it to the log file, and read the
        // address the server chose from it.
        let stdout = child.stdout.take().unwrap();
        let (address, found) = std::sync::mpsc::channel();
        let mut copy = append();
        std::thread::spawn(move || {
            use std::io::Write;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(copy, "{line}");
                if let Some(url) = line.strip_prefix("PEP is serving at ") {
                    let _ = address.send(url.to_owned());
                }
            }
        });
        let Ok(base) = found.recv_timeout(Duration::from_secs(60)) else {
            panic!(
                "pep did not start serving:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        };
        Self { child, base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to end; its exit status.
    fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "pep did not stop within {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A streamed chat turn: its server-sent events as JSON, one by one.
struct Events {
    body: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: Vec<u8>,
    /// Why the stream ended early, if it did.
    broken: Option<String>,
}

impl Events {
    async fn open(server: &Server, conversation: &str) -> Self {
        let response = reqwest::Client::new()
            .post(server.url("/api/v1/chat"))
            .json(&json!({
                "model": "vllm/qwen",
                "messages": [{"role": "user", "content": "Tell me a story."}],
                "conversation_id": conversation,
                "stream": true
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", server.log());
        Self {
            body: response.bytes_stream().boxed(),
            buffer: Vec::new(),
            broken: None,
        }
    }

    /// The next event; `None` at the end of the stream.
    async fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let record: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let text = String::from_utf8(record).unwrap();
                let data: String = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if data.is_empty() {
                    continue; // a comment (keep-alive)
                }
                return Some(serde_json::from_str(&data).unwrap());
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buffer.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    self.broken = Some(format!("{e:?}"));
                    return None;
                }
                None => return None,
            }
        }
    }

    /// Reads until the text so far is [`PARTIAL`]; the run's id.
    async fn until_partial(&mut self) -> String {
        let mut run_id = None;
        let mut text = String::new();
        while text != PARTIAL {
            let event = self.next().await.expect("the stream goes on");
            match event["type"].as_str() {
                Some("started") => run_id = event["run_id"].as_str().map(str::to_owned),
                Some("delta") => text.push_str(event["text"].as_str().unwrap()),
                _ => {}
            }
        }
        run_id.expect("a started event first")
    }
}

async fn get(server: &Server, path: &str) -> (u16, Value) {
    let response = reqwest::get(server.url(path)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls `path` until `done` holds of its JSON; that JSON.
async fn until(server: &Server, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get(server, path).await;
        if status == 200 && done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: last answer {status} {body}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn stalled() -> replay::Recorded {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    replay::load(&root.join("tests/fixtures/vllm/stalled.http"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_mid_stream_comes_back_interrupted_with_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![stalled()]).await;
    let catalog = write_catalog(dir.path(), &vllm.url);
    let conversation = uuid::Uuid::now_v7().to_string();

    let mut first = Server::start(dir.path(), &catalog, "first");
    let mut events = Events::open(&first, &conversation).await;
    let run_id = events.until_partial().await;
    let run = format!("/api/v1/runs/{run_id}");
    // The run is stored from its start, and its text checkpointed.
    until(&first, &run, "the checkpoint", |r| {
        r["status"] == "running" && r["reply"] == PARTIAL
    })
    .await;
    first.signal("KILL");
    first.wait(Duration::from_secs(10));
    drop(events);

    let second = Server::start(dir.path(), &catalog, "second");
    let stored = until(&second, &run, "the run marked interrupted", |r| {
        r["status"] == "interrupted"
    })
    .await;
    assert_eq!(stored["reply"], PARTIAL, "{stored}");
    assert_eq!(stored["finish_reason"], "interrupted");
    assert_eq!(stored["error"], pep::store::INTERRUPTED);
    let (status, conversation) =
        get(&second, &format!("/api/v1/conversations/{conversation}")).await;
    assert_eq!(status, 200, "{conversation}");
    let messages = conversation["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{conversation}");
    assert_eq!(messages[0]["message"]["role"], "user");
    assert_eq!(messages[0]["message"]["content"], "Tell me a story.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_by_sigterm_is_recorded_cancelled_and_its_client_told() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![stalled()]).await;
    let catalog = write_catalog(dir.path(), &vllm.url);
    let conversation = uuid::Uuid::now_v7().to_string();

    let mut server = Server::start(dir.path(), &catalog, "first");
    let mut events = Events::open(&server, &conversation).await;
    let run_id = events.until_partial().await;
    server.signal("TERM");
    // The turn gets its grace, is cancelled, recorded, and its client told.
    let mut done = None;
    while let Some(event) = events.next().await {
        if event["type"] == "done" {
            done = Some(event);
        }
    }
    if let Some(why) = &events.broken {
        let status = server.wait(Duration::from_secs(20));
        panic!("the stream broke ({why}); pep {status}:\n{}", server.log());
    }
    let done = done.unwrap_or_else(|| panic!("no done event:\n{}", server.log()));
    assert_eq!(done["status"], "cancelled", "{done}");
    assert_eq!(done["stored"], true, "{done}");
    let status = server.wait(Duration::from_secs(20));
    assert!(
        status.success(),
        "pep exits cleanly: {status}\n{}",
        server.log()
    );

    let again = Server::start(dir.path(), &catalog, "second");
    let (status, run) = get(&again, &format!("/api/v1/runs/{run_id}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(
        (run["status"].as_str(), run["reply"].as_str()),
        (Some("cancelled"), Some(PARTIAL)),
        "{run}"
    );
    let (_, conversation) = get(&again, &format!("/api/v1/conversations/{conversation}")).await;
    let roles: Vec<&str> = conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"]["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant"], "{conversation}");
}
