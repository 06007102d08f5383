//! Benchmarks of runs in Docker boxes (`werk serve --docker`): what a box and a service add
//! to a run, and how long saving and downloading a passed run's box takes.
//!
//! Run with `cargo bench -p werk --bench boxes` (needs a Docker engine, and the Debian
//! packages bash-static and busybox-static for the test image); the figures go to
//! `docs/benchmarks.md` by hand.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Repo, TEST_BOX, TestServer};
use serde_json::json;

/// Runs per pipeline.
const RUNS: usize = 10;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Seconds of the day of an API timestamp.
fn seconds(s: &str) -> f64 {
    let time = &s[11..23];
    let h: f64 = time[0..2].parse().unwrap();
    let m: f64 = time[3..5].parse().unwrap();
    let sec: f64 = time[6..].parse().unwrap();
    h * 3600.0 + m * 60.0 + sec
}

/// Runs `pipeline` `RUNS` times; (trigger → passed, setup environment, store) in ms, sorted.
async fn measure(server: &TestServer, pipeline: &str) -> [Vec<f64>; 3] {
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..RUNS {
        let asked = Instant::now();
        let run = server.trigger(pipeline, json!({})).await;
        let id = run["id"].as_str().unwrap().to_string();
        let done = server.finished(&id).await;
        assert_eq!(done["result"], "passed", "{done}");
        out[0].push(asked.elapsed().as_secs_f64() * 1000.0);
        for (slot, name) in [(1, "setup environment"), (2, "store")] {
            let step = server.step(&id, name).await;
            let took = seconds(step["finishedAt"].as_str().unwrap())
                - seconds(step["startedAt"].as_str().unwrap());
            out[slot].push(took * 1000.0);
        }
    }
    for v in &mut out {
        v.sort_by(f64::total_cmp);
    }
    out
}

#[tokio::main]
async fn main() {
    assert!(common::docker_with_test_box(), "a Docker engine is needed");
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--docker"]).await;
    let step = "  steps:\n    - script:\n        name: hello\n        code: echo hello\n";
    let yml = format!(
        "host:\n{step}boxed:\n  box: {TEST_BOX}\n{step}with-service:\n  box: {TEST_BOX}\n  services:\n    - name: web\n      id: {TEST_BOX}\n      cmd: httpd -f -p 8080 -h /www\n{step}"
    );
    let repo = Repo::with_yml(&yml);
    server.create_app("bench", repo.path(), "public").await;
    let mut last_boxed = String::new();
    for name in ["host", "boxed", "with-service"] {
        let pipeline = server.pipeline_id("bench", name).await;
        let [total, setup, store] = measure(&server, &pipeline).await;
        println!("{name}, {RUNS} runs:");
        for (what, v) in [
            ("trigger -> passed (client polls every 50 ms)", &total),
            ("setup environment", &setup),
            ("store (with saving the box)", &store),
        ] {
            println!(
                "  {what}: p50 {:.0} ms, max {:.0} ms",
                percentile(v, 0.5),
                percentile(v, 1.0)
            );
        }
        if name == "boxed" {
            let (_, runs) = server
                .get(&format!("/api/v3/runs?pipelineId={pipeline}&limit=1"))
                .await;
            last_boxed = runs[0]["id"].as_str().unwrap().to_string();
        }
    }

    let started = Instant::now();
    let response = server
        .http
        .get(server.api(&format!("/api/v2/builds/{last_boxed}/docker")))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap().len();
    println!(
        "download of a saved box ({:.1} MiB): {:.0} ms",
        bytes as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64() * 1000.0
    );
    // The boxes this benchmark saved, and only those.
    let app = server.get("/api/v3/applications/admin/bench").await.1;
    let app_id = app["id"].as_str().unwrap();
    let (_, runs) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}&limit=100"))
        .await;
    for run in runs.as_array().unwrap() {
        let image = format!("werk-runs:{}", run["id"].as_str().unwrap());
        let _ = std::process::Command::new("docker")
            .args(["rmi", &image])
            .output();
    }
}
