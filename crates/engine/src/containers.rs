//! Saved run containers: a passed run that ran in a box keeps that box as an image, which
//! `GET /api/v2/builds/:id/docker` hands out as a `docker save` tarball.

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::Stream;

use crate::{Engine, EngineError, EngineResult};

/// A stream of tarball bytes.
pub type TarStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

impl Engine {
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
