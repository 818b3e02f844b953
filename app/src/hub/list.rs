//! The list of prompts: a search box (debounced), a tag filter, "New
//! prompt", and delete with a confirmation in place (no browser dialog, so
//! it is keyboard- and test-friendly).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use pep::prompts::{Prompt, PromptQuery};
use uuid::Uuid;

use super::actions::{Done, HubActions};
use super::{error_text, Selection};
use crate::action_outcome::on_outcome;
use crate::debounce::{debounced, SEARCH_DELAY};
use crate::hub_api::list_prompts;

/// The tags to offer as filters: those of the prompts shown and those
/// picked, sorted, once each.
pub fn filter_tags(prompts: &[Prompt], picked: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = prompts
        .iter()
        .flat_map(|p| p.tags.iter().cloned())
        .chain(picked.iter().cloned())
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Adds `tag` to the filter, or takes it out when it is in.
pub fn toggle(picked: &mut Vec<String>, tag: &str) {
    if let Some(i) = picked.iter().position(|t| t == tag) {
        picked.remove(i);
    } else {
        picked.push(tag.to_owned());
        picked.sort();
    }
}

#[component]
pub fn PromptList(selection: Memo<Selection>, actions: HubActions) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let search = debounced(move || text.get(), SEARCH_DELAY);
    let picked: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let prompts = Resource::new(
        move || (search.get(), picked.get(), actions.done()),
        |(text, tags, _)| {
            list_prompts(PromptQuery {
                text: text.trim().to_owned(),
                tags,
                limit: None,
            })
        },
    );
    // The prompt whose deletion awaits confirmation.
    let confirming = RwSignal::new(None::<Uuid>);
    let deleting = actions.delete.pending();
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    on_outcome(actions.delete, move |done: &Done| match &done.result {
        Ok(()) => {
            confirming.set(None);
            error.set(None);
            if selection.get_untracked() == Selection::Prompt(done.prompt) {
                navigate(&Selection::Nothing.href(), Default::default());
            }
        }
        Err(e) => error.set(Some(format!("Could not delete: {e}"))),
    });
    let delete = move |id: Uuid| {
        error.set(None);
        actions.delete.dispatch(id);
    };

    let item = move |p: Prompt| {
        let id = p.id;
        let name = p.name.clone();
        let current = move || (selection.get() == Selection::Prompt(id)).then_some("page");
        let meta = match p.latest_version {
            Some(n) => format!("v{n}"),
            None => "no version".to_owned(),
        };
        view! {
            <li class="prompt-item" data-id=id.to_string()>
                <a class="prompt-link" href=Selection::Prompt(id).href() aria-current=current>
                    <span class="prompt-name">{p.name.clone()}</span>
                    <span class="hint">{meta}</span>
                </a>
                {(!p.description.is_empty()).then(|| view! { <p class="hint prompt-desc">{p.description.clone()}</p> })}
                <div class="prompt-tags">
                    {p.tags.iter().map(|t| view! { <span class="badge tag">{t.clone()}</span> }).collect_view()}
                </div>
                <Show
                    when=move || confirming.get() == Some(id)
                    fallback=move || view! {
                        <button
                            type="button"
                            class="delete-prompt icon"
                            aria-label=format!("Delete {}", name.clone())
                            on:click=move |_| confirming.set(Some(id))
                        >
                            "Delete"
                        </button>
                    }
                >
                    <div class="confirm" role="group" aria-label="Confirm deletion">
                        <span class="error">"Delete this prompt?"</span>
                        <button
                            type="button"
                            class="confirm-delete icon"
                            disabled=move || deleting.get()
                            on:click=move |_| delete(id)
                        >
                            "Delete"
                        </button>
                        <button type="button" class="cancel-delete icon" on:click=move |_| confirming.set(None)>
                            "Cancel"
                        </button>
                    </div>
                </Show>
            </li>
        }
    };

    view! {
        <section class="hub-list" aria-label="Prompts">
            <div class="hub-list-head">
                <h2>"Prompts"</h2>
                <a id="new_prompt" class="button primary" href=Selection::New.href()>"New prompt"</a>
            </div>
            <input
                id="prompt_search"
                type="search"
                aria-label="Search prompts"
                placeholder="Search name, description, tags"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="loading">"Loading prompts…"</p> }>
                {move || Suspend::new(async move {
                    match prompts.await {
                        Ok(list) => {
                            let tags = filter_tags(&list, &picked.get_untracked());
                            let empty = list.is_empty();
                            view! {
                                <div class="tag-filter" role="group" aria-label="Filter by tag">
                                    {tags.into_iter().map(|t| {
                                        let tag = t.clone();
                                        let on = {
                                            let t = t.clone();
                                            move || picked.with(|p| p.contains(&t)).to_string()
                                        };
                                        view! {
                                            <button
                                                type="button"
                                                class="tag-toggle"
                                                data-tag=t.clone()
                                                aria-pressed=on
                                                on:click=move |_| picked.update(|p| toggle(p, &tag))
                                            >
                                                {t.clone()}
                                            </button>
                                        }
                                    }).collect_view()}
                                </div>
                                {empty.then(|| view! { <p class="hint">"No prompt matches."</p> })}
                                <ul id="prompt_list" class="prompt-list">
                                    {list.into_iter().map(item).collect_view()}
                                </ul>
                            }
                            .into_any()
                        }
                        Err(e) => view! {
                            <p class="error" role="alert">"Could not load the prompts: " {error_text(e)}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(tags: &[&str]) -> Prompt {
        Prompt {
            id: Uuid::nil(),
            name: "p".into(),
            description: String::new(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            created_at: String::new(),
            updated_at: String::new(),
            latest_version: Some(1),
        }
    }

    #[test]
    fn filter_offers_shown_and_picked_tags_once() {
        let list = [prompt(&["b", "a"]), prompt(&["a"])];
        assert_eq!(filter_tags(&list, &["z".into()]), ["a", "b", "z"]);
    }

    #[test]
    fn toggling_adds_then_removes() {
        let mut picked = vec![];
        toggle(&mut picked, "x");
        toggle(&mut picked, "a");
        assert_eq!(picked, ["a", "x"]);
        toggle(&mut picked, "x");
        assert_eq!(picked, ["a"]);
    }
}
