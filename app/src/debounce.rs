//! Debouncing: a signal that follows another value only once it has stopped
//! changing for a while. The search box and the live render preview use it
//! so that typing does not send one request per key.

use std::time::Duration;

use leptos::prelude::*;

/// How long typing must pause before the search runs.
pub const SEARCH_DELAY: Duration = Duration::from_millis(250);
/// How long editing must pause before the templates are rendered again.
pub const RENDER_DELAY: Duration = Duration::from_millis(300);

/// `source`'s value, `delay` after its last change. Starts at its current
/// value. Effects run only in the browser, so on the server this stays the
/// first value.
pub fn debounced<T>(source: impl Fn() -> T + 'static, delay: Duration) -> ReadSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let out = RwSignal::new(untrack(&source));
    // Each change gets a number; a timer only fires its value when no newer
    // change came in meanwhile.
    let latest = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let value = source();
        let n = latest.get_value().wrapping_add(1);
        latest.set_value(n);
        set_timeout(
            move || {
                // The page may be gone by then: the `try_` forms do nothing.
                if latest.try_get_value() == Some(n)
                    && out.try_with_untracked(|v| v != &value) == Some(true)
                {
                    out.try_set(value);
                }
            },
            delay,
        );
    });
    out.read_only()
}
