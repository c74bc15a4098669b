//! Times loading a `tidegate.toml` of N package tables (the linear-load check of the README).
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(16_000);
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("[packages.\"p{i}\"]\n"));
    }
    let start = std::time::Instant::now();
    let mut config =
        tidegate_core::config::Config::from_toml("tidegate.toml", &text).expect("valid");
    let parsed = start.elapsed();
    for package in &mut config.packages {
        package.name_component(None);
    }
    config.check_tags().expect("distinct");
    println!(
        "{n} packages: parsed in {parsed:?}, loaded in {:?}",
        start.elapsed()
    );
}
