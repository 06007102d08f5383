//! The wire shapes of API v3, each defined once, and their filling from store rows.

mod legacy;
mod present;
mod shapes;

pub use present::Presenter;
pub use shapes::*;
