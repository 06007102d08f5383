//! A box's `env` is the shell's starting environment, expanded Go-style against the pipeline
//! environment; exported variables override it, as exports override a container's env.

mod common;

use common::{Fixture, log_of, outcome, run};
use werk_executor::Outcome;

#[tokio::test]
async fn box_env_is_expanded_go_style_and_exports_override_it() {
    let yml = r#"
box:
  id: golang
  env:
    gopath: /go/$WERCKER_GIT_BRANCH
    BRACES: "${WERCKER_GIT_BRANCH}-x"
    UNKNOWN: "[$NO_SUCH_VARIABLE]"
    NO_COMMANDS: "$(echo substituted)"
    DEFAULTS: "${MISSING:-fallback}"
    WERCKER_GIT_BRANCH: overridden-by-werk
build:
  steps:
    - script:
        name: show
        code: |
          echo "gopath=$GOPATH braces=$BRACES unknown=$UNKNOWN"
          echo "commands=$NO_COMMANDS defaults=[$DEFAULTS]"
          echo "branch=$WERCKER_GIT_BRANCH"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;
    assert_eq!(outcome(&events), Outcome::Passed, "{}", log_of(&events, 2));
    let log = log_of(&events, 4);
    assert!(
        log.contains("gopath=/go/main braces=main-x unknown=[]"),
        "{log}"
    );
    assert!(
        log.contains("commands=$(echo substituted) defaults=[]"),
        "{log}"
    );
    assert!(log.contains("branch=main"), "{log}");
}
