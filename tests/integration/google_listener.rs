//! The consent redirect listener over real loopback sockets, with the browser played by
//! plain TCP clients and reqwest.

use std::time::Duration;

use flow_connect_core::oauth::google::{
    Callback, CallbackListener, ListenerError, LoopbackHost, MAX_CONNECTIONS,
};
use flow_connect_core::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("the listener answers");
    (response.status().as_u16(), response.text().await.expect("a body"))
}

fn wait_for(
    listener: CallbackListener,
    state: &str,
) -> impl std::future::Future<Output = Result<Callback, ListenerError>> {
    let state = state.to_owned();
    async move { listener.wait(Duration::from_secs(10), &state).await }
}

async fn port_is_closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

#[tokio::test]
async fn catches_the_code_and_closes_the_port() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let (port, uri) = (listener.port(), listener.redirect_uri());
    assert_eq!(uri, format!("http://127.0.0.1:{port}/"));
    let wait = tokio::spawn(wait_for(listener, "st4te"));

    let (status, page) = get(&format!("{uri}?state=st4te&code=4%2F0Abc&scope=bigquery")).await;
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"));

    let callback = wait.await.expect("joined").expect("a callback");
    assert_eq!(callback, Callback::Code { code: Secret::new("4/0Abc"), state: "st4te".into() });
    assert!(port_is_closed(port).await, "the port is closed once the answer is in");
}

#[tokio::test]
async fn an_idle_preconnect_socket_does_not_block_the_real_callback() {
    let listener = CallbackListener::bind(0, "/callback").await.expect("bound");
    let uri = listener.redirect_uri();
    let port = listener.port();
    let wait = tokio::spawn(wait_for(listener, "st4te"));

    // Opened first, never sends a byte: as browsers do to save time on the next request.
    let _idle = TcpStream::connect(("127.0.0.1", port)).await.expect("preconnect");
    let started = std::time::Instant::now();
    let (status, _) = get(&format!("{uri}?code=c&state=st4te")).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(2), "answered at once: {:?}", started.elapsed());
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}

#[tokio::test]
async fn other_paths_get_404_and_do_not_end_the_wait() {
    let listener = CallbackListener::bind(0, "/callback").await.expect("bound");
    let port = listener.port();
    let wait = tokio::spawn(wait_for(listener, "st4te"));

    assert_eq!(get(&format!("http://127.0.0.1:{port}/favicon.ico")).await.0, 404);
    assert_eq!(get(&format!("http://127.0.0.1:{port}/?code=wrong-path&state=st4te")).await.0, 404);
    // A raw request that is not a GET is closed without an answer.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    raw.write_all(b"POST /callback HTTP/1.1\r\nhost: x\r\n\r\n").await.expect("write");
    let mut buffer = Vec::new();
    raw.read_to_end(&mut buffer).await.expect("closed");
    assert!(buffer.is_empty());

    assert!(!wait.is_finished(), "still waiting for the real redirect");
    assert_eq!(get(&format!("http://127.0.0.1:{port}/callback?code=right&state=st4te")).await.0, 200);
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}

#[tokio::test]
async fn an_error_redirect_is_an_answer_too() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let uri = listener.redirect_uri();
    let wait = tokio::spawn(wait_for(listener, "st4te"));
    assert_eq!(get(&format!("{uri}?error=access_denied&state=st4te")).await.0, 200);
    assert_eq!(
        wait.await.expect("joined"),
        Ok(Callback::Error { error: "access_denied".into(), description: None, state: "st4te".into() })
    );
}

#[tokio::test]
async fn the_time_limit_and_cancel_both_close_the_port() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let port = listener.port();
    let result = listener.wait(Duration::from_millis(200), "s").await;
    assert_eq!(result, Err(ListenerError::TimedOut { minutes: 1 }));
    assert!(port_is_closed(port).await);

    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let port = listener.port();
    let canceller = listener.canceller();
    let wait = tokio::spawn(wait_for(listener, "s"));
    tokio::time::sleep(Duration::from_millis(50)).await;
    canceller.cancel();
    assert_eq!(wait.await.expect("joined"), Err(ListenerError::Cancelled));
    assert!(port_is_closed(port).await);
}

#[tokio::test]
async fn a_fixed_port_that_is_taken_is_explained() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let err = CallbackListener::bind(port, "/").await.expect_err("in use");
    assert!(matches!(err, ListenerError::Bind { .. }));
    assert!(err.to_string().contains("Desktop app client"));
}

#[tokio::test]
async fn a_forged_redirect_with_another_state_gets_400_and_the_real_one_still_completes() {
    let listener = CallbackListener::bind(0, "/callback").await.expect("bound");
    let uri = listener.redirect_uri();
    let wait = tokio::spawn(wait_for(listener, "the-real-state"));

    // What a web page's <img src> or another local program could send.
    let (status, page) = get(&format!("{uri}?error=access_denied&state=forged")).await;
    assert_eq!(status, 400);
    assert!(page.contains("Not this sign-in"));
    assert_eq!(get(&format!("{uri}?code=stolen&state=")).await.0, 400);
    assert_eq!(get(&format!("{uri}?code=no-state-at-all")).await.0, 400);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!wait.is_finished(), "the sign-in is still waiting");

    assert_eq!(get(&format!("{uri}?code=4%2F0real&state=the-real-state")).await.0, 200);
    assert_eq!(
        wait.await.expect("joined"),
        Ok(Callback::Code { code: Secret::new("4/0real"), state: "the-real-state".into() })
    );
}

#[tokio::test]
async fn a_localhost_redirect_is_served_on_both_loopback_addresses() {
    let listener = CallbackListener::bind_on(LoopbackHost::Localhost, 0, "/cb").await.expect("bound");
    let port = listener.port();
    let ipv6 = listener.addresses() == 2;
    let wait = tokio::spawn(wait_for(listener, "st4te"));
    assert_eq!(get(&format!("http://127.0.0.1:{port}/favicon.ico")).await.0, 404);
    if ipv6 {
        assert_eq!(get(&format!("http://[::1]:{port}/favicon.ico")).await.0, 404);
        assert_eq!(get(&format!("http://[::1]:{port}/cb?code=c6&state=st4te")).await.0, 200);
    } else {
        eprintln!("this machine has no IPv6 loopback; only 127.0.0.1 was checked");
        assert_eq!(get(&format!("http://127.0.0.1:{port}/cb?code=c6&state=st4te")).await.0, 200);
    }
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}

#[tokio::test]
async fn a_localhost_port_another_program_holds_on_ipv6_fails_the_listener() {
    // Another program listens on [::1]:PORT only; a browser that resolves localhost to ::1
    // would hand it the code, so Flow Connect must not pretend to listen there.
    let Ok(other) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("this machine has no IPv6 loopback; nothing to check");
        return;
    };
    let port = other.local_addr().expect("addr").port();
    let err =
        CallbackListener::bind_on(LoopbackHost::Localhost, port, "/cb").await.expect_err("::1 is taken");
    assert!(matches!(err, ListenerError::Bind { port: p, .. } if p == port), "{err:?}");
    assert!(err.to_string().contains("[::1]"), "{err}");
    drop(std::net::TcpListener::bind(("127.0.0.1", port)).expect("127.0.0.1 was let go again"));
    drop(other);
}

#[tokio::test]
async fn a_flood_of_idle_connections_is_capped_and_the_callback_still_gets_through() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let (port, uri) = (listener.port(), listener.redirect_uri());
    let state = "st4te".to_owned();
    let wait = tokio::spawn(async move { listener.wait(Duration::from_secs(30), &state).await });
    // As many sockets as the cap that never send a byte: each holds a slot until its read
    // times out, and the callback waits its turn instead of being lost.
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.expect("connect"));
    }
    let started = std::time::Instant::now();
    let (status, _) = get(&format!("{uri}?code=c&state=st4te")).await;
    assert_eq!(status, 200, "served once the idle ones time out");
    assert!(started.elapsed() >= Duration::from_secs(4), "it waited for a slot: {:?}", started.elapsed());
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}
