//! What the seam's modules share: one process's doors over a data folder and a keychain
//! service of the test's own, with Adobe's endpoints on the fake.

use fakes::{FakePlatform, Scratch, TestStore};
use flow_connect_core::config::{Endpoints, IMS_URL_VAR, PLATFORM_URL_VAR};
use flow_connect_core::operations::Operations;

/// The doors of one process, and what a test reads behind them.
pub struct Opened {
    pub ops: Operations,
    pub scratch: Scratch,
    /// The same keychain entries, read as another program would.
    pub keychain: TestStore,
}

/// Opens a new process's doors; a new folder has nothing to tell the user.
pub fn open(fake: &FakePlatform, what: &str) -> Opened {
    let scratch = Scratch::new(what);
    let service = format!("io.flowconnect.test.seam.{}", uuid::Uuid::new_v4());
    let url = fake.url();
    let endpoints =
        Endpoints::from_lookup(|var| [PLATFORM_URL_VAR, IMS_URL_VAR].contains(&var).then(|| url.clone()))
            .expect("loopback endpoints are accepted");
    let (ops, notices) = Operations::open(endpoints, &service, &scratch.dir).expect("opened");
    assert!(notices.is_empty(), "a new folder has nothing to say: {notices:?}");
    Opened { ops, scratch, keychain: TestStore::new(service) }
}
