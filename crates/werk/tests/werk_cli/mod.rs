//! Running the real `werk` binary as a user would: its own home directory (so its stored
//! login is its own), and no `WERK_URL`/`WERK_TOKEN` unless a test sets them.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A user of the command line, with a home directory of their own.
pub struct Werk {
    pub home: tempfile::TempDir,
    /// Extra environment for every command.
    pub env: Vec<(String, String)>,
}

impl Werk {
    pub fn new() -> Werk {
        Werk {
            home: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    /// A user who ran `werk login URL --token TOKEN`.
    pub fn logged_in(url: &str, token: &str) -> Werk {
        let werk = Werk::new();
        werk.ok(&["login", url, "--token", token]);
        werk
    }

    /// Where `werk login` stores the login, when `XDG_CONFIG_HOME` is not set.
    pub fn login_file(&self) -> PathBuf {
        self.home.path().join(".config/werk/login.json")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_werk"));
        command
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("WERK_URL")
            .env_remove("WERK_TOKEN")
            .env("RUST_LOG", "warn");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        feed(self.command(args), input)
    }

    /// Runs, asserts success, and returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_success(&out, args);
        stdout(&out)
    }

    /// Runs with `--json`, asserts success, and parses standard output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let text = self.ok(&args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("werk {args:?}: {e}:\n{text}"))
    }

    /// Runs, asserts exit code 2, and returns standard error.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "werk {args:?} should fail:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        stderr(&out)
    }
}

/// Runs `command` with `input` on standard input.
pub fn feed(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn assert_success(out: &Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "werk {args:?} failed ({}):\n{}{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The data rows of a table (the header left out) whose cells include all of `cells`.
pub fn rows_with<'a>(table: &'a str, cells: &[&str]) -> Vec<&'a str> {
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            cells.iter().all(|c| words.contains(c))
        })
        .collect()
}

/// The number of data rows of a table.
pub fn row_count(table: &str) -> usize {
    table.lines().count().saturating_sub(1)
}

/// The file mode bits of a path.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
