//! A byte buffer for writers that append many short pieces (keys of 10 to 30 bytes, JSON
//! punctuation): a piece of up to 32 bytes is copied with two fixed-size, overlapping moves
//! instead of a call to `memcpy`, which dominates the cost of pieces that short.

use std::io;

/// Room kept free past the end of the bytes, so a short piece never needs a length check
/// beyond one comparison.
const SLACK: usize = 32;

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
        let to = &mut self.buf[self.len..self.len + SLACK];
        if n >= 16 {
            to[..16].copy_from_slice(&piece[..16]);
            to[n - 16..n].copy_from_slice(&piece[n - 16..]);
        } else if n >= 8 {
            to[..8].copy_from_slice(&piece[..8]);
            to[n - 8..n].copy_from_slice(&piece[n - 8..]);
        } else if n >= 4 {
            to[..4].copy_from_slice(&piece[..4]);
            to[n - 4..n].copy_from_slice(&piece[n - 4..]);
        } else {
            for (t, p) in to.iter_mut().zip(piece) {
                *t = *p;
            }
        }
        self.len += n;
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
        let need = self.len + piece.len() + SLACK;
        if need > self.buf.len() {
            self.buf.resize(need.max(self.buf.len() * 2), 0);
        }
        self.buf[self.len..self.len + piece.len()].copy_from_slice(piece);
        self.len += piece.len();
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
        let text: Vec<u8> = (0..200u8).collect();
        let mut b = Block::with_capacity(8);
        let mut want = Vec::new();
        for n in 0..=70 {
            let piece = &text[n..2 * n];
            b.put(piece);
            b.byte(b'|');
            want.extend_from_slice(piece);
            want.push(b'|');
        }
        assert_eq!(b.bytes(), &want[..]);
        b.clear();
        assert!(b.bytes().is_empty());
        b.put(b"again");
        assert_eq!(b.bytes(), b"again");
    }
}
