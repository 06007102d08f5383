//! `internal/docker-build`, `internal/docker-push` and `internal/docker-scratch-push`
//! against a real registry (Debian's `docker-registry`, on loopback, with an htpasswd
//! login): a pushed image holds what the steps left in the box, the source and the step's
//! settings, or is the image built from a Dockerfile, or one layer of the output; a wrong
//! login or a broken Dockerfile fails the step, saying why. `internal/store-container`
//! saves the box.
//!
//! Without a Docker engine these tests say so and pass, except under `CI=true`.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::docker::{IMAGE, containers_of, docker, forget_saved_box, job, run_in};
use common::{Fixture, finished, log_of, outcome};
use werk_executor::{DockerEngine, Outcome};

/// A Docker registry (Debian's `docker-registry`) on a loopback port, asking for the login
/// `pusher` / `s3cret`; the engine pushes to loopback registries over plain HTTP.
struct Registry {
    child: std::process::Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Registry {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let htpasswd = Command::new("htpasswd")
            .args(["-Bbn", "pusher", "s3cret"])
            .output()
            .expect("htpasswd (apache2-utils) runs");
        std::fs::write(dir.path().join("htpasswd"), &htpasswd.stdout).expect("write htpasswd");
        let config = format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root}\nhttp:\n  addr: {address}\nauth:\n  htpasswd:\n    realm: werk-test\n    path: {root}/htpasswd\n",
            root = dir.path().display()
        );
        std::fs::write(dir.path().join("config.yml"), config).expect("write config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry (Debian package) runs");
        let registry = Registry {
            child,
            address,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while registry.curl("/v2/").is_none() {
            assert!(Instant::now() < deadline, "the registry never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
        registry
    }

    /// Logs the engine in and pulls `image` from the registry.
    fn pull(&self, image: &str) {
        let login = Command::new("docker")
            .args(["login", "-u", "pusher", "-p", "s3cret", &self.address])
            .output()
            .expect("docker login");
        assert!(login.status.success(), "{login:?}");
        let pulled = Command::new("docker")
            .args(["pull", "-q", image])
            .output()
            .expect("docker pull");
        assert!(pulled.status.success(), "{pulled:?}");
    }

    /// The body of a GET with the login, or `None` when it fails.
    fn curl(&self, path: &str) -> Option<String> {
        let out = Command::new("curl")
            .args(["-sf", "-u", "pusher:s3cret"])
            .arg(format!("http://{}{path}", self.address))
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn docker_push_sends_the_box_with_its_source_and_settings_to_a_registry() {
    let Some(docker) = docker().await else { return };
    let registry = Registry::start();
    let repository = format!("{}/team/app", registry.address);
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - script:
        name: bake
        code: echo baked-into-the-image > /etc/baked
    - internal/docker-push:
        repository: {repository}
        username: $PUSH_USER
        password: $PUSH_PASSWORD
        tag: v1-$WERCKER_GIT_BRANCH latest
        working-dir: /pipeline/source
        cmd: /bin/sh -c 'cat /etc/baked README; env | grep ROLE='
        env: ROLE=web
        ports: "8080"
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml), ("README", "the app's readme\n")]);
    let mut job = job(&fx, "build");
    job.env.push(("PUSH_USER".into(), "pusher".into()));
    job.env.push(("PUSH_PASSWORD".into(), "s3cret".into()));
    job.protected_keys.push("PUSH_PASSWORD".into());
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    let log = log_of(&events, 5);
    assert_eq!(outcome(&events), Outcome::Passed, "{log}");
    assert!(
        log.contains(&format!("Pushed {repository}:v1-main")),
        "{log}"
    );
    assert!(
        log.contains(&format!("Pushed {repository}:latest")),
        "{log}"
    );

    for order in 1..=6 {
        assert!(
            !log_of(&events, order).contains("s3cret"),
            "step {order} shows the password"
        );
    }
    let tags = registry.curl("/v2/team/app/tags/list").expect("tags list");
    assert!(
        tags.contains("v1-main") && tags.contains("latest"),
        "{tags}"
    );

    // Pulled back from the registry, the image runs the step's cmd in its working dir.
    let image = format!("{repository}:v1-main");
    let _ = Command::new("docker").args(["rmi", &image]).output();
    registry.pull(&image);
    let ran = Command::new("docker")
        .args(["run", "--rm", &image])
        .output()
        .expect("docker run");
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "baked-into-the-image\nthe app's readme\nROLE=web\n"
    );
    let inspect = Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .Config.ExposedPorts}}",
            &image,
        ])
        .output()
        .expect("docker inspect");
    assert!(String::from_utf8_lossy(&inspect.stdout).contains("8080/tcp"));
    let _ = Command::new("docker").args(["rmi", &image]).output();
    let _ = Command::new("docker")
        .args(["logout", &registry.address])
        .output();
    forget_saved_box(&run_id);
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn docker_push_with_a_wrong_login_fails_the_step_saying_why() {
    let Some(docker) = docker().await else { return };
    let registry = Registry::start();
    let yml = format!(
        "box: {IMAGE}\nbuild:\n  steps:\n    - internal/docker-push:\n        repository: {}/team/app\n        username: pusher\n        password: wrong\n",
        registry.address
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let events = run_in(&docker, job(&fx, "build")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    let (_, message) = finished(&events, 4).expect("the push step ended");
    let message = message.unwrap_or_default();
    assert!(message.contains("cannot push"), "{message}");
    assert!(registry.curl("/v2/team/app/tags/list").is_none());
}

#[tokio::test]
async fn docker_build_then_docker_push_sends_the_built_image() {
    let Some(docker) = docker().await else { return };
    let registry = Registry::start();
    let repository = format!("{}/team/built", registry.address);
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - internal/docker-build:
        image-name: app
        context: image
        build-args: GREETING=hello-$WERCKER_GIT_BRANCH
    - internal/docker-push:
        image-name: app
        repository: {repository}
        username: pusher
        password: s3cret
        tag: v2
"#
    );
    let dockerfile = format!(
        "FROM {IMAGE}\nARG GREETING\nCOPY motd /motd\nRUN echo \"$GREETING\" > /greeting\nCMD [\"cat\", \"/motd\", \"/greeting\"]\n"
    );
    let fx = Fixture::new(&[
        ("wercker.yml", &yml),
        ("image/Dockerfile", &dockerfile),
        ("image/motd", "built from a Dockerfile\n"),
    ]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 4));
    assert!(log_of(&events, 4).contains(&format!("Built {run_id}app")));
    assert!(log_of(&events, 5).contains(&format!("Pushed {repository}:v2")));

    let image = format!("{repository}:v2");
    registry.pull(&image);
    let ran = Command::new("docker")
        .args(["run", "--rm", &image])
        .output()
        .expect("docker run");
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "built from a Dockerfile\nhello-main\n"
    );
    let _ = Command::new("docker").args(["rmi", &image]).output();
    let _ = Command::new("docker")
        .args(["logout", &registry.address])
        .output();
    // The built image goes with the run.
    let built = Command::new("docker")
        .args(["image", "inspect", &format!("{run_id}app")])
        .output()
        .expect("docker image inspect");
    assert!(!built.status.success(), "the built image was left behind");
    forget_saved_box(&run_id);
    assert_eq!(containers_of(&run_id), "", "containers left behind");
}

#[tokio::test]
async fn a_broken_dockerfile_fails_docker_build_with_the_builders_message() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        "box: {IMAGE}\nbuild:\n  steps:\n    - internal/docker-build:\n        image-name: app\n"
    );
    let fx = Fixture::new(&[
        ("wercker.yml", &yml),
        ("Dockerfile", &format!("FROM {IMAGE}\nRUN exit 3\n")),
    ]);
    let events = run_in(&docker, job(&fx, "build")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    let (_, message) = finished(&events, 4).expect("the build step ended");
    let message = message.unwrap_or_default();
    assert!(message.contains("returned a non-zero code: 3"), "{message}");
}

#[tokio::test]
async fn docker_scratch_push_sends_the_output_as_one_layer() {
    let Some(docker) = docker().await else { return };
    let registry = Registry::start();
    let repository = format!("{}/team/scratch", registry.address);
    let yml = format!(
        r#"
box: {IMAGE}
build:
  steps:
    - script:
        name: output
        code: |
          cp /bin/busybox "$WERCKER_OUTPUT_DIR/busybox"
          echo hi-from-scratch > "$WERCKER_OUTPUT_DIR/hello.txt"
    - internal/docker-scratch-push:
        repository: {repository}
        username: pusher
        password: s3cret
        tag: s1
        cmd: /busybox cat /hello.txt
"#
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 5));
    assert!(log_of(&events, 5).contains(&format!("Pushed {repository}:s1")));

    let image = format!("{repository}:s1");
    registry.pull(&image);
    let layers = Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            "{{len .RootFS.Layers}}",
            &image,
        ])
        .output()
        .expect("docker image inspect");
    assert_eq!(String::from_utf8_lossy(&layers.stdout).trim(), "1");
    let ran = Command::new("docker")
        .args(["run", "--rm", &image])
        .output()
        .expect("docker run");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "hi-from-scratch\n");
    let _ = Command::new("docker").args(["rmi", &image]).output();
    let _ = Command::new("docker")
        .args(["logout", &registry.address])
        .output();
    forget_saved_box(&run_id);
}

#[tokio::test]
async fn store_container_saves_the_box_at_that_step() {
    let Some(docker) = docker().await else { return };
    let yml = format!(
        "box: {IMAGE}\nbuild:\n  steps:\n    - script:\n        code: echo early > /etc/early\n    - internal/store-container\n"
    );
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let job = job(&fx, "build");
    let run_id = job.run_id.clone();
    let events = run_in(&docker, job).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert!(log_of(&events, 5).contains(&format!("Saved the box as werk-runs:{run_id}")));
    let early = Command::new("docker")
        .args([
            "run",
            "--rm",
            &DockerEngine::saved_image(&run_id),
            "cat",
            "/etc/early",
        ])
        .output()
        .expect("docker run");
    assert_eq!(String::from_utf8_lossy(&early.stdout), "early\n");
    forget_saved_box(&run_id);
}
