//! `stratus sandbox`: start, serve, watch, reload, stop.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use stratus_auth::sender::{ChannelSender, SmsWebhookSender, SmtpSender};
use stratus_auth::{Outbox, Sender};
use stratus_server::{LiveBackend, LocalCa, Shared};
use stratus_store::Store;

use crate::args::SandboxArgs;
use crate::identity;
use crate::outputs_file::OUTPUTS_FILE;
use crate::reload::{self, Outcome, Reloader, ReloaderConfig};
use crate::{secrets, watch};

pub async fn run(args: SandboxArgs, started: Instant) -> anyhow::Result<ExitCode> {
    let root = identity::project_root(&args.dir.dir)?;
    let identifier = identity::identifier(args.identifier.as_deref())?;
    let amplify_dir = root.join("amplify");
    if !amplify_dir.is_dir() {
        bail!("{} has no amplify/ folder", root.display());
    }
    let state_dir = identity::state_dir(&root, &identifier);
    let outputs_path = match &args.outputs_out_dir {
        Some(dir) => std::path::absolute(dir)?.join(OUTPUTS_FILE),
        None => root.join(OUTPUTS_FILE),
    };

    // Watch before the first load reads anything, so a save made while starting (or right
    // after the outputs appear) is never missed: it queues a reload.
    let (changes_tx, mut changes) = tokio::sync::mpsc::unbounded_channel();
    // `stratus sandbox secret set|remove` rewrites this file: the sandbox reloads with it.
    let secrets_path = state_dir.join(secrets::SECRETS_FILE);
    let secrets_watcher = if args.once {
        None
    } else {
        Some(secrets::watch(&secrets_path, changes_tx.clone())?)
    };
    let watcher = if args.once {
        None
    } else {
        Some(
            watch::watch(&amplify_dir, watch::DEBOUNCE, changes_tx)
                .with_context(|| format!("cannot watch {}", amplify_dir.display()))?,
        )
    };

    // Everything independent starts at once: the load (CPU, on a blocking thread), the CA and
    // leaf certificate (CPU + files), the state database and the listening socket.
    let load_started = Instant::now();
    let initial_load = tokio::task::spawn_blocking({
        let root = root.clone();
        move || reload::load_backend(&root)
    });
    let tls = tokio::task::spawn_blocking(|| -> anyhow::Result<_> {
        let dir = LocalCa::default_dir()?;
        let ca = LocalCa::load_or_create(&dir)?;
        Ok((ca.cert_path().to_path_buf(), ca.server_config()?))
    });
    let store = Store::open(&state_dir).await?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = stratus_server::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another sandbox using it? try --port 0)")
    })?;
    let port = listener.local_addr()?.port();
    let (ca_file, tls_config) = tls.await.context("creating the TLS certificate")??;
    let origin = format!("https://127.0.0.1:{port}");

    let outbox = Outbox::new();
    let sender = external_sender(&outbox)?;
    let shared = Shared::new();
    let reloader = Reloader::new(
        ReloaderConfig {
            root: root.clone(),
            outputs_path,
            origin: origin.clone(),
            ca_file: ca_file.clone(),
            outbox,
            sender,
            admin_credentials_path: state_dir.join(reload::ADMIN_CREDENTIALS_FILE),
            storage_root: state_dir.join(reload::STORAGE_DIR),
            functions_dir: state_dir.join(reload::FUNCTIONS_DIR),
        },
        shared.clone(),
        store.clone(),
        Arc::new(reload::load_backend),
        Arc::new(reload::generate_outputs),
    )
    .await?
    .with_secrets_file(&secrets_path);
    let loaded = initial_load
        .await
        .unwrap_or_else(|e| Err(format!("the loader crashed: {e}")));
    let outcome = reloader.apply(loaded, load_started).await;

    if args.once {
        let code = match &outcome {
            Outcome::Loaded {
                live,
                outputs_written,
                ..
            } => {
                announce_warnings(&outcome);
                let verb = if *outputs_written {
                    "wrote"
                } else {
                    "unchanged:"
                };
                tracing::info!(
                    "{verb} {} ({} in {})",
                    reloader.outputs_path().display(),
                    services_text(&live.services()),
                    ms(live.load_duration)
                );
                ExitCode::SUCCESS
            }
            Outcome::Failed { error, .. } => {
                tracing::error!("{error}");
                ExitCode::FAILURE
            }
        };
        store.close().await;
        return Ok(code);
    }

    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(stratus_server::serve(
        listener,
        tls_config,
        stratus_server::router(shared.clone()),
        async {
            let _ = server_stopped.await;
        },
    ));

    tracing::info!("stratus sandbox \"{identifier}\"");
    banner_line(
        "origin",
        &format!("{origin}  (also plain http://127.0.0.1:{port})"),
    );
    banner_line("outputs", &reloader.outputs_path().display().to_string());
    banner_line("state", &state_dir.display().to_string());
    banner_line("CA", &ca_file.display().to_string());
    banner_line("watching", &amplify_dir.display().to_string());
    let mut shown_endpoints = Vec::new();
    announce(&outcome, &origin, &mut shown_endpoints, true);
    tracing::info!(
        "ready in {}; watching for changes (Ctrl-C to stop)",
        ms(started.elapsed())
    );

    let reload_loop = async {
        while let Some(mut paths) = changes.recv().await {
            while let Ok(more) = changes.try_recv() {
                paths.extend(more);
            }
            tracing::info!("changed: {}", describe_paths(&paths, &root));
            let outcome = reloader.reload().await;
            announce(&outcome, &origin, &mut shown_endpoints, false);
        }
    };
    tokio::select! {
        () = reload_loop => {}
        () = shutdown_signal() => {}
    }

    drop(watcher);
    drop(secrets_watcher);
    let _ = stop_server.send(());
    let _ = server.await;
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn announce(
    outcome: &Outcome,
    origin: &str,
    shown_endpoints: &mut Vec<(String, String)>,
    first: bool,
) {
    announce_warnings(outcome);
    match outcome {
        Outcome::Loaded {
            live,
            outputs_written,
            ..
        } => {
            let verb = if first { "loaded" } else { "reloaded" };
            let outputs = if *outputs_written {
                "outputs written"
            } else {
                "outputs unchanged"
            };
            tracing::info!(
                "{verb} in {} (generation {}, {}; {outputs})",
                ms(live.load_duration),
                live.generation,
                services_text(&live.services())
            );
            let endpoints = endpoint_lines(live, origin);
            if endpoints != *shown_endpoints {
                for (name, url) in &endpoints {
                    banner_line(name, url);
                }
                *shown_endpoints = endpoints;
            }
        }
        Outcome::Failed {
            error,
            serving,
            duration,
        } => {
            tracing::error!("{error}");
            match serving {
                Some(generation) => tracing::warn!(
                    "reload failed after {}; still serving generation {generation}",
                    ms(*duration)
                ),
                None => tracing::warn!("nothing to serve yet; waiting for a fix"),
            }
        }
    }
}

/// `  name           value`, aligned.
fn banner_line(name: &str, value: &str) {
    tracing::info!("  {name:<14} {value}");
}

fn announce_warnings(outcome: &Outcome) {
    if let Outcome::Loaded { warnings, .. } = outcome {
        for warning in warnings {
            tracing::warn!("{warning}");
        }
    }
}

/// `graphql` (the outputs' `data.url`), then the endpoints this generation really serves
/// (`user_pool`, `jwks`, `outbox` when `defineAuth` is there). The outputs always advertise
/// `custom.stratus.*_endpoint`; a service not served is not announced.
fn endpoint_lines(live: &LiveBackend, origin: &str) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    if let Some(url) = live.outputs.pointer("/data/url").and_then(|u| u.as_str()) {
        lines.push(("graphql".to_owned(), url.to_owned()));
    }
    for (name, url) in live.services.endpoints(origin) {
        lines.push((name.to_owned(), url));
    }
    lines
}

fn services_text(services: &[&str]) -> String {
    if services.is_empty() {
        "no services".to_owned()
    } else {
        services.join(", ")
    }
}

fn describe_paths(paths: &[PathBuf], root: &Path) -> String {
    let mut shown: Vec<String> = paths
        .iter()
        .take(3)
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .collect();
    if paths.len() > 3 {
        shown.push(format!("and {} more", paths.len() - 3));
    }
    shown.join(", ")
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Real delivery of the user pool's messages when configured: SMTP (`STRATUS_SMTP_URL`,
/// `STRATUS_SMTP_FROM`) and an SMS webhook (`STRATUS_SMS_WEBHOOK_URL`, optional
/// `STRATUS_SMS_WEBHOOK_TOKEN`). Every message still reaches the outbox. A malformed setting
/// stops the start with its error.
fn external_sender(outbox: &Arc<Outbox>) -> anyhow::Result<Option<Arc<dyn Sender>>> {
    let email = SmtpSender::from_env()
        .context("STRATUS_SMTP_URL")?
        .map(|s| Arc::new(s) as Arc<dyn Sender>);
    let sms = SmsWebhookSender::from_env()
        .context("STRATUS_SMS_WEBHOOK_URL")?
        .map(|s| Arc::new(s) as Arc<dyn Sender>);
    if email.is_none() && sms.is_none() {
        return Ok(None);
    }
    if email.is_some() {
        tracing::info!("email goes out over SMTP (STRATUS_SMTP_URL)");
    }
    if sms.is_some() {
        tracing::info!("SMS goes out through the webhook (STRATUS_SMS_WEBHOOK_URL)");
    }
    let sender = ChannelSender::new(outbox.clone())
        .with_email(email)
        .with_sms(sms);
    Ok(Some(Arc::new(sender)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_served_endpoints_are_announced() {
        let outputs = json!({
            "data": {"url": "https://127.0.0.1:4280/graphql"},
            "custom": {"stratus": {
                "user_pool_endpoint": "https://127.0.0.1:4280/cognito-idp",
                "ca_file": "/ca/rootCA.pem"
            }}
        });
        let shared = Shared::new();
        let live = shared.swap(stratus_spec::Backend::default(), outputs, Duration::ZERO);
        // No user pool was opened: the advertised user_pool_endpoint is not announced.
        assert_eq!(
            endpoint_lines(&live, "https://127.0.0.1:4280"),
            vec![(
                "graphql".to_owned(),
                "https://127.0.0.1:4280/graphql".to_owned()
            )]
        );
        let live = shared.swap(
            stratus_spec::Backend::default(),
            json!({"version": "1.4"}),
            Duration::ZERO,
        );
        assert!(endpoint_lines(&live, "https://127.0.0.1:4280").is_empty());
    }

    #[test]
    fn formatting() {
        assert_eq!(ms(Duration::from_micros(1_234)), "1.2 ms");
        assert_eq!(ms(Duration::from_millis(123)), "123 ms");
        assert_eq!(services_text(&[]), "no services");
        assert_eq!(services_text(&["auth", "data"]), "auth, data");
        let root = Path::new("/p");
        let paths: Vec<PathBuf> = (0..5).map(|i| PathBuf::from(format!("/p/f{i}"))).collect();
        assert_eq!(describe_paths(&paths[..1], root), "f0");
        assert_eq!(describe_paths(&paths, root), "f0, f1, f2, and 2 more");
    }
}
