//! Serving the built single-page application: files as they are, and index.html for
//! every other GET so that client-side routes work on reload.

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};

pub struct Spa {
    dir: PathBuf,
}

/// Shown when the front end has not been built, instead of a bare 404.
const NOT_BUILT: &str = r#"<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Nuvola</title></head>
<body><main><h1>Nuvola</h1><p>L'interfaccia web non è stata compilata. Eseguire <code>make run</code>
(o <code>scripts/build-frontend.sh</code>). L'API GraphQL è disponibile su <code>POST /graphql</code>.</p></main></body></html>"#;

impl Spa {
    pub fn new(dir: PathBuf) -> Self {
        if !dir.join("index.html").is_file() {
            tracing::warn!(dir = %dir.display(), "the front end is not built: serving a placeholder page");
        }
        Self { dir }
    }

    /// The file under the SPA folder for a URL path, refusing anything that climbs out.
    fn file_for(&self, path: &str) -> Option<PathBuf> {
        let rel = Path::new(path.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        let full = self.dir.join(rel);
        full.is_file().then_some(full)
    }
}

pub async fn serve(req: HttpRequest, spa: web::Data<Spa>) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    let (file, is_index) = match spa.file_for(req.path()) {
        Some(f) => (f, false),
        None => (spa.dir.join("index.html"), true),
    };
    let path = file.clone();
    let opened = web::block(move || NamedFile::open(path))
        .await
        .ok()
        .and_then(Result::ok);
    match opened.ok_or(()) {
        Ok(named) => {
            let mut res = named.use_etag(true).into_response(&req);
            // The build's files keep their names from one build to the next, and the main
            // wasm module and the modules split out of it must come from the same build:
            // browsers revalidate them on every load (ETag, so an unchanged file costs a
            // 304). Only the fonts, which never change, are cached outright.
            let cache = if !is_index && req.path().starts_with("/fonts/") {
                "public, max-age=604800, immutable"
            } else {
                "no-cache"
            };
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static(cache),
            );
            res
        }
        Err(_) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(NOT_BUILT),
    }
}
