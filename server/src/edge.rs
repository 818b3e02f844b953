//! What every request passes before any handler: the `Host` it names, where
//! a state-changing request comes from, and the headers every answer carries.
//!
//! PEP has no login: whoever reaches it may use it. That makes two browser
//! attacks matter. Another web page can make the user's browser send
//! requests to PEP (cross-site request forgery), and a hostile DNS name can
//! be pointed at 127.0.0.1 so that such a page even reads the answers (DNS
//! rebinding). So the `Host` must be one this server was told it is, and a
//! request that changes anything must come from PEP's own pages or from a
//! program that is not a browser.

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::error::{ErrorBody, ErrorDetail};

/// The host names the `Host` header may carry.
#[derive(Debug, Clone)]
pub struct HostAllowlist {
    /// Lowercase names without port; empty with `any`.
    names: Vec<String>,
    any: bool,
}

impl HostAllowlist {
    /// Loopback names always; `extra` adds more (`*` allows every name,
    /// for a server behind a proxy that checks names itself).
    pub fn new(extra: &[String]) -> Self {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut any = false;
        for name in extra {
            let name = name.trim().to_ascii_lowercase();
            match name.as_str() {
                "" => {}
                "*" => any = true,
                _ => names.push(name),
            }
        }
        Self { names, any }
    }

    /// Whether `host` (a `Host` header: name and optional port) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let name = host_name(host).to_ascii_lowercase();
        self.names.contains(&name)
    }
}

/// The name part of `host[:port]`, keeping an IPv6 literal's brackets.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Refuses a request whose `Host` is not allowed (421), or a state-changing
/// one that a page of another site could have sent (403) or that has a
/// content type a plain HTML form can send (415).
pub async fn guard(
    State(hosts): State<Arc<HostAllowlist>>,
    request: Request,
    next: Next,
) -> Response {
    // Probes answer any name: an orchestrator asks by the pod's address.
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    if !probe {
        if let Err(refusal) = check(&hosts, request.method(), request.uri(), request.headers()) {
            return refusal.into_response();
        }
    }
    next.run(request).await
}

/// Why a request was refused before any handler saw it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the host {0:?} is not one this server answers for; add it to PEP_ALLOWED_HOSTS")]
    Host(String),
    #[error("a request from another site cannot change anything here ({0})")]
    CrossSite(String),
    #[error(
        "a {0} body is not accepted here: send application/json (a plain form could send {0})"
    )]
    SimpleContentType(String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, kind) = match self {
            Refusal::Host(_) => (StatusCode::MISDIRECTED_REQUEST, "misdirected"),
            Refusal::CrossSite(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Refusal::SimpleContentType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                kind: kind.to_owned(),
                message: self.to_string(),
                field: None,
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

/// The checks of [`guard`], on the request's parts.
pub fn check(
    hosts: &HostAllowlist,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    // HTTP/2 names the host in the URI's authority instead.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    if let Some(host) = host {
        if !hosts.allows(host) {
            return Err(Refusal::Host(host.to_owned()));
        }
    }
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Ok(());
    }
    // Every current browser says where a request comes from; a program
    // that is not a browser says nothing and is not a forgery.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|h| h.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Err(Refusal::CrossSite(format!("Sec-Fetch-Site: {site}")));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("(not text)");
        let same = host.is_some_and(|host| origin_host(origin) == Some(host));
        if !same {
            return Err(Refusal::CrossSite(format!("Origin: {origin}")));
        }
    }
    if *method == Method::POST {
        if let Some(kind) = simple_content_type(headers) {
            return Err(Refusal::SimpleContentType(kind));
        }
    }
    Ok(())
}

/// `host[:port]` of an origin such as `http://127.0.0.1:3000`; `None` for
/// `null` or anything that is not `scheme://authority`.
fn origin_host(origin: &str) -> Option<&str> {
    let (scheme, rest) = origin.split_once("://")?;
    matches!(scheme, "http" | "https").then_some(rest.trim_end_matches('/'))
}

/// The content type of a body that a cross-site page may send without
/// asking first (the CORS "simple" types), if the request has one.
fn simple_content_type(headers: &HeaderMap) -> Option<String> {
    let essence = pep::media::essence(headers.get(header::CONTENT_TYPE)?.to_str().ok()?)?;
    matches!(
        essence.as_str(),
        "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
    )
    .then_some(essence)
}

/// The policy of every other answer (JSON, assets, the API docs); the
/// pages send a stricter one of their own (`app::shell`).
const DEFAULT_POLICY: &str = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/// Adds the headers every answer carries; a page's own
/// `Content-Security-Policy` (set while it renders) is kept.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 3] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_POLICY),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn hosts_are_loopback_unless_named() {
        let hosts = HostAllowlist::new(&["pep.example.org".into()]);
        for ok in [
            "127.0.0.1:3000",
            "localhost",
            "LOCALHOST:80",
            "[::1]:3000",
            "pep.example.org",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in ["evil.example", "127.0.0.1.evil.example:3000", "[::2]:3000"] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        assert!(HostAllowlist::new(&["*".into()]).allows("evil.example"));
    }

    #[test]
    fn cross_site_changes_are_refused() {
        let hosts = HostAllowlist::new(&[]);
        let post = Method::POST;
        let uri = Uri::from_static("/api/v1/prompts");
        let json = ("content-type", "application/json");
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(check(&hosts, &post, &uri, &headers(&[host, json])), Ok(()));
        assert_eq!(
            check(
                &hosts,
                &post,
                &uri,
                &headers(&[
                    host,
                    json,
                    ("origin", "http://127.0.0.1:3000"),
                    ("sec-fetch-site", "same-origin")
                ])
            ),
            Ok(())
        );
        for bad in [
            headers(&[host, json, ("sec-fetch-site", "cross-site")]),
            headers(&[host, json, ("sec-fetch-site", "same-site")]),
            headers(&[host, json, ("origin", "https://evil.example")]),
            headers(&[host, json, ("origin", "null")]),
        ] {
            assert!(
                matches!(check(&hosts, &post, &uri, &bad), Err(Refusal::CrossSite(_))),
                "{bad:?}"
            );
        }
        for simple in [
            "text/plain",
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let mut map = headers(&[host]);
            map.insert(header::CONTENT_TYPE, HeaderValue::from_str(simple).unwrap());
            assert!(
                matches!(
                    check(&hosts, &post, &uri, &map),
                    Err(Refusal::SimpleContentType(_))
                ),
                "{simple}"
            );
        }
        // Reading is never refused for where it comes from.
        assert_eq!(
            check(
                &hosts,
                &Method::GET,
                &uri,
                &headers(&[host, ("sec-fetch-site", "cross-site")])
            ),
            Ok(())
        );
        assert!(matches!(
            check(
                &hosts,
                &Method::GET,
                &uri,
                &headers(&[("host", "evil.example")])
            ),
            Err(Refusal::Host(_))
        ));
    }
}
