//! Following runs from the CLI: step names and their logs as they are written, then the
//! runs chained after them.

use std::io::Write;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::client::{Client, text};

/// Pause between looks at a run whose next step has not begun; logs themselves stream.
const STEP_WAIT: Duration = Duration::from_millis(200);

/// Follows a run and, depth first, the runs chained after it. True when all passed.
pub async fn follow_chain(client: &Client, run_id: &str) -> anyhow::Result<bool> {
    let mut pending = vec![run_id.to_string()];
    let mut all_passed = true;
    while let Some(id) = pending.pop() {
        let run = client.get(&format!("/api/v3/runs/{id}")).await?;
        let pipeline = run.get("pipeline").map(|p| text(p, "name")).unwrap_or("");
        println!("==> {pipeline} ({id})");
        let result = print_run(client, &id, true).await?;
        println!("==> {pipeline} {result}");
        if result != "passed" {
            all_passed = false;
            continue;
        }
        // Chained runs are queued before their source is marked finished, so they exist now.
        let children = client
            .get(&format!("/api/v3/runs?sourceRun={id}&sort=creationDateAsc"))
            .await?;
        for child in children.as_array().into_iter().flatten().rev() {
            pending.push(text(child, "id").to_string());
        }
    }
    Ok(all_passed)
}

/// Prints each step's name and log; with `follow`, waits for steps to begin and logs to
/// end until the run finishes. Returns the run's result.
pub async fn print_run(client: &Client, run_id: &str, follow: bool) -> anyhow::Result<String> {
    let mut next_order = 1;
    loop {
        let run = client.get(&format!("/api/v3/runs/{run_id}")).await?;
        let steps = client.get(&format!("/api/v3/runs/{run_id}/steps")).await?;
        let finished = text(&run, "status") == "finished";
        let step = steps
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s.get("order").and_then(Value::as_i64) == Some(next_order));
        match step {
            Some(step) if text(step, "status") != "notstarted" => {
                print_step(client, step, follow).await?;
                next_order += 1;
            }
            _ if finished || !follow => return Ok(text(&run, "result").to_string()),
            _ => tokio::time::sleep(STEP_WAIT).await,
        }
    }
}

async fn print_step(client: &Client, step: &Value, follow: bool) -> anyhow::Result<()> {
    let name = [text(step, "displayName"), text(step, "step")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("");
    println!("--> {name}");
    let path = format!(
        "/api/v3/runsteps/{}/log{}",
        text(step, "id"),
        if follow { "?follow=true" } else { "" }
    );
    let response = client.stream(&path).await?;
    let mut body = response.bytes_stream();
    let mut stdout = std::io::stdout();
    let mut ends_with_newline = true;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        if let Some(last) = chunk.last() {
            ends_with_newline = *last == b'\n';
        }
        stdout.write_all(&chunk)?;
        stdout.flush()?;
    }
    if !ends_with_newline {
        println!();
    }
    Ok(())
}
