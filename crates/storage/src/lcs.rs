//! Longest common subsequence of two strings, with the matched ranges LCS IDX reports.

/// The dynamic-programming table of two strings; see `Lcs::new`.
#[derive(Debug)]
pub struct Lcs<'s> {
    a: &'s [u8],
    b: &'s [u8],
    table: Vec<u32>,
}

/// A run of consecutive matching bytes: inclusive index ranges in each string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Range in the first string.
    pub a: (usize, usize),
    /// Range in the second string.
    pub b: (usize, usize),
    /// Length of the run.
    pub len: usize,
}

impl<'s> Lcs<'s> {
    /// Builds the table; the caller bounds `(a.len()+1) * (b.len()+1)` beforehand.
    pub fn new(a: &'s [u8], b: &'s [u8]) -> Self {
        let w = b.len() + 1;
        let mut table = vec![0u32; (a.len() + 1) * w];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                table[i * w + j] = if a[i - 1] == b[j - 1] {
                    table[(i - 1) * w + j - 1] + 1
                } else {
                    table[(i - 1) * w + j].max(table[i * w + j - 1])
                };
            }
        }
        Lcs { a, b, table }
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.table[i * (self.b.len() + 1) + j]
    }

    /// Length of the longest common subsequence.
    pub fn len(&self) -> usize {
        self.at(self.a.len(), self.b.len()) as usize
    }

    /// Whether the strings share nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The subsequence itself.
    pub fn string(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.walk(|i, _| out.push(self.a[i]), |_| {});
        out.reverse();
        out
    }

    /// The matched runs, from the end of the strings backwards, as Redis lists them.
    pub fn ranges(&self) -> Vec<Match> {
        let mut ranges = Vec::new();
        self.walk(|_, _| {}, |m| ranges.push(m));
        ranges
    }

    /// Walks the table back from the end, calling `on_byte` for each matched position and
    /// `on_run` for each maximal run of consecutive matches.
    fn walk(&self, mut on_byte: impl FnMut(usize, usize), mut on_run: impl FnMut(Match)) {
        let (mut i, mut j) = (self.a.len(), self.b.len());
        let mut run: Option<Match> = None;
        let close = |run: &mut Option<Match>, on_run: &mut dyn FnMut(Match)| {
            if let Some(m) = run.take() {
                on_run(m);
            }
        };
        while i > 0 && j > 0 {
            if self.a[i - 1] == self.b[j - 1] {
                on_byte(i - 1, j - 1);
                match &mut run {
                    Some(m) if m.a.0 == i && m.b.0 == j => {
                        m.a.0 -= 1;
                        m.b.0 -= 1;
                        m.len += 1;
                    }
                    _ => {
                        close(&mut run, &mut on_run);
                        run = Some(Match {
                            a: (i - 1, i - 1),
                            b: (j - 1, j - 1),
                            len: 1,
                        });
                    }
                }
                i -= 1;
                j -= 1;
            } else {
                close(&mut run, &mut on_run);
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
            }
        }
        close(&mut run, &mut on_run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_documentation_example() {
        let m = Lcs::new(b"ohmytext", b"mynewtext");
        assert_eq!(m.string(), b"mytext");
        assert_eq!(m.len(), 6);
        assert_eq!(
            m.ranges(),
            vec![
                Match {
                    a: (4, 7),
                    b: (5, 8),
                    len: 4
                },
                Match {
                    a: (2, 3),
                    b: (0, 1),
                    len: 2
                },
            ]
        );
        assert!(Lcs::new(b"", b"abc").is_empty());
    }
}
