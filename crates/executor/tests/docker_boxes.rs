//! Boxes and services in a real Docker engine: the shell runs in the box with Wercker's
//! `/pipeline` layout, services answer by alias with link variables, after-steps run in the
//! restarted box, a passed run's box is saved, and nothing is left behind.
//!
//! The images are made by `scripts/test-box-image.sh` with `docker import`. Without a Docker
//! engine these tests say so and pass, except under `CI=true`, where they fail.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::docker::{IMAGE, containers_of, docker, forget_saved_box, job, run_in};
use common::{Fixture, finished, log_of, outcome, start_on};
use futures_util::TryStreamExt;
use werk_executor::{DockerEngine, LocalExecutor, Outcome};

#[tokio::test]
async fn steps_run_in_the_box_with_wercker_paths_and_the_box_is_saved() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box:
  id: {IMAGE}
  env:
    GREETING: hello-$WERCKER_GIT_BRANCH
build:
  steps:
    - script:
        name: inside
        code: |
          echo "root=$WERCKER_ROOT source=$WERCKER_SOURCE_DIR pwd=$(pwd)"
          echo "output=$WERCKER_OUTPUT_DIR cache=$WERCKER_CACHE_DIR step=$WERCKER_STEP_ROOT"
          echo "greeting=$GREETING"
          cat README
          echo made-in-the-box > /etc/werk-marker
          echo built > "$WERCKER_OUTPUT_DIR/result.txt"
          echo cached > "$WERCKER_CACHE_DIR/kept.txt"
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml), ("README", "the readme\n")]);
    let job = job(&fx, "build");
    let (run_id, artifact, cache) = (
        job.run_id.clone(),
        job.artifact_path.clone(),
        job.cache_dir.clone(),
    );
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 2));

    let log = log_of(&events, 4);
    assert!(
        log.contains("root=/pipeline/source source=/pipeline/source pwd=/pipeline/source"),
        "{log}"
    );
    assert!(
        log.contains("output=/pipeline/output cache=/pipeline/cache step=/pipeline/steps/"),
        "{log}"
    );
    assert!(log.contains("greeting=hello-main"), "{log}");
    assert!(log.contains("the readme"), "{log}");
    // The box's file system is its own; the mounts are the run's and the cache's.
    assert!(!Path::new("/etc/werk-marker").exists());
    assert!(
        common::tar_entries(&artifact)
            .iter()
            .any(|e| e.ends_with("result.txt"))
    );
    assert_eq!(
        std::fs::read_to_string(cache.join("kept.txt")).expect("cache kept"),
        "cached\n"
    );

    // The passed run's box was saved, with what the steps changed in it.
    let store = log_of(&events, 5);
    assert!(
        store.contains(&format!("Saved the box as werk-runs:{run_id}")),
        "{store}"
    );
    let tar = docker
        .saved_container(&run_id)
        .await
        .expect("engine answers")
        .expect("the box was saved");
    let bytes: Vec<u8> = tar
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .expect("saved image reads");
    let names: Vec<String> = tar::Archive::new(bytes.as_slice())
        .entries()
        .expect("a tar")
        .map(|e| {
            e.expect("entry")
                .path()
                .expect("path")
                .display()
                .to_string()
        })
        .collect();
    assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
    let marker = Command::new("docker")
        .args([
            "run",
            "--rm",
            &DockerEngine::saved_image(&run_id),
            "cat",
            "/etc/werk-marker",
        ])
        .output()
        .expect("docker run");
    assert_eq!(String::from_utf8_lossy(&marker.stdout), "made-in-the-box\n");
    // The box's variables were the shell's, not the container's: the image has none of them.
    let env = Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .Config.Env}}",
            &DockerEngine::saved_image(&run_id),
        ])
        .output()
        .expect("docker image inspect");
    let env = String::from_utf8_lossy(&env.stdout);
    assert!(!env.contains("GREETING"), "{env}");
    // The source and output, which live in mounts during the run, are in the image too.
    let files = Command::new("docker")
        .args([
            "run",
            "--rm",
            &DockerEngine::saved_image(&run_id),
            "cat",
            "/pipeline/source/README",
            "/pipeline/output/result.txt",
        ])
        .output()
        .expect("docker run");
    assert_eq!(
        String::from_utf8_lossy(&files.stdout),
        "the readme\nbuilt\n"
    );

    assert_eq!(containers_of(&run_id), "", "containers left behind");
    forget_saved_box(&run_id);
}

#[tokio::test]
async fn services_answer_by_alias_with_link_variables() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
services:
  - name: web
    id: {IMAGE}
    cmd: httpd -f -p 8080 -h /www
    env:
      ROLE: frontend
build:
  steps:
    - script:
        name: talk to the service
        code: |
          echo "addr=$WEB_PORT_8080_TCP_ADDR port=$WEB_PORT_8080_TCP_PORT role=$WEB_ENV_ROLE"
          for i in 1 2 3 4 5 6 7 8 9 10; do
            wget -qO- http://web:8080/ && break
            sleep 0.5
          done
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 4));
    let log = log_of(&events, 4);
    assert!(log.contains("hello from the service"), "{log}");
    assert!(log.contains("port=8080 role=frontend"), "{log}");
    assert!(!log.contains("addr= "), "{log}");
    assert!(log_of(&events, 2).contains("reachable as web"));
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn after_steps_run_in_the_restarted_box_and_a_failed_run_saves_nothing() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - script:
        name: leave a file then fail
        code: |
          echo left > /tmp/left-by-main
          false
  after-steps:
    - script:
        name: look
        code: echo "result=$WERCKER_RESULT left=$(cat /tmp/left-by-main)"
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(finished(&events, 4).map(|f| f.0), Some(Outcome::Failed));
    let after = log_of(&events, 6);
    assert!(after.contains("result=failed left=left"), "{after}");
    assert!(
        docker
            .saved_container(&run_id)
            .await
            .expect("engine answers")
            .is_none(),
        "a failed run saves no box"
    );
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn base_path_holds_the_checkout() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
build:
  base-path: /go/src/example.org/app/
  steps:
    - script:
        name: where
        code: echo "pwd=$(pwd) source=$WERCKER_SOURCE_DIR readme=$(cat README)"
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml), ("README", "here")]);
    let events = run_in(&docker, job(&fx, "build")).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 4));
    let log = log_of(&events, 4);
    assert!(
        log.contains("pwd=/go/src/example.org/app source=/go/src/example.org/app readme=here"),
        "{log}"
    );
}

#[tokio::test]
async fn abort_stops_the_box_at_once() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - script:
        name: long
        code: echo started; sleep 60
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let mut running = start_on(LocalExecutor::with_docker(docker.clone()), job);
    running.wait_for_log(4, "started").await;
    let asked = Instant::now();
    running.cancel.cancel();
    let events = running.finish().await;
    assert_eq!(outcome(&events), Outcome::Aborted);
    assert!(asked.elapsed() < Duration::from_secs(20));
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn a_missing_image_fails_setup_naming_it() {
    let Some(docker) = docker().await else { return };
    let yml = "box: werk-no-such-image:0\nbuild:\n  steps:\n    - script:\n        code: true\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    let (result, message) = finished(&events, 2).expect("setup environment ended");
    assert_eq!(result, Outcome::Failed);
    let message = message.unwrap_or_default();
    assert!(
        message.contains("cannot pull the image werk-no-such-image:0"),
        "{message}"
    );
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn docker_run_starts_a_container_the_steps_reach_by_name_until_docker_kill() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - internal/docker-run:
        image: {IMAGE}
        name: api
        cmd: httpd -f -p 9000 -h /www
    - script:
        name: call it
        code: |
          for i in 1 2 3 4 5 6 7 8 9 10; do
            wget -qO- http://api:9000/ && break
            sleep 0.5
          done
    - internal/docker-kill:
        name: api
    - script:
        name: gone
        code: |
          if wget -qO- -T 2 http://api:9000/; then echo still there; exit 1; fi
          echo api is gone
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 5));
    assert!(log_of(&events, 4).contains("reachable as api"));
    assert!(log_of(&events, 5).contains("hello from the service"));
    assert!(log_of(&events, 6).contains("Killed api"));
    let shown: Vec<(u32, String)> = common::planned(&events);
    assert_eq!(shown[3], (4, "docker run".to_owned()));
    assert!(log_of(&events, 7).contains("api is gone"));
    forget_saved_box(&run_id);
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn stderr_in_a_box_stays_in_order_and_in_its_step() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - script:
        name: noisy
        code: |
          i=0
          while [ $i -lt 3000 ]; do echo "out-$i"; echo "err-$i" >&2; i=$((i+1)); done
    - script:
        name: quiet
        code: echo second step
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    let expected: String = (0..3000).map(|i| format!("out-{i}\nerr-{i}\n")).collect();
    assert_eq!(log_of(&events, 4), expected);
    assert_eq!(log_of(&events, 5), "second step\n");
    forget_saved_box(&run_id);
}

#[tokio::test]
async fn a_setup_that_fails_after_a_service_started_leaves_nothing_behind() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        "box:\n  id: {IMAGE}\n  cmd: /no-such-shell\nservices:\n  - name: web\n    id: {IMAGE}\n    cmd: httpd -f -p 8080 -h /www\nbuild:\n  steps:\n    - script:\n        code: true\n"
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    // Checked as soon as the run reported its end: the clean-up came before it.
    assert_eq!(containers_of(&run_id), "", "containers left behind");
    let network = Command::new("docker")
        .args(["network", "inspect", &format!("werk-{run_id}")])
        .output()
        .expect("docker network inspect");
    assert!(
        !network.status.success(),
        "the run's network was left behind"
    );
}

#[tokio::test]
async fn a_missing_source_dir_fails_in_a_box_as_on_this_machine() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        "box: {IMAGE}\nsource-dir: nothere\nbuild:\n  steps:\n    - script:\n        code: ls\n"
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let events = run_in(&docker, job(&fx, "build")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    let (_, message) = finished(&events, 4).expect("the step ended");
    assert_eq!(
        message.as_deref(),
        Some("cannot change to the source directory /pipeline/source/nothere")
    );
}

#[tokio::test]
async fn an_abort_during_the_after_steps_keeps_no_saved_box() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        "box: {IMAGE}\nbuild:\n  steps:\n    - script:\n        code: true\n  after-steps:\n    - script:\n        name: slow notify\n        code: echo notifying; sleep 60\n"
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let mut running = start_on(LocalExecutor::with_docker(docker.clone()), job);
    running.wait_for_log(6, "notifying").await;
    assert!(
        docker
            .saved_container(&run_id)
            .await
            .expect("engine answers")
            .is_some(),
        "the box was saved before the after-steps"
    );
    running.cancel.cancel();
    let events = running.finish().await;
    assert_eq!(outcome(&events), Outcome::Aborted);
    assert!(
        docker
            .saved_container(&run_id)
            .await
            .expect("engine answers")
            .is_none(),
        "an aborted run keeps no box"
    );
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}
