//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The port `stratus sandbox` serves on unless `--port` says otherwise (and the one
/// `stratus generate outputs` writes).
pub const DEFAULT_PORT: u16 = 4280;

#[derive(Debug, Parser)]
#[command(
    name = "stratus",
    version,
    about = "Run an AWS Amplify Gen 2 backend (the amplify/ folder) locally"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the loaded backend (the typed spec of amplify/) as JSON.
    Spec(DirArgs),
    /// Generate artifacts from amplify/.
    Generate {
        #[command(subcommand)]
        what: GenerateCommand,
    },
    /// Serve the backend locally over HTTPS, write amplify_outputs.json, and reload on save.
    Sandbox(SandboxCommand),
    /// Show the local CA certificate the sandbox's HTTPS uses, and how to trust it.
    Ca(CaArgs),
}

#[derive(Debug, Args)]
pub struct DirArgs {
    /// The project folder: the one that contains amplify/.
    #[arg(long, value_name = "ROOT", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Print the AppSync GraphQL schema AWS would generate for the data model.
    Schema(DirArgs),
    /// Write amplify_outputs.json for the default sandbox endpoint (https://127.0.0.1:4280).
    Outputs(GenerateOutputsArgs),
}

#[derive(Debug, Args)]
pub struct GenerateOutputsArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// Where to write amplify_outputs.json (default: ROOT).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The sandbox whose API key goes in the outputs (default: your OS user name).
    #[arg(long, value_name = "NAME")]
    pub identifier: Option<String>,
    /// The port the sandbox will serve on.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SandboxCommand {
    #[command(subcommand)]
    pub action: Option<SandboxAction>,
    #[command(flatten)]
    pub run: SandboxArgs,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// Names this sandbox's state (.amplify/stratus/<NAME>/); default: your OS user name.
    #[arg(long, value_name = "NAME")]
    pub identifier: Option<String>,
    /// Port to serve on (127.0.0.1); 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Where to write amplify_outputs.json (default: ROOT).
    #[arg(long, value_name = "DIR")]
    pub outputs_out_dir: Option<PathBuf>,
    /// Load, write amplify_outputs.json, and exit (no server, no watching).
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Subcommand)]
pub enum SandboxAction {
    /// Remove this sandbox's state (.amplify/stratus/<identifier>/).
    Delete(SandboxDeleteArgs),
}

#[derive(Debug, Args)]
pub struct SandboxDeleteArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// The sandbox to delete (default: your OS user name).
    #[arg(long, value_name = "NAME")]
    pub identifier: Option<String>,
    /// Accepted for `ampx sandbox delete -y` compatibility; stratus never prompts.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CaArgs {
    /// Print only the certificate's path (creating the CA if it does not exist yet).
    #[arg(long)]
    pub path: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("stratus").chain(args.iter().copied()))
    }

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sandbox_defaults() {
        let Command::Sandbox(cmd) = parse(&["sandbox"]).unwrap().command else {
            panic!("not sandbox");
        };
        assert!(cmd.action.is_none());
        assert_eq!(cmd.run.dir.dir, PathBuf::from("."));
        assert_eq!(cmd.run.port, DEFAULT_PORT);
        assert_eq!(cmd.run.identifier, None);
        assert_eq!(cmd.run.outputs_out_dir, None);
        assert!(!cmd.run.once);
    }

    #[test]
    fn sandbox_flags() {
        let cli = parse(&[
            "sandbox",
            "--dir",
            "app",
            "--identifier",
            "me",
            "--port",
            "0",
            "--outputs-out-dir",
            "web",
            "--once",
        ])
        .unwrap();
        let Command::Sandbox(cmd) = cli.command else {
            panic!("not sandbox");
        };
        assert_eq!(cmd.run.dir.dir, PathBuf::from("app"));
        assert_eq!(cmd.run.identifier.as_deref(), Some("me"));
        assert_eq!(cmd.run.port, 0);
        assert_eq!(cmd.run.outputs_out_dir, Some(PathBuf::from("web")));
        assert!(cmd.run.once);
    }

    #[test]
    fn sandbox_delete() {
        let cli = parse(&["sandbox", "delete", "--identifier", "me", "-y"]).unwrap();
        let Command::Sandbox(cmd) = cli.command else {
            panic!("not sandbox");
        };
        let Some(SandboxAction::Delete(args)) = cmd.action else {
            panic!("not delete");
        };
        assert_eq!(args.identifier.as_deref(), Some("me"));
        assert!(args.yes);
        // Run flags do not mix with the delete subcommand.
        assert!(parse(&["sandbox", "--port", "1", "delete"]).is_err());
    }

    #[test]
    fn generate_and_ca() {
        let cli = parse(&["generate", "outputs", "--dir", "x", "--out-dir", "y"]).unwrap();
        let Command::Generate {
            what: GenerateCommand::Outputs(args),
        } = cli.command
        else {
            panic!("not generate outputs");
        };
        assert_eq!(args.dir.dir, PathBuf::from("x"));
        assert_eq!(args.out_dir, Some(PathBuf::from("y")));
        assert_eq!(args.port, DEFAULT_PORT);
        assert!(matches!(
            parse(&["generate", "schema"]).unwrap().command,
            Command::Generate {
                what: GenerateCommand::Schema(_)
            }
        ));
        let Command::Ca(ca) = parse(&["ca", "--path"]).unwrap().command else {
            panic!("not ca");
        };
        assert!(ca.path);
        assert!(parse(&["bogus"]).is_err());
    }
}
