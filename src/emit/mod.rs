//! Output formats: everything dagplan prints on stdout is produced here, from the model or
//! a plan, in a canonical order.

mod block;
pub mod diff;
pub mod graph;
pub mod html;
pub mod keys_text;
pub mod layout;
pub mod plan;
pub mod plan_stream;
pub mod plan_text;
pub mod report;
pub mod run;
pub mod svg;
