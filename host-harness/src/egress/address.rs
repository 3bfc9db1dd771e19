//! Which addresses count as "not public": where a host that resolves to them could reach the
//! operator's own network (the machine itself, the LAN, the cloud's metadata service).
//!
//! Refused unless the operator allowed the host explicitly: loopback (`127.0.0.0/8`, `::1`),
//! unspecified (`0.0.0.0`, `::`), private (`10/8`, `172.16/12`, `192.168/16`, `fc00::/7`),
//! shared (carrier-grade NAT, `100.64/10`), link-local (`169.254/16`, which holds the metadata
//! address `169.254.169.254`, and `fe80::/10`), multicast and broadcast, the IETF's
//! `192.0.0.0/24`, and IPv6 addresses that embed any of these (IPv4-mapped `::ffff:a.b.c.d`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let ietf = a == 192 && b == 0 && c == 0;
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || shared
        || ietf
        || a == 0)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || unique_local || link_local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_private_link_local_and_metadata_addresses_are_not_public() {
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(refused.parse().unwrap()), "{refused}");
        }
        for public in ["104.18.20.30", "172.32.0.1", "8.8.8.8", "2606:4700::6810:1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
