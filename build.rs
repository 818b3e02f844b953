//! Rebuilds the engine when a migration is added or changed: the SQL files
//! are embedded at compile time and cargo would not notice them otherwise.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
