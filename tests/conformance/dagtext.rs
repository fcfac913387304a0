//! The oracle's JSON partitions definitions and mappings written as `.dag` text, so that the
//! keys and mapping replays go through the CLI (`keys` / `map --format json`) as users do.

use std::io::Write;

use serde_json::Value;

/// A `.dag` string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A dimension name as a `.dag` name: Dagster allows any string (`123`); prefixing `_` keeps
/// such a name's order among letters and digits, and keys never contain dimension names.
pub fn dim_name(name: &str) -> Result<String, String> {
    if is_name(name) {
        return Ok(name.to_string());
    }
    let renamed = format!("_{name}");
    if is_name(&renamed) {
        Ok(renamed)
    } else {
        Err(format!("dimension name {name:?} is not a .dag name"))
    }
}

/// Python's `fromisoformat` date-times as the language's ISO local form.
fn iso(s: &str) -> String {
    let s = s.replacen(' ', "T", 1);
    if s.len() == 10 {
        format!("{s}T00:00:00")
    } else {
        s
    }
}

/// Dynamic definitions met while writing: (name, keys), for the state file.
pub type Dynamic = Vec<(String, Vec<String>)>;

/// A partitions definition as a `.dag` expression; `Err` when the language cannot state it.
pub fn pdef(v: &Value, dynamic: &mut Dynamic) -> Result<String, String> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let ty = s("type").ok_or("no type")?;
    let strings = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let call = match ty.as_str() {
        "hourly" | "daily" | "weekly" | "monthly" => ty.clone(),
        "time_window" => "cron".to_string(),
        "static" => {
            return Ok(format!("static({})", strings("keys").iter().map(|k| quote(k)).collect::<Vec<_>>().join(", ")))
        }
        "dynamic" => {
            let name = s("name").ok_or("no name")?;
            dynamic.push((name.clone(), strings("keys")));
            return Ok(format!("dynamic({})", quote(&name)));
        }
        "multi" => {
            let mut dims = Vec::new();
            let names: Vec<&String> = v["dimensions"].as_object().ok_or("no dimensions")?.keys().collect();
            let mut renamed: Vec<String> = names.iter().map(|n| dim_name(n)).collect::<Result<_, _>>()?;
            let mut sorted: Vec<&String> = names.clone();
            sorted.sort();
            let order: Vec<String> = sorted.iter().map(|n| dim_name(n)).collect::<Result<_, _>>()?;
            renamed.sort();
            if renamed != order {
                return Err("renaming the dimensions would change their order".into());
            }
            for (name, d) in v["dimensions"].as_object().ok_or("no dimensions")? {
                dims.push(format!("{} = {}", dim_name(name)?, pdef(d, dynamic)?));
            }
            return Ok(format!("multi({})", dims.join(", ")));
        }
        other => return Err(format!("unknown type {other}")),
    };
    let mut args = Vec::new();
    if let Some(c) = s("cron_schedule") {
        args.push(quote(&c));
    }
    match (s("start"), s("start_dt")) {
        (Some(st), _) => args.push(quote(&st)),
        (None, Some(dt)) => args.push(quote(&iso(&dt))),
        _ => return Err("no start".into()),
    }
    match (s("end"), s("end_dt")) {
        (Some(e), _) => args.push(format!("end = {}", quote(&e))),
        (None, Some(dt)) => args.push(format!("end = {}", quote(&iso(&dt)))),
        _ => {}
    }
    for k in ["timezone", "fmt"] {
        if let Some(x) = s(k) {
            args.push(format!("{k} = {}", quote(&x)));
        }
    }
    for k in ["minute_offset", "hour_offset", "day_offset", "end_offset"] {
        if let Some(n) = v.get(k).and_then(Value::as_i64) {
            args.push(format!("{k} = {n}"));
        }
    }
    if v.get("exclusions").is_some() {
        args.push(format!(
            "exclusions = [{}]",
            strings("exclusions").iter().map(|k| quote(k)).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(format!("{call}({})", args.join(", ")))
}

/// A mapping as the text after `via`; `None` for Dagster's default (no `via`).
pub fn mapping(v: &Value) -> Result<Option<String>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let text = match s("type").as_deref().ok_or("no mapping type")? {
        "identity" => "identity()".to_string(),
        "all" => "all()".to_string(),
        "last" => "last()".to_string(),
        "time_window" => {
            let mut args = Vec::new();
            for (k, name) in [("start_offset", "start_offset"), ("end_offset", "end_offset")] {
                if let Some(n) = v.get(k).and_then(Value::as_i64) {
                    args.push(format!("{name} = {n}"));
                }
            }
            if let Some(b) = v.get("allow_nonexistent_upstream_partitions").and_then(Value::as_bool) {
                args.push(format!("allow_nonexistent_upstream = {b}"));
            }
            format!("time_window({})", args.join(", "))
        }
        "specific" => {
            let keys: Vec<String> =
                v["keys"].as_array().ok_or("no keys")?.iter().filter_map(Value::as_str).map(quote).collect();
            format!("specific({})", keys.join(", "))
        }
        "static" => {
            let mut entries = Vec::new();
            for (up, d) in v["map"].as_object().ok_or("no map")? {
                let down = match d {
                    Value::String(x) => quote(x),
                    Value::Array(a) => {
                        format!("[{}]", a.iter().filter_map(Value::as_str).map(quote).collect::<Vec<_>>().join(", "))
                    }
                    _ => return Err("bad static map".into()),
                };
                entries.push(format!("{} = {down}", quote(up)));
            }
            format!("static({{ {} }})", entries.join(", "))
        }
        "multi_to_single" => match s("dimension") {
            Some(d) => format!("multi_to_single(dimension = {})", quote(&dim_name(&d).unwrap_or(d.clone()))),
            None => "multi_to_single()".to_string(),
        },
        "multi" => {
            let mut dims = Vec::new();
            for (up_dim, dm) in v["dimensions"].as_object().ok_or("no dimensions")? {
                let up = dim_name(up_dim)?;
                let inner = mapping(&dm["mapping"])?.ok_or("a dimension mapping needs a mapping")?;
                match dm.get("dimension").and_then(Value::as_str) {
                    Some(down) if down != up_dim => {
                        dims.push(format!("{up} = {} via {inner}", quote(&dim_name(down)?)))
                    }
                    _ => dims.push(format!("{up} = {inner}")),
                }
            }
            format!("multi({})", dims.join(", "))
        }
        other => return Err(format!("unknown mapping {other}")),
    };
    Ok(Some(text))
}

/// A pipeline file (and a state file when there are dynamic keys) in a temporary directory;
/// returns the directory (dropped = deleted) and the extra CLI arguments (`--state S`).
pub fn write(text: &str, dynamic: &Dynamic) -> (tempfile::TempDir, String, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("case.dag");
    std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes())).expect("write case.dag");
    let mut extra = Vec::new();
    if !dynamic.is_empty() {
        let mut state = String::from("version = 1\n\n[dynamic]\n");
        let mut seen = std::collections::BTreeSet::new();
        for (name, keys) in dynamic {
            if seen.insert(name.clone()) {
                let list: Vec<String> = keys.iter().map(|k| serde_json::to_string(k).expect("json string")).collect();
                state.push_str(&format!("{} = [{}]\n", quote(name), list.join(", ")));
            }
        }
        let sp = dir.path().join("state.toml");
        std::fs::write(&sp, state).expect("write state.toml");
        extra = vec!["--state".to_string(), sp.to_str().expect("utf-8 path").to_string()];
    }
    (dir, path.to_str().expect("utf-8 path").to_string(), extra)
}
