//! `dagplan report` and `graph --format svg`: the HTML of a small example (snapshot), its
//! structure (every element closed, nothing fetched, hostile keys escaped), and its size on
//! a large generated pipeline with a ragged state (segment caps).

mod common;

use std::path::Path;

use common::run_cli;

const AS_OF: &str = "2024-01-11T00:00:00Z";
const FIXTURE: &str = "tests/fixtures/report/hostile.dag";

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// A state with successes, failures and gaps for the fixture, in `dir`.
fn ragged_state(dir: &Path) -> String {
    let s = dir.join("state.toml").display().to_string();
    let mark = |assets: &[&str], parts: &str, outcome: &str| {
        let mut args = vec!["state", "mark", FIXTURE];
        args.extend_from_slice(assets);
        args.extend_from_slice(&["--partitions", parts, outcome, "--state", &s, "--as-of", AS_OF]);
        ok(&args);
    };
    mark(&["raw", "daily_sum"], "2024-01-01...2024-01-06", "--materialized");
    mark(&["raw"], "2024-01-07", "--failed");
    mark(&["daily_kind"], "date=2024-01-01...2024-01-04,kind=<b>", "--materialized");
    mark(&["by_kind"], "a&b", "--failed");
    s
}

fn report(extra: &[&str]) -> String {
    let mut args = vec!["report", FIXTURE, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    ok(&args)
}

/// Checks that every element opened is closed in order (void elements written `<x/>`),
/// skipping the doctype; returns the number of elements.
fn balanced(html: &str) -> usize {
    let mut stack: Vec<String> = Vec::new();
    let mut count = 0;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("every tag ends");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(!name.is_empty(), "a `<` that starts no tag: <{tag}>");
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !tag.ends_with('/') {
            stack.push(name);
            count += 1;
        } else {
            count += 1;
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    count
}

/// Nothing a browser would fetch: no URL, no `src`, no link but to the page's own anchors, no
/// CSS `url()` but to the page's own SVG marker.
fn assert_offline(html: &str) {
    assert!(!html.contains("://"), "no URL of any kind");
    assert!(!html.contains("src="), "no embedded resource");
    assert_eq!(html.matches("href=").count(), html.matches("href=\"#a").count(), "links stay in the page");
    assert_eq!(html.matches("url(").count(), html.matches("url(#arrow)").count(), "no CSS fetch");
}

#[test]
fn report_of_a_small_example_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let state = ragged_state(dir.path());
    let html = report(&["--state", &state]).replace(&state, "STATE");
    common::insta_settings().bind(|| insta::assert_snapshot!("report_html_hostile", html));
}

#[test]
fn report_is_well_formed_offline_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let state = ragged_state(dir.path());
    for html in [report(&["--state", &state]), report(&[])] {
        assert!(balanced(&html) > 50);
        assert_offline(&html);
        assert!(!html.contains("<script"), "no script, not even a tag's");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "the tag is shown, escaped");
        assert!(html.contains("&lt;b&gt;") && html.contains("a&amp;b") && html.contains("q&quot;uote"));
        for id in ["inputs", "graph", "plan", "freshness", "status"] {
            assert!(html.contains(&format!("<section id=\"{id}\">")), "section {id}");
        }
    }
}

#[test]
fn report_is_byte_identical_for_the_same_inputs_and_written_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let state = ragged_state(dir.path());
    let out = dir.path().join("r.html").display().to_string();
    assert_eq!(report(&["--state", &state, "-o", &out]), "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), report(&["--state", &state]));
}

#[test]
fn report_shows_the_state_plan_and_freshness() {
    let dir = tempfile::tempdir().unwrap();
    let state = ragged_state(dir.path());
    let html = report(&["--state", &state]);
    // raw: 6 materialized, 1 failed (planned again, shown failed), 3 planned.
    assert!(html.contains("10 partitions: 1 failed, 3 planned now, 6 materialized"), "{html}");
    assert!(html.contains("class=\"s-failed\""));
    // daily_sum's newest 3 days are not materialized.
    assert!(html.contains("NOT FRESH"));
    // A date x kind asset is a grid with one row per kind.
    assert!(html.contains("<svg class=\"grid\""));
    // Planned nodes are marked in the graph.
    assert!(html.contains("class=\"node planned\" data-asset=\"raw\""));
    // With a selection, the rest is drawn as not selected; the inputs say what was asked.
    let html = report(&["--state", &state, "--select", "raw", "--partitions", "2024-01-08...2024-01-09"]);
    assert!(html.contains("class=\"node unselected\" data-asset=\"daily_sum\""));
    assert!(html.contains("<td><code>2024-01-08...2024-01-09</code></td>"));
    assert!(html.contains("<b>2</b> runs"), "two days of raw");
}

#[test]
fn graph_svg_is_standalone_and_escaped() {
    let svg = ok(&["graph", FIXTURE, "--format", "svg"]);
    assert!(svg.starts_with("<?xml"));
    assert_eq!(balanced(&svg[svg.find("<svg").unwrap()..]), balanced(&svg[svg.find("<svg").unwrap()..]));
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(svg.matches("<g class=\"node").count(), 5);
    assert_eq!(svg.matches("<path class=\"edge\"").count(), 4);
    assert!(svg.contains("out/report"));
    common::insta_settings()
        .bind(|| insta::assert_snapshot!("graph_svg_sales", ok(&["graph", "examples/sales.dag", "--format", "svg"])));
}

/// A chain-and-fan pipeline of `n` daily assets over three years.
fn large_pipeline(n: usize) -> String {
    let mut text = String::from("partitions days = daily(start = \"2021-01-01\", end = \"2024-01-01\")\n");
    for i in 0..n {
        let deps = if i == 0 { String::new() } else { format!("deps = [a{:04}]", (i - 1) / 3) };
        text.push_str(&format!("asset a{i:04} {{\n  partitions = days\n  {deps}\n}}\n"));
    }
    text
}

#[test]
fn report_size_is_bounded_by_the_segment_caps() {
    // REPORT_ASSETS=1000 for the full size; the default keeps the test quick on 2 cores.
    let n: usize = std::env::var("REPORT_ASSETS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let dag = dir.path().join("big.dag");
    std::fs::write(&dag, large_pipeline(n)).unwrap();
    let dag = dag.display().to_string();
    let state = dir.path().join("s.toml").display().to_string();
    // Every other day materialized on every asset: 548 segments each without the cap.
    let mut keys = Vec::new();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    for d in (0..1095).step_by(2) {
        keys.push((start + chrono::Days::new(d)).format("%Y-%m-%d").to_string());
    }
    let all: Vec<String> = (0..n).map(|i| format!("a{i:04}")).collect();
    let mut args = vec!["state", "mark", dag.as_str()];
    args.extend(all.iter().map(String::as_str));
    let parts = keys.join(",");
    args.extend_from_slice(&[
        "--partitions",
        &parts,
        "--materialized",
        "--state",
        &state,
        "--as-of",
        "2024-01-01T00:00:00Z",
    ]);
    ok(&args);
    let html = ok(&["report", &dag, "--state", &state, "--as-of", "2024-01-01T00:00:00Z", "--reprocess", "none"]);
    let rects = html.matches("<rect class=\"s-").count();
    assert!(rects <= n * dagplan::emit::report::MAX_SLICES as usize, "{rects} rects for {n} assets");
    assert!(html.contains("s-mixed"), "alternating days are drawn as mixed slices");
    let per_asset = html.len() / n;
    assert!(per_asset < 5_000_000 / 1000, "{per_asset} bytes per asset: 1,000 assets would pass 5 MB");
}

#[test]
fn layout_layers_are_longest_paths_and_boxes_never_overlap() {
    use dagplan::check::{compile, FsLoader};
    use dagplan::emit::layout::{layout, NODE_H, NODE_W};
    let mut files = common::examples();
    files.push(FIXTURE.into());
    for file in files {
        let c = compile(&file, &FsLoader);
        let p = c.pipeline.as_ref().expect("examples check");
        let l = layout(p);
        assert_eq!(l, layout(p), "{}: deterministic", file.display());
        for (i, a) in p.assets.iter().enumerate() {
            let parents = a.deps.iter().map(|d| d.upstream.0 as usize).filter(|&u| u != i);
            let want = parents.map(|u| l.layer[u] + 1).max().unwrap_or(0);
            assert_eq!(l.layer[i], want, "{}: {} is one layer after its deepest parent", file.display(), a.key);
            let (x, y) = l.pos[i];
            assert!(x + NODE_W <= l.width && y + NODE_H <= l.height, "inside the drawing");
            for (j, &(x2, y2)) in l.pos.iter().enumerate().skip(i + 1) {
                let apart = x + NODE_W <= x2 || x2 + NODE_W <= x || y + NODE_H <= y2 || y2 + NODE_H <= y;
                assert!(apart, "{}: boxes {i} and {j} overlap", file.display());
            }
        }
    }
}

#[test]
fn report_errors_exit_like_plan() {
    let dir = tempfile::tempdir().unwrap();
    let into_dir = dir.path().display().to_string();
    let (code, _, err) = run_cli(&["report", FIXTURE, "--as-of", AS_OF, "-o", &into_dir]);
    assert_eq!(code, 2, "an unwritable output is an I/O error: {err}");
    assert!(err.contains("cannot write the report"), "{err}");
    let (code, _, err) = run_cli(&["report", FIXTURE, "--as-of", AS_OF, "--select", "nope"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, _) = run_cli(&["report", "tests/fixtures/invalid/cycle__three_assets.dag", "--as-of", AS_OF]);
    assert_eq!(code, 1);
}

#[test]
fn report_of_every_example_is_well_formed() {
    for file in common::examples() {
        let file = file.display().to_string();
        // The ledger's weekly close reads days that exist only from its first week on.
        let as_of = if file.ends_with("ledger.dag") { "2024-01-06T00:00:00Z" } else { "2024-06-01T00:00:00Z" };
        // `--dynamic` names a definition the pipeline must declare.
        let dynamic: &[&str] =
            if file.ends_with("customer_segments.dag") { &["--dynamic", "customers=acme,<globex>"] } else { &[] };
        let html = ok(&[&["report", file.as_str(), "--as-of", as_of], dynamic].concat());
        assert!(balanced(&html) > 30, "{file}");
        assert_offline(&html);
        let (code, svg, err) = run_cli(&["graph", &file, "--format", "svg"]);
        assert_eq!(code, 0, "{file}: {err}");
        balanced(&svg[svg.find("<svg").unwrap()..]);
    }
}
