//! The cache files' JSON layout: indented down to single functions, methods and signatures (so
//! diffs stay readable), compact below (which would double the size of numpy's file).

use std::io;

/// A JSON formatter that indents only the outer `max_depth` levels of nesting.
pub(super) struct ShallowPretty {
    depth: usize,
    max_depth: usize,
    has_value: bool,
}

impl ShallowPretty {
    pub(super) fn new(max_depth: usize) -> Self {
        ShallowPretty {
            depth: 0,
            max_depth,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + io::Write>(w: &mut W, depth: usize) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..depth {
            w.write_all(b" ")?;
        }
        Ok(())
    }
}

impl ShallowPretty {
    /// Opens an array or object: one level deeper.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object, on its own line when its items were on lines of their own.
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let level = self.depth;
        self.depth -= 1;
        if self.has_value && level <= self.max_depth {
            Self::newline(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    /// Starts an array item or an object key: a comma after the first, and a line of its own
    /// down to `max_depth`.
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.depth <= self.max_depth {
            Self::newline(w, self.depth)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for ShallowPretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.depth <= self.max_depth {
            w.write_all(b": ")
        } else {
            w.write_all(b":")
        }
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
