//! The application's cache outlives its runs: what one run leaves in `$WERCKER_CACHE_DIR`,
//! the next run with the same cache dir finds, from another work dir and run id, whether
//! the first run passed or not; a run with another cache dir does not see it.

mod common;

use common::{Fixture, finished, log_of, outcome, run};
use werk_executor::{Job, Outcome};

/// Prints what the cache holds, then leaves the run's id in it; fails afterwards when
/// `FAIL_AFTER_CACHING` is set.
const YML: &str = r#"
build:
  steps:
    - script:
        name: use the cache
        code: |
          list="$WERCKER_CACHE_DIR/deps/list.txt"
          if [ -f "$list" ]; then
            echo "cached: $(cat "$list")"
          else
            echo "cache empty"
          fi
          mkdir -p "$WERCKER_CACHE_DIR/deps"
          echo "from run $WERCKER_RUN_ID" > "$list"
          [ -z "$FAIL_AFTER_CACHING" ] || fail "failed after caching"
"#;

/// A job in work dir `dir` with run id `id`.
fn job(fx: &Fixture, dir: &str, id: &str) -> Job {
    let mut job = fx.job("build", dir);
    job.run_id = id.to_owned();
    job.env = vec![("WERCKER_RUN_ID".to_owned(), id.to_owned())];
    job
}

const RUN_1: &str = "111111111111111111111111";
const RUN_2: &str = "222222222222222222222222";
const RUN_3: &str = "333333333333333333333333";

#[tokio::test]
async fn the_next_run_with_the_same_cache_dir_finds_what_a_run_cached() {
    let fx = Fixture::new(&[("wercker.yml", YML)]);
    let first = job(&fx, "run1", RUN_1);
    let cache = first.cache_dir.clone();
    let first_work = first.work_dir.clone();
    let events = run(first).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(log_of(&events, 4), "cache empty\n");
    assert_eq!(
        std::fs::read_to_string(cache.join("deps/list.txt")).unwrap(),
        format!("from run {RUN_1}\n")
    );

    // Nothing of the first run but its cache is left.
    std::fs::remove_dir_all(&first_work).unwrap();
    let second = job(&fx, "run2", RUN_2);
    assert_eq!(second.cache_dir, cache);
    let events = run(second).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(log_of(&events, 4), format!("cached: from run {RUN_1}\n"));

    // Another application's cache is its own.
    let mut other = job(&fx, "run3", RUN_3);
    other.cache_dir = fx.dir.path().join("other-cache");
    let events = run(other).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(log_of(&events, 4), "cache empty\n");
    assert_eq!(
        std::fs::read_to_string(cache.join("deps/list.txt")).unwrap(),
        format!("from run {RUN_2}\n"),
        "the other run left this cache alone"
    );
}

#[tokio::test]
async fn a_failed_run_still_fills_the_cache() {
    // As on Wercker, which collected the cache whether the run passed or failed.
    let fx = Fixture::new(&[("wercker.yml", YML)]);
    let mut failing = job(&fx, "run1", RUN_1);
    failing
        .env
        .push(("FAIL_AFTER_CACHING".to_owned(), "yes".to_owned()));
    let events = run(failing).await;
    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(
        finished(&events, 4),
        Some((Outcome::Failed, Some("failed after caching".to_owned())))
    );

    let events = run(job(&fx, "run2", RUN_2)).await;
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(log_of(&events, 4), format!("cached: from run {RUN_1}\n"));
}
