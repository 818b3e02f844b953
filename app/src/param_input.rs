//! One way to type a generation parameter, for the playground's settings and
//! the Prompt Hub's editor alike. A number is kept as typed, so a half-typed
//! value stays on screen with its error instead of being lost or replaced,
//! and it is read into its type once, when a turn is sent or a version
//! saved. An empty field means the model's default.
//!
//! A value outside the model's range is flagged beside the field but still
//! sent: the server refuses it with its own explicit error, never a clamp
//! the user did not choose.

use std::fmt::Display;
use std::marker::PhantomData;
use std::str::FromStr;

use leptos::prelude::*;
use pep::catalog::Range;

/// What each number field takes, said in its error ("… must be …").
pub const TEMPERATURE: &str = "a number such as 0.7";
pub const TOP_P: &str = "a number between 0 and 1";
pub const WHOLE: &str = "a whole number";
pub const SEED: &str = "a whole number ≥ 0";

/// What a parameter's type needs to be typed, shown and checked.
pub trait ParamValue: FromStr + Display + Copy + PartialOrd + Send + Sync + 'static {}

impl<T: FromStr + Display + Copy + PartialOrd + Send + Sync + 'static> ParamValue for T {}

/// A number parameter as typed, with the words that explain it.
pub struct ParamText<T> {
    text: RwSignal<String>,
    label: &'static str,
    /// What the field takes, as the end of "… must be …".
    expected: &'static str,
    value: PhantomData<fn() -> T>,
}

// By hand: a derive would ask `T` to be `Clone` and `Copy` too.
impl<T> Clone for ParamText<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ParamText<T> {}

impl<T> std::fmt::Debug for ParamText<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParamText")
            .field("label", &self.label)
            .field("text", &self.text)
            .finish()
    }
}

impl<T: ParamValue> ParamText<T> {
    /// An empty field (the model's default).
    pub fn new(label: &'static str, expected: &'static str) -> Self {
        Self {
            text: RwSignal::new(String::new()),
            label,
            expected,
            value: PhantomData,
        }
    }

    /// What the field reads as, tracked.
    pub fn read(&self) -> Result<Option<T>, String> {
        self.text
            .with(|text| read_number(text, self.label, self.expected))
    }

    /// What the field reads as, when a turn is sent or a version saved.
    pub fn read_untracked(&self) -> Result<Option<T>, String> {
        self.text
            .with_untracked(|text| read_number(text, self.label, self.expected))
    }

    /// The text as typed, for a test to type into.
    #[cfg(test)]
    pub fn text_signal(&self) -> RwSignal<String> {
        self.text
    }

    /// Shows `value` (`None`: empty, the model's default).
    pub fn set(&self, value: Option<T>) {
        self.text
            .set(value.map(|v| v.to_string()).unwrap_or_default());
    }
}

/// `text` read as a `T`: empty is `None`; anything else that is not a `T`
/// is the sentence the field shows.
pub fn read_number<T: FromStr>(
    text: &str,
    label: &str,
    expected: &str,
) -> Result<Option<T>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("{label} must be {expected}, or empty for the model's default"))
}

/// Why a read value is flagged: outside the model's range.
pub fn out_of_range<T: ParamValue>(label: &str, value: T, range: &Range<T>) -> Option<String> {
    (!range.contains(value))
        .then(|| format!("{label} must be between {} and {}", range.min, range.max))
}

/// How the field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A number box.
    Number,
    /// A slider over the model's range, its value shown beside the label
    /// (the range's default until it is moved).
    Slider,
}

/// A labelled field for one parameter, its problem (if any) said below it.
/// `range` is the model's, when one is known; `step` the input's step.
#[component]
pub fn ParamInput<T: ParamValue>(
    id: &'static str,
    param: ParamText<T>,
    #[prop(optional)] range: Option<Range<T>>,
    #[prop(default = Entry::Number)] entry: Entry,
    #[prop(default = "any")] step: &'static str,
) -> impl IntoView {
    let problem = move || match param.read() {
        Err(e) => Some(e),
        Ok(Some(v)) => range.and_then(|r| out_of_range(param.label, v, &r)),
        Ok(None) => None,
    };
    let placeholder = range
        .map(|r| format!("default ({})", r.default))
        .unwrap_or_else(|| "default".to_owned());
    let text = param.text;
    let input = match (entry, range) {
        (Entry::Slider, Some(r)) => {
            let shown = move || match param.read() {
                Ok(Some(v)) => v.to_string(),
                _ => r.default.to_string(),
            };
            view! {
                <label for=id>{param.label} " " <output>{shown}</output></label>
                <input
                    id=id
                    type="range"
                    min=r.min.to_string()
                    max=r.max.to_string()
                    step=step
                    prop:value=shown
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            }
            .into_any()
        }
        _ => view! {
            <label for=id>{param.label}</label>
            <input
                id=id
                type="number"
                step=step
                min=range.map(|r| r.min.to_string())
                max=range.map(|r| r.max.to_string())
                placeholder=placeholder
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    view! {
        <div class="field param">
            {input}
            {move || problem().map(|e| view! { <p class="hint error" role="alert">{e}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_reads_as_a_value_the_default_or_a_sentence() {
        assert_eq!(
            read_number::<u32>(" 200 ", "Max tokens", "a whole number"),
            Ok(Some(200))
        );
        assert_eq!(read_number::<f32>("", "Temperature", "a number"), Ok(None));
        let err = read_number::<u64>("-1", "Seed", "a whole number ≥ 0").unwrap_err();
        assert_eq!(
            err,
            "Seed must be a whole number ≥ 0, or empty for the model's default"
        );
    }

    #[test]
    fn a_value_outside_the_range_is_named_with_the_range() {
        let range = Range {
            min: 1_u32,
            max: 4096,
            default: 512,
        };
        assert_eq!(out_of_range("Max tokens", 512, &range), None);
        assert_eq!(
            out_of_range("Max tokens", 999_999, &range).as_deref(),
            Some("Max tokens must be between 1 and 4096")
        );
    }
}
