//! A per-dimension `--partitions` (`region=us-east-1`) that the plan does not keep: an asset
//! of a multi definition below another root gets what its parents map to, which may be
//! wider than the spec. Warned about, with the way to plan only the spec.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::Pipeline;

use super::space::Space;
use super::targets::{resolve, Target};

/// One warning per multi-partitioned, non-root planned asset whose targets reach past a
/// per-dimension spec (roots take the spec exactly, so only non-roots can be widened).
pub fn widened(p: &Pipeline, space: &Space, spec_text: Option<&str>, targets: &[Option<Target>]) -> Vec<Diagnostic> {
    let Some(text) = spec_text.filter(|t| t.contains('=')) else { return Vec::new() };
    let mut out = Vec::new();
    for id in p.asset_ids() {
        let Some(Target::Partitions(set)) = &targets[id.0 as usize] else { continue };
        let asset = p.asset(id);
        let Some(def) = asset.partitions else { continue };
        if space.dimension_names(def).is_empty() {
            continue;
        }
        let Ok(asked) = resolve(space, def, text) else { continue };
        let extra = set.difference(&asked);
        let Some(first) = extra.first() else { continue };
        let example = space.key(def, first);
        let key = &asset.key;
        out.push(
            Diagnostic::warning(
                Code::WidenedPartitions,
                format!(
                    "`--partitions {text}` is widened for `{key}`: {} of its {} planned partitions are outside it, e.g. `{example}`",
                    extra.len(),
                    set.len()
                ),
            )
            .help(format!(
                "`{key}` is not a root of the selection: it gets every partition its parents' planned partitions map to; \
                 to plan only the spec, select it without those parents (`--select {key}`); \
                 `dagplan explain FILE {key} '{example}'` shows the chain"
            )),
        );
    }
    out
}
