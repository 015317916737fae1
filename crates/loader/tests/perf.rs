//! Load time of the example projects (run in release: `cargo test --release -p stratus-loader
//! --test perf -- --ignored --nocapture`). The whole load sits in a 300 ms cold-start budget.

mod common;

use std::time::{Duration, Instant};

#[test]
#[ignore = "timing; run in release"]
fn load_time_of_the_examples() {
    for dir in common::projects("conformance")
        .iter()
        .filter(|d| common::name(d).starts_with("ex-"))
    {
        stratus_loader::load(dir).expect("loads");
        let mut times: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                stratus_loader::load(dir).expect("loads");
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "{}: median {:?}, max {:?}",
            common::name(dir),
            times[times.len() / 2],
            times[times.len() - 1]
        );
        assert!(
            times[times.len() / 2] < Duration::from_millis(300),
            "over the whole cold-start budget"
        );
    }
}
