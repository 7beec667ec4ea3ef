//! Structured logs with `tracing`. `NUVOLA_LOG_FORMAT=json` switches to JSON lines for
//! log collectors; `RUST_LOG` sets the level (default `info`).

use tracing_subscriber::{fmt, EnvFilter};

/// `default_level` applies when `RUST_LOG` is not set: `info` for the server, `warn`
/// for one-shot commands whose output is their result.
pub fn init(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{default_level},sqlx=warn,sea_orm=warn,actix_server=warn"
        ))
    });
    let json = std::env::var("NUVOLA_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}
