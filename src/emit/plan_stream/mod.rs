//! The plan document's bytes, written run by run as the planner makes them: JSON, JSON Lines
//! and TOML, `plan_version` 1 or 2. The fields are `crate::emit::plan`'s types; which runs
//! exist and their order is `crate::plan`'s.
//!
//! Nothing is allocated per run once every key has been seen: keys, time windows and asset
//! names are escaped once per plan into caches, run ids are numbers, and each run is written
//! straight into the output. The bytes equal serializing the document types (serde_json for
//! JSON, the `toml` crate for TOML); `tests/plan_stream.rs` checks both.

mod ids;
mod shifted;

use std::io::{self, Write};

use chrono::DateTime;
use chrono_tz::Tz;

use self::ids::{hex, quoted, RecentIds};
use self::shifted::ShiftedText;
use super::block::Block;
use super::plan::PlanFormat;
use crate::model::{AssetId, PartitionsId, Pipeline};
use crate::partitions::isoformat_into;
use crate::plan::{Inputs, Keys, Plan, Prepared, Read, RunRef, RunSink, Space};

/// Bytes gathered before they are handed to the output.
const BLOCK: usize = 1 << 16;

/// How many input values of one run are remembered for copying.
const MEMO: usize = 8;

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

/// A window end as a JSON or TOML string: `"` + [`isoformat_into`] + `"`. An isoformat is
/// digits, `-`, `+`, `:` and `T`, none of which either format escapes, so [`json`] and
/// [`toml_str`] would write the same (a unit test compares them).
fn quoted_isoformat(t: &DateTime<Tz>, out: &mut String) {
    out.push('"');
    isoformat_into(t, out);
    out.push('"');
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
    /// Per position: where its window's two pieces (see [`DocWriter::window_text`]) are in
    /// `text`, end to end, and how long each is; the lengths are 0 until they are made.
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

/// A window's two pieces (see [`DocWriter::window_text`]): in a [`DefCache`]'s text (where,
/// and the two lengths), or made for one use.
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
    /// From after the id to the inside of the `partitions` array: `,"assets":[...],"partitions":[`
    /// (JSON) or `\nassets = [...]\npartitions = [` (TOML).
    head: String,
    /// JSON: from after the window to the first input: `,"partitions_def":...,"inputs":{`
    /// (version 2, when the run has a definition) or `,"inputs":{`.
    inputs: String,
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
    /// What comes before an asset's inputs, by asset id: `,"key":[` (JSON, where the first
    /// input of a run leaves out the comma) or `key = [` (TOML).
    input_heads: Vec<String>,
    /// Each asset's partitions definition, by asset id (read for every input).
    defs_of: Vec<Option<PartitionsId>>,
    defs: Vec<DefCache>,
    /// Scratch for an input range cut into boxes, reused run after run.
    boxes: Vec<(u64, u64, u64)>,
    /// The input values of the run being written so far (up to [`MEMO`] of them), by
    /// definition and span, with where their text is in the block: several upstreams often
    /// read the same span, and its text is then copied, not made again.
    memo: Vec<(PartitionsId, (u64, u64), usize, usize)>,
    group: GroupText,
    shifted: ShiftedText,
    recent: RecentIds,
    /// Scratch for a window's two pieces as they are made, reused position after position.
    window_scratch: String,
    runs: u64,
    asset_partitions: u64,
}

impl<'a> DocWriter<'a> {
    pub fn new(head: Head<'a>, format: DocFormat, version: u32, sink: &'a mut dyn Write) -> DocWriter<'a> {
        let toml = format == DocFormat::Toml;
        let assets = head.pipeline.assets.iter().map(|a| if toml { toml_str(&a.key) } else { json(&a.key) }).collect();
        let asset_keys: Vec<String> =
            head.pipeline.assets.iter().map(|a| if toml { toml_key(&a.key) } else { json(&a.key) }).collect();
        let defs_of = head.pipeline.assets.iter().map(|a| a.partitions).collect();
        let input_heads: Vec<String> =
            asset_keys.iter().map(|k: &String| if toml { format!("{k} = [") } else { format!(",{k}:[") }).collect();
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
            input_heads,
            defs_of,
            defs,
            boxes: Vec::new(),
            memo: Vec::with_capacity(MEMO),
            group: GroupText::default(),
            shifted: ShiftedText::default(),
            recent: RecentIds::new(),
            window_scratch: String::new(),
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
    #[inline(always)]
    fn window(&mut self, def: PartitionsId, first: u64, last: u64) {
        let c = &self.defs[def.0 as usize];
        if let (Some(&(a, sa, ea)), Some(&(b, sb, eb))) = (c.windows.get(first as usize), c.windows.get(last as usize))
        {
            if sa > 0 && sb > 0 {
                let (a, b) = (a as usize, b as usize);
                if first == last {
                    self.w.put(&c.text[a..a + (sa + ea) as usize]);
                } else {
                    self.w.put(&c.text[a..a + sa as usize]);
                    self.w.put(&c.text[b + sb as usize..b + (sb + eb) as usize]);
                }
                return;
            }
        }
        self.new_window(def, first, last);
    }

    /// [`DocWriter::window`] of windows not cached yet.
    #[cold]
    fn new_window(&mut self, def: PartitionsId, first: u64, last: u64) {
        let (Some(a), Some(b)) = (self.window_text(def, first), self.window_text(def, last)) else { return };
        let c = &self.defs[def.0 as usize];
        self.w.put(a.start(&c.text));
        self.w.put(b.end(&c.text));
    }

    /// The window at `pos` as its two pieces (`,"start":S` and `,"end":E`, or
    /// `start = S\n` and `end = E\n`), cached when they can be; `None` when the definition
    /// has no windows.
    fn window_text(&mut self, def: PartitionsId, pos: u64) -> Option<WindowText> {
        if let Some(&(at, s, e)) = self.defs[def.0 as usize].windows.get(pos as usize) {
            if s > 0 {
                return Some(WindowText::Cached(at, s, e));
            }
        }
        let toml = self.format == DocFormat::Toml;
        let space = self.head.space;
        let w = space.window(def, pos)?;
        // Both pieces end to end in one reused buffer: this runs once per position (8,760
        // times for a year of hours), and a `String` per piece was most of its cost.
        let mut text = std::mem::take(&mut self.window_scratch);
        text.clear();
        let (start, end, tail) = if toml { ("start = ", "end = ", "\n") } else { (",\"start\":", ",\"end\":", "") };
        text.push_str(start);
        quoted_isoformat(&w.0, &mut text);
        text.push_str(tail);
        let split = text.len();
        text.push_str(end);
        quoted_isoformat(&w.1, &mut text);
        text.push_str(tail);
        let c = &mut self.defs[def.0 as usize];
        c.size(space, def);
        let kept = if (pos as usize) < c.windows.len() { c.keep(text.as_bytes()) } else { None };
        let made = match kept {
            Some((at, len)) => {
                let place = (at, split as u32, len - split as u32);
                c.windows[pos as usize] = place;
                WindowText::Cached(place.0, place.1, place.2)
            }
            None => WindowText::Fresh(text[..split].to_string(), text[split..].to_string()),
        };
        self.window_scratch = text;
        Some(made)
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
        let assets = assets.join(sep);
        let head = if toml {
            format!("\nassets = [{assets}]\npartitions = [")
        } else {
            format!(",\"assets\":[{assets}],\"partitions\":[")
        };
        let inputs = match &def {
            Some(d) if self.version >= 2 => format!(",\"partitions_def\":{d},\"inputs\":{{"),
            _ => ",\"inputs\":{".to_string(),
        };
        self.group = GroupText { id: Some(run.group_id), head, inputs, def, def_is_table, timed };
    }

    /// Writes one upstream's inputs, copied from an earlier input of the same run when it
    /// read the same span of the same definition.
    #[inline(always)]
    fn input_value(&mut self, def: PartitionsId, read: Read) {
        let span = match read {
            Read::Whole => return,
            Read::Span(s, e) => (s, e),
            Read::Set(set) => return self.inputs(def, set),
        };
        if let Some(&(_, _, at, len)) = self.memo.iter().find(|m| m.0 == def && m.1 == span) {
            self.w.repeat(at, len);
            return;
        }
        self.new_input_value(def, span);
    }

    /// [`DocWriter::input_value`] of a span not written yet in this run: written, and
    /// remembered.
    #[inline(never)]
    fn new_input_value(&mut self, def: PartitionsId, (s, e): (u64, u64)) {
        let at = self.w.len();
        self.range_inputs(def, s, e, &mut true);
        if self.memo.len() < MEMO {
            self.memo.push((def, (s, e), at, self.w.len() - at));
        }
    }

    /// Writes one upstream's inputs of several ranges.
    #[inline(never)]
    fn inputs(&mut self, def: PartitionsId, set: &crate::plan::Ranges) {
        let mut first = true;
        for r in set.ranges() {
            self.range_inputs(def, r.start, r.end, &mut first);
        }
    }

    /// Writes inputs `[s, e)` of `def`: every key (version 1) or keys and ranges (version 2),
    /// each after a separator unless it is the `first`.
    fn range_inputs(&mut self, def: PartitionsId, s: u64, e: u64, first: &mut bool) {
        let sep: &[u8] = if self.format == DocFormat::Toml { b", " } else { b"," };
        if self.version == 1 {
            for i in s..e {
                if !*first {
                    self.w.put(sep);
                }
                *first = false;
                self.key(def, i);
            }
            return;
        }
        if self.defs[def.0 as usize].dims.is_empty() {
            if !*first {
                self.w.put(sep);
            }
            *first = false;
            self.input_box(def, s, e - 1, e - s);
            return;
        }
        let mut boxes = std::mem::take(&mut self.boxes);
        boxes.clear();
        cut_boxes(s, e, &self.defs[def.0 as usize].dims, 0, &mut boxes);
        for &(a, b, count) in &boxes {
            if !*first {
                self.w.put(sep);
            }
            *first = false;
            self.input_box(def, a, b, count);
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
            if k.count == 1 {
                return self.key(def, k.first);
            }
            for i in k.positions() {
                if i > k.first {
                    self.w.put(sep);
                }
                self.key(def, i);
            }
        }
    }

    /// The ids a run waits for, quoted, separated by `,` (JSON) or `, ` (TOML).
    fn after<const TOML: bool>(&mut self, run: &RunRef, ids: &[u64]) {
        let Some((&first, rest)) = run.after.split_first() else { return };
        let text = self.recent.hex(first, ids[first as usize]);
        self.w.fill::<18>(|to| *to = quoted(text));
        for &i in rest {
            let text = self.recent.hex(i, ids[i as usize]);
            if TOML {
                self.w.fill::<20>(|to| {
                    to[..2].copy_from_slice(b", ");
                    to[2..].copy_from_slice(&quoted(text));
                });
            } else {
                self.w.fill::<19>(|to| {
                    to[0] = b',';
                    to[1..].copy_from_slice(&quoted(text));
                });
            }
        }
    }

    /// The run's own id as text, remembered for the runs that wait for it.
    fn own_id(&mut self, run: &RunRef, ids: &[u64]) -> [u8; 16] {
        let text = hex(run.id);
        self.recent.remember(ids.len().saturating_sub(1), text);
        text
    }

    /// One run's JSON object, and a line break after it for JSON Lines (`line`).
    fn json_run(&mut self, run: &RunRef, ids: &[u64], line: bool) {
        let text = self.own_id(run, ids);
        self.w.fill::<24>(|to| {
            to[..7].copy_from_slice(b"{\"id\":\"");
            to[7..23].copy_from_slice(&text);
            to[23] = b'"';
        });
        self.w.put(self.group.head.as_bytes());
        self.partitions(run, b",");
        self.w.byte(b']');
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
        self.w.put(self.group.inputs.as_bytes());
        match run.inputs {
            // A loop of its own rather than `Inputs::each`, whose closure is not inlined:
            // plans without shifted reads write every run here.
            Inputs::List(list) => {
                for (n, (up, set)) in list.iter().enumerate() {
                    self.json_input(n == 0, *up, Read::of(set));
                }
            }
            Inputs::Shifted { first, count, shifts } => {
                // Read by read only where some upstream reads nothing (the runs at the edges).
                if !self.shifted_inputs(run.group_id, first, count, shifts) {
                    run.inputs.each(|n, up, read| self.json_input(n == 0, up, read));
                }
            }
        }
        self.w.put(b"},\"after\":[");
        self.after::<false>(run, ids);
        self.w.put(if line { b"]}\n" } else { b"]}" });
    }

    /// One entry of a run's `inputs` object (JSON): `"key":[...]`, after a comma unless it
    /// is the `first`.
    #[inline(always)]
    fn json_input(&mut self, first: bool, up: AssetId, read: Read) {
        let head = self.input_heads[up.0 as usize].as_bytes();
        self.w.put(if first { &head[1..] } else { head });
        if let Some(def) = self.defs_of[up.0 as usize] {
            self.input_value(def, read);
        }
        self.w.byte(b']');
    }

    /// One `[[runs]]` table, as the `toml` crate lays it out: values first, then sub-tables.
    fn toml_run(&mut self, run: &RunRef, ids: &[u64]) {
        self.w.put(b"\n[[runs]]\nid = ");
        let text = self.own_id(run, ids);
        self.w.fill::<18>(|to| *to = quoted(text));
        self.w.put(self.group.head.as_bytes());
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
        self.after::<true>(run, ids);
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
        if let Inputs::Shifted { first, count, shifts } = run.inputs {
            if self.shifted_inputs(run.group_id, first, count, shifts) {
                return;
            }
        }
        run.inputs.each(|_, up, read| {
            self.w.put(self.input_heads[up.0 as usize].as_bytes());
            if let Some(def) = self.defs_of[up.0 as usize] {
                self.input_value(def, read);
            }
            self.w.put(b"]\n");
        });
    }
}

impl RunSink for DocWriter<'_> {
    fn run(&mut self, run: &RunRef, ids: &[u64]) -> io::Result<()> {
        self.enter_group(run);
        self.memo.clear();
        self.asset_partitions += run.partitions.map_or(1, |k| k.count) * run.group.assets.len() as u64;
        match self.format {
            DocFormat::Json => {
                self.w.put(if self.runs > 0 { b",\n    " } else { b"    " });
                self.json_run(run, ids, false);
            }
            DocFormat::Jsonl => self.json_run(run, ids, true),
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
    use chrono::TimeZone;

    use super::{cut_boxes, json, quoted_isoformat, toml_str};
    use crate::partitions::isoformat;

    #[test]
    fn window_ends_are_quoted_as_json_and_toml_quote_them() {
        let zones =
            [chrono_tz::UTC, chrono_tz::Asia::Kolkata, chrono_tz::America::St_Johns, chrono_tz::Europe::Amsterdam];
        // Amsterdam in 1900 is local mean time, whose offset has seconds (+00:19:32).
        let times = [(2024, 2, 29, 23), (1900, 1, 1, 0), (9999, 12, 31, 23), (12000, 1, 1, 0), (1, 1, 1, 0)];
        for zone in zones {
            for (y, m, d, h) in times {
                let Some(t) = zone.with_ymd_and_hms(y, m, d, h, 0, 0).earliest() else { continue };
                for toml in [false, true] {
                    let mut out = String::from("x");
                    quoted_isoformat(&t, &mut out);
                    let want = if toml { toml_str(&isoformat(&t)) } else { json(&isoformat(&t)) };
                    assert_eq!(out, format!("x{want}"), "{t:?}");
                }
            }
        }
    }

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
