//! `defineFunction` as data. (Filled in by the loader work.)
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FunctionSpec {}
