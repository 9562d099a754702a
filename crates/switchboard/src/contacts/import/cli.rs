//! `switchboard contacts import FILE --org SLUG` and `switchboard contacts export`: the import
//! shows a progress bar (bytes read of the file's size, rows a second, created / merged /
//! refused) redrawn in place on a terminal, or a plain line every tenth of the file when the
//! output is not one; then a summary and the first refused rows with their line numbers.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

use super::run::Progress;
use super::store::{ListTarget, STORED_ERRORS};
use super::{Options, export, file, model};
use crate::ids::OrgId;
use crate::services::Services;

#[derive(Subcommand, Debug)]
pub enum ContactsCommand {
    /// Import contacts from a CSV file: a refused row is reported by line and reason and the
    /// others still import; a contact whose phone is already known is merged, not repeated.
    Import {
        /// The CSV file (UTF-8, with a header row).
        file: PathBuf,
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        /// Two-letter country code that numbers without a leading + belong to (e.g. US).
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        /// Add every imported contact to this static list (created when missing).
        #[arg(long, value_name = "NAME")]
        list: Option<String>,
        /// Read column COL as FIELD, overriding the recognised header names: first_name,
        /// last_name, name, phone, phone_2.., phones, email, time_zone, tags, opt_out,
        /// opt_out_sms, opt_out_voice, field:<key> or ignore. Repeat for several columns.
        #[arg(long = "map", value_name = "COL=FIELD")]
        map: Vec<String>,
    },
    /// Export contacts as CSV (the columns an import reads back).
    Export {
        /// The organisation's slug.
        #[arg(long)]
        org: String,
        /// Export only this static list's members.
        #[arg(long, value_name = "NAME")]
        list: Option<String>,
        /// Where to write the CSV; standard output when absent.
        file: Option<PathBuf>,
    },
}

/// Runs a `contacts` command with the (migrated) services.
pub async fn run(services: &Services, command: ContactsCommand) -> anyhow::Result<()> {
    match command {
        ContactsCommand::Import {
            file,
            org,
            country,
            list,
            map,
        } => {
            let org_id = find_org(services, &org).await?;
            let options = Options {
                file_name: file
                    .file_name()
                    .map_or_else(|| "import.csv".into(), |n| n.to_string_lossy().into_owned()),
                country: country
                    .as_deref()
                    .map(model::country)
                    .transpose()
                    .map_err(flag("--country"))?,
                list: list
                    .as_deref()
                    .map(ListTarget::name)
                    .transpose()
                    .map_err(flag("--list"))?,
                mapping: map
                    .iter()
                    .map(|pair| model::parse_pair(pair, '='))
                    .collect::<Result<_, _>>()
                    .map_err(flag("--map"))?,
            };
            import(services, org_id, &org, file, &options).await
        }
        ContactsCommand::Export { org, list, file } => {
            let org = find_org(services, &org).await?;
            let list = match list {
                Some(name) => Some(
                    super::store::static_list(&services.db, org, &ListTarget::Name(name))
                        .await
                        .map_err(|e| anyhow::anyhow!("--list: {e}"))?,
                ),
                None => None,
            };
            let out: Box<dyn std::io::Write> = match &file {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut out = std::io::BufWriter::new(out);
            let export = export::Export::new(&services.db, org, list).await?;
            out.write_all(&export.header())?;
            let mut after = 0;
            while let (rows, Some(last)) = export.page(&services.db, after).await? {
                out.write_all(&rows)?;
                after = last;
            }
            out.flush()?;
            Ok(())
        }
    }
}

fn flag(name: &'static str) -> impl Fn(crate::error::Invalid) -> anyhow::Error {
    move |e| anyhow::anyhow!("{name}: {}", e.message)
}

async fn find_org(services: &Services, slug: &str) -> anyhow::Result<OrgId> {
    let org = crate::accounts::store::find_org_by_slug(&services.db, slug).await?;
    org.map(|o| o.id)
        .with_context(|| format!("--org: no organisation with slug '{slug}'"))
}

async fn import(
    services: &Services,
    org: OrgId,
    slug: &str,
    path: PathBuf,
    options: &Options,
) -> anyhow::Result<()> {
    let checked = path.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&checked)
            .with_context(|| format!("cannot open {}", checked.display()))?;
        file::check_text(std::io::BufReader::new(f)).map_err(anyhow::Error::from)
    })
    .await??;
    let plan = super::begin(services, org, &path, bytes, options).await?;
    let id = plan.id;
    let reader = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(&path)?);
    let mut bar = Bar::new(std::io::stdout().is_terminal());
    let outcome = super::run::run(services, plan, reader, |p| bar.show(p)).await;
    bar.end();
    let done = outcome?;
    print_summary(&options.file_name, slug, id, &done);
    Ok(())
}

fn print_summary(file: &str, slug: &str, id: crate::ids::ImportId, p: &Progress) {
    println!(
        "Imported {file} into '{slug}' in {:.1} s (import {id}): {} rows read, {} created, {} merged, {} refused.",
        p.seconds,
        thousands(p.rows_read),
        thousands(p.created),
        thousands(p.merged),
        thousands(p.invalid)
    );
    if p.first_errors.is_empty() {
        return;
    }
    println!(
        "Refused rows (the first {}; up to {STORED_ERRORS} are kept with the import):",
        p.first_errors.len()
    );
    for e in &p.first_errors {
        match &e.field {
            Some(field) => println!("  line {}, {field}: {}", e.line, e.reason),
            None => println!("  line {}: {}", e.line, e.reason),
        }
    }
}

/// The progress display.
struct Bar {
    tty: bool,
    /// Tenths of the file reported so far (plain lines).
    tenths: u64,
    drawn: bool,
}

impl Bar {
    fn new(tty: bool) -> Bar {
        Bar {
            tty,
            tenths: 0,
            drawn: false,
        }
    }

    fn show(&mut self, p: &Progress) {
        let total = p.bytes_total.unwrap_or(0).max(1);
        let percent = (p.bytes_read.min(total) * 100 / total).min(100);
        let rate = if p.seconds > 0.0 {
            (p.rows_read as f64 / p.seconds) as u64
        } else {
            0
        };
        let text = format!(
            "{percent:>3}%  {} of {}  {} rows/s  created {}  merged {}  refused {}",
            megabytes(p.bytes_read),
            megabytes(total),
            thousands(rate),
            thousands(p.created),
            thousands(p.merged),
            thousands(p.invalid)
        );
        let mut out = std::io::stdout().lock();
        if self.tty {
            let filled = (percent / 5) as usize;
            let bar = format!("{}{}", "#".repeat(filled), "-".repeat(20 - filled));
            let _ = write!(out, "\r[{bar}] {text}\x1b[K");
            let _ = out.flush();
            self.drawn = true;
        } else if percent / 10 > self.tenths {
            self.tenths = percent / 10;
            let _ = writeln!(out, "progress: {text}");
        }
    }

    fn end(&self) {
        if self.drawn {
            println!();
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(super::thousands(n), text);
        }
    }
}
