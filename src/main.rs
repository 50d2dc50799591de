//! The `parallax` command: parse flags, call the library, map errors to exit codes
//! (0 ok, 1 bad input or usage, 2 internal error); a closed pipe is not an error.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    clean_up_on_signals();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors are bad input: 1.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    if cli.threads == Some(0) {
        eprintln!("error: --threads must be at least 1");
        return ExitCode::from(1);
    }
    use parallax::threads::{MAX_THREADS_PER_CORE, Started};
    match parallax::threads::start(cli.threads) {
        Ok(Started {
            requested: Some(asked),
            threads: Some(n),
            cores,
        }) if asked != n => eprintln!(
            "parallax: --threads {asked} capped at {n} ({MAX_THREADS_PER_CORE} per core, {cores} cores)"
        ),
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    }
    match std::panic::catch_unwind(|| run(&cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        // A signal is ending the process and removed the files this run was writing: the
        // process ends as the signal says, not with the error that caused.
        Ok(Err(_)) if parallax::io::atomic::ending_on_signal() => loop {
            std::thread::park();
        },
        Ok(Err(e)) => {
            // Messages quote the input (a CSV header, a field): no byte of it may drive the
            // terminal.
            eprintln!(
                "error: {}",
                parallax::io::terminal::printable(&format!("{e:#}"))
            );
            ExitCode::from(1)
        }
        Err(_) => {
            eprintln!(
                "error: internal error (a bug in parallax); please report it with the command line"
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &cli.command {
        Command::Vectorize(args) => cli::vectorize::vectorize(args, cli.quiet)?,
        Command::Fit(args) => cli::vectorize::fit(args, cli.quiet)?,
        Command::Transform(args) => cli::vectorize::transform(args, cli.quiet)?,
        Command::Merge(args) => cli::vectorize::merge(args, cli.quiet)?,
        Command::Stats(args) => cli::stats::stats(args, cli.quiet, &mut out)?,
        Command::Similar(args) => cli::similar::similar(args, cli.quiet, &mut out)?,
        Command::Stories(args) => cli::stories::stories(args, cli.quiet, &mut out)?,
        Command::Eval(args) => cli::eval::eval(args, cli.quiet, &mut out)?,
        Command::Compare(args) => cli::compare::compare(args, cli.quiet, &mut out)?,
        Command::Keywords(args) => cli::keywords::keywords(args, cli.quiet, &mut out)?,
        Command::Keyness(args) => cli::keyness::keyness(args, cli.quiet, &mut out)?,
        Command::Blocks(args) => cli::blocks::blocks(args, cli.quiet, &mut out)?,
        Command::Stopwords { list } => {
            let words = if list == "sklearn" {
                parallax::analysis::stopwords::sklearn_english()
            } else {
                let language: parallax::analysis::Language =
                    list.parse().map_err(anyhow::Error::msg)?;
                parallax::analysis::stopwords::builtin(language)
            };
            for w in words {
                writeln!(out, "{w}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// On Ctrl-C (SIGINT), SIGTERM or SIGHUP, removes the temporaries of the writes in progress
/// before the process ends as the signal says. The signals are blocked in every thread (the
/// mask is inherited, so this runs before any other thread starts) and taken by one thread of
/// their own, where removing files is safe, unlike in a signal handler.
#[cfg(unix)]
fn clean_up_on_signals() {
    const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
    // SAFETY: a signal set on the stack, filled and passed by pointer to calls that only read
    // or fill it; raise() ends the process with the signal's default action.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in SIGNALS {
            libc::sigaddset(&mut set, signal);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let mut signal = 0;
                if libc::sigwait(&set, &mut signal) != 0 {
                    return;
                }
                parallax::io::atomic::remove_temporaries();
                libc::signal(signal, libc::SIG_DFL);
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::raise(signal);
            });
        if spawned.is_err() {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
fn clean_up_on_signals() {}
