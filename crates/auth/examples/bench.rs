//! Sign-in throughput of the user pool, in process (the real action handlers on a real SQLite
//! store), beside the raw cost of the operations that bound it, measured in the same run:
//!
//! * SRP (USER_SRP_AUTH + PASSWORD_VERIFIER): the server does three 3072-bit modular
//!   exponentiations with 256-bit exponents (`g^b`, `v^u`, `(A·v^u)^b`); the client (computed
//!   here too, on the same cores) does `g^a` and `base^(a+u·x)` with ~1024-bit exponents and
//!   `g^x`.
//! * USER_PASSWORD_AUTH: one argon2id verification (m = 19 MiB, t = 2).
//!
//! ```text
//! cargo run --release -p stratus-auth --example bench -- [--seconds 5] [--workers N]
//! ```
//! Throttling is off (it would cap a benchmark hammering a few users); device tracking is
//! the default (each sign-in registers a device row, as a real client's would).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use num_bigint::BigUint;
use serde_json::{Value, json};
use stratus_auth::srp::{self, client};
use stratus_auth::{AuthConfig, AuthService, Clock as _, Outbox, SystemClock};
use stratus_spec::auth::AuthSpec;

const POOL_ID: &str = "us-east-1_BenchPool1";
const POOL_NAME: &str = "BenchPool1";
const CLIENT_ID: &str = "benchclient00000000000000";
const PASSWORD: &str = "Passw0rd!bench";
const USERS: usize = 16;

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn call(s: &AuthService, action: &str, body: Value) -> Result<Value, Error> {
    s.handle(action, body.to_string().as_bytes())
        .await
        .map_err(|e| format!("{action}: {e}").into())
}

/// One SRP sign-in; returns the time spent in the server's handlers.
async fn srp_sign_in(s: &AuthService, user: &str) -> Result<Duration, Error> {
    let e = tokio::task::spawn_blocking(client::ephemeral).await??;
    let t0 = Instant::now();
    let c = call(
        s,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
               "AuthParameters": {"USERNAME": user, "SRP_A": e.big_a.to_str_radix(16)}}),
    )
    .await?;
    let mut server = t0.elapsed();
    let p = c["ChallengeParameters"].clone();
    let answer = tokio::task::spawn_blocking(move || -> Result<Value, Error> {
        let user_id = p["USER_ID_FOR_SRP"].as_str().ok_or("no USER_ID_FOR_SRP")?;
        let salt = srp::parse_hex(p["SALT"].as_str().ok_or("no SALT")?)?;
        let big_b = srp::parse_hex(p["SRP_B"].as_str().ok_or("no SRP_B")?)?;
        let block_b64 = p["SECRET_BLOCK"].as_str().ok_or("no SECRET_BLOCK")?;
        let key = client::key(&e, &big_b, &salt, POOL_NAME, user_id, PASSWORD)?;
        let ts = srp::format_timestamp(SystemClock.now()).ok_or("timestamp")?;
        let block = stratus_auth::crypto::b64_decode(block_b64).ok_or("block")?;
        let sig = srp::claim_signature(&key, POOL_NAME, user_id, &block, &ts);
        Ok(
            json!({"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": block_b64,
                  "TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}),
        )
    })
    .await??;
    let t1 = Instant::now();
    let r = call(
        s,
        "RespondToAuthChallenge",
        json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": CLIENT_ID,
               "Session": c["Session"], "ChallengeResponses": answer}),
    )
    .await?;
    server += t1.elapsed();
    if !r["AuthenticationResult"]["AccessToken"].is_string() {
        return Err(format!("SRP sign-in did not end with tokens: {r}").into());
    }
    Ok(server)
}

async fn password_sign_in(s: &AuthService, user: &str) -> Result<(), Error> {
    let r = call(
        s,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID,
               "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
    )
    .await?;
    if !r["AuthenticationResult"]["AccessToken"].is_string() {
        return Err(format!("password sign-in did not end with tokens: {r}").into());
    }
    Ok(())
}

/// Mean seconds per call of `f`, repeated for about `budget`.
fn mean_secs(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget || n < 3 {
        f();
        n += 1;
    }
    start.elapsed().as_secs_f64() / f64::from(n)
}

fn random_uint(bytes: usize) -> BigUint {
    let mut b = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut b).ok();
    b[0] |= 0x80;
    BigUint::from_bytes_be(&b)
}

/// Runs `workers` loops of `op` for `secs`; returns completed operations per second.
async fn throughput<F, Fut>(workers: usize, secs: f64, op: F) -> Result<f64, Error>
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Result<(), Error>> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let op = op.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while Instant::now() < deadline {
                op(i).await?;
                done.fetch_add(1, Ordering::Relaxed);
                i += workers;
            }
            Ok::<(), Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut seconds = 5.0f64;
    let mut workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().ok_or("--seconds N")?.parse()?,
            "--workers" => workers = args.next().ok_or("--workers N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir()?;
    let store = stratus_store::Store::open(dir.path()).await?;
    let spec = AuthSpec::from_props(&json!({"loginWith": {"email": true}}))?;
    let mut config = AuthConfig::new(POOL_ID, CLIENT_ID, "https://127.0.0.1:1");
    config.allow_user_password_auth = true;
    config.throttle.enabled = false;
    let outbox = Outbox::new();
    let service = AuthService::open(&store, spec, config, outbox.clone()).await?;

    let users: Vec<String> = (0..USERS)
        .map(|i| format!("bench{i}@example.com"))
        .collect();
    for u in &users {
        call(
            &service,
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": u, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": u}]}),
        )
        .await?;
        let code = outbox.latest_to(u).and_then(|m| m.code).ok_or("no code")?;
        call(
            &service,
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": u, "ConfirmationCode": code}),
        )
        .await?;
    }

    // Raw costs, one core.
    let budget = Duration::from_millis(1500);
    let n = srp::n().clone();
    let g = BigUint::from(2u32);
    let base = random_uint(384) % &n;
    let e256 = random_uint(32);
    let e1024 = random_uint(128);
    let t256 = mean_secs(budget, || {
        std::hint::black_box(base.modpow(&e256, &n));
    });
    let t1024 = mean_secs(budget, || {
        std::hint::black_box(g.modpow(&e1024, &n));
    });
    let hash = stratus_auth::crypto::hash_password(PASSWORD)?;
    let t_argon = mean_secs(budget, || {
        std::hint::black_box(stratus_auth::crypto::verify_password(PASSWORD, &hash));
    });
    let server_srp_limit = 1.0 / (3.0 * t256);
    let client_srp = 2.0 * t1024 + t256;

    // SRP, one sign-in at a time: the server's share.
    let mut server_time = Duration::ZERO;
    let start = Instant::now();
    let mut sequential = 0u32;
    while start.elapsed().as_secs_f64() < seconds {
        server_time += srp_sign_in(&service, &users[sequential as usize % USERS]).await?;
        sequential += 1;
    }
    let server_srp_rate = f64::from(sequential) / server_time.as_secs_f64();

    // SRP with `workers` concurrent clients (client maths on the same cores).
    let s = service.clone();
    let u = Arc::new(users.clone());
    let srp_rate = throughput(workers, seconds, move |i| {
        let s = s.clone();
        let u = u.clone();
        async move { srp_sign_in(&s, &u[i % USERS]).await.map(|_| ()) }
    })
    .await?;

    let s = service.clone();
    let u = Arc::new(users.clone());
    let pw_rate = throughput(workers, seconds, move |i| {
        let s = s.clone();
        let u = u.clone();
        async move { password_sign_in(&s, &u[i % USERS]).await }
    })
    .await?;

    println!("cores: {cores}, workers: {workers}, seconds per measurement: {seconds}");
    println!(
        "raw 3072-bit modexp, 256-bit exponent: {:.3} ms",
        t256 * 1e3
    );
    println!(
        "raw 3072-bit modexp, 1024-bit exponent: {:.3} ms",
        t1024 * 1e3
    );
    println!("raw argon2id verification: {:.3} ms", t_argon * 1e3);
    println!(
        "SRP server share per sign-in: {:.3} ms -> {:.1} sign-ins/s per core \
         (limit from 3 modexps: {:.1}/s per core)",
        1e3 / server_srp_rate,
        server_srp_rate,
        server_srp_limit
    );
    println!(
        "SRP end to end, {workers} concurrent clients in process: {srp_rate:.1} sign-ins/s \
         (limit with the client's maths on the same cores: {:.1}/s)",
        cores as f64 / (3.0 * t256 + client_srp)
    );
    println!(
        "USER_PASSWORD_AUTH, {workers} concurrent clients: {pw_rate:.1} sign-ins/s \
         (limit from argon2: {:.1}/s on {cores} cores)",
        cores as f64 / t_argon
    );
    Ok(())
}
