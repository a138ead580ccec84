//! The plan: what a sandbox holds compared with a resolved manifest, object by object. A
//! connection is matched by name within its source, then by the record of an earlier apply
//! (so one renamed by hand is still found); a dataflow by name among its connection's flows,
//! then by that record. Each gets one action: create, update in place (what Flow Service
//! lets a PATCH change), replace (what it does not: a connection's sign-in method, a dataflow's
//! start time that has passed) or unchanged. What someone changed by hand since the last apply
//! is reported as drift beside the action that puts it back.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::records::AppliedConnection;
use super::resolve::{ResolvedConnection, ResolvedManifest};
use crate::dataflows::plan::{DataflowPlan, MappingRow, SchedulePlan};

/// A connection as the sandbox holds it, with what the plan compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConnection {
    pub id: String,
    pub name: String,
    pub spec_id: String,
    pub method: String,
    pub description: String,
    /// Its values that are not secret, by form field.
    pub values: BTreeMap<String, String>,
    pub flows: Vec<LiveFlow>,
    /// Its version: a change by anyone gives a new one.
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveFlow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub schedule: LiveSchedule,
    /// The mapping set and version it runs, and that version's rows.
    pub mapping: Option<(String, i64, Vec<MappingRow>)>,
    /// The mapping version its Mapping transformation names, read or not: what an apply
    /// records for it without asking again.
    pub running_version: Option<i64>,
    pub etag: String,
}

/// `scheduleParams` as read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSchedule {
    pub frequency: String,
    pub interval: Option<u32>,
    /// Seconds since the epoch.
    pub start_time: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Action {
    Create,
    Update,
    Replace,
    Unchanged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ObjectKind {
    Connection,
    Dataflow,
}

/// One object of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Planned {
    pub kind: ObjectKind,
    /// The connection's manifest key (a dataflow's is its connection's).
    pub key: String,
    pub name: String,
    pub action: Action,
    /// The object in the sandbox, when there is one.
    pub existing_id: Option<String>,
    /// What changes, one short phrase each (`schedule: every 1 hour → every 2 hours`).
    pub changes: Vec<String>,
    /// What someone changed by hand since the last apply.
    pub drift: Vec<String>,
}

/// Compares `manifest` with the sandbox's `live` connections (of the manifest's sources, with
/// their flows), given what earlier applies recorded for this sandbox; `now_s` decides
/// whether a start time has passed.
pub fn diff(
    manifest: &ResolvedManifest,
    live: &[LiveConnection],
    applied: &[AppliedConnection],
    now_s: i64,
) -> Vec<Planned> {
    let mut planned = Vec::new();
    for wanted in &manifest.connections {
        let record = applied.iter().find(|a| a.key == wanted.key);
        let found = live
            .iter()
            .find(|c| c.spec_id.eq_ignore_ascii_case(&wanted.source) && c.name == wanted.name)
            .or_else(|| record.and_then(|r| live.iter().find(|c| c.id == r.connection_id)));
        let Some(found) = found else {
            planned.push(item(
                ObjectKind::Connection,
                wanted,
                &wanted.name,
                Action::Create,
                None,
                Vec::new(),
                Vec::new(),
            ));
            for flow in &wanted.dataflows {
                planned.push(item(
                    ObjectKind::Dataflow,
                    wanted,
                    &flow.name,
                    Action::Create,
                    None,
                    Vec::new(),
                    Vec::new(),
                ));
            }
            continue;
        };
        let (action, changes, drift) = compare_connection(wanted, found);
        planned.push(item(
            ObjectKind::Connection,
            wanted,
            &wanted.name,
            action,
            Some(found.id.clone()),
            changes,
            drift,
        ));
        for flow in &wanted.dataflows {
            let recorded = record.and_then(|r| r.flows.iter().find(|f| f.name == flow.name));
            let live_flow = found
                .flows
                .iter()
                .find(|f| f.name == flow.name)
                .or_else(|| recorded.and_then(|r| found.flows.iter().find(|f| f.id == r.flow_id)));
            match live_flow {
                None => planned.push(item(
                    ObjectKind::Dataflow,
                    wanted,
                    &flow.name,
                    Action::Create,
                    None,
                    Vec::new(),
                    Vec::new(),
                )),
                Some(live_flow) => {
                    let recorded_version = recorded.and_then(|r| r.mapping_version);
                    let (action, changes, drift) = compare_flow(flow, live_flow, recorded_version, now_s);
                    planned.push(item(
                        ObjectKind::Dataflow,
                        wanted,
                        &flow.name,
                        action,
                        Some(live_flow.id.clone()),
                        changes,
                        drift,
                    ));
                }
            }
        }
    }
    planned
}

fn item(
    kind: ObjectKind,
    connection: &ResolvedConnection,
    name: &str,
    action: Action,
    existing_id: Option<String>,
    changes: Vec<String>,
    drift: Vec<String>,
) -> Planned {
    Planned { kind, key: connection.key.clone(), name: name.to_owned(), action, existing_id, changes, drift }
}

fn compare_connection(
    wanted: &ResolvedConnection,
    live: &LiveConnection,
) -> (Action, Vec<String>, Vec<String>) {
    let mut changes = Vec::new();
    let mut drift = Vec::new();
    if live.method != wanted.method {
        // Dynamics documents it, and no source's PATCH takes another auth.specName.
        changes.push(format!("sign-in method: {} → {} (cannot change in place)", live.method, wanted.method));
        return (Action::Replace, changes, drift);
    }
    if live.name != wanted.name {
        changes.push(format!("name: “{}” → “{}”", live.name, wanted.name));
        drift.push(format!("renamed to “{}” outside the manifest", live.name));
    }
    if live.description.trim() != wanted.description.trim() {
        changes.push("description".to_owned());
    }
    let changed: Vec<&str> = wanted
        .values
        .iter()
        .filter(|(field, value)| live.values.get(*field).map(String::as_str) != Some(value.as_str()))
        .map(|(field, _)| field.as_str())
        .collect();
    if !changed.is_empty() {
        changes.push(format!("credentials ({})", changed.join(", ")));
    }
    let action = if changes.is_empty() { Action::Unchanged } else { Action::Update };
    (action, changes, drift)
}

fn compare_flow(
    wanted: &DataflowPlan,
    live: &LiveFlow,
    recorded_version: Option<i64>,
    now_s: i64,
) -> (Action, Vec<String>, Vec<String>) {
    let mut changes = Vec::new();
    let mut drift = Vec::new();
    if live.name != wanted.name {
        changes.push(format!("name: “{}” → “{}”", live.name, wanted.name));
        drift.push(format!("renamed to “{}” outside the manifest", live.name));
    }
    if !live.enabled {
        changes.push("enable".to_owned());
        drift.push("disabled outside the manifest".to_owned());
    }
    let schedule = &wanted.schedule;
    if !same_cadence(schedule, &live.schedule) {
        changes.push(format!(
            "schedule: {} → {}",
            cadence(&live.schedule.frequency, live.schedule.interval),
            cadence(&schedule.frequency, schedule.interval)
        ));
    }
    if let (Some(wanted_start), Some(live_start)) = (schedule.start_time, live.schedule.start_time) {
        if wanted_start != live_start {
            if live_start <= now_s {
                changes.push(format!("start time {live_start} → {wanted_start}: the first run has started, so the dataflow is made again"));
                return (Action::Replace, changes, drift);
            }
            changes.push(format!("start time {live_start} → {wanted_start}"));
        }
    }
    if let (Some(rows), Some((_, version, live_rows))) = (&wanted.mappings, &live.mapping) {
        if recorded_version.is_some_and(|r| r != *version) {
            drift.push(format!("mapping edited outside the manifest (version {version})"));
        }
        if !same_rows(rows, live_rows) {
            changes.push(format!("mapping: a new version after version {version}"));
        }
    }
    let action = if changes.is_empty() { Action::Unchanged } else { Action::Update };
    (action, changes, drift)
}

fn same_cadence(wanted: &SchedulePlan, live: &LiveSchedule) -> bool {
    let interval = |f: &str, i: Option<u32>| if f == "once" { None } else { Some(i.unwrap_or(1)) };
    wanted.frequency.eq_ignore_ascii_case(&live.frequency)
        && interval(&wanted.frequency, wanted.interval) == interval(&live.frequency, live.interval)
}

fn cadence(frequency: &str, interval: Option<u32>) -> String {
    match (frequency, interval.unwrap_or(1)) {
        ("once", _) => "once".to_owned(),
        (f, 1) => format!("every 1 {f}"),
        (f, n) => format!("every {n} {f}s"),
    }
}

/// The same mappings, in any order.
fn same_rows(a: &[MappingRow], b: &[MappingRow]) -> bool {
    let key = |r: &MappingRow| (r.source_type.wire(), r.source.clone(), r.destination.clone());
    let mut a: Vec<_> = a.iter().map(key).collect();
    let mut b: Vec<_> = b.iter().map(key).collect();
    a.sort();
    b.sort();
    a == b
}

/// What someone changed by hand since `applied` was applied, from what the sandbox holds now
/// (`live`: the connection, or none when it is gone), without the manifest at hand: what the
/// window marks on its connections screen.
pub fn drift_of(applied: &AppliedConnection, live: Option<&LiveConnection>) -> Vec<String> {
    let Some(live) = live else { return vec!["deleted outside the manifest".to_owned()] };
    let mut drift = Vec::new();
    let shape = &applied.shape;
    if !shape.name.is_empty() && live.name != shape.name {
        drift.push(format!("renamed to “{}”", live.name));
    }
    if !shape.method.is_empty() && live.method != shape.method {
        drift.push(format!("signs in with “{}” now", live.method));
    }
    let changed: Vec<&str> = shape
        .values
        .iter()
        .filter(|(field, value)| live.values.get(*field).is_some_and(|now| now != *value))
        .map(|(field, _)| field.as_str())
        .collect();
    if !changed.is_empty() {
        drift.push(format!("credentials changed ({})", changed.join(", ")));
    }
    for flow in &applied.flows {
        let Some(now) = live.flows.iter().find(|f| f.id == flow.flow_id) else {
            drift.push(format!("dataflow “{}” deleted", flow.name));
            continue;
        };
        if now.name != flow.name {
            drift.push(format!("dataflow “{}” renamed to “{}”", flow.name, now.name));
        }
        if !now.enabled {
            drift.push(format!("dataflow “{}” disabled", flow.name));
        }
        if !flow.frequency.is_empty()
            && (now.schedule.frequency != flow.frequency || now.schedule.interval != flow.interval)
        {
            drift.push(format!("dataflow “{}” rescheduled", flow.name));
        }
        if let (Some(version), Some((_, now_version, _))) = (flow.mapping_version, &now.mapping) {
            if version != *now_version {
                drift.push(format!("dataflow “{}” mapping edited", flow.name));
            }
        }
    }
    drift
}

/// What the plan was made against: the versions (etags) of the objects it compared. A saved
/// plan is applied only while the sandbox still gives the same.
pub fn state_fingerprint(live: &[LiveConnection]) -> String {
    let mut versions: Vec<String> = live
        .iter()
        .flat_map(|c| {
            std::iter::once(format!("{}:{}", c.id, c.etag))
                .chain(c.flows.iter().map(|f| format!("{}:{}", f.id, f.etag)))
        })
        .collect();
    versions.sort();
    super::records::fingerprint(&versions.join(","))
}

/// Whether applying the plan would change anything.
pub fn changes_anything(planned: &[Planned]) -> bool {
    planned.iter().any(|p| p.action != Action::Unchanged)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, resolve, AppliedFlow};
    use super::*;

    const NOW: i64 = 1_796_342_400;
    const MANIFEST: &str = r#"
version: 1
environments: { stage: { sandbox: stage } }
connections:
  - name: ServiceNow tickets
    source: eb13cb25-47ab-407f-ba89-c0125281c563
    method: Basic Authentication
    values: { endpoint: "https://acme.service-now.com", username: svc }
    secrets: { password: env:SN_PASSWORD }
    dataflows:
      - name: Incidents
        source: { kind: table, path: incident, columns: [{ name: number, type: string }] }
        target: { kind: existing, datasetId: ds1 }
        mappings: [{ source: number, destination: _acme.number }]
        schedule: { frequency: hour, interval: 1 }
"#;

    fn resolved(text: &str) -> ResolvedManifest {
        resolve(&parse(text).expect("parsed"), "stage", |_| Some(vec!["password".to_owned()]))
            .expect("resolved")
    }

    fn live_flow(name: &str, interval: u32, enabled: bool, rows: &[(&str, &str)]) -> LiveFlow {
        let rows = rows
            .iter()
            .map(|(s, d)| MappingRow {
                source_type: Default::default(),
                source: (*s).into(),
                destination: (*d).into(),
            })
            .collect();
        LiveFlow {
            id: "flow-1".into(),
            name: name.into(),
            enabled,
            schedule: LiveSchedule {
                frequency: "hour".into(),
                interval: Some(interval),
                start_time: Some(NOW - 60),
            },
            mapping: Some(("set-1".into(), 0, rows)),
            running_version: Some(0),
            etag: "\"1\"".into(),
        }
    }

    fn live(name: &str, method: &str, flows: Vec<LiveFlow>) -> LiveConnection {
        LiveConnection {
            id: "conn-1".into(),
            name: name.into(),
            spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
            method: method.into(),
            description: String::new(),
            values: [("endpoint", "https://acme.service-now.com"), ("username", "svc")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            flows,
            etag: "\"1\"".into(),
        }
    }

    fn actions(planned: &[Planned]) -> Vec<(ObjectKind, Action)> {
        planned.iter().map(|p| (p.kind, p.action)).collect()
    }

    #[test]
    fn an_empty_sandbox_gets_everything_created_and_a_matching_one_nothing() {
        let manifest = resolved(MANIFEST);
        let planned = diff(&manifest, &[], &[], NOW);
        assert_eq!(
            actions(&planned),
            [(ObjectKind::Connection, Action::Create), (ObjectKind::Dataflow, Action::Create)]
        );
        assert!(changes_anything(&planned));
        let same = live(
            "ServiceNow tickets",
            "Basic Authentication",
            vec![live_flow("Incidents", 1, true, &[("number", "_acme.number")])],
        );
        let planned = diff(&manifest, &[same], &[], NOW);
        assert_eq!(
            actions(&planned),
            [(ObjectKind::Connection, Action::Unchanged), (ObjectKind::Dataflow, Action::Unchanged)]
        );
        assert!(!changes_anything(&planned));
    }

    #[test]
    fn a_schedule_and_a_mapping_change_in_place_and_a_method_is_replaced() {
        let manifest = resolved(&MANIFEST.replace("interval: 1", "interval: 2"));
        let found = live(
            "ServiceNow tickets",
            "Basic Authentication",
            vec![live_flow("Incidents", 1, true, &[("number", "_acme.id")])],
        );
        let planned = diff(&manifest, &[found], &[], NOW);
        assert_eq!(planned[1].action, Action::Update);
        assert_eq!(
            planned[1].changes,
            ["schedule: every 1 hour → every 2 hours", "mapping: a new version after version 0"]
        );
        let other_method = live("ServiceNow tickets", "OAuth 2", vec![]);
        let planned = diff(&resolved(MANIFEST), &[other_method], &[], NOW);
        assert_eq!(planned[0].action, Action::Replace);
        // A start time that has passed cannot change: the dataflow is made again.
        let later = resolved(
            &MANIFEST.replace("interval: 1 }", &format!("interval: 1, startTime: {} }}", NOW + 3600)),
        );
        let found = live(
            "ServiceNow tickets",
            "Basic Authentication",
            vec![live_flow("Incidents", 1, true, &[("number", "_acme.number")])],
        );
        assert_eq!(diff(&later, &[found], &[], NOW)[1].action, Action::Replace);
    }

    #[test]
    fn what_was_changed_by_hand_since_the_apply_is_drift() {
        let manifest = resolved(MANIFEST);
        let applied = AppliedConnection {
            org_id: "org".into(),
            sandbox: "stage".into(),
            key: "ServiceNow tickets".into(),
            connection_id: "conn-1".into(),
            flows: vec![AppliedFlow {
                name: "Incidents".into(),
                flow_id: "flow-1".into(),
                mapping_version: Some(0),
                rows: None,
                frequency: "hour".into(),
                interval: Some(1),
            }],
            shape: super::super::AppliedShape {
                spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
                name: "ServiceNow tickets".into(),
                method: "Basic Authentication".into(),
                values: [("username".to_owned(), "svc".to_owned())].into_iter().collect(),
            },
        };
        let mut edited = live_flow("Incidents (old)", 1, false, &[("number", "_acme.number")]);
        edited.mapping = Some((
            "set-1".into(),
            1,
            vec![MappingRow {
                source_type: Default::default(),
                source: "number".into(),
                destination: "_acme.other".into(),
            }],
        ));
        let renamed = live("Tickets", "Basic Authentication", vec![edited]);
        let planned = diff(&manifest, std::slice::from_ref(&renamed), std::slice::from_ref(&applied), NOW);
        assert_eq!(
            actions(&planned),
            [(ObjectKind::Connection, Action::Update), (ObjectKind::Dataflow, Action::Update)]
        );
        assert_eq!(planned[0].drift, ["renamed to “Tickets” outside the manifest"]);
        assert_eq!(
            planned[1].drift,
            [
                "renamed to “Incidents (old)” outside the manifest",
                "disabled outside the manifest",
                "mapping edited outside the manifest (version 1)"
            ]
        );
        // The same, from the record alone, as the connections screen marks it.
        assert_eq!(
            drift_of(&applied, Some(&renamed)),
            [
                "renamed to “Tickets”",
                "dataflow “Incidents” renamed to “Incidents (old)”",
                "dataflow “Incidents” disabled",
                "dataflow “Incidents” mapping edited"
            ]
        );
        assert_eq!(drift_of(&applied, None), ["deleted outside the manifest"]);
    }
}
