//! Adobe's APIs: IMS for tokens and Flow Service for connections, specs and dataflows, with one
//! error type for what any of them answers.

pub mod error;
pub mod flow;
pub mod ims;
