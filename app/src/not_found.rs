//! The page for an address PEP does not have: the same top bar as every
//! page, what went wrong, and the way back. Rendered on the server, it
//! answers 404 so that links checkers and proxies see the truth.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::nav::TopBar;

/// The router's fallback.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname;
    view! {
        <div class="layout page-layout">
            <TopBar/>
            <main class="not-found" aria-labelledby="not-found-title">
                <h2 id="not-found-title">"Page not found"</h2>
                <p>"PEP has no page at " <code>{move || path.get()}</code> "."</p>
                <ul class="not-found-links">
                    <li><A href="/">"Open the playground"</A></li>
                    <li><A href="/prompts">"Browse the Prompt Hub"</A></li>
                    <li><A href="/runs">"Search the runs"</A></li>
                    <li><a href="/docs" rel="external">"Read the API documentation"</a></li>
                </ul>
            </main>
        </div>
    }
}
