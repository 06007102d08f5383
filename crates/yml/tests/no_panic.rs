//! Whatever the input, `parse` returns: never a panic, a hang or a stack overflow.

use proptest::prelude::*;

/// Pieces of YAML and wercker.yml syntax, so that generated inputs get past the first line.
const PIECES: &[&str] = &[
    "\n",
    "  ",
    "    ",
    "- ",
    ": ",
    "build",
    "steps",
    "box",
    "services",
    "workflows",
    "pipelines",
    "name",
    "requires",
    "script",
    "code",
    "<<",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "|",
    ">",
    "\"",
    "'",
    "#",
    "---",
    "...",
    "!!str ",
    "!foo ",
    "? ",
    "yes",
    "0.12",
    "010",
    "~",
    "\t",
    "%YAML 1.1\n",
    "\u{feff}",
    "é",
    "\r\n",
    "@",
    "/",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_yamlish_text(text in yamlish()) {
        check(&text);
    }

    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        check(&text);
    }
}

fn check(text: &str) {
    if let Err(e) = werk_yml::parse("wercker.yml", text) {
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        assert!(!e.message.is_empty());
        assert!(!e.message.ends_with('.'), "{e:?}");
    }
}
