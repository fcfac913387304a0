//! The README and docs/ stand alone: every relative link resolves inside the repository, none
//! leads outside it, every doc is linked from the README, and docs/CLI.md covers every command.

use std::path::{Path, PathBuf};

fn markdown_files() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// The targets of `[text](target)` links, without their `#anchor`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(after[..end].split('#').next().unwrap_or("").to_string());
        rest = &after[end..];
    }
    out
}

#[test]
fn every_relative_link_resolves_inside_the_repository() {
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let dir = file.parent().unwrap_or(Path::new(""));
        for link in links(&text) {
            if link.is_empty() || link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            assert!(!link.contains("shared/"), "{}: `{link}` leads outside the repository", file.display());
            let target = dir.join(&link);
            assert!(target.exists(), "{}: `{link}` does not exist", file.display());
            let inside = std::fs::canonicalize(&target).expect("resolves");
            let root = std::fs::canonicalize(".").expect("root");
            assert!(inside.starts_with(&root), "{}: `{link}` leads outside the repository", file.display());
        }
    }
}

#[test]
fn the_readme_links_every_doc_and_installs_before_its_first_example() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let linked = links(&readme);
    for file in markdown_files().iter().skip(1) {
        let name = file.to_str().expect("utf-8");
        assert!(linked.iter().any(|l| l == name), "the README does not link {name}");
    }
    let install = readme.find("cargo install --path .").expect("an install step");
    let first_use = readme.find("$ dagplan ").expect("an example");
    assert!(install < first_use, "the install step comes after the first example");
    // The two set-up commands.
    assert!(readme.contains("cargo run --release -- plan examples/sales.dag"));
    assert!(readme.contains("\ncargo test\n"));
}

#[test]
fn the_cli_reference_covers_every_command() {
    use clap::CommandFactory;
    let doc = std::fs::read_to_string("docs/CLI.md").expect("docs/CLI.md");
    let cli = dagplan::cli::Cli::command();
    let mut missing = Vec::new();
    for cmd in cli.get_subcommands() {
        let name = cmd.get_name();
        if name == "help" {
            continue;
        }
        if !doc.contains(&format!("dagplan {name}")) {
            missing.push(format!("dagplan {name}"));
        }
        let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
        for sub in &subs {
            if !doc.contains(sub.get_name()) {
                missing.push(format!("dagplan {name} {}", sub.get_name()));
            }
        }
        let args = cmd.get_arguments().chain(subs.iter().flat_map(|s| s.get_arguments()));
        for long in args.filter_map(|a| a.get_long()) {
            if !["help", "version", "diagnostics"].contains(&long) && !doc.contains(&format!("--{long}")) {
                missing.push(format!("{name} --{long}"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "docs/CLI.md does not mention: {missing:?}");
}
