//! OAuth consent with the sources' own providers: Google's for BigQuery (`google`), and the
//! table of providers (`providers`) with the engine that runs consent by it (`engine`).

pub mod client_check;
pub mod client_mint;
pub mod engine;
pub mod google;
pub mod providers;
