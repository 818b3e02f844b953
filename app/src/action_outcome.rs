//! Reacting to an action's outcomes in the view that shows them.
//!
//! An action can outlive the views that dispatch it (the Prompt Hub's
//! actions belong to the page, its panels are made again on every reload),
//! so a view reacts only to the outcomes that complete after it was made:
//! never to one an earlier view has shown already. What reloads after an
//! action is keyed on [`landed`]: the outcomes that changed something.

use leptos::prelude::*;

/// Calls `react` with each outcome of `action` that completes from now on.
pub fn on_outcome<I, O>(action: Action<I, O>, react: impl Fn(&O) + 'static)
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let seen = StoredValue::new(action.version().get_untracked());
    // Effects run in the browser alone, after both the action's version and
    // its value have moved.
    Effect::new(move |_| {
        let version = action.version().get();
        if version == seen.get_value() {
            return;
        }
        seen.set_value(version);
        // What the reaction reads is not this effect's business.
        untrack(|| {
            action.value().with(|outcome| {
                if let Some(outcome) = outcome {
                    react(outcome);
                }
            });
        });
    });
}

/// How many outcomes of `action` `changed` something, tracked when read: a
/// resource keyed on it reloads after a change and not after a refusal,
/// which changed nothing (so a form with a refused value stays as typed).
pub fn landed<I, O>(
    action: Action<I, O>,
    changed: impl Fn(&O) -> bool + Send + Sync + 'static,
) -> Memo<usize>
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    // The value is written once per completion, after the version: it is
    // the one signal that moves exactly once for each outcome.
    Memo::new(move |before: Option<&usize>| {
        let before = before.copied().unwrap_or(0);
        let change = action.value().with(|o| o.as_ref().is_some_and(&changed));
        before + usize::from(change)
    })
}
