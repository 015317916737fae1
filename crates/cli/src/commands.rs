//! The one-shot commands: `spec`, `generate schema|outputs`, `ca`, `sandbox delete`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use stratus_server::LocalCa;
use stratus_spec::Backend;
use stratus_store::Store;

use crate::args::{CaArgs, DirArgs, GenerateOutputsArgs, SandboxDeleteArgs};
use crate::identity;
use crate::outputs_file::{self, OUTPUTS_FILE};
use crate::reload::{self, ServerInfo};

fn load(dir: &Path) -> anyhow::Result<Backend> {
    let root = identity::project_root(dir)?;
    let backend = reload::load_backend(&root).map_err(|e| anyhow!(e))?;
    for warning in &backend.warnings {
        tracing::warn!("{warning}");
    }
    Ok(backend)
}

/// `stratus spec`: the backend as JSON on stdout.
pub fn spec(args: &DirArgs) -> anyhow::Result<ExitCode> {
    let backend = load(&args.dir)?;
    println!("{}", serde_json::to_string_pretty(&backend)?);
    Ok(ExitCode::SUCCESS)
}

/// `stratus generate schema`: the AppSync SDL on stdout.
pub fn generate_schema(args: &DirArgs) -> anyhow::Result<ExitCode> {
    let backend = load(&args.dir)?;
    let Some(data) = &backend.data else {
        bail!("amplify/ defines no data resource (defineData)");
    };
    let sdl = stratus_schema::appsync::generate_sdl(data)?;
    print!("{sdl}");
    if !sdl.ends_with('\n') {
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `stratus generate outputs`: amplify_outputs.json for the sandbox at the default origin, with
/// the same API key and CA the sandbox of that identifier uses.
pub async fn generate_outputs(args: &GenerateOutputsArgs) -> anyhow::Result<()> {
    let root = identity::project_root(&args.dir.dir)?;
    let backend = load(&root)?;
    let identifier = identity::identifier(args.identifier.as_deref())?;
    let store = Store::open(&identity::state_dir(&root, &identifier)).await?;
    let api_key = store.ensure_api_key(reload::api_key_ttl(&backend)).await?;
    let instance_id = store.meta().await?.instance_id;
    store.close().await;
    let ca = LocalCa::load_or_create(&LocalCa::default_dir()?)?;
    let info = ServerInfo {
        origin: format!("https://127.0.0.1:{}", args.port),
        ca_file: ca.cert_path().to_path_buf(),
        instance_id,
        api_key: api_key.key,
    };
    let outputs = reload::generate_outputs(&backend, &info).map_err(|e| anyhow!(e))?;
    let out_dir = match &args.out_dir {
        Some(dir) => std::path::absolute(dir)?,
        None => root,
    };
    let path = out_dir.join(OUTPUTS_FILE);
    outputs_file::write_if_changed(&path, &outputs_file::render(&outputs))?;
    println!("{}", path.display());
    Ok(())
}

/// `stratus ca [--path]`.
pub fn ca(args: &CaArgs) -> anyhow::Result<ExitCode> {
    let dir = LocalCa::default_dir()?;
    let ca = LocalCa::load_or_create(&dir)?;
    let path = ca.cert_path().display();
    if args.path {
        println!("{path}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "\
Local CA certificate: {path}
(its key, {key}, stays on this machine: never share it)

The sandbox serves https://127.0.0.1:<port> with a certificate this CA signs for localhost,
127.0.0.1 and ::1. Trust the CA where your client runs:

  Node.js        NODE_EXTRA_CA_CERTS={path} npm run dev
  Debian/Ubuntu  sudo cp {path} /usr/local/share/ca-certificates/stratus-local-ca.crt && sudo update-ca-certificates
  Fedora/RHEL    sudo cp {path} /etc/pki/ca-trust/source/anchors/stratus-local-ca.pem && sudo update-ca-trust
  macOS          sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {path}
  Windows        certutil -user -addstore Root {path}
  Firefox        Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import

Another location: set {env} (before the first run, or trust the new CA again).",
        key = ca.dir().join(stratus_server::ca::CA_KEY_FILE).display(),
        env = stratus_server::ca::CA_DIR_ENV,
    );
    Ok(ExitCode::SUCCESS)
}

/// `stratus sandbox delete`: remove `.amplify/stratus/<identifier>/`.
pub fn sandbox_delete(args: &SandboxDeleteArgs) -> anyhow::Result<ExitCode> {
    let root = identity::project_root(&args.dir.dir)?;
    let identifier = identity::identifier(args.identifier.as_deref())?;
    let state = identity::state_dir(&root, &identifier);
    if !state.exists() {
        println!(
            "sandbox \"{identifier}\" has no state at {}; nothing to delete",
            state.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    std::fs::remove_dir_all(&state).with_context(|| format!("deleting {}", state.display()))?;
    println!("deleted sandbox \"{identifier}\" ({})", state.display());
    Ok(ExitCode::SUCCESS)
}
