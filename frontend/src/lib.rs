//! The browser entry point: hydrates the server-rendered page.

// Leptos views are deeply nested types; hydrating them needs more depth.
#![recursion_limit = "256"]

/// Called by the generated JS once the wasm module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Marks the page interactive: end-to-end tests wait for this, and the
    // time since navigation start is kept for the page-speed report.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
        if let Some(perf) = leptos::prelude::window().performance() {
            let _ = body.set_attribute("data-hydrated-ms", &format!("{:.0}", perf.now()));
        }
    }
}
