use std::ffi::OsString;

use rustls::client::danger::ServerCertVerifier;

use super::*;

fn verify_leaf_for(ca: &LocalCa, leaf: &LeafCert, name: &str) -> Result<(), rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert_der().clone()).unwrap();
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    let name = ServerName::try_from(name.to_owned()).unwrap();
    verifier
        .verify_server_cert(&leaf.cert, &[], &name, &[], UnixTime::now())
        .map(|_| ())
}

#[test]
fn creates_once_and_reloads_the_same_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stratus/ca");
    let ca = LocalCa::load_or_create(&dir).unwrap();
    assert_eq!(ca.cert_path(), dir.join(CA_CERT_FILE));
    assert_eq!(LocalCa::cert_path_in(&dir), dir.join(CA_CERT_FILE));
    let pem = fs::read_to_string(ca.cert_path()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let key_pem = fs::read_to_string(dir.join(CA_KEY_FILE)).unwrap();
    assert!(key_pem.contains("PRIVATE KEY"));

    let again = LocalCa::load_or_create(&dir).unwrap();
    assert_eq!(again.cert_der(), ca.cert_der());
    assert_eq!(fs::read_to_string(again.cert_path()).unwrap(), pem);
    // No temp files left behind.
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[cfg(unix)]
#[test]
fn key_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    LocalCa::load_or_create(&dir).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join(CA_KEY_FILE)), 0o600);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(CA_CERT_FILE)) & 0o600, 0o600);
}

#[test]
fn leaf_is_valid_for_localhost_and_loopback_addresses_only() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = LocalCa::load_or_create(tmp.path()).unwrap();
    let leaf = ca.issue_leaf().unwrap();
    for name in LEAF_NAMES {
        verify_leaf_for(&ca, &leaf, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(verify_leaf_for(&ca, &leaf, "example.com").is_err());
    assert!(verify_leaf_for(&ca, &leaf, "127.0.0.2").is_err());
}

#[test]
fn leaf_from_another_ca_is_rejected() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ca_a = LocalCa::load_or_create(a.path()).unwrap();
    let ca_b = LocalCa::load_or_create(b.path()).unwrap();
    let leaf_b = ca_b.issue_leaf().unwrap();
    assert!(verify_leaf_for(&ca_a, &leaf_b, "localhost").is_err());
}

#[test]
fn certificate_of_another_key_is_reported() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    LocalCa::load_or_create(a.path()).unwrap();
    LocalCa::load_or_create(b.path()).unwrap();
    fs::copy(b.path().join(CA_CERT_FILE), a.path().join(CA_CERT_FILE)).unwrap();
    let err = LocalCa::load_or_create(a.path()).unwrap_err();
    assert!(matches!(err, CaError::Mismatch { .. }), "{err}");
    assert!(err.to_string().contains("delete"), "{err}");
}

#[test]
fn certificate_without_key_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    LocalCa::load_or_create(tmp.path()).unwrap();
    fs::remove_file(tmp.path().join(CA_KEY_FILE)).unwrap();
    let err = LocalCa::load_or_create(tmp.path()).unwrap_err();
    assert!(matches!(err, CaError::MissingKey { .. }), "{err}");
}

#[test]
fn missing_certificate_is_recreated_for_the_same_key() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = LocalCa::load_or_create(tmp.path()).unwrap();
    let old_cert = ca.cert_der().clone();
    fs::remove_file(tmp.path().join(CA_CERT_FILE)).unwrap();
    let ca2 = LocalCa::load_or_create(tmp.path()).unwrap();
    assert_ne!(ca2.cert_der(), &old_cert);
    // A client that trusted the old certificate still accepts leaves of the new one: same key,
    // same subject.
    let leaf = ca2.issue_leaf().unwrap();
    verify_leaf_for(&ca, &leaf, "localhost").unwrap();
}

#[test]
fn concurrent_creators_agree_on_one_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    let certs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| LocalCa::load_or_create(&dir).map(|ca| ca.cert_der().clone())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let first = certs[0].as_ref().unwrap();
    for cert in &certs {
        assert_eq!(cert.as_ref().unwrap(), first);
    }
}

#[test]
fn server_config_offers_h2_and_http1() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = LocalCa::load_or_create(tmp.path()).unwrap();
    let config = ca.server_config().unwrap();
    assert_eq!(
        config.alpn_protocols,
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    );
}

#[test]
fn default_dir_precedence() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    };
    assert_eq!(
        default_dir_from(env(&[
            (CA_DIR_ENV, "/custom/ca"),
            ("XDG_DATA_HOME", "/xdg"),
            ("HOME", "/home/u")
        ]))
        .unwrap(),
        PathBuf::from("/custom/ca")
    );
    if cfg!(unix) {
        assert_eq!(
            default_dir_from(env(&[("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u")])).unwrap(),
            PathBuf::from("/xdg/stratus/ca")
        );
        // A relative XDG_DATA_HOME is invalid per the spec and ignored; so is an empty override.
        assert_eq!(
            default_dir_from(env(&[
                (CA_DIR_ENV, ""),
                ("XDG_DATA_HOME", "rel"),
                ("HOME", "/home/u")
            ]))
            .unwrap(),
            PathBuf::from("/home/u/.local/share/stratus/ca")
        );
        assert!(matches!(default_dir_from(env(&[])), Err(CaError::NoHome)));
    }
}
