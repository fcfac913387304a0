//! State files: parse; a state that parses writes canonical text that parses to the same
//! state and is a fixed point.
#![no_main]

use dagplan::state::file::{parse, to_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(state) = parse(text) else { return };
    let canonical = to_text(&state);
    let again = parse(&canonical).expect("canonical text parses");
    assert_eq!(to_text(&again), canonical, "canonical text is a fixed point");
});
