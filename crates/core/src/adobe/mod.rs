//! Adobe's APIs: IMS for tokens and Flow Service for connections, specs and dataflows.

pub mod flow;
pub mod ims;
