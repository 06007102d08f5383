//! Child processes in their own process group, with stdout and stderr merged into one pipe,
//! so that a whole tree of processes can be streamed, timed out and killed together.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use super::report::{MAX_LOG_CHUNK, Reporter, StepFailure};

/// One pipe that receives both stdout and stderr of a child, in the order written.
pub(crate) struct MergedOutput {
    /// The read end, for this process.
    pub reader: pipe::Receiver,
    /// For the child's stdout.
    pub stdout: Stdio,
    /// For the child's stderr.
    pub stderr: Stdio,
}

/// Creates a pipe for a child's merged output.
///
/// The write ends live in the `Stdio`s: they must be dropped (with the `Command` holding
/// them) right after spawning, or the reader never sees the end of the output.
pub(crate) fn merged_output() -> io::Result<MergedOutput> {
    let (reader, writer) = io::pipe()?;
    let stderr = writer.try_clone()?;
    let reader = pipe::Receiver::from_owned_fd(reader.into())?;
    Ok(MergedOutput {
        reader,
        stdout: Stdio::from(writer),
        stderr: Stdio::from(stderr),
    })
}

/// Sends SIGKILL to every process of the group led by `pid`; a group that is already gone
/// is fine.
pub(crate) fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// The exit code of a process as a shell would show it: its code, or 128 + the signal.
pub(crate) fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// `from + d`, or a point decades away when that is not representable (an "unlimited"
/// limit).
pub(crate) fn deadline_after(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(Duration::from_secs(30 * 365 * 24 * 3600)))
        .unwrap_or(from)
}

/// Describes a duration the way timeout messages do ("25 minutes", "1 second").
pub(crate) fn describe_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = if secs >= 60 && secs.is_multiple_of(60) {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("{n} {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Runs `cmd` to its end with its output streamed to step `order`'s log.
///
/// `what` names the command in failure messages. The process and everything it starts
/// are killed on cancel or after `timeout`.
pub(crate) async fn run_logged(
    mut cmd: Command,
    what: &str,
    order: u32,
    rep: &Reporter,
    cancel: &CancellationToken,
    timeout: Duration,
) -> Result<(), StepFailure> {
    let out = merged_output()
        .map_err(|e| StepFailure::failed(format!("cannot create a pipe for {what}: {e}")))?;
    let mut reader = out.reader;
    cmd.stdin(Stdio::null())
        .stdout(out.stdout)
        .stderr(out.stderr)
        .process_group(0)
        .kill_on_drop(true);
    let spawned = cmd.spawn();
    // Dropping the command closes this process's copies of the pipe's write end.
    drop(cmd);
    let mut child =
        spawned.map_err(|e| StepFailure::failed(format!("cannot start {what}: {e}")))?;
    let pid = child.id();
    let _group = GroupGuard(pid);
    let deadline = deadline_after(Instant::now(), timeout);
    let mut buf = vec![0u8; MAX_LOG_CHUNK];
    loop {
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) => break,
                Ok(n) => rep.log(order, &buf[..n]).await,
                Err(e) => {
                    stop(&mut child, pid).await;
                    return Err(StepFailure::failed(format!("cannot read the output of {what}: {e}")));
                }
            },
            () = cancel.cancelled() => {
                stop(&mut child, pid).await;
                return Err(StepFailure::aborted());
            }
            () = sleep_until(deadline) => {
                stop(&mut child, pid).await;
                return Err(StepFailure::failed(format!(
                    "{what} timed out after {}", describe_duration(timeout)
                )));
            }
        }
    }
    let status = tokio::select! {
        status = child.wait() => status,
        () = cancel.cancelled() => {
            stop(&mut child, pid).await;
            return Err(StepFailure::aborted());
        }
    };
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(StepFailure::failed(format!(
            "{what} failed with exit code {}",
            exit_code(s)
        ))),
        Err(e) => Err(StepFailure::failed(format!("cannot wait for {what}: {e}"))),
    }
}

/// Kills a process group when dropped: whatever a finished command left running in its
/// group goes with it, and a run dropped mid-command leaves nothing behind.
struct GroupGuard(Option<u32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        kill_group(self.0);
    }
}

/// Kills `child`'s group and reaps it.
async fn stop(child: &mut Child, pid: Option<u32>) {
    kill_group(pid);
    let _ = child.wait().await;
}

/// Runs a short command and returns its trimmed stdout, or `None` when it exits non-zero.
pub(crate) async fn capture(mut cmd: Command, what: &str) -> Result<Option<String>, StepFailure> {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let output = cmd
        .output()
        .await
        .map_err(|e| StepFailure::failed(format!("cannot run {what}: {e}")))?;
    if !output.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(Some(text.trim_end().to_owned()))
}
