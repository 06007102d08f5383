//! Go's `os.Expand`, which Wercker's runner applied to box and service fields and to the
//! properties of internal steps: `$NAME` and `${NAME}` only, unknown names empty, no
//! defaults and no command substitution.

/// Expands `$NAME` and `${NAME}` in `text` with `lookup`, as Go's `os.Expand` does:
/// an unknown name expands to nothing, `${X:-d}` looks up the name `X:-d` (so it is empty),
/// a `$` followed by no name stays as it is, and malformed `${` is dropped.
pub fn interpolate(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() {
            out.push_str(&text[copied..i]);
            let (name, width) = shell_name(&text[i + 1..]);
            match (name, width) {
                // Malformed syntax: Go eats the characters.
                (None, w) if w > 0 => {}
                // A `$` not followed by a name stays.
                (None, _) => out.push('$'),
                (Some(name), _) => out.push_str(&lookup(name).unwrap_or_default()),
            }
            i += 1 + width;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The name after a `$` and how many bytes it takes, after Go's `getShellName`.
fn shell_name(s: &str) -> (Option<&str>, usize) {
    let bytes = s.as_bytes();
    if bytes[0] == b'{' {
        if bytes.len() > 2 && is_special(bytes[1]) && bytes[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        for i in 1..bytes.len() {
            if bytes[i] == b'}' {
                if i == 1 {
                    return (None, 2);
                }
                return (Some(&s[1..i]), i + 1);
            }
        }
        return (None, 1);
    }
    if is_special(bytes[0]) {
        return (Some(&s[0..1]), 1);
    }
    let len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if len == 0 {
        (None, 0)
    } else {
        (Some(&s[..len]), len)
    }
}

fn is_special(b: u8) -> bool {
    matches!(b, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-') || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::interpolate;

    fn check(input: &str, expected: &str) {
        let lookup = |name: &str| match name {
            "HOME" => Some("/root".to_string()),
            "TAG" => Some("1.2".to_string()),
            "1" => Some("one".to_string()),
            _ => None,
        };
        assert_eq!(interpolate(input, lookup), expected, "{input:?}");
    }

    #[test]
    fn expands_like_go_os_expand() {
        check("plain", "plain");
        check("$HOME/x", "/root/x");
        check("${HOME}x", "/rootx");
        check("img:$TAG-slim", "img:1.2-slim");
        check("$UNKNOWN!", "!");
        check("${TAG:-latest}", "");
        check("cost: 5$", "cost: 5$");
        check("a $ b", "a $ b");
        check("$1 and ${1}", "one and one");
        check("${}", "");
        check("${HOME", "HOME");
        check("$(date)", "$(date)");
        check("é$HOMEé", "é/rooté");
    }
}
