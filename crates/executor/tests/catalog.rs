//! `describe_step`: registry steps described from a steps directory, werk's built-in steps
//! and the step cache of the git template, without fetching anything.

use std::path::Path;

use werk_executor::{LookupError, StepOrigin, StepSources, describe_step};

fn sources(dir: &Path) -> StepSources {
    StepSources {
        dir: Some(dir.join("steps")),
        git_template: Some("https://bot:s3cret@git.example.org/{owner}/step-{name}.git".into()),
        cache: Some(dir.join("step-cache")),
    }
}

#[test]
fn builtin_steps_answer_for_any_version() {
    let tmp = tempfile::tempdir().unwrap();
    let info = describe_step(&sources(tmp.path()), "arjen", "hugo-build", "2.1.0").unwrap();
    assert_eq!(info.origin, StepOrigin::Builtin);
    assert_eq!(info.version, "2.14.0");
    assert!(info.summary.starts_with("Builds a Hugo site"), "{info:?}");
    assert_eq!(info.tags, ["hugo", "static"]);
    let flags = info.properties.iter().find(|p| p.name == "clean_before");
    assert_eq!(flags.unwrap().default.as_deref(), Some("true"));
    let err = describe_step(&sources(tmp.path()), "someone", "hugo-build", "latest");
    assert!(matches!(err, Err(LookupError::NotFound(_))), "{err:?}");
}

#[test]
fn directory_steps_merge_both_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("steps/acme/notify");
    for v in ["1.9.0", "1.10.0", ".hidden"] {
        std::fs::create_dir_all(dir.join(v)).unwrap();
    }
    std::fs::write(
        dir.join("1.10.0/step.yml"),
        "name: notify\nversion: 1.10.0\nsummary: Tells the team.\nproperties:\n  - name: url\n    type: string\n    required: true\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("1.10.0/wercker-step.yml"),
        "name: notify\ndescription: ignored, step.yml has a summary\nproperties:\n  url:\n    default: https://chat.example.org\n  channel:\n    default: builds\n",
    )
    .unwrap();
    let info = describe_step(&sources(tmp.path()), "acme", "notify", "latest").unwrap();
    assert_eq!(info.version, "1.10.0");
    assert_eq!(info.origin, StepOrigin::Directory(dir.join("1.10.0")));
    assert_eq!(info.summary, "Tells the team.");
    let shown: Vec<_> = info
        .properties
        .iter()
        .map(|p| (p.name.as_str(), p.required, p.default.as_deref()))
        .collect();
    assert_eq!(
        shown,
        [
            ("url", true, Some("https://chat.example.org")),
            ("channel", false, Some("builds"))
        ]
    );
    let pinned = describe_step(&sources(tmp.path()), "acme", "notify", "1.9.0").unwrap();
    assert_eq!(
        (pinned.version.as_str(), pinned.summary.as_str()),
        ("1.9.0", "")
    );
    let missing = describe_step(&sources(tmp.path()), "acme", "notify", "2.0.0");
    let Err(LookupError::NotFound(message)) = missing else {
        panic!("{missing:?}");
    };
    assert!(message.contains("no acme/notify/2.0.0"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

#[test]
fn fetched_git_steps_hide_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let fetched = tmp.path().join("step-cache/acme/deploy/latest");
    std::fs::create_dir_all(&fetched).unwrap();
    std::fs::write(
        fetched.join("step.yml"),
        "version: 0.3.0\nsummary: Ships.\n",
    )
    .unwrap();
    let info = describe_step(&sources(tmp.path()), "acme", "deploy", "*").unwrap();
    assert_eq!(
        info.origin,
        StepOrigin::Git {
            url: "https://git.example.org/acme/step-deploy.git".into()
        }
    );
    assert_eq!(info.version, "0.3.0");
    let none = StepSources::default();
    assert!(matches!(
        describe_step(&none, "acme", "deploy", "latest"),
        Err(LookupError::NotFound(_))
    ));
}
