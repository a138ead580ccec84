//! One process's doors with an account signed in, Adobe on the fake, and the plans the tests
//! make: a BigQuery table into a new schema, an Oracle table into the seeded dataset.

use fakes::specs::{BIGQUERY, ORACLE};
use fakes::{FakeConfig, FakePlatform, Scratch};
use flow_connect_core::accounts::Account;
use flow_connect_core::config::{Endpoints, IMS_URL_VAR, PLATFORM_URL_VAR};
use flow_connect_core::dataflows::{
    DataflowPlan, IdentityPlan, MappingRow, PlanColumn, SchedulePlan, SourcePlan, SourceType, TargetPlan,
};
use flow_connect_core::operations::{Operations, PlanRequest, SaveAccountRequest, TableRequest};
use flow_connect_core::Secret;
use serde_json::json;

pub const SOURCE_CONNECTIONS: &str = "/data/foundation/flowservice/sourceConnections";
pub const TARGET_CONNECTIONS: &str = "/data/foundation/flowservice/targetConnections";
pub const MAPPING_SETS: &str = "/data/foundation/conversion/mappingSets";
pub const FLOWS: &str = "/data/foundation/flowservice/flows";
pub const PROFILE_CLASS: &str = "https://ns.adobe.com/xdm/context/profile";

pub struct World {
    pub fake: FakePlatform,
    pub ops: Operations,
    pub account_id: String,
    /// BigQuery and Oracle connections named alike in `prod` and `dev-marketing`.
    pub bigquery: String,
    pub oracle: String,
    pub bigquery_dev: String,
    _scratch: Scratch,
}

impl World {
    pub async fn open() -> Self {
        fakes::require_private_keyring();
        let fake = FakePlatform::start(FakeConfig { run_ms: 1_500, ..FakeConfig::default() })
            .await
            .expect("the fake starts");
        let scratch = Scratch::new("dataflows");
        let url = fake.url();
        let endpoints =
            Endpoints::from_lookup(|var| [PLATFORM_URL_VAR, IMS_URL_VAR].contains(&var).then(|| url.clone()))
                .expect("loopback endpoints");
        let service = format!("io.flowconnect.test.dataflows.{}", uuid::Uuid::new_v4());
        let (ops, _) = Operations::open(endpoints, &service, &scratch.dir).expect("opened");
        let config = fake.config();
        let account: Account = serde_json::from_value(json!({
            "id": "", "displayName": "Acme", "orgId": config.org_id, "clientId": config.client_id,
            "defaultSandbox": "prod",
        }))
        .expect("account");
        let request = SaveAccountRequest { account, client_secret: Some(Secret::new(config.client_secret)) };
        let account_id = ops.accounts().save(request).await.expect("account saved").id;
        let bigquery = fake.seed_named(BIGQUERY, "prod", &["BigQuery sales"]).remove(0);
        let oracle = fake.seed_named(ORACLE, "prod", &["Oracle CRM"]).remove(0);
        let bigquery_dev = fake.seed_named(BIGQUERY, "dev-marketing", &["BigQuery sales"]).remove(0);
        Self { fake, ops, account_id, bigquery, oracle, bigquery_dev, _scratch: scratch }
    }

    /// The table's columns as explore gives them: what the wizard starts from.
    pub async fn columns(&self, connection_id: &str, path: &str) -> Vec<PlanColumn> {
        let request = TableRequest {
            account_id: self.account_id.clone(),
            sandbox: "prod".into(),
            connection_id: connection_id.into(),
            path: path.into(),
            preview: false,
            file_type: None,
        };
        let table = self.ops.lifecycle().table_details(&request).await.expect("explored");
        table
            .columns
            .into_iter()
            .map(|c| PlanColumn { name: c.name, column_type: c.column_type, xdm_type: c.xdm_type })
            .collect()
    }

    pub fn request(&self, sandbox: &str, plan: DataflowPlan) -> PlanRequest {
        PlanRequest { account_id: self.account_id.clone(), sandbox: sandbox.into(), plan, creation_id: None }
    }

    /// Every write so far (POST, PUT, PATCH, DELETE), validation and preview calls aside.
    pub fn writes(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE"))
            .filter(|r| {
                !r.path.ends_with("/validate") && !r.path.ends_with("/preview") && !r.path.contains("/ims/")
            })
            .count()
    }
}

/// Fails when any file under the data folder, at any depth, holds one of `needles`: rows of
/// the user's data are shown, never written.
pub fn assert_not_on_disk(world: &World, needles: &[&str]) {
    let mut folders = vec![world.ops.data_dir().to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the data folder reads").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            for needle in needles {
                assert!(!text.contains(needle), "“{needle}” was written to {}", path.display());
            }
        }
    }
}

/// `sales.customers` of a BigQuery connection into a new schema on the profile class, with
/// the email as the primary identity and Profile enabled, every hour.
pub fn bigquery_plan(connection: &str, columns: Vec<PlanColumn>) -> DataflowPlan {
    DataflowPlan {
        name: "Customers hourly".into(),
        description: "Customers from BigQuery".into(),
        connection_id: connection.into(),
        source: SourcePlan::Table { path: "sales.customers".into(), columns },
        target: TargetPlan::New {
            dataset_name: "Customers".into(),
            schema_title: "Customers from BigQuery".into(),
            class_id: PROFILE_CLASS.into(),
            identity: Some(IdentityPlan { column: "email".into(), namespace: "Email".into() }),
            profile: true,
            profile_confirmed: true,
        },
        mappings: None,
        flow_spec_id: None,
        schedule: SchedulePlan {
            frequency: "hour".into(),
            interval: Some(1),
            start_time: None,
            backfill: Some(true),
        },
        delta_column: Some("signed_up".into()),
        error_diagnostics: true,
        partial_ingestion_percent: None,
    }
}

/// `sales.orders` of an Oracle connection into the seeded `Loyalty members` dataset (named,
/// not by id), with two mappings written by hand.
pub fn oracle_plan(connection: &str, columns: Vec<PlanColumn>) -> DataflowPlan {
    let row = |source: &str, destination: &str| MappingRow {
        source_type: SourceType::Attribute,
        source: source.into(),
        destination: destination.into(),
    };
    DataflowPlan {
        name: "Orders into loyalty".into(),
        description: String::new(),
        connection_id: connection.into(),
        source: SourcePlan::Table { path: "sales.orders".into(), columns },
        target: TargetPlan::Existing { dataset_id: "Loyalty members".into() },
        mappings: Some(vec![
            row("id", "_acmecorp.loyalty.memberId"),
            row("region", "_acmecorp.loyalty.tier"),
            row("email", "personalEmail.address"),
            row("lifetime_value", "_acmecorp.loyalty.points"),
        ]),
        flow_spec_id: None,
        schedule: SchedulePlan { frequency: "once".into(), interval: None, start_time: None, backfill: None },
        delta_column: Some("signed_up".into()),
        error_diagnostics: true,
        partial_ingestion_percent: Some(10.0),
    }
}
