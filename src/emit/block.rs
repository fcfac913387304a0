//! A byte buffer for writers that append many short pieces (keys of 10 to 30 bytes, JSON
//! punctuation, a window's two ends of ~70 bytes): a piece of up to 128 bytes is copied with
//! two fixed-size, overlapping moves instead of a call to `memcpy`, which dominates the cost
//! of pieces that short.

use std::io;

/// Room kept free past the end of the bytes, so a short piece never needs a length check
/// beyond one comparison.
const SLACK: usize = 128;

/// Bytes appended piece by piece; [`Block::bytes`] gives them back.
pub struct Block {
    /// Always initialized, at least [`SLACK`] bytes longer than `len`.
    buf: Vec<u8>,
    len: usize,
}

impl Block {
    pub fn with_capacity(capacity: usize) -> Block {
        Block { buf: vec![0; capacity + SLACK], len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The bytes appended since the last [`Block::clear`].
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends `piece`.
    #[inline(always)]
    pub fn put(&mut self, piece: &[u8]) {
        let n = piece.len();
        if n > SLACK || self.len + SLACK > self.buf.len() {
            return self.put_long(piece);
        }
        copy_short(&mut self.buf[self.len..self.len + SLACK], piece);
        self.len += n;
    }

    /// Appends again the `len` bytes at `at` of those appended since the last
    /// [`Block::clear`] (a piece written earlier, copied rather than made again).
    #[inline(always)]
    pub fn repeat(&mut self, at: usize, len: usize) {
        if self.len + len + SLACK > self.buf.len() {
            self.grow(len);
        }
        let (done, free) = self.buf.split_at_mut(self.len);
        let piece = &done[at..at + len];
        if len <= SLACK {
            copy_short(&mut free[..SLACK], piece);
        } else {
            free[..len].copy_from_slice(piece);
        }
        self.len += len;
    }

    /// Writes the `len` bytes at `from` again at `base + at` for each `at` of `to`, over bytes
    /// appended earlier: a value written after a template, copied into the template's slots.
    /// Every copy must end at or before `from`, and the value within the bytes appended since
    /// the last [`Block::clear`]; a copy that does not is skipped.
    #[inline(always)]
    pub fn copy_back(&mut self, from: usize, len: usize, base: usize, to: &[usize]) {
        if from + len > self.len {
            return;
        }
        // Loaded once (the slack past the bytes makes 64 readable), stored into every slot.
        let word = load::<64>(&self.buf, from);
        let (done, value) = self.buf.split_at_mut(from);
        let Some(value) = value.get(..len) else { return };
        for &at in to {
            let Some(place) = done.get_mut(base + at..base + at + len) else { continue };
            if len <= 64 {
                copy_short(place, &word[..len]);
            } else {
                place.copy_from_slice(value);
            }
        }
    }

    /// Drops the bytes past the first `len` of those appended since the last
    /// [`Block::clear`].
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// Appends `N` bytes (at most [`SLACK`]) that `fill` writes in place.
    #[inline(always)]
    pub fn fill<const N: usize>(&mut self, fill: impl FnOnce(&mut [u8; N])) {
        const { assert!(N <= SLACK) };
        if self.len + SLACK > self.buf.len() {
            self.grow(SLACK);
        }
        if let Some(to) = self.buf[self.len..].first_chunk_mut::<N>() {
            fill(to);
            self.len += N;
        }
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn byte(&mut self, b: u8) {
        if self.len + SLACK > self.buf.len() {
            return self.put_long(&[b]);
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// [`Block::put`] of a piece too long for the fast path, or when the buffer must grow.
    #[cold]
    fn put_long(&mut self, piece: &[u8]) {
        self.grow(piece.len());
        self.buf[self.len..self.len + piece.len()].copy_from_slice(piece);
        self.len += piece.len();
    }

    /// Makes room for `n` more bytes and the slack after them.
    #[cold]
    fn grow(&mut self, n: usize) {
        let need = self.len + n + SLACK;
        if need > self.buf.len() {
            self.buf.resize(need.max(self.buf.len() * 2), 0);
        }
    }
}

/// Copies `piece` (at most [`SLACK`] bytes) to the start of `to` (at least as long) with
/// fixed-size moves, which write only the piece's length.
///
/// Each tier moves whole machine words (see [`copy_words`]): written as `copy_from_slice`s of
/// `W` bytes, the compiler merged the tiers' tail copies into one `memcpy` call of variable
/// length, as costly as the call this avoids.
#[inline(always)]
fn copy_short(to: &mut [u8], piece: &[u8]) {
    match piece.len() {
        64.. => copy_words::<4>(to, piece),
        32.. => copy_words::<2>(to, piece),
        16.. => copy_words::<1>(to, piece),
        8.. => copy_ends::<8>(to, piece),
        4.. => copy_ends::<4>(to, piece),
        _ => {
            for (t, p) in to.iter_mut().zip(piece) {
                *t = *p;
            }
        }
    }
}

/// Copies `piece` (`16 K` to `32 K` bytes long) as its first and its last `16 K` bytes, which
/// overlap, in 16-byte words.
#[inline(always)]
fn copy_words<const K: usize>(to: &mut [u8], piece: &[u8]) {
    let end = piece.len() - 16 * K;
    let mut head = [[0u8; 16]; K];
    let mut tail = [[0u8; 16]; K];
    for i in 0..K {
        head[i] = load::<16>(piece, 16 * i);
        tail[i] = load::<16>(piece, end + 16 * i);
    }
    for i in 0..K {
        store(to, 16 * i, head[i]);
        store(to, end + 16 * i, tail[i]);
    }
}

/// Copies `piece` (`N` to `2 N` bytes long) as its first and its last `N` bytes, which
/// overlap: both loaded before either is stored.
#[inline(always)]
fn copy_ends<const N: usize>(to: &mut [u8], piece: &[u8]) {
    let end = piece.len() - N;
    let (head, tail) = (load::<N>(piece, 0), load::<N>(piece, end));
    store(to, 0, head);
    store(to, end, tail);
}

/// The `N` bytes of `from` at `at` (callers check lengths first; zeros otherwise).
#[inline(always)]
fn load<const N: usize>(from: &[u8], at: usize) -> [u8; N] {
    from.get(at..).and_then(|rest| rest.first_chunk::<N>()).copied().unwrap_or([0; N])
}

/// Writes `bytes` into `to` at `at` (callers check lengths first; nothing otherwise).
#[inline(always)]
fn store<const N: usize>(to: &mut [u8], at: usize, bytes: [u8; N]) {
    if let Some(place) = to.get_mut(at..).and_then(|rest| rest.first_chunk_mut::<N>()) {
        *place = bytes;
    }
}

impl io::Write for Block {
    fn write(&mut self, piece: &[u8]) -> io::Result<usize> {
        self.put(piece);
        Ok(piece.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Block;

    #[test]
    fn pieces_of_every_length_come_back_in_order() {
        let text: Vec<u8> = (0..=255u8).cycle().take(400).collect();
        let mut b = Block::with_capacity(8);
        let mut want = Vec::new();
        for n in 0..=140 {
            let piece = &text[n..2 * n];
            b.put(piece);
            b.byte(b'|');
            want.extend_from_slice(piece);
            want.push(b'|');
        }
        assert_eq!(b.bytes(), &want[..]);
        // Earlier pieces copied back, short and long, while the buffer grows.
        let mut at = 0;
        for n in (0..=140).step_by(7) {
            b.repeat(at, n);
            want.extend_from_within(at..at + n);
            at += 3;
        }
        b.fill::<3>(|to| *to = *b"xyz");
        want.extend_from_slice(b"xyz");
        assert_eq!(b.bytes(), &want[..]);
        b.clear();
        assert!(b.bytes().is_empty());
        b.put(b"again");
        assert_eq!(b.bytes(), b"again");
    }

    #[test]
    fn a_value_is_copied_back_into_every_slot_and_nowhere_else() {
        for len in [0, 1, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 65, 100, 128, 200] {
            let mut b = Block::with_capacity(8);
            b.put(b"<<");
            let base = b.len();
            // A template of three slots of `len` dots, between markers.
            let slots = [1, len + 2, 2 * len + 3];
            let mut template = b"[".to_vec();
            for _ in 0..3 {
                template.extend(std::iter::repeat_n(b'.', len));
                template.push(b'|');
            }
            b.put(&template);
            let from = b.len();
            let value: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            b.put(&value);
            b.copy_back(from, len, base, &slots);
            // Past the value: skipped, and so is a slot that would run into it.
            b.copy_back(from, len + 1, base, &slots);
            b.copy_back(from, len, base, &[from - base - len + 1]);
            b.truncate(from);
            let mut want = b"<<[".to_vec();
            for _ in 0..3 {
                want.extend_from_slice(&value);
                want.push(b'|');
            }
            assert_eq!(b.bytes(), &want[..], "len {len}");
        }
    }
}
