//! Registry steps as this server would run them: the step sources a run's job gets, and
//! the read-only description of one step from them (for `GET /api/v2/steps/…`).

use werk_executor::{LookupError, StepInfo, StepSources};

use crate::{Engine, EngineError, EngineResult};

impl Engine {
    /// Where registry steps come from for every run: the data dir's `steps/`, werk's
    /// built-in steps, then the step git template with clones kept in `step-cache/`.
    pub fn step_sources(&self) -> StepSources {
        StepSources {
            dir: Some(self.data_dir().join("steps")),
            git_template: self.config.step_git_template.clone(),
            cache: Some(self.data_dir().join("step-cache")),
        }
    }

    /// Describes the registry step `owner/name` at `version` (`latest`, `*` or an exact
    /// version) as a run would find it, reading only what is on this machine.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a name or version that cannot name a step (a version
    /// range included), [`EngineError::NotFound`] when no step source has it.
    pub async fn describe_step(
        &self,
        owner: &str,
        name: &str,
        version: &str,
    ) -> EngineResult<StepInfo> {
        let sources = self.step_sources();
        let (owner, name, version) = (owner.to_owned(), name.to_owned(), version.to_owned());
        let described = tokio::task::spawn_blocking(move || {
            werk_executor::describe_step(&sources, &owner, &name, &version)
        })
        .await
        .map_err(|e| EngineError::Internal(format!("describing a step failed: {e}")))?;
        described.map_err(|err| match err {
            LookupError::Invalid(why) => EngineError::Invalid(why),
            LookupError::NotFound(why) => EngineError::NotFound(why),
        })
    }
}
