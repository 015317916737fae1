pub mod error;
pub mod srp;
