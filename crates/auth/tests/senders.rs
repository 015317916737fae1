//! The SMTP and SMS-webhook senders, each against a local server: a few lines of tokio that
//! speak enough SMTP to accept messages, and an axum app that records webhook posts. The
//! pool's template callbacks (verification and invitation) and `senders.email` From / Reply-To
//! end up in what is sent.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::sender::{Channel, ChannelSender, Message, Sender, SmsWebhookSender, SmtpSender};
use stratus_auth::{AuthConfig, AuthService, Outbox, router};
use stratus_spec::auth::AuthSpec;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// One accepted SMTP transaction: envelope and DATA.
#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// An SMTP server on 127.0.0.1 accepting every message (no TLS, no auth).
async fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 localhost ESMTP test\r\n").await.unwrap();
                let mut mail = Mail::default();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 localhost\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        mail.from = line[10..].trim().to_string();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        mail.to.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            mail.data.push_str(&l);
                            mail.data.push('\n');
                        }
                        store.lock().unwrap().push(std::mem::take(&mut mail));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// A webhook endpoint recording the JSON it receives and answering `status`.
async fn webhook_server(status: StatusCode) -> (String, Arc<Mutex<Vec<(Option<String>, Value)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/sms",
        post(
            move |headers: axum::http::HeaderMap, Json(v): Json<Value>| {
                let store = store.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|h| h.to_str().ok())
                        .map(str::to_string);
                    store.lock().unwrap().push((auth, v));
                    status
                }
            },
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, seen)
}

async fn pool(props: Value, sender: Arc<dyn Sender>) -> (AuthService, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = stratus_store::Store::open(dir.path()).await.unwrap();
    let spec = AuthSpec::from_props(&props).unwrap();
    let config = AuthConfig::new(
        "us-east-1_Senders1",
        "senderclient0000000000000",
        "https://x",
    );
    let service = AuthService::open(&store, spec, config, sender)
        .await
        .unwrap();
    (service, dir)
}

async fn call(service: &AuthService, action: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post("/cognito-idp")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{action}"),
        )
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router(service.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn email_message(to: &str) -> Message {
    Message {
        id: "m1".into(),
        created_at: 0,
        channel: Channel::Email,
        to: to.into(),
        subject: Some("Hello".into()),
        body: "Code 123456".into(),
        code: Some("123456".into()),
        trigger_source: "CustomMessage_SignUp".into(),
        username: "u".into(),
        user_pool_id: "us-east-1_x".into(),
        from: None,
        reply_to: None,
    }
}

#[tokio::test]
async fn sign_up_code_goes_out_over_smtp_with_the_pool_templates() {
    let (port, mails) = smtp_server().await;
    let smtp = SmtpSender::from_vars(|k| match k {
        "STRATUS_SMTP_URL" => Some(format!("smtp://127.0.0.1:{port}")),
        _ => None,
    })
    .unwrap()
    .expect("a sender when the URL is set");
    let outbox = Outbox::new();
    let sender = ChannelSender::new(outbox.clone()).with_email(Some(Arc::new(smtp)));
    let (service, _dir) = pool(
        json!({"loginWith": {"email": {
                  "verificationEmailSubject": "Welcome to Acme",
                  "verificationEmailBody": "Your Acme code is {####}"}},
               "senders": {"email": {"fromEmail": "noreply@acme.test", "fromName": "Acme",
                                     "replyTo": "help@acme.test"}}}),
        Arc::new(sender),
    )
    .await;
    let (status, v) = call(
        &service,
        "SignUp",
        json!({"ClientId": "senderclient0000000000000", "Username": "ann@example.com",
               "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let code = outbox.latest_to("ann@example.com").unwrap().code.unwrap();
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "<noreply@acme.test>");
    assert_eq!(mail.to, ["<ann@example.com>"]);
    assert!(
        mail.data.contains("Subject: Welcome to Acme"),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains(&format!("Your Acme code is {code}")),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("From: Acme <noreply@acme.test>"),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains("Reply-To: help@acme.test"),
        "{}",
        mail.data
    );
}

#[tokio::test]
async fn smtp_default_from_and_failures() {
    let (port, mails) = smtp_server().await;
    let smtp = SmtpSender::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Stratus <auth@stratus.test>",
    )
    .unwrap();
    smtp.send(email_message("bob@example.com")).await.unwrap();
    let mail = mails.lock().unwrap()[0].clone();
    assert_eq!(mail.from, "<auth@stratus.test>");
    assert!(mail.data.contains("Code 123456"));
    // SMS is not SMTP's business; a dead server is a delivery failure.
    let mut sms = email_message("+15550100");
    sms.channel = Channel::Sms;
    assert!(smtp.send(sms).await.is_err());
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let down = SmtpSender::new(&format!("smtp://127.0.0.1:{dead_port}"), "a@b.test").unwrap();
    assert!(down.send(email_message("c@example.com")).await.is_err());
    // Settings.
    assert!(SmtpSender::from_vars(|_| None).unwrap().is_none());
    assert!(SmtpSender::new("smtp://127.0.0.1:25", "not an address").is_err());
    assert!(SmtpSender::new("ftp://x", "a@b.test").is_err());
    let shown = format!(
        "{:?}",
        SmtpSender::new("smtp://user:secret@127.0.0.1:25", "a@b.test").unwrap()
    );
    assert!(!shown.contains("secret"), "{shown}");
}

#[tokio::test]
async fn sms_codes_and_invitations_go_to_the_webhook() {
    let (url, seen) = webhook_server(StatusCode::OK).await;
    let webhook = SmsWebhookSender::from_vars(|k| match k {
        "STRATUS_SMS_WEBHOOK_URL" => Some(url.clone()),
        "STRATUS_SMS_WEBHOOK_TOKEN" => Some("tok-1".into()),
        _ => None,
    })
    .unwrap()
    .unwrap();
    assert!(!format!("{webhook:?}").contains("tok-1"));
    let outbox = Outbox::new();
    let sender = ChannelSender::new(outbox.clone()).with_sms(Some(Arc::new(webhook)));
    let (service, _dir) = pool(
        json!({"loginWith": {"phone": {"verificationMessage": "Acme SMS code {####}"}},
               "multifactor": {"mode": "OPTIONAL", "sms": true}}),
        Arc::new(sender),
    )
    .await;
    let (status, v) = call(
        &service,
        "SignUp",
        json!({"ClientId": "senderclient0000000000000", "Username": "+15550100",
               "Password": "Passw0rd!",
               "UserAttributes": [{"Name": "phone_number", "Value": "+15550100"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let code = outbox.latest_to("+15550100").unwrap().code.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let (auth, body) = &seen[0];
    assert_eq!(auth.as_deref(), Some("Bearer tok-1"));
    assert_eq!(body["to"], "+15550100");
    assert_eq!(body["body"], format!("Acme SMS code {code}"));
    assert_eq!(body["code"], code.as_str());
    assert_eq!(body["trigger_source"], "CustomMessage_SignUp");
}

#[tokio::test]
async fn a_failing_webhook_fails_the_action_with_code_delivery_failure() {
    let (url, seen) = webhook_server(StatusCode::INTERNAL_SERVER_ERROR).await;
    let webhook = SmsWebhookSender::new(&url, None).unwrap();
    let outbox = Outbox::new();
    let sender = ChannelSender::new(outbox.clone()).with_sms(Some(Arc::new(webhook)));
    let (service, _dir) = pool(
        json!({"loginWith": {"phone": true}, "multifactor": {"mode": "OPTIONAL", "sms": true}}),
        Arc::new(sender),
    )
    .await;
    let (status, v) = call(
        &service,
        "SignUp",
        json!({"ClientId": "senderclient0000000000000", "Username": "+15550101",
               "Password": "Passw0rd!",
               "UserAttributes": [{"Name": "phone_number", "Value": "+15550101"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["__type"], "CodeDeliveryFailureException");
    assert_eq!(seen.lock().unwrap().len(), 1);
    // The outbox kept its copy of the undelivered message (the sandbox still shows the code).
    let copy = outbox.latest_to("+15550101").expect("the outbox copy");
    assert!(copy.code.is_some());
    assert!(SmsWebhookSender::new("not a url", None).is_err());
    assert!(SmsWebhookSender::new("ftp://host/x", None).is_err());
    assert!(SmsWebhookSender::from_vars(|_| None).unwrap().is_none());
}
