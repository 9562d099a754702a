//! The command line: `switchboard serve`, admin commands, and the simulator's own commands.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use sqlx::Connection as _;

use crate::accounts::{self, OrgId, Role};
use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::config::{Config, SETTINGS};
use crate::db::Db;
use crate::ids::LineId;
use crate::telephony::Telephony;

#[derive(Parser, Debug)]
#[command(
    name = "switchboard",
    version,
    about = "One self-hosted server for an organisation's phone and text work on Twilio.",
    long_about = "One self-hosted server for an organisation's phone and text work on Twilio: volunteer hotlines, \
on-call escalation, click-to-call campaigns, outbound voice campaigns and SMS campaigns.\n\n\
With no configuration it uses SQLite in ./data/, simulated telephony and an email outbox. \
Settings come from defaults, then an optional switchboard.toml (--config or SWITCHBOARD_CONFIG), then the environment; \
`switchboard print-config` shows the result."
)]
pub struct Cli {
    /// Path to a switchboard.toml (also SWITCHBOARD_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server, job workers and scheduler in one process.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration, secrets redacted.
    PrintConfig,
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage people who can sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The Twilio simulator on its own: serve it, or place calls and texts into it.
    #[command(subcommand)]
    Sim(twilio_sim::cli::SimCommand),
    /// Print a Twilio Studio flow definition (JSON) running the on-call escalation flow for a
    /// ladder line against this server's /api/telephony endpoints.
    StudioFlow {
        /// The ladder line's id.
        #[arg(long)]
        line: LineId,
        /// The server's public URL as Twilio reaches it, e.g. https://switchboard.example.org.
        #[arg(long, value_name = "URL")]
        base_url: String,
    },
    /// Import contacts from CSV, or export them.
    #[command(subcommand)]
    Contacts(crate::contacts::import::cli::ContactsCommand),
    /// Copy the SQLite database to PATH while the server runs (for PostgreSQL use pg_dump).
    Backup {
        /// Where to write the copy; must not exist yet.
        path: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (overrides SWITCHBOARD_LISTEN; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Seed a sample organisation's data into `default` (people, lines, behaviours).
    #[arg(long)]
    pub demo: bool,
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Create an organisation.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a person in an organisation, with a dashboard login when a password is given.
    Create {
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// owner, admin, manager, agent or viewer.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token; the token alone is printed on the last line.
    Create {
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        /// owner, admin, manager, agent or viewer (default admin).
        #[arg(long, default_value = "admin")]
        role: String,
    },
}

/// Runs a parsed command line; errors are printed as one message and exit non-zero.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    if let Command::Sim(cmd) = cli.command {
        crate::telemetry::init(crate::config::LogFormat::Text);
        return twilio_sim::cli::run(cmd).await;
    }
    let mut config = Config::from_process(cli.config.as_deref())?;
    match cli.command {
        Command::Serve(args) => {
            if let Some(listen) = args.listen {
                let default_public = format!("http://{}/", config.listen);
                config.listen = listen;
                if config.public_url.as_str() == default_public {
                    config.public_url = format!("http://{listen}").parse()?;
                }
            }
            crate::telemetry::init(config.log_format);
            serve(config, args.demo).await
        }
        Command::Migrate => {
            let db =
                Db::connect_with(config.database_url.expose(), config.sqlite_settings()).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::PrintConfig => {
            for (name, value) in config.describe() {
                println!("{name:<28} {value}");
            }
            Ok(())
        }
        Command::Org(OrgCommand::Create { slug, name }) => {
            let state = admin_state(config).await?;
            let slug = accounts::model::clean_slug(&slug)?;
            let name = accounts::model::clean_name(&name)?;
            let org =
                accounts::store::create_org(&state.db, &slug, &name, state.clock.now_ms()).await?;
            println!("created organisation {} ({})", org.slug, org.id);
            Ok(())
        }
        Command::User(UserCommand::Create {
            org,
            email,
            role,
            name,
            password_stdin,
        }) => {
            let state = admin_state(config).await?;
            let org = find_org(&state, &org).await?;
            let role = parse_role(&role)?;
            let email = accounts::model::clean_email(&email)?;
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or("user").to_string());
            let hash = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let hash = hash
                .map(|p| accounts::secrets::hash_password(&p))
                .transpose()?;
            let new = accounts::NewPerson {
                name,
                email: Some(email),
                phone: None,
                role,
                available: true,
                active: true,
            }
            .validate()?;
            let person = accounts::store::create_person(
                &state.db,
                org,
                &new,
                hash.as_deref(),
                state.clock.now_ms(),
            )
            .await?;
            println!(
                "created {} {} ({}){}",
                person.role,
                person.email.unwrap_or_default(),
                person.id,
                if person.has_login {
                    ""
                } else {
                    " without a login (use --password-stdin to give one)"
                }
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create { org, name, role }) => {
            let state = admin_state(config).await?;
            let org = find_org(&state, &org).await?;
            let role = parse_role(&role)?;
            let name = accounts::model::clean_name(&name)?;
            let (token, secret) =
                accounts::store::create_token(&state.db, org, &name, role, state.clock.now_ms())
                    .await?;
            eprintln!(
                "created token '{}' ({}) with role {}; it is shown once:",
                token.name, token.id, token.role
            );
            println!("{secret}");
            Ok(())
        }
        Command::StudioFlow { line, base_url } => {
            let state = admin_state(config).await?;
            let flow = crate::hotline::studio_flow::for_line(&state, line, &base_url).await?;
            println!("{}", serde_json::to_string_pretty(&flow)?);
            Ok(())
        }
        Command::Contacts(cmd) => {
            crate::contacts::import::cli::run(&admin_state(config).await?.services, cmd).await
        }
        Command::Backup { path } => backup(&config, &path).await,
        Command::Sim(_) => unreachable!("handled above"),
    }
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    role.parse::<Role>().ok().with_context(|| {
        format!("--role '{role}' must be one of owner, admin, manager, agent, viewer")
    })
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if let Some(problem) = accounts::secrets::password_problem(&password) {
        anyhow::bail!("the password {problem}");
    }
    Ok(password)
}

async fn find_org(state: &AppState, slug: &str) -> anyhow::Result<OrgId> {
    let org = accounts::store::find_org_by_slug(&state.db, slug).await?;
    org.map(|o| o.id)
        .with_context(|| format!("--org: no organisation with slug '{slug}'"))
}

/// State for one-shot admin commands: migrated database, no telephony, no workers.
async fn admin_state(config: Config) -> anyhow::Result<AppState> {
    let clock = config
        .clock_start
        .map_or_else(Clock::system, Clock::starting_at);
    let telephony = Telephony::offline(&config)?;
    AppState::new(config, clock, telephony).await
}

async fn backup(config: &Config, path: &std::path::Path) -> anyhow::Result<()> {
    if path.exists() {
        anyhow::bail!("{} already exists; choose a new path", path.display());
    }
    let db = Db::connect_with(config.database_url.expose(), config.sqlite_settings()).await?;
    let Db::Sqlite(sqlite) = &db else {
        anyhow::bail!(
            "backup copies SQLite databases; for PostgreSQL run pg_dump (see the README)"
        );
    };
    let target = path
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    // A connection of its own: the server's readers refuse writes, and VACUUM INTO writes
    // (to the copy); copying while holding the write gate would stall the server's writers.
    let mut conn = sqlx::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(sqlite.path()),
    )
    .await
    .context("opening the database to back it up")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .context("VACUUM INTO")?;
    conn.close().await?;
    println!("backed up to {}", path.display());
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (SWITCHBOARD_LISTEN)", config.listen))?;
    let workers = config.workers;
    let clock = config
        .clock_start
        .map_or_else(Clock::system, Clock::starting_at);
    let telephony = Telephony::start(&config).await?;
    let state = AppState::new(config, clock, telephony).await?;
    let dashboard = state.config.public_url_for("/");
    crate::jobs::maintenance::ensure_schedules(&state).await?;
    crate::hotline::jobs::reminders::ensure_schedules(&state).await?;
    crate::hotline::provision::provision_all_simulated(&state).await?;
    crate::telephony::numbers::provision::provision_all_simulated(&state, &state.owners).await?;
    if let Some((email, password)) = app::bootstrap(&state).await? {
        println!("Created organisation 'default' with owner {email}.");
        match password {
            Some(p) => println!("Its generated password (shown once): {p}"),
            None => println!("Its password is SWITCHBOARD_ADMIN_PASSWORD."),
        }
    }
    if demo {
        crate::ui::demo::seed(&state).await?;
        println!("Demo data seeded into 'default'.");
    }
    let running = app::start(state, listener, workers)?;
    tracing::info!(listen = %running.addr, db = ?running.state.db.kind(), "Switchboard is serving");
    println!(
        "Dashboard: {dashboard}  (settings: {} of them; see `switchboard print-config`)",
        SETTINGS.len()
    );
    shutdown_signal().await;
    tracing::info!("shutting down: no new requests or jobs; finishing running jobs");
    running.shutdown().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
