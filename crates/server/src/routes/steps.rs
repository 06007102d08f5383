//! Steps and their logs: `/api/v3/runs/:id/steps`, `/api/v3/runsteps/:id[/log]`.
//!
//! A log is read from its file as it grows, in chunks, so logs of any size cost bounded
//! memory. Two werk extensions on `/log`: `offset=N` starts at byte N, and `follow=true`
//! keeps the response open until the step finishes, sending output as it is written.

use std::io::SeekFrom;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use werk_store::RunStepRow;

use crate::AppState;
use crate::api::RunStep;
use crate::api::requests::LogQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::Params;
use crate::routes::openapi::{BadRequest, NotFound, Unauthorized};
use crate::routes::runs;

/// Bytes read from a log file at a time.
const LOG_CHUNK_BYTES: usize = 64 * 1024;

/// How long a follower waits for a change before looking at the file again anyway.
const FOLLOW_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// Lists a run's steps, in order.
#[utoipa::path(
    get,
    path = "/api/v3/runs/{id}/steps",
    operation_id = "listRunSteps",
    tag = "steps",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "Steps", body = Vec<RunStep>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn of_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RunStep>>> {
    let run = runs::find(&state, &caller, &id).await?;
    let steps = state.store().steps_of_run(&run.id).await?;
    let presenter = state.presenter();
    Ok(Json(steps.iter().map(|s| presenter.step(s)).collect()))
}

/// Gets a step of a run.
#[utoipa::path(
    get,
    path = "/api/v3/runsteps/{id}",
    operation_id = "getRunStep",
    tag = "steps",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The step's id")),
    responses(
        (status = 200, description = "The step", body = RunStep),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RunStep>> {
    let step = find(&state, &caller, &id).await?;
    Ok(Json(state.presenter().step(&step)))
}

/// Gets a step's log as text.
///
/// werk extensions: `offset` and `follow`.
#[utoipa::path(
    get,
    path = "/api/v3/runsteps/{id}/log",
    operation_id = "getRunStepLog",
    tag = "steps",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The step's id"), LogQuery),
    responses(
        (
            status = 200,
            description = "The log, empty until the step writes to it",
            body = String,
            content_type = "text/plain"
        ),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn log(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Response> {
    let step = find(&state, &caller, &id).await?;
    let offset = match params.get("offset") {
        None => 0,
        Some(raw) => raw.parse::<u64>().map_err(|_| {
            ApiError::invalid_field(
                "offset",
                format!("offset must be a byte count (got {raw:?})"),
                "number.base",
                serde_json::json!({ "key": "offset" }),
            )
        })?,
    };
    let follow = matches!(params.get("follow").map(String::as_str), Some("true" | "1"));
    let path = state.engine().log_path(&step.run_id, &step.id);
    let reader = LogReader {
        state: state.clone(),
        step,
        path,
        file: None,
        offset,
        follow,
        changes: state.engine().subscribe(),
    };
    let stream = futures_util::stream::unfold(reader, |mut reader| async move {
        match reader.next_chunk().await {
            Some(Ok(chunk)) => Some((Ok::<_, std::io::Error>(chunk), reader)),
            Some(Err(e)) => Some((Err(e), reader)),
            None => None,
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Reads a step's log from an offset, optionally waiting for more until the step ends.
struct LogReader {
    state: AppState,
    step: RunStepRow,
    path: std::path::PathBuf,
    /// The log file, once it exists, positioned at `offset`.
    file: Option<tokio::fs::File>,
    offset: u64,
    follow: bool,
    changes: tokio::sync::watch::Receiver<u64>,
}

impl LogReader {
    async fn next_chunk(&mut self) -> Option<std::io::Result<Vec<u8>>> {
        loop {
            match self.read_at_offset().await {
                Ok(chunk) if !chunk.is_empty() => return Some(Ok(chunk)),
                Ok(_) if !self.follow => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            // At the end of what is written: done if the step is, after one more read for
            // what it wrote before finishing.
            if self.step_finished().await {
                return match self.read_at_offset().await {
                    Ok(chunk) if !chunk.is_empty() => Some(Ok(chunk)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                };
            }
            let _ = tokio::time::timeout(FOLLOW_RECHECK, self.changes.changed()).await;
        }
    }

    /// Whether the log is complete: the step or its run has finished.
    async fn step_finished(&self) -> bool {
        match self.state.store().step_by_id(&self.step.id).await {
            Ok(Some(step)) if step.status == "finished" => true,
            Ok(Some(step)) => matches!(
                self.state.store().run_by_id(&step.run_id).await,
                Ok(Some(run)) if run.status == "finished"
            ),
            _ => true,
        }
    }

    async fn read_at_offset(&mut self) -> std::io::Result<Vec<u8>> {
        if self.file.is_none() {
            let mut file = match tokio::fs::File::open(&self.path).await {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            // Nothing to read before the file reaches the offset; seeking far past the end
            // fails (EINVAL beyond the largest file size), which would cut the response off
            // before its status line.
            if self.offset >= file.metadata().await?.len() {
                return Ok(Vec::new());
            }
            file.seek(SeekFrom::Start(self.offset)).await?;
            self.file = Some(file);
        }
        let file = self.file.as_mut().expect("opened above");
        let mut buf = vec![0; LOG_CHUNK_BYTES];
        let n = file.read(&mut buf).await?;
        buf.truncate(n);
        self.offset += n as u64;
        Ok(buf)
    }
}

async fn find(state: &AppState, caller: &Caller, id: &str) -> ApiResult<RunStepRow> {
    let step = state
        .store()
        .step_by_id(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("run step {id:?} not found")))?;
    runs::find(state, caller, &step.run_id).await?;
    Ok(step)
}
