//! The GraphQL layer: the generated AppSync SDL served as an executable schema whose resolvers
//! run the model operations on the document store under the authorization rules.

pub mod build;
pub mod custom;
pub mod engine;
pub mod js;
pub mod ops;
pub mod plan;
pub mod query_cache;
pub mod resolve;
pub mod subscribe;
pub mod validate;
pub mod write;

pub use build::{BuildError, MAX_COMPLEXITY, MAX_DEPTH};
pub use engine::{Engine, Node};
pub use plan::{FieldPlan, Plans};
