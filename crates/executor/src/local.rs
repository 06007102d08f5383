//! [`LocalExecutor`]: runs a job on this machine, its steps sourced one after the other into
//! one long-lived bash, as Wercker ran them in one container.

pub(crate) mod builtin;
mod cache;
mod checkout;
pub(crate) mod container;
mod copy;
mod docker_steps;
mod env;
pub(crate) mod manifest;
mod process;
pub(crate) mod registry;
mod report;
mod setup;
mod shell;
mod steps;
mod store;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use self::checkout::CheckedOut;
use self::container::{BoxSpec, RunContainers};
use self::report::{Reporter, StepFailure};
use self::setup::{INIT_ORDER, Paths, Plan};
use self::shell::Shell;
use self::steps::{StepResult, export_env, result_env, run_step, source_init};
use crate::{DockerEngine, Event, Executor, Job, Outcome};

/// Runs jobs as child processes of this machine.
///
/// Each run gets one `bash` in its own process group, started in the checkout; every step's
/// script is sourced into it, so `export`s and `cd`s carry over from step to step. Registry
/// steps come from the job's steps directory, werk's built-in steps or a git repository
/// (see [`StepSources`](crate::StepSources)); Docker-only internal steps fail with a
/// message saying so.
///
/// After the run, a cache dir larger than [`Job::cache_limit_bytes`] is emptied, with a
/// line saying so in the log of the last step that ran.
///
/// Layout of a job's work dir: `source/` (the checkout, `$WERCKER_ROOT`), `output/`
/// (`$WERCKER_OUTPUT_DIR`), `steps/<step-id>/run.sh` (`$WERCKER_STEP_ROOT`), and
/// `report/<step-id>/` (`message.txt`, `numbers.ini`, `artifacts/`).
///
/// With a [`DockerEngine`] ([`LocalExecutor::with_docker`]), a pipeline whose wercker.yml
/// names a `box` runs its shell in that box, with its services beside it; the work dir
/// is then `/pipeline` in the box. A passed run's box is saved as an image
/// ([`DockerEngine::saved_image`]). Pipelines without a box still run on this machine.
#[derive(Debug, Clone, Default)]
pub struct LocalExecutor {
    docker: Option<DockerEngine>,
    /// Whether a passed run's box is saved as an image.
    save_boxes: bool,
}

/// File in a job's work dir holding the process group id of its running shell.
const SHELL_PGID_FILE: &str = "shell.pgid";

impl LocalExecutor {
    /// A local executor that ignores boxes: every shell runs on this machine.
    pub fn new() -> Self {
        LocalExecutor::default()
    }

    /// A local executor that runs boxes and services in `docker`, saving the box of each
    /// passed run as an image.
    pub fn with_docker(docker: DockerEngine) -> Self {
        LocalExecutor {
            docker: Some(docker),
            save_boxes: true,
        }
    }

    /// Whether the box of a passed run is saved (on by default with Docker); a one-off
    /// build that nobody will download from turns it off.
    pub fn saving_boxes(mut self, save: bool) -> Self {
        self.save_boxes = save;
        self
    }

    /// The Docker engine boxes run in, if any.
    pub fn docker(&self) -> Option<&DockerEngine> {
        self.docker.as_ref()
    }

    /// Kills the processes a job left behind when the process that ran it died without
    /// cleaning up (a crash, SIGKILL): the shell's whole process group, as recorded in the
    /// job's work dir. Harmless when nothing is left.
    pub fn kill_leftovers(work_dir: &std::path::Path) {
        let recorded = std::fs::read_to_string(work_dir.join(SHELL_PGID_FILE));
        if let Some(pgid) = recorded.ok().and_then(|s| s.trim().parse::<u32>().ok()) {
            // Only a group led by a bash started for this job is ours to kill; a recycled
            // pid of an unrelated process must not be.
            let cmdline = std::fs::read(format!("/proc/{pgid}/cmdline")).unwrap_or_default();
            if cmdline.starts_with(b"bash\0--noprofile") {
                self::process::kill_group(Some(pgid));
            }
        }
    }
}

impl Executor for LocalExecutor {
    async fn run(&self, job: Job, events: mpsc::Sender<Event>, cancel: CancellationToken) {
        // A child token: a vanished event receiver stops this run without touching the
        // caller's token.
        let cancel = cancel.child_token();
        let watch = events.clone();
        let rep = Reporter::new(events, cancel.clone());
        let run = Run {
            paths: Paths::new(&job),
            docker: self.docker.as_ref().map(|d| d.client.clone()),
            save_box: self.save_boxes,
            job,
            rep: rep.clone(),
            cancel: cancel.clone(),
            pending: std::sync::Mutex::new(None),
        };
        let run_id = run.job.run_id.clone();
        let outcome = tokio::select! {
            outcome = run.execute() => Some(outcome),
            // Nobody listens any more: dropping the run kills its processes (the shell and
            // git commands kill their process groups when dropped).
            () = watch.closed() => {
                cancel.cancel();
                None
            }
        };
        // Whatever path the run took (a setup that failed half-way, a cancel while a
        // container was being made), nothing it made in Docker outlives it; this is
        // awaited before the end is reported, so a process exiting then leaves nothing.
        if let Some(docker) = &self.docker {
            docker.remove_leftovers(&run_id).await;
        }
        if let Some(outcome) = outcome {
            rep.send(Event::Finished { outcome }).await;
        }
    }
}

/// One job being run.
struct Run {
    job: Job,
    paths: Paths,
    /// The engine boxes run in, if any.
    docker: Option<bollard::Docker>,
    /// Whether to save the box when the run passes.
    save_box: bool,
    rep: Reporter,
    cancel: CancellationToken,
    /// The step that ended last, its end not yet reported.
    pending: std::sync::Mutex<Option<(u32, StepResult)>>,
}

/// The first main step that did not pass: its display name and message.
type Failed = Option<(String, String)>;

impl Run {
    /// Runs every step and returns the run's outcome.
    async fn execute(&self) -> Outcome {
        self.rep.start(checkout::ORDER).await;
        let code = checkout::get_code(&self.job, &self.paths.root, &self.rep, &self.cancel).await;
        let code = match code {
            Ok(code) => {
                self.rep
                    .send(Event::CheckedOut {
                        commit: code.commit.clone(),
                        message: code.message.clone(),
                        yml: code.yml.as_ref().map(|(_, text)| text.clone()),
                    })
                    .await;
                self.rep.finish(checkout::ORDER, &Ok(None)).await;
                code
            }
            Err(failure) => {
                self.rep
                    .finish(checkout::ORDER, &Err(failure.clone()))
                    .await;
                return failure.outcome;
            }
        };
        if self.cancel.is_cancelled() {
            return Outcome::Aborted;
        }

        self.rep.start(setup::ORDER).await;
        let setup = self.setup(&code).await;
        let Ready {
            plan,
            shell,
            containers,
        } = match setup {
            Ok(ready) => {
                self.rep.finish(setup::ORDER, &Ok(None)).await;
                ready
            }
            Err(failure) => {
                self.rep.finish(setup::ORDER, &Err(failure.clone())).await;
                return failure.outcome;
            }
        };

        let outcome = self.steps(&plan, shell, containers.as_ref()).await;
        if let Some(containers) = containers {
            containers.remove().await;
        }
        if !self.cancel.is_cancelled() {
            self.cap_cache().await;
        }
        self.flush().await;
        outcome
    }

    /// The main steps and the after-steps; the last step's end is left pending.
    async fn steps(
        &self,
        plan: &Plan,
        mut shell: Shell,
        containers: Option<&RunContainers>,
    ) -> Outcome {
        let failed = self.main_steps(plan, &mut shell, containers).await;
        shell.close().await;
        if self.cancel.is_cancelled() {
            return Outcome::Aborted;
        }
        // Saved as Wercker stored it, before the after-steps; only a run that passes keeps it.
        let saved = match containers {
            Some(containers) if failed.is_none() && self.save_box => {
                self.save_box(plan, containers).await
            }
            _ => false,
        };
        if !plan.after_steps.is_empty() {
            self.after_steps(plan, &failed, containers).await;
            if self.cancel.is_cancelled() {
                if let (true, Some(docker)) = (saved, &self.docker) {
                    let _ = container::forget_saved(docker, &self.job.run_id).await;
                }
                return Outcome::Aborted;
            }
        }
        if failed.is_some() {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }

    /// Empties the cache when the run left it larger than the job allows, saying so in the
    /// log of the last step that ran (whose end is still pending for that reason).
    async fn cap_cache(&self) {
        let Some(order) = self.pending_order() else {
            return;
        };
        if let Some(line) = cache::cap(&self.job.cache_dir, self.job.cache_limit_bytes).await {
            self.rep.line(order, &line).await;
        }
    }

    /// Saves the box of a passed run, saying so in the log of `store`; whether it was.
    async fn save_box(&self, plan: &Plan, containers: &RunContainers) -> bool {
        let (saved, line) = match containers.commit().await {
            Ok(()) => (
                true,
                format!(
                    "Saved the box as {}",
                    DockerEngine::saved_image(&self.job.run_id)
                ),
            ),
            Err(e) => (false, format!("Could not save the box: {e}")),
        };
        self.rep.line(plan.store_order, &line).await;
        saved
    }

    /// `setup environment`: plans the steps, lays out the work dir, starts the box and its
    /// services if the pipeline has them, starts the shell and exports the pipeline
    /// environment into it.
    async fn setup(&self, code: &CheckedOut) -> Result<Ready, StepFailure> {
        let order = setup::ORDER;
        let boxes = self.docker.is_some();
        let plan = setup::plan(&self.job, code, &self.rep, boxes).await?;
        self.rep.send(Event::StepsPlanned(plan.planned())).await;
        setup::make_dirs(&plan.paths).await?;
        // The limits first: what the yml made of them is otherwise invisible until a step
        // runs into one.
        let mut log = setup::limits_line(plan.limits);
        log.push_str(&setup::env_log(&plan.env));
        self.rep.log(order, log.as_bytes()).await;
        let containers = self.start_containers(&plan).await?;
        let mut shell = self.spawn_shell(&plan, containers.as_ref()).await?;
        export_env(
            &mut shell,
            &plan.env,
            Some((order, &self.rep)),
            &self.cancel,
            plan.limits,
        )
        .await?;
        Ok(Ready {
            plan,
            shell,
            containers,
        })
    }

    /// The box and services, when the plan runs in a box.
    async fn start_containers(&self, plan: &Plan) -> Result<Option<RunContainers>, StepFailure> {
        let (Some(docker), Some(the_box)) = (&self.docker, &plan.the_box) else {
            return Ok(None);
        };
        let paths = &plan.paths;
        let spec = BoxSpec {
            run_id: &self.job.run_id,
            the_box,
            services: &plan.services,
            work_dir: &paths.work_dir,
            source: &paths.root,
            output: &paths.output,
            cache: &paths.cache,
            base_path: paths.base_path.as_deref(),
            // A `source-dir` that does not exist must fail the first step's `cd`, as on this
            // machine: Docker would make the directory if it were the working dir.
            working_dir: if paths.source_dir.is_dir() {
                paths.source_dir_in_shell()?
            } else {
                paths.in_shell(&paths.root)?
            },
            env: plan.box_env.clone(),
        };
        let start = RunContainers::create(docker, spec, setup::ORDER, &self.rep);
        tokio::select! {
            created = start => created.map(Some),
            () = self.cancel.cancelled() => Err(StepFailure::aborted()),
        }
    }

    /// Starts a shell: the box's main process, or a bash on this machine.
    async fn spawn_shell(
        &self,
        plan: &Plan,
        containers: Option<&RunContainers>,
    ) -> Result<Shell, StepFailure> {
        match containers {
            Some(containers) => containers.shell().await,
            None => self.spawn_host_shell(plan),
        }
    }

    /// Starts a shell in the source dir (or the checkout's root when `source-dir` names a
    /// missing directory: the first step then fails on its `cd` with a clear message).
    fn spawn_host_shell(&self, plan: &Plan) -> Result<Shell, StepFailure> {
        let dir = if plan.paths.source_dir.is_dir() {
            &plan.paths.source_dir
        } else {
            &plan.paths.root
        };
        let shell = Shell::spawn(dir, &plan.box_env)
            .map_err(|e| StepFailure::failed(format!("cannot start bash: {e}")))?;
        // Recorded so that a later process can kill the group if this one dies abruptly.
        if let Some(pid) = shell.pid() {
            let _ = std::fs::write(plan.paths.work_dir.join(SHELL_PGID_FILE), pid.to_string());
        }
        Ok(shell)
    }

    /// `wercker-init`, the yml steps and `store`, stopping at the first that does not pass.
    async fn main_steps(
        &self,
        plan: &Plan,
        shell: &mut Shell,
        containers: Option<&RunContainers>,
    ) -> Failed {
        let rep = &self.rep;
        let log = Some((INIT_ORDER, rep));
        self.begin(INIT_ORDER).await;
        let init = source_init(shell, &plan.paths, log, &self.cancel, plan.limits).await;
        if let Some(failed) = self.finish(INIT_ORDER, "wercker-init", init).await {
            return Some(failed);
        }
        for s in &plan.steps {
            if self.cancel.is_cancelled() {
                return None;
            }
            self.begin(s.order).await;
            let result = run_step(shell, plan, containers, s, rep, &self.cancel).await;
            if let Some(failed) = self.finish(s.order, s.step.display_name(), result).await {
                return Some(failed);
            }
        }
        if self.cancel.is_cancelled() {
            return None;
        }
        self.begin(plan.store_order).await;
        let stored = store::store(
            &plan.paths,
            &self.job.artifact_path,
            plan.store_order,
            rep,
            &self.cancel,
        )
        .await;
        self.finish(plan.store_order, "store", stored).await
    }

    /// Reports that step `order` begins, after the end of the step before it.
    async fn begin(&self, order: u32) {
        self.flush().await;
        self.rep.start(order).await;
    }

    /// Records a step's end, reported when the next step begins or the run ends (so that
    /// werk's closing lines can still go to the last step's log); returns the step's name
    /// and message when it did not pass.
    async fn finish(&self, order: u32, name: &str, result: StepResult) -> Failed {
        self.flush().await;
        let failed = result
            .as_ref()
            .err()
            .map(|f| (name.to_owned(), f.message.clone()));
        *self.lock_pending() = Some((order, result));
        failed
    }

    /// Reports the end of the step whose end is pending, if any.
    async fn flush(&self) {
        let pending = self.lock_pending().take();
        if let Some((order, result)) = pending {
            self.rep.finish(order, &result).await;
        }
    }

    /// The order of the step whose end is pending.
    fn pending_order(&self) -> Option<u32> {
        self.lock_pending().as_ref().map(|(order, _)| *order)
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Option<(u32, StepResult)>> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The after-steps, in a fresh shell as Wercker ran them in a restarted container.
    async fn after_steps(&self, plan: &Plan, failed: &Failed, containers: Option<&RunContainers>) {
        let Some(first) = plan.after_steps.first() else {
            return;
        };
        self.begin(first.order).await;
        let shell = self.final_shell(plan, failed, first.order, containers);
        let mut shell = match shell.await {
            Ok(shell) => shell,
            Err(failure) => {
                let name = first.step.display_name();
                self.finish(first.order, name, Err(failure)).await;
                return;
            }
        };
        for (i, s) in plan.after_steps.iter().enumerate() {
            if i > 0 {
                if self.cancel.is_cancelled() {
                    break;
                }
                self.begin(s.order).await;
            }
            let result = run_step(&mut shell, plan, containers, s, &self.rep, &self.cancel).await;
            if self
                .finish(s.order, s.step.display_name(), result)
                .await
                .is_some()
            {
                break;
            }
        }
        shell.close().await;
    }

    /// A new shell with the pipeline environment, the result variables and the wercker-init
    /// functions; anything these print goes to the first after-step's log.
    async fn final_shell(
        &self,
        plan: &Plan,
        failed: &Failed,
        order: u32,
        containers: Option<&RunContainers>,
    ) -> Result<Shell, StepFailure> {
        let mut shell = self.spawn_shell(plan, containers).await?;
        let log = Some((order, &self.rep));
        let failed = failed
            .as_ref()
            .map(|(name, message)| (name.as_str(), message.as_str()));
        let mut env = plan.env.clone();
        env.extend(result_env(failed));
        export_env(&mut shell, &env, log, &self.cancel, plan.limits).await?;
        source_init(&mut shell, &plan.paths, log, &self.cancel, plan.limits).await?;
        Ok(shell)
    }
}

/// What `setup environment` leaves for the steps.
struct Ready {
    plan: Plan,
    shell: Shell,
    /// The box and services, when the pipeline runs in a box.
    containers: Option<RunContainers>,
}
