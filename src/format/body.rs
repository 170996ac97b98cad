//! Every entry body type at one path: the parts several kinds share (`format::parts`) and
//! each kind's own body, with the [`Body`] enum the registry generates (`format::kinds`).

pub use super::kinds::*;
pub use super::parts::*;
