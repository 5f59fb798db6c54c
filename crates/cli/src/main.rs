//! The `leerwinst` command: CLI definition and glue only; the work lives in the library crates.

mod cli;
mod error_text;
mod init;
mod inspect;
mod language;
mod out_folder;
mod progress;
mod run;

fn main() -> std::process::ExitCode {
    // `leerwinst schema | head`: a closed pipe ends the process quietly, as for any Unix tool,
    // instead of a panic in println!.
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default before any thread starts.
    #[allow(unsafe_code)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::main()
}
