//! Run ids as text: 16 lowercase hex digits made without `fmt`, and a cache of the text of
//! recently written ids, which the runs waiting for them copy.

/// A run id as 16 lowercase hex digits (`{:016x}` without the formatting machinery): each
/// half's nibbles spread one to a byte, then made digits all at once.
pub(super) fn hex(id: u64) -> [u8; 16] {
    /// Nibbles of the low 32 bits of `v`, one per byte, the most significant first in
    /// big-endian byte order.
    fn spread(v: u64) -> u64 {
        let x = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
        let x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
        (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f
    }
    /// Nibbles to ASCII: `'0' + n`, plus `'a' - '0' - 10` for the nibbles of 10 and over.
    fn digits(x: u64) -> [u8; 8] {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let letters = ((x + 6 * ONES) >> 4) & ONES;
        (x + b'0' as u64 * ONES + letters * (b'a' - b'0' - 10) as u64).to_be_bytes()
    }
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&digits(spread(id >> 32)));
    out[8..].copy_from_slice(&digits(spread(id & 0xffff_ffff)));
    out
}

/// `"` + an id's [`hex`] text + `"`.
#[inline(always)]
pub(super) fn quoted(text: [u8; 16]) -> [u8; 18] {
    let mut q = [b'"'; 18];
    q[1..17].copy_from_slice(&text);
    q
}

/// How many run ids [`RecentIds`] keeps (a power of two).
const RECENT_IDS: usize = 4096;

/// The hex text of recently written run ids, by plan position: a direct-mapped cache of
/// [`RECENT_IDS`] slots. A run waits for runs of the waves just before it, written moments
/// ago, so most of its `after` ids are copied rather than formatted again; memory stays
/// constant whatever the plan's length.
pub(super) struct RecentIds {
    /// Per slot: the position it holds (`usize::MAX` for none) and that run's id text.
    slots: Box<[(usize, [u8; 16])]>,
}

impl RecentIds {
    pub(super) fn new() -> RecentIds {
        RecentIds { slots: vec![(usize::MAX, [0; 16]); RECENT_IDS].into_boxed_slice() }
    }

    pub(super) fn remember(&mut self, pos: usize, text: [u8; 16]) {
        if let Some(slot) = self.slots.get_mut(pos % RECENT_IDS) {
            *slot = (pos, text);
        }
    }

    /// The text of `id`, the id of the run at `pos`.
    #[inline(always)]
    pub(super) fn hex(&mut self, pos: u32, id: u64) -> [u8; 16] {
        let pos = pos as usize;
        match self.slots.get_mut(pos % RECENT_IDS) {
            Some(slot) if slot.0 == pos => slot.1,
            Some(slot) => {
                *slot = (pos, hex(id));
                slot.1
            }
            None => hex(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{hex, RecentIds, RECENT_IDS};

    #[test]
    fn hex_is_sixteen_lowercase_digits() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for id in [0, 1, 9, 10, 15, 16, 0xabcdef, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(hex(id), format!("{id:016x}").as_bytes());
        }
        for _ in 0..1000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            assert_eq!(hex(x), format!("{x:016x}").as_bytes());
        }
    }

    #[test]
    fn recent_ids_give_the_text_of_the_position_asked_for() {
        let mut r = RecentIds::new();
        let id = |pos: u32| u64::from(pos).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let far = RECENT_IDS as u32 + 5;
        r.remember(5, hex(id(5)));
        // A hit, then a later position in the same slot replaces it, and each gives its own.
        assert_eq!(r.hex(5, id(5)), hex(id(5)));
        assert_eq!(r.hex(far, id(far)), hex(id(far)));
        assert_eq!(r.hex(5, id(5)), hex(id(5)));
        // Never remembered: made from the id.
        assert_eq!(r.hex(7, id(7)), hex(id(7)));
    }
}
