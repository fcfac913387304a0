//! Engine clients: hand a reviewed plan to an orchestrator that runs it, and read what it did
//! back into the state file. Downstream of the plan: they read plan documents, the model and
//! the state, and nothing in dagplan reads them.

pub mod dagster;
