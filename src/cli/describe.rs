//! The command line describing itself: `dagplan completions SHELL` (clap_complete) and
//! `dagplan man` (a roff man page from the same definitions, clap_mangen).

use clap::CommandFactory;

use super::{Cli, Io, EXIT_OK};

/// Prints the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell, io: &mut Io) -> i32 {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dagplan", &mut out);
    write(&out, io)
}

/// Prints the man page of `dagplan` (`subcommand`: of `dagplan SUBCOMMAND`) in roff.
pub fn man(subcommand: Option<&str>, io: &mut Io) -> i32 {
    let mut cmd = Cli::command();
    cmd.build();
    let (page, title) = match subcommand {
        None => (cmd, "dagplan".to_string()),
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => (sub.clone(), format!("dagplan-{name}")),
            None => {
                let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
                let hint = crate::diagnostics::suggest(name, names.iter().map(String::as_str))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                return io.usage_error(&format!("`{name}` is not a dagplan command{hint}"));
            }
        },
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).title(title).render(&mut out) {
        return io.usage_error(&format!("cannot render the man page: {e}"));
    }
    write(&out, io)
}

fn write(bytes: &[u8], io: &mut Io) -> i32 {
    match io.out(&String::from_utf8_lossy(bytes)) {
        Ok(()) => EXIT_OK,
        Err(e) => io.usage_error(&format!("cannot write the output: {e}")),
    }
}
