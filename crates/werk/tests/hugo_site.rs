//! A real Hugo site end to end: built with `arjen/hugo-build`, published with
//! `lukevivier/gh-pages` to a bare repository's `gh-pages` branch, chained by `workflows:`,
//! through `werk serve` — the story of the blog post werk was made for.

mod common;

use std::process::Command;

use common::{Repo, TestServer};
use serde_json::json;

fn hugo_installed() -> bool {
    Command::new("hugo")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[tokio::test]
async fn a_hugo_site_is_built_and_published_to_gh_pages() {
    if !hugo_installed() {
        assert!(
            std::env::var("CI").is_err(),
            "CI must install hugo (Debian package `hugo`)"
        );
        eprintln!("skipping: hugo is not installed");
        return;
    }
    let pages = tempfile::tempdir().unwrap();
    let pages_repo = pages.path().join("site-pages.git");
    let out = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&pages_repo)
        .output()
        .unwrap();
    assert!(out.status.success());

    let yml = format!(
        r#"box: debian
build:
  steps:
    - arjen/hugo-build@2.14.0:
        version: "0.111.3"
        flags: --buildDrafts=false
deploy:
  steps:
    - lukevivier/gh-pages@0.2.1:
        remote: {}
        domain: blog.example.org
        basedir: public
workflows:
  - name: site
    pipelines:
      - name: build
      - name: deploy-production
        pipelineName: deploy
        requires: [build]
"#,
        pages_repo.display()
    );
    let repo = Repo::with_yml(&yml);
    repo.commit(
        "config.toml",
        "baseURL = 'https://blog.example.org/'\ntitle = 'Tunes and Notes'\n",
        "config",
    );
    std::fs::create_dir_all(repo.path().join("layouts")).unwrap();
    std::fs::create_dir_all(repo.path().join("content")).unwrap();
    std::fs::write(
        repo.path().join("content/_index.md"),
        "---\ntitle: Home\n---\nFresh **tunes** every week.\n",
    )
    .unwrap();
    repo.commit(
        "layouts/index.html",
        "<!doctype html><title>{{ .Site.Title }}</title><h1>{{ .Site.Title }}</h1>{{ .Content }}\n",
        "a site",
    );

    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    server.create_app("tunes", repo.path(), "public").await;
    let build = server.pipeline_id("tunes", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let build_id = run["id"].as_str().unwrap().to_string();
    let build_run = server.finished(&build_id).await;
    let hugo_step = server.step(&build_id, "hugo-build").await;
    let hugo_log = server.log(hugo_step["id"].as_str().unwrap()).await;
    assert_eq!(build_run["result"], "passed", "{build_run}\n{hugo_log}");

    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={build_id}"))
        .await;
    let deploy_id = children[0]["id"]
        .as_str()
        .expect("deploy-production was chained")
        .to_string();
    let deploy = server.finished(&deploy_id).await;
    let pages_step = server.step(&deploy_id, "gh-pages").await;
    let pages_log = server.log(pages_step["id"].as_str().unwrap()).await;
    assert_eq!(deploy["result"], "passed", "{deploy}\n{pages_log}");
    assert_eq!(deploy["pipeline"]["name"], "deploy-production");

    let show = |path: &str| {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&pages_repo)
            .args(["show", &format!("gh-pages:{path}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "gh-pages:{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let index = show("index.html");
    assert!(index.contains("<h1>Tunes and Notes</h1>"), "{index}");
    assert!(index.contains("<strong>tunes</strong>"), "{index}");
    assert_eq!(show("CNAME").trim(), "blog.example.org");
}
