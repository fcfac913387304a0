//! Cutting a large file into pieces the grammar can read independently, and reading them on
//! several threads.
//!
//! A piece starts where a line starts with an item keyword (`asset`, `multi_asset`,
//! `partitions`, `job`, `import`) outside every bracket. A finished item cannot run on past
//! such a point (it ends with its body's `}`, a string, or a value that nothing starting with
//! an item keyword continues), and parsing from it does not depend on the text before it, so
//! when every piece parses, the pieces' parses put end to end are the whole file's parse.
//! An item can only run past a cut if it is unfinished before it (`partitions p =` with
//! `asset(x)` on the next line); then the piece before fails alone, and `syntax::parse` reads
//! the rest of the file in one go. `tests/pieces.rs` checks all this on every example and
//! fixture and thousands of variants, cut at every possible point.
//!
//! The cut points depend only on the text and the piece size, never on the number of threads,
//! so the result (and pest's per-parse call limit) is the same on every machine.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::structure;

/// Pieces are cut at about this size. pest keeps two tokens of ~20 bytes for every rule it
/// matches, about 38 bytes per byte of text, until the piece is lowered: a 69 KB file read
/// whole held a 2.6 MB token queue, every page of it new to the process. Read in 16 KB
/// pieces one after another, the queue of each reuses the memory of the one before.
pub(super) const PIECE_BYTES: usize = 16 * 1024;

/// Below this many bytes a file is read on one thread: a helper thread is worth starting
/// for ~4 ms of work (pest reads ~30 MB/s).
pub(super) const THREADED_BYTES: usize = 128 * 1024;

/// The byte offsets where pieces of at least `min_bytes` start: `0` first, then cut points in
/// increasing order. A text without a suitable point is one piece.
pub(super) fn piece_starts(text: &str, min_bytes: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut depth = 0usize;
    let mut next_cut = min_bytes.max(1);
    let _ = structure::visit::<()>(text, true, |end, b| {
        match b {
            b'[' | b'{' | b'(' => depth += 1,
            b'\n' if depth == 0 && end >= next_cut && starts_item(&text.as_bytes()[end..]) => {
                starts.push(end);
                next_cut = end.saturating_add(min_bytes);
            }
            b'\n' => {}
            _ => depth = depth.saturating_sub(1),
        }
        ControlFlow::Continue(())
    });
    starts
}

/// Whether `rest` starts with an item keyword that is a whole word.
fn starts_item(rest: &[u8]) -> bool {
    const KEYWORDS: [&[u8]; 5] = [b"asset", b"partitions", b"multi_asset", b"job", b"import"];
    KEYWORDS
        .iter()
        .any(|k| rest.starts_with(k) && !rest.get(k.len()).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_'))
}

/// Stack for the helper threads: the main thread's usual 8 MiB, since pest and the lowering
/// recurse once per nesting level (up to `nesting::MAX_NESTING`) whichever thread they run on.
const STACK_BYTES: usize = 8 << 20;

/// `work` applied to every input, on this thread and up to `threads - 1` helpers, results in
/// input order. Threads take the next input as they finish one, so uneven pieces balance out;
/// if no helper can be started, this thread does all the work.
pub(super) fn map_in_order<I: Sync, O: Send>(inputs: &[I], threads: usize, work: impl Fn(&I) -> O + Sync) -> Vec<O> {
    let threads = threads.clamp(1, inputs.len().max(1));
    if threads == 1 {
        return inputs.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, O)>> = Mutex::new(Vec::with_capacity(inputs.len()));
    let worker = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(input) = inputs.get(index) else { break };
        let output = work(input);
        done.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push((index, output));
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            if std::thread::Builder::new().stack_size(STACK_BYTES).spawn_scoped(scope, worker).is_err() {
                break;
            }
        }
        worker();
    });
    let mut done = done.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    done.sort_unstable_by_key(|&(index, _)| index);
    done.into_iter().map(|(_, output)| output).collect()
}

/// How many threads to parse `text_bytes` of text on: one below [`THREADED_BYTES`], else
/// the machine's parallelism, at most four (more buys little for the file sizes seen in
/// practice).
pub(super) fn parse_threads(text_bytes: usize) -> usize {
    if text_bytes < THREADED_BYTES {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_at_item_keywords_that_start_a_line_outside_brackets() {
        let text = "asset a {\nasset = 1\n}\njob j {}\nassets b\n  asset c {}\n# x\nimport \"y\"\n";
        let starts = piece_starts(text, 1);
        let at: Vec<&str> = starts.iter().map(|&s| &text[s..s + 3]).collect();
        assert_eq!(at, ["ass", "job", "imp"]);
    }

    #[test]
    fn strings_and_comments_hide_brackets() {
        let text = "partitions p = static(\"(\")\nasset a { # {\n}\nasset b {}\n";
        let starts = piece_starts(text, 1);
        assert_eq!(starts.len(), 3, "{starts:?}");
    }

    #[test]
    fn pieces_are_at_least_the_minimum_apart() {
        let text = "asset a {}\n".repeat(100);
        let starts = piece_starts(&text, 200);
        assert!(starts.windows(2).all(|w| w[1] - w[0] >= 200), "{starts:?}");
        assert_eq!(starts.len(), 1100 / 209 + 1);
        assert_eq!(piece_starts(&text, usize::MAX), vec![0]);
    }

    #[test]
    fn map_in_order_keeps_the_input_order() {
        let inputs: Vec<u64> = (0..100).collect();
        let out = map_in_order(&inputs, 3, |&n| n * n);
        assert_eq!(out, inputs.iter().map(|n| n * n).collect::<Vec<_>>());
        assert_eq!(map_in_order(&inputs, 1, |&n| n + 1)[99], 100);
        assert!(map_in_order(&[] as &[u8], 4, |&b| b).is_empty());
    }
}
