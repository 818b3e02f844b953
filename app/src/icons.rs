//! Icons drawn inline as SVG: they ship with the page, so they look the
//! same on every machine (an emoji is an empty box where no emoji font is
//! installed). Each is decoration (`aria-hidden`); the control or text
//! around it carries the words for screen readers.

use leptos::prelude::*;
use pep::outcome::Rating;

/// A thumb up (`up`) or down, in the current text colour.
#[component]
pub fn Thumb(up: bool) -> impl IntoView {
    // One outline, turned upside down for "down".
    let transform = if up { "" } else { "rotate(180 12 12)" };
    view! {
        <svg class="icon-svg" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
            <g transform=transform fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                <path d="M7 10v11H3V10z"/>
                <path d="M7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.1 21H7"/>
            </g>
        </svg>
    }
}

/// A run's rating as shown in lists and details: the icon and its word
/// (the word only for screen readers when `compact`).
#[component]
pub fn RatingMark(rating: Option<Rating>, #[prop(optional)] compact: bool) -> impl IntoView {
    let word = match rating {
        Some(Rating::Like) => "liked",
        Some(Rating::Dislike) => "disliked",
        None => "not rated",
    };
    let class = if compact { "sr-only" } else { "" };
    view! {
        <span class="rating-mark" data-rating=word>
            {rating.map(|r| view! { <Thumb up=matches!(r, Rating::Like)/> })}
            <span class=class>{word}</span>
        </span>
    }
}
