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
    /// Manage this sandbox's secrets (the values of secret('NAME')).
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretAction {
    /// Set a sandbox secret; the value is read from a prompt (or from standard input).
    Set(SecretNameArgs),
    /// Print a sandbox secret (name, version, value, lastUpdated).
    Get(SecretNameArgs),
    /// List the names of the sandbox's secrets.
    List(SecretArgs),
    /// Remove a sandbox secret, or all of them with --all.
    Remove(SecretRemoveArgs),
}

/// Which sandbox's secrets.
#[derive(Debug, Args)]
pub struct SecretArgs {
    #[command(flatten)]
    pub dir: DirArgs,
    /// The sandbox (default: your OS user name).
    #[arg(long, value_name = "NAME")]
    pub identifier: Option<String>,
}

#[derive(Debug, Args)]
pub struct SecretNameArgs {
    /// The secret's name, as in secret('NAME').
    #[arg(value_name = "SECRET_NAME")]
    pub name: String,
    #[command(flatten)]
    pub sandbox: SecretArgs,
}

#[derive(Debug, Args)]
pub struct SecretRemoveArgs {
    /// The secret to remove.
    #[arg(value_name = "SECRET_NAME")]
    pub name: Option<String>,
    /// Remove every secret of the sandbox.
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
    #[command(flatten)]
    pub sandbox: SecretArgs,
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
    use std::path::Path;

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
    fn sandbox_secret() {
        let secret = |args: &[&str]| {
            let Command::Sandbox(cmd) = parse(args).unwrap().command else {
                panic!("not sandbox");
            };
            let Some(SandboxAction::Secret { action }) = cmd.action else {
                panic!("not secret");
            };
            action
        };
        let SecretAction::Set(a) =
            secret(&["sandbox", "secret", "set", "API_KEY", "--identifier", "me"])
        else {
            panic!("not set");
        };
        assert_eq!(a.name, "API_KEY");
        assert_eq!(a.sandbox.identifier.as_deref(), Some("me"));
        assert!(matches!(
            secret(&["sandbox", "secret", "get", "K"]),
            SecretAction::Get(a) if a.name == "K"
        ));
        assert!(matches!(
            secret(&["sandbox", "secret", "list", "--dir", "app"]),
            SecretAction::List(a) if a.dir.dir == Path::new("app")
        ));
        assert!(matches!(
            secret(&["sandbox", "secret", "remove", "--all"]),
            SecretAction::Remove(a) if a.all && a.name.is_none()
        ));
        assert!(parse(&["sandbox", "secret", "remove", "K", "--all"]).is_err());
        assert!(
            parse(&["sandbox", "secret", "set"]).is_err(),
            "a name is required"
        );
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
