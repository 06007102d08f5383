//! The resource commands (`werk apps`, `werk runs`, `werk envvars`, …): each module holds
//! its clap arguments and the code that turns them into API calls and output.
//!
//! They go through the HTTP API only, like any script would, so they work against any werk
//! server the caller can reach, with exactly the caller's rights.

pub mod access;
pub mod apps;
pub mod envvars;
pub mod login;
pub mod pipelines;
pub mod registry;
pub mod runs;
pub mod schedules;
pub mod tokens;
pub mod workflows;

use anyhow::bail;
use serde_json::Value;

use crate::client::{Client, encode, owner_and_app, text};
use crate::output::items;

/// `GET /api/v3/applications/OWNER/APP`.
pub async fn application(client: &Client, spec: &str) -> anyhow::Result<Value> {
    let (owner, name) = owner_and_app(spec)?;
    client
        .get(&format!(
            "/api/v3/applications/{}/{}",
            encode(owner),
            encode(name)
        ))
        .await
}

/// The pipelines of `OWNER/APP` (all of them: the API pages at most 100).
pub async fn pipelines_of(client: &Client, spec: &str) -> anyhow::Result<Value> {
    let (owner, name) = owner_and_app(spec)?;
    client
        .get(&format!(
            "/api/v3/applications/{}/{}/pipelines?limit=100",
            encode(owner),
            encode(name)
        ))
        .await
}

/// The pipeline of `OWNER/APP` named `pipeline`; the error lists the names there are.
pub async fn pipeline_named(client: &Client, spec: &str, pipeline: &str) -> anyhow::Result<Value> {
    let pipelines = pipelines_of(client, spec).await?;
    if let Some(found) = items(&pipelines)
        .iter()
        .find(|p| text(p, "name") == pipeline)
    {
        return Ok(found.clone());
    }
    let names: Vec<&str> = items(&pipelines).iter().map(|p| text(p, "name")).collect();
    bail!(
        "{spec} has no pipeline {pipeline:?} (it has: {})",
        names.join(", ")
    )
}

/// `GET /api/v2/profile`: who the token belongs to.
pub async fn profile(client: &Client) -> anyhow::Result<Value> {
    client.get("/api/v2/profile").await
}

/// The API's spelling of a value, as clap spells it on the command line.
pub fn value_name(value: impl clap::ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}
