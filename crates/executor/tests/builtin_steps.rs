//! werk's built-in steps, run for real: create-file, add-ssh-key, gh-pages pushing to a
//! local bare repository, install-packages without network, add-to-known_hosts against a
//! closed port, and hugo-build with and without hugo.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Fixture, finished, git, log_of, outcome, run};
use werk_executor::{Event, Outcome};

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

/// Every step message of the run.
fn all_messages(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StepFinished {
                message: Some(m), ..
            } => Some(m.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `program` is on this process's PATH.
fn installed(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

#[tokio::test]
async fn create_file_writes_escapes_and_variables() {
    let yml = r#"
build:
  steps:
    - script:
        name: set a variable
        code: export GREETING=hi
    - create-file:
        filename: out/notes.txt
        content: "line one\nline two $GREETING"
    - create-file:
        name: literal escape
        filename: plain.txt
        content: a\nb
    - create-file:
        name: replace
        filename: plain.txt
        content: replaced
        overwrite: true
    - create-file:
        name: refuse
        filename: plain.txt
        content: again
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let job = fx.job("build", "run");
    let source = job.work_dir.join("source");
    let events = run(job).await;

    let notes = std::fs::read_to_string(source.join("out/notes.txt")).unwrap();
    assert_eq!(notes, "line one\nline two hi\n");
    assert!(
        log_of(&events, 5).starts_with("Using werk's built-in step create-file for create-file\n")
    );
    assert!(
        !all_logs(&events).contains("line two"),
        "the content is not logged"
    );
    assert_eq!(finished(&events, 6), Some((Outcome::Passed, None)));
    assert_eq!(finished(&events, 7), Some((Outcome::Passed, None)));
    assert_eq!(
        std::fs::read_to_string(source.join("plain.txt")).unwrap(),
        "replaced\n"
    );
    assert_eq!(
        finished(&events, 8),
        Some((
            Outcome::Failed,
            Some(
                "cannot create file, plain.txt already exists (set overwrite: true to replace it)"
                    .to_owned()
            )
        ))
    );
}

#[tokio::test]
async fn add_ssh_key_writes_a_private_key_file() {
    let yml = r#"
build:
  steps:
    - add-ssh-key:
        keyname: DEPLOY_KEY
        host: git.example.org
    - add-ssh-key:
        name: again
        keyname: DEPLOY_KEY
        host: git.example.org
    - add-ssh-key:
        name: missing
        keyname: OTHER
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let home = fx.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let mut job = fx.job("build", "run");
    // The job's variables are exported after werk's, so HOME can be redirected here.
    job.env
        .push(("HOME".to_owned(), home.to_string_lossy().into_owned()));
    job.env.push((
        "DEPLOY_KEY_PRIVATE".to_owned(),
        "-----BEGIN KEY-----\nabc\n-----END KEY-----".to_owned(),
    ));
    let events = run(job).await;

    let key = home.join(".ssh/id_deploy_key");
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"
    );
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let config = std::fs::read_to_string(home.join(".ssh/config")).unwrap();
    assert_eq!(
        config,
        format!(
            "Host git.example.org\n    IdentityFile \"{}\"\nHost *\n",
            key.display()
        )
    );
    assert_eq!(finished(&events, 5), Some((Outcome::Passed, None)));
    let (result, message) = finished(&events, 6).unwrap();
    assert_eq!(result, Outcome::Failed);
    assert!(
        message.unwrap().contains("variable named OTHER_PRIVATE"),
        "{events:?}"
    );
}

/// A fixture whose source has `public/index.html`, and a bare repository to deploy to.
fn site_fixture(step: &str) -> (Fixture, std::path::PathBuf) {
    let fx = Fixture::new(&[("public/index.html", "<h1>site</h1>\n")]);
    let bare = fx.dir.path().join("pages.git");
    git(
        fx.dir.path(),
        &["init", "-q", "--bare", bare.to_str().unwrap()],
    );
    let yml = format!("build:\n  steps:\n{step}");
    let yml = yml.replace("BARE", bare.to_str().unwrap());
    fx.commit(&[("wercker.yml", &yml)], "add yml");
    (fx, bare)
}

#[tokio::test]
async fn gh_pages_pushes_a_fresh_commit_and_hides_the_token() {
    let step = r#"    - lukevivier/gh-pages@0.2.1:
        token: s3cr3t-token-value
        domain: example.org
        remote: BARE
        basedir: public
"#;
    let (fx, bare) = site_fixture(step);
    let head = git(&fx.repo(), &["rev-parse", "HEAD"]);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", all_logs(&events));

    let commit = git(&bare, &["log", "-1", "--format=%an|%s", "gh-pages"]);
    assert_eq!(commit, format!("werk|deploy from {head}"));
    let files = git(&bare, &["ls-tree", "--name-only", "gh-pages"]);
    assert_eq!(files, "CNAME\nindex.html");
    assert_eq!(git(&bare, &["show", "gh-pages:CNAME"]), "example.org");
    assert!(!all_logs(&events).contains("s3cr3t-token-value"));

    // Deploying again replaces the branch with one new commit.
    let events = run(fx.job("build", "run2")).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(git(&bare, &["rev-list", "--count", "gh-pages"]), "1");
}

#[tokio::test]
async fn gh_pages_failures_never_show_the_token() {
    let step = r#"    - gh-pages:
        token: s3cr3t-token-value
        remote: /nonexistent/s3cr3t-token-value/site.git
    - gh-pages:
        name: no token
        repo: owner/site
"#;
    let (fx, _) = site_fixture(step);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some("pushing to branch gh-pages of /nonexistent/***/site.git failed".to_owned())
        ))
    );
    assert!(!all_logs(&events).contains("s3cr3t-token-value"));
    assert!(!all_messages(&events).contains("s3cr3t-token-value"));

    let step = "    - gh-pages:\n        repo: owner/site\n";
    let (fx, _) = site_fixture(step);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(
                "no token to push to github.com/owner/site: set token, or remote to a git URL"
                    .to_owned()
            )
        ))
    );
}

#[tokio::test]
async fn install_packages_skips_installed_packages_without_network() {
    if !installed("dpkg-query") {
        // CI installs every tool the tests use; only a developer's machine may lack one.
        assert!(std::env::var("CI").is_err(), "CI must provide dpkg-query");
        eprintln!("skipped: not a Debian-based system");
        return;
    }
    let yml = "build:\n  steps:\n    - install-packages:\n        packages: bash coreutils\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", all_logs(&events));
    let log = log_of(&events, 4);
    assert!(log.contains("info: bash is already installed\n"), "{log}");
    assert!(log.contains("all packages are installed"), "{log}");
    assert!(!log.contains("updating"), "{log}");
}

#[tokio::test]
async fn add_to_known_hosts_fails_clearly_when_the_host_is_unreachable() {
    if !installed("ssh-keyscan") {
        // CI installs every tool the tests use; only a developer's machine may lack one.
        assert!(std::env::var("CI").is_err(), "CI must provide ssh-keyscan");
        eprintln!("skipped: ssh-keyscan is not installed");
        return;
    }
    // Port 1 of the loopback address: nothing listens there.
    let yml = "build:\n  steps:\n    - add-to-known_hosts:\n        hostname: 127.0.0.1\n        port: \"1\"\n        timeout: \"2\"\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let home = fx.dir.path().join("home");
    let mut job = fx.job("build", "run");
    job.env
        .push(("HOME".to_owned(), home.to_string_lossy().into_owned()));
    let events = run(job).await;
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(
                "ssh-keyscan found no key for 127.0.0.1 on port 1: is the host reachable from \
                 this machine?"
                    .to_owned()
            )
        ))
    );
    assert!(home.join(".ssh/known_hosts").is_file());
}

#[tokio::test]
async fn hugo_build_without_hugo_says_how_to_get_it() {
    let yml = "build:\n  steps:\n    - arjen/hugo-build:\n        version: \"0.74.3\"\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let empty = fx.dir.path().join("empty-bin");
    std::fs::create_dir(&empty).unwrap();
    let mut job = fx.job("build", "run");
    job.env
        .push(("PATH".to_owned(), empty.to_string_lossy().into_owned()));
    let events = run(job).await;
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(
                "hugo is not installed: add install-packages with packages: hugo before this step"
                    .to_owned()
            )
        ))
    );
}

const HUGO_CONFIG: &str = "baseURL = \"https://example.org/\"\ntitle = \"Werk Test Site\"\n";
const HUGO_LAYOUT: &str =
    "<h1>{{ .Site.Title }}</h1>\n{{ range .Site.RegularPages }}<p>{{ .Title }}</p>\n{{ end }}\n";
const HUGO_POST: &str = "---\ntitle: \"Draft Post\"\ndraft: true\n---\nHello.\n";

#[tokio::test]
async fn hugo_build_builds_a_site() {
    if !installed("hugo") {
        // CI installs every tool the tests use; only a developer's machine may lack one.
        assert!(std::env::var("CI").is_err(), "CI must provide hugo");
        eprintln!("skipped: hugo is not installed");
        return;
    }
    let yml = r#"
build:
  steps:
    - arjen/hugo-build:
        version: "0.15"
        basedir: site
        flags: --buildDrafts=true
"#;
    let fx = Fixture::new(&[
        ("wercker.yml", yml),
        ("site/config.toml", HUGO_CONFIG),
        ("site/layouts/index.html", HUGO_LAYOUT),
        ("site/content/post.md", HUGO_POST),
        ("site/public/stale.html", "old"),
    ]);
    let job = fx.job("build", "run");
    let public = job.work_dir.join("source/site/public");
    let events = run(job).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", all_logs(&events));

    let index = std::fs::read_to_string(public.join("index.html")).unwrap();
    assert!(index.contains("<h1>Werk Test Site</h1>"), "{index}");
    assert!(index.contains("<p>Draft Post</p>"), "{index}");
    assert!(
        !public.join("stale.html").exists(),
        "clean_before empties public/"
    );
    let log = log_of(&events, 4);
    assert!(log.contains("hugo 0.15 was asked for, but hugo "), "{log}");
    assert!(Path::new(&public).is_dir());
}
