//! Top-level keys, pipelines, boxes and services.

mod common;

use common::{check, check_err};

#[test]
fn top_level_keys() {
    check(
        r#"
        box: golang:1.10
        command-timeout: 30
        no-response-timeout: 015
        source-dir: src
        ignore-file: .myignore
        some-scalar: hello
        some-list: [a, b]
        nothing:
        build:
          steps: [a]
        deploy:
          steps: [b]
        "#,
        r#"
        box golang:1.10
        command-timeout 30
        no-response-timeout 13
        source-dir "src"
        ignore-file ".myignore"
        pipeline build
          step a [wercker/a@*] 10:11
        pipeline deploy
          step b [wercker/b@*] 12:11
        "#,
    );
}

#[test]
fn pipelines_keep_file_order_and_any_name() {
    check(
        "zeta: {}\nalpha: {}\n'on': {}\nyes: {}\n",
        "pipeline zeta\npipeline alpha\npipeline on\npipeline yes\n",
    );
}

#[test]
fn bad_timeouts_are_ignored_like_wercker_did() {
    check(
        "command-timeout: abc\nno-response-timeout: \"10\"\nbuild: {}\n",
        "pipeline build\n",
    );
    check(
        "command-timeout: -1\nno-response-timeout: 1.5\nbuild: {}\n",
        "pipeline build\n",
    );
}

#[test]
fn a_duplicate_pipeline_keeps_its_place_and_the_last_body() {
    check(
        "build: {steps: [a]}\ndeploy: {}\nbuild: {steps: [b]}\n",
        "pipeline build\n  step b [wercker/b@*] 3:17\npipeline deploy\n",
    );
}

#[test]
fn pipeline_keys() {
    check(
        r#"
        deploy:
          box: ubuntu
          services:
            - redis:3
          base-path: /go/src/github.com/x/y/
          docker: yes
          steps:
            - a
          after-steps:
            - slack-notifier:
                url: $SLACK_URL
          stable:
            - b
          empty-target:
        "#,
        r#"
        pipeline deploy
          box ubuntu
          services 1
          service redis:3
          base-path "/go/src/github.com/x/y"
          docker
          step a [wercker/a@*] 8:7
          after-step slack-notifier [wercker/slack-notifier@*] 10:7
            url="$SLACK_URL"
          target stable (1 steps)
          step b [wercker/b@*] 13:7
          target empty-target (0 steps)
        "#,
    );
}

#[test]
fn pipeline_services_empty_list_differs_from_absent() {
    let c = werk_yml::parse(
        "w",
        "services: [mongo]\na: {services: []}\nb: {services: }\nc: {}\n",
    )
    .unwrap();
    assert_eq!(c.services.len(), 1);
    assert_eq!(c.pipeline("a").unwrap().services, Some(vec![]));
    assert_eq!(c.pipeline("b").unwrap().services, None);
    assert_eq!(c.pipeline("c").unwrap().services, None);
}

#[test]
fn base_path_trims_one_trailing_slash_and_docker_defaults_off() {
    check(
        "a: {base-path: /x//, docker: false}\nb: {base-path: /, docker: }\n",
        "pipeline a\n  base-path \"/x/\"\npipeline b\n",
    );
}

#[test]
fn box_forms() {
    check(
        r#"
        box:
          id: quay.io/x/y
          tag: 1.0
          cmd: /bin/sh
          entrypoint: /bin/bash -c
          volumes: $CODE_PATH /var/run/docker.sock
          env:
            NODE_ENV: production
            PORT: 0800
            EMPTY:
          ports:
            - "8080"
            - 3000:3000
          username: $USER
          password: 0123
          aws-strict-auth: yes
          ignored-list: [a]
        services:
          - mongo
          - id: postgres
            name: db
            env: {POSTGRES_PASSWORD: secret}
          - url: file://../api#dev
        "#,
        r#"
        box quay.io/x/y tag="1.0" cmd="/bin/sh" entrypoint="/bin/bash -c" volumes="$CODE_PATH /var/run/docker.sock" env.NODE_ENV="production" env.PORT="0800" env.EMPTY="" ports=["8080", "3000:3000"] username="$USER" password="0123" aws-strict-auth="yes"
        service mongo
        service postgres name="db" env.POSTGRES_PASSWORD="secret"
        service  url="file://../api#dev"
        "#,
    );
}

#[test]
fn box_scalar_is_raw_text_and_null_is_none() {
    check("box: 1.10\n", "box 1.10\n");
    let c = werk_yml::parse("w", "box: ~\nbuild: {}\n").unwrap();
    assert_eq!(c.box_, None);
}

#[test]
fn config_errors() {
    let cases = [
        ("box: [a]\n", "1:6: box must be an image name or a map"),
        ("box:\n  cmd: [a]\n", "2:8: box cmd must be a string"),
        (
            "box:\n  env: [A]\n",
            "2:8: box env must be a map of names to values",
        ),
        (
            "box:\n  env: {A: [1]}\n",
            "2:12: box env A must be a string",
        ),
        (
            "box:\n  ports: 8080\n",
            "2:10: box ports must be a list of ports",
        ),
        (
            "services: mongo\n",
            "1:11: services must be a list of images or maps",
        ),
        (
            "services: [[a]]\n",
            "1:12: service must be an image name or a map",
        ),
        (
            "services: [~]\n",
            "1:12: empty service in the services list",
        ),
        (
            "build:\n  docker: maybe\n",
            "2:11: docker in pipeline build must be true or false",
        ),
        (
            "build:\n  base-path: [a]\n",
            "2:14: base-path in pipeline build must be a path",
        ),
        (
            "deploy:\n  stable: echo\n",
            "2:11: invalid extra key in pipeline deploy, stable is not a list of steps",
        ),
        (
            "deploy:\n  stable: {a: b}\n",
            "2:11: invalid extra key in pipeline deploy, stable is not a list of steps",
        ),
        (
            "- build\n",
            "1:1: your wercker.yml must be a map of keys such as box and build",
        ),
        (
            "just text\n",
            "1:1: your wercker.yml must be a map of keys such as box and build",
        ),
    ];
    for (input, expected) in cases {
        check_err(input, expected);
    }
}
