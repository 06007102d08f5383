//! `X_NAME` and `XXX_NAME` variables of the executor's own environment reach the steps as
//! `NAME`, the protected ones without their value in the log. (Its own test binary: it sets
//! variables of the process environment.)

mod common;

use common::{Fixture, log_of, outcome, run};
use werk_executor::Outcome;

#[tokio::test]
async fn prefixed_variables_pass_through() {
    // SAFETY: this binary's only test sets these before it starts any run or process, so
    // no other thread reads the environment concurrently.
    unsafe {
        std::env::set_var("X_WERK_TEST_PUBLIC", "shown value");
        std::env::set_var("XXX_WERK_TEST_PROTECTED", "secret value");
        std::env::set_var("WERK_TEST_NOT_PASSED", "server only");
    }
    let yml = r#"
build:
  steps:
    - script:
        name: show
        code: |
          echo "public=$WERK_TEST_PUBLIC"
          echo "protected=$WERK_TEST_PROTECTED"
          echo "other=${WERK_TEST_NOT_PASSED:-unset}"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    let setup = log_of(&events, 2);
    assert!(
        setup.contains("\nWERK_TEST_PUBLIC=shown value\n"),
        "{setup}"
    );
    assert!(
        setup.contains("\nWERK_TEST_PROTECTED=(hidden)\n"),
        "{setup}"
    );
    assert!(!setup.contains("secret value"), "{setup}");
    assert_eq!(
        log_of(&events, 4),
        "public=shown value\nprotected=secret value\nother=unset\n"
    );
}
