//! `key: value` front matter at the top of a text file, between two `---` lines.

/// Splits a file into its front matter pairs and its body.
///
/// A file that does not start with a `---` line, or whose block is never closed, has no front
/// matter: the whole file is the body.
pub(crate) fn split(content: &str) -> (Vec<(String, String)>, &str) {
    let Some(rest) = content
        .strip_prefix("---\n")
        .or_else(|| content.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), content);
    };
    let mut pairs = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed == "---" {
            return (pairs, &rest[offset..]);
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            pairs.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    (Vec::new(), content)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn reads_pairs_and_body() {
        let (pairs, body) = split("---\ntitle: A: B\ndate: 2026-01-02\n---\nBody text.\n");
        assert_eq!(pairs[0], ("title".into(), "A: B".into()));
        assert_eq!(pairs[1], ("date".into(), "2026-01-02".into()));
        assert_eq!(body, "Body text.\n");
    }

    #[test]
    fn unclosed_block_is_body() {
        let text = "---\ntitle: x\nno end";
        assert_eq!(split(text), (vec![], text));
        assert_eq!(split("plain"), (vec![], "plain"));
    }
}
