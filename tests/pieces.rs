//! Reading a file in pieces (on several threads) gives exactly what one whole parse gives:
//! the same AST or the same diagnostics, for every example, fixture and variant, each also
//! truncated and mutated, cut at every point the cutter allows.

use std::path::PathBuf;

#[path = "../benches/generate.rs"]
mod generate;

use dagplan::source::FileId;
use dagplan::syntax::parse_in_pieces;

mod common;
use common::Lcg;

/// Every `.dag` file the tests have.
fn inputs() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in ["examples", "examples/shared", "tests/fixtures/invalid", "tests/fixtures/variants"] {
        for entry in std::fs::read_dir(dir).expect("test inputs exist") {
            let path = entry.expect("readable dir").path();
            if path.extension().is_some_and(|e| e == "dag") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

/// Edits that matter to the cutter: item keywords at line starts, brackets, quotes, comments.
const NOISE: &[&str] = &[
    "",
    "\nasset ",
    "\nasset x {}\n",
    "\npartitions ",
    "\njob j {\n",
    "\nimport ",
    "\nmulti_asset ",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "#",
    "\n",
    "=",
    "via",
    "\\",
    "é",
];

fn variants(text: &str, rng: &mut Lcg) -> Vec<String> {
    let mut out = vec![text.to_string()];
    out.extend(common::truncations(text, 8));
    out.extend((0..16).map(|_| common::mutate(text, rng, 2, 6, NOISE)));
    out
}

#[test]
fn pieces_parse_exactly_as_the_whole_file() {
    let mut rng = Lcg(0x9ec5);
    let (mut compared, mut failing, mut cut) = (0, 0, 0);
    for path in inputs() {
        let text = std::fs::read_to_string(&path).expect("input readable");
        for variant in variants(&text, &mut rng) {
            let whole = format!("{:?}", parse_in_pieces(FileId(1), &variant, usize::MAX, 1));
            for (piece_bytes, threads) in [(1, 1), (1, 3), (40, 2)] {
                let pieces = format!("{:?}", parse_in_pieces(FileId(1), &variant, piece_bytes, threads));
                assert_eq!(pieces, whole, "{} cut every {piece_bytes} bytes:\n{variant}", path.display());
            }
            compared += 1;
            failing += usize::from(whole.starts_with("Err"));
            cut += usize::from(variant.contains("\nasset") || variant.contains("\npartitions"));
        }
    }
    // The comparison must cover files that parse, files that fail, and files with cut points.
    assert!(compared > 1000 && failing > 300 && compared - failing > 150 && cut > 1000, "{compared} {failing} {cut}");
}

#[test]
fn generated_pipelines_parse_the_same_in_pieces() {
    for text in [generate::mixed_pipeline(300), generate::daily_backfill(200, 4, Some("single_run"))] {
        let whole = parse_in_pieces(FileId(1), &text, usize::MAX, 1).expect("generated pipelines parse");
        for (piece_bytes, threads) in [(1, 2), (1000, 3)] {
            let pieces = parse_in_pieces(FileId(1), &text, piece_bytes, threads).expect("and in pieces");
            assert_eq!(pieces, whole);
        }
    }
}

/// Cut points the cutter takes that split an item: the piece before fails alone, and reading
/// on from it finds the whole file's parse.
#[test]
fn a_cut_inside_an_item_still_parses_as_the_whole_file() {
    let texts = [
        "partitions p =\nasset (x)\nasset a {}\n",
        "partitions\nasset = daily(start = \"2024-01-01\")\nasset a { partitions = asset }\n",
        "asset\njob {}\njob\nimport {}\n",
        "multi_asset\nasset { outs = [\"a\"] }\n",
        "partitions p = static(\"a\")\nasset a {} asset b {}\n# asset\nasset c {}\n",
    ];
    for text in texts {
        let whole = parse_in_pieces(FileId(1), text, usize::MAX, 1);
        assert!(whole.is_ok(), "{text:?} parses whole: {whole:?}");
        for threads in [1, 2] {
            assert_eq!(parse_in_pieces(FileId(1), text, 1, threads), whole, "{text:?}");
        }
    }
}
