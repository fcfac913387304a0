//! The plan document's bytes, written run by run as the planner makes them: JSON, JSON Lines
//! and TOML, `plan_version` 1 or 2. The fields are `crate::emit::plan`'s types; which runs
//! exist and their order is `crate::plan`'s.
//!
//! Nothing is allocated per run once every key has been seen: keys, time windows and asset
//! names are escaped once per plan into caches, run ids are numbers, and each run is written
//! straight into the output. The bytes equal serializing the document types (serde_json for
//! JSON, the `toml` crate for TOML); `tests/plan_stream.rs` checks both.

use std::io::{self, Write};

use super::plan::PlanFormat;
use crate::model::{PartitionsId, Pipeline};
use crate::partitions::isoformat;
use crate::plan::{InputSet, Keys, Plan, Prepared, RunRef, RunSink, Space};

/// Bytes gathered before they are handed to the output.
const BLOCK: usize = 1 << 16;

/// Definitions longer than this are escaped on every use instead of cached.
const CACHE_LIMIT: u64 = 4_000_000;

/// A document format (`--format` without `text`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Json,
    Jsonl,
    Toml,
}

impl DocFormat {
    /// The document format of a plan format; `None` for text.
    pub fn of(f: PlanFormat) -> Option<DocFormat> {
        match f {
            PlanFormat::Json => Some(DocFormat::Json),
            PlanFormat::Jsonl => Some(DocFormat::Jsonl),
            PlanFormat::Toml => Some(DocFormat::Toml),
            PlanFormat::Text => None,
        }
    }
}

/// What the document's header says, from a plan in memory or a prepared one.
pub struct Head<'a> {
    pub pipeline: &'a Pipeline,
    pub space: &'a Space,
    pub as_of: String,
    pub fingerprint: &'a str,
    pub state_fingerprint: Option<&'a str>,
}

impl<'a> Head<'a> {
    pub fn of_prepared(p: &'a Prepared) -> Head<'a> {
        Head {
            pipeline: p.pipeline,
            space: &p.space,
            as_of: p.as_of.to_rfc3339(),
            fingerprint: &p.fingerprint,
            state_fingerprint: p.state_fingerprint.as_deref(),
        }
    }

    pub fn of_plan(p: &'a Plan) -> Head<'a> {
        Head {
            pipeline: p.pipeline,
            space: &p.space,
            as_of: p.as_of.to_rfc3339(),
            fingerprint: &p.fingerprint,
            state_fingerprint: p.state_fingerprint.as_deref(),
        }
    }
}

/// A string as a JSON string literal.
fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A string as the `toml` crate writes a string value.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A table key as the `toml` crate writes it: bare when it can be.
fn toml_key(s: &str) -> String {
    let bare = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare {
        s.to_string()
    } else {
        toml_str(s)
    }
}

/// Escaped keys and window ends of one definition, by position, filled on first use.
#[derive(Default)]
struct DefCache {
    keys: Vec<Option<Box<str>>>,
    /// `(start, end)` of the window, escaped; empty strings for a definition without windows.
    windows: Vec<Option<(Box<str>, Box<str>)>>,
    /// Dimension lengths of a multi definition (empty otherwise), for input boxes.
    dims: Option<std::rc::Rc<[u64]>>,
}

/// The per-group parts of a run, escaped once per group.
#[derive(Default)]
struct GroupText {
    id: Option<u32>,
    /// The `assets` array's inside.
    assets: String,
    /// The `partitions_def` value, when the run has one (a string literal, or for JSON an
    /// object; for TOML a table body).
    def: Option<String>,
    def_is_table: bool,
    timed: bool,
}

/// Writes the document run by run: [`DocWriter::begin`], the runs (as a [`RunSink`]), then
/// [`DocWriter::finish`].
pub struct DocWriter<'a> {
    head: Head<'a>,
    format: DocFormat,
    version: u32,
    /// Where the document goes, in blocks of about [`BLOCK`] bytes.
    sink: &'a mut dyn Write,
    /// The block being filled: small writes go here, not through `dyn Write`.
    w: Vec<u8>,
    /// Asset keys escaped, by asset id: as values and (TOML) as table keys.
    assets: Vec<String>,
    asset_keys: Vec<String>,
    defs: Vec<DefCache>,
    group: GroupText,
    runs: u64,
    asset_partitions: u64,
}

impl<'a> DocWriter<'a> {
    pub fn new(head: Head<'a>, format: DocFormat, version: u32, sink: &'a mut dyn Write) -> DocWriter<'a> {
        let toml = format == DocFormat::Toml;
        let assets = head.pipeline.assets.iter().map(|a| if toml { toml_str(&a.key) } else { json(&a.key) }).collect();
        let asset_keys =
            head.pipeline.assets.iter().map(|a| if toml { toml_key(&a.key) } else { json(&a.key) }).collect();
        let defs = head.pipeline.partitions.iter().map(|_| DefCache::default()).collect();
        DocWriter {
            head,
            format,
            version,
            sink,
            w: Vec::with_capacity(BLOCK + 4096),
            assets,
            asset_keys,
            defs,
            group: GroupText::default(),
            runs: 0,
            asset_partitions: 0,
        }
    }

    fn string(&self, s: &str) -> String {
        if self.format == DocFormat::Toml {
            toml_str(s)
        } else {
            json(s)
        }
    }

    /// Writes what comes before the runs; `empty` when the plan has no run (TOML then writes
    /// `runs = []` among the top-level values, as the `toml` crate does).
    pub fn begin(&mut self, empty: bool) -> io::Result<()> {
        self.begin_text(empty)?;
        self.flush_block()
    }

    fn begin_text(&mut self, empty: bool) -> io::Result<()> {
        let files: Vec<String> =
            self.head.pipeline.files.iter().map(|f| self.string(&f.display().to_string())).collect();
        let fp = self.string(self.head.fingerprint);
        let state = self.head.state_fingerprint.map(|s| self.string(s));
        let as_of = self.string(&self.head.as_of);
        let v = self.version;
        match self.format {
            DocFormat::Json => {
                writeln!(self.w, "{{")?;
                writeln!(self.w, "  \"plan_version\": {v},")?;
                writeln!(self.w, "  \"pipeline\": {{\"files\":[{}],\"fingerprint\":{fp}}},", files.join(","))?;
                if let Some(s) = state {
                    writeln!(self.w, "  \"state\": {{\"fingerprint\":{s}}},")?;
                }
                writeln!(self.w, "  \"as_of\": {as_of},")?;
                writeln!(self.w, "  \"runs\": [")
            }
            DocFormat::Jsonl => {
                write!(
                    self.w,
                    "{{\"kind\":\"header\",\"plan_version\":{v},\"pipeline\":{{\"files\":[{}],\"fingerprint\":{fp}}}",
                    files.join(",")
                )?;
                if let Some(s) = state {
                    write!(self.w, ",\"state\":{{\"fingerprint\":{s}}}")?;
                }
                writeln!(self.w, ",\"as_of\":{as_of}}}")
            }
            DocFormat::Toml => {
                writeln!(self.w, "plan_version = {v}\nas_of = {as_of}")?;
                if empty {
                    writeln!(self.w, "runs = []")?;
                }
                writeln!(self.w, "\n[pipeline]\nfiles = [{}]\nfingerprint = {fp}", files.join(", "))?;
                if let Some(s) = state {
                    writeln!(self.w, "\n[state]\nfingerprint = {s}")?;
                }
                Ok(())
            }
        }
    }

    /// Hands the gathered bytes to the output.
    fn flush_block(&mut self) -> io::Result<()> {
        self.sink.write_all(&self.w)?;
        self.w.clear();
        Ok(())
    }

    /// Writes what comes after the runs.
    pub fn finish(&mut self) -> io::Result<()> {
        self.finish_text()?;
        self.flush_block()
    }

    fn finish_text(&mut self) -> io::Result<()> {
        let (runs, ap) = (self.runs, self.asset_partitions);
        match self.format {
            DocFormat::Json => {
                if runs > 0 {
                    self.w.write_all(b"\n")?;
                }
                writeln!(self.w, "  ],")?;
                writeln!(self.w, "  \"summary\": {{\"runs\":{runs},\"asset_partitions\":{ap}}}")?;
                writeln!(self.w, "}}")
            }
            DocFormat::Jsonl => Ok(()),
            DocFormat::Toml => writeln!(self.w, "\n[summary]\nruns = {runs}\nasset_partitions = {ap}"),
        }
    }

    /// Writes the key at `pos` of `def`, escaped for the format.
    fn key(&mut self, def: PartitionsId, pos: u64) -> io::Result<()> {
        let toml = self.format == DocFormat::Toml;
        let space = self.head.space;
        let c = sized(&mut self.defs[def.0 as usize], space, def);
        match c.keys.get_mut(pos as usize) {
            Some(Some(k)) => self.w.write_all(k.as_bytes()),
            Some(slot) => {
                let k = space.with_key(def, pos, |k| if toml { toml_str(k) } else { json(k) });
                self.w.write_all(k.as_bytes())?;
                *slot = Some(k.into_boxed_str());
                Ok(())
            }
            None => {
                let k = space.with_key(def, pos, |k| if toml { toml_str(k) } else { json(k) });
                self.w.write_all(k.as_bytes())
            }
        }
    }

    /// Writes the start of `first`'s window and the end of `last`'s: `,"start":S,"end":E`
    /// (JSON) or `start = S\nend = E\n` (TOML); nothing for a definition without windows.
    fn window(&mut self, def: PartitionsId, first: u64, last: u64) -> io::Result<()> {
        let toml = self.format == DocFormat::Toml;
        let space = self.head.space;
        let make = |pos: u64| -> (Box<str>, Box<str>) {
            let esc = |s: &str| if toml { toml_str(s) } else { json(s) };
            space.window(def, pos).map_or((Box::from(""), Box::from("")), |w| {
                (esc(&isoformat(&w.0)).into_boxed_str(), esc(&isoformat(&w.1)).into_boxed_str())
            })
        };
        let c = sized(&mut self.defs[def.0 as usize], space, def);
        for pos in [first, last] {
            if let Some(slot @ None) = c.windows.get_mut(pos as usize) {
                *slot = Some(make(pos));
            }
        }
        let fresh;
        let (s, e): (&str, &str) = match (c.windows.get(first as usize), c.windows.get(last as usize)) {
            (Some(Some(a)), Some(Some(b))) => (&a.0, &b.1),
            _ => {
                fresh = (make(first).0, make(last).1);
                (&fresh.0, &fresh.1)
            }
        };
        if s.is_empty() {
            return Ok(());
        }
        let parts: [&[u8]; 5] = if toml {
            [b"start = ", s.as_bytes(), b"\nend = ", e.as_bytes(), b"\n"]
        } else {
            [b",\"start\":", s.as_bytes(), b",\"end\":", e.as_bytes(), b""]
        };
        for part in parts {
            self.w.extend_from_slice(part);
        }
        Ok(())
    }

    /// Escapes what every run of `run.group` shares, once per group.
    fn enter_group(&mut self, run: &RunRef) {
        if self.group.id == Some(run.group_id) {
            return;
        }
        let toml = self.format == DocFormat::Toml;
        let p = self.head.pipeline;
        let g = run.group;
        let sep = if toml { ", " } else { "," };
        let assets: Vec<&str> = g.assets.iter().map(|a| self.assets[a.0 as usize].as_str()).collect();
        let names: Vec<Option<&str>> = g
            .assets
            .iter()
            .map(|a| p.asset(*a).partitions.and_then(|d| p.partitions[d.0 as usize].name.as_deref()))
            .collect();
        let (def, def_is_table) = match g.partitions {
            None => (None, false),
            Some(_) if names.iter().all(|n| n.is_some() && *n == names[0]) => (names[0].map(|n| self.string(n)), false),
            Some(_) => {
                let entries: Vec<String> = g
                    .assets
                    .iter()
                    .zip(&names)
                    .map(|(a, n)| {
                        let v = n.map_or_else(|| "null".to_string(), |n| self.string(n));
                        if toml {
                            // TOML has no null: an inline definition is left out.
                            if n.is_some() {
                                format!("{} = {v}\n", self.asset_keys[a.0 as usize])
                            } else {
                                String::new()
                            }
                        } else {
                            format!("{}:{v}", self.assets[a.0 as usize])
                        }
                    })
                    .collect();
                if toml {
                    (Some(entries.concat()), true)
                } else {
                    (Some(format!("{{{}}}", entries.join(","))), true)
                }
            }
        };
        let timed = g.partitions.is_some_and(|d| self.head.space.time_dimension(d).is_some());
        self.group = GroupText { id: Some(run.group_id), assets: assets.join(sep), def, def_is_table, timed };
    }

    /// The dimension lengths of a multi definition (empty for any other).
    fn dims(&mut self, def: PartitionsId) -> std::rc::Rc<[u64]> {
        let space = self.head.space;
        let c = &mut self.defs[def.0 as usize];
        c.dims
            .get_or_insert_with(|| {
                let n = space.dimension_names(def).len();
                if n < 2 {
                    std::rc::Rc::from(Vec::new())
                } else {
                    (0..n).map(|i| space.dimension_len(def, i)).collect()
                }
            })
            .clone()
    }

    /// Writes one upstream's inputs: every key (version 1) or keys and ranges (version 2).
    fn inputs(&mut self, def: PartitionsId, set: &crate::plan::Ranges) -> io::Result<()> {
        let sep: &[u8] = if self.format == DocFormat::Toml { b", " } else { b"," };
        let mut first = true;
        if self.version == 1 {
            for r in set.ranges() {
                for i in r {
                    if !first {
                        self.w.write_all(sep)?;
                    }
                    first = false;
                    self.key(def, i)?;
                }
            }
            return Ok(());
        }
        let dims = self.dims(def);
        let dims: &[u64] = &dims;
        let mut boxes: Vec<(u64, u64, u64)> = Vec::new();
        for r in set.ranges() {
            boxes.clear();
            if dims.is_empty() {
                boxes.push((r.start, r.end - 1, r.end - r.start));
            } else {
                cut_boxes(r.start, r.end, dims, 0, &mut boxes);
            }
            for &(a, b, count) in &boxes {
                if !first {
                    self.w.write_all(sep)?;
                }
                first = false;
                if count == 1 {
                    self.key(def, a)?;
                    continue;
                }
                let toml = self.format == DocFormat::Toml;
                self.w.write_all(if toml { b"{ first = " } else { b"{\"first\":" })?;
                self.key(def, a)?;
                self.w.write_all(if toml { b", last = " } else { b",\"last\":" })?;
                self.key(def, b)?;
                self.w.extend_from_slice(if toml { b", count = " } else { b",\"count\":" });
                decimal(count, &mut self.w);
                self.w.extend_from_slice(if toml { b" }" } else { b"}" });
            }
        }
        Ok(())
    }

    fn partitions(&mut self, run: &RunRef, sep: &[u8]) -> io::Result<()> {
        if let (Some(k), Some(def)) = (run.partitions, run.group.partitions) {
            for i in k.positions() {
                if i > k.first {
                    self.w.write_all(sep)?;
                }
                self.key(def, i)?;
            }
        }
        Ok(())
    }

    fn after(&mut self, run: &RunRef, ids: &[u64], sep: &[u8]) -> io::Result<()> {
        for (n, &i) in run.after.iter().enumerate() {
            if n > 0 {
                self.w.write_all(sep)?;
            }
            self.w.push(b'"');
            self.w.extend_from_slice(&hex(ids[i as usize]));
            self.w.push(b'"');
        }
        Ok(())
    }

    fn json_run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()> {
        self.w.extend_from_slice(b"{\"id\":\"");
        self.w.extend_from_slice(&hex(run.id));
        self.w.extend_from_slice(b"\",\"assets\":[");
        self.w.write_all(self.group.assets.as_bytes())?;
        self.w.write_all(b"],\"partitions\":[")?;
        self.partitions(run, b",")?;
        self.w.write_all(b"]")?;
        if let (Some(k), Some(def)) = (run.partitions, run.group.partitions) {
            if run.ranged {
                self.w.write_all(b",\"range\":{\"first\":")?;
                self.key(def, k.first)?;
                self.w.write_all(b",\"last\":")?;
                self.key(def, k.last())?;
                self.w.write_all(b"}")?;
            }
            if self.version >= 2 && self.group.timed {
                self.window(def, k.first, k.last())?;
            }
        }
        if self.version >= 2 {
            if let Some(d) = &self.group.def {
                self.w.write_all(b",\"partitions_def\":")?;
                self.w.write_all(d.as_bytes())?;
            }
        }
        self.w.write_all(b",\"inputs\":{")?;
        for (n, (up, set)) in run.inputs.iter().enumerate() {
            if n > 0 {
                self.w.write_all(b",")?;
            }
            self.w.write_all(self.asset_keys[up.0 as usize].as_bytes())?;
            self.w.write_all(b":[")?;
            if let (InputSet::Partitions(r), Some(def)) = (set, self.head.pipeline.asset(*up).partitions) {
                self.inputs(def, r)?;
            }
            self.w.write_all(b"]")?;
        }
        self.w.write_all(b"},\"after\":[")?;
        self.after(run, ids, b",")?;
        self.w.write_all(b"]}")
    }

    /// One `[[runs]]` table, as the `toml` crate lays it out: values first, then sub-tables.
    fn toml_run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()> {
        self.w.extend_from_slice(b"\n[[runs]]\nid = \"");
        self.w.extend_from_slice(&hex(run.id));
        self.w.extend_from_slice(b"\"\nassets = [");
        self.w.write_all(self.group.assets.as_bytes())?;
        self.w.write_all(b"]\npartitions = [")?;
        self.partitions(run, b", ")?;
        self.w.write_all(b"]\n")?;
        let keys: Option<(Keys, PartitionsId)> = run.partitions.zip(run.group.partitions);
        if self.version >= 2 {
            if let Some((k, def)) = keys.filter(|_| self.group.timed) {
                self.window(def, k.first, k.last())?;
            }
            if let (Some(d), false) = (&self.group.def, self.group.def_is_table) {
                self.w.write_all(b"partitions_def = ")?;
                self.w.write_all(d.as_bytes())?;
                self.w.write_all(b"\n")?;
            }
        }
        self.w.write_all(b"after = [")?;
        self.after(run, ids, b", ")?;
        self.w.write_all(b"]\n")?;
        if let Some((k, def)) = keys.filter(|_| run.ranged) {
            self.w.write_all(b"\n[runs.range]\nfirst = ")?;
            self.key(def, k.first)?;
            self.w.write_all(b"\nlast = ")?;
            self.key(def, k.last())?;
            self.w.write_all(b"\n")?;
        }
        if self.version >= 2 {
            if let (Some(d), true) = (&self.group.def, self.group.def_is_table) {
                self.w.write_all(b"\n[runs.partitions_def]\n")?;
                self.w.write_all(d.as_bytes())?;
            }
        }
        self.w.write_all(b"\n[runs.inputs]\n")?;
        for (up, set) in run.inputs {
            self.w.write_all(self.asset_keys[up.0 as usize].as_bytes())?;
            self.w.write_all(b" = [")?;
            if let (InputSet::Partitions(r), Some(def)) = (set, self.head.pipeline.asset(*up).partitions) {
                self.inputs(def, r)?;
            }
            self.w.write_all(b"]\n")?;
        }
        Ok(())
    }
}

impl RunSink for DocWriter<'_> {
    fn run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()> {
        self.enter_group(run);
        self.asset_partitions += run.partitions.map_or(1, |k| k.count) * run.group.assets.len() as u64;
        match self.format {
            DocFormat::Json => {
                self.w.write_all(if self.runs > 0 { b",\n    " } else { b"    " })?;
                self.json_run(run, ids)?;
            }
            DocFormat::Jsonl => {
                self.json_run(run, ids)?;
                self.w.write_all(b"\n")?;
            }
            DocFormat::Toml => self.toml_run(run, ids)?,
        }
        self.runs += 1;
        if self.w.len() >= BLOCK {
            self.flush_block()?;
        }
        Ok(())
    }
}

/// The cache of a definition, sized on first use (left empty for a definition too long to cache).
fn sized<'c>(c: &'c mut DefCache, space: &Space, def: PartitionsId) -> &'c mut DefCache {
    if c.keys.is_empty() && space.len(def) <= CACHE_LIMIT {
        c.keys.resize(space.len(def) as usize, None);
        c.windows.resize(space.len(def) as usize, None);
    }
    c
}

/// Appends `n` in decimal.
fn decimal(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A run id as 16 lowercase hex digits (`{:016x}` without the formatting machinery).
fn hex(id: u64) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = DIGITS[((id >> (60 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// Cuts positions `[s, e)` of a multi definition (dimension lengths `dims`, the last fastest)
/// into boxes, each `(first, last, count)`: per-dimension ranges crossed, in position order.
/// A box is a run of whole rows or a piece of one row, so each is contiguous in positions.
pub fn cut_boxes(s: u64, e: u64, dims: &[u64], offset: u64, out: &mut Vec<(u64, u64, u64)>) {
    if s >= e {
        return;
    }
    let inner: u64 = dims[1..].iter().product();
    if dims.len() <= 1 || inner == 0 {
        out.push((offset + s, offset + e - 1, e - s));
        return;
    }
    let (r0, r1) = (s / inner, (e - 1) / inner);
    if r0 == r1 {
        cut_boxes(s - r0 * inner, e - r0 * inner, &dims[1..], offset + r0 * inner, out);
        return;
    }
    let mut a = s;
    if s % inner != 0 {
        a = (r0 + 1) * inner;
        cut_boxes(s - r0 * inner, inner, &dims[1..], offset + r0 * inner, out);
    }
    let b = if e % inner == 0 { e } else { r1 * inner };
    if a < b {
        out.push((offset + a, offset + b - 1, b - a));
    }
    if b < e {
        cut_boxes(0, e - b, &dims[1..], offset + b, out);
    }
}

#[cfg(test)]
mod tests {
    use super::cut_boxes;

    #[test]
    fn boxes_are_rows_or_pieces_of_one() {
        // 3 x 4 (positions d0 * 4 + d1).
        let mut out = Vec::new();
        cut_boxes(2, 11, &[3, 4], 0, &mut out);
        assert_eq!(out, vec![(2, 3, 2), (4, 7, 4), (8, 10, 3)]);
        out.clear();
        cut_boxes(0, 12, &[3, 4], 0, &mut out);
        assert_eq!(out, vec![(0, 11, 12)]);
        out.clear();
        // 2 x 2 x 3: a piece of the last row of the first plane, then the second plane's first row.
        cut_boxes(4, 9, &[2, 2, 3], 0, &mut out);
        assert_eq!(out, vec![(4, 5, 2), (6, 8, 3)]);
    }
}
