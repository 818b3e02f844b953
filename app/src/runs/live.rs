//! Runs that are still going: a view that shows one reloads itself every
//! [`POLL`] until none is, so its figures, rows and counts ("Showing 1–10 of
//! 10") follow a reply that is still streaming instead of staying as they
//! were when the page opened.

use std::time::Duration;

use leptos::prelude::*;

/// How often a view with a running run reloads.
pub const POLL: Duration = Duration::from_secs(2);

/// Reloads `resource` after [`POLL`] whenever what it holds satisfies
/// `running`, and again after each reload while it still does.
pub fn follow<T>(resource: LocalResource<T>, running: impl Fn(&T) -> bool + 'static)
where
    T: 'static,
{
    // Effects run in the browser alone.
    Effect::new(move |_| {
        let going = resource.with(|value| value.as_ref().is_some_and(&running));
        if going {
            set_timeout(
                move || {
                    // The view may be gone by then.
                    if resource.try_read_untracked().is_some() {
                        resource.refetch();
                    }
                },
                POLL,
            );
        }
    });
}
