//! Step shapes, the id grammar and property stringification (YAML 1.1 quirks included).

mod common;

use common::{check, check_err};

#[test]
fn the_three_step_shapes() {
    check(
        r#"
        build:
          steps:
            - npm-install
            - script:
                name: build
                code: make
            - script:
              name: flat
              code: make flat
        "#,
        r#"
        pipeline build
          step npm-install [wercker/npm-install@*] 3:7
          step script [wercker/script@*] 4:7 name="build"
            code="make"
          step script [wercker/script@*] 7:7 name="flat"
            code="make flat"
        "#,
    );
}

#[test]
fn flow_style_steps() {
    check(
        "build: {steps: [a, {b: {x: 1}}, {c: , y: 2}]}",
        r#"
        pipeline build
          step a [wercker/a@*] 1:17
          step b [wercker/b@*] 1:20
            x="1"
          step c [wercker/c@*] 1:33
            y="2"
        "#,
    );
}

#[test]
fn flat_shape_ignores_the_value_of_the_first_key() {
    check(
        r#"
        build:
          steps:
            - script: {code: ignored}
              code: kept
        "#,
        r#"
        pipeline build
          step script [wercker/script@*] 3:7
            code="kept"
        "#,
    );
}

#[test]
fn name_cwd_and_checkpoint_are_pulled_out() {
    check(
        r#"
        build:
          steps:
            - install-packages:
                checkpoint: pkgs
                name: packages
                cwd: sub/dir
                packages: git
        "#,
        r#"
        pipeline build
          step install-packages [wercker/install-packages@*] 3:7 name="packages" cwd="sub/dir" checkpoint="pkgs"
            packages="git"
        "#,
    );
}

#[test]
fn properties_are_stringified_as_wercker_did() {
    check(
        r#"
        build:
          steps:
            - s:
                str: hello world
                quoted-float: "0.12"
                float: 0.12
                float-one: 1.0
                exp: 1e3
                int: 3000
                octal: 010
                bad-octal: 08
                hex: 0x1F
                underscores: 1_000
                negative: -5
                plus: +7
                huge: 18446744073709551615
                yes: yes
                no: no
                on: on
                off: OFF
                y: y
                n: N
                true-title: True
                mixed-case: yEs
                "null": null
                tilde: ~
                empty:
                list: [a, b]
                map: {a: b}
                date: 2015-01-01
                tagged: !!str 0.12
                local-tag: !foo 12
                single: 'yes'
                inf: .inf
                version: 1.2.3
        "#,
        r#"
        pipeline build
          step s [wercker/s@*] 3:7
            str="hello world"
            quoted-float="0.12"
            float=""
            float-one=""
            exp=""
            int="3000"
            octal="8"
            bad-octal=""
            hex="31"
            underscores="1000"
            negative="-5"
            plus="7"
            huge=""
            yes="true"
            no="false"
            on="true"
            off="false"
            y="true"
            n="false"
            true-title="true"
            mixed-case="yEs"
            null=""
            tilde=""
            empty=""
            list=""
            map=""
            date="2015-01-01"
            tagged="0.12"
            local-tag="12"
            single="yes"
            inf=""
            version="1.2.3"
        "#,
    );
}

#[test]
fn block_scalars_keep_their_text() {
    check(
        r#"
        build:
          steps:
            - script:
                code: |
                  echo one
                  echo two
            - script:
                code: >
                  go build
                  -o out
            - script:
                code: |-
                  no newline
        "#,
        r#"
        pipeline build
          step script [wercker/script@*] 3:7
            code="echo one\necho two\n"
          step script [wercker/script@*] 7:7
            code="go build -o out\n"
          step script [wercker/script@*] 11:7
            code="no newline"
        "#,
    );
}

#[test]
fn keys_stay_raw_strings() {
    check(
        r#"
        build:
          steps:
            - on:
                yes: 1
            - 010
            - null:
                x: z
        "#,
        r#"
        pipeline build
          step on [wercker/on@*] 3:7
            yes="1"
          step 010 [wercker/010@*] 5:7
          step null [wercker/null@*] 6:7
            x="z"
        "#,
    );
}

#[test]
fn step_ids() {
    check(
        r#"
        build:
          steps:
            - arjen/hugo-build@1.12.0
            - lukevivier/gh-pages@0.2.1:
                basedir: public
            - internal/docker-push:
                repository: r
            - my-step "file:///src/my-step"
            - wercker/s3sync@*
        "#,
        r#"
        pipeline build
          step arjen/hugo-build@1.12.0 [arjen/hugo-build@1.12.0] 3:7
          step lukevivier/gh-pages@0.2.1 [lukevivier/gh-pages@0.2.1] 4:7
            basedir="public"
          step internal/docker-push [internal/docker-push@*] 6:7
            repository="r"
          step my-step "file:///src/my-step" [wercker/my-step@*] 8:7 url="file:///src/my-step"
          step wercker/s3sync@* [wercker/s3sync@*] 9:7
        "#,
    );
}

#[test]
fn duplicate_property_keeps_first_place_and_last_value() {
    check(
        r#"
        build:
          steps:
            - s:
                a: 1
                b: 2
                a: 3
        "#,
        r#"
        pipeline build
          step s [wercker/s@*] 3:7
            a="3"
            b="2"
        "#,
    );
}

#[test]
fn step_errors() {
    let cases = [
        ("build:\n  steps:\n    - foo:\n", "3:7: step foo is empty"),
        (
            "build:\n  steps:\n    - foo: bar\n",
            "3:7: step foo is empty",
        ),
        (
            "build:\n  steps:\n    - foo: [a]\n",
            "3:7: step foo is empty",
        ),
        ("build:\n  steps:\n    - {}\n", "3:7: empty step"),
        ("build:\n  steps:\n    -\n    - a\n", "3:6: empty step"),
        (
            "build:\n  steps:\n    - [a, b]\n",
            "3:7: a step must be a step id or a map, not a list",
        ),
        (
            "build:\n  steps:\n    - two words\n",
            "3:7: invalid step id \"two words\": expected [owner/]name[@version] [\"url\"]",
        ),
        (
            "build:\n  steps:\n    - owner/:\n        a: b\n",
            "3:7: invalid step id \"owner/\": expected [owner/]name[@version] [\"url\"]",
        ),
        (
            "build:\n  steps: npm-install\n",
            "2:10: steps in pipeline build must be a list of steps",
        ),
        (
            "build:\n  after-steps: {a: b}\n",
            "2:16: after-steps in pipeline build must be a list of steps",
        ),
    ];
    for (input, expected) in cases {
        check_err(input, expected);
    }
}

#[test]
fn step_error_carries_the_source_line() {
    let e = werk_yml::parse("ci.yml", "build:\n  steps:\n    - foo:\n").unwrap_err();
    assert_eq!(e.source_line, "    - foo:");
    assert_eq!(e.to_string(), "ci.yml:3:7: step foo is empty");
}

#[test]
fn step_helpers() {
    let c = werk_yml::parse(
        "w",
        "build:\n  steps:\n    - script:\n        code: make\n    - internal/watch\n    - s\n",
    )
    .unwrap();
    let steps = &c.pipeline("build").unwrap().steps;
    assert_eq!(steps[0].kind(), werk_yml::StepKind::Script);
    assert_eq!(steps[0].code(), Some("make"));
    assert_eq!(steps[1].kind(), werk_yml::StepKind::Internal);
    assert_eq!(steps[1].display_name(), "watch");
    assert_eq!(steps[2].kind(), werk_yml::StepKind::Registry);
}

#[test]
fn internal_steps_are_shown_by_wercker_names_and_docker_run_keeps_its_name() {
    let config = werk_yml::parse(
        "wercker.yml",
        "build:\n  steps:\n    - internal/docker-push:\n        repository: r\n    - internal/docker-run:\n        image: redis\n        name: cache\n    - internal/docker-build:\n        name: my build\n        image-name: app\n",
    )
    .unwrap();
    let steps = &config.pipelines[0].steps;
    let shown: Vec<&str> = steps.iter().map(|s| s.display_name()).collect();
    assert_eq!(shown, ["docker push", "docker run", "my build"]);
    assert_eq!(steps[1].property("name"), Some("cache"));
}
