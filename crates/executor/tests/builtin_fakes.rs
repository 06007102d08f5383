//! werk's built-in steps on their success paths, without network: fake `dpkg-query`,
//! `apt-get` and `sudo`, or a fake `ssh-keyscan`, come first on the steps' PATH. They are
//! put there through the job's variables, which are exported after werk's own, so that
//! `$PATH` in the value still expands to the real PATH and the real tools stay reachable.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, finished, log_of, outcome, run};
use werk_executor::{Event, Job, Outcome};

/// Writes each `(name, script)` as an executable in `dir`, created if needed.
fn fake_bin(dir: &Path, programs: &[(&str, String)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, script) in programs {
        let path = dir.join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Puts `bin` first on the steps' PATH, ahead of the PATH they inherit.
fn path_first(job: &mut Job, bin: &Path) {
    job.env
        .push(("PATH".to_owned(), format!("{}:$PATH", bin.display())));
}

/// Every log byte of the run, as text.
fn all_logs(events: &[Event]) -> String {
    let mut bytes = Vec::new();
    for e in events {
        if let Event::Log { data, .. } = e {
            bytes.extend_from_slice(data);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Reports only `present-pkg` as installed, the way `dpkg-query -W -f='${Status}'` does.
const FAKE_DPKG_QUERY: &str = r#"#!/bin/sh
for last; do :; done
if [ "$last" = present-pkg ]; then
  printf 'install ok installed'
  exit 0
fi
echo "dpkg-query: no packages found matching $last" >&2
exit 1
"#;

/// Runs its arguments as given: the step needs a working sudo when the tests run as an
/// ordinary user, and a real one would want a password or reset PATH.
const FAKE_SUDO: &str = "#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n";

#[tokio::test]
async fn install_packages_updates_once_and_installs_only_missing_packages() {
    let yml = r#"
build:
  steps:
    - install-packages:
        packages: present-pkg missing-one  missing-two
    - install-packages:
        name: more
        packages: missing-three present-pkg
    - install-packages:
        name: nothing to do
        packages: present-pkg
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let bin = fx.dir.path().join("bin");
    let calls = fx.dir.path().join("apt-get-calls");
    let apt_get = format!(
        "#!/bin/sh\necho \"$* | DEBIAN_FRONTEND=$DEBIAN_FRONTEND\" >> '{}'\necho \"fake apt-get $1\"\n",
        calls.display()
    );
    fake_bin(
        &bin,
        &[
            ("dpkg-query", FAKE_DPKG_QUERY.to_owned()),
            ("apt-get", apt_get),
            ("sudo", FAKE_SUDO.to_owned()),
        ],
    );
    let mut job = fx.job("build", "run");
    path_first(&mut job, &bin);
    let events = run(job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", all_logs(&events));

    // The package lists are updated once per run, however many steps install packages.
    let calls = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "update -q | DEBIAN_FRONTEND=noninteractive",
            "install -y -q --no-install-recommends missing-one missing-two | DEBIAN_FRONTEND=noninteractive",
            "install -y -q --no-install-recommends missing-three | DEBIAN_FRONTEND=noninteractive",
        ]
    );
    let first = log_of(&events, 4);
    assert!(
        first.contains("info: present-pkg is already installed\n"),
        "{first}"
    );
    assert!(
        first.contains("info: updating the package lists\n"),
        "{first}"
    );
    assert!(first.contains("fake apt-get update\n"), "{first}");
    assert!(
        first.contains("info: installing missing-one missing-two\n"),
        "{first}"
    );
    assert!(
        first.contains("installed missing-one missing-two"),
        "{first}"
    );
    let second = log_of(&events, 5);
    assert!(!second.contains("updating"), "{second}");
    assert!(second.contains("fake apt-get install\n"), "{second}");
    assert!(
        log_of(&events, 6).contains("all packages are installed"),
        "{}",
        log_of(&events, 6)
    );
}

/// An SSH host key made for the test: its `known_hosts` line for `host`, and its SHA256 and
/// MD5 fingerprints as `ssh-keygen -l` prints them (`SHA256:...`, `MD5:...`).
struct HostKey {
    line: String,
    sha256: String,
    md5: String,
}

fn ssh_keygen(args: &[&str], key: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(args)
        .arg(key)
        .output()
        .expect("ssh-keygen runs");
    assert!(
        out.status.success(),
        "ssh-keygen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn host_key(dir: &Path, host: &str) -> HostKey {
    std::fs::create_dir_all(dir).unwrap();
    let key = dir.join("host_key");
    ssh_keygen(&["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"], &key);
    let public = key.with_extension("pub");
    let text = std::fs::read_to_string(&public).unwrap();
    let fields: Vec<&str> = text.split_whitespace().collect();
    let fingerprint = |hash: &str| {
        let listed = ssh_keygen(&["-l", "-E", hash, "-f"], &public);
        listed
            .split_whitespace()
            .nth(1)
            .expect("fingerprint")
            .to_owned()
    };
    HostKey {
        line: format!("{host} {} {}", fields[0], fields[1]),
        sha256: fingerprint("sha256"),
        md5: fingerprint("md5"),
    }
}

/// A run of `yml` whose `ssh-keyscan` prints `key`'s line (and the comments the real one
/// prints), recording its arguments; HOME is a fresh directory. Returns the fixture, the
/// job, the file of recorded arguments and HOME.
fn keyscan_job(yml: &str, key: &HostKey) -> (Fixture, Job, PathBuf, PathBuf) {
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let bin = fx.dir.path().join("bin");
    let calls = fx.dir.path().join("keyscan-calls");
    let keyscan = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\necho '# git.example.org:2222 SSH-2.0-OpenSSH_9.2' >&2\n\
         echo '# git.example.org:2222 SSH-2.0-OpenSSH_9.2'\necho '{}'\n",
        calls.display(),
        key.line
    );
    fake_bin(&bin, &[("ssh-keyscan", keyscan)]);
    let home = fx.dir.path().join("home");
    let mut job = fx.job("build", "run");
    path_first(&mut job, &bin);
    job.env
        .push(("HOME".to_owned(), home.to_string_lossy().into_owned()));
    (fx, job, calls, home)
}

#[tokio::test]
async fn add_to_known_hosts_adds_a_key_matching_its_fingerprint_once() {
    let keys = tempfile::tempdir().unwrap();
    let key = host_key(keys.path(), "git.example.org");
    let bare_sha256 = key.sha256.trim_start_matches("SHA256:");
    let yml = format!(
        r#"
build:
  steps:
    - add-to-known_hosts:
        hostname: git.example.org
        port: "2222"
        fingerprint: "{}"
    - add-to-known_hosts:
        name: without the prefix
        hostname: git.example.org
        port: "2222"
        fingerprint: "{bare_sha256}"
        type: ed25519
        timeout: "5"
    - add-to-known_hosts:
        name: by md5
        hostname: git.example.org
        port: "2222"
        fingerprint: "{}"
"#,
        key.sha256, key.md5
    );
    let (_fx, job, calls, home) = keyscan_job(&yml, &key);
    let events = run(job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", all_logs(&events));

    let known_hosts = home.join(".ssh/known_hosts");
    assert_eq!(
        std::fs::read_to_string(&known_hosts).unwrap(),
        format!("{}\n", key.line),
        "the key once, without the scan's comments"
    );
    let mode = std::fs::metadata(&known_hosts)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        std::fs::read_to_string(&calls)
            .unwrap()
            .lines()
            .collect::<Vec<_>>(),
        [
            "-p 2222 git.example.org",
            "-p 2222 -t ed25519 -T 5 git.example.org",
            "-p 2222 git.example.org",
        ]
    );
    let first = log_of(&events, 4);
    assert!(
        first.contains(&format!(
            "added 1 key(s) of git.example.org to {}",
            known_hosts.display()
        )),
        "{first}"
    );
    for order in [5, 6] {
        assert_eq!(finished(&events, order), Some((Outcome::Passed, None)));
        let log = log_of(&events, order);
        assert!(log.contains("added 0 key(s)"), "{log}");
    }
}

#[tokio::test]
async fn add_to_known_hosts_refuses_a_key_with_another_fingerprint() {
    let keys = tempfile::tempdir().unwrap();
    let key = host_key(keys.path(), "git.example.org");
    // The fingerprint of another key: the one scanned must not be trusted.
    let other = host_key(&keys.path().join("other"), "git.example.org");
    let yml = format!(
        "build:\n  steps:\n    - add-to-known_hosts:\n        hostname: git.example.org\n        \
         fingerprint: \"{}\"\n",
        other.sha256
    );
    let (_fx, job, _, home) = keyscan_job(&yml, &key);
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(format!(
                "no key of git.example.org matches the fingerprint {}",
                other.sha256
            ))
        ))
    );
    let log = log_of(&events, 4);
    assert!(
        log.contains("skipped a key of git.example.org: it does not match the fingerprint"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join(".ssh/known_hosts")).unwrap(),
        "",
        "nothing was trusted"
    );
}
