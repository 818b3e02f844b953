//! Data that only the browser loads, after the page is interactive, without
//! telling any `<Suspense/>` about it.
//!
//! Why not a `LocalResource`: reading one inside a streamed `<Suspense/>`
//! makes the server race the Suspense's other resources against "a local
//! resource was read" and, depending on which wins, send either the
//! children or the fallback. The Prompt Hub's editor sits inside such a
//! Suspense (it waits for the prompt), so a model list or a diff loaded
//! through a `LocalResource` made the page's HTML differ from load to load,
//! and some loads never hydrated. A plain signal filled by an effect is
//! never seen by a Suspense, and effects run only in the browser after
//! hydration, so the server and the hydrating browser always render the
//! same "not loaded yet" state.

use std::future::Future;

use leptos::prelude::*;

/// `fetch(source())`, run in the browser whenever `source` changes. Reads
/// `None` until the first answer; afterwards the last answer stays until
/// a newer one replaces it, and an answer overtaken by a newer request is
/// dropped.
pub fn browser_fetch<S, T, Fut>(
    source: impl Fn() -> S + 'static,
    fetch: impl Fn(S) -> Fut + 'static,
) -> ReadSignal<Option<T>>
where
    S: 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new(None);
    let latest = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let request = fetch(source());
        let n = latest.get_value().wrapping_add(1);
        latest.set_value(n);
        leptos::task::spawn_local(async move {
            let answer = request.await;
            // The page may be gone by then: the `try_` forms do nothing.
            if latest.try_get_value() == Some(n) {
                value.try_set(Some(answer));
            }
        });
    });
    value.read_only()
}
