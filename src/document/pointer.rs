//! JSON pointers (RFC 6901): building them for findings, reading their tokens.

use std::borrow::Cow;

/// Appends one reference token to a JSON pointer.
pub fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    append_token(&mut out, token);
    out
}

/// Appends one reference token to a JSON pointer in place.
pub fn append_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A token with its escapes undone.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') { Cow::Owned(token.replace("~1", "/").replace("~0", "~")) } else { Cow::Borrowed(token) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(push_token("", "a/b~c"), "/a~1b~0c");
        assert_eq!(push_token("/x", "0"), "/x/0");
        assert_eq!(unescape("a~1b~0c~01"), "a/b~c~1");
    }
}
