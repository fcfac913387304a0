//! Laws of selection strings on `examples/sales.dag`: no string panics the parser or the
//! evaluator; a comma unites like `or`; `not` complements; `roots`/`sinks` stay inside their
//! set; a traversal contains its base. (What each string selects is checked against Dagster
//! in `conformance_selections.rs`.)

use std::collections::BTreeSet;
use std::path::Path;

use dagplan::check::compile;
use dagplan::check::FsLoader;
use dagplan::model::{AssetId, Pipeline};
use dagplan::select::{evaluate, parse};
use proptest::prelude::*;

fn pipeline() -> &'static Pipeline {
    static P: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    P.get_or_init(|| compile(Path::new("examples/sales.dag"), &FsLoader).pipeline.expect("the example checks"))
}

fn eval(p: &Pipeline, s: &str) -> Option<BTreeSet<AssetId>> {
    evaluate(&parse(s).ok()?, p).ok().map(|v| v.into_iter().collect())
}

/// A grammar operand over the example's names.
fn operand() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "key:raw_sales",
        "key:clean_sales",
        "key:\"analytics/revenue_report\"",
        "key:*sales*",
        "group:ingest",
        "kind:duckdb",
        "tag:team=finance",
        "partitions:time",
        "*",
        "key:nothing",
    ]);
    let depth = prop::sample::select(vec!["", "+", "1+", "2+"]);
    let down = prop::sample::select(vec!["", "+", "+1"]);
    (depth, atoms, down).prop_map(|(u, a, d)| if a == "*" { a.to_string() } else { format!("{u}{a}{d}") })
}

fn expr() -> impl Strategy<Value = String> {
    operand().prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            inner.clone().prop_map(|a| format!("roots({a})")),
            inner.prop_map(|a| format!("sinks({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "[a-z_:+*\"(), =<>/0-9A-Z.-]{0,40}") {
        let p = pipeline();
        if let Ok(sel) = parse(&s) {
            let _ = evaluate(&sel, p);
        }
    }

    #[test]
    fn set_laws(a in expr(), b in expr()) {
        let p = pipeline();
        let (x, y) = (eval(p, &a).expect("parses"), eval(p, &b).expect("parses"));
        let union: BTreeSet<AssetId> = x.union(&y).copied().collect();
        prop_assert_eq!(eval(p, &format!("{a},{b}")), Some(union.clone()));
        prop_assert_eq!(eval(p, &format!("({a}) or ({b})")), Some(union));
        let both: BTreeSet<AssetId> = x.intersection(&y).copied().collect();
        prop_assert_eq!(eval(p, &format!("({a}) and ({b})")), Some(both));
        let all: BTreeSet<AssetId> = p.asset_ids().collect();
        let rest: BTreeSet<AssetId> = all.difference(&x).copied().collect();
        prop_assert_eq!(eval(p, &format!("not ({a})")), Some(rest));
        for f in ["roots", "sinks"] {
            let inside = eval(p, &format!("{f}({a})")).expect("parses").is_subset(&x);
            prop_assert!(inside);
        }
        for t in ["+(A)", "(A)+", "1+(A)+1"] {
            let contains = x.is_subset(&eval(p, &t.replace('A', &a)).expect("parses"));
            prop_assert!(contains);
        }
    }
}
