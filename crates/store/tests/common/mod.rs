//! The store tests' harness: every test runs twice, on a fresh SQLite file and on a fresh
//! PostgreSQL database (see `werk_store::testing`; skipped, saying so, when no PostgreSQL
//! server is configured).
#![allow(dead_code)]

use werk_store::Store;
use werk_store::testing::ScratchDatabase;

/// A fresh database of one backend, with a store open on it.
pub struct TestDb {
    /// The store.
    pub store: Store,
    /// The database's URL, to open more handles on it.
    pub url: String,
    _keep: Keep,
}

enum Keep {
    Dir(tempfile::TempDir),
    Postgres(ScratchDatabase),
}

impl TestDb {
    /// A fresh SQLite database in a temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = Store::sqlite_url_in(dir.path());
        TestDb {
            store: Store::open(&url).await.unwrap(),
            url,
            _keep: Keep::Dir(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` when the test is skipped.
    pub async fn postgres() -> Option<TestDb> {
        let scratch = ScratchDatabase::create().await?;
        let url = scratch.url().to_string();
        Some(TestDb {
            store: Store::open(&url).await.unwrap(),
            url,
            _keep: Keep::Postgres(scratch),
        })
    }

    /// Another handle on the same database, as a second server would have.
    pub async fn another_store(&self) -> Store {
        Store::open(&self.url).await.unwrap()
    }
}

/// Runs each named `async fn(TestDb)` on both backends, as the tests `NAME::sqlite` and
/// `NAME::postgres` (on a multi-threaded runtime, so that racing tasks really race).
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name($crate::common::TestDb::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    if let Some(db) = $crate::common::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            }
        )+
    };
}
