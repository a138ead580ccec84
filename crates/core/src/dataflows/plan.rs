//! What a dataflow is made from: the user's choices, the same for the window's wizard and for
//! `flow-connect-cli dataflow plan --from FILE` (JSON or YAML). A plan holds names, paths and
//! column names only: no secret, and never a row of the user's data.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything a dataflow needs, as chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(export)]
pub struct DataflowPlan {
    /// The dataflow's name; the source and target connections are named after it.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The base connection read from.
    pub connection_id: String,
    pub source: SourcePlan,
    pub target: TargetPlan,
    /// The mappings as edited; left out, they are proposed from the columns and the schema.
    #[serde(default)]
    #[ts(optional)]
    pub mappings: Option<Vec<MappingRow>>,
    /// The flow spec chosen; left out, the one that fits is found (several: the user picks).
    #[serde(default)]
    #[ts(optional)]
    pub flow_spec_id: Option<String>,
    pub schedule: SchedulePlan,
    /// The column whose newer values mark new rows (table sources).
    #[serde(default)]
    #[ts(optional)]
    pub delta_column: Option<String>,
    /// Row-level error diagnostics, so failed rows can be read back; on unless turned off.
    #[serde(default = "yes")]
    pub error_diagnostics: bool,
    /// Partial ingestion: the share of failed rows (percent) a run tolerates; off when left out.
    #[serde(default)]
    #[ts(optional)]
    pub partial_ingestion_percent: Option<f64>,
}

fn yes() -> bool {
    true
}

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
#[ts(export)]
pub enum SourcePlan {
    /// A table as explore returned it, with the columns the user kept.
    Table { path: String, columns: Vec<PlanColumn> },
    /// A file or a folder of a cloud-storage source.
    Files {
        path: String,
        /// `file` or `folder`.
        #[serde(default = "folder")]
        object_type: String,
        #[serde(default)]
        recursive: bool,
        format: FileFormat,
        /// The columns the preview found, to map from.
        #[serde(default)]
        columns: Vec<PlanColumn>,
        /// The file whose rows the mapping preview shows (the path itself for a file).
        #[serde(default)]
        #[ts(optional)]
        preview_file: Option<String>,
    },
}

fn folder() -> String {
    "folder".into()
}

/// A column: its name and type as explore gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanColumn {
    pub name: String,
    /// The source's type (`string`, `integer`…).
    #[serde(rename = "type", default)]
    pub column_type: String,
    /// The XDM type explore proposes (`date-time`, `integer`…).
    #[serde(default)]
    #[ts(optional)]
    pub xdm_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FileFormat {
    /// `delimited`, `json` or `parquet`.
    pub format: String,
    #[serde(default)]
    #[ts(optional)]
    pub delimiter: Option<String>,
    /// `UTF-8` or `ISO-8859-1` (delimited files).
    #[serde(default)]
    #[ts(optional)]
    pub encoding: Option<String>,
    /// `bzip2`, `gzip`, `deflate`, `zipDeflate`, `tarGzip` or `tar`.
    #[serde(default)]
    #[ts(optional)]
    pub compression: Option<String>,
}

/// Where the rows land.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
#[ts(export)]
pub enum TargetPlan {
    /// A dataset that exists, with its schema.
    Existing { dataset_id: String },
    /// A new schema built from the columns (a field group under the tenant), and its dataset.
    New {
        dataset_name: String,
        schema_title: String,
        /// The class `$id`: a record class (such as XDM Individual Profile) or a time series.
        class_id: String,
        #[serde(default)]
        #[ts(optional)]
        identity: Option<IdentityPlan>,
        /// Enables the schema and dataset for Real-Time Customer Profile: irreversible, so it
        /// also needs `profile_confirmed`.
        #[serde(default)]
        profile: bool,
        #[serde(default)]
        profile_confirmed: bool,
    },
}

/// A primary identity: a column and its namespace (Identity Service's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityPlan {
    pub column: String,
    pub namespace: String,
}

/// One mapping: a source column, an expression or a constant, to a schema path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingRow {
    #[serde(default)]
    pub source_type: SourceType,
    pub source: String,
    /// The schema field's dot path, such as `_acme.email` or `person.name.firstName`.
    pub destination: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SourceType {
    /// A source column.
    #[default]
    Attribute,
    /// A calculated field (Data Prep's expression language).
    Expression,
    /// A constant.
    Static,
}

impl SourceType {
    pub fn wire(self) -> &'static str {
        match self {
            SourceType::Attribute => "ATTRIBUTE",
            SourceType::Expression => "EXPRESSION",
            SourceType::Static => "STATIC",
        }
    }
}

/// When it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SchedulePlan {
    /// `once`, `minute`, `hour`, `day` or `week`.
    pub frequency: String,
    /// Every this many of `frequency`; none for `once`.
    #[serde(default)]
    #[ts(optional)]
    pub interval: Option<u32>,
    /// The first run, in seconds since the Unix epoch; now when left out.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub start_time: Option<i64>,
    /// Whether the first run reads everything there is; none for `once`.
    #[serde(default)]
    #[ts(optional)]
    pub backfill: Option<bool>,
}

impl DataflowPlan {
    /// The source's columns, as the plan keeps them.
    pub fn columns(&self) -> &[PlanColumn] {
        match &self.source {
            SourcePlan::Table { columns, .. } | SourcePlan::Files { columns, .. } => columns,
        }
    }

    /// Reads a plan from a file's text: JSON, or YAML when it is not JSON.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            serde_json::from_str(text).map_err(|e| format!("{e}"))
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| format!("{e}"))
        }
    }
}

/// Mapping rows from a file's text: a JSON array, or YAML when it is not JSON.
pub fn parse_rows(text: &str) -> Result<Vec<MappingRow>, String> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str(text).map_err(|e| format!("{e}"))
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| format!("{e}"))
    }
}
