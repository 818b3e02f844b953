//! The playground session: an id that groups the runs of one sitting, and
//! the idle reset. After the configured time without activity the history
//! is cleared, a new session begins, and a notice says so; the runs of the
//! old session stay in the store.

use leptos::prelude::*;

/// How often the idle check runs.
#[cfg(feature = "hydrate")]
const CHECK_EVERY_MS: u64 = 5_000;

/// The session's state.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub id: RwSignal<String>,
    /// When the user last did something (milliseconds since the epoch).
    last_active: RwSignal<f64>,
    /// Shown after an idle reset until the next message.
    pub notice: RwSignal<Option<String>>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            // Born in the browser (`begin`), so the server-rendered page and
            // the hydrated one agree.
            id: RwSignal::new(String::new()),
            last_active: RwSignal::new(0.0),
            notice: RwSignal::new(None),
        }
    }

    /// Gives the session its id; call once in the browser.
    pub fn begin(&self) {
        if self.id.get_untracked().is_empty() {
            self.id.set(new_id());
            self.touch();
        }
    }

    /// The id to send with a request (`None` before the session began).
    pub fn current(&self) -> Option<String> {
        Some(self.id.get_untracked()).filter(|id| !id.is_empty())
    }

    /// Notes activity (a message sent, a key pressed).
    pub fn touch(&self) {
        self.last_active.set(now_ms());
    }

    /// Starts the idle watch: after `idle_minutes` without activity,
    /// `reset` runs (when there is anything to reset) and a new session
    /// begins. Browser only.
    pub fn watch_idle(self, idle_minutes: u32, has_history: Signal<bool>, reset: Callback<()>) {
        #[cfg(feature = "hydrate")]
        {
            let limit_ms = f64::from(idle_minutes) * 60_000.0;
            if limit_ms <= 0.0 {
                return;
            }
            let _ = set_interval_with_handle(
                move || {
                    let idle = now_ms() - self.last_active.get_untracked();
                    if idle < limit_ms || !has_history.get_untracked() {
                        return;
                    }
                    reset.run(());
                    let old = self.id.get_untracked();
                    self.id.set(new_id());
                    self.last_active.set(now_ms());
                    self.notice.set(Some(format!(
                        "The conversation was reset after {idle_minutes} minutes without activity \
                         (session {} ended; its runs are kept).",
                        short(&old)
                    )));
                },
                std::time::Duration::from_millis(CHECK_EVERY_MS),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (self, idle_minutes, has_history, reset);
    }
}

/// The first block of an id, enough to tell sessions apart on screen.
pub fn short(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// A new random id as a UUID (a conversation's, made by the browser so the
/// first turn can name it). Never nil in the browser: the nil UUID only
/// stands in on the server, which never starts a turn.
pub fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::parse_str(&new_id()).unwrap_or_default()
}

/// A random version-4 UUID made in the browser (the server renders the page
/// before any session exists, so the id is born on hydration).
pub fn new_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 16];
        for b in &mut bytes {
            // Math.random is enough: the id groups runs, it guards nothing.
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
