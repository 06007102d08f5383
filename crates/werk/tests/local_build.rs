//! `werk build` and `werk workflow`: a project's pipelines run from its directory, without a
//! server, with live output and the exit code of the result; with `--docker`, in their box.

use std::path::Path;
use std::process::{Command, Output};

const YML: &str = r#"build:
  steps:
    - script:
        name: compile
        code: |
          echo "compiling $(cat src.txt) on $WERCKER_GIT_BRANCH"
          mkdir -p "$WERCKER_OUTPUT_DIR/bin" && cp src.txt "$WERCKER_OUTPUT_DIR/bin/app"
          test "$FAIL" != yes
deploy:
  steps:
    - script:
        name: ship
        code: echo "shipping $(cat bin/app)"
workflows:
  - name: release
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
"#;

fn werk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wercker.yml"), YML).unwrap();
    std::fs::write(dir.path().join("src.txt"), "version-1").unwrap();
    let git = |args: &[&str]| {
        assert!(
            Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap()
                .status
                .success()
        )
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "-m",
        "init",
    ]);
    // An uncommitted change: werk build runs the working tree as it is.
    std::fs::write(dir.path().join("src.txt"), "version-2-uncommitted").unwrap();
    dir
}

#[test]
fn build_runs_one_pipeline_of_the_working_tree_and_keeps_its_artifact() {
    let dir = project();
    let out_dir = dir.path().join("out");
    let out = werk(
        dir.path(),
        &["build", "--artifacts", out_dir.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("--> compile"), "{stdout}");
    assert!(
        stdout.contains("compiling version-2-uncommitted on main"),
        "{stdout}"
    );
    assert!(stdout.contains("==> build passed"), "{stdout}");
    assert!(
        !stdout.contains("shipping"),
        "werk build runs one pipeline, never the chain: {stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("bin/app")).unwrap(),
        "version-2-uncommitted"
    );

    let out = werk(dir.path(), &["build", "--env", "FAIL=yes"]);
    assert_eq!(out.status.code(), Some(1), "a failed pipeline exits 1");
    assert!(String::from_utf8_lossy(&out.stdout).contains("==> build failed"));

    let out = werk(dir.path(), &["build", "--pipeline", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no pipeline \"nosuch\""));
}

#[test]
fn workflow_runs_the_chain_with_each_pipelines_artifact() {
    let dir = project();
    let out_dir = dir.path().join("artifacts");
    let out = werk(
        dir.path(),
        &[
            "workflow",
            "release",
            "--artifacts",
            out_dir.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("==> build passed"), "{stdout}");
    assert!(
        stdout.contains("shipping version-2-uncommitted"),
        "{stdout}"
    );
    assert!(stdout.contains("==> deploy passed"), "{stdout}");
    assert!(out_dir.join("build/bin/app").exists());
    assert!(out_dir.join("deploy").is_dir());

    let out = werk(dir.path(), &["workflow", "nightly"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no workflow \"nightly\" (it has: release)")
    );
}

#[path = "common/mod.rs"]
mod common;

#[test]
fn build_with_docker_runs_the_working_tree_in_its_box() {
    if !common::docker_with_test_box() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let yml = format!(
        "box: {}\nbuild:\n  steps:\n    - script:\n        name: inside\n        code: |\n          echo \"in $(pwd) with $(cat src.txt)\"\n          test -x /bin/busybox\n          cp src.txt \"$WERCKER_OUTPUT_DIR/\"\n",
        common::TEST_BOX
    );
    std::fs::write(dir.path().join("wercker.yml"), yml).unwrap();
    std::fs::write(dir.path().join("src.txt"), "local-edit").unwrap();
    let saved_boxes = || {
        let out = Command::new("docker")
            .args(["images", "-q", "werk-runs"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    let saved_before = saved_boxes();
    let out_dir = dir.path().join("out");
    let out = werk(
        dir.path(),
        &[
            "build",
            "--docker",
            "--artifacts",
            out_dir.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("in /pipeline/source with local-edit"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(out_dir.join("src.txt")).unwrap(),
        "local-edit"
    );
    assert_eq!(saved_boxes(), saved_before, "a local build saves no box");
}

#[test]
fn ctrl_c_stops_a_build_in_a_box_and_leaves_nothing_running() {
    use std::io::Read;
    if !common::docker_with_test_box() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let yml = format!(
        "box: {}\nbuild:\n  steps:\n    - script:\n        name: long\n        code: echo started; sleep 120\n",
        common::TEST_BOX
    );
    std::fs::write(dir.path().join("wercker.yml"), yml).unwrap();
    let boxes = || {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", "label=werk.run"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    let before = boxes();
    let mut child = Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(["build", "--docker"])
        .current_dir(dir.path())
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read as it comes: the step's line is shown before its newline is.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("started") {
        let mut buf = [0u8; 256];
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "the build ended before its step started");
        seen.extend_from_slice(&buf[..n]);
    }
    assert_eq!(boxes(), before + 1, "the box runs");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    drop(stdout);
    assert_eq!(boxes(), before, "the box was removed before werk exited");
}
