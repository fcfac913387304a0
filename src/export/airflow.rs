//! `dagplan export airflow`: tasks -> Airflow 3 DAG files. One `PythonOperator` per run that
//! runs its commands' argv with no shell (so keys stay single arguments), `after` as task
//! dependencies, retries, `execution_timeout`, pools, the run id and fingerprint in docs and
//! tags. Beyond `chunk` tasks the plan is split into DAGs chained by Airflow assets.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{json, Value};

use super::tasks::{slug, Tasks};

/// How to write the DAG files.
#[derive(Clone, Debug)]
pub struct Options {
    pub dag_id: String,
    /// Most tasks per DAG file.
    pub chunk: usize,
    /// Pool sizes for `pools.json`; a pool not named gets 1 slot.
    pub pools: BTreeMap<String, usize>,
}

/// The files to write: (file name, contents), DAG files then `pools.json` when runs use pools.
pub fn export(t: &Tasks, o: &Options) -> Vec<(String, String)> {
    let ids = task_ids(t);
    let chunk = o.chunk.max(1);
    let parts = t.tasks.len().div_ceil(chunk).max(1);
    let part_of = |i: usize| i / chunk;
    let mut files = Vec::with_capacity(parts + 1);
    for p in 0..parts {
        let range = p * chunk..((p + 1) * chunk).min(t.tasks.len());
        let dag_id = if parts == 1 { o.dag_id.clone() } else { format!("{}__part_{:03}", o.dag_id, p + 1) };
        let upstream: std::collections::BTreeSet<usize> =
            range.clone().flat_map(|i| t.tasks[i].after.iter().map(|&a| part_of(a))).filter(|&q| q != p).collect();
        let mut text = header(t, o, &dag_id, p, parts);
        text.push_str("TASKS = [\n");
        for i in range.clone() {
            let task = &t.tasks[i];
            let after: Vec<&str> = task.after.iter().filter(|&&a| part_of(a) == p).map(|&a| ids[a].as_str()).collect();
            let commands: Vec<Value> = task
                .commands
                .iter()
                .map(|c| {
                    let env: serde_json::Map<String, Value> =
                        c.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    json!([c.argv, env, c.timeout.map(|d| d.as_secs_f64())])
                })
                .collect();
            let row = json!([ids[i], task.run_id, task.label, after, commands, task.retries, task.pools.first()]);
            let _ = writeln!(text, "    {},", python(&row));
        }
        text.push_str("]\n\n");
        let schedule = if upstream.is_empty() {
            "None".to_string()
        } else {
            let assets: Vec<String> =
                upstream.iter().map(|&q| format!("Asset({})", python(&json!(asset_uri(o, q))))).collect();
            format!("[{}]", assets.join(", "))
        };
        let outlet = if parts > 1 { python(&json!(asset_uri(o, p))) } else { "None".into() };
        let _ = write!(
            text,
            "{}",
            BODY.replace("@DAG_ID@", &python(&json!(dag_id)))
                .replace("@SCHEDULE@", &schedule)
                .replace("@OUTLET@", &outlet)
        );
        files.push((format!("{dag_id}.py"), text));
    }
    let pools: std::collections::BTreeSet<&str> =
        t.tasks.iter().filter_map(|t| t.pools.first().map(String::as_str)).collect();
    if !pools.is_empty() {
        let doc: serde_json::Map<String, Value> = pools
            .iter()
            .map(|p| {
                let slots = o.pools.get(*p).copied().unwrap_or(1);
                (p.to_string(), json!({"slots": slots, "description": "dagplan pool", "include_deferred": false}))
            })
            .collect();
        files.push(("pools.json".into(), format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())));
    }
    files
}

fn asset_uri(o: &Options, part: usize) -> String {
    format!("dagplan://{}/part_{:03}", o.dag_id, part + 1)
}

/// A task id per run: its first command's asset and the run id, unique.
fn task_ids(t: &Tasks) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    t.tasks
        .iter()
        .enumerate()
        .map(|(i, task)| {
            // The first command's asset (upstream first), as people know the run by it.
            let first = task.commands.first().map(|c| c.name.as_str()).or(task.assets.first().map(String::as_str));
            let first = first.unwrap_or("run");
            let id: String = task.run_id.chars().filter(char::is_ascii_alphanumeric).collect();
            let mut name = format!("{}__{}", slug(first, '_', 80), id.to_ascii_lowercase());
            if !seen.insert(name.clone()) {
                name = format!("{name}_{i}");
                seen.insert(name.clone());
            }
            name
        })
        .collect()
}

fn header(t: &Tasks, o: &Options, dag_id: &str, p: usize, parts: usize) -> String {
    let fp = t.fingerprint.clone().unwrap_or_default();
    let part = if parts > 1 { format!(", part {} of {parts}", p + 1) } else { String::new() };
    let mut s = String::new();
    let _ = writeln!(s, "\"\"\"dagplan plan of `{}`{part}: one task per planned run.", python_doc(&o.dag_id));
    s.push_str(
        "\nGenerated by `dagplan export airflow`; do not edit: plan again and export again.\n\
         Each task runs its commands' argv without a shell; a non-zero exit fails it.\n",
    );
    let _ = writeln!(
        s,
        "Pipeline fingerprint: {}. As of: {}. Runs: {}.",
        python_doc(&fp),
        python_doc(&t.as_of),
        t.tasks.len()
    );
    s.push_str("\"\"\"\n\n");
    s.push_str(IMPORTS);
    let _ = writeln!(s, "DAG_ID = {}", python(&json!(dag_id)));
    let _ = writeln!(s, "FINGERPRINT = {}", python(&json!(fp)));
    let _ = writeln!(s, "AS_OF = {}\n", python(&json!(t.as_of)));
    s.push_str(
        "# task id, run id, what it runs, after (task ids), commands [argv, env, timeout seconds], retries, pool\n",
    );
    s
}

/// Text safe inside a `"""` docstring.
fn python_doc(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect()
}

/// A JSON value as a Python literal: strings are JSON strings (valid Python), `null` is None.
fn python(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(a) => format!("[{}]", a.iter().map(python).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter().map(|(k, v)| format!("{}: {}", python(&json!(k)), python(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

const IMPORTS: &str = "import functools
import os
import signal
import subprocess
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset

";

const BODY: &str = r#"def run_commands(commands):
    """Runs each command with no shell, one after the other; the first failure fails the task.
    A command runs in its own process group, killed whole on its timeout or when Airflow stops
    the task (execution_timeout, a kill), so nothing it started outlives it."""
    for argv, env, timeout in commands:
        proc = subprocess.Popen(argv, env={**os.environ, **env}, start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        if code != 0:
            raise subprocess.CalledProcessError(code, argv)


with DAG(
    dag_id=@DAG_ID@,
    schedule=@SCHEDULE@,
    start_date=pendulum.datetime(2000, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["dagplan", "fingerprint:" + FINGERPRINT],
    doc_md=__doc__,
) as dag:
    ops = {}
    for task_id, run_id, label, after, commands, retries, pool in TASKS:
        timeouts = [c[2] for c in commands]
        ops[task_id] = PythonOperator(
            task_id=task_id,
            # A partial, not op_args: op_args are Jinja templates, and keys may hold `{{`.
            python_callable=functools.partial(run_commands, commands),
            retries=retries,
            execution_timeout=timedelta(seconds=sum(timeouts)) if all(t is not None for t in timeouts) else None,
            pool=pool or "default_pool",
            doc_md="dagplan run `" + run_id + "`: " + label + " (fingerprint " + FINGERPRINT + ")",
        )
        for upstream in after:
            ops[upstream] >> ops[task_id]
    outlet = @OUTLET@
    if outlet is not None:
        done = EmptyOperator(task_id="dagplan_part_done", outlets=[Asset(outlet)])
        for op in ops.values():
            op >> done
"#;
