//! Percent-encoding of URL path segments: decoding the segments of a request path, escaping
//! the ones written into links.

/// Percent-decodes a path segment (`1.2.3.4%2F32` -> `1.2.3.4/32`); `None` on bad escapes.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes what must not appear raw in a path segment (Atlas writes `/` as `%2F` in links).
pub fn escape_segment(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | ':' | '@' | '$' => out.push(c),
            _ => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{:02X}", b));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_cidr_segment() {
        assert_eq!(percent_decode("1.2.3.4%2F32").unwrap(), "1.2.3.4/32");
        assert_eq!(percent_decode("1.2.3.4%2f32").unwrap(), "1.2.3.4/32");
        assert_eq!(escape_segment("1.2.3.4/32"), "1.2.3.4%2F32");
    }
}
