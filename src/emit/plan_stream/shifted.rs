//! The inputs of runs that read through shifts
//! ([`Inputs::Shifted`](crate::plan::Inputs::Shifted): a chain of lookbacks of one
//! definition, most runs of most plans): laid out once per group, then each run written
//! from a template of an earlier run with its own values copied over.

use super::{DocFormat, DocWriter};
use crate::model::{AssetId, PartitionsId};
use crate::plan::Shift;

/// The `inputs` of a group whose runs read through shifts
/// ([`Inputs::Shifted`](crate::plan::Inputs::Shifted)), laid out once per group. Upstreams
/// read through the same shift of the same definition read the same span in every run, so a
/// run writes each distinct read once and copies it for the others, with no lookup per
/// upstream.
#[derive(Default)]
pub(super) struct ShiftedText {
    /// The group this is laid out for.
    group: Option<u32>,
    /// Whether every upstream is partitioned (as
    /// [`Inputs::Shifted`](crate::plan::Inputs::Shifted) promises); if not, runs are written
    /// read by read.
    fits: bool,
    /// The distinct reads: a definition and a shift.
    reads: Vec<(PartitionsId, Shift)>,
    /// Per upstream, in input order: the text before its value and its read's index in
    /// `reads`. The text closes the entry before it: JSON `"key":[` for the first, then
    /// `],"key":[`; TOML `key = [`, then `]\nkey = [`.
    entries: Vec<(Box<[u8]>, usize)>,
    /// Per read, its span in the run being written.
    spans: Vec<(u64, u64)>,
    /// The inputs as the last run written value by value wrote them (empty before one), and
    /// per read, where its value sits in them. A run whose values have those lengths (a
    /// daily or hourly group: every run but the edges) is the template with its own values
    /// copied over the slots: one copy and a store per slot rather than a piece per upstream.
    template: Vec<u8>,
    slots: Vec<Slots>,
}

/// Where one read's value sits in a [`ShiftedText`]'s template: its length, and the offset
/// of each copy (one per upstream read that way, in input order).
#[derive(Clone, Default)]
struct Slots {
    len: usize,
    at: Vec<usize>,
}

impl DocWriter<'_> {
    /// The inputs of a run of positions `[first, first + count)` that reads through `shifts`,
    /// from the group's [`ShiftedText`]: the entries of the JSON `inputs` object, or the
    /// lines of the TOML `[runs.inputs]` table. `false` (nothing written) when some upstream
    /// reads nothing, which the caller writes read by read.
    #[inline(always)]
    pub(super) fn shifted_inputs(&mut self, group: u32, first: u64, count: u64, shifts: &[(AssetId, Shift)]) -> bool {
        if self.shifted.group != Some(group) {
            self.lay_out_shifted(group, shifts);
        }
        if !self.shifted.fits {
            return false;
        }
        let mut all = true;
        let t = &mut self.shifted;
        for (i, (_, shift)) in t.reads.iter().enumerate() {
            let (s, e) = shift.span(first, first + count);
            all &= s < e;
            t.spans[i] = (s, e);
        }
        if !all {
            return false;
        }
        if !self.shifted.template.is_empty() && self.patch_shifted() {
            return true;
        }
        // Written value by value, the slots recorded as the new template's: a read's first
        // upstream writes its value, the others copy it.
        let start = self.w.len();
        for slots in &mut self.shifted.slots {
            slots.at.clear();
        }
        for i in 0..self.shifted.entries.len() {
            let (joint, read) = &self.shifted.entries[i];
            let read = *read;
            self.w.put(joint);
            let at = self.w.len();
            let slots = &self.shifted.slots[read];
            if let Some(&first) = slots.at.first() {
                self.w.repeat(start + first, slots.len);
            } else {
                let (def, (s, e)) = (self.shifted.reads[read].0, self.shifted.spans[read]);
                self.range_inputs(def, s, e, &mut true);
                self.shifted.slots[read].len = self.w.len() - at;
            }
            self.shifted.slots[read].at.push(at - start);
        }
        if !self.shifted.entries.is_empty() {
            self.w.put(if self.format == DocFormat::Toml { b"]\n" } else { b"]" });
        }
        self.shifted.template.clear();
        if let Some(section) = self.w.bytes().get(start..) {
            self.shifted.template.extend_from_slice(section);
        }
        true
    }

    /// [`DocWriter::shifted_inputs`] from the group's template: each read's value written
    /// once past it and copied into its slots. `false`, with nothing written, when a value's
    /// length differs from the template's (the caller then writes the run value by value).
    fn patch_shifted(&mut self) -> bool {
        let start = self.w.len();
        self.w.put(&self.shifted.template);
        for read in 0..self.shifted.reads.len() {
            let at = self.w.len();
            let (def, (s, e)) = (self.shifted.reads[read].0, self.shifted.spans[read]);
            self.range_inputs(def, s, e, &mut true);
            let slots = &self.shifted.slots[read];
            if self.w.len() - at != slots.len {
                self.w.truncate(start);
                return false;
            }
            self.w.copy_back(at, slots.len, start, &slots.at);
            self.w.truncate(at);
        }
        true
    }

    /// Makes the [`ShiftedText`] of `group`, whose runs read through `shifts`.
    #[cold]
    fn lay_out_shifted(&mut self, group: u32, shifts: &[(AssetId, Shift)]) {
        let mut t = ShiftedText { group: Some(group), fits: true, ..ShiftedText::default() };
        for (n, (up, shift)) in shifts.iter().enumerate() {
            let head = self.input_heads[up.0 as usize].as_bytes();
            let joint: Box<[u8]> = match (self.format == DocFormat::Toml, n) {
                (false, 0) => head[1..].into(),
                (false, _) => [b"]", head].concat().into(),
                (true, 0) => head.into(),
                (true, _) => [b"]\n", head].concat().into(),
            };
            let Some(def) = self.defs_of[up.0 as usize] else {
                self.shifted = ShiftedText { group: Some(group), ..ShiftedText::default() };
                return;
            };
            let read = match t.reads.iter().position(|r| *r == (def, *shift)) {
                Some(i) => i,
                None => {
                    t.reads.push((def, *shift));
                    t.reads.len() - 1
                }
            };
            t.entries.push((joint, read));
        }
        t.spans = vec![(0, 0); t.reads.len()];
        t.slots = vec![Slots::default(); t.reads.len()];
        self.shifted = t;
    }
}
