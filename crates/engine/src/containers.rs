//! Saved run containers: a passed run that ran in a box keeps that box as an image, which
//! `GET /api/v2/builds/:id/docker` hands out as a `docker save` tarball. Each pipeline
//! keeps the boxes of its newest [`SAVED_BOXES_PER_PIPELINE`] passed runs.

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

use werk_store::{RunFilter, RunRow, RunSort};

use crate::{Engine, EngineError, EngineResult};

/// How many saved boxes a pipeline keeps: those of its newest passed runs.
pub const SAVED_BOXES_PER_PIPELINE: i64 = 5;

/// A stream of tarball bytes.
pub type TarStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

impl Engine {
    /// Removes the saved boxes of `run`'s pipeline beyond the newest
    /// [`SAVED_BOXES_PER_PIPELINE`]; called as each passed run finishes, so only the few
    /// runs just past that window are looked at.
    pub(crate) async fn prune_saved_boxes(&self, run: &RunRow) {
        let Some(docker) = self.executor.docker() else {
            return;
        };
        let filter = RunFilter {
            pipeline_id: Some(run.pipeline_id.clone()),
            result: Some("passed".to_owned()),
            ..RunFilter::default()
        };
        let sort = RunSort::CreationDateDesc;
        let older = match self
            .store
            .list_runs(&filter, sort, 10, SAVED_BOXES_PER_PIPELINE)
            .await
        {
            Ok(older) => older,
            Err(err) => {
                tracing::warn!(run_id = %run.id, error = %err, "cannot list runs whose saved boxes to remove");
                return;
            }
        };
        for old in older {
            if let Err(err) = docker.forget_saved(&old.id).await {
                tracing::warn!(run_id = %old.id, error = %err, "cannot remove a saved box");
            }
        }
    }

    /// The saved box of run `run_id` as a tarball for `docker load`. Not found when the run
    /// does not exist, ran without a box, did not pass, or this server runs no boxes.
    pub async fn saved_container(&self, run_id: &str) -> EngineResult<TarStream> {
        let run = self
            .store
            .run_by_id(run_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("run {run_id} not found")))?;
        let missing = || {
            EngineError::NotFound(format!(
                "run {} saved no container: only a passed run that ran in a box (werk serve --docker) saves one",
                run.id
            ))
        };
        let Some(docker) = self.executor.docker() else {
            return Err(missing());
        };
        match docker.saved_container(&run.id).await {
            Ok(Some(tar)) => Ok(Box::pin(tar)),
            Ok(None) => Err(missing()),
            Err(e) => Err(EngineError::Internal(format!(
                "cannot read the saved container of run {}: {e}",
                run.id
            ))),
        }
    }
}
