//! `workflows:` in the yml and Wercker's validation of them.

mod common;

use common::{check, check_err};

const PIPELINES: &str = "build: {}\ntests: {}\ndeploy: {}\n";

fn with_pipelines(workflows: &str) -> String {
    format!("{PIPELINES}workflows:\n{workflows}")
}

#[test]
fn workflows_are_read_in_order_with_defaults() {
    check(
        &with_pipelines(
            r#"
  - name: main
    pipelines:
      - name: build
      - name: unit
        pipelineName: tests
        requires: [build]
      - name: deploy
        requires:
          - build
          - unit
        artifactPipeline: build
        envFile: prod.env
  - name: second
    pipelines:
      - name: build
"#,
        ),
        r#"
        pipeline build
        pipeline tests
        pipeline deploy
        workflow main
          build runs build
          unit runs tests requires build
          deploy runs deploy requires build,unit artifact build env prod.env
        workflow second
          build runs build
        "#,
    );
}

#[test]
fn no_workflows_key_means_none() {
    let c = werk_yml::parse("w", "build: {}\nworkflows:\n").unwrap();
    assert!(c.workflows.is_empty());
}

#[test]
fn workflow_validation() {
    let cases = [
        (
            "  - name: w\n    pipelines:\n      - name: build\n      - name: build\n        requires: [build]\n",
            "8:9: invalid workflow w: duplicate pipeline build",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n      - name: x\n        pipelineName: nope\n        requires: [build]\n",
            "9:23: invalid workflow w: pipeline nope is not defined",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: missing\n",
            "7:9: invalid workflow w: pipeline missing is not defined",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n      - name: tests\n        requires: [ghost]\n",
            "9:20: invalid workflow w: no pipeline ghost required by tests",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n      - name: tests\n",
            "8:9: invalid workflow w: multiple root pipelines: build, tests",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n        requires: [tests]\n      - name: tests\n        requires: [build]\n",
            "5:5: invalid workflow w: no root pipeline",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n      - name: tests\n        requires: [build, deploy]\n      - name: deploy\n        requires: [tests]\n",
            "8:9: invalid workflow w: contains cycle tests -> deploy -> tests",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n  - name: w\n    pipelines:\n      - name: build\n",
            "8:5: duplicate workflow w",
        ),
        (
            "  - pipelines:\n      - name: build\n",
            "5:5: a workflow has no name",
        ),
        (
            "  - name: w\n    pipelines:\n      - pipelineName: build\n",
            "7:9: a workflow pipeline has no name",
        ),
        (
            "  - name: w\n    pipelines:\n      - name: build\n        requires: build\n",
            "8:19: requires must be a list of pipeline names",
        ),
        ("  name: w\n", "5:3: workflows must be a list of workflows"),
        (
            "  - w\n",
            "5:5: a workflow must be a map with name and pipelines",
        ),
        (
            "  - name: w\n    pipelines: build\n",
            "6:16: pipelines of a workflow must be a list",
        ),
    ];
    for (workflows, expected) in cases {
        check_err(&with_pipelines(workflows), expected);
    }
}
