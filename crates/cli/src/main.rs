//! `stratus`: run an AWS Amplify Gen 2 `amplify/` folder locally.

mod args;
mod commands;
mod function_env;
mod identity;
mod log;
mod outputs_file;
mod reload;
mod sandbox;
mod secrets;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, GenerateCommand, SandboxAction};

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    log::init();
    let result = match cli.command {
        Command::Spec(args) => commands::spec(&args),
        Command::Generate { what } => match what {
            GenerateCommand::Schema(args) => commands::generate_schema(&args),
            GenerateCommand::Outputs(args) => runtime().and_then(|rt| {
                rt.block_on(commands::generate_outputs(&args))
                    .map(|()| ExitCode::SUCCESS)
            }),
        },
        Command::Ca(args) => commands::ca(&args),
        Command::Sandbox(cmd) => match cmd.action {
            Some(SandboxAction::Delete(args)) => commands::sandbox_delete(&args),
            Some(SandboxAction::Secret { action }) => secrets::command(&action),
            None => runtime().and_then(|rt| rt.block_on(sandbox::run(cmd.run, started))),
        },
    };
    log::flush();
    match result {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the whole chain on one line: "context: cause".
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
