//! The `leerwinst` command: CLI definition and glue only; the work lives in the library crates.

mod cli;
mod out_folder;
mod progress;
mod run;

fn main() -> std::process::ExitCode {
    cli::main()
}
