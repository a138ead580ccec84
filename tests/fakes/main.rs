//! `fake-services [PORT]`: serves the fake Adobe IMS, Flow Service and sandbox management on
//! 127.0.0.1 (port 0 picks a free one) until interrupted, and prints its base URL on the first
//! line of standard output.

use std::io::Write;
use std::net::SocketAddr;

use fakes::{FakeConfig, FakePlatform};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port =
        std::env::args().nth(1).map(|p| p.parse::<u16>()).transpose().map_err(std::io::Error::other)?;
    let fake =
        FakePlatform::start_on(SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0))), FakeConfig::default())
            .await?;
    let config = fake.config();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", fake.url())?;
    writeln!(
        out,
        "client id: {}  client secret: {}  org: {}",
        config.client_id, config.client_secret, config.org_id
    )?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
