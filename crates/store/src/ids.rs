//! Ids, tokens and timestamps in the forms the API uses.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};

/// A new 24-hex id shaped like a MongoDB ObjectId (seconds, per-process random, counter),
/// so ids sort by creation time as Wercker's did.
pub fn new_id() -> String {
    static PROCESS: OnceLock<[u8; 5]> = OnceLock::new();
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let process = PROCESS.get_or_init(rand::random);
    let secs = chrono::Utc::now().timestamp() as u32;
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    bytes[4..9].copy_from_slice(process);
    bytes[9..].copy_from_slice(&count.to_be_bytes()[1..]);
    hex::encode(bytes)
}

/// Whether `id` has the 24-hex form of werk's ids.
pub fn valid_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A new personal token: 64 hex characters from a cryptographic random source.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The SHA-256 of a token, in hex: the only form in which tokens are stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The current time as the API writes it: `2016-09-24T13:37:31.436Z`.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A time in milliseconds since 1970 as the API writes it; `None` outside the years 0 to
/// 9999, which the stored text form cannot order.
pub fn iso_from_millis(ms: i64) -> Option<String> {
    let time = chrono::DateTime::from_timestamp_millis(ms)?;
    (0..=9999)
        .contains(&chrono::Datelike::year(&time))
        .then(|| time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}
