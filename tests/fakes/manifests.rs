//! Manifests for the promotion suites and benchmark: connections named as
//! [`FakePlatform::seed_connections`](crate::FakePlatform::seed_connections) names them, each
//! with two dataflows as [`FakePlatform::add_flows`](crate::FakePlatform::add_flows) makes them,
//! so a plan against a seeded sandbox matches every object.

use std::fmt::Write as _;

/// ServiceNow, the source the fake seeds.
pub const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";

/// `count` ServiceNow connections `Seeded 0001`…, each with `Dataflow 1` and `Dataflow 2`, for
/// the environment `prod`.
pub fn seeded(count: usize) -> String {
    let mut text = String::from("version: 1\nenvironments: { prod: { sandbox: prod } }\nconnections:\n");
    for i in 1..=count {
        let _ = write!(
            text,
            "  - name: Seeded {i:04}\n    source: {SERVICENOW}\n    method: Basic Authentication\n    secrets: {{ password: env:SN_PASSWORD }}\n    dataflows:\n"
        );
        for flow in 1..=2 {
            let _ = write!(
                text,
                "      - name: Dataflow {flow}\n        source: {{ kind: table, path: sales.table_{flow}, columns: [{{ name: id, type: string }}] }}\n        target: {{ kind: existing, datasetId: Loyalty members }}\n        schedule: {{ frequency: minute, interval: 15 }}\n"
            );
        }
    }
    text
}
