//! PEP's user interface: a Leptos app rendered on the server and hydrated in
//! the browser. The server functions live in their own modules ([`api`],
//! [`history_api`], [`hub_api`]) and are thin: each one is a single call
//! into the engine.

// Leptos views are deeply nested types.
#![recursion_limit = "256"]

pub mod action_outcome;
pub mod api;
pub mod browser_fetch;
pub mod debounce;
pub mod handoff;
pub mod history_api;
pub mod hub;
pub mod hub_api;
pub mod icons;
pub mod nav;
pub mod ndjson;
mod not_found;
#[cfg(feature = "ssr")]
mod on_server;
pub mod param_input;
pub mod playground;
pub mod runs;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="stylesheet" id="leptos" href="/pkg/pep.css"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Sends the page's Content-Security-Policy: scripts only from PEP itself,
/// inline ones only with this response's nonce (the hydration and streaming
/// scripts carry it), so an injected script never runs.
#[cfg(feature = "ssr")]
fn send_page_policy() {
    use leptos_axum::ResponseOptions;
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        &*nonce
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: routes to its pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="PEP · Prompt Engineering Playground"/>
        <Router>
            <Routes fallback=not_found::NotFound>
                <Route path=path!("/") view=playground::Playground/>
                <Route path=path!("/prompts") view=hub::PromptHub/>
                <Route path=path!("/runs") view=runs::RunsPage/>
            </Routes>
        </Router>
    }
}
