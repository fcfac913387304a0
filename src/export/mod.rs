//! Handing a plan to another orchestrator: Argo Workflows (`argo`) and Airflow 3 (`airflow`),
//! both from one list of tasks (`tasks`), downstream of the plan document; nothing reads them.
//! `dagster` writes the pipeline itself (not a plan) as a Dagster code location.
//! Planning is `crate::plan`'s, substituting commands the executor's (`crate::run`).

pub mod airflow;
pub mod argo;
pub mod dagster;
pub mod tasks;
pub mod yaml;

pub use tasks::{tasks, Command, Task, Tasks};
