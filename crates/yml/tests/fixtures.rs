//! Every real-world wercker.yml in the shared fixtures parses, and its model is snapshotted.

use std::path::PathBuf;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/wercker-yml"
);

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("cannot read {FIXTURES}: {e}"))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_parses_and_matches_its_snapshot() {
    let files = fixtures();
    assert!(
        files.len() >= 7,
        "expected the shared fixtures, found {files:?}"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        let config = werk_yml::parse("wercker.yml", &text)
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        assert!(!config.pipelines.is_empty(), "{name} has no pipeline");
        insta::assert_yaml_snapshot!(name, config);
    }
}

#[test]
fn fixture_quirks() {
    let read = |name: &str| {
        let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("fixture");
        werk_yml::parse("wercker.yml", &text).expect("parses")
    };
    // An unquoted 0.12 is a float, which Wercker turned into an empty string.
    let c = read("03-abdul2-hugo-wercker-example.yml");
    let hugo = &c.pipeline("build").unwrap().steps[0];
    assert_eq!(hugo.property("version"), Some(""));
    let gh = &c.pipeline("deploy").unwrap().steps[0];
    assert_eq!(
        (gh.owner.as_str(), gh.name.as_str()),
        ("lukevivier", "gh-pages")
    );
    assert_eq!(gh.version.as_deref(), Some("0.2.1"));

    // Quoted, it stays.
    let c = read("02-akagi201-hugo-wercker-example.yml");
    assert_eq!(
        c.pipeline("build").unwrap().steps[0].property("version"),
        Some("0.15")
    );

    // Flat step properties, cwd pulled out, internal steps.
    let c = read("06-wercker-workflows-kubernetes-demo.yml");
    let kube = c.pipeline("kube-deploy").unwrap();
    assert_eq!(kube.steps[0].display_name(), "Create ca.pem");
    assert_eq!(kube.steps[0].cwd.as_deref(), Some("deployment"));
    assert_eq!(kube.steps[0].property("content"), Some("$CA_PEM"));
    let push = &c.pipeline("push-release").unwrap().steps[3];
    assert_eq!(push.kind(), werk_yml::StepKind::Internal);
    assert_eq!(push.property("disable-sync"), Some("true"));
    assert_eq!(
        c.pipeline("push-release")
            .unwrap()
            .box_
            .as_ref()
            .unwrap()
            .cmd
            .as_deref(),
        Some("/bin/sh")
    );

    // Timeouts, workflows, base-path, docker, checkpoint.
    let c = read("01-wercker-wercker.yml");
    assert_eq!(
        (c.command_timeout, c.no_response_timeout),
        (Some(30), Some(15))
    );
    assert_eq!(
        c.workflows[0].pipelines[1].requires,
        vec!["build".to_string()]
    );
    let build = c.pipeline("build").unwrap();
    assert_eq!(
        build.base_path.as_deref(),
        Some("/go/src/github.com/wercker/wercker")
    );
    assert_eq!(build.steps[0].checkpoint.as_deref(), Some("pkgs"));
    assert!(c.pipeline("integration-tests").unwrap().docker);

    // A folded script and an int property.
    let c = read("07-wercker-todo-api.yml");
    let code = c.pipeline("build").unwrap().steps[2].code().unwrap();
    assert_eq!(
        code,
        "CGO_ENABLED=0 go build -installsuffix cgo -o $WERCKER_OUTPUT_DIR/todo-api\n"
    );
    let push = c.pipeline("push-gcr").unwrap().steps.last().unwrap();
    assert_eq!(push.property("ports"), Some("3000"));

    // Box map with ports.
    let c = read("05-wercker-getting-started-nodejs.yml");
    assert_eq!(c.box_.as_ref().unwrap().ports, vec!["8080".to_string()]);
}
