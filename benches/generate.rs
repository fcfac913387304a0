//! Generators of large `.dag` pipelines for the benchmarks (deterministic, no randomness).
#![allow(dead_code)]

use std::fmt::Write;

/// `n` assets with up to three deps each on earlier assets, over five kinds of partitions
/// (daily, hourly, monthly, daily x region, weekly), every dep on Dagster's default mapping
/// or a time_window lookback, so the pipeline checks clean.
pub fn mixed_pipeline(n: usize) -> String {
    let mut s = String::from(
        "partitions daily = daily(start = \"2022-01-01\", timezone = \"Europe/Berlin\")\n\
         partitions hourly = hourly(start = \"2022-01-01-00:00\", timezone = \"Europe/Berlin\")\n\
         partitions monthly = monthly(start = \"2022-01-01\", timezone = \"Europe/Berlin\")\n\
         partitions weekly = weekly(start = \"2022-01-02\", timezone = \"Europe/Berlin\")\n\
         partitions regions = static(\"us\", \"eu\", \"apac\")\n\
         partitions daily_region = multi(date = daily, region = regions)\n\n",
    );
    let kinds = ["daily", "hourly", "monthly", "daily_region", "weekly"];
    for i in 0..n {
        let kind = kinds[i % kinds.len()];
        let _ = writeln!(s, "asset group_{}/asset_{i} {{", i % 10);
        let _ = writeln!(s, "    partitions = {kind}");
        let _ = writeln!(s, "    group = \"g{}\"", i % 10);
        let deps: Vec<String> = [1usize, 3, 8]
            .iter()
            .filter(|&&d| i >= d)
            .map(|&d| {
                let j = i - d;
                let up_kind = kinds[j % kinds.len()];
                let key = format!("group_{}/asset_{j}", j % 10);
                if up_kind != "daily_region" && kind != "daily_region" && d == 1 {
                    format!("{key} via time_window(start_offset = -2)")
                } else {
                    key
                }
            })
            .collect();
        if !deps.is_empty() {
            let _ = writeln!(s, "    deps = [{}]", deps.join(", "));
        }
        s.push_str("}\n");
    }
    s
}

/// `n` daily assets over three years in layers of `width`: each asset reads the one before
/// it in its layer chain and fans out to two assets of the next layer, some through a
/// `time_window(start_offset = -6)` lookback. `policy` is an optional `backfill = ...`.
pub fn daily_backfill(n: usize, width: usize, policy: Option<&str>) -> String {
    let mut s =
        String::from("partitions daily = daily(start = \"2021-01-01\", end = \"2024-01-01\", timezone = \"UTC\")\n\n");
    for i in 0..n {
        let _ = writeln!(s, "asset a{i} {{\n    partitions = daily");
        if let Some(p) = policy {
            let _ = writeln!(s, "    backfill = {p}");
        }
        let mut deps = Vec::new();
        if i >= width {
            deps.push(format!("a{}", i - width));
            if i % 3 == 0 && i > width {
                deps.push(format!("a{} via time_window(start_offset = -6)", i - width - 1));
            }
        }
        if !deps.is_empty() {
            let _ = writeln!(s, "    deps = [{}]", deps.join(", "));
        }
        s.push_str("}\n");
    }
    s
}

/// The graphs `bench_dagster.py backfill_*` times: `n` daily assets over 2021-2023, either a
/// chain (`a_i` reads `a_{i-1}`) or a fan-out (every asset reads `a0`).
pub fn chain_or_fanout(n: usize, fanout: bool, policy: Option<&str>) -> String {
    let mut s = String::from("partitions daily = daily(start = \"2021-01-01\", end = \"2024-01-01\")\n\n");
    for i in 0..n {
        let _ = writeln!(s, "asset a{i} {{\n    partitions = daily");
        if let Some(p) = policy {
            let _ = writeln!(s, "    backfill = {p}");
        }
        if i > 0 {
            let parent = if fanout { 0 } else { i - 1 };
            let _ = writeln!(s, "    deps = [a{parent}]");
        }
        s.push_str("}\n");
    }
    s
}
