//! A small GraphQL SDL toolkit: an owned syntax tree, a reader built on
//! `async-graphql-parser`, and a printer that matches graphql-js `print` byte for byte.

pub mod ast;
pub mod print;
mod read;

pub use read::read_document;
