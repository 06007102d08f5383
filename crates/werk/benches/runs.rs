//! Benchmarks of a real `werk serve`: how fast a trigger reaches its first step, how long a
//! trivial run takes end to end, and what a huge step log costs in time and server memory.
//!
//! Run with `cargo bench -p werk`; the figures go to `docs/benchmarks.md` by hand.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Repo, TestServer};
use serde_json::json;

/// Runs triggered one after the other for the latency figures.
const SEQUENTIAL_RUNS: usize = 30;

/// Size of the log written by the huge-log pipeline, in MiB.
const HUGE_LOG_MIB: u64 = 1024;

fn millis(from: &str, to: &str) -> f64 {
    let parse = |s: &str| chrono_like(s);
    (parse(to) - parse(from)) * 1000.0
}

/// Seconds (with fractions) of the day of an API timestamp; runs here never cross midnight
/// twice, and a crossing only shows as one odd sample.
fn chrono_like(s: &str) -> f64 {
    let time = &s[11..23];
    let h: f64 = time[0..2].parse().unwrap();
    let m: f64 = time[3..5].parse().unwrap();
    let sec: f64 = time[6..].parse().unwrap();
    h * 3600.0 + m * 60.0 + sec
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(&format!(
        "build:\n  steps:\n    - script:\n        name: hello\n        code: echo hello\nhuge:\n  steps:\n    - script:\n        name: write\n        code: yes 'a line of a huge build log, about sixty bytes long...' | head -c {}\n",
        HUGE_LOG_MIB * 1024 * 1024
    ));
    server.create_app("bench", repo.path(), "public").await;
    let build = server.pipeline_id("bench", "build").await;

    // Trigger to first step, and trigger to finished, for a trivial pipeline.
    let mut to_start = Vec::new();
    let mut to_finish = Vec::new();
    let mut posted = Vec::new();
    for _ in 0..SEQUENTIAL_RUNS {
        let asked = Instant::now();
        let run = server.trigger(&build, json!({})).await;
        posted.push(asked.elapsed().as_secs_f64() * 1000.0);
        let id = run["id"].as_str().unwrap().to_string();
        let done = server.finished(&id).await;
        let wall = asked.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(done["result"], "passed");
        let steps = server.steps(&id).await;
        to_start.push(millis(
            done["createdAt"].as_str().unwrap(),
            steps[0]["startedAt"].as_str().unwrap(),
        ));
        to_finish.push(wall);
    }
    for v in [&mut to_start, &mut to_finish, &mut posted] {
        v.sort_by(f64::total_cmp);
    }
    println!("trivial pipeline, {SEQUENTIAL_RUNS} runs one after the other:");
    println!(
        "  POST /api/v3/runs answered: p50 {:.1} ms, p95 {:.1} ms",
        percentile(&posted, 0.5),
        percentile(&posted, 0.95)
    );
    println!(
        "  created -> get code started: p50 {:.1} ms, p95 {:.1} ms",
        percentile(&to_start, 0.5),
        percentile(&to_start, 0.95)
    );
    println!(
        "  trigger -> run passed (seen by a client polling every 50 ms): p50 {:.0} ms, p95 {:.0} ms",
        percentile(&to_finish, 0.5),
        percentile(&to_finish, 0.95)
    );

    // A huge log: time to write it, the server's peak memory, and reading it back.
    let rss_before = peak_rss_kib(server.child.id());
    let huge = server.pipeline_id("bench", "huge").await;
    let started = Instant::now();
    let run = server.trigger(&huge, json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let done = loop {
        let (_, r) = server.get(&format!("/api/v3/runs/{id}")).await;
        if r["status"] == "finished" {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(done["result"], "passed");
    let rss_after = peak_rss_kib(server.child.id());
    let step = server.step(&id, "write").await;
    let step_id = step["id"].as_str().unwrap();
    let read = Instant::now();
    let response = server
        .http
        .get(server.api(&format!("/api/v3/runsteps/{step_id}/log")))
        .send()
        .await
        .unwrap();
    let mut stream = response.bytes_stream();
    let mut bytes = 0u64;
    use futures_util::StreamExt;
    while let Some(chunk) = stream.next().await {
        bytes += chunk.unwrap().len() as u64;
    }
    let read_secs = read.elapsed().as_secs_f64();
    let tail = Instant::now();
    let offset = bytes - 1024;
    let response = server
        .http
        .get(server.api(&format!("/api/v3/runsteps/{step_id}/log?offset={offset}")))
        .send()
        .await
        .unwrap();
    let tail_len = response.bytes().await.unwrap().len();
    let tail_ms = tail.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(bytes, HUGE_LOG_MIB * 1024 * 1024);
    assert_eq!(tail_len, 1024);
    println!("huge log, {HUGE_LOG_MIB} MiB from one step:");
    println!(
        "  run took {elapsed:.1} s ({:.0} MiB/s through executor, engine and disk)",
        HUGE_LOG_MIB as f64 / elapsed
    );
    println!(
        "  server peak RSS: {} MiB before, {} MiB after",
        rss_before / 1024,
        rss_after / 1024
    );
    println!(
        "  full log read over HTTP: {read_secs:.1} s ({:.0} MiB/s)",
        HUGE_LOG_MIB as f64 / read_secs
    );
    println!("  last KiB read with ?offset=: {tail_ms:.1} ms");

    // The same log with a protected variable set: every chunk is scanned for its value.
    let app_id = server.get("/api/v3/applications/admin/bench").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = server
        .post(
            "/api/v3/envvars",
            json!({ "scope": "application", "target": app_id, "key": "DEPLOY_TOKEN", "value": "tok-0123456789abcdef", "protected": true }),
        )
        .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    let run = server.trigger(&huge, json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    loop {
        let (_, r) = server.get(&format!("/api/v3/runs/{id}")).await;
        if r["status"] == "finished" {
            assert_eq!(r["result"], "passed");
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let masked = started.elapsed().as_secs_f64();
    println!(
        "  with a protected variable to mask: {masked:.1} s ({:.0} MiB/s), server peak RSS {} MiB",
        HUGE_LOG_MIB as f64 / masked,
        peak_rss_kib(server.child.id()) / 1024
    );
}
