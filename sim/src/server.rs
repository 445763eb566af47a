//! The HTTP server and the request pipeline. Order of checks (documented in the README):
//! control API, faults, route, authentication (401), version (406), API access list (403),
//! rate limit (429), project (400/404/401), handler.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::{self, digest};
use crate::authz;
use crate::control;
use crate::errors::ApiError;
use crate::faults::FaultKind;
use crate::handlers::{self, Ctx, Out, Raw};
use crate::media::{self, CLUSTER_DEPRECATION, CLUSTER_SUNSET, V2023_01_01, V2023_02_01};
use crate::router::{self, Op, Route};
use crate::state::SimState;
use crate::LoggedRequest;

pub type Shared = Arc<Mutex<SimState>>;

/// Locks the state; a panic elsewhere must not take the whole simulator down with it.
pub fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, SimState> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}
pub type Resp = Response<Full<Bytes>>;

pub const CLIENT_IP_HEADER: &str = "x-sim-client-ip";
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for DropConnection {}

pub async fn serve(listener: TcpListener, shared: Shared, mut shutdown: watch::Receiver<bool>) {
    let local = listener.local_addr().ok();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, remote)) = accepted else { continue };
                let shared = shared.clone();
                let mut stop = shutdown.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handle(shared.clone(), req, remote, local));
                    let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

fn header(h: &HeaderMap, name: impl hyper::header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

pub fn build(status: u16, content_type: Option<&str>, body: Bytes, headers: &[(String, String)]) -> Resp {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_str(ct).expect("ascii content type"));
    }
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (hyper::header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

pub fn error_response(e: &ApiError, extra: &[(String, String)]) -> Resp {
    let mut headers = extra.to_vec();
    headers.push(("X-Error-Code".into(), e.code.clone()));
    headers.extend(e.headers.iter().cloned());
    build(e.status, Some("application/json"), Bytes::from(e.body().to_string()), &headers)
}

fn challenge(st: &mut SimState, stale: bool) -> Resp {
    let nonce = auth::issue_nonce(st);
    let mut r = build(401, Some("application/json"), Bytes::from_static(digest::UNAUTHORIZED_BODY.as_bytes()), &[]);
    r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_str(&digest::challenge(&nonce, stale)).expect("ascii"));
    r
}

fn raw_response(r: Raw) -> Resp {
    build(r.status, Some(&r.content_type), Bytes::from(r.body), &r.headers)
}

const SERVICE_UNAVAILABLE_HTML: &str = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n";

pub async fn handle(
    shared: Shared,
    req: Request<Incoming>,
    remote: SocketAddr,
    local: Option<SocketAddr>,
) -> Result<Resp, DropConnection> {
    let method = req.method().as_str().to_string();
    // The raw request target, percent-escapes intact: what Digest's `uri` must equal.
    let raw_target = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let headers = req.headers().clone();
    let body = match http_body_util::Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let host = header(&headers, HOST)
        .map(String::from)
        .or_else(|| local.map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    let base = format!("http://{host}");

    if path == "/__sim" || path.starts_with("/__sim/") {
        return Ok(control::handle(&shared, &method, &path, &body));
    }

    let trust_header = lock(&shared).config.trust_client_ip_header;
    let client_ip = header(&headers, CLIENT_IP_HEADER)
        .filter(|_| trust_header)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| remote.ip().to_string());
    let authorization = header(&headers, AUTHORIZATION).map(String::from);
    let scheme = authorization.as_deref().and_then(|a| a.split_whitespace().next()).map(|s| {
        match s.to_ascii_lowercase().as_str() {
            "digest" => "Digest".to_string(),
            "bearer" => "Bearer".to_string(),
            "basic" => "Basic".to_string(),
            _ => s.to_string(),
        }
    });
    let log = |shared: &Shared, status: u16| {
        lock(shared).log.push(LoggedRequest {
            method: method.clone(),
            path: raw_target.clone(),
            status,
            credentials_sent: authorization.is_some(),
            auth_scheme: scheme.clone(),
            client_ip: client_ip.clone(),
            accept: header(&headers, ACCEPT).map(String::from),
            body_len: body.len(),
        });
    };

    let fault = lock(&shared).faults.take(&method, &path, scheme.as_deref() == Some("Digest"));
    let mut force_stale = false;
    let mut drop_after = false;
    match fault {
        None => {}
        Some(FaultKind::DropAfterHandling) => drop_after = true,
        Some(FaultKind::Delay { delay_ms }) => tokio::time::sleep(Duration::from_millis(delay_ms)).await,
        Some(FaultKind::DropConnection) => {
            log(&shared, 0);
            return Err(DropConnection);
        }
        Some(FaultKind::TooManyRequests { retry_after_secs }) => {
            log(&shared, 429);
            return Ok(error_response(&ApiError::rate_limited(retry_after_secs), &[]));
        }
        Some(FaultKind::InternalError) => {
            log(&shared, 500);
            return Ok(error_response(&ApiError::unexpected(), &[]));
        }
        Some(FaultKind::ServiceUnavailableHtml) => {
            log(&shared, 503);
            return Ok(build(503, Some("text/html"), Bytes::from_static(SERVICE_UNAVAILABLE_HTML.as_bytes()), &[]));
        }
        Some(FaultKind::StaleNonce) => force_stale = true,
    }

    let resp = {
        let mut st = lock(&shared);
        let req = RequestParts {
            method: &method,
            raw_target: &raw_target,
            path: &path,
            query: &query,
            headers: &headers,
            body: &body,
            client_ip: &client_ip,
            base: &base,
            authorization: authorization.as_deref(),
        };
        let resp = process(&mut st, &req, force_stale);
        st.sync_data_plane();
        resp
    };
    let write_for = lock(&shared).config.access_list_write_duration;
    if !write_for.is_zero()
        && matches!(method.as_str(), "POST" | "DELETE")
        && path.contains("/accessList")
        && resp.status().is_success()
    {
        tokio::time::sleep(write_for).await;
    }
    if drop_after {
        log(&shared, 0);
        return Err(DropConnection);
    }
    log(&shared, resp.status().as_u16());
    Ok(resp)
}

struct RequestParts<'a> {
    method: &'a str,
    raw_target: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a HeaderMap,
    body: &'a Bytes,
    client_ip: &'a str,
    base: &'a str,
    authorization: Option<&'a str>,
}

fn process(st: &mut SimState, r: &RequestParts, force_stale: bool) -> Resp {
    st.refresh();
    let now = st.now();
    let route = router::route(r.method, r.path);

    match &route {
        Route::Op(Op::OAuthToken) => return raw_response(auth::oauth::token(st, r.authorization, r.body)),
        Route::Op(Op::DefaultMongoVersion) => return raw_response(handlers::root::default_mongo_version()),
        _ => {}
    }

    // Authentication comes first, before anything about the request is looked at, so an
    // unauthenticated request (e.g. the Go transport's first try with a body) changes nothing.
    let caller = match auth::authenticate(st, r.method, r.raw_target, r.authorization, force_stale) {
        Ok(c) => c,
        Err(ch) => return challenge(st, ch.stale),
    };

    let op = match route {
        Route::Op(op) => op,
        Route::NotFound => return error_response(&ApiError::resource_not_found(r.path), &[]),
        Route::MethodNotAllowed => return error_response(&ApiError::method_not_allowed(r.method, r.path), &[]),
    };

    let versions = op.versions();
    let version = if versions.is_empty() {
        ""
    } else {
        match media::negotiate(header(r.headers, ACCEPT), versions) {
            Ok(v) => v,
            Err(e) => return error_response(&e, &[]),
        }
    };
    let mut extra: Vec<(String, String)> = Vec::new();
    let cluster_sunset = matches!(op, Op::ListClusters { .. } | Op::GetCluster { .. })
        && (version == V2023_01_01 || version == V2023_02_01);
    if cluster_sunset || st.config.deprecated_versions.iter().any(|v| v == version) {
        extra.push(("Deprecation".into(), CLUSTER_DEPRECATION.into()));
        extra.push(("Sunset".into(), CLUSTER_SUNSET.into()));
    }

    let ip: Option<IpAddr> = r.client_ip.parse().ok();
    if let Err(e) = authz::check_api_access_list(&st.world, &caller, ip, r.client_ip) {
        return error_response(&e, &extra);
    }

    if let (true, Some(group)) = (st.config.rate_limit, op.rate_group()) {
        let limits = st.config.rate_limits.clone();
        match st.rate.take(&limits, group, &caller.principal.name, now) {
            Ok(a) => {
                if st.config.rate_limit_headers {
                    extra.push(("RateLimit-Limit".into(), a.limit.to_string()));
                    extra.push(("RateLimit-Remaining".into(), a.remaining.to_string()));
                }
            }
            Err(retry) => {
                if st.config.rate_limit_headers {
                    extra.push(("RateLimit-Limit".into(), group.bucket(&limits).capacity.to_string()));
                    extra.push(("RateLimit-Remaining".into(), "0".into()));
                }
                return error_response(&ApiError::rate_limited(retry), &extra);
            }
        }
    }

    let authz_result = match (&op, op.group_id(), op.perm()) {
        (Op::GetOrgApiKey { org, .. }, _, Some(p)) => authz::check_org(&st.world, &caller, org, p),
        (_, Some(g), Some(p)) => authz::check_project(&st.world, &caller, g, p),
        _ => Ok(()),
    };
    if let Err(e) = authz_result {
        return error_response(&e, &extra);
    }

    // Atlas does not take concurrent writes to one project's access list.
    let access_write = match &op {
        Op::CreateAccess { g } | Op::DeleteAccess { g, .. } => Some(g.clone()),
        _ => None,
    };
    let write_for = st.config.access_list_write_duration;
    if let (Some(g), false) = (&access_write, write_for.is_zero()) {
        let now_real = std::time::Instant::now();
        if st.access_writes.get(g).is_some_and(|until| *until > now_real) {
            let e = ApiError::new(
                409,
                "ACCESS_LIST_WRITE_IN_PROGRESS",
                format!("Another change of the IP access list of group {g} is in progress; try again later."),
                vec![g.clone().into()],
            );
            return error_response(&e, &extra);
        }
    }

    let mut ctx = Ctx {
        st,
        caller: Some(caller),
        version,
        base: r.base.to_string(),
        query: r.query.to_string(),
        body: r.body,
        client_ip: r.client_ip.to_string(),
    };
    let outcome = handlers::dispatch(&op, &mut ctx);
    if let (Some(g), false, Ok(_)) = (access_write, write_for.is_zero(), &outcome) {
        ctx.st.access_writes.insert(g, std::time::Instant::now() + write_for);
    }
    match outcome {
        Ok(Out::Versioned(reply)) => {
            let ct = media::content_type(version);
            let pretty = crate::paging::query_pairs(r.query).iter().any(|(k, v)| k == "pretty" && v == "true");
            let text = |b: serde_json::Value| {
                if pretty {
                    serde_json::to_string_pretty(&b).unwrap_or_default()
                } else {
                    b.to_string()
                }
            };
            let body = reply.body.map(|b| Bytes::from(text(b))).unwrap_or_default();
            build(reply.status, Some(&ct), body, &extra)
        }
        Ok(Out::Raw(raw)) => {
            let mut raw = raw;
            raw.headers.extend(extra);
            raw_response(raw)
        }
        Err(e) => error_response(&e, &extra),
    }
}
