//! dagplan: declarative, checkable partitioned pipelines.
//!
//! Data flows one way: text -> [`syntax`] (AST with spans) -> [`check`] (names, types,
//! mappings, the asset DAG) -> [`model`] (the checked pipeline) -> plan -> bytes.
//! Diagnostics flow sideways into a [`diagnostics::Diagnostics`] sink; only the binary renders them.

pub mod check;
pub mod cli;
pub mod collections;
pub mod diagnostics;
pub mod emit;
pub mod engines;
pub mod explain;
pub mod export;
pub mod mapping;
pub mod model;
pub mod partitions;
pub mod plan;
pub mod plandoc;
pub mod read;
pub mod run;
pub mod select;
pub mod source;
pub mod state;
pub mod syntax;
