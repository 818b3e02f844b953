//! The message box and its buttons: Enter sends, Shift+Enter starts a new
//! line, Esc stops; delimiter helpers insert a pair at the cursor (around
//! the selection) or wrap the whole message.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::delimiters::{self, Delimiter, Edit};

#[component]
pub fn Composer(
    input: RwSignal<String>,
    busy: Signal<bool>,
    on_send: Callback<()>,
    on_stop: Callback<()>,
    on_clear: Callback<()>,
) -> impl IntoView {
    let textarea = NodeRef::<Textarea>::new();
    let delimiter = RwSignal::new(Delimiter::TripleQuotes);
    let tag = RwSignal::new("input".to_owned());

    // Applies an edit to the message and puts the cursor where it belongs.
    let apply = move |edit: Edit| {
        input.set(edit.text);
        if let Some(el) = textarea.get_untracked() {
            el.set_value(&input.get_untracked());
            let _ = el.focus();
            let _ = el.set_selection_range(edit.cursor, edit.cursor);
        }
    };
    let insert = move |_| {
        let (open, close) = delimiter.get_untracked().pair(&tag.get_untracked());
        let text = input.get_untracked();
        let (start, end) = textarea
            .get_untracked()
            .map(|el| {
                (
                    el.selection_start().ok().flatten().unwrap_or(0),
                    el.selection_end().ok().flatten().unwrap_or(0),
                )
            })
            .unwrap_or((u32::MAX, u32::MAX));
        apply(delimiters::insert_at(&text, start, end, &open, &close));
    };
    let wrap = move |_| {
        let (open, close) = delimiter.get_untracked().pair(&tag.get_untracked());
        apply(delimiters::wrap_all(&input.get_untracked(), &open, &close));
    };
    let options = Delimiter::ALL
        .into_iter()
        .map(|d| view! { <option value=d.key()>{d.label()}</option> })
        .collect_view();

    view! {
        <div class="composer">
            <div class="delimiters" role="group" aria-label="Delimiters">
                <label for="delimiter">"Delimiter"</label>
                <select
                    id="delimiter"
                    prop:value=move || delimiter.get().key()
                    on:change=move |ev| {
                        if let Some(d) = Delimiter::from_key(&event_target_value(&ev)) {
                            delimiter.set(d);
                        }
                    }
                >
                    {options}
                </select>
                <Show when=move || delimiter.get() == Delimiter::XmlTag>
                    <input
                        id="delimiter_tag"
                        type="text"
                        aria-label="XML tag name"
                        size="10"
                        prop:value=move || tag.get()
                        on:input=move |ev| tag.set(event_target_value(&ev))
                    />
                </Show>
                <button type="button" id="insert_delimiter" on:click=insert title="Insert the pair at the cursor, around any selected text">
                    "Insert pair"
                </button>
                <button type="button" id="wrap_message" on:click=wrap title="Wrap the whole message in the pair">
                    "Wrap message"
                </button>
            </div>
            <div class="compose-row">
                <textarea
                    id="message"
                    node_ref=textarea
                    aria-label="Message"
                    placeholder="Message (Enter sends, Shift+Enter for a new line, Esc stops)"
                    rows="3"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            on_send.run(());
                        } else if ev.key() == "Escape" && busy.get_untracked() {
                            ev.prevent_default();
                            on_stop.run(());
                        }
                    }
                ></textarea>
                <div class="actions">
                    <button
                        id="send"
                        class="primary"
                        on:click=move |_| on_send.run(())
                        disabled=move || busy.get() || input.get().trim().is_empty()
                    >
                        "Send"
                    </button>
                    <button id="stop" on:click=move |_| on_stop.run(()) disabled=move || !busy.get()>
                        "Stop"
                    </button>
                    <button id="clear" on:click=move |_| on_clear.run(()) disabled=move || busy.get()>
                        "Clear"
                    </button>
                </div>
            </div>
        </div>
    }
}
