//! IP addresses and CIDR blocks as Atlas access lists use them.

use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    pub addr: IpAddr,
    pub prefix: u8,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CidrError {
    /// Not an address or not `address/prefix` at all.
    Syntax,
    /// Parses, but the prefix is too long or host bits are set (`10.0.0.1/24`).
    Block,
}

impl IpNet {
    pub fn host(addr: IpAddr) -> IpNet {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        IpNet { addr, prefix }
    }

    pub fn is_single_host(&self) -> bool {
        self.prefix == max_prefix(&self.addr)
    }

    /// Parses `a.b.c.d/n` (or an IPv6 equivalent); rejects set host bits like Atlas does.
    pub fn parse_cidr(s: &str) -> Result<IpNet, CidrError> {
        let (a, p) = s.split_once('/').ok_or(CidrError::Syntax)?;
        let addr: IpAddr = a.trim().parse().map_err(|_| CidrError::Syntax)?;
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
            return Err(CidrError::Syntax);
        }
        let prefix: u8 = p.parse().map_err(|_| CidrError::Syntax)?;
        if prefix > max_prefix(&addr) {
            return Err(CidrError::Block);
        }
        let net = IpNet { addr, prefix };
        if net.network() != addr {
            return Err(CidrError::Block);
        }
        Ok(net)
    }

    /// An API access-list item: a bare address or a block.
    pub fn parse_any(s: &str) -> Option<IpNet> {
        if let Ok(a) = s.trim().parse::<IpAddr>() {
            return Some(IpNet::host(a));
        }
        IpNet::parse_cidr(s).ok()
    }

    fn network(&self) -> IpAddr {
        mask(self.addr, self.prefix)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        mask(ip, self.prefix) == self.network()
    }

    pub fn cidr_string(&self) -> String {
        format!("{}/{}", self.addr, self.prefix)
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
            let bits = u32::from(v4);
            let m = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix as u32) };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix as u32) };
            IpAddr::V6((bits & m).into())
        }
    }
}

/// Strict dotted-quad or IPv6 text, as Atlas's `ipAddress` field accepts.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_rules() {
        assert_eq!(IpNet::parse_cidr("10.0.0.0/24").unwrap().cidr_string(), "10.0.0.0/24");
        assert_eq!(IpNet::parse_cidr("10.0.0.1/24"), Err(CidrError::Block));
        assert_eq!(IpNet::parse_cidr("10.0.0.0/33"), Err(CidrError::Block));
        assert_eq!(IpNet::parse_cidr("10.0.0/24"), Err(CidrError::Syntax));
        assert_eq!(IpNet::parse_cidr("10.0.0.0"), Err(CidrError::Syntax));
        let n = IpNet::parse_cidr("203.0.113.0/24").unwrap();
        assert!(n.contains("203.0.113.9".parse().unwrap()));
        assert!(!n.contains("203.0.114.9".parse().unwrap()));
    }
}
