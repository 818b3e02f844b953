//! JSON pointers (RFC 6901), built one token at a time while walking a
//! schema, so every issue can say exactly where it is.

/// `path` with `token` appended, escaping `~` and `/` as the RFC asks.
pub(super) fn child(path: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{path}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::child;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(child("", "properties"), "/properties");
        assert_eq!(child("/properties", "a/b~c"), "/properties/a~1b~0c");
    }
}
