//! Prometheus metrics of this process, served at `/metrics`. Each replica exposes its
//! own; Prometheus adds them up.

use std::sync::LazyLock;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    graphql_errors: IntCounterVec,
    db_queries: HistogramVec,
    cache_lookups: IntCounterVec,
    subscriptions: IntGauge,
    deliveries: IntCounterVec,
}

static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| match build() {
    Ok(m) => Some(m),
    Err(e) => {
        tracing::error!(error = %e, "metrics are disabled");
        None
    }
});

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("nuvola".to_owned()), None)?;
    let http_requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests by route, method and status",
        ),
        &["route", "method", "status"],
    )?;
    let http_duration = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "HTTP request latency by route",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]),
        &["route"],
    )?;
    let graphql_errors = IntCounterVec::new(
        Opts::new("graphql_errors_total", "GraphQL errors returned, by code"),
        &["code"],
    )?;
    let db_queries = HistogramVec::new(
        HistogramOpts::new("db_query_duration_seconds", "SQL statement latency").buckets(vec![
            0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0,
        ]),
        &["outcome"],
    )?;
    let cache_lookups = IntCounterVec::new(
        Opts::new(
            "public_cache_lookups_total",
            "Cacheable public queries, by whether the response came from the cache",
        ),
        &["result"],
    )?;
    registry.register(Box::new(cache_lookups.clone()))?;
    registry.register(Box::new(http_requests.clone()))?;
    registry.register(Box::new(http_duration.clone()))?;
    registry.register(Box::new(graphql_errors.clone()))?;
    let subscriptions = IntGauge::new(
        "subscriptions_active",
        "GraphQL subscriptions open over /graphql/ws and listening",
    )?;
    registry.register(Box::new(db_queries.clone()))?;
    registry.register(Box::new(subscriptions.clone()))?;
    let deliveries = IntCounterVec::new(
        Opts::new(
            "delivery_attempts_total",
            "Outbox delivery attempts, by channel (EMAIL, WEBHOOK) and outcome",
        ),
        &["channel", "outcome"],
    )?;
    registry.register(Box::new(deliveries.clone()))?;
    Ok(Metrics {
        deliveries,
        registry,
        http_requests,
        http_duration,
        graphql_errors,
        db_queries,
        cache_lookups,
        subscriptions,
    })
}

pub fn http_request(route: &str, method: &str, status: u16, seconds: f64) {
    if let Some(m) = METRICS.as_ref() {
        m.http_requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        m.http_duration.with_label_values(&[route]).observe(seconds);
    }
}

pub fn graphql_error(code: &str) {
    if let Some(m) = METRICS.as_ref() {
        m.graphql_errors.with_label_values(&[code]).inc();
    }
}

pub fn cache_hit(hit: bool) {
    if let Some(m) = METRICS.as_ref() {
        m.cache_lookups
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }
}

pub fn db_query(seconds: f64, failed: bool) {
    if let Some(m) = METRICS.as_ref() {
        m.db_queries
            .with_label_values(&[if failed { "error" } else { "ok" }])
            .observe(seconds);
    }
}

/// A subscription started listening to the change feed.
pub fn subscription_opened() {
    if let Some(m) = METRICS.as_ref() {
        m.subscriptions.inc();
    }
}

/// A subscription ended.
pub fn subscription_closed() {
    if let Some(m) = METRICS.as_ref() {
        m.subscriptions.dec();
    }
}

/// An outbox delivery was sent (the peer accepted it).
pub fn delivery_sent(channel: &str) {
    if let Some(m) = METRICS.as_ref() {
        m.deliveries.with_label_values(&[channel, "ok"]).inc();
    }
}

/// An outbox delivery attempt failed (it is retried, or failed for good).
pub fn delivery_failed(channel: &str) {
    if let Some(m) = METRICS.as_ref() {
        m.deliveries.with_label_values(&[channel, "failed"]).inc();
    }
}

/// The text exposition format.
pub fn render() -> String {
    let Some(m) = METRICS.as_ref() else {
        return String::new();
    };
    let mut buf = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut buf) {
        tracing::error!(error = %e, "encoding metrics");
    }
    String::from_utf8(buf).unwrap_or_default()
}
