#[test]
#[ignore]
fn print_raw() {
    let dir = std::env::var("FIXTURE").unwrap();
    let t = std::time::Instant::now();
    match stratus_loader::load_raw(std::path::Path::new(&dir)) {
        Ok(raw) => println!("{}", serde_json::to_string_pretty(&raw.json).unwrap()),
        Err(e) => println!("ERROR: {e}"),
    }
    println!("took {:?}", t.elapsed());
}
