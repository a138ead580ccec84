//! Two holders of one data folder (and two real processes): rewrites, newer files, locks per file, modes, migrations.
//!
//! The app and flow-connect-cli share the data folder: here two `Operations` (or two books) over
//! one folder stand for them, and the built CLI binary is the second process where only a real
//! one shows the behaviour. Files are real, in a folder of the test's own; the keychain is the
//! private session's (`fakes::TestStore`), memory outside it.
//!
//! One binary, a module per subject: rewrites, modes, keychain locks, migration.

use std::path::{Path, PathBuf};

use fakes::Scratch;
use flow_connect_core::catalog::FormValues;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::{Operations, ProfileListRequest};
use flow_connect_core::profiles::ProfileDraft;
use flow_connect_core::store::origins::Origin;

mod keychain_locks;
mod migration;
#[cfg(unix)]
mod modes;
mod rewrites;

/// One data folder and the keychain service name both holders use.
struct Folder {
    scratch: Scratch,
    service: String,
}

impl Folder {
    fn new(what: &str) -> Self {
        let service = format!("io.flowconnect.test.{}", uuid::Uuid::new_v4());
        Self { scratch: Scratch::new(what), service }
    }

    fn dir(&self) -> &Path {
        &self.scratch.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.scratch.dir.join(name)
    }

    /// A process's view of the folder: the app, or one flow-connect-cli run.
    fn open(&self) -> (Operations, Vec<String>) {
        Operations::open(Endpoints::default(), &self.service, self.dir()).expect("opened")
    }

    /// Replaces `name` as another process would: a new file, renamed into place.
    fn rewrite(&self, name: &str, bytes: &[u8]) {
        let next = self.path(&format!(".{name}.other"));
        std::fs::write(&next, bytes).expect("written");
        std::fs::rename(&next, self.path(name)).expect("renamed");
    }

    /// Whether anything in the folder was set aside.
    fn set_aside(&self) -> Vec<String> {
        std::fs::read_dir(self.dir())
            .expect("folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".unreadable-"))
            .collect()
    }
}

/// A profile without secrets: saving it makes no keychain call.
fn plain_draft(name: &str) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("endpoint".into(), "https://acme.service-now.com".into());
    ProfileDraft {
        id: None,
        name: name.into(),
        spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
        spec_name: "Basic Authentication".into(),
        source_name: "ServiceNow".into(),
        connection_name: format!("{name} connection"),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    }
}

fn origin(id: &str) -> Origin {
    Origin {
        connection_id: id.into(),
        account_id: "a".into(),
        sandbox: "prod".into(),
        spec_id: "s".into(),
        profile_id: None,
        profile_name: None,
        created_at: 1,
        refresh_token: None,
        signed: None,
        secret_expires_at: None,
        minted: None,
    }
}

async fn names(services: &Operations) -> Vec<String> {
    services
        .profiles()
        .list(&ProfileListRequest::default())
        .await
        .profiles
        .into_iter()
        .map(|p| p.name)
        .collect()
}
