//! The consent redirect listener over real loopback sockets, with the browser played by
//! plain TCP clients and reqwest.

use std::time::Duration;

use flow_connect_core::google::{Callback, CallbackListener, ListenerError};
use flow_connect_core::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("the listener answers");
    (response.status().as_u16(), response.text().await.expect("a body"))
}

async fn port_is_closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).await.is_err()
}

#[tokio::test]
async fn catches_the_code_and_closes_the_port() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let (port, uri) = (listener.port(), listener.redirect_uri());
    assert_eq!(uri, format!("http://127.0.0.1:{port}/"));
    let wait = tokio::spawn(listener.wait(Duration::from_secs(10)));

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
    let wait = tokio::spawn(listener.wait(Duration::from_secs(10)));

    // Opened first, never sends a byte: as browsers do to save time on the next request.
    let _idle = TcpStream::connect(("127.0.0.1", port)).await.expect("preconnect");
    let started = std::time::Instant::now();
    let (status, _) = get(&format!("{uri}?code=c&state=s")).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(2), "answered at once: {:?}", started.elapsed());
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}

#[tokio::test]
async fn other_paths_get_404_and_do_not_end_the_wait() {
    let listener = CallbackListener::bind(0, "/callback").await.expect("bound");
    let port = listener.port();
    let wait = tokio::spawn(listener.wait(Duration::from_secs(10)));

    assert_eq!(get(&format!("http://127.0.0.1:{port}/favicon.ico")).await.0, 404);
    assert_eq!(get(&format!("http://127.0.0.1:{port}/?code=wrong-path&state=s")).await.0, 404);
    // A raw request that is not a GET is closed without an answer.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    raw.write_all(b"POST /callback HTTP/1.1\r\nhost: x\r\n\r\n").await.expect("write");
    let mut buffer = Vec::new();
    raw.read_to_end(&mut buffer).await.expect("closed");
    assert!(buffer.is_empty());

    assert!(!wait.is_finished(), "still waiting for the real redirect");
    assert_eq!(get(&format!("http://127.0.0.1:{port}/callback?code=right&state=s")).await.0, 200);
    assert!(matches!(wait.await.expect("joined"), Ok(Callback::Code { .. })));
}

#[tokio::test]
async fn an_error_redirect_is_an_answer_too() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let uri = listener.redirect_uri();
    let wait = tokio::spawn(listener.wait(Duration::from_secs(10)));
    assert_eq!(get(&format!("{uri}?error=access_denied&state=s")).await.0, 200);
    assert_eq!(
        wait.await.expect("joined"),
        Ok(Callback::Error { error: "access_denied".into(), description: None, state: "s".into() })
    );
}

#[tokio::test]
async fn the_time_limit_and_cancel_both_close_the_port() {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let port = listener.port();
    let result = listener.wait(Duration::from_millis(200)).await;
    assert_eq!(result, Err(ListenerError::TimedOut { minutes: 1 }));
    assert!(port_is_closed(port).await);

    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let port = listener.port();
    let canceller = listener.canceller();
    let wait = tokio::spawn(listener.wait(Duration::from_secs(300)));
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
