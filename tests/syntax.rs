//! The syntax phase from the outside: `.dag` text in, AST or diagnostics out.
//! ASTs are compared through `render`, a canonical reprint, so expectations read like source.

use dagplan::diagnostics::{Code, Diagnostic};
use dagplan::source::{FileId, Span};
use dagplan::syntax::ast::{Arg, AssetKey, Call, Expr, ExprKind, Field, Item, MapEntry, Module};
use dagplan::syntax::parse;

mod common;

const FILE: FileId = FileId(7);

fn ok(text: &str) -> Module {
    match parse(FILE, text) {
        Ok(module) => {
            check_spans(text, &module);
            module
        }
        Err(ds) => panic!("{text:?} should parse, got {ds:#?}"),
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse(FILE, text) {
        Ok(m) => panic!("{text:?} should fail, got {m:#?}"),
        Err(ds) => {
            assert!(!ds.is_empty(), "{text:?}: an error with no diagnostics");
            for d in &ds {
                let span = d.primary_span().unwrap_or_else(|| panic!("{text:?}: {d:?} has no span"));
                assert_in_text(text, span, &d.message);
            }
            ds
        }
    }
}

/// The single diagnostic for `text`, with its primary span's text.
fn one_error(text: &str) -> (Diagnostic, String) {
    let ds = errors(text);
    assert_eq!(ds.len(), 1, "{text:?}: {ds:#?}");
    let d = ds.into_iter().next().unwrap();
    let span = d.primary_span().unwrap();
    let at = text[span.start as usize..span.end as usize].to_string();
    (d, at)
}

fn assert_in_text(text: &str, span: Span, what: &str) {
    assert_eq!(span.file, FILE, "{what}: wrong file");
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(s <= e && e <= text.len(), "{what}: span {s}..{e} outside the text ({})", text.len());
    assert!(text.is_char_boundary(s) && text.is_char_boundary(e), "{what}: span {s}..{e} splits a character");
}

fn text_of(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

// ---- canonical reprint ----

fn render(module: &Module) -> String {
    module.items.iter().map(render_item).collect::<Vec<_>>().join("\n")
}

fn render_item(item: &Item) -> String {
    let body = |fields: &[Field]| {
        fields.iter().map(|f| format!("{} = {}", f.name.value, render_expr(&f.value))).collect::<Vec<_>>().join("; ")
    };
    match item {
        Item::Import(i) => format!("import {:?}", i.path.value),
        Item::Partitions(p) => format!("partitions {} = {}", p.name.value, render_expr(&p.value)),
        Item::Asset(a) => format!("asset {} {{ {} }}", a.key.text(), body(&a.fields)),
        Item::MultiAsset(m) => format!("multi_asset {} {{ {} }}", m.name.value, body(&m.fields)),
        Item::Job(j) => format!("job {} {{ {} }}", j.name.value, body(&j.fields)),
    }
}

fn render_expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::List(items) => format!("[{}]", items.iter().map(render_expr).collect::<Vec<_>>().join(", ")),
        ExprKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|m| format!("{:?} = {}", m.key.value, render_expr(&m.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Call(c) => render_call(c),
        ExprKind::Path(k) => k.text(),
        ExprKind::Via(target, call) => format!("({} via {})", render_expr(target), render_call(call)),
    }
}

fn render_call(c: &Call) -> String {
    let args: Vec<String> = c
        .args
        .iter()
        .map(|a| match &a.name {
            Some(n) => format!("{} = {}", n.value, render_expr(&a.value)),
            None => render_expr(&a.value),
        })
        .collect();
    format!("{}({})", c.callee.value, args.join(", "))
}

/// The only expression of `asset a { x = VALUE }`, reprinted.
fn value(src: &str) -> String {
    let text = format!("asset a {{ x = {src} }}");
    let module = ok(&text);
    match module.items.as_slice() {
        [Item::Asset(a)] => render_expr(&a.fields[0].value),
        other => panic!("{other:?}"),
    }
}

// ---- span invariants: in bounds, on character boundaries, children inside parents, in order ----

fn check_spans(text: &str, module: &Module) {
    let mut last_end = 0;
    for item in &module.items {
        let (span, children) = item_parts(item);
        assert_in_text(text, span, "item");
        assert!(span.start >= last_end, "items overlap or are out of order");
        last_end = span.end;
        let mut inner_end = span.start;
        for (child, exprs) in children {
            assert_inside(text, span, child, "item part");
            assert!(child.start >= inner_end, "item parts out of order");
            inner_end = child.end;
            for e in exprs {
                check_expr(text, child, e);
            }
        }
    }
}

fn with_fields(head: Span, fields: &[Field]) -> Vec<(Span, Vec<&Expr>)> {
    let mut parts = vec![(head, vec![])];
    for f in fields {
        assert!(f.name.span.start == f.span.start && f.name.span.end <= f.value.span.start);
        assert_eq!(f.span.end, f.value.span.end, "a field ends with its value");
        parts.push((f.span, vec![&f.value]));
    }
    parts
}

/// An item's span and its parts in order, each with the expressions inside it.
fn item_parts(item: &Item) -> (Span, Vec<(Span, Vec<&Expr>)>) {
    match item {
        Item::Import(i) => (i.span, vec![(i.path.span, vec![])]),
        Item::Partitions(p) => (p.span, vec![(p.name.span, vec![]), (p.value.span, vec![&p.value])]),
        Item::Asset(a) => (a.span, with_fields(a.key.span, &a.fields)),
        Item::MultiAsset(m) => (m.span, with_fields(m.name.span, &m.fields)),
        Item::Job(j) => (j.span, with_fields(j.name.span, &j.fields)),
    }
}

fn assert_inside(text: &str, outer: Span, inner: Span, what: &str) {
    assert_in_text(text, inner, what);
    assert!(outer.start <= inner.start && inner.end <= outer.end, "{what} {inner:?} is outside {outer:?}");
}

fn check_expr(text: &str, parent: Span, e: &Expr) {
    assert_inside(text, parent, e.span, "expression");
    let t = text_of(text, e.span);
    assert_eq!(t.trim(), t, "an expression span has surrounding whitespace: {t:?}");
    let mut last = e.span.start;
    let mut ordered = |s: Span| {
        assert_inside(text, e.span, s, "sub-expression");
        assert!(s.start >= last, "sub-expressions out of order in {t:?}");
        last = s.end;
    };
    match &e.kind {
        ExprKind::Str(_) => assert!(t.starts_with('"') && t.ends_with('"'), "string span without quotes: {t:?}"),
        ExprKind::Int(_) | ExprKind::Bool(_) => {}
        ExprKind::List(items) => {
            for i in items {
                ordered(i.span);
                check_expr(text, e.span, i);
            }
        }
        ExprKind::Map(entries) => {
            for MapEntry { key, value, span } in entries {
                ordered(*span);
                assert_inside(text, *span, key.span, "map key");
                check_expr(text, *span, value);
            }
        }
        ExprKind::Call(c) => check_call(text, e.span, c),
        ExprKind::Path(k) => check_key(text, e.span, k),
        ExprKind::Via(target, call) => {
            ordered(target.span);
            check_expr(text, e.span, target);
            ordered(call.span);
            check_call(text, e.span, call);
        }
    }
}

fn check_call(text: &str, parent: Span, c: &Call) {
    assert_inside(text, parent, c.span, "call");
    assert!(text_of(text, c.span).ends_with(')'));
    assert_inside(text, c.span, c.callee.span, "callee");
    for Arg { name, value, span } in &c.args {
        assert_inside(text, c.span, *span, "argument");
        if let Some(n) = name {
            assert_inside(text, *span, n.span, "argument name");
        }
        check_expr(text, *span, value);
    }
}

fn check_key(text: &str, parent: Span, k: &AssetKey) {
    assert_inside(text, parent, k.span, "key");
    assert_eq!(text_of(text, k.span), k.text());
    for s in &k.segments {
        assert_inside(text, k.span, s.span, "key segment");
    }
}

// ---- the spec's example ----

const EXAMPLE: &str = r#"# sales.dag: daily sales, rolled up by month and by region

partitions daily   = daily(start = "2024-01-01", timezone = "UTC")
partitions monthly = monthly(start = "2024-01-01", end = "2025-01-01")
partitions regions = static("us-east-1", "us-west-2", "eu-west-1")
partitions daily_region = multi(date = daily, region = regions)
partitions customers = dynamic()

asset raw_sales {
    partitions = daily
    group = "ingest"
    kinds = ["duckdb"]
    backfill = single_run()
}

asset clean_sales {
    partitions = daily
    deps = [raw_sales]                          # same definition: identity
}

asset sales_7d {
    partitions = daily
    deps = [clean_sales via time_window(start_offset = -6)]
}

asset monthly_revenue {
    partitions = monthly
    deps = [clean_sales]                        # daily into monthly: overlapping windows
    backfill = multi_run(max_partitions = 3)
}

asset regional_sales {
    partitions = daily_region
    deps = [raw_sales via multi_to_single(dimension = "date")]
}

asset analytics/revenue_report {
    deps = [monthly_revenue via last()]         # unpartitioned, reads the newest month
    code_version = "2"
    tags = { team = "finance", tier = "gold" }
}

multi_asset combine_metrics {
    outs = [combined_metrics, daily_summary]
    partitions = daily
    deps = [clean_sales, raw_sales]
}

job nightly {
    select = "group:ingest+"
    schedule = "0 1 * * *"
}
"#;

#[test]
fn the_whole_example_lowers_to_its_items_and_fields() {
    let module = ok(EXAMPLE);
    assert_eq!(module.file, FILE);
    let expected = r#"partitions daily = daily(start = "2024-01-01", timezone = "UTC")
partitions monthly = monthly(start = "2024-01-01", end = "2025-01-01")
partitions regions = static("us-east-1", "us-west-2", "eu-west-1")
partitions daily_region = multi(date = daily, region = regions)
partitions customers = dynamic()
asset raw_sales { partitions = daily; group = "ingest"; kinds = ["duckdb"]; backfill = single_run() }
asset clean_sales { partitions = daily; deps = [raw_sales] }
asset sales_7d { partitions = daily; deps = [(clean_sales via time_window(start_offset = -6))] }
asset monthly_revenue { partitions = monthly; deps = [clean_sales]; backfill = multi_run(max_partitions = 3) }
asset regional_sales { partitions = daily_region; deps = [(raw_sales via multi_to_single(dimension = "date"))] }
asset analytics/revenue_report { deps = [(monthly_revenue via last())]; code_version = "2"; tags = {"team" = "finance", "tier" = "gold"} }
multi_asset combine_metrics { outs = [combined_metrics, daily_summary]; partitions = daily; deps = [clean_sales, raw_sales] }
job nightly { select = "group:ingest+"; schedule = "0 1 * * *" }"#;
    assert_eq!(render(&module), expected);
}

#[test]
fn spans_are_the_exact_text_of_each_node() {
    let module = ok(EXAMPLE);
    let Item::Asset(sales_7d) = &module.items[7] else { panic!("{:?}", module.items[7]) };
    assert!(text_of(EXAMPLE, sales_7d.span).starts_with("asset sales_7d {"));
    assert!(text_of(EXAMPLE, sales_7d.span).ends_with("time_window(start_offset = -6)]\n}"));
    let deps = &sales_7d.fields[1];
    assert_eq!(text_of(EXAMPLE, deps.span), "deps = [clean_sales via time_window(start_offset = -6)]");
    let ExprKind::List(items) = &deps.value.kind else { panic!() };
    assert_eq!(text_of(EXAMPLE, items[0].span), "clean_sales via time_window(start_offset = -6)");
    let ExprKind::Via(target, call) = &items[0].kind else { panic!() };
    assert_eq!(text_of(EXAMPLE, target.span), "clean_sales");
    assert_eq!(text_of(EXAMPLE, call.span), "time_window(start_offset = -6)");
    assert_eq!(text_of(EXAMPLE, call.args[0].span), "start_offset = -6");
    assert_eq!(text_of(EXAMPLE, call.args[0].value.span), "-6");

    let Item::Partitions(daily) = &module.items[0] else { panic!() };
    assert_eq!(text_of(EXAMPLE, daily.span), r#"partitions daily   = daily(start = "2024-01-01", timezone = "UTC")"#);
    assert_eq!(text_of(EXAMPLE, daily.name.span), "daily");
    let ExprKind::Call(c) = &daily.value.kind else { panic!() };
    assert_eq!(text_of(EXAMPLE, c.args[0].value.span), r#""2024-01-01""#);

    let Item::Asset(report) = &module.items[10] else { panic!() };
    assert_eq!(text_of(EXAMPLE, report.key.span), "analytics/revenue_report");
    let segments: Vec<&str> = report.key.segments.iter().map(|s| text_of(EXAMPLE, s.span)).collect();
    assert_eq!(segments, ["analytics", "revenue_report"]);
    let tags = &report.fields[2].value;
    let ExprKind::Map(entries) = &tags.kind else { panic!() };
    assert_eq!(text_of(EXAMPLE, tags.span), r#"{ team = "finance", tier = "gold" }"#);
    assert_eq!(text_of(EXAMPLE, entries[1].span), r#"tier = "gold""#);

    let Item::Job(job) = module.items.last().unwrap() else { panic!() };
    assert!(text_of(EXAMPLE, job.span).starts_with("job nightly {") && text_of(EXAMPLE, job.span).ends_with('}'));
}

#[test]
fn imports_keep_their_path_and_quotes_in_the_span() {
    let text = "import \"shared/base.dag\"  # the shared definitions\n";
    let module = ok(text);
    let Item::Import(i) = &module.items[0] else { panic!() };
    assert_eq!(i.path.value, "shared/base.dag");
    assert_eq!(text_of(text, i.path.span), "\"shared/base.dag\"");
    assert_eq!(text_of(text, i.span), "import \"shared/base.dag\"");
}

// ---- values ----

#[test]
fn every_escape_decodes() {
    assert_eq!(value(r#""q\"b\\n\nt\t""#), format!("{:?}", "q\"b\\n\nt\t"));
    assert_eq!(value(r#""\u{41}\u{e9}\u{1F600}\u{10FFFF}\u{000041}""#), format!("{:?}", "Aé😀\u{10FFFF}A"));
    assert_eq!(value(r#""plain, é ✓ # not a comment""#), format!("{:?}", "plain, é ✓ # not a comment"));
    assert_eq!(value(r#""""#), "\"\"");
}

#[test]
fn bad_escapes_are_all_reported_at_their_span() {
    let text = r#"asset a { description = "C:\data\q", other = "\u{110000} \u{D800} \u{} \u{1234567} \u41" }"#;
    let ds = errors(text);
    let got: Vec<(Code, &str)> = ds.iter().map(|d| (d.code, text_of(text, d.primary_span().unwrap()))).collect();
    assert_eq!(
        got,
        [
            (Code::InvalidEscape, r"\d"),
            (Code::InvalidEscape, r"\q"),
            (Code::InvalidEscape, r"\u{110000}"),
            (Code::InvalidEscape, r"\u{D800}"),
            (Code::InvalidEscape, r"\u{}"),
            (Code::InvalidEscape, r"\u{1234567}"),
            (Code::InvalidEscape, r"\u"),
        ]
    );
    assert_eq!(ds[0].message, "unknown escape `\\d` in a string");
    assert_eq!(ds[2].message, "`\\u{110000}` is not a Unicode scalar value");
}

#[test]
fn integers_fill_i64_and_no_more() {
    assert_eq!(value("9223372036854775807"), "9223372036854775807");
    assert_eq!(value("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(value("+42"), "42");
    assert_eq!(value("007"), "7");
    for big in ["9223372036854775808", "-9223372036854775809", "99999999999999999999999999"] {
        let (d, at) = one_error(&format!("asset a {{ x = {big} }}"));
        assert_eq!(d.code, Code::IntegerOutOfRange);
        assert_eq!(at, big);
        assert_eq!(d.message, format!("integer `{big}` does not fit in 64 bits"));
    }
}

#[test]
fn lowering_reports_every_escape_and_integer_problem_at_once() {
    let text = "asset a {\n  x = 99999999999999999999\n  y = \"\\q\"\n}\njob j { z = [-99999999999999999999] }";
    let codes: Vec<Code> = errors(text).iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::IntegerOutOfRange, Code::InvalidEscape, Code::IntegerOutOfRange]);
}

#[test]
fn booleans_lists_maps_calls_and_paths() {
    assert_eq!(value("true"), "true");
    assert_eq!(value("false"), "false");
    assert_eq!(value("[]"), "[]");
    assert_eq!(value("{}"), "{}");
    assert_eq!(value("[1, \"a\", [true], {k = b/c}]"), "[1, \"a\", [true], {\"k\" = b/c}]");
    assert_eq!(
        value("{ \"up\" = \"down\", \"up2\" = [\"d1\", \"d2\"] }"),
        "{\"up\" = \"down\", \"up2\" = [\"d1\", \"d2\"]}"
    );
    assert_eq!(value("f()"), "f()");
    assert_eq!(value("static({ \"a\" = \"b\" })"), "static({\"a\" = \"b\"})");
    assert_eq!(value("a/b/c"), "a/b/c");
    // Names that merely start with a keyword are names.
    assert_eq!(value("[trueish, via_x, false_, asset, partitions]"), "[trueish, via_x, false_, asset, partitions]");
}

#[test]
fn positional_and_named_arguments_keep_their_order() {
    let text = r#"partitions c = cron("0 * * * *", start = "2024-01-01", end_offset = 1)"#;
    let module = ok(text);
    let Item::Partitions(p) = &module.items[0] else { panic!() };
    let ExprKind::Call(call) = &p.value.kind else { panic!() };
    let names: Vec<Option<&str>> = call.args.iter().map(|a| a.name.as_ref().map(|n| n.value.as_str())).collect();
    assert_eq!(names, [None, Some("start"), Some("end_offset")]);
    assert_eq!(text_of(text, call.args[0].span), "\"0 * * * *\"");
    // A bare name is a positional argument, not half a named one.
    assert_eq!(value("f(a, b = c, d)"), "f(a, b = c, d)");
}

#[test]
fn trailing_commas_are_allowed_everywhere_a_list_of_things_is() {
    assert_eq!(value("[1, 2,]"), "[1, 2]");
    assert_eq!(value("f(1, a = 2,)"), "f(1, a = 2)");
    assert_eq!(value("{ a = 1, b = 2, }"), "{\"a\" = 1, \"b\" = 2}");
    assert_eq!(
        render(&ok("job j { select = \"*\", schedule = \"x\", }")),
        "job j { select = \"*\"; schedule = \"x\" }"
    );
}

#[test]
fn fields_and_map_entries_separate_by_newlines_or_commas() {
    let by_lines = ok("asset a {\n  x = 1\n  y = { k = 1\n    \"j\" = 2 }\n\n  z = [1,\n 2]\n}");
    let by_commas = ok("asset a { x = 1, y = { k = 1, \"j\" = 2 }, z = [1, 2] }");
    assert_eq!(render(&by_lines), render(&by_commas));
    assert_eq!(render(&by_lines), "asset a { x = 1; y = {\"k\" = 1, \"j\" = 2}; z = [1, 2] }");
}

#[test]
fn newlines_may_appear_anywhere_inside_values() {
    let text = "partitions p = daily(\n  start = \"2024-01-01\",\n  timezone =\n    \"UTC\"\n)\nasset a {\n  deps = [\n    b\n      via\n    last(\n    )\n  ]\n}";
    assert_eq!(
        render(&ok(text)),
        "partitions p = daily(start = \"2024-01-01\", timezone = \"UTC\")\nasset a { deps = [(b via last())] }"
    );
}

#[test]
fn via_binds_to_the_value_before_it() {
    assert_eq!(
        value("[a via time_window(start_offset = -6), b, c/d via last()]"),
        "[(a via time_window(start_offset = -6)), b, (c/d via last())]"
    );
    let mapping = "multi(date = \"day\" via identity(), region = identity())";
    assert_eq!(
        value(&format!("[up via {mapping}]")),
        format!("[(up via multi(date = (\"day\" via identity()), region = identity()))]")
    );
}

#[test]
fn asset_keys_have_slash_separated_segments() {
    let module = ok("asset a/b/c_1 { deps = [x/y, z] }");
    let Item::Asset(a) = &module.items[0] else { panic!() };
    let segs: Vec<&str> = a.key.segments.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(segs, ["a", "b", "c_1"]);
    assert_eq!(a.key.as_name(), None);
    assert_eq!(render(&module), "asset a/b/c_1 { deps = [x/y, z] }");
}

#[test]
fn comments_can_go_anywhere_whitespace_can() {
    let text = "# head\nasset # after keyword\n a # after key\n { # after brace\n deps # after name\n = # after eq\n [ # in list\n b # after item\n via # after via\n last # after callee\n ( # in call\n ) # after call\n , # after comma\n ] # after list\n } # after item\n# tail without newline";
    assert_eq!(render(&ok(text)), "asset a { deps = [(b via last())] }");
}

#[test]
fn empty_and_comment_only_files_have_no_items() {
    for text in ["", "\n\n", "# only a comment", "\u{FEFF}# byte-order mark first\n"] {
        assert!(ok(text).items.is_empty(), "{text:?}");
    }
}

#[test]
fn item_keywords_are_only_keywords_where_an_item_starts() {
    let text = "asset job { partitions = asset }\nasset partitions { job = import }\njob asset { select = \"x\" }\npartitions import = multi_asset\nmulti_asset job { outs = [asset] }";
    assert_eq!(
        render(&ok(text)),
        "asset job { partitions = asset }\nasset partitions { job = import }\njob asset { select = \"x\" }\npartitions import = multi_asset\nmulti_asset job { outs = [asset] }"
    );
}

#[test]
fn items_may_share_a_line_and_fields_need_no_separator() {
    assert_eq!(render(&ok("asset a { x = 1 y = 2 } job j {}")), "asset a { x = 1; y = 2 }\njob j {  }");
}

// ---- malformed input ----

#[test]
fn syntax_errors_say_what_was_found_and_what_was_expected() {
    // (input, text under the primary span, message)
    let cases: &[(&str, &str, &str)] = &[
        ("partitions daily ( start = \"x\")", "(", "expected `=` after the partitions name, found `(`"),
        ("partitions daily daily()", "d", "expected `=` after the partitions name, found `daily`"),
        ("asset a {\n  partitions: daily\n}", ":", "expected `=` after the field name, found `:`"),
        ("asset a { tags = { team: \"x\" } }", ":", "expected `=` after the map key, found `:`"),
        ("asset via {}", "via", "expected a name, found the reserved word `via`"),
        ("asset a { deps = [a b] }", "b", "expected `,` or `]`, found `b`"),
        ("asset a { x = 1 2 }", "2", "expected `,`, `}` or a field like `name = value`, found `2`"),
        ("asset a { x = 'a' }", "'", "expected a value after `=`, found `'`"),
        ("asset a { x = \"abc }", "\"", "expected a value after `=`, found an unterminated string"),
        ("asset a { deps = [b via] }", "]", "expected a call like `name(...)` after `via`, found `]`"),
        ("asset a { deps = [b via last] }", "]", "expected `(`, found `]`"),
        ("job j select = \"*\" }", "s", "expected `{` after the job name, found `select`"),
        ("asset a/ b {}", " ", "expected a name after `/`, found a space"),
        ("import x", "x", "expected a string after `import`, found `x`"),
        (
            "assets a {}",
            "a",
            "expected an item (`asset`, `multi_asset`, `job`, `partitions` or `import`), found `assets`",
        ),
        ("job j {", "", "expected `}` or a field like `name = value`, found end of file"),
        ("asset a { x = [1,, 2] }", ",", "expected `]` or a value, found `,`"),
        ("asset a { x = f(,) }", ",", "expected `)` or an argument, found `,`"),
        ("asset a { x = é }", "é", "expected a value after `=`, found `é`"),
        ("asset a { x = a via f() via g() }", "v", "expected `,` or `}`, found the reserved word `via`"),
    ];
    for (input, at, message) in cases {
        let (d, got_at) = one_error(input);
        assert_eq!(d.code, Code::Parse, "{input:?}");
        assert_eq!(&d.message, message, "{input:?}");
        assert_eq!(&got_at, at, "{input:?}: span");
    }
}

#[test]
fn common_mistakes_get_help() {
    let cases: &[(&str, &str)] = &[
        ("asset a {\n  partitions: daily\n}", "use `=` instead of `:`, as in `name = value`"),
        ("partitions p = daily(start = '2024')", "strings are written in double quotes, as in `\"text\"`"),
        ("asset true {}", "`true` is a reserved word and cannot be a name (`via`, `true` and `false` are reserved)"),
        (
            "asset a { x = \"abc }",
            "close the string with `\"` on the same line; strings cannot span lines (write `\\n` for a line break)",
        ),
        ("asset a {\n  deps = [a\n}", "add `]` to close the list opened on line 2"),
        ("job j {\n  select = \"*\"\n", "add `}` to close the item body opened on line 1"),
        ("partitions p = daily(start = \"x\"", "add `)` to close the argument list opened on line 1"),
        ("asset a { deps = [a b] }", "put a `,` between list items"),
        ("asset a { deps = [b via last] }", "a mapping after `via` is a call: write `last()`"),
        ("asset a { x = a via f() via g() }", "a value takes at most one `via` mapping"),
        ("assets a {}", "did you mean `asset`?"),
        ("asset a { x = - 5 }", "write a signed integer without a space, as in `-5`"),
        ("asset a { x = 12ab }", "a name cannot start with a digit"),
        ("partitions p daily()", "a partitions definition reads `partitions NAME = VALUE`"),
        ("asset a {\n  group \"x\"\n}", "put `=` between the name and its value"),
    ];
    for (input, help) in cases {
        let (d, _) = one_error(input);
        assert_eq!(d.help.as_deref(), Some(*help), "{input:?}: {d:#?}");
    }
}

#[test]
fn a_missing_closing_brace_is_reported_at_the_next_item() {
    let text = "partitions daily = daily(start = \"2024-01-01\")\nasset raw {\n    partitions = daily\n\nasset clean {\n    partitions = daily\n}\n";
    let (d, at) = one_error(text);
    assert_eq!(d.code, Code::Parse);
    assert_eq!(d.message, "expected `}` before `asset`, which starts the next item");
    assert_eq!(at, "asset");
    assert_eq!(d.labels[0].span.start as usize, text.find("asset clean").unwrap());
    assert_eq!(d.labels[1].span.start as usize, text.find("raw {").unwrap() + 4, "the open brace is labelled");
    assert_eq!(d.help.as_deref(), Some("add `}` to close the item body opened on line 2"));

    let nested = "asset a {\n  x = [1,\n\njob j { select = \"*\" }\n";
    let (d, at) = one_error(nested);
    assert_eq!(d.message, "expected `]` and `}` before `job`, which starts the next item");
    assert_eq!(at, "job");
    assert_eq!(d.labels.len(), 3);

    // A field that happens to be called like an item keyword is not mistaken for an item.
    let (d, _) = one_error("asset a {\n  partitions daily\n}");
    assert_eq!(d.message, "expected `=` after the field name, found `daily`");
}

#[test]
fn an_unclosed_bracket_is_labelled_where_it_opens() {
    let text = "asset a { partitions = daily }\nasset b {\n    partitions = daily\n    deps = [a\n}\n";
    let (d, at) = one_error(text);
    assert_eq!(d.message, "expected `,` or `]`, found `}`");
    assert_eq!(at, "}");
    assert_eq!(d.labels.len(), 2);
    assert_eq!(text_of(text, d.labels[1].span), "[");
    assert_eq!(d.labels[1].message, "this `[` is not closed");
}

#[test]
fn a_syntax_error_comes_with_the_escape_problems_before_it() {
    let text = "asset a { x = \"\\q\", y = 99999999999999999999 }\nasset b { z = }\nasset c { w = \"\\q\" }";
    let codes: Vec<Code> = errors(text).iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::Parse, Code::InvalidEscape, Code::IntegerOutOfRange]);
}

#[test]
fn error_spans_cover_one_character_and_stay_in_the_text() {
    let (_, at) = one_error("asset a { x = ü }");
    assert_eq!(at, "ü");
    let text = "asset a {";
    let (d, at) = one_error(text);
    assert_eq!(at, "");
    assert_eq!(d.primary_span().map(|s| s.start as usize), Some(text.len()));
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    for (open, close) in [("[", "]"), ("{a = ", "}"), ("f(", ")")] {
        let text = format!("asset a {{ x = {} }}", open.repeat(100_000));
        let (d, at) = one_error(&text);
        assert_eq!(d.code, Code::Parse);
        assert_eq!(d.message, "nesting deeper than 128 levels");
        let bracket = open.chars().find(|c| "[{(".contains(*c)).unwrap();
        assert_eq!(at, bracket.to_string());
        // Balanced, too deep, and only just deep enough.
        let n = 200;
        let balanced = format!("asset a {{ x = {}1{} }}", open.repeat(n), close.repeat(n));
        assert_eq!(one_error(&balanced).0.message, "nesting deeper than 128 levels");
        let fits = format!("asset a {{ x = {}1{} }}", open.repeat(127), close.repeat(127));
        ok(&fits);
    }
}

#[test]
fn deep_nesting_is_refused_before_any_recursion() {
    // The pre-scan is a loop: a million open brackets are refused on a 64 KiB stack.
    let text = format!("asset a {{ x = {} }}", "[".repeat(1_000_000));
    let worker = std::thread::Builder::new().stack_size(64 * 1024).spawn(move || parse(FILE, &text).err());
    let ds = worker.unwrap().join().unwrap().unwrap();
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].message, "nesting deeper than 128 levels");
}

/// A small deterministic generator (same cases everywhere, no dependency).
#[test]
fn mutated_examples_never_panic_and_always_point_into_the_text() {
    const NOISE: &[&str] = &[
        "",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "\"",
        "'",
        "=",
        ",",
        ":",
        "via",
        "asset ",
        "\\",
        "\\u{",
        "-",
        "0",
        "99999999999999999999",
        "#",
        "\n",
        "é",
        "/",
        "\r",
        "\u{FEFF}",
        "true",
    ];
    let mut rng = common::Lcg(0x5eed);
    for _ in 0..1000 * common::scale() {
        let edits = 1 + rng.next(4);
        let t = common::mutate(EXAMPLE, &mut rng, edits, 6, NOISE);
        match parse(FILE, &t) {
            Ok(module) => check_spans(&t, &module),
            Err(ds) => {
                assert!(!ds.is_empty());
                for d in &ds {
                    let span = d.primary_span().unwrap_or_else(|| panic!("{t:?}: no span on {d:?}"));
                    assert_in_text(&t, span, &d.message);
                    assert!(!d.message.starts_with("internal"), "{t:?}: {d:?}");
                    for label in &d.labels {
                        assert_in_text(&t, label.span, &label.message);
                    }
                }
            }
        }
    }
}

#[test]
fn a_large_file_parses() {
    let item = "asset a {\n    partitions = daily\n    deps = [b via time_window(start_offset = -6), c/d]\n    tags = { team = \"x\" }\n}\n# comment\n";
    let text = item.repeat(5_000);
    assert_eq!(ok(&text).items.len(), 5_000);
}
