//! The per-user local certificate authority (as mkcert and Caddy do it).
//!
//! Created once in [`LocalCa::default_dir`] as `rootCA.pem` + `rootCA-key.pem` (the key with
//! 0600 permissions). Every sandbox start issues a fresh leaf certificate for `localhost`,
//! `127.0.0.1` and `::1` signed by it, so a client that trusts `rootCA.pem` trusts the sandbox.
//!
//! The CA's subject is derived from its key (`Stratus Local CA <key id>`), so the issuer can be
//! rebuilt from the key file alone; at load we check that a leaf issued this way verifies
//! against the certificate on disk.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SanType,
};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use time::OffsetDateTime;

/// Environment variable that overrides where the CA lives.
pub const CA_DIR_ENV: &str = "STRATUS_CA_DIR";
/// The CA certificate (what clients trust).
pub const CA_CERT_FILE: &str = "rootCA.pem";
/// The CA private key (PKCS#8 PEM, mode 0600).
pub const CA_KEY_FILE: &str = "rootCA-key.pem";

const CA_VALIDITY_DAYS: i64 = 3650;
const LEAF_VALIDITY_DAYS: i64 = 90;
/// Names the leaf certificate is valid for.
pub const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error(
        "cannot find a home for the local CA: set {CA_DIR_ENV}, XDG_DATA_HOME or HOME (LOCALAPPDATA on Windows)"
    )]
    NoHome,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("{path}: not a usable PEM: {message}")]
    Pem { path: PathBuf, message: String },
    #[error(
        "{cert} exists but its key {key} does not; delete {dir} to create a new CA (and trust it again)"
    )]
    MissingKey {
        cert: PathBuf,
        key: PathBuf,
        dir: PathBuf,
    },
    #[error(
        "{cert} does not match {key} ({message}); delete {dir} to create a new CA (and trust it again)"
    )]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        dir: PathBuf,
        message: String,
    },
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CaError + '_ {
    move |source| CaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A leaf certificate and its key, DER-encoded.
pub struct LeafCert {
    pub cert: CertificateDer<'static>,
    pub key: PrivatePkcs8KeyDer<'static>,
}

/// The local CA, loaded (and created if missing).
pub struct LocalCa {
    dir: PathBuf,
    cert_path: PathBuf,
    key_path: PathBuf,
    cert: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

impl LocalCa {
    /// `$STRATUS_CA_DIR`, else `$XDG_DATA_HOME/stratus/ca`, else `~/.local/share/stratus/ca`
    /// (`%LOCALAPPDATA%\stratus\ca` on Windows).
    pub fn default_dir() -> Result<PathBuf, CaError> {
        default_dir_from(|name| std::env::var_os(name))
    }

    /// Where the CA certificate is (or would be) in `dir`.
    pub fn cert_path_in(dir: &Path) -> PathBuf {
        dir.join(CA_CERT_FILE)
    }

    /// Load the CA in `dir`, creating it (and `dir`) if it does not exist yet.
    pub fn load_or_create(dir: &Path) -> Result<LocalCa, CaError> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        if !key_path.exists() {
            if cert_path.exists() {
                return Err(CaError::MissingKey {
                    cert: cert_path,
                    key: key_path,
                    dir: dir.to_path_buf(),
                });
            }
            create_dir_private(dir)?;
            let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
            // Publish the key only if no other process got there first (hard_link fails if the
            // destination exists), so racing processes end up with one key.
            if publish_new(&key_path, key.serialize_pem().as_bytes())? {
                let cert = ca_params(&key, OffsetDateTime::now_utc())?.self_signed(&key)?;
                write_atomic(&cert_path, cert.pem().as_bytes())?;
                tracing::info!("created the local CA at {}", cert_path.display());
            }
        }
        Self::load(dir, cert_path, key_path)
    }

    fn load(dir: &Path, cert_path: PathBuf, key_path: PathBuf) -> Result<LocalCa, CaError> {
        let key_pem = fs::read_to_string(&key_path).map_err(io_err(&key_path))?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| CaError::Pem {
            path: key_path.clone(),
            message: e.to_string(),
        })?;
        let params = ca_params(&key, OffsetDateTime::now_utc())?;
        if !wait_for(&cert_path, Duration::from_millis(500)) {
            // The key exists but its certificate is missing (a creator died between the two
            // writes): a new self-signed certificate for the same key and subject is equivalent
            // for chain building.
            let cert = params.self_signed(&key)?;
            write_atomic(&cert_path, cert.pem().as_bytes())?;
        }
        let cert = CertificateDer::from_pem_file(&cert_path).map_err(|e| CaError::Pem {
            path: cert_path.clone(),
            message: e.to_string(),
        })?;
        let ca = LocalCa {
            dir: dir.to_path_buf(),
            cert_path,
            key_path,
            cert,
            issuer: Issuer::new(params, key),
        };
        ca.check_chain()?;
        Ok(ca)
    }

    /// The directory holding the CA.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `rootCA.pem`: what clients must trust (`custom.stratus.ca_file`).
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// Issue a leaf certificate for [`LEAF_NAMES`], valid from an hour ago for 90 days.
    pub fn issue_leaf(&self) -> Result<LeafCert, CaError> {
        let now = OffsetDateTime::now_utc();
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into()?),
            SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()),
            SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()),
        ];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Stratus development certificate");
        dn.push(DnType::CommonName, "localhost");
        params.distinguished_name = dn;
        params.not_before = now - time::Duration::hours(1);
        params.not_after = now + time::Duration::days(LEAF_VALIDITY_DAYS);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(LeafCert {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// A rustls server configuration with a freshly issued leaf, offering h2 and HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, CaError> {
        let leaf = self.issue_leaf()?;
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.cert], PrivateKeyDer::Pkcs8(leaf.key))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// Verify that a leaf issued by our key chains to the certificate on disk, the way a client
    /// trusting that file would.
    fn check_chain(&self) -> Result<(), CaError> {
        let mismatch = |message: String| CaError::Mismatch {
            cert: self.cert_path.clone(),
            key: self.key_path.clone(),
            dir: self.dir.clone(),
            message,
        };
        let leaf = self.issue_leaf()?;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert.clone())
            .map_err(|e| mismatch(e.to_string()))?;
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider(),
        )
        .build()
        .map_err(|e| mismatch(e.to_string()))?;
        let name = ServerName::try_from("localhost").map_err(|e| mismatch(e.to_string()))?;
        verifier
            .verify_server_cert(&leaf.cert, &[], &name, &[], UnixTime::now())
            .map_err(|e| mismatch(e.to_string()))?;
        Ok(())
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The CA's parameters. Everything the issuer needs (subject, key id method, key usages) is a
/// function of the key, so they can be rebuilt at every load.
fn ca_params(key: &KeyPair, now: OffsetDateTime) -> Result<CertificateParams, CaError> {
    let mut params = CertificateParams::default();
    let key_id = params.key_identifier(key);
    let short: String = key_id.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Stratus local development CA");
    dn.push(DnType::CommonName, format!("Stratus Local CA {short}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(CA_VALIDITY_DAYS);
    Ok(params)
}

fn default_dir_from(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<PathBuf, CaError> {
    let non_empty = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = non_empty(CA_DIR_ENV) {
        return Ok(dir);
    }
    if cfg!(windows) {
        return non_empty("LOCALAPPDATA")
            .map(|d| d.join("stratus").join("ca"))
            .ok_or(CaError::NoHome);
    }
    if let Some(xdg) = non_empty("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return Ok(xdg.join("stratus").join("ca"));
    }
    non_empty("HOME")
        .map(|home| home.join(".local").join("share").join("stratus").join("ca"))
        .ok_or(CaError::NoHome)
}

fn create_dir_private(dir: &Path) -> Result<(), CaError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io_err(dir))
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos()
    ))
}

/// Write `bytes` to a fresh temp file next to `path` with permissions `mode` (unix), fsync'd.
fn write_temp(path: &Path, bytes: &[u8], mode: u32) -> Result<PathBuf, CaError> {
    let tmp = temp_path(path);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&tmp).map_err(io_err(&tmp))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_err(&tmp))?;
    Ok(tmp)
}

/// Atomically create the private file `path` (0600) with `bytes` unless it exists. Returns
/// whether we created it.
fn publish_new(path: &Path, bytes: &[u8]) -> Result<bool, CaError> {
    let tmp = write_temp(path, bytes, 0o600)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(CaError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Replace the public file `path` (0644) with `bytes` atomically (temp file + rename).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CaError> {
    let tmp = write_temp(path, bytes, 0o644)?;
    fs::rename(&tmp, path).map_err(|source| {
        let _ = fs::remove_file(&tmp);
        CaError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

fn wait_for(path: &Path, timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if path.exists() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
#[path = "ca_tests.rs"]
mod tests;
