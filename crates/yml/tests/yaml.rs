//! YAML-level behaviour: empty files, syntax errors with positions, anchors, aliases and
//! merge keys, limits against hostile input, and the odd encodings of real files.

mod common;

use common::{check, check_err, render_ok};

#[test]
fn empty_files() {
    for input in [
        "",
        "\n\n",
        "# only a comment\n",
        "---\n",
        "~\n",
        "---\n...\n",
    ] {
        let e = werk_yml::parse("wercker.yml", input).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (1, 1, "your wercker.yml is empty"),
            "input {input:?}"
        );
    }
}

#[test]
fn syntax_errors_have_positions_and_the_source_line() {
    let e = werk_yml::parse("wercker.yml", "box: a\nbuild:\n  steps: [a\n").unwrap_err();
    assert!(e.message.starts_with("invalid yaml: "), "{e}");
    assert_eq!(e.line, 4);

    let e = werk_yml::parse("wercker.yml", "box: a\nbuild:\n\tsteps:\n").unwrap_err();
    assert!(e.message.starts_with("invalid yaml: "), "{e}");
    assert_eq!((e.line, e.column), (3, 2));
    assert_eq!(e.source_line, "\tsteps:");

    let e = werk_yml::parse("wercker.yml", "a: b: c\n").unwrap_err();
    assert_eq!((e.line, e.column), (1, 5), "{e}");
    assert!(e.message.starts_with("invalid yaml: "), "{e}");

    let e = werk_yml::parse("wercker.yml", "a: *nope\n").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    assert!(e.message.starts_with("invalid yaml: "), "{e}");

    let e = werk_yml::parse("wercker.yml", "a: 1\n  b: 2\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn anchors_aliases_and_merge_keys() {
    check(
        r#"
        defaults: &defaults
          box: node:8
          steps:
            - npm-install
        build:
          <<: *defaults
          after-steps:
            - notify
        deploy:
          <<: *defaults
          box: node:10
        test:
          steps:
            - script: &script
                name: test
                code: npm test
            - script:
                <<: *script
                name: again
        "#,
        r#"
        pipeline defaults
          box node:8
          step npm-install [wercker/npm-install@*] 4:7
        pipeline build
          box node:8
          step npm-install [wercker/npm-install@*] 4:7
          after-step notify [wercker/notify@*] 8:7
        pipeline deploy
          box node:10
          step npm-install [wercker/npm-install@*] 4:7
        pipeline test
          step script [wercker/script@*] 14:7 name="test"
            code="npm test"
          step script [wercker/script@*] 17:7 name="again"
            code="npm test"
        "#,
    );
}

#[test]
fn merge_of_a_list_of_maps_prefers_the_earlier_map() {
    check(
        r#"
        build:
          steps:
            - a: &a {x: 1, y: 1}
            - b: &b {y: 2, z: 2}
            - s:
                <<: [*a, *b]
                z: 3
        "#,
        r#"
        pipeline build
          step a [wercker/a@*] 3:7
            x="1"
            y="1"
          step b [wercker/b@*] 4:7
            y="2"
            z="2"
          step s [wercker/s@*] 5:7
            x="1"
            y="1"
            z="3"
        "#,
    );
}

#[test]
fn merge_errors() {
    check_err(
        "a:\n  <<: 1\n",
        "2:7: the merge key << needs a map or a list of maps",
    );
    check_err(
        "a:\n  <<: [1]\n",
        "2:8: the merge key << needs a map or a list of maps",
    );
    check_err("[a]: 1\n", "1:1: map keys must be strings");
}

#[test]
fn alias_bombs_are_refused() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = werk_yml::parse("wercker.yml", &bomb).unwrap_err();
    assert!(e.message.contains("more than 100000 nodes"), "{e}");
    assert!(e.line >= 5, "{e}");
}

#[test]
fn self_referencing_alias_is_refused() {
    check_err(
        "a: &a [*a]\n",
        "1:8: an alias refers to the list or map that contains it",
    );
}

#[test]
fn deep_nesting_is_refused() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let input = format!("a: {}1{}\n", open.repeat(10_000), close.repeat(10_000));
        let e = werk_yml::parse("wercker.yml", &input).unwrap_err();
        assert!(e.message.contains("nested deeper than 64"), "{e}");
        assert_eq!(e.line, 1);
    }
    let mut block = String::new();
    for depth in 0..200 {
        block.push_str(&" ".repeat(depth));
        block.push_str("k:\n");
    }
    let e = werk_yml::parse("wercker.yml", &block).unwrap_err();
    assert!(e.message.contains("nested deeper than 64"), "{e}");
    assert_eq!(e.line, 65, "{e}");
    // 63 levels below the root still parse.
    let ok = format!("a: {}1{}\n", "[".repeat(63), "]".repeat(63));
    werk_yml::parse("wercker.yml", &ok).unwrap();
}

#[test]
fn only_the_first_document_counts() {
    check(
        "build: {steps: [a]}\n---\ndeploy: {}\n---\n[ broken\n",
        "pipeline build\n  step a [wercker/a@*] 1:17\n",
    );
}

#[test]
fn bom_and_crlf() {
    let text = "\u{feff}box: debian\r\nbuild:\r\n  steps:\r\n    - script:\r\n        code: |\r\n          make\r\n";
    assert_eq!(
        render_ok(text),
        "box debian\npipeline build\n  step script [wercker/script@*] 4:7\n    code=\"make\\n\"\n"
    );
    let e = werk_yml::parse("w", "build:\r\n  steps:\r\n    - foo:\r\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 7));
    assert_eq!(e.source_line, "    - foo:");
}

#[test]
fn explicit_tags() {
    check(
        "build:\n  steps:\n    - s:\n        a: !!int \"12\"\n        b: !!bool yes\n        c: !!str yes\n",
        "pipeline build\n  step s [wercker/s@*] 3:7\n    a=\"12\"\n    b=\"true\"\n    c=\"yes\"\n",
    );
}
