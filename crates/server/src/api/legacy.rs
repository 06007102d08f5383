//! The shapes of Wercker's pre-workflow resources, filled from runs: builds are runs of
//! build-type (triggered) pipelines, deploys are runs chained from another run.

use werk_store::RunRow;

use super::present::Presenter;
use super::shapes::{Build, Deploy, EnvVar};
use crate::error::ApiResult;

impl Presenter<'_> {
    /// A run as a build; `detail` adds its application and variables.
    pub async fn build(&mut self, run: &RunRow, detail: bool) -> ApiResult<Build> {
        let (application, env_vars) = if detail {
            let app = self.app_row(&run.application_id).await?;
            let vars: Vec<EnvVar> = serde_json::from_str(&run.env_vars).unwrap_or_default();
            (Some(self.application_summary(&app).await?), Some(vars))
        } else {
            (None, None)
        };
        Ok(Build {
            id: run.id.clone(),
            url: format!("{}/builds/{}", self.base(), run.id),
            branch: run.branch.clone(),
            commit_hash: run.commit_hash.clone(),
            created_at: run.created_at.clone(),
            finished_at: run.finished_at.clone(),
            message: run.message.clone(),
            progress: run.progress,
            result: run.result.clone(),
            started_at: run.started_at.clone(),
            status: run.status.clone(),
            application,
            env_vars,
        })
    }

    /// A run as a deploy; `detail` adds its application and the build it deployed.
    pub async fn deploy(&mut self, run: &RunRow, detail: bool) -> ApiResult<Deploy> {
        let (application, build) = if detail {
            let app = self.app_row(&run.application_id).await?;
            let source = match &run.source_run_id {
                Some(id) => self.store().run_by_id(id).await?,
                None => None,
            };
            let build = match source {
                Some(source) => Some(Box::new(self.build(&source, false).await?)),
                None => None,
            };
            (Some(self.application_summary(&app).await?), build)
        } else {
            (None, None)
        };
        Ok(Deploy {
            id: run.id.clone(),
            url: format!("{}/deploys/{}", self.base(), run.id),
            status: run.status.clone(),
            result: run.result.clone(),
            created_at: run.created_at.clone(),
            finished_at: run.finished_at.clone(),
            progress: run.progress,
            application,
            build,
        })
    }
}
