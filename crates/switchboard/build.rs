//! Rebuilds when a migration is added: `sqlx::migrate!` embeds the folder's files, and Cargo
//! does not know to look at it otherwise.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
