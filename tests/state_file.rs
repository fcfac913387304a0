//! The state file's format: any state written and read back is the same state, a canonical
//! file read and written back is the same bytes, and the example in docs/state.md is one.

use dagplan::state::file::{parse, to_text};
use dagplan::state::{AssetState, KeyRange, Outcome, State};
use proptest::prelude::*;

/// Text for keys and versions: separators, quotes, backslashes, non-ASCII, a control char.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9/ .|\"\\\\é\u{1}=#-]{1,8}"
}

fn range(with_version: bool) -> impl Strategy<Value = KeyRange> {
    (text(), text(), any::<bool>(), proptest::option::of(text())).prop_map(move |(first, last, one, cv)| KeyRange {
        last: if one { first.clone() } else { last },
        first,
        code_version: cv.filter(|_| with_version),
    })
}

fn asset() -> impl Strategy<Value = AssetState> {
    let status = proptest::option::of(prop_oneof![
        proptest::option::of(text()).prop_map(Outcome::Materialized),
        Just(Outcome::Failed),
    ]);
    (status, proptest::collection::vec(range(true), 0..4), proptest::collection::vec(range(false), 0..3))
        .prop_map(|(status, materialized, failed)| AssetState { status, materialized, failed })
        .prop_filter("written states have no empty assets", |a| !a.is_empty())
}

fn dynamic_keys() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::btree_set("[a-z0-9 /|é-]{1,6}", 0..5).prop_map(|s| s.into_iter().collect())
}

fn state() -> impl Strategy<Value = State> {
    (
        proptest::collection::btree_map(text(), dynamic_keys(), 0..3),
        proptest::collection::btree_map(text(), asset(), 0..5),
    )
        .prop_map(|(dynamic, assets)| State { dynamic, assets })
}

proptest! {
    #[test]
    fn states_round_trip_byte_for_byte(state in state()) {
        let text = to_text(&state);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&back, &state);
        prop_assert_eq!(to_text(&back), text);
    }
}

/// The first ```toml block of docs/state.md.
fn docs_example() -> String {
    let doc = std::fs::read_to_string("docs/state.md").expect("docs/state.md exists");
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("the example ends");
    doc[start..end].to_string()
}

#[test]
fn the_documented_example_is_canonical() {
    let text = docs_example();
    let state = parse(&text).expect("the example parses");
    assert_eq!(to_text(&state), text, "the docs show a file exactly as dagplan writes it");
    assert_eq!(state.dynamic["customers"], ["acme", "globex"]);
}
