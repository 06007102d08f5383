//! Whole runs of the local executor on real git repositories: events, environment, the
//! shell protocol between steps, failures and after-steps.

mod common;

use common::{Fixture, finished, log_of, outcome, planned, run, started, tar_entries};
use werk_executor::{Event, Outcome, Phase, RunKind, Source};

const PASSING: &str = r#"
build:
  steps:
    - script:
        name: make output
        code: |
          echo "building $WERCKER_GIT_BRANCH"
          mkdir -p "$WERCKER_OUTPUT_DIR/site"
          echo hello > "$WERCKER_OUTPUT_DIR/site/index.html"
    - script:
        name: second
        code: echo second step
"#;

#[tokio::test]
async fn passing_pipeline_reports_everything_in_order() {
    let fx = Fixture::new(&[("wercker.yml", PASSING)]);
    let head = common::git(&fx.repo(), &["rev-parse", "HEAD"]);
    let job = fx.job("build", "run1");
    let artifact = job.artifact_path.clone();
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(started(&events), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(
        planned(&events),
        vec![
            (1, "get code".to_owned()),
            (2, "setup environment".to_owned()),
            (3, "wercker-init".to_owned()),
            (4, "make output".to_owned()),
            (5, "second".to_owned()),
            (6, "store".to_owned()),
        ]
    );
    let phases: Vec<Phase> = events
        .iter()
        .find_map(|e| match e {
            Event::StepsPlanned(steps) => Some(steps.iter().map(|s| s.phase).collect()),
            _ => None,
        })
        .expect("steps planned");
    assert_eq!(
        phases,
        [
            Phase::Builtin,
            Phase::Builtin,
            Phase::Main,
            Phase::Main,
            Phase::Main,
            Phase::Main
        ]
    );

    // Step 1 brackets the checkout report; every step finishes before the next starts.
    let kinds: Vec<String> = events
        .iter()
        .filter(|e| !matches!(e, Event::Log { .. }))
        .map(|e| match e {
            Event::CheckedOut { .. } => "checked-out".to_owned(),
            Event::StepsPlanned(_) => "planned".to_owned(),
            Event::StepStarted { order } => format!("start {order}"),
            Event::StepFinished { order, outcome, .. } => format!("finish {order} {outcome:?}"),
            Event::Finished { outcome } => format!("finished {outcome:?}"),
            Event::Log { .. } => unreachable!(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "start 1",
            "checked-out",
            "finish 1 Passed",
            "start 2",
            "planned",
            "finish 2 Passed",
            "start 3",
            "finish 3 Passed",
            "start 4",
            "finish 4 Passed",
            "start 5",
            "finish 5 Passed",
            "start 6",
            "finish 6 Passed",
            "finished Passed",
        ]
    );

    let Some(Event::CheckedOut {
        commit,
        message,
        yml,
    }) = events
        .iter()
        .find(|e| matches!(e, Event::CheckedOut { .. }))
    else {
        panic!("no CheckedOut");
    };
    assert_eq!(commit, &head);
    assert_eq!(message, "initial commit\n\nwith a body");
    assert_eq!(yml.as_deref(), Some(PASSING));

    let setup = log_of(&events, 2);
    assert!(setup.contains("WERCKER=true\n"), "{setup}");
    assert!(setup.contains("CI=true\nWERCKER_RUN_ID="), "{setup}");
    assert!(
        setup.contains(&format!("WERCKER_GIT_COMMIT={head}\n")),
        "{setup}"
    );
    assert_eq!(log_of(&events, 4), "building main\n");
    assert_eq!(log_of(&events, 5), "second step\n");

    let store = log_of(&events, 6);
    assert!(
        store.starts_with("Storing artifacts\nCollecting files from "),
        "{store}"
    );
    assert!(store.contains("\n./site/index.html\n"), "{store}");
    assert!(store.contains("Total artifact size: "), "{store}");
    assert!(store.ends_with("Storing artifacts complete\n"), "{store}");
    let entries = tar_entries(&artifact);
    assert!(
        entries.contains(&"site/index.html".to_owned()),
        "{entries:?}"
    );
}

#[tokio::test]
async fn exports_and_directories_carry_over_between_steps() {
    let yml = r#"
build:
  steps:
    - script:
        name: export
        code: |
          export GREETING="hi from step one"
          cd /
    - script:
        name: read
        code: |
          echo "greeting=$GREETING"
          echo "expanded=$LATER"
          pwd
    - script:
        name: in sub
        cwd: sub/dir
        code: pwd
"#;
    let fx = Fixture::new(&[("wercker.yml", yml), ("sub/dir/keep", "")]);
    let mut job = fx.job("build", "run");
    // Values expand in the shell, in export order.
    job.env.push(("FIRST".to_owned(), "one".to_owned()));
    job.env
        .push(("LATER".to_owned(), "$FIRST and \"quoted\"".to_owned()));
    let source = job.work_dir.join("source");
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    let read = log_of(&events, 5);
    assert_eq!(
        read,
        format!(
            "greeting=hi from step one\nexpanded=one and \"quoted\"\n{}\n",
            source.display()
        )
    );
    assert_eq!(
        log_of(&events, 6),
        format!("{}\n", source.join("sub/dir").display())
    );
}

#[tokio::test]
async fn set_e_is_added_unless_the_code_has_a_shebang() {
    let yml = r#"
build:
  steps:
    - script:
        name: shebang
        code: |
          #!/bin/bash
          false
          echo "kept going"
    - script:
        name: plain
        code: |
          false
          echo "not reached"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(log_of(&events, 4), "kept going\n");
    assert_eq!(finished(&events, 4), Some((Outcome::Passed, None)));
    assert_eq!(log_of(&events, 5), "");
    assert_eq!(
        finished(&events, 5),
        Some((
            Outcome::Failed,
            Some("Step failed with exit code: 1".to_owned())
        ))
    );
}

#[tokio::test]
async fn failing_step_stops_the_main_steps_and_after_steps_see_the_result() {
    let yml = r#"
build:
  steps:
    - script:
        name: breaks
        code: |
          echo about to fail
          fail "the tests broke"
    - script:
        name: never
        code: echo never
  after-steps:
    - script:
        name: notify
        code: |
          echo "result=$WERCKER_RESULT"
          echo "step=$WERCKER_FAILED_STEP_DISPLAY_NAME"
          echo "message=$WERCKER_FAILED_STEP_MESSAGE"
          exit 4
    - script:
        name: not after a failed after-step
        code: echo no
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    let plan: Vec<u32> = planned(&events).iter().map(|(o, _)| *o).collect();
    assert_eq!(plan, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    // `never` (5) and `store` (6) do not start; the first after-step (7) does.
    assert_eq!(started(&events), vec![1, 2, 3, 4, 7]);
    assert!(log_of(&events, 4).contains("failed: the tests broke"));
    assert_eq!(
        finished(&events, 4),
        Some((Outcome::Failed, Some("the tests broke".to_owned())))
    );
    assert_eq!(
        log_of(&events, 7),
        "result=failed\nstep=breaks\nmessage=the tests broke\n"
    );
    assert_eq!(
        finished(&events, 7),
        Some((
            Outcome::Failed,
            Some("Step failed with exit code: 4".to_owned())
        ))
    );
}

#[tokio::test]
async fn after_steps_of_a_passing_run() {
    let yml = r#"
build:
  steps:
    - script:
        name: ok
        code: export ONLY_IN_MAIN=yes
  after-steps:
    - script:
        name: report
        code: echo "result=$WERCKER_RESULT main=${ONLY_IN_MAIN:-unset} failed=${WERCKER_FAILED_STEP_DISPLAY_NAME:-none}"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    // The after-steps run in a fresh shell: the main steps' exports are gone.
    assert_eq!(log_of(&events, 6), "result=passed main=unset failed=none\n");
}

#[tokio::test]
async fn yaml_errors_are_shown_with_line_and_column() {
    let yml = "build:\n  steps:\n    - script:\n        code: a\n       bad: x\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert!(planned(&events).is_empty());
    assert_eq!(started(&events), vec![1, 2]);
    let log = log_of(&events, 2);
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines[0].starts_with("wercker.yml:5:8: "), "{log}");
    assert_eq!(lines[1..], ["       bad: x", "       ^"], "{log}");
    assert_eq!(
        finished(&events, 2),
        Some((Outcome::Failed, Some(lines[0].to_owned())))
    );
}

#[tokio::test]
async fn missing_yml_and_unknown_pipeline() {
    let fx = Fixture::new(&[("README", "no yml here")]);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    let (_, message) = finished(&events, 2).expect("setup finished");
    assert!(
        message
            .unwrap_or_default()
            .contains("no wercker.yml was found")
    );

    fx.commit(&[("wercker.yml", PASSING)], "add yml");
    let events = run(fx.job("deploy", "run2")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 2),
        Some((
            Outcome::Failed,
            Some("no pipeline named deploy in wercker.yml (it has: build)".to_owned())
        ))
    );
}

#[tokio::test]
async fn steps_this_executor_cannot_run_fail_with_a_reason() {
    let yml = r#"
build:
  steps:
    - someone/unknown-step@1.2.0
deploy:
  steps:
    - internal/docker-push:
        repository: x
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(
                "step someone/unknown-step@1.2.0 not found; looked in: no steps directory \
                 configured; no built-in step of that name; no step git template configured"
                    .to_owned()
            )
        ))
    );

    let events = run(fx.job("deploy", "run2")).await;
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some("step internal/docker-push runs only in a box (werk serve --docker)".to_owned())
        ))
    );
}

#[tokio::test]
async fn fetches_new_commits_into_the_mirror_and_names_missing_branches() {
    let fx = Fixture::new(&[("wercker.yml", PASSING)]);
    assert_eq!(
        outcome(&run(fx.job("build", "run1")).await),
        Outcome::Passed
    );

    let second = fx.commit(&[("new.txt", "new")], "second commit");
    let events = run(fx.job("build", "run2")).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::CheckedOut { commit, message, .. } if *commit == second && message == "second commit"
    )));

    let mut job = fx.job("build", "run3");
    if let Source::Git { branch, .. } = &mut job.source {
        *branch = "nope".to_owned();
    }
    let events = run(job).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(started(&events), vec![1]);
    assert_eq!(
        finished(&events, 1),
        Some((
            Outcome::Failed,
            Some("branch nope not found in the repository".to_owned())
        ))
    );
}

#[tokio::test]
async fn empty_output_stores_the_source_without_git_metadata() {
    let yml = r#"
deploy:
  steps:
    - script:
        name: default list
        code: echo default
  production:
    - script:
        name: target list
        code: echo "deploy=$DEPLOY ci=${CI:-unset} target=$WERCKER_DEPLOYTARGET_NAME"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml), ("node_modules/x/index.js", "x")]);
    let mut job = fx.job("deploy", "run");
    job.kind = RunKind::Deploy;
    job.env.push((
        "WERCKER_DEPLOYTARGET_NAME".to_owned(),
        "production".to_owned(),
    ));
    let artifact = job.artifact_path.clone();
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(planned(&events)[3], (4, "target list".to_owned()));
    assert_eq!(
        log_of(&events, 4),
        "deploy=true ci=unset target=production\n"
    );
    let store = log_of(&events, 5);
    assert!(store.contains("\n./.git/ (content omitted)\n"), "{store}");
    assert!(
        store.contains("\n./node_modules/ (content omitted)\n"),
        "{store}"
    );
    assert!(store.contains("\n./wercker.yml\n"), "{store}");
    assert!(!store.contains("index.js"), "{store}");
    let entries = tar_entries(&artifact);
    assert!(entries.contains(&"wercker.yml".to_owned()), "{entries:?}");
    assert!(
        entries.contains(&"node_modules/x/index.js".to_owned()),
        "{entries:?}"
    );
    assert!(
        !entries.iter().any(|e| e.starts_with(".git")),
        "{entries:?}"
    );
}

#[tokio::test]
async fn an_artifact_can_be_the_source() {
    let yml =
        "deploy:\n  steps:\n    - script:\n        name: show\n        code: cat site/index.html\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let tar_path = dir.path().join("parent.tar");
    {
        let mut builder = tar::Builder::new(std::fs::File::create(&tar_path).expect("tar"));
        for (name, text) in [
            ("wercker.yml", yml),
            ("site/index.html", "from the parent\n"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, name, text.as_bytes())
                .expect("append");
        }
        builder.finish().expect("finish tar");
    }
    let fx = Fixture {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    let mut job = fx.job("deploy", "run");
    job.source = Source::Artifact {
        path: tar_path,
        branch: "main".to_owned(),
        commit: "c".repeat(40),
    };
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(
        log_of(&events, 1),
        "Retrieving the output of the source run\n"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        Event::CheckedOut { commit, message, yml: Some(_) } if *commit == "c".repeat(40) && message.is_empty()
    )));
    assert_eq!(log_of(&events, 4), "from the parent\n");
}
