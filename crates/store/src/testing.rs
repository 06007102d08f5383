//! Scratch PostgreSQL databases for the tests of werk's crates (not for production use).
//!
//! Tests find a PostgreSQL server through [`TEST_POSTGRES_ENV`], a URL of a role that may
//! create databases (`postgres://werk_test:PASSWORD@127.0.0.1:5432/postgres`). Each test
//! gets a database of its own, `werk_test_<random>`, dropped when the
//! [`ScratchDatabase`] is (best effort: a database left behind by a killed test is only
//! litter). Without the variable the tests say they were skipped, except under `CI=true`,
//! where a skipped PostgreSQL test is a failure.
//!
//! The scratch databases use an ICU `en-US` collation where the server offers it, as many
//! production servers do, so that the tests show that werk sorts text the same as on SQLite
//! whatever the database's locale.

use sqlx::{Connection, PgConnection};

/// The environment variable naming the PostgreSQL server of the tests.
pub const TEST_POSTGRES_ENV: &str = "WERK_TEST_POSTGRES";

/// A database created for one test, dropped with this value.
#[derive(Debug)]
pub struct ScratchDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Creates a fresh database on the server named by [`TEST_POSTGRES_ENV`]. Returns `None`
    /// after printing that the test is skipped when the variable is unset.
    ///
    /// # Panics
    /// When the variable is unset under `CI=true`, or the database cannot be created.
    pub async fn create() -> Option<ScratchDatabase> {
        let Some(server_url) = std::env::var(TEST_POSTGRES_ENV)
            .ok()
            .filter(|url| !url.is_empty())
        else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and {TEST_POSTGRES_ENV} is not set: the PostgreSQL tests cannot run"
            );
            eprintln!("skipped: {TEST_POSTGRES_ENV} is not set, so no PostgreSQL to test on");
            return None;
        };
        let name = format!("werk_test_{}", hex::encode(rand::random::<[u8; 8]>()));
        let mut conn = PgConnection::connect(&server_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach {TEST_POSTGRES_ENV}: {e}"));
        let icu = format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
             LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        );
        if sqlx::raw_sql(&icu).execute(&mut conn).await.is_err() {
            // A server without ICU (or older than PostgreSQL 15): its default locale.
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("cannot create the database {name}: {e}"));
        }
        let _ = conn.close().await;
        let url = with_database(&server_url, &name);
        Some(ScratchDatabase {
            server_url,
            name,
            url,
        })
    }

    /// The URL of the database, for [`crate::Store::open`] or `werk serve --database`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop may run inside a test's runtime, which must not be blocked on: the database
        // is dropped from a thread with a runtime of its own, and failures are ignored.
        let dropping = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut conn) = PgConnection::connect(&server_url).await {
                    let _ = sqlx::raw_sql(&sql).execute(&mut conn).await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropping.join();
    }
}

/// `url` with its database (the path) replaced by `name`, the query string kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        for (url, expected) in [
            (
                "postgres://u:p@127.0.0.1:5432/postgres",
                "postgres://u:p@127.0.0.1:5432/db",
            ),
            ("postgres://u@host", "postgres://u@host/db"),
            (
                "postgresql://u@host/x?sslmode=disable",
                "postgresql://u@host/db?sslmode=disable",
            ),
        ] {
            assert_eq!(with_database(url, "db"), expected);
        }
    }
}
