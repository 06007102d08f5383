//! Masking protected values in step output, also when a value is split across chunks of
//! output or spans several lines.

/// What a protected value is replaced with in logs.
pub const MASK: &[u8] = b"****";

/// Shortest line of a multi-line protected value that is masked on its own; shorter lines
/// (a lone `}` of a JSON key, say) would mask too much of the rest of the log.
const MIN_LINE_BYTES: usize = 4;

/// The protected values of one run, as byte patterns, longest first.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    patterns: Vec<Vec<u8>>,
    /// Bytes some pattern starts with: any other byte is copied without a closer look.
    first_bytes: Vec<bool>,
    /// Length of the longest pattern.
    longest: usize,
}

impl Masker {
    /// A masker for these values: each whole value, and each line of a multi-line value.
    pub fn new<I: IntoIterator<Item = String>>(values: I) -> Masker {
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        for value in values {
            if value.is_empty() {
                continue;
            }
            if value.contains('\n') {
                for line in value
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.len() >= MIN_LINE_BYTES)
                {
                    patterns.push(line.as_bytes().to_vec());
                }
                // Exported the way Wercker exported, a newline reaches the shell as `\n`.
                patterns.push(value.replace('\n', "\\n").into_bytes());
            }
            patterns.push(value.into_bytes());
        }
        patterns.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        patterns.dedup();
        let mut first_bytes = vec![false; 256];
        for pattern in &patterns {
            first_bytes[pattern[0] as usize] = true;
        }
        let longest = patterns.first().map_or(0, Vec::len);
        Masker {
            patterns,
            first_bytes,
            longest,
        }
    }

    /// Masks `carry` followed by `data`. Returns what can be written; leaves in `carry` the
    /// tail that could still be the start of a protected value, to be joined to the next
    /// chunk (or written by [`Masker::finish`]).
    pub fn mask(&self, carry: &mut Vec<u8>, data: &[u8]) -> Vec<u8> {
        if self.patterns.is_empty() {
            let mut out = std::mem::take(carry);
            out.extend_from_slice(data);
            return out;
        }
        let mut buf = std::mem::take(carry);
        buf.extend_from_slice(data);
        let mut out = Vec::with_capacity(buf.len());
        let mut i = 0;
        while i < buf.len() {
            if !self.first_bytes[buf[i] as usize] {
                out.push(buf[i]);
                i += 1;
                continue;
            }
            let rest = &buf[i..];
            if let Some(pattern) = self.patterns.iter().find(|p| rest.starts_with(p)) {
                out.extend_from_slice(MASK);
                i += pattern.len();
                continue;
            }
            if rest.len() < self.longest
                && self
                    .patterns
                    .iter()
                    .any(|p| p.len() > rest.len() && p.starts_with(rest))
            {
                break;
            }
            out.push(buf[i]);
            i += 1;
        }
        carry.extend_from_slice(&buf[i..]);
        out
    }

    /// The held-back tail at the end of a step: it never became a protected value.
    pub fn finish(&self, carry: &mut Vec<u8>) -> Vec<u8> {
        std::mem::take(carry)
    }

    /// Masks a whole text (a step message).
    pub fn mask_text(&self, text: &str) -> String {
        let mut carry = Vec::new();
        let mut out = self.mask(&mut carry, text.as_bytes());
        out.extend(self.finish(&mut carry));
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(masker: &Masker, chunks: &[&str]) -> String {
        let mut carry = Vec::new();
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(masker.mask(&mut carry, chunk.as_bytes()));
        }
        out.extend(masker.finish(&mut carry));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks_values_whole_split_and_line_by_line() {
        let masker = Masker::new([
            "s3cr3t".to_string(),
            "-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----".to_string(),
        ]);
        assert_eq!(stream(&masker, &["token=s3cr3t done"]), "token=**** done");
        assert_eq!(
            stream(&masker, &["token=s3", "cr", "3t done"]),
            "token=**** done"
        );
        assert_eq!(
            stream(&masker, &["s3cr3", "x"]),
            "s3cr3x",
            "a prefix that is not the value is kept"
        );
        assert_eq!(
            stream(
                &masker,
                &["key:\n-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----\n"]
            ),
            "key:\n****\n"
        );
        assert_eq!(
            stream(&masker, &["only AAAABBBB leaked"]),
            "only **** leaked"
        );
        assert_eq!(
            stream(
                &masker,
                &["as exported: -----BEGIN KEY-----\\nAAAABBBB\\n-----END KEY-----."]
            ),
            "as exported: ****."
        );
        assert_eq!(stream(&masker, &["ends with s3cr"]), "ends with s3cr");
        assert_eq!(stream(&Masker::default(), &["a", "b"]), "ab");
    }
}
