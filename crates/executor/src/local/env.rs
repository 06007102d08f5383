//! The pipeline environment: which variables a run exports, and how they are written as
//! shell `export` lines the way Wercker wrote them.

use std::fmt::Write as _;

/// One variable of the pipeline environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EnvVar {
    /// The name.
    pub key: String,
    /// The value as given; the shell expands `$` references in it when it is exported.
    pub value: String,
    /// Hidden variables are exported without their value in the log.
    pub hidden: bool,
}

impl EnvVar {
    /// A visible variable.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        EnvVar {
            key: key.into(),
            value: value.into(),
            hidden: false,
        }
    }
}

/// Quotes `s` as Go's `%q` verb does, then escapes backticks.
///
/// Wercker built its exports with `export K=%q` and replaced each backtick, so that inside
/// the shell's double quotes `"` and `\` survive, `$` still expands, and control characters
/// arrive as literal escapes (`\n`, `\t`, `\x1b`). Steps in the wild depend on each of these.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '`' => out.push_str("\\`"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // Go prints other non-printable characters (C1 controls, separators other than
            // the ASCII space) as \u escapes.
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                let code = c as u32;
                if code <= 0xffff {
                    let _ = write!(out, "\\u{code:04x}");
                } else {
                    let _ = write!(out, "\\U{code:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Quotes `s` for the shell so that it is taken literally (for paths werk controls).
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Whether `key` can be exported by a POSIX shell.
pub(crate) fn valid_name(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `export` line for one variable.
pub(crate) fn export_line(key: &str, value: &str) -> String {
    format!("export {key}={}", go_quote(value))
}

/// The export lines for `vars`, in order, skipping names a shell cannot export.
pub(crate) fn export_script(vars: &[EnvVar]) -> String {
    let mut script = String::new();
    for var in vars.iter().filter(|v| valid_name(&v.key)) {
        script.push_str(&export_line(&var.key, &var.value));
        script.push('\n');
    }
    script
}

/// Proxy settings that Wercker passed into every pipeline even without an `X_` prefix.
const PROXY_VARS: [&str; 6] = [
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
];

/// The pass-through variables taken from `process_env` (this process's environment):
/// `X_NAME` exports `NAME`, `XXX_NAME` exports `NAME` hidden, and proxy settings pass as
/// they are unless an `X_` form already sets them. Sorted by name for a stable log.
pub(crate) fn pass_through(process_env: impl IntoIterator<Item = (String, String)>) -> Vec<EnvVar> {
    let mut all: Vec<(String, String)> = process_env.into_iter().collect();
    all.sort();
    let mut vars = Vec::new();
    for (key, value) in &all {
        if let Some(name) = key.strip_prefix("XXX_") {
            if !name.is_empty() {
                vars.push(EnvVar {
                    key: name.to_owned(),
                    value: value.clone(),
                    hidden: true,
                });
            }
        } else if let Some(name) = key.strip_prefix("X_")
            && !name.is_empty()
        {
            vars.push(EnvVar::new(name, value.clone()));
        }
    }
    for (key, value) in &all {
        if PROXY_VARS.contains(&key.as_str()) && !vars.iter().any(|v| &v.key == key) {
            vars.push(EnvVar::new(key.clone(), value.clone()));
        }
    }
    vars
}

/// The variables of this process's environment that a pipeline's shell inherits.
///
/// Everything else (the server's own configuration, tokens, `X_`/`XXX_` originals) stays
/// out of reach of build scripts, the way a container started with a clean environment did.
pub(crate) const INHERITED_VARS: [&str; 10] = [
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(go_quote("l1\nl2\tx"), r#""l1\nl2\tx""#);
        assert_eq!(go_quote("\u{1b}[0m"), r#""\x1b[0m""#);
        assert_eq!(go_quote("$HOME/`id`"), r#""$HOME/\`id\`""#);
        assert_eq!(go_quote("é\u{a0}"), "\"é\\u00a0\"");
    }

    #[test]
    fn names() {
        assert!(valid_name("FOO_1"));
        assert!(valid_name("_x"));
        assert!(!valid_name("1A"));
        assert!(!valid_name("A-B"));
        assert!(!valid_name(""));
    }

    #[test]
    fn pass_through_prefixes() {
        let env = vec![
            ("X_TOKEN".to_owned(), "t".to_owned()),
            ("XXX_SECRET".to_owned(), "s".to_owned()),
            ("X_".to_owned(), "ignored".to_owned()),
            ("OTHER".to_owned(), "o".to_owned()),
            ("http_proxy".to_owned(), "p".to_owned()),
            ("X_https_proxy".to_owned(), "x".to_owned()),
            ("https_proxy".to_owned(), "y".to_owned()),
        ];
        let vars = pass_through(env);
        let shown: Vec<_> = vars
            .iter()
            .map(|v| (v.key.as_str(), v.value.as_str(), v.hidden))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("SECRET", "s", true),
                ("TOKEN", "t", false),
                ("https_proxy", "x", false),
                ("http_proxy", "p", false),
            ]
        );
    }
}
