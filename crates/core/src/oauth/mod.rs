//! OAuth consent with the sources' own providers: Google's for BigQuery.

pub mod google;
pub mod providers;
