//! Running steps in the pipeline's shell: `wercker-init`, script steps, registry steps
//! (their files, property variables, `init.sh` and `run.sh`), and the refusal of steps this
//! executor cannot run.

use std::path::PathBuf;

use tokio_util::sync::CancellationToken;
use werk_yml::{Step, StepKind};

use super::container::RunContainers;
use super::docker_steps;
use super::env::{EnvVar, export_script, go_quote, sh_quote, valid_name};
use super::manifest;
use super::process::describe_duration;
use super::registry::{self, Lookup};
use super::report::{Reporter, StepFailure};
use super::setup::{OrderedStep, Paths, Plan, create_dir};
use super::shell::{CommandEnd, LogTarget, Shell};
use crate::Limits;

/// The wercker-init function library (`success`, `fail`, `setMessage`, ...).
const INIT_SH: &str = include_str!("init.sh");

/// The longest step message read from `$WERCKER_REPORT_MESSAGE_FILE`.
const MAX_MESSAGE: usize = 16 * 1024;

/// What a step that ran reports: its message, if any.
pub(crate) type StepResult = Result<Option<String>, StepFailure>;

/// Writes `init.sh` under the steps dir and returns its path.
pub(crate) async fn write_init(paths: &Paths) -> Result<PathBuf, StepFailure> {
    let dir = paths.steps.join("wercker-init");
    create_dir(&dir).await?;
    let path = dir.join("init.sh");
    tokio::fs::write(&path, INIT_SH)
        .await
        .map_err(|e| StepFailure::failed(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// Sources the wercker-init functions into `shell`.
pub(crate) async fn source_init(
    shell: &mut Shell,
    paths: &Paths,
    log: LogTarget<'_>,
    cancel: &CancellationToken,
    limits: Limits,
) -> StepResult {
    let init = write_init(paths).await?;
    let command = format!("source {}", sh_quote(&paths.in_shell(&init)?));
    match exec(shell, &command, log, cancel, limits).await? {
        0 => Ok(None),
        code => Err(StepFailure::failed(format!(
            "wercker-init failed with exit code: {code}"
        ))),
    }
}

/// Exports `env` in `shell` (values expand in order, as on Wercker).
pub(crate) async fn export_env(
    shell: &mut Shell,
    env: &[EnvVar],
    log: LogTarget<'_>,
    cancel: &CancellationToken,
    limits: Limits,
) -> Result<(), StepFailure> {
    match exec(shell, &export_script(env), log, cancel, limits).await? {
        0 => Ok(()),
        code => Err(StepFailure::failed(format!(
            "exporting the environment failed with exit code: {code}"
        ))),
    }
}

/// Runs one yml step (main or after-step) in `shell`.
pub(crate) async fn run_step(
    shell: &mut Shell,
    plan: &Plan,
    boxed: Option<&RunContainers>,
    ordered: &OrderedStep,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> StepResult {
    let (order, step) = (ordered.order, &ordered.step);
    let kind = step.kind();
    if kind == StepKind::Internal {
        return docker_steps::run(step, plan, boxed, order, rep, cancel).await;
    }

    let paths = &plan.paths;
    let id = safe_id(step, order);
    let root = paths.steps.join(&id);
    let report = paths.report.join(&id);
    let artifacts = report.join("artifacts");
    let message_file = report.join("message.txt");
    create_dir(&artifacts).await?;
    let properties = if kind == StepKind::Script {
        create_dir(&root).await?;
        let run_sh = root.join("run.sh");
        tokio::fs::write(&run_sh, normalize_code(step.code().unwrap_or_default()))
            .await
            .map_err(|e| StepFailure::failed(format!("cannot write {}: {e}", run_sh.display())))?;
        Vec::new()
    } else {
        registry_step(plan, order, step, &root, rep, cancel).await?
    };

    let step_env = [
        EnvVar::new("WERCKER_STEP_ROOT", paths.in_shell(&root)?),
        EnvVar::new("WERCKER_STEP_ID", id.clone()),
        EnvVar::new("WERCKER_STEP_OWNER", step.owner.clone()),
        EnvVar::new("WERCKER_STEP_NAME", step.name.clone()),
        EnvVar::new(
            "WERCKER_REPORT_NUMBERS_FILE",
            paths.in_shell(&report.join("numbers.ini"))?,
        ),
        EnvVar::new(
            "WERCKER_REPORT_MESSAGE_FILE",
            paths.in_shell(&message_file)?,
        ),
        EnvVar::new("WERCKER_REPORT_ARTIFACTS_DIR", paths.in_shell(&artifacts)?),
    ];
    let log = Some((order, rep));
    let limits = plan.limits;

    // A previous step may have left `set -e` on; the step's own code decides again.
    let prologue = format!(
        "set +e\n{}cd \"$WERCKER_SOURCE_DIR\"",
        export_script(&step_env)
    );
    if exec(shell, &prologue, log, cancel, limits).await? != 0 {
        return Err(StepFailure::failed(format!(
            "cannot change to the source directory {}",
            paths.source_dir_in_shell()?
        )));
    }
    if let Some(cwd) = step.cwd.as_deref() {
        let cd = format!("cd {}", go_quote(cwd));
        if exec(shell, &cd, log, cancel, limits).await? != 0 {
            return Err(StepFailure::failed(format!(
                "cannot change to the step's cwd {cwd}"
            )));
        }
    }
    // Exported from the step's working directory, as Wercker did: `$VAR`s in property
    // values expand against the shell as the earlier steps left it.
    if !properties.is_empty()
        && exec(shell, &export_script(&properties), log, cancel, limits).await? != 0
    {
        return Err(StepFailure::failed(format!(
            "exporting the properties of step {} failed",
            step.id
        )));
    }

    let init_sh = root.join("init.sh");
    if kind == StepKind::Registry && init_sh.is_file() {
        let source = format!("source {}", sh_quote(&paths.in_shell(&init_sh)?));
        let end = shell.run(&source, log, cancel, limits).await;
        if end != CommandEnd::Exited(0) {
            return Err(ended(end, &message_file, "init.sh failed").await);
        }
    }
    let run_sh = root.join("run.sh");
    if !run_sh.is_file() {
        // Wercker passed a step that has no run.sh.
        return Ok(read_message(&message_file).await);
    }
    let source = format!("source {} < /dev/null", sh_quote(&paths.in_shell(&run_sh)?));
    let end = shell.run(&source, log, cancel, limits).await;
    if end == CommandEnd::Exited(0) {
        return Ok(read_message(&message_file).await);
    }
    Err(ended(end, &message_file, "Step failed").await)
}

/// The failure for a sourced file that did not end with status 0: the step's message if it
/// wrote one, else `<what> with exit code: N` or why the command did not finish.
async fn ended(end: CommandEnd, message_file: &std::path::Path, what: &str) -> StepFailure {
    let message = read_message(message_file).await;
    let code = match end {
        CommandEnd::Exited(code) | CommandEnd::ShellDied(code) => code,
        other => return failure(other),
    };
    StepFailure::failed(message.unwrap_or_else(|| {
        if code == 0 {
            "Step ended the pipeline's shell with exit code: 0".to_owned()
        } else {
            format!("{what} with exit code: {code}")
        }
    }))
}

/// Finds a registry step, puts its files in `root` and returns its property variables;
/// says in the step's log where the step came from.
async fn registry_step(
    plan: &Plan,
    order: u32,
    step: &Step,
    root: &std::path::Path,
    rep: &Reporter,
    cancel: &CancellationToken,
) -> Result<Vec<EnvVar>, StepFailure> {
    let scratch = plan.paths.work_dir.join("fetched-steps");
    let lookup = Lookup {
        sources: &plan.step_sources,
        scratch: &scratch,
        order,
        rep,
        cancel,
        timeout: plan.limits.command_timeout,
    };
    let resolved = lookup.resolve(step).await?;
    rep.line(order, &resolved.origin).await;
    registry::install(&resolved.files, root).await?;
    let (manifest, warnings) = manifest::read(root).await;
    for warning in warnings {
        rep.line(order, &format!("warning: {warning}")).await;
    }
    let env = manifest::property_env(step, &manifest.properties);
    for var in env.iter().filter(|v| !valid_name(&v.key)) {
        rep.line(
            order,
            &format!(
                "skipping a property: {} is not a valid variable name",
                var.key
            ),
        )
        .await;
    }
    Ok(env)
}

/// Runs a setup command; its exit status, or why it could not finish.
async fn exec(
    shell: &mut Shell,
    command: &str,
    log: LogTarget<'_>,
    cancel: &CancellationToken,
    limits: Limits,
) -> Result<i32, StepFailure> {
    match shell.run(command, log, cancel, limits).await {
        CommandEnd::Exited(code) => Ok(code),
        CommandEnd::ShellDied(code) => Err(StepFailure::failed(format!(
            "the shell exited with exit code: {code}"
        ))),
        other => Err(failure(other)),
    }
}

/// The failure for a command that did not end by itself.
fn failure(end: CommandEnd) -> StepFailure {
    match end {
        CommandEnd::Cancelled => StepFailure::aborted(),
        CommandEnd::CommandTimeout(d) => StepFailure::failed(format!(
            "Command timed out after {} (command-timeout)",
            describe_duration(d)
        )),
        CommandEnd::NoResponse(d) => StepFailure::failed(format!(
            "Command timed out after no response for {} (no-response-timeout)",
            describe_duration(d)
        )),
        CommandEnd::Broken(message) => StepFailure::failed(message),
        CommandEnd::Exited(code) | CommandEnd::ShellDied(code) => {
            StepFailure::failed(format!("Step failed with exit code: {code}"))
        }
    }
}

/// The step's `run.sh`: its code, after `set -e` unless the code starts with `#!`.
fn normalize_code(code: &str) -> String {
    if code.starts_with("#!") {
        code.to_owned()
    } else {
        format!("set -e\n{code}")
    }
}

/// A directory name for the step, unique within the run: `<name>-<order>`.
fn safe_id(step: &Step, order: u32) -> String {
    let name: String = step
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{order}", name.trim_start_matches('.'))
}

/// The step message from `$WERCKER_REPORT_MESSAGE_FILE`, if the step wrote one.
async fn read_message(path: &std::path::Path) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path).await.ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_MESSAGE as u64)
        .read_to_end(&mut bytes)
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_end();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The variables after-steps see about the main steps' result.
pub(crate) fn result_env(failed: Option<(&str, &str)>) -> Vec<EnvVar> {
    match failed {
        None => vec![EnvVar::new("WERCKER_RESULT", "passed")],
        Some((name, message)) => vec![
            EnvVar::new("WERCKER_RESULT", "failed"),
            EnvVar::new("WERCKER_FAILED_STEP_DISPLAY_NAME", name),
            EnvVar::new("WERCKER_FAILED_STEP_MESSAGE", message),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_e_unless_shebang() {
        assert_eq!(normalize_code("make"), "set -e\nmake");
        assert_eq!(normalize_code("#!/bin/sh\nmake"), "#!/bin/sh\nmake");
    }

    #[test]
    fn safe_ids() {
        let step = Step {
            name: "hugo build/x".into(),
            ..Step::default()
        };
        assert_eq!(safe_id(&step, 5), "hugo-build-x-5");
    }
}
