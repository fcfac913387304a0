//! Partition mappings as Dagster's `PartitionMapping` expressions, one class per kind.
//! Where Dagster has no equal, the nearest class and a note saying what differs.

use super::py::{Arg, Expr};
use crate::model::{DimensionMapping, Mapping};

/// A mapping's expression, and notes on anything Dagster cannot say exactly (empty when the
/// expression means what the mapping means).
pub fn expr(m: &Mapping) -> (Expr, Vec<String>) {
    let mut notes = Vec::new();
    let e = build(m, &mut notes);
    (e, notes)
}

fn build(m: &Mapping, notes: &mut Vec<String>) -> Expr {
    match m {
        Mapping::Identity { allow_nonexistent_upstream } => {
            if *allow_nonexistent_upstream {
                notes.push(
                    "dagplan: identity(allow_nonexistent_upstream = true); Dagster's identity has no such flag, \
                     so a downstream key the upstream lacks fails there instead of reading nothing"
                        .into(),
                );
            }
            Expr::call("dg.IdentityPartitionMapping", vec![])
        }
        Mapping::TimeWindow { start_offset, end_offset, allow_nonexistent_upstream } => {
            let mut args = Vec::new();
            if *start_offset != 0 {
                args.push(("start_offset", Expr::int(start_offset)));
            }
            if *end_offset != 0 {
                args.push(("end_offset", Expr::int(end_offset)));
            }
            if *allow_nonexistent_upstream {
                args.push(("allow_nonexistent_upstream_partitions", Expr::bool(true)));
            }
            Expr::call("dg.TimeWindowPartitionMapping", args)
        }
        Mapping::All => Expr::call("dg.AllPartitionMapping", vec![]),
        Mapping::Last => Expr::call("dg.LastPartitionMapping", vec![]),
        Mapping::Specific(keys) => Expr::Call(
            "dg.SpecificPartitionsPartitionMapping".into(),
            vec![Arg::positional(Expr::list(keys.iter().map(|k| Expr::str(k))))],
        ),
        Mapping::Static(pairs) => {
            let entries = pairs
                .iter()
                .map(|(up, downs)| {
                    let value = match downs.as_slice() {
                        [one] => Expr::str(one),
                        _ => Expr::list(downs.iter().map(|d| Expr::str(d))),
                    };
                    (Expr::str(up), value)
                })
                .collect();
            Expr::Call("dg.StaticPartitionMapping".into(), vec![Arg::positional(Expr::Dict(entries))])
        }
        Mapping::MultiToSingle { dimension } => Expr::call(
            "dg.MultiToSingleDimensionPartitionMapping",
            vec![("partition_dimension_name", Expr::str(dimension))],
        ),
        Mapping::Multi(dims) => {
            let entries = dims.iter().map(|d| (Expr::str(&d.upstream_dimension), dimension(d, notes))).collect();
            Expr::Call("dg.MultiPartitionMapping".into(), vec![Arg::positional(Expr::Dict(entries))])
        }
    }
}

fn dimension(d: &DimensionMapping, notes: &mut Vec<String>) -> Expr {
    Expr::call(
        "dg.DimensionPartitionMapping",
        vec![("dimension_name", Expr::str(&d.downstream_dimension)), ("partition_mapping", build(&d.mapping, notes))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_window_writes_only_what_differs_from_the_default() {
        let m = Mapping::TimeWindow { start_offset: -6, end_offset: 0, allow_nonexistent_upstream: true };
        let (e, notes) = expr(&m);
        assert_eq!(
            e.render(0, "m = ", ""),
            "m = dg.TimeWindowPartitionMapping(start_offset=-6, allow_nonexistent_upstream_partitions=True)"
                .replace("(s", "(\n    s")
                .replace(", a", ",\n    a")
                .replace("True)", "True,\n)")
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn identity_that_allows_missing_upstream_is_noted() {
        let (e, notes) = expr(&Mapping::Identity { allow_nonexistent_upstream: true });
        assert_eq!(e.render(0, "", ""), "dg.IdentityPartitionMapping()");
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn static_keeps_one_or_many_downstream_keys() {
        let m = Mapping::Static(vec![("a".into(), vec!["x".into()]), ("b".into(), vec!["x".into(), "y".into()])]);
        assert_eq!(expr(&m).0.render(0, "", ""), r#"dg.StaticPartitionMapping({"a": "x", "b": ["x", "y"]})"#);
    }
}
