//! The steps of a launch, for `make bench`'s waterfall. Each step is logged (at debug, target
//! `flow_connect::launch`) with its wall-clock time in µs since the Unix epoch: the clock the
//! page's performance marks are on too (`performance.timeOrigin`), so the two line up. Off
//! unless that target is enabled, at the cost of one level check per step.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in µs since the Unix epoch (0 on a clock set before it).
pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
}

/// Logs that `step` was reached now.
pub fn mark(step: &'static str) {
    mark_at(step, now_us());
}

/// Logs that `step` was reached at `at_us` (for a step taken before logging was set up).
pub fn mark_at(step: &'static str, at_us: u64) {
    tracing::debug!(target: "flow_connect::launch", step, at_us, "launch step");
}
