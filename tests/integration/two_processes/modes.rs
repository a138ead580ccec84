//! The data folder and its files stay the user's alone, across rewrites.

use std::path::Path;

use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::{Operations, RenameProfileRequest};
use flow_connect_core::store::origins::Origins;

use super::{origin, plain_draft, Folder};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_files_are_the_user_s_alone_across_rewrites() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let folder = Folder::new("two-modes");
    let data = folder.path("io.flowconnect.desktop");
    let (app, _) = Operations::open(Endpoints::default(), &folder.service, &data).expect("opened");
    assert_eq!(mode(&data), 0o700, "the data folder made on the first start");
    let saved = app.profiles().save(plain_draft("Private")).await.map(|saved| saved.profile).expect("saved");
    let (origins, _) = Origins::open(data.join("connection-origins.json"));
    origins.record(origin("c1")).await.expect("recorded");
    for name in ["profiles.json", "connection-origins.json", ".profiles.json.lock"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    std::fs::set_permissions(data.join("profiles.json"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    app.profiles()
        .rename(&RenameProfileRequest { id: saved.id.clone(), name: "Still private".into() })
        .await
        .expect("renamed");
    assert_eq!(mode(&data.join("profiles.json")), 0o600, "a rewrite keeps the file private");
}
