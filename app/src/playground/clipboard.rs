//! Copying to the clipboard from the browser. On the server (SSR) there is
//! no clipboard and nothing is clicked, so these do nothing there.

use leptos::prelude::*;

/// How long a "Copied" confirmation stays.
#[cfg(feature = "hydrate")]
const CONFIRM_MS: u64 = 1500;

/// Copies `text`; `copied` turns true for a moment once the browser has it.
pub fn copy(text: String, copied: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        if write(&text).await {
            copied.set(true);
            set_timeout(
                move || copied.set(false),
                std::time::Duration::from_millis(CONFIRM_MS),
            );
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, copied);
}

/// Handles a click inside rendered Markdown: when it is a code block's copy
/// button, copies that block's code and confirms on the button.
pub fn copy_code_block(ev: &leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .filter(|el| el.class_list().contains(super::markdown::COPY_CODE_CLASS))
        else {
            return;
        };
        let code = button
            .closest(".code-block")
            .ok()
            .flatten()
            .and_then(|block| block.query_selector("code").ok().flatten())
            .and_then(|code| code.text_content())
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            if write(&code).await {
                button.set_text_content(Some("Copied"));
                set_timeout(
                    move || button.set_text_content(Some("Copy")),
                    std::time::Duration::from_millis(CONFIRM_MS),
                );
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Writes to the system clipboard; false when the browser refuses (no
/// permission, insecure page).
#[cfg(feature = "hydrate")]
async fn write(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
