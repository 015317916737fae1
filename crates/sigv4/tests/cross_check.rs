//! Cross-checks the verifier against AWS's own signer (`aws-sigv4`) on seeded random requests,
//! then checks every refusal: wrong secret, tampered header/query/body/path, unknown key,
//! session tokens, skew, expired presigned URLs, expired credentials, streaming chunks.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use stratus_sigv4::{
    Body, CredentialResolver, Payload, ResolveError, ResolvedCredential, SigV4Error, SignedRequest,
    Verifier, VerifyError, decode_signed_chunks,
};

const NOW: i64 = 1_795_327_908; // 2026-11-22T...

struct Keys(HashMap<String, ResolvedCredential<String>>);

impl CredentialResolver for Keys {
    type Principal = String;

    async fn resolve(
        &self,
        access_key_id: &str,
    ) -> Result<Option<ResolvedCredential<String>>, ResolveError> {
        Ok(self.0.get(access_key_id).cloned())
    }
}

fn keys() -> Keys {
    let mut m = HashMap::new();
    m.insert(
        "AKIDLONGTERM".to_string(),
        ResolvedCredential {
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
            expires_at: None,
            principal: "admin".into(),
        },
    );
    m.insert(
        "ASIATEMPORARY".to_string(),
        ResolvedCredential {
            secret_access_key: "tempSecret/abc+def".into(),
            session_token: Some("FwoGZXIvYXdzE//token==".into()),
            expires_at: Some(NOW + 3600),
            principal: "guest".into(),
        },
    );
    Keys(m)
}

/// xorshift64*: deterministic cases without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn text(&mut self, max: usize) -> String {
        const ALPHABET: &[&str] = &[
            "a", "Z", "0", "-", "_", ".", "~", " ", ":", "+", "=", "&", "/", "%", "é", "!", "*",
            "(", "'", "@", "?", "日",
        ];
        (0..1 + self.below(max))
            .map(|_| *self.pick(ALPHABET))
            .collect()
    }
}

/// `encodeURIComponent` plus `!'()*` (what the JS client sends).
fn encode(s: &str) -> String {
    stratus_sigv4::canonical::uri_encode(s.as_bytes(), false)
}

struct Case {
    service: &'static str,
    request: http::Request<Vec<u8>>,
    body_signed: bool,
}

fn build_case(seed: u64) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let service = *rng.pick(&["s3", "cognito-idp", "appsync", "execute-api"]);
    let s3 = service == "s3";
    let method = *rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]);
    let mut path = String::new();
    for _ in 0..rng.below(4) {
        path.push('/');
        match rng.below(8) {
            0 if !s3 => path.push_str(".."),
            1 if !s3 => path.push('.'),
            _ => path.push_str(&encode(&rng.text(8))),
        }
    }
    if path.is_empty() || rng.below(4) == 0 {
        path.push('/');
    }
    let mut query = Vec::new();
    for _ in 0..rng.below(4) {
        query.push(format!("{}={}", encode(&rng.text(5)), encode(&rng.text(6))));
    }
    let uri = if query.is_empty() {
        format!("https://127.0.0.1:4443{path}")
    } else {
        format!("https://127.0.0.1:4443{path}?{}", query.join("&"))
    };
    let body: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
    let mut headers: Vec<(String, String)> = vec![("host".into(), "127.0.0.1:4443".into())];
    if rng.below(2) == 0 {
        headers.push(("content-type".into(), "application/x-amz-json-1.1".into()));
    }
    for i in 0..rng.below(3) {
        headers.push((
            format!("x-amz-meta-k{i}"),
            format!("  v{}   {}  ", rng.below(100), rng.below(100)),
        ));
    }
    headers.push(("amz-sdk-request".into(), "attempt=1; max=3".into()));

    let temporary = rng.below(2) == 0;
    let creds = if temporary {
        Credentials::new(
            "ASIATEMPORARY",
            "tempSecret/abc+def",
            Some("FwoGZXIvYXdzE//token==".into()),
            None,
            "test",
        )
    } else {
        Credentials::new(
            "AKIDLONGTERM",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        )
    };
    let presigned = rng.below(3) == 0;
    let mut settings = SigningSettings::default();
    if s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let unsigned = s3 && (presigned || rng.below(3) == 0);
    if !presigned && (s3 || rng.below(2) == 0) {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(900));
    }
    let signable_body = if unsigned {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&body)
    };
    let identity = creds.into();
    let signed_at = NOW - i64::try_from(rng.below(600)).unwrap();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(signed_at).unwrap()))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        method,
        uri.clone(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        signable_body,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut builder = http::Request::builder().method(method).uri(&uri);
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    let mut request = builder.body(body).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    Case {
        service,
        request,
        body_signed: !unsigned,
    }
}

async fn verify(
    service: &str,
    req: &http::Request<Vec<u8>>,
    now: i64,
) -> Result<stratus_sigv4::Verified<String>, VerifyError> {
    let (parts, body) = (req_parts(req), req.body().clone());
    let signed = SignedRequest::from_parts(&parts, Body::Bytes(&body));
    Verifier::new(service)
        .with_region("us-east-1")
        .verify(&signed, &keys(), now)
        .await
}

fn req_parts(req: &http::Request<Vec<u8>>) -> http::request::Parts {
    let mut b = http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone());
    for (k, v) in req.headers() {
        b = b.header(k, v);
    }
    b.body(()).unwrap().into_parts().0
}

fn refused(r: Result<stratus_sigv4::Verified<String>, VerifyError>) -> SigV4Error {
    match r {
        Err(VerifyError::Refused(e)) => e,
        Err(other) => panic!("unexpected {other:?}"),
        Ok(v) => panic!("accepted: {:?}", v.principal),
    }
}

#[tokio::test]
async fn accepts_what_aws_sigv4_signs_and_refuses_tampering() {
    let mut checked = 0;
    for seed in 0..300 {
        let case = build_case(seed);
        let ok = verify(case.service, &case.request, NOW)
            .await
            .unwrap_or_else(|e| {
                panic!("seed {seed} ({}): {e:?}\n{:?}", case.service, case.request)
            });
        let temporary = case.request.headers().contains_key("x-amz-security-token")
            || case
                .request
                .uri()
                .query()
                .unwrap_or("")
                .contains("X-Amz-Security-Token");
        assert_eq!(ok.principal, if temporary { "guest" } else { "admin" });
        assert_eq!(ok.service, case.service);

        // A wrong secret.
        let mut wrong = keys();
        for c in wrong.0.values_mut() {
            c.secret_access_key.push('x');
        }
        let (parts, body) = (req_parts(&case.request), case.request.body().clone());
        let signed = SignedRequest::from_parts(&parts, Body::Bytes(&body));
        let e = Verifier::new(case.service)
            .verify(&signed, &wrong, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            e,
            VerifyError::Refused(SigV4Error::SignatureMismatch),
            "seed {seed}"
        );

        // A tampered signed header.
        let mut tampered = case.request.clone();
        tampered
            .headers_mut()
            .insert("amz-sdk-request", "attempt=2; max=3".parse().unwrap());
        assert_eq!(
            refused(verify(case.service, &tampered, NOW).await),
            SigV4Error::SignatureMismatch
        );

        // A tampered body.
        let mut tampered = case.request.clone();
        tampered.body_mut().push(b'!');
        let r = verify(case.service, &tampered, NOW).await;
        if case.body_signed {
            let e = refused(r);
            assert!(
                e == SigV4Error::SignatureMismatch || e == SigV4Error::ContentSha256Mismatch,
                "seed {seed}: {e:?}"
            );
        } else {
            assert!(r.is_ok(), "UNSIGNED-PAYLOAD bodies may change");
        }

        // A changed method and an extra query parameter.
        let mut tampered = case.request.clone();
        *tampered.method_mut() = http::Method::PATCH;
        assert_eq!(
            refused(verify(case.service, &tampered, NOW).await),
            SigV4Error::SignatureMismatch
        );
        let mut tampered = case.request.clone();
        let uri = tampered.uri().to_string();
        let sep = if uri.contains('?') { '&' } else { '?' };
        *tampered.uri_mut() = format!("{uri}{sep}extra=1").parse().unwrap();
        assert_eq!(
            refused(verify(case.service, &tampered, NOW).await),
            SigV4Error::SignatureMismatch
        );

        // Another service's verifier refuses the scope.
        let other = if case.service == "s3" {
            "appsync"
        } else {
            "s3"
        };
        assert!(matches!(
            refused(verify(other, &case.request, NOW).await),
            SigV4Error::WrongScope(_)
        ));
        checked += 1;
    }
    assert_eq!(checked, 300);
}

fn header_signed(
    service: &str,
    creds: Credentials,
    at: i64,
    body: &[u8],
) -> http::Request<Vec<u8>> {
    let identity = creds.into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap()))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers = [
        ("host", "localhost"),
        (
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUsers",
        ),
    ];
    let signable = SignableRequest::new(
        "POST",
        "https://localhost/cognito-idp",
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .method("POST")
        .uri("https://localhost/cognito-idp")
        .header("host", "localhost")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUsers",
        )
        .body(body.to_vec())
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    req
}

fn admin() -> Credentials {
    Credentials::new(
        "AKIDLONGTERM",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "t",
    )
}

fn temporary(token: Option<&str>) -> Credentials {
    Credentials::new(
        "ASIATEMPORARY",
        "tempSecret/abc+def",
        token.map(str::to_string),
        None,
        "t",
    )
}

#[tokio::test]
async fn clock_skew_is_limited_to_15_minutes() {
    let req = header_signed("cognito-idp", admin(), NOW, b"{}");
    assert!(verify("cognito-idp", &req, NOW + 15 * 60).await.is_ok());
    assert!(verify("cognito-idp", &req, NOW - 15 * 60).await.is_ok());
    let e = refused(verify("cognito-idp", &req, NOW + 15 * 60 + 1).await);
    assert!(matches!(e, SigV4Error::TimeTooSkewed { .. }));
    assert_eq!(e.s3_code(), "RequestTimeTooSkewed");
    assert_eq!(e.json_code(), "InvalidSignatureException");
    let e = refused(verify("cognito-idp", &req, NOW - 15 * 60 - 1).await);
    assert!(matches!(e, SigV4Error::TimeTooSkewed { .. }));
}

#[tokio::test]
async fn session_tokens_and_credential_expiry() {
    let ok = header_signed(
        "cognito-idp",
        temporary(Some("FwoGZXIvYXdzE//token==")),
        NOW,
        b"{}",
    );
    assert_eq!(
        verify("cognito-idp", &ok, NOW).await.unwrap().principal,
        "guest"
    );
    // Without the token the temporary key is refused.
    let missing = header_signed("cognito-idp", temporary(None), NOW, b"{}");
    let e = refused(verify("cognito-idp", &missing, NOW).await);
    assert_eq!(e, SigV4Error::InvalidSessionToken);
    assert_eq!(e.json_code(), "UnrecognizedClientException");
    // Another token (signed with it, so only the token check can refuse it).
    let other = header_signed("cognito-idp", temporary(Some("other")), NOW, b"{}");
    assert_eq!(
        refused(verify("cognito-idp", &other, NOW).await),
        SigV4Error::InvalidSessionToken
    );
    // A long-term key with a token.
    let mut with_token = header_signed("cognito-idp", admin(), NOW, b"{}");
    with_token
        .headers_mut()
        .insert("x-amz-security-token", "x".parse().unwrap());
    assert_eq!(
        refused(verify("cognito-idp", &with_token, NOW).await),
        SigV4Error::InvalidSessionToken
    );
    // Expired credentials (the request itself is fresh).
    let late = header_signed(
        "cognito-idp",
        temporary(Some("FwoGZXIvYXdzE//token==")),
        NOW + 3600,
        b"{}",
    );
    let e = refused(verify("cognito-idp", &late, NOW + 3600).await);
    assert_eq!(e, SigV4Error::ExpiredToken);
    assert_eq!(e.s3_code(), "ExpiredToken");
    assert_eq!(e.json_code(), "ExpiredTokenException");
    // Unknown key.
    let unknown = header_signed(
        "cognito-idp",
        Credentials::new("AKIDUNKNOWN", "s", None, None, "t"),
        NOW,
        b"{}",
    );
    let e = refused(verify("cognito-idp", &unknown, NOW).await);
    assert_eq!(e, SigV4Error::UnknownAccessKey);
    assert_eq!(e.s3_code(), "InvalidAccessKeyId");
}

#[tokio::test]
async fn missing_and_malformed_authentication() {
    let req = http::Request::builder()
        .method("POST")
        .uri("https://localhost/cognito-idp")
        .header("host", "localhost")
        .body(b"{}".to_vec())
        .unwrap();
    let e = refused(verify("cognito-idp", &req, NOW).await);
    assert!(e.is_missing());
    assert_eq!(e.json_code(), "MissingAuthenticationTokenException");

    let mut req = header_signed("cognito-idp", admin(), NOW, b"{}");
    req.headers_mut().remove("x-amz-date");
    assert!(matches!(
        refused(verify("cognito-idp", &req, NOW).await),
        SigV4Error::InvalidDate(_)
    ));

    // A signature that is not hex, or too short.
    let mut req = header_signed("cognito-idp", admin(), NOW, b"{}");
    let auth = req.headers()["authorization"].to_str().unwrap().to_string();
    let (head, _) = auth.rsplit_once("Signature=").unwrap();
    for sig in ["zz", "00", ""] {
        req.headers_mut().insert(
            "authorization",
            format!("{head}Signature={sig}").parse().unwrap(),
        );
        let e = refused(verify("cognito-idp", &req, NOW).await);
        assert!(
            e == SigV4Error::SignatureMismatch || matches!(e, SigV4Error::Malformed(_)),
            "{e:?}"
        );
    }
    // A declared body hash that does not match the body (signature over the declared hash).
    let mut req = header_signed("cognito-idp", admin(), NOW, b"{}");
    *req.body_mut() = b"{\"a\":1}".to_vec();
    assert_eq!(
        refused(verify("cognito-idp", &req, NOW).await),
        SigV4Error::ContentSha256Mismatch
    );
}

fn presign(at: i64, expires: u64) -> http::Request<Vec<u8>> {
    let identity = temporary(Some("FwoGZXIvYXdzE//token==")).into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(expires));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap()))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = "https://localhost:4443/bucket/protected/us-east-1%3Aabc/photo%20one.jpg";
    let signable = SignableRequest::new(
        "GET",
        uri,
        [("host", "localhost:4443")].into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .uri(uri)
        .header("host", "localhost:4443")
        .body(Vec::new())
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    req
}

#[tokio::test]
async fn presigned_urls_expire() {
    let req = presign(NOW, 300);
    let ok = verify("s3", &req, NOW + 300).await.unwrap();
    assert!(ok.presigned);
    assert_eq!(ok.payload, Payload::Unsigned);
    let e = refused(verify("s3", &req, NOW + 301).await);
    assert_eq!(e, SigV4Error::PresignExpired);
    assert_eq!((e.s3_code(), e.s3_status()), ("AccessDenied", 403));
    // Signed in the future beyond the skew window.
    let e = refused(verify("s3", &presign(NOW + 16 * 60, 300), NOW).await);
    assert!(matches!(e, SigV4Error::TimeTooSkewed { .. }));
    // A path other than the signed one.
    let mut other = req.clone();
    let uri = other
        .uri()
        .to_string()
        .replace("photo%20one", "photo%20two");
    *other.uri_mut() = uri.parse().unwrap();
    assert_eq!(
        refused(verify("s3", &other, NOW).await),
        SigV4Error::SignatureMismatch
    );
}

/// A streaming upload: the seed signature from `aws-sigv4` over the
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` marker, the chunk signatures computed here with
/// `aws-sigv4`'s key derivation and HMAC over AWS's chunk string-to-sign.
#[tokio::test]
async fn streaming_chunks_follow_the_seed_signature() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    let identity = Credentials::new("AKIDLONGTERM", secret, None, None, "t").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(NOW).unwrap());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(at)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers = [
        ("host", "s3.amazonaws.com"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
    ];
    let uri = "https://s3.amazonaws.com/examplebucket/chunkObject.txt";
    let marker = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    let signable = SignableRequest::new(
        "PUT",
        uri,
        headers.into_iter(),
        SignableBody::Precomputed(marker.into()),
    )
    .unwrap();
    let (instructions, seed) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method("PUT").uri(uri);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let mut req = req.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let (parts, ()) = req.into_parts();
    let signed = SignedRequest::from_parts(&parts, Body::Streaming);
    let verified = Verifier::new("s3")
        .verify(&signed, &keys(), NOW)
        .await
        .unwrap();
    assert_eq!(verified.payload, Payload::Streaming(marker.into()));
    assert_eq!(verified.signature, seed);

    let key = v4::generate_signing_key(secret, at, "us-east-1", "s3");
    let date = stratus_sigv4::format_amz_date(NOW);
    let scope = format!("{}/us-east-1/s3/aws4_request", &date[..8]);
    let mut previous = seed;
    let mut body = Vec::new();
    for chunk in [vec![b'a'; 65536], vec![b'b'; 1024], Vec::new()] {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{date}\n{scope}\n{previous}\n{}\n{}",
            stratus_sigv4::EMPTY_SHA256,
            stratus_sigv4::canonical::sha256_hex(&chunk)
        );
        let sig = v4::calculate_signature(key.as_ref(), sts.as_bytes());
        body.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
        previous = sig;
    }
    let decoded = decode_signed_chunks(&body, &mut verified.chunk_verifier()).unwrap();
    assert_eq!(decoded.len(), 66560);
    assert!(decoded[..65536].iter().all(|&b| b == b'a'));
    // One changed byte breaks the chain.
    let mut bad = body.clone();
    bad[200] = b'c';
    assert!(matches!(
        decode_signed_chunks(&bad, &mut verified.chunk_verifier()),
        Err(SigV4Error::Chunk(_))
    ));
    // Dropping a chunk breaks it too.
    let second = body.windows(5).position(|w| w == b"400;c").unwrap();
    let mut dropped = body[..second].to_vec();
    let last = body.windows(3).position(|w| w == b"0;c").unwrap();
    dropped.extend_from_slice(&body[last..]);
    assert!(decode_signed_chunks(&dropped, &mut verified.chunk_verifier()).is_err());
}

/// Vectors of AWS's SigV4 test suite (`get-vanilla`, `post-vanilla`, `get-vanilla-query`
/// with one parameter, `get-vanilla-query-order-key-case`).
#[tokio::test]
async fn aws_test_suite_vectors() {
    let mut m = HashMap::new();
    m.insert(
        "AKIDEXAMPLE".to_string(),
        ResolvedCredential {
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_string(),
            session_token: None,
            expires_at: None,
            principal: "suite".to_string(),
        },
    );
    let keys = Keys(m);
    let now = stratus_sigv4::parse_amz_date("20150830T123600Z").unwrap();
    for (method, uri, signature) in [
        (
            "GET",
            "/",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "/",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
        (
            "GET",
            "/?Param1=value1",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
        ),
        (
            "GET",
            "/?Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
    ] {
        let parts = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "example.amazonaws.com")
            .header("x-amz-date", "20150830T123600Z")
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}"
                ),
            )
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let req = SignedRequest::from_parts(&parts, Body::Bytes(b""));
        let ok = Verifier::new("service").verify(&req, &keys, now).await;
        assert_eq!(ok.map(|v| v.principal), Ok("suite".to_string()), "{uri}");
    }
}

#[test]
fn debug_output_hides_secrets() {
    let c = keys().0["ASIATEMPORARY"].clone();
    let shown = format!("{c:?}");
    assert!(!shown.contains("tempSecret"), "{shown}");
    assert!(!shown.contains("FwoGZXIvYXdzE"), "{shown}");
    assert!(shown.contains("guest"));
}
