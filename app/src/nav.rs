//! The bar at the top of every page: the product name and the links
//! between the pages. The current page's link gets `aria-current="page"`
//! (from the router's `<A>`), which the stylesheet marks.

use leptos::prelude::*;
use leptos_router::components::A;

/// The top bar with the page links; `children` (a page's own status, such
/// as the playground's session) go at its right end.
#[component]
pub fn TopBar(#[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <header class="topbar">
            <h1>"PEP" <span class="subtitle">"Prompt Engineering Playground"</span></h1>
            <nav class="topnav" aria-label="Pages">
                <A href="/" exact=true>"Playground"</A>
                <A href="/prompts">"Prompts"</A>
                <A href="/runs">"Runs"</A>
            </nav>
            {children.map(|c| c())}
        </header>
    }
}
