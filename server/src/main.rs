//! `nuvola`: the one binary of Nuvola. This file only parses the command line and
//! wires the library together; see `lib.rs` for where things live.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use nuvola_server::audit::Actor;
use nuvola_server::graphql::Limits;
use nuvola_server::http::ServeOptions;
use nuvola_server::opendata::{self, ExportFormat};
use nuvola_server::service::{
    accounts, deadlines, export, import, mail, membership, outbox, webhooks,
};
use nuvola_server::storage::{ObjectStoreConfig, Storage};
use nuvola_server::{db, demo, telemetry, DEFAULT_BIND, DEFAULT_DATABASE_URL};
use nuvola_shared::{IpaCode, Role, VatNumber};

/// Nuvola: the open system for the migration of Italian public administrations to the
/// cloud (PNRR measure 1.2).
#[derive(Parser)]
#[command(name = "nuvola", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB.
    #[arg(long = "database", env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    url: String,
}

/// E-mail over SMTP: off unless `--smtp-host` is given.
#[derive(Args, Clone)]
struct SmtpArgs {
    /// The SMTP server; without it, no e-mail is sent (e-mail deliveries wait).
    #[arg(long, env = "NUVOLA_SMTP_HOST")]
    smtp_host: Option<String>,
    /// Default 587 (STARTTLS) or 465 (TLS).
    #[arg(long, env = "NUVOLA_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// starttls or tls (implicit TLS).
    #[arg(
        long,
        env = "NUVOLA_SMTP_SECURITY",
        value_enum,
        default_value = "starttls"
    )]
    smtp_security: mail::Security,
    #[arg(long, env = "NUVOLA_SMTP_USERNAME")]
    smtp_username: Option<String>,
    #[arg(long, env = "NUVOLA_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender, e.g. "Nuvola <notifiche@nuvola.example>".
    #[arg(
        long,
        env = "NUVOLA_SMTP_FROM",
        default_value = "Nuvola <notifiche@nuvola.invalid>"
    )]
    smtp_from: String,
    /// A PEM file of certificate authorities to trust besides the usual ones.
    #[arg(long, env = "NUVOLA_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
}

// Parsed once at start: the size of the serving options' variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run pending migrations and serve the web application and the API.
    Serve {
        #[command(flatten)]
        database: DatabaseArg,
        /// Address to listen on.
        #[arg(long, env = "NUVOLA_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Load the bundled open data and the demo accounts into an empty database.
        #[arg(long)]
        demo: bool,
        /// Folder of the built web application (default: frontend/dist).
        #[arg(long, env = "NUVOLA_STATIC_DIR")]
        static_dir: Option<PathBuf>,
        /// Production mode: GraphQL introspection and field suggestions off, HSTS sent.
        #[arg(long, env = "NUVOLA_PRODUCTION")]
        production: bool,
        /// GraphQL requests allowed per minute per token, or per address without one,
        /// counted by each replica on its own (0: no limit).
        #[arg(long, env = "NUVOLA_RATE_LIMIT", default_value_t = nuvola_server::http::DEFAULT_REQUESTS_PER_MINUTE)]
        rate_limit: u32,
        /// Take the client's address from X-Forwarded-For (behind a load balancer).
        #[arg(long, env = "NUVOLA_TRUST_PROXY")]
        trust_proxy: bool,
        /// Seconds between runs of the deadline checker (0: off; the first run comes one
        /// interval after start).
        #[arg(long, env = "NUVOLA_DEADLINE_CHECK_SECS", default_value_t = 3600)]
        deadline_check_secs: u64,
        /// Folder of uploaded documents; every replica must share it (default:
        /// nuvola-files next to a SQLite database file, else in the current folder).
        #[arg(long = "storage", env = "NUVOLA_STORAGE_DIR")]
        storage: Option<PathBuf>,
        /// Keep documents in this bucket of an S3-compatible object store instead of the
        /// folder (which then holds only uploads on their way in). The keys come from
        /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
        #[arg(long, env = "NUVOLA_S3_BUCKET")]
        s3_bucket: Option<String>,
        /// The object store's address, e.g. https://s3.example.it (default: AWS).
        #[arg(long, env = "NUVOLA_S3_ENDPOINT", requires = "s3_bucket")]
        s3_endpoint: Option<String>,
        /// The bucket's region.
        #[arg(long, env = "NUVOLA_S3_REGION", default_value = "us-east-1")]
        s3_region: String,
        /// The prefix of the documents' keys in the bucket.
        #[arg(long, env = "NUVOLA_S3_PREFIX", default_value = "documents")]
        s3_prefix: String,
        /// Run every public query's SQL instead of answering from the response cache (for
        /// benchmarks of the uncached path and for debugging).
        #[arg(long, env = "NUVOLA_NO_RESPONSE_CACHE")]
        no_response_cache: bool,
        /// The largest document accepted, in MiB.
        #[arg(long, env = "NUVOLA_MAX_UPLOAD_MIB", default_value_t = 20)]
        max_upload_mib: u64,
        #[command(flatten)]
        smtp: SmtpArgs,
        /// The web application's public address, for links in e-mails.
        #[arg(
            long,
            env = "NUVOLA_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// The outbox's wait before the second attempt of a delivery, in ms; it doubles
        /// after each failure.
        #[arg(long, env = "NUVOLA_OUTBOX_BACKOFF_MS", default_value_t = 30_000)]
        outbox_backoff_ms: u64,
        /// The longest wait between two attempts, in ms.
        #[arg(
            long,
            env = "NUVOLA_OUTBOX_MAX_BACKOFF_MS",
            default_value_t = 3_600_000
        )]
        outbox_max_backoff_ms: u64,
        /// SPID, CIE and other OpenID Connect providers: a TOML or JSON file (see
        /// `service/oidc/config.rs`). Without it, password login only.
        #[arg(long, env = "NUVOLA_OIDC_CONFIG")]
        oidc_config: Option<PathBuf>,
    },
    /// Apply pending migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Import PA digitale 2026 open-data files (CSV or JSON).
    Import {
        /// Files of funded applications (candidature) or calls (avvisi), in the order the
        /// publisher ships them: a calls file first (it decides each call's measure).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print what the import would change (new, updated with the changed fields,
        /// unchanged, skipped with reasons, data-quality warnings) and write nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Write the funded applications in the open-data format.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Check every project's deadlines now: mark the overdue ones and notify.
    Deadlines {
        /// The day to check as (YYYY-MM-DD); default today.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Fill an empty database with a deterministic national programme (16,547
    /// administrations, ~25,000 projects, ~300,000 planned services, ~5 million audit
    /// events), on top of the demo data and accounts.
    SeedNational {
        /// The generator's seed: the same seed gives the same data set.
        #[arg(long, default_value_t = nuvola_server::seed::DEFAULT_SEED)]
        seed: u64,
        /// Fraction of the national figures to generate (tests use 0.01).
        #[arg(long, default_value_t = 1.0, hide = true)]
        scale: f64,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// One supplier with thousands of projects on the demo data (the big supplier of
    /// `seed-national`), for measuring the supplier's page without the whole national
    /// data set.
    #[command(hide = true)]
    SeedSupplier {
        /// How many projects it holds.
        #[arg(long, default_value_t = nuvola_server::seed::BIG_SUPPLIER_PROJECTS)]
        projects: usize,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from NUVOLA_PASSWORD or standard input.
    Add {
        /// ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT or VERIFIER; PUBLIC for a person
        /// with no membership, who asks for access after logging in.
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        /// IPA code of the body (ADMINISTRATION accounts).
        #[arg(long)]
        ipa: Option<String>,
        /// VAT number of the supplier (SUPPLIER and PSN accounts).
        #[arg(long)]
        supplier: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Let an existing account (a person) act for one more organisation.
    AddMembership {
        #[arg(long)]
        username: String,
        /// ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT or VERIFIER.
        #[arg(long)]
        role: String,
        /// IPA code of the body (ADMINISTRATION).
        #[arg(long)]
        ipa: Option<String>,
        /// VAT number of the supplier (SUPPLIER and PSN).
        #[arg(long)]
        supplier: Option<String>,
        /// The verifier body's name (VERIFIER), if any.
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(match cli.command {
        Command::Serve { .. } => "info",
        _ => "warn",
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            database,
            bind,
            demo: with_demo,
            static_dir,
            production,
            rate_limit,
            trust_proxy,
            deadline_check_secs,
            storage,
            s3_bucket,
            s3_endpoint,
            s3_region,
            s3_prefix,
            no_response_cache,
            max_upload_mib,
            smtp,
            public_url,
            outbox_backoff_ms,
            outbox_max_backoff_ms,
            oidc_config,
        } => {
            let oidc = oidc_config
                .as_deref()
                .map(nuvola_server::service::oidc::OidcConfig::load)
                .transpose()?;
            if let Some(config) = &oidc {
                let names: Vec<_> = config.providers.iter().map(|p| p.id.as_str()).collect();
                println!("OpenID Connect providers: {}", names.join(", "));
            }
            let db = db::connect_and_migrate(&database.url).await?;
            if with_demo {
                if let Some(report) = demo::load(&db).await? {
                    println!("demo data: {} ({})", report.summary(), demo::ATTRIBUTION);
                }
                println!("demo accounts (username / password):");
                for login in demo::LOGINS.iter().chain([&demo::MULTI, &demo::NEWCOMER]) {
                    println!(
                        "  {:<15} {:<16} / {:<24} {}",
                        login.role.code(),
                        login.username,
                        login.password,
                        login.bound_to
                    );
                }
            }
            let options = ServeOptions {
                limits: Limits {
                    introspection: !production,
                    private_webhooks: !production,
                    ..Limits::default()
                },
                requests_per_minute: rate_limit,
                trust_proxy,
                storage_dir: storage.unwrap_or_else(|| default_storage_dir(&database.url)),
                object_store: s3_bucket.map(|bucket| ObjectStoreConfig {
                    bucket,
                    prefix: s3_prefix,
                    endpoint: s3_endpoint,
                    region: s3_region,
                    access_key_id: std::env::var("AWS_ACCESS_KEY_ID").ok(),
                    secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY").ok(),
                }),
                max_upload_bytes: max_upload_mib.saturating_mul(1024 * 1024),
                response_cache: !no_response_cache,
                hsts: production,
                oidc,
                ..ServeOptions::new(bind, static_dir.unwrap_or_else(default_static_dir))
            };
            // A storage that cannot be reached fails the start, not the first upload.
            let storage =
                Storage::from_options(&options.storage_dir, options.object_store.as_ref())?;
            storage.check().await?;
            println!("documents are kept in {}", storage.describe());
            if deadline_check_secs > 0 {
                deadlines::spawn_periodic(db.clone(), Duration::from_secs(deadline_check_secs));
            }
            // The outbox: e-mail (when configured) and webhooks, with retries.
            let mailer = match smtp.smtp_host.clone() {
                Some(host) => Some(std::sync::Arc::new(mail::Mailer::new(
                    mail::SmtpSettings {
                        host,
                        port: smtp.smtp_port,
                        security: smtp.smtp_security,
                        username: smtp.smtp_username.clone(),
                        password: smtp.smtp_password.clone(),
                        from: smtp.smtp_from.clone(),
                        ca_file: smtp.smtp_ca_file.clone(),
                        public_url: public_url.clone(),
                        timeout: Duration::from_secs(30),
                    },
                )?)),
                None => {
                    tracing::info!(
                        "e-mail is off (no --smtp-host): e-mail deliveries wait in the outbox"
                    );
                    None
                }
            };
            let sender = webhooks::WebhookSender::new(!production, Duration::from_secs(10))?;
            let mut outbox_config = outbox::WorkerConfig::new(mailer, sender);
            outbox_config.base_backoff = Duration::from_millis(outbox_backoff_ms.max(1));
            outbox_config.max_backoff = Duration::from_millis(outbox_max_backoff_ms.max(1));
            outbox::spawn_worker(db.clone(), outbox_config);
            // The department's confirmed imports, one at a time across replicas.
            nuvola_server::service::import_job::spawn_worker(db.clone(), Duration::from_secs(1));
            let (server, addr) = nuvola_server::http::start(db.clone(), options)?;
            println!("Nuvola is listening on http://{addr}/");
            std::io::stdout().flush().ok();
            // Resolves after SIGTERM or SIGINT, once requests in flight are answered and
            // subscriptions closed (`http::start`).
            server.await.context("serving")?;
            // The periodic tasks end with the runtime; the pool says goodbye to the
            // database instead of dropping its connections.
            db.close().await.ok();
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { database } => {
            db::connect_and_migrate(&database.url).await?;
            println!("migrations applied to {}", db::redact(&database.url));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            files,
            dry_run,
            database,
        } => import_files(&files, dry_run, &database.url).await,
        Command::SeedNational {
            seed,
            scale,
            database,
        } => {
            if !(scale > 0.0 && scale <= 1.0) {
                anyhow::bail!("--scale must be in (0, 1]");
            }
            let db = db::connect_and_migrate(&database.url).await?;
            let progress = if std::io::stderr().is_terminal() {
                let bar = ProgressBar::new(0);
                if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            } else {
                ProgressBar::hidden()
            };
            let started = std::time::Instant::now();
            let report = nuvola_server::seed::seed_national(
                &db,
                nuvola_server::seed::Options { seed, scale },
                &progress,
            )
            .await
            .context("seeding the national data set")?;
            println!(
                "seeded in {:.0} s (seed {seed}, as of {}): {}",
                started.elapsed().as_secs_f64(),
                nuvola_server::seed::AS_OF,
                report.summary()
            );
            println!(
                "supplier with {} projects: username {} / password {}",
                report.big_supplier_projects,
                nuvola_server::seed::BIG_SUPPLIER_USERNAME,
                nuvola_server::seed::BIG_SUPPLIER_PASSWORD
            );
            println!("the demo logins work too (see `nuvola serve --demo`)");
            Ok(ExitCode::SUCCESS)
        }
        Command::SeedSupplier { projects, database } => {
            let db = db::connect_and_migrate(&database.url).await?;
            let done = nuvola_server::seed::fixture::big_supplier(&db, projects)
                .await
                .context("seeding the supplier")?;
            println!(
                "supplier with {} projects and {} services: username {} / password {}",
                done.projects,
                done.services,
                nuvola_server::seed::BIG_SUPPLIER_USERNAME,
                nuvola_server::seed::BIG_SUPPLIER_PASSWORD
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Deadlines { today, database } => {
            let db = db::connect_and_migrate(&database.url).await?;
            let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let reminders = deadlines::remind(&db, today)
                .await
                .context("raising deadline reminders")?;
            println!("reminders on {today}: {reminders} raised");
            let report = deadlines::check(&db, today)
                .await
                .context("checking deadlines")?;
            println!("{}", report.summary());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            format,
            out,
            database,
        } => {
            let db = db::connect_and_migrate(&database.url).await?;
            let rows = export::export_rows(&db).await?;
            match out {
                Some(path) => {
                    let mut file = std::io::BufWriter::new(
                        std::fs::File::create(&path)
                            .with_context(|| format!("creating {}", path.display()))?,
                    );
                    opendata::write_applications(&rows, format, &mut file)?;
                    file.flush()
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("exported {} applications to {}", rows.len(), path.display());
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    opendata::write_applications(&rows, format, &mut lock)?;
                    lock.flush().context("writing to standard output")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    role,
                    username,
                    ipa,
                    supplier,
                    database,
                },
        } => {
            let role = Role::parse(&role)?;
            let ipa_code = ipa.as_deref().map(IpaCode::parse).transpose()?;
            let supplier_vat = supplier.as_deref().map(VatNumber::parse).transpose()?;
            let password = read_password()?;
            let db = db::connect_and_migrate(&database.url).await?;
            let account = accounts::create(
                &db,
                accounts::NewAccount {
                    role,
                    username,
                    password,
                    ipa_code,
                    supplier_vat,
                    display_name: None,
                },
                &Actor::system("nuvola user add"),
            )
            .await?;
            println!("created account {} ({})", account.username, account.role);
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::AddMembership {
                    username,
                    role,
                    ipa,
                    supplier,
                    body,
                    database,
                },
        } => {
            let org = membership::Organisation {
                role: Role::parse(&role)?,
                ipa_code: ipa.as_deref().map(IpaCode::parse).transpose()?,
                supplier_vat: supplier.as_deref().map(VatNumber::parse).transpose()?,
                body_name: body,
            };
            let db = db::connect_and_migrate(&database.url).await?;
            let m = membership::add(
                &db,
                &username,
                &org,
                &Actor::system("nuvola user add-membership"),
            )
            .await?;
            println!("{username} may act as {} (membership {})", m.role, m.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn import_files(files: &[PathBuf], dry_run: bool, url: &str) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let db = if dry_run {
        // A dry run writes nothing, not even the schema.
        let db = db::connect(url).await?;
        let pending = db::pending_migrations(&db)
            .await
            .context("reading the applied migrations")?
            .len();
        if pending > 0 {
            anyhow::bail!(
                "the database {} is not up to date ({pending} migration(s) pending): run \
                 `nuvola migrate` first; a dry run writes nothing",
                db::redact(url)
            );
        }
        db
    } else {
        db::connect_and_migrate(url).await?
    };
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, "connected");
    let actor = Actor::system("nuvola import");
    let mut failed = false;
    let mut batch = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => batch.push((name, bytes)),
            Err(e) => {
                eprintln!("error: {name}: cannot read the file: {e}");
                failed = true;
            }
        }
    }
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mode = if dry_run {
        import::Mode::DryRun
    } else {
        import::Mode::Write
    };
    let outcomes = import::import_files(&db, &batch, &actor, mode, &progress).await?;
    let mut total = import::ImportReport::default();
    for ((name, _), outcome) in batch.iter().zip(outcomes) {
        match outcome {
            Ok(report) => {
                for line in report.details() {
                    eprintln!("{line}");
                }
                total.add(&report);
            }
            Err(e) => {
                eprintln!("error: {name}: {e}; nothing was imported from this file");
                failed = true;
            }
        }
    }
    if dry_run {
        println!("dry run: nothing was written; the import would do this:");
    }
    println!("{}", total.summary());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("NUVOLA_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("password: ");
        std::io::stderr().flush().ok();
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    if password.is_empty() {
        anyhow::bail!("no password: set NUVOLA_PASSWORD or pipe it to standard input");
    }
    Ok(password)
}

/// frontend/dist under the current folder, else beside the sources this binary was built from.
fn default_static_dir() -> PathBuf {
    let local = PathBuf::from("frontend/dist");
    if local.join("index.html").is_file() {
        return local;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/dist"))
}

fn default_storage_dir(database_url: &str) -> PathBuf {
    nuvola_server::storage::default_dir_for(database_url)
}
