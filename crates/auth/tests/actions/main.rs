//! Every action through the JSON protocol (one test binary: linking is the slow part here).

mod common;
mod custom_auth;
mod devices;
mod mfa;
mod password;
mod passwordless_sign_up;
mod recorder;
mod sign_up_triggers;
mod signin;
mod signup;
mod throttle;
mod token_message_triggers;
mod tokens;
mod user;
mod user_auth;
