//! The plan document's bytes, written run by run as the planner makes them: JSON, JSON Lines
//! and TOML, `plan_version` 1 or 2. The fields are `crate::emit::plan`'s types; which runs
//! exist and their order is `crate::plan`'s.
//!
//! Nothing is allocated per run once every key has been seen: keys, time windows and asset
//! names are escaped once per plan into caches, run ids are numbers, and each run is written
//! straight into the output. The bytes equal serializing the document types (serde_json for
//! JSON, the `toml` crate for TOML); `tests/plan_stream.rs` checks both.

use std::io::{self, Write};

use super::block::Block;
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

/// Escaped keys and window ends of one definition, made on first use and kept end to end in
/// one buffer (definitions longer than [`CACHE_LIMIT`] are escaped on every use instead).
struct DefCache {
    text: Vec<u8>,
    /// Per position: where its escaped key is in `text`; `(0, 0)` until it is made (an
    /// escaped key is never empty). Empty until the definition is first used.
    keys: Vec<(u32, u32)>,
    /// Per position: where its window's escaped start is in `text` and how long it and the
    /// end that follows it are; the lengths are 0 until it is made.
    windows: Vec<(u32, u32, u32)>,
    /// Dimension lengths of a multi definition (empty otherwise), for input boxes.
    dims: Box<[u64]>,
}

impl DefCache {
    fn new(space: &Space, def: PartitionsId) -> DefCache {
        let n = space.dimension_names(def).len();
        let dims = if n < 2 { Box::default() } else { (0..n).map(|i| space.dimension_len(def, i)).collect() };
        DefCache { text: Vec::new(), keys: Vec::new(), windows: Vec::new(), dims }
    }

    /// Sizes the per-position tables on first use, if the definition is short enough.
    fn size(&mut self, space: &Space, def: PartitionsId) {
        if self.keys.is_empty() && space.len(def) <= CACHE_LIMIT {
            self.keys.resize(space.len(def) as usize, (0, 0));
            self.windows.resize(space.len(def) as usize, (0, 0, 0));
        }
    }

    /// Appends `bytes` to the text and gives its place, or `None` when the text would outgrow
    /// 32-bit offsets (the caller then writes without caching).
    fn keep(&mut self, bytes: &[u8]) -> Option<(u32, u32)> {
        let at = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        at.checked_add(len)?;
        self.text.extend_from_slice(bytes);
        Some((at, len))
    }
}

/// A window's escaped start and end: in a [`DefCache`]'s text (where, and the two lengths),
/// or made for one use.
enum WindowText {
    Cached(u32, u32, u32),
    Fresh(String, String),
}

impl WindowText {
    fn start<'t>(&'t self, text: &'t [u8]) -> &'t [u8] {
        match self {
            WindowText::Cached(at, s, _) => &text[*at as usize..(at + s) as usize],
            WindowText::Fresh(s, _) => s.as_bytes(),
        }
    }

    fn end<'t>(&'t self, text: &'t [u8]) -> &'t [u8] {
        match self {
            WindowText::Cached(at, s, e) => &text[(at + s) as usize..(at + s + e) as usize],
            WindowText::Fresh(_, e) => e.as_bytes(),
        }
    }
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
    w: Block,
    /// Asset keys escaped, by asset id: as values and (TOML) as table keys.
    assets: Vec<String>,
    asset_keys: Vec<String>,
    defs: Vec<DefCache>,
    /// Scratch for an input range cut into boxes, reused run after run.
    boxes: Vec<(u64, u64, u64)>,
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
        let defs =
            (0..head.pipeline.partitions.len()).map(|d| DefCache::new(head.space, PartitionsId(d as u32))).collect();
        DocWriter {
            head,
            format,
            version,
            sink,
            w: Block::with_capacity(BLOCK + 4096),
            assets,
            asset_keys,
            defs,
            boxes: Vec::new(),
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
        self.sink.write_all(self.w.bytes())?;
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
                    self.w.put(b"\n");
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
    #[inline(always)]
    fn key(&mut self, def: PartitionsId, pos: u64) {
        let c = &self.defs[def.0 as usize];
        match c.keys.get(pos as usize) {
            Some(&(at, len)) if len > 0 => {
                self.w.put(&c.text[at as usize..(at + len) as usize]);
            }
            _ => self.new_key(def, pos),
        }
    }

    /// [`DocWriter::key`] of a key not cached yet: escapes it, and caches it when it can.
    #[cold]
    fn new_key(&mut self, def: PartitionsId, pos: u64) {
        let toml = self.format == DocFormat::Toml;
        let space = self.head.space;
        let k = space.with_key(def, pos, |k| if toml { toml_str(k) } else { json(k) });
        self.w.put(k.as_bytes());
        let c = &mut self.defs[def.0 as usize];
        c.size(space, def);
        if (pos as usize) < c.keys.len() {
            if let Some(place) = c.keep(k.as_bytes()) {
                c.keys[pos as usize] = place;
            }
        }
    }

    /// Writes the start of `first`'s window and the end of `last`'s: `,"start":S,"end":E`
    /// (JSON) or `start = S\nend = E\n` (TOML); nothing for a definition without windows.
    fn window(&mut self, def: PartitionsId, first: u64, last: u64) {
        let (Some(a), Some(b)) = (self.window_at(def, first), self.window_at(def, last)) else { return };
        let c = &self.defs[def.0 as usize];
        let (s, e) = (a.start(&c.text), b.end(&c.text));
        let parts: [&[u8]; 5] = if self.format == DocFormat::Toml {
            [b"start = ", s, b"\nend = ", e, b"\n"]
        } else {
            [b",\"start\":", s, b",\"end\":", e, b""]
        };
        for part in parts {
            self.w.put(part);
        }
    }

    /// The escaped window at `pos`, made and cached on first use; `None` when the definition
    /// has no windows.
    #[inline]
    fn window_at(&mut self, def: PartitionsId, pos: u64) -> Option<WindowText> {
        match self.defs[def.0 as usize].windows.get(pos as usize) {
            Some(&(at, s, e)) if s > 0 => Some(WindowText::Cached(at, s, e)),
            _ => self.new_window(def, pos),
        }
    }

    #[cold]
    fn new_window(&mut self, def: PartitionsId, pos: u64) -> Option<WindowText> {
        let toml = self.format == DocFormat::Toml;
        let space = self.head.space;
        let w = space.window(def, pos)?;
        let esc = |d| if toml { toml_str(&isoformat(d)) } else { json(&isoformat(d)) };
        let (start, end) = (esc(&w.0), esc(&w.1));
        let c = &mut self.defs[def.0 as usize];
        c.size(space, def);
        if (pos as usize) < c.windows.len() {
            if let Some((at, _)) = c.keep(&[start.as_bytes(), end.as_bytes()].concat()) {
                let place = (at, start.len() as u32, end.len() as u32);
                c.windows[pos as usize] = place;
                return Some(WindowText::Cached(place.0, place.1, place.2));
            }
        }
        Some(WindowText::Fresh(start, end))
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

    /// Writes one upstream's inputs: every key (version 1) or keys and ranges (version 2).
    fn inputs(&mut self, def: PartitionsId, set: &crate::plan::Ranges) {
        let sep: &[u8] = if self.format == DocFormat::Toml { b", " } else { b"," };
        let mut first = true;
        if self.version == 1 {
            for r in set.ranges() {
                for i in r {
                    if !first {
                        self.w.put(sep);
                    }
                    first = false;
                    self.key(def, i);
                }
            }
            return;
        }
        if self.defs[def.0 as usize].dims.is_empty() {
            for r in set.ranges() {
                if !first {
                    self.w.put(sep);
                }
                first = false;
                self.input_box(def, r.start, r.end - 1, r.end - r.start);
            }
            return;
        }
        let mut boxes = std::mem::take(&mut self.boxes);
        for r in set.ranges() {
            boxes.clear();
            cut_boxes(r.start, r.end, &self.defs[def.0 as usize].dims, 0, &mut boxes);
            for &(a, b, count) in &boxes {
                if !first {
                    self.w.put(sep);
                }
                first = false;
                self.input_box(def, a, b, count);
            }
        }
        self.boxes = boxes;
    }

    /// One key, or keys `a..=b` as `{"first","last","count"}`.
    #[inline(always)]
    fn input_box(&mut self, def: PartitionsId, a: u64, b: u64, count: u64) {
        if count == 1 {
            self.key(def, a);
            return;
        }
        let toml = self.format == DocFormat::Toml;
        self.w.put(if toml { b"{ first = " } else { b"{\"first\":" });
        self.key(def, a);
        self.w.put(if toml { b", last = " } else { b",\"last\":" });
        self.key(def, b);
        self.w.put(if toml { b", count = " } else { b",\"count\":" });
        decimal(count, &mut self.w);
        self.w.put(if toml { b" }" } else { b"}" });
    }

    fn partitions(&mut self, run: &RunRef, sep: &[u8]) {
        if let (Some(k), Some(def)) = (run.partitions, run.group.partitions) {
            for i in k.positions() {
                if i > k.first {
                    self.w.put(sep);
                }
                self.key(def, i);
            }
        }
    }

    fn after(&mut self, run: &RunRef, ids: &[u64], sep: &[u8]) {
        for (n, &i) in run.after.iter().enumerate() {
            if n > 0 {
                self.w.put(sep);
            }
            let mut quoted = [b'"'; 18];
            quoted[1..17].copy_from_slice(&hex(ids[i as usize]));
            self.w.put(&quoted);
        }
    }

    fn json_run(&mut self, run: &RunRef, ids: &[u64]) {
        self.w.put(b"{\"id\":\"");
        self.w.put(&hex(run.id));
        self.w.put(b"\",\"assets\":[");
        self.w.put(self.group.assets.as_bytes());
        self.w.put(b"],\"partitions\":[");
        self.partitions(run, b",");
        self.w.put(b"]");
        if let (Some(k), Some(def)) = (run.partitions, run.group.partitions) {
            if run.ranged {
                self.w.put(b",\"range\":{\"first\":");
                self.key(def, k.first);
                self.w.put(b",\"last\":");
                self.key(def, k.last());
                self.w.put(b"}");
            }
            if self.version >= 2 && self.group.timed {
                self.window(def, k.first, k.last());
            }
        }
        if self.version >= 2 {
            if let Some(d) = &self.group.def {
                self.w.put(b",\"partitions_def\":");
                self.w.put(d.as_bytes());
            }
        }
        self.w.put(b",\"inputs\":{");
        for (n, (up, set)) in run.inputs.iter().enumerate() {
            if n > 0 {
                self.w.put(b",");
            }
            self.w.put(self.asset_keys[up.0 as usize].as_bytes());
            self.w.put(b":[");
            if let (InputSet::Partitions(r), Some(def)) = (set, self.head.pipeline.asset(*up).partitions) {
                self.inputs(def, r);
            }
            self.w.put(b"]");
        }
        self.w.put(b"},\"after\":[");
        self.after(run, ids, b",");
        self.w.put(b"]}");
    }

    /// One `[[runs]]` table, as the `toml` crate lays it out: values first, then sub-tables.
    fn toml_run(&mut self, run: &RunRef, ids: &[u64]) {
        self.w.put(b"\n[[runs]]\nid = \"");
        self.w.put(&hex(run.id));
        self.w.put(b"\"\nassets = [");
        self.w.put(self.group.assets.as_bytes());
        self.w.put(b"]\npartitions = [");
        self.partitions(run, b", ");
        self.w.put(b"]\n");
        let keys: Option<(Keys, PartitionsId)> = run.partitions.zip(run.group.partitions);
        if self.version >= 2 {
            if let Some((k, def)) = keys.filter(|_| self.group.timed) {
                self.window(def, k.first, k.last());
            }
            if let (Some(d), false) = (&self.group.def, self.group.def_is_table) {
                self.w.put(b"partitions_def = ");
                self.w.put(d.as_bytes());
                self.w.put(b"\n");
            }
        }
        self.w.put(b"after = [");
        self.after(run, ids, b", ");
        self.w.put(b"]\n");
        if let Some((k, def)) = keys.filter(|_| run.ranged) {
            self.w.put(b"\n[runs.range]\nfirst = ");
            self.key(def, k.first);
            self.w.put(b"\nlast = ");
            self.key(def, k.last());
            self.w.put(b"\n");
        }
        if self.version >= 2 {
            if let (Some(d), true) = (&self.group.def, self.group.def_is_table) {
                self.w.put(b"\n[runs.partitions_def]\n");
                self.w.put(d.as_bytes());
            }
        }
        self.w.put(b"\n[runs.inputs]\n");
        for (up, set) in run.inputs {
            self.w.put(self.asset_keys[up.0 as usize].as_bytes());
            self.w.put(b" = [");
            if let (InputSet::Partitions(r), Some(def)) = (set, self.head.pipeline.asset(*up).partitions) {
                self.inputs(def, r);
            }
            self.w.put(b"]\n");
        }
    }
}

impl RunSink for DocWriter<'_> {
    fn run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()> {
        self.enter_group(run);
        self.asset_partitions += run.partitions.map_or(1, |k| k.count) * run.group.assets.len() as u64;
        match self.format {
            DocFormat::Json => {
                self.w.put(if self.runs > 0 { b",\n    " } else { b"    " });
                self.json_run(run, ids);
            }
            DocFormat::Jsonl => {
                self.json_run(run, ids);
                self.w.put(b"\n");
            }
            DocFormat::Toml => self.toml_run(run, ids),
        }
        self.runs += 1;
        if self.w.len() >= BLOCK {
            self.flush_block()?;
        }
        Ok(())
    }
}

/// Appends `n` in decimal (one digit inline: a lookback's count usually is).
#[inline(always)]
fn decimal(n: u64, out: &mut Block) {
    if n < 10 {
        out.byte(b'0' + n as u8);
    } else {
        out.put(itoa::Buffer::new().format(n).as_bytes());
    }
}

/// A run id as 16 lowercase hex digits (`{:016x}` without the formatting machinery).
fn hex(id: u64) -> [u8; 16] {
    /// Each byte's two hex digits.
    const PAIRS: [[u8; 2]; 256] = {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut pairs = [[0u8; 2]; 256];
        let mut b = 0;
        while b < 256 {
            pairs[b] = [DIGITS[b >> 4], DIGITS[b & 0xf]];
            b += 1;
        }
        pairs
    };
    let mut out = [0u8; 16];
    for (o, b) in out.chunks_exact_mut(2).zip(id.to_be_bytes()) {
        o.copy_from_slice(&PAIRS[b as usize]);
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
