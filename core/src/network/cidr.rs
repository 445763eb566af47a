//! IP addresses and CIDR blocks as a project IP access list takes them, checked strictly: a
//! bare address is its single-host block (`/32`, `/128`); a block must be a network address
//! (no host bits set), with a decimal prefix in range and without leading zeros. Every block is
//! kept in one canonical text form (`10.0.0.0/24`, `2001:db8::/32`), so two spellings of one
//! entry compare equal.

use std::fmt;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Net {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Net {
    pub fn host(addr: IpAddr) -> Net {
        Net { addr, prefix: max_prefix(&addr) }
    }

    /// `0.0.0.0/0` or `::/0` (and anything else with prefix 0): the whole internet.
    pub fn is_wide_open(&self) -> bool {
        self.prefix == 0
    }

    pub fn is_single_host(&self) -> bool {
        self.prefix == max_prefix(&self.addr)
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn max_prefix(a: &IpAddr) -> u8 {
    if a.is_ipv4() {
        32
    } else {
        128
    }
}

fn mask(a: IpAddr, prefix: u8) -> IpAddr {
    match a {
        IpAddr::V4(v4) => {
            let m = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix as u32) };
            IpAddr::V4((u32::from(v4) & m).into())
        }
        IpAddr::V6(v6) => {
            let m = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix as u32) };
            IpAddr::V6((u128::from(v6) & m).into())
        }
    }
}

/// Parses one address. Rust's parser already refuses IPv4 octets with leading zeros
/// (`010.0.0.1`, which other parsers read as octal) and IPv6 zone ids (`fe80::1%eth0`).
fn parse_addr(s: &str) -> Result<IpAddr, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.contains('%') {
        return Err(format!("'{s}' has an IPv6 zone id, which an access list cannot hold"));
    }
    s.parse::<IpAddr>().map_err(|_| {
        if s.split('.').count() == 4 && s.split('.').any(|o| o.len() > 1 && o.starts_with('0')) {
            format!("'{s}' has an octet with a leading zero (ambiguous: some tools read it as octal)")
        } else {
            format!("'{s}' is not an IPv4 or IPv6 address")
        }
    })
}

/// Parses a bare address (its single-host block) or a block `address/prefix`; the error says
/// what is wrong (the caller adds the field name).
pub fn parse(raw: &str) -> Result<Net, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("must not be empty (an IPv4 or IPv6 address, or a CIDR block such as 203.0.113.0/24)".into());
    }
    if s.len() > 64 {
        return Err("is too long for an IP address or CIDR block".into());
    }
    let Some((a, p)) = s.split_once('/') else {
        return parse_addr(s).map(Net::host);
    };
    let addr = parse_addr(a)?;
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{s}' has a prefix length that is not a decimal number"));
    }
    if p.len() > 1 && p.starts_with('0') {
        return Err(format!("'{s}' has a prefix length with a leading zero"));
    }
    let max = max_prefix(&addr);
    let prefix: u8 = p.parse().ok().filter(|n| *n <= max).ok_or_else(|| {
        format!(
            "'{s}' has prefix length {p}, out of range for {} (0 to {max})",
            if addr.is_ipv4() { "IPv4" } else { "IPv6" }
        )
    })?;
    let network = mask(addr, prefix);
    if network != addr {
        return Err(format!("'{s}' has host bits set; the block is {network}/{prefix}"));
    }
    Ok(Net { addr, prefix })
}

/// The canonical block of an entry as Atlas lists it (`cidrBlock`, else `ipAddress`); `None` for
/// entries that are no address (AWS security groups) or that do not parse.
pub fn canonical(cidr_block: Option<&str>, ip_address: Option<&str>) -> Option<Net> {
    cidr_block.or(ip_address).and_then(|s| parse(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_and_blocks() {
        assert_eq!(parse("203.0.113.7").unwrap().to_string(), "203.0.113.7/32");
        assert_eq!(parse(" 10.0.0.0/8 ").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse("2001:DB8::1").unwrap().to_string(), "2001:db8::1/128");
        assert_eq!(parse("2001:0db8:0000::/32").unwrap().to_string(), "2001:db8::/32");
        assert_eq!(parse("0.0.0.0/0").unwrap().to_string(), "0.0.0.0/0");
        assert!(parse("::/0").unwrap().is_wide_open());
        assert!(parse("1.2.3.4/32").unwrap().is_single_host());
    }

    #[test]
    fn bad_addresses_and_blocks() {
        for (bad, why) in [
            ("", "empty"),
            ("10.0.0.1/24", "host bits"),
            ("10.0.0.0/33", "out of range"),
            ("2001:db8::/129", "out of range"),
            ("10.0.0.0/08", "leading zero"),
            ("010.0.0.1", "leading zero"),
            ("10.0.0", "not an IPv4"),
            ("10.0.0.0/", "not a decimal"),
            ("10.0.0.0/-1", "not a decimal"),
            ("10.0.0.0/2x", "not a decimal"),
            ("fe80::1%eth0", "zone"),
            ("256.1.1.1", "not an IPv4"),
            ("example.com", "not an IPv4"),
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
