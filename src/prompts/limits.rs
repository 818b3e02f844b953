//! The Prompt Hub's limits, as plain numbers: the engine checks them
//! (`validate`), the API document states them (`document`) and the page
//! can bound its inputs with them, all from this one place.

/// The longest prompt name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// The most tags a prompt has.
pub const MAX_TAGS: usize = 20;
/// The longest tag or label name, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// The largest template (user or system), in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// The most few-shot examples a version has.
pub const MAX_EXAMPLES: usize = 50;
/// The largest version (all its text, as JSON), in bytes.
pub const MAX_VERSION_BYTES: usize = 512 * 1024;
