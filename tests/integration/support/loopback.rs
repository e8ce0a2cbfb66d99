//! Loopback servers for sources that behave: wiremock routes serving the
//! recorded payloads, and a port where nothing listens. (Sources that
//! misbehave on purpose are `support::fault_server`'s.)

use std::path::PathBuf;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::fixtures::{read, source_name};

/// Serve `body` with status 200 at `route` on `server`.
pub async fn serve(server: &MockServer, route: &str, body: Vec<u8>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(server)
        .await;
}

/// Serve each fixture file as a feed at `/feeds/<file name>`; returns
/// `(source name, url, file)` for each.
pub async fn serve_fixtures(
    server: &MockServer,
    files: &[PathBuf],
) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for f in files {
        let file_name = f
            .file_name()
            .expect("named file")
            .to_string_lossy()
            .to_string();
        let route = format!("/feeds/{file_name}");
        serve(server, &route, read(f), "application/xml").await;
        out.push((
            source_name(f),
            format!("{}{route}", server.uri()),
            f.clone(),
        ));
    }
    out
}

/// `http://127.0.0.1:<port>` of a port nothing listens on (bound, noted,
/// released): connections to it are refused.
pub fn refused_base() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
