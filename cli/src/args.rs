//! The command line: every subcommand and option, with the help text people read.

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  done (a create that found the connection already there and skipped it counts as done)
  2  usage: an unknown option, or a value Flow Connect or Adobe does not accept
  3  not found: no such account, profile, source or connection
  4  rejected by Adobe: IMS refused the sign-in, or Flow Service refused the request
  5  network: Adobe, Google or the OAuth provider could not be reached
  6  keychain: the system keychain is missing, locked or not answering
  7  local files: the data folder could not be read or written
  8  consent: Google or the OAuth provider refused, or the consent was cancelled
  9  ambiguous: two or more accounts, profiles or connections have that name; give an id
 10  expiring: `credentials expiring` found a credential that ends inside the window, or
     `credentials renew --due` left one that a person (or the provider) has to renew
 11  changes: `plan` found something to create, update or replace
141  output closed: standard output or error was closed before all was written (`| head`);
     the command itself ran to its end (one that failed keeps its own code)
With several sandboxes, the exit code is that of the first that failed.

Output: tables for people on standard output, progress and errors on standard error.
--json prints one JSON document on standard output instead (field names are stable; see
the README's Scripting section). Colour only on a terminal, never when NO_COLOR is set.

Secrets are never taken as plain arguments (they would show in `ps` and the shell's
history): they come from the profile's keychain entries, from --secret FIELD=env:VAR or
--secret FIELD=file:PATH, or from a prompt that does not echo.";

#[derive(Debug, Parser)]
#[command(
    name = "flow-connect-cli",
    version,
    about = "Flow Connect from a terminal: the app's accounts, profiles and connections, scripted.",
    after_long_help = EXIT_CODES,
    after_help = "Exit codes and conventions: see --help."
)]
pub struct Cli {
    /// Print one JSON document on standard output instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// The account to use (its name or id); not needed when there is only one.
    #[arg(long, global = true, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// The account's client secret from an environment variable or a file (env:VAR or
    /// file:PATH) instead of the keychain: for a CI runner without one.
    #[arg(long, global = true, value_name = "env:VAR|file:PATH")]
    pub account_secret: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Adobe accounts (OAuth Server-to-Server credentials) Flow Connect signs in with.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// The sandboxes of the account.
    #[command(subcommand)]
    Sandboxes(SandboxesCommand),
    /// The sources Experience Platform offers, as last fetched (see `sources refresh`).
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Saved connection profiles, shared with the app.
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Creates a profile's connection in one or more sandboxes.
    Create(CreateArgs),
    /// Connections in a sandbox: list, test, rename, delete, explore, health.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// Sends new credentials to a connection, from a profile.
    Renew(RenewArgs),
    /// Dataflows from a connection into the data lake: plan, create, resume, undo, list, show,
    /// runs, enable, disable, delete.
    #[command(subcommand)]
    Dataflow(DataflowCommand),
    /// Google's or a REST API's OAuth consent for a profile; the tokens go to the keychain.
    Consent(ConsentArgs),
    /// What will stop working and when: credentials that expire.
    #[command(subcommand)]
    Credentials(CredentialsCommand),
    /// Writes a sandbox's connections and their dataflows as a manifest, without secrets:
    /// each is a reference to the profile it came from, or an env: placeholder.
    Export(ExportArgs),
    /// Compares a manifest with each sandbox named and prints what apply would create, update
    /// in place, replace or leave; exits 11 when anything would change.
    Plan(PromotionArgs),
    /// Makes each sandbox named match a manifest: creates, updates in place, replaces (with
    /// --allow-replace), records each step so a second run resumes, tests each changed
    /// connection. One sandbox failing does not stop the others.
    Apply(PromotionArgs),
    /// Prints a shell completion script (bash or zsh).
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub sandbox: String,
    /// Only these connections (names or ids); repeat for several. All when left out.
    #[arg(long = "connection", value_name = "NAME")]
    pub connections: Vec<String>,
    /// Where to write the manifest; standard output when left out.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct PromotionArgs {
    /// The manifest (YAML or JSON).
    pub file: std::path::PathBuf,
    /// An environment of the manifest, by its name or its sandbox; repeat for several.
    #[arg(long = "sandbox", value_name = "ENV|SANDBOX", required = true)]
    pub sandboxes: Vec<String>,
    /// The IMS org to sign in to instead of each environment's (an account here must).
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Make again what cannot change in place (apply only).
    #[arg(long)]
    pub allow_replace: bool,
    /// Save the plan to this file (plan only), for `apply --plan`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Apply only what this saved plan found, refusing a sandbox that changed since (apply
    /// only).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<std::path::PathBuf>,
    /// For a `{consent: true}` secret (apply only): print the consent page's address instead
    /// of opening a browser, then read the address the browser ended on from standard input.
    #[arg(long)]
    pub no_browser: bool,
}

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Lists the credentials of connections made or renewed here that end within the window
    /// (or have ended), soonest first, and exits 10 when there is any: for a CI job or cron.
    Expiring {
        /// How far ahead to look: days, hours or minutes, such as 14d, 48h or 90m.
        #[arg(long, default_value = "14d", value_parser = parse_window)]
        within: Window,
    },
    /// Renews what ends within the window and needs no person (a JWT signed again with the
    /// key kept in the keychain), each sent with If-Match and tested; lists what a person has
    /// to renew with the command to run. Exits 10 when any is left, the failure's code when
    /// a renewal failed.
    Renew {
        /// Renew what is due: required, so a bare `renew` never touches anything by surprise.
        #[arg(long, required = true)]
        due: bool,
        /// How far ahead counts as due.
        #[arg(long, default_value = "14d", value_parser = parse_window)]
        within: Window,
    },
}

/// A look-ahead, as given and in milliseconds.
#[derive(Debug, Clone)]
pub struct Window {
    pub text: String,
    pub ms: i64,
}

fn parse_window(text: &str) -> Result<Window, String> {
    let text = text.trim();
    let refused = || format!("“{text}” is not a window such as 14d, 48h or 90m");
    let unit = match text.chars().last() {
        Some('d') => 86_400_000,
        Some('h') => 3_600_000,
        Some('m') => 60_000,
        _ => return Err(refused()),
    };
    let count: i64 = text[..text.len() - 1].parse().map_err(|_| refused())?;
    // Ten years at most: a window past that is a typo, not a plan.
    if !(0..=3_650 * 86_400_000).contains(&count.saturating_mul(unit)) {
        return Err(refused());
    }
    Ok(Window { text: text.to_owned(), ms: count * unit })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Lists the accounts.
    List,
    /// Adds an account; its client secret is asked for, or read from --client-secret.
    Add(AccountAddArgs),
    /// Removes an account and its keychain entry.
    Remove {
        /// The account's name or id.
        account: String,
    },
    /// Signs in and lists the sandboxes the account may use.
    SignIn,
}

#[derive(Debug, Args)]
pub struct AccountAddArgs {
    /// A name to tell the account by, such as "Acme production".
    #[arg(long)]
    pub name: String,
    /// The IMS organization ID (…@AdobeOrg).
    #[arg(long)]
    pub org_id: String,
    /// The credential's client ID (API key).
    #[arg(long)]
    pub client_id: String,
    /// The credential's client secret: env:VAR or file:PATH; asked for when left out.
    #[arg(long, value_name = "env:VAR|file:PATH")]
    pub client_secret: Option<String>,
    /// The scopes to ask IMS for; the Experience Platform defaults when left out.
    #[arg(long)]
    pub scopes: Option<String>,
    /// The sandbox to use when none is named.
    #[arg(long)]
    pub default_sandbox: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SandboxesCommand {
    /// Lists the active sandboxes of the account.
    List,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Lists the sources, from the cached catalog (no request).
    List {
        /// Only sources that hold every word of this text in their name, category, spec
        /// name or id, as the app's search: "big query" finds Google BigQuery.
        #[arg(long)]
        search: Option<String>,
    },
    /// A source's sign-in methods and fields; secret fields are marked.
    Show {
        /// The source's name or connection spec id.
        source: String,
    },
    /// Fetches the org's whole catalog from Experience Platform and caches it.
    Refresh {
        /// The sandbox to read the catalog in.
        #[arg(long)]
        sandbox: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Lists the profiles, most recently used first.
    List {
        /// Only profiles whose name, source or connection name contains this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// A profile's values; secrets show only whether the keychain holds them.
    Show { profile: String },
    /// Writes profiles (all, or those named) without secrets, to share with a team.
    Export {
        /// The profiles to export; all when none is named.
        profiles: Vec<String>,
        /// The file to write; standard output when left out.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Adds the profiles of an export file; their secrets are asked for when first used.
    Import { file: std::path::PathBuf },
    /// Deletes a profile and its keychain entries.
    Delete { profile: String },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The profile to create the connection from (its name or id).
    #[arg(long)]
    pub profile: String,
    /// The sandbox to create it in; repeat for several.
    #[arg(long = "sandbox", required = true, value_name = "SANDBOX")]
    pub sandboxes: Vec<String>,
    /// The connection's name; the profile's when left out.
    #[arg(long)]
    pub name: Option<String>,
    /// Prints the request as a curl command, secrets masked, and creates nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Creates the connection even where one of this source with this name exists.
    #[arg(long)]
    pub force: bool,
    /// First tries a client-credentials sign-in (Salesforce's OAuth2 Client Credential, SAP
    /// Commerce, PayPal, Dynamics' service principal) at its own provider, and creates nothing
    /// when the provider refuses it.
    #[arg(long)]
    pub check: bool,
    /// The Entra tenant (ID or domain) a Dynamics service principal is checked in; used by
    /// --check only, never sent to Adobe.
    #[arg(long, requires = "check")]
    pub tenant: Option<String>,
    #[command(flatten)]
    pub secrets: SecretOptions,
}

#[derive(Debug, Args, Clone, Default)]
pub struct SecretOptions {
    /// A secret field's value from an environment variable or a file, not the keychain:
    /// FIELD=env:VAR or FIELD=file:PATH. Repeat for several fields.
    /// Read as text and checked by `secrets::read_all`: a parse error from the argument
    /// parser would quote the value, which may be the secret itself.
    #[arg(long = "secret", value_name = "FIELD=env:VAR|FIELD=file:PATH")]
    pub secrets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// Lists the connections of a sandbox.
    List {
        #[arg(long)]
        sandbox: Option<String>,
        /// Only connections of this source (name or connection spec id).
        #[arg(long)]
        source: Option<String>,
    },
    /// Tests a connection's credentials.
    Test(ConnectionTarget),
    /// Renames a connection.
    Rename {
        #[command(flatten)]
        target: ConnectionTarget,
        /// The new name.
        #[arg(long = "to")]
        new_name: String,
    },
    /// Deletes a connection (Adobe refuses while dataflows use it).
    Delete(ConnectionTarget),
    /// Lists what the connection's source holds: tables, folders or files.
    Explore {
        #[command(flatten)]
        target: ConnectionTarget,
        /// A folder or table path to look into; the root when left out.
        #[arg(long)]
        path: Option<String>,
        /// Also show the table's columns and first rows (with --path).
        #[arg(long)]
        preview: bool,
    },
    /// The connection's dataflows and their last runs.
    Health(ConnectionTarget),
}

#[derive(Debug, Subcommand)]
pub enum DataflowCommand {
    /// Checks a plan file against the sandbox and prints what would be made, with the mapping
    /// previewed on the table's rows. Makes nothing.
    Plan(PlanArgs),
    /// Makes the plan's dataflow, reporting each object on standard error and the ids on
    /// standard output. A second run of the same plan in the same sandbox finds the first and
    /// makes nothing; one that stopped half way goes on where it stopped.
    Create(PlanArgs),
    /// Goes on with a creation that failed, making only what is missing.
    Resume(CreationArgs),
    /// Deletes what a creation made, the dataflow first.
    Undo(CreationArgs),
    /// The dataflows reading from a connection, and the creations recorded here.
    List(ConnectionTarget),
    /// One dataflow: its state, schedule, transformations and last run.
    Show(FlowArgs),
    /// A dataflow's runs, newest first, with their record counts and errors.
    Runs(FlowArgs),
    /// Turns a dataflow's schedule on.
    Enable(FlowArgs),
    /// Turns a dataflow's schedule off.
    Disable(FlowArgs),
    /// Deletes a dataflow with its source and target connections.
    Delete(FlowArgs),
    /// Renames a dataflow.
    Rename {
        #[command(flatten)]
        flow: FlowArgs,
        /// The new name.
        #[arg(long = "to")]
        name: String,
    },
    /// Changes a dataflow's schedule. A start time that has passed cannot move.
    Schedule {
        #[command(flatten)]
        flow: FlowArgs,
        /// once, minute, hour, day or week.
        #[arg(long)]
        frequency: String,
        /// Every this many (15 or more for minutes); not for once.
        #[arg(long)]
        interval: Option<u32>,
        /// A new first run, in seconds since the Unix epoch (only while the current one is
        /// still ahead).
        #[arg(long)]
        start: Option<i64>,
        #[arg(long)]
        backfill: Option<bool>,
    },
    /// Makes a new version of the dataflow's mappings from a JSON or YAML file of rows
    /// (`sourceType`, `source`, `destination`), checks it, and wires it to the dataflow.
    Remap {
        #[command(flatten)]
        flow: FlowArgs,
        #[arg(long = "from", value_name = "FILE")]
        from: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan: a JSON or YAML file (see the README's "From connection to dataflow").
    #[arg(long = "from", value_name = "FILE")]
    pub from: std::path::PathBuf,
    #[arg(long)]
    pub sandbox: Option<String>,
    /// The connection to read from (its id or exact name), instead of the file's.
    #[arg(long)]
    pub connection: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreationArgs {
    /// The creation's id, as `create` or `list` printed it.
    pub creation: String,
    #[arg(long)]
    pub sandbox: Option<String>,
}

#[derive(Debug, Args)]
pub struct FlowArgs {
    /// The dataflow's id.
    pub flow: String,
    #[arg(long)]
    pub sandbox: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConnectionTarget {
    /// The connection's id, or its exact name.
    pub connection: String,
    #[arg(long)]
    pub sandbox: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenewArgs {
    /// The connection's id, or its exact name.
    pub connection: String,
    /// The profile whose values and secrets to send.
    #[arg(long)]
    pub profile: String,
    #[arg(long)]
    pub sandbox: Option<String>,
    #[command(flatten)]
    pub secrets: SecretOptions,
}

#[derive(Debug, Args)]
pub struct ConsentArgs {
    /// The profile to get tokens for (BigQuery with Google, or a REST API with OAuth 2).
    #[arg(long)]
    pub profile: String,
    /// Prints the consent address instead of opening a browser, and reads the address the
    /// browser ended on from standard input (for a machine without a browser).
    #[arg(long)]
    pub no_browser: bool,
    /// The scopes to ask for, separated by spaces; BigQuery's by default.
    #[arg(long)]
    pub scopes: Option<String>,
    /// A REST API provider's authorization URL (its token URL is the profile's access token URL).
    #[arg(long)]
    pub authorization_url: Option<String>,
    /// A Web application client's registered redirect URI; a Desktop app client takes any port.
    #[arg(long)]
    pub redirect_uri: Option<String>,
    #[command(flatten)]
    pub secrets: SecretOptions,
}
