use serde_json::Value;

use super::*;

fn vector() -> Value {
    serde_json::from_str(include_str!("../../tests/data/srp-test-vector.json")).unwrap()
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap()
}

#[test]
fn k_matches_vector() {
    let v = vector();
    assert_eq!(k().to_str_radix(16), s(&v, &["k_hex"]));
}

#[test]
fn x_and_verifier_match_vector() {
    let v = vector();
    let salt = parse_hex(s(&v, &["inputs", "SALT"])).unwrap();
    let (pool, user, pw) = (
        s(&v, &["inputs", "poolName"]),
        s(&v, &["inputs", "userId"]),
        s(&v, &["inputs", "password"]),
    );
    assert_eq!(
        compute_x(pool, user, pw, &salt).to_str_radix(16),
        s(&v, &["x_hex"])
    );
    let ver = verifier_with_salt(pool, user, pw, &salt);
    assert_eq!(
        parse_hex(&ver.verifier_hex).unwrap(),
        parse_hex(s(&v, &["verifier_hex"])).unwrap()
    );
    assert_eq!(ver.salt_hex, "00cceba754e5fa7b99d11f1e1d99de967a");
}

#[test]
fn a_b_u_key_and_signature_match_vector() {
    let v = vector();
    let salt = parse_hex(s(&v, &["inputs", "SALT"])).unwrap();
    let (pool, user, pw) = (
        s(&v, &["inputs", "poolName"]),
        s(&v, &["inputs", "userId"]),
        s(&v, &["inputs", "password"]),
    );
    let ver = verifier_with_salt(pool, user, pw, &salt);
    let verifier = parse_hex(&ver.verifier_hex).unwrap();

    let ce = client::ephemeral_with(parse_hex(s(&v, &["inputs", "a_hex"])).unwrap());
    assert_eq!(ce.big_a.to_str_radix(16), s(&v, &["SRP_A"]));

    let b = parse_hex(s(&v, &["inputs", "b_hex"])).unwrap();
    let se = server_ephemeral_with(&verifier, &b).unwrap();
    assert_eq!(se.big_b_hex, s(&v, &["SRP_B"]));

    let big_b = parse_hex(&se.big_b_hex).unwrap();
    assert_eq!(
        compute_u(&ce.big_a, &big_b).to_str_radix(16),
        s(&v, &["u_hex"])
    );

    let server = server_key(s(&v, &["SRP_A"]), &se.big_b_hex, &se.b_hex, &verifier).unwrap();
    assert_eq!(hex::encode(server), s(&v, &["hkdf_key_hex_server"]));
    let client = client::key(&ce, &big_b, &salt, pool, user, pw).unwrap();
    assert_eq!(hex::encode(client), s(&v, &["hkdf_key_hex_client"]));

    let block = B64.decode(s(&v, &["inputs", "SECRET_BLOCK"])).unwrap();
    let ts = s(&v, &["inputs", "TIMESTAMP"]);
    let sig = claim_signature(&client, pool, user, &block, ts);
    assert_eq!(sig, s(&v, &["PASSWORD_CLAIM_SIGNATURE_client"]));
    assert!(verify_claim(&server, pool, user, &block, ts, &sig));
    // Any change to the signed material fails.
    assert!(!verify_claim(&server, pool, "bob", &block, ts, &sig));
    assert!(!verify_claim(
        &server,
        pool,
        user,
        &block,
        "Tue Jan 7 09:05:04 UTC 2025",
        &sig
    ));
    assert!(!verify_claim(&server, pool, user, &block[1..], ts, &sig));
    assert!(!verify_claim(
        &server,
        pool,
        user,
        &block,
        ts,
        "not base64!"
    ));
}

#[test]
fn wrong_password_gives_a_different_key() {
    let v = vector();
    let salt = parse_hex(s(&v, &["inputs", "SALT"])).unwrap();
    let ver = verifier_with_salt("Pool", "alice", "Passw0rd!", &salt);
    let verifier = parse_hex(&ver.verifier_hex).unwrap();
    let se = server_ephemeral(&verifier).unwrap();
    let ce = client::ephemeral().unwrap();
    let big_b = parse_hex(&se.big_b_hex).unwrap();
    let server = server_key(
        &ce.big_a.to_str_radix(16),
        &se.big_b_hex,
        &se.b_hex,
        &verifier,
    )
    .unwrap();
    let good = client::key(&ce, &big_b, &salt, "Pool", "alice", "Passw0rd!").unwrap();
    let bad = client::key(&ce, &big_b, &salt, "Pool", "alice", "Passw0rd?").unwrap();
    assert_eq!(server, good);
    assert_ne!(server, bad);
}

#[test]
fn rejects_degenerate_a() {
    let verifier = BigUint::from(12345u32);
    let se = server_ephemeral(&verifier).unwrap();
    let n_hex = n().to_str_radix(16);
    let two_n = (n() * 2u32).to_str_radix(16);
    for a in ["0", n_hex.as_str(), two_n.as_str()] {
        assert_eq!(
            server_key(a, &se.big_b_hex, &se.b_hex, &verifier),
            Err(SrpError::ZeroA),
            "A = {a}"
        );
    }
    assert_eq!(
        server_key("xyz", &se.big_b_hex, &se.b_hex, &verifier),
        Err(SrpError::InvalidA)
    );
}

#[test]
fn pad_hex_follows_cognito() {
    assert_eq!(pad_hex(&BigUint::from(0x0fu32)), "0f");
    assert_eq!(pad_hex(&BigUint::from(0x7fu32)), "7f");
    assert_eq!(pad_hex(&BigUint::from(0x80u32)), "0080");
    assert_eq!(pad_hex(&BigUint::from(0x123u32)), "0123");
    assert_eq!(pad_hex(&BigUint::from(0x923u32)), "0923");
    assert_eq!(pad_hex(&BigUint::from(0xa23u32)), "0a23");
    assert_eq!(pad_hex(&BigUint::from(0xa234u32)), "00a234");
    for v in [0u32, 1, 0x7f, 0x80, 0xff, 0x100, 0xa234, 0xffff_ffff] {
        let b = BigUint::from(v);
        assert_eq!(hex::encode(pad_bytes(&b)), pad_hex(&b), "{v:#x}");
    }
}

#[test]
fn timestamps() {
    let t = parse_timestamp("Tue Jan 7 09:05:03 UTC 2025").unwrap();
    assert_eq!(t, 1_736_240_703);
    assert_eq!(parse_timestamp("Tue Jan 07 09:05:03 UTC 2025"), Some(t));
    assert_eq!(
        format_timestamp(t).as_deref(),
        Some("Tue Jan 7 09:05:03 UTC 2025")
    );
    assert_eq!(
        parse_timestamp("Sun Nov 22 06:07:30 UTC 2026").and_then(format_timestamp),
        Some("Sun Nov 22 06:07:30 UTC 2026".into())
    );
    for bad in [
        "Mon Jan 7 09:05:03 UTC 2025",  // wrong weekday
        "Tue Jan 7 9:05:03 UTC 2025",   // hour not padded
        "Tue Jan 7 09:05:03 GMT 2025",  // zone
        "Tue Jan 32 09:05:03 UTC 2025", // day
        "Tue Jan  7 09:05:03 UTC 2025", // double space
        "Tue Jan 7 09:05:03 UTC 2025 ", // trailing
        "",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad:?}");
    }
}
