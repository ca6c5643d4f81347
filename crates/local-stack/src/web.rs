//! The reference web app's origin for `make dev`: the built app (`web/dist`) served as static
//! files on 127.0.0.1, on an origin of its own, so the browser calls the API cross-origin as it
//! would a deployed API (CORS included).
//!
//! The app is reached as `http://localhost:PORT`, not `http://127.0.0.1:PORT`: passkeys refuse an
//! IP address as relying party, and `localhost` is a secure context. The server binds 127.0.0.1
//! only; `localhost` resolves to it.
//!
//! What it answers:
//!
//! | request | answer |
//! |---|---|
//! | `GET /config.json` | `{"apiUrl": "<the local API>"}`: the app reads where the API is at start-up |
//! | `GET /a/file.ext` that exists in the dist folder | the file, its content type from its extension |
//! | `GET /a/route` (no dot in the last segment) that is no file | `index.html`: the app routes in the browser |
//! | anything else | 404 (a missing asset must fail loudly, not come back as HTML) |
//!
//! Every answer says `cache-control: no-cache`, so a rebuilt app shows on the next reload.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

/// The web app's folder when `WEB_DIST` is not set (relative to the working directory).
pub const DEFAULT_DIST: &str = "web/dist";
/// The web app's port when `WEB_PORT` is not set: Vite's, so the origin is the familiar one.
pub const DEFAULT_PORT: u16 = 5173;

/// The origin a browser uses for the web app on `port`: a host name, never an IP address (see the
/// module doc).
pub fn origin(port: u16) -> String {
    format!("http://localhost:{port}")
}

/// What the web server serves.
#[derive(Debug)]
struct WebApp {
    dist: PathBuf,
    config: String,
}

/// The web app's server, running; dropping it stops it at once, [`WebServer::stop`] gracefully.
#[derive(Debug)]
pub struct WebServer {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl WebServer {
    /// Serves the app in `dist` on `listener`; `/config.json` points the app at `api_url`.
    pub fn start(listener: TcpListener, dist: PathBuf, api_url: &str) -> Self {
        let app = Arc::new(WebApp { dist, config: serde_json::json!({ "apiUrl": api_url }).to_string() });
        let router = Router::new().route("/config.json", get(config)).fallback(file).with_state(app);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Self { stop: Some(stop), task: Some(task) }
    }

    /// Stops serving, finishing requests in flight (5 s at most).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn config(State(app): State<Arc<WebApp>>) -> Response {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")], app.config.clone())
        .into_response()
}

async fn file(State(app): State<Arc<WebApp>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")], "Method not allowed\n")
            .into_response();
    }
    let Some(path) = resolve(&app.dist, uri.path()) else {
        return not_found();
    };
    let read = tokio::task::spawn_blocking({
        let path = path.clone();
        move || std::fs::read(path)
    })
    .await;
    match read {
        Ok(Ok(bytes)) => {
            let content_type = HeaderValue::from_static(content_type(&path));
            let headers = [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            ];
            (headers, bytes).into_response()
        }
        // Gone between the check and the read (a rebuild in progress): as if it never was.
        _ => not_found(),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-cache")], "Not found\n").into_response()
}

/// The file of `dist` that answers the URL path `path` (percent-encoded, as it came), if any: the
/// file itself, or `index.html` for a path that looks like one of the app's routes (no dot in its
/// last segment). A segment that could leave the folder (`..`, also as `%2e%2e`, or with an
/// encoded `/`) or name a hidden file finds nothing, and so does a symbolic link that leads out of
/// `dist`: the answer is the file's real path, and it must lie inside `dist`'s.
fn resolve(dist: &Path, path: &str) -> Option<PathBuf> {
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode(raw)?;
        if segment.starts_with('.') || segment.contains(['/', '\\', '\0']) {
            return None;
        }
        segments.push(segment);
    }
    let root = dist.canonicalize().ok()?;
    let inside =
        |candidate: PathBuf| candidate.canonicalize().ok().filter(|real| real.starts_with(&root) && real.is_file());
    let index = || inside(dist.join("index.html"));
    let Some(last) = segments.last() else { return index() };
    let candidate = segments.iter().fold(dist.to_path_buf(), |path, segment| path.join(segment));
    match inside(candidate) {
        Some(file) => Some(file),
        None if !last.contains('.') => index(),
        None => None,
    }
}

/// A URL path segment's text (`%2e` is `.`); `None` when an escape is malformed or the bytes are
/// not UTF-8.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a file the app's build produces, from its extension.
fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("wasm") => "application/wasm",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("local-stack-web-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(dir.join("assets/app-1234.js"), "console.log(1)").unwrap();
        std::fs::write(dir.join(".env"), "SECRET=1").unwrap();
        dir
    }

    #[test]
    fn serves_files_and_falls_back_to_the_index_for_app_routes() {
        // GIVEN a built app
        let dist = dist();
        let real = |path: &str| Some(dist.join(path).canonicalize().unwrap());
        // THEN files are found, routes get the index, missing assets and escapes get nothing
        assert_eq!(resolve(&dist, "/"), real("index.html"));
        assert_eq!(resolve(&dist, "/assets/app-1234.js"), real("assets/app-1234.js"));
        assert_eq!(resolve(&dist, "/assets/app%2d1234.js"), real("assets/app-1234.js"));
        assert_eq!(resolve(&dist, "/account/security"), real("index.html"));
        assert_eq!(resolve(&dist, "/assets"), real("index.html"));
        assert_eq!(resolve(&dist, "/assets/missing.js"), None);
        assert_eq!(resolve(&dist, "/../Cargo.toml"), None);
        assert_eq!(resolve(&dist, "/assets/../../x"), None);
        assert_eq!(resolve(&dist, "/.env"), None);
        std::fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn encoded_dots_and_slashes_do_not_leave_the_folder() {
        // GIVEN a built app
        let dist = dist();
        // THEN `..` spelled with escapes finds nothing, not even the app's index
        for path in
            ["/%2e%2e/x", "/%2E%2E/x", "/assets/%2e%2e/%2e%2e/x", "/..%2f..", "/..%2F..%2Fx", "/assets%2f..%2f..%2fx"]
        {
            assert_eq!(resolve(&dist, path), None, "{path}");
        }
        // AND a malformed escape finds nothing either
        assert_eq!(resolve(&dist, "/assets/%zz"), None);
        std::fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn a_symbolic_link_out_of_the_folder_is_not_followed() {
        // GIVEN a built app with links to a file and a folder outside it, and one inside
        let dist = dist();
        let outside = std::env::temp_dir().join(format!("local-stack-web-outside-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.txt"), "SECRET").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.txt"), dist.join("assets/secret.js")).unwrap();
        std::os::unix::fs::symlink(&outside, dist.join("assets/elsewhere")).unwrap();
        std::os::unix::fs::symlink(dist.join("assets/app-1234.js"), dist.join("assets/alias.js")).unwrap();
        // THEN the links out find nothing, and the link in finds its target
        assert_eq!(resolve(&dist, "/assets/secret.js"), None);
        assert_eq!(resolve(&dist, "/assets/elsewhere/secret.txt"), None);
        assert_eq!(resolve(&dist, "/assets/alias.js"), Some(dist.join("assets/app-1234.js").canonicalize().unwrap()));
        std::fs::remove_dir_all(&dist).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn an_unbuilt_app_serves_nothing() {
        let dist = std::env::temp_dir().join(format!("local-stack-web-none-{}", uuid::Uuid::new_v4()));
        assert_eq!(resolve(&dist, "/"), None);
        assert_eq!(resolve(&dist, "/sign-in"), None);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("a/app-1.JS")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("a/app.css")), "text/css; charset=utf-8");
        assert_eq!(content_type(Path::new("favicon.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("blob")), "application/octet-stream");
    }

    #[test]
    fn the_origin_is_a_host_name() {
        assert_eq!(origin(5173), "http://localhost:5173");
    }
}
