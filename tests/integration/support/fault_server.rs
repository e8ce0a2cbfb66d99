//! Fault injection for the end-to-end crawler tests: a small HTTP/1.1 server
//! on a raw `TcpListener` bound to 127.0.0.1 whose routes misbehave on
//! purpose (error statuses, `Retry-After`, resets, truncation, slow drips,
//! servers that never answer, oversized and gzip-bomb bodies, redirect loops,
//! conditional GET), and a log of every request it saw. Feed bodies to serve
//! are in `support::feeds`; its config is `TestConfig::faults()`.
//!
//! The server runs on its own thread and runtime and stops when dropped; every
//! misbehaviour is bounded in time, so no test can hang on it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest any misbehaving connection is kept open (hang, drip).
const MAX_HOLD: Duration = Duration::from_secs(30);

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request target's path (query dropped).
    pub path: String,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// When the request head had arrived.
    pub at: Instant,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds a fault from the request (for answers that depend on the clock).
pub type FaultFn = Arc<dyn Fn(&Request) -> Fault + Send + Sync>;

/// How a route answers.
#[derive(Clone)]
pub enum Fault {
    /// A complete response.
    Respond {
        /// Status code.
        status: u16,
        /// Extra headers (Content-Length and Connection are added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// The n-th request to the route gets the n-th fault; the last one repeats.
    Sequence(Vec<Fault>),
    /// 304 to a request whose `If-None-Match` / `If-Modified-Since` matches,
    /// else 200 with the validators.
    Conditional {
        /// The body of a 200.
        body: Vec<u8>,
        /// `ETag`, if the route sends one.
        etag: Option<String>,
        /// `Last-Modified`, if the route sends one.
        last_modified: Option<String>,
    },
    /// Read the request, answer nothing, keep the connection open.
    Hang,
    /// Headers at once, then the body one byte per `every`.
    Drip {
        /// The body.
        body: Vec<u8>,
        /// Time between bytes.
        every: Duration,
    },
    /// `Content-Length` of the whole body, only `sent` bytes, then a clean close.
    Truncated {
        /// The body.
        body: Vec<u8>,
        /// Bytes actually sent.
        sent: usize,
    },
    /// Headers and half the body, then a TCP reset (SO_LINGER 0).
    Reset {
        /// The body.
        body: Vec<u8>,
    },
    /// Wait, then behave like the inner fault.
    Delayed(Duration, Box<Fault>),
    /// Decided per request.
    Dynamic(FaultFn),
}

impl Fault {
    /// 200 with a feed body.
    pub fn feed(body: impl Into<Vec<u8>>) -> Fault {
        Fault::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/rss+xml".into())],
            body: body.into(),
        }
    }
    /// A status with a short body.
    pub fn status(status: u16) -> Fault {
        Fault::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!("status {status}\n").into_bytes(),
        }
    }
    /// A status with extra headers and no body.
    pub fn with_headers(status: u16, headers: &[(&str, &str)]) -> Fault {
        Fault::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }
    /// A 302 to `location`.
    pub fn redirect(location: &str) -> Fault {
        Fault::with_headers(302, &[("Location", location)])
    }
}

struct Shared {
    routes: HashMap<String, Fault>,
    log: Mutex<Vec<Request>>,
}

/// A fault-injection server on 127.0.0.1; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultServer {
    /// Serve `routes` (path → fault); any other path is a 404.
    pub fn start(routes: Vec<(&str, Fault)>) -> FaultServer {
        let shared = Arc::new(Shared {
            routes: routes
                .into_iter()
                .map(|(p, f)| (p.to_string(), f))
                .collect(),
            log: Mutex::new(Vec::new()),
        });
        let std_listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = std_listener.local_addr().expect("listener address");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let state = state.clone();
                        tokio::spawn(async move {
                            let _ = tokio::time::timeout(MAX_HOLD, serve(stream, state)).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_rx => {}
                }
            });
            // Dropping the runtime cancels every connection still open.
            rt.shutdown_timeout(Duration::from_secs(1));
        });
        FaultServer {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The same server under another host name (e.g. `localhost`).
    pub fn url_on(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }

    /// The requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Wait (at most `limit`) until `path` has seen `n` requests.
    pub fn wait_for(&self, path: &str, n: usize, limit: Duration) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.requests_to(path).len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Read one request head; `None` if the client went away first.
async fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<(String, String)>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut lines = head.split("\r\n");
            let target = lines.next()?.split_whitespace().nth(1)?.to_string();
            let path = target.split('?').next().unwrap_or("").to_string();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            return Some((path, headers));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn head(status: u16, headers: &[(String, String)], content_length: usize) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!(
        "Content-Length: {content_length}\r\nConnection: close\r\n\r\n"
    ));
    h.into_bytes()
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some((path, headers)) = read_head(&mut stream).await else {
        return;
    };
    let req = Request {
        path: path.clone(),
        headers,
        at: Instant::now(),
    };
    let nth = {
        let mut log = lock(&shared.log);
        log.push(req.clone());
        log.iter().filter(|r| r.path == path).count() - 1
    };
    let fault = shared
        .routes
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Fault::status(404));
    answer(&mut stream, fault, &req, nth).await;
}

async fn answer(stream: &mut TcpStream, fault: Fault, req: &Request, nth: usize) {
    let mut fault = fault;
    loop {
        fault = match fault {
            Fault::Sequence(list) => match list.get(nth).or(list.last()) {
                Some(f) => f.clone(),
                None => Fault::status(404),
            },
            Fault::Delayed(d, inner) => {
                tokio::time::sleep(d).await;
                *inner
            }
            Fault::Dynamic(f) => f(req),
            Fault::Conditional {
                body,
                etag,
                last_modified,
            } => {
                let etag_hit = etag
                    .as_deref()
                    .is_some_and(|e| req.header("if-none-match") == Some(e));
                let lm_hit = last_modified
                    .as_deref()
                    .is_some_and(|l| req.header("if-modified-since") == Some(l));
                let mut headers = vec![("Content-Type".to_string(), "application/rss+xml".into())];
                if let Some(e) = etag {
                    headers.push(("ETag".into(), e));
                }
                if let Some(l) = last_modified {
                    headers.push(("Last-Modified".into(), l));
                }
                if etag_hit || lm_hit {
                    headers.remove(0);
                    Fault::Respond {
                        status: 304,
                        headers,
                        body: Vec::new(),
                    }
                } else {
                    Fault::Respond {
                        status: 200,
                        headers,
                        body,
                    }
                }
            }
            other => break fault_io(stream, other).await,
        };
    }
}

async fn fault_io(stream: &mut TcpStream, fault: Fault) {
    match fault {
        Fault::Respond {
            status,
            headers,
            body,
        } => {
            // A 304 has no body and no Content-Length of one.
            let mut out = head(status, &headers, body.len());
            out.extend_from_slice(&body);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Fault::Hang => {
            // Keep the connection open; the client's timeout ends it (or MAX_HOLD).
            let mut sink = [0u8; 1024];
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        }
        Fault::Drip { body, every } => {
            let h = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            if stream.write_all(&h).await.is_err() {
                return;
            }
            for b in body {
                tokio::time::sleep(every).await;
                if stream.write_all(&[b]).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
            }
        }
        Fault::Truncated { body, sent } => {
            let mut out = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            out.extend_from_slice(&body[..sent.min(body.len())]);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
        }
        Fault::Reset { body } => {
            let mut out = head(
                200,
                &[("Content-Type".into(), "application/rss+xml".into())],
                body.len(),
            );
            out.extend_from_slice(&body[..body.len() / 2]);
            let _ = stream.write_all(&out).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = stream.set_zero_linger();
            // Dropping the stream now sends RST instead of FIN.
        }
        Fault::Sequence(_) | Fault::Delayed(..) | Fault::Dynamic(_) | Fault::Conditional { .. } => {
            unreachable!("resolved by answer()")
        }
    }
}

/// A `Retry-After` HTTP date `ahead` from now (whole seconds, rounded up).
pub fn http_date_in(ahead: Duration) -> String {
    let when = chrono::Utc::now()
        + chrono::Duration::milliseconds(ahead.as_millis() as i64)
        + chrono::Duration::milliseconds(999);
    when.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
