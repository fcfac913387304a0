//! What CI and editors consume: `--diagnostics sarif` against the official SARIF 2.1.0
//! schema, the GitHub Action (`action.yml`, its steps run with a fake GitHub environment and a
//! fake `gh`), the pre-commit hooks, shell completions and the man page.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::run_cli as dagplan;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dagplan");

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/vendor/sarif/sarif-schema-2.1.0.json").expect("vendored schema");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).expect("schema compiles")
}

#[test]
fn the_vendored_schema_refuses_what_sarif_refuses() {
    let v = sarif_validator();
    assert!(
        !v.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})),
        "a driver needs a name"
    );
    assert!(v.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]})));
}

fn assert_sarif(doc: &Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "not SARIF 2.1.0:\n{}", errors.join("\n"));
}

fn invalid_fixtures() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("tests/fixtures/invalid")
        .expect("fixtures")
        .filter_map(|e| e.ok()?.path().to_str().map(str::to_string))
        .filter(|p| p.ends_with(".dag"))
        .collect();
    out.sort();
    out
}

#[test]
fn sarif_is_valid_and_says_what_json_says() {
    let mut files = invalid_fixtures();
    files.push("examples/sales.dag".into());
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (code, _, err) = dagplan(&[&["check", "--diagnostics", "sarif"], args.as_slice()].concat());
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&err).expect("one SARIF document on stderr");
    assert_sarif(&doc);
    let (_, _, json) = dagplan(&[&["check", "--diagnostics", "json"], args.as_slice()].concat());
    let json: Vec<Value> = json.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), json.len(), "a result per diagnostic");
    for (r, j) in results.iter().zip(&json) {
        assert_eq!(r["ruleId"], j["code"]);
        assert_eq!(rules[r["ruleIndex"].as_u64().expect("index") as usize]["id"], j["code"]);
        assert_eq!(r["level"], j["severity"]);
        let text = r["message"]["text"].as_str().expect("text");
        assert!(text.starts_with(j["message"].as_str().expect("message")));
        if let Some(help) = j["help"].as_str() {
            assert!(text.ends_with(&format!("help: {help}")), "{text}");
        }
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], j["file"]);
        assert_eq!(loc["region"]["startLine"], j["line"]);
        assert_eq!(loc["region"]["startColumn"], j["column"]);
        assert_eq!(loc["region"]["endLine"], j["end_line"]);
    }
    // A clean check is one log with no results; a usage error is a log too.
    let (code, _, err) = dagplan(&["check", "--diagnostics", "sarif", "examples/sales.dag"]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&err).expect("SARIF");
    assert_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    let (code, _, err) = dagplan(&["plan", "examples/sales.dag", "--as-of", "soon", "--diagnostics", "sarif"]);
    assert_eq!(code, 2);
    assert_sarif(&serde_json::from_str(&err).expect("SARIF"));
}

/// A scratch directory with `dagplan` and a fake `gh` (recording its arguments and the
/// comment body) first on PATH.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).expect("bin");
        std::os::unix::fs::symlink(BIN, bin.join("dagplan")).expect("symlink");
        let gh = bin.join("gh");
        std::fs::write(
            &gh,
            "#!/bin/sh\necho \"$*\" >> \"$GH_LOG\"\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --body-file ]; then cp \"$2\" \"$GH_BODY\"; fi\n  shift\ndone\n",
        )
        .expect("gh");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::create_dir(dir.path().join("repo")).expect("repo");
        std::fs::create_dir(dir.path().join("runner")).expect("runner");
        Sandbox { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn sh(&self, script: &str, env: &BTreeMap<String, String>) -> Output {
        let path = format!("{}:{}", self.path("bin").display(), std::env::var("PATH").unwrap_or_default());
        Command::new("bash")
            .arg("-c")
            .arg(script)
            .current_dir(self.path("repo"))
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("RUNNER_TEMP", self.path("runner"))
            .env("GITHUB_OUTPUT", self.path("runner/output"))
            .env("GITHUB_STEP_SUMMARY", self.path("runner/summary.md"))
            .env("GH_LOG", self.path("runner/gh.log"))
            .env("GH_BODY", self.path("runner/comment.md"))
            .envs(env)
            .output()
            .expect("bash runs")
    }

    fn git(&self, args: &str) -> String {
        let out = self.sh(&format!("git -c user.name=t -c user.email=t@example.com {args}"), &BTreeMap::new());
        assert!(out.status.success(), "git {args}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// Replaces every `${{ EXPR }}` with its value in `values` (an unknown one fails the test).
fn expand(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").expect("closed expression") + i;
        let expr = rest[i + 3..end].trim();
        out.push_str(values.get(expr).unwrap_or_else(|| panic!("the test does not know `{expr}`")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn action() -> serde_yaml::Value {
    serde_yaml::from_str(&std::fs::read_to_string("action.yml").expect("action.yml")).expect("YAML")
}

/// Runs the action's steps as GitHub would on a pull request (`if:` evaluated for one),
/// stopping at the first failing step; returns each step's name and output.
fn run_action(sb: &Sandbox, inputs: &[(&str, &str)], base: &str) -> Vec<(String, Output)> {
    let action = action();
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().expect("inputs") {
        let name = name.as_str().expect("input name");
        let default = spec["default"].as_str().unwrap_or("").to_string();
        let given = inputs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
        let key: &'static str = Box::leak(format!("inputs.{name}").into_boxed_str());
        values.insert(key, given.unwrap_or(default));
    }
    values.insert("github.token", "fake-token".into());
    values.insert("github.action_path", env!("CARGO_MANIFEST_DIR").into());
    values.insert("github.event.pull_request.base.sha", base.into());
    values.insert("github.event.pull_request.number", "7".into());
    // Input defaults may themselves be expressions.
    let snapshot = values.clone();
    for v in values.values_mut() {
        *v = expand(v, &snapshot);
    }
    let mut ran = Vec::new();
    for step in action["runs"]["steps"].as_sequence().expect("steps") {
        if let Some(cond) = step["if"].as_str() {
            assert!(cond.contains("github.event_name == 'pull_request'"), "unknown condition {cond}");
        }
        assert_eq!(step["shell"].as_str(), Some("bash"));
        let env: BTreeMap<String, String> = step["env"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str().expect("name").to_string(), expand(v.as_str().unwrap_or(""), &values)))
                    .collect()
            })
            .unwrap_or_default();
        let out = sb.sh(step["run"].as_str().expect("run"), &env);
        let ok = out.status.success();
        ran.push((step["name"].as_str().unwrap_or("").to_string(), out));
        if !ok {
            break;
        }
    }
    ran
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn the_action_checks_plans_and_comments_the_diff_on_a_pull_request() {
    let sb = Sandbox::new();
    let repo = sb.path("repo");
    std::fs::create_dir(repo.join("pipelines")).expect("dir");
    let sales = std::fs::read_to_string("examples/sales.dag").expect("example");
    std::fs::write(repo.join("pipelines/sales.dag"), &sales).expect("write");
    sb.git("init -q");
    sb.git("add -A");
    sb.git("commit -qm base");
    let base = sb.git("rev-parse HEAD");
    // The pull request widens the lookback from 7 days to 10.
    let changed = sales.replace("start_offset = -6", "start_offset = -9");
    assert_ne!(changed, sales);
    std::fs::write(repo.join("pipelines/sales.dag"), changed).expect("write");
    sb.git("commit -qam change");

    let inputs = [("pipeline", "pipelines/sales.dag"), ("plan-args", "--as-of '2024-01-20T00:00:00Z'")];
    let ran = run_action(&sb, &inputs, &base);
    for (name, out) in &ran {
        assert!(
            out.status.success(),
            "step {name} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let names: Vec<&str> = ran.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Install dagplan", "Check", "Plan", "Diff against the pull request's base"]);

    let sarif: Value = serde_json::from_str(&read(&repo.join("dagplan.sarif"))).expect("the SARIF log");
    assert_sarif(&sarif);
    let summary = read(&sb.path("runner/summary.md"));
    assert!(
        summary.contains("### dagplan plan of `pipelines/sales.dag`") && summary.contains(" runs in "),
        "{summary}"
    );
    let output = read(&sb.path("runner/output"));
    assert!(output.contains("changed=true"), "{output}");
    let plan_line = output.lines().find_map(|l| l.strip_prefix("plan=")).expect("plan output");
    let plan: Value = serde_json::from_str(&read(Path::new(plan_line))).expect("plan JSON");
    assert_eq!(plan["as_of"], "2024-01-20T00:00:00+00:00");
    let gh = read(&sb.path("runner/gh.log"));
    assert!(gh.starts_with("pr comment 7 --body-file ") && gh.contains("--edit-last"), "{gh}");
    let body = read(&sb.path("runner/comment.md"));
    assert!(body.starts_with("<!-- dagplan-diff -->\n"), "{body}");
    assert!(body.contains("```diff\n") && body.contains("sales_7d"), "{body}");
}

#[test]
fn the_action_fails_on_an_invalid_pipeline_with_annotations() {
    let sb = Sandbox::new();
    let repo = sb.path("repo");
    std::fs::write(repo.join("p.dag"), "asset a {\n    deps = [b]\n}\n").expect("write");
    sb.git("init -q");
    sb.git("add -A");
    sb.git("commit -qm base");
    let base = sb.git("rev-parse HEAD");
    let ran = run_action(&sb, &[("pipeline", "p.dag")], &base);
    let (name, out) = ran.last().expect("a step ran");
    assert_eq!(name, "Check");
    assert_eq!(out.status.code(), Some(1));
    // Workflow commands are read from the step's stderr as from its stdout.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("::error file=p.dag,line=2"), "{stderr}");
    let sarif: Value = serde_json::from_str(&read(&repo.join("dagplan.sarif"))).expect("SARIF");
    assert_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "dagplan::unknown_asset");
}

#[test]
fn the_action_declares_every_input_it_uses() {
    let text = std::fs::read_to_string("action.yml").expect("action.yml");
    let action = action();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for (i, _) in text.match_indices("inputs.") {
        let name: String =
            text[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        assert!(action["inputs"].get(name.as_str()).is_some(), "`inputs.{name}` is not declared");
    }
    assert!(action["inputs"]["pipeline"]["required"].as_bool().unwrap_or(false));
}

#[test]
fn pre_commit_hooks_check_dag_files() {
    let hooks: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks")).expect("YAML");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    assert!(!hooks.is_empty());
    let mut valid: Vec<String> = Vec::new();
    let mut stack = vec![PathBuf::from("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).expect("dir").filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "dag") {
                valid.push(p.display().to_string());
            }
        }
    }
    valid.sort();
    for hook in hooks {
        for field in ["id", "name", "entry", "language", "files"] {
            assert!(hook[field].as_str().is_some(), "hook without {field}: {hook:?}");
        }
        assert_eq!(hook["files"].as_str(), Some("\\.dag$"));
        assert!(hook["pass_filenames"].as_bool().unwrap_or(true));
        let entry = hook["entry"].as_str().expect("entry");
        let words: Vec<&str> = entry.split_whitespace().collect();
        assert_eq!(words[0], "dagplan");
        // As pre-commit runs it: the entry, then the staged files that match.
        let run = |files: &[String]| Command::new(BIN).args(&words[1..]).args(files).output().expect("runs");
        let ok = run(&valid);
        assert!(ok.status.success(), "{entry} on the examples: {}", String::from_utf8_lossy(&ok.stderr));
        let bad = run(&["tests/fixtures/invalid/bad_timezone__misspelled.dag".to_string()]);
        assert_eq!(bad.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("America/New_York"));
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, script, err) = dagplan(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        for word in ["plan", "schema", "partitions", "diagnostics"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let (_, bash, _) = dagplan(&["completions", "bash"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("dagplan.bash");
    std::fs::write(&file, bash).expect("write");
    let out = Command::new("bash").arg("-n").arg(&file).output().expect("bash");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Sourced, it completes a subcommand.
    let script = format!(
        "source {}; COMP_WORDS=(dagplan sch); COMP_CWORD=1; _dagplan dagplan sch dagplan; echo \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let out = Command::new("bash").arg("-c").arg(script).output().expect("bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "schema");
}

#[test]
fn the_man_page_lists_every_command() {
    let (code, page, _) = dagplan(&["man"]);
    assert_eq!(code, 0);
    assert!(page.starts_with(".ie") || page.contains(".TH dagplan 1"), "{}", &page[..200.min(page.len())]);
    for cmd in ["check", "plan", "diff", "state", "status", "run", "apply", "export", "schema", "completions", "man"] {
        assert!(page.contains(&format!("dagplan\\-{cmd}(1)")) || page.contains(cmd), "the page lacks {cmd}");
    }
    let (code, plan, _) = dagplan(&["man", "plan"]);
    assert_eq!(code, 0);
    assert!(plan.contains(".TH dagplan-plan 1") && plan.contains("\\-\\-partitions"), "{plan}");
    let (code, _, err) = dagplan(&["man", "plna"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `plan`?"), "{err}");
    // Rendered by man(1) where groff is installed.
    if Command::new("groff").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("dagplan.1");
        std::fs::write(&file, &page).expect("write");
        let out = Command::new("man").arg("-P").arg("cat").arg("-l").arg(&file).env("MANWIDTH", "100").output();
        if let Some(out) = out.ok().filter(|o| o.status.success()) {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("SYNOPSIS") && text.contains("SUBCOMMANDS"), "{text}");
        }
    }
}
