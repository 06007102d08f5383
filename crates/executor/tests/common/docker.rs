//! Helpers for the Docker tests: the engine with the test image, jobs with run ids of their
//! own, and the containers a run left behind.

use std::path::Path;
use std::process::Command;

use werk_executor::{DockerEngine, Event, Job, LocalExecutor};

use super::{Fixture, start_on};

pub const IMAGE: &str = "werk-test-box:1";

/// The Docker engine with the test image, or `None` (outside CI) when there is none.
pub async fn docker() -> Option<DockerEngine> {
    match DockerEngine::connect().await {
        Ok(engine) => {
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-box-image.sh");
            let status = Command::new("bash")
                .arg(script)
                .arg(IMAGE)
                .status()
                .expect("run test-box-image.sh");
            assert!(status.success(), "building {IMAGE} failed");
            Some(engine)
        }
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and no Docker engine: {e}")
        }
        Err(e) => {
            eprintln!("skipped: no Docker engine ({e})");
            None
        }
    }
}

/// A job with a run id of its own, so that tests running at once do not share containers.
pub fn job(fx: &Fixture, pipeline: &str) -> Job {
    let mut job = fx.job(pipeline, "run");
    job.run_id = format!("{:024x}", rand_id());
    job
}

fn rand_id() -> u128 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    (nanos ^ u128::from(std::process::id()) << 64) & ((1u128 << 96) - 1)
}

/// The containers labelled with the run's id, running or not.
pub fn containers_of(run_id: &str) -> String {
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label=werk.run={run_id}")])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub async fn run_in(docker: &DockerEngine, job: Job) -> Vec<Event> {
    start_on(LocalExecutor::with_docker(docker.clone()), job)
        .finish()
        .await
}

/// Removes the box a run saved (tests clean up after themselves).
pub fn forget_saved_box(run_id: &str) {
    let _ = Command::new("docker")
        .args(["rmi", &DockerEngine::saved_image(run_id)])
        .output();
}
