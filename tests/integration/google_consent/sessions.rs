//! A whole consent session: ended by the browser or by a paste, with a Web client's registered
//! address, and with its port (or its IPv6 twin) held by another program.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::oauth::google::{begin, ConsentError, ListenerError, LoopbackHost, RedirectSetting};
use url::Url;

use super::{browse, setup};

#[tokio::test]
async fn a_whole_session_ends_with_the_browser_or_with_a_paste() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let http = http_client(Duration::from_secs(5));

    // The browser's redirect reaches the listener.
    let (handle, run) = begin(setup(&google, &config, RedirectSetting::AnyPort)).await.expect("begun");
    let port = Url::parse(handle.redirect_uri()).expect("uri").port().expect("port");
    let http_for_run = http.clone();
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http_for_run).await });
    browse(handle.url()).await;
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    assert_eq!(tokens.expires_in, Some(Duration::from_secs(3599)));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed");

    // A paste from another sign-in is refused and the wait goes on; this flow's paste ends it.
    let (handle, run) = begin(setup(&google, &config, RedirectSetting::AnyPort)).await.expect("begun");
    let http_for_run = http.clone();
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http_for_run).await });
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(handle.url().clone()).send().await.expect("consent page");
    let location = Url::parse(consent.headers()["location"].to_str().expect("location")).expect("url");
    let mut stale = location.clone();
    stale.set_query(Some("state=someone-else&code=4/0stale"));
    assert_eq!(handle.paste(stale.as_str()), Err(ConsentError::StateMismatch));
    assert_eq!(handle.paste("   "), Err(ConsentError::NothingPasted));
    assert!(!running.is_finished());
    handle.paste(location.as_str()).expect("accepted");
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
}

#[tokio::test]
async fn a_web_client_sends_its_registered_uri_and_cancel_ends_the_session() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("probe").local_addr().expect("addr").port();
    let uri = format!("http://localhost:{port}/callback");
    let redirect = RedirectSetting::Fixed {
        host: LoopbackHost::Localhost,
        port,
        path: "/callback".into(),
        uri: uri.clone(),
    };
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun");
    assert_eq!(handle.redirect_uri(), uri);
    let sent = handle.url().query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned());
    assert_eq!(sent.as_deref(), Some(uri.as_str()));
    let http = http_client(Duration::from_secs(5));
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http).await });
    handle.cancel();
    let err = running.await.expect("joined").expect_err("cancelled");
    assert_eq!(err, ConsentError::Listener(ListenerError::Cancelled));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed");
}

#[tokio::test]
async fn with_the_registered_port_taken_the_consent_opens_and_a_pasted_address_completes_it() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    // Another program holds the registered port, as port 80 is out of a normal user's reach.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let uri = format!("http://127.0.0.1:{port}/");
    let redirect =
        RedirectSetting::Fixed { host: LoopbackHost::V4, port, path: "/".into(), uri: uri.clone() };
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun without a listener");
    assert!(matches!(handle.not_listening(), Some(ListenerError::Bind { .. })));
    let http = http_client(Duration::from_secs(5));
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http).await });

    // The browser consents; Google redirects to the taken port, where nothing of ours answers,
    // so the user copies the address from the address bar.
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(handle.url().clone()).send().await.expect("consent page");
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    assert!(location.starts_with(&uri), "{location}");
    handle.paste(&location).expect("accepted");
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    drop(taken);
}

#[tokio::test]
async fn a_localhost_redirect_whose_ipv6_port_another_program_holds_goes_on_with_a_paste() {
    let Ok(other) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("this machine has no IPv6 loopback; nothing to check");
        return;
    };
    let port = other.local_addr().expect("addr").port();
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let uri = format!("http://localhost:{port}/cb");
    let redirect = RedirectSetting::registered(&uri).expect("a Web client's loopback URI");
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun");
    let why = handle.not_listening().expect("nothing listens where another program might get the code");
    assert!(why.to_string().contains("[::1]"), "{why}");
    assert_eq!(handle.redirect_uri(), uri);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "127.0.0.1 is not half-listened on");
    drop((handle, run, other));
}
