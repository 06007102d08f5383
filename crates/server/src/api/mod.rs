//! The wire shapes of API v3, each defined once, and their filling from store rows.

mod actions;
mod legacy;
mod present;
pub mod requests;
mod shapes;

pub use actions::*;
pub use present::{Presenter, registry_step};
pub use shapes::*;
