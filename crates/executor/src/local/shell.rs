//! The pipeline's long-lived bash: commands are written to its stdin, each followed by a
//! sentinel line carrying the command's exit status, and its merged output is read back up
//! to that sentinel as the command's log.
//!
//! The bash runs either on this machine, in its own process group, or as the main process
//! of the run's box container (see [`super::container`]); the protocol is the same.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;

use super::container::BoxProcess;
use super::env::{INHERITED_VARS, sh_quote, valid_name};
use super::process::{deadline_after, exit_code, kill_group, merged_output};
use super::report::{MAX_LOG_CHUNK, Reporter};
use crate::Limits;

/// How long output is still collected once the shell is gone or killed: long enough for
/// what is already in the pipe, short enough that a daemon holding the pipe cannot stall
/// the run.
const DRAIN_TIME: Duration = Duration::from_secs(2);

/// How a command sent to the shell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommandEnd {
    /// The command finished with this exit status; the shell is still alive.
    Exited(i32),
    /// The shell itself exited (`exit`, `set -e`) with this status before the command ended.
    ShellDied(i32),
    /// The command ran longer than `command_timeout`; the shell was killed.
    CommandTimeout(Duration),
    /// The command printed nothing for `no_response_timeout`; the shell was killed.
    NoResponse(Duration),
    /// The cancel token fired; the shell was killed.
    Cancelled,
    /// Talking to the shell failed; the shell was killed.
    Broken(String),
}

/// Where a command's output goes: a step's log, or nowhere for hidden setup commands.
pub(crate) type LogTarget<'a> = Option<(u32, &'a Reporter)>;

/// One `bash` process, its input and its merged output.
pub(crate) struct Shell {
    process: Process,
    stdin: Pin<Box<dyn AsyncWrite + Send>>,
    reader: Pin<Box<dyn AsyncRead + Send>>,
    scanner: Scanner,
    /// The shell's exit code, once it has exited.
    dead: Option<i32>,
    /// Sent before the first command.
    prelude: Option<String>,
}

/// Where the shell runs, and how it is waited for and killed.
enum Process {
    /// A child of this process, leading its own process group.
    Host {
        child: Child,
        /// The shell's pid, which is also its process group id; `None` once killed and
        /// reaped.
        pid: Option<u32>,
    },
    /// The main process of the run's box container: killing it stops the container and
    /// everything in it.
    Box(BoxProcess),
}

impl Process {
    /// Waits for the shell to exit on its own; cancel-safe.
    async fn wait(&mut self) -> i32 {
        match self {
            Process::Host { child, .. } => child.wait().await.map(exit_code).unwrap_or(-1),
            Process::Box(process) => process.wait().await,
        }
    }

    /// Kills the shell and everything it started; returns its exit code.
    async fn kill(&mut self) -> i32 {
        match self {
            Process::Host { child, pid } => {
                kill_group(pid.take());
                child.wait().await.map(exit_code).unwrap_or(-1)
            }
            Process::Box(process) => process.kill().await,
        }
    }

    /// Whether the shell may still be running.
    fn alive(&self) -> bool {
        match self {
            Process::Host { pid, .. } => pid.is_some(),
            Process::Box(process) => process.alive(),
        }
    }
}

impl Shell {
    /// Starts `bash --noprofile --norc` in `cwd`, in a new process group, with a clean
    /// environment apart from [`INHERITED_VARS`] and the box's `env`.
    pub fn spawn(cwd: &Path, box_env: &[(String, String)]) -> io::Result<Shell> {
        let out = merged_output()?;
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc"])
            .current_dir(cwd)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(out.stdout)
            .stderr(out.stderr)
            .process_group(0)
            .kill_on_drop(true);
        for key in INHERITED_VARS {
            if let Some(value) = std::env::var_os(key) {
                cmd.env(key, value);
            }
        }
        // The box's environment, as a container's would be: before anything is exported.
        cmd.envs(box_env.iter().map(|(k, v)| (k, v)));
        let spawned = cmd.spawn();
        // Dropping the command closes this process's copies of the pipe's write end, so
        // that the end of the output means every writer is gone.
        drop(cmd);
        let mut child = spawned?;
        let pid = child.id();
        let Some(stdin) = child.stdin.take() else {
            kill_group(pid);
            return Err(io::Error::other("the shell has no stdin"));
        };
        Ok(Shell::new(
            Process::Host { child, pid },
            Box::pin(stdin),
            Box::pin(out.reader),
        ))
    }

    /// The shell that is the main process of a box container, talking through its attached
    /// stdin and output, starting with the variables `env`.
    ///
    /// The box's variables are exported by the shell rather than set on the container, so
    /// that an image made from the box does not carry them (they may hold secrets).
    pub fn in_box(
        process: BoxProcess,
        stdin: Pin<Box<dyn AsyncWrite + Send>>,
        output: Pin<Box<dyn AsyncRead + Send>>,
        env: &[(String, String)],
    ) -> Shell {
        let mut shell = Shell::new(Process::Box(process), stdin, output);
        // Docker carries a container's stdout and stderr apart, so that stderr could arrive
        // after the sentinel that follows it on stdout; in one stream they stay in order.
        let mut prelude = "exec 2>&1\n".to_owned();
        for (key, value) in env.iter().filter(|(key, _)| valid_name(key)) {
            prelude.push_str(&format!("export {key}={}\n", sh_quote(value)));
        }
        shell.prelude = Some(prelude);
        shell
    }

    fn new(
        process: Process,
        stdin: Pin<Box<dyn AsyncWrite + Send>>,
        reader: Pin<Box<dyn AsyncRead + Send>>,
    ) -> Shell {
        let token = format!("{:032x}", rand::random::<u128>());
        Shell {
            process,
            stdin,
            reader,
            scanner: Scanner::new(&token),
            dead: None,
            prelude: None,
        }
    }

    /// The pid (and process group id) of a shell running on this machine, while it runs.
    pub fn pid(&self) -> Option<u32> {
        match &self.process {
            Process::Host { pid, .. } => *pid,
            Process::Box(_) => None,
        }
    }

    /// Runs `command` and waits for its end, streaming its output to `log`.
    pub async fn run(
        &mut self,
        command: &str,
        log: LogTarget<'_>,
        cancel: &CancellationToken,
        limits: Limits,
    ) -> CommandEnd {
        if let Some(code) = self.dead {
            return CommandEnd::ShellDied(code);
        }
        let mut script = String::with_capacity(command.len() + 64);
        if let Some(prelude) = self.prelude.take() {
            script.push_str(&prelude);
        }
        script.push_str(command);
        if !script.ends_with('\n') {
            script.push('\n');
        }
        script.push_str(&format!("printf '\\n%s %d\\n' {} $?\n", self.scanner.token));

        let written = tokio::select! {
            w = self.stdin.write_all(script.as_bytes()) => w,
            () = cancel.cancelled() => {
                self.kill().await;
                return CommandEnd::Cancelled;
            }
        };
        if written.is_err() {
            // A closed stdin means the shell is gone; its status says why.
            let code = self.kill().await;
            self.drain(log).await;
            return CommandEnd::ShellDied(code);
        }

        let started = Instant::now();
        let command_deadline = deadline_after(started, limits.command_timeout);
        let mut last_output = started;
        let mut buf = vec![0u8; MAX_LOG_CHUNK];
        loop {
            let silence_deadline = deadline_after(last_output, limits.no_response_timeout);
            // Biased so that a step that never stops printing still meets its cancel, its
            // shell's death and its command timeout: reading comes last.
            tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    self.kill().await;
                    return CommandEnd::Cancelled;
                }
                code = self.process.wait() => {
                    self.dead = Some(code);
                    // Background children may still hold the pipe open; they go with the
                    // shell, and what they all wrote so far is still logged.
                    self.kill().await;
                    self.drain(log).await;
                    return CommandEnd::ShellDied(code);
                }
                () = sleep_until(command_deadline) => {
                    self.kill().await;
                    self.drain(log).await;
                    return CommandEnd::CommandTimeout(limits.command_timeout);
                }
                () = sleep_until(silence_deadline) => {
                    self.kill().await;
                    self.drain(log).await;
                    return CommandEnd::NoResponse(limits.no_response_timeout);
                }
                read = self.reader.read(&mut buf) => match read {
                    Ok(0) => {
                        // Every writer is gone: the shell and all its children ended.
                        let code = self.kill().await;
                        emit(log, &self.scanner.flush()).await;
                        return CommandEnd::ShellDied(code);
                    }
                    Ok(n) => {
                        let (data, status) = self.scanner.feed(&buf[..n]);
                        emit(log, &data).await;
                        if let Some(status) = status {
                            return CommandEnd::Exited(status);
                        }
                        // Counted after the log was taken: time spent waiting for the
                        // engine to accept it is not the step's silence.
                        last_output = Instant::now();
                    }
                    Err(e) => {
                        self.kill().await;
                        return CommandEnd::Broken(format!("cannot read the shell's output: {e}"));
                    }
                },
            }
        }
    }

    /// Ends the shell and every process it started.
    pub async fn close(mut self) {
        self.kill().await;
    }

    /// Kills the shell with everything it started and reaps it; returns its exit code.
    async fn kill(&mut self) -> i32 {
        // A box that ended on its own is no longer alive, but its exit code is still to be
        // read; killing what is gone only collects it.
        if self.dead.is_none() || self.process.alive() {
            let code = self.process.kill().await;
            self.dead.get_or_insert(code);
        }
        self.dead.unwrap_or(-1)
    }

    /// Logs what is left in the pipe after the shell was killed, for a bounded time.
    async fn drain(&mut self, log: LogTarget<'_>) {
        let deadline = Instant::now() + DRAIN_TIME;
        let mut buf = vec![0u8; MAX_LOG_CHUNK];
        loop {
            tokio::select! {
                read = self.reader.read(&mut buf) => match read {
                    Ok(n) if n > 0 => {
                        let (data, _) = self.scanner.feed(&buf[..n]);
                        emit(log, &data).await;
                    }
                    _ => break,
                },
                () = sleep_until(deadline) => break,
            }
        }
        emit(log, &self.scanner.flush()).await;
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // A run dropped mid-step (its future cancelled) must not leave processes behind; a
        // box container is removed with the run's other containers.
        if let Process::Host { pid, .. } = self {
            kill_group(*pid);
        }
    }
}

async fn emit(log: LogTarget<'_>, data: &[u8]) {
    if let Some((order, rep)) = log
        && !data.is_empty()
    {
        rep.log(order, data).await;
    }
}

/// Splits the shell's output into log bytes and the sentinel line `\n<token> <status>\n`.
///
/// Bytes that might be the start of a sentinel are held back until the next read decides;
/// everything else is released at once, so memory stays bounded by the read size.
#[derive(Debug)]
pub(crate) struct Scanner {
    token: String,
    /// `\n<token> `: the sentinel's fixed prefix. Its leading newline is the one the
    /// sentinel's printf adds, so it never belongs to the log.
    marker: Vec<u8>,
    pending: Vec<u8>,
}

impl Scanner {
    /// A scanner for sentinels carrying `token`.
    pub fn new(token: &str) -> Self {
        Scanner {
            token: token.to_owned(),
            marker: format!("\n{token} ").into_bytes(),
            pending: Vec::new(),
        }
    }

    /// Takes in `data`; returns the bytes that are certainly log, and the exit status when
    /// the sentinel was complete. Bytes after the sentinel stay for the next command.
    pub fn feed(&mut self, data: &[u8]) -> (Vec<u8>, Option<i32>) {
        self.pending.extend_from_slice(data);
        if let Some(at) = find(&self.pending, &self.marker) {
            let status_start = at + self.marker.len();
            if let Some(len) = self.pending[status_start..]
                .iter()
                .position(|&b| b == b'\n')
            {
                let status = std::str::from_utf8(&self.pending[status_start..status_start + len])
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(-1);
                let log = self.pending[..at].to_vec();
                self.pending.drain(..status_start + len + 1);
                return (log, Some(status));
            }
            let log = self.pending[..at].to_vec();
            self.pending.drain(..at);
            return (log, None);
        }
        let keep = partial_suffix(&self.pending, &self.marker);
        let release = self.pending.len() - keep;
        let log = self.pending[..release].to_vec();
        self.pending.drain(..release);
        (log, None)
    }

    /// Releases whatever is held back (when no sentinel can follow any more).
    pub fn flush(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The length of the longest end of `data` that is a proper beginning of `marker`.
fn partial_suffix(data: &[u8], marker: &[u8]) -> usize {
    let longest = data.len().min(marker.len() - 1);
    (1..=longest)
        .rev()
        .find(|&n| data[data.len() - n..] == marker[..n])
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(scanner: &mut Scanner, parts: &[&[u8]]) -> (Vec<u8>, Option<i32>) {
        let mut log = Vec::new();
        for part in parts {
            let (data, status) = scanner.feed(part);
            log.extend(data);
            if status.is_some() {
                return (log, status);
            }
        }
        (log, None)
    }

    #[test]
    fn strips_only_the_added_newline() {
        let mut s = Scanner::new("tok");
        assert_eq!(
            feed_all(&mut s, &[b"hello\n\ntok 0\n"]),
            (b"hello\n".to_vec(), Some(0))
        );
        assert_eq!(
            feed_all(&mut s, &[b"no newline\ntok 3\n"]),
            (b"no newline".to_vec(), Some(3))
        );
        assert_eq!(feed_all(&mut s, &[b"\ntok 1\n"]), (Vec::new(), Some(1)));
    }

    #[test]
    fn sentinel_split_across_reads() {
        let mut s = Scanner::new("tok");
        let (first, status) = s.feed(b"out\n\nto");
        assert_eq!((first.as_slice(), status), (&b"out\n"[..], None));
        let (second, status) = feed_all(&mut s, &[b"k 12", b"7\nlater"]);
        assert_eq!((second.as_slice(), status), (&b""[..], Some(127)));
        // Output after the sentinel belongs to the next command.
        assert_eq!(s.feed(b"").0, b"later");
    }

    #[test]
    fn lookalikes_are_log() {
        let mut s = Scanner::new("tok");
        let (log, status) = feed_all(&mut s, &[b"\ntokx\n", b"x tok 1 not at line start"]);
        assert_eq!(status, None);
        let mut all = log;
        all.extend(s.flush());
        assert_eq!(all, b"\ntokx\nx tok 1 not at line start");
    }
}
