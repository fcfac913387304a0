//! The text plan's laws (issue 14 item 2): the asset lines' runs add up to the header's,
//! every run is listed once by wave, key lists are never ranges over keys in between, and
//! huge plans print a bounded number of lines.

mod common;

fn dagplan(args: &[&str]) -> (i32, String, String) {
    common::run_cli(args)
}

/// The number before `word` in `text` ("22 runs" -> 22).
fn count_before(text: &str, word: &str) -> Option<u64> {
    let at = text.find(word)?;
    text[..at].trim_end().rsplit(' ').next()?.parse().ok()
}

fn text_plan(args: &[&str]) -> String {
    let (code, out, err) = dagplan(&[&["plan"][..], args, &["--format", "text"]].concat());
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn asset_lines_add_up_to_the_header() {
    let cases: &[&[&str]] = &[
        &["examples/sales.dag", "--as-of", "2024-01-05T00:00:00Z"],
        &["examples/date_region.dag", "--as-of", "2024-01-04T00:00:00Z"],
        &["examples/regional_inventory.dag", "--as-of", "2024-01-01T00:00:00Z"],
        &["examples/customer_segments.dag", "--as-of", "2024-06-04T00:00:00Z", "--dynamic", "customers=acme,globex"],
    ];
    for args in cases {
        let out = text_plan(args);
        let mut lines = out.lines();
        let header = lines.next().expect("a header");
        let total = count_before(header, " run").expect("runs in the header");
        let mut sum = 0;
        let mut run_lines = 0;
        let mut section = "";
        for line in lines {
            if !line.starts_with(' ') {
                section = line;
                continue;
            }
            if section.starts_with("assets") {
                let runs = line.split("  ").map(str::trim).find(|p| p.ends_with(" run") || p.ends_with(" runs"));
                sum += runs.and_then(|r| r.split(' ').next()?.parse::<u64>().ok()).expect("a run count");
            } else if line.starts_with("    ") {
                run_lines += 1;
            }
        }
        assert_eq!(sum, total, "{args:?}:\n{out}");
        assert_eq!(run_lines, total, "{args:?}: every run listed once\n{out}");
    }
}

#[test]
fn a_key_list_is_never_a_range_over_keys_in_between() {
    let out = text_plan(&[
        "examples/customer_segments.dag",
        "--as-of",
        "2024-06-04T00:00:00Z",
        "--dynamic",
        "customers=acme,globex,initech,umbrella",
        "--select",
        "customer_profiles",
        "--partitions",
        "acme,umbrella",
    ]);
    assert!(out.contains("  acme, umbrella\n"), "{out}");
    assert!(!out.contains("acme...umbrella"), "{out}");
    assert!(out.starts_with("2 runs in 1 wave, 1 asset, 2 asset partitions"), "{out}");
}

#[test]
fn huge_plans_print_bounded_text() {
    // Every hour of two months: about 1,400 runs per asset.
    let out = text_plan(&["examples/hourly_metrics.dag", "--as-of", "2024-05-01T00:00:00Z"]);
    let total = count_before(out.lines().next().unwrap_or_default(), " run").expect("runs");
    assert!(total > 1000, "{out}");
    assert!(out.lines().count() < 100, "{} lines", out.lines().count());
    assert!(out.contains(&format!("... and {} more runs", total - 40)), "{out}");
}
